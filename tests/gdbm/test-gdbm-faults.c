/*
 * test-gdbm-faults.c: databases that cannot be written or read as they
 * should: a full disk and a read-only directory (nothing is lost, the data
 * waits in memory), damaged, truncated, foreign and newer files (refused,
 * named, left untouched), a version 0 database (converted), and readers
 * and writers that hold a file (bounded waits, no lost record).
 *
 * Full disk and read-only directory need mounts: the test makes its mount
 * namespace private when it runs as root, and skips them otherwise.
 */
#include "config.h"

#include <errno.h>
#include <gdbm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "gdbm-test-util.h"

static char *
conf_dir (const char *dir, const char *global_extra)
{
  return g_strdup_printf ("global { gdbm:db_dir \"%s\"; %s }\n", dir,
                          global_extra != NULL ? global_extra : "");
}

/* n rules "rNNN" (ruleno = index), initialised. */
static GtModule *
db_with_rules (const char *conf, unsigned int n)
{
  GtModule *db = gt_load_db (conf);

  for (unsigned int i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("r%03u", i);

      g_assert_cmpint (CALL (db, db->db->db_init_statrule (i, name, NULL)), ==, 0);
    }
  return db;
}

static void
db_close (GtModule *db, unsigned int n)
{
  for (unsigned int i = 0; i < n; i++)
    CALL (db, db->db->db_deinit_rule (i));
  gt_unload (db);
}

/* Batch number b: every rule appends a record at minute b of
 * 2025-03-01 with counter b * 1000 + rule. */
static int
batch (GtModule *db, unsigned int n, unsigned int b)
{
  ipa_tm t = gt_tm (2025, 3, 1, (int) b / 60, (int) b % 60, 0);
  int rc;

  g_assert_cmpint (gt_begin (db, &t), ==, 0);
  for (unsigned int i = 0; i < n; i++)
    {
      uint64_t c = (uint64_t) b * 1000 + i;

      g_assert_cmpint (CALL (db, db->db->db_append_rule (i, &c, &t)), ==, 0);
    }
  rc = CALL (db, gt_end (db));
  return rc;
}

/* Every rule has exactly the records of batches 0..nb-1. */
static void
check_batches (const char *conf, unsigned int n, unsigned int nb)
{
  GtModule *st = gt_load_st (conf);
  ipa_tm a = gt_tm (2025, 3, 1, 0, 0, 0), z = gt_tm (2025, 3, 1, 23, 59, 59);

  for (unsigned int i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("r%03u", i);
      struct ipa_rule_stat *buf = NULL;
      unsigned int got = 0;

      g_assert_cmpint (CALL (st, st->st->st_init_rule (i, name)), ==, 0);
      g_assert_cmpint (CALL (st, st->st->st_get_rule_stat (i, &a, &z, 0, gt_mem (), &got, &buf)), ==, 0);
      g_assert_cmpuint (got, ==, nb);
      for (unsigned int b = 0; b < nb; b++)
        {
          g_assert_cmpuint (buf[b].cnt, ==, (uint64_t) b * 1000 + i);
          g_assert_cmpuint (buf[b].h1 * 60 + buf[b].m1, ==, b);
        }
      ipa_mem_free (buf, gt_mem ());
      CALL (st, st->st->st_deinit_rule (i));
    }
  gt_unload (st);
}

static void
test_full_disk (void)
{
  g_autofree char *dir = gt_tmpdir ("full");
  g_autofree char *conf = conf_dir (dir, NULL);
  const unsigned int n = 300;
  unsigned int b, failed = 0;
  GtModule *db;

  if (!gt_private_mounts ())
    {
      g_test_skip ("needs root for a private 1 MiB tmpfs (unshare -m)");
      return;
    }
  g_assert_cmpint (mount ("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0755"), ==, 0);
  db = db_with_rules (conf, n);
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  gt_log_start ();
  for (b = 0; b < 400 && failed < 5; b++)
    if (batch (db, n, b) != 0)
      failed++;
  gt_log_stop ();
  g_test_message ("the disk was full after %u batches", b - failed);
  g_assert_cmpuint (failed, ==, 5);
  g_assert_nonnull (gt_log_find ("No space left on device"));
  g_assert_nonnull (gt_log_find (dir));
  g_assert_nonnull (gt_log_find ("nothing of this batch is lost"));

  /* Room again: the next batch writes everything that waited. */
  g_assert_cmpint (mount ("none", dir, "none", MS_REMOUNT, "size=64m"), ==, 0);
  g_assert_cmpint (batch (db, n, b), ==, 0);
  b++;
  db_close (db, n);
  check_batches (conf, n, b);
  g_assert_cmpint (umount (dir), ==, 0);
}

