/*
 * test-memfunc.c: tests of ipa_memfunc (src/libipa/ipa-memfunc.c).
 *
 * Objects live in one process-wide registry, so every test frees what it
 * creates (mem_types have no destructor and stay, empty).  Tests that must
 * abort, or that deinitialise memfunc as a whole, run in a subprocess.
 */
#include "config.h"

#include <glib.h>
#include <locale.h>
#include <string.h>
#include <wchar.h>

#include "ipa-memfunc.h"

/* Helpers */

static IpaMemStat *
find_stat (GPtrArray *stats, IpaMemStatKind kind, const char *name)
{
  for (guint i = 0; i < stats->len; i++)
    {
      IpaMemStat *stat = g_ptr_array_index (stats, i);

      if (stat->kind == kind && g_strcmp0 (stat->name, name) == 0)
        return stat;
    }
  return NULL;
}

/* Like find_stat(), for an object that must exist. */
static IpaMemStat *
require_stat (GPtrArray *stats, IpaMemStatKind kind, const char *name)
{
  IpaMemStat *stat = find_stat (stats, kind, name);

  if (stat == NULL)
    g_error ("no statistics for %s", name);
  return stat;
}

/* A copy of the statistics of one object; FALSE if it does not exist. */
static gboolean
get_stat (IpaMemStatKind kind, const char *name, IpaMemStat *out)
{
  GPtrArray *stats = ipa_memfunc_get_stats ();
  IpaMemStat *stat = find_stat (stats, kind, name);

  if (stat != NULL)
    {
      *out = *stat;
      out->name = out->desc = out->owner = NULL;
    }
  ipa_memfunc_stats_free (stats);
  return stat != NULL;
}

static void
assert_type_stat (const char *name, guint64 bytes, guint64 blocks, guint64 peak, guint64 total)
{
  IpaMemStat stat;

  g_assert_true (get_stat (IPA_MEM_STAT_MEM_TYPE, name, &stat));
  g_assert_cmpuint (stat.bytes, ==, bytes);
  g_assert_cmpuint (stat.blocks, ==, blocks);
  g_assert_cmpuint (stat.peak_bytes, ==, peak);
  g_assert_cmpuint (stat.total_allocs, ==, total);
}

static void
assert_items_stat (IpaMemStatKind kind, const char *name, guint64 used, guint64 allocated,
                   guint64 bytes)
{
  IpaMemStat stat;

  g_assert_true (get_stat (kind, name, &stat));
  g_assert_cmpuint (stat.items_used, ==, used);
  g_assert_cmpuint (stat.items_allocated, ==, allocated);
  g_assert_cmpuint (stat.bytes, ==, bytes);
}

static void
collect_message (const char *message, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (message));
}

static gboolean
has_message (GPtrArray *messages, const char *message)
{
  for (guint i = 0; i < messages->len; i++)
    if (strcmp (g_ptr_array_index (messages, i), message) == 0)
      return TRUE;
  return FALSE;
}

