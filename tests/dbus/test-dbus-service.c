/*
 * test-dbus-service.c: org.ipasystem.Ipa1 in one process: the service on
 * a private bus (GTestDBus) serving the real engine with ipa_atest and
 * ipa_db_memory on a virtual clock, called by a second connection; and
 * the parts below it (object paths, errors, the ACL decision).
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipa-dbus-acl.h"
#include "ipa-dbus-error.h"
#include "ipa-dbus-names.h"
#include "ipa-dbus-private.h"
#include "ipa-dbus-resources.h"
#include "ipa-dbus-service.h"
#include "ipa-engine.h"

#define MANAGER IPA_DBUS_IFACE_MANAGER
#define PROPS "org.freedesktop.DBus.Properties"
#define OBJMGR "org.freedesktop.DBus.ObjectManager"
#define RULE_TYPE "(sssbbttxa(sbbtta{sx})a(sbsttxx))"

/* ---- names ---- */

static void
test_names (void)
{
  static const char *const names[] = { "lan_in", "a", "Ä-ü.x", "host-10.0.0.5", "x_2f" };
  g_autofree char *p = NULL;

  p = ipa_dbus_rule_path ("lan_in");
  g_assert_cmpstr (p, ==, "/org/ipasystem/Ipa1/rule/lan_5fin");
  g_free (p);
  p = ipa_dbus_limit_path ("r1", "month");
  g_assert_cmpstr (p, ==, "/org/ipasystem/Ipa1/limit/r1_2fmonth");
  g_free (p);
  p = ipa_dbus_threshold_path ("r1", "t");
  g_assert_cmpstr (p, ==, "/org/ipasystem/Ipa1/threshold/r1_2ft");
  g_free (p);
  p = ipa_dbus_autorule_path ("hosts");
  g_assert_cmpstr (p, ==, "/org/ipasystem/Ipa1/autorule/hosts");
  g_clear_pointer (&p, g_free);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = ipa_dbus_limit_path (names[i], "l_1");
      const char *node = path + strlen ("/org/ipasystem/Ipa1/limit/");
      g_autofree char *name = NULL;
      g_autofree char *sub = NULL;

      g_assert_true (g_variant_is_object_path (path));
      g_assert_true (ipa_dbus_parse_node (IPA_DBUS_KIND_LIMIT, node, &name, &sub));
      g_assert_cmpstr (name, ==, names[i]);
      g_assert_cmpstr (sub, ==, "l_1");
    }

  {
    static const struct {
      IpaDbusKind kind;
      const char *node;
    } bad[] = {
      { IPA_DBUS_KIND_RULE, "_41" },        /* "A", not the canonical form */
      { IPA_DBUS_KIND_RULE, "a_00b" },      /* a NUL inside */
      { IPA_DBUS_KIND_RULE, "_ff" },        /* not UTF-8 */
      { IPA_DBUS_KIND_RULE, "_" },          /* empty */
      { IPA_DBUS_KIND_RULE, "a_2fb" },      /* a '/' in a rule name */
      { IPA_DBUS_KIND_RULE, "_zz" },        /* not an escape */
      { IPA_DBUS_KIND_LIMIT, "r1" },        /* no '/' */
      { IPA_DBUS_KIND_LIMIT, "r1_2f" },     /* empty limit */
      { IPA_DBUS_KIND_LIMIT, "_2fl" },      /* empty rule */
      { IPA_DBUS_KIND_MANAGER, "x" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *name = NULL;
        g_autofree char *sub = NULL;

        g_assert_false (ipa_dbus_parse_node (bad[i].kind, bad[i].node, &name, &sub));
        g_assert_null (name);
        g_assert_null (sub);
      }
  }
}

/* ---- errors ---- */

static void
test_errors (void)
{
  g_autoptr(GError) e = g_error_new_literal (IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_RULE, "x");
  g_autofree char *name = g_dbus_error_encode_gerror (e);
  g_autoptr(GError) back = NULL;

  g_assert_cmpstr (name, ==, "org.ipasystem.Ipa1.Error.NoSuchRule");
  back = g_dbus_error_new_for_dbus_error ("org.ipasystem.Ipa1.Error.TooLarge", "big");
  g_assert_error (back, IPA_DBUS_ERROR, IPA_DBUS_ERROR_TOO_LARGE);
  for (int c = 0; c < IPA_DBUS_N_ERRORS; c++)
    g_assert_nonnull (ipa_dbus_error_get_name (c));
  g_assert_cmpstr (ipa_dbus_error_get_name (IPA_DBUS_ERROR_ACCESS_DENIED), ==, "AccessDenied");
  g_assert_null (ipa_dbus_error_get_name (IPA_DBUS_N_ERRORS));
}

/* ---- the ACL decision ---- */

