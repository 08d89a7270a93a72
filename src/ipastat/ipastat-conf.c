/*
 * ipastat-conf.c: the schema of ipastat.conf, its model, checks,
 * inheritance and the module configuration phase.
 *
 * Decisions on points the format leaves open (also in README.md):
 *
 *  - Top level: st_mod "file"; (repeatable), dynamic_rules,
 *    dynamic_limits, dynamic_thresholds (booleans, default yes), macros,
 *    include*, posix_re_pattern; global at most once.
 *  - global, rulepat, rule, limit and threshold hold st_list (the
 *    statistics systems that serve the entity, names of loaded st modules)
 *    and value_units (raw, bytes or time: how counters are printed).
 *    Defaults: st_list = every loaded statistics system in st_mod order;
 *    value_units = raw.
 *  - Inheritance of a rule: own value > first matching rulepat (and the
 *    next matching ones while the matched one says check_next_rulepat =
 *    yes) > global > default, as in ipa.conf.  Limits and thresholds take
 *    what they lack from their rule.  Limits and thresholds of a rulepat
 *    are copied into every matching rule (static or dynamic) after the
 *    rule's own, unless it has one of the same name.
 *  - A rule, limit or threshold named by a query without a section is a
 *    dynamic one; it is allowed only when dynamic_rules (dynamic_limits,
 *    dynamic_thresholds) is yes.  Dynamic rules are numbered after the
 *    static ones.
 *  - Names of rules, limits and thresholds are non-empty and contain no
 *    '/', blank or control character (as in ipa.conf).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipastat-conf.h"
#include "ipa-memfunc.h"

/* ---------------------------------------------------------------------
 * Units
 */

static const char *const units_names[] = { "raw", "bytes", "time" };

const char *
ipastat_units_to_string (IpastatUnits units)
{
  g_return_val_if_fail ((guint) units < G_N_ELEMENTS (units_names), "raw");
  return units_names[units];
}

gboolean
ipastat_units_from_string (const char *text, IpastatUnits *units)
{
  for (guint i = 0; i < G_N_ELEMENTS (units_names); i++)
    if (strcmp (text, units_names[i]) == 0)
      {
        *units = (IpastatUnits) i;
        return TRUE;
      }
  return FALSE;
}

/* ---------------------------------------------------------------------
 * Freeing and copying
 */

static void
params_clear (IpastatConfParams *p)
{
  ipa_conf_opt_list_clear (&p->st_list);
  p->value_units.set = FALSE;
}

/* Fill what @dst lacks from @src. */
static void
params_merge (IpastatConfParams *dst, const IpastatConfParams *src)
{
  if (!dst->st_list.set && src->st_list.set)
    ipa_conf_opt_list_copy (&dst->st_list, &src->st_list);
  if (!dst->value_units.set && src->value_units.set)
    dst->value_units = src->value_units;
}

static void
entity_free (gpointer p)
{
  IpastatConfEntity *e = p;

  g_free (e->name);
  params_clear (&e->params);
  params_clear (&e->eff);
  g_free (e);
}

static IpastatConfEntity *
entity_copy (const IpastatConfEntity *src)
{
  IpastatConfEntity *e = g_new0 (IpastatConfEntity, 1);

  e->no = src->no;
  e->name = g_strdup (src->name);
  e->loc = src->loc;
  e->inherited = src->inherited;
  e->dynamic = src->dynamic;
  params_merge (&e->params, &src->params);
  return e;
}

static void
rule_free (gpointer p)
{
  IpastatConfRule *r = p;

  g_free (r->name);
  params_clear (&r->params);
  params_clear (&r->eff);
  g_ptr_array_unref (r->limits);
  g_ptr_array_unref (r->thresholds);
  g_array_unref (r->rulepats);
  g_free (r);
}

static IpastatConfRule *
rule_new (unsigned int no, const char *name)
{
  IpastatConfRule *r = g_new0 (IpastatConfRule, 1);

  r->no = no;
  r->name = g_strdup (name);
  r->limits = g_ptr_array_new_with_free_func (entity_free);
  r->thresholds = g_ptr_array_new_with_free_func (entity_free);
  r->rulepats = g_array_new (FALSE, FALSE, sizeof (guint));
  return r;
}

