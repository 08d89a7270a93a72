/*
 * ipa-conf-show.c: printing the configuration model as configuration text
 * (ipa -t, ipa -tt).  The output parses back to the same configuration:
 * show (load (show (load (x)))) == show (load (x)).
 */
#include "config.h"

#include "ipa-conf-show.h"
#include "ipa-conf-show-common.h"

typedef struct {
  const IpaConf *conf;
  IpaConfPrinter *p;
  gboolean mimic;
} Show;

/* conf_show (sect_id, no) of every module but statistics ones, in load
 * order. */
static void
show_modules (Show *sh, unsigned int sect_id, unsigned int no)
{
  IpaModuleSet *set = sh->conf->modules;
  guint n = set != NULL ? ipa_module_set_get_n_modules (set) : 0;

  for (guint i = 0; i < n; i++)
    {
      IpaModule *m = ipa_module_set_get_nth (set, i);

      if (m->kind != IPA_MODULE_KIND_ST)
        ipa_conf_show_module (sh->p, m, sect_id, no);
    }
}

static void
show_u64_time (Show *sh, const char *name, const IpaConfOptU64 *o)
{
  if (!o->set)
    return;
  ipa_conf_printer_param_name (sh->p, NULL, name);
  ipa_conf_printer_time (sh->p, o->v);
  ipa_conf_printer_param_end (sh->p);
}

static void
show_u64_num (Show *sh, const char *name, const IpaConfOptU64 *o)
{
  if (!o->set)
    return;
  ipa_conf_printer_param_name (sh->p, NULL, name);
  ipa_conf_printer_param_args (sh->p, "%" G_GUINT64_FORMAT, o->v);
  ipa_conf_printer_param_end (sh->p);
}

static void
show_bool (Show *sh, const char *name, const IpaConfOptU64 *o)
{
  if (!o->set)
    return;
  ipa_conf_printer_param_name (sh->p, NULL, name);
  ipa_conf_printer_boolean (sh->p, o->v != 0);
  ipa_conf_printer_param_end (sh->p);
}

static void
show_str (Show *sh, const char *name, const IpaConfOptStr *o)
{
  if (!o->set)
    return;
  ipa_conf_printer_param_name (sh->p, NULL, name);
  ipa_conf_printer_string (sh->p, o->s);
  ipa_conf_printer_param_end (sh->p);
}

static void
show_worktime (Show *sh, const IpaConfOptWorktime *o)
{
  g_autoptr(GString) s = g_string_new (NULL);

  if (!o->set)
    return;
  ipa_worktime_format (s, o->wt);
  if (s->len == 0)
    g_string_append (s, "S * M * T * W * H * F * A *");
  ipa_conf_printer_param_name (sh->p, NULL, "worktime");
  ipa_conf_printer_param_args (sh->p, "%s", s->str);
  ipa_conf_printer_param_end (sh->p);
}

static void
show_value (Show *sh, const char *name, const IpaConfOptValue *o)
{
  if (!o->set)
    return;
  ipa_conf_printer_param_name (sh->p, NULL, name);
  if (o->per_cent)
    ipa_conf_printer_param_args (sh->p, "%" G_GUINT64_FORMAT "%%", o->v);
  else
    ipa_conf_printer_value (sh->p, o->v, (unsigned int) o->kind);
  ipa_conf_printer_param_end (sh->p);
}

static void
show_point (Show *sh, const char *name, const IpaConfOptPoint *o)
{
  g_autoptr(GString) s = g_string_new (NULL);

  if (!o->set)
    return;
  ipa_time_point_format (s, &o->point);
  ipa_conf_printer_param_name (sh->p, NULL, name);
  ipa_conf_printer_param_args (sh->p, "%s", s->str);
  ipa_conf_printer_param_end (sh->p);
}

static void
show_execs (Show *sh, const IpaConfCmds *c)
{
  for (guint i = 0; c->execs != NULL && i < c->execs->len; i++)
    {
      const IpaConfExec *e = g_ptr_array_index (c->execs, i);

      ipa_conf_printer_param_name_plain (sh->p, NULL, "exec");
      if (e->user != NULL)
        {
          if (e->group != NULL)
            ipa_conf_printer_param_args (sh->p, "%s:%s", e->user, e->group);
          else
            ipa_conf_printer_param_args (sh->p, "%s", e->user);
          ipa_conf_printer_space (sh->p);
        }
      ipa_conf_printer_string (sh->p, e->command);
      ipa_conf_printer_param_end (sh->p);
    }
}