static void
test_acl (void)
{
  static const char text[] =
    "ctl_acl_class viewers \"nobody 1234\";\n"
    "ctl_acl_class admins \"%nogroup %777\";\n"
    "ctl_acl_class nobody_at_all \"no_such_user_xyz %no_such_group_xyz\";\n"
    "ctl_query_acl = viewers;\n"
    "ctl_dump_acl = admins;\n"
    "rule r1 { ctl_rule_acl = admins; }\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(IpaModuleSet) modules = ipa_module_set_new ();
  g_autoptr(IpaConf) conf = ipa_conf_load_data ("acl.conf", text, modules,
                                                IPA_CONF_LOAD_NONE, &error);
  g_autoptr(IpaDbusAcl) acl = NULL;
  guint32 no_groups[] = { 5 };
  guint32 adm_groups[] = { 5, 777 };
  IpaDbusCaller root = { 0, 0, NULL };
  IpaDbusCaller nobody = { 65534, 1, no_groups };   /* a viewer by name */
  IpaDbusCaller u1234 = { 1234, 1, no_groups };     /* a viewer by number */
  IpaDbusCaller admin = { 4321, 2, adm_groups };    /* by group number */
  IpaDbusCaller stranger = { 4321, 1, no_groups };
  const char *const rule_acl[] = { "admins", NULL };
  const char *const ghost_acl[] = { "nobody_at_all", NULL };

  g_assert_no_error (error);
  acl = ipa_dbus_acl_new (conf);

  /* Root always, even without a configuration. */
  g_assert_true (ipa_dbus_acl_check (NULL, &root, IPA_DBUS_ACCESS_RULE, NULL, "x", NULL));
  g_assert_true (ipa_dbus_acl_check (acl, &root, IPA_DBUS_ACCESS_DUMP, NULL, "x", NULL));
  g_assert_false (ipa_dbus_acl_check (NULL, &nobody, IPA_DBUS_ACCESS_QUERY, NULL, "read",
                                      &error));
  g_assert_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_ACCESS_DENIED);
  g_assert_nonnull (strstr (error->message, "only root"));
  g_clear_error (&error);

  g_assert_true (ipa_dbus_acl_check (acl, &nobody, IPA_DBUS_ACCESS_QUERY, NULL, "x", NULL));
  g_assert_true (ipa_dbus_acl_check (acl, &u1234, IPA_DBUS_ACCESS_QUERY, NULL, "x", NULL));
  g_assert_false (ipa_dbus_acl_check (acl, &nobody, IPA_DBUS_ACCESS_DUMP, NULL, "call Dump",
                                      &error));
  g_assert_nonnull (strstr (error->message, "may not call Dump (not granted by ctl_dump_acl)"));
  g_assert_nonnull (strstr (error->message, "uid 65534"));
  g_clear_error (&error);
  g_assert_false (ipa_dbus_acl_check (acl, &nobody, IPA_DBUS_ACCESS_RULE, rule_acl, "x",
                                      NULL));

  g_assert_true (ipa_dbus_acl_check (acl, &admin, IPA_DBUS_ACCESS_DUMP, NULL, "x", NULL));
  g_assert_true (ipa_dbus_acl_check (acl, &admin, IPA_DBUS_ACCESS_RULE, rule_acl, "x", NULL));
  /* Reading one rule: its ctl_rule_acl grants it too. */
  g_assert_true (ipa_dbus_acl_check (acl, &admin, IPA_DBUS_ACCESS_QUERY, rule_acl, "x", NULL));
  g_assert_false (ipa_dbus_acl_check (acl, &admin, IPA_DBUS_ACCESS_QUERY, NULL, "x", NULL));
  /* No ctl_rule_acl: nobody but root changes the rule. */
  g_assert_false (ipa_dbus_acl_check (acl, &admin, IPA_DBUS_ACCESS_RULE, NULL, "x", &error));
  g_assert_nonnull (strstr (error->message, "no ctl_rule_acl"));
  g_clear_error (&error);
  g_assert_false (ipa_dbus_acl_check (acl, &stranger, IPA_DBUS_ACCESS_QUERY, NULL, "x", NULL));
  g_assert_false (ipa_dbus_acl_check (acl, &admin, IPA_DBUS_ACCESS_RULE, ghost_acl, "x", NULL));
}

/* ---- the service on a private bus ---- */

typedef struct {
  char *path;
  char *interface;
  char *member;
  GVariant *params;
} Signal;

typedef struct {
  GTestDBus *dbus;
  char *dir;
  char *conf_path;
  IpaClock *clock;
  IpaExecRunner *runner;
  IpaEngine *engine;
  GDBusConnection *server;
  GDBusConnection *client;
  IpaDbusService *service;
  guint wakeups;
  char *next_conf;          /* written before a reload */
  GPtrArray *signals;       /* Signal* */
  guint signal_sub;
} Fixture;

/* 2024-03-05 12:00:00 UTC, a Tuesday. */
#define START_WALL G_GINT64_CONSTANT (1709640000)

#define CONF_HEAD \
  "ac_mod \"ipa_atest.so\";\n" \
  "db_mod \"ipa_db_memory.so\";\n" \
  "memory:file = \"@DIR@/db\";\n" \
  "freeze_time = 7s;\n" \
  "global { ac_list = atest; db_list = memory; update_time = 1s; }\n"

static const char conf_text[] = CONF_HEAD
  "rule r1 { atest:chunk = 10;\n"
  "  limit l1 { limit = 25; }\n"
  "  threshold t1 { threshold = 100; threshold_time_width = 10s; threshold_time_slice = 1s; }\n"
  "}\n"
  "rule r_2 { atest:chunk = 1; info = \"second\"; }\n"
  "rule gone { atest:chunk = 1; }\n"
  "autorule a1 { atest:chunk = 5; limit q { limit = 1K; } }\n";

static void
signal_free (Signal *s)
{
  g_free (s->path);
  g_free (s->interface);
  g_free (s->member);
  g_variant_unref (s->params);
  g_free (s);
}

static void
on_signal (GDBusConnection *c, const char *sender, const char *path, const char *interface,
           const char *member, GVariant *params, gpointer user_data)
{
  Fixture *f = user_data;
  Signal *s = g_new0 (Signal, 1);

  s->path = g_strdup (path);
  s->interface = g_strdup (interface);
  s->member = g_strdup (member);
  s->params = g_variant_ref (params);
  g_ptr_array_add (f->signals, s);
}

static void
write_conf (Fixture *f, const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "@DIR@", -1);
  g_autofree char *joined = g_strjoinv (f->dir, parts);

  g_assert_true (g_file_set_contents (f->conf_path, joined, -1, NULL));
}

static IpaEngine *
start_engine (Fixture *f, IpaEngineSnapshot *snapshot, IpaEngineStartFlags flags)
{
  g_autoptr(GError) error = NULL;
  IpaModuleSet *modules = ipa_module_set_new ();
  IpaConf *conf = ipa_conf_load (f->conf_path, modules, IPA_CONF_LOAD_NONE, &error);
  IpaEngine *engine;

  g_assert_no_error (error);
  engine = ipa_engine_new (f->clock, f->runner);
  g_assert_true (ipa_engine_start (engine, conf, modules, snapshot, flags, &error));
  g_assert_no_error (error);
  ipa_engine_dispatch (engine);
  return engine;
}

static void
stop_engine (Fixture *f)
{
  if (f->engine == NULL)
    return;
  ipa_dbus_service_set_engine (f->service, NULL);
  ipa_engine_stop (f->engine, IPA_ENGINE_STOP_NONE);
  g_clear_pointer (&f->engine, ipa_engine_free);
}