static void
rulepat_free (gpointer p)
{
  IpastatConfRulepat *rp = p;

  g_free (rp->pattern);
  regfree (&rp->re);
  params_clear (&rp->params);
  g_ptr_array_unref (rp->limits);
  g_ptr_array_unref (rp->thresholds);
  g_free (rp);
}

static void
mod_ref_free (gpointer p)
{
  IpastatConfModRef *m = p;

  g_free (m->file);
  g_free (m->name);
  g_free (m);
}

void
ipastat_conf_free (IpastatConf *conf)
{
  if (conf == NULL)
    return;
  g_free (conf->path);
  g_ptr_array_unref (conf->st_mods);
  params_clear (&conf->global);
  params_clear (&conf->global_eff);
  g_ptr_array_unref (conf->rules);
  g_ptr_array_unref (conf->rulepats);
  g_array_unref (conf->top);
  g_ptr_array_unref (conf->warnings);
  g_free (conf);
}

static IpastatConf *
conf_new (const char *path, IpaModuleSet *modules, IpastatConfLoadFlags flags)
{
  IpastatConf *conf = g_new0 (IpastatConf, 1);

  conf->path = g_strdup (path);
  conf->flags = flags;
  conf->modules = modules;
  conf->st_mods = g_ptr_array_new_with_free_func (mod_ref_free);
  conf->rules = g_ptr_array_new_with_free_func (rule_free);
  conf->rulepats = g_ptr_array_new_with_free_func (rulepat_free);
  conf->top = g_array_new (FALSE, FALSE, sizeof (IpastatConfTopRef));
  conf->warnings = g_ptr_array_new_with_free_func (g_free);
  return conf;
}

/* ---------------------------------------------------------------------
 * Parsing context: a stack of the open sections
 */

typedef struct {
  unsigned int sect_id;
  gpointer obj;   /* IpastatConfParams owner: IpastatConf (global), rule … */
} Frame;

typedef struct {
  IpastatConf *conf;
  IpaConfParser *parser;
  GArray *stack;  /* Frame */
  GHashTable *rule_names;
} Ctx;

static Frame *
frame_top (Ctx *ctx)
{
  return &g_array_index (ctx->stack, Frame, ctx->stack->len - 1);
}

static void
frame_push (Ctx *ctx, unsigned int sect_id, gpointer obj)
{
  Frame f = { sect_id, obj };

  g_array_append_val (ctx->stack, f);
}

static gboolean
sect_end (IpaConfParser *parser, const IpaConfStatement *st,
          gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;

  g_assert (ctx->stack->len > 1);
  g_array_set_size (ctx->stack, ctx->stack->len - 1);
  return TRUE;
}

static IpastatConfParams *
frame_params (Frame *f)
{
  switch (f->sect_id)
    {
    case IPA_CONF_SECT_GLOBAL:
      return &((IpastatConf *) f->obj)->global;
    case IPA_CONF_SECT_RULE:
      return &((IpastatConfRule *) f->obj)->params;
    case IPA_CONF_SECT_RULEPAT:
      return &((IpastatConfRulepat *) f->obj)->params;
    case IPA_CONF_SECT_LIMIT:
    case IPA_CONF_SECT_THRESHOLD:
      return &((IpastatConfEntity *) f->obj)->params;
    default:
      g_assert_not_reached ();
    }
}

static void
top_add (IpastatConf *conf, unsigned int sect_id, gpointer sect)
{
  IpastatConfTopRef ref = { sect_id, sect };

  g_array_append_val (conf->top, ref);
}

/* --- sections --- */

static gboolean
global_begin (IpaConfParser *parser, const IpaConfStatement *st,
              gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpastatConf *conf = ctx->conf;

  if (conf->has_global)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_DUPLICATE,
                                      _("global section given twice (first at line %u)"),
                                      conf->global_loc.line);
  conf->has_global = TRUE;
  conf->global_loc = ipa_conf_loc_keep (&st->loc);
  frame_push (ctx, IPA_CONF_SECT_GLOBAL, conf);
  return TRUE;
}

