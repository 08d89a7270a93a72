/*
 * ipastat-live.h: the seam for values that only the running daemon knows.
 *
 * The database holds what ipa has written; the daemon also holds the
 * current limit and threshold states between two writes, the counter of
 * each rule's current record not yet written, and its dynamic rules.  A
 * provider of this interface (ipastat-live-dbus.h, the D-Bus client of
 * org.ipasystem.Ipa1) answers from the daemon; ipastat then prefers its
 * answer to the statistics module's for current values, and says so in
 * the output.  Without a provider (NULL) everything comes from the
 * modules.
 *
 * Calls must be cheap: a provider fetches what it needs in one batch
 * before the query runs (a D-Bus round trip costs ~0.3 ms).
 */
#pragma once

#include <glib.h>
#include "ipa_mod.h"

G_BEGIN_DECLS

typedef struct _IpastatLive IpastatLive;

struct _IpastatLive {
  /* The current state of limit @limit of rule @rule; FALSE when the
   * daemon does not hold one (then the module's state is used). */
  gboolean (*limit_state) (const IpastatLive *live, const char *rule,
                           const char *limit, struct ipa_limit_state *state);
  /* The same for a threshold. */
  gboolean (*threshold_state) (const IpastatLive *live, const char *rule,
                               const char *threshold,
                               struct ipa_threshold_state *state);
  gpointer user_data;
  /* The record the daemon is counting into for @rule: its date, its
   * start, the time its counter was read (end), and that counter.  FALSE
   * when the daemon does not know the rule.  (After user_data, so that
   * providers written before it still initialise in order; NULL: none.) */
  gboolean (*rule_record) (const IpastatLive *live, const char *rule,
                           struct ipa_rule_stat *record);
};

G_END_DECLS
