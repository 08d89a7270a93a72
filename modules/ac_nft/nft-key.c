/*
 * nft-key.c: set element keys as text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft-key.h"

#define IFNAMSIZ_ 16
#define MAX_PARTS 8

typedef struct {
  uint32_t type;
  const char *name;
  size_t len;   /* bytes in the key */
} KeyType;

static const KeyType key_types[] = {
  { NFT_KEY_TYPE_IPADDR, "ipv4_addr", 4 },
  { NFT_KEY_TYPE_IP6ADDR, "ipv6_addr", 16 },
  { NFT_KEY_TYPE_ETHERADDR, "ether_addr", 6 },
  { NFT_KEY_TYPE_INET_PROTOCOL, "inet_proto", 1 },
  { NFT_KEY_TYPE_INET_SERVICE, "inet_service", 2 },
  { NFT_KEY_TYPE_MARK, "mark", 4 },
  { NFT_KEY_TYPE_IFNAME, "ifname", IFNAMSIZ_ },
};

static const KeyType *
find_type (uint32_t type)
{
  for (size_t i = 0; i < sizeof key_types / sizeof key_types[0]; i++)
    if (key_types[i].type == type)
      return &key_types[i];
  return NULL;
}

/* Split @type into known parts (most significant first).  Returns the
 * number of parts, or 0 when @type/@len is not made of known types (then
 * the key is raw bytes).  A single type keeps its own length; parts of a
 * concatenation occupy a multiple of 4 bytes each, as in nft registers. */
static int
split_type (uint32_t type, size_t len, const KeyType **parts)
{
  const KeyType *rev[MAX_PARTS];
  int n = 0;
  size_t total = 0;

  if (type == 0)
    return 0;
  while (type != 0)
    {
      const KeyType *k = find_type (type & ((1U << NFT_KEY_TYPE_BITS) - 1));

      if (k == NULL || n == MAX_PARTS)
        return 0;
      rev[n++] = k;
      type >>= NFT_KEY_TYPE_BITS;
    }
  for (int i = 0; i < n; i++)
    {
      parts[i] = rev[n - 1 - i];
      total += n == 1 ? parts[i]->len : (parts[i]->len + 3) / 4 * 4;
    }
  /* Our reading of the type must agree with the kernel's key length. */
  return total == len ? n : 0;
}

static size_t
part_size (const KeyType *k, int nparts)
{
  return nparts == 1 ? k->len : (k->len + 3) / 4 * 4;
}

const char *
nft_key_type_name (uint32_t type, size_t len, char *buf, size_t bufsize)
{
  const KeyType *parts[MAX_PARTS];
  int n = split_type (type, len, parts);
  size_t off = 0;

  if (n == 0)
    {
      snprintf (buf, bufsize, "type %u (%zu bytes)", type, len);
      return buf;
    }
  buf[0] = '\0';
  for (int i = 0; i < n && off < bufsize; i++)
    off += (size_t) snprintf (buf + off, bufsize - off, "%s%s", i > 0 ? " . " : "", parts[i]->name);
  return buf;
}

static int
append (char *buf, size_t bufsize, size_t *off, const char *format, ...)
  __attribute__ ((format (printf, 4, 5)));

static int
append (char *buf, size_t bufsize, size_t *off, const char *format, ...)
{
  va_list ap;
  int r;

  if (*off >= bufsize)
    return -1;
  va_start (ap, format);
  r = vsnprintf (buf + *off, bufsize - *off, format, ap);
  va_end (ap);
  if (r < 0 || (size_t) r >= bufsize - *off)
    return -1;
  *off += (size_t) r;
  return 0;
}

static int
format_hex (const uint8_t *key, size_t len, char *buf, size_t bufsize, size_t *off)
{
  if (append (buf, bufsize, off, "0x") < 0)
    return -1;
  for (size_t i = 0; i < len; i++)
    if (append (buf, bufsize, off, "%02x", key[i]) < 0)
      return -1;
  return 0;
}

