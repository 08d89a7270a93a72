/*
 * test-netdev-kernel.c: ipa_ac_netdev against the kernel, in two network
 * namespaces made for the test (netns-run.c, netns-lib.sh): namespace A
 * (where the test runs) holds "va", joined to "vb" in B.  IPv6 is off and
 * neighbours are static, so the counters move only with the traffic the
 * test sends, and the expected amounts are exact.
 *
 * Checked: the dump and /proc/net/dev agree with "ip -s -j link"; the
 * amounts of ping and TCP traffic; the module with static rules, each
 * source, rulepat inheritance; an interface removed and created again, set
 * down and up; autorules creating and deleting rules as interfaces come and
 * go; the fall-back to /proc/net/dev when rtnetlink fails.
 */
#include "config.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "netdev-dump.h"
#include "netdev-host.h"
#include "netdev-proc.h"
#include "netdev-track.h"
#include "netns-run.h"

#define ADDR_B "10.203.0.2"
/* L2 bytes of one ping of @size payload bytes: ICMP 8, IPv4 20, Ethernet 14. */
#define PING_L2(size) ((size) + 8 + 20 + 14)

#define HEAD "ac_mod \"ipa_ac_netdev.so\";\n"

/* What the kernel says ("ip -s -j link") */

typedef struct {
  guint32 ifindex;
  guint64 rxb, rxp, txb, txp;
} KStat;

static GHashTable *
kernel_stats (const char *ns)
{
  g_autofree char *out = netns_lib_ok ("netns_link_stats %s", ns);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      KStat *k;
      char name[64];

      if (*lines[i] == '\0')
        continue;
      k = g_new0 (KStat, 1);
      g_assert_cmpint (sscanf (lines[i], "%u %63s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                               " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                               &k->ifindex, name, &k->rxb, &k->rxp, &k->txb, &k->txp), ==, 6);
      g_hash_table_insert (h, g_strdup (name), k);
    }
  return h;
}

static KStat
kernel_stat (const char *ns, const char *ifname)
{
  g_autoptr(GHashTable) h = kernel_stats (ns);
  KStat *k = g_hash_table_lookup (h, ifname);

  g_assert_nonnull (k);
  return *k;
}

static void
ping_b (int count, int size)
{
  g_autofree char *out = netns_lib_ok ("netns_ping %s %s %d %d", netns_run_a (), ADDR_B, count, size);
}

/* The readers */

static void
assert_matches_kernel (NetdevTable *t, GHashTable *k)
{
  g_assert_cmpuint (t->n, ==, g_hash_table_size (k));
  for (unsigned int i = 0; i < t->n; i++)
    {
      const NetdevStat *s = &t->v[i];
      KStat *ks = g_hash_table_lookup (k, s->name);

      g_test_message ("%s: ifindex %u rx %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                      " tx %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, s->name, s->ifindex,
                      s->bytes[NETDEV_RX], s->packets[NETDEV_RX], s->bytes[NETDEV_TX],
                      s->packets[NETDEV_TX]);
      g_assert_nonnull (ks);
      g_assert_cmpuint (s->ifindex, ==, ks->ifindex);
      g_assert_cmpuint (s->bytes[NETDEV_RX], ==, ks->rxb);
      g_assert_cmpuint (s->packets[NETDEV_RX], ==, ks->rxp);
      g_assert_cmpuint (s->bytes[NETDEV_TX], ==, ks->txb);
      g_assert_cmpuint (s->packets[NETDEV_TX], ==, ks->txp);
    }
}

static void
test_readers_match_kernel (void)
{
  ipa_mem_type *mt = ipa_memfunc_get ()->mem_type_new ("kernel-readers", "test", 0);
  g_autoptr(GHashTable) k = NULL;
  NetdevNetlink nl;
  NetdevProc p;
  NetdevTable t;
  const char *what;
  unsigned int bad;

  ping_b (3, 64);
  netdev_netlink_init (&nl, ipa_memfunc_get (), mt);
  netdev_proc_init (&p, ipa_memfunc_get (), mt);
  netdev_table_init (&t, ipa_memfunc_get (), mt);

  k = kernel_stats (netns_run_a ());
  g_assert_cmpint (netdev_netlink_dump (&nl, &t, &what), ==, 0);
  assert_matches_kernel (&t, k);
  g_assert_cmpuint (netdev_table_lookup (&t, "va", NULL)->bytes[NETDEV_TX], ==, 3 * PING_L2 (64));

  g_assert_cmpint (netdev_proc_read (&p, NETDEV_PROC_PATH, &t, &what, &bad), ==, 0);
  assert_matches_kernel (&t, k);

  netdev_netlink_close (&nl);
  netdev_proc_close (&p);
  netdev_table_free (&t);
}

