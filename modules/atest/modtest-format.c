/*
 * modtest-format.c: text forms shared by the test modules (see
 * modtest-format.h).
 */
#include "modtest-format.h"

#include <string.h>
#include <time.h>

static int
is_leap (int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month (int year, int mon)
{
  static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  return mon == 2 && is_leap (year) ? 29 : days[mon - 1];
}

int
mt_tm_valid (const ipa_tm *tm)
{
  return tm->tm_year >= 1970 && tm->tm_year <= 9999 &&
         tm->tm_mon >= 1 && tm->tm_mon <= 12 &&
         tm->tm_mday >= 1 && tm->tm_mday <= days_in_month (tm->tm_year, tm->tm_mon) &&
         tm->tm_hour >= 0 && tm->tm_hour <= 23 &&
         tm->tm_min >= 0 && tm->tm_min <= 59 &&
         tm->tm_sec >= 0 && tm->tm_sec <= 60 &&
         tm->tm_wday >= 0 && tm->tm_wday <= 6;
}

void
mt_tm_format (const ipa_tm *tm, char buf[MT_TM_LEN])
{
  /* Out-of-range fields must still fit: clamp what snprintf could print
   * wider than the slot, the trace shows the date is wrong anyway. */
  snprintf (buf, MT_TM_LEN, "%04d-%02d-%02dT%02d:%02d:%02d",
            tm->tm_year < -999 ? -999 : tm->tm_year > 9999 ? 9999 : tm->tm_year,
            tm->tm_mon < -9 ? -9 : tm->tm_mon > 99 ? 99 : tm->tm_mon,
            tm->tm_mday < -9 ? -9 : tm->tm_mday > 99 ? 99 : tm->tm_mday,
            tm->tm_hour < -9 ? -9 : tm->tm_hour > 99 ? 99 : tm->tm_hour,
            tm->tm_min < -9 ? -9 : tm->tm_min > 99 ? 99 : tm->tm_min,
            tm->tm_sec < -9 ? -9 : tm->tm_sec > 99 ? 99 : tm->tm_sec);
}

int64_t
mt_tm_seconds (const ipa_tm *tm)
{
  struct tm t;

  memset (&t, 0, sizeof t);
  t.tm_year = tm->tm_year - 1900;
  t.tm_mon = tm->tm_mon - 1;
  t.tm_mday = tm->tm_mday;
  t.tm_hour = tm->tm_hour;
  t.tm_min = tm->tm_min;
  t.tm_sec = tm->tm_sec;
  return (int64_t) timegm (&t);
}

/* Exactly @n decimal digits at *s. */
static int
digits (const char **s, int n, int *value)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      char c = (*s)[i];

      if (c < '0' || c > '9')
        return -1;
      v = v * 10 + (c - '0');
    }
  *s += n;
  *value = v;
  return 0;
}

static int
expect (const char **s, char c)
{
  if (**s != c)
    return -1;
  (*s)++;
  return 0;
}

int
mt_tm_parse (const char *s, int what, ipa_tm *tm)
{
  int year = 1970, mon = 1, mday = 1, hour = 0, min = 0, sec = 0;

  if (what & MT_TM_DATE)
    {
      if (digits (&s, 4, &year) < 0 || expect (&s, '-') < 0 || digits (&s, 2, &mon) < 0 ||
          expect (&s, '-') < 0 || digits (&s, 2, &mday) < 0)
        return -1;
      if ((what & MT_TM_TIME) && expect (&s, 'T') < 0)
        return -1;
    }
  if (what & MT_TM_TIME)
    {
      if (digits (&s, 2, &hour) < 0 || expect (&s, ':') < 0 || digits (&s, 2, &min) < 0 ||
          expect (&s, ':') < 0 || digits (&s, 2, &sec) < 0)
        return -1;
    }
  if (*s != '\0')
    return -1;

  memset (tm, 0, sizeof *tm);
  tm->tm_year = year;
  tm->tm_mon = mon;
  tm->tm_mday = mday;
  tm->tm_hour = hour;
  tm->tm_min = min;
  tm->tm_sec = sec;
  /* 1970-01-01 was a Thursday. */
  tm->tm_wday = (int) (((mt_tm_seconds (tm) / 86400) % 7 + 7 + 4) % 7);
  return mt_tm_valid (tm) ? 0 : -1;
}

