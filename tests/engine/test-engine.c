/*
 * test-engine.c: the engine with real modules (ipa_atest, ipa_db_memory)
 * on a virtual clock: records, days, append_time, worktime, limits on
 * calendar points and DST days, clock jumps, dynamic rules, misbehaving
 * modules, reload and restart.  TZ is Europe/Kyiv (DST changes on the
 * last Sundays of March and October).
 *
 * The modules check the call contract of ipa_mod(3) themselves and write
 * "VIOLATION" lines into their traces; every test ends by asserting there
 * are none.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine-harness.h"
#include "ipa-limit.h"

#define HEAD \
  "ac_mod \"ipa_atest.so\";\n" \
  "db_mod \"ipa_db_memory.so\";\n" \
  "atest:trace = \"@DIR@/ac.trace\";\n" \
  "atest:control = \"@DIR@/control\";\n" \
  "memory:file = \"@DIR@/db\";\n" \
  "memory:trace = \"@DIR@/db.trace\";\n" \
  "global { ac_list = atest; db_list = memory; update_time = 1m; }\n"

static void
assert_no_violations (Harness *h)
{
  g_autoptr(GPtrArray) a = harness_trace (h, "ac.trace", "VIOLATION");
  g_autoptr(GPtrArray) d = harness_trace (h, "db.trace", "VIOLATION");

  for (guint i = 0; i < a->len; i++)
    g_printerr ("ac: %s\n", (char *) a->pdata[i]);
  for (guint i = 0; i < d->len; i++)
    g_printerr ("db: %s\n", (char *) d->pdata[i]);
  g_assert_cmpuint (a->len + d->len, ==, 0);
}

static Harness *
start (const char *local, const char *conf)
{
  Harness *h = harness_new (local);
  g_autoptr(GError) error = NULL;

  if (!harness_start (h, conf, &error))
    g_error ("start: %s", error->message);
  return h;
}

static guint64
counter (Harness *h, const char *rule)
{
  IpaRule *r = ipa_engine_lookup_rule (h->engine, rule);

  g_assert_nonnull (r);
  return ipa_rule_get_counter (r);
}

static IpaLimit *
limit (Harness *h, const char *rule, const char *name)
{
  IpaRule *r = ipa_engine_lookup_rule (h->engine, rule);

  g_assert_nonnull (r);
  return ipa_rule_lookup_limit (r, name);
}

/* Records of @rule: "record NAME DAY FIRST LAST CNT". */
static void
assert_records_sane (Harness *h, const char *rule)
{
  g_autoptr(GPtrArray) recs = harness_db_lines (h, "record", rule);

  for (guint i = 0; i < recs->len; i++)
    {
      g_auto (GStrv) f = g_strsplit (recs->pdata[i], " ", -1);

      g_assert_cmpuint (g_strv_length (f), >=, 6);
      /* Both times of a record lie in its day and end >= start. */
      g_assert_cmpstr (f[3], <=, f[4]);
    }
}

/* ---- counting and records ---- */

static void
test_count_basic (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule r1 { atest:chunk = 100; }\n"
                                "rule r2 { atest:chunk = 7; db_list = null; }\n");
  g_autoptr(GPtrArray) calls = NULL;

  harness_advance (h, 10 * 60);
  /* A round at start and one a minute: 11. */
  calls = harness_trace (h, "ac.trace", "get_rule_stat ");
  g_assert_cmpuint (counter (h, "r1"), ==, 1100);
  g_assert_cmpuint (counter (h, "r2"), ==, 77);
  harness_stop (h, TRUE);
  /* Stopping reads the modules a last time and writes it all. */
  g_assert_cmpuint (harness_db_total (h, "r1"), ==, 1200);
  /* The null database stores nothing. */
  g_assert_cmpuint (harness_db_lines (h, "record", "r2")->len, ==, 0);
  assert_records_sane (h, "r1");
  assert_no_violations (h);
}

