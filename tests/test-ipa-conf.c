/*
 * test-ipa-conf.c: the ipa.conf model: inheritance, lists, numbering,
 * exec, worktime and points, and the order of module calls.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ipa-conf-show.h"
#include "ipa-conf.h"
#include "ipa-memfunc.h"
#include "ipa-module.h"

static char *trace_path;

static IpaConf *
load_ok (IpaModuleSet *modules, const char *text, IpaConfLoadFlags flags)
{
  g_autoptr(GError) error = NULL;
  IpaConf *conf = ipa_conf_load_data ("test.conf", text, modules, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conf);
  return conf;
}

static void
test_inheritance (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules,
    "global { update_time = 10m; append_time = 1h; debug_exec = 3; }\n"
    "rulepat \"^a\" { update_time = 2m; worktime = M *; }\n"
    "rulepat \"b$\" { append_time = 20m; debug_exec = 1; }\n"
    "rule ab { }\n"                        /* first match only */
    "rule a1 { update_time = 30s; }\n"     /* own value wins */
    "rule zz { }\n",                       /* global, default */
    IPA_CONF_LOAD_NONE);
  IpaConfRule *ab = ipa_conf_find_rule (conf, "ab");
  IpaConfRule *a1 = ipa_conf_find_rule (conf, "a1");
  IpaConfRule *zz = ipa_conf_find_rule (conf, "zz");

  g_assert_nonnull (ab);
  g_assert_cmpuint (ab->eff.update_time.v, ==, 120);
  g_assert_cmpuint (ab->eff.append_time.v, ==, 3600);  /* "b$" not consulted */
  g_assert_cmpuint (ab->eff.debug_exec.v, ==, 3);
  g_assert_cmpuint (ab->rulepats->len, ==, 1);
  g_assert_false (ab->params.update_time.set);         /* as written */
  g_assert_cmpuint (ab->eff.worktime.wt->n_intervals[1], ==, 1);
  g_assert_cmpuint (ab->eff.worktime.wt->n_intervals[2], ==, 0);
  g_assert_cmpuint (a1->eff.update_time.v, ==, 30);
  g_assert_cmpuint (zz->eff.update_time.v, ==, 600);
  g_assert_cmpuint (zz->rulepats->len, ==, 0);
  g_assert_cmpstr (zz->eff.ac_list.names[0], ==, "null");
  g_assert_cmpstr (zz->eff.db_list.names[0], ==, "null");
  g_assert_cmpuint (zz->eff.debug_limit.v, ==, 0);
}

static void
test_dynamic_params (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules,
    "global { update_time = 10m; append_time = 2h; debug_exec = 2; }\n"
    "rulepat \"^d\" { update_time = 2m; append_time = 1h; }\n"
    "autorule a { update_time = 30s; }\n",
    IPA_CONF_LOAD_NONE);
  IpaConfRuleParams p;

  ipa_conf_dynamic_rule_params (conf, ipa_conf_find_autorule (conf, "a"), "dyn1", &p);
  g_assert_cmpuint (p.update_time.v, ==, 30);   /* autorule */
  g_assert_cmpuint (p.append_time.v, ==, 3600); /* rulepat */
  g_assert_cmpuint (p.debug_exec.v, ==, 2);     /* global */
  g_assert_cmpstr (p.ac_list.names[0], ==, "null");
  ipa_conf_rule_params_clear (&p);
}

static void
test_defaults (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules, "rule r { }\n", IPA_CONF_LOAD_NONE);
  IpaConfRule *r = ipa_conf_find_rule (conf, "r");

  g_assert_cmpuint (r->eff.update_time.v, ==, IPA_CONF_DEFAULT_UPDATE_TIME);
  g_assert_cmpuint (r->eff.append_time.v, ==, IPA_CONF_DEFAULT_APPEND_TIME);
  g_assert_false (conf->shell_path.set);
  g_assert_false (conf->has_global);
}

static void
test_check_next_rulepat (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules,
    "rulepat \"^a\" { check_next_rulepat = yes; update_time = 2m; }\n"
    "rulepat \"x\" { update_time = 3m; append_time = 5m; }\n"
    "rulepat \"^ax\" { append_time = 9m; }\n"
    "rule ax { }\n",
    IPA_CONF_LOAD_NONE);
  IpaConfRule *r = ipa_conf_find_rule (conf, "ax");

  g_assert_cmpuint (r->rulepats->len, ==, 2);
  g_assert_cmpuint (g_array_index (r->rulepats, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (r->rulepats, guint, 1), ==, 1);
  g_assert_cmpuint (r->eff.update_time.v, ==, 120);   /* the first wins */
  g_assert_cmpuint (r->eff.append_time.v, ==, 300);   /* then the second */
}

