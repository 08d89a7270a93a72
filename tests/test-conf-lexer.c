/* test-conf-lexer.c: tokens of the configuration language. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "ipa-conf-lexer.h"
#include "ipa-conf-parser.h"

/* All tokens of @text as "KIND:text@line:col" joined by spaces, or the
 * error message after "ERROR ". */
static char *
lex_all (const char *text, gssize len, IpaConfLexFlags flags)
{
  g_autoptr(IpaConfLexer) lx = ipa_conf_lexer_new ("t.conf", text,
                                                   len < 0 ? strlen (text) : (gsize) len);
  GString *out = g_string_new (NULL);

  for (;;)
    {
      IpaConfToken tok;
      g_autoptr(GError) error = NULL;
      const char *kind = "?";

      if (!ipa_conf_lexer_next (lx, flags, &tok, &error))
        {
          g_assert_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_SYNTAX);
          g_string_append_printf (out, "%sERROR %s", out->len > 0 ? " " : "", error->message);
          break;
        }
      switch (tok.kind)
        {
        case IPA_CONF_TOKEN_EOF: kind = "EOF"; break;
        case IPA_CONF_TOKEN_WORD: kind = "W"; break;
        case IPA_CONF_TOKEN_STRING: kind = "S"; break;
        case IPA_CONF_TOKEN_LBRACE: kind = "{"; break;
        case IPA_CONF_TOKEN_RBRACE: kind = "}"; break;
        case IPA_CONF_TOKEN_SEMICOLON: kind = ";"; break;
        case IPA_CONF_TOKEN_EQUALS: kind = "="; break;
        }
      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (tok.kind == IPA_CONF_TOKEN_WORD || tok.kind == IPA_CONF_TOKEN_STRING)
        {
          g_assert_cmpuint (strlen (tok.text), ==, tok.len);
          g_string_append_printf (out, "%s:%s@%u:%u", kind, tok.text, tok.line, tok.column);
        }
      else
        g_string_append_printf (out, "%s@%u:%u", kind, tok.line, tok.column);
      if (tok.kind == IPA_CONF_TOKEN_EOF)
        break;
    }
  return g_string_free (out, FALSE);
}

