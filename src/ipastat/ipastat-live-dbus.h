/*
 * ipastat-live-dbus.h: the provider of live values (ipastat-live.h) that
 * asks the running ipa over D-Bus (org.ipasystem.Ipa1).
 *
 * Nothing is sent before the first question: then every rule, with its
 * limits and thresholds, is read with Manager.ListRules (in pages when the
 * daemon says the reply is too large), once, and every later question is
 * answered from that copy.  A query that needs no live value costs no
 * call; one that needs many costs one or a few.
 *
 * The provider is silently absent — its callbacks answer FALSE, and the
 * statistics modules answer instead — when the bus cannot be reached, ipa
 * does not run (calls never start it: NO_AUTO_START), or ipa refuses or
 * fails the call; ipastat_live_dbus_fetch() says why (for tests, and
 * for G_MESSAGES_DEBUG=ipastat).
 */
#pragma once

#include <glib.h>
#include "ipastat-live.h"

G_BEGIN_DECLS

/* @address: a D-Bus address, or NULL for the system bus.  Never fails;
 * nothing is connected yet. */
IpastatLive *ipastat_live_dbus_new (const char *address);
void ipastat_live_dbus_free (IpastatLive *live);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpastatLive, ipastat_live_dbus_free)

/* Read the daemon's values now (the callbacks do it on first use).
 * TRUE when they were read; FALSE with the reason in *error. */
gboolean ipastat_live_dbus_fetch (IpastatLive *live, GError **error);

G_END_DECLS
