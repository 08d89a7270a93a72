/*
 * ipa-conf-common.c: pieces shared by the ipa.conf and ipastat.conf
 * models (see ipa-conf-common.h).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-conf-common.h"
#include "ipa-memfunc.h"

gboolean
ipa_conf_error_at (GError **error, const IpaConfLocation *loc,
                   IpaConfErrorCode code, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, IPA_CONF_ERROR, code, "%s:%u:%u: %s",
               loc->file, loc->line, loc->column, msg);
  return FALSE;
}

IpaConfLocation
ipa_conf_loc_keep (const IpaConfLocation *loc)
{
  IpaConfLocation l = *loc;

  l.file = g_intern_string (loc->file);
  return l;
}

const char *
ipa_conf_name_bad_char (const char *name)
{
  if (*name == '\0')
    return name;
  for (const char *p = name; *p != '\0'; p++)
    if (*p == '/' || g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return p;
  return NULL;
}

gboolean
ipa_conf_name_is_valid (const char *name)
{
  return name != NULL && ipa_conf_name_bad_char (name) == NULL;
}

gboolean
ipa_conf_check_name (IpaConfParser *parser, const IpaConfStatement *st,
                     const char *what, GError **error)
{
  const char *name, *bad;

  if (st->nargs != 1)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_ARGS,
                                      _("%s needs exactly one name"), what);
  name = st->args[0].text;
  bad = ipa_conf_name_bad_char (name);
  if (bad == name && *name == '\0')
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                      _("empty %s name"), what);
  if (bad != NULL)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                      _("%s name \"%s\" contains '%c' (no '/', blank or control character is allowed)"),
                                      what, name, g_ascii_isprint (*bad) ? *bad : '?');
  return TRUE;
}

void
ipa_conf_opt_list_clear (IpaConfOptList *list)
{
  g_clear_pointer (&list->names, g_strfreev);
  list->set = FALSE;
}

void
ipa_conf_opt_list_copy (IpaConfOptList *dst, const IpaConfOptList *src)
{
  *dst = *src;
  dst->names = g_strdupv (src->names);
}

gboolean
ipa_conf_opt_list_has (const IpaConfOptList *list, const char *name)
{
  return list->set && g_strv_contains ((const char *const *) list->names, name);
}

gboolean
ipa_conf_rulepat_compile (IpaConfParser *parser, const IpaConfStatement *st,
                          regex_t *re, GError **error)
{
  int rc;

  if (st->nargs != 1)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_ARGS,
                                      _("rulepat needs exactly one regular expression"));
  rc = regcomp (re, st->args[0].text, REG_EXTENDED | REG_NOSUB);
  if (rc != 0)
    {
      char buf[256];

      regerror (rc, re, buf, sizeof buf);
      return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                        _("bad regular expression \"%s\": %s"),
                                        st->args[0].text, buf);
    }
  return TRUE;
}

int
ipa_conf_module_inherit (IpaModule *m, guint rulepatno, guint ruleno,
                         const char *rule_name)
{
  int rc = 0;

  /* The module's allocations are tagged with its owner. */
  ipa_memfunc_set_owner (m->owner);
  if (m->conf_inherit != NULL)
    rc = m->conf_inherit (rulepatno, ruleno, rule_name);
  ipa_memfunc_set_owner (NULL);
  return rc;
}

int
ipa_conf_module_mimic_real (IpaModule *m)
{
  int rc = 0;

  ipa_memfunc_set_owner (m->owner);
  if (m->conf_mimic_real != NULL)
    rc = m->conf_mimic_real ();
  ipa_memfunc_set_owner (NULL);
  return rc;
}

gboolean
ipa_conf_modules_conf_deinit (IpaModuleSet *modules, const char *path,
                              gboolean statistics, GError **error)
{
  gboolean ok = TRUE;
  guint n = modules != NULL ? ipa_module_set_get_n_modules (modules) : 0;

  for (guint i = 0; i < n; i++)
    {
      IpaModule *m = ipa_module_set_get_nth (modules, i);
      int rc = 0;

      if ((m->kind == IPA_MODULE_KIND_ST) != statistics ||
          m->conf_deinit == NULL)
        continue;
      ipa_memfunc_set_owner (m->owner);
      rc = m->conf_deinit ();
      ipa_memfunc_set_owner (NULL);
      if (rc != 0 && ok)
        {
          ok = FALSE;
          g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE,
                       _("%s:1:1: module %s (%s): conf_deinit failed"),
                       path, m->name, m->file_name);
        }
    }
  return ok;
}
