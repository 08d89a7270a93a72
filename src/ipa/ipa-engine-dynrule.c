/*
 * ipa-engine-dynrule.c: dynamic rules, created from autorules by
 * accounting modules (ac_create_rule, only from inside ac_get_stat) or by
 * ipactl, and deleted the same ways (ipa_mod(3) INV-63..71, A-18..20).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-engine-internal.h"
#include "ipa-limit.h"
#include "ipa-threshold.h"

void ipa_engine_rule_first_state (IpaEngine *engine, IpaRule *rule);

/* The hooks of ipa_mod(3) have no context argument; one engine runs at a
 * time in a process. */
static IpaEngine *hook_engine;

static gboolean
valid_name (const char *name)
{
  if (name == NULL || name[0] == '\0' || strlen (name) > 255)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (*p == '/' || g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return FALSE;
  return g_utf8_validate (name, -1, NULL);
}

static IpaAutorule *
find_autorule (IpaEngine *engine, guint no)
{
  for (guint i = 0; i < engine->autorules->len; i++)
    {
      IpaAutorule *a = engine->autorules->pdata[i];

      if (a->no == no)
        return a;
    }
  return NULL;
}

static guint
free_ruleno (IpaEngine *engine)
{
  for (guint i = engine->n_static; i < engine->rules->len; i++)
    if (engine->rules->pdata[i] == NULL)
      return i;
  g_ptr_array_add (engine->rules, NULL);
  return engine->rules->len - 1;
}

void
ipa_engine_rule_free (IpaEngine *engine, IpaRule *rule)
{
  for (guint i = 0; i < rule->n_limits; i++)
    ipa_limit_clear (&rule->limits[i]);
  for (guint i = 0; i < rule->n_thresholds; i++)
    ipa_threshold_clear (&rule->thresholds[i]);
  if (rule->dynamic)
    {
      g_free (rule->limits);
      g_free (rule->thresholds);
      g_free (rule->name);
      g_free (rule);
      return;
    }
  /* A static rule's entities are in the engine's blocks. */
  rule->limits = NULL;
  rule->thresholds = NULL;
  rule->n_limits = rule->n_thresholds = 0;
  (void) engine;
}

/* Settings of rulepats that match the new rule's name go to the modules
 * before the rule's init. */
static void
inherit_rulepats (IpaEngine *engine, IpaRule *rule)
{
  g_autoptr(GArray) m = ipa_conf_match_rulepats (engine->conf, rule->name);
  guint n = ipa_module_set_get_n_modules (engine->modules);

  for (guint i = 0; i < m->len; i++)
    for (guint j = 0; j < n; j++)
      {
        IpaModule *mod = ipa_module_set_get_nth (engine->modules, j);

        if (mod->conf_inherit == NULL)
          continue;
        ipa_engine_set_owner (engine, mod);
        if (mod->conf_inherit (g_array_index (m, guint, i), rule->ruleno, rule->name) != 0)
          ipa_engine_module_error (engine, mod, NULL, rule, _("conf_inherit for rule %s failed"),
                                   rule->name);
      }
}

static gboolean
list_has (const IpaDbList *l, const IpaEngineDb *db)
{
  for (guint i = 0; i < l->n; i++)
    if (l->db[i] == db)
      return TRUE;
  return FALSE;
}

IpaRule *
ipa_engine_dynrule_create (IpaEngine *engine, IpaAutorule *autorule, const char *name,
                           const char *info, gboolean from_module, GError **error)
{
  IpaConfRuleParams eff;
  IpaRule *rule;
  gboolean own_batch;

  if (!valid_name (name))
    {
      g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INVALID,
                   _("invalid rule name \"%s\": it must be non-empty UTF-8 without '/', "
                     "blanks or control characters"), name != NULL ? name : "");
      return NULL;
    }
  if (g_hash_table_contains (engine->rules_by_name, name))
    {
      g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_EXISTS,
                   _("a rule named \"%s\" exists already"), name);
      return NULL;
    }

  rule = g_new0 (IpaRule, 1);
  rule->name = g_strdup (name);
  rule->dynamic = TRUE;
  rule->autoruleno = (gint) autorule->no;
  rule->autorule = autorule->name;
  rule->ruleno = free_ruleno (engine);
  rule->info = info != NULL ? ipa_engine_intern_string (engine, info) : NULL;
  ipa_conf_dynamic_rule_params (engine->conf, autorule->conf, name, &eff);
  rule->params = ipa_engine_intern_params (engine, &eff, error);
  ipa_conf_rule_params_clear (&eff);
  if (rule->params == NULL)
    {
      g_free (rule->name);
      g_free (rule);
      return NULL;
    }
  /* The autorule's limits and thresholds, numbered as in the autorule. */
  rule->n_limits = autorule->n_limits;
  if (rule->n_limits > 0)
    rule->limits = g_new0 (IpaLimit, rule->n_limits);
  for (guint i = 0; i < rule->n_limits; i++)
    {
      rule->limits[i].def = autorule->limit_defs[i];
      rule->limits[i].rule = rule;
      rule->limits[i].lim = autorule->limit_defs[i]->lim;
      rule->limits[i].active = TRUE;
      rule->limits[i].exec_serial = ++engine->exec_serial;
    }
  rule->n_thresholds = autorule->n_thresholds;
  if (rule->n_thresholds > 0)
    rule->thresholds = g_new0 (IpaThreshold, rule->n_thresholds);
  for (guint i = 0; i < rule->n_thresholds; i++)
    {
      rule->thresholds[i].def = autorule->threshold_defs[i];
      rule->thresholds[i].rule = rule;
      rule->thresholds[i].thr = autorule->threshold_defs[i]->thr;
      rule->thresholds[i].position = -1;
      rule->thresholds[i].active = TRUE;
      rule->thresholds[i].exec_serial = ++engine->exec_serial;
    }

  engine->rules->pdata[rule->ruleno] = rule;
  g_hash_table_insert (engine->rules_by_name, rule->name, rule);
  engine->n_rules++;

  inherit_rulepats (engine, rule);

  /* ac_init_dynrule: the modules of the rule (the autorule's system). */
  for (guint i = 0; i < rule->params->n_ac; i++)
    {
      IpaEngineAc *ac = rule->params->ac[i];

      ipa_engine_set_owner (engine, ac->module);
      if (ac->ac->ac_init_dynrule != NULL
          && ac->ac->ac_init_dynrule (autorule->no, rule->ruleno, rule->name) != 0)
        {
          g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_MODULE,
                       _("accounting module %s: ac_init_dynrule for rule \"%s\" failed"),
                       ac->module->name, name);
          goto fail;
        }
    }

  own_batch = !engine->in_batch;
  if (own_batch)
    ipa_engine_begin_batch (engine);
  for (guint i = 0; i < engine->dbs->len; i++)
    {
      IpaEngineDb *db = engine->dbs->pdata[i];
      struct ipa_db_mod *m = db->db;
      const char *what = NULL;

      ipa_engine_set_owner (engine, db->module);
      if (ipa_engine_rule_uses_db (rule, db) && m->db_init_dynrule != NULL
          && m->db_init_dynrule (autorule->no, rule->ruleno, rule->name, rule->info) != 0)
        what = "db_init_dynrule";
      for (guint j = 0; j < rule->n_limits && what == NULL; j++)
        if (list_has (rule->limits[j].def->db, db) && m->db_init_dynlimit != NULL
            && m->db_init_dynlimit (autorule->no, rule->ruleno, rule->name, rule->info,
                                    rule->limits[j].def->no, rule->limits[j].def->name,
                                    rule->limits[j].def->info) != 0)
          what = "db_init_dynlimit";
      for (guint j = 0; j < rule->n_thresholds && what == NULL; j++)
        if (list_has (rule->thresholds[j].def->db, db) && m->db_init_dynthreshold != NULL
            && m->db_init_dynthreshold (autorule->no, rule->ruleno, rule->name, rule->info,
                                        rule->thresholds[j].def->no,
                                        rule->thresholds[j].def->name,
                                        rule->thresholds[j].def->info) != 0)
          what = "db_init_dynthreshold";
      if (what != NULL)
        {
          g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_MODULE,
                       _("database %s: %s for rule \"%s\" failed"), db->module->name, what,
                       name);
          if (own_batch)
            ipa_engine_end_batch (engine);
          goto fail;
        }
    }
  ipa_engine_rule_first_state (engine, rule);
  if (own_batch)
    ipa_engine_end_batch (engine);
  ipa_engine_set_owner (engine, NULL);

  ipa_engine_group_add (engine, rule);
  ipa_engine_gather_add_source (engine, rule);
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_RULE_CREATED, LOG_INFO, rule, NULL, NULL, NULL,
                   from_module ? _("dynamic rule %s created from autorule %s by module %s")
                               : _("dynamic rule %s created from autorule %s%s"),
                   rule->name, autorule->name,
                   from_module ? engine->in_get_stat->module->name : "");
  return rule;

