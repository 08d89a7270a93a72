/*
 * test-exec.c: ipa-exec (running the commands of exec parameters) with
 * real processes; the log is captured with ipa_log_set_handler().
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ipa-exec.h"
#include "ipa-log.h"

/* Captured log records */

typedef struct {
  int priority;
  char **fields;
  char *message;
} Record;

static GPtrArray *records;

static void
record_free (gpointer p)
{
  Record *r = p;

  g_strfreev (r->fields);
  g_free (r->message);
  g_free (r);
}

static void
capture (const IpaLogRecord *record, gpointer user_data)
{
  Record *r = g_new0 (Record, 1);

  r->priority = record->priority;
  r->fields = g_strdupv ((char **) record->fields);
  r->message = g_strdup (record->message);
  g_ptr_array_add (records, r);
}

static const char *
record_field (const Record *r, const char *name)
{
  gsize len = strlen (name);

  for (char **f = r->fields; *f != NULL; f++)
    if (strncmp (*f, name, len) == 0 && (*f)[len] == '=')
      return *f + len + 1;
  return NULL;
}

/* The first record whose message is exactly @message, or NULL. */
static const Record *
find_exact (const char *message)
{
  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);

      if (strcmp (r->message, message) == 0)
        return r;
    }
  return NULL;
}

static int
index_of (const char *message)
{
  for (guint i = 0; i < records->len; i++)
    if (strcmp (((Record *) g_ptr_array_index (records, i))->message, message) == 0)
      return (int) i;
  return -1;
}

/* The first record containing all of @parts (NULL-terminated). */
static const Record *
find_containing (const char *first, ...)
{
  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);
      gboolean all = TRUE;
      va_list ap;

      va_start (ap, first);
      for (const char *part = first; part != NULL; part = va_arg (ap, const char *))
        if (strstr (r->message, part) == NULL)
          all = FALSE;
      va_end (ap);
      if (all)
        return r;
    }
  return NULL;
}

static guint
count_containing (const char *part)
{
  guint n = 0;

  for (guint i = 0; i < records->len; i++)
    if (strstr (((Record *) g_ptr_array_index (records, i))->message, part) != NULL)
      n++;
  return n;
}

static void
dump_records (void)
{
  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);

      g_test_message ("log %u: <%d> %s", i, r->priority, r->message);
    }
}

