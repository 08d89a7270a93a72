/*
 * test-atest.c: the test accounting module ipa_atest, driven by a small
 * host made of the real module loader and configuration parser: it calls
 * the module in the order of the call contract of ipa_mod(3) (or out of
 * it, on purpose) and reads the module's trace file.
 *
 * With --bench it is the benchmark of ac_get_rule_stat over 100,000 rules
 * (see bench_main).
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
  char *name;
  guint ruleno;
  guint autoruleno;
  gboolean dynamic;
  gboolean active;
  gboolean newstat;      /* the next call gets newstat = 1 */
  gboolean deleted;      /* ac_delete_rule accepted it; deinit after ac_get_stat */
  gint64 counter;
  guint64 last_chunk;
  int last_addition;
  guint failures;
} HostRule;

typedef struct {
  IpaModuleSet *set;
  IpaModule *mod;
  struct ipa_ac_mod *ac;
  char *dir;
  char *trace_path;
  char *control_path;
  GPtrArray *rules;        /* HostRule *; static rules at index ruleno */
  GPtrArray *autorules;    /* char * */
  GPtrArray *rulepats;     /* GRegex * */
  guint n_static;
  guint gen;
  gboolean in_get_stat;
  gboolean deinited;
  /* Host bugs, on purpose */
  gboolean bug_no_init_dynrule;   /* ac_create_rule returns 0 without ac_init_dynrule */
  gboolean bug_accept_duplicate;  /* ac_create_rule accepts an existing name */
} Host;

static Host *current;

static void
host_rule_free (gpointer p)
{
  HostRule *r = p;

  g_free (r->name);
  g_free (r);
}

static HostRule *
host_rule (Host *h, guint ruleno)
{
  for (guint i = 0; i < h->rules->len; i++)
    {
      HostRule *r = h->rules->pdata[i];

      if (r->ruleno == ruleno)
        return r;
    }
  return NULL;
}

static HostRule *
host_rule_named (Host *h, const char *name)
{
  for (guint i = 0; i < h->rules->len; i++)
    {
      HostRule *r = h->rules->pdata[i];

      if (strcmp (r->name, name) == 0)
        return r;
    }
  return NULL;
}

/* A rule the test knows exists. */
static HostRule *
need_rule (Host *h, const char *name)
{
  HostRule *r = host_rule_named (h, name);

  if (r == NULL)
    g_error ("the host has no rule %s", name);
  return r;
}

/* ac_create_rule and ac_delete_rule as an engine does them. */
static int
hook_create (const char *mod_name, unsigned int autoruleno, unsigned int *ruleno,
             const char *rule_name, const char *rule_info)
{
  Host *h = current;
  HostRule *r;
  guint no;

  g_assert_cmpstr (mod_name, ==, "atest");
  if (!h->in_get_stat)
    return -1;   /* INV-63 */
  if (host_rule_named (h, rule_name) != NULL && !h->bug_accept_duplicate)
    return -2;
  for (no = h->n_static; host_rule (h, no) != NULL; no++)
    ;
  r = g_new0 (HostRule, 1);
  r->name = g_strdup (rule_name);
  r->ruleno = no;
  r->autoruleno = autoruleno;
  r->dynamic = TRUE;
  r->active = TRUE;
  r->newstat = TRUE;
  g_ptr_array_add (h->rules, r);
  if (!h->bug_no_init_dynrule && h->ac->ac_init_dynrule (autoruleno, no, r->name) != 0)
    {
      g_ptr_array_remove (h->rules, r);
      return -1;
    }
  *ruleno = no;
  return 0;
}

static int
hook_delete (const char *mod_name, unsigned int ruleno)
{
  Host *h = current;
  HostRule *r = host_rule (h, ruleno);

  if (!h->in_get_stat || r == NULL || !r->dynamic || r->deleted)
    return -1;   /* INV-63, INV-71 */
  r->deleted = TRUE;
  return 0;
}

/* The configuration schema: the standard sections, nothing else. */

static gboolean
rule_begin (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data, GError **error)
{
  Host *h = user_data;
  HostRule *r = g_new0 (HostRule, 1);

  g_assert_cmpuint (st->no, ==, h->rules->len);
  r->name = g_strdup (st->args[0].text);
  r->ruleno = st->no;
  r->active = TRUE;
  r->newstat = TRUE;
  g_ptr_array_add (h->rules, r);
  h->n_static++;
  return TRUE;
}

static gboolean
autorule_begin (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
                GError **error)
{
  Host *h = user_data;

  g_ptr_array_add (h->autorules, g_strdup (st->args[0].text));
  return TRUE;
}

static gboolean
rulepat_begin (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
               GError **error)
{
  Host *h = user_data;

  g_ptr_array_add (h->rulepats, g_regex_new (st->value.u.str, 0, 0, NULL));
  return TRUE;
}

static const unsigned int w_root[] = { IPA_CONF_SECT_ROOT, 0 };
static const unsigned int w_holders[] = { IPA_CONF_SECT_RULE, IPA_CONF_SECT_AUTORULE,
                                          IPA_CONF_SECT_RULEPAT, 0 };

static const IpaConfSectDef sects[] = {
  { "global", IPA_CONF_SECT_GLOBAL, 0, 0, w_root, IPA_CONF_EVENT_GLOBAL_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "rule", IPA_CONF_SECT_RULE, 1, 0, w_root, IPA_CONF_EVENT_RULE_BEGIN,
    IPA_CONF_NUMBER_FILE, "rule", rule_begin, NULL },
  { "autorule", IPA_CONF_SECT_AUTORULE, 1, 0, w_root, IPA_CONF_EVENT_AUTORULE_BEGIN,
    IPA_CONF_NUMBER_FILE, "autorule", autorule_begin, NULL },
  { "rulepat", IPA_CONF_SECT_RULEPAT, 1, IPA_CONF_TYPE_STRING, w_root,
    IPA_CONF_EVENT_RULEPAT_BEGIN, IPA_CONF_NUMBER_FILE, NULL, rulepat_begin, NULL },
  { "limit", IPA_CONF_SECT_LIMIT, 1, 0, w_holders, IPA_CONF_EVENT_LIMIT_BEGIN,
    IPA_CONF_NUMBER_PARENT, "limit", NULL, NULL },
  { "threshold", IPA_CONF_SECT_THRESHOLD, 1, 0, w_holders, IPA_CONF_EVENT_THRESHOLD_BEGIN,
    IPA_CONF_NUMBER_PARENT, "threshold", NULL, NULL },
  { NULL }
};
static const IpaConfParamDef params[] = { { NULL } };
static const IpaConfSchema schema = { sects, params };

