/*
 * ipa-threshold.c: a sliding window of a rule's traffic compared with a
 * value.  The rules followed are those of the comment at the top of
 * ipa-threshold.h; the points it leaves open are settled here:
 *
 *  - The window is a ring of slices; the current slice ends at slice_end
 *    (monotonic).  When width / slice exceeds what cur_slice can index
 *    (65535 slices), the slice is widened to the smallest multiple of
 *    threshold_time_slice that divides the width and fits.
 *  - A negative chunk is taken from the newest slices first, so that the
 *    counter is always the sum of the slices.
 *  - threshold_balance N: the commands run on entry into a position, then
 *    on the (N+1)-th, (2N+1)-th, … consecutive check in it ("-": entry
 *    only).  0 is read as "-".
 *  - The database gets db_update_threshold when the counter changed (a
 *    chunk, a slice leaving the window, a set): tm_updated in the database
 *    is then the time of the last change, which is what the restore needs
 *    to place the stored counter in its slice.
 *  - A restored state goes into the slice holding tm_updated (its age in
 *    whole slices); a state from the future (the clock went back) counts
 *    as from now.  The reload snapshot is used when the databases have
 *    no state, under the same age and value rules.
 *  - ipa_threshold_init leaves the threshold active (the engine
 *    deactivates it afterwards when its worktime says so); outside its
 *    worktime it restores nothing, since its window is cleared when it
 *    becomes active.
 *  - ipa_threshold_resend clears db_pending and writes the whole state;
 *    the databases that fail again set their bit again.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <syslog.h>

#include "ipa-threshold.h"
#include "ipa-conf-value.h"

#define MAX_SLICES G_MAXUINT16

static guint64
sat_add (guint64 a, guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

static const char *
rule_name (const IpaThreshold *threshold)
{
  return threshold->rule != NULL ? threshold->rule->name : "?";
}

static char *
format_amount (guint64 value, guint64 kind)
{
  GString *s = g_string_new (NULL);

  ipa_conf_format_value (s, value, (unsigned int) kind);
  return g_string_free (s, FALSE);
}

static void G_GNUC_PRINTF (3, 4)
debug_msg (IpaEngine *engine, const IpaThreshold *threshold, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_MESSAGE, LOG_DEBUG, threshold->rule, NULL,
                   threshold, NULL, "threshold %s/%s: %s", rule_name (threshold),
                   threshold->def->name, msg);
}

/* Number of slices and the length of one (µs). */
static guint
geometry (const IpaThresholdDef *def, gint64 *slice_us)
{
  guint64 width = MAX (def->time_width, 1);
  guint64 slice = def->time_slice;
  guint64 n;

  /* The configuration guarantees 0 < slice <= width and slice | width. */
  if (slice == 0 || slice > width || width % slice != 0)
    slice = width;
  n = width / slice;
  if (n > MAX_SLICES)
    {
      guint64 k = (n + MAX_SLICES - 1) / MAX_SLICES;

      while (n % k != 0)
        k++;
      slice *= k;
      n /= k;
    }
  *slice_us = (gint64) slice * G_USEC_PER_SEC;
  return (guint) n;
}

static guint64
slices_sum (const IpaThreshold *threshold, guint n)
{
  guint64 sum = 0;

  for (guint i = 0; i < n; i++)
    sum = sat_add (sum, threshold->slices[i]);
  return sum;
}

/* An empty window starting at @now_mono / @now_wall. */
static void
window_reset (IpaThreshold *threshold, gint64 now_mono, gint64 now_wall)
{
  gint64 slice_us;
  guint n = geometry (threshold->def, &slice_us);

  memset (threshold->slices, 0, n * sizeof *threshold->slices);
  if (threshold->cnt != 0)
    threshold->dirty = 1;
  threshold->cnt = 0;
  threshold->cur_slice = 0;
  threshold->slice_end = now_mono + slice_us;
  threshold->filled_at = now_mono + (gint64) n * slice_us;
  threshold->position = -1;
  threshold->same_checks = 0;
  threshold->tm_from = threshold->tm_updated = now_wall;
}