/* Fixture: log capture and a scratch directory */

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  records = g_ptr_array_new_with_free_func (record_free);
  ipa_log_set_max_priority (LOG_DEBUG);
  ipa_log_set_handler (capture, NULL);
  fx->dir = g_dir_make_tmp ("ipa-exec-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (g_test_failed ())
    dump_records ();
  /* Cancelled waits of killed commands complete here. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ipa_log_set_handler (NULL, NULL);
  g_clear_pointer (&records, g_ptr_array_unref);
  remove_dir (fx->dir);
  g_free (fx->dir);
}

static char *
path_in (Fixture *fx, const char *name)
{
  return g_build_filename (fx->dir, name, NULL);
}

/* Main loop helpers */

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default context until *@flag or @timeout_ms (fails then). */
static void
spin_until_flag (const gboolean *flag, guint timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, flag_cb, &expired);

  while (!*flag && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  g_assert_true (*flag);
}

/* Iterates until a record with message @message shows up. */
static void
spin_until_message (const char *message, guint timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, flag_cb, &expired);

  while (find_exact (message) == NULL && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  g_assert_nonnull (find_exact (message));
}

static void
spin_for (guint ms)
{
  gboolean expired = FALSE;

  g_timeout_add (ms, flag_cb, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

/* Done callbacks */

typedef struct {
  const char *name;
  GPtrArray *order;  /* names of finished lists, shared */
  guint calls;
  guint n_commands;
  guint n_failed;
  gboolean finished;
} Done;

static void
done_cb (guint n_commands, guint n_failed, gpointer user_data)
{
  Done *d = user_data;

  d->calls++;
  d->n_commands = n_commands;
  d->n_failed = n_failed;
  d->finished = TRUE;
  if (d->order != NULL)
    g_ptr_array_add (d->order, (gpointer) d->name);
}

/* Processes */

/* Number of processes of group @pgid that are not zombies.  Killed
 * grandchildren are reparented to PID 1, which reaps them slowly here;
 * a zombie is dead, so it does not count. */
static guint
count_live_in_group (GPid pgid)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *p;
      char state;
      int ppid, pgrp;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid pgrp ...", comm may contain ')' */
      p = strrchr (stat, ')');
      if (p == NULL || sscanf (p + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
        continue;
      if (pgrp == pgid && state != 'Z' && state != 'X')
        n++;
    }
  return n;
}

/* Waits up to @timeout_ms for group @pgid to have no live process. */
static guint
wait_group_gone (GPid pgid, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint n;

  while ((n = count_live_in_group (pgid)) > 0 && g_get_monotonic_time () < end)
    g_usleep (20 * 1000);
  return n;
}

/* IPA_EXEC_PID of the first record with IPA_EXEC_COMMAND=@command. */
static GPid
pid_of (const char *command)
{
  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);
      const char *c = record_field (r, "IPA_EXEC_COMMAND");
      const char *pid = record_field (r, "IPA_EXEC_PID");

      if (c != NULL && pid != NULL && strcmp (c, command) == 0)
        return (GPid) g_ascii_strtoll (pid, NULL, 10);
    }
  return 0;
}

static void
spin_until_pid (const char *command, guint timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, flag_cb, &expired);

  while (pid_of (command) == 0 && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  g_assert_cmpint (pid_of (command), >, 0);
}

/* Tests */

static void
test_list_order (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  g_autofree char *flag = path_in (fx, "first-done");
  g_autofree char *c1 = g_strdup_printf ("sleep 0.3; echo one; touch '%s'", flag);
  g_autofree char *c2 = g_strdup_printf ("test -e '%s' && echo two", flag);
  IpaExecCommand commands[] = { { NULL, NULL, c1 }, { NULL, NULL, c2 }, { NULL, NULL, "echo three" } };
  Done done = { "list" };

  ipa_exec_run_async (runner, "r/l", commands, G_N_ELEMENTS (commands), NULL, done_cb, &done);
  /* Commands are copied: the caller's array may go. */
  memset (commands, 0, sizeof commands);
  g_assert_cmpuint (done.calls, ==, 0);
  g_assert_cmpuint (ipa_exec_runner_get_n_pending (runner), ==, 1);
  spin_until_flag (&done.finished, 10000);
  g_assert_cmpuint (done.calls, ==, 1);
  g_assert_cmpuint (done.n_commands, ==, 3);
  g_assert_cmpuint (done.n_failed, ==, 0);
  g_assert_cmpuint (ipa_exec_runner_get_n_pending (runner), ==, 0);
  g_assert_cmpint (index_of ("one"), >=, 0);
  g_assert_cmpint (index_of ("one"), <, index_of ("two"));
  g_assert_cmpint (index_of ("two"), <, index_of ("three"));
}

static void
test_same_key_order (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autofree char *flag = path_in (fx, "a-done");
  g_autofree char *ca = g_strdup_printf ("sleep 0.3; echo a; touch '%s'", flag);
  g_autofree char *cb = g_strdup_printf ("test -e '%s' && echo b", flag);
  IpaExecCommand la[] = { { NULL, NULL, ca } };
  IpaExecCommand lb[] = { { NULL, NULL, cb } };
  IpaExecCommand lc[] = { { NULL, NULL, "echo c" } };
  Done da = { "a", order }, db = { "b", order }, dc = { "c", order };

  ipa_exec_run_async (runner, "rule/limit", la, 1, NULL, done_cb, &da);
  ipa_exec_run_async (runner, "rule/limit", lb, 1, NULL, done_cb, &db);
  ipa_exec_run_async (runner, "rule/limit", lc, 1, NULL, done_cb, &dc);
  g_assert_cmpuint (ipa_exec_runner_get_n_pending (runner), ==, 3);
  spin_until_flag (&dc.finished, 10000);
  g_assert_cmpuint (order->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "a");
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, "b");
  g_assert_cmpstr (g_ptr_array_index (order, 2), ==, "c");
  g_assert_cmpuint (da.n_failed + db.n_failed + dc.n_failed, ==, 0);
  g_assert_cmpint (index_of ("a"), <, index_of ("b"));
  g_assert_cmpint (index_of ("b"), <, index_of ("c"));
  g_assert_cmpuint (ipa_exec_runner_get_n_pending (runner), ==, 0);
}

/* A waits for a file that B creates: with different keys (or no key)
 * both must run at the same time, else A gives up and fails. */
static void
check_concurrent (Fixture *fx, const char *key_a, const char *key_b)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  g_autofree char *flag = path_in (fx, key_a != NULL ? "keyed" : "nokey");
  g_autofree char *ca = g_strdup_printf ("i=0; while [ ! -e '%s' ]; do sleep 0.05; i=$((i+1));"
                                         " [ $i -gt 60 ] && exit 1; done; echo a-%s",
                                         flag, key_a != NULL ? key_a : "none");
  g_autofree char *cb = g_strdup_printf ("touch '%s'", flag);
  IpaExecCommand la[] = { { NULL, NULL, ca } };
  IpaExecCommand lb[] = { { NULL, NULL, cb } };
  Done da = { "a" }, db = { "b" };

  ipa_exec_run_async (runner, key_a, la, 1, NULL, done_cb, &da);
  ipa_exec_run_async (runner, key_b, lb, 1, NULL, done_cb, &db);
  spin_until_flag (&da.finished, 10000);
  spin_until_flag (&db.finished, 10000);
  g_assert_cmpuint (da.n_failed, ==, 0);
  g_assert_cmpuint (db.n_failed, ==, 0);
}

