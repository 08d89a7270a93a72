/*
 * test-threshold.c: the sliding window of ipa-threshold.c alone, driven
 * through the fake engine (fake-engine.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "ipa-threshold.h"
#include "fake-engine.h"

static IpaExecCommand cmd_below = { NULL, NULL, "below" };
static IpaExecCommand cmd_equal = { NULL, NULL, "equal" };
static IpaExecCommand cmd_above = { NULL, NULL, "above" };

#define CMDS(c) ((IpaCmdList) { 1, &(c) })
#define ANY G_MAXUINT
#define ONCE IPA_CONF_BALANCE_ONCE

/* 2024-03-15 10:00:00 in Europe/Kyiv (UTC+2) */
#define T0 G_GINT64_CONSTANT (1710489600)

typedef struct {
  IpaEngine *engine;
  IpaThresholdDef def;
  IpaRuleParams params;
  IpaRule rule;
  IpaThreshold thr;
} Fixture;

/* A threshold of @thr over 10 minutes in 1-minute slices. */
static void
fixture_init (Fixture *f, guint64 thr)
{
  memset (f, 0, sizeof *f);
  f->engine = fake_engine_new (T0);
  f->def.name = "t1";
  f->def.thr = thr;
  f->def.kind = IPA_CONF_TYPE_UINT64;
  f->def.time_width = 600;
  f->def.time_slice = 60;
  f->def.balance[0] = f->def.balance[1] = f->def.balance[2] = ONCE;
  f->def.load_threshold = TRUE;
  f->def.below = CMDS (cmd_below);
  f->def.equal = CMDS (cmd_equal);
  f->def.above = CMDS (cmd_above);
  f->def.db = fake_engine_db_list (f->engine, 1);
  f->rule.name = (char *) "r1";
  f->rule.params = &f->params;
  f->thr.def = &f->def;
  f->thr.rule = &f->rule;
}

static void
fixture_clear (Fixture *f)
{
  ipa_threshold_clear (&f->thr);
  g_assert_null (f->thr.slices);
  ipa_engine_free (f->engine);
}

static guint
count (Fixture *f, FakeCallKind kind, guint event)
{
  return fake_engine_count (f->engine, kind, event);
}

static gint64
mono (Fixture *f)
{
  return ipa_engine_now_mono (f->engine);
}

static void
round_add (Fixture *f, gboolean addition, guint64 chunk)
{
  ipa_threshold_add (f->engine, &f->thr, addition, chunk);
  ipa_threshold_check (f->engine, &f->thr);
}

static void
check (Fixture *f)
{
  ipa_threshold_check (f->engine, &f->thr);
}

/* Sets the counter and checks: the position events of that check. */
static void
set_and_check (Fixture *f, guint64 cnt)
{
  g_assert_true (ipa_threshold_set_value (f->engine, &f->thr, TRUE, IPA_ENGINE_SET_ASSIGN, cnt,
                                          NULL));
  fake_engine_clear_calls (f->engine);
  check (f);
}

/* The last position event of the recorded calls, or -1. */
static int
last_event (Fixture *f)
{
  int ev = -1;

  for (guint i = 0; i < fake_engine_n_calls (f->engine); i++)
    {
      const FakeCall *c = fake_engine_call (f->engine, i);

      if (c->kind == FAKE_AC_THRESHOLD_EVENT)
        ev = (int) c->event;
    }
  return ev;
}

static void
init_fresh (Fixture *f)
{
  ipa_threshold_init (f->engine, &f->thr);
  g_assert_true (f->thr.active);
  g_assert_cmpuint (f->thr.cnt, ==, 0);
  g_assert_cmpint (f->thr.position, ==, -1);
  g_assert_cmpuint (count (f, FAKE_DB_SET_THRESHOLD_STATE, ANY), ==, 1);
  fake_engine_clear_calls (f->engine);
}

/* ---- the window ------------------------------------------------------------ */

