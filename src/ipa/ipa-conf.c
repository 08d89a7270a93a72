/*
 * ipa-conf.c: the schema of ipa.conf, the configuration model, its checks
 * and the module configuration phase.
 *
 * Decisions on points the format leaves open (also in data/examples/README):
 *
 *  - Root level holds ac_mod, db_mod, macros, include*, posix_re_pattern and
 *    the daemon-wide parameters (freeze_time, sleep_after_dump, shell_path,
 *    shell_arg1, ctl_*, debug_ctl/_time/_worktime/_ac_null/_db_null/
 *    _autorule) and the root startup/shutdown sections, which hold only
 *    exec.  global may be given once.
 *  - Defaults: update_time 1m; append_time unset means one record a day
 *    (shown as 1D by -tt); ac_list and db_list "null"; worktime always;
 *    freeze_time 1m; sleep_after_dump 0s; shell_path "/bin/sh"; shell_arg1
 *    "-c"; load_limit and load_threshold yes (state survives restarts);
 *    threshold_deviation 0; threshold_time_width 1h; threshold_time_slice
 *    1m; threshold_type 0; threshold_balance -:-:-; debug levels 0.
 *  - append_time < update_time is accepted with a warning (records would
 *    be appended more often than counters are read, which only wastes
 *    space).
 *  - null must not be combined with other names in ac_list/db_list; a name
 *    may not appear twice in a list.
 *  - An autorule's effective ac_list names exactly one accounting system
 *    (the one that creates its dynamic rules; null for rules made only by
 *    ipactl).
 *  - Inheritance of a static rule: own value > first matching rulepat (the
 *    next matching ones too while the matched one says
 *    check_next_rulepat = yes) > global > built-in default.  Dynamic rules:
 *    autorule > matching rulepats > global > default (done by the engine
 *    with the same helpers).
 *  - Limits and thresholds of a rulepat are copied into every matching
 *    static rule after the rule's own, unless the rule has one of the same
 *    name; the copies are numbered after the rule's own.
 *  - Limit/threshold worktime must lie inside the rule's effective
 *    worktime.  Their db_list and worktime default to the rule's.
 *  - sublimit ARG { reach {…} expire {…} }: ARG is a VALUE of the parent's
 *    kind not above the parent's limit, or N% of it; ARG as written names
 *    the sublimit (ipa -x -s).
 *  - threshold_deviation: VALUE or N% of threshold.  threshold_time_slice
 *    must divide threshold_time_width.  threshold_type: 0..3, bit 0 = do
 *    not restore the window from the database at startup, bit 1 = keep the
 *    window when the threshold value changes (the engine documents the
 *    effect).  threshold_balance = B:E:A, each a count N (run the commands
 *    of that state every N-th consecutive check in it) or "-" (only when
 *    the state is entered).
 *  - exec [USER[:GROUP]] "command": USER and GROUP are names that must
 *    exist, or numbers.
 *  - ctl_acl_class NAME "user %group …" defines a class; ctl_query_acl,
 *    ctl_dump_acl and ctl_rule_acl name classes, which must exist.
 *    ctl_enable, ctl_socket_path, ctl_socket_perm and ctl_timeout are
 *    accepted with a warning (D-Bus does their job).
 *  - Names of rules, autorules, limits and thresholds are non-empty and
 *    contain no '/', no blank and no control character (databases use
 *    them as file names).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <string.h>

#include "ipa-conf.h"
#include "ipa-memfunc.h"

/* ---------------------------------------------------------------------
 * Freeing
 */

static void
exec_free (gpointer p)
{
  IpaConfExec *e = p;

  g_free (e->user);
  g_free (e->group);
  g_free (e->command);
  g_free (e);
}

static void
cmds_clear (IpaConfCmds *c)
{
  g_clear_pointer (&c->execs, g_ptr_array_unref);
  c->present = FALSE;
}

static void
cmds_sect_clear (IpaConfCmdsSect *s)
{
  cmds_clear (&s->cmds);
  cmds_clear (&s->if_reached);
  cmds_clear (&s->if_not_reached);
  cmds_clear (&s->if_all_reached);
  cmds_clear (&s->if_any_reached);
  cmds_clear (&s->if_all_not_reached);
  cmds_clear (&s->if_any_not_reached);
}

static void
opt_str_clear (IpaConfOptStr *s)
{
  g_clear_pointer (&s->s, g_free);
  s->set = FALSE;
}

static void
opt_wt_clear (IpaConfOptWorktime *w)
{
  g_clear_pointer (&w->wt, ipa_worktime_free);
  w->set = FALSE;
}

static void
rule_params_clear (IpaConfRuleParams *p)
{
  ipa_conf_opt_list_clear (&p->ac_list);
  ipa_conf_opt_list_clear (&p->db_list);
  opt_wt_clear (&p->worktime);
  ipa_conf_opt_list_clear (&p->ctl_rule_acl);
}

static void
sublimit_free (gpointer p)
{
  IpaConfSublimit *s = p;

  g_free (s->arg);
  cmds_clear (&s->reach);
  cmds_clear (&s->expire);
  g_free (s);
}

static void
limit_free (gpointer p)
{
  IpaConfLimit *l = p;

  g_free (l->name);
  opt_str_clear (&l->info);
  opt_wt_clear (&l->worktime);
  ipa_conf_opt_list_clear (&l->db_list);
  cmds_clear (&l->restart);
  cmds_clear (&l->reach);
  cmds_clear (&l->expire);
  g_clear_pointer (&l->sublimits, g_ptr_array_unref);
  cmds_sect_clear (&l->startup);
  cmds_sect_clear (&l->shutdown);
  g_free (l);
}

static void
threshold_free (gpointer p)
{
  IpaConfThreshold *t = p;

  g_free (t->name);
  opt_str_clear (&t->info);
  opt_wt_clear (&t->worktime);
  ipa_conf_opt_list_clear (&t->db_list);
  cmds_clear (&t->below);
  cmds_clear (&t->equal);
  cmds_clear (&t->above);
  g_free (t);
}

static void
rule_free (gpointer p)
{
  IpaConfRule *r = p;

  g_free (r->name);
  rule_params_clear (&r->params);
  rule_params_clear (&r->eff);
  opt_str_clear (&r->info);
  opt_str_clear (&r->ac_gather_add);
  opt_str_clear (&r->ac_gather_sub);
  g_ptr_array_unref (r->limits);
  g_ptr_array_unref (r->thresholds);
  cmds_sect_clear (&r->startup);
  cmds_sect_clear (&r->shutdown);
  g_array_unref (r->rulepats);
  g_free (r);
}

static void
autorule_free (gpointer p)
{
  IpaConfAutorule *a = p;

  g_free (a->name);
  rule_params_clear (&a->params);
  g_ptr_array_unref (a->limits);
  g_ptr_array_unref (a->thresholds);
  g_free (a);
}

static void
rulepat_free (gpointer p)
{
  IpaConfRulepat *rp = p;

  g_free (rp->pattern);
  regfree (&rp->re);
  rule_params_clear (&rp->params);
  g_ptr_array_unref (rp->limits);
  g_ptr_array_unref (rp->thresholds);
  g_free (rp);
}

static void
acl_class_free (gpointer p)
{
  IpaConfAclClass *c = p;

  g_free (c->name);
  g_strfreev (c->users);
  g_strfreev (c->groups);
  g_free (c);
}

static void
mod_ref_free (gpointer p)
{
  IpaConfModRef *m = p;

  g_free (m->file);
  g_free (m->name);
  g_free (m);
}

void
ipa_conf_free (IpaConf *conf)
{
  if (conf == NULL)
    return;
  g_free (conf->path);
  g_ptr_array_unref (conf->ac_mods);
  g_ptr_array_unref (conf->db_mods);
  opt_str_clear (&conf->shell_path);
  opt_str_clear (&conf->shell_arg1);
  g_ptr_array_unref (conf->acl_classes);
  ipa_conf_opt_list_clear (&conf->ctl_query_acl);
  ipa_conf_opt_list_clear (&conf->ctl_dump_acl);
  cmds_sect_clear (&conf->startup);
  cmds_sect_clear (&conf->shutdown);
  rule_params_clear (&conf->global);
  g_ptr_array_unref (conf->rules);
  g_ptr_array_unref (conf->autorules);
  g_ptr_array_unref (conf->rulepats);
  g_array_unref (conf->top);
  g_ptr_array_unref (conf->warnings);
  g_free (conf);
}

static IpaConf *
conf_new (const char *path, IpaModuleSet *modules, IpaConfLoadFlags flags)
{
  IpaConf *conf = g_new0 (IpaConf, 1);

  conf->path = g_strdup (path);
  conf->flags = flags;
  conf->modules = modules;
  conf->ac_mods = g_ptr_array_new_with_free_func (mod_ref_free);
  conf->db_mods = g_ptr_array_new_with_free_func (mod_ref_free);
  conf->acl_classes = g_ptr_array_new_with_free_func (acl_class_free);
  conf->rules = g_ptr_array_new_with_free_func (rule_free);
  conf->autorules = g_ptr_array_new_with_free_func (autorule_free);
  conf->rulepats = g_ptr_array_new_with_free_func (rulepat_free);
  conf->top = g_array_new (FALSE, FALSE, sizeof (IpaConfTopRef));
  conf->warnings = g_ptr_array_new_with_free_func (g_free);
  return conf;
}

/* ---------------------------------------------------------------------
 * Copying (inheritance)
 */

static GPtrArray *
execs_copy (GPtrArray *src)
{
  GPtrArray *dst = g_ptr_array_new_with_free_func (exec_free);

  for (guint i = 0; src != NULL && i < src->len; i++)
    {
      const IpaConfExec *e = g_ptr_array_index (src, i);
      IpaConfExec *c = g_new0 (IpaConfExec, 1);

      c->user = g_strdup (e->user);
      c->group = g_strdup (e->group);
      c->command = g_strdup (e->command);
      c->loc = e->loc;
      g_ptr_array_add (dst, c);
    }
  return dst;
}

static void
cmds_copy (IpaConfCmds *dst, const IpaConfCmds *src)
{
  *dst = *src;
  dst->execs = src->present ? execs_copy (src->execs) : NULL;
}

static void
cmds_sect_copy (IpaConfCmdsSect *dst, const IpaConfCmdsSect *src)
{
  cmds_copy (&dst->cmds, &src->cmds);
  cmds_copy (&dst->if_reached, &src->if_reached);
  cmds_copy (&dst->if_not_reached, &src->if_not_reached);
  cmds_copy (&dst->if_all_reached, &src->if_all_reached);
  cmds_copy (&dst->if_any_reached, &src->if_any_reached);
  cmds_copy (&dst->if_all_not_reached, &src->if_all_not_reached);
  cmds_copy (&dst->if_any_not_reached, &src->if_any_not_reached);
}

