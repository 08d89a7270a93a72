/*
 * ipastat-session.c: initialising statistics modules, calling their
 * queries and releasing what they return (see ipastat-session.h).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipastat-exit.h"
#include "ipastat-session.h"
#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "ipa-suppfunc.h"

struct _IpastatSession {
  IpastatConf *conf;
  gboolean started;
};

/* ---------------------------------------------------------------------
 * The errno value behind a module's failure
 *
 * Modules report errors with logmsg (priority, errno code, text).  Every
 * st module gets a copy of the suppfunc table whose logmsg notes the code
 * before passing the message on, so that a failure can be classified
 * (missing database, busy, permission …).
 */

static ipa_suppfunc noting_suppfunc;
static int noted_code;

static void noting_logmsg (const char *mod_name, int priority, int code,
                           const char *format, va_list ap) G_GNUC_PRINTF (4, 0);

static void
noting_logmsg (const char *mod_name, int priority, int code,
               const char *format, va_list ap)
{
  if (code != 0 && priority != IPA_LOG_INFO)
    noted_code = code;
  ipa_suppfunc_get ()->logmsg (mod_name, priority, code, format, ap);
}

static void
install_noting_suppfunc (IpastatConf *conf)
{
  noting_suppfunc = *ipa_suppfunc_get ();
  noting_suppfunc.logmsg = noting_logmsg;
  for (guint i = 0; i < conf->st_mods->len; i++)
    {
      IpastatConfModRef *ref = g_ptr_array_index (conf->st_mods, i);

      ref->module->mod.st->suppfunc = &noting_suppfunc;
    }
}

static void
restore_suppfunc (IpastatConf *conf)
{
  for (guint i = 0; i < conf->st_mods->len; i++)
    {
      IpastatConfModRef *ref = g_ptr_array_index (conf->st_mods, i);

      ref->module->mod.st->suppfunc = ipa_suppfunc_get ();
    }
}

static void
call_begin (IpaModule *m)
{
  noted_code = 0;
  ipa_memfunc_set_owner (m->owner);
}

static void
call_end (void)
{
  ipa_memfunc_set_owner (NULL);
}

/* The error of a module call that returned -1. */
static gboolean G_GNUC_PRINTF (3, 4)
module_failed (GError **error, IpaModule *m, const char *format, ...)
{
  g_autofree char *what = NULL;
  IpastatExit status = ipastat_exit_from_errno (noted_code);
  va_list ap;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, IPASTAT_ERROR, status,
               _("statistics system \"%s\" (%s): %s failed"),
               m->name, m->file_name, what);
  return FALSE;
}

/* A module that breaks the API (INV-81 and the like). */
static gboolean G_GNUC_PRINTF (3, 4)
module_broken (GError **error, IpaModule *m, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, IPASTAT_ERROR, IPASTAT_EXIT_SOFTWARE,
               _("statistics system \"%s\" (%s) broke the module API: %s"),
               m->name, m->file_name, what);
  return FALSE;
}

static gboolean
unsupported (GError **error, IpaModule *m, const char *what)
{
  g_set_error (error, IPASTAT_ERROR, IPASTAT_EXIT_UNSUPPORTED,
               _("statistics system \"%s\" cannot give %s"), m->name, what);
  return FALSE;
}

/* ---------------------------------------------------------------------
 * Results: one mem_type of ipastat for every query (INV-79, INV-80)
 */

static ipa_mem_type *
results_mem_type (void)
{
  static ipa_mem_type *type;

  /* mem_types cannot be destroyed; one serves the whole process, and the
   * leak check at exit proves every result was released. */
  if (type == NULL)
    {
      /* Owned by ipastat, not by the module being called: a module's
       * mem_types go away when it is unloaded. */
      const char *owner = ipa_memfunc_get_owner ();

      ipa_memfunc_set_owner (NULL);
      type = ipa_mem_type_new ("ipastat", "results of statistics queries", 0);
      ipa_memfunc_set_owner (owner);
    }
  return type;
}

