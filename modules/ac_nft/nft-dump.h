/*
 * nft-dump.h: reading (and changing) nftables over netlink.
 *
 * One request is one netlink round trip: a dump of every table, of the
 * counters of one table (NFT_MSG_GETOBJ filtered by table and type), of
 * one set's description (NFT_MSG_GETSET) or of one set's elements
 * (NFT_MSG_GETSETELEM); and one transaction to add or delete a set
 * element.  Requests are built with libnftnl; replies are parsed with
 * libmnl straight into the callbacks, with no allocation per object.
 *
 * Functions return 0 or a negative errno: -EPERM without CAP_NET_ADMIN,
 * -ENOENT for a set or table that does not exist, -ENOMEM when memory is
 * exhausted.  A dump that the kernel reports interrupted (the ruleset
 * changed under it) is repeated a few times before -EINTR.
 */
#pragma once

#include <stdint.h>

typedef struct _NftNl NftNl;

/* The socket is opened at the first request. */
NftNl *nft_nl_new (void);
void nft_nl_free (NftNl *nl);

typedef struct {
  uint8_t family;
  const char *name;
  uint64_t handle;    /* changes when the table is re-created */
} NftTableInfo;

typedef struct {
  uint8_t family;
  const char *table;
  const char *name;
  uint64_t handle;    /* changes when the counter is re-created */
  uint64_t packets;
  uint64_t bytes;
} NftCounterInfo;

typedef struct {
  uint64_t handle;
  uint32_t flags;     /* NFT_SET_* */
  uint32_t key_type;  /* see nft-key.h */
  uint32_t key_len;
} NftSetInfo;

typedef struct {
  const uint8_t *key;
  uint32_t key_len;
  uint32_t flags;     /* NFT_SET_ELEM_INTERVAL_END marks the end of a range */
  int has_counter;
  uint64_t packets;
  uint64_t bytes;
} NftElemInfo;

/* Callbacks return 0 to go on, -1 to stop with -ENOMEM. */
typedef int (*NftTableFunc) (const NftTableInfo *info, void *data);
typedef int (*NftCounterFunc) (const NftCounterInfo *info, void *data);
typedef int (*NftElemFunc) (const NftElemInfo *info, void *data);

int nft_nl_dump_tables (NftNl *nl, NftTableFunc fn, void *data);
/* @table NULL: the counters of every table of @family (0: all families). */
int nft_nl_dump_counters (NftNl *nl, uint8_t family, const char *table,
                          NftCounterFunc fn, void *data);
int nft_nl_get_set (NftNl *nl, uint8_t family, const char *table, const char *set,
                    NftSetInfo *info);
int nft_nl_dump_elems (NftNl *nl, uint8_t family, const char *table, const char *set,
                       NftElemFunc fn, void *data);
/* Add (@add != 0) or delete one element in one transaction.  Adding an
 * element that is there and deleting one that is not both succeed. */
int nft_nl_change_elem (NftNl *nl, int add, uint8_t family, const char *table,
                        const char *set, const uint8_t *key, uint32_t key_len);

/* Requests sent since nft_nl_new() (for tests of "one dump per round"). */
unsigned int nft_nl_get_n_requests (const NftNl *nl);