static gboolean
rule_begin (IpaConfParser *parser, const IpaConfStatement *st,
            gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpastatConfRule *r, *old;

  if (!ipa_conf_check_name (ctx->parser, st, "rule", error))
    return FALSE;
  old = g_hash_table_lookup (ctx->rule_names, st->args[0].text);
  if (old != NULL)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_DUPLICATE,
                                      _("duplicate rule \"%s\" (first at %s:%u)"),
                                      old->name, old->loc.file, old->loc.line);
  /* Rules are numbered in file order from 0, which is also their index. */
  g_assert (st->no == ctx->conf->rules->len);
  r = rule_new (st->no, st->args[0].text);
  r->loc = ipa_conf_loc_keep (&st->loc);
  g_ptr_array_add (ctx->conf->rules, r);
  g_hash_table_insert (ctx->rule_names, r->name, r);
  top_add (ctx->conf, IPA_CONF_SECT_RULE, r);
  frame_push (ctx, IPA_CONF_SECT_RULE, r);
  return TRUE;
}

static gboolean
rulepat_begin (IpaConfParser *parser, const IpaConfStatement *st,
               gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpastatConfRulepat *rp = g_new0 (IpastatConfRulepat, 1);

  if (!ipa_conf_rulepat_compile (parser, st, &rp->re, error))
    {
      g_free (rp);
      return FALSE;
    }
  rp->no = st->no;
  rp->pattern = g_strdup (st->args[0].text);
  rp->loc = ipa_conf_loc_keep (&st->loc);
  rp->limits = g_ptr_array_new_with_free_func (entity_free);
  rp->thresholds = g_ptr_array_new_with_free_func (entity_free);
  g_ptr_array_add (ctx->conf->rulepats, rp);
  top_add (ctx->conf, IPA_CONF_SECT_RULEPAT, rp);
  frame_push (ctx, IPA_CONF_SECT_RULEPAT, rp);
  return TRUE;
}

/* limit and threshold sections */
static gboolean
entity_begin (IpaConfParser *parser, const IpaConfStatement *st,
              gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  Frame *f = frame_top (ctx);
  gboolean is_limit = st->sect_id == IPA_CONF_SECT_LIMIT;
  const char *what = is_limit ? "limit" : "threshold";
  GPtrArray *arr;
  IpastatConfEntity *e;

  if (f->sect_id == IPA_CONF_SECT_RULE)
    {
      IpastatConfRule *r = f->obj;

      arr = is_limit ? r->limits : r->thresholds;
    }
  else
    {
      IpastatConfRulepat *rp = f->obj;

      arr = is_limit ? rp->limits : rp->thresholds;
    }
  if (!ipa_conf_check_name (ctx->parser, st, what, error))
    return FALSE;
  for (guint i = 0; i < arr->len; i++)
    {
      IpastatConfEntity *old = g_ptr_array_index (arr, i);

      if (strcmp (old->name, st->args[0].text) == 0)
        return ipa_conf_parser_set_error (parser, error,
                                          IPA_CONF_ERROR_DUPLICATE,
                                          is_limit
                                          ? _("duplicate limit \"%s\" (first at line %u)")
                                          : _("duplicate threshold \"%s\" (first at line %u)"),
                                          old->name, old->loc.line);
    }
  e = g_new0 (IpastatConfEntity, 1);
  e->no = st->no;
  e->name = g_strdup (st->args[0].text);
  e->loc = ipa_conf_loc_keep (&st->loc);
  g_ptr_array_add (arr, e);
  frame_push (ctx, st->sect_id, e);
  return TRUE;
}

/* --- parameters --- */

static gboolean
param_st_mod (IpaConfParser *parser, const IpaConfStatement *st,
              gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpastatConf *conf = ctx->conf;
  g_autoptr(GError) local = NULL;
  IpaConfModuleTables tables;
  IpastatConfModRef *ref;
  IpaModule *m;

  if (conf->modules == NULL)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_MODULE,
                                      _("modules cannot be loaded here"));
  m = ipa_module_set_load (conf->modules, IPA_MODULE_KIND_ST, st->value.u.str,
                           &local);
  if (m == NULL)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_MODULE,
                                      "%s", local->message);
  tables = ipa_module_set_conf_tables (conf->modules, m);
  if (!ipa_conf_parser_add_module (parser, &tables, error))
    return FALSE;
  ref = g_new0 (IpastatConfModRef, 1);
  ref->file = g_strdup (st->value.u.str);
  ref->name = g_strdup (m->name);
  ref->loc = ipa_conf_loc_keep (&st->loc);
  ref->module = m;
  g_ptr_array_add (conf->st_mods, ref);
  return TRUE;
}

