/*
 * test-ipastat-interval.c: the interval syntax of ipastat -i: every
 * abbreviation, month ends, leap days, DST days (wall-clock only), 24:00,
 * and the errors.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "ipastat-interval.h"

/* "Now" of the tests: Friday 2024-03-15 10:20:30. */
static struct tm
make_now (int year, int mon, int mday)
{
  struct tm now = { 0 };

  now.tm_year = year - 1900;
  now.tm_mon = mon - 1;
  now.tm_mday = mday;
  now.tm_hour = 10;
  now.tm_min = 20;
  now.tm_sec = 30;
  return now;
}

static char *
text (const ipa_tm *tm)
{
  GString *s = g_string_new (NULL);

  ipastat_tm_format (s, tm);
  return g_string_free (s, FALSE);
}

typedef struct {
  const char *in;
  const char *from;
  const char *to;
} Good;

static const Good good[] = {
  /* The abbreviations. */
  { "2024", "2024.01.01/00:00:00", "2024.12.31/23:59:59" },
  { "1999.11", "1999.11.01/00:00:00", "1999.11.30/23:59:59" },
  { "5", "2024.05.01/00:00:00", "2024.05.31/23:59:59" },
  { "12.8", "2024.12.08/00:00:00", "2024.12.08/23:59:59" },
  { ".19", "2024.03.19/00:00:00", "2024.03.19/23:59:59" },
  { "/12", "2024.03.15/12:00:00", "2024.03.15/12:59:59" },
  { "/10:31", "2024.03.15/10:31:00", "2024.03.15/10:31:59" },
  { "/9:11:01", "2024.03.15/09:11:01", "2024.03.15/09:11:01" },
  { "2024.3.5/7", "2024.03.05/07:00:00", "2024.03.05/07:59:59" },
  /* Month ends and leap years. */
  { "2024.2", "2024.02.01/00:00:00", "2024.02.29/23:59:59" },
  { "2023.2", "2023.02.01/00:00:00", "2023.02.28/23:59:59" },
  { "2000.2", "2000.02.01/00:00:00", "2000.02.29/23:59:59" },
  { "2100.2", "2100.02.01/00:00:00", "2100.02.28/23:59:59" },
  { "2024.02.29", "2024.02.29/00:00:00", "2024.02.29/23:59:59" },
  { "2024.4", "2024.04.01/00:00:00", "2024.04.30/23:59:59" },
  { "2024.12", "2024.12.01/00:00:00", "2024.12.31/23:59:59" },
  { "2024.1.31-2024.2.1", "2024.01.31/00:00:00", "2024.02.01/23:59:59" },
  { "2023.12.31/23:59:59-2024.01.01", "2023.12.31/23:59:59", "2024.01.01/23:59:59" },
  /* Right parts take missing leading fields from the left part. */
  { "2011.3-5", "2011.03.01/00:00:00", "2011.05.31/23:59:59" },
  { "2011.3-2011.5", "2011.03.01/00:00:00", "2011.05.31/23:59:59" },
  { ".1-.15", "2024.03.01/00:00:00", "2024.03.15/23:59:59" },
  { "/8-/20", "2024.03.15/08:00:00", "2024.03.15/20:59:59" },
  { "2011.02.28/23:00-2011.03.01/01:00", "2011.02.28/23:00:00", "2011.03.01/01:00:59" },
  { "2024.01.30/10-/12", "2024.01.30/10:00:00", "2024.01.30/12:59:59" },
  { "2011-.15", "2011.01.01/00:00:00", "2011.01.15/23:59:59" },
  /* Month names, in any case. */
  { "sep.21-nov", "2024.09.21/00:00:00", "2024.11.30/23:59:59" },
  { "2001.SEP", "2001.09.01/00:00:00", "2001.09.30/23:59:59" },
  { "Feb", "2024.02.01/00:00:00", "2024.02.29/23:59:59" },
  /* 24:00 ends a day. */
  { "2024.01.31-/24", "2024.01.31/00:00:00", "2024.01.31/23:59:59" },
  { "/8-/24:00", "2024.03.15/08:00:00", "2024.03.15/23:59:59" },
  { "/8-/24:00:00", "2024.03.15/08:00:00", "2024.03.15/23:59:59" },
  /* DST days of Europe/Kyiv are wall-clock days like any other: 03:00 of
   * 2024-03-31 does not exist there, 03:30 of 2024-10-27 happens twice. */
  { "2024.03.31/02-/04", "2024.03.31/02:00:00", "2024.03.31/04:59:59" },
  { "2024.03.31/03:30", "2024.03.31/03:30:00", "2024.03.31/03:30:59" },
  { "2024.10.27", "2024.10.27/00:00:00", "2024.10.27/23:59:59" },
};