static void
test_read_only_dir (void)
{
  g_autofree char *dir = gt_tmpdir ("readonly");
  g_autofree char *conf = conf_dir (dir, NULL);
  const unsigned int n = 20;
  GtModule *db;

  if (!gt_private_mounts ())
    {
      g_test_skip ("needs root to remount a private tmpfs read-only (unshare -m)");
      return;
    }
  g_assert_cmpint (mount ("tmpfs", dir, "tmpfs", 0, "size=16m,mode=0755"), ==, 0);
  db = db_with_rules (conf, n);
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  g_assert_cmpint (batch (db, n, 0), ==, 0);
  g_assert_cmpint (mount ("none", dir, "none", MS_REMOUNT | MS_RDONLY, NULL), ==, 0);
  gt_log_start ();
  g_assert_cmpint (batch (db, n, 1), ==, -1);
  g_assert_cmpint (batch (db, n, 2), ==, -1);
  gt_log_stop ();
  g_assert_nonnull (gt_log_find ("Read-only file system"));
  g_assert_nonnull (gt_log_find (dir));
  /* ipastat still reads what was written. */
  check_batches (conf, n, 1);
  g_assert_cmpint (mount ("none", dir, "none", MS_REMOUNT, NULL), ==, 0);
  g_assert_cmpint (batch (db, n, 3), ==, 0);
  db_close (db, n);
  check_batches (conf, n, 4);
  g_assert_cmpint (umount (dir), ==, 0);
}

/* A small database: rule r000 with records in March 2025. */
static void
write_small (const char *conf)
{
  GtModule *db = db_with_rules (conf, 1);

  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  g_assert_cmpint (batch (db, 1, 0), ==, 0);
  g_assert_cmpint (batch (db, 1, 1), ==, 0);
  db_close (db, 1);
}

/* Opening the database again must fail at db_init with `needle` and the
 * file named, and st must fail too; the file stays as it was. */
