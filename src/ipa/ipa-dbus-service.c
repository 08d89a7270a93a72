/*
 * ipa-dbus-service.c: org.ipasystem.Ipa1 on the bus: registration, the
 * path every call takes (credentials, method, target, access, handler)
 * and the engine hand-over.
 *
 * The manager and the ObjectManager are ordinary objects at
 * /org/ipasystem/Ipa1; rules, limits, thresholds and autorules are four
 * subtrees that accept any node (G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_
 * UNENUMERATED_NODES), so that a call on a name that does not exist gets
 * our NoSuch* error and nothing is registered per object.  Properties are
 * served through the method handler (no get_property function), so that
 * reading them is authorised like any call.
 */
#include "config.h"

#include "ipa-dbus-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-dbus-resources.h"
#include "ipa-log.h"

#define RESOURCE_XML "/org/ipasystem/Ipa1/org.ipasystem.Ipa1.xml"
#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"
/* Names in messages are cut to this many characters. */
#define SHORT_NAME 200

/* A call waiting for its caller's credentials. */
typedef struct {
  IpaDbusService *service;
  const IpaDbusInterface *iface;
  GDBusMethodInvocation *invocation;
  char *node;                      /* below the subtree; NULL for the manager */
} Pending;

static const IpaDbusInterface *const interfaces[IPA_DBUS_N_KINDS] = {
  [IPA_DBUS_KIND_MANAGER] = &ipa_dbus_manager_interface,
  [IPA_DBUS_KIND_RULE] = &ipa_dbus_rule_interface,
  [IPA_DBUS_KIND_LIMIT] = &ipa_dbus_limit_interface,
  [IPA_DBUS_KIND_THRESHOLD] = &ipa_dbus_threshold_interface,
  [IPA_DBUS_KIND_AUTORULE] = &ipa_dbus_autorule_interface,
};

const IpaDbusInterface *
ipa_dbus_interface_of (IpaDbusKind kind)
{
  return interfaces[kind];
}

/* ---- helpers for the interface files ---- */

void
ipa_dbus_emit (IpaDbusService *s, const char *path, const char *interface,
               const char *signal_name, GVariant *params)
{
  g_autoptr(GError) error = NULL;

  g_variant_ref_sink (params);
  if (!g_dbus_connection_emit_signal (s->bus, NULL, path, interface, signal_name,
                                      params, &error))
    ipa_log (LOG_WARNING, _("D-Bus: cannot emit %s.%s: %s"), interface, signal_name,
             error->message);
  g_variant_unref (params);
}

void
ipa_dbus_emit_changed (IpaDbusService *s, const char *path, const char *interface,
                       const char *property, GVariant *value)
{
  GVariantBuilder changed;

  g_variant_builder_init (&changed, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&changed, "{sv}", property, value);
  ipa_dbus_emit (s, path, PROPERTIES_IFACE, "PropertiesChanged",
                 g_variant_new ("(sa{sv}as)", interface, &changed, NULL));
}

char *
ipa_dbus_shorten (const char *name)
{
  g_autofree char *head = NULL;

  if (g_utf8_strlen (name, -1) <= SHORT_NAME)
    return g_strdup (name);
  head = g_utf8_substring (name, 0, SHORT_NAME);
  return g_strconcat (head, "…", NULL);
}

gboolean
ipa_dbus_check_size (IpaDbusService *s, gsize size, GError **error)
{
  if (size <= s->max_reply)
    return TRUE;
  g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_TOO_LARGE,
               _("the reply would take more than %zu bytes, "
                 "more than a bus message may hold: ask for fewer rules at a time"),
               (size_t) s->max_reply);
  return FALSE;
}

void
ipa_dbus_wakeup (IpaDbusService *s)
{
  if (s->hooks.wakeup != NULL)
    s->hooks.wakeup (s->hooks.user_data);
}

