/*
 * ipa-engine.c: the engine's life cycle, time and update rounds.
 *
 * One dispatch does, in this order, what is due at the clock's current
 * time:
 *  1. notice wall-clock jumps (the wall clock moved other than the
 *     monotonic one did) and day changes;
 *  2. update rounds: ac_get_stat of every module, then for each due rule
 *     ac_get_rule_stat of its modules, the counters, db writes, limit and
 *     threshold checks;  a day change, a clock jump or a worktime change
 *     makes every rule due, an append_time point the rules of its group;
 *  3. record breaks: the current record is closed and a new one appended
 *     (a new day, append_time, a clock jump: never a record across days,
 *     never one whose end is before its start);
 *  4. worktime changes: rules, limits and thresholds become (in)active;
 *  5. limit restarts and expiries that are due.
 * and returns the monotonic time of the next thing due.
 *
 * Policy for misbehaving modules (documented in ipa(8)): the engine keeps
 * counting what it can.  A module whose ac_get_stat returns -1 gives no
 * statistics this round (its rules still get those of their other
 * modules); ac_get_rule_stat -1 drops that rule's chunk from that module
 * for the round; a database write that fails is kept and sent again; a
 * module call that takes longer than IPA_ENGINE_STALL_USEC is logged, and
 * a module that stalls IPA_ENGINE_STALL_ROUNDS rounds in a row is
 * suspended (not called) for five minutes, doubling up to an hour, while
 * the others go on.  A module that never returns is beyond any in-process
 * policy: the watchdog of ipa.service restarts the daemon.  Errors are
 * logged at once, then at most every ten minutes per module.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-engine-internal.h"
#include "ipa-limit.h"
#include "ipa-threshold.h"

G_DEFINE_QUARK (ipa-engine-error-quark, ipa_engine_error)

void ipa_engine_build_free (IpaEngine *engine);

struct _IpaEngineSnapshot {
  GHashTable *limits;      /* "rule\x1flimit" -> struct ipa_limit_state */
  GHashTable *thresholds;  /* "rule\x1fthreshold" -> struct ipa_threshold_state */
};

/* ---- construction ---- */

IpaEngine *
ipa_engine_new (IpaClock *clock, IpaExecRunner *runner)
{
  IpaEngine *engine = g_new0 (IpaEngine, 1);

  engine->clock = ipa_clock_ref (clock);
  engine->runner = runner;
  engine->token = g_new0 (IpaEngineToken, 1);
  engine->token->ref_count = 1;
  engine->token->engine = engine;
  engine->observers = g_array_new (FALSE, FALSE, sizeof (IpaObserverEntry));
  engine->strings = g_string_chunk_new (64 * 1024);
  engine->acs = g_ptr_array_new ();
  engine->dbs = g_ptr_array_new ();
  engine->intern = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  engine->owned = g_ptr_array_new ();
  engine->params = g_ptr_array_new ();
  engine->worktimes = g_ptr_array_new ();
  engine->groups = g_ptr_array_new ();
  engine->limit_defs = g_ptr_array_new ();
  engine->threshold_defs = g_ptr_array_new ();
  engine->null_db = g_new0 (IpaDbList, 1);
  engine->rules = g_ptr_array_new ();
  engine->rules_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  engine->autorules = g_ptr_array_new ();
  engine->gatherers = g_ptr_array_new ();
  engine->gather_sources = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                  (GDestroyNotify) g_ptr_array_unref);
  engine->deleted = g_ptr_array_new ();
  engine->stall_usec = IPA_ENGINE_STALL_USEC;
  return engine;
}

static void
token_unref (IpaEngineToken *token)
{
  if (--token->ref_count == 0)
    g_free (token);
}

static void
engine_release_config (IpaEngine *engine)
{
  ipa_engine_remove_hooks (engine);
  g_hash_table_remove_all (engine->gather_sources);
  ipa_engine_build_free (engine);
  g_hash_table_remove_all (engine->rules_by_name);
  engine->n_rules = 0;
  engine->n_static = 0;
  g_clear_pointer (&engine->modules, ipa_module_set_free);
  g_clear_pointer (&engine->conf, ipa_conf_free);
  g_clear_pointer (&engine->snapshot, ipa_engine_snapshot_free);
}

void
ipa_engine_free (IpaEngine *engine)
{
  if (engine == NULL)
    return;
  if (engine->started && !engine->stopped)
    ipa_engine_stop (engine, IPA_ENGINE_STOP_NONE);
  engine_release_config (engine);
  engine->token->engine = NULL;
  token_unref (engine->token);
  g_array_unref (engine->observers);
  g_string_chunk_free (engine->strings);
  g_ptr_array_unref (engine->acs);
  g_ptr_array_unref (engine->dbs);
  g_hash_table_unref (engine->intern);
  g_ptr_array_unref (engine->owned);
  g_ptr_array_unref (engine->params);
  g_ptr_array_unref (engine->worktimes);
  g_ptr_array_unref (engine->groups);
  g_ptr_array_unref (engine->limit_defs);
  g_ptr_array_unref (engine->threshold_defs);
  g_free (engine->null_db);
  g_ptr_array_unref (engine->rules);
  g_hash_table_unref (engine->rules_by_name);
  g_ptr_array_unref (engine->autorules);
  g_ptr_array_unref (engine->gatherers);
  g_hash_table_unref (engine->gather_sources);
  g_ptr_array_unref (engine->deleted);
  ipa_clock_unref (engine->clock);
  g_free (engine);
}

/* ---- observers ---- */

guint
ipa_engine_add_observer (IpaEngine *engine, IpaEngineObserver observer, gpointer user_data)
{
  IpaObserverEntry e = { ++engine->next_observer_id, observer, user_data };

  g_array_append_val (engine->observers, e);
  return e.id;
}

void
ipa_engine_remove_observer (IpaEngine *engine, guint id)
{
  for (guint i = 0; i < engine->observers->len; i++)
    if (g_array_index (engine->observers, IpaObserverEntry, i).id == id)
      {
        g_array_remove_index (engine->observers, i);
        return;
      }
}