static void
test_newstat_generation (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule r1 { atest:chunk = 1; }\n"
                                "rule r2 { atest:chunk = 1; }\n");
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *first_gen = NULL;

  harness_advance (h, 3 * 60);
  calls = harness_trace (h, "ac.trace", "get_rule_stat ");
  g_assert_cmpuint (calls->len, ==, 8);
  /* INV-48: the first call of each rule has newstat=1, later ones 0. */
  for (guint i = 0; i < calls->len; i++)
    {
      g_autofree char *ns = harness_field (calls->pdata[i], "newstat");
      g_autofree char *gen = harness_field (calls->pdata[i], "gen");

      g_assert_cmpstr (ns, ==, i < 2 ? "1" : "0");
      g_assert_cmpint (atoi (gen), >, 0);
      if (i == 0)
        first_gen = g_strdup (gen);
      else if (i >= 2)
        g_assert_cmpstr (gen, !=, first_gen);
    }
  assert_no_violations (h);
}

static void
test_day_change (void)
{
  g_autoptr(Harness) h = start ("2024-01-31 23:50:00",
                                HEAD "rule r1 { atest:chunk = 10; }\n");
  g_autoptr(GPtrArray) recs = NULL;

  harness_run_until (h, harness_wall ("2024-02-01 00:10:00"));
  harness_stop (h, FALSE);
  recs = harness_db_lines (h, "record", "r1");
  g_assert_cmpuint (recs->len, ==, 2);
  g_assert_true (strstr (recs->pdata[0], " 2024-01-31 23:50:00 23:59:59 ") != NULL);
  g_assert_true (strstr (recs->pdata[1], " 2024-02-01 00:00:00 ") != NULL);
  /* Rounds 23:50..00:00 (11 of them) count in January, 00:01..00:10 and
   * the last one at stop in February. */
  g_assert_true (g_str_has_suffix (recs->pdata[0], " 110"));
  g_assert_true (g_str_has_suffix (recs->pdata[1], " 110"));
  assert_records_sane (h, "r1");
  assert_no_violations (h);
}

static void
test_append_time (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 00:00:00",
                                HEAD "rule r1 { atest:chunk = 1; append_time = 30m; }\n"
                                "rule r2 { atest:chunk = 1; }\n");
  g_autoptr(GPtrArray) r1 = NULL, r2 = NULL;

  harness_run_until (h, harness_wall ("2024-05-07 00:00:00"));
  harness_stop (h, FALSE);
  r1 = harness_db_lines (h, "record", "r1");
  r2 = harness_db_lines (h, "record", "r2");
  /* 48 half hours of May 6, and the record of May 7 starting at 00:00. */
  g_assert_cmpuint (r1->len, ==, 49);
  g_assert_true (strstr (r1->pdata[1], " 2024-05-06 00:30:00 ") != NULL);
  g_assert_true (strstr (r1->pdata[48], " 2024-05-07 00:00:00 ") != NULL);
  /* Without append_time: one record a day. */
  g_assert_cmpuint (r2->len, ==, 2);
  g_assert_cmpuint (harness_db_total (h, "r1"), ==, harness_db_total (h, "r2"));
  assert_records_sane (h, "r1");
  assert_no_violations (h);
}

