/*
 * ipa-daemon.c: the main loop glue of the daemon.
 */
#include "config.h"

#include "ipa-daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "ipa-journal.h"
#include "ipa-log.h"
#include "ipa-memfunc.h"

/* STATUS= is refreshed after update rounds, but not more often. */
#define STATUS_INTERVAL_USEC (5 * G_USEC_PER_SEC)
/* At shutdown, asynchronous commands still running get this long before
 * they are killed; with the rest of the shutdown this stays well inside
 * systemd's default stop timeout and our own 5 s goal. */
#define SHUTDOWN_WAIT_MS 3000

typedef struct {
  IpaDaemonEngineFunc func;
  gpointer user_data;
} EngineWatch;

typedef struct {
  IpaDaemonReloadFunc func;
  gpointer user_data;
} ReloadWaiter;

typedef struct {
  GSource source;
  IpaDaemon *daemon;
} TimerSource;

struct _IpaDaemon {
  char *conf_file;
  char *self_exe;
  gboolean self_exe_known;        /* its file as at start: */
  dev_t self_exe_dev;
  ino_t self_exe_ino;
  gboolean debug;
  gboolean reopen_log;

  GMainLoop *loop;
  IpaClock *clock;
  IpaEngine *engine;
  IpaExecRunner *runner;          /* the engine's */
  GPtrArray *retired_runners;     /* of stopped engines, until their commands end */
  GSource *timer;                 /* ready when the engine wants to run */
  guint signal_ids[3];
  guint watchdog_id;
  GArray *watches;                /* EngineWatch */

  /* Reload: the "ipa -t" check that runs, who waits for it, and who
   * asked while it ran (they get the next check). */
  GSubprocess *check;
  GCancellable *check_cancel;
  GArray *waiters;                /* ReloadWaiter */
  GArray *next_waiters;
  gboolean reload_again;

  gboolean round_seen;
  gint64 last_status;             /* monotonic µs */
  gboolean stopping;
  int exit_status;
};

/* ---- systemd ---- */

gboolean
ipa_daemon_under_service_manager (void)
{
  return g_getenv ("NOTIFY_SOCKET") != NULL || g_getenv ("INVOCATION_ID") != NULL;
}

static void
update_status (IpaDaemon *d, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  gint64 last;
  guint n;

  if (d->engine == NULL)
    return;
  if (!force && (!d->round_seen || now - d->last_status < STATUS_INTERVAL_USEC))
    return;
  d->round_seen = FALSE;
  d->last_status = now;
  n = ipa_engine_get_n_rules (d->engine);
  last = ipa_engine_get_last_round (d->engine);
  if (last == 0)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("Accounting %u rule, no update yet",
                                                         "Accounting %u rules, no update yet", n),
                                               n);

      sd_notifyf (0, "STATUS=%s", text);
    }
  else
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (last);
      g_autofree char *stamp = when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S")
                                            : g_strdup ("?");
      g_autofree char *text = g_strdup_printf (ngettext ("Accounting %u rule, last update %s",
                                                         "Accounting %u rules, last update %s", n),
                                               n, stamp);

      sd_notifyf (0, "STATUS=%s", text);
    }
}

