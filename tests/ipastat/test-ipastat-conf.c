/*
 * test-ipastat-conf.c: ipastat.conf: inheritance, defaults, dynamic
 * entities, errors with their location, the module configuration phase,
 * the deinit chain and -tt printing.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ipastat-conf-show.h"
#include "ipastat-conf.h"
#include "ipa-memfunc.h"

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

static IpastatConf *
load_ok (IpaModuleSet *modules, const char *text, IpastatConfLoadFlags flags)
{
  g_autoptr(GError) error = NULL;
  IpastatConf *conf = ipastat_conf_load_data ("test.conf", text, modules, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conf);
  return conf;
}

/* Free a configuration the way ipastat does: deinit chain, then unload. */
static void
finish (IpastatConf *conf, IpaModuleSet *modules)
{
  ipastat_conf_modules_deinit_chain (conf);
  ipastat_conf_free (conf);
  ipa_module_set_free (modules);
}

static const char *
first (const IpastatOptList *l)
{
  g_assert_true (l->set);
  return l->names[0];
}

static void
test_inheritance (void)
{
  IpaModuleSet *modules = ipa_module_set_new ();
  IpastatConf *conf = load_ok (modules,
    "st_mod \"ipa_test_stfix.so\";\n"
    "st_mod \"ipa_test_stfix2.so\";\n"
    "global { value_units = bytes; }\n"
    "rulepat \"^h\" { st_list = fix2; value_units = time;\n"
    "  limit quota { } threshold busy { value_units = raw; } }\n"
    "rulepat \"^ho\" { value_units = raw; limit other { } }\n"
    "rule host { limit quota { st_list = fix; } limit own { } }\n"
    "rule lan { st_list = fix fix2; threshold t { } }\n",
    IPASTAT_CONF_LOAD_NONE);
  IpastatConfRule *host = ipastat_conf_find_rule (conf, "host");
  IpastatConfRule *lan = ipastat_conf_find_rule (conf, "lan");
  IpastatConfEntity *quota, *own, *busy;

  g_assert_nonnull (host);
  g_assert_cmpuint (host->no, ==, 0);
  g_assert_cmpuint (lan->no, ==, 1);
  g_assert_false (host->dynamic);
  /* First matching rulepat only: "^ho" is not consulted. */
  g_assert_cmpuint (host->rulepats->len, ==, 1);
  g_assert_cmpstr (first (&host->eff.st_list), ==, "fix2");
  g_assert_cmpint (host->eff.value_units.v, ==, IPASTAT_UNITS_TIME);
  g_assert_false (host->params.st_list.set);
  /* Own limits first, then the rulepat's that the rule lacks. */
  g_assert_cmpuint (host->limits->len, ==, 2);
  quota = ipastat_conf_rule_find_limit (host, "quota");
  own = ipastat_conf_rule_find_limit (host, "own");
  g_assert_false (quota->inherited);
  g_assert_cmpuint (quota->no, ==, 0);
  g_assert_cmpuint (own->no, ==, 1);
  g_assert_cmpstr (first (&quota->eff.st_list), ==, "fix");
  g_assert_cmpstr (first (&own->eff.st_list), ==, "fix2");
  g_assert_cmpint (own->eff.value_units.v, ==, IPASTAT_UNITS_TIME);
  busy = ipastat_conf_rule_find_threshold (host, "busy");
  g_assert_nonnull (busy);
  g_assert_true (busy->inherited);
  g_assert_cmpuint (busy->no, ==, 0);
  g_assert_cmpint (busy->eff.value_units.v, ==, IPASTAT_UNITS_RAW);
  /* Global and its own list. */
  g_assert_cmpuint (g_strv_length (lan->eff.st_list.names), ==, 2);
  g_assert_cmpint (lan->eff.value_units.v, ==, IPASTAT_UNITS_BYTES);
  g_assert_cmpuint (lan->rulepats->len, ==, 0);
  finish (conf, modules);
}

