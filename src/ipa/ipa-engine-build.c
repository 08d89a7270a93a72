/*
 * ipa-engine-build.c: from the configuration model to the engine's own
 * compact structures.
 *
 * What many rules share (parameters, worktimes, database lists, limit and
 * threshold definitions) is interned under a key string that spells out
 * every field, so 100,000 rules made from one rulepat hold one copy.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-engine-internal.h"
#include "ipa-threshold.h"

const char *
ipa_engine_intern_string (IpaEngine *engine, const char *s)
{
  return s != NULL ? g_string_chunk_insert_const (engine->strings, s) : NULL;
}

/* Keep @obj for the engine's life under @key (taken). */
static gpointer
intern_put (IpaEngine *engine, char *key, gpointer obj, GDestroyNotify free_func)
{
  g_hash_table_insert (engine->intern, key, obj);
  if (free_func != NULL)
    {
      /* owned holds pairs: the object, then its free function. */
      g_ptr_array_add (engine->owned, obj);
      g_ptr_array_add (engine->owned, free_func);
    }
  return obj;
}

static IpaWorktimeState *
intern_worktime (IpaEngine *engine, const IpaWorktime *wt)
{
  GString *key;
  IpaWorktimeState *ws;

  if (wt == NULL)
    return NULL;
  key = g_string_new ("wt:");
  ipa_worktime_format (key, wt);
  ws = g_hash_table_lookup (engine->intern, key->str);
  if (ws != NULL)
    {
      g_string_free (key, TRUE);
      return ws;
    }
  ws = g_new0 (IpaWorktimeState, 1);
  ws->worktime = ipa_worktime_copy (wt);
  ws->active = TRUE;
  ws->next_change = G_MININT64; /* evaluated at the first dispatch */
  g_ptr_array_add (engine->worktimes, ws);
  return intern_put (engine, g_string_free (key, FALSE), ws, NULL);
}

static IpaDbList *
intern_db_list (IpaEngine *engine, char **names, GError **error)
{
  g_autofree char *joined = NULL;
  char *key;
  IpaDbList *list;
  guint n = 0;

  if (names == NULL || names[0] == NULL
      || (names[1] == NULL && strcmp (names[0], IPA_CONF_NULL_NAME) == 0))
    return engine->null_db;
  joined = g_strjoinv (" ", names);
  key = g_strconcat ("db:", joined, NULL);
  list = g_hash_table_lookup (engine->intern, key);
  if (list != NULL)
    {
      g_free (key);
      return list;
    }
  list = g_new0 (IpaDbList, 1);
  list->db = g_new0 (IpaEngineDb *, g_strv_length (names));
  for (guint i = 0; names[i] != NULL; i++)
    {
      IpaEngineDb *db = NULL;

      for (guint j = 0; j < engine->dbs->len && db == NULL; j++)
        {
          IpaEngineDb *d = g_ptr_array_index (engine->dbs, j);

          if (strcmp (d->module->name, names[i]) == 0)
            db = d;
        }
      if (db == NULL)
        {
          g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                       _("no database module \"%s\" is loaded"), names[i]);
          g_free (list->db);
          g_free (list);
          g_free (key);
          return NULL;
        }
      list->db[n++] = db;
    }
  list->n = n;
  return intern_put (engine, key, list, NULL);
}

static IpaEngineAc *
find_ac (IpaEngine *engine, const char *name)
{
  for (guint i = 0; i < engine->acs->len; i++)
    {
      IpaEngineAc *ac = g_ptr_array_index (engine->acs, i);

      if (strcmp (ac->module->name, name) == 0)
        return ac;
    }
  return NULL;
}

static void
key_list (GString *key, char **names)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    g_string_append_printf (key, "%s,", names[i]);
  g_string_append_c (key, ';');
}

