/*
 * ipa_db_gdbm.c: the database module "gdbm" (ipa_db_gdbm(8), README.md):
 * rule records, limit states with their history, threshold states and
 * descriptions in GDBM files (FORMAT.md).
 *
 * Writes are never made at call time.  Each call changes the module's
 * own picture of a rule, limit or threshold and marks it dirty; at the end
 * of a batch (ipa_mod_ext.h; without batches, after each call) the dirty
 * objects of every database directory are turned into one list of writes,
 * journalled, written and synced (flush_dir).  If that fails for any
 * reason, nothing is forgotten: the objects stay dirty and the next batch
 * writes them, so a reader that holds a file, a full disk or a read-only
 * directory delays records but never loses them.
 */
#include "gdbm-conf.h"

#include <ipa_mod_ext.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#if IPA_DB_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "ipa_db_gdbm supports db API 2 and memfunc API 1"
#endif

#define MOD_NAME "gdbm"
#define PREFIX "gdbm"
#define EXPORT __attribute__ ((visibility ("default")))

extern EXPORT struct ipa_db_mod ipa_db_gdbm_db_mod;
extern EXPORT struct ipa_db_mod_ext ipa_db_gdbm_db_mod_ext;

#define MF (ipa_db_gdbm_db_mod.memfunc)
#define SF (ipa_db_gdbm_db_mod.suppfunc)

#define DEFAULT_PERM 0640
#define DEFAULT_LOCK_WAIT 1 /* s: a reader holds a file for one query */

static GdbmEnv env = { MOD_NAME, NULL, NULL, NULL };

static void print_param_args (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static void
print_param_args (const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  SF->print_param_args (format, ap);
  va_end (ap);
}

/* ------------------------------------------------------------------
 * Configuration
 */

static GdbmConf conf;
static int conf_have_group;
static gid_t conf_gid;
static char *conf_group_text;
static int conf_have_perm;
static mode_t conf_perm = DEFAULT_PERM;

static void
conf_free_all (void)
{
  gdbm_conf_reset (&env, &conf, DEFAULT_LOCK_WAIT);
  gdbm_free (&env, conf_group_text);
  conf_group_text = NULL;
  conf_have_group = conf_have_perm = 0;
  conf_perm = DEFAULT_PERM;
}

static int
parse_db_dir (void *arg)
{
  return gdbm_conf_parse_dir (&env, &conf, arg);
}

static int
parse_db_group (void *arg)
{
  char *s = *(char **) arg;
  char buf[4096];
  struct group gr, *res = NULL;
  int rc = 0;

  if (s[0] != '\0' && strspn (s, "0123456789") == strlen (s))
    {
      unsigned long g = strtoul (s, NULL, 10);

      if (g >= (unsigned long) INT_MAX)
        {
          gdbm_conf_logerr (&env, "group number %s is too large", s);
          rc = -1;
        }
      conf_gid = (gid_t) g;
    }
  else if (getgrnam_r (s, &gr, buf, sizeof buf, &res) != 0 || res == NULL)
    {
      gdbm_conf_logerr (&env, "unknown group \"%s\"", s);
      rc = -1;
    }
  else
    conf_gid = gr.gr_gid;
  if (rc == 0)
    {
      gdbm_free (&env, conf_group_text);
      conf_group_text = gdbm_strdup (&env, s);
      conf_have_group = 1;
    }
  MF->mem_free (s, MF->m_parser);
  return rc;
}

static int
parse_db_perm (void *arg)
{
  const char *s = *(char **) arg;
  unsigned long m = strtoul (s, NULL, 8);

  /* The daemon itself reads and writes the files. */
  if ((m & 0600) != 0600 || (m & 0111) != 0)
    {
      gdbm_conf_logerr (&env, "db_perm %s: the owner needs read and write permission and "
                        "nobody execute permission", s);
      return -1;
    }
  conf_perm = (mode_t) m;
  conf_have_perm = 1;
  return 0;
}

static int
parse_lock_wait (void *arg)
{
  return gdbm_conf_set_lock_wait (&env, &conf, *(uint64_t *) arg);
}

static const unsigned int where_dir[] = {
  IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULE, IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_AUTORULE, 0
};
static const unsigned int where_global[] = { IPA_CONF_SECT_GLOBAL, 0 };
static regex_t re_perm;

static ipa_conf_param conf_param_tbl[] = {
  { "db_dir", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_dir, parse_db_dir },
  { "db_group", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_global, parse_db_group },
  { "db_perm", 1, "^0?[0-7]{3}$", &re_perm, IPA_CONF_TYPE_MISC, where_global, parse_db_perm },
  { "lock_wait", 1, NULL, NULL, IPA_CONF_TYPE_TIME, where_global, parse_lock_wait },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

/* ------------------------------------------------------------------
 * Runtime objects
 */

typedef struct Dir Dir;

typedef struct {
  GdbmDay day;
  int unresolved;   /* the day's current record in the database (from an
                     * earlier run) comes before ours */
  int c_dirty;
  GdbmRec c;        /* the day's last record */
  GdbmRec *closed;  /* records that stopped being the last one */
  unsigned int n_closed, alloc_closed;
} DayPend;

typedef struct {
  char *name;
  Dir *dir;
  int live;         /* 0: deinitialised, freed after its last write */
  int dirty;
  int cur_valid;
  GdbmDay cur_day;
  GdbmRec cur;
  int known_valid;  /* closed records of known_day in the database */
  GdbmDay known_day;
  unsigned int known_closed;
  DayPend *pend;
  unsigned int n_pend, alloc_pend;
} Rule;

/* What a limit and a threshold have alike, first in both (sub_new). */
typedef struct {
  char *rule;
  char *name;
  Dir *dir;
  int live;
  int dirty;
  int have_state;
} Sub;

typedef struct {
  Sub o;
  struct ipa_limit_state cur;
  int count_known;
  uint32_t count;                /* states in the database */
  struct ipa_limit_state *news;  /* states to register, oldest first */
  unsigned int n_news, alloc_news;
  int cur_dirty;
} Limit;

typedef struct {
  Sub o;
  struct ipa_threshold_state st;
} Thr;

typedef struct {
  unsigned int year, mon;
} Month;

struct Dir {
  char *path;
  Dir *next;
  int checked;        /* directory, migration and recovery done */
  int ct;             /* crash tolerance: 0 unknown, 1 on, -1 off */
  int journal_kept;   /* a journal of ours waits to be completed */
  GdbmPutList meta;   /* writes of the state file from initialisation */
  Rule **rules;
  unsigned int n_rules, alloc_rules;
  Limit **limits;
  unsigned int n_limits, alloc_limits;
  Thr **thrs;
  unsigned int n_thrs, alloc_thrs;
};

typedef struct {
  int used;
  char *name;
  int dynamic;
  Rule *rule;
  Limit **limits;
  unsigned int n_limits;
  Thr **thrs;
  unsigned int n_thrs;
} Slot;

static Dir *dirs;
static Slot *slots;
static unsigned int n_slots;
static int in_batch;
static GdbmPerm perm;

static unsigned int
lock_wait_ms (void)
{
  return (unsigned int) conf.lock_wait * 1000U;
}

static int
grow (void **arr, unsigned int *alloc, unsigned int need, size_t size)
{
  unsigned int n;
  void *p;

  if (need <= *alloc)
    return 0;
  n = *alloc != 0 ? *alloc * 2 : 2;
  while (n < need)
    n *= 2;
  p = gdbm_realloc_array (&env, *arr, n, size);
  if (p == NULL)
    {
      gdbm_log (&env, IPA_LOG_ERR, ENOMEM, "cannot keep %u items", need);
      return -1;
    }
  /* New items start zeroed (DayPend entries are reused with their arrays). */
  memset ((char *) p + (size_t) *alloc * size, 0, (size_t) (n - *alloc) * size);
  *arr = p;
  *alloc = n;
  return 0;
}

static Dir *
dir_get (const char *path)
{
  Dir *d;

  for (d = dirs; d != NULL; d = d->next)
    if (strcmp (d->path, path) == 0)
      return d;
  d = MF->mem_calloc (1, sizeof *d, env.mt);
  if (d == NULL)
    return NULL;
  d->path = gdbm_strdup (&env, path);
  if (d->path == NULL)
    {
      gdbm_free (&env, d);
      return NULL;
    }
  d->next = dirs;
  dirs = d;
  return d;
}

static const char *
rule_dir (unsigned int ruleno, int dynamic, unsigned int autoruleno)
{
  return gdbm_conf_rule_dir (&conf, ruleno, dynamic, autoruleno);
}

static Slot *
slot_get (unsigned int ruleno, const char *rule_name, int create)
{
  Slot *s;

  if (ruleno >= n_slots)
    {
      unsigned int n = ruleno + 64;
      Slot *v;

      if (!create)
        return NULL;
      v = gdbm_realloc_array (&env, slots, n, sizeof *v);
      if (v == NULL)
        return NULL;
      memset (v + n_slots, 0, (n - n_slots) * sizeof *v);
      slots = v;
      n_slots = n;
    }
  s = &slots[ruleno];
  if (!s->used)
    {
      if (!create)
        return NULL;
      s->name = gdbm_strdup (&env, rule_name);
      if (s->name == NULL)
        return NULL;
      s->used = 1;
    }
  return s;
}

static void
log_no_object (const char *what, unsigned int ruleno, unsigned int no)
{
  gdbm_log (&env, IPA_LOG_ERR, 0, "%s %u of rule %u does not use this database", what, no, ruleno);
}

static Rule *
rule_find (unsigned int ruleno)
{
  Slot *s = ruleno < n_slots && slots[ruleno].used ? &slots[ruleno] : NULL;

  if (s == NULL || s->rule == NULL)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "rule %u does not use this database", ruleno);
      return NULL;
    }
  return s->rule;
}