static int call_vasprintf (ipa_mem_type *t, char **buf, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* Goes through the table, as a module would. */
static int
call_vasprintf (ipa_mem_type *t, char **buf, const char *format, ...)
{
  va_list ap;
  int len;

  va_start (ap, format);
  len = ipa_memfunc_get ()->mem_vasprintf (t, buf, format, ap);
  va_end (ap);
  return len;
}

/* The table */

static void
test_table (void)
{
  const ipa_memfunc *mf = ipa_memfunc_get ();
  GPtrArray *stats;
  IpaMemStat *parser;

  g_assert_nonnull (mf);
  g_assert_true (mf == ipa_memfunc_get ());
  g_assert_cmpuint (mf->api_ver, ==, IPA_MEMFUNC_API_VERSION);
  g_assert_nonnull (mf->m_parser);
  g_assert_true (mf->m_parser == ipa_mem_type_get_parser ());
  g_assert_true (mf->memfunc_init == ipa_memfunc_init);
  g_assert_true (mf->memfunc_deinit == ipa_memfunc_deinit);
  g_assert_true (mf->mem_type_new == ipa_mem_type_new);
  g_assert_true (mf->mem_malloc == ipa_mem_malloc);
  g_assert_true (mf->mem_calloc == ipa_mem_calloc);
  g_assert_true (mf->mem_realloc == ipa_mem_realloc);
  g_assert_true (mf->mem_strdup == ipa_mem_strdup);
  g_assert_true (mf->mem_vasprintf == ipa_mem_vasprintf);
  g_assert_true (mf->mem_free == ipa_mem_free);
  g_assert_true (mf->marray_init == ipa_marray_init);
  g_assert_true (mf->marray_deinit == ipa_marray_deinit);
  g_assert_true (mf->marray_alloc == ipa_marray_alloc);
  g_assert_true (mf->marray_free == ipa_marray_free);
  g_assert_true (mf->marray_minimize == ipa_marray_minimize);
  g_assert_true (mf->marray_check_index == ipa_marray_check_index);
  g_assert_true (mf->marray_nused == ipa_marray_nused);
  g_assert_true (mf->mzone_init == ipa_mzone_init);
  g_assert_true (mf->mzone_deinit == ipa_mzone_deinit);
  g_assert_true (mf->mzone_alloc == ipa_mzone_alloc);
  g_assert_true (mf->mzone_free == ipa_mzone_free);
  g_assert_true (mf->mzone_nused == ipa_mzone_nused);
  g_assert_cmpint (mf->memfunc_init (), ==, 0);

  stats = ipa_memfunc_get_stats ();
  parser = require_stat (stats, IPA_MEM_STAT_MEM_TYPE, "parser");
  g_assert_cmpstr (parser->desc, ==, "configuration parser");
  g_assert_null (parser->owner);
  /* The parser's type is the first object ever created. */
  g_assert_true (g_ptr_array_index (stats, 0) == parser);
  ipa_memfunc_stats_free (stats);
  ipa_memfunc_stats_free (NULL);
}

/* mem_* */

static void
test_mem_basic (void)
{
  const ipa_memfunc *mf = ipa_memfunc_get ();
  ipa_mem_type *t = mf->mem_type_new ("test-basic", "basic allocations", 0);
  char *a, *s, *z1, *z2;
  int *b;

  g_assert_nonnull (t);
  assert_type_stat ("test-basic", 0, 0, 0, 0);

  a = mf->mem_malloc (100, t);
  g_assert_nonnull (a);
  memset (a, 'x', 100);
  b = mf->mem_calloc (10, sizeof (int), t);
  g_assert_nonnull (b);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (b[i], ==, 0);
  assert_type_stat ("test-basic", 140, 2, 140, 2);

  a = mf->mem_realloc (a, 1000, t);
  g_assert_nonnull (a);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (a[i], ==, 'x');
  memset (a, 'y', 1000);
  assert_type_stat ("test-basic", 1040, 2, 1040, 2);
  a = mf->mem_realloc (a, 10, t);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (a[i], ==, 'y');
  assert_type_stat ("test-basic", 50, 2, 1040, 2);

  s = mf->mem_strdup ("hello", t);
  g_assert_cmpstr (s, ==, "hello");
  assert_type_stat ("test-basic", 56, 3, 1040, 3);

  mf->mem_free (a, t);
  mf->mem_free (b, t);
  mf->mem_free (s, t);
  mf->mem_free (NULL, t);
  assert_type_stat ("test-basic", 0, 0, 1040, 3);

  /* realloc of NULL allocates. */
  a = mf->mem_realloc (NULL, 5, t);
  g_assert_nonnull (a);
  assert_type_stat ("test-basic", 5, 1, 1040, 4);
  mf->mem_free (a, t);

  /* Size 0 gives distinct pointers. */
  z1 = mf->mem_malloc (0, t);
  z2 = mf->mem_malloc (0, t);
  g_assert_nonnull (z1);
  g_assert_nonnull (z2);
  g_assert_true (z1 != z2);
  assert_type_stat ("test-basic", 0, 2, 1040, 6);
  z1 = mf->mem_realloc (z1, 0, t);
  g_assert_nonnull (z1);
  mf->mem_free (z1, t);
  mf->mem_free (z2, t);

  /* Impossible sizes fail without changing anything. */
  g_assert_null (mf->mem_malloc (G_MAXSIZE, t));
  g_assert_null (mf->mem_calloc (G_MAXSIZE / 2, 3, t));
  a = mf->mem_malloc (8, t);
  g_assert_null (mf->mem_realloc (a, G_MAXSIZE, t));
  mf->mem_free (a, t);
  assert_type_stat ("test-basic", 0, 0, 1040, 7);

  /* The result is aligned for any type. */
  a = mf->mem_malloc (3, t);
  g_assert_cmpuint ((guintptr) a % G_ALIGNOF (long double), ==, 0);
  g_assert_cmpuint ((guintptr) a % G_ALIGNOF (guint64), ==, 0);
  mf->mem_free (a, t);
}

static void
test_mem_type_copies (void)
{
  char *name = g_strdup ("test-copied-name");
  char *desc = g_strdup ("copied description");
  ipa_mem_type *t = ipa_mem_type_new (name, desc, IPA_MEMFUNC_FLAG_PTHREAD);
  GPtrArray *stats;
  IpaMemStat *stat;

  /* The API has no destructor: names must not depend on the caller. */
  memset (name, '!', strlen (name));
  memset (desc, '!', strlen (desc));
  g_free (name);
  g_free (desc);

  g_assert_nonnull (t);
  stats = ipa_memfunc_get_stats ();
  stat = require_stat (stats, IPA_MEM_STAT_MEM_TYPE, "test-copied-name");
  g_assert_cmpstr (stat->desc, ==, "copied description");
  ipa_memfunc_stats_free (stats);

  /* NULL desc is allowed. */
  g_assert_nonnull (ipa_mem_type_new ("test-no-desc", NULL, 0));
}

static void
test_mem_vasprintf (void)
{
  ipa_mem_type *t = ipa_mem_type_new ("test-printf", "vasprintf", 0);
  char *buf = NULL;
  char *long_arg = g_strnfill (1000, 'q');
  int len;

  len = call_vasprintf (t, &buf, "%d-%s", 42, "abc");
  g_assert_cmpint (len, ==, 6);
  g_assert_cmpstr (buf, ==, "42-abc");
  assert_type_stat ("test-printf", 7, 1, 7, 1);
  ipa_mem_free (buf, t);

  /* Longer than the internal stack buffer. */
  len = call_vasprintf (t, &buf, "<%s>", long_arg);
  g_assert_cmpint (len, ==, 1002);
  g_assert_cmpuint (strlen (buf), ==, 1002);
  g_assert_true (buf[0] == '<' && buf[1001] == '>' && buf[500] == 'q');
  assert_type_stat ("test-printf", 1003, 1, 1003, 2);
  ipa_mem_free (buf, t);

  len = call_vasprintf (t, &buf, "%s", "");
  g_assert_cmpint (len, ==, 0);
  g_assert_cmpstr (buf, ==, "");
  ipa_mem_free (buf, t);

  len = ipa_mem_asprintf (t, &buf, "%u/%s", 7U, "x");
  g_assert_cmpint (len, ==, 3);
  g_assert_cmpstr (buf, ==, "7/x");
  ipa_mem_free (buf, t);

  /* An encoding error (a wide character the C locale cannot represent)
   * makes vsnprintf fail: -1 and NULL. */
  buf = (char *) "not touched";
  len = call_vasprintf (t, &buf, "%lc", (wint_t) 0x20ac);
  g_assert_cmpint (len, ==, -1);
  g_assert_null (buf);

  assert_type_stat ("test-printf", 0, 0, 1003, 4);
  g_free (long_arg);
}

/* marray */

typedef struct {
  guint value;
  char pad[12];
} Item;

static void
test_marray_lowest_free (void)
{
  const ipa_memfunc *mf = ipa_memfunc_get ();
  Item *items = NULL;
  ipa_marray *m = mf->marray_init ("test-lowest", "lowest free index", 0,
                                   (void **) &items, sizeof (Item), 1, 1);
  guint idx;

  g_assert_nonnull (m);
  for (guint i = 0; i < 10; i++)
    {
      g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
      g_assert_cmpuint (idx, ==, i);
      items[idx].value = idx * 7;
    }
  g_assert_cmpuint (mf->marray_nused (m), ==, 10);

  mf->marray_free (m, 3);
  mf->marray_free (m, 7);
  g_assert_cmpint (mf->marray_check_index (m, 3), ==, 0);
  g_assert_cmpint (mf->marray_check_index (m, 7), ==, 0);
  g_assert_cmpint (mf->marray_check_index (m, 4), !=, 0);
  g_assert_cmpuint (mf->marray_nused (m), ==, 8);

  g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpuint (idx, ==, 3);
  items[idx].value = 3 * 7;
  g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpuint (idx, ==, 7);
  items[idx].value = 7 * 7;
  g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpuint (idx, ==, 10);
  items[idx].value = 10 * 7;

  for (guint i = 0; i <= 10; i++)
    g_assert_cmpuint (items[i].value, ==, i * 7);

  /* Across a word of the bitmap. */
  for (guint i = 11; i < 200; i++)
    g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
  mf->marray_free (m, 130);
  mf->marray_free (m, 64);
  mf->marray_free (m, 63);
  g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpuint (idx, ==, 63);
  g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpuint (idx, ==, 64);
  g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpuint (idx, ==, 130);
  g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpuint (idx, ==, 200);
  g_assert_cmpuint (mf->marray_nused (m), ==, 201);

  mf->marray_deinit (m);
}

static void
test_marray_fixed (void)
{
  guint64 *items = NULL;
  ipa_marray *m = ipa_marray_init ("test-fixed", "fixed indices", 0,
                                   (void **) &items, sizeof (guint64), 1, 1);
  guint idx;

  idx = 100;
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 1), ==, 0);
  g_assert_cmpuint (idx, ==, 100);
  items[100] = 12345;
  g_assert_cmpuint (ipa_marray_nused (m), ==, 1);
  g_assert_cmpint (ipa_marray_check_index (m, 100), !=, 0);
  g_assert_cmpint (ipa_marray_check_index (m, 99), ==, 0);
  g_assert_cmpint (ipa_marray_check_index (m, 5000), ==, 0);
  g_assert_cmpint (ipa_marray_check_index (m, G_MAXUINT), ==, 0);

  /* INV-94: an index in use cannot be allocated again. */
  idx = 100;
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 1), ==, -1);
  g_assert_cmpuint (ipa_marray_nused (m), ==, 1);

  /* Lowest free index below a fixed one. */
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpuint (idx, ==, 0);
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpuint (idx, ==, 1);
  idx = 50;
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 1), ==, 0);
  g_assert_cmpuint (idx, ==, 50);
  g_assert_cmpuint (items[100], ==, 12345);

  /* An index that cannot exist. */
  idx = G_MAXUINT;
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 1), ==, -1);
  g_assert_cmpuint (ipa_marray_nused (m), ==, 4);

  ipa_marray_free (m, 0);
  ipa_marray_free (m, 1);
  ipa_marray_free (m, 50);
  ipa_marray_free (m, 100);
  g_assert_cmpuint (ipa_marray_nused (m), ==, 0);
  ipa_marray_deinit (m);

  /* No room at all at first. */
  m = ipa_marray_init ("test-fixed-empty", NULL, 0, (void **) &items, sizeof (guint64), 0, 3);
  g_assert_nonnull (m);
  g_assert_null (items);
  idx = 2;
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 1), ==, 0);
  g_assert_nonnull (items);
  items[2] = 1;
  ipa_marray_free (m, 2);
  ipa_marray_deinit (m);
}

