/*
 * netdev-dump.h: the counters of every interface of the network namespace
 * from one rtnetlink RTM_GETLINK dump (IFLA_STATS64, or IFLA_STATS on
 * kernels without it).
 *
 * The socket stays open between dumps (opening one costs as much as a
 * small dump); after a failed dump it is closed, so that the next dump
 * starts on a clean socket.  No privilege is needed.
 */
#ifndef NETDEV_DUMP_H
#define NETDEV_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "netdev-table.h"

typedef struct {
  NetdevMem mem;
  int fd;             /* -1: closed */
  uint32_t portid;    /* our netlink address, given by the kernel */
  uint32_t seq;
  unsigned char *buf; /* receive buffer */
  size_t buf_size;
  unsigned int interrupted; /* dumps the kernel flagged NLM_F_DUMP_INTR (tests) */
} NetdevNetlink;

void netdev_netlink_init (NetdevNetlink *nl, const ipa_memfunc *mf, ipa_mem_type *mt);
void netdev_netlink_close (NetdevNetlink *nl);

/* Replace the entries of @t with a fresh dump.  Returns 0, or -1 with errno
 * set and *what naming the step that failed ("socket", "recvmsg", "netlink
 * error reply", …); @t is then empty. */
int netdev_netlink_dump (NetdevNetlink *nl, NetdevTable *t, const char **what);

/* Decode one netlink message of a dump reply (RTM_NEWLINK) into @t; other
 * types are ignored.  Returns 0, or -1 with errno (EPROTO: malformed,
 * ENOMEM).  Exposed for tests. */
int netdev_netlink_parse_link (const void *msg, size_t len, NetdevTable *t);

#endif /* NETDEV_DUMP_H */
