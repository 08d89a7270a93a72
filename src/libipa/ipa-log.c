/*
 * ipa-log.c: logging to the journal or to stderr.
 */
#include "config.h"

#include "ipa-log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

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

static gboolean
journal_socket_reachable (void)
{
  struct stat st;

  return stat (JOURNAL_SOCKET, &st) == 0 && S_ISSOCK (st.st_mode) &&
         access (JOURNAL_SOCKET, W_OK) == 0;
}

/* sd_journal_sendv() reports success when the socket does not exist (it
 * drops the message on purpose); we would rather have it on stderr. */
static int
default_journal_sendv (const struct iovec *iov, int n)
{
  struct stat st;

  if (stat (JOURNAL_SOCKET, &st) != 0)
    return -errno;
  return sd_journal_sendv (iov, n);
}

static IpaLogTarget
resolve_target (IpaLogTarget requested)
{
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
  open_locked ();
  g_rec_mutex_unlock (&log_lock);
}

void
ipa_log_close (void)
{
  /* libsystemd keeps its own O_CLOEXEC datagram socket and has no call to
   * drop it; forgetting the resolved target is what is left to do, so that
   * the next message decides afresh (e.g. a child without a terminal). */
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
      return "emergency";
    case LOG_ALERT:
      return "alert";
    case LOG_CRIT:
      return "critical";
    case LOG_ERR:
      return "error";
    case LOG_WARNING:
      return "warning";
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
 * stderr do not interleave. */
static void
write_stderr (const IpaLogRecord *record)
{
  g_autofree char *line = ipa_log_format_line (record);
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  size_t len = strlen (text);
  const char *p = text;

  while (len > 0)
    {
      ssize_t n = write (STDERR_FILENO, p, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      p += n;
      len -= (size_t) n;
    }
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
  message = g_strdup_printf ("cannot send to the journal (%s), logging to stderr",
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
