/*
 * ipa-dbus-objmgr.c: org.freedesktop.DBus.ObjectManager at
 * /org/ipasystem/Ipa1: every rule, limit, threshold and autorule with its
 * properties in one reply, and the objects that appear and disappear.
 *
 * The objects are not registered one by one (see ipa-dbus-service.c), so
 * this is written by hand instead of with GDBusObjectManagerServer.
 * InterfacesAdded/Removed are sent for dynamic rules created and deleted,
 * and after a reload for the difference between the two configurations
 * only: nothing at the first start, where clients ask GetManagedObjects.
 */
#include "config.h"

#include "ipa-dbus-private.h"


#define OBJMGR_IFACE "org.freedesktop.DBus.ObjectManager"

static const char objmgr_xml[] =
  "<node>"
  " <interface name='" OBJMGR_IFACE "'>"
  "  <method name='GetManagedObjects'>"
  "   <arg name='objects' type='a{oa{sa{sv}}}' direction='out'/>"
  "  </method>"
  "  <signal name='InterfacesAdded'>"
  "   <arg name='object' type='o'/>"
  "   <arg name='interfaces' type='a{sa{sv}}'/>"
  "  </signal>"
  "  <signal name='InterfacesRemoved'>"
  "   <arg name='object' type='o'/>"
  "   <arg name='interfaces' type='as'/>"
  "  </signal>"
  " </interface>"
  "</node>";

GDBusNodeInfo *
ipa_dbus_objmgr_node_info (void)
{
  g_autoptr(GError) error = NULL;
  GDBusNodeInfo *info = g_dbus_node_info_new_for_xml (objmgr_xml, &error);

  g_assert_no_error (error);
  return info;
}

/* Calls @func for every object of the engine with its target and path. */
typedef void (*ObjectFunc) (IpaDbusService *s, const IpaDbusTarget *target,
                            const char *path, gpointer user_data);

typedef struct {
  IpaDbusService *service;
  ObjectFunc func;
  gpointer user_data;
} ForeachCtx;

static void
foreach_in_rule (IpaDbusService *s, IpaRule *rule, ObjectFunc func, gpointer user_data)
{
  const char *name = ipa_rule_get_name (rule);
  IpaDbusTarget t = { .kind = IPA_DBUS_KIND_RULE, .rule = rule };
  g_autofree char *path = ipa_dbus_rule_path (name);

  func (s, &t, path, user_data);
  for (guint i = 0; i < ipa_rule_get_n_limits (rule); i++)
    {
      IpaDbusTarget lt = { .kind = IPA_DBUS_KIND_LIMIT, .rule = rule,
                           .limit = ipa_rule_get_limit (rule, i) };
      g_autofree char *lpath = ipa_dbus_limit_path (name, ipa_limit_get_name (lt.limit));

      func (s, &lt, lpath, user_data);
    }
  for (guint i = 0; i < ipa_rule_get_n_thresholds (rule); i++)
    {
      IpaDbusTarget tt = { .kind = IPA_DBUS_KIND_THRESHOLD, .rule = rule,
                           .threshold = ipa_rule_get_threshold (rule, i) };
      g_autofree char *tpath = ipa_dbus_threshold_path (name,
                                                        ipa_threshold_get_name (tt.threshold));

      func (s, &tt, tpath, user_data);
    }
}

static void
foreach_rule_cb (IpaRule *rule, gpointer user_data)
{
  ForeachCtx *ctx = user_data;

  foreach_in_rule (ctx->service, rule, ctx->func, ctx->user_data);
}

static void
foreach_object (IpaDbusService *s, ObjectFunc func, gpointer user_data)
{
  ForeachCtx ctx = { s, func, user_data };
  const IpaConf *conf = ipa_engine_get_conf (s->engine);

  ipa_engine_foreach_rule (s->engine, foreach_rule_cb, &ctx);
  for (guint i = 0; i < conf->autorules->len; i++)
    {
      const IpaConfAutorule *a = g_ptr_array_index (conf->autorules, i);
      IpaDbusTarget t = { .kind = IPA_DBUS_KIND_AUTORULE, .name = a->name, .autorule = a };
      g_autofree char *path = ipa_dbus_autorule_path (a->name);

      func (s, &t, path, user_data);
    }
}

/* {interface: {property: value}} of one object. */
static GVariant *
object_interfaces (IpaDbusService *s, const IpaDbusTarget *t)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_builder_add (&b, "{s@a{sv}}", ipa_dbus_kind_interface (t->kind),
                         ipa_dbus_all_properties (s, t));
  return g_variant_builder_end (&b);
}

