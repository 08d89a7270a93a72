/*
 * ipactl-client.c: talking to org.ipasystem.Ipa1: the connection, calls
 * (waiting, with -w, or not at all, with -n) and errors as exit statuses.
 *
 * Calls never start ipa through bus activation (NO_AUTO_START): when ipa
 * does not run, ipactl says so.
 */
#include "config.h"

#include "ipactl.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ipa-dbus-error.h"
#include "ipa-dbus-names.h"

gboolean
ipactl_connect (Ipactl *c, GError **error)
{
  if (c->address == NULL)
    c->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  else
    c->bus = g_dbus_connection_new_for_address_sync (c->address,
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, error);
  if (c->bus == NULL)
    {
      g_prefix_error (error, _("cannot connect to the bus %s: "),
                      c->address != NULL ? c->address : _("(system bus)"));
      return FALSE;
    }
  /* Our exit status says what went wrong; the bus going away is one. */
  g_dbus_connection_set_exit_on_close (c->bus, FALSE);
  return TRUE;
}

static int
timeout_msec (const Ipactl *c)
{
  if (c->timeout_sec == 0)
    return G_MAXINT;  /* no limit */
  return (int) MIN ((guint64) c->timeout_sec * 1000, (guint64) G_MAXINT - 1);
}

GVariant *
ipactl_call (Ipactl *c, const char *path, const char *interface, const char *method,
             GVariant *params, const GVariantType *reply_type, GError **error)
{
  if (c->no_wait)
    {
      g_autoptr(GDBusMessage) msg = g_dbus_message_new_method_call (IPA_DBUS_NAME, path,
                                                                   interface, method);

      if (params != NULL)
        g_dbus_message_set_body (msg, params);
      g_dbus_message_set_flags (msg, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED |
                                     G_DBUS_MESSAGE_FLAGS_NO_AUTO_START);
      if (!g_dbus_connection_send_message (c->bus, msg, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                           NULL, error) ||
          !g_dbus_connection_flush_sync (c->bus, NULL, error))
        return NULL;
      return g_variant_ref_sink (g_variant_new ("()"));
    }
  return g_dbus_connection_call_sync (c->bus, IPA_DBUS_NAME, path, interface, method,
                                      params, reply_type, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                      timeout_msec (c), NULL, error);
}

/* How long -n lingers at most, in ms. */
#define LINGER_MS 1000

void
ipactl_linger (Ipactl *c)
{
  g_autoptr(GVariant) reply = NULL;
  int timeout = MIN (LINGER_MS, timeout_msec (c));

  /* ipa answers calls in the order they came, each after its caller was
   * identified: once this one is answered (even refused), the commands
   * before it have been identified too. */
  reply = g_dbus_connection_call_sync (c->bus, IPA_DBUS_NAME, IPA_DBUS_PATH,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", IPA_DBUS_IFACE_MANAGER, "Version"),
                                       NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, timeout,
                                       NULL, NULL);
}

GVariant *
ipactl_get_all (Ipactl *c, const char *path, const char *interface, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  GVariant *props;

  reply = ipactl_call (c, path, "org.freedesktop.DBus.Properties", "GetAll",
                       g_variant_new ("(s)", interface), G_VARIANT_TYPE ("(a{sv})"), error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(@a{sv})", &props);
  return props;
}

static int
exit_for_error (const GError *error)
{
  if (error->domain == IPA_DBUS_ERROR)
    switch ((IpaDbusErrorCode) error->code)
      {
      case IPA_DBUS_ERROR_ACCESS_DENIED:
        return IPACTL_EXIT_NOPERM;
      case IPA_DBUS_ERROR_NO_SUCH_RULE:
      case IPA_DBUS_ERROR_NO_SUCH_LIMIT:
      case IPA_DBUS_ERROR_NO_SUCH_THRESHOLD:
      case IPA_DBUS_ERROR_NO_SUCH_AUTORULE:
        return IPACTL_EXIT_NOUSER;
      case IPA_DBUS_ERROR_INVALID_VALUE:
        return IPACTL_EXIT_DATAERR;
      case IPA_DBUS_ERROR_NOT_RUNNING:
        return IPACTL_EXIT_TEMPFAIL;
      default:
        return IPACTL_EXIT_FAILED;
      }
  if (error->domain == G_DBUS_ERROR)
    switch ((GDBusError) error->code)
      {
      case G_DBUS_ERROR_ACCESS_DENIED:
      case G_DBUS_ERROR_AUTH_FAILED:
        return IPACTL_EXIT_NOPERM;
      case G_DBUS_ERROR_SERVICE_UNKNOWN:
      case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
      case G_DBUS_ERROR_NO_SERVER:
      case G_DBUS_ERROR_DISCONNECTED:
      case G_DBUS_ERROR_FILE_NOT_FOUND:
      case G_DBUS_ERROR_BAD_ADDRESS:
        return IPACTL_EXIT_UNAVAILABLE;
      case G_DBUS_ERROR_NO_REPLY:
      case G_DBUS_ERROR_TIMEOUT:
      case G_DBUS_ERROR_TIMED_OUT:
        return IPACTL_EXIT_TEMPFAIL;
      case G_DBUS_ERROR_INVALID_ARGS:
        return IPACTL_EXIT_DATAERR;
      default:
        return IPACTL_EXIT_FAILED;
      }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return IPACTL_EXIT_TEMPFAIL;
  if (error->domain == G_IO_ERROR)
    return IPACTL_EXIT_UNAVAILABLE;  /* the bus cannot be reached */
  return IPACTL_EXIT_FAILED;
}

int
ipactl_report_error (const GError *error)
{
  g_autoptr(GError) copy = g_error_copy (error);
  int status = exit_for_error (error);

  g_dbus_error_strip_remote_error (copy);
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    fprintf (stderr, _("ipactl: ipa is not running (%s)\n"), copy->message);
  else if (status == IPACTL_EXIT_TEMPFAIL && error->domain != IPA_DBUS_ERROR)
    fprintf (stderr, _("ipactl: no answer from ipa in time (%s)\n"), copy->message);
  else
    fprintf (stderr, "ipactl: %s\n", copy->message);
  return status;
}