/* Bytes */

static const struct {
  char unit;
  unsigned int shift;
} byte_units[] = {
  { 'T', 40 }, { 'G', 30 }, { 'M', 20 }, { 'K', 10 }, { 'B', 0 },
};

#define N_BYTE_UNITS (sizeof byte_units / sizeof byte_units[0])

int
mt_bytes_parse (const char *s, uint64_t *value)
{
  uint64_t total = 0;
  size_t next_unit = 0;  /* units must come largest first */
  int terms = 0;

  while (*s != '\0')
    {
      uint64_t n = 0;
      size_t u;

      if (*s < '0' || *s > '9')
        return -1;
      for (; *s >= '0' && *s <= '9'; s++)
        {
          if (n > (UINT64_MAX - (uint64_t) (*s - '0')) / 10)
            return -1;
          n = n * 10 + (uint64_t) (*s - '0');
        }
      if (*s == '\0' || *s == ' ')
        {
          /* A bare number is only valid alone. */
          if (terms > 0)
            return -1;
          while (*s == ' ')
            s++;
          if (*s != '\0')
            return -1;
          *value = n;
          return 0;
        }
      for (u = next_unit; u < N_BYTE_UNITS && byte_units[u].unit != *s; u++)
        ;
      if (u == N_BYTE_UNITS)
        return -1;
      s++;
      if (byte_units[u].shift > 0 && n > (UINT64_MAX >> byte_units[u].shift))
        return -1;
      n <<= byte_units[u].shift;
      if (total > UINT64_MAX - n)
        return -1;
      total += n;
      next_unit = u + 1;
      terms++;
      if (*s == ' ')
        s++;
    }
  if (terms == 0)
    return -1;
  *value = total;
  return 0;
}

void
mt_bytes_format (uint64_t value, char *buf, size_t len)
{
  size_t pos = 0;

  if (len == 0)
    return;
  buf[0] = '\0';
  if (value == 0)
    {
      snprintf (buf, len, "0B");
      return;
    }
  for (size_t u = 0; u < N_BYTE_UNITS && pos < len; u++)
    {
      uint64_t n = value >> byte_units[u].shift;
      int w;

      if (n == 0)
        continue;
      value -= n << byte_units[u].shift;
      w = snprintf (buf + pos, len - pos, "%s%llu%c", pos > 0 ? " " : "",
                    (unsigned long long) n, byte_units[u].unit);
      if (w < 0)
        return;
      pos += (size_t) w;
    }
}

/* Percent-encoding */

static int
needs_escape (unsigned char c)
{
  return c <= ' ' || c == '%' || c == 0x7f;
}

size_t
mt_encode (const char *s, char *buf, size_t len)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t need = 0;
  size_t pos = 0;
  int full = len == 0;

  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    {
      size_t w = needs_escape (*p) ? 3 : 1;

      need += w;
      if (!full && pos + w > len - 1)
        full = 1;
      if (full)
        continue;
      if (w == 3)
        {
          buf[pos++] = '%';
          buf[pos++] = hex[*p >> 4];
          buf[pos++] = hex[*p & 0x0f];
        }
      else
        buf[pos++] = (char) *p;
    }
  if (len > 0)
    buf[pos] = '\0';
  return need;
}

int
mt_encode_file (FILE *fp, const char *s)
{
  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    {
      if (needs_escape (*p))
        {
          if (fprintf (fp, "%%%02X", *p) < 0)
            return -1;
        }
      else if (putc (*p, fp) == EOF)
        return -1;
    }
  return 0;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

int
mt_decode (char *s)
{
  char *w = s;

  for (const char *r = s; *r != '\0'; r++)
    {
      if (*r == '%')
        {
          int hi = hex_value (r[1]);
          int lo = hi >= 0 ? hex_value (r[2]) : -1;

          if (lo < 0 || (hi == 0 && lo == 0))
            return -1;
          *w++ = (char) (hi * 16 + lo);
          r += 2;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
  return 0;
}
