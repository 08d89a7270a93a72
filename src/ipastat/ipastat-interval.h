/*
 * ipastat-interval.h: the time interval of a query (-i) and the dates of
 * ipastat's output.
 *
 * Syntax: LEFT[-RIGHT].  Each part is [DATE][/TIME]:
 *   DATE  YYYY | YYYY.MM | YYYY.MM.DD | MM | MM.DD | .DD
 *   TIME  hh | hh:mm | hh:mm:ss
 * A year has 4 digits, the other fields 1 or 2; a month may be written as
 * a case-insensitive English abbreviation jan … dec.  A part names a
 * unit (a year, a month, a day, an hour, a minute or a second): the left
 * part starts at its first second, the right part ends at its last second
 * (both ends are inclusive), and a missing right part is the left part
 * again ("2011" is the whole year 2011).  Fields missing in front of the
 * left part are those of now; fields missing in front of the right part
 * are those of the left part ("2011.3-5" is March to May 2011).  A time
 * needs a day (YYYY.MM.DD, MM.DD, .DD or none for today); 24, 24:00 and
 * 24:00:00 are allowed as the end of a right part (the end of that day).
 * The end may not be before the start.
 *
 * Calendar arithmetic only: no time zone rules are applied, so an interval
 * covers wall-clock times, whatever the length of the day (DST).
 */
#pragma once

#include <glib.h>
#include <time.h>
#include "ipa_mod.h"

G_BEGIN_DECLS

#define IPASTAT_INTERVAL_ERROR (ipastat_interval_error_quark ())
GQuark ipastat_interval_error_quark (void);

typedef enum {
  IPASTAT_INTERVAL_ERROR_SYNTAX,
  IPASTAT_INTERVAL_ERROR_RANGE,   /* a field out of range (day 30 of Feb) */
  IPASTAT_INTERVAL_ERROR_ORDER,   /* end before start */
} IpastatIntervalError;

/* ipa_tm as ipa_mod(3) has it: tm_year is the real year, tm_mon 1..12. */
typedef struct {
  ipa_tm from;
  ipa_tm to;
} IpastatInterval;

/* @now is local time as localtime_r() fills it (tm_year since 1900,
 * tm_mon 0..11). */
gboolean ipastat_interval_parse (const char *text,
                                 const struct tm *now,
                                 IpastatInterval *interval,
                                 GError **error);

/* The default interval: the whole current month. */
void ipastat_interval_current_month (const struct tm *now,
                                     IpastatInterval *interval);

/* Days in @month (1..12) of @year, leap years included. */
int ipastat_days_in_month (int year, int month);

/* Compare two ipa_tm by date and time fields only (<0, 0, >0). */
int ipastat_tm_compare (const ipa_tm *a, const ipa_tm *b);

/* Fill tm_wday and tm_yday of an ipa_tm from its date, tm_isdst = -1. */
void ipastat_tm_complete (ipa_tm *tm);

/* "2024.03.01/00:00:00" (the interval syntax: can be pasted into -i). */
void ipastat_tm_format (GString *out, const ipa_tm *tm);
/* "2024-03-01T00:00:00" (ISO 8601 local time, for machine formats). */
void ipastat_tm_format_iso (GString *out, const ipa_tm *tm);

G_END_DECLS