/* Slides the window so that its current slice holds @now_mono. */
static void
window_advance (IpaThreshold *threshold, gint64 now_mono)
{
  gint64 slice_us;
  guint n;
  gint64 steps;
  guint64 old = threshold->cnt;

  if (now_mono < threshold->slice_end)
    return;
  n = geometry (threshold->def, &slice_us);
  steps = (now_mono - threshold->slice_end) / slice_us + 1;
  if (steps >= (gint64) n)
    {
      memset (threshold->slices, 0, n * sizeof *threshold->slices);
      threshold->cnt = 0;
      threshold->cur_slice = (guint16) ((threshold->cur_slice + steps) % n);
    }
  else
    {
      for (gint64 i = 0; i < steps; i++)
        {
          guint cur = (threshold->cur_slice + 1u) % n;

          threshold->cnt = threshold->cnt >= threshold->slices[cur]
                             ? threshold->cnt - threshold->slices[cur] : 0;
          threshold->slices[cur] = 0;
          threshold->cur_slice = (guint16) cur;
        }
      /* A saturated sum says nothing about what is left. */
      if (old == G_MAXUINT64)
        threshold->cnt = slices_sum (threshold, n);
    }
  threshold->slice_end += steps * slice_us;
  if (threshold->cnt != old)
    threshold->dirty = 1;
}

static void
window_add (IpaThreshold *threshold, gboolean addition, guint64 chunk)
{
  gint64 slice_us;
  guint n = geometry (threshold->def, &slice_us);
  guint i = threshold->cur_slice;

  if (chunk == 0)
    return;
  if (addition)
    {
      threshold->slices[i] = sat_add (threshold->slices[i], chunk);
      threshold->cnt = sat_add (threshold->cnt, chunk);
      threshold->dirty = 1;
      return;
    }
  /* Newest slices first; never below 0. */
  for (guint k = 0; k < n && chunk > 0; k++)
    {
      guint64 take = MIN (threshold->slices[i], chunk);

      if (take > 0)
        {
          threshold->slices[i] -= take;
          chunk -= take;
          threshold->dirty = 1;
        }
      i = (i + n - 1) % n;
    }
  threshold->cnt = slices_sum (threshold, n);
}

/* tm_from: the start of what the window covers. */
static void
update_times (IpaThreshold *threshold, gint64 now_mono, gint64 now_wall)
{
  guint64 covered = threshold->def->time_width;

  if (threshold->filled_at != 0 && now_mono < threshold->filled_at)
    {
      gint64 start = threshold->filled_at - (gint64) threshold->def->time_width * G_USEC_PER_SEC;

      covered = (guint64) MAX (now_mono - start, 0) / G_USEC_PER_SEC;
    }
  threshold->tm_from = now_wall - (gint64) MIN (covered, (guint64) G_MAXINT32);
  threshold->tm_updated = now_wall;
}

static int
position_of (const IpaThreshold *threshold)
{
  const IpaThresholdDef *def = threshold->def;
  guint64 dev = def->deviation;

  if (def->dev_per_cent)
    {
      guint64 p = MIN (def->deviation, 100);

      dev = threshold->thr / 100 * p + threshold->thr % 100 * p / 100;
    }
  if (threshold->thr > dev && threshold->cnt < threshold->thr - dev)
    return IPA_THRESHOLD_EVENT_BELOW;
  if (threshold->cnt > sat_add (threshold->thr, dev))
    return IPA_THRESHOLD_EVENT_ABOVE;
  return IPA_THRESHOLD_EVENT_EQUAL;
}

