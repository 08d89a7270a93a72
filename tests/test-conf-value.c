/* test-conf-value.c: parsing and formatting of configuration values. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipa-conf-value.h"

#define U64_MAX_TEXT "18446744073709551615"

static gboolean
parse (unsigned int type, const char *text, IpaConfValue *v, GError **error)
{
  memset (v, 0, sizeof *v);
  return ipa_conf_value_parse (type, text, v, error);
}

static void
assert_bad (unsigned int type, const char *text)
{
  g_autoptr (GError) error = NULL;
  IpaConfValue v;

  if (parse (type, text, &v, &error))
    g_error ("\"%s\" accepted as %s", text, ipa_conf_type_name (type));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE);
  /* Locations are added by the parser, never here; the message says what
   * was expected or what is wrong. */
  if (strstr (error->message, "expected") == NULL && strstr (error->message, "too large") == NULL
      && strstr (error->message, "must") == NULL && strstr (error->message, "cannot be mixed") == NULL
      && strstr (error->message, "not converted") == NULL)
    g_error ("\"%s\" as %s: unhelpful message \"%s\"", text, ipa_conf_type_name (type),
             error->message);
}

static void
assert_message (unsigned int type, const char *text, const char *message)
{
  g_autoptr (GError) error = NULL;
  IpaConfValue v;

  g_assert_false (parse (type, text, &v, &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE);
  g_assert_cmpstr (error->message, ==, message);
}

/* ---- integers ---------------------------------------------------------- */

static void
test_integers (void)
{
  g_autoptr (GError) error = NULL;
  IpaConfValue v;

  g_assert_true (parse (IPA_CONF_TYPE_INT32, "-2147483648", &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v.type, ==, IPA_CONF_TYPE_INT32);
  g_assert_cmpint (v.u.i32, ==, G_MININT32);
  g_assert_true (parse (IPA_CONF_TYPE_INT32, "+2147483647", &v, NULL));
  g_assert_cmpint (v.u.i32, ==, G_MAXINT32);
  g_assert_true (parse (IPA_CONF_TYPE_INT32, "007", &v, NULL));
  g_assert_cmpint (v.u.i32, ==, 7);
  g_assert_true (parse (IPA_CONF_TYPE_UINT32, "4294967295", &v, NULL));
  g_assert_cmpuint (v.u.u32, ==, G_MAXUINT32);
  g_assert_true (parse (IPA_CONF_TYPE_INT64, "-9223372036854775808", &v, NULL));
  g_assert_cmpint (v.u.i64, ==, G_MININT64);
  g_assert_true (parse (IPA_CONF_TYPE_INT64, "9223372036854775807", &v, NULL));
  g_assert_cmpint (v.u.i64, ==, G_MAXINT64);
  g_assert_true (parse (IPA_CONF_TYPE_UINT64, U64_MAX_TEXT, &v, NULL));
  g_assert_cmpuint (v.u.u64, ==, G_MAXUINT64);
  g_assert_true (parse (IPA_CONF_TYPE_UINT64, "000" U64_MAX_TEXT, &v, NULL));
  g_assert_cmpuint (v.u.u64, ==, G_MAXUINT64);
  g_assert_true (parse (IPA_CONF_TYPE_UINT64, "0", &v, NULL));
  g_assert_cmpuint (v.u.u64, ==, 0);

  assert_bad (IPA_CONF_TYPE_INT32, "2147483648");
  assert_bad (IPA_CONF_TYPE_INT32, "-2147483649");
  assert_bad (IPA_CONF_TYPE_UINT32, "4294967296");
  assert_bad (IPA_CONF_TYPE_UINT32, "-1");
  assert_bad (IPA_CONF_TYPE_UINT32, "+1");
  assert_bad (IPA_CONF_TYPE_INT64, "9223372036854775808");
  assert_bad (IPA_CONF_TYPE_INT64, "-9223372036854775809");
  assert_bad (IPA_CONF_TYPE_UINT64, "18446744073709551616");
  assert_bad (IPA_CONF_TYPE_UINT64, "99999999999999999999999999");
  assert_bad (IPA_CONF_TYPE_INT32, "");
  assert_bad (IPA_CONF_TYPE_INT32, "-");
  assert_bad (IPA_CONF_TYPE_INT32, " 1");
  assert_bad (IPA_CONF_TYPE_INT32, "1 ");
  assert_bad (IPA_CONF_TYPE_INT32, "0x10");
  assert_bad (IPA_CONF_TYPE_UINT64, "1K");
  assert_message (IPA_CONF_TYPE_UINT32, "-1",
                  "bad number \"-1\": expected a decimal integer without sign");
  assert_message (IPA_CONF_TYPE_INT32, "3000000000",
                  "bad number \"3000000000\": out of range, expected -2147483648..2147483647");
}

/* ---- bytes ------------------------------------------------------------- */

static void
test_bytes_parse (void)
{
  static const struct {
    const char *text;
    guint64 value;
  } good[] = {
    { "0", 0 },
    { "0B", 0 },
    { "1024", 1024 },
    { "1B", 1 },
    { "1K", 1024 },
    { "10M", 10485760 },
    { "1G 512M", 1610612736 },
    { "1G512M", 1610612736 },
    { "300K 5B", 307205 },
    { "1T 1G 1M 1K 1B", 1099511627776 + 1073741824 + 1048576 + 1024 + 1 },
    { "2048K", 2097152 },
    { "16777215T 1023G 1023M 1023K 1023B", G_MAXUINT64 },
    { "18446744073709551615B", G_MAXUINT64 },
    { U64_MAX_TEXT, G_MAXUINT64 },
    { "16777215T 1073741823K 1023B", G_MAXUINT64 },
  };
  static const char *const bad[] = {
    "", " ", "B", "K1", "1X", "12X", "1k", "1b", "1 G", "1G 1G", "512M 1G", "1G 5",
    "5 1G", "1GB", "1G-", "-1G", "1.5G", "16777216T", "16777215T 1024G 1023M 1023K 1023B",
    "18446744073709551616B", "99999999999999999999999T", "1G 512M extra", "1s", "\"1G\"",
  };
  IpaConfValue v;

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;

      if (!parse (IPA_CONF_TYPE_BYTES, good[i].text, &v, &error))
        g_error ("\"%s\": %s", good[i].text, error->message);
      g_assert_cmpint (v.type, ==, IPA_CONF_TYPE_BYTES);
      g_assert_cmpuint (v.u.u64, ==, good[i].value);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_bad (IPA_CONF_TYPE_BYTES, bad[i]);

  assert_message (IPA_CONF_TYPE_BYTES, "12X",
                  "bad byte value \"12X\": expected a number followed by B, K, M, G or T");
  assert_message (IPA_CONF_TYPE_BYTES, "512M 1G",
                  "bad byte value \"512M 1G\": units must go from the largest to the "
                  "smallest, each at most once, as in \"1G 512M\"");
  assert_message (IPA_CONF_TYPE_BYTES, "16777216T",
                  "bad byte value \"16777216T\": too large, the maximum is "
                  "18446744073709551615 bytes (2^64-1)");
}

static void
assert_format_bytes (guint64 value, const char *expected)
{
  g_autoptr (GString) s = g_string_new (NULL);

  ipa_conf_format_bytes (s, value);
  g_assert_cmpstr (s->str, ==, expected);
}

static void
assert_bytes_round_trip (guint64 value)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  IpaConfValue v;

  ipa_conf_format_bytes (s, value);
  if (!parse (IPA_CONF_TYPE_BYTES, s->str, &v, &error))
    g_error ("%" G_GUINT64_FORMAT " -> \"%s\": %s", value, s->str, error->message);
  g_assert_cmpuint (v.u.u64, ==, value);
}

static void
test_bytes_format (void)
{
  assert_format_bytes (0, "0B");
  assert_format_bytes (1, "1B");
  assert_format_bytes (1023, "1023B");
  assert_format_bytes (1024, "1K");
  assert_format_bytes (1025, "1K 1B");
  assert_format_bytes (1610612736, "1G 512M");
  assert_format_bytes (G_GUINT64_CONSTANT (1) << 40, "1T");
  assert_format_bytes ((G_GUINT64_CONSTANT (1) << 40) + 5, "1T 5B");
  assert_format_bytes (G_MAXUINT64, "16777215T 1023G 1023M 1023K 1023B");

  for (guint shift = 0; shift < 64; shift++)
    {
      guint64 p = G_GUINT64_CONSTANT (1) << shift;

      assert_bytes_round_trip (p);
      assert_bytes_round_trip (p - 1);
      assert_bytes_round_trip (p + 1);
    }
  assert_bytes_round_trip (G_MAXUINT64);
  for (int i = 0; i < 2000; i++)
    assert_bytes_round_trip (((guint64) g_test_rand_int () << 32) ^ (guint32) g_test_rand_int ());
}

/* ---- time -------------------------------------------------------------- */

static void
test_time_parse (void)
{
  static const struct {
    const char *text;
    guint64 value;
  } good[] = {
    { "0", 0 },
    { "0s", 0 },
    { "90", 90 },
    { "30s", 30 },
    { "1m", 60 },
    { "1h 30m", 5400 },
    { "2h30s", 7230 },
    { "13h3m 134s", 13 * 3600 + 3 * 60 + 134 },
    { "1D", 86400 },
    { "1W 1D 1h 1m 1s", 604800 + 86400 + 3600 + 60 + 1 },
    { "30500568904943W 7h 15s", G_MAXUINT64 },
    { U64_MAX_TEXT "s", G_MAXUINT64 },
  };
  static const char *const bad[] = {
    "", "s", "1x", "1M", "1H", "1d", "1w", "30m 1h", "1h 1h", "1h 5", "1 h",
    "30.5s", "-1s", "1G", "18446744073709551616s", "30500568904944W", "307445734561825861m",
    "30500568904943W 7h 16s",
  };
  IpaConfValue v;

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;

      if (!parse (IPA_CONF_TYPE_TIME, good[i].text, &v, &error))
        g_error ("\"%s\": %s", good[i].text, error->message);
      g_assert_cmpint (v.type, ==, IPA_CONF_TYPE_TIME);
      g_assert_cmpuint (v.u.u64, ==, good[i].value);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_bad (IPA_CONF_TYPE_TIME, bad[i]);
  assert_message (IPA_CONF_TYPE_TIME, "5q",
                  "bad time value \"5q\": expected a number followed by s, m, h, D or W");
}

static void
test_time_format (void)
{
  static const struct {
    guint64 value;
    const char *text;
  } cases[] = {
    { 0, "0s" },
    { 59, "59s" },
    { 60, "1m" },
    { 5400, "1h 30m" },
    { 7230, "2h 30s" },
    { 86400, "1D" },
    { 90061, "1D 1h 1m 1s" },
    { 604800, "1W" },
    { 1209600 + 3600, "2W 1h" },
    { G_MAXUINT64, "30500568904943W 7h 15s" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GString) s = g_string_new (NULL);
      IpaConfValue v;

      ipa_conf_format_time (s, cases[i].value);
      g_assert_cmpstr (s->str, ==, cases[i].text);
      g_assert_true (parse (IPA_CONF_TYPE_TIME, s->str, &v, NULL));
      g_assert_cmpuint (v.u.u64, ==, cases[i].value);
    }
  for (int i = 0; i < 2000; i++)
    {
      g_autoptr (GString) s = g_string_new (NULL);
      guint64 value = i == 0 ? G_MAXUINT64
        : ((guint64) g_test_rand_int () << 32) ^ (guint32) g_test_rand_int ();
      IpaConfValue v;

      ipa_conf_format_time (s, value);
      g_assert_true (parse (IPA_CONF_TYPE_TIME, s->str, &v, NULL));
      g_assert_cmpuint (v.u.u64, ==, value);
    }
}

/* ---- VALUE, percents, booleans ---------------------------------------- */

static void
test_value (void)
{
  static const struct {
    const char *text;
    guint64 kind;
    guint64 value;
    const char *canonical;
  } good[] = {
    { "1G 512M", IPA_CONF_TYPE_BYTES, 1610612736, "1G 512M" },
    { "0B", IPA_CONF_TYPE_BYTES, 0, "0B" },
    { "5M", IPA_CONF_TYPE_BYTES, 5242880, "5M" },
    { "5m", IPA_CONF_TYPE_TIME, 300, "5m" },
    { "1h 30m", IPA_CONF_TYPE_TIME, 5400, "1h 30m" },
    { "0s", IPA_CONF_TYPE_TIME, 0, "0s" },
    { "1000", IPA_CONF_TYPE_UINT64, 1000, "1000" },
    { "0", IPA_CONF_TYPE_UINT64, 0, "0" },
    { U64_MAX_TEXT, IPA_CONF_TYPE_UINT64, G_MAXUINT64, U64_MAX_TEXT },
  };
  static const char *const bad[] = {
    "", "x", "1G 30m", "1h 5M", "5 5", "1X", "5M 1G", "-5", "18446744073709551616",
    "16777216T", "1%",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GString) s = g_string_new (NULL);
      IpaConfValue v;

      if (!parse (IPA_CONF_TYPE_VALUE, good[i].text, &v, &error))
        g_error ("\"%s\": %s", good[i].text, error->message);
      g_assert_cmpint (v.type, ==, IPA_CONF_TYPE_VALUE);
      g_assert_cmpuint (v.u.value.kind, ==, good[i].kind);
      g_assert_cmpuint (v.u.value.value, ==, good[i].value);
      ipa_conf_format_value (s, v.u.value.value, (unsigned int) v.u.value.kind);
      g_assert_cmpstr (s->str, ==, good[i].canonical);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_bad (IPA_CONF_TYPE_VALUE, bad[i]);
  assert_message (IPA_CONF_TYPE_VALUE, "1G 30m",
                  "bad value \"1G 30m\": byte units (B, K, M, G, T) and time units "
                  "(s, m, h, D, W) cannot be mixed");

  /* An unknown kind prints as a plain number. */
  {
    g_autoptr (GString) s = g_string_new (NULL);

    ipa_conf_format_value (s, 42, 999);
    g_assert_cmpstr (s->str, ==, "42");
  }
}

static void
test_per_cent_boolean (void)
{
  g_autoptr (GString) s = g_string_new (NULL);
  IpaConfValue v;

  g_assert_true (parse (IPA_CONF_TYPE_PER_CENT, "0%", &v, NULL));
  g_assert_cmpuint (v.u.per_cent, ==, 0);
  g_assert_true (parse (IPA_CONF_TYPE_PER_CENT, "100%", &v, NULL));
  g_assert_cmpuint (v.u.per_cent, ==, 100);
  g_assert_true (parse (IPA_CONF_TYPE_PER_CENT, "007%", &v, NULL));
  g_assert_cmpuint (v.u.per_cent, ==, 7);
  assert_bad (IPA_CONF_TYPE_PER_CENT, "101%");
  assert_bad (IPA_CONF_TYPE_PER_CENT, "50");
  assert_bad (IPA_CONF_TYPE_PER_CENT, "50 %");
  assert_bad (IPA_CONF_TYPE_PER_CENT, "%");
  assert_bad (IPA_CONF_TYPE_PER_CENT, "-5%");
  assert_bad (IPA_CONF_TYPE_PER_CENT, "5%%");
  assert_bad (IPA_CONF_TYPE_PER_CENT, "99999999999999999999999%");
  ipa_conf_format_per_cent (s, 42);
  g_assert_cmpstr (s->str, ==, "42%");

  g_assert_true (parse (IPA_CONF_TYPE_BOOLEAN, "yes", &v, NULL));
  g_assert_cmpint (v.u.boolean, ==, 1);
  g_assert_true (parse (IPA_CONF_TYPE_BOOLEAN, "no", &v, NULL));
  g_assert_cmpint (v.u.boolean, ==, 0);
  assert_bad (IPA_CONF_TYPE_BOOLEAN, "Yes");
  assert_bad (IPA_CONF_TYPE_BOOLEAN, "YES");
  assert_bad (IPA_CONF_TYPE_BOOLEAN, "true");
  assert_bad (IPA_CONF_TYPE_BOOLEAN, "1");
  assert_bad (IPA_CONF_TYPE_BOOLEAN, "");
  assert_message (IPA_CONF_TYPE_BOOLEAN, "on", "bad boolean \"on\": expected yes or no");
  g_string_truncate (s, 0);
  ipa_conf_format_boolean (s, 1);
  ipa_conf_format_boolean (s, 0);
  ipa_conf_format_boolean (s, 42);
  g_assert_cmpstr (s->str, ==, "yesnoyes");

  /* MISC is passed through; STRING and unknown types are not values. */
  g_assert_true (parse (IPA_CONF_TYPE_MISC, "a b c", &v, NULL));
  g_assert_cmpstr (v.u.str, ==, "a b c");
  assert_bad (IPA_CONF_TYPE_STRING, "x");
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (parse (12345, "1", &v, &error));
    g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE);
  }
}

