/*
 * nft-watch.c: referenced nftables objects and their reading each round.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>
#include <ipa_mod.h>

#include "nft-expr.h"
#include "nft-hash.h"
#include "nft-mem.h"
#include "nft-watch.h"

/* Why an object counts nothing now, so that its return is logged only when
 * its absence was. */
typedef enum {
  MISSING_NO,
  MISSING_SELF,      /* logged for the object */
  MISSING_PARENT,    /* its table or set is missing, logged there */
} Missing;

typedef struct {
  NftSampleState state;
  uint64_t packets;
  uint64_t bytes;
  uint64_t id;
} Reading;

typedef struct _NftWTable {
  uint8_t family;
  char *name;
  char *label;            /* "inet filter" */
  unsigned int refs;      /* counters and sets */
  unsigned int n_counters;
  NftHash counters;       /* name -> NftWCounter */
  NftSampleState state;
  uint64_t handle;
  int missing_logged;
  int counters_error;     /* errno of the last failed counter dump, logged */
  unsigned int seen_round;
} NftWTable;

struct _NftWCounter {
  NftWTable *table;
  char *name;
  char *label;            /* "counter inet filter web_in" */
  unsigned int refs;
  Reading r;
  Missing missing;
  unsigned int seen_round;
};

struct _NftWSet {
  NftWTable *table;
  char *name;
  char *label;            /* "inet filter clients" */
  unsigned int refs;
  unsigned int whole;     /* references that want every element */
  NftHash by_text;        /* element text -> NftWElem */
  NftHash by_key;         /* key bytes -> NftWElem (keys parsed for info) */
  NftSampleState state;
  NftSetInfo info;
  int info_valid;
  int missing_logged;
  int no_counter_logged;
  int error_logged;
  NftSeenElem *seen;
  unsigned int n_seen, seen_alloc;
};

struct _NftWElem {
  NftWSet *set;
  char *text;
  char *label;            /* "element 10.0.0.2 of set inet filter clients" */
  unsigned int refs;
  int quiet;
  uint8_t key[NFT_KEY_MAX];
  uint32_t key_len;
  int key_valid;          /* parsed for the set's current info */
  int parse_logged;
  Reading r;
  Missing missing;
  unsigned int seen_round;
};

struct _NftWatch {
  NftLogFunc log;
  void *log_data;
  NftWTable **tables;
  unsigned int n_tables;
  NftWSet **sets;
  unsigned int n_sets;
  unsigned int round;
};

static void wlog (NftWatch *w, int priority, int code, const char *format, ...)
  __attribute__ ((format (printf, 4, 5)));

static void
wlog (NftWatch *w, int priority, int code, const char *format, ...)
{
  char buf[1024];
  va_list ap;

  va_start (ap, format);
  vsnprintf (buf, sizeof buf, format, ap);
  va_end (ap);
  if (w->log != NULL)
    w->log (priority, code, buf, w->log_data);
}

/* Identity of an object: re-creating it or its table changes it. */
static uint64_t
identity (uint64_t parent_handle, uint64_t handle)
{
  return parent_handle * 0x9e3779b97f4a7c15ULL ^ handle;
}

static void
counter_free_cb (void *value, void *data)
{
  NftWCounter *c = value;

  nft_free (c->name);
  nft_free (c->label);
  nft_free (c);
}

NftWatch *
nft_watch_new (NftLogFunc log, void *log_data)
{
  NftWatch *w = nft_calloc (1, sizeof *w);

  if (w != NULL)
    {
      w->log = log;
      w->log_data = log_data;
    }
  return w;
}

void
nft_watch_free (NftWatch *w)
{
  if (w == NULL)
    return;
  /* Objects go with their last reference; these arrays are empty by now
   * unless a caller forgot one, which we still free. */
  while (w->n_sets > 0)
    {
      NftWSet *s = w->sets[0];

      s->refs = 1;
      s->whole = 0;
      nft_watch_set_unref (w, s, 0);
    }
  while (w->n_tables > 0)
    {
      NftWTable *t = w->tables[--w->n_tables];

      nft_hash_foreach (&t->counters, counter_free_cb, NULL);
      nft_hash_clear (&t->counters);
      nft_free (t->name);
      nft_free (t->label);
      nft_free (t);
    }
  nft_free (w->tables);
  nft_free (w->sets);
  nft_free (w);
}