static void
opt_str_copy (IpaConfOptStr *dst, const IpaConfOptStr *src)
{
  *dst = *src;
  dst->s = g_strdup (src->s);
}

static void
opt_wt_copy (IpaConfOptWorktime *dst, const IpaConfOptWorktime *src)
{
  *dst = *src;
  dst->wt = src->wt != NULL ? ipa_worktime_copy (src->wt) : NULL;
}

static IpaConfLimit *
limit_copy (const IpaConfLimit *src)
{
  IpaConfLimit *l = g_new0 (IpaConfLimit, 1);

  *l = *src;
  l->name = g_strdup (src->name);
  opt_str_copy (&l->info, &src->info);
  opt_wt_copy (&l->worktime, &src->worktime);
  ipa_conf_opt_list_copy (&l->db_list, &src->db_list);
  cmds_copy (&l->restart, &src->restart);
  cmds_copy (&l->reach, &src->reach);
  cmds_copy (&l->expire, &src->expire);
  l->sublimits = g_ptr_array_new_with_free_func (sublimit_free);
  for (guint i = 0; i < src->sublimits->len; i++)
    {
      const IpaConfSublimit *s = g_ptr_array_index (src->sublimits, i);
      IpaConfSublimit *c = g_new0 (IpaConfSublimit, 1);

      *c = *s;
      c->arg = g_strdup (s->arg);
      cmds_copy (&c->reach, &s->reach);
      cmds_copy (&c->expire, &s->expire);
      g_ptr_array_add (l->sublimits, c);
    }
  cmds_sect_copy (&l->startup, &src->startup);
  cmds_sect_copy (&l->shutdown, &src->shutdown);
  return l;
}

static IpaConfThreshold *
threshold_copy (const IpaConfThreshold *src)
{
  IpaConfThreshold *t = g_new0 (IpaConfThreshold, 1);

  *t = *src;
  t->name = g_strdup (src->name);
  opt_str_copy (&t->info, &src->info);
  opt_wt_copy (&t->worktime, &src->worktime);
  ipa_conf_opt_list_copy (&t->db_list, &src->db_list);
  cmds_copy (&t->below, &src->below);
  cmds_copy (&t->equal, &src->equal);
  cmds_copy (&t->above, &src->above);
  return t;
}

/* Fill what @dst lacks from @src. */
static void
rule_params_merge (IpaConfRuleParams *dst, const IpaConfRuleParams *src)
{
#define MERGE_U64(f) if (!dst->f.set && src->f.set) dst->f = src->f
#define MERGE_LIST(f) if (!dst->f.set && src->f.set) ipa_conf_opt_list_copy (&dst->f, &src->f)
  MERGE_LIST (ac_list);
  MERGE_LIST (db_list);
  MERGE_U64 (update_time);
  MERGE_U64 (append_time);
  if (!dst->worktime.set && src->worktime.set)
    opt_wt_copy (&dst->worktime, &src->worktime);
  MERGE_LIST (ctl_rule_acl);
  MERGE_U64 (debug_exec);
  MERGE_U64 (debug_limit);
  MERGE_U64 (debug_limit_init);
  MERGE_U64 (debug_threshold);
  MERGE_U64 (debug_threshold_init);
#undef MERGE_U64
#undef MERGE_LIST
}

static IpaWorktime *
worktime_always (void)
{
  IpaWorktime *wt = ipa_worktime_parse ("S * M * T * W * H * F * A *", NULL);

  g_assert (wt != NULL);
  return wt;
}

static void
opt_u64_default (IpaConfOptU64 *o, guint64 v)
{
  if (!o->set)
    {
      o->set = TRUE;
      o->v = v;
    }
}

static void
opt_list_default (IpaConfOptList *o, const char *name)
{
  if (!o->set)
    {
      const char *v[] = { name, NULL };

      o->set = TRUE;
      o->names = g_strdupv ((char **) v);
    }
}

static void
opt_wt_default (IpaConfOptWorktime *o)
{
  if (!o->set)
    {
      o->set = TRUE;
      o->wt = worktime_always ();
    }
}

static void
rule_params_defaults (IpaConfRuleParams *p)
{
  opt_list_default (&p->ac_list, IPA_CONF_NULL_NAME);
  opt_list_default (&p->db_list, IPA_CONF_NULL_NAME);
  opt_u64_default (&p->update_time, IPA_CONF_DEFAULT_UPDATE_TIME);
  opt_u64_default (&p->append_time, IPA_CONF_DEFAULT_APPEND_TIME);
  opt_wt_default (&p->worktime);
  opt_u64_default (&p->debug_exec, 0);
  opt_u64_default (&p->debug_limit, 0);
  opt_u64_default (&p->debug_limit_init, 0);
  opt_u64_default (&p->debug_threshold, 0);
  opt_u64_default (&p->debug_threshold_init, 0);
}

/* ---------------------------------------------------------------------
 * Errors and warnings with a location
 */

static void G_GNUC_PRINTF (3, 4)
warn_at (IpaConf *conf, const IpaConfLocation *loc, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_ptr_array_add (conf->warnings,
                   g_strdup_printf ("%s:%u:%u: %s", loc->file, loc->line,
                                    loc->column, msg));
}

/* ---------------------------------------------------------------------
 * Parsing context: a stack of open sections and what they fill in
 */

typedef struct {
  unsigned int sect_id;
  gpointer obj;              /* IpaConf, IpaConfRuleParams owner, limit … */
  IpaConfCmds *cmds;         /* sections holding exec */
  IpaConfOptPoint *point;    /* restart, expire */
  IpaConfCmdsSect *cmds_sect;/* startup, shutdown */
  unsigned int owner_id;     /* startup/shutdown: ROOT, RULE or LIMIT */
} Frame;

typedef struct {
  IpaConf *conf;
  IpaConfParser *parser;
  GArray *stack;             /* Frame */
  GHashTable *rule_names;    /* name → IpaConfRule (not owned) */
  GHashTable *autorule_names;
} Ctx;

static Frame *
frame_top (Ctx *ctx)
{
  return &g_array_index (ctx->stack, Frame, ctx->stack->len - 1);
}

static Frame *
frame_push (Ctx *ctx, unsigned int sect_id, gpointer obj)
{
  Frame f = { .sect_id = sect_id, .obj = obj };

  g_array_append_val (ctx->stack, f);
  return frame_top (ctx);
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

static IpaConfRuleParams *
frame_rule_params (Frame *f)
{
  switch (f->sect_id)
    {
    case IPA_CONF_SECT_GLOBAL:
      return f->obj;
    case IPA_CONF_SECT_RULE:
      return &((IpaConfRule *) f->obj)->params;
    case IPA_CONF_SECT_AUTORULE:
      return &((IpaConfAutorule *) f->obj)->params;
    case IPA_CONF_SECT_RULEPAT:
      return &((IpaConfRulepat *) f->obj)->params;
    default:
      return NULL;
    }
}

static GPtrArray *
frame_limits (Frame *f)
{
  switch (f->sect_id)
    {
    case IPA_CONF_SECT_RULE:
      return ((IpaConfRule *) f->obj)->limits;
    case IPA_CONF_SECT_AUTORULE:
      return ((IpaConfAutorule *) f->obj)->limits;
    case IPA_CONF_SECT_RULEPAT:
      return ((IpaConfRulepat *) f->obj)->limits;
    default:
      return NULL;
    }
}

static GPtrArray *
frame_thresholds (Frame *f)
{
  switch (f->sect_id)
    {
    case IPA_CONF_SECT_RULE:
      return ((IpaConfRule *) f->obj)->thresholds;
    case IPA_CONF_SECT_AUTORULE:
      return ((IpaConfAutorule *) f->obj)->thresholds;
    case IPA_CONF_SECT_RULEPAT:
      return ((IpaConfRulepat *) f->obj)->thresholds;
    default:
      return NULL;
    }
}

static void
top_add (IpaConf *conf, unsigned int sect_id, gpointer sect)
{
  IpaConfTopRef ref = { sect_id, sect };

  g_array_append_val (conf->top, ref);
}

/* --- sections --- */

static gboolean
global_begin (IpaConfParser *parser, const IpaConfStatement *st,
              gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConf *conf = ctx->conf;

  if (conf->has_global)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_DUPLICATE,
                                      _("global section given twice (first at line %u)"),
                                      conf->global_loc.line);
  conf->has_global = TRUE;
  conf->global_loc = ipa_conf_loc_keep (&st->loc);
  frame_push (ctx, IPA_CONF_SECT_GLOBAL, &conf->global);
  return TRUE;
}

static gboolean
rule_begin (IpaConfParser *parser, const IpaConfStatement *st,
            gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConfRule *r, *old;

  if (!ipa_conf_check_name (ctx->parser, st, "rule", error))
    return FALSE;
  old = g_hash_table_lookup (ctx->rule_names, st->args[0].text);
  if (old != NULL)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_DUPLICATE,
                                      _("duplicate rule \"%s\" (first at %s:%u)"),
                                      old->name, old->loc.file, old->loc.line);
  r = g_new0 (IpaConfRule, 1);
  r->no = st->no;
  r->name = g_strdup (st->args[0].text);
  r->loc = ipa_conf_loc_keep (&st->loc);
  r->limits = g_ptr_array_new_with_free_func (limit_free);
  r->thresholds = g_ptr_array_new_with_free_func (threshold_free);
  r->rulepats = g_array_new (FALSE, FALSE, sizeof (guint));
  g_ptr_array_add (ctx->conf->rules, r);
  g_hash_table_insert (ctx->rule_names, r->name, r);
  top_add (ctx->conf, IPA_CONF_SECT_RULE, r);
  frame_push (ctx, IPA_CONF_SECT_RULE, r);
  return TRUE;
}

static gboolean
autorule_begin (IpaConfParser *parser, const IpaConfStatement *st,
                gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConfAutorule *a, *old;

  if (!ipa_conf_check_name (ctx->parser, st, "autorule", error))
    return FALSE;
  old = g_hash_table_lookup (ctx->autorule_names, st->args[0].text);
  if (old != NULL)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_DUPLICATE,
                                      _("duplicate autorule \"%s\" (first at %s:%u)"),
                                      old->name, old->loc.file, old->loc.line);
  a = g_new0 (IpaConfAutorule, 1);
  a->no = st->no;
  a->name = g_strdup (st->args[0].text);
  a->loc = ipa_conf_loc_keep (&st->loc);
  a->limits = g_ptr_array_new_with_free_func (limit_free);
  a->thresholds = g_ptr_array_new_with_free_func (threshold_free);
  g_ptr_array_add (ctx->conf->autorules, a);
  g_hash_table_insert (ctx->autorule_names, a->name, a);
  top_add (ctx->conf, IPA_CONF_SECT_AUTORULE, a);
  frame_push (ctx, IPA_CONF_SECT_AUTORULE, a);
  /* The names of dynamic rules are known only at run time: inside an
   * autorule ${rule} stays as written and the engine expands it in the
   * commands of each dynamic rule. */
  ipa_conf_parser_sym_add (parser, FALSE, (char *) "rule", (char *) "${rule}", 1);
  return TRUE;
}

