/*
 * ipa-engine-modules.c: the init and deinit chains of ipa_mod(3) and the
 * calls that tell modules about activity.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-engine-internal.h"
#include "ipa-limit.h"
#include "ipa-memfunc.h"
#include "ipa-threshold.h"

void
ipa_engine_set_owner (IpaEngine *engine, IpaModule *module)
{
  const char *owner = module != NULL ? module->owner : NULL;

  /* Module memory is charged to the module (leak reports); setting the
   * owner costs a lock and a lookup, so only on change. */
  if (owner == engine->current_owner)
    return;
  ipa_memfunc_set_owner (owner);
  engine->current_owner = owner;
}

void
ipa_engine_module_error (IpaEngine *engine, IpaModule *module, gint64 *last_log,
                         const IpaRule *rule, const char *format, ...)
{
  g_autofree char *msg = NULL;
  g_autofree char *text = NULL;
  va_list ap;

  if (last_log != NULL)
    {
      if (*last_log != 0 && engine->now_wall >= *last_log
          && engine->now_wall - *last_log < IPA_ENGINE_ERROR_LOG_INTERVAL)
        return;
      *last_log = engine->now_wall != 0 ? engine->now_wall : 1;
    }
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  text = g_strdup_printf ("%s %s: %s", ipa_module_kind_to_noun (module->kind), module->name, msg);
  ipa_engine_emit_module (engine, IPA_ENGINE_EVENT_MODULE_ERROR, LOG_ERR, module, rule, text);
}

gboolean
ipa_engine_rule_uses_db (const IpaRule *rule, const IpaEngineDb *db)
{
  const IpaDbList *l = rule->params->db;

  for (guint i = 0; i < l->n; i++)
    if (l->db[i] == db)
      return TRUE;
  return FALSE;
}

static gboolean
list_has (const IpaDbList *l, const IpaEngineDb *db)
{
  for (guint i = 0; i < l->n; i++)
    if (l->db[i] == db)
      return TRUE;
  return FALSE;
}

static gboolean
rule_uses_ac (const IpaRule *rule, const IpaEngineAc *ac)
{
  for (guint i = 0; i < rule->params->n_ac; i++)
    if (rule->params->ac[i] == ac)
      return TRUE;
  return FALSE;
}

static gboolean
fail (GError **error, IpaModule *m, const char *what)
{
  g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
               _("%s module %s (%s): %s failed"), ipa_module_kind_to_noun (m->kind),
               m->name, m->path, what);
  return FALSE;
}

/* INV-89: a database without db_init_stat* / db_init_dyn* for an entity
 * kind does not support it. */
