/*
 * ipa-log.h: logging of ipa, ipactl and ipastat.
 *
 * Messages go to the journal with structured fields (PRIORITY,
 * SYSLOG_IDENTIFIER, MESSAGE, IPA_MODULE and whatever the caller adds,
 * e.g. IPA_RULE= or MESSAGE_ID=), or to stderr as "IDENT: [PRIO: ][MODULE: ]MESSAGE",
 * or to a log file (ipa -o) as the stderr line after a time stamp and the
 * PID.  Every function here may be called from any thread.
 *
 * Sending to the journal never blocks: the datagram socket is
 * non-blocking, so a journald that is stopped or too slow to read makes
 * the message fall back to stderr instead of stalling the caller.
 */
#pragma once

#include <glib.h>
#include <stdarg.h>
#include <syslog.h>
#include <sys/uio.h>

G_BEGIN_DECLS

typedef enum {
  IPA_LOG_TARGET_AUTO,    /* the journal if it is there and stderr is not a terminal */
  IPA_LOG_TARGET_JOURNAL,
  IPA_LOG_TARGET_STDERR,
  IPA_LOG_TARGET_FILE,    /* the file of ipa_log_set_file() */
} IpaLogTarget;

/* Names of the structured fields of ipa (see the journal catalog). */
#define IPA_LOG_FIELD_MODULE     "IPA_MODULE"
#define IPA_LOG_FIELD_RULE       "IPA_RULE"
#define IPA_LOG_FIELD_LIMIT      "IPA_LIMIT"
#define IPA_LOG_FIELD_THRESHOLD  "IPA_THRESHOLD"
#define IPA_LOG_FIELD_EVENT      "IPA_EVENT"
#define IPA_LOG_FIELD_MESSAGE_ID "MESSAGE_ID"

/* One message, as a capture handler sees it. */
typedef struct {
  int priority;              /* LOG_EMERG .. LOG_DEBUG */
  const char *ident;         /* SYSLOG_IDENTIFIER, e.g. "ipa" */
  const char *module;        /* IPA_MODULE, NULL for the program itself */
  const char *const *fields; /* extra "KEY=value" strings, NULL-terminated, never NULL */
  const char *message;
} IpaLogRecord;

typedef void (*IpaLogHandler) (const IpaLogRecord *record,
                               gpointer user_data);

/* Sends one journal entry, as sd_journal_sendv(); returns 0 or -errno. */
typedef int (*IpaLogJournalSendv) (const struct iovec *iov, int n);

/* Set the identifier and the target.  The target is resolved lazily, at
 * the first message (or at ipa_log_open()).  Resets also_stderr. */
void ipa_log_init (const char *ident, IpaLogTarget target);

/* Log to the file at @path (appended to, created with mode 0640) from
 * now on: the target becomes IPA_LOG_TARGET_FILE, until ipa_log_init()
 * asks for another one.  The descriptor stays open across chroot and
 * privilege changes.  On failure nothing changes. */
gboolean ipa_log_set_file (const char *path, GError **error);

/* Open the log file again under the same name (after log rotation).  On
 * failure the old descriptor is kept. */
gboolean ipa_log_reopen_file (GError **error);

/* The "-d" switch: copy every message to stderr as well. */
void ipa_log_set_also_stderr (gboolean also_stderr);

/* Messages less important than @max_priority are dropped (default LOG_INFO). */
void ipa_log_set_max_priority (int max_priority);

/* The resolved target: IPA_LOG_TARGET_JOURNAL, _STDERR or _FILE.
 * Opens the log if it is not open yet. */
IpaLogTarget ipa_log_get_target (void);

/* Resolve the target now / forget it.  A forked child that closes
 * descriptors calls ipa_log_close() before, then ipa_log_open() (suppfunc
 * close_log/open_log): close gives up the journal socket and the log file,
 * open opens the log file again by its name. */
void ipa_log_open (void);
void ipa_log_close (void);

/* Decide the target afresh at the next message, keeping every
 * descriptor: after stdin/stdout/stderr changed (a daemon that detached
 * from its terminal). */
void ipa_log_retarget (void);

void ipa_log (int priority, const char *format, ...) G_GNUC_PRINTF (2, 3);
void ipa_logv (int priority, const char *format, va_list ap) G_GNUC_PRINTF (2, 0);

/* @module (may be NULL) becomes IPA_MODULE= and the "MODULE: " of the
 * stderr line; @fields (may be NULL) are extra "KEY=value" journal fields,
 * e.g. { "IPA_RULE=r1", "MESSAGE_ID=…", NULL }.  Entries without '=' are
 * ignored.  CODE_FILE=/CODE_LINE= may be given the same way. */
void ipa_log_structured (int priority,
                         const char *module,
                         const char *const *fields,
                         const char *format,
                         ...) G_GNUC_PRINTF (4, 5);
void ipa_log_structuredv (int priority,
                          const char *module,
                          const char *const *fields,
                          const char *format,
                          va_list ap) G_GNUC_PRINTF (4, 0);

/* Send every message to @handler instead of the target (tests); NULL
 * restores normal output.  The handler runs with the log lock held, so
 * calls are serialised; it may log again (the lock is recursive). */
void ipa_log_set_handler (IpaLogHandler handler, gpointer user_data);

/* The stderr line of @record, without the newline. */
char *ipa_log_format_line (const IpaLogRecord *record);

/* "error", "warning", … for LOG_WARNING and worse, else NULL. */
const char *ipa_log_priority_word (int priority);

/* Replace sd_journal_sendv() (tests); NULL restores it. */
void ipa_log_set_journal_sendv (IpaLogJournalSendv sendv);

G_END_DECLS