/* Load the module and parse @body, in which "@TRACE@" and "@CONTROL@" are
 * replaced by paths in a fresh directory.  Returns NULL with @error set
 * when the configuration is refused (the host is then freed). */
static Host *
host_new_full (const char *body, GError **error)
{
  Host *h = g_new0 (Host, 1);
  g_autoptr(IpaConfParser) parser = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GString) text = g_string_new (body);
  IpaConfModuleTables tables;

  h->dir = g_dir_make_tmp ("test-atest-XXXXXX", &local);
  g_assert_no_error (local);
  h->trace_path = g_build_filename (h->dir, "trace", NULL);
  h->control_path = g_build_filename (h->dir, "control", NULL);
  g_string_replace (text, "@TRACE@", h->trace_path, 0);
  g_string_replace (text, "@CONTROL@", h->control_path, 0);
  h->rules = g_ptr_array_new_with_free_func (host_rule_free);
  h->autorules = g_ptr_array_new_with_free_func (g_free);
  h->rulepats = g_ptr_array_new_with_free_func ((GDestroyNotify) g_regex_unref);

  h->set = ipa_module_set_new ();
  h->mod = ipa_module_set_load (h->set, IPA_MODULE_KIND_AC, "ipa_atest.so", &local);
  g_assert_no_error (local);
  h->ac = h->mod->mod.ac;
  current = h;
  ipa_module_set_ac_hooks (hook_create, hook_delete);

  parser = ipa_conf_parser_new (&schema, h);
  tables = ipa_module_set_conf_tables (h->set, h->mod);
  g_assert_true (ipa_conf_parser_add_module (parser, &tables, &local));
  if (!ipa_conf_parser_parse_data (parser, "test.conf", text->str, -1, error))
    {
      /* The engine runs the whole deinit chain after a refused
       * configuration (INV-75). */
      h->ac->ac_deinit ();
      h->deinited = TRUE;
      return h;
    }

  /* rulepat inheritance, then the end of the configuration. */
  for (guint i = 0; i < h->n_static; i++)
    {
      HostRule *r = h->rules->pdata[i];

      for (guint p = 0; p < h->rulepats->len; p++)
        if (g_regex_match (h->rulepats->pdata[p], r->name, 0, NULL))
          g_assert_cmpint (h->ac->conf_inherit (p, r->ruleno, r->name), ==, 0);
    }
  g_assert_cmpint (h->ac->conf_deinit (), ==, 0);
  return h;
}

static Host *
host_new (const char *body)
{
  g_autoptr(GError) error = NULL;
  Host *h = host_new_full (body, &error);

  g_assert_no_error (error);
  return h;
}

/* pre_init, autorules, static rules, init (INV-34..36).  Returns the
 * first -1. */
static int
host_init (Host *h)
{
  if (h->ac->ac_pre_init () != 0)
    return -1;
  for (guint i = 0; i < h->autorules->len; i++)
    if (h->ac->ac_init_autorule (i, h->autorules->pdata[i]) != 0)
      return -1;
  for (guint i = 0; i < h->n_static; i++)
    {
      HostRule *r = h->rules->pdata[i];

      if (h->ac->ac_init_statrule (r->ruleno, r->name) != 0)
        return -1;
    }
  return h->ac->ac_init ();
}

/* "YYYY-MM-DD HH:MM:SS" as an ipa_tm (real year, month 1..12). */
static ipa_tm
tm_at (const char *when)
{
  struct tm t = { 0 };
  ipa_tm tm = { 0 };
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

/* One statistics round (ipa_mod.md 14.2, steps 1, 2 and 6).  Returns the
 * result of ac_get_stat, or -1 if a get_rule_stat failed. */
static int
host_round (Host *h, const char *when)
{
  ipa_tm tm = tm_at (when);
  int r, failed = 0;

  if (++h->gen == 0)
    h->gen = 1;
  h->in_get_stat = TRUE;
  r = h->ac->ac_get_stat (&tm);
  h->in_get_stat = FALSE;
  for (guint i = 0; i < h->rules->len;)
    {
      HostRule *rule = h->rules->pdata[i];

      if (rule->deleted)
        {
          g_assert_cmpint (h->ac->ac_deinit_rule (rule->ruleno), ==, 0);
          g_ptr_array_remove_index (h->rules, i);
        }
      else
        i++;
    }
  if (r != 0)
    return r;
  for (guint i = 0; i < h->rules->len; i++)
    {
      HostRule *rule = h->rules->pdata[i];
      int addition = -1;
      uint64_t chunk = 12345;

      if (!rule->active)
        continue;
      r = h->ac->ac_get_rule_stat (h->gen, rule->newstat, rule->ruleno, &addition, &chunk);
      /* The module was told, whatever it answered. */
      rule->newstat = FALSE;
      if (r != 0)
        {
          rule->failures++;
          failed = -1;
          continue;
        }
      rule->last_chunk = chunk;
      rule->last_addition = addition;
      rule->counter += addition ? (gint64) chunk : -(gint64) chunk;
    }
  return failed;
}

static void
host_set_active (Host *h, const char *name, gboolean active)
{
  HostRule *r = need_rule (h, name);

  g_assert_cmpint (h->ac->ac_set_rule_active (r->ruleno, active), ==, 0);
  if (active && !r->active)
    r->newstat = TRUE;
  r->active = active;
}

/* The deinit chain (14.3): dynamic rules, static rules, autorules, deinit. */
static void
host_deinit (Host *h)
{
  for (guint i = h->rules->len; i-- > 0;)
    {
      HostRule *r = h->rules->pdata[i];

      if (r->dynamic)
        h->ac->ac_deinit_rule (r->ruleno);
    }
  for (guint i = 0; i < h->n_static; i++)
    h->ac->ac_deinit_rule (((HostRule *) h->rules->pdata[i])->ruleno);
  for (guint i = 0; i < h->autorules->len; i++)
    h->ac->ac_deinit_autorule (i);
  h->ac->ac_deinit ();
  h->deinited = TRUE;
}

static void
report_leak (const char *message, gpointer user_data)
{
  g_test_message ("leak: %s", message);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

/* Deinit if needed, check that the module freed everything, unload. */
static void
host_free (Host *h)
{
  if (!h->deinited)
    host_deinit (h);
  g_assert_cmpuint (ipa_memfunc_check_leaks (h->mod->owner, report_leak, NULL), ==, 0);
  ipa_module_set_free (h->set);
  ipa_module_set_ac_hooks (NULL, NULL);
  current = NULL;
  g_ptr_array_unref (h->rules);
  g_ptr_array_unref (h->autorules);
  g_ptr_array_unref (h->rulepats);
  remove_dir (h->dir);
  g_free (h->dir);
  g_free (h->trace_path);
  g_free (h->control_path);
  g_free (h);
}

/* The trace */

static char **
trace_lines (Host *h)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (h->trace_path, &text, NULL, &error);
  g_assert_no_error (error);
  return g_strsplit (text, "\n", -1);
}

static gboolean
trace_has (Host *h, const char *line)
{
  g_auto (GStrv) lines = trace_lines (h);

  return g_strv_contains ((const char *const *) lines, line);
}

static guint
trace_count (Host *h, const char *needle)
{
  g_auto (GStrv) lines = trace_lines (h);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], needle) != NULL)
      n++;
  return n;
}

