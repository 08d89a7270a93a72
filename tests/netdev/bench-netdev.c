/*
 * bench-netdev.c: the cost of one statistics round of ipa_ac_netdev
 * (ac_get_stat and ac_get_rule_stat for every rule) against a bare
 * RTM_GETLINK dump that only receives the reply, measured in the same run,
 * in a namespace with many veth interfaces.  Times are CPU times of the
 * process (user and system), which include the kernel's work.
 *
 *   meson test -C BUILD --benchmark --suite netdev -v
 *
 * IPA_NETDEV_BENCH_PAIRS="50 250" sets the sizes (veth pairs, i.e. twice
 * as many interfaces); IPA_NETDEV_BENCH_ROUNDS the rounds per sample.
 * Needs root (network namespaces); exits 77 otherwise.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "netdev-dump.h"
#include "netdev-host.h"
#include "netns-run.h"

/* Samples per figure; the median is reported. */
#define SAMPLES 7

/* CPU time of the process: the kernel builds the dump in recvmsg(), in
 * our context, so this counts the kernel's work too but not the time
 * spent waiting for a CPU on a busy machine. */
static double
cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static double
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The baseline: request a dump and receive it to the end, decoding
 * nothing but the message headers. */

typedef struct {
  int fd;
  guint32 seq;
  unsigned char buf[64 * 1024];
} Raw;

