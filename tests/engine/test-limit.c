/*
 * test-limit.c: the limit state machine of ipa-limit.c alone, driven
 * through the fake engine (fake-engine.c) with local time in
 * Europe/Kyiv (DST on the last Sunday of March and October).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "ipa-limit.h"
#include "fake-engine.h"

/* Command lists are told apart by their address in the calls. */
static IpaExecCommand cmd_restart = { NULL, NULL, "restart" };
static IpaExecCommand cmd_reach = { NULL, NULL, "reach" };
static IpaExecCommand cmd_expire = { NULL, NULL, "expire" };
static IpaExecCommand cmd_sub_reach = { NULL, NULL, "sub reach" };
static IpaExecCommand cmd_sub_expire = { NULL, NULL, "sub expire" };
static IpaExecCommand cmd_plain = { NULL, NULL, "plain" };
static IpaExecCommand cmd_if_reached = { NULL, NULL, "if_reached" };
static IpaExecCommand cmd_if_not_reached = { NULL, NULL, "if_not_reached" };

#define CMDS(c) ((IpaCmdList) { 1, &(c) })
#define ANY G_MAXUINT

typedef struct {
  IpaEngine *engine;
  IpaLimitDef def;
  IpaSublimitDef subs[4];
  IpaRuleParams params;
  IpaRule rule;
  IpaLimit limit;
} Fixture;

static gint64
local (int year, int mon, int mday, int hour, int min, int sec)
{
  struct tm tm = { 0 };

  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = mday;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  tm.tm_isdst = -1;
  return ipa_clock_from_local (&tm);
}

static void
parse_point (IpaTimePoint *point, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ipa_time_point_parse (text, point, &error));
  g_assert_no_error (error);
}

static void
fixture_init (Fixture *f, gint64 wall, guint64 lim)
{
  memset (f, 0, sizeof *f);
  f->engine = fake_engine_new (wall);
  f->def.name = "l1";
  f->def.lim = lim;
  f->def.kind = IPA_CONF_TYPE_UINT64;
  f->def.load_limit = TRUE;
  f->def.restart = CMDS (cmd_restart);
  f->def.reach = CMDS (cmd_reach);
  f->def.expire = CMDS (cmd_expire);
  f->def.db = fake_engine_db_list (f->engine, 2);
  f->rule.name = (char *) "r1";
  f->rule.params = &f->params;
  f->limit.def = &f->def;
  f->limit.rule = &f->rule;
}

static void
fixture_clear (Fixture *f)
{
  ipa_limit_clear (&f->limit);
  ipa_engine_free (f->engine);
}

static void
restart_point (Fixture *f, const char *text)
{
  f->def.has_restart_point = TRUE;
  parse_point (&f->def.restart_point, text);
}

static void
expire_point (Fixture *f, const char *text)
{
  f->def.has_expire_point = TRUE;
  parse_point (&f->def.expire_point, text);
}

static void
add_sublimit (Fixture *f, const char *name, gboolean per_cent, guint64 value,
              const char *expire)
{
  IpaSublimitDef *s = &f->subs[f->def.n_sublimits++];

  s->name = name;
  s->per_cent = per_cent;
  s->value = value;
  s->reach = CMDS (cmd_sub_reach);
  s->expire = CMDS (cmd_sub_expire);
  if (expire != NULL)
    {
      s->has_expire_point = TRUE;
      parse_point (&s->expire_point, expire);
    }
  f->def.sublimits = f->subs;
}

static gint64
now (Fixture *f)
{
  return ipa_engine_now_wall (f->engine);
}

static void
advance_to (Fixture *f, gint64 wall)
{
  fake_engine_advance (f->engine, wall - now (f));
}

/* One round: the rule's chunk, then the check. */
static void
round_add (Fixture *f, gboolean addition, guint64 chunk)
{
  ipa_limit_add (f->engine, &f->limit, addition, chunk);
  ipa_limit_check (f->engine, &f->limit);
}

static guint
count (Fixture *f, FakeCallKind kind, guint event)
{
  return fake_engine_count (f->engine, kind, event);
}

/* Runs of a command list (by its first command). */
static guint
count_runs (Fixture *f, const IpaExecCommand *cmd)
{
  guint n = 0;

  for (guint i = 0; i < fake_engine_n_calls (f->engine); i++)
    {
      const FakeCall *c = fake_engine_call (f->engine, i);

      if (c->kind == FAKE_RUN_LIMIT_CMDS && c->cmds->commands == cmd)
        n++;
    }
  return n;
}

static const FakeCall *
find_run (Fixture *f, const IpaExecCommand *cmd)
{
  for (guint i = 0; i < fake_engine_n_calls (f->engine); i++)
    {
      const FakeCall *c = fake_engine_call (f->engine, i);

      if (c->kind == FAKE_RUN_LIMIT_CMDS && c->cmds->commands == cmd)
        return c;
    }
  return NULL;
}

static gboolean
has_date (Fixture *f, guint ev)
{
  return (f->limit.date_set & (1U << ev)) != 0;
}

#define assert_date(f, ev, wall) G_STMT_START {                          \
    g_assert_true (has_date ((f), (ev)));                                 \
    g_assert_cmpint ((f)->limit.dates[(ev)], ==, (wall));                 \
  } G_STMT_END

static void
dump_on_failure (Fixture *f)
{
  if (g_test_verbose ())
    {
      g_autofree char *dump = fake_engine_dump (f->engine);

      g_test_message ("%s", dump);
    }
}

/* A fresh limit: state from nowhere, registered as a new state. */
static void
init_fresh (Fixture *f)
{
  ipa_limit_init (f->engine, &f->limit);
  g_assert_true (f->limit.active);
  g_assert_false (f->limit.reached);
  g_assert_cmpuint (f->limit.cnt, ==, 0);
  assert_date (f, IPA_LIMIT_EVENT_START, now (f));
  g_assert_cmpuint (count (f, FAKE_DB_SET_LIMIT_STATE, ANY), ==, 1);
  g_assert_true (fake_engine_find (f->engine, FAKE_DB_SET_LIMIT_STATE, ANY)->flag);
  g_assert_false (f->limit.state_new);
  fake_engine_clear_calls (f->engine);
}

/* ---- reach ------------------------------------------------------------- */