static void
test_rulepat_limits (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules,
    "rulepat \"^h\" {\n"
    "  limit day { limit = 1G; restart { restart = +D; } }\n"
    "  limit own { limit = 5; }\n"
    "  threshold t { threshold = 1M; }\n"
    "}\n"
    "rule h1 { limit own { limit = 7; } }\n"
    "rule other { }\n",
    IPA_CONF_LOAD_NONE);
  IpaConfRule *r = ipa_conf_find_rule (conf, "h1");
  IpaConfLimit *own = ipa_conf_rule_find_limit (r, "own");
  IpaConfLimit *day = ipa_conf_rule_find_limit (r, "day");
  IpaConfThreshold *t = ipa_conf_rule_find_threshold (r, "t");
  g_autofree char *text = ipa_conf_show (conf);

  g_assert_cmpuint (r->limits->len, ==, 2);
  g_assert_false (own->inherited);
  g_assert_cmpuint (own->limit.v, ==, 7);       /* the rule's own wins */
  g_assert_cmpuint (own->no, ==, 0);
  g_assert_true (day->inherited);
  g_assert_cmpuint (day->no, ==, 1);            /* after the rule's own */
  g_assert_cmpuint (day->limit.v, ==, 1024 * 1024 * 1024);
  g_assert_cmpuint (day->limit.kind, ==, IPA_CONF_TYPE_BYTES);
  g_assert_true (day->restart_point.set);
  g_assert_true (t->inherited);
  g_assert_cmpuint (ipa_conf_find_rule (conf, "other")->limits->len, ==, 0);
  /* -t shows copies only in their rulepat. */
  g_assert_null (strstr (strstr (text, "rule h1"), "limit day"));
}

static void
test_lists (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules,
    "ac_mod \"ipa_test_ac.so\";\n"
    "ac_mod \"ipa_test_multi.so\";\n"
    "db_mod \"ipa_test_db.so\";\n"
    "global { ac_list = test; db_list = test; }\n"
    "rule both { ac_list = test multi; }\n"
    "rule nul { ac_list = null; db_list = null; }\n"
    "rule lim { limit l { limit = 1; db_list = null; } }\n",
    IPA_CONF_LOAD_NONE);
  IpaConfRule *both = ipa_conf_find_rule (conf, "both");
  IpaConfRule *nul = ipa_conf_find_rule (conf, "nul");
  IpaConfRule *lim = ipa_conf_find_rule (conf, "lim");

  g_assert_cmpuint (conf->ac_mods->len, ==, 2);
  g_assert_cmpuint (conf->db_mods->len, ==, 1);
  g_assert_cmpstr (((IpaConfModRef *) g_ptr_array_index (conf->db_mods, 0))->name, ==, "test");
  g_assert_cmpuint (g_strv_length (both->eff.ac_list.names), ==, 2);
  g_assert_cmpstr (both->eff.db_list.names[0], ==, "test");
  g_assert_cmpstr (nul->eff.ac_list.names[0], ==, "null");
  g_assert_cmpstr (lim->eff.db_list.names[0], ==, "test");
  g_assert_cmpstr (((IpaConfLimit *) g_ptr_array_index (lim->limits, 0))->db_list.names[0], ==, "null");
  ipa_conf_modules_deinit_chain (conf);
}

static void
test_numbering (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules,
    "rulepat \"x\" { limit p { limit = 1; } }\n"
    "rule r0 { limit a { limit = 1; } limit b { limit = 1; } threshold t { threshold = 1; } }\n"
    "autorule a0 { limit c { limit = 1; } }\n"
    "rulepat \"y\" { }\n"
    "rule r1 { threshold u { threshold = 1; } threshold v { threshold = 1; } }\n"
    "autorule a1 { }\n",
    IPA_CONF_LOAD_NONE);
  IpaConfRule *r0 = g_ptr_array_index (conf->rules, 0);
  IpaConfRule *r1 = g_ptr_array_index (conf->rules, 1);

  g_assert_cmpuint (r0->no, ==, 0);
  g_assert_cmpuint (r1->no, ==, 1);
  g_assert_cmpuint (((IpaConfAutorule *) g_ptr_array_index (conf->autorules, 1))->no, ==, 1);
  g_assert_cmpuint (((IpaConfRulepat *) g_ptr_array_index (conf->rulepats, 1))->no, ==, 1);
  g_assert_cmpuint (((IpaConfLimit *) g_ptr_array_index (r0->limits, 1))->no, ==, 1);
  g_assert_cmpuint (((IpaConfThreshold *) g_ptr_array_index (r0->thresholds, 0))->no, ==, 0);
  g_assert_cmpuint (((IpaConfThreshold *) g_ptr_array_index (r1->thresholds, 1))->no, ==, 1);
  /* file order of the top level */
  g_assert_cmpuint (conf->top->len, ==, 6);
  g_assert_cmpuint (g_array_index (conf->top, IpaConfTopRef, 2).sect_id, ==, IPA_CONF_SECT_AUTORULE);
}

