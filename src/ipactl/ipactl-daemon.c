/*
 * ipactl-daemon.c: the commands that act on the daemon as a whole:
 *
 *   dump     write every counter to the databases now (the answer comes
 *            once they are written)
 *   freeze   pause accounting for freeze_time of ipa.conf
 */
#include "config.h"

#include "ipactl.h"

#include "ipa-dbus-names.h"

static int
call_manager (Ipactl *c, const char *method, GVariant *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = ipactl_call (c, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, method,
                                           params, NULL, &error);

  if (reply == NULL)
    return ipactl_report_error (error);
  return IPACTL_EXIT_OK;
}

int
ipactl_cmd_dump (Ipactl *c)
{
  return call_manager (c, "Dump", NULL);
}

int
ipactl_cmd_freeze (Ipactl *c)
{
  /* 0: the daemon's freeze_time. */
  return call_manager (c, "Freeze", g_variant_new ("(u)", (guint32) 0));
}
