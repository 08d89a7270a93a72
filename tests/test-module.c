/*
 * test-module.c: the module loader (ipa-module) and the suppfunc table,
 * with the modules of tests/modules/.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <regex.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ipa-conf-parser.h"
#include "ipa-conf-printer.h"
#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "ipa-module.h"
#include "ipa-suppfunc.h"

static char *module_dir;

/* Captured log records */

typedef struct {
  int priority;
  char *module;
  char **fields;
  char *message;
} Record;

static GPtrArray *records;

static void
record_free (gpointer p)
{
  Record *r = p;

  g_free (r->module);
  g_strfreev (r->fields);
  g_free (r->message);
  g_free (r);
}

static void
capture (const IpaLogRecord *record, gpointer user_data)
{
  Record *r = g_new0 (Record, 1);

  r->priority = record->priority;
  r->module = g_strdup (record->module);
  r->fields = g_strdupv ((char **) record->fields);
  r->message = g_strdup (record->message);
  g_ptr_array_add (records, r);
}

static void
capture_start (void)
{
  g_clear_pointer (&records, g_ptr_array_unref);
  records = g_ptr_array_new_with_free_func (record_free);
  ipa_log_set_handler (capture, NULL);
}

static void
capture_stop (void)
{
  ipa_log_set_handler (NULL, NULL);
}

/* The first captured record whose message contains @needle. */
static Record *
find_record (const char *needle)
{
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      Record *r = records->pdata[i];

      if (strstr (r->message, needle) != NULL)
        return r;
    }
  return NULL;
}

/* Helpers */

static char *
module_path (const char *file)
{
  return g_build_filename (module_dir, file, NULL);
}