static gboolean
check_db_support (IpaEngine *engine, GError **error)
{
  for (guint d = 0; d < engine->dbs->len; d++)
    {
      IpaEngineDb *db = g_ptr_array_index (engine->dbs, d);
      struct ipa_db_mod *m = db->db;

      for (guint i = 0; i < engine->n_static; i++)
        {
          IpaRule *r = &engine->static_rules[i];

          if (ipa_engine_rule_uses_db (r, db) && m->db_init_statrule == NULL)
            goto unsupported_rule;
          for (guint j = 0; j < r->n_limits; j++)
            if (list_has (r->limits[j].def->db, db) && m->db_init_statlimit == NULL)
              {
                g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                             _("database %s does not support limits (limit \"%s\" of rule \"%s\")"),
                             db->module->name, r->limits[j].def->name, r->name);
                return FALSE;
              }
          for (guint j = 0; j < r->n_thresholds; j++)
            if (list_has (r->thresholds[j].def->db, db) && m->db_init_statthreshold == NULL)
              {
                g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                             _("database %s does not support thresholds (threshold \"%s\" of rule \"%s\")"),
                             db->module->name, r->thresholds[j].def->name, r->name);
                return FALSE;
              }
          continue;
        unsupported_rule:
          g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                       _("database %s does not support static rules (rule \"%s\")"),
                       db->module->name, r->name);
          return FALSE;
        }
      for (guint a = 0; a < engine->autorules->len; a++)
        {
          IpaAutorule *ar = g_ptr_array_index (engine->autorules, a);
          IpaConfRuleParams eff;
          gboolean uses = FALSE;

          ipa_conf_autorule_params (engine->conf, ar->conf, &eff);
          for (guint k = 0; eff.db_list.set && eff.db_list.names[k] != NULL; k++)
            if (strcmp (eff.db_list.names[k], db->module->name) == 0)
              uses = TRUE;
          ipa_conf_rule_params_clear (&eff);
          if (uses && m->db_init_dynrule == NULL)
            {
              g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                           _("database %s does not support dynamic rules (autorule \"%s\")"),
                           db->module->name, ar->name);
              return FALSE;
            }
          for (guint j = 0; j < ar->n_limits; j++)
            if (list_has (ar->limit_defs[j]->db, db) && m->db_init_dynlimit == NULL)
              {
                g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                             _("database %s does not support dynamic limits (autorule \"%s\")"),
                             db->module->name, ar->name);
                return FALSE;
              }
          for (guint j = 0; j < ar->n_thresholds; j++)
            if (list_has (ar->threshold_defs[j]->db, db) && m->db_init_dynthreshold == NULL)
              {
                g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                             _("database %s does not support dynamic thresholds (autorule \"%s\")"),
                             db->module->name, ar->name);
                return FALSE;
              }
        }
    }
  return TRUE;
}

/* ipa_mod(3) §14.1 step 7. */
gboolean
ipa_engine_init_chain (IpaEngine *engine, GError **error)
{
  if (!check_db_support (engine, error))
    return FALSE;

  for (guint i = 0; i < engine->acs->len; i++)
    {
      IpaEngineAc *ac = g_ptr_array_index (engine->acs, i);

      ipa_engine_set_owner (engine, ac->module);
      if (ac->ac->ac_pre_init != NULL && ac->ac->ac_pre_init () != 0)
        return fail (error, ac->module, "ac_pre_init");
    }
  for (guint i = 0; i < engine->dbs->len; i++)
    {
      IpaEngineDb *db = g_ptr_array_index (engine->dbs, i);

      ipa_engine_set_owner (engine, db->module);
      if (db->db->db_pre_init != NULL && db->db->db_pre_init () != 0)
        return fail (error, db->module, "db_pre_init");
    }

  for (guint i = 0; i < engine->acs->len; i++)
    {
      IpaEngineAc *ac = g_ptr_array_index (engine->acs, i);
      struct ipa_ac_mod *m = ac->ac;

      ipa_engine_set_owner (engine, ac->module);
      for (guint a = 0; a < engine->autorules->len; a++)
        {
          IpaAutorule *ar = g_ptr_array_index (engine->autorules, a);

          if (ar->ac == ac && m->ac_init_autorule != NULL
              && m->ac_init_autorule (ar->no, ar->name) != 0)
            {
              g_autofree char *what = g_strdup_printf ("ac_init_autorule for autorule \"%s\"",
                                                       ar->name);
              return fail (error, ac->module, what);
            }
        }
      for (guint r = 0; r < engine->n_static; r++)
        {
          IpaRule *rule = &engine->static_rules[r];

          if (rule_uses_ac (rule, ac) && m->ac_init_statrule != NULL
              && m->ac_init_statrule (rule->ruleno, rule->name) != 0)
            {
              g_autofree char *what = g_strdup_printf ("ac_init_statrule for rule \"%s\"",
                                                       rule->name);
              return fail (error, ac->module, what);
            }
        }
      if (m->ac_init != NULL && m->ac_init () != 0)
        return fail (error, ac->module, "ac_init");
    }

  for (guint i = 0; i < engine->dbs->len; i++)
    {
      IpaEngineDb *db = g_ptr_array_index (engine->dbs, i);
      struct ipa_db_mod *m = db->db;

      ipa_engine_set_owner (engine, db->module);
      for (guint r = 0; r < engine->n_static; r++)
        {
          IpaRule *rule = &engine->static_rules[r];

          if (ipa_engine_rule_uses_db (rule, db)
              && m->db_init_statrule (rule->ruleno, rule->name, rule->info) != 0)
            {
              g_autofree char *what = g_strdup_printf ("db_init_statrule for rule \"%s\"",
                                                       rule->name);
              return fail (error, db->module, what);
            }
          for (guint j = 0; j < rule->n_limits; j++)
            {
              const IpaLimitDef *d = rule->limits[j].def;

              if (list_has (d->db, db)
                  && m->db_init_statlimit (rule->ruleno, rule->name, rule->info,
                                           d->no, d->name, d->info) != 0)
                {
                  g_autofree char *what =
                    g_strdup_printf ("db_init_statlimit for limit \"%s\" of rule \"%s\"",
                                     d->name, rule->name);
                  return fail (error, db->module, what);
                }
            }
          for (guint j = 0; j < rule->n_thresholds; j++)
            {
              const IpaThresholdDef *d = rule->thresholds[j].def;

              if (list_has (d->db, db)
                  && m->db_init_statthreshold (rule->ruleno, rule->name, rule->info,
                                               d->no, d->name, d->info) != 0)
                {
                  g_autofree char *what =
                    g_strdup_printf ("db_init_statthreshold for threshold \"%s\" of rule \"%s\"",
                                     d->name, rule->name);
                  return fail (error, db->module, what);
                }
            }
        }
      if (m->db_init != NULL && m->db_init () != 0)
        return fail (error, db->module, "db_init");
    }
  ipa_engine_set_owner (engine, NULL);
  return TRUE;
}

