/*
 * nft-watch.h: the nftables objects that rules look at, and one reading of
 * all of them per statistics round.
 *
 * Rules take references on named counters, on single set elements and on
 * whole sets (autorules).  nft_watch_read() then asks the kernel only for
 * what is referenced: one dump of the tables (their handles tell a
 * re-created table), one counter dump per table that has referenced
 * counters, and per referenced set its description and one dump of its
 * elements.  The results stay in the objects until the next reading.
 *
 * Missing objects, resets, re-creations and read errors are logged through
 * the NftLogFunc once per episode (and once per table or set rather than
 * once per counter or element when a whole table or set is missing).
 */
#pragma once

#include <stdint.h>

#include "nft-dump.h"
#include "nft-key.h"
#include "nft-track.h"

typedef enum {
  NFT_UNIT_BYTES,
  NFT_UNIT_PACKETS,
} NftUnit;

/* @priority is IPA_LOG_*; @code an errno value or 0. */
typedef void (*NftLogFunc) (int priority, int code, const char *message, void *data);

typedef struct _NftWatch NftWatch;
typedef struct _NftWCounter NftWCounter;
typedef struct _NftWSet NftWSet;
typedef struct _NftWElem NftWElem;

/* An element of a set as the last reading saw it (sets watched whole). */
typedef struct {
  uint8_t key[NFT_KEY_MAX];
  uint32_t key_len;
  int has_counter;
  uint64_t packets;
  uint64_t bytes;
} NftSeenElem;

NftWatch *nft_watch_new (NftLogFunc log, void *log_data);
/* Every reference must have been dropped before. */
void nft_watch_free (NftWatch *w);

/* NULL on memory exhaustion. */
NftWCounter *nft_watch_counter_ref (NftWatch *w, uint8_t family, const char *table,
                                    const char *name);
void nft_watch_counter_unref (NftWatch *w, NftWCounter *c);

/* @whole: the caller wants every element (nft_watch_set_seen). */
NftWSet *nft_watch_set_ref (NftWatch *w, uint8_t family, const char *table, const char *name,
                            int whole);
void nft_watch_set_unref (NftWatch *w, NftWSet *s, int whole);

/* One element of @set, named by its text (parsed with the set's key type
 * at each reading that finds the type changed).  @quiet: do not log when
 * it is missing (autorules delete the rule instead). */
NftWElem *nft_watch_elem_ref (NftWatch *w, NftWSet *set, const char *text, int quiet);
void nft_watch_elem_unref (NftWatch *w, NftWElem *e);
/* Give a new element the reading of its set's last dump, so that a rule
 * made for it in the same round starts from what that dump saw. */
void nft_watch_elem_seed (NftWElem *e, const NftSeenElem *seen);

/* Read everything referenced.  0, or -errno when the tables could not be
 * read at all (every sample is then NFT_SAMPLE_UNKNOWN); narrower failures
 * only make the objects concerned unknown and are logged here. */
int nft_watch_read (NftWatch *w, NftNl *nl);
/* Readings done, successful or not. */
unsigned int nft_watch_get_round (const NftWatch *w);

void nft_watch_counter_sample (const NftWCounter *c, NftUnit unit, NftSample *sample);
void nft_watch_elem_sample (const NftWElem *e, NftUnit unit, NftSample *sample);

NftSampleState nft_watch_set_state (const NftWSet *s);
const NftSetInfo *nft_watch_set_info (const NftWSet *s);
/* Elements of the last reading (whole sets only); interval ends skipped. */
unsigned int nft_watch_set_n_seen (const NftWSet *s);
const NftSeenElem *nft_watch_set_seen (const NftWSet *s, unsigned int i);
/* The text of a key of @s (its current key type); -1 if @bufsize is short. */
int nft_watch_set_format_key (const NftWSet *s, const uint8_t *key, uint32_t len,
                              char *buf, size_t bufsize);
/* "inet filter clients" */
const char *nft_watch_set_name (const NftWSet *s);
