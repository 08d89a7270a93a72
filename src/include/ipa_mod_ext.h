/*
 * ipa_mod_ext.h: optional extensions of the ipa_mod(3) module API that
 * this ipa understands.  A module written only against ipa_mod.h works
 * unchanged; a module that also exports an extension structure gets the
 * extra calls.
 *
 * Database batches.  ipa_mod(3) has no call that tells a database module
 * that a group of writes is complete, yet a database that must let readers
 * in between writes (GDBM: one writer or many readers) and must be durable
 * after every completed update wants exactly that.  A database module
 * "foo" may therefore export, beside foo_db_mod:
 *
 *     struct ipa_db_mod_ext foo_db_mod_ext = {
 *         IPA_DB_MOD_EXT_API_VERSION, foo_begin_batch, foo_end_batch
 *     };
 *
 * ipa then brackets every group of runtime calls to the module (INV-43:
 * db_append_rule, db_update_*, db_*_state, db_limit_event,
 * db_set_*_active, and db_init_dyn* / db_deinit_* of dynamic rules) with
 * db_begin_batch(ctm) and db_end_batch().  Batches never nest, and a batch
 * is never left open while ipa waits (between update rounds, for a timer
 * or for a D-Bus request).  db_end_batch() returning 0 means every write of
 * the batch is durable (synced).  Either function returning -1 is a
 * database error of that batch: ipa logs it and writes the affected
 * counters again in a later batch.  The init calls (db_pre_init,
 * db_init_stat*, db_init) and the deinit chain are not bracketed.
 */
#ifndef IPA_MOD_EXT_H
#define IPA_MOD_EXT_H

#include "ipa_mod.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IPA_DB_MOD_EXT_API_VERSION 1

struct ipa_db_mod_ext {
	unsigned int api_ver;
	int (*db_begin_batch)(const ipa_tm *ctm);
	int (*db_end_batch)(void);
};

#ifdef __cplusplus
}
#endif

#endif /* IPA_MOD_EXT_H */
