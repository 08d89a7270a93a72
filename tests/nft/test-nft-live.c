/*
 * test-nft-live.c: ipa_ac_nft against the real kernel, run inside network
 * namespace A of a pair made by run-in-netns.sh (nft-netns-lib.sh), with
 * real traffic to namespace B.  What the module counts is compared with
 * what the kernel reports through `nft -j list ...`.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/netfilter.h>

#include "ipa-log.h"
#include "nft-dump.h"
#include "nft-expr.h"
#include "nft-fake-host.h"
#include "nft-key.h"
#include "nft-mem.h"
#include "nft-test-util.h"
#include "nft-watch.h"

#define MODULE "ipa_ac_nft.so"

static const char *addr_b, *addr_b2;

/* Shell helpers */

/* Run @script with bash after sourcing nft-netns-lib.sh; its output. */
static char *sh (const char *format, ...) G_GNUC_PRINTF (1, 2);

static char *
sh (const char *format, ...)
{
  g_autofree char *script = NULL, *full = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;
  va_list ap;

  va_start (ap, format);
  script = g_strdup_vprintf (format, ap);
  va_end (ap);
  full = g_strdup_printf ("set -e; . \"$NFTNS_LIB\"; %s", script);
  {
    const char *argv[] = { "bash", "-c", full, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                       &status, &error))
      g_error ("cannot run bash: %s", error->message);
  }
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("'%s' failed: %s%s", script, out, err);
  return out;
}

/* Replace the namespace's whole ruleset. */
static void
load_ruleset (const char *ruleset)
{
  g_autofree char *path = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;
  int fd = g_file_open_tmp ("nft-ruleset-XXXXXX", &path, &error);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, ruleset, -1, &error));
  close (fd);
  out = sh ("nft flush ruleset; nft -f '%s'", path);
  unlink (path);
}

static void
ping_b (const char *dst, int count, int size)
{
  g_autofree char *out = sh ("nftns_ping \"$NFTNS_A\" %s %d %d", dst, count, size);
}

static void
tcp_send (const char *dst, int port, int bytes)
{
  g_autofree char *out = sh ("nftns_tcp_send \"$NFTNS_A\" \"$NFTNS_B\" %s %d %d", dst, port, bytes);
}

/* A kernel value from `nft -j`: of a named counter, or (@element != NULL)
 * of a set element; -1 when absent. */
static gint64
kernel_value (const char *family, const char *table, const char *name, const char *element,
              gboolean packets)
{
  g_autofree char *out = element == NULL ? sh ("nftns_counters \"$NFTNS_A\"")
                                         : sh ("nftns_set_elems \"$NFTNS_A\" %s %s %s",
                                               family, table, name);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], " ", -1);

      if (element == NULL && g_strv_length (f) == 5 && strcmp (f[0], family) == 0
          && strcmp (f[1], table) == 0 && strcmp (f[2], name) == 0)
        return g_ascii_strtoll (packets ? f[3] : f[4], NULL, 10);
      if (element != NULL && g_strv_length (f) == 3 && strcmp (f[0], element) == 0)
        return g_ascii_strtoll (packets ? f[1] : f[2], NULL, 10);
    }
  return -1;
}

static gint64
kbytes (const char *table, const char *name)
{
  return kernel_value ("inet", table, name, NULL, FALSE);
}

static gint64
kelem (const char *table, const char *set, const char *element)
{
  return kernel_value ("inet", table, set, element, FALSE);
}

static gboolean
set_has (const char *table, const char *set, const char *element)
{
  g_autofree char *out = sh ("ip netns exec \"$NFTNS_A\" nft -j list set inet %s %s | "
                             "jq -r '.nftables[] | select(.set) | .set.elem // [] | .[] | "
                             "if type == \"object\" then .elem.val else . end'", table, set);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  return g_strv_contains ((const char *const *) lines, element);
}

static FakeHost *
start (const char *config)
{
  g_autoptr(GError) error = NULL;
  FakeHost *h = fake_host_new (MODULE, config, &error);

  g_assert_no_error (error);
  if (!fake_host_init (h))
    {
      g_autofree char *log = nft_test_captured ();

      g_error ("init failed:\n%s", log);
    }
  return h;
}

static void
round_ok (FakeHost *h)
{
  g_assert_cmpint (fake_host_round (h), ==, 0);
}

static gint64
total (FakeHost *h, const char *rule)
{
  FakeRule *r = fake_host_rule (h, rule);

  if (r == NULL)
    g_error ("no rule %s; trace:\n%s", rule, h->trace->str);
  return r->total;
}

