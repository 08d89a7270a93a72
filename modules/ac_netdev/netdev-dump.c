/*
 * netdev-dump.c: interface counters from an rtnetlink dump (see
 * netdev-dump.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netdev-dump.h"

/* The kernel fills dump replies up to 32 KiB when the reader's buffer is
 * that large; a bigger buffer means fewer recvmsg() calls per dump. */
#define RECV_BUF_SIZE (64 * 1024)
/* A dump the kernel marks as interrupted (an interface came or went while
 * it ran) is repeated this many times at most, then used as it is: its
 * counters are still right, only the set of interfaces may be off. */
#define DUMP_ATTEMPTS 3
/* The module must not block (ipa_mod(3)); the kernel answers at once. */
#define RECV_TIMEOUT_SEC 2

void
netdev_netlink_init (NetdevNetlink *nl, const ipa_memfunc *mf, ipa_mem_type *mt)
{
  memset (nl, 0, sizeof *nl);
  nl->mem.mf = mf;
  nl->mem.mt = mt;
  nl->fd = -1;
}

void
netdev_netlink_close (NetdevNetlink *nl)
{
  if (nl->fd >= 0)
    close (nl->fd);
  nl->fd = -1;
  if (nl->buf != NULL)
    nl->mem.mf->mem_free (nl->buf, nl->mem.mt);
  nl->buf = NULL;
  nl->buf_size = 0;
}