static gboolean
param_st_list (IpaConfParser *parser, const IpaConfStatement *st,
               gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpastatOptList *out = &frame_params (frame_top (ctx))->st_list;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < st->nargs; i++)
    {
      g_auto(GStrv) parts = g_strsplit_set (st->args[i].text, " \t\n", -1);

      for (guint j = 0; parts[j] != NULL; j++)
        if (*parts[j] != '\0')
          g_ptr_array_add (names, g_strdup (parts[j]));
    }
  if (names->len == 0)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_ARGS,
                                      _("st_list needs at least one statistics system"));
  g_ptr_array_add (names, NULL);
  out->set = TRUE;
  out->loc = ipa_conf_loc_keep (&st->loc);
  out->names = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  return TRUE;
}

static gboolean
param_value_units (IpaConfParser *parser, const IpaConfStatement *st,
                   gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpastatOptUnits *out = &frame_params (frame_top (ctx))->value_units;
  IpastatUnits u;

  if (!ipastat_units_from_string (st->args[0].text, &u))
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                      _("value_units must be raw, bytes or time, not \"%s\""),
                                      st->args[0].text);
  out->set = TRUE;
  out->loc = ipa_conf_loc_keep (&st->loc);
  out->v = u;
  return TRUE;
}

static gboolean
param_bool (IpaConfParser *parser, const IpaConfStatement *st,
            gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpastatConf *conf = ctx->conf;
  IpastatOptBool *o;

  if (strcmp (st->name, "check_next_rulepat") == 0)
    o = &((IpastatConfRulepat *) frame_top (ctx)->obj)->check_next_rulepat;
  else if (strcmp (st->name, "dynamic_rules") == 0)
    o = &conf->dynamic_rules;
  else if (strcmp (st->name, "dynamic_limits") == 0)
    o = &conf->dynamic_limits;
  else
    o = &conf->dynamic_thresholds;
  o->set = TRUE;
  o->loc = ipa_conf_loc_keep (&st->loc);
  o->v = st->value.u.boolean != 0;
  return TRUE;
}

/* --- the schema --- */

#define W(...) ((const unsigned int[]) { __VA_ARGS__, 0 })
#define W_ROOT W (IPA_CONF_SECT_ROOT)
#define W_PARAMS W (IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULEPAT, \
                    IPA_CONF_SECT_RULE, IPA_CONF_SECT_LIMIT, \
                    IPA_CONF_SECT_THRESHOLD)
#define W_HOLDERS W (IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_RULE)

static const IpaConfSectDef conf_sects[] = {
  { "global", IPA_CONF_SECT_GLOBAL, 0, 0, W_ROOT, IPA_CONF_EVENT_GLOBAL_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, global_begin, sect_end },
  { "rule", IPA_CONF_SECT_RULE, -1, 0, W_ROOT, IPA_CONF_EVENT_RULE_BEGIN,
    IPA_CONF_NUMBER_FILE, "rule", rule_begin, sect_end },
  { "rulepat", IPA_CONF_SECT_RULEPAT, -1, 0, W_ROOT,
    IPA_CONF_EVENT_RULEPAT_BEGIN, IPA_CONF_NUMBER_FILE, NULL,
    rulepat_begin, sect_end },
  { "limit", IPA_CONF_SECT_LIMIT, -1, 0, W_HOLDERS, IPA_CONF_EVENT_LIMIT_BEGIN,
    IPA_CONF_NUMBER_PARENT, "limit", entity_begin, sect_end },
  { "threshold", IPA_CONF_SECT_THRESHOLD, -1, 0, W_HOLDERS,
    IPA_CONF_EVENT_THRESHOLD_BEGIN, IPA_CONF_NUMBER_PARENT, "threshold",
    entity_begin, sect_end },
  { NULL }
};

