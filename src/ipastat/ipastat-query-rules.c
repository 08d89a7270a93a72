/*
 * ipastat-query-rules.c: statistics of a rule over the interval, one block
 * per statistics system that knows the rule.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "ipastat-query-exec.h"

/* A record's first timestamp, for sorting. */
static int
record_compare (gconstpointer a, gconstpointer b)
{
  const struct ipa_rule_stat *x = a, *y = b;
  guint64 kx = ((guint64) x->year << 40) | ((guint64) x->mon << 32) |
               ((guint64) x->mday << 24) | ((guint64) x->h1 << 16) |
               ((guint64) x->m1 << 8) | x->s1;
  guint64 ky = ((guint64) y->year << 40) | ((guint64) y->mon << 32) |
               ((guint64) y->mday << 24) | ((guint64) y->h1 << 16) |
               ((guint64) y->m1 << 8) | y->s1;

  return kx < ky ? -1 : kx > ky;
}

void
ipastat_query_rule_stat (IpastatRun *run, IpastatPass *pass,
                         IpastatTarget *target)
{
  IpastatConfRule *rule = target->rule;
  g_autoptr(GPtrArray) systems = ipastat_conf_list_modules (pass->conf, &rule->eff.st_list);
  gboolean known = FALSE, failed = FALSE;

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
      b = ipastat_block_new (IPASTAT_BLOCK_RULE_STAT, m->name, rule->name);
      b->units = run->query->has_units ? run->query->units : rule->eff.value_units.v;
      b->interval = run->interval;
      b->exact = run->query->exact;
      if (!ipastat_session_rule_info (pass->session, m, rule, &b->rule_info, &error) ||
          !ipastat_session_rule_stat (pass->session, m, rule, &run->interval,
                                      run->query->exact, &b->records, &error))
        {
          ipastat_run_fail_error (run, error);
          ipastat_block_free (b);
          continue;
        }
      /* ipa_mod(3) asks for ascending order; keep the output so
       * whatever a module does. */
      if (b->records->len > 1)
        qsort (b->records->data, b->records->len, sizeof (struct ipa_rule_stat),
               record_compare);
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
