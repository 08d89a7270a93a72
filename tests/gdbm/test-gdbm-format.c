/*
 * test-gdbm-format.c: the code both gdbm modules share, tested directly:
 * byte layouts of FORMAT.md, keys, the batch journal and the recovery of
 * an interrupted batch (also as ipa_st_gdbm and ipa_db_gdbm see it).
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "gdbm-common.h"
#include "gdbm-test-util.h"
#include "ipa-suppfunc.h"

static GdbmEnv env;

static void
setup_env (void)
{
  env.mod_name = "gdbm-test";
  env.sf = ipa_suppfunc_get ();
  env.mf = ipa_memfunc_get ();
  env.mt = ipa_mem_type_new ("format-test", "test-gdbm-format", 0);
}

static void
assert_bytes (const unsigned char *got, const char *hex)
{
  GString *s = g_string_new (NULL);

  for (size_t i = 0; i < strlen (hex) / 2; i++)
    g_string_append_printf (s, "%02x", got[i]);
  g_assert_cmpstr (s->str, ==, hex);
  g_string_free (s, TRUE);
}

static void
test_codec (void)
{
  unsigned char rec[GDBM_REC_SIZE], lim[GDBM_LIMIT_SIZE], thr[GDBM_THRESHOLD_SIZE], d[GDBM_DATE_SIZE];
  GdbmRec r = { 10, 0, 0, 10, 5, 30, 0x0000000100000002ULL }, r2;
  struct ipa_limit_state ls, ls2;
  struct ipa_threshold_state ts, ts2;
  ipa_tm tm = gt_tm (2024, 2, 29, 23, 59, 58), tm2;

  g_assert_cmpint (GDBM_LIMIT_SIZE, ==, 73);
  g_assert_cmpint (GDBM_THRESHOLD_SIZE, ==, 31);

  gdbm_encode_rec (rec, &r);
  assert_bytes (rec, "0a00000a051e0000000100000002");
  gdbm_decode_rec (rec, &r2);
  g_assert_true (r2.h1 == 10 && r2.m1 == 0 && r2.s1 == 0 && r2.h2 == 10 && r2.m2 == 5 && r2.s2 == 30);
  g_assert_cmpuint (r2.cnt, ==, r.cnt);

  gdbm_encode_date (d, &tm);
  assert_bytes (d, "07e8021d173b3a");
  gdbm_decode_date (d, &tm2);
  g_assert_cmpint (tm2.tm_year, ==, 2024);
  g_assert_cmpint (tm2.tm_mday, ==, 29);
  g_assert_cmpint (tm2.tm_wday, ==, 4); /* a Thursday */
  g_assert_cmpint (gdbm_weekday (2000, 1, 1), ==, 6);
  g_assert_cmpint (gdbm_weekday (2026, 11, 25), ==, 3);

  memset (&ls, 0, sizeof ls);
  ls.lim = 1024;
  ls.cnt = 7;
  ls.event_date_set = IPA_LIMIT_EVENT_START_SET | IPA_LIMIT_EVENT_UPDATED_SET | IPA_LIMIT_EVENT_REACH_SET;
  ls.event_date[IPA_LIMIT_EVENT_START] = gt_tm (2024, 1, 1, 0, 0, 0);
  ls.event_date[IPA_LIMIT_EVENT_UPDATED] = tm;
  /* REACH is flagged but holds no valid date: INV-61, stored unset. */
  gdbm_encode_limit (lim, &ls);
  assert_bytes (lim, "0000000000000400" "0000000000000007" "81" "07e80101000000");
  for (int i = 1; i < 7; i++)
    for (int j = 0; j < GDBM_DATE_SIZE; j++)
      g_assert_cmpuint (lim[17 + i * GDBM_DATE_SIZE + j], ==, 0);
  assert_bytes (lim + 17 + 7 * GDBM_DATE_SIZE, "07e8021d173b3a");
  gdbm_decode_limit (lim, &ls2);
  g_assert_cmpuint (ls2.event_date_set, ==, IPA_LIMIT_EVENT_START_SET | IPA_LIMIT_EVENT_UPDATED_SET);
  g_assert_cmpuint (ls2.lim, ==, 1024);
  g_assert_cmpint (gdbm_tm_cmp (&ls2.event_date[IPA_LIMIT_EVENT_UPDATED], &tm), ==, 0);

  memset (&ts, 0, sizeof ts);
  ts.thr = 5;
  ts.cnt = 6;
  ts.tm_from = gt_tm (2024, 1, 1, 0, 0, 0);
  ts.tm_updated = tm;
  gdbm_encode_threshold (thr, 1, &ts);
  assert_bytes (thr, "01" "0000000000000005" "0000000000000006" "07e80101000000" "07e8021d173b3a");
  g_assert_cmpint (gdbm_decode_threshold (thr, &ts2), ==, 1);
  g_assert_cmpuint (ts2.cnt, ==, 6);
  gdbm_encode_threshold (thr, 0, NULL);
  g_assert_cmpint (gdbm_decode_threshold (thr, &ts2), ==, 0);
}