/* Arrays of pointers */

static int
ptr_append (void ***arr, unsigned int *n, void *p)
{
  void **na = nft_realloc (*arr, (*n + 1) * sizeof *na);

  if (na == NULL)
    return -1;
  na[*n] = p;
  *arr = na;
  (*n)++;
  return 0;
}

static void
ptr_remove (void **arr, unsigned int *n, void *p)
{
  for (unsigned int i = 0; i < *n; i++)
    if (arr[i] == p)
      {
        arr[i] = arr[--*n];
        return;
      }
}

/* Tables */

static NftWTable *
table_ref (NftWatch *w, uint8_t family, const char *name)
{
  NftWTable *t;

  for (unsigned int i = 0; i < w->n_tables; i++)
    if (w->tables[i]->family == family && strcmp (w->tables[i]->name, name) == 0)
      {
        w->tables[i]->refs++;
        return w->tables[i];
      }
  t = nft_calloc (1, sizeof *t);
  if (t == NULL)
    return NULL;
  t->family = family;
  t->name = nft_strdup (name);
  t->label = nft_asprintf ("%s %s", nft_family_name (family), name);
  t->state = NFT_SAMPLE_UNKNOWN;
  nft_hash_init (&t->counters);
  if (t->name == NULL || t->label == NULL
      || ptr_append ((void ***) &w->tables, &w->n_tables, t) < 0)
    {
      nft_free (t->name);
      nft_free (t->label);
      nft_free (t);
      return NULL;
    }
  t->refs = 1;
  return t;
}

static void
table_unref (NftWatch *w, NftWTable *t)
{
  if (--t->refs > 0)
    return;
  ptr_remove ((void **) w->tables, &w->n_tables, t);
  nft_hash_clear (&t->counters);
  nft_free (t->name);
  nft_free (t->label);
  nft_free (t);
}

/* Counters */

NftWCounter *
nft_watch_counter_ref (NftWatch *w, uint8_t family, const char *table, const char *name)
{
  NftWTable *t = table_ref (w, family, table);
  NftWCounter *c;

  if (t == NULL)
    return NULL;
  c = nft_hash_lookup (&t->counters, name, strlen (name));
  if (c != NULL)
    {
      table_unref (w, t);  /* the counter holds one already */
      c->refs++;
      return c;
    }
  c = nft_calloc (1, sizeof *c);
  if (c == NULL)
    goto fail;
  c->table = t;
  c->name = nft_strdup (name);
  c->label = nft_asprintf ("counter %s %s", t->label, name);
  c->r.state = NFT_SAMPLE_UNKNOWN;
  if (c->name == NULL || c->label == NULL
      || nft_hash_insert (&t->counters, c->name, strlen (c->name), c) < 0)
    goto fail;
  c->refs = 1;
  t->n_counters++;
  return c;

fail:
  if (c != NULL)
    {
      nft_free (c->name);
      nft_free (c->label);
      nft_free (c);
    }
  table_unref (w, t);
  return NULL;
}

void
nft_watch_counter_unref (NftWatch *w, NftWCounter *c)
{
  NftWTable *t = c->table;

  if (--c->refs > 0)
    return;
  nft_hash_remove (&t->counters, c->name, strlen (c->name));
  t->n_counters--;
  nft_free (c->name);
  nft_free (c->label);
  nft_free (c);
  table_unref (w, t);
}

/* Sets and elements */

NftWSet *
nft_watch_set_ref (NftWatch *w, uint8_t family, const char *table, const char *name, int whole)
{
  NftWTable *t;
  NftWSet *s;

  for (unsigned int i = 0; i < w->n_sets; i++)
    {
      s = w->sets[i];
      if (s->table->family == family && strcmp (s->table->name, table) == 0
          && strcmp (s->name, name) == 0)
        {
          s->refs++;
          if (whole)
            s->whole++;
          return s;
        }
    }
  t = table_ref (w, family, table);
  if (t == NULL)
    return NULL;
  s = nft_calloc (1, sizeof *s);
  if (s == NULL)
    {
      table_unref (w, t);
      return NULL;
    }
  s->table = t;
  s->name = nft_strdup (name);
  s->label = nft_asprintf ("%s %s", t->label, name);
  s->state = NFT_SAMPLE_UNKNOWN;
  nft_hash_init (&s->by_text);
  nft_hash_init (&s->by_key);
  if (s->name == NULL || s->label == NULL || ptr_append ((void ***) &w->sets, &w->n_sets, s) < 0)
    {
      nft_free (s->name);
      nft_free (s->label);
      nft_free (s);
      table_unref (w, t);
      return NULL;
    }
  s->refs = 1;
  s->whole = whole ? 1 : 0;
  return s;
}

