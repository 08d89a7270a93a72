/*
 * gdbm-migrate.c: converting a version 0 database (FORMAT.md, "Version 0")
 * into the current layout.
 *
 * The new files are built in DIR/.migrate-v0/, moved into DIR, and only
 * then is the old file renamed to ipa_db.gdbm.v0: that rename commits the
 * migration.  An interrupted migration is simply done again (the marker
 * directory tells that the version 1 files in DIR came from it).
 */
#include "gdbm-common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define V0_REC_SIZE 10
#define V0_LIMIT_SIZE (4 + 4 + 1 + IPA_LIMIT_EVENT_NUM * GDBM_DATE_SIZE)
#define V0_THRESHOLD_SIZE (4 + 4 + 2 * GDBM_DATE_SIZE)

typedef struct {
  char *rule;             /* malloc() */
  unsigned int year, mon, day, n;
  GdbmRec rec;
} V0Rec;

typedef struct {
  unsigned int year, mon;
  GdbmPutList pl;
} MonthList;

typedef struct {
  const GdbmEnv *env;
  GdbmPutList state;
  MonthList *months;
  unsigned int n_months;
  V0Rec *recs;
  size_t n_recs, alloc_recs;
  /* limits: the highest state number seen per (rule, limit) */
  char **lim_names;       /* "rule\0limit" pairs, malloc() */
  uint32_t *lim_count;
  size_t n_lims;
} Migration;

static void
migration_free (Migration *m)
{
  for (unsigned int i = 0; i < m->n_months; i++)
    gdbm_putlist_free (m->env, &m->months[i].pl);
  free (m->months);
  for (size_t i = 0; i < m->n_recs; i++)
    free (m->recs[i].rule);
  free (m->recs);
  for (size_t i = 0; i < m->n_lims; i++)
    free (m->lim_names[i]);
  free (m->lim_names);
  free (m->lim_count);
  gdbm_putlist_free (m->env, &m->state);
}

static GdbmPutList *
month_list (Migration *m, unsigned int year, unsigned int mon)
{
  MonthList *nm;

  for (unsigned int i = 0; i < m->n_months; i++)
    if (m->months[i].year == year && m->months[i].mon == mon)
      return &m->months[i].pl;
  nm = realloc (m->months, (m->n_months + 1) * sizeof *nm);
  if (nm == NULL)
    return NULL;
  m->months = nm;
  memset (&nm[m->n_months], 0, sizeof *nm);
  nm[m->n_months].year = year;
  nm[m->n_months].mon = mon;
  return &nm[m->n_months++].pl;
}

/* Splits "a:b:c…" of a key (without its kind prefix) into parts. */
static int
split (char *s, char **parts, int max)
{
  int n = 0;

  parts[n++] = s;
  for (char *p = s; *p != '\0'; p++)
    if (*p == ':')
      {
        if (n == max)
          return -1;
        *p = '\0';
        parts[n++] = p + 1;
      }
  return n;
}

static int
parse_uint (const char *s, unsigned int *v)
{
  char *end;
  unsigned long x;

  if (*s < '0' || *s > '9')
    return -1;
  errno = 0;
  x = strtoul (s, &end, 10);
  if (errno != 0 || *end != '\0' || x > 0xffffffffUL)
    return -1;
  *v = (unsigned int) x;
  return 0;
}

static void
decode_date_v0 (const unsigned char *p, ipa_tm *tm)
{
  /* Same 7-byte date as version 1. */
  gdbm_decode_date (p, tm);
}

/* The index of (rule, limit) in the table of limits, added with no state. */
static long
limit_index (Migration *m, const char *rule, const char *limit)
{
  size_t rl = strlen (rule), ll = strlen (limit);
  char **nn;
  uint32_t *nc;
  char *pair;

  for (size_t i = 0; i < m->n_lims; i++)
    if (strcmp (m->lim_names[i], rule) == 0 && strcmp (m->lim_names[i] + rl + 1, limit) == 0)
      return (long) i;
  nn = realloc (m->lim_names, (m->n_lims + 1) * sizeof *nn);
  if (nn == NULL)
    return -1;
  m->lim_names = nn;
  nc = realloc (m->lim_count, (m->n_lims + 1) * sizeof *nc);
  if (nc == NULL)
    return -1;
  m->lim_count = nc;
  pair = malloc (rl + ll + 2);
  if (pair == NULL)
    return -1;
  memcpy (pair, rule, rl + 1);
  memcpy (pair + rl + 1, limit, ll + 1);
  m->lim_names[m->n_lims] = pair;
  m->lim_count[m->n_lims] = 0;
  return (long) m->n_lims++;
}

