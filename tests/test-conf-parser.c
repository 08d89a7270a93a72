/*
 * test-conf-parser.c: the configuration language with a small schema and
 * fake modules that record what the parser hands them.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <regex.h>
#include <string.h>

#include "ipa-conf-parser.h"
#include "ipa-memfunc.h"

/* Everything handlers, arg_parse and conf_event see, one line each. */
static GString *rec;
static gboolean quiet;
static gboolean record_events; /* conf_event calls too */

static void record (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
record (const char *format, ...)
{
  va_list ap;

  if (quiet)
    return;
  va_start (ap, format);
  g_string_append_vprintf (rec, format, ap);
  va_end (ap);
  g_string_append_c (rec, '\n');
}

static const char *const event_names[] = {
  NULL, "GLOBAL_BEGIN", "GLOBAL_END", "RULE_BEGIN", "RULE_END", "LIMIT_BEGIN",
  "LIMIT_END", "THRESHOLD_BEGIN", "THRESHOLD_END", "AUTORULE_BEGIN", "AUTORULE_END",
  "RULEPAT_BEGIN", "RULEPAT_END", "RESTART_BEGIN", "RESTART_END",
  [IPA_CONF_EVENT_CUSTOM_SECT_BEGIN] = "CUSTOM_SECT_BEGIN",
  [IPA_CONF_EVENT_CUSTOM_SECT_END] = "CUSTOM_SECT_END",
};

/* The schema */

#define SECT_PRIV 60

static const unsigned int w_root[] = { IPA_CONF_SECT_ROOT, 0 };
static const unsigned int w_rule[] = { IPA_CONF_SECT_RULE, IPA_CONF_SECT_RULEPAT, 0 };
static const unsigned int w_limit[] = { IPA_CONF_SECT_LIMIT, 0 };
static const unsigned int w_global_rule[] = { IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULE, 0 };
static const unsigned int w_priv[] = { IPA_CONF_SECT_ROOT, SECT_PRIV, 0 };
static const unsigned int w_exec[] = { IPA_CONF_SECT_RESTART, IPA_CONF_SECT_RULE, 0 };

static IpaConfParser *expected_parser;
static guint n_rule_begins;

static gboolean
sect_begin (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
            GError **error)
{
  const IpaConfStatement *outer = ipa_conf_parser_get_section (parser, 0);

  /* The section is open already when its begin handler runs. */
  g_assert_true (outer == st);
  n_rule_begins++;
  record ("begin %s %s no=%u", st->name, st->nargs > 0 ? st->args[0].text : "-", st->no);
  return TRUE;
}

static gboolean
sect_end (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
          GError **error)
{
  record ("end %s %s no=%u", st->name, st->nargs > 0 ? st->args[0].text : "-", st->no);
  return TRUE;
}

static const IpaConfSectDef test_sects[] = {
  { "global", IPA_CONF_SECT_GLOBAL, 0, 0, w_root, IPA_CONF_EVENT_GLOBAL_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "rule", IPA_CONF_SECT_RULE, 1, 0, w_root, IPA_CONF_EVENT_RULE_BEGIN,
    IPA_CONF_NUMBER_FILE, "rule", sect_begin, sect_end },
  { "rulepat", IPA_CONF_SECT_RULEPAT, 1, IPA_CONF_TYPE_STRING, w_root,
    IPA_CONF_EVENT_RULEPAT_BEGIN, IPA_CONF_NUMBER_FILE, NULL, NULL, NULL },
  { "limit", IPA_CONF_SECT_LIMIT, 1, 0, w_rule, IPA_CONF_EVENT_LIMIT_BEGIN,
    IPA_CONF_NUMBER_PARENT, "limit", NULL, NULL },
  { "threshold", IPA_CONF_SECT_THRESHOLD, 1, 0, w_rule, IPA_CONF_EVENT_THRESHOLD_BEGIN,
    IPA_CONF_NUMBER_PARENT, "threshold", NULL, NULL },
  { "restart", IPA_CONF_SECT_RESTART, 0, 0, w_limit, IPA_CONF_EVENT_RESTART_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "priv", SECT_PRIV, 0, 0, w_priv, 0, IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { NULL }
};

static gboolean
param_handler (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
               GError **error)
{
  const IpaConfLocation *loc = ipa_conf_parser_get_location (parser);

  g_assert_true (ipa_conf_parser_get_current () == parser);
  g_assert_true (expected_parser == NULL || expected_parser == parser);
  g_assert_cmpuint (loc->line, ==, st->loc.line);
  g_assert_cmpuint (loc->column, ==, st->loc.column);
  g_assert_cmpstr (loc->file, ==, st->loc.file);

  switch (st->value.type)
    {
    case IPA_CONF_TYPE_TIME:
      record ("%s=%" G_GUINT64_FORMAT, st->name, st->value.u.u64);
      break;
    case IPA_CONF_TYPE_STRING:
    case IPA_CONF_TYPE_MISC:
      record ("%s=%s", st->name, st->value.u.str);
      break;
    case IPA_CONF_TYPE_UINT32:
      record ("%s=%u", st->name, st->value.u.u32);
      break;
    default:
      {
        GString *s = g_string_new (st->name);

        for (guint i = 0; i < st->nargs; i++)
          g_string_append_printf (s, " %s%s", st->args[i].kind == IPA_CONF_ARG_STRING ? "S:" : "",
                                  st->args[i].text);
        record ("%s", s->str);
        g_string_free (s, TRUE);
      }
    }
  return TRUE;
}

static gboolean
fail_handler (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
              GError **error)
{
  const char *how = st->args[0].text;

  if (strcmp (how, "located") == 0)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_SEMANTIC,
                                      "no way (%s)", st->name);
  if (strcmp (how, "plain") == 0)
    g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE, "plain message");
  else if (strcmp (how, "foreign") == 0)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "foreign message");
  return FALSE;
}

static gboolean load_handler (IpaConfParser *parser, const IpaConfStatement *st,
                              gpointer user_data, GError **error);

static const IpaConfParamDef test_params[] = {
  { "update_time", 1, IPA_CONF_TYPE_TIME, w_global_rule, FALSE, param_handler },
  { "info", 1, IPA_CONF_TYPE_STRING, NULL, FALSE, param_handler },
  { "say", 1, IPA_CONF_TYPE_STRING, NULL, TRUE, param_handler },
  { "exec", -1, IPA_CONF_TYPE_MISC, w_exec, TRUE, param_handler },
  { "num", 1, IPA_CONF_TYPE_UINT32, w_root, FALSE, param_handler },
  { "list", -1, 0, NULL, TRUE, param_handler },
  { "fail", 1, 0, NULL, TRUE, fail_handler },
  { "load", 1, 0, w_root, TRUE, load_handler },
  { NULL }
};

static const IpaConfSchema test_schema = { test_sects, test_params };

/* The fake modules */

static regex_t re_rules, re_word;
static GPtrArray *kept_strings; /* STRING arguments a module keeps */

static int
tm_record_misc (void *arg)
{
  record ("tm misc=%s", *(char **) arg);
  return 0;
}

static int
tm_i32 (void *arg)
{
  record ("tm i32=%" G_GINT32_FORMAT, *(int32_t *) arg);
  return 0;
}

static int
tm_u32 (void *arg)
{
  record ("tm u32=%" G_GUINT32_FORMAT, *(uint32_t *) arg);
  return 0;
}

static int
tm_i64 (void *arg)
{
  record ("tm i64=%" G_GINT64_FORMAT, *(int64_t *) arg);
  return 0;
}

static int
tm_u64 (void *arg)
{
  record ("tm u64=%" G_GUINT64_FORMAT, *(uint64_t *) arg);
  return 0;
}

static int
tm_value (void *arg)
{
  const uint64_t *v = arg;

  record ("tm value kind=%s %" G_GUINT64_FORMAT,
          v[0] == IPA_CONF_TYPE_BYTES ? "bytes" : v[0] == IPA_CONF_TYPE_TIME ? "time" :
          v[0] == IPA_CONF_TYPE_UINT64 ? "uint64" : "?", v[1]);
  return 0;
}