static void
test_error_quoting (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *longtext = g_strnfill (500, '7');
  IpaConfValue v;

  /* Odd characters are escaped and long arguments are shortened. */
  g_assert_false (parse (IPA_CONF_TYPE_BOOLEAN, "a\"b\n", &v, &error));
  g_assert_cmpstr (error->message, ==, "bad boolean \"a\\\"b\\n\": expected yes or no");
  g_clear_error (&error);
  g_assert_false (parse (IPA_CONF_TYPE_BYTES, longtext, &v, &error));
  g_assert_cmpuint (strlen (error->message), <, 200);
  g_assert_nonnull (strstr (error->message, "...\""));
}

/* ---- strings ----------------------------------------------------------- */

static void
test_string_format (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "", "\"\"" },
    { "plain", "\"plain\"" },
    { "a\tb", "\"a\\tb\"" },
    { "line\nnext", "\"line\\nnext\"" },
    { "back\\slash", "\"back\\\\slash\"" },
    { "say \"hi\"", "\"say \\\"hi\\\"\"" },
    { "${b}", "\"${$}{b}\"" },
    { "$HOME $ $$ ${", "\"$HOME $ $$ ${$}{\"" },
    { "cost: 5$", "\"cost: 5$\"" },
    { "$${x}", "\"$${$}{x}\"" },
    { "# not /* a comment */", "\"# not /* a comment */\"" },
    { "\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2", "\"\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2\"" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GString) s = g_string_new (NULL);

      ipa_conf_format_string (s, cases[i].in);
      g_assert_cmpstr (s->str, ==, cases[i].out);
    }
  {
    g_autoptr (GString) s = g_string_new (NULL);

    ipa_conf_format_string (s, NULL);
    g_assert_cmpstr (s->str, ==, "\"\"");
  }
}

