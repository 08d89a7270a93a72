/*
 * ipactl-main.c: ipactl, the control client of ipa: options, the checks
 * of what goes with what, and the commands.
 *
 *   ipactl -h | -v
 *   ipactl [-n] [-s address] [-w timeout]
 *          [[-a autorule] -r rule [-l limit | -t threshold]] command [args]
 *
 * Everything is checked before anything is sent: a usage error (status
 * 64) never reaches ipa.  Options end at the command word, so that values
 * such as "-100M" after it are arguments.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ipa-dbus-error.h"
#include "ipa-dbus-names.h"
#include "ipactl.h"

typedef struct {
  const char *name;
  guint required;          /* IPACTL_OPT_* that must be given */
  guint allowed;           /* … that may be given */
  gboolean takes_args;
  gboolean needs_reply;    /* meaningless with -n */
  int (*prepare) (Ipactl *c); /* checks of the arguments, before connecting */
  int (*run) (Ipactl *c);
} Command;

#define OPT_A IPACTL_OPT_A
#define OPT_R IPACTL_OPT_R
#define OPT_L IPACTL_OPT_L
#define OPT_T IPACTL_OPT_T

static const Command commands[] = {
  { "create", OPT_A | OPT_R, OPT_A | OPT_R, FALSE, FALSE, NULL, ipactl_cmd_create },
  { "delete", OPT_R, OPT_R, FALSE, FALSE, NULL, ipactl_cmd_delete },
  { "dump", 0, 0, FALSE, FALSE, NULL, ipactl_cmd_dump },
  { "expire", OPT_R | OPT_L, OPT_R | OPT_L, FALSE, FALSE, NULL, ipactl_cmd_expire },
  { "freeze", 0, 0, FALSE, FALSE, NULL, ipactl_cmd_freeze },
  { "memory", 0, 0, FALSE, TRUE, NULL, ipactl_cmd_memory },
  { "restart", OPT_R | OPT_L, OPT_R | OPT_L, FALSE, FALSE, NULL, ipactl_cmd_restart },
  { "set", OPT_R, OPT_R | OPT_L | OPT_T, TRUE, FALSE, ipactl_prepare_set, ipactl_cmd_set },
  { "status", 0, OPT_A | OPT_R | OPT_L | OPT_T, FALSE, TRUE, NULL, ipactl_cmd_status },
};

static G_GNUC_PRINTF (1, 2) int
usage_error (const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  fprintf (stderr, "ipactl: %s\n", msg);
  fprintf (stderr, _("Try \"ipactl -h\" for help.\n"));
  return IPACTL_EXIT_USAGE;
}

static const char *
option_letters (guint opts)
{
  static char buf[16];
  char *p = buf;

  if (opts & OPT_A)
    p += g_snprintf (p, 4, "-a ");
  if (opts & OPT_R)
    p += g_snprintf (p, 4, "-r ");
  if (opts & OPT_L)
    p += g_snprintf (p, 4, "-l ");
  if (opts & OPT_T)
    p += g_snprintf (p, 4, "-t ");
  if (p > buf)
    p[-1] = '\0';
  else
    *p = '\0';
  return buf;
}

/* The combination rules of the options and the command's own. */
static int
check_command (const Ipactl *c, const Command *cmd, guint given, guint nargs)
{
  guint missing = cmd->required & ~given;
  guint extra = given & ~cmd->allowed;

  if ((given & (OPT_L | OPT_T)) && !(given & OPT_R))
    return usage_error (_("-l and -t need -r"));
  if ((given & OPT_L) && (given & OPT_T))
    return usage_error (_("-l and -t cannot be given together"));
  if (missing != 0)
    return usage_error (_("%s needs %s"), cmd->name, option_letters (missing));
  if (extra != 0)
    return usage_error (_("%s does not take %s"), cmd->name, option_letters (extra));
  if (!cmd->takes_args && nargs > 0)
    return usage_error (_("%s takes no arguments: %s"), cmd->name, c->args[0]);
  if (cmd->needs_reply && c->no_wait)
    return usage_error (_("-n cannot be used with %s, which prints the answer"), cmd->name);
  return 0;
}