void
ipastat_desc_clear (gpointer p)
{
  IpastatDesc *d = p;

  g_clear_pointer (&d->name, g_free);
  g_clear_pointer (&d->info, g_free);
}

static char *
take_string (char *s)
{
  char *copy = g_strdup (s);

  if (s != NULL)
    ipa_mem_free (s, results_mem_type ());
  return copy;
}

static int
desc_compare (gconstpointer a, gconstpointer b)
{
  return strcmp (((const IpastatDesc *) a)->name, ((const IpastatDesc *) b)->name);
}

/* Copy and release an entity list a module returned; the copy is sorted
 * by name, whatever order the module keeps. */
static gboolean
take_descs (IpaModule *m, const char *what, unsigned int n,
            struct ipa_entity_desc *buf, GArray **out, GError **error)
{
  g_autoptr(GArray) arr = g_array_sized_new (FALSE, TRUE, sizeof (IpastatDesc), n);
  gboolean nameless = FALSE;

  g_array_set_clear_func (arr, ipastat_desc_clear);
  if (n > 0 && buf == NULL)
    return module_broken (error, m, "%s returned %u entries without a buffer", what, n);
  for (unsigned int i = 0; i < n; i++)
    {
      IpastatDesc d;

      nameless |= buf[i].name == NULL;
      d.name = take_string (buf[i].name);
      d.info = take_string (buf[i].info);
      g_array_append_val (arr, d);
    }
  if (buf != NULL)
    {
      if (n == 0)
        ipa_log_structured (LOG_WARNING, m->name, NULL,
                            "%s returned no entry but a buffer (INV-81)", what);
      ipa_mem_free (buf, results_mem_type ());
    }
  if (nameless)
    return module_broken (error, m, "%s returned an entry without a name", what);
  g_array_sort (arr, desc_compare);
  *out = g_steal_pointer (&arr);
  return TRUE;
}

/* Copy and release an array of @size-byte records. */
static gboolean
take_records (IpaModule *m, const char *what, unsigned int n, void *buf,
              gsize size, GArray **out, GError **error)
{
  GArray *arr;

  if (n > 0 && buf == NULL)
    return module_broken (error, m, "%s returned %u records without a buffer", what, n);
  arr = g_array_sized_new (FALSE, FALSE, size, n);
  if (n > 0)
    g_array_append_vals (arr, buf, n);
  if (buf != NULL)
    {
      if (n == 0)
        ipa_log_structured (LOG_WARNING, m->name, NULL,
                            "%s returned no record but a buffer (INV-81)", what);
      ipa_mem_free (buf, results_mem_type ());
    }
  *out = arr;
  return TRUE;
}

char *
ipastat_regex_for_name (const char *name)
{
  GString *s = g_string_new ("^");

  for (const char *p = name; *p != '\0'; p++)
    {
      if (strchr ("\\^$.[]|()*+?{}", *p) != NULL)
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '$');
  return g_string_free (s, FALSE);
}

