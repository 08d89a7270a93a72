/*
 * ipa-main.c: the ipa command: options, then one of its forms.
 *
 * Invocation forms (ipa(8)):
 *   ipa -h | -v
 *   ipa [-c dir] [-u user] [-g group] [-p pid_file] -k signal
 *   ipa [-c dir] [-u user] [-g group] [-f conf_file] -t [-t]
 *   ipa [-d] [-c dir] [-u user] [-g group] [-f conf_file] [-p pid_file]
 *       [-o log_file] [-i log_ident]
 *   ipa -x [-c dir] [-u user] [-g group] [-f conf_file]
 *       [-r rule [-l limit [-s sublimit] | -t threshold]] section [subsection]
 *
 * -t means "check the configuration" except with -x, where it names a
 * threshold; argv is scanned for -x before the options are parsed.
 *
 * The daemon (form 4), in this order: the log file (-o) is opened; unless
 * it stays in the foreground (-d, or started by systemd: NOTIFY_SOCKET or
 * INVOCATION_ID set) it forks, and the parent waits until the daemon has
 * started and exits with its status; the PID file (-p, default
 * /run/ipa.pid; under systemd none unless -p is given) is locked and
 * written; then chroot (-c; the working directory is not changed), groups
 * and user (-u, -g) are applied; only then are the configuration and the
 * modules loaded (a -f path is resolved inside the chroot).  A second
 * daemon with the same PID file refuses to start and names the holder.
 *
 * -k acts on the process holding the lock on the PID file (not the number
 * written in it): shutdown = SIGTERM, reconfigure = SIGHUP, kill = SIGKILL,
 * test = print whether the file is locked.  The PID file is opened before
 * -c, -u and -g are applied, as the daemon does; kill(2) is called after.
 *
 * Exit status: 0 success (-k test: ipa runs); 1 configuration or runtime
 * error, a failed command of -x, -k test when ipa does not run, -k when
 * there is nothing to signal; 64 (EX_USAGE) bad options.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipa-conf-show.h"
#include "ipa-conf.h"
#include "ipa-daemon.h"
#include "ipa-dbus-daemon.h"
#include "ipa-dbus-service.h"
#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "ipa-module.h"
#include "ipa-pidfile.h"
#include "ipa-privileges.h"
#include "ipa-run-section.h"

#define EXIT_USAGE       64

#ifndef IPA_PID_FILE
#define IPA_PID_FILE "/run/ipa.pid"
#endif

typedef struct {
  gboolean version;
  int test;             /* number of -t outside -x */
  gboolean debug;
  gboolean run_section; /* -x */
  char *conf_file;
  char *kill_signal;
  char *pid_file;
  char *log_file;
  char *log_ident;
  char *chroot_dir;
  char *user;
  char *group;
  char *rule;
  char *limit;
  char *sublimit;
  char *threshold;
  char *bus_address;    /* --bus-address: serve D-Bus there, not on the system bus */
  char **rest;
} Options;

static Options opts;

static gboolean
count_test (const char *name, const char *value, gpointer data, GError **error)
{
  opts.test++;
  return TRUE;
}

static G_GNUC_PRINTF (1, 2) int
usage_error (const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  fprintf (stderr, "ipa: %s\n", msg);
  fprintf (stderr, _("Try \"ipa -h\" for help.\n"));
  return EXIT_USAGE;
}

/* Is -x among the options (alone or in a cluster such as -dx)? */
static gboolean
argv_has_x (int argc, char **argv)
{
  /* Letters that take an argument: the rest of their word is that argument. */
  static const char with_arg[] = "fkpoicugrlst";

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];

      if (strcmp (a, "--") == 0)
        break;
      if (a[0] != '-' || a[1] == '-' || a[1] == '\0')
        continue;
      for (const char *p = a + 1; *p != '\0'; p++)
        {
          if (*p == 'x')
            return TRUE;
          if (strchr (with_arg, *p) != NULL && *p != 't')
            {
              if (p[1] == '\0')
                i++; /* the next word is the argument */
              break;
            }
        }
    }
  return FALSE;
}