/* ---- worktime ---------------------------------------------------------- */

static IpaWorktime *
wt_parse (const char *text)
{
  g_autoptr (GError) error = NULL;
  IpaWorktime *wt = ipa_worktime_parse (text, &error);

  if (wt == NULL)
    g_error ("worktime \"%s\": %s", text, error->message);
  return wt;
}

static char *
wt_format (const IpaWorktime *wt)
{
  GString *s = g_string_new (NULL);

  ipa_worktime_format (s, wt);
  return g_string_free (s, FALSE);
}

static void
test_worktime_parse (void)
{
  static const struct {
    const char *text;
    const char *canonical;
  } good[] = {
    { "M 08:00-18:00 T * H 08:00-14:30 18:20-21:00",
      "M 08:00-18:00 T * H 08:00-14:30 18:20-21:00" },
    { "A * S *", "S * A *" },
    { "M 00:00-24:00", "M *" },
    { "M 8:00-9:30", "M 08:00-09:30" },
    { "F 00:00-23:59", "F 00:00-23:59" },
    { "W 08:00-12:00 12:00-18:00", "W 08:00-18:00" },
    { "H 23:00-24:00", "H 23:00-24:00" },
    { "S 00:00-00:01 M 23:59-24:00", "S 00:00-00:01 M 23:59-24:00" },
    { "  M  *  ", "M *" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (IpaWorktime) wt = wt_parse (good[i].text);
      g_autoptr (IpaWorktime) again = NULL;
      g_autoptr (IpaWorktime) copy = ipa_worktime_copy (wt);
      g_autofree char *text = wt_format (wt);

      g_assert_cmpstr (text, ==, good[i].canonical);
      again = wt_parse (text);
      g_assert_true (ipa_worktime_equal (wt, again));
      g_assert_true (ipa_worktime_equal (wt, copy));
    }

  {
    g_autoptr (IpaWorktime) a = wt_parse ("T *");
    g_autoptr (IpaWorktime) b = wt_parse ("T 00:00-24:00");
    g_autoptr (IpaWorktime) c = wt_parse ("T 00:00-23:59");
    IpaWorktime empty = { { 0 }, { NULL } };

    g_assert_true (ipa_worktime_equal (a, b));
    g_assert_false (ipa_worktime_equal (a, c));
    g_assert_false (ipa_worktime_equal (a, NULL));
    g_assert_true (ipa_worktime_equal (NULL, &empty));
    g_assert_cmpuint (a->n_intervals[2], ==, 1);
    g_assert_cmpuint (a->intervals[2][0].start, ==, 0);
    g_assert_cmpuint (a->intervals[2][0].end, ==, 1440);
  }
}

static void
assert_worktime_error (const char *text, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (IpaWorktime) wt = ipa_worktime_parse (text, &error);

  if (wt != NULL)
    g_error ("worktime \"%s\" accepted", text);
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE);
  if (strstr (error->message, fragment) == NULL)
    g_error ("worktime \"%s\": \"%s\" lacks \"%s\"", text, error->message, fragment);
}

