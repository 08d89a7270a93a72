/*
 * ipastat-conf-show.c: ipastat.conf printed back as configuration text
 * (ipastat -tt).  The output parses back to the same configuration.
 */
#include "config.h"

#include "ipastat-conf-show.h"
#include "ipa-conf-show-common.h"

typedef struct {
  const IpastatConf *conf;
  IpaConfPrinter *p;
  gboolean mimic;
} Show;

/* conf_show (sect_id, no) of every statistics module, in st_mod order. */
static void
show_modules (Show *sh, unsigned int sect_id, unsigned int no)
{
  for (guint i = 0; i < sh->conf->st_mods->len; i++)
    {
      IpaModule *m = ((IpastatConfModRef *) g_ptr_array_index (sh->conf->st_mods, i))->module;

      ipa_conf_show_module (sh->p, m, sect_id, no);
    }
}

static void
show_bool (Show *sh, const char *name, const IpastatOptBool *o, gboolean dflt)
{
  if (!o->set && !sh->mimic)
    return;
  ipa_conf_printer_param_name (sh->p, NULL, name);
  ipa_conf_printer_boolean (sh->p, o->set ? o->v : dflt);
  ipa_conf_printer_param_end (sh->p);
}

static void
show_params (Show *sh, const IpastatConfParams *p)
{
  ipa_conf_show_list (sh->p, "st_list", &p->st_list);
  if (p->value_units.set)
    {
      ipa_conf_printer_param_name (sh->p, NULL, "value_units");
      ipa_conf_printer_param_args (sh->p, "%s", ipastat_units_to_string (p->value_units.v));
      ipa_conf_printer_param_end (sh->p);
    }
}

static void
show_entities (Show *sh, GPtrArray *arr, gboolean limits)
{
  for (guint i = 0; i < arr->len; i++)
    {
      const IpastatConfEntity *e = g_ptr_array_index (arr, i);

      /* Copies from rulepats are shown in their rulepat by -t, and as
       * part of the rule in effect by -tt. */
      if (e->inherited && !sh->mimic)
        continue;
      ipa_conf_show_sect_open (sh->p, limits ? "limit" : "threshold", e->name, FALSE);
      show_params (sh, sh->mimic ? &e->eff : &e->params);
      show_modules (sh, limits ? IPA_CONF_SECT_LIMIT : IPA_CONF_SECT_THRESHOLD, e->no);
      ipa_conf_printer_sect_end (sh->p);
    }
}

static void
show_rule (Show *sh, const IpastatConfRule *r)
{
  ipa_conf_show_sect_open (sh->p, "rule", r->name, FALSE);
  show_params (sh, sh->mimic ? &r->eff : &r->params);
  show_modules (sh, IPA_CONF_SECT_RULE, r->no);
  show_entities (sh, r->limits, TRUE);
  show_entities (sh, r->thresholds, FALSE);
  ipa_conf_printer_sect_end (sh->p);
}

static void
show_rulepat (Show *sh, const IpastatConfRulepat *rp)
{
  ipa_conf_show_sect_open (sh->p, "rulepat", rp->pattern, TRUE);
  show_bool (sh, "check_next_rulepat", &rp->check_next_rulepat, FALSE);
  show_params (sh, &rp->params);
  show_modules (sh, IPA_CONF_SECT_RULEPAT, rp->no);
  show_entities (sh, rp->limits, TRUE);
  show_entities (sh, rp->thresholds, FALSE);
  ipa_conf_printer_sect_end (sh->p);
}

char *
ipastat_conf_show (const IpastatConf *conf)
{
  g_autoptr(IpaConfPrinter) p = ipa_conf_printer_new ();
  IpaConfPrinter *saved = ipa_conf_printer_get_current ();
  Show sh = { conf, p, (conf->flags & IPASTAT_CONF_LOAD_MIMIC) != 0 };
  char *text;

  /* Modules print through suppfunc, which writes to the current printer. */
  ipa_conf_printer_set_current (p);
  for (guint i = 0; i < conf->st_mods->len; i++)
    {
      const IpastatConfModRef *m = g_ptr_array_index (conf->st_mods, i);

      ipa_conf_printer_param_name_plain (p, NULL, "st_mod");
      ipa_conf_printer_string (p, m->file);
      ipa_conf_printer_param_end (p);
    }
  show_bool (&sh, "dynamic_rules", &conf->dynamic_rules, IPASTAT_CONF_DEFAULT_DYNAMIC);
  show_bool (&sh, "dynamic_limits", &conf->dynamic_limits, IPASTAT_CONF_DEFAULT_DYNAMIC);
  show_bool (&sh, "dynamic_thresholds", &conf->dynamic_thresholds, IPASTAT_CONF_DEFAULT_DYNAMIC);
  show_modules (&sh, IPA_CONF_SECT_ROOT, 0);
  if (conf->has_global || sh.mimic)
    {
      ipa_conf_printer_blank_line (p);
      ipa_conf_show_sect_open (p, "global", NULL, FALSE);
      show_params (&sh, sh.mimic ? &conf->global_eff : &conf->global);
      show_modules (&sh, IPA_CONF_SECT_GLOBAL, 0);
      ipa_conf_printer_sect_end (p);
    }
  for (guint i = 0; i < conf->top->len; i++)
    {
      const IpastatConfTopRef *ref = &g_array_index (conf->top, IpastatConfTopRef, i);

      ipa_conf_printer_blank_line (p);
      if (ref->sect_id == IPA_CONF_SECT_RULE)
        show_rule (&sh, ref->sect);
      else
        show_rulepat (&sh, ref->sect);
    }
  text = ipa_conf_printer_steal_text (p);
  ipa_conf_printer_set_current (saved);
  return text;
}
