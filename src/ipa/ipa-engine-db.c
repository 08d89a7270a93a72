/*
 * ipa-engine-db.c: writing to the database modules.
 *
 * Every group of runtime calls runs inside a batch (ipa_mod_ext.h) for
 * modules that want batches.  A failed call never loses data: the rule,
 * limit or threshold keeps its value and a bit per database saying that
 * the database has to be sent it again; the next round does that.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-engine-internal.h"
#include "ipa-limit.h"
#include "ipa-threshold.h"

void
ipa_engine_tm_from_wall (gint64 wall, ipa_tm *out)
{
  struct tm tm;

  ipa_clock_local (wall, &tm);
  memset (out, 0, sizeof *out);
  out->tm_year = tm.tm_year + 1900;
  out->tm_mon = tm.tm_mon + 1;
  out->tm_mday = tm.tm_mday;
  out->tm_hour = tm.tm_hour;
  out->tm_min = tm.tm_min;
  out->tm_sec = tm.tm_sec;
  out->tm_wday = tm.tm_wday;
}

gint64
ipa_engine_wall_from_tm (const ipa_tm *tm)
{
  struct tm t = { 0 };

  t.tm_year = tm->tm_year - 1900;
  t.tm_mon = tm->tm_mon - 1;
  t.tm_mday = tm->tm_mday;
  t.tm_hour = tm->tm_hour;
  t.tm_min = tm->tm_min;
  t.tm_sec = tm->tm_sec;
  t.tm_isdst = -1;
  return ipa_clock_from_local (&t);
}

void
ipa_engine_db_failed (IpaEngine *engine, IpaEngineDb *db, const IpaRule *rule,
                      const char *what)
{
  g_autofree char *text = NULL;

  db->failing = TRUE;
  if (db->last_error_log != 0 && engine->now_wall >= db->last_error_log
      && engine->now_wall - db->last_error_log < IPA_ENGINE_ERROR_LOG_INTERVAL)
    return;
  db->last_error_log = engine->now_wall != 0 ? engine->now_wall : 1;
  text = g_strdup_printf (_("database %s: %s failed%s%s; the data stays in memory and is "
                            "written again at the next update"),
                          db->module->name, what, rule != NULL ? _(" for rule ") : "",
                          rule != NULL ? rule->name : "");
  ipa_engine_emit_module (engine, IPA_ENGINE_EVENT_DB_ERROR, LOG_ERR, db->module, rule, text);
}

void
ipa_engine_db_ok (IpaEngine *engine, IpaEngineDb *db)
{
  g_autofree char *text = NULL;

  if (!db->failing)
    return;
  db->failing = FALSE;
  db->last_error_log = 0;
  text = g_strdup_printf (_("database %s works again"), db->module->name);
  ipa_engine_emit_module (engine, IPA_ENGINE_EVENT_DB_RECOVERED, LOG_NOTICE, db->module, NULL,
                          text);
}

void
ipa_engine_begin_batch (IpaEngine *engine)
{
  ipa_tm ctm;

  g_return_if_fail (!engine->in_batch);
  engine->in_batch = TRUE;
  ipa_engine_tm_from_wall (engine->now_wall, &ctm);
  for (guint i = 0; i < engine->dbs->len; i++)
    {
      IpaEngineDb *db = g_ptr_array_index (engine->dbs, i);

      db->batch_failed = FALSE;
      if (db->module->db_ext == NULL || db->module->db_ext->db_begin_batch == NULL)
        continue;
      ipa_engine_set_owner (engine, db->module);
      db->in_batch = TRUE;
      if (db->module->db_ext->db_begin_batch (&ctm) != 0)
        {
          db->batch_failed = TRUE;
          ipa_engine_db_failed (engine, db, NULL, "db_begin_batch");
        }
    }
}

/* A failed end of batch means the batch may not be durable: everything
 * the batch carried for that database is sent again. */
static void
mark_all_pending (IpaEngine *engine, IpaEngineDb *db)
{
  guint32 bit = 1U << db->index;

  for (guint i = 0; i < engine->rules->len; i++)
    {
      IpaRule *rule = engine->rules->pdata[i];

      if (rule == NULL)
        continue;
      if (ipa_engine_rule_uses_db (rule, db))
        rule->db_pending |= bit;
      for (guint j = 0; j < rule->n_limits; j++)
        rule->limits[j].db_pending |= bit;
      for (guint j = 0; j < rule->n_thresholds; j++)
        rule->thresholds[j].db_pending |= bit;
    }
}