const IpaRuleParams *
ipa_engine_intern_params (IpaEngine *engine,
                          const IpaConfRuleParams *p,
                          GError **error)
{
  GString *key = g_string_new ("p:");
  IpaRuleParams *params;
  char **ac_names = p->ac_list.set ? p->ac_list.names : NULL;

  g_string_append_printf (key, "%" G_GUINT64_FORMAT ";%" G_GUINT64_FORMAT ";",
                          p->update_time.v, p->append_time.v);
  if (p->worktime.set)
    ipa_worktime_format (key, p->worktime.wt);
  g_string_append_c (key, ';');
  key_list (key, ac_names);
  key_list (key, p->db_list.set ? p->db_list.names : NULL);
  key_list (key, p->ctl_rule_acl.set ? p->ctl_rule_acl.names : NULL);
  g_string_append_printf (key, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                          ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT,
                          p->debug_exec.v, p->debug_limit.v, p->debug_limit_init.v,
                          p->debug_threshold.v, p->debug_threshold_init.v);

  params = g_hash_table_lookup (engine->intern, key->str);
  if (params != NULL)
    {
      g_string_free (key, TRUE);
      return params;
    }

  params = g_new0 (IpaRuleParams, 1);
  params->update_time = MAX (p->update_time.v, 1);
  params->append_time = p->append_time.v != 0 ? p->append_time.v : IPA_CONF_DEFAULT_APPEND_TIME;
  params->worktime = p->worktime.set ? intern_worktime (engine, p->worktime.wt) : NULL;
  params->db = intern_db_list (engine, p->db_list.set ? p->db_list.names : NULL, error);
  if (params->db == NULL)
    {
      g_string_free (key, TRUE);
      g_free (params);
      return NULL;
    }
  if (ac_names != NULL
      && !(ac_names[0] != NULL && ac_names[1] == NULL
           && strcmp (ac_names[0], IPA_CONF_NULL_NAME) == 0))
    {
      guint n = g_strv_length (ac_names);

      params->ac = g_new0 (IpaEngineAc *, n);
      for (guint i = 0; i < n; i++)
        {
          IpaEngineAc *ac = find_ac (engine, ac_names[i]);

          if (ac == NULL)
            {
              g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                           _("no accounting module \"%s\" is loaded"), ac_names[i]);
              g_string_free (key, TRUE);
              g_free (params->ac);
              g_free (params);
              return NULL;
            }
          params->ac[params->n_ac++] = ac;
        }
    }
  params->debug_exec = (guint) p->debug_exec.v;
  params->debug_limit = (guint) p->debug_limit.v;
  params->debug_limit_init = (guint) p->debug_limit_init.v;
  params->debug_threshold = (guint) p->debug_threshold.v;
  params->debug_threshold_init = (guint) p->debug_threshold_init.v;
  if (p->ctl_rule_acl.set)
    params->ctl_rule_acl = g_strdupv (p->ctl_rule_acl.names);
  params->next_append = G_MININT64;
  g_ptr_array_add (engine->params, params);
  return intern_put (engine, g_string_free (key, FALSE), params, NULL);
}

/* ---- commands ---- */

static void
build_cmds (IpaEngine *engine, const IpaConfCmds *src, IpaCmdList *out, GString *key)
{
  out->n = 0;
  out->commands = NULL;
  g_string_append_c (key, '[');
  if (src->present && src->execs != NULL && src->execs->len > 0)
    {
      out->n = src->execs->len;
      out->commands = g_new0 (IpaExecCommand, out->n);
      for (guint i = 0; i < out->n; i++)
        {
          const IpaConfExec *e = g_ptr_array_index (src->execs, i);

          out->commands[i].user = ipa_engine_intern_string (engine, e->user);
          out->commands[i].group = ipa_engine_intern_string (engine, e->group);
          out->commands[i].command = ipa_engine_intern_string (engine, e->command);
          g_string_append_printf (key, "%s|%s|%s\x1e", e->user ? e->user : "",
                                  e->group ? e->group : "", e->command);
        }
    }
  g_string_append_c (key, ']');
}

static void
free_cmds (IpaCmdList *c)
{
  g_clear_pointer (&c->commands, g_free);
}

static void
build_sect (IpaEngine *engine, const IpaConfCmdsSect *src, IpaCmdSect *out, GString *key)
{
  build_cmds (engine, &src->cmds, &out->cmds, key);
  build_cmds (engine, &src->if_reached, &out->if_reached, key);
  build_cmds (engine, &src->if_not_reached, &out->if_not_reached, key);
  build_cmds (engine, &src->if_all_reached, &out->if_all_reached, key);
  build_cmds (engine, &src->if_any_reached, &out->if_any_reached, key);
  build_cmds (engine, &src->if_all_not_reached, &out->if_all_not_reached, key);
  build_cmds (engine, &src->if_any_not_reached, &out->if_any_not_reached, key);
}