fail:
  ipa_engine_deinit_rule (engine, rule);
  g_hash_table_remove (engine->rules_by_name, rule->name);
  engine->rules->pdata[rule->ruleno] = NULL;
  engine->n_rules--;
  ipa_engine_rule_free (engine, rule);
  return NULL;
}

/* A deleted rule is written a last time, then deinitialised. */
static void
delete_now (IpaEngine *engine, IpaRule *rule)
{
  ipa_engine_rule_write (engine, rule, engine->now_wall, FALSE);
  for (guint j = 0; j < rule->n_limits; j++)
    if (rule->limits[j].db_pending)
      ipa_engine_resend_limit (engine, &rule->limits[j]);
  for (guint j = 0; j < rule->n_thresholds; j++)
    if (rule->thresholds[j].db_pending)
      ipa_engine_resend_threshold (engine, &rule->thresholds[j]);
  ipa_engine_deinit_rule (engine, rule);
  ipa_engine_group_remove (engine, rule);
  /* Gatherers forget it. */
  g_hash_table_remove (engine->gather_sources, rule);
  engine->rules->pdata[rule->ruleno] = NULL;
  engine->n_rules--;
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_RULE_DELETED, LOG_INFO, rule, NULL, NULL, NULL,
                   _("dynamic rule %s deleted"), rule->name);
  g_hash_table_remove (engine->rules_by_name, rule->name);
  ipa_engine_rule_free (engine, rule);
}