static void
test_reach_once (void)
{
  Fixture f;
  const FakeCall *c;
  int i_reach, i_done, i_exec;

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 100);
  init_fresh (&f);
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, G_MAXINT64);

  round_add (&f, TRUE, 60);
  round_add (&f, TRUE, 39);
  g_assert_false (f.limit.reached);
  g_assert_cmpuint (count (&f, FAKE_DB_UPDATE_LIMIT, ANY), ==, 2);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);

  /* cnt == lim is reached */
  fake_engine_advance (f.engine, 60);
  round_add (&f, TRUE, 1);
  dump_on_failure (&f);
  g_assert_true (f.limit.reached);
  assert_date (&f, IPA_LIMIT_EVENT_REACH, now (&f));
  c = fake_engine_find (f.engine, FAKE_DB_LIMIT_EVENT, IPA_LIMIT_EVENT_REACH);
  g_assert_nonnull (c);
  g_assert_cmpint (c->wall, ==, now (&f));
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_REACH), ==, 1);
  c = fake_engine_find (f.engine, FAKE_EMIT, IPA_ENGINE_EVENT_LIMIT_REACHED);
  g_assert_nonnull (c);
  g_assert_cmpint (c->priority, ==, LOG_NOTICE);
  g_assert_cmpstr (c->text, ==, "limit r1/l1 reached: 100 of 100");
  c = find_run (&f, &cmd_reach);
  g_assert_nonnull (c);
  g_assert_cmpstr (c->text, ==, "reach");
  g_assert_false (c->flag);
  g_assert_true (c->done);
  /* no expire point: nothing is scheduled, no EXPIRE date */
  g_assert_false (has_date (&f, IPA_LIMIT_EVENT_EXPIRE));
  g_assert_cmpuint (count (&f, FAKE_DB_LIMIT_EVENT, IPA_LIMIT_EVENT_EXPIRE), ==, 0);
  /* REACH_EXEC after the commands */
  i_reach = fake_engine_index (f.engine, FAKE_RUN_LIMIT_CMDS, ANY);
  i_done = fake_engine_index (f.engine, FAKE_EXEC_DONE, ANY);
  i_exec = fake_engine_index (f.engine, FAKE_DB_LIMIT_EVENT, IPA_LIMIT_EVENT_REACH_EXEC);
  g_assert_cmpint (i_reach, <, i_done);
  g_assert_cmpint (i_done, <, i_exec);
  assert_date (&f, IPA_LIMIT_EVENT_REACH_EXEC, now (&f));
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, G_MAXINT64);

  /* counting goes on, the reach happens once */
  fake_engine_clear_calls (f.engine);
  round_add (&f, TRUE, 50);
  round_add (&f, FALSE, 120);
  round_add (&f, TRUE, 200);
  g_assert_cmpuint (f.limit.cnt, ==, 230);
  g_assert_true (f.limit.reached);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
  g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_LIMIT_REACHED), ==, 0);
  g_assert_cmpuint (count (&f, FAKE_DB_UPDATE_LIMIT, ANY), ==, 3);
  g_assert_cmpuint (fake_engine_find (f.engine, FAKE_DB_UPDATE_LIMIT, ANY)->cnt, ==, 150);

  /* a check without new counts writes nothing */
  fake_engine_clear_calls (f.engine);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (fake_engine_n_calls (f.engine), ==, 0);
  fixture_clear (&f);
}

static void
test_reach_bytes_message (void)
{
  Fixture f;
  const FakeCall *c;

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), G_GUINT64_CONSTANT (1) << 30);
  f.def.kind = IPA_CONF_TYPE_BYTES;
  init_fresh (&f);
  round_add (&f, TRUE, (G_GUINT64_CONSTANT (3) << 30) / 2);
  c = fake_engine_find (f.engine, FAKE_EMIT, IPA_ENGINE_EVENT_LIMIT_REACHED);
  g_assert_nonnull (c);
  g_assert_cmpstr (c->text, ==, "limit r1/l1 reached: 1G 512M of 1G");
  fixture_clear (&f);
}

/* ---- restart points ----------------------------------------------------- */

typedef struct {
  const char *point;
  int start[6];
  int dates[3][6];  /* the first three restarts */
} RestartCase;

static const RestartCase restart_cases[] = {
  /* 2024-03-15 is a Friday; Kyiv goes to summer time on 2024-03-31 at
   * 03:00, so 2024-03-31 has 23 hours. */
  { "+D", { 2024, 3, 15, 10, 0, 0 },
    { { 2024, 3, 16, 0, 0, 0 }, { 2024, 3, 17, 0, 0, 0 }, { 2024, 3, 18, 0, 0, 0 } } },
  { "+D", { 2024, 3, 30, 12, 0, 0 },
    { { 2024, 3, 31, 0, 0, 0 }, { 2024, 4, 1, 0, 0, 0 }, { 2024, 4, 2, 0, 0, 0 } } },
  { "+W", { 2024, 3, 15, 10, 0, 0 },
    { { 2024, 3, 18, 0, 0, 0 }, { 2024, 3, 25, 0, 0, 0 }, { 2024, 4, 1, 0, 0, 0 } } },
  { "+M", { 2024, 3, 15, 10, 0, 0 },
    { { 2024, 4, 1, 0, 0, 0 }, { 2024, 5, 1, 0, 0, 0 }, { 2024, 6, 1, 0, 0, 0 } } },
  /* Jan 31 → Feb, a leap February */
  { "+M", { 2024, 1, 31, 15, 0, 0 },
    { { 2024, 2, 1, 0, 0, 0 }, { 2024, 3, 1, 0, 0, 0 }, { 2024, 4, 1, 0, 0, 0 } } },
  { "+D", { 2024, 2, 28, 12, 0, 0 },
    { { 2024, 2, 29, 0, 0, 0 }, { 2024, 3, 1, 0, 0, 0 }, { 2024, 3, 2, 0, 0, 0 } } },
  { "+D", { 2023, 2, 28, 12, 0, 0 },
    { { 2023, 3, 1, 0, 0, 0 }, { 2023, 3, 2, 0, 0, 0 }, { 2023, 3, 3, 0, 0, 0 } } },
  /* a day and 2 hours of elapsed time, across the DST change */
  { "1D 2h", { 2024, 3, 30, 1, 0, 0 },
    { { 2024, 3, 31, 4, 0, 0 }, { 2024, 4, 1, 6, 0, 0 }, { 2024, 4, 2, 8, 0, 0 } } },
};

static void
test_restart_points (gconstpointer data)
{
  const RestartCase *rc = data;
  const int *s = rc->start;
  Fixture f;

  fixture_init (&f, local (s[0], s[1], s[2], s[3], s[4], s[5]), 1000);
  restart_point (&f, rc->point);
  init_fresh (&f);
  for (guint k = 0; k < G_N_ELEMENTS (rc->dates); k++)
    {
      const int *d = rc->dates[k];
      gint64 expected = local (d[0], d[1], d[2], d[3], d[4], d[5]);
      const FakeCall *c;
      int i_update, i_new;

      g_test_message ("%s restart %u expected at %04d-%02d-%02d %02d:%02d", rc->point, k,
                      d[0], d[1], d[2], d[3], d[4]);
      assert_date (&f, IPA_LIMIT_EVENT_RESTART, expected);
      g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, expected);

      /* one second before: nothing */
      advance_to (&f, expected - 1);
      round_add (&f, TRUE, 10);
      g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
      g_assert_cmpuint (f.limit.cnt, ==, 10);

      /* at the date: the old state gets its last counter, then a new one */
      fake_engine_clear_calls (f.engine);
      fake_engine_advance (f.engine, 1);
      round_add (&f, TRUE, 5);
      dump_on_failure (&f);
      g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_RESTART), ==, 1);
      g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_LIMIT_RESTARTED), ==, 1);
      i_update = fake_engine_index (f.engine, FAKE_DB_UPDATE_LIMIT, ANY);
      i_new = fake_engine_index (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY);
      g_assert_cmpint (i_update, >=, 0);
      g_assert_cmpint (i_update, <, i_new);
      g_assert_cmpuint (fake_engine_call (f.engine, (guint) i_update)->cnt, ==, 15);
      c = fake_engine_call (f.engine, (guint) i_new);
      g_assert_true (c->flag);
      g_assert_cmpuint (c->limit_state.cnt, ==, 0);
      g_assert_cmpuint (f.limit.cnt, ==, 0);
      assert_date (&f, IPA_LIMIT_EVENT_START, expected);
      /* restart commands, then RESTART_EXEC in the new state */
      g_assert_cmpuint (count_runs (&f, &cmd_restart), ==, 1);
      g_assert_cmpint (fake_engine_index (f.engine, FAKE_DB_LIMIT_EVENT,
                                          IPA_LIMIT_EVENT_RESTART_EXEC), >, i_new);
      assert_date (&f, IPA_LIMIT_EVENT_RESTART_EXEC, expected);
      fake_engine_clear_calls (f.engine);
    }
  fixture_clear (&f);
}

/* ---- reached limits: restart only through expire ------------------------ */

