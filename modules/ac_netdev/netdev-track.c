/*
 * netdev-track.c: per-rule amounts from successive readings (see
 * netdev-track.h for the policy).
 */
#include <errno.h>
#include <string.h>

#include "netdev-track.h"

#define U32_RANGE (UINT64_C (1) << 32)
#define U32_HALF (UINT32_C (1) << 31)

static void
store (NetdevTrack *t, const NetdevStat *s, NetdevUnit unit)
{
  const uint64_t *v = unit == NETDEV_UNIT_PACKETS ? s->packets : s->bytes;

  t->seen = 1;
  t->present = 1;
  t->ifindex = s->ifindex;
  t->c[NETDEV_RX] = v[NETDEV_RX];
  t->c[NETDEV_TX] = v[NETDEV_TX];
}

void
netdev_track_start (NetdevTrack *t, const NetdevStat *s, NetdevUnit unit)
{
  memset (t, 0, sizeof *t);
  if (s != NULL)
    store (t, s, unit);
}

uint64_t
netdev_counter_delta (uint64_t old, uint64_t now, unsigned int bits, unsigned int *events)
{
  if (now >= old)
    return now - old;
  if (bits == 32 && old < U32_RANGE && now < U32_RANGE)
    {
      uint32_t forward = (uint32_t) now - (uint32_t) old;

      if (forward < U32_HALF)
        {
          *events |= NETDEV_TRACK_WRAPPED;
          return forward;
        }
    }
  *events |= NETDEV_TRACK_RESET;
  return now;
}

int
netdev_track_update (NetdevTrack *t, const NetdevStat *s, NetdevUnit unit,
                     NetdevCount count, uint64_t *amount, unsigned int *events)
{
  const uint64_t *v;
  uint64_t d[2];

  *amount = 0;
  *events = 0;
  if (s == NULL)
    {
      if (t->present)
        *events |= NETDEV_TRACK_VANISHED;
      t->present = 0;
      return 0;
    }

  v = unit == NETDEV_UNIT_PACKETS ? s->packets : s->bytes;
  if (!t->present)
    *events |= NETDEV_TRACK_APPEARED;
  if (!t->seen)
    {
      /* It did not exist when counting started: all of it is new. */
      d[NETDEV_RX] = v[NETDEV_RX];
      d[NETDEV_TX] = v[NETDEV_TX];
    }
  else if (t->ifindex != 0 && s->ifindex != 0 && t->ifindex != s->ifindex)
    {
      *events |= NETDEV_TRACK_RECREATED;
      d[NETDEV_RX] = v[NETDEV_RX];
      d[NETDEV_TX] = v[NETDEV_TX];
    }
  else
    {
      d[NETDEV_RX] = netdev_counter_delta (t->c[NETDEV_RX], v[NETDEV_RX], s->bits, events);
      d[NETDEV_TX] = netdev_counter_delta (t->c[NETDEV_TX], v[NETDEV_TX], s->bits, events);
    }
  /* An ifindex not known now (/proc without the lookup) replaces a known
   * one: keeping the old one would make a later reading with the new
   * ifindex count again what was counted in between. */
  store (t, s, unit);

  switch (count)
    {
    case NETDEV_COUNT_RX:
      *amount = d[NETDEV_RX];
      break;
    case NETDEV_COUNT_TX:
      *amount = d[NETDEV_TX];
      break;
    case NETDEV_COUNT_BOTH:
      if (d[NETDEV_RX] > UINT64_MAX - d[NETDEV_TX])
        {
          errno = ERANGE;
          return -1;
        }
      *amount = d[NETDEV_RX] + d[NETDEV_TX];
      break;
    }
  return 0;
}