static int
format_part (const KeyType *k, const uint8_t *p, char *buf, size_t bufsize, size_t *off)
{
  char a[INET6_ADDRSTRLEN];
  uint32_t u32;

  switch (k->type)
    {
    case NFT_KEY_TYPE_IPADDR:
      inet_ntop (AF_INET, p, a, sizeof a);
      return append (buf, bufsize, off, "%s", a);
    case NFT_KEY_TYPE_IP6ADDR:
      inet_ntop (AF_INET6, p, a, sizeof a);
      return append (buf, bufsize, off, "%s", a);
    case NFT_KEY_TYPE_ETHERADDR:
      return append (buf, bufsize, off, "%02x:%02x:%02x:%02x:%02x:%02x",
                     p[0], p[1], p[2], p[3], p[4], p[5]);
    case NFT_KEY_TYPE_INET_PROTOCOL:
      return append (buf, bufsize, off, "%u", p[0]);
    case NFT_KEY_TYPE_INET_SERVICE:
      return append (buf, bufsize, off, "%u", (unsigned int) (p[0] << 8 | p[1]));
    case NFT_KEY_TYPE_MARK:
      /* nft keeps marks in host byte order */
      memcpy (&u32, p, sizeof u32);
      return append (buf, bufsize, off, "0x%08x", u32);
    case NFT_KEY_TYPE_IFNAME:
      return append (buf, bufsize, off, "%.*s", (int) strnlen ((const char *) p, IFNAMSIZ_),
                     (const char *) p);
    default:
      return format_hex (p, k->len, buf, bufsize, off);
    }
}

int
nft_key_format (uint32_t type, const uint8_t *key, size_t len, char *buf, size_t bufsize)
{
  const KeyType *parts[MAX_PARTS];
  int n = split_type (type, len, parts);
  size_t off = 0;

  if (bufsize == 0)
    return -1;
  buf[0] = '\0';
  if (n == 0)
    return format_hex (key, len, buf, bufsize, &off) < 0 ? -1 : (int) off;
  for (int i = 0; i < n; i++)
    {
      if (i > 0 && append (buf, bufsize, &off, " . ") < 0)
        return -1;
      if (format_part (parts[i], key, buf, bufsize, &off) < 0)
        return -1;
      key += part_size (parts[i], n);
    }
  return (int) off;
}

static int seterr (char *err, size_t errsize, const char *format, ...)
  __attribute__ ((format (printf, 3, 4)));

static int
seterr (char *err, size_t errsize, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  vsnprintf (err, errsize, format, ap);
  va_end (ap);
  return -1;
}

static int
parse_hex (const char *text, size_t len, uint8_t *key, char *err, size_t errsize)
{
  size_t digits;

  if (strncmp (text, "0x", 2) != 0 && strncmp (text, "0X", 2) != 0)
    return seterr (err, errsize, "'%s' is not 0x followed by %zu hex bytes", text, len);
  text += 2;
  digits = strlen (text);
  if (digits != 2 * len || strspn (text, "0123456789abcdefABCDEF") != digits)
    return seterr (err, errsize, "'%s' is not 0x followed by %zu hex bytes", text - 2, len);
  for (size_t i = 0; i < len; i++)
    {
      char byte[3] = { text[2 * i], text[2 * i + 1], '\0' };

      key[i] = (uint8_t) strtoul (byte, NULL, 16);
    }
  return 0;
}

/* An unsigned number in decimal or 0x hex, at most @max. */
static int
parse_number (const char *text, unsigned long max, unsigned long *v)
{
  char *end;

  if (*text == '\0' || *text == '-' || *text == '+' || *text == ' ')
    return -1;
  errno = 0;
  *v = strtoul (text, &end, 0);
  return errno != 0 || *end != '\0' || *v > max ? -1 : 0;
}

