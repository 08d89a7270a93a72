/*
 * fake-engine.c: the services of ipa-engine-private.h recorded for unit
 * tests (see fake-engine.h).  Dates are converted with the real local
 * calendar, as ipa-engine.c does.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake-engine.h"
#include "ipa-limit.h"
#include "ipa-threshold.h"

typedef struct {
  IpaEngineExecDone done;
  gpointer object;
} HeldCmd;

struct _IpaEngine {
  gint64 wall;              /* seconds */
  gint64 mono;              /* µs */
  GPtrArray *calls;         /* FakeCall* */
  GPtrArray *db_lists;      /* IpaDbList* made by fake_engine_db_list */
  guint32 failing;
  gboolean has_limit_state, has_threshold_state;
  struct ipa_limit_state limit_state;
  struct ipa_threshold_state threshold_state;
  gboolean has_snapshot_limit, has_snapshot_threshold;
  struct ipa_limit_state snapshot_limit;
  struct ipa_threshold_state snapshot_threshold;
  gboolean hold;
  GArray *held;             /* HeldCmd */
};

G_DEFINE_QUARK (ipa-engine-error-quark, ipa_engine_error)

static void
call_free (gpointer p)
{
  FakeCall *c = p;

  g_free (c->text);
  g_free (c->sublimit);
  g_free (c);
}

static void
db_list_free (gpointer p)
{
  IpaDbList *list = p;

  for (guint i = 0; i < list->n; i++)
    g_free (list->db[i]);
  g_free (list->db);
  g_free (list);
}

gboolean
fake_engine_use_kyiv_time (void)
{
  struct tm winter, summer;

  setenv ("TZ", "Europe/Kyiv", 1);
  tzset ();
  /* an unknown zone is UTC for glibc: check both offsets */
  ipa_clock_local (G_GINT64_CONSTANT (1704067200), &winter); /* 2024-01-01 00:00 UTC */
  ipa_clock_local (G_GINT64_CONSTANT (1719792000), &summer); /* 2024-07-01 00:00 UTC */
  return winter.tm_gmtoff == 2 * 3600 && summer.tm_gmtoff == 3 * 3600;
}

IpaEngine *
fake_engine_new (gint64 wall)
{
  IpaEngine *engine = g_new0 (IpaEngine, 1);

  engine->wall = wall;
  /* Far from 0, like the virtual clock of ipa-clock.c. */
  engine->mono = 1000 * G_USEC_PER_SEC;
  engine->calls = g_ptr_array_new_with_free_func (call_free);
  engine->db_lists = g_ptr_array_new_with_free_func (db_list_free);
  engine->held = g_array_new (FALSE, FALSE, sizeof (HeldCmd));
  return engine;
}

void
ipa_engine_free (IpaEngine *engine)
{
  if (engine == NULL)
    return;
  g_ptr_array_unref (engine->calls);
  g_ptr_array_unref (engine->db_lists);
  g_array_unref (engine->held);
  g_free (engine);
}

void
fake_engine_advance (IpaEngine *engine, gint64 seconds)
{
  g_assert_cmpint (seconds, >=, 0);
  engine->wall += seconds;
  engine->mono += seconds * G_USEC_PER_SEC;
}

void
fake_engine_set_wall (IpaEngine *engine, gint64 wall)
{
  engine->wall = wall;
}

IpaDbList *
fake_engine_db_list (IpaEngine *engine, guint n)
{
  IpaDbList *list = g_new0 (IpaDbList, 1);

  g_assert_cmpuint (n, <=, 32);
  list->n = n;
  list->db = g_new0 (IpaEngineDb *, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      list->db[i] = g_new0 (IpaEngineDb, 1);
      list->db[i]->index = i;
    }
  g_ptr_array_add (engine->db_lists, list);
  return list;
}

void
fake_engine_set_failing (IpaEngine *engine, guint32 mask)
{
  engine->failing = mask;
}

void
fake_engine_set_db_limit_state (IpaEngine *engine, const struct ipa_limit_state *state)
{
  engine->has_limit_state = state != NULL;
  if (state != NULL)
    engine->limit_state = *state;
}

void
fake_engine_set_db_threshold_state (IpaEngine *engine, const struct ipa_threshold_state *state)
{
  engine->has_threshold_state = state != NULL;
  if (state != NULL)
    engine->threshold_state = *state;
}

