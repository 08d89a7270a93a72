/*
 * test-netdev-track.c: the per-rule amounts of ipa_ac_netdev
 * (modules/ac_netdev/netdev-track.c) on synthetic sequences of readings,
 * and the snapshot table (netdev-table.c).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "netdev-table.h"
#include "netdev-test-mem.h"
#include "netdev-track.h"

#define U32 G_GUINT64_CONSTANT (4294967296)

static NetdevStat
stat_of (guint32 ifindex, unsigned int bits, guint64 rxb, guint64 txb)
{
  NetdevStat s;

  memset (&s, 0, sizeof s);
  s.ifindex = ifindex;
  s.bits = bits;
  strcpy (s.name, "eth0");
  s.bytes[NETDEV_RX] = rxb;
  s.bytes[NETDEV_TX] = txb;
  /* Packets move with bytes, 100 bytes each, so both units are checked. */
  s.packets[NETDEV_RX] = rxb / 100;
  s.packets[NETDEV_TX] = txb / 100;
  return s;
}

/* One step of a sequence: the reading (present = FALSE: interface missing)
 * and the amounts expected for rx, tx and both, and the events. */
typedef struct {
  gboolean present;
  guint32 ifindex;
  unsigned int bits;
  guint64 rxb, txb;
  guint64 rx, tx;
  unsigned int events;
} Step;

static void
run (const char *what, const Step *steps, gsize n)
{
  NetdevTrack rx, tx, both;

  g_test_message ("sequence: %s", what);
  for (gsize i = 0; i < n; i++)
    {
      const Step *st = &steps[i];
      NetdevStat s = stat_of (st->ifindex, st->bits, st->rxb, st->txb);
      const NetdevStat *sp = st->present ? &s : NULL;
      guint64 a_rx, a_tx, a_both;
      unsigned int e_rx, e_tx, e_both;

      if (i == 0)
        {
          netdev_track_start (&rx, sp, NETDEV_UNIT_BYTES);
          netdev_track_start (&tx, sp, NETDEV_UNIT_BYTES);
          netdev_track_start (&both, sp, NETDEV_UNIT_BYTES);
          continue;
        }
      g_assert_cmpint (netdev_track_update (&rx, sp, NETDEV_UNIT_BYTES, NETDEV_COUNT_RX, &a_rx, &e_rx), ==, 0);
      g_assert_cmpint (netdev_track_update (&tx, sp, NETDEV_UNIT_BYTES, NETDEV_COUNT_TX, &a_tx, &e_tx), ==, 0);
      g_assert_cmpint (netdev_track_update (&both, sp, NETDEV_UNIT_BYTES, NETDEV_COUNT_BOTH, &a_both, &e_both), ==, 0);
      g_test_message ("  step %" G_GSIZE_FORMAT ": rx %" G_GUINT64_FORMAT " tx %" G_GUINT64_FORMAT
                      " events %#x", i, a_rx, a_tx, e_both);
      g_assert_cmpuint (a_rx, ==, st->rx);
      g_assert_cmpuint (a_tx, ==, st->tx);
      g_assert_cmpuint (a_both, ==, st->rx + st->tx);
      g_assert_cmpuint (e_both, ==, st->events);
      g_assert_cmpuint (e_rx, ==, e_both);
    }
}

static void
test_growth (void)
{
  static const Step steps[] = {
    { TRUE, 2, 64, 1000, 500, 0, 0, 0 },
    { TRUE, 2, 64, 1000, 500, 0, 0, 0 },
    { TRUE, 2, 64, 1710, 1210, 710, 710, 0 },
    { TRUE, 2, 64, G_GUINT64_CONSTANT (9000000000), 1210, G_GUINT64_CONSTANT (8999998290), 0, 0 },
  };

  run ("growth", steps, G_N_ELEMENTS (steps));
}