static void
elem_free_cb (void *value, void *data)
{
  NftWElem *e = value;

  nft_free (e->text);
  nft_free (e->label);
  nft_free (e);
}

void
nft_watch_set_unref (NftWatch *w, NftWSet *s, int whole)
{
  if (whole && s->whole > 0)
    s->whole--;
  if (--s->refs > 0)
    return;
  ptr_remove ((void **) w->sets, &w->n_sets, s);
  nft_hash_foreach (&s->by_text, elem_free_cb, NULL);
  nft_hash_clear (&s->by_text);
  nft_hash_clear (&s->by_key);
  nft_free (s->seen);
  nft_free (s->name);
  nft_free (s->label);
  table_unref (w, s->table);
  nft_free (s);
}

/* Parse @e's text for the set's current key type and index it. */
static void
elem_index (NftWatch *w, NftWElem *e)
{
  NftWSet *s = e->set;
  char err[256];

  e->key_valid = 0;
  if (!s->info_valid)
    return;
  if (nft_key_parse (s->info.key_type, s->info.key_len, e->text, e->key, err, sizeof err) < 0)
    {
      if (!e->parse_logged)
        {
          char type[128];

          wlog (w, IPA_LOG_ERR, 0, "element %s of set %s: %s (the set holds %s)", e->text,
                s->label, err,
                nft_key_type_name (s->info.key_type, s->info.key_len, type, sizeof type));
          e->parse_logged = 1;
        }
      return;
    }
  e->key_len = s->info.key_len;
  /* Two texts of one key ("10.0.0.2", "10.0.0.002") share the first one's
   * reading; the second is then never indexed, and counts nothing. */
  if (nft_hash_lookup (&s->by_key, e->key, e->key_len) != NULL)
    {
      if (!e->parse_logged)
        {
          wlog (w, IPA_LOG_WARNING, 0, "element %s of set %s is written in two ways; "
                "write it the same way everywhere", e->text, s->label);
          e->parse_logged = 1;
        }
      return;
    }
  if (nft_hash_insert (&s->by_key, e->key, e->key_len, e) < 0)
    return;
  e->key_valid = 1;
  e->parse_logged = 0;
}

NftWElem *
nft_watch_elem_ref (NftWatch *w, NftWSet *s, const char *text, int quiet)
{
  NftWElem *e = nft_hash_lookup (&s->by_text, text, strlen (text));

  if (e != NULL)
    {
      e->refs++;
      if (!quiet)
        e->quiet = 0;
      s->refs++;
      return e;
    }
  e = nft_calloc (1, sizeof *e);
  if (e == NULL)
    return NULL;
  e->set = s;
  e->text = nft_strdup (text);
  e->label = nft_asprintf ("element %s of set %s", text, s->label);
  e->quiet = quiet;
  e->r.state = NFT_SAMPLE_UNKNOWN;
  if (e->text == NULL || e->label == NULL
      || nft_hash_insert (&s->by_text, e->text, strlen (e->text), e) < 0)
    {
      nft_free (e->text);
      nft_free (e->label);
      nft_free (e);
      return NULL;
    }
  e->refs = 1;
  s->refs++;
  elem_index (w, e);
  return e;
}

void
nft_watch_elem_unref (NftWatch *w, NftWElem *e)
{
  NftWSet *s = e->set;

  if (--e->refs == 0)
    {
      if (e->key_valid)
        nft_hash_remove (&s->by_key, e->key, e->key_len);
      nft_hash_remove (&s->by_text, e->text, strlen (e->text));
      nft_free (e->text);
      nft_free (e->label);
      nft_free (e);
    }
  nft_watch_set_unref (w, s, 0);
}