static void
test_marray_moves (void)
{
  guint64 *items = NULL;
  ipa_marray *m = ipa_marray_init ("test-moves", "growing array", IPA_MEMFUNC_FLAG_PTHREAD,
                                   (void **) &items, sizeof (guint64), 1, 1);
  guint64 *first = items;
  guint moves = 0;
  guint idx;

  g_assert_nonnull (first);
  for (guint i = 0; i < 20000; i++)
    {
      guint64 *before = items;

      g_assert_cmpint (ipa_marray_alloc (m, &idx, 0), ==, 0);
      g_assert_cmpuint (idx, ==, i);
      /* INV-95: re-read through *arr after every alloc. */
      items[idx] = (guint64) idx * 3 + 1;
      if (items != before)
        moves++;
    }
  for (guint i = 0; i < 20000; i++)
    g_assert_cmpuint (items[i], ==, (guint64) i * 3 + 1);
#if WITH_MEMFUNC_DEBUG
  g_assert_cmpuint (moves, >, 10);
  g_assert_true (items != first);
#endif

  /* Freeing from the top shrinks the array and may move it too. */
  for (guint i = 19999; i >= 100; i--)
    ipa_marray_free (m, i);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpuint (items[i], ==, (guint64) i * 3 + 1);
  {
    IpaMemStat stat;

    g_assert_true (get_stat (IPA_MEM_STAT_MARRAY, "test-moves", &stat));
    g_assert_cmpuint (stat.items_allocated, <, 1000);
    g_assert_cmpuint (stat.items_used, ==, 100);
  }
  g_test_message ("items array moved %u times while growing", moves);
  ipa_marray_deinit (m);
}

static void
test_marray_stats_minimize (void)
{
  guint64 *items = NULL;
  ipa_marray *m = ipa_marray_init ("test-minimize", "minimize", 0,
                                   (void **) &items, 8, 4, 2);
  IpaMemStat stat;
  guint idx;

  g_assert_true (get_stat (IPA_MEM_STAT_MARRAY, "test-minimize", &stat));
  g_assert_cmpstr (NULL, ==, stat.owner);
  g_assert_cmpuint (stat.item_size, ==, 8);
  assert_items_stat (IPA_MEM_STAT_MARRAY, "test-minimize", 0, 4, 32);

  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (ipa_marray_alloc (m, &idx, 0), ==, 0);
  assert_items_stat (IPA_MEM_STAT_MARRAY, "test-minimize", 4, 4, 32);
  /* Full: grows by nalloc (2). */
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 0), ==, 0);
  assert_items_stat (IPA_MEM_STAT_MARRAY, "test-minimize", 5, 6, 48);
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 0), ==, 0);
  assert_items_stat (IPA_MEM_STAT_MARRAY, "test-minimize", 7, 8, 64);

  /* A fixed index far away: exactly the room it needs. */
  idx = 20;
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 1), ==, 0);
  assert_items_stat (IPA_MEM_STAT_MARRAY, "test-minimize", 8, 21, 168);

  /* Freeing the top item leaves a mostly empty tail: it shrinks, keeping
   * nalloc items of slack above the new top (7). */
  ipa_marray_free (m, 20);
  assert_items_stat (IPA_MEM_STAT_MARRAY, "test-minimize", 7, 9, 72);

  ipa_marray_minimize (m);
  assert_items_stat (IPA_MEM_STAT_MARRAY, "test-minimize", 7, 7, 56);
  g_assert_true (get_stat (IPA_MEM_STAT_MARRAY, "test-minimize", &stat));
  g_assert_cmpuint (stat.peak_bytes, ==, 168);

  for (guint i = 0; i < 7; i++)
    ipa_marray_free (m, i);
  /* Never below nitems by itself... */
  assert_items_stat (IPA_MEM_STAT_MARRAY, "test-minimize", 0, 4, 32);
  /* ...but minimize gives everything back. */
  ipa_marray_minimize (m);
  assert_items_stat (IPA_MEM_STAT_MARRAY, "test-minimize", 0, 0, 0);
  g_assert_null (items);

  g_assert_cmpint (ipa_marray_alloc (m, &idx, 0), ==, 0);
  g_assert_cmpuint (idx, ==, 0);
  assert_items_stat (IPA_MEM_STAT_MARRAY, "test-minimize", 1, 2, 16);
  items[0] = 1;
  ipa_marray_deinit (m);
  g_assert_false (get_stat (IPA_MEM_STAT_MARRAY, "test-minimize", &stat));
}