static int
nl_open (NetdevNetlink *nl, const char **what)
{
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  socklen_t sa_len = sizeof sa;
  struct timeval tv = { .tv_sec = RECV_TIMEOUT_SEC };
  int saved;

  if (nl->buf == NULL)
    {
      nl->buf = nl->mem.mf->mem_malloc (RECV_BUF_SIZE, nl->mem.mt);
      if (nl->buf == NULL)
        {
          *what = "allocating the receive buffer";
          errno = ENOMEM;
          return -1;
        }
      nl->buf_size = RECV_BUF_SIZE;
    }
  nl->fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (nl->fd < 0)
    {
      *what = "socket(AF_NETLINK, NETLINK_ROUTE)";
      return -1;
    }
  if (bind (nl->fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      *what = "bind";
      goto fail;
    }
  if (getsockname (nl->fd, (struct sockaddr *) &sa, &sa_len) < 0)
    {
      *what = "getsockname";
      goto fail;
    }
  if (setsockopt (nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
    {
      *what = "setsockopt(SO_RCVTIMEO)";
      goto fail;
    }
  nl->portid = sa.nl_pid;
  return 0;

fail:
  saved = errno;
  close (nl->fd);
  nl->fd = -1;
  errno = saved;
  return -1;
}

int
netdev_netlink_parse_link (const void *msg, size_t len, NetdevTable *t)
{
  const struct nlmsghdr *nh = msg;
  const struct ifinfomsg *ifi;
  const struct rtattr *rta;
  const char *name = NULL;
  size_t name_len = 0;
  struct rtnl_link_stats64 st64;
  struct rtnl_link_stats st32;
  int have64 = 0, have32 = 0;
  int alen;
  NetdevStat *s;

  if (len < sizeof *nh || nh->nlmsg_len > len || nh->nlmsg_len < NLMSG_HDRLEN)
    {
      errno = EPROTO;
      return -1;
    }
  if (nh->nlmsg_type != RTM_NEWLINK)
    return 0;
  if (nh->nlmsg_len < NLMSG_LENGTH (sizeof *ifi))
    {
      errno = EPROTO;
      return -1;
    }
  ifi = NLMSG_DATA (nh);
  rta = IFLA_RTA (ifi);
  alen = (int) IFLA_PAYLOAD (nh);
  for (; RTA_OK (rta, alen); rta = RTA_NEXT (rta, alen))
    {
      size_t plen = RTA_PAYLOAD (rta);

      switch (rta->rta_type & NLA_TYPE_MASK)
        {
        case IFLA_IFNAME:
          name = RTA_DATA (rta);
          name_len = strnlen (name, plen);
          if (name_len == plen || name_len == 0 || name_len >= NETDEV_NAME_SIZE)
            {
              errno = EPROTO;
              return -1;
            }
          break;
        case IFLA_STATS64:
          /* Older kernels send a shorter structure; the four counters we
           * use come first in every version.  Attributes are only 4-byte
           * aligned, hence the copy. */
          if (plen < 4 * sizeof (uint64_t))
            {
              errno = EPROTO;
              return -1;
            }
          memset (&st64, 0, sizeof st64);
          memcpy (&st64, RTA_DATA (rta), plen < sizeof st64 ? plen : sizeof st64);
          have64 = 1;
          break;
        case IFLA_STATS:
          if (plen < 4 * sizeof (uint32_t))
            {
              errno = EPROTO;
              return -1;
            }
          memset (&st32, 0, sizeof st32);
          memcpy (&st32, RTA_DATA (rta), plen < sizeof st32 ? plen : sizeof st32);
          have32 = 1;
          break;
        default:
          break;
        }
    }
  /* A link without a name or counters cannot be accounted. */
  if (name == NULL || (!have64 && !have32))
    return 0;
  s = netdev_table_add (t);
  if (s == NULL)
    return -1;
  s->ifindex = (uint32_t) ifi->ifi_index;
  memcpy (s->name, name, name_len + 1);
  if (have64)
    {
      s->bits = 64;
      s->bytes[NETDEV_RX] = st64.rx_bytes;
      s->bytes[NETDEV_TX] = st64.tx_bytes;
      s->packets[NETDEV_RX] = st64.rx_packets;
      s->packets[NETDEV_TX] = st64.tx_packets;
    }
  else
    {
      s->bits = 32;
      s->bytes[NETDEV_RX] = st32.rx_bytes;
      s->bytes[NETDEV_TX] = st32.tx_bytes;
      s->packets[NETDEV_RX] = st32.rx_packets;
      s->packets[NETDEV_TX] = st32.tx_packets;
    }
  return 0;
}

/* One dump: 1 done, 0 done but interrupted, -1 error. */
static int
dump_once (NetdevNetlink *nl, NetdevTable *t, const char **what)
{
  struct {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
  } req;
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  int interrupted = 0;

  memset (&req, 0, sizeof req);
  req.nh.nlmsg_len = NLMSG_LENGTH (sizeof req.ifi);
  req.nh.nlmsg_type = RTM_GETLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = ++nl->seq;
  req.ifi.ifi_family = AF_UNSPEC;

  netdev_table_clear (t);
  while (sendto (nl->fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *) &kernel,
                 sizeof kernel) < 0)
    if (errno != EINTR)
      {
        *what = "sendto";
        return -1;
      }

  for (;;)
    {
      struct sockaddr_nl from;
      struct iovec iov = { nl->buf, nl->buf_size };
      struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from,
                           .msg_iov = &iov, .msg_iovlen = 1 };
      const struct nlmsghdr *nh;
      ssize_t n = recvmsg (nl->fd, &mh, 0);
      size_t left;

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          *what = "recvmsg";
          return -1;
        }
      if (mh.msg_flags & MSG_TRUNC)
        {
          *what = "recvmsg (message larger than the buffer)";
          errno = EMSGSIZE;
          return -1;
        }
      if (n == 0)
        {
          *what = "recvmsg (end of file)";
          errno = EPROTO;
          return -1;
        }
      /* Only the kernel may answer. */
      if (mh.msg_namelen != sizeof from || from.nl_pid != 0)
        continue;

      left = (size_t) n;
      for (nh = (const struct nlmsghdr *) nl->buf; NLMSG_OK (nh, left); nh = NLMSG_NEXT (nh, left))
        {
          /* Left-overs of an earlier, abandoned request. */
          if (nh->nlmsg_seq != nl->seq || (nh->nlmsg_pid != 0 && nh->nlmsg_pid != nl->portid))
            continue;
          if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
            interrupted = 1;
          if (nh->nlmsg_type == NLMSG_DONE)
            return interrupted ? 0 : 1;
          if (nh->nlmsg_type == NLMSG_ERROR)
            {
              const struct nlmsgerr *e = NLMSG_DATA (nh);

              *what = "netlink error reply";
              if (nh->nlmsg_len < NLMSG_LENGTH (sizeof *e))
                errno = EPROTO;
              else
                errno = e->error < 0 ? -e->error : EPROTO;
              return -1;
            }
          if (netdev_netlink_parse_link (nh, nh->nlmsg_len, t) < 0)
            {
              *what = errno == ENOMEM ? "storing the counters" : "decoding an RTM_NEWLINK message";
              return -1;
            }
        }
      if (left != 0)
        {
          *what = "decoding the reply (truncated message)";
          errno = EPROTO;
          return -1;
        }
    }
}

int
netdev_netlink_dump (NetdevNetlink *nl, NetdevTable *t, const char **what)
{
  int r = -1;

  *what = NULL;
  if (nl->fd < 0 && nl_open (nl, what) < 0)
    {
      netdev_table_clear (t);
      return -1;
    }
  for (int i = 0; i < DUMP_ATTEMPTS; i++)
    {
      r = dump_once (nl, t, what);
      if (r != 0)
        break;
      nl->interrupted++;
    }
  if (r < 0)
    {
      int saved = errno;

      /* Unread parts of the reply must not mix with the next dump. */
      close (nl->fd);
      nl->fd = -1;
      netdev_table_clear (t);
      errno = saved;
      return -1;
    }
  return 0;
}