static void
test_keys (void)
{
  char k[GDBM_KEY_MAX], name[64];
  unsigned int y, m;

  g_assert_cmpint (gdbm_key_rule (k, "r1"), ==, 4);
  g_assert_cmpstr (k, ==, "r/r1");
  gdbm_key_rule_info (k, "r1");
  g_assert_cmpstr (k, ==, "r/r1/i");
  gdbm_key_limit_state (k, "r1", "l", 12);
  g_assert_cmpstr (k, ==, "l/r1/l/12");
  gdbm_key_threshold_info (k, "r1", "t");
  g_assert_cmpstr (k, ==, "t/r1/t/i");
  gdbm_key_chunk (k, "r1", 3, 10);
  g_assert_cmpstr (k, ==, "r1/03/10");
  gdbm_key_current (k, "r1", 31);
  g_assert_cmpstr (k, ==, "r1/31/c");
  gdbm_month_file (name, sizeof name, 2024, 2);
  g_assert_cmpstr (name, ==, "rules-2024-02.gdbm");
  g_assert_cmpint (gdbm_parse_month_file (name, &y, &m), ==, 0);
  g_assert_cmpuint (y * 100 + m, ==, 202402);
  g_assert_cmpint (gdbm_parse_month_file ("rules-2024-13.gdbm", &y, &m), ==, -1);
  g_assert_cmpint (gdbm_parse_month_file ("rules-2024-02.gdbm.odd", &y, &m), ==, -1);
  g_assert_cmpint (gdbm_parse_month_file ("state.gdbm", &y, &m), ==, -1);
  g_assert_true (gdbm_name_ok ("eth0-in.x_1"));
  g_assert_false (gdbm_name_ok ("a/b"));
  g_assert_false (gdbm_name_ok ("a b"));
  g_assert_false (gdbm_name_ok ("a\tb"));
  g_assert_false (gdbm_name_ok (""));
}

/* A database file with one key, written by the shared code. */
static void
make_file (const char *dir, const char *name, const char *key, const char *val)
{
  GdbmPerm perm = { 0640, (gid_t) -1 };
  GdbmHandle h;

  g_assert_cmpint (gdbm_handle_open (&env, &h, dir, name, GDBM_H_WRITER | GDBM_H_CREATE, 0, &perm, NULL),
                   ==, GDBM_OPEN_OK);
  g_assert_cmpint (gdbm_store (h.dbf, (datum) { (char *) key, (int) strlen (key) },
                               (datum) { (char *) val, (int) strlen (val) }, GDBM_REPLACE), ==, 0);
  g_assert_cmpint (gdbm_handle_sync (&env, &h), ==, 0);
  gdbm_handle_close (&env, &h);
}

static char *
read_key (const char *dir, const char *name, const char *key)
{
  GdbmHandle h;
  datum v;
  char *s = NULL;

  g_assert_cmpint (gdbm_handle_open (&env, &h, dir, name, 0, 0, NULL, NULL), ==, GDBM_OPEN_OK);
  g_assert_cmpint (gdbm_handle_fetch (&env, &h, key, (int) strlen (key), &v), ==, 0);
  if (v.dptr != NULL)
    s = g_strndup (v.dptr, (gsize) v.dsize);
  free (v.dptr);
  gdbm_handle_close (&env, &h);
  return s;
}

