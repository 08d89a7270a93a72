/*
 * gdbm-format.c: the byte layout of keys and values (FORMAT.md).  Every
 * number is big-endian and every value has a fixed width, so a database
 * means the same on every architecture.
 */
#include "gdbm-common.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void
gdbm_log (const GdbmEnv *env, int priority, int code, const char *format, ...)
{
  va_list ap;

  if (env->sf == NULL || env->sf->logmsg == NULL)
    return;
  va_start (ap, format);
  env->sf->logmsg (env->mod_name, priority, code, format, ap);
  va_end (ap);
}

/* Memory of the module (so that the host can report leaks). */

char *
gdbm_strdup (const GdbmEnv *env, const char *s)
{
  return s != NULL ? env->mf->mem_strdup (s, env->mt) : NULL;
}

char *
gdbm_path (const GdbmEnv *env, const char *dir, const char *name)
{
  size_t dl = strlen (dir), nl = strlen (name);
  char *p = env->mf->mem_malloc (dl + nl + 2, env->mt);

  if (p == NULL)
    return NULL;
  memcpy (p, dir, dl);
  p[dl] = '/';
  memcpy (p + dl + 1, name, nl + 1);
  return p;
}

void
gdbm_free (const GdbmEnv *env, void *p)
{
  if (p != NULL)
    env->mf->mem_free (p, env->mt);
}

void *
gdbm_realloc_array (const GdbmEnv *env, void *p, size_t nmemb, size_t size)
{
  if (size != 0 && nmemb > SIZE_MAX / size)
    return NULL;
  return env->mf->mem_realloc (p, nmemb * size, env->mt);
}

/* Integers */

void
gdbm_put_u16 (unsigned char *p, unsigned int v)
{
  p[0] = (unsigned char) (v >> 8);
  p[1] = (unsigned char) v;
}

void
gdbm_put_u32 (unsigned char *p, uint32_t v)
{
  for (int i = 3; i >= 0; i--, v >>= 8)
    p[i] = (unsigned char) v;
}

void
gdbm_put_u64 (unsigned char *p, uint64_t v)
{
  for (int i = 7; i >= 0; i--, v >>= 8)
    p[i] = (unsigned char) v;
}

unsigned int
gdbm_get_u16 (const unsigned char *p)
{
  return ((unsigned int) p[0] << 8) | p[1];
}

