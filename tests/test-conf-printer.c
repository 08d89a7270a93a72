/* test-conf-printer.c: the configuration printer and the print protocol. */
#include "config.h"

#include <string.h>

#include "ipa-conf-printer.h"
#include "ipa-conf-value.h"

static void
assert_text (IpaConfPrinter *p, const char *expected)
{
  g_assert_cmpstr (ipa_conf_printer_get_text (p), ==, expected);
}

static void
test_params (void)
{
  g_autoptr (IpaConfPrinter) p = ipa_conf_printer_new ();

  ipa_conf_printer_param_name (p, NULL, "update_time");
  ipa_conf_printer_time (p, 60);
  ipa_conf_printer_param_end (p);

  ipa_conf_printer_param_name (p, NULL, "debug_ac_null");
  ipa_conf_printer_param_end (p);

  ipa_conf_printer_param_name (p, "sdb", "db_dir");
  ipa_conf_printer_string (p, "/var/db/ipa");
  ipa_conf_printer_param_end (p);

  ipa_conf_printer_param_name (p, "", "ac_list");
  ipa_conf_printer_param_args (p, "%s", "ip4");
  ipa_conf_printer_space (p);
  ipa_conf_printer_space (p);
  ipa_conf_printer_param_args (p, "%s", "ip6");
  ipa_conf_printer_param_end (p);

  ipa_conf_printer_param_name_plain (p, NULL, "exec");
  ipa_conf_printer_string (p, "/bin/echo ${rule}");
  ipa_conf_printer_param_end (p);

  ipa_conf_printer_param_name_plain (p, NULL, "exec");
  ipa_conf_printer_param_args (p, "%s", "nobody");
  ipa_conf_printer_space (p);
  ipa_conf_printer_string (p, "id");
  ipa_conf_printer_param_end (p);

  ipa_conf_printer_param_name_plain (p, NULL, "include");
  ipa_conf_printer_param_end (p);

  assert_text (p,
               "update_time = 1m;\n"
               "debug_ac_null;\n"
               "sdb:db_dir = \"/var/db/ipa\";\n"
               "ac_list = ip4 ip6;\n"
               "exec \"/bin/echo ${$}{rule}\";\n"
               "exec nobody \"id\";\n"
               "include;\n");
}

static void
test_values (void)
{
  g_autoptr (IpaConfPrinter) p = ipa_conf_printer_new ();

  ipa_conf_printer_param_name (p, NULL, "limit");
  ipa_conf_printer_value (p, 1610612736, IPA_CONF_TYPE_BYTES);
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_name (p, NULL, "limit");
  ipa_conf_printer_value (p, 5400, IPA_CONF_TYPE_TIME);
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_name (p, NULL, "limit");
  ipa_conf_printer_value (p, 1000, IPA_CONF_TYPE_UINT64);
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_name (p, NULL, "x");
  ipa_conf_printer_bytes (p, 0);
  ipa_conf_printer_space (p);
  ipa_conf_printer_bytes (p, G_MAXUINT64);
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_name (p, NULL, "t");
  ipa_conf_printer_time (p, 0);
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_name (p, NULL, "b");
  ipa_conf_printer_boolean (p, 1);
  ipa_conf_printer_space (p);
  ipa_conf_printer_boolean (p, 0);
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_name (p, NULL, "n");
  ipa_conf_printer_param_args (p, "%d", -5);
  ipa_conf_printer_param_args (p, "%s", "");
  ipa_conf_printer_param_args (p, "%s", "%");
  ipa_conf_printer_param_end (p);

  assert_text (p,
               "limit = 1G 512M;\n"
               "limit = 1h 30m;\n"
               "limit = 1000;\n"
               "x = 0B 16777215T 1023G 1023M 1023K 1023B;\n"
               "t = 0s;\n"
               "b = yes no;\n"
               "n = -5%;\n");
}

static void
test_strings (void)
{
  g_autoptr (IpaConfPrinter) p = ipa_conf_printer_new ();

  ipa_conf_printer_param_name (p, NULL, "info");
  ipa_conf_printer_string (p, "tab\there \"quoted\" back\\slash\nnew ${x} $y $");
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_name (p, NULL, "info");
  ipa_conf_printer_string (p, "");
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_name (p, NULL, "info");
  ipa_conf_printer_string (p, NULL);
  ipa_conf_printer_param_end (p);

  assert_text (p,
               "info = \"tab\\there \\\"quoted\\\" back\\\\slash\\nnew ${$}{x} $y $\";\n"
               "info = \"\";\n"
               "info = \"\";\n");
}

