/*
 * ipa-conf-parser.c: the configuration language shared by ipa.conf and
 * ipastat.conf.
 *
 * Grammar (tokens: see ipa-conf-lexer.c):
 *
 *   file      := statement*
 *   statement := NAME [ '=' ] arg* ( ';' | '{' statement* '}' )
 *   arg       := WORD | STRING
 *   NAME      := name | prefix ':' name | prefix ':'  | '${' var '}'
 *
 * Choices where the original documentation is silent or unclear:
 *  - '=' is recognised only right after the name ("a=b" is a name, '=' and
 *    a word; "a = b=c" has the single argument "b=c").
 *  - "prefix:" alone names the module's section whose sect_name is "" (the
 *    bare per-module section "prefix: { … }").
 *  - "${x} = "value";" defines a variable; '=' is optional as elsewhere and
 *    the value must be one string.  Values are stored unexpanded.  ${x} is
 *    expanded inside strings and words (also inside a word such as
 *    a${x}b); the result stays one argument.  ${$} gives '$'.  Variables
 *    named by IpaConfSectDef.macro (${rule} …) are predefined inside their
 *    sections and can never be assigned; variables added by modules
 *    (local_sym_add …) are taken literally, not expanded again.
 *  - Unknown escapes and raw newlines inside strings are errors; '\' at
 *    the end of a line continues the string (both characters removed).
 *  - A statement ends with ';' or a section body; a stray ';' is an error.
 *  - include, include_files and posix_re_pattern are handled here and may
 *    appear wherever a parameter may.  posix_re_pattern applies to the
 *    include_files that follow it in reading order, across files.  Files
 *    of include_files are regular files sorted by name (strcmp); a glob
 *    does not match names starting with '.'; no match is not an error.
 *    Relative paths are resolved against the directory of the including
 *    file.  An included file holds whole statements: a section opened in
 *    it must end in it.
 *  - Repeating a non-repeatable schema parameter in one section is an
 *    error; module parameters may repeat (the module decides).
 *  - The argument text given to modules (and matched against arg_regexp)
 *    is normalised: single spaces between arguments, strings re-quoted
 *    with escapes.
 *  - Sections: the schema's begin handler runs first, then the BEGIN
 *    conf_event to modules, the body, the END events (only to the modules
 *    that got the BEGIN, with the same no and arg) and the end handler.
 *    Module sections: arg_parse, CUSTOM_SECT_BEGIN to the owner, body,
 *    CUSTOM_SECT_END.  A section's macro scope is open during all of it.
 *  - An argument of type STRING must be one quoted string; a bare word
 *    (even ${x}) is not accepted.
 *  - Macro variables, section ordinals and the posix_re_pattern setting
 *    last until the parser is freed, so several parse_* calls on one
 *    parser read as one configuration.  Module-added globals too.
 *  - Limits: sections nest at most 64 deep, includes 16; one macro
 *    expansion resolves at most 100000 references, 32 nested, giving at
 *    most 1 MiB (see ipa-conf-macro.h).
 *  - The first error stops parsing; no END event is sent after an error.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "ipa-conf-parser.h"
#include "ipa-conf-lexer.h"
#include "ipa-conf-macro.h"
#include "ipa-conf-value.h"

#include "ipa-memfunc.h"

/* Limits that keep hostile input from exhausting the stack. */
#define MAX_SECTION_DEPTH 64
#define MAX_INCLUDE_DEPTH 16

/* Memory for modules (STRING arguments, symbols they hand over) is m_parser
 * memory of ipa_memfunc. */
static char *
parser_mem_strdup (const char *s)
{
  return ipa_mem_strdup (s, ipa_mem_type_get_parser ());
}

static void
parser_mem_free (void *p)
{
  if (p != NULL)
    ipa_mem_free (p, ipa_mem_type_get_parser ());
}

typedef struct {
  IpaConfModuleTables t;
  GHashTable *sects;  /* sect_name -> ipa_conf_sect* */
  GHashTable *params; /* param_name -> ipa_conf_param* */
  GHashTable *patterns; /* regex_t* -> pattern text, for messages */
} Module;

typedef enum {
  FRAME_ROOT,
  FRAME_SCHEMA,
  FRAME_MODULE,
} FrameKind;

typedef struct {
  guint index;
  IpaConfLocation loc;
} SeenParam;

typedef struct _Frame Frame;
struct _Frame {
  Frame *parent;
  FrameKind kind;
  const IpaConfSectDef *def;   /* FRAME_SCHEMA */
  Module *module;              /* FRAME_MODULE */
  const ipa_conf_sect *msect;  /* FRAME_MODULE */
  unsigned int sect_id;        /* for placement checks */
  char *display;               /* "rule", "prefix:name", "top level" */
  IpaConfStatement st;
  guint *child_counters;       /* NUMBER_PARENT, by schema section index */
  GArray *seen;                /* SeenParam of non-repeatable params */
  guint n_begun;               /* modules that received the BEGIN event */
  unsigned int event_no;
  const void *event_arg;
};

typedef struct {
  IpaConfArg *args;
  guint nargs;
  char *text;
} Args;

struct _IpaConfParser {
  const IpaConfSchema *schema;
  gpointer user_data;
  GHashTable *sect_by_name;  /* name -> IpaConfSectDef* */
  GHashTable *param_by_name; /* name -> IpaConfParamDef* */
  GHashTable *reserved;      /* macro names predefined by sections */
  guint n_sects;
  guint *file_counters;      /* NUMBER_FILE, by schema section index */

  GPtrArray *modules;        /* Module*, registration order */
  GHashTable *module_by_prefix;
  GHashTable *bare_sects;    /* name -> ModEntry of modules without prefix */
  GHashTable *bare_params;

  IpaConfMacros *macros;
  GHashTable *file_names;    /* interned, for IpaConfLocation.file */
  Frame root;
  Frame *frame;              /* innermost open section, or &root */
  guint section_depth;
  GPtrArray *include_stack;  /* canonical paths of the files being read */
  gboolean posix_re_pattern;
  gboolean allow_include;
  IpaConfLocation loc;
  char *module_message;
};

typedef struct {
  Module *module;
  gpointer entry;
} ModEntry;

static _Thread_local IpaConfParser *current_parser;

static gboolean parse_statements (IpaConfParser *parser, IpaConfLexer *lx,
                                  gboolean in_section, GError **error);

/* Errors */

static gboolean
error_at (GError **error, IpaConfErrorCode code, const IpaConfLocation *loc,
          const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
error_at (GError **error, IpaConfErrorCode code, const IpaConfLocation *loc,
          const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, IPA_CONF_ERROR, code, "%s:%u:%u: %s",
               loc->file, loc->line, loc->column, msg);
  return FALSE;
}

/* Give an error from elsewhere (handler, value parser, macro table) the
 * shape of configuration errors. */
static gboolean
locate_error (GError **error, GError *inner, IpaConfErrorCode fallback,
              const IpaConfLocation *loc)
{
  g_autofree char *prefix = g_strdup_printf ("%s:", loc->file);

  if (inner == NULL)
    return error_at (error, fallback, loc, _("rejected"));
  if (inner->domain != IPA_CONF_ERROR)
    {
      inner->domain = IPA_CONF_ERROR;
      inner->code = fallback;
    }
  if (!g_str_has_prefix (inner->message, prefix))
    {
      char *m = g_strdup_printf ("%s:%u:%u: %s", loc->file, loc->line,
                                 loc->column, inner->message);

      g_free (inner->message);
      inner->message = m;
    }
  g_propagate_error (error, inner);
  return FALSE;
}

