/*
 * ipa-exec.c: running the commands of exec parameters (see ipa-exec.h).
 *
 * An ExecList is one call of ipa_exec_run_async() or ipa_exec_run_sync():
 * its commands run one after the other.  Asynchronous lists with the same
 * key wait in a GQueue whose head is the one running.  An ExecCmd is one
 * running process.  It is done when the process has exited and both output
 * pipes reached end of file, or DRAIN_MS after the exit when a background
 * child of the command still holds a pipe: such "detached" readers stay
 * with the runner and keep logging that output, so a command started with
 * "&" neither blocks the queue nor dies of SIGPIPE.
 *
 * Output is read through pollable sources in chunks rather than with
 * g_data_input_stream_read_line_async(): a line is cut at MAX_LINE bytes,
 * so a command printing without newlines cannot make ipa buffer without
 * bound, and the sources can be destroyed at once when the runner goes.
 */
#include "config.h"

#include "ipa-exec.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "ipa-log.h"

#define FIELD_SUBLIMIT "IPA_SUBLIMIT"
#define FIELD_AUTORULE "IPA_AUTORULE"
#define FIELD_COMMAND  "IPA_EXEC_COMMAND"
#define FIELD_USER     "IPA_EXEC_USER"
#define FIELD_PID      "IPA_EXEC_PID"

/* Output bytes logged per command (stdout and stderr together). */
#define MAX_CAPTURE (64 * 1024)
/* A longer line is logged in pieces of this size. */
#define MAX_LINE 4096
/* How long output may still arrive after the process exited before the
 * next command starts anyway. */
#define DRAIN_MS 500
#define READ_CHUNK 4096
/* Bound of the buffer for getpwnam_r() and friends. */
#define MAX_NSS_BUFFER (1024 * 1024)
/* What the child writes when it cannot switch user: exit status of the
 * shell for "cannot execute". */
#define EXIT_CREDENTIALS 126

typedef struct _ExecList ExecList;
typedef struct _ExecCmd ExecCmd;

/* Log fields and output budget of one command, shared by its two readers,
 * which may outlive it. */
typedef struct {
  int ref_count;
  char **fields;     /* "KEY=value", NULL-terminated */
  char *command;
  gsize captured;    /* bytes logged so far */
  gboolean truncated;
} Capture;

typedef struct {
  IpaExecRunner *runner;
  ExecCmd *cmd;      /* NULL once detached */
  guint index;       /* in cmd->readers */
  Capture *capture;
  GInputStream *stream;
  GSource *source;
  GString *line;     /* partial line */
  int priority;
} Reader;

struct _ExecCmd {
  int ref_count;
  IpaExecRunner *runner;
  ExecList *list;    /* NULL once finished or abandoned */
  GSubprocess *process;
  GCancellable *cancellable;
  GPid pid;          /* also the process group; 0 if it exited before we asked */
  Capture *capture;
  Reader *readers[2];
  GSource *timeout_source;
  GSource *kill_source;
  GSource *drain_source;
  guint timeout_sec;
  gint64 start_time;
  gboolean exited;
  gboolean wait_failed;
  gboolean timed_out;
};

struct _ExecList {
  IpaExecRunner *runner;
  char *key;
  IpaExecCommand *commands; /* strings owned */
  guint n_commands;
  guint next;               /* index of the next command to start */
  guint n_failed;
  IpaExecContext context;   /* strings owned */
  IpaExecDoneFunc done;
  gpointer user_data;
  GMainContext *main_context;
  GSource *start_source;
  ExecCmd *current;
  gboolean sync;
  gboolean finished;        /* sync lists only */
};

struct _IpaExecRunner {
  GMainContext *context;
  char *shell_path;
  char *shell_arg1;
  guint timeout_sec;
  GHashTable *queues;       /* key -> GQueue of ExecList, the head runs */
  GPtrArray *lists;         /* unfinished asynchronous lists, in order */
  GPtrArray *detached;      /* Readers of finished commands */
  /* Shared with the forked child, which stores its pid there: once
   * spawnv() returns, GLib's worker thread may already have reaped a
   * quick command, and g_subprocess_get_identifier() says NULL.  NULL if
   * mmap() failed. */
  volatile pid_t *pid_slot;
};

/* What the child needs to switch credentials; resolved in the parent
 * because the child may only make async-signal-safe calls. */
typedef struct {
  gboolean set_user;
  gboolean set_group;
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  int n_groups;
  char *name;        /* user name */
  char *home;
  char *failure;     /* message written by the child when switching fails */
  size_t failure_len;
} Credentials;

static void list_advance (ExecList *list);
static void cmd_check_done (ExecCmd *cmd);

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_source_unref (*source);
      *source = NULL;
    }
}

static GSource *
attach_timeout (GMainContext *context,
                guint seconds,
                guint ms,
                GSourceFunc func,
                gpointer data)
{
  GSource *source = seconds > 0 ? g_timeout_source_new_seconds (seconds)
                                : g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  return source;
}

/* Credentials */

