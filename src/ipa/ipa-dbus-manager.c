/*
 * ipa-dbus-manager.c: org.ipasystem.Ipa1.Manager at /org/ipasystem/Ipa1,
 * the daemon as a whole.
 */
#include "config.h"

#include "ipa-dbus-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-memfunc.h"

/* ---- properties ---- */

static GVariant *
manager_get_property (IpaDbusService *s, const IpaDbusTarget *t, const char *name)
{
  IpaEngine *engine = s->engine;

  if (strcmp (name, "Version") == 0)
    return g_variant_new_string (PACKAGE_VERSION);
  if (strcmp (name, "ConfigFile") == 0)
    return g_variant_new_string (s->conf_file != NULL ? s->conf_file : "");
  if (strcmp (name, "Running") == 0)
    return g_variant_new_boolean (engine != NULL);
  if (strcmp (name, "StartTime") == 0)
    return g_variant_new_int64 (s->start_time);
  if (strcmp (name, "LoadTime") == 0)
    return g_variant_new_int64 (s->load_time);
  if (strcmp (name, "NRules") == 0)
    return g_variant_new_uint32 (engine != NULL ? ipa_engine_get_n_rules (engine) : 0);
  if (strcmp (name, "LastUpdate") == 0)
    return g_variant_new_int64 (engine != NULL ? ipa_engine_get_last_round (engine) : 0);
  if (strcmp (name, "Frozen") == 0)
    return g_variant_new_boolean (engine != NULL && ipa_engine_is_frozen (engine));
  return NULL;
}

/* ---- Status ---- */

typedef struct {
  guint static_rules, dynamic_rules, active_rules;
  guint limits, reached, thresholds;
} Counts;

static void
count_rule (IpaRule *rule, gpointer user_data)
{
  Counts *c = user_data;
  guint n = ipa_rule_get_n_limits (rule);

  if (ipa_rule_is_dynamic (rule))
    c->dynamic_rules++;
  else
    c->static_rules++;
  if (ipa_rule_is_active (rule))
    c->active_rules++;
  c->limits += n;
  for (guint i = 0; i < n; i++)
    if (ipa_limit_is_reached (ipa_rule_get_limit (rule, i)))
      c->reached++;
  c->thresholds += ipa_rule_get_n_thresholds (rule);
}

static GVariant *
module_names (GPtrArray *mods)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; mods != NULL && i < mods->len; i++)
    g_variant_builder_add (&b, "s", ((IpaConfModRef *) g_ptr_array_index (mods, i))->name);
  return g_variant_builder_end (&b);
}

static gboolean
manager_status (IpaDbusCall *call, GVariant *params, GError **error)
{
  IpaDbusService *s = call->service;
  IpaEngine *engine = s->engine;
  GVariantBuilder b;
  const char *props[] = { "Version", "ConfigFile", "Running", "Frozen", "StartTime",
                          "LoadTime", "LastUpdate" };

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (gsize i = 0; i < G_N_ELEMENTS (props); i++)
    g_variant_builder_add (&b, "{sv}", props[i], manager_get_property (s, NULL, props[i]));
  if (engine != NULL)
    {
      const IpaConf *conf = ipa_engine_get_conf (engine);
      Counts c = { 0 };

      ipa_engine_foreach_rule (engine, count_rule, &c);
      g_variant_builder_add (&b, "{sv}", "StaticRules", g_variant_new_uint32 (c.static_rules));
      g_variant_builder_add (&b, "{sv}", "DynamicRules", g_variant_new_uint32 (c.dynamic_rules));
      g_variant_builder_add (&b, "{sv}", "ActiveRules", g_variant_new_uint32 (c.active_rules));
      g_variant_builder_add (&b, "{sv}", "Autorules",
                             g_variant_new_uint32 (conf->autorules->len));
      g_variant_builder_add (&b, "{sv}", "Limits", g_variant_new_uint32 (c.limits));
      g_variant_builder_add (&b, "{sv}", "ReachedLimits", g_variant_new_uint32 (c.reached));
      g_variant_builder_add (&b, "{sv}", "Thresholds", g_variant_new_uint32 (c.thresholds));
      g_variant_builder_add (&b, "{sv}", "FreezeTime",
                             g_variant_new_uint64 (conf->freeze_time.set
                                                   ? conf->freeze_time.v
                                                   : IPA_CONF_DEFAULT_FREEZE_TIME));
      g_variant_builder_add (&b, "{sv}", "AcModules", module_names (conf->ac_mods));
      g_variant_builder_add (&b, "{sv}", "DbModules", module_names (conf->db_mods));
    }
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new ("(a{sv})", &b));
  return TRUE;
}

/* ---- Memory ---- */