static void
test_exec (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules,
    "${who} = \"root\";\n"
    "startup { exec \"one\"; exec root \"two ${who}\"; exec 0:0 \"three\"; }\n"
    "rule r { limit l { limit = 1;\n"
    "  reach { exec \"${rule}/${limit}\"; }\n"
    "  sublimit 50% { reach { exec \"${sublimit}\"; } }\n"
    "  startup { exec \"s\"; if_reached { exec \"ir\"; } } } }\n",
    IPA_CONF_LOAD_NONE);
  GPtrArray *execs = conf->startup.cmds.execs;
  IpaConfExec *e;
  IpaConfLimit *l = g_ptr_array_index (ipa_conf_find_rule (conf, "r")->limits, 0);
  IpaConfSublimit *s = g_ptr_array_index (l->sublimits, 0);

  g_assert_cmpuint (execs->len, ==, 3);
  e = g_ptr_array_index (execs, 0);
  g_assert_null (e->user);
  g_assert_cmpstr (e->command, ==, "one");
  e = g_ptr_array_index (execs, 1);
  g_assert_cmpstr (e->user, ==, "root");
  g_assert_null (e->group);
  g_assert_cmpstr (e->command, ==, "two root");
  e = g_ptr_array_index (execs, 2);
  g_assert_cmpstr (e->user, ==, "0");
  g_assert_cmpstr (e->group, ==, "0");
  g_assert_cmpuint (e->loc.line, ==, 2);
  e = g_ptr_array_index (l->reach.execs, 0);
  g_assert_cmpstr (e->command, ==, "r/l");
  g_assert_true (s->value.per_cent);
  g_assert_cmpuint (s->value.v, ==, 50);
  g_assert_cmpstr (((IpaConfExec *) g_ptr_array_index (s->reach.execs, 0))->command, ==, "50%");
  g_assert_true (l->startup.if_reached.present);
  g_assert_false (l->startup.if_not_reached.present);
  g_assert_false (conf->shutdown.cmds.present);
}

static void
test_worktime_points (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules,
    "rule r { worktime = M 09:00-18:00 S *;\n"
    "  limit l { limit = 2h; worktime = M 10:00-11:00;\n"
    "    restart { restart = +M; } expire { expire = +D 2h; } }\n"
    "  threshold t { threshold = 100; threshold_deviation = 5; threshold_balance = 2:-:1; } }\n",
    IPA_CONF_LOAD_NONE);
  IpaConfRule *r = ipa_conf_find_rule (conf, "r");
  IpaConfLimit *l = g_ptr_array_index (r->limits, 0);
  IpaConfThreshold *t = g_ptr_array_index (r->thresholds, 0);
  IpaWorktime *wt = r->params.worktime.wt;

  g_assert_cmpuint (wt->n_intervals[0], ==, 1);
  g_assert_cmpuint (wt->intervals[0][0].start, ==, 0);
  g_assert_cmpuint (wt->intervals[0][0].end, ==, 1440);
  g_assert_cmpuint (wt->intervals[1][0].start, ==, 9 * 60);
  g_assert_cmpuint (wt->intervals[1][0].end, ==, 18 * 60);
  g_assert_cmpuint (l->limit.kind, ==, IPA_CONF_TYPE_TIME);
  g_assert_cmpuint (l->limit.v, ==, 7200);
  g_assert_cmpuint (l->restart_point.point.n_steps, ==, 1);
  g_assert_cmpint (l->restart_point.point.steps[0].kind, ==, IPA_TIME_STEP_END_MONTH);
  g_assert_cmpuint (l->expire_point.point.n_steps, ==, 2);
  g_assert_cmpint (l->expire_point.point.steps[1].kind, ==, IPA_TIME_STEP_DURATION);
  g_assert_cmpuint (l->expire_point.point.steps[1].seconds, ==, 7200);
  g_assert_cmpuint (t->threshold.kind, ==, IPA_CONF_TYPE_UINT64);
  g_assert_cmpuint (t->balance.below, ==, 2);
  g_assert_cmpuint (t->balance.equal, ==, IPA_CONF_BALANCE_ONCE);
  g_assert_cmpuint (t->balance.above, ==, 1);
}

static void
test_warnings (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules,
    "ctl_enable = yes;\n"
    "rule r { update_time = 10m; append_time = 5m; }\n",
    IPA_CONF_LOAD_NONE);

  g_assert_cmpuint (conf->warnings->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (conf->warnings, 0), "test.conf:1:1: ctl_enable"));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (conf->warnings, 1), "test.conf:2:"));
}