static void
test_sections (void)
{
  g_autoptr (IpaConfPrinter) p = ipa_conf_printer_new ();

  ipa_conf_printer_sect_name (p, NULL, "global");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_param_name (p, NULL, "update_time");
  ipa_conf_printer_time (p, 30);
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_sect_end (p);

  ipa_conf_printer_blank_line (p);
  ipa_conf_printer_sect_name (p, NULL, "rule");
  ipa_conf_printer_sect_args (p, "%s", "local.traf");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_blank_line (p);          /* not right after "{" */
  ipa_conf_printer_sect_name (p, NULL, "limit");
  ipa_conf_printer_sect_args (p, "%s", "l1");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_param_name (p, NULL, "limit");
  ipa_conf_printer_value (p, 1073741824, IPA_CONF_TYPE_BYTES);
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_sect_name (p, NULL, "restart");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_param_name (p, NULL, "restart");
  ipa_conf_printer_param_args (p, "%s", "+M");
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_sect_end (p);
  ipa_conf_printer_sect_end (p);
  ipa_conf_printer_sect_name (p, "sdb", NULL);
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_param_name (p, "sdb", "db_dir");
  ipa_conf_printer_string (p, "/x");
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_sect_end (p);
  ipa_conf_printer_sect_name (p, "ipfw", "");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_sect_end (p);
  ipa_conf_printer_sect_name (p, "ipfw", "table");
  ipa_conf_printer_sect_args (p, "%d", 5);
  ipa_conf_printer_space (p);
  ipa_conf_printer_string (p, "a b");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_sect_end (p);
  ipa_conf_printer_sect_end (p);
  ipa_conf_printer_blank_line (p);
  ipa_conf_printer_blank_line (p);          /* no second blank line */
  ipa_conf_printer_comment (p, "end\n\nof file");

  g_assert_cmpuint (ipa_conf_printer_get_depth (p), ==, 0);
  assert_text (p,
               "global {\n"
               "    update_time = 30s;\n"
               "}\n"
               "\n"
               "rule local.traf {\n"
               "    limit l1 {\n"
               "        limit = 1G;\n"
               "        restart {\n"
               "            restart = +M;\n"
               "        }\n"
               "    }\n"
               "    sdb: {\n"
               "        sdb:db_dir = \"/x\";\n"
               "    }\n"
               "    ipfw: {\n"
               "    }\n"
               "    ipfw:table 5 \"a b\" {\n"
               "    }\n"
               "}\n"
               "\n"
               "# end\n"
               "#\n"
               "# of file\n");
}