static void
credentials_clear (Credentials *creds)
{
  g_clear_pointer (&creds->groups, g_free);
  g_clear_pointer (&creds->name, g_free);
  g_clear_pointer (&creds->home, g_free);
  g_clear_pointer (&creds->failure, g_free);
}

static void
credentials_free (gpointer p)
{
  credentials_clear (p);
  g_free (p);
}

/* Only plain decimal numbers are ids; anything else is a name. */
static gboolean
parse_id (const char *text, guint32 *id)
{
  guint64 value;

  if (!g_ascii_isdigit (text[0]) ||
      !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32 - 1, &value, NULL))
    return FALSE;
  *id = (guint32) value;
  return TRUE;
}

static gboolean
lookup_user (const char *user, Credentials *creds, GError **error)
{
  struct passwd pw, *result = NULL;
  g_autofree char *buf = NULL;
  size_t size = 1024;
  guint32 id;
  gboolean numeric = parse_id (user, &id);
  int r;

  for (;;)
    {
      buf = g_realloc (buf, size);
      r = numeric ? getpwuid_r (id, &pw, buf, size, &result)
                  : getpwnam_r (user, &pw, buf, size, &result);
      if (r != ERANGE || size >= MAX_NSS_BUFFER)
        break;
      size *= 2;
    }
  if (result == NULL)
    {
      /* glibc says "not found" with 0; some NSS modules with ENOENT. */
      if (r == 0 || r == ENOENT || r == ESRCH)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("unknown user \"%s\""), user);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (r),
                     _("cannot look up user \"%s\": %s"), user, g_strerror (r));
      return FALSE;
    }
  creds->uid = pw.pw_uid;
  creds->gid = pw.pw_gid;
  creds->name = g_strdup (pw.pw_name);
  creds->home = g_strdup (pw.pw_dir);
  return TRUE;
}

static gboolean
lookup_group (const char *group, gid_t *gid, GError **error)
{
  struct group gr, *result = NULL;
  g_autofree char *buf = NULL;
  size_t size = 1024;
  guint32 id;
  int r;

  /* A group number need not be in the group database. */
  if (parse_id (group, &id))
    {
      *gid = id;
      return TRUE;
    }
  for (;;)
    {
      buf = g_realloc (buf, size);
      r = getgrnam_r (group, &gr, buf, size, &result);
      if (r != ERANGE || size >= MAX_NSS_BUFFER)
        break;
      size *= 2;
    }
  if (result == NULL)
    {
      if (r == 0 || r == ENOENT || r == ESRCH)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("unknown group \"%s\""), group);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (r),
                     _("cannot look up group \"%s\": %s"), group, g_strerror (r));
      return FALSE;
    }
  *gid = gr.gr_gid;
  return TRUE;
}

/* The user's supplementary groups, with @gid among them. */
static void
lookup_groups (Credentials *creds)
{
  int n = 32;

  creds->groups = g_new (gid_t, n);
  for (;;)
    {
      int asked = n;

      if (getgrouplist (creds->name, creds->gid, creds->groups, &n) != -1)
        break;
      n = MAX (n, asked * 2);
      creds->groups = g_renew (gid_t, creds->groups, n);
    }
  creds->n_groups = n;
}

static gboolean
credentials_resolve (const char *user,
                     const char *group,
                     Credentials *creds,
                     GError **error)
{
  memset (creds, 0, sizeof *creds);
  if (user != NULL && user[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("empty user name"));
      return FALSE;
    }
  if (group != NULL && group[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("empty group name"));
      return FALSE;
    }
  if (user != NULL)
    {
      if (!lookup_user (user, creds, error))
        return FALSE;
      creds->set_user = TRUE;
      creds->set_group = TRUE;
    }
  if (group != NULL)
    {
      if (!lookup_group (group, &creds->gid, error))
        {
          credentials_clear (creds);
          return FALSE;
        }
      creds->set_group = TRUE;
    }
  if (creds->set_user)
    {
      lookup_groups (creds);
    }
  else if (creds->set_group)
    {
      /* Only a group: drop ipa's supplementary groups. */
      creds->groups = g_new (gid_t, 1);
      creds->groups[0] = creds->gid;
      creds->n_groups = 1;
    }
  return TRUE;
}

gboolean
ipa_exec_check_credentials (const char *user,
                            const char *group,
                            GError **error)
{
  Credentials creds;

  if (user == NULL && group == NULL)
    return TRUE;
  if (!credentials_resolve (user, group, &creds, error))
    return FALSE;
  credentials_clear (&creds);
  return TRUE;
}

/* Whether running with @creds needs privileges ipa has not got. */
static gboolean
credentials_need_root (const Credentials *creds)
{
  if (geteuid () == 0)
    return FALSE;
  if (creds->set_user && creds->uid != geteuid ())
    return TRUE;
  return creds->set_group && creds->gid != getegid ();
}

/* The data of child_setup(). */
typedef struct {
  Credentials *creds;       /* NULL: as ipa */
  volatile pid_t *pid_slot; /* may be NULL */
} ChildSetup;