void
ipa_engine_emit (IpaEngine *engine, IpaEngineEventType type, int priority,
                 const IpaRule *rule, const IpaLimit *limit,
                 const IpaThreshold *threshold, const char *sublimit,
                 const char *format, ...)
{
  g_autofree char *msg = NULL;
  IpaEngineEvent ev = { 0 };
  va_list ap;

  if (engine->observers->len == 0)
    return;
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  ev.type = type;
  ev.priority = priority;
  ev.wall = engine->now_wall;
  ev.rule = rule != NULL ? rule : limit != NULL ? limit->rule
            : threshold != NULL ? threshold->rule : NULL;
  ev.limit = limit;
  ev.threshold = threshold;
  ev.sublimit = sublimit;
  ev.message = msg;
  for (guint i = 0; i < engine->observers->len; i++)
    {
      IpaObserverEntry e = g_array_index (engine->observers, IpaObserverEntry, i);

      e.func (engine, &ev, e.user_data);
    }
}

/* Module events carry the module name (IPA_MODULE in the journal). */
void
ipa_engine_emit_module (IpaEngine *engine, IpaEngineEventType type, int priority,
                        IpaModule *module, const IpaRule *rule, const char *msg)
{
  IpaEngineEvent ev = { 0 };

  ev.type = type;
  ev.priority = priority;
  ev.wall = engine->now_wall;
  ev.rule = rule;
  ev.module = module->owner;
  ev.message = msg;
  for (guint i = 0; i < engine->observers->len; i++)
    {
      IpaObserverEntry e = g_array_index (engine->observers, IpaObserverEntry, i);

      e.func (engine, &ev, e.user_data);
    }
}

/* ---- time ---- */

gint64
ipa_engine_now_wall (IpaEngine *engine)
{
  return engine->now_wall;
}

gint64
ipa_engine_now_mono (IpaEngine *engine)
{
  return engine->now_mono;
}

static void
read_now (IpaEngine *engine)
{
  engine->now_wall = ipa_clock_get_wall (engine->clock);
  engine->now_mono = ipa_clock_get_monotonic (engine->clock);
}

/* Worktime state at now; TRUE if it changed. */
static gboolean
worktime_eval (IpaEngine *engine, IpaWorktimeState *ws)
{
  struct tm tm;
  int minutes;
  gboolean active;

  ipa_clock_local (engine->now_wall, &tm);
  active = ipa_worktime_is_active (ws->worktime, &tm);
  if (ipa_worktime_next_change (ws->worktime, &tm, &minutes))
    {
      tm.tm_sec = 0;
      tm.tm_min += minutes;
      tm.tm_isdst = -1;
      ws->next_change = ipa_clock_from_local (&tm);
      if (ws->next_change <= engine->now_wall)
        ws->next_change = engine->now_wall + 60;
    }
  else
    ws->next_change = G_MAXINT64;
  if (active == ws->active)
    return FALSE;
  ws->active = active;
  return TRUE;
}

/* The next append_time point: counted from the start of the day, since a
 * day always starts a record. */
static void
params_next_append (IpaEngine *engine, IpaRuleParams *p)
{
  gint64 day = ipa_clock_day_start (engine->now_wall);
  gint64 next_day = ipa_clock_next_day_start (engine->now_wall);
  gint64 k;

  if (p->append_time >= 86400)
    {
      p->next_append = G_MAXINT64; /* the day break does it */
      return;
    }
  k = (engine->now_wall - day) / (gint64) p->append_time + 1;
  p->next_append = day + k * (gint64) p->append_time;
  if (p->next_append >= next_day)
    p->next_append = G_MAXINT64;
}

/* ---- commands ---- */

typedef struct {
  IpaEngineToken *token;
  char *rule;
  guint index;
  gboolean is_limit;
  guint serial;
  IpaEngineExecDone done;
} ExecDoneData;

static void
exec_done_cb (guint n_commands, guint n_failed, gpointer user_data)
{
  ExecDoneData *d = user_data;
  IpaEngine *engine = d->token->engine;
  IpaRule *rule;

  (void) n_commands;
  if (engine != NULL && !engine->stopped
      && (rule = g_hash_table_lookup (engine->rules_by_name, d->rule)) != NULL)
    {
      gpointer obj = NULL;

      if (d->is_limit && d->index < rule->n_limits
          && rule->limits[d->index].exec_serial == d->serial)
        obj = &rule->limits[d->index];
      else if (!d->is_limit && d->index < rule->n_thresholds
               && rule->thresholds[d->index].exec_serial == d->serial)
        obj = &rule->thresholds[d->index];
      if (obj != NULL)
        {
          read_now (engine);
          d->done (engine, obj, engine->now_wall, n_failed);
        }
    }
  token_unref (d->token);
  g_free (d->rule);
  g_free (d);
}

/* ${rule} stays in the commands of autorules (ipa-conf.c); a dynamic
 * rule's commands get its name here. */
static IpaExecCommand *
expand_cmds (const IpaRule *rule, const IpaCmdList *cmds, GPtrArray *keep)
{
  IpaExecCommand *out = g_new (IpaExecCommand, cmds->n);

  for (guint i = 0; i < cmds->n; i++)
    {
      out[i] = cmds->commands[i];
      if (rule->dynamic && strstr (out[i].command, "${rule}") != NULL)
        {
          g_auto (GStrv) parts = g_strsplit (out[i].command, "${rule}", -1);
          char *s = g_strjoinv (rule->name, parts);

          g_ptr_array_add (keep, s);
          out[i].command = s;
        }
    }
  return out;
}