void
nft_watch_elem_seed (NftWElem *e, const NftSeenElem *seen)
{
  if (e->r.state == NFT_SAMPLE_PRESENT || !seen->has_counter)
    return;
  e->r.state = NFT_SAMPLE_PRESENT;
  e->r.packets = seen->packets;
  e->r.bytes = seen->bytes;
  e->r.id = identity (e->set->table->handle, e->set->info.handle);
}

/* Samples */

static void
sample_of (const Reading *r, NftUnit unit, NftSample *sample)
{
  sample->state = r->state;
  sample->value = unit == NFT_UNIT_PACKETS ? r->packets : r->bytes;
  sample->id = r->id;
}

void
nft_watch_counter_sample (const NftWCounter *c, NftUnit unit, NftSample *sample)
{
  sample_of (&c->r, unit, sample);
}

void
nft_watch_elem_sample (const NftWElem *e, NftUnit unit, NftSample *sample)
{
  sample_of (&e->r, unit, sample);
}

NftSampleState
nft_watch_set_state (const NftWSet *s)
{
  return s->state;
}

const NftSetInfo *
nft_watch_set_info (const NftWSet *s)
{
  return &s->info;
}

unsigned int
nft_watch_set_n_seen (const NftWSet *s)
{
  return s->state == NFT_SAMPLE_PRESENT ? s->n_seen : 0;
}

const NftSeenElem *
nft_watch_set_seen (const NftWSet *s, unsigned int i)
{
  return &s->seen[i];
}

int
nft_watch_set_format_key (const NftWSet *s, const uint8_t *key, uint32_t len, char *buf,
                          size_t bufsize)
{
  return nft_key_format (s->info.key_type, key, len, buf, bufsize);
}

const char *
nft_watch_set_name (const NftWSet *s)
{
  return s->label;
}

unsigned int
nft_watch_get_round (const NftWatch *w)
{
  return w->round;
}

/* Reading */

/* A new reading of an object that is there: log a reset or re-creation
 * that the last reading shows, and a return. */
static void
reading_present (NftWatch *w, const char *label, Reading *r, Missing *missing,
                 uint64_t packets, uint64_t bytes, uint64_t id)
{
  if (r->state == NFT_SAMPLE_PRESENT)
    {
      if (r->id != id)
        wlog (w, IPA_LOG_INFO, 0, "%s was deleted and created again: its new value counts from 0",
              label);
      else if (bytes < r->bytes || packets < r->packets)
        wlog (w, IPA_LOG_INFO, 0, "%s went backwards (reset): its new value counts from 0", label);
    }
  if (*missing == MISSING_SELF)
    wlog (w, IPA_LOG_INFO, 0, "%s is there again; it counts from 0", label);
  *missing = MISSING_NO;
  r->state = NFT_SAMPLE_PRESENT;
  r->packets = packets;
  r->bytes = bytes;
  r->id = id;
}

static void
reading_absent (NftWatch *w, const char *label, const char *why, Reading *r, Missing *missing,
                int parent, int quiet)
{
  if (parent)
    {
      if (*missing == MISSING_NO)
        *missing = MISSING_PARENT;
    }
  else if (quiet)
    *missing = MISSING_PARENT;  /* the caller reacts itself; no message either way */
  else if (*missing != MISSING_SELF)
    {
      wlog (w, IPA_LOG_WARNING, 0, "%s %s; it counts nothing until it is there", label, why);
      *missing = MISSING_SELF;
    }
  r->state = NFT_SAMPLE_ABSENT;
}

static int
table_cb (const NftTableInfo *info, void *data)
{
  NftWatch *w = data;

  for (unsigned int i = 0; i < w->n_tables; i++)
    {
      NftWTable *t = w->tables[i];

      if (t->family == info->family && strcmp (t->name, info->name) == 0)
        {
          t->handle = info->handle;
          t->seen_round = w->round;
        }
    }
  return 0;
}

typedef struct {
  NftWatch *w;
  NftWTable *t;
} CounterCtx;

