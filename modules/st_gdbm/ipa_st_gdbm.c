/*
 * ipa_st_gdbm.c: the statistics module "gdbm" (ipa_st_gdbm(8), README.md):
 * reads what ipa_db_gdbm writes (../db_gdbm/FORMAT.md) for ipastat.
 *
 * Every query opens the files it needs as a GDBM reader and closes them
 * before it returns, so the daemon is kept from writing for one query at
 * most; while the daemon writes a batch a file is locked and the query
 * waits (gdbm:lock_wait, 2 s by default) before it gives up with a clear
 * error.
 */
#include "../db_gdbm/gdbm-conf.h"

#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#if IPA_ST_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "ipa_st_gdbm supports st API 2 and memfunc API 1"
#endif

#define MOD_NAME "gdbm"
#define PREFIX "gdbm"
#define EXPORT __attribute__ ((visibility ("default")))
#define DEFAULT_LOCK_WAIT 2 /* s: the daemon holds a file for one batch */

extern EXPORT struct ipa_st_mod ipa_st_gdbm_st_mod;

#define MF (ipa_st_gdbm_st_mod.memfunc)
#define SF (ipa_st_gdbm_st_mod.suppfunc)

static GdbmEnv env = { MOD_NAME, NULL, NULL, NULL };
static GdbmConf conf;

/* ------------------------------------------------------------------
 * Configuration
 */

static int
parse_db_dir (void *arg)
{
  return gdbm_conf_parse_dir (&env, &conf, arg);
}

static int
parse_lock_wait (void *arg)
{
  return gdbm_conf_set_lock_wait (&env, &conf, *(uint64_t *) arg);
}

static const unsigned int where_dir[] = {
  IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULE, IPA_CONF_SECT_RULEPAT, 0
};
static const unsigned int where_global[] = { IPA_CONF_SECT_GLOBAL, 0 };

static ipa_conf_param conf_param_tbl[] = {
  { "db_dir", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_dir, parse_db_dir },
  { "lock_wait", 1, NULL, NULL, IPA_CONF_TYPE_TIME, where_global, parse_lock_wait },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

/* ------------------------------------------------------------------
 * Entities
 */

typedef struct {
  char *name;
  char *info;   /* NULL: none */
} Named;

/* What the state file of a directory lists, read once per process
 * (ipastat is short-lived): rules, and limits and thresholds by rule. */
typedef struct {
  char *rule;
  Named n;
} Sub;

typedef struct Dir {
  char *path;
  struct Dir *next;
  int loaded;
  Named *rules;
  size_t n_rules;
  Sub *limits;
  size_t n_limits;
  Sub *thrs;
  size_t n_thrs;
} Dir;

typedef struct {
  int used;
  char *name;
  Dir *dir;
  char **limits;
  unsigned int n_limits;
  char **thrs;
  unsigned int n_thrs;
} Slot;

static Dir *dirs;
static Slot *slots;
static unsigned int n_slots;

static unsigned int
wait_ms (void)
{
  return (unsigned int) conf.lock_wait * 1000U;
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

static void
named_free (Named *n)
{
  gdbm_free (&env, n->name);
  gdbm_free (&env, n->info);
}

static void
dir_unload (Dir *d)
{
  for (size_t i = 0; i < d->n_rules; i++)
    named_free (&d->rules[i]);
  for (size_t i = 0; i < d->n_limits; i++)
    {
      gdbm_free (&env, d->limits[i].rule);
      named_free (&d->limits[i].n);
    }
  for (size_t i = 0; i < d->n_thrs; i++)
    {
      gdbm_free (&env, d->thrs[i].rule);
      named_free (&d->thrs[i].n);
    }
  gdbm_free (&env, d->rules);
  gdbm_free (&env, d->limits);
  gdbm_free (&env, d->thrs);
  d->rules = NULL;
  d->limits = d->thrs = NULL;
  d->n_rules = d->n_limits = d->n_thrs = 0;
  d->loaded = 0;
}

static Slot *
slot_of (unsigned int ruleno)
{
  if (ruleno >= n_slots || !slots[ruleno].used)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "rule %u does not use this statistics system", ruleno);
      return NULL;
    }
  return &slots[ruleno];
}

static const char *
sub_name (char **names, unsigned int n, unsigned int no, const char *what, const Slot *s)
{
  if (no >= n || names[no] == NULL)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "%s %u of rule %s does not use this statistics system",
                what, no, s->name);
      return NULL;
    }
  return names[no];
}

/* ------------------------------------------------------------------
 * Opening files
 */