static void
test_keys_concurrent (Fixture *fx, gconstpointer data)
{
  check_concurrent (fx, "rule1/limit", "rule2/limit");
  check_concurrent (fx, NULL, NULL);
}

static void
test_output_fields (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  const char *cmd = "echo out-line; echo err-line >&2; echo pid=$$";
  IpaExecCommand commands[] = { { NULL, NULL, cmd } };
  IpaExecContext context = { .rule = "r1", .limit = "l1", .event = "reach" };
  const Record *out, *err, *pid;
  g_autofree char *expected_pid = NULL;

  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 1, &context), ==, 0);
  out = find_exact ("out-line");
  err = find_exact ("err-line");
  g_assert_nonnull (out);
  g_assert_nonnull (err);
  g_assert_cmpint (out->priority, ==, LOG_INFO);
  g_assert_cmpint (err->priority, ==, LOG_WARNING);
  for (const Record *const *r = (const Record *const[]) { out, err, NULL }; *r != NULL; r++)
    {
      g_assert_cmpstr (record_field (*r, "IPA_RULE"), ==, "r1");
      g_assert_cmpstr (record_field (*r, "IPA_LIMIT"), ==, "l1");
      g_assert_cmpstr (record_field (*r, "IPA_EVENT"), ==, "reach");
      g_assert_cmpstr (record_field (*r, "IPA_EXEC_COMMAND"), ==, cmd);
      g_assert_null (record_field (*r, "IPA_THRESHOLD"));
      g_assert_null (record_field (*r, "IPA_SUBLIMIT"));
      g_assert_nonnull (record_field (*r, "IPA_EXEC_PID"));
    }
  /* The shell's $$ is the process ipa started. */
  expected_pid = g_strdup_printf ("pid=%s", record_field (out, "IPA_EXEC_PID"));
  pid = find_exact (expected_pid);
  g_assert_nonnull (pid);
  /* Nothing else was logged for a successful command without debug. */
  g_assert_cmpuint (records->len, ==, 3);
}

static void
test_long_line (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  /* 10000 bytes without a newline, then a CRLF line. */
  IpaExecCommand commands[] = {
    { NULL, NULL, "head -c 10000 /dev/zero | tr '\\0' x; printf '\\ncrlf\\r\\n'" },
  };
  gsize total = 0;

  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 1, NULL), ==, 0);
  g_assert_cmpuint (records->len, >, 1);
  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);
      gsize len = strlen (r->message);

      if (strcmp (r->message, "crlf") == 0)
        continue;
      /* Pieces are bounded, and nothing is lost. */
      g_assert_cmpuint (len, <=, 4096);
      g_assert_cmpuint (strspn (r->message, "x"), ==, len);
      total += len;
    }
  g_assert_cmpuint (total, ==, 10000);
  g_assert_nonnull (find_exact ("crlf"));
}

static void
test_truncation (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 20);
  /* 2000 lines of 100 bytes on stdout, and some stderr at the end. */
  const char *cmd = "i=0; line=$(head -c 99 /dev/zero | tr '\\0' y);"
                    " while [ $i -lt 2000 ]; do echo \"$line\"; i=$((i+1)); done;"
                    " echo late-err >&2; echo finished-ok";
  IpaExecCommand commands[] = { { NULL, NULL, cmd } };
  const Record *truncated;
  gsize logged = 0;
  guint lines = 0;

  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 1, NULL), ==, 0);
  for (guint i = 0; i < records->len; i++)
    {
      const Record *r = g_ptr_array_index (records, i);

      if (r->message[0] == 'y')
        {
          logged += strlen (r->message) + 1;
          lines++;
        }
    }
  g_assert_cmpuint (count_containing ("truncated"), ==, 1);
  truncated = find_containing ("output of command", "truncated", NULL);
  g_assert_nonnull (truncated);
  g_assert_cmpint (truncated ? truncated->priority : -1, ==, LOG_WARNING);
  /* 64 KiB at most, and not much less. */
  g_assert_cmpuint (logged, <=, 64 * 1024);
  g_assert_cmpuint (logged, >, 60 * 1024);
  g_assert_cmpuint (lines, <, 2000);
  /* Output after the cut is dropped, yet the command ran to its end
   * (exit 0): it was not stopped by a closed pipe. */
  g_assert_null (find_exact ("late-err"));
  g_assert_null (find_exact ("finished-ok"));
}

