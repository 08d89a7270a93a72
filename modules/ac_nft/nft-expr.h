/*
 * nft-expr.h: what a rule counts, as written in ipa.conf.
 *
 *   nft:counters = "inet filter web_in + inet filter web_out - excluded";
 *
 * An expression is a sum and difference of terms.  A term is
 *
 *   [FAMILY TABLE] NAME              a named counter
 *   [FAMILY TABLE] [@]SET[ELEMENT]   the counter of one element of a set
 *                                    declared with the "counter" flag
 *
 * FAMILY is ip, ip6, inet, arp, bridge or netdev.  A term without FAMILY
 * TABLE takes them from nft:table (resolved later, nft_expr_resolve()).
 * '+' and '-' stand alone between blanks, since nft names may contain
 * '-'; a leading sign is allowed.  Everything between '[' and ']' is the
 * element, blanks included ("10.0.0.2 . 80" for a concatenation).
 *
 * The same term syntax, with one term and no sign, names a set
 * (nft:set, nft:on_reach_add: "[FAMILY TABLE] [@]SET[[ELEMENT]]").
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define NFT_NAME_MAX 256 /* NFT_NAME_MAXLEN of the kernel, NUL included */

typedef struct {
  int sign;         /* +1 or -1 */
  uint8_t family;   /* NFPROTO_*; 0 until resolved when not written */
  char *table;      /* NULL until resolved when not written */
  char *name;       /* counter or set name */
  char *element;    /* NULL: a named counter; else the element's text */
} NftTerm;

typedef struct {
  unsigned int n;
  NftTerm *terms;
} NftExpr;

/* "inet" -> NFPROTO_INET; -1 for an unknown word. */
int nft_family_from_name (const char *name, uint8_t *family);
/* NFPROTO_INET -> "inet"; "unknown" for anything else. */
const char *nft_family_name (uint8_t family);

/* Parse @text into @expr (cleared first).  On error returns -1 and writes
 * a message naming the column (from 1) into @err. */
int nft_expr_parse (const char *text, NftExpr *expr, char *err, size_t errsize);

/* "FAMILY TABLE" (nft:table). */
int nft_table_parse (const char *text, uint8_t *family, char **table,
                     char *err, size_t errsize);

/* One set reference "[FAMILY TABLE] [@]SET[[ELEMENT]]" into @term (sign
 * +1).  @element_rule: 0 no element allowed, 1 optional, 2 required. */
int nft_set_ref_parse (const char *text, int element_rule, NftTerm *term,
                       char *err, size_t errsize);

/* Fill FAMILY TABLE of the terms that lack them.  -1 (with a message) if
 * a term lacks them and @table is NULL, or on memory exhaustion. */
int nft_expr_resolve (NftExpr *expr, uint8_t family, const char *table,
                      char *err, size_t errsize);
int nft_term_resolve (NftTerm *term, uint8_t family, const char *table,
                      char *err, size_t errsize);

/* Deep copies; -1 on memory exhaustion. */
int nft_expr_copy (NftExpr *dst, const NftExpr *src);
int nft_term_copy (NftTerm *dst, const NftTerm *src);

void nft_expr_clear (NftExpr *expr);
void nft_term_clear (NftTerm *term);

/* "inet filter web_in", "inet filter clients[10.0.0.2]", "web_in" when
 * unresolved; allocated with nft_malloc, NULL on exhaustion. */
char *nft_term_to_string (const NftTerm *term);
/* The expression in canonical form: "a + inet t b - c". */
char *nft_expr_to_string (const NftExpr *expr);