static void
test_window (void)
{
  Fixture f;
  gint64 m0;

  fixture_init (&f, 100);
  init_fresh (&f);
  m0 = mono (&f);
  g_assert_cmpint (ipa_threshold_next_event (&f.thr), ==, m0 + 60 * G_USEC_PER_SEC);

  round_add (&f, TRUE, 100);                  /* slice 0 */
  g_assert_cmpuint (count (&f, FAKE_DB_UPDATE_THRESHOLD, ANY), ==, 1);
  fake_engine_advance (f.engine, 300);
  round_add (&f, TRUE, 50);                   /* slice 5 */
  g_assert_cmpuint (f.thr.cnt, ==, 150);
  g_assert_cmpint (f.thr.tm_from, ==, T0);
  g_assert_cmpint (f.thr.tm_updated, ==, T0 + 300);
  g_assert_cmpint (ipa_threshold_next_event (&f.thr), ==, m0 + 360 * G_USEC_PER_SEC);

  /* the window is not full: no check yet */
  fake_engine_advance (f.engine, 299);
  check (&f);
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, ANY), ==, 0);
  g_assert_cmpuint (f.thr.cnt, ==, 150);

  /* full at width: slice 0 leaves, the first check happens */
  fake_engine_advance (f.engine, 1);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 50);
  g_assert_cmpint (f.thr.tm_from, ==, T0 + 600 - 600);
  g_assert_cmpint (f.thr.tm_updated, ==, T0 + 600);
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, IPA_THRESHOLD_EVENT_BELOW), ==, 1);
  g_assert_cmpint (f.thr.position, ==, IPA_THRESHOLD_EVENT_BELOW);

  /* slice 5 leaves at T0 + 15m */
  fake_engine_advance (f.engine, 299);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 50);
  g_assert_cmpint (f.thr.tm_from, ==, T0 + 899 - 600);
  fake_engine_advance (f.engine, 1);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  /* the change went to the databases */
  g_assert_cmpuint (fake_engine_call (f.engine, fake_engine_n_calls (f.engine) - 1)->kind, ==,
                    FAKE_DB_UPDATE_THRESHOLD);

  /* a long sleep clears everything in one step */
  round_add (&f, TRUE, 70);
  fake_engine_advance (f.engine, 7 * 86400);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  g_assert_cmpint (ipa_threshold_next_event (&f.thr), >, mono (&f));
  g_assert_cmpint (ipa_threshold_next_event (&f.thr), <=, mono (&f) + 60 * G_USEC_PER_SEC);
  fixture_clear (&f);
}

/* A chunk counted after a gap without checks goes into the slice of now. */
static void
test_add_after_gap (void)
{
  Fixture f;

  fixture_init (&f, 100);
  init_fresh (&f);
  fake_engine_advance (f.engine, 3600);
  ipa_threshold_add (f.engine, &f.thr, TRUE, 40);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 40);
  fixture_clear (&f);
}

/* The wall clock steps; the window does not move. */
static void
test_wall_jump (void)
{
  Fixture f;

  fixture_init (&f, 100);
  init_fresh (&f);
  round_add (&f, TRUE, 30);
  fake_engine_set_wall (f.engine, T0 + 86400);
  round_add (&f, TRUE, 30);
  g_assert_cmpuint (f.thr.cnt, ==, 60);
  fake_engine_set_wall (f.engine, T0 - 86400);
  round_add (&f, TRUE, 30);
  g_assert_cmpuint (f.thr.cnt, ==, 90);
  fixture_clear (&f);
}

static void
test_negative (void)
{
  Fixture f;

  fixture_init (&f, 100);
  init_fresh (&f);
  round_add (&f, TRUE, 100);          /* slice 0 */
  fake_engine_advance (f.engine, 60);
  round_add (&f, TRUE, 50);           /* slice 1 */
  round_add (&f, FALSE, 120);         /* 50 from slice 1, 70 from slice 0 */
  g_assert_cmpuint (f.thr.cnt, ==, 30);
  round_add (&f, FALSE, 1000);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  round_add (&f, TRUE, 10);
  /* slice 0 leaves at 10m: it holds nothing now */
  fake_engine_advance (f.engine, 540);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 10);
  fixture_clear (&f);
}

static void
test_overflow (void)
{
  Fixture f;

  fixture_init (&f, 100);
  init_fresh (&f);
  round_add (&f, TRUE, G_MAXUINT64 - 5);
  fake_engine_advance (f.engine, 60);
  round_add (&f, TRUE, 100);
  g_assert_cmpuint (f.thr.cnt, ==, G_MAXUINT64);
  /* the saturated slice leaves: what is left is exact */
  fake_engine_advance (f.engine, 540);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 100);
  fixture_clear (&f);
}

