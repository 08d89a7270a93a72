/*
 * ipactl-set.c: ipactl -r R [-l L | -t T] set …
 *
 *   -r R set counter +V|-V
 *   -r R -l L set [limit [+|-]V] [counter [+|-]V]
 *   -r R -t T set [threshold [+|-]V] [counter [+|-]V]
 *
 * A value runs until the next keyword, so "limit +1G 512M" is one value.
 * Everything is parsed before anything is sent.
 */
#include "config.h"

#include "ipactl.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "ipa-dbus-names.h"

static gboolean
is_keyword (const char *word, const char *const *keywords)
{
  for (guint i = 0; keywords[i] != NULL; i++)
    if (strcmp (word, keywords[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The keyword/value pairs of the arguments; at most one per keyword. */
static gboolean
parse_changes (char **args, const char *const *keywords, IpactlChange *changes, guint *n,
               GError **error)
{
  guint i = 0;

  *n = 0;
  if (args == NULL || args[0] == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("set needs a keyword (%s) and a value"), keywords[0]);
      return FALSE;
    }
  while (args[i] != NULL)
    {
      g_autoptr(GPtrArray) words = g_ptr_array_new ();
      IpactlChange *ch = &changes[*n];

      if (!is_keyword (args[i], keywords))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) keywords);

          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       _("set: unknown keyword \"%s\" here (use %s)"), args[i], list);
          return FALSE;
        }
      for (guint j = 0; j < *n; j++)
        if (strcmp (changes[j].what, args[i]) == 0)
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                         _("set: \"%s\" given twice"), args[i]);
            return FALSE;
          }
      ch->what = args[i++];
      while (args[i] != NULL && !is_keyword (args[i], keywords))
        g_ptr_array_add (words, args[i++]);
      g_ptr_array_add (words, NULL);
      if (!ipactl_parse_value ((const char *const *) words->pdata, &ch->op, &ch->value, error))
        {
          g_prefix_error (error, "set %s: ", ch->what);
          return FALSE;
        }
      (*n)++;
    }
  return TRUE;
}

int
ipactl_prepare_set (Ipactl *c)
{
  static const char *const rule_words[] = { "counter", NULL };
  static const char *const limit_words[] = { "limit", "counter", NULL };
  static const char *const threshold_words[] = { "threshold", "counter", NULL };
  const char *const *keywords = c->limit != NULL ? limit_words
                                : c->threshold != NULL ? threshold_words : rule_words;
  g_autoptr(GError) error = NULL;

  if (!parse_changes (c->args, keywords, c->changes, &c->n_changes, &error))
    {
      gboolean usage = error->domain == G_OPTION_ERROR && error->code == G_OPTION_ERROR_FAILED;

      fprintf (stderr, "ipactl: %s\n", error->message);
      if (usage)
        fprintf (stderr, _("Try \"ipactl -h\" for help.\n"));
      return usage ? IPACTL_EXIT_USAGE : IPACTL_EXIT_DATAERR;
    }
  if (c->limit == NULL && c->threshold == NULL && c->changes[0].op == IPACTL_OP_ASSIGN)
    {
      fprintf (stderr, _("ipactl: the counter of a rule can only be changed by +VALUE or "
                         "-VALUE\n"));
      fprintf (stderr, _("Try \"ipactl -h\" for help.\n"));
      return IPACTL_EXIT_USAGE;
    }
  return 0;
}

int
ipactl_cmd_set (Ipactl *c)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < c->n_changes; i++)
    {
      const IpactlChange *ch = &c->changes[i];
      g_autoptr(GVariant) reply = NULL;
      g_autofree char *path = NULL;

      if (c->limit != NULL)
        {
          path = ipa_dbus_limit_path (c->rule, c->limit);
          reply = ipactl_call (c, path, IPA_DBUS_IFACE_LIMIT, "Set",
                               g_variant_new ("(sst)", ch->what, ipactl_op_string (ch->op),
                                              ch->value),
                               G_VARIANT_TYPE_UNIT, &error);
        }
      else if (c->threshold != NULL)
        {
          path = ipa_dbus_threshold_path (c->rule, c->threshold);
          reply = ipactl_call (c, path, IPA_DBUS_IFACE_THRESHOLD, "Set",
                               g_variant_new ("(sst)", ch->what, ipactl_op_string (ch->op),
                                              ch->value),
                               G_VARIANT_TYPE_UNIT, &error);
        }
      else
        {
          path = ipa_dbus_rule_path (c->rule);
          reply = ipactl_call (c, path, IPA_DBUS_IFACE_RULE, "Set",
                               g_variant_new ("(st)", ipactl_op_string (ch->op), ch->value),
                               G_VARIANT_TYPE_UNIT, &error);
        }
      if (reply == NULL)
        return ipactl_report_error (error);
    }
  return IPACTL_EXIT_OK;
}
