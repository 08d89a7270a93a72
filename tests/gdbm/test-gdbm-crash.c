/*
 * test-gdbm-crash.c: kill -9 at any moment loses no completed batch.
 *
 * A child process runs update batches through ipa_db_gdbm (records,
 * limit states with history, threshold states) and writes the number of
 * every batch whose db_end_batch() returned 0 to a pipe.  The parent
 * kills it with SIGKILL after a random delay, lets the module recover the
 * directory (as ipa does when it starts), reads everything back through
 * ipa_st_gdbm and checks that it equals the state after the last
 * acknowledged batch or after the one in flight (a batch whose journal
 * was complete is finished by the recovery).  The parent computes those
 * states with a model of the same workload.
 *
 * It runs on the test's temporary directory (no reflinks here: the
 * journal and gdbm_recover do the work) and, with root, loop devices and
 * mkfs.xfs, on an XFS image with reflink=1, where GDBM's crash tolerance
 * (snapshots) is used too.  Without those, the XFS case is skipped with a
 * message.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "gdbm-test-util.h"

#define N_RULES 6
#define N_KILLS 200
/* Under valgrind every process is some 50 times slower. */
#define N_KILLS_VALGRIND 20

static guint
n_kills (void)
{
  return g_getenv ("IPA_UNDER_VALGRIND") != NULL ? N_KILLS_VALGRIND : N_KILLS;
}

/* ------------------------------------------------------------------
 * The workload and its model
 */

static ipa_tm
batch_time (unsigned int s)
{
  /* Every 7 minutes from 20:00 on 31 January: days and a month change. */
  g_autoptr(GDateTime) base = g_date_time_new_utc (2025, 1, 31, 20, 0, 0);
  g_autoptr(GDateTime) t = g_date_time_add_minutes (base, (int) s * 7);

  return gt_tm (g_date_time_get_year (t), g_date_time_get_month (t), g_date_time_get_day_of_month (t),
                g_date_time_get_hour (t), g_date_time_get_minute (t), g_date_time_get_second (t));
}

static gboolean
same_day (const ipa_tm *a, const ipa_tm *b)
{
  return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon && a->tm_mday == b->tm_mday;
}

/* Whether rule i appends (rather than updates) in batch s. */
static gboolean
appends (unsigned int s, gboolean first)
{
  ipa_tm t = batch_time (s), p = batch_time (s - 1);

  return first || s % 5 == 1 || !same_day (&t, &p);
}

typedef struct {
  GArray *recs;     /* struct ipa_rule_stat */
  GArray *limits;   /* struct ipa_limit_state */
  struct ipa_threshold_state thr;
  gboolean have_thr;
} ModelRule;

typedef struct {
  ModelRule r[N_RULES];
} Model;

static Model *
model_new (void)
{
  Model *m = g_new0 (Model, 1);

  for (int i = 0; i < N_RULES; i++)
    {
      m->r[i].recs = g_array_new (FALSE, TRUE, sizeof (struct ipa_rule_stat));
      m->r[i].limits = g_array_new (FALSE, TRUE, sizeof (struct ipa_limit_state));
    }
  return m;
}

static Model *
model_copy (const Model *src)
{
  Model *m = g_new0 (Model, 1);

  for (int i = 0; i < N_RULES; i++)
    {
      m->r[i] = src->r[i];
      m->r[i].recs = g_array_copy (src->r[i].recs);
      m->r[i].limits = g_array_copy (src->r[i].limits);
    }
  return m;
}

static void
model_free (Model *m)
{
  for (int i = 0; i < N_RULES; i++)
    {
      g_array_unref (m->r[i].recs);
      g_array_unref (m->r[i].limits);
    }
  g_free (m);
}

static struct ipa_limit_state
new_limit_state (unsigned int s, const ipa_tm *t)
{
  struct ipa_limit_state ls;

  memset (&ls, 0, sizeof ls);
  ls.lim = s;
  ls.event_date_set = IPA_LIMIT_EVENT_START_SET;
  ls.event_date[IPA_LIMIT_EVENT_START] = *t;
  return ls;
}

static struct ipa_threshold_state
threshold_state (unsigned int s, int i)
{
  struct ipa_threshold_state ts;

  memset (&ts, 0, sizeof ts);
  ts.thr = (uint64_t) i;
  ts.cnt = s;
  ts.tm_from = batch_time (s - 1);
  ts.tm_updated = batch_time (s);
  return ts;
}