static gboolean
manager_memory (IpaDbusCall *call, GVariant *params, GError **error)
{
  static const char *const kinds[] = {
    [IPA_MEM_STAT_MEM_TYPE] = "mem_type",
    [IPA_MEM_STAT_MARRAY] = "marray",
    [IPA_MEM_STAT_MZONE] = "mzone",
  };
  g_autoptr(GPtrArray) stats = ipa_memfunc_get_stats ();
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(ssssttttttt)"));
  for (guint i = 0; i < stats->len; i++)
    {
      const IpaMemStat *m = g_ptr_array_index (stats, i);

      g_variant_builder_add (&b, "(ssssttttttt)",
                             m->kind < G_N_ELEMENTS (kinds) ? kinds[m->kind] : "?",
                             m->name != NULL ? m->name : "",
                             m->desc != NULL ? m->desc : "",
                             m->owner != NULL ? m->owner : "",
                             m->bytes, m->peak_bytes, m->blocks, m->total_allocs,
                             m->item_size, m->items_used, m->items_allocated);
    }
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new ("(a(ssssttttttt))", &b));
  return TRUE;
}

/* ---- Dump, Freeze, Thaw, Reload ---- */

static gboolean
manager_dump (IpaDbusCall *call, GVariant *params, GError **error)
{
  IpaEngine *engine = call->service->engine;
  const IpaConf *conf = ipa_engine_get_conf (engine);
  guint64 sleep_after = conf->sleep_after_dump.set ? conf->sleep_after_dump.v
                                                   : IPA_CONF_DEFAULT_SLEEP_AFTER_DUMP;

  ipa_engine_flush (engine);
  /* The pause lets the databases be copied as they are now; a freeze that
   * runs already is left as it is. */
  if (sleep_after > 0 && !ipa_engine_is_frozen (engine))
    ipa_engine_freeze (engine, (gint64) MIN (sleep_after, (guint64) G_MAXINT32));
  ipa_dbus_wakeup (call->service);
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), NULL);
  return TRUE;
}

static gboolean
manager_freeze (IpaDbusCall *call, GVariant *params, GError **error)
{
  IpaEngine *engine = call->service->engine;
  const IpaConf *conf = ipa_engine_get_conf (engine);
  guint32 seconds;

  g_variant_get (params, "(u)", &seconds);
  if (seconds == 0)
    seconds = (guint32) MIN (conf->freeze_time.set ? conf->freeze_time.v
                                                   : IPA_CONF_DEFAULT_FREEZE_TIME,
                             (guint64) G_MAXINT32);
  ipa_engine_freeze (engine, seconds);
  ipa_dbus_wakeup (call->service);
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), NULL);
  return TRUE;
}

static gboolean
manager_thaw (IpaDbusCall *call, GVariant *params, GError **error)
{
  ipa_engine_freeze (call->service->engine, 0);
  ipa_dbus_wakeup (call->service);
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), NULL);
  return TRUE;
}

static void
reload_done (gboolean ok, const char *error_message, gpointer done_data)
{
  GDBusMethodInvocation *invocation = done_data;

  if (ok)
    g_dbus_method_invocation_return_value (invocation, NULL);
  else
    g_dbus_method_invocation_return_error_literal (invocation, IPA_DBUS_ERROR,
                                                   IPA_DBUS_ERROR_FAILED,
                                                   error_message != NULL
                                                   ? error_message
                                                   : _("the configuration was not reloaded"));
}

static gboolean
manager_reload (IpaDbusCall *call, GVariant *params, GError **error)
{
  IpaDbusService *s = call->service;

  if (s->hooks.reload == NULL)
    {
      g_set_error_literal (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_FAILED,
                           _("this ipa cannot reload its configuration over D-Bus"));
      return FALSE;
    }
  /* The engine goes away during the reload: nothing of it is used after. */
  s->hooks.reload (reload_done, g_steal_pointer (&call->invocation), s->hooks.user_data);
  return TRUE;
}

/* ---- ListRules, GetRule, ListAutorules ---- */

typedef struct {
  IpaDbusService *service;
  GVariantBuilder builder;
  guint first, count;      /* count 0: all */
  guint index;
  gsize size;
  gboolean too_large;
} ListCtx;

static void
list_rule (IpaRule *rule, gpointer user_data)
{
  ListCtx *ctx = user_data;
  guint i = ctx->index++;
  GVariant *entry;

  if (ctx->too_large || i < ctx->first || (ctx->count > 0 && i - ctx->first >= ctx->count))
    return;
  entry = g_variant_ref_sink (ipa_dbus_rule_entry (rule));
  /* Serialised now, the entry drops its tree of small GVariants: the
   * whole reply then takes about its size on the wire, not ten times
   * that.  Its size plus the array's framing (at most 8 bytes). */
  g_variant_get_data (entry);
  ctx->size += g_variant_get_size (entry) + 8;
  if (ctx->size > ctx->service->max_reply)
    ctx->too_large = TRUE;
  else
    g_variant_builder_add_value (&ctx->builder, entry);
  g_variant_unref (entry);
}

