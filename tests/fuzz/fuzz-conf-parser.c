/*
 * fuzz-conf-parser.c: the configuration language on arbitrary input.
 *
 * The schema resembles ipa.conf (root, global, rule, limit, threshold,
 * autorule, rulepat and the event sections, parameters of every type) and
 * one module table has sections, a pattern shared by two entries, every
 * argument type and macro variables added through sym_add, so that all
 * paths of the parser are reachable.  Includes are disabled: the input
 * must not make the target read files.
 */
#include "config.h"

#include <regex.h>
#include <stdint.h>
#include <string.h>

#include "ipa-conf-parser.h"
#include "ipa-memfunc.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const unsigned int w_root[] = { IPA_CONF_SECT_ROOT, 0 };
static const unsigned int w_rules[] = { IPA_CONF_SECT_RULE, IPA_CONF_SECT_AUTORULE,
                                        IPA_CONF_SECT_RULEPAT, 0 };
static const unsigned int w_limit[] = { IPA_CONF_SECT_LIMIT, 0 };
static const unsigned int w_threshold[] = { IPA_CONF_SECT_THRESHOLD, 0 };
static const unsigned int w_rule_limit[] = { IPA_CONF_SECT_RULE, IPA_CONF_SECT_LIMIT, 0 };
static const unsigned int w_startup[] = { IPA_CONF_SECT_STARTUP, IPA_CONF_SECT_SHUTDOWN, 0 };
static const unsigned int w_common[] = { IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULE,
                                         IPA_CONF_SECT_AUTORULE, IPA_CONF_SECT_RULEPAT, 0 };
static const unsigned int w_exec[] = { IPA_CONF_SECT_STARTUP, IPA_CONF_SECT_SHUTDOWN,
                                       IPA_CONF_SECT_REACH, IPA_CONF_SECT_EXPIRE,
                                       IPA_CONF_SECT_RESTART, IPA_CONF_SECT_IF_REACHED,
                                       IPA_CONF_SECT_IF_NOT_REACHED,
                                       IPA_CONF_SECT_BELOW_THRESHOLD,
                                       IPA_CONF_SECT_EQUAL_THRESHOLD,
                                       IPA_CONF_SECT_ABOVE_THRESHOLD, 0 };

static gboolean
handler (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
         GError **error)
{
  /* Exercise handler failures, with and without a location. */
  if (st->text != NULL && strcmp (st->text, "\"fail\"") == 0)
    return ipa_conf_parser_set_error (parser, error, IPA_CONF_ERROR_SEMANTIC, "handler failed");
  if (st->text != NULL && strcmp (st->text, "\"fail2\"") == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "foreign error");
      return FALSE;
    }
  if (st->nargs > 0 && strcmp (st->args[0].text, "fail3") == 0)
    return FALSE;
  (void) ipa_conf_parser_get_section (parser, 0);
  (void) ipa_conf_parser_get_section (parser, 1);
  return TRUE;
}