static void
run_cmds (IpaEngine *engine, const IpaRule *rule, const char *limit, const char *sublimit,
          const char *threshold, const IpaCmdList *cmds, const char *event, guint debug,
          gboolean sync, ExecDoneData *done_data)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  g_autofree IpaExecCommand *commands = NULL;
  g_autofree char *key = NULL;
  IpaExecContext ctx = { 0 };

  if (cmds->n == 0 || engine->runner == NULL)
    {
      if (done_data != NULL)
        {
          /* Without a runner (ipa -t paths, some tests) nothing runs. */
          token_unref (done_data->token);
          g_free (done_data->rule);
          g_free (done_data);
        }
      return;
    }
  commands = expand_cmds (rule, cmds, keep);
  ctx.rule = rule != NULL ? rule->name : NULL;
  ctx.limit = limit;
  ctx.sublimit = sublimit;
  ctx.threshold = threshold;
  ctx.autorule = rule != NULL ? rule->autorule : NULL;
  ctx.event = event;
  ctx.debug = debug > 0;
  if (sync)
    {
      guint failed = ipa_exec_run_sync (engine->runner, commands, cmds->n, &ctx);

      if (done_data != NULL)
        {
          done_data->token->ref_count++;
          exec_done_cb (cmds->n, failed, done_data);
          token_unref (engine->token);
        }
      return;
    }
  key = g_strdup_printf ("%s/%s", rule->name, limit != NULL ? limit : threshold);
  ipa_exec_run_async (engine->runner, key, commands, cmds->n, &ctx,
                      done_data != NULL ? exec_done_cb : NULL, done_data);
}

void
ipa_engine_run_limit_cmds (IpaEngine *engine, IpaLimit *limit, const char *sublimit,
                           const IpaCmdList *cmds, const char *event, gboolean sync,
                           IpaEngineExecDone done)
{
  ExecDoneData *d = NULL;

  if (done != NULL)
    {
      d = g_new0 (ExecDoneData, 1);
      d->token = engine->token;
      d->token->ref_count++;
      d->rule = g_strdup (limit->rule->name);
      d->index = (guint) (limit - limit->rule->limits);
      d->is_limit = TRUE;
      d->serial = limit->exec_serial;
      d->done = done;
    }
  run_cmds (engine, limit->rule, limit->def->name, sublimit, NULL, cmds, event,
            limit->def->debug_exec, sync, d);
}

void
ipa_engine_run_threshold_cmds (IpaEngine *engine, IpaThreshold *threshold,
                               const IpaCmdList *cmds, const char *event,
                               IpaEngineExecDone done)
{
  ExecDoneData *d = NULL;

  if (done != NULL)
    {
      d = g_new0 (ExecDoneData, 1);
      d->token = engine->token;
      d->token->ref_count++;
      d->rule = g_strdup (threshold->rule->name);
      d->index = (guint) (threshold - threshold->rule->thresholds);
      d->is_limit = FALSE;
      d->serial = threshold->exec_serial;
      d->done = done;
    }
  run_cmds (engine, threshold->rule, NULL, NULL, threshold->def->name, cmds, event,
            threshold->def->debug_exec, FALSE, d);
}

void
ipa_engine_run_cmds_sync (IpaEngine *engine, const IpaCmdList *cmds,
                          const IpaRule *rule, const char *event)
{
  IpaExecContext ctx = { 0 };
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  g_autofree IpaExecCommand *commands = NULL;

  if (cmds == NULL || cmds->n == 0 || engine->runner == NULL)
    return;
  if (rule != NULL)
    commands = expand_cmds (rule, cmds, keep);
  ctx.rule = rule != NULL ? rule->name : NULL;
  ctx.event = event;
  ctx.debug = rule != NULL && rule->params->debug_exec > 0;
  ipa_exec_run_sync (engine->runner, commands != NULL ? commands : cmds->commands, cmds->n,
                     &ctx);
}

/* ---- rounds ---- */

static void
feed_gatherers (IpaEngine *engine, IpaRule *rule, gboolean addition, guint64 chunk)
{
  GPtrArray *list;

  if (engine->gatherers->len == 0 || chunk == 0)
    return;
  list = g_hash_table_lookup (engine->gather_sources, rule);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      IpaGatherer *g = list->pdata[i];
      gboolean add = g->has_add && regexec (&g->add_re, rule->name, 0, NULL, 0) == 0;
      gboolean sub = g->has_sub && regexec (&g->sub_re, rule->name, 0, NULL, 0) == 0;

      /* A rule matching both patterns contributes nothing. */
      if (add == sub)
        continue;
      if (add == addition)
        g->pending_add = g->pending_add + chunk < g->pending_add ? G_MAXUINT64 : g->pending_add + chunk;
      else
        g->pending_sub = g->pending_sub + chunk < g->pending_sub ? G_MAXUINT64 : g->pending_sub + chunk;
    }
}

/* The rule counter, its debt (negative statistics) and overflow; then the
 * same effective change to the active limits and thresholds. */
void
ipa_engine_rule_apply_chunk (IpaEngine *engine, IpaRule *rule, gboolean addition, guint64 chunk)
{
  if (chunk == 0)
    return;
  if (addition)
    {
      if (rule->debt > 0)
        {
          guint64 d = MIN (rule->debt, chunk);

          rule->debt -= d;
          chunk -= d;
          if (chunk == 0)
            return;
        }
      if (rule->cnt > G_MAXUINT64 - chunk)
        {
          /* Overflow: this record ends at its value, a new one starts
           * with the chunk. */
          ipa_engine_rule_write (engine, rule, engine->now_wall, TRUE);
          rule->cnt = chunk;
          ipa_engine_emit (engine, IPA_ENGINE_EVENT_MESSAGE, LOG_WARNING, rule, NULL, NULL, NULL,
                           _("counter of rule %s would overflow: a new record is started"),
                           rule->name);
          ipa_engine_rule_append (engine, rule, engine->now_wall);
        }
      else
        rule->cnt += chunk;
    }
  else
    {
      guint64 eff = MIN (chunk, rule->cnt);

      rule->debt = rule->debt + (chunk - eff) < rule->debt ? G_MAXUINT64
                                                           : rule->debt + (chunk - eff);
      rule->cnt -= eff;
      chunk = eff;
      if (chunk == 0)
        return;
    }
  rule->dirty = TRUE;
  for (guint i = 0; i < rule->n_limits; i++)
    if (rule->limits[i].active)
      ipa_limit_add (engine, &rule->limits[i], addition, chunk);
  for (guint i = 0; i < rule->n_thresholds; i++)
    if (rule->thresholds[i].active)
      ipa_threshold_add (engine, &rule->thresholds[i], addition, chunk);
}

