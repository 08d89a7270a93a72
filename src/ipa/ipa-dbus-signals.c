/*
 * ipa-dbus-signals.c: the engine's events as D-Bus signals.
 *
 * Counters are not signalled (see the XML): the Manager's Updated signal
 * says that an update round finished, at most once per second however
 * many update groups finished in it.  State changes are
 * signalled where they happen: PropertiesChanged on the object, and
 * LimitEvent / ThresholdEvent / RuleCreated / RuleDeleted on the Manager.
 */
#include "config.h"

#include "ipa-dbus-private.h"

#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"

static void
emit_updated (IpaDbusService *s, IpaEngine *engine)
{
  gint64 last = ipa_engine_get_last_round (engine);

  /* Rounds of several update groups end in the same second: one signal. */
  if (last == s->last_updated_signal)
    return;
  s->last_updated_signal = last;
  ipa_dbus_emit (s, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "Updated",
                 g_variant_new ("(xu)", last, ipa_engine_get_n_rules (engine)));
}

static void
emit_rule_count (IpaDbusService *s, IpaEngine *engine)
{
  ipa_dbus_emit_changed (s, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "NRules",
                         g_variant_new_uint32 (ipa_engine_get_n_rules (engine)));
}

static void
invalidate_autorule_rules (IpaDbusService *s, const char *autorule)
{
  g_autofree char *path = NULL;
  const char *invalidated[] = { "Rules", NULL };

  if (autorule == NULL)
    return;
  path = ipa_dbus_autorule_path (autorule);
  ipa_dbus_emit (s, path, PROPERTIES_IFACE, "PropertiesChanged",
                 g_variant_new ("(sa{sv}^as)", IPA_DBUS_IFACE_AUTORULE, NULL, invalidated));
}

static void
rule_created (IpaDbusService *s, IpaEngine *engine, IpaRule *rule)
{
  g_autofree char *path = ipa_dbus_rule_path (ipa_rule_get_name (rule));

  ipa_dbus_objmgr_rule_added (s, rule);
  ipa_dbus_emit (s, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "RuleCreated",
                 g_variant_new ("(so)", ipa_rule_get_name (rule), path));
  invalidate_autorule_rules (s, ipa_rule_get_autorule (rule));
  emit_rule_count (s, engine);
}

static void
rule_deleted (IpaDbusService *s, IpaEngine *engine, IpaRule *rule)
{
  g_autofree char *path = ipa_dbus_rule_path (ipa_rule_get_name (rule));

  ipa_dbus_objmgr_rule_removed (s, rule);
  ipa_dbus_emit (s, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "RuleDeleted",
                 g_variant_new ("(so)", ipa_rule_get_name (rule), path));
  invalidate_autorule_rules (s, ipa_rule_get_autorule (rule));
  emit_rule_count (s, engine);
}

static void
limit_event (IpaDbusService *s, const IpaEngineEvent *ev, const char *what)
{
  const IpaLimit *limit = ev->limit;
  IpaRule *rule = ipa_limit_get_rule (limit);
  g_autofree char *path = ipa_dbus_limit_path (ipa_rule_get_name (rule),
                                               ipa_limit_get_name (limit));

  ipa_dbus_emit_changed (s, path, IPA_DBUS_IFACE_LIMIT, "Reached",
                         g_variant_new_boolean (ipa_limit_is_reached (limit)));
  ipa_dbus_emit (s, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "LimitEvent",
                 g_variant_new ("(ssss)", ipa_rule_get_name (rule), ipa_limit_get_name (limit),
                                what, ev->sublimit != NULL ? ev->sublimit : ""));
}