static void
finish (FakeHost *h)
{
  fake_host_free (h);
  /* The host reports leaks of the module when it unloads it. */
  g_assert_cmpuint (nft_test_count ("not freed"), ==, 0);
  g_assert_cmpuint (nft_test_count ("not deinitialised"), ==, 0);
}

static void
setup (void)
{
  nft_test_capture_clear ();
  nft_test_capture_start ();
}

/* Tests */

static const char *base_ruleset =
  "table inet ipa {\n"
  "  counter c_out { }\n"
  "  counter c_in { }\n"
  "  counter c_tcp { }\n"
  "  set clients { type ipv4_addr; counter; elements = { 10.213.0.2, 10.213.0.3 } }\n"
  "  chain o { type filter hook output priority 0; policy accept;\n"
  "    oifname \"nfta\" counter name \"c_out\"\n"
  "    oifname \"nfta\" tcp dport 5001 counter name \"c_tcp\"\n"
  "    ip daddr @clients\n"
  "  }\n"
  "  chain i { type filter hook input priority 0; policy accept;\n"
  "    iifname \"nfta\" counter name \"c_in\"\n"
  "  }\n"
  "}\n"
  "table ip other {\n"
  "  counter c_any { }\n"
  "  chain o { type filter hook output priority 0; counter name \"c_any\"; }\n"
  "}\n";

static int
print_counter_cb (const NftCounterInfo *c, void *data)
{
  g_string_append_printf (data, "%s %s %s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
                          nft_family_name (c->family), c->table, c->name, c->packets, c->bytes);
  return 0;
}

static int
count_other_cb (const NftCounterInfo *c, void *data)
{
  g_assert_cmpstr (c->table, ==, "other");
  (*(guint *) data)++;
  return 0;
}

typedef struct {
  NftSetInfo info;
  GString *text;         /* "ELEMENT PACKETS BYTES\n" per element */
  GPtrArray *texts;      /* element texts */
} ElemCtx;