/* Open DIR/NAME for reading: GDBM_OPEN_OK, _ABSENT or -1 (logged). */
static int
open_file (Dir *d, const char *name, GdbmHandle *h)
{
  struct stat st;
  int names_file, r;
  char *v0;

  r = gdbm_handle_open (&env, h, d->path, name, 0, wait_ms (), NULL, NULL);
  if (r == GDBM_OPEN_BUSY)
    {
      /* EAGAIN lets ipastat tell "busy" from other errors. */
      gdbm_log (&env, IPA_LOG_ERR, EAGAIN,
                "%s/%s stayed locked for %us (ipa is writing a batch, or another program holds "
                "it); try again, or raise gdbm:lock_wait", d->path, name, (unsigned int) conf.lock_wait);
      return -1;
    }
  if (r == GDBM_OPEN_ABSENT)
    {
      /* An unconverted version 0 database is not an empty one. */
      v0 = gdbm_path (&env, d->path, GDBM_V0_FILE);
      r = v0 != NULL && stat (v0, &st) == 0;
      gdbm_free (&env, v0);
      if (r)
        {
          gdbm_log (&env, IPA_LOG_ERR, 0, "%s holds a database of format version 0 (%s); "
                    "ipa converts it when it starts", d->path, GDBM_V0_FILE);
          return -1;
        }
      return GDBM_OPEN_ABSENT;
    }
  if (r != GDBM_OPEN_OK)
    return -1;
  /* With the file locked for reading, a complete journal that names it
   * and nobody holds is a batch that was interrupted. */
  if (gdbm_journal_check (&env, d->path, name, &names_file) == GDBM_JOURNAL_COMPLETE && names_file)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0,
                "%s/%s may hold half of a batch that was interrupted (see %s/" GDBM_JOURNAL_FILE
                "); ipa completes it when it next writes the database: start ipa, then try again",
                d->path, name, d->path);
      gdbm_handle_close (&env, h);
      return -1;
    }
  return GDBM_OPEN_OK;
}

static int
fetch (GdbmHandle *h, const char *key, int klen, datum *out)
{
  return gdbm_handle_fetch (&env, h, key, klen, out);
}

/* A copy of a text value in the caller's mem_type. */
static char *
text_copy (const datum *v, ipa_mem_type *mt)
{
  char *s = MF->mem_malloc ((size_t) v->dsize + 1, mt);

  if (s != NULL)
    {
      memcpy (s, v->dptr, (size_t) v->dsize);
      s[v->dsize] = '\0';
    }
  return s;
}

/* ------------------------------------------------------------------
 * The catalog of a directory
 */

static int
cmp_named (const void *a, const void *b)
{
  return strcmp (((const Named *) a)->name, ((const Named *) b)->name);
}

static int
cmp_sub (const void *a, const void *b)
{
  const Sub *x = a, *y = b;
  int c = strcmp (x->rule, y->rule);

  return c != 0 ? c : strcmp (x->n.name, y->n.name);
}

static int
push (void **arr, size_t *n, size_t *alloc, size_t size)
{
  if (*n == *alloc)
    {
      size_t na = *alloc != 0 ? *alloc * 2 : 64;
      void *p = gdbm_realloc_array (&env, *arr, na, size);

      if (p == NULL)
        return -1;
      *arr = p;
      *alloc = na;
    }
  memset ((char *) *arr + *n * size, 0, size);
  (*n)++;
  return 0;
}

static char *
dup_n (const char *s, size_t n)
{
  char *p = MF->mem_malloc (n + 1, env.mt);

  if (p != NULL)
    {
      memcpy (p, s, n);
      p[n] = '\0';
    }
  return p;
}

/* Keys "r/R", "l/R/L", "t/R/T" list the entities; "…/i" their info. */
static int
catalog_add (Dir *d, GdbmHandle *h, const char *key, size_t klen, size_t *alloc_r, size_t *alloc_l,
             size_t *alloc_t)
{
  const char *p1, *p2;
  char kind = key[0];

  if (klen < 3 || key[1] != '/' || (kind != 'r' && kind != 'l' && kind != 't'))
    return 0;
  p1 = memchr (key + 2, '/', klen - 2);
  if (kind == 'r')
    {
      Named *n;
      char k[GDBM_KEY_MAX];
      datum v;
      int kl;

      if (p1 != NULL)
        return 0;
      if (push ((void **) &d->rules, &d->n_rules, alloc_r, sizeof *d->rules) == -1)
        return -1;
      n = &d->rules[d->n_rules - 1];
      n->name = dup_n (key + 2, klen - 2);
      if (n->name == NULL)
        return -1;
      kl = gdbm_key_rule_info (k, n->name);
      if (fetch (h, k, kl, &v) == -1)
        return -1;
      if (v.dptr != NULL)
        {
          n->info = text_copy (&v, env.mt);
          free (v.dptr);
        }
      return 0;
    }
  if (p1 == NULL)
    return 0;
  p2 = memchr (p1 + 1, '/', klen - (size_t) (p1 + 1 - key));
  if (p2 != NULL)
    return 0;
  {
    Sub **arr = kind == 'l' ? &d->limits : &d->thrs;
    size_t *n = kind == 'l' ? &d->n_limits : &d->n_thrs;
    char k[GDBM_KEY_MAX];
    datum v;
    Sub *s;
    int kl;

    if (push ((void **) arr, n, kind == 'l' ? alloc_l : alloc_t, sizeof **arr) == -1)
      return -1;
    s = &(*arr)[*n - 1];
    s->rule = dup_n (key + 2, (size_t) (p1 - key - 2));
    s->n.name = dup_n (p1 + 1, klen - (size_t) (p1 + 1 - key));
    if (s->rule == NULL || s->n.name == NULL)
      return -1;
    kl = kind == 'l' ? gdbm_key_limit_info (k, s->rule, s->n.name)
                     : gdbm_key_threshold_info (k, s->rule, s->n.name);
    if (fetch (h, k, kl, &v) == -1)
      return -1;
    if (v.dptr != NULL)
      {
        s->n.info = text_copy (&v, env.mt);
        free (v.dptr);
      }
  }
  return 0;
}

