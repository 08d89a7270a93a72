/*
 * ipa-run-section.c: ipa -x.
 */
#include "config.h"

#include "ipa-run-section.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-exec.h"
#include "ipa-log.h"

G_DEFINE_QUARK (ipa-run-section-error-quark, ipa_run_section_error)

/* Which sections each kind of object has. */
static const char *const global_sections[] = { "startup", "shutdown", NULL };
static const char *const rule_sections[] = { "startup", "shutdown", NULL };
static const char *const rule_subsections[] = {
  "if_all_reached", "if_any_reached", "if_all_not_reached", "if_any_not_reached", NULL
};
static const char *const limit_sections[] = { "restart", "reach", "expire", "startup", "shutdown", NULL };
static const char *const limit_subsections[] = { "if_reached", "if_not_reached", NULL };
static const char *const sublimit_sections[] = { "reach", "expire", NULL };
static const char *const threshold_sections[] = {
  "below_threshold", "equal_threshold", "above_threshold", NULL
};

static gboolean
bad_section (const char *const *allowed, const char *what, const char *section,
             GError **error)
{
  g_autofree char *list = g_strjoinv (", ", (char **) allowed);

  g_set_error (error, IPA_RUN_SECTION_ERROR, IPA_RUN_SECTION_ERROR_BAD_SECTION,
               _("%s has no section \"%s\" (it may have: %s)"), what, section, list);
  return FALSE;
}

/* Check @section against @allowed, and the subsection against @subs
 * (NULL: no subsection allowed), only for startup/shutdown. */
static gboolean
check_names (const IpaRunSectionRequest *req, const char *what,
             const char *const *allowed, const char *const *subs, GError **error)
{
  gboolean startup_shutdown;

  if (!g_strv_contains (allowed, req->section))
    return bad_section (allowed, what, req->section, error);
  if (req->subsection == NULL)
    return TRUE;
  startup_shutdown = strcmp (req->section, "startup") == 0 ||
                     strcmp (req->section, "shutdown") == 0;
  if (!startup_shutdown || subs == NULL)
    {
      g_set_error (error, IPA_RUN_SECTION_ERROR, IPA_RUN_SECTION_ERROR_BAD_SECTION,
                   _("section \"%s\" of %s has no subsections"), req->section, what);
      return FALSE;
    }
  if (!g_strv_contains (subs, req->subsection))
    {
      g_autofree char *list = g_strjoinv (", ", (char **) subs);

      g_set_error (error, IPA_RUN_SECTION_ERROR, IPA_RUN_SECTION_ERROR_BAD_SECTION,
                   _("section \"%s\" of %s has no subsection \"%s\" (it may have: %s)"),
                   req->section, what, req->subsection, list);
      return FALSE;
    }
  return TRUE;
}

static const IpaConfCmds *
pick_in_sect (const IpaConfCmdsSect *sect, const char *subsection)
{
  static const struct {
    const char *name;
    gsize offset;
  } subs[] = {
    { "if_reached", G_STRUCT_OFFSET (IpaConfCmdsSect, if_reached) },
    { "if_not_reached", G_STRUCT_OFFSET (IpaConfCmdsSect, if_not_reached) },
    { "if_all_reached", G_STRUCT_OFFSET (IpaConfCmdsSect, if_all_reached) },
    { "if_any_reached", G_STRUCT_OFFSET (IpaConfCmdsSect, if_any_reached) },
    { "if_all_not_reached", G_STRUCT_OFFSET (IpaConfCmdsSect, if_all_not_reached) },
    { "if_any_not_reached", G_STRUCT_OFFSET (IpaConfCmdsSect, if_any_not_reached) },
  };

  if (subsection == NULL)
    return &sect->cmds;
  for (gsize i = 0; i < G_N_ELEMENTS (subs); i++)
    if (strcmp (subs[i].name, subsection) == 0)
      return G_STRUCT_MEMBER_P (sect, subs[i].offset);
  g_return_val_if_reached (NULL);
}

/* startup/shutdown of an object that has both. */
static const IpaConfCmds *
pick_startup_shutdown (const IpaConfCmdsSect *startup, const IpaConfCmdsSect *shutdown,
                       const IpaRunSectionRequest *req)
{
  return pick_in_sect (strcmp (req->section, "startup") == 0 ? startup : shutdown,
                       req->subsection);
}

static const IpaConfCmds *
find_limit_cmds (const IpaConfLimit *limit, const IpaRunSectionRequest *req,
                 const char *what, GError **error)
{
  if (req->sublimit != NULL)
    {
      g_autofree char *sub_what = NULL;

      for (guint i = 0; limit->sublimits != NULL && i < limit->sublimits->len; i++)
        {
          const IpaConfSublimit *s = g_ptr_array_index (limit->sublimits, i);

          if (strcmp (s->arg, req->sublimit) != 0)
            continue;
          sub_what = g_strdup_printf (_("sublimit %s of %s"), s->arg, what);
          if (!check_names (req, sub_what, sublimit_sections, NULL, error))
            return NULL;
          return strcmp (req->section, "reach") == 0 ? &s->reach : &s->expire;
        }
      g_set_error (error, IPA_RUN_SECTION_ERROR, IPA_RUN_SECTION_ERROR_NO_OBJECT,
                   _("%s has no sublimit \"%s\""), what, req->sublimit);
      return NULL;
    }
  if (!check_names (req, what, limit_sections, limit_subsections, error))
    return NULL;
  if (strcmp (req->section, "restart") == 0)
    return &limit->restart;
  if (strcmp (req->section, "reach") == 0)
    return &limit->reach;
  if (strcmp (req->section, "expire") == 0)
    return &limit->expire;
  return pick_startup_shutdown (&limit->startup, &limit->shutdown, req);
}