static IpaModule *
load_ok (IpaModuleSet *set, IpaModuleKind kind, const char *name)
{
  g_autoptr(GError) error = NULL;
  IpaModule *m = ipa_module_set_load (set, kind, name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

/* Loading fails with @code; the message starts with the path and
 * contains @needle. */
static void
load_fails (IpaModuleSet *set, IpaModuleKind kind, const char *name,
            IpaModuleErrorCode code, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_path_is_absolute (name) ? g_strdup (name) : module_path (name);
  guint n = ipa_module_set_get_n_modules (set);
  IpaModule *m = ipa_module_set_load (set, kind, name, &error);

  g_assert_null (m);
  g_assert_error (error, IPA_MODULE_ERROR, (gint) code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, needle));
  g_assert_cmpuint (ipa_module_set_get_n_modules (set), ==, n);
}

/* A function exported by a loaded test module. */
static gpointer
module_symbol (IpaModule *m, const char *name)
{
  void *handle = dlopen (m->path, RTLD_NOW | RTLD_NOLOAD);
  void *sym;

  g_assert_nonnull (handle);
  sym = dlsym (handle, name);
  dlclose (handle);
  g_assert_nonnull (sym);
  return sym;
}

static const char *
module_trace (IpaModule *m, const char *func)
{
  const char *(*trace) (void) = (const char *(*) (void)) module_symbol (m, func);

  return trace ();
}

/* Names */

static void
test_base_name (void)
{
  struct {
    const char *file;
    const char *base;
  } cases[] = {
    { "foo.so", "foo" },
    { "foo-1.2.3.so", "foo" },
    { "foo.so.1", "foo" },
    { "foo.so.1.2", "foo" },
    { "foo-2.so.1", "foo" },
    { "/usr/lib/ipa/ipa_db_gdbm-1.0.so", "ipa_db_gdbm" },
    { "foobar-10.so", "foobar" },
    { "foo", "foo" },
    { "foo-12", "foo" },
    { "foo-bar.so", "foo-bar" },
    { "foo-1a.so", "foo-1a" },
    { "foo-.so", "foo-" },
    { "foo-bar-1.so", "foo-bar" },
    { "ipa_test_ver-1.2.3.so", "ipa_test_ver" },
    { "dir.d/foo.so", "foo" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *base = ipa_module_base_name (cases[i].file);

      g_assert_cmpstr (base, ==, cases[i].base);
    }
}

static void
test_symbol_name (void)
{
  g_autofree char *ac = ipa_module_symbol_name ("foobar-1.2.so", IPA_MODULE_KIND_AC);
  g_autofree char *db = ipa_module_symbol_name ("foobar-1.2.so", IPA_MODULE_KIND_DB);
  g_autofree char *st = ipa_module_symbol_name ("foobar.so.3", IPA_MODULE_KIND_ST);

  g_assert_cmpstr (ac, ==, "foobar_ac_mod");
  g_assert_cmpstr (db, ==, "foobar_db_mod");
  g_assert_cmpstr (st, ==, "foobar_st_mod");
  g_assert_cmpstr (ipa_module_kind_to_string (IPA_MODULE_KIND_DB), ==, "db");
  g_assert_cmpstr (ipa_module_kind_to_noun (IPA_MODULE_KIND_ST), ==, "statistics");
}

/* Loading */

static void
test_load_ac (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  g_autofree char *path = module_path ("ipa_test_ac.so");
  struct ipa_ac_mod *ac;
  IpaModule *m;
  g_auto(GStrv) lines = NULL;

  m = load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_ac.so");
  ac = m->mod.ac;
  g_assert_cmpint (m->kind, ==, IPA_MODULE_KIND_AC);
  g_assert_cmpstr (m->path, ==, path);
  g_assert_cmpstr (m->file_name, ==, "ipa_test_ac.so");
  g_assert_cmpstr (m->base_name, ==, "ipa_test_ac");
  g_assert_cmpstr (m->symbol, ==, "ipa_test_ac_ac_mod");
  g_assert_true (m->mod.ptr == module_symbol (m, "ipa_test_ac_ac_mod"));
  g_assert_cmpstr (m->name, ==, "test");
  g_assert_true (m->name == ac->ac_name);
  g_assert_cmpstr (m->prefix, ==, "tac");
  g_assert_cmpstr (m->owner, ==, "ac:test");
  g_assert_cmpuint (m->mod_flags, ==, IPA_MOD_FLAG_PTHREAD_SAFE);
  g_assert_true (m->conf_sect_tbl == ac->conf_sect_tbl);
  g_assert_true (m->conf_param_tbl == ac->conf_param_tbl);
  g_assert_true (m->conf_init == ac->conf_init);
  g_assert_true (m->conf_deinit == ac->conf_deinit);
  g_assert_true (m->conf_event == ac->conf_event);
  g_assert_true (m->conf_mimic_real == ac->conf_mimic_real);
  g_assert_true (m->conf_inherit == ac->conf_inherit);
  g_assert_true (m->conf_show == ac->conf_show);
  g_assert_nonnull (m->conf_show);

  /* INV-06: stored before conf_init. */
  g_assert_true (ac->suppfunc == ipa_suppfunc_get ());
  g_assert_true (ac->memfunc == ipa_memfunc_get ());
  g_assert_nonnull (ac->ac_create_rule);
  g_assert_nonnull (ac->ac_delete_rule);

  /* INV-08 and INV-11: conf_init first, with everything in place and the
   * patterns compiled. */
  lines = g_strsplit (module_trace (m, "ipa_test_ac_trace"), "\n", -1);
  g_assert_cmpstr (lines[0], ==,
                   "conf_init suppfunc=1 memfunc=1 create_rule=1 delete_rule=1 words_re=compiled");
  g_assert_cmpstr (lines[1], ==, "");

  g_assert_cmpuint (ipa_module_set_get_n_modules (set), ==, 1);
  g_assert_true (ipa_module_set_get_nth (set, 0) == m);
}

static void
test_load_absolute (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  g_autofree char *path = module_path ("ipa_test_db.so");
  IpaModule *m;

  ipa_module_set_set_module_dir (set, "/nonexistent");
  m = load_ok (set, IPA_MODULE_KIND_DB, path);
  g_assert_cmpstr (m->path, ==, path);
  g_assert_cmpstr (m->name, ==, "test");
  g_assert_cmpstr (m->symbol, ==, "ipa_test_db_db_mod");
  g_assert_true (m->mod.db->suppfunc == ipa_suppfunc_get ());
  g_assert_true (m->mod.db->memfunc == ipa_memfunc_get ());
  g_assert_cmpstr (module_trace (m, "ipa_test_db_trace"), ==, "conf_init suppfunc=1 memfunc=1\n");
}

static void
test_module_dir (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  g_autofree char *elsewhere = g_build_filename ("/nonexistent", "ipa_test_st.so", NULL);
  g_autoptr(GError) error = NULL;

  /* $IPA_MODULE_DIR (set by main()) is the default. */
  g_assert_cmpstr (ipa_module_set_get_module_dir (set), ==, module_dir);
  ipa_module_set_set_module_dir (set, "/nonexistent");
  g_assert_cmpstr (ipa_module_set_get_module_dir (set), ==, "/nonexistent");
  g_assert_null (ipa_module_set_load (set, IPA_MODULE_KIND_ST, "ipa_test_st.so", &error));
  g_assert_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_OPEN);
  g_assert_true (g_str_has_prefix (error->message, elsewhere));

  ipa_module_set_set_module_dir (set, module_dir);
  load_ok (set, IPA_MODULE_KIND_ST, "ipa_test_st.so");
}

static void
test_open_error (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  g_autofree char *tmpdir = g_dir_make_tmp ("test-module-XXXXXX", NULL);
  g_autofree char *junk = g_build_filename (tmpdir, "junk.so", NULL);

  load_fails (set, IPA_MODULE_KIND_AC, "missing.so", IPA_MODULE_ERROR_OPEN,
              "cannot load module: ");
  load_fails (set, IPA_MODULE_KIND_AC, "missing.so", IPA_MODULE_ERROR_OPEN,
              "No such file or directory");

  g_assert_true (g_file_set_contents (junk, "not a shared object\n", -1, NULL));
  load_fails (set, IPA_MODULE_KIND_AC, junk, IPA_MODULE_ERROR_OPEN, "cannot load module: ");
  g_unlink (junk);
  g_rmdir (tmpdir);
}

static void
test_missing_symbol (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();

  load_fails (set, IPA_MODULE_KIND_DB, "ipa_test_ac.so", IPA_MODULE_ERROR_SYMBOL,
              "does not export symbol ipa_test_ac_db_mod");
  load_fails (set, IPA_MODULE_KIND_ST, "ipa_test_db.so", IPA_MODULE_ERROR_SYMBOL,
              "not an IPA statistics module: it does not export symbol ipa_test_db_st_mod");
  /* The failures left nothing behind. */
  load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_ac.so");
}

static void
test_api_version (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();

  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_badver.so", IPA_MODULE_ERROR_API_VERSION,
              ": accounting module API version 1, expected 2");
}

