/*
 * ipa-dbus-daemon.c: the D-Bus service hooked to IpaDaemon (see the
 * header).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ipa-dbus-daemon.h"

#include "ipa-dbus-service.h"

struct _IpaDbusDaemon {
  IpaDaemon *daemon;
  IpaDbusService *service;
  GDBusConnection *bus;
  gulong closed_id;
};

/* One Reload call waiting for the daemon. */
typedef struct {
  IpaDbusReloadDone done;
  gpointer done_data;
} ReloadWait;

static void
engine_changed (IpaDaemon *daemon, IpaEngine *engine, gpointer user_data)
{
  IpaDbusDaemon *dd = user_data;

  if (dd->service != NULL)
    ipa_dbus_service_set_engine (dd->service, engine);
}

static void
reload_finished (IpaDaemon *daemon, gboolean ok, const char *error_message, gpointer user_data)
{
  ReloadWait *w = user_data;

  w->done (ok, error_message, w->done_data);
  g_free (w);
}

static void
hook_reload (IpaDbusReloadDone done, gpointer done_data, gpointer user_data)
{
  IpaDbusDaemon *dd = user_data;
  ReloadWait *w = g_new0 (ReloadWait, 1);

  w->done = done;
  w->done_data = done_data;
  ipa_daemon_reload (dd->daemon, reload_finished, w);
}

static void
hook_wakeup (gpointer user_data)
{
  IpaDbusDaemon *dd = user_data;

  ipa_daemon_wakeup (dd->daemon);
}

/* GDBus would raise SIGTERM when the bus goes away, and ipa would exit 0,
 * which systemd does not restart: stop in order and fail instead. */
static void
on_bus_closed (GDBusConnection *bus, gboolean remote_peer_vanished, GError *error,
               gpointer user_data)
{
  IpaDbusDaemon *dd = user_data;
  g_autofree char *why = g_strdup_printf (_("the D-Bus connection was closed%s%s: stopping"),
                                          error != NULL ? ": " : "",
                                          error != NULL ? error->message : "");

  (void) bus;
  (void) remote_peer_vanished;
  ipa_daemon_fail (dd->daemon, why);
}

static IpaDbusDaemon *
ipa_dbus_daemon_new_internal (IpaDaemon *daemon, GDBusConnection *bus, GError **error);

IpaDbusDaemon *
ipa_dbus_daemon_new (IpaDaemon *daemon, GDBusConnection *bus, GError **error)
{
  IpaDbusDaemon *dd = ipa_dbus_daemon_new_internal (daemon, bus, error);

  if (dd != NULL)
    {
      g_dbus_connection_set_exit_on_close (bus, FALSE);
      dd->closed_id = g_signal_connect (bus, "closed", G_CALLBACK (on_bus_closed), dd);
      dd->bus = g_object_ref (bus);
    }
  return dd;
}

static IpaDbusDaemon *
ipa_dbus_daemon_new_internal (IpaDaemon *daemon, GDBusConnection *bus, GError **error)
{
  g_autoptr(IpaDbusDaemon) dd = g_new0 (IpaDbusDaemon, 1);
  IpaDbusDaemonHooks hooks = { hook_reload, hook_wakeup, NULL };

  dd->daemon = daemon;
  hooks.user_data = dd;
  dd->service = ipa_dbus_service_new (bus, &hooks, error);
  if (dd->service == NULL)
    return NULL;
  if (!ipa_dbus_service_own_name (dd->service, error))
    return NULL;
  ipa_daemon_add_engine_watch (daemon, engine_changed, dd);
  return g_steal_pointer (&dd);
}

void
ipa_dbus_daemon_free (IpaDbusDaemon *dd)
{
  if (dd == NULL)
    return;
  if (dd->bus != NULL)
    {
      g_clear_signal_handler (&dd->closed_id, dd->bus);
      g_clear_object (&dd->bus);
    }
  g_clear_pointer (&dd->service, ipa_dbus_service_free);
  g_free (dd);
}
