/*
 * ipa-conf-lexer.c: tokens of the configuration language.
 *
 * Lexical rules (see also the comment at the top of ipa-conf-parser.c):
 *  - blanks are space, TAB, CR, LF, VT and FF; LF ends a line;
 *  - "#" starts a comment up to the end of the line, wherever a token may
 *    start and also right after a word ("a#b" is the word "a");
 *  - "/" "*" starts a comment up to the first "*" "/" (not nested), but only
 *    where a token may start: inside a word it is text, so that unquoted
 *    globs such as /etc/ipa/ *.conf (without the blank) keep working;
 *  - a word is a maximal run of bytes other than blanks, { } ; " # and NUL
 *    ('=' too when the parser asks, see IpaConfLexFlags), where a macro
 *    variable reference ${…} counts as word bytes despite its braces;
 *  - a string is "…" with the escapes \t \n \\ \" and \ + LF (both removed);
 *    a raw LF, a NUL, an unknown escape or the end of input inside a string
 *    is an error;
 *  - a NUL byte outside comments is an error (the input is text).
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ipa-conf-lexer.h"
#include "ipa-conf-parser.h"

struct _IpaConfLexer {
  const char *file;
  const char *p;   /* next byte */
  const char *end;
  guint line;
  const char *line_start; /* for columns */
  GString *buf;    /* text of the last WORD or STRING */
};

IpaConfLexer *
ipa_conf_lexer_new (const char *file, const char *data, gsize len)
{
  IpaConfLexer *lx = g_new0 (IpaConfLexer, 1);

  lx->file = file;
  lx->p = data;
  lx->end = data + len;
  lx->line = 1;
  lx->line_start = data;
  lx->buf = g_string_sized_new (64);
  return lx;
}

void
ipa_conf_lexer_free (IpaConfLexer *lexer)
{
  if (lexer == NULL)
    return;
  g_string_free (lexer->buf, TRUE);
  g_free (lexer);
}

const char *
ipa_conf_lexer_get_file (IpaConfLexer *lexer)
{
  return lexer->file;
}

const char *
ipa_conf_token_kind_to_string (IpaConfTokenKind kind)
{
  switch (kind)
    {
    case IPA_CONF_TOKEN_EOF:
      /* TRANSLATORS: what the parser found instead of what it expected, as
       * in "expected a parameter or section name, got end of file"; also
       * "a word" and "a string" below. */
      return _("end of file");
    case IPA_CONF_TOKEN_WORD:
      return _("a word");
    case IPA_CONF_TOKEN_STRING:
      return _("a string");
    case IPA_CONF_TOKEN_LBRACE:
      return "'{'";
    case IPA_CONF_TOKEN_RBRACE:
      return "'}'";
    case IPA_CONF_TOKEN_SEMICOLON:
      return "';'";
    case IPA_CONF_TOKEN_EQUALS:
      return "'='";
    default:
      return "?";
    }
}

static inline guint
column_of (IpaConfLexer *lx, const char *p)
{
  return (guint) (p - lx->line_start) + 1;
}

static inline void
newline (IpaConfLexer *lx, const char *after)
{
  lx->line++;
  lx->line_start = after;
}

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline gboolean
is_word_char (char c, IpaConfLexFlags flags)
{
  switch (c)
    {
    case ' ': case '\t': case '\n': case '\r': case '\v': case '\f':
    case '{': case '}': case ';': case '"': case '#': case '\0':
      return FALSE;
    case '=':
      return (flags & IPA_CONF_LEX_EQUALS_ENDS_WORD) == 0;
    default:
      return TRUE;
    }
}

static gboolean
lex_error (IpaConfLexer *lx, guint line, guint column, GError **error,
           const char *format, ...) G_GNUC_PRINTF (5, 6);

static gboolean
lex_error (IpaConfLexer *lx, guint line, guint column, GError **error,
           const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_SYNTAX, "%s:%u:%u: %s",
               lx->file, line, column, msg);
  return FALSE;
}

/* Skip blanks and comments. */
static gboolean
skip_blanks (IpaConfLexer *lx, GError **error)
{
  while (lx->p < lx->end)
    {
      char c = *lx->p;

      if (c == '\n')
        {
          lx->p++;
          newline (lx, lx->p);
        }
      else if (is_blank (c))
        lx->p++;
      else if (c == '#')
        {
          const char *nl = memchr (lx->p, '\n', lx->end - lx->p);

          lx->p = nl != NULL ? nl : lx->end;
        }
      else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*')
        {
          guint line = lx->line, column = column_of (lx, lx->p);
          const char *q = lx->p + 2;

          for (;;)
            {
              if (q + 1 >= lx->end)
                {
                  lx->p = lx->end;
                  return lex_error (lx, line, column, error,
                                    _("unterminated comment (expected '*/')"));
                }
              if (q[0] == '*' && q[1] == '/')
                break;
              if (q[0] == '\n')
                newline (lx, q + 1);
              q++;
            }
          lx->p = q + 2;
        }
      else
        break;
    }
  return TRUE;
}