static int
catalog_load (Dir *d)
{
  size_t alloc_r = 0, alloc_l = 0, alloc_t = 0;
  GdbmHandle h;
  datum key;
  int r, rc = 0;

  if (d->loaded)
    return 0;
  r = open_file (d, GDBM_STATE_FILE, &h);
  if (r == GDBM_OPEN_ABSENT)
    {
      d->loaded = 1;
      return 0;
    }
  if (r != GDBM_OPEN_OK)
    return -1;
  for (key = gdbm_firstkey (h.dbf); key.dptr != NULL && rc == 0;)
    {
      datum next;

      rc = catalog_add (d, &h, key.dptr, (size_t) key.dsize, &alloc_r, &alloc_l, &alloc_t);
      next = gdbm_nextkey (h.dbf, key);
      free (key.dptr);
      key = next;
    }
  free (key.dptr);
  if (rc == 0 && gdbm_last_errno (h.dbf) != GDBM_ITEM_NOT_FOUND &&
      gdbm_last_errno (h.dbf) != GDBM_NO_ERROR)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "cannot read %s: %s; keep a copy and check it with "
                "\"gdbmtool %s recover\"", h.path, gdbm_db_strerror (h.dbf), h.path);
      rc = -1;
    }
  gdbm_handle_close (&env, &h);
  if (rc == -1)
    {
      dir_unload (d);
      return -1;
    }
  if (d->n_rules > 0)
    qsort (d->rules, d->n_rules, sizeof *d->rules, cmp_named);
  if (d->n_limits > 0)
    qsort (d->limits, d->n_limits, sizeof *d->limits, cmp_sub);
  if (d->n_thrs > 0)
    qsort (d->thrs, d->n_thrs, sizeof *d->thrs, cmp_sub);
  d->loaded = 1;
  return 0;
}

/* ------------------------------------------------------------------
 * Configuration and initialisation calls
 */

static int
conf_init (void)
{
  env.sf = SF;
  env.mf = MF;
  /* A new mem_type at every load: the module may stay mapped after an
   * unload, with the old (destroyed) one still in env. */
  env.mt = MF->mem_type_new ("st_gdbm", "ipa_st_gdbm: rules, catalogs", 0);
  if (env.mt == NULL)
    return -1;
  /* Whatever a previous load left is gone with its mem_type. */
  memset (&conf, 0, sizeof conf);
  dirs = NULL;
  slots = NULL;
  n_slots = 0;
  gdbm_conf_reset (&env, &conf, DEFAULT_LOCK_WAIT);
  return 0;
}

static int
conf_deinit (void)
{
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
}

static int
st_pre_init (void)
{
  return 0;
}

static Slot *
slot_make (unsigned int ruleno, const char *rule_name)
{
  Slot *s;

  if (!gdbm_name_ok (rule_name))
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "rule \"%s\": the name cannot be a database key", rule_name);
      return NULL;
    }
  if (ruleno >= n_slots)
    {
      unsigned int n = ruleno + 64;
      Slot *v = gdbm_realloc_array (&env, slots, n, sizeof *v);

      if (v == NULL)
        return NULL;
      memset (v + n_slots, 0, (n - n_slots) * sizeof *v);
      slots = v;
      n_slots = n;
    }
  s = &slots[ruleno];
  if (!s->used)
    {
      s->name = gdbm_strdup (&env, rule_name);
      s->dir = dir_get (gdbm_conf_rule_dir (&conf, ruleno, 0, 0));
      if (s->name == NULL || s->dir == NULL)
        {
          gdbm_free (&env, s->name);
          s->name = NULL;
          return NULL;
        }
      s->used = 1;
    }
  return s;
}

static int
st_init_rule (unsigned int ruleno, const char *rule_name)
{
  return slot_make (ruleno, rule_name) != NULL ? 0 : -1;
}

static int
add_sub (char ***names, unsigned int *n, unsigned int no, const char *name)
{
  if (!gdbm_name_ok (name))
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "\"%s\": the name cannot be a database key", name);
      return -1;
    }
  if (no >= *n)
    {
      char **v = gdbm_realloc_array (&env, *names, no + 1, sizeof *v);

      if (v == NULL)
        return -1;
      memset (v + *n, 0, (no + 1 - *n) * sizeof *v);
      *names = v;
      *n = no + 1;
    }
  gdbm_free (&env, (*names)[no]);
  (*names)[no] = gdbm_strdup (&env, name);
  return (*names)[no] != NULL ? 0 : -1;
}