static gboolean
rulepat_begin (IpaConfParser *parser, const IpaConfStatement *st,
               gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConfRulepat *rp = g_new0 (IpaConfRulepat, 1);

  if (!ipa_conf_rulepat_compile (parser, st, &rp->re, error))
    {
      g_free (rp);
      return FALSE;
    }
  rp->no = st->no;
  rp->pattern = g_strdup (st->args[0].text);
  rp->loc = ipa_conf_loc_keep (&st->loc);
  rp->limits = g_ptr_array_new_with_free_func (limit_free);
  rp->thresholds = g_ptr_array_new_with_free_func (threshold_free);
  g_ptr_array_add (ctx->conf->rulepats, rp);
  top_add (ctx->conf, IPA_CONF_SECT_RULEPAT, rp);
  frame_push (ctx, IPA_CONF_SECT_RULEPAT, rp);
  return TRUE;
}

static gboolean
limit_begin (IpaConfParser *parser, const IpaConfStatement *st,
             gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  GPtrArray *limits = frame_limits (frame_top (ctx));
  IpaConfLimit *l;

  g_assert (limits != NULL);
  if (!ipa_conf_check_name (ctx->parser, st, "limit", error))
    return FALSE;
  for (guint i = 0; i < limits->len; i++)
    {
      IpaConfLimit *old = g_ptr_array_index (limits, i);

      if (strcmp (old->name, st->args[0].text) == 0)
        return ipa_conf_parser_set_error (parser, error,
                                          IPA_CONF_ERROR_DUPLICATE,
                                          _("duplicate limit \"%s\" (first at line %u)"),
                                          old->name, old->loc.line);
    }
  l = g_new0 (IpaConfLimit, 1);
  l->no = st->no;
  l->name = g_strdup (st->args[0].text);
  l->loc = ipa_conf_loc_keep (&st->loc);
  l->sublimits = g_ptr_array_new_with_free_func (sublimit_free);
  g_ptr_array_add (limits, l);
  frame_push (ctx, IPA_CONF_SECT_LIMIT, l);
  return TRUE;
}

static gboolean
threshold_begin (IpaConfParser *parser, const IpaConfStatement *st,
                 gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  GPtrArray *thresholds = frame_thresholds (frame_top (ctx));
  IpaConfThreshold *t;

  g_assert (thresholds != NULL);
  if (!ipa_conf_check_name (ctx->parser, st, "threshold", error))
    return FALSE;
  for (guint i = 0; i < thresholds->len; i++)
    {
      IpaConfThreshold *old = g_ptr_array_index (thresholds, i);

      if (strcmp (old->name, st->args[0].text) == 0)
        return ipa_conf_parser_set_error (parser, error,
                                          IPA_CONF_ERROR_DUPLICATE,
                                          _("duplicate threshold \"%s\" (first at line %u)"),
                                          old->name, old->loc.line);
    }
  t = g_new0 (IpaConfThreshold, 1);
  t->no = st->no;
  t->name = g_strdup (st->args[0].text);
  t->loc = ipa_conf_loc_keep (&st->loc);
  g_ptr_array_add (thresholds, t);
  frame_push (ctx, IPA_CONF_SECT_THRESHOLD, t);
  return TRUE;
}

/* VALUE, or N% when @allow_per_cent. */
static gboolean
parse_value_or_per_cent (Ctx *ctx, const IpaConfStatement *st,
                         gboolean allow_per_cent, IpaConfOptValue *out,
                         GError **error)
{
  IpaConfValue v;
  gboolean pc = g_str_has_suffix (st->text, "%");

  if (st->nargs == 0)
    return ipa_conf_parser_set_error (ctx->parser, error, IPA_CONF_ERROR_ARGS,
                                      _("%s needs an argument"), st->name);
  if (pc && !allow_per_cent)
    return ipa_conf_parser_set_error (ctx->parser, error, IPA_CONF_ERROR_VALUE,
                                      _("%s cannot be a per cent"), st->name);
  for (guint i = 0; i < st->nargs; i++)
    if (st->args[i].kind != IPA_CONF_ARG_WORD)
      return ipa_conf_parser_set_error (ctx->parser, error,
                                        IPA_CONF_ERROR_ARGS,
                                        _("%s takes a value, not a string"),
                                        st->name);
  if (!ipa_conf_value_parse (pc ? IPA_CONF_TYPE_PER_CENT : IPA_CONF_TYPE_VALUE,
                             st->text, &v, error))
    return FALSE;
  out->set = TRUE;
  out->loc = ipa_conf_loc_keep (&st->loc);
  out->per_cent = pc;
  if (pc)
    out->v = v.u.per_cent;
  else
    {
      out->kind = v.u.value.kind;
      out->v = v.u.value.value;
    }
  return TRUE;
}

static gboolean
sublimit_begin (IpaConfParser *parser, const IpaConfStatement *st,
                gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConfLimit *l = frame_top (ctx)->obj;
  IpaConfSublimit *s;
  IpaConfOptValue v = { 0 };

  if (!parse_value_or_per_cent (ctx, st, TRUE, &v, error))
    return FALSE;
  for (guint i = 0; i < l->sublimits->len; i++)
    {
      IpaConfSublimit *old = g_ptr_array_index (l->sublimits, i);

      if (strcmp (old->arg, st->text) == 0)
        return ipa_conf_parser_set_error (parser, error,
                                          IPA_CONF_ERROR_DUPLICATE,
                                          _("duplicate sublimit %s (first at line %u)"),
                                          old->arg, old->loc.line);
    }
  s = g_new0 (IpaConfSublimit, 1);
  s->arg = g_strdup (st->text);
  s->loc = ipa_conf_loc_keep (&st->loc);
  s->value = v;
  g_ptr_array_add (l->sublimits, s);
  frame_push (ctx, IPA_CONF_SECT_SUBLIMIT, s);
  return TRUE;
}

/* Open a section that holds exec lines; only once per parent. */
static gboolean
cmds_open (Ctx *ctx, const IpaConfStatement *st, IpaConfCmds *cmds,
           GError **error)
{
  if (cmds->present)
    return ipa_conf_parser_set_error (ctx->parser, error,
                                      IPA_CONF_ERROR_DUPLICATE,
                                      _("%s section given twice (first at line %u)"),
                                      st->name, cmds->loc.line);
  cmds->present = TRUE;
  cmds->loc = ipa_conf_loc_keep (&st->loc);
  cmds->execs = g_ptr_array_new_with_free_func (exec_free);
  return TRUE;
}

static gboolean
cmds_sect_begin (IpaConfParser *parser, const IpaConfStatement *st,
                 gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  Frame *parent = frame_top (ctx);
  IpaConfCmds *cmds = NULL;
  IpaConfOptPoint *point = NULL;
  IpaConfCmdsSect *cs = NULL;
  Frame *f;

  switch (st->sect_id)
    {
    case IPA_CONF_SECT_RESTART:
      cmds = &((IpaConfLimit *) parent->obj)->restart;
      point = &((IpaConfLimit *) parent->obj)->restart_point;
      break;
    case IPA_CONF_SECT_REACH:
      if (parent->sect_id == IPA_CONF_SECT_LIMIT)
        cmds = &((IpaConfLimit *) parent->obj)->reach;
      else
        cmds = &((IpaConfSublimit *) parent->obj)->reach;
      break;
    case IPA_CONF_SECT_EXPIRE:
      if (parent->sect_id == IPA_CONF_SECT_LIMIT)
        {
          cmds = &((IpaConfLimit *) parent->obj)->expire;
          point = &((IpaConfLimit *) parent->obj)->expire_point;
        }
      else
        {
          cmds = &((IpaConfSublimit *) parent->obj)->expire;
          point = &((IpaConfSublimit *) parent->obj)->expire_point;
        }
      break;
    case IPA_CONF_SECT_BELOW_THRESHOLD:
      cmds = &((IpaConfThreshold *) parent->obj)->below;
      break;
    case IPA_CONF_SECT_EQUAL_THRESHOLD:
      cmds = &((IpaConfThreshold *) parent->obj)->equal;
      break;
    case IPA_CONF_SECT_ABOVE_THRESHOLD:
      cmds = &((IpaConfThreshold *) parent->obj)->above;
      break;
    case IPA_CONF_SECT_STARTUP:
    case IPA_CONF_SECT_SHUTDOWN:
      {
        gboolean up = st->sect_id == IPA_CONF_SECT_STARTUP;

        if (parent->sect_id == IPA_CONF_SECT_ROOT)
          cs = up ? &ctx->conf->startup : &ctx->conf->shutdown;
        else if (parent->sect_id == IPA_CONF_SECT_RULE)
          cs = up ? &((IpaConfRule *) parent->obj)->startup
                  : &((IpaConfRule *) parent->obj)->shutdown;
        else
          cs = up ? &((IpaConfLimit *) parent->obj)->startup
                  : &((IpaConfLimit *) parent->obj)->shutdown;
        cmds = &cs->cmds;
      }
      break;
    default:
      {
        /* if_*: which ones are allowed depends on the owner of the
         * enclosing startup/shutdown. */
        gboolean of_limit = st->sect_id == IPA_CONF_SECT_IF_REACHED ||
                            st->sect_id == IPA_CONF_SECT_IF_NOT_REACHED;
        unsigned int want = of_limit ? IPA_CONF_SECT_LIMIT : IPA_CONF_SECT_RULE;
        IpaConfCmdsSect *pcs = parent->cmds_sect;

        if (parent->owner_id != want)
          return ipa_conf_parser_set_error (parser, error,
                                            IPA_CONF_ERROR_PLACEMENT,
                                            of_limit
                                            ? _("%s is allowed only in startup or shutdown of a limit")
                                            : _("%s is allowed only in startup or shutdown of a rule"),
                                            st->name);
        switch (st->sect_id)
          {
          case IPA_CONF_SECT_IF_REACHED: cmds = &pcs->if_reached; break;
          case IPA_CONF_SECT_IF_NOT_REACHED: cmds = &pcs->if_not_reached; break;
          case IPA_CONF_SECT_IF_ALL_REACHED: cmds = &pcs->if_all_reached; break;
          case IPA_CONF_SECT_IF_ANY_REACHED: cmds = &pcs->if_any_reached; break;
          case IPA_CONF_SECT_IF_ALL_NOT_REACHED: cmds = &pcs->if_all_not_reached; break;
          case IPA_CONF_SECT_IF_ANY_NOT_REACHED: cmds = &pcs->if_any_not_reached; break;
          default: g_assert_not_reached ();
          }
      }
      break;
    }

  if (!cmds_open (ctx, st, cmds, error))
    return FALSE;
  {
    /* frame_push may move the stack, and parent with it. */
    unsigned int owner_id = parent->sect_id;

    f = frame_push (ctx, st->sect_id, parent->obj);
    f->cmds = cmds;
    f->point = point;
    f->cmds_sect = cs;
    f->owner_id = owner_id;
  }
  return TRUE;
}