/* A section holding exec lines and, for restart/expire, its point. */
static void
show_cmds (Show *sh, const char *name, unsigned int sect_id,
           const IpaConfCmds *c, const char *point_name,
           const IpaConfOptPoint *point)
{
  if (!c->present)
    return;
  ipa_conf_show_sect_open (sh->p, name, NULL, FALSE);
  if (point != NULL)
    show_point (sh, point_name, point);
  show_execs (sh, c);
  if (sect_id != 0)
    show_modules (sh, sect_id, 0);
  ipa_conf_printer_sect_end (sh->p);
}

static void
show_cmds_sect (Show *sh, const char *name, unsigned int sect_id,
                const IpaConfCmdsSect *s)
{
  if (!s->cmds.present)
    return;
  ipa_conf_show_sect_open (sh->p, name, NULL, FALSE);
  show_execs (sh, &s->cmds);
  show_modules (sh, sect_id, 0);
  show_cmds (sh, "if_reached", IPA_CONF_SECT_IF_REACHED, &s->if_reached, NULL, NULL);
  show_cmds (sh, "if_not_reached", IPA_CONF_SECT_IF_NOT_REACHED, &s->if_not_reached, NULL, NULL);
  show_cmds (sh, "if_all_reached", IPA_CONF_SECT_IF_ALL_REACHED, &s->if_all_reached, NULL, NULL);
  show_cmds (sh, "if_any_reached", IPA_CONF_SECT_IF_ANY_REACHED, &s->if_any_reached, NULL, NULL);
  show_cmds (sh, "if_all_not_reached", IPA_CONF_SECT_IF_ALL_NOT_REACHED, &s->if_all_not_reached, NULL, NULL);
  show_cmds (sh, "if_any_not_reached", IPA_CONF_SECT_IF_ANY_NOT_REACHED, &s->if_any_not_reached, NULL, NULL);
  ipa_conf_printer_sect_end (sh->p);
}

static void
show_rule_params (Show *sh, const IpaConfRuleParams *rp)
{
  ipa_conf_show_list (sh->p, "ac_list", &rp->ac_list);
  ipa_conf_show_list (sh->p, "db_list", &rp->db_list);
  show_u64_time (sh, "update_time", &rp->update_time);
  show_u64_time (sh, "append_time", &rp->append_time);
  show_worktime (sh, &rp->worktime);
  ipa_conf_show_list (sh->p, "ctl_rule_acl", &rp->ctl_rule_acl);
  show_u64_num (sh, "debug_exec", &rp->debug_exec);
  show_u64_num (sh, "debug_limit", &rp->debug_limit);
  show_u64_num (sh, "debug_limit_init", &rp->debug_limit_init);
  show_u64_num (sh, "debug_threshold", &rp->debug_threshold);
  show_u64_num (sh, "debug_threshold_init", &rp->debug_threshold_init);
}

static void
show_limit (Show *sh, const IpaConfLimit *l)
{
  ipa_conf_show_sect_open (sh->p, "limit", l->name, FALSE);
  show_value (sh, "limit", &l->limit);
  show_str (sh, "info", &l->info);
  show_worktime (sh, &l->worktime);
  ipa_conf_show_list (sh->p, "db_list", &l->db_list);
  show_bool (sh, "load_limit", &l->load_limit);
  show_modules (sh, IPA_CONF_SECT_LIMIT, l->no);
  show_cmds (sh, "restart", IPA_CONF_SECT_RESTART, &l->restart, "restart", &l->restart_point);
  show_cmds (sh, "reach", IPA_CONF_SECT_REACH, &l->reach, NULL, NULL);
  show_cmds (sh, "expire", IPA_CONF_SECT_EXPIRE, &l->expire, "expire", &l->expire_point);
  for (guint i = 0; i < l->sublimits->len; i++)
    {
      const IpaConfSublimit *s = g_ptr_array_index (l->sublimits, i);

      ipa_conf_printer_sect_name (sh->p, NULL, "sublimit");
      ipa_conf_printer_sect_args (sh->p, "%s", s->arg);
      ipa_conf_printer_sect_begin (sh->p);
      show_cmds (sh, "reach", IPA_CONF_SECT_REACH, &s->reach, NULL, NULL);
      show_cmds (sh, "expire", IPA_CONF_SECT_EXPIRE, &s->expire, "expire", &s->expire_point);
      ipa_conf_printer_sect_end (sh->p);
    }
  show_cmds_sect (sh, "startup", IPA_CONF_SECT_STARTUP, &l->startup);
  show_cmds_sect (sh, "shutdown", IPA_CONF_SECT_SHUTDOWN, &l->shutdown);
  ipa_conf_printer_sect_end (sh->p);
}