static void
test_nameless (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();

  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_nameless.so", IPA_MODULE_ERROR_INVALID,
              "accounting module has no name (ac_name is NULL)");
}

static void
test_bad_sect_id (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();

  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_badsect.so", IPA_MODULE_ERROR_INVALID,
              "section badsect:sect has sect_id 100, it must be greater than "
              "IPA_CONF_SECT_CUSTOM_OFFSET (100)");
}

static void
test_pattern_without_regexp (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();

  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_noregexp.so", IPA_MODULE_ERROR_INVALID,
              "parameter noregexp:word has arg_pattern but arg_regexp is NULL");
}

static void
test_shared_regexp_rules (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();

  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_tworegexp.so", IPA_MODULE_ERROR_INVALID,
              "parameter tworegexp:word and parameter tworegexp:other both give an "
              "arg_pattern for one arg_regexp");
  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_orphanregexp.so", IPA_MODULE_ERROR_INVALID,
              "parameter orphanregexp:other has an arg_regexp that no arg_pattern compiles");
}

static void
test_bad_regex (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  g_autofree char *needle = NULL;
  char reason[256];
  regex_t re;
  int r;

  /* The message carries regerror()'s text. */
  r = regcomp (&re, "([a-z", REG_EXTENDED);
  g_assert_cmpint (r, !=, 0);
  regerror (r, &re, reason, sizeof reason);
  needle = g_strdup_printf ("cannot compile arg_pattern \"([a-z\" of parameter badre:word: %s",
                            reason);
  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_badre.so", IPA_MODULE_ERROR_REGEX, needle);
}

static void
test_init_fail (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  Record *r;

  capture_start ();
  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_initfail.so", IPA_MODULE_ERROR_INIT,
              "conf_init of accounting module initfail failed");
  capture_stop ();

  /* logconferr outside parsing: no location. */
  r = find_record ("cannot initialise");
  g_assert_nonnull (r);
  g_assert_cmpint (r->priority, ==, LOG_ERR);
  g_assert_cmpstr (r->message, ==, "initfail: cannot initialise: Input/output error");
  g_assert_true (g_strv_contains ((const char *const *) r->fields, "IPA_MODULE=initfail"));

  /* What conf_init left behind was reported (and released) before the
   * file was closed. */
  r = find_record ("marray initfail_marray was not deinitialised");
  g_assert_nonnull (r);
  g_assert_cmpint (r->priority, ==, LOG_WARNING);
  g_assert_cmpstr (r->module, ==, "initfail");
  r = find_record ("mem_type initfail");
  g_assert_nonnull (r);
  g_assert_cmpstr (r->module, ==, "initfail");
  g_assert_true (g_str_has_prefix (r->message, "memory leak: "));

  /* Released: nothing of that owner is left to report. */
  g_assert_cmpuint (ipa_memfunc_check_leaks ("ac:initfail", NULL, NULL), ==, 0);
}

