/*
 * netdev-table.c: a snapshot of interface counters (see netdev-table.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netdev-table.h"

void
netdev_table_init (NetdevTable *t, const ipa_memfunc *mf, ipa_mem_type *mt)
{
  memset (t, 0, sizeof *t);
  t->mem.mf = mf;
  t->mem.mt = mt;
}

void
netdev_table_clear (NetdevTable *t)
{
  t->n = 0;
  t->by_name_valid = 0;
}

void
netdev_table_free (NetdevTable *t)
{
  if (t->mem.mf != NULL)
    {
      t->mem.mf->mem_free (t->v, t->mem.mt);
      t->mem.mf->mem_free (t->by_name, t->mem.mt);
    }
  t->v = NULL;
  t->by_name = NULL;
  t->n = t->alloc = 0;
  t->by_name_valid = 0;
}

NetdevStat *
netdev_table_add (NetdevTable *t)
{
  NetdevStat *s;

  if (t->n == t->alloc)
    {
      unsigned int alloc = t->alloc < 16 ? 16 : t->alloc * 2;
      unsigned int *idx;
      NetdevStat *v;

      if (alloc < t->alloc)
        {
          errno = ENOMEM;
          return NULL;
        }
      /* The name index grows with the entries, so that lookups never
       * allocate and cannot fail. */
      v = t->mem.mf->mem_realloc (t->v, (size_t) alloc * sizeof *v, t->mem.mt);
      if (v == NULL)
        {
          errno = ENOMEM;
          return NULL;
        }
      t->v = v;
      idx = t->mem.mf->mem_realloc (t->by_name, (size_t) alloc * sizeof *idx, t->mem.mt);
      if (idx == NULL)
        {
          errno = ENOMEM;
          return NULL;
        }
      t->by_name = idx;
      t->alloc = alloc;
    }
  s = &t->v[t->n++];
  memset (s, 0, sizeof *s);
  t->by_name_valid = 0;
  return s;
}

static int
cmp_index (const void *a, const void *b, void *data)
{
  const NetdevStat *v = data;

  return strcmp (v[*(const unsigned int *) a].name, v[*(const unsigned int *) b].name);
}

static void
build_index (NetdevTable *t)
{
  for (unsigned int i = 0; i < t->n; i++)
    t->by_name[i] = i;
  /* An empty table has no array: qsort_r must not see NULL. */
  if (t->n > 1)
    qsort_r (t->by_name, t->n, sizeof *t->by_name, cmp_index, t->v);
  t->by_name_valid = 1;
}

const NetdevStat *
netdev_table_lookup (NetdevTable *t, const char *name, unsigned int *hint)
{
  unsigned int lo = 0, hi;

  if (hint != NULL && *hint < t->n && strcmp (t->v[*hint].name, name) == 0)
    return &t->v[*hint];
  if (!t->by_name_valid)
    build_index (t);
  hi = t->n;
  while (lo < hi)
    {
      unsigned int mid = lo + (hi - lo) / 2;
      unsigned int i = t->by_name[mid];
      int c = strcmp (name, t->v[i].name);

      if (c == 0)
        {
          if (hint != NULL)
            *hint = i;
          return &t->v[i];
        }
      if (c < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return NULL;
}
