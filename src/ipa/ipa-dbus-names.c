/*
 * ipa-dbus-names.c: object paths of org.ipasystem.Ipa1 (see the header).
 */
#include "config.h"

#include "ipa-dbus-names.h"

#include <gio/gio.h>
#include <string.h>

static const char *const interfaces[IPA_DBUS_N_KINDS] = {
  [IPA_DBUS_KIND_MANAGER] = IPA_DBUS_IFACE_MANAGER,
  [IPA_DBUS_KIND_RULE] = IPA_DBUS_IFACE_RULE,
  [IPA_DBUS_KIND_LIMIT] = IPA_DBUS_IFACE_LIMIT,
  [IPA_DBUS_KIND_THRESHOLD] = IPA_DBUS_IFACE_THRESHOLD,
  [IPA_DBUS_KIND_AUTORULE] = IPA_DBUS_IFACE_AUTORULE,
};

static const char *const subtrees[IPA_DBUS_N_KINDS] = {
  [IPA_DBUS_KIND_MANAGER] = IPA_DBUS_PATH,
  [IPA_DBUS_KIND_RULE] = IPA_DBUS_PATH "/rule",
  [IPA_DBUS_KIND_LIMIT] = IPA_DBUS_PATH "/limit",
  [IPA_DBUS_KIND_THRESHOLD] = IPA_DBUS_PATH "/threshold",
  [IPA_DBUS_KIND_AUTORULE] = IPA_DBUS_PATH "/autorule",
};

const char *
ipa_dbus_kind_interface (IpaDbusKind kind)
{
  g_return_val_if_fail (kind < IPA_DBUS_N_KINDS, NULL);
  return interfaces[kind];
}

const char *
ipa_dbus_kind_subtree (IpaDbusKind kind)
{
  g_return_val_if_fail (kind < IPA_DBUS_N_KINDS, NULL);
  return subtrees[kind];
}

static char *
make_path (IpaDbusKind kind, const char *name, const char *sub)
{
  g_autofree char *joined = sub != NULL ? g_strconcat (name, "/", sub, NULL) : NULL;
  g_autofree char *node = g_dbus_escape_object_path (joined != NULL ? joined : name);

  return g_strconcat (subtrees[kind], "/", node, NULL);
}

char *
ipa_dbus_rule_path (const char *rule)
{
  return make_path (IPA_DBUS_KIND_RULE, rule, NULL);
}

char *
ipa_dbus_limit_path (const char *rule, const char *limit)
{
  return make_path (IPA_DBUS_KIND_LIMIT, rule, limit);
}

char *
ipa_dbus_threshold_path (const char *rule, const char *threshold)
{
  return make_path (IPA_DBUS_KIND_THRESHOLD, rule, threshold);
}

char *
ipa_dbus_autorule_path (const char *autorule)
{
  return make_path (IPA_DBUS_KIND_AUTORULE, autorule, NULL);
}

gboolean
ipa_dbus_parse_node (IpaDbusKind kind, const char *node, char **name, char **sub)
{
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  char *slash;

  *name = NULL;
  *sub = NULL;
  if (node == NULL || kind == IPA_DBUS_KIND_MANAGER)
    return FALSE;
  text = (char *) g_dbus_unescape_object_path (node);
  if (text == NULL || strlen (text) == 0 || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  /* Only the canonical form: no "_41" for "A", and no NUL escaped
   * inside ("_00"), which would cut the name short. */
  again = g_dbus_escape_object_path (text);
  if (strcmp (again, node) != 0)
    return FALSE;
  if (kind == IPA_DBUS_KIND_RULE || kind == IPA_DBUS_KIND_AUTORULE)
    {
      if (strchr (text, '/') != NULL)
        return FALSE;
      *name = g_steal_pointer (&text);
      return TRUE;
    }
  slash = strrchr (text, '/');
  if (slash == NULL || slash == text || slash[1] == '\0')
    return FALSE;
  *slash = '\0';
  *sub = g_strdup (slash + 1);
  *name = g_steal_pointer (&text);
  return TRUE;
}
