/*
 * bench-conf-parse.c: time and peak memory of ipa_conf_load() on a
 * generated ipa.conf of N rules (default 10,000), each with one limit, one
 * threshold and module parameters, against a baseline measured in the same
 * run: only tokenising the same text with the lexer.
 *
 *   bench-conf-parse [N_RULES]
 */
#include "config.h"

#include <glib.h>
#include <malloc.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ipa-conf-lexer.h"
#include "ipa-conf.h"
#include "ipa-module.h"

/* ipa_test_ac keeps at most 256 parameters, so only the first rules carry
 * tac: parameters; the others get a built-in parameter instead. */
#define N_TAC_RULES 120

static char *
generate (guint n_rules)
{
  GString *s = g_string_new ("ac_mod \"ipa_test_ac.so\";\n"
                             "global { ac_list = test; update_time = 1m; }\n");

  for (guint i = 0; i < n_rules; i++)
    {
      g_string_append_printf (s, "rule r%u {\n  info = \"rule ${rule}\";\n", i);
      if (i < N_TAC_RULES)
        g_string_append_printf (s, "  tac:int32 = %u;\n  tac:bytes = 1G 2M;\n", i);
      else
        g_string_append (s, "  debug_limit = 1;\n  append_time = 1h;\n");
      g_string_append_printf (s,
        "  limit l { limit = %uM; restart { restart = +M; }\n"
        "    reach { exec \"echo ${rule} ${limit}\"; } }\n"
        "  threshold t { threshold = %uK; threshold_deviation = 5%%;\n"
        "    above_threshold { exec \"warn ${threshold}\"; } }\n"
        "}\n", i + 1, i + 1);
    }
  return g_string_free (s, FALSE);
}

static long
maxrss_kib (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* Heap bytes in use: what the program holds, unlike peak RSS, which the
 * generation of the text already pushes up. */
static long
heap_in_use_kib (void)
{
  struct mallinfo2 mi = mallinfo2 ();

  return (long) ((mi.uordblks + mi.hblkhd) / 1024);
}

static guint
lex_all (const char *path, const char *data, gsize len)
{
  g_autoptr(IpaConfLexer) lexer = ipa_conf_lexer_new (path, data, len);
  g_autoptr(GError) error = NULL;
  IpaConfToken tok;
  guint n = 0;

  do
    {
      if (!ipa_conf_lexer_next (lexer, IPA_CONF_LEX_EQUALS_TOKEN, &tok, &error))
        g_error ("lexer: %s", error->message);
      n++;
    }
  while (tok.kind != IPA_CONF_TOKEN_EOF);
  return n;
}

int
main (int argc, char **argv)
{
  guint n_rules = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 10000;
  const char *top = g_getenv ("IPA_TEST_TOP_BUILDDIR");
  g_autofree char *moddir = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  IpaModuleSet *modules;
  IpaConf *conf;
  gint64 t0, t_lex, t_load;
  long rss0, rss_lex, rss_load;
  long heap0, heap_lex = 0, heap_load;
  guint n_tokens;
  gsize text_len;
  int fd;

  if (top != NULL)
    {
      moddir = g_build_filename (top, "tests", "modules", NULL);
      g_setenv ("IPA_MODULE_DIR", moddir, TRUE);
    }
  g_unsetenv ("IPA_TEST_TRACE");

  text = generate (n_rules);
  fd = g_file_open_tmp ("bench-ipa-XXXXXX.conf", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  text_len = strlen (text);
  /* Freed now so that its pages do not hide the baseline's peak. */
  g_clear_pointer (&text, g_free);

  /* Baseline first: maxrss only grows, so the smaller run goes first. */
  rss0 = maxrss_kib ();
  heap0 = heap_in_use_kib ();
  t0 = g_get_monotonic_time ();
  {
    g_autofree char *data = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (path, &data, &len, NULL));
    n_tokens = lex_all (path, data, len);
    /* The lexer's working set is the text it scans. */
    heap_lex = heap_in_use_kib () - heap0;
  }
  t_lex = g_get_monotonic_time () - t0;
  rss_lex = maxrss_kib () - rss0;

  rss0 = maxrss_kib ();
  heap0 = heap_in_use_kib ();
  t0 = g_get_monotonic_time ();
  modules = ipa_module_set_new ();
  conf = ipa_conf_load (path, modules, IPA_CONF_LOAD_NONE, &error);
  t_load = g_get_monotonic_time () - t0;
  rss_load = maxrss_kib () - rss0;
  heap_load = heap_in_use_kib () - heap0;
  g_assert_no_error (error);
  g_assert_cmpuint (conf->rules->len, ==, n_rules);

  printf ("# %u rules, %zu bytes, %u tokens\n", n_rules, text_len, n_tokens);
  printf ("lexer only:     %8.1f ms  peak RSS +%ld KiB\n", t_lex / 1000.0, rss_lex);
  printf ("ipa_conf_load:  %8.1f ms  peak RSS +%ld KiB\n", t_load / 1000.0, rss_load);
  printf ("heap held: lexer (the text) %ld KiB, loaded configuration %ld KiB (%.0f bytes per rule)\n",
          heap_lex, heap_load, heap_load * 1024.0 / n_rules);
  printf ("ratio load/lex: %8.1f x time, %.1f x heap\n",
          (double) t_load / (double) MAX (t_lex, 1),
          (double) heap_load / (double) MAX (heap_lex, 1));

  ipa_conf_modules_deinit_chain (conf);
  ipa_conf_free (conf);
  ipa_module_set_free (modules);
  g_unlink (path);
  return 0;
}
