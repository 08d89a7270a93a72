/*
 * test-log.c: ipa-log (journal / stderr logging).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "ipa-log.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Captured records. */

typedef struct {
  int priority;
  char *ident;
  char *module;
  char **fields;
  char *message;
} Record;

static void
record_free (gpointer p)
{
  Record *r = p;

  g_free (r->ident);
  g_free (r->module);
  g_strfreev (r->fields);
  g_free (r->message);
  g_free (r);
}

static void
capture (const IpaLogRecord *record, gpointer user_data)
{
  GPtrArray *records = user_data;
  Record *r = g_new0 (Record, 1);

  r->priority = record->priority;
  r->ident = g_strdup (record->ident);
  r->module = g_strdup (record->module);
  r->fields = g_strdupv ((char **) record->fields);
  r->message = g_strdup (record->message);
  g_ptr_array_add (records, r);
}

/* A journal that records what it is sent (as KEY=value strings), or
 * refuses with fake_journal_error. */
static GPtrArray *journal_entries; /* GStrv per entry */
static int fake_journal_error;
/* Atomic: ipa-log calls the sender outside its lock, from many threads. */
static gint fake_journal_calls;

static int
fake_journal_sendv (const struct iovec *iov, int n)
{
  GStrvBuilder *b;

  g_atomic_int_inc (&fake_journal_calls);
  if (fake_journal_error != 0)
    return -fake_journal_error;
  b = g_strv_builder_new ();
  for (int i = 0; i < n; i++)
    {
      g_autofree char *s = g_strndup (iov[i].iov_base, iov[i].iov_len);

      g_strv_builder_add (b, s);
    }
  g_ptr_array_add (journal_entries, g_strv_builder_end (b));
  g_strv_builder_unref (b);
  return 0;
}

static void
reset_fake_journal (int error)
{
  g_clear_pointer (&journal_entries, g_ptr_array_unref);
  journal_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  fake_journal_error = error;
  fake_journal_calls = 0;
  ipa_log_set_journal_sendv (fake_journal_sendv);
}

static void
test_priority_word (void)
{
  g_assert_cmpstr (ipa_log_priority_word (LOG_EMERG), ==, "emergency");
  g_assert_cmpstr (ipa_log_priority_word (LOG_ALERT), ==, "alert");
  g_assert_cmpstr (ipa_log_priority_word (LOG_CRIT), ==, "critical");
  g_assert_cmpstr (ipa_log_priority_word (LOG_ERR), ==, "error");
  g_assert_cmpstr (ipa_log_priority_word (LOG_WARNING), ==, "warning");
  g_assert_null (ipa_log_priority_word (LOG_NOTICE));
  g_assert_null (ipa_log_priority_word (LOG_INFO));
  g_assert_null (ipa_log_priority_word (LOG_DEBUG));
}