static const IpaConfCmds *
find_threshold_cmds (const IpaConfThreshold *thr, const IpaRunSectionRequest *req,
                     const char *what, GError **error)
{
  if (!check_names (req, what, threshold_sections, NULL, error))
    return NULL;
  if (strcmp (req->section, "below_threshold") == 0)
    return &thr->below;
  if (strcmp (req->section, "equal_threshold") == 0)
    return &thr->equal;
  return &thr->above;
}

const IpaConfCmds *
ipa_run_section_find (const IpaConf *conf,
                      const IpaRunSectionRequest *req,
                      guint *debug,
                      GError **error)
{
  const IpaConfCmds *cmds;
  const IpaConfRule *rule;
  g_autofree char *what = NULL;

  *debug = 0;
  if (req->rule == NULL)
    {
      if (!check_names (req, _("the configuration"), global_sections, NULL, error))
        return NULL;
      cmds = strcmp (req->section, "startup") == 0 ? &conf->startup.cmds
                                                   : &conf->shutdown.cmds;
      what = g_strdup (_("the configuration"));
    }
  else
    {
      rule = ipa_conf_find_rule (conf, req->rule);
      if (rule == NULL)
        {
          g_set_error (error, IPA_RUN_SECTION_ERROR, IPA_RUN_SECTION_ERROR_NO_OBJECT,
                       _("%s: no static rule \"%s\""), conf->path, req->rule);
          return NULL;
        }
      *debug = (guint) rule->eff.debug_exec.v;
      if (req->limit != NULL)
        {
          const IpaConfLimit *limit = ipa_conf_rule_find_limit (rule, req->limit);

          if (limit == NULL)
            {
              g_set_error (error, IPA_RUN_SECTION_ERROR, IPA_RUN_SECTION_ERROR_NO_OBJECT,
                           _("rule %s has no limit \"%s\""), req->rule, req->limit);
              return NULL;
            }
          what = g_strdup_printf (_("limit %s of rule %s"), req->limit, req->rule);
          cmds = find_limit_cmds (limit, req, what, error);
          if (req->sublimit != NULL)
            {
              g_free (what);
              what = g_strdup_printf (_("sublimit %s of limit %s of rule %s"),
                                      req->sublimit, req->limit, req->rule);
            }
        }
      else if (req->threshold != NULL)
        {
          const IpaConfThreshold *thr = ipa_conf_rule_find_threshold (rule, req->threshold);

          if (thr == NULL)
            {
              g_set_error (error, IPA_RUN_SECTION_ERROR, IPA_RUN_SECTION_ERROR_NO_OBJECT,
                           _("rule %s has no threshold \"%s\""), req->rule, req->threshold);
              return NULL;
            }
          what = g_strdup_printf (_("threshold %s of rule %s"), req->threshold, req->rule);
          cmds = find_threshold_cmds (thr, req, what, error);
        }
      else
        {
          what = g_strdup_printf (_("rule %s"), req->rule);
          cmds = check_names (req, what, rule_sections, rule_subsections, error)
                 ? pick_startup_shutdown (&rule->startup, &rule->shutdown, req)
                 : NULL;
        }
      if (cmds == NULL)
        return NULL;
    }

  if (!cmds->present)
    {
      if (req->subsection != NULL)
        g_set_error (error, IPA_RUN_SECTION_ERROR, IPA_RUN_SECTION_ERROR_ABSENT,
                     _("%s has no \"%s %s\" section in %s"), what, req->section,
                     req->subsection, conf->path);
      else
        g_set_error (error, IPA_RUN_SECTION_ERROR, IPA_RUN_SECTION_ERROR_ABSENT,
                     _("%s has no \"%s\" section in %s"), what, req->section, conf->path);
      return NULL;
    }
  return cmds;
}

int
ipa_run_section (const IpaConf *conf,
                 const IpaRunSectionRequest *req,
                 GError **error)
{
  const IpaConfCmds *cmds;
  g_autoptr(IpaExecRunner) runner = NULL;
  g_autofree IpaExecCommand *commands = NULL;
  IpaExecContext context = { 0 };
  guint n, debug;

  cmds = ipa_run_section_find (conf, req, &debug, error);
  if (cmds == NULL)
    return -1;
  n = cmds->execs != NULL ? cmds->execs->len : 0;
  if (n == 0)
    return 0;

  commands = g_new0 (IpaExecCommand, n);
  for (guint i = 0; i < n; i++)
    {
      const IpaConfExec *e = g_ptr_array_index (cmds->execs, i);

      commands[i].user = e->user;
      commands[i].group = e->group;
      commands[i].command = e->command;
    }
  context.rule = req->rule;
  context.limit = req->limit;
  context.sublimit = req->sublimit;
  context.threshold = req->threshold;
  context.event = req->subsection != NULL ? req->subsection : req->section;
  context.debug = debug > 0;

  runner = ipa_exec_runner_new (conf->shell_path.set ? conf->shell_path.s : NULL,
                                conf->shell_arg1.set ? conf->shell_arg1.s : NULL,
                                0);
  return (int) ipa_exec_run_sync (runner, commands, n, &context);
}
