/*
 * ipastat-run.c: the passes of a query (see ipastat-run.h) and the
 * resolution of the names it gives.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "ipastat-query-exec.h"
#include "ipastat-run.h"

void
ipastat_print_error (const char *message)
{
  fprintf (stderr, "ipastat: %s\n", message);
}

void
ipastat_run_fail (IpastatRun *run, IpastatExit status, const char *message)
{
  ipastat_print_error (message);
  if (run->status == IPASTAT_EXIT_OK)
    run->status = status;
}

void
ipastat_run_fail_error (IpastatRun *run, const GError *error)
{
  IpastatExit status = error->domain == IPASTAT_ERROR ? (IpastatExit) error->code
                                                      : IPASTAT_EXIT_DATABASE;

  ipastat_run_fail (run, status, error->message);
}

/* ---------------------------------------------------------------------
 * Passes
 */

static gboolean
pass_open (IpastatRun *run, IpastatPass *pass)
{
  g_autoptr(GError) error = NULL;

  memset (pass, 0, sizeof *pass);
  pass->modules = ipa_module_set_new ();
  pass->conf = ipastat_conf_load (run->conf_path, pass->modules,
                                  IPASTAT_CONF_LOAD_NONE, &error);
  if (pass->conf == NULL)
    {
      ipastat_run_fail (run, IPASTAT_EXIT_CONFIG, error->message);
      return FALSE;
    }
  for (guint i = 0; i < pass->conf->warnings->len; i++)
    g_printerr (_("%s (warning)\n"),
                (const char *) g_ptr_array_index (pass->conf->warnings, i));
  for (guint i = 0; run->query->st_list != NULL && run->query->st_list[i] != NULL; i++)
    {
      const char *name = run->query->st_list[i];
      gboolean found = FALSE;

      for (guint k = 0; k < pass->conf->st_mods->len && !found; k++)
        found = strcmp (((IpastatConfModRef *) g_ptr_array_index (pass->conf->st_mods, k))->name,
                        name) == 0;
      if (!found)
        {
          g_autofree char *msg =
            g_strdup_printf (_("-s: unknown statistics system \"%s\" (no st_mod of %s provides it)"),
                             name, run->conf_path);

          ipastat_run_fail (run, IPASTAT_EXIT_USAGE, msg);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
pass_start (IpastatRun *run, IpastatPass *pass)
{
  g_autoptr(GError) error = NULL;

  pass->session = ipastat_session_new (pass->conf);
  if (!ipastat_session_start (pass->session, &error))
    {
      ipastat_run_fail_error (run, error);
      return FALSE;
    }
  return TRUE;
}

static void
pass_close (IpastatPass *pass)
{
  g_clear_pointer (&pass->session, ipastat_session_free);
  g_clear_pointer (&pass->conf, ipastat_conf_free);
  g_clear_pointer (&pass->modules, ipa_module_set_free);
}

/* ---------------------------------------------------------------------
 * Names
 */

IpastatConfRule *
ipastat_run_resolve_rule (IpastatRun *run, IpastatPass *pass, const char *name)
{
  IpastatConf *conf = pass->conf;
  IpastatConfRule *r = ipastat_conf_find_rule (conf, name);
  g_autofree char *msg = NULL;

  if (r != NULL)
    return r;
  if (!ipa_conf_name_is_valid (name))
    msg = g_strdup_printf (_("unknown rule \"%s\": not a valid rule name"), name);
  else if (!conf->dynamic_rules.v)
    msg = g_strdup_printf (_("unknown rule \"%s\": it has no section in %s and dynamic_rules is no"),
                           name, conf->path);
  if (msg != NULL)
    {
      ipastat_run_fail (run, IPASTAT_EXIT_UNKNOWN, msg);
      return NULL;
    }
  return ipastat_conf_add_dynamic_rule (conf, name);
}

IpastatConfEntity *
ipastat_run_resolve_item (IpastatRun *run, IpastatPass *pass,
                          IpastatConfRule *rule, IpastatItemKind kind,
                          const char *name)
{
  IpastatConf *conf = pass->conf;
  gboolean is_limit = kind == IPASTAT_ITEM_LIMIT;
  IpastatConfEntity *e = is_limit ? ipastat_conf_rule_find_limit (rule, name)
                                  : ipastat_conf_rule_find_threshold (rule, name);
  g_autofree char *msg = NULL;

  if (e != NULL)
    return e;
  if (!ipa_conf_name_is_valid (name))
    msg = g_strdup_printf (is_limit ? _("unknown limit \"%s\" of rule \"%s\": not a valid name")
                                    : _("unknown threshold \"%s\" of rule \"%s\": not a valid name"),
                           name, rule->name);
  else if (is_limit && !conf->dynamic_limits.v)
    msg = g_strdup_printf (_("unknown limit \"%s\" of rule \"%s\": it has no section in %s and dynamic_limits is no"),
                           name, rule->name, conf->path);
  else if (!is_limit && !conf->dynamic_thresholds.v)
    msg = g_strdup_printf (_("unknown threshold \"%s\" of rule \"%s\": it has no section in %s and dynamic_thresholds is no"),
                           name, rule->name, conf->path);
  if (msg != NULL)
    {
      ipastat_run_fail (run, IPASTAT_EXIT_UNKNOWN, msg);
      return NULL;
    }
  return is_limit ? ipastat_conf_add_dynamic_limit (rule, name)
                  : ipastat_conf_add_dynamic_threshold (rule, name);
}

GPtrArray *
ipastat_run_list_systems (IpastatRun *run, IpastatPass *pass)
{
  if (run->query->st_list != NULL)
    {
      IpastatOptList l = { TRUE, { 0 }, (GStrv) run->query->st_list };

      return ipastat_conf_list_modules (pass->conf, &l);
    }
  return ipastat_conf_list_modules (pass->conf, ipastat_conf_global_st_list (pass->conf));
}

void
ipastat_run_apply_st_override (IpastatRun *run, IpastatConfRule *rule)
{
  if (run->query->st_list != NULL)
    ipastat_conf_rule_override_st_list (rule, (const char *const *) run->query->st_list);
}

/* ---------------------------------------------------------------------
 * Discovery passes for -x
 */

static void
add_unique (GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (strcmp (g_ptr_array_index (names, i), name) == 0)
      return;
  g_ptr_array_add (names, g_strdup (name));
}

/* Replace every selection by one per rule its pattern matches. */
static gboolean
discover_rules (IpastatRun *run, GPtrArray **sels)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (ipastat_query_sel_free);
  IpastatPass pass;
  gboolean ok = FALSE;

  if (!pass_open (run, &pass))
    goto done;
  if (!pass_start (run, &pass))
    goto done;
  for (guint i = 0; i < (*sels)->len; i++)
    {
      IpastatQuerySel *sel = g_ptr_array_index (*sels, i);
      g_autoptr(GPtrArray) systems = ipastat_run_list_systems (run, &pass);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

      for (guint k = 0; k < systems->len; k++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GArray) list = NULL;

          if (!ipastat_session_rules_list (pass.session, g_ptr_array_index (systems, k),
                                           sel->rule, &list, &error))
            {
              ipastat_run_fail_error (run, error);
              continue;
            }
          for (guint j = 0; j < list->len; j++)
            add_unique (names, g_array_index (list, IpastatDesc, j).name);
        }
      for (guint j = 0; j < names->len; j++)
        {
          IpastatQuerySel *c = ipastat_query_sel_new (g_ptr_array_index (names, j));

          for (guint m = 0; m < sel->items->len; m++)
            {
              IpastatQueryItem *it = g_ptr_array_index (sel->items, m);

              ipastat_query_sel_add_item (c, it->kind, it->name);
            }
          g_ptr_array_add (out, c);
        }
    }
  ok = TRUE;
done:
  pass_close (&pass);
  if (ok)
    {
      g_ptr_array_unref (*sels);
      *sels = g_steal_pointer (&out);
    }
  return ok;
}

/* Replace the limit and threshold patterns of every selection by the
 * names they match. */
static gboolean
discover_items (IpastatRun *run, GPtrArray **sels)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (ipastat_query_sel_free);
  g_autoptr(GPtrArray) rules = g_ptr_array_new ();
  IpastatPass pass;
  gboolean ok = FALSE;

  if (!pass_open (run, &pass))
    goto done;
  for (guint i = 0; i < (*sels)->len; i++)
    {
      IpastatQuerySel *sel = g_ptr_array_index (*sels, i);
      IpastatConfRule *r = ipastat_run_resolve_rule (run, &pass, sel->rule);

      if (r != NULL)
        ipastat_run_apply_st_override (run, r);
      g_ptr_array_add (rules, r);
    }
  if (!pass_start (run, &pass))
    goto done;
  for (guint i = 0; i < (*sels)->len; i++)
    {
      IpastatQuerySel *sel = g_ptr_array_index (*sels, i);
      IpastatConfRule *r = g_ptr_array_index (rules, i);
      IpastatQuerySel *c;

      if (r == NULL)
        continue; /* reported */
      c = ipastat_query_sel_new (sel->rule);
      for (guint m = 0; m < sel->items->len; m++)
        {
          IpastatQueryItem *it = g_ptr_array_index (sel->items, m);
          g_autoptr(GPtrArray) systems = ipastat_conf_list_modules (pass.conf, &r->eff.st_list);
          g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

          for (guint k = 0; k < systems->len; k++)
            {
              g_autoptr(GError) error = NULL;
              g_autoptr(GArray) list = NULL;
              gboolean got;

              if (it->kind == IPASTAT_ITEM_LIMIT)
                got = ipastat_session_limits_list (pass.session, g_ptr_array_index (systems, k),
                                                   r, it->name, &list, &error);
              else
                got = ipastat_session_thresholds_list (pass.session, g_ptr_array_index (systems, k),
                                                       r, it->name, &list, &error);
              if (!got)
                {
                  ipastat_run_fail_error (run, error);
                  continue;
                }
              for (guint j = 0; j < list->len; j++)
                add_unique (names, g_array_index (list, IpastatDesc, j).name);
            }
          for (guint j = 0; j < names->len; j++)
            ipastat_query_sel_add_item (c, it->kind, g_ptr_array_index (names, j));
        }
      /* A rule whose patterns matched nothing shows nothing, rather than
       * its own statistics. */
      if (c->items->len > 0 || sel->items->len == 0)
        g_ptr_array_add (out, c);
      else
        ipastat_query_sel_free (c);
    }
  ok = TRUE;
done:
  pass_close (&pass);
  if (ok)
    {
      g_ptr_array_unref (*sels);
      *sels = g_steal_pointer (&out);
    }
  return ok;
}