static void
test_format_line (void)
{
  const char *const none[] = { NULL };
  struct {
    int priority;
    const char *module;
    const char *expected;
  } cases[] = {
    { LOG_INFO, NULL, "ipa: hello" },
    { LOG_NOTICE, NULL, "ipa: hello" },
    { LOG_INFO, "gdbm", "ipa: gdbm: hello" },
    { LOG_WARNING, NULL, "ipa: warning: hello" },
    { LOG_ERR, "gdbm", "ipa: error: gdbm: hello" },
    { LOG_CRIT, NULL, "ipa: critical: hello" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      IpaLogRecord r = { cases[i].priority, "ipa", cases[i].module, none, "hello" };
      g_autofree char *line = ipa_log_format_line (&r);

      g_assert_cmpstr (line, ==, cases[i].expected);
    }
}

static void
test_stderr (void)
{
  if (g_test_subprocess ())
    {
      ipa_log_init ("ipatest", IPA_LOG_TARGET_STDERR);
      g_assert_cmpint (ipa_log_get_target (), ==, IPA_LOG_TARGET_STDERR);
      ipa_log (LOG_ERR, "boom %d", 1);
      ipa_log (LOG_INFO, "fine");
      ipa_log_structured (LOG_WARNING, "tac", NULL, "odd %s", "thing");
      ipa_log (LOG_DEBUG, "not shown by default");
      ipa_log_set_max_priority (LOG_DEBUG);
      ipa_log (LOG_DEBUG, "debug shown");
      ipa_log_set_max_priority (LOG_ERR);
      ipa_log (LOG_WARNING, "warning dropped");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("ipatest: error: boom 1\n"
                             "ipatest: fine\n"
                             "ipatest: warning: tac: odd thing\n"
                             "ipatest: debug shown\n");
  g_test_trap_assert_stdout ("");
}

static void
test_handler (void)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (record_free);
  const char *const fields[] = { "IPA_RULE=r1", "MESSAGE_ID=0123456789abcdef0123456789abcdef", NULL };
  Record *r;

  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);
  ipa_log_set_handler (capture, records);
  ipa_log (LOG_INFO, "plain %s", "message");
  ipa_log_structured (LOG_ERR, "gdbm", fields, "cannot open %s", "x.db");
  ipa_log (LOG_DEBUG, "dropped below LOG_INFO");
  ipa_log_set_handler (NULL, NULL);

  g_assert_cmpuint (records->len, ==, 2);
  r = records->pdata[0];
  g_assert_cmpint (r->priority, ==, LOG_INFO);
  g_assert_cmpstr (r->ident, ==, "ipa");
  g_assert_null (r->module);
  g_assert_cmpuint (g_strv_length (r->fields), ==, 0);
  g_assert_cmpstr (r->message, ==, "plain message");
  r = records->pdata[1];
  g_assert_cmpint (r->priority, ==, LOG_ERR);
  g_assert_cmpstr (r->module, ==, "gdbm");
  g_assert_true (g_strv_equal ((const char *const *) r->fields, fields));
  g_assert_cmpstr (r->message, ==, "cannot open x.db");
}

/* A handler that logs again must not deadlock. */
static void
reentrant_handler (const IpaLogRecord *record, gpointer user_data)
{
  guint *n = user_data;

  if ((*n)++ == 0)
    ipa_log (LOG_INFO, "from the handler");
}

static void
test_handler_reentrant (void)
{
  guint n = 0;

  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);
  ipa_log_set_handler (reentrant_handler, &n);
  ipa_log (LOG_INFO, "first");
  ipa_log_set_handler (NULL, NULL);
  g_assert_cmpuint (n, ==, 2);
}