/* Batch s as the model sees it. */
static void
model_batch (Model *m, unsigned int s, gboolean first)
{
  ipa_tm t = batch_time (s);

  for (int i = 0; i < N_RULES; i++)
    {
      ModelRule *r = &m->r[i];
      uint64_t cnt = (uint64_t) s * 100 + (uint64_t) i;
      struct ipa_limit_state *cur;

      if (appends (s, first) || r->recs->len == 0)
        {
          struct ipa_rule_stat rs;

          /* Compared with memcmp(): no stray padding bytes. */
          memset (&rs, 0, sizeof rs);
          rs.year = (unsigned int) t.tm_year;
          rs.mon = (unsigned char) t.tm_mon;
          rs.mday = (unsigned char) t.tm_mday;
          rs.h1 = rs.h2 = (unsigned char) t.tm_hour;
          rs.m1 = rs.m2 = (unsigned char) t.tm_min;
          rs.s1 = rs.s2 = (unsigned char) t.tm_sec;
          rs.cnt = cnt;
          g_array_append_val (r->recs, rs);
        }
      else
        {
          struct ipa_rule_stat *rs = &g_array_index (r->recs, struct ipa_rule_stat, r->recs->len - 1);

          rs->h2 = (unsigned char) t.tm_hour;
          rs->m2 = (unsigned char) t.tm_min;
          rs->s2 = (unsigned char) t.tm_sec;
          rs->cnt = cnt;
        }
      if (s % 11 == 1 || r->limits->len == 0)
        {
          struct ipa_limit_state ls = new_limit_state (s, &t);

          g_array_append_val (r->limits, ls);
        }
      cur = &g_array_index (r->limits, struct ipa_limit_state, r->limits->len - 1);
      cur->cnt = s;
      cur->event_date_set |= IPA_LIMIT_EVENT_UPDATED_SET;
      cur->event_date[IPA_LIMIT_EVENT_UPDATED] = t;
      r->thr = threshold_state (s, i);
      r->have_thr = TRUE;
    }
}

/* Batch s through the module (the same decisions as model_batch). */
static int
module_batch (GtModule *db, unsigned int s, gboolean first)
{
  struct ipa_db_mod *m = db->db;
  ipa_tm t = batch_time (s);

  if (gt_begin (db, &t) != 0)
    return -1;
  for (int i = 0; i < N_RULES; i++)
    {
      uint64_t cnt = (uint64_t) s * 100 + (uint64_t) i, v = s;
      struct ipa_limit_state ls;
      struct ipa_threshold_state ts = threshold_state (s, i);
      int have = 1;

      if (CALL (db, appends (s, first) ? m->db_append_rule ((unsigned int) i, &cnt, &t)
                                        : m->db_update_rule ((unsigned int) i, &cnt, &t)) != 0)
        return -1;
      if (first)
        have = CALL (db, m->db_get_limit_state ((unsigned int) i, 0, &ls));
      if (have < 0)
        return -1;
      if (s % 11 == 1 || have == 0)
        {
          ls = new_limit_state (s, &t);
          if (CALL (db, m->db_set_limit_state ((unsigned int) i, 0, &ls, 1)) != 0)
            return -1;
        }
      if (CALL (db, m->db_update_limit ((unsigned int) i, 0, &v, &t)) != 0 ||
          CALL (db, m->db_set_threshold_state ((unsigned int) i, 0, &ts)) != 0)
        return -1;
    }
  return CALL (db, gt_end (db));
}

static GtModule *
open_db (const char *conf)
{
  GtModule *db = gt_load_db (conf);

  for (int i = 0; i < N_RULES; i++)
    {
      g_autofree char *name = g_strdup_printf ("k%d", i);

      g_assert_cmpint (CALL (db, db->db->db_init_statrule ((unsigned int) i, name, "a rule")), ==, 0);
      g_assert_cmpint (CALL (db, db->db->db_init_statlimit ((unsigned int) i, name, NULL, 0, "l", NULL)),
                       ==, 0);
      g_assert_cmpint (CALL (db, db->db->db_init_statthreshold ((unsigned int) i, name, NULL, 0, "t",
                                                                NULL)), ==, 0);
    }
  return db;
}

