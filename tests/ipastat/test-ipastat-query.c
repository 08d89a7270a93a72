/*
 * test-ipastat-query.c: the query options of ipastat -q.
 */
#include "config.h"

#include <glib.h>

#include "ipastat-exit.h"
#include "ipastat-query.h"

static IpastatQuery *
parse (const char *line, GError **error)
{
  g_auto(GStrv) argv = NULL;
  int argc = 0;

  if (*line != '\0')
    g_assert_true (g_shell_parse_argv (line, &argc, &argv, NULL));
  return ipastat_query_parse (argc, argv, error);
}

static const IpastatQueryItem *
item (const IpastatQuery *q, guint sel, guint i)
{
  const IpastatQuerySel *s = g_ptr_array_index (q->sels, sel);

  return g_ptr_array_index (s->items, i);
}

static void
test_selections (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IpastatQuery) q =
    parse ("-r a -l l1 -t t1 -l l2 -rb -r c -tT", &error);
  const IpastatQuerySel *a, *b, *c;

  g_assert_no_error (error);
  g_assert_cmpuint (q->sels->len, ==, 3);
  a = g_ptr_array_index (q->sels, 0);
  b = g_ptr_array_index (q->sels, 1);
  c = g_ptr_array_index (q->sels, 2);
  g_assert_cmpstr (a->rule, ==, "a");
  g_assert_cmpuint (a->items->len, ==, 3);
  g_assert_cmpint (item (q, 0, 0)->kind, ==, IPASTAT_ITEM_LIMIT);
  g_assert_cmpstr (item (q, 0, 0)->name, ==, "l1");
  g_assert_cmpint (item (q, 0, 1)->kind, ==, IPASTAT_ITEM_THRESHOLD);
  g_assert_cmpstr (item (q, 0, 2)->name, ==, "l2");
  g_assert_cmpstr (b->rule, ==, "b");
  g_assert_cmpuint (b->items->len, ==, 0);
  g_assert_cmpstr (c->rule, ==, "c");
  g_assert_cmpstr (item (q, 2, 0)->name, ==, "T");
  g_assert_false (q->list);
  g_assert_null (q->interval);
  g_assert_cmpint (q->format, ==, IPASTAT_FORMAT_TABLE);
}

static void
test_flags (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IpastatQuery) q =
    parse ("-xe -r '^h' -l m -c -i 2024.3 -s fix,fix2 -s ' other' -o json -U bytes", &error);

  g_assert_no_error (error);
  g_assert_true (q->regex);
  g_assert_true (q->exact);
  g_assert_true (q->current);
  g_assert_cmpstr (q->interval, ==, "2024.3");
  g_assert_cmpuint (g_strv_length (q->st_list), ==, 3);
  g_assert_cmpstr (q->st_list[0], ==, "fix");
  g_assert_cmpstr (q->st_list[1], ==, "fix2");
  g_assert_cmpstr (q->st_list[2], ==, "other");
  g_assert_cmpint (q->format, ==, IPASTAT_FORMAT_JSON);
  g_assert_true (q->has_units);
  g_assert_cmpint (q->units, ==, IPASTAT_UNITS_BYTES);
  g_clear_pointer (&q, ipastat_query_free);

  q = parse ("-a -n", &error);
  g_assert_no_error (error);
  g_assert_true (q->list);
  g_assert_cmpint (q->format, ==, IPASTAT_FORMAT_PLAIN);
  g_assert_cmpuint (q->sels->len, ==, 0);
  g_clear_pointer (&q, ipastat_query_free);

  /* A later -o wins, -n included. */
  q = parse ("-r a -n -o csv", &error);
  g_assert_no_error (error);
  g_assert_cmpint (q->format, ==, IPASTAT_FORMAT_CSV);
}

static void
test_errors (void)
{
  static const char *const bad[] = {
    "",                    /* no rule */
    "-e",                  /* still no rule */
    "-l x",                /* -l before -r */
    "-t x -r a",
    "-r",                  /* missing argument */
    "-r a -i",
    "-r ''",
    "-r a -l ''",
    "-r a -q",             /* unknown letter */
    "-r a b",              /* stray word */
    "-r a --long",
    "-r a -i 2024 -i 2025",
    "-r a -o xml",
    "-r a -U furlongs",
    "-r a -s ','",
    "-r a -s x,x",
    "-a -i 2024",          /* -i, -e, -c make no sense with -a */
    "-a -e",
    "-a -r x -c",
    "-r a -c",             /* -c needs a limit */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IpastatQuery) q = NULL;

      g_test_message ("%s", bad[i]);
      q = parse (bad[i], &error);
      g_assert_null (q);
      g_assert_error (error, IPASTAT_ERROR, IPASTAT_EXIT_USAGE);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ipastat/query/selections", test_selections);
  g_test_add_func ("/ipastat/query/flags", test_flags);
  g_test_add_func ("/ipastat/query/errors", test_errors);
  return g_test_run ();
}
