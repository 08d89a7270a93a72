/*
 * test-nft-conf.c: the configuration of ipa_ac_nft through the real
 * loader and parser: parameters, their errors with locations, placement,
 * rulepat inheritance, printing, and the checks at rule initialisation
 * (all before the module talks to the kernel, so no privileges needed).
 */
#include "config.h"

#include <string.h>

#include "ipa-conf-parser.h"
#include "ipa-conf-printer.h"
#include "ipa-log.h"
#include "nft-fake-host.h"
#include "nft-test-util.h"

#define MODULE "ipa_ac_nft.so"

static FakeHost *
host_ok (const char *config)
{
  g_autoptr(GError) error = NULL;
  FakeHost *h = fake_host_new (MODULE, config, &error);

  g_assert_no_error (error);
  g_assert_nonnull (h);
  return h;
}

/* The configuration fails; the error is located and says @needle. */
static void
conf_fails (const char *config, const char *location, const char *needle)
{
  g_autoptr(GError) error = NULL;
  FakeHost *h;

  nft_test_capture_start ();
  h = fake_host_new (MODULE, config, &error);
  nft_test_capture_stop ();
  g_assert_null (h);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (!g_str_has_prefix (error->message, location) || strstr (error->message, needle) == NULL)
    g_error ("got \"%s\", want \"%s…%s\"", error->message, location, needle);
  /* Nothing leaked on the way out. */
  g_assert_cmpuint (nft_test_count ("not freed"), ==, 0);
  g_assert_cmpuint (nft_test_count ("not deinitialised"), ==, 0);
  nft_test_capture_clear ();
}

static char *
show (FakeHost *h, unsigned int sect_id, unsigned int no)
{
  g_autoptr(IpaConfPrinter) p = ipa_conf_printer_new ();

  ipa_conf_printer_set_current (p);
  h->module->conf_show (sect_id, no);
  ipa_conf_printer_set_current (NULL);
  return g_strdup (ipa_conf_printer_get_text (p));
}

static void
assert_shows (FakeHost *h, unsigned int sect_id, unsigned int no, const char *needle)
{
  g_autofree char *text = show (h, sect_id, no);

  if (strstr (text, needle) == NULL)
    g_error ("section %u/%u shows \"%s\", without \"%s\"", sect_id, no, text, needle);
}

static void
test_parse_and_show (void)
{
  FakeHost *h = host_ok (
    "global { nft:table = \"inet filter\"; nft:unit = packets; }\n"
    "rule web { nft:counters = \"web_in + inet filter web_out - excluded\";\n"
    "  limit big { nft:on_reach_add = \"ip blocking blocked[10.0.0.9]\"; }\n"
    "  limit small { nft:on_reach_del = \"@allowed\"; }\n"
    "}\n"
    "rule host { nft:set = \"clients\"; nft:element = \"10.0.0.2\"; nft:unit = bytes; }\n"
    "autorule per_ip { nft:set = \"inet filter clients\"; nft:rule_prefix = \"ip-\";\n"
    "  nft:element_pattern = \"^10\\\\.\"; }\n");

  assert_shows (h, IPA_CONF_SECT_GLOBAL, 0, "nft:table");
  assert_shows (h, IPA_CONF_SECT_GLOBAL, 0, "\"inet filter\"");
  assert_shows (h, IPA_CONF_SECT_GLOBAL, 0, "packets");
  assert_shows (h, IPA_CONF_SECT_RULE, 0, "\"web_in + inet filter web_out - excluded\"");
  assert_shows (h, IPA_CONF_SECT_LIMIT, 0, "nft:on_reach_add");
  assert_shows (h, IPA_CONF_SECT_LIMIT, 1, "nft:on_reach_del");
  assert_shows (h, IPA_CONF_SECT_LIMIT, 1, "\"@allowed\"");
  assert_shows (h, IPA_CONF_SECT_RULE, 1, "nft:element");
  assert_shows (h, IPA_CONF_SECT_RULE, 1, "bytes");
  assert_shows (h, IPA_CONF_SECT_AUTORULE, 0, "nft:rule_prefix");
  assert_shows (h, IPA_CONF_SECT_AUTORULE, 0, "\"^10\\\\.\"");
  {
    g_autofree char *root = show (h, IPA_CONF_SECT_ROOT, 0);

    g_assert_cmpstr (root, ==, "");
  }
  fake_host_free (h);
}

