/*
 * ipa-daemon.h: the running daemon around the engine: main loop, signals,
 * reload, shutdown, systemd notification and watchdog.
 *
 * Signals (ipa(8)):
 *   SIGTERM  orderly shutdown: shutdown sections, every counter written,
 *            modules deinitialised, exit status 0.
 *   SIGINT   the same, only when started with -d (Ctrl-C in a terminal);
 *            otherwise ignored, as a background daemon ignores it.
 *   SIGHUP   reload: the configuration file is read again.  The new file is
 *            first checked by a separate "ipa -t -f FILE" (modules hold
 *            global state, so it cannot be parsed in this process while
 *            the old configuration runs).  If the check fails, the reasons
 *            are logged (FILE:LINE:COLUMN: message, with the config-error
 *            MESSAGE_ID) and the daemon goes on with the old configuration.
 *            If it passes, the old engine is stopped (counters written, no
 *            shutdown sections), the new configuration is loaded and
 *            started with the limit and threshold states of the old one (no
 *            startup sections).  Should that second load fail all the same
 *            (the file changed in between, a module's init failed), there
 *            is no configuration left to run: the daemon logs why and exits
 *            with status 1, and a service manager restarts it.
 *
 * Under systemd (NOTIFY_SOCKET) the daemon sends READY=1 once the engine
 * runs, STATUS= after update rounds (at most every few seconds),
 * RELOADING=1 / READY=1 around a reload, STOPPING=1 at shutdown, and
 * WATCHDOG=1 from the main loop at half the watchdog interval when
 * WatchdogSec= is set, so that a stalled loop gets the service restarted.
 */
#pragma once

#include <glib.h>
#include "ipa-engine.h"

G_BEGIN_DECLS

typedef struct {
  const char *conf_file;     /* absolute (resolved inside a chroot) */
  gboolean debug;            /* -d: SIGINT stops the daemon */
  gboolean reopen_log;       /* -o given and its path still reachable: reopen on SIGHUP */
  const char *self_exe;      /* our binary (readlink /proc/self/exe at
                              * start), for the reload check */
} IpaDaemonOptions;

typedef struct _IpaDaemon IpaDaemon;

/* Called with the new engine once it runs (start, and after each reload),
 * and with NULL just before the engine is stopped.  For the D-Bus layer. */
typedef void (*IpaDaemonEngineFunc) (IpaDaemon *daemon,
                                     IpaEngine *engine,
                                     gpointer user_data);

/* Called once a reload asked for with ipa_daemon_reload() is over: @ok,
 * or the reason it was refused (the configuration errors). */
typedef void (*IpaDaemonReloadFunc) (IpaDaemon *daemon,
                                     gboolean ok,
                                     const char *error_message,
                                     gpointer user_data);

/* Installs the signal handlers on the default main context. */
IpaDaemon *ipa_daemon_new (const IpaDaemonOptions *options);
void ipa_daemon_free (IpaDaemon *daemon);

void ipa_daemon_add_engine_watch (IpaDaemon *daemon,
                                  IpaDaemonEngineFunc func,
                                  gpointer user_data);

/* Load the configuration and its modules, start the engine with the
 * startup sections.  On failure the reason is logged (configuration
 * errors with the config-error MESSAGE_ID) and @error is set too. */
gboolean ipa_daemon_start (IpaDaemon *daemon, GError **error);

/* Tell systemd we are ready, then run the main loop until the daemon
 * stopped.  Returns the exit status: 0 after an orderly shutdown, 1 after
 * a reload that could not be completed. */
int ipa_daemon_run (IpaDaemon *daemon);

/* What SIGHUP does; @done (may be NULL) learns the result. */
void ipa_daemon_reload (IpaDaemon *daemon,
                        IpaDaemonReloadFunc done,
                        gpointer user_data);

/* What SIGTERM does. */
void ipa_daemon_shutdown (IpaDaemon *daemon);
/* The same, but the process then exits with a failure status (so that
 * Restart=on-failure brings it back), after logging @why. */
void ipa_daemon_fail (IpaDaemon *daemon, const char *why);

/* Something changed the engine from outside (a control call): dispatch
 * it at once, since the time it asked for last may now be too late. */
void ipa_daemon_wakeup (IpaDaemon *daemon);

/* The running engine; NULL before start, during a reload and after stop. */
IpaEngine *ipa_daemon_get_engine (IpaDaemon *daemon);

/* ---- Detaching from the terminal (no -d, no service manager) ---- */

/* Fork: the parent waits until the child reports with
 * ipa_daemon_detach_finish() and exits with the status the child sends
 * (1 if it dies first).  The child starts a new session and gets a
 * descriptor for the report.  Returns -1 in the child when fork() failed
 * (errno tells why; nothing was detached). */
int ipa_daemon_detach (void);

/* In the detached child: send @status to the waiting parent and, when it
 * is 0, point stdin, stdout and stderr at /dev/null. */
void ipa_daemon_detach_finish (int fd, int status);

/* Running under systemd: NOTIFY_SOCKET or INVOCATION_ID is set. */
gboolean ipa_daemon_under_service_manager (void);

G_END_DECLS
