/*
 * engine-harness.c: the real engine on a virtual clock (see the header).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine-harness.h"
#include "ipa-conf.h"
#include "ipa-log.h"

gint64
harness_wall (const char *local)
{
  struct tm tm = { 0 };
  int n = sscanf (local, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec);

  g_assert_cmpint (n, ==, 6);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  return (gint64) mktime (&tm);
}

const char *
harness_local (gint64 wall)
{
  static char buf[32];
  time_t t = (time_t) wall;
  struct tm tm;

  localtime_r (&t, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

static void
event_free (gpointer p)
{
  HarnessEvent *e = p;

  g_free (e->rule);
  g_free (e->limit);
  g_free (e->threshold);
  g_free (e->sublimit);
  g_free (e->module);
  g_free (e->message);
  g_free (e);
}

static void
observer (IpaEngine *engine, const IpaEngineEvent *ev, gpointer user_data)
{
  Harness *h = user_data;
  HarnessEvent *e;

  (void) engine;
  if (ev->type == IPA_ENGINE_EVENT_ROUND)
    return;
  e = g_new0 (HarnessEvent, 1);
  e->type = ev->type;
  e->priority = ev->priority;
  e->wall = ev->wall;
  e->rule = g_strdup (ev->rule != NULL ? ipa_rule_get_name (ev->rule) : NULL);
  e->limit = g_strdup (ev->limit != NULL ? ipa_limit_get_name (ev->limit) : NULL);
  e->threshold = g_strdup (ev->threshold != NULL ? ipa_threshold_get_name (ev->threshold) : NULL);
  e->sublimit = g_strdup (ev->sublimit);
  e->module = g_strdup (ev->module);
  e->message = g_strdup (ev->message);
  if (g_test_verbose ())
    g_printerr ("  [%s] %s\n", harness_local (ev->wall), ev->message);
  g_ptr_array_add (h->events, e);
}

Harness *
harness_new (const char *local)
{
  Harness *h = g_new0 (Harness, 1);
  g_autoptr(GError) error = NULL;

  h->dir = g_dir_make_tmp ("ipa-engine-XXXXXX", &error);
  g_assert_no_error (error);
  h->clock = ipa_clock_new_virtual (harness_wall (local));
  h->runner = ipa_exec_runner_new (NULL, NULL, 10);
  h->events = g_ptr_array_new_with_free_func (event_free);
  h->strings = g_ptr_array_new_with_free_func (g_free);
  return h;
}

static void
rm_rf (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        rm_rf (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

void
harness_free (Harness *h)
{
  if (h == NULL)
    return;
  harness_stop (h, FALSE);
  ipa_exec_runner_free (h->runner);
  ipa_clock_unref (h->clock);
  g_ptr_array_unref (h->events);
  g_ptr_array_unref (h->strings);
  if (g_getenv ("IPA_TEST_KEEP") == NULL)
    rm_rf (h->dir);
  else
    g_printerr ("kept %s\n", h->dir);
  g_free (h->dir);
  g_free (h);
}

const char *
harness_path (Harness *h, const char *name)
{
  char *p = g_build_filename (h->dir, name, NULL);

  g_ptr_array_add (h->strings, p);
  return p;
}

static gboolean
start_engine (Harness *h, const char *conf_text, IpaEngineSnapshot *snapshot,
              IpaEngineStartFlags flags, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (conf_text, "@DIR@", -1);
  g_autofree char *text = g_strjoinv (h->dir, parts);
  g_autofree char *conf_path = g_build_filename (h->dir, "ipa.conf", NULL);
  IpaModuleSet *modules = ipa_module_set_new ();
  IpaConf *conf;

  g_file_set_contents (conf_path, text, -1, NULL);
  conf = ipa_conf_load (conf_path, modules, IPA_CONF_LOAD_NONE, error);
  if (conf == NULL)
    {
      ipa_module_set_free (modules);
      ipa_engine_snapshot_free (snapshot);
      return FALSE;
    }
  h->engine = ipa_engine_new (h->clock, h->runner);
  ipa_engine_add_observer (h->engine, observer, h);
  if (h->stall_usec != 0)
    ipa_engine_set_stall_limit (h->engine, h->stall_usec);
  if (!ipa_engine_start (h->engine, conf, modules, snapshot, flags, error))
    {
      g_clear_pointer (&h->engine, ipa_engine_free);
      return FALSE;
    }
  h->started = TRUE;
  ipa_engine_dispatch (h->engine);
  return TRUE;
}

gboolean
harness_start (Harness *h, const char *conf_text, GError **error)
{
  g_return_val_if_fail (!h->started, FALSE);
  return start_engine (h, conf_text, NULL, IPA_ENGINE_START_STARTUP, error);
}

void
harness_stop (Harness *h, gboolean shutdown)
{
  if (!h->started)
    return;
  ipa_engine_stop (h->engine, shutdown ? IPA_ENGINE_STOP_SHUTDOWN : IPA_ENGINE_STOP_NONE);
  harness_wait_commands (h);
  g_clear_pointer (&h->engine, ipa_engine_free);
  h->started = FALSE;
}

gboolean
harness_restart (Harness *h, const char *conf_text, gboolean shutdown, GError **error)
{
  harness_stop (h, shutdown);
  return start_engine (h, conf_text, NULL, IPA_ENGINE_START_STARTUP, error);
}

gboolean
harness_reload (Harness *h, const char *conf_text, GError **error)
{
  IpaEngineSnapshot *snapshot;

  g_return_val_if_fail (h->started, FALSE);
  snapshot = ipa_engine_take_snapshot (h->engine);
  ipa_engine_stop (h->engine, IPA_ENGINE_STOP_NONE);
  g_clear_pointer (&h->engine, ipa_engine_free);
  h->started = FALSE;
  return start_engine (h, conf_text, snapshot, IPA_ENGINE_START_NONE, error);
}

void
harness_wait_commands (Harness *h)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (ipa_exec_runner_get_n_pending (h->runner) > 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

void
harness_run_until (Harness *h, gint64 wall)
{
  g_return_if_fail (h->started);
  for (;;)
    {
      gint64 now_mono = ipa_clock_get_monotonic (h->clock);
      gint64 now_wall = ipa_clock_get_wall (h->clock);
      gint64 next = ipa_engine_dispatch (h->engine);
      gint64 step;

      harness_wait_commands (h);
      if (now_wall >= wall)
        break;
      step = next - now_mono;
      if (step <= 0)
        step = G_USEC_PER_SEC;
      /* Whole seconds: the wall clock has a resolution of one second. */
      step = (step + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC * G_USEC_PER_SEC;
      if (now_wall + step / G_USEC_PER_SEC > wall)
        step = (wall - now_wall) * G_USEC_PER_SEC;
      ipa_clock_advance (h->clock, step);
    }
}

