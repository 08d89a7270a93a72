/*
 * ipastat-interval.c: parsing the interval of a query (see the header for
 * the syntax) and formatting dates.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipastat-interval.h"

G_DEFINE_QUARK (ipastat-interval-error-quark, ipastat_interval_error)

/* Fields in order of precision. */
enum { F_YEAR, F_MON, F_DAY, F_HOUR, F_MIN, F_SEC, F_N };

typedef struct {
  int v[F_N];
  gboolean given[F_N];
} Part;

static const char *const month_names[12] = {
  "jan", "feb", "mar", "apr", "may", "jun",
  "jul", "aug", "sep", "oct", "nov", "dec"
};

static gboolean
is_leap (int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
ipastat_days_in_month (int year, int month)
{
  static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  g_return_val_if_fail (month >= 1 && month <= 12, 0);
  return month == 2 && is_leap (year) ? 29 : days[month - 1];
}

static gboolean G_GNUC_PRINTF (3, 4)
fail (GError **error, IpastatIntervalError code, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, IPASTAT_INTERVAL_ERROR, code, msg);
  return FALSE;
}

/* A number of @min_digits..@max_digits decimal digits, the whole of @s. */
static gboolean
parse_digits (const char *s, gsize len, gsize min_digits, gsize max_digits,
              int *out)
{
  int v = 0;

  if (len < min_digits || len > max_digits)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (s[i] - '0');
    }
  *out = v;
  return TRUE;
}

static gboolean
parse_month (const char *s, gsize len, int *out)
{
  if (parse_digits (s, len, 1, 2, out))
    return TRUE;
  if (len == 3)
    for (int i = 0; i < 12; i++)
      if (g_ascii_strncasecmp (s, month_names[i], 3) == 0)
        {
          *out = i + 1;
          return TRUE;
        }
  return FALSE;
}

/* DATE: YYYY[.MM[.DD]] | MM[.DD] | .DD */
static gboolean
parse_date (const char *text, Part *p, const char *part, GError **error)
{
  g_auto(GStrv) f = g_strsplit (text, ".", -1);
  guint n = g_strv_length (f);
  int v;

  if (n == 2 && f[0][0] == '\0')
    {
      if (!parse_digits (f[1], strlen (f[1]), 1, 2, &v))
        return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                     _("bad day \"%s\" in \"%s\" (1 or 2 digits)"), f[1], part);
      p->v[F_DAY] = v;
      p->given[F_DAY] = TRUE;
      return TRUE;
    }
  if (n > 3 || f[0][0] == '\0')
    return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                 _("bad date \"%s\" in \"%s\" (YYYY, YYYY.MM, YYYY.MM.DD, MM, MM.DD or .DD)"),
                 text, part);
  if (parse_digits (f[0], strlen (f[0]), 4, 4, &v))
    {
      p->v[F_YEAR] = v;
      p->given[F_YEAR] = TRUE;
      if (n >= 2)
        {
          if (!parse_month (f[1], strlen (f[1]), &p->v[F_MON]))
            return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                         _("bad month \"%s\" in \"%s\" (1 or 2 digits, or jan … dec)"),
                         f[1], part);
          p->given[F_MON] = TRUE;
        }
      if (n == 3)
        {
          if (!parse_digits (f[2], strlen (f[2]), 1, 2, &p->v[F_DAY]))
            return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                         _("bad day \"%s\" in \"%s\" (1 or 2 digits)"), f[2], part);
          p->given[F_DAY] = TRUE;
        }
      return TRUE;
    }
  if (n == 3)
    return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                 _("bad year \"%s\" in \"%s\" (4 digits)"), f[0], part);
  if (!parse_month (f[0], strlen (f[0]), &p->v[F_MON]))
    return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                 _("bad date \"%s\" in \"%s\": a year has 4 digits, a month 1 or 2 (or jan … dec)"),
                 f[0], part);
  p->given[F_MON] = TRUE;
  if (n == 2)
    {
      if (!parse_digits (f[1], strlen (f[1]), 1, 2, &p->v[F_DAY]))
        return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                     _("bad day \"%s\" in \"%s\" (1 or 2 digits)"), f[1], part);
      p->given[F_DAY] = TRUE;
    }
  return TRUE;
}

/* TIME: hh[:mm[:ss]] */
static gboolean
parse_time (const char *text, Part *p, const char *part, GError **error)
{
  g_auto(GStrv) f = g_strsplit (text, ":", -1);
  guint n = g_strv_length (f);

  if (n < 1 || n > 3)
    return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                 _("bad time \"%s\" in \"%s\" (hh, hh:mm or hh:mm:ss)"), text, part);
  for (guint i = 0; i < n; i++)
    {
      if (!parse_digits (f[i], strlen (f[i]), 1, 2, &p->v[F_HOUR + i]))
        return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                     _("bad time \"%s\" in \"%s\" (hh, hh:mm or hh:mm:ss, 1 or 2 digits each)"),
                     text, part);
      p->given[F_HOUR + i] = TRUE;
    }
  return TRUE;
}