/* A journal naming a.gdbm (index 0, unused "" index 1) and b.gdbm. */
static void
write_journal (const char *dir, GdbmJournal *j)
{
  GdbmPerm perm = { 0640, (gid_t) -1 };
  GdbmPutList pl = { 0 };
  const char *files[] = { "a.gdbm", "", "b.gdbm" };

  g_assert_cmpint (gdbm_putlist_add (&env, &pl, 0, GDBM_OP_REPLACE, "k", 1, "2", 1), ==, 0);
  g_assert_cmpint (gdbm_putlist_add (&env, &pl, 0, GDBM_OP_INSERT, "n", 1, "new", 3), ==, 0);
  g_assert_cmpint (gdbm_putlist_add (&env, &pl, 0, GDBM_OP_INSERT, "k", 1, "no", 2), ==, 0);
  g_assert_cmpint (gdbm_putlist_add (&env, &pl, 2, GDBM_OP_DELETE, "k", 1, NULL, 0), ==, 0);
  g_assert_cmpint (gdbm_putlist_add (&env, &pl, 2, GDBM_OP_REPLACE, "x", 1, "y", 1), ==, 0);
  g_assert_cmpint (gdbm_journal_write (&env, j, dir, files, 3, &pl, 1, &perm), ==, 0);
  gdbm_putlist_free (&env, &pl);
}

static void
test_journal_states (void)
{
  g_autofree char *dir = gt_tmpdir ("journal");
  g_autofree char *jpath = g_build_filename (dir, GDBM_JOURNAL_FILE, NULL);
  GdbmJournal j;
  int names;
  char *data;
  gsize len;

  g_assert_cmpint (gdbm_journal_check (&env, dir, "a.gdbm", &names), ==, GDBM_JOURNAL_NONE);
  write_journal (dir, &j);
  /* Held by its writer (the lock is per open file). */
  g_assert_cmpint (gdbm_journal_check (&env, dir, "a.gdbm", &names), ==, GDBM_JOURNAL_LIVE);
  gdbm_journal_abandon (&env, &j);
  g_assert_cmpint (gdbm_journal_check (&env, dir, "a.gdbm", &names), ==, GDBM_JOURNAL_COMPLETE);
  g_assert_true (names);
  g_assert_cmpint (gdbm_journal_check (&env, dir, "b.gdbm", &names), ==, GDBM_JOURNAL_COMPLETE);
  g_assert_true (names);
  g_assert_cmpint (gdbm_journal_check (&env, dir, "c.gdbm", &names), ==, GDBM_JOURNAL_COMPLETE);
  g_assert_false (names);
  g_assert_cmpint (gdbm_journal_check (&env, dir, "", &names), ==, GDBM_JOURNAL_COMPLETE);
  g_assert_false (names);

  /* Torn at any length, or with one byte changed: incomplete. */
  g_assert_true (g_file_get_contents (jpath, &data, &len, NULL));
  for (gsize cut = 0; cut < len; cut += 7)
    {
      g_assert_true (g_file_set_contents (jpath, data, (gssize) cut, NULL));
      g_assert_cmpint (gdbm_journal_check (&env, dir, "a.gdbm", &names), ==, GDBM_JOURNAL_INCOMPLETE);
    }
  data[len / 2] ^= 0x40;
  g_assert_true (g_file_set_contents (jpath, data, (gssize) len, NULL));
  g_assert_cmpint (gdbm_journal_check (&env, dir, "a.gdbm", &names), ==, GDBM_JOURNAL_INCOMPLETE);
  g_free (data);
}