gboolean
ipa_conf_parser_set_error (IpaConfParser *parser,
                           GError **error,
                           IpaConfErrorCode code,
                           const char *format,
                           ...)
{
  va_list ap;
  g_autofree char *msg = NULL;
  const IpaConfLocation *loc = &parser->loc;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, IPA_CONF_ERROR, code, "%s:%u:%u: %s",
               loc->file != NULL ? loc->file : "?", loc->line, loc->column, msg);
  return FALSE;
}

/* Construction */

static void
module_free (gpointer p)
{
  Module *m = p;

  g_hash_table_unref (m->sects);
  g_hash_table_unref (m->params);
  g_hash_table_unref (m->patterns);
  g_free (m);
}

static void
frame_clear (Frame *f)
{
  for (guint i = 0; i < f->st.nargs; i++)
    g_free (((IpaConfArg *) f->st.args)[i].text);
  g_free ((gpointer) f->st.args);
  g_free ((gpointer) f->st.text);
  g_free ((gpointer) f->st.name);
  g_free (f->display);
  g_free (f->child_counters);
  if (f->seen != NULL)
    g_array_unref (f->seen);
}

IpaConfParser *
ipa_conf_parser_new (const IpaConfSchema *schema, gpointer user_data)
{
  IpaConfParser *parser = g_new0 (IpaConfParser, 1);

  parser->schema = schema;
  parser->user_data = user_data;
  parser->sect_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  parser->param_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  parser->reserved = g_hash_table_new (g_str_hash, g_str_equal);
  if (schema != NULL && schema->sects != NULL)
    for (const IpaConfSectDef *d = schema->sects; d->name != NULL; d++)
      {
        if (!g_hash_table_contains (parser->sect_by_name, d->name))
          g_hash_table_insert (parser->sect_by_name, (gpointer) d->name, (gpointer) d);
        if (d->macro != NULL)
          g_hash_table_add (parser->reserved, (gpointer) d->macro);
        parser->n_sects++;
      }
  if (schema != NULL && schema->params != NULL)
    for (const IpaConfParamDef *d = schema->params; d->name != NULL; d++)
      if (!g_hash_table_contains (parser->param_by_name, d->name))
        g_hash_table_insert (parser->param_by_name, (gpointer) d->name, (gpointer) d);
  parser->file_counters = g_new0 (guint, parser->n_sects + 1);

  parser->modules = g_ptr_array_new_with_free_func (module_free);
  parser->module_by_prefix = g_hash_table_new (g_str_hash, g_str_equal);
  parser->bare_sects = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  parser->bare_params = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  parser->macros = ipa_conf_macros_new ();
  parser->file_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  parser->root.kind = FRAME_ROOT;
  parser->root.sect_id = IPA_CONF_SECT_ROOT;
  parser->root.display = g_strdup ("top level");
  parser->frame = &parser->root;
  parser->include_stack = g_ptr_array_new_with_free_func (g_free);
  parser->allow_include = TRUE;
  parser->loc.file = "";
  return parser;
}

void
ipa_conf_parser_free (IpaConfParser *parser)
{
  if (parser == NULL)
    return;
  /* Sections are closed on every return path, so only the root is left. */
  g_warn_if_fail (parser->frame == &parser->root);
  frame_clear (&parser->root);
  g_hash_table_unref (parser->sect_by_name);
  g_hash_table_unref (parser->param_by_name);
  g_hash_table_unref (parser->reserved);
  g_free (parser->file_counters);
  g_hash_table_unref (parser->bare_sects);
  g_hash_table_unref (parser->bare_params);
  g_hash_table_unref (parser->module_by_prefix);
  g_ptr_array_unref (parser->modules);
  ipa_conf_macros_free (parser->macros);
  g_hash_table_unref (parser->file_names);
  g_ptr_array_unref (parser->include_stack);
  g_free (parser->module_message);
  if (current_parser == parser)
    current_parser = NULL;
  g_free (parser);
}

void
ipa_conf_parser_set_allow_include (IpaConfParser *parser, gboolean allow)
{
  parser->allow_include = allow;
}

const IpaConfLocation *
ipa_conf_parser_get_location (IpaConfParser *parser)
{
  return &parser->loc;
}

IpaConfParser *
ipa_conf_parser_get_current (void)
{
  return current_parser;
}

const IpaConfStatement *
ipa_conf_parser_get_section (IpaConfParser *parser, guint up)
{
  Frame *f = parser->frame;

  while (f != NULL && f->kind != FRAME_ROOT && up > 0)
    {
      f = f->parent;
      up--;
    }
  if (f == NULL || f->kind == FRAME_ROOT)
    return NULL;
  return &f->st;
}

void
ipa_conf_parser_note_module_message (IpaConfParser *parser,
                                     const char *mod_name,
                                     const char *message)
{
  g_free (parser->module_message);
  parser->module_message = g_strdup (message);
}

/* Modules */

/* A module without prefix may not reuse a name of the schema or of another
 * such module. */
static gboolean
bare_names_free (GHashTable *names, GHashTable *schema, GHashTable *bare,
                 const char *mod_name, gboolean sections, GError **error)
{
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, names);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (g_hash_table_contains (schema, key) || g_hash_table_contains (bare, key))
      {
        g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE,
                     sections
                     ? _("module \"%s\" has no configuration prefix and its section \"%s\" is already known")
                     : _("module \"%s\" has no configuration prefix and its parameter \"%s\" is already known"),
                     mod_name, (const char *) key);
        return FALSE;
      }
  return TRUE;
}

static void
bare_names_add (Module *m, GHashTable *names, GHashTable *bare)
{
  GHashTableIter it;
  gpointer key, value;

  g_hash_table_iter_init (&it, names);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      ModEntry *e = g_new (ModEntry, 1);

      e->module = m;
      e->entry = value;
      g_hash_table_insert (bare, key, e);
    }
}

