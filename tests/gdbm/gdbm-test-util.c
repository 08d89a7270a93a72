/*
 * gdbm-test-util.c: see gdbm-test-util.h.
 */
#include "config.h"

#include "gdbm-test-util.h"

#include <errno.h>
#include <regex.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <glib/gstdio.h>

/* ------------------------------------------------------------------
 * The schema: the sections of ipa.conf that carry module events.
 */

typedef struct {
  GPtrArray *rules;      /* names, in file order */
  GPtrArray *rulepats;   /* regex_t *, in file order */
} ParseCtx;

static gboolean
rule_begin (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data, GError **error)
{
  ParseCtx *ctx = user_data;

  g_assert_cmpuint (st->no, ==, ctx->rules->len);
  g_ptr_array_add (ctx->rules, g_strdup (st->args[0].text));
  return TRUE;
}

static gboolean
rulepat_begin (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
               GError **error)
{
  ParseCtx *ctx = user_data;
  regex_t *re = g_new0 (regex_t, 1);

  if (regcomp (re, st->value.u.str, REG_EXTENDED | REG_NOSUB) != 0)
    {
      g_free (re);
      return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_VALUE, "bad rulepat");
    }
  g_ptr_array_add (ctx->rulepats, re);
  return TRUE;
}

static const unsigned int w_root[] = { IPA_CONF_SECT_ROOT, 0 };
static const unsigned int w_rules[] = {
  IPA_CONF_SECT_RULE, IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_AUTORULE, 0
};

static const IpaConfSectDef sects[] = {
  { "global", IPA_CONF_SECT_GLOBAL, 0, 0, w_root, IPA_CONF_EVENT_GLOBAL_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "rule", IPA_CONF_SECT_RULE, 1, 0, w_root, IPA_CONF_EVENT_RULE_BEGIN,
    IPA_CONF_NUMBER_FILE, "rule", rule_begin, NULL },
  { "rulepat", IPA_CONF_SECT_RULEPAT, 1, IPA_CONF_TYPE_STRING, w_root,
    IPA_CONF_EVENT_RULEPAT_BEGIN, IPA_CONF_NUMBER_FILE, NULL, rulepat_begin, NULL },
  { "autorule", IPA_CONF_SECT_AUTORULE, 1, 0, w_root, IPA_CONF_EVENT_AUTORULE_BEGIN,
    IPA_CONF_NUMBER_FILE, NULL, NULL, NULL },
  { "limit", IPA_CONF_SECT_LIMIT, 1, 0, w_rules, IPA_CONF_EVENT_LIMIT_BEGIN,
    IPA_CONF_NUMBER_PARENT, "limit", NULL, NULL },
  { "threshold", IPA_CONF_SECT_THRESHOLD, 1, 0, w_rules, IPA_CONF_EVENT_THRESHOLD_BEGIN,
    IPA_CONF_NUMBER_PARENT, "threshold", NULL, NULL },
  { NULL }
};
static const IpaConfParamDef params[] = { { NULL } };
static const IpaConfSchema schema = { sects, params };

/* ------------------------------------------------------------------
 * Log capture
 */

static GPtrArray *log_lines;
static gboolean capturing;

static void
capture (const IpaLogRecord *record, gpointer user_data)
{
  g_ptr_array_add (log_lines, g_strdup_printf ("%s%s%s", record->module != NULL ? record->module : "",
                                               record->module != NULL ? ": " : "",
                                               record->message));
  if (g_test_verbose ())
    g_printerr ("# log: %s: %s\n", record->module != NULL ? record->module : "-", record->message);
}

void
gt_log_start (void)
{
  g_clear_pointer (&log_lines, g_ptr_array_unref);
  log_lines = g_ptr_array_new_with_free_func (g_free);
  ipa_log_set_handler (capture, NULL);
  capturing = TRUE;
}

void
gt_log_stop (void)
{
  ipa_log_set_handler (NULL, NULL);
  capturing = FALSE;
}

const char *
gt_log_find (const char *needle)
{
  for (guint i = 0; log_lines != NULL && i < log_lines->len; i++)
    if (strstr (log_lines->pdata[i], needle) != NULL)
      return log_lines->pdata[i];
  return NULL;
}

guint
gt_log_count (const char *needle)
{
  guint n = 0;

  for (guint i = 0; log_lines != NULL && i < log_lines->len; i++)
    if (strstr (log_lines->pdata[i], needle) != NULL)
      n++;
  return n;
}

void
gt_log_dump (void)
{
  for (guint i = 0; log_lines != NULL && i < log_lines->len; i++)
    g_test_message ("log: %s", (const char *) log_lines->pdata[i]);
}

/* ------------------------------------------------------------------
 * Modules
 */

GtModule *
gt_try_load (IpaModuleKind kind, const char *conf_text, GError **error)
{
  GtModule *g = g_new0 (GtModule, 1);
  ParseCtx ctx = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new () };
  IpaConfModuleTables t;
  gboolean ok;

  g->set = ipa_module_set_new ();
  g->m = ipa_module_set_load (g->set, kind,
                              kind == IPA_MODULE_KIND_DB ? "ipa_db_gdbm.so" : "ipa_st_gdbm.so", error);
  if (g->m == NULL)
    goto fail;
  g->db = kind == IPA_MODULE_KIND_DB ? g->m->mod.db : NULL;
  g->ext = kind == IPA_MODULE_KIND_DB ? g->m->db_ext : NULL;
  g->st = kind == IPA_MODULE_KIND_ST ? g->m->mod.st : NULL;
  g->parser = ipa_conf_parser_new (&schema, &ctx);
  t = ipa_module_set_conf_tables (g->set, g->m);
  ok = ipa_conf_parser_add_module (g->parser, &t, error) &&
       ipa_conf_parser_parse_data (g->parser, "test.conf", conf_text, -1, error);
  if (!ok)
    goto fail;
  ipa_memfunc_set_owner (g->m->owner);
  /* conf_inherit: the first rulepat that matches a rule's name. */
  for (guint r = 0; r < ctx.rules->len; r++)
    for (guint p = 0; p < ctx.rulepats->len; p++)
      if (regexec (ctx.rulepats->pdata[p], ctx.rules->pdata[r], 0, NULL, 0) == 0)
        {
          g_assert_cmpint (g->m->conf_inherit (p, r, ctx.rules->pdata[r]), ==, 0);
          break;
        }
  g_assert_cmpint (g->m->conf_deinit (), ==, 0);
  if (g->db != NULL)
    g_assert_cmpint (g->db->db_pre_init (), ==, 0);
  else
    g_assert_cmpint (g->st->st_pre_init (), ==, 0);
  ipa_memfunc_set_owner (NULL);
  goto out;