static int
st_init_limit (unsigned int ruleno, const char *rule_name, unsigned int limitno, const char *limit_name)
{
  Slot *s = slot_make (ruleno, rule_name);

  return s != NULL ? add_sub (&s->limits, &s->n_limits, limitno, limit_name) : -1;
}

static int
st_init_threshold (unsigned int ruleno, const char *rule_name, unsigned int thrno, const char *thr_name)
{
  Slot *s = slot_make (ruleno, rule_name);

  return s != NULL ? add_sub (&s->thrs, &s->n_thrs, thrno, thr_name) : -1;
}

static int
st_init (void)
{
  return 0;
}

static void
slot_free (Slot *s)
{
  for (unsigned int i = 0; i < s->n_limits; i++)
    gdbm_free (&env, s->limits[i]);
  for (unsigned int i = 0; i < s->n_thrs; i++)
    gdbm_free (&env, s->thrs[i]);
  gdbm_free (&env, s->limits);
  gdbm_free (&env, s->thrs);
  gdbm_free (&env, s->name);
  memset (s, 0, sizeof *s);
}

static int
st_deinit_threshold (unsigned int ruleno, unsigned int thrno)
{
  if (ruleno < n_slots && slots[ruleno].used && thrno < slots[ruleno].n_thrs)
    {
      gdbm_free (&env, slots[ruleno].thrs[thrno]);
      slots[ruleno].thrs[thrno] = NULL;
    }
  return 0;
}

static int
st_deinit_limit (unsigned int ruleno, unsigned int limitno)
{
  if (ruleno < n_slots && slots[ruleno].used && limitno < slots[ruleno].n_limits)
    {
      gdbm_free (&env, slots[ruleno].limits[limitno]);
      slots[ruleno].limits[limitno] = NULL;
    }
  return 0;
}

static int
st_deinit_rule (unsigned int ruleno)
{
  if (ruleno < n_slots && slots[ruleno].used)
    slot_free (&slots[ruleno]);
  return 0;
}

static int
st_deinit (void)
{
  for (unsigned int i = 0; i < n_slots; i++)
    if (slots[i].used)
      slot_free (&slots[i]);
  gdbm_free (&env, slots);
  slots = NULL;
  n_slots = 0;
  while (dirs != NULL)
    {
      Dir *d = dirs;

      dirs = d->next;
      dir_unload (d);
      gdbm_free (&env, d->path);
      gdbm_free (&env, d);
    }
  gdbm_conf_reset (&env, &conf, DEFAULT_LOCK_WAIT);
  return 0;
}

/* ------------------------------------------------------------------
 * Descriptions and lists
 */

static int
get_info (Dir *d, const char *key, int klen, ipa_mem_type *mt, char **info_ptr)
{
  GdbmHandle h;
  datum v;
  int r;

  *info_ptr = NULL;
  r = open_file (d, GDBM_STATE_FILE, &h);
  if (r == GDBM_OPEN_ABSENT)
    return 0;
  if (r != GDBM_OPEN_OK)
    return -1;
  r = fetch (&h, key, klen, &v);
  gdbm_handle_close (&env, &h);
  if (r == -1)
    return -1;
  if (v.dptr == NULL)
    return 0;
  *info_ptr = text_copy (&v, mt);
  free (v.dptr);
  return *info_ptr != NULL ? 0 : -1;
}

static int
st_get_rule_info (unsigned int ruleno, ipa_mem_type *mem_type, char **info_ptr)
{
  Slot *s = slot_of (ruleno);
  char k[GDBM_KEY_MAX];

  if (s == NULL)
    return -1;
  return get_info (s->dir, k, gdbm_key_rule_info (k, s->name), mem_type, info_ptr);
}

static int
st_get_limit_info (unsigned int ruleno, unsigned int limitno, ipa_mem_type *mem_type, char **info_ptr)
{
  Slot *s = slot_of (ruleno);
  const char *name = s != NULL ? sub_name (s->limits, s->n_limits, limitno, "limit", s) : NULL;
  char k[GDBM_KEY_MAX];

  if (name == NULL)
    return -1;
  return get_info (s->dir, k, gdbm_key_limit_info (k, s->name, name), mem_type, info_ptr);
}

static int
st_get_threshold_info (unsigned int ruleno, unsigned int thrno, ipa_mem_type *mem_type, char **info_ptr)
{
  Slot *s = slot_of (ruleno);
  const char *name = s != NULL ? sub_name (s->thrs, s->n_thrs, thrno, "threshold", s) : NULL;
  char k[GDBM_KEY_MAX];

  if (name == NULL)
    return -1;
  return get_info (s->dir, k, gdbm_key_threshold_info (k, s->name, name), mem_type, info_ptr);
}

typedef struct {
  const Named **v;
  size_t n, alloc;
} NamedRefs;

static int
refs_add (NamedRefs *r, const Named *n)
{
  if (r->n == r->alloc)
    {
      size_t na = r->alloc != 0 ? r->alloc * 2 : 64;
      const Named **v = realloc (r->v, na * sizeof *v);

      if (v == NULL)
        return -1;
      r->v = v;
      r->alloc = na;
    }
  r->v[r->n++] = n;
  return 0;
}