static void
collect_rule (IpaEngine *engine, IpaRule *rule, guint gen, guint *n_failed, IpaRule **first_failed)
{
  const IpaRuleParams *p = rule->params;
  int newstat = rule->newstat;

  for (guint i = 0; i < p->n_ac; i++)
    {
      IpaEngineAc *ac = p->ac[i];
      int addition = 1;
      uint64_t chunk = 0;
      gint64 t0, dt;
      int rc;

      if (ac->get_stat_failed || ac->ac->ac_get_rule_stat == NULL)
        continue;
      ipa_engine_set_owner (engine, ac->module);
      t0 = g_get_monotonic_time ();
      rc = ac->ac->ac_get_rule_stat (gen, newstat, rule->ruleno, &addition, &chunk);
      dt = g_get_monotonic_time () - t0;
      if (dt > engine->stall_usec)
        {
          g_autofree char *msg =
            g_strdup_printf (_("ac_get_rule_stat for rule %s took %.1f s"), rule->name,
                             dt / (double) G_USEC_PER_SEC);

          ac->n_stalls |= 0x80000000U; /* stalled this round */
          ipa_engine_emit_module (engine, IPA_ENGINE_EVENT_MODULE_STALL, LOG_WARNING, ac->module, NULL, msg);
        }
      if (rc != 0)
        {
          n_failed[ac->index]++;
          if (first_failed[ac->index] == NULL)
            first_failed[ac->index] = rule;
          continue;
        }
      feed_gatherers (engine, rule, addition != 0, chunk);
      ipa_engine_rule_apply_chunk (engine, rule, addition != 0, chunk);
    }
  rule->newstat = FALSE;
}

/* Close the current record and start a new one (new day, append_time,
 * clock jump).  @close_wall is the last time of the old record. */
static void
record_break (IpaEngine *engine, IpaRule *rule, gint64 close_wall)
{
  if (!rule->active)
    return;
  if (close_wall < rule->record_start)
    close_wall = rule->record_start;
  ipa_engine_rule_write (engine, rule, close_wall, TRUE);
  rule->cnt = 0;
  ipa_engine_rule_append (engine, rule, engine->now_wall);
}

static void
finish_rule (IpaEngine *engine, IpaRule *rule, gint64 write_wall)
{
  if (write_wall < rule->record_start)
    write_wall = rule->record_start;
  ipa_engine_rule_write (engine, rule, write_wall, FALSE);
  for (guint i = 0; i < rule->n_limits; i++)
    {
      IpaLimit *l = &rule->limits[i];

      if (l->db_pending)
        ipa_engine_resend_limit (engine, l);
      if (l->active)
        ipa_limit_check (engine, l);
    }
  for (guint i = 0; i < rule->n_thresholds; i++)
    {
      IpaThreshold *t = &rule->thresholds[i];

      if (t->db_pending)
        ipa_engine_resend_threshold (engine, t);
      if (t->active)
        ipa_threshold_check (engine, t);
    }
}

static void
call_get_stat (IpaEngine *engine)
{
  ipa_tm ctm;
  gboolean any = FALSE;

  ipa_engine_tm_from_wall (engine->now_wall, &ctm);
  for (guint i = 0; i < engine->acs->len; i++)
    {
      IpaEngineAc *ac = g_ptr_array_index (engine->acs, i);
      gint64 t0, dt;
      int rc;

      ac->get_stat_failed = FALSE;
      if (ac->suspended_until != 0)
        {
          if (engine->now_mono < ac->suspended_until)
            {
              ac->get_stat_failed = TRUE;
              continue;
            }
          ac->suspended_until = 0;
          ipa_engine_emit_module (engine, IPA_ENGINE_EVENT_MESSAGE, LOG_NOTICE, ac->module, NULL,
                       _("module is called again after its suspension"));
        }
      if (ac->ac->ac_get_stat == NULL)
        continue;
      any = TRUE;
      if (++engine->generation == 0)
        engine->generation = 1;
      ipa_engine_set_owner (engine, ac->module);
      engine->in_get_stat = ac;
      t0 = g_get_monotonic_time ();
      rc = ac->ac->ac_get_stat (&ctm);
      dt = g_get_monotonic_time () - t0;
      engine->in_get_stat = NULL;
      if (dt > engine->stall_usec)
        {
          g_autofree char *msg = g_strdup_printf (_("ac_get_stat took %.1f s"),
                                                  dt / (double) G_USEC_PER_SEC);

          ac->n_stalls |= 0x80000000U;
          ipa_engine_emit_module (engine, IPA_ENGINE_EVENT_MODULE_STALL, LOG_WARNING, ac->module, NULL, msg);
        }
      if (rc != 0)
        {
          ac->get_stat_failed = TRUE;
          ac->failing = TRUE;
          ipa_engine_module_error (engine, ac->module, &ac->last_error_log, NULL,
                                   _("ac_get_stat failed: its rules get no statistics "
                                     "from it this round"));
        }
      else if (ac->failing)
        {
          ac->failing = FALSE;
          ac->last_error_log = 0;
          ipa_engine_emit_module (engine, IPA_ENGINE_EVENT_MESSAGE, LOG_NOTICE, ac->module, NULL,
                       _("ac_get_stat works again"));
        }
    }
  if (!any && ++engine->generation == 0)
    engine->generation = 1;
  ipa_engine_set_owner (engine, NULL);
}

/* Stall bookkeeping after a round (bit 31 of n_stalls = stalled now). */
static void
account_stalls (IpaEngine *engine)
{
  for (guint i = 0; i < engine->acs->len; i++)
    {
      IpaEngineAc *ac = g_ptr_array_index (engine->acs, i);

      if (!(ac->n_stalls & 0x80000000U))
        {
          ac->n_stalls = 0;
          if (ac->suspended_until == 0)
            ac->suspend_backoff = 0;
          continue;
        }
      ac->n_stalls = (ac->n_stalls & 0x7fffffffU) + 1;
      if (ac->n_stalls >= IPA_ENGINE_STALL_ROUNDS)
        {
          g_autofree char *msg = NULL;

          ac->suspend_backoff = ac->suspend_backoff == 0 ? IPA_ENGINE_SUSPEND_MIN_USEC
                                : MIN (ac->suspend_backoff * 2, IPA_ENGINE_SUSPEND_MAX_USEC);
          ac->suspended_until = engine->now_mono + ac->suspend_backoff;
          ac->n_stalls = 0;
          msg = g_strdup_printf (_("module stalled in %d rounds in a row: suspended for %lld s, "
                                   "the other modules keep counting"),
                                 IPA_ENGINE_STALL_ROUNDS,
                                 (long long) (ac->suspend_backoff / G_USEC_PER_SEC));
          ipa_engine_emit_module (engine, IPA_ENGINE_EVENT_MODULE_ERROR, LOG_ERR, ac->module, NULL, msg);
        }
    }
}

