/*
 * netdev-host.h: a small stand-in for the engine, enough to drive
 * ipa_ac_netdev.so through its whole life in tests: the real module loader
 * and ipa.conf parser (ipa-conf.c) load it and run the configuration
 * phase, then this code makes the calls ipa_mod(3) gives to the engine
 * (init chain, statistics rounds, dynamic rules, deinit chain) and
 * records what the module did.
 */
#pragma once

#include <glib.h>

#include "ipa-conf.h"
#include "ipa-module.h"

G_BEGIN_DECLS

typedef struct {
  char *name;
  unsigned int ruleno;
  gboolean dynamic;
  unsigned int autoruleno;
  gboolean uses_module;  /* static: ac_list names netdev */
  gboolean newstat;      /* the next ac_get_rule_stat gets newstat = 1 */
  gboolean active;       /* inactive rules get no ac_get_rule_stat (INV-47) */
  guint64 last;          /* chunk of the last round */
  guint64 total;         /* sum of the chunks */
  guint rounds;          /* ac_get_rule_stat calls */
} NetdevHostRule;

typedef struct {
  IpaModuleSet *set;
  IpaConf *conf;
  IpaModule *module;
  struct ipa_ac_mod *ac;
  GPtrArray *rules;       /* NetdevHostRule*, index = ruleno, NULL = free */
  GPtrArray *messages;    /* char*: "PRIO: text" of the module's log messages */
  GPtrArray *events;      /* char*: "create NAME #N", "exists NAME", "delete NAME #N",
                           * "deinit NAME #N" in order */
  gboolean started;
  gboolean in_get_stat;
  guint n_static;
  guint generation;
  GArray *to_deinit;      /* guint: rules deleted during ac_get_stat */
  /* Knobs for tests */
  gboolean quiet;         /* no g_test_message() per event and message */
  int create_result;      /* != 0: ac_create_rule returns this and creates nothing */
  gboolean deinit_in_delete; /* call ac_deinit_rule from inside ac_delete_rule */
} NetdevHost;

/* Load @conf_text (ipa.conf syntax, with ac_mod "ipa_ac_netdev.so"). */
NetdevHost *netdev_host_new (const char *conf_text, IpaConfLoadFlags flags, GError **error);

/* ac_pre_init, ac_init_autorule, ac_init_statrule, ac_init.  FALSE if one
 * of them returned -1 (the module's message is in h->messages). */
gboolean netdev_host_start (NetdevHost *h);

/* One round: ac_get_stat, then ac_get_rule_stat for every active rule,
 * then the ac_deinit_rule calls of rules deleted in ac_get_stat.  Returns
 * the first -1 of the module, or 0. */
int netdev_host_round (NetdevHost *h);

NetdevHostRule *netdev_host_rule (NetdevHost *h, const char *name);
/* A rule by name that must exist. */
NetdevHostRule *netdev_host_rule_ok (NetdevHost *h, const char *name);
guint netdev_host_n_dynamic (NetdevHost *h);

/* ac_set_rule_active / ac_set_autorule_active as the engine would. */
void netdev_host_set_rule_active (NetdevHost *h, const char *name, gboolean active);
void netdev_host_set_autorule_active (NetdevHost *h, unsigned int autoruleno, gboolean active);

/* Does a module message contain @needle?  Which event list entry? */
gboolean netdev_host_has_message (NetdevHost *h, const char *needle);
gboolean netdev_host_has_event (NetdevHost *h, const char *event);
void netdev_host_clear_log (NetdevHost *h);

/* Run the deinit chain (every live rule, every autorule, ac_deinit) and
 * return the number of leak reports for the module's memory. */
guint netdev_host_stop (NetdevHost *h);

/* Stops if needed, unloads, frees. */
void netdev_host_free (NetdevHost *h);

G_END_DECLS