static void
test_threads (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  g_autoptr(IpaModuleSet) threaded = ipa_module_set_new ();
  g_autoptr(GError) error = NULL;
  IpaModule *m;

  /* Single-threaded (the default): every module is accepted. */
  g_assert_false (ipa_module_set_get_threaded (set));
  m = load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_single.so");
  g_assert_cmpuint (m->mod_flags & IPA_MOD_FLAG_PTHREAD_SAFE, ==, 0);
  load_ok (set, IPA_MODULE_KIND_DB, "ipa_test_db.so");
  /* …and it cannot become multi-threaded with that module in it. */
  g_assert_false (ipa_module_set_set_threaded (set, TRUE, &error));
  g_assert_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_THREADS);
  g_assert_nonnull (strstr (error->message, "accounting module single is not thread-safe"));
  g_assert_false (ipa_module_set_get_threaded (set));

  /* Multi-threaded: the flag is mandatory. */
  g_assert_true (ipa_module_set_set_threaded (threaded, TRUE, NULL));
  g_assert_true (ipa_module_set_get_threaded (threaded));
  load_ok (threaded, IPA_MODULE_KIND_AC, "ipa_test_ac.so");
  load_fails (threaded, IPA_MODULE_KIND_AC, "ipa_test_single.so", IPA_MODULE_ERROR_THREADS,
              "IPA_MOD_FLAG_PTHREAD_SAFE is not set");
  load_ok (threaded, IPA_MODULE_KIND_DB, "ipa_test_db.so");
}

static void
test_duplicate_name (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  g_autofree char *ac_path = module_path ("ipa_test_ac.so");
  g_autofree char *needle = g_strdup_printf ("accounting module name \"test\" is already used by %s",
                                             ac_path);

  load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_ac.so");
  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_dupname.so", IPA_MODULE_ERROR_DUPLICATE, needle);
  /* The same file twice is the same name twice. */
  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_ac.so", IPA_MODULE_ERROR_DUPLICATE, needle);
  /* Names are per kind: a database module may be called "test" too. */
  load_ok (set, IPA_MODULE_KIND_DB, "ipa_test_db.so");
  load_ok (set, IPA_MODULE_KIND_ST, "ipa_test_st.so");
}

static void
test_duplicate_prefix (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();

  load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_ac.so");
  load_fails (set, IPA_MODULE_KIND_AC, "ipa_test_dupprefix.so", IPA_MODULE_ERROR_DUPLICATE,
              "configuration prefix \"tac\" is already used by accounting module test");
}

static void
test_multi_kind (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  IpaModule *ac, *db;
  IpaConfModuleTables t;

  ac = load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_multi.so");
  db = load_ok (set, IPA_MODULE_KIND_DB, "ipa_test_multi.so");

  /* INV-02: independent structures, one file. */
  g_assert_true (ac->mod.ptr != db->mod.ptr);
  g_assert_cmpstr (ac->symbol, ==, "ipa_test_multi_ac_mod");
  g_assert_cmpstr (db->symbol, ==, "ipa_test_multi_db_mod");
  g_assert_true (ac->file == db->file);
  g_assert_cmpstr (ac->owner, ==, "ac:multi");
  g_assert_cmpstr (db->owner, ==, "db:multi");
  g_assert_cmpstr (module_trace (ac, "ipa_test_multi_trace"), ==, "ac conf_init\ndb conf_init\n");

  /* The shared prefix and tables are registered once, by the ac module. */
  t = ipa_module_set_conf_tables (set, ac);
  g_assert_cmpstr (t.prefix, ==, "tmulti");
  g_assert_nonnull (t.params);
  t = ipa_module_set_conf_tables (set, db);
  g_assert_cmpstr (t.mod_name, ==, "multi");
  g_assert_null (t.prefix);
  g_assert_null (t.params);
  g_assert_null (t.sects);
  g_assert_true (ipa_module_set_lookup_prefix (set, "tmulti") == ac);

  /* The st module of the file has tables of its own under that prefix. */
  load_fails (set, IPA_MODULE_KIND_ST, "ipa_test_multi.so", IPA_MODULE_ERROR_DUPLICATE,
              "configuration prefix \"tmulti\" is already used by accounting module multi");
}

static void
test_version_strip (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  IpaModule *m;

  m = load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_ver-1.2.3.so");
  g_assert_cmpstr (m->file_name, ==, "ipa_test_ver-1.2.3.so");
  g_assert_cmpstr (m->base_name, ==, "ipa_test_ver");
  g_assert_cmpstr (m->symbol, ==, "ipa_test_ver_ac_mod");
  g_assert_cmpstr (m->name, ==, "ver");
}