static void
print_version (void)
{
  printf ("ipa %s\n", PACKAGE_VERSION);
  printf (_("Configuration file: %s\n"), IPA_CONF_FILE);
  printf (_("Module directory: %s\n"), IPA_MODULE_DIR);
  printf (_("State directory: %s\n"), IPA_STATE_DIR);
  printf (_("Memory functions debugging: %s\n"),
          WITH_MEMFUNC_DEBUG ? _("yes") : _("no"));
  printf (_("Module API: ac %d, db %d, st %d, memfunc %d\n"),
          IPA_AC_MOD_API_VERSION, IPA_DB_MOD_API_VERSION,
          IPA_ST_MOD_API_VERSION, IPA_MEMFUNC_API_VERSION);
  printf (_("Control: D-Bus (org.ipasystem.Ipa1); logging: journald or stderr\n"));
}

/* Checks shared by all forms; returns 0 or an exit status. */
static int
check_options (void)
{
  guint nrest = opts.rest != NULL ? g_strv_length (opts.rest) : 0;
  gboolean daemon_only = opts.debug || opts.log_file != NULL ||
                         opts.log_ident != NULL;
  g_autoptr(GError) error = NULL;

  if (opts.version)
    {
      if (opts.test || opts.run_section || opts.kill_signal != NULL ||
          opts.conf_file != NULL || daemon_only || nrest > 0)
        return usage_error (_("-v cannot be combined with other options"));
      return 0;
    }
  /* The file is read again on reconfiguration, when the working directory
   * may be another one: keep it absolute. */
  if (opts.conf_file != NULL && !g_path_is_absolute (opts.conf_file))
    {
      char *abs = g_canonicalize_filename (opts.conf_file, NULL);

      g_free (opts.conf_file);
      opts.conf_file = abs;
    }
  if (!ipa_privileges_check (opts.chroot_dir, opts.user, opts.group, &error))
    return usage_error ("%s", error->message);

  if (!opts.run_section)
    {
      if (opts.rule != NULL || opts.limit != NULL || opts.sublimit != NULL)
        return usage_error (_("-r, -l and -s are used only with -x"));
      if (nrest > 0)
        return usage_error (_("unexpected argument: %s"), opts.rest[0]);
    }

  if (opts.kill_signal != NULL)
    {
      static const char *const words[] = { "shutdown", "reconfigure", "kill", "test" };
      gboolean known = FALSE;

      for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
        known |= strcmp (opts.kill_signal, words[i]) == 0;
      if (!known)
        return usage_error (_("-k takes shutdown, reconfigure, kill or test, not \"%s\""),
                            opts.kill_signal);
      if (opts.test || opts.run_section || opts.conf_file != NULL || daemon_only)
        return usage_error (_("-k can be combined only with -c, -u, -g and -p"));
      return 0;
    }

  if (opts.test)
    {
      if (opts.test > 2)
        return usage_error (_("-t may be given at most twice"));
      if (daemon_only || opts.pid_file != NULL)
        return usage_error (_("-t can be combined only with -c, -u, -g and -f"));
      return 0;
    }

  if (opts.run_section)
    {
      if (daemon_only || opts.pid_file != NULL)
        return usage_error (_("-x can be combined only with -c, -u, -g, -f, -r, -l, -s and -t"));
      if ((opts.limit != NULL || opts.threshold != NULL) && opts.rule == NULL)
        return usage_error (_("-l and -t need -r"));
      if (opts.limit != NULL && opts.threshold != NULL)
        return usage_error (_("-l and -t cannot be used together"));
      if (opts.sublimit != NULL && opts.limit == NULL)
        return usage_error (_("-s needs -l"));
      if (nrest < 1 || nrest > 2)
        return usage_error (_("-x needs a section and an optional subsection"));
      return 0;
    }
  return 0;
}

