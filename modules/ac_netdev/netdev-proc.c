/*
 * netdev-proc.c: interface counters from /proc/net/dev (see netdev-proc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <net/if.h>

#include "netdev-proc.h"

/* Where the four counters are among the numbers after "NAME:".  The
 * column header says; without one, the layout of every kernel since 2.2
 * is assumed. */
typedef struct {
  unsigned int rx_bytes, rx_packets, tx_bytes, tx_packets;
  unsigned int min_fields;  /* the highest of them + 1 */
} Columns;

static const Columns default_columns = { 0, 1, 8, 9, 10 };

/* The file is a few hundred bytes for a handful of interfaces and grows
 * by about 130 bytes per interface. */
#define BUF_FIRST_SIZE 4096

void
netdev_proc_init (NetdevProc *p, const ipa_memfunc *mf, ipa_mem_type *mt)
{
  memset (p, 0, sizeof *p);
  p->mem.mf = mf;
  p->mem.mt = mt;
  p->sock = -1;
}

void
netdev_proc_close (NetdevProc *p)
{
  if (p->sock >= 0)
    close (p->sock);
  p->sock = -1;
  if (p->buf != NULL)
    p->mem.mf->mem_free (p->buf, p->mem.mt);
  p->buf = NULL;
  p->buf_size = 0;
}

static int
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

/* A decimal number without sign at *pp, followed by a blank or @end. */
static int
parse_u64 (const char **pp, const char *end, uint64_t *out)
{
  const char *p = *pp;
  uint64_t v = 0;

  if (p == end || *p < '0' || *p > '9')
    return -1;
  for (; p < end && *p >= '0' && *p <= '9'; p++)
    {
      unsigned int d = (unsigned int) (*p - '0');

      if (v > (UINT64_MAX - d) / 10)
        return -1;
      v = v * 10 + d;
    }
  if (p < end && !is_blank (*p))
    return -1;
  *pp = p;
  *out = v;
  return 0;
}

/* The word @w in the blank-separated words of [p, end): its position,
 * and the number of words in *n. */
static int
word_pos (const char *p, const char *end, const char *w, unsigned int *n)
{
  size_t wl = strlen (w);
  int pos = -1;

  *n = 0;
  for (;;)
    {
      const char *q;

      while (p < end && is_blank (*p))
        p++;
      if (p == end)
        return pos;
      for (q = p; q < end && !is_blank (*q); q++)
        ;
      if ((size_t) (q - p) == wl && memcmp (p, w, wl) == 0 && pos < 0)
        pos = (int) *n;
      (*n)++;
      p = q;
    }
}

/* " face |bytes packets ...|bytes packets ..." -> @c.  Returns 1 if the
 * line was the column header, 0 if it was another header line, -1 if it
 * names the columns without byte or packet counters (Linux 2.0). */
static int
parse_header (const char *line, const char *end, Columns *c)
{
  const char *bar1 = memchr (line, '|', (size_t) (end - line));
  const char *bar2 = bar1 != NULL ? memchr (bar1 + 1, '|', (size_t) (end - bar1 - 1)) : NULL;
  int rxb, rxp, txb, txp;
  unsigned int nrx, ntx;

  if (bar2 == NULL)
    return 0;
  rxb = word_pos (bar1 + 1, bar2, "bytes", &nrx);
  rxp = word_pos (bar1 + 1, bar2, "packets", &nrx);
  txb = word_pos (bar2 + 1, end, "bytes", &ntx);
  txp = word_pos (bar2 + 1, end, "packets", &ntx);
  if (rxp < 0 && txp < 0 && rxb < 0 && txb < 0)
    return 0;
  if (rxb < 0 || rxp < 0 || txb < 0 || txp < 0)
    return -1;
  c->rx_bytes = (unsigned int) rxb;
  c->rx_packets = (unsigned int) rxp;
  c->tx_bytes = nrx + (unsigned int) txb;
  c->tx_packets = nrx + (unsigned int) txp;
  c->min_fields = nrx + (unsigned int) (txb > txp ? txb : txp) + 1;
  return 1;
}