static void
test_errors (void)
{
  conf_fails ("rule r {\n  nft:counters = \"a +\";\n}\n", "test.conf:2:",
              "a term is missing after '+'");
  conf_fails ("rule r { nft:counters = \"foo bar\"; }\n", "test.conf:1:",
              "write FAMILY TABLE NAME, or NAME with nft:table");
  conf_fails ("global { nft:table = \"filter\"; }\n", "test.conf:1:", "write FAMILY TABLE");
  conf_fails ("global { nft:table = \"inet6 filter\"; }\n", "test.conf:1:", "unknown family 'inet6'");
  conf_fails ("rule r { nft:set = \"s[1.2.3.4]\"; }\n", "test.conf:1:",
              "no element may be given here");
  conf_fails ("rule r { nft:element = \"a[b]\"; }\n", "test.conf:1:", "not an element");
  conf_fails ("rule r { nft:unit = octets; }\n", "test.conf:1:", "");
  conf_fails ("autorule a { nft:element_pattern = \"(\"; }\n", "test.conf:1:",
              "nft:element_pattern \"(\"");
  conf_fails ("autorule a { nft:rule_prefix = \"a/b\"; }\n", "test.conf:1:", "no '/'");
  conf_fails ("rule r { limit l { nft:on_reach_add = \"a + b\"; } }\n", "test.conf:1:",
              "one set is expected here");
  conf_fails ("rule r { limit l { nft:on_reach_add = \"b\"; nft:on_reach_del = \"c\"; } }\n",
              "test.conf:1:", "give one");
  /* Placement is the parser's business, from the module's tables. */
  conf_fails ("autorule a { nft:element = \"1.2.3.4\"; }\n", "test.conf:1:", "element");
  conf_fails ("rule r { nft:rule_prefix = \"x\"; }\n", "test.conf:1:", "rule_prefix");
  conf_fails ("global { nft:counters = \"x\"; }\n", "test.conf:1:", "counters");
  conf_fails ("rule r { nft:on_reach_add = \"x\"; }\n", "test.conf:1:", "on_reach_add");
}

/* Rules that cannot be initialised say why, naming themselves. */
static void
init_fails (const char *config, const char *needle)
{
  FakeHost *h = host_ok (config);

  nft_test_capture_start ();
  g_assert_false (fake_host_init (h));
  fake_host_free (h);
  nft_test_capture_stop ();
  if (nft_test_count (needle) != 1)
    {
      g_autofree char *all = nft_test_captured ();

      g_error ("want one message with \"%s\", got:\n%s", needle, all);
    }
  g_assert_cmpuint (nft_test_count ("not freed"), ==, 0);
  g_assert_cmpuint (nft_test_count ("not deinitialised"), ==, 0);
  nft_test_capture_clear ();
}

static void
test_init_errors (void)
{
  init_fails ("rule r { }\n", "rule r uses nft but counts nothing");
  init_fails ("rule r { nft:counters = \"inet t c\"; nft:set = \"inet t s\"; }\n",
              "rule r: give nft:counters, or nft:set with nft:element, not both");
  init_fails ("rule r { nft:set = \"inet t s\"; }\n", "rule r: nft:set needs nft:element");
  init_fails ("rule r { nft:element = \"1.2.3.4\"; }\n", "rule r: nft:element needs nft:set");
  init_fails ("rule r { nft:counters = \"c\"; }\n",
              "rule r: 'c' names no table and nft:table is not set");
  init_fails ("rule r { nft:counters = \"inet t a + inet t b\";\n"
              "  limit l { nft:on_reach_add = \"inet t blocked\"; } }\n",
              "rule r, limit l: nft:on_reach_add \"inet t blocked\" names no element");
  init_fails ("autorule a { }\n", "autorule a uses nft but has no nft:set");
  init_fails ("autorule a { nft:set = \"s\"; }\n", "autorule a: nft:set: 's' names no table");
}

