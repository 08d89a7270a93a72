/*
 * gdbm-test-util.h: what the tests of ipa_db_gdbm and ipa_st_gdbm share:
 * loading a module with the real loader, feeding it configuration text
 * through the real parser (with a small ipa.conf-like schema), playing
 * the host's part of the call contract, and checking the log.
 */
#pragma once

#include <glib.h>

#include "ipa_mod.h"
#include "ipa_mod_ext.h"
#include "ipa-conf-parser.h"
#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "ipa-module.h"

G_BEGIN_DECLS

typedef struct {
  IpaModuleSet *set;
  IpaModule *m;
  IpaConfParser *parser;
  struct ipa_db_mod *db;                 /* kind db */
  const struct ipa_db_mod_ext *ext;      /* kind db, may be NULL */
  struct ipa_st_mod *st;                 /* kind st */
} GtModule;

/* Load ipa_db_gdbm.so or ipa_st_gdbm.so, parse conf_text (sections
 * global, rule NAME, rulepat "RE", autorule NAME, limit NAME, threshold
 * NAME), call conf_inherit for each rule a rulepat matches, conf_deinit
 * and the *_pre_init.  Rules are numbered in file order, as
 * IPA_CONF_EVENT_RULE_BEGIN numbers them. */
GtModule *gt_load_db (const char *conf_text);
GtModule *gt_load_st (const char *conf_text);
/* The same, but the load or the parse may fail: NULL then, with *error. */
GtModule *gt_try_load (IpaModuleKind kind, const char *conf_text, GError **error);
/* *_deinit (the caller ran the per-entity deinits), unload, and assert
 * that the loader reported no memfunc leak of the module. */
void gt_unload (GtModule *g);

/* Call a module function with its memfunc owner, as the host does. */
#define CALL(g, expr) (gt_enter (g), gt_leave (expr))
void gt_enter (GtModule *g);
int gt_leave (int result);

/* An ipa_tm (real year, month 1..12). */
ipa_tm gt_tm (int year, int mon, int day, int hour, int min, int sec);

/* Batches as ipa runs them. */
int gt_begin (GtModule *g, const ipa_tm *ctm);
int gt_end (GtModule *g);

/* Log capture: every message is kept; gt_log_find() returns the first
 * message containing needle (NULL if none). */
void gt_log_start (void);
void gt_log_stop (void);
const char *gt_log_find (const char *needle);
guint gt_log_count (const char *needle);
void gt_log_dump (void);

/* The host's mem_type for st results. */
ipa_mem_type *gt_mem (void);
void gt_free_list (struct ipa_entity_desc *list, unsigned int n);

/* A fresh directory under the test's temporary tree. */
char *gt_tmpdir (const char *name);
void gt_rm_rf (const char *path);

/* Whether mounting works here (root, private mount namespace made). */
gboolean gt_private_mounts (void);

/* A file's bytes, for "left untouched" checks. */
GBytes *gt_read_file (const char *path);

G_END_DECLS