gboolean
ipa_conf_parser_add_module (IpaConfParser *parser,
                            const IpaConfModuleTables *tables,
                            GError **error)
{
  Module *m;
  const char *mod_name = tables->mod_name != NULL ? tables->mod_name : "?";

  if (tables->prefix != NULL &&
      g_hash_table_contains (parser->module_by_prefix, tables->prefix))
    {
      g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE,
                   _("module \"%s\": configuration prefix \"%s\" is already used by another module"),
                   mod_name, tables->prefix);
      return FALSE;
    }

  m = g_new0 (Module, 1);
  m->t = *tables;
  m->sects = g_hash_table_new (g_str_hash, g_str_equal);
  m->params = g_hash_table_new (g_str_hash, g_str_equal);
  m->patterns = g_hash_table_new (NULL, NULL);

  /* Check everything before registering anything. */
  if (tables->sects != NULL)
    for (ipa_conf_sect *s = tables->sects; s->sect_name != NULL; s++)
      {
        if (s->sect_id <= IPA_CONF_SECT_CUSTOM_OFFSET)
          {
            g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE,
                         _("module \"%s\": section \"%s\" has sect_id %u, which must be greater than %u"),
                         mod_name, s->sect_name, s->sect_id, IPA_CONF_SECT_CUSTOM_OFFSET);
            goto fail;
          }
        if (s->arg_pattern != NULL && s->arg_regexp == NULL)
          {
            g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE,
                         _("module \"%s\": section \"%s\" has arg_pattern but no arg_regexp"),
                         mod_name, s->sect_name);
            goto fail;
          }
        if (s->arg_pattern != NULL)
          g_hash_table_insert (m->patterns, s->arg_regexp, (gpointer) s->arg_pattern);
        g_hash_table_insert (m->sects, (gpointer) s->sect_name, s);
      }
  if (tables->params != NULL)
    for (ipa_conf_param *p = tables->params; p->param_name != NULL; p++)
      {
        if (p->arg_pattern != NULL && p->arg_regexp == NULL)
          {
            g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE,
                         _("module \"%s\": parameter \"%s\" has arg_pattern but no arg_regexp"),
                         mod_name, p->param_name);
            goto fail;
          }
        if (p->arg_pattern != NULL)
          g_hash_table_insert (m->patterns, p->arg_regexp, (gpointer) p->arg_pattern);
        g_hash_table_insert (m->params, (gpointer) p->param_name, p);
      }

  if (tables->prefix == NULL)
    {
      /* Names without prefix share one name space with the schema. */
      if (!bare_names_free (m->sects, parser->sect_by_name, parser->bare_sects,
                            mod_name, TRUE, error) ||
          !bare_names_free (m->params, parser->param_by_name, parser->bare_params,
                            mod_name, FALSE, error))
        goto fail;
      bare_names_add (m, m->sects, parser->bare_sects);
      bare_names_add (m, m->params, parser->bare_params);
    }
  else
    g_hash_table_insert (parser->module_by_prefix, (gpointer) tables->prefix, m);

  g_ptr_array_add (parser->modules, m);
  return TRUE;

fail:
  module_free (m);
  return FALSE;
}

/* Macro variables for modules */

int
ipa_conf_parser_sym_add (IpaConfParser *parser, gboolean global,
                         char *sym, char *val, int copy_flag)
{
  if (sym == NULL || val == NULL)
    {
      /* Whatever was handed over is still ours to free. */
      if (!copy_flag)
        {
          parser_mem_free (sym);
          parser_mem_free (val);
        }
      return -1;
    }
  ipa_conf_macros_define (parser->macros, global, sym, val,
                          IPA_CONF_MACRO_LITERAL);
  if (!copy_flag)
    {
      /* The table keeps copies; the originals were given to us. */
      parser_mem_free (sym);
      parser_mem_free (val);
    }
  return 0;
}

int
ipa_conf_parser_sym_del (IpaConfParser *parser, gboolean global,
                         const char *sym)
{
  if (sym == NULL)
    return -1;
  return ipa_conf_macros_undefine (parser->macros, global, sym) ? 0 : -1;
}

/* Statements */

static void
args_clear (Args *a)
{
  for (guint i = 0; i < a->nargs; i++)
    g_free (a->args[i].text);
  g_free (a->args);
  g_free (a->text);
  a->args = NULL;
  a->nargs = 0;
  a->text = NULL;
}

static void
append_quoted (GString *s, const char *text)
{
  g_string_append_c (s, '"');
  for (const char *p = text; *p != '\0'; p++)
    switch (*p)
      {
      case '\t':
        g_string_append (s, "\\t");
        break;
      case '\n':
        g_string_append (s, "\\n");
        break;
      case '\\':
        g_string_append (s, "\\\\");
        break;
      case '"':
        g_string_append (s, "\\\"");
        break;
      default:
        g_string_append_c (s, *p);
      }
  g_string_append_c (s, '"');
}

static void
args_make_text (Args *a)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < a->nargs; i++)
    {
      if (i > 0)
        g_string_append_c (s, ' ');
      if (a->args[i].kind == IPA_CONF_ARG_STRING)
        append_quoted (s, a->args[i].text);
      else
        g_string_append (s, a->args[i].text);
    }
  a->text = g_string_free (s, FALSE);
}

/* Expand macro variables in every argument (not in a definition's value,
 * which is stored as written). */
static gboolean
args_expand (IpaConfParser *parser, Args *a, GError **error)
{
  for (guint i = 0; i < a->nargs; i++)
    {
      GError *inner = NULL;
      char *expanded;

      if (!ipa_conf_macros_expand (parser->macros, a->args[i].text, &expanded, &inner))
        return locate_error (error, inner, IPA_CONF_ERROR_MACRO, &a->args[i].loc);
      if (expanded != NULL)
        {
          g_free (a->args[i].text);
          a->args[i].text = expanded;
        }
    }
  return TRUE;
}

static gboolean
check_nargs (const char *display, gboolean is_section, int want, guint got,
             const IpaConfLocation *loc, GError **error)
{
  if (want == 0 && got != 0)
    return error_at (error, IPA_CONF_ERROR_ARGS, loc,
                     is_section ? _("section \"%s\" takes no arguments, got %u")
                                : _("parameter \"%s\" takes no arguments, got %u"),
                     display, got);
  if (want > 0 && got != (guint) want)
    return error_at (error, IPA_CONF_ERROR_ARGS, loc,
                     is_section
                     ? g_dngettext (GETTEXT_PACKAGE,
                                    "section \"%s\" expects %d argument, got %u",
                                    "section \"%s\" expects %d arguments, got %u", want)
                     : g_dngettext (GETTEXT_PACKAGE,
                                    "parameter \"%s\" expects %d argument, got %u",
                                    "parameter \"%s\" expects %d arguments, got %u", want),
                     display, want, got);
  if (want < 0 && got < (guint) -(gint64) want)
    return error_at (error, IPA_CONF_ERROR_ARGS, loc,
                     is_section
                     ? g_dngettext (GETTEXT_PACKAGE,
                                    "section \"%s\" expects at least %d argument, got %u",
                                    "section \"%s\" expects at least %d arguments, got %u",
                                    -want)
                     : g_dngettext (GETTEXT_PACKAGE,
                                    "parameter \"%s\" expects at least %d argument, got %u",
                                    "parameter \"%s\" expects at least %d arguments, got %u",
                                    -want),
                     display, -want, got);
  return TRUE;
}

/* Module entries name their own custom sections by ids above the offset;
 * everything else names standard or private sections. */
static gboolean
where_allows (const unsigned int *where, Frame *parent, Module *module)
{
  if (where == NULL)
    return TRUE;
  for (; *where != 0; where++)
    {
      if (*where != parent->sect_id)
        continue;
      if (*where > IPA_CONF_SECT_CUSTOM_OFFSET)
        {
          if (parent->kind == FRAME_MODULE && module != NULL && parent->module == module)
            return TRUE;
        }
      else if (parent->kind != FRAME_MODULE)
        return TRUE;
    }
  return FALSE;
}

static gboolean
placement_error (Frame *parent, const char *display, gboolean is_section,
                 const IpaConfLocation *loc, GError **error)
{
  if (parent->kind == FRAME_ROOT)
    return error_at (error, IPA_CONF_ERROR_PLACEMENT, loc,
                     is_section ? _("section \"%s\" is not allowed at top level")
                                : _("parameter \"%s\" is not allowed at top level"),
                     display);
  return error_at (error, IPA_CONF_ERROR_PLACEMENT, loc,
                   is_section ? _("section \"%s\" is not allowed in section \"%s\"")
                              : _("parameter \"%s\" is not allowed in section \"%s\""),
                   display, parent->display);
}

static const IpaConfLocation *
args_loc (const Args *a, const IpaConfLocation *name_loc)
{
  return a->nargs > 0 ? &a->args[0].loc : name_loc;
}