uint32_t
gdbm_get_u32 (const unsigned char *p)
{
  return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

uint64_t
gdbm_get_u64 (const unsigned char *p)
{
  return ((uint64_t) gdbm_get_u32 (p) << 32) | gdbm_get_u32 (p + 4);
}

/* Dates */

/* 0 = Sunday, as tm_wday (Sakamoto's method). */
int
gdbm_weekday (unsigned int year, unsigned int mon, unsigned int day)
{
  static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
  unsigned int y = year;

  if (mon < 1 || mon > 12)
    return 0;
  if (mon < 3)
    y--;
  return (int) ((y + y / 4 - y / 100 + y / 400 + (unsigned int) t[mon - 1] + day) % 7);
}

int
gdbm_date_valid (const ipa_tm *tm)
{
  return tm->tm_year >= 1 && tm->tm_year <= 65535 && tm->tm_mon >= 1 && tm->tm_mon <= 12 &&
         tm->tm_mday >= 1 && tm->tm_mday <= 31 && tm->tm_hour >= 0 && tm->tm_hour <= 23 &&
         tm->tm_min >= 0 && tm->tm_min <= 59 && tm->tm_sec >= 0 && tm->tm_sec <= 60;
}

void
gdbm_encode_date (unsigned char *p, const ipa_tm *tm)
{
  gdbm_put_u16 (p, (unsigned int) tm->tm_year);
  p[2] = (unsigned char) tm->tm_mon;
  p[3] = (unsigned char) tm->tm_mday;
  p[4] = (unsigned char) tm->tm_hour;
  p[5] = (unsigned char) tm->tm_min;
  p[6] = (unsigned char) tm->tm_sec;
}

void
gdbm_decode_date (const unsigned char *p, ipa_tm *tm)
{
  memset (tm, 0, sizeof *tm);
  tm->tm_year = (int) gdbm_get_u16 (p);
  tm->tm_mon = p[2];
  tm->tm_mday = p[3];
  tm->tm_hour = p[4];
  tm->tm_min = p[5];
  tm->tm_sec = p[6];
  tm->tm_wday = gdbm_weekday ((unsigned int) tm->tm_year, p[2], p[3]);
}

static int
cmp_int (int a, int b)
{
  return a < b ? -1 : a > b;
}

int
gdbm_tm_cmp (const ipa_tm *a, const ipa_tm *b)
{
  int c;

  if ((c = cmp_int (a->tm_year, b->tm_year)) != 0 || (c = cmp_int (a->tm_mon, b->tm_mon)) != 0 ||
      (c = cmp_int (a->tm_mday, b->tm_mday)) != 0 || (c = cmp_int (a->tm_hour, b->tm_hour)) != 0 ||
      (c = cmp_int (a->tm_min, b->tm_min)) != 0)
    return c;
  return cmp_int (a->tm_sec, b->tm_sec);
}

int
gdbm_day_cmp (const GdbmDay *a, const GdbmDay *b)
{
  if (a->year != b->year)
    return a->year < b->year ? -1 : 1;
  if (a->mon != b->mon)
    return a->mon < b->mon ? -1 : 1;
  if (a->day != b->day)
    return a->day < b->day ? -1 : 1;
  return 0;
}

void
gdbm_day_from_tm (GdbmDay *day, const ipa_tm *tm)
{
  day->year = (unsigned int) tm->tm_year;
  day->mon = (unsigned int) tm->tm_mon;
  day->day = (unsigned int) tm->tm_mday;
}

/* Values */

void
gdbm_encode_rec (unsigned char *p, const GdbmRec *rec)
{
  p[0] = rec->h1;
  p[1] = rec->m1;
  p[2] = rec->s1;
  p[3] = rec->h2;
  p[4] = rec->m2;
  p[5] = rec->s2;
  gdbm_put_u64 (p + 6, rec->cnt);
}

void
gdbm_decode_rec (const unsigned char *p, GdbmRec *rec)
{
  rec->h1 = p[0];
  rec->m1 = p[1];
  rec->s1 = p[2];
  rec->h2 = p[3];
  rec->m2 = p[4];
  rec->s2 = p[5];
  rec->cnt = gdbm_get_u64 (p + 6);
}

void
gdbm_encode_limit (unsigned char *p, const struct ipa_limit_state *st)
{
  unsigned char set = 0;

  gdbm_put_u64 (p, st->lim);
  gdbm_put_u64 (p + 8, st->cnt);
  for (unsigned int i = 0; i < IPA_LIMIT_EVENT_NUM; i++)
    {
      unsigned char *d = p + 17 + i * GDBM_DATE_SIZE;

      /* INV-61: a date is stored only with its bit; an unset date is zero. */
      if ((st->event_date_set & (1U << i)) != 0 && gdbm_date_valid (&st->event_date[i]))
        {
          set |= (unsigned char) (1U << i);
          gdbm_encode_date (d, &st->event_date[i]);
        }
      else
        memset (d, 0, GDBM_DATE_SIZE);
    }
  p[16] = set;
}

void
gdbm_decode_limit (const unsigned char *p, struct ipa_limit_state *st)
{
  memset (st, 0, sizeof *st);
  st->lim = gdbm_get_u64 (p);
  st->cnt = gdbm_get_u64 (p + 8);
  st->event_date_set = p[16];
  for (unsigned int i = 0; i < IPA_LIMIT_EVENT_NUM; i++)
    if ((st->event_date_set & (1U << i)) != 0)
      gdbm_decode_date (p + 17 + i * GDBM_DATE_SIZE, &st->event_date[i]);
}

void
gdbm_encode_threshold (unsigned char *p, int present, const struct ipa_threshold_state *st)
{
  memset (p, 0, GDBM_THRESHOLD_SIZE);
  if (!present)
    return;
  p[0] = 1;
  gdbm_put_u64 (p + 1, st->thr);
  gdbm_put_u64 (p + 9, st->cnt);
  if (gdbm_date_valid (&st->tm_from))
    gdbm_encode_date (p + 17, &st->tm_from);
  if (gdbm_date_valid (&st->tm_updated))
    gdbm_encode_date (p + 17 + GDBM_DATE_SIZE, &st->tm_updated);
}

int
gdbm_decode_threshold (const unsigned char *p, struct ipa_threshold_state *st)
{
  memset (st, 0, sizeof *st);
  if ((p[0] & 1) == 0)
    return 0;
  st->thr = gdbm_get_u64 (p + 1);
  st->cnt = gdbm_get_u64 (p + 9);
  gdbm_decode_date (p + 17, &st->tm_from);
  gdbm_decode_date (p + 17 + GDBM_DATE_SIZE, &st->tm_updated);
  return 1;
}

/* Keys: text, '/' between parts (names cannot contain '/'). */

static int
key_printf (char *buf, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static int
key_printf (char *buf, const char *format, ...)
{
  va_list ap;
  int n;

  va_start (ap, format);
  n = vsnprintf (buf, GDBM_KEY_MAX, format, ap);
  va_end (ap);
  /* Names are checked (gdbm_name_ok) before they get here. */
  return n < 0 ? 0 : n >= GDBM_KEY_MAX ? GDBM_KEY_MAX - 1 : n;
}

int
gdbm_key_rule (char *buf, const char *rule)
{
  return key_printf (buf, "r/%s", rule);
}

int
gdbm_key_rule_info (char *buf, const char *rule)
{
  return key_printf (buf, "r/%s/i", rule);
}

int
gdbm_key_limit (char *buf, const char *rule, const char *limit)
{
  return key_printf (buf, "l/%s/%s", rule, limit);
}

int
gdbm_key_limit_info (char *buf, const char *rule, const char *limit)
{
  return key_printf (buf, "l/%s/%s/i", rule, limit);
}

int
gdbm_key_limit_state (char *buf, const char *rule, const char *limit, uint32_t n)
{
  return key_printf (buf, "l/%s/%s/%" PRIu32, rule, limit, n);
}

int
gdbm_key_threshold (char *buf, const char *rule, const char *threshold)
{
  return key_printf (buf, "t/%s/%s", rule, threshold);
}

int
gdbm_key_threshold_info (char *buf, const char *rule, const char *threshold)
{
  return key_printf (buf, "t/%s/%s/i", rule, threshold);
}

/* The two-digit day keeps a month's keys of a rule easy to read in
 * gdbmtool; the chunk number is plain decimal. */
int
gdbm_key_chunk (char *buf, const char *rule, unsigned int day, unsigned int chunk)
{
  return key_printf (buf, "%s/%02u/%u", rule, day, chunk);
}

int
gdbm_key_current (char *buf, const char *rule, unsigned int day)
{
  return key_printf (buf, "%s/%02u/c", rule, day);
}

void
gdbm_month_file (char *buf, size_t size, unsigned int year, unsigned int mon)
{
  snprintf (buf, size, "rules-%04u-%02u.gdbm", year % 10000, mon % 100);
}

int
gdbm_parse_month_file (const char *name, unsigned int *year, unsigned int *mon)
{
  unsigned int y, m;
  int n = 0;

  if (sscanf (name, "rules-%4u-%2u.gdbm%n", &y, &m, &n) != 2 || n == 0 || name[n] != '\0' ||
      strlen (name) != sizeof "rules-YYYY-MM.gdbm" - 1 || m < 1 || m > 12)
    return -1;
  *year = y;
  *mon = m;
  return 0;
}

int
gdbm_name_ok (const char *name)
{
  size_t n = 0;

  if (name == NULL || *name == '\0')
    return 0;
  for (const unsigned char *p = (const unsigned char *) name; *p != '\0'; p++, n++)
    if (*p == '/' || *p <= ' ' || *p == 0x7f)
      return 0;
  /* Room for the longest key: "l/RULE/LIMIT/4294967295". */
  return n < (GDBM_KEY_MAX - 16) / 2;
}

/* CRC-32 (IEEE 802.3, reflected), for the journal. */
uint32_t
gdbm_crc32 (uint32_t crc, const void *buf, size_t len)
{
  static uint32_t table[256];
  static int ready;
  const unsigned char *p = buf;

  if (!ready)
    {
      for (uint32_t i = 0; i < 256; i++)
        {
          uint32_t c = i;

          for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
          table[i] = c;
        }
      ready = 1;
    }
  crc = ~crc;
  while (len-- > 0)
    crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}
