/*
 * test-ipa-conf-roundtrip.c: what ipa -tt prints is configuration that
 * reads back to the same configuration:
 * show (load (show (load (x)))) == show (load (x)), for every shipped
 * example, the bundled ipa.conf and a large generated file.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "ipa-conf-show.h"
#include "ipa-conf.h"
#include "ipa-memfunc.h"
#include "ipa-module.h"

/* Load (file or text) with -tt semantics and print. */
static char *
load_show (const char *path, const char *text, GError **error)
{
  IpaModuleSet *modules = ipa_module_set_new ();
  IpaConf *conf;
  char *out = NULL;

  conf = text != NULL
    ? ipa_conf_load_data (path, text, modules, IPA_CONF_LOAD_MIMIC, error)
    : ipa_conf_load (path, modules, IPA_CONF_LOAD_MIMIC, error);
  if (conf != NULL)
    {
      out = ipa_conf_show (conf);
      ipa_conf_modules_deinit_chain (conf);
      ipa_conf_free (conf);
    }
  ipa_module_set_free (modules);
  return out;
}

static void
check_roundtrip (const char *path, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = load_show (path, text, &error);
  g_autofree char *second = NULL;

  g_assert_no_error (error);
  second = load_show ("printed.conf", first, &error);
  if (error != NULL)
    g_test_message ("printed text:\n%s", first);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, second);
}

static void
test_file (gconstpointer data)
{
  check_roundtrip (data, NULL);
}

static char *
generate_large (guint n_rules)
{
  GString *s = g_string_new ("ac_mod \"ipa_test_ac.so\";\n"
                             "global { ac_list = test; update_time = 1m; }\n"
                             "rulepat \"^r[0-9]*5$\" { check_next_rulepat = yes;"
                             " limit pat { limit = 1G; restart { restart = +D; } } }\n"
                             "rulepat \"^r1\" { append_time = 30m; }\n");

  for (guint i = 0; i < n_rules; i++)
    g_string_append_printf (s,
      "rule r%u {\n"
      "  info = \"rule %u of ${rule}\";\n"
      "  %s = %u;\n"
      "  limit l { limit = %uM; restart { restart = +M; }\n"
      "    reach { exec \"echo ${rule} ${limit}\"; } }\n"
      "  threshold t { threshold = %uK; threshold_deviation = 5%%;\n"
      "    above_threshold { exec root \"warn ${threshold}\"; } }\n"
      "}\n", i, i,
      /* ipa_test_ac keeps at most 256 parameters */
      i < 200 ? "tac:int32" : "debug_limit", i, i + 1, i + 1);
  return g_string_free (s, FALSE);
}

static void
test_large (void)
{
  g_autofree char *text = generate_large (2000);

  check_roundtrip ("large.conf", text);
}

int
main (int argc, char **argv)
{
  const char *top = g_getenv ("IPA_TEST_TOP_BUILDDIR");
  const char *src = g_getenv ("IPA_TEST_TOP_SRCDIR");
  g_autofree char *moddir = NULL;
  g_autofree char *exdir = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  int rc;

  g_test_init (&argc, &argv, NULL);
  if (top != NULL)
    {
      g_autofree char *shipped = g_build_filename (top, "modules", NULL);
      g_autofree char *test_mods = g_build_filename (top, "tests", "modules", NULL);

      /* data/ipa.conf loads shipped modules; the examples, test modules. */
      moddir = g_strconcat (shipped, ":", test_mods, NULL);
      g_setenv ("IPA_MODULE_DIR", moddir, TRUE);
    }
  g_assert_nonnull (src);
  g_ptr_array_add (files, g_build_filename (src, "data", "ipa.conf", NULL));
  exdir = g_build_filename (src, "data", "examples", NULL);
  dir = g_dir_open (exdir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".conf"))
      g_ptr_array_add (files, g_build_filename (exdir, name, NULL));
  g_assert_cmpuint (files->len, >=, 7);
  for (guint i = 0; i < files->len; i++)
    {
      const char *f = g_ptr_array_index (files, i);
      g_autofree char *base = g_path_get_basename (f);
      g_autofree char *tpath = g_strdup_printf ("/ipa-conf-roundtrip/%s%s",
                                                strstr (f, "examples") ? "examples/" : "",
                                                base);

      g_test_add_data_func (tpath, f, test_file);
    }
  g_test_add_func ("/ipa-conf-roundtrip/large", test_large);
  rc = g_test_run ();
  g_assert_cmpuint (ipa_memfunc_check_leaks (NULL, NULL, NULL), ==, 0);
  return rc;
}