static void
close_db (GtModule *db)
{
  for (int i = 0; i < N_RULES; i++)
    {
      CALL (db, db->db->db_deinit_threshold ((unsigned int) i, 0));
      CALL (db, db->db->db_deinit_limit ((unsigned int) i, 0));
      CALL (db, db->db->db_deinit_rule ((unsigned int) i));
    }
  gt_unload (db);
}

/* The child: batches from `from` on, each acknowledged on fd. */
static void G_GNUC_NORETURN
child_run (const char *conf, unsigned int from, int fd)
{
  GtModule *db;

  gt_log_start ();
  db = open_db (conf);

  if (CALL (db, db->db->db_init ()) != 0)
    _exit (2);
  for (unsigned int s = from;; s++)
    {
      guint32 v = s;

      if (module_batch (db, s, s == from) != 0)
        _exit (3);
      if (write (fd, &v, sizeof v) != sizeof v)
        _exit (4);
    }
}

/* ------------------------------------------------------------------
 * Checking what is on disk
 */

static gboolean
tm_equal (const ipa_tm *a, const ipa_tm *b)
{
  return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon && a->tm_mday == b->tm_mday &&
         a->tm_hour == b->tm_hour && a->tm_min == b->tm_min && a->tm_sec == b->tm_sec;
}

typedef struct {
  struct ipa_rule_stat *recs[N_RULES];
  unsigned int n_recs[N_RULES];
  struct ipa_limit_state *lims[N_RULES];
  unsigned int n_lims[N_RULES];
  struct ipa_threshold_state thr[N_RULES];
  int have_thr[N_RULES];
} Disk;

static void
disk_read (const char *conf, Disk *d)
{
  GtModule *st = gt_load_st (conf);
  ipa_tm a = gt_tm (2000, 1, 1, 0, 0, 0), z = gt_tm (2100, 1, 1, 0, 0, 0);

  memset (d, 0, sizeof *d);
  for (int i = 0; i < N_RULES; i++)
    {
      g_autofree char *name = g_strdup_printf ("k%d", i);
      unsigned int r = (unsigned int) i;

      g_assert_cmpint (CALL (st, st->st->st_init_rule (r, name)), ==, 0);
      g_assert_cmpint (CALL (st, st->st->st_init_limit (r, name, 0, "l")), ==, 0);
      g_assert_cmpint (CALL (st, st->st->st_init_threshold (r, name, 0, "t")), ==, 0);
      g_assert_cmpint (CALL (st, st->st->st_get_rule_stat (r, &a, &z, 1, gt_mem (), &d->n_recs[i],
                                                           &d->recs[i])), ==, 0);
      g_assert_cmpint (CALL (st, st->st->st_get_limit_stat (r, 0, &a, &z, gt_mem (), &d->n_lims[i],
                                                            &d->lims[i])), ==, 0);
      d->have_thr[i] = CALL (st, st->st->st_get_threshold_stat (r, 0, &d->thr[i]));
      g_assert_cmpint (d->have_thr[i], >=, 0);
      CALL (st, st->st->st_deinit_threshold (r, 0));
      CALL (st, st->st->st_deinit_limit (r, 0));
      CALL (st, st->st->st_deinit_rule (r));
    }
  gt_unload (st);
}

static void
disk_free (Disk *d)
{
  for (int i = 0; i < N_RULES; i++)
    {
      ipa_mem_free (d->recs[i], gt_mem ());
      ipa_mem_free (d->lims[i], gt_mem ());
    }
}

