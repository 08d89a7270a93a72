/*
 * test-netdev-dump.c: the rtnetlink reader of ipa_ac_netdev
 * (modules/ac_netdev/netdev-dump.c): decoding of crafted RTM_NEWLINK
 * messages, and a real dump of this process's namespace (no privilege
 * needed; "lo" is always there).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netdev-dump.h"
#include "netdev-proc.h"
#include "netdev-test-mem.h"

/* Building messages */

typedef struct {
  union {
    struct nlmsghdr nh;
    unsigned char raw[4096];
  } u;
} Msg;

static void
msg_init (Msg *m, guint16 type, int ifindex)
{
  struct ifinfomsg *ifi;

  memset (m, 0, sizeof *m);
  m->u.nh.nlmsg_len = NLMSG_LENGTH (sizeof *ifi);
  m->u.nh.nlmsg_type = type;
  ifi = NLMSG_DATA (&m->u.nh);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
}

static void
msg_attr (Msg *m, guint16 type, const void *data, gsize len)
{
  struct rtattr *rta = (struct rtattr *) (m->u.raw + NLMSG_ALIGN (m->u.nh.nlmsg_len));

  g_assert_cmpuint (NLMSG_ALIGN (m->u.nh.nlmsg_len) + RTA_SPACE (len), <=, sizeof m->u.raw);
  rta->rta_type = type;
  rta->rta_len = (unsigned short) RTA_LENGTH (len);
  memcpy (RTA_DATA (rta), data, len);
  m->u.nh.nlmsg_len = NLMSG_ALIGN (m->u.nh.nlmsg_len) + RTA_ALIGN (rta->rta_len);
}

static void
msg_name (Msg *m, const char *name)
{
  msg_attr (m, IFLA_IFNAME, name, strlen (name) + 1);
}

static void
msg_stats64 (Msg *m, guint64 rxp, guint64 txp, guint64 rxb, guint64 txb)
{
  struct rtnl_link_stats64 st = { 0 };

  st.rx_packets = rxp;
  st.tx_packets = txp;
  st.rx_bytes = rxb;
  st.tx_bytes = txb;
  msg_attr (m, IFLA_STATS64, &st, sizeof st);
}

static void
test_parse_stats64 (void)
{
  ipa_mem_type *mt = netdev_test_mem_type ();
  NetdevTable t;
  Msg m;
  guint32 mtu = 1500;

  netdev_table_init (&t, ipa_memfunc_get (), mt);
  msg_init (&m, RTM_NEWLINK, 7);
  msg_attr (&m, IFLA_MTU, &mtu, sizeof mtu);
  msg_name (&m, "eth7");
  {
    /* IFLA_STATS too, which IFLA_STATS64 must win over. */
    struct rtnl_link_stats st32 = { 1, 2, 3, 4 };

    msg_attr (&m, IFLA_STATS, &st32, sizeof st32);
  }
  msg_stats64 (&m, 10, 20, G_GUINT64_CONSTANT (5000000000), 40);
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len, &t), ==, 0);
  g_assert_cmpuint (t.n, ==, 1);
  g_assert_cmpuint (t.v[0].ifindex, ==, 7);
  g_assert_cmpstr (t.v[0].name, ==, "eth7");
  g_assert_cmpuint (t.v[0].bits, ==, 64);
  g_assert_cmpuint (t.v[0].packets[NETDEV_RX], ==, 10);
  g_assert_cmpuint (t.v[0].packets[NETDEV_TX], ==, 20);
  g_assert_cmpuint (t.v[0].bytes[NETDEV_RX], ==, G_GUINT64_CONSTANT (5000000000));
  g_assert_cmpuint (t.v[0].bytes[NETDEV_TX], ==, 40);

  /* An old kernel's short IFLA_STATS64 (the first four counters only). */
  msg_init (&m, RTM_NEWLINK, 8);
  msg_name (&m, "old");
  {
    guint64 four[4] = { 1, 2, 3, 4 };

    msg_attr (&m, IFLA_STATS64, four, sizeof four);
  }
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len, &t), ==, 0);
  g_assert_cmpuint (t.n, ==, 2);
  g_assert_cmpuint (t.v[1].bytes[NETDEV_TX], ==, 4);
  netdev_table_free (&t);
  g_assert_cmpuint (netdev_test_mem_in_use (mt), ==, 0);
}

static void
test_parse_stats32 (void)
{
  ipa_mem_type *mt = netdev_test_mem_type ();
  struct rtnl_link_stats st32 = { 0 };
  NetdevTable t;
  Msg m;

  netdev_table_init (&t, ipa_memfunc_get (), mt);
  st32.rx_packets = 1;
  st32.tx_packets = 2;
  st32.rx_bytes = G_MAXUINT32;
  st32.tx_bytes = 4;
  msg_init (&m, RTM_NEWLINK, 3);
  msg_attr (&m, IFLA_STATS, &st32, sizeof st32);
  msg_name (&m, "ppp0");
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len, &t), ==, 0);
  g_assert_cmpuint (t.n, ==, 1);
  g_assert_cmpuint (t.v[0].bits, ==, 32);
  g_assert_cmpuint (t.v[0].bytes[NETDEV_RX], ==, G_MAXUINT32);
  g_assert_cmpuint (t.v[0].packets[NETDEV_TX], ==, 2);
  netdev_table_free (&t);
}

