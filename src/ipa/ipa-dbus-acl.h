/*
 * ipa-dbus-acl.h: the one decision whether a caller may make a call.
 *
 * Classes are defined in ipa.conf with ctl_acl_class NAME "user %group …"
 * and named by ctl_query_acl (reading), ctl_dump_acl (daemon-wide
 * actions) and ctl_rule_acl (changing one rule).  Root (uid 0) is always
 * allowed; anybody else only when a class of the ACL that governs the
 * call lists the caller's user or one of its groups.  Everything else is
 * refused, also while no configuration runs.
 *
 * User and group names are resolved to ids once per configuration (when
 * the engine is handed to the service); names that do not exist then are
 * ignored with a warning.  Numbers are taken as ids.
 */
#pragma once

#include <glib.h>

#include "ipa-conf.h"
#include "ipa-dbus-caller.h"

G_BEGIN_DECLS

typedef enum {
  IPA_DBUS_ACCESS_QUERY,   /* read: ctl_query_acl, or the rule's ctl_rule_acl */
  IPA_DBUS_ACCESS_DUMP,    /* dump, freeze, thaw, reload: ctl_dump_acl */
  IPA_DBUS_ACCESS_RULE,    /* change a rule: its ctl_rule_acl (autorule's for create) */
} IpaDbusAccess;

typedef struct _IpaDbusAcl IpaDbusAcl;

IpaDbusAcl *ipa_dbus_acl_new (const IpaConf *conf);
void ipa_dbus_acl_free (IpaDbusAcl *acl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaDbusAcl, ipa_dbus_acl_free)

/* May @caller do @access?  @acl NULL: no configuration runs (only root).
 * @rule_acl: the ctl_rule_acl of the rule (or autorule) concerned, NULL
 * when none is set or no rule is concerned.  @action says what was asked
 * ("call Set on rule r1"), for the message of the IPA_DBUS_ERROR
 * _ACCESS_DENIED error. */
gboolean ipa_dbus_acl_check (const IpaDbusAcl *acl,
                             const IpaDbusCaller *caller,
                             IpaDbusAccess access,
                             const char *const *rule_acl,
                             const char *action,
                             GError **error);

G_END_DECLS