/* ---- position ------------------------------------------------------------- */

static void
full_window (Fixture *f)
{
  fake_engine_advance (f->engine, (gint64) f->def.time_width);
  check (f);
}

static void
test_deviation (void)
{
  static const struct {
    guint64 thr, dev;
    gboolean per_cent;
    guint64 cnt;
    int expected;
  } cases[] = {
    { 100, 0, FALSE, 99, IPA_THRESHOLD_EVENT_BELOW },
    { 100, 0, FALSE, 100, IPA_THRESHOLD_EVENT_EQUAL },
    { 100, 0, FALSE, 101, IPA_THRESHOLD_EVENT_ABOVE },
    { 100, 10, FALSE, 89, IPA_THRESHOLD_EVENT_BELOW },
    { 100, 10, FALSE, 90, IPA_THRESHOLD_EVENT_EQUAL },
    { 100, 10, FALSE, 110, IPA_THRESHOLD_EVENT_EQUAL },
    { 100, 10, FALSE, 111, IPA_THRESHOLD_EVENT_ABOVE },
    { 1000, 10, TRUE, 899, IPA_THRESHOLD_EVENT_BELOW },
    { 1000, 10, TRUE, 900, IPA_THRESHOLD_EVENT_EQUAL },
    { 1000, 10, TRUE, 1100, IPA_THRESHOLD_EVENT_EQUAL },
    { 1000, 10, TRUE, 1101, IPA_THRESHOLD_EVENT_ABOVE },
    /* 1% of 50 is 0.5: no band */
    { 50, 1, TRUE, 51, IPA_THRESHOLD_EVENT_ABOVE },
    /* saturation: never below, never above */
    { 10, 50, FALSE, 0, IPA_THRESHOLD_EVENT_EQUAL },
    { G_MAXUINT64 - 5, 10, FALSE, G_MAXUINT64, IPA_THRESHOLD_EVENT_EQUAL },
    { G_MAXUINT64, 100, TRUE, 0, IPA_THRESHOLD_EVENT_EQUAL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture f;

      fixture_init (&f, cases[i].thr);
      f.def.deviation = cases[i].dev;
      f.def.dev_per_cent = cases[i].per_cent;
      init_fresh (&f);
      g_test_message ("case %u", i);
      /* the first check of a full window sees the counter set */
      fake_engine_advance (f.engine, 600);
      set_and_check (&f, cases[i].cnt);
      g_assert_cmpint (last_event (&f), ==, cases[i].expected);
      g_assert_cmpint (f.thr.position, ==, cases[i].expected);
      fixture_clear (&f);
    }
}

static void
test_event_contents (void)
{
  Fixture f;
  const FakeCall *c;
  int i_ac, i_emit, i_run;

  fixture_init (&f, G_GUINT64_CONSTANT (1) << 30);
  f.def.kind = IPA_CONF_TYPE_BYTES;
  init_fresh (&f);
  full_window (&f);
  set_and_check (&f, G_GUINT64_CONSTANT (2) << 30);
  i_ac = fake_engine_index (f.engine, FAKE_AC_THRESHOLD_EVENT, IPA_THRESHOLD_EVENT_ABOVE);
  i_emit = fake_engine_index (f.engine, FAKE_EMIT, IPA_ENGINE_EVENT_THRESHOLD_ABOVE);
  i_run = fake_engine_index (f.engine, FAKE_RUN_THRESHOLD_CMDS, ANY);
  g_assert_cmpint (i_ac, >=, 0);
  g_assert_cmpint (i_ac, <, i_emit);
  g_assert_cmpint (i_emit, <, i_run);
  c = fake_engine_call (f.engine, (guint) i_emit);
  g_assert_cmpint (c->priority, ==, LOG_INFO);
  g_assert_cmpstr (c->text, ==, "threshold r1/t1: 2G is above 1G");
  c = fake_engine_call (f.engine, (guint) i_run);
  g_assert_true (c->cmds->commands == &cmd_above);
  g_assert_cmpstr (c->text, ==, "above_threshold");
  g_assert_false (c->done);

  set_and_check (&f, 1);
  c = fake_engine_find (f.engine, FAKE_RUN_THRESHOLD_CMDS, ANY);
  g_assert_true (c->cmds->commands == &cmd_below);
  g_assert_cmpstr (c->text, ==, "below_threshold");
  set_and_check (&f, G_GUINT64_CONSTANT (1) << 30);
  c = fake_engine_find (f.engine, FAKE_RUN_THRESHOLD_CMDS, ANY);
  g_assert_true (c->cmds->commands == &cmd_equal);
  g_assert_cmpstr (c->text, ==, "equal_threshold");
  fixture_clear (&f);
}

/* ---- balance ---------------------------------------------------------------- */

static void
test_balance (void)
{
  Fixture f;
  guint runs[8];

  fixture_init (&f, 100);
  f.def.balance[IPA_THRESHOLD_EVENT_BELOW] = ONCE;
  f.def.balance[IPA_THRESHOLD_EVENT_EQUAL] = 2;
  f.def.balance[IPA_THRESHOLD_EVENT_ABOVE] = 1;
  init_fresh (&f);
  fake_engine_advance (f.engine, 599);
  check (&f);
  fake_engine_clear_calls (f.engine);

  /* "-": only on entry */
  for (guint i = 0; i < 5; i++)
    {
      fake_engine_advance (f.engine, 60);
      check (&f);
    }
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, IPA_THRESHOLD_EVENT_BELOW), ==, 1);
  g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_THRESHOLD_BELOW), ==, 1);
  g_assert_cmpuint (count (&f, FAKE_RUN_THRESHOLD_CMDS, ANY), ==, 1);
  g_assert_cmpuint (f.thr.same_checks, ==, 5);

  /* 2: on entry, then every second check in it */
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      set_and_check (&f, 100);
      runs[i] = count (&f, FAKE_RUN_THRESHOLD_CMDS, ANY);
      g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, ANY), ==, runs[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    g_assert_cmpuint (runs[i], ==, i % 2 == 0 ? 1 : 0);

  /* 1: every check */
  for (guint i = 0; i < 4; i++)
    {
      set_and_check (&f, 500);
      g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, IPA_THRESHOLD_EVENT_ABOVE), ==, 1);
    }

  /* a change of position is an entry, whatever the count */
  set_and_check (&f, 100);
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, IPA_THRESHOLD_EVENT_EQUAL), ==, 1);
  set_and_check (&f, 0);
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, IPA_THRESHOLD_EVENT_BELOW), ==, 1);
  set_and_check (&f, 0);
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, ANY), ==, 0);
  fixture_clear (&f);
}