static void
check (const char *text, IpaConfLexFlags flags, const char *expected)
{
  g_autofree char *got = lex_all (text, -1, flags);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_tokens (void)
{
  check ("", 0, "EOF@1:1");
  check ("rule x {\n}\n", 0, "W:rule@1:1 W:x@1:6 {@1:8 }@2:1 EOF@3:1");
  check ("a;b{c}d", 0, "W:a@1:1 ;@1:2 W:b@1:3 {@1:4 W:c@1:5 }@1:6 W:d@1:7 EOF@1:8");
  check ("  \t\r\n\v\fx", 0, "W:x@2:3 EOF@2:4");
  /* Words are any non-blank bytes but { } ; " # */
  check ("a.b/c-d:e+f*g", 0, "W:a.b/c-d:e+f*g@1:1 EOF@1:14");
  check ("a\"b\"c", 0, "W:a@1:1 S:b@1:2 W:c@1:5 EOF@1:6");
  check ("\xc3\xa9t\xc3\xa9", 0, "W:\xc3\xa9t\xc3\xa9@1:1 EOF@1:6");
}

static void
test_equals (void)
{
  /* Without flags '=' is a word character. */
  check ("a=b = c", 0, "W:a=b@1:1 W:=@1:5 W:c@1:7 EOF@1:8");
  /* For the name: '=' ends the word and is a token. */
  check ("a=b", IPA_CONF_LEX_EQUALS_ENDS_WORD, "W:a@1:1 =@1:2 W:b@1:3 EOF@1:4");
  /* After the name: only a leading '=' is special. */
  check ("=b=c", IPA_CONF_LEX_EQUALS_TOKEN, "=@1:1 W:b=c@1:2 EOF@1:5");
  check ("${x}=\"1\"", IPA_CONF_LEX_EQUALS_ENDS_WORD, "W:${x}@1:1 =@1:5 S:1@1:6 EOF@1:9");
}

static void
test_macro_words (void)
{
  /* Braces end words, except in a macro variable reference. */
  check ("a${x}b{", 0, "W:a${x}b@1:1 {@1:7 EOF@1:8");
  check ("${$}{b}", 0, "W:${$}@1:1 {@1:5 W:b@1:6 }@1:7 EOF@1:8");
  check ("$ $x {", 0, "W:$@1:1 W:$x@1:3 {@1:6 EOF@1:7");
  check ("x ${ab", 0,
         "W:x@1:1 ERROR t.conf:1:3: unterminated macro variable reference (expected '}' after \"${\")");
  check ("${a b}", 0,
         "ERROR t.conf:1:1: unterminated macro variable reference (expected '}' after \"${\")");
}

static void
test_comments (void)
{
  check ("a # comment ; {\nb", 0, "W:a@1:1 W:b@2:1 EOF@2:2");
  check ("a#b\nc", 0, "W:a@1:1 W:c@2:1 EOF@2:2");
  check ("# only", 0, "EOF@1:7");
  check ("a /* x ; { \n y */ b", 0, "W:a@1:1 W:b@2:7 EOF@2:8");
  /* Not nested: the first close ends it. */
  check ("/* /* */ a */", 0, "W:a@1:10 W:*/@1:12 EOF@1:14");
  /* A C comment opener inside a shell comment does nothing. */
  check ("# /* not a C comment\nx;", 0, "W:x@2:1 ;@2:2 EOF@2:3");
  /* Inside a word a C comment opener is text (globs). */
  check ("/etc/ipa/*.conf", 0, "W:/etc/ipa/*.conf@1:1 EOF@1:16");
  /* Inside strings both kinds are text. */
  check ("\"# x /* y */\"", 0, "S:# x /* y */@1:1 EOF@1:14");
  check ("/**/x", 0, "W:x@1:5 EOF@1:6");
}

static void
test_strings (void)
{
  check ("\"a\\tb\"", 0, "S:a\tb@1:1 EOF@1:7");
  check ("\"\\\"\"", 0, "S:\"@1:1 EOF@1:5");
  check ("\"\\\\\"", 0, "S:\\@1:1 EOF@1:5");
  check ("\"x\\ny\"", 0, "S:x\ny@1:1 EOF@1:7");
  check ("\"\"", 0, "S:@1:1 EOF@1:3");
  /* Continuation: backslash and newline are removed, nothing else. */
  check ("\"ab\\\n  cd\" e", 0, "S:ab  cd@1:1 W:e@2:7 EOF@2:8");
  check ("\"ab\\\r\ncd\"", 0, "S:abcd@1:1 EOF@2:4");
  check ("\"${x} $y\"", 0, "S:${x} $y@1:1 EOF@1:10");
}

static void
test_errors (void)
{
  check ("a \"abc", 0,
         "W:a@1:1 ERROR t.conf:1:3: unterminated string (a string ends on its line; "
         "end a line with '\\' to continue it)");
  check ("\n  \"abc\ndef\"", 0,
         "ERROR t.conf:2:3: unterminated string (a string ends on its line; "
         "end a line with '\\' to continue it)");
  check ("\"ab\\", 0, "ERROR t.conf:1:1: unterminated string");
  check ("x \"a\\qb\"", 0,
         "W:x@1:1 ERROR t.conf:1:5: unknown escape sequence \"\\q\" in string");
  check ("\"a\\\x01\"", 0,
         "ERROR t.conf:1:3: unknown escape sequence (backslash and byte 0x01) in string");
  check ("a\n /* open", 0, "W:a@1:1 ERROR t.conf:2:2: unterminated comment (expected '*/')");
  check ("a /", 0, "W:a@1:1 W:/@1:3 EOF@1:4");

  {
    g_autofree char *got = lex_all ("ab\0c", 4, 0);

    g_assert_cmpstr (got, ==, "W:ab@1:1 ERROR t.conf:1:3: NUL character in input");
  }
  {
    g_autofree char *got = lex_all ("\"a\0\"", 4, 0);

    g_assert_cmpstr (got, ==, "ERROR t.conf:1:3: NUL character in string");
  }
  {
    /* A NUL in a comment is harmless. */
    g_autofree char *got = lex_all ("# \0\nx", 5, 0);

    g_assert_cmpstr (got, ==, "W:x@2:1 EOF@2:2");
  }
}

static void
test_positions (void)
{
  /* Columns count bytes; a TAB is one. */
  check ("\ta\n\n   b \"c\\\n\" d", 0, "W:a@1:2 W:b@3:4 S:c@3:6 W:d@4:3 EOF@4:4");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conf-lexer/tokens", test_tokens);
  g_test_add_func ("/conf-lexer/equals", test_equals);
  g_test_add_func ("/conf-lexer/macro-words", test_macro_words);
  g_test_add_func ("/conf-lexer/comments", test_comments);
  g_test_add_func ("/conf-lexer/strings", test_strings);
  g_test_add_func ("/conf-lexer/errors", test_errors);
  g_test_add_func ("/conf-lexer/positions", test_positions);
  return g_test_run ();
}