static int
tm_bool (void *arg)
{
  record ("tm bool=%d", *(int *) arg);
  return 0;
}

static int
tm_str (void *arg)
{
  char *s = *(char **) arg;

  record ("tm str=%s", s);
  ipa_mem_free (s, ipa_memfunc_get ()->m_parser);
  return 0;
}

static int
tm_str_keep (void *arg)
{
  record ("tm keep=%s", *(char **) arg);
  g_ptr_array_add (kept_strings, *(char **) arg);
  return 0;
}

static int
tm_str_fail (void *arg)
{
  /* The string is ours even though we fail. */
  ipa_mem_free (*(char **) arg, ipa_mem_type_get_parser ());
  return -1;
}

static int
tm_noarg (void *arg)
{
  record ("tm noarg arg=%s", arg == NULL ? "NULL" : "set");
  return 0;
}

static int
tm_fail (void *arg)
{
  ipa_conf_parser_note_module_message (ipa_conf_parser_get_current (), "testmod",
                                       "bad things");
  return -1;
}

static int
tm_fail_quiet (void *arg)
{
  return -1;
}

static int
tm_setsym (void *arg)
{
  char *val = *(char **) arg;

  /* copy_flag 0: both strings become the parser's. */
  return ipa_conf_parser_sym_add (ipa_conf_parser_get_current (), FALSE,
                                  ipa_mem_strdup ("modvar", ipa_mem_type_get_parser ()),
                                  val, 0);
}

static int
tm_setgsym (void *arg)
{
  char *val = *(char **) arg;
  int r = ipa_conf_parser_sym_add (ipa_conf_parser_get_current (), TRUE,
                                   (char *) "gvar", val, 1);

  ipa_mem_free (val, ipa_mem_type_get_parser ());
  return r;
}

static int
tm_delsym (void *arg)
{
  IpaConfParser *parser = ipa_conf_parser_get_current ();

  record ("tm delsym local=%d global=%d",
          ipa_conf_parser_sym_del (parser, FALSE, "modvar"),
          ipa_conf_parser_sym_del (parser, TRUE, "gvar"));
  return 0;
}

static int
tm_sect_arg (void *arg)
{
  record ("tm sect arg=%s", arg == NULL ? "NULL" : *(char **) arg);
  return 0;
}

static int
tm_conf_event (unsigned int event, unsigned int no, const void *arg)
{
  if (event == IPA_CONF_EVENT_RULE_BEGIN && strcmp (arg, "bad") == 0)
    {
      ipa_conf_parser_note_module_message (ipa_conf_parser_get_current (), "testmod",
                                           "no bad rules");
      return -1;
    }
  if (record_events)
    record ("tm %s no=%u arg=%s", event_names[event], no, arg != NULL ? (const char *) arg : "NULL");
  return 0;
}

static int
ot_conf_event (unsigned int event, unsigned int no, const void *arg)
{
  if (record_events)
    record ("ot %s no=%u arg=%s", event_names[event], no, arg != NULL ? (const char *) arg : "NULL");
  return 0;
}

#define TM_BARE 101
#define TM_DB   102

static const unsigned int mw_any[] = { IPA_CONF_SECT_ROOT, IPA_CONF_SECT_GLOBAL,
                                       IPA_CONF_SECT_RULE, IPA_CONF_SECT_LIMIT,
                                       IPA_CONF_SECT_THRESHOLD, TM_BARE,
                                       TM_DB, 0 };
static const unsigned int mw_rule[] = { IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULE, TM_DB, 0 };
static const unsigned int mw_bare[] = { TM_BARE, 0 };
static const unsigned int mw_root_rule[] = { IPA_CONF_SECT_ROOT, IPA_CONF_SECT_RULE, 0 };

static ipa_conf_sect tm_sects[] = {
  { "", TM_BARE, 0, NULL, NULL, 0, w_root, tm_sect_arg },
  { "db", TM_DB, 1, NULL, NULL, IPA_CONF_TYPE_STRING, mw_root_rule, tm_str },
  { NULL }
};

static ipa_conf_param tm_params[] = {
  { "rules", -1, "^-?[0-9]+( -?[0-9]+)*$", &re_rules, IPA_CONF_TYPE_MISC, mw_rule, tm_record_misc },
  /* The same regular expression, given once. */
  { "port", 1, NULL, &re_rules, IPA_CONF_TYPE_UINT32, mw_rule, tm_u32 },
  { "word", 1, "^[a-z]+$", &re_word, IPA_CONF_TYPE_MISC, mw_any, tm_record_misc },
  { "misc", -1, NULL, NULL, IPA_CONF_TYPE_MISC, mw_any, tm_record_misc },
  { "i32", 1, NULL, NULL, IPA_CONF_TYPE_INT32, mw_any, tm_i32 },
  { "u32", 1, NULL, NULL, IPA_CONF_TYPE_UINT32, mw_any, tm_u32 },
  { "i64", 1, NULL, NULL, IPA_CONF_TYPE_INT64, mw_any, tm_i64 },
  { "u64", 1, NULL, NULL, IPA_CONF_TYPE_UINT64, mw_any, tm_u64 },
  { "bytes", -1, NULL, NULL, IPA_CONF_TYPE_BYTES, mw_any, tm_u64 },
  { "time", -1, NULL, NULL, IPA_CONF_TYPE_TIME, mw_any, tm_u64 },
  { "value", -1, NULL, NULL, IPA_CONF_TYPE_VALUE, mw_any, tm_value },
  { "pct", 1, NULL, NULL, IPA_CONF_TYPE_PER_CENT, mw_any, tm_u32 },
  { "bool", 1, NULL, NULL, IPA_CONF_TYPE_BOOLEAN, mw_any, tm_bool },
  { "str", 1, NULL, NULL, IPA_CONF_TYPE_STRING, mw_any, tm_str },
  { "str_keep", 1, NULL, NULL, IPA_CONF_TYPE_STRING, mw_any, tm_str_keep },
  { "str_null", 1, NULL, NULL, IPA_CONF_TYPE_STRING, mw_any, NULL },
  { "str_fail", 1, NULL, NULL, IPA_CONF_TYPE_STRING, mw_any, tm_str_fail },
  { "noarg", 0, NULL, NULL, 0, mw_any, tm_noarg },
  { "fail", 0, NULL, NULL, 0, mw_any, tm_fail },
  { "fail_quiet", 0, NULL, NULL, 0, mw_any, tm_fail_quiet },
  { "setsym", 1, NULL, NULL, IPA_CONF_TYPE_STRING, mw_any, tm_setsym },
  { "setgsym", 1, NULL, NULL, IPA_CONF_TYPE_STRING, mw_any, tm_setgsym },
  { "delsym", 0, NULL, NULL, 0, mw_any, tm_delsym },
  { "inner", 0, NULL, NULL, 0, mw_bare, tm_noarg },
  { NULL }
};

static const IpaConfModuleTables tm_tables = {
  "testmod", "tm", tm_sects, tm_params, tm_conf_event,
};

/* "ot" has a custom section with the same id as tm's bare section: ids
 * above the offset are per module. */
static const unsigned int ow_own[] = { TM_BARE, 0 };

static ipa_conf_sect ot_sects[] = {
  { "sect", TM_BARE, 0, NULL, NULL, 0, w_root, NULL },
  { NULL }
};

static ipa_conf_param ot_params[] = {
  { "inner", 0, NULL, NULL, 0, ow_own, NULL },
  { NULL }
};

static const IpaConfModuleTables ot_tables = {
  "othermod", "ot", ot_sects, ot_params, ot_conf_event,
};

/* Without prefix, and loaded late (by "load"). */
static ipa_conf_param bare_params[] = {
  { "bareparam", -1, NULL, NULL, IPA_CONF_TYPE_MISC, NULL, tm_record_misc },
  { NULL }
};