static void
test_reached_waits_for_expire (void)
{
  Fixture f;

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 100);
  restart_point (&f, "+D");
  init_fresh (&f);
  round_add (&f, TRUE, 100);
  g_assert_true (f.limit.reached);
  /* reached and no expire point: nothing scheduled */
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, G_MAXINT64);

  fake_engine_clear_calls (f.engine);
  advance_to (&f, local (2024, 3, 18, 1, 0, 0));
  round_add (&f, TRUE, 1);
  g_assert_true (f.limit.reached);
  g_assert_cmpuint (f.limit.cnt, ==, 101);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
  g_assert_cmpuint (count (&f, FAKE_DB_SET_LIMIT_STATE, ANY), ==, 0);

  /* ipactl expire: expire commands, a new start, no restart commands */
  g_assert_true (ipa_limit_expire_now (f.engine, &f.limit, NULL));
  dump_on_failure (&f);
  g_assert_false (f.limit.reached);
  g_assert_cmpuint (f.limit.cnt, ==, 0);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_EXPIRE), ==, 1);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_RESTART), ==, 0);
  g_assert_cmpuint (count_runs (&f, &cmd_expire), ==, 1);
  g_assert_cmpuint (count_runs (&f, &cmd_restart), ==, 0);
  assert_date (&f, IPA_LIMIT_EVENT_START, now (&f));
  assert_date (&f, IPA_LIMIT_EVENT_RESTART, local (2024, 3, 19, 0, 0, 0));
  assert_date (&f, IPA_LIMIT_EVENT_EXPIRE_EXEC, now (&f));
  g_assert_false (has_date (&f, IPA_LIMIT_EVENT_REACH));
  fixture_clear (&f);
}

static void
test_expire_point (void)
{
  Fixture f;
  gint64 reach = local (2024, 3, 15, 10, 0, 0);
  gint64 expire = local (2024, 3, 15, 12, 0, 0);
  const FakeCall *c;
  int i_event, i_new, i_exec;

  fixture_init (&f, reach - 3600, 100);
  restart_point (&f, "+D");
  expire_point (&f, "2h");
  init_fresh (&f);
  advance_to (&f, reach);
  round_add (&f, TRUE, 150);
  g_assert_true (f.limit.reached);
  /* the future expire date goes to the databases at reach */
  c = fake_engine_find (f.engine, FAKE_DB_LIMIT_EVENT, IPA_LIMIT_EVENT_EXPIRE);
  g_assert_nonnull (c);
  g_assert_cmpint (c->wall, ==, expire);
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, expire);

  fake_engine_clear_calls (f.engine);
  advance_to (&f, expire - 1);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (fake_engine_n_calls (f.engine), ==, 0);

  fake_engine_advance (f.engine, 1);
  ipa_limit_check (f.engine, &f.limit);
  dump_on_failure (&f);
  g_assert_false (f.limit.reached);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_EXPIRE), ==, 1);
  g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_LIMIT_EXPIRED), ==, 1);
  g_assert_cmpuint (count_runs (&f, &cmd_expire), ==, 1);
  g_assert_cmpuint (count_runs (&f, &cmd_restart), ==, 0);
  /* EXPIRE (now) in the old state, the new state, EXPIRE_EXEC in it */
  i_event = fake_engine_index (f.engine, FAKE_DB_LIMIT_EVENT, IPA_LIMIT_EVENT_EXPIRE);
  i_new = fake_engine_index (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY);
  i_exec = fake_engine_index (f.engine, FAKE_DB_LIMIT_EVENT, IPA_LIMIT_EVENT_EXPIRE_EXEC);
  g_assert_cmpint (fake_engine_call (f.engine, (guint) i_event)->wall, ==, expire);
  g_assert_cmpint (i_event, <, i_new);
  g_assert_cmpint (i_new, <, i_exec);
  g_assert_true (fake_engine_call (f.engine, (guint) i_new)->flag);
  g_assert_cmpuint (fake_engine_call (f.engine, (guint) i_new)->limit_state.cnt, ==, 0);
  assert_date (&f, IPA_LIMIT_EVENT_START, expire);
  assert_date (&f, IPA_LIMIT_EVENT_RESTART, local (2024, 3, 16, 0, 0, 0));
  g_assert_false (has_date (&f, IPA_LIMIT_EVENT_REACH));

  /* an expire point "+D": the next midnight */
  expire_point (&f, "+D");
  advance_to (&f, local (2024, 3, 15, 20, 0, 0));
  round_add (&f, TRUE, 100);
  g_assert_true (f.limit.reached);
  assert_date (&f, IPA_LIMIT_EVENT_EXPIRE, local (2024, 3, 16, 0, 0, 0));
  fixture_clear (&f);
}

/* Commands still running when the limit expires: their done callback
 * must not write REACH_EXEC into the new state. */
static void
test_exec_dates_held (void)
{
  Fixture f;
  gint64 t0 = local (2024, 3, 15, 10, 0, 0);

  fixture_init (&f, t0, 100);
  expire_point (&f, "1h");
  init_fresh (&f);
  fake_engine_hold_cmds (f.engine, TRUE);
  round_add (&f, TRUE, 100);
  g_assert_true (f.limit.reached);
  g_assert_false (has_date (&f, IPA_LIMIT_EVENT_REACH_EXEC));
  g_assert_cmpuint (fake_engine_n_held (f.engine), ==, 1);

  /* the reach commands finish later: REACH_EXEC is their end */
  fake_engine_advance (f.engine, 30);
  fake_engine_finish_cmds (f.engine);
  assert_date (&f, IPA_LIMIT_EVENT_REACH_EXEC, t0 + 30);

  /* a new reach whose commands are still running at expire */
  advance_to (&f, t0 + 3600);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_false (f.limit.reached);
  advance_to (&f, t0 + 3700);
  round_add (&f, TRUE, 100);
  g_assert_true (f.limit.reached);
  g_assert_true (ipa_limit_expire_now (f.engine, &f.limit, NULL));
  fake_engine_clear_calls (f.engine);
  fake_engine_advance (f.engine, 5);
  fake_engine_finish_cmds (f.engine);
  dump_on_failure (&f);
  g_assert_cmpuint (count (&f, FAKE_EXEC_DONE, ANY), ==, 3);
  g_assert_cmpuint (count (&f, FAKE_DB_LIMIT_EVENT, IPA_LIMIT_EVENT_REACH_EXEC), ==, 0);
  g_assert_false (has_date (&f, IPA_LIMIT_EVENT_REACH_EXEC));
  /* the two expire lists: each records its end */
  g_assert_cmpuint (count (&f, FAKE_DB_LIMIT_EVENT, IPA_LIMIT_EVENT_EXPIRE_EXEC), ==, 2);
  assert_date (&f, IPA_LIMIT_EVENT_EXPIRE_EXEC, t0 + 3705);
  fixture_clear (&f);
}

/* ---- sublimits ------------------------------------------------------------ */

static guint
count_sub_runs (Fixture *f, const char *sub, const char *event)
{
  guint n = 0;

  for (guint i = 0; i < fake_engine_n_calls (f->engine); i++)
    {
      const FakeCall *c = fake_engine_call (f->engine, i);

      if (c->kind == FAKE_RUN_LIMIT_CMDS && g_strcmp0 (c->sublimit, sub) == 0
          && g_strcmp0 (c->text, event) == 0)
        n++;
    }
  return n;
}