static Limit *
limit_find (unsigned int ruleno, unsigned int limitno)
{
  Slot *s = ruleno < n_slots && slots[ruleno].used ? &slots[ruleno] : NULL;

  if (s == NULL || limitno >= s->n_limits || s->limits[limitno] == NULL)
    {
      log_no_object ("limit", ruleno, limitno);
      return NULL;
    }
  return s->limits[limitno];
}

static Thr *
thr_find (unsigned int ruleno, unsigned int thrno)
{
  Slot *s = ruleno < n_slots && slots[ruleno].used ? &slots[ruleno] : NULL;

  if (s == NULL || thrno >= s->n_thrs || s->thrs[thrno] == NULL)
    {
      log_no_object ("threshold", ruleno, thrno);
      return NULL;
    }
  return s->thrs[thrno];
}

static void
rule_free (Rule *r)
{
  for (unsigned int i = 0; i < r->alloc_pend; i++)
    gdbm_free (&env, r->pend[i].closed);
  gdbm_free (&env, r->pend);
  gdbm_free (&env, r->name);
  gdbm_free (&env, r);
}

static void
limit_free (Limit *l)
{
  gdbm_free (&env, l->news);
  gdbm_free (&env, l->o.rule);
  gdbm_free (&env, l->o.name);
  gdbm_free (&env, l);
}

static void
thr_free (Thr *t)
{
  gdbm_free (&env, t->o.rule);
  gdbm_free (&env, t->o.name);
  gdbm_free (&env, t);
}

static int
mark_rule (Rule *r)
{
  if (r->dirty)
    return 0;
  if (grow ((void **) &r->dir->rules, &r->dir->alloc_rules, r->dir->n_rules + 1, sizeof (Rule *)) == -1)
    return -1;
  r->dir->rules[r->dir->n_rules++] = r;
  r->dirty = 1;
  return 0;
}

static int
mark_limit (Limit *l)
{
  if (l->o.dirty)
    return 0;
  if (grow ((void **) &l->o.dir->limits, &l->o.dir->alloc_limits, l->o.dir->n_limits + 1, sizeof (Limit *)) == -1)
    return -1;
  l->o.dir->limits[l->o.dir->n_limits++] = l;
  l->o.dirty = 1;
  return 0;
}

static int
mark_thr (Thr *t)
{
  if (t->o.dirty)
    return 0;
  if (grow ((void **) &t->o.dir->thrs, &t->o.dir->alloc_thrs, t->o.dir->n_thrs + 1, sizeof (Thr *)) == -1)
    return -1;
  t->o.dir->thrs[t->o.dir->n_thrs++] = t;
  t->o.dirty = 1;
  return 0;
}

static int
dir_pending (const Dir *d)
{
  return d->meta.n != 0 || d->n_rules != 0 || d->n_limits != 0 || d->n_thrs != 0 || d->journal_kept;
}

/* ------------------------------------------------------------------
 * Writing a directory's batch
 */

/* Directory, version 0 database and interrupted batch: once per process
 * (until they succeed). */
static int
dir_check (Dir *d)
{
  int r;

  if (d->checked)
    return 0;
  if (gdbm_make_dir (&env, d->path, &perm) == -1)
    return GDBM_OPEN_ERROR;
  r = gdbm_migrate_v0 (&env, d->path, &perm, lock_wait_ms ());
  if (r == -1)
    return GDBM_OPEN_ERROR;
  r = gdbm_dir_recover (&env, d->path, &perm, lock_wait_ms ());
  if (r != 0)
    return r;
  d->journal_kept = 0;
  if (d->ct == 0)
    {
      int err;

      if (gdbm_probe_reflink (d->path, &err))
        d->ct = 1;
      else
        {
          d->ct = -1;
          gdbm_log (&env, IPA_LOG_INFO, err,
                    "crash tolerance (GDBM snapshots) is off for %s: its file system cannot make "
                    "reflink copies; every batch is still journalled and synced, so a killed ipa "
                    "loses nothing, but a power failure during a batch may leave a file that needs "
                    "\"gdbmtool FILE recover\"", d->path);
        }
    }
  d->checked = 1;
  return 0;
}

typedef struct {
  unsigned int n;
  char *names[64];       /* [0] is the state file */
  Month months[64];
  GdbmHandle h[64];
  int opened[64];
} FileSet;

static int
fileset_month (FileSet *fs, const GdbmDay *day)
{
  char name[64];

  for (unsigned int i = 1; i < fs->n; i++)
    if (fs->months[i].year == day->year && fs->months[i].mon == day->mon)
      return (int) i;
  if (fs->n == 64)
    return -1;
  gdbm_month_file (name, sizeof name, day->year, day->mon);
  fs->names[fs->n] = gdbm_strdup (&env, name);
  if (fs->names[fs->n] == NULL)
    return -1;
  fs->months[fs->n] = (Month) { day->year, day->mon };
  return (int) fs->n++;
}

static void
fileset_close (FileSet *fs)
{
  for (unsigned int i = 0; i < fs->n; i++)
    {
      if (fs->opened[i])
        gdbm_handle_close (&env, &fs->h[i]);
      fs->opened[i] = 0;
      gdbm_free (&env, fs->names[i]);
      fs->names[i] = NULL;
    }
  fs->n = 0;
}