static int
late_conf_event (unsigned int event, unsigned int no, const void *arg)
{
  if (record_events)
    record ("late %s no=%u arg=%s", event_names[event], no, arg != NULL ? (const char *) arg : "NULL");
  return 0;
}

static const IpaConfModuleTables late_tables = {
  "latemod", NULL, NULL, bare_params, late_conf_event,
};

static gboolean
load_handler (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
              GError **error)
{
  if (strcmp (st->args[0].text, "late") == 0)
    return ipa_conf_parser_add_module (parser, &late_tables, error);
  if (strcmp (st->args[0].text, "tm") == 0)
    return ipa_conf_parser_add_module (parser, &tm_tables, error);
  return TRUE;
}

/* Helpers */

static guint64
parser_blocks (void)
{
  g_autoptr(GPtrArray) stats = ipa_memfunc_get_stats ();
  for (guint i = 0; i < stats->len; i++)
    {
      IpaMemStat *st = stats->pdata[i];

      if (st->kind == IPA_MEM_STAT_MEM_TYPE && st->owner == NULL &&
          strcmp (st->name, "parser") == 0)
        return st->blocks;
    }
  g_assert_not_reached ();
}

static IpaConfParser *
new_parser (gboolean with_ot)
{
  IpaConfParser *parser = ipa_conf_parser_new (&test_schema, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (ipa_conf_parser_add_module (parser, &tm_tables, &error));
  g_assert_no_error (error);
  if (with_ot)
    {
      g_assert_true (ipa_conf_parser_add_module (parser, &ot_tables, &error));
      g_assert_no_error (error);
    }
  return parser;
}

static gboolean
parse_with (IpaConfParser *parser, const char *text, GError **error)
{
  gboolean ok;

  g_string_truncate (rec, 0);
  expected_parser = parser;
  ok = ipa_conf_parser_parse_data (parser, "test.conf", text, -1, error);
  expected_parser = NULL;
  g_assert_null (ipa_conf_parser_get_current ());
  return ok;
}

static void
assert_parses (const char *text, const char *expected)
{
  g_autoptr(IpaConfParser) parser = new_parser (FALSE);
  g_autoptr(GError) error = NULL;

  if (!parse_with (parser, text, &error))
    g_error ("unexpected error: %s", error->message);
  g_assert_cmpstr (rec->str, ==, expected);
}

static void
assert_parses_ev (const char *text, const char *expected)
{
  record_events = TRUE;
  assert_parses (text, expected);
  record_events = FALSE;
}

static void
assert_fails (const char *text, IpaConfErrorCode code, const char *message)
{
  g_autoptr(IpaConfParser) parser = new_parser (TRUE);
  g_autoptr(GError) error = NULL;

  g_assert_false (parse_with (parser, text, &error));
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_error (error, IPA_CONF_ERROR, (gint) code);
}

/* Syntax */

static void
test_equals_optional (void)
{
  assert_parses ("global { update_time = 1m; }", "update_time=60\n");
  assert_parses ("global { update_time 1m; }", "update_time=60\n");
  assert_parses ("global{update_time=1m;}", "update_time=60\n");
  assert_parses ("num = 5;", "num=5\n");
  assert_parses ("num 5;", "num=5\n");
  assert_parses ("list = a=b c;", "list a=b c\n");
  assert_parses ("list a = b;", "list a = b\n");
}

static void
test_split_lines (void)
{
  assert_parses ("rule\n  =\n  r1\n{\nupdate_time\n=\n1m\n;\n}\n",
                 "begin rule r1 no=0\nupdate_time=60\nend rule r1 no=0\n");
  assert_parses ("rule r1{update_time 1m;}rule r2{}",
                 "begin rule r1 no=0\nupdate_time=60\nend rule r1 no=0\n"
                 "begin rule r2 no=1\nend rule r2 no=1\n");
}

static void
test_case_sensitive (void)
{
  assert_fails ("Rule x { }", IPA_CONF_ERROR_UNKNOWN, "test.conf:1:1: unknown section \"Rule\"");
  assert_fails ("\n  UPDATE_TIME = 1m;", IPA_CONF_ERROR_UNKNOWN,
                "test.conf:2:3: unknown parameter \"UPDATE_TIME\"");
  assert_fails ("TM:rules 1;", IPA_CONF_ERROR_UNKNOWN,
                "test.conf:1:1: unknown module prefix \"TM\"");
}

static void
test_comments (void)
{
  assert_parses ("# comment /* not a C comment\nsay \"a\";\n"
                 "/* spans\n several ; { lines */ say \"b\"; # end\n"
                 "say \"# /* */\";",
                 "say=a\nsay=b\nsay=# /* */\n");
}

static void
test_strings (void)
{
  assert_parses ("say \"a\\tb\";", "say=a\tb\n");
  assert_parses ("say \"\\\"\";", "say=\"\n");
  assert_parses ("say \"\\\\\";", "say=\\\n");
  assert_parses ("say \"one \\\ntwo\";", "say=one two\n");
  /* Normalised text re-quotes strings. */
  assert_parses ("rule r { exec  a   \"b \\\"c\\\"\"\n d; }",
                 "begin rule r no=0\nexec=a \"b \\\"c\\\"\" d\nend rule r no=0\n");
  assert_fails ("say \"a\\qb\";", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:7: unknown escape sequence \"\\q\" in string");
  assert_fails ("say \"abc\n\";", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:5: unterminated string (a string ends on its line; "
                "end a line with '\\' to continue it)");
}

static void
test_syntax_errors (void)
{
  assert_fails ("update_time = 1m", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:17: expected ';' or '{' after arguments of \"update_time\", got end of file");
  assert_fails ("rule x { update_time 1m }", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:25: expected ';' or '{' after arguments of \"update_time\", got '}'");
  assert_fails ("global {\n update_time 1m;\n", IPA_CONF_ERROR_SYNTAX,
                "test.conf:3:1: unterminated section \"global\" opened at test.conf:1:1 (expected '}')");
  assert_fails ("rule x {\n  limit y {\n}", IPA_CONF_ERROR_SYNTAX,
                "test.conf:3:2: unterminated section \"rule\" opened at test.conf:1:1 (expected '}')");
  assert_fails ("global { }\n}", IPA_CONF_ERROR_SYNTAX,
                "test.conf:2:1: unexpected '}': no section is open");
  assert_fails ("rule x { } ;", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:12: expected a parameter or section name, got ';'");
  assert_fails ("\"say\" x;", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:1: expected a parameter or section name, got a string");
  assert_fails ("= x;", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:1: expected a parameter or section name, got '='");
  assert_fails ("{ }", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:1: expected a parameter or section name, got '{'");
  assert_fails ("update_time 1m { }", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:1: \"update_time\" is a parameter, not a section: expected ';' after its arguments");
  assert_fails ("rule x;", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:1: \"rule\" is a section: expected '{' after its arguments");
  assert_fails ("nothing { }", IPA_CONF_ERROR_UNKNOWN,
                "test.conf:1:1: unknown section \"nothing\"");
  assert_fails ("foo;", IPA_CONF_ERROR_UNKNOWN, "test.conf:1:1: unknown parameter \"foo\"");
}

/* Schema entries */

static void
test_schema_checks (void)
{
  assert_fails ("rule r {\n  global { }\n}", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:2:3: section \"global\" is not allowed in section \"rule\"");
  assert_fails ("limit l { }", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:1:1: section \"limit\" is not allowed at top level");
  assert_fails ("update_time 1m;", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:1:1: parameter \"update_time\" is not allowed at top level");
  assert_fails ("global { update_time 1m; update_time 2m; }", IPA_CONF_ERROR_DUPLICATE,
                "test.conf:1:26: duplicate parameter \"update_time\" in section \"global\" "
                "(first given at test.conf:1:10)");
  assert_fails ("num 1;\nnum 2;", IPA_CONF_ERROR_DUPLICATE,
                "test.conf:2:1: duplicate parameter \"num\" at top level (first given at test.conf:1:1)");
  /* Once per section, not once per file. */
  assert_parses ("global { update_time 1m; } rule r { update_time 2m; } rule s { update_time 3m; }",
                 "update_time=60\nbegin rule r no=0\nupdate_time=120\nend rule r no=0\n"
                 "begin rule s no=1\nupdate_time=180\nend rule s no=1\n");
  assert_fails ("rule { }", IPA_CONF_ERROR_ARGS,
                "test.conf:1:1: section \"rule\" expects 1 argument, got 0");
  assert_fails ("rule a b { }", IPA_CONF_ERROR_ARGS,
                "test.conf:1:1: section \"rule\" expects 1 argument, got 2");
  assert_fails ("global x { }", IPA_CONF_ERROR_ARGS,
                "test.conf:1:1: section \"global\" takes no arguments, got 1");
  assert_fails ("exec;", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:1:1: parameter \"exec\" is not allowed at top level");
  assert_fails ("rule r { exec; }", IPA_CONF_ERROR_ARGS,
                "test.conf:1:10: parameter \"exec\" expects at least 1 argument, got 0");
  assert_fails ("info word;", IPA_CONF_ERROR_ARGS,
                "test.conf:1:6: parameter \"info\" expects one string in double quotes");
}

static void
test_schema_values (void)
{
  g_autoptr(IpaConfParser) parser = new_parser (FALSE);
  g_autoptr(GError) error = NULL;

  /* The value parser's own message follows the location of the value. */
  g_assert_false (parse_with (parser, "global {\n update_time = 1x;\n}", &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE);
  g_assert_true (g_str_has_prefix (error->message, "test.conf:2:16: "));
  g_clear_error (&error);

  g_assert_false (parse_with (parser, "num = -1;", &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE);
  g_assert_true (g_str_has_prefix (error->message, "test.conf:1:7: "));
}

static void
test_handler_errors (void)
{
  assert_fails ("say \"x\";\n  fail located;", IPA_CONF_ERROR_SEMANTIC,
                "test.conf:2:3: no way (fail)");
  assert_fails ("fail plain;", IPA_CONF_ERROR_VALUE, "test.conf:1:1: plain message");
  assert_fails ("fail foreign;", IPA_CONF_ERROR_SEMANTIC, "test.conf:1:1: foreign message");
  assert_fails ("fail silent;", IPA_CONF_ERROR_SEMANTIC, "test.conf:1:1: rejected");
}

static void
test_depth_limit (void)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < 100; i++)
    g_string_append (s, "priv {\n");
  assert_fails (s->str, IPA_CONF_ERROR_SYNTAX,
                "test.conf:65:1: sections nested too deeply (at most 64)");
  g_string_free (s, TRUE);
}

/* Macro variables */

static void
test_macro_lazy (void)
{
  assert_parses ("${a}=\"${b}\"; ${b}=\"1\"; say \"${a}\"; ${b}=\"2\"; say \"<${a}>\";",
                 "say=1\nsay=<2>\n");
  assert_parses ("${b} = \"x\"; say \"${$}{b}\"; ${c} = \"${$}{b}\"; say \"${c}\";",
                 "say=${b}\nsay=${b}\n");
  /* In words too, and the result stays one argument. */
  assert_parses ("${n} = \"5\"; ${sp} = \"1 2\"; num = ${n}; list a${n}b ${sp} \"${sp}\";",
                 "num=5\nlist a5b 1 2 S:1 2\n");
  assert_parses ("${a} \"v\"; say \"${a}\";", "say=v\n");
}

static void
test_macro_scope (void)
{
  assert_parses ("${x} = \"a\";\n"
                 "rule r1 {\n"
                 "  ${x} = \"b\"; ${y} = \"c\"; say \"${x}${y}\";\n"
                 "  limit l { ${y} = \"d\"; ${z} = \"e\"; say \"${y}${z}\"; }\n"
                 "  say \"${y}\";\n"
                 "}\n"
                 "say \"${x}\";\n",
                 "begin rule r1 no=0\nsay=bc\nsay=de\nsay=d\nend rule r1 no=0\nsay=b\n");
  assert_fails ("rule r1 { ${y} = \"c\"; }\nsay \"${y}\";", IPA_CONF_ERROR_MACRO,
                "test.conf:2:5: undefined macro variable \"${y}\"");
  assert_fails ("rule r1 { limit l { ${z} = \"c\"; } say \"${z}\"; }", IPA_CONF_ERROR_MACRO,
                "test.conf:1:39: undefined macro variable \"${z}\"");
  assert_fails ("list ${nope};", IPA_CONF_ERROR_MACRO,
                "test.conf:1:6: undefined macro variable \"${nope}\"");
}

static void
test_macro_predefined (void)
{
  assert_parses ("${v} = \"${rule}:${limit}\";\n"
                 "rule r1 { say \"${rule}\"; limit l1 { say \"${v}\"; } }\n",
                 "begin rule r1 no=0\nsay=r1\nsay=r1:l1\nend rule r1 no=0\n");
  assert_fails ("rule r1 { }\nsay \"${rule}\";", IPA_CONF_ERROR_MACRO,
                "test.conf:2:5: undefined macro variable \"${rule}\"");
  assert_fails ("rule r1 {\n  ${rule} = \"x\";\n}", IPA_CONF_ERROR_MACRO,
                "test.conf:2:3: macro variable \"${rule}\" is predefined and cannot be assigned");
  assert_fails ("${limit} = \"x\";", IPA_CONF_ERROR_MACRO,
                "test.conf:1:1: macro variable \"${limit}\" is predefined and cannot be assigned");
  /* A name made with ${$} is not expanded again. */
  assert_parses ("rule \"${$}{x}\" { say \"${rule}\"; }",
                 "begin rule ${x} no=0\nsay=${x}\nend rule ${x} no=0\n");
}

static void
test_macro_errors (void)
{
  assert_fails ("${a} = \"${b}\"; ${b} = \"${a}\";\nsay \"${a}\";", IPA_CONF_ERROR_MACRO,
                "test.conf:2:5: macro variable \"${a}\" refers to itself (${a} -> ${b} -> ${a})");
  assert_fails ("${1a} = \"x\";", IPA_CONF_ERROR_MACRO,
                "test.conf:1:1: invalid macro variable name \"${1a}\" "
                "(expected ${name}: a letter, then letters, digits or '_')");
  assert_fails ("$x = \"x\";", IPA_CONF_ERROR_MACRO,
                "test.conf:1:1: invalid macro variable name \"$x\" "
                "(expected ${name}: a letter, then letters, digits or '_')");
  assert_fails ("${a} = b;", IPA_CONF_ERROR_ARGS,
                "test.conf:1:8: macro variable \"${a}\" expects one string in double quotes");
  assert_fails ("${a} = \"b\" { }", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:1: a macro variable definition ends with ';', not a section");
  assert_fails ("say \"${a_-}\";", IPA_CONF_ERROR_MACRO,
                "test.conf:1:5: invalid macro variable name \"${a_-}\" (a letter, then letters, digits or '_')");
  assert_fails ("say \"${abc\";", IPA_CONF_ERROR_MACRO,
                "test.conf:1:5: malformed macro variable reference: no '}' after \"${\"");

  {
    /* A long chain of distinct variables. */
    GString *s = g_string_new ("${e0} = \"end\";\n");

    for (int i = 1; i < 40; i++)
      g_string_append_printf (s, "${e%d} = \"${e%d}\";\n", i, i - 1);
    g_string_append (s, "say \"${e31}\";");
    assert_parses (s->str, "say=end\n");
    g_string_append (s, "\nsay \"${e39}\";");
    assert_fails (s->str, IPA_CONF_ERROR_MACRO,
                  "test.conf:42:5: macro variables nested too deeply in \"${e7}\" (limit 32)");
    g_string_free (s, TRUE);
  }
  {
    /* Exponential expansion is cut off. */
    g_autofree char *fill = g_strnfill (1000, 'x');
    GString *s = g_string_new (NULL);

    g_string_printf (s, "${e0} = \"%s\";\n", fill);

    for (int i = 1; i < 30; i++)
      g_string_append_printf (s, "${e%d} = \"${e%d}${e%d}\";\n", i, i - 1, i - 1);
    g_string_append (s, "say \"${e29}\";");
    assert_fails (s->str, IPA_CONF_ERROR_MACRO,
                  "test.conf:31:5: expansion of macro variables is too long (limit 1048576 bytes)");
    g_string_free (s, TRUE);
  }
  {
    GString *s = g_string_new ("${e0} = \"\";\n");

    for (int i = 1; i < 30; i++)
      g_string_append_printf (s, "${e%d} = \"${e%d}${e%d}\";\n", i, i - 1, i - 1);
    g_string_append (s, "say \"${e29}\";");
    assert_fails (s->str, IPA_CONF_ERROR_MACRO,
                  "test.conf:31:5: too many macro variable references in one expansion (limit 100000)");
    g_string_free (s, TRUE);
  }
}

/* Includes */

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ipa-conf-parser-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static gboolean
parse_file_rec (const char *path, GError **error)
{
  g_autoptr(IpaConfParser) parser = new_parser (FALSE);
  gboolean ok;

  g_string_truncate (rec, 0);
  ok = ipa_conf_parser_parse_file (parser, path, error);
  g_assert_null (ipa_conf_parser_get_current ());
  return ok;
}

static void
test_include (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *main_conf = g_build_filename (dir, "main.conf", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  write_file (dir, "a.conf", "say \"a\";\nrule ra { }\n");
  write_file (dir, "b.conf", "update_time = 1m; say \"${rule}\";\n");
  write_file (dir, "main.conf",
              "rule r0 { }\ninclude \"a.conf\";\nrule r1 { include = \"b.conf\"; }\nsay \"main\";\n");
  g_assert_true (parse_file_rec (main_conf, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rec->str, ==,
                   "begin rule r0 no=0\nend rule r0 no=0\n"
                   "say=a\nbegin rule ra no=1\nend rule ra no=1\n"
                   "begin rule r1 no=2\nupdate_time=60\nsay=r1\nend rule r1 no=2\n"
                   "say=main\n");

  /* Errors are located in the included file. */
  write_file (dir, "bad.conf", "\n  foo;\n");
  write_file (dir, "main.conf", "include \"bad.conf\";\n");
  g_assert_false (parse_file_rec (main_conf, &error));
  expected = g_strdup_printf ("%s/bad.conf:2:3: unknown parameter \"foo\"", dir);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  /* A section must end in the file where it begins. */
  write_file (dir, "open.conf", "rule x {\n");
  write_file (dir, "main.conf", "include \"open.conf\";\n}\n");
  g_assert_false (parse_file_rec (main_conf, &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_SYNTAX);
  expected = g_strdup_printf ("%s/open.conf:2:1: unterminated section \"rule\" opened at "
                              "%s/open.conf:1:1 (expected '}')", dir, dir);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  write_file (dir, "close.conf", "say \"x\"; }\n");
  write_file (dir, "main.conf", "rule x {\n include \"close.conf\";\n");
  g_assert_false (parse_file_rec (main_conf, &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_SYNTAX);
  expected = g_strdup_printf ("%s/close.conf:1:10: unexpected '}': section \"rule\" was opened "
                              "in another file, and a section must end in the file where it begins",
                              dir);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  /* A missing file is named. */
  write_file (dir, "main.conf", "say \"x\";\n  include \"nope.conf\";\n");
  g_assert_false (parse_file_rec (main_conf, &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_INCLUDE);
  expected = g_strdup_printf ("%s:2:3: cannot read \"%s/nope.conf\": No such file or directory",
                              main_conf, dir);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  g_assert_false (parse_file_rec ("/nonexistent/ipa.conf", &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_INCLUDE);
  g_assert_cmpstr (error->message, ==,
                   "/nonexistent/ipa.conf:0:0: cannot read \"/nonexistent/ipa.conf\": "
                   "No such file or directory");
  g_clear_error (&error);

  assert_fails ("include \"a\" \"b\";", IPA_CONF_ERROR_ARGS,
                "test.conf:1:1: parameter \"include\" expects 1 argument, got 2");

  remove_tree (dir);
}

static void
test_include_loop (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *a = g_build_filename (dir, "a.conf", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  write_file (dir, "a.conf", "include \"b.conf\";\n");
  write_file (dir, "b.conf", "say \"b\";\n include \"a.conf\";\n");
  g_assert_false (parse_file_rec (a, &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_INCLUDE);
  expected = g_strdup_printf ("%s/b.conf:2:2: include loop: \"%s/a.conf\" is already being read",
                              dir, dir);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  write_file (dir, "a.conf", "include_files \"*.conf\";\n");
  g_assert_false (parse_file_rec (a, &error));
  expected = g_strdup_printf ("%s:1:1: include loop: \"%s/a.conf\" is already being read", a, dir);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  /* Distinct files nested too deeply. */
  for (int i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%02d.conf", i);
      g_autofree char *text = g_strdup_printf ("include \"n%02d.conf\";\n", i + 1);

      write_file (dir, name, text);
    }
  {
    g_autofree char *n0 = g_build_filename (dir, "n00.conf", NULL);

    g_assert_false (parse_file_rec (n0, &error));
    g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_INCLUDE);
    expected = g_strdup_printf ("%s/n16.conf:1:1: includes nested too deeply (at most 16)", dir);
    g_assert_cmpstr (error->message, ==, expected);
  }

  remove_tree (dir);
}

static void
test_include_files (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *sub = g_build_filename (dir, "rules.d", NULL);
  g_autofree char *main_conf = g_build_filename (dir, "main.conf", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  write_file (sub, "20-b.conf", "say \"20-b\";\n");
  write_file (sub, "10-a.conf", "say \"10-a\";\n");
  write_file (sub, "05-c.txt", "say \"05-c\";\n");
  write_file (sub, ".hidden.conf", "say \"hidden\";\n");
  write_file (sub, "x.conf~", "say \"backup\";\n");

  /* A glob, relative to the including file; sorted by name. */
  write_file (dir, "main.conf", "include_files \"rules.d/*.conf\";\n");
  g_assert_true (parse_file_rec (main_conf, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rec->str, ==, "say=10-a\nsay=20-b\n");

  /* The same text as a POSIX extended regular expression. */
  text = g_strdup_printf ("posix_re_pattern = yes;\ninclude_files \"%s/^[0-9]+-[a-z][.](conf|txt)$\";\n"
                          "posix_re_pattern = no;\ninclude_files \"%s/*.txt\";\n",
                          sub, sub);
  write_file (dir, "main.conf", text);
  g_assert_true (parse_file_rec (main_conf, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rec->str, ==, "say=05-c\nsay=10-a\nsay=20-b\nsay=05-c\n");

  /* ".conf" as a regular expression matches the backup file and the
   * hidden one too. */
  write_file (dir, "main.conf", "posix_re_pattern yes; include_files \"rules.d/conf\";\n");
  g_assert_true (parse_file_rec (main_conf, &error));
  g_assert_cmpstr (rec->str, ==, "say=hidden\nsay=10-a\nsay=20-b\nsay=backup\n");

  /* No match is no error. */
  write_file (dir, "main.conf", "include_files \"rules.d/*.none\";\n");
  g_assert_true (parse_file_rec (main_conf, &error));
  g_assert_cmpstr (rec->str, ==, "");

  /* Errors. */
  write_file (dir, "main.conf", "posix_re_pattern = yes;\ninclude_files \"rules.d/(\";\n");
  g_assert_false (parse_file_rec (main_conf, &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_INCLUDE);
  g_assert_true (g_str_has_suffix (error->message, ":2:1: invalid regular expression \"(\": "
                                   "Missing ')' or '\\)'") ||
                 strstr (error->message, ":2:1: invalid regular expression \"(\": ") != NULL);
  g_clear_error (&error);

  write_file (dir, "main.conf", "include_files \"nodir/*.conf\";\n");
  g_assert_false (parse_file_rec (main_conf, &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_INCLUDE);
  g_assert_nonnull (strstr (error->message, ":1:1: cannot open directory \""));
  g_clear_error (&error);

  write_file (dir, "main.conf", "include_files \"rules.d/\";\n");
  g_assert_false (parse_file_rec (main_conf, &error));
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%s:1:1: no file name pattern after the last '/' in \"rules.d/\"", main_conf);
  g_assert_cmpstr (error->message, ==, text);
  g_clear_error (&error);

  assert_fails ("posix_re_pattern = maybe;", IPA_CONF_ERROR_VALUE,
                "test.conf:1:20: \"posix_re_pattern\" expects yes or no");

  remove_tree (dir);
}

static void
test_include_disabled (void)
{
  g_autoptr(IpaConfParser) parser = new_parser (FALSE);
  g_autoptr(GError) error = NULL;

  ipa_conf_parser_set_allow_include (parser, FALSE);
  g_assert_false (parse_with (parser, "say \"x\";\ninclude \"/etc/passwd\";", &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_INCLUDE);
  g_assert_cmpstr (error->message, ==, "test.conf:2:1: \"include\" is disabled in this parser");
  g_clear_error (&error);
  g_assert_false (parse_with (parser, "include_files \"/etc/*\";", &error));
  g_assert_cmpstr (error->message, ==, "test.conf:1:1: \"include_files\" is disabled in this parser");
}

/* Modules */

static void
test_module_dispatch (void)
{
  assert_parses_ev ("rule r { tm:rules = 1   -2\n 3; tm:port = 80; }\n",
                 "begin rule r no=0\ntm RULE_BEGIN no=0 arg=r\ntm misc=1 -2 3\ntm u32=80\n"
                 "tm RULE_END no=0 arg=r\nend rule r no=0\n");
  assert_fails ("xx:foo = 1;", IPA_CONF_ERROR_UNKNOWN,
                "test.conf:1:1: unknown module prefix \"xx\"");
  assert_fails ("rule r {\n tm:nope; }", IPA_CONF_ERROR_UNKNOWN,
                "test.conf:2:2: unknown parameter \"tm:nope\"");
  assert_fails ("tm:nope { }", IPA_CONF_ERROR_UNKNOWN, "test.conf:1:1: unknown section \"tm:nope\"");
  assert_fails ("tm:db \"x\";", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:1: \"tm:db\" is a section: expected '{' after its arguments");
  assert_fails ("tm:noarg { }", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:1: \"tm:noarg\" is a parameter, not a section: expected ';' after its arguments");
  assert_fails ("tm:;", IPA_CONF_ERROR_SYNTAX,
                "test.conf:1:1: \"tm:\" is a section: expected '{' after its arguments");
}

static void
test_module_placement (void)
{
  assert_fails ("tm:rules = 1;", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:1:1: parameter \"tm:rules\" is not allowed at top level");
  assert_fails ("rule r { limit l {\n   tm:rules = 1; } }", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:2:4: parameter \"tm:rules\" is not allowed in section \"limit\"");
  assert_fails ("rule r { tm: { } }", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:1:10: section \"tm:\" is not allowed in section \"rule\"");
  /* Ids above the offset are the module's own sections. */
  assert_fails ("tm: { ot:inner; }", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:1:7: parameter \"ot:inner\" is not allowed in section \"tm:\"");
  assert_fails ("ot:sect { tm:inner; }", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:1:11: parameter \"tm:inner\" is not allowed in section \"ot:sect\"");
  assert_fails ("tm: { say \"x\"; global { } }", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:1:16: section \"global\" is not allowed in section \"tm:\"");
  assert_fails ("tm:inner;", IPA_CONF_ERROR_PLACEMENT,
                "test.conf:1:1: parameter \"tm:inner\" is not allowed at top level");
}

static void
test_module_nargs_regex (void)
{
  assert_fails ("rule r { tm:rules; }", IPA_CONF_ERROR_ARGS,
                "test.conf:1:10: parameter \"tm:rules\" expects at least 1 argument, got 0");
  assert_fails ("rule r { tm:port 1 2; }", IPA_CONF_ERROR_ARGS,
                "test.conf:1:10: parameter \"tm:port\" expects 1 argument, got 2");
  assert_fails ("tm:noarg x;", IPA_CONF_ERROR_ARGS,
                "test.conf:1:1: parameter \"tm:noarg\" takes no arguments, got 1");
  assert_fails ("rule r { tm:rules = 1 a; }", IPA_CONF_ERROR_ARGS,
                "test.conf:1:21: arguments \"1 a\" of parameter \"tm:rules\" do not match "
                "the pattern \"^-?[0-9]+( -?[0-9]+)*$\"");
  /* The shared expression: "port" has no pattern of its own. */
  assert_fails ("rule r { tm:port = http; }", IPA_CONF_ERROR_ARGS,
                "test.conf:1:20: arguments \"http\" of parameter \"tm:port\" do not match "
                "the pattern \"^-?[0-9]+( -?[0-9]+)*$\"");
  assert_fails ("tm:word \"abc\";", IPA_CONF_ERROR_ARGS,
                "test.conf:1:9: arguments \"\"abc\"\" of parameter \"tm:word\" do not match "
                "the pattern \"^[a-z]+$\"");
  assert_parses ("tm:word abc;", "tm misc=abc\n");
}

static void
test_module_types (void)
{
  assert_parses ("tm:i32 -5; tm:u32 7; tm:i64 -9000000000; tm:u64 18446744073709551615;\n"
                 "tm:bytes 1G 512M; tm:time 1h 30m; tm:pct 50%; tm:bool yes; tm:bool no;\n"
                 "tm:value 10M; tm:value 5m; tm:value 42;\n"
                 "tm:misc  a  \"b  c\"\t d ; tm:noarg;\n",
                 "tm i32=-5\ntm u32=7\ntm i64=-9000000000\ntm u64=18446744073709551615\n"
                 "tm u64=1610612736\ntm u64=5400\ntm u32=50\ntm bool=1\ntm bool=0\n"
                 "tm value kind=bytes 10485760\ntm value kind=time 300\ntm value kind=uint64 42\n"
                 "tm misc=a \"b  c\" d\ntm noarg arg=NULL\n");

  {
    g_autoptr(IpaConfParser) parser = new_parser (FALSE);
    g_autoptr(GError) error = NULL;

    g_assert_false (parse_with (parser, "tm:pct\n  = 200%;", &error));
    g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE);
    g_assert_true (g_str_has_prefix (error->message, "test.conf:2:5: "));
  }
}

static void
test_module_strings (void)
{
  guint64 before = parser_blocks ();

  kept_strings = g_ptr_array_new ();
  assert_parses ("tm:str \"a\\tb\"; tm:str_keep \"kept\"; tm:str_null \"dropped\";",
                 "tm str=a\tb\ntm keep=kept\n");
  g_assert_cmpuint (kept_strings->len, ==, 1);
  /* The module owns what it kept, in m_parser memory. */
  g_assert_cmpuint (parser_blocks (), ==, before + 1);
  ipa_mem_free (kept_strings->pdata[0], ipa_mem_type_get_parser ());
  g_ptr_array_unref (kept_strings);
  kept_strings = NULL;
  g_assert_cmpuint (parser_blocks (), ==, before);

  assert_fails ("tm:str_fail \"x\";", IPA_CONF_ERROR_MODULE,
                "test.conf:1:1: module \"testmod\" rejected the arguments of parameter \"tm:str_fail\"");
  assert_fails ("tm:str word;", IPA_CONF_ERROR_ARGS,
                "test.conf:1:8: parameter \"tm:str\" expects one string in double quotes");
  g_assert_cmpuint (parser_blocks (), ==, before);
}

static void
test_module_failures (void)
{
  assert_fails ("say \"x\";\ntm:fail;", IPA_CONF_ERROR_MODULE,
                "test.conf:2:1: module \"testmod\" rejected the arguments of parameter \"tm:fail\": bad things");
  /* A message of an earlier call is not quoted again. */
  assert_fails ("tm:fail_quiet;", IPA_CONF_ERROR_MODULE,
                "test.conf:1:1: module \"testmod\" rejected the arguments of parameter \"tm:fail_quiet\"");
  assert_fails ("rule good { }\nrule bad { }", IPA_CONF_ERROR_MODULE,
                "test.conf:2:1: module \"testmod\" failed at the beginning of section \"rule\": no bad rules");
}

static void
test_module_events (void)
{
  g_autoptr(IpaConfParser) parser = new_parser (TRUE);
  g_autoptr(GError) error = NULL;

  record_events = TRUE;
  g_assert_true (parse_with (parser,
                             "global { }\n"
                             "rule r1 { limit l1 { restart { } } limit l2 { } threshold t1 { } }\n"
                             "rulepat \"^a.*\" { limit l1 { } }\n"
                             "rule r2 { limit l1 { } }\n"
                             "priv { }\n",
                             &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rec->str, ==,
                   "tm GLOBAL_BEGIN no=0 arg=NULL\not GLOBAL_BEGIN no=0 arg=NULL\n"
                   "tm GLOBAL_END no=0 arg=NULL\not GLOBAL_END no=0 arg=NULL\n"
                   "begin rule r1 no=0\n"
                   "tm RULE_BEGIN no=0 arg=r1\not RULE_BEGIN no=0 arg=r1\n"
                   "tm LIMIT_BEGIN no=0 arg=l1\not LIMIT_BEGIN no=0 arg=l1\n"
                   "tm RESTART_BEGIN no=0 arg=NULL\not RESTART_BEGIN no=0 arg=NULL\n"
                   "tm RESTART_END no=0 arg=NULL\not RESTART_END no=0 arg=NULL\n"
                   "tm LIMIT_END no=0 arg=l1\not LIMIT_END no=0 arg=l1\n"
                   "tm LIMIT_BEGIN no=1 arg=l2\not LIMIT_BEGIN no=1 arg=l2\n"
                   "tm LIMIT_END no=1 arg=l2\not LIMIT_END no=1 arg=l2\n"
                   "tm THRESHOLD_BEGIN no=0 arg=t1\not THRESHOLD_BEGIN no=0 arg=t1\n"
                   "tm THRESHOLD_END no=0 arg=t1\not THRESHOLD_END no=0 arg=t1\n"
                   "tm RULE_END no=0 arg=r1\not RULE_END no=0 arg=r1\n"
                   "end rule r1 no=0\n"
                   "tm RULEPAT_BEGIN no=0 arg=^a.*\not RULEPAT_BEGIN no=0 arg=^a.*\n"
                   "tm LIMIT_BEGIN no=0 arg=l1\not LIMIT_BEGIN no=0 arg=l1\n"
                   "tm LIMIT_END no=0 arg=l1\not LIMIT_END no=0 arg=l1\n"
                   "tm RULEPAT_END no=0 arg=^a.*\not RULEPAT_END no=0 arg=^a.*\n"
                   "begin rule r2 no=1\n"
                   "tm RULE_BEGIN no=1 arg=r2\not RULE_BEGIN no=1 arg=r2\n"
                   "tm LIMIT_BEGIN no=0 arg=l1\not LIMIT_BEGIN no=0 arg=l1\n"
                   "tm LIMIT_END no=0 arg=l1\not LIMIT_END no=0 arg=l1\n"
                   "tm RULE_END no=1 arg=r2\not RULE_END no=1 arg=r2\n"
                   "end rule r2 no=1\n");

  /* Numbering goes on over several parse calls of one parser. */
  g_assert_true (parse_with (parser, "rule r3 { }", &error));
  g_assert_cmpstr (rec->str, ==,
                   "begin rule r3 no=2\ntm RULE_BEGIN no=2 arg=r3\not RULE_BEGIN no=2 arg=r3\n"
                   "tm RULE_END no=2 arg=r3\not RULE_END no=2 arg=r3\nend rule r3 no=2\n");
  record_events = FALSE;
}

static void
test_module_late (void)
{
  g_autoptr(IpaConfParser) parser = ipa_conf_parser_new (&test_schema, NULL);
  g_autoptr(GError) error = NULL;

  record_events = TRUE;
  /* Events go to the modules known so far, in registration order; an END
   * only to those that got the BEGIN. */
  g_assert_true (parse_with (parser,
                             "global { }\nload late;\nbareparam  x   y;\nglobal { }\n"
                             "load tm;\nglobal { tm:noarg; }\n",
                             &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rec->str, ==,
                   "tm misc=x y\n"
                   "late GLOBAL_BEGIN no=0 arg=NULL\nlate GLOBAL_END no=0 arg=NULL\n"
                   "late GLOBAL_BEGIN no=0 arg=NULL\ntm GLOBAL_BEGIN no=0 arg=NULL\n"
                   "tm noarg arg=NULL\n"
                   "late GLOBAL_END no=0 arg=NULL\ntm GLOBAL_END no=0 arg=NULL\n");

  /* The prefix is taken. */
  g_assert_false (parse_with (parser, "load tm;", &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE);
  g_assert_cmpstr (error->message, ==,
                   "test.conf:1:1: module \"testmod\": configuration prefix \"tm\" is already "
                   "used by another module");
  record_events = FALSE;
}

static void
test_module_custom_sections (void)
{
  g_autoptr(IpaConfParser) parser = new_parser (TRUE);
  g_autoptr(GError) error = NULL;
  guint64 before = parser_blocks ();

  record_events = TRUE;
  g_assert_true (parse_with (parser,
                             "tm: { tm:inner; }\n"
                             "rule r { tm:db \"/var/db\" { tm:rules 1; } }\n"
                             "ot:sect { ot:inner; }\n",
                             &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rec->str, ==,
                   "tm sect arg=NULL\ntm CUSTOM_SECT_BEGIN no=101 arg=NULL\n"
                   "tm noarg arg=NULL\ntm CUSTOM_SECT_END no=101 arg=NULL\n"
                   "begin rule r no=0\ntm RULE_BEGIN no=0 arg=r\not RULE_BEGIN no=0 arg=r\n"
                   "tm str=/var/db\ntm CUSTOM_SECT_BEGIN no=102 arg=NULL\n"
                   "tm misc=1\ntm CUSTOM_SECT_END no=102 arg=NULL\n"
                   "tm RULE_END no=0 arg=r\not RULE_END no=0 arg=r\nend rule r no=0\n"
                   "ot CUSTOM_SECT_BEGIN no=101 arg=NULL\not CUSTOM_SECT_END no=101 arg=NULL\n");
  g_assert_cmpuint (parser_blocks (), ==, before);
  record_events = FALSE;
}

static void
test_module_symbols (void)
{
  guint64 before = parser_blocks ();

  assert_parses_ev ("rule r {\n  tm:setsym \"v1\"; say \"${modvar}\";\n"
                 "  limit l { say \"${modvar}\"; }\n}\n",
                 "begin rule r no=0\ntm RULE_BEGIN no=0 arg=r\nsay=v1\n"
                 "tm LIMIT_BEGIN no=0 arg=l\nsay=v1\ntm LIMIT_END no=0 arg=l\n"
                 "tm RULE_END no=0 arg=r\nend rule r no=0\n");
  assert_fails ("rule r { tm:setsym \"v1\"; }\nsay \"${modvar}\";", IPA_CONF_ERROR_MACRO,
                "test.conf:2:5: undefined macro variable \"${modvar}\"");
  /* Module values are taken literally; globals live on. */
  assert_parses_ev ("rule r { tm:setsym \"${$}{x}\"; say \"${modvar}\"; tm:setgsym \"g\"; }\n"
                 "say \"${gvar}\"; tm:delsym; tm:delsym;\n",
                 "begin rule r no=0\ntm RULE_BEGIN no=0 arg=r\nsay=${x}\n"
                 "tm RULE_END no=0 arg=r\nend rule r no=0\nsay=g\n"
                 "tm delsym local=-1 global=0\ntm delsym local=-1 global=-1\n");
  /* A local shadows a global of the same name while its section lasts. */
  assert_parses_ev ("${modvar} = \"global\";\nrule r { tm:setsym \"local\"; say \"${modvar}\"; }\n"
                 "say \"${modvar}\";\n",
                 "begin rule r no=0\ntm RULE_BEGIN no=0 arg=r\nsay=local\n"
                 "tm RULE_END no=0 arg=r\nend rule r no=0\nsay=global\n");
  g_assert_cmpuint (parser_blocks (), ==, before);

  {
    g_autoptr(IpaConfParser) parser = new_parser (FALSE);

    /* Outside parsing a local symbol is global in effect. */
    g_assert_cmpint (ipa_conf_parser_sym_add (parser, FALSE, (char *) "a", (char *) "1", 1), ==, 0);
    g_assert_cmpint (ipa_conf_parser_sym_del (parser, FALSE, "a"), ==, 0);
    g_assert_cmpint (ipa_conf_parser_sym_del (parser, FALSE, "a"), ==, -1);
    g_assert_cmpint (ipa_conf_parser_sym_add (parser, TRUE,
                                              ipa_mem_strdup ("b", ipa_mem_type_get_parser ()),
                                              ipa_mem_strdup ("2", ipa_mem_type_get_parser ()), 0),
                     ==, 0);
  }
  g_assert_cmpuint (parser_blocks (), ==, before);
}

static void
test_bad_module_tables (void)
{
  static ipa_conf_sect bad_sects[] = {
    { "low", 100, 0, NULL, NULL, 0, w_root, NULL },
    { NULL }
  };
  static ipa_conf_param bad_params[] = {
    { "p", 1, "^x$", NULL, IPA_CONF_TYPE_MISC, w_root, NULL },
    { NULL }
  };
  static ipa_conf_param clash_params[] = {
    { "say", 1, NULL, NULL, IPA_CONF_TYPE_MISC, w_root, NULL },
    { NULL }
  };
  IpaConfModuleTables t1 = { "bad1", "b1", bad_sects, NULL, NULL };
  IpaConfModuleTables t2 = { "bad2", "b2", NULL, bad_params, NULL };
  IpaConfModuleTables t3 = { "bad3", NULL, NULL, clash_params, NULL };
  IpaConfModuleTables t4 = { "empty", "e", NULL, NULL, NULL };
  g_autoptr(IpaConfParser) parser = ipa_conf_parser_new (&test_schema, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (ipa_conf_parser_add_module (parser, &t1, &error));
  g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE);
  g_assert_cmpstr (error->message, ==,
                   "module \"bad1\": section \"low\" has sect_id 100, which must be greater than 100");
  g_clear_error (&error);
  g_assert_false (ipa_conf_parser_add_module (parser, &t2, &error));
  g_assert_cmpstr (error->message, ==, "module \"bad2\": parameter \"p\" has arg_pattern but no arg_regexp");
  g_clear_error (&error);
  g_assert_false (ipa_conf_parser_add_module (parser, &t3, &error));
  g_assert_cmpstr (error->message, ==,
                   "module \"bad3\" has no configuration prefix and its parameter \"say\" is already known");
  g_clear_error (&error);
  /* NULL tables are empty. */
  g_assert_true (ipa_conf_parser_add_module (parser, &t4, &error));
  g_assert_no_error (error);
}

static void
test_location_current (void)
{
  g_autoptr(IpaConfParser) parser = new_parser (FALSE);
  g_autoptr(GError) error = NULL;

  g_assert_null (ipa_conf_parser_get_current ());
  /* param_handler checks get_current() and get_location(). */
  g_assert_true (parse_with (parser, "\n\n   say\n \"x\";  num 3;", &error));
  g_assert_cmpstr (rec->str, ==, "say=x\nnum=3\n");
  g_assert_null (ipa_conf_parser_get_section (parser, 0));
}

static void
test_many_rules (void)
{
  GString *s = g_string_new ("global { update_time = 1m; tm:rules 1; }\n");
  g_autoptr(IpaConfParser) parser = new_parser (TRUE);
  g_autoptr(GError) error = NULL;
  gint64 start;
  double seconds;

  for (int i = 0; i < 10000; i++)
    g_string_append_printf (s,
                            "rule r%d {\n"
                            "  update_time = 5m;\n"
                            "  tm:rules = %d -%d;\n"
                            "  tm:port = %d;\n"
                            "  info = \"rule ${rule}\";\n"
                            "  limit day {\n"
                            "    restart { exec \"echo ${rule} ${limit}\"; }\n"
                            "    tm:bytes = 1G 512M;\n"
                            "  }\n"
                            "  threshold t { tm:value = 10M; }\n"
                            "}\n",
                            i, i, i + 1, i % 65536);
  quiet = TRUE;
  n_rule_begins = 0;
  start = g_get_monotonic_time ();
  parse_with (parser, s->str, &error);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  quiet = FALSE;
  g_assert_no_error (error);
  g_assert_cmpuint (n_rule_begins, ==, 10000);
  g_test_message ("10000 rules (%zu bytes) parsed in %.3f s", s->len, seconds);
  /* Generous, for sanitizer builds on slow machines; it takes well under a
   * second normally. */
  g_assert_cmpfloat (seconds, <, 20.0);
  g_string_free (s, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rec = g_string_new (NULL);
  (void) ipa_memfunc_get ();
  g_assert_cmpint (regcomp (&re_rules, tm_params[0].arg_pattern, REG_EXTENDED | REG_NOSUB), ==, 0);
  g_assert_cmpint (regcomp (&re_word, tm_params[2].arg_pattern, REG_EXTENDED | REG_NOSUB), ==, 0);

  g_test_add_func ("/conf-parser/syntax/equals-optional", test_equals_optional);
  g_test_add_func ("/conf-parser/syntax/split-lines", test_split_lines);
  g_test_add_func ("/conf-parser/syntax/case-sensitive", test_case_sensitive);
  g_test_add_func ("/conf-parser/syntax/comments", test_comments);
  g_test_add_func ("/conf-parser/syntax/strings", test_strings);
  g_test_add_func ("/conf-parser/syntax/errors", test_syntax_errors);
  g_test_add_func ("/conf-parser/schema/checks", test_schema_checks);
  g_test_add_func ("/conf-parser/schema/values", test_schema_values);
  g_test_add_func ("/conf-parser/schema/handler-errors", test_handler_errors);
  g_test_add_func ("/conf-parser/schema/depth-limit", test_depth_limit);
  g_test_add_func ("/conf-parser/macro/lazy", test_macro_lazy);
  g_test_add_func ("/conf-parser/macro/scope", test_macro_scope);
  g_test_add_func ("/conf-parser/macro/predefined", test_macro_predefined);
  g_test_add_func ("/conf-parser/macro/errors", test_macro_errors);
  g_test_add_func ("/conf-parser/include/file", test_include);
  g_test_add_func ("/conf-parser/include/loop", test_include_loop);
  g_test_add_func ("/conf-parser/include/files", test_include_files);
  g_test_add_func ("/conf-parser/include/disabled", test_include_disabled);
  g_test_add_func ("/conf-parser/module/dispatch", test_module_dispatch);
  g_test_add_func ("/conf-parser/module/placement", test_module_placement);
  g_test_add_func ("/conf-parser/module/nargs-regex", test_module_nargs_regex);
  g_test_add_func ("/conf-parser/module/types", test_module_types);
  g_test_add_func ("/conf-parser/module/strings", test_module_strings);
  g_test_add_func ("/conf-parser/module/failures", test_module_failures);
  g_test_add_func ("/conf-parser/module/events", test_module_events);
  g_test_add_func ("/conf-parser/module/late", test_module_late);
  g_test_add_func ("/conf-parser/module/custom-sections", test_module_custom_sections);
  g_test_add_func ("/conf-parser/module/symbols", test_module_symbols);
  g_test_add_func ("/conf-parser/module/bad-tables", test_bad_module_tables);
  g_test_add_func ("/conf-parser/location-current", test_location_current);
  g_test_add_func ("/conf-parser/many-rules", test_many_rules);

  return g_test_run ();
}