/* The Reload hook: synchronous, from inside the call. */
static void
hook_reload (IpaDbusReloadDone done, gpointer done_data, gpointer user_data)
{
  Fixture *f = user_data;
  IpaEngineSnapshot *snapshot = ipa_engine_take_snapshot (f->engine);

  stop_engine (f);
  if (f->next_conf != NULL)
    write_conf (f, f->next_conf);
  f->engine = start_engine (f, snapshot, IPA_ENGINE_START_NONE);
  ipa_dbus_service_set_engine (f->service, f->engine);
  done (TRUE, NULL, done_data);
}

static void
hook_wakeup (gpointer user_data)
{
  ((Fixture *) user_data)->wakeups++;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  IpaDbusDaemonHooks hooks = { hook_reload, hook_wakeup, f };
  const char *address;

  f->dir = g_dir_make_tmp ("ipa-dbus-XXXXXX", &error);
  g_assert_no_error (error);
  f->conf_path = g_build_filename (f->dir, "ipa.conf", NULL);
  write_conf (f, conf_text);
  f->signals = g_ptr_array_new_with_free_func ((GDestroyNotify) signal_free);

  f->dbus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->dbus);
  address = g_test_dbus_get_bus_address (f->dbus);
  f->server = ipa_dbus_service_connect (address, &error);
  g_assert_no_error (error);
  f->client = ipa_dbus_service_connect (address, &error);
  g_assert_no_error (error);

  f->clock = ipa_clock_new_virtual (START_WALL);
  f->runner = ipa_exec_runner_new (NULL, NULL, 0);
  f->engine = start_engine (f, NULL, IPA_ENGINE_START_STARTUP);
  f->service = ipa_dbus_service_new (f->server, &hooks, &error);
  g_assert_no_error (error);
  g_assert_true (ipa_dbus_service_own_name (f->service, &error));
  g_assert_no_error (error);
  ipa_dbus_service_set_engine (f->service, f->engine);
  f->signal_sub = g_dbus_connection_signal_subscribe (f->client, NULL, NULL, NULL, NULL, NULL,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_signal,
                                                      f, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_dbus_connection_signal_unsubscribe (f->client, f->signal_sub);
  stop_engine (f);
  g_clear_pointer (&f->service, ipa_dbus_service_free);
  g_dbus_connection_close_sync (f->client, NULL, NULL);
  g_dbus_connection_close_sync (f->server, NULL, NULL);
  g_clear_object (&f->client);
  g_clear_object (&f->server);
  g_test_dbus_down (f->dbus);
  g_clear_object (&f->dbus);
  ipa_exec_runner_free (f->runner);
  ipa_clock_unref (f->clock);
  g_ptr_array_unref (f->signals);
  g_unlink (f->conf_path);
  {
    g_autofree char *db = g_build_filename (f->dir, "db", NULL);

    g_unlink (db);
  }
  g_rmdir (f->dir);
  g_free (f->conf_path);
  g_free (f->dir);
  g_free (f->next_conf);
}

/* Let @seconds of virtual time pass, dispatching as the engine wants. */
static void
advance (Fixture *f, int seconds)
{
  for (int i = 0; i < seconds; i++)
    {
      ipa_clock_advance (f->clock, G_USEC_PER_SEC);
      ipa_engine_dispatch (f->engine);
    }
}

typedef struct {
  GVariant *reply;
  GError *error;
  gboolean done;
} CallResult;

static void
call_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CallResult *r = user_data;

  r->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &r->error);
  r->done = TRUE;
}

/* A call from the client, with the main loop (and so the service)
 * running meanwhile. */
static GVariant *
call (Fixture *f, const char *path, const char *interface, const char *method,
      GVariant *params, GError **error)
{
  CallResult r = { 0 };

  g_dbus_connection_call (f->client, IPA_DBUS_NAME, path, interface, method, params, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 10000, NULL, call_done, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.reply;
}

static GVariant *
call_ok (Fixture *f, const char *path, const char *interface, const char *method,
         GVariant *params)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = call (f, path, interface, method, params, &error);

  g_assert_no_error (error);
  return reply;
}

static void
call_fails (Fixture *f, const char *path, const char *interface, const char *method,
            GVariant *params, GQuark domain, int code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, path, interface, method, params, &error);

  g_assert_null (reply);
  g_assert_error (error, domain, code);
}

static GVariant *
get_prop (Fixture *f, const char *path, const char *interface, const char *name)
{
  g_autoptr(GVariant) reply = call_ok (f, path, PROPS, "Get",
                                       g_variant_new ("(ss)", interface, name));
  GVariant *v;

  g_variant_get (reply, "(v)", &v);
  return v;
}

/* Signals arrive after the replies sent before them: a call makes sure
 * every signal emitted before it has been received. */
