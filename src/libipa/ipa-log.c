/*
 * ipa-log.c: logging to the journal or to stderr.
 */
#include "config.h"

#include "ipa-log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include <glib/gi18n-lib.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* At most one "cannot send to the journal" notice in this many µs, so
 * that a missing journald does not double the volume on stderr. */
#define FALLBACK_NOTICE_INTERVAL (60 * G_USEC_PER_SEC)

/* All state below is guarded by log_lock.  A recursive lock, so that a
 * capture handler may log. */
static GRecMutex log_lock;
/* Interned: threads may still hold the old pointer after a re-init. */
static const char *log_ident = "ipa";
static IpaLogTarget log_requested = IPA_LOG_TARGET_AUTO;
static IpaLogTarget log_resolved = IPA_LOG_TARGET_STDERR;
static gboolean log_opened;
static gboolean log_also_stderr;
static int log_max_priority = LOG_INFO;
static IpaLogHandler log_handler;
static gpointer log_handler_data;
static int default_journal_sendv (const struct iovec *iov, int n);
static IpaLogJournalSendv log_sendv = default_journal_sendv;
static gboolean journal_failing;
static gint64 fallback_notice_time;
/* ipa -o: the log file and its name (for ipa_log_reopen_file). */
static int log_file_fd = -1;
static char *log_file_path;

static const char *const no_fields[] = { NULL };

void
ipa_log_init (const char *ident, IpaLogTarget target)
{
  g_rec_mutex_lock (&log_lock);
  log_ident = g_intern_string (ident != NULL ? ident : "ipa");
  log_requested = target;
  log_opened = FALSE;
  log_also_stderr = FALSE;
  journal_failing = FALSE;
  fallback_notice_time = 0;
  g_rec_mutex_unlock (&log_lock);
}

void
ipa_log_set_also_stderr (gboolean also_stderr)
{
  g_rec_mutex_lock (&log_lock);
  log_also_stderr = also_stderr;
  g_rec_mutex_unlock (&log_lock);
}

void
ipa_log_set_max_priority (int max_priority)
{
  g_rec_mutex_lock (&log_lock);
  log_max_priority = CLAMP (max_priority, LOG_EMERG, LOG_DEBUG);
  g_rec_mutex_unlock (&log_lock);
}

void
ipa_log_set_handler (IpaLogHandler handler, gpointer user_data)
{
  g_rec_mutex_lock (&log_lock);
  log_handler = handler;
  log_handler_data = user_data;
  g_rec_mutex_unlock (&log_lock);
}

void
ipa_log_set_journal_sendv (IpaLogJournalSendv sendv)
{
  g_rec_mutex_lock (&log_lock);
  log_sendv = sendv != NULL ? sendv : default_journal_sendv;
  journal_failing = FALSE;
  fallback_notice_time = 0;
  g_rec_mutex_unlock (&log_lock);
}

static int
open_log_file (const char *path, GError **error)
{
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("cannot open log file %s: %s"), path, g_strerror (saved));
    }
  return fd;
}

gboolean
ipa_log_set_file (const char *path, GError **error)
{
  int fd = open_log_file (path, error);

  if (fd < 0)
    return FALSE;
  g_rec_mutex_lock (&log_lock);
  if (log_file_fd >= 0)
    close (log_file_fd);
  log_file_fd = fd;
  g_free (log_file_path);
  log_file_path = g_strdup (path);
  log_requested = IPA_LOG_TARGET_FILE;
  log_opened = FALSE;
  g_rec_mutex_unlock (&log_lock);
  return TRUE;
}

gboolean
ipa_log_reopen_file (GError **error)
{
  g_autofree char *path = NULL;
  int fd;

  g_rec_mutex_lock (&log_lock);
  path = g_strdup (log_file_path);
  g_rec_mutex_unlock (&log_lock);
  if (path == NULL)
    return TRUE;
  fd = open_log_file (path, error);
  if (fd < 0)
    return FALSE;
  g_rec_mutex_lock (&log_lock);
  if (log_file_fd >= 0)
    close (log_file_fd);
  log_file_fd = fd;
  g_rec_mutex_unlock (&log_lock);
  return TRUE;
}

static gboolean
journal_socket_reachable (void)
{
  struct stat st;

  return stat (JOURNAL_SOCKET, &st) == 0 && S_ISSOCK (st.st_mode) &&
         access (JOURNAL_SOCKET, W_OK) == 0;
}