/* One update round over the rules of the groups marked due (@all: every
 * group).  Record breaks of @break_all / per-params append points happen
 * after the rules' updates. */
static void
round_run (IpaEngine *engine, gboolean all, gboolean break_all, gint64 close_wall)
{
  guint n_acs = engine->acs->len;
  /* A round that closes records writes them with the old record's last
   * time: never a record across days (INV-55) or ending before it began. */
  gint64 write_wall = break_all ? close_wall : engine->now_wall;
  g_autofree guint *n_failed = g_new0 (guint, MAX (n_acs, 1));
  g_autofree IpaRule **first_failed = g_new0 (IpaRule *, MAX (n_acs, 1));

  engine->in_round = TRUE;
  ipa_engine_begin_batch (engine);
  call_get_stat (engine);

  for (guint g = 0; g < engine->groups->len; g++)
    {
      IpaUpdateGroup *group = engine->groups->pdata[g];

      if (!all && group->next_round > engine->now_mono)
        continue;
      for (guint i = 0; i < group->rules->len; i++)
        {
          IpaRule *rule = group->rules->pdata[i];

          if (!rule->active || rule->deleted)
            continue;
          collect_rule (engine, rule, engine->generation, n_failed, first_failed);
          if (!rule->gatherer)
            finish_rule (engine, rule, write_wall);
        }
    }
  /* Gathering rules, once all others gave their chunks. */
  for (guint i = 0; i < engine->gatherers->len; i++)
    {
      IpaGatherer *gt = engine->gatherers->pdata[i];
      IpaRule *rule = gt->rule;

      if (!all && rule->params->group->next_round > engine->now_mono)
        continue;
      if (!rule->active)
        continue;
      ipa_engine_rule_apply_chunk (engine, rule, TRUE, gt->pending_add);
      ipa_engine_rule_apply_chunk (engine, rule, FALSE, gt->pending_sub);
      gt->pending_add = gt->pending_sub = 0;
      finish_rule (engine, rule, write_wall);
    }

  for (guint i = 0; i < n_acs; i++)
    if (n_failed[i] > 0)
      {
        IpaEngineAc *ac = g_ptr_array_index (engine->acs, i);

        ac->failing = TRUE;
        ipa_engine_module_error (engine, ac->module, &ac->last_error_log, first_failed[i],
                                 g_dngettext (GETTEXT_PACKAGE,
                                              "ac_get_rule_stat failed for %u rule (%s): "
                                              "its chunk of this round is dropped",
                                              "ac_get_rule_stat failed for %u rules (first %s): "
                                              "their chunks of this round are dropped",
                                              n_failed[i]),
                                 n_failed[i], first_failed[i]->name);
      }

  /* Record breaks. */
  for (guint g = 0; g < engine->groups->len; g++)
    {
      IpaUpdateGroup *group = engine->groups->pdata[g];

      if (!all && group->next_round > engine->now_mono)
        continue;
      for (guint i = 0; i < group->rules->len; i++)
        {
          IpaRule *rule = group->rules->pdata[i];
          IpaRuleParams *p = (IpaRuleParams *) rule->params;

          if (rule->deleted)
            continue;
          if (break_all)
            record_break (engine, rule, close_wall);
          else if (p->next_append <= engine->now_wall)
            record_break (engine, rule, engine->now_wall);
        }
    }
  for (guint i = 0; i < engine->params->len; i++)
    {
      IpaRuleParams *p = engine->params->pdata[i];

      if (break_all || p->next_append <= engine->now_wall)
        params_next_append (engine, p);
    }

  ipa_engine_dynrule_finish_deletes (engine);
  ipa_engine_end_batch (engine);
  /* Dynamic rules of a reload come back in the first round (their modules
   * create them again); after it the snapshot has served. */
  g_clear_pointer (&engine->snapshot, ipa_engine_snapshot_free);
  account_stalls (engine);
  engine->in_round = FALSE;
  engine->last_round_wall = engine->now_wall;

  for (guint g = 0; g < engine->groups->len; g++)
    {
      IpaUpdateGroup *group = engine->groups->pdata[g];
      gint64 step = (gint64) group->update_time * G_USEC_PER_SEC;

      if (group->next_round > engine->now_mono)
        continue;
      /* Keep the phase; after a long pause (freeze, suspend) start anew. */
      group->next_round += step;
      if (group->next_round <= engine->now_mono)
        group->next_round = engine->now_mono + step;
    }
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_ROUND, LOG_DEBUG, NULL, NULL, NULL, NULL,
                   "update round done");
}

/* Worktime changes: rules, limits and thresholds follow their worktimes. */
static gboolean
apply_worktimes (IpaEngine *engine, gboolean force)
{
  gboolean changed = FALSE;

  for (guint i = 0; i < engine->worktimes->len; i++)
    {
      IpaWorktimeState *ws = engine->worktimes->pdata[i];

      if (force || ws->next_change <= engine->now_wall)
        changed |= worktime_eval (engine, ws);
    }
  if (!changed)
    return FALSE;
  for (guint i = 0; i < engine->autorules->len; i++)
    {
      IpaAutorule *a = engine->autorules->pdata[i];
      gboolean active = a->worktime == NULL || a->worktime->active;

      if (active == a->active)
        continue;
      a->active = active;
      if (a->ac != NULL && a->ac->ac->ac_set_autorule_active != NULL)
        {
          ipa_engine_set_owner (engine, a->ac->module);
          if (a->ac->ac->ac_set_autorule_active (a->no, active) != 0)
            ipa_engine_module_error (engine, a->ac->module, &a->ac->last_error_log, NULL,
                                     _("ac_set_autorule_active(%s, %d) failed"), a->name,
                                     active);
          ipa_engine_set_owner (engine, NULL);
        }
    }
  for (guint i = 0; i < engine->rules->len; i++)
    {
      IpaRule *rule = engine->rules->pdata[i];
      gboolean active;

      if (rule == NULL || rule->deleted)
        continue;
      active = rule->params->worktime == NULL || rule->params->worktime->active;
      if (active != (gboolean) rule->active)
        ipa_engine_rule_set_active (engine, rule, active);
      else
        ipa_engine_update_entity_activity (engine, rule);
    }
  return TRUE;
}

