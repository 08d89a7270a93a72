/*
 * test-gdbm-roundtrip.c: what ipa_db_gdbm writes, ipa_st_gdbm reads back:
 * rules with their records (chunks and the current record), descriptions,
 * limit states with their history, thresholds, dynamic rules, calls
 * without batches, restarts in the middle of a day, db_dir inheritance,
 * and the files are honest GDBM databases for gdbm_dump and gdbmtool.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "gdbm-test-util.h"

typedef struct {
  int year, mon, mday, h1, m1, s1, h2, m2, s2;
  uint64_t cnt;
} Rec;

static void
assert_stat (const struct ipa_rule_stat *got, unsigned int n, const Rec *want, unsigned int n_want)
{
  g_assert_cmpuint (n, ==, n_want);
  for (unsigned int i = 0; i < n; i++)
    {
      g_assert_cmpuint (got[i].year, ==, (unsigned int) want[i].year);
      g_assert_cmpuint (got[i].mon, ==, (unsigned int) want[i].mon);
      g_assert_cmpuint (got[i].mday, ==, (unsigned int) want[i].mday);
      g_assert_cmpuint (got[i].h1, ==, (unsigned int) want[i].h1);
      g_assert_cmpuint (got[i].m1, ==, (unsigned int) want[i].m1);
      g_assert_cmpuint (got[i].s1, ==, (unsigned int) want[i].s1);
      g_assert_cmpuint (got[i].h2, ==, (unsigned int) want[i].h2);
      g_assert_cmpuint (got[i].m2, ==, (unsigned int) want[i].m2);
      g_assert_cmpuint (got[i].s2, ==, (unsigned int) want[i].s2);
      g_assert_cmpuint (got[i].cnt, ==, want[i].cnt);
    }
}

/* st_get_rule_stat of ruleno over [tm1, tm2], compared with want. */
static void
check_stat (GtModule *st, unsigned int ruleno, ipa_tm tm1, ipa_tm tm2, int exact, const Rec *want,
            unsigned int n_want)
{
  struct ipa_rule_stat *buf = NULL;
  unsigned int n = 99;

  g_assert_cmpint (CALL (st, st->st->st_get_rule_stat (ruleno, &tm1, &tm2, exact, gt_mem (), &n, &buf)),
                   ==, 0);
  assert_stat (buf, n, want, n_want);
  if (n == 0)
    g_assert_null (buf);
  ipa_mem_free (buf, gt_mem ());
}

static void
assert_tm (const ipa_tm *got, ipa_tm want)
{
  g_assert_cmpint (got->tm_year, ==, want.tm_year);
  g_assert_cmpint (got->tm_mon, ==, want.tm_mon);
  g_assert_cmpint (got->tm_mday, ==, want.tm_mday);
  g_assert_cmpint (got->tm_hour, ==, want.tm_hour);
  g_assert_cmpint (got->tm_min, ==, want.tm_min);
  g_assert_cmpint (got->tm_sec, ==, want.tm_sec);
}

static char *
conf_for (const char *dir, const char *extra)
{
  return g_strdup_printf ("global { gdbm:db_dir \"%s\"; }\n"
                          "rule r1 { }\n"
                          "rule r2 { }\n"
                          "%s", dir, extra != NULL ? extra : "");
}

/* Writes used by several tests: r1 has two records on day 1 and one on
 * day 2; r2 has 100 five-minute records on day 1 (four chunks and the
 * current record); l1 of r1 has two states; t1 of r1 has a state. */
