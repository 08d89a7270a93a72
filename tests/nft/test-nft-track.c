/*
 * test-nft-track.c: deltas of counters that grow, are reset, deleted and
 * re-created, go missing and come back; signed sums of terms.
 */
#include "config.h"

#include <glib.h>

#include "nft-track.h"

static NftSample
present (uint64_t value, uint64_t id)
{
  return (NftSample) { NFT_SAMPLE_PRESENT, value, id };
}

static const NftSample absent = { NFT_SAMPLE_ABSENT, 0, 0 };
static const NftSample unknown = { NFT_SAMPLE_UNKNOWN, 0, 0 };

/* One step; checks the delta and the event. */
static void
step (NftTrack *t, NftSample s, NftTrackMode mode, uint64_t want, NftTrackEvent want_ev)
{
  NftTrackEvent ev = 99;
  uint64_t d = nft_track_step (t, &s, mode, &ev);

  g_assert_cmpuint (d, ==, want);
  g_assert_cmpint (ev, ==, want_ev);
}

static void
test_growth (void)
{
  NftTrack t = { 0 };

  step (&t, present (1000, 7), NFT_TRACK_BASELINE, 0, NFT_TRACK_EV_NONE);
  step (&t, present (1500, 7), NFT_TRACK_CONTINUE, 500, NFT_TRACK_EV_NONE);
  step (&t, present (1500, 7), NFT_TRACK_CONTINUE, 0, NFT_TRACK_EV_NONE);
  step (&t, present (UINT64_MAX, 7), NFT_TRACK_CONTINUE, UINT64_MAX - 1500, NFT_TRACK_EV_NONE);
  /* A new baseline (the rule became active again) counts nothing. */
  step (&t, present (UINT64_MAX, 7), NFT_TRACK_BASELINE, 0, NFT_TRACK_EV_NONE);
}

static void
test_reset (void)
{
  NftTrack t = { 0 };

  step (&t, present (1000, 7), NFT_TRACK_BASELINE, 0, NFT_TRACK_EV_NONE);
  /* nft reset counter, then 300 more: the new value counts from 0. */
  step (&t, present (300, 7), NFT_TRACK_CONTINUE, 300, NFT_TRACK_EV_RESET);
  step (&t, present (350, 7), NFT_TRACK_CONTINUE, 50, NFT_TRACK_EV_NONE);
  /* Reset to exactly 0. */
  step (&t, present (0, 7), NFT_TRACK_CONTINUE, 0, NFT_TRACK_EV_RESET);
  step (&t, present (10, 7), NFT_TRACK_CONTINUE, 10, NFT_TRACK_EV_NONE);
}

static void
test_recreated (void)
{
  NftTrack t = { 0 };

  step (&t, present (1000, 7), NFT_TRACK_BASELINE, 0, NFT_TRACK_EV_NONE);
  /* Deleted and created again between two readings, already past the old
   * value: the identity tells, and all of it is new. */
  step (&t, present (5000, 8), NFT_TRACK_CONTINUE, 5000, NFT_TRACK_EV_RECREATED);
  step (&t, present (5100, 8), NFT_TRACK_CONTINUE, 100, NFT_TRACK_EV_NONE);
}

static void
test_missing (void)
{
  NftTrack t = { 0 };

  step (&t, present (1000, 7), NFT_TRACK_BASELINE, 0, NFT_TRACK_EV_NONE);
  step (&t, absent, NFT_TRACK_CONTINUE, 0, NFT_TRACK_EV_VANISHED);
  step (&t, absent, NFT_TRACK_CONTINUE, 0, NFT_TRACK_EV_NONE);
  /* Back (even with its old identity): a new object, counted from 0. */
  step (&t, present (1200, 7), NFT_TRACK_CONTINUE, 1200, NFT_TRACK_EV_APPEARED);
  step (&t, present (1300, 7), NFT_TRACK_CONTINUE, 100, NFT_TRACK_EV_NONE);
}

