/*
 * nft-key.h: set element keys, between the kernel's bytes and text.
 *
 * The kernel stores a set's key as raw bytes plus an informational type
 * number that nft(8) chose (NFTA_SET_KEY_TYPE).  These types are known:
 * ipv4_addr, ipv6_addr, ether_addr, inet_proto, inet_service, mark,
 * ifname, and concatenations of them ("10.0.0.2 . 80"); a key of any
 * other type is written as 0x followed by its bytes in hex, in both
 * directions.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define NFT_KEY_MAX 64   /* NFT_DATA_VALUE_MAXLEN */

/* Type numbers of nft(8) (its datatype.h) that we understand. */
#define NFT_KEY_TYPE_INTEGER       4
#define NFT_KEY_TYPE_IPADDR        7
#define NFT_KEY_TYPE_IP6ADDR       8
#define NFT_KEY_TYPE_ETHERADDR     9
#define NFT_KEY_TYPE_INET_PROTOCOL 12
#define NFT_KEY_TYPE_INET_SERVICE  13
#define NFT_KEY_TYPE_MARK          19
#define NFT_KEY_TYPE_IFNAME        41
#define NFT_KEY_TYPE_BITS          6  /* a concatenation packs types in 6 bits each */

/* Write the text of @key (@len bytes) of type @type into @buf.  Returns the
 * text length, or -1 if @bufsize is too small. */
int nft_key_format (uint32_t type, const uint8_t *key, size_t len, char *buf, size_t bufsize);

/* Parse @text as a key of @type and @len bytes into @key (NFT_KEY_MAX
 * bytes).  -1 with a message in @err if the text is not such a key. */
int nft_key_parse (uint32_t type, size_t len, const char *text, uint8_t *key,
                   char *err, size_t errsize);

/* "ipv4_addr", "ipv4_addr . inet_service", "type 42"; into @buf. */
const char *nft_key_type_name (uint32_t type, size_t len, char *buf, size_t bufsize);