void
ipa_dbus_error_from_engine (GError **error, GError *engine_error)
{
  static const struct {
    int engine;
    IpaDbusErrorCode dbus;
  } map[] = {
    { IPA_ENGINE_ERROR_NO_SUCH_RULE, IPA_DBUS_ERROR_NO_SUCH_RULE },
    { IPA_ENGINE_ERROR_NO_SUCH_LIMIT, IPA_DBUS_ERROR_NO_SUCH_LIMIT },
    { IPA_ENGINE_ERROR_NO_SUCH_THRESHOLD, IPA_DBUS_ERROR_NO_SUCH_THRESHOLD },
    { IPA_ENGINE_ERROR_NO_SUCH_AUTORULE, IPA_DBUS_ERROR_NO_SUCH_AUTORULE },
    { IPA_ENGINE_ERROR_EXISTS, IPA_DBUS_ERROR_EXISTS },
    { IPA_ENGINE_ERROR_NOT_DYNAMIC, IPA_DBUS_ERROR_NOT_DYNAMIC },
    { IPA_ENGINE_ERROR_INVALID, IPA_DBUS_ERROR_INVALID_VALUE },
    { IPA_ENGINE_ERROR_STATE, IPA_DBUS_ERROR_STATE },
    { IPA_ENGINE_ERROR_MODULE, IPA_DBUS_ERROR_MODULE },
  };
  IpaDbusErrorCode code = IPA_DBUS_ERROR_FAILED;

  if (engine_error->domain == IPA_ENGINE_ERROR)
    for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
      if (map[i].engine == engine_error->code)
        code = map[i].dbus;
  g_set_error_literal (error, IPA_DBUS_ERROR, code, engine_error->message);
  g_error_free (engine_error);
}

gboolean
ipa_dbus_parse_op (const char *op, IpaEngineSetOp *out, GError **error)
{
  if (strcmp (op, "=") == 0)
    *out = IPA_ENGINE_SET_ASSIGN;
  else if (strcmp (op, "+") == 0)
    *out = IPA_ENGINE_SET_ADD;
  else if (strcmp (op, "-") == 0)
    *out = IPA_ENGINE_SET_SUBTRACT;
  else
    {
      g_autofree char *shown = ipa_dbus_shorten (op);

      g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_INVALID_VALUE,
                   _("invalid operator \"%s\": use \"=\", \"+\" or \"-\""), shown);
      return FALSE;
    }
  return TRUE;
}

/* ---- targets ---- */

void
ipa_dbus_target_clear (IpaDbusTarget *t)
{
  g_clear_pointer (&t->name, g_free);
  g_clear_pointer (&t->sub, g_free);
  g_clear_pointer (&t->autorule_acl, g_strfreev);
  t->rule = NULL;
  t->limit = NULL;
  t->threshold = NULL;
  t->autorule = NULL;
}

gboolean
ipa_dbus_target_resolve (IpaDbusService *s, IpaDbusTarget *t, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *sub = NULL;

  if (t->kind == IPA_DBUS_KIND_MANAGER)
    return TRUE;
  g_return_val_if_fail (s->engine != NULL && t->name != NULL, FALSE);
  name = ipa_dbus_shorten (t->name);
  if (t->kind == IPA_DBUS_KIND_AUTORULE)
    {
      const IpaConf *conf = ipa_engine_get_conf (s->engine);
      IpaConfRuleParams params = { 0 };

      t->autorule = ipa_conf_find_autorule (conf, t->name);
      if (t->autorule == NULL)
        {
          g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_AUTORULE,
                       _("no autorule \"%s\""), name);
          return FALSE;
        }
      ipa_conf_autorule_params (conf, t->autorule, &params);
      if (params.ctl_rule_acl.set)
        t->autorule_acl = g_strdupv (params.ctl_rule_acl.names);
      ipa_conf_rule_params_clear (&params);
      return TRUE;
    }

  t->rule = ipa_engine_lookup_rule (s->engine, t->name);
  if (t->rule == NULL)
    {
      g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_RULE,
                   _("no rule \"%s\""), name);
      return FALSE;
    }
  if (t->kind == IPA_DBUS_KIND_LIMIT)
    {
      t->limit = ipa_rule_lookup_limit (t->rule, t->sub);
      if (t->limit == NULL)
        {
          sub = ipa_dbus_shorten (t->sub);
          g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_LIMIT,
                       _("rule \"%s\" has no limit \"%s\""), name, sub);
          return FALSE;
        }
    }
  else if (t->kind == IPA_DBUS_KIND_THRESHOLD)
    {
      t->threshold = ipa_rule_lookup_threshold (t->rule, t->sub);
      if (t->threshold == NULL)
        {
          sub = ipa_dbus_shorten (t->sub);
          g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_NO_SUCH_THRESHOLD,
                       _("rule \"%s\" has no threshold \"%s\""), name, sub);
          return FALSE;
        }
    }
  return TRUE;
}

