/*
 * ipa-engine-internal.h: the engine object itself, shared by the files of
 * the engine (ipa-engine*.c) only.
 */
#pragma once

#include "ipa-engine-private.h"

G_BEGIN_DECLS

/* A module call longer than this is a stall (logged); three rounds in a
 * row with a stall suspend the module for a while. */
#define IPA_ENGINE_STALL_USEC        ((gint64) 1 * G_USEC_PER_SEC)
#define IPA_ENGINE_STALL_ROUNDS      3
#define IPA_ENGINE_SUSPEND_MIN_USEC  ((gint64) 300 * G_USEC_PER_SEC)
#define IPA_ENGINE_SUSPEND_MAX_USEC  ((gint64) 3600 * G_USEC_PER_SEC)
/* The wall clock may drift this far from the monotonic one between two
 * dispatches before it counts as a jump. */
#define IPA_ENGINE_JUMP_TOLERANCE    5
/* Repeated errors of one module or database are logged at most this often
 * (seconds); the first one at once, and recovery when it comes. */
#define IPA_ENGINE_ERROR_LOG_INTERVAL 600
#define IPA_ENGINE_MAX_DATABASES     32

/* Lets exec callbacks find out whether their engine still exists. */
typedef struct {
  gint ref_count;
  IpaEngine *engine;
} IpaEngineToken;

typedef struct {
  const IpaConfAutorule *conf;
  guint no;
  const char *name;
  IpaEngineAc *ac;          /* NULL: null (rules only through ipactl) */
  guint n_limits, n_thresholds;
  const IpaLimitDef **limit_defs;
  const IpaThresholdDef **threshold_defs;
  IpaWorktimeState *worktime; /* NULL: always */
  gboolean active;
} IpaAutorule;

typedef struct {
  guint id;
  IpaEngineObserver func;
  gpointer user_data;
} IpaObserverEntry;

/* A rule that gathers the statistics of others (ac_gather_add/sub). */
typedef struct {
  IpaRule *rule;
  regex_t add_re, sub_re;
  gboolean has_add, has_sub;
  guint64 pending_add, pending_sub;
} IpaGatherer;

struct _IpaEngine {
  IpaClock *clock;
  IpaExecRunner *runner;
  IpaEngineToken *token;
  IpaConf *conf;
  IpaModuleSet *modules;
  GArray *observers;            /* IpaObserverEntry */
  guint next_observer_id;
  GStringChunk *strings;        /* interned names and command texts */

  GPtrArray *acs;               /* IpaEngineAc* in load order */
  GPtrArray *dbs;               /* IpaEngineDb* */
  GHashTable *intern;           /* key string -> interned object (params, defs, lists, worktimes) */
  GPtrArray *owned;             /* interned objects, freed with the engine */
  GPtrArray *params;            /* IpaRuleParams* */
  GPtrArray *worktimes;         /* IpaWorktimeState* */
  GPtrArray *groups;            /* IpaUpdateGroup* */
  GPtrArray *limit_defs, *threshold_defs;
  IpaDbList *null_db;

  guint n_static;
  IpaRule *static_rules;        /* array of n_static */
  IpaLimit *static_limits;      /* the limits of all static rules, in one block */
  IpaThreshold *static_thresholds;
  guint64 *static_slices;       /* the threshold windows of static rules */
  GPtrArray *rules;             /* by ruleno; NULL slots are free */
  GHashTable *rules_by_name;    /* name -> IpaRule* */
  guint n_rules;
  GPtrArray *autorules;         /* IpaAutorule* by autoruleno */
  GPtrArray *gatherers;         /* IpaGatherer* */
  GHashTable *gather_sources;   /* IpaRule* -> GPtrArray of IpaGatherer* */

  const IpaCmdSect *root_startup, *root_shutdown;