fail:
  if (g->parser != NULL)
    ipa_conf_parser_free (g->parser);
  ipa_module_set_free (g->set);
  g_clear_pointer (&g, g_free);
out:
  for (guint p = 0; p < ctx.rulepats->len; p++)
    {
      regfree (ctx.rulepats->pdata[p]);
      g_free (ctx.rulepats->pdata[p]);
    }
  g_ptr_array_unref (ctx.rulepats);
  g_ptr_array_unref (ctx.rules);
  return g;
}

GtModule *
gt_load_db (const char *conf_text)
{
  g_autoptr(GError) error = NULL;
  GtModule *g = gt_try_load (IPA_MODULE_KIND_DB, conf_text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (g->ext);
  return g;
}

GtModule *
gt_load_st (const char *conf_text)
{
  g_autoptr(GError) error = NULL;
  GtModule *g = gt_try_load (IPA_MODULE_KIND_ST, conf_text, &error);

  g_assert_no_error (error);
  return g;
}

void
gt_unload (GtModule *g)
{
  gboolean was = capturing;
  GPtrArray *saved = NULL;
  guint leaks;

  ipa_memfunc_set_owner (g->m->owner);
  if (g->db != NULL)
    g->db->db_deinit ();
  else
    g->st->st_deinit ();
  ipa_memfunc_set_owner (NULL);
  ipa_conf_parser_free (g->parser);
  /* The loader reports what the module did not free; what was captured
   * before stays for the caller. */
  saved = g_steal_pointer (&log_lines);
  gt_log_start ();
  ipa_module_set_free (g->set);
  leaks = gt_log_count ("memory leak");
  gt_log_dump ();
  g_assert_cmpuint (leaks, ==, 0);
  gt_log_stop ();
  g_clear_pointer (&log_lines, g_ptr_array_unref);
  log_lines = saved;
  if (was)
    {
      ipa_log_set_handler (capture, NULL);
      capturing = TRUE;
    }
  g_free (g);
}

void
gt_enter (GtModule *g)
{
  ipa_memfunc_set_owner (g->m->owner);
}

int
gt_leave (int result)
{
  ipa_memfunc_set_owner (NULL);
  return result;
}

ipa_tm
gt_tm (int year, int mon, int day, int hour, int min, int sec)
{
  ipa_tm tm;

  memset (&tm, 0, sizeof tm);
  tm.tm_year = year;
  tm.tm_mon = mon;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  return tm;
}

int
gt_begin (GtModule *g, const ipa_tm *ctm)
{
  return g->ext->db_begin_batch (ctm);
}

int
gt_end (GtModule *g)
{
  return g->ext->db_end_batch ();
}

ipa_mem_type *
gt_mem (void)
{
  static ipa_mem_type *mt;

  if (mt == NULL)
    {
      /* The host's, even when first asked for inside CALL(). */
      const char *owner = ipa_memfunc_get_owner ();

      ipa_memfunc_set_owner (NULL);
      mt = ipa_mem_type_new ("gt", "results of st_gdbm in the tests", 0);
      ipa_memfunc_set_owner (owner);
    }
  return mt;
}

void
gt_free_list (struct ipa_entity_desc *list, unsigned int n)
{
  for (unsigned int i = 0; i < n; i++)
    {
      ipa_mem_free (list[i].name, gt_mem ());
      ipa_mem_free (list[i].info, gt_mem ());
    }
  ipa_mem_free (list, gt_mem ());
}

/* ------------------------------------------------------------------
 * Files
 */

static char *tmp_base;

static void
remove_base (void)
{
  if (tmp_base != NULL)
    gt_rm_rf (tmp_base);
}

char *
gt_tmpdir (const char *name)
{
  char *path;

  if (tmp_base == NULL)
    {
      tmp_base = g_dir_make_tmp ("ipa-gdbm-XXXXXX", NULL);
      g_assert_nonnull (tmp_base);
      atexit (remove_base);
    }
  path = g_build_filename (tmp_base, name, NULL);
  gt_rm_rf (path);
  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
  return path;
}

void
gt_rm_rf (const char *path)
{
  GDir *d;
  const char *e;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }
  d = g_dir_open (path, 0, NULL);
  if (d != NULL)
    {
      while ((e = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *p = g_build_filename (path, e, NULL);

          gt_rm_rf (p);
        }
      g_dir_close (d);
    }
  g_rmdir (path);
}

gboolean
gt_private_mounts (void)
{
  static int state; /* 0 unknown, 1 yes, -1 no */

  if (state == 0)
    {
      state = -1;
      if (geteuid () == 0 && unshare (CLONE_NEWNS) == 0 &&
          mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0)
        state = 1;
    }
  return state > 0;
}

GBytes *
gt_read_file (const char *path)
{
  char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}
