/*
 * ipastat-query-exec.c: the final pass of a query: the entities of every
 * selection, and which query each one gets.
 *
 *   -a                 the rules of every system of -s / global st_list
 *   -a -r R [-l|-t P]  R (info) with its limits and thresholds
 *   -r R               statistics of R over the interval
 *   -r R -l L          history of L over the interval, or its current
 *                      state without -i (or with -c)
 *   -r R -t T          current state of T
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipastat-query-exec.h"

static void
target_free (gpointer p)
{
  IpastatTarget *t = p;

  g_clear_pointer (&t->entities, g_ptr_array_unref);
  g_free (t);
}

gboolean
ipastat_query_exec_prepare (IpastatRun *run, IpastatPass *pass)
{
  g_clear_pointer (&run->targets, g_ptr_array_unref);
  run->targets = g_ptr_array_new_with_free_func (target_free);
  for (guint i = 0; i < run->sels->len; i++)
    {
      const IpastatQuerySel *sel = g_ptr_array_index (run->sels, i);
      IpastatTarget *t = g_new0 (IpastatTarget, 1);

      t->sel = sel;
      t->rule = ipastat_run_resolve_rule (run, pass, sel->rule);
      g_ptr_array_add (run->targets, t);
      if (t->rule == NULL)
        continue;
      /* In list mode the names of -l and -t are filters, not entities. */
      if (!run->query->list)
        {
          t->entities = g_ptr_array_new ();
          for (guint j = 0; j < sel->items->len; j++)
            {
              const IpastatQueryItem *it = g_ptr_array_index (sel->items, j);

              g_ptr_array_add (t->entities,
                               ipastat_run_resolve_item (run, pass, t->rule,
                                                         it->kind, it->name));
            }
        }
      ipastat_run_apply_st_override (run, t->rule);
    }
  return TRUE;
}

void
ipastat_query_exec (IpastatRun *run, IpastatPass *pass)
{
  if (run->query->list && run->query->sels->len == 0)
    {
      ipastat_query_rules_list (run, pass);
      return;
    }
  for (guint i = 0; i < run->targets->len; i++)
    {
      IpastatTarget *t = g_ptr_array_index (run->targets, i);

      if (t->rule == NULL)
        continue;
      if (run->query->list)
        {
          ipastat_query_rule_entities (run, pass, t);
          continue;
        }
      if (t->sel->items->len == 0)
        {
          ipastat_query_rule_stat (run, pass, t);
          continue;
        }
      for (guint j = 0; j < t->sel->items->len; j++)
        {
          const IpastatQueryItem *it = g_ptr_array_index (t->sel->items, j);
          IpastatConfEntity *e = g_ptr_array_index (t->entities, j);

          if (e == NULL)
            continue; /* reported */
          if (it->kind == IPASTAT_ITEM_LIMIT)
            ipastat_query_limit (run, pass, t, e);
          else
            ipastat_query_threshold (run, pass, t, e);
        }
    }
}

static IpastatKnown
in_list (IpastatRun *run, gboolean ok, GArray *list, const GError *error,
         const char *name)
{
  if (!ok)
    {
      ipastat_run_fail_error (run, error);
      return IPASTAT_KNOWN_FAILED;
    }
  for (guint i = 0; i < list->len; i++)
    if (strcmp (g_array_index (list, IpastatDesc, i).name, name) == 0)
      return IPASTAT_KNOWN_YES;
  return IPASTAT_KNOWN_NO;
}

IpastatKnown
ipastat_query_rule_known (IpastatRun *run, IpastatPass *pass, IpaModule *m,
                          const IpastatConfRule *rule)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) list = NULL;
  g_autofree char *pat = NULL;
  gboolean ok;

  if (m->mod.st->st_get_rules_list == NULL)
    return IPASTAT_KNOWN_YES;
  pat = ipastat_regex_for_name (rule->name);
  ok = ipastat_session_rules_list (pass->session, m, pat, &list, &error);
  return in_list (run, ok, list, error, rule->name);
}

IpastatKnown
ipastat_query_entity_known (IpastatRun *run, IpastatPass *pass, IpaModule *m,
                            const IpastatConfRule *rule,
                            const IpastatConfEntity *e, gboolean is_limit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) list = NULL;
  g_autofree char *pat = NULL;
  gboolean ok;

  if ((is_limit && m->mod.st->st_get_limits_list == NULL) ||
      (!is_limit && m->mod.st->st_get_thresholds_list == NULL))
    return IPASTAT_KNOWN_YES;
  pat = ipastat_regex_for_name (e->name);
  if (is_limit)
    ok = ipastat_session_limits_list (pass->session, m, rule, pat, &list, &error);
  else
    ok = ipastat_session_thresholds_list (pass->session, m, rule, pat, &list, &error);
  return in_list (run, ok, list, error, e->name);
}

char *
ipastat_query_st_list_text (const IpastatOptList *list)
{
  return g_strjoinv (", ", list->names);
}