/* Convert for a schema entry with arg_type != 0. */
static gboolean
convert_schema_value (const char *display, gboolean is_section, unsigned int type,
                      const Args *a, const IpaConfLocation *name_loc,
                      IpaConfValue *value, GError **error)
{
  GError *inner = NULL;

  memset (value, 0, sizeof *value);
  value->type = type;
  if (type == IPA_CONF_TYPE_STRING)
    {
      if (a->nargs != 1 || a->args[0].kind != IPA_CONF_ARG_STRING)
        return error_at (error, IPA_CONF_ERROR_ARGS, args_loc (a, name_loc),
                         is_section
                         ? _("section \"%s\" expects one string in double quotes")
                         : _("parameter \"%s\" expects one string in double quotes"),
                         display);
      value->u.str = a->args[0].text;
      return TRUE;
    }
  if (type == IPA_CONF_TYPE_MISC)
    {
      value->u.str = a->text;
      return TRUE;
    }
  if (!ipa_conf_value_parse (type, a->text, value, &inner))
    return locate_error (error, inner, IPA_CONF_ERROR_VALUE, args_loc (a, name_loc));
  value->type = type;
  return TRUE;
}

static const char *
module_name (Module *m)
{
  return m->t.mod_name != NULL ? m->t.mod_name : "?";
}

static char *
module_display (Module *m, const char *name)
{
  if (m->t.prefix == NULL)
    return g_strdup (name);
  return g_strconcat (m->t.prefix, ":", name, NULL);
}

static void
clear_module_message (IpaConfParser *parser)
{
  g_clear_pointer (&parser->module_message, g_free);
}

/* ": message" if the module explained itself through logconferr. */
static char *
module_message_suffix (IpaConfParser *parser)
{
  if (parser->module_message == NULL)
    return g_strdup ("");
  return g_strdup_printf (": %s", parser->module_message);
}

/* Check, convert and hand over the arguments of a module section or
 * parameter (ipa_mod(3): arg_nargs, arg_regexp, arg_type, arg_parse). */
static gboolean
module_entry_args (IpaConfParser *parser, Module *m, const char *display,
                   gboolean is_section, int nargs, regex_t *re,
                   unsigned int type, int (*arg_parse) (void *),
                   const Args *a, const IpaConfLocation *name_loc,
                   GError **error)
{
  int r;
  g_autofree char *why = NULL;

  if (!check_nargs (display, is_section, nargs, a->nargs, name_loc, error))
    return FALSE;

  if (re != NULL && regexec (re, a->text, 0, NULL, 0) != 0)
    {
      const char *pattern = g_hash_table_lookup (m->patterns, re);

      if (pattern != NULL)
        return error_at (error, IPA_CONF_ERROR_ARGS, args_loc (a, name_loc),
                         is_section
                         ? _("arguments \"%s\" of section \"%s\" do not match the pattern \"%s\"")
                         : _("arguments \"%s\" of parameter \"%s\" do not match the pattern \"%s\""),
                         a->text, display, pattern);
      return error_at (error, IPA_CONF_ERROR_ARGS, args_loc (a, name_loc),
                       is_section
                       ? _("arguments \"%s\" of section \"%s\" do not match the module's pattern")
                       : _("arguments \"%s\" of parameter \"%s\" do not match the module's pattern"),
                       a->text, display);
    }

  clear_module_message (parser);
  if (nargs == 0)
    {
      if (arg_parse == NULL)
        return TRUE;
      r = arg_parse (NULL);
    }
  else
    {
      IpaConfValue v;
      GError *inner = NULL;

      switch (type)
        {
        case IPA_CONF_TYPE_STRING:
          {
            char *copy;

            if (a->nargs != 1 || a->args[0].kind != IPA_CONF_ARG_STRING)
              return error_at (error, IPA_CONF_ERROR_ARGS, args_loc (a, name_loc),
                               is_section
                               ? _("section \"%s\" expects one string in double quotes")
                               : _("parameter \"%s\" expects one string in double quotes"),
                               display);
            copy = parser_mem_strdup (a->args[0].text);
            if (copy == NULL)
              return error_at (error, IPA_CONF_ERROR_MODULE, name_loc, _("out of memory"));
            /* From the call on the string is the module's (even if it
             * fails); without arg_parse nobody wants it. */
            if (arg_parse == NULL)
              {
                parser_mem_free (copy);
                return TRUE;
              }
            r = arg_parse (&copy);
            break;
          }
        case IPA_CONF_TYPE_MISC:
          {
            /* A copy: the module may write to it. */
            g_autofree char *copy = g_strdup (a->text);
            char *p = copy;

            if (arg_parse == NULL)
              return TRUE;
            r = arg_parse (&p);
            break;
          }
        case IPA_CONF_TYPE_INT32:
        case IPA_CONF_TYPE_UINT32:
        case IPA_CONF_TYPE_INT64:
        case IPA_CONF_TYPE_UINT64:
        case IPA_CONF_TYPE_BYTES:
        case IPA_CONF_TYPE_TIME:
        case IPA_CONF_TYPE_VALUE:
        case IPA_CONF_TYPE_PER_CENT:
        case IPA_CONF_TYPE_BOOLEAN:
          if (!ipa_conf_value_parse (type, a->text, &v, &inner))
            return locate_error (error, inner, IPA_CONF_ERROR_VALUE, args_loc (a, name_loc));
          if (arg_parse == NULL)
            return TRUE;
          switch (type)
            {
            case IPA_CONF_TYPE_INT32:
              {
                int32_t x = v.u.i32;
                r = arg_parse (&x);
                break;
              }
            case IPA_CONF_TYPE_UINT32:
              {
                uint32_t x = v.u.u32;
                r = arg_parse (&x);
                break;
              }
            case IPA_CONF_TYPE_INT64:
              {
                int64_t x = v.u.i64;
                r = arg_parse (&x);
                break;
              }
            case IPA_CONF_TYPE_VALUE:
              {
                uint64_t x[2] = { v.u.value.kind, v.u.value.value };
                r = arg_parse (x);
                break;
              }
            case IPA_CONF_TYPE_PER_CENT:
              {
                uint32_t x = v.u.per_cent;
                r = arg_parse (&x);
                break;
              }
            case IPA_CONF_TYPE_BOOLEAN:
              {
                int x = v.u.boolean;
                r = arg_parse (&x);
                break;
              }
            default: /* UINT64, BYTES, TIME */
              {
                uint64_t x = v.u.u64;
                r = arg_parse (&x);
                break;
              }
            }
          break;
        default:
          return error_at (error, IPA_CONF_ERROR_MODULE, name_loc,
                           is_section
                           ? _("module \"%s\": section \"%s\" has an unknown arg_type %u")
                           : _("module \"%s\": parameter \"%s\" has an unknown arg_type %u"),
                           module_name (m), display, type);
        }
    }

  if (r == 0)
    return TRUE;
  why = module_message_suffix (parser);
  return error_at (error, IPA_CONF_ERROR_MODULE, name_loc,
                   /* TRANSLATORS: the last %s is empty or ": " and the
                    * module's own explanation (in English). */
                   is_section
                   ? _("module \"%s\" rejected the arguments of section \"%s\"%s")
                   : _("module \"%s\" rejected the arguments of parameter \"%s\"%s"),
                   module_name (m), display, why);
}

/* Sections */

