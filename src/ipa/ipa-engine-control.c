/*
 * ipa-engine-control.c: reading the engine's state, and the changes ipactl
 * asks for.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-engine-internal.h"
#include "ipa-limit.h"
#include "ipa-threshold.h"

const IpaConf *
ipa_engine_get_conf (IpaEngine *engine)
{
  return engine->conf;
}

IpaClock *
ipa_engine_get_clock (IpaEngine *engine)
{
  return engine->clock;
}

guint
ipa_engine_get_n_rules (IpaEngine *engine)
{
  return engine->n_rules;
}

gint64
ipa_engine_get_last_round (IpaEngine *engine)
{
  return engine->last_round_wall;
}

void
ipa_engine_foreach_rule (IpaEngine *engine, void (*func) (IpaRule *rule, gpointer user_data),
                         gpointer user_data)
{
  for (guint i = 0; i < engine->rules->len; i++)
    {
      IpaRule *rule = engine->rules->pdata[i];

      if (rule != NULL && !rule->deleted)
        func (rule, user_data);
    }
}

IpaRule *
ipa_engine_lookup_rule (IpaEngine *engine, const char *name)
{
  IpaRule *rule = g_hash_table_lookup (engine->rules_by_name, name);

  return rule != NULL && !rule->deleted ? rule : NULL;
}

const char *
ipa_rule_get_name (const IpaRule *rule)
{
  return rule->name;
}

const char *
ipa_rule_get_info (const IpaRule *rule)
{
  return rule->info;
}

guint
ipa_rule_get_number (const IpaRule *rule)
{
  return rule->ruleno;
}

gboolean
ipa_rule_is_active (const IpaRule *rule)
{
  return rule->active;
}

gboolean
ipa_rule_is_dynamic (const IpaRule *rule)
{
  return rule->dynamic;
}

const char *const *
ipa_rule_get_acl (const IpaRule *rule)
{
  return (const char *const *) rule->params->ctl_rule_acl;
}

guint64
ipa_rule_get_update_time (const IpaRule *rule)
{
  return rule->params->update_time;
}

guint64
ipa_rule_get_counter (const IpaRule *rule)
{
  return rule->cnt;
}

gint64
ipa_rule_get_record_start (const IpaRule *rule)
{
  return rule->record_start;
}

guint
ipa_rule_get_n_limits (const IpaRule *rule)
{
  return rule->n_limits;
}

IpaLimit *
ipa_rule_get_limit (const IpaRule *rule, guint i)
{
  return i < rule->n_limits ? &rule->limits[i] : NULL;
}

IpaLimit *
ipa_rule_lookup_limit (const IpaRule *rule, const char *name)
{
  for (guint i = 0; i < rule->n_limits; i++)
    if (strcmp (rule->limits[i].def->name, name) == 0)
      return &rule->limits[i];
  return NULL;
}

guint
ipa_rule_get_n_thresholds (const IpaRule *rule)
{
  return rule->n_thresholds;
}

IpaThreshold *
ipa_rule_get_threshold (const IpaRule *rule, guint i)
{
  return i < rule->n_thresholds ? &rule->thresholds[i] : NULL;
}

IpaThreshold *
ipa_rule_lookup_threshold (const IpaRule *rule, const char *name)
{
  for (guint i = 0; i < rule->n_thresholds; i++)
    if (strcmp (rule->thresholds[i].def->name, name) == 0)
      return &rule->thresholds[i];
  return NULL;
}

const char *
ipa_limit_get_name (const IpaLimit *limit)
{
  return limit->def->name;
}

IpaRule *
ipa_limit_get_rule (const IpaLimit *limit)
{
  return limit->rule;
}

gboolean
ipa_limit_is_active (const IpaLimit *limit)
{
  return limit->active;
}

gboolean
ipa_limit_is_reached (const IpaLimit *limit)
{
  return limit->reached;
}

void
ipa_limit_get_state (const IpaLimit *limit, struct ipa_limit_state *state)
{
  ipa_limit_to_state (limit, state);
}

const char *
ipa_threshold_get_name (const IpaThreshold *threshold)
{
  return threshold->def->name;
}

IpaRule *
ipa_threshold_get_rule (const IpaThreshold *threshold)
{
  return threshold->rule;
}

gboolean
ipa_threshold_is_active (const IpaThreshold *threshold)
{
  return threshold->active;
}

int
ipa_threshold_get_position (const IpaThreshold *threshold)
{
  return threshold->position;
}

void
ipa_threshold_get_state (const IpaThreshold *threshold, struct ipa_threshold_state *state)
{
  ipa_threshold_to_state (threshold, state);
}

/* ---- changes ---- */

static void
refresh_now (IpaEngine *engine)
{
  engine->now_wall = ipa_clock_get_wall (engine->clock);
  engine->now_mono = ipa_clock_get_monotonic (engine->clock);
}

gboolean
ipa_engine_rule_set_counter (IpaEngine *engine, IpaRule *rule, IpaEngineSetOp op,
                             guint64 value, GError **error)
{
  if (op == IPA_ENGINE_SET_ASSIGN)
    {
      g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INVALID,
                   _("the counter of rule \"%s\" can only be increased (+N) or decreased (-N)"),
                   rule->name);
      return FALSE;
    }
  if (!rule->active)
    {
      g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_STATE,
                   _("rule \"%s\" is inactive (outside its worktime)"), rule->name);
      return FALSE;
    }
  refresh_now (engine);
  /* Written at the next round; limits and thresholds are checked then. */
  ipa_engine_rule_apply_chunk (engine, rule, op == IPA_ENGINE_SET_ADD, value);
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_COUNTER_CHANGED, LOG_NOTICE, rule, NULL, NULL, NULL,
                   _("counter of rule %s changed by %c%llu by request"),
                   rule->name, op == IPA_ENGINE_SET_ADD ? '+' : '-', (unsigned long long) value);
  return TRUE;
}

gboolean
ipa_engine_limit_set (IpaEngine *engine, IpaLimit *limit, gboolean counter,
                      IpaEngineSetOp op, guint64 value, GError **error)
{
  gboolean ok;

  refresh_now (engine);
  ipa_engine_begin_batch (engine);
  ok = ipa_limit_set_value (engine, limit, counter, op, value, error);
  ipa_engine_end_batch (engine);
  /* ipa_limit_set_value tells the observers. */
  return ok;
}

gboolean
ipa_engine_limit_restart (IpaEngine *engine, IpaLimit *limit, GError **error)
{
  gboolean ok;

  refresh_now (engine);
  ipa_engine_begin_batch (engine);
  ok = ipa_limit_restart_now (engine, limit, error);
  ipa_engine_end_batch (engine);
  return ok;
}

gboolean
ipa_engine_limit_expire (IpaEngine *engine, IpaLimit *limit, GError **error)
{
  gboolean ok;

  refresh_now (engine);
  ipa_engine_begin_batch (engine);
  ok = ipa_limit_expire_now (engine, limit, error);
  ipa_engine_end_batch (engine);
  return ok;
}

gboolean
ipa_engine_threshold_set (IpaEngine *engine, IpaThreshold *threshold, gboolean counter,
                          IpaEngineSetOp op, guint64 value, GError **error)
{
  gboolean ok;

  refresh_now (engine);
  ipa_engine_begin_batch (engine);
  ok = ipa_threshold_set_value (engine, threshold, counter, op, value, error);
  ipa_engine_end_batch (engine);
  /* ipa_threshold_set_value tells the observers. */
  return ok;
}

const char *
ipa_rule_get_autorule (const IpaRule *rule)
{
  return rule->autorule;
}