static void
free_sect (IpaCmdSect *s)
{
  free_cmds (&s->cmds);
  free_cmds (&s->if_reached);
  free_cmds (&s->if_not_reached);
  free_cmds (&s->if_all_reached);
  free_cmds (&s->if_any_reached);
  free_cmds (&s->if_all_not_reached);
  free_cmds (&s->if_any_not_reached);
}

static gboolean
sect_empty (const IpaCmdSect *s)
{
  return s->cmds.n + s->if_reached.n + s->if_not_reached.n + s->if_all_reached.n
         + s->if_any_reached.n + s->if_all_not_reached.n + s->if_any_not_reached.n == 0;
}

static void
sect_free (gpointer p)
{
  free_sect (p);
  g_free (p);
}

/* A startup/shutdown section of a rule or the root, NULL when empty. */
static const IpaCmdSect *
build_rule_sect (IpaEngine *engine, const IpaConfCmdsSect *src)
{
  g_autoptr(GString) key = g_string_new ("s:");
  IpaCmdSect *s = g_new0 (IpaCmdSect, 1);
  IpaCmdSect *old;

  build_sect (engine, src, s, key);
  if (sect_empty (s))
    {
      sect_free (s);
      return NULL;
    }
  old = g_hash_table_lookup (engine->intern, key->str);
  if (old != NULL)
    {
      sect_free (s);
      return old;
    }
  return intern_put (engine, g_strdup (key->str), s, sect_free);
}

/* ---- limit and threshold definitions ---- */

static void
limit_def_free (gpointer p)
{
  IpaLimitDef *d = p;

  free_cmds (&d->restart);
  free_cmds (&d->reach);
  free_cmds (&d->expire);
  free_sect (&d->startup);
  free_sect (&d->shutdown);
  for (guint i = 0; i < d->n_sublimits; i++)
    {
      free_cmds (&d->sublimits[i].reach);
      free_cmds (&d->sublimits[i].expire);
    }
  g_free (d->sublimits);
  g_free (d);
}

static void
key_point (GString *key, gboolean set, const IpaTimePoint *point)
{
  if (set)
    ipa_time_point_format (key, point);
  g_string_append_c (key, ';');
}

static const IpaLimitDef *
intern_limit_def (IpaEngine *engine, const IpaConfLimit *l,
                  const IpaRuleParams *rp,
                  GError **error)
{
  g_autoptr(GString) key = g_string_new ("l:");
  IpaLimitDef *d = g_new0 (IpaLimitDef, 1);
  IpaLimitDef *old;

  d->name = ipa_engine_intern_string (engine, l->name);
  d->no = l->no;
  d->info = l->info.set ? ipa_engine_intern_string (engine, l->info.s) : NULL;
  d->lim = l->limit.v;
  d->kind = l->limit.kind;
  d->load_limit = !l->load_limit.set || l->load_limit.v != 0;
  d->has_restart_point = l->restart_point.set;
  if (d->has_restart_point)
    d->restart_point = l->restart_point.point;
  d->has_expire_point = l->expire_point.set;
  if (d->has_expire_point)
    d->expire_point = l->expire_point.point;
  d->worktime = l->worktime.set ? intern_worktime (engine, l->worktime.wt) : NULL;
  d->db = l->db_list.set ? intern_db_list (engine, l->db_list.names, error) : rp->db;
  if (d->db == NULL)
    {
      g_free (d);
      return NULL;
    }
  d->debug_limit = rp->debug_limit;
  d->debug_limit_init = rp->debug_limit_init;
  d->debug_exec = rp->debug_exec;

  g_string_append_printf (key, "%s;%u;%s;%" G_GUINT64_FORMAT ";%" G_GUINT64_FORMAT ";%d;",
                          d->name, d->no, d->info ? d->info : "", d->lim, d->kind,
                          d->load_limit);
  key_point (key, d->has_restart_point, &d->restart_point);
  key_point (key, d->has_expire_point, &d->expire_point);
  g_string_append_printf (key, "%p;%p;%u,%u,%u;", (void *) d->worktime, (void *) d->db,
                          d->debug_limit, d->debug_limit_init, d->debug_exec);
  build_cmds (engine, &l->restart, &d->restart, key);
  build_cmds (engine, &l->reach, &d->reach, key);
  build_cmds (engine, &l->expire, &d->expire, key);
  build_sect (engine, &l->startup, &d->startup, key);
  build_sect (engine, &l->shutdown, &d->shutdown, key);
  if (l->sublimits != NULL && l->sublimits->len > 0)
    {
      if (l->sublimits->len > 32)
        {
          g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                       _("%s:%u: limit \"%s\" has more than 32 sublimits"),
                       l->loc.file, l->loc.line, l->name);
          limit_def_free (d);
          return NULL;
        }
      d->n_sublimits = l->sublimits->len;
      d->sublimits = g_new0 (IpaSublimitDef, d->n_sublimits);
      for (guint i = 0; i < d->n_sublimits; i++)
        {
          const IpaConfSublimit *cs = g_ptr_array_index (l->sublimits, i);
          IpaSublimitDef *s = &d->sublimits[i];

          s->name = ipa_engine_intern_string (engine, cs->arg);
          s->per_cent = cs->value.per_cent;
          s->value = cs->value.v;
          s->has_expire_point = cs->expire_point.set;
          if (s->has_expire_point)
            s->expire_point = cs->expire_point.point;
          g_string_append_printf (key, "{%s;%d;%" G_GUINT64_FORMAT ";", s->name,
                                  s->per_cent, s->value);
          key_point (key, s->has_expire_point, &s->expire_point);
          build_cmds (engine, &cs->reach, &s->reach, key);
          build_cmds (engine, &cs->expire, &s->expire, key);
          g_string_append_c (key, '}');
        }
    }

  old = g_hash_table_lookup (engine->intern, key->str);
  if (old != NULL)
    {
      limit_def_free (d);
      return old;
    }
  g_ptr_array_add (engine->limit_defs, d);
  return intern_put (engine, g_strdup (key->str), d, limit_def_free);
}