static void
test_worktime_errors (void)
{
  assert_worktime_error ("", "expected a day letter");
  assert_worktime_error ("M", "day M has no time intervals");
  assert_worktime_error ("M T *", "day M has no time intervals");
  assert_worktime_error ("M * M *", "day M appears more than once");
  assert_worktime_error ("08:00-09:00", "must come before");
  assert_worktime_error ("* M *", "must come before");
  assert_worktime_error ("M 18:00-08:00", "interval 18:00-08:00 of day M is empty");
  assert_worktime_error ("M 08:00-08:00", "is empty");
  assert_worktime_error ("M 00:00-00:00", "is empty");
  assert_worktime_error ("M 10:00-12:00 09:00-10:00", "ascending order");
  assert_worktime_error ("M 10:00-12:00 11:00-13:00", "must not overlap");
  assert_worktime_error ("M * 08:00-09:00", "must not overlap");
  assert_worktime_error ("M 24:00-24:00", "\"24:00-24:00\" is not");
  assert_worktime_error ("M 08:00-24:01", "is not a day letter");
  assert_worktime_error ("M 25:00-26:00", "is not a day letter");
  assert_worktime_error ("M 08:60-09:00", "is not a day letter");
  assert_worktime_error ("M 8-9", "is not a day letter");
  assert_worktime_error ("M 08:00 - 09:00", "is not a day letter");
  assert_worktime_error ("M 08:00-09:00x", "is not a day letter");
  assert_worktime_error ("X *", "\"X\" is not a day letter");
  assert_worktime_error ("m *", "is not a day letter");
  assert_worktime_error ("MT *", "is not a day letter");
  assert_worktime_error ("M **", "is not a day letter");
  assert_worktime_error ("M 123:00-124:00", "is not a day letter");
  assert_worktime_error ("M 08:0-09:00", "is not a day letter");
}

