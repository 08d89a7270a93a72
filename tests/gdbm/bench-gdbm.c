/*
 * bench-gdbm.c: ipa_db_gdbm and ipa_st_gdbm against raw GDBM on the same
 * keys and values, measured in the same run (ratios), and the space a
 * rule takes per day.
 *
 *  1. One batch of 100,000 rules (db_update_rule of each, db_end_batch)
 *     against opening the same month file, gdbm_store of the same keys
 *     and values, gdbm_sync and gdbm_close.
 *  2. st_get_rule_stat of one rule over a year of 5-minute records
 *     against a raw traversal (gdbm_firstkey/nextkey/fetch) of the same
 *     month files.
 *  3. Bytes of the database files per rule per day, for 5-minute records
 *     and for one record a day.
 *
 * Times are medians of several runs; the two sides alternate.  Nothing
 * is asserted on times: the figures are printed.
 */
#include "config.h"

#include <gdbm.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "gdbm-test-util.h"

#define RUNS 5
#define REC_SIZE 14 /* a record, as FORMAT.md lays it out */

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, (size_t) n, sizeof *v, (int (*) (const void *, const void *)) cmp_double);
  return v[n / 2];
}

static double
now_ms (void)
{
  return (double) g_get_monotonic_time () / 1000.0;
}

static guint64
dir_bytes (const char *dir, const char *prefix)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *e;
  guint64 total = 0;

  g_assert_nonnull (d);
  while ((e = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (e, prefix))
      {
        g_autofree char *p = g_build_filename (dir, e, NULL);
        GStatBuf st;

        g_assert_cmpint (g_stat (p, &st), ==, 0);
        total += (guint64) st.st_size;
      }
  g_dir_close (d);
  return total;
}

/* ------------------------------------------------------------------
 * 1. An update batch of 100,000 rules
 */

#define N_RULES 100000

static void
raw_store_batch (const char *path, unsigned int round)
{
  GDBM_FILE f = gdbm_open (path, 0, GDBM_WRITER | GDBM_NUMSYNC, 0640, NULL);
  unsigned char v[REC_SIZE];

  g_assert_nonnull (f);
  for (unsigned int i = 0; i < N_RULES; i++)
    {
      char k[32];
      int kl = snprintf (k, sizeof k, "r%06u/15/c", i);

      /* h1 m1 s1 h2 m2 s2, counter (as the module encodes a record). */
      memset (v, 0, sizeof v);
      v[0] = 10;
      v[3] = 10;
      v[4] = (unsigned char) round;
      v[13] = (unsigned char) i;
      g_assert_cmpint (gdbm_store (f, (datum) { k, kl }, (datum) { (char *) v, sizeof v }, GDBM_REPLACE),
                       ==, 0);
    }
  g_assert_cmpint (gdbm_sync (f), ==, 0);
  gdbm_close (f);
}

static void
bench_update_batch (void)
{
  g_autofree char *dir = gt_tmpdir ("update");
  g_autofree char *rawdir = gt_tmpdir ("update-raw");
  g_autofree char *conf = g_strdup_printf ("global { gdbm:db_dir \"%s\"; }\n", dir);
  g_autofree char *raw = g_build_filename (rawdir, "raw.gdbm", NULL);
  double ours[RUNS], base[RUNS], t, first;
  GtModule *db;
  ipa_tm tm;

  gt_log_start ();
  db = gt_load_db (conf);
  t = now_ms ();
  for (unsigned int i = 0; i < N_RULES; i++)
    {
      char name[16];

      snprintf (name, sizeof name, "r%06u", i);
      g_assert_cmpint (CALL (db, db->db->db_init_statrule (i, name, NULL)), ==, 0);
    }
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  printf ("  init of %d rules (db_init_statrule, db_init): %.0f ms\n", N_RULES, now_ms () - t);

  /* The day's first batch appends a record for every rule. */
  tm = gt_tm (2025, 6, 15, 10, 0, 0);
  t = now_ms ();
  g_assert_cmpint (gt_begin (db, &tm), ==, 0);
  for (unsigned int i = 0; i < N_RULES; i++)
    {
      uint64_t c = i;

      g_assert_cmpint (CALL (db, db->db->db_append_rule (i, &c, &tm)), ==, 0);
    }
  g_assert_cmpint (CALL (db, gt_end (db)), ==, 0);
  first = now_ms () - t;

  {
    /* The baseline file holds the same keys before it is timed. */
    GDBM_FILE f = gdbm_open (raw, 0, GDBM_NEWDB | GDBM_NUMSYNC, 0640, NULL);

    gdbm_close (f);
    raw_store_batch (raw, 0);
  }
  for (int r = 0; r < RUNS; r++)
    {
      tm.tm_min = r + 1;
      t = now_ms ();
      g_assert_cmpint (gt_begin (db, &tm), ==, 0);
      for (unsigned int i = 0; i < N_RULES; i++)
        {
          uint64_t c = (uint64_t) r * N_RULES + i;

          g_assert_cmpint (CALL (db, db->db->db_update_rule (i, &c, &tm)), ==, 0);
        }
      g_assert_cmpint (CALL (db, gt_end (db)), ==, 0);
      ours[r] = now_ms () - t;

      t = now_ms ();
      raw_store_batch (raw, (unsigned int) r + 1);
      base[r] = now_ms () - t;
    }
  for (unsigned int i = 0; i < N_RULES; i++)
    CALL (db, db->db->db_deinit_rule (i));
  gt_unload (db);
  gt_log_stop ();
  {
    double o = median (ours, RUNS), b = median (base, RUNS);

    printf ("1. update batch of %d rules: ipa_db_gdbm %.1f ms, raw gdbm_store+gdbm_sync %.1f ms: "
            "ratio %.2f (target <= 1.5)\n", N_RULES, o, b, o / b);
    printf ("   the day's first batch (db_append_rule of every rule): %.1f ms\n", first);
  }
}

