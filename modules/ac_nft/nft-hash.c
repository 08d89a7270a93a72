/*
 * nft-hash.c: chained hash table (FNV-1a), grown at load 1.
 */
#include <string.h>

#include "nft-hash.h"
#include "nft-mem.h"

struct _NftHashEntry {
  NftHashEntry *next;
  uint32_t hash;
  size_t len;
  const void *key;
  void *value;
};

static uint32_t
hash_bytes (const void *key, size_t len)
{
  const unsigned char *p = key;
  uint32_t h = 2166136261U;

  for (size_t i = 0; i < len; i++)
    {
      h ^= p[i];
      h *= 16777619U;
    }
  return h;
}

void
nft_hash_init (NftHash *h)
{
  memset (h, 0, sizeof *h);
}

void
nft_hash_clear (NftHash *h)
{
  for (unsigned int i = 0; i < h->n_buckets; i++)
    {
      NftHashEntry *e = h->buckets[i];

      while (e != NULL)
        {
          NftHashEntry *next = e->next;

          nft_free (e);
          e = next;
        }
    }
  nft_free (h->buckets);
  nft_hash_init (h);
}

static int
grow (NftHash *h)
{
  unsigned int nb = h->n_buckets == 0 ? 16 : 2 * h->n_buckets;
  NftHashEntry **b = nft_calloc (nb, sizeof *b);

  if (b == NULL)
    return -1;
  for (unsigned int i = 0; i < h->n_buckets; i++)
    {
      NftHashEntry *e = h->buckets[i];

      while (e != NULL)
        {
          NftHashEntry *next = e->next;

          e->next = b[e->hash & (nb - 1)];
          b[e->hash & (nb - 1)] = e;
          e = next;
        }
    }
  nft_free (h->buckets);
  h->buckets = b;
  h->n_buckets = nb;
  return 0;
}

int
nft_hash_insert (NftHash *h, const void *key, size_t len, void *value)
{
  NftHashEntry *e;

  if (h->n >= h->n_buckets && grow (h) < 0)
    return -1;
  e = nft_malloc (sizeof *e);
  if (e == NULL)
    return -1;
  e->hash = hash_bytes (key, len);
  e->len = len;
  e->key = key;
  e->value = value;
  e->next = h->buckets[e->hash & (h->n_buckets - 1)];
  h->buckets[e->hash & (h->n_buckets - 1)] = e;
  h->n++;
  return 0;
}

static NftHashEntry **
find (const NftHash *h, const void *key, size_t len)
{
  uint32_t hash;
  NftHashEntry **p;

  if (h->n_buckets == 0)
    return NULL;
  hash = hash_bytes (key, len);
  for (p = &h->buckets[hash & (h->n_buckets - 1)]; *p != NULL; p = &(*p)->next)
    if ((*p)->hash == hash && (*p)->len == len && memcmp ((*p)->key, key, len) == 0)
      return p;
  return NULL;
}

void *
nft_hash_lookup (const NftHash *h, const void *key, size_t len)
{
  NftHashEntry **p = find (h, key, len);

  return p != NULL ? (*p)->value : NULL;
}

void *
nft_hash_remove (NftHash *h, const void *key, size_t len)
{
  NftHashEntry **p = find (h, key, len), *e;
  void *value;

  if (p == NULL)
    return NULL;
  e = *p;
  *p = e->next;
  value = e->value;
  nft_free (e);
  h->n--;
  return value;
}

void
nft_hash_foreach (const NftHash *h, void (*fn) (void *value, void *data), void *data)
{
  for (unsigned int i = 0; i < h->n_buckets; i++)
    for (NftHashEntry *e = h->buckets[i]; e != NULL; e = e->next)
      fn (e->value, data);
}

void
nft_hash_values (const NftHash *h, void **out)
{
  unsigned int k = 0;

  for (unsigned int i = 0; i < h->n_buckets; i++)
    for (NftHashEntry *e = h->buckets[i]; e != NULL; e = e->next)
      out[k++] = e->value;
}