/* ---------------------------------------------------------------------
 * The run
 */

static GPtrArray *
copy_sels (const IpastatQuery *query)
{
  GPtrArray *sels = g_ptr_array_new_with_free_func (ipastat_query_sel_free);

  for (guint i = 0; i < query->sels->len; i++)
    {
      IpastatQuerySel *sel = g_ptr_array_index (query->sels, i);
      IpastatQuerySel *c = ipastat_query_sel_new (sel->rule);

      for (guint j = 0; j < sel->items->len; j++)
        {
          IpastatQueryItem *it = g_ptr_array_index (sel->items, j);

          ipastat_query_sel_add_item (c, it->kind, it->name);
        }
      g_ptr_array_add (sels, c);
    }
  return sels;
}

/* ---------------------------------------------------------------------
 * Live records
 */

static gboolean
in_interval (const IpastatInterval *interval, const ipa_tm *tm)
{
  return ipastat_tm_compare (&interval->from, tm) <= 0 &&
         ipastat_tm_compare (tm, &interval->to) <= 0;
}

/* The daemon's current record of the rule of every statistics block
 * replaces the database's copy of that record (the same date and start:
 * the database has an older counter), or is added when not written yet.
 * It is the rule's newest record, so it stays last; the block is marked
 * (from_daemon) for the output.  The interval and -e select it as they
 * select the module's records. */