static void
show_threshold (Show *sh, const IpaConfThreshold *t)
{
  ipa_conf_show_sect_open (sh->p, "threshold", t->name, FALSE);
  show_value (sh, "threshold", &t->threshold);
  show_value (sh, "threshold_deviation", &t->deviation);
  show_u64_time (sh, "threshold_time_width", &t->time_width);
  show_u64_time (sh, "threshold_time_slice", &t->time_slice);
  show_u64_num (sh, "threshold_type", &t->type);
  if (t->balance.set)
    {
      guint32 v[3] = { t->balance.below, t->balance.equal, t->balance.above };
      g_autoptr(GString) s = g_string_new (NULL);

      for (int i = 0; i < 3; i++)
        {
          if (i > 0)
            g_string_append_c (s, ':');
          if (v[i] == IPA_CONF_BALANCE_ONCE)
            g_string_append_c (s, '-');
          else
            g_string_append_printf (s, "%u", v[i]);
        }
      ipa_conf_printer_param_name (sh->p, NULL, "threshold_balance");
      ipa_conf_printer_param_args (sh->p, "%s", s->str);
      ipa_conf_printer_param_end (sh->p);
    }
  show_bool (sh, "load_threshold", &t->load_threshold);
  show_str (sh, "info", &t->info);
  show_worktime (sh, &t->worktime);
  ipa_conf_show_list (sh->p, "db_list", &t->db_list);
  show_modules (sh, IPA_CONF_SECT_THRESHOLD, t->no);
  show_cmds (sh, "below_threshold", IPA_CONF_SECT_BELOW_THRESHOLD, &t->below, NULL, NULL);
  show_cmds (sh, "equal_threshold", IPA_CONF_SECT_EQUAL_THRESHOLD, &t->equal, NULL, NULL);
  show_cmds (sh, "above_threshold", IPA_CONF_SECT_ABOVE_THRESHOLD, &t->above, NULL, NULL);
  ipa_conf_printer_sect_end (sh->p);
}

static void
show_limits_thresholds (Show *sh, GPtrArray *limits, GPtrArray *thresholds)
{
  for (guint i = 0; i < limits->len; i++)
    {
      const IpaConfLimit *l = g_ptr_array_index (limits, i);

      /* Copies from rulepats are shown only as effective configuration;
       * -t shows them in their rulepat. */
      if (!l->inherited || sh->mimic)
        show_limit (sh, l);
    }
  for (guint i = 0; i < thresholds->len; i++)
    {
      const IpaConfThreshold *t = g_ptr_array_index (thresholds, i);

      if (!t->inherited || sh->mimic)
        show_threshold (sh, t);
    }
}

static void
show_rule (Show *sh, const IpaConfRule *r)
{
  ipa_conf_show_sect_open (sh->p, "rule", r->name, FALSE);
  show_rule_params (sh, sh->mimic ? &r->eff : &r->params);
  show_str (sh, "info", &r->info);
  show_str (sh, "ac_gather_add", &r->ac_gather_add);
  show_str (sh, "ac_gather_sub", &r->ac_gather_sub);
  show_modules (sh, IPA_CONF_SECT_RULE, r->no);
  show_cmds_sect (sh, "startup", IPA_CONF_SECT_STARTUP, &r->startup);
  show_cmds_sect (sh, "shutdown", IPA_CONF_SECT_SHUTDOWN, &r->shutdown);
  show_limits_thresholds (sh, r->limits, r->thresholds);
  ipa_conf_printer_sect_end (sh->p);
}

static void
show_autorule (Show *sh, const IpaConfAutorule *a)
{
  ipa_conf_show_sect_open (sh->p, "autorule", a->name, FALSE);
  show_rule_params (sh, &a->params);
  show_modules (sh, IPA_CONF_SECT_AUTORULE, a->no);
  show_limits_thresholds (sh, a->limits, a->thresholds);
  ipa_conf_printer_sect_end (sh->p);
}

static void
show_rulepat (Show *sh, const IpaConfRulepat *rp)
{
  ipa_conf_show_sect_open (sh->p, "rulepat", rp->pattern, TRUE);
  show_bool (sh, "check_next_rulepat", &rp->check_next_rulepat);
  show_rule_params (sh, &rp->params);
  show_modules (sh, IPA_CONF_SECT_RULEPAT, rp->no);
  show_limits_thresholds (sh, rp->limits, rp->thresholds);
  ipa_conf_printer_sect_end (sh->p);
}