static void
write_sample (GtModule *db)
{
  struct ipa_db_mod *m = db->db;
  struct ipa_limit_state ls;
  struct ipa_threshold_state ts;
  ipa_tm t;
  uint64_t c;

  g_assert_cmpint (CALL (db, m->db_init_statrule (0, "r1", "first rule")), ==, 0);
  g_assert_cmpint (CALL (db, m->db_init_statrule (1, "r2", NULL)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_init_statlimit (0, "r1", "first rule", 0, "l1", "a limit")), ==, 0);
  g_assert_cmpint (CALL (db, m->db_init_statthreshold (0, "r1", "first rule", 0, "t1", "a threshold")),
                   ==, 0);
  g_assert_cmpint (CALL (db, m->db_init ()), ==, 0);

  t = gt_tm (2024, 2, 28, 10, 0, 0);
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  c = 100;
  g_assert_cmpint (CALL (db, m->db_append_rule (0, &c, &t)), ==, 0);
  memset (&ls, 0, sizeof ls);
  ls.lim = 1000;
  ls.event_date_set = IPA_LIMIT_EVENT_START_SET | IPA_LIMIT_EVENT_RESTART_SET;
  ls.event_date[IPA_LIMIT_EVENT_START] = t;
  ls.event_date[IPA_LIMIT_EVENT_RESTART] = gt_tm (2024, 3, 1, 0, 0, 0);
  g_assert_cmpint (CALL (db, m->db_set_limit_state (0, 0, &ls, 1)), ==, 0);
  for (int i = 0; i < 100; i++)
    {
      ipa_tm r = gt_tm (2024, 2, 28, i * 5 / 60, i * 5 % 60, 7);

      c = (uint64_t) i * 1000;
      g_assert_cmpint (CALL (db, m->db_append_rule (1, &c, &r)), ==, 0);
      r.tm_sec = 30;
      c += 1;
      g_assert_cmpint (CALL (db, m->db_update_rule (1, &c, &r)), ==, 0);
    }
  g_assert_cmpint (gt_end (db), ==, 0);

  t = gt_tm (2024, 2, 28, 10, 5, 0);
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  c = 150;
  g_assert_cmpint (CALL (db, m->db_update_rule (0, &c, &t)), ==, 0);
  c = 500;
  g_assert_cmpint (CALL (db, m->db_update_limit (0, 0, &c, &t)), ==, 0);
  {
    ipa_tm reach = gt_tm (2024, 2, 28, 10, 4, 0);

    g_assert_cmpint (CALL (db, m->db_limit_event (0, 0, IPA_LIMIT_EVENT_REACH, &reach, &t)), ==, 0);
  }
  memset (&ts, 0, sizeof ts);
  ts.thr = 77;
  ts.cnt = 5;
  ts.tm_from = gt_tm (2024, 2, 28, 9, 0, 0);
  ts.tm_updated = t;
  g_assert_cmpint (CALL (db, m->db_set_threshold_state (0, 0, &ts)), ==, 0);
  g_assert_cmpint (gt_end (db), ==, 0);

  t = gt_tm (2024, 2, 28, 11, 0, 0);
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  c = 10;
  g_assert_cmpint (CALL (db, m->db_append_rule (0, &c, &t)), ==, 0);
  t.tm_min = 30;
  c = 20;
  g_assert_cmpint (CALL (db, m->db_update_rule (0, &c, &t)), ==, 0);
  c = 6;
  {
    ipa_tm from = gt_tm (2024, 2, 28, 10, 0, 0);

    g_assert_cmpint (CALL (db, m->db_update_threshold (0, 0, &c, &from, &t)), ==, 0);
  }
  g_assert_cmpint (gt_end (db), ==, 0);

  /* A new day (29 February, a leap year), and a new limit state with a
   * planned expire in the future. */
  t = gt_tm (2024, 2, 29, 0, 0, 0);
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  c = 5;
  g_assert_cmpint (CALL (db, m->db_append_rule (0, &c, &t)), ==, 0);
  memset (&ls, 0, sizeof ls);
  ls.lim = 2000;
  ls.event_date_set = IPA_LIMIT_EVENT_START_SET;
  ls.event_date[IPA_LIMIT_EVENT_START] = t;
  g_assert_cmpint (CALL (db, m->db_set_limit_state (0, 0, &ls, 1)), ==, 0);
  {
    ipa_tm expire = gt_tm (2030, 1, 1, 0, 0, 0);

    g_assert_cmpint (CALL (db, m->db_limit_event (0, 0, IPA_LIMIT_EVENT_EXPIRE, &expire, &t)), ==, 0);
  }
  g_assert_cmpint (gt_end (db), ==, 0);

  g_assert_cmpint (CALL (db, m->db_deinit_threshold (0, 0)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_deinit_limit (0, 0)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_deinit_rule (0)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_deinit_rule (1)), ==, 0);
}

static const Rec r1_all[] = {
  { 2024, 2, 28, 10, 0, 0, 10, 5, 0, 150 },
  { 2024, 2, 28, 11, 0, 0, 11, 30, 0, 20 },
  { 2024, 2, 29, 0, 0, 0, 0, 0, 0, 5 },
};

static GtModule *
open_st (const char *conf)
{
  GtModule *st = gt_load_st (conf);
  struct ipa_st_mod *m = st->st;

  g_assert_cmpint (CALL (st, m->st_init_rule (0, "r1")), ==, 0);
  g_assert_cmpint (CALL (st, m->st_init_rule (1, "r2")), ==, 0);
  g_assert_cmpint (CALL (st, m->st_init_limit (0, "r1", 0, "l1")), ==, 0);
  g_assert_cmpint (CALL (st, m->st_init_threshold (0, "r1", 0, "t1")), ==, 0);
  g_assert_cmpint (CALL (st, m->st_init ()), ==, 0);
  return st;
}