void
fake_engine_set_snapshot_limit (IpaEngine *engine, const struct ipa_limit_state *state)
{
  engine->has_snapshot_limit = state != NULL;
  if (state != NULL)
    engine->snapshot_limit = *state;
}

void
fake_engine_set_snapshot_threshold (IpaEngine *engine, const struct ipa_threshold_state *state)
{
  engine->has_snapshot_threshold = state != NULL;
  if (state != NULL)
    engine->snapshot_threshold = *state;
}

void
fake_engine_hold_cmds (IpaEngine *engine, gboolean hold)
{
  engine->hold = hold;
}

static FakeCall *
record (IpaEngine *engine, FakeCallKind kind)
{
  FakeCall *c = g_new0 (FakeCall, 1);

  c->kind = kind;
  c->now_wall = engine->wall;
  g_ptr_array_add (engine->calls, c);
  return c;
}

static void
call_done (IpaEngine *engine, IpaEngineExecDone done, gpointer object)
{
  FakeCall *c = record (engine, FAKE_EXEC_DONE);

  c->wall = engine->wall;
  done (engine, object, engine->wall, 0);
}

void
fake_engine_finish_cmds (IpaEngine *engine)
{
  /* Callbacks may queue more commands: take the list first. */
  while (engine->held->len > 0)
    {
      HeldCmd h = g_array_index (engine->held, HeldCmd, 0);

      g_array_remove_index (engine->held, 0);
      call_done (engine, h.done, h.object);
    }
}

guint
fake_engine_n_held (IpaEngine *engine)
{
  return engine->held->len;
}

guint
fake_engine_n_calls (IpaEngine *engine)
{
  return engine->calls->len;
}

const FakeCall *
fake_engine_call (IpaEngine *engine, guint i)
{
  g_assert_cmpuint (i, <, engine->calls->len);
  return g_ptr_array_index (engine->calls, i);
}

void
fake_engine_clear_calls (IpaEngine *engine)
{
  g_ptr_array_set_size (engine->calls, 0);
}

static gboolean
matches (const FakeCall *c, FakeCallKind kind, guint event)
{
  return c->kind == kind && (event == G_MAXUINT || c->event == event);
}

guint
fake_engine_count (IpaEngine *engine, FakeCallKind kind, guint event)
{
  guint n = 0;

  for (guint i = 0; i < engine->calls->len; i++)
    if (matches (g_ptr_array_index (engine->calls, i), kind, event))
      n++;
  return n;
}

int
fake_engine_index (IpaEngine *engine, FakeCallKind kind, guint event)
{
  for (guint i = 0; i < engine->calls->len; i++)
    if (matches (g_ptr_array_index (engine->calls, i), kind, event))
      return (int) i;
  return -1;
}

const FakeCall *
fake_engine_find (IpaEngine *engine, FakeCallKind kind, guint event)
{
  int i = fake_engine_index (engine, kind, event);

  return i < 0 ? NULL : g_ptr_array_index (engine->calls, i);
}

char *
fake_engine_dump (IpaEngine *engine)
{
  static const char *const names[] = {
    "db_get_limit_state", "db_set_limit_state", "db_update_limit", "db_limit_event",
    "db_get_threshold_state", "db_set_threshold_state", "db_update_threshold",
    "ac_limit_event", "ac_threshold_event", "ac_set_limit_active", "ac_set_threshold_active",
    "db_set_limit_active", "db_set_threshold_active", "run_limit_cmds", "run_threshold_cmds",
    "exec_done", "emit", "snapshot_limit", "snapshot_threshold",
  };
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < engine->calls->len; i++)
    {
      const FakeCall *c = g_ptr_array_index (engine->calls, i);

      g_string_append_printf (s, "%u %s at %" G_GINT64_FORMAT ": event %u wall %" G_GINT64_FORMAT
                              " flag %d cnt %" G_GUINT64_FORMAT " %s%s%s\n",
                              i, names[c->kind], c->now_wall, c->event, c->wall, c->flag,
                              c->cnt, c->text != NULL ? c->text : "",
                              c->sublimit != NULL ? " sublimit " : "",
                              c->sublimit != NULL ? c->sublimit : "");
    }
  return g_string_free (s, FALSE);
}

/* ---- The services ---------------------------------------------------- */

gint64
ipa_engine_now_wall (IpaEngine *engine)
{
  return engine->wall;
}