static void
sync_signals (Fixture *f)
{
  g_autoptr(GVariant) reply = call_ok (f, IPA_DBUS_PATH, "org.freedesktop.DBus.Peer", "Ping",
                                       NULL);

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static guint
count_signals (Fixture *f, const char *member, const char *path)
{
  guint n = 0;

  for (guint i = 0; i < f->signals->len; i++)
    {
      Signal *s = g_ptr_array_index (f->signals, i);

      if (strcmp (s->member, member) == 0 && (path == NULL || strcmp (s->path, path) == 0))
        n++;
    }
  return n;
}

/* The object paths announced by InterfacesAdded or InterfacesRemoved. */
static gboolean
announced (Fixture *f, const char *member, const char *object)
{
  for (guint i = 0; i < f->signals->len; i++)
    {
      Signal *s = g_ptr_array_index (f->signals, i);
      const char *o;

      if (strcmp (s->member, member) != 0)
        continue;
      g_variant_get_child (s->params, 0, "&o", &o);
      if (strcmp (o, object) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_list_rules (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) rules = NULL;
  g_autoptr(GVariant) r1 = NULL;
  g_autoptr(GVariant) limits = NULL;
  const char *name, *info, *autorule, *lname, *position;
  gboolean active, dynamic, lactive, reached;
  guint64 counter, update_time, lim, cnt, thr;
  gint64 start, from, updated;
  guint32 next;
  GVariant *events;

  advance (f, 2);
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "ListRules", g_variant_new ("(uu)", 0, 0));
  g_variant_get (reply, "(@a" RULE_TYPE "u)", &rules, &next);
  g_assert_cmpuint (g_variant_n_children (rules), ==, 3);
  g_assert_cmpuint (next, ==, 0);

  r1 = g_variant_get_child_value (rules, 0);
  g_variant_get (r1, "(&s&s&sbbttx@a(sbbtta{sx})@a(sbsttxx))", &name, &info, &autorule,
                 &active, &dynamic, &counter, &update_time, &start, &limits, NULL);
  g_assert_cmpstr (name, ==, "r1");
  g_assert_cmpstr (autorule, ==, "");
  g_assert_true (active);
  g_assert_false (dynamic);
  /* The first round at start and one a second since. */
  g_assert_cmpuint (counter, ==, 30);
  g_assert_cmpuint (update_time, ==, 1);
  g_assert_cmpint (start, ==, START_WALL);
  g_assert_cmpuint (g_variant_n_children (limits), ==, 1);
  g_variant_get_child (limits, 0, "(&sbbtt@a{sx})", &lname, &lactive, &reached, &lim, &cnt,
                       &events);
  g_assert_cmpstr (lname, ==, "l1");
  g_assert_true (reached);   /* 30 >= 25 */
  g_assert_cmpuint (lim, ==, 25);
  g_assert_cmpuint (cnt, ==, 30);
  {
    gint64 when = 0;

    g_assert_true (g_variant_lookup (events, "start", "x", &when));
    g_assert_cmpint (when, ==, START_WALL);
    g_assert_true (g_variant_lookup (events, "reach", "x", &when));
    g_assert_false (g_variant_lookup (events, "expire", "x", &when));
  }
  g_variant_unref (events);

  g_clear_pointer (&reply, g_variant_unref);
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "GetRule", g_variant_new ("(s)", "r_2"));
  g_variant_get (reply, "(" RULE_TYPE ")", &name, &info, NULL, NULL, NULL, &counter, NULL, NULL,
                 NULL, NULL);
  g_assert_cmpstr (name, ==, "r_2");
  g_assert_cmpstr (info, ==, "second");
  g_assert_cmpuint (counter, ==, 3);
  g_free ((char *) name);
  g_free ((char *) info);

  /* Threshold entry. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "GetRule", g_variant_new ("(s)", "r1"));
  {
    g_autoptr(GVariant) rule = g_variant_get_child_value (reply, 0);
    g_autoptr(GVariant) thresholds = g_variant_get_child_value (rule, 9);

    g_assert_cmpuint (g_variant_n_children (thresholds), ==, 1);
    g_variant_get_child (thresholds, 0, "(&sb&sttxx)", &lname, &lactive, &position, &thr, &cnt,
                         &from, &updated);
    g_assert_cmpstr (lname, ==, "t1");
    g_assert_cmpuint (thr, ==, 100);
    g_assert_cmpuint (cnt, ==, 30);
    g_assert_cmpint (updated, ==, START_WALL + 2);
  }

  /* Pages. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "ListRules", g_variant_new ("(uu)", 1, 1));
  g_clear_pointer (&rules, g_variant_unref);
  g_variant_get (reply, "(@a" RULE_TYPE "u)", &rules, &next);
  g_assert_cmpuint (g_variant_n_children (rules), ==, 1);
  g_assert_cmpuint (next, ==, 2);
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&rules, g_variant_unref);
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "ListRules", g_variant_new ("(uu)", 2, 5));
  g_variant_get (reply, "(@a" RULE_TYPE "u)", &rules, &next);
  g_assert_cmpuint (g_variant_n_children (rules), ==, 1);
  g_assert_cmpuint (next, ==, 0);
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&rules, g_variant_unref);
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "ListRules", g_variant_new ("(uu)", 99, 0));
  g_variant_get (reply, "(@a" RULE_TYPE "u)", &rules, &next);
  g_assert_cmpuint (g_variant_n_children (rules), ==, 0);

  call_fails (f, IPA_DBUS_PATH, MANAGER, "GetRule", g_variant_new ("(s)", "nope"),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_RULE);
  call_fails (f, IPA_DBUS_PATH, MANAGER, "GetRule", g_variant_new ("(u)", 5),
              G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
}

static void
test_properties (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GVariant) all = NULL;
  g_autoptr(GError) error = NULL;

  advance (f, 1);
  v = get_prop (f, "/org/ipasystem/Ipa1/rule/r1", IPA_DBUS_IFACE_RULE, "Counter");
  g_assert_cmpuint (g_variant_get_uint64 (v), ==, 20);
  g_clear_pointer (&v, g_variant_unref);
  v = get_prop (f, "/org/ipasystem/Ipa1/rule/r1", IPA_DBUS_IFACE_RULE, "Limits");
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "ao");
  g_clear_pointer (&v, g_variant_unref);
  v = get_prop (f, "/org/ipasystem/Ipa1/rule/r_5f2", IPA_DBUS_IFACE_RULE, "Info");
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "second");
  g_clear_pointer (&v, g_variant_unref);
  v = get_prop (f, "/org/ipasystem/Ipa1/limit/r1_2fl1", IPA_DBUS_IFACE_LIMIT, "Rule");
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "/org/ipasystem/Ipa1/rule/r1");
  g_clear_pointer (&v, g_variant_unref);
  v = get_prop (f, "/org/ipasystem/Ipa1/threshold/r1_2ft1", IPA_DBUS_IFACE_THRESHOLD, "Threshold");
  g_assert_cmpuint (g_variant_get_uint64 (v), ==, 100);
  g_clear_pointer (&v, g_variant_unref);
  v = get_prop (f, "/org/ipasystem/Ipa1/autorule/a1", IPA_DBUS_IFACE_AUTORULE, "Name");
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "a1");
  g_clear_pointer (&v, g_variant_unref);
  v = get_prop (f, IPA_DBUS_PATH, MANAGER, "NRules");
  g_assert_cmpuint (g_variant_get_uint32 (v), ==, 3);
  g_clear_pointer (&v, g_variant_unref);
  v = get_prop (f, IPA_DBUS_PATH, MANAGER, "LastUpdate");
  g_assert_cmpint (g_variant_get_int64 (v), ==, START_WALL + 1);
  g_clear_pointer (&v, g_variant_unref);

  all = call_ok (f, "/org/ipasystem/Ipa1/limit/r1_2fl1", PROPS, "GetAll",
                 g_variant_new ("(s)", IPA_DBUS_IFACE_LIMIT));
  {
    g_autoptr(GVariant) dict = g_variant_get_child_value (all, 0);
    guint64 lim = 0;

    g_assert_cmpuint (g_variant_n_children (dict), ==, 8);
    g_assert_true (g_variant_lookup (dict, "Limit", "t", &lim));
    g_assert_cmpuint (lim, ==, 25);
  }

  call_fails (f, "/org/ipasystem/Ipa1/rule/r1", PROPS, "Get",
              g_variant_new ("(ss)", IPA_DBUS_IFACE_RULE, "NoSuchProperty"),
              G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  call_fails (f, "/org/ipasystem/Ipa1/rule/r1", PROPS, "GetAll",
              g_variant_new ("(s)", IPA_DBUS_IFACE_LIMIT),
              G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  v = call (f, "/org/ipasystem/Ipa1/rule/r1", PROPS, "Set",
            g_variant_new ("(ssv)", IPA_DBUS_IFACE_RULE, "Counter", g_variant_new_uint64 (0)),
            &error);
  g_assert_null (v);
  g_assert_true (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY) ||
                 g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS));
  g_clear_error (&error);

  /* Objects that do not exist: our named errors. */
  call_fails (f, "/org/ipasystem/Ipa1/rule/nope", PROPS, "GetAll",
              g_variant_new ("(s)", IPA_DBUS_IFACE_RULE),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_RULE);
  call_fails (f, "/org/ipasystem/Ipa1/limit/r1_2fnope", PROPS, "Get",
              g_variant_new ("(ss)", IPA_DBUS_IFACE_LIMIT, "Limit"),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_LIMIT);
  call_fails (f, "/org/ipasystem/Ipa1/threshold/nope_2ft1", PROPS, "Get",
              g_variant_new ("(ss)", IPA_DBUS_IFACE_THRESHOLD, "Threshold"),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_RULE);
  call_fails (f, "/org/ipasystem/Ipa1/limit/r1", PROPS, "Get",
              g_variant_new ("(ss)", IPA_DBUS_IFACE_LIMIT, "Limit"),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_LIMIT);
  call_fails (f, "/org/ipasystem/Ipa1/autorule/_ff", PROPS, "GetAll",
              g_variant_new ("(s)", IPA_DBUS_IFACE_AUTORULE),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_AUTORULE);
}

static void
test_object_manager (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) reply = call_ok (f, IPA_DBUS_PATH, OBJMGR, "GetManagedObjects", NULL);
  g_autoptr(GVariant) objects = g_variant_get_child_value (reply, 0);
  static const char *const paths[] = {
    "/org/ipasystem/Ipa1/rule/r1", "/org/ipasystem/Ipa1/rule/r_5f2",
    "/org/ipasystem/Ipa1/rule/gone", "/org/ipasystem/Ipa1/limit/r1_2fl1",
    "/org/ipasystem/Ipa1/threshold/r1_2ft1", "/org/ipasystem/Ipa1/autorule/a1",
  };

  g_assert_cmpuint (g_variant_n_children (objects), ==, G_N_ELEMENTS (paths));
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GVariant) ifaces = g_variant_lookup_value (objects, paths[i],
                                                           G_VARIANT_TYPE ("a{sa{sv}}"));

      g_assert_nonnull (ifaces);
      g_assert_cmpuint (g_variant_n_children (ifaces), ==, 1);
    }
  /* Introspection of a subtree lists its children. */
  {
    g_autoptr(GVariant) xml = call_ok (f, "/org/ipasystem/Ipa1/rule",
                                       "org.freedesktop.DBus.Introspectable", "Introspect",
                                       NULL);
    const char *text;

    g_variant_get (xml, "(&s)", &text);
    g_assert_nonnull (strstr (text, "<node name=\"r_5f2\""));
  }
}