static void
test_defaults (void)
{
  IpaModuleSet *modules = ipa_module_set_new ();
  IpastatConf *conf = load_ok (modules,
    "st_mod \"ipa_test_stfix2.so\";\n"
    "st_mod \"ipa_test_stfix.so\";\n"
    "dynamic_limits = no;\n"
    "rulepat \"^a\" { check_next_rulepat = yes; value_units = bytes; }\n"
    "rulepat \"b$\" { st_list = fix; limit l { } }\n"
    "rule ab { }\n",
    IPASTAT_CONF_LOAD_NONE);
  IpastatConfRule *ab = ipastat_conf_find_rule (conf, "ab");
  const IpastatOptList *g = ipastat_conf_global_st_list (conf);
  g_autoptr(GPtrArray) mods = ipastat_conf_list_modules (conf, g);

  /* Every system, in st_mod order. */
  g_assert_cmpuint (g_strv_length (g->names), ==, 2);
  g_assert_cmpstr (g->names[0], ==, "fix2");
  g_assert_cmpstr (g->names[1], ==, "fix");
  g_assert_cmpuint (mods->len, ==, 2);
  g_assert_cmpstr (((IpaModule *) g_ptr_array_index (mods, 0))->name, ==, "fix2");
  g_assert_true (conf->dynamic_rules.v);
  g_assert_false (conf->dynamic_limits.v);
  g_assert_true (conf->dynamic_thresholds.v);
  /* check_next_rulepat: both rulepats apply. */
  g_assert_cmpuint (ab->rulepats->len, ==, 2);
  g_assert_cmpint (ab->eff.value_units.v, ==, IPASTAT_UNITS_BYTES);
  g_assert_cmpstr (first (&ab->eff.st_list), ==, "fix");
  g_assert_cmpuint (ab->limits->len, ==, 1);
  finish (conf, modules);
}

static void
test_dynamic (void)
{
  IpaModuleSet *modules = ipa_module_set_new ();
  IpastatConf *conf = load_ok (modules,
    "st_mod \"ipa_test_stfix.so\";\n"
    "global { value_units = bytes; }\n"
    "rulepat \"^host_\" { value_units = time; limit quota { } }\n"
    "rule lan_in { }\n",
    IPASTAT_CONF_LOAD_NONE);
  IpastatConfRule *r;
  IpastatConfEntity *l, *t;
  const char *const fix[] = { "fix", NULL };

  g_assert_cmpuint (conf->n_static_rules, ==, 1);
  r = ipastat_conf_add_dynamic_rule (conf, "host_x");
  g_assert_true (r->dynamic);
  g_assert_cmpuint (r->no, ==, 1);
  g_assert_true (ipastat_conf_find_rule (conf, "host_x") == r);
  g_assert_cmpint (r->eff.value_units.v, ==, IPASTAT_UNITS_TIME);
  g_assert_cmpuint (r->limits->len, ==, 1);
  l = ipastat_conf_add_dynamic_limit (r, "extra");
  g_assert_true (l->dynamic);
  g_assert_cmpuint (l->no, ==, 1);
  g_assert_cmpint (l->eff.value_units.v, ==, IPASTAT_UNITS_TIME);
  t = ipastat_conf_add_dynamic_threshold (r, "t");
  g_assert_cmpuint (t->no, ==, 0);
  r = ipastat_conf_add_dynamic_rule (conf, "other");
  g_assert_cmpuint (r->no, ==, 2);
  g_assert_cmpint (r->eff.value_units.v, ==, IPASTAT_UNITS_BYTES);
  g_assert_cmpuint (r->limits->len, ==, 0);
  ipastat_conf_rule_override_st_list (r, fix);
  g_assert_cmpstr (first (&r->eff.st_list), ==, "fix");

  g_assert_true (ipastat_conf_name_is_valid ("a.b-c_d"));
  g_assert_false (ipastat_conf_name_is_valid (""));
  g_assert_false (ipastat_conf_name_is_valid ("a/b"));
  g_assert_false (ipastat_conf_name_is_valid ("a b"));
  g_assert_false (ipastat_conf_name_is_valid ("a\tb"));
  finish (conf, modules);
}

typedef struct {
  const char *text;
  IpaConfErrorCode code;
  guint line;          /* in @text, from 1 */
  guint col;           /* 0: not checked */
  const char *what;    /* part of the message */
} Bad;