static void
test_deinit_null (void)
{
  const ipa_memfunc *mf = ipa_memfunc_get ();

  mf->marray_deinit (NULL);
  mf->mzone_deinit (NULL);
}

/* mzone */

static void
test_mzone_many (void)
{
  const guint n = 100000;
  ipa_mzone *z = ipa_mzone_init ("test-many", "many items",
                                 IPA_MEMFUNC_FLAG_OPTIMIZE, 24, 1, 1);
  guint64 **ptrs = g_new (guint64 *, n);
  GHashTable *seen = g_hash_table_new (NULL, NULL);
  GRand *rand = g_rand_new_with_seed (42);
  IpaMemStat stat;

  for (guint i = 0; i < n; i++)
    {
      ptrs[i] = ipa_mzone_alloc (z);
      g_assert_nonnull (ptrs[i]);
      g_assert_cmpuint ((guintptr) ptrs[i] % 8, ==, 0);
      g_assert_true (g_hash_table_add (seen, ptrs[i]));
      ptrs[i][0] = i;
      ptrs[i][2] = ~(guint64) i;
    }
  g_assert_cmpuint (ipa_mzone_nused (z), ==, n);
  g_assert_true (get_stat (IPA_MEM_STAT_MZONE, "test-many", &stat));
  g_assert_cmpuint (stat.items_used, ==, n);
  g_assert_cmpuint (stat.items_allocated, >=, n);
  g_assert_cmpuint (stat.items_allocated, <, n + n / 10);
  g_assert_cmpuint (stat.item_size, ==, 24);

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (ptrs[i][0], ==, i);
      g_assert_cmpuint (ptrs[i][2], ==, ~(guint64) i);
    }

  /* Free in random order, reallocate half, free again. */
  for (guint i = n - 1; i > 0; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i + 1);
      guint64 *tmp = ptrs[i];

      ptrs[i] = ptrs[j];
      ptrs[j] = tmp;
    }
  for (guint i = 0; i < n / 2; i++)
    ipa_mzone_free (z, ptrs[i]);
  g_assert_cmpuint (ipa_mzone_nused (z), ==, n - n / 2);
  for (guint i = 0; i < n / 2; i++)
    {
      ptrs[i] = ipa_mzone_alloc (z);
      g_assert_nonnull (ptrs[i]);
    }
  g_assert_cmpuint (ipa_mzone_nused (z), ==, n);
  for (guint i = 0; i < n; i++)
    ipa_mzone_free (z, ptrs[i]);
  g_assert_cmpuint (ipa_mzone_nused (z), ==, 0);

  /* One empty slab (16 KiB) is kept for later. */
  assert_items_stat (IPA_MEM_STAT_MZONE, "test-many", 0, 16384 / 24, 16384);

  ipa_mzone_deinit (z);
  g_assert_false (get_stat (IPA_MEM_STAT_MZONE, "test-many", &stat));
  g_rand_free (rand);
  g_hash_table_unref (seen);
  g_free (ptrs);
}

static void
test_mzone_plain (void)
{
  const ipa_memfunc *mf = ipa_memfunc_get ();
  ipa_mzone *z = mf->mzone_init ("test-plain", "small slabs", 0, 16, 0, 4);
  void *items[5];
  IpaMemStat stat;

  /* Without OPTIMIZE a slab holds nalloc items: 4 x 16 bytes. */
  assert_items_stat (IPA_MEM_STAT_MZONE, "test-plain", 0, 0, 0);
  items[0] = mf->mzone_alloc (z);
  assert_items_stat (IPA_MEM_STAT_MZONE, "test-plain", 1, 4, 64);
  for (guint i = 1; i < 5; i++)
    items[i] = mf->mzone_alloc (z);
  assert_items_stat (IPA_MEM_STAT_MZONE, "test-plain", 5, 8, 128);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpuint ((guintptr) items[i] % 16, ==, 0);
      memset (items[i], (int) i, 16);
    }
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (((guchar *) items[i])[15], ==, i);
  g_assert_cmpuint (mf->mzone_nused (z), ==, 5);
  for (guint i = 0; i < 5; i++)
    mf->mzone_free (z, items[i]);
  g_assert_cmpuint (mf->mzone_nused (z), ==, 0);
  assert_items_stat (IPA_MEM_STAT_MZONE, "test-plain", 0, 4, 64);
  g_assert_true (get_stat (IPA_MEM_STAT_MZONE, "test-plain", &stat));
  g_assert_cmpuint (stat.peak_bytes, ==, 128);
  mf->mzone_deinit (z);

  /* nitems are there from the start. */
  z = ipa_mzone_init ("test-plain-nitems", NULL, 0, 16, 10, 4);
  assert_items_stat (IPA_MEM_STAT_MZONE, "test-plain-nitems", 0, 12, 192);
  items[0] = ipa_mzone_alloc (z);
  assert_items_stat (IPA_MEM_STAT_MZONE, "test-plain-nitems", 1, 12, 192);
  /* Deinit frees the items still in use. */
  ipa_mzone_deinit (z);

  /* Tiny items. */
  z = ipa_mzone_init ("test-plain-tiny", NULL, 0, 1, 1, 1);
  for (guint i = 0; i < 5; i++)
    {
      items[i] = ipa_mzone_alloc (z);
      *(char *) items[i] = 'a';
    }
  for (guint i = 0; i < 5; i++)
    ipa_mzone_free (z, items[i]);
  ipa_mzone_deinit (z);
}

/* Owners and leaks */

