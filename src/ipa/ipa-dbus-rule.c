/*
 * ipa-dbus-rule.c: org.ipasystem.Ipa1.Rule, and the rule entries of
 * Manager.ListRules and GetRule.
 */
#include "config.h"

#include "ipa-dbus-private.h"

#include <string.h>

GVariant *
ipa_dbus_rule_entry (IpaRule *rule)
{
  GVariantBuilder limits, thresholds;
  const char *info = ipa_rule_get_info (rule);
  const char *autorule = ipa_rule_get_autorule (rule);

  g_variant_builder_init (&limits, G_VARIANT_TYPE ("a(sbbtta{sx})"));
  for (guint i = 0; i < ipa_rule_get_n_limits (rule); i++)
    g_variant_builder_add_value (&limits, ipa_dbus_limit_entry (ipa_rule_get_limit (rule, i)));
  g_variant_builder_init (&thresholds, G_VARIANT_TYPE ("a(sbsttxx)"));
  for (guint i = 0; i < ipa_rule_get_n_thresholds (rule); i++)
    g_variant_builder_add_value (&thresholds,
                                 ipa_dbus_threshold_entry (ipa_rule_get_threshold (rule, i)));
  return g_variant_new ("(sssbbttxa(sbbtta{sx})a(sbsttxx))",
                        ipa_rule_get_name (rule),
                        info != NULL ? info : "",
                        autorule != NULL ? autorule : "",
                        ipa_rule_is_active (rule),
                        ipa_rule_is_dynamic (rule),
                        (guint64) ipa_rule_get_counter (rule),
                        (guint64) ipa_rule_get_update_time (rule),
                        (gint64) ipa_rule_get_record_start (rule),
                        &limits, &thresholds);
}

static GVariant *
paths_of (IpaRule *rule, gboolean limits)
{
  const char *name = ipa_rule_get_name (rule);
  guint n = limits ? ipa_rule_get_n_limits (rule) : ipa_rule_get_n_thresholds (rule);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_OBJECT_PATH_ARRAY);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path =
        limits ? ipa_dbus_limit_path (name, ipa_limit_get_name (ipa_rule_get_limit (rule, i)))
               : ipa_dbus_threshold_path (name,
                                          ipa_threshold_get_name (ipa_rule_get_threshold (rule, i)));

      g_variant_builder_add (&b, "o", path);
    }
  return g_variant_builder_end (&b);
}

static GVariant *
rule_get_property (IpaDbusService *s, const IpaDbusTarget *t, const char *name)
{
  IpaRule *rule = t->rule;

  if (strcmp (name, "Name") == 0)
    return g_variant_new_string (ipa_rule_get_name (rule));
  if (strcmp (name, "Info") == 0)
    {
      const char *info = ipa_rule_get_info (rule);

      return g_variant_new_string (info != NULL ? info : "");
    }
  if (strcmp (name, "Autorule") == 0)
    {
      const char *autorule = ipa_rule_get_autorule (rule);

      return g_variant_new_string (autorule != NULL ? autorule : "");
    }
  if (strcmp (name, "Dynamic") == 0)
    return g_variant_new_boolean (ipa_rule_is_dynamic (rule));
  if (strcmp (name, "Active") == 0)
    return g_variant_new_boolean (ipa_rule_is_active (rule));
  if (strcmp (name, "Counter") == 0)
    return g_variant_new_uint64 (ipa_rule_get_counter (rule));
  if (strcmp (name, "UpdateTime") == 0)
    return g_variant_new_uint64 (ipa_rule_get_update_time (rule));
  if (strcmp (name, "RecordStart") == 0)
    return g_variant_new_int64 (ipa_rule_get_record_start (rule));
  if (strcmp (name, "Limits") == 0)
    return paths_of (rule, TRUE);
  if (strcmp (name, "Thresholds") == 0)
    return paths_of (rule, FALSE);
  return NULL;
}

/* Set(s op, t value): the counter, by + or - only. */
static gboolean
rule_set (IpaDbusCall *call, GVariant *params, GError **error)
{
  IpaDbusService *s = call->service;
  GError *engine_error = NULL;
  IpaEngineSetOp op;
  const char *op_text;
  guint64 value;

  g_variant_get (params, "(&st)", &op_text, &value);
  if (!ipa_dbus_parse_op (op_text, &op, error))
    return FALSE;
  if (!ipa_engine_rule_set_counter (s->engine, call->target.rule, op, value, &engine_error))
    {
      ipa_dbus_error_from_engine (error, engine_error);
      return FALSE;
    }
  ipa_dbus_wakeup (s);
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation), NULL);
  return TRUE;
}

static const IpaDbusMethod rule_methods[] = {
  { "Set", IPA_DBUS_ACCESS_RULE, IPA_DBUS_TARGET_PATH, 0, rule_set },
};

const IpaDbusInterface ipa_dbus_rule_interface = {
  .kind = IPA_DBUS_KIND_RULE,
  .name = IPA_DBUS_IFACE_RULE,
  .methods = rule_methods,
  .n_methods = G_N_ELEMENTS (rule_methods),
  .get_property = rule_get_property,
};