gint64
ipa_engine_now_mono (IpaEngine *engine)
{
  return engine->mono;
}

void
ipa_engine_tm_from_wall (gint64 wall, ipa_tm *out)
{
  struct tm tm;

  ipa_clock_local (wall, &tm);
  memset (out, 0, sizeof *out);
  out->tm_year = tm.tm_year + 1900;
  out->tm_mon = tm.tm_mon + 1;
  out->tm_mday = tm.tm_mday;
  out->tm_hour = tm.tm_hour;
  out->tm_min = tm.tm_min;
  out->tm_sec = tm.tm_sec;
  out->tm_wday = tm.tm_wday;
}

gint64
ipa_engine_wall_from_tm (const ipa_tm *in)
{
  struct tm tm;

  memset (&tm, 0, sizeof tm);
  tm.tm_year = in->tm_year - 1900;
  tm.tm_mon = in->tm_mon - 1;
  tm.tm_mday = in->tm_mday;
  tm.tm_hour = in->tm_hour;
  tm.tm_min = in->tm_min;
  tm.tm_sec = in->tm_sec;
  tm.tm_isdst = -1;
  return ipa_clock_from_local (&tm);
}

/* The fan-out over @list: failing databases get their bit in @pending. */
static guint32
fan_out (IpaEngine *engine, const IpaDbList *list, guint32 *pending)
{
  guint32 failed = 0;

  for (guint i = 0; list != NULL && i < list->n; i++)
    {
      guint32 bit = 1U << list->db[i]->index;

      if (engine->failing & bit)
        failed |= bit;
    }
  *pending |= failed;
  return failed;
}

gboolean
ipa_engine_db_get_limit_state (IpaEngine *engine, IpaLimit *limit, struct ipa_limit_state *state)
{
  record (engine, FAKE_DB_GET_LIMIT_STATE);
  if (!engine->has_limit_state)
    return FALSE;
  *state = engine->limit_state;
  return TRUE;
}

void
ipa_engine_db_set_limit_state (IpaEngine *engine, IpaLimit *limit, gboolean new_state)
{
  FakeCall *c = record (engine, FAKE_DB_SET_LIMIT_STATE);

  c->flag = new_state;
  ipa_limit_get_state (limit, &c->limit_state);
  c->cnt = limit->cnt;
  c->failed_dbs = fan_out (engine, limit->def->db, &limit->db_pending);
}

void
ipa_engine_db_update_limit (IpaEngine *engine, IpaLimit *limit)
{
  FakeCall *c = record (engine, FAKE_DB_UPDATE_LIMIT);

  c->cnt = limit->cnt;
  c->failed_dbs = fan_out (engine, limit->def->db, &limit->db_pending);
}

void
ipa_engine_db_limit_event (IpaEngine *engine, IpaLimit *limit, guint event, gint64 event_wall)
{
  FakeCall *c = record (engine, FAKE_DB_LIMIT_EVENT);

  c->event = event;
  c->wall = event_wall;
  c->cnt = limit->cnt;
  c->failed_dbs = fan_out (engine, limit->def->db, &limit->db_pending);
}

gboolean
ipa_engine_db_get_threshold_state (IpaEngine *engine, IpaThreshold *threshold,
                                   struct ipa_threshold_state *state)
{
  record (engine, FAKE_DB_GET_THRESHOLD_STATE);
  if (!engine->has_threshold_state)
    return FALSE;
  *state = engine->threshold_state;
  return TRUE;
}

void
ipa_engine_db_set_threshold_state (IpaEngine *engine, IpaThreshold *threshold)
{
  FakeCall *c = record (engine, FAKE_DB_SET_THRESHOLD_STATE);

  ipa_threshold_get_state (threshold, &c->threshold_state);
  c->cnt = threshold->cnt;
  c->failed_dbs = fan_out (engine, threshold->def->db, &threshold->db_pending);
}

void
ipa_engine_db_update_threshold (IpaEngine *engine, IpaThreshold *threshold)
{
  FakeCall *c = record (engine, FAKE_DB_UPDATE_THRESHOLD);

  ipa_threshold_get_state (threshold, &c->threshold_state);
  c->cnt = threshold->cnt;
  c->failed_dbs = fan_out (engine, threshold->def->db, &threshold->db_pending);
}

