/*
 * test-dbus-host.c: a small daemon for the tests of org.ipasystem.Ipa1:
 * the real engine (with the modules of the configuration, e.g. ipa_atest
 * and ipa_db_memory) on the system clock, the D-Bus service on the bus of
 * --address, and a main loop that dispatches the engine when it asks.
 *
 *   test-dbus-host --conf FILE --address ADDR [--ready-file FILE]
 *                  [--report FILE] [--max-reply BYTES]
 *
 * The ready file is written once the name is owned; the report file gets
 * "rss_engine KB", "rss_service KB" (resident memory after the engine
 * started and after the service was exported and the name owned).
 * Reload reads the configuration file again (stop, then start with the
 * states of the old engine, as ipa does).  SIGTERM or SIGINT stop it
 * cleanly (shutdown sections, counters written), exit status 0.
 */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipa-dbus-service.h"
#include "ipa-engine.h"
#include "ipa-log.h"
#include "ipa-memfunc.h"

typedef struct {
  GSource source;
  gpointer host;
} TimerSource;

typedef struct {
  char *conf_file;
  GMainLoop *loop;
  IpaClock *clock;
  IpaExecRunner *runner;
  IpaEngine *engine;
  GSource *timer;
  IpaDbusService *service;
  int status;
} Host;

static gboolean
timer_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  Host *h = ((TimerSource *) source)->host;

  if (h->engine == NULL)
    g_source_set_ready_time (source, -1);
  else
    g_source_set_ready_time (source, ipa_engine_dispatch (h->engine));
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_funcs = { .dispatch = timer_dispatch };

static gboolean
start_engine (Host *h, IpaEngineSnapshot *snapshot, IpaEngineStartFlags flags, GError **error)
{
  IpaModuleSet *modules = ipa_module_set_new ();
  IpaConf *conf;

  conf = ipa_conf_load (h->conf_file, modules, IPA_CONF_LOAD_NONE, error);
  if (conf == NULL)
    {
      ipa_module_set_free (modules);
      ipa_engine_snapshot_free (snapshot);
      return FALSE;
    }
  g_clear_pointer (&h->runner, ipa_exec_runner_free);
  h->runner = ipa_exec_runner_new (conf->shell_path.set ? conf->shell_path.s : NULL,
                                   conf->shell_arg1.set ? conf->shell_arg1.s : NULL, 0);
  h->engine = ipa_engine_new (h->clock, h->runner);
  if (!ipa_engine_start (h->engine, conf, modules, snapshot, flags, error))
    {
      g_clear_pointer (&h->engine, ipa_engine_free);
      return FALSE;
    }
  g_source_set_ready_time (h->timer, 0);
  if (h->service != NULL)
    ipa_dbus_service_set_engine (h->service, h->engine);
  return TRUE;
}

static void
stop_engine (Host *h, IpaEngineStopFlags flags)
{
  if (h->engine == NULL)
    return;
  if (h->service != NULL)
    ipa_dbus_service_set_engine (h->service, NULL);
  g_source_set_ready_time (h->timer, -1);
  ipa_engine_stop (h->engine, flags);
  g_clear_pointer (&h->engine, ipa_engine_free);
  ipa_exec_runner_wait_all (h->runner, 3000);
}

/* ---- hooks of the service ---- */

typedef struct {
  Host *host;
  IpaDbusReloadDone done;
  gpointer done_data;
} Reload;

static gboolean
reload_idle (gpointer user_data)
{
  Reload *r = user_data;
  Host *h = r->host;
  g_autoptr(GError) error = NULL;
  IpaEngineSnapshot *snapshot = ipa_engine_take_snapshot (h->engine);

  stop_engine (h, IPA_ENGINE_STOP_NONE);
  if (start_engine (h, snapshot, IPA_ENGINE_START_NONE, &error))
    r->done (TRUE, NULL, r->done_data);
  else
    {
      /* Like ipa after a second load failed: nothing left to run. */
      g_printerr ("test-dbus-host: reload failed: %s\n", error->message);
      r->done (FALSE, error->message, r->done_data);
      h->status = EXIT_FAILURE;
      g_main_loop_quit (h->loop);
    }
  g_free (r);
  return G_SOURCE_REMOVE;
}

static void
hook_reload (IpaDbusReloadDone done, gpointer done_data, gpointer user_data)
{
  Reload *r = g_new0 (Reload, 1);

  r->host = user_data;
  r->done = done;
  r->done_data = done_data;
  /* Asynchronous, as in ipa (which checks the file in a subprocess). */
  g_idle_add (reload_idle, r);
}