static void
child_setup_free (gpointer p)
{
  ChildSetup *setup = p;

  if (setup->creds != NULL)
    credentials_free (setup->creds);
  g_free (setup);
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void
child_setup (gpointer data)
{
  const ChildSetup *setup = data;
  const Credentials *creds = setup->creds;
  struct sigaction dfl;
  sigset_t none;

  if (setup->pid_slot != NULL)
    *setup->pid_slot = getpid ();
  /* Own session and process group: a timeout kills the whole pipeline. */
  setsid ();
  /* Signals ignored or blocked by ipa must not stay so in the command. */
  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaction (sig, &dfl, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);

  if (creds == NULL || (!creds->set_user && !creds->set_group))
    return;
  if (setgroups ((size_t) creds->n_groups, creds->groups) != 0 ||
      setgid (creds->gid) != 0 ||
      (creds->set_user && setuid (creds->uid) != 0))
    {
      ssize_t unused = write (STDERR_FILENO, creds->failure, creds->failure_len);

      (void) unused;
      _exit (EXIT_CREDENTIALS);
    }
}

/* Capture: fields and output budget */

static Capture *
capture_ref (Capture *capture)
{
  capture->ref_count++;
  return capture;
}

static void
capture_unref (Capture *capture)
{
  if (--capture->ref_count > 0)
    return;
  g_strfreev (capture->fields);
  g_free (capture->command);
  g_free (capture);
}

/* The log fields of a command of @list; @pid 0: not started. */
static char **
make_fields (const ExecList *list, const IpaExecCommand *command, GPid pid)
{
  GPtrArray *fields = g_ptr_array_new ();
  const IpaExecContext *c = &list->context;
  const struct {
    const char *name;
    const char *value;
  } pairs[] = {
    { IPA_LOG_FIELD_RULE, c->rule },
    { IPA_LOG_FIELD_LIMIT, c->limit },
    { FIELD_SUBLIMIT, c->sublimit },
    { IPA_LOG_FIELD_THRESHOLD, c->threshold },
    { FIELD_AUTORULE, c->autorule },
    { IPA_LOG_FIELD_EVENT, c->event },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    if (pairs[i].value != NULL)
      g_ptr_array_add (fields, g_strdup_printf ("%s=%s", pairs[i].name, pairs[i].value));
  g_ptr_array_add (fields, g_strdup_printf (FIELD_COMMAND "=%s", command->command));
  if (command->user != NULL || command->group != NULL)
    g_ptr_array_add (fields, g_strdup_printf (FIELD_USER "=%s%s%s",
                                              command->user != NULL ? command->user : "",
                                              command->group != NULL ? ":" : "",
                                              command->group != NULL ? command->group : ""));
  if (pid > 0)
    g_ptr_array_add (fields, g_strdup_printf (FIELD_PID "=%d", (int) pid));
  g_ptr_array_add (fields, NULL);
  return (char **) g_ptr_array_free (fields, FALSE);
}

static Capture *
capture_new (const ExecList *list, const IpaExecCommand *command, GPid pid)
{
  Capture *capture = g_new0 (Capture, 1);

  capture->ref_count = 1;
  capture->fields = make_fields (list, command, pid);
  capture->command = g_strdup (command->command);
  return capture;
}

static void capture_log (const Capture *capture, int priority, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static void
capture_log (const Capture *capture, int priority, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  ipa_log_structuredv (priority, NULL, (const char *const *) capture->fields, format, ap);
  va_end (ap);
}

static void
capture_line (Capture *capture, int priority, const char *line, gsize len)
{
  g_autofree char *text = NULL;

  if (capture->truncated)
    return;
  if (capture->captured + len + 1 > MAX_CAPTURE)
    {
      capture->truncated = TRUE;
      capture_log (capture, LOG_WARNING,
                   _("output of command \"%s\" truncated after %zu bytes"),
                   capture->command, (size_t) capture->captured);
      return;
    }
  capture->captured += len + 1;
  if (len == 0)
    return;
  /* The journal and D-Bus want text; NUL bytes would cut the message. */
  text = g_utf8_make_valid (line, (gssize) len);
  capture_log (capture, priority, "%s", text);
}

/* Readers of stdout and stderr */

static void
reader_free (Reader *reader)
{
  clear_source (&reader->source);
  g_input_stream_close (reader->stream, NULL, NULL);
  g_object_unref (reader->stream);
  g_string_free (reader->line, TRUE);
  capture_unref (reader->capture);
  g_free (reader);
}

static void
reader_emit (Reader *reader)
{
  GString *line = reader->line;

  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  capture_line (reader->capture, reader->priority, line->str, line->len);
  g_string_truncate (line, 0);
}

static void
reader_feed (Reader *reader, const char *data, gsize n)
{
  const char *p = data, *end = data + n;

  while (p < end && !reader->capture->truncated)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *stop = nl != NULL ? nl : end;
      gsize take = MIN ((gsize) (stop - p), MAX_LINE - reader->line->len);

      g_string_append_len (reader->line, p, (gssize) take);
      p += take;
      if (p == nl)
        {
          p++;
          reader_emit (reader);
        }
      else if (reader->line->len >= MAX_LINE)
        {
          reader_emit (reader);
        }
    }
}

static void
reader_eof (Reader *reader)
{
  ExecCmd *cmd = reader->cmd;

  if (reader->line->len > 0)
    reader_emit (reader);
  if (cmd == NULL)
    {
      g_ptr_array_remove (reader->runner->detached, reader);
      reader_free (reader);
      return;
    }
  cmd->readers[reader->index] = NULL;
  reader_free (reader);
  cmd_check_done (cmd);
}

static ExecCmd *cmd_ref (ExecCmd *cmd);
static void cmd_unref (ExecCmd *cmd);

static gboolean
reader_ready (GObject *stream, gpointer data)
{
  Reader *reader = data;
  char buf[READ_CHUNK];
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream),
                                                buf, sizeof buf, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n > 0)
    {
      reader_feed (reader, buf, (gsize) n);
      return G_SOURCE_CONTINUE;
    }
  if (n < 0)
    capture_log (reader->capture, LOG_WARNING, _("cannot read the output of command \"%s\": %s"),
                 reader->capture->command, error->message);
  if (reader->cmd != NULL)
    {
      /* Finishing the command may run the done callback, which may free
       * the runner: keep the command alive until we are out. */
      ExecCmd *cmd = cmd_ref (reader->cmd);

      reader_eof (reader);
      cmd_unref (cmd);
    }
  else
    {
      reader_eof (reader);
    }
  return G_SOURCE_REMOVE;
}

