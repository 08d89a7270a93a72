/*
 * ipa-conf-parser.h: the configuration language shared by ipa.conf and
 * ipastat.conf.
 *
 * The parser knows the syntax (comments, strings, macro variables, include,
 * sections and parameters) and the module tables of ipa_mod(3); what the
 * built-in sections and parameters mean is given by a schema that the
 * program (ipa or ipastat) passes in.  It knows nothing of the engine.
 */
#pragma once

#include <glib.h>
#include "ipa_mod.h"

G_BEGIN_DECLS

#define IPA_CONF_ERROR (ipa_conf_error_quark ())
GQuark ipa_conf_error_quark (void);

/* Every error message of IPA_CONF_ERROR starts with "FILE:LINE:COLUMN: ". */
typedef enum {
  IPA_CONF_ERROR_SYNTAX,    /* lexical or grammar error */
  IPA_CONF_ERROR_UNKNOWN,   /* unknown section, parameter or prefix */
  IPA_CONF_ERROR_PLACEMENT, /* known, but not allowed in this section */
  IPA_CONF_ERROR_ARGS,      /* wrong number or form of arguments */
  IPA_CONF_ERROR_VALUE,     /* bad value: out of range, overflow, bad unit */
  IPA_CONF_ERROR_MACRO,     /* undefined or malformed macro variable */
  IPA_CONF_ERROR_INCLUDE,   /* include / include_files failure */
  IPA_CONF_ERROR_MODULE,    /* a module rejected something, or a module error */
  IPA_CONF_ERROR_DUPLICATE, /* repeated parameter or section name */
  IPA_CONF_ERROR_SEMANTIC,  /* rejected by a schema handler */
} IpaConfErrorCode;

typedef struct {
  const char *file; /* owned by the parser, valid until it is freed */
  guint line;       /* from 1 */
  guint column;     /* from 1, in bytes */
} IpaConfLocation;

typedef enum {
  IPA_CONF_ARG_WORD,
  IPA_CONF_ARG_STRING,
} IpaConfArgKind;

/* One argument token, macro variables already expanded. */
typedef struct {
  IpaConfArgKind kind;
  char *text; /* a STRING is unquoted, escapes resolved */
  IpaConfLocation loc;
} IpaConfArg;

/* An argument converted by the parser for an entry whose arg_type != 0. */
typedef struct {
  unsigned int type; /* IPA_CONF_TYPE_* */
  union {
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;      /* UINT64, BYTES, TIME */
    int boolean;
    uint32_t per_cent; /* 0..100 */
    struct {
      uint64_t kind;   /* IPA_CONF_TYPE_BYTES, _TIME or _UINT64 */
      uint64_t value;
    } value;
    const char *str;   /* STRING and MISC */
  } u;
} IpaConfValue;

/* What a schema handler is told about one section header or parameter. */
typedef struct {
  const char *name;      /* as written, without prefix */
  guint nargs;
  const IpaConfArg *args;
  const char *text;      /* the arguments normalised: single spaces between
                          * tokens, strings re-quoted with escapes */
  IpaConfValue value;    /* valid when the entry has arg_type != 0 */
  IpaConfLocation loc;   /* of the name */
  unsigned int sect_id;  /* sections: the entry's sect_id */
  unsigned int no;       /* sections: ordinal per the entry's numbering */
} IpaConfStatement;

typedef struct _IpaConfParser IpaConfParser;

typedef gboolean (*IpaConfHandler) (IpaConfParser *parser,
                                    const IpaConfStatement *st,
                                    gpointer user_data,
                                    GError **error);

typedef enum {
  IPA_CONF_NUMBER_NONE,   /* no = 0 */
  IPA_CONF_NUMBER_FILE,   /* ordinal of this section name in the whole configuration */
  IPA_CONF_NUMBER_PARENT, /* ordinal of this section name inside the enclosing section */
} IpaConfNumbering;

/* Private section identifiers of the programs (not visible to modules as
 * standard sections) lie in this range. */
#define IPA_CONF_SECT_PRIVATE_FIRST 50
#define IPA_CONF_SECT_PRIVATE_LAST  99

typedef struct {
  const char *name;
  unsigned int sect_id;          /* IPA_CONF_SECT_* or a private id */
  int nargs;                     /* as arg_nargs of ipa_mod(3) */
  unsigned int arg_type;         /* 0: the handler reads st->args itself */
  const unsigned int *where;     /* 0-terminated list of enclosing sect_ids */
  unsigned int event_begin;      /* IPA_CONF_EVENT_*_BEGIN sent to modules, 0: none */
  IpaConfNumbering numbering;
  const char *macro;             /* if set, ${macro} is defined as the first
                                  * argument inside the section (e.g. "rule") */
  IpaConfHandler begin;          /* may be NULL */
  IpaConfHandler end;            /* may be NULL */
} IpaConfSectDef;