static void
test_missing_at_start (void)
{
  NftTrack t = { 0 };

  /* Not there when the rule starts: everything it counts later is new. */
  step (&t, absent, NFT_TRACK_BASELINE, 0, NFT_TRACK_EV_NONE);
  step (&t, present (64, 3), NFT_TRACK_CONTINUE, 64, NFT_TRACK_EV_APPEARED);
  step (&t, present (100, 3), NFT_TRACK_CONTINUE, 36, NFT_TRACK_EV_NONE);
}

static void
test_unknown (void)
{
  NftTrack t = { 0 };

  step (&t, present (1000, 7), NFT_TRACK_BASELINE, 0, NFT_TRACK_EV_NONE);
  /* A failed reading forgets nothing: the next one counts what passed. */
  step (&t, unknown, NFT_TRACK_CONTINUE, 0, NFT_TRACK_EV_NONE);
  step (&t, unknown, NFT_TRACK_CONTINUE, 0, NFT_TRACK_EV_NONE);
  step (&t, present (1700, 7), NFT_TRACK_CONTINUE, 700, NFT_TRACK_EV_NONE);
  /* A newstat during a failure: the next good reading is the baseline. */
  step (&t, unknown, NFT_TRACK_BASELINE, 0, NFT_TRACK_EV_NONE);
  step (&t, present (2000, 7), NFT_TRACK_CONTINUE, 0, NFT_TRACK_EV_NONE);
  step (&t, present (2010, 7), NFT_TRACK_CONTINUE, 10, NFT_TRACK_EV_NONE);
}

static void
test_from_zero (void)
{
  NftTrack t = { 0 };

  /* The element of a new dynamic rule appeared since the last reading. */
  step (&t, present (420, 5), NFT_TRACK_FROM_ZERO, 420, NFT_TRACK_EV_NONE);
  step (&t, present (500, 5), NFT_TRACK_CONTINUE, 80, NFT_TRACK_EV_NONE);
  /* FROM_ZERO while absent behaves like a baseline of an absent object. */
  t = (NftTrack) { 0 };
  step (&t, absent, NFT_TRACK_FROM_ZERO, 0, NFT_TRACK_EV_NONE);
  step (&t, present (9, 5), NFT_TRACK_CONTINUE, 9, NFT_TRACK_EV_APPEARED);
}

static void
test_sum (void)
{
  NftSum s = { 0 };
  int addition = -1;
  uint64_t chunk = 1;

  g_assert_cmpint (nft_sum_result (&s, &addition, &chunk), ==, 0);
  g_assert_cmpint (addition, ==, 1);
  g_assert_cmpuint (chunk, ==, 0);

  nft_sum_add (&s, 1, 700);
  nft_sum_add (&s, 1, 300);
  nft_sum_add (&s, -1, 250);
  g_assert_cmpint (nft_sum_result (&s, &addition, &chunk), ==, 0);
  g_assert_cmpint (addition, ==, 1);
  g_assert_cmpuint (chunk, ==, 750);

  /* More subtracted than added this round: the chunk is subtracted. */
  nft_sum_add (&s, -1, 1000);
  g_assert_cmpint (nft_sum_result (&s, &addition, &chunk), ==, 0);
  g_assert_cmpint (addition, ==, 0);
  g_assert_cmpuint (chunk, ==, 250);

  /* Overflow is an error, not a wrong number. */
  nft_sum_add (&s, 1, UINT64_MAX);
  g_assert_cmpint (nft_sum_result (&s, &addition, &chunk), ==, -1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nft/track/growth", test_growth);
  g_test_add_func ("/nft/track/reset", test_reset);
  g_test_add_func ("/nft/track/recreated", test_recreated);
  g_test_add_func ("/nft/track/missing", test_missing);
  g_test_add_func ("/nft/track/missing-at-start", test_missing_at_start);
  g_test_add_func ("/nft/track/unknown", test_unknown);
  g_test_add_func ("/nft/track/from-zero", test_from_zero);
  g_test_add_func ("/nft/track/sum", test_sum);
  return g_test_run ();
}