/* The journal's native protocol over our own non-blocking datagram
 * socket.  sd_journal_sendv() uses a blocking socket: a journald that is
 * stopped (SIGSTOP, a hung disk) fills its receive queue and then every
 * logging call would hang the daemon.  Here a full queue is waited for a
 * moment (JOURNAL_WAIT_MS: a burst of messages must not be lost to a
 * journald that reads a moment later); when that wait times out, the
 * journal counts as stalled and later messages do not wait at all, until
 * one gets through again.  Failed messages go to stderr.
 * sd_journal_sendv() also reports success when the socket does not exist
 * (it drops the message on purpose); we would rather have it on stderr. */
#define JOURNAL_WAIT_MS 100

/* The socket is connected, so that poll() reports room in journald's
 * queue; journal_send_lock serialises its use and its replacement. */
static GMutex journal_send_lock;
static int journal_fd = -1;
static gboolean journal_stalled;

static int
journal_connect_locked (void)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int size = 8 * 1024 * 1024;
  int fd;

  if (journal_fd >= 0)
    return journal_fd;
  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -1;
  /* As libsystemd does: room for large entries, capped by
   * net.core.wmem_max. */
  (void) setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  G_STATIC_ASSERT (sizeof JOURNAL_SOCKET <= sizeof addr.sun_path);
  memcpy (addr.sun_path, JOURNAL_SOCKET, sizeof JOURNAL_SOCKET);
  if (connect (fd, (struct sockaddr *) &addr,
               (socklen_t) (offsetof (struct sockaddr_un, sun_path) + sizeof JOURNAL_SOCKET)) != 0)
    {
      int saved = errno;

      close (fd);
      errno = saved;
      return -1;
    }
  journal_fd = fd;
  return fd;
}

static void
journal_disconnect_locked (void)
{
  if (journal_fd >= 0)
    close (journal_fd);
  journal_fd = -1;
}