static void
test_symlink (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  g_autofree char *tmpdir = g_dir_make_tmp ("test-module-XXXXXX", NULL);
  g_autofree char *target = module_path ("ipa_test_st.so");
  g_autofree char *link = g_build_filename (tmpdir, "ipa_test_alias-2.0.so", NULL);
  IpaModule *alias, *st;

  g_assert_cmpint (symlink (target, link), ==, 0);
  ipa_module_set_set_module_dir (set, tmpdir);

  /* The link's name decides the symbol… */
  alias = load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_alias-2.0.so");
  g_assert_cmpstr (alias->path, ==, link);
  g_assert_cmpstr (alias->symbol, ==, "ipa_test_alias_ac_mod");
  g_assert_cmpstr (alias->name, ==, "alias");
  g_assert_null (alias->prefix);
  /* …even though the file behind it exports ipa_test_st_st_mod. */
  load_fails (set, IPA_MODULE_KIND_ST, link, IPA_MODULE_ERROR_SYMBOL,
              "does not export symbol ipa_test_alias_st_mod");
  /* Under its own name the file is a statistics module, and one file. */
  st = load_ok (set, IPA_MODULE_KIND_ST, target);
  g_assert_cmpstr (st->symbol, ==, "ipa_test_st_st_mod");
  g_assert_true (st->file == alias->file);
  g_assert_cmpstr (module_trace (st, "ipa_test_st_trace"), ==, "alias conf_init\nst conf_init\n");

  ipa_module_set_unload_all (set);
  g_assert_cmpuint (ipa_module_set_get_n_modules (set), ==, 0);
  g_unlink (link);
  g_rmdir (tmpdir);
}

static void
test_lookup (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  IpaModule *ac, *db, *st;
  IpaConfModuleTables t;

  ac = load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_ac.so");
  db = load_ok (set, IPA_MODULE_KIND_DB, "ipa_test_db.so");
  st = load_ok (set, IPA_MODULE_KIND_ST, "ipa_test_st.so");

  g_assert_cmpuint (ipa_module_set_get_n_modules (set), ==, 3);
  g_assert_true (ipa_module_set_get_nth (set, 0) == ac);
  g_assert_true (ipa_module_set_get_nth (set, 1) == db);
  g_assert_true (ipa_module_set_get_nth (set, 2) == st);

  g_assert_true (ipa_module_set_lookup (set, IPA_MODULE_KIND_AC, "test") == ac);
  g_assert_true (ipa_module_set_lookup (set, IPA_MODULE_KIND_DB, "test") == db);
  g_assert_true (ipa_module_set_lookup (set, IPA_MODULE_KIND_ST, "test") == st);
  g_assert_null (ipa_module_set_lookup (set, IPA_MODULE_KIND_AC, "other"));
  g_assert_true (ipa_module_set_lookup_prefix (set, "tac") == ac);
  g_assert_true (ipa_module_set_lookup_prefix (set, "tdb") == db);
  g_assert_true (ipa_module_set_lookup_prefix (set, "tst") == st);
  g_assert_null (ipa_module_set_lookup_prefix (set, "nope"));

  t = ipa_module_set_conf_tables (set, ac);
  g_assert_cmpstr (t.mod_name, ==, "test");
  g_assert_cmpstr (t.prefix, ==, "tac");
  g_assert_true (t.sects == ac->conf_sect_tbl);
  g_assert_true (t.params == ac->conf_param_tbl);
  g_assert_true (t.conf_event == ac->conf_event);
  t = ipa_module_set_conf_tables (set, st);
  g_assert_null (t.sects);
  g_assert_nonnull (t.params);
  g_assert_null (t.conf_event);
}

/* Unloading reports and releases what a module did not free. */
static void
test_unload_leaks (void)
{
  IpaModuleSet *set = ipa_module_set_new ();
  Record *r;

  load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_ac.so");
  load_ok (set, IPA_MODULE_KIND_DB, "ipa_test_db.so");
  /* ipa_test_ac's marray lives until ac_deinit, which nobody calls here. */
  capture_start ();
  ipa_module_set_free (set);
  capture_stop ();
  r = find_record ("marray tac_rules was not deinitialised");
  g_assert_nonnull (r);
  g_assert_cmpint (r->priority, ==, LOG_WARNING);
  g_assert_cmpstr (r->module, ==, "test");
  g_assert_cmpuint (ipa_memfunc_check_leaks ("ac:test", NULL, NULL), ==, 0);
  g_assert_null (find_record ("tdb"));
}

/* ac_create_rule / ac_delete_rule as the module calls them. */

static char *hook_mod_name;
static char *hook_rule_name;

static int
fake_create_rule (const char *mod_name, unsigned int autoruleno, unsigned int *ruleno,
                  const char *rule_name, const char *rule_info)
{
  g_free (hook_mod_name);
  hook_mod_name = g_strdup (mod_name);
  g_free (hook_rule_name);
  hook_rule_name = g_strdup (rule_name);
  *ruleno = 42;
  return 0;
}