static void
assert_trace_has (Host *h, const char *line)
{
  if (!trace_has (h, line))
    {
      g_autofree char *text = NULL;

      g_file_get_contents (h->trace_path, &text, NULL, NULL);
      g_error ("trace has no line \"%s\":\n%s", line, text);
    }
}

static void
assert_no_violation (Host *h)
{
  if (trace_count (h, "VIOLATION") > 0)
    {
      g_autofree char *text = NULL;

      g_file_get_contents (h->trace_path, &text, NULL, NULL);
      g_error ("unexpected VIOLATION:\n%s", text);
    }
}

static void
write_control (Host *h, const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (h->control_path, text, -1, &error);
  g_assert_no_error (error);
}

static gint64
counter (Host *h, const char *name)
{
  return need_rule (h, name)->counter;
}

/* Tests */

static void
test_chunk (void)
{
  Host *h = host_new ("atest:trace \"@TRACE@\";\n"
                      "global { atest:chunk 100; }\n"
                      "rulepat \"^p\" { atest:chunk 1G 512M; }\n"
                      "rule r1 { atest:chunk 1K; }\n"
                      "rule r2 { atest:chunk -5; }\n"
                      "rule p1 { }\n"
                      "rule p2 { atest:chunk 7; }\n"
                      "rule r3 { }\n");

  g_assert_cmpint (host_init (h), ==, 0);
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (host_round (h, "2024-03-01 12:00:00"), ==, 0);
  g_assert_cmpint (counter (h, "r1"), ==, 3 * 1024);
  g_assert_cmpint (counter (h, "r2"), ==, -15);
  g_assert_cmpint (need_rule (h, "r2")->last_addition, ==, 0);
  g_assert_cmpint (counter (h, "p1"), ==, 3 * (G_GINT64_CONSTANT (1) << 30 | 512 << 20));
  g_assert_cmpint (counter (h, "p2"), ==, 21);   /* the rule wins over the rulepat */
  g_assert_cmpint (counter (h, "r3"), ==, 300);  /* global */
  assert_trace_has (h, "get_rule_stat gen=1 newstat=1 rule=0 add=1 chunk=1024 ret=0");
  assert_trace_has (h, "get_rule_stat gen=2 newstat=0 rule=1 add=0 chunk=5 ret=0");
  assert_trace_has (h, "conf_inherit rulepat=0 rule=2 name=p1");
  assert_no_violation (h);
  host_free (h);
}

static void
test_rate (void)
{
  Host *h = host_new ("atest:trace \"@TRACE@\";\n"
                      "rule r { atest:rate 100; }\n"
                      "rule fixed { atest:chunk 1; }\n");

  g_assert_cmpint (host_init (h), ==, 0);
  /* The first call only starts the clock. */
  g_assert_cmpint (host_round (h, "2024-03-31 01:59:50"), ==, 0);
  g_assert_cmpuint (need_rule (h, "r")->last_chunk, ==, 0);
  /* 10 s by the calendar, although local time jumps at 02:00 on DST
   * days: fields are compared as UTC. */
  g_assert_cmpint (host_round (h, "2024-03-31 02:00:00"), ==, 0);
  g_assert_cmpuint (need_rule (h, "r")->last_chunk, ==, 1000);
  g_assert_cmpint (host_round (h, "2024-03-31 02:00:15"), ==, 0);
  g_assert_cmpuint (need_rule (h, "r")->last_chunk, ==, 1500);
  /* Backwards: nothing. */
  g_assert_cmpint (host_round (h, "2024-03-31 02:00:05"), ==, 0);
  g_assert_cmpuint (need_rule (h, "r")->last_chunk, ==, 0);
  /* Across a day and a month. */
  g_assert_cmpint (host_round (h, "2024-04-01 02:00:05"), ==, 0);
  g_assert_cmpuint (need_rule (h, "r")->last_chunk, ==, 100 * 86400);

  /* After a pause the new start is the activation. */
  host_set_active (h, "r", FALSE);
  g_assert_cmpint (host_round (h, "2024-04-01 03:00:00"), ==, 0);
  host_set_active (h, "r", TRUE);
  g_assert_cmpint (host_round (h, "2024-04-01 04:00:00"), ==, 0);
  g_assert_cmpuint (need_rule (h, "r")->last_chunk, ==, 0);
  g_assert_cmpint (host_round (h, "2024-04-01 04:00:01"), ==, 0);
  g_assert_cmpuint (need_rule (h, "r")->last_chunk, ==, 100);
  g_assert_cmpint (counter (h, "r"), ==, 1000 + 1500 + 100 * 86400 + 100);
  assert_trace_has (h, "get_stat tm=2024-03-31T02:00:00 wday=0");
  assert_trace_has (h, "set_rule_active rule=0 active=0");
  assert_no_violation (h);
  host_free (h);
}