static void
test_mimic_show (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = load_ok (modules,
    "global { update_time = 7m; }\n"
    "rule r { limit l { limit = 1; } }\n",
    IPA_CONF_LOAD_MIMIC);
  g_autofree char *text = ipa_conf_show (conf);

  g_assert_nonnull (strstr (text, "shell_path = \"/bin/sh\";"));
  g_assert_nonnull (strstr (strstr (text, "rule r {"), "update_time = 7m;"));
  g_assert_nonnull (strstr (text, "load_limit = yes;"));
}

static gssize
find (const char *hay, const char *needle)
{
  const char *p = strstr (hay, needle);

  return p != NULL ? p - hay : -1;
}

/* Not inlined: GCC 12 then takes the result for a pointer to the local. */
static G_GNUC_NO_INLINE char *
read_trace (void)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (trace_path, &contents, NULL, NULL));
  return contents;
}

/* ipa_mod(3) §14.1 and A-14: conf_inherit → conf_mimic_real → conf_deinit
 * → conf_show, with numbers as in conf_event. */
static void
test_module_order (void)
{
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = NULL;
  char *trace = NULL;
  char *text = NULL;
  gssize inherit, mimic, deinit, show;

  g_assert_true (g_file_set_contents (trace_path, "", 0, NULL));
  conf = load_ok (modules,
    "ac_mod \"ipa_test_ac.so\";\n"
    "global { ac_list = test; }\n"
    "rulepat \"^r\" { tac:int32 = 4; }\n"
    "rule q { }\n"
    "rule r1 { tac:string = \"s\"; }\n",
    IPA_CONF_LOAD_MIMIC);
  text = ipa_conf_show (conf);
  ipa_conf_modules_deinit_chain (conf);
  trace = read_trace ();
  g_test_message ("%s", trace);
  inherit = find (trace, "conf_inherit 0 1 r1");
  mimic = find (trace, "conf_mimic_real");
  deinit = find (trace, "conf_deinit");
  show = find (trace, "conf_show 1 0");
  g_assert_cmpint (find (trace, "conf_event 3 1 r1"), >=, 0);
  g_assert_cmpint (find (trace, "conf_inherit 0 0"), <, 0);
  g_assert_cmpint (inherit, >=, 0);
  g_assert_cmpint (inherit, <, mimic);
  g_assert_cmpint (mimic, <, deinit);
  g_assert_cmpint (deinit, <, show);
  g_assert_cmpint (find (trace, "conf_show 1 0\nconf_show 2 0\nconf_show 7 0\nconf_show 3 0\nconf_show 3 1"), ==, show);
  g_assert_nonnull (strstr (text, "tac:string = \"s\";"));
  g_assert_cmpint (find (trace, "ac_deinit_rule 1"), >=, 0);
  g_free (trace);
  g_free (text);
}

int
main (int argc, char **argv)
{
  const char *top = g_getenv ("IPA_TEST_TOP_BUILDDIR");
  g_autofree char *moddir = NULL;
  g_autofree char *dir = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  if (top != NULL)
    {
      moddir = g_build_filename (top, "tests", "modules", NULL);
      g_setenv ("IPA_MODULE_DIR", moddir, TRUE);
    }
  dir = g_dir_make_tmp ("test-ipa-conf-XXXXXX", NULL);
  trace_path = g_build_filename (dir, "trace", NULL);
  g_setenv ("IPA_TEST_TRACE", trace_path, TRUE);

  g_test_add_func ("/ipa-conf/inheritance", test_inheritance);
  g_test_add_func ("/ipa-conf/defaults", test_defaults);
  g_test_add_func ("/ipa-conf/dynamic-params", test_dynamic_params);
  g_test_add_func ("/ipa-conf/check-next-rulepat", test_check_next_rulepat);
  g_test_add_func ("/ipa-conf/rulepat-limits", test_rulepat_limits);
  g_test_add_func ("/ipa-conf/lists", test_lists);
  g_test_add_func ("/ipa-conf/numbering", test_numbering);
  g_test_add_func ("/ipa-conf/exec", test_exec);
  g_test_add_func ("/ipa-conf/worktime-points", test_worktime_points);
  g_test_add_func ("/ipa-conf/warnings", test_warnings);
  g_test_add_func ("/ipa-conf/mimic-show", test_mimic_show);
  g_test_add_func ("/ipa-conf/module-order", test_module_order);
  rc = g_test_run ();
  g_unlink (trace_path);
  g_rmdir (dir);
  g_free (trace_path);
  g_assert_cmpuint (ipa_memfunc_check_leaks (NULL, NULL, NULL), ==, 0);
  return rc;
}