/* One version 0 entry; -1 when it does not follow the layout. */
static int
convert_entry (Migration *m, char *key, const unsigned char *val, size_t vlen)
{
  char k[GDBM_KEY_MAX];
  char *parts[5];
  int kl;

  if (strncmp (key, "rule:", 5) == 0)
    {
      unsigned char meta[GDBM_META_SIZE] = { 0 };

      if (split (key + 5, parts, 1) != 1 || !gdbm_name_ok (parts[0]))
        return -1;
      kl = gdbm_key_rule (k, parts[0]);
      if (gdbm_putlist_add (m->env, &m->state, 0, GDBM_OP_REPLACE, k, (size_t) kl, meta, sizeof meta) == -1)
        return -1;
      if (vlen == 0)
        return 0;
      kl = gdbm_key_rule_info (k, parts[0]);
      return gdbm_putlist_add (m->env, &m->state, 0, GDBM_OP_REPLACE, k, (size_t) kl, val, vlen);
    }
  if (strncmp (key, "rec:", 4) == 0)
    {
      unsigned int date, num;
      V0Rec *r;

      if (split (key + 4, parts, 3) != 3 || !gdbm_name_ok (parts[0]) ||
          parse_uint (parts[1], &date) == -1 || parse_uint (parts[2], &num) == -1 ||
          vlen != V0_REC_SIZE || date / 10000 == 0 || date / 100 % 100 < 1 ||
          date / 100 % 100 > 12 || date % 100 < 1 || date % 100 > 31)
        return -1;
      if (m->n_recs == m->alloc_recs)
        {
          size_t na = m->alloc_recs != 0 ? m->alloc_recs * 2 : 256;
          V0Rec *nr = realloc (m->recs, na * sizeof *nr);

          if (nr == NULL)
            return -1;
          m->recs = nr;
          m->alloc_recs = na;
        }
      r = &m->recs[m->n_recs];
      r->rule = strdup (parts[0]);
      if (r->rule == NULL)
        return -1;
      m->n_recs++;
      r->year = date / 10000;
      r->mon = date / 100 % 100;
      r->day = date % 100;
      r->n = num;
      r->rec.h1 = val[0];
      r->rec.m1 = val[1];
      r->rec.s1 = val[2];
      r->rec.h2 = val[3];
      r->rec.m2 = val[4];
      r->rec.s2 = val[5];
      r->rec.cnt = gdbm_get_u32 (val + 6);
      return 0;
    }
  if (strncmp (key, "limit:", 6) == 0)
    {
      if (split (key + 6, parts, 2) != 2 || !gdbm_name_ok (parts[0]) || !gdbm_name_ok (parts[1]))
        return -1;
      if (limit_index (m, parts[0], parts[1]) == -1)
        return -1;
      if (vlen == 0)
        return 0;
      kl = gdbm_key_limit_info (k, parts[0], parts[1]);
      return gdbm_putlist_add (m->env, &m->state, 0, GDBM_OP_REPLACE, k, (size_t) kl, val, vlen);
    }
  if (strncmp (key, "lstate:", 7) == 0)
    {
      struct ipa_limit_state st;
      unsigned char v[GDBM_LIMIT_SIZE];
      unsigned int num;

      if (split (key + 7, parts, 3) != 3 || !gdbm_name_ok (parts[0]) ||
          !gdbm_name_ok (parts[1]) || parse_uint (parts[2], &num) == -1 || vlen != V0_LIMIT_SIZE)
        return -1;
      memset (&st, 0, sizeof st);
      st.lim = gdbm_get_u32 (val);
      st.cnt = gdbm_get_u32 (val + 4);
      st.event_date_set = val[8];
      for (unsigned int i = 0; i < IPA_LIMIT_EVENT_NUM; i++)
        if ((st.event_date_set & (1U << i)) != 0)
          decode_date_v0 (val + 9 + i * GDBM_DATE_SIZE, &st.event_date[i]);
      gdbm_encode_limit (v, &st);
      kl = gdbm_key_limit_state (k, parts[0], parts[1], num);
      if (gdbm_putlist_add (m->env, &m->state, 0, GDBM_OP_REPLACE, k, (size_t) kl, v, sizeof v) == -1)
        return -1;
      {
        long li = limit_index (m, parts[0], parts[1]);

        if (li == -1)
          return -1;
        /* States are numbered from 0 without gaps. */
        if (num + 1 > m->lim_count[li])
          m->lim_count[li] = num + 1;
      }
      return 0;
    }
  if (strncmp (key, "threshold:", 10) == 0)
    {
      unsigned char v[GDBM_THRESHOLD_SIZE];

      if (split (key + 10, parts, 2) != 2 || !gdbm_name_ok (parts[0]) || !gdbm_name_ok (parts[1]))
        return -1;
      gdbm_encode_threshold (v, 0, NULL);
      kl = gdbm_key_threshold (k, parts[0], parts[1]);
      /* A state (tstate:) replaces this empty one whatever the order. */
      if (gdbm_putlist_add (m->env, &m->state, 0, GDBM_OP_INSERT, k, (size_t) kl, v, sizeof v) == -1)
        return -1;
      if (vlen == 0)
        return 0;
      kl = gdbm_key_threshold_info (k, parts[0], parts[1]);
      return gdbm_putlist_add (m->env, &m->state, 0, GDBM_OP_REPLACE, k, (size_t) kl, val, vlen);
    }
  if (strncmp (key, "tstate:", 7) == 0)
    {
      struct ipa_threshold_state st;
      unsigned char v[GDBM_THRESHOLD_SIZE];

      if (split (key + 7, parts, 2) != 2 || !gdbm_name_ok (parts[0]) || !gdbm_name_ok (parts[1]) ||
          vlen != V0_THRESHOLD_SIZE)
        return -1;
      memset (&st, 0, sizeof st);
      st.thr = gdbm_get_u32 (val);
      st.cnt = gdbm_get_u32 (val + 4);
      decode_date_v0 (val + 8, &st.tm_from);
      decode_date_v0 (val + 8 + GDBM_DATE_SIZE, &st.tm_updated);
      gdbm_encode_threshold (v, 1, &st);
      kl = gdbm_key_threshold (k, parts[0], parts[1]);
      return gdbm_putlist_add (m->env, &m->state, 0, GDBM_OP_REPLACE, k, (size_t) kl, v, sizeof v);
    }
  return -1;
}