static int
fake_delete_rule (const char *mod_name, unsigned int ruleno)
{
  return ruleno == 42 ? 0 : -1;
}

static void
test_ac_hooks (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  int (*create_rule) (const char *);
  int (*delete_rule) (unsigned int);
  IpaModule *m;
  Record *r;

  m = load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_ac.so");
  create_rule = (int (*) (const char *)) module_symbol (m, "ipa_test_ac_create_rule");
  delete_rule = (int (*) (unsigned int)) module_symbol (m, "ipa_test_ac_delete_rule");

  /* No engine yet: an error and -1. */
  capture_start ();
  g_assert_cmpint (create_rule ("dyn1"), ==, -1);
  g_assert_cmpint (delete_rule (1), ==, -1);
  capture_stop ();
  r = find_record ("ac_create_rule: ");
  g_assert_nonnull (r);
  g_assert_cmpint (r->priority, ==, LOG_ERR);
  g_assert_cmpstr (r->module, ==, "test");
  g_assert_nonnull (find_record ("ac_delete_rule: "));

  /* Hooks set after loading take effect. */
  ipa_module_set_ac_hooks (fake_create_rule, fake_delete_rule);
  g_assert_cmpint (create_rule ("dyn1"), ==, 0);
  g_assert_cmpstr (hook_mod_name, ==, "test");
  g_assert_cmpstr (hook_rule_name, ==, "dyn1");
  g_assert_nonnull (strstr (module_trace (m, "ipa_test_ac_trace"), "ac_create_rule dyn1 = 0 ruleno 42\n"));
  g_assert_cmpint (delete_rule (42), ==, 0);
  g_assert_cmpint (delete_rule (7), ==, -1);
  ipa_module_set_ac_hooks (NULL, NULL);
  g_clear_pointer (&hook_mod_name, g_free);
  g_clear_pointer (&hook_rule_name, g_free);
}

/* suppfunc */

static void
test_suppfunc_logmsg (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  void (*logmsg) (int, int, const char *);
  IpaModule *m;
  Record *r;

  m = load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_ac.so");
  logmsg = (void (*) (int, int, const char *)) module_symbol (m, "ipa_test_ac_logmsg");

  capture_start ();
  logmsg (IPA_LOG_INFO, 0, "info %d");
  logmsg (IPA_LOG_WARNING, ENOENT, "gone");
  logmsg (IPA_LOG_ERR, 0, "broken");
  logmsg (77, 0, "odd priority");
  capture_stop ();

  g_assert_cmpuint (records->len, ==, 4);
  r = records->pdata[0];
  g_assert_cmpint (r->priority, ==, LOG_INFO);
  g_assert_cmpstr (r->module, ==, "test");
  /* The module's text is not a format for us. */
  g_assert_cmpstr (r->message, ==, "info %d");
  r = records->pdata[1];
  g_assert_cmpint (r->priority, ==, LOG_WARNING);
  g_assert_cmpstr (r->message, ==, "gone: No such file or directory");
  r = records->pdata[2];
  g_assert_cmpint (r->priority, ==, LOG_ERR);
  g_assert_cmpstr (r->message, ==, "broken");
  r = records->pdata[3];
  g_assert_cmpint (r->priority, ==, LOG_ERR);
}

static void
call_print_param_args (const ipa_suppfunc *sf, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  sf->print_param_args (format, ap);
  va_end (ap);
}

static void
call_logconferr (const ipa_suppfunc *sf, const char *mod_name, int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  sf->logconferr (mod_name, code, format, ap);
  va_end (ap);
}

/* Outside printing and parsing nothing breaks. */
static void
test_suppfunc_no_context (void)
{
  const ipa_suppfunc *sf = ipa_suppfunc_get ();
  uint64_t v = 1024;
  char sym[] = "x", val[] = "y";
  Record *r;

  g_assert_null (ipa_conf_printer_get_current ());
  g_assert_null (ipa_conf_parser_get_current ());
  sf->print_param_name ("tac", "x");
  call_print_param_args (sf, "%d", 1);
  sf->print_bytes (&v);
  sf->print_time (&v);
  sf->print_value (&v, IPA_CONF_TYPE_UINT64);
  sf->print_boolean (1);
  sf->print_string ("s");
  sf->print_space ();
  sf->print_param_end ();
  sf->print_sect_name (NULL, "s");
  sf->print_sect_begin ();
  sf->print_sect_end ();
  g_assert_cmpint (sf->local_sym_add (sym, val, 1), ==, -1);
  g_assert_cmpint (sf->local_sym_del ("x"), ==, -1);
  g_assert_cmpint (sf->global_sym_add (sym, val, 1), ==, -1);
  g_assert_cmpint (sf->global_sym_del ("x"), ==, -1);
  sf->close_log ();
  sf->open_log ();

  capture_start ();
  call_logconferr (sf, "mod", EINVAL, "bad %s", "thing");
  capture_stop ();
  r = find_record ("bad thing");
  g_assert_nonnull (r);
  g_assert_cmpint (r->priority, ==, LOG_ERR);
  g_assert_null (r->module);
  g_assert_cmpstr (r->message, ==, "mod: bad thing: Invalid argument");
  g_assert_true (g_strv_contains ((const char *const *) r->fields, "IPA_MODULE=mod"));
}