static int
elem_cb (const NftElemInfo *e, void *data)
{
  ElemCtx *ctx = data;
  char text[128], err[128];
  uint8_t key[NFT_KEY_MAX];

  g_assert_true (e->has_counter);
  g_assert_cmpint (nft_key_format (ctx->info.key_type, e->key, e->key_len, text, sizeof text), >, 0);
  /* And back to the same bytes. */
  g_assert_cmpint (nft_key_parse (ctx->info.key_type, ctx->info.key_len, text, key, err, sizeof err),
                   ==, 0);
  g_assert_cmpmem (key, e->key_len, e->key, e->key_len);
  if (ctx->text != NULL)
    g_string_append_printf (ctx->text, "%s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n", text,
                            e->packets, e->bytes);
  if (ctx->texts != NULL)
    g_ptr_array_add (ctx->texts, g_strdup (text));
  return 0;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The dump itself matches nft's own listing. */
static void
test_dump (void)
{
  NftNl *nl = nft_nl_new ();
  g_autofree char *listed = NULL;
  g_autoptr(GString) dumped = g_string_new (NULL);
  g_auto(GStrv) want = NULL, got = NULL;

  load_ruleset (base_ruleset);
  ping_b (addr_b, 4, 100);
  tcp_send (addr_b, 5001, 20000);

  listed = sh ("nftns_counters \"$NFTNS_A\" | LC_ALL=C sort");
  g_assert_cmpint (nft_nl_dump_counters (nl, 0, NULL, print_counter_cb, dumped), ==, 0);
  want = g_strsplit (g_strstrip (listed), "\n", -1);
  got = g_strsplit (g_strstrip (dumped->str), "\n", -1);
  qsort (got, g_strv_length (got), sizeof *got, cmp_str);
  g_assert_cmpuint (g_strv_length (want), ==, 4);
  g_assert_true (g_strv_equal ((const char *const *) want, (const char *const *) got));
  /* The counters really moved. */
  g_assert_cmpint (kbytes ("ipa", "c_out"), >, 20000);

  /* Filtered by table. */
  {
    guint n = 0;

    g_assert_cmpint (nft_nl_dump_counters (nl, NFPROTO_IPV4, "other", count_other_cb, &n), ==, 0);
    g_assert_cmpuint (n, ==, 1);
  }
  /* Sets: description, elements with their counters, missing ones. */
  {
    ElemCtx ctx = { { 0 }, g_string_new (NULL), NULL };
    g_autofree char *listed_elems = sh ("nftns_set_elems \"$NFTNS_A\" inet ipa clients | LC_ALL=C sort");
    g_auto(GStrv) lines = NULL;
    g_autofree char *sorted = NULL;

    g_assert_cmpint (nft_nl_get_set (nl, NFPROTO_INET, "ipa", "clients", &ctx.info), ==, 0);
    g_assert_cmpuint (ctx.info.key_type, ==, NFT_KEY_TYPE_IPADDR);
    g_assert_cmpuint (ctx.info.key_len, ==, 4);
    g_assert_cmpint (nft_nl_dump_elems (nl, NFPROTO_INET, "ipa", "clients", elem_cb, &ctx), ==, 0);
    lines = g_strsplit (g_strstrip (ctx.text->str), "\n", -1);
    qsort (lines, g_strv_length (lines), sizeof *lines, cmp_str);
    sorted = g_strjoinv ("\n", lines);
    g_assert_cmpstr (sorted, ==, g_strstrip (listed_elems));
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_cmpint (nft_nl_get_set (nl, NFPROTO_INET, "ipa", "nosuch", &ctx.info), ==, -ENOENT);
    g_assert_cmpint (nft_nl_dump_elems (nl, NFPROTO_INET, "ipa", "nosuch", elem_cb, &ctx), ==,
                     -ENOENT);
    g_string_free (ctx.text, TRUE);
  }
  nft_nl_free (nl);
}

/* A reading asks only for what is referenced: the tables, one counter
 * dump per table with counters, and per set its description and elements. */
static void
test_requests_per_round (void)
{
  NftNl *nl = nft_nl_new ();
  NftWatch *w = nft_watch_new (NULL, NULL);
  NftWCounter *c[3];
  NftWSet *s;
  NftWElem *e;
  NftSample sample;
  unsigned int before;

  load_ruleset (base_ruleset);
  ping_b (addr_b, 2, 100);
  g_assert_cmpint (nft_watch_read (w, nl), ==, 0);
  g_assert_cmpuint (nft_nl_get_n_requests (nl), ==, 0);  /* nothing referenced */

  c[0] = nft_watch_counter_ref (w, NFPROTO_INET, "ipa", "c_out");
  c[1] = nft_watch_counter_ref (w, NFPROTO_INET, "ipa", "c_in");
  c[2] = nft_watch_counter_ref (w, NFPROTO_INET, "ipa", "c_out");  /* shared */
  g_assert_true (c[0] == c[2]);
  before = nft_nl_get_n_requests (nl);
  g_assert_cmpint (nft_watch_read (w, nl), ==, 0);
  g_assert_cmpuint (nft_nl_get_n_requests (nl) - before, ==, 2);
  nft_watch_counter_sample (c[0], NFT_UNIT_BYTES, &sample);
  g_assert_cmpint (sample.state, ==, NFT_SAMPLE_PRESENT);
  g_assert_cmpint ((gint64) sample.value, ==, kbytes ("ipa", "c_out"));

  s = nft_watch_set_ref (w, NFPROTO_INET, "ipa", "clients", 0);
  e = nft_watch_elem_ref (w, s, "10.213.0.2", 0);
  nft_watch_set_unref (w, s, 0);
  before = nft_nl_get_n_requests (nl);
  g_assert_cmpint (nft_watch_read (w, nl), ==, 0);
  g_assert_cmpuint (nft_nl_get_n_requests (nl) - before, ==, 4);
  nft_watch_elem_sample (e, NFT_UNIT_PACKETS, &sample);
  g_assert_cmpint (sample.state, ==, NFT_SAMPLE_PRESENT);
  g_assert_cmpuint (sample.value, ==, 2);

  /* A counter of another table adds one dump. */
  nft_watch_counter_unref (w, c[1]);
  c[1] = nft_watch_counter_ref (w, NFPROTO_IPV4, "other", "c_any");
  before = nft_nl_get_n_requests (nl);
  g_assert_cmpint (nft_watch_read (w, nl), ==, 0);
  g_assert_cmpuint (nft_nl_get_n_requests (nl) - before, ==, 5);
  /* Once nothing is referenced, nothing is read. */

  nft_watch_elem_unref (w, e);
  nft_watch_counter_unref (w, c[1]);
  nft_watch_counter_unref (w, c[0]);
  nft_watch_counter_unref (w, c[0]);
  nft_watch_counter_unref (w, nft_watch_counter_ref (w, NFPROTO_INET, "ipa", "x"));
  before = nft_nl_get_n_requests (nl);
  g_assert_cmpint (nft_watch_read (w, nl), ==, 0);
  g_assert_cmpuint (nft_nl_get_n_requests (nl), ==, before);
  nft_watch_free (w);
  nft_nl_free (nl);
}

/* Keys of real sets of every type the codec knows. */
static void
test_key_types (void)
{
  struct {
    const char *set;
    const char *type;
    const char *elements;   /* in nft syntax */
    const char *texts[3];   /* as the module writes them */
  } sets[] = {
    { "v4", "ipv4_addr", "10.1.2.3, 192.168.0.1", { "10.1.2.3", "192.168.0.1" } },
    { "v6", "ipv6_addr", "fd00::1, 2001:db8::42", { "fd00::1", "2001:db8::42" } },
    { "mac", "ether_addr", "02:00:5e:10:00:ff", { "02:00:5e:10:00:ff" } },
    { "ports", "inet_service", "80, 443", { "80", "443" } },
    { "protos", "inet_proto", "6, 17", { "6", "17" } },
    { "marks", "mark", "0x102", { "0x00000102" } },
    { "dev", "ifname", "\"veth-a_1\"", { "veth-a_1" } },
    { "pair", "ipv4_addr . inet_service", "10.0.0.2 . 80", { "10.0.0.2 . 80" } },
  };
  g_autoptr(GString) rs = g_string_new ("table inet keys {\n");
  NftNl *nl = nft_nl_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (sets); i++)
    g_string_append_printf (rs, "  set %s { type %s; counter; elements = { %s } }\n", sets[i].set,
                            sets[i].type, sets[i].elements);
  g_string_append (rs, "}\n");
  load_ruleset (rs->str);

  for (gsize i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
      ElemCtx ctx = { { 0 }, NULL, texts };

      g_assert_cmpint (nft_nl_get_set (nl, NFPROTO_INET, "keys", sets[i].set, &ctx.info), ==, 0);
      g_assert_cmpint (nft_nl_dump_elems (nl, NFPROTO_INET, "keys", sets[i].set, elem_cb, &ctx),
                       ==, 0);
      for (guint j = 0; sets[i].texts[j] != NULL; j++)
        if (!g_ptr_array_find_with_equal_func (texts, sets[i].texts[j], g_str_equal, NULL))
          g_error ("set %s (%s): %s not among the %u elements read", sets[i].set, sets[i].type,
                   sets[i].texts[j], texts->len);
    }
  nft_nl_free (nl);
}

