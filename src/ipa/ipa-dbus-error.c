/*
 * ipa-dbus-error.c: the error domain of org.ipasystem.Ipa1.
 */
#include "config.h"

#include "ipa-dbus-error.h"

static const GDBusErrorEntry entries[] = {
  { IPA_DBUS_ERROR_FAILED, IPA_DBUS_ERROR_PREFIX "Failed" },
  { IPA_DBUS_ERROR_NO_SUCH_RULE, IPA_DBUS_ERROR_PREFIX "NoSuchRule" },
  { IPA_DBUS_ERROR_NO_SUCH_LIMIT, IPA_DBUS_ERROR_PREFIX "NoSuchLimit" },
  { IPA_DBUS_ERROR_NO_SUCH_THRESHOLD, IPA_DBUS_ERROR_PREFIX "NoSuchThreshold" },
  { IPA_DBUS_ERROR_NO_SUCH_AUTORULE, IPA_DBUS_ERROR_PREFIX "NoSuchAutorule" },
  { IPA_DBUS_ERROR_ACCESS_DENIED, IPA_DBUS_ERROR_PREFIX "AccessDenied" },
  { IPA_DBUS_ERROR_INVALID_VALUE, IPA_DBUS_ERROR_PREFIX "InvalidValue" },
  { IPA_DBUS_ERROR_EXISTS, IPA_DBUS_ERROR_PREFIX "Exists" },
  { IPA_DBUS_ERROR_NOT_DYNAMIC, IPA_DBUS_ERROR_PREFIX "NotDynamic" },
  { IPA_DBUS_ERROR_STATE, IPA_DBUS_ERROR_PREFIX "State" },
  { IPA_DBUS_ERROR_MODULE, IPA_DBUS_ERROR_PREFIX "Module" },
  { IPA_DBUS_ERROR_NOT_RUNNING, IPA_DBUS_ERROR_PREFIX "NotRunning" },
  { IPA_DBUS_ERROR_TOO_LARGE, IPA_DBUS_ERROR_PREFIX "TooLarge" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (entries) == IPA_DBUS_N_ERRORS);

GQuark
ipa_dbus_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("ipa-dbus-error-quark", &quark,
                                      entries, G_N_ELEMENTS (entries));
  return (GQuark) quark;
}

const char *
ipa_dbus_error_get_name (IpaDbusErrorCode code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (entries); i++)
    if (entries[i].error_code == (gint) code)
      return entries[i].dbus_error_name + sizeof (IPA_DBUS_ERROR_PREFIX) - 1;
  return NULL;
}
