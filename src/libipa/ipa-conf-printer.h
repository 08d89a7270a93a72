/*
 * ipa-conf-printer.h: printing configuration text (ipa -t / -tt and the
 * conf_show functions of modules).
 *
 * The printer follows the print protocol of ipa_mod(3):
 *   parameter: param_name, param_args x N, param_end;
 *   section:   sect_name, sect_args x N, sect_begin, contents, sect_end.
 * Values printed with ipa_conf_printer_string/bytes/time/value/boolean
 * between a name and its end become arguments.
 *
 * Layout: four spaces of indentation per level; "name = args;" for a
 * parameter with arguments, "name;" without, "name args;" for a parameter
 * started with param_name_plain; "name args {" ... "}" for a section and
 * "prefix: {" for a bare module section.  Module names are "prefix:name".
 *
 * Calls out of protocol order never crash and keep the output readable:
 * a name while a parameter is open ends that parameter, anything but
 * arguments after a section header opens its body, values outside a
 * parameter or header are dropped, and an unmatched end is ignored.
 */
#pragma once

#include <glib.h>
#include <stdarg.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct _IpaConfPrinter IpaConfPrinter;

IpaConfPrinter *ipa_conf_printer_new (void);
void ipa_conf_printer_free (IpaConfPrinter *printer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaConfPrinter, ipa_conf_printer_free)

/* The text printed so far (an open parameter is not yet terminated). */
const char *ipa_conf_printer_get_text (IpaConfPrinter *printer);
/* Ends what is open (ipa_conf_printer_unwind to 0) and returns the text;
 * the printer starts again empty. */
char *ipa_conf_printer_steal_text (IpaConfPrinter *printer);

/* The printer that the suppfunc print_* functions write to (they have no
 * context argument); NULL for none.  Freeing the current printer unsets it. */
void ipa_conf_printer_set_current (IpaConfPrinter *printer);
IpaConfPrinter *ipa_conf_printer_get_current (void);

/* Parameters. */
void ipa_conf_printer_param_name (IpaConfPrinter *printer, const char *prefix,
                                  const char *name);
void ipa_conf_printer_param_name_plain (IpaConfPrinter *printer, const char *prefix,
                                        const char *name);
void ipa_conf_printer_param_args (IpaConfPrinter *printer, const char *format, ...)
  G_GNUC_PRINTF (2, 3);
void ipa_conf_printer_param_argsv (IpaConfPrinter *printer, const char *format,
                                   va_list ap) G_GNUC_PRINTF (2, 0);
void ipa_conf_printer_param_end (IpaConfPrinter *printer);

/* Sections. */
void ipa_conf_printer_sect_name (IpaConfPrinter *printer, const char *prefix,
                                 const char *name);
void ipa_conf_printer_sect_args (IpaConfPrinter *printer, const char *format, ...)
  G_GNUC_PRINTF (2, 3);
void ipa_conf_printer_sect_argsv (IpaConfPrinter *printer, const char *format,
                                  va_list ap) G_GNUC_PRINTF (2, 0);
void ipa_conf_printer_sect_begin (IpaConfPrinter *printer);
void ipa_conf_printer_sect_end (IpaConfPrinter *printer);

/* Arguments in the forms of ipa-conf-value.h. */
void ipa_conf_printer_string (IpaConfPrinter *printer, const char *s);
void ipa_conf_printer_bytes (IpaConfPrinter *printer, uint64_t bytes);
void ipa_conf_printer_time (IpaConfPrinter *printer, uint64_t seconds);
void ipa_conf_printer_value (IpaConfPrinter *printer, uint64_t value, unsigned int kind);
void ipa_conf_printer_boolean (IpaConfPrinter *printer, int value);
/* One space between arguments, unless one was just printed. */
void ipa_conf_printer_space (IpaConfPrinter *printer);

/* "# text" lines at the current indentation; an open parameter is ended
 * first. */
void ipa_conf_printer_comment (IpaConfPrinter *printer, const char *text);
/* An empty line between statements, e.g. between top-level sections. */
void ipa_conf_printer_blank_line (IpaConfPrinter *printer);

/* Number of open section bodies.  unwind ends an open parameter or header
 * and closes sections until @depth remain, so a caller can repair the
 * nesting after a module's conf_show. */
guint ipa_conf_printer_get_depth (IpaConfPrinter *printer);
void ipa_conf_printer_unwind (IpaConfPrinter *printer, guint depth);

G_END_DECLS
