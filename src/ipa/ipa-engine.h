/*
 * ipa-engine.h: the accounting engine, as the daemon and its observers
 * (journal, D-Bus) see it.
 *
 * The engine owns one configuration generation: the loaded modules, the
 * rules (static and dynamic), their limits and thresholds.  It is a state
 * machine driven from outside: ipa_engine_dispatch() does everything that
 * is due at the clock's current time and says when it wants to run again.
 * It never sleeps, never blocks on a command and knows nothing of the
 * main loop, D-Bus or the journal: observers get its events.
 */
#pragma once

#include <glib.h>
#include "ipa_mod.h"
#include "ipa-clock.h"
#include "ipa-conf.h"
#include "ipa-exec.h"
#include "ipa-module.h"

G_BEGIN_DECLS

#define IPA_ENGINE_ERROR (ipa_engine_error_quark ())
GQuark ipa_engine_error_quark (void);

typedef enum {
  IPA_ENGINE_ERROR_INIT,          /* a module's init chain failed */
  IPA_ENGINE_ERROR_NO_SUCH_RULE,
  IPA_ENGINE_ERROR_NO_SUCH_LIMIT,
  IPA_ENGINE_ERROR_NO_SUCH_THRESHOLD,
  IPA_ENGINE_ERROR_NO_SUCH_AUTORULE,
  IPA_ENGINE_ERROR_EXISTS,        /* a rule of that name exists */
  IPA_ENGINE_ERROR_NOT_DYNAMIC,   /* only dynamic rules can be deleted */
  IPA_ENGINE_ERROR_INVALID,       /* bad name or value */
  IPA_ENGINE_ERROR_STATE,         /* e.g. expire of a limit that is not reached */
  IPA_ENGINE_ERROR_MODULE,        /* a module refused */
} IpaEngineErrorCode;

typedef struct _IpaEngine IpaEngine;
typedef struct _IpaRule IpaRule;
typedef struct _IpaLimit IpaLimit;
typedef struct _IpaThreshold IpaThreshold;

/* Events observers receive.  Each has a fixed MESSAGE_ID in the journal
 * (see ipa-journal.c and data/ipa.catalog). */
typedef enum {
  IPA_ENGINE_EVENT_MESSAGE,          /* any other message of the engine */
  IPA_ENGINE_EVENT_STARTED,          /* init chain done, accounting runs */
  IPA_ENGINE_EVENT_STOPPED,
  IPA_ENGINE_EVENT_ROUND,            /* an update round finished (no log) */
  IPA_ENGINE_EVENT_RULE_CREATED,     /* dynamic rule */
  IPA_ENGINE_EVENT_RULE_DELETED,
  IPA_ENGINE_EVENT_RULE_ACTIVE,      /* worktime: became active / inactive */
  IPA_ENGINE_EVENT_RULE_INACTIVE,
  IPA_ENGINE_EVENT_LIMIT_RESTARTED,
  IPA_ENGINE_EVENT_LIMIT_REACHED,
  IPA_ENGINE_EVENT_LIMIT_EXPIRED,
  IPA_ENGINE_EVENT_SUBLIMIT_REACHED,
  IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED,
  IPA_ENGINE_EVENT_THRESHOLD_BELOW,
  IPA_ENGINE_EVENT_THRESHOLD_EQUAL,
  IPA_ENGINE_EVENT_THRESHOLD_ABOVE,
  IPA_ENGINE_EVENT_MODULE_ERROR,     /* a module returned -1 or misbehaved */
  IPA_ENGINE_EVENT_MODULE_STALL,     /* a module call took too long */
  IPA_ENGINE_EVENT_DB_ERROR,         /* a database write failed; kept in memory */
  IPA_ENGINE_EVENT_DB_RECOVERED,     /* pending writes reached the database */
  IPA_ENGINE_EVENT_TIME_JUMP,        /* the wall clock stepped */
  IPA_ENGINE_EVENT_COUNTER_CHANGED,  /* counter/value changed by a control call */
} IpaEngineEventType;