static void
position_event (IpaEngine *engine, IpaThreshold *threshold, int position)
{
  static const IpaEngineEventType types[] = {
    IPA_ENGINE_EVENT_THRESHOLD_BELOW, IPA_ENGINE_EVENT_THRESHOLD_EQUAL,
    IPA_ENGINE_EVENT_THRESHOLD_ABOVE,
  };
  static const char *const events[] = { "below_threshold", "equal_threshold", "above_threshold" };
  const IpaThresholdDef *def = threshold->def;
  const IpaCmdList *lists[] = { &def->below, &def->equal, &def->above };
  g_autofree char *cnt = format_amount (threshold->cnt, def->kind);
  g_autofree char *thr = format_amount (threshold->thr, def->kind);
  g_autofree char *msg = NULL;

  switch (position)
    {
    case IPA_THRESHOLD_EVENT_BELOW:
      msg = g_strdup_printf (_("threshold %s/%s: %s is below %s"), rule_name (threshold),
                             def->name, cnt, thr);
      break;
    case IPA_THRESHOLD_EVENT_ABOVE:
      msg = g_strdup_printf (_("threshold %s/%s: %s is above %s"), rule_name (threshold),
                             def->name, cnt, thr);
      break;
    default:
      msg = g_strdup_printf (_("threshold %s/%s: %s is equal to %s"), rule_name (threshold),
                             def->name, cnt, thr);
      break;
    }
  ipa_engine_ac_threshold_event (engine, threshold, (guint) position);
  ipa_engine_emit (engine, types[position], LOG_INFO, threshold->rule, NULL, threshold, NULL,
                   "%s", msg);
  if (lists[position]->n > 0)
    {
      if (def->debug_threshold >= 1)
        debug_msg (engine, threshold, "%s: running %u command(s)", events[position],
                   lists[position]->n);
      ipa_engine_run_threshold_cmds (engine, threshold, lists[position], events[position], NULL);
    }
}

static void
write_counter (IpaEngine *engine, IpaThreshold *threshold)
{
  if (!threshold->dirty)
    return;
  ipa_engine_db_update_threshold (engine, threshold);
  threshold->dirty = 0;
}

void
ipa_threshold_add (IpaEngine *engine, IpaThreshold *threshold, gboolean addition, guint64 chunk)
{
  if (!threshold->active)
    return;
  /* The current slice must be the one of now, or the chunk would age out
   * with an old slice. */
  window_advance (threshold, ipa_engine_now_mono (engine));
  window_add (threshold, addition, chunk);
  if (threshold->def->debug_threshold >= 2)
    debug_msg (engine, threshold, "%c%" G_GUINT64_FORMAT ", counter %" G_GUINT64_FORMAT,
               addition ? '+' : '-', chunk, threshold->cnt);
}

void
ipa_threshold_check (IpaEngine *engine, IpaThreshold *threshold)
{
  const IpaThresholdDef *def = threshold->def;
  gint64 now_mono, now_wall;
  int position;
  gboolean run;

  if (!threshold->active)
    return;
  now_mono = ipa_engine_now_mono (engine);
  now_wall = ipa_engine_now_wall (engine);
  window_advance (threshold, now_mono);
  update_times (threshold, now_mono, now_wall);
  if (threshold->filled_at != 0)
    {
      if (now_mono < threshold->filled_at)
        {
          if (def->debug_threshold >= 2)
            debug_msg (engine, threshold, "window not full yet, counter %" G_GUINT64_FORMAT,
                       threshold->cnt);
          write_counter (engine, threshold);
          return;
        }
      threshold->filled_at = 0;
    }

  position = position_of (threshold);
  if (position != threshold->position)
    {
      threshold->position = (gint8) position;
      threshold->same_checks = 1;
      run = TRUE;
    }
  else
    {
      guint32 n = def->balance[position];

      if (threshold->same_checks < G_MAXUINT32)
        threshold->same_checks++;
      run = n != IPA_CONF_BALANCE_ONCE && n != 0 && (threshold->same_checks - 1) % n == 0;
    }
  if (def->debug_threshold >= 2 || (run && def->debug_threshold >= 1))
    debug_msg (engine, threshold, "counter %" G_GUINT64_FORMAT ", position %d, check %u in it%s",
               threshold->cnt, position, threshold->same_checks, run ? ", event" : "");
  if (run)
    position_event (engine, threshold, position);
  write_counter (engine, threshold);
}