static struct tm
wt_tm (int wday, int hour, int min)
{
  struct tm tm = { 0 };

  tm.tm_wday = wday;
  tm.tm_hour = hour;
  tm.tm_min = min;
  return tm;
}

static void
test_worktime_active (void)
{
  g_autoptr (IpaWorktime) wt = wt_parse ("M 09:00-18:00");
  g_autoptr (IpaWorktime) full = wt_parse ("T *");
  g_autoptr (IpaWorktime) all = wt_parse ("S * M * T * W * H * F * A *");
  IpaWorktime empty = { { 0 }, { NULL } };
  struct tm tm;
  int minutes = -1;

  tm = wt_tm (1, 8, 59);
  g_assert_false (ipa_worktime_is_active (wt, &tm));
  g_assert_true (ipa_worktime_next_change (wt, &tm, &minutes));
  g_assert_cmpint (minutes, ==, 1);
  tm = wt_tm (1, 9, 0);
  g_assert_true (ipa_worktime_is_active (wt, &tm));
  g_assert_true (ipa_worktime_next_change (wt, &tm, &minutes));
  g_assert_cmpint (minutes, ==, 9 * 60);
  tm = wt_tm (1, 17, 59);
  g_assert_true (ipa_worktime_is_active (wt, &tm));
  tm = wt_tm (1, 18, 0);
  g_assert_false (ipa_worktime_is_active (wt, &tm));
  /* From Monday 18:00 to next Monday 09:00. */
  g_assert_true (ipa_worktime_next_change (wt, &tm, &minutes));
  g_assert_cmpint (minutes, ==, 7 * 1440 - 9 * 60);
  tm = wt_tm (2, 12, 0);
  g_assert_false (ipa_worktime_is_active (wt, &tm));
  g_assert_true (ipa_worktime_next_change (wt, &tm, &minutes));
  g_assert_cmpint (minutes, ==, 6 * 1440 - 3 * 60);

  /* A whole day: changes at midnight. */
  tm = wt_tm (1, 23, 30);
  g_assert_false (ipa_worktime_is_active (full, &tm));
  g_assert_true (ipa_worktime_next_change (full, &tm, &minutes));
  g_assert_cmpint (minutes, ==, 30);
  tm = wt_tm (2, 0, 0);
  g_assert_true (ipa_worktime_is_active (full, &tm));
  g_assert_true (ipa_worktime_next_change (full, &tm, &minutes));
  g_assert_cmpint (minutes, ==, 1440);
  tm = wt_tm (2, 23, 59);
  g_assert_true (ipa_worktime_is_active (full, &tm));

  /* Never changing, NULL and empty: always active, no change. */
  minutes = -1;
  tm = wt_tm (3, 3, 3);
  g_assert_true (ipa_worktime_is_active (all, &tm));
  g_assert_false (ipa_worktime_next_change (all, &tm, &minutes));
  g_assert_true (ipa_worktime_is_active (NULL, &tm));
  g_assert_false (ipa_worktime_next_change (NULL, &tm, &minutes));
  g_assert_true (ipa_worktime_is_active (&empty, &tm));
  g_assert_false (ipa_worktime_next_change (&empty, &tm, &minutes));
  g_assert_cmpint (minutes, ==, -1);

  /* Out-of-range fields of a hand-made struct tm do not crash. */
  tm = wt_tm (-8, 99, -5);
  (void) ipa_worktime_is_active (wt, &tm);
  (void) ipa_worktime_next_change (wt, &tm, &minutes);
}

/* The brute-force definition of the next change, minute by minute. */
static void
test_worktime_next_change_exhaustive (void)
{
  static const char *const texts[] = {
    "M 09:00-18:00",
    "M 08:00-18:00 T * H 08:00-14:30 18:20-21:00",
    "S 00:00-00:01 A 23:59-24:00",
    "F 22:00-24:00 A 00:00-02:00",
    "W 00:00-01:00 10:00-11:00 23:00-24:00",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (IpaWorktime) wt = wt_parse (texts[i]);

      for (int start = 0; start < 7 * 1440; start += 7)
        {
          struct tm tm = wt_tm (start / 1440, start % 1440 / 60, start % 60);
          gboolean state = ipa_worktime_is_active (wt, &tm);
          int expected = -1, got = -1;

          for (int m = start + 1; m <= start + 8 * 1440; m++)
            {
              struct tm t2 = wt_tm (m / 1440 % 7, m % 1440 / 60, m % 60);

              if (ipa_worktime_is_active (wt, &t2) != state)
                {
                  expected = m - start;
                  break;
                }
            }
          if (!ipa_worktime_next_change (wt, &tm, &got))
            got = -1;
          g_assert_cmpint (got, ==, expected);
        }
    }
}