static void
test_environment (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  IpaExecCommand commands[] = {
    { NULL, NULL, "echo \"R=$IPA_RULE L=$IPA_LIMIT S=$IPA_SUBLIMIT"
                  " T=${IPA_THRESHOLD-unset} A=$IPA_AUTORULE E=$IPA_EVENT I=$IPA_TEST_INHERITED\"" },
    /* stdin is /dev/null: read gets end of file at once. */
    { NULL, NULL, "read x; echo read=$?" },
  };
  IpaExecContext context = {
    .rule = "rule one", .limit = "day", .sublimit = "90%", .autorule = "auto",
    .event = "reach",
  };

  /* main() set IPA_TEST_INHERITED=yes and a stale IPA_THRESHOLD, which
   * must not leak through. */
  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 2, &context), ==, 0);
  g_assert_nonnull (find_exact ("R=rule one L=day S=90% T=unset A=auto E=reach I=yes"));
  g_assert_nonnull (find_exact ("read=1"));
}

static void
test_exit_status (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  IpaExecCommand commands[] = {
    { NULL, NULL, "exit 3" },
    { NULL, NULL, "kill -9 $$" },
    { NULL, NULL, "true" },
    { NULL, NULL, "echo still-runs" },
  };
  IpaExecContext context = { .rule = "r", .event = "startup" };
  const Record *r;

  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, G_N_ELEMENTS (commands), &context), ==, 2);
  r = find_containing ("\"exit 3\"", "status 3", NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->priority, ==, LOG_WARNING);
  g_assert_cmpstr (record_field (r, "IPA_EXEC_COMMAND"), ==, "exit 3");
  g_assert_cmpstr (record_field (r, "IPA_EVENT"), ==, "startup");
  r = find_containing ("\"kill -9 $$\"", "signal 9", NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->priority, ==, LOG_WARNING);
  g_assert_nonnull (find_exact ("still-runs"));
  g_assert_null (find_containing ("\"true\"", NULL));
}

static void
test_debug (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  IpaExecCommand commands[] = { { NULL, NULL, "exit 0" } };
  IpaExecContext context = { .debug = TRUE };
  const Record *start, *end;

  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 1, &context), ==, 0);
  start = find_containing ("running command \"exit 0\"", NULL);
  end = find_containing ("\"exit 0\"", "finished", "status 0", NULL);
  g_assert_nonnull (start);
  g_assert_nonnull (end);
  g_assert_nonnull (record_field (start, "IPA_EXEC_PID"));
  g_assert_cmpint (start->priority, >=, LOG_INFO);
  g_assert_cmpint (end->priority, >=, LOG_INFO);
}

static gboolean
set_true_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_sync_private_context (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  IpaExecCommand async_commands[] = { { NULL, NULL, "echo async-ran" } };
  IpaExecCommand commands[] = { { NULL, NULL, "sleep 0.2; echo sync-ran" }, { NULL, NULL, "false" } };
  gboolean idle_ran = FALSE;
  Done done = { "async" };

  g_idle_add (set_true_cb, &idle_ran);
  ipa_exec_run_async (runner, NULL, async_commands, 1, NULL, done_cb, &done);
  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 2, NULL), ==, 1);
  /* The caller's loop did not run: neither its idle nor the async list. */
  g_assert_false (idle_ran);
  g_assert_cmpuint (done.calls, ==, 0);
  g_assert_null (find_exact ("async-ran"));
  g_assert_nonnull (find_exact ("sync-ran"));
  g_assert_cmpuint (ipa_exec_runner_get_n_pending (runner), ==, 1);
  spin_until_flag (&done.finished, 10000);
  g_assert_true (idle_ran);
  g_assert_nonnull (find_exact ("async-ran"));
}

static void
test_timeout_term (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 1);
  IpaExecCommand commands[] = { { NULL, NULL, "sleep 100" }, { NULL, NULL, "echo next" } };
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 2, NULL), ==, 1);
  elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_assert_nonnull (find_containing ("\"sleep 100\"", "SIGTERM", NULL));
  g_assert_nonnull (find_containing ("\"sleep 100\"", "time limit", "signal 15", NULL));
  g_assert_null (find_containing ("SIGKILL", NULL));
  g_assert_nonnull (find_exact ("next"));
  /* SIGTERM was enough: no wait for the grace period. */
  g_assert_cmpfloat (elapsed, <, IPA_EXEC_KILL_GRACE_SEC);
}