static const Bad bad[] = {
  { "global { st_list = nosuch; }", IPA_CONF_ERROR_UNKNOWN, 1, 10, "nosuch" },
  { "rule a { st_list = fix fix; }", IPA_CONF_ERROR_DUPLICATE, 1, 10, "twice" },
  { "rule a { }\nrule a { }", IPA_CONF_ERROR_DUPLICATE, 2, 1, "duplicate rule" },
  { "global { }\nglobal { }", IPA_CONF_ERROR_DUPLICATE, 2, 1, "global" },
  { "rule a { limit l { }\n limit l { } }", IPA_CONF_ERROR_DUPLICATE, 2, 2, "duplicate limit" },
  { "global { value_units = furlongs; }", IPA_CONF_ERROR_VALUE, 1, 10, "furlongs" },
  { "limit x { }", IPA_CONF_ERROR_PLACEMENT, 1, 1, "limit" },
  { "rule a { limit l { limit m { } } }", IPA_CONF_ERROR_PLACEMENT, 1, 20, "limit" },
  { "global { limit l { } }", IPA_CONF_ERROR_PLACEMENT, 1, 10, "limit" },
  { "rule a { dynamic_rules = no; }", IPA_CONF_ERROR_PLACEMENT, 1, 10, "dynamic_rules" },
  { "dynamic_rules = maybe;", IPA_CONF_ERROR_VALUE, 1, 0, "maybe" },
  { "st_mod \"ipa_no_such_module.so\";", IPA_CONF_ERROR_MODULE, 1, 0, "ipa_no_such_module" },
  { "rule \"a/b\" { }", IPA_CONF_ERROR_VALUE, 1, 1, "a/b" },
  { "rulepat \"(\" { }", IPA_CONF_ERROR_VALUE, 1, 1, "regular expression" },
  { "fix:fail = \"rule_stat:EWHAT\";", IPA_CONF_ERROR_MODULE, 1, 0, "EWHAT" },
  { "rule a { fix:db_dir = \"/\"; }", IPA_CONF_ERROR_PLACEMENT, 1, 10, "db_dir" },
  { "rule a { st_list; }", IPA_CONF_ERROR_ARGS, 1, 10, "st_list" },
  { "rule a { bogus = 1; }", IPA_CONF_ERROR_UNKNOWN, 1, 10, "bogus" },
  { "rule a {", IPA_CONF_ERROR_SYNTAX, 0, 0, "" },
};

static void
test_errors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strconcat ("st_mod \"ipa_test_stfix.so\";\n",
                                           bad[i].text, "\n", NULL);
      g_autofree char *where = NULL;
      IpastatConf *conf;

      g_test_message ("%s", bad[i].text);
      conf = ipastat_conf_load_data ("test.conf", text, modules,
                                     IPASTAT_CONF_LOAD_NONE, &error);
      g_assert_null (conf);
      g_assert_error (error, IPA_CONF_ERROR, (gint) bad[i].code);
      /* Lines count from the st_mod line before @text. */
      if (bad[i].line == 0)
        where = g_strdup ("test.conf:");
      else if (bad[i].col == 0)
        where = g_strdup_printf ("test.conf:%u:", bad[i].line + 1);
      else
        where = g_strdup_printf ("test.conf:%u:%u: ", bad[i].line + 1, bad[i].col);
      g_assert_true (g_str_has_prefix (error->message, where));
      g_assert_nonnull (strstr (error->message, bad[i].what));
    }
  /* A rejected file leaves no memory behind (modules got conf_deinit and
   * the deinit chain). */
  g_assert_cmpuint (ipa_memfunc_check_leaks (NULL, NULL, NULL), ==, 0);
}

/* conf_event → conf_inherit → conf_mimic_real (-tt) → conf_deinit, and
 * the deinit chain: dynamic rules first, a rule's limits and thresholds
 * before the rule, st_deinit last. */
static void
test_module_phase (void)
{
  IpaModuleSet *modules = ipa_module_set_new ();
  IpastatConf *conf;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  IpastatConfRule *dyn;

  g_unlink (trace_path);
  conf = load_ok (modules,
    "st_mod \"ipa_test_stfix.so\";\n"
    "rulepat \"^h\" { fix:tag = \"pat\"; }\n"
    "rule h1 { limit l { } threshold t { } }\n",
    IPASTAT_CONF_LOAD_MIMIC);
  t1 = read_trace ();
  g_assert_nonnull (strstr (t1, "conf_init\n"));
  g_assert_nonnull (strstr (t1, "conf_event 11 0 ^h\n"));
  g_assert_nonnull (strstr (t1, "conf_event 3 0 h1\n"));
  g_assert_nonnull (strstr (t1, "conf_event 5 0 l\n"));
  g_assert_nonnull (strstr (t1, "conf_inherit 0 0 h1\nconf_mimic_real\nconf_deinit\n"));
  dyn = ipastat_conf_add_dynamic_rule (conf, "d");
  ipastat_conf_add_dynamic_limit (dyn, "dl");
  ipastat_conf_modules_deinit_chain (conf);
  t2 = read_trace ();
  g_assert_cmpstr (t2, ==,
                   "st_deinit_limit 1 0\n"
                   "st_deinit_rule 1\n"
                   "st_deinit_limit 0 0\n"
                   "st_deinit_threshold 0 0\n"
                   "st_deinit_rule 0\n"
                   "st_deinit\n");
  ipastat_conf_free (conf);
  ipa_module_set_free (modules);
}

/* -tt output is a configuration that gives itself again; -t output (not
 * printed by ipastat, but the same code) too. */
