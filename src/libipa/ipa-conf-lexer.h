/*
 * ipa-conf-lexer.h: tokens of the configuration language.
 *
 * The lexer turns one file (or one buffer) into words, strings and the
 * punctuation { } ; =.  Comments and blanks are skipped; string escapes and
 * continuation lines are resolved.  Macro variables are left alone: they are
 * the parser's business, because their meaning depends on the scope.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  IPA_CONF_TOKEN_EOF,
  IPA_CONF_TOKEN_WORD,
  IPA_CONF_TOKEN_STRING,
  IPA_CONF_TOKEN_LBRACE,
  IPA_CONF_TOKEN_RBRACE,
  IPA_CONF_TOKEN_SEMICOLON,
  IPA_CONF_TOKEN_EQUALS,
} IpaConfTokenKind;

/* '=' is special only around the name of a statement, so the parser says
 * when it wants it recognised. */
typedef enum {
  IPA_CONF_LEX_DEFAULT = 0,
  /* A '=' at the start of a token is returned as IPA_CONF_TOKEN_EQUALS. */
  IPA_CONF_LEX_EQUALS_TOKEN = 1 << 0,
  /* A '=' ends a word (used for the name: "update_time=1m"). */
  IPA_CONF_LEX_EQUALS_ENDS_WORD = 1 << 1,
} IpaConfLexFlags;

typedef struct {
  IpaConfTokenKind kind;
  /* WORD and STRING: the text (a STRING without quotes, escapes resolved),
   * NUL-terminated, valid until the next call of ipa_conf_lexer_next(). */
  const char *text;
  gsize len;
  guint line;   /* of the first character, from 1 */
  guint column; /* from 1, in bytes */
} IpaConfToken;

typedef struct _IpaConfLexer IpaConfLexer;

/* @file is used in messages and must outlive the lexer, as must @data
 * (which is not copied and may contain any bytes). */
IpaConfLexer *ipa_conf_lexer_new (const char *file,
                                  const char *data,
                                  gsize len);
void ipa_conf_lexer_free (IpaConfLexer *lexer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaConfLexer, ipa_conf_lexer_free)

const char *ipa_conf_lexer_get_file (IpaConfLexer *lexer);

/* Read the next token.  On a lexical error returns FALSE with an
 * IPA_CONF_ERROR_SYNTAX error "FILE:LINE:COLUMN: message". */
gboolean ipa_conf_lexer_next (IpaConfLexer *lexer,
                              IpaConfLexFlags flags,
                              IpaConfToken *token,
                              GError **error);

/* Human name of a token kind for messages ("';'", "end of file", …). */
const char *ipa_conf_token_kind_to_string (IpaConfTokenKind kind);

G_END_DECLS
