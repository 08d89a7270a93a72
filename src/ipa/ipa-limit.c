/*
 * ipa-limit.c: the life of a limit and its sublimits.  The rules followed
 * are those of the comment at the top of ipa-limit.h; the points it leaves
 * open are settled here:
 *
 *  - A new start (fresh, restart, expire) clears every date but START and
 *    the scheduled RESTART; the *_EXEC date of the restart or expire that
 *    caused it is recorded in the new state when its commands are done.
 *  - *_EXEC dates exist only for sections that have commands.  A done
 *    callback arriving after the state it belongs to has ended (reach
 *    commands still running when the limit expires) records nothing.
 *  - Within one check the reach comes first (the round's chunk belongs to
 *    the period it was counted in), then sublimit expiries, then the
 *    parent's expire or restart; a new start is checked for reach again
 *    (a limit of 0 is reached at once).
 *  - Before a new start the old state gets its final counter; when a
 *    restart comes at another time than scheduled (ipactl, a clock jump, an
 *    inactive period) the old state gets the real restart date too.
 *  - A restored state (database or snapshot) is reached when its REACH date
 *    is set.  Sublimits whose value its counter has passed count as reached
 *    without running their commands again; their own expire point is
 *    counted from the start of this process, as their reach date is not
 *    stored.
 *  - ipactl set writes the whole state at once (db_set_limit_state, not a
 *    new record) and does not check for reach: the next round does.
 *  - ipa_limit_init leaves the limit active (the engine deactivates it
 *    afterwards when its worktime says so, telling the modules); when the
 *    worktimes say it is inactive, its state is loaded but past dates are
 *    acted on only when it becomes active.
 *  - ipa_limit_resend clears db_pending and writes the whole state; the
 *    databases that fail again set their bit again.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <syslog.h>

#include "ipa-limit.h"
#include "ipa-conf-value.h"

#define EV_BIT(ev) (1U << (ev))

/* ---------------------------------------------------------------------
 * Small helpers: dates, amounts, messages
 */

static gboolean
has_date (const IpaLimit *limit, guint ev)
{
  return (limit->date_set & EV_BIT (ev)) != 0;
}

static void
set_date (IpaLimit *limit, guint ev, gint64 wall)
{
  limit->dates[ev] = wall;
  limit->date_set |= EV_BIT (ev);
}

static void
clear_date (IpaLimit *limit, guint ev)
{
  limit->dates[ev] = 0;
  limit->date_set &= ~EV_BIT (ev);
}

/* @point applied to @base in local time.  A point always lies after its
 * base (the parser rejects zero durations); should the calendar overflow,
 * the date is still kept after the base so that nothing can loop. */
static gint64
point_after (const IpaTimePoint *point, gint64 base)
{
  struct tm tm;
  gint64 result;

  ipa_clock_local (base, &tm);
  ipa_time_point_apply (point, &tm, &tm);
  result = ipa_clock_from_local (&tm);
  return result > base ? result : base + 1;
}