/* "rule r1", "limit r1/l1", "the daemon", for messages. */
static char *
target_describe (const IpaDbusTarget *t)
{
  g_autofree char *name = t->name != NULL ? ipa_dbus_shorten (t->name) : NULL;
  g_autofree char *sub = t->sub != NULL ? ipa_dbus_shorten (t->sub) : NULL;

  switch (t->kind)
    {
    case IPA_DBUS_KIND_RULE:
      return g_strdup_printf (_("rule %s"), name);
    case IPA_DBUS_KIND_LIMIT:
      return g_strdup_printf (_("limit %s/%s"), name, sub);
    case IPA_DBUS_KIND_THRESHOLD:
      return g_strdup_printf (_("threshold %s/%s"), name, sub);
    case IPA_DBUS_KIND_AUTORULE:
      return g_strdup_printf (_("autorule %s"), name);
    case IPA_DBUS_KIND_MANAGER:
    default:
      return g_strdup (_("ipa"));
    }
}

GVariant *
ipa_dbus_all_properties (IpaDbusService *s, const IpaDbusTarget *t)
{
  GDBusInterfaceInfo *info = s->iface_info[t->kind];
  const IpaDbusInterface *iface = interfaces[t->kind];
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; info->properties != NULL && info->properties[i] != NULL; i++)
    {
      const char *name = info->properties[i]->name;
      GVariant *v = iface->get_property (s, t, name);

      if (v != NULL)
        g_variant_builder_add (&b, "{sv}", name, v);
    }
  return g_variant_builder_end (&b);
}

/* ---- properties (org.freedesktop.DBus.Properties, routed to us) ---- */

static gboolean
properties_get (IpaDbusCall *call, GVariant *params, GError **error)
{
  const char *iface_name, *prop;
  GVariant *v;

  g_variant_get (params, "(&s&s)", &iface_name, &prop);
  v = interfaces[call->target.kind]->get_property (call->service, &call->target, prop);
  if (v == NULL)
    {
      g_autofree char *shown = ipa_dbus_shorten (prop);

      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
                   _("no property \"%s\""), shown);
      return FALSE;
    }
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new ("(v)", v));
  return TRUE;
}

static gboolean
properties_get_all (IpaDbusCall *call, GVariant *params, GError **error)
{
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new ("(@a{sv})",
                                                        ipa_dbus_all_properties (call->service,
                                                                                 &call->target)));
  return TRUE;
}

static const IpaDbusMethod property_methods[] = {
  { "Get", IPA_DBUS_ACCESS_QUERY, IPA_DBUS_TARGET_PATH, 0, properties_get },
  { "GetAll", IPA_DBUS_ACCESS_QUERY, IPA_DBUS_TARGET_PATH, 0, properties_get_all },
};

/* ---- the path of a call ---- */

static void
pending_free (Pending *p)
{
  if (p->invocation != NULL)
    g_object_unref (p->invocation);
  g_free (p->node);
  g_free (p);
}