static void
test_leaks_and_release (void)
{
  const ipa_memfunc *mf = ipa_memfunc_get ();
  char *array_name = g_strdup ("leaky-array");
  char *zone_name = g_strdup ("leaky-zone");
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_free);
  ipa_mem_type *t, *host_t;
  ipa_marray *m, *host_m;
  ipa_mzone *z;
  guint64 *items = NULL, *host_items = NULL;
  void *host_block;
  GPtrArray *stats;
  IpaMemStat stat;
  guint idx;

  g_assert_null (ipa_memfunc_get_owner ());
  ipa_memfunc_set_owner ("mod_leaky");
  g_assert_cmpstr (ipa_memfunc_get_owner (), ==, "mod_leaky");
  t = mf->mem_type_new ("leaky-type", "leaking type", 0);
  g_assert_nonnull (mf->mem_malloc (10, t));
  g_assert_nonnull (mf->mem_strdup ("abc", t));
  /* A type of the module without leaks is not reported. */
  g_assert_nonnull (mf->mem_type_new ("leaky-clean-type", NULL, 0));
  m = mf->marray_init (array_name, "array left over", 0, (void **) &items, 8, 1, 1);
  g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
  z = mf->mzone_init (zone_name, "zone left over", IPA_MEMFUNC_FLAG_OPTIMIZE, 32, 1, 1);
  g_assert_nonnull (mf->mzone_alloc (z));
  ipa_memfunc_set_owner (NULL);
  g_assert_null (ipa_memfunc_get_owner ());

  host_t = ipa_mem_type_new ("host-leaky-type", NULL, 0);
  host_m = ipa_marray_init ("host-array", NULL, 0, (void **) &host_items, 8, 1, 1);

  stats = ipa_memfunc_get_stats ();
  g_assert_cmpstr (require_stat (stats, IPA_MEM_STAT_MEM_TYPE, "leaky-type")->owner, ==, "mod_leaky");
  g_assert_cmpstr (require_stat (stats, IPA_MEM_STAT_MARRAY, "leaky-array")->owner, ==, "mod_leaky");
  g_assert_cmpstr (require_stat (stats, IPA_MEM_STAT_MARRAY, "leaky-array")->desc, ==, "array left over");
  g_assert_cmpstr (require_stat (stats, IPA_MEM_STAT_MZONE, "leaky-zone")->owner, ==, "mod_leaky");
  g_assert_null (require_stat (stats, IPA_MEM_STAT_MARRAY, "host-array")->owner);
  ipa_memfunc_stats_free (stats);

  g_assert_cmpuint (ipa_memfunc_check_leaks ("mod_leaky", collect_message, messages), ==, 3);
  g_assert_cmpuint (messages->len, ==, 3);
  g_assert_true (has_message (messages, "mem_type leaky-type: 14 bytes in 2 blocks not freed"));
  g_assert_true (has_message (messages, "marray leaky-array was not deinitialised"));
  g_assert_true (has_message (messages, "mzone leaky-zone was not deinitialised"));
  g_assert_cmpuint (ipa_memfunc_check_leaks ("mod_other", NULL, NULL), ==, 0);

  /* Everyone: the host's marray and a host block too. */
  g_ptr_array_set_size (messages, 0);
  host_block = ipa_mem_malloc (1, host_t);
  g_assert_cmpuint (ipa_memfunc_check_leaks (NULL, collect_message, messages), ==, 5);
  g_assert_true (has_message (messages, "mem_type host-leaky-type: 1 bytes in 1 blocks not freed"));
  g_assert_true (has_message (messages, "marray host-array was not deinitialised"));
  ipa_mem_free (host_block, host_t);

  /* The module is unloaded: its names die with it. */
  ipa_memfunc_release_owner ("mod_leaky");
  g_free (array_name);
  g_free (zone_name);

  g_assert_cmpuint (ipa_memfunc_check_leaks ("mod_leaky", NULL, NULL), ==, 0);
  g_assert_false (get_stat (IPA_MEM_STAT_MEM_TYPE, "leaky-type", &stat));
  g_assert_false (get_stat (IPA_MEM_STAT_MEM_TYPE, "leaky-clean-type", &stat));
  g_assert_false (get_stat (IPA_MEM_STAT_MARRAY, "leaky-array", &stat));
  g_assert_false (get_stat (IPA_MEM_STAT_MZONE, "leaky-zone", &stat));
  g_assert_true (get_stat (IPA_MEM_STAT_MARRAY, "host-array", &stat));
  g_assert_true (get_stat (IPA_MEM_STAT_MEM_TYPE, "host-leaky-type", &stat));

  /* Releasing an owner with nothing left is harmless. */
  ipa_memfunc_release_owner ("mod_leaky");
  ipa_memfunc_release_owner ("mod_never_seen");

  ipa_marray_deinit (host_m);
  g_assert_cmpuint (ipa_memfunc_check_leaks (NULL, NULL, NULL), ==, 0);
  g_ptr_array_unref (messages);
}

/* A module loaded again after release gets fresh objects of the same names. */
static void
test_owner_reload (void)
{
  for (guint round = 0; round < 3; round++)
    {
      ipa_mem_type *t;
      void *p;

      ipa_memfunc_set_owner ("mod_reload");
      t = ipa_mem_type_new ("reload-type", NULL, IPA_MEMFUNC_FLAG_PTHREAD);
      p = ipa_mem_malloc (100, t);
      g_assert_nonnull (p);
      ipa_memfunc_set_owner (NULL);
      assert_type_stat ("reload-type", 100, 1, 100, 1);
      if (round == 1)
        ipa_mem_free (p, t);
      ipa_memfunc_release_owner ("mod_reload");
    }
}

