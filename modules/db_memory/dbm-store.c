/*
 * dbm-store.c: what ipa_db_memory holds (see dbm-store.h).
 */
#include "dbm-store.h"

#include <string.h>

void
dbm_store_init (DbmStore *store, const ipa_memfunc *mem, ipa_mem_type *mem_type)
{
  memset (store, 0, sizeof *store);
  store->mem = mem;
  store->mem_type = mem_type;
}

static void
mfree (DbmStore *store, void *p)
{
  if (p != NULL)
    store->mem->mem_free (p, store->mem_type);
}

static void
rule_free (DbmStore *store, DbmRule *rule)
{
  for (unsigned int i = 0; i < rule->n_limits; i++)
    {
      mfree (store, rule->limits[i]->name);
      mfree (store, rule->limits[i]->states);
      mfree (store, rule->limits[i]);
    }
  for (unsigned int i = 0; i < rule->n_thresholds; i++)
    {
      mfree (store, rule->thresholds[i]->name);
      mfree (store, rule->thresholds[i]);
    }
  mfree (store, rule->limits);
  mfree (store, rule->thresholds);
  mfree (store, rule->records);
  mfree (store, rule->name);
  mfree (store, rule->info);
  mfree (store, rule);
}

void
dbm_store_free (DbmStore *store)
{
  for (unsigned int i = 0; i < store->n_rules; i++)
    rule_free (store, store->rules[i]);
  mfree (store, store->rules);
  store->rules = NULL;
  store->n_rules = store->cap_rules = 0;
}

/* Room for one more element in @*arr (of @n, capacity @*cap). */
static int
reserve (DbmStore *store, void **arr, unsigned int n, unsigned int *cap, size_t isize)
{
  unsigned int want;
  void *p;

  if (n < *cap)
    return 0;
  want = *cap > 0 ? *cap * 2 : 4;
  p = store->mem->mem_realloc (*arr, (size_t) want * isize, store->mem_type);
  if (p == NULL)
    return -1;
  *arr = p;
  *cap = want;
  return 0;
}

/* Binary search of @name in an array of pointers to structures whose
 * first member is the name; returns the index where it is or would go. */
static unsigned int
find (void *const *arr, unsigned int n, const char *name, int *found)
{
  unsigned int lo = 0, hi = n;

  *found = 0;
  while (lo < hi)
    {
      unsigned int mid = lo + (hi - lo) / 2;
      int c = strcmp (*(char *const *) arr[mid], name);

      if (c == 0)
        {
          *found = 1;
          return mid;
        }
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Get or insert (sorted) an object of @size whose first member is its
 * name. */
static void *
get_named (DbmStore *store, void ***arr, unsigned int *n, unsigned int *cap,
           const char *name, int create, size_t size)
{
  int found;
  unsigned int at = find (*arr, *n, name, &found);
  void *obj;
  char *copy;

  if (found)
    return (*arr)[at];
  if (!create)
    return NULL;
  if (reserve (store, (void **) arr, *n, cap, sizeof (void *)) != 0)
    return NULL;
  obj = store->mem->mem_calloc (1, size, store->mem_type);
  copy = store->mem->mem_strdup (name, store->mem_type);
  if (obj == NULL || copy == NULL)
    {
      mfree (store, obj);
      mfree (store, copy);
      return NULL;
    }
  *(char **) obj = copy;
  memmove (*arr + at + 1, *arr + at, (size_t) (*n - at) * sizeof (void *));
  (*arr)[at] = obj;
  (*n)++;
  return obj;
}

DbmRule *
dbm_rule_get (DbmStore *store, const char *name, int create)
{
  unsigned int n = store->n_rules;
  DbmRule *rule = get_named (store, (void ***) &store->rules, &store->n_rules,
                             &store->cap_rules, name, create, sizeof (DbmRule));

  if (rule != NULL && store->n_rules > n)
    rule->active = 1;
  return rule;
}

DbmLimit *
dbm_limit_get (DbmStore *store, DbmRule *rule, const char *name, int create)
{
  unsigned int n = rule->n_limits;
  DbmLimit *limit = get_named (store, (void ***) &rule->limits, &rule->n_limits,
                               &rule->cap_limits, name, create, sizeof (DbmLimit));

  if (limit != NULL && rule->n_limits > n)
    limit->active = 1;
  return limit;
}

DbmThreshold *
dbm_threshold_get (DbmStore *store, DbmRule *rule, const char *name, int create)
{
  unsigned int n = rule->n_thresholds;
  DbmThreshold *thr = get_named (store, (void ***) &rule->thresholds, &rule->n_thresholds,
                                 &rule->cap_thresholds, name, create, sizeof (DbmThreshold));

  if (thr != NULL && rule->n_thresholds > n)
    thr->active = 1;
  return thr;
}

int
dbm_rule_set_info (DbmStore *store, DbmRule *rule, const char *info)
{
  char *copy = NULL;

  if (info != NULL && info[0] != '\0')
    {
      copy = store->mem->mem_strdup (info, store->mem_type);
      if (copy == NULL)
        return -1;
    }
  mfree (store, rule->info);
  rule->info = copy;
  return 0;
}

void
dbm_tm_copy (ipa_tm *dst, const ipa_tm *src)
{
  memset (dst, 0, sizeof *dst);
  dst->tm_year = src->tm_year;
  dst->tm_mon = src->tm_mon;
  dst->tm_mday = src->tm_mday;
  dst->tm_hour = src->tm_hour;
  dst->tm_min = src->tm_min;
  dst->tm_sec = src->tm_sec;
  dst->tm_wday = src->tm_wday;
}

void
dbm_limit_state_copy (struct ipa_limit_state *dst, const struct ipa_limit_state *src)
{
  memset (dst, 0, sizeof *dst);
  dst->lim = src->lim;
  dst->cnt = src->cnt;
  dst->event_date_set = src->event_date_set & ((1U << IPA_LIMIT_EVENT_NUM) - 1);
  for (unsigned int i = 0; i < IPA_LIMIT_EVENT_NUM; i++)
    if (dst->event_date_set & (1U << i))
      dbm_tm_copy (&dst->event_date[i], &src->event_date[i]);
}

int
dbm_record_append (DbmStore *store, DbmRule *rule, const ipa_tm *tm, uint64_t cnt)
{
  DbmRecord *rec;

  if (reserve (store, (void **) &rule->records, rule->n_records, &rule->cap_records,
               sizeof (DbmRecord)) != 0)
    return -1;
  rec = &rule->records[rule->n_records++];
  dbm_tm_copy (&rec->first, tm);
  dbm_tm_copy (&rec->last, tm);
  rec->cnt = cnt;
  return 0;
}

int
dbm_limit_push (DbmStore *store, DbmLimit *limit, const struct ipa_limit_state *state)
{
  if (reserve (store, (void **) &limit->states, limit->n_states, &limit->cap_states,
               sizeof (struct ipa_limit_state)) != 0)
    return -1;
  dbm_limit_state_copy (&limit->states[limit->n_states++], state);
  return 0;
}

struct ipa_limit_state *
dbm_limit_current (DbmLimit *limit)
{
  return limit->n_states > 0 ? &limit->states[limit->n_states - 1] : NULL;
}