static guint64
sat_add (guint64 a, guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

static guint64
sat_sub (guint64 a, guint64 b)
{
  return a > b ? a - b : 0;
}

static char *
format_amount (guint64 value, guint64 kind)
{
  GString *s = g_string_new (NULL);

  ipa_conf_format_value (s, value, (unsigned int) kind);
  return g_string_free (s, FALSE);
}

/* Local date for debug messages. */
static const char *
format_date (gint64 wall, char buf[32])
{
  struct tm tm;

  ipa_clock_local (wall, &tm);
  if (strftime (buf, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
    g_strlcpy (buf, "?", 32);
  return buf;
}

static const char *
rule_name (const IpaLimit *limit)
{
  return limit->rule != NULL ? limit->rule->name : "?";
}

static void G_GNUC_PRINTF (3, 4)
debug_msg (IpaEngine *engine, const IpaLimit *limit, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_MESSAGE, LOG_DEBUG, limit->rule, limit,
                   NULL, NULL, "limit %s/%s: %s", rule_name (limit), limit->def->name, msg);
}

static guint64
sublimit_value (const IpaLimit *limit, const IpaSublimitDef *sub)
{
  guint64 per_cent;

  if (!sub->per_cent)
    return sub->value;
  /* lim * p / 100 without overflow */
  per_cent = MIN (sub->value, 100);
  return limit->lim / 100 * per_cent + limit->lim % 100 * per_cent / 100;
}

static void
run_cmds (IpaEngine *engine, IpaLimit *limit, const char *sublimit,
          const IpaCmdList *cmds, const char *event, gboolean sync,
          IpaEngineExecDone done)
{
  if (cmds->n == 0)
    return;
  if (limit->def->debug_limit >= 1)
    debug_msg (engine, limit, "%s%s%s%s: running %u command(s)%s",
               sublimit != NULL ? "sublimit " : "", sublimit != NULL ? sublimit : "",
               sublimit != NULL ? " " : "", event, cmds->n, sync ? " synchronously" : "");
  ipa_engine_run_limit_cmds (engine, limit, sublimit, cmds, event, sync, done);
}

/* ---------------------------------------------------------------------
 * Expire dates of reached sublimits that have an expire point.  Few limits
 * have them, so they live in this table rather than in every IpaLimit
 * (the engine holds 100,000 limits in a few hundred bytes each).
 */

static GHashTable *sub_dates_table; /* IpaLimit* → gint64[n_sublimits] */

static gint64 *
sub_dates_get (const IpaLimit *limit)
{
  if (sub_dates_table == NULL)
    return NULL;
  return g_hash_table_lookup (sub_dates_table, limit);
}

static gint64 *
sub_dates_ensure (IpaLimit *limit)
{
  gint64 *dates = sub_dates_get (limit);

  if (dates != NULL)
    return dates;
  if (sub_dates_table == NULL)
    sub_dates_table = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  dates = g_new (gint64, limit->def->n_sublimits);
  for (guint i = 0; i < limit->def->n_sublimits; i++)
    dates[i] = G_MAXINT64;
  g_hash_table_insert (sub_dates_table, limit, dates);
  return dates;
}

static void
sub_dates_drop (IpaLimit *limit)
{
  if (sub_dates_table == NULL)
    return;
  g_hash_table_remove (sub_dates_table, limit);
  if (g_hash_table_size (sub_dates_table) == 0)
    g_clear_pointer (&sub_dates_table, g_hash_table_unref);
}

/* ---------------------------------------------------------------------
 * Database writes
 */

/* The whole state: a new record while the registration of the current
 * start has not reached every database, else an overwrite. */
static void
write_state (IpaEngine *engine, IpaLimit *limit)
{
  set_date (limit, IPA_LIMIT_EVENT_UPDATED, ipa_engine_now_wall (engine));
  ipa_engine_db_set_limit_state (engine, limit, limit->state_new);
  limit->dirty = 0;
  /* A failed write leaves its bit in db_pending; the resend repeats it. */
  if (limit->db_pending == 0)
    limit->state_new = 0;
}

static void
write_event (IpaEngine *engine, IpaLimit *limit, guint ev, gint64 wall)
{
  set_date (limit, IPA_LIMIT_EVENT_UPDATED, ipa_engine_now_wall (engine));
  ipa_engine_db_limit_event (engine, limit, ev, wall);
}

static void
write_counter (IpaEngine *engine, IpaLimit *limit)
{
  if (!limit->dirty)
    return;
  set_date (limit, IPA_LIMIT_EVENT_UPDATED, ipa_engine_now_wall (engine));
  ipa_engine_db_update_limit (engine, limit);
  limit->dirty = 0;
}

/* ---------------------------------------------------------------------
 * Command completion
 */

static void
record_exec (IpaEngine *engine, IpaLimit *limit, guint ev, gint64 done_wall)
{
  set_date (limit, ev, done_wall);
  write_event (engine, limit, ev, done_wall);
}

static void
reach_done (IpaEngine *engine, gpointer object, gint64 done_wall, guint n_failed)
{
  IpaLimit *limit = object;

  /* Expired or restarted while the commands ran: not this state's. */
  if (limit->reached)
    record_exec (engine, limit, IPA_LIMIT_EVENT_REACH_EXEC, done_wall);
}

static void
expire_done (IpaEngine *engine, gpointer object, gint64 done_wall, guint n_failed)
{
  IpaLimit *limit = object;

  /* Reached again before the commands finished: the date would be read
   * as the expiry of the new reach. */
  if (!limit->reached)
    record_exec (engine, limit, IPA_LIMIT_EVENT_EXPIRE_EXEC, done_wall);
}

static void
restart_done (IpaEngine *engine, gpointer object, gint64 done_wall, guint n_failed)
{
  record_exec (engine, object, IPA_LIMIT_EVENT_RESTART_EXEC, done_wall);
}

/* ---------------------------------------------------------------------
 * Sublimits
 */

static void
sublimit_reach (IpaEngine *engine, IpaLimit *limit, guint i, gint64 now)
{
  const IpaSublimitDef *sub = &limit->def->sublimits[i];
  g_autofree char *cnt = format_amount (limit->cnt, limit->def->kind);
  g_autofree char *value = format_amount (sublimit_value (limit, sub), limit->def->kind);

  limit->sub_reached |= 1U << i;
  if (sub->has_expire_point)
    {
      gint64 *dates = sub_dates_ensure (limit);
      char buf[32];

      dates[i] = point_after (&sub->expire_point, now);
      if (limit->def->debug_limit >= 1)
        debug_msg (engine, limit, "sublimit %s expires at %s", sub->name,
                   format_date (dates[i], buf));
    }
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_SUBLIMIT_REACHED, LOG_INFO, limit->rule, limit,
                   NULL, sub->name, _("sublimit %s of limit %s/%s reached: %s of %s"),
                   sub->name, rule_name (limit), limit->def->name, cnt, value);
  run_cmds (engine, limit, sub->name, &sub->reach, "reach", FALSE, NULL);
}

static void
sublimit_expire (IpaEngine *engine, IpaLimit *limit, guint i)
{
  const IpaSublimitDef *sub = &limit->def->sublimits[i];
  gint64 *dates = sub_dates_get (limit);

  limit->sub_expired |= 1U << i;
  if (dates != NULL)
    dates[i] = G_MAXINT64;
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED, LOG_INFO, limit->rule, limit,
                   NULL, sub->name, _("sublimit %s of limit %s/%s expired"),
                   sub->name, rule_name (limit), limit->def->name);
  run_cmds (engine, limit, sub->name, &sub->expire, "expire", FALSE, NULL);
}