static int
cmp_ref (const void *a, const void *b)
{
  return strcmp ((*(const Named *const *) a)->name, (*(const Named *const *) b)->name);
}

/* The result array of a list, in the caller's mem_type; names sorted and
 * without repetition. */
static int
make_list (NamedRefs *refs, ipa_mem_type *mt, unsigned int *n, struct ipa_entity_desc **buf_ptr)
{
  struct ipa_entity_desc *out;
  size_t m = 0;

  *n = 0;
  *buf_ptr = NULL;
  if (refs->n == 0)
    return 0;
  qsort (refs->v, refs->n, sizeof *refs->v, cmp_ref);
  out = MF->mem_calloc (refs->n, sizeof *out, mt);
  if (out == NULL)
    return -1;
  for (size_t i = 0; i < refs->n; i++)
    {
      if (m > 0 && strcmp (out[m - 1].name, refs->v[i]->name) == 0)
        continue;
      out[m].name = MF->mem_strdup (refs->v[i]->name, mt);
      out[m].info = refs->v[i]->info != NULL ? MF->mem_strdup (refs->v[i]->info, mt) : NULL;
      if (out[m].name == NULL || (refs->v[i]->info != NULL && out[m].info == NULL))
        {
          for (size_t j = 0; j <= m; j++)
            {
              if (out[j].name != NULL)
                MF->mem_free (out[j].name, mt);
              if (out[j].info != NULL)
                MF->mem_free (out[j].info, mt);
            }
          MF->mem_free (out, mt);
          return -1;
        }
      m++;
    }
  *n = (unsigned int) m;
  *buf_ptr = out;
  return 0;
}

static int
name_selected (const char *name, const char *pat, const regex_t *pat_reg)
{
  return pat == NULL || pat_reg == NULL || regexec (pat_reg, name, 0, NULL, 0) == 0;
}

static int
st_get_rules_list (const char *pat, const regex_t *pat_reg, ipa_mem_type *mem_type, unsigned int *n,
                   struct ipa_entity_desc **buf_ptr)
{
  NamedRefs refs = { NULL, 0, 0 };
  int rc = 0;

  /* Every directory a rule may use: global, rules', rulepats'. */
  if (dir_get (gdbm_conf_global_dir (&conf)) == NULL)
    return -1;
  for (unsigned int i = 0; i < conf.rules.n; i++)
    if (conf.rules.v[i].dir != NULL && dir_get (conf.rules.v[i].dir) == NULL)
      return -1;
  for (unsigned int i = 0; i < conf.rulepats.n; i++)
    if (conf.rulepats.v[i].dir != NULL && dir_get (conf.rulepats.v[i].dir) == NULL)
      return -1;
  for (Dir *d = dirs; d != NULL && rc == 0; d = d->next)
    {
      rc = catalog_load (d);
      for (size_t i = 0; rc == 0 && i < d->n_rules; i++)
        if (name_selected (d->rules[i].name, pat, pat_reg))
          rc = refs_add (&refs, &d->rules[i]);
    }
  if (rc == 0)
    rc = make_list (&refs, mem_type, n, buf_ptr);
  free (refs.v);
  return rc;
}

static int
sub_list (unsigned int ruleno, int limits, const char *pat, const regex_t *pat_reg,
          ipa_mem_type *mem_type, unsigned int *n, struct ipa_entity_desc **buf_ptr)
{
  Slot *s = slot_of (ruleno);
  NamedRefs refs = { NULL, 0, 0 };
  const Sub *arr;
  size_t cnt;
  int rc = 0;

  *n = 0;
  *buf_ptr = NULL;
  if (s == NULL || catalog_load (s->dir) == -1)
    return -1;
  arr = limits ? s->dir->limits : s->dir->thrs;
  cnt = limits ? s->dir->n_limits : s->dir->n_thrs;
  for (size_t i = 0; rc == 0 && i < cnt; i++)
    if (strcmp (arr[i].rule, s->name) == 0 && name_selected (arr[i].n.name, pat, pat_reg))
      rc = refs_add (&refs, &arr[i].n);
  if (rc == 0)
    rc = make_list (&refs, mem_type, n, buf_ptr);
  free (refs.v);
  return rc;
}

static int
st_get_limits_list (unsigned int ruleno, const char *pat, const regex_t *pat_reg,
                    ipa_mem_type *mem_type, unsigned int *n, struct ipa_entity_desc **buf_ptr)
{
  return sub_list (ruleno, 1, pat, pat_reg, mem_type, n, buf_ptr);
}

static int
st_get_thresholds_list (unsigned int ruleno, const char *pat, const regex_t *pat_reg,
                        ipa_mem_type *mem_type, unsigned int *n, struct ipa_entity_desc **buf_ptr)
{
  return sub_list (ruleno, 0, pat, pat_reg, mem_type, n, buf_ptr);
}

/* ------------------------------------------------------------------
 * Statistics
 */

