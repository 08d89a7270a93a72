/*
 * ipa-clock.h: the one place the engine reads time from.
 *
 * Two readings: the wall clock (seconds since the epoch, interpreted in
 * local time for calendar logic: days, worktime, restart points) and a
 * monotonic clock (microseconds, for intervals: update_time, threshold
 * slices, exec timeouts).  Production uses the system clocks; tests use a
 * virtual clock that they advance by hand, so that months run in seconds
 * and the wall clock can jump while the monotonic one does not.
 */
#pragma once

#include <glib.h>
#include <time.h>

G_BEGIN_DECLS

typedef struct _IpaClock IpaClock;

IpaClock *ipa_clock_new_system (void);
/* A virtual clock showing @wall (seconds since the epoch); its monotonic
 * reading starts at an arbitrary positive value. */
IpaClock *ipa_clock_new_virtual (gint64 wall);
IpaClock *ipa_clock_ref (IpaClock *clock);
void ipa_clock_unref (IpaClock *clock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaClock, ipa_clock_unref)

gboolean ipa_clock_is_virtual (IpaClock *clock);

/* Seconds since the epoch (CLOCK_REALTIME). */
gint64 ipa_clock_get_wall (IpaClock *clock);
/* Microseconds of CLOCK_MONOTONIC (g_get_monotonic_time() for the system
 * clock). */
gint64 ipa_clock_get_monotonic (IpaClock *clock);

/* Virtual clocks only: time passes (both readings move), or the wall
 * clock alone is set (a clock step: NTP, an administrator, a bad RTC). */
void ipa_clock_advance (IpaClock *clock, gint64 usec);
void ipa_clock_set_wall (IpaClock *clock, gint64 wall);

/* Local calendar helpers (the process TZ). */
void ipa_clock_local (gint64 wall, struct tm *out);
/* mktime() of a local broken-down time; tm_isdst -1 lets mktime decide. */
gint64 ipa_clock_from_local (struct tm *local);
/* 00:00:00 of the day holding @wall, and of the next day (a DST day is 23
 * or 25 hours long). */
gint64 ipa_clock_day_start (gint64 wall);
gint64 ipa_clock_next_day_start (gint64 wall);

G_END_DECLS