/* The parent restarts or expires: every reached sublimit that has not
 * expired yet expires now. */
static void
sublimits_expire_all (IpaEngine *engine, IpaLimit *limit)
{
  for (guint i = 0; i < limit->def->n_sublimits; i++)
    if ((limit->sub_reached & ~limit->sub_expired) & (1U << i))
      sublimit_expire (engine, limit, i);
}

static void
sublimits_expire_due (IpaEngine *engine, IpaLimit *limit, gint64 now)
{
  gint64 *dates = sub_dates_get (limit);

  if (dates == NULL)
    return;
  for (guint i = 0; i < limit->def->n_sublimits; i++)
    if ((limit->sub_reached & ~limit->sub_expired) & (1U << i) && dates[i] <= now)
      sublimit_expire (engine, limit, i);
}

/* ---------------------------------------------------------------------
 * Start, reach, restart, expire
 */

static void
start_new (IpaEngine *engine, IpaLimit *limit, gint64 now)
{
  const IpaLimitDef *def = limit->def;

  limit->cnt = 0;
  limit->reached = 0;
  limit->sub_reached = limit->sub_expired = 0;
  sub_dates_drop (limit);
  limit->date_set = 0;
  memset (limit->dates, 0, sizeof limit->dates);
  set_date (limit, IPA_LIMIT_EVENT_START, now);
  if (def->has_restart_point)
    set_date (limit, IPA_LIMIT_EVENT_RESTART, point_after (&def->restart_point, now));
  limit->state_new = 1;
  write_state (engine, limit);
  if (def->debug_limit >= 1 || def->debug_limit_init >= 1)
    {
      char buf[32];

      if (has_date (limit, IPA_LIMIT_EVENT_RESTART))
        debug_msg (engine, limit, "started, restart at %s",
                   format_date (limit->dates[IPA_LIMIT_EVENT_RESTART], buf));
      else
        debug_msg (engine, limit, "started, no restart point");
    }
}