/* Instants as numbers that order like (year, month, day, h, m, s). */
static int64_t
day_base (unsigned int year, unsigned int mon, unsigned int day)
{
  return (((int64_t) year * 16 + mon) * 32 + day) * 86401;
}

static int64_t
tm_instant (const ipa_tm *t)
{
  return day_base ((unsigned int) t->tm_year, (unsigned int) t->tm_mon, (unsigned int) t->tm_mday) +
         t->tm_hour * 3600 + t->tm_min * 60 + t->tm_sec;
}

/* INV-84 as the seed words it (A-03): with exact == 0 both timestamps of
 * a record must lie in [lo, hi], otherwise one is enough.  The only
 * place that reads the flag. */
static int
record_selected (int64_t t1, int64_t t2, int64_t lo, int64_t hi, int exact)
{
  int in1 = t1 >= lo && t1 <= hi;
  int in2 = t2 >= lo && t2 <= hi;

  return exact == 0 ? in1 && in2 : in1 || in2;
}

typedef struct {
  struct ipa_rule_stat *v;
  size_t n, alloc;
  int64_t lo, hi;     /* the interval */
  int exact;
} StatVec;

static int
cmp_stat_time (const void *a, const void *b)
{
  const struct ipa_rule_stat *x = a, *y = b;
  int tx = x->h1 * 3600 + x->m1 * 60 + x->s1, ty = y->h1 * 3600 + y->m1 * 60 + y->s1;

  if (tx != ty)
    return tx < ty ? -1 : 1;
  tx = x->h2 * 3600 + x->m2 * 60 + x->s2;
  ty = y->h2 * 3600 + y->m2 * 60 + y->s2;
  return tx < ty ? -1 : tx > ty;
}

/* Selected records of one value (n records of 14 bytes at p). */
static int
add_records (StatVec *sv, unsigned int year, unsigned int mon, unsigned int day,
             const unsigned char *p, unsigned int n)
{
  int64_t base = day_base (year, mon, day);

  if (sv->n + n > sv->alloc)
    {
      size_t na = sv->alloc != 0 ? sv->alloc * 2 : 1024;
      struct ipa_rule_stat *v;

      while (na < sv->n + n)
        na *= 2;
      v = realloc (sv->v, na * sizeof *v);
      if (v == NULL)
        return -1;
      sv->v = v;
      sv->alloc = na;
    }
  for (unsigned int i = 0; i < n; i++, p += GDBM_REC_SIZE)
    {
      struct ipa_rule_stat *rs;

      if (!record_selected (base + p[0] * 3600 + p[1] * 60 + p[2],
                            base + p[3] * 3600 + p[4] * 60 + p[5], sv->lo, sv->hi, sv->exact))
        continue;
      rs = &sv->v[sv->n++];
      /* No stray bytes in the caller's copy. */
      memset (rs, 0, sizeof *rs);
      rs->year = year;
      rs->mon = (unsigned char) mon;
      rs->mday = (unsigned char) day;
      rs->h1 = p[0];
      rs->m1 = p[1];
      rs->s1 = p[2];
      rs->h2 = p[3];
      rs->m2 = p[4];
      rs->s2 = p[5];
      rs->cnt = gdbm_get_u64 (p + 6);
    }
  return 0;
}

/* The records of one day: its chunks in order, then its current record. */
static int
read_day (GdbmHandle *h, const char *rule, unsigned int year, unsigned int mon, unsigned int day,
          StatVec *sv)
{
  char k[GDBM_KEY_MAX];
  size_t first = sv->n;
  datum v;
  int kl, r;

  for (unsigned int c = 0;; c++)
    {
      const unsigned char *p;

      kl = gdbm_key_chunk (k, rule, day, c);
      if (fetch (h, k, kl, &v) == -1)
        return -1;
      if (v.dptr == NULL)
        break;
      p = (const unsigned char *) v.dptr;
      if (v.dsize != GDBM_CHUNK_SIZE || p[0] == 0 || p[0] > GDBM_CHUNK_RECORDS)
        {
          gdbm_log (&env, IPA_LOG_ERR, 0, "%s: key \"%.*s\" is not a chunk of records", h->path,
                    kl, k);
          free (v.dptr);
          return -1;
        }
      r = add_records (sv, year, mon, day, p + 1, p[0]);
      free (v.dptr);
      if (r == -1)
        return -1;
    }
  kl = gdbm_key_current (k, rule, day);
  if (fetch (h, k, kl, &v) == -1)
    return -1;
  if (v.dptr != NULL)
    {
      r = v.dsize == GDBM_REC_SIZE ? add_records (sv, year, mon, day, (unsigned char *) v.dptr, 1) : -2;
      free (v.dptr);
      if (r == -2)
        gdbm_log (&env, IPA_LOG_ERR, 0, "%s: key \"%.*s\" has a wrong size", h->path, kl, k);
      if (r != 0)
        return -1;
    }
  /* Records are kept in the order they were made; a clock set back can
   * break time order within a day (A-24 wants ascending). */
  for (size_t i = first + 1; i < sv->n; i++)
    if (cmp_stat_time (&sv->v[i - 1], &sv->v[i]) > 0)
      {
        qsort (sv->v + first, sv->n - first, sizeof *sv->v, cmp_stat_time);
        break;
      }
  return 0;
}