static void
test_timeout_kill (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 1);
  IpaExecCommand commands[] = {
    { NULL, NULL, "trap 'echo got-term' TERM; while :; do sleep 0.1; done" },
  };
  gint64 start = g_get_monotonic_time ();
  double elapsed;
  int term, kill9;

  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 1, NULL), ==, 1);
  elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  term = index_of ("got-term");
  g_assert_cmpint (term, >=, 0);
  g_assert_nonnull (find_containing ("SIGTERM", NULL));
  kill9 = (int) count_containing ("sending SIGKILL");
  g_assert_cmpint (kill9, ==, 1);
  g_assert_nonnull (find_containing ("time limit", "signal 9", NULL));
  /* SIGKILL comes only after the grace period. */
  g_assert_cmpfloat (elapsed, >=, 1 + IPA_EXEC_KILL_GRACE_SEC - 0.5);
  g_assert_cmpfloat (elapsed, <, 30);
}

static void
test_pipeline_killed (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 1);
  const char *cmd = "sleep 100 | cat";
  IpaExecCommand commands[] = { { NULL, NULL, cmd } };
  IpaExecContext context = { .debug = TRUE };
  Done done = { "pipeline" };
  GPid pgid;

  ipa_exec_run_async (runner, NULL, commands, 1, &context, done_cb, &done);
  spin_until_pid (cmd, 5000);
  pgid = pid_of (cmd);
  spin_for (300);
  /* The shell, sleep and cat share the command's process group. */
  g_assert_cmpuint (count_live_in_group (pgid), >=, 2);
  spin_until_flag (&done.finished, 15000);
  g_assert_cmpuint (done.n_failed, ==, 1);
  g_assert_cmpuint (wait_group_gone (pgid, 3000), ==, 0);
}

static void
test_background_output (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  const char *cmd = "(sleep 1.5; echo late) & echo early";
  IpaExecCommand commands[] = { { NULL, NULL, cmd }, { NULL, NULL, "echo next" } };
  IpaExecCommand sync_commands[] = { { NULL, NULL, "(sleep 0.5; echo late-sync) & echo early-sync" } };
  Done done = { "bg" };
  const Record *late;

  ipa_exec_run_async (runner, "k", commands, 2, NULL, done_cb, &done);
  /* A background child holding the pipe does not hold up the list. */
  spin_until_flag (&done.finished, 1400);
  g_assert_cmpuint (done.n_failed, ==, 0);
  g_assert_nonnull (find_exact ("next"));
  g_assert_null (find_exact ("late"));
  spin_until_message ("late", 5000);
  late = find_exact ("late");
  g_assert_nonnull (late);
  if (late == NULL)
    return;
  g_assert_cmpstr (record_field (late, "IPA_EXEC_COMMAND"), ==, cmd);
  g_assert_cmpint (index_of ("early"), <, index_of ("next"));

  /* Same from a sync run: its context is gone, the runner's takes over. */
  g_assert_cmpuint (ipa_exec_run_sync (runner, sync_commands, 1, NULL), ==, 0);
  g_assert_nonnull (find_exact ("early-sync"));
  spin_until_message ("late-sync", 5000);
}

static void
test_wait_all (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 60);
  IpaExecCommand slow[] = { { NULL, NULL, "sleep 100" }, { NULL, NULL, "echo never" } };
  IpaExecCommand quick[] = { { NULL, NULL, "echo quick" } };
  IpaExecContext context = { .debug = TRUE, .rule = "r", .event = "reach" };
  Done ds = { "slow" }, dq = { "quick" };
  gint64 start;
  double elapsed;
  GPid pgid;

  /* Everything done early: wait_all returns early. */
  ipa_exec_run_async (runner, "a", quick, 1, NULL, done_cb, &dq);
  start = g_get_monotonic_time ();
  ipa_exec_runner_wait_all (runner, 20000);
  elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_assert_true (dq.finished);
  g_assert_cmpuint (dq.n_failed, ==, 0);
  g_assert_cmpfloat (elapsed, <, 10);

  dq = (Done) { "quick" };
  ipa_exec_run_async (runner, "b", slow, 2, &context, done_cb, &ds);
  ipa_exec_run_async (runner, "c", quick, 1, NULL, done_cb, &dq);
  start = g_get_monotonic_time ();
  ipa_exec_runner_wait_all (runner, 700);
  elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_assert_cmpfloat (elapsed, >=, 0.6);
  g_assert_cmpfloat (elapsed, <, 10);
  g_assert_cmpuint (ipa_exec_runner_get_n_pending (runner), ==, 0);
  g_assert_cmpuint (dq.calls, ==, 1);
  g_assert_cmpuint (dq.n_failed, ==, 0);
  g_assert_cmpuint (ds.calls, ==, 1);
  g_assert_cmpuint (ds.n_commands, ==, 2);
  /* Killed, and the second never ran. */
  g_assert_cmpuint (ds.n_failed, ==, 2);
  g_assert_null (find_exact ("never"));
  g_assert_nonnull (find_containing ("killing command \"sleep 100\"", NULL));
  g_assert_nonnull (find_containing ("\"echo never\" not run", NULL));
  g_assert_cmpstr (record_field (find_containing ("\"echo never\" not run", NULL), "IPA_RULE"), ==, "r");
  pgid = pid_of ("sleep 100");
  g_assert_cmpint (pgid, >, 0);
  g_assert_cmpuint (wait_group_gone (pgid, 3000), ==, 0);
}

