/*
 * test-nft-key.c: set element keys between bytes and text.  (The same
 * codec is checked against real sets in test-nft-live.)
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "nft-key.h"

#define CONCAT2(a, b) (((a) << NFT_KEY_TYPE_BITS) | (b))

typedef struct {
  uint32_t type;
  size_t len;
  const char *text;     /* canonical */
  const uint8_t bytes[NFT_KEY_MAX];
} Case;

static const Case cases[] = {
  { NFT_KEY_TYPE_IPADDR, 4, "10.0.0.2", { 10, 0, 0, 2 } },
  { NFT_KEY_TYPE_IP6ADDR, 16, "fd00::1",
    { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } },
  { NFT_KEY_TYPE_ETHERADDR, 6, "02:00:5e:10:00:ff", { 2, 0, 0x5e, 0x10, 0, 0xff } },
  { NFT_KEY_TYPE_INET_PROTOCOL, 1, "6", { 6 } },
  { NFT_KEY_TYPE_INET_SERVICE, 2, "443", { 1, 187 } },
  { NFT_KEY_TYPE_IFNAME, 16, "veth-a_1", { 'v', 'e', 't', 'h', '-', 'a', '_', '1' } },
  /* ipv4_addr . inet_service: each part padded to 4 bytes */
  { CONCAT2 (NFT_KEY_TYPE_IPADDR, NFT_KEY_TYPE_INET_SERVICE), 8, "192.168.1.7 . 80",
    { 192, 168, 1, 7, 0, 80, 0, 0 } },
  /* unknown type: hex */
  { 42, 3, "0x0a0bff", { 10, 11, 255 } },
  /* a known type whose length disagrees: hex too */
  { NFT_KEY_TYPE_IPADDR, 3, "0x010203", { 1, 2, 3 } },
};

static void
test_format_parse (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      char text[256], err[256] = "";
      uint8_t key[NFT_KEY_MAX];

      g_assert_cmpint (nft_key_format (c->type, c->bytes, c->len, text, sizeof text), ==,
                       (int) strlen (c->text));
      g_assert_cmpstr (text, ==, c->text);
      if (nft_key_parse (c->type, c->len, c->text, key, err, sizeof err) < 0)
        g_error ("'%s': %s", c->text, err);
      g_assert_cmpmem (key, c->len, c->bytes, c->len);
    }
}

static void
test_mark (void)
{
  uint8_t key[NFT_KEY_MAX];
  char text[64], err[128];
  uint32_t v;

  /* Marks are in host order; decimal and hex are both accepted. */
  g_assert_cmpint (nft_key_parse (NFT_KEY_TYPE_MARK, 4, "258", key, err, sizeof err), ==, 0);
  memcpy (&v, key, 4);
  g_assert_cmpuint (v, ==, 258);
  g_assert_cmpint (nft_key_format (NFT_KEY_TYPE_MARK, key, 4, text, sizeof text), >, 0);
  g_assert_cmpstr (text, ==, "0x00000102");
  g_assert_cmpint (nft_key_parse (NFT_KEY_TYPE_MARK, 4, "0x00000102", key, err, sizeof err), ==, 0);
  memcpy (&v, key, 4);
  g_assert_cmpuint (v, ==, 258);
}

static void
test_parse_errors (void)
{
  struct {
    uint32_t type;
    size_t len;
    const char *text;
    const char *message;
  } bad[] = {
    { NFT_KEY_TYPE_IPADDR, 4, "10.0.0.256", "is not an IPv4 address" },
    { NFT_KEY_TYPE_IPADDR, 4, "fd00::1", "is not an IPv4 address" },
    { NFT_KEY_TYPE_IP6ADDR, 16, "10.0.0.1", "is not an IPv6 address" },
    { NFT_KEY_TYPE_ETHERADDR, 6, "02:00:5e:10:00", "is not an Ethernet address" },
    { NFT_KEY_TYPE_ETHERADDR, 6, "02:00:5e:10:00:ff:1", "is not an Ethernet address" },
    { NFT_KEY_TYPE_INET_SERVICE, 2, "65536", "is not a port number" },
    { NFT_KEY_TYPE_INET_SERVICE, 2, "-1", "is not a port number" },
    { NFT_KEY_TYPE_INET_SERVICE, 2, "http", "is not a port number" },
    { NFT_KEY_TYPE_INET_PROTOCOL, 1, "256", "is not a protocol number" },
    { NFT_KEY_TYPE_MARK, 4, "0x100000000", "is not a mark" },
    { NFT_KEY_TYPE_IFNAME, 16, "a-name-too-long-x", "is not an interface name" },
    { CONCAT2 (NFT_KEY_TYPE_IPADDR, NFT_KEY_TYPE_INET_SERVICE), 8, "1.2.3.4", "fewer parts" },
    { CONCAT2 (NFT_KEY_TYPE_IPADDR, NFT_KEY_TYPE_INET_SERVICE), 8, "1.2.3.4 . 80 . 9",
      "has more parts than 2" },
    { CONCAT2 (NFT_KEY_TYPE_IPADDR, NFT_KEY_TYPE_INET_SERVICE), 8, "1.2.3.4.80",
      "fewer parts" },
    { 42, 3, "0a0bff", "is not 0x followed by 3 hex bytes" },
    { 42, 3, "0x0a0b", "is not 0x followed by 3 hex bytes" },
    { 42, 3, "0x0a0bzz", "is not 0x followed by 3 hex bytes" },
    { NFT_KEY_TYPE_IPADDR, 0, "1.2.3.4", "unsupported key length 0" },
    { NFT_KEY_TYPE_IPADDR, NFT_KEY_MAX + 1, "1.2.3.4", "unsupported key length" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      uint8_t key[NFT_KEY_MAX];
      char err[256] = "";

      g_assert_cmpint (nft_key_parse (bad[i].type, bad[i].len, bad[i].text, key, err, sizeof err),
                       ==, -1);
      g_test_message ("'%s': %s", bad[i].text, err);
      if (strstr (err, bad[i].message) == NULL)
        g_error ("'%s': got \"%s\", want \"%s\"", bad[i].text, err, bad[i].message);
    }
}

static void
test_small_buffer (void)
{
  const uint8_t ip[4] = { 10, 0, 0, 2 };
  char text[8];

  g_assert_cmpint (nft_key_format (NFT_KEY_TYPE_IPADDR, ip, 4, text, sizeof text), ==, -1);
  g_assert_cmpint (nft_key_format (NFT_KEY_TYPE_IPADDR, ip, 4, text, 0), ==, -1);
}

static void
test_type_name (void)
{
  char buf[128];

  g_assert_cmpstr (nft_key_type_name (NFT_KEY_TYPE_IPADDR, 4, buf, sizeof buf), ==, "ipv4_addr");
  g_assert_cmpstr (nft_key_type_name (CONCAT2 (NFT_KEY_TYPE_IPADDR, NFT_KEY_TYPE_INET_SERVICE), 8,
                                      buf, sizeof buf), ==, "ipv4_addr . inet_service");
  g_assert_cmpstr (nft_key_type_name (42, 3, buf, sizeof buf), ==, "type 42 (3 bytes)");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nft/key/format-parse", test_format_parse);
  g_test_add_func ("/nft/key/mark", test_mark);
  g_test_add_func ("/nft/key/parse-errors", test_parse_errors);
  g_test_add_func ("/nft/key/small-buffer", test_small_buffer);
  g_test_add_func ("/nft/key/type-name", test_type_name);
  return g_test_run ();
}
