/*
 * nft-expr.c: parser of counter expressions and set references.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>

#include "nft-expr.h"
#include "nft-mem.h"

static const struct {
  const char *name;
  uint8_t family;
} families[] = {
  { "ip", NFPROTO_IPV4 },
  { "ip6", NFPROTO_IPV6 },
  { "inet", NFPROTO_INET },
  { "arp", NFPROTO_ARP },
  { "bridge", NFPROTO_BRIDGE },
  { "netdev", NFPROTO_NETDEV },
};

int
nft_family_from_name (const char *name, uint8_t *family)
{
  for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
    if (strcmp (name, families[i].name) == 0)
      {
        *family = families[i].family;
        return 0;
      }
  return -1;
}

const char *
nft_family_name (uint8_t family)
{
  for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
    if (families[i].family == family)
      return families[i].name;
  return "unknown";
}

static int seterr (char *err, size_t errsize, const char *format, ...)
  __attribute__ ((format (printf, 3, 4)));

static int
seterr (char *err, size_t errsize, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  vsnprintf (err, errsize, format, ap);
  va_end (ap);
  return -1;
}

/* Tokens */

typedef enum { TOK_WORD, TOK_PLUS, TOK_MINUS } TokKind;

typedef struct {
  TokKind kind;
  const char *start;
  size_t len;
  unsigned int column;  /* from 1 */
} Token;

static int
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Split @text; a word with '[' runs to the matching ']'.  Returns the
 * number of tokens or -1.  *toks is nft_malloc'ed. */
static int
tokenize (const char *text, Token **toks, char *err, size_t errsize)
{
  size_t n = 0, alloc = 8;
  Token *t = nft_malloc (alloc * sizeof *t);
  const char *p = text;

  if (t == NULL)
    return seterr (err, errsize, "out of memory");
  for (;;)
    {
      const char *start;
      int bracket = 0;

      while (is_blank (*p))
        p++;
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && (bracket || !is_blank (*p)))
        {
          if ((unsigned char) *p < 0x20 && !is_blank (*p))
            {
              nft_free (t);
              return seterr (err, errsize, "column %u: control character",
                             (unsigned int) (p - text) + 1);
            }
          if (*p == '[')
            {
              if (bracket)
                {
                  nft_free (t);
                  return seterr (err, errsize, "column %u: '[' inside an element",
                                 (unsigned int) (p - text) + 1);
                }
              bracket = 1;
            }
          else if (*p == ']')
            {
              if (!bracket)
                {
                  nft_free (t);
                  return seterr (err, errsize, "column %u: ']' without '['",
                                 (unsigned int) (p - text) + 1);
                }
              bracket = 0;
              p++;
              /* An element closes its word. */
              if (*p != '\0' && !is_blank (*p))
                {
                  nft_free (t);
                  return seterr (err, errsize, "column %u: blank expected after ']'",
                                 (unsigned int) (p - text) + 1);
                }
              break;
            }
          p++;
        }
      if (bracket)
        {
          nft_free (t);
          return seterr (err, errsize, "column %u: '[' without ']'",
                         (unsigned int) (start - text) + 1);
        }
      if (n == alloc)
        {
          Token *nt = nft_realloc (t, 2 * alloc * sizeof *t);

          if (nt == NULL)
            {
              nft_free (t);
              return seterr (err, errsize, "out of memory");
            }
          t = nt;
          alloc *= 2;
        }
      t[n].start = start;
      t[n].len = (size_t) (p - start);
      t[n].column = (unsigned int) (start - text) + 1;
      t[n].kind = TOK_WORD;
      if (t[n].len == 1 && (*start == '+' || *start == '-'))
        t[n].kind = *start == '+' ? TOK_PLUS : TOK_MINUS;
      n++;
    }
  *toks = t;
  return (int) n;
}