/* --- parameters --- */

static gboolean
mod_load (IpaConfParser *parser, const IpaConfStatement *st,
          gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConf *conf = ctx->conf;
  gboolean ac = strcmp (st->name, "ac_mod") == 0;
  IpaModule *m;
  IpaConfModuleTables tables;
  IpaConfModRef *ref;
  g_autoptr(GError) local = NULL;

  if (conf->modules == NULL)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_MODULE,
                                      _("modules cannot be loaded here"));
  m = ipa_module_set_load (conf->modules,
                           ac ? IPA_MODULE_KIND_AC : IPA_MODULE_KIND_DB,
                           st->value.u.str, &local);
  if (m == NULL)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_MODULE,
                                      "%s", local->message);
  tables = ipa_module_set_conf_tables (conf->modules, m);
  if (!ipa_conf_parser_add_module (parser, &tables, error))
    return FALSE;
  ref = g_new0 (IpaConfModRef, 1);
  ref->file = g_strdup (st->value.u.str);
  ref->name = g_strdup (m->name);
  ref->loc = ipa_conf_loc_keep (&st->loc);
  g_ptr_array_add (ac ? conf->ac_mods : conf->db_mods, ref);
  return TRUE;
}

static gboolean
param_names (IpaConfParser *parser, const IpaConfStatement *st,
             IpaConfOptList *out, GError **error)
{
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
                                      _("%s needs at least one name"),
                                      st->name);
  g_ptr_array_add (names, NULL);
  out->set = TRUE;
  out->loc = ipa_conf_loc_keep (&st->loc);
  out->names = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  return TRUE;
}

static gboolean
param_worktime (IpaConfParser *parser, const IpaConfStatement *st,
                IpaConfOptWorktime *out, GError **error)
{
  IpaWorktime *wt = ipa_worktime_parse (st->text, error);

  if (wt == NULL)
    return FALSE;
  out->set = TRUE;
  out->loc = ipa_conf_loc_keep (&st->loc);
  out->wt = wt;
  return TRUE;
}

static void
opt_u64_set (IpaConfOptU64 *o, const IpaConfStatement *st, guint64 v)
{
  o->set = TRUE;
  o->loc = ipa_conf_loc_keep (&st->loc);
  o->v = v;
}

static void
opt_str_set (IpaConfOptStr *o, const IpaConfStatement *st, const char *s)
{
  o->set = TRUE;
  o->loc = ipa_conf_loc_keep (&st->loc);
  o->s = g_strdup (s);
}

/* The u64 value of a typed statement (TIME, UINT32, BOOLEAN). */
static guint64
st_u64 (const IpaConfStatement *st)
{
  switch (st->value.type)
    {
    case IPA_CONF_TYPE_UINT32:
      return st->value.u.u32;
    case IPA_CONF_TYPE_BOOLEAN:
      return st->value.u.boolean ? 1 : 0;
    default:
      return st->value.u.u64;
    }
}

/* Parameters of global/rulepat/rule/autorule (and limit/threshold for
 * db_list and worktime). */
static gboolean
param_rule (IpaConfParser *parser, const IpaConfStatement *st,
            gpointer user_data, GError **error)
{
  static const struct { const char *name; gsize off; } u64s[] = {
    { "update_time", G_STRUCT_OFFSET (IpaConfRuleParams, update_time) },
    { "append_time", G_STRUCT_OFFSET (IpaConfRuleParams, append_time) },
    { "debug_exec", G_STRUCT_OFFSET (IpaConfRuleParams, debug_exec) },
    { "debug_limit", G_STRUCT_OFFSET (IpaConfRuleParams, debug_limit) },
    { "debug_limit_init", G_STRUCT_OFFSET (IpaConfRuleParams, debug_limit_init) },
    { "debug_threshold", G_STRUCT_OFFSET (IpaConfRuleParams, debug_threshold) },
    { "debug_threshold_init", G_STRUCT_OFFSET (IpaConfRuleParams, debug_threshold_init) },
  };
  Ctx *ctx = user_data;
  Frame *f = frame_top (ctx);
  IpaConfRuleParams *p = frame_rule_params (f);

  if (strcmp (st->name, "db_list") == 0 || strcmp (st->name, "worktime") == 0)
    {
      gboolean db = st->name[0] == 'd';
      IpaConfOptList *list;
      IpaConfOptWorktime *wt;

      if (f->sect_id == IPA_CONF_SECT_LIMIT)
        {
          list = &((IpaConfLimit *) f->obj)->db_list;
          wt = &((IpaConfLimit *) f->obj)->worktime;
        }
      else if (f->sect_id == IPA_CONF_SECT_THRESHOLD)
        {
          list = &((IpaConfThreshold *) f->obj)->db_list;
          wt = &((IpaConfThreshold *) f->obj)->worktime;
        }
      else
        {
          list = &p->db_list;
          wt = &p->worktime;
        }
      return db ? param_names (parser, st, list, error)
                : param_worktime (parser, st, wt, error);
    }
  g_assert (p != NULL);
  if (strcmp (st->name, "ac_list") == 0)
    return param_names (parser, st, &p->ac_list, error);
  if (strcmp (st->name, "ctl_rule_acl") == 0)
    return param_names (parser, st, &p->ctl_rule_acl, error);
  for (gsize i = 0; i < G_N_ELEMENTS (u64s); i++)
    if (strcmp (st->name, u64s[i].name) == 0)
      {
        IpaConfOptU64 *o = G_STRUCT_MEMBER_P (p, u64s[i].off);

        if (st->value.type == IPA_CONF_TYPE_TIME && st->value.u.u64 == 0)
          return ipa_conf_parser_set_error (parser, error,
                                            IPA_CONF_ERROR_VALUE,
                                            _("%s must be greater than zero"),
                                            st->name);
        opt_u64_set (o, st, st_u64 (st));
        return TRUE;
      }
  g_assert_not_reached ();
}

static gboolean
param_root (IpaConfParser *parser, const IpaConfStatement *st,
            gpointer user_data, GError **error)
{
  static const struct { const char *name; gsize off; } u64s[] = {
    { "freeze_time", G_STRUCT_OFFSET (IpaConf, freeze_time) },
    { "sleep_after_dump", G_STRUCT_OFFSET (IpaConf, sleep_after_dump) },
    { "debug_ctl", G_STRUCT_OFFSET (IpaConf, debug_ctl) },
    { "debug_time", G_STRUCT_OFFSET (IpaConf, debug_time) },
    { "debug_worktime", G_STRUCT_OFFSET (IpaConf, debug_worktime) },
    { "debug_ac_null", G_STRUCT_OFFSET (IpaConf, debug_ac_null) },
    { "debug_db_null", G_STRUCT_OFFSET (IpaConf, debug_db_null) },
    { "debug_autorule", G_STRUCT_OFFSET (IpaConf, debug_autorule) },
  };
  Ctx *ctx = user_data;
  IpaConf *conf = ctx->conf;

  if (strcmp (st->name, "shell_path") == 0)
    {
      if (!g_path_is_absolute (st->value.u.str))
        return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                          _("shell_path must be an absolute path"));
      opt_str_set (&conf->shell_path, st, st->value.u.str);
      return TRUE;
    }
  if (strcmp (st->name, "shell_arg1") == 0)
    {
      opt_str_set (&conf->shell_arg1, st, st->value.u.str);
      return TRUE;
    }
  if (strcmp (st->name, "ctl_query_acl") == 0)
    return param_names (parser, st, &conf->ctl_query_acl, error);
  if (strcmp (st->name, "ctl_dump_acl") == 0)
    return param_names (parser, st, &conf->ctl_dump_acl, error);
  for (gsize i = 0; i < G_N_ELEMENTS (u64s); i++)
    if (strcmp (st->name, u64s[i].name) == 0)
      {
        opt_u64_set (G_STRUCT_MEMBER_P (conf, u64s[i].off), st, st_u64 (st));
        return TRUE;
      }
  g_assert_not_reached ();
}

static gboolean
param_ctl_ignored (IpaConfParser *parser, const IpaConfStatement *st,
                   gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;

  warn_at (ctx->conf, &st->loc,
           _("%s is ignored: ipactl reaches ipa through D-Bus"), st->name);
  return TRUE;
}

static gboolean
param_acl_class (IpaConfParser *parser, const IpaConfStatement *st,
                 gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;
  IpaConfAclClass *c;

  if (st->args[0].kind != IPA_CONF_ARG_WORD ||
      st->args[1].kind != IPA_CONF_ARG_STRING)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_ARGS,
                                      _("ctl_acl_class takes a name and a string of users and %%groups"));
  for (guint i = 0; i < ctx->conf->acl_classes->len; i++)
    {
      IpaConfAclClass *old = g_ptr_array_index (ctx->conf->acl_classes, i);

      if (strcmp (old->name, st->args[0].text) == 0)
        return ipa_conf_parser_set_error (parser, error,
                                          IPA_CONF_ERROR_DUPLICATE,
                                          _("duplicate ctl_acl_class \"%s\" (first at line %u)"),
                                          old->name, old->loc.line);
    }
  parts = g_strsplit_set (st->args[1].text, " \t\n", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *m = parts[i];

      if (*m == '\0')
        continue;
      if (*m == '%')
        {
          if (m[1] == '\0')
            return ipa_conf_parser_set_error (parser, error,
                                              IPA_CONF_ERROR_VALUE,
                                              _("empty group name in ctl_acl_class"));
          g_ptr_array_add (groups, g_strdup (m + 1));
        }
      else
        g_ptr_array_add (users, g_strdup (m));
    }
  g_ptr_array_add (users, NULL);
  g_ptr_array_add (groups, NULL);
  c = g_new0 (IpaConfAclClass, 1);
  c->name = g_strdup (st->args[0].text);
  c->loc = ipa_conf_loc_keep (&st->loc);
  c->users = (GStrv) g_ptr_array_free (g_steal_pointer (&users), FALSE);
  c->groups = (GStrv) g_ptr_array_free (g_steal_pointer (&groups), FALSE);
  g_ptr_array_add (ctx->conf->acl_classes, c);
  return TRUE;
}

static gboolean
id_known (const char *name, gboolean group)
{
  const char *p = name;

  for (; g_ascii_isdigit (*p); p++)
    ;
  if (*p == '\0' && p != name)
    return TRUE;               /* a number is used as is */
  return group ? getgrnam (name) != NULL : getpwnam (name) != NULL;
}