/* Does @text have a line "NAME<anything>ARGS;" (the printer decides how
 * a name and its arguments are separated)? */
static gboolean
has_param (const char *text, const char *name, const char *args)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i] + strspn (lines[i], " \t");
      g_autofree char *end = g_strconcat (args, ";", NULL);

      if (g_str_has_prefix (l, name) && g_str_has_suffix (l, end))
        return TRUE;
    }
  return FALSE;
}

static void
test_suppfunc_print (void)
{
  const ipa_suppfunc *sf = ipa_suppfunc_get ();
  g_autoptr(IpaConfPrinter) p = ipa_conf_printer_new ();
  uint64_t v = 2048;
  const char *text;

  ipa_conf_printer_set_current (p);
  sf->print_param_name ("tac", "answer");
  call_print_param_args (sf, "%d", 42);
  sf->print_param_end ();
  sf->print_param_name ("tac", "size");
  sf->print_bytes (&v);
  sf->print_param_end ();
  sf->print_param_name ("tac", "name");
  sf->print_string ("hi");
  sf->print_param_end ();
  sf->print_param_name ("tac", "flag");
  sf->print_boolean (1);
  sf->print_param_end ();
  ipa_conf_printer_set_current (NULL);
  /* Not printing any more. */
  sf->print_param_name ("tac", "later");

  text = ipa_conf_printer_get_text (p);
  g_test_message ("%s", text);
  g_assert_true (has_param (text, "tac:answer", " 42"));
  g_assert_true (has_param (text, "tac:size", " 2K"));
  g_assert_true (has_param (text, "tac:name", " \"hi\""));
  g_assert_true (has_param (text, "tac:flag", " yes"));
  g_assert_null (strstr (text, "later"));
}

/* A module inside a parse: arg_parse, logconferr with the location,
 * conf_event, macro variables, and conf_show through the printer. */

static const IpaConfSectDef no_sects[] = { { NULL } };
static const IpaConfParamDef no_params[] = { { NULL } };
static const IpaConfSchema empty_schema = { no_sects, no_params };

static IpaConfParser *
parser_with_module (IpaModuleSet *set, IpaModule **mp)
{
  IpaConfParser *parser = ipa_conf_parser_new (&empty_schema, NULL);
  g_autoptr(GError) error = NULL;
  IpaModule *m = load_ok (set, IPA_MODULE_KIND_AC, "ipa_test_ac.so");
  IpaConfModuleTables t = ipa_module_set_conf_tables (set, m);

  g_assert_true (ipa_conf_parser_add_module (parser, &t, &error));
  g_assert_no_error (error);
  *mp = m;
  return parser;
}

static void
test_logconferr_location (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IpaConfParser) parser = NULL;
  IpaModule *m;
  Record *r;

  parser = parser_with_module (set, &m);
  capture_start ();
  g_assert_false (ipa_conf_parser_parse_data (parser, "test.conf",
                                              "tac:int32 1;\n  tac:fail foo  bar;\n", -1, &error));
  capture_stop ();

  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "test.conf:2:"));
  /* The parser quotes what the module said. */
  g_assert_nonnull (strstr (error->message, "cannot accept \"foo bar\": Invalid argument"));

  r = find_record ("cannot accept");
  g_assert_nonnull (r);
  g_test_message ("%s", r->message);
  g_assert_cmpint (r->priority, ==, LOG_ERR);
  g_assert_true (g_str_has_prefix (r->message, "test.conf:2:"));
  g_assert_true (g_str_has_suffix (r->message, ": test: cannot accept \"foo bar\": Invalid argument"));
  g_assert_true (g_strv_contains ((const char *const *) r->fields, "IPA_MODULE=test"));
  g_assert_true (ipa_conf_parser_get_current () == NULL);
}