/* ---- restore ------------------------------------------------------------------ */

static void
stored_state (struct ipa_threshold_state *st, guint64 thr, guint64 cnt, gint64 updated)
{
  memset (st, 0, sizeof *st);
  st->thr = thr;
  st->cnt = cnt;
  ipa_engine_tm_from_wall (updated - 600, &st->tm_from);
  ipa_engine_tm_from_wall (updated, &st->tm_updated);
}

static void
test_restore (void)
{
  Fixture f;
  struct ipa_threshold_state st;

  /* updated 5 minutes ago: in the slice of then, checked at once */
  stored_state (&st, 100, 300, T0 - 300);
  fixture_init (&f, 100);
  fake_engine_set_db_threshold_state (f.engine, &st);
  ipa_threshold_init (f.engine, &f.thr);
  g_assert_cmpuint (count (&f, FAKE_DB_GET_THRESHOLD_STATE, ANY), ==, 1);
  g_assert_cmpuint (f.thr.cnt, ==, 300);
  g_assert_cmpint (f.thr.filled_at, ==, 0);
  /* the database already has it */
  g_assert_cmpuint (count (&f, FAKE_DB_SET_THRESHOLD_STATE, ANY), ==, 0);
  check (&f);
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, IPA_THRESHOLD_EVENT_ABOVE), ==, 1);
  g_assert_cmpint (f.thr.tm_from, ==, T0 - 600);
  /* it leaves the window 10 minutes after it was counted */
  fake_engine_advance (f.engine, 299);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 300);
  fake_engine_advance (f.engine, 1);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, IPA_THRESHOLD_EVENT_BELOW), ==, 1);
  fixture_clear (&f);

  /* too old: dropped, a fresh window */
  stored_state (&st, 100, 300, T0 - 600);
  fixture_init (&f, 100);
  fake_engine_set_db_threshold_state (f.engine, &st);
  ipa_threshold_init (f.engine, &f.thr);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  g_assert_cmpint (f.thr.filled_at, !=, 0);
  g_assert_cmpuint (count (&f, FAKE_DB_SET_THRESHOLD_STATE, ANY), ==, 1);
  check (&f);
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, ANY), ==, 0);
  fixture_clear (&f);

  /* from the future (the clock went back): counted as now */
  stored_state (&st, 100, 300, T0 + 3600);
  fixture_init (&f, 100);
  fake_engine_set_db_threshold_state (f.engine, &st);
  ipa_threshold_init (f.engine, &f.thr);
  g_assert_cmpuint (f.thr.cnt, ==, 300);
  fake_engine_advance (f.engine, 599);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 300);
  fake_engine_advance (f.engine, 1);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  fixture_clear (&f);

  /* a changed threshold value drops it... */
  stored_state (&st, 90, 300, T0 - 60);
  fixture_init (&f, 100);
  fake_engine_set_db_threshold_state (f.engine, &st);
  ipa_threshold_init (f.engine, &f.thr);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  g_assert_cmpuint (f.thr.thr, ==, 100);
  fixture_clear (&f);

  /* ...unless threshold_type bit 1 */
  fixture_init (&f, 100);
  f.def.type = 2;
  fake_engine_set_db_threshold_state (f.engine, &st);
  ipa_threshold_init (f.engine, &f.thr);
  g_assert_cmpuint (f.thr.cnt, ==, 300);
  g_assert_cmpuint (f.thr.thr, ==, 100);
  /* the new value goes to the databases */
  g_assert_cmpuint (fake_engine_find (f.engine, FAKE_DB_SET_THRESHOLD_STATE, ANY)
                      ->threshold_state.thr, ==, 100);
  fixture_clear (&f);

  /* threshold_type bit 0, load_threshold no: the database is not asked */
  stored_state (&st, 100, 300, T0 - 60);
  fixture_init (&f, 100);
  f.def.type = 1;
  fake_engine_set_db_threshold_state (f.engine, &st);
  ipa_threshold_init (f.engine, &f.thr);
  g_assert_cmpuint (count (&f, FAKE_DB_GET_THRESHOLD_STATE, ANY), ==, 0);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  fixture_clear (&f);
  fixture_init (&f, 100);
  f.def.load_threshold = FALSE;
  fake_engine_set_db_threshold_state (f.engine, &st);
  ipa_threshold_init (f.engine, &f.thr);
  g_assert_cmpuint (count (&f, FAKE_DB_GET_THRESHOLD_STATE, ANY), ==, 0);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  fixture_clear (&f);

  /* no database state: the reload snapshot */
  fixture_init (&f, 100);
  fake_engine_set_snapshot_threshold (f.engine, &st);
  ipa_threshold_init (f.engine, &f.thr);
  g_assert_cmpuint (f.thr.cnt, ==, 300);
  g_assert_cmpuint (count (&f, FAKE_DB_SET_THRESHOLD_STATE, ANY), ==, 1);
  fixture_clear (&f);
}