static void
close_st (GtModule *st)
{
  CALL (st, st->st->st_deinit_threshold (0, 0));
  CALL (st, st->st->st_deinit_limit (0, 0));
  CALL (st, st->st->st_deinit_rule (0));
  CALL (st, st->st->st_deinit_rule (1));
  gt_unload (st);
}

static void
test_roundtrip (void)
{
  g_autofree char *dir = gt_tmpdir ("roundtrip");
  g_autofree char *conf = conf_for (dir, NULL);
  GtModule *db = gt_load_db (conf), *st;
  struct ipa_st_mod *m;
  struct ipa_entity_desc *list = NULL;
  struct ipa_limit_state *ls = NULL;
  struct ipa_threshold_state ts;
  char *info = NULL;
  unsigned int n = 0;
  regex_t re;
  Rec r2[100];

  write_sample (db);
  gt_unload (db);

  st = open_st (conf);
  m = st->st;

  /* Lists and descriptions. */
  g_assert_cmpint (CALL (st, m->st_get_rules_list (NULL, NULL, gt_mem (), &n, &list)), ==, 0);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (list[0].name, ==, "r1");
  g_assert_cmpstr (list[0].info, ==, "first rule");
  g_assert_cmpstr (list[1].name, ==, "r2");
  g_assert_null (list[1].info);
  gt_free_list (list, n);
  g_assert_cmpint (regcomp (&re, "2$", REG_EXTENDED | REG_NOSUB), ==, 0);
  g_assert_cmpint (CALL (st, m->st_get_rules_list ("2$", &re, gt_mem (), &n, &list)), ==, 0);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (list[0].name, ==, "r2");
  gt_free_list (list, n);
  g_assert_cmpint (CALL (st, m->st_get_limits_list (0, "2$", &re, gt_mem (), &n, &list)), ==, 0);
  g_assert_cmpuint (n, ==, 0);
  g_assert_null (list);
  regfree (&re);
  g_assert_cmpint (CALL (st, m->st_get_limits_list (0, NULL, NULL, gt_mem (), &n, &list)), ==, 0);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (list[0].name, ==, "l1");
  g_assert_cmpstr (list[0].info, ==, "a limit");
  gt_free_list (list, n);
  g_assert_cmpint (CALL (st, m->st_get_thresholds_list (0, NULL, NULL, gt_mem (), &n, &list)), ==, 0);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (list[0].name, ==, "t1");
  g_assert_cmpstr (list[0].info, ==, "a threshold");
  gt_free_list (list, n);
  g_assert_cmpint (CALL (st, m->st_get_thresholds_list (1, NULL, NULL, gt_mem (), &n, &list)), ==, 0);
  g_assert_cmpuint (n, ==, 0);

  g_assert_cmpint (CALL (st, m->st_get_rule_info (0, gt_mem (), &info)), ==, 0);
  g_assert_cmpstr (info, ==, "first rule");
  ipa_mem_free (info, gt_mem ());
  info = (char *) "x";
  g_assert_cmpint (CALL (st, m->st_get_rule_info (1, gt_mem (), &info)), ==, 0);
  g_assert_null (info);
  g_assert_cmpint (CALL (st, m->st_get_limit_info (0, 0, gt_mem (), &info)), ==, 0);
  g_assert_cmpstr (info, ==, "a limit");
  ipa_mem_free (info, gt_mem ());
  g_assert_cmpint (CALL (st, m->st_get_threshold_info (0, 0, gt_mem (), &info)), ==, 0);
  g_assert_cmpstr (info, ==, "a threshold");
  ipa_mem_free (info, gt_mem ());

  /* Records over the whole time, and the exact flag (INV-84 as worded):
   * [10:03, 11:40] holds both ends of the 11:00-11:30 record only, and one
   * end of the 10:00-10:05 record too. */
  check_stat (st, 0, gt_tm (2024, 1, 1, 0, 0, 0), gt_tm (2024, 12, 31, 23, 59, 59), 0, r1_all, 3);
  check_stat (st, 0, gt_tm (2024, 2, 28, 10, 3, 0), gt_tm (2024, 2, 28, 11, 40, 0), 0, r1_all + 1, 1);
  check_stat (st, 0, gt_tm (2024, 2, 28, 10, 3, 0), gt_tm (2024, 2, 28, 11, 40, 0), 1, r1_all, 2);
  /* Bounds are inclusive. */
  check_stat (st, 0, gt_tm (2024, 2, 28, 11, 0, 0), gt_tm (2024, 2, 28, 11, 30, 0), 0, r1_all + 1, 1);
  check_stat (st, 0, gt_tm (2024, 2, 29, 0, 0, 0), gt_tm (2024, 3, 5, 0, 0, 0), 0, r1_all + 2, 1);
  check_stat (st, 0, gt_tm (2023, 1, 1, 0, 0, 0), gt_tm (2023, 12, 31, 0, 0, 0), 1, NULL, 0);
  check_stat (st, 0, gt_tm (2024, 3, 1, 0, 0, 0), gt_tm (2024, 2, 1, 0, 0, 0), 1, NULL, 0);
  for (int i = 0; i < 100; i++)
    r2[i] = (Rec) { 2024, 2, 28, i * 5 / 60, i * 5 % 60, 7, i * 5 / 60, i * 5 % 60, 30,
                    (uint64_t) i * 1000 + 1 };
  check_stat (st, 1, gt_tm (2024, 2, 28, 0, 0, 0), gt_tm (2024, 2, 28, 23, 59, 59), 0, r2, 100);

  /* Limit history: the current state, and states by start date. */
  g_assert_cmpint (CALL (st, m->st_get_limit_stat (0, 0, NULL, NULL, gt_mem (), &n, &ls)), ==, 0);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (ls[0].lim, ==, 2000);
  g_assert_cmpuint (ls[0].event_date_set, ==, IPA_LIMIT_EVENT_START_SET | IPA_LIMIT_EVENT_EXPIRE_SET |
                                              IPA_LIMIT_EVENT_UPDATED_SET);
  assert_tm (&ls[0].event_date[IPA_LIMIT_EVENT_EXPIRE], gt_tm (2030, 1, 1, 0, 0, 0));
  assert_tm (&ls[0].event_date[IPA_LIMIT_EVENT_UPDATED], gt_tm (2024, 2, 29, 0, 0, 0));
  /* 1 January 2030 is a Tuesday. */
  g_assert_cmpint (ls[0].event_date[IPA_LIMIT_EVENT_EXPIRE].tm_wday, ==, 2);
  ipa_mem_free (ls, gt_mem ());
  {
    ipa_tm a = gt_tm (2024, 2, 1, 0, 0, 0), b = gt_tm (2024, 2, 28, 23, 0, 0);

    g_assert_cmpint (CALL (st, m->st_get_limit_stat (0, 0, &a, &b, gt_mem (), &n, &ls)), ==, 0);
    g_assert_cmpuint (n, ==, 1);
    g_assert_cmpuint (ls[0].lim, ==, 1000);
    g_assert_cmpuint (ls[0].cnt, ==, 500);
    g_assert_cmpuint (ls[0].event_date_set, ==, IPA_LIMIT_EVENT_START_SET | IPA_LIMIT_EVENT_RESTART_SET |
                                                IPA_LIMIT_EVENT_REACH_SET | IPA_LIMIT_EVENT_UPDATED_SET);
    assert_tm (&ls[0].event_date[IPA_LIMIT_EVENT_REACH], gt_tm (2024, 2, 28, 10, 4, 0));
    assert_tm (&ls[0].event_date[IPA_LIMIT_EVENT_RESTART], gt_tm (2024, 3, 1, 0, 0, 0));
    ipa_mem_free (ls, gt_mem ());
    b = gt_tm (2024, 12, 31, 0, 0, 0);
    g_assert_cmpint (CALL (st, m->st_get_limit_stat (0, 0, &a, &b, gt_mem (), &n, &ls)), ==, 0);
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpuint (ls[1].lim, ==, 2000);
    ipa_mem_free (ls, gt_mem ());
    a = gt_tm (2025, 1, 1, 0, 0, 0);
    g_assert_cmpint (CALL (st, m->st_get_limit_stat (0, 0, &a, &b, gt_mem (), &n, &ls)), ==, 0);
    g_assert_cmpuint (n, ==, 0);
    g_assert_null (ls);
  }

  g_assert_cmpint (CALL (st, m->st_get_threshold_stat (0, 0, &ts)), ==, 1);
  g_assert_cmpuint (ts.thr, ==, 77);
  g_assert_cmpuint (ts.cnt, ==, 6);
  assert_tm (&ts.tm_from, gt_tm (2024, 2, 28, 10, 0, 0));
  assert_tm (&ts.tm_updated, gt_tm (2024, 2, 28, 11, 30, 0));

  close_st (st);
}