/* Tracker amounts of known traffic, from two dumps. */

typedef struct {
  ipa_mem_type *mt;
  NetdevNetlink nl;
  NetdevTable t;
} Reader;

static void
reader_init (Reader *r)
{
  r->mt = ipa_memfunc_get ()->mem_type_new ("kernel-reader", "test", 0);
  netdev_netlink_init (&r->nl, ipa_memfunc_get (), r->mt);
  netdev_table_init (&r->t, ipa_memfunc_get (), r->mt);
}

static const NetdevStat *
reader_get (Reader *r, const char *name)
{
  const char *what;

  g_assert_cmpint (netdev_netlink_dump (&r->nl, &r->t, &what), ==, 0);
  return netdev_table_lookup (&r->t, name, NULL);
}

static void
reader_free (Reader *r)
{
  netdev_netlink_close (&r->nl);
  netdev_table_free (&r->t);
}

static guint64
update (NetdevTrack *t, const NetdevStat *s, NetdevUnit unit, NetdevCount count)
{
  guint64 amount;
  unsigned int events;

  g_assert_cmpint (netdev_track_update (t, s, unit, count, &amount, &events), ==, 0);
  g_assert_cmpuint (events, ==, 0);
  return amount;
}

static void
test_ping_amounts (void)
{
  Reader r;
  NetdevTrack bytes, packets;
  const NetdevStat *s;
  NetdevTrack rx, tx, both;

  reader_init (&r);
  s = reader_get (&r, "va");
  netdev_track_start (&bytes, s, NETDEV_UNIT_BYTES);
  netdev_track_start (&packets, s, NETDEV_UNIT_PACKETS);
  rx = tx = both = bytes;

  ping_b (5, 100);
  s = reader_get (&r, "va");
  /* Requests out, replies in. */
  g_assert_cmpuint (update (&tx, s, NETDEV_UNIT_BYTES, NETDEV_COUNT_TX), ==, 5 * PING_L2 (100));
  g_assert_cmpuint (update (&rx, s, NETDEV_UNIT_BYTES, NETDEV_COUNT_RX), ==, 5 * PING_L2 (100));
  g_assert_cmpuint (update (&both, s, NETDEV_UNIT_BYTES, NETDEV_COUNT_BOTH), ==, 10 * PING_L2 (100));
  g_assert_cmpuint (update (&packets, s, NETDEV_UNIT_PACKETS, NETDEV_COUNT_BOTH), ==, 10);
  reader_free (&r);
}

/* A TCP transfer: the amount is the kernel's to the byte, and at least the
 * payload plus headers. */
static void
test_tcp_amounts (void)
{
  const guint64 payload = 1000000;
  Reader r;
  NetdevTrack rx, tx;
  const NetdevStat *s;
  KStat k0, k1;
  g_autofree char *received = NULL;
  guint64 a_tx, a_rx;

  reader_init (&r);
  k0 = kernel_stat (netns_run_a (), "va");
  s = reader_get (&r, "va");
  netdev_track_start (&tx, s, NETDEV_UNIT_BYTES);
  rx = tx;

  received = netns_lib_ok ("netns_tcp_send %s %s %s 5001 %" G_GUINT64_FORMAT,
                           netns_run_a (), netns_run_b (), ADDR_B, payload);
  g_assert_cmpuint (g_ascii_strtoull (received, NULL, 10), ==, payload);
  k1 = kernel_stat (netns_run_a (), "va");
  s = reader_get (&r, "va");
  a_tx = update (&tx, s, NETDEV_UNIT_BYTES, NETDEV_COUNT_TX);
  a_rx = update (&rx, s, NETDEV_UNIT_BYTES, NETDEV_COUNT_RX);
  g_test_message ("1000000 bytes sent: tx %" G_GUINT64_FORMAT " rx %" G_GUINT64_FORMAT, a_tx, a_rx);
  g_assert_cmpuint (a_tx, ==, k1.txb - k0.txb);
  g_assert_cmpuint (a_rx, ==, k1.rxb - k0.rxb);
  /* 40 bytes of TCP/IP and 14 of Ethernet per segment of at most 64 KiB
   * (GSO), and the handshake. */
  g_assert_cmpuint (a_tx, >, payload + 3 * 54);
  g_assert_cmpuint (a_tx, <, payload + payload / 20);
  g_assert_cmpuint (a_rx, >, 0);
  reader_free (&r);
}

/* The module */

