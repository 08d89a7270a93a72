/*
 * ipactl-value.c: values of ipactl's arguments: "[+|-]VALUE" with the
 * units of ipa.conf, the -w timeout, dates for the output.
 */
#include "config.h"

#include "ipactl.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-conf-value.h"

/* @words joined by single spaces, blanks inside words collapsed too: the
 * normalised text ipa_conf_value_parse() wants. */
static char *
normalise (const char *const *words)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit_set (words[i], " \t\n", -1);

      for (guint j = 0; parts[j] != NULL; j++)
        {
          if (*parts[j] == '\0')
            continue;
          if (out->len > 0)
            g_string_append_c (out, ' ');
          g_string_append (out, parts[j]);
        }
    }
  return g_string_free (out, FALSE);
}

gboolean
ipactl_parse_value (const char *const *words, IpactlOp *op, guint64 *value, GError **error)
{
  g_autofree char *text = normalise (words);
  const char *p = text;
  IpaConfValue v;

  *op = IPACTL_OP_ASSIGN;
  if (*p == '+' || *p == '-')
    {
      *op = *p == '+' ? IPACTL_OP_ADD : IPACTL_OP_SUBTRACT;
      p++;
      if (*p == ' ')
        p++;
    }
  if (*p == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("a value is missing"));
      return FALSE;
    }
  /* Its message names the value already. */
  if (!ipa_conf_value_parse (IPA_CONF_TYPE_VALUE, p, &v, error))
    return FALSE;
  *value = v.u.value.value;
  return TRUE;
}

const char *
ipactl_op_string (IpactlOp op)
{
  switch (op)
    {
    case IPACTL_OP_ADD:
      return "+";
    case IPACTL_OP_SUBTRACT:
      return "-";
    case IPACTL_OP_ASSIGN:
    default:
      return "=";
    }
}

gboolean
ipactl_parse_timeout (const char *text, guint *seconds, GError **error)
{
  const char *words[] = { text, NULL };
  g_autofree char *norm = normalise (words);
  IpaConfValue v;

  if (!ipa_conf_value_parse (IPA_CONF_TYPE_TIME, norm, &v, error))
    return FALSE;
  if (v.u.u64 > G_MAXUINT32)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("bad timeout \"%s\": too long"), text);
      return FALSE;
    }
  *seconds = (guint) v.u.u64;
  return TRUE;
}

char *
ipactl_format_date (gint64 wall)
{
  g_autoptr(GDateTime) t = NULL;

  if (wall == 0)
    return g_strdup ("-");
  t = g_date_time_new_from_unix_local (wall);
  if (t == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, wall);
  return g_date_time_format (t, "%Y-%m-%d %H:%M:%S");
}

char *
ipactl_pad (const char *text, guint width, gboolean right)
{
  glong len = g_utf8_strlen (text, -1);
  GString *out = g_string_new (NULL);

  if (right)
    for (glong i = len; i < (glong) width; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, text);
  if (!right)
    for (glong i = len; i < (glong) width; i++)
      g_string_append_c (out, ' ');
  return g_string_free (out, FALSE);
}