static int
fetch (GdbmHandle *h, const char *key, int klen, datum *out)
{
  return gdbm_handle_fetch (&env, h, key, klen, out);
}

/* The records of a rule's pending days, as writes.  *closed_after gets
 * the closed count of the last day, for the rule's cache. */
static int
resolve_rule (Rule *r, FileSet *fs, GdbmPutList *pl, unsigned int *closed_after)
{
  char k[GDBM_KEY_MAX];
  int kl;

  for (unsigned int i = 0; i < r->n_pend; i++)
    {
      DayPend *p = &r->pend[i];
      int f = fileset_month (fs, &p->day);
      unsigned char chunk[GDBM_CHUNK_SIZE];
      unsigned int closed, in_chunk, chunk_no, n_all;
      GdbmRec first;
      int have_first = 0;
      datum v;

      if (f < 0)
        return -1;
      if (p->unresolved)
        {
          /* The record left by an earlier run becomes a closed one. */
          kl = gdbm_key_current (k, r->name, p->day.day);
          if (fetch (&fs->h[f], k, kl, &v) == -1)
            return -1;
          if (v.dptr != NULL)
            {
              if (v.dsize == GDBM_REC_SIZE)
                {
                  gdbm_decode_rec ((unsigned char *) v.dptr, &first);
                  have_first = 1;
                }
              free (v.dptr);
            }
        }
      if (p->unresolved || !r->known_valid || gdbm_day_cmp (&r->known_day, &p->day) != 0)
        {
          /* Count the closed records of the day: chunks are full but the last. */
          closed = 0;
          for (unsigned int c = 0;; c++)
            {
              kl = gdbm_key_chunk (k, r->name, p->day.day, c);
              if (fetch (&fs->h[f], k, kl, &v) == -1)
                return -1;
              if (v.dptr == NULL)
                break;
              if (v.dsize != GDBM_CHUNK_SIZE || ((unsigned char *) v.dptr)[0] > GDBM_CHUNK_RECORDS)
                {
                  gdbm_log (&env, IPA_LOG_ERR, 0, "%s/%s: key \"%.*s\" is not a chunk of records",
                            r->dir->path, fs->names[f], kl, k);
                  free (v.dptr);
                  return -1;
                }
              closed += ((unsigned char *) v.dptr)[0];
              free (v.dptr);
            }
        }
      else
        closed = r->known_closed;

      n_all = (unsigned int) have_first + p->n_closed;
      chunk_no = closed / GDBM_CHUNK_RECORDS;
      in_chunk = closed % GDBM_CHUNK_RECORDS;
      memset (chunk, 0, sizeof chunk);
      if (n_all > 0 && in_chunk > 0)
        {
          kl = gdbm_key_chunk (k, r->name, p->day.day, chunk_no);
          if (fetch (&fs->h[f], k, kl, &v) == -1)
            return -1;
          if (v.dptr == NULL || v.dsize != GDBM_CHUNK_SIZE || ((unsigned char *) v.dptr)[0] != in_chunk)
            {
              gdbm_log (&env, IPA_LOG_ERR, 0, "%s/%s: key \"%.*s\" should hold %u records",
                        r->dir->path, fs->names[f], kl, k, in_chunk);
              free (v.dptr);
              return -1;
            }
          memcpy (chunk, v.dptr, GDBM_CHUNK_SIZE);
          free (v.dptr);
        }
      for (unsigned int j = 0; j < n_all; j++)
        {
          const GdbmRec *rec = have_first ? (j == 0 ? &first : &p->closed[j - 1]) : &p->closed[j];

          gdbm_encode_rec (chunk + 1 + in_chunk * GDBM_REC_SIZE, rec);
          chunk[0] = (unsigned char) ++in_chunk;
          if (in_chunk == GDBM_CHUNK_RECORDS || j + 1 == n_all)
            {
              kl = gdbm_key_chunk (k, r->name, p->day.day, chunk_no);
              if (gdbm_putlist_add (&env, pl, (unsigned int) f, GDBM_OP_REPLACE, k, (size_t) kl,
                                    chunk, GDBM_CHUNK_SIZE) == -1)
                return -1;
              if (in_chunk == GDBM_CHUNK_RECORDS)
                {
                  chunk_no++;
                  in_chunk = 0;
                  memset (chunk, 0, sizeof chunk);
                }
            }
        }
      if (p->c_dirty)
        {
          unsigned char rv[GDBM_REC_SIZE];

          gdbm_encode_rec (rv, &p->c);
          kl = gdbm_key_current (k, r->name, p->day.day);
          if (gdbm_putlist_add (&env, pl, (unsigned int) f, GDBM_OP_REPLACE, k, (size_t) kl, rv,
                                sizeof rv) == -1)
            return -1;
        }
      *closed_after = closed + n_all;
    }
  return 0;
}

static int
resolve_limit (Limit *l, FileSet *fs, GdbmPutList *pl, uint32_t *count_after)
{
  char k[GDBM_KEY_MAX];
  unsigned char v[GDBM_LIMIT_SIZE], meta[GDBM_META_SIZE];
  uint32_t count = l->count;
  int kl;

  if (!l->count_known)
    {
      datum d;

      kl = gdbm_key_limit (k, l->o.rule, l->o.name);
      if (fetch (&fs->h[0], k, kl, &d) == -1)
        return -1;
      count = 0;
      if (d.dptr != NULL)
        {
          if (d.dsize == GDBM_META_SIZE)
            count = gdbm_get_u32 ((unsigned char *) d.dptr);
          free (d.dptr);
        }
    }
  if (l->n_news == 0)
    {
      /* Rewrite the current state (the first one if there is none). */
      if (l->cur_dirty)
        {
          if (count == 0)
            count = 1;
          gdbm_encode_limit (v, &l->cur);
          kl = gdbm_key_limit_state (k, l->o.rule, l->o.name, count - 1);
          if (gdbm_putlist_add (&env, pl, 0, GDBM_OP_REPLACE, k, (size_t) kl, v, sizeof v) == -1)
            return -1;
        }
    }
  else
    for (unsigned int i = 0; i < l->n_news; i++)
      {
        gdbm_encode_limit (v, &l->news[i]);
        kl = gdbm_key_limit_state (k, l->o.rule, l->o.name, count++);
        if (gdbm_putlist_add (&env, pl, 0, GDBM_OP_REPLACE, k, (size_t) kl, v, sizeof v) == -1)
          return -1;
      }
  gdbm_put_u32 (meta, count);
  kl = gdbm_key_limit (k, l->o.rule, l->o.name);
  if (gdbm_putlist_add (&env, pl, 0, GDBM_OP_REPLACE, k, (size_t) kl, meta, sizeof meta) == -1)
    return -1;
  *count_after = count;
  return 0;
}

static int
resolve_thr (Thr *t, GdbmPutList *pl)
{
  char k[GDBM_KEY_MAX];
  unsigned char v[GDBM_THRESHOLD_SIZE];
  int kl = gdbm_key_threshold (k, t->o.rule, t->o.name);

  gdbm_encode_threshold (v, t->o.have_state, &t->st);
  return gdbm_putlist_add (&env, pl, 0, GDBM_OP_REPLACE, k, (size_t) kl, v, sizeof v);
}

