/*
 * test-ipastat-run.c: running queries against the fixed-data module: the
 * order of module calls (ipa_mod(3) §14.4), dynamic entities, the passes
 * of -x, results released with mem_free (INV-80), errors that let the
 * other selections go on, several statistics systems, and the seam for
 * live values of the daemon.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ipastat-run.h"
#include "ipa-log.h"
#include "ipa-memfunc.h"

static char *tmp_dir;
static char *trace_path;

static char *
read_trace (void)
{
  char *text = NULL;

  if (!g_file_get_contents (trace_path, &text, NULL, NULL))
    return g_strdup ("");
  g_unlink (trace_path);
  return text;
}

static char *
write_conf (const char *text)
{
  char *path = g_build_filename (tmp_dir, "ipastat.conf", NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* Run "ipastat -f CONF -q QUERY" (words split as a shell would). */
static IpastatExit
run (const char *conf_text, const char *query_line, const IpastatLive *live,
     IpastatResult **result)
{
  g_autofree char *path = write_conf (conf_text);
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IpastatQuery) q = NULL;
  IpastatInterval iv;
  struct tm now = { 0 };
  int argc;

  g_assert_true (g_shell_parse_argv (query_line, &argc, &argv, NULL));
  q = ipastat_query_parse (argc, argv, &error);
  g_assert_no_error (error);
  now.tm_year = 124;
  now.tm_mon = 2;
  now.tm_mday = 15;
  if (q->interval != NULL)
    g_assert_true (ipastat_interval_parse (q->interval, &now, &iv, NULL));
  else
    ipastat_interval_current_month (&now, &iv);
  return ipastat_run (path, q, &iv, live, result);
}