static gboolean
param_exec (IpaConfParser *parser, const IpaConfStatement *st,
            gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  Frame *f = frame_top (ctx);
  const IpaConfArg *cmd = &st->args[st->nargs - 1];
  g_autofree char *user = NULL;
  g_autofree char *group = NULL;
  IpaConfExec *e;

  if (st->nargs > 2)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_ARGS,
                                      _("exec takes an optional USER[:GROUP] and a command string"));
  if (cmd->kind != IPA_CONF_ARG_STRING)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_ARGS,
                                      _("the command of exec must be a string"));
  if (*cmd->text == '\0')
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                      _("empty command in exec"));
  if (st->nargs == 2)
    {
      const char *who = st->args[0].text;
      const char *colon = strchr (who, ':');

      if (st->args[0].kind != IPA_CONF_ARG_WORD)
        return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_ARGS,
                                          _("the user of exec must be a word USER[:GROUP]"));
      user = colon != NULL ? g_strndup (who, colon - who) : g_strdup (who);
      group = colon != NULL ? g_strdup (colon + 1) : NULL;
      if (*user == '\0' || (group != NULL && *group == '\0'))
        return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                          _("bad USER[:GROUP] \"%s\" in exec"), who);
      if (!id_known (user, FALSE))
        return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                          _("unknown user \"%s\" in exec"), user);
      if (group != NULL && !id_known (group, TRUE))
        return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                          _("unknown group \"%s\" in exec"), group);
    }
  e = g_new0 (IpaConfExec, 1);
  e->user = g_steal_pointer (&user);
  e->group = g_steal_pointer (&group);
  e->command = g_strdup (cmd->text);
  e->loc = ipa_conf_loc_keep (&st->loc);
  g_assert (f->cmds != NULL);
  g_ptr_array_add (f->cmds->execs, e);
  return TRUE;
}

static gboolean
param_point (IpaConfParser *parser, const IpaConfStatement *st,
             gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConfOptPoint *p = frame_top (ctx)->point;

  g_assert (p != NULL);
  if (!ipa_time_point_parse (st->text, &p->point, error))
    return FALSE;
  p->set = TRUE;
  p->loc = ipa_conf_loc_keep (&st->loc);
  return TRUE;
}

static gboolean
param_info (IpaConfParser *parser, const IpaConfStatement *st,
            gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  Frame *f = frame_top (ctx);
  IpaConfOptStr *o;

  switch (f->sect_id)
    {
    case IPA_CONF_SECT_RULE:
      o = &((IpaConfRule *) f->obj)->info;
      break;
    case IPA_CONF_SECT_LIMIT:
      o = &((IpaConfLimit *) f->obj)->info;
      break;
    default:
      o = &((IpaConfThreshold *) f->obj)->info;
      break;
    }
  opt_str_set (o, st, st->value.u.str);
  return TRUE;
}

static gboolean
param_gather (IpaConfParser *parser, const IpaConfStatement *st,
              gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConfRule *r = frame_top (ctx)->obj;
  regex_t re;
  int rc = regcomp (&re, st->value.u.str, REG_EXTENDED | REG_NOSUB);

  if (rc != 0)
    {
      char buf[256];

      regerror (rc, &re, buf, sizeof buf);
      return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                        _("bad regular expression \"%s\": %s"),
                                        st->value.u.str, buf);
    }
  regfree (&re);
  opt_str_set (strcmp (st->name, "ac_gather_add") == 0 ? &r->ac_gather_add
                                                     : &r->ac_gather_sub,
               st, st->value.u.str);
  return TRUE;
}

static gboolean
param_check_next (IpaConfParser *parser, const IpaConfStatement *st,
                  gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConfRulepat *rp = frame_top (ctx)->obj;

  opt_u64_set (&rp->check_next_rulepat, st, st_u64 (st));
  return TRUE;
}

static gboolean
param_limit (IpaConfParser *parser, const IpaConfStatement *st,
             gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConfLimit *l = frame_top (ctx)->obj;

  if (strcmp (st->name, "load_limit") == 0)
    {
      opt_u64_set (&l->load_limit, st, st_u64 (st));
      return TRUE;
    }
  return parse_value_or_per_cent (ctx, st, FALSE, &l->limit, error);
}

static gboolean
param_threshold (IpaConfParser *parser, const IpaConfStatement *st,
                 gpointer user_data, GError **error)
{
  Ctx *ctx = user_data;
  IpaConfThreshold *t = frame_top (ctx)->obj;
  const char *n = st->name;

  if (strcmp (n, "threshold") == 0)
    return parse_value_or_per_cent (ctx, st, FALSE, &t->threshold, error);
  if (strcmp (n, "threshold_deviation") == 0)
    return parse_value_or_per_cent (ctx, st, TRUE, &t->deviation, error);
  if (strcmp (n, "threshold_time_width") == 0 ||
      strcmp (n, "threshold_time_slice") == 0)
    {
      if (st->value.u.u64 == 0)
        return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                          _("%s must be greater than zero"), n);
      opt_u64_set (n[15] == 'w' ? &t->time_width : &t->time_slice, st,
                   st->value.u.u64);
      return TRUE;
    }
  if (strcmp (n, "threshold_type") == 0)
    {
      if (st->value.u.u32 > 3)
        return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                          _("threshold_type must be 0..3"));
      opt_u64_set (&t->type, st, st->value.u.u32);
      return TRUE;
    }
  if (strcmp (n, "load_threshold") == 0)
    {
      opt_u64_set (&t->load_threshold, st, st_u64 (st));
      return TRUE;
    }
  if (strcmp (n, "threshold_balance") == 0)
    {
      g_auto(GStrv) f = g_strsplit (st->args[0].text, ":", -1);
      guint32 v[3];

      if (g_strv_length (f) != 3)
        return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE,
                                          _("threshold_balance must be BELOW:EQUAL:ABOVE"));
      for (int i = 0; i < 3; i++)
        {
          guint64 x;

          if (strcmp (f[i], "-") == 0)
            v[i] = IPA_CONF_BALANCE_ONCE;
          else if (g_ascii_string_to_unsigned (f[i], 10, 1, G_MAXUINT32 - 1,
                                               &x, NULL))
            v[i] = (guint32) x;
          else
            return ipa_conf_parser_set_error (parser, error,
                                              IPA_CONF_ERROR_VALUE,
                                              _("bad field \"%s\" in threshold_balance: a count from 1 or \"-\""),
                                              f[i]);
        }
      t->balance.set = TRUE;
      t->balance.loc = ipa_conf_loc_keep (&st->loc);
      t->balance.below = v[0];
      t->balance.equal = v[1];
      t->balance.above = v[2];
      return TRUE;
    }
  g_assert_not_reached ();
}

/* --- the schema --- */

#define W(...) ((const unsigned int[]) { __VA_ARGS__, 0 })
#define W_ROOT W (IPA_CONF_SECT_ROOT)
#define W_RULES W (IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULEPAT, \
                   IPA_CONF_SECT_RULE, IPA_CONF_SECT_AUTORULE)
#define W_RULES_LT W (IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULEPAT, \
                      IPA_CONF_SECT_RULE, IPA_CONF_SECT_AUTORULE, \
                      IPA_CONF_SECT_LIMIT, IPA_CONF_SECT_THRESHOLD)
#define W_HOLDERS W (IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_RULE, \
                     IPA_CONF_SECT_AUTORULE)
#define W_EXEC W (IPA_CONF_SECT_STARTUP, IPA_CONF_SECT_SHUTDOWN, \
                  IPA_CONF_SECT_IF_REACHED, IPA_CONF_SECT_IF_NOT_REACHED, \
                  IPA_CONF_SECT_IF_ALL_REACHED, IPA_CONF_SECT_IF_ANY_REACHED, \
                  IPA_CONF_SECT_IF_ALL_NOT_REACHED, \
                  IPA_CONF_SECT_IF_ANY_NOT_REACHED, IPA_CONF_SECT_RESTART, \
                  IPA_CONF_SECT_REACH, IPA_CONF_SECT_EXPIRE, \
                  IPA_CONF_SECT_BELOW_THRESHOLD, \
                  IPA_CONF_SECT_EQUAL_THRESHOLD, \
                  IPA_CONF_SECT_ABOVE_THRESHOLD)
#define W_STSH W (IPA_CONF_SECT_STARTUP, IPA_CONF_SECT_SHUTDOWN)

#define CMDS(nm, id, where) \
  { nm, IPA_CONF_SECT_##id, 0, 0, where, IPA_CONF_EVENT_##id##_BEGIN, \
    IPA_CONF_NUMBER_NONE, NULL, cmds_sect_begin, sect_end }

static const IpaConfSectDef conf_sects[] = {
  { "global", IPA_CONF_SECT_GLOBAL, 0, 0, W_ROOT, IPA_CONF_EVENT_GLOBAL_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, global_begin, sect_end },
  { "rule", IPA_CONF_SECT_RULE, -1, 0, W_ROOT, IPA_CONF_EVENT_RULE_BEGIN,
    IPA_CONF_NUMBER_FILE, "rule", rule_begin, sect_end },
  { "autorule", IPA_CONF_SECT_AUTORULE, -1, 0, W_ROOT,
    IPA_CONF_EVENT_AUTORULE_BEGIN, IPA_CONF_NUMBER_FILE, "autorule",
    autorule_begin, sect_end },
  { "rulepat", IPA_CONF_SECT_RULEPAT, -1, 0, W_ROOT,
    IPA_CONF_EVENT_RULEPAT_BEGIN, IPA_CONF_NUMBER_FILE, NULL,
    rulepat_begin, sect_end },
  { "limit", IPA_CONF_SECT_LIMIT, -1, 0, W_HOLDERS, IPA_CONF_EVENT_LIMIT_BEGIN,
    IPA_CONF_NUMBER_PARENT, "limit", limit_begin, sect_end },
  { "threshold", IPA_CONF_SECT_THRESHOLD, -1, 0, W_HOLDERS,
    IPA_CONF_EVENT_THRESHOLD_BEGIN, IPA_CONF_NUMBER_PARENT, "threshold",
    threshold_begin, sect_end },
  { "sublimit", IPA_CONF_SECT_SUBLIMIT, -1, 0, W (IPA_CONF_SECT_LIMIT), 0,
    IPA_CONF_NUMBER_NONE, "sublimit", sublimit_begin, sect_end },
  CMDS ("restart", RESTART, W (IPA_CONF_SECT_LIMIT)),
  CMDS ("reach", REACH, W (IPA_CONF_SECT_LIMIT, IPA_CONF_SECT_SUBLIMIT)),
  CMDS ("expire", EXPIRE, W (IPA_CONF_SECT_LIMIT, IPA_CONF_SECT_SUBLIMIT)),
  CMDS ("startup", STARTUP, W (IPA_CONF_SECT_ROOT, IPA_CONF_SECT_RULE,
                               IPA_CONF_SECT_LIMIT)),
  CMDS ("shutdown", SHUTDOWN, W (IPA_CONF_SECT_ROOT, IPA_CONF_SECT_RULE,
                                 IPA_CONF_SECT_LIMIT)),
  CMDS ("if_reached", IF_REACHED, W_STSH),
  CMDS ("if_not_reached", IF_NOT_REACHED, W_STSH),
  CMDS ("if_all_reached", IF_ALL_REACHED, W_STSH),
  CMDS ("if_any_reached", IF_ANY_REACHED, W_STSH),
  CMDS ("if_all_not_reached", IF_ALL_NOT_REACHED, W_STSH),
  CMDS ("if_any_not_reached", IF_ANY_NOT_REACHED, W_STSH),
  CMDS ("below_threshold", BELOW_THRESHOLD, W (IPA_CONF_SECT_THRESHOLD)),
  CMDS ("equal_threshold", EQUAL_THRESHOLD, W (IPA_CONF_SECT_THRESHOLD)),
  CMDS ("above_threshold", ABOVE_THRESHOLD, W (IPA_CONF_SECT_THRESHOLD)),
  { NULL }
};