/* db_deinit_limit/_threshold before db_deinit_rule (INV-73), then
 * ac_deinit_rule.  Every module that the rule (or its limits and
 * thresholds) uses gets the calls, initialised or not (INV-74, 75). */
void
ipa_engine_deinit_rule (IpaEngine *engine, IpaRule *rule)
{
  for (guint i = 0; i < engine->dbs->len; i++)
    {
      IpaEngineDb *db = g_ptr_array_index (engine->dbs, i);
      struct ipa_db_mod *m = db->db;

      ipa_engine_set_owner (engine, db->module);
      for (guint j = 0; j < rule->n_limits; j++)
        if (list_has (rule->limits[j].def->db, db) && m->db_deinit_limit != NULL)
          m->db_deinit_limit (rule->ruleno, rule->limits[j].def->no);
      for (guint j = 0; j < rule->n_thresholds; j++)
        if (list_has (rule->thresholds[j].def->db, db) && m->db_deinit_threshold != NULL)
          m->db_deinit_threshold (rule->ruleno, rule->thresholds[j].def->no);
      if (ipa_engine_rule_uses_db (rule, db) && m->db_deinit_rule != NULL)
        m->db_deinit_rule (rule->ruleno);
    }
  for (guint i = 0; i < rule->params->n_ac; i++)
    {
      IpaEngineAc *ac = rule->params->ac[i];

      ipa_engine_set_owner (engine, ac->module);
      if (ac->ac->ac_deinit_rule != NULL)
        ac->ac->ac_deinit_rule (rule->ruleno);
    }
  ipa_engine_set_owner (engine, NULL);
}

/* ipa_mod(3) §14.3 step 3: dynamic rules first, then static ones; then
 * autorules; then the modules. */