static const IpaDbusMethod *
find_method (const IpaDbusInterface *iface, const char *interface_name,
             const char *method, GError **error)
{
  if (strcmp (interface_name, PROPERTIES_IFACE) == 0)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (property_methods); i++)
        if (strcmp (property_methods[i].name, method) == 0)
          return &property_methods[i];
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
                   _("the properties of ipa are read-only"));
      return NULL;
    }
  for (guint i = 0; i < iface->n_methods; i++)
    if (strcmp (iface->methods[i].name, method) == 0)
      return &iface->methods[i];
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
               _("no method %s.%s"), interface_name, method);
  return NULL;
}

/* Fill in the target's kind and names; FALSE (with @error) when the
 * path's node cannot be a name. */
static gboolean
target_from_call (const Pending *p, const IpaDbusMethod *m, GVariant *params,
                  IpaDbusTarget *t, GError **error)
{
  if (m->target_arg == IPA_DBUS_TARGET_NONE)
    {
      t->kind = IPA_DBUS_KIND_MANAGER;
      return TRUE;
    }
  if (m->target_arg >= 0)
    {
      g_autoptr(GVariant) arg = g_variant_get_child_value (params, (gsize) m->target_arg);

      t->kind = m->target_kind;
      t->name = g_variant_dup_string (arg, NULL);
      return TRUE;
    }
  t->kind = p->iface->kind;
  if (t->kind == IPA_DBUS_KIND_MANAGER)
    return TRUE;
  if (!ipa_dbus_parse_node (t->kind, p->node, &t->name, &t->sub))
    {
      static const IpaDbusErrorCode codes[IPA_DBUS_N_KINDS] = {
        [IPA_DBUS_KIND_RULE] = IPA_DBUS_ERROR_NO_SUCH_RULE,
        [IPA_DBUS_KIND_LIMIT] = IPA_DBUS_ERROR_NO_SUCH_LIMIT,
        [IPA_DBUS_KIND_THRESHOLD] = IPA_DBUS_ERROR_NO_SUCH_THRESHOLD,
        [IPA_DBUS_KIND_AUTORULE] = IPA_DBUS_ERROR_NO_SUCH_AUTORULE,
      };
      g_autofree char *shown = ipa_dbus_shorten (p->node != NULL ? p->node : "");

      g_set_error (error, IPA_DBUS_ERROR, codes[t->kind],
                   _("\"%s\" does not name an object of ipa"), shown);
      return FALSE;
    }
  return TRUE;
}

/* May the method run without an engine (while reloading)?  Only what
 * describes the daemon itself. */
static gboolean
works_without_engine (const IpaDbusInterface *iface, const IpaDbusMethod *m)
{
  return iface == &ipa_dbus_manager_interface &&
         (m->handler == properties_get || m->handler == properties_get_all ||
          strcmp (m->name, "Status") == 0);
}