static const IpaConfParamDef conf_params[] = {
  /* root */
  { "ac_mod", 1, IPA_CONF_TYPE_STRING, W_ROOT, TRUE, mod_load },
  { "db_mod", 1, IPA_CONF_TYPE_STRING, W_ROOT, TRUE, mod_load },
  { "freeze_time", 1, IPA_CONF_TYPE_TIME, W_ROOT, FALSE, param_root },
  { "sleep_after_dump", 1, IPA_CONF_TYPE_TIME, W_ROOT, FALSE, param_root },
  { "shell_path", 1, IPA_CONF_TYPE_STRING, W_ROOT, FALSE, param_root },
  { "shell_arg1", 1, IPA_CONF_TYPE_STRING, W_ROOT, FALSE, param_root },
  { "ctl_acl_class", 2, 0, W_ROOT, TRUE, param_acl_class },
  { "ctl_query_acl", -1, 0, W_ROOT, FALSE, param_root },
  { "ctl_dump_acl", -1, 0, W_ROOT, FALSE, param_root },
  { "ctl_enable", -1, 0, W_ROOT, FALSE, param_ctl_ignored },
  { "ctl_socket_path", -1, 0, W_ROOT, FALSE, param_ctl_ignored },
  { "ctl_socket_perm", -1, 0, W_ROOT, FALSE, param_ctl_ignored },
  { "ctl_timeout", -1, 0, W_ROOT, FALSE, param_ctl_ignored },
  { "debug_ctl", 1, IPA_CONF_TYPE_UINT32, W_ROOT, FALSE, param_root },
  { "debug_time", 1, IPA_CONF_TYPE_UINT32, W_ROOT, FALSE, param_root },
  { "debug_worktime", 1, IPA_CONF_TYPE_UINT32, W_ROOT, FALSE, param_root },
  { "debug_ac_null", 1, IPA_CONF_TYPE_UINT32, W_ROOT, FALSE, param_root },
  { "debug_db_null", 1, IPA_CONF_TYPE_UINT32, W_ROOT, FALSE, param_root },
  { "debug_autorule", 1, IPA_CONF_TYPE_UINT32, W_ROOT, FALSE, param_root },
  /* global, rulepat, rule, autorule */
  { "ac_list", -1, 0, W_RULES, FALSE, param_rule },
  { "db_list", -1, 0, W_RULES_LT, FALSE, param_rule },
  { "update_time", -1, IPA_CONF_TYPE_TIME, W_RULES, FALSE, param_rule },
  { "append_time", -1, IPA_CONF_TYPE_TIME, W_RULES, FALSE, param_rule },
  { "worktime", -1, 0, W_RULES_LT, FALSE, param_rule },
  { "ctl_rule_acl", -1, 0, W_RULES, FALSE, param_rule },
  { "debug_exec", 1, IPA_CONF_TYPE_UINT32, W_RULES, FALSE, param_rule },
  { "debug_limit", 1, IPA_CONF_TYPE_UINT32, W_RULES, FALSE, param_rule },
  { "debug_limit_init", 1, IPA_CONF_TYPE_UINT32, W_RULES, FALSE, param_rule },
  { "debug_threshold", 1, IPA_CONF_TYPE_UINT32, W_RULES, FALSE, param_rule },
  { "debug_threshold_init", 1, IPA_CONF_TYPE_UINT32, W_RULES, FALSE, param_rule },
  { "check_next_rulepat", 1, IPA_CONF_TYPE_BOOLEAN, W (IPA_CONF_SECT_RULEPAT),
    FALSE, param_check_next },
  { "info", 1, IPA_CONF_TYPE_STRING,
    W (IPA_CONF_SECT_RULE, IPA_CONF_SECT_LIMIT, IPA_CONF_SECT_THRESHOLD),
    FALSE, param_info },
  { "ac_gather_add", 1, IPA_CONF_TYPE_STRING, W (IPA_CONF_SECT_RULE), FALSE,
    param_gather },
  { "ac_gather_sub", 1, IPA_CONF_TYPE_STRING, W (IPA_CONF_SECT_RULE), FALSE,
    param_gather },
  /* limit */
  { "limit", -1, 0, W (IPA_CONF_SECT_LIMIT), FALSE, param_limit },
  { "load_limit", 1, IPA_CONF_TYPE_BOOLEAN, W (IPA_CONF_SECT_LIMIT), FALSE,
    param_limit },
  { "restart", -1, 0, W (IPA_CONF_SECT_RESTART), FALSE, param_point },
  { "expire", -1, 0, W (IPA_CONF_SECT_EXPIRE), FALSE, param_point },
  /* threshold */
  { "threshold", -1, 0, W (IPA_CONF_SECT_THRESHOLD), FALSE, param_threshold },
  { "threshold_deviation", -1, 0, W (IPA_CONF_SECT_THRESHOLD), FALSE,
    param_threshold },
  { "threshold_time_width", -1, IPA_CONF_TYPE_TIME, W (IPA_CONF_SECT_THRESHOLD),
    FALSE, param_threshold },
  { "threshold_time_slice", -1, IPA_CONF_TYPE_TIME, W (IPA_CONF_SECT_THRESHOLD),
    FALSE, param_threshold },
  { "threshold_type", 1, IPA_CONF_TYPE_UINT32, W (IPA_CONF_SECT_THRESHOLD),
    FALSE, param_threshold },
  { "threshold_balance", 1, 0, W (IPA_CONF_SECT_THRESHOLD), FALSE,
    param_threshold },
  { "load_threshold", 1, IPA_CONF_TYPE_BOOLEAN, W (IPA_CONF_SECT_THRESHOLD),
    FALSE, param_threshold },
  /* commands */
  { "exec", -1, 0, W_EXEC, TRUE, param_exec },
  { NULL }
};

static const IpaConfSchema conf_schema = { conf_sects, conf_params };

/* ---------------------------------------------------------------------
 * Checks after parsing
 */

static gboolean
check_list (IpaConf *conf, const IpaConfOptList *list, IpaModuleKind kind,
            GError **error)
{
  const char *what = kind == IPA_MODULE_KIND_AC ? _("accounting system")
                                                : _("database");

  if (!list->set)
    return TRUE;
  for (guint i = 0; list->names[i] != NULL; i++)
    for (guint j = 0; j < i; j++)
      if (strcmp (list->names[j], list->names[i]) == 0)
        return ipa_conf_error_at (error, &list->loc, IPA_CONF_ERROR_DUPLICATE,
                         _("%s \"%s\" is listed twice"), what, list->names[i]);
  for (guint i = 0; list->names[i] != NULL; i++)
    {
      const char *n = list->names[i];

      if (strcmp (n, IPA_CONF_NULL_NAME) == 0)
        {
          if (g_strv_length (list->names) > 1)
            return ipa_conf_error_at (error, &list->loc, IPA_CONF_ERROR_SEMANTIC,
                             _("the null %s cannot be combined with others"),
                             what);
          continue;
        }
      if (conf->modules == NULL ||
          ipa_module_set_lookup (conf->modules, kind, n) == NULL)
        return ipa_conf_error_at (error, &list->loc, IPA_CONF_ERROR_UNKNOWN,
                         kind == IPA_MODULE_KIND_AC
                         ? _("unknown accounting system \"%s\" (no ac_mod provides it)")
                         : _("unknown database \"%s\" (no db_mod provides it)"),
                         n);
    }
  return TRUE;
}

static gboolean
check_acl (IpaConf *conf, const IpaConfOptList *list, GError **error)
{
  if (!list->set)
    return TRUE;
  for (guint i = 0; list->names[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < conf->acl_classes->len && !found; j++)
        found = strcmp (((IpaConfAclClass *) g_ptr_array_index (conf->acl_classes, j))->name,
                        list->names[i]) == 0;
      if (!found)
        return ipa_conf_error_at (error, &list->loc, IPA_CONF_ERROR_UNKNOWN,
                         _("unknown ctl_acl_class \"%s\""), list->names[i]);
    }
  return TRUE;
}

static gboolean
check_rule_params (IpaConf *conf, const IpaConfRuleParams *p, GError **error)
{
  return check_list (conf, &p->ac_list, IPA_MODULE_KIND_AC, error) &&
         check_list (conf, &p->db_list, IPA_MODULE_KIND_DB, error) &&
         check_acl (conf, &p->ctl_rule_acl, error);
}

static gboolean
check_limits (IpaConf *conf, GPtrArray *limits, GError **error)
{
  for (guint i = 0; i < limits->len; i++)
    {
      IpaConfLimit *l = g_ptr_array_index (limits, i);

      if (!l->limit.set)
        return ipa_conf_error_at (error, &l->loc, IPA_CONF_ERROR_SEMANTIC,
                         _("limit \"%s\" has no \"limit\" parameter"), l->name);
      if (!check_list (conf, &l->db_list, IPA_MODULE_KIND_DB, error))
        return FALSE;
      for (guint j = 0; j < l->sublimits->len; j++)
        {
          IpaConfSublimit *s = g_ptr_array_index (l->sublimits, j);

          if (s->value.per_cent)
            continue;
          if (s->value.kind != l->limit.kind &&
              s->value.kind != IPA_CONF_TYPE_UINT64 &&
              l->limit.kind != IPA_CONF_TYPE_UINT64)
            return ipa_conf_error_at (error, &s->loc, IPA_CONF_ERROR_SEMANTIC,
                             _("sublimit %s is a %s, its limit a %s"),
                             s->arg, ipa_conf_type_name (s->value.kind),
                             ipa_conf_type_name (l->limit.kind));
          if (s->value.v > l->limit.v)
            return ipa_conf_error_at (error, &s->loc, IPA_CONF_ERROR_SEMANTIC,
                             _("sublimit %s is above its limit \"%s\""),
                             s->arg, l->name);
        }
    }
  return TRUE;
}

