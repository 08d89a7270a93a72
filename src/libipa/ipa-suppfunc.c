/*
 * ipa-suppfunc.c: the ipa_suppfunc table.
 *
 * The table's functions have no context argument, so each one finds its
 * context through the "current" accessors of the printer and the parser;
 * outside printing (or parsing) the printing (or macro) calls do nothing
 * (or fail with -1).
 */
#include "config.h"

#include "ipa-suppfunc.h"

#include <string.h>

#include "ipa-conf-parser.h"
#include "ipa-conf-printer.h"
#include "ipa-log.h"

/* The module's format strings, checked like ours where a compiler can. */
static void print_param_args (const char *format, va_list ap) G_GNUC_PRINTF (1, 0);
static void print_sect_args (const char *format, va_list ap) G_GNUC_PRINTF (1, 0);
static char *format_message (int code, const char *format, va_list ap) G_GNUC_PRINTF (2, 0);
static void logmsg (const char *mod_name, int priority, int code,
                    const char *format, va_list ap) G_GNUC_PRINTF (4, 0);
static void logconferr (const char *mod_name, int code,
                        const char *format, va_list ap) G_GNUC_PRINTF (3, 0);

/* Printing */

static void
print_string (const char *string)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL && string != NULL)
    ipa_conf_printer_string (p, string);
}

static void
print_bytes (const uint64_t *value)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL && value != NULL)
    ipa_conf_printer_bytes (p, *value);
}

static void
print_time (const uint64_t *value)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL && value != NULL)
    ipa_conf_printer_time (p, *value);
}

static void
print_value (const uint64_t *value, unsigned int value_type)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL && value != NULL)
    ipa_conf_printer_value (p, *value, value_type);
}

static void
print_boolean (int value)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL)
    ipa_conf_printer_boolean (p, value);
}

static void
print_space (void)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL)
    ipa_conf_printer_space (p);
}

static void
print_param_name (const char *prefix, const char *param)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL && param != NULL)
    ipa_conf_printer_param_name (p, prefix, param);
}

static void
print_param_args (const char *format, va_list ap)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL && format != NULL)
    ipa_conf_printer_param_argsv (p, format, ap);
}

static void
print_param_end (void)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL)
    ipa_conf_printer_param_end (p);
}

static void
print_sect_name (const char *prefix, const char *sect)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL && sect != NULL)
    ipa_conf_printer_sect_name (p, prefix, sect);
}

static void
print_sect_args (const char *format, va_list ap)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL && format != NULL)
    ipa_conf_printer_sect_argsv (p, format, ap);
}

static void
print_sect_begin (void)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL)
    ipa_conf_printer_sect_begin (p);
}

static void
print_sect_end (void)
{
  IpaConfPrinter *p = ipa_conf_printer_get_current ();

  if (p != NULL)
    ipa_conf_printer_sect_end (p);
}

/* Logging */

static void
open_log (void)
{
  ipa_log_open ();
}

static void
close_log (void)
{
  ipa_log_close ();
}

static int
map_priority (int priority)
{
  switch (priority)
    {
    case IPA_LOG_INFO:
      return LOG_INFO;
    case IPA_LOG_WARNING:
      return LOG_WARNING;
    default:
      /* IPA_LOG_ERR, and anything a module gets wrong: better seen. */
      return LOG_ERR;
    }
}

/* The module's text, with ": strerror(code)" when code != 0. */
static char *
format_message (int code, const char *format, va_list ap)
{
  g_autofree char *text = format != NULL ? g_strdup_vprintf (format, ap) : g_strdup ("");

  if (code != 0)
    return g_strdup_printf ("%s: %s", text, g_strerror (code));
  return g_steal_pointer (&text);
}

static void
logmsg (const char *mod_name, int priority, int code, const char *format, va_list ap)
{
  g_autofree char *message = format_message (code, format, ap);

  ipa_log_structured (map_priority (priority), mod_name, NULL, "%s", message);
}

static void
logconferr (const char *mod_name, int code, const char *format, va_list ap)
{
  IpaConfParser *parser = ipa_conf_parser_get_current ();
  const IpaConfLocation *loc = parser != NULL ? ipa_conf_parser_get_location (parser) : NULL;
  g_autofree char *message = format_message (code, format, ap);
  g_autofree char *module_field = NULL;
  const char *fields[2] = { NULL, NULL };

  if (mod_name == NULL)
    mod_name = "?";
  if (parser != NULL)
    ipa_conf_parser_note_module_message (parser, mod_name, message);

  /* The module name goes into the text after the location (as the parser
   * quotes it), so it is a field here rather than the stderr prefix. */
  module_field = g_strdup_printf (IPA_LOG_FIELD_MODULE "=%s", mod_name);
  fields[0] = module_field;
  if (loc != NULL && loc->file != NULL)
    ipa_log_structured (LOG_ERR, NULL, fields, "%s:%u:%u: %s: %s",
                        loc->file, loc->line, loc->column, mod_name, message);
  else
    ipa_log_structured (LOG_ERR, NULL, fields, "%s: %s", mod_name, message);
}

/* Macro variables */

static int
local_sym_add (char *sym, char *val, int copy_flag)
{
  IpaConfParser *parser = ipa_conf_parser_get_current ();

  if (parser == NULL || sym == NULL || val == NULL)
    return -1;
  return ipa_conf_parser_sym_add (parser, FALSE, sym, val, copy_flag);
}

static int
local_sym_del (const char *sym)
{
  IpaConfParser *parser = ipa_conf_parser_get_current ();

  if (parser == NULL || sym == NULL)
    return -1;
  return ipa_conf_parser_sym_del (parser, FALSE, sym);
}

static int
global_sym_add (char *sym, char *val, int copy_flag)
{
  IpaConfParser *parser = ipa_conf_parser_get_current ();

  if (parser == NULL || sym == NULL || val == NULL)
    return -1;
  return ipa_conf_parser_sym_add (parser, TRUE, sym, val, copy_flag);
}

static int
global_sym_del (const char *sym)
{
  IpaConfParser *parser = ipa_conf_parser_get_current ();

  if (parser == NULL || sym == NULL)
    return -1;
  return ipa_conf_parser_sym_del (parser, TRUE, sym);
}

static const ipa_suppfunc suppfunc = {
  .print_string = print_string,
  .print_bytes = print_bytes,
  .print_time = print_time,
  .print_value = print_value,
  .print_boolean = print_boolean,
  .print_space = print_space,
  .print_param_name = print_param_name,
  .print_param_args = print_param_args,
  .print_param_end = print_param_end,
  .print_sect_name = print_sect_name,
  .print_sect_args = print_sect_args,
  .print_sect_begin = print_sect_begin,
  .print_sect_end = print_sect_end,
  .open_log = open_log,
  .close_log = close_log,
  .logmsg = logmsg,
  .logconferr = logconferr,
  .local_sym_add = local_sym_add,
  .local_sym_del = local_sym_del,
  .global_sym_add = global_sym_add,
  .global_sym_del = global_sym_del,
};

const ipa_suppfunc *
ipa_suppfunc_get (void)
{
  return &suppfunc;
}