static void
threshold_def_free (gpointer p)
{
  IpaThresholdDef *d = p;

  free_cmds (&d->below);
  free_cmds (&d->equal);
  free_cmds (&d->above);
  g_free (d);
}

static const IpaThresholdDef *
intern_threshold_def (IpaEngine *engine, const IpaConfThreshold *t,
                      const IpaRuleParams *rp, GError **error)
{
  g_autoptr(GString) key = g_string_new ("t:");
  IpaThresholdDef *d = g_new0 (IpaThresholdDef, 1);
  IpaThresholdDef *old;

  d->name = ipa_engine_intern_string (engine, t->name);
  d->no = t->no;
  d->info = t->info.set ? ipa_engine_intern_string (engine, t->info.s) : NULL;
  d->thr = t->threshold.v;
  d->kind = t->threshold.kind;
  d->dev_per_cent = t->deviation.set && t->deviation.per_cent;
  d->deviation = t->deviation.set ? t->deviation.v : 0;
  d->time_width = t->time_width.set ? t->time_width.v : IPA_CONF_DEFAULT_THR_TIME_WIDTH;
  d->time_slice = t->time_slice.set ? t->time_slice.v : IPA_CONF_DEFAULT_THR_TIME_SLICE;
  if (d->time_slice == 0 || d->time_width < d->time_slice)
    d->time_slice = d->time_width > 0 ? d->time_width : 1;
  if (d->time_width == 0)
    d->time_width = d->time_slice;
  d->type = t->type.set ? (guint) t->type.v : 0;
  if (t->balance.set)
    {
      d->balance[0] = t->balance.below;
      d->balance[1] = t->balance.equal;
      d->balance[2] = t->balance.above;
    }
  else
    d->balance[0] = d->balance[1] = d->balance[2] = IPA_CONF_BALANCE_ONCE;
  d->load_threshold = !t->load_threshold.set || t->load_threshold.v != 0;
  d->worktime = t->worktime.set ? intern_worktime (engine, t->worktime.wt) : NULL;
  d->db = t->db_list.set ? intern_db_list (engine, t->db_list.names, error) : rp->db;
  if (d->db == NULL)
    {
      g_free (d);
      return NULL;
    }
  d->debug_threshold = rp->debug_threshold;
  d->debug_threshold_init = rp->debug_threshold_init;
  d->debug_exec = rp->debug_exec;
  g_string_append_printf (key,
                          "%s;%u;%s;%" G_GUINT64_FORMAT ";%" G_GUINT64_FORMAT ";%d;%"
                          G_GUINT64_FORMAT ";%" G_GUINT64_FORMAT ";%" G_GUINT64_FORMAT
                          ";%u;%u:%u:%u;%d;%p;%p;%u,%u,%u;",
                          d->name, d->no, d->info ? d->info : "", d->thr, d->kind,
                          d->dev_per_cent, d->deviation, d->time_width, d->time_slice,
                          d->type, d->balance[0], d->balance[1], d->balance[2],
                          d->load_threshold, (void *) d->worktime, (void *) d->db,
                          d->debug_threshold, d->debug_threshold_init, d->debug_exec);
  build_cmds (engine, &t->below, &d->below, key);
  build_cmds (engine, &t->equal, &d->equal, key);
  build_cmds (engine, &t->above, &d->above, key);

  old = g_hash_table_lookup (engine->intern, key->str);
  if (old != NULL)
    {
      threshold_def_free (d);
      return old;
    }
  g_ptr_array_add (engine->threshold_defs, d);
  return intern_put (engine, g_strdup (key->str), d, threshold_def_free);
}