/* Send @data; returns 0 or -errno.  Called with journal_send_lock held. */
static int
journal_send_locked (const guint8 *data, gsize len)
{
  for (guint attempt = 0;; attempt++)
    {
      int fd = journal_connect_locked ();
      int err;

      if (fd < 0)
        return -errno;
      if (send (fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
        {
          journal_stalled = FALSE;
          return 0;
        }
      err = errno;
      if (err == EINTR)
        continue;
      if (err == EAGAIN)
        {
          struct pollfd pfd = { .fd = fd, .events = POLLOUT };

          if (!journal_stalled && attempt == 0 && poll (&pfd, 1, JOURNAL_WAIT_MS) > 0)
            continue;
          journal_stalled = TRUE;
          return -EAGAIN;
        }
      if (err == EMSGSIZE || err == ENOBUFS)
        return -err;
      /* journald went away or was restarted: connect afresh, once now. */
      journal_disconnect_locked ();
      if (attempt > 0 || (err != ECONNREFUSED && err != ENOTCONN &&
                          err != ECONNRESET && err != EPIPE))
        return -err;
    }
}

/* KEY=value, or KEY\n<64-bit little-endian length>value when the value
 * holds a newline. */
static void
append_native_field (GByteArray *out, const struct iovec *field)
{
  const char *text = field->iov_base;
  const char *eq = memchr (text, '=', field->iov_len);
  const char *value;
  size_t value_len;

  if (eq == NULL)
    return;
  value = eq + 1;
  value_len = field->iov_len - (size_t) (value - text);
  if (memchr (value, '\n', value_len) == NULL)
    {
      g_byte_array_append (out, (const guint8 *) text, (guint) field->iov_len);
    }
  else
    {
      guint64 le = GUINT64_TO_LE ((guint64) value_len);

      g_byte_array_append (out, (const guint8 *) text, (guint) (eq - text));
      g_byte_array_append (out, (const guint8 *) "\n", 1);
      g_byte_array_append (out, (const guint8 *) &le, sizeof le);
      g_byte_array_append (out, (const guint8 *) value, (guint) value_len);
    }
  g_byte_array_append (out, (const guint8 *) "\n", 1);
}

static int
default_journal_sendv (const struct iovec *iov, int n)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  int r;

  for (int i = 0; i < n; i++)
    append_native_field (data, &iov[i]);
  g_mutex_lock (&journal_send_lock);
  r = journal_send_locked (data->data, data->len);
  g_mutex_unlock (&journal_send_lock);
  /* Too large for one datagram: libsystemd passes it in a memfd. */
  if (r == -EMSGSIZE || r == -ENOBUFS)
    r = sd_journal_sendv (iov, n);
  return r;
}

static IpaLogTarget
resolve_target (IpaLogTarget requested)
{
  if (requested == IPA_LOG_TARGET_FILE)
    return log_file_fd >= 0 ? IPA_LOG_TARGET_FILE : IPA_LOG_TARGET_STDERR;
  if (requested != IPA_LOG_TARGET_AUTO)
    return requested;
  /* Someone at a terminal wants to read the messages there. */
  if (isatty (STDERR_FILENO))
    return IPA_LOG_TARGET_STDERR;
  /* JOURNAL_STREAM/INVOCATION_ID: started by systemd. */
  if (g_getenv ("JOURNAL_STREAM") != NULL || g_getenv ("INVOCATION_ID") != NULL ||
      journal_socket_reachable ())
    return IPA_LOG_TARGET_JOURNAL;
  return IPA_LOG_TARGET_STDERR;
}

/* Called with log_lock held. */
static void
open_locked (void)
{
  if (log_opened)
    return;
  log_resolved = resolve_target (log_requested);
  log_opened = TRUE;
}

void
ipa_log_open (void)
{
  g_rec_mutex_lock (&log_lock);
  /* After ipa_log_close(): the log file again, by its name. */
  if (log_file_fd < 0 && log_file_path != NULL)
    log_file_fd = open_log_file (log_file_path, NULL);
  open_locked ();
  g_rec_mutex_unlock (&log_lock);
}

void
ipa_log_close (void)
{
  /* For a forked child that is about to close its descriptors: give up
   * ours first, so that no message goes into a descriptor number that
   * the child reuses for something else.  The next message (or
   * ipa_log_open) decides the target afresh. */
  g_rec_mutex_lock (&log_lock);
  g_mutex_lock (&journal_send_lock);
  journal_disconnect_locked ();
  g_mutex_unlock (&journal_send_lock);
  if (log_file_fd >= 0)
    close (log_file_fd);
  log_file_fd = -1;
  log_opened = FALSE;
  g_rec_mutex_unlock (&log_lock);
}

void
ipa_log_retarget (void)
{
  g_rec_mutex_lock (&log_lock);
  log_opened = FALSE;
  g_rec_mutex_unlock (&log_lock);
}

IpaLogTarget
ipa_log_get_target (void)
{
  IpaLogTarget target;

  g_rec_mutex_lock (&log_lock);
  open_locked ();
  target = log_resolved;
  g_rec_mutex_unlock (&log_lock);
  return target;
}

const char *
ipa_log_priority_word (int priority)
{
  switch (priority)
    {
    case LOG_EMERG:
      /* TRANSLATORS: the priority of a log line written to stderr or to a
       * log file, as in "ipa: warning: …" (also the four words below); the
       * journal gets the number. */
      return _("emergency");
    case LOG_ALERT:
      return _("alert");
    case LOG_CRIT:
      return _("critical");
    case LOG_ERR:
      return _("error");
    case LOG_WARNING:
      return _("warning");
    default:
      return NULL;
    }
}

char *
ipa_log_format_line (const IpaLogRecord *record)
{
  GString *line = g_string_new (record->ident != NULL ? record->ident : "ipa");
  const char *word = ipa_log_priority_word (record->priority);

  g_string_append (line, ": ");
  if (word != NULL)
    g_string_append_printf (line, "%s: ", word);
  if (record->module != NULL)
    g_string_append_printf (line, "%s: ", record->module);
  g_string_append (line, record->message);
  return g_string_free (line, FALSE);
}

/* One write(2) per line, so that lines of threads and of children sharing
 * stderr (or the log file) do not interleave.  FALSE when it failed. */
static gboolean
write_all (int fd, const char *text)
{
  size_t len = strlen (text);
  const char *p = text;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      p += n;
      len -= (size_t) n;
    }
  return TRUE;
}

static void
write_stderr (const IpaLogRecord *record)
{
  g_autofree char *line = ipa_log_format_line (record);
  g_autofree char *text = g_strconcat (line, "\n", NULL);

  (void) write_all (STDERR_FILENO, text);
}

/* Called with log_lock held: "2024-05-01T12:00:00+0200 [PID] LINE". */
static gboolean
write_file_locked (const IpaLogRecord *record)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%z");
  g_autofree char *line = ipa_log_format_line (record);
  g_autofree char *text = g_strdup_printf ("%s [%ld] %s\n", stamp, (long) getpid (), line);

  return log_file_fd >= 0 && write_all (log_file_fd, text);
}