static void
test_worktime (void)
{
  /* 2024-05-06 is a Monday. */
  g_autoptr(Harness) h = start ("2024-05-06 08:50:00",
                                HEAD "rule r1 { atest:chunk = 5; worktime = M 09:00-18:00; }\n");
  IpaRule *r = ipa_engine_lookup_rule (h->engine, "r1");
  g_autoptr(GPtrArray) act = NULL;
  g_autoptr(GPtrArray) recs = NULL;

  g_assert_false (ipa_rule_is_active (r));
  harness_run_until (h, harness_wall ("2024-05-06 08:59:00"));
  g_assert_false (ipa_rule_is_active (r));
  g_assert_cmpuint (harness_trace (h, "ac.trace", "get_rule_stat ")->len, ==, 0);
  harness_run_until (h, harness_wall ("2024-05-06 09:00:00"));
  g_assert_true (ipa_rule_is_active (r));
  harness_run_until (h, harness_wall ("2024-05-06 18:00:00"));
  g_assert_false (ipa_rule_is_active (r));
  harness_run_until (h, harness_wall ("2024-05-07 12:00:00"));
  g_assert_false (ipa_rule_is_active (r));
  harness_stop (h, FALSE);
  act = harness_trace (h, "ac.trace", "set_rule_active ");
  g_assert_cmpuint (act->len, ==, 3); /* 0 at start, 1 at 09:00, 0 at 18:00 */
  recs = harness_db_lines (h, "record", "r1");
  g_assert_cmpuint (recs->len, ==, 1);
  g_assert_true (strstr (recs->pdata[0], " 2024-05-06 09:00:00 ") != NULL);
  /* 09:00 .. 18:00: one round at activation, one a minute, a last one
   * before 18:00 made it inactive: 541 chunks. */
  g_assert_cmpuint (harness_db_total (h, "r1"), ==, 541 * 5);
  assert_no_violations (h);
}

/* ---- limits ---- */

static void
test_limit_reach_once (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule r1 { atest:chunk = 1K;\n"
                                "  limit l { limit = 5K;\n"
                                "    reach { exec \"echo reach ${rule} ${limit} >> @DIR@/out\"; } } }\n");
  g_autofree char *out = NULL;
  struct ipa_limit_state st;

  harness_advance (h, 20 * 60);
  out = harness_read (h, "out");
  g_assert_cmpstr (out, ==, "reach r1 l\n");
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_LIMIT_REACHED, "r1"), ==, 1);
  ipa_limit_get_state (limit (h, "r1", "l"), &st);
  g_assert_true (st.event_date_set & IPA_LIMIT_EVENT_REACH_SET);
  g_assert_true (st.event_date_set & IPA_LIMIT_EVENT_REACH_EXEC_SET);
  /* Reached at the fifth round (10:04); counting goes on. */
  g_assert_cmpint (st.event_date[IPA_LIMIT_EVENT_REACH].tm_min, ==, 4);
  g_assert_cmpuint (st.cnt, ==, 21 * 1024);
  g_assert_cmpuint (harness_trace (h, "ac.trace", "limit_event ")->len, >=, 1);
  assert_no_violations (h);
}

static void
check_restart (const char *start_local, const char *point, const char *expect_local)
{
  /* Hourly updates: the restart happens at its date, not at a round. */
  g_autofree char *conf = g_strdup_printf (HEAD "rule r1 { atest:chunk = 1; update_time = 1h;\n"
                                           "  limit l { limit = 1G; restart { restart = %s; } } }\n",
                                           point);
  g_autoptr(Harness) h = start (start_local, conf);
  struct ipa_limit_state st;
  gint64 expect = harness_wall (expect_local);

  ipa_limit_get_state (limit (h, "r1", "l"), &st);
  g_assert_true (st.event_date_set & IPA_LIMIT_EVENT_RESTART_SET);
  g_assert_cmpint (ipa_engine_wall_from_tm (&st.event_date[IPA_LIMIT_EVENT_RESTART]), ==, expect);
  harness_run_until (h, expect - 1);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_LIMIT_RESTARTED, "r1"), ==, 0);
  harness_run_until (h, expect + 1);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_LIMIT_RESTARTED, "r1"), ==, 1);
  ipa_limit_get_state (limit (h, "r1", "l"), &st);
  g_assert_cmpuint (st.cnt, <=, 2);
  assert_no_violations (h);
}

