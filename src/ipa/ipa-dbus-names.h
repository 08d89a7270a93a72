/*
 * ipa-dbus-names.h: names and object paths of org.ipasystem.Ipa1, shared
 * by the daemon and ipactl.
 *
 * Rules, limits, thresholds and autorules live in four flat subtrees
 * below /org/ipasystem/Ipa1, one node each, named by
 * g_dbus_escape_object_path() of the name; a limit or threshold by
 * "RULE/NAME" escaped as one string.  Flat because GDBus dispatches a
 * subtree only to its direct children; escaped as one string because a
 * node name may hold only [A-Za-z0-9_].  Names never contain '/' (ipa.conf
 * and the engine refuse it), so a limit node splits at its last '/'.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IPA_DBUS_NAME "org.ipasystem.Ipa1"
#define IPA_DBUS_PATH "/org/ipasystem/Ipa1"

#define IPA_DBUS_IFACE_MANAGER "org.ipasystem.Ipa1.Manager"
#define IPA_DBUS_IFACE_RULE "org.ipasystem.Ipa1.Rule"
#define IPA_DBUS_IFACE_LIMIT "org.ipasystem.Ipa1.Limit"
#define IPA_DBUS_IFACE_THRESHOLD "org.ipasystem.Ipa1.Threshold"
#define IPA_DBUS_IFACE_AUTORULE "org.ipasystem.Ipa1.Autorule"

/* What an object path names. */
typedef enum {
  IPA_DBUS_KIND_MANAGER,
  IPA_DBUS_KIND_RULE,
  IPA_DBUS_KIND_LIMIT,
  IPA_DBUS_KIND_THRESHOLD,
  IPA_DBUS_KIND_AUTORULE,
} IpaDbusKind;

#define IPA_DBUS_N_KINDS (IPA_DBUS_KIND_AUTORULE + 1)

/* The interface of objects of @kind. */
const char *ipa_dbus_kind_interface (IpaDbusKind kind);
/* The path of the subtree of @kind ("/org/ipasystem/Ipa1/rule"), or of
 * the manager. */
const char *ipa_dbus_kind_subtree (IpaDbusKind kind);

/* Object paths (newly allocated). */
char *ipa_dbus_rule_path (const char *rule);
char *ipa_dbus_limit_path (const char *rule, const char *limit);
char *ipa_dbus_threshold_path (const char *rule, const char *threshold);
char *ipa_dbus_autorule_path (const char *autorule);

/* The names in @node, a node of the subtree of @kind: *name is the rule
 * or autorule, *sub the limit or threshold (NULL for rules and
 * autorules).  FALSE if @node is not the canonical escape of a UTF-8
 * name (or, for limits and thresholds, has no '/'). */
gboolean ipa_dbus_parse_node (IpaDbusKind kind, const char *node,
                              char **name, char **sub);

G_END_DECLS