static gboolean
send_event (IpaConfParser *parser, Module *m, unsigned int event,
            unsigned int no, const void *arg, const char *display,
            gboolean end, GError **error)
{
  g_autofree char *why = NULL;

  clear_module_message (parser);
  if (m->t.conf_event (event, no, arg) == 0)
    return TRUE;
  why = module_message_suffix (parser);
  return error_at (error, IPA_CONF_ERROR_MODULE, &parser->loc,
                   /* TRANSLATORS: the last %s is empty or ": " and the
                    * module's own explanation (in English). */
                   end ? _("module \"%s\" failed at the end of section \"%s\"%s")
                       : _("module \"%s\" failed at the beginning of section \"%s\"%s"),
                   module_name (m), display, why);
}

static void
frame_push (IpaConfParser *parser, Frame *f)
{
  f->parent = parser->frame;
  parser->frame = f;
  parser->section_depth++;
  ipa_conf_macros_push_scope (parser->macros);
}

static void
frame_pop (IpaConfParser *parser, Frame *f)
{
  ipa_conf_macros_pop_scope (parser->macros);
  parser->section_depth--;
  parser->frame = f->parent;
  frame_clear (f);
}

/* Move the statement's parts into the frame (they must live until the
 * end of the section). */
static void
frame_take_statement (Frame *f, char *name, Args *a, const IpaConfLocation *loc)
{
  f->st.name = name;
  f->st.nargs = a->nargs;
  f->st.args = a->args;
  f->st.text = a->text;
  f->st.loc = *loc;
  a->args = NULL;
  a->nargs = 0;
  a->text = NULL;
}

static gboolean
parse_body (IpaConfParser *parser, IpaConfLexer *lx, Frame *f, GError **error)
{
  if (parser->section_depth > MAX_SECTION_DEPTH)
    return error_at (error, IPA_CONF_ERROR_SYNTAX, &f->st.loc,
                     _("sections nested too deeply (at most %d)"), MAX_SECTION_DEPTH);
  return parse_statements (parser, lx, TRUE, error);
}