static void
dispatch (Pending *p, const IpaDbusCaller *caller)
{
  IpaDbusService *s = p->service;
  GDBusMethodInvocation *inv = p->invocation;
  const char *interface_name = g_dbus_method_invocation_get_interface_name (inv);
  const char *method = g_dbus_method_invocation_get_method_name (inv);
  GVariant *params = g_dbus_method_invocation_get_parameters (inv);
  IpaDbusCall call = { s, inv, caller, { 0 } };
  g_autoptr(GError) error = NULL;
  g_autofree char *action = NULL;
  g_autofree char *what = NULL;
  const IpaDbusMethod *m;
  const char *const *rule_acl = NULL;
  gboolean ok = FALSE;

  m = find_method (p->iface, interface_name, method, &error);
  if (m == NULL)
    goto out;
  if (m->handler == properties_get || m->handler == properties_get_all)
    {
      const char *asked;

      g_variant_get_child (params, 0, "&s", &asked);
      if (strcmp (asked, p->iface->name) != 0)
        {
          g_autofree char *shown = ipa_dbus_shorten (asked);

          g_set_error (&error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE,
                       _("no interface \"%s\" on this object"), shown);
          goto out;
        }
    }
  if (!target_from_call (p, m, params, &call.target, &error))
    {
      /* Whether such a name exists is only told to those who may read. */
      g_autoptr(GError) denied = NULL;

      if (!ipa_dbus_acl_check (s->engine != NULL ? s->acl : NULL, caller,
                               IPA_DBUS_ACCESS_QUERY, NULL, _("read ipa"), &denied))
        {
          g_clear_error (&error);
          g_propagate_error (&error, g_steal_pointer (&denied));
        }
      goto out;
    }
  what = target_describe (&call.target);
  action = g_strdup_printf (_("call %s on %s"), method, what);

  if (s->engine == NULL)
    {
      if (!ipa_dbus_acl_check (NULL, caller, m->access, NULL, action, &error))
        goto out;
      if (!works_without_engine (p->iface, m))
        {
          g_set_error_literal (&error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_NOT_RUNNING,
                               _("ipa is loading its configuration: ask again in a moment"));
          goto out;
        }
    }
  else if (!ipa_dbus_target_resolve (s, &call.target, &error))
    {
      g_autoptr(GError) denied = NULL;

      if (!ipa_dbus_acl_check (s->acl, caller, IPA_DBUS_ACCESS_QUERY, NULL,
                               action, &denied))
        {
          g_clear_error (&error);
          g_propagate_error (&error, g_steal_pointer (&denied));
        }
      goto out;
    }
  else
    {
      if (call.target.rule != NULL)
        rule_acl = ipa_rule_get_acl (call.target.rule);
      else if (call.target.kind == IPA_DBUS_KIND_AUTORULE)
        rule_acl = (const char *const *) call.target.autorule_acl;
      if (!ipa_dbus_acl_check (s->acl, caller, m->access, rule_acl, action, &error))
        goto out;
    }

  ok = m->handler (&call, params, &error);

out:
  if (!ok)
    {
      g_assert (error != NULL);
      if (call.invocation != NULL)
        g_dbus_method_invocation_return_gerror (g_steal_pointer (&call.invocation), error);
    }
  else if (call.invocation != NULL)
    {
      /* A handler must answer or take the invocation. */
      g_critical ("D-Bus handler of %s.%s did not answer", interface_name, method);
      g_dbus_method_invocation_return_error (g_steal_pointer (&call.invocation),
                                             IPA_DBUS_ERROR, IPA_DBUS_ERROR_FAILED,
                                             "internal error");
    }
  /* The invocation was answered (which consumed our reference) or taken. */
  p->invocation = NULL;
  ipa_dbus_target_clear (&call.target);
  pending_free (p);
}

static void
caller_known (const IpaDbusCaller *caller, const GError *error, gpointer user_data)
{
  Pending *p = user_data;

  if (caller == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_dbus_method_invocation_return_error (g_steal_pointer (&p->invocation),
                                               IPA_DBUS_ERROR, IPA_DBUS_ERROR_ACCESS_DENIED,
                                               _("access denied: the caller cannot be "
                                                 "identified: %s"), error->message);
      /* Cancelled: the service is gone; the invocation is dropped. */
      pending_free (p);
      return;
    }
  dispatch (p, caller);
}

static void
method_call (GDBusConnection *bus, const char *sender, const char *path,
             const char *interface_name, const char *method, GVariant *params,
             GDBusMethodInvocation *invocation, gpointer user_data)
{
  IpaDbusBinding *b = user_data;
  Pending *p = g_new0 (Pending, 1);
  const char *subtree = ipa_dbus_kind_subtree (b->iface->kind);
  gsize len = strlen (subtree);

  p->service = b->service;
  p->iface = b->iface;
  p->invocation = invocation;  /* ours now */
  if (b->iface->kind != IPA_DBUS_KIND_MANAGER &&
      strncmp (path, subtree, len) == 0 && path[len] == '/')
    p->node = g_strdup (path + len + 1);
  ipa_dbus_callers_lookup (b->service->callers, sender, caller_known, p);
}

