/*
 * ipastat-query-lists.c: lists of rules, and of the limits and thresholds
 * of rules (list mode, -a).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipastat-query-exec.h"

void
ipastat_query_rules_list (IpastatRun *run, IpastatPass *pass)
{
  g_autoptr(GPtrArray) systems = ipastat_run_list_systems (run, pass);

  for (guint k = 0; k < systems->len; k++)
    {
      IpaModule *m = g_ptr_array_index (systems, k);
      g_autoptr(GError) error = NULL;
      IpastatBlock *b = ipastat_block_new (IPASTAT_BLOCK_RULES_LIST, m->name, NULL);

      if (!ipastat_session_rules_list (pass->session, m, NULL, &b->rules, &error))
        {
          ipastat_run_fail_error (run, error);
          ipastat_block_free (b);
          continue;
        }
      g_ptr_array_add (run->result->blocks, b);
    }
}

static void
append_unique (GArray *dst, GArray *src)
{
  for (guint i = 0; i < src->len; i++)
    {
      IpastatDesc *d = &g_array_index (src, IpastatDesc, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < dst->len && !seen; j++)
        seen = strcmp (g_array_index (dst, IpastatDesc, j).name, d->name) == 0;
      if (!seen)
        {
          IpastatDesc c = { g_strdup (d->name), g_strdup (d->info) };

          g_array_append_val (dst, c);
        }
    }
}

/* The limits (@is_limit) or thresholds of @rule matching the -l (-t)
 * filters of the selection, or all of them when @all.  NULL on error
 * (reported). */
static GArray *
filtered_list (IpastatRun *run, IpastatPass *pass, IpaModule *m,
               IpastatTarget *t, gboolean is_limit, gboolean all)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (IpastatDesc));

  g_array_set_clear_func (out, ipastat_desc_clear);
  for (guint i = 0; i < t->sel->items->len || (all && i == 0); i++)
    {
      const IpastatQueryItem *it = all ? NULL : g_ptr_array_index (t->sel->items, i);
      g_autofree char *pat = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) list = NULL;
      gboolean ok;

      if (it != NULL && (it->kind == IPASTAT_ITEM_LIMIT) != is_limit)
        continue;
      if (it != NULL)
        pat = run->query->regex ? g_strdup (it->name)
                                : ipastat_regex_for_name (it->name);
      if (is_limit)
        ok = ipastat_session_limits_list (pass->session, m, t->rule, pat, &list, &error);
      else
        ok = ipastat_session_thresholds_list (pass->session, m, t->rule, pat, &list, &error);
      if (!ok)
        {
          ipastat_run_fail_error (run, error);
          g_array_unref (out);
          return NULL;
        }
      append_unique (out, list);
    }
  return out;
}

void
ipastat_query_rule_entities (IpastatRun *run, IpastatPass *pass,
                             IpastatTarget *t)
{
  IpastatConfRule *rule = t->rule;
  g_autoptr(GPtrArray) systems = ipastat_conf_list_modules (pass->conf, &rule->eff.st_list);
  gboolean want_limits = FALSE, want_thresholds = FALSE;
  gboolean all = t->sel->items->len == 0;
  gboolean known = FALSE, failed = FALSE;

  for (guint i = 0; i < t->sel->items->len; i++)
    {
      const IpastatQueryItem *it = g_ptr_array_index (t->sel->items, i);

      want_limits |= it->kind == IPASTAT_ITEM_LIMIT;
      want_thresholds |= it->kind == IPASTAT_ITEM_THRESHOLD;
    }
  for (guint k = 0; k < systems->len; k++)
    {
      IpaModule *m = g_ptr_array_index (systems, k);
      g_autoptr(GError) error = NULL;
      IpastatBlock *b;

      switch (ipastat_query_rule_known (run, pass, m, rule))
        {
        case IPASTAT_KNOWN_NO:
          continue;
        case IPASTAT_KNOWN_FAILED:
          failed = TRUE;
          continue;
        default:
          known = TRUE;
          break;
        }
      b = ipastat_block_new (IPASTAT_BLOCK_RULE_ENTITIES, m->name, rule->name);
      if (!ipastat_session_rule_info (pass->session, m, rule, &b->rule_info, &error))
        {
          ipastat_run_fail_error (run, error);
          ipastat_block_free (b);
          continue;
        }
      if ((all || want_limits) &&
          (b->limits = filtered_list (run, pass, m, t, TRUE, all)) == NULL)
        {
          ipastat_block_free (b);
          continue;
        }
      if ((all || want_thresholds) &&
          (b->thresholds = filtered_list (run, pass, m, t, FALSE, all)) == NULL)
        {
          ipastat_block_free (b);
          continue;
        }
      g_ptr_array_add (run->result->blocks, b);
    }
  if (!known && !failed)
    {
      g_autofree char *systems_text = ipastat_query_st_list_text (&rule->eff.st_list);
      g_autofree char *msg =
        g_strdup_printf (_("unknown rule \"%s\": no statistics system has it (st_list: %s)"),
                         rule->name, systems_text);

      ipastat_run_fail (run, IPASTAT_EXIT_UNKNOWN, msg);
    }
}