/* The old state ends at @now: it gets its final counter, and the real
 * restart date when the restart was not on schedule. */
static void
finish_state (IpaEngine *engine, IpaLimit *limit, gint64 now, gboolean restart)
{
  if (restart && (!has_date (limit, IPA_LIMIT_EVENT_RESTART)
                  || limit->dates[IPA_LIMIT_EVENT_RESTART] != now))
    {
      set_date (limit, IPA_LIMIT_EVENT_RESTART, now);
      write_state (engine, limit);
    }
  else
    write_counter (engine, limit);
}

static void
limit_reach (IpaEngine *engine, IpaLimit *limit, gint64 now)
{
  const IpaLimitDef *def = limit->def;
  g_autofree char *cnt = format_amount (limit->cnt, def->kind);
  g_autofree char *lim = format_amount (limit->lim, def->kind);

  limit->reached = 1;
  set_date (limit, IPA_LIMIT_EVENT_REACH, now);
  clear_date (limit, IPA_LIMIT_EVENT_REACH_EXEC);
  write_event (engine, limit, IPA_LIMIT_EVENT_REACH, now);
  if (def->has_expire_point)
    {
      set_date (limit, IPA_LIMIT_EVENT_EXPIRE, point_after (&def->expire_point, now));
      write_event (engine, limit, IPA_LIMIT_EVENT_EXPIRE, limit->dates[IPA_LIMIT_EVENT_EXPIRE]);
    }
  else
    clear_date (limit, IPA_LIMIT_EVENT_EXPIRE);
  if (def->debug_limit >= 1)
    {
      char buf[32];

      if (def->has_expire_point)
        debug_msg (engine, limit, "reached (%s >= %s), expires at %s", cnt, lim,
                   format_date (limit->dates[IPA_LIMIT_EVENT_EXPIRE], buf));
      else
        debug_msg (engine, limit, "reached (%s >= %s), no expire point: stays reached",
                   cnt, lim);
    }
  ipa_engine_ac_limit_event (engine, limit, IPA_LIMIT_EVENT_REACH);
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_LIMIT_REACHED, LOG_NOTICE, limit->rule, limit,
                   NULL, NULL, _("limit %s/%s reached: %s of %s"),
                   rule_name (limit), def->name, cnt, lim);
  run_cmds (engine, limit, NULL, &def->reach, "reach", FALSE, reach_done);
}

static void
check_reach (IpaEngine *engine, IpaLimit *limit, gint64 now)
{
  const IpaLimitDef *def = limit->def;

  for (guint i = 0; i < def->n_sublimits; i++)
    if (!(limit->sub_reached & (1U << i))
        && limit->cnt >= sublimit_value (limit, &def->sublimits[i]))
      sublimit_reach (engine, limit, i, now);
  if (!limit->reached && limit->cnt >= limit->lim)
    limit_reach (engine, limit, now);
}