static const IpaConfParamDef conf_params[] = {
  { "st_mod", 1, IPA_CONF_TYPE_STRING, W_ROOT, TRUE, param_st_mod },
  { "dynamic_rules", 1, IPA_CONF_TYPE_BOOLEAN, W_ROOT, FALSE, param_bool },
  { "dynamic_limits", 1, IPA_CONF_TYPE_BOOLEAN, W_ROOT, FALSE, param_bool },
  { "dynamic_thresholds", 1, IPA_CONF_TYPE_BOOLEAN, W_ROOT, FALSE, param_bool },
  { "st_list", -1, 0, W_PARAMS, FALSE, param_st_list },
  { "value_units", 1, 0, W_PARAMS, FALSE, param_value_units },
  { "check_next_rulepat", 1, IPA_CONF_TYPE_BOOLEAN, W (IPA_CONF_SECT_RULEPAT),
    FALSE, param_bool },
  { NULL }
};

static const IpaConfSchema conf_schema = { conf_sects, conf_params };

/* ---------------------------------------------------------------------
 * Checks after parsing
 */

static IpaModule *
find_system (const IpastatConf *conf, const char *name)
{
  for (guint i = 0; i < conf->st_mods->len; i++)
    {
      IpastatConfModRef *m = g_ptr_array_index (conf->st_mods, i);

      if (strcmp (m->name, name) == 0)
        return m->module;
    }
  return NULL;
}

static gboolean
check_params (IpastatConf *conf, const IpastatConfParams *p, GError **error)
{
  const IpastatOptList *list = &p->st_list;

  if (!list->set)
    return TRUE;
  for (guint i = 0; list->names[i] != NULL; i++)
    {
      for (guint j = 0; j < i; j++)
        if (strcmp (list->names[j], list->names[i]) == 0)
          return ipa_conf_error_at (error, &list->loc, IPA_CONF_ERROR_DUPLICATE,
                           _("statistics system \"%s\" is listed twice"),
                           list->names[i]);
      if (find_system (conf, list->names[i]) == NULL)
        return ipa_conf_error_at (error, &list->loc, IPA_CONF_ERROR_UNKNOWN,
                         _("unknown statistics system \"%s\" (no st_mod provides it)"),
                         list->names[i]);
    }
  return TRUE;
}

static gboolean
check_entities (IpastatConf *conf, GPtrArray *arr, GError **error)
{
  for (guint i = 0; i < arr->len; i++)
    if (!check_params (conf, &((IpastatConfEntity *) g_ptr_array_index (arr, i))->params,
                       error))
      return FALSE;
  return TRUE;
}

static gboolean
check_written (IpastatConf *conf, GError **error)
{
  if (!check_params (conf, &conf->global, error))
    return FALSE;
  for (guint i = 0; i < conf->rulepats->len; i++)
    {
      IpastatConfRulepat *rp = g_ptr_array_index (conf->rulepats, i);

      if (!check_params (conf, &rp->params, error) ||
          !check_entities (conf, rp->limits, error) ||
          !check_entities (conf, rp->thresholds, error))
        return FALSE;
    }
  for (guint i = 0; i < conf->rules->len; i++)
    {
      IpastatConfRule *r = g_ptr_array_index (conf->rules, i);

      if (!check_params (conf, &r->params, error) ||
          !check_entities (conf, r->limits, error) ||
          !check_entities (conf, r->thresholds, error))
        return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------
 * Inheritance
 */

static void
params_defaults (IpastatConf *conf, IpastatConfParams *p)
{
  if (!p->st_list.set)
    {
      GPtrArray *names = g_ptr_array_new ();

      for (guint i = 0; i < conf->st_mods->len; i++)
        g_ptr_array_add (names, g_strdup (((IpastatConfModRef *)
                                           g_ptr_array_index (conf->st_mods, i))->name));
      g_ptr_array_add (names, NULL);
      p->st_list.set = TRUE;
      p->st_list.names = (GStrv) g_ptr_array_free (names, FALSE);
    }
  if (!p->value_units.set)
    {
      p->value_units.set = TRUE;
      p->value_units.v = IPASTAT_CONF_DEFAULT_UNITS;
    }
}

static GArray *
match_rulepats (const IpastatConf *conf, const char *rule_name)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < conf->rulepats->len; i++)
    {
      IpastatConfRulepat *rp = g_ptr_array_index (conf->rulepats, i);

      if (regexec (&rp->re, rule_name, 0, NULL, 0) != 0)
        continue;
      g_array_append_val (out, rp->no);
      if (!(rp->check_next_rulepat.set && rp->check_next_rulepat.v))
        break;
    }
  return out;
}

