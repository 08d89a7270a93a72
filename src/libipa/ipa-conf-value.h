/*
 * ipa-conf-value.h: values of the configuration language: numbers, bytes,
 * durations, VALUE amounts, percents, booleans, strings, worktime and
 * restart/expire time points; parsing and canonical formatting.
 *
 * Every parse function takes the normalised argument text (tokens separated
 * by single spaces) and reports IPA_CONF_ERROR_VALUE errors whose message
 * has no location: the parser prefixes "FILE:LINE:COLUMN: ".  Every format
 * function writes text that parses back to the same value.
 */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <time.h>

#include "ipa-conf-parser.h"

G_BEGIN_DECLS

/* A short name of an IPA_CONF_TYPE_* ("bytes", "time", ...), for messages;
 * "unknown" for anything else. */
const char *ipa_conf_type_name (unsigned int arg_type);

/*
 * Converts @text for an argument of type @arg_type into @value.
 *
 * INT32, INT64: decimal with an optional sign; UINT32, UINT64: decimal
 *   without sign.
 * BYTES: terms NUMBER UNIT with units T G M K B (binary multiples), largest
 *   unit first, each unit at most once, summed: "1G 512M", "1G512M".  A lone
 *   number without unit counts bytes ("1024").
 * TIME: the same with units W D h m s (week, day, hour, minute, second;
 *   a day is 86400 s here): "1h 30m", "2h30s"; a lone number counts seconds.
 * VALUE: bytes if the first term has a byte unit, time if it has a time unit,
 *   otherwise a lone number of kind UINT64.  "M" is a mebibyte, "m" a minute.
 * PER_CENT: "N%", 0..100.
 * BOOLEAN: "yes" or "no".
 * MISC: value->u.str points to @text itself (not copied).
 * STRING is not handled here (the parser unquotes string arguments).
 */
gboolean ipa_conf_value_parse (unsigned int arg_type,
                               const char *text,
                               IpaConfValue *value,
                               GError **error);

/* Canonical forms: bytes "1G 512M" (largest unit first, zero terms left
 * out, 0 is "0B"); time "1W 2D 3h 4m 5s" (0 is "0s"); VALUE by its kind,
 * UINT64 (or an unknown kind) as a plain decimal number; booleans "yes" /
 * "no"; percents "N%". */
void ipa_conf_format_bytes (GString *out, uint64_t bytes);
void ipa_conf_format_time (GString *out, uint64_t seconds);
void ipa_conf_format_value (GString *out, uint64_t value, unsigned int kind);
void ipa_conf_format_boolean (GString *out, int value);
void ipa_conf_format_per_cent (GString *out, uint32_t per_cent);

/* A double-quoted string with the escapes \t \n \\ \" of the language;
 * a '$' followed by '{' is written "${$}" so that reading the string back
 * does not expand a macro variable.  NULL is written as "". */
void ipa_conf_format_string (GString *out, const char *s);

/*
 * Worktime: for every weekday (index as tm_wday, 0 = Sunday) an ascending
 * list of non-empty, non-touching minute intervals [start, end) of the day.
 *
 * Text: groups "DAY INTERVAL..." with day letters S M T W H F A (Sunday ..
 * Saturday), intervals "hh:mm-hh:mm" (24:00 only as an end) or "*" for the
 * whole day.  Each day at most once; its intervals ascending and not
 * overlapping.  Intervals that touch (08:00-12:00 12:00-18:00) are merged.
 * Days that are not listed are inactive all day.
 *
 * A NULL worktime, or one without any interval, means "always active" (no
 * worktime parameter); the parser never produces an empty one.
 */
#define IPA_WORKTIME_DAY_MINUTES 1440

typedef struct {
  guint16 start; /* minutes since 00:00, 0..1439 */
  guint16 end;   /* exclusive, start < end <= 1440 */
} IpaWorktimeInterval;

typedef struct {
  guint n_intervals[7];
  IpaWorktimeInterval *intervals[7]; /* NULL when n_intervals is 0 */
} IpaWorktime;

IpaWorktime *ipa_worktime_parse (const char *text, GError **error);
IpaWorktime *ipa_worktime_copy (const IpaWorktime *worktime);
void ipa_worktime_free (IpaWorktime *worktime);
gboolean ipa_worktime_equal (const IpaWorktime *a, const IpaWorktime *b);
/* Canonical: days in the order S M T W H F A, "*" for a whole day.  Writes
 * nothing for a NULL or empty worktime. */
void ipa_worktime_format (GString *out, const IpaWorktime *worktime);
/* Uses tm_wday, tm_hour and tm_min of @local (as localtime_r fills them). */
gboolean ipa_worktime_is_active (const IpaWorktime *worktime,
                                 const struct tm *local);
/* Sets *minutes_until to the number of wall-clock minutes from the start of
 * the current minute of @local to the next minute whose state differs
 * (>= 1), and returns TRUE; returns FALSE, leaving *minutes_until alone,
 * when the state does not change within 8 days (always or never active).
 * Wall-clock minutes: add them to tm_min and mktime() with tm_isdst = -1 to
 * get the instant on DST days. */
gboolean ipa_worktime_next_change (const IpaWorktime *worktime,
                                   const struct tm *local,
                                   int *minutes_until);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaWorktime, ipa_worktime_free)

/*
 * Restart and expire points: steps applied in the written order to a base
 * time.  "+m" "+h" "+D" "+W" "+M" move to the end of the current minute,
 * hour, day, week (weeks start on Monday) or month; a duration (terms
 * with units W D h m s, largest first) moves forward.  Days and weeks of a
 * duration are calendar days (the wall-clock time is kept across DST
 * changes); hours, minutes and seconds are elapsed time.  Months exist only
 * as "+M".  Examples: "+M", "+D 2h", "1W +D", "30m".
 */
typedef enum {
  IPA_TIME_STEP_DURATION,
  IPA_TIME_STEP_END_MINUTE,
  IPA_TIME_STEP_END_HOUR,
  IPA_TIME_STEP_END_DAY,
  IPA_TIME_STEP_END_WEEK,
  IPA_TIME_STEP_END_MONTH,
} IpaTimeStepKind;

typedef struct {
  IpaTimeStepKind kind;
  guint32 days;    /* DURATION: calendar days (W and D) */
  guint64 seconds; /* DURATION: h, m and s */
} IpaTimeStep;

#define IPA_TIME_POINT_MAX_STEPS 8
/* A duration of a time point is at most this many days plus as many days'
 * worth of seconds, so that calendar arithmetic cannot overflow. */
#define IPA_TIME_POINT_MAX_DAYS 36525

typedef struct {
  guint n_steps;
  IpaTimeStep steps[IPA_TIME_POINT_MAX_STEPS];
} IpaTimePoint;

/* A point must lie after its base: one that is only durations of zero is
 * rejected. */
gboolean ipa_time_point_parse (const char *text,
                               IpaTimePoint *point,
                               GError **error);
void ipa_time_point_format (GString *out, const IpaTimePoint *point);
gboolean ipa_time_point_equal (const IpaTimePoint *a, const IpaTimePoint *b);
/* @base_local and @result_local are struct tm as localtime_r fills them
 * (tm_year since 1900, tm_mon 0..11), not ipa_tm.  A tm_isdst of -1 in the
 * base lets mktime() decide.  @result_local may be @base_local. */
void ipa_time_point_apply (const IpaTimePoint *point,
                           const struct tm *base_local,
                           struct tm *result_local);

G_END_DECLS