static void
limit_restart (IpaEngine *engine, IpaLimit *limit, gint64 now)
{
  const IpaLimitDef *def = limit->def;

  sublimits_expire_all (engine, limit);
  finish_state (engine, limit, now, TRUE);
  ipa_engine_ac_limit_event (engine, limit, IPA_LIMIT_EVENT_RESTART);
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_LIMIT_RESTARTED, LOG_INFO, limit->rule, limit,
                   NULL, NULL, _("limit %s/%s restarted"), rule_name (limit), def->name);
  start_new (engine, limit, now);
  run_cmds (engine, limit, NULL, &def->restart, "restart", FALSE, restart_done);
}

static void
limit_expire (IpaEngine *engine, IpaLimit *limit, gint64 now)
{
  const IpaLimitDef *def = limit->def;

  sublimits_expire_all (engine, limit);
  finish_state (engine, limit, now, FALSE);
  set_date (limit, IPA_LIMIT_EVENT_EXPIRE, now);
  write_event (engine, limit, IPA_LIMIT_EVENT_EXPIRE, now);
  ipa_engine_ac_limit_event (engine, limit, IPA_LIMIT_EVENT_EXPIRE);
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_LIMIT_EXPIRED, LOG_INFO, limit->rule, limit,
                   NULL, NULL, _("limit %s/%s expired"), rule_name (limit), def->name);
  /* A new start without the restart commands; the expire commands are
   * queued after it so that their EXPIRE_EXEC lands in the new state. */
  start_new (engine, limit, now);
  run_cmds (engine, limit, NULL, &def->expire, "expire", FALSE, expire_done);
}

/* ---------------------------------------------------------------------
 * The round
 */

/* A reached limit waits for its expire date, one not reached for its
 * restart date. */
static gboolean
expire_due (const IpaLimit *limit, gint64 now)
{
  return limit->reached && has_date (limit, IPA_LIMIT_EVENT_EXPIRE)
         && limit->dates[IPA_LIMIT_EVENT_EXPIRE] <= now;
}

static gboolean
restart_due (const IpaLimit *limit, gint64 now)
{
  return !limit->reached && has_date (limit, IPA_LIMIT_EVENT_RESTART)
         && limit->dates[IPA_LIMIT_EVENT_RESTART] <= now;
}

void
ipa_limit_add (IpaEngine *engine, IpaLimit *limit, gboolean addition, guint64 chunk)
{
  guint64 old = limit->cnt;

  if (!limit->active || chunk == 0)
    return;
  limit->cnt = addition ? sat_add (old, chunk) : sat_sub (old, chunk);
  if (limit->cnt != old)
    limit->dirty = 1;
  if (limit->def->debug_limit >= 2)
    debug_msg (engine, limit, "%c%" G_GUINT64_FORMAT ", counter %" G_GUINT64_FORMAT,
               addition ? '+' : '-', chunk, limit->cnt);
}

void
ipa_limit_check (IpaEngine *engine, IpaLimit *limit)
{
  gint64 now;

  if (!limit->active)
    return;
  now = ipa_engine_now_wall (engine);
  check_reach (engine, limit, now);
  sublimits_expire_due (engine, limit, now);
  if (expire_due (limit, now))
    {
      limit_expire (engine, limit, now);
      check_reach (engine, limit, now);
    }
  else if (restart_due (limit, now))
    {
      limit_restart (engine, limit, now);
      check_reach (engine, limit, now);
    }
  write_counter (engine, limit);
}

gint64
ipa_limit_next_event (const IpaLimit *limit)
{
  gint64 next = G_MAXINT64;
  const gint64 *dates;

  if (!limit->active)
    return G_MAXINT64;
  if (limit->reached)
    {
      if (has_date (limit, IPA_LIMIT_EVENT_EXPIRE))
        next = limit->dates[IPA_LIMIT_EVENT_EXPIRE];
    }
  else if (has_date (limit, IPA_LIMIT_EVENT_RESTART))
    next = limit->dates[IPA_LIMIT_EVENT_RESTART];
  dates = sub_dates_get (limit);
  if (dates != NULL)
    for (guint i = 0; i < limit->def->n_sublimits; i++)
      if ((limit->sub_reached & ~limit->sub_expired) & (1U << i))
        next = MIN (next, dates[i]);
  return next;
}