/* A batch applied in part (as a killed writer leaves it) is completed. */
static void
test_recover_complete (void)
{
  g_autofree char *dir = gt_tmpdir ("recover");
  GdbmPerm perm = { 0640, (gid_t) -1 };
  GdbmJournal j;
  char *v;
  GDir *d;
  const char *e;

  make_file (dir, "a.gdbm", "k", "1");
  make_file (dir, "b.gdbm", "k", "1");
  write_journal (dir, &j);
  gdbm_journal_abandon (&env, &j);

  gt_log_start ();
  g_assert_cmpint (gdbm_dir_recover (&env, dir, &perm, 0), ==, 0);
  gt_log_stop ();
  g_assert_nonnull (gt_log_find ("completing a batch that was interrupted"));
  v = read_key (dir, "a.gdbm", "k");
  g_assert_cmpstr (v, ==, "2");
  g_free (v);
  v = read_key (dir, "a.gdbm", "n");
  g_assert_cmpstr (v, ==, "new");
  g_free (v);
  v = read_key (dir, "b.gdbm", "k");
  g_assert_null (v);
  v = read_key (dir, "b.gdbm", "x");
  g_assert_cmpstr (v, ==, "y");
  g_free (v);
  /* Nothing left behind: no journal, no backup of a clean rebuild. */
  d = g_dir_open (dir, 0, NULL);
  while ((e = g_dir_read_name (d)) != NULL)
    g_assert_true (strcmp (e, "a.gdbm") == 0 || strcmp (e, "b.gdbm") == 0);
  g_dir_close (d);
}

/* A torn journal changed nothing and is dropped. */
static void
test_recover_incomplete (void)
{
  g_autofree char *dir = gt_tmpdir ("recover-torn");
  g_autofree char *jpath = g_build_filename (dir, GDBM_JOURNAL_FILE, NULL);
  g_autofree char *apath = g_build_filename (dir, "a.gdbm", NULL);
  GdbmPerm perm = { 0640, (gid_t) -1 };
  g_autoptr(GBytes) before = NULL, after = NULL;
  GdbmJournal j;
  char *v;

  make_file (dir, "a.gdbm", "k", "1");
  write_journal (dir, &j);
  gdbm_journal_abandon (&env, &j);
  g_assert_cmpint (truncate (jpath, 30), ==, 0);
  before = gt_read_file (apath);
  gt_log_start ();
  g_assert_cmpint (gdbm_dir_recover (&env, dir, &perm, 0), ==, 0);
  gt_log_stop ();
  g_assert_nonnull (gt_log_find ("discarding the incomplete journal"));
  g_assert_false (g_file_test (jpath, G_FILE_TEST_EXISTS));
  after = gt_read_file (apath);
  g_assert_true (g_bytes_equal (before, after));
  v = read_key (dir, "a.gdbm", "k");
  g_assert_cmpstr (v, ==, "1");
  g_free (v);
}

/* A truncated file is refused before GDBM could extend it. */
static void
test_truncated_refused (void)
{
  g_autofree char *dir = gt_tmpdir ("truncated");
  g_autofree char *apath = g_build_filename (dir, "a.gdbm", NULL);
  GdbmPerm perm = { 0640, (gid_t) -1 };
  g_autoptr(GBytes) before = NULL, after = NULL;
  GStatBuf st;
  GdbmHandle h;

  make_file (dir, "a.gdbm", "k", "1");
  g_assert_cmpint (g_stat (apath, &st), ==, 0);
  g_assert_cmpint (truncate (apath, st.st_size - 4096), ==, 0);
  before = gt_read_file (apath);
  gt_log_start ();
  g_assert_cmpint (gdbm_handle_open (&env, &h, dir, "a.gdbm", GDBM_H_WRITER, 0, &perm, NULL), ==,
                   GDBM_OPEN_ERROR);
  gt_log_stop ();
  g_assert_nonnull (gt_log_find ("is damaged: the file is truncated"));
  g_assert_nonnull (gt_log_find ("gdbmtool"));
  after = gt_read_file (apath);
  g_assert_true (g_bytes_equal (before, after));
}