  guint generation;
  gint64 now_wall, now_mono;
  gint64 last_wall, last_mono;  /* of the previous dispatch */
  gint64 next_day;              /* wall: next local midnight */
  gint64 last_round_wall;
  gint64 frozen_until;          /* mono; 0 when not frozen */
  gboolean started;
  gboolean stopped;
  gboolean in_round;
  gboolean in_batch;
  IpaEngineAc *in_get_stat;
  const char *current_owner;    /* memfunc owner last set */
  GPtrArray *deleted;           /* IpaRule* deleted in this round */
  IpaEngineSnapshot *snapshot;
  guint exec_serial;
  gint64 stall_usec;
  guint32 only_dbs;             /* resends: only these databases (bits); 0 = all */
};

/* ipa-engine-build.c */
gboolean ipa_engine_build (IpaEngine *engine, GError **error);
const IpaRuleParams *ipa_engine_intern_params (IpaEngine *engine,
                                               const IpaConfRuleParams *params,
                                               GError **error);
gboolean ipa_engine_build_rule_entities (IpaEngine *engine, IpaRule *rule,
                                         GPtrArray *conf_limits,
                                         GPtrArray *conf_thresholds,
                                         GError **error);
gboolean ipa_engine_autorule_defs (IpaEngine *engine, IpaAutorule *autorule,
                                   GError **error);
void ipa_engine_group_add (IpaEngine *engine, IpaRule *rule);
void ipa_engine_group_remove (IpaEngine *engine, IpaRule *rule);
const char *ipa_engine_intern_string (IpaEngine *engine, const char *s);
void ipa_engine_gather_add_source (IpaEngine *engine, IpaRule *rule);

/* ipa-engine-modules.c: the init and deinit chains, module calls */
void ipa_engine_set_owner (IpaEngine *engine, IpaModule *module);
gboolean ipa_engine_init_chain (IpaEngine *engine, GError **error);
void ipa_engine_deinit_chain (IpaEngine *engine);
void ipa_engine_deinit_rule (IpaEngine *engine, IpaRule *rule);
gboolean ipa_engine_rule_uses_db (const IpaRule *rule, const IpaEngineDb *db);
void ipa_engine_module_error (IpaEngine *engine, IpaModule *module,
                              gint64 *last_log, const IpaRule *rule,
                              const char *format, ...) G_GNUC_PRINTF (5, 6);
void ipa_engine_rule_set_active (IpaEngine *engine, IpaRule *rule, gboolean active);
void ipa_engine_update_entity_activity (IpaEngine *engine, IpaRule *rule);

/* ipa-engine-db.c: batches and rule records */
void ipa_engine_begin_batch (IpaEngine *engine);
void ipa_engine_end_batch (IpaEngine *engine);
void ipa_engine_rule_append (IpaEngine *engine, IpaRule *rule, gint64 wall);
void ipa_engine_rule_write (IpaEngine *engine, IpaRule *rule, gint64 wall,
                            gboolean force);
void ipa_engine_db_failed (IpaEngine *engine, IpaEngineDb *db,
                           const IpaRule *rule, const char *what);
void ipa_engine_db_ok (IpaEngine *engine, IpaEngineDb *db);

/* Re-send the state of a limit/threshold to the databases that missed it. */
void ipa_engine_resend_limit (IpaEngine *engine, IpaLimit *limit);
void ipa_engine_resend_threshold (IpaEngine *engine, IpaThreshold *threshold);

/* ipa-engine-dynrule.c */
void ipa_engine_install_hooks (IpaEngine *engine);
void ipa_engine_remove_hooks (IpaEngine *engine);
IpaRule *ipa_engine_dynrule_create (IpaEngine *engine, IpaAutorule *autorule,
                                    const char *name, const char *info,
                                    gboolean from_module, GError **error);
void ipa_engine_dynrule_finish_deletes (IpaEngine *engine);
void ipa_engine_rule_free (IpaEngine *engine, IpaRule *rule);

/* ipa-engine.c */
void ipa_engine_rule_apply_chunk (IpaEngine *engine, IpaRule *rule,
                                  gboolean addition, guint64 chunk);
void ipa_engine_run_cmds_sync (IpaEngine *engine, const IpaCmdList *cmds,
                               const IpaRule *rule, const char *event);

G_END_DECLS