static gboolean
watchdog_cb (gpointer user_data)
{
  sd_notify (0, "WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

/* ---- the engine's timer ---- */

/* Free the runners of stopped engines whose commands have all ended. */
static void
reap_runners (IpaDaemon *d)
{
  for (guint i = d->retired_runners->len; i > 0; i--)
    {
      IpaExecRunner *r = g_ptr_array_index (d->retired_runners, i - 1);

      if (ipa_exec_runner_get_n_pending (r) == 0)
        g_ptr_array_remove_index_fast (d->retired_runners, i - 1);
    }
}

static gboolean
timer_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  IpaDaemon *d = ((TimerSource *) source)->daemon;

  if (d->engine == NULL)
    {
      g_source_set_ready_time (source, -1);
      return G_SOURCE_CONTINUE;
    }
  g_source_set_ready_time (source, ipa_engine_dispatch (d->engine));
  update_status (d, FALSE);
  reap_runners (d);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

static void
daemon_observer (IpaEngine *engine, const IpaEngineEvent *event, gpointer user_data)
{
  IpaDaemon *d = user_data;

  if (event->type == IPA_ENGINE_EVENT_ROUND)
    d->round_seen = TRUE;
}

/* ---- starting and stopping the engine ---- */

static void
notify_watches (IpaDaemon *d, IpaEngine *engine)
{
  for (guint i = 0; i < d->watches->len; i++)
    {
      EngineWatch *w = &g_array_index (d->watches, EngineWatch, i);

      w->func (d, engine, w->user_data);
    }
}

static void
log_config_error (const char *conf_file, const char *message)
{
  g_autofree char *field = g_strconcat ("IPA_CONF_FILE=", conf_file, NULL);
  const char *fields[] = { field, NULL };

  ipa_journal_log (IPA_JOURNAL_CONFIG_ERROR, LOG_ERR, NULL, fields, "%s", message);
}

/* Takes @snapshot (the engine keeps it until it has served). */
static gboolean
start_engine (IpaDaemon *d,
              IpaEngineSnapshot *snapshot,
              IpaEngineStartFlags flags,
              GError **error)
{
  g_autoptr(GError) local = NULL;
  IpaModuleSet *modules = ipa_module_set_new ();
  IpaConf *conf;
  IpaEngine *engine;

  conf = ipa_conf_load (d->conf_file, modules, IPA_CONF_LOAD_NONE, &local);
  if (conf == NULL)
    {
      /* IPA_CONF_ERROR messages start "FILE:LINE:COLUMN: " already. */
      if (local->domain == IPA_CONF_ERROR)
        log_config_error (d->conf_file, local->message);
      else
        {
          g_autofree char *text = g_strdup_printf ("%s: %s", d->conf_file, local->message);

          log_config_error (d->conf_file, text);
        }
      ipa_module_set_free (modules);
      ipa_engine_snapshot_free (snapshot);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  for (guint i = 0; i < conf->warnings->len; i++)
    ipa_log (LOG_WARNING, "%s", (const char *) g_ptr_array_index (conf->warnings, i));

  if (d->runner != NULL)
    g_ptr_array_add (d->retired_runners, g_steal_pointer (&d->runner));
  d->runner = ipa_exec_runner_new (conf->shell_path.set ? conf->shell_path.s : NULL,
                                   conf->shell_arg1.set ? conf->shell_arg1.s : NULL,
                                   0);
  engine = ipa_engine_new (d->clock, d->runner);
  ipa_engine_add_observer (engine, ipa_journal_observer, NULL);
  ipa_engine_add_observer (engine, daemon_observer, d);
  if (!ipa_engine_start (engine, conf, modules, snapshot, flags, &local))
    {
      ipa_log (LOG_ERR, _("cannot start accounting: %s"), local->message);
      ipa_engine_free (engine);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  d->engine = engine;
  d->round_seen = FALSE;
  /* Run the first round now; the engine says when it wants the next. */
  g_source_set_ready_time (d->timer, 0);
  notify_watches (d, engine);
  return TRUE;
}

static void
stop_engine (IpaDaemon *d, IpaEngineStopFlags flags)
{
  if (d->engine == NULL)
    return;
  notify_watches (d, NULL);
  g_source_set_ready_time (d->timer, -1);
  ipa_engine_stop (d->engine, flags);
  g_clear_pointer (&d->engine, ipa_engine_free);
}

/* Give asynchronous commands of every runner a last chance, within one
 * budget of SHUTDOWN_WAIT_MS. */
static void
wait_commands (IpaDaemon *d)
{
  gint64 deadline = g_get_monotonic_time () + SHUTDOWN_WAIT_MS * 1000;

  if (d->runner != NULL)
    g_ptr_array_add (d->retired_runners, g_steal_pointer (&d->runner));
  for (guint i = 0; i < d->retired_runners->len; i++)
    {
      gint64 left = MAX (deadline - g_get_monotonic_time (), 0) / 1000;

      ipa_exec_runner_wait_all (g_ptr_array_index (d->retired_runners, i), (guint) left);
    }
  g_ptr_array_set_size (d->retired_runners, 0);
}

/* ---- reload ---- */

static void start_check (IpaDaemon *d);

static void
finish_waiters (IpaDaemon *d, gboolean ok, const char *message)
{
  g_autoptr(GArray) waiters = d->waiters;

  d->waiters = d->next_waiters;
  d->next_waiters = g_array_new (FALSE, FALSE, sizeof (ReloadWaiter));
  for (guint i = 0; i < waiters->len; i++)
    {
      ReloadWaiter *w = &g_array_index (waiters, ReloadWaiter, i);

      w->func (d, ok, message, w->user_data);
    }
}

/* The check's stderr, one line per message; a line may carry the
 * "ipa: error: " of the child's log, which is dropped. */
static char *
log_check_output (IpaDaemon *d, const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  GString *errors = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (*line == '\0')
        continue;
      if (g_str_has_prefix (line, "ipa: "))
        line += strlen ("ipa: ");
      if (g_str_has_prefix (line, "error: "))
        line += strlen ("error: ");
      if (g_str_has_suffix (line, " (warning)") || g_str_has_prefix (line, "warning: "))
        {
          ipa_log (LOG_WARNING, "%s", line);
          continue;
        }
      log_config_error (d->conf_file, line);
      if (errors->len > 0)
        g_string_append_c (errors, '\n');
      g_string_append (errors, line);
    }
  return g_string_free (errors, FALSE);
}

/* The check passed: replace the engine. */
static gboolean
apply_reload (IpaDaemon *d, GError **error)
{
  g_autoptr(IpaEngineSnapshot) snapshot = NULL;
  g_autofree char *field = g_strconcat ("IPA_CONF_FILE=", d->conf_file, NULL);
  const char *fields[] = { field, NULL };
  guint n;

  sd_notifyf (0, "RELOADING=1\nMONOTONIC_USEC=%" G_GINT64_FORMAT, g_get_monotonic_time ());
  if (d->engine != NULL)
    {
      snapshot = ipa_engine_take_snapshot (d->engine);
      stop_engine (d, IPA_ENGINE_STOP_NONE);
    }
  if (!start_engine (d, g_steal_pointer (&snapshot), IPA_ENGINE_START_NONE, error))
    {
      ipa_log (LOG_CRIT, _("the new configuration %s passed its check but cannot be run; "
                           "no configuration is left, exiting"), d->conf_file);
      d->exit_status = EXIT_FAILURE;
      d->stopping = TRUE;
      sd_notify (0, "STOPPING=1");
      wait_commands (d);
      g_main_loop_quit (d->loop);
      return FALSE;
    }
  sd_notify (0, "READY=1");
  update_status (d, TRUE);
  n = ipa_engine_get_n_rules (d->engine);
  ipa_journal_log (IPA_JOURNAL_DAEMON_RELOADED, LOG_INFO, NULL, fields,
                   ngettext ("configuration %s reloaded: %u rule",
                             "configuration %s reloaded: %u rules", n), d->conf_file, n);
  return TRUE;
}

static void
check_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GSubprocess *proc = G_SUBPROCESS (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *err_text = NULL;
  g_autofree char *message = NULL;
  IpaDaemon *d;
  gboolean ok = FALSE;

  if (!g_subprocess_communicate_utf8_finish (proc, result, NULL, &err_text, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* the daemon stops or is gone: do not touch it */
  d = user_data;
  g_clear_object (&d->check);
  g_clear_object (&d->check_cancel);

  if (error != NULL)
    {
      message = g_strdup_printf (_("cannot check the configuration %s: %s"),
                                 d->conf_file, error->message);
      ipa_log (LOG_ERR, "%s", message);
    }
  else if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_autofree char *errors = log_check_output (d, err_text);

      if (g_subprocess_get_if_signaled (proc))
        ipa_log (LOG_ERR, _("the check of the configuration (ipa -t) was killed by signal %d"),
                 g_subprocess_get_term_sig (proc));

      message = g_strdup_printf (_("configuration %s rejected, going on with the running one%s%s"),
                                 d->conf_file, *errors != '\0' ? ": " : "", errors);
      ipa_log (LOG_ERR, _("configuration %s rejected, going on with the running one"),
               d->conf_file);
    }
  else
    {
      g_autoptr(GError) apply_error = NULL;

      ok = apply_reload (d, &apply_error);
      if (!ok)
        message = g_strdup (apply_error->message);
    }

  finish_waiters (d, ok, message);
  if (d->reload_again && !d->stopping)
    {
      d->reload_again = FALSE;
      start_check (d);
    }
}

static const char *
check_executable (IpaDaemon *d)
{
  struct stat st;

  /* Our binary, as long as the file at its path is the one we started
   * from; after an upgrade replaced it, /proc/self/exe is still the
   * binary that runs (and speaks our module API).  The path comes first
   * because /proc/self/exe is not always ipa: under valgrind it is the
   * tool, and a chroot may have no /proc. */
  if (d->self_exe != NULL && d->self_exe_known && stat (d->self_exe, &st) == 0 &&
      st.st_dev == d->self_exe_dev && st.st_ino == d->self_exe_ino)
    return d->self_exe;
  if (access ("/proc/self/exe", X_OK) == 0)
    return "/proc/self/exe";
  return d->self_exe;
}

static void
start_check (IpaDaemon *d)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  const char *exe = check_executable (d);
  const char *argv[] = { exe, "-t", "-f", d->conf_file, NULL };

  if (d->reopen_log && !ipa_log_reopen_file (&error))
    {
      ipa_log (LOG_WARNING, "%s", error->message);
      g_clear_error (&error);
    }
  if (exe == NULL)
    {
      g_autofree char *message = g_strdup (_("cannot check the new configuration: "
                                             "the ipa executable is not known"));

      ipa_log (LOG_ERR, "%s", message);
      finish_waiters (d, FALSE, message);
      return;
    }
  ipa_log (LOG_INFO, _("reloading the configuration %s"), d->conf_file);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* The check must not talk to systemd in our name. */
  g_subprocess_launcher_unsetenv (launcher, "NOTIFY_SOCKET");
  g_subprocess_launcher_unsetenv (launcher, "WATCHDOG_USEC");
  g_subprocess_launcher_unsetenv (launcher, "WATCHDOG_PID");
  d->check = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (d->check == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("cannot check the configuration %s: %s"),
                                                  d->conf_file, error->message);

      ipa_log (LOG_ERR, "%s", message);
      finish_waiters (d, FALSE, message);
      return;
    }
  d->check_cancel = g_cancellable_new ();
  g_subprocess_communicate_utf8_async (d->check, NULL, d->check_cancel, check_done, d);
}

void
ipa_daemon_reload (IpaDaemon *d, IpaDaemonReloadFunc done, gpointer user_data)
{
  ReloadWaiter w = { done, user_data };

  if (d->stopping)
    {
      if (done != NULL)
        done (d, FALSE, _("ipa is stopping"), user_data);
      return;
    }
  if (d->check != NULL)
    {
      /* A check runs already, perhaps of an older version of the file:
       * check again once it is over. */
      if (done != NULL)
        g_array_append_val (d->next_waiters, w);
      d->reload_again = TRUE;
      return;
    }
  if (done != NULL)
    g_array_append_val (d->waiters, w);
  start_check (d);
}

static void
cancel_check (IpaDaemon *d)
{
  if (d->check == NULL)
    return;
  g_cancellable_cancel (d->check_cancel);
  g_subprocess_force_exit (d->check);
  g_clear_object (&d->check);
  g_clear_object (&d->check_cancel);
  d->reload_again = FALSE;
}

/* ---- shutdown ---- */

void
ipa_daemon_shutdown (IpaDaemon *d)
{
  if (d->stopping)
    return;
  d->stopping = TRUE;
  sd_notify (0, "STOPPING=1");
  ipa_log (LOG_INFO, _("stopping"));
  cancel_check (d);
  /* Those waiting for the cancelled check, then those for the next one. */
  finish_waiters (d, FALSE, _("ipa is stopping"));
  finish_waiters (d, FALSE, _("ipa is stopping"));
  stop_engine (d, IPA_ENGINE_STOP_SHUTDOWN);
  wait_commands (d);
  ipa_journal_log (IPA_JOURNAL_DAEMON_STOPPED, LOG_INFO, NULL, NULL,
                   _("ipa %s stopped"), PACKAGE_VERSION);
  if (d->loop != NULL)
    g_main_loop_quit (d->loop);
}

void
ipa_daemon_fail (IpaDaemon *d, const char *why)
{
  ipa_log (LOG_ERR, "%s", why);
  d->exit_status = EXIT_FAILURE;
  ipa_daemon_shutdown (d);
}

static gboolean
on_sigterm (gpointer user_data)
{
  ipa_daemon_shutdown (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer user_data)
{
  IpaDaemon *d = user_data;

  if (d->debug)
    ipa_daemon_shutdown (d);
  else
    ipa_log (LOG_INFO, _("SIGINT ignored: ipa stops on SIGINT only when started with -d"));
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sighup (gpointer user_data)
{
  ipa_daemon_reload (user_data, NULL, NULL);
  return G_SOURCE_CONTINUE;
}

/* ---- life cycle ---- */

IpaDaemon *
ipa_daemon_new (const IpaDaemonOptions *options)
{
  IpaDaemon *d = g_new0 (IpaDaemon, 1);
  struct stat st;

  d->conf_file = g_strdup (options->conf_file);
  d->self_exe = g_strdup (options->self_exe);
  if (d->self_exe != NULL && stat (d->self_exe, &st) == 0)
    {
      d->self_exe_known = TRUE;
      d->self_exe_dev = st.st_dev;
      d->self_exe_ino = st.st_ino;
    }
  d->debug = options->debug;
  d->reopen_log = options->reopen_log;
  d->loop = g_main_loop_new (NULL, FALSE);
  d->clock = ipa_clock_new_system ();
  d->retired_runners = g_ptr_array_new_with_free_func ((GDestroyNotify) ipa_exec_runner_free);
  d->watches = g_array_new (FALSE, FALSE, sizeof (EngineWatch));
  d->waiters = g_array_new (FALSE, FALSE, sizeof (ReloadWaiter));
  d->next_waiters = g_array_new (FALSE, FALSE, sizeof (ReloadWaiter));

  d->timer = g_source_new (&timer_funcs, sizeof (TimerSource));
  ((TimerSource *) d->timer)->daemon = d;
  g_source_set_name (d->timer, "ipa engine");
  g_source_set_ready_time (d->timer, -1);
  g_source_attach (d->timer, NULL);

  d->signal_ids[0] = g_unix_signal_add (SIGTERM, on_sigterm, d);
  d->signal_ids[1] = g_unix_signal_add (SIGINT, on_sigint, d);
  d->signal_ids[2] = g_unix_signal_add (SIGHUP, on_sighup, d);
  return d;
}

void
ipa_daemon_free (IpaDaemon *d)
{
  if (d == NULL)
    return;
  cancel_check (d);
  stop_engine (d, IPA_ENGINE_STOP_NONE);
  for (gsize i = 0; i < G_N_ELEMENTS (d->signal_ids); i++)
    g_clear_handle_id (&d->signal_ids[i], g_source_remove);
  g_clear_handle_id (&d->watchdog_id, g_source_remove);
  g_source_destroy (d->timer);
  g_source_unref (d->timer);
  g_clear_pointer (&d->runner, ipa_exec_runner_free);
  g_ptr_array_unref (d->retired_runners);
  g_array_unref (d->watches);
  g_array_unref (d->waiters);
  g_array_unref (d->next_waiters);
  ipa_clock_unref (d->clock);
  g_main_loop_unref (d->loop);
  g_free (d->conf_file);
  g_free (d->self_exe);
  g_free (d);
}

void
ipa_daemon_add_engine_watch (IpaDaemon *d, IpaDaemonEngineFunc func, gpointer user_data)
{
  EngineWatch w = { func, user_data };

  g_array_append_val (d->watches, w);
  if (d->engine != NULL)
    func (d, d->engine, user_data);
}

void
ipa_daemon_wakeup (IpaDaemon *d)
{
  if (d->engine != NULL)
    g_source_set_ready_time (d->timer, 0);
}

IpaEngine *
ipa_daemon_get_engine (IpaDaemon *d)
{
  return d->engine;
}

gboolean
ipa_daemon_start (IpaDaemon *d, GError **error)
{
  return start_engine (d, NULL, IPA_ENGINE_START_STARTUP, error);
}

int
ipa_daemon_run (IpaDaemon *d)
{
  guint64 watchdog_usec = 0;
  guint n = d->engine != NULL ? ipa_engine_get_n_rules (d->engine) : 0;

  ipa_journal_log (IPA_JOURNAL_DAEMON_STARTED, LOG_INFO, NULL, NULL,
                   ngettext ("ipa %s started: %u rule", "ipa %s started: %u rules", n),
                   PACKAGE_VERSION, n);
  sd_notify (0, "READY=1");
  update_status (d, TRUE);
  /* sd_watchdog_enabled() also checks WATCHDOG_PID against our PID. */
  if (sd_watchdog_enabled (0, &watchdog_usec) > 0 && watchdog_usec > 0)
    {
      sd_notify (0, "WATCHDOG=1");
      d->watchdog_id = g_timeout_add (MAX (watchdog_usec / 2000, 1), watchdog_cb, d);
    }
  if (!d->stopping)
    g_main_loop_run (d->loop);
  /* Retired runners whose commands ended meanwhile go now; the others were
   * waited for by the shutdown. */
  reap_runners (d);
  return d->exit_status;
}

/* ---- detaching ---- */

int
ipa_daemon_detach (void)
{
  int fds[2];
  pid_t pid;

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, NULL))
    return -1;
  pid = fork ();
  if (pid < 0)
    {
      int saved = errno;

      close (fds[0]);
      close (fds[1]);
      errno = saved;
      return -1;
    }
  if (pid > 0)
    {
      /* The parent: wait for the child's verdict. */
      unsigned char status = EXIT_FAILURE;
      ssize_t n;

      close (fds[1]);
      do
        n = read (fds[0], &status, 1);
      while (n < 0 && errno == EINTR);
      _exit (n == 1 ? status : EXIT_FAILURE);
    }
  close (fds[0]);
  setsid ();
  return fds[1];
}

void
ipa_daemon_detach_finish (int fd, int status)
{
  unsigned char byte = (unsigned char) status;
  ssize_t n;

  if (status == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

      if (null >= 0)
        {
          dup2 (null, STDIN_FILENO);
          dup2 (null, STDOUT_FILENO);
          dup2 (null, STDERR_FILENO);
          if (null > STDERR_FILENO)
            close (null);
        }
      /* The target was chosen while stderr was the terminal. */
      ipa_log_retarget ();
    }
  do
    n = write (fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  close (fd);
}
