/*
 * dbm-file.c: the text file of ipa_db_memory (see dbm-file.h and
 * README.md).
 *
 * One object a line, fields separated by one space, names and info
 * percent-encoded (so they hold no space), dates YYYY-MM-DDTHH:MM:SS or
 * "-".  Rules in name order; under each rule its records (oldest first),
 * limits and thresholds in name order; a limit's older states
 * (limit_history) before its line with the current one.
 */
#include "dbm-file.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FORMAT_HEADER "# ipa_db_memory 1"

/* The field names of ipa_limit_state.event_date[], by index. */
static const char *const event_keys[IPA_LIMIT_EVENT_NUM] = {
  [IPA_LIMIT_EVENT_START] = "start",
  [IPA_LIMIT_EVENT_RESTART] = "restart",
  [IPA_LIMIT_EVENT_RESTART_EXEC] = "restart_exec",
  [IPA_LIMIT_EVENT_REACH] = "reach",
  [IPA_LIMIT_EVENT_REACH_EXEC] = "reach_exec",
  [IPA_LIMIT_EVENT_EXPIRE] = "expire",
  [IPA_LIMIT_EVENT_EXPIRE_EXEC] = "expire_exec",
  [IPA_LIMIT_EVENT_UPDATED] = "updated",
};

/* Saving */

static void
put_date (FILE *fp, const char *key, const ipa_tm *tm, int set)
{
  char buf[MT_TM_LEN];

  if (set)
    mt_tm_format (tm, buf);
  fprintf (fp, " %s=%s", key, set ? buf : "-");
}

static void
put_names (FILE *fp, const char *kind, const char *a, const char *b)
{
  fputs (kind, fp);
  putc (' ', fp);
  mt_encode_file (fp, a);
  if (b != NULL)
    {
      putc (' ', fp);
      mt_encode_file (fp, b);
    }
}

static void
put_limit_state (FILE *fp, const struct ipa_limit_state *st)
{
  fprintf (fp, " lim=%" PRIu64 " cnt=%" PRIu64, st->lim, st->cnt);
  for (unsigned int i = 0; i < IPA_LIMIT_EVENT_NUM; i++)
    put_date (fp, event_keys[i], &st->event_date[i], (st->event_date_set & (1U << i)) != 0);
}

static void
put_rule (FILE *fp, const DbmRule *rule)
{
  static const struct ipa_limit_state none;

  put_names (fp, "rule", rule->name, NULL);
  fprintf (fp, " active=%d info=", rule->active ? 1 : 0);
  if (rule->info != NULL)
    mt_encode_file (fp, rule->info);
  putc ('\n', fp);

  for (unsigned int i = 0; i < rule->n_records; i++)
    {
      const DbmRecord *r = &rule->records[i];

      put_names (fp, "record", rule->name, NULL);
      fprintf (fp, " %04d-%02d-%02d %02d:%02d:%02d %02d:%02d:%02d %" PRIu64 "\n",
               r->first.tm_year, r->first.tm_mon, r->first.tm_mday,
               r->first.tm_hour, r->first.tm_min, r->first.tm_sec,
               r->last.tm_hour, r->last.tm_min, r->last.tm_sec, r->cnt);
    }

  for (unsigned int i = 0; i < rule->n_limits; i++)
    {
      const DbmLimit *l = rule->limits[i];

      for (unsigned int k = 0; k + 1 < l->n_states; k++)
        {
          put_names (fp, "limit_history", rule->name, l->name);
          put_limit_state (fp, &l->states[k]);
          putc ('\n', fp);
        }
      put_names (fp, "limit", rule->name, l->name);
      put_limit_state (fp, l->n_states > 0 ? &l->states[l->n_states - 1] : &none);
      fprintf (fp, " active=%d new=%u state=%d\n", l->active ? 1 : 0, l->n_new,
               l->n_states > 0);
    }

  for (unsigned int i = 0; i < rule->n_thresholds; i++)
    {
      const DbmThreshold *t = rule->thresholds[i];

      put_names (fp, "threshold", rule->name, t->name);
      fprintf (fp, " thr=%" PRIu64 " cnt=%" PRIu64, t->state.thr, t->state.cnt);
      put_date (fp, "from", &t->state.tm_from, t->has_state);
      put_date (fp, "updated", &t->state.tm_updated, t->has_state);
      fprintf (fp, " active=%d state=%d\n", t->active ? 1 : 0, t->has_state ? 1 : 0);
    }
}

