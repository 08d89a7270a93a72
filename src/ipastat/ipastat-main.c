/*
 * ipastat-main.c: the ipastat command: options, -t/-tt, -q.
 *
 * Invocation forms (README.md):
 *   ipastat -h | -v
 *   ipastat [-c dir] [-u user] [-g group] [-f conf_file] -t [-t]
 *   ipastat [-c dir] [-u user] [-g group] [-f conf_file]
 *           [-s address | --no-live] -q query
 *
 * Everything after -q is the query (ipastat-query.h), so argv is split
 * there before the general options are parsed.  Exit statuses are those
 * of ipastat-exit.h.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipastat-conf-show.h"
#include "ipastat-conf.h"
#include "ipastat-exit.h"
#include "ipastat-interval.h"
#include "ipastat-live-dbus.h"
#include "ipastat-output.h"
#include "ipastat-query.h"
#include "ipastat-run.h"
#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "ipa-module.h"
#include "ipa-privileges.h"

typedef struct {
  gboolean version;
  int test;            /* number of -t */
  char *conf_file;
  char *chroot_dir;
  char *user;
  char *group;
  char *bus_address;   /* -s: the bus of ipa; NULL: the system bus */
  gboolean no_live;    /* --no-live: ask only the statistics modules */
  char **rest;
  gboolean query;      /* -q was given */
  int query_argc;
  char **query_argv;   /* not owned: part of the real argv */
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
  fprintf (stderr, "ipastat: %s\n", msg);
  fprintf (stderr, _("Try \"ipastat -h\" for help.\n"));
  return IPASTAT_EXIT_USAGE;
}

/* Find -q among the general options: letters that take an argument
 * consume the rest of their word or the next word.  Returns the index of
 * the word holding q (which must be its last letter), or -1. */
static int
find_query (int argc, char **argv, GError **error)
{
  static const char with_arg[] = "fcugs";

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];

      if (a[0] != '-' || a[1] == '\0')
        continue;
      if (a[1] == '-')
        {
          /* A long option with a separate argument. */
          if (strchr (a, '=') == NULL &&
              (strcmp (a, "--config") == 0 || strcmp (a, "--chroot") == 0 ||
               strcmp (a, "--user") == 0 || strcmp (a, "--group") == 0 ||
               strcmp (a, "--bus") == 0))
            i++;
          continue;
        }
      for (const char *p = a + 1; *p != '\0'; p++)
        {
          if (*p == 'q')
            {
              if (p[1] != '\0')
                {
                  g_set_error (error, IPASTAT_ERROR, IPASTAT_EXIT_USAGE,
                               _("-q takes no argument: the query follows it as separate words"));
                  return -2;
                }
              return i;
            }
          if (strchr (with_arg, *p) != NULL)
            {
              if (p[1] == '\0')
                i++;
              break;
            }
        }
    }
  return -1;
}

static void
print_version (void)
{
  printf ("ipastat %s\n", PACKAGE_VERSION);
  printf (_("Configuration file: %s\n"), IPASTAT_CONF_FILE);
  printf (_("Module directory: %s\n"), IPA_MODULE_DIR);
  printf (_("Memory functions debugging: %s\n"),
          WITH_MEMFUNC_DEBUG ? _("yes") : _("no"));
  printf (_("Module API: st %d, memfunc %d\n"), IPA_ST_MOD_API_VERSION,
          IPA_MEMFUNC_API_VERSION);
  printf (_("Output formats: table, plain, csv, json (format_version %d)\n"),
          IPASTAT_JSON_FORMAT_VERSION);
}

static int
check_options (void)
{
  g_autoptr(GError) error = NULL;

  if (opts.rest != NULL && opts.rest[0] != NULL)
    return usage_error (_("unexpected argument: %s"), opts.rest[0]);
  if (opts.version)
    {
      if (opts.test || opts.query || opts.conf_file != NULL ||
          opts.chroot_dir != NULL || opts.user != NULL || opts.group != NULL ||
          opts.bus_address != NULL || opts.no_live)
        return usage_error (_("-v cannot be combined with other options"));
      return 0;
    }
  if (opts.test && opts.query)
    return usage_error (_("-t and -q cannot be used together"));
  if (!opts.test && !opts.query)
    return usage_error (_("give -t to check the configuration or -q QUERY to ask for statistics"));
  if (opts.test > 2)
    return usage_error (_("-t may be given at most twice"));
  if (opts.test && (opts.bus_address != NULL || opts.no_live))
    return usage_error (_("-s and --no-live belong to -q (the daemon is not asked by -t)"));
  if (opts.bus_address != NULL && opts.no_live)
    return usage_error (_("-s and --no-live cannot be used together"));
  /* -c changes the root: a relative name would mean another file then. */
  if (opts.conf_file != NULL && !g_path_is_absolute (opts.conf_file))
    {
      char *abs = g_canonicalize_filename (opts.conf_file, NULL);

      g_free (opts.conf_file);
      opts.conf_file = abs;
    }
  if (!ipa_privileges_check (opts.chroot_dir, opts.user, opts.group, &error))
    return usage_error ("%s", error->message);
  return 0;
}

