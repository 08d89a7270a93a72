/*
 * ipa-journal.h: engine events and daemon life-cycle messages as journal
 * entries.
 *
 * Every kind of event has a fixed MESSAGE_ID (below) with an entry in the
 * journal catalog data/ipa.catalog, and a stable lower-case word in the
 * IPA_EVENT field.  The objects involved are in IPA_RULE, IPA_LIMIT,
 * IPA_SUBLIMIT, IPA_THRESHOLD, IPA_AUTORULE and IPA_MODULE, so that
 * "journalctl MESSAGE_ID=… IPA_RULE=r1" finds them.  Update rounds are not
 * logged; free-form engine messages (IPA_ENGINE_EVENT_MESSAGE) keep their
 * object fields but get no MESSAGE_ID.
 *
 * The IDs are part of the interface: never change one; add new ones with
 * "systemd-id128 new" and a catalog entry.
 */
#pragma once

#include <glib.h>
#include "ipa-engine.h"

G_BEGIN_DECLS

#define IPA_MESSAGE_LIMIT_REACHED      "216dacd8720c44df9039669b2f83b7e2"
#define IPA_MESSAGE_LIMIT_RESTARTED    "4f47724a0cc3476c8df735bf8cff977c"
#define IPA_MESSAGE_LIMIT_EXPIRED      "2a4687dd4b554460972a2ca8d53decf4"
#define IPA_MESSAGE_SUBLIMIT_REACHED   "f95d5f181c5e4f638a5ab9ed07178638"
#define IPA_MESSAGE_SUBLIMIT_EXPIRED   "61a30c04713541239e9a56a9e954f373"
#define IPA_MESSAGE_THRESHOLD_BELOW    "f23ec2decfa54ddd9eff4e645ea3e815"
#define IPA_MESSAGE_THRESHOLD_EQUAL    "45a2041792c1416daf1dddeddc7c5aac"
#define IPA_MESSAGE_THRESHOLD_ABOVE    "af96981275b64d84806a9e9063aecbbe"
#define IPA_MESSAGE_RULE_CREATED       "978fcb1bb3b244619c7c9e7197a474da"
#define IPA_MESSAGE_RULE_DELETED       "0377b4e2d8a9480885f3c67d4d302303"
#define IPA_MESSAGE_RULE_ACTIVE        "2022c6f632ad4f6e90c7b6944c34188a"
#define IPA_MESSAGE_RULE_INACTIVE      "de85f084e5384522ab52e8ecd2f90201"
#define IPA_MESSAGE_DB_ERROR           "f00a8785b13642e79f8b3396135ba764"
#define IPA_MESSAGE_DB_RECOVERED       "9a8c2c482eb24557b74dc3c7ff8d09b6"
#define IPA_MESSAGE_MODULE_ERROR       "8bbabe2e942a42418d5db37a02cfc7bd"
#define IPA_MESSAGE_MODULE_STALL       "949457dab7ab45a1b5497245af5e7dc6"
#define IPA_MESSAGE_CONFIG_ERROR       "30bb192ab44d41de8b8a5162fe372060"
#define IPA_MESSAGE_TIME_JUMP          "53efb777730f40c58af48c439dd3bf91"
#define IPA_MESSAGE_COUNTER_CHANGED    "21af6085f2a0493fbc00f97923d328e4"
#define IPA_MESSAGE_ACCOUNTING_STARTED "ff9d76d6ba7c49d5bef908ae3cef33b8"
#define IPA_MESSAGE_ACCOUNTING_STOPPED "4870c8d96eeb4dbb8e149e5b571f31ba"
#define IPA_MESSAGE_DAEMON_STARTED     "e954dd2046eb489bb48cda6f8575157e"
#define IPA_MESSAGE_DAEMON_STOPPED     "31b765e452c845098fe583ad440565e6"
#define IPA_MESSAGE_DAEMON_RELOADED    "dffce44e6a3341e5aae9d85b57e11dee"

typedef enum {
  IPA_JOURNAL_LIMIT_REACHED,
  IPA_JOURNAL_LIMIT_RESTARTED,
  IPA_JOURNAL_LIMIT_EXPIRED,
  IPA_JOURNAL_SUBLIMIT_REACHED,
  IPA_JOURNAL_SUBLIMIT_EXPIRED,
  IPA_JOURNAL_THRESHOLD_BELOW,
  IPA_JOURNAL_THRESHOLD_EQUAL,
  IPA_JOURNAL_THRESHOLD_ABOVE,
  IPA_JOURNAL_RULE_CREATED,
  IPA_JOURNAL_RULE_DELETED,
  IPA_JOURNAL_RULE_ACTIVE,
  IPA_JOURNAL_RULE_INACTIVE,
  IPA_JOURNAL_DB_ERROR,
  IPA_JOURNAL_DB_RECOVERED,
  IPA_JOURNAL_MODULE_ERROR,
  IPA_JOURNAL_MODULE_STALL,
  IPA_JOURNAL_CONFIG_ERROR,
  IPA_JOURNAL_TIME_JUMP,
  IPA_JOURNAL_COUNTER_CHANGED,
  IPA_JOURNAL_ACCOUNTING_STARTED,
  IPA_JOURNAL_ACCOUNTING_STOPPED,
  IPA_JOURNAL_DAEMON_STARTED,
  IPA_JOURNAL_DAEMON_STOPPED,
  IPA_JOURNAL_DAEMON_RELOADED,
  IPA_JOURNAL_N_KINDS
} IpaJournalKind;

/* The MESSAGE_ID (32 lower-case hex digits) and the IPA_EVENT word of a
 * kind. */
const char *ipa_journal_kind_message_id (IpaJournalKind kind);
const char *ipa_journal_kind_event (IpaJournalKind kind);

/* The kind an engine event is logged as; FALSE for ROUND and MESSAGE,
 * which have none. */
gboolean ipa_journal_kind_from_event (IpaEngineEventType type,
                                      IpaJournalKind *kind);

/* One entry of @kind: MESSAGE_ID, IPA_EVENT, then @fields ("KEY=value",
 * NULL-terminated, may be NULL).  @module becomes IPA_MODULE. */
void ipa_journal_log (IpaJournalKind kind,
                      int priority,
                      const char *module,
                      const char *const *fields,
                      const char *format,
                      ...) G_GNUC_PRINTF (5, 6);

/* The engine observer (ipa_engine_add_observer (engine,
 * ipa_journal_observer, NULL)): one entry per event except ROUND. */
void ipa_journal_observer (IpaEngine *engine,
                           const IpaEngineEvent *event,
                           gpointer user_data);

G_END_DECLS