static gboolean
manager_list_rules (IpaDbusCall *call, GVariant *params, GError **error)
{
  IpaDbusService *s = call->service;
  ListCtx ctx = { .service = s };
  GVariant *rules;
  guint32 next = 0;

  g_variant_get (params, "(uu)", &ctx.first, &ctx.count);
  g_variant_builder_init (&ctx.builder, G_VARIANT_TYPE ("a(sssbbttxa(sbbtta{sx})a(sbsttxx))"));
  ipa_engine_foreach_rule (s->engine, list_rule, &ctx);
  rules = g_variant_ref_sink (g_variant_builder_end (&ctx.builder));
  if (ctx.too_large)
    {
      g_variant_unref (rules);
      return ipa_dbus_check_size (s, ctx.size, error);
    }
  if (ctx.count > 0 && (guint64) ctx.first + ctx.count < ctx.index)
    next = ctx.first + ctx.count;
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new ("(@a(sssbbttxa(sbbtta{sx})a(sbsttxx))u)",
                                                        rules, next));
  g_variant_unref (rules);
  return TRUE;
}

static gboolean
manager_get_rule (IpaDbusCall *call, GVariant *params, GError **error)
{
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new_tuple ((GVariant *[]) {
                                           ipa_dbus_rule_entry (call->target.rule) }, 1));
  return TRUE;
}

static void
add_to_autorule (IpaRule *rule, gpointer user_data)
{
  GHashTable *by_name = user_data;
  const char *autorule = ipa_rule_get_autorule (rule);
  GPtrArray *names = autorule != NULL ? g_hash_table_lookup (by_name, autorule) : NULL;

  if (names != NULL)
    g_ptr_array_add (names, (gpointer) ipa_rule_get_name (rule));
}

static gboolean
manager_list_autorules (IpaDbusCall *call, GVariant *params, GError **error)
{
  IpaDbusService *s = call->service;
  const IpaConf *conf = ipa_engine_get_conf (s->engine);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  GVariantBuilder b;

  /* Dynamic rules of each autorule, in one pass over the rules. */
  for (guint i = 0; i < conf->autorules->len; i++)
    {
      const IpaConfAutorule *a = g_ptr_array_index (conf->autorules, i);

      g_hash_table_insert (by_name, a->name, g_ptr_array_new ());
    }
  ipa_engine_foreach_rule (s->engine, add_to_autorule, by_name);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(sas)"));
  for (guint i = 0; i < conf->autorules->len; i++)
    {
      const IpaConfAutorule *a = g_ptr_array_index (conf->autorules, i);
      g_autoptr(GPtrArray) names = g_hash_table_lookup (by_name, a->name);

      g_ptr_array_add (names, NULL);
      g_variant_builder_add (&b, "(s^as)", a->name, (char **) names->pdata);
    }
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new ("(a(sas))", &b));
  return TRUE;
}

/* ---- CreateRule, DeleteRule ---- */

static gboolean
manager_create_rule (IpaDbusCall *call, GVariant *params, GError **error)
{
  const char *autorule, *name, *info;

  g_variant_get (params, "(&s&s&s)", &autorule, &name, &info);
  return ipa_dbus_autorule_create (call, call->target.autorule->name, name, info, error);
}

static gboolean
manager_delete_rule (IpaDbusCall *call, GVariant *params, GError **error)
{
  GError *engine_error = NULL;

  if (!ipa_engine_delete_rule (call->service->engine, call->target.rule, &engine_error))
    {
      ipa_dbus_error_from_engine (error, engine_error);
      return FALSE;
    }
  call->target.rule = NULL;  /* freed */
  ipa_dbus_wakeup (call->service);
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), NULL);
  return TRUE;
}

static const IpaDbusMethod manager_methods[] = {
  { "Status", IPA_DBUS_ACCESS_QUERY, IPA_DBUS_TARGET_NONE, 0, manager_status },
  { "Memory", IPA_DBUS_ACCESS_QUERY, IPA_DBUS_TARGET_NONE, 0, manager_memory },
  { "Dump", IPA_DBUS_ACCESS_DUMP, IPA_DBUS_TARGET_NONE, 0, manager_dump },
  { "Freeze", IPA_DBUS_ACCESS_DUMP, IPA_DBUS_TARGET_NONE, 0, manager_freeze },
  { "Thaw", IPA_DBUS_ACCESS_DUMP, IPA_DBUS_TARGET_NONE, 0, manager_thaw },
  { "Reload", IPA_DBUS_ACCESS_DUMP, IPA_DBUS_TARGET_NONE, 0, manager_reload },
  { "ListRules", IPA_DBUS_ACCESS_QUERY, IPA_DBUS_TARGET_NONE, 0, manager_list_rules },
  { "GetRule", IPA_DBUS_ACCESS_QUERY, 0, IPA_DBUS_KIND_RULE, manager_get_rule },
  { "ListAutorules", IPA_DBUS_ACCESS_QUERY, IPA_DBUS_TARGET_NONE, 0, manager_list_autorules },
  { "CreateRule", IPA_DBUS_ACCESS_RULE, 0, IPA_DBUS_KIND_AUTORULE, manager_create_rule },
  { "DeleteRule", IPA_DBUS_ACCESS_RULE, 0, IPA_DBUS_KIND_RULE, manager_delete_rule },
};

const IpaDbusInterface ipa_dbus_manager_interface = {
  .kind = IPA_DBUS_KIND_MANAGER,
  .name = IPA_DBUS_IFACE_MANAGER,
  .methods = manager_methods,
  .n_methods = G_N_ELEMENTS (manager_methods),
  .get_property = manager_get_property,
};