/* Module totals equal the kernel's counters exactly. */
static void
test_totals (void)
{
  FakeHost *h;

  setup ();
  load_ruleset (base_ruleset);
  h = start ("global { nft:table = \"inet ipa\"; }\n"
             "rule out { nft:counters = \"c_out\"; }\n"
             "rule in { nft:counters = \"inet ipa c_in\"; }\n"
             "rule out_not_tcp { nft:counters = \"c_out - c_tcp\"; }\n"
             "rule both { nft:counters = \"c_out + c_in + ip other c_any\"; }\n"
             "rule out_packets { nft:counters = \"c_out\"; nft:unit = packets; }\n"
             "rule host2 { nft:set = \"clients\"; nft:element = \"10.213.0.2\"; }\n"
             "rule hosts { nft:counters = \"@clients[10.213.0.2] + clients[10.213.0.3]\"; }\n");
  round_ok (h);  /* baselines: every counter is still 0 */
  g_assert_cmpint (total (h, "out"), ==, 0);

  ping_b (addr_b, 5, 100);
  ping_b (addr_b2, 3, 200);
  tcp_send (addr_b, 5001, 100000);
  round_ok (h);

  g_assert_cmpint (total (h, "out"), ==, kbytes ("ipa", "c_out"));
  g_assert_cmpint (total (h, "in"), ==, kbytes ("ipa", "c_in"));
  g_assert_cmpint (total (h, "out_not_tcp"), ==, kbytes ("ipa", "c_out") - kbytes ("ipa", "c_tcp"));
  g_assert_cmpint (total (h, "both"), ==, kbytes ("ipa", "c_out") + kbytes ("ipa", "c_in")
                                          + kernel_value ("ip", "other", "c_any", NULL, FALSE));
  g_assert_cmpint (total (h, "out_packets"), ==, kernel_value ("inet", "ipa", "c_out", NULL, TRUE));
  g_assert_cmpint (total (h, "host2"), ==, kelem ("ipa", "clients", "10.213.0.2"));
  g_assert_cmpint (total (h, "hosts"), ==, kelem ("ipa", "clients", "10.213.0.2")
                                           + kelem ("ipa", "clients", "10.213.0.3"));
  /* ICMP echo requests: 8 packets of 128 and 228 bytes went out; TCP on top. */
  g_assert_cmpint (total (h, "out_not_tcp"), ==, 5 * 128 + 3 * 228);
  g_assert_cmpint (total (h, "out") - total (h, "out_not_tcp"), >=, 100000);
  g_assert_cmpint (kelem ("ipa", "clients", "10.213.0.3"), ==, 3 * 228);

  /* A rule made inactive and active again starts from a new baseline. */
  fake_host_set_rule_active (h, "out", FALSE);
  ping_b (addr_b, 2, 100);
  round_ok (h);
  fake_host_set_rule_active (h, "out", TRUE);
  round_ok (h);
  ping_b (addr_b, 1, 100);
  round_ok (h);
  g_assert_cmpint (total (h, "out_not_tcp"), ==, 8 * 128 + 3 * 228);
  g_assert_cmpint (total (h, "out"), ==, kbytes ("ipa", "c_out") - 2 * 128);
  finish (h);
}

