/*
 * ipa-conf-show-common.c: printing pieces shared by ipa and ipastat
 * (see ipa-conf-show-common.h).
 */
#include "config.h"

#include <string.h>

#include "ipa-conf-show-common.h"
#include "ipa-memfunc.h"

gboolean
ipa_conf_show_word_is_safe (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && strchr ("._-:@+%*,!~^", *s) == NULL)
      return FALSE;
  return TRUE;
}

void
ipa_conf_show_word (IpaConfPrinter *p, const char *s)
{
  if (ipa_conf_show_word_is_safe (s))
    ipa_conf_printer_param_args (p, "%s", s);
  else
    ipa_conf_printer_string (p, s);
}

void
ipa_conf_show_sect_open (IpaConfPrinter *p, const char *name,
                         const char *arg, gboolean arg_string)
{
  ipa_conf_printer_sect_name (p, NULL, name);
  if (arg != NULL)
    {
      if (arg_string || !ipa_conf_show_word_is_safe (arg))
        ipa_conf_printer_string (p, arg);
      else
        ipa_conf_printer_sect_args (p, "%s", arg);
    }
  ipa_conf_printer_sect_begin (p);
}

void
ipa_conf_show_list (IpaConfPrinter *p, const char *name,
                    const IpaConfOptList *list)
{
  if (!list->set)
    return;
  ipa_conf_printer_param_name (p, NULL, name);
  for (guint i = 0; list->names[i] != NULL; i++)
    {
      if (i > 0)
        ipa_conf_printer_space (p);
      ipa_conf_show_word (p, list->names[i]);
    }
  ipa_conf_printer_param_end (p);
}

void
ipa_conf_show_module (IpaConfPrinter *p, IpaModule *m, unsigned int sect_id,
                      unsigned int no)
{
  guint depth = ipa_conf_printer_get_depth (p);

  if (m->conf_show == NULL)
    return;
  ipa_memfunc_set_owner (m->owner);
  m->conf_show (sect_id, no);
  ipa_memfunc_set_owner (NULL);
  ipa_conf_printer_unwind (p, depth);
}