/* ---- GetManagedObjects ---- */

typedef struct {
  GVariantBuilder builder;
  gsize size;
  gboolean too_large;
} ManagedCtx;

static void
add_managed (IpaDbusService *s, const IpaDbusTarget *t, const char *path, gpointer user_data)
{
  ManagedCtx *ctx = user_data;
  GVariant *entry;

  if (ctx->too_large)
    return;
  entry = g_variant_ref_sink (g_variant_new ("{o@a{sa{sv}}}", path, object_interfaces (s, t)));
  /* Serialised at once, to hold the reply in about its wire size. */
  g_variant_get_data (entry);
  ctx->size += g_variant_get_size (entry) + 8;
  if (ctx->size > s->max_reply)
    ctx->too_large = TRUE;
  else
    g_variant_builder_add_value (&ctx->builder, entry);
  g_variant_unref (entry);
}

static gboolean
get_managed_objects (IpaDbusCall *call, GVariant *params, GError **error)
{
  IpaDbusService *s = call->service;
  ManagedCtx ctx = { .size = 0 };
  GVariant *all;

  g_variant_builder_init (&ctx.builder, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  foreach_object (s, add_managed, &ctx);
  all = g_variant_builder_end (&ctx.builder);
  if (ctx.too_large)
    {
      g_variant_unref (g_variant_ref_sink (all));
      return ipa_dbus_check_size (s, ctx.size, error);
    }
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new_tuple (&all, 1));
  return TRUE;
}

static const IpaDbusMethod objmgr_methods[] = {
  { "GetManagedObjects", IPA_DBUS_ACCESS_QUERY, IPA_DBUS_TARGET_NONE, 0, get_managed_objects },
};

static GVariant *
objmgr_get_property (IpaDbusService *s, const IpaDbusTarget *t, const char *name)
{
  return NULL;
}

const IpaDbusInterface ipa_dbus_objmgr_interface = {
  .kind = IPA_DBUS_KIND_MANAGER,
  .name = OBJMGR_IFACE,
  .methods = objmgr_methods,
  .n_methods = G_N_ELEMENTS (objmgr_methods),
  .get_property = objmgr_get_property,
};

/* ---- announcements ---- */

static void
emit_added (IpaDbusService *s, const IpaDbusTarget *t, const char *path, gpointer user_data)
{
  ipa_dbus_emit (s, IPA_DBUS_PATH, OBJMGR_IFACE, "InterfacesAdded",
                 g_variant_new ("(o@a{sa{sv}})", path, object_interfaces (s, t)));
}

static void
emit_removed_iface (IpaDbusService *s, const char *path, const char *interface)
{
  const char *ifaces[] = { interface, NULL };

  ipa_dbus_emit (s, IPA_DBUS_PATH, OBJMGR_IFACE, "InterfacesRemoved",
                 g_variant_new ("(o^as)", path, ifaces));
}

static void
emit_removed (IpaDbusService *s, const IpaDbusTarget *t, const char *path, gpointer user_data)
{
  emit_removed_iface (s, path, ipa_dbus_kind_interface (t->kind));
}

void
ipa_dbus_objmgr_rule_added (IpaDbusService *s, IpaRule *rule)
{
  foreach_in_rule (s, rule, emit_added, NULL);
}

void
ipa_dbus_objmgr_rule_removed (IpaDbusService *s, IpaRule *rule)
{
  foreach_in_rule (s, rule, emit_removed, NULL);
}

static void
remember_one (IpaDbusService *s, const IpaDbusTarget *t, const char *path, gpointer user_data)
{
  g_hash_table_replace (s->old_paths, g_strdup (path),
                        (gpointer) ipa_dbus_kind_interface (t->kind));
}

void
ipa_dbus_objmgr_remember (IpaDbusService *s)
{
  g_clear_pointer (&s->old_paths, g_hash_table_unref);
  s->old_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  foreach_object (s, remember_one, NULL);
}

static void
announce_one (IpaDbusService *s, const IpaDbusTarget *t, const char *path, gpointer user_data)
{
  if (!g_hash_table_remove (s->old_paths, path))
    emit_added (s, t, path, NULL);
}

void
ipa_dbus_objmgr_announce_changes (IpaDbusService *s)
{
  GHashTableIter iter;
  gpointer path, interface;

  if (s->old_paths == NULL)
    return;
  foreach_object (s, announce_one, NULL);
  g_hash_table_iter_init (&iter, s->old_paths);
  while (g_hash_table_iter_next (&iter, &path, &interface))
    emit_removed_iface (s, path, interface);
  g_clear_pointer (&s->old_paths, g_hash_table_unref);
}