/* ---- worktime ---------------------------------------------------------------- */

static void
test_inactive (void)
{
  Fixture f;
  IpaWorktimeState ws = { 0 };
  struct ipa_threshold_state st;

  fixture_init (&f, 100);
  init_fresh (&f);
  full_window (&f);
  round_add (&f, TRUE, 500);
  g_assert_cmpint (f.thr.position, ==, IPA_THRESHOLD_EVENT_ABOVE);
  ipa_threshold_set_active (f.engine, &f.thr, FALSE);
  g_assert_cmpint (ipa_threshold_next_event (&f.thr), ==, G_MAXINT64);
  round_add (&f, TRUE, 500);
  g_assert_cmpuint (f.thr.cnt, ==, 500);
  /* active again: an empty window, the first check after its width */
  fake_engine_advance (f.engine, 3600);
  fake_engine_clear_calls (f.engine);
  ipa_threshold_set_active (f.engine, &f.thr, TRUE);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  g_assert_cmpint (f.thr.position, ==, -1);
  g_assert_cmpint (f.thr.tm_from, ==, ipa_engine_now_wall (f.engine));
  g_assert_cmpuint (count (&f, FAKE_DB_UPDATE_THRESHOLD, ANY), ==, 1);
  fake_engine_advance (f.engine, 599);
  round_add (&f, TRUE, 20);
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, ANY), ==, 0);
  fake_engine_advance (f.engine, 1);
  check (&f);
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, IPA_THRESHOLD_EVENT_BELOW), ==, 1);
  fixture_clear (&f);

  /* inactive from the start: nothing restored */
  stored_state (&st, 100, 300, T0 - 60);
  fixture_init (&f, 100);
  f.def.worktime = &ws;
  fake_engine_set_db_threshold_state (f.engine, &st);
  ipa_threshold_init (f.engine, &f.thr);
  g_assert_true (f.thr.active);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  /* the engine deactivates it, later the worktime begins */
  ipa_threshold_set_active (f.engine, &f.thr, FALSE);
  fake_engine_advance (f.engine, 60);
  ws.active = TRUE;
  ipa_threshold_set_active (f.engine, &f.thr, TRUE);
  g_assert_cmpint (f.thr.filled_at, ==, mono (&f) + 600 * G_USEC_PER_SEC);
  fixture_clear (&f);
}

