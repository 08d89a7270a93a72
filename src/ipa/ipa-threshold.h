/*
 * ipa-threshold.h: thresholds (ipa.conf(5) "Thresholds"): a sliding window
 * of the rule's statistics compared with a value.
 *
 * Semantics (our decisions; documented in ipa.conf(5) of this project):
 *  - the counter is the rule's traffic of the last threshold_time_width,
 *    kept in slices of threshold_time_slice on the monotonic clock (a wall
 *    clock jump does not move the window); tm_from = now - width (or the
 *    activation time while the window fills), tm_updated = now;
 *  - position: below when cnt < thr - dev, above when cnt > thr + dev,
 *    equal otherwise (dev = threshold_deviation, absolute or per cent of
 *    thr, saturating at 0 and 2^64-1);
 *  - the first check happens when the window is full (time_width after
 *    activation), or at once when the state was restored from a database;
 *  - threshold_balance B:E:A: the commands of a position run when it is
 *    entered, and again every N-th consecutive check in it when its field
 *    is a number N ("-": only on entry); ac_threshold_event and the journal
 *    event go with each run;
 *  - restore: db_get_threshold_state at start (unless load_threshold is no
 *    or threshold_type bit 0): the stored cnt is placed in the slice
 *    matching its tm_updated and ages out with it; a stored state older
 *    than the window is dropped; a changed threshold value drops it unless
 *    threshold_type bit 1;
 *  - inactive (worktime): no counting; becoming active clears the window.
 */
#pragma once

#include "ipa-engine-private.h"

G_BEGIN_DECLS

void ipa_threshold_init (IpaEngine *engine, IpaThreshold *threshold);
/* Only called while active. */
void ipa_threshold_add (IpaEngine *engine, IpaThreshold *threshold,
                        gboolean addition, guint64 chunk);
/* After the round's chunks: move the window to now, check the position,
 * run events, db_update_threshold. */
void ipa_threshold_check (IpaEngine *engine, IpaThreshold *threshold);
/* Monotonic time when the window next moves (a slice ends) or the first
 * check is due; G_MAXINT64 while inactive. */
gint64 ipa_threshold_next_event (const IpaThreshold *threshold);
void ipa_threshold_set_active (IpaEngine *engine, IpaThreshold *threshold,
                               gboolean active);
void ipa_threshold_resend (IpaEngine *engine, IpaThreshold *threshold);
gboolean ipa_threshold_set_value (IpaEngine *engine, IpaThreshold *threshold,
                                  gboolean counter, IpaEngineSetOp op,
                                  guint64 value, GError **error);
void ipa_threshold_to_state (const IpaThreshold *threshold,
                             struct ipa_threshold_state *state);
void ipa_threshold_clear (IpaThreshold *threshold);
/* Slices a threshold of @def keeps (the engine allocates them in bulk). */
guint ipa_threshold_n_slices (const IpaThresholdDef *def);

G_END_DECLS