/* A table, counter or set name: not empty, not too long, no brackets. */
static int
check_name (const Token *w, const char *what, char *err, size_t errsize)
{
  if (w->len == 0)
    return seterr (err, errsize, "column %u: empty %s name", w->column, what);
  if (w->len >= NFT_NAME_MAX)
    return seterr (err, errsize, "column %u: %s name longer than %d bytes",
                   w->column, what, NFT_NAME_MAX - 1);
  if (memchr (w->start, '[', w->len) != NULL || memchr (w->start, ']', w->len) != NULL)
    return seterr (err, errsize, "column %u: '%.*s' is not a %s name",
                   w->column, (int) w->len, w->start, what);
  return 0;
}

/* Build one term from @n words (1 or 3; with @element_rule as in
 * nft_set_ref_parse, or -1 for an expression term, whose element decides
 * whether it is a counter). */
static int
make_term (const Token *w, unsigned int n, int element_rule, NftTerm *term,
           char *err, size_t errsize)
{
  const Token *last = &w[n - 1];
  const char *lb, *name = last->start;
  size_t name_len = last->len;
  Token name_tok;

  memset (term, 0, sizeof *term);
  term->sign = 1;
  if (n == 2)
    return seterr (err, errsize,
                   "column %u: '%.*s %.*s': write FAMILY TABLE NAME, or NAME with nft:table",
                   w[0].column, (int) w[0].len, w[0].start, (int) w[1].len, w[1].start);
  if (n > 3)
    return seterr (err, errsize, "column %u: unexpected '%.*s'%s", w[3].column,
                   (int) w[3].len, w[3].start,
                   element_rule < 0 ? " (terms are joined with ' + ' or ' - ')" : "");
  if (n == 3)
    {
      char fam[16];

      if (w[0].len >= sizeof fam)
        return seterr (err, errsize, "column %u: unknown family '%.*s'",
                       w[0].column, (int) w[0].len, w[0].start);
      memcpy (fam, w[0].start, w[0].len);
      fam[w[0].len] = '\0';
      if (nft_family_from_name (fam, &term->family) < 0)
        return seterr (err, errsize,
                       "column %u: unknown family '%s' (ip, ip6, inet, arp, bridge, netdev)",
                       w[0].column, fam);
      if (check_name (&w[1], "table", err, errsize) < 0)
        return -1;
    }

  lb = memchr (name, '[', name_len);
  if (lb != NULL)
    {
      const char *el = lb + 1, *end = name + name_len - 1; /* at ']' */

      if (element_rule == 0)
        return seterr (err, errsize, "column %u: no element may be given here", last->column);
      while (el < end && is_blank (*el))
        el++;
      while (end > el && is_blank (end[-1]))
        end--;
      if (end == el)
        return seterr (err, errsize, "column %u: empty element", (unsigned int) (lb - name) + last->column);
      term->element = nft_strndup (el, (size_t) (end - el));
      if (term->element == NULL)
        return seterr (err, errsize, "out of memory");
      name_len = (size_t) (lb - name);
    }
  else if (element_rule == 2)
    return seterr (err, errsize, "column %u: '%.*s' needs an element: SET[ELEMENT]",
                   last->column, (int) last->len, last->start);

  if (*name == '@')
    {
      if (element_rule < 0 && lb == NULL)
        {
          nft_term_clear (term);
          return seterr (err, errsize,
                         "column %u: set %.*s needs an element: %.*s[ELEMENT]", last->column,
                         (int) name_len, name, (int) name_len, name);
        }
      name++;
      name_len--;
    }
  name_tok = *last;
  name_tok.start = name;
  name_tok.len = name_len;
  if (check_name (&name_tok, lb != NULL || element_rule >= 0 ? "set" : "counter", err, errsize) < 0)
    {
      nft_term_clear (term);
      return -1;
    }
  term->name = nft_strndup (name, name_len);
  if (n == 3)
    term->table = nft_strndup (w[1].start, w[1].len);
  if (term->name == NULL || (n == 3 && term->table == NULL))
    {
      nft_term_clear (term);
      return seterr (err, errsize, "out of memory");
    }
  return 0;
}

