/* ipa-conf-printer.c: printing configuration text. */
#include "config.h"

#include <string.h>

#include "ipa-conf-parser.h"
#include "ipa-conf-printer.h"
#include "ipa-conf-value.h"

#define INDENT "    "

typedef enum {
  STATE_IDLE,   /* between statements */
  STATE_PARAM,  /* after a parameter name, before its end */
  STATE_HEADER, /* after a section name, before its body */
} PrinterState;

struct _IpaConfPrinter {
  GString *text;
  PrinterState state;
  gboolean plain;    /* the open parameter takes no " = " */
  gboolean has_args; /* an argument follows the open name */
  gboolean skip;     /* the open statement has no name: print none of it */
  GArray *open;      /* gboolean per open section: TRUE if "{" was printed */
  guint indent;      /* number of open sections that printed "{" */
};

/* The target of the suppfunc print_* functions.  Printing happens in the
 * main thread only (ipa -t, conf_show), as configuration parsing does. */
static IpaConfPrinter *current_printer;

IpaConfPrinter *
ipa_conf_printer_new (void)
{
  IpaConfPrinter *printer = g_new0 (IpaConfPrinter, 1);

  printer->text = g_string_new (NULL);
  printer->open = g_array_new (FALSE, FALSE, sizeof (gboolean));
  return printer;
}

void
ipa_conf_printer_free (IpaConfPrinter *printer)
{
  if (printer == NULL)
    return;
  if (current_printer == printer)
    current_printer = NULL;
  g_string_free (printer->text, TRUE);
  g_array_unref (printer->open);
  g_free (printer);
}

void
ipa_conf_printer_set_current (IpaConfPrinter *printer)
{
  current_printer = printer;
}

IpaConfPrinter *
ipa_conf_printer_get_current (void)
{
  return current_printer;
}

const char *
ipa_conf_printer_get_text (IpaConfPrinter *printer)
{
  return printer != NULL ? printer->text->str : "";
}

static void
append_indent (IpaConfPrinter *printer)
{
  for (guint i = 0; i < printer->indent; i++)
    g_string_append (printer->text, INDENT);
}

static void
append_name (IpaConfPrinter *printer, const char *prefix, const char *name)
{
  append_indent (printer);
  if (prefix != NULL && *prefix != '\0')
    g_string_append_printf (printer->text, "%s:", prefix);
  if (name != NULL)
    g_string_append (printer->text, name);
}

static void
close_param (IpaConfPrinter *printer)
{
  if (!printer->skip)
    g_string_append (printer->text, ";\n");
  printer->state = STATE_IDLE;
}

static void
begin_body (IpaConfPrinter *printer)
{
  gboolean printed = !printer->skip;

  if (printed)
    {
      g_string_append (printer->text, " {\n");
      printer->indent++;
    }
  g_array_append_val (printer->open, printed);
  printer->state = STATE_IDLE;
}

/* Ends what a new statement cannot follow: an open parameter is
 * terminated, a pending section header gets its body. */
static void
end_statement (IpaConfPrinter *printer)
{
  if (printer->state == STATE_PARAM)
    close_param (printer);
  else if (printer->state == STATE_HEADER)
    begin_body (printer);
}

static void
start_statement (IpaConfPrinter *printer, PrinterState state, gboolean plain,
                 const char *prefix, const char *name)
{
  gboolean has_prefix = prefix != NULL && *prefix != '\0';
  gboolean has_name = name != NULL && *name != '\0';

  end_statement (printer);
  printer->state = state;
  printer->plain = plain;
  printer->has_args = FALSE;
  /* A parameter needs a name; a section a name or a prefix ("prefix: {"). */
  printer->skip = state == STATE_PARAM ? !has_name : !has_name && !has_prefix;
  if (!printer->skip)
    append_name (printer, prefix, name);
}

/* Appends argument text to the open parameter or section header. */
static void
append_arg (IpaConfPrinter *printer, const char *s)
{
  if (printer->state == STATE_IDLE)
    {
      g_debug ("configuration printer: argument outside a parameter or section header dropped");
      return;
    }
  if (printer->skip || s == NULL || *s == '\0')
    return;
  if (!printer->has_args)
    {
      /* The separator already gives the blank before the first argument. */
      while (*s == ' ')
        s++;
      if (*s == '\0')
        return;
      g_string_append (printer->text,
                       printer->state == STATE_PARAM && !printer->plain ? " = " : " ");
      printer->has_args = TRUE;
    }
  g_string_append (printer->text, s);
}

void
ipa_conf_printer_param_name (IpaConfPrinter *printer, const char *prefix,
                             const char *name)
{
  if (printer != NULL)
    start_statement (printer, STATE_PARAM, FALSE, prefix, name);
}

void
ipa_conf_printer_param_name_plain (IpaConfPrinter *printer, const char *prefix,
                                   const char *name)
{
  if (printer != NULL)
    start_statement (printer, STATE_PARAM, TRUE, prefix, name);
}

void
ipa_conf_printer_param_argsv (IpaConfPrinter *printer, const char *format, va_list ap)
{
  g_autofree char *s = NULL;

  if (printer == NULL || format == NULL)
    return;
  s = g_strdup_vprintf (format, ap);
  append_arg (printer, s);
}

void
ipa_conf_printer_param_args (IpaConfPrinter *printer, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  ipa_conf_printer_param_argsv (printer, format, ap);
  va_end (ap);
}