void
ipa_limit_set_active (IpaEngine *engine, IpaLimit *limit, gboolean active)
{
  active = active != FALSE;
  if (limit->active == (guint) active)
    return;
  limit->active = active;
  if (limit->def->debug_limit >= 1)
    debug_msg (engine, limit, "%s", active ? "active" : "inactive");
  if (active)
    ipa_limit_check (engine, limit);
  else
    write_counter (engine, limit);
}

/* ---------------------------------------------------------------------
 * Start of the engine
 */

/* What the worktimes say now (the rule's and the limit's own). */
static gboolean
worktime_active (const IpaLimit *limit)
{
  const IpaWorktimeState *rule_ws = NULL;

  if (limit->rule != NULL && limit->rule->params != NULL)
    rule_ws = limit->rule->params->worktime;
  return (rule_ws == NULL || rule_ws->active)
         && (limit->def->worktime == NULL || limit->def->worktime->active);
}

/* Adopts @state and applies the startup rules to it; returns TRUE when
 * the adopted state differs from what was stored. */
static gboolean
restore (IpaEngine *engine, IpaLimit *limit, const struct ipa_limit_state *state, gint64 now)
{
  const IpaLimitDef *def = limit->def;
  gboolean debug = def->debug_limit_init >= 1;
  gboolean changed = FALSE;
  char buf[32], buf2[32];

  limit->cnt = state->cnt;
  limit->date_set = 0;
  for (guint i = 0; i < IPA_LIMIT_EVENT_NUM; i++)
    if (state->event_date_set & EV_BIT (i))
      set_date (limit, i, ipa_engine_wall_from_tm (&state->event_date[i]));
  if (!has_date (limit, IPA_LIMIT_EVENT_START))
    {
      set_date (limit, IPA_LIMIT_EVENT_START, now);
      changed = TRUE;
    }
  limit->reached = has_date (limit, IPA_LIMIT_EVENT_REACH);

  limit->lim = def->lim;
  if (state->lim != def->lim)
    {
      if (debug)
        debug_msg (engine, limit, "limit changed from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                   state->lim, def->lim);
      changed = TRUE;
    }

  if (!limit->reached)
    {
      /* Recomputed from the current restart point. */
      if (def->has_restart_point)
        {
          gint64 restart = point_after (&def->restart_point, limit->dates[IPA_LIMIT_EVENT_START]);

          if (!has_date (limit, IPA_LIMIT_EVENT_RESTART)
              || limit->dates[IPA_LIMIT_EVENT_RESTART] != restart)
            {
              set_date (limit, IPA_LIMIT_EVENT_RESTART, restart);
              changed = TRUE;
            }
        }
      else if (has_date (limit, IPA_LIMIT_EVENT_RESTART))
        {
          clear_date (limit, IPA_LIMIT_EVENT_RESTART);
          changed = TRUE;
        }
    }
  else if (!has_date (limit, IPA_LIMIT_EVENT_EXPIRE)
           || limit->dates[IPA_LIMIT_EVENT_EXPIRE] > now)
    {
      /* A stored expire date already past stands; otherwise recomputed
       * from the current expire point. */
      if (def->has_expire_point)
        {
          gint64 expire = point_after (&def->expire_point, limit->dates[IPA_LIMIT_EVENT_REACH]);

          if (!has_date (limit, IPA_LIMIT_EVENT_EXPIRE)
              || limit->dates[IPA_LIMIT_EVENT_EXPIRE] != expire)
            {
              set_date (limit, IPA_LIMIT_EVENT_EXPIRE, expire);
              changed = TRUE;
            }
        }
      else if (has_date (limit, IPA_LIMIT_EVENT_EXPIRE))
        {
          clear_date (limit, IPA_LIMIT_EVENT_EXPIRE);
          changed = TRUE;
        }
    }

  /* Sublimits already passed: their reach commands ran before. */
  for (guint i = 0; i < def->n_sublimits; i++)
    if (limit->cnt >= sublimit_value (limit, &def->sublimits[i]))
      {
        limit->sub_reached |= 1U << i;
        if (def->sublimits[i].has_expire_point)
          sub_dates_ensure (limit)[i] = point_after (&def->sublimits[i].expire_point, now);
      }

  if (debug)
    {
      g_autofree char *cnt = format_amount (limit->cnt, def->kind);

      if (limit->reached)
        debug_msg (engine, limit, "loaded: counter %s, reached at %s%s%s", cnt,
                   format_date (limit->dates[IPA_LIMIT_EVENT_REACH], buf),
                   has_date (limit, IPA_LIMIT_EVENT_EXPIRE) ? ", expire " : ", no expire",
                   has_date (limit, IPA_LIMIT_EVENT_EXPIRE)
                     ? format_date (limit->dates[IPA_LIMIT_EVENT_EXPIRE], buf2) : "");
      else
        debug_msg (engine, limit, "loaded: counter %s, not reached%s%s", cnt,
                   has_date (limit, IPA_LIMIT_EVENT_RESTART) ? ", restart " : ", no restart",
                   has_date (limit, IPA_LIMIT_EVENT_RESTART)
                     ? format_date (limit->dates[IPA_LIMIT_EVENT_RESTART], buf) : "");
    }
  return changed;
}

void
ipa_limit_init (IpaEngine *engine, IpaLimit *limit)
{
  const IpaLimitDef *def = limit->def;
  struct ipa_limit_state state;
  const struct ipa_limit_state *snapshot = NULL;
  gboolean from_db = FALSE;
  gint64 now = ipa_engine_now_wall (engine);

  limit->lim = def->lim;
  limit->cnt = 0;
  limit->reached = limit->dirty = limit->state_new = 0;
  limit->sub_reached = limit->sub_expired = 0;
  /* Entities start active; the engine then calls ipa_limit_set_active
   * (FALSE) for those its worktimes say are not, telling the modules. */
  limit->active = 1;

  memset (&state, 0, sizeof state);
  if (def->load_limit)
    from_db = ipa_engine_db_get_limit_state (engine, limit, &state);
  if (!from_db)
    snapshot = ipa_engine_snapshot_limit (engine, limit);
  if (!from_db && snapshot == NULL)
    {
      if (def->debug_limit_init >= 1)
        debug_msg (engine, limit, "no stored state%s",
                   def->load_limit ? "" : " loaded (load_limit no)");
      start_new (engine, limit, now);
      return;
    }
  if (def->debug_limit_init >= 1)
    debug_msg (engine, limit, "state from the %s", from_db ? "database" : "previous configuration");

  if (restore (engine, limit, from_db ? &state : snapshot, now) || !from_db)
    {
      /* The databases do not hold this state yet (snapshot) or hold an
       * older form of it. */
      limit->state_new = !from_db;
      write_state (engine, limit);
    }

  /* Past dates of a limit outside its worktime wait for its activation. */
  if (!worktime_active (limit))
    {
      if (def->debug_limit_init >= 1)
        debug_msg (engine, limit, "outside its worktime: past dates wait for its activation");
      return;
    }
  if (expire_due (limit, now))
    limit_expire (engine, limit, now);
  else if (restart_due (limit, now))
    limit_restart (engine, limit, now);
}

static void
run_section (IpaEngine *engine, IpaLimit *limit, const IpaCmdSect *sect, const char *event)
{
  g_autofree char *sub_event = g_strconcat (event, limit->reached ? " if_reached"
                                                                  : " if_not_reached", NULL);

  run_cmds (engine, limit, NULL, &sect->cmds, event, TRUE, NULL);
  run_cmds (engine, limit, NULL, limit->reached ? &sect->if_reached : &sect->if_not_reached,
            sub_event, TRUE, NULL);
}

void
ipa_limit_startup (IpaEngine *engine, IpaLimit *limit)
{
  ipa_engine_ac_limit_event (engine, limit,
                             limit->reached ? IPA_LIMIT_EVENT_STARTUP_IF_REACHED
                                            : IPA_LIMIT_EVENT_STARTUP_IF_NOT_REACHED);
  run_section (engine, limit, &limit->def->startup, "startup");
}

void
ipa_limit_shutdown (IpaEngine *engine, IpaLimit *limit)
{
  ipa_engine_ac_limit_event (engine, limit,
                             limit->reached ? IPA_LIMIT_EVENT_SHUTDOWN_IF_REACHED
                                            : IPA_LIMIT_EVENT_SHUTDOWN_IF_NOT_REACHED);
  run_section (engine, limit, &limit->def->shutdown, "shutdown");
}

void
ipa_limit_resend (IpaEngine *engine, IpaLimit *limit)
{
  if (limit->def->debug_limit >= 1)
    debug_msg (engine, limit, "sending the whole state again%s",
               limit->state_new ? " as a new state" : "");
  /* The bits are ours from here: the write sets again those that fail. */
  limit->db_pending = 0;
  write_state (engine, limit);
}

/* ---------------------------------------------------------------------
 * Control
 */

gboolean
ipa_limit_restart_now (IpaEngine *engine, IpaLimit *limit, GError **error)
{
  if (limit->def->debug_limit >= 1)
    debug_msg (engine, limit, "restart requested");
  limit_restart (engine, limit, ipa_engine_now_wall (engine));
  return TRUE;
}

gboolean
ipa_limit_expire_now (IpaEngine *engine, IpaLimit *limit, GError **error)
{
  if (!limit->reached)
    {
      g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_STATE,
                   _("limit %s/%s is not reached, it cannot expire"),
                   rule_name (limit), limit->def->name);
      return FALSE;
    }
  if (limit->def->debug_limit >= 1)
    debug_msg (engine, limit, "expire requested");
  limit_expire (engine, limit, ipa_engine_now_wall (engine));
  return TRUE;
}