static void
test_sublimits (void)
{
  Fixture f;
  const FakeCall *c;

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 1000);
  add_sublimit (&f, "500", FALSE, 500, NULL);
  add_sublimit (&f, "90%", TRUE, 90, NULL);
  init_fresh (&f);

  round_add (&f, TRUE, 499);
  g_assert_cmpuint (f.limit.sub_reached, ==, 0);
  round_add (&f, TRUE, 1);
  g_assert_cmpuint (f.limit.sub_reached, ==, 1);
  c = fake_engine_find (f.engine, FAKE_EMIT, IPA_ENGINE_EVENT_SUBLIMIT_REACHED);
  g_assert_nonnull (c);
  g_assert_cmpstr (c->sublimit, ==, "500");
  g_assert_cmpstr (c->text, ==, "sublimit 500 of limit r1/l1 reached: 500 of 500");
  g_assert_cmpuint (count_sub_runs (&f, "500", "reach"), ==, 1);
  /* no module or database event for a sublimit */
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
  g_assert_cmpuint (count (&f, FAKE_DB_LIMIT_EVENT, ANY), ==, 0);

  round_add (&f, TRUE, 399);
  g_assert_cmpuint (f.limit.sub_reached, ==, 1);
  round_add (&f, TRUE, 1);
  g_assert_cmpuint (f.limit.sub_reached, ==, 3);
  g_assert_cmpuint (count_sub_runs (&f, "90%", "reach"), ==, 1);
  /* once per start */
  round_add (&f, TRUE, 99);
  g_assert_cmpuint (count_sub_runs (&f, "500", "reach"), ==, 1);
  g_assert_cmpuint (count_sub_runs (&f, "90%", "reach"), ==, 1);
  g_assert_false (f.limit.reached);

  /* the parent restarts: both expire (they were reached), then reset */
  fake_engine_clear_calls (f.engine);
  g_assert_true (ipa_limit_restart_now (f.engine, &f.limit, NULL));
  g_assert_cmpuint (count_sub_runs (&f, "500", "expire"), ==, 1);
  g_assert_cmpuint (count_sub_runs (&f, "90%", "expire"), ==, 1);
  g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED), ==, 2);
  g_assert_cmpint (fake_engine_index (f.engine, FAKE_EMIT, IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED), <,
                   fake_engine_index (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY));
  g_assert_cmpuint (f.limit.sub_reached, ==, 0);
  g_assert_cmpuint (f.limit.sub_expired, ==, 0);

  /* a per cent follows the current lim; only "500" is passed now */
  fake_engine_clear_calls (f.engine);
  g_assert_true (ipa_limit_set_value (f.engine, &f.limit, FALSE, IPA_ENGINE_SET_ASSIGN, 2000,
                                      NULL));
  round_add (&f, TRUE, 1799);
  g_assert_cmpuint (f.limit.sub_reached, ==, 1);
  round_add (&f, TRUE, 1);
  g_assert_cmpuint (f.limit.sub_reached, ==, 3);
  /* reaching the parent: the reached sublimits expire with its expire
   * only; a sublimit not reached has nothing to expire */
  round_add (&f, TRUE, 200);
  g_assert_true (f.limit.reached);
  fake_engine_clear_calls (f.engine);
  g_assert_true (ipa_limit_expire_now (f.engine, &f.limit, NULL));
  g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED), ==, 2);
  fixture_clear (&f);

  /* per cent of a lim near 2^64: no overflow */
  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), G_MAXUINT64);
  add_sublimit (&f, "50%", TRUE, 50, NULL);
  init_fresh (&f);
  round_add (&f, TRUE, G_MAXINT64 - 1);
  g_assert_cmpuint (f.limit.sub_reached, ==, 0);
  round_add (&f, TRUE, 1);
  g_assert_cmpuint (f.limit.sub_reached, ==, 1);
  fixture_clear (&f);

  /* a sublimit that was not reached does not expire */
  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 1000);
  add_sublimit (&f, "500", FALSE, 500, NULL);
  add_sublimit (&f, "90%", TRUE, 90, NULL);
  init_fresh (&f);
  round_add (&f, TRUE, 600);
  fake_engine_clear_calls (f.engine);
  g_assert_true (ipa_limit_restart_now (f.engine, &f.limit, NULL));
  g_assert_cmpuint (count_sub_runs (&f, "500", "expire"), ==, 1);
  g_assert_cmpuint (count_sub_runs (&f, "90%", "expire"), ==, 0);
  fixture_clear (&f);
}

static void
test_sublimit_expire (void)
{
  Fixture f;
  gint64 t0 = local (2024, 3, 15, 10, 0, 0);

  fixture_init (&f, t0, 1000);
  restart_point (&f, "+D");
  add_sublimit (&f, "50%", TRUE, 50, "1h");
  init_fresh (&f);
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, local (2024, 3, 16, 0, 0, 0));

  fake_engine_advance (f.engine, 600);
  round_add (&f, TRUE, 500);
  g_assert_cmpuint (f.limit.sub_reached, ==, 1);
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, t0 + 600 + 3600);

  fake_engine_clear_calls (f.engine);
  advance_to (&f, t0 + 600 + 3599);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED), ==, 0);
  fake_engine_advance (f.engine, 1);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED), ==, 1);
  g_assert_cmpuint (count_sub_runs (&f, "50%", "expire"), ==, 1);
  g_assert_cmpuint (f.limit.sub_expired, ==, 1);
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, local (2024, 3, 16, 0, 0, 0));

  /* not reached again in this start, and no second expire at restart */
  round_add (&f, TRUE, 100);
  g_assert_cmpuint (count_sub_runs (&f, "50%", "reach"), ==, 0);
  advance_to (&f, local (2024, 3, 16, 0, 0, 0));
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_RESTART), ==, 1);
  g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED), ==, 1);
  g_assert_cmpuint (f.limit.sub_reached, ==, 0);

  /* reached again in the new start */
  round_add (&f, TRUE, 500);
  g_assert_cmpuint (count_sub_runs (&f, "50%", "reach"), ==, 1);
  fixture_clear (&f);
}

/* ---- startup rules ------------------------------------------------------- */

static void
state_date (struct ipa_limit_state *st, guint ev, gint64 wall)
{
  st->event_date_set |= 1U << ev;
  ipa_engine_tm_from_wall (wall, &st->event_date[ev]);
}

static void
test_startup_past_restart (void)
{
  Fixture f;
  struct ipa_limit_state st = { 0 };
  gint64 t = local (2024, 3, 15, 10, 0, 0);
  const FakeCall *c;

  /* stored: started two days ago, restart at yesterday's midnight */
  st.lim = 100;
  st.cnt = 40;
  state_date (&st, IPA_LIMIT_EVENT_START, t - 2 * 86400);
  state_date (&st, IPA_LIMIT_EVENT_RESTART, local (2024, 3, 14, 0, 0, 0));
  fixture_init (&f, t, 100);
  restart_point (&f, "+D");
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  dump_on_failure (&f);
  g_assert_cmpuint (count (&f, FAKE_DB_GET_LIMIT_STATE, ANY), ==, 1);
  g_assert_cmpuint (count (&f, FAKE_SNAPSHOT_LIMIT, ANY), ==, 0);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_RESTART), ==, 1);
  g_assert_cmpuint (count_runs (&f, &cmd_restart), ==, 1);
  c = fake_engine_find (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY);
  g_assert_nonnull (c);
  /* the old state first gets its real restart date (now)... */
  g_assert_false (c->flag);
  g_assert_cmpuint (c->limit_state.cnt, ==, 40);
  g_assert_cmpint (ipa_engine_wall_from_tm (&c->limit_state.event_date[IPA_LIMIT_EVENT_RESTART]),
                   ==, t);
  /* ...then a new state is registered */
  g_assert_cmpuint (count (&f, FAKE_DB_SET_LIMIT_STATE, ANY), ==, 2);
  /* the journal hears of it right after the modules */
  c = fake_engine_call (f.engine,
                        (guint) fake_engine_index (f.engine, FAKE_AC_LIMIT_EVENT, ANY) + 1);
  g_assert_cmpint (c->kind, ==, FAKE_EMIT);
  g_assert_cmpuint (f.limit.cnt, ==, 0);
  assert_date (&f, IPA_LIMIT_EVENT_START, t);
  assert_date (&f, IPA_LIMIT_EVENT_RESTART, local (2024, 3, 16, 0, 0, 0));
  fixture_clear (&f);
}