static gboolean
has_named (GPtrArray *arr, const char *name)
{
  for (guint i = 0; i < arr->len; i++)
    if (strcmp (((IpastatConfEntity *) g_ptr_array_index (arr, i))->name, name) == 0)
      return TRUE;
  return FALSE;
}

static void
copy_entities (GPtrArray *dst, GPtrArray *src)
{
  for (guint i = 0; i < src->len; i++)
    {
      const IpastatConfEntity *s = g_ptr_array_index (src, i);
      IpastatConfEntity *e;

      if (has_named (dst, s->name))
        continue;
      e = entity_copy (s);
      e->no = dst->len;
      e->inherited = TRUE;
      g_ptr_array_add (dst, e);
    }
}

static void
entity_inherit (IpastatConfEntity *e, const IpastatConfRule *r)
{
  params_clear (&e->eff);
  params_merge (&e->eff, &e->params);
  params_merge (&e->eff, &r->eff);
}

static void
rule_inherit (IpastatConf *conf, IpastatConfRule *r)
{
  g_autoptr(GArray) m = match_rulepats (conf, r->name);

  g_array_set_size (r->rulepats, 0);
  g_array_append_vals (r->rulepats, m->data, m->len);
  params_clear (&r->eff);
  params_merge (&r->eff, &r->params);
  for (guint i = 0; i < m->len; i++)
    {
      IpastatConfRulepat *rp = g_ptr_array_index (conf->rulepats,
                                                  g_array_index (m, guint, i));

      params_merge (&r->eff, &rp->params);
      copy_entities (r->limits, rp->limits);
      copy_entities (r->thresholds, rp->thresholds);
    }
  params_merge (&r->eff, &conf->global_eff);
  for (guint i = 0; i < r->limits->len; i++)
    entity_inherit (g_ptr_array_index (r->limits, i), r);
  for (guint i = 0; i < r->thresholds->len; i++)
    entity_inherit (g_ptr_array_index (r->thresholds, i), r);
}

/* ---------------------------------------------------------------------
 * Module phase: conf_inherit → conf_mimic_real (-tt) → conf_deinit
 */

static gboolean
modules_configure (IpastatConf *conf, GError **error)
{
  for (guint i = 0; i < conf->rules->len; i++)
    {
      IpastatConfRule *r = g_ptr_array_index (conf->rules, i);

      for (guint j = 0; j < r->rulepats->len; j++)
        for (guint k = 0; k < conf->st_mods->len; k++)
          {
            IpaModule *m = ((IpastatConfModRef *) g_ptr_array_index (conf->st_mods, k))->module;
            guint rpno = g_array_index (r->rulepats, guint, j);

            if (ipa_conf_module_inherit (m, rpno, r->no, r->name) != 0)
              return ipa_conf_error_at (error, &r->loc, IPA_CONF_ERROR_MODULE,
                               _("module %s: cannot inherit settings of rulepat #%u into rule \"%s\""),
                               m->name, rpno, r->name);
          }
    }
  if (conf->flags & IPASTAT_CONF_LOAD_MIMIC)
    for (guint k = 0; k < conf->st_mods->len; k++)
      {
        IpaModule *m = ((IpastatConfModRef *) g_ptr_array_index (conf->st_mods, k))->module;

        if (ipa_conf_module_mimic_real (m) != 0)
          {
            g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE,
                         _("%s:1:1: module %s: conf_mimic_real failed"),
                         conf->path, m->name);
            return FALSE;
          }
      }
  return TRUE;
}