/* -c, -g, -u (see ipa-privileges.h). */
static int
apply_privileges (void)
{
  g_autoptr(GError) error = NULL;

  if (!ipa_privileges_drop (opts.chroot_dir, opts.user, opts.group, &error))
    {
      fprintf (stderr, "ipastat: %s\n", error->message);
      return IPASTAT_EXIT_PERMISSION;
    }
  return 0;
}

static void
report_leak (const char *message, gpointer user_data)
{
  fprintf (stderr, _("ipastat: memory leak: %s\n"), message);
}

/* Leaks of ipastat itself (modules' leaks are reported when they are
 * unloaded) are an internal error. */
static int
check_leaks (int status)
{
  if (ipa_memfunc_check_leaks (NULL, report_leak, NULL) > 0 &&
      status == IPASTAT_EXIT_OK)
    return IPASTAT_EXIT_SOFTWARE;
  return status;
}

static const char *
conf_path (void)
{
  return opts.conf_file != NULL ? opts.conf_file : IPASTAT_CONF_FILE;
}

/* ipastat -t / -tt */
static int
run_test (void)
{
  g_autoptr(GError) error = NULL;
  IpaModuleSet *modules = ipa_module_set_new ();
  IpastatConf *conf;
  int status = IPASTAT_EXIT_OK;

  conf = ipastat_conf_load (conf_path (), modules,
                            opts.test > 1 ? IPASTAT_CONF_LOAD_MIMIC
                                          : IPASTAT_CONF_LOAD_NONE,
                            &error);
  if (conf == NULL)
    {
      /* The message starts "FILE:LINE:COLUMN: " for editors to jump to. */
      if (error->domain == IPA_CONF_ERROR)
        fprintf (stderr, "%s\n", error->message);
      else
        fprintf (stderr, "ipastat: %s: %s\n", conf_path (), error->message);
      status = IPASTAT_EXIT_CONFIG;
    }
  else
    {
      for (guint i = 0; i < conf->warnings->len; i++)
        fprintf (stderr, _("%s (warning)\n"),
                 (const char *) g_ptr_array_index (conf->warnings, i));
      if (opts.test > 1)
        {
          g_autofree char *text = ipastat_conf_show (conf);

          fputs (text, stdout);
        }
      ipastat_conf_modules_deinit_chain (conf);
      ipastat_conf_free (conf);
    }
  ipa_module_set_free (modules);
  status = check_leaks (status);
  if (fflush (stdout) != 0 && status == IPASTAT_EXIT_OK)
    status = IPASTAT_EXIT_DATABASE;
  return status;
}

