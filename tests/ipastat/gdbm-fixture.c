/*
 * gdbm-fixture.c: write the statistics of stfix-data.h into a GDBM
 * database through ipa_db_gdbm, as ipa would, so that ipastat can read
 * them back through ipa_st_gdbm (test-ipastat-cli.sh).
 *
 *   gdbm-fixture DIR
 *
 * The database module is configured from ipa.conf text (the daemon's own
 * parser) and called in the order of ipa_mod(3) §14.1: db_pre_init,
 * db_init_statrule / _statlimit / _statthreshold in rule order, db_init;
 * then one batch (ipa_mod_ext.h) per write, as the daemon's rounds are;
 * then the deinit chain.  Exit status 0 on success.
 */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "ipa-conf.h"
#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "ipa-module.h"
#include "ipastat-interval.h"
#include "stfix-data.h"

static struct ipa_db_mod *db;
static const struct ipa_db_mod_ext *ext;
static IpaConf *conf;

static void
check (int rc, const char *what)
{
  if (rc != 0)
    {
      fprintf (stderr, "gdbm-fixture: %s failed\n", what);
      exit (1);
    }
}

static ipa_tm
make_tm (unsigned int y, unsigned int mo, unsigned int d, unsigned int h,
         unsigned int mi, unsigned int s)
{
  ipa_tm tm = { 0 };

  tm.tm_year = (int) y;
  tm.tm_mon = (int) mo;
  tm.tm_mday = (int) d;
  tm.tm_hour = (int) h;
  tm.tm_min = (int) mi;
  tm.tm_sec = (int) s;
  ipastat_tm_complete (&tm);
  return tm;
}

static void
batch_begin (const ipa_tm *ctm)
{
  ipa_memfunc_set_owner ("db:gdbm");
  check (ext->db_begin_batch (ctm), "db_begin_batch");
}

static void
batch_end (void)
{
  check (ext->db_end_batch (), "db_end_batch");
  ipa_memfunc_set_owner (NULL);
}

static const IpaConfRule *
rule (const char *name)
{
  const IpaConfRule *r = ipa_conf_find_rule (conf, name);

  if (r == NULL)
    {
      fprintf (stderr, "gdbm-fixture: no rule %s\n", name);
      exit (1);
    }
  return r;
}

static const char *
info_of (const IpaConfOptStr *o)
{
  return o->set ? o->s : NULL;
}

static void
init_all (void)
{
  ipa_memfunc_set_owner ("db:gdbm");
  check (db->db_pre_init (), "db_pre_init");
  for (guint i = 0; i < conf->rules->len; i++)
    {
      const IpaConfRule *r = g_ptr_array_index (conf->rules, i);

      check (db->db_init_statrule (r->no, r->name, info_of (&r->info)), "db_init_statrule");
      for (guint j = 0; j < r->limits->len; j++)
        {
          const IpaConfLimit *l = g_ptr_array_index (r->limits, j);

          check (db->db_init_statlimit (r->no, r->name, info_of (&r->info), l->no,
                                        l->name, info_of (&l->info)), "db_init_statlimit");
        }
      for (guint j = 0; j < r->thresholds->len; j++)
        {
          const IpaConfThreshold *t = g_ptr_array_index (r->thresholds, j);

          check (db->db_init_statthreshold (r->no, r->name, info_of (&r->info), t->no,
                                            t->name, info_of (&t->info)), "db_init_statthreshold");
        }
    }
  check (db->db_init (), "db_init");
  ipa_memfunc_set_owner (NULL);
}

/* Each record: appended at its first time, updated at its second. */
static void
write_records (void)
{
  for (unsigned int i = 0; i < STFIX_ALL_RULES; i++)
    {
      const IpaConfRule *r = rule (rules[i].name);

      for (unsigned int k = 0; k < rules[i].nrecs; k++)
        {
          const Rec *rec = &rules[i].recs[k];
          ipa_tm t1 = make_tm (rec->year, rec->mon, rec->mday, rec->h1, rec->m1, rec->s1);
          ipa_tm t2 = make_tm (rec->year, rec->mon, rec->mday, rec->h2, rec->m2, rec->s2);
          uint64_t zero = 0;

          batch_begin (&t1);
          check (db->db_append_rule (r->no, &zero, &t1), "db_append_rule");
          batch_end ();
          batch_begin (&t2);
          check (db->db_update_rule (r->no, &rec->cnt, &t2), "db_update_rule");
          batch_end ();
        }
    }
}

static ipa_tm
date_tm (const Date *d)
{
  return make_tm ((unsigned int) d->year, (unsigned int) d->mon, (unsigned int) d->mday,
                  (unsigned int) d->hour, (unsigned int) d->min, (unsigned int) d->sec);
}