static void
check_refused (const char *conf, const char *file, const char *needle, gboolean at_init)
{
  g_autoptr(GBytes) before = gt_read_file (file);
  g_autoptr(GBytes) after = NULL;
  GtModule *db = db_with_rules (conf, 1), *st;
  struct ipa_entity_desc *list = NULL;
  struct ipa_rule_stat *buf = NULL;
  unsigned int n = 0;
  ipa_tm a = gt_tm (2025, 3, 1, 0, 0, 0), z = gt_tm (2025, 3, 31, 0, 0, 0);

  gt_log_start ();
  if (at_init)
    g_assert_cmpint (CALL (db, db->db->db_init ()), ==, -1);
  else
    {
      g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
      g_assert_cmpint (batch (db, 1, 5), ==, -1);
    }
  gt_log_stop ();
  gt_log_dump ();
  g_assert_nonnull (gt_log_find (needle));
  g_assert_nonnull (gt_log_find (file));
  db_close (db, 1);

  st = gt_load_st (conf);
  g_assert_cmpint (CALL (st, st->st->st_init_rule (0, "r000")), ==, 0);
  gt_log_start ();
  if (at_init)
    g_assert_cmpint (CALL (st, st->st->st_get_rules_list (NULL, NULL, gt_mem (), &n, &list)), ==, -1);
  else
    g_assert_cmpint (CALL (st, st->st->st_get_rule_stat (0, &a, &z, 0, gt_mem (), &n, &buf)), ==, -1);
  gt_log_stop ();
  g_assert_nonnull (gt_log_find (needle));
  CALL (st, st->st->st_deinit_rule (0));
  gt_unload (st);

  after = gt_read_file (file);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_damaged_header (void)
{
  g_autofree char *dir = gt_tmpdir ("damaged");
  g_autofree char *conf = conf_dir (dir, NULL);
  g_autofree char *state = g_build_filename (dir, "state.gdbm", NULL);
  FILE *f;

  write_small (conf);
  f = fopen (state, "r+");
  g_assert_nonnull (f);
  g_assert_cmpuint (fwrite ("garbage garbage!", 1, 16, f), ==, 16);
  fclose (f);
  check_refused (conf, state, "is damaged", TRUE);
  g_assert_nonnull (gt_log_find ("gdbmtool"));
}

static void
test_truncated (void)
{
  g_autofree char *dir = gt_tmpdir ("truncated");
  g_autofree char *conf = conf_dir (dir, NULL);
  g_autofree char *month = g_build_filename (dir, "rules-2025-03.gdbm", NULL);
  GStatBuf st;

  write_small (conf);
  g_assert_cmpint (g_stat (month, &st), ==, 0);
  g_assert_cmpint (truncate (month, st.st_size / 2), ==, 0);
  check_refused (conf, month, "the file is truncated", FALSE);
}

static void
store_format (const char *path, const char *value, int size)
{
  GDBM_FILE f = gdbm_open (path, 0, GDBM_WRITER, 0, NULL);

  g_assert_nonnull (f);
  if (value == NULL)
    g_assert_cmpint (gdbm_delete (f, (datum) { (char *) "#format", 7 }), ==, 0);
  else
    g_assert_cmpint (gdbm_store (f, (datum) { (char *) "#format", 7 }, (datum) { (char *) value, size },
                                 GDBM_REPLACE), ==, 0);
  gdbm_close (f);
}

static void
test_newer_format (void)
{
  g_autofree char *dir = gt_tmpdir ("newer");
  g_autofree char *conf = conf_dir (dir, NULL);
  g_autofree char *state = g_build_filename (dir, "state.gdbm", NULL);

  write_small (conf);
  store_format (state, "\0\0\0\2", 4);
  check_refused (conf, state, "has format version 2, this ipa_gdbm reads version 1 (written by a newer ipa?)",
                 TRUE);
}

static void
test_foreign_file (void)
{
  g_autofree char *dir = gt_tmpdir ("foreign");
  g_autofree char *conf = conf_dir (dir, NULL);
  g_autofree char *state = g_build_filename (dir, "state.gdbm", NULL);

  write_small (conf);
  store_format (state, NULL, 0);
  check_refused (conf, state, "it is not a database of ipa_db_gdbm", TRUE);
}

/* Version 0 (FORMAT.md): one file, no format key, 32-bit counters. */
static void
v0_store (GDBM_FILE f, const char *key, const void *val, int len)
{
  g_assert_cmpint (gdbm_store (f, (datum) { (char *) key, (int) strlen (key) },
                               (datum) { (char *) val, len }, GDBM_REPLACE), ==, 0);
}

static void
v0_date (unsigned char *p, int y, int m, int d, int h, int mi, int s)
{
  p[0] = (unsigned char) (y >> 8);
  p[1] = (unsigned char) y;
  p[2] = (unsigned char) m;
  p[3] = (unsigned char) d;
  p[4] = (unsigned char) h;
  p[5] = (unsigned char) mi;
  p[6] = (unsigned char) s;
}

static void
put32 (unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char) (v >> 24);
  p[1] = (unsigned char) (v >> 16);
  p[2] = (unsigned char) (v >> 8);
  p[3] = (unsigned char) v;
}

static void
make_v0 (const char *path)
{
  GDBM_FILE f = gdbm_open (path, 0, GDBM_NEWDB, 0640, NULL);
  unsigned char rec[10], lim[65], thr[22];

  g_assert_nonnull (f);
  v0_store (f, "rule:r1", "rule one", 8);
  v0_store (f, "rule:r2", "", 0);
  /* 40 records of r1 on 15 January, stored in scrambled key order. */
  for (int i = 39; i >= 0; i--)
    {
      g_autofree char *k = g_strdup_printf ("rec:r1:20230115:%d", i);

      rec[0] = rec[3] = (unsigned char) (i / 2);
      rec[1] = (unsigned char) (i % 2 * 30);
      rec[4] = (unsigned char) (i % 2 * 30 + 20);
      rec[2] = rec[5] = 0;
      put32 (rec + 6, 4000000000U - (uint32_t) i);
      v0_store (f, k, rec, sizeof rec);
    }
  memset (rec, 0, sizeof rec);
  rec[0] = rec[3] = 12;
  put32 (rec + 6, 7);
  v0_store (f, "rec:r2:20230201:0", rec, sizeof rec);
  v0_store (f, "limit:r1:l", "lim info", 8);
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *k = g_strdup_printf ("lstate:r1:l:%d", i);

      memset (lim, 0, sizeof lim);
      put32 (lim, 1000U * (uint32_t) (i + 1));
      put32 (lim + 4, 10U + (uint32_t) i);
      lim[8] = IPA_LIMIT_EVENT_START_SET | IPA_LIMIT_EVENT_REACH_SET;
      v0_date (lim + 9, 2023, 1 + i, 1, 0, 0, 0);
      v0_date (lim + 9 + 3 * 7, 2023, 1 + i, 20, 12, 0, 0);
      v0_store (f, k, lim, sizeof lim);
    }
  v0_store (f, "threshold:r1:t", "", 0);
  put32 (thr, 50);
  put32 (thr + 4, 51);
  v0_date (thr + 8, 2023, 1, 15, 0, 0, 0);
  v0_date (thr + 15, 2023, 1, 15, 1, 0, 0);
  v0_store (f, "tstate:r1:t", thr, sizeof thr);
  gdbm_close (f);
}

