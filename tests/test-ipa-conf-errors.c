/*
 * test-ipa-conf-errors.c: malformed ipa.conf texts and the error each
 * one gives: code, line, column and a piece of the message.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "ipa-conf.h"
#include "ipa-memfunc.h"
#include "ipa-module.h"

typedef struct {
  const char *name;
  const char *text;
  IpaConfErrorCode code;
  guint line;
  guint column;           /* 0: not checked */
  const char *message;    /* a substring of the message */
} ErrorCase;

#define AC "ac_mod \"ipa_test_ac.so\";\n"
#define DB "db_mod \"ipa_test_db.so\";\n"

static const ErrorCase cases[] = {
  /* syntax */
  { "no-semicolon", "shell_arg1 = \"-c\"\nrule a {}\n", IPA_CONF_ERROR_SYNTAX, 1, 1, "expected ';'" },
  { "unclosed-section", "rule a {\n  info = \"x\";\n", IPA_CONF_ERROR_SYNTAX, 0, 0, "" },
  { "stray-brace", "}\n", IPA_CONF_ERROR_SYNTAX, 1, 1, "" },
  { "unterminated-string", "rule a {\n info = \"abc;\n}\n", IPA_CONF_ERROR_SYNTAX, 2, 0, "" },
  { "unterminated-comment", "/* open\nrule a {}\n", IPA_CONF_ERROR_SYNTAX, 1, 1, "" },
  { "bad-escape", "rule a { info = \"a\\qb\"; }\n", IPA_CONF_ERROR_SYNTAX, 1, 0, "" },
  { "capital-keyword", "Rule x { }\n", IPA_CONF_ERROR_UNKNOWN, 1, 1, "Rule" },
  { "unknown-param", "rule a {\n  frobnicate = 1;\n}\n", IPA_CONF_ERROR_UNKNOWN, 2, 3, "frobnicate" },
  { "unknown-section", "bogus { }\n", IPA_CONF_ERROR_UNKNOWN, 1, 1, "bogus" },
  /* macros */
  { "undefined-macro", "rule a { info = \"${nope}\"; }\n", IPA_CONF_ERROR_MACRO, 1, 0, "nope" },
  { "macro-out-of-scope", "rule a { ${v} = \"1\"; }\nrule b { info = \"${v}\"; }\n", IPA_CONF_ERROR_MACRO, 2, 0, "v" },
  { "rule-macro-at-root", "shell_arg1 = \"${rule}\";\n", IPA_CONF_ERROR_MACRO, 1, 0, "rule" },
  { "limit-macro-in-rule", "rule a { info = \"${limit}\"; }\n", IPA_CONF_ERROR_MACRO, 1, 0, "limit" },
  /* includes */
  { "include-missing", "include \"/nonexistent/ipa-test.conf\";\n", IPA_CONF_ERROR_INCLUDE, 1, 1, "nonexistent" },
  { "include-files-missing-dir", "include_files \"/nonexistent-dir/*.conf\";\n", IPA_CONF_ERROR_INCLUDE, 1, 1, "" },
  /* values */
  { "time-bad-unit", "global { update_time = 5x; }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "time-zero", "global { update_time = 0s; }\n", IPA_CONF_ERROR_VALUE, 1, 10, "greater than zero" },
  { "bytes-overflow", "rule a { limit l { limit = 99999999999T; } }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "number-overflow", "rule a { limit l { limit = 99999999999999999999999; } }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "bytes-order", "rule a { limit l { limit = 1M 1G; } }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "bad-boolean", "rulepat \"x\" { check_next_rulepat = maybe; }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "debug-not-number", "global { debug_exec = high; }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "percent-over", "rule a { threshold t { threshold = 1G; threshold_deviation = 150%; } }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "limit-per-cent", "rule a { limit l { limit = 5%; } }\n", IPA_CONF_ERROR_VALUE, 1, 20, "per cent" },
  { "worktime-bad-day", "rule a { worktime = X 10:00-11:00; }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "worktime-bad-interval", "rule a { worktime = M 12:00-11:00; }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "worktime-day-twice", "rule a { worktime = M * M 10:00-11:00; }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "restart-bad-point", "rule a { limit l { limit = 1G; restart { restart = +Q; } } }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "expire-zero-point", "rule a { limit l { limit = 1G; expire { expire = 0s; } } }\n", IPA_CONF_ERROR_VALUE, 1, 0, "" },
  { "threshold-type-range", "rule a { threshold t { threshold = 1; threshold_type = 9; } }\n", IPA_CONF_ERROR_VALUE, 1, 0, "0..3" },
  { "balance-form", "rule a { threshold t { threshold = 1; threshold_balance = 1:2; } }\n", IPA_CONF_ERROR_VALUE, 1, 0, "BELOW:EQUAL:ABOVE" },
  { "balance-field", "rule a { threshold t { threshold = 1; threshold_balance = 1:x:2; } }\n", IPA_CONF_ERROR_VALUE, 1, 0, "\"x\"" },
  { "time-slice-zero", "rule a { threshold t { threshold = 1; threshold_time_slice = 0s; } }\n", IPA_CONF_ERROR_VALUE, 1, 0, "greater than zero" },
  { "bad-rulepat-re", "rulepat \"a(b\" { }\n", IPA_CONF_ERROR_VALUE, 1, 1, "regular expression" },
  { "bad-gather-re", "rule a { ac_gather_add = \"[x\"; }\n", IPA_CONF_ERROR_VALUE, 1, 10, "regular expression" },
  { "name-with-slash", "rule \"a/b\" { }\n", IPA_CONF_ERROR_VALUE, 1, 1, "'/'" },
  { "empty-name", "rule \"\" { }\n", IPA_CONF_ERROR_VALUE, 1, 1, "empty" },
  { "shell-relative", "shell_path = \"sh\";\n", IPA_CONF_ERROR_VALUE, 1, 1, "absolute" },
  { "exec-unknown-user", "startup { exec no_such_user_x1 \"true\"; }\n", IPA_CONF_ERROR_VALUE, 1, 11, "unknown user" },
  { "exec-unknown-group", "startup { exec root:no_such_group_x1 \"true\"; }\n", IPA_CONF_ERROR_VALUE, 1, 11, "unknown group" },
  { "exec-empty", "startup { exec \"\"; }\n", IPA_CONF_ERROR_VALUE, 1, 11, "empty command" },
  { "acl-empty-group", "ctl_acl_class a \"root %\";\n", IPA_CONF_ERROR_VALUE, 1, 1, "empty group" },
  /* arguments */
  { "exec-word", "startup { exec true; }\n", IPA_CONF_ERROR_ARGS, 1, 11, "must be a string" },
  { "exec-three", "startup { exec root \"a\" \"b\"; }\n", IPA_CONF_ERROR_ARGS, 1, 11, "USER" },
  { "rule-two-names", "rule a b { }\n", IPA_CONF_ERROR_ARGS, 1, 1, "one name" },
  { "rule-no-name", "rule { }\n", IPA_CONF_ERROR_ARGS, 1, 1, "" },
  { "acl-class-word", "ctl_acl_class a root;\n", IPA_CONF_ERROR_ARGS, 1, 1, "string" },
  { "limit-string", "rule a { limit l { limit = \"1G\"; } }\n", IPA_CONF_ERROR_ARGS, 1, 20, "string" },
  { "global-with-arg", "global x { }\n", IPA_CONF_ERROR_ARGS, 1, 1, "" },
  /* placement */
  { "limit-at-root", "limit l { limit = 1; }\n", IPA_CONF_ERROR_PLACEMENT, 1, 1, "" },
  { "ac-mod-in-rule", "rule a { ac_mod \"x.so\"; }\n", IPA_CONF_ERROR_PLACEMENT, 1, 10, "" },
  { "exec-in-rule", "rule a { exec \"x\"; }\n", IPA_CONF_ERROR_PLACEMENT, 1, 10, "" },
  { "if-reached-in-rule", "rule a { startup { if_reached { exec \"x\"; } } }\n", IPA_CONF_ERROR_PLACEMENT, 1, 20, "limit" },
  { "if-any-in-limit", "rule a { limit l { limit = 1; shutdown { if_any_reached { } } } }\n", IPA_CONF_ERROR_PLACEMENT, 1, 42, "rule" },
  { "if-any-in-root", "startup { if_all_reached { } }\n", IPA_CONF_ERROR_PLACEMENT, 1, 11, "rule" },
  { "restart-in-threshold", "rule a { threshold t { threshold = 1; restart { } } }\n", IPA_CONF_ERROR_PLACEMENT, 1, 0, "" },
  { "info-in-global", "global { info = \"x\"; }\n", IPA_CONF_ERROR_PLACEMENT, 1, 10, "" },
  { "check-next-in-rule", "rule a { check_next_rulepat = yes; }\n", IPA_CONF_ERROR_PLACEMENT, 1, 10, "" },
  { "update-time-at-root", "update_time = 1m;\n", IPA_CONF_ERROR_PLACEMENT, 1, 1, "" },
  { "sublimit-in-rule", "rule a { sublimit 5% { } }\n", IPA_CONF_ERROR_PLACEMENT, 1, 10, "" },
  /* duplicates */
  { "dup-rule", "rule a { }\nrule b { }\nrule a { }\n", IPA_CONF_ERROR_DUPLICATE, 3, 1, "duplicate rule" },
  { "dup-autorule", "autorule a { }\nautorule a { }\n", IPA_CONF_ERROR_DUPLICATE, 2, 1, "duplicate autorule" },
  { "dup-limit", "rule a {\n limit l { limit = 1; }\n limit l { limit = 2; }\n}\n", IPA_CONF_ERROR_DUPLICATE, 3, 2, "duplicate limit" },
  { "dup-threshold", "rule a {\n threshold t { threshold = 1; }\n threshold t { threshold = 2; }\n}\n", IPA_CONF_ERROR_DUPLICATE, 3, 2, "duplicate threshold" },
  { "dup-global", "global { }\nglobal { }\n", IPA_CONF_ERROR_DUPLICATE, 2, 1, "global" },
  { "dup-param", "global {\n update_time = 1m;\n update_time = 2m;\n}\n", IPA_CONF_ERROR_DUPLICATE, 3, 2, "update_time" },
  { "dup-restart", "rule a { limit l { limit = 1;\n restart { }\n restart { } } }\n", IPA_CONF_ERROR_DUPLICATE, 3, 2, "restart" },
  { "dup-startup", "startup { }\nstartup { }\n", IPA_CONF_ERROR_DUPLICATE, 2, 1, "startup" },
  { "dup-sublimit", "rule a { limit l { limit = 1G;\n sublimit 5% { }\n sublimit 5% { } } }\n", IPA_CONF_ERROR_DUPLICATE, 3, 2, "sublimit" },
  { "dup-acl-class", "ctl_acl_class a \"root\";\nctl_acl_class a \"root\";\n", IPA_CONF_ERROR_DUPLICATE, 2, 1, "ctl_acl_class" },
  { "dup-in-list", "global { db_list = null null; }\n", IPA_CONF_ERROR_DUPLICATE, 1, 10, "twice" },
  /* semantic checks after parsing */
  { "limit-without-value", "rule a {\n limit l { info = \"x\"; }\n}\n", IPA_CONF_ERROR_SEMANTIC, 2, 2, "no \"limit\" parameter" },
  { "threshold-without-value", "rule a {\n threshold t { }\n}\n", IPA_CONF_ERROR_SEMANTIC, 2, 2, "no \"threshold\" parameter" },
  { "rulepat-limit-without-value", "rulepat \"x\" {\n limit l { }\n}\n", IPA_CONF_ERROR_SEMANTIC, 2, 2, "limit" },
  { "unknown-ac", "rule a {\n ac_list = nosuch;\n}\n", IPA_CONF_ERROR_UNKNOWN, 2, 2, "unknown accounting system \"nosuch\"" },
  { "unknown-db", "global { db_list = nosuch; }\n", IPA_CONF_ERROR_UNKNOWN, 1, 10, "unknown database \"nosuch\"" },
  { "unknown-db-limit", "rule a { limit l { limit = 1;\n db_list = other; } }\n", IPA_CONF_ERROR_UNKNOWN, 2, 2, "unknown database" },
  { "null-combined", AC "rule a {\n ac_list = null test;\n}\n", IPA_CONF_ERROR_SEMANTIC, 3, 2, "null" },
  { "unknown-acl-class", "ctl_query_acl = nobody_class;\n", IPA_CONF_ERROR_UNKNOWN, 1, 1, "ctl_acl_class" },
  { "unknown-rule-acl", "rule a { ctl_rule_acl = x; }\n", IPA_CONF_ERROR_UNKNOWN, 1, 10, "ctl_acl_class" },
  { "limit-worktime-outside", "rule a {\n worktime = M 09:00-18:00;\n limit l { limit = 1;\n  worktime = M 08:00-10:00; } }\n", IPA_CONF_ERROR_SEMANTIC, 4, 3, "not inside" },
  { "threshold-worktime-outside", "global { worktime = M *; }\nrule a { threshold t { threshold = 1;\n worktime = T *; } }\n", IPA_CONF_ERROR_SEMANTIC, 3, 2, "not inside" },
  { "sublimit-above", "rule a { limit l { limit = 1G;\n sublimit 2G { } } }\n", IPA_CONF_ERROR_SEMANTIC, 2, 2, "above" },
  { "sublimit-kind", "rule a { limit l { limit = 1G;\n sublimit 1h { } } }\n", IPA_CONF_ERROR_SEMANTIC, 2, 2, "sublimit" },
  { "slice-not-divide", "rule a { threshold t { threshold = 1;\n threshold_time_width = 1h;\n threshold_time_slice = 7m; } }\n", IPA_CONF_ERROR_SEMANTIC, 3, 2, "divide" },
  { "deviation-kind", "rule a { threshold t { threshold = 1G;\n threshold_deviation = 5m; } }\n", IPA_CONF_ERROR_SEMANTIC, 2, 2, "threshold_deviation" },
  { "autorule-two-ac", AC "ac_mod \"ipa_test_multi.so\";\nautorule a {\n ac_list = test multi;\n}\n", IPA_CONF_ERROR_SEMANTIC, 4, 2, "exactly one" },
  /* modules */
  { "module-missing", "ac_mod \"no_such_module.so\";\n", IPA_CONF_ERROR_MODULE, 1, 1, "no_such_module" },
  { "module-bad-version", "ac_mod \"ipa_test_badver.so\";\n", IPA_CONF_ERROR_MODULE, 1, 1, "" },
  { "module-init-fails", "ac_mod \"ipa_test_initfail.so\";\n", IPA_CONF_ERROR_MODULE, 1, 1, "" },
  { "module-twice", AC AC, IPA_CONF_ERROR_MODULE, 2, 1, "" },
  { "unknown-prefix", AC "rule a { nope:int32 = 1; }\n", IPA_CONF_ERROR_UNKNOWN, 2, 10, "nope" },
  { "unknown-module-param", AC "rule a { tac:nosuch = 1; }\n", IPA_CONF_ERROR_UNKNOWN, 2, 10, "nosuch" },
  { "module-regex-mismatch", AC "rule a {\n tac:words = A1;\n}\n", IPA_CONF_ERROR_ARGS, 3, 14, "do not match" },
  { "module-nargs", AC "rule a {\n tac:int32 = 1 2;\n}\n", IPA_CONF_ERROR_ARGS, 3, 2, "" },
  { "module-none-with-arg", AC "tac:none x;\n", IPA_CONF_ERROR_ARGS, 2, 1, "" },
  { "module-rejects", AC "rule a {\n tac:fail oops;\n}\n", IPA_CONF_ERROR_MODULE, 3, 2, "oops" },
  { "module-bad-type", AC "tac:int32 = abc;\n", IPA_CONF_ERROR_VALUE, 2, 13, "abc" },
  { "module-param-before-load", "tac:int32 = 1;\n" AC, IPA_CONF_ERROR_UNKNOWN, 1, 1, "tac" },
  { "module-sect-placement", AC "global { tac:sect s { } }\n", IPA_CONF_ERROR_PLACEMENT, 2, 10, "" },
  { "db-unknown-param", DB "global { tdb:nosuch = \"x\"; }\n", IPA_CONF_ERROR_UNKNOWN, 2, 10, "nosuch" },
};

static void
test_error_case (gconstpointer data)
{
  const ErrorCase *c = data;
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL;
  IpaConf *conf;

  conf = ipa_conf_load_data ("test.conf", c->text, modules,
                             IPA_CONF_LOAD_NONE, &error);
  if (conf != NULL)
    {
      ipa_conf_free (conf);
      g_test_fail_printf ("case %s: accepted", c->name);
      return;
    }
  g_test_message ("case %s: %s (code %d)", c->name, error->message, error->code);
  if (error->domain != IPA_CONF_ERROR || error->code != (gint) c->code)
    g_test_fail_printf ("case %s: expected code %d, got %d", c->name,
                        (int) c->code, error->code);
  g_assert_true (g_str_has_prefix (error->message, "test.conf:") ||
                 g_str_has_prefix (error->message, "/"));
  if (c->line != 0)
    {
      prefix = c->column != 0 ? g_strdup_printf ("test.conf:%u:%u: ", c->line, c->column)
                              : g_strdup_printf ("test.conf:%u:", c->line);
      if (!g_str_has_prefix (error->message, prefix))
        g_test_fail_printf ("case %s: expected location %s, got %s", c->name,
                            prefix, error->message);
    }
  if (strstr (error->message, c->message) == NULL)
    g_test_fail_printf ("case %s: expected \"%s\" in \"%s\"", c->name,
                        c->message, error->message);
}

int
main (int argc, char **argv)
{
  const char *top = g_getenv ("IPA_TEST_TOP_BUILDDIR");
  g_autofree char *moddir = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  if (top != NULL)
    {
      moddir = g_build_filename (top, "tests", "modules", NULL);
      g_setenv ("IPA_MODULE_DIR", moddir, TRUE);
    }
  g_assert_cmpuint (G_N_ELEMENTS (cases), >=, 60);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ipa-conf-errors/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_error_case);
    }
  rc = g_test_run ();
  /* Nothing of the host may stay allocated. */
  g_assert_cmpuint (ipa_memfunc_check_leaks (NULL, NULL, NULL), ==, 0);
  return rc;
}