static void
hook_wakeup (gpointer user_data)
{
  Host *h = user_data;

  if (h->engine != NULL)
    g_source_set_ready_time (h->timer, 0);
}

static gboolean
on_stop_signal (gpointer user_data)
{
  Host *h = user_data;

  stop_engine (h, IPA_ENGINE_STOP_SHUTDOWN);
  g_main_loop_quit (h->loop);
  return G_SOURCE_CONTINUE;
}

/* VmRSS of this process in KiB, -1 if unknown. */
static long
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  p = strstr (status, "VmRSS:");
  return p != NULL ? strtol (p + strlen ("VmRSS:"), NULL, 10) : -1;
}

int
main (int argc, char **argv)
{
  g_autofree char *address = NULL;
  g_autofree char *ready_file = NULL;
  g_autofree char *report_file = NULL;
  gint64 max_reply = 0;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  Host host = { 0 };
  Host *h = &host;
  IpaDbusDaemonHooks hooks = { hook_reload, hook_wakeup, h };
  guint sig_term, sig_int;
  GOptionEntry entries[] = {
    { "conf", 0, 0, G_OPTION_ARG_FILENAME, &h->conf_file, "Configuration file", "FILE" },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, "D-Bus address of the bus", "ADDR" },
    { "ready-file", 0, 0, G_OPTION_ARG_FILENAME, &ready_file, "Written once ready", "FILE" },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &report_file, "Memory figures", "FILE" },
    { "max-reply", 0, 0, G_OPTION_ARG_INT64, &max_reply, "Largest reply in bytes", "N" },
    { NULL },
  };

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || h->conf_file == NULL)
    {
      g_printerr ("test-dbus-host: %s\n", error != NULL ? error->message : "--conf is needed");
      return 64;
    }
  ipa_log_init ("test-dbus-host", IPA_LOG_TARGET_STDERR);

  h->loop = g_main_loop_new (NULL, FALSE);
  h->clock = ipa_clock_new_system ();
  h->timer = g_source_new (&timer_funcs, sizeof (TimerSource));
  ((TimerSource *) h->timer)->host = h;
  g_source_set_ready_time (h->timer, -1);
  g_source_attach (h->timer, NULL);
  sig_term = g_unix_signal_add (SIGTERM, on_stop_signal, h);
  sig_int = g_unix_signal_add (SIGINT, on_stop_signal, h);

  if (!start_engine (h, NULL, IPA_ENGINE_START_STARTUP, &error))
    {
      g_printerr ("test-dbus-host: %s\n", error->message);
      h->status = EXIT_FAILURE;
      goto out;
    }
  g_string_append_printf (report, "rss_engine %ld\n", rss_kb ());
  bus = ipa_dbus_service_connect (address, &error);
  if (bus == NULL)
    {
      g_printerr ("test-dbus-host: %s\n", error->message);
      h->status = EXIT_FAILURE;
      goto out;
    }
  h->service = ipa_dbus_service_new (bus, &hooks, &error);
  if (h->service == NULL || !ipa_dbus_service_own_name (h->service, &error))
    {
      g_printerr ("test-dbus-host: %s\n", error->message);
      h->status = EXIT_FAILURE;
      goto out;
    }
  if (max_reply > 0)
    ipa_dbus_service_set_max_reply (h->service, (gsize) max_reply);
  ipa_dbus_service_set_engine (h->service, h->engine);
  g_string_append_printf (report, "rss_service %ld\n", rss_kb ());
  if (report_file != NULL)
    g_file_set_contents (report_file, report->str, -1, NULL);
  if (ready_file != NULL)
    g_file_set_contents (ready_file, "ready\n", -1, NULL);

  g_main_loop_run (h->loop);

out:
  stop_engine (h, IPA_ENGINE_STOP_SHUTDOWN);
  g_clear_pointer (&h->service, ipa_dbus_service_free);
  if (bus != NULL)
    g_dbus_connection_flush_sync (bus, NULL, NULL);
  g_source_remove (sig_term);
  g_source_remove (sig_int);
  g_source_destroy (h->timer);
  g_source_unref (h->timer);
  g_clear_pointer (&h->runner, ipa_exec_runner_free);
  ipa_clock_unref (h->clock);
  g_main_loop_unref (h->loop);
  g_free (h->conf_file);
  return h->status;
}