static void
test_v0_migration (void)
{
  g_autofree char *dir = gt_tmpdir ("v0");
  g_autofree char *conf = g_strdup_printf ("global { gdbm:db_dir \"%s\"; }\nrule r1 { }\nrule r2 { }\n", dir);
  g_autofree char *v0 = g_build_filename (dir, "ipa_db.gdbm", NULL);
  g_autofree char *kept = g_build_filename (dir, "ipa_db.gdbm.v0", NULL);
  g_autofree char *marker = g_build_filename (dir, ".migrate-v0", NULL);
  g_autofree char *junk = g_build_filename (marker, "state.gdbm", NULL);
  struct ipa_entity_desc *list = NULL;
  struct ipa_rule_stat *buf = NULL;
  struct ipa_limit_state *ls = NULL;
  struct ipa_threshold_state ts;
  unsigned int n = 0;
  GtModule *db, *st;
  ipa_tm a = gt_tm (2023, 1, 1, 0, 0, 0), z = gt_tm (2023, 12, 31, 0, 0, 0);

  make_v0 (v0);

  /* ipastat does not read it: ipa converts it. */
  st = gt_load_st (conf);
  g_assert_cmpint (CALL (st, st->st->st_init_rule (0, "r1")), ==, 0);
  gt_log_start ();
  g_assert_cmpint (CALL (st, st->st->st_get_rules_list (NULL, NULL, gt_mem (), &n, &list)), ==, -1);
  gt_log_stop ();
  g_assert_nonnull (gt_log_find ("format version 0"));
  CALL (st, st->st->st_deinit_rule (0));
  gt_unload (st);

  /* An earlier conversion was interrupted: its leftovers are redone. */
  g_assert_cmpint (g_mkdir (marker, 0700), ==, 0);
  g_assert_true (g_file_set_contents (junk, "junk", -1, NULL));

  db = gt_load_db (conf);
  g_assert_cmpint (CALL (db, db->db->db_init_statrule (0, "r1", "rule one")), ==, 0);
  g_assert_cmpint (CALL (db, db->db->db_init_statrule (1, "r2", NULL)), ==, 0);
  gt_log_start ();
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  gt_log_stop ();
  g_assert_nonnull (gt_log_find ("converted the version 0 database"));
  g_assert_false (g_file_test (v0, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  /* Writing goes on after the conversion: day 15 gets a 41st record. */
  {
    ipa_tm t = gt_tm (2023, 1, 15, 23, 0, 0);
    uint64_t c = 5000000000ULL;

    g_assert_cmpint (gt_begin (db, &t), ==, 0);
    g_assert_cmpint (CALL (db, db->db->db_append_rule (0, &c, &t)), ==, 0);
    g_assert_cmpint (gt_end (db), ==, 0);
  }
  CALL (db, db->db->db_deinit_rule (1));
  CALL (db, db->db->db_deinit_rule (0));
  gt_unload (db);

  st = gt_load_st (conf);
  g_assert_cmpint (CALL (st, st->st->st_init_rule (0, "r1")), ==, 0);
  g_assert_cmpint (CALL (st, st->st->st_init_rule (1, "r2")), ==, 0);
  g_assert_cmpint (CALL (st, st->st->st_init_limit (0, "r1", 0, "l")), ==, 0);
  g_assert_cmpint (CALL (st, st->st->st_init_threshold (0, "r1", 0, "t")), ==, 0);
  g_assert_cmpint (CALL (st, st->st->st_get_rules_list (NULL, NULL, gt_mem (), &n, &list)), ==, 0);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (list[0].info, ==, "rule one");
  g_assert_null (list[1].info);
  gt_free_list (list, n);

  g_assert_cmpint (CALL (st, st->st->st_get_rule_stat (0, &a, &z, 0, gt_mem (), &n, &buf)), ==, 0);
  g_assert_cmpuint (n, ==, 41);
  for (unsigned int i = 0; i < 40; i++)
    {
      g_assert_cmpuint (buf[i].mday, ==, 15);
      g_assert_cmpuint (buf[i].h1, ==, i / 2);
      g_assert_cmpuint (buf[i].m1, ==, i % 2 * 30);
      g_assert_cmpuint (buf[i].m2, ==, i % 2 * 30 + 20);
      g_assert_cmpuint (buf[i].cnt, ==, 4000000000U - i);
    }
  g_assert_cmpuint (buf[40].cnt, ==, 5000000000ULL);
  ipa_mem_free (buf, gt_mem ());
  g_assert_cmpint (CALL (st, st->st->st_get_rule_stat (1, &a, &z, 0, gt_mem (), &n, &buf)), ==, 0);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (buf[0].mon, ==, 2);
  g_assert_cmpuint (buf[0].cnt, ==, 7);
  ipa_mem_free (buf, gt_mem ());

  g_assert_cmpint (CALL (st, st->st->st_get_limit_stat (0, 0, &a, &z, gt_mem (), &n, &ls)), ==, 0);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (ls[1].lim, ==, 2000);
  g_assert_cmpuint (ls[1].cnt, ==, 11);
  g_assert_cmpint (ls[1].event_date[IPA_LIMIT_EVENT_REACH].tm_mday, ==, 20);
  g_assert_cmpint (ls[1].event_date[IPA_LIMIT_EVENT_REACH].tm_hour, ==, 12);
  ipa_mem_free (ls, gt_mem ());
  g_assert_cmpint (CALL (st, st->st->st_get_threshold_stat (0, 0, &ts)), ==, 1);
  g_assert_cmpuint (ts.thr, ==, 50);
  g_assert_cmpuint (ts.cnt, ==, 51);
  g_assert_cmpint (ts.tm_updated.tm_hour, ==, 1);
  CALL (st, st->st->st_deinit_threshold (0, 0));
  CALL (st, st->st->st_deinit_limit (0, 0));
  CALL (st, st->st->st_deinit_rule (1));
  CALL (st, st->st->st_deinit_rule (0));
  gt_unload (st);
}

/* A version 0 file that does not follow the layout is not converted. */
static void
test_v0_bad (void)
{
  g_autofree char *dir = gt_tmpdir ("v0bad");
  g_autofree char *conf = g_strdup_printf ("global { gdbm:db_dir \"%s\"; }\n", dir);
  g_autofree char *v0 = g_build_filename (dir, "ipa_db.gdbm", NULL);
  g_autofree char *state = g_build_filename (dir, "state.gdbm", NULL);
  g_autoptr(GBytes) before = NULL, after = NULL;
  GDBM_FILE f;
  GtModule *db;

  make_v0 (v0);
  f = gdbm_open (v0, 0, GDBM_WRITER, 0, NULL);
  v0_store (f, "rec:r1:2023011:0", "short", 5);
  gdbm_close (f);
  before = gt_read_file (v0);
  db = db_with_rules (conf, 1);
  gt_log_start ();
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, -1);
  gt_log_stop ();
  g_assert_nonnull (gt_log_find ("does not follow the version 0 layout"));
  db_close (db, 1);
  after = gt_read_file (v0);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
}

/* Another process (this program, run again with --hold) that holds PATH
 * as a GDBM reader or writer for hold_ms; returns when it has it.  A new
 * program rather than a fork, so that it is a process of its own for
 * valgrind too. */
static char *self_path;

static GPid
hold_file (const char *path, int writer, unsigned int hold_ms)
{
  g_autofree char *ms = g_strdup_printf ("%u", hold_ms);
  const char *argv[] = { self_path, "--hold", path, writer ? "writer" : "reader", ms, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int out;
  char c;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                           NULL, &pid, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (read (out, &c, 1), ==, 1);
  close (out);
  return pid;
}

static int
hold_main (const char *path, const char *mode, const char *ms)
{
  GDBM_FILE f = gdbm_open (path, 0, strcmp (mode, "writer") == 0 ? GDBM_WRITER : GDBM_READER, 0, NULL);
  unsigned long hold = strtoul (ms, NULL, 10);
  struct timespec ts = { (time_t) (hold / 1000), (long) (hold % 1000) * 1000000L };

  if (f == NULL || write (STDOUT_FILENO, "x", 1) != 1)
    return 1;
  nanosleep (&ts, NULL);
  gdbm_close (f);
  return 0;
}

static void
reap (GPid pid)
{
  int status;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_spawn_close_pid (pid);
}

static void
test_reader_blocks_writer (void)
{
  g_autofree char *dir = gt_tmpdir ("reader");
  g_autofree char *conf = conf_dir (dir, "gdbm:lock_wait 1s;");
  g_autofree char *month = g_build_filename (dir, "rules-2025-03.gdbm", NULL);
  const unsigned int n = 5;
  GtModule *db = db_with_rules (conf, n);
  gint64 t0, waited;
  GPid pid;

  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  g_assert_cmpint (batch (db, n, 0), ==, 0);

  /* A short query: the batch waits for it (and succeeds: within
   * lock_wait). */
  pid = hold_file (month, 0, 300);
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (batch (db, n, 1), ==, 0);
  waited = g_get_monotonic_time () - t0;
  reap (pid);
  g_test_message ("the batch waited %.0f ms for a reader holding the file 300 ms", waited / 1000.0);
  g_assert_cmpint (waited, >=, 250000);

  /* A long one: the batch gives up after lock_wait, before the reader
   * lets go, and keeps its data. */
  pid = hold_file (month, 0, 2000);
  gt_log_start ();
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (batch (db, n, 2), ==, -1);
  waited = g_get_monotonic_time () - t0;
  gt_log_stop ();
  g_assert_nonnull (gt_log_find ("stayed locked by a reader for 1s"));
  g_assert_cmpint (waited, >=, 900000);
  g_assert_cmpint (waited, <, 1900000);
  reap (pid);
  g_assert_cmpint (batch (db, n, 3), ==, 0);
  db_close (db, n);
  check_batches (conf, n, 4);
}

static void
test_writer_blocks_reader (void)
{
  g_autofree char *dir = gt_tmpdir ("writer");
  g_autofree char *conf = conf_dir (dir, "gdbm:lock_wait 1s;");
  g_autofree char *month = g_build_filename (dir, "rules-2025-03.gdbm", NULL);
  struct ipa_rule_stat *buf = NULL;
  unsigned int got = 0;
  ipa_tm a = gt_tm (2025, 3, 1, 0, 0, 0), z = gt_tm (2025, 3, 2, 0, 0, 0);
  GtModule *st;
  gint64 t0;
  GPid pid;

  write_small (conf);
  st = gt_load_st (conf);
  g_assert_cmpint (CALL (st, st->st->st_init_rule (0, "r000")), ==, 0);

  pid = hold_file (month, 1, 300);
  g_assert_cmpint (CALL (st, st->st->st_get_rule_stat (0, &a, &z, 0, gt_mem (), &got, &buf)), ==, 0);
  g_assert_cmpuint (got, ==, 2);
  ipa_mem_free (buf, gt_mem ());
  reap (pid);

  pid = hold_file (month, 1, 2000);
  gt_log_start ();
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (CALL (st, st->st->st_get_rule_stat (0, &a, &z, 0, gt_mem (), &got, &buf)), ==, -1);
  gt_log_stop ();
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 900000);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 1900000);
  g_assert_nonnull (gt_log_find ("stayed locked for 1s"));
  g_assert_nonnull (gt_log_find (month));
  reap (pid);
  CALL (st, st->st->st_deinit_rule (0));
  gt_unload (st);
}