static int
counter_cb (const NftCounterInfo *info, void *data)
{
  CounterCtx *ctx = data;
  NftWCounter *c = nft_hash_lookup (&ctx->t->counters, info->name, strlen (info->name));

  if (c != NULL && strcmp (info->table, ctx->t->name) == 0 && info->family == ctx->t->family)
    {
      reading_present (ctx->w, c->label, &c->r, &c->missing, info->packets, info->bytes,
                       identity (ctx->t->handle, info->handle));
      c->seen_round = ctx->w->round;
    }
  return 0;
}

typedef struct {
  NftWatch *w;
  NftWTable *t;
  NftSampleState state;
} CounterWalk;

static void
counter_after_cb (void *value, void *data)
{
  NftWCounter *c = value;
  CounterWalk *cw = data;

  if (cw->state == NFT_SAMPLE_UNKNOWN)
    c->r.state = NFT_SAMPLE_UNKNOWN;
  else if (cw->state == NFT_SAMPLE_ABSENT)
    reading_absent (cw->w, c->label, "", &c->r, &c->missing, 1, 0);
  else if (c->seen_round != cw->w->round)
    reading_absent (cw->w, c->label, "does not exist", &c->r, &c->missing, 0, 0);
}

static void
read_counters (NftWatch *w, NftNl *nl, NftWTable *t)
{
  CounterWalk cw = { w, t, t->state };

  if (t->state == NFT_SAMPLE_PRESENT)
    {
      CounterCtx ctx = { w, t };
      int r = nft_nl_dump_counters (nl, t->family, t->name, counter_cb, &ctx);

      if (r < 0)
        {
          if (t->counters_error != -r)
            wlog (w, IPA_LOG_ERR, -r, "cannot read the counters of table %s", t->label);
          t->counters_error = -r;
          cw.state = NFT_SAMPLE_UNKNOWN;
        }
      else
        {
          if (t->counters_error != 0)
            wlog (w, IPA_LOG_INFO, 0, "the counters of table %s can be read again", t->label);
          t->counters_error = 0;
        }
    }
  nft_hash_foreach (&t->counters, counter_after_cb, &cw);
}

static int
elem_cb (const NftElemInfo *info, void *data)
{
  NftWatch *w = ((void **) data)[0];
  NftWSet *s = ((void **) data)[1];
  NftWElem *e;

  if (info->flags & NFT_SET_ELEM_INTERVAL_END || info->key_len > NFT_KEY_MAX)
    return 0;
  if (s->whole > 0)
    {
      NftSeenElem *se;

      if (s->n_seen == s->seen_alloc)
        {
          unsigned int na = s->seen_alloc == 0 ? 16 : 2 * s->seen_alloc;
          NftSeenElem *ns = nft_realloc (s->seen, na * sizeof *ns);

          if (ns == NULL)
            return -1;
          s->seen = ns;
          s->seen_alloc = na;
        }
      se = &s->seen[s->n_seen++];
      memcpy (se->key, info->key, info->key_len);
      se->key_len = info->key_len;
      se->has_counter = info->has_counter;
      se->packets = info->packets;
      se->bytes = info->bytes;
    }
  e = nft_hash_lookup (&s->by_key, info->key, info->key_len);
  if (e != NULL)
    {
      if (!info->has_counter)
        {
          if (!s->no_counter_logged)
            wlog (w, IPA_LOG_ERR, 0, "set %s keeps no counter per element; "
                  "declare it with the counter flag", s->label);
          s->no_counter_logged = 1;
          return 0;  /* the element stays unseen: it counts nothing */
        }
      reading_present (w, e->label, &e->r, &e->missing, info->packets, info->bytes,
                       identity (s->table->handle, s->info.handle));
      e->seen_round = w->round;
    }
  return 0;
}

typedef struct {
  NftWatch *w;
  NftWSet *s;
  NftSampleState state;
} ElemWalk;

static void
elem_after_cb (void *value, void *data)
{
  NftWElem *e = value;
  ElemWalk *ew = data;

  if (ew->state == NFT_SAMPLE_UNKNOWN)
    e->r.state = NFT_SAMPLE_UNKNOWN;
  else if (ew->state == NFT_SAMPLE_ABSENT)
    reading_absent (ew->w, e->label, "", &e->r, &e->missing, 1, e->quiet);
  else if (e->seen_round != ew->w->round)
    reading_absent (ew->w, e->label, "is not in the set", &e->r, &e->missing, 0, e->quiet);
}