static void
threshold_event (IpaDbusService *s, const IpaEngineEvent *ev, const char *position)
{
  const IpaThreshold *threshold = ev->threshold;
  IpaRule *rule = ipa_threshold_get_rule (threshold);
  g_autofree char *path = ipa_dbus_threshold_path (ipa_rule_get_name (rule),
                                                   ipa_threshold_get_name (threshold));

  ipa_dbus_emit_changed (s, path, IPA_DBUS_IFACE_THRESHOLD, "Position",
                         g_variant_new_string (position));
  ipa_dbus_emit (s, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "ThresholdEvent",
                 g_variant_new ("(sss)", ipa_rule_get_name (rule),
                                ipa_threshold_get_name (threshold), position));
}

/* A value set by request: the limit's or threshold's value may have
 * changed (its counter is not signalled). */
static void
value_changed (IpaDbusService *s, const IpaEngineEvent *ev)
{
  if (ev->limit != NULL)
    {
      struct ipa_limit_state state;
      IpaRule *rule = ipa_limit_get_rule (ev->limit);
      g_autofree char *path = ipa_dbus_limit_path (ipa_rule_get_name (rule),
                                                   ipa_limit_get_name (ev->limit));

      ipa_limit_get_state (ev->limit, &state);
      ipa_dbus_emit_changed (s, path, IPA_DBUS_IFACE_LIMIT, "Limit",
                             g_variant_new_uint64 (state.lim));
    }
  else if (ev->threshold != NULL)
    {
      struct ipa_threshold_state state;
      IpaRule *rule = ipa_threshold_get_rule (ev->threshold);
      g_autofree char *path = ipa_dbus_threshold_path (ipa_rule_get_name (rule),
                                                       ipa_threshold_get_name (ev->threshold));

      ipa_threshold_get_state (ev->threshold, &state);
      ipa_dbus_emit_changed (s, path, IPA_DBUS_IFACE_THRESHOLD, "Threshold",
                             g_variant_new_uint64 (state.thr));
    }
}

void
ipa_dbus_signals_observer (IpaEngine *engine, const IpaEngineEvent *ev, gpointer user_data)
{
  IpaDbusService *s = user_data;

  switch (ev->type)
    {
    case IPA_ENGINE_EVENT_ROUND:
      emit_updated (s, engine);
      break;
    case IPA_ENGINE_EVENT_RULE_CREATED:
      rule_created (s, engine, (IpaRule *) ev->rule);
      break;
    case IPA_ENGINE_EVENT_RULE_DELETED:
      rule_deleted (s, engine, (IpaRule *) ev->rule);
      break;
    case IPA_ENGINE_EVENT_RULE_ACTIVE:
    case IPA_ENGINE_EVENT_RULE_INACTIVE:
      {
        g_autofree char *path = ipa_dbus_rule_path (ipa_rule_get_name (ev->rule));

        ipa_dbus_emit_changed (s, path, IPA_DBUS_IFACE_RULE, "Active",
                               g_variant_new_boolean (ev->type == IPA_ENGINE_EVENT_RULE_ACTIVE));
        break;
      }
    case IPA_ENGINE_EVENT_LIMIT_REACHED:
      limit_event (s, ev, "reached");
      break;
    case IPA_ENGINE_EVENT_LIMIT_RESTARTED:
      limit_event (s, ev, "restarted");
      break;
    case IPA_ENGINE_EVENT_LIMIT_EXPIRED:
      limit_event (s, ev, "expired");
      break;
    case IPA_ENGINE_EVENT_SUBLIMIT_REACHED:
      limit_event (s, ev, "sublimit-reached");
      break;
    case IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED:
      limit_event (s, ev, "sublimit-expired");
      break;
    case IPA_ENGINE_EVENT_THRESHOLD_BELOW:
      threshold_event (s, ev, "below");
      break;
    case IPA_ENGINE_EVENT_THRESHOLD_EQUAL:
      threshold_event (s, ev, "equal");
      break;
    case IPA_ENGINE_EVENT_THRESHOLD_ABOVE:
      threshold_event (s, ev, "above");
      break;
    case IPA_ENGINE_EVENT_COUNTER_CHANGED:
      value_changed (s, ev);
      break;
    default:
      break;
    }
}
