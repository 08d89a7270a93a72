/*
 * bench-engine.c: one update round with N static rules, each with one
 * limit and one threshold, fed by ipa_atest into the null database, for N
 * = 10, 1,000, 10,000, 100,000 (or the sizes given as arguments).
 *
 * Reported per size: CPU time of a round and per rule, against the
 * baseline of the same run (calling the module's ac_get_rule_stat for
 * every rule directly, which is the least any host must do), and the
 * resident memory the engine holds per rule (RSS after start minus RSS
 * before loading the configuration, after malloc_trim).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ipa-conf.h"
#include "ipa-engine.h"
#include "ipa-log.h"

#define ROUNDS 10

static double
cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long
rss_kib (void)
{
  long pages = 0, rss = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL)
    return 0;
  if (fscanf (f, "%ld %ld", &pages, &rss) != 2)
    rss = 0;
  fclose (f);
  return rss * (sysconf (_SC_PAGESIZE) / 1024);
}

static char *
make_conf (guint n)
{
  GString *s = g_string_new ("ac_mod \"ipa_atest.so\";\n"
                             "global { ac_list = atest; db_list = null; update_time = 1m; }\n");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s,
                            "rule r%u { atest:chunk = 1500;\n"
                            "  limit l { limit = 1T; restart { restart = +M; } }\n"
                            "  threshold t { threshold = 1G; threshold_time_width = 10m;\n"
                            "    threshold_time_slice = 1m; } }\n", i);
  return g_string_free (s, FALSE);
}

static void
bench (guint n)
{
  g_autofree char *text = make_conf (n);
  g_autofree char *path = g_strdup_printf ("%s/ipa-bench-%d.conf", g_get_tmp_dir (), getpid ());
  g_autoptr(GError) error = NULL;
  IpaModuleSet *modules;
  IpaConf *conf;
  IpaClock *clock;
  IpaEngine *engine;
  IpaModule *m;
  long rss0, rss1;
  size_t heap0, heap1;
  double t0, engine_cpu, raw_cpu;
  guint gen = 1;

  g_file_set_contents (path, text, -1, NULL);
  g_clear_pointer (&text, g_free);
  malloc_trim (0);
  rss0 = rss_kib ();
  heap0 = mallinfo2 ().uordblks;

  modules = ipa_module_set_new ();
  conf = ipa_conf_load (path, modules, IPA_CONF_LOAD_NONE, &error);
  g_assert_no_error (error);
  clock = ipa_clock_new_virtual (1715000000);
  engine = ipa_engine_new (clock, NULL);
  if (!ipa_engine_start (engine, conf, modules, NULL, IPA_ENGINE_START_NONE, &error))
    g_error ("%s", error->message);
  ipa_engine_dispatch (engine); /* the first round: baselines */
  malloc_trim (0);
  rss1 = rss_kib ();
  heap1 = mallinfo2 ().uordblks;

  t0 = cpu_now ();
  for (int i = 0; i < ROUNDS; i++)
    {
      ipa_clock_advance (clock, 60 * G_USEC_PER_SEC);
      ipa_engine_dispatch (engine);
    }
  engine_cpu = (cpu_now () - t0) / ROUNDS;

  /* Baseline: the module's own cost, called straight. */
  m = ipa_module_set_lookup (modules, IPA_MODULE_KIND_AC, "atest");
  t0 = cpu_now ();
  for (int i = 0; i < ROUNDS; i++)
    {
      ++gen;
      for (guint r = 0; r < n; r++)
        {
          int add;
          uint64_t chunk;

          m->mod.ac->ac_get_rule_stat (gen, 0, r, &add, &chunk);
        }
    }
  raw_cpu = (cpu_now () - t0) / ROUNDS;

  printf ("%7u rules: round %8.3f ms CPU (%6.1f ns/rule), raw module calls %8.3f ms "
          "(ratio %5.1fx); RSS %7ld KiB held, %6.0f B/rule; heap in use %6.0f B/rule\n",
          n, engine_cpu * 1e3, engine_cpu * 1e9 / n, raw_cpu * 1e3,
          raw_cpu > 0 ? engine_cpu / raw_cpu : 0.0, rss1 - rss0,
          (rss1 - rss0) * 1024.0 / n, ((double) heap1 - (double) heap0) / n);
  fflush (stdout);

  ipa_engine_stop (engine, IPA_ENGINE_STOP_NONE);
  ipa_engine_free (engine);
  ipa_clock_unref (clock);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  guint sizes[] = { 10, 1000, 10000, 100000 };

  ipa_log_init ("ipa-bench", IPA_LOG_TARGET_STDERR);
  ipa_log_set_max_priority (LOG_WARNING);
  if (argc > 1)
    {
      for (int i = 1; i < argc; i++)
        bench ((guint) strtoul (argv[i], NULL, 10));
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    bench (sizes[i]);
  return 0;
}