/* ---- time points ------------------------------------------------------- */

static void
test_time_point_parse (void)
{
  static const struct {
    const char *text;
    const char *canonical;
  } good[] = {
    { "+M", "+M" },
    { "+m", "+m" },
    { "+h", "+h" },
    { "+W", "+W" },
    { "+D 2h", "+D 2h" },
    { "+D2h", "+D 2h" },
    { "1W +D", "1W +D" },
    { "30m", "30m" },
    { "1W 10h +M", "1W 10h +M" },
    { "+M 1W 10h", "+M 1W 10h" },
    { "8D", "1W 1D" },
    { "1D 24h", "1D 24h" },
    { "90m", "1h 30m" },
    { "1h 1s", "1h 1s" },
    { "0s +D", "0s +D" },
    { "+D +D", "+D +D" },
    { "1h +D 1h", "1h +D 1h" },
    { "36525D", "5217W 6D" },
    { "36525D 3155760000s", "5217W 6D 876600h" },
  };
  static const struct {
    const char *text;
    const char *fragment;
  } bad[] = {
    { "", "expected +m" },
    { "+", "expected +m, +h, +D, +W or +M" },
    { "+d", "expected +m, +h, +D, +W or +M" },
    { "+w", "expected +m, +h, +D, +W or +M" },
    { "+s", "expected +m, +h, +D, +W or +M" },
    { "+MM", "expected +m, +h, +D, +W or +M" },
    { "+Dx", "expected +m, +h, +D, +W or +M" },
    { "1M", "months are only reached with +M" },
    { "1d", "expected a duration" },
    { "5", "expected a duration" },
    { "1hx", "expected a duration" },
    { "30m 1h", "from the largest to the smallest" },
    { "1h 1h", "from the largest to the smallest" },
    { "0s", "after its base time" },
    { "0h 0s", "after its base time" },
    { "36526D", "at most 36525 days" },
    { "5218W", "at most 36525 days" },
    { "99999999999999999999999W", "at most 36525 days" },
    { "3155760001s", "at most 36525 days" },
    { "+D +D +D +D +D +D +D +D +D", "too many steps" },
    { "x", "expected +m" },
    { "-D", "expected +m" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GString) s = g_string_new (NULL);
      IpaTimePoint point, again;

      if (!ipa_time_point_parse (good[i].text, &point, &error))
        g_error ("point \"%s\": %s", good[i].text, error->message);
      ipa_time_point_format (s, &point);
      g_assert_cmpstr (s->str, ==, good[i].canonical);
      g_assert_true (ipa_time_point_parse (s->str, &again, NULL));
      g_assert_true (ipa_time_point_equal (&point, &again));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      IpaTimePoint point;

      if (ipa_time_point_parse (bad[i].text, &point, &error))
        g_error ("point \"%s\" accepted", bad[i].text);
      g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE);
      if (strstr (error->message, bad[i].fragment) == NULL)
        g_error ("point \"%s\": \"%s\" lacks \"%s\"", bad[i].text, error->message,
                 bad[i].fragment);
    }

  {
    IpaTimePoint a, b;

    g_assert_true (ipa_time_point_parse ("+D 2h", &a, NULL));
    g_assert_true (ipa_time_point_parse ("+D 3h", &b, NULL));
    g_assert_false (ipa_time_point_equal (&a, &b));
    g_assert_cmpuint (a.n_steps, ==, 2);
    g_assert_cmpint (a.steps[0].kind, ==, IPA_TIME_STEP_END_DAY);
    g_assert_cmpint (a.steps[1].kind, ==, IPA_TIME_STEP_DURATION);
    g_assert_cmpuint (a.steps[1].seconds, ==, 7200);
    g_assert_cmpuint (a.steps[1].days, ==, 0);
  }
}

static char *saved_tz;

static void
set_tz (const char *tz)
{
  g_setenv ("TZ", tz, TRUE);
  tzset ();
}

static struct tm
local_tm (int year, int mon, int mday, int hour, int min, int sec, int isdst)
{
  struct tm tm = { 0 };

  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = mday;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  tm.tm_isdst = isdst;
  g_assert_cmpint (mktime (&tm), !=, -1);
  return tm;
}

static char *
tm_text (const struct tm *tm)
{
  return g_strdup_printf ("%04d-%02d-%02d %02d:%02d:%02d%s", tm->tm_year + 1900,
                          tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min,
                          tm->tm_sec, tm->tm_isdst > 0 ? " DST" : "");
}

/* Applies @point to the local time @base and checks the result, and the
 * elapsed seconds when @elapsed >= 0. */
static void
assert_apply (const char *point_text, struct tm base, const char *expected,
              gint64 elapsed)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = NULL;
  IpaTimePoint point;
  struct tm result, copy;
  time_t t0, t1;

  if (!ipa_time_point_parse (point_text, &point, &error))
    g_error ("point \"%s\": %s", point_text, error->message);
  copy = base;
  t0 = mktime (&copy);
  ipa_time_point_apply (&point, &base, &result);
  got = tm_text (&result);
  if (g_strcmp0 (got, expected) != 0)
    g_error ("\"%s\" applied: got %s, expected %s", point_text, got, expected);
  copy = result;
  t1 = mktime (&copy);
  if (elapsed >= 0)
    g_assert_cmpint ((gint64) (t1 - t0), ==, elapsed);
  /* Applying in place gives the same. */
  ipa_time_point_apply (&point, &base, &base);
  g_assert_cmpint (mktime (&base), ==, t1);
}