static void
test_startup_changed_lim (void)
{
  Fixture f;
  struct ipa_limit_state st = { 0 };
  gint64 t = local (2024, 3, 15, 10, 0, 0);
  gint64 start = local (2024, 3, 10, 8, 0, 0);
  const FakeCall *c;

  st.lim = 100;
  st.cnt = 150;
  state_date (&st, IPA_LIMIT_EVENT_START, start);
  state_date (&st, IPA_LIMIT_EVENT_RESTART, local (2024, 4, 1, 0, 0, 0));
  fixture_init (&f, t, 200);
  restart_point (&f, "+M");
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_cmpuint (f.limit.lim, ==, 200);
  g_assert_cmpuint (f.limit.cnt, ==, 150);
  g_assert_false (f.limit.reached);
  assert_date (&f, IPA_LIMIT_EVENT_START, start);
  /* the adopted lim overwrites the stored state; no new state */
  g_assert_cmpuint (count (&f, FAKE_DB_SET_LIMIT_STATE, ANY), ==, 1);
  c = fake_engine_find (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY);
  g_assert_false (c->flag);
  g_assert_cmpuint (c->limit_state.lim, ==, 200);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
  round_add (&f, TRUE, 49);
  g_assert_false (f.limit.reached);
  round_add (&f, TRUE, 1);
  g_assert_true (f.limit.reached);
  fixture_clear (&f);

  /* a lim lowered below the stored counter: reached at the first check */
  fixture_init (&f, t, 120);
  restart_point (&f, "+M");
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_false (f.limit.reached);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_true (f.limit.reached);
  fixture_clear (&f);

  /* unchanged lim and dates: nothing is written */
  fixture_init (&f, t, 100);
  restart_point (&f, "+M");
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_DB_SET_LIMIT_STATE, ANY), ==, 0);
  g_assert_true (f.limit.reached == FALSE);
  fixture_clear (&f);

  /* a changed restart point: the restart date is recomputed from START */
  fixture_init (&f, t, 100);
  restart_point (&f, "+W");
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  /* 2024-03-10 is a Sunday: the week ends on Monday the 11th, past */
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_RESTART), ==, 1);
  assert_date (&f, IPA_LIMIT_EVENT_RESTART, local (2024, 3, 18, 0, 0, 0));
  fixture_clear (&f);
}

static void
test_startup_reached (void)
{
  Fixture f;
  struct ipa_limit_state st = { 0 };
  gint64 t = local (2024, 3, 15, 10, 0, 0);
  gint64 reach = local (2024, 3, 14, 10, 0, 0);

  st.lim = 100;
  st.cnt = 130;
  state_date (&st, IPA_LIMIT_EVENT_START, local (2024, 3, 13, 0, 0, 0));
  state_date (&st, IPA_LIMIT_EVENT_REACH, reach);
  state_date (&st, IPA_LIMIT_EVENT_EXPIRE, local (2024, 3, 15, 0, 0, 0));

  /* stored expire date past: expire now */
  fixture_init (&f, t, 100);
  expire_point (&f, "+D");
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  dump_on_failure (&f);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_EXPIRE), ==, 1);
  g_assert_cmpuint (count_runs (&f, &cmd_expire), ==, 1);
  g_assert_cmpuint (count_runs (&f, &cmd_restart), ==, 0);
  g_assert_false (f.limit.reached);
  g_assert_cmpuint (f.limit.cnt, ==, 0);
  fixture_clear (&f);

  /* stored expire date in the future, unchanged point: stays reached */
  state_date (&st, IPA_LIMIT_EVENT_EXPIRE, local (2024, 3, 16, 0, 0, 0));
  state_date (&st, IPA_LIMIT_EVENT_REACH, t - 3600);
  fixture_init (&f, t, 100);
  expire_point (&f, "+D");
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_true (f.limit.reached);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
  g_assert_cmpuint (count (&f, FAKE_DB_SET_LIMIT_STATE, ANY), ==, 0);
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, local (2024, 3, 16, 0, 0, 0));
  fixture_clear (&f);

  /* the expire point got shorter: recomputed from REACH, already past */
  state_date (&st, IPA_LIMIT_EVENT_REACH, reach);
  fixture_init (&f, t, 100);
  expire_point (&f, "1h");
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_EXPIRE), ==, 1);
  g_assert_false (f.limit.reached);
  fixture_clear (&f);

  /* the expire point got longer: recomputed, in the future */
  fixture_init (&f, t, 100);
  expire_point (&f, "3D");
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_true (f.limit.reached);
  assert_date (&f, IPA_LIMIT_EVENT_EXPIRE, local (2024, 3, 17, 10, 0, 0));
  g_assert_false (fake_engine_find (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY)->flag);
  fixture_clear (&f);

  /* no expire point any more: stays reached until ipactl expire */
  fixture_init (&f, t, 100);
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_true (f.limit.reached);
  g_assert_false (has_date (&f, IPA_LIMIT_EVENT_EXPIRE));
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, G_MAXINT64);
  fixture_clear (&f);
}

static void
test_startup_sources (void)
{
  Fixture f;
  struct ipa_limit_state st = { 0 };
  gint64 t = local (2024, 3, 15, 10, 0, 0);
  const FakeCall *c;

  st.lim = 1000;
  st.cnt = 600;
  state_date (&st, IPA_LIMIT_EVENT_START, t - 3600);

  /* load_limit no: the database is not asked, a fresh start */
  fixture_init (&f, t, 1000);
  f.def.load_limit = FALSE;
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_DB_GET_LIMIT_STATE, ANY), ==, 0);
  g_assert_cmpuint (f.limit.cnt, ==, 0);
  g_assert_true (fake_engine_find (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY)->flag);
  fixture_clear (&f);

  /* no database state: the reload snapshot, registered as a new state */
  fixture_init (&f, t, 1000);
  add_sublimit (&f, "500", FALSE, 500, NULL);
  add_sublimit (&f, "90%", TRUE, 90, NULL);
  fake_engine_set_snapshot_limit (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_DB_GET_LIMIT_STATE, ANY), ==, 1);
  g_assert_cmpuint (count (&f, FAKE_SNAPSHOT_LIMIT, ANY), ==, 1);
  g_assert_cmpuint (f.limit.cnt, ==, 600);
  c = fake_engine_find (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY);
  g_assert_true (c->flag);
  g_assert_cmpuint (c->limit_state.cnt, ==, 600);
  /* the passed sublimit counts as reached, without its commands again */
  g_assert_cmpuint (f.limit.sub_reached, ==, 1);
  g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_SUBLIMIT_REACHED), ==, 0);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (count_runs (&f, &cmd_sub_reach), ==, 0);
  round_add (&f, TRUE, 300);
  g_assert_cmpuint (count_runs (&f, &cmd_sub_reach), ==, 1);
  g_assert_cmpuint (f.limit.sub_reached, ==, 3);
  fixture_clear (&f);

  /* a restored reached sublimit with an expire point: counted from now */
  fixture_init (&f, t, 1000);
  add_sublimit (&f, "500", FALSE, 500, "1h");
  fake_engine_set_db_limit_state (f.engine, &st);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_cmpuint (f.limit.sub_reached, ==, 1);
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, t + 3600);
  advance_to (&f, t + 3600);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (count_runs (&f, &cmd_sub_expire), ==, 1);
  fixture_clear (&f);

  /* neither: a fresh start */
  fixture_init (&f, t, 1000);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_SNAPSHOT_LIMIT, ANY), ==, 1);
  g_assert_cmpuint (f.limit.cnt, ==, 0);
  fixture_clear (&f);
}

