/*
 * nft-hash.h: a small chained hash table from byte strings to pointers
 * (counter names, element keys).  The table does not copy keys: a key
 * must live as long as its entry (usually it is a field of the value).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct _NftHashEntry NftHashEntry;

typedef struct {
  NftHashEntry **buckets;
  unsigned int n_buckets;
  unsigned int n;
} NftHash;

void nft_hash_init (NftHash *h);
/* Frees the entries, not the values. */
void nft_hash_clear (NftHash *h);
/* -1 on memory exhaustion; the key must not be in the table. */
int nft_hash_insert (NftHash *h, const void *key, size_t len, void *value);
void *nft_hash_lookup (const NftHash *h, const void *key, size_t len);
/* The value removed, or NULL. */
void *nft_hash_remove (NftHash *h, const void *key, size_t len);

/* Calls @fn for every value; @fn may not change the table. */
void nft_hash_foreach (const NftHash *h, void (*fn) (void *value, void *data), void *data);
/* Fills @out (room for h->n) with the values; for walks that change the table. */
void nft_hash_values (const NftHash *h, void **out);