static gboolean
check_thresholds (IpaConf *conf, GPtrArray *thresholds, GError **error)
{
  for (guint i = 0; i < thresholds->len; i++)
    {
      IpaConfThreshold *t = g_ptr_array_index (thresholds, i);
      guint64 width = t->time_width.set ? t->time_width.v
                                        : IPA_CONF_DEFAULT_THR_TIME_WIDTH;
      guint64 slice = t->time_slice.set ? t->time_slice.v
                                        : IPA_CONF_DEFAULT_THR_TIME_SLICE;

      if (!t->threshold.set)
        return ipa_conf_error_at (error, &t->loc, IPA_CONF_ERROR_SEMANTIC,
                         _("threshold \"%s\" has no \"threshold\" parameter"),
                         t->name);
      if (!check_list (conf, &t->db_list, IPA_MODULE_KIND_DB, error))
        return FALSE;
      if (slice > width || width % slice != 0)
        return ipa_conf_error_at (error,
                         t->time_slice.set ? &t->time_slice.loc
                                           : &t->time_width.loc,
                         IPA_CONF_ERROR_SEMANTIC,
                         _("threshold_time_slice must divide threshold_time_width"));
      if (t->deviation.set && !t->deviation.per_cent &&
          t->deviation.kind != t->threshold.kind &&
          t->deviation.kind != IPA_CONF_TYPE_UINT64 &&
          t->threshold.kind != IPA_CONF_TYPE_UINT64)
        return ipa_conf_error_at (error, &t->deviation.loc, IPA_CONF_ERROR_SEMANTIC,
                         _("threshold_deviation is a %s, the threshold a %s"),
                         ipa_conf_type_name (t->deviation.kind),
                         ipa_conf_type_name (t->threshold.kind));
    }
  return TRUE;
}

/* Is every active minute of @inner active in @outer too? */
static gboolean
worktime_inside (const IpaWorktime *inner, const IpaWorktime *outer)
{
  if (inner == NULL || outer == NULL)
    return outer == NULL;
  for (int d = 0; d < 7; d++)
    for (guint i = 0; i < inner->n_intervals[d]; i++)
      {
        const IpaWorktimeInterval *a = &inner->intervals[d][i];
        gboolean in = FALSE;

        for (guint j = 0; j < outer->n_intervals[d] && !in; j++)
          in = outer->intervals[d][j].start <= a->start &&
               a->end <= outer->intervals[d][j].end;
        if (!in)
          return FALSE;
      }
  return TRUE;
}

static gboolean
check_worktimes (const IpaConfRuleParams *eff, GPtrArray *limits,
                 GPtrArray *thresholds, GError **error)
{
  for (guint i = 0; i < limits->len; i++)
    {
      IpaConfLimit *l = g_ptr_array_index (limits, i);

      if (l->worktime.set && !worktime_inside (l->worktime.wt, eff->worktime.wt))
        return ipa_conf_error_at (error, &l->worktime.loc, IPA_CONF_ERROR_SEMANTIC,
                         _("worktime of limit \"%s\" is not inside the worktime of its rule"),
                         l->name);
    }
  for (guint i = 0; i < thresholds->len; i++)
    {
      IpaConfThreshold *t = g_ptr_array_index (thresholds, i);

      if (t->worktime.set && !worktime_inside (t->worktime.wt, eff->worktime.wt))
        return ipa_conf_error_at (error, &t->worktime.loc, IPA_CONF_ERROR_SEMANTIC,
                         _("worktime of threshold \"%s\" is not inside the worktime of its rule"),
                         t->name);
    }
  return TRUE;
}

static void
check_times (IpaConf *conf, const IpaConfRuleParams *eff,
             const IpaConfLocation *where, const char *what, const char *name)
{
  if (eff->append_time.v < eff->update_time.v)
    warn_at (conf,
             eff->append_time.loc.file != NULL ? &eff->append_time.loc : where,
             _("%s \"%s\": append_time is shorter than update_time"),
             what, name);
}