static void
test_reset_delete_recreate (void)
{
  gint64 before;
  FakeHost *h;

  setup ();
  load_ruleset (base_ruleset);
  h = start ("global { nft:table = \"inet ipa\"; }\n"
             "rule out { nft:counters = \"c_out\"; }\n"
             "rule host2 { nft:set = \"clients\"; nft:element = \"10.213.0.2\"; }\n");
  round_ok (h);
  ping_b (addr_b, 5, 100);
  round_ok (h);
  g_assert_cmpint (total (h, "out"), ==, 5 * 128);

  /* Reset: the new value counts from 0, nothing negative. */
  {
    g_autofree char *out = sh ("ip netns exec \"$NFTNS_A\" nft reset counter inet ipa c_out");
  }
  ping_b (addr_b, 2, 100);
  round_ok (h);
  g_assert_cmpint (kbytes ("ipa", "c_out"), ==, 2 * 128);
  g_assert_cmpint (total (h, "out"), ==, 7 * 128);
  g_assert_cmpuint (nft_test_count ("counter inet ipa c_out went backwards (reset)"), ==, 1);

  /* Deleted: counts nothing, said once. */
  load_ruleset ("table inet ipa {\n"
                "  set clients { type ipv4_addr; counter; elements = { 10.213.0.3 } }\n"
                "  chain o { type filter hook output priority 0; ip daddr @clients; }\n"
                "}\n");
  ping_b (addr_b, 2, 100);
  round_ok (h);
  round_ok (h);
  g_assert_cmpint (total (h, "out"), ==, 7 * 128);
  g_assert_cmpuint (nft_test_count ("counter inet ipa c_out does not exist"), ==, 1);
  g_assert_cmpuint (nft_test_count ("element 10.213.0.2 of set inet ipa clients is not in the set"),
                    ==, 1);

  /* Back, with traffic before the next reading: all of it counts. */
  load_ruleset (base_ruleset);
  ping_b (addr_b, 3, 100);
  round_ok (h);
  g_assert_cmpint (total (h, "out"), ==, 10 * 128);
  g_assert_cmpint (total (h, "host2"), ==, kelem ("ipa", "clients", "10.213.0.2") + 7 * 128);
  g_assert_cmpuint (nft_test_count ("counter inet ipa c_out is there again"), ==, 1);

  /* Deleted and created again between two readings, already above its old
   * value (created with one): its identity changed, all of it is new. */
  before = total (h, "out");
  load_ruleset ("table inet ipa {\n"
                "  counter c_out { packets 100 bytes 100000 }\n"
                "  chain o { type filter hook output priority 0; oifname \"nfta\" counter name \"c_out\"; }\n"
                "}\n");
  ping_b (addr_b, 1, 100);
  round_ok (h);
  g_assert_cmpint (kbytes ("ipa", "c_out"), ==, 100000 + 128);
  g_assert_cmpint (total (h, "out"), ==, before + 100000 + 128);
  g_assert_cmpuint (nft_test_count ("counter inet ipa c_out was deleted and created again"), ==, 1);
  g_assert_cmpuint (nft_test_count ("set inet ipa clients does not exist"), ==, 1);
  finish (h);
}

