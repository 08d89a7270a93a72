/*
 * ipastat-run.h: running a query.
 *
 * Each pass loads ipastat.conf and the modules, adds the rules, limits and
 * thresholds the query names (dynamic ones when they have no section),
 * starts a session, asks, and unloads everything again.  ipa_mod(3) wants
 * every entity initialised before st_init, but names given as regular
 * expressions (-x) are known only after asking the modules, so such a
 * query takes one pass to find the rules, one to find their limits and
 * thresholds, then the final pass with concrete names.
 *
 * Errors that concern one entity (an unknown rule, a database error while
 * reading it) are printed at once to stderr and the query goes on with
 * the others; the exit status is that of the first error.  Errors of the
 * configuration or of starting the modules end the run.
 */
#pragma once

#include <glib.h>
#include "ipastat-exit.h"
#include "ipastat-interval.h"
#include "ipastat-live.h"
#include "ipastat-query.h"
#include "ipastat-result.h"

G_BEGIN_DECLS

/* @interval: the parsed -i (or the current month); @live: values of the
 * running daemon, or NULL.  *result receives what was found, also when
 * the status is not IPASTAT_EXIT_OK. */
IpastatExit ipastat_run (const char *conf_path,
                         const IpastatQuery *query,
                         const IpastatInterval *interval,
                         const IpastatLive *live,
                         IpastatResult **result);

/* Print "ipastat: MESSAGE" on stderr (errors of the run). */
void ipastat_print_error (const char *message);

G_END_DECLS