void
ipa_engine_end_batch (IpaEngine *engine)
{
  g_return_if_fail (engine->in_batch);
  for (guint i = 0; i < engine->dbs->len; i++)
    {
      IpaEngineDb *db = g_ptr_array_index (engine->dbs, i);
      gboolean ok = !db->batch_failed;

      if (db->in_batch)
        {
          ipa_engine_set_owner (engine, db->module);
          db->in_batch = FALSE;
          if (db->module->db_ext->db_end_batch != NULL
              && db->module->db_ext->db_end_batch () != 0)
            {
              ipa_engine_db_failed (engine, db, NULL, "db_end_batch");
              ok = FALSE;
            }
        }
      if (!ok)
        mark_all_pending (engine, db);
    }
  ipa_engine_set_owner (engine, NULL);
  engine->in_batch = FALSE;
}

/* A new record for every database of the rule (INV-53..55). */
void
ipa_engine_rule_append (IpaEngine *engine, IpaRule *rule, gint64 wall)
{
  const IpaDbList *l = rule->params->db;

  rule->record_start = wall;
  rule->dirty = FALSE;
  rule->append_pending = 0;
  rule->db_pending = 0;
  for (guint i = 0; i < l->n; i++)
    rule->append_pending |= 1U << l->db[i]->index;
  if (rule->append_pending != 0)
    ipa_engine_rule_write (engine, rule, wall, FALSE);
}

/* db_append_rule where a record is due, db_update_rule where the counter
 * changed, was not written, or @force (closing a record). */
void
ipa_engine_rule_write (IpaEngine *engine, IpaRule *rule, gint64 wall, gboolean force)
{
  const IpaDbList *l = rule->params->db;
  ipa_tm ctm;
  gboolean have_tm = FALSE;

  for (guint i = 0; i < l->n; i++)
    {
      IpaEngineDb *db = l->db[i];
      guint32 bit = 1U << db->index;
      int rc;

      if (!(rule->append_pending & bit) && !(rule->db_pending & bit) && !rule->dirty && !force)
        continue;
      if (!have_tm)
        {
          ipa_engine_tm_from_wall (wall, &ctm);
          have_tm = TRUE;
        }
      ipa_engine_set_owner (engine, db->module);
      if (rule->append_pending & bit)
        {
          rc = db->db->db_append_rule != NULL ? db->db->db_append_rule (rule->ruleno, &rule->cnt, &ctm) : 0;
          if (rc == 0)
            {
              rule->append_pending &= ~bit;
              rule->db_pending &= ~bit;
              ipa_engine_db_ok (engine, db);
            }
          else
            ipa_engine_db_failed (engine, db, rule, "db_append_rule");
        }
      else
        {
          rc = db->db->db_update_rule != NULL ? db->db->db_update_rule (rule->ruleno, &rule->cnt, &ctm) : 0;
          if (rc == 0)
            {
              rule->db_pending &= ~bit;
              ipa_engine_db_ok (engine, db);
            }
          else
            {
              rule->db_pending |= bit;
              ipa_engine_db_failed (engine, db, rule, "db_update_rule");
            }
        }
    }
  rule->dirty = FALSE;
}

/* ---- services for limits and thresholds (ipa-engine-private.h) ---- */

/* Runs @call on each database of @list; a batch is opened around it when
 * the caller is not inside one already. */
#define FAN_OUT(engine, list, pending, obj_rule, what, call)              \
  G_STMT_START {                                                          \
    gboolean own_batch_ = !(engine)->in_batch;                            \
    if (own_batch_)                                                       \
      ipa_engine_begin_batch (engine);                                    \
    for (guint i_ = 0; i_ < (list)->n; i_++)                              \
      {                                                                   \
        IpaEngineDb *db = (list)->db[i_];                                 \
        struct ipa_db_mod *m = db->db;                                    \
        int rc_ = 0;                                                      \
        if ((engine)->only_dbs != 0                                       \
            && !((engine)->only_dbs & (1U << db->index)))                 \
          continue;                                                       \
        ipa_engine_set_owner (engine, db->module);                        \
        rc_ = (call);                                                     \
        if (rc_ < 0)                                                      \
          {                                                               \
            (pending) |= 1U << db->index;                                 \
            ipa_engine_db_failed (engine, db, obj_rule, what);            \
          }                                                               \
        else                                                              \
          ipa_engine_db_ok (engine, db);                                  \
      }                                                                   \
    if (own_batch_)                                                       \
      ipa_engine_end_batch (engine);                                      \
  } G_STMT_END