static void
test_missing_table (void)
{
  FakeHost *h;
  g_autofree char *all = NULL;

  setup ();
  load_ruleset ("table inet ipa { }\n");
  h = start ("global { nft:table = \"inet late\"; }\n"
             "rule a { nft:counters = \"c1 + c2\"; }\n"
             "rule b { nft:counters = \"c1\"; }\n");
  round_ok (h);
  round_ok (h);
  all = nft_test_captured ();
  g_test_message ("%s", all);
  /* One message for the table, none per counter. */
  g_assert_cmpuint (nft_test_count ("table inet late does not exist: its 2 counters count nothing"),
                    ==, 1);
  g_assert_cmpuint (nft_test_count ("counter inet late c1"), ==, 0);

  load_ruleset ("table inet late {\n"
                "  counter c1 { }\n"
                "  counter c2 { }\n"
                "  chain o { type filter hook output priority 0; oifname \"nfta\" counter name \"c1\";\n"
                "    oifname \"nfta\" icmp type echo-request counter name \"c2\"; }\n"
                "}\n");
  ping_b (addr_b, 4, 100);
  round_ok (h);
  g_assert_cmpuint (nft_test_count ("table inet late is there again"), ==, 1);
  g_assert_cmpint (total (h, "a"), ==, 2 * 4 * 128);
  g_assert_cmpint (total (h, "b"), ==, kernel_value ("inet", "late", "c1", NULL, FALSE));
  finish (h);
}

static const char *auto_ruleset =
  "table inet ipa {\n"
  "  counter c_out { }\n"
  "  set perip { type ipv4_addr; flags dynamic; counter; size 1024; }\n"
  "  set blocked { type ipv4_addr; }\n"
  "  set allowed { type ipv4_addr; elements = { 10.213.0.2, 10.213.0.3 } }\n"
  "  chain o { type filter hook output priority 0; policy accept;\n"
  "    oifname \"nfta\" counter name \"c_out\"\n"
  "    ip daddr @blocked drop\n"
  "    oifname \"nfta\" update @perip { ip daddr }\n"
  "  }\n"
  "}\n";

static void
test_autorule (void)
{
  FakeHost *h;
  gint64 base3;
  FakeRule *r;

  setup ();
  load_ruleset (auto_ruleset);
  /* An element there before the module starts: a baseline, not counted. */
  ping_b (addr_b2, 2, 100);
  base3 = kelem ("ipa", "perip", "10.213.0.3");
  g_assert_cmpint (base3, ==, 2 * 128);
  h = start ("global { nft:table = \"inet ipa\"; }\n"
             "rule taken_10.213.0.9 { nft:counters = \"c_out\"; }\n"
             "autorule per_ip { nft:set = \"perip\"; }\n"
             "autorule taken { nft:set = \"perip\"; nft:element_pattern = \"\\\\.9$\"; }\n"
             "autorule only2 { nft:set = \"inet ipa perip\"; nft:rule_prefix = \"two-\";\n"
             "  nft:element_pattern = \"^10\\\\.213\\\\.0\\\\.2$\"; }\n");
  round_ok (h);
  g_assert_cmpuint (fake_host_n_dynamic (h), ==, 1);
  r = fake_host_rule (h, "per_ip_10.213.0.3");
  g_assert_nonnull (r);
  g_assert_cmpstr (r->info, ==, "element 10.213.0.3 of set inet ipa perip");
  g_assert_cmpint (r->total, ==, 0);

  /* A new element: a new rule that counts it from its first packet. */
  ping_b (addr_b, 3, 100);
  ping_b (addr_b2, 1, 100);
  round_ok (h);
  g_assert_cmpuint (fake_host_n_dynamic (h), ==, 3);
  g_assert_cmpint (total (h, "per_ip_10.213.0.2"), ==, kelem ("ipa", "perip", "10.213.0.2"));
  g_assert_cmpint (total (h, "per_ip_10.213.0.2"), ==, 3 * 128);
  g_assert_cmpint (total (h, "two-10.213.0.2"), ==, 3 * 128);
  g_assert_cmpint (total (h, "per_ip_10.213.0.3"), ==, kelem ("ipa", "perip", "10.213.0.3") - base3);
  ping_b (addr_b, 1, 100);
  round_ok (h);
  g_assert_cmpint (total (h, "per_ip_10.213.0.2"), ==, 4 * 128);

  /* A name that is taken: said once, not retried every round. */
  {
    g_autofree char *out = sh ("ip netns exec \"$NFTNS_A\" nft add element inet ipa perip '{ 10.213.0.9 }'");
  }
  round_ok (h);
  round_ok (h);
  g_assert_nonnull (fake_host_rule (h, "per_ip_10.213.0.9"));
  g_assert_cmpuint (nft_test_count ("autorule taken: a rule named taken_10.213.0.9 exists already"),
                    ==, 1);
  g_assert_nonnull (strstr (h->trace->str, "-2 taken_10.213.0.9\n"));

  /* An element gone: its rules go, deinitialised after the round. */
  {
    g_autofree char *out = sh ("ip netns exec \"$NFTNS_A\" nft delete element inet ipa perip '{ 10.213.0.2 }'");
  }
  round_ok (h);
  g_assert_null (fake_host_rule (h, "per_ip_10.213.0.2"));
  g_assert_null (fake_host_rule (h, "two-10.213.0.2"));
  g_assert_nonnull (strstr (h->trace->str, "delete per_ip_10.213.0.2 "));
  g_assert_nonnull (strstr (h->trace->str, "delete two-10.213.0.2 "));
  g_assert_cmpuint (fake_host_n_dynamic (h), ==, 2);

  /* Back: a new rule, counting from 0 again. */
  ping_b (addr_b, 2, 100);
  round_ok (h);
  g_assert_cmpint (total (h, "per_ip_10.213.0.2"), ==, 2 * 128);

  /* A rule of this autorule cannot be made by other means (ipactl). */
  g_assert_cmpint (h->ac->ac_init_dynrule (1, 99, "taken_10.213.0.77"), ==, -1);
  g_assert_cmpuint (nft_test_count ("rule taken_10.213.0.77: autorule taken makes its rules itself, "
                                    "one per element of set inet ipa perip; add the element to "
                                    "the set instead"), ==, 1);

  /* ac_create_rule failing (-1) makes ac_get_stat fail. */
  {
    g_autofree char *out = sh ("ip netns exec \"$NFTNS_A\" nft delete element inet ipa perip '{ 10.213.0.2 }'");
  }
  round_ok (h);
  g_assert_null (fake_host_rule (h, "per_ip_10.213.0.2"));
  h->fail_create = TRUE;
  ping_b (addr_b, 1, 100);
  g_assert_cmpint (fake_host_round (h), ==, -1);
  g_assert_cmpuint (nft_test_count ("autorule per_ip: cannot create rule per_ip_10.213.0.2"), ==, 1);
  h->fail_create = FALSE;
  round_ok (h);
  g_assert_nonnull (fake_host_rule (h, "per_ip_10.213.0.2"));

  /* The whole set gone: every rule of it goes. */
  load_ruleset ("table inet ipa {\n  counter c_out { }\n}\n");
  round_ok (h);
  g_assert_cmpuint (fake_host_n_dynamic (h), ==, 0);
  g_assert_cmpuint (nft_test_count ("set inet ipa perip does not exist"), ==, 1);
  finish (h);
}

