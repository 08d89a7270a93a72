/*
 * ipa-dbus-threshold.c: org.ipasystem.Ipa1.Threshold, and the threshold
 * entries of the rule entries.
 */
#include "config.h"

#include "ipa-dbus-private.h"

#include <glib/gi18n.h>
#include <string.h>

const char *
ipa_dbus_threshold_position (IpaThreshold *threshold)
{
  switch (ipa_threshold_get_position (threshold))
    {
    case IPA_THRESHOLD_EVENT_BELOW:
      return "below";
    case IPA_THRESHOLD_EVENT_EQUAL:
      return "equal";
    case IPA_THRESHOLD_EVENT_ABOVE:
      return "above";
    default:
      return "unknown";
    }
}

GVariant *
ipa_dbus_threshold_entry (IpaThreshold *threshold)
{
  struct ipa_threshold_state state;

  ipa_threshold_get_state (threshold, &state);
  return g_variant_new ("(sbsttxx)",
                        ipa_threshold_get_name (threshold),
                        ipa_threshold_is_active (threshold),
                        ipa_dbus_threshold_position (threshold),
                        (guint64) state.thr, (guint64) state.cnt,
                        ipa_dbus_tm_to_wall (&state.tm_from),
                        ipa_dbus_tm_to_wall (&state.tm_updated));
}

static GVariant *
threshold_get_property (IpaDbusService *s, const IpaDbusTarget *t, const char *name)
{
  IpaThreshold *threshold = t->threshold;
  struct ipa_threshold_state state;
  GVariant *v;

  if (strcmp (name, "Name") == 0)
    return g_variant_new_string (ipa_threshold_get_name (threshold));
  if ((v = ipa_dbus_sub_rule_property (t, name)) != NULL)
    return v;
  if (strcmp (name, "Active") == 0)
    return g_variant_new_boolean (ipa_threshold_is_active (threshold));
  if (strcmp (name, "Position") == 0)
    return g_variant_new_string (ipa_dbus_threshold_position (threshold));
  ipa_threshold_get_state (threshold, &state);
  if (strcmp (name, "Threshold") == 0)
    return g_variant_new_uint64 (state.thr);
  if (strcmp (name, "Counter") == 0)
    return g_variant_new_uint64 (state.cnt);
  if (strcmp (name, "From") == 0)
    return g_variant_new_int64 (ipa_dbus_tm_to_wall (&state.tm_from));
  if (strcmp (name, "Updated") == 0)
    return g_variant_new_int64 (ipa_dbus_tm_to_wall (&state.tm_updated));
  return NULL;
}

/* Set(s what, s op, t value): "threshold" or "counter". */
static gboolean
threshold_set (IpaDbusCall *call, GVariant *params, GError **error)
{
  IpaDbusService *s = call->service;
  GError *engine_error = NULL;
  const char *what, *op_text;
  IpaEngineSetOp op;
  guint64 value;
  gboolean counter, ok;

  g_variant_get (params, "(&s&st)", &what, &op_text, &value);
  if (strcmp (what, "threshold") == 0)
    counter = FALSE;
  else if (strcmp (what, "counter") == 0)
    counter = TRUE;
  else
    {
      g_autofree char *shown = ipa_dbus_shorten (what);

      g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_INVALID_VALUE,
                   _("cannot set \"%s\" of a threshold: use \"threshold\" or \"counter\""),
                   shown);
      return FALSE;
    }
  if (!ipa_dbus_parse_op (op_text, &op, error))
    return FALSE;
  ok = ipa_engine_threshold_set (s->engine, call->target.threshold, counter, op, value,
                                 &engine_error);
  return ipa_dbus_engine_changed (call, ok, engine_error, error);
}

static const IpaDbusMethod threshold_methods[] = {
  { "Set", IPA_DBUS_ACCESS_RULE, IPA_DBUS_TARGET_PATH, 0, threshold_set },
};

const IpaDbusInterface ipa_dbus_threshold_interface = {
  .kind = IPA_DBUS_KIND_THRESHOLD,
  .name = IPA_DBUS_IFACE_THRESHOLD,
  .methods = threshold_methods,
  .n_methods = G_N_ELEMENTS (threshold_methods),
  .get_property = threshold_get_property,
};
