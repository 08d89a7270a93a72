/*
 * netns-run.c: tests inside network namespaces made for them (see
 * netns-run.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns-run.h"

/* Set in the child, and so in processes it starts. */
#define ENV_INSIDE "IPA_NETNS_RUN_INSIDE"
/* Namespaces PREFIX-<pid>-a/-b; netns_sweep PREFIX removes those of dead
 * pids. */
#define NS_PREFIX "ipa-nd"

static char *lib_path;
static volatile sig_atomic_t stop_signal;

static const char *
lib (void)
{
  if (lib_path == NULL)
    {
      const char *srcdir = g_getenv ("IPA_TEST_SRCDIR");

      lib_path = g_build_filename (srcdir != NULL ? srcdir : ".", "netdev", "netns-lib.sh", NULL);
    }
  return lib_path;
}

static char *
lib_run_v (GError **error, const char *format, va_list ap)
{
  g_autofree char *cmd = g_strdup_vprintf (format, ap);
  g_autofree char *quoted = g_shell_quote (lib ());
  g_autofree char *script = g_strdup_printf (". %s && %s", quoted, cmd);
  g_autofree char *err = NULL;
  char *argv[] = { (char *) "bash", (char *) "-c", script, NULL };
  char *out = NULL;
  int status;

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: %s", cmd, err != NULL ? g_strstrip (err) : "");
      g_free (out);
      return NULL;
    }
  return out;
}

char *
netns_lib (const char *format, ...)
{
  g_autoptr(GError) error = NULL;
  va_list ap;
  char *out;

  va_start (ap, format);
  out = lib_run_v (&error, format, ap);
  va_end (ap);
  if (out == NULL)
    g_test_message ("netns-lib.sh: %s", error->message);
  return out;
}

char *
netns_lib_ok (const char *format, ...)
{
  g_autoptr(GError) error = NULL;
  va_list ap;
  char *out;

  va_start (ap, format);
  out = lib_run_v (&error, format, ap);
  va_end (ap);
  g_assert_no_error (error);
  return out;
}

const char *
netns_run_a (void)
{
  return g_getenv ("NS_A");
}

const char *
netns_run_b (void)
{
  return g_getenv ("NS_B");
}

static gboolean use_tap;

static G_NORETURN void
skip_all (const char *why)
{
  if (!use_tap)
    {
      fprintf (stderr, "skipped: %s\n", why);
      exit (77);
    }
  printf ("1..0 # SKIP %s\n", why);
  fflush (stdout);
  exit (0);
}

static char *
lib_run (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static char *
lib_run (GError **error, const char *format, ...)
{
  va_list ap;
  char *out;

  va_start (ap, format);
  out = lib_run_v (error, format, ap);
  va_end (ap);
  return out;
}

/* Supervisor side, before g_test_init() and without assertions: it must
 * get to the cleanup.  Failures are reported on stderr. */
static gboolean
supervisor_run (const char *cmd)
{
  GError *error = NULL;
  char *out = lib_run (&error, "%s", cmd);

  if (out == NULL)
    {
      fprintf (stderr, "# netns-run: %s\n", error->message);
      g_error_free (error);
      return FALSE;
    }
  g_free (out);
  return TRUE;
}

static void
cleanup (void)
{
  if (!supervisor_run ("netns_destroy \"$NS_A\" \"$NS_B\""))
    fprintf (stderr, "# netns-run: could not delete %s and %s\n", netns_run_a (), netns_run_b ());
}

static void
on_stop (int sig)
{
  stop_signal = sig;
}

void
netns_run_enter (const char *setup, gboolean tap)
{
  g_autofree char *a = NULL, *b = NULL;
  struct sigaction sa;
  pid_t pid;
  int status;

  if (g_getenv (ENV_INSIDE) != NULL)
    return;
  use_tap = tap;

  if (geteuid () != 0)
    skip_all ("network namespaces need root");
  if (!supervisor_run ("netns_supported"))
    skip_all ("cannot make network namespaces here (ip netns add failed)");

  a = g_strdup_printf ("%s-%d-a", NS_PREFIX, (int) getpid ());
  b = g_strdup_printf ("%s-%d-b", NS_PREFIX, (int) getpid ());
  g_setenv ("NS_A", a, TRUE);
  g_setenv ("NS_B", b, TRUE);
  supervisor_run ("netns_sweep " NS_PREFIX);

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigemptyset (&sa.sa_mask);
  /* No SA_RESTART: waitpid() returns EINTR. */
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);

  if (!supervisor_run (setup))
    {
      cleanup ();
      printf ("Bail out! cannot set up the network namespaces (%s)\n", setup);
      fflush (stdout);
      exit (1);
    }

  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  if (pid < 0)
    {
      cleanup ();
      printf ("Bail out! fork: %s\n", g_strerror (errno));
      exit (1);
    }
  if (pid == 0)
    {
      g_autofree char *path = g_strdup_printf ("/run/netns/%s", a);
      int fd;

      sa.sa_handler = SIG_DFL;
      sigaction (SIGTERM, &sa, NULL);
      sigaction (SIGINT, &sa, NULL);
      sigaction (SIGHUP, &sa, NULL);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns (fd, CLONE_NEWNET) < 0)
        {
          printf ("Bail out! cannot enter %s: %s\n", path, g_strerror (errno));
          exit (1);
        }
      close (fd);
      g_setenv (ENV_INSIDE, "1", TRUE);
      return;
    }

  for (;;)
    {
      if (waitpid (pid, &status, 0) == pid)
        break;
      if (errno != EINTR)
        {
          status = 1 << 8;
          break;
        }
      if (stop_signal != 0)
        {
          kill (pid, SIGKILL);
          while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
            ;
          cleanup ();
          fprintf (stderr, "# netns-run: stopped by signal %d\n", (int) stop_signal);
          exit (1);
        }
    }
  cleanup ();
  g_free (lib_path);
  if (WIFEXITED (status))
    exit (WEXITSTATUS (status));
  fprintf (stderr, "# netns-run: the tests died of signal %d\n", WTERMSIG (status));
  exit (1);
}