void
harness_advance (Harness *h, gint64 seconds)
{
  harness_run_until (h, ipa_clock_get_wall (h->clock) + seconds);
}

void
harness_step_wall (Harness *h, gint64 seconds)
{
  ipa_clock_set_wall (h->clock, ipa_clock_get_wall (h->clock) + seconds);
  ipa_engine_dispatch (h->engine);
  harness_wait_commands (h);
}

char *
harness_read (Harness *h, const char *name)
{
  g_autofree char *p = g_build_filename (h->dir, name, NULL);
  char *text = NULL;

  if (!g_file_get_contents (p, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

void
harness_control (Harness *h, const char *line)
{
  g_autofree char *p = g_build_filename (h->dir, "control", NULL);
  FILE *f = fopen (p, "a");

  g_assert_nonnull (f);
  fprintf (f, "%s\n", line);
  fclose (f);
}

GPtrArray *
harness_db_lines (Harness *h, const char *kind, const char *name)
{
  g_autofree char *text = harness_read (h, "db");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", 3);

      if (f[0] == NULL || f[1] == NULL || strcmp (f[0], kind) != 0)
        continue;
      if (name != NULL && strcmp (f[1], name) != 0)
        continue;
      g_ptr_array_add (out, g_strdup (lines[i]));
    }
  return out;
}

char *
harness_field (const char *line, const char *key)
{
  g_autofree char *pat = g_strconcat (" ", key, "=", NULL);
  const char *p = strstr (line, pat);
  const char *end;

  if (p == NULL)
    return NULL;
  p += strlen (pat);
  end = strchr (p, ' ');
  return end != NULL ? g_strndup (p, end - p) : g_strdup (p);
}

GPtrArray *
harness_trace (Harness *h, const char *file, const char *prefix)
{
  g_autofree char *text = harness_read (h, file);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && g_str_has_prefix (lines[i], prefix))
      g_ptr_array_add (out, g_strdup (lines[i]));
  return out;
}

guint
harness_count_events (Harness *h, IpaEngineEventType type, const char *rule)
{
  guint n = 0;

  for (guint i = 0; i < h->events->len; i++)
    {
      const HarnessEvent *e = h->events->pdata[i];

      if (e->type == type && (rule == NULL || g_strcmp0 (e->rule, rule) == 0))
        n++;
    }
  return n;
}

const HarnessEvent *
harness_last_event (Harness *h, IpaEngineEventType type)
{
  for (guint i = h->events->len; i > 0; i--)
    {
      const HarnessEvent *e = h->events->pdata[i - 1];

      if (e->type == type)
        return e;
    }
  return NULL;
}

guint64
harness_db_total (Harness *h, const char *rule)
{
  g_autoptr(GPtrArray) lines = harness_db_lines (h, "record", rule);
  guint64 total = 0;

  for (guint i = 0; i < lines->len; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines->pdata[i], " ", -1);
      guint n = g_strv_length (f);

      g_assert_cmpuint (n, >=, 6);
      total += g_ascii_strtoull (f[5], NULL, 10);
    }
  return total;
}
