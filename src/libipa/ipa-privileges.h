/*
 * ipa-privileges.h: the options -c DIR, -u USER and -g GROUP of ipa and
 * ipastat: change the root directory, then the groups, then the user.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IPA_PRIVILEGES_ERROR (ipa_privileges_error_quark ())
GQuark ipa_privileges_error_quark (void);

typedef enum {
  IPA_PRIVILEGES_ERROR_OPTION,    /* a bad -c, -u or -g (a usage error) */
  IPA_PRIVILEGES_ERROR_NO_GROUPS, /* -u of an unknown user without -g */
  IPA_PRIVILEGES_ERROR_CHROOT,
  IPA_PRIVILEGES_ERROR_ID,        /* setgroups, setgid or setuid failed */
  IPA_PRIVILEGES_ERROR_REGAIN,    /* root could be regained */
} IpaPrivilegesError;

/* Checks the options before anything runs: @chroot_dir absolute, @user
 * and @group (each may be NULL) known names or numbers. */
gboolean ipa_privileges_check (const char *chroot_dir, const char *user,
                               const char *group, GError **error);

/* Applies -c @chroot_dir, -g @group and -u @user (each may be NULL).
 * Users and groups are looked up before the chroot, which need not have a
 * password database.  Without -g a user gets its own groups, so it must
 * be in the password database.  After -u, getting root back must fail.
 * The message of @error names no program. */
gboolean ipa_privileges_drop (const char *chroot_dir, const char *user,
                              const char *group, GError **error);

G_END_DECLS