gint64
ipa_threshold_next_event (const IpaThreshold *threshold)
{
  /* The window is full exactly at a slice end, so the next slice end
   * covers the first check too. */
  return threshold->active ? threshold->slice_end : G_MAXINT64;
}

void
ipa_threshold_set_active (IpaEngine *engine, IpaThreshold *threshold, gboolean active)
{
  active = active != FALSE;
  if (threshold->active == (guint) active)
    return;
  threshold->active = active;
  if (threshold->def->debug_threshold >= 1)
    debug_msg (engine, threshold, "%s", active ? "active, window cleared" : "inactive");
  if (active)
    window_reset (threshold, ipa_engine_now_mono (engine), ipa_engine_now_wall (engine));
  write_counter (engine, threshold);
}

/* What the worktimes say now (the rule's and the threshold's own). */
static gboolean
worktime_active (const IpaThreshold *threshold)
{
  const IpaWorktimeState *rule_ws = NULL;

  if (threshold->rule != NULL && threshold->rule->params != NULL)
    rule_ws = threshold->rule->params->worktime;
  return (rule_ws == NULL || rule_ws->active)
         && (threshold->def->worktime == NULL || threshold->def->worktime->active);
}

/* Places a stored state in the window; FALSE when the rules drop it. */
static gboolean
restore (IpaEngine *engine, IpaThreshold *threshold, const struct ipa_threshold_state *state,
         gint64 now_wall)
{
  const IpaThresholdDef *def = threshold->def;
  gboolean debug = def->debug_threshold_init >= 1;
  gint64 slice_us;
  guint n = geometry (def, &slice_us);
  gint64 age = now_wall - ipa_engine_wall_from_tm (&state->tm_updated);
  guint k;

  if (!worktime_active (threshold))
    {
      if (debug)
        debug_msg (engine, threshold, "outside its worktime: stored state not used");
      return FALSE;
    }
  if (age < 0)
    age = 0;
  if ((guint64) age >= def->time_width)
    {
      if (debug)
        debug_msg (engine, threshold, "stored state is older than the window, dropped");
      return FALSE;
    }
  if (state->thr != def->thr && !(def->type & 2))
    {
      if (debug)
        debug_msg (engine, threshold, "threshold changed from %" G_GUINT64_FORMAT " to %"
                   G_GUINT64_FORMAT ", stored state dropped", state->thr, def->thr);
      return FALSE;
    }
  k = (guint) MIN ((guint64) age * G_USEC_PER_SEC / (guint64) slice_us, (guint64) n - 1);
  threshold->slices[(threshold->cur_slice + n - k) % n] = state->cnt;
  threshold->cnt = state->cnt;
  threshold->filled_at = 0;
  update_times (threshold, ipa_engine_now_mono (engine), now_wall);
  if (debug)
    debug_msg (engine, threshold, "restored counter %" G_GUINT64_FORMAT " of %" G_GINT64_FORMAT
               " s ago", state->cnt, age);
  return TRUE;
}

void
ipa_threshold_init (IpaEngine *engine, IpaThreshold *threshold)
{
  const IpaThresholdDef *def = threshold->def;
  gint64 slice_us;
  guint n = geometry (def, &slice_us);
  struct ipa_threshold_state state;
  const struct ipa_threshold_state *stored = NULL;
  gboolean restored = FALSE;
  gint64 now_wall = ipa_engine_now_wall (engine);

  threshold->thr = def->thr;
  threshold->cnt = 0;
  /* The engine may have given the slices from its pool. */
  if (threshold->slices == NULL)
    threshold->slices = g_new0 (guint64, n);
  else
    memset (threshold->slices, 0, n * sizeof *threshold->slices);
  /* Entities start active; the engine then calls
   * ipa_threshold_set_active (FALSE) for those outside their worktime. */
  threshold->active = 1;
  threshold->dirty = 0;
  window_reset (threshold, ipa_engine_now_mono (engine), now_wall);

  memset (&state, 0, sizeof state);
  if (def->load_threshold && !(def->type & 1)
      && ipa_engine_db_get_threshold_state (engine, threshold, &state))
    stored = &state;
  else
    stored = ipa_engine_snapshot_threshold (engine, threshold);
  if (stored != NULL)
    restored = restore (engine, threshold, stored, now_wall);
  else if (def->debug_threshold_init >= 1)
    debug_msg (engine, threshold, "no stored state");
  /* The databases get the current state unless it is the one they gave. */
  if (!restored || stored != &state || state.thr != threshold->thr)
    ipa_engine_db_set_threshold_state (engine, threshold);
  threshold->dirty = 0;
}