static void
test_too_large (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) reply = NULL;

  ipa_dbus_service_set_max_reply (f->service, 200);
  call_fails (f, IPA_DBUS_PATH, MANAGER, "ListRules", g_variant_new ("(uu)", 0, 0),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_TOO_LARGE);
  call_fails (f, IPA_DBUS_PATH, OBJMGR, "GetManagedObjects", NULL,
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_TOO_LARGE);
  /* One rule without limits fits. */
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "ListRules", g_variant_new ("(uu)", 1, 1));
}

static void
test_set (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) v = NULL;
  guint wakeups = f->wakeups;

  g_variant_unref (call_ok (f, "/org/ipasystem/Ipa1/rule/r_5f2", IPA_DBUS_IFACE_RULE, "Set",
                            g_variant_new ("(st)", "+", (guint64) 1000)));
  v = get_prop (f, "/org/ipasystem/Ipa1/rule/r_5f2", IPA_DBUS_IFACE_RULE, "Counter");
  g_assert_cmpuint (g_variant_get_uint64 (v), ==, 1001);
  g_clear_pointer (&v, g_variant_unref);
  g_assert_cmpuint (f->wakeups, >, wakeups);
  g_variant_unref (call_ok (f, "/org/ipasystem/Ipa1/rule/r_5f2", IPA_DBUS_IFACE_RULE, "Set",
                            g_variant_new ("(st)", "-", (guint64) 1)));
  v = get_prop (f, "/org/ipasystem/Ipa1/rule/r_5f2", IPA_DBUS_IFACE_RULE, "Counter");
  g_assert_cmpuint (g_variant_get_uint64 (v), ==, 1000);
  g_clear_pointer (&v, g_variant_unref);
  call_fails (f, "/org/ipasystem/Ipa1/rule/r_5f2", IPA_DBUS_IFACE_RULE, "Set",
              g_variant_new ("(st)", "=", (guint64) 1), IPA_DBUS_ERROR,
              IPA_DBUS_ERROR_INVALID_VALUE);
  call_fails (f, "/org/ipasystem/Ipa1/rule/r_5f2", IPA_DBUS_IFACE_RULE, "Set",
              g_variant_new ("(st)", "*", (guint64) 1), IPA_DBUS_ERROR,
              IPA_DBUS_ERROR_INVALID_VALUE);
  call_fails (f, "/org/ipasystem/Ipa1/rule/nope", IPA_DBUS_IFACE_RULE, "Set",
              g_variant_new ("(st)", "+", (guint64) 1), IPA_DBUS_ERROR,
              IPA_DBUS_ERROR_NO_SUCH_RULE);

  g_variant_unref (call_ok (f, "/org/ipasystem/Ipa1/limit/r1_2fl1", IPA_DBUS_IFACE_LIMIT, "Set",
                            g_variant_new ("(sst)", "limit", "=", (guint64) 5000)));
  v = get_prop (f, "/org/ipasystem/Ipa1/limit/r1_2fl1", IPA_DBUS_IFACE_LIMIT, "Limit");
  g_assert_cmpuint (g_variant_get_uint64 (v), ==, 5000);
  g_clear_pointer (&v, g_variant_unref);
  call_fails (f, "/org/ipasystem/Ipa1/limit/r1_2fl1", IPA_DBUS_IFACE_LIMIT, "Set",
              g_variant_new ("(sst)", "threshold", "=", (guint64) 1), IPA_DBUS_ERROR,
              IPA_DBUS_ERROR_INVALID_VALUE);
  /* Not reached (10 < 5000): nothing to expire. */
  call_fails (f, "/org/ipasystem/Ipa1/limit/r1_2fl1", IPA_DBUS_IFACE_LIMIT, "Expire", NULL,
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_STATE);
  g_variant_unref (call_ok (f, "/org/ipasystem/Ipa1/limit/r1_2fl1", IPA_DBUS_IFACE_LIMIT,
                            "Restart", NULL));
  v = get_prop (f, "/org/ipasystem/Ipa1/limit/r1_2fl1", IPA_DBUS_IFACE_LIMIT, "Counter");
  g_assert_cmpuint (g_variant_get_uint64 (v), ==, 0);
  g_clear_pointer (&v, g_variant_unref);

  g_variant_unref (call_ok (f, "/org/ipasystem/Ipa1/threshold/r1_2ft1",
                            IPA_DBUS_IFACE_THRESHOLD, "Set",
                            g_variant_new ("(sst)", "threshold", "+", (guint64) 50)));
  v = get_prop (f, "/org/ipasystem/Ipa1/threshold/r1_2ft1", IPA_DBUS_IFACE_THRESHOLD,
                "Threshold");
  g_assert_cmpuint (g_variant_get_uint64 (v), ==, 150);
  g_clear_pointer (&v, g_variant_unref);
  call_fails (f, "/org/ipasystem/Ipa1/threshold/r1_2ft1", IPA_DBUS_IFACE_THRESHOLD, "Set",
              g_variant_new ("(sst)", "limit", "+", (guint64) 50), IPA_DBUS_ERROR,
              IPA_DBUS_ERROR_INVALID_VALUE);
  call_fails (f, "/org/ipasystem/Ipa1/threshold/r1_2ft1", IPA_DBUS_IFACE_THRESHOLD, "Set",
              g_variant_new ("(st)", "+", (guint64) 50), G_DBUS_ERROR,
              G_DBUS_ERROR_INVALID_ARGS);
  /* Changing a value is announced, the counter is not. */
  sync_signals (f);
  g_assert_cmpuint (count_signals (f, "PropertiesChanged",
                                   "/org/ipasystem/Ipa1/threshold/r1_2ft1"), >=, 1);
  g_assert_cmpuint (count_signals (f, "PropertiesChanged", "/org/ipasystem/Ipa1/rule/r_5f2"),
                    ==, 0);
}