static void
reader_attach (Reader *reader, GMainContext *context)
{
  clear_source (&reader->source);
  reader->source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (reader->stream),
                                                          NULL);
  g_source_set_callback (reader->source, (GSourceFunc) (void (*) (void)) reader_ready,
                         reader, NULL);
  g_source_attach (reader->source, context);
}

static Reader *
reader_new (ExecCmd *cmd, guint index, GInputStream *stream, int priority,
            GMainContext *context)
{
  Reader *reader = g_new0 (Reader, 1);

  reader->runner = cmd->runner;
  reader->cmd = cmd;
  reader->index = index;
  reader->capture = capture_ref (cmd->capture);
  reader->stream = g_object_ref (stream);
  reader->line = g_string_new (NULL);
  reader->priority = priority;
  reader_attach (reader, context);
  return reader;
}

/* Commands */

static ExecCmd *
cmd_ref (ExecCmd *cmd)
{
  cmd->ref_count++;
  return cmd;
}

static void
cmd_unref (ExecCmd *cmd)
{
  if (--cmd->ref_count > 0)
    return;
  /* Sources and readers are gone: cmd_finish() or cmd_abandon() ran. */
  g_clear_object (&cmd->process);
  g_clear_object (&cmd->cancellable);
  capture_unref (cmd->capture);
  g_free (cmd);
}

static void
cmd_signal (ExecCmd *cmd, int sig)
{
  /* The group: the shell's children too.  A pid of 0 (no pid slot, and
   * reaped before we asked GSubprocess) leaves only the process itself. */
  if (cmd->pid <= 0 || (kill (-cmd->pid, sig) != 0 && errno == ESRCH && !cmd->exited))
    g_subprocess_send_signal (cmd->process, sig);
}

static gboolean
cmd_kill_cb (gpointer data)
{
  ExecCmd *cmd = data;

  clear_source (&cmd->kill_source);
  capture_log (cmd->capture, LOG_WARNING,
               _("command \"%s\" still runs %d s after SIGTERM, sending SIGKILL"),
               cmd->capture->command, IPA_EXEC_KILL_GRACE_SEC);
  cmd_signal (cmd, SIGKILL);
  return G_SOURCE_REMOVE;
}

static gboolean
cmd_timeout_cb (gpointer data)
{
  ExecCmd *cmd = data;

  clear_source (&cmd->timeout_source);
  cmd->timed_out = TRUE;
  capture_log (cmd->capture, LOG_WARNING,
               _("command \"%s\" still runs after %u s, sending SIGTERM"),
               cmd->capture->command, cmd->timeout_sec);
  cmd_signal (cmd, SIGTERM);
  cmd->kill_source = attach_timeout (cmd->list->main_context, IPA_EXEC_KILL_GRACE_SEC, 0,
                                     cmd_kill_cb, cmd);
  return G_SOURCE_REMOVE;
}