static int
cmp_rec (const void *a, const void *b)
{
  const V0Rec *x = a, *y = b;
  int c = strcmp (x->rule, y->rule);

  if (c != 0)
    return c;
  if (x->year != y->year)
    return x->year < y->year ? -1 : 1;
  if (x->mon != y->mon)
    return x->mon < y->mon ? -1 : 1;
  if (x->day != y->day)
    return x->day < y->day ? -1 : 1;
  return x->n < y->n ? -1 : x->n > y->n;
}

/* Records of a day: every one but the last into chunks, the last is the
 * day's current record. */
static int
convert_records (Migration *m)
{
  size_t i = 0;

  qsort (m->recs, m->n_recs, sizeof *m->recs, cmp_rec);
  while (i < m->n_recs)
    {
      size_t j = i;
      GdbmPutList *pl;
      unsigned char chunk[GDBM_CHUNK_SIZE], v[GDBM_REC_SIZE];
      char k[GDBM_KEY_MAX];
      unsigned int in_chunk = 0, chunk_no = 0;
      int kl;

      while (j < m->n_recs && strcmp (m->recs[j].rule, m->recs[i].rule) == 0 &&
             m->recs[j].year == m->recs[i].year && m->recs[j].mon == m->recs[i].mon &&
             m->recs[j].day == m->recs[i].day)
        j++;
      pl = month_list (m, m->recs[i].year, m->recs[i].mon);
      if (pl == NULL)
        return -1;
      memset (chunk, 0, sizeof chunk);
      for (size_t r = i; r + 1 < j; r++)
        {
          gdbm_encode_rec (chunk + 1 + in_chunk * GDBM_REC_SIZE, &m->recs[r].rec);
          chunk[0] = (unsigned char) ++in_chunk;
          if (in_chunk == GDBM_CHUNK_RECORDS || r + 2 == j)
            {
              kl = gdbm_key_chunk (k, m->recs[i].rule, m->recs[i].day, chunk_no++);
              if (gdbm_putlist_add (m->env, pl, 0, GDBM_OP_REPLACE, k, (size_t) kl, chunk,
                                    sizeof chunk) == -1)
                return -1;
              in_chunk = 0;
              memset (chunk, 0, sizeof chunk);
            }
        }
      gdbm_encode_rec (v, &m->recs[j - 1].rec);
      kl = gdbm_key_current (k, m->recs[i].rule, m->recs[i].day);
      if (gdbm_putlist_add (m->env, pl, 0, GDBM_OP_REPLACE, k, (size_t) kl, v, sizeof v) == -1)
        return -1;
      /* A rule that only has records still gets its rule key. */
      {
        unsigned char meta[GDBM_META_SIZE] = { 0 };

        kl = gdbm_key_rule (k, m->recs[i].rule);
        if (gdbm_putlist_add (m->env, &m->state, 0, GDBM_OP_INSERT, k, (size_t) kl, meta,
                              sizeof meta) == -1)
          return -1;
      }
      i = j;
    }
  return 0;
}