/* ---- clock jumps ------------------------------------------------------- */

static void
test_clock_backward (void)
{
  Fixture f;
  gint64 midnight = local (2024, 3, 16, 0, 0, 0);

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 1000);
  restart_point (&f, "+D");
  init_fresh (&f);
  advance_to (&f, local (2024, 3, 15, 23, 0, 0));
  round_add (&f, TRUE, 10);
  /* the clock steps back to 20:00 the day before, then to last week */
  fake_engine_set_wall (f.engine, local (2024, 3, 15, 20, 0, 0));
  round_add (&f, TRUE, 10);
  fake_engine_set_wall (f.engine, local (2024, 3, 8, 20, 0, 0));
  round_add (&f, TRUE, 10);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
  g_assert_cmpuint (f.limit.cnt, ==, 30);
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, midnight);
  /* the date is absolute: the restart waits for it */
  fake_engine_set_wall (f.engine, midnight - 1);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
  fake_engine_set_wall (f.engine, midnight);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_RESTART), ==, 1);
  fixture_clear (&f);
}

static void
test_clock_forward (void)
{
  Fixture f;
  gint64 later = local (2024, 3, 18, 15, 0, 0);
  const FakeCall *c;

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 1000);
  restart_point (&f, "+D");
  init_fresh (&f);
  round_add (&f, TRUE, 10);
  /* three midnights jumped over: one restart, the next from now */
  fake_engine_set_wall (f.engine, later);
  ipa_limit_check (f.engine, &f.limit);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_RESTART), ==, 1);
  g_assert_cmpuint (count_runs (&f, &cmd_restart), ==, 1);
  assert_date (&f, IPA_LIMIT_EVENT_START, later);
  assert_date (&f, IPA_LIMIT_EVENT_RESTART, local (2024, 3, 19, 0, 0, 0));
  /* the old state says when it really restarted */
  c = fake_engine_find (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY);
  g_assert_false (c->flag);
  g_assert_cmpuint (c->limit_state.cnt, ==, 10);
  g_assert_cmpint (ipa_engine_wall_from_tm (&c->limit_state.event_date[IPA_LIMIT_EVENT_RESTART]),
                   ==, later);
  fixture_clear (&f);
}

/* ---- worktime ------------------------------------------------------------ */

static void
test_inactive (void)
{
  Fixture f;
  IpaWorktimeState ws = { 0 };
  gint64 midnight = local (2024, 3, 16, 0, 0, 0);

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 100);
  restart_point (&f, "+D");
  init_fresh (&f);
  round_add (&f, TRUE, 10);
  ipa_limit_set_active (f.engine, &f.limit, FALSE);
  g_assert_false (f.limit.active);
  g_assert_cmpint (ipa_limit_next_event (&f.limit), ==, G_MAXINT64);
  /* no counting, no reach, no restart while inactive */
  round_add (&f, TRUE, 500);
  g_assert_cmpuint (f.limit.cnt, ==, 10);
  g_assert_false (f.limit.reached);
  advance_to (&f, midnight + 3600);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
  /* active again: the missed restart happens now, once */
  ipa_limit_set_active (f.engine, &f.limit, TRUE);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_RESTART), ==, 1);
  assert_date (&f, IPA_LIMIT_EVENT_START, midnight + 3600);
  assert_date (&f, IPA_LIMIT_EVENT_RESTART, local (2024, 3, 17, 0, 0, 0));
  ipa_limit_set_active (f.engine, &f.limit, TRUE);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_RESTART), ==, 1);
  round_add (&f, TRUE, 100);
  g_assert_true (f.limit.reached);
  fixture_clear (&f);

  /* inactive from the start (worktime): a stored past restart waits */
  {
    struct ipa_limit_state st = { 0 };

    st.lim = 100;
    st.cnt = 5;
    state_date (&st, IPA_LIMIT_EVENT_START, local (2024, 3, 14, 10, 0, 0));
    fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 100);
    restart_point (&f, "+D");
    ws.active = FALSE;
    f.def.worktime = &ws;
    fake_engine_set_db_limit_state (f.engine, &st);
    ipa_limit_init (f.engine, &f.limit);
    /* it starts active; the engine then deactivates it */
    g_assert_true (f.limit.active);
    g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
    g_assert_cmpuint (f.limit.cnt, ==, 5);
    ipa_limit_set_active (f.engine, &f.limit, FALSE);
    ws.active = TRUE;
    ipa_limit_set_active (f.engine, &f.limit, TRUE);
    g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_RESTART), ==, 1);
    g_assert_cmpuint (f.limit.cnt, ==, 0);
    fixture_clear (&f);
  }

  /* the rule's worktime counts too */
  {
    struct ipa_limit_state st = { 0 };

    st.lim = 100;
    state_date (&st, IPA_LIMIT_EVENT_START, local (2024, 3, 14, 10, 0, 0));
    fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 100);
    restart_point (&f, "+D");
    ws.active = FALSE;
    f.params.worktime = &ws;
    fake_engine_set_db_limit_state (f.engine, &st);
    ipa_limit_init (f.engine, &f.limit);
    g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
    fixture_clear (&f);
  }
}

/* ---- arithmetic ------------------------------------------------------------ */

static void
test_negative_and_overflow (void)
{
  Fixture f;

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), G_MAXUINT64);
  init_fresh (&f);
  round_add (&f, TRUE, 100);
  round_add (&f, FALSE, 300);
  g_assert_cmpuint (f.limit.cnt, ==, 0);
  g_assert_cmpuint (count (&f, FAKE_DB_UPDATE_LIMIT, ANY), ==, 2);
  /* nothing to take off: no write */
  round_add (&f, FALSE, 5);
  g_assert_cmpuint (count (&f, FAKE_DB_UPDATE_LIMIT, ANY), ==, 2);
  round_add (&f, TRUE, G_MAXUINT64 - 10);
  g_assert_false (f.limit.reached);
  round_add (&f, TRUE, 100);
  g_assert_cmpuint (f.limit.cnt, ==, G_MAXUINT64);
  /* saturated at lim = 2^64-1: reached */
  g_assert_true (f.limit.reached);
  round_add (&f, TRUE, 100);
  g_assert_cmpuint (f.limit.cnt, ==, G_MAXUINT64);
  fixture_clear (&f);
}

/* ---- databases ------------------------------------------------------------ */

static void
test_db_failure_resend (void)
{
  Fixture f;
  const FakeCall *c;

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 100);
  restart_point (&f, "+D");
  fake_engine_set_failing (f.engine, 1U << 1);
  ipa_limit_init (f.engine, &f.limit);
  g_assert_cmpuint (f.limit.db_pending, ==, 2);
  /* the registration did not reach every database */
  g_assert_true (f.limit.state_new);
  round_add (&f, TRUE, 30);
  fake_engine_advance (f.engine, 60);
  round_add (&f, TRUE, 30);

  /* the engine retries: the whole state, still as a new state */
  fake_engine_set_failing (f.engine, 0);
  fake_engine_clear_calls (f.engine);
  ipa_limit_resend (f.engine, &f.limit);
  g_assert_cmpuint (f.limit.db_pending, ==, 0);
  g_assert_cmpuint (fake_engine_n_calls (f.engine), ==, 1);
  c = fake_engine_find (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY);
  g_assert_true (c->flag);
  g_assert_cmpuint (c->limit_state.lim, ==, 100);
  g_assert_cmpuint (c->limit_state.cnt, ==, 60);
  g_assert_cmpuint (c->limit_state.event_date_set & 0x7f, ==,
                    IPA_LIMIT_EVENT_START_SET | IPA_LIMIT_EVENT_RESTART_SET);
  g_assert_true (c->limit_state.event_date_set & IPA_LIMIT_EVENT_UPDATED_SET);
  g_assert_cmpint (c->limit_state.event_date[IPA_LIMIT_EVENT_RESTART].tm_mday, ==, 16);
  g_assert_false (f.limit.state_new);

  /* a later failure of an update: the resend overwrites */
  fake_engine_set_failing (f.engine, 1U << 0);
  round_add (&f, TRUE, 50);
  g_assert_true (f.limit.reached);
  g_assert_cmpuint (f.limit.db_pending, ==, 1);
  /* failing again: the bit stays */
  ipa_limit_resend (f.engine, &f.limit);
  g_assert_cmpuint (f.limit.db_pending, ==, 1);
  fake_engine_set_failing (f.engine, 0);
  fake_engine_clear_calls (f.engine);
  ipa_limit_resend (f.engine, &f.limit);
  g_assert_cmpuint (f.limit.db_pending, ==, 0);
  c = fake_engine_find (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY);
  g_assert_false (c->flag);
  g_assert_cmpuint (c->limit_state.cnt, ==, 110);
  g_assert_true (c->limit_state.event_date_set & IPA_LIMIT_EVENT_REACH_SET);
  g_assert_true (c->limit_state.event_date_set & IPA_LIMIT_EVENT_REACH_EXEC_SET);
  fixture_clear (&f);
}

