/*
 * bench-nft.c: one statistics round of ipa_ac_nft (ac_get_stat and every
 * rule's ac_get_rule_stat) for N named counters, against a raw libnftnl
 * dump of the same counters (NFT_MSG_GETOBJ, each reply parsed into an
 * nftnl_obj), both measured in this run.  Runs inside a namespace made by
 * run-in-netns.sh; prints medians and their ratio.
 *
 *   bench-nft [N [ROUNDS]]     (default 10000 counters, 31 rounds)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>

#include "ipa-log.h"
#include "nft-fake-host.h"
#include "nft-test-util.h"

/* The baseline: what any program reading these counters must do at least. */

typedef struct {
  guint n;
  guint64 bytes;
} RawSum;

static int
raw_obj_cb (const struct nlmsghdr *nlh, void *data)
{
  RawSum *sum = data;
  struct nftnl_obj *obj = nftnl_obj_alloc ();

  if (obj == NULL)
    return MNL_CB_ERROR;
  if (nftnl_obj_nlmsg_parse (nlh, obj) == 0)
    {
      sum->bytes += nftnl_obj_get_u64 (obj, NFTNL_OBJ_CTR_BYTES);
      sum->n++;
    }
  nftnl_obj_free (obj);
  return MNL_CB_OK;
}

static int
raw_dump (struct mnl_socket *sock, guint *n)
{
  static char buf[65536];
  static uint32_t seq = 1;
  unsigned int portid = mnl_socket_get_portid (sock);
  struct nftnl_obj *obj = nftnl_obj_alloc ();
  struct nlmsghdr *nlh;
  RawSum sum = { 0, 0 };
  int r;

  nlh = nftnl_nlmsg_build_hdr (buf, NFT_MSG_GETOBJ, NFPROTO_INET, NLM_F_DUMP, ++seq);
  nftnl_obj_set_str (obj, NFTNL_OBJ_TABLE, "bench");
  nftnl_obj_set_u32 (obj, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
  nftnl_obj_nlmsg_build_payload (nlh, obj);
  nftnl_obj_free (obj);
  if (mnl_socket_sendto (sock, nlh, nlh->nlmsg_len) < 0)
    return -1;
  do
    {
      ssize_t len = mnl_socket_recvfrom (sock, buf, sizeof buf);

      if (len < 0)
        return -1;
      r = mnl_cb_run (buf, (size_t) len, seq, portid, raw_obj_cb, &sum);
    }
  while (r > 0);
  *n = sum.n;
  return r;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v, guint n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

static void
run (const char *cmd)
{
  if (system (cmd) != 0)
    g_error ("'%s' failed", cmd);
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 10000;
  guint rounds = argc > 2 ? (guint) atoi (argv[2]) : 31;
  g_autoptr(GString) rs = g_string_new ("table inet bench {\n");
  g_autoptr(GString) conf = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *cmd = NULL;
  g_autofree double *t_raw = g_new (double, rounds), *t_mod = g_new (double, rounds);
  struct mnl_socket *sock;
  FakeHost *h;
  double m_raw, m_mod;
  int fd;

  if (g_getenv ("NFTNS_LIB") == NULL)
    {
      g_printerr ("run me through run-in-netns.sh\n");
      return 77;
    }
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (rs, "  counter c%u { packets %u bytes %u }\n", i, i, 100 * i);
  g_string_append (rs, "}\n");
  fd = g_file_open_tmp ("bench-nft-XXXXXX", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, rs->str, -1, &error));
  cmd = g_strdup_printf ("nft -f '%s'", path);
  run (cmd);
  unlink (path);

  g_string_append (conf, "global { nft:table = \"inet bench\"; }\n");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (conf, "rule r%u { nft:counters = \"c%u\"; }\n", i, i);
  h = fake_host_new ("ipa_ac_nft.so", conf->str, &error);
  g_assert_no_error (error);
  g_assert_true (fake_host_init (h));

  sock = mnl_socket_open (NETLINK_NETFILTER);
  g_assert_nonnull (sock);
  g_assert_cmpint (mnl_socket_bind (sock, 0, MNL_SOCKET_AUTOPID), ==, 0);

  /* Warm up both, and check they see every counter. */
  for (guint i = 0; i < 3; i++)
    {
      guint got = 0;

      g_assert_cmpint (fake_host_round (h), ==, 0);
      g_assert_cmpint (raw_dump (sock, &got), ==, 0);
      g_assert_cmpuint (got, ==, n);
    }

  /* Interleaved, so that both see the same machine. */
  for (guint i = 0; i < rounds; i++)
    {
      gint64 t0, t1, t2;
      guint got;

      t0 = g_get_monotonic_time ();
      g_assert_cmpint (raw_dump (sock, &got), ==, 0);
      t1 = g_get_monotonic_time ();
      g_assert_cmpint (fake_host_round (h), ==, 0);
      t2 = g_get_monotonic_time ();
      t_raw[i] = (double) (t1 - t0) / 1000.0;
      t_mod[i] = (double) (t2 - t1) / 1000.0;
    }
  m_raw = median (t_raw, rounds);
  m_mod = median (t_mod, rounds);
  g_print ("nft-get-stat: %u named counters, %u rounds (medians)\n", n, rounds);
  g_print ("  raw libnftnl dump (GETOBJ, nftnl_obj per counter): %.2f ms (%.2f us/counter)\n",
           m_raw, 1000.0 * m_raw / n);
  g_print ("  module round (ac_get_stat + %u ac_get_rule_stat):   %.2f ms (%.2f us/counter)\n",
           n, m_mod, 1000.0 * m_mod / n);
  g_print ("  ratio module/raw: %.2f (target <= 1.5)\n", m_mod / m_raw);

  mnl_socket_close (sock);
  fake_host_free (h);
  return 0;
}