static void
test_trace_sequence (void)
{
  Host *h = host_new ("atest:trace \"@TRACE@\";\n"
                      "rule \"a b\" { atest:chunk 2; limit l1 { } }\n");
  g_autofree char *text = NULL;
  ipa_tm tm = tm_at ("2024-02-29 23:59:59");
  int addition;
  uint64_t chunk;
  static const char expected[] =
    "conf_init\n"
    "conf_event event=3 no=0 arg=a%20b\n"
    "conf_event event=5 no=0 arg=l1\n"
    "conf_event event=6 no=0 arg=l1\n"
    "conf_event event=4 no=0 arg=a%20b\n"
    "conf_deinit\n"
    "pre_init\n"
    "init_statrule rule=0 name=a%20b\n"
    "init\n"
    "get_stat tm=2024-02-29T23:59:59 wday=4\n"
    "get_rule_stat gen=7 newstat=1 rule=0 add=1 chunk=2 ret=0\n"
    "set_limit_active rule=0 limit=0 active=0\n"
    "set_threshold_active rule=0 threshold=3 active=1\n"
    "limit_event rule=0 limit=0 event=3\n"
    "threshold_event rule=0 threshold=3 event=2\n"
    "set_autorule_active autorule=0 active=1\n"
    "VIOLATION set_autorule_active autorule=0: autorule not initialised\n"
    "deinit_rule rule=0\n"
    "deinit\n";

  g_assert_cmpint (host_init (h), ==, 0);
  g_assert_cmpint (h->ac->ac_get_stat (&tm), ==, 0);
  g_assert_cmpint (h->ac->ac_get_rule_stat (7, 1, 0, &addition, &chunk), ==, 0);
  g_assert_cmpint (h->ac->ac_set_limit_active (0, 0, 0), ==, 0);
  g_assert_cmpint (h->ac->ac_set_threshold_active (0, 3, 1), ==, 0);
  g_assert_cmpint (h->ac->ac_limit_event (0, 0, IPA_LIMIT_EVENT_REACH), ==, 0);
  g_assert_cmpint (h->ac->ac_threshold_event (0, 3, IPA_THRESHOLD_EVENT_ABOVE), ==, 0);
  g_assert_cmpint (h->ac->ac_set_autorule_active (0, 1), ==, 0);
  host_deinit (h);
  g_file_get_contents (h->trace_path, &text, NULL, NULL);
  g_assert_cmpstr (text, ==, expected);
  host_free (h);
}