/* A second run of the daemon on the same day: the record of the first run
 * stays, before the new ones; states are read back. */
static void
test_restart_same_day (void)
{
  g_autofree char *dir = gt_tmpdir ("restart");
  g_autofree char *conf = conf_for (dir, NULL);
  GtModule *db = gt_load_db (conf), *st;
  struct ipa_limit_state ls;
  struct ipa_threshold_state ts;
  ipa_tm t;
  uint64_t c;
  static const Rec want[] = {
    { 2024, 2, 28, 10, 0, 0, 10, 5, 0, 150 },
    { 2024, 2, 28, 11, 0, 0, 11, 30, 0, 20 },
    { 2024, 2, 28, 12, 0, 0, 12, 0, 0, 1 },
    { 2024, 2, 28, 12, 30, 0, 12, 45, 0, 3 },
  };

  write_sample (db);
  gt_unload (db);

  db = gt_load_db (conf);
  g_assert_cmpint (CALL (db, db->db->db_init_statrule (0, "r1", "first rule")), ==, 0);
  g_assert_cmpint (CALL (db, db->db->db_init_statlimit (0, "r1", NULL, 0, "l1", "a limit")), ==, 0);
  g_assert_cmpint (CALL (db, db->db->db_init_statthreshold (0, "r1", NULL, 0, "t1", NULL)), ==, 0);
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  /* The states of the first run (load_limit, load_threshold). */
  g_assert_cmpint (CALL (db, db->db->db_get_limit_state (0, 0, &ls)), ==, 1);
  g_assert_cmpuint (ls.lim, ==, 2000);
  g_assert_cmpint (CALL (db, db->db->db_get_threshold_state (0, 0, &ts)), ==, 1);
  g_assert_cmpuint (ts.cnt, ==, 6);
  /* Back to 28 February (a clock set back): its last record stays last
   * but one. */
  t = gt_tm (2024, 2, 28, 12, 0, 0);
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  c = 1;
  g_assert_cmpint (CALL (db, db->db->db_append_rule (0, &c, &t)), ==, 0);
  g_assert_cmpint (gt_end (db), ==, 0);
  t.tm_min = 30;
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  c = 2;
  g_assert_cmpint (CALL (db, db->db->db_append_rule (0, &c, &t)), ==, 0);
  t.tm_min = 45;
  c = 3;
  g_assert_cmpint (CALL (db, db->db->db_update_rule (0, &c, &t)), ==, 0);
  ls.cnt = 1999;
  g_assert_cmpint (CALL (db, db->db->db_set_limit_state (0, 0, &ls, 0)), ==, 0);
  g_assert_cmpint (gt_end (db), ==, 0);
  CALL (db, db->db->db_deinit_threshold (0, 0));
  CALL (db, db->db->db_deinit_limit (0, 0));
  CALL (db, db->db->db_deinit_rule (0));
  gt_unload (db);

  st = open_st (conf);
  check_stat (st, 0, gt_tm (2024, 2, 28, 0, 0, 0), gt_tm (2024, 2, 28, 23, 59, 59), 0, want, 4);
  {
    struct ipa_limit_state *v = NULL;
    unsigned int n = 0;
    ipa_tm a = gt_tm (2000, 1, 1, 0, 0, 0), b = gt_tm (2100, 1, 1, 0, 0, 0);

    /* Updating the current state (new_state == 0) adds no history. */
    g_assert_cmpint (CALL (st, st->st->st_get_limit_stat (0, 0, &a, &b, gt_mem (), &n, &v)), ==, 0);
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpuint (v[1].cnt, ==, 1999);
    ipa_mem_free (v, gt_mem ());
  }
  close_st (st);
}