static void
test_dynamic (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) v = NULL;
  g_autofree char *long_name = g_strnfill (300, 'x');
  const char *path;

  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "CreateRule",
                   g_variant_new ("(sss)", "a1", "host.1", "first host"));
  g_variant_get (reply, "(&o)", &path);
  g_assert_cmpstr (path, ==, "/org/ipasystem/Ipa1/rule/host_2e1");
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_ok (f, "/org/ipasystem/Ipa1/autorule/a1", IPA_DBUS_IFACE_AUTORULE, "CreateRule",
                   g_variant_new ("(ss)", "host2", ""));
  g_clear_pointer (&reply, g_variant_unref);

  v = get_prop (f, "/org/ipasystem/Ipa1/rule/host_2e1", IPA_DBUS_IFACE_RULE, "Autorule");
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "a1");
  g_clear_pointer (&v, g_variant_unref);
  v = get_prop (f, "/org/ipasystem/Ipa1/autorule/a1", IPA_DBUS_IFACE_AUTORULE, "Rules");
  g_assert_cmpuint (g_variant_n_children (v), ==, 2);
  g_clear_pointer (&v, g_variant_unref);

  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "ListAutorules", NULL);
  {
    g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
    g_autofree const char **names = NULL;
    const char *name;

    g_assert_cmpuint (g_variant_n_children (list), ==, 1);
    g_variant_get_child (list, 0, "(&s^a&s)", &name, &names);
    g_assert_cmpstr (name, ==, "a1");
    g_assert_cmpuint (g_strv_length ((char **) names), ==, 2);
  }
  g_clear_pointer (&reply, g_variant_unref);

  call_fails (f, IPA_DBUS_PATH, MANAGER, "CreateRule", g_variant_new ("(sss)", "a1", "r1", ""),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_EXISTS);
  call_fails (f, IPA_DBUS_PATH, MANAGER, "CreateRule",
              g_variant_new ("(sss)", "a1", "a b", ""),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_INVALID_VALUE);
  call_fails (f, IPA_DBUS_PATH, MANAGER, "CreateRule",
              g_variant_new ("(sss)", "a1", long_name, ""),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_INVALID_VALUE);
  call_fails (f, IPA_DBUS_PATH, MANAGER, "CreateRule", g_variant_new ("(sss)", "zz", "h", ""),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_AUTORULE);
  call_fails (f, IPA_DBUS_PATH, MANAGER, "DeleteRule", g_variant_new ("(s)", "r1"),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NOT_DYNAMIC);

  sync_signals (f);
  g_assert_cmpuint (count_signals (f, "RuleCreated", IPA_DBUS_PATH), ==, 2);
  g_assert_true (announced (f, "InterfacesAdded", "/org/ipasystem/Ipa1/rule/host_2e1"));
  g_assert_true (announced (f, "InterfacesAdded", "/org/ipasystem/Ipa1/limit/host_2e1_2fq"));

  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "DeleteRule", g_variant_new ("(s)", "host.1"));
  call_fails (f, IPA_DBUS_PATH, MANAGER, "GetRule", g_variant_new ("(s)", "host.1"),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_RULE);
  sync_signals (f);
  g_assert_cmpuint (count_signals (f, "RuleDeleted", IPA_DBUS_PATH), ==, 1);
  g_assert_true (announced (f, "InterfacesRemoved", "/org/ipasystem/Ipa1/rule/host_2e1"));
  g_assert_true (announced (f, "InterfacesRemoved", "/org/ipasystem/Ipa1/limit/host_2e1_2fq"));
  g_assert_cmpuint (count_signals (f, "PropertiesChanged", "/org/ipasystem/Ipa1/autorule/a1"),
                    ==, 3);
}