void
ipa_engine_dynrule_finish_deletes (IpaEngine *engine)
{
  for (guint i = 0; i < engine->deleted->len; i++)
    delete_now (engine, engine->deleted->pdata[i]);
  g_ptr_array_set_size (engine->deleted, 0);
}

static int
hook_create_rule (const char *mod_name, unsigned int autoruleno, unsigned int *ruleno,
                  const char *rule_name, const char *rule_info)
{
  IpaEngine *engine = hook_engine;
  g_autoptr(GError) error = NULL;
  IpaAutorule *autorule;
  IpaRule *rule;

  if (engine == NULL || engine->in_get_stat == NULL)
    {
      ipa_log (LOG_ERR, _("module %s called ac_create_rule outside ac_get_stat: refused"),
               mod_name != NULL ? mod_name : "?");
      return -1;
    }
  autorule = find_autorule (engine, autoruleno);
  if (autorule == NULL || autorule->ac != engine->in_get_stat)
    {
      ipa_engine_module_error (engine, engine->in_get_stat->module, NULL, NULL,
                               _("ac_create_rule(\"%s\") names autorule #%u, which %s"),
                               rule_name != NULL ? rule_name : "", autoruleno,
                               autorule == NULL ? _("does not exist")
                                                : _("does not use this module"));
      return -1;
    }
  if (!autorule->active)
    {
      ipa_engine_module_error (engine, engine->in_get_stat->module, NULL, NULL,
                               _("ac_create_rule(\"%s\"): autorule %s is inactive "
                                 "(outside its worktime)"),
                               rule_name != NULL ? rule_name : "", autorule->name);
      return -1;
    }
  if (rule_name != NULL && g_hash_table_contains (engine->rules_by_name, rule_name))
    {
      /* INV-64: not an error of the module; it may ask again each round. */
      return -2;
    }
  rule = ipa_engine_dynrule_create (engine, autorule, rule_name, rule_info, TRUE, &error);
  ipa_engine_set_owner (engine, engine->in_get_stat->module);
  if (rule == NULL)
    {
      ipa_engine_module_error (engine, engine->in_get_stat->module, NULL, NULL,
                               "ac_create_rule: %s", error->message);
      return -1;
    }
  if (ruleno != NULL)
    *ruleno = rule->ruleno;
  return 0;
}