static gboolean
any_newstat (IpaEngine *engine)
{
  for (guint i = 0; i < engine->rules->len; i++)
    {
      IpaRule *rule = engine->rules->pdata[i];

      if (rule != NULL && rule->active && rule->newstat)
        return TRUE;
    }
  return FALSE;
}

static gboolean
worktime_due (IpaEngine *engine)
{
  for (guint i = 0; i < engine->worktimes->len; i++)
    {
      IpaWorktimeState *ws = engine->worktimes->pdata[i];

      if (ws->next_change <= engine->now_wall)
        return TRUE;
    }
  return FALSE;
}

static void
check_limits (IpaEngine *engine)
{
  gboolean batch = FALSE;

  for (guint i = 0; i < engine->rules->len; i++)
    {
      IpaRule *rule = engine->rules->pdata[i];

      if (rule == NULL)
        continue;
      for (guint j = 0; j < rule->n_limits; j++)
        {
          IpaLimit *l = &rule->limits[j];

          if (!l->active || ipa_limit_next_event (l) > engine->now_wall)
            continue;
          if (!batch)
            {
              ipa_engine_begin_batch (engine);
              batch = TRUE;
            }
          ipa_limit_check (engine, l);
        }
    }
  if (batch)
    ipa_engine_end_batch (engine);
}

static gint64
wall_to_mono (IpaEngine *engine, gint64 wall)
{
  gint64 d = wall - engine->now_wall;

  if (d <= 0)
    return engine->now_mono;
  if (d > 3600)
    d = 3600;
  return engine->now_mono + d * G_USEC_PER_SEC;
}

static gint64
next_deadline (IpaEngine *engine)
{
  gint64 next_wall = engine->next_day;
  /* Look at the clock at least once a minute, to notice jumps. */
  gint64 next = engine->now_mono + 60 * G_USEC_PER_SEC;

  for (guint g = 0; g < engine->groups->len; g++)
    {
      IpaUpdateGroup *group = engine->groups->pdata[g];

      if (group->rules->len > 0)
        next = MIN (next, group->next_round);
    }
  for (guint i = 0; i < engine->worktimes->len; i++)
    next_wall = MIN (next_wall, ((IpaWorktimeState *) engine->worktimes->pdata[i])->next_change);
  for (guint i = 0; i < engine->params->len; i++)
    next_wall = MIN (next_wall, ((IpaRuleParams *) engine->params->pdata[i])->next_append);
  for (guint i = 0; i < engine->rules->len; i++)
    {
      IpaRule *rule = engine->rules->pdata[i];

      if (rule == NULL)
        continue;
      for (guint j = 0; j < rule->n_limits; j++)
        if (rule->limits[j].active)
          next_wall = MIN (next_wall, ipa_limit_next_event (&rule->limits[j]));
    }
  next = MIN (next, wall_to_mono (engine, next_wall));
  for (guint i = 0; i < engine->acs->len; i++)
    {
      IpaEngineAc *ac = g_ptr_array_index (engine->acs, i);

      if (ac->suspended_until != 0)
        next = MIN (next, ac->suspended_until);
    }
  return MAX (next, engine->now_mono);
}

gint64
ipa_engine_dispatch (IpaEngine *engine)
{
  gboolean jumped = FALSE, jumped_back = FALSE, day_break, wt_due, append_due = FALSE;
  gint64 old_next_day;

  if (!engine->started || engine->stopped)
    return G_MAXINT64;
  read_now (engine);
  if (engine->frozen_until != 0)
    {
      if (engine->now_mono < engine->frozen_until)
        return engine->frozen_until;
      engine->frozen_until = 0;
    }

  /* 1. Clock jumps: the wall clock moved differently from the monotonic. */
  if (engine->last_mono != 0)
    {
      gint64 expected = engine->last_wall + (engine->now_mono - engine->last_mono) / G_USEC_PER_SEC;
      gint64 diff = engine->now_wall - expected;

      if (diff > IPA_ENGINE_JUMP_TOLERANCE || diff < -IPA_ENGINE_JUMP_TOLERANCE)
        {
          jumped = TRUE;
          jumped_back = diff < 0;
          ipa_engine_emit (engine, IPA_ENGINE_EVENT_TIME_JUMP, LOG_WARNING, NULL, NULL, NULL, NULL,
                           _("the system clock stepped %s by %lld s: current records are "
                             "closed and new ones started; limits are not restarted because "
                             "of the step"),
                           jumped_back ? _("back") : _("forward"), (long long) ABS (diff));
        }
    }
  old_next_day = engine->next_day;
  day_break = engine->now_wall >= engine->next_day;
  wt_due = worktime_due (engine);
  for (guint i = 0; i < engine->params->len && !append_due; i++)
    if (((IpaRuleParams *) engine->params->pdata[i])->next_append <= engine->now_wall)
      append_due = TRUE;

  /* 2, 3. Rounds and record breaks. */
  if (day_break || jumped || wt_due)
    {
      gint64 close_wall = jumped_back ? engine->last_wall
                          : day_break ? MIN (engine->now_wall, old_next_day - 1)
                          : engine->now_wall;

      round_run (engine, TRUE, day_break || jumped, close_wall);
      engine->next_day = ipa_clock_next_day_start (engine->now_wall);
    }
  else
    {
      gboolean due = append_due;

      for (guint g = 0; g < engine->groups->len && !due; g++)
        {
          IpaUpdateGroup *group = engine->groups->pdata[g];

          due = group->rules->len > 0 && group->next_round <= engine->now_mono;
        }
      if (due)
        {
          /* An append point makes its group due. */
          for (guint i = 0; i < engine->params->len; i++)
            {
              IpaRuleParams *p = engine->params->pdata[i];

              if (p->next_append <= engine->now_wall && p->group != NULL)
                p->group->next_round = MIN (p->group->next_round, engine->now_mono);
            }
          round_run (engine, FALSE, FALSE, engine->now_wall);
        }
    }

  /* 4. Worktime.  Rules that became active get their first
   * ac_get_rule_stat (newstat) at once, so that the module's baseline is
   * taken when the worktime begins, not one update_time later. */
  if (wt_due || jumped)
    {
      gboolean changed;

      ipa_engine_begin_batch (engine);
      changed = apply_worktimes (engine, jumped);
      ipa_engine_end_batch (engine);
      if (changed && any_newstat (engine))
        round_run (engine, TRUE, FALSE, engine->now_wall);
    }

  /* 5. Limit events due. */
  check_limits (engine);

  engine->last_wall = engine->now_wall;
  engine->last_mono = engine->now_mono;
  return next_deadline (engine);
}