static void
test_show_roundtrip (void)
{
  static const char *const texts[] = {
    "st_mod \"ipa_test_stfix.so\";\n"
    "st_mod \"ipa_test_stfix2.so\";\n"
    "dynamic_thresholds = no;\n"
    "fix:db_dir = \"/tmp\";\n"
    "global { value_units = bytes; fix:tag = \"g\"; }\n"
    "rulepat \"^host_\" { value_units = time; fix:tag = \"hosts\"; limit quota { } }\n"
    "rule lan_in { st_list = fix2 fix; limit monthly { value_units = raw; } threshold burst { } }\n"
    "rule host_a { }\n"
    "rule \"with space\" { }\n",
    "st_mod \"ipa_test_stfix.so\";\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    for (int mimic = 0; mimic <= 1; mimic++)
      {
        IpastatConfLoadFlags flags = mimic ? IPASTAT_CONF_LOAD_MIMIC : IPASTAT_CONF_LOAD_NONE;
        g_autoptr(GError) error = NULL;
        IpaModuleSet *m1 = ipa_module_set_new ();
        IpaModuleSet *m2 = ipa_module_set_new ();
        IpastatConf *c1, *c2;
        g_autofree char *s1 = NULL;
        g_autofree char *s2 = NULL;

        c1 = ipastat_conf_load_data ("test.conf", texts[i], m1, flags, &error);
        if (i == 0)
          {
            /* "with space" is not a valid rule name. */
            g_assert_null (c1);
            g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE);
            ipa_module_set_free (m1);
            ipa_module_set_free (m2);
            continue;
          }
        g_assert_no_error (error);
        s1 = ipastat_conf_show (c1);
        finish (c1, m1);
        c2 = load_ok (m2, s1, flags);
        s2 = ipastat_conf_show (c2);
        finish (c2, m2);
        g_assert_cmpstr (s1, ==, s2);
      }
}

static void
test_show_mimic (void)
{
  IpaModuleSet *m1 = ipa_module_set_new ();
  IpaModuleSet *m2 = ipa_module_set_new ();
  const char *text =
    "st_mod \"ipa_test_stfix.so\";\n"
    "st_mod \"ipa_test_stfix2.so\";\n"
    "dynamic_thresholds = no;\n"
    "fix:db_dir = \"/tmp\";\n"
    "global { value_units = bytes; fix:tag = \"g\"; }\n"
    "rulepat \"^host_\" { value_units = time; fix:tag = \"hosts\"; limit quota { } }\n"
    "rule lan_in { st_list = fix2 fix; limit monthly { value_units = raw; } threshold burst { } }\n"
    "rule host_a { }\n";
  IpastatConf *c1 = load_ok (m1, text, IPASTAT_CONF_LOAD_MIMIC);
  IpastatConf *c2 = load_ok (m2, text, IPASTAT_CONF_LOAD_NONE);
  g_autofree char *tt = ipastat_conf_show (c1);
  g_autofree char *t = ipastat_conf_show (c2);

  /* -tt fills defaults in and shows what rules inherit. */
  g_assert_nonnull (strstr (tt, "dynamic_rules = yes;\n"));
  g_assert_null (strstr (t, "dynamic_rules"));
  g_assert_nonnull (strstr (t, "dynamic_thresholds = no;\n"));
  g_assert_nonnull (strstr (tt, "rule host_a {\n    st_list = fix fix2;\n    value_units = time;\n"
                                "    fix:tag = \"hosts\";\n    limit quota {\n"));
  /* Without -tt only what the module holds for the rule (it copied the
   * rulepat's tag in conf_inherit). */
  g_assert_nonnull (strstr (t, "rule host_a {\n    fix:tag = \"hosts\";\n}\n"));
  g_assert_nonnull (strstr (tt, "fix:db_dir = \"/tmp\";\n"));
  g_assert_nonnull (strstr (tt, "    limit monthly {\n        st_list = fix2 fix;\n        value_units = raw;\n"));
  finish (c1, m1);
  finish (c2, m2);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_build_filename (g_getenv ("IPA_TEST_BUILDDIR"), "ipastat", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("ipastat-conf-XXXXXX", NULL);
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("IPA_MODULE_DIR", dir, TRUE);
  trace_path = g_build_filename (tmp, "trace", NULL);
  g_setenv ("IPA_TEST_TRACE", trace_path, TRUE);
  g_test_add_func ("/ipastat/conf/inheritance", test_inheritance);
  g_test_add_func ("/ipastat/conf/defaults", test_defaults);
  g_test_add_func ("/ipastat/conf/dynamic", test_dynamic);
  g_test_add_func ("/ipastat/conf/errors", test_errors);
  g_test_add_func ("/ipastat/conf/module-phase", test_module_phase);
  g_test_add_func ("/ipastat/conf/show-roundtrip", test_show_roundtrip);
  g_test_add_func ("/ipastat/conf/show-mimic", test_show_mimic);
  rc = g_test_run ();
  g_unlink (trace_path);
  g_rmdir (tmp);
  g_free (trace_path);
  return rc;
}