/* ipastat before and after ipa completes an interrupted batch. */
static void
test_interrupted_batch_modules (void)
{
  g_autofree char *dir = gt_tmpdir ("interrupted");
  g_autofree char *conf = g_strdup_printf ("global { gdbm:db_dir \"%s\"; }\nrule r { }\n", dir);
  GdbmPerm perm = { 0640, (gid_t) -1 };
  GdbmPutList pl = { 0 };
  GdbmJournal j;
  GtModule *db, *st;
  char *info = NULL;
  const char *files[] = { GDBM_STATE_FILE };
  ipa_tm t = gt_tm (2024, 5, 5, 5, 5, 5);
  uint64_t c = 5;

  db = gt_load_db (conf);
  g_assert_cmpint (CALL (db, db->db->db_init_statrule (0, "r", "old")), ==, 0);
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  g_assert_cmpint (CALL (db, db->db->db_append_rule (0, &c, &t)), ==, 0);
  g_assert_cmpint (gt_end (db), ==, 0);
  CALL (db, db->db->db_deinit_rule (0));
  gt_unload (db);

  /* A batch that created a rule x and was cut short. */
  g_assert_cmpint (gdbm_putlist_add (&env, &pl, 0, GDBM_OP_INSERT, "r/x", 3, "\0\0\0\0", 4), ==, 0);
  g_assert_cmpint (gdbm_putlist_add (&env, &pl, 0, GDBM_OP_REPLACE, "r/x/i", 5, "new", 3), ==, 0);
  g_assert_cmpint (gdbm_journal_write (&env, &j, dir, files, 1, &pl, 0, &perm), ==, 0);
  gdbm_journal_abandon (&env, &j);
  gdbm_putlist_free (&env, &pl);

  st = gt_load_st (conf);
  g_assert_cmpint (CALL (st, st->st->st_init_rule (0, "r")), ==, 0);
  gt_log_start ();
  g_assert_cmpint (CALL (st, st->st->st_get_rule_info (0, gt_mem (), &info)), ==, -1);
  gt_log_stop ();
  g_assert_nonnull (gt_log_find ("batch that was interrupted"));
  g_assert_nonnull (gt_log_find ("start ipa"));
  /* Its month file is not named by the journal: readable. */
  {
    struct ipa_rule_stat *buf = NULL;
    unsigned int n = 0;
    ipa_tm a = gt_tm (2024, 1, 1, 0, 0, 0), b = gt_tm (2024, 12, 1, 0, 0, 0);

    g_assert_cmpint (CALL (st, st->st->st_get_rule_stat (0, &a, &b, 0, gt_mem (), &n, &buf)), ==, 0);
    g_assert_cmpuint (n, ==, 1);
    ipa_mem_free (buf, gt_mem ());
  }

  /* ipa starts: the batch is completed before anything else. */
  db = gt_load_db (conf);
  g_assert_cmpint (CALL (db, db->db->db_init_statrule (0, "r", "old")), ==, 0);
  gt_log_start ();
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  gt_log_stop ();
  g_assert_nonnull (gt_log_find ("completing a batch"));
  CALL (db, db->db->db_deinit_rule (0));
  gt_unload (db);

  g_assert_cmpint (CALL (st, st->st->st_get_rule_info (0, gt_mem (), &info)), ==, 0);
  g_assert_cmpstr (info, ==, "old");
  ipa_mem_free (info, gt_mem ());
  {
    struct ipa_entity_desc *list = NULL;
    unsigned int n = 0;

    g_assert_cmpint (CALL (st, st->st->st_get_rules_list (NULL, NULL, gt_mem (), &n, &list)), ==, 0);
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpstr (list[1].name, ==, "x");
    g_assert_cmpstr (list[1].info, ==, "new");
    gt_free_list (list, n);
  }
  CALL (st, st->st->st_deinit_rule (0));
  gt_unload (st);
}

static void
report_leak (const char *message, gpointer user_data)
{
  g_printerr ("leak: %s\n", message);
}

int
main (int argc, char **argv)
{
  int r;

  g_test_init (&argc, &argv, NULL);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);
  setup_env ();

  g_test_add_func ("/gdbm/format/codec", test_codec);
  g_test_add_func ("/gdbm/format/keys", test_keys);
  g_test_add_func ("/gdbm/format/journal-states", test_journal_states);
  g_test_add_func ("/gdbm/format/recover-complete", test_recover_complete);
  g_test_add_func ("/gdbm/format/recover-incomplete", test_recover_incomplete);
  g_test_add_func ("/gdbm/format/truncated-refused", test_truncated_refused);
  g_test_add_func ("/gdbm/format/interrupted-batch-modules", test_interrupted_batch_modules);
  r = g_test_run ();
  /* The shared code's own allocations (env.mt) and the results. */
  g_assert_cmpuint (ipa_memfunc_check_leaks (NULL, report_leak, NULL), ==, 0);
  return r;
}