void
ipa_engine_flush (IpaEngine *engine)
{
  if (!engine->started || engine->stopped)
    return;
  read_now (engine);
  round_run (engine, TRUE, FALSE, engine->now_wall);
  engine->last_wall = engine->now_wall;
  engine->last_mono = engine->now_mono;
}

/* ---- start and stop ---- */

static void
limit_counts (const IpaRule *rule, guint *reached, guint *not_reached)
{
  *reached = *not_reached = 0;
  for (guint i = 0; i < rule->n_limits; i++)
    {
      if (rule->limits[i].reached)
        (*reached)++;
      else
        (*not_reached)++;
    }
}

/* startup/shutdown of a rule: its commands, then the if_* sections that
 * hold over its limits. */
static void
run_rule_sect (IpaEngine *engine, const IpaRule *rule, const IpaCmdSect *s, const char *event)
{
  guint reached, not_reached;
  g_autofree char *ev = NULL;

  if (s == NULL)
    return;
  limit_counts (rule, &reached, &not_reached);
  ipa_engine_run_cmds_sync (engine, &s->cmds, rule, event);
  ev = g_strconcat (event, ":if_all_reached", NULL);
  if (rule->n_limits > 0 && not_reached == 0)
    ipa_engine_run_cmds_sync (engine, &s->if_all_reached, rule, ev);
  g_free (ev);
  ev = g_strconcat (event, ":if_any_reached", NULL);
  if (reached > 0)
    ipa_engine_run_cmds_sync (engine, &s->if_any_reached, rule, ev);
  g_free (ev);
  ev = g_strconcat (event, ":if_all_not_reached", NULL);
  if (rule->n_limits > 0 && reached == 0)
    ipa_engine_run_cmds_sync (engine, &s->if_all_not_reached, rule, ev);
  g_free (ev);
  ev = g_strconcat (event, ":if_any_not_reached", NULL);
  if (not_reached > 0)
    ipa_engine_run_cmds_sync (engine, &s->if_any_not_reached, rule, ev);
}

static void
tell_inactive (IpaEngine *engine, IpaRule *rule)
{
  for (guint i = 0; i < rule->params->n_ac; i++)
    {
      IpaEngineAc *ac = rule->params->ac[i];

      ipa_engine_set_owner (engine, ac->module);
      if (ac->ac->ac_set_rule_active != NULL && ac->ac->ac_set_rule_active (rule->ruleno, 0) != 0)
        ipa_engine_module_error (engine, ac->module, &ac->last_error_log, rule,
                                 _("ac_set_rule_active(%s, 0) failed"), rule->name);
    }
  for (guint i = 0; i < rule->params->db->n; i++)
    {
      IpaEngineDb *db = rule->params->db->db[i];

      ipa_engine_set_owner (engine, db->module);
      if (db->db->db_set_rule_active != NULL && db->db->db_set_rule_active (rule->ruleno, 0) != 0)
        ipa_engine_db_failed (engine, db, rule, "db_set_rule_active");
    }
  ipa_engine_set_owner (engine, NULL);
}

/* The first state of a rule: active or not by its worktime, its first
 * record, its limits and thresholds.  Inside a batch. */
void ipa_engine_rule_first_state (IpaEngine *engine, IpaRule *rule);

void
ipa_engine_rule_first_state (IpaEngine *engine, IpaRule *rule)
{
  gboolean active = rule->params->worktime == NULL || rule->params->worktime->active;

  rule->active = active;
  rule->newstat = TRUE;
  if (active)
    ipa_engine_rule_append (engine, rule, engine->now_wall);
  else
    tell_inactive (engine, rule);
  for (guint i = 0; i < rule->n_limits; i++)
    ipa_limit_init (engine, &rule->limits[i]);
  for (guint i = 0; i < rule->n_thresholds; i++)
    ipa_threshold_init (engine, &rule->thresholds[i]);
  ipa_engine_update_entity_activity (engine, rule);
}