static void
test_violations (void)
{
  Host *h = host_new ("atest:trace \"@TRACE@\";\n"
                      "rule r0 { atest:chunk 1; }\n"
                      "rule r1 { atest:chunk 1; }\n");
  ipa_tm tm = tm_at ("2024-05-06 07:08:09");
  ipa_tm bad = tm;
  int addition;
  uint64_t chunk;

  /* Runtime calls before the module was initialised. */
  g_assert_cmpint (h->ac->ac_get_stat (&tm), ==, 0);
  assert_trace_has (h, "VIOLATION ac_get_stat before ac_pre_init (allowed only after ac_init)");
  g_assert_cmpint (h->ac->ac_pre_init (), ==, 0);
  g_assert_cmpint (h->ac->ac_init (), ==, 0);
  /* A static rule after ac_init. */
  g_assert_cmpint (h->ac->ac_init_statrule (0, "r0"), ==, 0);
  assert_trace_has (h, "VIOLATION ac_init_statrule after ac_init "
                    "(allowed only between ac_pre_init and ac_init)");
  g_assert_cmpint (h->ac->ac_init_statrule (0, "r0"), ==, -1);
  assert_trace_has (h, "VIOLATION init_statrule rule=0: already initialised");
  g_assert_cmpint (h->ac->ac_init_statrule (1, "r1"), ==, 0);

  /* First call with newstat = 0, then generation 0. */
  g_assert_cmpint (h->ac->ac_get_stat (&tm), ==, 0);
  g_assert_cmpint (h->ac->ac_get_rule_stat (5, 0, 0, &addition, &chunk), ==, 0);
  assert_trace_has (h, "VIOLATION get_rule_stat rule=0: first call after init or activation "
                    "with newstat=0 (INV-48)");
  g_assert_cmpint (h->ac->ac_get_rule_stat (0, 1, 1, &addition, &chunk), ==, 0);
  assert_trace_has (h, "VIOLATION get_rule_stat rule=1: stat_generation 0 (INV-45)");
  assert_trace_has (h, "VIOLATION get_rule_stat rule=1: stat_generation changed from 5 to 0 "
                    "without an ac_get_stat (INV-45)");

  /* The same generation across ac_get_stat, twice for a rule, newstat
   * out of place. */
  g_assert_cmpint (h->ac->ac_get_stat (&tm), ==, 0);
  g_assert_cmpint (h->ac->ac_get_rule_stat (0, 1, 0, &addition, &chunk), ==, 0);
  assert_trace_has (h, "VIOLATION get_rule_stat rule=0: stat_generation 0 did not change "
                    "since before the last ac_get_stat (INV-45)");
  assert_trace_has (h, "VIOLATION get_rule_stat rule=0: newstat=1, but the rule was neither "
                    "initialised nor activated since its previous call (INV-48)");
  g_assert_cmpint (h->ac->ac_get_stat (&tm), ==, 0);
  g_assert_cmpint (h->ac->ac_get_rule_stat (9, 0, 0, &addition, &chunk), ==, 0);
  g_assert_cmpint (h->ac->ac_get_rule_stat (9, 0, 0, &addition, &chunk), ==, 0);
  assert_trace_has (h, "VIOLATION get_rule_stat rule=0: second call in generation 9");

  /* An inactive rule, an unknown rule. */
  g_assert_cmpint (h->ac->ac_set_rule_active (0, 0), ==, 0);
  g_assert_cmpint (h->ac->ac_get_stat (&tm), ==, 0);
  g_assert_cmpint (h->ac->ac_get_rule_stat (10, 0, 0, &addition, &chunk), ==, 0);
  assert_trace_has (h, "VIOLATION get_rule_stat rule=0: the rule is inactive (INV-47)");
  g_assert_cmpint (h->ac->ac_get_rule_stat (10, 1, 7, &addition, &chunk), ==, -1);
  assert_trace_has (h, "VIOLATION get_rule_stat rule=7: rule not initialised");
  assert_trace_has (h, "get_rule_stat gen=10 newstat=1 rule=7 add=1 chunk=0 ret=-1");

  /* Events that a module never receives; a date given as struct tm. */
  g_assert_cmpint (h->ac->ac_limit_event (1, 0, IPA_LIMIT_EVENT_UPDATED), ==, 0);
  assert_trace_has (h, "VIOLATION limit_event rule=1 limit=0: event 7 is not one an accounting "
                    "module receives (INV-50)");
  g_assert_cmpint (h->ac->ac_threshold_event (1, 0, 3), ==, 0);
  assert_trace_has (h, "VIOLATION threshold_event rule=1 threshold=0: unknown event 3 (INV-51)");
  bad.tm_year -= 1900;
  bad.tm_mon -= 1;
  g_assert_cmpint (h->ac->ac_get_stat (&bad), ==, 0);
  assert_trace_has (h, "VIOLATION get_stat: ctm 0124-04-06T07:08:09 wday=1 is not a valid "
                    "ipa_tm (INV-62)");
  /* ac_deinit with a rule left, then a call after it. */
  g_assert_cmpint (h->ac->ac_deinit_rule (1), ==, 0);
  g_assert_cmpint (h->ac->ac_deinit (), ==, 0);
  h->deinited = TRUE;
  assert_trace_has (h, "VIOLATION ac_deinit while 1 rules (r0, ...) were not deinitialised");
  g_assert_cmpint (h->ac->ac_get_stat (&tm), ==, 0);
  assert_trace_has (h, "VIOLATION ac_get_stat after ac_deinit (allowed only after ac_init)");
  host_free (h);
}

static void
test_control (void)
{
  Host *h = host_new ("atest:trace \"@TRACE@\";\n"
                      "global { atest:control \"@CONTROL@\"; }\n"
                      "autorule users { atest:chunk 10; }\n"
                      "rule s { atest:chunk 1; }\n");

  g_assert_cmpint (host_init (h), ==, 0);
  /* No file yet: nothing happens. */
  g_assert_cmpint (host_round (h, "2024-01-01 00:00:00"), ==, 0);
  write_control (h, "# a comment\n\n"
                 "chunk s 1K\n"
                 "create users u1 the first user\n"
                 "create users u2\n"
                 "create nobody x\n"
                 "chunk u2 -3\n"
                 "bogus line\n");
  g_assert_cmpint (host_round (h, "2024-01-01 00:01:00"), ==, 0);
  g_assert_cmpuint (need_rule (h, "s")->last_chunk, ==, 1024);
  g_assert_cmpuint (need_rule (h, "u1")->last_chunk, ==, 10);
  g_assert_cmpuint (need_rule (h, "u2")->last_chunk, ==, 3);
  g_assert_cmpint (need_rule (h, "u2")->last_addition, ==, 0);
  assert_trace_has (h, "init_dynrule autorule=0 rule=1 name=u1");
  assert_trace_has (h, "create_rule autorule=0 name=u1 ret=0 rule=1");
  assert_trace_has (h, "create_rule autorule=0 name=u2 ret=0 rule=2");
  g_assert_true (log_has ("no autorule \"nobody\""));
  g_assert_true (log_has (":8: unknown command \"bogus\""));

  /* The same lines again do nothing; delete acts once. */
  write_control (h, "create users u1 the first user\ndelete u1\n");
  g_assert_cmpint (host_round (h, "2024-01-01 00:02:00"), ==, 0);
  g_assert_null (host_rule_named (h, "u1"));
  assert_trace_has (h, "delete_rule rule=1 ret=0");
  assert_trace_has (h, "deinit_rule rule=1");
  g_assert_cmpuint (trace_count (h, "create_rule autorule=0 name=u1"), ==, 1);
  /* Removing and adding a line back does not run it again. */
  write_control (h, "\n");
  g_assert_cmpint (host_round (h, "2024-01-01 00:03:00"), ==, 0);
  write_control (h, "create users u1 the first user\ndelete u1\n");
  g_assert_cmpint (host_round (h, "2024-01-01 00:04:00"), ==, 0);
  g_assert_null (host_rule_named (h, "u1"));
  g_assert_cmpuint (trace_count (h, "create_rule autorule=0 name=u1"), ==, 1);
  /* The chunk lines are gone, the amounts stay. */
  g_assert_cmpuint (need_rule (h, "s")->last_chunk, ==, 1024);

  /* Deleting a static rule: the host refuses, ac_get_stat fails. */
  write_control (h, "delete s\n");
  g_assert_cmpint (host_round (h, "2024-01-01 00:05:00"), ==, -1);
  assert_trace_has (h, "delete_rule rule=0 ret=-1");
  assert_no_violation (h);
  host_free (h);
}