/* ---- control -------------------------------------------------------------- */

static void
test_control (void)
{
  Fixture f;
  g_autoptr (GError) error = NULL;
  const FakeCall *c;
  gint64 t0 = local (2024, 3, 15, 10, 0, 0);

  fixture_init (&f, t0, 100);
  restart_point (&f, "+D");
  init_fresh (&f);

  g_assert_true (ipa_limit_set_value (f.engine, &f.limit, TRUE, IPA_ENGINE_SET_ASSIGN, 50, NULL));
  g_assert_cmpuint (f.limit.cnt, ==, 50);
  c = fake_engine_find (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY);
  g_assert_false (c->flag);
  g_assert_cmpuint (c->limit_state.cnt, ==, 50);
  c = fake_engine_find (f.engine, FAKE_EMIT, IPA_ENGINE_EVENT_COUNTER_CHANGED);
  g_assert_cmpstr (c->text, ==, "limit r1/l1: counter changed from 0 to 50");
  g_assert_true (ipa_limit_set_value (f.engine, &f.limit, TRUE, IPA_ENGINE_SET_ADD, 30, NULL));
  g_assert_cmpuint (f.limit.cnt, ==, 80);
  g_assert_true (ipa_limit_set_value (f.engine, &f.limit, TRUE, IPA_ENGINE_SET_SUBTRACT, 100,
                                      NULL));
  g_assert_cmpuint (f.limit.cnt, ==, 0);
  g_assert_true (ipa_limit_set_value (f.engine, &f.limit, TRUE, IPA_ENGINE_SET_ADD,
                                      G_MAXUINT64, NULL));
  g_assert_true (ipa_limit_set_value (f.engine, &f.limit, TRUE, IPA_ENGINE_SET_ADD, 1, NULL));
  g_assert_cmpuint (f.limit.cnt, ==, G_MAXUINT64);
  /* not checked before the next round */
  g_assert_false (f.limit.reached);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, ANY), ==, 0);
  g_assert_true (ipa_limit_set_value (f.engine, &f.limit, TRUE, IPA_ENGINE_SET_ASSIGN, 90, NULL));

  /* the limit value */
  g_assert_true (ipa_limit_set_value (f.engine, &f.limit, FALSE, IPA_ENGINE_SET_SUBTRACT, 20,
                                      NULL));
  g_assert_cmpuint (f.limit.lim, ==, 80);
  c = fake_engine_call (f.engine, fake_engine_n_calls (f.engine) - 2);
  g_assert_cmpint (c->kind, ==, FAKE_DB_SET_LIMIT_STATE);
  g_assert_cmpuint (c->limit_state.lim, ==, 80);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_true (f.limit.reached);
  g_assert_true (ipa_limit_set_value (f.engine, &f.limit, FALSE, IPA_ENGINE_SET_ADD, 1000, NULL));
  g_assert_cmpuint (f.limit.lim, ==, 1080);
  g_assert_true (ipa_limit_set_value (f.engine, &f.limit, FALSE, IPA_ENGINE_SET_ASSIGN, 70, NULL));
  g_assert_cmpuint (f.limit.lim, ==, 70);
  g_assert_false (ipa_limit_set_value (f.engine, &f.limit, FALSE, (IpaEngineSetOp) 42, 1, &error));
  g_assert_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  /* restart now: restart commands, a new state; the old one records when */
  fake_engine_advance (f.engine, 600);
  fake_engine_clear_calls (f.engine);
  g_assert_true (ipa_limit_restart_now (f.engine, &f.limit, NULL));
  g_assert_false (f.limit.reached);
  g_assert_cmpuint (f.limit.cnt, ==, 0);
  g_assert_cmpuint (count_runs (&f, &cmd_restart), ==, 1);
  g_assert_cmpuint (count (&f, FAKE_DB_SET_LIMIT_STATE, ANY), ==, 2);
  c = fake_engine_find (f.engine, FAKE_DB_SET_LIMIT_STATE, ANY);
  g_assert_false (c->flag);
  g_assert_cmpint (ipa_engine_wall_from_tm (&c->limit_state.event_date[IPA_LIMIT_EVENT_RESTART]),
                   ==, t0 + 600);
  assert_date (&f, IPA_LIMIT_EVENT_RESTART, local (2024, 3, 16, 0, 0, 0));

  /* expire of a limit that is not reached */
  fake_engine_clear_calls (f.engine);
  g_assert_false (ipa_limit_expire_now (f.engine, &f.limit, &error));
  g_assert_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_STATE);
  g_assert_nonnull (strstr (error->message, "r1/l1"));
  g_assert_cmpuint (fake_engine_n_calls (f.engine), ==, 0);
  fixture_clear (&f);
}

/* ---- startup / shutdown sections -------------------------------------------- */

static void
test_startup_shutdown (void)
{
  Fixture f;
  const FakeCall *c;

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 100);
  f.def.startup.cmds = CMDS (cmd_plain);
  f.def.startup.if_reached = CMDS (cmd_if_reached);
  f.def.startup.if_not_reached = CMDS (cmd_if_not_reached);
  f.def.shutdown.if_reached = CMDS (cmd_if_reached);
  init_fresh (&f);

  ipa_limit_startup (f.engine, &f.limit);
  g_assert_cmpuint (fake_engine_n_calls (f.engine), ==, 3);
  c = fake_engine_call (f.engine, 0);
  g_assert_cmpint (c->kind, ==, FAKE_AC_LIMIT_EVENT);
  g_assert_cmpuint (c->event, ==, IPA_LIMIT_EVENT_STARTUP_IF_NOT_REACHED);
  c = fake_engine_call (f.engine, 1);
  g_assert_true (c->cmds->commands == &cmd_plain);
  g_assert_true (c->flag);
  g_assert_cmpstr (c->text, ==, "startup");
  c = fake_engine_call (f.engine, 2);
  g_assert_true (c->cmds->commands == &cmd_if_not_reached);
  g_assert_true (c->flag);
  g_assert_cmpstr (c->text, ==, "startup if_not_reached");

  /* shutdown of a reached limit: no plain commands, if_reached */
  round_add (&f, TRUE, 100);
  fake_engine_clear_calls (f.engine);
  ipa_limit_shutdown (f.engine, &f.limit);
  g_assert_cmpuint (fake_engine_n_calls (f.engine), ==, 2);
  g_assert_cmpuint (fake_engine_call (f.engine, 0)->event, ==, IPA_LIMIT_EVENT_SHUTDOWN_IF_REACHED);
  c = fake_engine_call (f.engine, 1);
  g_assert_true (c->cmds->commands == &cmd_if_reached);
  g_assert_true (c->flag);
  g_assert_cmpstr (c->text, ==, "shutdown if_reached");

  fake_engine_clear_calls (f.engine);
  ipa_limit_startup (f.engine, &f.limit);
  g_assert_cmpuint (fake_engine_call (f.engine, 0)->event, ==, IPA_LIMIT_EVENT_STARTUP_IF_REACHED);
  g_assert_true (fake_engine_call (f.engine, 2)->cmds->commands == &cmd_if_reached);
  fixture_clear (&f);
}