/* Static rules take their limits, thresholds and threshold windows from
 * blocks allocated once (@pool_*): 100,000 small allocations each would
 * cost their headers and scatter over the heap the configuration model
 * used, which is freed right after. */
static gboolean
build_rule_entities (IpaEngine *engine, IpaRule *rule,
                     GPtrArray *conf_limits, GPtrArray *conf_thresholds,
                     IpaLimit **pool_limits, IpaThreshold **pool_thresholds,
                     guint64 **pool_slices, GError **error)
{
  rule->n_limits = conf_limits != NULL ? conf_limits->len : 0;
  if (rule->n_limits > 0 && pool_limits != NULL)
    {
      rule->limits = *pool_limits;
      *pool_limits += rule->n_limits;
    }
  else if (rule->n_limits > 0)
    rule->limits = g_new0 (IpaLimit, rule->n_limits);
  for (guint i = 0; i < rule->n_limits; i++)
    {
      const IpaLimitDef *d = intern_limit_def (engine, g_ptr_array_index (conf_limits, i),
                                               rule->params, error);

      if (d == NULL)
        return FALSE;
      rule->limits[i].def = d;
      rule->limits[i].rule = rule;
      rule->limits[i].lim = d->lim;
      rule->limits[i].active = TRUE;
      rule->limits[i].exec_serial = ++engine->exec_serial;
    }
  rule->n_thresholds = conf_thresholds != NULL ? conf_thresholds->len : 0;
  if (rule->n_thresholds > 0 && pool_thresholds != NULL)
    {
      rule->thresholds = *pool_thresholds;
      *pool_thresholds += rule->n_thresholds;
    }
  else if (rule->n_thresholds > 0)
    rule->thresholds = g_new0 (IpaThreshold, rule->n_thresholds);
  for (guint i = 0; i < rule->n_thresholds; i++)
    {
      const IpaThresholdDef *d =
        intern_threshold_def (engine, g_ptr_array_index (conf_thresholds, i),
                              rule->params, error);

      if (d == NULL)
        return FALSE;
      if (pool_slices != NULL)
        {
          rule->thresholds[i].slices = *pool_slices;
          rule->thresholds[i].slices_pooled = TRUE;
          *pool_slices += ipa_threshold_n_slices (d);
        }
      rule->thresholds[i].def = d;
      rule->thresholds[i].rule = rule;
      rule->thresholds[i].thr = d->thr;
      rule->thresholds[i].position = -1;
      rule->thresholds[i].active = TRUE;
      rule->thresholds[i].exec_serial = ++engine->exec_serial;
    }
  return TRUE;
}

gboolean
ipa_engine_build_rule_entities (IpaEngine *engine, IpaRule *rule,
                                GPtrArray *conf_limits, GPtrArray *conf_thresholds,
                                GError **error)
{
  return build_rule_entities (engine, rule, conf_limits, conf_thresholds, NULL, NULL, NULL,
                              error);
}