/* ---- control ------------------------------------------------------------------- */

static void
test_set_value (void)
{
  Fixture f;
  g_autoptr (GError) error = NULL;
  const FakeCall *c;

  fixture_init (&f, 100);
  init_fresh (&f);
  round_add (&f, TRUE, 40);
  fake_engine_clear_calls (f.engine);
  g_assert_true (ipa_threshold_set_value (f.engine, &f.thr, TRUE, IPA_ENGINE_SET_ASSIGN, 500,
                                          NULL));
  g_assert_cmpuint (f.thr.cnt, ==, 500);
  c = fake_engine_find (f.engine, FAKE_DB_UPDATE_THRESHOLD, ANY);
  g_assert_nonnull (c);
  g_assert_cmpuint (c->threshold_state.cnt, ==, 500);
  c = fake_engine_find (f.engine, FAKE_EMIT, IPA_ENGINE_EVENT_COUNTER_CHANGED);
  g_assert_cmpstr (c->text, ==, "threshold r1/t1: counter changed from 40 to 500");
  g_assert_true (ipa_threshold_set_value (f.engine, &f.thr, TRUE, IPA_ENGINE_SET_ADD, 100, NULL));
  g_assert_cmpuint (f.thr.cnt, ==, 600);
  g_assert_true (ipa_threshold_set_value (f.engine, &f.thr, TRUE, IPA_ENGINE_SET_SUBTRACT, 1000,
                                          NULL));
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  /* not checked until the next round */
  g_assert_cmpuint (count (&f, FAKE_AC_THRESHOLD_EVENT, ANY), ==, 0);

  fake_engine_clear_calls (f.engine);
  g_assert_true (ipa_threshold_set_value (f.engine, &f.thr, FALSE, IPA_ENGINE_SET_ASSIGN, 50,
                                          NULL));
  g_assert_cmpuint (f.thr.thr, ==, 50);
  c = fake_engine_find (f.engine, FAKE_DB_SET_THRESHOLD_STATE, ANY);
  g_assert_nonnull (c);
  g_assert_cmpuint (c->threshold_state.thr, ==, 50);
  g_assert_true (ipa_threshold_set_value (f.engine, &f.thr, FALSE, IPA_ENGINE_SET_ADD,
                                          G_MAXUINT64, NULL));
  g_assert_cmpuint (f.thr.thr, ==, G_MAXUINT64);
  g_assert_true (ipa_threshold_set_value (f.engine, &f.thr, FALSE, IPA_ENGINE_SET_SUBTRACT,
                                          G_MAXUINT64 - 7, NULL));
  g_assert_cmpuint (f.thr.thr, ==, 7);
  g_assert_false (ipa_threshold_set_value (f.engine, &f.thr, FALSE, (IpaEngineSetOp) 9, 1, &error));
  g_assert_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INVALID);
  fixture_clear (&f);
}

