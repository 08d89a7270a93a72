/*
 * test-nft-expr.c: counter expressions, table and set references.
 */
#include "config.h"

#include <glib.h>
#include <string.h>
#include <linux/netfilter.h>

#include "nft-expr.h"
#include "nft-mem.h"
#include "nft-test-util.h"

/* Parse @text and return its canonical form (asserting success). */
static char *
canon (const char *text)
{
  char err[256] = "";
  NftExpr e;
  char *s, *r;

  if (nft_expr_parse (text, &e, err, sizeof err) < 0)
    g_error ("'%s' did not parse: %s", text, err);
  s = nft_expr_to_string (&e);
  r = g_strdup (s);
  nft_free (s);
  nft_expr_clear (&e);
  return r;
}

static void
test_valid (void)
{
  struct {
    const char *text;
    const char *canon;
  } cases[] = {
    { "web_in", "web_in" },
    { "  web_in  ", "web_in" },
    { "inet filter web_in", "inet filter web_in" },
    { "inet filter web_in + inet filter web_out - inet filter excluded",
      "inet filter web_in + inet filter web_out - inet filter excluded" },
    { "- a + b", "- a + b" },
    { "+ a", "a" },
    { "a-b - c-d", "a-b - c-d" },                 /* '-' inside names */
    { "ip t c + ip6 t c + arp t c + bridge t c + netdev t c",
      "ip t c + ip6 t c + arp t c + bridge t c + netdev t c" },
    { "clients[10.0.0.2]", "clients[10.0.0.2]" },
    { "@clients[10.0.0.2]", "clients[10.0.0.2]" },  /* '@' as nft writes sets */
    { "inet filter @pairs[ 10.0.0.2 . 80 ] - x", "inet filter pairs[10.0.0.2 . 80] - x" },
    { "a\t+\tb", "a + b" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *c = canon (cases[i].text);

      g_assert_cmpstr (c, ==, cases[i].canon);
    }
}

static void
test_terms (void)
{
  char err[256];
  NftExpr e;

  g_assert_cmpint (nft_expr_parse ("inet filter a - @s[fd00::1] + b", &e, err, sizeof err), ==, 0);
  g_assert_cmpuint (e.n, ==, 3);
  g_assert_cmpint (e.terms[0].sign, ==, 1);
  g_assert_cmpuint (e.terms[0].family, ==, NFPROTO_INET);
  g_assert_cmpstr (e.terms[0].table, ==, "filter");
  g_assert_cmpstr (e.terms[0].name, ==, "a");
  g_assert_null (e.terms[0].element);
  g_assert_cmpint (e.terms[1].sign, ==, -1);
  g_assert_null (e.terms[1].table);
  g_assert_cmpstr (e.terms[1].name, ==, "s");
  g_assert_cmpstr (e.terms[1].element, ==, "fd00::1");
  g_assert_cmpint (e.terms[2].sign, ==, 1);

  /* Terms without a table take nft:table's. */
  g_assert_cmpint (nft_expr_resolve (&e, NFPROTO_IPV6, "t6", err, sizeof err), ==, 0);
  g_assert_cmpstr (e.terms[0].table, ==, "filter");
  g_assert_cmpuint (e.terms[1].family, ==, NFPROTO_IPV6);
  g_assert_cmpstr (e.terms[1].table, ==, "t6");
  nft_expr_clear (&e);

  g_assert_cmpint (nft_expr_parse ("a + inet t b", &e, err, sizeof err), ==, 0);
  g_assert_cmpint (nft_expr_resolve (&e, 0, NULL, err, sizeof err), ==, -1);
  g_assert_nonnull (strstr (err, "'a' names no table and nft:table is not set"));
  nft_expr_clear (&e);
}

static void
test_errors (void)
{
  struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "", "empty expression" },
    { "   ", "empty expression" },
    { "a +", "column 3: a term is missing after '+'" },
    { "a + - b", "column 5: a term is missing before '-'" },
    { "-", "a term is missing" },
    { "filter a", "column 1: 'filter a': write FAMILY TABLE NAME" },
    { "inet filter a b", "column 15: unexpected 'b' (terms are joined" },
    { "a b c d e", "unexpected 'd'" },
    { "inett filter a", "column 1: unknown family 'inett'" },
    { "s[1.2.3.4", "column 1: '[' without ']'" },
    { "s]", "column 2: ']' without '['" },
    { "s[1[2]]", "column 4: '[' inside an element" },
    { "s[]", "empty element" },
    { "s[1]x", "column 5: blank expected after ']'" },
    { "inet s[1] c", "an element must end its term" },
    { "@clients", "set @clients needs an element: @clients[ELEMENT]" },
    { "a\001b", "control character" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char err[256] = "";
      NftExpr e;

      g_assert_cmpint (nft_expr_parse (cases[i].text, &e, err, sizeof err), ==, -1);
      g_test_message ("'%s': %s", cases[i].text, err);
      if (strstr (err, cases[i].message) == NULL)
        g_error ("'%s': got \"%s\", want \"%s\"", cases[i].text, err, cases[i].message);
      g_assert_cmpuint (e.n, ==, 0);
      g_assert_null (e.terms);
    }
  /* A name as long as the kernel allows, and one byte more. */
  {
    char name[NFT_NAME_MAX + 1], err[256];
    NftExpr e;

    memset (name, 'n', NFT_NAME_MAX - 1);
    name[NFT_NAME_MAX - 1] = '\0';
    g_assert_cmpint (nft_expr_parse (name, &e, err, sizeof err), ==, 0);
    nft_expr_clear (&e);
    name[NFT_NAME_MAX - 1] = 'n';
    name[NFT_NAME_MAX] = '\0';
    g_assert_cmpint (nft_expr_parse (name, &e, err, sizeof err), ==, -1);
    g_assert_nonnull (strstr (err, "longer than 255 bytes"));
  }
}