static void
test_limit_restart_points (void)
{
  check_restart ("2024-03-15 10:00:00", "+M", "2024-04-01 00:00:00");
  check_restart ("2024-01-31 10:00:00", "+M", "2024-02-01 00:00:00");
  check_restart ("2024-05-08 10:00:00", "+W", "2024-05-13 00:00:00");
  check_restart ("2024-05-08 10:00:00", "+D", "2024-05-09 00:00:00");
  /* A leap day. */
  check_restart ("2024-02-28 12:00:00", "+D", "2024-02-29 00:00:00");
  check_restart ("2024-02-29 12:00:00", "+D", "2024-03-01 00:00:00");
  /* Both DST days of Europe/Kyiv: 23 and 25 hours. */
  check_restart ("2024-03-31 01:00:00", "+D", "2024-04-01 00:00:00");
  check_restart ("2024-10-27 01:00:00", "+D", "2024-10-28 00:00:00");
  check_restart ("2024-03-31 01:30:00", "+h", "2024-03-31 02:00:00");
}

static void
test_limit_expire (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 22:00:00",
                                HEAD "rule r1 { atest:chunk = 1K;\n"
                                "  limit l { limit = 10K;\n"
                                "    reach { exec \"echo reach >> @DIR@/out\"; }\n"
                                "    expire { expire = +D; exec \"echo expire >> @DIR@/out\"; } } }\n");
  g_autofree char *out = NULL;

  harness_run_until (h, harness_wall ("2024-05-07 00:05:00"));
  out = harness_read (h, "out");
  /* Reached at 22:09, expired at midnight, reached again at 00:09? not yet. */
  g_assert_cmpstr (out, ==, "reach\nexpire\n");
  g_assert_false (ipa_limit_is_reached (limit (h, "r1", "l")));
  harness_run_until (h, harness_wall ("2024-05-07 00:15:00"));
  g_free (out);
  out = harness_read (h, "out");
  g_assert_cmpstr (out, ==, "reach\nexpire\nreach\n");
  assert_no_violations (h);
}

static void
test_limit_state_restart (void)
{
  const char *conf = HEAD "rule r1 { atest:chunk = 1K;\n"
                     "  limit l { limit = 1G; restart { restart = +D; } } }\n";
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00", conf);
  g_autoptr(GError) error = NULL;
  struct ipa_limit_state st;

  harness_advance (h, 9 * 60);
  g_assert_cmpuint (ipa_limit_get_rule (limit (h, "r1", "l")) != NULL, ==, TRUE);
  /* A daemon restart the same day: the counter comes back from the db. */
  g_assert_true (harness_restart (h, conf, TRUE, &error));
  g_assert_no_error (error);
  ipa_limit_get_state (limit (h, "r1", "l"), &st);
  g_assert_cmpuint (st.cnt, >=, 10 * 1024);
  /* A restart after the restart date: the limit restarts at once. */
  harness_stop (h, TRUE);
  ipa_clock_advance (h->clock, (gint64) 2 * 86400 * G_USEC_PER_SEC);
  g_assert_true (harness_restart (h, conf, FALSE, &error));
  g_assert_no_error (error);
  ipa_limit_get_state (limit (h, "r1", "l"), &st);
  g_assert_cmpuint (st.cnt, <=, 1024);
  assert_no_violations (h);
}

/* ---- clock ---- */

static void
test_clock_jump_back (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule r1 { atest:chunk = 1;\n"
                                "  limit l { limit = 1G; restart { restart = +h; } } }\n");

  harness_run_until (h, harness_wall ("2024-05-06 10:30:00"));
  harness_step_wall (h, -3600);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_TIME_JUMP, NULL), ==, 1);
  harness_advance (h, 20 * 60);
  /* One warning, no restart because of the step, and records stay sane. */
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_TIME_JUMP, NULL), ==, 1);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_LIMIT_RESTARTED, NULL), ==, 0);
  harness_stop (h, FALSE);
  assert_records_sane (h, "r1");
  /* Nothing counted twice or lost: 31 rounds before, 1 at the jump, 20
   * after, 1 at stop. */
  g_assert_cmpuint (harness_db_total (h, "r1"), ==, 53);
  assert_no_violations (h);
}