/* memfunc_init and memfunc_deinit, as in a module's child process. */
static void
test_child_deinit (void)
{
  if (g_test_subprocess ())
    {
      const ipa_memfunc *mf = ipa_memfunc_get ();
      ipa_mem_type *t = mf->mem_type_new ("child-type", NULL, 0);
      void *p = mf->mem_malloc (32, t);
      void *q = mf->mem_malloc (16, t);
      guint64 *items = NULL;
      ipa_marray *m = mf->marray_init ("child-array", NULL, 0, (void **) &items, 8, 1, 1);
      ipa_mzone *z = mf->mzone_init ("child-zone", NULL, 0, 8, 1, 1);
      IpaMemStat stat;
      guint idx;

      g_assert_cmpint (mf->marray_alloc (m, &idx, 0), ==, 0);
      g_assert_nonnull (mf->mzone_alloc (z));
      g_log_set_debug_enabled (TRUE);

      /* Reports (at debug level) and frees marrays and mzones. */
      mf->memfunc_deinit (0);
      g_assert_false (get_stat (IPA_MEM_STAT_MARRAY, "child-array", &stat));
      g_assert_false (get_stat (IPA_MEM_STAT_MZONE, "child-zone", &stat));
      assert_type_stat ("child-type", 48, 2, 48, 2);

      /* foreign: statistics zeroed, blocks may still be freed. */
      mf->memfunc_deinit (1);
      assert_type_stat ("child-type", 0, 0, 0, 0);
      g_assert_cmpuint (ipa_memfunc_check_leaks (NULL, NULL, NULL), ==, 0);
      mf->mem_free (p, t);
      assert_type_stat ("child-type", 0, 0, 0, 0);

      g_assert_cmpint (mf->memfunc_init (), ==, 0);
      p = mf->mem_malloc (8, t);
      assert_type_stat ("child-type", 8, 1, 8, 1);
      /* A foreign block that is resized becomes an ordinary one. */
      q = mf->mem_realloc (q, 64, t);
      assert_type_stat ("child-type", 72, 2, 72, 2);
      mf->mem_free (p, t);
      mf->mem_free (q, t);
      assert_type_stat ("child-type", 0, 0, 72, 2);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*mem_type child-type: 48 bytes in 2 blocks not freed*");
  g_test_trap_assert_stdout ("*marray child-array was not deinitialised*");
  g_test_trap_assert_stdout ("*mzone child-zone was not deinitialised*");
}

/* Threads */

#define N_THREADS 4
#define N_ROUNDS 5000
#define N_HELD 32

typedef struct {
  ipa_mem_type *t;
  ipa_marray *m;
  ipa_mzone *z;
  GMutex lock;          /* protects indices */
  GHashTable *indices;  /* marray indices held by some thread */
  guint allocs[N_THREADS];
} ThreadShared;

typedef struct {
  ThreadShared *shared;
  guint id;
} ThreadArg;

static gpointer
thread_main (gpointer data)
{
  ThreadArg *arg = data;
  ThreadShared *sh = arg->shared;
  GRand *rand = g_rand_new_with_seed (arg->id + 1);
  guchar *blocks[N_HELD] = { NULL };
  gsize sizes[N_HELD] = { 0 };
  guint64 *items[N_HELD] = { NULL };
  guint idx[N_HELD];
  gboolean have_idx[N_HELD] = { FALSE };
  guint allocs = 0;

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      guint slot = (guint) g_rand_int_range (rand, 0, N_HELD);

      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0:
          if (blocks[slot] != NULL)
            {
              for (gsize i = 0; i < sizes[slot]; i++)
                g_assert_cmpuint (blocks[slot][i], ==, (guchar) arg->id);
              ipa_mem_free (blocks[slot], sh->t);
              blocks[slot] = NULL;
            }
          else
            {
              sizes[slot] = (gsize) g_rand_int_range (rand, 1, 200);
              blocks[slot] = ipa_mem_malloc (sizes[slot], sh->t);
              memset (blocks[slot], (int) arg->id, sizes[slot]);
              allocs++;
            }
          break;
        case 1:
          if (items[slot] != NULL)
            {
              g_assert_cmpuint (items[slot][0], ==, arg->id);
              g_assert_cmpuint (items[slot][3], ==, round - items[slot][1]);
              ipa_mzone_free (sh->z, items[slot]);
              items[slot] = NULL;
            }
          else
            {
              items[slot] = ipa_mzone_alloc (sh->z);
              g_assert_nonnull (items[slot]);
              items[slot][0] = arg->id;
              items[slot][1] = round;
              items[slot][3] = 0;
            }
          break;
        default:
          if (have_idx[slot])
            {
              g_assert_cmpint (ipa_marray_check_index (sh->m, idx[slot]), !=, 0);
              g_mutex_lock (&sh->lock);
              g_assert_true (g_hash_table_remove (sh->indices, GUINT_TO_POINTER (idx[slot] + 1)));
              g_mutex_unlock (&sh->lock);
              ipa_marray_free (sh->m, idx[slot]);
              have_idx[slot] = FALSE;
            }
          else
            {
              g_assert_cmpint (ipa_marray_alloc (sh->m, &idx[slot], 0), ==, 0);
              g_mutex_lock (&sh->lock);
              g_assert_true (g_hash_table_add (sh->indices, GUINT_TO_POINTER (idx[slot] + 1)));
              g_mutex_unlock (&sh->lock);
              have_idx[slot] = TRUE;
            }
          break;
        }
      /* Keep the mzone items' third word in step, to catch overlaps. */
      for (guint i = 0; i < N_HELD; i++)
        if (items[i] != NULL)
          items[i][3] = round + 1 - items[i][1];
    }

  for (guint i = 0; i < N_HELD; i++)
    {
      ipa_mem_free (blocks[i], sh->t);
      if (items[i] != NULL)
        ipa_mzone_free (sh->z, items[i]);
      if (have_idx[i])
        {
          g_mutex_lock (&sh->lock);
          g_hash_table_remove (sh->indices, GUINT_TO_POINTER (idx[i] + 1));
          g_mutex_unlock (&sh->lock);
          ipa_marray_free (sh->m, idx[i]);
        }
    }
  sh->allocs[arg->id] = allocs;
  g_rand_free (rand);
  return NULL;
}