/* Logs how the command ended; returns whether it failed. */
static gboolean
cmd_report (ExecCmd *cmd)
{
  const char *text = cmd->capture->command;
  double seconds = (double) (g_get_monotonic_time () - cmd->start_time) / G_USEC_PER_SEC;
  gboolean debug = cmd->list->context.debug;
  GSubprocess *p = cmd->process;

  if (cmd->wait_failed)
    return TRUE;
  if (g_subprocess_get_if_signaled (p))
    {
      int sig = g_subprocess_get_term_sig (p);

      if (cmd->timed_out)
        capture_log (cmd->capture, LOG_WARNING,
                     _("command \"%s\" exceeded its time limit of %u s and was killed by signal %d (%s)"),
                     text, cmd->timeout_sec, sig, g_strsignal (sig));
      else
        capture_log (cmd->capture, LOG_WARNING,
                     _("command \"%s\" was killed by signal %d (%s)"),
                     text, sig, g_strsignal (sig));
      if (debug)
        capture_log (cmd->capture, LOG_INFO,
                     _("command \"%s\" finished: signal %d, %.3f s"), text, sig, seconds);
      return TRUE;
    }
  else
    {
      int status = g_subprocess_get_exit_status (p);

      if (cmd->timed_out)
        capture_log (cmd->capture, LOG_WARNING,
                     _("command \"%s\" exceeded its time limit of %u s and exited with status %d"),
                     text, cmd->timeout_sec, status);
      else if (status != 0)
        capture_log (cmd->capture, LOG_WARNING,
                     _("command \"%s\" exited with status %d"), text, status);
      if (debug)
        capture_log (cmd->capture, LOG_INFO,
                     _("command \"%s\" finished: exit status %d, %.3f s"), text, status, seconds);
      return cmd->timed_out || status != 0;
    }
}

/* Hands the readers still open to the runner, so that the output of
 * background children is still logged after the command is done. */
static void
cmd_detach_readers (ExecCmd *cmd)
{
  IpaExecRunner *runner = cmd->runner;

  for (guint i = 0; i < G_N_ELEMENTS (cmd->readers); i++)
    {
      Reader *reader = cmd->readers[i];

      if (reader == NULL)
        continue;
      cmd->readers[i] = NULL;
      reader->cmd = NULL;
      /* A sync list's context goes away with the list. */
      if (g_source_get_context (reader->source) != runner->context)
        reader_attach (reader, runner->context);
      g_ptr_array_add (runner->detached, reader);
    }
}

static void
cmd_finish (ExecCmd *cmd)
{
  ExecList *list = cmd->list;
  gboolean failed;

  clear_source (&cmd->drain_source);
  cmd_detach_readers (cmd);
  failed = cmd_report (cmd);
  cmd->list = NULL;
  list->current = NULL;
  cmd_unref (cmd);
  if (failed)
    list->n_failed++;
  list_advance (list);
}

static gboolean
cmd_drain_cb (gpointer data)
{
  ExecCmd *cmd = cmd_ref (data);

  clear_source (&cmd->drain_source);
  cmd_finish (cmd);
  cmd_unref (cmd);
  return G_SOURCE_REMOVE;
}

static void
cmd_check_done (ExecCmd *cmd)
{
  if (cmd->list == NULL || !cmd->exited)
    return;
  if (cmd->readers[0] != NULL || cmd->readers[1] != NULL)
    {
      if (cmd->drain_source == NULL)
        cmd->drain_source = attach_timeout (cmd->list->main_context, 0, DRAIN_MS,
                                            cmd_drain_cb, cmd);
      return;
    }
  cmd_finish (cmd);
}

static void
cmd_wait_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  ExecCmd *cmd = data; /* holds a reference */
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error) &&
      cmd->list != NULL)
    {
      capture_log (cmd->capture, LOG_WARNING, _("cannot wait for command \"%s\": %s"),
                   cmd->capture->command, error->message);
      cmd->wait_failed = TRUE;
    }
  if (cmd->list == NULL)
    {
      cmd_unref (cmd);
      return;
    }
  cmd->exited = TRUE;
  clear_source (&cmd->timeout_source);
  clear_source (&cmd->kill_source);
  /* Terminated for its time limit: what is left of the pipeline goes too. */
  if (cmd->timed_out && cmd->pid > 0)
    kill (-cmd->pid, SIGKILL);
  cmd_check_done (cmd);
  cmd_unref (cmd);
}

/* Kills a running command and forgets it, without going on with its list. */
static void
cmd_abandon (ExecCmd *cmd)
{
  if (!cmd->exited)
    {
      capture_log (cmd->capture, LOG_WARNING, _("killing command \"%s\""), cmd->capture->command);
      cmd_signal (cmd, SIGKILL);
    }
  clear_source (&cmd->timeout_source);
  clear_source (&cmd->kill_source);
  clear_source (&cmd->drain_source);
  for (guint i = 0; i < G_N_ELEMENTS (cmd->readers); i++)
    g_clear_pointer (&cmd->readers[i], reader_free);
  /* The wait callback still holds a reference and drops it once the
   * cancellation reaches the main context. */
  g_cancellable_cancel (cmd->cancellable);
  cmd->list->current = NULL;
  cmd->list = NULL;
  cmd_unref (cmd);
}

static void
set_env (GSubprocessLauncher *launcher, const char *name, const char *value)
{
  /* Unset when not given: a value inherited from ipa's own environment
   * would describe some other event. */
  if (value != NULL)
    g_subprocess_launcher_setenv (launcher, name, value, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, name);
}