static void
test_time_point_apply (void)
{
  set_tz ("Europe/Kyiv");

  /* 2024-03-15 is a Friday. */
  assert_apply ("+M", local_tm (2024, 3, 15, 10, 0, 0, -1), "2024-04-01 00:00:00 DST", -1);
  assert_apply ("+W", local_tm (2024, 3, 15, 10, 0, 0, -1), "2024-03-18 00:00:00", -1);
  assert_apply ("+D", local_tm (2024, 3, 15, 10, 0, 0, -1), "2024-03-16 00:00:00", 14 * 3600);
  assert_apply ("+h", local_tm (2024, 3, 15, 10, 0, 0, -1), "2024-03-15 11:00:00", 3600);
  assert_apply ("+h", local_tm (2024, 3, 15, 10, 59, 59, -1), "2024-03-15 11:00:00", 1);
  assert_apply ("+m", local_tm (2024, 3, 15, 10, 0, 30, -1), "2024-03-15 10:01:00", 30);
  assert_apply ("+m", local_tm (2024, 3, 15, 23, 59, 0, -1), "2024-03-16 00:00:00", 60);
  assert_apply ("30m", local_tm (2024, 3, 15, 10, 0, 0, -1), "2024-03-15 10:30:00", 1800);
  assert_apply ("+D 2h", local_tm (2024, 3, 15, 10, 0, 0, -1), "2024-03-16 02:00:00", -1);
  assert_apply ("1W +D", local_tm (2024, 3, 15, 10, 0, 0, -1), "2024-03-23 00:00:00", -1);
  /* Order matters. */
  assert_apply ("1W 10h +M", local_tm (2024, 3, 25, 10, 0, 0, -1),
                "2024-05-01 00:00:00 DST", -1);
  assert_apply ("+M 1W 10h", local_tm (2024, 3, 25, 10, 0, 0, -1),
                "2024-04-08 10:00:00 DST", -1);

  /* Weeks start on Monday: Monday goes to the next Monday, Sunday to the
   * following day. */
  assert_apply ("+W", local_tm (2024, 3, 18, 0, 0, 0, -1), "2024-03-25 00:00:00", 7 * 86400);
  assert_apply ("+W", local_tm (2024, 3, 17, 23, 59, 0, -1), "2024-03-18 00:00:00", 60);
  assert_apply ("+W", local_tm (2024, 3, 16, 12, 0, 0, -1), "2024-03-18 00:00:00", -1);
  /* At exactly midnight +D is the next midnight. */
  assert_apply ("+D", local_tm (2024, 3, 15, 0, 0, 0, -1), "2024-03-16 00:00:00", 86400);
  assert_apply ("+D +D", local_tm (2024, 3, 15, 10, 0, 0, -1), "2024-03-17 00:00:00", -1);

  /* Month ends and Jan 31. */
  assert_apply ("+M", local_tm (2024, 1, 31, 10, 0, 0, -1), "2024-02-01 00:00:00", -1);
  assert_apply ("+M", local_tm (2024, 1, 31, 23, 59, 59, -1), "2024-02-01 00:00:00", 1);
  assert_apply ("+M +M", local_tm (2024, 1, 31, 10, 0, 0, -1), "2024-03-01 00:00:00", -1);
  assert_apply ("1D", local_tm (2024, 1, 31, 10, 0, 0, -1), "2024-02-01 10:00:00", 86400);
  assert_apply ("+M", local_tm (2024, 12, 31, 10, 0, 0, -1), "2025-01-01 00:00:00", -1);
  assert_apply ("+M", local_tm (2023, 2, 28, 10, 0, 0, -1), "2023-03-01 00:00:00", -1);
  assert_apply ("1D", local_tm (2024, 2, 28, 10, 0, 0, -1), "2024-02-29 10:00:00", 86400);

  /* Spring forward in Kyiv: 2024-03-31 03:00 EET -> 04:00 EEST. */
  assert_apply ("+D", local_tm (2024, 3, 31, 1, 0, 0, -1), "2024-04-01 00:00:00 DST",
                22 * 3600);
  assert_apply ("+D", local_tm (2024, 3, 30, 12, 0, 0, -1), "2024-03-31 00:00:00", 12 * 3600);
  assert_apply ("1D", local_tm (2024, 3, 30, 10, 0, 0, -1), "2024-03-31 10:00:00 DST",
                23 * 3600);
  assert_apply ("24h", local_tm (2024, 3, 30, 10, 0, 0, -1), "2024-03-31 11:00:00 DST",
                24 * 3600);
  assert_apply ("+h", local_tm (2024, 3, 31, 2, 30, 0, -1), "2024-03-31 04:00:00 DST", 1800);
  assert_apply ("+D 3h", local_tm (2024, 3, 30, 12, 0, 0, -1), "2024-03-31 04:00:00 DST",
                15 * 3600);
  assert_apply ("+W", local_tm (2024, 3, 27, 0, 0, 0, -1), "2024-04-01 00:00:00 DST",
                5 * 86400 - 3600);
  assert_apply ("+M", local_tm (2024, 3, 1, 0, 0, 0, -1), "2024-04-01 00:00:00 DST",
                31 * 86400 - 3600);

  /* Fall back: 2024-10-27 04:00 EEST -> 03:00 EET; 03:xx happens twice. */
  assert_apply ("+D", local_tm (2024, 10, 27, 0, 0, 0, -1), "2024-10-28 00:00:00", 25 * 3600);
  assert_apply ("1D", local_tm (2024, 10, 26, 12, 0, 0, -1), "2024-10-27 12:00:00",
                25 * 3600);
  assert_apply ("+h", local_tm (2024, 10, 27, 3, 30, 0, 1), "2024-10-27 03:00:00", 1800);
  assert_apply ("+h", local_tm (2024, 10, 27, 3, 30, 0, 0), "2024-10-27 04:00:00", 1800);
  assert_apply ("+m", local_tm (2024, 10, 27, 3, 59, 30, 1), "2024-10-27 03:00:00", 30);
  assert_apply ("1h", local_tm (2024, 10, 27, 3, 30, 0, 1), "2024-10-27 03:30:00", 3600);
  assert_apply ("+M", local_tm (2024, 10, 15, 0, 0, 0, -1), "2024-11-01 00:00:00", -1);

  /* A NULL point leaves the base (normalised). */
  {
    struct tm base = local_tm (2024, 3, 15, 10, 0, 0, -1), result;

    ipa_time_point_apply (NULL, &base, &result);
    g_assert_cmpint (mktime (&result), ==, mktime (&base));
  }

  /* A zone with a half-hour offset: +h ends local hours. */
  set_tz ("Asia/Kolkata");
  assert_apply ("+h", local_tm (2024, 3, 15, 10, 15, 0, -1), "2024-03-15 11:00:00", 2700);
  assert_apply ("+D", local_tm (2024, 3, 15, 10, 15, 0, -1), "2024-03-16 00:00:00", -1);

  if (saved_tz != NULL)
    set_tz (saved_tz);
  else
    {
      g_unsetenv ("TZ");
      tzset ();
    }
}