static gboolean
disk_equals (const Disk *d, const Model *m)
{
  for (int i = 0; i < N_RULES; i++)
    {
      const ModelRule *r = &m->r[i];

      if (d->n_recs[i] != r->recs->len || d->n_lims[i] != r->limits->len ||
          d->have_thr[i] != r->have_thr)
        return FALSE;
      if (r->recs->len > 0 &&
          memcmp (d->recs[i], r->recs->data, r->recs->len * sizeof (struct ipa_rule_stat)) != 0)
        return FALSE;
      for (guint j = 0; j < r->limits->len; j++)
        {
          const struct ipa_limit_state *a = &d->lims[i][j];
          const struct ipa_limit_state *b = &g_array_index (r->limits, struct ipa_limit_state, j);

          if (a->lim != b->lim || a->cnt != b->cnt || a->event_date_set != b->event_date_set ||
              !tm_equal (&a->event_date[IPA_LIMIT_EVENT_START], &b->event_date[IPA_LIMIT_EVENT_START]) ||
              !tm_equal (&a->event_date[IPA_LIMIT_EVENT_UPDATED], &b->event_date[IPA_LIMIT_EVENT_UPDATED]))
            return FALSE;
        }
      if (r->have_thr && (d->thr[i].thr != r->thr.thr || d->thr[i].cnt != r->thr.cnt ||
                          !tm_equal (&d->thr[i].tm_from, &r->thr.tm_from) ||
                          !tm_equal (&d->thr[i].tm_updated, &r->thr.tm_updated)))
        return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------
 * The loop
 */

typedef struct {
  guint kills;
  guint at_ack;       /* the state after the last acknowledged batch */
  guint at_next;      /* … after the batch in flight (its journal was complete) */
  guint recovered;    /* kills after which a journal was completed or discarded */
  guint snapshots;    /* files restored from a crash-tolerance snapshot */
  guint batches;
} Stats;

static void
kill_loop (const char *dir, guint kills, Stats *stats)
{
  g_autofree char *conf = g_strdup_printf ("global { gdbm:db_dir \"%s\"; }\n", dir);
  GRand *rand = g_rand_new_with_seed (20251125);
  Model *done = model_new ();   /* the state on disk (verified) */
  unsigned int verified = 0;    /* its batch number */
  double batch_ms = 5.0;        /* observed time per batch */
  /* observed time to the first batch (a child under valgrind needs ~1 s) */
  double startup_ms = g_getenv ("IPA_UNDER_VALGRIND") != NULL ? 1500.0 : 10.0;
  gint64 t_verify, verify_us = 0;

  memset (stats, 0, sizeof *stats);
  for (guint k = 0; k < kills; k++)
    {
      int fds[2], status;
      pid_t pid;
      unsigned int acked = verified, n_acked = 0;
      gint64 start, deadline;
      guint32 v;
      Model *a, *b;
      Disk disk;
      GtModule *db;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          child_run (conf, verified + 1, fds[1]);
        }
      close (fds[1]);
      /* Kill at a random moment: from start-up to a few batches in. */
      start = g_get_monotonic_time ();
      deadline = start + (gint64) (g_rand_double_range (rand, 0, startup_ms + 4 * batch_ms + 5) * 1000);
      for (;;)
        {
          struct pollfd p = { fds[0], POLLIN, 0 };
          gint64 now = g_get_monotonic_time ();
          int left = (int) ((deadline - now + 999) / 1000);

          if (now >= deadline)
            break;
          if (poll (&p, 1, left) > 0 && read (fds[0], &v, sizeof v) == sizeof v)
            {
              if (n_acked == 0)
                startup_ms = startup_ms * 0.8 + 0.2 * (g_get_monotonic_time () - start) / 1000.0;
              acked = v;
              n_acked++;
            }
        }
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
      while (read (fds[0], &v, sizeof v) == sizeof v)
        {
          acked = v;
          n_acked++;
        }
      close (fds[0]);
      if (n_acked > 1)
        batch_ms = MAX (0.5, batch_ms * 0.8 + 0.2 * ((deadline - start) / 1000.0 - startup_ms) /
                                                 (double) n_acked);
      else if (n_acked == 0 && (deadline - start) / 1000.0 > startup_ms && startup_ms < 5000)
        startup_ms *= 1.3; /* a slow start (valgrind): give the child time to work */
      stats->batches += n_acked;
      g_assert_cmpuint (acked, ==, verified + n_acked);

      /* ipa starting again recovers the directory. */
      t_verify = g_get_monotonic_time ();
      gt_log_start ();
      db = open_db (conf);
      g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
      close_db (db);
      gt_log_stop ();
      if (gt_log_find ("interrupted") != NULL)
        stats->recovered++;
      stats->snapshots += gt_log_count ("crash-tolerance snapshot");

      /* The models of the last acknowledged batch and of the next one. */
      a = model_copy (done);
      for (unsigned int s = verified + 1; s <= acked; s++)
        model_batch (a, s, s == verified + 1);
      b = model_copy (a);
      model_batch (b, acked + 1, acked == verified);

      disk_read (conf, &disk);
      if (disk_equals (&disk, a))
        {
          stats->at_ack++;
          model_free (b);
          model_free (done);
          done = a;
          verified = acked;
        }
      else if (disk_equals (&disk, b))
        {
          stats->at_next++;
          model_free (a);
          model_free (done);
          done = b;
          verified = acked + 1;
        }
      else
        {
          gt_log_dump ();
          g_error ("kill %u: the database equals neither batch %u (acknowledged) nor batch %u",
                   k, acked, acked + 1);
        }
      disk_free (&disk);
      stats->kills++;
      verify_us += g_get_monotonic_time () - t_verify;
    }
  model_free (done);
  g_rand_free (rand);
  g_test_message ("%u kills, %u batches: %u at the acknowledged batch, %u at the next one; "
                  "%u recoveries of an interrupted batch, %u snapshot restores; %.1f ms to start, "
                  "%.1f ms per batch, %.1f ms per recovery and check", stats->kills, stats->batches,
                  stats->at_ack, stats->at_next, stats->recovered, stats->snapshots, startup_ms, batch_ms,
                  verify_us / 1000.0 / (kills > 0 ? kills : 1));
}

static void
test_kill_tmpdir (void)
{
  g_autofree char *dir = gt_tmpdir ("kill");
  Stats stats;

  kill_loop (dir, n_kills (), &stats);
  g_assert_cmpuint (stats.kills, ==, n_kills ());
  /* The random moments did hit batches in flight. */
  if (n_kills () == N_KILLS)
    g_assert_cmpuint (stats.recovered, >, 0);
}

static gboolean
run_cmd (const char *const *argv, char **err)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *errs = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &errs,
                     &status, &error))
    {
      *err = g_strdup (error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, &error))
    {
      *err = g_strdup_printf ("%s: %s %s", argv[0], error->message, errs != NULL ? errs : "");
      return FALSE;
    }
  return TRUE;
}