static gboolean
valid_field (const char *field)
{
  const char *eq = strchr (field, '=');

  return eq != NULL && eq != field;
}

static int
send_journal (IpaLogJournalSendv sendv, const IpaLogRecord *record)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autofree struct iovec *iov = NULL;

  g_ptr_array_add (strings, g_strdup_printf ("PRIORITY=%d", record->priority));
  g_ptr_array_add (strings, g_strdup_printf ("SYSLOG_IDENTIFIER=%s", record->ident));
  g_ptr_array_add (strings, g_strdup_printf ("MESSAGE=%s", record->message));
  if (record->module != NULL)
    g_ptr_array_add (strings, g_strdup_printf (IPA_LOG_FIELD_MODULE "=%s", record->module));
  for (const char *const *f = record->fields; *f != NULL; f++)
    if (valid_field (*f))
      g_ptr_array_add (strings, g_strdup (*f));

  iov = g_new (struct iovec, strings->len);
  for (guint i = 0; i < strings->len; i++)
    {
      iov[i].iov_base = g_ptr_array_index (strings, i);
      iov[i].iov_len = strlen (g_ptr_array_index (strings, i));
    }
  return sendv (iov, (int) strings->len);
}

/* Called with log_lock held, after the journal refused a message. */
static void
fallback_notice_locked (int err)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *message = NULL;
  IpaLogRecord notice = { LOG_WARNING, log_ident, NULL, no_fields, NULL };

  if (journal_failing && now - fallback_notice_time < FALLBACK_NOTICE_INTERVAL)
    return;
  journal_failing = TRUE;
  fallback_notice_time = now;
  message = g_strdup_printf (_("cannot send to the journal (%s), logging to stderr"),
                             g_strerror (err));
  notice.message = message;
  write_stderr (&notice);
}

static void
emit (int priority,
      const char *module,
      const char *const *fields,
      const char *message)
{
  IpaLogRecord record = { priority, NULL, module, fields != NULL ? fields : no_fields, message };
  IpaLogJournalSendv sendv;
  gboolean to_journal, to_stderr;
  int r;

  g_rec_mutex_lock (&log_lock);
  if (priority > log_max_priority)
    {
      g_rec_mutex_unlock (&log_lock);
      return;
    }
  record.ident = log_ident;
  if (log_handler != NULL)
    {
      log_handler (&record, log_handler_data);
      g_rec_mutex_unlock (&log_lock);
      return;
    }
  open_locked ();
  if (log_resolved == IPA_LOG_TARGET_FILE)
    {
      /* A file that cannot be written (disk full) still leaves stderr. */
      to_stderr = !write_file_locked (&record) || log_also_stderr;
      if (to_stderr)
        write_stderr (&record);
      g_rec_mutex_unlock (&log_lock);
      return;
    }
  to_journal = log_resolved == IPA_LOG_TARGET_JOURNAL;
  to_stderr = !to_journal || log_also_stderr;
  sendv = log_sendv;
  g_rec_mutex_unlock (&log_lock);

  /* Outside the lock: a slow journal must not stall other threads. */
  r = to_journal ? send_journal (sendv, &record) : 0;

  g_rec_mutex_lock (&log_lock);
  if (r < 0)
    {
      fallback_notice_locked (-r);
      to_stderr = TRUE;
    }
  else if (to_journal)
    {
      journal_failing = FALSE;
    }
  if (to_stderr)
    write_stderr (&record);
  g_rec_mutex_unlock (&log_lock);
}

void
ipa_log_structuredv (int priority,
                     const char *module,
                     const char *const *fields,
                     const char *format,
                     va_list ap)
{
  g_autofree char *message = g_strdup_vprintf (format, ap);

  emit (priority, module, fields, message);
}

void
ipa_log_structured (int priority,
                    const char *module,
                    const char *const *fields,
                    const char *format,
                    ...)
{
  va_list ap;

  va_start (ap, format);
  ipa_log_structuredv (priority, module, fields, format, ap);
  va_end (ap);
}

void
ipa_logv (int priority, const char *format, va_list ap)
{
  ipa_log_structuredv (priority, NULL, NULL, format, ap);
}

void
ipa_log (int priority, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  ipa_log_structuredv (priority, NULL, NULL, format, ap);
  va_end (ap);
}
