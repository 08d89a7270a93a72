/*
 * ipa-dbus-service.h: org.ipasystem.Ipa1, the control interface of the
 * daemon on D-Bus (data/org.ipasystem.Ipa1.xml describes it).
 *
 * The service serves one engine at a time: the daemon hands it the
 * running engine, NULL just before it stops one (reload, shutdown), and
 * the next one.  It keeps no pointer into an engine across that: every
 * call looks its rule, limit or threshold up by name, so an object path
 * stays valid as long as the name exists.  Objects are served from
 * subtrees with dynamic dispatch: nothing is allocated per rule.
 *
 * Every call is authorised first (ipa-dbus-acl.h) with the caller's uid
 * and groups as the bus reports them; the engine is only used from the
 * thread of the main context the service was created in.
 */
#pragma once

#include <gio/gio.h>

#include "ipa-engine.h"

G_BEGIN_DECLS

typedef struct _IpaDbusService IpaDbusService;

/* How a reload asked for over D-Bus ended: @ok, or why not. */
typedef void (*IpaDbusReloadDone) (gboolean ok,
                                   const char *error_message,
                                   gpointer done_data);

/* What the service asks of the daemon around it.  Any hook may be NULL. */
typedef struct {
  /* The Reload method: what SIGHUP does.  Call @done exactly once, at
   * any time (also from inside this call). */
  void (*reload) (IpaDbusReloadDone done, gpointer done_data, gpointer user_data);
  /* A control call changed the engine (a dynamic rule, a freeze ended,
   * counters set): run ipa_engine_dispatch() soon instead of at the time
   * it asked for last, which may now be too late. */
  void (*wakeup) (gpointer user_data);
  gpointer user_data;
} IpaDbusDaemonHooks;

/* A connection to the bus at @address (a D-Bus address), or to the system
 * bus when @address is NULL.  Call it before dropping privileges: the bus
 * knows the connection by the credentials it was opened with. */
GDBusConnection *ipa_dbus_service_connect (const char *address, GError **error);

/* Export the objects on @bus; the name is not owned yet.  @hooks is
 * copied. */
IpaDbusService *ipa_dbus_service_new (GDBusConnection *bus,
                                      const IpaDbusDaemonHooks *hooks,
                                      GError **error);

/* Own org.ipasystem.Ipa1 on the bus, now (a synchronous RequestName that
 * does not queue).  Fails when someone else owns it or the bus policy
 * refuses.  Tell the service manager READY=1 only after this. */
gboolean ipa_dbus_service_own_name (IpaDbusService *service, GError **error);

/* The engine to serve, or NULL while there is none (before the first,
 * during a reload, at shutdown). */
void ipa_dbus_service_set_engine (IpaDbusService *service, IpaEngine *engine);

/* Replies larger than @bytes fail with TooLarge (default: 30 MiB, below
 * the 32 MiB a bus accepts by default); for tests. */
void ipa_dbus_service_set_max_reply (IpaDbusService *service, gsize bytes);

/* Unexport everything, release the name, answer nothing more. */
void ipa_dbus_service_free (IpaDbusService *service);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaDbusService, ipa_dbus_service_free)

G_END_DECLS
