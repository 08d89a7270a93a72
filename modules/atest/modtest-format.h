/*
 * modtest-format.h: text forms shared by the test modules ipa_atest and
 * ipa_db_memory: dates of ipa_tm, byte amounts, percent-encoded words.
 *
 * Compiled into each module separately; the symbols are hidden so that two
 * loaded modules never bind to each other's copy.
 */
#ifndef MODTEST_FORMAT_H
#define MODTEST_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ipa_mod.h>

#define MT_HIDDEN __attribute__ ((visibility ("hidden")))

/* "YYYY-MM-DDTHH:MM:SS" and its NUL. */
/* Room for any int fields, so that no compiler sees a truncation. */
#define MT_TM_LEN 80

/* Non-zero if the meaningful fields of @tm are in range for an ipa_tm:
 * the real year (1970..9999), month 1..12, a day that exists in that
 * month, 00:00:00..23:59:60, weekday 0..6. */
MT_HIDDEN int mt_tm_valid (const ipa_tm *tm);

/* @tm as "YYYY-MM-DDTHH:MM:SS", the fields as they are (even out of range,
 * so that a wrong date is visible in a trace). */
MT_HIDDEN void mt_tm_format (const ipa_tm *tm, char buf[MT_TM_LEN]);

/* Parse "YYYY-MM-DDTHH:MM:SS" (or only "YYYY-MM-DD", or only "HH:MM:SS",
 * as @what says) into the fields of @tm; tm_wday is computed when the date
 * is part of it.  Returns 0, or -1 if the text is not such a valid date. */
#define MT_TM_DATE 1
#define MT_TM_TIME 2
MT_HIDDEN int mt_tm_parse (const char *s, int what, ipa_tm *tm);

/* The fields of @tm as seconds since the epoch, computed as if they were
 * UTC (timegm after year - 1900 and month - 1): a calendar difference that
 * knows nothing of DST or of clock changes. */
MT_HIDDEN int64_t mt_tm_seconds (const ipa_tm *tm);

/* Byte amounts as the configuration writes them: terms NUMBER[UNIT], units
 * T G M K B (binary multiples) largest first, each at most once, with or
 * without a space between terms ("1G 512M", "1G512M"); a number without
 * unit counts bytes.  Returns 0, or -1 on bad syntax or overflow. */
MT_HIDDEN int mt_bytes_parse (const char *s, uint64_t *value);
/* The canonical form of that syntax ("1G 512M", "0B"). */
MT_HIDDEN void mt_bytes_format (uint64_t value, char *buf, size_t len);

/* Percent-encoding of words written in traces and in the db_memory file:
 * '%', space, control characters and DEL become %XX, everything else
 * (UTF-8 included) is kept.  mt_encode writes at most @len - 1 bytes and
 * a NUL, never cutting an escape; it returns the length the whole encoding
 * would need (without the NUL). */
MT_HIDDEN size_t mt_encode (const char *s, char *buf, size_t len);
MT_HIDDEN int mt_encode_file (FILE *fp, const char *s);
/* Decode in place; returns -1 on a malformed escape or an encoded NUL. */
MT_HIDDEN int mt_decode (char *s);

#endif /* MODTEST_FORMAT_H */
