/*
 * netdev-proc.h: interface counters from /proc/net/dev, the fallback when
 * rtnetlink does not answer (and the source chosen with
 * netdev:source = proc).
 *
 * The file has two header lines (recognised by their '|') and one line per
 * interface: "NAME: rx_bytes rx_packets errs drop fifo frame compressed
 * multicast tx_bytes tx_packets errs drop fifo colls carrier compressed".
 * The columns are found from the second header line; old kernels wrote no
 * blank after the colon; Linux 2.0, which had no byte counters, is
 * refused.  The file gives no ifindex,
 * so the reader asks the kernel for each one (SIOCGIFINDEX), which lets the
 * tracker notice that an interface was re-created.
 */
#ifndef NETDEV_PROC_H
#define NETDEV_PROC_H

#include <stddef.h>

#include "netdev-table.h"

#define NETDEV_PROC_PATH "/proc/net/dev"

typedef struct {
  NetdevMem mem;
  char *buf;        /* the file's text, kept for the next read */
  size_t buf_size;
  int sock;         /* for SIOCGIFINDEX, -1: not open */
} NetdevProc;

void netdev_proc_init (NetdevProc *p, const ipa_memfunc *mf, ipa_mem_type *mt);
void netdev_proc_close (NetdevProc *p);

/* Append the interfaces of @text (@len bytes, no NUL needed) to @t with
 * ifindex 0 and 64-bit counters (the kernel prints them as u64).  Returns
 * 0, or -1 with errno EINVAL and *bad_line (from 1) set for a line that is
 * neither a header nor "NAME: numbers" with at least the columns the
 * header announces, or a header without byte and packet columns; or -1
 * with ENOMEM. */
int netdev_proc_parse (const char *text, size_t len, NetdevTable *t,
                       unsigned int *bad_line);

/* Replace the entries of @t with the contents of @path (NETDEV_PROC_PATH
 * but for tests) and look the ifindexes up.  Returns 0, or -1 with errno
 * and *what naming the failed step; *bad_line as above. */
int netdev_proc_read (NetdevProc *p, const char *path, NetdevTable *t,
                      const char **what, unsigned int *bad_line);

#endif /* NETDEV_PROC_H */