gboolean
ipa_engine_db_get_limit_state (IpaEngine *engine, IpaLimit *limit,
                               struct ipa_limit_state *state)
{
  const IpaDbList *l = limit->def->db;

  for (guint i = 0; i < l->n; i++)
    {
      IpaEngineDb *db = l->db[i];
      int rc;

      if (db->db->db_get_limit_state == NULL)
        continue;
      ipa_engine_set_owner (engine, db->module);
      memset (state, 0, sizeof *state);
      rc = db->db->db_get_limit_state (limit->rule->ruleno, limit->def->no, state);
      if (rc == 1)
        return TRUE;
      if (rc < 0)
        ipa_engine_db_failed (engine, db, limit->rule, "db_get_limit_state");
    }
  return FALSE;
}

void
ipa_engine_db_set_limit_state (IpaEngine *engine, IpaLimit *limit, gboolean new_state)
{
  struct ipa_limit_state st;

  ipa_limit_to_state (limit, &st);
  FAN_OUT (engine, limit->def->db, limit->db_pending, limit->rule, "db_set_limit_state",
           m->db_set_limit_state != NULL
             ? m->db_set_limit_state (limit->rule->ruleno, limit->def->no, &st, new_state)
             : 0);
}

void
ipa_engine_db_update_limit (IpaEngine *engine, IpaLimit *limit)
{
  ipa_tm ctm;

  ipa_engine_tm_from_wall (engine->now_wall, &ctm);
  FAN_OUT (engine, limit->def->db, limit->db_pending, limit->rule, "db_update_limit",
           m->db_update_limit != NULL
             ? m->db_update_limit (limit->rule->ruleno, limit->def->no, &limit->cnt, &ctm)
             : 0);
}

void
ipa_engine_db_limit_event (IpaEngine *engine, IpaLimit *limit, guint event, gint64 event_wall)
{
  ipa_tm ctm, etm;

  g_return_if_fail (event == IPA_LIMIT_EVENT_RESTART_EXEC || event == IPA_LIMIT_EVENT_REACH
                    || event == IPA_LIMIT_EVENT_REACH_EXEC || event == IPA_LIMIT_EVENT_EXPIRE
                    || event == IPA_LIMIT_EVENT_EXPIRE_EXEC);
  ipa_engine_tm_from_wall (engine->now_wall, &ctm);
  ipa_engine_tm_from_wall (event_wall, &etm);
  FAN_OUT (engine, limit->def->db, limit->db_pending, limit->rule, "db_limit_event",
           m->db_limit_event != NULL
             ? m->db_limit_event (limit->rule->ruleno, limit->def->no, event, &etm, &ctm)
             : 0);
}

gboolean
ipa_engine_db_get_threshold_state (IpaEngine *engine, IpaThreshold *threshold,
                                   struct ipa_threshold_state *state)
{
  const IpaDbList *l = threshold->def->db;

  for (guint i = 0; i < l->n; i++)
    {
      IpaEngineDb *db = l->db[i];
      int rc;

      if (db->db->db_get_threshold_state == NULL)
        continue;
      ipa_engine_set_owner (engine, db->module);
      memset (state, 0, sizeof *state);
      rc = db->db->db_get_threshold_state (threshold->rule->ruleno, threshold->def->no, state);
      if (rc == 1)
        return TRUE;
      if (rc < 0)
        ipa_engine_db_failed (engine, db, threshold->rule, "db_get_threshold_state");
    }
  return FALSE;
}

void
ipa_engine_db_set_threshold_state (IpaEngine *engine, IpaThreshold *threshold)
{
  struct ipa_threshold_state st;

  ipa_threshold_to_state (threshold, &st);
  FAN_OUT (engine, threshold->def->db, threshold->db_pending, threshold->rule,
           "db_set_threshold_state",
           m->db_set_threshold_state != NULL
             ? m->db_set_threshold_state (threshold->rule->ruleno, threshold->def->no, &st)
             : 0);
}

void
ipa_engine_db_update_threshold (IpaEngine *engine, IpaThreshold *threshold)
{
  ipa_tm from, upd;

  ipa_engine_tm_from_wall (threshold->tm_from, &from);
  ipa_engine_tm_from_wall (threshold->tm_updated, &upd);
  FAN_OUT (engine, threshold->def->db, threshold->db_pending, threshold->rule,
           "db_update_threshold",
           m->db_update_threshold != NULL
             ? m->db_update_threshold (threshold->rule->ruleno, threshold->def->no,
                                       &threshold->cnt, &from, &upd)
             : 0);
}

