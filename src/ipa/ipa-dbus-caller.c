/*
 * ipa-dbus-caller.c: the uid and groups of bus clients (see the header).
 */
#include "config.h"

#include "ipa-dbus-caller.h"

#include <glib/gi18n.h>
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>

/* Unique names are never reused, so entries never go stale; the cache is
 * only bounded, and emptied when full. */
#define CACHE_MAX 512
/* getgrouplist(3) needs a first guess. */
#define GROUPS_GUESS 64

struct _IpaDbusCallers {
  GDBusConnection *bus;
  GHashTable *cache;       /* unique name -> IpaDbusCaller* */
  GCancellable *cancel;
};

typedef struct {
  IpaDbusCallers *callers; /* NULL once cancelled */
  char *sender;
  IpaDbusCallerFunc func;
  gpointer user_data;
} Lookup;

static void
caller_free (IpaDbusCaller *caller)
{
  g_free (caller->gids);
  g_free (caller);
}

IpaDbusCallers *
ipa_dbus_callers_new (GDBusConnection *bus)
{
  IpaDbusCallers *c = g_new0 (IpaDbusCallers, 1);

  c->bus = g_object_ref (bus);
  c->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) caller_free);
  c->cancel = g_cancellable_new ();
  return c;
}

void
ipa_dbus_callers_free (IpaDbusCallers *c)
{
  if (c == NULL)
    return;
  /* The replies still to come see the cancellation and do not touch @c. */
  g_cancellable_cancel (c->cancel);
  g_object_unref (c->cancel);
  g_hash_table_unref (c->cache);
  g_object_unref (c->bus);
  g_free (c);
}

/* The groups of @uid from the user database: its primary group and the
 * groups that list its name. */
static void
groups_from_nss (IpaDbusCaller *caller)
{
  struct passwd *pw = getpwuid (caller->uid);
  int n = GROUPS_GUESS;
  gid_t *list;

  if (pw == NULL)
    return;
  list = g_new (gid_t, n);
  if (getgrouplist (pw->pw_name, pw->pw_gid, list, &n) < 0)
    {
      list = g_renew (gid_t, list, n);
      if (getgrouplist (pw->pw_name, pw->pw_gid, list, &n) < 0)
        n = 0;
    }
  caller->n_gids = (guint) MAX (n, 0);
  caller->gids = g_new (guint32, MAX (caller->n_gids, 1));
  for (guint i = 0; i < caller->n_gids; i++)
    caller->gids[i] = list[i];
  g_free (list);
}

static IpaDbusCaller *
caller_from_credentials (GVariant *creds, GError **error)
{
  g_autoptr(GVariant) groups = NULL;
  IpaDbusCaller *caller;
  guint32 uid;

  if (!g_variant_lookup (creds, "UnixUserID", "u", &uid))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("the bus does not tell the uid of the caller"));
      return NULL;
    }
  caller = g_new0 (IpaDbusCaller, 1);
  caller->uid = uid;
  groups = g_variant_lookup_value (creds, "UnixGroupIDs", G_VARIANT_TYPE ("au"));
  if (groups != NULL)
    {
      gsize n = 0;
      const guint32 *ids = g_variant_get_fixed_array (groups, &n, sizeof (guint32));

      caller->n_gids = (guint) n;
      caller->gids = g_memdup2 (ids, MAX (n, 1) * sizeof (guint32));
    }
  else
    groups_from_nss (caller);
  return caller;
}

static void
lookup_free (Lookup *l)
{
  g_free (l->sender);
  g_free (l);
}

static void
credentials_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *l = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) creds = NULL;
  IpaDbusCaller *caller = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The cache is gone: only tell the waiter. */
      l->func (NULL, error, l->user_data);
      lookup_free (l);
      return;
    }
  if (reply != NULL)
    {
      creds = g_variant_get_child_value (reply, 0);
      caller = caller_from_credentials (creds, &error);
    }
  if (caller == NULL)
    {
      l->func (NULL, error, l->user_data);
      lookup_free (l);
      return;
    }
  if (g_hash_table_size (l->callers->cache) >= CACHE_MAX)
    g_hash_table_remove_all (l->callers->cache);
  g_hash_table_replace (l->callers->cache, g_strdup (l->sender), caller);
  l->func (caller, NULL, l->user_data);
  lookup_free (l);
}

void
ipa_dbus_callers_lookup (IpaDbusCallers *c, const char *sender,
                         IpaDbusCallerFunc func, gpointer user_data)
{
  IpaDbusCaller *known;
  Lookup *l;

  if (sender == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                     _("the caller has no bus name"));

      func (NULL, error, user_data);
      return;
    }
  known = g_hash_table_lookup (c->cache, sender);
  if (known != NULL)
    {
      func (known, NULL, user_data);
      return;
    }
  l = g_new0 (Lookup, 1);
  l->callers = c;
  l->sender = g_strdup (sender);
  l->func = func;
  l->user_data = user_data;
  g_dbus_connection_call (c->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionCredentials",
                          g_variant_new ("(s)", sender), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, -1, c->cancel, credentials_done, l);
}

char *
ipa_dbus_caller_describe (const IpaDbusCaller *caller)
{
  struct passwd *pw = getpwuid (caller->uid);

  if (pw != NULL)
    return g_strdup_printf (_("user %s (uid %u)"), pw->pw_name, caller->uid);
  return g_strdup_printf (_("uid %u"), caller->uid);
}