static int
cmp_uint (const void *a, const void *b)
{
  unsigned int x = *(const unsigned int *) a, y = *(const unsigned int *) b;

  return x < y ? -1 : x > y;
}

/* The months (YYYYMM, ascending) of DIR's month files within [tm1, tm2]:
 * one directory read instead of a probe per month of a long interval.
 * NULL with *n == 0 when there are none. */
static unsigned int *
list_months (Dir *d, const ipa_tm *tm1, const ipa_tm *tm2, size_t *n)
{
  unsigned int lo = (unsigned int) tm1->tm_year * 100 + (unsigned int) tm1->tm_mon;
  unsigned int hi = (unsigned int) tm2->tm_year * 100 + (unsigned int) tm2->tm_mon;
  unsigned int *v = NULL;
  size_t alloc = 0;
  struct dirent *e;
  DIR *dh;

  *n = 0;
  dh = opendir (d->path);
  if (dh == NULL)
    {
      if (errno == ENOENT)
        return NULL;
      gdbm_log (&env, IPA_LOG_ERR, errno, "cannot read directory %s", d->path);
      *n = 1;
      return NULL;
    }
  while ((e = readdir (dh)) != NULL)
    {
      unsigned int y, m, ym;

      if (gdbm_parse_month_file (e->d_name, &y, &m) != 0)
        continue;
      ym = y * 100 + m;
      if (ym < lo || ym > hi)
        continue;
      if (*n == alloc)
        {
          unsigned int *nv;

          alloc = alloc != 0 ? alloc * 2 : 32;
          nv = realloc (v, alloc * sizeof *v);
          if (nv == NULL)
            {
              free (v);
              closedir (dh);
              *n = 1;
              return NULL;
            }
          v = nv;
        }
      v[(*n)++] = ym;
    }
  closedir (dh);
  if (*n > 0)
    qsort (v, *n, sizeof *v, cmp_uint);
  return v;
}

static int
st_get_rule_stat (unsigned int ruleno, const ipa_tm *tm1, const ipa_tm *tm2, int exact,
                  ipa_mem_type *mem_type, unsigned int *n, struct ipa_rule_stat **buf_ptr)
{
  Slot *s = slot_of (ruleno);
  StatVec sv = { NULL, 0, 0, 0, 0, exact };
  unsigned int *months;
  size_t n_months = 0;
  int rc = 0;

  *n = 0;
  *buf_ptr = NULL;
  if (s == NULL || tm1 == NULL || tm2 == NULL)
    return -1;
  if (gdbm_tm_cmp (tm1, tm2) > 0)
    return 0;
  if (tm1->tm_year < 1 || tm1->tm_mon < 1 || tm1->tm_mon > 12 || tm2->tm_mon < 1 || tm2->tm_mon > 12)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "st_get_rule_stat: invalid interval");
      return -1;
    }
  sv.lo = tm_instant (tm1);
  sv.hi = tm_instant (tm2);
  months = list_months (s->dir, tm1, tm2, &n_months);
  if (months == NULL && n_months != 0)
    return -1;
  for (size_t i = 0; i < n_months && rc == 0; i++)
    {
      unsigned int y = months[i] / 100, m = months[i] % 100, d1 = 1, d2 = 31;
      char name[64];
      GdbmHandle h;
      int r;

      gdbm_month_file (name, sizeof name, y, m);
      r = open_file (s->dir, name, &h);
      if (r == GDBM_OPEN_ABSENT)
        continue;
      if (r != GDBM_OPEN_OK)
        {
          rc = -1;
          break;
        }
      if (y == (unsigned int) tm1->tm_year && m == (unsigned int) tm1->tm_mon)
        d1 = (unsigned int) tm1->tm_mday;
      if (y == (unsigned int) tm2->tm_year && m == (unsigned int) tm2->tm_mon)
        d2 = (unsigned int) tm2->tm_mday;
      for (unsigned int d = d1; d <= d2 && rc == 0; d++)
        rc = read_day (&h, s->name, y, m, d, &sv);
      gdbm_handle_close (&env, &h);
    }
  free (months);
  if (rc == 0 && sv.n > 0)
    {
      *buf_ptr = MF->mem_malloc (sv.n * sizeof **buf_ptr, mem_type);
      if (*buf_ptr == NULL)
        rc = -1;
      else
        {
          memcpy (*buf_ptr, sv.v, sv.n * sizeof **buf_ptr);
          *n = (unsigned int) sv.n;
        }
    }
  free (sv.v);
  return rc;
}