/* db_dir: a rule's own, from a rulepat, from an autorule for dynamic
 * rules (created and deleted inside batches, numbers reused). */
static void
test_dirs_and_dynamic (void)
{
  g_autofree char *base = gt_tmpdir ("dirs");
  g_autofree char *conf = g_strdup_printf ("global { gdbm:db_dir \"%s/global\"; }\n"
                                           "rule own { gdbm:db_dir \"%s/own//\"; }\n"
                                           "rule pat_a { }\n"
                                           "rulepat \"^pat_\" { gdbm:db_dir \"%s/pat\"; }\n"
                                           "autorule auto { gdbm:db_dir \"%s/auto\"; }\n",
                                           base, base, base, base);
  GtModule *db = gt_load_db (conf);
  struct ipa_db_mod *m = db->db;
  ipa_tm t = gt_tm (2025, 7, 1, 8, 0, 0);
  uint64_t c = 42;
  const char *files[] = { "auto/state.gdbm", "own/state.gdbm", "pat/state.gdbm",
                          "auto/rules-2025-07.gdbm", "own/rules-2025-07.gdbm",
                          "pat/rules-2025-07.gdbm" };

  g_assert_cmpint (CALL (db, m->db_init_statrule (0, "own", NULL)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_init_statrule (1, "pat_a", NULL)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_init ()), ==, 0);
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  g_assert_cmpint (CALL (db, m->db_append_rule (0, &c, &t)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_append_rule (1, &c, &t)), ==, 0);
  /* A dynamic rule of autorule 0, deleted, its number given to another. */
  g_assert_cmpint (CALL (db, m->db_init_dynrule (0, 2, "dyn1", "made by auto")), ==, 0);
  g_assert_cmpint (CALL (db, m->db_init_dynlimit (0, 2, "dyn1", NULL, 0, "q", NULL)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_append_rule (2, &c, &t)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_deinit_limit (2, 0)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_deinit_rule (2)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_init_dynrule (0, 2, "dyn2", NULL)), ==, 0);
  c = 43;
  g_assert_cmpint (CALL (db, m->db_append_rule (2, &c, &t)), ==, 0);
  g_assert_cmpint (gt_end (db), ==, 0);
  CALL (db, m->db_deinit_rule (2));
  CALL (db, m->db_deinit_rule (1));
  CALL (db, m->db_deinit_rule (0));
  gt_unload (db);

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *p = g_build_filename (base, files[i], NULL);

      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
    }
  {
    /* No rule uses the global directory. */
    g_autofree char *p = g_build_filename (base, "global", NULL);

    g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
  }

  /* ipastat: the dynamic rules are found in the autorule's directory. */
  {
    g_autofree char *sconf = g_strdup_printf ("global { gdbm:db_dir \"%s/auto\"; }\n", base);
    GtModule *st = gt_load_st (sconf);
    struct ipa_entity_desc *list = NULL;
    unsigned int n = 0;
    static const Rec want[] = { { 2025, 7, 1, 8, 0, 0, 8, 0, 0, 43 } };

    g_assert_cmpint (CALL (st, st->st->st_get_rules_list (NULL, NULL, gt_mem (), &n, &list)), ==, 0);
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpstr (list[0].name, ==, "dyn1");
    g_assert_cmpstr (list[0].info, ==, "made by auto");
    g_assert_cmpstr (list[1].name, ==, "dyn2");
    gt_free_list (list, n);
    g_assert_cmpint (CALL (st, st->st->st_init_rule (0, "dyn2")), ==, 0);
    check_stat (st, 0, gt_tm (2025, 7, 1, 0, 0, 0), gt_tm (2025, 7, 2, 0, 0, 0), 0, want, 1);
    CALL (st, st->st->st_deinit_rule (0));
    gt_unload (st);
  }
}