static void
test_clock_jump_forward (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule r1 { atest:chunk = 1;\n"
                                "  limit l { limit = 1G; restart { restart = +D; } } }\n");

  harness_advance (h, 10 * 60);
  harness_step_wall (h, 86400);
  harness_advance (h, 10 * 60);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_TIME_JUMP, NULL), ==, 1);
  /* The restart date was passed once: one restart, not a replay. */
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_LIMIT_RESTARTED, NULL), ==, 1);
  harness_stop (h, FALSE);
  assert_records_sane (h, "r1");
  g_assert_cmpuint (harness_db_lines (h, "record", "r1")->len, ==, 2);
  g_assert_cmpuint (harness_db_total (h, "r1"), ==, 23);
  assert_no_violations (h);
}

/* ---- statistics semantics ---- */

static void
test_negative_and_overflow (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule r1 { atest:chunk = 100; }\n"
                                "rule r2 { atest:chunk = 18446744073709551000; }\n");

  harness_advance (h, 60);
  g_assert_cmpuint (counter (h, "r1"), ==, 200);
  harness_control (h, "chunk r1 -500");
  harness_advance (h, 60);
  /* Not below zero; the rest is a debt paid by later traffic. */
  g_assert_cmpuint (counter (h, "r1"), ==, 0);
  harness_control (h, "chunk r1 400");
  harness_advance (h, 60);
  g_assert_cmpuint (counter (h, "r1"), ==, 100);
  /* r2 overflowed at its second round: a new record. */
  harness_stop (h, FALSE);
  g_assert_cmpuint (harness_db_lines (h, "record", "r2")->len, >=, 2);
  assert_no_violations (h);
}

static void
test_gather (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule in1 { atest:chunk = 10; }\n"
                                "rule in2 { atest:chunk = 5; }\n"
                                "rule excl { atest:chunk = 3; }\n"
                                "rule sum { ac_list = null; ac_gather_add = \"^(in|excl)\";\n"
                                "  ac_gather_sub = \"^excl$\"; }\n");

  harness_advance (h, 60);
  /* in1 + in2 = 15 per round; excl matches both patterns: nothing. */
  g_assert_cmpuint (counter (h, "sum"), ==, 30);
  assert_no_violations (h);
}

/* ---- dynamic rules ---- */

static void
test_dynamic_rules (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule s1 { atest:chunk = 1; }\n"
                                "autorule a { atest:chunk = 2;\n"
                                "  limit l { limit = 3; reach { exec \"echo ${rule} >> @DIR@/out\"; } } }\n");
  IpaModuleSet *mods = ipa_engine_get_conf (h->engine)->modules;
  IpaModule *m = ipa_module_set_lookup (mods, IPA_MODULE_KIND_AC, "atest");
  unsigned int no = 0;
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) calls = NULL;

  /* INV-63: outside ac_get_stat the host refuses. */
  g_assert_cmpint (m->mod.ac->ac_create_rule ("atest", 0, &no, "x", NULL), ==, -1);

  harness_control (h, "create a d1 the first one");
  harness_advance (h, 60);
  g_assert_nonnull (ipa_engine_lookup_rule (h->engine, "d1"));
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_RULE_CREATED, "d1"), ==, 1);
  g_assert_cmpuint (ipa_rule_get_number (ipa_engine_lookup_rule (h->engine, "d1")), ==, 1);
  harness_control (h, "create a s1");
  harness_advance (h, 60);
  g_assert_cmpuint (harness_trace (h, "ac.trace", "create_rule autorule=0 name=s1 ret=-2")->len,
                    ==, 1);
  harness_advance (h, 3 * 60);
  out = harness_read (h, "out");
  g_assert_cmpstr (out, ==, "d1\n");
  harness_control (h, "delete d1");
  harness_advance (h, 60);
  g_assert_null (ipa_engine_lookup_rule (h->engine, "d1"));
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_RULE_DELETED, "d1"), ==, 1);
  harness_advance (h, 3 * 60);
  /* No get_rule_stat for rule 1 after the delete. */
  calls = harness_trace (h, "ac.trace", "deinit_rule rule=1");
  g_assert_cmpuint (calls->len, ==, 1);
  harness_stop (h, FALSE);
  /* Its records stay in the database. */
  g_assert_cmpuint (harness_db_total (h, "d1"), >, 0);
  assert_no_violations (h);
}

