/*
 * netdev-track.h: what one rule has counted of one interface: the counters
 * at the previous reading, and the amount since then.
 *
 * Policy (documented for users in README.md):
 *
 *  - A counter that grew: the difference.
 *  - The interface is missing (removed, renamed, not created yet): 0 for
 *    this reading; the last values are kept.
 *  - The interface is there with another ifindex than at the last reading
 *    (it was removed and created again): its counters started at 0 when it
 *    was created, so their whole values are the amount.  The same holds
 *    for an interface seen for the first time after the baseline (it did
 *    not exist when counting started).
 *  - A counter that went back on the same interface:
 *      - a 32-bit counter (both values below 2^32 and the counter is known
 *        to be 32 bits wide) that moved forward by less than 2^31 modulo
 *        2^32 wrapped around: the distance modulo 2^32;
 *      - anything else was reset (by the driver, or by a down/up of a
 *        driver that clears its statistics): the new value is the amount
 *        since the reset, i.e. it is counted from 0.  Nothing is ever
 *        subtracted, so the amount is never negative and traffic counted
 *        before the reset is never counted again.
 *
 * rx and tx are followed separately (one may wrap and not the other).
 */
#ifndef NETDEV_TRACK_H
#define NETDEV_TRACK_H

#include <stdint.h>

#include "netdev-table.h"

typedef enum {
  NETDEV_COUNT_RX = 1,
  NETDEV_COUNT_TX = 2,
  NETDEV_COUNT_BOTH = 3,
} NetdevCount;

typedef enum {
  NETDEV_UNIT_BYTES,
  NETDEV_UNIT_PACKETS,
} NetdevUnit;

/* What netdev_track_update() saw, for messages and tests. */
#define NETDEV_TRACK_APPEARED  0x01U /* there again, or for the first time */
#define NETDEV_TRACK_VANISHED  0x02U /* there last time, missing now */
#define NETDEV_TRACK_RECREATED 0x04U /* another ifindex: counted from 0 */
#define NETDEV_TRACK_WRAPPED   0x08U /* a 32-bit counter wrapped */
#define NETDEV_TRACK_RESET     0x10U /* a counter went back: counted from 0 */

typedef struct {
  int seen;          /* c[] and ifindex hold a reading */
  int present;       /* the interface was there at the last reading */
  uint32_t ifindex;  /* of that reading; 0: not known */
  uint64_t c[2];     /* rx, tx counters of the unit at that reading */
} NetdevTrack;

/* Start counting (newstat): @s is the interface now, NULL if missing. */
void netdev_track_start (NetdevTrack *t, const NetdevStat *s, NetdevUnit unit);

/* The amount since the previous call (or netdev_track_start) in *amount,
 * the directions of @count summed; *events gets NETDEV_TRACK_* flags.
 * Returns 0, or -1 (errno ERANGE) when the sum does not fit in 64 bits;
 * the reading is stored in any case. */
int netdev_track_update (NetdevTrack *t, const NetdevStat *s, NetdevUnit unit,
                         NetdevCount count, uint64_t *amount, unsigned int *events);

/* The amount one counter moved from @old to @now, by the rules above;
 * NETDEV_TRACK_WRAPPED or _RESET is added to *events when they apply. */
uint64_t netdev_counter_delta (uint64_t old, uint64_t now, unsigned int bits,
                               unsigned int *events);

#endif /* NETDEV_TRACK_H */