static gboolean
event_has_args (unsigned int event)
{
  switch (event)
    {
    case IPA_CONF_EVENT_RULE_BEGIN:
    case IPA_CONF_EVENT_LIMIT_BEGIN:
    case IPA_CONF_EVENT_THRESHOLD_BEGIN:
    case IPA_CONF_EVENT_AUTORULE_BEGIN:
    case IPA_CONF_EVENT_RULEPAT_BEGIN:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
schema_section (IpaConfParser *parser, IpaConfLexer *lx,
                const IpaConfSectDef *def, char *name, Args *a,
                const IpaConfLocation *loc, GError **error)
{
  Frame *parent = parser->frame;
  Frame f = { 0 };
  guint idx = def - parser->schema->sects;
  guint *counter;
  gboolean ok = FALSE;
  GError *inner = NULL;

  if (!where_allows (def->where, parent, NULL))
    {
      g_free (name);
      return placement_error (parent, def->name, TRUE, loc, error);
    }
  if (!check_nargs (def->name, TRUE, def->nargs, a->nargs, loc, error))
    {
      g_free (name);
      return FALSE;
    }
  if (def->arg_type != 0 &&
      !convert_schema_value (def->name, TRUE, def->arg_type, a, loc, &f.st.value, error))
    {
      g_free (name);
      return FALSE;
    }

  switch (def->numbering)
    {
    case IPA_CONF_NUMBER_FILE:
      counter = &parser->file_counters[idx];
      break;
    case IPA_CONF_NUMBER_PARENT:
      if (parent->child_counters == NULL)
        parent->child_counters = g_new0 (guint, parser->n_sects + 1);
      counter = &parent->child_counters[idx];
      break;
    default:
      counter = NULL;
    }

  f.kind = FRAME_SCHEMA;
  f.def = def;
  f.sect_id = def->sect_id;
  f.display = g_strdup (def->name);
  frame_take_statement (&f, name, a, loc);
  f.st.sect_id = def->sect_id;
  f.st.no = counter != NULL ? (*counter)++ : 0;
  /* value.u.str pointed into the Args now owned by the frame. */
  if (def->arg_type == IPA_CONF_TYPE_STRING)
    f.st.value.u.str = f.st.args[0].text;
  else if (def->arg_type == IPA_CONF_TYPE_MISC)
    f.st.value.u.str = f.st.text;
  frame_push (parser, &f);

  if (def->macro != NULL && f.st.nargs > 0)
    ipa_conf_macros_define (parser->macros, FALSE, def->macro, f.st.args[0].text,
                            IPA_CONF_MACRO_LITERAL | IPA_CONF_MACRO_READONLY);

  if (def->begin != NULL && !def->begin (parser, &f.st, parser->user_data, &inner))
    {
      locate_error (error, inner, IPA_CONF_ERROR_SEMANTIC, loc);
      goto out;
    }

  if (def->event_begin != 0)
    {
      gboolean with_args = event_has_args (def->event_begin);

      f.event_no = with_args ? f.st.no : 0;
      f.event_arg = with_args && f.st.nargs > 0 ? f.st.args[0].text : NULL;
      for (guint i = 0; i < parser->modules->len; i++)
        {
          Module *m = parser->modules->pdata[i];

          f.n_begun = i + 1;
          if (m->t.conf_event != NULL &&
              !send_event (parser, m, def->event_begin, f.event_no, f.event_arg,
                           f.display, FALSE, error))
            goto out;
        }
    }

  if (!parse_body (parser, lx, &f, error))
    goto out;

  /* parse_statements() left the location at the closing brace. */
  if (def->event_begin != 0)
    for (guint i = 0; i < f.n_begun && i < parser->modules->len; i++)
      {
        Module *m = parser->modules->pdata[i];

        if (m->t.conf_event != NULL &&
            !send_event (parser, m, def->event_begin + 1, f.event_no, f.event_arg,
                         f.display, TRUE, error))
          goto out;
      }

  if (def->end != NULL && !def->end (parser, &f.st, parser->user_data, &inner))
    {
      locate_error (error, inner, IPA_CONF_ERROR_SEMANTIC, &parser->loc);
      goto out;
    }
  ok = TRUE;

out:
  frame_pop (parser, &f);
  return ok;
}

static gboolean
module_section (IpaConfParser *parser, IpaConfLexer *lx, Module *m,
                const ipa_conf_sect *s, char *name, Args *a,
                const IpaConfLocation *loc, GError **error)
{
  Frame *parent = parser->frame;
  Frame f = { 0 };
  gboolean ok = FALSE;
  g_autofree char *display = module_display (m, s->sect_name);

  if (!where_allows (s->sect_where, parent, m))
    {
      g_free (name);
      return placement_error (parent, display, TRUE, loc, error);
    }

  f.kind = FRAME_MODULE;
  f.module = m;
  f.msect = s;
  f.sect_id = s->sect_id;
  f.display = g_steal_pointer (&display);
  frame_take_statement (&f, name, a, loc);
  f.st.sect_id = s->sect_id;
  /* The scope is open already, so that local_sym_add() from arg_parse
   * belongs to this section. */
  frame_push (parser, &f);

  {
    Args view = { (IpaConfArg *) f.st.args, f.st.nargs, (char *) f.st.text };

    if (!module_entry_args (parser, m, f.display, TRUE, s->arg_nargs, s->arg_regexp,
                            s->arg_type, s->arg_parse, &view, loc, error))
      goto out;
  }

  if (m->t.conf_event != NULL)
    {
      f.n_begun = 1;
      if (!send_event (parser, m, IPA_CONF_EVENT_CUSTOM_SECT_BEGIN, s->sect_id, NULL,
                       f.display, FALSE, error))
        goto out;
    }

  if (!parse_body (parser, lx, &f, error))
    goto out;

  if (m->t.conf_event != NULL &&
      !send_event (parser, m, IPA_CONF_EVENT_CUSTOM_SECT_END, s->sect_id, NULL,
                   f.display, TRUE, error))
    goto out;
  ok = TRUE;

out:
  frame_pop (parser, &f);
  return ok;
}

/* Parameters */

static gboolean
schema_param (IpaConfParser *parser, const IpaConfParamDef *def, const char *name,
              Args *a, const IpaConfLocation *loc, GError **error)
{
  Frame *parent = parser->frame;
  IpaConfStatement st = { 0 };
  GError *inner = NULL;

  if (!where_allows (def->where, parent, NULL))
    return placement_error (parent, def->name, FALSE, loc, error);

  if (!def->repeatable)
    {
      guint idx = def - parser->schema->params;

      if (parent->seen == NULL)
        parent->seen = g_array_new (FALSE, FALSE, sizeof (SeenParam));
      for (guint i = 0; i < parent->seen->len; i++)
        {
          SeenParam *sp = &g_array_index (parent->seen, SeenParam, i);

          if (sp->index == idx)
            {
              if (parent->kind == FRAME_ROOT)
                return error_at (error, IPA_CONF_ERROR_DUPLICATE, loc,
                                 _("duplicate parameter \"%s\" at top level (first given at %s:%u:%u)"),
                                 def->name, sp->loc.file, sp->loc.line, sp->loc.column);
              return error_at (error, IPA_CONF_ERROR_DUPLICATE, loc,
                               _("duplicate parameter \"%s\" in section \"%s\" (first given at %s:%u:%u)"),
                               def->name, parent->display, sp->loc.file, sp->loc.line,
                               sp->loc.column);
            }
        }
      {
        SeenParam sp = { idx, *loc };

        g_array_append_val (parent->seen, sp);
      }
    }

  if (!check_nargs (def->name, FALSE, def->nargs, a->nargs, loc, error))
    return FALSE;
  if (def->arg_type != 0 &&
      !convert_schema_value (def->name, FALSE, def->arg_type, a, loc, &st.value, error))
    return FALSE;

  if (def->handler == NULL)
    return TRUE;
  st.name = name;
  st.nargs = a->nargs;
  st.args = a->args;
  st.text = a->text;
  st.loc = *loc;
  if (!def->handler (parser, &st, parser->user_data, &inner))
    return locate_error (error, inner, IPA_CONF_ERROR_SEMANTIC, loc);
  return TRUE;
}

static gboolean
module_param (IpaConfParser *parser, Module *m, const ipa_conf_param *p,
              Args *a, const IpaConfLocation *loc, GError **error)
{
  g_autofree char *display = module_display (m, p->param_name);

  if (!where_allows (p->param_where, parser->frame, m))
    return placement_error (parser->frame, display, FALSE, loc, error);
  return module_entry_args (parser, m, display, FALSE, p->arg_nargs, p->arg_regexp,
                            p->arg_type, p->arg_parse, a, loc, error);
}

/* Files */

static const char *
intern_file_name (IpaConfParser *parser, const char *name)
{
  char *s = g_hash_table_lookup (parser->file_names, name);

  if (s == NULL)
    {
      s = g_strdup (name);
      g_hash_table_add (parser->file_names, s);
    }
  return s;
}

static gboolean
parse_buffer (IpaConfParser *parser, const char *file, const char *data, gsize len,
              GError **error)
{
  g_autoptr(IpaConfLexer) lx = ipa_conf_lexer_new (intern_file_name (parser, file),
                                                   data, len);

  return parse_statements (parser, lx, FALSE, error);
}

/* Like g_file_get_contents(), but with errno for a plain message, and
 * refusing what is not a regular file (a directory, a FIFO that would
 * block). */
static gboolean
read_file (const char *path, char **data, gsize *len, int *err)
{
  struct stat sb;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  GString *buf;

  if (fd < 0)
    {
      *err = errno;
      return FALSE;
    }
  if (fstat (fd, &sb) != 0)
    {
      *err = errno;
      close (fd);
      return FALSE;
    }
  if (!S_ISREG (sb.st_mode))
    {
      *err = S_ISDIR (sb.st_mode) ? EISDIR : EINVAL;
      close (fd);
      return FALSE;
    }
  buf = g_string_sized_new (sb.st_size + 1);
  for (;;)
    {
      char chunk[65536];
      ssize_t n = read (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          *err = errno;
          close (fd);
          g_string_free (buf, TRUE);
          return FALSE;
        }
      if (n == 0)
        break;
      g_string_append_len (buf, chunk, n);
    }
  close (fd);
  *len = buf->len;
  *data = g_string_free (buf, FALSE);
  return TRUE;
}

static char *
canonical_path (const char *path)
{
  char *real = realpath (path, NULL);
  char *copy;

  if (real == NULL)
    return g_canonicalize_filename (path, NULL);
  /* realpath() memory is malloc()'s, the rest of us use g_free(). */
  copy = g_strdup (real);
  free (real);
  return copy;
}

static gboolean
include_file (IpaConfParser *parser, const char *path, const IpaConfLocation *loc,
              GError **error)
{
  g_autofree char *canon = canonical_path (path);
  g_autofree char *data = NULL;
  gsize len;
  int err;
  gboolean ok;

  for (guint i = 0; i < parser->include_stack->len; i++)
    if (strcmp (parser->include_stack->pdata[i], canon) == 0)
      return error_at (error, IPA_CONF_ERROR_INCLUDE, loc,
                       _("include loop: \"%s\" is already being read"), path);
  if (parser->include_stack->len > MAX_INCLUDE_DEPTH)
    return error_at (error, IPA_CONF_ERROR_INCLUDE, loc,
                     _("includes nested too deeply (at most %d)"), MAX_INCLUDE_DEPTH);
  if (!read_file (path, &data, &len, &err))
    return error_at (error, IPA_CONF_ERROR_INCLUDE, loc, _("cannot read \"%s\": %s"),
                     path, g_strerror (err));

  g_ptr_array_add (parser->include_stack, g_steal_pointer (&canon));
  ok = parse_buffer (parser, path, data, len, error);
  g_ptr_array_remove_index (parser->include_stack, parser->include_stack->len - 1);
  return ok;
}

static char *
resolve_path (const char *path, const IpaConfLocation *loc)
{
  g_autofree char *dir = NULL;

  /* Canonical (without "." and ".."), so that messages and loop checks
   * see one name per file. */
  if (g_path_is_absolute (path))
    return g_canonicalize_filename (path, NULL);
  dir = g_path_get_dirname (loc->file);
  return g_canonicalize_filename (path, dir);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
include_files (IpaConfParser *parser, const char *arg, const IpaConfLocation *loc,
               GError **error)
{
  const char *slash = strrchr (arg, '/');
  g_autofree char *dir_part = slash != NULL ? g_strndup (arg, slash - arg + (slash == arg))
                                             : g_strdup (".");
  const char *pattern = slash != NULL ? slash + 1 : arg;
  g_autofree char *dir = resolve_path (dir_part, loc);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = NULL;
  GError *inner = NULL;
  regex_t re;
  gboolean use_re = parser->posix_re_pattern;
  const char *name;

  if (*pattern == '\0')
    return error_at (error, IPA_CONF_ERROR_INCLUDE, loc,
                     _("no file name pattern after the last '/' in \"%s\""), arg);
  if (use_re)
    {
      int rc = regcomp (&re, pattern, REG_EXTENDED | REG_NOSUB);

      if (rc != 0)
        {
          char buf[256];

          regerror (rc, &re, buf, sizeof buf);
          return error_at (error, IPA_CONF_ERROR_INCLUDE, loc,
                           _("invalid regular expression \"%s\": %s"), pattern, buf);
        }
    }

  d = g_dir_open (dir, 0, &inner);
  if (d == NULL)
    {
      if (use_re)
        regfree (&re);
      error_at (error, IPA_CONF_ERROR_INCLUDE, loc, _("cannot open directory \"%s\": %s"),
                dir, inner->message);
      g_error_free (inner);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      gboolean match = use_re ? regexec (&re, name, 0, NULL, 0) == 0
                              : fnmatch (pattern, name, FNM_PERIOD) == 0;

      if (match)
        g_ptr_array_add (names, g_build_filename (dir, name, NULL));
    }
  if (use_re)
    regfree (&re);

  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *path = names->pdata[i];

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      if (!include_file (parser, path, loc, error))
        return FALSE;
    }
  return TRUE;
}

/* include, include_files, posix_re_pattern: TRUE if @name is one. */
static gboolean
builtin_statement (IpaConfParser *parser, const char *name, Args *a,
                   const IpaConfLocation *loc, gboolean *ok, GError **error)
{
  enum { INCLUDE, INCLUDE_FILES, POSIX_RE } which;

  if (strcmp (name, "include") == 0)
    which = INCLUDE;
  else if (strcmp (name, "include_files") == 0)
    which = INCLUDE_FILES;
  else if (strcmp (name, "posix_re_pattern") == 0)
    which = POSIX_RE;
  else
    return FALSE;

  *ok = FALSE;
  if (!check_nargs (name, FALSE, 1, a->nargs, loc, error))
    return TRUE;

  if (which == POSIX_RE)
    {
      if (strcmp (a->args[0].text, "yes") == 0)
        parser->posix_re_pattern = TRUE;
      else if (strcmp (a->args[0].text, "no") == 0)
        parser->posix_re_pattern = FALSE;
      else
        {
          error_at (error, IPA_CONF_ERROR_VALUE, &a->args[0].loc,
                    _("\"posix_re_pattern\" expects yes or no"));
          return TRUE;
        }
      *ok = TRUE;
      return TRUE;
    }

  if (!parser->allow_include)
    {
      error_at (error, IPA_CONF_ERROR_INCLUDE, loc, _("\"%s\" is disabled in this parser"), name);
      return TRUE;
    }
  if (a->args[0].text[0] == '\0')
    {
      error_at (error, IPA_CONF_ERROR_INCLUDE, &a->args[0].loc, _("empty file name"));
      return TRUE;
    }
  if (which == INCLUDE)
    {
      g_autofree char *path = resolve_path (a->args[0].text, loc);

      *ok = include_file (parser, path, loc, error);
    }
  else
    *ok = include_files (parser, a->args[0].text, loc, error);
  return TRUE;
}

static gboolean
macro_definition (IpaConfParser *parser, const char *name, Args *a,
                  IpaConfTokenKind terminator, const IpaConfLocation *loc,
                  GError **error)
{
  gsize len = strlen (name);
  g_autofree char *var = NULL;
  GError *inner = NULL;

  if (len < 4 || name[1] != '{' || name[len - 1] != '}' ||
      !ipa_conf_macro_name_is_valid (name + 2, len - 3))
    return error_at (error, IPA_CONF_ERROR_MACRO, loc,
                     _("invalid macro variable name \"%s\" (expected ${name}: a letter, then letters, digits or '_')"),
                     name);
  if (terminator != IPA_CONF_TOKEN_SEMICOLON)
    return error_at (error, IPA_CONF_ERROR_SYNTAX, loc,
                     _("a macro variable definition ends with ';', not a section"));
  if (a->nargs != 1 || a->args[0].kind != IPA_CONF_ARG_STRING)
    return error_at (error, IPA_CONF_ERROR_ARGS, args_loc (a, loc),
                     _("macro variable \"%s\" expects one string in double quotes"), name);
  var = g_strndup (name + 2, len - 3);
  if (g_hash_table_contains (parser->reserved, var))
    return error_at (error, IPA_CONF_ERROR_MACRO, loc,
                     _("macro variable \"%s\" is predefined and cannot be assigned"), name);
  if (!ipa_conf_macros_assign (parser->macros, var, a->args[0].text, &inner))
    return locate_error (error, inner, IPA_CONF_ERROR_MACRO, loc);
  return TRUE;
}

static gboolean
dispatch (IpaConfParser *parser, IpaConfLexer *lx, char *name, Args *a,
          IpaConfTokenKind terminator, const IpaConfLocation *loc, GError **error)
{
  gboolean is_section = terminator == IPA_CONF_TOKEN_LBRACE;
  const char *colon;
  gboolean ok;

  if (name[0] == '$')
    {
      ok = macro_definition (parser, name, a, terminator, loc, error);
      g_free (name);
      return ok;
    }

  if (!args_expand (parser, a, error))
    {
      g_free (name);
      return FALSE;
    }
  args_make_text (a);

  colon = strchr (name, ':');
  if (colon != NULL)
    {
      g_autofree char *prefix = g_strndup (name, colon - name);
      const char *local = colon + 1;
      Module *m = g_hash_table_lookup (parser->module_by_prefix, prefix);

      if (m == NULL)
        {
          ok = error_at (error, IPA_CONF_ERROR_UNKNOWN, loc,
                         _("unknown module prefix \"%s\""), prefix);
          g_free (name);
          return ok;
        }
      if (is_section)
        {
          ipa_conf_sect *s = g_hash_table_lookup (m->sects, local);

          if (s != NULL)
            return module_section (parser, lx, m, s, name, a, loc, error);
          if (g_hash_table_contains (m->params, local))
            ok = error_at (error, IPA_CONF_ERROR_SYNTAX, loc,
                           _("\"%s\" is a parameter, not a section: expected ';' after its arguments"),
                           name);
          else
            ok = error_at (error, IPA_CONF_ERROR_UNKNOWN, loc, _("unknown section \"%s\""), name);
        }
      else
        {
          ipa_conf_param *p = g_hash_table_lookup (m->params, local);

          if (p != NULL)
            ok = module_param (parser, m, p, a, loc, error);
          else if (g_hash_table_contains (m->sects, local))
            ok = error_at (error, IPA_CONF_ERROR_SYNTAX, loc,
                           _("\"%s\" is a section: expected '{' after its arguments"), name);
          else
            ok = error_at (error, IPA_CONF_ERROR_UNKNOWN, loc, _("unknown parameter \"%s\""), name);
        }
      g_free (name);
      return ok;
    }

  if (!is_section && builtin_statement (parser, name, a, loc, &ok, error))
    {
      g_free (name);
      return ok;
    }

  if (is_section)
    {
      const IpaConfSectDef *def = g_hash_table_lookup (parser->sect_by_name, name);
      ModEntry *e;

      if (def != NULL)
        return schema_section (parser, lx, def, name, a, loc, error);
      e = g_hash_table_lookup (parser->bare_sects, name);
      if (e != NULL)
        return module_section (parser, lx, e->module, e->entry, name, a, loc, error);
      if (g_hash_table_contains (parser->param_by_name, name) ||
          g_hash_table_contains (parser->bare_params, name) ||
          strcmp (name, "include") == 0 || strcmp (name, "include_files") == 0 ||
          strcmp (name, "posix_re_pattern") == 0)
        ok = error_at (error, IPA_CONF_ERROR_SYNTAX, loc,
                       _("\"%s\" is a parameter, not a section: expected ';' after its arguments"),
                       name);
      else
        ok = error_at (error, IPA_CONF_ERROR_UNKNOWN, loc, _("unknown section \"%s\""), name);
    }
  else
    {
      const IpaConfParamDef *def = g_hash_table_lookup (parser->param_by_name, name);
      ModEntry *e;

      if (def != NULL)
        ok = schema_param (parser, def, name, a, loc, error);
      else if ((e = g_hash_table_lookup (parser->bare_params, name)) != NULL)
        ok = module_param (parser, e->module, e->entry, a, loc, error);
      else if (g_hash_table_contains (parser->sect_by_name, name) ||
               g_hash_table_contains (parser->bare_sects, name))
        ok = error_at (error, IPA_CONF_ERROR_SYNTAX, loc,
                       _("\"%s\" is a section: expected '{' after its arguments"), name);
      else
        ok = error_at (error, IPA_CONF_ERROR_UNKNOWN, loc, _("unknown parameter \"%s\""), name);
    }
  g_free (name);
  return ok;
}

static gboolean
parse_statements (IpaConfParser *parser, IpaConfLexer *lx, gboolean in_section,
                  GError **error)
{
  const char *file = ipa_conf_lexer_get_file (lx);
  IpaConfToken tok;
  GArray *args = g_array_new (FALSE, FALSE, sizeof (IpaConfArg));
  gboolean ok = FALSE;

  for (;;)
    {
      IpaConfLocation loc = { file, 0, 0 };
      char *name;
      Args a = { 0 };
      gboolean lex_failed = FALSE;

      if (!ipa_conf_lexer_next (lx, IPA_CONF_LEX_EQUALS_TOKEN | IPA_CONF_LEX_EQUALS_ENDS_WORD,
                                &tok, error))
        break;
      loc.line = tok.line;
      loc.column = tok.column;

      if (tok.kind == IPA_CONF_TOKEN_EOF)
        {
          if (in_section)
            {
              const IpaConfStatement *st = &parser->frame->st;

              error_at (error, IPA_CONF_ERROR_SYNTAX, &loc,
                        _("unterminated section \"%s\" opened at %s:%u:%u (expected '}')"),
                        parser->frame->display, st->loc.file, st->loc.line, st->loc.column);
              break;
            }
          ok = TRUE;
          break;
        }
      if (tok.kind == IPA_CONF_TOKEN_RBRACE)
        {
          if (in_section)
            {
              parser->loc = loc;
              ok = TRUE;
              break;
            }
          if (parser->frame->kind != FRAME_ROOT)
            error_at (error, IPA_CONF_ERROR_SYNTAX, &loc,
                      _("unexpected '}': section \"%s\" was opened in another file, "
                        "and a section must end in the file where it begins"),
                      parser->frame->display);
          else
            error_at (error, IPA_CONF_ERROR_SYNTAX, &loc, _("unexpected '}': no section is open"));
          break;
        }
      if (tok.kind != IPA_CONF_TOKEN_WORD)
        {
          error_at (error, IPA_CONF_ERROR_SYNTAX, &loc,
                    _("expected a parameter or section name, got %s"),
                    ipa_conf_token_kind_to_string (tok.kind));
          break;
        }
      name = g_strndup (tok.text, tok.len);

      /* The optional '=' right after the name. */
      if (!ipa_conf_lexer_next (lx, IPA_CONF_LEX_EQUALS_TOKEN, &tok, error))
        {
          g_free (name);
          break;
        }
      if (tok.kind == IPA_CONF_TOKEN_EQUALS &&
          !ipa_conf_lexer_next (lx, IPA_CONF_LEX_DEFAULT, &tok, error))
        {
          g_free (name);
          break;
        }

      g_array_set_size (args, 0);
      while (tok.kind == IPA_CONF_TOKEN_WORD || tok.kind == IPA_CONF_TOKEN_STRING)
        {
          IpaConfArg arg = {
            tok.kind == IPA_CONF_TOKEN_STRING ? IPA_CONF_ARG_STRING : IPA_CONF_ARG_WORD,
            g_strndup (tok.text, tok.len),
            { file, tok.line, tok.column },
          };

          g_array_append_val (args, arg);
          if (!ipa_conf_lexer_next (lx, IPA_CONF_LEX_DEFAULT, &tok, error))
            {
              lex_failed = TRUE;
              break;
            }
        }
      a.nargs = args->len;
      a.args = (IpaConfArg *) (gpointer) g_array_steal (args, NULL);

      if (lex_failed ||
          (tok.kind != IPA_CONF_TOKEN_SEMICOLON && tok.kind != IPA_CONF_TOKEN_LBRACE))
        {
          if (!lex_failed)
            {
              IpaConfLocation tloc = { file, tok.line, tok.column };

              if (a.nargs > 0)
                error_at (error, IPA_CONF_ERROR_SYNTAX, &tloc,
                          _("expected ';' or '{' after arguments of \"%s\", got %s"),
                          name, ipa_conf_token_kind_to_string (tok.kind));
              else
                error_at (error, IPA_CONF_ERROR_SYNTAX, &tloc,
                          _("expected ';' or '{' after \"%s\", got %s"),
                          name, ipa_conf_token_kind_to_string (tok.kind));
            }
          g_free (name);
          args_clear (&a);
          break;
        }

      parser->loc = loc;
      if (!dispatch (parser, lx, name, &a, tok.kind, &loc, error))
        {
          args_clear (&a);
          break;
        }
      args_clear (&a);
    }

  g_array_unref (args);
  return ok;
}

/* Entry points */

static gboolean
parse_toplevel (IpaConfParser *parser, const char *file, const char *data, gsize len,
                const char *canon, GError **error)
{
  IpaConfParser *saved = current_parser;
  gboolean ok;

  current_parser = parser;
  if (canon != NULL)
    g_ptr_array_add (parser->include_stack, g_strdup (canon));
  ok = parse_buffer (parser, file, data, len, error);
  if (canon != NULL)
    g_ptr_array_remove_index (parser->include_stack, parser->include_stack->len - 1);
  current_parser = saved;
  return ok;
}

gboolean
ipa_conf_parser_parse_file (IpaConfParser *parser,
                            const char *path,
                            GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *canon = NULL;
  gsize len;
  int err;

  if (!read_file (path, &data, &len, &err))
    {
      g_autofree char *msg = g_strdup_printf (_("cannot read \"%s\": %s"), path,
                                              g_strerror (err));

      /* The same shape as every configuration error: FILE:LINE:COLUMN. */
      g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_INCLUDE,
                   "%s:0:0: %s", path, msg);
      return FALSE;
    }
  canon = canonical_path (path);
  return parse_toplevel (parser, path, data, len, canon, error);
}

gboolean
ipa_conf_parser_parse_data (IpaConfParser *parser,
                            const char *file_name,
                            const char *data,
                            gssize len,
                            GError **error)
{
  if (len < 0)
    len = strlen (data);
  return parse_toplevel (parser, file_name != NULL ? file_name : "<data>", data, len,
                         NULL, error);
}