static void
test_create_duplicate (void)
{
  Host *h = host_new ("atest:trace \"@TRACE@\";\n"
                      "autorule a { atest:create \"d1 d2\"; atest:duplicate yes; atest:rate 1K; }\n"
                      "autorule b { atest:create \"d3\"; }\n"
                      "rulepat \"^d3$\" { atest:chunk 9; }\n"
                      "global { atest:chunk 5; }\n");

  g_assert_cmpint (host_init (h), ==, 0);
  g_assert_cmpint (h->ac->conf_inherit (0, 2, "d3"), ==, 0);   /* A-19, before the create */
  g_assert_cmpint (host_round (h, "2024-01-01 00:00:00"), ==, 0);
  g_assert_cmpint (host_round (h, "2024-01-01 00:00:02"), ==, 0);
  assert_trace_has (h, "create_rule autorule=0 name=d1 ret=0 rule=0");
  assert_trace_has (h, "create_rule autorule=0 name=d1 ret=-2 rule=- duplicate=1");
  assert_trace_has (h, "create_rule autorule=0 name=d2 ret=-2 rule=- duplicate=1");
  assert_trace_has (h, "create_rule autorule=1 name=d3 ret=0 rule=2");
  /* Created once, after ac_init, not at every round. */
  g_assert_cmpuint (trace_count (h, "create_rule autorule=1"), ==, 1);
  g_assert_cmpuint (need_rule (h, "d1")->last_chunk, ==, 2048);  /* the autorule's rate */
  g_assert_cmpuint (need_rule (h, "d3")->last_chunk, ==, 9);     /* the rulepat's chunk */
  assert_no_violation (h);
  host_free (h);
}

static void
test_host_bugs (void)
{
  Host *h = host_new ("atest:trace \"@TRACE@\";\n"
                      "autorule a { atest:create \"x\"; atest:duplicate yes; }\n");

  g_assert_cmpint (host_init (h), ==, 0);
  h->bug_no_init_dynrule = TRUE;
  h->bug_accept_duplicate = TRUE;
  g_assert_cmpint (host_round (h, "2024-01-01 00:00:00"), ==, -1);
  assert_trace_has (h, "VIOLATION ac_create_rule of x returned 0 without calling "
                    "ac_init_dynrule (INV-66)");
  assert_trace_has (h, "VIOLATION ac_create_rule of the existing rule x returned 0, "
                    "expected -2 (INV-64)");
  /* The module checks what it can of the rules the host did not init. */
  assert_trace_has (h, "VIOLATION get_rule_stat rule=0: rule not initialised");
  g_ptr_array_set_size (h->rules, 0);
  host_free (h);
}

static void
test_fail (void)
{
  Host *h = host_new ("atest:trace \"@TRACE@\";\n"
                      "global { atest:fail \"get_stat@3 deinit\"; "
                      "atest:fail_once \"limit_event@2\"; atest:chunk 1; }\n"
                      "rule r1 { atest:fail \"get_rule_stat@2\"; }\n"
                      "rulepat \"^r2\" { atest:fail_once \"get_rule_stat@1\"; }\n"
                      "rule r2 { }\n"
                      "rule r3 { }\n");

  g_assert_cmpint (host_init (h), ==, 0);
  g_assert_cmpint (host_round (h, "2024-01-01 00:00:00"), ==, -1);   /* r2 once */
  g_assert_cmpuint (need_rule (h, "r2")->failures, ==, 1);
  g_assert_cmpint (host_round (h, "2024-01-01 00:00:01"), ==, -1);   /* r1 from now on */
  g_assert_cmpuint (need_rule (h, "r1")->failures, ==, 1);
  g_assert_cmpint (need_rule (h, "r1")->counter, ==, 1);
  g_assert_cmpint (need_rule (h, "r2")->counter, ==, 1);
  g_assert_cmpint (need_rule (h, "r3")->counter, ==, 2);
  g_assert_cmpint (host_round (h, "2024-01-01 00:00:02"), ==, -1);   /* get_stat from now on */
  g_assert_cmpint (host_round (h, "2024-01-01 00:00:03"), ==, -1);
  g_assert_cmpint (need_rule (h, "r3")->counter, ==, 2);
  assert_trace_has (h, "get_stat ret=-1 planned=1");
  assert_trace_has (h, "get_rule_stat gen=2 newstat=0 rule=0 add=1 chunk=0 ret=-1");
  g_assert_cmpint (h->ac->ac_limit_event (0, 0, IPA_LIMIT_EVENT_REACH), ==, 0);
  g_assert_cmpint (h->ac->ac_limit_event (0, 0, IPA_LIMIT_EVENT_EXPIRE), ==, -1);
  g_assert_cmpint (h->ac->ac_limit_event (0, 0, IPA_LIMIT_EVENT_RESTART), ==, 0);
  for (guint i = 0; i < h->n_static; i++)
    g_assert_cmpint (h->ac->ac_deinit_rule (i), ==, 0);
  g_assert_cmpint (h->ac->ac_deinit (), ==, -1);
  h->deinited = TRUE;
  assert_no_violation (h);
  host_free (h);

  /* Initialisation: the second static rule fails; every later one too. */
  h = host_new ("global { atest:fail \"init_statrule@2\"; }\nrule a {}\nrule b {}\nrule c {}\n");
  g_assert_cmpint (h->ac->ac_pre_init (), ==, 0);
  g_assert_cmpint (h->ac->ac_init_statrule (0, "a"), ==, 0);
  g_assert_cmpint (h->ac->ac_init_statrule (1, "b"), ==, -1);
  g_assert_cmpint (h->ac->ac_init_statrule (2, "c"), ==, -1);
  host_free (h);

  /* Per rule: its own first init fails. */
  h = host_new ("rule a { atest:fail \"init_statrule\"; }\nrule b {}\n");
  g_assert_cmpint (h->ac->ac_pre_init (), ==, 0);
  g_assert_cmpint (h->ac->ac_init_statrule (0, "a"), ==, -1);
  g_assert_cmpint (h->ac->ac_init_statrule (1, "b"), ==, 0);
  host_free (h);
}