/* The journal holds the batch now: the objects are clean. */
static void
commit_objects (Dir *d, const unsigned int *rule_closed, const uint32_t *limit_count)
{
  for (unsigned int i = 0; i < d->n_rules; i++)
    {
      Rule *r = d->rules[i];

      if (r->n_pend > 0)
        {
          r->known_valid = 1;
          r->known_day = r->pend[r->n_pend - 1].day;
          r->known_closed = rule_closed[i];
        }
      /* The arrays stay for the next batch: allocating them again for
       * every rule of every batch would cost more than the writes. */
      for (unsigned int j = 0; j < r->n_pend; j++)
        r->pend[j].n_closed = 0;
      r->n_pend = 0;
      r->dirty = 0;
      if (!r->live)
        rule_free (r);
    }
  d->n_rules = 0;
  for (unsigned int i = 0; i < d->n_limits; i++)
    {
      Limit *l = d->limits[i];

      l->count_known = 1;
      l->count = limit_count[i];
      l->n_news = 0;
      l->cur_dirty = 0;
      l->o.dirty = 0;
      if (!l->o.live)
        limit_free (l);
    }
  d->n_limits = 0;
  for (unsigned int i = 0; i < d->n_thrs; i++)
    {
      Thr *t = d->thrs[i];

      t->o.dirty = 0;
      if (!t->o.live)
        thr_free (t);
    }
  d->n_thrs = 0;
  gdbm_putlist_clear (&d->meta);
}

/* Write everything pending for d.  0, GDBM_OPEN_BUSY or -1 (logged). */
static int
flush_dir (Dir *d)
{
  FileSet fs;
  GdbmPutList pl = { 0 };
  GdbmJournal j = { -1, NULL };
  unsigned int *rule_closed = NULL;
  uint32_t *limit_count = NULL;
  int rc = -1, r;

  if (!dir_pending (d))
    return 0;
  r = dir_check (d);
  if (r != 0)
    {
      if (r == GDBM_OPEN_BUSY)
        gdbm_log (&env, IPA_LOG_WARNING, 0, "%s/" GDBM_JOURNAL_FILE " stays locked; this batch is "
                  "kept in memory and written with the next one", d->path);
      return r;
    }
  if (d->meta.n == 0 && d->n_rules == 0 && d->n_limits == 0 && d->n_thrs == 0)
    return 0;

  memset (&fs, 0, sizeof fs);
  fs.names[0] = gdbm_strdup (&env, GDBM_STATE_FILE);
  fs.n = 1;
  if (fs.names[0] == NULL)
    goto out;
  /* Every file of the batch, in a fixed order, before anything is read. */
  for (unsigned int i = 0; i < d->n_rules; i++)
    for (unsigned int p = 0; p < d->rules[i]->n_pend; p++)
      if (fileset_month (&fs, &d->rules[i]->pend[p].day) < 0)
        {
          gdbm_log (&env, IPA_LOG_ERR, 0, "%s: a batch spans too many months", d->path);
          goto out;
        }
  for (unsigned int i = 0; i < fs.n; i++)
    {
      int unsupported = 0;

      if (i == 0 && d->meta.n == 0 && d->n_limits == 0 && d->n_thrs == 0)
        continue;
      r = gdbm_handle_open (&env, &fs.h[i], d->path, fs.names[i],
                            GDBM_H_WRITER | GDBM_H_CREATE | (d->ct > 0 ? GDBM_H_CT : 0),
                            lock_wait_ms (), &perm, &unsupported);
      if (unsupported && d->ct > 0)
        {
          d->ct = -1;
          gdbm_log (&env, IPA_LOG_INFO, 0, "crash tolerance (GDBM snapshots) is off for %s: "
                    "GDBM cannot make snapshots there", d->path);
        }
      if (r != GDBM_OPEN_OK)
        {
          if (r == GDBM_OPEN_BUSY)
            {
              gdbm_log (&env, IPA_LOG_WARNING, 0,
                        "%s/%s stayed locked by a reader for %us; this batch is kept in memory and "
                        "written with the next one", d->path, fs.names[i], (unsigned int) conf.lock_wait);
              rc = GDBM_OPEN_BUSY;
            }
          goto out;
        }
      fs.opened[i] = 1;
    }

  rule_closed = gdbm_realloc_array (&env, NULL, d->n_rules + 1, sizeof *rule_closed);
  limit_count = gdbm_realloc_array (&env, NULL, d->n_limits + 1, sizeof *limit_count);
  if (rule_closed == NULL || limit_count == NULL)
    goto out;
  if (d->meta.len > 0)
    {
      /* The initialisation writes go first, in the order they were made. */
      pl.buf = MF->mem_malloc (d->meta.len, env.mt);
      if (pl.buf == NULL)
        goto out;
      memcpy (pl.buf, d->meta.buf, d->meta.len);
      pl.len = pl.alloc = d->meta.len;
      pl.n = d->meta.n;
    }
  for (unsigned int i = 0; i < d->n_limits; i++)
    if (resolve_limit (d->limits[i], &fs, &pl, &limit_count[i]) == -1)
      goto out;
  for (unsigned int i = 0; i < d->n_thrs; i++)
    if (resolve_thr (d->thrs[i], &pl) == -1)
      goto out;
  for (unsigned int i = 0; i < d->n_rules; i++)
    if (resolve_rule (d->rules[i], &fs, &pl, &rule_closed[i]) == -1)
      goto out;

  {
    /* Only the files written belong to the batch ("" keeps the index). */
    const char *jnames[64];

    for (unsigned int i = 0; i < fs.n; i++)
      jnames[i] = fs.opened[i] ? fs.names[i] : "";
    if (gdbm_journal_write (&env, &j, d->path, jnames, fs.n, &pl, d->ct > 0, &perm) == -1)
      goto out;
  }
  commit_objects (d, rule_closed, limit_count);

  for (unsigned int i = 0; i < fs.n; i++)
    if (fs.opened[i] &&
        (gdbm_putlist_apply (&env, pl.buf, pl.len, i, &fs.h[i]) == -1 ||
         gdbm_handle_sync (&env, &fs.h[i]) == -1))
      {
        /* The journal keeps the batch; it is completed before the next one. */
        gdbm_log (&env, IPA_LOG_ERR, 0, "the batch for %s stays in %s and is completed when the "
                  "database can be written again", d->path, j.path);
        gdbm_journal_abandon (&env, &j);
        d->journal_kept = 1;
        d->checked = 0;
        goto out;
      }
  if (gdbm_journal_remove (&env, &j, d->path) == -1)
    {
      d->journal_kept = 1;
      d->checked = 0;
      goto out;
    }
  rc = 0;

out:
  if (j.path != NULL)
    gdbm_journal_abandon (&env, &j);
  fileset_close (&fs);
  gdbm_putlist_free (&env, &pl);
  gdbm_free (&env, rule_closed);
  gdbm_free (&env, limit_count);
  if (rc == -1)
    gdbm_log (&env, IPA_LOG_WARNING, 0, "nothing of this batch is lost: what could not be written "
              "to %s is kept in memory and written with the next batch", d->path);
  return rc;
}

static int
flush_all (void)
{
  int rc = 0;

  for (Dir *d = dirs; d != NULL; d = d->next)
    {
      int r = flush_dir (d);

      if (r != 0 && rc == 0)
        rc = r;
    }
  return rc;
}

/* A call outside a batch is a batch of its own (hosts without the
 * extension). */
static int
end_call (int rc)
{
  if (!in_batch && flush_all () != 0)
    return -1;
  return rc;
}

/* ------------------------------------------------------------------
 * Configuration calls
 */

static int
conf_init (void)
{
  env.sf = SF;
  env.mf = MF;
  /* A new mem_type at every load: the module may stay mapped after an
   * unload, with the old (destroyed) one still in env. */
  env.mt = MF->mem_type_new ("gdbm", "ipa_db_gdbm: rules, limits, thresholds, pending writes", 0);
  if (env.mt == NULL)
    return -1;
  /* Whatever a previous load left is gone with its mem_type. */
  memset (&conf, 0, sizeof conf);
  conf_group_text = NULL;
  dirs = NULL;
  slots = NULL;
  n_slots = 0;
  in_batch = 0;
  conf_free_all ();
  return 0;
}