static void
test_good (void)
{
  struct tm now = make_now (2024, 3, 15);

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;
      IpastatInterval iv;
      gboolean ok = ipastat_interval_parse (good[i].in, &now, &iv, &error);

      g_test_message ("%s", good[i].in);
      g_assert_no_error (error);
      g_assert_true (ok);
      from = text (&iv.from);
      to = text (&iv.to);
      g_assert_cmpstr (from, ==, good[i].from);
      g_assert_cmpstr (to, ==, good[i].to);
      /* Dates for modules: real year, month 1..12, weekday filled in. */
      g_assert_cmpint (iv.from.tm_isdst, ==, -1);
      g_assert_cmpint (iv.to.tm_wday, >=, 0);
      g_assert_cmpint (iv.to.tm_wday, <=, 6);
    }
}

typedef struct {
  const char *in;
  IpastatIntervalError code;
} Bad;

static const Bad bad[] = {
  { "", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "-", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "2024-", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "-2024", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "2024-2025-2026", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "123", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "12345", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "abc", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "2024.1.2.3", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "2024..3", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "2024.1/10", IPASTAT_INTERVAL_ERROR_SYNTAX },   /* a time needs a day */
  { "2024/10", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "/", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "/1:2:3:4", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "/123", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "5.6.7", IPASTAT_INTERVAL_ERROR_SYNTAX },
  { "2024.13", IPASTAT_INTERVAL_ERROR_RANGE },
  { "0", IPASTAT_INTERVAL_ERROR_RANGE },
  { "2023.02.29", IPASTAT_INTERVAL_ERROR_RANGE },
  { "2024.4.31", IPASTAT_INTERVAL_ERROR_RANGE },
  { "2024.1.0", IPASTAT_INTERVAL_ERROR_RANGE },
  { "2024.1.1/25", IPASTAT_INTERVAL_ERROR_RANGE },
  { "2024.1.1/10:60", IPASTAT_INTERVAL_ERROR_RANGE },
  { "2024.1.1/10:00:60", IPASTAT_INTERVAL_ERROR_RANGE },
  { "/24", IPASTAT_INTERVAL_ERROR_RANGE },           /* 24:00 only as an end */
  { "/8-/24:01", IPASTAT_INTERVAL_ERROR_RANGE },
  { "0000", IPASTAT_INTERVAL_ERROR_RANGE },
  { "2024.03.10-2024.03.09", IPASTAT_INTERVAL_ERROR_ORDER },
  { "/12-/11", IPASTAT_INTERVAL_ERROR_ORDER },
  { "2024.3-2", IPASTAT_INTERVAL_ERROR_ORDER },
};

static void
test_bad (void)
{
  struct tm now = make_now (2024, 3, 15);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      IpastatInterval iv;

      g_test_message ("%s", bad[i].in);
      g_assert_false (ipastat_interval_parse (bad[i].in, &now, &iv, &error));
      g_assert_error (error, IPASTAT_INTERVAL_ERROR, (gint) bad[i].code);
      /* Messages name what was written. */
      if (*bad[i].in != '\0' && strcmp (bad[i].in, "-") != 0)
        g_assert_nonnull (strstr (error->message, "\""));
    }
}