static void
test_free_kills (Fixture *fx, gconstpointer data)
{
  IpaExecRunner *runner = ipa_exec_runner_new (NULL, NULL, 60);
  IpaExecCommand commands[] = { { NULL, NULL, "sleep 100 | cat" } };
  IpaExecCommand queued[] = { { NULL, NULL, "echo queued" } };
  IpaExecContext context = { .debug = TRUE };
  Done done = { "running" }, dq = { "queued" };
  GPid pgid;

  ipa_exec_run_async (runner, "k", commands, 1, &context, done_cb, &done);
  ipa_exec_run_async (runner, "k", queued, 1, NULL, done_cb, &dq);
  spin_until_pid ("sleep 100 | cat", 5000);
  pgid = pid_of ("sleep 100 | cat");
  ipa_exec_runner_free (runner);
  g_assert_cmpuint (wait_group_gone (pgid, 3000), ==, 0);
  spin_for (200);
  g_assert_cmpuint (done.calls, ==, 0);
  g_assert_cmpuint (dq.calls, ==, 0);
  g_assert_null (find_exact ("queued"));
}

static void
free_runner_cb (guint n_commands, guint n_failed, gpointer user_data)
{
  IpaExecRunner **runner = user_data;

  g_clear_pointer (runner, ipa_exec_runner_free);
}

