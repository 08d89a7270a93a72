/*
 * test-db-memory.c: the in-memory database module ipa_db_memory, loaded
 * with the real module loader and configured with the real parser, its
 * functions called as the engine calls them (and out of order, on
 * purpose); the file it writes and its trace are checked.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipa-conf-parser.h"
#include "ipa-conf-printer.h"
#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "ipa-module.h"

/* Captured log */

static GPtrArray *log_lines;

static void
capture (const IpaLogRecord *record, gpointer user_data)
{
  g_ptr_array_add (log_lines, g_strdup_printf ("%d %s: %s", record->priority,
                                               record->module != NULL ? record->module : "-",
                                               record->message));
}

static gboolean
log_has (const char *needle)
{
  for (guint i = 0; i < log_lines->len; i++)
    if (strstr (log_lines->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

/* The host */

typedef struct {
  IpaModuleSet *set;
  IpaModule *mod;
  struct ipa_db_mod *db;
  const struct ipa_db_mod_ext *ext;
  char *dir;
  char *file_path;
  char *trace_path;
} Db;

static const unsigned int w_root[] = { IPA_CONF_SECT_ROOT, 0 };
static const IpaConfSectDef sects[] = {
  { "global", IPA_CONF_SECT_GLOBAL, 0, 0, w_root, IPA_CONF_EVENT_GLOBAL_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "rule", IPA_CONF_SECT_RULE, 1, 0, w_root, IPA_CONF_EVENT_RULE_BEGIN,
    IPA_CONF_NUMBER_FILE, "rule", NULL, NULL },
  { NULL }
};
static const IpaConfParamDef params[] = { { NULL } };
static const IpaConfSchema schema = { sects, params };

/* Load the module into a directory (a new one if @dir is NULL) and parse
 * @body, where "@FILE@" and "@TRACE@" name files of that directory.
 * NULL with @error set if the configuration is refused. */
static Db *
db_open_full (const char *dir, const char *body, GError **error)
{
  Db *d = g_new0 (Db, 1);
  g_autoptr(IpaConfParser) parser = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GString) text = g_string_new (body);
  IpaConfModuleTables tables;

  d->dir = dir != NULL ? g_strdup (dir) : g_dir_make_tmp ("test-db-memory-XXXXXX", &local);
  g_assert_no_error (local);
  d->file_path = g_build_filename (d->dir, "db.txt", NULL);
  d->trace_path = g_build_filename (d->dir, "trace", NULL);
  g_string_replace (text, "@FILE@", d->file_path, 0);
  g_string_replace (text, "@TRACE@", d->trace_path, 0);

  d->set = ipa_module_set_new ();
  d->mod = ipa_module_set_load (d->set, IPA_MODULE_KIND_DB, "ipa_db_memory.so", &local);
  g_assert_no_error (local);
  d->db = d->mod->mod.db;
  d->ext = d->mod->db_ext;

  parser = ipa_conf_parser_new (&schema, d);
  tables = ipa_module_set_conf_tables (d->set, d->mod);
  g_assert_true (ipa_conf_parser_add_module (parser, &tables, &local));
  if (!ipa_conf_parser_parse_data (parser, "db.conf", text->str, -1, error))
    {
      d->db->db_deinit ();
      return d;
    }
  g_assert_cmpint (d->db->conf_deinit (), ==, 0);
  return d;
}

static Db *
db_open (const char *dir, const char *body)
{
  g_autoptr(GError) error = NULL;
  Db *d = db_open_full (dir, body, &error);

  g_assert_no_error (error);
  return d;
}

/* The usual configuration: a file and a trace. */
static Db *
db_new (void)
{
  return db_open (NULL, "memory:file \"@FILE@\";\nmemory:trace \"@TRACE@\";\n");
}

static void
report_leak (const char *message, gpointer user_data)
{
  g_test_message ("leak: %s", message);
}

/* Unload after checking that the module freed all it allocated; the
 * directory stays. */
static void
db_unload (Db *d)
{
  g_assert_cmpuint (ipa_memfunc_check_leaks (d->mod->owner, report_leak, NULL), ==, 0);
  ipa_module_set_free (d->set);
  g_free (d->file_path);
  g_free (d->trace_path);
  g_free (d->dir);
  g_free (d);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) gd = g_dir_open (dir, 0, NULL);
  const char *name;

  while (gd != NULL && (name = g_dir_read_name (gd)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
db_free (Db *d)
{
  g_autofree char *dir = g_strdup (d->dir);

  db_unload (d);
  remove_dir (dir);
}

static ipa_tm
tm_at (const char *when)
{
  struct tm t = { 0 };
  ipa_tm tm;
  time_t secs;

  g_assert_cmpint (sscanf (when, "%d-%d-%d %d:%d:%d", &t.tm_year, &t.tm_mon, &t.tm_mday,
                           &t.tm_hour, &t.tm_min, &t.tm_sec), ==, 6);
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  secs = timegm (&t);
  gmtime_r (&secs, &t);
  tm = t;
  tm.tm_year += 1900;
  tm.tm_mon += 1;
  return tm;
}

static char *
file_text (const char *path)
{
  char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static gboolean
has_line (const char *path, const char *line)
{
  g_autofree char *text = file_text (path);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  return g_strv_contains ((const char *const *) lines, line);
}

static void
assert_line (const char *path, const char *line)
{
  if (!has_line (path, line))
    {
      g_autofree char *text = file_text (path);

      g_error ("%s has no line \"%s\":\n%s", path, line, text);
    }
}

static guint
count (const char *path, const char *needle)
{
  g_autofree char *text = file_text (path);
  guint n = 0;

  for (const char *p = text; (p = strstr (p, needle)) != NULL; p++)
    n++;
  return n;
}

static void
assert_no_violation (Db *d)
{
  if (count (d->trace_path, "VIOLATION") > 0)
    {
      g_autofree char *text = file_text (d->trace_path);

      g_error ("unexpected VIOLATION:\n%s", text);
    }
}

/* Wrappers in the engine's order of arguments. */

static int
append (Db *d, unsigned int ruleno, uint64_t cnt, const char *when)
{
  ipa_tm tm = tm_at (when);

  return d->db->db_append_rule (ruleno, &cnt, &tm);
}

static int
update (Db *d, unsigned int ruleno, uint64_t cnt, const char *when)
{
  ipa_tm tm = tm_at (when);

  return d->db->db_update_rule (ruleno, &cnt, &tm);
}

static int
begin (Db *d, const char *when)
{
  ipa_tm tm = tm_at (when);

  return d->ext->db_begin_batch (&tm);
}

static int
end (Db *d)
{
  return d->ext->db_end_batch ();
}

static struct ipa_limit_state
limit_state (uint64_t lim, uint64_t cnt, const char *start)
{
  struct ipa_limit_state st;

  memset (&st, 0, sizeof st);
  st.lim = lim;
  st.cnt = cnt;
  st.event_date[IPA_LIMIT_EVENT_START] = tm_at (start);
  st.event_date_set = IPA_LIMIT_EVENT_START_SET;
  return st;
}

static void
assert_tm (const ipa_tm *tm, const char *when)
{
  ipa_tm want = tm_at (when);

  g_assert_cmpint (tm->tm_year, ==, want.tm_year);
  g_assert_cmpint (tm->tm_mon, ==, want.tm_mon);
  g_assert_cmpint (tm->tm_mday, ==, want.tm_mday);
  g_assert_cmpint (tm->tm_hour, ==, want.tm_hour);
  g_assert_cmpint (tm->tm_min, ==, want.tm_min);
  g_assert_cmpint (tm->tm_sec, ==, want.tm_sec);
  g_assert_cmpint (tm->tm_wday, ==, want.tm_wday);
}

/* Tests */

static void
test_records (void)
{
  Db *d = db_new ();
  g_autofree char *after_init = NULL;
  g_autofree char *text = NULL;

  g_assert_nonnull (d->ext);
  g_assert_cmpuint (d->ext->api_ver, ==, IPA_DB_MOD_EXT_API_VERSION);
  g_assert_cmpint (d->db->db_pre_init (), ==, 0);
  g_assert_cmpint (d->db->db_init_statrule (0, "alpha", "first rule"), ==, 0);
  g_assert_cmpint (d->db->db_init_statrule (1, "beta", NULL), ==, 0);
  /* Nothing is written before db_init. */
  g_assert_false (g_file_test (d->file_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (d->db->db_init (), ==, 0);
  after_init = file_text (d->file_path);
  g_assert_cmpstr (after_init, ==,
                   "# ipa_db_memory 1\n"
                   "rule alpha active=1 info=first%20rule\n"
                   "rule beta active=1 info=\n");

  g_assert_cmpint (begin (d, "2024-03-01 10:00:00"), ==, 0);
  g_assert_cmpint (append (d, 0, 5, "2024-03-01 10:00:00"), ==, 0);
  g_assert_cmpint (end (d), ==, 0);
  assert_line (d->file_path, "record alpha 2024-03-01 10:00:00 10:00:00 5");
  g_assert_cmpint (begin (d, "2024-03-01 10:05:00"), ==, 0);
  g_assert_cmpint (update (d, 0, 8, "2024-03-01 10:05:00"), ==, 0);
  g_assert_cmpint (end (d), ==, 0);
  assert_line (d->file_path, "record alpha 2024-03-01 10:00:00 10:05:00 8");
  /* A new day is a new record. */
  g_assert_cmpint (begin (d, "2024-03-02 00:00:00"), ==, 0);
  g_assert_cmpint (append (d, 0, 1, "2024-03-02 00:00:00"), ==, 0);
  g_assert_cmpint (append (d, 1, 7, "2024-03-02 00:00:00"), ==, 0);
  g_assert_cmpint (update (d, 1, 9, "2024-03-02 23:59:59"), ==, 0);
  g_assert_cmpint (end (d), ==, 0);
  text = file_text (d->file_path);
  g_assert_cmpstr (text, ==,
                   "# ipa_db_memory 1\n"
                   "rule alpha active=1 info=first%20rule\n"
                   "record alpha 2024-03-01 10:00:00 10:05:00 8\n"
                   "record alpha 2024-03-02 00:00:00 00:00:00 1\n"
                   "rule beta active=1 info=\n"
                   "record beta 2024-03-02 00:00:00 23:59:59 9\n");
  assert_line (d->trace_path, "append_rule rule=0 cnt=5 tm=2024-03-01T10:00:00");
  assert_line (d->trace_path, "update_rule rule=1 cnt=9 tm=2024-03-02T23:59:59");
  assert_line (d->trace_path, "begin_batch tm=2024-03-02T00:00:00");
  assert_line (d->trace_path, "init_statrule rule=0 name=alpha info=first%20rule");
  assert_line (d->trace_path, "init_statrule rule=1 name=beta info=-");
  g_assert_cmpint (d->db->db_deinit_rule (0), ==, 0);
  g_assert_cmpint (d->db->db_deinit_rule (1), ==, 0);
  g_assert_cmpint (d->db->db_deinit (), ==, 0);
  assert_line (d->trace_path, "deinit");
  assert_no_violation (d);
  db_free (d);
}

/* A rule with a limit and a threshold, initialised. */
static void
init_rlt (Db *d)
{
  g_assert_cmpint (d->db->db_pre_init (), ==, 0);
  g_assert_cmpint (d->db->db_init_statrule (0, "r", "the rule"), ==, 0);
  g_assert_cmpint (d->db->db_init_statlimit (0, "r", "the rule", 0, "l", "lim info"), ==, 0);
  g_assert_cmpint (d->db->db_init_statthreshold (0, "r", "the rule", 0, "t", NULL), ==, 0);
  g_assert_cmpint (d->db->db_init (), ==, 0);
}

static void
deinit_rlt (Db *d)
{
  g_assert_cmpint (d->db->db_deinit_threshold (0, 0), ==, 0);
  g_assert_cmpint (d->db->db_deinit_limit (0, 0), ==, 0);
  g_assert_cmpint (d->db->db_deinit_rule (0), ==, 0);
  g_assert_cmpint (d->db->db_deinit (), ==, 0);
}

static void
test_limits (void)
{
  Db *d = db_new ();
  struct ipa_limit_state st, got;
  ipa_tm ctm = tm_at ("2024-03-01 12:00:00");
  ipa_tm etm = tm_at ("2024-03-01 12:00:00");
  uint64_t v = 500;

  init_rlt (d);
  g_assert_cmpint (begin (d, "2024-03-01 00:00:00"), ==, 0);
  g_assert_cmpint (d->db->db_get_limit_state (0, 0, &got), ==, 0);
  st = limit_state (1000, 0, "2024-03-01 00:00:00");
  g_assert_cmpint (d->db->db_set_limit_state (0, 0, &st, 1), ==, 0);
  g_assert_cmpint (end (d), ==, 0);
  assert_line (d->file_path, "limit r l lim=1000 cnt=0 start=2024-03-01T00:00:00 restart=- "
               "restart_exec=- reach=- reach_exec=- expire=- expire_exec=- updated=- "
               "active=1 new=1 state=1");

  g_assert_cmpint (begin (d, "2024-03-01 12:00:00"), ==, 0);
  g_assert_cmpint (d->db->db_update_limit (0, 0, &v, &ctm), ==, 0);
  g_assert_cmpint (d->db->db_limit_event (0, 0, IPA_LIMIT_EVENT_REACH, &etm, &ctm), ==, 0);
  etm = tm_at ("2024-04-01 00:00:00");
  g_assert_cmpint (d->db->db_limit_event (0, 0, IPA_LIMIT_EVENT_EXPIRE, &etm, &ctm), ==, 0);
  g_assert_cmpint (d->db->db_get_limit_state (0, 0, &got), ==, 1);
  g_assert_cmpint (end (d), ==, 0);
  g_assert_cmpuint (got.lim, ==, 1000);
  g_assert_cmpuint (got.cnt, ==, 500);
  g_assert_cmpuint (got.event_date_set, ==, IPA_LIMIT_EVENT_START_SET | IPA_LIMIT_EVENT_REACH_SET |
                    IPA_LIMIT_EVENT_EXPIRE_SET | IPA_LIMIT_EVENT_UPDATED_SET);
  assert_tm (&got.event_date[IPA_LIMIT_EVENT_START], "2024-03-01 00:00:00");
  assert_tm (&got.event_date[IPA_LIMIT_EVENT_REACH], "2024-03-01 12:00:00");
  assert_tm (&got.event_date[IPA_LIMIT_EVENT_EXPIRE], "2024-04-01 00:00:00");
  assert_tm (&got.event_date[IPA_LIMIT_EVENT_UPDATED], "2024-03-01 12:00:00");

  /* A restart registers a new state; new_state = 0 overwrites it. */
  g_assert_cmpint (begin (d, "2024-04-01 00:00:00"), ==, 0);
  st = limit_state (1000, 0, "2024-04-01 00:00:00");
  g_assert_cmpint (d->db->db_set_limit_state (0, 0, &st, 1), ==, 0);
  st.cnt = 10;
  g_assert_cmpint (d->db->db_set_limit_state (0, 0, &st, 0), ==, 0);
  g_assert_cmpint (d->db->db_set_limit_active (0, 0, 0), ==, 0);
  g_assert_cmpint (end (d), ==, 0);
  assert_line (d->file_path, "limit_history r l lim=1000 cnt=500 start=2024-03-01T00:00:00 "
               "restart=- restart_exec=- reach=2024-03-01T12:00:00 reach_exec=- "
               "expire=2024-04-01T00:00:00 expire_exec=- updated=2024-03-01T12:00:00");
  assert_line (d->file_path, "limit r l lim=1000 cnt=10 start=2024-04-01T00:00:00 restart=- "
               "restart_exec=- reach=- reach_exec=- expire=- expire_exec=- updated=- "
               "active=0 new=2 state=1");
  assert_line (d->trace_path, "set_limit_state rule=0 limit=0 new=0 lim=1000 cnt=10");
  assert_line (d->trace_path, "limit_event rule=0 limit=0 event=5 etm=2024-04-01T00:00:00 "
               "tm=2024-03-01T12:00:00");
  assert_line (d->trace_path, "get_limit_state rule=0 limit=0 ret=1");
  deinit_rlt (d);
  assert_no_violation (d);
  db_free (d);
}

static void
test_thresholds (void)
{
  Db *d = db_new ();
  struct ipa_threshold_state st, got;
  ipa_tm from = tm_at ("2024-03-01 00:00:00");
  ipa_tm upd = tm_at ("2024-03-01 06:30:00");
  uint64_t cnt = 50;

  init_rlt (d);
  g_assert_cmpint (begin (d, "2024-03-01 00:00:00"), ==, 0);
  g_assert_cmpint (d->db->db_get_threshold_state (0, 0, &got), ==, 0);
  memset (&st, 0, sizeof st);
  st.thr = 100;
  st.tm_from = from;
  st.tm_updated = from;
  g_assert_cmpint (d->db->db_set_threshold_state (0, 0, &st), ==, 0);
  g_assert_cmpint (d->db->db_update_threshold (0, 0, &cnt, &from, &upd), ==, 0);
  g_assert_cmpint (d->db->db_get_threshold_state (0, 0, &got), ==, 1);
  g_assert_cmpint (d->db->db_set_threshold_active (0, 0, 0), ==, 0);
  g_assert_cmpint (d->db->db_set_rule_active (0, 0), ==, 0);
  g_assert_cmpint (end (d), ==, 0);
  g_assert_cmpuint (got.thr, ==, 100);
  g_assert_cmpuint (got.cnt, ==, 50);
  assert_tm (&got.tm_from, "2024-03-01 00:00:00");
  assert_tm (&got.tm_updated, "2024-03-01 06:30:00");
  assert_line (d->file_path, "threshold r t thr=100 cnt=50 from=2024-03-01T00:00:00 "
               "updated=2024-03-01T06:30:00 active=0 state=1");
  assert_line (d->file_path, "rule r active=0 info=the%20rule");
  deinit_rlt (d);
  assert_no_violation (d);
  db_free (d);
}

/* Everything written in a first life of the module comes back in a
 * second: the file is the same, states are returned as they were. */
static void
test_round_trip (void)
{
  Db *d = db_new ();
  g_autofree char *dir = g_strdup (d->dir);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  struct ipa_limit_state st, got;
  struct ipa_threshold_state ts, tgot;
  ipa_tm ctm = tm_at ("2024-03-01 12:00:00");
  uint64_t v = 7;

  init_rlt (d);
  g_assert_cmpint (begin (d, "2024-03-01 12:00:00"), ==, 0);
  g_assert_cmpint (d->db->db_init_dynrule (0, 5, "odd name%", "info with\ttab"), ==, 0);
  g_assert_cmpint (append (d, 5, 3, "2024-03-01 12:00:00"), ==, 0);
  g_assert_cmpint (append (d, 0, 1, "2024-03-01 12:00:00"), ==, 0);
  st = limit_state (10, 0, "2024-02-01 00:00:00");
  g_assert_cmpint (d->db->db_set_limit_state (0, 0, &st, 1), ==, 0);
  st = limit_state (20, 0, "2024-03-01 00:00:00");
  g_assert_cmpint (d->db->db_set_limit_state (0, 0, &st, 1), ==, 0);
  g_assert_cmpint (d->db->db_update_limit (0, 0, &v, &ctm), ==, 0);
  memset (&ts, 0, sizeof ts);
  ts.thr = 9;
  ts.cnt = 4;
  ts.tm_from = tm_at ("2024-02-29 00:00:00");
  ts.tm_updated = ctm;
  g_assert_cmpint (d->db->db_set_threshold_state (0, 0, &ts), ==, 0);
  g_assert_cmpint (d->db->db_deinit_rule (5), ==, 0);
  g_assert_cmpint (end (d), ==, 0);
  deinit_rlt (d);
  first = file_text (d->file_path);
  g_test_message ("%s", first);
  assert_line (d->file_path, "rule odd%20name%25 active=1 info=info%20with%09tab");
  assert_no_violation (d);
  db_unload (d);

  /* The second life: the same rule, limit and threshold. */
  d = db_open (dir, "memory:file \"@FILE@\";\n");
  init_rlt (d);
  second = file_text (d->file_path);
  g_assert_cmpstr (second, ==, first);
  g_assert_cmpint (begin (d, "2024-03-01 13:00:00"), ==, 0);
  g_assert_cmpint (d->db->db_get_limit_state (0, 0, &got), ==, 1);
  g_assert_cmpint (d->db->db_get_threshold_state (0, 0, &tgot), ==, 1);
  g_assert_cmpint (end (d), ==, 0);
  g_assert_cmpuint (got.lim, ==, 20);
  g_assert_cmpuint (got.cnt, ==, 7);
  g_assert_cmpuint (got.event_date_set, ==,
                    IPA_LIMIT_EVENT_START_SET | IPA_LIMIT_EVENT_UPDATED_SET);
  assert_tm (&got.event_date[IPA_LIMIT_EVENT_START], "2024-03-01 00:00:00");
  assert_tm (&got.event_date[IPA_LIMIT_EVENT_UPDATED], "2024-03-01 12:00:00");
  g_assert_cmpuint (tgot.thr, ==, 9);
  g_assert_cmpuint (tgot.cnt, ==, 4);
  assert_tm (&tgot.tm_from, "2024-02-29 00:00:00");
  deinit_rlt (d);
  /* Unchanged by reading and by the init calls. */
  g_free (second);
  second = file_text (d->file_path);
  g_assert_cmpstr (second, ==, first);
  db_free (d);
}

static void
test_batches (void)
{
  Db *d = db_new ();
  g_autofree char *before = NULL;

  g_assert_cmpint (d->db->db_pre_init (), ==, 0);
  g_assert_cmpint (d->db->db_init_statrule (0, "r", NULL), ==, 0);
  g_assert_cmpint (d->db->db_init (), ==, 0);
  /* Without batches, every write is in the file at once. */
  g_assert_cmpint (append (d, 0, 1, "2024-01-01 00:00:00"), ==, 0);
  assert_line (d->file_path, "record r 2024-01-01 00:00:00 00:00:00 1");
  g_assert_cmpint (update (d, 0, 2, "2024-01-01 00:00:10"), ==, 0);
  assert_line (d->file_path, "record r 2024-01-01 00:00:00 00:00:10 2");
  assert_no_violation (d);

  /* From the first batch on, batches are in use. */
  g_assert_cmpint (begin (d, "2024-01-01 00:00:20"), ==, 0);
  assert_line (d->trace_path,
               "VIOLATION 2 runtime calls came before the first batch (ipa_mod_ext.h)");
  g_assert_cmpint (begin (d, "2024-01-01 00:00:20"), ==, 0);
  assert_line (d->trace_path, "VIOLATION begin_batch inside a batch (batches never nest)");
  before = file_text (d->file_path);
  g_assert_cmpint (update (d, 0, 3, "2024-01-01 00:00:20"), ==, 0);
  {
    g_autofree char *during = file_text (d->file_path);

    g_assert_cmpstr (during, ==, before);   /* not before end_batch */
  }
  g_assert_cmpint (end (d), ==, 0);
  assert_line (d->file_path, "record r 2024-01-01 00:00:00 00:00:20 3");
  g_assert_false (has_line (d->file_path, "record r 2024-01-01 00:00:00 00:00:10 2"));
  g_assert_cmpint (end (d), ==, 0);
  assert_line (d->trace_path, "VIOLATION end_batch without begin_batch");
  g_assert_cmpint (update (d, 0, 4, "2024-01-01 00:00:30"), ==, 0);
  assert_line (d->trace_path, "VIOLATION db_update_rule outside a batch (ipa_mod_ext.h)");
  g_assert_cmpint (d->db->db_deinit_rule (0), ==, 0);
  g_assert_cmpint (d->db->db_deinit (), ==, 0);
  /* No temporary file is left behind. */
  {
    g_autofree char *tmp = g_strconcat (d->file_path, ".tmp", NULL);

    g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  }
  db_free (d);
}

static void
test_violations (void)
{
  Db *d = db_new ();
  ipa_tm bad = tm_at ("2024-03-01 00:00:00");
  ipa_tm ctm = tm_at ("2024-03-01 00:00:00");
  uint64_t v = 1;

  g_assert_cmpint (append (d, 0, 1, "2024-03-01 00:00:00"), ==, -1);
  assert_line (d->trace_path, "VIOLATION db_append_rule before db_pre_init "
               "(allowed only after db_init)");
  g_assert_cmpint (d->db->db_pre_init (), ==, 0);
  g_assert_cmpint (d->db->db_init_statlimit (0, "r", NULL, 0, "l", NULL), ==, 0);
  g_assert_cmpint (d->db->db_init_statrule (0, "r", NULL), ==, 0);
  assert_line (d->trace_path, "VIOLATION init_statrule rule=0: after the init of its limits "
               "or thresholds (INV-38)");
  g_assert_cmpint (d->db->db_init_statlimit (0, "r", NULL, 0, "l", NULL), ==, -1);
  assert_line (d->trace_path, "VIOLATION init_statlimit rule=0 limit=0: already initialised");
  g_assert_cmpint (d->db->db_init_statrule (1, "s", NULL), ==, 0);
  g_assert_cmpint (d->db->db_init (), ==, 0);

  g_assert_cmpint (begin (d, "2024-03-01 00:00:00"), ==, 0);
  g_assert_cmpint (update (d, 1, 1, "2024-03-01 00:00:00"), ==, -1);
  assert_line (d->trace_path, "VIOLATION update_rule rule=1: before any db_append_rule (INV-53)");
  g_assert_cmpint (append (d, 1, 1, "2024-03-01 23:00:00"), ==, 0);
  g_assert_cmpint (update (d, 1, 2, "2024-03-02 00:00:05"), ==, 0);
  assert_line (d->trace_path, "VIOLATION update_rule rule=1: 2024-03-02T00:00:05 is not the "
               "day of its record 2024-03-01 (INV-55)");
  g_assert_cmpint (d->db->db_set_rule_active (1, 0), ==, 0);
  g_assert_cmpint (d->db->db_set_rule_active (1, 1), ==, 0);
  g_assert_cmpint (update (d, 1, 3, "2024-03-02 00:00:10"), ==, 0);
  assert_line (d->trace_path, "VIOLATION update_rule rule=1: after db_set_rule_active(1) "
               "before db_append_rule (INV-54)");
  bad.tm_year -= 1900;
  bad.tm_mon -= 1;
  g_assert_cmpint (d->db->db_append_rule (1, &v, &bad), ==, 0);
  assert_line (d->trace_path, "VIOLATION append_rule: ctm 0124-02-01T00:00:00 wday=5 is not a "
               "valid ipa_tm (INV-62)");
  g_assert_cmpint (d->db->db_limit_event (0, 0, IPA_LIMIT_EVENT_RESTART, &ctm, &ctm), ==, -1);
  assert_line (d->trace_path, "VIOLATION limit_event rule=0 limit=0: event 1 is not one a "
               "database module receives (INV-58)");
  assert_line (d->trace_path, "VIOLATION limit_event rule=0 limit=0: the limit has no state "
               "(no db_set_limit_state)");
  g_assert_cmpint (d->db->db_update_limit (0, 5, &v, &ctm), ==, -1);
  assert_line (d->trace_path, "VIOLATION update_limit rule=0 limit=5: limit not initialised");
  g_assert_cmpint (d->db->db_init_dynrule (0, 1, "other", NULL), ==, -1);
  assert_line (d->trace_path, "VIOLATION init_dynrule rule=1: already initialised");
  g_assert_cmpint (d->db->db_init_dynlimit (0, 1, "other", NULL, 0, "l", NULL), ==, -1);
  assert_line (d->trace_path, "VIOLATION init_dynlimit rule=1: named other, but rule 1 is s "
               "here (INV-42)");
  g_assert_cmpint (end (d), ==, 0);
  g_assert_cmpint (d->db->db_init_statrule (2, "late", NULL), ==, 0);
  assert_line (d->trace_path, "VIOLATION init_statrule after db_init "
               "(allowed only between db_pre_init and db_init)");

  g_assert_cmpint (d->db->db_deinit_rule (0), ==, 0);
  assert_line (d->trace_path, "VIOLATION deinit_rule rule=0: 1 of its limits and thresholds are "
               "still initialised (INV-73)");
  g_assert_cmpint (d->db->db_deinit_rule (2), ==, 0);
  g_assert_cmpint (d->db->db_deinit (), ==, 0);
  assert_line (d->trace_path, "VIOLATION db_deinit while 2 rules (r, ...) or their limits or "
               "thresholds were not deinitialised (INV-73)");
  g_assert_cmpint (d->db->db_deinit_rule (1), ==, 0);
  assert_line (d->trace_path, "VIOLATION deinit_rule after db_deinit");
  db_free (d);
}

static void
test_dynamic (void)
{
  Db *d = db_new ();
  struct ipa_limit_state st = limit_state (5, 0, "2024-05-01 00:00:00");

  g_assert_cmpint (d->db->db_pre_init (), ==, 0);
  g_assert_cmpint (d->db->db_init (), ==, 0);
  g_assert_cmpint (begin (d, "2024-05-01 00:00:00"), ==, 0);
  g_assert_cmpint (d->db->db_init_dynrule (1, 3, "dyn", "made"), ==, 0);
  g_assert_cmpint (d->db->db_init_dynlimit (1, 3, "dyn", "made", 0, "l", NULL), ==, 0);
  g_assert_cmpint (d->db->db_init_dynthreshold (1, 3, "dyn", "made", 0, "t", NULL), ==, 0);
  g_assert_cmpint (d->db->db_set_limit_state (3, 0, &st, 1), ==, 0);
  g_assert_cmpint (append (d, 3, 4, "2024-05-01 00:00:00"), ==, 0);
  g_assert_cmpint (end (d), ==, 0);
  assert_line (d->file_path, "rule dyn active=1 info=made");
  assert_line (d->file_path, "threshold dyn t thr=0 cnt=0 from=- updated=- active=1 state=0");
  assert_line (d->trace_path, "init_dynlimit autorule=1 rule=3 limit=0 rule_name=dyn name=l");
  /* Deleted at run time, in a batch. */
  g_assert_cmpint (begin (d, "2024-05-01 00:01:00"), ==, 0);
  g_assert_cmpint (d->db->db_deinit_threshold (3, 0), ==, 0);
  g_assert_cmpint (d->db->db_deinit_limit (3, 0), ==, 0);
  g_assert_cmpint (d->db->db_deinit_rule (3), ==, 0);
  g_assert_cmpint (end (d), ==, 0);
  /* The data stay in the database. */
  assert_line (d->file_path, "record dyn 2024-05-01 00:00:00 00:00:00 4");
  assert_no_violation (d);
  g_assert_cmpint (d->db->db_init_dynrule (1, 3, "dyn", NULL), ==, 0);
  assert_line (d->trace_path, "VIOLATION init_dynrule outside a batch (ipa_mod_ext.h)");
  g_assert_cmpint (d->db->db_deinit_rule (3), ==, 0);
  g_assert_cmpint (d->db->db_deinit (), ==, 0);
  db_free (d);
}

static void
test_fail (void)
{
  Db *d = db_open (NULL, "memory:file \"@FILE@\";\nmemory:trace \"@TRACE@\";\n"
                   "global { memory:fail \"append_rule@3\"; "
                   "memory:fail_once \"end_batch get_limit_state@2\"; }\n");
  struct ipa_limit_state st = limit_state (5, 0, "2024-05-01 00:00:00");

  init_rlt (d);
  g_assert_cmpint (begin (d, "2024-05-01 00:00:00"), ==, 0);
  g_assert_cmpint (append (d, 0, 1, "2024-05-01 00:00:00"), ==, 0);
  g_assert_cmpint (end (d), ==, -1);   /* not written */
  g_assert_false (has_line (d->file_path, "record r 2024-05-01 00:00:00 00:00:00 1"));
  assert_line (d->trace_path, "end_batch ret=-1 planned=1");
  g_assert_cmpint (begin (d, "2024-05-01 00:01:00"), ==, 0);
  g_assert_cmpint (update (d, 0, 2, "2024-05-01 00:01:00"), ==, 0);
  g_assert_cmpint (end (d), ==, 0);    /* the later batch writes it all */
  assert_line (d->file_path, "record r 2024-05-01 00:00:00 00:01:00 2");
  g_assert_cmpint (begin (d, "2024-05-02 00:00:00"), ==, 0);
  g_assert_cmpint (append (d, 0, 3, "2024-05-02 00:00:00"), ==, 0);
  g_assert_cmpint (append (d, 0, 4, "2024-05-03 00:00:00"), ==, -1);
  g_assert_cmpint (append (d, 0, 4, "2024-05-03 00:00:00"), ==, -1);
  g_assert_cmpint (d->db->db_set_limit_state (0, 0, &st, 1), ==, 0);
  g_assert_cmpint (d->db->db_get_limit_state (0, 0, &st), ==, 1);
  g_assert_cmpint (d->db->db_get_limit_state (0, 0, &st), ==, -1);
  g_assert_cmpint (d->db->db_get_limit_state (0, 0, &st), ==, 1);
  g_assert_cmpint (end (d), ==, 0);
  g_assert_false (has_line (d->file_path, "record r 2024-05-03 00:00:00 00:00:00 4"));
  deinit_rlt (d);
  assert_no_violation (d);
  db_free (d);

  d = db_open (NULL, "global { memory:fail \"pre_init init_statrule@2\"; }\n");
  g_assert_cmpint (d->db->db_pre_init (), ==, -1);
  g_assert_cmpint (d->db->db_deinit (), ==, 0);
  db_free (d);
}

static void
expect_load_error (const char *content, const char *needle)
{
  Db *d = db_open (NULL, "memory:file \"@FILE@\";\n");
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (d->file_path, content, -1, &error);
  g_assert_no_error (error);
  g_ptr_array_set_size (log_lines, 0);
  g_assert_cmpint (d->db->db_pre_init (), ==, -1);
  message = g_strdup_printf ("3 memory: memory:file: %s:%s", d->file_path, needle);
  if (!log_has (message))
    g_error ("no log line with \"%s\"", message);
  g_assert_cmpint (d->db->db_deinit (), ==, 0);
  db_free (d);
}

static void
test_load_errors (void)
{
  expect_load_error ("# ipa_db_memory 1\nrule a active=2 info=\n",
                     "2: rule: active must be 0 or 1, not \"2\"");
  expect_load_error ("rule a active=1 info=\nrecord a 2024-02-30 00:00:00 00:00:01 5\n",
                     "2: record: bad day \"2024-02-30\"");
  expect_load_error ("limit a l lim=1 cnt=x\n", "1: limit: bad cnt \"x\"");
  expect_load_error ("limit a l lim=1 cnt=2 start=- restart=- restart_exec=- reach=- "
                     "reach_exec=- expire=- expire_exec=- updated=- active=1 new=1\n",
                     "1: limit: no field state");
  expect_load_error ("threshold a t thr=1 cnt=2 from=- updated=- active=1 state=1 colour=red\n",
                     "1: threshold: unknown field colour");
  expect_load_error ("rule a%ZZ active=1 info=\n", "1: rule: bad name \"a%ZZ\"");
  expect_load_error ("ruler a\n", "1: unknown line \"ruler a\"");
}

static void
test_conf (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IpaConfPrinter) printer = ipa_conf_printer_new ();
  g_autofree char *text = NULL;
  Db *d = db_open_full (NULL, "memory:file \"/a\";\nglobal { memory:file \"/b\"; }\n", &error);

  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE);
  g_assert_nonnull (strstr (error->message, "memory:file given twice (first \"/a\")"));
  db_free (d);
  g_clear_error (&error);
  d = db_open_full (NULL, "global { memory:fail \"update_rule@x\"; }\n", &error);
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE);
  g_assert_nonnull (strstr (error->message, "\"update_rule@x\": expected FUNC or FUNC@N"));
  db_free (d);
  g_clear_error (&error);
  d = db_open_full (NULL, "rule r { memory:file \"/x\"; }\n", &error);
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_PLACEMENT);
  db_free (d);

  d = db_open (NULL, "global { memory:file \"/f\"; memory:fail \"end_batch@2\"; "
               "memory:fail_once \"init\"; }\n");
  ipa_conf_printer_set_current (printer);
  d->db->conf_show (IPA_CONF_SECT_ROOT, 0);
  d->db->conf_show (IPA_CONF_SECT_GLOBAL, 0);
  text = ipa_conf_printer_steal_text (printer);
  ipa_conf_printer_set_current (NULL);
  g_assert_cmpstr (text, ==,
                   "memory:file = \"/f\";\n"
                   "memory:fail = \"end_batch@2\";\n"
                   "memory:fail_once = \"init@1\";\n");
  g_assert_cmpint (d->db->db_deinit (), ==, 0);
  db_free (d);
}

int
main (int argc, char **argv)
{
  int r;

  log_lines = g_ptr_array_new_with_free_func (g_free);
  ipa_log_set_handler (capture, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/db-memory/records", test_records);
  g_test_add_func ("/db-memory/limits", test_limits);
  g_test_add_func ("/db-memory/thresholds", test_thresholds);
  g_test_add_func ("/db-memory/round-trip", test_round_trip);
  g_test_add_func ("/db-memory/batches", test_batches);
  g_test_add_func ("/db-memory/violations", test_violations);
  g_test_add_func ("/db-memory/dynamic", test_dynamic);
  g_test_add_func ("/db-memory/fail", test_fail);
  g_test_add_func ("/db-memory/load-errors", test_load_errors);
  g_test_add_func ("/db-memory/conf", test_conf);
  r = g_test_run ();
  ipa_log_set_handler (NULL, NULL);
  g_ptr_array_unref (log_lines);
  return r;
}