static const GDBusInterfaceVTable vtable = {
  .method_call = method_call,
  /* NULL: Get, GetAll and Set come to method_call, to be authorised. */
  .get_property = NULL,
  .set_property = NULL,
};

/* ---- subtrees ---- */

static void
add_node (GPtrArray *nodes, char *path, const char *subtree)
{
  gsize len = strlen (subtree);

  if (strncmp (path, subtree, len) == 0 && path[len] == '/')
    g_ptr_array_add (nodes, g_strdup (path + len + 1));
  g_free (path);
}

typedef struct {
  GPtrArray *nodes;
  IpaDbusKind kind;
} EnumerateCtx;

static void
enumerate_rule (IpaRule *rule, gpointer user_data)
{
  EnumerateCtx *ctx = user_data;
  const char *name = ipa_rule_get_name (rule);
  const char *subtree = ipa_dbus_kind_subtree (ctx->kind);

  if (ctx->kind == IPA_DBUS_KIND_RULE)
    add_node (ctx->nodes, ipa_dbus_rule_path (name), subtree);
  else if (ctx->kind == IPA_DBUS_KIND_LIMIT)
    for (guint i = 0; i < ipa_rule_get_n_limits (rule); i++)
      add_node (ctx->nodes,
                ipa_dbus_limit_path (name, ipa_limit_get_name (ipa_rule_get_limit (rule, i))),
                subtree);
  else
    for (guint i = 0; i < ipa_rule_get_n_thresholds (rule); i++)
      add_node (ctx->nodes,
                ipa_dbus_threshold_path (name,
                                         ipa_threshold_get_name (ipa_rule_get_threshold (rule, i))),
                subtree);
}

/* The children of a subtree, for Introspect of the subtree itself. */
static char **
subtree_enumerate (GDBusConnection *bus, const char *sender, const char *path,
                   gpointer user_data)
{
  IpaDbusBinding *b = user_data;
  IpaDbusService *s = b->service;
  EnumerateCtx ctx = { g_ptr_array_new (), b->iface->kind };

  if (s->engine != NULL)
    {
      if (ctx.kind == IPA_DBUS_KIND_AUTORULE)
        {
          const IpaConf *conf = ipa_engine_get_conf (s->engine);

          for (guint i = 0; i < conf->autorules->len; i++)
            add_node (ctx.nodes,
                      ipa_dbus_autorule_path (((IpaConfAutorule *) conf->autorules->pdata[i])->name),
                      ipa_dbus_kind_subtree (IPA_DBUS_KIND_AUTORULE));
        }
      else
        ipa_engine_foreach_rule (s->engine, enumerate_rule, &ctx);
    }
  g_ptr_array_add (ctx.nodes, NULL);
  return (char **) g_ptr_array_free (ctx.nodes, FALSE);
}

static GDBusInterfaceInfo **
subtree_introspect (GDBusConnection *bus, const char *sender, const char *path,
                    const char *node, gpointer user_data)
{
  IpaDbusBinding *b = user_data;
  GDBusInterfaceInfo **infos;

  if (node == NULL)
    return NULL;  /* the subtree itself is only a container */
  infos = g_new0 (GDBusInterfaceInfo *, 2);
  infos[0] = g_dbus_interface_info_ref (b->service->iface_info[b->iface->kind]);
  return infos;
}

static const GDBusInterfaceVTable *
subtree_dispatch (GDBusConnection *bus, const char *sender, const char *path,
                  const char *interface_name, const char *node,
                  gpointer *out_user_data, gpointer user_data)
{
  IpaDbusBinding *b = user_data;

  if (node == NULL)
    return NULL;
  *out_user_data = b;
  return &vtable;
}

static const GDBusSubtreeVTable subtree_vtable = {
  .enumerate = subtree_enumerate,
  .introspect = subtree_introspect,
  .dispatch = subtree_dispatch,
};

/* ---- life cycle ---- */

GDBusConnection *
ipa_dbus_service_connect (const char *address, GError **error)
{
  if (address == NULL)
    return g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  return g_dbus_connection_new_for_address_sync (address,
                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, error);
}