/* A clock that goes back and forth between two days within one batch
 * and across batches: every record lands on its day, in order. */
static void
test_clock_back_and_forth (void)
{
  g_autofree char *dir = gt_tmpdir ("clock");
  g_autofree char *conf = conf_for (dir, NULL);
  GtModule *db = gt_load_db (conf), *st;
  struct ipa_db_mod *m = db->db;
  static const struct { int day, h, min, append; uint64_t cnt; } steps[] = {
    { 10, 10, 0, 1, 1 }, { 11, 0, 5, 1, 2 }, { 10, 11, 0, 1, 3 }, { 10, 11, 30, 0, 4 },
    { 11, 0, 10, 1, 5 }, { 10, 12, 0, 1, 6 },
  };
  static const Rec want10[] = {
    { 2025, 5, 10, 10, 0, 0, 10, 0, 0, 1 },
    { 2025, 5, 10, 11, 0, 0, 11, 30, 0, 4 },
    { 2025, 5, 10, 12, 0, 0, 12, 0, 0, 6 },
    { 2025, 5, 10, 13, 0, 0, 13, 0, 0, 7 },
  };
  static const Rec want11[] = {
    { 2025, 5, 11, 0, 5, 0, 0, 5, 0, 2 },
    { 2025, 5, 11, 0, 10, 0, 0, 10, 0, 5 },
    { 2025, 5, 11, 0, 15, 0, 0, 15, 0, 8 },
  };
  ipa_tm t = gt_tm (2025, 5, 10, 10, 0, 0);
  uint64_t c;

  g_assert_cmpint (CALL (db, m->db_init_statrule (0, "r1", NULL)), ==, 0);
  g_assert_cmpint (CALL (db, m->db_init ()), ==, 0);
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      t = gt_tm (2025, 5, steps[i].day, steps[i].h, steps[i].min, 0);
      c = steps[i].cnt;
      g_assert_cmpint (CALL (db, steps[i].append ? m->db_append_rule (0, &c, &t)
                                                 : m->db_update_rule (0, &c, &t)), ==, 0);
    }
  g_assert_cmpint (gt_end (db), ==, 0);
  /* The next batches: day 10, then day 11 again. */
  t = gt_tm (2025, 5, 10, 13, 0, 0);
  c = 7;
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  g_assert_cmpint (CALL (db, m->db_append_rule (0, &c, &t)), ==, 0);
  g_assert_cmpint (gt_end (db), ==, 0);
  t = gt_tm (2025, 5, 11, 0, 15, 0);
  c = 8;
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  g_assert_cmpint (CALL (db, m->db_append_rule (0, &c, &t)), ==, 0);
  g_assert_cmpint (gt_end (db), ==, 0);
  CALL (db, m->db_deinit_rule (0));
  gt_unload (db);

  st = gt_load_st (conf);
  g_assert_cmpint (CALL (st, st->st->st_init_rule (0, "r1")), ==, 0);
  check_stat (st, 0, gt_tm (2025, 5, 10, 0, 0, 0), gt_tm (2025, 5, 10, 23, 59, 59), 0, want10, 4);
  check_stat (st, 0, gt_tm (2025, 5, 11, 0, 0, 0), gt_tm (2025, 5, 11, 23, 59, 59), 0, want11, 3);
  CALL (st, st->st->st_deinit_rule (0));
  gt_unload (st);
}