static char *
describe_user (const IpaExecCommand *command)
{
  if (command->group == NULL)
    return g_strdup (command->user);
  return g_strdup_printf ("%s:%s", command->user != NULL ? command->user : "", command->group);
}

/* Starts @command of @list; FALSE (logged) when it could not start. */
static gboolean
cmd_start (ExecList *list, const IpaExecCommand *command)
{
  IpaExecRunner *runner = list->runner;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *who = NULL;
  Capture *early;
  Credentials *creds = NULL;
  ChildSetup *setup;
  const char *argv[4];
  guint argc = 0;
  ExecCmd *cmd;

  early = capture_new (list, command, 0);
  if (command->user != NULL || command->group != NULL)
    {
      who = describe_user (command);
      creds = g_new0 (Credentials, 1);
      if (!credentials_resolve (command->user, command->group, creds, &error))
        {
          capture_log (early, LOG_ERR, _("cannot run command \"%s\": %s"),
                       command->command, error->message);
          credentials_free (creds);
          capture_unref (early);
          return FALSE;
        }
      if (credentials_need_root (creds))
        {
          capture_log (early, LOG_ERR,
                       _("cannot run command \"%s\" as %s: ipa does not run as root"),
                       command->command, who);
          credentials_free (creds);
          capture_unref (early);
          return FALSE;
        }
      if (geteuid () != 0)
        {
          /* Already that user and group: nothing to switch (and
           * setgroups() would fail without privileges). */
          creds->set_user = FALSE;
          creds->set_group = FALSE;
        }
      creds->failure = g_strdup_printf (_("ipa: cannot switch to user and group %s\n"), who);
      creds->failure_len = strlen (creds->failure);
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  set_env (launcher, "IPA_RULE", list->context.rule);
  set_env (launcher, "IPA_LIMIT", list->context.limit);
  set_env (launcher, "IPA_SUBLIMIT", list->context.sublimit);
  set_env (launcher, "IPA_THRESHOLD", list->context.threshold);
  set_env (launcher, "IPA_AUTORULE", list->context.autorule);
  set_env (launcher, "IPA_EVENT", list->context.event);
  if (creds != NULL && creds->set_user)
    {
      g_subprocess_launcher_setenv (launcher, "USER", creds->name, TRUE);
      g_subprocess_launcher_setenv (launcher, "LOGNAME", creds->name, TRUE);
      g_subprocess_launcher_setenv (launcher, "HOME", creds->home, TRUE);
    }
  setup = g_new0 (ChildSetup, 1);
  setup->creds = creds;
  setup->pid_slot = runner->pid_slot;
  g_subprocess_launcher_set_child_setup (launcher, child_setup, setup, child_setup_free);

  argv[argc++] = runner->shell_path;
  if (runner->shell_arg1[0] != '\0')
    argv[argc++] = runner->shell_arg1;
  argv[argc++] = command->command;
  argv[argc] = NULL;

  /* The wait completes in the context that is thread-default now. */
  g_main_context_push_thread_default (list->main_context);
  if (runner->pid_slot != NULL)
    *runner->pid_slot = 0;
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process == NULL)
    {
      g_main_context_pop_thread_default (list->main_context);
      capture_log (early, LOG_ERR, _("cannot run command \"%s\": %s"),
                   command->command, error->message);
      capture_unref (early);
      return FALSE;
    }
  capture_unref (early);

  cmd = g_new0 (ExecCmd, 1);
  cmd->ref_count = 1; /* the list's */
  cmd->runner = runner;
  cmd->list = list;
  cmd->process = g_steal_pointer (&process);
  cmd->cancellable = g_cancellable_new ();
  if (runner->pid_slot != NULL && *runner->pid_slot > 0)
    {
      cmd->pid = *runner->pid_slot;
    }
  else
    {
      const char *id = g_subprocess_get_identifier (cmd->process);

      cmd->pid = id != NULL ? (GPid) g_ascii_strtoll (id, NULL, 10) : 0;
    }
  cmd->capture = capture_new (list, command, cmd->pid);
  cmd->timeout_sec = runner->timeout_sec;
  cmd->start_time = g_get_monotonic_time ();
  list->current = cmd;

  if (list->context.debug)
    {
      if (who != NULL)
        capture_log (cmd->capture, LOG_INFO, _("running command \"%s\" as %s"),
                     command->command, who);
      else
        capture_log (cmd->capture, LOG_INFO, _("running command \"%s\""), command->command);
    }

  cmd->readers[0] = reader_new (cmd, 0, g_subprocess_get_stdout_pipe (cmd->process),
                                LOG_INFO, list->main_context);
  cmd->readers[1] = reader_new (cmd, 1, g_subprocess_get_stderr_pipe (cmd->process),
                                LOG_WARNING, list->main_context);
  cmd->timeout_source = attach_timeout (list->main_context, cmd->timeout_sec, 0,
                                        cmd_timeout_cb, cmd);
  g_subprocess_wait_async (cmd->process, cmd->cancellable, cmd_wait_cb, cmd_ref (cmd));
  g_main_context_pop_thread_default (list->main_context);
  return TRUE;
}