static void
test_parse_and_show (void)
{
  g_autoptr(IpaModuleSet) set = ipa_module_set_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IpaConfParser) parser = NULL;
  g_autoptr(IpaConfPrinter) p = ipa_conf_printer_new ();
  const char *trace, *text;
  IpaModule *m;

  parser = parser_with_module (set, &m);
  g_assert_true (ipa_conf_parser_parse_data (parser, "test.conf",
                                             "tac:int32 -5;\n"
                                             "tac:string \"hello\";\n"
                                             "tac:words ab   cd;\n"
                                             "tac:word xy;\n"
                                             "tac:none;\n"
                                             "tac:localsym foo bar;\n"
                                             "tac:sect one {\n"
                                             "  tac:flag yes;\n"
                                             "}\n", -1, &error));
  g_assert_no_error (error);
  trace = module_trace (m, "ipa_test_ac_trace");
  g_test_message ("%s", trace);
  g_assert_nonnull (strstr (trace, "arg_parse int32 -5\n"));
  g_assert_nonnull (strstr (trace, "arg_parse string hello\n"));
  g_assert_nonnull (strstr (trace, "arg_parse words ab cd\n"));
  g_assert_nonnull (strstr (trace, "arg_parse word xy\n"));
  g_assert_nonnull (strstr (trace, "arg_parse none NULL\n"));
  g_assert_nonnull (strstr (trace, "local_sym_add foo bar = 0\n"));
  g_assert_nonnull (strstr (trace, "arg_parse sect one\nconf_event 41 101 -\narg_parse flag 1\n"
                                   "conf_event 42 101 -\n"));

  /* The regex_t shared by tac:word was compiled through tac:words. */
  g_assert_false (ipa_conf_parser_parse_data (parser, "test2.conf", "tac:word 12;\n", -1, &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_ARGS);

  /* conf_show prints through suppfunc into the current printer. */
  ipa_conf_printer_set_current (p);
  m->conf_show (IPA_CONF_SECT_ROOT, 0);
  ipa_conf_printer_set_current (NULL);
  text = ipa_conf_printer_get_text (p);
  g_test_message ("%s", text);
  g_assert_true (has_param (text, "tac:int32", " -5"));
  g_assert_true (has_param (text, "tac:string", " \"hello\""));
  g_assert_true (has_param (text, "tac:words", " ab cd"));
  g_assert_true (has_param (text, "tac:none", ""));
  g_assert_nonnull (strstr (text, "tac:sect one {"));
  g_assert_true (has_param (text, "tac:flag", " yes"));

  m->mod.ac->ac_deinit ();
}

int
main (int argc, char **argv)
{
  const char *builddir = g_getenv ("IPA_TEST_BUILDDIR");
  int r;

  g_test_init (&argc, &argv, NULL);

  module_dir = g_build_filename (builddir != NULL ? builddir : ".", "modules", NULL);
  g_setenv ("IPA_MODULE_DIR", module_dir, TRUE);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);

  g_test_add_func ("/module/base-name", test_base_name);
  g_test_add_func ("/module/symbol-name", test_symbol_name);
  g_test_add_func ("/module/load-ac", test_load_ac);
  g_test_add_func ("/module/load-absolute", test_load_absolute);
  g_test_add_func ("/module/module-dir", test_module_dir);
  g_test_add_func ("/module/open-error", test_open_error);
  g_test_add_func ("/module/missing-symbol", test_missing_symbol);
  g_test_add_func ("/module/api-version", test_api_version);
  g_test_add_func ("/module/nameless", test_nameless);
  g_test_add_func ("/module/bad-sect-id", test_bad_sect_id);
  g_test_add_func ("/module/pattern-without-regexp", test_pattern_without_regexp);
  g_test_add_func ("/module/shared-regexp-rules", test_shared_regexp_rules);
  g_test_add_func ("/module/bad-regex", test_bad_regex);
  g_test_add_func ("/module/init-fail", test_init_fail);
  g_test_add_func ("/module/threads", test_threads);
  g_test_add_func ("/module/duplicate-name", test_duplicate_name);
  g_test_add_func ("/module/duplicate-prefix", test_duplicate_prefix);
  g_test_add_func ("/module/multi-kind", test_multi_kind);
  g_test_add_func ("/module/version-strip", test_version_strip);
  g_test_add_func ("/module/symlink", test_symlink);
  g_test_add_func ("/module/lookup", test_lookup);
  g_test_add_func ("/module/unload-leaks", test_unload_leaks);
  g_test_add_func ("/module/ac-hooks", test_ac_hooks);
  g_test_add_func ("/module/suppfunc-logmsg", test_suppfunc_logmsg);
  g_test_add_func ("/module/suppfunc-no-context", test_suppfunc_no_context);
  g_test_add_func ("/module/suppfunc-print", test_suppfunc_print);
  g_test_add_func ("/module/logconferr-location", test_logconferr_location);
  g_test_add_func ("/module/parse-and-show", test_parse_and_show);

  r = g_test_run ();
  g_clear_pointer (&records, g_ptr_array_unref);
  g_free (module_dir);
  return r;
}