static void
test_threads (void)
{
  ThreadShared sh = { 0 };
  ThreadArg args[N_THREADS];
  GThread *threads[N_THREADS];
  void *marray_items = NULL;
  guint64 total = 0;

  sh.t = ipa_mem_type_new ("mt-type", "threaded", IPA_MEMFUNC_FLAG_PTHREAD);
  sh.m = ipa_marray_init ("mt-array", NULL, IPA_MEMFUNC_FLAG_PTHREAD, &marray_items, 8, 1, 1);
  sh.z = ipa_mzone_init ("mt-zone", NULL, IPA_MEMFUNC_FLAG_PTHREAD | IPA_MEMFUNC_FLAG_OPTIMIZE,
                         32, 1, 1);
  g_mutex_init (&sh.lock);
  sh.indices = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < N_THREADS; i++)
    {
      args[i].shared = &sh;
      args[i].id = i;
      threads[i] = g_thread_new ("memfunc-test", thread_main, &args[i]);
    }
  /* The registry is used concurrently too. */
  for (guint i = 0; i < 50; i++)
    ipa_memfunc_stats_free (ipa_memfunc_get_stats ());
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_thread_join (threads[i]);
      total += sh.allocs[i];
    }

  {
    IpaMemStat stat;

    g_assert_true (get_stat (IPA_MEM_STAT_MEM_TYPE, "mt-type", &stat));
    g_assert_cmpuint (stat.bytes, ==, 0);
    g_assert_cmpuint (stat.blocks, ==, 0);
    g_assert_cmpuint (stat.total_allocs, ==, total);
    g_assert_cmpuint (stat.peak_bytes, >, 0);
  }
  g_assert_cmpuint (ipa_marray_nused (sh.m), ==, 0);
  g_assert_cmpuint (ipa_mzone_nused (sh.z), ==, 0);
  g_assert_cmpuint (g_hash_table_size (sh.indices), ==, 0);

  ipa_marray_deinit (sh.m);
  ipa_mzone_deinit (sh.z);
  g_hash_table_unref (sh.indices);
  g_mutex_clear (&sh.lock);
}

/* Debug build */

#if WITH_MEMFUNC_DEBUG
static void
test_debug_build (void)
{
  ipa_mem_type *t = ipa_mem_type_new ("test-debug", NULL, 0);
  guchar *p = ipa_mem_malloc (256, t);
  guchar *q;
  guint zeros = 0;
  guint64 *items = NULL;
  ipa_marray *m;
  guint idx;

  /* Fresh memory is random, not zero. */
  for (guint i = 0; i < 256; i++)
    zeros += p[i] == 0;
  g_assert_cmpuint (zeros, <, 32);

  /* realloc always moves, even when shrinking. */
  memset (p, 0x5a, 256);
  q = ipa_mem_realloc (p, 256, t);
  g_assert_true (q != p);
  g_assert_cmpuint (q[0], ==, 0x5a);
  g_assert_cmpuint (q[255], ==, 0x5a);
  p = ipa_mem_realloc (q, 16, t);
  g_assert_true (p != q);
  g_assert_cmpuint (p[15], ==, 0x5a);
  ipa_mem_free (p, t);

  /* So do the items of a marray when their room changes. */
  m = ipa_marray_init ("test-debug-array", NULL, 0, (void **) &items, 8, 1, 1);
  g_assert_cmpint (ipa_marray_alloc (m, &idx, 0), ==, 0);
  items[0] = 77;
  {
    guint64 *before = items;

    g_assert_cmpint (ipa_marray_alloc (m, &idx, 0), ==, 0);
    g_assert_true (items != before);
    g_assert_cmpuint (items[0], ==, 77);
  }
  ipa_marray_deinit (m);
}
#endif

/* Misuse: each case must abort, naming the object. */

typedef struct {
  const char *path;
  void (*run) (void);
  const char *stderr_pattern;
} MisuseCase;

static void
misuse_free_wrong_type (void)
{
  ipa_mem_type *one = ipa_mem_type_new ("type-one", NULL, 0);
  ipa_mem_type *two = ipa_mem_type_new ("type-two", NULL, 0);

  ipa_mem_free (ipa_mem_malloc (8, one), two);
}

static void
misuse_realloc_wrong_type (void)
{
  ipa_mem_type *one = ipa_mem_type_new ("realloc-one", NULL, IPA_MEMFUNC_FLAG_PTHREAD);
  ipa_mem_type *two = ipa_mem_type_new ("realloc-two", NULL, IPA_MEMFUNC_FLAG_PTHREAD);

  ipa_mem_realloc (ipa_mem_malloc (8, one), 16, two);
}

static void
misuse_double_free (void)
{
  ipa_mem_type *t = ipa_mem_type_new ("double-type", NULL, 0);
  void *p = ipa_mem_malloc (8, t);

  ipa_mem_free (p, t);
  ipa_mem_free (p, t);
}

static void
misuse_foreign_pointer (void)
{
  ipa_mem_type *t = ipa_mem_type_new ("foreign-type", NULL, 0);
  static char not_ours[64];

  ipa_mem_free (not_ours + 16, t);
}

static void
misuse_null_type (void)
{
  ipa_mem_malloc (8, NULL);
}

static void
misuse_free_null_type (void)
{
  ipa_mem_type *t = ipa_mem_type_new ("some-type", NULL, 0);

  ipa_mem_free (ipa_mem_malloc (8, t), NULL);
}

static void
misuse_not_a_type (void)
{
  static guint64 junk[8];

  ipa_mem_malloc (8, (ipa_mem_type *) junk);
}

static void
misuse_corrupted_header (void)
{
  ipa_mem_type *t = ipa_mem_type_new ("underflow-type", NULL, 0);
  char *p = ipa_mem_malloc (8, t);

  p[-1] ^= 0x55;
  ipa_mem_free (p, t);
}

static void
misuse_strdup_null (void)
{
  ipa_mem_strdup (NULL, ipa_mem_type_new ("strdup-type", NULL, 0));
}

static void
misuse_type_flags (void)
{
  ipa_mem_type_new ("flags-type", NULL, IPA_MEMFUNC_FLAG_OPTIMIZE);
}

static void
misuse_marray_double_free (void)
{
  void *items = NULL;
  ipa_marray *m = ipa_marray_init ("index-array", NULL, 0, &items, 8, 1, 1);
  guint idx;

  for (guint i = 0; i < 3; i++)
    ipa_marray_alloc (m, &idx, 0);
  ipa_marray_free (m, 1);
  ipa_marray_free (m, 1);
}

static void
misuse_marray_out_of_range (void)
{
  void *items = NULL;
  ipa_marray *m = ipa_marray_init ("range-array", NULL, 0, &items, 8, 1, 1);

  ipa_marray_free (m, 1000);
}

static void
misuse_marray_bad_handle (void)
{
  ipa_marray_nused ((ipa_marray *) ipa_mem_type_new ("not-an-array", NULL, 0));
}

static void
misuse_marray_null (void)
{
  ipa_marray_free (NULL, 0);
}

static void
misuse_marray_bad_args (void)
{
  void *items = NULL;

  ipa_marray_init ("bad-array", NULL, 0, &items, 0, 1, 1);
}