/* Index of the first line of @trace that starts with @prefix, or -1. */
static int
line_of (char **lines, const char *prefix)
{
  for (int i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return i;
  return -1;
}

/* Index of the line that is exactly @text, or -1. */
static int
line_eq (char **lines, const char *text)
{
  for (int i = 0; lines[i] != NULL; i++)
    if (strcmp (lines[i], text) == 0)
      return i;
  return -1;
}

static int
last_line_of (char **lines, const char *prefix)
{
  int found = -1;

  for (int i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      found = i;
  return found;
}

static const char *conf_fix =
  "st_mod \"ipa_test_stfix.so\";\n"
  "global { value_units = bytes; }\n"
  "rulepat \"^host_\" { value_units = time; fix:tag = \"hosts\"; }\n"
  "rule lan_in { limit monthly { } threshold burst { } }\n"
  "rule lan_out { }\n";

static void
test_call_order (void)
{
  g_autoptr(IpastatResult) result = NULL;
  g_autofree char *trace = NULL;
  g_auto(GStrv) lines = NULL;
  IpastatExit status;
  int init, first_query, last_query;

  g_unlink (trace_path);
  status = run (conf_fix, "-r lan_in -i 2024.3 -r host_b -l quota2", NULL, &result);
  /* host_b has no limit quota2 in the module: unknown, the rest goes on. */
  g_assert_cmpint (status, ==, IPASTAT_EXIT_UNKNOWN);
  g_assert_cmpuint (result->blocks->len, ==, 1);
  trace = read_trace ();
  lines = g_strsplit (trace, "\n", -1);

  /* One pass: the module is loaded once. */
  g_assert_cmpint (line_of (lines, "conf_init"), ==, last_line_of (lines, "conf_init"));
  init = line_eq (lines, "st_init");
  g_assert_cmpint (init, >, 0);
  g_assert_cmpint (line_of (lines, "conf_deinit"), <, line_of (lines, "st_pre_init"));
  /* Static rules in number order, a rule before its limits and
   * thresholds, then the dynamic rule (numbered after the static ones)
   * with its dynamic limit; all before st_init. */
  g_assert_cmpint (line_of (lines, "st_pre_init"), <, line_of (lines, "st_init_rule 0 lan_in"));
  g_assert_cmpint (line_of (lines, "st_init_rule 0 lan_in"), <, line_of (lines, "st_init_limit 0 lan_in 0 monthly"));
  g_assert_cmpint (line_of (lines, "st_init_limit 0 lan_in 0 monthly"), <, line_of (lines, "st_init_threshold 0 lan_in 0 burst"));
  g_assert_cmpint (line_of (lines, "st_init_threshold 0 lan_in 0 burst"), <, line_of (lines, "st_init_rule 1 lan_out"));
  g_assert_cmpint (line_of (lines, "st_init_rule 1 lan_out"), <, line_of (lines, "st_init_rule 2 host_b tag=hosts"));
  g_assert_cmpint (line_of (lines, "st_init_rule 2 host_b"), <, line_of (lines, "st_init_limit 2 host_b 0 quota2"));
  g_assert_cmpint (last_line_of (lines, "st_init_"), <, init);
  /* The dynamic rule inherits its rulepat's module settings after
   * st_pre_init (INV-26), before its st_init_rule. */
  g_assert_cmpint (line_of (lines, "st_pre_init"), <, line_of (lines, "conf_inherit 0 2 host_b"));
  g_assert_cmpint (line_of (lines, "conf_inherit 0 2 host_b"), <, line_of (lines, "st_init_rule 2"));
  /* Queries between st_init and the deinit chain. */
  first_query = line_of (lines, "st_get_");
  last_query = last_line_of (lines, "st_get_");
  g_assert_cmpint (init, <, first_query);
  g_assert_cmpint (last_query, <, line_of (lines, "st_deinit_"));
  g_assert_cmpint (line_of (lines, "st_get_rule_stat 0 2024-03-01T00:00:00 2024-03-31T23:59:59 0"), >, 0);
  /* Deinit: dynamic rule first, limits and thresholds before their rule,
   * st_deinit last. */
  g_assert_cmpint (line_of (lines, "st_deinit_limit 2 0"), <, line_of (lines, "st_deinit_rule 2"));
  g_assert_cmpint (line_of (lines, "st_deinit_rule 2"), <, line_of (lines, "st_deinit_limit 0 0"));
  g_assert_cmpint (line_of (lines, "st_deinit_threshold 0 0"), <, line_of (lines, "st_deinit_rule 0"));
  g_assert_cmpint (line_of (lines, "st_deinit_rule 1"), <, line_of (lines, "st_deinit_rule 0"));
  g_assert_cmpint (last_line_of (lines, "st_deinit_rule"), <, line_eq (lines, "st_deinit"));
  g_assert_cmpstr (lines[g_strv_length (lines) - 2], ==, "st_deinit");
}

/* -x: a pass to find rules, one to find limits, then the final one. */
static void
test_regex_passes (void)
{
  g_autoptr(IpastatResult) result = NULL;
  g_autofree char *trace = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_init = 0, n_deinit = 0;
  IpastatBlock *b;

  g_unlink (trace_path);
  g_assert_cmpint (run (conf_fix, "-x -r '^(lan_in|host_a)$' -l 'ly$|^quota' -i 2024",
                        NULL, &result), ==, IPASTAT_EXIT_OK);
  trace = read_trace ();
  lines = g_strsplit (trace, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      n_init += strcmp (lines[i], "conf_init") == 0;
      n_deinit += strcmp (lines[i], "st_deinit") == 0;
    }
  g_assert_cmpuint (n_init, ==, 3);
  g_assert_cmpuint (n_deinit, ==, 3);
  g_assert_cmpint (line_of (lines, "st_get_rules_list ^(lan_in|host_a)$"), >, 0);
  g_assert_cmpint (line_of (lines, "st_get_limits_list 0 ly$|^quota"), >, 0);
  /* Concrete names in the final pass, sorted: the quota of host_a, daily
   * and monthly of lan_in. */
  g_assert_cmpuint (result->blocks->len, ==, 3);
  b = g_ptr_array_index (result->blocks, 0);
  g_assert_cmpstr (b->rule, ==, "host_a");
  g_assert_cmpstr (b->name, ==, "quota");
  g_assert_cmpint (b->units, ==, IPASTAT_UNITS_TIME);
  b = g_ptr_array_index (result->blocks, 1);
  g_assert_cmpstr (b->rule, ==, "lan_in");
  g_assert_cmpstr (b->name, ==, "daily");
  b = g_ptr_array_index (result->blocks, 2);
  g_assert_cmpstr (b->name, ==, "monthly");
  g_assert_false (b->current);
  g_assert_cmpuint (b->states->len, ==, 3);
}

/* Every buffer a module returned went back with mem_free, through the one
 * mem_type of ipastat (INV-79, INV-80). */
static void
test_results_released (void)
{
  g_autoptr(IpastatResult) result = NULL;
  g_autoptr(GPtrArray) stats = NULL;
  gboolean seen = FALSE;

  g_assert_cmpint (run (conf_fix, "-r lan_in -i 2024 -l monthly -t burst -r lan_out",
                        NULL, &result), ==, IPASTAT_EXIT_OK);
  g_clear_pointer (&result, ipastat_result_free);
  g_assert_cmpint (run (conf_fix, "-a -r lan_in", NULL, &result), ==, IPASTAT_EXIT_OK);
  stats = ipa_memfunc_get_stats ();
  for (guint i = 0; i < stats->len; i++)
    {
      IpaMemStat *s = g_ptr_array_index (stats, i);

      if (s->kind != IPA_MEM_STAT_MEM_TYPE || strcmp (s->name, "ipastat") != 0)
        continue;
      seen = TRUE;
      g_assert_null (s->owner);
      g_assert_cmpuint (s->total_allocs, >, 10);
      g_assert_cmpuint (s->bytes, ==, 0);
      g_assert_cmpuint (s->blocks, ==, 0);
    }
  g_assert_true (seen);
  g_assert_cmpuint (ipa_memfunc_check_leaks (NULL, NULL, NULL), ==, 0);
}

static void
test_blocks (void)
{
  g_autoptr(IpastatResult) result = NULL;
  IpastatBlock *b;
  IpastatSum total;

  g_assert_cmpint (run (conf_fix, "-r lan_in -e -i 2024.02.28/10-2024.02.28/12",
                        NULL, &result), ==, IPASTAT_EXIT_OK);
  /* -e: the record 08:00-20:00 has no timestamp inside 10:00-12:59:59
   * either, so nothing; the module got exact = 1. */
  g_assert_cmpuint (result->blocks->len, ==, 1);
  b = g_ptr_array_index (result->blocks, 0);
  g_assert_true (b->exact);
  g_assert_cmpuint (b->records->len, ==, 0);
  g_clear_pointer (&result, ipastat_result_free);

  g_assert_cmpint (run (conf_fix, "-e -r lan_in -i 2024.02.28/08-2024.02.28/12",
                        NULL, &result), ==, IPASTAT_EXIT_OK);
  b = g_ptr_array_index (result->blocks, 0);
  g_assert_cmpuint (b->records->len, ==, 1);
  g_clear_pointer (&result, ipastat_result_free);
  g_assert_cmpint (run (conf_fix, "-r lan_in -i 2024.02.28/08-2024.02.28/12",
                        NULL, &result), ==, IPASTAT_EXIT_OK);
  b = g_ptr_array_index (result->blocks, 0);
  g_assert_cmpuint (b->records->len, ==, 0);
  g_clear_pointer (&result, ipastat_result_free);

  g_assert_cmpint (run (conf_fix, "-r big -i 2024.3", NULL, &result), ==, IPASTAT_EXIT_OK);
  b = g_ptr_array_index (result->blocks, 0);
  total = ipastat_block_total (b);
  g_assert_cmpuint (total.hi, ==, 1);
  g_assert_cmpuint (total.lo, ==, G_MAXUINT64 - 1);
  g_assert_cmpint (b->units, ==, IPASTAT_UNITS_BYTES);
  g_assert_cmpstr (b->rule_info, ==, "Counters near 2^64");
  g_clear_pointer (&result, ipastat_result_free);

  /* Threshold without a state is not an error. */
  g_assert_cmpint (run (conf_fix, "-r lan_in -t quiet -t burst -U raw", NULL, &result),
                   ==, IPASTAT_EXIT_OK);
  b = g_ptr_array_index (result->blocks, 0);
  g_assert_false (b->has_state);
  g_assert_cmpint (b->units, ==, IPASTAT_UNITS_RAW);
  b = g_ptr_array_index (result->blocks, 1);
  g_assert_true (b->has_state);
  g_assert_cmpuint (b->state.thr, ==, 5000);
  g_assert_cmpint (b->state.tm_updated.tm_hour, ==, 4);
}

static void
test_unknown (void)
{
  g_autoptr(IpastatResult) result = NULL;

  /* Not configured and dynamic_rules = no. */
  g_assert_cmpint (run ("st_mod \"ipa_test_stfix.so\";\ndynamic_rules = no;\n",
                        "-r lan_in", NULL, &result), ==, IPASTAT_EXIT_UNKNOWN);
  g_assert_cmpuint (result->blocks->len, ==, 0);
  g_clear_pointer (&result, ipastat_result_free);
  /* Configured, allowed, but no system has it; the other rule is shown. */
  g_assert_cmpint (run (conf_fix, "-r nosuch -r lan_out -i 2024", NULL, &result),
                   ==, IPASTAT_EXIT_UNKNOWN);
  g_assert_cmpuint (result->blocks->len, ==, 1);
  g_clear_pointer (&result, ipastat_result_free);
  g_assert_cmpint (run ("st_mod \"ipa_test_stfix.so\";\ndynamic_thresholds = no;\n",
                        "-r lan_in -t burst", NULL, &result), ==, IPASTAT_EXIT_UNKNOWN);
  g_clear_pointer (&result, ipastat_result_free);
  /* -x matching nothing is no error. */
  g_assert_cmpint (run (conf_fix, "-x -r '^zzz'", NULL, &result), ==, IPASTAT_EXIT_OK);
  g_assert_cmpuint (result->blocks->len, ==, 0);
}

static void
test_systems (void)
{
  const char *conf = "st_mod \"ipa_test_stfix.so\";\nst_mod \"ipa_test_stfix2.so\";\n";
  g_autoptr(IpastatResult) result = NULL;

  /* lan_in is in both, host_a only in fix. */
  g_assert_cmpint (run (conf, "-r lan_in -r host_a -i 2024.3", NULL, &result), ==, IPASTAT_EXIT_OK);
  g_assert_cmpuint (result->blocks->len, ==, 3);
  g_assert_cmpstr (((IpastatBlock *) g_ptr_array_index (result->blocks, 0))->system, ==, "fix");
  g_assert_cmpstr (((IpastatBlock *) g_ptr_array_index (result->blocks, 1))->system, ==, "fix2");
  g_assert_cmpstr (((IpastatBlock *) g_ptr_array_index (result->blocks, 2))->rule, ==, "host_a");
  g_clear_pointer (&result, ipastat_result_free);
  g_assert_cmpint (run (conf, "-s fix2 -r host_a", NULL, &result), ==, IPASTAT_EXIT_UNKNOWN);
  g_clear_pointer (&result, ipastat_result_free);
  g_assert_cmpint (run (conf, "-a -s fix2", NULL, &result), ==, IPASTAT_EXIT_OK);
  g_assert_cmpuint (result->blocks->len, ==, 1);
  g_assert_cmpuint (((IpastatBlock *) g_ptr_array_index (result->blocks, 0))->rules->len, ==, 2);
  g_clear_pointer (&result, ipastat_result_free);
  g_assert_cmpint (run (conf, "-a -s nosuch", NULL, &result), ==, IPASTAT_EXIT_USAGE);
}

/* A fake daemon: limit monthly and threshold quiet of lan_in. */
static gboolean
fake_limit (const IpastatLive *live, const char *rule, const char *limit,
            struct ipa_limit_state *state)
{
  if (strcmp (rule, "lan_in") != 0 || strcmp (limit, "monthly") != 0)
    return FALSE;
  memset (state, 0, sizeof *state);
  state->lim = 42;
  state->cnt = GPOINTER_TO_UINT (live->user_data);
  return TRUE;
}

static gboolean
fake_threshold (const IpastatLive *live, const char *rule, const char *threshold,
                struct ipa_threshold_state *state)
{
  if (strcmp (threshold, "quiet") != 0)
    return FALSE;
  memset (state, 0, sizeof *state);
  state->thr = 7;
  return TRUE;
}

static void
test_live (void)
{
  IpastatLive live = { fake_limit, fake_threshold, GUINT_TO_POINTER (41) };
  g_autoptr(IpastatResult) result = NULL;
  IpastatBlock *b;

  g_assert_cmpint (run (conf_fix, "-r lan_in -l monthly -l daily -t quiet -t burst",
                        &live, &result), ==, IPASTAT_EXIT_OK);
  g_assert_cmpuint (result->blocks->len, ==, 4);
  b = g_ptr_array_index (result->blocks, 0);
  g_assert_true (b->from_daemon);
  g_assert_cmpuint (g_array_index (b->states, struct ipa_limit_state, 0).cnt, ==, 41);
  b = g_ptr_array_index (result->blocks, 1);
  g_assert_false (b->from_daemon);
  g_assert_cmpuint (g_array_index (b->states, struct ipa_limit_state, 0).cnt, ==, 7700);
  b = g_ptr_array_index (result->blocks, 2);
  g_assert_true (b->from_daemon);
  g_assert_true (b->has_state);
  g_assert_cmpuint (b->state.thr, ==, 7);
  b = g_ptr_array_index (result->blocks, 3);
  g_assert_false (b->from_daemon);
  g_clear_pointer (&result, ipastat_result_free);
  /* History comes from the database only. */
  g_assert_cmpint (run (conf_fix, "-r lan_in -l monthly -i 2024", &live, &result),
                   ==, IPASTAT_EXIT_OK);
  b = g_ptr_array_index (result->blocks, 0);
  g_assert_false (b->from_daemon);
  g_assert_cmpuint (b->states->len, ==, 3);
}

/* A failure during start ends the run; the deinit chain still runs. */
static void
test_start_failure (void)
{
  g_autoptr(IpastatResult) result = NULL;
  g_autofree char *trace = NULL;

  g_unlink (trace_path);
  g_assert_cmpint (run ("st_mod \"ipa_test_stfix.so\";\nfix:fail = \"init_rule@lan_out:EBUSY\";\n"
                        "rule lan_in { } rule lan_out { }\n",
                        "-r lan_in", NULL, &result), ==, IPASTAT_EXIT_BUSY);
  g_assert_cmpuint (result->blocks->len, ==, 0);
  trace = read_trace ();
  g_assert_null (strstr (trace, "st_init\n"));
  g_assert_nonnull (strstr (trace, "st_deinit_rule 1\nst_deinit_rule 0\nst_deinit\n"));
  g_clear_pointer (&result, ipastat_result_free);
  g_assert_cmpint (run ("st_mod \"ipa_test_stfix.so\";\nfix:db_dir = \"/nonexistent/x\";\n",
                        "-a", NULL, &result), ==, IPASTAT_EXIT_NO_DATABASE);
  g_clear_pointer (&result, ipastat_result_free);
  g_assert_cmpint (run ("st_mod \"ipa_test_stfix.so\";\nrule a { bogus; }\n",
                        "-a", NULL, &result), ==, IPASTAT_EXIT_CONFIG);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_build_filename (g_getenv ("IPA_TEST_BUILDDIR"), "ipastat", NULL);
  g_autofree char *conf = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  /* Errors of the run go to stderr, module messages to the log. */
  ipa_log_init ("test", IPA_LOG_TARGET_STDERR);
  tmp_dir = g_dir_make_tmp ("ipastat-run-XXXXXX", NULL);
  g_setenv ("IPA_MODULE_DIR", dir, TRUE);
  trace_path = g_build_filename (tmp_dir, "trace", NULL);
  g_setenv ("IPA_TEST_TRACE", trace_path, TRUE);
  g_test_add_func ("/ipastat/run/call-order", test_call_order);
  g_test_add_func ("/ipastat/run/regex-passes", test_regex_passes);
  g_test_add_func ("/ipastat/run/results-released", test_results_released);
  g_test_add_func ("/ipastat/run/blocks", test_blocks);
  g_test_add_func ("/ipastat/run/unknown", test_unknown);
  g_test_add_func ("/ipastat/run/systems", test_systems);
  g_test_add_func ("/ipastat/run/live", test_live);
  g_test_add_func ("/ipastat/run/start-failure", test_start_failure);
  rc = g_test_run ();
  g_unlink (trace_path);
  conf = g_build_filename (tmp_dir, "ipastat.conf", NULL);
  g_unlink (conf);
  g_rmdir (tmp_dir);
  g_free (trace_path);
  g_free (tmp_dir);
  return rc;
}
