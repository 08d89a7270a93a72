/*
 * ipa-exec.h: running the commands of exec parameters.
 *
 * A command is run as SHELL ARG1 "command" (shell_path, shell_arg1 of
 * ipa.conf; /bin/sh -c by default), optionally as another user and group,
 * with stdin from /dev/null and stdout/stderr captured line by line into
 * the log (each line one message with the caller's fields and
 * IPA_EXEC_COMMAND=).  The environment is ipa's own plus IPA_RULE,
 * IPA_LIMIT, IPA_SUBLIMIT, IPA_THRESHOLD, IPA_AUTORULE and IPA_EVENT when
 * given.
 *
 * Event commands (reach, expire, below_threshold, …) run asynchronously:
 * the main loop never waits for them.  The commands of one list run in
 * order, one after the other; lists queued under the same key (e.g.
 * "rule/limit") run one after the other too, so the expire commands of a
 * limit never overtake its reach commands.  startup/shutdown commands and
 * ipa -x run synchronously.
 *
 * Every command has a time limit: when it runs longer, it gets SIGTERM,
 * and SIGKILL 5 s later; a command killed or exiting non-zero is logged
 * (LOG_WARNING) with its exit status, and the next command of the list
 * still runs.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define IPA_EXEC_DEFAULT_TIMEOUT_SEC 300
#define IPA_EXEC_KILL_GRACE_SEC 5

typedef struct {
  const char *user;     /* NULL: as ipa */
  const char *group;    /* NULL: the user's primary group */
  const char *command;  /* shell command text, macros already expanded */
} IpaExecCommand;

/* Who a list of commands belongs to, for the log and the environment.
 * Unset fields are NULL. */
typedef struct {
  const char *rule;
  const char *limit;
  const char *sublimit;
  const char *threshold;
  const char *autorule;
  const char *event;    /* "reach", "startup", "below_threshold", … */
  gboolean debug;       /* debug_exec > 0: log each command when it starts and ends */
} IpaExecContext;

typedef struct _IpaExecRunner IpaExecRunner;

/* Called once every command of the list has finished (or failed to
 * start), in the main context of the runner.  @n_failed counts commands
 * that could not start, were killed or exited non-zero. */
typedef void (*IpaExecDoneFunc) (guint n_commands, guint n_failed, gpointer user_data);

/* @shell_path and @shell_arg1 NULL mean /bin/sh -c.  @timeout_sec 0 means
 * IPA_EXEC_DEFAULT_TIMEOUT_SEC.  Callbacks and output reading use the
 * thread-default main context at creation time. */
IpaExecRunner *ipa_exec_runner_new (const char *shell_path,
                                    const char *shell_arg1,
                                    guint timeout_sec);
/* Kills what still runs (SIGKILL), without calling done callbacks. */
void ipa_exec_runner_free (IpaExecRunner *runner);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaExecRunner, ipa_exec_runner_free)

void ipa_exec_runner_set_timeout (IpaExecRunner *runner, guint timeout_sec);

/* Resolve user and group of a command now (names or numbers), so that a
 * bad name is found when the configuration is loaded and not when the
 * command should run. */
gboolean ipa_exec_check_credentials (const char *user,
                                     const char *group,
                                     GError **error);

/* Queue @commands (copied) under @key (NULL: a queue of its own); @done
 * (may be NULL) runs when they have all finished. */
void ipa_exec_run_async (IpaExecRunner *runner,
                         const char *key,
                         const IpaExecCommand *commands,
                         guint n_commands,
                         const IpaExecContext *context,
                         IpaExecDoneFunc done,
                         gpointer user_data);

/* Run @commands now, one after the other, and return when all finished
 * (each still bounded by the timeout).  Returns the number of failed
 * commands. */
guint ipa_exec_run_sync (IpaExecRunner *runner,
                         const IpaExecCommand *commands,
                         guint n_commands,
                         const IpaExecContext *context);

/* Number of asynchronous command lists not finished yet. */
guint ipa_exec_runner_get_n_pending (IpaExecRunner *runner);

/* Iterate the runner's main context until no asynchronous command runs or
 * @timeout_ms passed; then kill what is left.  For shutdown. */
void ipa_exec_runner_wait_all (IpaExecRunner *runner, guint timeout_ms);

G_END_DECLS