static void
print_version (void)
{
  const char *env = g_getenv ("DBUS_SYSTEM_BUS_ADDRESS");

  printf ("ipactl %s\n", PACKAGE_VERSION);
  printf (_("Service: %s on the system bus (%s), interface %s\n"), IPA_DBUS_NAME,
          env != NULL ? env : "unix:path=/run/dbus/system_bus_socket", IPA_DBUS_IFACE_MANAGER);
  printf (_("Commands: create delete dump expire freeze memory restart set status\n"));
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *timeout_text = NULL;
  gboolean version = FALSE;
  Ipactl c = { 0 };
  const Command *cmd = NULL;
  guint given = 0, nargs;
  int status;
  GOptionEntry entries[] = {
    { "autorule", 'a', 0, G_OPTION_ARG_STRING, &c.autorule,
      N_("The autorule (create; status)"), N_("AUTORULE") },
    { "rule", 'r', 0, G_OPTION_ARG_STRING, &c.rule, N_("The rule"), N_("RULE") },
    { "limit", 'l', 0, G_OPTION_ARG_STRING, &c.limit, N_("A limit of the rule"), N_("LIMIT") },
    { "threshold", 't', 0, G_OPTION_ARG_STRING, &c.threshold,
      N_("A threshold of the rule"), N_("THRESHOLD") },
    { "no-wait", 'n', 0, G_OPTION_ARG_NONE, &c.no_wait,
      N_("Send the command without waiting for the answer"), NULL },
    { "bus", 's', 0, G_OPTION_ARG_STRING, &c.address,
      N_("D-Bus address of the bus where ipa runs (default: the system bus)"), N_("ADDRESS") },
    { "timeout", 'w', 0, G_OPTION_ARG_STRING, &timeout_text,
      N_("Wait at most this long for the answer (seconds, or 1m…; 0: no limit, the default)"),
      N_("TIMEOUT") },
    { "version", 'v', 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and the settings, then exit"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &c.args, NULL,
      N_("COMMAND [ARGS]") },
    { NULL },
  };

  setlocale (LC_ALL, "");
  /* IPA_LOCALEDIR in the environment: catalogs not installed yet (tests). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("IPA_LOCALEDIR") != NULL
                                   ? g_getenv ("IPA_LOCALEDIR") : IPA_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* Errors of ipa come back as our error codes. */
  (void) ipa_dbus_error_quark ();

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Control a running ipa over D-Bus."));
  g_option_context_set_description (context,
    _("Commands:\n"
      "  -a A -r R create                 create dynamic rule R from autorule A\n"
      "  -r R delete                      delete dynamic rule R\n"
      "  dump                             write every counter to the databases now\n"
      "  -r R -l L expire                 expire reached limit L now\n"
      "  freeze                           pause accounting for freeze_time\n"
      "  memory                           print the memory used by ipa and its modules\n"
      "  -r R -l L restart                restart limit L now\n"
      "  -r R set counter +V|-V           change the counter of rule R\n"
      "  -r R -l L set [limit [+|-]V] [counter [+|-]V]\n"
      "  -r R -t T set [threshold [+|-]V] [counter [+|-]V]\n"
      "  [-a A] [-r R [-l L | -t T]] status\n"
      "                                   print the state of ipa or of the object\n"
      "Values take the units of ipa.conf: 1G 512M, 1h 30m, or a number.\n"
      "Exit status: 0 done, 1 refused by ipa, 64 usage, 65 bad value, 67 no such\n"
      "object, 69 ipa not running, 75 no answer in time, 77 access denied.\n"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* Options end at the command word: "set counter -100M". */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = usage_error ("%s", error->message);
      goto out;
    }
  if (version)
    {
      if (c.args != NULL || c.rule != NULL || c.autorule != NULL || c.limit != NULL ||
          c.threshold != NULL)
        {
          status = usage_error (_("-v cannot be combined with a command"));
          goto out;
        }
      print_version ();
      status = IPACTL_EXIT_OK;
      goto out;
    }
  if (timeout_text != NULL && !ipactl_parse_timeout (timeout_text, &c.timeout_sec, &error))
    {
      status = usage_error ("-w: %s", error->message);
      goto out;
    }
  if (c.args == NULL || c.args[0] == NULL)
    {
      status = usage_error (_("a command is needed"));
      goto out;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, c.args[0]) == 0)
      cmd = &commands[i];
  if (cmd == NULL)
    {
      status = usage_error (_("unknown command \"%s\""), c.args[0]);
      goto out;
    }
  /* The command word is not an argument. */
  {
    char **rest = g_strdupv (c.args + 1);

    g_strfreev (c.args);
    c.args = rest;
  }
  nargs = g_strv_length (c.args);
  given = (c.autorule != NULL ? OPT_A : 0) | (c.rule != NULL ? OPT_R : 0) |
          (c.limit != NULL ? OPT_L : 0) | (c.threshold != NULL ? OPT_T : 0);
  status = check_command (&c, cmd, given, nargs);
  if (status == 0 && cmd->prepare != NULL)
    status = cmd->prepare (&c);
  if (status != 0)
    goto out;

  if (!ipactl_connect (&c, &error))
    {
      status = ipactl_report_error (error);
      goto out;
    }
  status = cmd->run (&c);
  if (c.no_wait && status == IPACTL_EXIT_OK)
    ipactl_linger (&c);

out:
  g_clear_object (&c.bus);
  g_free (c.autorule);
  g_free (c.rule);
  g_free (c.limit);
  g_free (c.threshold);
  g_free (c.address);
  g_strfreev (c.args);
  return status;
}
