/*
 * ipa-limit.h: the life of a limit and its sublimits (ipa.conf(5)
 * "Limits"): start, accumulate, reach, expire, restart; their commands,
 * events and database states.  Called by the engine; uses the services of
 * ipa-engine-private.h.
 *
 * Semantics (our decisions where the original is silent; documented in
 * ipa.conf(5) of this project):
 *  - reached when cnt >= lim; the reach event happens once per start;
 *    counting goes on after reach;
 *  - restart point: a limit that is not reached restarts at
 *    start + restart point (counter 0, a new state, restart commands); a
 *    reached limit waits for its expire (or ipactl expire/restart);
 *  - expire point: a reached limit expires at reach + expire point: its
 *    expire commands run and it starts again (new state, counter 0) without
 *    running the restart commands;
 *  - an inactive limit (worktime) does not count and its restart/expire is
 *    acted upon when it becomes active again;
 *  - clock jumps: dates are absolute; a backward jump delays an event, a
 *    forward jump past it triggers it once (the next date is computed from
 *    now, missed periods are not replayed);
 *  - sublimit: reached when the parent's counter reaches its value (or
 *    per cent of the parent's lim); runs its reach commands once per parent
 *    start; it expires at its own expire point after its reach, or else
 *    when the parent restarts or expires, running its expire commands if
 *    it was reached; it is reset whenever the parent starts again;
 *  - negative chunks take the counter down, never below 0;
 *  - overflow saturates at 2^64-1.
 */
#pragma once

#include "ipa-engine-private.h"

G_BEGIN_DECLS

/* Initial state at engine start or creation of a dynamic rule, before
 * the first round: from the databases (db_get_limit_state, unless
 * load_limit is no), else from the reload snapshot, else a new start.
 * Applies ipa.conf(5) startup rules: a changed lim is adopted, a restart
 * or expire date already past is acted on now.  Registers a new state in
 * the databases when needed. */
void ipa_limit_init (IpaEngine *engine, IpaLimit *limit);

/* The rule's chunk of this round (only called while the limit is active). */
void ipa_limit_add (IpaEngine *engine, IpaLimit *limit,
                    gboolean addition, guint64 chunk);

/* After the round's chunks (and whenever the engine wakes for
 * ipa_limit_next_event): reach, sublimits, restart and expire that are due
 * at ipa_engine_now_wall(); then db_update_limit if the counter changed. */
void ipa_limit_check (IpaEngine *engine, IpaLimit *limit);

/* Wall time of the next restart/expire/sublimit expire; G_MAXINT64 if none
 * (or while inactive). */
gint64 ipa_limit_next_event (const IpaLimit *limit);

/* Worktime transitions (the engine has already told the modules). */
void ipa_limit_set_active (IpaEngine *engine, IpaLimit *limit, gboolean active);

/* Process start / stop: ac_limit_event STARTUP_IF_[NOT_]REACHED or
 * SHUTDOWN_IF_[NOT_]REACHED, then the limit's startup/shutdown section
 * (plain commands, then if_reached or if_not_reached), synchronously. */
void ipa_limit_startup (IpaEngine *engine, IpaLimit *limit);
void ipa_limit_shutdown (IpaEngine *engine, IpaLimit *limit);

/* A database write failed earlier: send the whole current state again
 * to the databases in limit->db_pending. */
void ipa_limit_resend (IpaEngine *engine, IpaLimit *limit);

/* ipactl: restart now (runs restart commands); expire now a reached
 * limit (runs expire commands; FALSE with IPA_ENGINE_ERROR_STATE when not
 * reached); set lim or cnt (checked at the next round). */
gboolean ipa_limit_restart_now (IpaEngine *engine, IpaLimit *limit, GError **error);
gboolean ipa_limit_expire_now (IpaEngine *engine, IpaLimit *limit, GError **error);
gboolean ipa_limit_set_value (IpaEngine *engine, IpaLimit *limit, gboolean counter,
                              IpaEngineSetOp op, guint64 value, GError **error);

/* State as ipa_mod(3) describes it. */
void ipa_limit_to_state (const IpaLimit *limit, struct ipa_limit_state *state);

/* Free what ipa_limit_init allocated (nothing today but keep the pair). */
void ipa_limit_clear (IpaLimit *limit);

G_END_DECLS
