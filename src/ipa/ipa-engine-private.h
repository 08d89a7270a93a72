/*
 * ipa-engine-private.h: the engine's data structures, shared by
 * ipa-engine.c (rules, modules, rounds, time), ipa-limit.c and
 * ipa-threshold.c.  Not for observers.
 *
 * Memory: the daemon must hold 100,000 rules with a limit and a threshold
 * each in well under 1 KiB per rule, so what every rule shares (parameters,
 * limit and threshold definitions, command lists) is interned once, and a
 * rule, limit or threshold holds only its own state.
 *
 * Times: "wall" values are seconds since the epoch (the calendar, local
 * time); "mono" values are microseconds of the monotonic clock.
 */
#pragma once

#include <syslog.h>

#include "ipa-engine.h"
#include "ipa-log.h"

G_BEGIN_DECLS

/* A list of commands of one section (reach, expire, if_reached, …),
 * shared.  n == 0 when the section is absent or has no exec. */
typedef struct {
  guint n;
  IpaExecCommand *commands; /* strings owned by the engine's string pool */
} IpaCmdList;

typedef struct {
  IpaCmdList cmds;
  IpaCmdList if_reached, if_not_reached;
  IpaCmdList if_all_reached, if_any_reached;
  IpaCmdList if_all_not_reached, if_any_not_reached;
} IpaCmdSect;

typedef struct {
  const char *name;         /* the argument as written ("90%", "1G") */
  gboolean per_cent;
  guint64 value;            /* absolute, or 0..100 when per_cent */
  IpaCmdList reach;
  IpaCmdList expire;
  gboolean has_expire_point;
  IpaTimePoint expire_point;
} IpaSublimitDef;

/* Limit definition, shared by every rule whose limit has equal settings
 * (e.g. all rules matching one rulepat). */
typedef struct {
  const char *name;
  guint no;                 /* limitno (INV-42) */
  const char *info;         /* may be NULL */
  guint64 lim;              /* the limit parameter */
  guint64 kind;             /* IPA_CONF_TYPE_BYTES/_TIME/_UINT64 */
  gboolean load_limit;
  gboolean has_restart_point, has_expire_point;
  IpaTimePoint restart_point, expire_point;
  IpaCmdList restart, reach, expire;
  IpaCmdSect startup, shutdown;
  guint n_sublimits;        /* at most 32 */
  IpaSublimitDef *sublimits;
  struct _IpaWorktimeState *worktime; /* NULL: the rule's */
  struct _IpaDbList *db;    /* never NULL (may be the empty null list) */
  guint debug_limit, debug_limit_init, debug_exec;
} IpaLimitDef;

typedef struct {
  const char *name;
  guint no;
  const char *info;
  guint64 thr;
  guint64 kind;
  gboolean dev_per_cent;
  guint64 deviation;        /* absolute, or 0..100 when dev_per_cent */
  guint64 time_width;       /* seconds */
  guint64 time_slice;       /* seconds, divides time_width */
  guint type;               /* bit 0: do not restore from db; bit 1: keep window on value change */
  guint32 balance[3];       /* below, equal, above: N, or IPA_CONF_BALANCE_ONCE */
  gboolean load_threshold;
  IpaCmdList below, equal, above;
  struct _IpaWorktimeState *worktime;
  struct _IpaDbList *db;
  guint debug_threshold, debug_threshold_init, debug_exec;
} IpaThresholdDef;

/* A database module as the engine drives it. */
typedef struct {
  IpaModule *module;
  struct ipa_db_mod *db;
  guint index;              /* bit of IpaDbList masks */
  gboolean in_batch;
  gboolean batch_failed;    /* db_begin_batch/end_batch returned -1 */
  gboolean failing;         /* last call failed; for DB_RECOVERED */
  gint64 last_error_log;    /* wall; errors are logged at most once a minute */
} IpaEngineDb;

/* An interned list of databases (db_list). */
typedef struct _IpaDbList {
  guint n;
  IpaEngineDb **db;         /* n == 0: null */
} IpaDbList;

typedef struct {
  IpaModule *module;
  struct ipa_ac_mod *ac;
  guint index;
  gboolean in_get_stat;
  gboolean get_stat_failed;  /* this round: skip its get_rule_stat calls */
  guint n_stalls;            /* consecutive slow rounds */
  gint64 suspended_until;    /* mono; 0 when not suspended */
  gint64 suspend_backoff;    /* µs */
  gboolean failing;
  gint64 last_error_log;
} IpaEngineAc;

