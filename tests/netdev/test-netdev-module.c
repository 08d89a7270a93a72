/*
 * test-netdev-module.c: ipa_ac_netdev.so through the real module loader
 * and ipa.conf parser, driven by netdev-host.c: configuration (parameters,
 * errors, inheritance, ipa -t / -tt output), the init and deinit chains,
 * rules and autorules on "lo" (there in every namespace, so no privilege is
 * needed), the replies -2 and -1 of ac_create_rule, and memory.
 *
 * What needs interfaces that come and go and known traffic is in
 * test-netdev-kernel.c.
 */
#include "config.h"

#include <dlfcn.h>
#include <string.h>

#include "ipa-conf-show.h"
#include "ipa-log.h"
#include "netdev-host.h"

#define HEAD "ac_mod \"ipa_ac_netdev.so\";\n"

static NetdevHost *
host_ok (const char *text, IpaConfLoadFlags flags)
{
  g_autoptr(GError) error = NULL;
  NetdevHost *h = netdev_host_new (text, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (h);
  return h;
}

static void
host_done (NetdevHost *h)
{
  g_assert_cmpuint (netdev_host_stop (h), ==, 0);
  netdev_host_free (h);
}

/* Loading */

static void
test_load (void)
{
  NetdevHost *h = host_ok (HEAD, 0);
  void *handle;

  g_assert_cmpstr (h->module->name, ==, "netdev");
  g_assert_cmpstr (h->module->prefix, ==, "netdev");
  g_assert_cmpstr (h->module->symbol, ==, "ipa_ac_netdev_ac_mod");
  g_assert_cmpuint (h->ac->api_ver, ==, IPA_AC_MOD_API_VERSION);
  g_assert_cmpuint (h->ac->mod_flags, ==, IPA_MOD_FLAG_PTHREAD_SAFE);
  /* Only the module structure is exported. */
  handle = dlopen (h->module->path, RTLD_NOW | RTLD_NOLOAD);
  g_assert_nonnull (handle);
  g_assert_nonnull (dlsym (handle, "ipa_ac_netdev_ac_mod"));
  g_assert_null (dlsym (handle, "netdev_table_lookup"));
  g_assert_null (dlsym (handle, "netdev_netlink_dump"));
  dlclose (handle);
  /* INV-74: deinit without any init. */
  host_done (h);
}

/* Configuration */

static const char show_conf[] =
  HEAD
  "netdev:source = proc;\n"
  "global {\n"
  "  ac_list = netdev;\n"
  "  netdev:unit = packets;\n"
  "}\n"
  "rulepat \"^up\" {\n"
  "  netdev:interface = \"eth1\";\n"
  "  netdev:count = tx;\n"
  "}\n"
  "rule up1 {\n"
  "  netdev:count = rx;\n"
  "}\n"
  "rule r2 {\n"
  "  netdev:interface = \"lo\";\n"
  "}\n"
  "autorule dyn {\n"
  "  netdev:interface_pattern = \"^veth[0-9]+$\";\n"
  "  netdev:rule_prefix = \"v_\";\n"
  "}\n";

/* The text of section @header ("rule up1 {") up to its closing brace. */
static char *
section (const char *text, const char *header)
{
  const char *p = strstr (text, header);
  const char *end;

  g_assert_nonnull (p);
  end = strstr (p, "\n}");
  g_assert_nonnull (end);
  return g_strndup (p, (gsize) (end - p));
}

static void
assert_has (const char *text, const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("\"%s\" not in:\n%s", needle, text);
}

static void
assert_lacks (const char *text, const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("\"%s\" unexpected in:\n%s", needle, text);
}

/* ipa -t prints what was written, ipa -tt what the module would use, and
 * both parse back to the same output. */
static void
test_show (void)
{
  NetdevHost *h = host_ok (show_conf, 0);
  g_autofree char *t = ipa_conf_show (h->conf);
  g_autofree char *up1 = section (t, "rule up1 {");
  g_autofree char *r2 = section (t, "rule r2 {");
  g_autofree char *dyn = section (t, "autorule dyn {");
  g_autofree char *glob = section (t, "global {");
  g_autofree char *tt = NULL, *tt_up1 = NULL, *tt_r2 = NULL, *tt_dyn = NULL, *tt_glob = NULL;
  g_autofree char *again = NULL;
  NetdevHost *h2;

  g_test_message ("-t:\n%s", t);
  assert_has (t, "netdev:source = proc;");
  assert_has (glob, "netdev:unit = packets;");
  assert_lacks (glob, "netdev:count");
  assert_has (up1, "netdev:count = rx;");
  assert_lacks (up1, "netdev:interface");
  assert_lacks (up1, "netdev:unit");
  assert_has (r2, "netdev:interface = \"lo\";");
  assert_lacks (r2, "netdev:count");
  assert_has (dyn, "netdev:interface_pattern = \"^veth[0-9]+$\";");
  assert_has (dyn, "netdev:rule_prefix = \"v_\";");
  assert_has (t, "netdev:interface = \"eth1\";");
  assert_has (t, "netdev:count = tx;");
  host_done (h);

  h = host_ok (show_conf, IPA_CONF_LOAD_MIMIC);
  tt = ipa_conf_show (h->conf);
  g_test_message ("-tt:\n%s", tt);
  tt_up1 = section (tt, "rule up1 {");
  tt_r2 = section (tt, "rule r2 {");
  tt_dyn = section (tt, "autorule dyn {");
  tt_glob = section (tt, "global {");
  /* Own value, rulepat, global. */
  assert_has (tt_up1, "netdev:interface = \"eth1\";");
  assert_has (tt_up1, "netdev:count = rx;");
  assert_has (tt_up1, "netdev:unit = packets;");
  /* Built-in default count. */
  assert_has (tt_r2, "netdev:count = both;");
  assert_has (tt_r2, "netdev:unit = packets;");
  assert_has (tt_glob, "netdev:count = both;");
  assert_has (tt_dyn, "netdev:count = both;");
  assert_has (tt_dyn, "netdev:unit = packets;");
  host_done (h);

  /* The printed text is a configuration that prints the same. */
  h2 = host_ok (tt, IPA_CONF_LOAD_MIMIC);
  again = ipa_conf_show (h2->conf);
  g_assert_cmpstr (again, ==, tt);
  host_done (h2);

  /* Defaults of an otherwise empty configuration: source at top level. */
  h = host_ok (HEAD "rule x { ac_list = netdev; netdev:interface = \"lo\"; }\n",
               IPA_CONF_LOAD_MIMIC);
  g_clear_pointer (&tt, g_free);
  tt = ipa_conf_show (h->conf);
  assert_has (tt, "netdev:source = auto;");
  assert_has (tt, "netdev:unit = bytes;");
  host_done (h);
}

/* Errors name the file and line, and say what is wrong. */
static void
test_conf_errors (void)
{
  static const struct {
    const char *text;
    guint line;
    const char *message;
  } cases[] = {
    { HEAD "rule r {\n  netdev:interface = \"a/b\";\n}\n", 3, "\"a/b\" is not an interface name" },
    { HEAD "rule r {\n  netdev:interface = \"abcdefghijklmnop\";\n}\n", 3, "is not an interface name" },
    { HEAD "rule r {\n  netdev:interface = \"\";\n}\n", 3, "is not an interface name" },
    { HEAD "rule r {\n  netdev:interface = \"eth0\";\n  netdev:interface = \"eth1\";\n}\n", 4,
      "netdev:interface is given twice" },
    { HEAD "rule r {\n  netdev:count = up;\n}\n", 3, "netdev:count" },
    { HEAD "global {\n  netdev:unit = bits;\n}\n", 3, "netdev:unit" },
    { HEAD "autorule a {\n  netdev:interface = \"eth0\";\n}\n", 3, "netdev:interface" },
    { HEAD "rule r {\n  netdev:interface_pattern = \"x\";\n}\n", 3, "netdev:interface_pattern" },
    { HEAD "autorule a {\n  netdev:interface_pattern = \"(\";\n}\n", 3,
      "cannot compile the regular expression \"(\"" },
    { HEAD "autorule a {\n  netdev:rule_prefix = \"a b\";\n}\n", 3, "rule names cannot contain" },
    { HEAD "autorule a {\n  netdev:rule_prefix = \"a/\";\n}\n", 3, "rule names cannot contain" },
    { HEAD "netdev:source = proc;\nglobal {\n  netdev:source = netlink;\n}\n", 4,
      "netdev:source is given twice" },
    { HEAD "netdev:source = sysfs;\n", 2, "netdev:source" },
    { HEAD "rule r {\n  limit l {\n    limit = 1G;\n    netdev:count = rx;\n  }\n}\n", 5, "netdev:count" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *prefix = g_strdup_printf ("netdev-test.conf:%u:", cases[i].line);
      NetdevHost *h = netdev_host_new (cases[i].text, 0, &error);

      g_assert_null (h);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      assert_has (error->message, cases[i].message);
    }
}

/* Settings the init functions need, and rules that do not use netdev. */
static void
test_init_errors (void)
{
  NetdevHost *h;

  h = host_ok (HEAD "rule r1 { ac_list = netdev; }\n", 0);
  g_assert_false (netdev_host_start (h));
  g_assert_true (netdev_host_has_message (h, "rule r1: netdev:interface is not set"));
  host_done (h);

  h = host_ok (HEAD "autorule a1 { ac_list = netdev; netdev:rule_prefix = \"x\"; }\n", 0);
  g_assert_false (netdev_host_start (h));
  g_assert_true (netdev_host_has_message (h, "autorule a1: netdev:interface_pattern is not set"));
  host_done (h);

  /* Settings in a rule that does not use the module are kept and freed. */
  h = host_ok (HEAD "rule other { netdev:interface = \"lo\"; }\n"
               "rule mine { ac_list = netdev; netdev:interface = \"lo\"; }\n", 0);
  g_assert_true (netdev_host_start (h));
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (netdev_host_rule_ok (h, "mine")->rounds, ==, 1);
  g_assert_cmpuint (netdev_host_rule_ok (h, "other")->rounds, ==, 0);
  host_done (h);
}

/* Statistics */

static void
run_lo (const char *source)
{
  g_autofree char *text = g_strdup_printf (HEAD "netdev:source = %s;\n"
                                           "global { ac_list = netdev; }\n"
                                           "rule r_lo { netdev:interface = \"lo\"; }\n"
                                           "rule r_missing { netdev:interface = \"nosuch0\"; netdev:count = tx; }\n",
                                           source);
  NetdevHost *h = host_ok (text, 0);

  g_assert_true (netdev_host_start (h));
  g_assert_true (netdev_host_has_message (h, "rule r_missing: interface nosuch0 does not exist now"));
  g_assert_false (netdev_host_has_message (h, "r_lo"));
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (netdev_host_rule_ok (h, "r_lo")->rounds, ==, 3);
  g_assert_cmpuint (netdev_host_rule_ok (h, "r_missing")->rounds, ==, 3);
  g_assert_cmpuint (netdev_host_rule_ok (h, "r_missing")->total, ==, 0);
  /* Said once, at start. */
  g_assert_cmpuint (h->messages->len, ==, 1);

  /* Inactive, then active again: newstat, and still nothing to say. */
  netdev_host_set_rule_active (h, "r_lo", FALSE);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (netdev_host_rule_ok (h, "r_lo")->rounds, ==, 3);
  netdev_host_set_rule_active (h, "r_lo", TRUE);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (netdev_host_rule_ok (h, "r_lo")->rounds, ==, 4);
  g_assert_cmpuint (h->messages->len, ==, 1);
  host_done (h);
}

static void
test_rounds_netlink (void)
{
  run_lo ("netlink");
}

static void
test_rounds_proc (void)
{
  run_lo ("proc");
}

static void
test_rounds_auto (void)
{
  run_lo ("auto");
}

/* The engine asks for a rule the module does not know: an error, not a
 * crash. */
static void
test_unknown_rule (void)
{
  NetdevHost *h = host_ok (HEAD "rule r { ac_list = netdev; netdev:interface = \"lo\"; }\n", 0);
  int addition;
  uint64_t chunk;

  g_assert_true (netdev_host_start (h));
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpint (h->ac->ac_get_rule_stat (1, 0, 7, &addition, &chunk), ==, -1);
  g_assert_true (netdev_host_has_message (h, "statistics asked for rule #7, which does not use netdev"));
  host_done (h);
}

/* Autorules on "lo" */

static const char autorule_conf[] =
  HEAD
  "global { ac_list = netdev; }\n"
  "rulepat \"^if_\" { netdev:count = rx; }\n"
  "autorule dyn {\n"
  "  netdev:interface_pattern = \"^lo$\";\n"
  "  netdev:rule_prefix = \"if_\";\n"
  "}\n";

static void
test_autorule_create (void)
{
  NetdevHost *h = host_ok (autorule_conf, 0);
  NetdevHostRule *r;

  g_assert_true (netdev_host_start (h));
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_true (netdev_host_has_event (h, "create if_lo #0"));
  r = netdev_host_rule_ok (h, "if_lo");
  g_assert_true (r->dynamic);
  g_assert_cmpuint (r->rounds, ==, 1);
  /* Created once. */
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (h->events->len, ==, 1);
  g_assert_cmpuint (netdev_host_n_dynamic (h), ==, 1);
  g_assert_cmpuint (netdev_host_rule_ok (h, "if_lo")->rounds, ==, 4);
  /* lo stays: no deletion, and the module's rule goes at shutdown. */
  host_done (h);
}

/* The name is taken (a static rule): the module goes on without the rule,
 * warns once, and tries again every round in case the name is freed. */
static void
test_autorule_name_exists (void)
{
  g_autofree char *text = g_strconcat (autorule_conf,
                                       "rule if_lo { netdev:interface = \"lo\"; }\n", NULL);
  NetdevHost *h = host_ok (text, 0);

  g_assert_true (netdev_host_start (h));
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (h->events->len, ==, 3);
  g_assert_true (netdev_host_has_event (h, "exists if_lo"));
  g_assert_cmpuint (netdev_host_n_dynamic (h), ==, 0);
  g_assert_cmpuint (h->messages->len, ==, 1);
  g_assert_true (netdev_host_has_message (h, "warning: autorule dyn: no rule for interface lo: "
                                          "a rule named if_lo exists already"));
  g_assert_cmpuint (netdev_host_rule_ok (h, "if_lo")->rounds, ==, 3);
  host_done (h);
}

/* A critical error of ac_create_rule makes ac_get_stat fail (INV-65). */
static void
test_autorule_create_fails (void)
{
  NetdevHost *h = host_ok (autorule_conf, 0);

  g_assert_true (netdev_host_start (h));
  h->create_result = -1;
  g_assert_cmpint (netdev_host_round (h), ==, -1);
  g_assert_true (netdev_host_has_event (h, "refuse if_lo"));
  g_assert_true (netdev_host_has_message (h, "error: autorule dyn: cannot create rule if_lo "
                                          "for interface lo"));
  h->create_result = 0;
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_true (netdev_host_has_event (h, "create if_lo #0"));
  host_done (h);
}

/* An inactive autorule makes no rules. */
static void
test_autorule_inactive (void)
{
  NetdevHost *h = host_ok (autorule_conf, 0);

  g_assert_true (netdev_host_start (h));
  netdev_host_set_autorule_active (h, 0, FALSE);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (h->events->len, ==, 0);
  netdev_host_set_autorule_active (h, 0, TRUE);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_true (netdev_host_has_event (h, "create if_lo #0"));
  host_done (h);
}

/* A dynamic rule the engine makes itself (ipactl create, A-20): the
 * interface is its name without the prefix, and the module never deletes
 * it. */
static void
test_dynrule_by_name (void)
{
  NetdevHost *h = host_ok (autorule_conf, 0);
  unsigned int next = h->n_static;

  g_assert_true (netdev_host_start (h));
  netdev_host_set_autorule_active (h, 0, FALSE);
  g_assert_cmpint (h->ac->ac_init_dynrule (0, next, "if_nosuch1"), ==, 0);
  g_assert_cmpint (h->ac->ac_init_dynrule (0, next + 1, "xx_lo"), ==, -1);
  g_assert_true (netdev_host_has_message (h, "dynamic rule xx_lo of autorule dyn: its name is "
                                          "not the prefix \"if_\" followed by an interface name"));
  g_assert_cmpint (h->ac->ac_init_dynrule (0, next, "if_lo"), ==, -1);
  g_assert_true (netdev_host_has_message (h, "is in use already"));
  g_assert_cmpint (h->ac->ac_init_dynrule (5, next + 2, "if_lo"), ==, -1);
  g_assert_true (netdev_host_has_message (h, "autorule #5 does not use netdev"));
  for (int i = 0; i < 2; i++)
    {
      int addition;
      uint64_t chunk;

      g_assert_cmpint (netdev_host_round (h), ==, 0);
      g_assert_cmpint (h->ac->ac_get_rule_stat (h->generation, i == 0, next, &addition, &chunk), ==, 0);
      g_assert_cmpuint (chunk, ==, 0);
    }
  /* Not the module's rule: no ac_delete_rule although its interface is
   * missing. */
  g_assert_cmpuint (h->events->len, ==, 0);
  h->ac->ac_deinit_rule (next);
  host_done (h);
}

/* Several configurations in a row, as reloads do: nothing leaks and no
 * state survives from one to the next. */
static void
test_reload (void)
{
  for (int i = 0; i < 3; i++)
    {
      NetdevHost *h = host_ok (i % 2 == 0 ? autorule_conf : show_conf, 0);

      if (i % 2 == 0)
        {
          g_assert_true (netdev_host_start (h));
          g_assert_cmpint (netdev_host_round (h), ==, 0);
          g_assert_true (netdev_host_has_event (h, "create if_lo #0"));
        }
      host_done (h);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);

  g_test_add_func ("/netdev/module/load", test_load);
  g_test_add_func ("/netdev/module/show", test_show);
  g_test_add_func ("/netdev/module/conf-errors", test_conf_errors);
  g_test_add_func ("/netdev/module/init-errors", test_init_errors);
  g_test_add_func ("/netdev/module/rounds-netlink", test_rounds_netlink);
  g_test_add_func ("/netdev/module/rounds-proc", test_rounds_proc);
  g_test_add_func ("/netdev/module/rounds-auto", test_rounds_auto);
  g_test_add_func ("/netdev/module/unknown-rule", test_unknown_rule);
  g_test_add_func ("/netdev/module/autorule-create", test_autorule_create);
  g_test_add_func ("/netdev/module/autorule-name-exists", test_autorule_name_exists);
  g_test_add_func ("/netdev/module/autorule-create-fails", test_autorule_create_fails);
  g_test_add_func ("/netdev/module/autorule-inactive", test_autorule_inactive);
  g_test_add_func ("/netdev/module/dynrule-by-name", test_dynrule_by_name);
  g_test_add_func ("/netdev/module/reload", test_reload);

  return g_test_run ();
}
