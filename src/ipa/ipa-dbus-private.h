/*
 * ipa-dbus-private.h: what the parts of the D-Bus service share.
 *
 * A call goes through ipa-dbus-service.c in this order: the caller's
 * credentials (ipa-dbus-caller.c), the method's descriptor (the
 * IpaDbusInterface of its interface file), the target looked up by name
 * in the engine now, the one access decision (ipa-dbus-acl.c), then the
 * handler.  Nothing of an engine is kept between calls.
 */
#pragma once

#include <gio/gio.h>

#include "ipa-dbus-acl.h"
#include "ipa-dbus-caller.h"
#include "ipa-dbus-error.h"
#include "ipa-dbus-names.h"
#include "ipa-dbus-service.h"
#include "ipa-engine.h"

G_BEGIN_DECLS

/* The bus refuses, and dbus-daemon disconnects the sender of, a message
 * larger than its max_message_size (32 MiB by default on both buses):
 * replies stay below this, with room for the header. */
#define IPA_DBUS_MAX_REPLY_DEFAULT (30U * 1024 * 1024)

/* What a call is about, looked up by name at the time of the call. */
typedef struct {
  IpaDbusKind kind;                 /* of the target */
  char *name;                       /* rule or autorule name */
  char *sub;                        /* limit or threshold name */
  IpaRule *rule;
  IpaLimit *limit;
  IpaThreshold *threshold;
  const IpaConfAutorule *autorule;
  GStrv autorule_acl;               /* ctl_rule_acl of the autorule */
} IpaDbusTarget;

typedef struct _IpaDbusCall IpaDbusCall;

struct _IpaDbusCall {
  IpaDbusService *service;
  GDBusMethodInvocation *invocation; /* NULL once answered or taken */
  const IpaDbusCaller *caller;       /* valid while the handler runs */
  IpaDbusTarget target;
};

/* Answers the call (with the parameters in @call->invocation) and returns
 * TRUE, or returns FALSE with @error set; a handler that answers later
 * takes call->invocation (sets it to NULL) and returns TRUE. */
typedef gboolean (*IpaDbusHandler) (IpaDbusCall *call, GVariant *params, GError **error);

/* Where the target of a method comes from. */
#define IPA_DBUS_TARGET_PATH (-1)   /* the object the method is called on */
#define IPA_DBUS_TARGET_NONE (-2)   /* the daemon as a whole */

typedef struct {
  const char *name;
  IpaDbusAccess access;
  int target_arg;                   /* index of the "s" argument naming the target, or above */
  IpaDbusKind target_kind;          /* with target_arg >= 0: RULE or AUTORULE */
  IpaDbusHandler handler;
} IpaDbusMethod;

typedef struct {
  IpaDbusKind kind;                 /* the objects it is served on */
  const char *name;                 /* the interface name */
  const IpaDbusMethod *methods;
  guint n_methods;
  /* The value of property @name of the target, or NULL when there is no
   * such property. */
  GVariant *(*get_property) (IpaDbusService *service, const IpaDbusTarget *target,
                             const char *name);
} IpaDbusInterface;

extern const IpaDbusInterface ipa_dbus_manager_interface;
extern const IpaDbusInterface ipa_dbus_rule_interface;
extern const IpaDbusInterface ipa_dbus_limit_interface;
extern const IpaDbusInterface ipa_dbus_threshold_interface;
extern const IpaDbusInterface ipa_dbus_autorule_interface;
extern const IpaDbusInterface ipa_dbus_objmgr_interface;

/* The user data of a registration: which interface of which service. */
typedef struct {
  IpaDbusService *service;
  const IpaDbusInterface *iface;
} IpaDbusBinding;

struct _IpaDbusService {
  GDBusConnection *bus;
  IpaDbusDaemonHooks hooks;
  IpaEngine *engine;
  guint observer_id;
  IpaDbusAcl *acl;                  /* of the engine's configuration */
  IpaDbusCallers *callers;
  GCancellable *cancel;             /* cancelled when the service goes */

  GDBusNodeInfo *node_info;
  GDBusInterfaceInfo *iface_info[IPA_DBUS_N_KINDS];
  gboolean cached[IPA_DBUS_N_KINDS];  /* cache_build done: release it */
  GDBusNodeInfo *objmgr_node;
  IpaDbusBinding bindings[IPA_DBUS_N_KINDS];
  IpaDbusBinding objmgr_binding;
  guint reg_manager;
  guint reg_objmgr;
  guint reg_subtree[IPA_DBUS_N_KINDS];
  guint name_owner_id;
  gboolean name_owned;

  gsize max_reply;
  gint64 start_time;
  gint64 load_time;
  char *conf_file;                  /* of the last engine */
  gboolean had_engine;              /* announcements start after the first */
  GHashTable *old_paths;            /* during a reload: path -> interface */
  gint64 last_updated_signal;       /* wall time of the last Updated signal */
};

/* ---- ipa-dbus-service.c ---- */