static void
deinit_entities (IpaModule *m, const IpastatConfRule *r, gboolean limits)
{
  struct ipa_st_mod *st = m->mod.st;
  GPtrArray *arr = limits ? r->limits : r->thresholds;

  for (guint j = 0; j < arr->len; j++)
    {
      const IpastatConfEntity *e = g_ptr_array_index (arr, j);

      if (!ipa_conf_opt_list_has (&e->eff.st_list, m->name))
        continue;
      if (limits && st->st_deinit_limit != NULL)
        st->st_deinit_limit (r->no, e->no);
      else if (!limits && st->st_deinit_threshold != NULL)
        st->st_deinit_threshold (r->no, e->no);
    }
}

void
ipastat_conf_modules_deinit_chain (const IpastatConf *conf)
{
  for (guint k = 0; k < conf->st_mods->len; k++)
    {
      IpaModule *m = ((IpastatConfModRef *) g_ptr_array_index (conf->st_mods, k))->module;
      struct ipa_st_mod *st = m->mod.st;

      ipa_memfunc_set_owner (m->owner);
      /* Dynamic rules (at the end) first, then the static ones. */
      for (guint i = conf->rules->len; i-- > 0;)
        {
          const IpastatConfRule *r = g_ptr_array_index (conf->rules, i);

          deinit_entities (m, r, TRUE);
          deinit_entities (m, r, FALSE);
          if (st->st_deinit_rule != NULL &&
              ipa_conf_opt_list_has (&r->eff.st_list, m->name))
            st->st_deinit_rule (r->no);
        }
      if (st->st_deinit != NULL)
        st->st_deinit ();
      ipa_memfunc_set_owner (NULL);
    }
}

/* ---------------------------------------------------------------------
 * Loading
 */

static void
fill_defaults (IpastatConf *conf)
{
  if (!conf->dynamic_rules.set)
    conf->dynamic_rules.v = IPASTAT_CONF_DEFAULT_DYNAMIC;
  if (!conf->dynamic_limits.set)
    conf->dynamic_limits.v = IPASTAT_CONF_DEFAULT_DYNAMIC;
  if (!conf->dynamic_thresholds.set)
    conf->dynamic_thresholds.v = IPASTAT_CONF_DEFAULT_DYNAMIC;
  params_merge (&conf->global_eff, &conf->global);
  params_defaults (conf, &conf->global_eff);
}

