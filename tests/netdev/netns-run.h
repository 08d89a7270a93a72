/*
 * netns-run.h: run a test program inside two fresh network namespaces
 * made with netns-lib.sh, and delete them however the program ends.
 *
 * netns_run_enter() is called at the start of main().  The process (the
 * supervisor) makes the namespaces, forks, and waits; the child enters
 * namespace A (setns) and returns to run the tests; the supervisor then
 * deletes the namespaces, also when the child crashed or the supervisor
 * was told to stop (SIGTERM, SIGINT, SIGHUP), and exits with the child's
 * status.  Processes started by the child (g_test_trap_subprocess) run in
 * A as well and do not supervise again.
 *
 * Without root or namespaces the supervisor skips: with @tap it prints a
 * TAP plan that skips everything, with the reason, and exits 0; otherwise
 * it prints the reason on stderr and exits 77.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @setup: a netns-lib.sh command line run by bash with $NS_A and $NS_B set
 * to the namespace names, e.g. "netns_pair_create $NS_A $NS_B". */
void netns_run_enter (const char *setup, gboolean tap);

/* The names of the namespaces (valid in the child). */
const char *netns_run_a (void);
const char *netns_run_b (void);

/* Run a netns-lib.sh command line (printf format) in bash with $NS_A and
 * $NS_B set; its standard output, or NULL with the failure reported
 * through g_test_message. */
char *netns_lib (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* The same, asserting success. */
char *netns_lib_ok (const char *format, ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