gboolean
ipa_engine_autorule_defs (IpaEngine *engine, IpaAutorule *a, GError **error)
{
  IpaConfRuleParams eff;
  const IpaRuleParams *rp;

  ipa_conf_autorule_params (engine->conf, a->conf, &eff);
  rp = ipa_engine_intern_params (engine, &eff, error);
  if (rp == NULL)
    {
      ipa_conf_rule_params_clear (&eff);
      return FALSE;
    }
  a->ac = rp->n_ac > 0 ? rp->ac[0] : NULL;
  a->worktime = rp->worktime;
  ipa_conf_rule_params_clear (&eff);

  a->n_limits = a->conf->limits->len;
  a->limit_defs = g_new0 (const IpaLimitDef *, MAX (a->n_limits, 1));
  for (guint i = 0; i < a->n_limits; i++)
    {
      a->limit_defs[i] = intern_limit_def (engine, g_ptr_array_index (a->conf->limits, i),
                                           rp, error);
      if (a->limit_defs[i] == NULL)
        return FALSE;
    }
  a->n_thresholds = a->conf->thresholds->len;
  a->threshold_defs = g_new0 (const IpaThresholdDef *, MAX (a->n_thresholds, 1));
  for (guint i = 0; i < a->n_thresholds; i++)
    {
      a->threshold_defs[i] =
        intern_threshold_def (engine, g_ptr_array_index (a->conf->thresholds, i), rp, error);
      if (a->threshold_defs[i] == NULL)
        return FALSE;
    }
  return TRUE;
}

/* ---- update groups ---- */

void
ipa_engine_group_add (IpaEngine *engine, IpaRule *rule)
{
  IpaRuleParams *params = (IpaRuleParams *) rule->params;
  IpaUpdateGroup *g = params->group;

  if (g == NULL)
    {
      for (guint i = 0; i < engine->groups->len && g == NULL; i++)
        {
          IpaUpdateGroup *x = g_ptr_array_index (engine->groups, i);

          if (x->update_time == params->update_time)
            g = x;
        }
      if (g == NULL)
        {
          g = g_new0 (IpaUpdateGroup, 1);
          g->update_time = params->update_time;
          g->next_round = 0; /* due at once */
          g->rules = g_ptr_array_new ();
          g_ptr_array_add (engine->groups, g);
        }
      params->group = g;
    }
  rule->group_index = g->rules->len;
  g_ptr_array_add (g->rules, rule);
}

void
ipa_engine_group_remove (IpaEngine *engine, IpaRule *rule)
{
  IpaUpdateGroup *g = rule->params->group;
  guint i = rule->group_index;
  IpaRule *last;

  (void) engine;
  g_return_if_fail (g != NULL && i < g->rules->len && g->rules->pdata[i] == rule);
  last = g->rules->pdata[g->rules->len - 1];
  g->rules->pdata[i] = last;
  last->group_index = i;
  g_ptr_array_set_size (g->rules, g->rules->len - 1);
}

/* ---- gathering rules ---- */

static void
gatherer_free (gpointer p)
{
  IpaGatherer *g = p;

  if (g->has_add)
    regfree (&g->add_re);
  if (g->has_sub)
    regfree (&g->sub_re);
  g_free (g);
}

void
ipa_engine_gather_add_source (IpaEngine *engine, IpaRule *rule)
{
  for (guint i = 0; i < engine->gatherers->len; i++)
    {
      IpaGatherer *g = g_ptr_array_index (engine->gatherers, i);
      GPtrArray *list;

      if (g->rule == rule)
        continue;
      if (!(g->has_add && regexec (&g->add_re, rule->name, 0, NULL, 0) == 0)
          && !(g->has_sub && regexec (&g->sub_re, rule->name, 0, NULL, 0) == 0))
        continue;
      list = g_hash_table_lookup (engine->gather_sources, rule);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (engine->gather_sources, rule, list);
        }
      g_ptr_array_add (list, g);
    }
}

static gboolean
compile_gather (const IpaConfOptStr *opt, regex_t *re, GError **error)
{
  int rc = regcomp (re, opt->s, REG_EXTENDED | REG_NOSUB);

  if (rc != 0)
    {
      char buf[256];

      regerror (rc, re, buf, sizeof buf);
      g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                   "%s:%u:%u: %s", opt->loc.file, opt->loc.line, opt->loc.column, buf);
      return FALSE;
    }
  return TRUE;
}

/* ---- the whole configuration ---- */

static void
autorule_free (gpointer p)
{
  IpaAutorule *a = p;

  g_free (a->limit_defs);
  g_free (a->threshold_defs);
  g_free (a);
}