static int
st_get_limit_stat (unsigned int ruleno, unsigned int limitno, const ipa_tm *tm1, const ipa_tm *tm2,
                   ipa_mem_type *mem_type, unsigned int *n, struct ipa_limit_state **buf_ptr)
{
  Slot *s = slot_of (ruleno);
  const char *name = s != NULL ? sub_name (s->limits, s->n_limits, limitno, "limit", s) : NULL;
  struct ipa_limit_state *out = NULL;
  char k[GDBM_KEY_MAX];
  uint32_t count = 0, first, m = 0;
  GdbmHandle h;
  datum v;
  int r, kl, rc = 0;

  *n = 0;
  *buf_ptr = NULL;
  if (name == NULL || (tm1 != NULL && tm2 == NULL))
    return -1;
  r = open_file (s->dir, GDBM_STATE_FILE, &h);
  if (r == GDBM_OPEN_ABSENT)
    return 0;
  if (r != GDBM_OPEN_OK)
    return -1;
  kl = gdbm_key_limit (k, s->name, name);
  if (fetch (&h, k, kl, &v) == -1)
    rc = -1;
  else if (v.dptr != NULL)
    {
      if (v.dsize == GDBM_META_SIZE)
        count = gdbm_get_u32 ((unsigned char *) v.dptr);
      free (v.dptr);
    }
  /* tm1 == NULL: only the current (newest) state. */
  first = tm1 == NULL && count > 0 ? count - 1 : 0;
  if (rc == 0 && count > first)
    {
      out = MF->mem_malloc ((count - first) * sizeof *out, mem_type);
      if (out == NULL)
        rc = -1;
    }
  for (uint32_t i = first; rc == 0 && i < count; i++)
    {
      struct ipa_limit_state st;

      kl = gdbm_key_limit_state (k, s->name, name, i);
      if (fetch (&h, k, kl, &v) == -1)
        {
          rc = -1;
          break;
        }
      if (v.dptr == NULL || v.dsize != GDBM_LIMIT_SIZE)
        {
          gdbm_log (&env, IPA_LOG_ERR, 0, "%s: key \"%.*s\" is missing or has a wrong size", h.path,
                    kl, k);
          free (v.dptr);
          rc = -1;
          break;
        }
      gdbm_decode_limit ((unsigned char *) v.dptr, &st);
      free (v.dptr);
      /* INV-85: the start date lies in [tm1, tm2]. */
      if (tm1 != NULL && ((st.event_date_set & IPA_LIMIT_EVENT_START_SET) == 0 ||
                          gdbm_tm_cmp (&st.event_date[IPA_LIMIT_EVENT_START], tm1) < 0 ||
                          gdbm_tm_cmp (&st.event_date[IPA_LIMIT_EVENT_START], tm2) > 0))
        continue;
      out[m++] = st;
    }
  gdbm_handle_close (&env, &h);
  if (rc == -1 || m == 0)
    {
      if (out != NULL)
        MF->mem_free (out, mem_type);
      return rc;
    }
  *n = m;
  *buf_ptr = out;
  return 0;
}

static int
st_get_threshold_stat (unsigned int ruleno, unsigned int thrno, struct ipa_threshold_state *buf)
{
  Slot *s = slot_of (ruleno);
  const char *name = s != NULL ? sub_name (s->thrs, s->n_thrs, thrno, "threshold", s) : NULL;
  char k[GDBM_KEY_MAX];
  GdbmHandle h;
  datum v;
  int r, kl;

  if (name == NULL || buf == NULL)
    return -1;
  r = open_file (s->dir, GDBM_STATE_FILE, &h);
  if (r == GDBM_OPEN_ABSENT)
    return 0;
  if (r != GDBM_OPEN_OK)
    return -1;
  kl = gdbm_key_threshold (k, s->name, name);
  r = fetch (&h, k, kl, &v);
  gdbm_handle_close (&env, &h);
  if (r == -1)
    return -1;
  if (v.dptr == NULL)
    return 0;
  if (v.dsize != GDBM_THRESHOLD_SIZE)
    {
      gdbm_log (&env, IPA_LOG_ERR, 0, "%s/" GDBM_STATE_FILE ": key \"%.*s\" has a wrong size",
                s->dir->path, kl, k);
      free (v.dptr);
      return -1;
    }
  r = gdbm_decode_threshold ((unsigned char *) v.dptr, buf);
  free (v.dptr);
  return r;
}

struct ipa_st_mod ipa_st_gdbm_st_mod = {
  .api_ver = IPA_ST_MOD_API_VERSION,
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .st_name = MOD_NAME,
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
  .st_pre_init = st_pre_init,
  .st_init_rule = st_init_rule,
  .st_init_limit = st_init_limit,
  .st_init_threshold = st_init_threshold,
  .st_init = st_init,
  .st_deinit_threshold = st_deinit_threshold,
  .st_deinit_limit = st_deinit_limit,
  .st_deinit_rule = st_deinit_rule,
  .st_deinit = st_deinit,
  .st_get_rule_info = st_get_rule_info,
  .st_get_limit_info = st_get_limit_info,
  .st_get_threshold_info = st_get_threshold_info,
  .st_get_rules_list = st_get_rules_list,
  .st_get_limits_list = st_get_limits_list,
  .st_get_thresholds_list = st_get_thresholds_list,
  .st_get_rule_stat = st_get_rule_stat,
  .st_get_limit_stat = st_get_limit_stat,
  .st_get_threshold_stat = st_get_threshold_stat,
};