static int
conf_deinit (void)
{
  /* Settings are kept: db_init_* and conf_show use them. */
  return 0;
}

static int
conf_event (unsigned int event, unsigned int no, const void *arg)
{
  (void) arg;
  gdbm_conf_event (&conf, event, no);
  return 0;
}

static int
conf_mimic_real (void)
{
  conf.mimic = 1;
  return 0;
}

static int
conf_inherit (unsigned int rulepatno, unsigned int ruleno, const char *rule_name)
{
  (void) rule_name;
  return gdbm_conf_inherit (&env, &conf, rulepatno, ruleno);
}

static void
conf_show (unsigned int sect_id, unsigned int no)
{
  gdbm_conf_show (&env, &conf, sect_id, no);
  if (sect_id != IPA_CONF_SECT_GLOBAL)
    return;
  if (conf_have_group)
    {
      SF->print_param_name (PREFIX, "db_group");
      SF->print_string (conf_group_text);
      SF->print_param_end ();
    }
  if (conf_have_perm || conf.mimic)
    {
      SF->print_param_name (PREFIX, "db_perm");
      print_param_args ("%04o", (unsigned int) conf_perm);
      SF->print_param_end ();
    }
}

/* ------------------------------------------------------------------
 * Initialisation and deinitialisation
 */

static int
db_pre_init (void)
{
  perm.mode = conf_perm;
  perm.gid = conf_have_group ? conf_gid : (gid_t) -1;
  in_batch = 0;
  return 0;
}

static int
meta_put (Dir *d, unsigned int op, const char *key, int klen, const void *val, size_t vlen)
{
  return gdbm_putlist_add (&env, &d->meta, 0, op, key, (size_t) klen, val, vlen);
}

/* The description: written, or removed when there is none now. */
static int
meta_info (Dir *d, const char *key, int klen, const char *info)
{
  if (info == NULL)
    return meta_put (d, GDBM_OP_DELETE, key, klen, NULL, 0);
  return meta_put (d, GDBM_OP_REPLACE, key, klen, info, strlen (info));
}

static int
check_names (const char *what, const char *rule, const char *name)
{
  if (!gdbm_name_ok (rule) || (name != NULL && !gdbm_name_ok (name)))
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "%s \"%s%s%s\": the name cannot be used as a database key",
                what, rule, name != NULL ? "/" : "", name != NULL ? name : "");
      return -1;
    }
  return 0;
}

/* Makes item @no of a slot's limits or thresholds (@vec of *@n) exist
 * and free; -1 if it is taken already or memory runs out. */
static int
slot_reserve (void ***vec, unsigned int *n, unsigned int no, const char *what,
              const char *rule_name)
{
  if (no >= *n)
    {
      void **v = gdbm_realloc_array (&env, *vec, no + 1, sizeof *v);

      if (v == NULL)
        return -1;
      memset (v + *n, 0, (no + 1 - *n) * sizeof *v);
      *vec = v;
      *n = no + 1;
    }
  if ((*vec)[no] != NULL)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "%s %u of rule %s is initialised twice", what, no, rule_name);
      return -1;
    }
  return 0;
}

/* The state file's entries of a new rule, limit or threshold: its key
 * (@k, @kl) with @state, and its description (@ik, @ikl).  Outside a
 * batch a dynamic object is written at once: it may come at any time. */
static int
meta_new (Dir *d, const char *k, int kl, const void *state, size_t state_len,
          const char *ik, int ikl, const char *info, int dynamic)
{
  if (meta_put (d, GDBM_OP_INSERT, k, kl, state, state_len) == -1)
    return -1;
  if (meta_info (d, ik, ikl, info) == -1)
    return -1;
  return in_batch || !dynamic ? 0 : end_call (0);
}

/* A new limit or threshold (@size bytes, a Sub first) of rule @rule_name
 * in directory @d (NULL: not found), alive; NULL after an error. */
static void *
sub_new (size_t size, Dir *d, const char *rule_name, const char *name)
{
  Sub *o;

  if (d == NULL || (o = MF->mem_calloc (1, size, env.mt)) == NULL)
    return NULL;
  o->rule = gdbm_strdup (&env, rule_name);
  o->name = gdbm_strdup (&env, name);
  if (o->rule == NULL || o->name == NULL)
    {
      gdbm_free (&env, o->rule);
      gdbm_free (&env, o->name);
      gdbm_free (&env, o);
      return NULL;
    }
  o->dir = d;
  o->live = 1;
  return o;
}

static int
init_rule (unsigned int ruleno, const char *rule_name, const char *rule_info, int dynamic,
           unsigned int autoruleno)
{
  unsigned char meta[GDBM_META_SIZE] = { 0 };
  char k[GDBM_KEY_MAX], ik[GDBM_KEY_MAX];
  Slot *s;
  Rule *r;
  Dir *d;

  if (check_names ("rule", rule_name, NULL) == -1)
    return -1;
  s = slot_get (ruleno, rule_name, 1);
  if (s == NULL)
    return -1;
  if (s->rule != NULL)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "rule %u (%s) is initialised twice", ruleno, rule_name);
      return -1;
    }
  s->dynamic = dynamic;
  d = dir_get (rule_dir (ruleno, dynamic, autoruleno));
  r = MF->mem_calloc (1, sizeof *r, env.mt);
  if (d == NULL || r == NULL || (r->name = gdbm_strdup (&env, rule_name)) == NULL)
    {
      gdbm_free (&env, r);
      return -1;
    }
  r->dir = d;
  r->live = 1;
  s->rule = r;
  return meta_new (d, k, gdbm_key_rule (k, rule_name), meta, sizeof meta,
                   ik, gdbm_key_rule_info (ik, rule_name), rule_info, dynamic);
}

static int
db_init_statrule (unsigned int ruleno, const char *rule_name, const char *rule_info)
{
  return init_rule (ruleno, rule_name, rule_info, 0, 0);
}

static int
db_init_dynrule (unsigned int autoruleno, unsigned int ruleno, const char *rule_name,
                 const char *rule_info)
{
  return init_rule (ruleno, rule_name, rule_info, 1, autoruleno);
}

static int
init_limit (unsigned int ruleno, const char *rule_name, unsigned int limitno,
            const char *limit_name, const char *limit_info, int dynamic, unsigned int autoruleno)
{
  unsigned char meta[GDBM_META_SIZE] = { 0 };
  char k[GDBM_KEY_MAX], ik[GDBM_KEY_MAX];
  Slot *s;
  Limit *l;

  if (check_names ("limit", rule_name, limit_name) == -1)
    return -1;
  s = slot_get (ruleno, rule_name, 1);
  if (s == NULL)
    return -1;
  s->dynamic = dynamic;
  if (slot_reserve ((void ***) &s->limits, &s->n_limits, limitno, "limit", rule_name) == -1)
    return -1;
  l = sub_new (sizeof *l, dir_get (rule_dir (ruleno, dynamic, autoruleno)), rule_name, limit_name);
  if (l == NULL)
    return -1;
  s->limits[limitno] = l;
  return meta_new (l->o.dir, k, gdbm_key_limit (k, rule_name, limit_name), meta, sizeof meta,
                   ik, gdbm_key_limit_info (ik, rule_name, limit_name), limit_info, dynamic);
}