void
ipa_engine_deinit_chain (IpaEngine *engine)
{
  for (guint i = engine->n_static; i < engine->rules->len; i++)
    {
      IpaRule *rule = engine->rules->pdata[i];

      if (rule != NULL)
        ipa_engine_deinit_rule (engine, rule);
    }
  for (guint i = 0; i < engine->n_static; i++)
    ipa_engine_deinit_rule (engine, &engine->static_rules[i]);
  for (guint a = 0; a < engine->autorules->len; a++)
    {
      IpaAutorule *ar = g_ptr_array_index (engine->autorules, a);

      if (ar->ac != NULL && ar->ac->ac->ac_deinit_autorule != NULL)
        {
          ipa_engine_set_owner (engine, ar->ac->module);
          ar->ac->ac->ac_deinit_autorule (ar->no);
        }
    }
  for (guint i = 0; i < engine->acs->len; i++)
    {
      IpaEngineAc *ac = g_ptr_array_index (engine->acs, i);

      ipa_engine_set_owner (engine, ac->module);
      if (ac->ac->ac_deinit != NULL)
        ac->ac->ac_deinit ();
    }
  for (guint i = 0; i < engine->dbs->len; i++)
    {
      IpaEngineDb *db = g_ptr_array_index (engine->dbs, i);

      ipa_engine_set_owner (engine, db->module);
      if (db->db->db_deinit != NULL)
        db->db->db_deinit ();
    }
  ipa_engine_set_owner (engine, NULL);
}

/* ---- activity ---- */

static void
ac_rule_active (IpaEngine *engine, IpaRule *rule, gboolean active)
{
  for (guint i = 0; i < rule->params->n_ac; i++)
    {
      IpaEngineAc *ac = rule->params->ac[i];

      if (ac->ac->ac_set_rule_active == NULL)
        continue;
      ipa_engine_set_owner (engine, ac->module);
      if (ac->ac->ac_set_rule_active (rule->ruleno, active) != 0)
        ipa_engine_module_error (engine, ac->module, &ac->last_error_log, rule,
                                 _("ac_set_rule_active(%s, %d) failed"), rule->name, active);
    }
  for (guint i = 0; i < rule->params->db->n; i++)
    {
      IpaEngineDb *db = rule->params->db->db[i];

      if (db->db->db_set_rule_active == NULL)
        continue;
      ipa_engine_set_owner (engine, db->module);
      if (db->db->db_set_rule_active (rule->ruleno, active) != 0)
        ipa_engine_db_failed (engine, db, rule, "db_set_rule_active");
    }
}

/* Limits and thresholds are active when their rule is and their own
 * worktime (if any) says so. */
void
ipa_engine_update_entity_activity (IpaEngine *engine, IpaRule *rule)
{
  for (guint i = 0; i < rule->n_limits; i++)
    {
      IpaLimit *l = &rule->limits[i];
      gboolean active = rule->active && (l->def->worktime == NULL || l->def->worktime->active);

      if (active == (gboolean) l->active)
        continue;
      ipa_engine_ac_set_limit_active (engine, l, active);
      ipa_engine_db_set_limit_active (engine, l, active);
      ipa_limit_set_active (engine, l, active);
    }
  for (guint i = 0; i < rule->n_thresholds; i++)
    {
      IpaThreshold *t = &rule->thresholds[i];
      gboolean active = rule->active && (t->def->worktime == NULL || t->def->worktime->active);

      if (active == (gboolean) t->active)
        continue;
      ipa_engine_ac_set_threshold_active (engine, t, active);
      ipa_engine_db_set_threshold_active (engine, t, active);
      ipa_threshold_set_active (engine, t, active);
    }
}

void
ipa_engine_rule_set_active (IpaEngine *engine, IpaRule *rule, gboolean active)
{
  if (active == (gboolean) rule->active)
    return;
  rule->active = active;
  ac_rule_active (engine, rule, active);
  if (active)
    {
      /* INV-48, INV-54: a first call again, and a new record first. */
      rule->newstat = TRUE;
      rule->cnt = 0;
      rule->debt = 0;
      ipa_engine_rule_append (engine, rule, engine->now_wall);
    }
  ipa_engine_update_entity_activity (engine, rule);
  ipa_engine_emit (engine, active ? IPA_ENGINE_EVENT_RULE_ACTIVE : IPA_ENGINE_EVENT_RULE_INACTIVE,
                   LOG_INFO, rule, NULL, NULL, NULL,
                   active ? _("rule %s became active") : _("rule %s became inactive"),
                   rule->name);
}