static void
raw_open (Raw *r)
{
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

  r->fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (r->fd < 0 || bind (r->fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    g_error ("netlink socket: %s", g_strerror (errno));
}

static guint
raw_dump (Raw *r)
{
  struct {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
  } req;
  guint links = 0;

  memset (&req, 0, sizeof req);
  req.nh.nlmsg_len = NLMSG_LENGTH (sizeof req.ifi);
  req.nh.nlmsg_type = RTM_GETLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = ++r->seq;
  if (send (r->fd, &req, req.nh.nlmsg_len, 0) < 0)
    g_error ("send: %s", g_strerror (errno));
  for (;;)
    {
      ssize_t n = recv (r->fd, r->buf, sizeof r->buf, 0);
      size_t left;
      const struct nlmsghdr *nh;

      if (n < 0)
        g_error ("recv: %s", g_strerror (errno));
      left = (size_t) n;
      for (nh = (const struct nlmsghdr *) r->buf; NLMSG_OK (nh, left); nh = NLMSG_NEXT (nh, left))
        {
          if (nh->nlmsg_type == NLMSG_DONE)
            return links;
          if (nh->nlmsg_type == NLMSG_ERROR)
            g_error ("netlink error reply");
          links++;
        }
    }
}

/* What is measured */

typedef enum { M_RAW, M_DUMP, M_MODULE_NL, M_MODULE_PROC, M_AUTORULE, M_N } Measure;

static const char *const labels[M_N] = {
  "bare RTM_GETLINK dump, not decoded (baseline)",
  "the module's dump alone, decoded into the snapshot",
  "round: ac_get_stat + ac_get_rule_stat per rule, rtnetlink",
  "round, /proc/net/dev",
  "round, an autorule (a dynamic rule per interface)",
};

typedef struct {
  Raw raw;
  NetdevNetlink nl;
  NetdevTable table;
  NetdevHost *host;   /* one at a time: the module is one per process */
  guint rounds;
} Bench;

static double
sample (Bench *b, Measure m)
{
  double t0 = cpu_us ();
  const char *what;

  for (guint i = 0; i < b->rounds; i++)
    switch (m)
      {
      case M_RAW:
        raw_dump (&b->raw);
        break;
      case M_DUMP:
        if (netdev_netlink_dump (&b->nl, &b->table, &what) != 0)
          g_error ("dump: %s", what);
        break;
      default:
        if (netdev_host_round (b->host) != 0)
          g_error ("round failed");
        break;
      }
  return (cpu_us () - t0) / b->rounds;
}

/* A configuration with a static rule per interface, or one autorule. */
static NetdevHost *
host_for (NetdevTable *t, Measure m)
{
  GString *s = g_string_new ("ac_mod \"ipa_ac_netdev.so\";\n");
  g_autoptr(GError) error = NULL;
  NetdevHost *h;

  g_string_append_printf (s, "netdev:source = %s;\nglobal { ac_list = netdev; }\n",
                          m == M_MODULE_PROC ? "proc" : "netlink");
  if (m == M_AUTORULE)
    g_string_append (s, "autorule all { netdev:interface_pattern = \"^b\"; netdev:rule_prefix = \"d_\"; }\n");
  else
    for (unsigned int i = 0; i < t->n; i++)
      g_string_append_printf (s, "rule r_%s { netdev:interface = \"%s\"; }\n", t->v[i].name, t->v[i].name);
  h = netdev_host_new (s->str, 0, &error);
  g_string_free (s, TRUE);
  if (h == NULL)
    g_error ("%s", error->message);
  h->quiet = TRUE;
  if (!netdev_host_start (h))
    g_error ("the module did not start");
  /* The first round makes the dynamic rules and sets every baseline. */
  if (netdev_host_round (h) != 0 || netdev_host_round (h) != 0)
    g_error ("round failed");
  return h;
}

static guint
host_rules (NetdevHost *h)
{
  guint n = 0;

  for (guint i = 0; i < h->rules->len; i++)
    n += g_ptr_array_index (h->rules, i) != NULL;
  return n;
}

static double
median (double *v, int n)
{
  qsort (v, (size_t) n, sizeof (double), cmp_double);
  return v[n / 2];
}

/* Each figure is sampled alternately with the baseline, so that a slow
 * moment of the machine hits both; the ratio is against the baseline
 * samples of the same block. */
static void
run_size (Bench *b, guint pairs_total)
{
  const char *what;
  guint links;

  if (netdev_netlink_dump (&b->nl, &b->table, &what) != 0)
    g_error ("dump: %s", what);
  links = raw_dump (&b->raw);
  g_assert_cmpuint (links, ==, b->table.n);
  printf ("\n%u interfaces (%u veth pairs and va, lo); CPU time per round, %u rounds per "
          "sample, median of %d samples:\n", links, pairs_total, b->rounds, SAMPLES);

  for (int m = M_DUMP; m < M_N; m++)
    {
      double base[SAMPLES], t[SAMPLES], mb, mt;
      guint rules = 0;

      if (m != M_DUMP)
        {
          b->host = host_for (&b->table, (Measure) m);
          rules = host_rules (b->host);
        }
      for (int i = 0; i < SAMPLES; i++)
        {
          base[i] = sample (b, M_RAW);
          t[i] = sample (b, (Measure) m);
        }
      mb = median (base, SAMPLES);
      mt = median (t, SAMPLES);
      if (m == M_DUMP)
        printf ("  %-58s %9.1f us  (%.2f us per interface)\n", labels[M_RAW], mb, mb / links);
      printf ("  %-58s %9.1f us  x%.2f of %.1f us", labels[m], mt, mt / mb, mb);
      if (rules > 0)
        printf ("  (%u rules)", rules);
      printf ("\n");
      fflush (stdout);
      if (b->host != NULL)
        {
          if (netdev_host_stop (b->host) != 0)
            g_error ("the module leaked");
          netdev_host_free (b->host);
          b->host = NULL;
        }
    }
}

int
main (int argc, char **argv)
{
  const char *sizes_env = g_getenv ("IPA_NETDEV_BENCH_PAIRS");
  const char *rounds_env = g_getenv ("IPA_NETDEV_BENCH_ROUNDS");
  g_auto(GStrv) sizes = g_strsplit (sizes_env != NULL ? sizes_env : "50 250", " ", -1);
  Bench *b;
  guint made = 0;

  netns_run_enter ("netns_pair_create \"$NS_A\" \"$NS_B\"", FALSE);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);

  b = g_new0 (Bench, 1);
  b->rounds = rounds_env != NULL ? (guint) atoi (rounds_env) : 100;
  raw_open (&b->raw);
  netdev_netlink_init (&b->nl, ipa_memfunc_get (), ipa_memfunc_get ()->mem_type_new ("bench", "bench", 0));
  netdev_table_init (&b->table, b->nl.mem.mf, b->nl.mem.mt);

  for (guint i = 0; sizes[i] != NULL; i++)
    {
      guint want = (guint) atoi (sizes[i]);

      if (want > made)
        {
          double t0 = now_us ();
          /* New names per batch: b1_1.., b2_1.. */
          g_autofree char *prefix = g_strdup_printf ("b%u_", i + 1);

          g_free (netns_lib_ok ("netns_veths %s %s %u", netns_run_a (), prefix, want - made));
          fprintf (stderr, "# made %u veth pairs in %.0f ms\n", want - made, (now_us () - t0) / 1e3);
          made = want;
        }
      run_size (b, made);
    }

  netdev_netlink_close (&b->nl);
  netdev_table_free (&b->table);
  close (b->raw.fd);
  g_free (b);
  return 0;
}