static void
misuse_mzone_foreign (void)
{
  ipa_mzone *z = ipa_mzone_init ("foreign-zone", NULL, 0, 16, 1, 1);
  static guint64 not_ours[4];

  ipa_mzone_alloc (z);
  ipa_mzone_free (z, not_ours);
}

static void
misuse_mzone_other_zone (void)
{
  ipa_mzone *a = ipa_mzone_init ("zone-a", NULL, IPA_MEMFUNC_FLAG_OPTIMIZE, 16, 1, 1);
  ipa_mzone *b = ipa_mzone_init ("zone-b", NULL, IPA_MEMFUNC_FLAG_OPTIMIZE, 16, 1, 1);

  ipa_mzone_alloc (b);
  ipa_mzone_free (b, ipa_mzone_alloc (a));
}

static void
misuse_mzone_double_free (void)
{
  ipa_mzone *z = ipa_mzone_init ("dfree-zone", NULL, IPA_MEMFUNC_FLAG_OPTIMIZE, 16, 1, 1);
  void *p = ipa_mzone_alloc (z);

  ipa_mzone_alloc (z);
  ipa_mzone_free (z, p);
  ipa_mzone_free (z, p);
}

static void
misuse_mzone_inside_item (void)
{
  ipa_mzone *z = ipa_mzone_init ("inside-zone", NULL, IPA_MEMFUNC_FLAG_OPTIMIZE, 24, 1, 1);
  char *p = ipa_mzone_alloc (z);

  ipa_mzone_free (z, p + 8);
}

static void
misuse_mzone_null (void)
{
  ipa_mzone_alloc (NULL);
}

static const MisuseCase misuse_cases[] = {
  { "/memfunc/misuse/free-wrong-type", misuse_free_wrong_type,
    "*critical error: mem_free:*mem_type \"type-one\", not to mem_type \"type-two\"*" },
  { "/memfunc/misuse/realloc-wrong-type", misuse_realloc_wrong_type,
    "*mem_realloc:*mem_type \"realloc-one\", not to mem_type \"realloc-two\"*" },
  { "/memfunc/misuse/double-free", misuse_double_free,
    "*mem_free: mem_type \"double-type\"*double free*" },
  { "/memfunc/misuse/foreign-pointer", misuse_foreign_pointer,
    "*mem_free: mem_type \"foreign-type\"*foreign pointer*" },
  { "/memfunc/misuse/null-type", misuse_null_type, "*mem_malloc: mem_type is NULL*" },
  { "/memfunc/misuse/free-null-type", misuse_free_null_type, "*mem_free: mem_type is NULL*" },
  { "/memfunc/misuse/not-a-type", misuse_not_a_type, "*mem_malloc: * is not a mem_type*" },
  { "/memfunc/misuse/corrupted-header", misuse_corrupted_header,
    "*mem_type \"underflow-type\": the header of block * is corrupted*" },
  { "/memfunc/misuse/strdup-null", misuse_strdup_null, "*mem_strdup: mem_type \"strdup-type\"*" },
  { "/memfunc/misuse/type-flags", misuse_type_flags, "*mem_type \"flags-type\": unknown flags*" },
  { "/memfunc/misuse/marray-double-free", misuse_marray_double_free,
    "*marray_free: marray \"index-array\": index 1 is not allocated*" },
  { "/memfunc/misuse/marray-out-of-range", misuse_marray_out_of_range,
    "*marray_free: marray \"range-array\": index 1000 is out of range*" },
  { "/memfunc/misuse/marray-bad-handle", misuse_marray_bad_handle,
    "*marray_nused: * is not a marray*" },
  { "/memfunc/misuse/marray-null", misuse_marray_null, "*marray_free: marray is NULL*" },
  { "/memfunc/misuse/marray-bad-args", misuse_marray_bad_args,
    "*marray_init: marray \"bad-array\": bad arguments*" },
  { "/memfunc/misuse/mzone-foreign", misuse_mzone_foreign,
    "*mzone_free: mzone \"foreign-zone\": * is not an item of this mzone*" },
  { "/memfunc/misuse/mzone-other-zone", misuse_mzone_other_zone,
    "*mzone_free: mzone \"zone-b\": * is not an item of this mzone*" },
  { "/memfunc/misuse/mzone-double-free", misuse_mzone_double_free,
    "*mzone_free: mzone \"dfree-zone\": item * is not allocated (double free?)*" },
  { "/memfunc/misuse/mzone-inside-item", misuse_mzone_inside_item,
    "*mzone_free: mzone \"inside-zone\": * is not an item of this mzone*" },
  { "/memfunc/misuse/mzone-null", misuse_mzone_null, "*mzone_alloc: mzone is NULL*" },
};

static void
test_misuse (gconstpointer data)
{
  const MisuseCase *c = data;

  if (g_test_subprocess ())
    {
      c->run ();
      /* Not reached if the misuse was caught. */
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (c->stderr_pattern);
}

int
main (int argc, char **argv)
{
  /* The vasprintf failure case relies on the C locale. */
  setlocale (LC_ALL, "C");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/memfunc/table", test_table);
  g_test_add_func ("/memfunc/mem/basic", test_mem_basic);
  g_test_add_func ("/memfunc/mem/type-copies", test_mem_type_copies);
  g_test_add_func ("/memfunc/mem/vasprintf", test_mem_vasprintf);
  g_test_add_func ("/memfunc/marray/lowest-free", test_marray_lowest_free);
  g_test_add_func ("/memfunc/marray/fixed", test_marray_fixed);
  g_test_add_func ("/memfunc/marray/moves", test_marray_moves);
  g_test_add_func ("/memfunc/marray/stats-minimize", test_marray_stats_minimize);
  g_test_add_func ("/memfunc/deinit-null", test_deinit_null);
  g_test_add_func ("/memfunc/mzone/many", test_mzone_many);
  g_test_add_func ("/memfunc/mzone/plain", test_mzone_plain);
  g_test_add_func ("/memfunc/owner/leaks-and-release", test_leaks_and_release);
  g_test_add_func ("/memfunc/owner/reload", test_owner_reload);
  g_test_add_func ("/memfunc/child-deinit", test_child_deinit);
  g_test_add_func ("/memfunc/threads", test_threads);
#if WITH_MEMFUNC_DEBUG
  g_test_add_func ("/memfunc/debug-build", test_debug_build);
#endif
  for (gsize i = 0; i < G_N_ELEMENTS (misuse_cases); i++)
    g_test_add_data_func (misuse_cases[i].path, &misuse_cases[i], test_misuse);

  return g_test_run ();
}