/* ---- state ------------------------------------------------------------------ */

static void
test_to_state (void)
{
  Fixture f;
  struct ipa_limit_state st;
  const ipa_tm *tm;

  fixture_init (&f, local (2024, 3, 15, 10, 20, 30), 100);
  restart_point (&f, "+M");
  init_fresh (&f);
  round_add (&f, TRUE, 42);
  ipa_limit_to_state (&f.limit, &st);
  g_assert_cmpuint (st.lim, ==, 100);
  g_assert_cmpuint (st.cnt, ==, 42);
  g_assert_cmpuint (st.event_date_set, ==, IPA_LIMIT_EVENT_START_SET | IPA_LIMIT_EVENT_RESTART_SET
                    | IPA_LIMIT_EVENT_UPDATED_SET);
  tm = &st.event_date[IPA_LIMIT_EVENT_START];
  g_assert_cmpint (tm->tm_year, ==, 2024);
  g_assert_cmpint (tm->tm_mon, ==, 3);
  g_assert_cmpint (tm->tm_mday, ==, 15);
  g_assert_cmpint (tm->tm_hour, ==, 10);
  g_assert_cmpint (tm->tm_min, ==, 20);
  g_assert_cmpint (tm->tm_sec, ==, 30);
  g_assert_cmpint (tm->tm_wday, ==, 5);
  tm = &st.event_date[IPA_LIMIT_EVENT_RESTART];
  g_assert_cmpint (tm->tm_mon, ==, 4);
  g_assert_cmpint (tm->tm_mday, ==, 1);
  g_assert_cmpint (tm->tm_hour, ==, 0);
  /* dates that are not set are zero */
  tm = &st.event_date[IPA_LIMIT_EVENT_REACH];
  g_assert_cmpint (tm->tm_year, ==, 0);
  g_assert_cmpint (tm->tm_mday, ==, 0);
  fixture_clear (&f);
}

/* A limit of 0 is reached at every start. */
static void
test_zero_limit (void)
{
  Fixture f;

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 0);
  expire_point (&f, "1h");
  init_fresh (&f);
  ipa_limit_check (f.engine, &f.limit);
  g_assert_true (f.limit.reached);
  advance_to (&f, local (2024, 3, 15, 11, 0, 0));
  ipa_limit_check (f.engine, &f.limit);
  g_assert_true (f.limit.reached);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_EXPIRE), ==, 1);
  g_assert_cmpuint (count (&f, FAKE_AC_LIMIT_EVENT, IPA_LIMIT_EVENT_REACH), ==, 2);
  assert_date (&f, IPA_LIMIT_EVENT_EXPIRE, local (2024, 3, 15, 12, 0, 0));
  fixture_clear (&f);
}

/* Debug levels: messages at LOG_DEBUG, none at level 0. */
static void
test_debug (void)
{
  Fixture f;
  guint n = 0;

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 100);
  init_fresh (&f);
  round_add (&f, TRUE, 100);
  g_assert_cmpuint (count (&f, FAKE_EMIT, IPA_ENGINE_EVENT_MESSAGE), ==, 0);
  fixture_clear (&f);

  fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 100);
  f.def.debug_limit = 2;
  f.def.debug_limit_init = 1;
  ipa_limit_init (f.engine, &f.limit);
  round_add (&f, TRUE, 100);
  for (guint i = 0; i < fake_engine_n_calls (f.engine); i++)
    {
      const FakeCall *c = fake_engine_call (f.engine, i);

      if (c->kind == FAKE_EMIT && c->event == IPA_ENGINE_EVENT_MESSAGE)
        {
          g_assert_cmpint (c->priority, ==, LOG_DEBUG);
          g_assert_true (g_str_has_prefix (c->text, "limit r1/l1: "));
          n++;
        }
    }
  /* no stored state, started, +100, reached, running reach */
  g_assert_cmpuint (n, >=, 5);
  fixture_clear (&f);

  /* what was loaded, with both dates */
  {
    struct ipa_limit_state st = { 0 };
    gboolean found = FALSE;

    st.lim = 100;
    st.cnt = 130;
    state_date (&st, IPA_LIMIT_EVENT_START, local (2024, 3, 13, 0, 0, 0));
    state_date (&st, IPA_LIMIT_EVENT_REACH, local (2024, 3, 14, 10, 0, 0));
    fixture_init (&f, local (2024, 3, 15, 10, 0, 0), 100);
    expire_point (&f, "3D");
    f.def.debug_limit_init = 1;
    fake_engine_set_db_limit_state (f.engine, &st);
    ipa_limit_init (f.engine, &f.limit);
    for (guint i = 0; i < fake_engine_n_calls (f.engine); i++)
      {
        const FakeCall *c = fake_engine_call (f.engine, i);

        if (c->kind == FAKE_EMIT && g_str_has_prefix (c->text, "limit r1/l1: loaded: "))
          {
            g_assert_cmpstr (c->text, ==, "limit r1/l1: loaded: counter 130, reached at "
                             "2024-03-14 10:00:00, expire 2024-03-17 10:00:00");
            found = TRUE;
          }
      }
    g_assert_true (found);
    fixture_clear (&f);
  }
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

  g_test_add_func ("/limit/reach-once", test_reach_once);
  g_test_add_func ("/limit/reach-bytes-message", test_reach_bytes_message);
  for (guint i = 0; i < G_N_ELEMENTS (restart_cases); i++)
    {
      const RestartCase *rc = &restart_cases[i];
      g_autofree char *path = g_strdup_printf ("/limit/restart/%u-%s-%04d-%02d-%02d", i, rc->point,
                                               rc->start[0], rc->start[1], rc->start[2]);

      g_strdelimit (path, " ", '_');
      g_test_add_data_func (path, &restart_cases[i], test_restart_points);
    }
  g_test_add_func ("/limit/reached-waits-for-expire", test_reached_waits_for_expire);
  g_test_add_func ("/limit/expire-point", test_expire_point);
  g_test_add_func ("/limit/exec-dates-held", test_exec_dates_held);
  g_test_add_func ("/limit/sublimits", test_sublimits);
  g_test_add_func ("/limit/sublimit-expire", test_sublimit_expire);
  g_test_add_func ("/limit/startup/past-restart", test_startup_past_restart);
  g_test_add_func ("/limit/startup/changed-lim", test_startup_changed_lim);
  g_test_add_func ("/limit/startup/reached", test_startup_reached);
  g_test_add_func ("/limit/startup/sources", test_startup_sources);
  g_test_add_func ("/limit/clock/backward", test_clock_backward);
  g_test_add_func ("/limit/clock/forward", test_clock_forward);
  g_test_add_func ("/limit/inactive", test_inactive);
  g_test_add_func ("/limit/negative-and-overflow", test_negative_and_overflow);
  g_test_add_func ("/limit/db-failure-resend", test_db_failure_resend);
  g_test_add_func ("/limit/control", test_control);
  g_test_add_func ("/limit/startup-shutdown", test_startup_shutdown);
  g_test_add_func ("/limit/to-state", test_to_state);
  g_test_add_func ("/limit/zero-limit", test_zero_limit);
  g_test_add_func ("/limit/debug", test_debug);
  return g_test_run ();
}