static gboolean
load_interfaces (IpaDbusService *s, GError **error)
{
  g_autoptr(GBytes) xml = NULL;

  xml = g_resource_lookup_data (ipa_dbus_get_resource (), RESOURCE_XML,
                                G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (xml == NULL)
    return FALSE;
  s->node_info = g_dbus_node_info_new_for_xml (g_bytes_get_data (xml, NULL), error);
  if (s->node_info == NULL)
    return FALSE;
  for (guint k = 0; k < IPA_DBUS_N_KINDS; k++)
    {
      s->iface_info[k] = g_dbus_node_info_lookup_interface (s->node_info,
                                                            ipa_dbus_kind_interface (k));
      if (s->iface_info[k] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: interface %s missing", RESOURCE_XML, ipa_dbus_kind_interface (k));
          return FALSE;
        }
      g_dbus_interface_info_cache_build (s->iface_info[k]);
      s->cached[k] = TRUE;
      s->bindings[k].service = s;
      s->bindings[k].iface = interfaces[k];
    }
  s->objmgr_node = ipa_dbus_objmgr_node_info ();
  s->objmgr_binding.service = s;
  s->objmgr_binding.iface = &ipa_dbus_objmgr_interface;
  return TRUE;
}

IpaDbusService *
ipa_dbus_service_new (GDBusConnection *bus, const IpaDbusDaemonHooks *hooks, GError **error)
{
  g_autoptr(IpaDbusService) s = g_new0 (IpaDbusService, 1);

  s->bus = g_object_ref (bus);
  if (hooks != NULL)
    s->hooks = *hooks;
  s->callers = ipa_dbus_callers_new (bus);
  s->cancel = g_cancellable_new ();
  s->max_reply = IPA_DBUS_MAX_REPLY_DEFAULT;
  s->start_time = g_get_real_time () / G_USEC_PER_SEC;
  if (!load_interfaces (s, error))
    return NULL;

  s->reg_manager = g_dbus_connection_register_object (bus, IPA_DBUS_PATH,
                                                      s->iface_info[IPA_DBUS_KIND_MANAGER],
                                                      &vtable,
                                                      &s->bindings[IPA_DBUS_KIND_MANAGER],
                                                      NULL, error);
  if (s->reg_manager == 0)
    return NULL;
  s->reg_objmgr = g_dbus_connection_register_object (bus, IPA_DBUS_PATH,
                                                     s->objmgr_node->interfaces[0],
                                                     &vtable, &s->objmgr_binding,
                                                     NULL, error);
  if (s->reg_objmgr == 0)
    return NULL;
  for (guint k = IPA_DBUS_KIND_RULE; k < IPA_DBUS_N_KINDS; k++)
    {
      s->reg_subtree[k] = g_dbus_connection_register_subtree (bus, ipa_dbus_kind_subtree (k),
                                                              &subtree_vtable,
                                                              G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_UNENUMERATED_NODES,
                                                              &s->bindings[k], NULL, error);
      if (s->reg_subtree[k] == 0)
        return NULL;
    }
  return g_steal_pointer (&s);
}

gboolean
ipa_dbus_service_own_name (IpaDbusService *s, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  guint32 result;

  reply = g_dbus_connection_call_sync (s->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", IPA_DBUS_NAME,
                                                      (guint32) 0x4 /* DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, error);
  if (reply == NULL)
    {
      g_prefix_error (error, _("cannot own the bus name %s: "), IPA_DBUS_NAME);
      return FALSE;
    }
  g_variant_get (reply, "(u)", &result);
  /* 1: primary owner now; 4: owned already by us. */
  if (result != 1 && result != 4)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("cannot own the bus name %s: another process owns it "
                     "(is another ipa running?)"), IPA_DBUS_NAME);
      return FALSE;
    }
  s->name_owned = TRUE;
  return TRUE;
}