static int
parse_part (const KeyType *k, const char *text, uint8_t *p, char *err, size_t errsize)
{
  unsigned long v;
  unsigned int e[6];
  char tail;
  uint32_t u32;

  switch (k->type)
    {
    case NFT_KEY_TYPE_IPADDR:
      if (inet_pton (AF_INET, text, p) != 1)
        return seterr (err, errsize, "'%s' is not an IPv4 address", text);
      return 0;
    case NFT_KEY_TYPE_IP6ADDR:
      if (inet_pton (AF_INET6, text, p) != 1)
        return seterr (err, errsize, "'%s' is not an IPv6 address", text);
      return 0;
    case NFT_KEY_TYPE_ETHERADDR:
      if (sscanf (text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &e[0], &e[1], &e[2], &e[3], &e[4], &e[5],
                  &tail) != 6 || strlen (text) != 17)
        return seterr (err, errsize, "'%s' is not an Ethernet address", text);
      for (int i = 0; i < 6; i++)
        p[i] = (uint8_t) e[i];
      return 0;
    case NFT_KEY_TYPE_INET_PROTOCOL:
      if (parse_number (text, 255, &v) < 0)
        return seterr (err, errsize, "'%s' is not a protocol number (0-255)", text);
      p[0] = (uint8_t) v;
      return 0;
    case NFT_KEY_TYPE_INET_SERVICE:
      if (parse_number (text, 65535, &v) < 0)
        return seterr (err, errsize, "'%s' is not a port number (0-65535)", text);
      p[0] = (uint8_t) (v >> 8);
      p[1] = (uint8_t) v;
      return 0;
    case NFT_KEY_TYPE_MARK:
      if (parse_number (text, 0xffffffffUL, &v) < 0)
        return seterr (err, errsize, "'%s' is not a mark (a 32-bit number)", text);
      u32 = (uint32_t) v;
      memcpy (p, &u32, sizeof u32);
      return 0;
    case NFT_KEY_TYPE_IFNAME:
      if (strlen (text) >= IFNAMSIZ_ || *text == '\0')
        return seterr (err, errsize, "'%s' is not an interface name", text);
      memset (p, 0, IFNAMSIZ_);
      memcpy (p, text, strlen (text));
      return 0;
    default:
      return parse_hex (text, k->len, p, err, errsize);
    }
}

int
nft_key_parse (uint32_t type, size_t len, const char *text, uint8_t *key,
               char *err, size_t errsize)
{
  const KeyType *parts[MAX_PARTS];
  int n;
  char buf[256], *p;

  if (len == 0 || len > NFT_KEY_MAX)
    return seterr (err, errsize, "unsupported key length %zu", len);
  n = split_type (type, len, parts);
  memset (key, 0, NFT_KEY_MAX);
  if (n == 0)
    return parse_hex (text, len, key, err, errsize);
  if (strlen (text) >= sizeof buf)
    return seterr (err, errsize, "element too long");
  strcpy (buf, text);
  /* Parts are separated by '.' with blanks around it (IPv4 addresses hold
   * dots too, so the blanks matter). */
  p = buf;
  for (int i = 0; i < n; i++)
    {
      char *sep = i + 1 < n ? strstr (p, " . ") : NULL, *part = p;
      char *end;

      if (i + 1 < n && sep == NULL)
        return seterr (err, errsize, "'%s' has fewer parts than %d (write A . B)", text, n);
      if (sep != NULL)
        {
          *sep = '\0';
          p = sep + 3;
        }
      while (*part == ' ')
        part++;
      end = part + strlen (part);
      while (end > part && end[-1] == ' ')
        *--end = '\0';
      if (i + 1 == n && strstr (part, " . ") != NULL)
        return seterr (err, errsize, "'%s' has more parts than %d", text, n);
      if (parse_part (parts[i], part, key, err, errsize) < 0)
        return -1;
      key += part_size (parts[i], n);
    }
  return 0;
}
