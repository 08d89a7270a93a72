/*
 * ipa-dbus-error.h: the named errors of org.ipasystem.Ipa1
 * (org.ipasystem.Ipa1.Error.*), shared by the daemon and ipactl.
 *
 * The domain is registered with g_dbus_error_register_error_domain(), so
 * that a GError of IPA_DBUS_ERROR travels as its D-Bus name and a client
 * gets it back as the same code.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IPA_DBUS_ERROR (ipa_dbus_error_quark ())
GQuark ipa_dbus_error_quark (void);

#define IPA_DBUS_ERROR_PREFIX "org.ipasystem.Ipa1.Error."

typedef enum {
  IPA_DBUS_ERROR_FAILED,
  IPA_DBUS_ERROR_NO_SUCH_RULE,
  IPA_DBUS_ERROR_NO_SUCH_LIMIT,
  IPA_DBUS_ERROR_NO_SUCH_THRESHOLD,
  IPA_DBUS_ERROR_NO_SUCH_AUTORULE,
  IPA_DBUS_ERROR_ACCESS_DENIED,
  IPA_DBUS_ERROR_INVALID_VALUE,
  IPA_DBUS_ERROR_EXISTS,
  IPA_DBUS_ERROR_NOT_DYNAMIC,
  IPA_DBUS_ERROR_STATE,
  IPA_DBUS_ERROR_MODULE,
  IPA_DBUS_ERROR_NOT_RUNNING,
  IPA_DBUS_ERROR_TOO_LARGE,
} IpaDbusErrorCode;

#define IPA_DBUS_N_ERRORS (IPA_DBUS_ERROR_TOO_LARGE + 1)

/* "NoSuchRule" for IPA_DBUS_ERROR_NO_SUCH_RULE; NULL for an unknown code. */
const char *ipa_dbus_error_get_name (IpaDbusErrorCode code);

G_END_DECLS