static void
test_control_create_delete (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule s1 { atest:chunk = 1; }\n"
                                "autorule a { atest:chunk = 2; }\n");
  g_autoptr(GError) error = NULL;
  IpaRule *r;

  r = ipa_engine_create_rule (h->engine, "a", "by-ipactl", "info", &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_null (ipa_engine_create_rule (h->engine, "a", "by-ipactl", NULL, &error));
  g_assert_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (ipa_engine_create_rule (h->engine, "nope", "x", NULL, &error));
  g_assert_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_NO_SUCH_AUTORULE);
  g_clear_error (&error);
  g_assert_null (ipa_engine_create_rule (h->engine, "a", "bad/name", NULL, &error));
  g_assert_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  harness_advance (h, 120);
  g_assert_cmpuint (counter (h, "by-ipactl"), ==, 4);
  g_assert_false (ipa_engine_delete_rule (h->engine, ipa_engine_lookup_rule (h->engine, "s1"),
                                          &error));
  g_assert_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_NOT_DYNAMIC);
  g_clear_error (&error);
  g_assert_true (ipa_engine_delete_rule (h->engine, r, &error));
  g_assert_null (ipa_engine_lookup_rule (h->engine, "by-ipactl"));
  assert_no_violations (h);
}

static void
test_control_counters (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule r1 { atest:chunk = 0;\n"
                                "  limit l { limit = 1000; } }\n");
  g_autoptr(GError) error = NULL;
  IpaRule *r = ipa_engine_lookup_rule (h->engine, "r1");
  IpaLimit *l = limit (h, "r1", "l");

  g_assert_false (ipa_engine_rule_set_counter (h->engine, r, IPA_ENGINE_SET_ASSIGN, 5, &error));
  g_assert_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ipa_engine_rule_set_counter (h->engine, r, IPA_ENGINE_SET_ADD, 600, &error));
  g_assert_cmpuint (ipa_rule_get_counter (r), ==, 600);
  /* Not reached until the next regular check. */
  g_assert_true (ipa_engine_rule_set_counter (h->engine, r, IPA_ENGINE_SET_ADD, 600, &error));
  g_assert_false (ipa_limit_is_reached (l));
  harness_advance (h, 60);
  g_assert_true (ipa_limit_is_reached (l));
  g_assert_true (ipa_engine_rule_set_counter (h->engine, r, IPA_ENGINE_SET_SUBTRACT, 5000, &error));
  g_assert_cmpuint (ipa_rule_get_counter (r), ==, 0);
  g_assert_true (ipa_engine_limit_expire (h->engine, l, &error));
  g_assert_no_error (error);
  g_assert_false (ipa_limit_is_reached (l));
  g_assert_false (ipa_engine_limit_expire (h->engine, l, &error));
  g_assert_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_STATE);
  g_clear_error (&error);
  assert_no_violations (h);
}

/* ---- misbehaving modules ---- */

static void
test_module_fails (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule r1 { atest:chunk = 10; atest:fail_once = \"get_rule_stat@3\"; }\n"
                                "rule r2 { atest:chunk = 10; }\n");

  harness_advance (h, 5 * 60);
  /* r1 lost the chunk of its third round only; r2 counted every round. */
  g_assert_cmpuint (counter (h, "r1"), ==, 50);
  g_assert_cmpuint (counter (h, "r2"), ==, 60);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_MODULE_ERROR, NULL), ==, 1);
  assert_no_violations (h);
}

static void
test_get_stat_fails (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                "ac_mod \"ipa_atest.so\";\n"
                                "atest:trace = \"@DIR@/ac.trace\";\n"
                                "global { ac_list = atest; atest:fail = \"get_stat@3\"; }\n"
                                "rule r1 { atest:chunk = 10; }\n");

  harness_advance (h, 5 * 60);
  /* From the third round on the module gives nothing; the daemon runs on
   * and logs once (then every ten minutes), not each round. */
  g_assert_cmpuint (counter (h, "r1"), ==, 20);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_MODULE_ERROR, NULL), ==, 1);
  harness_advance (h, 10 * 60);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_MODULE_ERROR, NULL), ==, 2);
  assert_no_violations (h);
}