static gboolean
parse_part (const char *text, Part *p, GError **error)
{
  const char *slash = strchr (text, '/');
  g_autofree char *date = NULL;

  memset (p, 0, sizeof *p);
  date = slash != NULL ? g_strndup (text, slash - text) : g_strdup (text);
  if (*date != '\0' && !parse_date (date, p, text, error))
    return FALSE;
  if (slash != NULL)
    {
      if (!parse_time (slash + 1, p, text, error))
        return FALSE;
      /* A time of day needs the day it belongs to. */
      if ((p->given[F_YEAR] || p->given[F_MON]) && !p->given[F_DAY])
        return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                     _("\"%s\": a time needs a day (YYYY.MM.DD/…, MM.DD/…, .DD/… or /… for today)"),
                     text);
    }
  return TRUE;
}

static void
tm_to_fields (const ipa_tm *tm, int v[F_N])
{
  v[F_YEAR] = tm->tm_year;
  v[F_MON] = tm->tm_mon;
  v[F_DAY] = tm->tm_mday;
  v[F_HOUR] = tm->tm_hour;
  v[F_MIN] = tm->tm_min;
  v[F_SEC] = tm->tm_sec;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static gint64
days_from_civil (int y, int m, int d)
{
  gint64 era;
  int yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (int) (y - era * 400);
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void
ipastat_tm_complete (ipa_tm *tm)
{
  gint64 days = days_from_civil (tm->tm_year, tm->tm_mon, tm->tm_mday);

  /* 1970-01-01 was a Thursday (4). */
  tm->tm_wday = (int) (((days % 7) + 11) % 7);
  tm->tm_yday = (int) (days - days_from_civil (tm->tm_year, 1, 1));
  tm->tm_isdst = -1;
}

static const char *const field_names[F_N] = {
  N_("year"), N_("month"), N_("day"), N_("hour"), N_("minute"), N_("second")
};

/* Fields before the first given one come from @base; those after the last
 * given one are the first (or, for @end, the last) of their unit. */
static gboolean
expand (const Part *p, const ipa_tm *base, gboolean end, const char *text,
        ipa_tm *out, GError **error)
{
  int v[F_N], b[F_N];
  int first = -1, last = -1;

  tm_to_fields (base, b);
  for (int i = 0; i < F_N; i++)
    if (p->given[i])
      {
        if (first < 0)
          first = i;
        last = i;
      }
  g_assert (first >= 0);
  for (int i = 0; i < F_N; i++)
    {
      if (i < first)
        v[i] = b[i];
      else if (i <= last)
        v[i] = p->v[i];
      else
        v[i] = 0; /* filled below, once year and month are known */
    }

  /* Ranges of the given fields. */
  if (p->given[F_MON] && (v[F_MON] < 1 || v[F_MON] > 12))
    return fail (error, IPASTAT_INTERVAL_ERROR_RANGE,
                 _("\"%s\": there is no month %d"), text, v[F_MON]);
  if (p->given[F_HOUR] && v[F_HOUR] == 24)
    {
      if (!end || (p->given[F_MIN] && v[F_MIN] != 0) ||
          (p->given[F_SEC] && v[F_SEC] != 0))
        return fail (error, IPASTAT_INTERVAL_ERROR_RANGE,
                     _("\"%s\": 24:00:00 is allowed only as the end of an interval"),
                     text);
      /* The end of the day: its last second. */
      v[F_HOUR] = 23;
      v[F_MIN] = 59;
      v[F_SEC] = 59;
      last = F_SEC;
    }
  for (int i = F_HOUR; i <= last; i++)
    if (p->given[i] && (v[i] < 0 || v[i] > (i == F_HOUR ? 23 : 59)))
      return fail (error, IPASTAT_INTERVAL_ERROR_RANGE,
                   _("\"%s\": %d is not a valid %s"), text, v[i],
                   _(field_names[i]));

  for (int i = last + 1; i < F_N; i++)
    switch (i)
      {
      case F_MON:
        v[i] = end ? 12 : 1;
        break;
      case F_DAY:
        v[i] = end ? ipastat_days_in_month (v[F_YEAR], v[F_MON]) : 1;
        break;
      case F_HOUR:
        v[i] = end ? 23 : 0;
        break;
      default:
        v[i] = end ? 59 : 0;
        break;
      }
  if (v[F_YEAR] < 1 || v[F_YEAR] > 9999)
    return fail (error, IPASTAT_INTERVAL_ERROR_RANGE,
                 _("\"%s\": year %d is out of range"), text, v[F_YEAR]);
  if (v[F_DAY] < 1 || v[F_DAY] > ipastat_days_in_month (v[F_YEAR], v[F_MON]))
    return fail (error, IPASTAT_INTERVAL_ERROR_RANGE,
                 _("\"%s\": there is no day %d in %04d.%02d"), text, v[F_DAY],
                 v[F_YEAR], v[F_MON]);

  memset (out, 0, sizeof *out);
  out->tm_year = v[F_YEAR];
  out->tm_mon = v[F_MON];
  out->tm_mday = v[F_DAY];
  out->tm_hour = v[F_HOUR];
  out->tm_min = v[F_MIN];
  out->tm_sec = v[F_SEC];
  ipastat_tm_complete (out);
  return TRUE;
}

int
ipastat_tm_compare (const ipa_tm *a, const ipa_tm *b)
{
  int va[F_N], vb[F_N];

  tm_to_fields (a, va);
  tm_to_fields (b, vb);
  for (int i = 0; i < F_N; i++)
    if (va[i] != vb[i])
      return va[i] < vb[i] ? -1 : 1;
  return 0;
}

static void
now_to_ipa_tm (const struct tm *now, ipa_tm *out)
{
  *out = *now;
  out->tm_year = now->tm_year + 1900;
  out->tm_mon = now->tm_mon + 1;
}

gboolean
ipastat_interval_parse (const char *text, const struct tm *now,
                        IpastatInterval *interval, GError **error)
{
  const char *dash;
  g_autofree char *left_text = NULL;
  const char *right_text;
  ipa_tm base;
  Part left, right;
  IpastatInterval iv;

  g_return_val_if_fail (text != NULL && now != NULL && interval != NULL, FALSE);

  dash = strchr (text, '-');
  if (dash != NULL && strchr (dash + 1, '-') != NULL)
    return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                 _("bad interval \"%s\": more than one '-'"), text);
  left_text = dash != NULL ? g_strndup (text, dash - text) : g_strdup (text);
  right_text = dash != NULL ? dash + 1 : left_text;

  if (*left_text == '\0' || *right_text == '\0')
    return fail (error, IPASTAT_INTERVAL_ERROR_SYNTAX,
                 _("bad interval \"%s\": a part before or after '-' is empty"),
                 text);
  now_to_ipa_tm (now, &base);
  if (!parse_part (left_text, &left, error) ||
      !parse_part (right_text, &right, error))
    return FALSE;
  if (!expand (&left, &base, FALSE, left_text, &iv.from, error) ||
      !expand (&right, &iv.from, TRUE, right_text, &iv.to, error))
    return FALSE;
  if (ipastat_tm_compare (&iv.to, &iv.from) < 0)
    {
      g_autoptr(GString) a = g_string_new (NULL);
      g_autoptr(GString) b = g_string_new (NULL);

      ipastat_tm_format (a, &iv.from);
      ipastat_tm_format (b, &iv.to);
      return fail (error, IPASTAT_INTERVAL_ERROR_ORDER,
                   _("bad interval \"%s\": its end %s is before its start %s"),
                   text, b->str, a->str);
    }
  *interval = iv;
  return TRUE;
}

void
ipastat_interval_current_month (const struct tm *now, IpastatInterval *interval)
{
  ipa_tm n;

  now_to_ipa_tm (now, &n);
  memset (interval, 0, sizeof *interval);
  interval->from.tm_year = interval->to.tm_year = n.tm_year;
  interval->from.tm_mon = interval->to.tm_mon = n.tm_mon;
  interval->from.tm_mday = 1;
  interval->to.tm_mday = ipastat_days_in_month (n.tm_year, n.tm_mon);
  interval->to.tm_hour = 23;
  interval->to.tm_min = 59;
  interval->to.tm_sec = 59;
  ipastat_tm_complete (&interval->from);
  ipastat_tm_complete (&interval->to);
}

void
ipastat_tm_format (GString *out, const ipa_tm *tm)
{
  g_string_append_printf (out, "%04d.%02d.%02d/%02d:%02d:%02d",
                          tm->tm_year, tm->tm_mon, tm->tm_mday,
                          tm->tm_hour, tm->tm_min, tm->tm_sec);
}

void
ipastat_tm_format_iso (GString *out, const ipa_tm *tm)
{
  g_string_append_printf (out, "%04d-%02d-%02dT%02d:%02d:%02d",
                          tm->tm_year, tm->tm_mon, tm->tm_mday,
                          tm->tm_hour, tm->tm_min, tm->tm_sec);
}