static int
db_init_statlimit (unsigned int ruleno, const char *rule_name, const char *rule_info,
                   unsigned int limitno, const char *limit_name, const char *limit_info)
{
  (void) rule_info;
  return init_limit (ruleno, rule_name, limitno, limit_name, limit_info, 0, 0);
}

static int
db_init_dynlimit (unsigned int autoruleno, unsigned int ruleno, const char *rule_name,
                  const char *rule_info, unsigned int limitno, const char *limit_name,
                  const char *limit_info)
{
  (void) rule_info;
  return init_limit (ruleno, rule_name, limitno, limit_name, limit_info, 1, autoruleno);
}

static int
init_threshold (unsigned int ruleno, const char *rule_name, unsigned int thrno,
                const char *thr_name, const char *thr_info, int dynamic, unsigned int autoruleno)
{
  unsigned char empty[GDBM_THRESHOLD_SIZE];
  char k[GDBM_KEY_MAX], ik[GDBM_KEY_MAX];
  Slot *s;
  Thr *t;

  if (check_names ("threshold", rule_name, thr_name) == -1)
    return -1;
  s = slot_get (ruleno, rule_name, 1);
  if (s == NULL)
    return -1;
  s->dynamic = dynamic;
  if (slot_reserve ((void ***) &s->thrs, &s->n_thrs, thrno, "threshold", rule_name) == -1)
    return -1;
  t = sub_new (sizeof *t, dir_get (rule_dir (ruleno, dynamic, autoruleno)), rule_name, thr_name);
  if (t == NULL)
    return -1;
  s->thrs[thrno] = t;
  gdbm_encode_threshold (empty, 0, NULL);
  return meta_new (t->o.dir, k, gdbm_key_threshold (k, rule_name, thr_name), empty, sizeof empty,
                   ik, gdbm_key_threshold_info (ik, rule_name, thr_name), thr_info, dynamic);
}

static int
db_init_statthreshold (unsigned int ruleno, const char *rule_name, const char *rule_info,
                       unsigned int thrno, const char *thr_name, const char *thr_info)
{
  (void) rule_info;
  return init_threshold (ruleno, rule_name, thrno, thr_name, thr_info, 0, 0);
}

static int
db_init_dynthreshold (unsigned int autoruleno, unsigned int ruleno, const char *rule_name,
                      const char *rule_info, unsigned int thrno, const char *thr_name,
                      const char *thr_info)
{
  (void) rule_info;
  return init_threshold (ruleno, rule_name, thrno, thr_name, thr_info, 1, autoruleno);
}

static int
db_init (void)
{
  int rc = 0;

  /* Check every directory now and write the descriptions: a database
   * that cannot be used is better reported at start.  A reader holding a
   * file only delays the writes. */
  for (Dir *d = dirs; d != NULL; d = d->next)
    {
      int r = flush_dir (d);

      if (r == -1)
        rc = -1;
    }
  return rc;
}

static void
slot_release (unsigned int ruleno)
{
  Slot *s = &slots[ruleno];

  gdbm_free (&env, s->name);
  gdbm_free (&env, s->limits);
  gdbm_free (&env, s->thrs);
  memset (s, 0, sizeof *s);
}

static int
slot_empty (const Slot *s)
{
  if (s->rule != NULL)
    return 0;
  for (unsigned int i = 0; i < s->n_limits; i++)
    if (s->limits[i] != NULL)
      return 0;
  for (unsigned int i = 0; i < s->n_thrs; i++)
    if (s->thrs[i] != NULL)
      return 0;
  return 1;
}

static int
db_deinit_threshold (unsigned int ruleno, unsigned int thrno)
{
  Slot *s = ruleno < n_slots && slots[ruleno].used ? &slots[ruleno] : NULL;
  Thr *t;

  if (s == NULL || thrno >= s->n_thrs || s->thrs[thrno] == NULL)
    return 0;
  t = s->thrs[thrno];
  s->thrs[thrno] = NULL;
  /* What is still pending is written by the next flush. */
  t->o.live = 0;
  if (!t->o.dirty)
    thr_free (t);
  if (slot_empty (s))
    slot_release (ruleno);
  return 0;
}

static int
db_deinit_limit (unsigned int ruleno, unsigned int limitno)
{
  Slot *s = ruleno < n_slots && slots[ruleno].used ? &slots[ruleno] : NULL;
  Limit *l;

  if (s == NULL || limitno >= s->n_limits || s->limits[limitno] == NULL)
    return 0;
  l = s->limits[limitno];
  s->limits[limitno] = NULL;
  l->o.live = 0;
  if (!l->o.dirty)
    limit_free (l);
  if (slot_empty (s))
    slot_release (ruleno);
  return 0;
}

static int
db_deinit_rule (unsigned int ruleno)
{
  Slot *s = ruleno < n_slots && slots[ruleno].used ? &slots[ruleno] : NULL;
  int dynamic;

  if (s == NULL)
    return 0;
  dynamic = s->dynamic;
  if (s->rule != NULL)
    {
      Rule *r = s->rule;

      s->rule = NULL;
      r->live = 0;
      if (!r->dirty)
        rule_free (r);
    }
  if (slot_empty (s))
    slot_release (ruleno);
  /* The number may be given to another dynamic rule. */
  if (dynamic)
    gdbm_conf_forget_rule (&env, &conf, ruleno);
  return 0;
}

static void
dir_free (Dir *d)
{
  for (unsigned int i = 0; i < d->n_rules; i++)
    {
      d->rules[i]->dirty = 0;
      if (!d->rules[i]->live)
        rule_free (d->rules[i]);
    }
  for (unsigned int i = 0; i < d->n_limits; i++)
    {
      d->limits[i]->o.dirty = 0;
      if (!d->limits[i]->o.live)
        limit_free (d->limits[i]);
    }
  for (unsigned int i = 0; i < d->n_thrs; i++)
    {
      d->thrs[i]->o.dirty = 0;
      if (!d->thrs[i]->o.live)
        thr_free (d->thrs[i]);
    }
  gdbm_free (&env, d->rules);
  gdbm_free (&env, d->limits);
  gdbm_free (&env, d->thrs);
  gdbm_putlist_free (&env, &d->meta);
  gdbm_free (&env, d->path);
  gdbm_free (&env, d);
}

static int
db_deinit (void)
{
  int rc = 0;

  /* The last chance to write what is pending. */
  for (Dir *d = dirs; d != NULL; d = d->next)
    if (dir_pending (d) && flush_dir (d) != 0)
      {
        gdbm_log (&env, IPA_LOG_ERR, 0, "%s: the module stops with writes it could not make "
                  "(records of %u rules, states of %u limits and %u thresholds, %u names and "
                  "descriptions); they are lost", d->path, d->n_rules, d->n_limits, d->n_thrs,
                  d->meta.n);
        rc = -1;
      }
  for (unsigned int i = 0; i < n_slots; i++)
    if (slots[i].used)
      {
        Slot *s = &slots[i];

        for (unsigned int j = 0; j < s->n_limits; j++)
          if (s->limits[j] != NULL)
            {
              s->limits[j]->o.live = 0;
              if (!s->limits[j]->o.dirty)
                limit_free (s->limits[j]);
            }
        for (unsigned int j = 0; j < s->n_thrs; j++)
          if (s->thrs[j] != NULL)
            {
              s->thrs[j]->o.live = 0;
              if (!s->thrs[j]->o.dirty)
                thr_free (s->thrs[j]);
            }
        if (s->rule != NULL)
          {
            s->rule->live = 0;
            if (!s->rule->dirty)
              rule_free (s->rule);
          }
        slot_release (i);
      }
  gdbm_free (&env, slots);
  slots = NULL;
  n_slots = 0;
  while (dirs != NULL)
    {
      Dir *d = dirs;

      dirs = d->next;
      dir_free (d);
    }
  conf_free_all ();
  in_batch = 0;
  return rc;
}

