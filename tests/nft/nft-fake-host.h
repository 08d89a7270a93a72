/*
 * nft-fake-host.h: a stand-in for the ipa engine that drives one
 * accounting module through the real loader and the real configuration
 * parser, calling the ac functions in the order ipa_mod(3) sets:
 * configuration (conf_event, arg_parse, conf_inherit, conf_deinit),
 * ac_pre_init, ac_init_autorule, ac_init_statrule, ac_init, rounds of
 * ac_get_stat + ac_get_rule_stat (with ac_create_rule / ac_delete_rule
 * served from inside ac_get_stat and ac_deinit_rule deferred to the end of
 * the round), limit events, and the deinit chain.
 *
 * The configuration language is that of ipa.conf, reduced to what a
 * module sees: global, rule NAME, autorule NAME, rulepat "RE" and limit
 * NAME sections holding module parameters.
 */
#pragma once

#include <glib.h>
#include "ipa-module.h"

typedef struct {
  char *name;
  guint ruleno;
  gboolean dynamic;
  guint autoruleno;
  gboolean deleted;    /* by the module; ac_deinit_rule at the end of the round */
  gboolean newstat;
  gboolean active;
  gint64 total;        /* added and subtracted chunks */
  char *info;
} FakeRule;

typedef struct {
  IpaModuleSet *set;
  IpaModule *module;
  struct ipa_ac_mod *ac;
  GPtrArray *rules;      /* FakeRule *, index ruleno, NULL holes */
  guint n_static;
  GPtrArray *autorules;  /* char * names */
  GPtrArray *rulepats;   /* char * patterns */
  gboolean initialised;
  gboolean in_get_stat;
  guint generation;
  GString *trace;        /* "create NAME N", "delete N", "deinit N", "-2 NAME" */
  gboolean fail_create;  /* ac_create_rule answers -1 (a critical error) */
} FakeHost;

/* Load @module_file, parse @config; FALSE with @error on any failure. */
FakeHost *fake_host_new (const char *module_file, const char *config, GError **error);
/* ac_pre_init … ac_init; FALSE if one returned -1. */
gboolean fake_host_init (FakeHost *host);
/* One round; the result of ac_get_stat or of the first failing
 * ac_get_rule_stat. */
int fake_host_round (FakeHost *host);
FakeRule *fake_host_rule (FakeHost *host, const char *name);
guint fake_host_n_dynamic (FakeHost *host);
int fake_host_limit_event (FakeHost *host, const char *rule, guint limitno, guint event);
void fake_host_set_rule_active (FakeHost *host, const char *rule, gboolean active);
/* The deinit chain, unloading, and the leak report (logged). */
void fake_host_free (FakeHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeHost, fake_host_free)