/* The engine may drop the runner from a done callback. */
static void
test_free_in_callback (Fixture *fx, gconstpointer data)
{
  IpaExecRunner *runner = ipa_exec_runner_new (NULL, NULL, 10);
  IpaExecCommand commands[] = { { NULL, NULL, "echo x" } };
  IpaExecCommand other[] = { { NULL, NULL, "sleep 100" } };

  ipa_exec_run_async (runner, "k", commands, 1, NULL, free_runner_cb, &runner);
  ipa_exec_run_async (runner, "k", other, 1, NULL, NULL, NULL);
  spin_until_message ("x", 5000);
  while (runner != NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_shell (Fixture *fx, gconstpointer data)
{
  IpaExecCommand bash[] = { { NULL, NULL, "echo \"bash=${BASH_VERSION:+yes}\"" } };
  IpaExecCommand errexit[] = { { NULL, NULL, "false; echo after-false" } };
  IpaExecCommand words[] = { { NULL, NULL, "hello; world" } };
  IpaExecRunner *runner;

  if (!g_file_test ("/bin/bash", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no /bin/bash");
      return;
    }
  runner = ipa_exec_runner_new ("/bin/bash", "-c", 10);
  g_assert_cmpuint (ipa_exec_run_sync (runner, bash, 1, NULL), ==, 0);
  g_assert_nonnull (find_exact ("bash=yes"));
  ipa_exec_runner_free (runner);

  /* shell_arg1 is passed as given. */
  runner = ipa_exec_runner_new ("/bin/sh", "-ec", 10);
  g_assert_cmpuint (ipa_exec_run_sync (runner, errexit, 1, NULL), ==, 1);
  g_assert_null (find_exact ("after-false"));
  ipa_exec_runner_free (runner);

  /* An empty shell_arg1: the command text is the only argument. */
  runner = ipa_exec_runner_new ("/bin/echo", "", 10);
  g_assert_cmpuint (ipa_exec_run_sync (runner, words, 1, NULL), ==, 0);
  g_assert_nonnull (find_exact ("hello; world"));
  ipa_exec_runner_free (runner);
}

static void
test_bad_shell (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new ("/nonexistent/shell", NULL, 10);
  IpaExecCommand commands[] = { { NULL, NULL, "echo a" }, { NULL, NULL, "echo b" } };
  IpaExecContext context = { .rule = "r9" };
  Done done = { "bad" };
  const Record *r;

  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 2, &context), ==, 2);
  r = find_containing ("cannot run command \"echo a\"", "/nonexistent/shell", NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->priority, ==, LOG_ERR);
  g_assert_cmpstr (record_field (r, "IPA_RULE"), ==, "r9");
  g_assert_nonnull (find_containing ("cannot run command \"echo b\"", NULL));

  /* Asynchronously, the callback still comes from the main loop. */
  ipa_exec_run_async (runner, "k", commands, 2, NULL, done_cb, &done);
  g_assert_cmpuint (done.calls, ==, 0);
  spin_until_flag (&done.finished, 5000);
  g_assert_cmpuint (done.n_commands, ==, 2);
  g_assert_cmpuint (done.n_failed, ==, 2);
}

static void
test_check_credentials (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  IpaExecCommand commands[] = {
    { "ipa_no_such_user_x", NULL, "echo never" },
    { NULL, NULL, "echo after-bad-user" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *uid = g_strdup_printf ("%u", (unsigned) getuid ());
  g_autofree char *gid = g_strdup_printf ("%u", (unsigned) getgid ());
  struct passwd *pw = getpwuid (getuid ());

  g_assert_false (ipa_exec_check_credentials ("ipa_no_such_user_x", NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "ipa_no_such_user_x"));
  g_clear_error (&error);

  g_assert_nonnull (pw);
  g_assert_false (ipa_exec_check_credentials (pw->pw_name, "ipa_no_such_group_x", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "ipa_no_such_group_x"));
  g_clear_error (&error);

  g_assert_false (ipa_exec_check_credentials ("", NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (ipa_exec_check_credentials (pw->pw_name, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ipa_exec_check_credentials (uid, gid, &error));
  g_assert_no_error (error);
  g_assert_true (ipa_exec_check_credentials (NULL, NULL, &error));

  g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 2, NULL), ==, 1);
  g_assert_nonnull (find_containing ("cannot run command \"echo never\"", "ipa_no_such_user_x", NULL));
  g_assert_null (find_exact ("never"));
  g_assert_nonnull (find_exact ("after-bad-user"));
}

/* A user and a group of the test's own. */

static gboolean
run_tool (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  /* useradd fails while another process holds the passwd lock. */
  for (int attempt = 0; attempt < 20; attempt++)
    {
      g_clear_pointer (&err, g_free);
      g_clear_error (&error);
      if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                        NULL, NULL, NULL, &err, &status, &error) &&
          g_spawn_check_wait_status (status, NULL))
        return TRUE;
      g_usleep (100 * 1000);
    }
  g_test_message ("%s failed: %s", argv[0], error != NULL ? error->message : err);
  return FALSE;
}

typedef struct {
  char user[32];
  char group[32];
} TestUser;

static void
test_user_remove (TestUser *tu)
{
  if (tu->user[0] != '\0')
    run_tool ((const char *[]) { "userdel", tu->user, NULL });
  if (tu->group[0] != '\0')
    run_tool ((const char *[]) { "groupdel", tu->group, NULL });
}

static gboolean
test_user_create (TestUser *tu)
{
  g_snprintf (tu->group, sizeof tu->group, "ipaxg%u", (unsigned) getpid ());
  if (!run_tool ((const char *[]) { "groupadd", tu->group, NULL }))
    {
      tu->group[0] = '\0';
      return FALSE;
    }
  g_snprintf (tu->user, sizeof tu->user, "ipaxu%u", (unsigned) getpid ());
  if (!run_tool ((const char *[]) { "useradd", "--no-create-home", "--home-dir", "/nonexistent-ipa",
                                    "--shell", "/bin/sh", "--user-group", "--groups", tu->group,
                                    tu->user, NULL }))
    {
      tu->user[0] = '\0';
      return FALSE;
    }
  return TRUE;
}

static gboolean
has_word (const char *text, const char *word)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);

  return g_strv_contains ((const char *const *) words, word);
}