static void
reindex_cb (void *value, void *data)
{
  NftWElem *e = value;

  elem_index (data, e);
}

static void
read_set (NftWatch *w, NftNl *nl, NftWSet *s)
{
  ElemWalk ew = { w, s, NFT_SAMPLE_UNKNOWN };
  NftSetInfo info;
  int r = 0;

  s->n_seen = 0;
  if (s->table->state != NFT_SAMPLE_PRESENT)
    ew.state = s->table->state;
  else if ((r = nft_nl_get_set (nl, s->table->family, s->table->name, s->name, &info)) == -ENOENT)
    ew.state = NFT_SAMPLE_ABSENT;
  else if (r == 0)
    {
      if (!s->info_valid || info.handle != s->info.handle || info.key_type != s->info.key_type
          || info.key_len != s->info.key_len)
        {
          s->info = info;
          s->info_valid = 1;
          nft_hash_clear (&s->by_key);
          nft_hash_foreach (&s->by_text, reindex_cb, w);
        }
      void *ctx[2] = { w, s };

      s->info.flags = info.flags;
      r = nft_nl_dump_elems (nl, s->table->family, s->table->name, s->name, elem_cb, ctx);
      ew.state = r == 0 ? NFT_SAMPLE_PRESENT : r == -ENOENT ? NFT_SAMPLE_ABSENT
                                                            : NFT_SAMPLE_UNKNOWN;
    }

  if (ew.state == NFT_SAMPLE_UNKNOWN)
    {
      s->n_seen = 0;
      if (r < 0 && !s->error_logged)
        wlog (w, IPA_LOG_ERR, -r, "cannot read set %s", s->label);
      s->error_logged = 1;
    }
  else if (s->error_logged)
    {
      wlog (w, IPA_LOG_INFO, 0, "set %s can be read again", s->label);
      s->error_logged = 0;
    }
  if (ew.state == NFT_SAMPLE_ABSENT && !s->missing_logged)
    {
      if (s->table->state == NFT_SAMPLE_ABSENT)
        wlog (w, IPA_LOG_WARNING, 0, "set %s: table %s does not exist", s->label, s->table->label);
      else
        wlog (w, IPA_LOG_WARNING, 0, "set %s does not exist", s->label);
      s->missing_logged = 1;
    }
  else if (ew.state == NFT_SAMPLE_PRESENT && s->missing_logged)
    {
      wlog (w, IPA_LOG_INFO, 0, "set %s is there again", s->label);
      s->missing_logged = 0;
    }
  s->state = ew.state;
  nft_hash_foreach (&s->by_text, elem_after_cb, &ew);
}

static void
log_table_state (NftWatch *w, NftWTable *t)
{
  if (t->state == NFT_SAMPLE_ABSENT && !t->missing_logged)
    {
      if (t->n_counters > 0)
        wlog (w, IPA_LOG_WARNING, 0, "table %s does not exist: its %u counter%s count nothing "
              "until it is there", t->label, t->n_counters, t->n_counters == 1 ? "" : "s");
      else
        wlog (w, IPA_LOG_WARNING, 0, "table %s does not exist", t->label);
      t->missing_logged = 1;
    }
  else if (t->state == NFT_SAMPLE_PRESENT && t->missing_logged)
    {
      wlog (w, IPA_LOG_INFO, 0, "table %s is there again", t->label);
      t->missing_logged = 0;
    }
}

int
nft_watch_read (NftWatch *w, NftNl *nl)
{
  int r = 0;

  w->round++;
  if (w->n_tables == 0)
    return 0;
  r = nft_nl_dump_tables (nl, table_cb, w);
  for (unsigned int i = 0; i < w->n_tables; i++)
    {
      NftWTable *t = w->tables[i];

      if (r < 0)
        t->state = NFT_SAMPLE_UNKNOWN;
      else
        t->state = t->seen_round == w->round ? NFT_SAMPLE_PRESENT : NFT_SAMPLE_ABSENT;
      log_table_state (w, t);
      if (t->n_counters > 0)
        read_counters (w, nl, t);
    }
  for (unsigned int i = 0; i < w->n_sets; i++)
    read_set (w, nl, w->sets[i]);
  return r;
}
