/*
 * ipastat-query-limits.c: the history or current state of a limit and the
 * current state of a threshold, one block per statistics system that
 * knows the rule and the limit (threshold).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipastat-query-exec.h"

/* The systems of @e that know it; each is added to @out.  Reports an
 * unknown entity when none does (and none failed). */
static GPtrArray *
knowing_systems (IpastatRun *run, IpastatPass *pass, IpastatConfRule *rule,
                 IpastatConfEntity *e, gboolean is_limit)
{
  g_autoptr(GPtrArray) systems = ipastat_conf_list_modules (pass->conf, &e->eff.st_list);
  GPtrArray *out = g_ptr_array_new ();
  gboolean failed = FALSE;

  for (guint k = 0; k < systems->len; k++)
    {
      IpaModule *m = g_ptr_array_index (systems, k);
      IpastatKnown known = ipastat_query_rule_known (run, pass, m, rule);

      if (known == IPASTAT_KNOWN_YES)
        known = ipastat_query_entity_known (run, pass, m, rule, e, is_limit);
      if (known == IPASTAT_KNOWN_YES)
        g_ptr_array_add (out, m);
      failed |= known == IPASTAT_KNOWN_FAILED;
    }
  if (out->len == 0 && !failed)
    {
      g_autofree char *systems_text = ipastat_query_st_list_text (&e->eff.st_list);
      g_autofree char *msg =
        g_strdup_printf (is_limit
                         ? _("unknown limit \"%s\" of rule \"%s\": no statistics system has it (st_list: %s)")
                         : _("unknown threshold \"%s\" of rule \"%s\": no statistics system has it (st_list: %s)"),
                         e->name, rule->name, systems_text);

      ipastat_run_fail (run, IPASTAT_EXIT_UNKNOWN, msg);
    }
  return out;
}

static IpastatBlock *
entity_block (IpastatRun *run, IpastatPass *pass, IpaModule *m,
              IpastatConfRule *rule, IpastatConfEntity *e, gboolean is_limit)
{
  g_autoptr(GError) error = NULL;
  IpastatBlock *b = ipastat_block_new (is_limit ? IPASTAT_BLOCK_LIMIT
                                                : IPASTAT_BLOCK_THRESHOLD,
                                       m->name, rule->name);

  b->name = g_strdup (e->name);
  b->units = run->query->has_units ? run->query->units : e->eff.value_units.v;
  if (!ipastat_session_rule_info (pass->session, m, rule, &b->rule_info, &error) ||
      !ipastat_session_entity_info (pass->session, m, rule, e, is_limit,
                                    &b->info, &error))
    {
      ipastat_run_fail_error (run, error);
      ipastat_block_free (b);
      return NULL;
    }
  return b;
}

void
ipastat_query_limit (IpastatRun *run, IpastatPass *pass, IpastatTarget *target,
                     IpastatConfEntity *limit)
{
  IpastatConfRule *rule = target->rule;
  g_autoptr(GPtrArray) systems = knowing_systems (run, pass, rule, limit, TRUE);
  gboolean current = run->query->current || run->query->interval == NULL;

  for (guint k = 0; k < systems->len; k++)
    {
      IpaModule *m = g_ptr_array_index (systems, k);
      g_autoptr(GError) error = NULL;
      IpastatBlock *b = entity_block (run, pass, m, rule, limit, TRUE);
      struct ipa_limit_state live_state;

      if (b == NULL)
        continue;
      b->current = current;
      b->interval = run->interval;
      memset (&live_state, 0, sizeof live_state);
      if (current && run->live != NULL && run->live->limit_state != NULL &&
          run->live->limit_state (run->live, rule->name, limit->name, &live_state))
        {
          b->from_daemon = TRUE;
          b->states = g_array_new (FALSE, FALSE, sizeof (struct ipa_limit_state));
          g_array_append_val (b->states, live_state);
        }
      else if (!ipastat_session_limit_stat (pass->session, m, rule, limit,
                                            current ? NULL : &run->interval,
                                            &b->states, &error))
        {
          ipastat_run_fail_error (run, error);
          ipastat_block_free (b);
          continue;
        }
      g_ptr_array_add (run->result->blocks, b);
    }
}

void
ipastat_query_threshold (IpastatRun *run, IpastatPass *pass,
                         IpastatTarget *target, IpastatConfEntity *threshold)
{
  IpastatConfRule *rule = target->rule;
  g_autoptr(GPtrArray) systems = knowing_systems (run, pass, rule, threshold, FALSE);

  for (guint k = 0; k < systems->len; k++)
    {
      IpaModule *m = g_ptr_array_index (systems, k);
      g_autoptr(GError) error = NULL;
      IpastatBlock *b = entity_block (run, pass, m, rule, threshold, FALSE);

      if (b == NULL)
        continue;
      if (run->live != NULL && run->live->threshold_state != NULL &&
          run->live->threshold_state (run->live, rule->name, threshold->name,
                                      &b->state))
        {
          b->from_daemon = TRUE;
          b->has_state = TRUE;
        }
      else if (!ipastat_session_threshold_stat (pass->session, m, rule, threshold,
                                                &b->has_state, &b->state, &error))
        {
          ipastat_run_fail_error (run, error);
          ipastat_block_free (b);
          continue;
        }
      g_ptr_array_add (run->result->blocks, b);
    }
}