static void
test_limit_events (void)
{
  FakeHost *h;

  setup ();
  load_ruleset (auto_ruleset);
  ping_b (addr_b2, 1, 100);
  h = start ("global { nft:table = \"inet ipa\"; }\n"
             "rule host2 { nft:counters = \"perip[10.213.0.2]\";\n"
             "  limit quota { nft:on_reach_add = \"blocked\"; }\n"
             "  limit open { nft:on_reach_del = \"allowed[10.213.0.3]\"; }\n"
             "  limit broken { nft:on_reach_add = \"nosuch\"; }\n"
             "  limit plain { }\n"
             "}\n"
             "autorule per_ip { nft:set = \"perip\";\n"
             "  limit quota { nft:on_reach_add = \"inet ipa @blocked\"; }\n"
             "}\n");
  round_ok (h);

  /* Reached: the rule's element goes into "blocked", and is blocked. */
  g_assert_cmpint (fake_host_limit_event (h, "host2", 0, IPA_LIMIT_EVENT_REACH), ==, 0);
  g_assert_true (set_has ("ipa", "blocked", addr_b));
  g_assert_cmpuint (nft_test_count ("rule host2, limit quota reached: added 10.213.0.2 to set inet ipa blocked"),
                    ==, 1);
  {
    g_autofree char *out = sh ("! nftns_ping \"$NFTNS_A\" %s 1 10", addr_b);
  }
  /* Twice is harmless. */
  g_assert_cmpint (fake_host_limit_event (h, "host2", 0, IPA_LIMIT_EVENT_STARTUP_IF_REACHED), ==, 0);
  g_assert_true (set_has ("ipa", "blocked", addr_b));
  /* Shutdown leaves the set as it is. */
  g_assert_cmpint (fake_host_limit_event (h, "host2", 0, IPA_LIMIT_EVENT_SHUTDOWN_IF_REACHED), ==, 0);
  g_assert_true (set_has ("ipa", "blocked", addr_b));
  /* Expired: out again, traffic flows. */
  g_assert_cmpint (fake_host_limit_event (h, "host2", 0, IPA_LIMIT_EVENT_EXPIRE), ==, 0);
  g_assert_false (set_has ("ipa", "blocked", addr_b));
  ping_b (addr_b, 1, 10);
  g_assert_cmpint (fake_host_limit_event (h, "host2", 0, IPA_LIMIT_EVENT_RESTART), ==, 0);
  g_assert_false (set_has ("ipa", "blocked", addr_b));

  /* nft:on_reach_del with its own element. */
  g_assert_true (set_has ("ipa", "allowed", addr_b2));
  g_assert_cmpint (fake_host_limit_event (h, "host2", 1, IPA_LIMIT_EVENT_REACH), ==, 0);
  g_assert_false (set_has ("ipa", "allowed", addr_b2));
  g_assert_true (set_has ("ipa", "allowed", addr_b));
  g_assert_cmpint (fake_host_limit_event (h, "host2", 1, IPA_LIMIT_EVENT_STARTUP_IF_NOT_REACHED), ==, 0);
  g_assert_true (set_has ("ipa", "allowed", addr_b2));

  /* A set that does not exist: logged with everything named, no failure. */
  g_assert_cmpint (fake_host_limit_event (h, "host2", 2, IPA_LIMIT_EVENT_REACH), ==, 0);
  g_assert_cmpuint (nft_test_count ("rule host2, limit broken reached: cannot add 10.213.0.2 to set "
                                    "inet ipa nosuch: No such file or directory"), ==, 1);
  /* A limit without an action. */
  g_assert_cmpint (fake_host_limit_event (h, "host2", 3, IPA_LIMIT_EVENT_REACH), ==, 0);

  /* A dynamic rule's limit uses the rule's element. */
  g_assert_cmpint (fake_host_limit_event (h, "per_ip_10.213.0.3", 0, IPA_LIMIT_EVENT_REACH), ==, 0);
  g_assert_true (set_has ("ipa", "blocked", addr_b2));
  g_assert_cmpint (fake_host_limit_event (h, "per_ip_10.213.0.3", 0, IPA_LIMIT_EVENT_EXPIRE), ==, 0);
  g_assert_false (set_has ("ipa", "blocked", addr_b2));
  finish (h);
}

