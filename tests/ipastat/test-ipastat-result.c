/*
 * test-ipastat-result.c: sums of counters beyond 2^64 and the printing of
 * counters in units.
 */
#include "config.h"

#include <glib.h>

#include "ipastat-result.h"

static char *
sum_text (const IpastatSum *s, IpastatUnits units)
{
  GString *out = g_string_new (NULL);

  ipastat_format_counter (out, s, units);
  return g_string_free (out, FALSE);
}

static void
test_sum (void)
{
  IpastatSum s = { 0, 0 };
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  ipastat_sum_add (&s, G_MAXUINT64);
  g_assert_cmpuint (s.hi, ==, 0);
  a = sum_text (&s, IPASTAT_UNITS_RAW);
  g_assert_cmpstr (a, ==, "18446744073709551615");
  ipastat_sum_add (&s, G_MAXUINT64);
  g_assert_cmpuint (s.hi, ==, 1);
  b = sum_text (&s, IPASTAT_UNITS_RAW);
  g_assert_cmpstr (b, ==, "36893488147419103230");
  /* 2^128 - 1, the largest sum. */
  s.hi = G_MAXUINT64;
  s.lo = G_MAXUINT64;
  c = sum_text (&s, IPASTAT_UNITS_RAW);
  g_assert_cmpstr (c, ==, "340282366920938463463374607431768211455");
}

static void
test_block_total (void)
{
  IpastatBlock *b = ipastat_block_new (IPASTAT_BLOCK_RULE_STAT, "fix", "r");
  struct ipa_rule_stat r = { 0 };
  IpastatSum t;

  b->records = g_array_new (FALSE, FALSE, sizeof r);
  t = ipastat_block_total (b);
  g_assert_cmpuint (t.hi, ==, 0);
  g_assert_cmpuint (t.lo, ==, 0);
  for (int i = 0; i < 3; i++)
    {
      r.cnt = G_MAXUINT64 - 1;
      g_array_append_val (b->records, r);
    }
  t = ipastat_block_total (b);
  g_assert_cmpuint (t.hi, ==, 2);
  g_assert_cmpuint (t.lo, ==, G_MAXUINT64 - 5);
  ipastat_block_free (b);
}

static void
test_units (void)
{
  static const struct {
    guint64 hi, lo;
    IpastatUnits units;
    const char *text;
  } cases[] = {
    { 0, 0, IPASTAT_UNITS_BYTES, "0 B" },
    { 0, 1023, IPASTAT_UNITS_BYTES, "1023 B" },
    { 0, 1024, IPASTAT_UNITS_BYTES, "1.00 KiB" },
    { 0, 1536, IPASTAT_UNITS_BYTES, "1.50 KiB" },
    { 0, 1029, IPASTAT_UNITS_BYTES, "1.00 KiB" },      /* 1.0049 */
    { 0, 1030, IPASTAT_UNITS_BYTES, "1.01 KiB" },      /* 1.0059 */
    /* Rounding up to the next unit: 1023.999 KiB. */
    { 0, 1048575, IPASTAT_UNITS_BYTES, "1.00 MiB" },
    { 0, 1073741824, IPASTAT_UNITS_BYTES, "1.00 GiB" },
    { 0, 1610612736, IPASTAT_UNITS_BYTES, "1.50 GiB" },
    { 0, G_GUINT64_CONSTANT (1099511627776) * 5 / 4, IPASTAT_UNITS_BYTES, "1.25 TiB" },
    { 0, G_MAXUINT64, IPASTAT_UNITS_BYTES, "16.00 EiB" },
    { 1, G_MAXUINT64 - 1, IPASTAT_UNITS_BYTES, "32.00 EiB" },
    { 64, 0, IPASTAT_UNITS_BYTES, "1.00 ZiB" },
    { G_MAXUINT64, G_MAXUINT64, IPASTAT_UNITS_BYTES, "288230376151711744.00 ZiB" },
    { 0, 0, IPASTAT_UNITS_TIME, "0s" },
    { 0, 90061, IPASTAT_UNITS_TIME, "1D 1h 1m 1s" },
    { 0, 3600, IPASTAT_UNITS_TIME, "1h" },
    { 0, 694861, IPASTAT_UNITS_TIME, "1W 1D 1h 1m 1s" },
    { 1, 0, IPASTAT_UNITS_TIME, "18446744073709551616s" },
    { 0, 42, IPASTAT_UNITS_RAW, "42" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      IpastatSum s = { cases[i].hi, cases[i].lo };
      g_autofree char *t = sum_text (&s, cases[i].units);

      g_assert_cmpstr (t, ==, cases[i].text);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ipastat/result/sum", test_sum);
  g_test_add_func ("/ipastat/result/block-total", test_block_total);
  g_test_add_func ("/ipastat/result/units", test_units);
  return g_test_run ();
}