/* ---- robustness -------------------------------------------------------- */

static char *
random_text (void)
{
  static const char alphabet[] = "0123456789BKMGTsmhDWSHFA+-:*% \t\"$\\{}xy.\n";
  int len = g_test_rand_int_range (0, 24);
  char *s = g_malloc (len + 1);

  for (int i = 0; i < len; i++)
    s[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
  s[len] = '\0';
  return s;
}

static void
test_random_input (void)
{
  static const unsigned int types[] = {
    IPA_CONF_TYPE_INT32, IPA_CONF_TYPE_UINT32, IPA_CONF_TYPE_INT64, IPA_CONF_TYPE_UINT64,
    IPA_CONF_TYPE_BYTES, IPA_CONF_TYPE_TIME, IPA_CONF_TYPE_VALUE, IPA_CONF_TYPE_PER_CENT,
    IPA_CONF_TYPE_BOOLEAN,
  };

  for (int i = 0; i < 20000; i++)
    {
      g_autofree char *text = random_text ();
      g_autoptr (IpaWorktime) wt = NULL;
      IpaTimePoint point;

      for (gsize t = 0; t < G_N_ELEMENTS (types); t++)
        {
          g_autoptr (GError) error = NULL;
          IpaConfValue v;

          if (!parse (types[t], text, &v, &error))
            {
              g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE);
              continue;
            }
          /* Accepted values of the unit types round-trip. */
          if (types[t] == IPA_CONF_TYPE_VALUE)
            {
              g_autoptr (GString) s = g_string_new (NULL);
              IpaConfValue v2;

              ipa_conf_format_value (s, v.u.value.value, (unsigned int) v.u.value.kind);
              g_assert_true (parse (IPA_CONF_TYPE_VALUE, s->str, &v2, NULL));
              g_assert_cmpuint (v2.u.value.kind, ==, v.u.value.kind);
              g_assert_cmpuint (v2.u.value.value, ==, v.u.value.value);
            }
        }

      wt = ipa_worktime_parse (text, NULL);
      if (wt != NULL)
        {
          g_autofree char *s = wt_format (wt);
          g_autoptr (IpaWorktime) again = wt_parse (s);

          g_assert_true (ipa_worktime_equal (wt, again));
        }
      if (ipa_time_point_parse (text, &point, NULL))
        {
          g_autoptr (GString) s = g_string_new (NULL);
          IpaTimePoint again;

          ipa_time_point_format (s, &point);
          g_assert_true (ipa_time_point_parse (s->str, &again, NULL));
          g_assert_true (ipa_time_point_equal (&point, &again));
        }
    }
}

int
main (int argc, char **argv)
{
  saved_tz = g_strdup (g_getenv ("TZ"));
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/conf-value/integers", test_integers);
  g_test_add_func ("/conf-value/bytes/parse", test_bytes_parse);
  g_test_add_func ("/conf-value/bytes/format", test_bytes_format);
  g_test_add_func ("/conf-value/time/parse", test_time_parse);
  g_test_add_func ("/conf-value/time/format", test_time_format);
  g_test_add_func ("/conf-value/value", test_value);
  g_test_add_func ("/conf-value/per-cent-boolean", test_per_cent_boolean);
  g_test_add_func ("/conf-value/error-quoting", test_error_quoting);
  g_test_add_func ("/conf-value/string", test_string_format);
  g_test_add_func ("/conf-value/worktime/parse", test_worktime_parse);
  g_test_add_func ("/conf-value/worktime/errors", test_worktime_errors);
  g_test_add_func ("/conf-value/worktime/active", test_worktime_active);
  g_test_add_func ("/conf-value/worktime/next-change", test_worktime_next_change_exhaustive);
  g_test_add_func ("/conf-value/time-point/parse", test_time_point_parse);
  g_test_add_func ("/conf-value/time-point/apply", test_time_point_apply);
  g_test_add_func ("/conf-value/random-input", test_random_input);

  return g_test_run ();
}