/* A host without the batch extension: every call is written at once. */
static void
test_without_batches (void)
{
  g_autofree char *dir = gt_tmpdir ("nobatch");
  g_autofree char *conf = conf_for (dir, NULL);
  GtModule *db = gt_load_db (conf), *st;
  ipa_tm t = gt_tm (2026, 1, 31, 23, 59, 0);
  uint64_t c = 1;
  static const Rec want[] = { { 2026, 1, 31, 23, 59, 0, 23, 59, 59, 2 } };

  g_assert_cmpint (CALL (db, db->db->db_init_statrule (0, "r1", NULL)), ==, 0);
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  g_assert_cmpint (CALL (db, db->db->db_append_rule (0, &c, &t)), ==, 0);
  t.tm_sec = 59;
  c = 2;
  g_assert_cmpint (CALL (db, db->db->db_update_rule (0, &c, &t)), ==, 0);

  /* Readable while the module is still loaded. */
  st = gt_load_st (conf);
  g_assert_cmpint (CALL (st, st->st->st_init_rule (0, "r1")), ==, 0);
  check_stat (st, 0, gt_tm (2026, 1, 1, 0, 0, 0), gt_tm (2026, 2, 1, 0, 0, 0), 0, want, 1);
  CALL (st, st->st->st_deinit_rule (0));
  gt_unload (st);

  CALL (db, db->db->db_deinit_rule (0));
  gt_unload (db);
}

static char *
run (const char *const *argv, int *status)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, status, &error));
  g_assert_no_error (error);
  return out;
}

