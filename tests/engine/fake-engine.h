/*
 * fake-engine.h: the services of ipa-engine-private.h without an engine,
 * for unit tests of ipa-limit.c and ipa-threshold.c.
 *
 * Every service call is recorded (FakeCall) in order; the clock is set by
 * the test; "databases" are IpaEngineDb entries of which a mask fails
 * every write; the get functions return a state the test sets; commands
 * finish at once, or when the test says when it holds them.
 */
#pragma once

#include "ipa-engine-private.h"

G_BEGIN_DECLS

typedef enum {
  FAKE_DB_GET_LIMIT_STATE,
  FAKE_DB_SET_LIMIT_STATE,
  FAKE_DB_UPDATE_LIMIT,
  FAKE_DB_LIMIT_EVENT,
  FAKE_DB_GET_THRESHOLD_STATE,
  FAKE_DB_SET_THRESHOLD_STATE,
  FAKE_DB_UPDATE_THRESHOLD,
  FAKE_AC_LIMIT_EVENT,
  FAKE_AC_THRESHOLD_EVENT,
  FAKE_AC_SET_LIMIT_ACTIVE,
  FAKE_AC_SET_THRESHOLD_ACTIVE,
  FAKE_DB_SET_LIMIT_ACTIVE,
  FAKE_DB_SET_THRESHOLD_ACTIVE,
  FAKE_RUN_LIMIT_CMDS,
  FAKE_RUN_THRESHOLD_CMDS,
  FAKE_EXEC_DONE,           /* a done callback was called */
  FAKE_EMIT,
  FAKE_SNAPSHOT_LIMIT,
  FAKE_SNAPSHOT_THRESHOLD,
} FakeCallKind;

typedef struct {
  FakeCallKind kind;
  gint64 now_wall;          /* the fake's wall clock at the call */
  guint event;              /* limit/threshold event; emit: IpaEngineEventType */
  gint64 wall;              /* db_limit_event: event date; EXEC_DONE: done time */
  gboolean flag;            /* new_state, sync, active */
  int priority;             /* emit */
  char *text;               /* emit: message; run: event name */
  char *sublimit;           /* emit, run_limit_cmds */
  const IpaCmdList *cmds;   /* run */
  gboolean done;            /* run: a done callback was given */
  guint32 failed_dbs;       /* db writes: the databases that failed */
  guint64 cnt;              /* db writes: the counter sent */
  struct ipa_limit_state limit_state;         /* FAKE_DB_SET_LIMIT_STATE */
  struct ipa_threshold_state threshold_state; /* FAKE_DB_*_THRESHOLD* */
} FakeCall;

/* Sets TZ to Europe/Kyiv (UTC+2, summer UTC+3, DST changes on the last
 * Sundays of March and October) for the process; FALSE when the system
 * does not know the zone. */
gboolean fake_engine_use_kyiv_time (void);

/* Freed with ipa_engine_free (g_autoptr (IpaEngine) works). */
IpaEngine *fake_engine_new (gint64 wall);

/* Time: both clocks advance, or the wall clock alone is set (a step). */
void fake_engine_advance (IpaEngine *engine, gint64 seconds);
void fake_engine_set_wall (IpaEngine *engine, gint64 wall);

/* A database list of @n databases (indexes 0..n-1), owned by the engine. */
IpaDbList *fake_engine_db_list (IpaEngine *engine, guint n);
/* Databases whose writes fail from now on (bit per index). */
void fake_engine_set_failing (IpaEngine *engine, guint32 mask);

/* What db_get_limit_state / db_get_threshold_state return (NULL: none). */
void fake_engine_set_db_limit_state (IpaEngine *engine, const struct ipa_limit_state *state);
void fake_engine_set_db_threshold_state (IpaEngine *engine,
                                         const struct ipa_threshold_state *state);
void fake_engine_set_snapshot_limit (IpaEngine *engine, const struct ipa_limit_state *state);
void fake_engine_set_snapshot_threshold (IpaEngine *engine,
                                         const struct ipa_threshold_state *state);

/* Asynchronous commands: finished at once (default) or held until
 * fake_engine_finish_cmds(), which calls the done callbacks in order
 * with the wall clock of then. */
void fake_engine_hold_cmds (IpaEngine *engine, gboolean hold);
void fake_engine_finish_cmds (IpaEngine *engine);
guint fake_engine_n_held (IpaEngine *engine);

/* The recorded calls. */
guint fake_engine_n_calls (IpaEngine *engine);
const FakeCall *fake_engine_call (IpaEngine *engine, guint i);
void fake_engine_clear_calls (IpaEngine *engine);
/* Calls of @kind (and @event when it is not G_MAXUINT); the first one, or
 * NULL. */
guint fake_engine_count (IpaEngine *engine, FakeCallKind kind, guint event);
const FakeCall *fake_engine_find (IpaEngine *engine, FakeCallKind kind, guint event);
/* Index of the first such call, or -1: to check the order of calls. */
int fake_engine_index (IpaEngine *engine, FakeCallKind kind, guint event);
/* A one-line-per-call dump, for failure messages. */
char *fake_engine_dump (IpaEngine *engine);

G_END_DECLS