/* ------------------------------------------------------------------
 * Rule records
 */

static DayPend *
day_pend (Rule *r, const GdbmDay *day, int unresolved)
{
  DayPend *p;

  /* One entry per day, even when the clock went back and forth. */
  for (unsigned int i = r->n_pend; i-- > 0;)
    if (gdbm_day_cmp (&r->pend[i].day, day) == 0)
      return &r->pend[i];
  if (grow ((void **) &r->pend, &r->alloc_pend, r->n_pend + 1, sizeof *r->pend) == -1)
    return NULL;
  p = &r->pend[r->n_pend++];
  /* A reused entry keeps its array of closed records. */
  p->day = *day;
  p->unresolved = unresolved;
  p->c_dirty = 0;
  p->n_closed = 0;
  return p;
}

static int
check_tm (const ipa_tm *tm, const char *what)
{
  if (tm == NULL || !gdbm_date_valid (tm))
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "%s: invalid date", what);
      return -1;
    }
  return 0;
}

static int
append_record (Rule *r, const uint64_t *cnt, const ipa_tm *ctm)
{
  GdbmDay day;
  GdbmRec rec;
  DayPend *p;

  gdbm_day_from_tm (&day, ctm);
  rec.h1 = rec.h2 = (unsigned char) ctm->tm_hour;
  rec.m1 = rec.m2 = (unsigned char) ctm->tm_min;
  rec.s1 = rec.s2 = (unsigned char) ctm->tm_sec;
  rec.cnt = *cnt;
  if (r->cur_valid && gdbm_day_cmp (&r->cur_day, &day) == 0)
    {
      /* The current record of the day becomes a closed one. */
      p = day_pend (r, &day, 0);
      if (p == NULL ||
          grow ((void **) &p->closed, &p->alloc_closed, p->n_closed + 1, sizeof *p->closed) == -1)
        return -1;
      p->closed[p->n_closed++] = r->cur;
    }
  else
    {
      int known = r->known_valid && gdbm_day_cmp (&r->known_day, &day) == 0;

      /* A clock set back to a day still pending: that day's last record
       * is closed by this one. */
      p = NULL;
      for (unsigned int i = 0; i < r->n_pend; i++)
        if (gdbm_day_cmp (&r->pend[i].day, &day) == 0)
          p = &r->pend[i];
      if (p != NULL && p->c_dirty)
        {
          if (grow ((void **) &p->closed, &p->alloc_closed, p->n_closed + 1, sizeof *p->closed) == -1)
            return -1;
          p->closed[p->n_closed++] = p->c;
        }
      else
        {
          /* The first record of the day in this run: one left in the
           * database by an earlier run (or before the clock moved) stays
           * before it. */
          p = day_pend (r, &day, !known);
          if (p == NULL)
            return -1;
        }
    }
  r->cur_valid = 1;
  r->cur_day = day;
  r->cur = rec;
  p->c = rec;
  p->c_dirty = 1;
  return mark_rule (r);
}

static int
db_append_rule (unsigned int ruleno, const uint64_t *cnt, const ipa_tm *ctm)
{
  Rule *r = rule_find (ruleno);

  if (r == NULL || cnt == NULL || check_tm (ctm, "db_append_rule") == -1)
    return end_call (-1);
  return end_call (append_record (r, cnt, ctm));
}

static int
db_update_rule (unsigned int ruleno, const uint64_t *cnt, const ipa_tm *ctm)
{
  Rule *r = rule_find (ruleno);
  GdbmDay day;
  DayPend *p;

  if (r == NULL || cnt == NULL || check_tm (ctm, "db_update_rule") == -1)
    return end_call (-1);
  gdbm_day_from_tm (&day, ctm);
  /* INV-53/55 make the first write (of a day) an append; a host that
   * forgets it still gets a record. */
  if (!r->cur_valid || gdbm_day_cmp (&r->cur_day, &day) != 0)
    return end_call (append_record (r, cnt, ctm));
  r->cur.h2 = (unsigned char) ctm->tm_hour;
  r->cur.m2 = (unsigned char) ctm->tm_min;
  r->cur.s2 = (unsigned char) ctm->tm_sec;
  r->cur.cnt = *cnt;
  p = day_pend (r, &day, 0);
  if (p == NULL)
    return end_call (-1);
  p->c = r->cur;
  p->c_dirty = 1;
  return end_call (mark_rule (r));
}

static int
db_set_rule_active (unsigned int ruleno, int active)
{
  /* A rule made active gets db_append_rule next: nothing to store. */
  (void) active;
  return end_call (rule_find (ruleno) != NULL ? 0 : -1);
}

/* ------------------------------------------------------------------
 * Limits and thresholds
 */

/* Read one value of the state file outside a flush. */
static int
read_state (Dir *d, const char *key, int klen, datum *out)
{
  GdbmHandle h;
  int r;

  out->dptr = NULL;
  out->dsize = 0;
  r = dir_check (d);
  if (r != 0)
    {
      if (r == GDBM_OPEN_BUSY)
        gdbm_log (&env, IPA_LOG_ERR, 0, "%s stays locked: cannot read the stored state", d->path);
      return -1;
    }
  r = gdbm_handle_open (&env, &h, d->path, GDBM_STATE_FILE, 0, lock_wait_ms (), &perm, NULL);
  if (r == GDBM_OPEN_ABSENT)
    return 0;
  if (r != GDBM_OPEN_OK)
    {
      if (r == GDBM_OPEN_BUSY)
        gdbm_log (&env, IPA_LOG_ERR, 0, "%s/" GDBM_STATE_FILE " stayed locked for %us: cannot read "
                  "the stored state", d->path, (unsigned int) conf.lock_wait);
      return -1;
    }
  r = gdbm_handle_fetch (&env, &h, key, klen, out);
  gdbm_handle_close (&env, &h);
  return r;
}

/* The current state of l from the database: 1, 0 (none) or -1. */
static int
limit_load (Limit *l)
{
  char k[GDBM_KEY_MAX];
  uint32_t count = 0;
  datum v;
  int kl = gdbm_key_limit (k, l->o.rule, l->o.name);

  if (read_state (l->o.dir, k, kl, &v) == -1)
    return -1;
  if (v.dptr != NULL)
    {
      if (v.dsize == GDBM_META_SIZE)
        count = gdbm_get_u32 ((unsigned char *) v.dptr);
      free (v.dptr);
    }
  l->count_known = 1;
  l->count = count;
  if (count == 0)
    return 0;
  kl = gdbm_key_limit_state (k, l->o.rule, l->o.name, count - 1);
  if (read_state (l->o.dir, k, kl, &v) == -1)
    return -1;
  if (v.dptr == NULL || v.dsize != GDBM_LIMIT_SIZE)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "%s/" GDBM_STATE_FILE ": key \"%.*s\" is missing or has a "
                "wrong size", l->o.dir->path, kl, k);
      free (v.dptr);
      return -1;
    }
  gdbm_decode_limit ((unsigned char *) v.dptr, &l->cur);
  free (v.dptr);
  l->o.have_state = 1;
  return 1;
}

static int
db_get_limit_state (unsigned int ruleno, unsigned int limitno, struct ipa_limit_state *state)
{
  Limit *l = limit_find (ruleno, limitno);
  int r;

  if (l == NULL)
    return -1;
  if (!l->o.have_state)
    {
      r = limit_load (l);
      if (r <= 0)
        return r;
    }
  *state = l->cur;
  return 1;
}