/* The files are plain GDBM databases. */
static void
test_gdbm_tools (void)
{
  g_autofree char *dir = gt_tmpdir ("tools");
  g_autofree char *conf = conf_for (dir, NULL);
  g_autofree char *state = g_build_filename (dir, "state.gdbm", NULL);
  g_autofree char *month = g_build_filename (dir, "rules-2024-02.gdbm", NULL);
  g_autofree char *out = NULL;
  GtModule *db;
  int status;

  g_autofree char *dump_path = g_find_program_in_path ("gdbm_dump");
  g_autofree char *tool_path = g_find_program_in_path ("gdbmtool");

  if (dump_path == NULL || tool_path == NULL)
    {
      g_test_skip ("gdbm_dump or gdbmtool is not installed (Debian package gdbmtool)");
      return;
    }
  db = gt_load_db (conf);
  write_sample (db);
  gt_unload (db);

  {
    const char *argv[] = { "gdbm_dump", "--format=ascii", state, "-", NULL };

    out = run (argv, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    /* Keys are base64 in a dump: "I2Zvcm1hdA==" is "#format". */
    g_assert_nonnull (strstr (out, "I2Zvcm1hdA=="));
    g_assert_nonnull (strstr (out, "#:count=10"));
    g_free (out);
  }
  {
    /* r1: a chunk and a current record on the 28th, a current record on
     * the 29th; r2: 99 closed records in four chunks and its current
     * record; the format key. */
    const char *argv[] = { "gdbmtool", "-r", month, "count", NULL };

    out = run (argv, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "There are 9 items"));
    g_free (out);
  }
  {
    /* 2 rules, 1 description, the limit (meta, description, 2 states),
     * the threshold (state, description) and the format key. */
    const char *argv[] = { "gdbmtool", "-r", state, "count", NULL };

    out = run (argv, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "There are 10 items"));
    g_free (out);
  }
  {
    const char *argv[] = { "gdbmtool", "-r", state, "fetch", "r/r1/i", NULL };

    out = run (argv, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "first rule"));
    g_free (out);
    out = NULL;
  }
}

/* conf_show prints back what was set; mimic adds the defaults. */
static void
test_conf_errors (void)
{
  g_autoptr(GError) error = NULL;
  GtModule *g;

  gt_log_start ();
  g = gt_try_load (IPA_MODULE_KIND_DB, "global { gdbm:db_dir \"relative/dir\"; }\n", &error);
  g_assert_null (g);
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE);
  g_assert_nonnull (strstr (error->message, "test.conf:1:"));
  g_assert_nonnull (strstr (error->message, "absolute path"));
  g_clear_error (&error);
  g = gt_try_load (IPA_MODULE_KIND_DB, "global { gdbm:db_group \"no-such-group-here\"; }\n", &error);
  g_assert_null (g);
  g_assert_nonnull (strstr (error->message, "unknown group"));
  g_clear_error (&error);
  g = gt_try_load (IPA_MODULE_KIND_DB, "global { gdbm:db_perm 0400; }\n", &error);
  g_assert_null (g);
  g_assert_nonnull (strstr (error->message, "read and write"));
  g_clear_error (&error);
  g = gt_try_load (IPA_MODULE_KIND_DB, "global { gdbm:db_perm 0999; }\n", &error);
  g_assert_null (g);
  g_clear_error (&error);
  g = gt_try_load (IPA_MODULE_KIND_DB, "rule x { limit l { gdbm:db_dir \"/x\"; } }\n", &error);
  g_assert_null (g);
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_PLACEMENT);
  g_clear_error (&error);
  g = gt_try_load (IPA_MODULE_KIND_ST, "autorule a { gdbm:db_dir \"/x\"; }\n", &error);
  g_assert_null (g);
  g_clear_error (&error);
  gt_log_stop ();
}

/* Permissions and group of what the module creates. */
static void
test_permissions (void)
{
  g_autofree char *base = gt_tmpdir ("perm");
  g_autofree char *dir = g_build_filename (base, "a", "b", NULL);
  g_autofree char *conf = g_strdup_printf ("global { gdbm:db_dir \"%s\"; gdbm:db_perm 0660; "
                                           "gdbm:db_group \"%u\"; }\nrule r1 { }\n",
                                           dir, (unsigned int) getegid ());
  g_autofree char *state = g_build_filename (dir, "state.gdbm", NULL);
  GtModule *db = gt_load_db (conf);
  GStatBuf st;

  g_assert_cmpint (CALL (db, db->db->db_init_statrule (0, "r1", NULL)), ==, 0);
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  CALL (db, db->db->db_deinit_rule (0));
  gt_unload (db);
  g_assert_cmpint (g_stat (state, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0660);
  g_assert_cmpuint (st.st_gid, ==, getegid ());
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0770);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);

  g_test_add_func ("/gdbm/roundtrip", test_roundtrip);
  g_test_add_func ("/gdbm/restart-same-day", test_restart_same_day);
  g_test_add_func ("/gdbm/dirs-and-dynamic", test_dirs_and_dynamic);
  g_test_add_func ("/gdbm/clock-back-and-forth", test_clock_back_and_forth);
  g_test_add_func ("/gdbm/without-batches", test_without_batches);
  g_test_add_func ("/gdbm/gdbm-tools", test_gdbm_tools);
  g_test_add_func ("/gdbm/conf-errors", test_conf_errors);
  g_test_add_func ("/gdbm/permissions", test_permissions);
  return g_test_run ();
}