static void
test_kill_xfs_reflink (void)
{
  g_autofree char *base = gt_tmpdir ("xfs");
  g_autofree char *img = g_build_filename (base, "xfs.img", NULL);
  g_autofree char *mnt = g_build_filename (base, "mnt", NULL);
  g_autofree char *dir = g_build_filename (mnt, "db", NULL);
  g_autofree char *err = NULL, *mkfs_path = NULL;
  Stats stats;
  FILE *f;

  if (!gt_private_mounts ())
    {
      g_test_skip ("not run on XFS: needs root to loop-mount an image in a private mount namespace");
      return;
    }
  mkfs_path = g_find_program_in_path ("mkfs.xfs");
  if (mkfs_path == NULL)
    {
      g_test_skip ("not run on XFS: mkfs.xfs (xfsprogs) is not installed");
      return;
    }
  /* XFS needs 300 MB; the image is sparse. */
  f = fopen (img, "w");
  g_assert_nonnull (f);
  g_assert_cmpint (ftruncate (fileno (f), 300 * 1024 * 1024), ==, 0);
  fclose (f);
  g_assert_cmpint (g_mkdir (mnt, 0755), ==, 0);
  {
    const char *mkfs[] = { "mkfs.xfs", "-q", "-f", "-m", "reflink=1", img, NULL };
    const char *mount_cmd[] = { "mount", "-o", "loop", img, mnt, NULL };

    if (!run_cmd (mkfs, &err) || !run_cmd (mount_cmd, &err))
      {
        g_autofree char *why = g_strdup_printf ("not run on XFS: %s", err);

        g_test_skip (why);
        return;
      }
  }
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  gt_log_start ();
  kill_loop (dir, n_kills (), &stats);
  gt_log_stop ();
  g_assert_cmpuint (stats.kills, ==, n_kills ());
  /* Crash tolerance was on: batches cut short were restored from
   * snapshots, not rebuilt. */
  if (n_kills () == N_KILLS)
    {
      g_assert_cmpuint (stats.recovered, >, 0);
      g_assert_cmpuint (stats.snapshots, >, 0);
    }
  g_assert_cmpint (umount (mnt), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);

  g_test_add_func ("/gdbm/crash/kill-tmpdir", test_kill_tmpdir);
  g_test_add_func ("/gdbm/crash/kill-xfs-reflink", test_kill_xfs_reflink);
  return g_test_run ();
}