static void
test_as_user (Fixture *fx, gconstpointer data)
{
  g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
  TestUser tu = { "", "" };
  struct passwd *pw;
  struct group *gr, *nogroup;
  g_autofree char *uid = NULL, *gid = NULL, *sup = NULL, *numeric_user = NULL, *other_gid = NULL;
  g_autofree char *home = NULL;
  const char *report = "echo \"uid=$(id -u) gid=$(id -g)\"; echo \"groups=$(id -G)\"; echo home=$HOME";
  const Record *groups;

  if (geteuid () != 0)
    {
      g_test_skip ("running as another user needs root");
      return;
    }
  if (!test_user_create (&tu))
    {
      test_user_remove (&tu);
      g_test_skip ("cannot create a user with useradd");
      return;
    }
  pw = getpwnam (tu.user);
  gr = getgrnam (tu.group);
  g_assert_nonnull (pw);
  g_assert_nonnull (gr);
  uid = g_strdup_printf ("uid=%u gid=%u", (unsigned) pw->pw_uid, (unsigned) pw->pw_gid);
  sup = g_strdup_printf ("%u", (unsigned) gr->gr_gid);
  numeric_user = g_strdup_printf ("%u", (unsigned) pw->pw_uid);
  home = g_strdup_printf ("home=%s", pw->pw_dir);
  nogroup = getgrnam ("nogroup");
  other_gid = g_strdup_printf ("uid=%u gid=%u", (unsigned) pw->pw_uid,
                               nogroup != NULL ? (unsigned) nogroup->gr_gid : 0U);

  {
    IpaExecCommand by_name[] = { { tu.user, NULL, report } };

    g_assert_cmpuint (ipa_exec_run_sync (runner, by_name, 1, NULL), ==, 0);
    g_assert_nonnull (find_exact (uid));
    g_assert_nonnull (find_exact (home));
    /* The user's supplementary groups are set, root's are gone. */
    groups = find_containing ("groups=", NULL);
    g_assert_nonnull (groups);
    g_assert_true (has_word (groups->message + strlen ("groups="), sup));
    g_assert_false (has_word (groups->message + strlen ("groups="), "0"));
  }
  g_ptr_array_set_size (records, 0);
  {
    IpaExecCommand by_number[] = { { numeric_user, NULL, "echo \"uid=$(id -u) gid=$(id -g)\"" } };

    g_assert_cmpuint (ipa_exec_run_sync (runner, by_number, 1, NULL), ==, 0);
    g_assert_nonnull (find_exact (uid));
  }
  g_ptr_array_set_size (records, 0);
  if (nogroup != NULL)
    {
      IpaExecCommand with_group[] = { { tu.user, "nogroup", "echo \"uid=$(id -u) gid=$(id -g)\"" } };
      IpaExecContext context = { .debug = TRUE };

      g_assert_cmpuint (ipa_exec_run_sync (runner, with_group, 1, &context), ==, 0);
      g_assert_nonnull (find_exact (other_gid));
      g_assert_nonnull (find_containing ("running command", tu.user, ":nogroup", NULL));
    }
  test_user_remove (&tu);
}

/* Not root: a command for another user fails, one for ipa's own user runs.
 * As root, the check runs in a child that drops to nobody first. */
static void
test_not_root (Fixture *fx, gconstpointer data)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }
  if (geteuid () == 0)
    {
      struct passwd *nobody = getpwnam ("nobody");

      g_assert_nonnull (nobody);
      g_assert_cmpint (setgroups (0, NULL), ==, 0);
      g_assert_cmpint (setgid (nobody->pw_gid), ==, 0);
      g_assert_cmpint (setuid (nobody->pw_uid), ==, 0);
    }
  {
    g_autoptr(IpaExecRunner) runner = ipa_exec_runner_new (NULL, NULL, 10);
    g_autofree char *self = g_strdup_printf ("%u", (unsigned) geteuid ());
    g_autofree char *expected = g_strdup_printf ("uid=%u", (unsigned) geteuid ());
    IpaExecCommand commands[] = {
      { "root", NULL, "echo never" },
      { self, NULL, "echo \"uid=$(id -u)\"" },
    };
    const Record *r;

    g_assert_cmpuint (ipa_exec_run_sync (runner, commands, 2, NULL), ==, 1);
    r = find_containing ("cannot run command \"echo never\" as root", "root", NULL);
    g_assert_nonnull (r);
    g_assert_cmpint (r->priority, ==, LOG_ERR);
    g_assert_null (find_exact ("never"));
    g_assert_nonnull (find_exact (expected));
  }
}

int
main (int argc, char *argv[])
{
  /* Before any thread exists: setenv() is not thread-safe. */
  g_setenv ("IPA_TEST_INHERITED", "yes", TRUE);
  g_setenv ("IPA_THRESHOLD", "stale", TRUE);
  g_test_init (&argc, &argv, NULL);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/exec/list-order", test_list_order);
  ADD ("/exec/same-key-order", test_same_key_order);
  ADD ("/exec/keys-concurrent", test_keys_concurrent);
  ADD ("/exec/output-fields", test_output_fields);
  ADD ("/exec/long-line", test_long_line);
  ADD ("/exec/truncation", test_truncation);
  ADD ("/exec/environment", test_environment);
  ADD ("/exec/exit-status", test_exit_status);
  ADD ("/exec/debug", test_debug);
  ADD ("/exec/sync-private-context", test_sync_private_context);
  ADD ("/exec/timeout-term", test_timeout_term);
  ADD ("/exec/timeout-kill", test_timeout_kill);
  ADD ("/exec/pipeline-killed", test_pipeline_killed);
  ADD ("/exec/background-output", test_background_output);
  ADD ("/exec/wait-all", test_wait_all);
  ADD ("/exec/free-kills", test_free_kills);
  ADD ("/exec/free-in-callback", test_free_in_callback);
  ADD ("/exec/shell", test_shell);
  ADD ("/exec/bad-shell", test_bad_shell);
  ADD ("/exec/check-credentials", test_check_credentials);
  ADD ("/exec/as-user", test_as_user);
  ADD ("/exec/not-root", test_not_root);
#undef ADD

  return g_test_run ();
}