static int
convert_limit_counts (Migration *m)
{
  for (size_t i = 0; i < m->n_lims; i++)
    {
      const char *rule = m->lim_names[i], *limit = rule + strlen (rule) + 1;
      unsigned char v[GDBM_META_SIZE];
      char k[GDBM_KEY_MAX];
      int kl = gdbm_key_limit (k, rule, limit);

      gdbm_put_u32 (v, m->lim_count[i]);
      if (gdbm_putlist_add (m->env, &m->state, 0, GDBM_OP_REPLACE, k, (size_t) kl, v, sizeof v) == -1)
        return -1;
    }
  return 0;
}

static int
write_file (const GdbmEnv *env, const char *dir, const char *name, const GdbmPutList *pl,
            const GdbmPerm *perm)
{
  GdbmHandle h;
  int rc;

  if (gdbm_handle_open (env, &h, dir, name, GDBM_H_WRITER | GDBM_H_CREATE, 0, perm, NULL) != GDBM_OPEN_OK)
    return -1;
  rc = gdbm_putlist_apply (env, pl->buf, pl->len, 0, &h);
  if (rc == 0)
    rc = gdbm_handle_sync (env, &h);
  gdbm_handle_close (env, &h);
  return rc;
}

static void
empty_dir (const GdbmEnv *env, const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *e;

  if (d == NULL)
    return;
  while ((e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      {
        char *p = gdbm_path (env, dir, e->d_name);

        if (p != NULL)
          unlink (p);
        gdbm_free (env, p);
      }
  closedir (d);
}

/* Move the built files into DIR; the version 0 file goes last. */
static int
commit (const GdbmEnv *env, const char *dir, const char *tmp, Migration *m, const char *v0)
{
  char name[64];
  char *from = NULL, *to = NULL, *kept = NULL;
  int rc = 0;

  for (unsigned int i = 0; i <= m->n_months && rc == 0; i++)
    {
      if (i == m->n_months)
        snprintf (name, sizeof name, "%s", GDBM_STATE_FILE);
      else
        gdbm_month_file (name, sizeof name, m->months[i].year, m->months[i].mon);
      from = gdbm_path (env, tmp, name);
      to = gdbm_path (env, dir, name);
      if (from == NULL || to == NULL || rename (from, to) == -1)
        {
          gdbm_log (env, IPA_LOG_ERR, errno, "cannot move %s to %s", from != NULL ? from : name,
                    to != NULL ? to : dir);
          rc = -1;
        }
      gdbm_free (env, from);
      gdbm_free (env, to);
    }
  if (rc == 0)
    {
      size_t l = strlen (v0);

      kept = env->mf->mem_malloc (l + sizeof GDBM_V0_KEPT_SUFFIX, env->mt);
      if (kept == NULL)
        return -1;
      memcpy (kept, v0, l);
      memcpy (kept + l, GDBM_V0_KEPT_SUFFIX, sizeof GDBM_V0_KEPT_SUFFIX);
      if (gdbm_fsync_dir (dir) == -1 || rename (v0, kept) == -1)
        {
          gdbm_log (env, IPA_LOG_ERR, errno, "cannot rename %s to %s", v0, kept);
          rc = -1;
        }
      else
        {
          gdbm_fsync_dir (dir);
          rmdir (tmp);
          gdbm_log (env, IPA_LOG_INFO, 0, "converted the version 0 database %s to format version %u; "
                    "the old file is kept as %s", v0, GDBM_FORMAT_VERSION, kept);
        }
      gdbm_free (env, kept);
    }
  return rc;
}

int
gdbm_migrate_v0 (const GdbmEnv *env, const char *dir, const GdbmPerm *perm, unsigned int wait_ms)
{
  char *v0 = gdbm_path (env, dir, GDBM_V0_FILE);
  char *tmp = gdbm_path (env, dir, GDBM_MIGRATE_DIR);
  char *state = gdbm_path (env, dir, GDBM_STATE_FILE);
  struct stat st;
  Migration m;
  GdbmHandle h;
  GdbmOpenResult r;
  datum key;
  int rc = -1;

  memset (&m, 0, sizeof m);
  m.env = env;
  if (v0 == NULL || tmp == NULL || state == NULL)
    goto out;
  if (stat (v0, &st) == -1)
    {
      rc = 0;
      goto out;
    }
  if (stat (state, &st) == 0 && stat (tmp, &st) == -1)
    {
      gdbm_log (env, IPA_LOG_ERR, 0,
                "%s holds both a version 0 database (%s) and a current one (%s); move one of them away",
                dir, v0, state);
      goto out;
    }

  r = gdbm_handle_open (env, &h, dir, GDBM_V0_FILE, GDBM_H_NO_FORMAT, wait_ms, perm, NULL);
  if (r != GDBM_OPEN_OK)
    {
      if (r == GDBM_OPEN_BUSY)
        gdbm_log (env, IPA_LOG_ERR, 0, "cannot convert %s: it stays locked by another process", v0);
      goto out;
    }
  /* A version 0 file never had the format key. */
  {
    datum f = gdbm_fetch (h.dbf, (datum) { GDBM_KEY_FORMAT, sizeof GDBM_KEY_FORMAT - 1 });

    if (f.dptr != NULL)
      {
        free (f.dptr);
        gdbm_log (env, IPA_LOG_ERR, 0, "%s has a \"" GDBM_KEY_FORMAT "\" key: it is not a version 0 "
                  "database; it is left untouched", v0);
        gdbm_handle_close (env, &h);
        goto out;
      }
  }
  for (key = gdbm_firstkey (h.dbf); key.dptr != NULL;)
    {
      datum val = gdbm_fetch (h.dbf, key), next;
      char *k = malloc ((size_t) key.dsize + 1);
      int bad;

      if (k == NULL || val.dptr == NULL)
        {
          free (k);
          free (key.dptr);
          free (val.dptr);
          gdbm_log (env, IPA_LOG_ERR, 0, "cannot read %s: %s", v0, gdbm_db_strerror (h.dbf));
          gdbm_handle_close (env, &h);
          goto out;
        }
      memcpy (k, key.dptr, (size_t) key.dsize);
      k[key.dsize] = '\0';
      bad = memchr (key.dptr, '\0', (size_t) key.dsize) != NULL ||
            convert_entry (&m, k, (unsigned char *) val.dptr, (size_t) val.dsize) == -1;
      if (bad)
        {
          gdbm_log (env, IPA_LOG_ERR, 0, "%s: key \"%.*s\" does not follow the version 0 layout; "
                    "the database is not converted", v0, key.dsize, key.dptr);
          free (k);
          free (key.dptr);
          free (val.dptr);
          gdbm_handle_close (env, &h);
          goto out;
        }
      free (k);
      free (val.dptr);
      next = gdbm_nextkey (h.dbf, key);
      free (key.dptr);
      key = next;
    }
  if (gdbm_last_errno (h.dbf) != GDBM_ITEM_NOT_FOUND && gdbm_last_errno (h.dbf) != GDBM_NO_ERROR)
    {
      gdbm_log (env, IPA_LOG_ERR, 0, "cannot read %s: %s", v0, gdbm_db_strerror (h.dbf));
      gdbm_handle_close (env, &h);
      goto out;
    }
  gdbm_handle_close (env, &h);

  if (convert_records (&m) == -1 || convert_limit_counts (&m) == -1)
    {
      gdbm_log (env, IPA_LOG_ERR, ENOMEM, "cannot convert %s", v0);
      goto out;
    }
  if (mkdir (tmp, 0700) == -1 && errno != EEXIST)
    {
      gdbm_log (env, IPA_LOG_ERR, errno, "cannot create %s", tmp);
      goto out;
    }
  empty_dir (env, tmp);
  if (write_file (env, tmp, GDBM_STATE_FILE, &m.state, perm) == -1)
    goto out;
  for (unsigned int i = 0; i < m.n_months; i++)
    {
      char name[64];

      gdbm_month_file (name, sizeof name, m.months[i].year, m.months[i].mon);
      if (write_file (env, tmp, name, &m.months[i].pl, perm) == -1)
        goto out;
    }
  rc = commit (env, dir, tmp, &m, v0) == 0 ? 1 : -1;

out:
  migration_free (&m);
  gdbm_free (env, v0);
  gdbm_free (env, tmp);
  gdbm_free (env, state);
  return rc;
}