/* Fields taken from now depend on the month: the 31st of April is not. */
static void
test_relative_to_now (void)
{
  struct tm april = make_now (2024, 4, 10);
  struct tm feb = make_now (2023, 2, 10);
  g_autoptr(GError) error = NULL;
  IpastatInterval iv;

  g_assert_false (ipastat_interval_parse (".31", &april, &iv, &error));
  g_assert_error (error, IPASTAT_INTERVAL_ERROR, IPASTAT_INTERVAL_ERROR_RANGE);
  g_clear_error (&error);
  g_assert_false (ipastat_interval_parse ("2.29", &feb, &iv, &error));
  g_assert_error (error, IPASTAT_INTERVAL_ERROR, IPASTAT_INTERVAL_ERROR_RANGE);
  g_clear_error (&error);
  g_assert_true (ipastat_interval_parse (".30", &april, &iv, &error));
  g_assert_cmpint (iv.to.tm_mon, ==, 4);
}

static void
test_current_month (void)
{
  static const struct { int y, m; const char *from, *to; } cases[] = {
    { 2024, 2, "2024.02.01/00:00:00", "2024.02.29/23:59:59" },
    { 2023, 2, "2023.02.01/00:00:00", "2023.02.28/23:59:59" },
    { 2024, 12, "2024.12.01/00:00:00", "2024.12.31/23:59:59" },
    { 2024, 4, "2024.04.01/00:00:00", "2024.04.30/23:59:59" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      struct tm now = make_now (cases[i].y, cases[i].m, 10);
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;
      IpastatInterval iv;

      ipastat_interval_current_month (&now, &iv);
      from = text (&iv.from);
      to = text (&iv.to);
      g_assert_cmpstr (from, ==, cases[i].from);
      g_assert_cmpstr (to, ==, cases[i].to);
    }
}

static void
test_calendar (void)
{
  static const struct { int y, m, d, wday, yday; } days[] = {
    { 1970, 1, 1, 4, 0 },
    { 2000, 1, 1, 6, 0 },
    { 2000, 12, 31, 0, 365 },
    { 2024, 2, 29, 4, 59 },
    { 2024, 3, 31, 0, 90 },
    { 2024, 10, 27, 0, 300 },
    { 1969, 12, 31, 3, 364 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (days); i++)
    {
      ipa_tm tm = { 0 };

      tm.tm_year = days[i].y;
      tm.tm_mon = days[i].m;
      tm.tm_mday = days[i].d;
      ipastat_tm_complete (&tm);
      g_assert_cmpint (tm.tm_wday, ==, days[i].wday);
      g_assert_cmpint (tm.tm_yday, ==, days[i].yday);
    }
  g_assert_cmpint (ipastat_days_in_month (2024, 2), ==, 29);
  g_assert_cmpint (ipastat_days_in_month (1900, 2), ==, 28);
  g_assert_cmpint (ipastat_days_in_month (2024, 9), ==, 30);
  g_assert_cmpint (ipastat_days_in_month (2024, 8), ==, 31);
}

static void
test_format (void)
{
  ipa_tm tm = { 0 };
  g_autoptr(GString) a = g_string_new (NULL);
  g_autoptr(GString) b = g_string_new (NULL);
  ipa_tm later;

  tm.tm_year = 2024;
  tm.tm_mon = 3;
  tm.tm_mday = 1;
  tm.tm_hour = 4;
  tm.tm_min = 5;
  tm.tm_sec = 6;
  ipastat_tm_format (a, &tm);
  ipastat_tm_format_iso (b, &tm);
  g_assert_cmpstr (a->str, ==, "2024.03.01/04:05:06");
  g_assert_cmpstr (b->str, ==, "2024-03-01T04:05:06");
  later = tm;
  later.tm_sec++;
  g_assert_cmpint (ipastat_tm_compare (&tm, &later), <, 0);
  g_assert_cmpint (ipastat_tm_compare (&later, &tm), >, 0);
  g_assert_cmpint (ipastat_tm_compare (&tm, &tm), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ipastat/interval/good", test_good);
  g_test_add_func ("/ipastat/interval/bad", test_bad);
  g_test_add_func ("/ipastat/interval/relative-to-now", test_relative_to_now);
  g_test_add_func ("/ipastat/interval/current-month", test_current_month);
  g_test_add_func ("/ipastat/interval/calendar", test_calendar);
  g_test_add_func ("/ipastat/interval/format", test_format);
  return g_test_run ();
}