/* The interface descriptor of @kind. */
const IpaDbusInterface *ipa_dbus_interface_of (IpaDbusKind kind);
/* Emit @signal_name of @interface on @path (a broadcast). */
void ipa_dbus_emit (IpaDbusService *service, const char *path, const char *interface,
                    const char *signal_name, GVariant *params);
/* PropertiesChanged of @interface on @path with one changed property. */
void ipa_dbus_emit_changed (IpaDbusService *service, const char *path,
                            const char *interface, const char *property, GVariant *value);
/* Look up @target->name/@target->sub of @target->kind in the engine. */
gboolean ipa_dbus_target_resolve (IpaDbusService *service, IpaDbusTarget *target,
                                  GError **error);
void ipa_dbus_target_clear (IpaDbusTarget *target);
/* a{sv} of every property of the target's interface. */
GVariant *ipa_dbus_all_properties (IpaDbusService *service, const IpaDbusTarget *target);
/* The engine error as the error of the interface. */
void ipa_dbus_error_from_engine (GError **error, GError *engine_error);
/* Parse an "=", "+" or "-" operator. */
gboolean ipa_dbus_parse_op (const char *op, IpaEngineSetOp *out, GError **error);
/* Tell the daemon the engine wants a dispatch soon. */
void ipa_dbus_wakeup (IpaDbusService *service);
/* @name cut to a length fit for a message (valid UTF-8 in, valid out). */
char *ipa_dbus_shorten (const char *name);
/* The method's call as a GVariant reply may be too large for the bus:
 * IPA_DBUS_ERROR_TOO_LARGE when @size exceeds the limit. */
gboolean ipa_dbus_check_size (IpaDbusService *service, gsize size, GError **error);

/* ---- ipa-dbus-rule.c, ipa-dbus-limit.c, ipa-dbus-threshold.c ---- */

/* The properties a limit or a threshold has of its rule: "Rule" (the
 * path) and "RuleName"; NULL for another @name. */
static inline GVariant *
ipa_dbus_sub_rule_property (const IpaDbusTarget *target, const char *name)
{
  if (g_str_equal (name, "Rule"))
    {
      g_autofree char *path = ipa_dbus_rule_path (ipa_rule_get_name (target->rule));

      return g_variant_new_object_path (path);
    }
  if (g_str_equal (name, "RuleName"))
    return g_variant_new_string (ipa_rule_get_name (target->rule));
  return NULL;
}

/* The end of a method that asked the engine for a change: the engine's
 * error (@ok FALSE, @engine_error taken), or a wakeup and an empty reply. */
static inline gboolean
ipa_dbus_engine_changed (IpaDbusCall *call, gboolean ok, GError *engine_error, GError **error)
{
  if (!ok)
    {
      ipa_dbus_error_from_engine (error, engine_error);
      return FALSE;
    }
  ipa_dbus_wakeup (call->service);
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), NULL);
  return TRUE;
}

/* The ListRules entry of @rule: (sssbbttxa(…)a(…)). */
GVariant *ipa_dbus_rule_entry (IpaRule *rule);
/* (sbbtta{sx}) */
GVariant *ipa_dbus_limit_entry (IpaLimit *limit);
/* a{sx}: the dates that are set. */
GVariant *ipa_dbus_limit_events (IpaLimit *limit);
/* (sbsttxx) */
GVariant *ipa_dbus_threshold_entry (IpaThreshold *threshold);
/* "unknown", "below", "equal", "above". */
const char *ipa_dbus_threshold_position (IpaThreshold *threshold);
/* A date of ipa_tm (local) as seconds since the epoch; 0 for a zero tm. */
gint64 ipa_dbus_tm_to_wall (const ipa_tm *tm);

/* ---- ipa-dbus-autorule.c ---- */

/* Rules (paths) made from @autorule. */
GVariant *ipa_dbus_autorule_rules (IpaDbusService *service, const char *autorule);
/* Create a dynamic rule and answer with its path. */
gboolean ipa_dbus_autorule_create (IpaDbusCall *call, const char *autorule,
                                   const char *name, const char *info, GError **error);

/* ---- ipa-dbus-objmgr.c: org.freedesktop.DBus.ObjectManager ---- */

/* The interface info of org.freedesktop.DBus.ObjectManager (owned by
 * the service). */
GDBusNodeInfo *ipa_dbus_objmgr_node_info (void);
/* InterfacesAdded / InterfacesRemoved for a rule, its limits and
 * thresholds. */
void ipa_dbus_objmgr_rule_added (IpaDbusService *service, IpaRule *rule);
void ipa_dbus_objmgr_rule_removed (IpaDbusService *service, IpaRule *rule);
/* Reload: remember the objects of the engine that goes, then announce the
 * difference once the next one runs. */
void ipa_dbus_objmgr_remember (IpaDbusService *service);
void ipa_dbus_objmgr_announce_changes (IpaDbusService *service);

/* ---- ipa-dbus-signals.c: engine events as signals ---- */

void ipa_dbus_signals_observer (IpaEngine *engine, const IpaEngineEvent *event,
                                gpointer user_data);

G_END_DECLS