/* Lists */

static ExecList *
list_new (IpaExecRunner *runner,
          const char *key,
          const IpaExecCommand *commands,
          guint n_commands,
          const IpaExecContext *context)
{
  ExecList *list = g_new0 (ExecList, 1);

  list->runner = runner;
  list->key = g_strdup (key);
  list->n_commands = n_commands;
  list->commands = g_new0 (IpaExecCommand, n_commands > 0 ? n_commands : 1);
  for (guint i = 0; i < n_commands; i++)
    {
      list->commands[i].user = g_strdup (commands[i].user);
      list->commands[i].group = g_strdup (commands[i].group);
      list->commands[i].command = g_strdup (commands[i].command != NULL ? commands[i].command : "");
    }
  if (context != NULL)
    {
      list->context.rule = g_strdup (context->rule);
      list->context.limit = g_strdup (context->limit);
      list->context.sublimit = g_strdup (context->sublimit);
      list->context.threshold = g_strdup (context->threshold);
      list->context.autorule = g_strdup (context->autorule);
      list->context.event = g_strdup (context->event);
      list->context.debug = context->debug;
    }
  return list;
}

static void
list_free (ExecList *list)
{
  clear_source (&list->start_source);
  if (list->current != NULL)
    cmd_abandon (list->current);
  for (guint i = 0; i < list->n_commands; i++)
    {
      g_free ((char *) list->commands[i].user);
      g_free ((char *) list->commands[i].group);
      g_free ((char *) list->commands[i].command);
    }
  g_free (list->commands);
  g_free ((char *) list->context.rule);
  g_free ((char *) list->context.limit);
  g_free ((char *) list->context.sublimit);
  g_free ((char *) list->context.threshold);
  g_free ((char *) list->context.autorule);
  g_free ((char *) list->context.event);
  g_clear_pointer (&list->main_context, g_main_context_unref);
  g_free (list->key);
  g_free (list);
}

static gboolean
list_start_cb (gpointer data)
{
  ExecList *list = data;

  clear_source (&list->start_source);
  list_advance (list);
  return G_SOURCE_REMOVE;
}

/* From an idle source, so that no done callback runs inside run_async(). */
static void
list_schedule_start (ExecList *list)
{
  list->start_source = g_idle_source_new ();
  g_source_set_callback (list->start_source, list_start_cb, list, NULL);
  g_source_attach (list->start_source, list->main_context);
}

static void
list_finish (ExecList *list)
{
  IpaExecRunner *runner = list->runner;
  IpaExecDoneFunc done = list->done;
  gpointer user_data = list->user_data;
  guint n_commands = list->n_commands, n_failed = list->n_failed;

  if (list->sync)
    {
      list->finished = TRUE;
      return;
    }
  g_ptr_array_remove (runner->lists, list);
  if (list->key != NULL)
    {
      GQueue *queue = g_hash_table_lookup (runner->queues, list->key);

      g_assert (queue != NULL && g_queue_peek_head (queue) == list);
      g_queue_pop_head (queue);
      if (g_queue_is_empty (queue))
        g_hash_table_remove (runner->queues, list->key);
      else
        list_schedule_start (g_queue_peek_head (queue));
    }
  list_free (list);
  /* Last: the callback may free the runner. */
  if (done != NULL)
    done (n_commands, n_failed, user_data);
}

static void
list_advance (ExecList *list)
{
  while (list->next < list->n_commands)
    {
      const IpaExecCommand *command = &list->commands[list->next++];

      if (cmd_start (list, command))
        return;
      list->n_failed++;
    }
  list_finish (list);
}

/* Runner */

IpaExecRunner *
ipa_exec_runner_new (const char *shell_path,
                     const char *shell_arg1,
                     guint timeout_sec)
{
  IpaExecRunner *runner = g_new0 (IpaExecRunner, 1);

  runner->context = g_main_context_ref_thread_default ();
  runner->shell_path = g_strdup (shell_path != NULL ? shell_path : "/bin/sh");
  /* An empty shell_arg1 means no argument between shell and command. */
  runner->shell_arg1 = g_strdup (shell_arg1 != NULL ? shell_arg1 : "-c");
  ipa_exec_runner_set_timeout (runner, timeout_sec);
  runner->queues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_queue_free);
  runner->lists = g_ptr_array_new ();
  runner->detached = g_ptr_array_new ();
  runner->pid_slot = mmap (NULL, sizeof (pid_t), PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (runner->pid_slot == MAP_FAILED)
    runner->pid_slot = NULL;
  return runner;
}

void
ipa_exec_runner_set_timeout (IpaExecRunner *runner, guint timeout_sec)
{
  g_return_if_fail (runner != NULL);
  runner->timeout_sec = timeout_sec > 0 ? timeout_sec : IPA_EXEC_DEFAULT_TIMEOUT_SEC;
}