void
ipa_engine_db_set_limit_active (IpaEngine *engine, IpaLimit *limit, gboolean active)
{
  guint32 ignored = 0;

  FAN_OUT (engine, limit->def->db, ignored, limit->rule, "db_set_limit_active",
           m->db_set_limit_active != NULL
             ? m->db_set_limit_active (limit->rule->ruleno, limit->def->no, active)
             : 0);
  (void) ignored;
}

void
ipa_engine_db_set_threshold_active (IpaEngine *engine, IpaThreshold *threshold,
                                    gboolean active)
{
  guint32 ignored = 0;

  FAN_OUT (engine, threshold->def->db, ignored, threshold->rule, "db_set_threshold_active",
           m->db_set_threshold_active != NULL
             ? m->db_set_threshold_active (threshold->rule->ruleno, threshold->def->no, active)
             : 0);
  (void) ignored;
}

/* ---- ac module events ---- */

void
ipa_engine_ac_limit_event (IpaEngine *engine, IpaLimit *limit, guint event)
{
  const IpaRuleParams *p = limit->rule->params;

  for (guint i = 0; i < p->n_ac; i++)
    {
      IpaEngineAc *ac = p->ac[i];

      if (ac->ac->ac_limit_event == NULL)
        continue;
      ipa_engine_set_owner (engine, ac->module);
      if (ac->ac->ac_limit_event (limit->rule->ruleno, limit->def->no, event) != 0)
        ipa_engine_module_error (engine, ac->module, &ac->last_error_log, limit->rule,
                                 _("ac_limit_event(%s/%s, %u) failed"), limit->rule->name,
                                 limit->def->name, event);
    }
}

void
ipa_engine_ac_threshold_event (IpaEngine *engine, IpaThreshold *threshold, guint event)
{
  const IpaRuleParams *p = threshold->rule->params;

  for (guint i = 0; i < p->n_ac; i++)
    {
      IpaEngineAc *ac = p->ac[i];

      if (ac->ac->ac_threshold_event == NULL)
        continue;
      ipa_engine_set_owner (engine, ac->module);
      if (ac->ac->ac_threshold_event (threshold->rule->ruleno, threshold->def->no, event) != 0)
        ipa_engine_module_error (engine, ac->module, &ac->last_error_log, threshold->rule,
                                 _("ac_threshold_event(%s/%s, %u) failed"),
                                 threshold->rule->name, threshold->def->name, event);
    }
}

void
ipa_engine_ac_set_limit_active (IpaEngine *engine, IpaLimit *limit, gboolean active)
{
  const IpaRuleParams *p = limit->rule->params;

  for (guint i = 0; i < p->n_ac; i++)
    {
      IpaEngineAc *ac = p->ac[i];

      if (ac->ac->ac_set_limit_active == NULL)
        continue;
      ipa_engine_set_owner (engine, ac->module);
      if (ac->ac->ac_set_limit_active (limit->rule->ruleno, limit->def->no, active) != 0)
        ipa_engine_module_error (engine, ac->module, &ac->last_error_log, limit->rule,
                                 _("ac_set_limit_active(%s/%s) failed"), limit->rule->name,
                                 limit->def->name);
    }
}

void
ipa_engine_ac_set_threshold_active (IpaEngine *engine, IpaThreshold *threshold,
                                    gboolean active)
{
  const IpaRuleParams *p = threshold->rule->params;

  for (guint i = 0; i < p->n_ac; i++)
    {
      IpaEngineAc *ac = p->ac[i];

      if (ac->ac->ac_set_threshold_active == NULL)
        continue;
      ipa_engine_set_owner (engine, ac->module);
      if (ac->ac->ac_set_threshold_active (threshold->rule->ruleno, threshold->def->no,
                                           active) != 0)
        ipa_engine_module_error (engine, ac->module, &ac->last_error_log, threshold->rule,
                                 _("ac_set_threshold_active(%s/%s) failed"),
                                 threshold->rule->name, threshold->def->name);
    }
}

/* A resend goes only to the databases that missed the state, so that a
 * new state registered in one database is not registered twice. */
void
ipa_engine_resend_limit (IpaEngine *engine, IpaLimit *limit)
{
  engine->only_dbs = limit->db_pending;
  ipa_limit_resend (engine, limit);
  engine->only_dbs = 0;
}

void
ipa_engine_resend_threshold (IpaEngine *engine, IpaThreshold *threshold)
{
  engine->only_dbs = threshold->db_pending;
  ipa_threshold_resend (engine, threshold);
  engine->only_dbs = 0;
}