/* -c, -g, -u (see ipa-privileges.h). */
static int
apply_privileges (void)
{
  g_autoptr(GError) error = NULL;

  if (!ipa_privileges_drop (opts.chroot_dir, opts.user, opts.group, &error))
    {
      fprintf (stderr, "ipa: %s\n", error->message);
      return EXIT_FAILURE;
    }
  return 0;
}

static void
report_leak (const char *message, gpointer user_data)
{
  fprintf (stderr, _("ipa: memory leak: %s\n"), message);
}

/* Load the configuration for -t and -x; on failure the reason is on
 * stderr ("FILE:LINE:COLUMN: " first, for editors to jump to). */
static IpaConf *
load_conf (const char *path, IpaModuleSet *modules, IpaConfLoadFlags flags)
{
  g_autoptr(GError) error = NULL;
  IpaConf *conf = ipa_conf_load (path, modules, flags, &error);

  if (conf == NULL)
    {
      if (error->domain == IPA_CONF_ERROR)
        fprintf (stderr, "%s\n", error->message);
      else
        fprintf (stderr, "ipa: %s: %s\n", path, error->message);
      return NULL;
    }
  for (guint i = 0; i < conf->warnings->len; i++)
    fprintf (stderr, _("%s (warning)\n"),
             (const char *) g_ptr_array_index (conf->warnings, i));
  return conf;
}

/* ipa -t / -tt */
static int
run_test (void)
{
  const char *path = opts.conf_file != NULL ? opts.conf_file : IPA_CONF_FILE;
  IpaModuleSet *modules;
  IpaConf *conf;
  int status = EXIT_SUCCESS;

  modules = ipa_module_set_new ();
  conf = load_conf (path, modules,
                    opts.test > 1 ? IPA_CONF_LOAD_MIMIC : IPA_CONF_LOAD_NONE);
  if (conf == NULL)
    status = EXIT_FAILURE;
  else
    {
      if (opts.test > 1)
        {
          g_autofree char *text = ipa_conf_show (conf);

          fputs (text, stdout);
        }
      ipa_conf_modules_deinit_chain (conf);
      ipa_conf_free (conf);
    }
  ipa_module_set_free (modules);
  if (ipa_memfunc_check_leaks (NULL, report_leak, NULL) > 0 &&
      status == EXIT_SUCCESS)
    status = EXIT_FAILURE;
  if (fflush (stdout) != 0)
    status = EXIT_FAILURE;
  return status;
}

/* ipa -x */
static int
run_section (void)
{
  const char *path = opts.conf_file != NULL ? opts.conf_file : IPA_CONF_FILE;
  IpaRunSectionRequest request = {
    .rule = opts.rule,
    .limit = opts.limit,
    .sublimit = opts.sublimit,
    .threshold = opts.threshold,
    .section = opts.rest[0],
    .subsection = opts.rest[1],
  };
  g_autoptr(GError) error = NULL;
  IpaModuleSet *modules;
  IpaConf *conf;
  int status = EXIT_SUCCESS;

  modules = ipa_module_set_new ();
  conf = load_conf (path, modules, IPA_CONF_LOAD_NONE);
  if (conf == NULL)
    status = EXIT_FAILURE;
  else
    {
      int failed = ipa_run_section (conf, &request, &error);

      if (failed < 0)
        {
          fprintf (stderr, "ipa: %s\n", error->message);
          status = EXIT_FAILURE;
        }
      else if (failed > 0)
        {
          fprintf (stderr, ngettext ("ipa: %d command failed\n",
                                     "ipa: %d commands failed\n", failed), failed);
          status = EXIT_FAILURE;
        }
      ipa_conf_modules_deinit_chain (conf);
      ipa_conf_free (conf);
    }
  ipa_module_set_free (modules);
  if (ipa_memfunc_check_leaks (NULL, report_leak, NULL) > 0 &&
      status == EXIT_SUCCESS)
    status = EXIT_FAILURE;
  return status;
}

