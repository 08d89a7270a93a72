/*
 * ipa-dbus-acl.c: access control of org.ipasystem.Ipa1 (see the header).
 */
#include "config.h"

#include "ipa-dbus-acl.h"

#include <glib/gi18n.h>
#include <grp.h>
#include <pwd.h>

#include "ipa-dbus-error.h"
#include "ipa-log.h"

typedef struct {
  GArray *uids;   /* guint32 */
  GArray *gids;
} Class;

struct _IpaDbusAcl {
  GHashTable *classes;   /* name -> Class* */
  GStrv query;           /* ctl_query_acl, NULL when not set */
  GStrv dump;            /* ctl_dump_acl */
};

static void
class_free (Class *c)
{
  g_array_unref (c->uids);
  g_array_unref (c->gids);
  g_free (c);
}

/* A decimal id, or FALSE. */
static gboolean
parse_id (const char *text, guint32 *id)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &v, NULL))
    return FALSE;
  *id = (guint32) v;
  return TRUE;
}

static void
resolve_users (Class *c, const IpaConfAclClass *def)
{
  for (guint i = 0; def->users != NULL && def->users[i] != NULL; i++)
    {
      const char *name = def->users[i];
      struct passwd *pw;
      guint32 id;

      if (parse_id (name, &id))
        {
          g_array_append_val (c->uids, id);
          continue;
        }
      pw = getpwnam (name);
      if (pw == NULL)
        {
          ipa_log (LOG_WARNING, _("ctl_acl_class %s: unknown user \"%s\" ignored"),
                   def->name, name);
          continue;
        }
      id = pw->pw_uid;
      g_array_append_val (c->uids, id);
    }
}

static void
resolve_groups (Class *c, const IpaConfAclClass *def)
{
  for (guint i = 0; def->groups != NULL && def->groups[i] != NULL; i++)
    {
      const char *name = def->groups[i];
      struct group *gr;
      guint32 id;

      if (parse_id (name, &id))
        {
          g_array_append_val (c->gids, id);
          continue;
        }
      gr = getgrnam (name);
      if (gr == NULL)
        {
          ipa_log (LOG_WARNING, _("ctl_acl_class %s: unknown group \"%s\" ignored"),
                   def->name, name);
          continue;
        }
      id = gr->gr_gid;
      g_array_append_val (c->gids, id);
    }
}

IpaDbusAcl *
ipa_dbus_acl_new (const IpaConf *conf)
{
  IpaDbusAcl *acl = g_new0 (IpaDbusAcl, 1);

  acl->classes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) class_free);
  for (guint i = 0; conf->acl_classes != NULL && i < conf->acl_classes->len; i++)
    {
      const IpaConfAclClass *def = g_ptr_array_index (conf->acl_classes, i);
      Class *c = g_new0 (Class, 1);

      c->uids = g_array_new (FALSE, FALSE, sizeof (guint32));
      c->gids = g_array_new (FALSE, FALSE, sizeof (guint32));
      resolve_users (c, def);
      resolve_groups (c, def);
      g_hash_table_replace (acl->classes, g_strdup (def->name), c);
    }
  if (conf->ctl_query_acl.set)
    acl->query = g_strdupv (conf->ctl_query_acl.names);
  if (conf->ctl_dump_acl.set)
    acl->dump = g_strdupv (conf->ctl_dump_acl.names);
  return acl;
}

void
ipa_dbus_acl_free (IpaDbusAcl *acl)
{
  if (acl == NULL)
    return;
  g_hash_table_unref (acl->classes);
  g_strfreev (acl->query);
  g_strfreev (acl->dump);
  g_free (acl);
}

static gboolean
array_has (GArray *a, guint32 id)
{
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, guint32, i) == id)
      return TRUE;
  return FALSE;
}

/* Does a class of @names list the caller? */
static gboolean
grants (const IpaDbusAcl *acl, const char *const *names, const IpaDbusCaller *caller)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      const Class *c = g_hash_table_lookup (acl->classes, names[i]);

      if (c == NULL)
        continue;
      if (array_has (c->uids, caller->uid))
        return TRUE;
      for (guint g = 0; g < caller->n_gids; g++)
        if (array_has (c->gids, caller->gids[g]))
          return TRUE;
    }
  return FALSE;
}

gboolean
ipa_dbus_acl_check (const IpaDbusAcl *acl, const IpaDbusCaller *caller,
                    IpaDbusAccess access, const char *const *rule_acl,
                    const char *action, GError **error)
{
  g_autofree char *who = NULL;
  const char *why;

  if (caller->uid == 0)
    return TRUE;
  if (acl != NULL)
    switch (access)
      {
      case IPA_DBUS_ACCESS_QUERY:
        if (grants (acl, (const char *const *) acl->query, caller) ||
            grants (acl, rule_acl, caller))
          return TRUE;
        break;
      case IPA_DBUS_ACCESS_DUMP:
        if (grants (acl, (const char *const *) acl->dump, caller))
          return TRUE;
        break;
      case IPA_DBUS_ACCESS_RULE:
        if (grants (acl, rule_acl, caller))
          return TRUE;
        break;
      default:
        break;
      }

  if (acl == NULL)
    why = _("no configuration runs now, only root is allowed");
  else if (access == IPA_DBUS_ACCESS_QUERY)
    why = rule_acl != NULL ? _("not granted by ctl_query_acl nor by the rule's ctl_rule_acl")
                           : _("not granted by ctl_query_acl");
  else if (access == IPA_DBUS_ACCESS_DUMP)
    why = _("not granted by ctl_dump_acl");
  else
    why = rule_acl != NULL ? _("not granted by ctl_rule_acl")
                           : _("no ctl_rule_acl is set for it");
  who = ipa_dbus_caller_describe (caller);
  g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_ACCESS_DENIED,
               _("access denied: %s may not %s (%s)"), who, action, why);
  return FALSE;
}