static void
test_stall (void)
{
  Host *h = host_new ("global { atest:stall 1s; }\nrule r { atest:stall 1; atest:chunk 1; }\n"
                      "rule fast { atest:chunk 1; }\n");
  ipa_tm tm = tm_at ("2024-01-01 00:00:00");
  gint64 t0, t1, t2;
  int addition;
  uint64_t chunk;

  g_assert_cmpint (host_init (h), ==, 0);
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (h->ac->ac_get_stat (&tm), ==, 0);
  t1 = g_get_monotonic_time ();
  g_assert_cmpint (h->ac->ac_get_rule_stat (1, 1, 1, &addition, &chunk), ==, 0);
  g_assert_cmpint (h->ac->ac_get_rule_stat (1, 1, 0, &addition, &chunk), ==, 0);
  t2 = g_get_monotonic_time ();
  g_assert_cmpint (t1 - t0, >=, G_USEC_PER_SEC);
  g_assert_cmpint (t2 - t1, >=, G_USEC_PER_SEC);
  g_assert_cmpint (t2 - t1, <, 2 * G_USEC_PER_SEC);   /* only "r" stalls */
  host_free (h);
}

static void
test_debug (void)
{
  Host *h;

  g_ptr_array_set_size (log_lines, 0);
  h = host_new ("global { atest:debug yes; }\nrule quiet { atest:debug no; atest:chunk 3; }\n"
                "rule loud { atest:chunk 4; }\n");
  g_assert_cmpint (host_init (h), ==, 0);
  g_assert_cmpint (host_round (h, "2024-01-01 00:00:00"), ==, 0);
  g_assert_true (log_has ("6 atest: get_stat tm=2024-01-01T00:00:00 wday=1"));
  g_assert_true (log_has ("atest: get_rule_stat gen=1 newstat=1 rule=1 add=1 chunk=4 ret=0"));
  g_assert_false (log_has ("rule=0 add=1 chunk=3"));
  g_assert_true (log_has ("atest: init_statrule rule=0 name=quiet"));
  host_free (h);
}

static void
expect_conf_error (const char *body, const char *needle)
{
  g_autoptr(GError) error = NULL;
  Host *h = host_new_full (body, &error);

  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE);
  g_test_message ("%s", error->message);
  if (strstr (error->message, needle) == NULL)
    g_error ("\"%s\" not in \"%s\"", needle, error->message);
  g_assert_true (g_str_has_prefix (error->message, "test.conf:"));
  host_free (h);
}

static void
test_conf_errors (void)
{
  g_autoptr(GError) error = NULL;
  Host *h;

  expect_conf_error ("rule r {\n atest:chunk 1X;\n}\n",
                     "test.conf:2:2: module \"atest\" rejected the arguments of parameter "
                     "\"atest:chunk\": atest:chunk \"1X\": expected [-]AMOUNT");
  expect_conf_error ("rule r { atest:chunk 1; atest:rate 1; }\n",
                     "atest:rate: the amount (atest:chunk or atest:rate) is given twice");
  expect_conf_error ("rule r { atest:fail \"get_stat\"; }\n",
                     "atest:fail: get_stat counts the calls of the whole module; "
                     "plan it in the global section");
  expect_conf_error ("global { atest:fail \"nothing@2\"; }\n",
                     "unknown function \"nothing\"; known: pre_init init");
  expect_conf_error ("global { atest:fail_once \"init@0\"; }\n",
                     "\"init@0\": expected FUNC or FUNC@N with N a number from 1");
  expect_conf_error ("atest:control \"/a\";\nglobal { atest:control \"/b\"; }\n",
                     "atest:control given twice (first \"/a\")");
  expect_conf_error ("atest:trace \"/nonexistent/dir/trace\";\n",
                     "atest:trace: cannot open \"/nonexistent/dir/trace\": No such file");
  expect_conf_error ("autorule a { atest:create \"  \"; }\n", "atest:create: no rule name given");

  /* Placement is the parser's job, from param_where. */
  h = host_new_full ("rule r { atest:create \"x\"; }\n", &error);
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_PLACEMENT);
  host_free (h);
}

static void
test_conf_show (void)
{
  Host *h = host_new ("atest:control \"/c\";\n"
                      "global { atest:chunk -1K 512B; atest:fail \"get_stat deinit@3\"; }\n"
                      "rule r { atest:rate 2K; atest:stall 90; "
                      "atest:fail_once \"get_rule_stat@4\"; }\n"
                      "autorule a { atest:create \"x y\"; atest:duplicate yes; "
                      "atest:debug no; }\n");
  g_autoptr(IpaConfPrinter) printer = ipa_conf_printer_new ();
  g_autofree char *text = NULL;

  ipa_conf_printer_set_current (printer);
  h->ac->conf_show (IPA_CONF_SECT_ROOT, 0);
  h->ac->conf_show (IPA_CONF_SECT_GLOBAL, 0);
  h->ac->conf_show (IPA_CONF_SECT_RULE, 0);
  h->ac->conf_show (IPA_CONF_SECT_AUTORULE, 0);
  h->ac->conf_show (IPA_CONF_SECT_RULE, 5);
  text = ipa_conf_printer_steal_text (printer);
  ipa_conf_printer_set_current (NULL);
  g_test_message ("%s", text);
  g_assert_cmpstr (text, ==,
                   "atest:control = \"/c\";\n"
                   "atest:chunk = -1K 512B;\n"
                   "atest:fail = \"get_stat deinit@3\";\n"
                   "atest:rate = 2K;\n"
                   "atest:stall = 1m 30s;\n"
                   "atest:fail_once = \"get_rule_stat@4\";\n"
                   "atest:debug = no;\n"
                   "atest:create = \"x y\";\n"
                   "atest:duplicate = yes;\n");
  host_free (h);

  /* -tt: rules as they will run. */
  h = host_new ("global { atest:chunk 1K; atest:debug yes; atest:stall 1; }\n"
                "rulepat \"^p\" { atest:stall 5; atest:fail \"get_rule_stat@2\"; }\n"
                "rule p1 { atest:rate 10; }\n"
                "rule q { }\n");
  g_assert_cmpint (h->ac->conf_mimic_real (), ==, 0);
  ipa_conf_printer_set_current (printer);
  h->ac->conf_show (IPA_CONF_SECT_RULE, 0);
  g_free (text);
  text = ipa_conf_printer_steal_text (printer);
  g_assert_cmpstr (text, ==,
                   "atest:rate = 10B;\n"
                   "atest:stall = 5s;\n"
                   "atest:fail = \"get_rule_stat@2\";\n"
                   "atest:debug = yes;\n");
  h->ac->conf_show (IPA_CONF_SECT_RULE, 1);
  g_free (text);
  text = ipa_conf_printer_steal_text (printer);
  ipa_conf_printer_set_current (NULL);
  /* The global stall is module-wide: not a rule's. */
  g_assert_cmpstr (text, ==,
                   "atest:chunk = 1K;\n"
                   "atest:debug = yes;\n");
  host_free (h);
}