/* Every life of a limit is a new state, written when it was last updated. */
static void
write_limits (void)
{
  for (unsigned int i = 0; i < STFIX_N_LIMITS; i++)
    {
      const IpaConfRule *r = rule (limits[i].rule);
      const IpaConfLimit *l = ipa_conf_rule_find_limit (r, limits[i].name);

      for (unsigned int k = 0; k < limits[i].nlives; k++)
        {
          const Life *life = &limits[i].lives[k];
          struct ipa_limit_state st;
          ipa_tm ctm = date_tm (&life->ev[IPA_LIMIT_EVENT_UPDATED]);

          memset (&st, 0, sizeof st);
          st.lim = life->lim;
          st.cnt = life->cnt;
          for (int e = 0; e < IPA_LIMIT_EVENT_NUM; e++)
            if (life->ev[e].year != 0)
              {
                st.event_date_set |= 1U << e;
                st.event_date[e] = date_tm (&life->ev[e]);
              }
          batch_begin (&ctm);
          check (db->db_set_limit_state (r->no, l->no, &st, 1), "db_set_limit_state");
          batch_end ();
        }
    }
}

static void
write_thresholds (void)
{
  for (unsigned int i = 0; i < STFIX_N_THRESHOLDS; i++)
    {
      const IpaConfRule *r = rule (thresholds[i].rule);
      const IpaConfThreshold *t = ipa_conf_rule_find_threshold (r, thresholds[i].name);
      struct ipa_threshold_state st;
      ipa_tm ctm;

      if (!thresholds[i].has_state)
        continue;
      memset (&st, 0, sizeof st);
      st.thr = thresholds[i].thr;
      st.cnt = thresholds[i].cnt;
      st.tm_from = date_tm (&thresholds[i].from);
      st.tm_updated = date_tm (&thresholds[i].updated);
      ctm = st.tm_updated;
      batch_begin (&ctm);
      check (db->db_set_threshold_state (r->no, t->no, &st), "db_set_threshold_state");
      batch_end ();
    }
}

static void
report_leak (const char *message, gpointer user_data)
{
  fprintf (stderr, "gdbm-fixture: leak: %s\n", message);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  IpaModuleSet *modules;
  IpaModule *m;

  if (argc != 2)
    {
      fprintf (stderr, "usage: gdbm-fixture DIR\n");
      return 2;
    }
  ipa_log_init ("gdbm-fixture", IPA_LOG_TARGET_STDERR);
  /* The rules of stfix-data.h, with their descriptions, limits and
   * thresholds; limit and threshold values do not matter here. */
  g_string_append_printf (text,
    "db_mod \"ipa_db_gdbm.so\";\n"
    "global { db_list = gdbm; gdbm:db_dir = \"%s\"; }\n", argv[1]);
  for (unsigned int i = 0; i < STFIX_ALL_RULES; i++)
    {
      g_string_append_printf (text, "rule %s {\n", rules[i].name);
      if (rules[i].info != NULL)
        g_string_append_printf (text, "  info = \"%s\";\n", rules[i].info);
      for (unsigned int k = 0; k < STFIX_N_LIMITS; k++)
        if (strcmp (limits[k].rule, rules[i].name) == 0)
          {
            g_string_append_printf (text, "  limit %s { limit = 1G;", limits[k].name);
            if (limits[k].info != NULL)
              g_string_append_printf (text, " info = \"%s\";", limits[k].info);
            g_string_append (text, " }\n");
          }
      for (unsigned int k = 0; k < STFIX_N_THRESHOLDS; k++)
        if (strcmp (thresholds[k].rule, rules[i].name) == 0)
          {
            g_string_append_printf (text, "  threshold %s { threshold = 1M;", thresholds[k].name);
            if (thresholds[k].info != NULL)
              g_string_append_printf (text, " info = \"%s\";", thresholds[k].info);
            g_string_append (text, " }\n");
          }
      g_string_append (text, "}\n");
    }

  modules = ipa_module_set_new ();
  conf = ipa_conf_load_data ("fixture.conf", text->str, modules, IPA_CONF_LOAD_NONE, &error);
  if (conf == NULL)
    {
      fprintf (stderr, "gdbm-fixture: %s\n", error->message);
      ipa_module_set_free (modules);
      return 1;
    }
  m = ipa_module_set_lookup (modules, IPA_MODULE_KIND_DB, "gdbm");
  if (m == NULL || m->db_ext == NULL)
    {
      fprintf (stderr, "gdbm-fixture: ipa_db_gdbm.so has no batch extension\n");
      return 1;
    }
  db = m->mod.db;
  ext = m->db_ext;
  init_all ();
  write_records ();
  write_limits ();
  write_thresholds ();
  ipa_conf_modules_deinit_chain (conf);
  ipa_conf_free (conf);
  ipa_module_set_free (modules);
  return ipa_memfunc_check_leaks (NULL, report_leak, NULL) > 0 ? 1 : 0;
}
