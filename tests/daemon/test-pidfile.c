/*
 * test-pidfile.c: the PID file lock (src/ipa/ipa-pidfile.c).
 *
 * fcntl locks belong to processes, so the "other daemon" is a forked
 * child that takes the lock and waits on a pipe until told to go.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ipa-pidfile.h"

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-pidfile-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "ipa.pid", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

/* A child that holds the lock on @path until its end of @release is
 * closed.  Returns its PID once it holds the lock. */
static pid_t
spawn_holder (const char *path, int *release_fd)
{
  int ready[2], release[2];
  char byte;
  pid_t pid;

  g_assert_cmpint (pipe (ready), ==, 0);
  g_assert_cmpint (pipe (release), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      IpaPidFile *p;

      close (ready[0]);
      close (release[1]);
      p = ipa_pidfile_acquire (path, NULL);
      byte = p != NULL ? 'y' : 'n';
      if (write (ready[1], &byte, 1) != 1)
        _exit (2);
      /* Wait until the parent closes its end. */
      while (read (release[0], &byte, 1) > 0)
        ;
      _exit (p != NULL ? 0 : 1);
    }
  close (ready[1]);
  close (release[0]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  g_assert_cmpint (byte, ==, 'y');
  *release_fd = release[1];
  return pid;
}

static void
reap (pid_t pid, int release_fd)
{
  int status;

  close (release_fd);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
test_acquire_writes_pid (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = g_strdup_printf ("%ld\n", (long) getpid ());
  IpaPidFile *p = ipa_pidfile_acquire (f->path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (p);
  g_assert_cmpstr (ipa_pidfile_get_path (p), ==, f->path);
  text = read_file (f->path);
  g_assert_cmpstr (text, ==, expected);
  /* Our own lock does not conflict with us: F_GETLK reports none. */
  g_assert_cmpint (ipa_pidfile_get_holder (f->path, NULL), ==, 0);
  ipa_pidfile_remove (p);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

static void
test_second_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pid_text = NULL;
  int release;
  pid_t holder = spawn_holder (f->path, &release);
  IpaPidFile *p;

  g_assert_cmpint (ipa_pidfile_get_holder (f->path, &error), ==, holder);
  g_assert_no_error (error);

  p = ipa_pidfile_acquire (f->path, &error);
  g_assert_null (p);
  g_assert_error (error, IPA_PIDFILE_ERROR, IPA_PIDFILE_ERROR_LOCKED);
  pid_text = g_strdup_printf ("process %ld", (long) holder);
  g_assert_nonnull (strstr (error->message, pid_text));
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);

  /* The refused attempt left the holder's PID in the file. */
  {
    g_autofree char *text = read_file (f->path);
    g_autofree char *expected = g_strdup_printf ("%ld\n", (long) holder);

    g_assert_cmpstr (text, ==, expected);
  }
  reap (holder, release);

  /* The holder died without removing the file: stale, reused. */
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (ipa_pidfile_get_holder (f->path, NULL), ==, 0);
  p = ipa_pidfile_acquire (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p);
  ipa_pidfile_free (p);
  /* free unlocks but leaves the file. */
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

/* The holder is found by its lock even when the number in the file lies. */
static void
test_holder_not_content (Fixture *f, gconstpointer data)
{
  int release;
  pid_t holder = spawn_holder (f->path, &release);

  /* Overwrite the number in place (a new inode would not be locked). */
  {
    FILE *fp = fopen (f->path, "r+");

    g_assert_nonnull (fp);
    g_assert_cmpint (fputs ("1        \n", fp), >=, 0);
    fclose (fp);
  }
  g_assert_cmpint (ipa_pidfile_get_holder (f->path, NULL), ==, holder);
  reap (holder, release);
}

static void
test_holder_missing_file (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (ipa_pidfile_get_holder (f->path, &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_acquire_bad_dir (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "no", "such", "ipa.pid", NULL);

  g_assert_null (ipa_pidfile_acquire (path, &error));
  g_assert_error (error, IPA_PIDFILE_ERROR, IPA_PIDFILE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, path));
}

/* Removal goes through the directory descriptor: it works after chdir
 * and even when the name was replaced by another file, which it must not
 * remove. */
static void
test_remove_only_ours (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = g_build_filename (f->dir, "moved.pid", NULL);
  IpaPidFile *p = ipa_pidfile_acquire (f->path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (g_rename (f->path, moved), ==, 0);
  g_assert_true (g_file_set_contents (f->path, "someone else\n", -1, NULL));
  ipa_pidfile_remove (p);
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_unlink (moved);
}

/* Without the right to remove the name (privileges dropped), the file is
 * emptied so that no stale PID remains. */
static void
test_remove_emptied (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;
  int status;
  pid_t pid;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root to drop privileges");
      return;
    }
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      IpaPidFile *p = ipa_pidfile_acquire (f->path, NULL);

      /* Like -u nobody after the file was opened as root. */
      if (p == NULL || setgid (65534) != 0 || setuid (65534) != 0)
        _exit (1);
      ipa_pidfile_remove (p);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  text = read_file (f->path);
  g_assert_cmpstr (text, ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/pidfile/acquire-writes-pid", test_acquire_writes_pid);
  ADD ("/pidfile/second-refused", test_second_refused);
  ADD ("/pidfile/holder-not-content", test_holder_not_content);
  ADD ("/pidfile/holder-missing-file", test_holder_missing_file);
  ADD ("/pidfile/acquire-bad-dir", test_acquire_bad_dir);
  ADD ("/pidfile/remove-only-ours", test_remove_only_ours);
  ADD ("/pidfile/remove-emptied", test_remove_emptied);
#undef ADD

  return g_test_run ();
}