void
ipa_conf_printer_param_end (IpaConfPrinter *printer)
{
  if (printer == NULL)
    return;
  if (printer->state != STATE_PARAM)
    {
      g_debug ("configuration printer: parameter end without a parameter ignored");
      return;
    }
  close_param (printer);
}

void
ipa_conf_printer_sect_name (IpaConfPrinter *printer, const char *prefix,
                            const char *name)
{
  if (printer != NULL)
    start_statement (printer, STATE_HEADER, FALSE, prefix, name);
}

void
ipa_conf_printer_sect_argsv (IpaConfPrinter *printer, const char *format, va_list ap)
{
  /* Arguments are arguments, whichever function a module used. */
  ipa_conf_printer_param_argsv (printer, format, ap);
}

void
ipa_conf_printer_sect_args (IpaConfPrinter *printer, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  ipa_conf_printer_sect_argsv (printer, format, ap);
  va_end (ap);
}

void
ipa_conf_printer_sect_begin (IpaConfPrinter *printer)
{
  if (printer == NULL)
    return;
  if (printer->state != STATE_HEADER)
    {
      /* No header: open an invisible body so that the matching sect_end
       * does not close an enclosing section. */
      g_debug ("configuration printer: section begin without a section name");
      end_statement (printer);
      printer->skip = TRUE;
    }
  begin_body (printer);
}

void
ipa_conf_printer_sect_end (IpaConfPrinter *printer)
{
  gboolean printed;

  if (printer == NULL)
    return;
  end_statement (printer);
  if (printer->open->len == 0)
    {
      g_debug ("configuration printer: section end without a section ignored");
      return;
    }
  printed = g_array_index (printer->open, gboolean, printer->open->len - 1);
  g_array_set_size (printer->open, printer->open->len - 1);
  if (printed)
    {
      printer->indent--;
      append_indent (printer);
      g_string_append (printer->text, "}\n");
    }
}

/* Runs @format_call, which writes to the GString "out", and adds the result
 * as an argument. */
#define APPEND_FORMATTED(printer, format_call) \
  G_STMT_START { \
    g_autoptr (GString) buf_ = g_string_new (NULL); \
    GString *out = buf_; \
    format_call; \
    append_arg ((printer), out->str); \
  } G_STMT_END

void
ipa_conf_printer_string (IpaConfPrinter *printer, const char *s)
{
  if (printer != NULL)
    APPEND_FORMATTED (printer, ipa_conf_format_string (out, s));
}

void
ipa_conf_printer_bytes (IpaConfPrinter *printer, uint64_t bytes)
{
  if (printer != NULL)
    APPEND_FORMATTED (printer, ipa_conf_format_bytes (out, bytes));
}

void
ipa_conf_printer_time (IpaConfPrinter *printer, uint64_t seconds)
{
  if (printer != NULL)
    APPEND_FORMATTED (printer, ipa_conf_format_time (out, seconds));
}

void
ipa_conf_printer_value (IpaConfPrinter *printer, uint64_t value, unsigned int kind)
{
  if (printer != NULL)
    APPEND_FORMATTED (printer, ipa_conf_format_value (out, value, kind));
}

void
ipa_conf_printer_boolean (IpaConfPrinter *printer, int value)
{
  if (printer != NULL)
    APPEND_FORMATTED (printer, ipa_conf_format_boolean (out, value));
}

void
ipa_conf_printer_space (IpaConfPrinter *printer)
{
  GString *text;

  /* Before the first argument the separator will give the blank. */
  if (printer == NULL || printer->state == STATE_IDLE || printer->skip
      || !printer->has_args)
    return;
  text = printer->text;
  if (text->len == 0 || text->str[text->len - 1] != ' ')
    g_string_append_c (text, ' ');
}

void
ipa_conf_printer_comment (IpaConfPrinter *printer, const char *text)
{
  const char *line;

  if (printer == NULL || text == NULL)
    return;
  end_statement (printer);
  line = text;
  for (;;)
    {
      const char *nl = strchr (line, '\n');
      gsize len = nl != NULL ? (gsize) (nl - line) : strlen (line);

      append_indent (printer);
      g_string_append (printer->text, len > 0 ? "# " : "#");
      g_string_append_len (printer->text, line, (gssize) len);
      g_string_append_c (printer->text, '\n');
      if (nl == NULL)
        break;
      line = nl + 1;
    }
}

void
ipa_conf_printer_blank_line (IpaConfPrinter *printer)
{
  GString *text;

  if (printer == NULL)
    return;
  end_statement (printer);
  text = printer->text;
  /* Never at the start, after another blank line or right after "{". */
  if (text->len == 0 || g_str_has_suffix (text->str, "\n\n")
      || g_str_has_suffix (text->str, "{\n"))
    return;
  g_string_append_c (text, '\n');
}

guint
ipa_conf_printer_get_depth (IpaConfPrinter *printer)
{
  return printer != NULL ? printer->open->len : 0;
}

void
ipa_conf_printer_unwind (IpaConfPrinter *printer, guint depth)
{
  if (printer == NULL)
    return;
  end_statement (printer);
  while (printer->open->len > depth)
    ipa_conf_printer_sect_end (printer);
}

char *
ipa_conf_printer_steal_text (IpaConfPrinter *printer)
{
  GString *text;

  if (printer == NULL)
    return g_strdup ("");
  ipa_conf_printer_unwind (printer, 0);
  text = printer->text;
  printer->text = g_string_new (NULL);
  return g_string_free (text, FALSE);
}