static void
test_db_fails (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "memory:fail_once = \"update_rule@2 update_rule@3\";\n"
                                "rule r1 { atest:chunk = 10; }\n");

  harness_advance (h, 5 * 60);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_DB_ERROR, NULL), >=, 1);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_DB_RECOVERED, NULL), ==, 1);
  harness_stop (h, FALSE);
  /* Nothing lost: the failed updates were sent again (6 rounds + stop). */
  g_assert_cmpuint (harness_db_total (h, "r1"), ==, 70);
  assert_no_violations (h);
}

static void
test_module_stalls (void)
{
  g_autoptr(Harness) h = harness_new ("2024-05-06 10:00:00");
  g_autoptr(GError) error = NULL;

  /* The stall limit is 1 s in production; 0.5 s keeps this test short. */
  h->stall_usec = G_USEC_PER_SEC / 2;
  g_assert_true (harness_start (h, HEAD "rule r1 { atest:chunk = 10; atest:stall = 1s; }\n"
                                "rule r2 { atest:chunk = 1; }\n", &error));
  /* Rounds at 10:00, 10:01, 10:02 stall: suspended for five minutes. */
  harness_run_until (h, harness_wall ("2024-05-06 10:02:30"));
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_MODULE_STALL, NULL), ==, 3);
  g_assert_cmpuint (harness_count_events (h, IPA_ENGINE_EVENT_MODULE_ERROR, NULL), ==, 1);
  harness_run_until (h, harness_wall ("2024-05-06 10:06:30"));
  /* Suspended: the rounds of 10:03 .. 10:06 got nothing from it, and the
   * engine went on without waiting for it. */
  g_assert_cmpuint (counter (h, "r2"), ==, 3);
  /* Called again from 10:07 on. */
  harness_run_until (h, harness_wall ("2024-05-06 10:07:30"));
  g_assert_cmpuint (counter (h, "r2"), >, 3);
  assert_no_violations (h);
}

/* ---- reload ---- */

static void
test_reload_keeps_states (void)
{
  const char *conf1 = "ac_mod \"ipa_atest.so\";\n"
                      "rule r1 { ac_list = atest; atest:chunk = 100;\n"
                      "  limit l { limit = 1G; } }\n";
  const char *conf2 = "ac_mod \"ipa_atest.so\";\n"
                      "rule r1 { ac_list = atest; atest:chunk = 100;\n"
                      "  limit l { limit = 1G; } }\n"
                      "rule r2 { ac_list = atest; atest:chunk = 1; }\n";
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00", conf1);
  g_autoptr(GError) error = NULL;
  struct ipa_limit_state st;

  harness_advance (h, 5 * 60);
  g_assert_true (harness_reload (h, conf2, &error));
  g_assert_no_error (error);
  g_assert_nonnull (ipa_engine_lookup_rule (h->engine, "r2"));
  ipa_limit_get_state (limit (h, "r1", "l"), &st);
  /* The null database keeps nothing: the snapshot carried the counter. */
  g_assert_cmpuint (st.cnt, >=, 600);
}

/* ---- startup and shutdown sections ---- */