static int
hook_delete_rule (const char *mod_name, unsigned int ruleno)
{
  IpaEngine *engine = hook_engine;
  IpaRule *rule;

  if (engine == NULL || engine->in_get_stat == NULL)
    {
      ipa_log (LOG_ERR, _("module %s called ac_delete_rule outside ac_get_stat: refused"),
               mod_name != NULL ? mod_name : "?");
      return -1;
    }
  rule = ruleno < engine->rules->len ? engine->rules->pdata[ruleno] : NULL;
  if (rule == NULL || !rule->dynamic || rule->deleted)
    {
      ipa_engine_module_error (engine, engine->in_get_stat->module, NULL, NULL,
                               _("ac_delete_rule(#%u): no such dynamic rule"), ruleno);
      return -1;
    }
  /* INV-70: no ac_get_rule_stat for it after this; deinit after the
   * current ac_get_stat, in this round. */
  rule->deleted = TRUE;
  g_ptr_array_add (engine->deleted, rule);
  return 0;
}

void
ipa_engine_install_hooks (IpaEngine *engine)
{
  hook_engine = engine;
  ipa_module_set_ac_hooks (hook_create_rule, hook_delete_rule);
}

void
ipa_engine_remove_hooks (IpaEngine *engine)
{
  if (hook_engine != engine)
    return;
  hook_engine = NULL;
  ipa_module_set_ac_hooks (NULL, NULL);
}

IpaRule *
ipa_engine_create_rule (IpaEngine *engine, const char *autorule_name, const char *name,
                        const char *info, GError **error)
{
  IpaAutorule *autorule = NULL;

  for (guint i = 0; i < engine->autorules->len && autorule == NULL; i++)
    {
      IpaAutorule *a = engine->autorules->pdata[i];

      if (strcmp (a->name, autorule_name) == 0)
        autorule = a;
    }
  if (autorule == NULL)
    {
      g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_NO_SUCH_AUTORULE,
                   _("no autorule \"%s\""), autorule_name);
      return NULL;
    }
  engine->now_wall = ipa_clock_get_wall (engine->clock);
  engine->now_mono = ipa_clock_get_monotonic (engine->clock);
  return ipa_engine_dynrule_create (engine, autorule, name, info, FALSE, error);
}

gboolean
ipa_engine_delete_rule (IpaEngine *engine, IpaRule *rule, GError **error)
{
  if (!rule->dynamic)
    {
      g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_NOT_DYNAMIC,
                   _("rule \"%s\" is static: only dynamic rules can be deleted"), rule->name);
      return FALSE;
    }
  if (rule->deleted)
    return TRUE;
  engine->now_wall = ipa_clock_get_wall (engine->clock);
  engine->now_mono = ipa_clock_get_monotonic (engine->clock);
  ipa_engine_begin_batch (engine);
  delete_now (engine, rule);
  ipa_engine_end_batch (engine);
  return TRUE;
}