typedef struct {
  const char *name;
  int nargs;
  unsigned int arg_type;         /* 0: the handler reads st->args itself */
  const unsigned int *where;
  gboolean repeatable;           /* FALSE: a second one in the same section is an error */
  IpaConfHandler handler;        /* may be NULL (accepted and ignored) */
} IpaConfParamDef;

typedef struct {
  const IpaConfSectDef *sects;   /* terminated by name == NULL */
  const IpaConfParamDef *params; /* terminated by name == NULL */
} IpaConfSchema;

/* A module's tables as ipa_mod(3) gives them.  Regular expressions are
 * already compiled (by the module loader).  A section whose sect_name is
 * "" is the module's bare section, written "prefix: { … }".  Ids above
 * IPA_CONF_SECT_CUSTOM_OFFSET in sect_where / param_where name sections
 * of the same module. */
typedef struct {
  const char *mod_name;          /* for messages */
  const char *prefix;            /* may be NULL */
  ipa_conf_sect *sects;          /* may be NULL */
  ipa_conf_param *params;        /* may be NULL */
  int (*conf_event) (unsigned int event, unsigned int no, const void *arg);
} IpaConfModuleTables;

IpaConfParser *ipa_conf_parser_new (const IpaConfSchema *schema,
                                    gpointer user_data);
void ipa_conf_parser_free (IpaConfParser *parser);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaConfParser, ipa_conf_parser_free)

/* Make a module's sections and parameters known from now on.  Usually
 * called from the handler of ac_mod / db_mod / st_mod. */
gboolean ipa_conf_parser_add_module (IpaConfParser *parser,
                                     const IpaConfModuleTables *tables,
                                     GError **error);

gboolean ipa_conf_parser_parse_file (IpaConfParser *parser,
                                     const char *path,
                                     GError **error);
/* Parse text as if it were the file named @file_name (which is used in
 * messages and as the base of relative includes). */
gboolean ipa_conf_parser_parse_data (IpaConfParser *parser,
                                     const char *file_name,
                                     const char *data,
                                     gssize len,
                                     GError **error);

/* The location of the statement being processed, for messages of handlers
 * and of modules (logconferr). */
const IpaConfLocation *ipa_conf_parser_get_location (IpaConfParser *parser);

/* The parser currently inside parse_*, or NULL (for suppfunc, which has no
 * context argument). */
IpaConfParser *ipa_conf_parser_get_current (void);

/* Remember the last message a module sent through logconferr, so that the
 * error that follows its failure can quote it. */
void ipa_conf_parser_note_module_message (IpaConfParser *parser,
                                          const char *mod_name,
                                          const char *message);

/* Whether include and include_files may read files (default TRUE).  When
 * FALSE they are IPA_CONF_ERROR_INCLUDE errors; fuzzers use this so that
 * input cannot make the parser read arbitrary files. */
void ipa_conf_parser_set_allow_include (IpaConfParser *parser,
                                        gboolean allow);

/* Set @error (if not NULL) to an IPA_CONF_ERROR @code whose message is
 * "FILE:LINE:COLUMN: " (the location of the statement being processed)
 * followed by the formatted text.  Always returns FALSE, for
 * "return ipa_conf_parser_set_error (…);" in handlers.
 *
 * Handlers may also return errors without a location, or of another
 * domain: the parser then prefixes the location of the statement (other
 * domains become IPA_CONF_ERROR_SEMANTIC). */
gboolean ipa_conf_parser_set_error (IpaConfParser *parser,
                                    GError **error,
                                    IpaConfErrorCode code,
                                    const char *format,
                                    ...) G_GNUC_PRINTF (4, 5);

/* The innermost section open now (its header as given to the begin
 * handler), or NULL at top level.  @up = 0 is the innermost, 1 its parent,
 * and so on.  Valid while that section is open. */
const IpaConfStatement *ipa_conf_parser_get_section (IpaConfParser *parser,
                                                     guint up);

/* Macro variables, as suppfunc local_sym_* / global_sym_* (see ipa_mod(3)):
 * with copy_flag == 0 the parser takes ownership of sym and val, which must
 * have been allocated with mem_malloc(…, m_parser). */
int ipa_conf_parser_sym_add (IpaConfParser *parser, gboolean global,
                             char *sym, char *val, int copy_flag);
int ipa_conf_parser_sym_del (IpaConfParser *parser, gboolean global,
                             const char *sym);

G_END_DECLS