typedef struct {
  IpaEngineEventType type;
  int priority;               /* LOG_ERR … LOG_DEBUG */
  gint64 wall;                /* when (seconds since the epoch) */
  const IpaRule *rule;        /* NULL when not about a rule */
  const IpaLimit *limit;
  const IpaThreshold *threshold;
  const char *sublimit;       /* sublimit name (its argument as written) */
  const char *module;         /* module name ("db:gdbm"), for module events */
  const char *message;        /* human text, complete sentence, translated */
} IpaEngineEvent;

typedef void (*IpaEngineObserver) (IpaEngine *engine,
                                   const IpaEngineEvent *event,
                                   gpointer user_data);

typedef enum {
  IPA_ENGINE_START_NONE = 0,
  /* A real process start (not a reload): run the startup sections and send
   * STARTUP_IF_[NOT_]REACHED limit events. */
  IPA_ENGINE_START_STARTUP = 1 << 0,
} IpaEngineStartFlags;

typedef enum {
  IPA_ENGINE_STOP_NONE = 0,
  /* A real process stop: SHUTDOWN_IF_* events and the shutdown sections. */
  IPA_ENGINE_STOP_SHUTDOWN = 1 << 0,
} IpaEngineStopFlags;

/* What a reload carries from one engine to the next (limit and threshold
 * states, for databases that do not keep them, e.g. null). */
typedef struct _IpaEngineSnapshot IpaEngineSnapshot;

IpaEngine *ipa_engine_new (IpaClock *clock, IpaExecRunner *runner);
void ipa_engine_free (IpaEngine *engine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaEngine, ipa_engine_free)

guint ipa_engine_add_observer (IpaEngine *engine,
                               IpaEngineObserver observer,
                               gpointer user_data);
void ipa_engine_remove_observer (IpaEngine *engine, guint id);

/* Take @conf and @modules (loaded and parsed by ipa_conf_load), run the
 * init chain of ipa_mod(3), load limit and threshold states (from the
 * databases, else from @snapshot), append the first records.  On failure
 * the deinit chain has run, the modules are unloaded and @conf freed. */
gboolean ipa_engine_start (IpaEngine *engine,
                           IpaConf *conf,
                           IpaModuleSet *modules,
                           IpaEngineSnapshot *snapshot,
                           IpaEngineStartFlags flags,
                           GError **error);

/* Everything due at the clock's current time: update rounds, new records,
 * worktime changes, limit restarts/expiries, threshold checks.  Returns the
 * monotonic time (µs, as ipa_clock_get_monotonic) at which it wants to be
 * called again. */
gint64 ipa_engine_dispatch (IpaEngine *engine);

/* Collect and write everything now (ipactl dump, and before stop). */
void ipa_engine_flush (IpaEngine *engine);

/* Limit and threshold states, for the next engine of a reload. */
IpaEngineSnapshot *ipa_engine_take_snapshot (IpaEngine *engine);
void ipa_engine_snapshot_free (IpaEngineSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaEngineSnapshot, ipa_engine_snapshot_free)

/* Flush, (shutdown sections), deinit chain, leak report, unload modules. */
void ipa_engine_stop (IpaEngine *engine, IpaEngineStopFlags flags);

/* A module call longer than @usec counts as a stall (default 1 s); for
 * tests. */
void ipa_engine_set_stall_limit (IpaEngine *engine, gint64 usec);

/* Accounting paused (ipactl freeze) until @until_wall; 0 resumes. */
void ipa_engine_freeze (IpaEngine *engine, gint64 seconds);
gboolean ipa_engine_is_frozen (IpaEngine *engine);

/* ---- Reading the state (observers, D-Bus, sd_notify STATUS) ---- */

const IpaConf *ipa_engine_get_conf (IpaEngine *engine);
IpaClock *ipa_engine_get_clock (IpaEngine *engine);
guint ipa_engine_get_n_rules (IpaEngine *engine);
/* Wall time of the last finished update round, 0 before the first. */
gint64 ipa_engine_get_last_round (IpaEngine *engine);
/* Static rules in configuration order, then dynamic rules by ruleno. */
void ipa_engine_foreach_rule (IpaEngine *engine,
                              void (*func) (IpaRule *rule, gpointer user_data),
                              gpointer user_data);