static void
test_signals (Fixture *f, gconstpointer data)
{
  guint updated;

  advance (f, 3);
  sync_signals (f);
  updated = count_signals (f, "Updated", IPA_DBUS_PATH);
  /* One per round (a second each), however many rules were updated. */
  g_assert_cmpuint (updated, ==, 3);

  /* r1 reached l1 (25) at its third round: at start + 2 s, so the start
   * itself (first round) gave 10, the others 10 each. */
  g_assert_cmpuint (count_signals (f, "LimitEvent", IPA_DBUS_PATH), ==, 1);
  g_assert_cmpuint (count_signals (f, "PropertiesChanged", "/org/ipasystem/Ipa1/limit/r1_2fl1"),
                    ==, 1);
  for (guint i = 0; i < f->signals->len; i++)
    {
      Signal *s = g_ptr_array_index (f->signals, i);

      if (strcmp (s->member, "LimitEvent") == 0)
        {
          const char *rule, *limit, *event, *sub;

          g_variant_get (s->params, "(&s&s&s&s)", &rule, &limit, &event, &sub);
          g_assert_cmpstr (rule, ==, "r1");
          g_assert_cmpstr (limit, ==, "l1");
          g_assert_cmpstr (event, ==, "reached");
          g_assert_cmpstr (sub, ==, "");
        }
    }
  /* The threshold's window (10 s) is not full yet: no verdict. */
  g_assert_cmpuint (count_signals (f, "ThresholdEvent", IPA_DBUS_PATH), ==, 0);
  advance (f, 10);
  sync_signals (f);
  g_assert_cmpuint (count_signals (f, "ThresholdEvent", IPA_DBUS_PATH), >=, 1);
  /* Counters never announce themselves. */
  g_assert_cmpuint (count_signals (f, "PropertiesChanged", "/org/ipasystem/Ipa1/rule/r1"), ==, 0);
}

static void
test_reload (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) v = NULL;

  f->next_conf = g_strdup (CONF_HEAD
                           "rule r1 { atest:chunk = 10; limit l1 { limit = 25; } }\n"
                           "rule r_2 { atest:chunk = 1; info = \"second\"; }\n"
                           "rule fresh { atest:chunk = 1; }\n"
                           "autorule a1 { atest:chunk = 5; limit q { limit = 1K; } }\n");
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "Reload", NULL);
  v = get_prop (f, IPA_DBUS_PATH, MANAGER, "NRules");
  g_assert_cmpuint (g_variant_get_uint32 (v), ==, 3);
  g_clear_pointer (&v, g_variant_unref);
  g_variant_unref (call_ok (f, IPA_DBUS_PATH, MANAGER, "GetRule", g_variant_new ("(s)", "fresh")));
  call_fails (f, IPA_DBUS_PATH, MANAGER, "GetRule", g_variant_new ("(s)", "gone"),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_RULE);

  sync_signals (f);
  /* Only what changed is announced. */
  g_assert_true (announced (f, "InterfacesAdded", "/org/ipasystem/Ipa1/rule/fresh"));
  g_assert_true (announced (f, "InterfacesRemoved", "/org/ipasystem/Ipa1/rule/gone"));
  g_assert_true (announced (f, "InterfacesRemoved", "/org/ipasystem/Ipa1/threshold/r1_2ft1"));
  g_assert_false (announced (f, "InterfacesAdded", "/org/ipasystem/Ipa1/rule/r1"));
  g_assert_false (announced (f, "InterfacesRemoved", "/org/ipasystem/Ipa1/rule/r1"));
  g_assert_cmpuint (count_signals (f, "InterfacesAdded", NULL), ==, 1);
  g_assert_cmpuint (count_signals (f, "InterfacesRemoved", NULL), ==, 2);
}

static void
test_no_engine (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean running = TRUE;

  ipa_dbus_service_set_engine (f->service, NULL);
  call_fails (f, IPA_DBUS_PATH, MANAGER, "ListRules", g_variant_new ("(uu)", 0, 0),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NOT_RUNNING);
  call_fails (f, "/org/ipasystem/Ipa1/rule/r1", IPA_DBUS_IFACE_RULE, "Set",
              g_variant_new ("(st)", "+", (guint64) 1),
              IPA_DBUS_ERROR, IPA_DBUS_ERROR_NOT_RUNNING);
  v = get_prop (f, IPA_DBUS_PATH, MANAGER, "Version");
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, PACKAGE_VERSION);
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "Status", NULL);
  {
    g_autoptr(GVariant) d = g_variant_get_child_value (reply, 0);

    g_assert_true (g_variant_lookup (d, "Running", "b", &running));
    g_assert_false (running);
    g_assert_false (g_variant_lookup (d, "StaticRules", "u", NULL));
  }
  ipa_dbus_service_set_engine (f->service, f->engine);
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "ListRules", g_variant_new ("(uu)", 0, 0));
}