static void
apply_live_records (IpastatRun *run)
{
  const IpastatLive *live = run->live;

  if (live == NULL || live->rule_record == NULL)
    return;
  for (guint i = 0; i < run->result->blocks->len; i++)
    {
      IpastatBlock *b = g_ptr_array_index (run->result->blocks, i);
      struct ipa_rule_stat rec;
      ipa_tm t1 = { 0 }, t2;
      gboolean in1, in2;
      guint k;

      if (b->kind != IPASTAT_BLOCK_RULE_STAT ||
          !live->rule_record (live, b->rule, &rec))
        continue;
      t1.tm_year = (int) rec.year;
      t1.tm_mon = rec.mon;
      t1.tm_mday = rec.mday;
      t1.tm_hour = rec.h1;
      t1.tm_min = rec.m1;
      t1.tm_sec = rec.s1;
      t2 = t1;
      t2.tm_hour = rec.h2;
      t2.tm_min = rec.m2;
      t2.tm_sec = rec.s2;
      in1 = in_interval (&run->interval, &t1);
      in2 = in_interval (&run->interval, &t2);
      if (!(b->exact ? in1 || in2 : in1 && in2))
        continue;
      for (k = 0; k < b->records->len; k++)
        {
          struct ipa_rule_stat *r = &g_array_index (b->records, struct ipa_rule_stat, k);

          if (r->year == rec.year && r->mon == rec.mon && r->mday == rec.mday &&
              r->h1 == rec.h1 && r->m1 == rec.m1 && r->s1 == rec.s1)
            break;
        }
      if (k < b->records->len)
        g_array_remove_index (b->records, k);
      g_array_append_val (b->records, rec);
      b->from_daemon = TRUE;
    }
}

static gboolean
has_items (GPtrArray *sels)
{
  for (guint i = 0; i < sels->len; i++)
    if (((IpastatQuerySel *) g_ptr_array_index (sels, i))->items->len > 0)
      return TRUE;
  return FALSE;
}

IpastatExit
ipastat_run (const char *conf_path, const IpastatQuery *query,
             const IpastatInterval *interval, const IpastatLive *live,
             IpastatResult **result)
{
  IpastatRun run = { 0 };
  g_autoptr(GPtrArray) sels = copy_sels (query);
  IpastatPass pass;

  run.conf_path = conf_path;
  run.query = query;
  run.interval = *interval;
  run.live = live;
  run.result = ipastat_result_new ();

  /* In list mode limit and threshold names are filters the modules apply
   * themselves; in statistics mode they are entities to initialise. */
  if (query->regex && sels->len > 0 && !discover_rules (&run, &sels))
    goto out;
  if (query->regex && !query->list && has_items (sels) &&
      !discover_items (&run, &sels))
    goto out;
  /* Regexes are resolved now: the final pass takes names. */
  run.sels = sels;

  if (pass_open (&run, &pass))
    {
      if (ipastat_query_exec_prepare (&run, &pass) && pass_start (&run, &pass))
        {
          ipastat_query_exec (&run, &pass);
          apply_live_records (&run);
        }
    }
  pass_close (&pass);

out:
  *result = run.result;
  g_clear_pointer (&run.targets, g_ptr_array_unref);
  return run.status;
}