static void
test_resend_and_state (void)
{
  Fixture f;
  struct ipa_threshold_state st;
  const FakeCall *c;

  fixture_init (&f, 100);
  fake_engine_set_failing (f.engine, 1);
  ipa_threshold_init (f.engine, &f.thr);
  g_assert_cmpuint (f.thr.db_pending, ==, 1);
  fake_engine_advance (f.engine, 120);
  round_add (&f, TRUE, 77);
  fake_engine_set_failing (f.engine, 0);
  fake_engine_clear_calls (f.engine);
  ipa_threshold_resend (f.engine, &f.thr);
  g_assert_cmpuint (fake_engine_n_calls (f.engine), ==, 1);
  c = fake_engine_find (f.engine, FAKE_DB_SET_THRESHOLD_STATE, ANY);
  g_assert_cmpuint (c->threshold_state.thr, ==, 100);
  g_assert_cmpuint (c->threshold_state.cnt, ==, 77);
  g_assert_cmpuint (f.thr.db_pending, ==, 0);

  ipa_threshold_to_state (&f.thr, &st);
  g_assert_cmpuint (st.cnt, ==, 77);
  /* tm_from: the activation while the window fills */
  g_assert_cmpint (st.tm_from.tm_year, ==, 2024);
  g_assert_cmpint (st.tm_from.tm_mon, ==, 3);
  g_assert_cmpint (st.tm_from.tm_hour, ==, 10);
  g_assert_cmpint (st.tm_from.tm_min, ==, 0);
  g_assert_cmpint (st.tm_updated.tm_min, ==, 2);
  fixture_clear (&f);
}

/* Widths that need more slices than cur_slice can index get wider slices. */
static void
test_geometry (void)
{
  Fixture f;
  gint64 m0;

  fixture_init (&f, 100);
  f.def.time_width = 7 * 86400;
  f.def.time_slice = 1;
  init_fresh (&f);
  m0 = mono (&f);
  /* 604800 slices of 1 s → 60480 of 10 s */
  g_assert_cmpint (ipa_threshold_next_event (&f.thr), ==, m0 + 10 * G_USEC_PER_SEC);
  round_add (&f, TRUE, 5);
  fake_engine_advance (f.engine, 7 * 86400 - 1);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 5);
  fake_engine_advance (f.engine, 1);
  check (&f);
  g_assert_cmpuint (f.thr.cnt, ==, 0);
  fixture_clear (&f);

  /* 196610 slices: 4 does not divide them, 5 does → 39322 of 5 s */
  fixture_init (&f, 100);
  f.def.time_width = 196610;
  f.def.time_slice = 1;
  init_fresh (&f);
  g_assert_cmpint (ipa_threshold_next_event (&f.thr), ==, mono (&f) + 5 * G_USEC_PER_SEC);
  fixture_clear (&f);

  /* 65537 (a prime) slices: one slice as wide as the window */
  fixture_init (&f, 100);
  f.def.time_width = 65537;
  f.def.time_slice = 1;
  init_fresh (&f);
  g_assert_cmpint (ipa_threshold_next_event (&f.thr), ==,
                   mono (&f) + G_GINT64_CONSTANT (65537) * G_USEC_PER_SEC);
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  if (!fake_engine_use_kyiv_time ())
    {
      /* TAP: the whole program is skipped */
      g_print ("1..0 # SKIP no tzdata for Europe/Kyiv\n");
      return 0;
    }
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/threshold/window", test_window);
  g_test_add_func ("/threshold/add-after-gap", test_add_after_gap);
  g_test_add_func ("/threshold/wall-jump", test_wall_jump);
  g_test_add_func ("/threshold/negative", test_negative);
  g_test_add_func ("/threshold/overflow", test_overflow);
  g_test_add_func ("/threshold/deviation", test_deviation);
  g_test_add_func ("/threshold/event-contents", test_event_contents);
  g_test_add_func ("/threshold/balance", test_balance);
  g_test_add_func ("/threshold/restore", test_restore);
  g_test_add_func ("/threshold/inactive", test_inactive);
  g_test_add_func ("/threshold/set-value", test_set_value);
  g_test_add_func ("/threshold/resend-and-state", test_resend_and_state);
  g_test_add_func ("/threshold/geometry", test_geometry);
  return g_test_run ();
}