/* ------------------------------------------------------------------
 * 2. A year of 5-minute records of one rule
 */

static void
write_year (const char *conf, int year, unsigned int n_rules, unsigned int per_day)
{
  GtModule *db = gt_load_db (conf);
  g_autoptr(GDateTime) d0 = g_date_time_new_utc (year, 1, 1, 0, 0, 0);

  for (unsigned int i = 0; i < n_rules; i++)
    {
      char name[16];

      snprintf (name, sizeof name, "r%06u", i);
      g_assert_cmpint (CALL (db, db->db->db_init_statrule (i, name, NULL)), ==, 0);
    }
  g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
  for (int day = 0; day < 365; day++)
    {
      g_autoptr(GDateTime) d = g_date_time_add_days (d0, day);
      ipa_tm tm = gt_tm (year, g_date_time_get_month (d), g_date_time_get_day_of_month (d), 0, 0, 0);

      /* One batch a day: every record of the day (its appends close the
       * previous record and an update ends each one 4:59 later). */
      g_assert_cmpint (gt_begin (db, &tm), ==, 0);
      for (unsigned int k = 0; k < per_day; k++)
        for (unsigned int i = 0; i < n_rules; i++)
          {
            unsigned int minute = k * (1440 / per_day), last = minute + 1440 / per_day - 1;
            uint64_t c = (uint64_t) day * 1000 + k;

            tm.tm_hour = (int) minute / 60;
            tm.tm_min = (int) minute % 60;
            tm.tm_sec = 0;
            g_assert_cmpint (CALL (db, db->db->db_append_rule (i, &c, &tm)), ==, 0);
            tm.tm_hour = (int) last / 60;
            tm.tm_min = (int) last % 60;
            tm.tm_sec = 59;
            c++;
            g_assert_cmpint (CALL (db, db->db->db_update_rule (i, &c, &tm)), ==, 0);
          }
      g_assert_cmpint (CALL (db, gt_end (db)), ==, 0);
    }
  for (unsigned int i = 0; i < n_rules; i++)
    CALL (db, db->db->db_deinit_rule (i));
  gt_unload (db);
}

static unsigned int
raw_traverse (const char *dir)
{
  unsigned int records = 0;
  uint64_t sum = 0;

  for (unsigned int m = 1; m <= 12; m++)
    {
      g_autofree char *path = g_strdup_printf ("%s/rules-2025-%02u.gdbm", dir, m);
      GDBM_FILE f = gdbm_open (path, 0, GDBM_READER, 0, NULL);
      datum k;

      g_assert_nonnull (f);
      for (k = gdbm_firstkey (f); k.dptr != NULL;)
        {
          datum v = gdbm_fetch (f, k), next;

          g_assert_nonnull (v.dptr);
          if (k.dsize > 0 && k.dptr[0] != '#')
            {
              /* A current record (14 bytes) or a chunk (count, slots):
               * read every record's counter, as a reader must. */
              const unsigned char *p = (const unsigned char *) v.dptr;
              unsigned int n = 1;

              if (v.dsize != REC_SIZE)
                n = *p++;
              for (unsigned int j = 0; j < n; j++, p += REC_SIZE)
                for (int b = 6; b < REC_SIZE; b++)
                  sum = (sum << 8) + p[b];
              records += n;
            }
          free (v.dptr);
          next = gdbm_nextkey (f, k);
          free (k.dptr);
          k = next;
        }
      gdbm_close (f);
    }
  /* Keeps the reads from being optimised away. */
  g_assert_cmpuint (sum, !=, (uint64_t) -1);
  return records;
}