static gboolean
lex_string (IpaConfLexer *lx, IpaConfToken *tok, GError **error)
{
  const char *p = lx->p + 1; /* after the opening quote */

  for (;;)
    {
      const char *run = p;

      /* Copy plain runs in one go. */
      while (p < lx->end && *p != '"' && *p != '\\' && *p != '\n' && *p != '\0')
        p++;
      g_string_append_len (lx->buf, run, p - run);

      if (p >= lx->end || *p == '\n')
        {
          lx->p = p;
          return lex_error (lx, tok->line, tok->column, error,
                            _("unterminated string (a string ends on its line; "
                              "end a line with '\\' to continue it)"));
        }
      if (*p == '\0')
        {
          lx->p = p;
          return lex_error (lx, lx->line, column_of (lx, p), error,
                            _("NUL character in string"));
        }
      if (*p == '"')
        {
          lx->p = p + 1;
          return TRUE;
        }

      /* A backslash. */
      if (p + 1 >= lx->end)
        {
          lx->p = lx->end;
          return lex_error (lx, tok->line, tok->column, error,
                            _("unterminated string"));
        }
      switch (p[1])
        {
        case 't':
          g_string_append_c (lx->buf, '\t');
          break;
        case 'n':
          g_string_append_c (lx->buf, '\n');
          break;
        case '\\':
          g_string_append_c (lx->buf, '\\');
          break;
        case '"':
          g_string_append_c (lx->buf, '"');
          break;
        case '\n':
          newline (lx, p + 2);
          break;
        case '\r':
          /* Continuation in a file with CRLF line ends. */
          if (p + 2 < lx->end && p[2] == '\n')
            {
              newline (lx, p + 3);
              p++;
              break;
            }
          G_GNUC_FALLTHROUGH;
        default:
          {
            guint column = column_of (lx, p);

            lx->p = p;
            if ((guchar) p[1] < 0x20 || (guchar) p[1] >= 0x7f)
              return lex_error (lx, lx->line, column, error,
                                _("unknown escape sequence (backslash and byte 0x%02x) in string"),
                                (guchar) p[1]);
            return lex_error (lx, lx->line, column, error,
                              _("unknown escape sequence \"\\%c\" in string"),
                              p[1]);
          }
        }
      p += 2;
    }
}

gboolean
ipa_conf_lexer_next (IpaConfLexer *lx,
                     IpaConfLexFlags flags,
                     IpaConfToken *tok,
                     GError **error)
{
  char c;

  g_string_truncate (lx->buf, 0);
  tok->text = lx->buf->str;
  tok->len = 0;

  if (!skip_blanks (lx, error))
    return FALSE;

  tok->line = lx->line;
  tok->column = column_of (lx, lx->p);

  if (lx->p >= lx->end)
    {
      tok->kind = IPA_CONF_TOKEN_EOF;
      return TRUE;
    }

  c = *lx->p;
  switch (c)
    {
    case '{':
      tok->kind = IPA_CONF_TOKEN_LBRACE;
      lx->p++;
      return TRUE;
    case '}':
      tok->kind = IPA_CONF_TOKEN_RBRACE;
      lx->p++;
      return TRUE;
    case ';':
      tok->kind = IPA_CONF_TOKEN_SEMICOLON;
      lx->p++;
      return TRUE;
    case '\0':
      return lex_error (lx, tok->line, tok->column, error, _("NUL character in input"));
    case '"':
      tok->kind = IPA_CONF_TOKEN_STRING;
      if (!lex_string (lx, tok, error))
        return FALSE;
      break;
    case '=':
      if (flags & (IPA_CONF_LEX_EQUALS_TOKEN | IPA_CONF_LEX_EQUALS_ENDS_WORD))
        {
          tok->kind = IPA_CONF_TOKEN_EQUALS;
          lx->p++;
          return TRUE;
        }
      G_GNUC_FALLTHROUGH;
    default:
      {
        const char *start = lx->p;

        tok->kind = IPA_CONF_TOKEN_WORD;
        /* A leading '=' belongs to the word here (see above). */
        while (lx->p < lx->end)
          {
            if (lx->p[0] == '$' && lx->p + 1 < lx->end && lx->p[1] == '{')
              {
                /* ${name} is part of the word although braces are not. */
                const char *q = lx->p + 2;

                while (q < lx->end && *q != '}' && *q != '{' && is_word_char (*q, 0))
                  q++;
                if (q >= lx->end || *q != '}')
                  return lex_error (lx, lx->line, column_of (lx, lx->p), error,
                                    _("unterminated macro variable reference (expected '}' after \"${\")"));
                lx->p = q + 1;
                continue;
              }
            if (lx->p > start && !is_word_char (*lx->p, flags))
              break;
            lx->p++;
          }
        g_string_append_len (lx->buf, start, lx->p - start);
      }
      break;
    }

  tok->text = lx->buf->str;
  tok->len = lx->buf->len;
  return TRUE;
}