/* Words of a term other than the last may not hold an element. */
static int
check_plain_words (const Token *w, unsigned int n, char *err, size_t errsize)
{
  for (unsigned int i = 0; i + 1 < n && i < 3; i++)
    if (memchr (w[i].start, '[', w[i].len) != NULL)
      return seterr (err, errsize, "column %u: an element must end its term", w[i].column);
  return 0;
}

int
nft_expr_parse (const char *text, NftExpr *expr, char *err, size_t errsize)
{
  Token *toks;
  int ntok = tokenize (text, &toks, err, errsize);
  unsigned int i = 0, alloc = 0;
  int sign = 1;

  memset (expr, 0, sizeof *expr);
  if (ntok < 0)
    return -1;
  if (ntok == 0)
    {
      nft_free (toks);
      return seterr (err, errsize, "empty expression");
    }
  if (toks[0].kind != TOK_WORD)
    {
      sign = toks[0].kind == TOK_PLUS ? 1 : -1;
      i = 1;
    }
  for (;;)
    {
      unsigned int first = i, n;
      NftTerm *term;

      while (i < (unsigned int) ntok && toks[i].kind == TOK_WORD)
        i++;
      n = i - first;
      if (n == 0)
        {
          if (first < (unsigned int) ntok)
            seterr (err, errsize, "column %u: a term is missing before '%c'",
                    toks[first].column, *toks[first].start);
          else
            seterr (err, errsize, "column %u: a term is missing after '%c'",
                    toks[first - 1].column, *toks[first - 1].start);
          goto fail;
        }
      if (check_plain_words (&toks[first], n, err, errsize) < 0)
        goto fail;
      if (expr->n == alloc)
        {
          unsigned int na = alloc == 0 ? 4 : 2 * alloc;
          NftTerm *nt = nft_realloc (expr->terms, na * sizeof *nt);

          if (nt == NULL)
            {
              seterr (err, errsize, "out of memory");
              goto fail;
            }
          expr->terms = nt;
          alloc = na;
        }
      term = &expr->terms[expr->n];
      if (make_term (&toks[first], n, -1, term, err, errsize) < 0)
        goto fail;
      term->sign = sign;
      expr->n++;
      if (i == (unsigned int) ntok)
        break;
      sign = toks[i].kind == TOK_PLUS ? 1 : -1;
      i++;
    }
  nft_free (toks);
  return 0;

fail:
  nft_free (toks);
  nft_expr_clear (expr);
  return -1;
}

int
nft_table_parse (const char *text, uint8_t *family, char **table, char *err, size_t errsize)
{
  Token *toks;
  int ntok = tokenize (text, &toks, err, errsize);
  char fam[16];

  if (ntok < 0)
    return -1;
  if (ntok != 2 || toks[0].kind != TOK_WORD || toks[1].kind != TOK_WORD)
    {
      nft_free (toks);
      return seterr (err, errsize, "'%s': write FAMILY TABLE, e.g. \"inet filter\"", text);
    }
  if (toks[0].len >= sizeof fam)
    toks[0].len = sizeof fam - 1;
  memcpy (fam, toks[0].start, toks[0].len);
  fam[toks[0].len] = '\0';
  if (nft_family_from_name (fam, family) < 0)
    {
      nft_free (toks);
      return seterr (err, errsize, "column 1: unknown family '%s' (ip, ip6, inet, arp, bridge, netdev)",
                     fam);
    }
  if (check_name (&toks[1], "table", err, errsize) < 0)
    {
      nft_free (toks);
      return -1;
    }
  *table = nft_strndup (toks[1].start, toks[1].len);
  nft_free (toks);
  if (*table == NULL)
    return seterr (err, errsize, "out of memory");
  return 0;
}

