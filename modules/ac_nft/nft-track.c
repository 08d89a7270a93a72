/*
 * nft-track.c: deltas of kernel counters with reset, deletion and
 * re-creation (see nft-track.h for the policy).
 */
#include <stddef.h>

#include "nft-track.h"

uint64_t
nft_track_step (NftTrack *t, const NftSample *s, NftTrackMode mode, NftTrackEvent *ev)
{
  NftTrackEvent e = NFT_TRACK_EV_NONE;
  uint64_t delta = 0;

  switch (s->state)
    {
    case NFT_SAMPLE_UNKNOWN:
      /* Keep the baseline; a newstat that cannot be served leaves none, so
       * that the next good reading becomes it. */
      if (mode != NFT_TRACK_CONTINUE)
        t->state = NFT_TRACK_NONE;
      break;

    case NFT_SAMPLE_ABSENT:
      if (t->state == NFT_TRACK_SEEN)
        e = NFT_TRACK_EV_VANISHED;
      t->state = NFT_TRACK_ABSENT;
      break;

    case NFT_SAMPLE_PRESENT:
      if (mode == NFT_TRACK_BASELINE || (mode == NFT_TRACK_CONTINUE && t->state == NFT_TRACK_NONE))
        delta = 0;
      else if (mode == NFT_TRACK_FROM_ZERO)
        delta = s->value;
      else if (t->state == NFT_TRACK_ABSENT)
        {
          delta = s->value;
          e = NFT_TRACK_EV_APPEARED;
        }
      else if (t->id != s->id)
        {
          delta = s->value;
          e = NFT_TRACK_EV_RECREATED;
        }
      else if (s->value < t->base)
        {
          delta = s->value;
          e = NFT_TRACK_EV_RESET;
        }
      else
        delta = s->value - t->base;
      t->state = NFT_TRACK_SEEN;
      t->base = s->value;
      t->id = s->id;
      break;
    }
  if (ev != NULL)
    *ev = e;
  return delta;
}

void
nft_sum_add (NftSum *sum, int sign, uint64_t amount)
{
  uint64_t *half = sign < 0 ? &sum->minus : &sum->plus;

  if (__builtin_add_overflow (*half, amount, half))
    sum->overflow = 1;
}

int
nft_sum_result (const NftSum *sum, int *addition, uint64_t *chunk)
{
  if (sum->overflow)
    return -1;
  if (sum->plus >= sum->minus)
    {
      *addition = 1;
      *chunk = sum->plus - sum->minus;
    }
  else
    {
      *addition = 0;
      *chunk = sum->minus - sum->plus;
    }
  return 0;
}