void
ipa_engine_ac_limit_event (IpaEngine *engine, IpaLimit *limit, guint event)
{
  record (engine, FAKE_AC_LIMIT_EVENT)->event = event;
}

void
ipa_engine_ac_threshold_event (IpaEngine *engine, IpaThreshold *threshold, guint event)
{
  record (engine, FAKE_AC_THRESHOLD_EVENT)->event = event;
}

void
ipa_engine_ac_set_limit_active (IpaEngine *engine, IpaLimit *limit, gboolean active)
{
  record (engine, FAKE_AC_SET_LIMIT_ACTIVE)->flag = active;
}

void
ipa_engine_ac_set_threshold_active (IpaEngine *engine, IpaThreshold *threshold, gboolean active)
{
  record (engine, FAKE_AC_SET_THRESHOLD_ACTIVE)->flag = active;
}

void
ipa_engine_db_set_limit_active (IpaEngine *engine, IpaLimit *limit, gboolean active)
{
  record (engine, FAKE_DB_SET_LIMIT_ACTIVE)->flag = active;
}

void
ipa_engine_db_set_threshold_active (IpaEngine *engine, IpaThreshold *threshold, gboolean active)
{
  record (engine, FAKE_DB_SET_THRESHOLD_ACTIVE)->flag = active;
}

static void
run_cmds (IpaEngine *engine, FakeCall *c, gpointer object, IpaEngineExecDone done)
{
  c->done = done != NULL;
  if (done == NULL)
    return;
  if (engine->hold)
    {
      HeldCmd h = { done, object };

      g_array_append_val (engine->held, h);
    }
  else
    call_done (engine, done, object);
}

void
ipa_engine_run_limit_cmds (IpaEngine *engine, IpaLimit *limit, const char *sublimit,
                           const IpaCmdList *cmds, const char *event, gboolean sync,
                           IpaEngineExecDone done)
{
  FakeCall *c = record (engine, FAKE_RUN_LIMIT_CMDS);

  c->sublimit = g_strdup (sublimit);
  c->cmds = cmds;
  c->text = g_strdup (event);
  c->flag = sync;
  /* Synchronous lists are finished when the call returns. */
  if (sync && done != NULL)
    {
      c->done = TRUE;
      call_done (engine, done, limit);
      return;
    }
  run_cmds (engine, c, limit, done);
}

void
ipa_engine_run_threshold_cmds (IpaEngine *engine, IpaThreshold *threshold,
                               const IpaCmdList *cmds, const char *event,
                               IpaEngineExecDone done)
{
  FakeCall *c = record (engine, FAKE_RUN_THRESHOLD_CMDS);

  c->cmds = cmds;
  c->text = g_strdup (event);
  run_cmds (engine, c, threshold, done);
}

void
ipa_engine_emit (IpaEngine *engine, IpaEngineEventType type, int priority,
                 const IpaRule *rule, const IpaLimit *limit,
                 const IpaThreshold *threshold, const char *sublimit,
                 const char *format, ...)
{
  FakeCall *c = record (engine, FAKE_EMIT);
  va_list ap;

  c->event = type;
  c->priority = priority;
  c->sublimit = g_strdup (sublimit);
  va_start (ap, format);
  c->text = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (g_test_verbose ())
    g_test_message ("emit %d: %s", (int) type, c->text);
}

const struct ipa_limit_state *
ipa_engine_snapshot_limit (IpaEngine *engine, const IpaLimit *limit)
{
  record (engine, FAKE_SNAPSHOT_LIMIT);
  return engine->has_snapshot_limit ? &engine->snapshot_limit : NULL;
}

const struct ipa_threshold_state *
ipa_engine_snapshot_threshold (IpaEngine *engine, const IpaThreshold *threshold)
{
  record (engine, FAKE_SNAPSHOT_THRESHOLD);
  return engine->has_snapshot_threshold ? &engine->snapshot_threshold : NULL;
}

/* Public getters of ipa-engine.h that the fake's records use; the real
 * ones in ipa-engine.c are expected to do the same. */
void
ipa_limit_get_state (const IpaLimit *limit, struct ipa_limit_state *state)
{
  ipa_limit_to_state (limit, state);
}

void
ipa_threshold_get_state (const IpaThreshold *threshold, struct ipa_threshold_state *state)
{
  ipa_threshold_to_state (threshold, state);
}