static void
show_root (Show *sh)
{
  const IpaConf *conf = sh->conf;

  for (guint i = 0; i < conf->ac_mods->len; i++)
    {
      const IpaConfModRef *m = g_ptr_array_index (conf->ac_mods, i);

      ipa_conf_printer_param_name_plain (sh->p, NULL, "ac_mod");
      ipa_conf_printer_string (sh->p, m->file);
      ipa_conf_printer_param_end (sh->p);
    }
  for (guint i = 0; i < conf->db_mods->len; i++)
    {
      const IpaConfModRef *m = g_ptr_array_index (conf->db_mods, i);

      ipa_conf_printer_param_name_plain (sh->p, NULL, "db_mod");
      ipa_conf_printer_string (sh->p, m->file);
      ipa_conf_printer_param_end (sh->p);
    }
  show_u64_time (sh, "freeze_time", &conf->freeze_time);
  show_u64_time (sh, "sleep_after_dump", &conf->sleep_after_dump);
  show_str (sh, "shell_path", &conf->shell_path);
  show_str (sh, "shell_arg1", &conf->shell_arg1);
  for (guint i = 0; i < conf->acl_classes->len; i++)
    {
      const IpaConfAclClass *c = g_ptr_array_index (conf->acl_classes, i);
      g_autoptr(GString) s = g_string_new (NULL);

      for (guint j = 0; c->users[j] != NULL; j++)
        g_string_append_printf (s, "%s%s", s->len > 0 ? " " : "", c->users[j]);
      for (guint j = 0; c->groups[j] != NULL; j++)
        g_string_append_printf (s, "%s%%%s", s->len > 0 ? " " : "", c->groups[j]);
      ipa_conf_printer_param_name_plain (sh->p, NULL, "ctl_acl_class");
      ipa_conf_show_word (sh->p, c->name);
      ipa_conf_printer_space (sh->p);
      ipa_conf_printer_string (sh->p, s->str);
      ipa_conf_printer_param_end (sh->p);
    }
  ipa_conf_show_list (sh->p, "ctl_query_acl", &conf->ctl_query_acl);
  ipa_conf_show_list (sh->p, "ctl_dump_acl", &conf->ctl_dump_acl);
  show_u64_num (sh, "debug_ctl", &conf->debug_ctl);
  show_u64_num (sh, "debug_time", &conf->debug_time);
  show_u64_num (sh, "debug_worktime", &conf->debug_worktime);
  show_u64_num (sh, "debug_ac_null", &conf->debug_ac_null);
  show_u64_num (sh, "debug_db_null", &conf->debug_db_null);
  show_u64_num (sh, "debug_autorule", &conf->debug_autorule);
  show_modules (sh, IPA_CONF_SECT_ROOT, 0);
  show_cmds_sect (sh, "startup", IPA_CONF_SECT_STARTUP, &conf->startup);
  show_cmds_sect (sh, "shutdown", IPA_CONF_SECT_SHUTDOWN, &conf->shutdown);
}

char *
ipa_conf_show (const IpaConf *conf)
{
  g_autoptr(IpaConfPrinter) p = ipa_conf_printer_new ();
  IpaConfPrinter *saved = ipa_conf_printer_get_current ();
  Show sh = { conf, p, (conf->flags & IPA_CONF_LOAD_MIMIC) != 0 };
  char *text;

  /* Modules print through suppfunc, which writes to the current printer. */
  ipa_conf_printer_set_current (p);
  show_root (&sh);
  if (conf->has_global)
    {
      ipa_conf_printer_blank_line (p);
      ipa_conf_show_sect_open (p, "global", NULL, FALSE);
      show_rule_params (&sh, &conf->global);
      show_modules (&sh, IPA_CONF_SECT_GLOBAL, 0);
      ipa_conf_printer_sect_end (p);
    }
  for (guint i = 0; i < conf->top->len; i++)
    {
      const IpaConfTopRef *ref = &g_array_index (conf->top, IpaConfTopRef, i);

      ipa_conf_printer_blank_line (p);
      switch (ref->sect_id)
        {
        case IPA_CONF_SECT_RULE:
          show_rule (&sh, ref->sect);
          break;
        case IPA_CONF_SECT_AUTORULE:
          show_autorule (&sh, ref->sect);
          break;
        default:
          show_rulepat (&sh, ref->sect);
          break;
        }
    }
  text = ipa_conf_printer_steal_text (p);
  ipa_conf_printer_set_current (saved);
  return text;
}