static void
bench_year_query (void)
{
  g_autofree char *dir = gt_tmpdir ("year");
  g_autofree char *conf = g_strdup_printf ("global { gdbm:db_dir \"%s\"; }\n", dir);
  double ours[RUNS], base[RUNS], t;
  unsigned int n = 0, raw_n = 0;
  GtModule *st;
  guint64 bytes;

  gt_log_start ();
  t = now_ms ();
  write_year (conf, 2025, 1, 288);
  printf ("  writing a year of 5-minute records of one rule (365 batches): %.0f ms\n", now_ms () - t);

  st = gt_load_st (conf);
  g_assert_cmpint (CALL (st, st->st->st_init_rule (0, "r000000")), ==, 0);
  for (int r = 0; r < RUNS; r++)
    {
      ipa_tm a = gt_tm (2025, 1, 1, 0, 0, 0), z = gt_tm (2025, 12, 31, 23, 59, 59);
      struct ipa_rule_stat *buf = NULL;

      t = now_ms ();
      g_assert_cmpint (CALL (st, st->st->st_get_rule_stat (0, &a, &z, 0, gt_mem (), &n, &buf)), ==, 0);
      ours[r] = now_ms () - t;
      ipa_mem_free (buf, gt_mem ());

      t = now_ms ();
      raw_n = raw_traverse (dir);
      base[r] = now_ms () - t;
    }
  CALL (st, st->st->st_deinit_rule (0));
  gt_unload (st);
  gt_log_stop ();
  g_assert_cmpuint (n, ==, 365 * 288);
  g_assert_cmpuint (raw_n, ==, n);
  {
    double o = median (ours, RUNS), b = median (base, RUNS);

    printf ("2. st_get_rule_stat of one rule over a year (%u records): ipa_st_gdbm %.1f ms, raw "
            "traversal %.1f ms: ratio %.2f (target <= 2, and < 100 ms)\n", n, o, b, o / b);
  }
  bytes = dir_bytes (dir, "rules-");
  printf ("3a. 5-minute records (288 a day), 1 rule, 365 days: %" G_GUINT64_FORMAT " bytes in 12 "
          "month files = %.0f bytes per rule per day (the records alone: %d)\n",
          bytes, (double) bytes / 365.0, 288 * 14);
}

/* ------------------------------------------------------------------
 * 3. Space
 */

static void
bench_space (void)
{
  g_autofree char *dir = gt_tmpdir ("daily");
  g_autofree char *dir5 = gt_tmpdir ("five");
  g_autofree char *conf = g_strdup_printf ("global { gdbm:db_dir \"%s\"; }\n", dir);
  g_autofree char *conf5 = g_strdup_printf ("global { gdbm:db_dir \"%s\"; }\n", dir5);
  const unsigned int rules = 1000;
  guint64 bytes;

  gt_log_start ();
  write_year (conf, 2025, rules, 1);
  gt_log_stop ();
  bytes = dir_bytes (dir, "rules-");
  printf ("3b. one record a day, %u rules, 365 days: %" G_GUINT64_FORMAT " bytes in 12 month files "
          "= %.1f bytes per rule per day (the record alone: 14); state.gdbm %" G_GUINT64_FORMAT
          " bytes\n", rules, bytes, (double) bytes / rules / 365.0, dir_bytes (dir, "state"));

  /* Many rules share the per-file cost of 5-minute records too. */
  {
    GtModule *db = gt_load_db (conf5);
    ipa_tm tm;

    gt_log_start ();
    for (unsigned int i = 0; i < 100; i++)
      {
        char name[16];

        snprintf (name, sizeof name, "r%06u", i);
        g_assert_cmpint (CALL (db, db->db->db_init_statrule (i, name, NULL)), ==, 0);
      }
    g_assert_cmpint (CALL (db, db->db->db_init ()), ==, 0);
    for (unsigned int day = 1; day <= 10; day++)
      for (unsigned int k = 0; k < 288; k++)
        {
          tm = gt_tm (2025, 4, (int) day, (int) (k * 5 / 60), (int) (k * 5 % 60), 0);
          g_assert_cmpint (gt_begin (db, &tm), ==, 0);
          for (unsigned int i = 0; i < 100; i++)
            {
              uint64_t c = (uint64_t) k * 1000 + i;

              g_assert_cmpint (CALL (db, db->db->db_append_rule (i, &c, &tm)), ==, 0);
            }
          g_assert_cmpint (CALL (db, gt_end (db)), ==, 0);
        }
    for (unsigned int i = 0; i < 100; i++)
      CALL (db, db->db->db_deinit_rule (i));
    gt_unload (db);
    gt_log_stop ();
    bytes = dir_bytes (dir5, "rules-");
    printf ("3c. 5-minute records, 100 rules, 10 days (one batch per 5 minutes): %" G_GUINT64_FORMAT
            " bytes = %.0f bytes per rule per day\n", bytes, (double) bytes / 100 / 10.0);
  }
}

int
main (int argc, char **argv)
{
  /* An argument picks one part: update, year or space. */
  const char *only = argc > 1 ? argv[1] : NULL;

  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);
  printf ("gdbm benchmarks (GDBM %d.%d.%d, medians of %d runs)\n", GDBM_VERSION_MAJOR,
          GDBM_VERSION_MINOR, GDBM_VERSION_PATCH, RUNS);
  if (only == NULL || strcmp (only, "update") == 0)
    bench_update_batch ();
  if (only == NULL || strcmp (only, "year") == 0)
    bench_year_query ();
  if (only == NULL || strcmp (only, "space") == 0)
    bench_space ();
  return 0;
}