static IpastatConf *
conf_load (const char *path, const char *data, IpaModuleSet *modules,
           IpastatConfLoadFlags flags, GError **error)
{
  g_autoptr(IpastatConf) conf = conf_new (path, modules, flags);
  g_autoptr(GError) local = NULL;
  Ctx ctx = { 0 };
  Frame root = { IPA_CONF_SECT_ROOT, NULL };
  gboolean ok;

  ctx.conf = conf;
  ctx.stack = g_array_new (FALSE, TRUE, sizeof (Frame));
  root.obj = conf;
  g_array_append_val (ctx.stack, root);
  ctx.rule_names = g_hash_table_new (g_str_hash, g_str_equal);
  ctx.parser = ipa_conf_parser_new (&conf_schema, &ctx);

  if (data != NULL)
    ok = ipa_conf_parser_parse_data (ctx.parser, path, data, -1, &local);
  else
    ok = ipa_conf_parser_parse_file (ctx.parser, path, &local);

  ipa_conf_parser_free (ctx.parser);
  g_array_unref (ctx.stack);
  g_hash_table_unref (ctx.rule_names);

  conf->n_static_rules = conf->rules->len;
  if (ok)
    ok = check_written (conf, &local);
  if (ok)
    {
      fill_defaults (conf);
      for (guint i = 0; i < conf->rules->len; i++)
        rule_inherit (conf, g_ptr_array_index (conf->rules, i));
    }
  if (modules != NULL)
    {
      if (ok)
        ok = modules_configure (conf, &local);
      /* Also after a failure, so that modules free what they parsed. */
      /* conf_deinit for every module, even after another failed. */
      if (!ipa_conf_modules_conf_deinit (modules, conf->path, TRUE,
                                         ok ? &local : NULL))
        ok = FALSE;
    }
  if (!ok)
    {
      /* Modules free what they kept of a rejected configuration. */
      ipastat_conf_modules_deinit_chain (conf);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return g_steal_pointer (&conf);
}

IpastatConf *
ipastat_conf_load (const char *path, IpaModuleSet *modules,
                   IpastatConfLoadFlags flags, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  return conf_load (path, NULL, modules, flags, error);
}

IpastatConf *
ipastat_conf_load_data (const char *file_name, const char *data,
                        IpaModuleSet *modules, IpastatConfLoadFlags flags,
                        GError **error)
{
  g_return_val_if_fail (file_name != NULL && data != NULL, NULL);
  return conf_load (file_name, data, modules, flags, error);
}

/* ---------------------------------------------------------------------
 * Lookups and dynamic entities
 */

IpastatConfRule *
ipastat_conf_find_rule (const IpastatConf *conf, const char *name)
{
  for (guint i = 0; i < conf->rules->len; i++)
    {
      IpastatConfRule *r = g_ptr_array_index (conf->rules, i);

      if (strcmp (r->name, name) == 0)
        return r;
    }
  return NULL;
}

static IpastatConfEntity *
find_entity (GPtrArray *arr, const char *name)
{
  for (guint i = 0; i < arr->len; i++)
    {
      IpastatConfEntity *e = g_ptr_array_index (arr, i);

      if (strcmp (e->name, name) == 0)
        return e;
    }
  return NULL;
}

IpastatConfEntity *
ipastat_conf_rule_find_limit (const IpastatConfRule *rule, const char *name)
{
  return find_entity (rule->limits, name);
}

IpastatConfEntity *
ipastat_conf_rule_find_threshold (const IpastatConfRule *rule, const char *name)
{
  return find_entity (rule->thresholds, name);
}

IpastatConfRule *
ipastat_conf_add_dynamic_rule (IpastatConf *conf, const char *name)
{
  IpastatConfRule *r;

  g_return_val_if_fail (ipa_conf_name_is_valid (name), NULL);
  g_return_val_if_fail (ipastat_conf_find_rule (conf, name) == NULL, NULL);

  r = rule_new (conf->rules->len, name);
  r->dynamic = TRUE;
  g_ptr_array_add (conf->rules, r);
  rule_inherit (conf, r);
  return r;
}

static IpastatConfEntity *
add_dynamic_entity (IpastatConfRule *rule, GPtrArray *arr, const char *name)
{
  IpastatConfEntity *e;

  g_return_val_if_fail (ipa_conf_name_is_valid (name), NULL);
  g_return_val_if_fail (find_entity (arr, name) == NULL, NULL);

  e = g_new0 (IpastatConfEntity, 1);
  e->no = arr->len;
  e->name = g_strdup (name);
  e->dynamic = TRUE;
  entity_inherit (e, rule);
  g_ptr_array_add (arr, e);
  return e;
}

IpastatConfEntity *
ipastat_conf_add_dynamic_limit (IpastatConfRule *rule, const char *name)
{
  return add_dynamic_entity (rule, rule->limits, name);
}

IpastatConfEntity *
ipastat_conf_add_dynamic_threshold (IpastatConfRule *rule, const char *name)
{
  return add_dynamic_entity (rule, rule->thresholds, name);
}

static void
override_list (IpastatOptList *list, const char *const *names)
{
  ipa_conf_opt_list_clear (list);
  list->set = TRUE;
  list->names = g_strdupv ((char **) names);
}

void
ipastat_conf_rule_override_st_list (IpastatConfRule *rule,
                                    const char *const *names)
{
  override_list (&rule->eff.st_list, names);
  for (guint i = 0; i < rule->limits->len; i++)
    override_list (&((IpastatConfEntity *) g_ptr_array_index (rule->limits, i))->eff.st_list,
                   names);
  for (guint i = 0; i < rule->thresholds->len; i++)
    override_list (&((IpastatConfEntity *) g_ptr_array_index (rule->thresholds, i))->eff.st_list,
                   names);
}

GPtrArray *
ipastat_conf_list_modules (const IpastatConf *conf, const IpastatOptList *list)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; list->set && list->names[i] != NULL; i++)
    {
      IpaModule *m = find_system (conf, list->names[i]);

      if (m != NULL)
        g_ptr_array_add (out, m);
    }
  return out;
}

const IpastatOptList *
ipastat_conf_global_st_list (const IpastatConf *conf)
{
  return &conf->global_eff.st_list;
}
