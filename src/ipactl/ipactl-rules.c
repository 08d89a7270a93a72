/*
 * ipactl-rules.c: the commands that act on one rule or limit:
 *
 *   -a A -r R create     a dynamic rule R from autorule A
 *   -r R delete          a dynamic rule
 *   -r R -l L expire     a reached limit, now
 *   -r R -l L restart    a limit, now
 */
#include "config.h"

#include "ipactl.h"

#include <stdio.h>

#include "ipa-dbus-names.h"

static int
call_unit (Ipactl *c, const char *path, const char *interface, const char *method,
           GVariant *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = ipactl_call (c, path, interface, method, params,
                                           NULL, &error);

  if (reply == NULL)
    return ipactl_report_error (error);
  return IPACTL_EXIT_OK;
}

int
ipactl_cmd_create (Ipactl *c)
{
  return call_unit (c, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "CreateRule",
                    g_variant_new ("(sss)", c->autorule, c->rule, ""));
}

int
ipactl_cmd_delete (Ipactl *c)
{
  return call_unit (c, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "DeleteRule",
                    g_variant_new ("(s)", c->rule));
}

int
ipactl_cmd_expire (Ipactl *c)
{
  g_autofree char *path = ipa_dbus_limit_path (c->rule, c->limit);

  return call_unit (c, path, IPA_DBUS_IFACE_LIMIT, "Expire", NULL);
}

int
ipactl_cmd_restart (Ipactl *c)
{
  g_autofree char *path = ipa_dbus_limit_path (c->rule, c->limit);

  return call_unit (c, path, IPA_DBUS_IFACE_LIMIT, "Restart", NULL);
}