int
nft_set_ref_parse (const char *text, int element_rule, NftTerm *term, char *err, size_t errsize)
{
  Token *toks;
  int ntok = tokenize (text, &toks, err, errsize), r;

  memset (term, 0, sizeof *term);
  if (ntok < 0)
    return -1;
  if (ntok == 0)
    {
      nft_free (toks);
      return seterr (err, errsize, "empty set reference");
    }
  for (int i = 0; i < ntok; i++)
    if (toks[i].kind != TOK_WORD)
      {
        r = seterr (err, errsize, "column %u: one set is expected here, not a sum", toks[i].column);
        nft_free (toks);
        return r;
      }
  r = check_plain_words (toks, (unsigned int) ntok, err, errsize);
  if (r == 0)
    r = make_term (toks, (unsigned int) ntok, element_rule, term, err, errsize);
  nft_free (toks);
  return r;
}

int
nft_term_resolve (NftTerm *term, uint8_t family, const char *table, char *err, size_t errsize)
{
  if (term->table != NULL)
    return 0;
  if (table == NULL)
    return seterr (err, errsize, "'%s' names no table and nft:table is not set", term->name);
  term->table = nft_strdup (table);
  if (term->table == NULL)
    return seterr (err, errsize, "out of memory");
  term->family = family;
  return 0;
}

int
nft_expr_resolve (NftExpr *expr, uint8_t family, const char *table, char *err, size_t errsize)
{
  for (unsigned int i = 0; i < expr->n; i++)
    if (nft_term_resolve (&expr->terms[i], family, table, err, errsize) < 0)
      return -1;
  return 0;
}

int
nft_term_copy (NftTerm *dst, const NftTerm *src)
{
  *dst = *src;
  dst->table = src->table != NULL ? nft_strdup (src->table) : NULL;
  dst->name = nft_strdup (src->name);
  dst->element = src->element != NULL ? nft_strdup (src->element) : NULL;
  if ((src->table != NULL && dst->table == NULL) || dst->name == NULL
      || (src->element != NULL && dst->element == NULL))
    {
      nft_term_clear (dst);
      return -1;
    }
  return 0;
}

int
nft_expr_copy (NftExpr *dst, const NftExpr *src)
{
  memset (dst, 0, sizeof *dst);
  if (src->n == 0)
    return 0;
  dst->terms = nft_calloc (src->n, sizeof *dst->terms);
  if (dst->terms == NULL)
    return -1;
  for (; dst->n < src->n; dst->n++)
    if (nft_term_copy (&dst->terms[dst->n], &src->terms[dst->n]) < 0)
      {
        nft_expr_clear (dst);
        return -1;
      }
  return 0;
}

void
nft_term_clear (NftTerm *term)
{
  nft_free (term->table);
  nft_free (term->name);
  nft_free (term->element);
  term->table = term->name = term->element = NULL;
}

void
nft_expr_clear (NftExpr *expr)
{
  for (unsigned int i = 0; i < expr->n; i++)
    nft_term_clear (&expr->terms[i]);
  nft_free (expr->terms);
  expr->terms = NULL;
  expr->n = 0;
}

char *
nft_term_to_string (const NftTerm *t)
{
  const char *el_open = t->element != NULL ? "[" : "";
  const char *el = t->element != NULL ? t->element : "";
  const char *el_close = t->element != NULL ? "]" : "";

  if (t->table == NULL)
    return nft_asprintf ("%s%s%s%s", t->name, el_open, el, el_close);
  return nft_asprintf ("%s %s %s%s%s%s", nft_family_name (t->family), t->table, t->name,
                       el_open, el, el_close);
}

char *
nft_expr_to_string (const NftExpr *expr)
{
  char *s = nft_strdup ("");

  for (unsigned int i = 0; s != NULL && i < expr->n; i++)
    {
      char *t = nft_term_to_string (&expr->terms[i]), *ns;

      if (t == NULL)
        {
          nft_free (s);
          return NULL;
        }
      if (i == 0)
        ns = nft_asprintf ("%s%s", expr->terms[i].sign < 0 ? "- " : "", t);
      else
        ns = nft_asprintf ("%s %c %s", s, expr->terms[i].sign < 0 ? '-' : '+', t);
      nft_free (t);
      nft_free (s);
      s = ns;
    }
  return s;
}