/* GDBM 1.23 does not free the first bucket of a new database whose
 * initial write fails (gdbm_fd_open, full disk): not ours to fix. */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:gdbm_fd_open\n";
}

int
main (int argc, char **argv)
{
  int r;

  if (argc == 5 && strcmp (argv[1], "--hold") == 0)
    return hold_main (argv[2], argv[3], argv[4]);
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_test_init (&argc, &argv, NULL);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);

  g_test_add_func ("/gdbm/faults/full-disk", test_full_disk);
  g_test_add_func ("/gdbm/faults/read-only-dir", test_read_only_dir);
  g_test_add_func ("/gdbm/faults/damaged-header", test_damaged_header);
  g_test_add_func ("/gdbm/faults/truncated", test_truncated);
  g_test_add_func ("/gdbm/faults/newer-format", test_newer_format);
  g_test_add_func ("/gdbm/faults/foreign-file", test_foreign_file);
  g_test_add_func ("/gdbm/faults/v0-migration", test_v0_migration);
  g_test_add_func ("/gdbm/faults/v0-bad", test_v0_bad);
  g_test_add_func ("/gdbm/faults/reader-blocks-writer", test_reader_blocks_writer);
  g_test_add_func ("/gdbm/faults/writer-blocks-reader", test_writer_blocks_reader);
  r = g_test_run ();
  g_free (self_path);
  return r;
}
