/*
 * nft-test-util.c: see nft-test-util.h.
 */
#include "config.h"

#include <string.h>

#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "nft-mem.h"
#include "nft-test-util.h"

static GPtrArray *captured;

void
nft_test_mem_setup (void)
{
  g_assert_cmpint (nft_mem_setup (ipa_memfunc_get ()), ==, 0);
}

guint64
nft_test_mem_in_use (void)
{
  GPtrArray *stats = ipa_memfunc_get_stats ();
  guint64 bytes = 0;

  for (guint i = 0; i < stats->len; i++)
    {
      IpaMemStat *s = stats->pdata[i];

      if (s->kind == IPA_MEM_STAT_MEM_TYPE && strcmp (s->name, "nft") == 0)
        bytes = s->bytes;  /* the last one is the live one */
    }
  ipa_memfunc_stats_free (stats);
  return bytes;
}

static void
capture (const IpaLogRecord *record, gpointer user_data)
{
  g_ptr_array_add (captured, g_strdup_printf ("%s%s%s", record->module != NULL ? record->module : "",
                                              record->module != NULL ? ": " : "",
                                              record->message));
  if (g_test_verbose ())
    g_printerr ("log: %s\n", (char *) captured->pdata[captured->len - 1]);
}

void
nft_test_capture_start (void)
{
  if (captured == NULL)
    captured = g_ptr_array_new_with_free_func (g_free);
  ipa_log_set_handler (capture, NULL);
}

void
nft_test_capture_stop (void)
{
  ipa_log_set_handler (NULL, NULL);
}

void
nft_test_capture_clear (void)
{
  if (captured != NULL)
    g_ptr_array_set_size (captured, 0);
}

guint
nft_test_count (const char *needle)
{
  guint n = 0;

  for (guint i = 0; captured != NULL && i < captured->len; i++)
    if (strstr (captured->pdata[i], needle) != NULL)
      n++;
  return n;
}

char *
nft_test_captured (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; captured != NULL && i < captured->len; i++)
    g_string_append_printf (s, "%s\n", (char *) captured->pdata[i]);
  return g_string_free (s, FALSE);
}
