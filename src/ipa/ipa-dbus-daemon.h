/*
 * ipa-dbus-daemon.h: org.ipasystem.Ipa1 for the running daemon.
 *
 * The service follows the daemon's engines (ipa_daemon_add_engine_watch),
 * its Reload method is ipa_daemon_reload() (the reply comes when the
 * reload is over), and a control call that changed the engine wakes the
 * daemon's timer (ipa_daemon_wakeup()).
 *
 * In ipa-main.c: connect with ipa_dbus_service_connect() before the
 * privileges are dropped; after ipa_daemon_start(), ipa_dbus_daemon_new()
 * (it owns the name, so READY=1 of ipa_daemon_run() comes after); free it
 * after ipa_daemon_free(), or at least after the engine stopped, since a
 * daemon's engine watch cannot be removed.
 */
#pragma once

#include <gio/gio.h>

#include "ipa-daemon.h"

G_BEGIN_DECLS

typedef struct _IpaDbusDaemon IpaDbusDaemon;

/* Export the service on @bus for @daemon and own org.ipasystem.Ipa1. */
IpaDbusDaemon *ipa_dbus_daemon_new (IpaDaemon *daemon, GDBusConnection *bus, GError **error);
void ipa_dbus_daemon_free (IpaDbusDaemon *dd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaDbusDaemon, ipa_dbus_daemon_free)

G_END_DECLS