/* ipa -k */
static int
run_kill (void)
{
  static const struct {
    const char *word;
    int signo;
    const char *name;
  } words[] = {
    { "shutdown", SIGTERM, "SIGTERM" },
    { "reconfigure", SIGHUP, "SIGHUP" },
    { "kill", SIGKILL, "SIGKILL" },
  };
  const char *path = opts.pid_file != NULL ? opts.pid_file : IPA_PID_FILE;
  g_autoptr(GError) error = NULL;
  pid_t holder;
  int status;

  holder = ipa_pidfile_get_holder (path, &error);
  if (holder < 0)
    {
      fprintf (stderr, "ipa: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (strcmp (opts.kill_signal, "test") == 0)
    {
      if (holder > 0)
        printf (_("ipa is running: process %ld holds the lock on %s\n"), (long) holder, path);
      else
        printf (_("ipa is not running: %s is not locked\n"), path);
      return holder > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    }
  if (holder == 0)
    {
      fprintf (stderr, _("ipa: ipa is not running: %s is not locked\n"), path);
      return EXIT_FAILURE;
    }
  status = apply_privileges ();
  if (status != 0)
    return status;
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    {
      if (strcmp (opts.kill_signal, words[i].word) != 0)
        continue;
      if (kill (holder, words[i].signo) != 0)
        {
          fprintf (stderr, _("ipa: cannot send %s to process %ld: %s\n"), words[i].name,
                   (long) holder, g_strerror (errno));
          return EXIT_FAILURE;
        }
      return EXIT_SUCCESS;
    }
  g_return_val_if_reached (EXIT_USAGE);
}

/* The daemon (form 4). */
static int
run_daemon (void)
{
  const char *conf_path = opts.conf_file != NULL ? opts.conf_file : IPA_CONF_FILE;
  gboolean managed = ipa_daemon_under_service_manager ();
  const char *pid_path = opts.pid_file != NULL ? opts.pid_file
                         : managed ? NULL : IPA_PID_FILE;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  IpaDaemonOptions daemon_opts = { 0 };
  IpaPidFile *pidfile = NULL;
  IpaDaemon *daemon = NULL;
  IpaDbusDaemon *dbus = NULL;
  int report_fd = -1;
  int status = EXIT_FAILURE;

  if (opts.log_file != NULL && !ipa_log_set_file (opts.log_file, &error))
    {
      fprintf (stderr, "ipa: %s\n", error->message);
      return EXIT_FAILURE;
    }
  ipa_log_set_also_stderr (opts.debug);

  /* Refuse before detaching, so that the message reaches the terminal
   * and the status the caller; the lock itself is taken below. */
  if (pid_path != NULL)
    {
      pid_t holder = ipa_pidfile_get_holder (pid_path, NULL);

      if (holder > 0)
        {
          ipa_log (LOG_ERR, _("PID file %s is locked by process %ld: is another ipa running?"),
                   pid_path, (long) holder);
          return EXIT_FAILURE;
        }
    }
  if (!opts.debug && !managed)
    {
      report_fd = ipa_daemon_detach ();
      if (report_fd < 0)
        {
          ipa_log (LOG_ERR, _("cannot fork: %s"), g_strerror (errno));
          return EXIT_FAILURE;
        }
    }
  if (pid_path != NULL)
    {
      pidfile = ipa_pidfile_acquire (pid_path, &error);
      if (pidfile == NULL)
        {
          ipa_log (LOG_ERR, "%s", error->message);
          goto out;
        }
    }
  /* The bus knows a connection by the credentials it was opened with, and
   * its socket may be outside a chroot: connect before -c, -u and -g.
   * Without --bus-address a missing system bus only costs the control. */
  bus = ipa_dbus_service_connect (opts.bus_address, &error);
  if (bus == NULL)
    {
      if (opts.bus_address != NULL)
        {
          ipa_log (LOG_ERR, _("cannot connect to the bus %s: %s"), opts.bus_address,
                   error->message);
          goto out;
        }
      ipa_log (LOG_WARNING, _("no control over D-Bus: %s"), error->message);
      g_clear_error (&error);
    }
  if (apply_privileges () != 0)
    goto out;

  daemon_opts.conf_file = conf_path;
  daemon_opts.debug = opts.debug;
  /* After chroot the log file's name points elsewhere: keep the file. */
  daemon_opts.reopen_log = opts.log_file != NULL && opts.chroot_dir == NULL;
  daemon_opts.self_exe = self_exe;
  daemon = ipa_daemon_new (&daemon_opts);
  if (!ipa_daemon_start (daemon, NULL))
    goto out;
  /* The name is owned before READY=1 (ipa_daemon_run) and before a
   * detaching parent exits. */
  if (bus != NULL)
    {
      dbus = ipa_dbus_daemon_new (daemon, bus, &error);
      if (dbus == NULL && opts.bus_address != NULL)
        {
          ipa_log (LOG_ERR, "%s", error->message);
          goto out;
        }
      if (dbus == NULL)
        {
          ipa_log (LOG_ERR, _("no control over D-Bus: %s"), error->message);
          g_clear_error (&error);
        }
    }
  if (report_fd >= 0)
    {
      ipa_daemon_detach_finish (report_fd, EXIT_SUCCESS);
      report_fd = -1;
    }
  status = ipa_daemon_run (daemon);

out:
  if (report_fd >= 0)
    ipa_daemon_detach_finish (report_fd, status);
  g_clear_pointer (&daemon, ipa_daemon_free);
  /* After the daemon: its engine watch calls the service until then. */
  g_clear_pointer (&dbus, ipa_dbus_daemon_free);
  if (bus != NULL)
    g_dbus_connection_flush_sync (bus, NULL, NULL);
  if (pidfile != NULL)
    ipa_pidfile_remove (pidfile);
  if (ipa_memfunc_check_leaks (NULL, report_leak, NULL) > 0)
    ipa_log (LOG_WARNING, _("memory still allocated at exit (see above)"));
  return status;
}

int
main (int argc, char **argv)
{
  gboolean with_x;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  GOptionEntry entries[] = {
    { "version", 'v', 0, G_OPTION_ARG_NONE, &opts.version,
      N_("Print the version and the build settings, then exit"), NULL },
    { "config", 'f', 0, G_OPTION_ARG_FILENAME, &opts.conf_file,
      N_("Use this configuration file"), N_("FILE") },
    { "test", 't', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, count_test,
      N_("Check the configuration; twice (-tt): print the effective configuration. With -x: -t THRESHOLD"),
      NULL },
    { "debug", 'd', 0, G_OPTION_ARG_NONE, &opts.debug,
      N_("Stay in the foreground and copy log messages to stderr"), NULL },
    { "exec-section", 'x', 0, G_OPTION_ARG_NONE, &opts.run_section,
      N_("Run the commands of SECTION [SUBSECTION] and exit"), NULL },
    { "rule", 'r', 0, G_OPTION_ARG_STRING, &opts.rule,
      N_("With -x: the rule"), N_("RULE") },
    { "limit", 'l', 0, G_OPTION_ARG_STRING, &opts.limit,
      N_("With -x -r: the limit"), N_("LIMIT") },
    { "sublimit", 's', 0, G_OPTION_ARG_STRING, &opts.sublimit,
      N_("With -x -r -l: the sublimit"), N_("SUBLIMIT") },
    { "bus-address", 0, 0, G_OPTION_ARG_STRING, &opts.bus_address,
      N_("Serve org.ipasystem.Ipa1 on the bus at this D-Bus address instead of the system bus"),
      N_("ADDRESS") },
    { "kill", 'k', 0, G_OPTION_ARG_STRING, &opts.kill_signal,
      N_("Send shutdown, reconfigure or kill to the running ipa, or test whether it runs"),
      N_("SIGNAL") },
    { "pid-file", 'p', 0, G_OPTION_ARG_FILENAME, &opts.pid_file,
      N_("Use this PID file"), N_("FILE") },
    { "log-file", 'o', 0, G_OPTION_ARG_FILENAME, &opts.log_file,
      N_("Write log messages to this file instead of the journal"), N_("FILE") },
    { "log-ident", 'i', 0, G_OPTION_ARG_STRING, &opts.log_ident,
      N_("Identifier of log messages (default ipa)"), N_("IDENT") },
    { "chroot", 'c', 0, G_OPTION_ARG_FILENAME, &opts.chroot_dir,
      N_("chroot to this directory at start (absolute path)"), N_("DIR") },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &opts.user,
      N_("Run as this user"), N_("USER") },
    { "group", 'g', 0, G_OPTION_ARG_STRING, &opts.group,
      N_("Run with this group"), N_("GROUP") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts.rest,
      NULL, N_("[SECTION [SUBSECTION]]") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* IPA_LOCALEDIR in the environment: catalogs not installed yet (tests). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("IPA_LOCALEDIR") != NULL
                                   ? g_getenv ("IPA_LOCALEDIR") : IPA_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* With -x, -t names a threshold instead of asking for a check. */
  with_x = argv_has_x (argc, argv);
  if (with_x)
    {
      for (GOptionEntry *e = entries; e->long_name != NULL; e++)
        if (e->short_name == 't')
          {
            e->flags = 0;
            e->arg = G_OPTION_ARG_STRING;
            e->arg_data = &opts.threshold;
            e->arg_description = N_("THRESHOLD");
          }
    }

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("ipa, the pluggable accounting daemon."));
  g_option_context_set_description (context,
    _("Forms:\n"
      "  ipa -h | -v\n"
      "  ipa [-c dir] [-u user] [-g group] [-p pid_file] -k signal\n"
      "  ipa [-c dir] [-u user] [-g group] [-f conf_file] -t [-t]\n"
      "  ipa [-d] [-c dir] [-u user] [-g group] [-f conf_file] [-p pid_file]\n"
      "      [-o log_file] [-i log_ident]\n"
      "  ipa -x [-c dir] [-u user] [-g group] [-f conf_file]\n"
      "      [-r rule [-l limit [-s sublimit] | -t threshold]] section [subsection]\n"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = usage_error ("%s", error->message);
      goto out;
    }

  status = check_options ();
  if (status != 0)
    goto out;
  if (opts.version)
    {
      print_version ();
      goto out;
    }

  /* -t and -x are run by hand: their messages belong on the terminal. */
  ipa_log_init (opts.log_ident != NULL ? opts.log_ident : "ipa",
                opts.test || opts.run_section ? IPA_LOG_TARGET_STDERR
                                              : IPA_LOG_TARGET_AUTO);

  if (opts.kill_signal != NULL)
    status = run_kill ();
  else if (opts.test)
    {
      status = apply_privileges ();
      if (status == 0)
        status = run_test ();
    }
  else if (opts.run_section)
    {
      status = apply_privileges ();
      if (status == 0)
        status = run_section ();
    }
  else
    status = run_daemon ();

out:
  g_free (opts.conf_file);
  g_free (opts.kill_signal);
  g_free (opts.pid_file);
  g_free (opts.log_file);
  g_free (opts.log_ident);
  g_free (opts.chroot_dir);
  g_free (opts.user);
  g_free (opts.group);
  g_free (opts.rule);
  g_free (opts.limit);
  g_free (opts.sublimit);
  g_free (opts.threshold);
  g_free (opts.bus_address);
  g_strfreev (opts.rest);
  return status;
}