static gboolean
check_written (IpaConf *conf, GError **error)
{
  if (!check_acl (conf, &conf->ctl_query_acl, error) ||
      !check_acl (conf, &conf->ctl_dump_acl, error) ||
      !check_rule_params (conf, &conf->global, error))
    return FALSE;
  for (guint i = 0; i < conf->rulepats->len; i++)
    {
      IpaConfRulepat *rp = g_ptr_array_index (conf->rulepats, i);

      if (!check_rule_params (conf, &rp->params, error) ||
          !check_limits (conf, rp->limits, error) ||
          !check_thresholds (conf, rp->thresholds, error))
        return FALSE;
    }
  for (guint i = 0; i < conf->autorules->len; i++)
    {
      IpaConfAutorule *a = g_ptr_array_index (conf->autorules, i);

      if (!check_rule_params (conf, &a->params, error) ||
          !check_limits (conf, a->limits, error) ||
          !check_thresholds (conf, a->thresholds, error))
        return FALSE;
    }
  for (guint i = 0; i < conf->rules->len; i++)
    {
      IpaConfRule *r = g_ptr_array_index (conf->rules, i);

      if (!check_rule_params (conf, &r->params, error) ||
          !check_limits (conf, r->limits, error) ||
          !check_thresholds (conf, r->thresholds, error))
        return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------
 * Inheritance
 */

GArray *
ipa_conf_match_rulepats (const IpaConf *conf, const char *rule_name)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < conf->rulepats->len; i++)
    {
      IpaConfRulepat *rp = g_ptr_array_index (conf->rulepats, i);

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
  /* IpaConfLimit and IpaConfThreshold both start with no, name. */
  for (guint i = 0; i < arr->len; i++)
    if (strcmp (((IpaConfLimit *) g_ptr_array_index (arr, i))->name, name) == 0)
      return TRUE;
  return FALSE;
}

static void
rule_inherit (IpaConf *conf, IpaConfRule *r)
{
  g_autoptr(GArray) m = ipa_conf_match_rulepats (conf, r->name);

  g_array_set_size (r->rulepats, 0);
  g_array_append_vals (r->rulepats, m->data, m->len);
  rule_params_merge (&r->eff, &r->params);
  for (guint i = 0; i < m->len; i++)
    {
      IpaConfRulepat *rp = g_ptr_array_index (conf->rulepats,
                                              g_array_index (m, guint, i));

      rule_params_merge (&r->eff, &rp->params);
      for (guint j = 0; j < rp->limits->len; j++)
        {
          IpaConfLimit *src = g_ptr_array_index (rp->limits, j);
          IpaConfLimit *l;

          if (has_named (r->limits, src->name))
            continue;
          l = limit_copy (src);
          l->no = r->limits->len;
          l->inherited = TRUE;
          g_ptr_array_add (r->limits, l);
        }
      for (guint j = 0; j < rp->thresholds->len; j++)
        {
          IpaConfThreshold *src = g_ptr_array_index (rp->thresholds, j);
          IpaConfThreshold *t;

          if (has_named (r->thresholds, src->name))
            continue;
          t = threshold_copy (src);
          t->no = r->thresholds->len;
          t->inherited = TRUE;
          g_ptr_array_add (r->thresholds, t);
        }
    }
  rule_params_merge (&r->eff, &conf->global);
  rule_params_defaults (&r->eff);
}

void
ipa_conf_dynamic_rule_params (const IpaConf *conf,
                              const IpaConfAutorule *autorule,
                              const char *rule_name,
                              IpaConfRuleParams *out)
{
  g_autoptr(GArray) m = ipa_conf_match_rulepats (conf, rule_name);

  memset (out, 0, sizeof *out);
  rule_params_merge (out, &autorule->params);
  for (guint i = 0; i < m->len; i++)
    {
      const IpaConfRulepat *rp = g_ptr_array_index (conf->rulepats,
                                                    g_array_index (m, guint, i));

      rule_params_merge (out, &rp->params);
    }
  rule_params_merge (out, &conf->global);
  rule_params_defaults (out);
}

void
ipa_conf_autorule_params (const IpaConf *conf,
                          const IpaConfAutorule *autorule,
                          IpaConfRuleParams *out)
{
  memset (out, 0, sizeof *out);
  rule_params_merge (out, &autorule->params);
  rule_params_merge (out, &conf->global);
  rule_params_defaults (out);
}

void
ipa_conf_drop_rules (IpaConf *conf)
{
  guint j = 0;

  /* conf->top refers to the rules; keep the other sections. */
  for (guint i = 0; i < conf->top->len; i++)
    {
      IpaConfTopRef ref = g_array_index (conf->top, IpaConfTopRef, i);

      if (ref.sect_id != IPA_CONF_SECT_RULE)
        g_array_index (conf->top, IpaConfTopRef, j++) = ref;
    }
  g_array_set_size (conf->top, j);
  g_ptr_array_set_size (conf->rules, 0);
}

void
ipa_conf_rule_params_clear (IpaConfRuleParams *params)
{
  rule_params_clear (params);
}

/* -tt: what the engine would use, written out. */
static void
limit_fill (IpaConfLimit *l, const IpaConfRuleParams *eff)
{
  if (!l->db_list.set)
    ipa_conf_opt_list_copy (&l->db_list, &eff->db_list);
  if (!l->worktime.set)
    opt_wt_copy (&l->worktime, &eff->worktime);
  opt_u64_default (&l->load_limit, TRUE);
}

static void
threshold_fill (IpaConfThreshold *t, const IpaConfRuleParams *eff)
{
  if (!t->db_list.set)
    ipa_conf_opt_list_copy (&t->db_list, &eff->db_list);
  if (!t->worktime.set)
    opt_wt_copy (&t->worktime, &eff->worktime);
  if (!t->deviation.set)
    {
      t->deviation.set = TRUE;
      t->deviation.kind = t->threshold.kind;
      t->deviation.v = 0;
    }
  opt_u64_default (&t->time_width, IPA_CONF_DEFAULT_THR_TIME_WIDTH);
  opt_u64_default (&t->time_slice, IPA_CONF_DEFAULT_THR_TIME_SLICE);
  opt_u64_default (&t->type, 0);
  if (!t->balance.set)
    {
      t->balance.set = TRUE;
      t->balance.below = t->balance.equal = t->balance.above = IPA_CONF_BALANCE_ONCE;
    }
  opt_u64_default (&t->load_threshold, TRUE);
}

static void
conf_fill_defaults (IpaConf *conf)
{
  opt_u64_default (&conf->freeze_time, IPA_CONF_DEFAULT_FREEZE_TIME);
  opt_u64_default (&conf->sleep_after_dump, IPA_CONF_DEFAULT_SLEEP_AFTER_DUMP);
  if (!conf->shell_path.set)
    {
      conf->shell_path.set = TRUE;
      conf->shell_path.s = g_strdup (IPA_CONF_DEFAULT_SHELL_PATH);
    }
  if (!conf->shell_arg1.set)
    {
      conf->shell_arg1.set = TRUE;
      conf->shell_arg1.s = g_strdup (IPA_CONF_DEFAULT_SHELL_ARG1);
    }
  opt_u64_default (&conf->debug_ctl, 0);
  opt_u64_default (&conf->debug_time, 0);
  opt_u64_default (&conf->debug_worktime, 0);
  opt_u64_default (&conf->debug_ac_null, 0);
  opt_u64_default (&conf->debug_db_null, 0);
  opt_u64_default (&conf->debug_autorule, 0);
  conf->has_global = TRUE;
  rule_params_defaults (&conf->global);
  for (guint i = 0; i < conf->rules->len; i++)
    {
      IpaConfRule *r = g_ptr_array_index (conf->rules, i);

      for (guint j = 0; j < r->limits->len; j++)
        limit_fill (g_ptr_array_index (r->limits, j), &r->eff);
      for (guint j = 0; j < r->thresholds->len; j++)
        threshold_fill (g_ptr_array_index (r->thresholds, j), &r->eff);
    }
}

static gboolean
check_effective (IpaConf *conf, GError **error)
{
  for (guint i = 0; i < conf->rules->len; i++)
    {
      IpaConfRule *r = g_ptr_array_index (conf->rules, i);

      if (!check_worktimes (&r->eff, r->limits, r->thresholds, error))
        return FALSE;
      check_times (conf, &r->eff, &r->loc, "rule", r->name);
    }
  for (guint i = 0; i < conf->autorules->len; i++)
    {
      IpaConfAutorule *a = g_ptr_array_index (conf->autorules, i);
      IpaConfRuleParams eff = { 0 };
      gboolean ok;

      rule_params_merge (&eff, &a->params);
      rule_params_merge (&eff, &conf->global);
      rule_params_defaults (&eff);
      ok = check_worktimes (&eff, a->limits, a->thresholds, error);
      if (ok && g_strv_length (eff.ac_list.names) != 1)
        ok = ipa_conf_error_at (error, a->params.ac_list.set ? &a->params.ac_list.loc
                                                    : &a->loc,
                       IPA_CONF_ERROR_SEMANTIC,
                       _("autorule \"%s\" must use exactly one accounting system"),
                       a->name);
      if (ok)
        check_times (conf, &eff, &a->loc, "autorule", a->name);
      rule_params_clear (&eff);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------
 * Module phase (ipa_mod(3): conf_inherit → conf_mimic_real → conf_deinit)
 */

static gboolean
modules_configure (IpaConf *conf, GError **error)
{
  guint n = ipa_module_set_get_n_modules (conf->modules);

  for (guint i = 0; i < conf->rules->len; i++)
    {
      IpaConfRule *r = g_ptr_array_index (conf->rules, i);

      for (guint j = 0; j < r->rulepats->len; j++)
        for (guint k = 0; k < n; k++)
          {
            IpaModule *m = ipa_module_set_get_nth (conf->modules, k);
            guint rpno = g_array_index (r->rulepats, guint, j);

            if (m->kind != IPA_MODULE_KIND_ST &&
                ipa_conf_module_inherit (m, rpno, r->no, r->name) != 0)
              return ipa_conf_error_at (error, &r->loc, IPA_CONF_ERROR_MODULE,
                               _("module %s: cannot inherit settings of rulepat #%u into rule \"%s\""),
                               m->name, rpno, r->name);
          }
    }
  if (conf->flags & IPA_CONF_LOAD_MIMIC)
    for (guint k = 0; k < n; k++)
      {
        IpaModule *m = ipa_module_set_get_nth (conf->modules, k);

        if (m->kind != IPA_MODULE_KIND_ST &&
            ipa_conf_module_mimic_real (m) != 0)
          {
            g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE,
                         _("%s:1:1: module %s: conf_mimic_real failed"),
                         conf->path, m->name);
            return FALSE;
          }
      }
  return TRUE;
}

void
ipa_conf_modules_deinit_chain (const IpaConf *conf)
{
  guint n = conf->modules != NULL ? ipa_module_set_get_n_modules (conf->modules) : 0;

  for (guint k = 0; k < n; k++)
    {
      IpaModule *m = ipa_module_set_get_nth (conf->modules, k);

      ipa_memfunc_set_owner (m->owner);
      if (m->kind == IPA_MODULE_KIND_AC)
        {
          struct ipa_ac_mod *ac = m->mod.ac;

          for (guint i = 0; i < conf->rules->len && ac->ac_deinit_rule != NULL; i++)
            {
              IpaConfRule *r = g_ptr_array_index (conf->rules, i);

              if (ipa_conf_opt_list_has (&r->eff.ac_list, m->name))
                ac->ac_deinit_rule (r->no);
            }
          for (guint i = 0; i < conf->autorules->len && ac->ac_deinit_autorule != NULL; i++)
            {
              IpaConfAutorule *a = g_ptr_array_index (conf->autorules, i);

              ac->ac_deinit_autorule (a->no);
            }
          if (ac->ac_deinit != NULL)
            ac->ac_deinit ();
        }
      else if (m->kind == IPA_MODULE_KIND_DB)
        {
          struct ipa_db_mod *db = m->mod.db;

          for (guint i = 0; i < conf->rules->len; i++)
            {
              IpaConfRule *r = g_ptr_array_index (conf->rules, i);

              for (guint j = 0; j < r->limits->len && db->db_deinit_limit != NULL; j++)
                {
                  IpaConfLimit *l = g_ptr_array_index (r->limits, j);

                  if (ipa_conf_opt_list_has (l->db_list.set ? &l->db_list : &r->eff.db_list, m->name))
                    db->db_deinit_limit (r->no, l->no);
                }
              for (guint j = 0; j < r->thresholds->len && db->db_deinit_threshold != NULL; j++)
                {
                  IpaConfThreshold *t = g_ptr_array_index (r->thresholds, j);

                  if (ipa_conf_opt_list_has (t->db_list.set ? &t->db_list : &r->eff.db_list, m->name))
                    db->db_deinit_threshold (r->no, t->no);
                }
              if (db->db_deinit_rule != NULL && ipa_conf_opt_list_has (&r->eff.db_list, m->name))
                db->db_deinit_rule (r->no);
            }
          if (db->db_deinit != NULL)
            db->db_deinit ();
        }
      ipa_memfunc_set_owner (NULL);
    }
}

/* ---------------------------------------------------------------------
 * Loading
 */

static IpaConf *
conf_load (const char *path, const char *data, IpaModuleSet *modules,
           IpaConfLoadFlags flags, GError **error)
{
  g_autoptr(IpaConf) conf = conf_new (path, modules, flags);
  g_autoptr(GError) local = NULL;
  Ctx ctx = { 0 };
  Frame root = { .sect_id = IPA_CONF_SECT_ROOT };
  gboolean ok;

  ctx.conf = conf;
  ctx.stack = g_array_new (FALSE, TRUE, sizeof (Frame));
  root.obj = conf;
  g_array_append_val (ctx.stack, root);
  ctx.rule_names = g_hash_table_new (g_str_hash, g_str_equal);
  ctx.autorule_names = g_hash_table_new (g_str_hash, g_str_equal);
  ctx.parser = ipa_conf_parser_new (&conf_schema, &ctx);

  if (data != NULL)
    ok = ipa_conf_parser_parse_data (ctx.parser, path, data, -1, &local);
  else
    ok = ipa_conf_parser_parse_file (ctx.parser, path, &local);

  ipa_conf_parser_free (ctx.parser);
  g_array_unref (ctx.stack);
  g_hash_table_unref (ctx.rule_names);
  g_hash_table_unref (ctx.autorule_names);

  if (ok)
    ok = check_written (conf, &local);
  if (ok)
    {
      for (guint i = 0; i < conf->rules->len; i++)
        rule_inherit (conf, g_ptr_array_index (conf->rules, i));
      ok = check_effective (conf, &local);
    }
  if (!(flags & IPA_CONF_LOAD_NO_MODULE_PHASE) && modules != NULL)
    {
      if (ok)
        ok = modules_configure (conf, &local);
      /* conf_deinit after the whole file, also when it was rejected, so
       * that modules free what they parsed. */
      /* Every module gets its conf_deinit, even after a failure of another. */
      if (!ipa_conf_modules_conf_deinit (conf->modules, conf->path, FALSE,
                                         ok ? &local : NULL))
        ok = FALSE;
    }
  if (!ok)
    {
      /* INV-75: modules free what they kept of a rejected configuration. */
      if (!(flags & IPA_CONF_LOAD_NO_MODULE_PHASE))
        ipa_conf_modules_deinit_chain (conf);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (flags & IPA_CONF_LOAD_MIMIC)
    conf_fill_defaults (conf);
  return g_steal_pointer (&conf);
}

IpaConf *
ipa_conf_load (const char *path, IpaModuleSet *modules,
               IpaConfLoadFlags flags, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  return conf_load (path, NULL, modules, flags, error);
}

IpaConf *
ipa_conf_load_data (const char *file_name, const char *data,
                    IpaModuleSet *modules, IpaConfLoadFlags flags,
                    GError **error)
{
  g_return_val_if_fail (file_name != NULL && data != NULL, NULL);
  return conf_load (file_name, data, modules, flags, error);
}

/* ---------------------------------------------------------------------
 * Lookups
 */

IpaConfRule *
ipa_conf_find_rule (const IpaConf *conf, const char *name)
{
  for (guint i = 0; i < conf->rules->len; i++)
    {
      IpaConfRule *r = g_ptr_array_index (conf->rules, i);

      if (strcmp (r->name, name) == 0)
        return r;
    }
  return NULL;
}

IpaConfAutorule *
ipa_conf_find_autorule (const IpaConf *conf, const char *name)
{
  for (guint i = 0; i < conf->autorules->len; i++)
    {
      IpaConfAutorule *a = g_ptr_array_index (conf->autorules, i);

      if (strcmp (a->name, name) == 0)
        return a;
    }
  return NULL;
}

IpaConfLimit *
ipa_conf_rule_find_limit (const IpaConfRule *rule, const char *name)
{
  for (guint i = 0; i < rule->limits->len; i++)
    {
      IpaConfLimit *l = g_ptr_array_index (rule->limits, i);

      if (strcmp (l->name, name) == 0)
        return l;
    }
  return NULL;
}

IpaConfThreshold *
ipa_conf_rule_find_threshold (const IpaConfRule *rule, const char *name)
{
  for (guint i = 0; i < rule->thresholds->len; i++)
    {
      IpaConfThreshold *t = g_ptr_array_index (rule->thresholds, i);

      if (strcmp (t->name, name) == 0)
        return t;
    }
  return NULL;
}
