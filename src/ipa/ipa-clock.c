/*
 * ipa-clock.c: system and virtual clocks.
 */
#include "config.h"

#include "ipa-clock.h"

struct _IpaClock {
  gint ref_count;
  gboolean is_virtual;
  gint64 wall_usec;  /* virtual: wall clock in microseconds */
  gint64 mono_usec;  /* virtual: monotonic clock */
};

IpaClock *
ipa_clock_new_system (void)
{
  IpaClock *clock = g_new0 (IpaClock, 1);

  clock->ref_count = 1;
  return clock;
}

IpaClock *
ipa_clock_new_virtual (gint64 wall)
{
  IpaClock *clock = g_new0 (IpaClock, 1);

  clock->ref_count = 1;
  clock->is_virtual = TRUE;
  clock->wall_usec = wall * G_USEC_PER_SEC;
  /* Far from 0, so that "0 = never" sentinels of callers stay unambiguous. */
  clock->mono_usec = 1000 * G_USEC_PER_SEC;
  return clock;
}

IpaClock *
ipa_clock_ref (IpaClock *clock)
{
  g_atomic_int_inc (&clock->ref_count);
  return clock;
}

void
ipa_clock_unref (IpaClock *clock)
{
  if (clock != NULL && g_atomic_int_dec_and_test (&clock->ref_count))
    g_free (clock);
}

gboolean
ipa_clock_is_virtual (IpaClock *clock)
{
  return clock->is_virtual;
}

gint64
ipa_clock_get_wall (IpaClock *clock)
{
  if (clock->is_virtual)
    return clock->wall_usec / G_USEC_PER_SEC;
  return g_get_real_time () / G_USEC_PER_SEC;
}

gint64
ipa_clock_get_monotonic (IpaClock *clock)
{
  if (clock->is_virtual)
    return clock->mono_usec;
  return g_get_monotonic_time ();
}

void
ipa_clock_advance (IpaClock *clock, gint64 usec)
{
  g_return_if_fail (clock->is_virtual);
  g_return_if_fail (usec >= 0);
  clock->wall_usec += usec;
  clock->mono_usec += usec;
}

void
ipa_clock_set_wall (IpaClock *clock, gint64 wall)
{
  g_return_if_fail (clock->is_virtual);
  clock->wall_usec = wall * G_USEC_PER_SEC;
}

void
ipa_clock_local (gint64 wall, struct tm *out)
{
  time_t t = (time_t) wall;

  localtime_r (&t, out);
}

gint64
ipa_clock_from_local (struct tm *local)
{
  return (gint64) mktime (local);
}

gint64
ipa_clock_day_start (gint64 wall)
{
  struct tm tm;

  ipa_clock_local (wall, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return ipa_clock_from_local (&tm);
}

gint64
ipa_clock_next_day_start (gint64 wall)
{
  struct tm tm;

  ipa_clock_local (wall, &tm);
  tm.tm_mday++;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return ipa_clock_from_local (&tm);
}