void
ipa_dbus_service_set_engine (IpaDbusService *s, IpaEngine *engine)
{
  if (engine == s->engine)
    return;
  if (s->engine != NULL)
    {
      /* The objects of this engine, for what the next one changes. */
      ipa_dbus_objmgr_remember (s);
      ipa_engine_remove_observer (s->engine, s->observer_id);
      s->observer_id = 0;
      g_clear_pointer (&s->acl, ipa_dbus_acl_free);
      s->engine = NULL;
      ipa_dbus_emit_changed (s, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "Running",
                             g_variant_new_boolean (FALSE));
    }
  if (engine == NULL)
    return;

  s->engine = engine;
  s->acl = ipa_dbus_acl_new (ipa_engine_get_conf (engine));
  s->observer_id = ipa_engine_add_observer (engine, ipa_dbus_signals_observer, s);
  s->load_time = g_get_real_time () / G_USEC_PER_SEC;
  g_free (s->conf_file);
  s->conf_file = g_strdup (ipa_engine_get_conf (engine)->path);
  if (s->had_engine)
    {
      GVariantBuilder changed;

      ipa_dbus_objmgr_announce_changes (s);
      g_variant_builder_init (&changed, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&changed, "{sv}", "Running", g_variant_new_boolean (TRUE));
      g_variant_builder_add (&changed, "{sv}", "LoadTime", g_variant_new_int64 (s->load_time));
      g_variant_builder_add (&changed, "{sv}", "NRules",
                             g_variant_new_uint32 (ipa_engine_get_n_rules (engine)));
      g_variant_builder_add (&changed, "{sv}", "ConfigFile",
                             g_variant_new_string (s->conf_file != NULL ? s->conf_file : ""));
      ipa_dbus_emit (s, IPA_DBUS_PATH, PROPERTIES_IFACE, "PropertiesChanged",
                     g_variant_new ("(sa{sv}as)", IPA_DBUS_IFACE_MANAGER, &changed, NULL));
    }
  g_clear_pointer (&s->old_paths, g_hash_table_unref);
  s->had_engine = TRUE;
}

void
ipa_dbus_service_set_max_reply (IpaDbusService *s, gsize bytes)
{
  s->max_reply = bytes;
}

void
ipa_dbus_service_free (IpaDbusService *s)
{
  if (s == NULL)
    return;
  if (s->engine != NULL && s->observer_id != 0)
    ipa_engine_remove_observer (s->engine, s->observer_id);
  s->engine = NULL;
  for (guint k = 0; k < IPA_DBUS_N_KINDS; k++)
    if (s->reg_subtree[k] != 0)
      g_dbus_connection_unregister_subtree (s->bus, s->reg_subtree[k]);
  if (s->reg_objmgr != 0)
    g_dbus_connection_unregister_object (s->bus, s->reg_objmgr);
  if (s->reg_manager != 0)
    g_dbus_connection_unregister_object (s->bus, s->reg_manager);
  if (s->name_owned)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (s->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "ReleaseName",
                                     g_variant_new ("(s)", IPA_DBUS_NAME),
                                     G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE,
                                     1000, NULL, NULL);
    }
  /* Calls still waiting for credentials are dropped. */
  g_cancellable_cancel (s->cancel);
  g_clear_object (&s->cancel);
  ipa_dbus_callers_free (s->callers);
  g_clear_pointer (&s->acl, ipa_dbus_acl_free);
  g_clear_pointer (&s->old_paths, g_hash_table_unref);
  /* The lookup caches are global and keyed by the info's address. */
  for (guint k = 0; k < IPA_DBUS_N_KINDS; k++)
    if (s->iface_info[k] != NULL && s->cached[k])
      g_dbus_interface_info_cache_release (s->iface_info[k]);
  g_clear_pointer (&s->node_info, g_dbus_node_info_unref);
  g_clear_pointer (&s->objmgr_node, g_dbus_node_info_unref);
  g_free (s->conf_file);
  g_object_unref (s->bus);
  g_free (s);
}