/* Calls out of protocol order: no crash, balanced and terminated output. */
static void
test_misuse (void)
{
  g_autoptr (IpaConfPrinter) p = ipa_conf_printer_new ();
  g_autofree char *text = NULL;

  /* Ends without beginnings, values outside statements. */
  ipa_conf_printer_sect_end (p);
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_args (p, "%s", "stray");
  ipa_conf_printer_sect_args (p, "%s", "stray");
  ipa_conf_printer_string (p, "stray");
  ipa_conf_printer_bytes (p, 1);
  ipa_conf_printer_time (p, 1);
  ipa_conf_printer_value (p, 1, IPA_CONF_TYPE_TIME);
  ipa_conf_printer_boolean (p, 1);
  ipa_conf_printer_space (p);
  assert_text (p, "");

  /* A parameter without its end is ended by the next statement. */
  ipa_conf_printer_param_name (p, NULL, "a");
  ipa_conf_printer_param_args (p, "%d", 1);
  ipa_conf_printer_param_name (p, NULL, "b");
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_end (p);
  assert_text (p, "a = 1;\nb;\n");

  /* A header without sect_begin gets its body from what follows. */
  ipa_conf_printer_sect_name (p, NULL, "rule");
  ipa_conf_printer_sect_args (p, "%s", "r");
  ipa_conf_printer_param_name (p, NULL, "c");
  ipa_conf_printer_sect_end (p);
  assert_text (p, "a = 1;\nb;\nrule r {\n    c;\n}\n");

  /* sect_begin without a header: invisible, balanced by its sect_end. */
  ipa_conf_printer_sect_name (p, NULL, "outer");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_param_name (p, NULL, "d");
  ipa_conf_printer_sect_end (p);
  ipa_conf_printer_param_name (p, NULL, "e");
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_sect_end (p);
  assert_text (p, "a = 1;\nb;\nrule r {\n    c;\n}\nouter {\n    d;\n    e;\n}\n");

  /* Nameless statements print nothing, not even their arguments. */
  g_free (ipa_conf_printer_steal_text (p));
  ipa_conf_printer_param_name (p, "pfx", NULL);
  ipa_conf_printer_string (p, "lost");
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_param_name (p, NULL, "");
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_sect_name (p, NULL, NULL);
  ipa_conf_printer_sect_args (p, "%s", "lost");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_param_name (p, NULL, "f");
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_sect_end (p);
  assert_text (p, "f;\n");

  /* Leading blanks of the first argument. */
  ipa_conf_printer_param_name (p, NULL, "g");
  ipa_conf_printer_param_args (p, "%s", "   x");
  ipa_conf_printer_param_end (p);
  assert_text (p, "f;\ng = x;\n");

  /* steal_text closes whatever is open and starts again. */
  g_free (ipa_conf_printer_steal_text (p));
  ipa_conf_printer_sect_name (p, NULL, "rule");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_sect_name (p, NULL, "limit");
  ipa_conf_printer_sect_args (p, "%s", "l");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_param_name (p, NULL, "limit");
  ipa_conf_printer_param_args (p, "%s", "1");
  g_assert_cmpuint (ipa_conf_printer_get_depth (p), ==, 2);
  text = ipa_conf_printer_steal_text (p);
  g_assert_cmpstr (text, ==, "rule {\n    limit l {\n        limit = 1;\n    }\n}\n");
  assert_text (p, "");
  g_assert_cmpuint (ipa_conf_printer_get_depth (p), ==, 0);

  /* unwind to a depth, with a pending header. */
  ipa_conf_printer_sect_name (p, NULL, "a");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_sect_name (p, NULL, "b");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_sect_name (p, NULL, "c");
  ipa_conf_printer_unwind (p, 1);
  g_assert_cmpuint (ipa_conf_printer_get_depth (p), ==, 1);
  ipa_conf_printer_unwind (p, 5);
  g_assert_cmpuint (ipa_conf_printer_get_depth (p), ==, 1);
  ipa_conf_printer_unwind (p, 0);
  assert_text (p, "a {\n    b {\n        c {\n        }\n    }\n}\n");

  /* Many unmatched ends in a row. */
  for (int i = 0; i < 100; i++)
    {
      ipa_conf_printer_sect_end (p);
      ipa_conf_printer_param_end (p);
      ipa_conf_printer_sect_begin (p);
    }
  ipa_conf_printer_unwind (p, 0);
  assert_text (p, "a {\n    b {\n        c {\n        }\n    }\n}\n");
}

static void
test_null_printer (void)
{
  /* What the suppfunc functions do when no printer is current. */
  IpaConfPrinter *p = ipa_conf_printer_get_current ();
  g_autofree char *text = NULL;

  g_assert_null (p);
  ipa_conf_printer_param_name (p, NULL, "a");
  ipa_conf_printer_param_args (p, "%s", "x");
  ipa_conf_printer_string (p, "x");
  ipa_conf_printer_bytes (p, 1);
  ipa_conf_printer_time (p, 1);
  ipa_conf_printer_value (p, 1, IPA_CONF_TYPE_BYTES);
  ipa_conf_printer_boolean (p, 0);
  ipa_conf_printer_space (p);
  ipa_conf_printer_param_end (p);
  ipa_conf_printer_sect_name (p, NULL, "s");
  ipa_conf_printer_sect_args (p, "%s", "x");
  ipa_conf_printer_sect_begin (p);
  ipa_conf_printer_sect_end (p);
  ipa_conf_printer_comment (p, "c");
  ipa_conf_printer_blank_line (p);
  ipa_conf_printer_unwind (p, 0);
  g_assert_cmpuint (ipa_conf_printer_get_depth (p), ==, 0);
  g_assert_cmpstr (ipa_conf_printer_get_text (p), ==, "");
  text = ipa_conf_printer_steal_text (p);
  g_assert_cmpstr (text, ==, "");
  ipa_conf_printer_free (NULL);
}