static const IpaConfSectDef sects[] = {
  { "global", IPA_CONF_SECT_GLOBAL, 0, 0, w_root, IPA_CONF_EVENT_GLOBAL_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, handler, handler },
  { "rule", IPA_CONF_SECT_RULE, 1, 0, w_root, IPA_CONF_EVENT_RULE_BEGIN,
    IPA_CONF_NUMBER_FILE, "rule", handler, handler },
  { "autorule", IPA_CONF_SECT_AUTORULE, 1, 0, w_root, IPA_CONF_EVENT_AUTORULE_BEGIN,
    IPA_CONF_NUMBER_FILE, "autorule", handler, NULL },
  { "rulepat", IPA_CONF_SECT_RULEPAT, 1, IPA_CONF_TYPE_STRING, w_root,
    IPA_CONF_EVENT_RULEPAT_BEGIN, IPA_CONF_NUMBER_FILE, NULL, NULL, handler },
  { "limit", IPA_CONF_SECT_LIMIT, 1, 0, w_rules, IPA_CONF_EVENT_LIMIT_BEGIN,
    IPA_CONF_NUMBER_PARENT, "limit", handler, handler },
  { "threshold", IPA_CONF_SECT_THRESHOLD, 1, 0, w_rules, IPA_CONF_EVENT_THRESHOLD_BEGIN,
    IPA_CONF_NUMBER_PARENT, "threshold", NULL, NULL },
  { "restart", IPA_CONF_SECT_RESTART, 0, 0, w_limit, IPA_CONF_EVENT_RESTART_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "reach", IPA_CONF_SECT_REACH, 0, 0, w_limit, IPA_CONF_EVENT_REACH_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "expire", IPA_CONF_SECT_EXPIRE, 0, 0, w_limit, IPA_CONF_EVENT_EXPIRE_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "startup", IPA_CONF_SECT_STARTUP, 0, 0, w_rule_limit, IPA_CONF_EVENT_STARTUP_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "shutdown", IPA_CONF_SECT_SHUTDOWN, 0, 0, w_rule_limit, IPA_CONF_EVENT_SHUTDOWN_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "if_reached", IPA_CONF_SECT_IF_REACHED, 0, 0, w_startup, IPA_CONF_EVENT_IF_REACHED_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "if_not_reached", IPA_CONF_SECT_IF_NOT_REACHED, 0, 0, w_startup,
    IPA_CONF_EVENT_IF_NOT_REACHED_BEGIN, IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "below_threshold", IPA_CONF_SECT_BELOW_THRESHOLD, 0, 0, w_threshold,
    IPA_CONF_EVENT_BELOW_THRESHOLD_BEGIN, IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "equal_threshold", IPA_CONF_SECT_EQUAL_THRESHOLD, 0, 0, w_threshold,
    IPA_CONF_EVENT_EQUAL_THRESHOLD_BEGIN, IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "above_threshold", IPA_CONF_SECT_ABOVE_THRESHOLD, 0, 0, w_threshold,
    IPA_CONF_EVENT_ABOVE_THRESHOLD_BEGIN, IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  /* A private section that nests in itself, for depth limits. */
  { "nest", 60, -1, IPA_CONF_TYPE_MISC, NULL, 0, IPA_CONF_NUMBER_PARENT, NULL, handler, NULL },
  { NULL }
};

static gboolean load_handler (IpaConfParser *parser, const IpaConfStatement *st,
                              gpointer user_data, GError **error);

static const IpaConfParamDef params[] = {
  { "ac_mod", 1, IPA_CONF_TYPE_STRING, w_root, TRUE, load_handler },
  { "update_time", 1, IPA_CONF_TYPE_TIME, w_common, FALSE, handler },
  { "append_time", -1, IPA_CONF_TYPE_TIME, w_common, FALSE, NULL },
  { "info", 1, IPA_CONF_TYPE_STRING, NULL, FALSE, handler },
  { "ac_list", -1, 0, w_common, FALSE, handler },
  { "limit", -1, IPA_CONF_TYPE_VALUE, w_limit, FALSE, handler },
  { "threshold", -1, IPA_CONF_TYPE_VALUE, w_threshold, FALSE, NULL },
  { "exec", -1, IPA_CONF_TYPE_MISC, w_exec, TRUE, handler },
  { "i32", 1, IPA_CONF_TYPE_INT32, NULL, TRUE, handler },
  { "u32", 1, IPA_CONF_TYPE_UINT32, NULL, TRUE, NULL },
  { "i64", 1, IPA_CONF_TYPE_INT64, NULL, TRUE, NULL },
  { "u64", 1, IPA_CONF_TYPE_UINT64, NULL, TRUE, NULL },
  { "bytes", -1, IPA_CONF_TYPE_BYTES, NULL, TRUE, NULL },
  { "pct", 1, IPA_CONF_TYPE_PER_CENT, NULL, TRUE, NULL },
  { "flag", 1, IPA_CONF_TYPE_BOOLEAN, NULL, TRUE, handler },
  { "none", 0, 0, NULL, FALSE, handler },
  { NULL }
};

static const IpaConfSchema schema = { sects, params };

/* The module. */

static regex_t re_num, re_name;

static int
mod_free_string (void *arg)
{
  ipa_mem_free (*(char **) arg, ipa_mem_type_get_parser ());
  return 0;
}

static int
mod_accept (void *arg)
{
  return 0;
}

static int
mod_reject (void *arg)
{
  ipa_conf_parser_note_module_message (ipa_conf_parser_get_current (), "fz",
                                       "rejected on purpose");
  return -1;
}

static int
mod_local_sym (void *arg)
{
  char *s = *(char **) arg;
  IpaConfParser *parser = ipa_conf_parser_get_current ();
  int r;

  /* Ownership of s passes to the parser (copy_flag == 0). */
  r = ipa_conf_parser_sym_add (parser, FALSE,
                               ipa_mem_strdup ("modsym", ipa_mem_type_get_parser ()),
                               s, 0);
  ipa_conf_parser_sym_del (parser, FALSE, "nosuch");
  return r;
}

static int
mod_global_sym (void *arg)
{
  IpaConfParser *parser = ipa_conf_parser_get_current ();
  char *s = *(char **) arg;
  int r = ipa_conf_parser_sym_add (parser, TRUE, (char *) "gsym", s, 1);

  ipa_mem_free (s, ipa_mem_type_get_parser ());
  return r;
}

static int
mod_del_sym (void *arg)
{
  IpaConfParser *parser = ipa_conf_parser_get_current ();

  ipa_conf_parser_sym_del (parser, FALSE, "modsym");
  ipa_conf_parser_sym_del (parser, TRUE, "gsym");
  return 0;
}

static int
mod_conf_event (unsigned int event, unsigned int no, const void *arg)
{
  if (event == IPA_CONF_EVENT_RULE_BEGIN && arg != NULL && strcmp (arg, "badrule") == 0)
    return -1;
  if (event == IPA_CONF_EVENT_CUSTOM_SECT_END && no == 103)
    return -1;
  return 0;
}

static const unsigned int w_mod_any[] = { IPA_CONF_SECT_ROOT, IPA_CONF_SECT_GLOBAL,
                                          IPA_CONF_SECT_RULE, IPA_CONF_SECT_LIMIT,
                                          101, 102, 0 };
static const unsigned int w_mod_root[] = { IPA_CONF_SECT_ROOT, 0 };
static const unsigned int w_mod_sub[] = { 101, IPA_CONF_SECT_RULE, 0 };
static const unsigned int w_mod_inner[] = { 102, 0 };

static ipa_conf_sect mod_sects[] = {
  { "", 101, 0, NULL, NULL, 0, w_mod_root, mod_accept },
  { "sub", 102, 1, NULL, &re_name, IPA_CONF_TYPE_MISC, w_mod_sub, mod_accept },
  { "bad", 103, 0, NULL, NULL, 0, w_mod_any, NULL },
  { NULL }
};

static ipa_conf_param mod_params[] = {
  { "num", -1, "^[0-9]+( [0-9]+)*$", &re_num, IPA_CONF_TYPE_MISC, w_mod_any, mod_accept },
  { "name", 1, "^[a-z][a-z0-9]*$", &re_name, IPA_CONF_TYPE_MISC, w_mod_any, mod_accept },
  /* Shares the pattern of "num". */
  { "num2", 1, NULL, &re_num, IPA_CONF_TYPE_UINT32, w_mod_any, mod_accept },
  { "str", 1, NULL, NULL, IPA_CONF_TYPE_STRING, w_mod_any, mod_free_string },
  { "str_noparse", 1, NULL, NULL, IPA_CONF_TYPE_STRING, w_mod_any, NULL },
  { "i32", 1, NULL, NULL, IPA_CONF_TYPE_INT32, w_mod_any, mod_accept },
  { "u32", 1, NULL, NULL, IPA_CONF_TYPE_UINT32, w_mod_any, mod_accept },
  { "i64", 1, NULL, NULL, IPA_CONF_TYPE_INT64, w_mod_any, mod_accept },
  { "u64", 1, NULL, NULL, IPA_CONF_TYPE_UINT64, w_mod_any, mod_accept },
  { "bytes", -1, NULL, NULL, IPA_CONF_TYPE_BYTES, w_mod_any, mod_accept },
  { "time", -1, NULL, NULL, IPA_CONF_TYPE_TIME, w_mod_any, mod_accept },
  { "value", -1, NULL, NULL, IPA_CONF_TYPE_VALUE, w_mod_any, mod_accept },
  { "pct", 1, NULL, NULL, IPA_CONF_TYPE_PER_CENT, w_mod_any, mod_accept },
  { "bool", 1, NULL, NULL, IPA_CONF_TYPE_BOOLEAN, w_mod_any, mod_accept },
  { "misc", -1, NULL, NULL, IPA_CONF_TYPE_MISC, w_mod_any, NULL },
  { "reject", 0, NULL, NULL, 0, w_mod_any, mod_reject },
  { "sym", 1, NULL, NULL, IPA_CONF_TYPE_STRING, w_mod_any, mod_local_sym },
  { "gsym", 1, NULL, NULL, IPA_CONF_TYPE_STRING, w_mod_any, mod_global_sym },
  { "delsym", 0, NULL, NULL, 0, w_mod_any, mod_del_sym },
  { "inner", 0, NULL, NULL, 0, w_mod_inner, NULL },
  { NULL }
};

static const IpaConfModuleTables mod_tables = {
  "fuzz", "fz", mod_sects, mod_params, mod_conf_event,
};

/* A second module without prefix, loaded by "ac_mod" from the input. */
static ipa_conf_param bare_params[] = {
  { "bare_param", -1, NULL, NULL, IPA_CONF_TYPE_MISC, NULL, mod_accept },
  { NULL }
};
static ipa_conf_sect bare_sects[] = {
  { "bare_sect", 110, 0, NULL, NULL, 0, NULL, NULL },
  { NULL }
};
static const IpaConfModuleTables bare_tables = {
  "bare", NULL, bare_sects, bare_params, mod_conf_event,
};

static gboolean
load_handler (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
              GError **error)
{
  if (strcmp (st->value.u.str, "bare") == 0)
    return ipa_conf_parser_add_module (parser, &bare_tables, error);
  if (strcmp (st->value.u.str, "fz") == 0)
    return ipa_conf_parser_add_module (parser, &mod_tables, error);
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialised;
  g_autoptr(IpaConfParser) parser = NULL;
  g_autoptr(GError) error = NULL;

  if (!initialised)
    {
      if (regcomp (&re_num, mod_params[0].arg_pattern, REG_EXTENDED | REG_NOSUB) != 0 ||
          regcomp (&re_name, mod_params[1].arg_pattern, REG_EXTENDED | REG_NOSUB) != 0)
        g_error ("regcomp");
      (void) ipa_memfunc_get ();
      initialised = TRUE;
    }

  parser = ipa_conf_parser_new (&schema, NULL);
  ipa_conf_parser_set_allow_include (parser, FALSE);
  if (!ipa_conf_parser_add_module (parser, &mod_tables, &error))
    g_error ("%s", error->message);
  if (!ipa_conf_parser_parse_data (parser, "fuzz.conf", (const char *) data, size, &error))
    {
      /* Every configuration error is located. */
      if (error == NULL || error->domain != IPA_CONF_ERROR ||
          !g_str_has_prefix (error->message, "fuzz.conf:"))
        g_error ("badly formed error: %s", error != NULL ? error->message : "(none)");
    }
  else
    g_assert (error == NULL);
  return 0;
}