static void
test_journal_fields (void)
{
  if (g_test_subprocess ())
    {
      const char *const fields[] = { "IPA_RULE=r1", "malformed", "=novalue",
                                     "MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1", NULL };
      char **e;

      reset_fake_journal (0);
      ipa_log_init ("ipatest", IPA_LOG_TARGET_JOURNAL);
      g_assert_cmpint (ipa_log_get_target (), ==, IPA_LOG_TARGET_JOURNAL);
      ipa_log_structured (LOG_WARNING, "tac", fields, "limit %s reached", "l1");
      ipa_log (LOG_INFO, "two\nlines");

      g_assert_cmpuint (journal_entries->len, ==, 2);
      e = journal_entries->pdata[0];
      g_assert_cmpuint (g_strv_length (e), ==, 6);
      g_assert_cmpstr (e[0], ==, "PRIORITY=4");
      g_assert_cmpstr (e[1], ==, "SYSLOG_IDENTIFIER=ipatest");
      g_assert_cmpstr (e[2], ==, "MESSAGE=limit l1 reached");
      g_assert_cmpstr (e[3], ==, "IPA_MODULE=tac");
      g_assert_cmpstr (e[4], ==, "IPA_RULE=r1");
      g_assert_cmpstr (e[5], ==, "MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1");
      e = journal_entries->pdata[1];
      g_assert_cmpuint (g_strv_length (e), ==, 3);
      g_assert_cmpstr (e[0], ==, "PRIORITY=6");
      g_assert_cmpstr (e[2], ==, "MESSAGE=two\nlines");
      ipa_log_set_journal_sendv (NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* Nothing on stderr when the journal takes the messages. */
  g_test_trap_assert_stderr ("");
}

static void
test_journal_fallback (void)
{
  if (g_test_subprocess ())
    {
      reset_fake_journal (ECONNREFUSED);
      ipa_log_init ("ipatest", IPA_LOG_TARGET_JOURNAL);
      ipa_log (LOG_ERR, "first");
      ipa_log_structured (LOG_INFO, "gdbm", NULL, "second");
      ipa_log (LOG_INFO, "third");
      g_assert_cmpint (g_atomic_int_get (&fake_journal_calls), ==, 3);
      ipa_log_set_journal_sendv (NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* One notice, not one per message. */
  g_test_trap_assert_stderr ("ipatest: warning: cannot send to the journal (Connection refused), "
                             "logging to stderr\n"
                             "ipatest: error: first\n"
                             "ipatest: gdbm: second\n"
                             "ipatest: third\n");
}

/* The journal comes back, then goes again: a new notice. */
static void
test_journal_fallback_recovers (void)
{
  if (g_test_subprocess ())
    {
      reset_fake_journal (ECONNREFUSED);
      ipa_log_init ("ipatest", IPA_LOG_TARGET_JOURNAL);
      ipa_log (LOG_INFO, "lost 1");
      fake_journal_error = 0;
      ipa_log (LOG_INFO, "to the journal");
      fake_journal_error = ENOENT;
      ipa_log (LOG_INFO, "lost 2");
      g_assert_cmpuint (journal_entries->len, ==, 1);
      ipa_log_set_journal_sendv (NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("ipatest: warning: cannot send to the journal (Connection refused), "
                             "logging to stderr\n"
                             "ipatest: lost 1\n"
                             "ipatest: warning: cannot send to the journal (No such file or directory), "
                             "logging to stderr\n"
                             "ipatest: lost 2\n");
}

/* The real sd_journal_sendv() on a machine without journald. */
static void
test_journal_unreachable (void)
{
  struct stat st;

  if (stat (JOURNAL_SOCKET, &st) == 0)
    {
      g_test_skip ("journald is running here");
      return;
    }
  if (g_test_subprocess ())
    {
      ipa_log_init ("ipatest", IPA_LOG_TARGET_JOURNAL);
      ipa_log (LOG_WARNING, "nobody listens");
      ipa_log (LOG_INFO, "still nobody");
      return;
    }
  g_test_trap_subprocess (NULL, 5 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("ipatest: warning: cannot send to the journal (*), logging to stderr\n"
                             "ipatest: warning: nobody listens\n"
                             "ipatest: still nobody\n");
}

static void
test_also_stderr (void)
{
  if (g_test_subprocess ())
    {
      reset_fake_journal (0);
      ipa_log_init ("ipatest", IPA_LOG_TARGET_JOURNAL);
      ipa_log_set_also_stderr (TRUE);
      ipa_log (LOG_INFO, "both");
      g_assert_cmpuint (journal_entries->len, ==, 1);
      ipa_log_set_journal_sendv (NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("ipatest: both\n");
}

static void
test_auto (void)
{
  if (g_test_subprocess ())
    {
      struct stat st;
      gboolean socket_there = stat (JOURNAL_SOCKET, &st) == 0;

      /* stderr is a pipe here, not a terminal. */
      g_unsetenv ("JOURNAL_STREAM");
      g_unsetenv ("INVOCATION_ID");
      ipa_log_init ("ipatest", IPA_LOG_TARGET_AUTO);
      g_assert_cmpint (ipa_log_get_target (), ==,
                       socket_there ? IPA_LOG_TARGET_JOURNAL : IPA_LOG_TARGET_STDERR);

      /* Started by systemd: the journal, even if the socket is missing
       * (then each message falls back to stderr). */
      g_setenv ("INVOCATION_ID", "0123456789abcdef0123456789abcdef", TRUE);
      g_assert_cmpint (ipa_log_get_target (), ==,
                       socket_there ? IPA_LOG_TARGET_JOURNAL : IPA_LOG_TARGET_STDERR);
      /* …once the log is reopened (the target is resolved lazily). */
      ipa_log_close ();
      g_assert_cmpint (ipa_log_get_target (), ==, IPA_LOG_TARGET_JOURNAL);
      ipa_log_init ("ipatest", IPA_LOG_TARGET_STDERR);
      g_assert_cmpint (ipa_log_get_target (), ==, IPA_LOG_TARGET_STDERR);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Threads */

#define N_THREADS 8
#define N_MESSAGES 200

static gpointer
log_thread (gpointer data)
{
  guint id = GPOINTER_TO_UINT (data);

  for (guint i = 0; i < N_MESSAGES; i++)
    ipa_log_structured (i % 2 ? LOG_INFO : LOG_WARNING, "thr", NULL,
                        "thread %u message %u %s", id, i,
                        "padding padding padding padding padding padding padding");
  return NULL;
}

static void
run_threads (void)
{
  GThread *threads[N_THREADS];

  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("log", log_thread, GUINT_TO_POINTER (t));
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
}

static void
test_threads_handler (void)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (record_free);
  guint counts[N_THREADS] = { 0 };

  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);
  ipa_log_set_handler (capture, records);
  run_threads ();
  ipa_log_set_handler (NULL, NULL);

  g_assert_cmpuint (records->len, ==, N_THREADS * N_MESSAGES);
  for (guint i = 0; i < records->len; i++)
    {
      Record *r = records->pdata[i];
      guint id, n;

      g_assert_cmpstr (r->module, ==, "thr");
      g_assert_cmpint (sscanf (r->message, "thread %u message %u", &id, &n), ==, 2);
      g_assert_cmpuint (id, <, N_THREADS);
      /* Each thread's messages arrive in its order. */
      g_assert_cmpuint (n, ==, counts[id]);
      counts[id]++;
    }
}

static void
test_threads_stderr (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  int fd, saved;
  guint n = 0;

  /* stderr into a file, for the duration of the threads. */
  fd = g_file_open_tmp ("test-log-XXXXXX", &path, &error);
  g_assert_no_error (error);
  saved = dup (STDERR_FILENO);
  g_assert_cmpint (dup2 (fd, STDERR_FILENO), ==, STDERR_FILENO);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);
  run_threads ();
  g_assert_cmpint (dup2 (saved, STDERR_FILENO), ==, STDERR_FILENO);
  close (saved);
  close (fd);

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_unlink (path);

  /* Whole lines only, none torn apart by another thread. */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      g_assert_true (g_regex_match_simple ("^ipa: (warning: )?thr: thread [0-9]+ message [0-9]+ "
                                           "padding padding padding padding padding padding padding$",
                                           lines[i], 0, 0));
      n++;
    }
  g_assert_cmpuint (n, ==, N_THREADS * N_MESSAGES);
}

static void
test_threads_journal_fallback (void)
{
  if (g_test_subprocess ())
    {
      reset_fake_journal (ECONNREFUSED);
      ipa_log_init ("ipa", IPA_LOG_TARGET_JOURNAL);
      run_threads ();
      g_assert_cmpint (g_atomic_int_get (&fake_journal_calls), ==, N_THREADS * N_MESSAGES);
      ipa_log_set_journal_sendv (NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("ipa: warning: cannot send to the journal (Connection refused), "
                             "logging to stderr\n*");
  g_test_trap_assert_stderr_unmatched ("*\nipa: warning: cannot send to the journal*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/log/priority-word", test_priority_word);
  g_test_add_func ("/log/format-line", test_format_line);
  g_test_add_func ("/log/stderr", test_stderr);
  g_test_add_func ("/log/handler", test_handler);
  g_test_add_func ("/log/handler-reentrant", test_handler_reentrant);
  g_test_add_func ("/log/journal-fields", test_journal_fields);
  g_test_add_func ("/log/journal-fallback", test_journal_fallback);
  g_test_add_func ("/log/journal-fallback-recovers", test_journal_fallback_recovers);
  g_test_add_func ("/log/journal-unreachable", test_journal_unreachable);
  g_test_add_func ("/log/also-stderr", test_also_stderr);
  g_test_add_func ("/log/auto", test_auto);
  g_test_add_func ("/log/threads-handler", test_threads_handler);
  g_test_add_func ("/log/threads-stderr", test_threads_stderr);
  g_test_add_func ("/log/threads-journal-fallback", test_threads_journal_fallback);

  return g_test_run ();
}