static NetdevHost *
host_started (const char *text)
{
  g_autoptr(GError) error = NULL;
  NetdevHost *h = netdev_host_new (text, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (h);
  g_assert_true (netdev_host_start (h));
  return h;
}

static void
host_done (NetdevHost *h)
{
  g_assert_cmpuint (netdev_host_stop (h), ==, 0);
  netdev_host_free (h);
}

static guint64
last (NetdevHost *h, const char *rule)
{
  return netdev_host_rule_ok (h, rule)->last;
}

static void
module_static (const char *source)
{
  g_autofree char *text = g_strdup_printf (
    HEAD
    "netdev:source = %s;\n"
    "global { ac_list = netdev; }\n"
    "rulepat \"^pat_\" { netdev:interface = \"va\"; netdev:unit = packets; }\n"
    "rule both { netdev:interface = \"va\"; }\n"
    "rule tx_pk { netdev:interface = \"va\"; netdev:count = tx; netdev:unit = packets; }\n"
    "rule pat_rx { netdev:count = rx; }\n"
    "rule pat_own { netdev:interface = \"lo\"; }\n", source);
  NetdevHost *h = host_started (text);

  g_test_message ("source %s", source);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  ping_b (5, 100);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (last (h, "both"), ==, 10 * PING_L2 (100));
  g_assert_cmpuint (last (h, "tx_pk"), ==, 5);
  /* Interface and unit from the rulepat, count of its own. */
  g_assert_cmpuint (last (h, "pat_rx"), ==, 5);
  /* Its own interface wins over the rulepat's. */
  g_assert_cmpuint (last (h, "pat_own"), ==, 0);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (last (h, "both"), ==, 0);
  g_assert_cmpuint (netdev_host_rule_ok (h, "both")->total, ==, 10 * PING_L2 (100));
  g_assert_cmpuint (h->messages->len, ==, 0);
  host_done (h);
}

static void
test_module_netlink (void)
{
  module_static ("netlink");
}

static void
test_module_proc (void)
{
  module_static ("proc");
}

static void
test_module_auto (void)
{
  module_static ("auto");
}

/* Removed and created again, set down and up: never negative, never
 * counted twice. */
static void
test_module_recreate (void)
{
  const char *a = netns_run_a (), *b = netns_run_b ();
  NetdevHost *h = host_started (HEAD
                                "rule r_vr { ac_list = netdev; netdev:interface = \"vr\"; }\n"
                                "rule r_tx { ac_list = netdev; netdev:interface = \"vr\"; "
                                "netdev:count = tx; }\n");
  g_autofree char *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL, *o5 = NULL;
  KStat k;

  g_assert_true (netdev_host_has_message (h, "rule r_vr: interface vr does not exist now"));
  g_assert_cmpint (netdev_host_round (h), ==, 0);

  /* Created after the start: all of its traffic counts. */
  o1 = netns_lib_ok ("netns_link_add %s vr %s vrp 10.203.1.1 10.203.1.2 && "
                     "netns_ping %s 10.203.1.2 3 200", a, b, a);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (last (h, "r_vr"), ==, 6 * PING_L2 (200));
  g_assert_cmpuint (last (h, "r_tx"), ==, 3 * PING_L2 (200));
  g_assert_true (netdev_host_has_message (h, "rule r_vr: interface vr is there"));

  /* Removed. */
  netdev_host_clear_log (h);
  o2 = netns_lib_ok ("ip -n %s link del vr", a);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (last (h, "r_vr"), ==, 0);
  g_assert_true (netdev_host_has_message (h, "rule r_vr: interface vr is gone"));

  /* Created again with less traffic than before, then with more than
   * before but without the module seeing it missing. */
  netdev_host_clear_log (h);
  o3 = netns_lib_ok ("netns_link_add %s vr %s vrp 10.203.1.1 10.203.1.2 && "
                     "netns_ping %s 10.203.1.2 2 100", a, b, a);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  k = kernel_stat (a, "vr");
  g_assert_cmpuint (last (h, "r_vr"), ==, k.rxb + k.txb);
  g_assert_cmpuint (last (h, "r_vr"), ==, 4 * PING_L2 (100));
  g_assert_true (netdev_host_has_message (h, "rule r_vr: interface vr was created again"));

  netdev_host_clear_log (h);
  o4 = netns_lib_ok ("ip -n %s link del vr && "
                     "netns_link_add %s vr %s vrp 10.203.1.1 10.203.1.2 && "
                     "netns_ping %s 10.203.1.2 4 300", a, a, b, a);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (last (h, "r_vr"), ==, 8 * PING_L2 (300));
  g_assert_true (netdev_host_has_message (h, "was created again"));
  g_assert_false (netdev_host_has_message (h, "is gone"));

  /* Down and up: the counters go on. */
  netdev_host_clear_log (h);
  o5 = netns_lib_ok ("ip -n %s link set vr down && ip -n %s link set vr up && "
                     "netns_neigh_static %s vr %s vrp 10.203.1.1 10.203.1.2 && "
                     "netns_ping %s 10.203.1.2 1 100", a, a, a, b, a);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (last (h, "r_vr"), ==, 2 * PING_L2 (100));
  g_assert_cmpuint (h->messages->len, ==, 0);

  g_assert_cmpuint (netdev_host_rule_ok (h, "r_vr")->total, ==,
                    6 * PING_L2 (200) + 4 * PING_L2 (100) + 8 * PING_L2 (300) + 2 * PING_L2 (100));
  g_assert_cmpuint (netdev_host_rule_ok (h, "r_tx")->total, ==,
                    3 * PING_L2 (200) + 2 * PING_L2 (100) + 4 * PING_L2 (300) + 1 * PING_L2 (100));
  host_done (h);
  g_free (netns_lib_ok ("ip -n %s link del vr", a));
}

/* Autorules follow interfaces that come and go. */
static void
autorule_run (gboolean deinit_in_delete)
{
  const char *a = netns_run_a (), *b = netns_run_b ();
  NetdevHost *h = host_started (HEAD
                                "global { ac_list = netdev; }\n"
                                "rule static_va { netdev:interface = \"va\"; }\n"
                                "rulepat \"^if_vt3$\" { netdev:unit = packets; netdev:count = rx; }\n"
                                "autorule dyn {\n"
                                "  netdev:interface_pattern = \"^vt[0-9]+$\";\n"
                                "  netdev:rule_prefix = \"if_\";\n"
                                "  netdev:count = tx;\n"
                                "}\n");
  g_autofree char *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL, *o5 = NULL;
  NetdevHostRule *r;

  h->deinit_in_delete = deinit_in_delete;
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (h->events->len, ==, 0);

  /* vt1 and vt2 match, their peers vt1p and vt2p do not. */
  o1 = netns_lib_ok ("netns_veths %s vt 2", a);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_true (netdev_host_has_event (h, "create if_vt1 #1"));
  g_assert_true (netdev_host_has_event (h, "create if_vt2 #2"));
  g_assert_cmpuint (netdev_host_n_dynamic (h), ==, 2);
  g_assert_cmpuint (h->events->len, ==, 2);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (h->events->len, ==, 2);

  /* One goes: its rule is deleted, then deinitialised. */
  netdev_host_clear_log (h);
  o2 = netns_lib_ok ("ip -n %s link del vt1", a);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpuint (h->events->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (h->events, 0), ==, "delete if_vt1 #1");
  g_assert_cmpstr (g_ptr_array_index (h->events, 1), ==, "deinit if_vt1 #1");
  g_assert_null (netdev_host_rule (h, "if_vt1"));
  g_assert_nonnull (netdev_host_rule (h, "if_vt2"));

  /* An interface with traffic, and one that goes while another comes in
   * the same round (the new rule must not get the number of the old one
   * before it is deinitialised). */
  netdev_host_clear_log (h);
  o3 = netns_lib_ok ("netns_link_add %s vt3 %s vt3p 10.203.2.1 10.203.2.2 && ip -n %s link del vt2",
                     a, b, a);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_cmpstr (g_ptr_array_index (h->events, 0), ==, "create if_vt3 #1");
  g_assert_cmpstr (g_ptr_array_index (h->events, 1), ==, "delete if_vt2 #2");
  g_assert_cmpstr (g_ptr_array_index (h->events, 2), ==, "deinit if_vt2 #2");
  o4 = netns_lib_ok ("netns_ping %s 10.203.2.2 3 100", a);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  /* count = tx from the autorule, which wins over the rulepat's rx; unit
   * packets from the rulepat. */
  r = netdev_host_rule_ok (h, "if_vt3");
  g_assert_cmpuint (r->last, ==, 3);
  g_assert_cmpuint (last (h, "static_va"), ==, 0);

  /* Back again: a new rule. */
  netdev_host_clear_log (h);
  o5 = netns_lib_ok ("ip -n %s link add vt1 type veth peer name vt1p", a);
  g_assert_cmpint (netdev_host_round (h), ==, 0);
  g_assert_true (netdev_host_has_event (h, "create if_vt1 #2"));
  g_assert_cmpuint (h->messages->len, ==, 0);
  host_done (h);
  g_free (netns_lib_ok ("ip -n %s link del vt1 && ip -n %s link del vt3", a, a));
}

static void
test_autorule (void)
{
  autorule_run (FALSE);
}

/* The engine may deinitialise a deleted rule inside ac_delete_rule. */
static void
test_autorule_deinit_in_delete (void)
{
  autorule_run (TRUE);
}

/* rtnetlink fails (a seccomp filter refuses AF_NETLINK sockets): with
 * source auto the module reads /proc/net/dev and says so once; with source
 * netlink it cannot start.  Run in a subprocess, which keeps the filter. */

static int
deny_netlink_sockets (void)
{
  struct sock_filter f[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, args[0])),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { G_N_ELEMENTS (f), f };

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return -1;
  return prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* @n datagrams of @size bytes to B's discard port; ip would need netlink,
 * so the traffic is made here.  Each moves size + 8 + 20 + 14 bytes out. */
static void
send_udp (int n, int size)
{
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (9) };
  g_autofree char *buf = g_malloc0 ((gsize) size);
  int fd = socket (AF_INET, SOCK_DGRAM, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (inet_pton (AF_INET, ADDR_B, &to.sin_addr), ==, 1);
  for (int i = 0; i < n; i++)
    g_assert_cmpint (sendto (fd, buf, (size_t) size, 0, (struct sockaddr *) &to, sizeof to), ==, size);
  close (fd);
}

/* Whether a filtered process gets EACCES from socket(AF_NETLINK). */
static gboolean
seccomp_works (void)
{
  pid_t pid = fork ();
  int status;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (deny_netlink_sockets () == 0 && socket (AF_NETLINK, SOCK_RAW, 0) == -1 &&
           errno == EACCES ? 0 : 1);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
test_fallback (void)
{
  if (g_test_subprocess ())
    {
      NetdevHost *h;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (deny_netlink_sockets (), ==, 0);
      g_assert_cmpint (socket (AF_NETLINK, SOCK_RAW, 0), ==, -1);

      h = host_started (HEAD "global { ac_list = netdev; }\n"
                        "rule r { netdev:interface = \"va\"; netdev:count = tx; }\n");
      g_assert_true (netdev_host_has_message (h, "warning: reading /proc/net/dev until rtnetlink "
                                             "works again; the dump failed at "
                                             "socket(AF_NETLINK, NETLINK_ROUTE): Permission denied"));
      g_assert_cmpint (netdev_host_round (h), ==, 0);
      send_udp (4, 500);
      g_assert_cmpint (netdev_host_round (h), ==, 0);
      g_assert_cmpuint (last (h, "r"), ==, 4 * (500 + 8 + 20 + 14));
      /* Said once. */
      g_assert_cmpuint (h->messages->len, ==, 1);
      host_done (h);

      h = netdev_host_new (HEAD "netdev:source = netlink;\nglobal { ac_list = netdev; }\n"
                           "rule r { netdev:interface = \"va\"; }\n", 0, &error);
      g_assert_no_error (error);
      g_assert_false (netdev_host_start (h));
      g_assert_true (netdev_host_has_message (h, "error: rtnetlink dump of the interfaces failed: "
                                             "socket(AF_NETLINK, NETLINK_ROUTE): Permission denied"));
      host_done (h);
      g_print ("fallback checked\n");
      return;
    }
  if (!seccomp_works ())
    {
      g_test_skip ("seccomp filters are not available");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*fallback checked*");
}

int
main (int argc, char **argv)
{
  netns_run_enter ("netns_pair_create \"$NS_A\" \"$NS_B\"", TRUE);

  g_test_init (&argc, &argv, NULL);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);

  g_test_add_func ("/netdev/kernel/readers-match-kernel", test_readers_match_kernel);
  g_test_add_func ("/netdev/kernel/ping-amounts", test_ping_amounts);
  g_test_add_func ("/netdev/kernel/tcp-amounts", test_tcp_amounts);
  g_test_add_func ("/netdev/kernel/module-netlink", test_module_netlink);
  g_test_add_func ("/netdev/kernel/module-proc", test_module_proc);
  g_test_add_func ("/netdev/kernel/module-auto", test_module_auto);
  g_test_add_func ("/netdev/kernel/module-recreate", test_module_recreate);
  g_test_add_func ("/netdev/kernel/autorule", test_autorule);
  g_test_add_func ("/netdev/kernel/autorule-deinit-in-delete", test_autorule_deinit_in_delete);
  g_test_add_func ("/netdev/kernel/fallback", test_fallback);

  return g_test_run ();
}