static void
test_current (void)
{
  IpaConfPrinter *a = ipa_conf_printer_new ();
  IpaConfPrinter *b = ipa_conf_printer_new ();

  g_assert_null (ipa_conf_printer_get_current ());
  ipa_conf_printer_set_current (a);
  g_assert_true (ipa_conf_printer_get_current () == a);
  ipa_conf_printer_param_name (ipa_conf_printer_get_current (), NULL, "x");
  ipa_conf_printer_param_end (ipa_conf_printer_get_current ());
  ipa_conf_printer_set_current (b);
  g_assert_true (ipa_conf_printer_get_current () == b);
  /* Freeing a printer that is not current keeps the current one. */
  ipa_conf_printer_free (a);
  g_assert_true (ipa_conf_printer_get_current () == b);
  /* Freeing the current printer unsets it. */
  ipa_conf_printer_free (b);
  g_assert_null (ipa_conf_printer_get_current ());
  ipa_conf_printer_set_current (NULL);
}

/* The module-side view: a conf_show written with va_list wrappers, as
 * ipa_mod(3) modules do. */
static void G_GNUC_PRINTF (1, 2)
mod_param_args (const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  ipa_conf_printer_param_argsv (ipa_conf_printer_get_current (), format, ap);
  va_end (ap);
}

static void G_GNUC_PRINTF (1, 2)
mod_sect_args (const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  ipa_conf_printer_sect_argsv (ipa_conf_printer_get_current (), format, ap);
  va_end (ap);
}

static void
test_module_protocol (void)
{
  g_autoptr (IpaConfPrinter) p = ipa_conf_printer_new ();
  IpaConfPrinter *cur;
  guint64 v = 3 * 1024 * 1024;

  ipa_conf_printer_set_current (p);
  cur = ipa_conf_printer_get_current ();
  ipa_conf_printer_sect_name (cur, "test", "group");
  mod_sect_args ("%s", "g1");
  ipa_conf_printer_sect_begin (cur);
  ipa_conf_printer_param_name (cur, "test", "size");
  ipa_conf_printer_bytes (cur, v);
  ipa_conf_printer_param_end (cur);
  ipa_conf_printer_param_name (cur, "test", "list");
  mod_param_args ("%s", "a");
  ipa_conf_printer_space (cur);
  mod_param_args ("%u", 2U);
  ipa_conf_printer_space (cur);
  ipa_conf_printer_string (cur, "c");
  ipa_conf_printer_param_end (cur);
  ipa_conf_printer_sect_end (cur);
  ipa_conf_printer_set_current (NULL);

  assert_text (p,
               "test:group g1 {\n"
               "    test:size = 3M;\n"
               "    test:list = a 2 \"c\";\n"
               "}\n");
}

/* Printed values parse back to the same value. */
static void
test_round_trip (void)
{
  static const guint64 values[] = {
    0, 1, 59, 60, 1023, 1024, 86399, 86400, 1610612736, G_MAXUINT32,
    (guint64) G_MAXUINT32 + 1, G_MAXUINT64 - 1, G_MAXUINT64,
  };
  static const unsigned int kinds[] = {
    IPA_CONF_TYPE_BYTES, IPA_CONF_TYPE_TIME, IPA_CONF_TYPE_UINT64,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
      {
        g_autoptr (IpaConfPrinter) p = ipa_conf_printer_new ();
        g_autoptr (GError) error = NULL;
        g_autofree char *args = NULL;
        const char *text;
        IpaConfValue v = { 0 };

        ipa_conf_printer_param_name (p, NULL, "limit");
        ipa_conf_printer_value (p, values[i], kinds[k]);
        ipa_conf_printer_param_end (p);
        text = ipa_conf_printer_get_text (p);
        g_assert_true (g_str_has_prefix (text, "limit = "));
        g_assert_true (g_str_has_suffix (text, ";\n"));
        args = g_strndup (text + 8, strlen (text) - 8 - 2);
        if (!ipa_conf_value_parse (IPA_CONF_TYPE_VALUE, args, &v, &error))
          g_error ("\"%s\": %s", args, error->message);
        g_assert_cmpuint (v.u.value.kind, ==, kinds[k]);
        g_assert_cmpuint (v.u.value.value, ==, values[i]);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/conf-printer/params", test_params);
  g_test_add_func ("/conf-printer/values", test_values);
  g_test_add_func ("/conf-printer/strings", test_strings);
  g_test_add_func ("/conf-printer/sections", test_sections);
  g_test_add_func ("/conf-printer/misuse", test_misuse);
  g_test_add_func ("/conf-printer/null-printer", test_null_printer);
  g_test_add_func ("/conf-printer/current", test_current);
  g_test_add_func ("/conf-printer/module-protocol", test_module_protocol);
  g_test_add_func ("/conf-printer/round-trip", test_round_trip);

  return g_test_run ();
}