/* 100,000 rules: the module's memory does not move during rounds. */
#define MANY_RULES 100000

static guint64
atest_allocs (void)
{
  GPtrArray *stats = ipa_memfunc_get_stats ();
  guint64 n = 0;

  for (guint i = 0; i < stats->len; i++)
    {
      IpaMemStat *s = stats->pdata[i];

      if (g_strcmp0 (s->owner, "ac:atest") == 0 && s->kind == IPA_MEM_STAT_MEM_TYPE)
        n += s->total_allocs;
    }
  ipa_memfunc_stats_free (stats);
  return n;
}

static Host *
many_rules_host (void)
{
  GString *conf = g_string_new ("global { atest:chunk 1; }\n");
  Host *h;

  for (guint i = 0; i < MANY_RULES; i++)
    g_string_append_printf (conf, "rule r%u {}\n", i);
  h = host_new (conf->str);
  g_string_free (conf, TRUE);
  g_assert_cmpint (host_init (h), ==, 0);
  return h;
}

static void
test_many_rules (void)
{
  Host *h = many_rules_host ();
  guint64 before;

  g_assert_cmpint (host_round (h, "2024-01-01 00:00:00"), ==, 0);
  before = atest_allocs ();
  for (int i = 1; i <= 3; i++)
    g_assert_cmpint (host_round (h, "2024-01-01 00:00:01"), ==, 0);
  g_assert_cmpuint (atest_allocs (), ==, before);
  g_assert_cmpint (counter (h, "r99999"), ==, 4);
  host_free (h);
}

/* Benchmark */

__attribute__ ((noinline)) static int
baseline_rule_stat (unsigned int gen, int newstat, unsigned int ruleno, int *addition,
                    uint64_t *chunk)
{
  /* What any module must do at least: answer through the pointers. */
  *addition = 1;
  *chunk = ruleno & 1;
  return 0;
}

static int
bench_main (void)
{
  int (*volatile base) (unsigned int, int, unsigned int, int *, uint64_t *) = baseline_rule_stat;
  Host *h = many_rules_host ();
  const int rounds = 50;
  ipa_tm tm = tm_at ("2024-01-01 00:00:00");
  gint64 t0, t_mod = 0, t_base = 0;
  int addition;
  uint64_t chunk, sum = 0;
  unsigned int gen = 0;

  for (int r = 0; r < rounds; r++)
    {
      gen++;
      g_assert_cmpint (h->ac->ac_get_stat (&tm), ==, 0);
      t0 = g_get_monotonic_time ();
      for (unsigned int i = 0; i < MANY_RULES; i++)
        {
          h->ac->ac_get_rule_stat (gen, r == 0, i, &addition, &chunk);
          sum += chunk;
        }
      t_mod += g_get_monotonic_time () - t0;
      t0 = g_get_monotonic_time ();
      for (unsigned int i = 0; i < MANY_RULES; i++)
        {
          base (gen, r == 0, i, &addition, &chunk);
          sum += chunk;
        }
      t_base += g_get_monotonic_time () - t0;
    }
  g_print ("ipa_atest ac_get_rule_stat, %d rules x %d rounds: %.1f ns/call; "
           "baseline (a call through a pointer): %.1f ns/call; ratio %.2f "
           "(checksum %" G_GUINT64_FORMAT ")\n",
           MANY_RULES, rounds, 1000.0 * (double) t_mod / ((double) MANY_RULES * rounds),
           1000.0 * (double) t_base / ((double) MANY_RULES * rounds),
           t_base > 0 ? (double) t_mod / (double) t_base : 0.0, sum);
  host_free (h);
  return 0;
}

int
main (int argc, char **argv)
{
  int r;

  log_lines = g_ptr_array_new_with_free_func (g_free);
  ipa_log_set_handler (capture, NULL);
  if (argc > 1 && strcmp (argv[1], "--bench") == 0)
    r = bench_main ();
  else
    {
      g_test_init (&argc, &argv, NULL);
      g_test_add_func ("/atest/chunk", test_chunk);
      g_test_add_func ("/atest/rate", test_rate);
      g_test_add_func ("/atest/trace-sequence", test_trace_sequence);
      g_test_add_func ("/atest/violations", test_violations);
      g_test_add_func ("/atest/control", test_control);
      g_test_add_func ("/atest/create-duplicate", test_create_duplicate);
      g_test_add_func ("/atest/host-bugs", test_host_bugs);
      g_test_add_func ("/atest/fail", test_fail);
      g_test_add_func ("/atest/stall", test_stall);
      g_test_add_func ("/atest/debug", test_debug);
      g_test_add_func ("/atest/conf-errors", test_conf_errors);
      g_test_add_func ("/atest/conf-show", test_conf_show);
      g_test_add_func ("/atest/many-rules", test_many_rules);
      r = g_test_run ();
    }
  ipa_log_set_handler (NULL, NULL);
  g_ptr_array_unref (log_lines);
  return r;
}