/* A 32-bit counter wraps: the distance modulo 2^32, whichever direction. */
static void
test_wrap32 (void)
{
  static const Step steps[] = {
    { TRUE, 2, 32, U32 - 100, 10, 0, 0, 0 },
    { TRUE, 2, 32, 50, 20, 150, 10, NETDEV_TRACK_WRAPPED },
    /* Back by less than half the range: a reset, counted from 0. */
    { TRUE, 2, 32, 70, 15, 20, 15, NETDEV_TRACK_RESET },
    { TRUE, 2, 32, 80, U32 - 1, 10, U32 - 16, 0 },
    { TRUE, 2, 32, 90, 0, 10, 1, NETDEV_TRACK_WRAPPED },
    /* Back by more than half the range: forward by less, a wrap. */
    { TRUE, 2, 32, (U32 / 2) + 100, 0, (U32 / 2) + 10, 0, 0 },
    { TRUE, 2, 32, 5, 0, (U32 / 2) - 95, 0, NETDEV_TRACK_WRAPPED },
    { TRUE, 2, 32, 1000, 0, 995, 0, 0 },
    { TRUE, 2, 32, 900, 0, 900, 0, NETDEV_TRACK_RESET },
  };

  run ("32-bit wrap", steps, G_N_ELEMENTS (steps));
}

/* 64-bit counters do not wrap in practice: going back is a reset, and the
 * new value is counted from 0; never negative, never counted twice. */
static void
test_reset64 (void)
{
  static const Step steps[] = {
    { TRUE, 2, 64, U32 - 100, 5000, 0, 0, 0 },
    { TRUE, 2, 64, 50, 6000, 50, 1000, NETDEV_TRACK_RESET },
    { TRUE, 2, 64, 60, 0, 10, 0, NETDEV_TRACK_RESET },
    { TRUE, 2, 64, 60, 7, 0, 7, 0 },
    /* Above 2^32 a 32-bit wrap is impossible even for a 32-bit source. */
    { TRUE, 2, 32, U32 + 10, 7, U32 - 50, 0, 0 },
    { TRUE, 2, 32, 3, 7, 3, 0, NETDEV_TRACK_RESET },
  };

  run ("64-bit reset", steps, G_N_ELEMENTS (steps));
}

/* Removed, then created again with another ifindex: nothing while it is
 * missing, then its new counters from 0. */
static void
test_recreate (void)
{
  static const Step steps[] = {
    { TRUE, 5, 64, 10000, 20000, 0, 0, 0 },
    { TRUE, 5, 64, 10100, 20200, 100, 200, 0 },
    { FALSE, 0, 0, 0, 0, 0, 0, NETDEV_TRACK_VANISHED },
    { FALSE, 0, 0, 0, 0, 0, 0, 0 },
    { TRUE, 9, 64, 300, 400, 300, 400, NETDEV_TRACK_APPEARED | NETDEV_TRACK_RECREATED },
    { TRUE, 9, 64, 350, 450, 50, 50, 0 },
    /* Re-created between two readings, never seen missing; its counters
     * are above the old ones, yet all of them are new. */
    { TRUE, 11, 64, 5000, 6000, 5000, 6000, NETDEV_TRACK_RECREATED },
    /* ... and below them. */
    { TRUE, 12, 64, 10, 20, 10, 20, NETDEV_TRACK_RECREATED },
  };

  run ("re-creation", steps, G_N_ELEMENTS (steps));
}

/* Down and up, or renamed away and back: the same ifindex, the counters
 * go on (or were cleared by the driver: a reset). */