void
ipa_threshold_resend (IpaEngine *engine, IpaThreshold *threshold)
{
  if (threshold->def->debug_threshold >= 1)
    debug_msg (engine, threshold, "sending the whole state again");
  /* The bits are ours from here: the write sets again those that fail. */
  threshold->db_pending = 0;
  ipa_engine_db_set_threshold_state (engine, threshold);
  threshold->dirty = 0;
}

gboolean
ipa_threshold_set_value (IpaEngine *engine, IpaThreshold *threshold, gboolean counter,
                         IpaEngineSetOp op, guint64 value, GError **error)
{
  guint64 old = counter ? threshold->cnt : threshold->thr;
  guint64 now_value;
  g_autofree char *old_text = NULL;
  g_autofree char *new_text = NULL;

  if (op != IPA_ENGINE_SET_ASSIGN && op != IPA_ENGINE_SET_ADD && op != IPA_ENGINE_SET_SUBTRACT)
    {
      g_set_error (error, IPA_ENGINE_ERROR, IPA_ENGINE_ERROR_INVALID,
                   _("threshold %s/%s: unknown operation %d"), rule_name (threshold),
                   threshold->def->name, (int) op);
      return FALSE;
    }
  if (counter)
    {
      window_advance (threshold, ipa_engine_now_mono (engine));
      if (op == IPA_ENGINE_SET_ASSIGN)
        {
          gint64 slice_us;
          guint n = geometry (threshold->def, &slice_us);

          memset (threshold->slices, 0, n * sizeof *threshold->slices);
          threshold->slices[threshold->cur_slice] = value;
          threshold->cnt = value;
        }
      else
        window_add (threshold, op == IPA_ENGINE_SET_ADD, value);
      now_value = threshold->cnt;
      threshold->dirty = 1;
      write_counter (engine, threshold);
    }
  else
    {
      if (op == IPA_ENGINE_SET_ASSIGN)
        threshold->thr = value;
      else if (op == IPA_ENGINE_SET_ADD)
        threshold->thr = sat_add (threshold->thr, value);
      else
        threshold->thr = threshold->thr > value ? threshold->thr - value : 0;
      now_value = threshold->thr;
      ipa_engine_db_set_threshold_state (engine, threshold);
      threshold->dirty = 0;
    }
  old_text = format_amount (old, threshold->def->kind);
  new_text = format_amount (now_value, threshold->def->kind);
  ipa_engine_emit (engine, IPA_ENGINE_EVENT_COUNTER_CHANGED, LOG_INFO, threshold->rule, NULL,
                   threshold, NULL,
                   counter ? _("threshold %s/%s: counter changed from %s to %s")
                           : _("threshold %s/%s: threshold changed from %s to %s"),
                   rule_name (threshold), threshold->def->name, old_text, new_text);
  return TRUE;
}

void
ipa_threshold_to_state (const IpaThreshold *threshold, struct ipa_threshold_state *state)
{
  memset (state, 0, sizeof *state);
  state->thr = threshold->thr;
  state->cnt = threshold->cnt;
  ipa_engine_tm_from_wall (threshold->tm_from, &state->tm_from);
  ipa_engine_tm_from_wall (threshold->tm_updated, &state->tm_updated);
}

void
ipa_threshold_clear (IpaThreshold *threshold)
{
  if (threshold->slices_pooled)
    threshold->slices = NULL;
  else
    g_clear_pointer (&threshold->slices, g_free);
}

guint
ipa_threshold_n_slices (const IpaThresholdDef *def)
{
  gint64 slice_us;

  return geometry (def, &slice_us);
}