static void
test_daemon_wide (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) v = NULL;
  g_autofree char *db_path = g_build_filename (f->dir, "db", NULL);
  g_autofree char *db = NULL;
  gint64 last;

  g_variant_unref (call_ok (f, IPA_DBUS_PATH, MANAGER, "Freeze", g_variant_new ("(u)", 0)));
  v = get_prop (f, IPA_DBUS_PATH, MANAGER, "Frozen");
  g_assert_true (g_variant_get_boolean (v));
  g_clear_pointer (&v, g_variant_unref);
  /* Frozen for freeze_time (7 s): no round in 5 s. */
  last = ipa_engine_get_last_round (f->engine);
  advance (f, 5);
  g_assert_cmpint (ipa_engine_get_last_round (f->engine), ==, last);
  g_variant_unref (call_ok (f, IPA_DBUS_PATH, MANAGER, "Thaw", NULL));
  v = get_prop (f, IPA_DBUS_PATH, MANAGER, "Frozen");
  g_assert_false (g_variant_get_boolean (v));
  g_clear_pointer (&v, g_variant_unref);
  advance (f, 1);
  g_assert_cmpint (ipa_engine_get_last_round (f->engine), >, last);

  g_unlink (db_path);
  g_variant_unref (call_ok (f, IPA_DBUS_PATH, MANAGER, "Dump", NULL));
  g_assert_true (g_file_get_contents (db_path, &db, NULL, NULL));
  g_assert_nonnull (strstr (db, "record r1 "));

  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "Memory", NULL);
  {
    g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
    gboolean module_seen = FALSE;

    g_assert_cmpuint (g_variant_n_children (list), >, 0);
    for (gsize i = 0; i < g_variant_n_children (list); i++)
      {
        const char *kind, *owner;

        g_variant_get_child (list, i, "(&s&s&s&sttttttt)", &kind, NULL, NULL, &owner,
                             NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        g_assert_true (strcmp (kind, "mem_type") == 0 || strcmp (kind, "marray") == 0 ||
                       strcmp (kind, "mzone") == 0);
        if (strcmp (owner, "ac:atest") == 0)
          module_seen = TRUE;
      }
    g_assert_true (module_seen);
  }
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_ok (f, IPA_DBUS_PATH, MANAGER, "Status", NULL);
  {
    g_autoptr(GVariant) d = g_variant_get_child_value (reply, 0);
    guint32 n = 0;
    guint64 freeze_time = 0;

    g_assert_true (g_variant_lookup (d, "StaticRules", "u", &n));
    g_assert_cmpuint (n, ==, 3);
    g_assert_true (g_variant_lookup (d, "FreezeTime", "t", &freeze_time));
    g_assert_cmpuint (freeze_time, ==, 7);
  }
  call_fails (f, IPA_DBUS_PATH, MANAGER, "NoSuchMethod", NULL,
              G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
}

/* The XML of data/ and the code agree: every method of the XML has a
 * handler and every handler a method; every property has a value. */
static void
test_interfaces_complete (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) xml = g_resource_lookup_data (ipa_dbus_get_resource (),
                                                  "/org/ipasystem/Ipa1/org.ipasystem.Ipa1.xml",
                                                  G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GError) error = NULL;
  IpaDbusTarget targets[IPA_DBUS_N_KINDS] = {
    [IPA_DBUS_KIND_MANAGER] = { .kind = IPA_DBUS_KIND_MANAGER },
    [IPA_DBUS_KIND_RULE] = { .kind = IPA_DBUS_KIND_RULE, .name = (char *) "r1" },
    [IPA_DBUS_KIND_LIMIT] = { .kind = IPA_DBUS_KIND_LIMIT, .name = (char *) "r1",
                              .sub = (char *) "l1" },
    [IPA_DBUS_KIND_THRESHOLD] = { .kind = IPA_DBUS_KIND_THRESHOLD, .name = (char *) "r1",
                                  .sub = (char *) "t1" },
    [IPA_DBUS_KIND_AUTORULE] = { .kind = IPA_DBUS_KIND_AUTORULE, .name = (char *) "a1" },
  };

  g_assert_nonnull (xml);
  node = g_dbus_node_info_new_for_xml (g_bytes_get_data (xml, NULL), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length ((char **) node->interfaces), ==, IPA_DBUS_N_KINDS);
  for (guint k = 0; k < IPA_DBUS_N_KINDS; k++)
    {
      const IpaDbusInterface *iface = ipa_dbus_interface_of (k);
      GDBusInterfaceInfo *info = g_dbus_node_info_lookup_interface (node, iface->name);
      IpaDbusTarget *t = &targets[k];
      guint n_methods = 0;

      g_assert_nonnull (info);
      for (guint i = 0; info->methods[i] != NULL; i++, n_methods++)
        {
          gboolean found = FALSE;

          for (guint j = 0; j < iface->n_methods; j++)
            found |= strcmp (iface->methods[j].name, info->methods[i]->name) == 0;
          if (!found)
            g_error ("%s.%s has no handler", iface->name, info->methods[i]->name);
        }
      g_assert_cmpuint (n_methods, ==, iface->n_methods);

      g_assert_true (ipa_dbus_target_resolve (f->service, t, &error));
      g_assert_no_error (error);
      for (guint i = 0; info->properties[i] != NULL; i++)
        {
          g_autoptr(GVariant) v = iface->get_property (f->service, t, info->properties[i]->name);

          if (v == NULL)
            g_error ("%s.%s has no value", iface->name, info->properties[i]->name);
          g_variant_ref_sink (v);
          g_assert_cmpstr (g_variant_get_type_string (v), ==, info->properties[i]->signature);
        }
      g_clear_pointer (&t->autorule_acl, g_strfreev);
    }
}

int
main (int argc, char **argv)
{
  /* Dates in local time are those of the epoch seconds above. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dbus/names", test_names);
  g_test_add_func ("/dbus/errors", test_errors);
  g_test_add_func ("/dbus/acl", test_acl);
#define ADD(path, func) \
  g_test_add ("/dbus/service/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("list-rules", test_list_rules);
  ADD ("properties", test_properties);
  ADD ("object-manager", test_object_manager);
  ADD ("too-large", test_too_large);
  ADD ("set", test_set);
  ADD ("dynamic", test_dynamic);
  ADD ("signals", test_signals);
  ADD ("reload", test_reload);
  ADD ("no-engine", test_no_engine);
  ADD ("daemon-wide", test_daemon_wide);
  ADD ("interfaces-complete", test_interfaces_complete);
  return g_test_run ();
}