static void
test_down_up (void)
{
  static const Step steps[] = {
    { TRUE, 4, 64, 1000, 1000, 0, 0, 0 },
    { TRUE, 4, 64, 1000, 1000, 0, 0, 0 },   /* down: no traffic */
    { TRUE, 4, 64, 1300, 1100, 300, 100, 0 }, /* up again */
    { FALSE, 0, 0, 0, 0, 0, 0, NETDEV_TRACK_VANISHED }, /* renamed away */
    { TRUE, 4, 64, 1500, 1100, 200, 0, NETDEV_TRACK_APPEARED }, /* and back */
    { TRUE, 4, 64, 40, 30, 40, 30, NETDEV_TRACK_RESET }, /* driver cleared */
  };

  run ("down/up", steps, G_N_ELEMENTS (steps));
}

/* Missing when counting starts: it did not exist then, so all its traffic
 * is new when it appears. */
static void
test_absent_at_start (void)
{
  static const Step steps[] = {
    { FALSE, 0, 0, 0, 0, 0, 0, 0 },
    { FALSE, 0, 0, 0, 0, 0, 0, 0 },
    { TRUE, 3, 64, 700, 800, 700, 800, NETDEV_TRACK_APPEARED },
    { TRUE, 3, 64, 710, 800, 10, 0, 0 },
  };

  run ("absent at start", steps, G_N_ELEMENTS (steps));
}

/* /proc/net/dev readings may lack the ifindex (0): it then matches any. */
static void
test_unknown_ifindex (void)
{
  static const Step steps[] = {
    { TRUE, 6, 64, 100, 100, 0, 0, 0 },
    { TRUE, 0, 64, 150, 120, 50, 20, 0 },
    { TRUE, 6, 64, 170, 120, 20, 0, 0 },
    { TRUE, 0, 64, 10, 10, 10, 10, NETDEV_TRACK_RESET },
  };

  run ("unknown ifindex", steps, G_N_ELEMENTS (steps));
}

static void
test_packets_and_overflow (void)
{
  NetdevTrack t;
  NetdevStat s = stat_of (1, 64, 1000, 2000);
  guint64 amount;
  unsigned int events;

  netdev_track_start (&t, &s, NETDEV_UNIT_PACKETS);
  s = stat_of (1, 64, 1500, 2300);
  g_assert_cmpint (netdev_track_update (&t, &s, NETDEV_UNIT_PACKETS, NETDEV_COUNT_BOTH, &amount, &events), ==, 0);
  g_assert_cmpuint (amount, ==, 5 + 3);
  g_assert_cmpuint (events, ==, 0);

  /* rx + tx beyond 2^64 - 1: an error, and the reading is kept. */
  s = stat_of (1, 64, 0, 0);
  netdev_track_start (&t, NULL, NETDEV_UNIT_BYTES);
  s.bytes[NETDEV_RX] = G_MAXUINT64;
  s.bytes[NETDEV_TX] = 1;
  errno = 0;
  g_assert_cmpint (netdev_track_update (&t, &s, NETDEV_UNIT_BYTES, NETDEV_COUNT_BOTH, &amount, &events), ==, -1);
  g_assert_cmpint (errno, ==, ERANGE);
  s.bytes[NETDEV_TX] = 3;
  g_assert_cmpint (netdev_track_update (&t, &s, NETDEV_UNIT_BYTES, NETDEV_COUNT_BOTH, &amount, &events), ==, 0);
  g_assert_cmpuint (amount, ==, 2);
  /* One direction alone never overflows. */
  netdev_track_start (&t, NULL, NETDEV_UNIT_BYTES);
  g_assert_cmpint (netdev_track_update (&t, &s, NETDEV_UNIT_BYTES, NETDEV_COUNT_RX, &amount, &events), ==, 0);
  g_assert_cmpuint (amount, ==, G_MAXUINT64);
}