static int
parse_line (const char *line, const char *end, const Columns *c, NetdevTable *t)
{
  const char *colon = memchr (line, ':', (size_t) (end - line));
  const char *name = line, *name_end, *p;
  uint64_t rxb = 0, rxp = 0, txb = 0, txp = 0;
  unsigned int nf = 0;
  NetdevStat *s;

  if (colon == NULL)
    return -1;
  while (name < colon && is_blank (*name))
    name++;
  name_end = colon;
  while (name_end > name && is_blank (name_end[-1]))
    name_end--;
  if (name_end == name || name_end - name >= NETDEV_NAME_SIZE)
    return -1;
  for (const char *q = name; q < name_end; q++)
    if (is_blank (*q))
      return -1;

  /* Columns a later kernel might add are read and ignored. */
  for (p = colon + 1;; nf++)
    {
      uint64_t v;

      while (p < end && is_blank (*p))
        p++;
      if (p == end)
        break;
      if (parse_u64 (&p, end, &v) < 0)
        return -1;
      if (nf == c->rx_bytes)
        rxb = v;
      if (nf == c->rx_packets)
        rxp = v;
      if (nf == c->tx_bytes)
        txb = v;
      if (nf == c->tx_packets)
        txp = v;
    }
  if (nf < c->min_fields)
    return -1;

  s = netdev_table_add (t);
  if (s == NULL)
    return -2;
  memcpy (s->name, name, (size_t) (name_end - name));
  s->name[name_end - name] = '\0';
  s->bits = 64;
  s->bytes[NETDEV_RX] = rxb;
  s->packets[NETDEV_RX] = rxp;
  s->bytes[NETDEV_TX] = txb;
  s->packets[NETDEV_TX] = txp;
  return 0;
}

int
netdev_proc_parse (const char *text, size_t len, NetdevTable *t, unsigned int *bad_line)
{
  const char *p = text, *end = text + len;
  Columns c = default_columns;
  unsigned int lineno = 0;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *line_end = nl != NULL ? nl : end;
      const char *q = p;
      int r;

      lineno++;
      while (q < line_end && is_blank (*q))
        q++;
      /* Header lines have '|' between the column groups. */
      if (q < line_end && memchr (q, '|', (size_t) (line_end - q)) != NULL)
        r = parse_header (q, line_end, &c) < 0 ? -1 : 0;
      else if (q < line_end)
        r = parse_line (q, line_end, &c, t);
      else
        r = 0;
      if (r == -2)
        {
          errno = ENOMEM;
          return -1;
        }
      if (r < 0)
        {
          if (bad_line != NULL)
            *bad_line = lineno;
          errno = EINVAL;
          return -1;
        }
      p = line_end + (nl != NULL);
    }
  return 0;
}

/* The whole file into p->buf; its length in *len. */
static int
read_file (NetdevProc *p, const char *path, size_t *len, const char **what)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  size_t used = 0;
  int saved;

  if (fd < 0)
    {
      *what = "open";
      return -1;
    }
  for (;;)
    {
      ssize_t n;

      if (used == p->buf_size)
        {
          size_t size = p->buf_size == 0 ? BUF_FIRST_SIZE : p->buf_size * 2;
          char *b = p->mem.mf->mem_realloc (p->buf, size, p->mem.mt);

          if (b == NULL || size < p->buf_size)
            {
              *what = "allocating the read buffer";
              errno = ENOMEM;
              goto fail;
            }
          p->buf = b;
          p->buf_size = size;
        }
      n = read (fd, p->buf + used, p->buf_size - used);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          *what = "read";
          goto fail;
        }
      if (n == 0)
        break;
      used += (size_t) n;
    }
  close (fd);
  *len = used;
  return 0;

fail:
  saved = errno;
  close (fd);
  errno = saved;
  return -1;
}

/* ifindexes through SIOCGIFINDEX; an interface gone since the file was
 * read keeps ifindex 0 ("not known"). */
static int
resolve_ifindexes (NetdevProc *p, NetdevTable *t, const char **what)
{
  if (p->sock < 0)
    {
      p->sock = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (p->sock < 0)
        {
          *what = "socket(AF_UNIX) for SIOCGIFINDEX";
          return -1;
        }
    }
  for (unsigned int i = 0; i < t->n; i++)
    {
      struct ifreq ifr;

      memset (&ifr, 0, sizeof ifr);
      memcpy (ifr.ifr_name, t->v[i].name, sizeof t->v[i].name);
      if (ioctl (p->sock, SIOCGIFINDEX, &ifr) == 0)
        t->v[i].ifindex = (uint32_t) ifr.ifr_ifindex;
      else if (errno != ENODEV)
        {
          *what = "ioctl(SIOCGIFINDEX)";
          return -1;
        }
    }
  return 0;
}

int
netdev_proc_read (NetdevProc *p, const char *path, NetdevTable *t,
                  const char **what, unsigned int *bad_line)
{
  size_t len;

  *what = NULL;
  netdev_table_clear (t);
  if (read_file (p, path, &len, what) < 0)
    return -1;
  if (netdev_proc_parse (p->buf, len, t, bad_line) < 0)
    {
      int saved = errno;

      *what = saved == ENOMEM ? "storing the counters" : "parsing";
      netdev_table_clear (t);
      errno = saved;
      return -1;
    }
  if (resolve_ifindexes (p, t, what) < 0)
    {
      int saved = errno;

      netdev_table_clear (t);
      errno = saved;
      return -1;
    }
  return 0;
}