/* Messages that are not links, or links without name or counters, are
 * passed over; malformed ones are errors. */
static void
test_parse_skip_and_errors (void)
{
  ipa_mem_type *mt = netdev_test_mem_type ();
  NetdevTable t;
  Msg m;

  netdev_table_init (&t, ipa_memfunc_get (), mt);

  msg_init (&m, RTM_NEWADDR, 1);
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len, &t), ==, 0);
  msg_init (&m, RTM_NEWLINK, 1);
  msg_stats64 (&m, 1, 2, 3, 4);
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len, &t), ==, 0);
  msg_init (&m, RTM_NEWLINK, 1);
  msg_name (&m, "nostats");
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len, &t), ==, 0);
  g_assert_cmpuint (t.n, ==, 0);

  /* A name without its NUL. */
  msg_init (&m, RTM_NEWLINK, 1);
  msg_attr (&m, IFLA_IFNAME, "eth0", 4);
  msg_stats64 (&m, 1, 2, 3, 4);
  errno = 0;
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len, &t), ==, -1);
  g_assert_cmpint (errno, ==, EPROTO);

  /* A name longer than IFNAMSIZ. */
  msg_init (&m, RTM_NEWLINK, 1);
  msg_name (&m, "abcdefghijklmnopq");
  errno = 0;
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len, &t), ==, -1);
  g_assert_cmpint (errno, ==, EPROTO);

  /* Counters cut short. */
  msg_init (&m, RTM_NEWLINK, 1);
  msg_name (&m, "eth0");
  {
    guint64 three[3] = { 1, 2, 3 };

    msg_attr (&m, IFLA_STATS64, three, sizeof three);
  }
  errno = 0;
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len, &t), ==, -1);
  g_assert_cmpint (errno, ==, EPROTO);

  /* The header claims more than there is, or less than an ifinfomsg. */
  msg_init (&m, RTM_NEWLINK, 1);
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len - 1, &t), ==, -1);
  m.u.nh.nlmsg_len = NLMSG_LENGTH (4);
  g_assert_cmpint (netdev_netlink_parse_link (&m, m.u.nh.nlmsg_len, &t), ==, -1);
  g_assert_cmpint (netdev_netlink_parse_link (&m, 3, &t), ==, -1);
  g_assert_cmpuint (t.n, ==, 0);
  netdev_table_free (&t);
}

/* A real dump of this namespace, twice on one socket, agrees with
 * /proc/net/dev on the names and ifindexes. */
static void
test_dump_self (void)
{
  ipa_mem_type *mt = netdev_test_mem_type ();
  NetdevNetlink nl;
  NetdevProc p;
  NetdevTable t, pt;
  const char *what = NULL;
  unsigned int bad = 0;
  const NetdevStat *lo;

  netdev_netlink_init (&nl, ipa_memfunc_get (), mt);
  netdev_proc_init (&p, ipa_memfunc_get (), mt);
  netdev_table_init (&t, ipa_memfunc_get (), mt);
  netdev_table_init (&pt, ipa_memfunc_get (), mt);

  for (int round = 0; round < 2; round++)
    {
      int fd = nl.fd;

      g_assert_cmpint (netdev_netlink_dump (&nl, &t, &what), ==, 0);
      g_assert_null (what);
      if (round == 1)
        g_assert_cmpint (nl.fd, ==, fd);
      lo = netdev_table_lookup (&t, "lo", NULL);
      g_assert_nonnull (lo);
      g_assert_cmpuint (lo->ifindex, ==, 1);
      g_assert_cmpuint (lo->bits, ==, 64);
    }
  g_assert_cmpint (netdev_proc_read (&p, NETDEV_PROC_PATH, &pt, &what, &bad), ==, 0);
  /* Interfaces may come and go meanwhile only if something else changes
   * this namespace; the names and indexes of both readings must agree. */
  for (unsigned int i = 0; i < pt.n; i++)
    {
      const NetdevStat *s = netdev_table_lookup (&t, pt.v[i].name, NULL);

      if (s != NULL)
        g_assert_cmpuint (s->ifindex, ==, pt.v[i].ifindex);
    }

  netdev_netlink_close (&nl);
  g_assert_cmpint (nl.fd, ==, -1);
  netdev_netlink_close (&nl);
  netdev_proc_close (&p);
  netdev_table_free (&t);
  netdev_table_free (&pt);
  g_assert_cmpuint (netdev_test_mem_in_use (mt), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/netdev/dump/parse-stats64", test_parse_stats64);
  g_test_add_func ("/netdev/dump/parse-stats32", test_parse_stats32);
  g_test_add_func ("/netdev/dump/parse-skip-and-errors", test_parse_skip_and_errors);
  g_test_add_func ("/netdev/dump/self", test_dump_self);

  return g_test_run ();
}
