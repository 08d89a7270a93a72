/*
 * netdev-test-mem.h: the host's memfunc for the unit tests of the
 * ipa_ac_netdev helpers, with a check that a test freed what it took.
 */
#pragma once

#include <glib.h>

#include "ipa-memfunc.h"

/* A fresh mem_type per test; its name appears in failures. */
static inline ipa_mem_type *
netdev_test_mem_type (void)
{
  return ipa_memfunc_get ()->mem_type_new (g_test_get_path (), "netdev unit test", 0);
}

/* Bytes still allocated with @mt. */
static inline guint64
netdev_test_mem_in_use (ipa_mem_type *mt)
{
  GPtrArray *stats = ipa_memfunc_get_stats ();
  const char *name = g_test_get_path ();
  guint64 bytes = 0;

  (void) mt;
  for (guint i = 0; i < stats->len; i++)
    {
      IpaMemStat *s = g_ptr_array_index (stats, i);

      if (s->kind == IPA_MEM_STAT_MEM_TYPE && g_strcmp0 (s->name, name) == 0)
        bytes += s->bytes;
    }
  ipa_memfunc_stats_free (stats);
  return bytes;
}