/* An interned worktime with its current state. */
typedef struct _IpaWorktimeState {
  IpaWorktime *worktime;    /* never NULL */
  gboolean active;
  gint64 next_change;       /* wall; G_MAXINT64 if it never changes */
} IpaWorktimeState;

/* Interned effective parameters of rules (update_time, append_time,
 * worktime, ac_list, db_list, debug levels, ctl_rule_acl). */
typedef struct {
  guint64 update_time;      /* seconds */
  guint64 append_time;      /* seconds */
  IpaWorktimeState *worktime; /* NULL: always */
  guint n_ac;
  IpaEngineAc **ac;         /* n_ac == 0: null */
  IpaDbList *db;
  guint debug_exec, debug_limit, debug_limit_init, debug_threshold, debug_threshold_init;
  char **ctl_rule_acl;      /* NULL-terminated class names, or NULL */
  struct _IpaUpdateGroup *group;
  gint64 next_append;       /* wall: the next append_time point */
} IpaRuleParams;

/* Bits of IpaLimit.date_set / dates[] are those of ipa_limit_state
 * (IPA_LIMIT_EVENT_START … _UPDATED). */
struct _IpaLimit {
  const IpaLimitDef *def;
  IpaRule *rule;
  guint64 lim;
  guint64 cnt;
  gint64 dates[IPA_LIMIT_EVENT_NUM]; /* wall */
  guint16 date_set;
  guint8 active : 1;
  guint8 reached : 1;
  guint8 dirty : 1;          /* db_update_limit due */
  guint8 state_new : 1;      /* db_set_limit_state(…, 1) due (a failed write is retried) */
  guint32 sub_reached;       /* bit i: sublimit i reached */
  guint32 sub_expired;       /* bit i: its expire commands ran */
  guint32 db_pending;        /* bit per IpaEngineDb.index: a write failed, state to be re-sent */
  guint exec_serial;         /* identifies this limit to pending exec callbacks */
};

struct _IpaThreshold {
  const IpaThresholdDef *def;
  IpaRule *rule;
  guint64 thr;
  guint64 cnt;               /* sum of slices */
  gint64 tm_from, tm_updated; /* wall */
  guint64 *slices;           /* def->time_width / def->time_slice of them */
  guint16 cur_slice;
  gint64 slice_end;          /* mono: end of the current slice */
  gint64 filled_at;          /* mono: the window is full from then on (0: restored = full) */
  gint8 position;            /* -1 unknown, else IPA_THRESHOLD_EVENT_* */
  guint8 active : 1;
  guint8 dirty : 1;
  guint8 slices_pooled : 1;  /* slices belong to the engine's pool */
  guint32 same_checks;       /* consecutive checks in the current position */
  guint32 db_pending;
  guint exec_serial;
};

struct _IpaRule {
  char *name;
  guint ruleno;
  gint autoruleno;           /* -1: static */
  const char *autorule;      /* its name; NULL: static */
  const IpaRuleParams *params;
  const char *info;          /* may be NULL */
  guint64 cnt;               /* counter of the current record */
  guint64 debt;              /* negative statistics not yet taken off (1.x) */
  gint64 record_start;       /* wall */
  guint group_index;         /* in its update group */
  guint8 active : 1;
  guint8 newstat : 1;        /* next ac_get_rule_stat gets newstat = 1 */
  guint8 dirty : 1;          /* db_update_rule due */
  guint8 deleted : 1;        /* ac_delete_rule: deinit after the round */
  guint8 dynamic : 1;
  guint8 gatherer : 1;       /* ac_gather_add/sub: summed after the others */
  guint32 append_pending;    /* bit per db: db_append_rule due (before any update) */
  guint32 db_pending;        /* bit per db: a write failed; re-sent at the next round */
  guint n_limits, n_thresholds;
  IpaLimit *limits;
  IpaThreshold *thresholds;
  const IpaCmdSect *startup, *shutdown; /* NULL when absent */
};

/* Rules sharing one update_time are read in one round. */
typedef struct _IpaUpdateGroup {
  guint64 update_time;
  gint64 next_round;         /* mono */
  GPtrArray *rules;          /* IpaRule*, unowned */
} IpaUpdateGroup;

/* ---- Services of ipa-engine.c for ipa-limit.c and ipa-threshold.c ---- */

/* Current time as the engine's last dispatch saw it. */
gint64 ipa_engine_now_wall (IpaEngine *engine);
gint64 ipa_engine_now_mono (IpaEngine *engine);