guint
ipa_exec_runner_get_n_pending (IpaExecRunner *runner)
{
  g_return_val_if_fail (runner != NULL, 0);
  return runner->lists->len;
}

void
ipa_exec_run_async (IpaExecRunner *runner,
                    const char *key,
                    const IpaExecCommand *commands,
                    guint n_commands,
                    const IpaExecContext *context,
                    IpaExecDoneFunc done,
                    gpointer user_data)
{
  ExecList *list;

  g_return_if_fail (runner != NULL);
  g_return_if_fail (commands != NULL || n_commands == 0);

  list = list_new (runner, key, commands, n_commands, context);
  list->done = done;
  list->user_data = user_data;
  list->main_context = g_main_context_ref (runner->context);
  g_ptr_array_add (runner->lists, list);
  if (key != NULL)
    {
      GQueue *queue = g_hash_table_lookup (runner->queues, key);

      if (queue != NULL)
        {
          /* Starts when the lists before it have finished. */
          g_queue_push_tail (queue, list);
          return;
        }
      queue = g_queue_new ();
      g_queue_push_tail (queue, list);
      g_hash_table_insert (runner->queues, g_strdup (key), queue);
    }
  list_schedule_start (list);
}

guint
ipa_exec_run_sync (IpaExecRunner *runner,
                   const IpaExecCommand *commands,
                   guint n_commands,
                   const IpaExecContext *context)
{
  ExecList *list;
  GMainContext *main_context;
  guint n_failed;

  g_return_val_if_fail (runner != NULL, 0);
  g_return_val_if_fail (commands != NULL || n_commands == 0, 0);

  /* A private context: the caller's sources must not run meanwhile. */
  main_context = g_main_context_new ();
  g_main_context_push_thread_default (main_context);
  list = list_new (runner, NULL, commands, n_commands, context);
  list->sync = TRUE;
  list->main_context = g_main_context_ref (main_context);
  list_advance (list);
  while (!list->finished)
    g_main_context_iteration (main_context, TRUE);
  n_failed = list->n_failed;
  list_free (list);
  g_main_context_pop_thread_default (main_context);
  g_main_context_unref (main_context);
  return n_failed;
}

static gboolean
flag_set_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef struct {
  IpaExecDoneFunc done;
  gpointer user_data;
  guint n_commands;
  guint n_failed;
} DoneCall;

void
ipa_exec_runner_wait_all (IpaExecRunner *runner, guint timeout_ms)
{
  g_autoptr(GPtrArray) lists = NULL;
  g_autoptr(GArray) calls = NULL;
  gboolean expired = FALSE;
  GSource *deadline;

  g_return_if_fail (runner != NULL);

  deadline = attach_timeout (runner->context, 0, timeout_ms, flag_set_cb, &expired);
  while (runner->lists->len > 0 && !expired)
    g_main_context_iteration (runner->context, TRUE);
  clear_source (&deadline);
  if (runner->lists->len == 0)
    return;

  /* Kill what is left; the lists end here, their remaining commands
   * counted as failed. */
  lists = g_steal_pointer (&runner->lists);
  runner->lists = g_ptr_array_new ();
  g_hash_table_remove_all (runner->queues);
  calls = g_array_sized_new (FALSE, FALSE, sizeof (DoneCall), lists->len);
  for (guint i = 0; i < lists->len; i++)
    {
      ExecList *list = g_ptr_array_index (lists, i);
      guint not_run = list->n_commands - list->next;
      DoneCall call = { list->done, list->user_data, list->n_commands, list->n_failed + not_run };

      if (list->current != NULL)
        call.n_failed++;
      for (guint j = list->next; j < list->n_commands; j++)
        {
          Capture *capture = capture_new (list, &list->commands[j], 0);

          capture_log (capture, LOG_WARNING, _("command \"%s\" not run: still waiting at shutdown"),
                       list->commands[j].command);
          capture_unref (capture);
        }
      g_array_append_val (calls, call);
      list_free (list);
    }
  /* Last: a callback may free the runner. */
  for (guint i = 0; i < calls->len; i++)
    {
      const DoneCall *call = &g_array_index (calls, DoneCall, i);

      if (call->done != NULL)
        call->done (call->n_commands, call->n_failed, call->user_data);
    }
}

void
ipa_exec_runner_free (IpaExecRunner *runner)
{
  if (runner == NULL)
    return;
  for (guint i = 0; i < runner->lists->len; i++)
    list_free (g_ptr_array_index (runner->lists, i));
  g_ptr_array_unref (runner->lists);
  for (guint i = 0; i < runner->detached->len; i++)
    reader_free (g_ptr_array_index (runner->detached, i));
  g_ptr_array_unref (runner->detached);
  g_hash_table_unref (runner->queues);
  g_main_context_unref (runner->context);
  if (runner->pid_slot != NULL)
    munmap ((void *) runner->pid_slot, sizeof (pid_t));
  g_free (runner->shell_path);
  g_free (runner->shell_arg1);
  g_free (runner);
}
