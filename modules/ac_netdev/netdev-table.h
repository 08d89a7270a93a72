/*
 * netdev-table.h: one snapshot of the interface counters of the network
 * namespace, as read by netdev-dump.c (netlink) or netdev-proc.c
 * (/proc/net/dev), with lookups by interface name.
 *
 * Memory comes from the host's ipa_memfunc with the module's mem_type, so
 * that the host accounts for it and reports leaks.
 */
#ifndef NETDEV_TABLE_H
#define NETDEV_TABLE_H

#include <stdint.h>

#include <ipa_mod.h>

/* IFNAMSIZ: 15 characters and the NUL. */
#define NETDEV_NAME_SIZE 16

/* Directions, the indexes of NetdevStat.bytes[] and .packets[]. */
#define NETDEV_RX 0
#define NETDEV_TX 1

typedef struct {
  uint32_t ifindex;     /* 0: not known (/proc/net/dev without a lookup) */
  unsigned int bits;    /* width of the counters: 32 or 64 */
  uint64_t bytes[2];    /* [NETDEV_RX], [NETDEV_TX], link layer included */
  uint64_t packets[2];
  char name[NETDEV_NAME_SIZE];
} NetdevStat;

typedef struct {
  const ipa_memfunc *mf;
  ipa_mem_type *mt;
} NetdevMem;

typedef struct {
  NetdevMem mem;
  NetdevStat *v;
  unsigned int n;
  unsigned int alloc;
  /* Indexes of v sorted by name, built at the first lookup that misses
   * its hint (dumps come in ifindex order, so hints nearly always hit). */
  unsigned int *by_name;   /* alloc items, like v */
  int by_name_valid;
} NetdevTable;

void netdev_table_init (NetdevTable *t, const ipa_memfunc *mf, ipa_mem_type *mt);
/* Forget the entries, keep the memory for the next snapshot. */
void netdev_table_clear (NetdevTable *t);
void netdev_table_free (NetdevTable *t);

/* A new zeroed entry at the end, or NULL (errno ENOMEM). */
NetdevStat *netdev_table_add (NetdevTable *t);

/* The entry named @name, or NULL.  @hint (may be NULL) is the caller's
 * memory of where the name was last time; it is updated on a hit. */
const NetdevStat *netdev_table_lookup (NetdevTable *t, const char *name,
                                       unsigned int *hint);

#endif /* NETDEV_TABLE_H */