/* Local date of @wall as ipa_mod(3) wants it (real year, month 1..12;
 * only the seven meaningful fields set, the rest 0). */
void ipa_engine_tm_from_wall (gint64 wall, ipa_tm *out);
/* The reverse (tm_isdst -1: mktime decides). */
gint64 ipa_engine_wall_from_tm (const ipa_tm *tm);

/* Database fan-out over limit->def->db / threshold->def->db, inside a
 * batch.  A failing database is logged (DB_ERROR, rate-limited) and its bit
 * set in ->db_pending; the caller keeps the state and the engine re-sends
 * it later with ipa_limit_resend / ipa_threshold_resend.  The get functions
 * return TRUE and fill @state from the first database that has one. */
gboolean ipa_engine_db_get_limit_state (IpaEngine *engine, IpaLimit *limit,
                                        struct ipa_limit_state *state);
void ipa_engine_db_set_limit_state (IpaEngine *engine, IpaLimit *limit,
                                    gboolean new_state);
void ipa_engine_db_update_limit (IpaEngine *engine, IpaLimit *limit);
void ipa_engine_db_limit_event (IpaEngine *engine, IpaLimit *limit,
                                guint event, gint64 event_wall);
gboolean ipa_engine_db_get_threshold_state (IpaEngine *engine,
                                            IpaThreshold *threshold,
                                            struct ipa_threshold_state *state);
void ipa_engine_db_set_threshold_state (IpaEngine *engine, IpaThreshold *threshold);
void ipa_engine_db_update_threshold (IpaEngine *engine, IpaThreshold *threshold);

/* ac_limit_event / ac_threshold_event to the ac modules of the rule
 * (errors logged as MODULE_ERROR, never fatal). */
void ipa_engine_ac_limit_event (IpaEngine *engine, IpaLimit *limit, guint event);
void ipa_engine_ac_threshold_event (IpaEngine *engine, IpaThreshold *threshold,
                                    guint event);
void ipa_engine_ac_set_limit_active (IpaEngine *engine, IpaLimit *limit, gboolean active);
void ipa_engine_ac_set_threshold_active (IpaEngine *engine, IpaThreshold *threshold,
                                         gboolean active);
void ipa_engine_db_set_limit_active (IpaEngine *engine, IpaLimit *limit, gboolean active);
void ipa_engine_db_set_threshold_active (IpaEngine *engine, IpaThreshold *threshold,
                                         gboolean active);

/* Commands of a section.  Asynchronous lists are queued under the key
 * "RULE/LIMIT" (or "RULE/THRESHOLD"), so they run in event order.  @done
 * gets the wall time the list finished; it is not called if the limit or
 * threshold is gone by then (reload, dynamic rule deleted): pass its
 * exec_serial, which the engine checks.  ${rule} in commands of dynamic
 * rules is expanded here. */
typedef void (*IpaEngineExecDone) (IpaEngine *engine, gpointer object,
                                   gint64 done_wall, guint n_failed);
void ipa_engine_run_limit_cmds (IpaEngine *engine, IpaLimit *limit,
                                const char *sublimit, const IpaCmdList *cmds,
                                const char *event, gboolean sync,
                                IpaEngineExecDone done);
void ipa_engine_run_threshold_cmds (IpaEngine *engine, IpaThreshold *threshold,
                                    const IpaCmdList *cmds, const char *event,
                                    IpaEngineExecDone done);

/* Tell observers.  @format is the human message (translated by the
 * caller with _()). */
void ipa_engine_emit (IpaEngine *engine, IpaEngineEventType type, int priority,
                      const IpaRule *rule, const IpaLimit *limit,
                      const IpaThreshold *threshold, const char *sublimit,
                      const char *format, ...) G_GNUC_PRINTF (8, 9);
/* The same for events about a module: IpaEngineEvent.module is set. */
void ipa_engine_emit_module (IpaEngine *engine, IpaEngineEventType type, int priority,
                             IpaModule *module, const IpaRule *rule, const char *msg);

/* Snapshot lookups for a reload (NULL when absent). */
const struct ipa_limit_state *ipa_engine_snapshot_limit (IpaEngine *engine,
                                                         const IpaLimit *limit);
const struct ipa_threshold_state *ipa_engine_snapshot_threshold (IpaEngine *engine,
                                                                 const IpaThreshold *threshold);

G_END_DECLS