static void
test_counter_delta (void)
{
  unsigned int e = 0;

  g_assert_cmpuint (netdev_counter_delta (5, 5, 64, &e), ==, 0);
  g_assert_cmpuint (netdev_counter_delta (0, G_MAXUINT64, 64, &e), ==, G_MAXUINT64);
  g_assert_cmpuint (e, ==, 0);
  g_assert_cmpuint (netdev_counter_delta (U32 - 1, 0, 32, &e), ==, 1);
  g_assert_cmpuint (e, ==, NETDEV_TRACK_WRAPPED);
  e = 0;
  /* Exactly half the range forward is not a wrap. */
  g_assert_cmpuint (netdev_counter_delta (U32 / 2, 0, 32, &e), ==, 0);
  g_assert_cmpuint (e, ==, NETDEV_TRACK_RESET);
  e = 0;
  g_assert_cmpuint (netdev_counter_delta (U32 / 2 + 1, 0, 32, &e), ==, U32 / 2 - 1);
  g_assert_cmpuint (e, ==, NETDEV_TRACK_WRAPPED);
  e = 0;
  g_assert_cmpuint (netdev_counter_delta (U32 - 1, 0, 64, &e), ==, 0);
  g_assert_cmpuint (e, ==, NETDEV_TRACK_RESET);
}

/* The table: growth, hints, lookups after the hint misses. */
static void
test_table (void)
{
  ipa_mem_type *mt = netdev_test_mem_type ();
  NetdevTable t;
  unsigned int hint = 0;
  const NetdevStat *s;

  netdev_table_init (&t, ipa_memfunc_get (), mt);
  g_assert_null (netdev_table_lookup (&t, "x", &hint));
  for (int i = 999; i >= 0; i--)
    {
      NetdevStat *n = netdev_table_add (&t);

      g_assert_nonnull (n);
      g_assert_cmpuint (n->ifindex, ==, 0);
      g_snprintf (n->name, sizeof n->name, "if%d", i);
      n->ifindex = (guint32) i + 1;
    }
  g_assert_cmpuint (t.n, ==, 1000);
  s = netdev_table_lookup (&t, "if0", &hint);
  g_assert_nonnull (s);
  g_assert_cmpuint (s->ifindex, ==, 1);
  g_assert_cmpuint (hint, ==, 999);
  g_assert_true (netdev_table_lookup (&t, "if0", &hint) == s);
  g_assert_null (netdev_table_lookup (&t, "if1000", &hint));
  g_assert_cmpuint (hint, ==, 999);
  for (int i = 0; i < 1000; i++)
    {
      char name[16];

      g_snprintf (name, sizeof name, "if%d", i);
      s = netdev_table_lookup (&t, name, NULL);
      g_assert_nonnull (s);
      g_assert_cmpuint (s->ifindex, ==, (guint) i + 1);
    }
  /* A new snapshot in the same memory: the stale index is not used. */
  netdev_table_clear (&t);
  g_assert_null (netdev_table_lookup (&t, "if0", &hint));
  strcpy (netdev_table_add (&t)->name, "if0");
  strcpy (netdev_table_add (&t)->name, "a");
  g_assert_nonnull (netdev_table_lookup (&t, "a", NULL));
  g_assert_true (netdev_table_lookup (&t, "if0", &hint) == &t.v[0]);
  g_assert_cmpuint (hint, ==, 0);
  netdev_table_free (&t);
  netdev_table_free (&t);
  g_assert_cmpuint (netdev_test_mem_in_use (mt), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/netdev/track/growth", test_growth);
  g_test_add_func ("/netdev/track/wrap32", test_wrap32);
  g_test_add_func ("/netdev/track/reset64", test_reset64);
  g_test_add_func ("/netdev/track/recreate", test_recreate);
  g_test_add_func ("/netdev/track/down-up", test_down_up);
  g_test_add_func ("/netdev/track/absent-at-start", test_absent_at_start);
  g_test_add_func ("/netdev/track/unknown-ifindex", test_unknown_ifindex);
  g_test_add_func ("/netdev/track/packets-and-overflow", test_packets_and_overflow);
  g_test_add_func ("/netdev/track/counter-delta", test_counter_delta);
  g_test_add_func ("/netdev/track/table", test_table);

  return g_test_run ();
}