/* The latest state changed: the newest registered one follows it. */
static int
limit_changed (Limit *l)
{
  if (l->n_news > 0)
    l->news[l->n_news - 1] = l->cur;
  else
    l->cur_dirty = 1;
  return mark_limit (l);
}

static int
db_set_limit_state (unsigned int ruleno, unsigned int limitno, const struct ipa_limit_state *state,
                    int new_state)
{
  Limit *l = limit_find (ruleno, limitno);

  if (l == NULL || state == NULL)
    return end_call (-1);
  l->cur = *state;
  l->o.have_state = 1;
  if (new_state)
    {
      if (grow ((void **) &l->news, &l->alloc_news, l->n_news + 1, sizeof *l->news) == -1)
        return end_call (-1);
      l->news[l->n_news++] = *state;
      l->cur_dirty = 0;
      return end_call (mark_limit (l));
    }
  return end_call (limit_changed (l));
}

static int
limit_current (Limit *l)
{
  if (l->o.have_state)
    return 0;
  if (limit_load (l) == -1)
    return -1;
  if (!l->o.have_state)
    {
      /* No state at all yet: this one is the first. */
      memset (&l->cur, 0, sizeof l->cur);
      l->o.have_state = 1;
    }
  return 0;
}

static void
set_updated (struct ipa_limit_state *st, const ipa_tm *ctm)
{
  st->event_date[IPA_LIMIT_EVENT_UPDATED] = *ctm;
  st->event_date_set |= IPA_LIMIT_EVENT_UPDATED_SET;
}

static int
db_update_limit (unsigned int ruleno, unsigned int limitno, const uint64_t *value, const ipa_tm *ctm)
{
  Limit *l = limit_find (ruleno, limitno);

  if (l == NULL || value == NULL || check_tm (ctm, "db_update_limit") == -1 || limit_current (l) == -1)
    return end_call (-1);
  l->cur.cnt = *value;
  set_updated (&l->cur, ctm);
  return end_call (limit_changed (l));
}

static int
db_limit_event (unsigned int ruleno, unsigned int limitno, unsigned int event, const ipa_tm *etm,
                const ipa_tm *ctm)
{
  Limit *l = limit_find (ruleno, limitno);

  if (l == NULL || event >= IPA_LIMIT_EVENT_NUM || check_tm (etm, "db_limit_event") == -1 ||
      check_tm (ctm, "db_limit_event") == -1 || limit_current (l) == -1)
    return end_call (-1);
  l->cur.event_date[event] = *etm;
  l->cur.event_date_set |= 1U << event;
  set_updated (&l->cur, ctm);
  return end_call (limit_changed (l));
}

static int
db_set_limit_active (unsigned int ruleno, unsigned int limitno, int active)
{
  (void) active;
  return end_call (limit_find (ruleno, limitno) != NULL ? 0 : -1);
}

static int
thr_load (Thr *t)
{
  char k[GDBM_KEY_MAX];
  datum v;
  int kl = gdbm_key_threshold (k, t->o.rule, t->o.name);

  if (read_state (t->o.dir, k, kl, &v) == -1)
    return -1;
  if (v.dptr == NULL)
    return 0;
  if (v.dsize != GDBM_THRESHOLD_SIZE)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "%s/" GDBM_STATE_FILE ": key \"%.*s\" has a wrong size",
                t->o.dir->path, kl, k);
      free (v.dptr);
      return -1;
    }
  t->o.have_state = gdbm_decode_threshold ((unsigned char *) v.dptr, &t->st);
  free (v.dptr);
  return t->o.have_state;
}

static int
db_get_threshold_state (unsigned int ruleno, unsigned int thrno, struct ipa_threshold_state *state)
{
  Thr *t = thr_find (ruleno, thrno);
  int r;

  if (t == NULL)
    return -1;
  if (!t->o.have_state)
    {
      r = thr_load (t);
      if (r <= 0)
        return r;
    }
  *state = t->st;
  return 1;
}

static int
db_set_threshold_state (unsigned int ruleno, unsigned int thrno, const struct ipa_threshold_state *state)
{
  Thr *t = thr_find (ruleno, thrno);

  if (t == NULL || state == NULL)
    return end_call (-1);
  t->st = *state;
  t->o.have_state = 1;
  return end_call (mark_thr (t));
}

static int
db_update_threshold (unsigned int ruleno, unsigned int thrno, const uint64_t *cnt,
                     const ipa_tm *tm_from, const ipa_tm *tm_updated)
{
  Thr *t = thr_find (ruleno, thrno);

  if (t == NULL || cnt == NULL || check_tm (tm_from, "db_update_threshold") == -1 ||
      check_tm (tm_updated, "db_update_threshold") == -1)
    return end_call (-1);
  if (!t->o.have_state && thr_load (t) == -1)
    return end_call (-1);
  t->o.have_state = 1;
  t->st.cnt = *cnt;
  t->st.tm_from = *tm_from;
  t->st.tm_updated = *tm_updated;
  return end_call (mark_thr (t));
}

static int
db_set_threshold_active (unsigned int ruleno, unsigned int thrno, int active)
{
  (void) active;
  return end_call (thr_find (ruleno, thrno) != NULL ? 0 : -1);
}

/* ------------------------------------------------------------------
 * Batches (ipa_mod_ext.h)
 */

static int
db_begin_batch (const ipa_tm *ctm)
{
  (void) ctm;
  in_batch = 1;
  return 0;
}

static int
db_end_batch (void)
{
  in_batch = 0;
  return flush_all () == 0 ? 0 : -1;
}

struct ipa_db_mod_ext ipa_db_gdbm_db_mod_ext = {
  IPA_DB_MOD_EXT_API_VERSION, db_begin_batch, db_end_batch
};

struct ipa_db_mod ipa_db_gdbm_db_mod = {
  .api_ver = IPA_DB_MOD_API_VERSION,
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .db_name = MOD_NAME,
  .suppfunc = NULL,
  .memfunc = NULL,
  .conf_prefix = PREFIX,
  .conf_sect_tbl = NULL,
  .conf_param_tbl = conf_param_tbl,
  .conf_init = conf_init,
  .conf_deinit = conf_deinit,
  .conf_event = conf_event,
  .conf_mimic_real = conf_mimic_real,
  .conf_inherit = conf_inherit,
  .conf_show = conf_show,
  .db_pre_init = db_pre_init,
  .db_init_dynrule = db_init_dynrule,
  .db_init_statrule = db_init_statrule,
  .db_init_dynlimit = db_init_dynlimit,
  .db_init_statlimit = db_init_statlimit,
  .db_init_dynthreshold = db_init_dynthreshold,
  .db_init_statthreshold = db_init_statthreshold,
  .db_init = db_init,
  .db_get_limit_state = db_get_limit_state,
  .db_set_limit_state = db_set_limit_state,
  .db_get_threshold_state = db_get_threshold_state,
  .db_set_threshold_state = db_set_threshold_state,
  .db_deinit_threshold = db_deinit_threshold,
  .db_deinit_limit = db_deinit_limit,
  .db_deinit_rule = db_deinit_rule,
  .db_deinit = db_deinit,
  .db_append_rule = db_append_rule,
  .db_update_rule = db_update_rule,
  .db_update_limit = db_update_limit,
  .db_limit_event = db_limit_event,
  .db_update_threshold = db_update_threshold,
  .db_set_rule_active = db_set_rule_active,
  .db_set_limit_active = db_set_limit_active,
  .db_set_threshold_active = db_set_threshold_active,
};
