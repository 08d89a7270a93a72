/*
 * ipa-privileges.c: -c, -u and -g of ipa and ipastat (see
 * ipa-privileges.h).
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipa-privileges.h"

G_DEFINE_QUARK (ipa-privileges-error-quark, ipa_privileges_error)

/* A name known to the system, or a number (any number is an id). */
static gboolean
id_exists (const char *name, gboolean group)
{
  const char *p = name;

  for (; g_ascii_isdigit (*p); p++)
    ;
  if (*p == '\0' && p != name)
    return TRUE;
  return group ? getgrnam (name) != NULL : getpwnam (name) != NULL;
}

gboolean
ipa_privileges_check (const char *chroot_dir, const char *user,
                      const char *group, GError **error)
{
  if (chroot_dir != NULL && !g_path_is_absolute (chroot_dir))
    g_set_error (error, IPA_PRIVILEGES_ERROR, IPA_PRIVILEGES_ERROR_OPTION,
                 _("-c needs an absolute path: %s"), chroot_dir);
  else if (user != NULL && !id_exists (user, FALSE))
    g_set_error (error, IPA_PRIVILEGES_ERROR, IPA_PRIVILEGES_ERROR_OPTION,
                 _("unknown user: %s"), user);
  else if (group != NULL && !id_exists (group, TRUE))
    g_set_error (error, IPA_PRIVILEGES_ERROR, IPA_PRIVILEGES_ERROR_OPTION,
                 _("unknown group: %s"), group);
  else
    return TRUE;
  return FALSE;
}

/* The supplementary groups of user @name with primary group @gid. */
static gid_t *
user_groups (const char *name, gid_t gid, int *n)
{
  int size = 32;
  gid_t *groups = g_new (gid_t, size);

  while (getgrouplist (name, gid, groups, &size) < 0)
    groups = g_renew (gid_t, groups, size);
  *n = size;
  return groups;
}

gboolean
ipa_privileges_drop (const char *chroot_dir, const char *user,
                     const char *group, GError **error)
{
  g_autofree gid_t *groups = NULL;
  int n_groups = 0;
  uid_t uid = 0;
  gid_t gid = 0;

  if (user != NULL)
    {
      struct passwd *pw = getpwnam (user);

      if (pw != NULL)
        {
          uid = pw->pw_uid;
          gid = pw->pw_gid;
          if (group == NULL)
            groups = user_groups (pw->pw_name, pw->pw_gid, &n_groups);
        }
      else if (group != NULL)
        uid = (uid_t) strtoul (user, NULL, 10);
      else
        {
          g_set_error (error, IPA_PRIVILEGES_ERROR,
                       IPA_PRIVILEGES_ERROR_NO_GROUPS,
                       _("user %s is not in the password database, so its groups are unknown: give a group with -g"),
                       user);
          return FALSE;
        }
    }
  if (group != NULL)
    {
      struct group *gr = getgrnam (group);

      gid = gr != NULL ? gr->gr_gid : (gid_t) strtoul (group, NULL, 10);
      g_free (groups);
      groups = g_new (gid_t, 1);
      groups[0] = gid;
      n_groups = 1;
    }

  if (chroot_dir != NULL && chroot (chroot_dir) != 0)
    {
      int e = errno;

      g_set_error (error, IPA_PRIVILEGES_ERROR, IPA_PRIVILEGES_ERROR_CHROOT,
                   _("cannot chroot to %s: %s"), chroot_dir, g_strerror (e));
      return FALSE;
    }
  if ((groups != NULL &&
       (setgroups ((size_t) n_groups, groups) != 0 || setgid (gid) != 0)) ||
      (user != NULL && setuid (uid) != 0))
    {
      int e = errno;

      g_set_error (error, IPA_PRIVILEGES_ERROR, IPA_PRIVILEGES_ERROR_ID,
                   _("cannot change user or group: %s"), g_strerror (e));
      return FALSE;
    }
  /* A dropped privilege must stay dropped. */
  if (user != NULL && uid != 0 && setuid (0) == 0)
    {
      g_set_error (error, IPA_PRIVILEGES_ERROR, IPA_PRIVILEGES_ERROR_REGAIN,
                   _("could regain root after changing to user %s"), user);
      return FALSE;
    }
  return TRUE;
}