/* Without CAP_NET_ADMIN the module says so and refuses to start. */
static void
test_no_permission (void)
{
  if (g_test_subprocess ())
    {
      struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
      struct __user_cap_data_struct data[2];
      g_autoptr(GError) error = NULL;
      FakeHost *h;

      g_assert_cmpint (syscall (SYS_capget, &hdr, data), ==, 0);
      data[CAP_NET_ADMIN / 32].effective &= ~(1U << (CAP_NET_ADMIN % 32));
      g_assert_cmpint (syscall (SYS_capset, &hdr, data), ==, 0);
      ipa_log_set_handler (NULL, NULL);
      h = fake_host_new (MODULE, "rule r { nft:counters = \"inet ipa c_out\"; }\n", &error);
      g_assert_no_error (error);
      g_assert_false (fake_host_init (h));
      fake_host_free (h);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*nft: cannot read nftables (reading nftables needs CAP_NET_ADMIN): "
                             "Operation not permitted*");
}

int
main (int argc, char **argv)
{
  int r;

  g_test_init (&argc, &argv, NULL);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);
  addr_b = g_getenv ("NFTNS_ADDR_B");
  addr_b2 = g_getenv ("NFTNS_ADDR_B2");
  if (addr_b == NULL || addr_b2 == NULL || g_getenv ("NFTNS_LIB") == NULL)
    {
      g_printerr ("run me through run-in-netns.sh\n");
      return 77;
    }
  nft_test_mem_setup ();
  g_test_add_func ("/nft/live/dump", test_dump);
  g_test_add_func ("/nft/live/requests-per-round", test_requests_per_round);
  g_test_add_func ("/nft/live/key-types", test_key_types);
  g_test_add_func ("/nft/live/totals", test_totals);
  g_test_add_func ("/nft/live/reset-delete-recreate", test_reset_delete_recreate);
  g_test_add_func ("/nft/live/missing-table", test_missing_table);
  g_test_add_func ("/nft/live/autorule", test_autorule);
  g_test_add_func ("/nft/live/limit-events", test_limit_events);
  g_test_add_func ("/nft/live/no-permission", test_no_permission);
  r = g_test_run ();
  /* The parts used directly gave back all they took. */
  g_assert_cmpuint (nft_test_mem_in_use (), ==, 0);
  return r;
}