IpaRule *ipa_engine_lookup_rule (IpaEngine *engine, const char *name);

const char *ipa_rule_get_name (const IpaRule *rule);
const char *ipa_rule_get_info (const IpaRule *rule);           /* may be NULL */
const char *ipa_rule_get_autorule (const IpaRule *rule);       /* NULL for static */
guint ipa_rule_get_number (const IpaRule *rule);               /* ruleno */
gboolean ipa_rule_is_active (const IpaRule *rule);
gboolean ipa_rule_is_dynamic (const IpaRule *rule);
/* ctl_rule_acl: names of ctl_acl_class classes (see the IpaConf), or NULL. */
const char *const *ipa_rule_get_acl (const IpaRule *rule);
/* update_time in seconds. */
guint64 ipa_rule_get_update_time (const IpaRule *rule);
/* Counter of the current record. */
guint64 ipa_rule_get_counter (const IpaRule *rule);
/* Wall time the current record started. */
gint64 ipa_rule_get_record_start (const IpaRule *rule);
guint ipa_rule_get_n_limits (const IpaRule *rule);
IpaLimit *ipa_rule_get_limit (const IpaRule *rule, guint i);
IpaLimit *ipa_rule_lookup_limit (const IpaRule *rule, const char *name);
guint ipa_rule_get_n_thresholds (const IpaRule *rule);
IpaThreshold *ipa_rule_get_threshold (const IpaRule *rule, guint i);
IpaThreshold *ipa_rule_lookup_threshold (const IpaRule *rule, const char *name);

const char *ipa_limit_get_name (const IpaLimit *limit);
IpaRule *ipa_limit_get_rule (const IpaLimit *limit);
gboolean ipa_limit_is_active (const IpaLimit *limit);
gboolean ipa_limit_is_reached (const IpaLimit *limit);
/* The state as ipa_mod(3) describes it (dates in ipa_tm, local). */
void ipa_limit_get_state (const IpaLimit *limit, struct ipa_limit_state *state);

const char *ipa_threshold_get_name (const IpaThreshold *threshold);
IpaRule *ipa_threshold_get_rule (const IpaThreshold *threshold);
gboolean ipa_threshold_is_active (const IpaThreshold *threshold);
/* IPA_THRESHOLD_EVENT_BELOW/_EQUAL/_ABOVE, or -1 before the first check. */
int ipa_threshold_get_position (const IpaThreshold *threshold);
void ipa_threshold_get_state (const IpaThreshold *threshold,
                              struct ipa_threshold_state *state);

/* ---- Control (ipactl) ---- */

typedef enum {
  IPA_ENGINE_SET_ASSIGN,    /* VALUE */
  IPA_ENGINE_SET_ADD,       /* +VALUE */
  IPA_ENGINE_SET_SUBTRACT,  /* -VALUE */
} IpaEngineSetOp;

/* ipactl -r R set [+|-]V: the rule counter, and by the same amount the
 * counters of its active limits and thresholds (checked at the next
 * regular update).  Only + and - are allowed for rules. */
gboolean ipa_engine_rule_set_counter (IpaEngine *engine, IpaRule *rule,
                                      IpaEngineSetOp op, guint64 value,
                                      GError **error);
gboolean ipa_engine_limit_set (IpaEngine *engine, IpaLimit *limit,
                               gboolean counter, IpaEngineSetOp op,
                               guint64 value, GError **error);
gboolean ipa_engine_limit_restart (IpaEngine *engine, IpaLimit *limit,
                                   GError **error);
gboolean ipa_engine_limit_expire (IpaEngine *engine, IpaLimit *limit,
                                  GError **error);
gboolean ipa_engine_threshold_set (IpaEngine *engine, IpaThreshold *threshold,
                                   gboolean counter, IpaEngineSetOp op,
                                   guint64 value, GError **error);
/* ipactl -a A -r R create / -r R delete. */
IpaRule *ipa_engine_create_rule (IpaEngine *engine, const char *autorule,
                                 const char *name, const char *info,
                                 GError **error);
gboolean ipa_engine_delete_rule (IpaEngine *engine, IpaRule *rule,
                                 GError **error);

G_END_DECLS