static void
test_inherit (void)
{
  FakeHost *h = host_ok (
    "rulepat \"^client_\" {\n"
    "  nft:set = \"inet filter clients\";\n"
    "  nft:unit = packets;\n"
    "  limit quota { nft:on_reach_add = \"inet filter blocked\"; }\n"
    "  limit own { nft:on_reach_del = \"inet filter allowed\"; }\n"
    "}\n"
    "rulepat \"^web\" { nft:counters = \"inet filter web\"; }\n"
    "rule client_a { nft:element = \"10.0.0.2\"; limit own { } }\n"
    "rule web { nft:unit = bytes; }\n"
    "rule other { nft:counters = \"inet filter other\"; }\n");
  g_autofree char *a = NULL, *web = NULL;

  /* client_a: the set and the unit come from the rulepat; its own limit
   * "own" (0) hides the rulepat's; "quota" is copied as limit 1. */
  a = show (h, IPA_CONF_SECT_RULE, 0);
  g_test_message ("%s", a);
  g_assert_nonnull (strstr (a, "\"inet filter clients\""));
  g_assert_nonnull (strstr (a, "\"10.0.0.2\""));
  g_assert_nonnull (strstr (a, "packets"));
  assert_shows (h, IPA_CONF_SECT_LIMIT, 1, "nft:on_reach_add");
  {
    g_autofree char *own = show (h, IPA_CONF_SECT_LIMIT, 0);

    g_assert_cmpstr (own, ==, "");
  }
  web = show (h, IPA_CONF_SECT_RULE, 1);
  g_assert_nonnull (strstr (web, "\"inet filter web\""));
  g_assert_nonnull (strstr (web, "bytes"));
  g_assert_null (strstr (web, "packets"));
  fake_host_free (h);
}

static void
test_mimic (void)
{
  FakeHost *h = host_ok ("global { nft:table = \"ip t\"; }\n"
                         "rule r { nft:counters = \"c\"; }\n"
                         "rule plain { }\n");

  g_assert_cmpint (h->module->conf_mimic_real (), ==, 0);
  /* The defaults of a rule that counts something are shown; others stay. */
  assert_shows (h, IPA_CONF_SECT_RULE, 0, "\"ip t\"");
  assert_shows (h, IPA_CONF_SECT_RULE, 0, "bytes");
  {
    g_autofree char *plain = show (h, IPA_CONF_SECT_RULE, 1);

    g_assert_cmpstr (plain, ==, "");
  }
  fake_host_free (h);
}

/* The deinit chain without any init (ipa -t) leaves nothing behind. */
static void
test_deinit_without_init (void)
{
  FakeHost *h = host_ok ("rule r { nft:counters = \"inet t c\"; limit l { } }\n"
                         "autorule a { nft:set = \"inet t s\"; }\n");

  nft_test_capture_start ();
  fake_host_free (h);
  nft_test_capture_stop ();
  g_assert_cmpuint (nft_test_count ("not freed"), ==, 0);
  g_assert_cmpuint (nft_test_count ("not deinitialised"), ==, 0);
  nft_test_capture_clear ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);
  g_test_add_func ("/nft/conf/parse-and-show", test_parse_and_show);
  g_test_add_func ("/nft/conf/errors", test_errors);
  g_test_add_func ("/nft/conf/init-errors", test_init_errors);
  g_test_add_func ("/nft/conf/inherit", test_inherit);
  g_test_add_func ("/nft/conf/mimic", test_mimic);
  g_test_add_func ("/nft/conf/deinit-without-init", test_deinit_without_init);
  return g_test_run ();
}