gboolean
ipa_engine_build (IpaEngine *engine, GError **error)
{
  IpaConf *conf = engine->conf;
  guint n_mods = ipa_module_set_get_n_modules (engine->modules);
  IpaLimit *pool_limits;
  IpaThreshold *pool_thresholds;
  guint64 *pool_slices;

  for (guint i = 0; i < n_mods; i++)
    {
      IpaModule *m = ipa_module_set_get_nth (engine->modules, i);

      if (m->kind == IPA_MODULE_KIND_AC)
        {
          IpaEngineAc *ac = g_new0 (IpaEngineAc, 1);

          ac->module = m;
          ac->ac = m->mod.ac;
          ac->index = engine->acs->len;
          g_ptr_array_add (engine->acs, ac);
        }
      else if (m->kind == IPA_MODULE_KIND_DB)
        {
          IpaEngineDb *db = g_new0 (IpaEngineDb, 1);

          if (engine->dbs->len >= IPA_ENGINE_MAX_DATABASES)
            {
              g_free (db);
              g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INIT,
                           _("more than %d database modules are loaded"),
                           IPA_ENGINE_MAX_DATABASES);
              return FALSE;
            }
          db->module = m;
          db->db = m->mod.db;
          db->index = engine->dbs->len;
          g_ptr_array_add (engine->dbs, db);
        }
    }

  engine->root_startup = build_rule_sect (engine, &conf->startup);
  engine->root_shutdown = build_rule_sect (engine, &conf->shutdown);

  engine->n_static = conf->rules->len;
  engine->static_rules = g_new0 (IpaRule, MAX (engine->n_static, 1));
  {
    guint n_limits = 0, n_thresholds = 0;
    guint64 n_slices = 0;

    for (guint i = 0; i < engine->n_static; i++)
      {
        const IpaConfRule *cr = g_ptr_array_index (conf->rules, i);

        n_limits += cr->limits->len;
        n_thresholds += cr->thresholds->len;
        for (guint j = 0; j < cr->thresholds->len; j++)
          {
            const IpaConfThreshold *t = g_ptr_array_index (cr->thresholds, j);
            IpaThresholdDef tmp = { 0 };

            tmp.time_width = t->time_width.set ? t->time_width.v : IPA_CONF_DEFAULT_THR_TIME_WIDTH;
            tmp.time_slice = t->time_slice.set ? t->time_slice.v : IPA_CONF_DEFAULT_THR_TIME_SLICE;
            n_slices += ipa_threshold_n_slices (&tmp);
          }
      }
    engine->static_limits = g_new0 (IpaLimit, MAX (n_limits, 1));
    engine->static_thresholds = g_new0 (IpaThreshold, MAX (n_thresholds, 1));
    engine->static_slices = g_new0 (guint64, MAX (n_slices, 1));
  }
  pool_limits = engine->static_limits;
  pool_thresholds = engine->static_thresholds;
  pool_slices = engine->static_slices;
  g_ptr_array_set_size (engine->rules, engine->n_static);
  for (guint i = 0; i < engine->n_static; i++)
    {
      const IpaConfRule *cr = g_ptr_array_index (conf->rules, i);
      IpaRule *rule = &engine->static_rules[i];

      rule->name = (char *) ipa_engine_intern_string (engine, cr->name);
      rule->ruleno = cr->no;
      rule->autoruleno = -1;
      rule->params = ipa_engine_intern_params (engine, &cr->eff, error);
      if (rule->params == NULL)
        {
          g_prefix_error (error, "%s:%u: rule \"%s\": ", cr->loc.file, cr->loc.line, cr->name);
          return FALSE;
        }
      rule->info = cr->info.set ? ipa_engine_intern_string (engine, cr->info.s) : NULL;
      rule->active = TRUE;
      rule->newstat = TRUE;
      if (!build_rule_entities (engine, rule, cr->limits, cr->thresholds, &pool_limits,
                                &pool_thresholds, &pool_slices, error))
        {
          g_prefix_error (error, "%s:%u: rule \"%s\": ", cr->loc.file, cr->loc.line, cr->name);
          return FALSE;
        }
      rule->startup = build_rule_sect (engine, &cr->startup);
      rule->shutdown = build_rule_sect (engine, &cr->shutdown);
      if (rule->ruleno >= engine->rules->len)
        g_ptr_array_set_size (engine->rules, rule->ruleno + 1);
      engine->rules->pdata[rule->ruleno] = rule;
      g_hash_table_insert (engine->rules_by_name, rule->name, rule);
      engine->n_rules++;
      ipa_engine_group_add (engine, rule);

      if (cr->ac_gather_add.set || cr->ac_gather_sub.set)
        {
          IpaGatherer *g = g_new0 (IpaGatherer, 1);

          g->rule = rule;
          if (cr->ac_gather_add.set)
            {
              if (!compile_gather (&cr->ac_gather_add, &g->add_re, error))
                {
                  g_free (g);
                  return FALSE;
                }
              g->has_add = TRUE;
            }
          if (cr->ac_gather_sub.set)
            {
              if (!compile_gather (&cr->ac_gather_sub, &g->sub_re, error))
                {
                  gatherer_free (g);
                  return FALSE;
                }
              g->has_sub = TRUE;
            }
          g_ptr_array_add (engine->gatherers, g);
        }
    }
  if (engine->gatherers->len > 0)
    for (guint i = 0; i < engine->n_static; i++)
      ipa_engine_gather_add_source (engine, &engine->static_rules[i]);

  for (guint i = 0; i < conf->autorules->len; i++)
    {
      IpaAutorule *a = g_new0 (IpaAutorule, 1);

      a->conf = g_ptr_array_index (conf->autorules, i);
      a->no = a->conf->no;
      a->name = ipa_engine_intern_string (engine, a->conf->name);
      a->active = TRUE;
      g_ptr_array_add (engine->autorules, a);
      if (!ipa_engine_autorule_defs (engine, a, error))
        {
          g_prefix_error (error, "%s:%u: autorule \"%s\": ", a->conf->loc.file,
                          a->conf->loc.line, a->name);
          return FALSE;
        }
    }
  return TRUE;
}