static void
test_startup_shutdown (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "startup { exec \"echo root-startup >> @DIR@/out\"; }\n"
                                "shutdown { exec \"echo root-shutdown >> @DIR@/out\"; }\n"
                                "rule r1 { atest:chunk = 10;\n"
                                "  shutdown { if_any_reached { exec \"echo any-reached >> @DIR@/out\"; }\n"
                                "             if_all_not_reached { exec \"echo none >> @DIR@/out\"; } }\n"
                                "  limit small { limit = 5; startup { if_not_reached { exec \"echo small-not >> @DIR@/out\"; } } }\n"
                                "  limit big { limit = 1G; } }\n");
  g_autofree char *out = NULL;

  harness_advance (h, 60);
  harness_stop (h, TRUE);
  out = harness_read (h, "out");
  g_assert_cmpstr (out, ==, "root-startup\nsmall-not\nany-reached\nroot-shutdown\n");
  g_assert_cmpuint (harness_trace (h, "ac.trace", "limit_event rule=0 limit=0 event=10")->len,
                    ==, 1);
  g_assert_cmpuint (harness_trace (h, "ac.trace", "limit_event rule=0 limit=1 event=11")->len,
                    ==, 1);
}

/* ---- thresholds ---- */

static void
test_threshold_events (void)
{
  g_autoptr(Harness) h = start ("2024-05-06 10:00:00",
                                HEAD "rule r1 { atest:chunk = 10;\n"
                                "  threshold t { threshold = 100; threshold_deviation = 10%;\n"
                                "    threshold_time_width = 10m; threshold_time_slice = 1m;\n"
                                "    below_threshold { exec \"echo below >> @DIR@/out\"; }\n"
                                "    equal_threshold { exec \"echo equal >> @DIR@/out\"; }\n"
                                "    above_threshold { exec \"echo above >> @DIR@/out\"; } } }\n");
  g_autofree char *out = NULL;

  /* 10 a minute over 10 minutes: 100, equal. */
  harness_advance (h, 15 * 60);
  harness_control (h, "chunk r1 50");
  harness_advance (h, 15 * 60);
  harness_control (h, "chunk r1 0");
  harness_advance (h, 15 * 60);
  out = harness_read (h, "out");
  /* Falling from 500 to 0 the window passes through the equal band. */
  g_assert_cmpstr (out, ==, "equal\nabove\nequal\nbelow\n");
  assert_no_violations (h);
}

int
main (int argc, char **argv)
{
  g_setenv ("TZ", "Europe/Kyiv", TRUE);
  tzset ();
  g_test_init (&argc, &argv, NULL);
  ipa_log_init ("ipa-test", IPA_LOG_TARGET_STDERR);

  g_test_add_func ("/engine/count/basic", test_count_basic);
  g_test_add_func ("/engine/count/newstat-generation", test_newstat_generation);
  g_test_add_func ("/engine/count/negative-overflow", test_negative_and_overflow);
  g_test_add_func ("/engine/count/gather", test_gather);
  g_test_add_func ("/engine/records/day-change", test_day_change);
  g_test_add_func ("/engine/records/append-time", test_append_time);
  g_test_add_func ("/engine/worktime/rule", test_worktime);
  g_test_add_func ("/engine/limit/reach-once", test_limit_reach_once);
  g_test_add_func ("/engine/limit/restart-points", test_limit_restart_points);
  g_test_add_func ("/engine/limit/expire", test_limit_expire);
  g_test_add_func ("/engine/limit/state-across-restart", test_limit_state_restart);
  g_test_add_func ("/engine/threshold/events", test_threshold_events);
  g_test_add_func ("/engine/clock/jump-back", test_clock_jump_back);
  g_test_add_func ("/engine/clock/jump-forward", test_clock_jump_forward);
  g_test_add_func ("/engine/dynamic/module", test_dynamic_rules);
  g_test_add_func ("/engine/dynamic/control", test_control_create_delete);
  g_test_add_func ("/engine/control/counters", test_control_counters);
  g_test_add_func ("/engine/modules/rule-stat-fails", test_module_fails);
  g_test_add_func ("/engine/modules/get-stat-fails", test_get_stat_fails);
  g_test_add_func ("/engine/modules/db-fails", test_db_fails);
  g_test_add_func ("/engine/modules/stall", test_module_stalls);
  g_test_add_func ("/engine/reload/keeps-states", test_reload_keeps_states);
  g_test_add_func ("/engine/sections/startup-shutdown", test_startup_shutdown);
  return g_test_run ();
}
