/*
 * nft-test-util.h: helpers shared by the tests of ipa_ac_nft: the module's
 * allocator bound to the host's memfunc, its leak check, and captured log
 * messages.
 */
#pragma once

#include <glib.h>

/* nft_mem_setup() with the host's memfunc (unit tests). */
void nft_test_mem_setup (void);
/* Bytes still allocated through the mem_type "nft" created last. */
guint64 nft_test_mem_in_use (void);

/* Capture every log message (ipa_log) from now on. */
void nft_test_capture_start (void);
void nft_test_capture_stop (void);
/* Number of captured messages containing @needle. */
guint nft_test_count (const char *needle);
/* The captured messages, one per line (for failure messages). */
char *nft_test_captured (void);
void nft_test_capture_clear (void);