/* Compile @pat (NULL: none) for a list query. */
static gboolean
compile_pattern (const char *pat, regex_t *re, GError **error)
{
  int rc;

  if (pat == NULL)
    return TRUE;
  rc = regcomp (re, pat, REG_EXTENDED | REG_NOSUB);
  if (rc != 0)
    {
      char buf[256];

      regerror (rc, re, buf, sizeof buf);
      g_set_error (error, IPASTAT_ERROR, IPASTAT_EXIT_USAGE,
                   _("bad regular expression \"%s\": %s"), pat, buf);
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------
 * Start and stop
 */

IpastatSession *
ipastat_session_new (IpastatConf *conf)
{
  IpastatSession *s = g_new0 (IpastatSession, 1);

  s->conf = conf;
  install_noting_suppfunc (conf);
  return s;
}

static gboolean
init_entities (IpaModule *m, const IpastatConfRule *r, gboolean limits,
               GError **error)
{
  struct ipa_st_mod *st = m->mod.st;
  GPtrArray *arr = limits ? r->limits : r->thresholds;

  for (guint j = 0; j < arr->len; j++)
    {
      const IpastatConfEntity *e = g_ptr_array_index (arr, j);
      int rc = 0;

      if (!ipa_conf_opt_list_has (&e->eff.st_list, m->name))
        continue;
      call_begin (m);
      if (limits && st->st_init_limit != NULL)
        rc = st->st_init_limit (r->no, r->name, e->no, e->name);
      else if (!limits && st->st_init_threshold != NULL)
        rc = st->st_init_threshold (r->no, r->name, e->no, e->name);
      call_end ();
      if (rc != 0)
        return module_failed (error, m, limits ? "st_init_limit of limit \"%s\" of rule \"%s\""
                                               : "st_init_threshold of threshold \"%s\" of rule \"%s\"",
                              e->name, r->name);
    }
  return TRUE;
}

gboolean
ipastat_session_start (IpastatSession *s, GError **error)
{
  IpastatConf *conf = s->conf;

  g_return_val_if_fail (!s->started, FALSE);
  s->started = TRUE;

  for (guint k = 0; k < conf->st_mods->len; k++)
    {
      IpaModule *m = ((IpastatConfModRef *) g_ptr_array_index (conf->st_mods, k))->module;
      int rc = 0;

      call_begin (m);
      if (m->mod.st->st_pre_init != NULL)
        rc = m->mod.st->st_pre_init ();
      call_end ();
      if (rc != 0)
        return module_failed (error, m, "st_pre_init");
    }

  /* Dynamic rules inherit module settings of their rulepats now, after
   * st_pre_init (so modules report through logmsg, INV-26). */
  for (guint i = conf->n_static_rules; i < conf->rules->len; i++)
    {
      IpastatConfRule *r = g_ptr_array_index (conf->rules, i);

      for (guint j = 0; j < r->rulepats->len; j++)
        for (guint k = 0; k < conf->st_mods->len; k++)
          {
            IpaModule *m = ((IpastatConfModRef *) g_ptr_array_index (conf->st_mods, k))->module;
            guint rpno = g_array_index (r->rulepats, guint, j);
            int rc = 0;

            if (m->conf_inherit == NULL)
              continue;
            call_begin (m);
            rc = m->conf_inherit (rpno, r->no, r->name);
            call_end ();
            if (rc != 0)
              return module_failed (error, m, "conf_inherit of rulepat #%u into rule \"%s\"",
                                    rpno, r->name);
          }
    }

  for (guint k = 0; k < conf->st_mods->len; k++)
    {
      IpaModule *m = ((IpastatConfModRef *) g_ptr_array_index (conf->st_mods, k))->module;
      struct ipa_st_mod *st = m->mod.st;

      for (guint i = 0; i < conf->rules->len; i++)
        {
          const IpastatConfRule *r = g_ptr_array_index (conf->rules, i);

          if (ipa_conf_opt_list_has (&r->eff.st_list, m->name) &&
              st->st_init_rule != NULL)
            {
              int rc;

              call_begin (m);
              rc = st->st_init_rule (r->no, r->name);
              call_end ();
              if (rc != 0)
                return module_failed (error, m, "st_init_rule of rule \"%s\"", r->name);
            }
          if (!init_entities (m, r, TRUE, error) ||
              !init_entities (m, r, FALSE, error))
            return FALSE;
        }
    }

  for (guint k = 0; k < conf->st_mods->len; k++)
    {
      IpaModule *m = ((IpastatConfModRef *) g_ptr_array_index (conf->st_mods, k))->module;
      int rc = 0;

      call_begin (m);
      if (m->mod.st->st_init != NULL)
        rc = m->mod.st->st_init ();
      call_end ();
      if (rc != 0)
        return module_failed (error, m, "st_init");
    }
  return TRUE;
}

void
ipastat_session_free (IpastatSession *s)
{
  if (s == NULL)
    return;
  /* Modules must not assume that st_*init was called, so the chain runs
   * after a failed start too (INV-75). */
  ipastat_conf_modules_deinit_chain (s->conf);
  restore_suppfunc (s->conf);
  g_free (s);
}

/* ---------------------------------------------------------------------
 * Queries
 */

typedef enum { LIST_RULES, LIST_LIMITS, LIST_THRESHOLDS } ListKind;

static gboolean
list_query (IpaModule *m, ListKind kind, const IpastatConfRule *rule,
            const char *pat, GArray **out, GError **error)
{
  static const char *const names[] = {
    "st_get_rules_list", "st_get_limits_list", "st_get_thresholds_list"
  };
  struct ipa_st_mod *st = m->mod.st;
  struct ipa_entity_desc *buf = NULL;
  unsigned int n = 0;
  regex_t re;
  int rc;

  if ((kind == LIST_RULES && st->st_get_rules_list == NULL) ||
      (kind == LIST_LIMITS && st->st_get_limits_list == NULL) ||
      (kind == LIST_THRESHOLDS && st->st_get_thresholds_list == NULL))
    return unsupported (error, m, kind == LIST_RULES ? _("a list of rules")
                                  : kind == LIST_LIMITS ? _("a list of limits")
                                  : _("a list of thresholds"));
  if (!compile_pattern (pat, &re, error))
    return FALSE;
  call_begin (m);
  switch (kind)
    {
    case LIST_RULES:
      rc = st->st_get_rules_list (pat, pat != NULL ? &re : NULL,
                                  results_mem_type (), &n, &buf);
      break;
    case LIST_LIMITS:
      rc = st->st_get_limits_list (rule->no, pat, pat != NULL ? &re : NULL,
                                   results_mem_type (), &n, &buf);
      break;
    default:
      rc = st->st_get_thresholds_list (rule->no, pat, pat != NULL ? &re : NULL,
                                       results_mem_type (), &n, &buf);
      break;
    }
  call_end ();
  if (pat != NULL)
    regfree (&re);
  if (rc != 0)
    {
      /* Whatever it allocated is its own business on failure; only a
       * success hands buffers over. */
      if (rule != NULL)
        return module_failed (error, m, "%s of rule \"%s\"", names[kind], rule->name);
      return module_failed (error, m, "%s", names[kind]);
    }
  return take_descs (m, names[kind], n, buf, out, error);
}

gboolean
ipastat_session_rules_list (IpastatSession *s, IpaModule *m, const char *pat,
                            GArray **out, GError **error)
{
  return list_query (m, LIST_RULES, NULL, pat, out, error);
}

gboolean
ipastat_session_limits_list (IpastatSession *s, IpaModule *m,
                             const IpastatConfRule *rule, const char *pat,
                             GArray **out, GError **error)
{
  return list_query (m, LIST_LIMITS, rule, pat, out, error);
}

gboolean
ipastat_session_thresholds_list (IpastatSession *s, IpaModule *m,
                                 const IpastatConfRule *rule, const char *pat,
                                 GArray **out, GError **error)
{
  return list_query (m, LIST_THRESHOLDS, rule, pat, out, error);
}

gboolean
ipastat_session_rule_info (IpastatSession *s, IpaModule *m,
                           const IpastatConfRule *rule, char **info,
                           GError **error)
{
  char *buf = NULL;
  int rc;

  *info = NULL;
  if (m->mod.st->st_get_rule_info == NULL)
    return TRUE;
  call_begin (m);
  rc = m->mod.st->st_get_rule_info (rule->no, results_mem_type (), &buf);
  call_end ();
  if (rc != 0)
    return module_failed (error, m, "st_get_rule_info of rule \"%s\"", rule->name);
  *info = take_string (buf);
  return TRUE;
}

gboolean
ipastat_session_entity_info (IpastatSession *s, IpaModule *m,
                             const IpastatConfRule *rule,
                             const IpastatConfEntity *e, gboolean is_limit,
                             char **info, GError **error)
{
  struct ipa_st_mod *st = m->mod.st;
  char *buf = NULL;
  int rc;

  *info = NULL;
  if ((is_limit && st->st_get_limit_info == NULL) ||
      (!is_limit && st->st_get_threshold_info == NULL))
    return TRUE;
  call_begin (m);
  if (is_limit)
    rc = st->st_get_limit_info (rule->no, e->no, results_mem_type (), &buf);
  else
    rc = st->st_get_threshold_info (rule->no, e->no, results_mem_type (), &buf);
  call_end ();
  if (rc != 0)
    return module_failed (error, m, is_limit
                                    ? "st_get_limit_info of limit \"%s\" of rule \"%s\""
                                    : "st_get_threshold_info of threshold \"%s\" of rule \"%s\"",
                          e->name, rule->name);
  *info = take_string (buf);
  return TRUE;
}

gboolean
ipastat_session_rule_stat (IpastatSession *s, IpaModule *m,
                           const IpastatConfRule *rule,
                           const IpastatInterval *interval, gboolean exact,
                           GArray **out, GError **error)
{
  struct ipa_rule_stat *buf = NULL;
  unsigned int n = 0;
  int rc;

  if (m->mod.st->st_get_rule_stat == NULL)
    return unsupported (error, m, _("statistics of rules"));
  call_begin (m);
  rc = m->mod.st->st_get_rule_stat (rule->no, &interval->from, &interval->to,
                                    exact ? 1 : 0, results_mem_type (), &n, &buf);
  call_end ();
  if (rc != 0)
    return module_failed (error, m, "st_get_rule_stat of rule \"%s\"", rule->name);
  return take_records (m, "st_get_rule_stat", n, buf, sizeof *buf, out, error);
}

gboolean
ipastat_session_limit_stat (IpastatSession *s, IpaModule *m,
                            const IpastatConfRule *rule,
                            const IpastatConfEntity *limit,
                            const IpastatInterval *interval, GArray **out,
                            GError **error)
{
  struct ipa_limit_state *buf = NULL;
  unsigned int n = 0;
  int rc;

  if (m->mod.st->st_get_limit_stat == NULL)
    return unsupported (error, m, _("statistics of limits"));
  call_begin (m);
  rc = m->mod.st->st_get_limit_stat (rule->no, limit->no,
                                     interval != NULL ? &interval->from : NULL,
                                     interval != NULL ? &interval->to : NULL,
                                     results_mem_type (), &n, &buf);
  call_end ();
  if (rc != 0)
    return module_failed (error, m, "st_get_limit_stat of limit \"%s\" of rule \"%s\"",
                          limit->name, rule->name);
  return take_records (m, "st_get_limit_stat", n, buf, sizeof *buf, out, error);
}

gboolean
ipastat_session_threshold_stat (IpastatSession *s, IpaModule *m,
                                const IpastatConfRule *rule,
                                const IpastatConfEntity *threshold,
                                gboolean *has_state,
                                struct ipa_threshold_state *state,
                                GError **error)
{
  int rc;

  if (m->mod.st->st_get_threshold_stat == NULL)
    return unsupported (error, m, _("statistics of thresholds"));
  memset (state, 0, sizeof *state);
  call_begin (m);
  rc = m->mod.st->st_get_threshold_stat (rule->no, threshold->no, state);
  call_end ();
  if (rc == -1)
    return module_failed (error, m, "st_get_threshold_stat of threshold \"%s\" of rule \"%s\"",
                          threshold->name, rule->name);
  if (rc != 0 && rc != 1)
    return module_broken (error, m, "st_get_threshold_stat returned %d (0, 1 or -1 expected)", rc);
  *has_state = rc == 1;
  return TRUE;
}