/* ipastat -q QUERY */
static int
run_query (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IpastatQuery) query = NULL;
  g_autoptr(IpastatResult) result = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(IpastatLive) live = NULL;
  IpastatInterval interval;
  struct tm now;
  time_t t = time (NULL);
  int status;

  query = ipastat_query_parse (opts.query_argc, opts.query_argv, &error);
  if (query == NULL)
    return usage_error ("%s", error->message);

  /* Local time is read before a chroot may hide the zone files. */
  localtime_r (&t, &now);
  if (query->interval != NULL)
    {
      if (!ipastat_interval_parse (query->interval, &now, &interval, &error))
        {
          fprintf (stderr, "ipastat: -i: %s\n", error->message);
          return IPASTAT_EXIT_INTERVAL;
        }
    }
  else
    ipastat_interval_current_month (&now, &interval);

  status = apply_privileges ();
  if (status != 0)
    return status;

  /* After -c, -g and -u: ipa's ACLs judge the user ipastat runs as.  The
   * provider asks ipa only when a value it knows is needed, and is
   * silently absent when ipa does not run. */
  if (!opts.no_live)
    live = ipastat_live_dbus_new (opts.bus_address);
  status = ipastat_run (conf_path (), query, &interval, live, &result);
  ipastat_output_format (out, result, query->format);
  if (out->len > 0 &&
      (fwrite (out->str, 1, out->len, stdout) != out->len || fflush (stdout) != 0))
    {
      fprintf (stderr, _("ipastat: cannot write the output: %s\n"), g_strerror (errno));
      if (status == IPASTAT_EXIT_OK)
        status = IPASTAT_EXIT_DATABASE;
    }
  g_clear_pointer (&result, ipastat_result_free);
  return check_leaks (status);
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  int status, qi, gargc;
  char **gargv;
  char *cluster = NULL;
  GOptionEntry entries[] = {
    { "version", 'v', 0, G_OPTION_ARG_NONE, &opts.version,
      N_("Print the version and the build settings, then exit"), NULL },
    { "config", 'f', 0, G_OPTION_ARG_FILENAME, &opts.conf_file,
      N_("Use this configuration file"), N_("FILE") },
    { "test", 't', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, count_test,
      N_("Check the configuration; twice (-tt): print the effective configuration"),
      NULL },
    { "chroot", 'c', 0, G_OPTION_ARG_FILENAME, &opts.chroot_dir,
      N_("chroot to this directory at start (absolute path)"), N_("DIR") },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &opts.user,
      N_("Run as this user"), N_("USER") },
    { "group", 'g', 0, G_OPTION_ARG_STRING, &opts.group,
      N_("Run with this group"), N_("GROUP") },
    { "bus", 's', 0, G_OPTION_ARG_STRING, &opts.bus_address,
      N_("D-Bus address of the bus where ipa runs, for live values (default: the system bus)"),
      N_("ADDRESS") },
    { "no-live", 0, 0, G_OPTION_ARG_NONE, &opts.no_live,
      N_("Do not ask the running ipa: every value from the statistics modules"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts.rest,
      NULL, N_("-q QUERY") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* IPA_LOCALEDIR in the environment: catalogs not installed yet (tests). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("IPA_LOCALEDIR") != NULL
                                   ? g_getenv ("IPA_LOCALEDIR") : IPA_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The general options end at -q; the rest is the query. */
  qi = find_query (argc, argv, &error);
  if (qi == -2)
    return usage_error ("%s", error->message);
  gargc = qi >= 0 ? qi + 1 : argc;
  gargv = g_new0 (char *, gargc + 1);
  for (int i = 0; i < gargc; i++)
    gargv[i] = argv[i];
  if (qi >= 0)
    {
      size_t len = strlen (argv[qi]);

      opts.query = TRUE;
      opts.query_argc = argc - qi - 1;
      opts.query_argv = argv + qi + 1;
      /* "-q" alone goes; a cluster such as "-tq" keeps its other letters. */
      if (len == 2)
        gargc--;
      else
        gargv[qi] = cluster = g_strndup (argv[qi], len - 1);
    }

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("ipastat, the statistics viewer of ipa."));
  description = g_strconcat (_("Forms:\n"
                               "  ipastat -h | -v\n"
                               "  ipastat [-c dir] [-u user] [-g group] [-f conf_file] -t [-t]\n"
                               "  ipastat [-c dir] [-u user] [-g group] [-f conf_file]\n"
                               "          [-s address | --no-live] -q query\n\n"),
                             ipastat_query_help (),
                             _("\nExit status: 0 success, 64 usage, 65 bad interval, 66 no database,\n"
                               "67 unknown rule/limit/threshold, 69 query not supported,\n"
                               "70 internal error, 74 database or output error, 75 database busy,\n"
                               "77 permission denied, 78 configuration error.\n"),
                             NULL);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  {
    int pargc = gargc;
    char **pargv = gargv;
    gboolean ok = g_option_context_parse (context, &pargc, &pargv, &error);

    /* The parser reorders gargv; the strings stay argv's or cluster. */
    g_free (cluster);
    g_free (gargv);
    if (!ok)
      {
        status = usage_error ("%s", error->message);
        goto out;
      }
  }

  status = check_options ();
  if (status != 0)
    goto out;
  if (opts.version)
    {
      print_version ();
      goto out;
    }

  ipa_log_init ("ipastat", IPA_LOG_TARGET_STDERR);
  if (opts.test)
    {
      status = apply_privileges ();
      if (status == 0)
        status = run_test ();
    }
  else
    status = run_query ();

out:
  g_free (opts.conf_file);
  g_free (opts.chroot_dir);
  g_free (opts.user);
  g_free (opts.group);
  g_free (opts.bus_address);
  g_strfreev (opts.rest);
  return status;
}
