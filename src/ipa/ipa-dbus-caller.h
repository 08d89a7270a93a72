/*
 * ipa-dbus-caller.h: who calls: the uid and groups of a bus client.
 *
 * The bus is asked once per client (GetConnectionCredentials, without
 * blocking the main loop); the answer is kept by unique name, which a bus
 * never gives twice.  When the bus does not report the groups
 * (UnixGroupIDs, dbus-daemon >= 1.14 and dbus-broker do), they are taken
 * from the user database instead.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  guint32 uid;
  guint n_gids;
  guint32 *gids;       /* primary and supplementary groups */
} IpaDbusCaller;

typedef struct _IpaDbusCallers IpaDbusCallers;

/* @caller is NULL when the bus could not tell (then @error says why);
 * @error is G_IO_ERROR_CANCELLED when the cache was freed meanwhile. */
typedef void (*IpaDbusCallerFunc) (const IpaDbusCaller *caller,
                                   const GError *error,
                                   gpointer user_data);

IpaDbusCallers *ipa_dbus_callers_new (GDBusConnection *bus);
/* Pending lookups finish with G_IO_ERROR_CANCELLED (from the main loop). */
void ipa_dbus_callers_free (IpaDbusCallers *callers);

/* Calls @func with the credentials of @sender (a unique name): at once
 * when they are known, else once the bus has answered. */
void ipa_dbus_callers_lookup (IpaDbusCallers *callers,
                              const char *sender,
                              IpaDbusCallerFunc func,
                              gpointer user_data);

/* "user alice (uid 1001)", or "uid 1001" without a user name. */
char *ipa_dbus_caller_describe (const IpaDbusCaller *caller);

G_END_DECLS