void ipa_engine_build_free (IpaEngine *engine);

/* Everything ipa_engine_build and dynamic rules allocated. */
void
ipa_engine_build_free (IpaEngine *engine)
{
  for (guint i = 0; i < engine->rules->len; i++)
    {
      IpaRule *rule = engine->rules->pdata[i];

      if (rule != NULL)
        ipa_engine_rule_free (engine, rule);
    }
  g_ptr_array_set_size (engine->rules, 0);
  g_clear_pointer (&engine->static_rules, g_free);
  g_clear_pointer (&engine->static_limits, g_free);
  g_clear_pointer (&engine->static_thresholds, g_free);
  g_clear_pointer (&engine->static_slices, g_free);
  g_ptr_array_foreach (engine->gatherers, (GFunc) (void (*) (void)) gatherer_free, NULL);
  g_ptr_array_set_size (engine->gatherers, 0);
  g_ptr_array_foreach (engine->autorules, (GFunc) (void (*) (void)) autorule_free, NULL);
  g_ptr_array_set_size (engine->autorules, 0);
  for (guint i = 0; i < engine->groups->len; i++)
    {
      IpaUpdateGroup *g = engine->groups->pdata[i];

      g_ptr_array_unref (g->rules);
      g_free (g);
    }
  g_ptr_array_set_size (engine->groups, 0);
  for (guint i = 0; i < engine->params->len; i++)
    {
      IpaRuleParams *p = engine->params->pdata[i];

      g_free (p->ac);
      g_strfreev (p->ctl_rule_acl);
      g_free (p);
    }
  g_ptr_array_set_size (engine->params, 0);
  for (guint i = 0; i < engine->worktimes->len; i++)
    {
      IpaWorktimeState *w = engine->worktimes->pdata[i];

      ipa_worktime_free (w->worktime);
      g_free (w);
    }
  g_ptr_array_set_size (engine->worktimes, 0);
  for (guint i = 0; i + 1 < engine->owned->len; i += 2)
    {
      GDestroyNotify f = (GDestroyNotify) engine->owned->pdata[i + 1];

      f (engine->owned->pdata[i]);
    }
  g_ptr_array_set_size (engine->owned, 0);
  /* Database lists are in intern only. */
  {
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init (&it, engine->intern);
    while (g_hash_table_iter_next (&it, &key, &value))
      if (g_str_has_prefix (key, "db:"))
        {
          IpaDbList *l = value;

          g_free (l->db);
          g_free (l);
        }
  }
  g_hash_table_remove_all (engine->intern);
  g_ptr_array_set_size (engine->limit_defs, 0);
  g_ptr_array_set_size (engine->threshold_defs, 0);
  g_ptr_array_foreach (engine->acs, (GFunc) (void (*) (void)) g_free, NULL);
  g_ptr_array_set_size (engine->acs, 0);
  g_ptr_array_foreach (engine->dbs, (GFunc) (void (*) (void)) g_free, NULL);
  g_ptr_array_set_size (engine->dbs, 0);
}