int
dbm_file_save (const DbmStore *store, const char *path)
{
  char tmp[PATH_MAX + 8];
  FILE *fp;
  int err;

  if (snprintf (tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  fp = fopen (tmp, "we");
  if (fp == NULL)
    return -1;
  fputs (FORMAT_HEADER "\n", fp);
  for (unsigned int i = 0; i < store->n_rules; i++)
    put_rule (fp, store->rules[i]);
  if (ferror (fp))
    {
      err = EIO;
      fclose (fp);
      goto fail;
    }
  if (fclose (fp) != 0)
    {
      err = errno;
      goto fail;
    }
  if (rename (tmp, path) != 0)
    {
      err = errno;
      goto fail;
    }
  return 0;

fail:
  unlink (tmp);
  errno = err;
  return -1;
}

/* Loading */

#define MAX_FIELDS 24

typedef struct {
  const char *path;
  unsigned int lineno;
  char *err;
  size_t err_len;
  char *words[MAX_FIELDS];
  unsigned int n_words;
  /* key=value fields after the names */
  const char *keys[MAX_FIELDS];
  char *values[MAX_FIELDS];
  unsigned int n_fields;
  unsigned int used;          /* bit per field consumed */
} Line;

static int fail (Line *l, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static int
fail (Line *l, const char *format, ...)
{
  size_t pos;
  va_list ap;

  pos = (size_t) snprintf (l->err, l->err_len, "%s:%u: ", l->path, l->lineno);
  if (pos < l->err_len)
    {
      va_start (ap, format);
      vsnprintf (l->err + pos, l->err_len - pos, format, ap);
      va_end (ap);
    }
  return -1;
}

/* Split at single spaces; the first @n_names words after the kind are
 * names (decoded), the others key=value. */
static int
split (Line *l, char *text, unsigned int n_plain)
{
  char *p = text;

  l->n_words = l->n_fields = 0;
  l->used = 0;
  while (*p != '\0')
    {
      char *sp;

      if (l->n_words == MAX_FIELDS)
        return fail (l, "too many fields");
      l->words[l->n_words++] = p;
      sp = strchr (p, ' ');
      if (sp == NULL)
        break;
      *sp = '\0';
      p = sp + 1;
    }
  if (l->n_words < n_plain)
    return fail (l, "%s: expected at least %u fields", l->words[0], n_plain);
  for (unsigned int i = n_plain; i < l->n_words; i++)
    {
      char *eq = strchr (l->words[i], '=');

      if (eq == NULL)
        return fail (l, "%s: \"%s\" is not KEY=VALUE", l->words[0], l->words[i]);
      *eq = '\0';
      l->keys[l->n_fields] = l->words[i];
      l->values[l->n_fields] = eq + 1;
      l->n_fields++;
    }
  return 0;
}

static const char *
field (Line *l, const char *key)
{
  for (unsigned int i = 0; i < l->n_fields; i++)
    if (strcmp (l->keys[i], key) == 0)
      {
        l->used |= 1U << i;
        return l->values[i];
      }
  fail (l, "%s: no field %s", l->words[0], key);
  return NULL;
}

/* Every field was consumed. */
static int
no_extra (Line *l)
{
  for (unsigned int i = 0; i < l->n_fields; i++)
    if (!(l->used & (1U << i)))
      return fail (l, "%s: unknown field %s", l->words[0], l->keys[i]);
  return 0;
}

static int
parse_u64 (Line *l, const char *text, const char *what, uint64_t *v)
{
  char *end;

  if (text == NULL)
    return -1;
  errno = 0;
  if (text[0] < '0' || text[0] > '9')
    return fail (l, "%s: bad %s \"%s\"", l->words[0], what, text);
  *v = strtoull (text, &end, 10);
  if (errno != 0 || *end != '\0')
    return fail (l, "%s: bad %s \"%s\"", l->words[0], what, text);
  return 0;
}

static int
parse_flag (Line *l, const char *key, int *v)
{
  const char *text = field (l, key);

  if (text == NULL)
    return -1;
  if (strcmp (text, "0") != 0 && strcmp (text, "1") != 0)
    return fail (l, "%s: %s must be 0 or 1, not \"%s\"", l->words[0], key, text);
  *v = text[0] == '1';
  return 0;
}

/* A date field: 1 if set, 0 for "-", -1 on error. */
static int
parse_date (Line *l, const char *key, ipa_tm *tm)
{
  const char *text = field (l, key);

  if (text == NULL)
    return -1;
  memset (tm, 0, sizeof *tm);
  if (strcmp (text, "-") == 0)
    return 0;
  if (mt_tm_parse (text, MT_TM_DATE | MT_TM_TIME, tm) != 0)
    return fail (l, "%s: %s: bad date \"%s\"", l->words[0], key, text);
  return 1;
}

static int
decode_name (Line *l, char *word)
{
  if (word[0] == '\0' || mt_decode (word) != 0)
    return fail (l, "%s: bad name \"%s\"", l->words[0], word);
  return 0;
}

static int
parse_limit_state (Line *l, struct ipa_limit_state *st)
{
  memset (st, 0, sizeof *st);
  if (parse_u64 (l, field (l, "lim"), "lim", &st->lim) != 0 ||
      parse_u64 (l, field (l, "cnt"), "cnt", &st->cnt) != 0)
    return -1;
  for (unsigned int i = 0; i < IPA_LIMIT_EVENT_NUM; i++)
    {
      int r = parse_date (l, event_keys[i], &st->event_date[i]);

      if (r < 0)
        return -1;
      if (r > 0)
        st->event_date_set |= 1U << i;
    }
  return 0;
}

static int
nomem (Line *l)
{
  return fail (l, "out of memory");
}

static int
load_rule (DbmStore *store, Line *l)
{
  DbmRule *rule;
  const char *info;
  int active;

  if (split (l, l->words[0], 2) != 0 || decode_name (l, l->words[1]) != 0)
    return -1;
  rule = dbm_rule_get (store, l->words[1], 1);
  if (rule == NULL)
    return nomem (l);
  if (parse_flag (l, "active", &active) != 0 || (info = field (l, "info")) == NULL)
    return -1;
  if (mt_decode ((char *) info) != 0)
    return fail (l, "rule: bad info");
  rule->active = active;
  if (dbm_rule_set_info (store, rule, info) != 0)
    return nomem (l);
  return no_extra (l);
}

static int
load_record (DbmStore *store, Line *l)
{
  DbmRule *rule;
  ipa_tm day, t1, t2;
  uint64_t cnt;

  if (split (l, l->words[0], 6) != 0)
    return -1;
  if (l->n_words != 6)
    return fail (l, "record: expected NAME DAY FIRST LAST CNT");
  if (decode_name (l, l->words[1]) != 0)
    return -1;
  if (mt_tm_parse (l->words[2], MT_TM_DATE, &day) != 0)
    return fail (l, "record: bad day \"%s\"", l->words[2]);
  if (mt_tm_parse (l->words[3], MT_TM_TIME, &t1) != 0 ||
      mt_tm_parse (l->words[4], MT_TM_TIME, &t2) != 0)
    return fail (l, "record: bad time \"%s\" or \"%s\"", l->words[3], l->words[4]);
  if (parse_u64 (l, l->words[5], "counter", &cnt) != 0)
    return -1;
  rule = dbm_rule_get (store, l->words[1], 1);
  if (rule == NULL || dbm_record_append (store, rule, &day, cnt) != 0)
    return nomem (l);
  {
    DbmRecord *r = &rule->records[rule->n_records - 1];

    r->first.tm_hour = t1.tm_hour;
    r->first.tm_min = t1.tm_min;
    r->first.tm_sec = t1.tm_sec;
    r->last.tm_hour = t2.tm_hour;
    r->last.tm_min = t2.tm_min;
    r->last.tm_sec = t2.tm_sec;
  }
  return 0;
}

static int
load_limit (DbmStore *store, Line *l, int history)
{
  struct ipa_limit_state st;
  DbmRule *rule;
  DbmLimit *limit;
  int active = 1, has_state = 1;
  uint64_t n_new = 0;

  if (split (l, l->words[0], 3) != 0 || decode_name (l, l->words[1]) != 0 ||
      decode_name (l, l->words[2]) != 0)
    return -1;
  if (parse_limit_state (l, &st) != 0)
    return -1;
  if (!history &&
      (parse_flag (l, "active", &active) != 0 ||
       parse_u64 (l, field (l, "new"), "new", &n_new) != 0 ||
       parse_flag (l, "state", &has_state) != 0))
    return -1;
  if (no_extra (l) != 0)
    return -1;
  if (n_new > UINT32_MAX)
    return fail (l, "limit: new=%" PRIu64 " is too big", n_new);
  rule = dbm_rule_get (store, l->words[1], 1);
  limit = rule != NULL ? dbm_limit_get (store, rule, l->words[2], 1) : NULL;
  if (limit == NULL)
    return nomem (l);
  if (has_state && dbm_limit_push (store, limit, &st) != 0)
    return nomem (l);
  if (!history)
    {
      limit->active = active;
      limit->n_new = (unsigned int) n_new;
    }
  return 0;
}

static int
load_threshold (DbmStore *store, Line *l)
{
  DbmRule *rule;
  DbmThreshold *thr;
  struct ipa_threshold_state st;
  int active, has_state;

  memset (&st, 0, sizeof st);
  if (split (l, l->words[0], 3) != 0 || decode_name (l, l->words[1]) != 0 ||
      decode_name (l, l->words[2]) != 0)
    return -1;
  if (parse_u64 (l, field (l, "thr"), "thr", &st.thr) != 0 ||
      parse_u64 (l, field (l, "cnt"), "cnt", &st.cnt) != 0 ||
      parse_date (l, "from", &st.tm_from) < 0 ||
      parse_date (l, "updated", &st.tm_updated) < 0 ||
      parse_flag (l, "active", &active) != 0 ||
      parse_flag (l, "state", &has_state) != 0 ||
      no_extra (l) != 0)
    return -1;
  rule = dbm_rule_get (store, l->words[1], 1);
  thr = rule != NULL ? dbm_threshold_get (store, rule, l->words[2], 1) : NULL;
  if (thr == NULL)
    return nomem (l);
  thr->active = active;
  thr->has_state = has_state;
  thr->state = st;
  return 0;
}

int
dbm_file_load (DbmStore *store, const char *path, char *err, size_t err_len)
{
  Line l = { .path = path, .err = err, .err_len = err_len };
  FILE *fp = fopen (path, "re");
  char *buf = NULL;
  size_t cap = 0;
  ssize_t n;
  int r = 0;

  if (fp == NULL)
    {
      if (errno == ENOENT)
        return 0;
      snprintf (err, err_len, "%s: %s", path, strerror (errno));
      return -1;
    }
  while (r == 0 && (n = getline (&buf, &cap, fp)) >= 0)
    {
      char *kind;

      l.lineno++;
      if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
      if (buf[0] == '\0' || buf[0] == '#')
        continue;
      /* words[0] is the whole line until split() cuts it. */
      l.words[0] = buf;
      kind = buf;
      if (strncmp (kind, "rule ", 5) == 0)
        r = load_rule (store, &l);
      else if (strncmp (kind, "record ", 7) == 0)
        r = load_record (store, &l);
      else if (strncmp (kind, "limit_history ", 14) == 0)
        r = load_limit (store, &l, 1);
      else if (strncmp (kind, "limit ", 6) == 0)
        r = load_limit (store, &l, 0);
      else if (strncmp (kind, "threshold ", 10) == 0)
        r = load_threshold (store, &l);
      else
        r = fail (&l, "unknown line \"%.40s\"", buf);
    }
  if (r == 0 && ferror (fp))
    {
      snprintf (err, err_len, "%s: %s", path, strerror (errno));
      r = -1;
    }
  free (buf);
  fclose (fp);
  return r;
}