static void
test_table (void)
{
  char err[256], *table = NULL;
  uint8_t family = 0;

  g_assert_cmpint (nft_table_parse ("  ip6   mangle ", &family, &table, err, sizeof err), ==, 0);
  g_assert_cmpuint (family, ==, NFPROTO_IPV6);
  g_assert_cmpstr (table, ==, "mangle");
  nft_free (table);
  g_assert_cmpint (nft_table_parse ("filter", &family, &table, err, sizeof err), ==, -1);
  g_assert_nonnull (strstr (err, "write FAMILY TABLE"));
  g_assert_cmpint (nft_table_parse ("inet a b", &family, &table, err, sizeof err), ==, -1);
  g_assert_cmpint (nft_table_parse ("foo bar", &family, &table, err, sizeof err), ==, -1);
  g_assert_nonnull (strstr (err, "unknown family 'foo'"));
  g_assert_cmpstr (nft_family_name (NFPROTO_BRIDGE), ==, "bridge");
  g_assert_cmpstr (nft_family_name (99), ==, "unknown");
}

static void
test_set_ref (void)
{
  char err[256];
  NftTerm t;

  g_assert_cmpint (nft_set_ref_parse ("inet filter @blocked", 1, &t, err, sizeof err), ==, 0);
  g_assert_cmpstr (t.name, ==, "blocked");
  g_assert_cmpstr (t.table, ==, "filter");
  g_assert_null (t.element);
  nft_term_clear (&t);

  g_assert_cmpint (nft_set_ref_parse ("blocked[10.0.0.2]", 1, &t, err, sizeof err), ==, 0);
  g_assert_cmpstr (t.name, ==, "blocked");
  g_assert_null (t.table);
  g_assert_cmpstr (t.element, ==, "10.0.0.2");
  nft_term_clear (&t);

  g_assert_cmpint (nft_set_ref_parse ("blocked[10.0.0.2]", 0, &t, err, sizeof err), ==, -1);
  g_assert_nonnull (strstr (err, "no element may be given here"));
  g_assert_cmpint (nft_set_ref_parse ("blocked", 2, &t, err, sizeof err), ==, -1);
  g_assert_nonnull (strstr (err, "needs an element"));
  g_assert_cmpint (nft_set_ref_parse ("a + b", 1, &t, err, sizeof err), ==, -1);
  g_assert_nonnull (strstr (err, "one set is expected here, not a sum"));
  g_assert_cmpint (nft_set_ref_parse ("", 1, &t, err, sizeof err), ==, -1);
}

static void
test_copy (void)
{
  char err[256];
  NftExpr a, b;
  char *sa, *sb;

  g_assert_cmpint (nft_expr_parse ("inet t x - s[1.2.3.4] + y", &a, err, sizeof err), ==, 0);
  g_assert_cmpint (nft_expr_copy (&b, &a), ==, 0);
  nft_expr_clear (&a);
  sb = nft_expr_to_string (&b);
  g_assert_cmpstr (sb, ==, "inet t x - s[1.2.3.4] + y");
  g_assert_cmpint (nft_expr_parse (sb, &a, err, sizeof err), ==, 0);
  sa = nft_expr_to_string (&a);
  g_assert_cmpstr (sa, ==, sb);
  nft_free (sa);
  nft_free (sb);
  nft_expr_clear (&a);
  nft_expr_clear (&b);
}

int
main (int argc, char **argv)
{
  int r;

  g_test_init (&argc, &argv, NULL);
  nft_test_mem_setup ();
  g_test_add_func ("/nft/expr/valid", test_valid);
  g_test_add_func ("/nft/expr/terms", test_terms);
  g_test_add_func ("/nft/expr/errors", test_errors);
  g_test_add_func ("/nft/expr/table", test_table);
  g_test_add_func ("/nft/expr/set-ref", test_set_ref);
  g_test_add_func ("/nft/expr/copy", test_copy);
  r = g_test_run ();
  /* Everything the parser allocated was given back. */
  g_assert_cmpuint (nft_test_mem_in_use (), ==, 0);
  return r;
}
