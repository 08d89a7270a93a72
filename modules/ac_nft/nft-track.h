/*
 * nft-track.h: from successive readings of a kernel counter to the amount
 * counted in between, for one term of one rule.
 *
 * Policy (documented in README.md):
 *  - the first reading of a rule (newstat) is only a baseline;
 *  - a counter that went backwards was reset (nft reset counter): its new
 *    value is counted from 0, never subtracted;
 *  - a counter whose identity changed was deleted and re-created between
 *    two readings: its new value is counted from 0;
 *  - a counter missing from a reading contributes 0; when it appears again
 *    (or appears for the first time after the rule started) it is a new
 *    object and its whole value is counted;
 *  - when a reading failed altogether nothing is counted and nothing is
 *    forgotten: the next good reading counts what happened meanwhile.
 */
#pragma once

#include <stdint.h>

typedef enum {
  NFT_SAMPLE_UNKNOWN,  /* the reading failed */
  NFT_SAMPLE_ABSENT,   /* read, and the object is not there */
  NFT_SAMPLE_PRESENT,
} NftSampleState;

typedef struct {
  NftSampleState state;
  uint64_t value;  /* bytes or packets */
  uint64_t id;     /* changes when the object is re-created */
} NftSample;

typedef enum {
  NFT_TRACK_NONE,   /* no baseline yet */
  NFT_TRACK_SEEN,   /* base and id are valid */
  NFT_TRACK_ABSENT, /* not there: its next appearance counts from 0 */
} NftTrackState;

typedef struct {
  NftTrackState state;
  uint64_t base;
  uint64_t id;
} NftTrack;

typedef enum {
  NFT_TRACK_CONTINUE,  /* an ordinary reading */
  NFT_TRACK_BASELINE,  /* newstat: remember, count nothing */
  NFT_TRACK_FROM_ZERO, /* newstat of an object created since the last
                        * reading: count its whole value */
} NftTrackMode;

typedef enum {
  NFT_TRACK_EV_NONE,
  NFT_TRACK_EV_RESET,      /* went backwards */
  NFT_TRACK_EV_RECREATED,  /* identity changed */
  NFT_TRACK_EV_APPEARED,   /* present again after being absent */
  NFT_TRACK_EV_VANISHED,   /* absent after being present */
} NftTrackEvent;

/* Amount counted since the previous step; @ev (may be NULL) says what
 * happened to the object. */
uint64_t nft_track_step (NftTrack *track, const NftSample *sample, NftTrackMode mode,
                         NftTrackEvent *ev);

/* The signed sum of a rule's terms, kept as two non-negative halves. */
typedef struct {
  uint64_t plus;
  uint64_t minus;
  int overflow;
} NftSum;

void nft_sum_add (NftSum *sum, int sign, uint64_t amount);
/* *addition and *chunk as ac_get_rule_stat returns them; -1 if a half
 * overflowed 64 bits. */
int nft_sum_result (const NftSum *sum, int *addition, uint64_t *chunk);