gboolean
ipa_engine_start (IpaEngine *engine, IpaConf *conf, IpaModuleSet *modules,
                  IpaEngineSnapshot *snapshot, IpaEngineStartFlags flags, GError **error)
{
  g_return_val_if_fail (!engine->started, FALSE);

  engine->conf = conf;
  engine->modules = modules;
  engine->snapshot = snapshot;
  read_now (engine);

  if (!ipa_engine_build (engine, error))
    {
      ipa_engine_deinit_chain (engine);
      engine_release_config (engine);
      return FALSE;
    }
  ipa_engine_install_hooks (engine);
  if (!ipa_engine_init_chain (engine, error))
    {
      ipa_engine_deinit_chain (engine);
      engine_release_config (engine);
      return FALSE;
    }
  /* The engine has what it needs of the static rules. */
  ipa_conf_drop_rules (conf);

  for (guint i = 0; i < engine->worktimes->len; i++)
    {
      IpaWorktimeState *ws = engine->worktimes->pdata[i];

      ws->active = TRUE;
      worktime_eval (engine, ws);
    }
  engine->started = TRUE;
  for (guint i = 0; i < engine->autorules->len; i++)
    {
      IpaAutorule *a = engine->autorules->pdata[i];

      /* active unless told otherwise. */
      if (a->worktime != NULL && !a->worktime->active)
        {
          a->active = FALSE;
          if (a->ac != NULL && a->ac->ac->ac_set_autorule_active != NULL)
            {
              ipa_engine_set_owner (engine, a->ac->module);
              a->ac->ac->ac_set_autorule_active (a->no, 0);
              ipa_engine_set_owner (engine, NULL);
            }
        }
    }
  ipa_engine_begin_batch (engine);
  for (guint i = 0; i < engine->n_static; i++)
    ipa_engine_rule_first_state (engine, &engine->static_rules[i]);
  ipa_engine_end_batch (engine);
  for (guint i = 0; i < engine->params->len; i++)
    params_next_append (engine, engine->params->pdata[i]);
  engine->next_day = ipa_clock_next_day_start (engine->now_wall);

  if (flags & IPA_ENGINE_START_STARTUP)
    {
      if (engine->root_startup != NULL)
        ipa_engine_run_cmds_sync (engine, &engine->root_startup->cmds, NULL, "startup");
      for (guint i = 0; i < engine->n_static; i++)
        {
          IpaRule *rule = &engine->static_rules[i];

          run_rule_sect (engine, rule, rule->startup, "startup");
          for (guint j = 0; j < rule->n_limits; j++)
            ipa_limit_startup (engine, &rule->limits[j]);
        }
    }
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_STARTED, LOG_INFO, NULL, NULL, NULL, NULL,
                   g_dngettext (GETTEXT_PACKAGE, "accounting started: %u rule",
                                "accounting started: %u rules", engine->n_rules),
                   engine->n_rules);
  return TRUE;
}

void
ipa_engine_stop (IpaEngine *engine, IpaEngineStopFlags flags)
{
  if (!engine->started || engine->stopped)
    return;
  read_now (engine);
  engine->frozen_until = 0;
  round_run (engine, TRUE, FALSE, engine->now_wall);

  if (flags & IPA_ENGINE_STOP_SHUTDOWN)
    {
      for (guint i = 0; i < engine->rules->len; i++)
        {
          IpaRule *rule = engine->rules->pdata[i];

          if (rule == NULL)
            continue;
          run_rule_sect (engine, rule, rule->shutdown, "shutdown");
          for (guint j = 0; j < rule->n_limits; j++)
            ipa_limit_shutdown (engine, &rule->limits[j]);
        }
      if (engine->root_shutdown != NULL)
        ipa_engine_run_cmds_sync (engine, &engine->root_shutdown->cmds, NULL, "shutdown");
    }

  /* Last chance for writes that failed before. */
  ipa_engine_begin_batch (engine);
  for (guint i = 0; i < engine->rules->len; i++)
    {
      IpaRule *rule = engine->rules->pdata[i];

      if (rule == NULL)
        continue;
      ipa_engine_rule_write (engine, rule, engine->now_wall, FALSE);
      for (guint j = 0; j < rule->n_limits; j++)
        if (rule->limits[j].db_pending)
          ipa_engine_resend_limit (engine, &rule->limits[j]);
      for (guint j = 0; j < rule->n_thresholds; j++)
        if (rule->thresholds[j].db_pending)
          ipa_engine_resend_threshold (engine, &rule->thresholds[j]);
    }
  ipa_engine_end_batch (engine);

  ipa_engine_deinit_chain (engine);
  engine->stopped = TRUE;
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_STOPPED, LOG_INFO, NULL, NULL, NULL, NULL,
                   _("accounting stopped"));
  engine_release_config (engine);
}

void
ipa_engine_set_stall_limit (IpaEngine *engine, gint64 usec)
{
  engine->stall_usec = usec;
}

void
ipa_engine_freeze (IpaEngine *engine, gint64 seconds)
{
  read_now (engine);
  engine->frozen_until = seconds > 0 ? engine->now_mono + seconds * G_USEC_PER_SEC : 0;
}

gboolean
ipa_engine_is_frozen (IpaEngine *engine)
{
  return engine->frozen_until != 0
         && ipa_clock_get_monotonic (engine->clock) < engine->frozen_until;
}

/* ---- snapshots ---- */

static char *
snap_key (const char *rule, const char *name)
{
  return g_strconcat (rule, "\x1f", name, NULL);
}

IpaEngineSnapshot *
ipa_engine_take_snapshot (IpaEngine *engine)
{
  IpaEngineSnapshot *s = g_new0 (IpaEngineSnapshot, 1);

  s->limits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->thresholds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < engine->rules->len; i++)
    {
      IpaRule *rule = engine->rules->pdata[i];

      if (rule == NULL)
        continue;
      for (guint j = 0; j < rule->n_limits; j++)
        {
          struct ipa_limit_state *st = g_new0 (struct ipa_limit_state, 1);

          ipa_limit_to_state (&rule->limits[j], st);
          g_hash_table_insert (s->limits, snap_key (rule->name, rule->limits[j].def->name), st);
        }
      for (guint j = 0; j < rule->n_thresholds; j++)
        {
          struct ipa_threshold_state *st = g_new0 (struct ipa_threshold_state, 1);

          ipa_threshold_to_state (&rule->thresholds[j], st);
          g_hash_table_insert (s->thresholds,
                               snap_key (rule->name, rule->thresholds[j].def->name), st);
        }
    }
  return s;
}

void
ipa_engine_snapshot_free (IpaEngineSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_hash_table_unref (snapshot->limits);
  g_hash_table_unref (snapshot->thresholds);
  g_free (snapshot);
}

const struct ipa_limit_state *
ipa_engine_snapshot_limit (IpaEngine *engine, const IpaLimit *limit)
{
  g_autofree char *key = NULL;

  if (engine->snapshot == NULL)
    return NULL;
  key = snap_key (limit->rule->name, limit->def->name);
  return g_hash_table_lookup (engine->snapshot->limits, key);
}

const struct ipa_threshold_state *
ipa_engine_snapshot_threshold (IpaEngine *engine, const IpaThreshold *threshold)
{
  g_autofree char *key = NULL;

  if (engine->snapshot == NULL)
    return NULL;
  key = snap_key (threshold->rule->name, threshold->def->name);
  return g_hash_table_lookup (engine->snapshot->thresholds, key);
}