gboolean
ipa_limit_set_value (IpaEngine *engine, IpaLimit *limit, gboolean counter,
                     IpaEngineSetOp op, guint64 value, GError **error)
{
  guint64 *target = counter ? &limit->cnt : &limit->lim;
  guint64 old = *target;
  g_autofree char *old_text = NULL;
  g_autofree char *new_text = NULL;

  switch (op)
    {
    case IPA_ENGINE_SET_ASSIGN:
      *target = value;
      break;
    case IPA_ENGINE_SET_ADD:
      *target = sat_add (old, value);
      break;
    case IPA_ENGINE_SET_SUBTRACT:
      *target = sat_sub (old, value);
      break;
    default:
      g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INVALID,
                   _("limit %s/%s: unknown operation %d"), rule_name (limit),
                   limit->def->name, (int) op);
      return FALSE;
    }
  write_state (engine, limit);
  old_text = format_amount (old, limit->def->kind);
  new_text = format_amount (*target, limit->def->kind);
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_COUNTER_CHANGED, LOG_INFO, limit->rule, limit,
                   NULL, NULL,
                   counter ? _("limit %s/%s: counter changed from %s to %s")
                           : _("limit %s/%s: limit changed from %s to %s"),
                   rule_name (limit), limit->def->name, old_text, new_text);
  return TRUE;
}

/* ---------------------------------------------------------------------
 * State
 */

void
ipa_limit_to_state (const IpaLimit *limit, struct ipa_limit_state *state)
{
  memset (state, 0, sizeof *state);
  state->lim = limit->lim;
  state->cnt = limit->cnt;
  for (guint i = 0; i < IPA_LIMIT_EVENT_NUM; i++)
    if (has_date (limit, i))
      {
        state->event_date_set |= EV_BIT (i);
        ipa_engine_tm_from_wall (limit->dates[i], &state->event_date[i]);
      }
}

void
ipa_limit_clear (IpaLimit *limit)
{
  sub_dates_drop (limit);
}
