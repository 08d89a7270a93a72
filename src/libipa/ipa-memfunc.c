/*
 * ipa-memfunc.c: ipa_memfunc, the memory functions of ipa_mod(3).
 *
 * Every mem_* block starts with a small header (its size and a tag made
 * from the owning mem_type).  Each mem_type also keeps the set of its live
 * blocks: a pointer is checked against that set before anything is read
 * through it, so a foreign pointer or a double free is caught without
 * touching memory that is not ours (which keeps ASan and valgrind quiet and
 * the diagnosis reliable).  The set is what lets the host free a module's
 * leftover blocks before unloading it.
 *
 * mzone items live in slabs whose size is a power of two and which are
 * aligned to that size, so the slab of an item is found by masking the
 * pointer and looking the result up in a hash table: O(1), and again
 * without reading the pointed-to memory.
 *
 * Locking: registry_lock protects the lists of objects and the current
 * owner; it is taken only when objects are created, destroyed or listed.
 * An object created with IPA_MEMFUNC_FLAG_PTHREAD has its own mutex.  The
 * lock order is registry_lock, then an object's lock.
 */
#include "config.h"

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "ipa-memfunc"
#endif

#include "ipa-memfunc.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEM_TYPE_MAGIC  0x544d454dU  /* "MEMT" */
#define MARRAY_MAGIC    0x5952414dU  /* "MARY" */
#define MZONE_MAGIC     0x4e4f5a4dU  /* "MZON" */
#define DEAD_MAGIC      0xdeadbeefU

/* A block's tag is its mem_type xor one of these, so that random data is
 * unlikely to pass for a header of the right type. */
#define BLOCK_TAG_LIVE    ((guintptr) G_GUINT64_CONSTANT (0x5a17c0de5a17c0de))
#define BLOCK_TAG_FOREIGN ((guintptr) G_GUINT64_CONSTANT (0x0f0e1a2b3c4d5e6f))

/* How many recently freed pointers a mem_type remembers, only to tell a
 * double free from a foreign pointer in the abort message. */
#define FREED_RING 8

/* mzone slab sizes (powers of two). */
#define MZONE_SLAB_MIN     ((gsize) alignof (max_align_t))
#define MZONE_SLAB_OPTIMIZE ((gsize) 16 * 1024)
#define MZONE_SLAB_MAX     ((gsize) 1024 * 1024)

/* The header keeps the user data aligned as malloc(3) would. */
typedef struct {
  alignas (max_align_t) gsize size;
  guintptr tag;
} MemHeader;

G_STATIC_ASSERT (sizeof (MemHeader) % alignof (max_align_t) == 0);

struct ipa_mem_type_struct {
  guint32 magic;
  guint flags;
  GMutex lock;
  char *name;
  char *desc;
  const char *owner;            /* interned; NULL: the host */
  guint64 bytes;
  guint64 blocks;
  guint64 peak_bytes;
  guint64 total_allocs;
  GHashTable *live;             /* user pointers of live blocks */
  gpointer freed[FREED_RING];
  guint freed_pos;
  GList link;                   /* in registry_types */
};

struct ipa_marray_struct {
  guint32 magic;
  guint flags;
  GMutex lock;
  char *name;
  char *desc;
  const char *owner;
  void **arr;
  void *items;                  /* what *arr was last set to */
  gsize isize;
  guint nitems;
  guint nalloc;
  guint cap;                    /* room for this many items */
  guint nused;
  guint top;                    /* highest used index + 1 */
  guint hint;                   /* every index below it is used */
  guint64 *bits;                /* used items */
  guint64 peak_bytes;
  GList link;
};

typedef struct {
  char *mem;                    /* aligned to slab_bytes */
  guint nfree;
  guint hint;                   /* no free item in words below it */
  GList link;                   /* in partial while nfree != 0 */
  guint64 bits[];               /* used items; bits past the end are set */
} Slab;

struct ipa_mzone_struct {
  guint32 magic;
  guint flags;
  GMutex lock;
  char *name;
  char *desc;
  const char *owner;
  gsize isize;
  gsize slab_bytes;
  guint slab_items;
  guint slab_words;
  GHashTable *slabs;            /* Slab.mem -> Slab */
  GQueue partial;               /* slabs with a free item */
  guint nslabs;
  guint nempty;
  guint nused;
  guint64 peak_bytes;
  GList link;
};

static GMutex registry_lock;
static GQueue registry_types = G_QUEUE_INIT;
static GQueue registry_marrays = G_QUEUE_INIT;
static GQueue registry_mzones = G_QUEUE_INIT;
static const char *current_owner;
static ipa_mem_type *m_parser;

static ipa_memfunc memfunc_table = {
  .api_ver = IPA_MEMFUNC_API_VERSION,
  .memfunc_init = ipa_memfunc_init,
  .memfunc_deinit = ipa_memfunc_deinit,
  .m_parser = NULL,             /* set on initialisation */
  .mem_type_new = ipa_mem_type_new,
  .mem_malloc = ipa_mem_malloc,
  .mem_calloc = ipa_mem_calloc,
  .mem_realloc = ipa_mem_realloc,
  .mem_strdup = ipa_mem_strdup,
  .mem_vasprintf = ipa_mem_vasprintf,
  .mem_free = ipa_mem_free,
  .marray_init = ipa_marray_init,
  .marray_deinit = ipa_marray_deinit,
  .marray_alloc = ipa_marray_alloc,
  .marray_free = ipa_marray_free,
  .marray_minimize = ipa_marray_minimize,
  .marray_check_index = ipa_marray_check_index,
  .marray_nused = ipa_marray_nused,
  .mzone_init = ipa_mzone_init,
  .mzone_deinit = ipa_mzone_deinit,
  .mzone_alloc = ipa_mzone_alloc,
  .mzone_free = ipa_mzone_free,
  .mzone_nused = ipa_mzone_nused,
};

/* Errors */

static G_NORETURN void memfunc_fatal (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* No allocation here: the heap may be what is broken. */
static void
memfunc_fatal (const char *format, ...)
{
  char buf[1024];
  va_list ap;

  va_start (ap, format);
  vsnprintf (buf, sizeof buf, format, ap);
  va_end (ap);
  fprintf (stderr, "ipa-memfunc: critical error: %s\n", buf);
  fflush (stderr);
  abort ();
}

/* Helpers */

static guint
ptr_hash (gconstpointer p)
{
  guint64 x = (guint64) (guintptr) p;

  /* Pointers are aligned; drop the zero bits and mix the rest. */
  x = (x >> 4) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  return (guint) (x >> 32);
}

static inline void
lock_if (guint flags, GMutex *mutex)
{
  if (flags & IPA_MEMFUNC_FLAG_PTHREAD)
    g_mutex_lock (mutex);
}

static inline void
unlock_if (guint flags, GMutex *mutex)
{
  if (flags & IPA_MEMFUNC_FLAG_PTHREAD)
    g_mutex_unlock (mutex);
}

#if WITH_MEMFUNC_DEBUG
static _Thread_local guint64 fill_state;

/* xorshift64: random enough to make stale data visible, and fast. */
static void
debug_fill (void *p, gsize n)
{
  guchar *b = p;
  guint64 x = fill_state;

  if (x == 0)
    x = ((guint64) (guintptr) &fill_state ^ (guint64) g_get_monotonic_time ()) | 1;
  while (n > 0)
    {
      gsize chunk = MIN (n, sizeof x);

      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      memcpy (b, &x, chunk);
      b += chunk;
      n -= chunk;
    }
  fill_state = x;
}
#endif

/* Resize raw storage; new_size > 0.  In debug builds the storage always
 * moves, so that stale pointers to it are caught. */
static void *
raw_resize (void *old, gsize old_size, gsize new_size)
{
#if WITH_MEMFUNC_DEBUG
  void *p = malloc (new_size);

  if (p == NULL)
    return NULL;
  if (old != NULL)
    {
      memcpy (p, old, MIN (old_size, new_size));
      debug_fill (old, old_size);
      free (old);
    }
  if (new_size > old_size)
    debug_fill ((char *) p + old_size, new_size - old_size);
  return p;
#else
  (void) old_size;
  return realloc (old, new_size);
#endif
}

static void
raw_release (void *p, gsize size)
{
#if WITH_MEMFUNC_DEBUG
  if (p != NULL)
    debug_fill (p, size);
#else
  (void) size;
#endif
  free (p);
}

static inline gsize
bitmap_words (guint nbits)
{
  return ((gsize) nbits + 63) / 64;
}

/* Registry */

static void
registry_add (GQueue *queue, GList *link, gpointer object, const char **owner,
              gboolean host)
{
  link->data = object;
  g_mutex_lock (&registry_lock);
  *owner = host ? NULL : current_owner;
  g_queue_push_tail_link (queue, link);
  g_mutex_unlock (&registry_lock);
}

static void
registry_remove (GQueue *queue, GList *link)
{
  g_mutex_lock (&registry_lock);
  g_queue_unlink (queue, link);
  g_mutex_unlock (&registry_lock);
}

static ipa_mem_type *mem_type_create (const char *name, const char *desc,
                                      unsigned int flags, gboolean host);

static void
memfunc_ensure_init (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      m_parser = mem_type_create ("parser", "configuration parser", 0, TRUE);
      memfunc_table.m_parser = m_parser;
      g_once_init_leave (&initialised, 1);
    }
}

const ipa_memfunc *
ipa_memfunc_get (void)
{
  memfunc_ensure_init ();
  return &memfunc_table;
}

ipa_mem_type *
ipa_mem_type_get_parser (void)
{
  memfunc_ensure_init ();
  return m_parser;
}

void
ipa_memfunc_set_owner (const char *owner)
{
  const char *interned = owner != NULL ? g_intern_string (owner) : NULL;

  g_mutex_lock (&registry_lock);
  current_owner = interned;
  g_mutex_unlock (&registry_lock);
}

const char *
ipa_memfunc_get_owner (void)
{
  const char *owner;

  g_mutex_lock (&registry_lock);
  owner = current_owner;
  g_mutex_unlock (&registry_lock);
  return owner;
}

/* mem_type and mem_* */

static ipa_mem_type *
mem_type_create (const char *name, const char *desc, unsigned int flags,
                 gboolean host)
{
  ipa_mem_type *t;

  if (name == NULL)
    memfunc_fatal ("mem_type_new: mem_type name is NULL");
  if (flags & ~IPA_MEMFUNC_FLAG_PTHREAD)
    memfunc_fatal ("mem_type_new: mem_type \"%s\": unknown flags 0x%x", name, flags);

  t = g_new0 (ipa_mem_type, 1);
  t->magic = MEM_TYPE_MAGIC;
  t->flags = flags;
  g_mutex_init (&t->lock);
  t->name = g_strdup (name);
  t->desc = g_strdup (desc != NULL ? desc : "");
  t->live = g_hash_table_new (ptr_hash, NULL);
  registry_add (&registry_types, &t->link, t, &t->owner, host);
  return t;
}

ipa_mem_type *
ipa_mem_type_new (const char *name, const char *desc, unsigned int flags)
{
  memfunc_ensure_init ();
  return mem_type_create (name, desc, flags, FALSE);
}

static inline void
check_mem_type (const ipa_mem_type *t, const char *func)
{
  if (G_UNLIKELY (t == NULL))
    memfunc_fatal ("%s: mem_type is NULL", func);
  if (G_UNLIKELY (t->magic != MEM_TYPE_MAGIC))
    memfunc_fatal ("%s: %p is not a mem_type", func, (const void *) t);
}

static inline MemHeader *
block_header (void *ptr)
{
  return (MemHeader *) ptr - 1;
}

static void
mem_type_account_new (ipa_mem_type *t, gsize size)
{
  t->bytes += size;
  t->blocks++;
  t->total_allocs++;
  if (t->bytes > t->peak_bytes)
    t->peak_bytes = t->bytes;
}

/* Which mem_type other than t has ptr as a live block?  Abort path only. */
static ipa_mem_type *
find_block_owner (void *ptr, ipa_mem_type *t)
{
  ipa_mem_type *found = NULL;

  g_mutex_lock (&registry_lock);
  for (GList *l = registry_types.head; l != NULL && found == NULL; l = l->next)
    {
      ipa_mem_type *other = l->data;

      if (other == t)
        continue;
      lock_if (other->flags, &other->lock);
      if (g_hash_table_contains (other->live, ptr))
        found = other;
      unlock_if (other->flags, &other->lock);
    }
  g_mutex_unlock (&registry_lock);
  return found;
}

/* ptr is not a live block of t: say as precisely as we can why, and abort.
 * Called without t's lock. */
static G_NORETURN void
bad_block (ipa_mem_type *t, void *ptr, const char *func)
{
  ipa_mem_type *other = find_block_owner (ptr, t);
  gboolean recently_freed = FALSE;

  if (other != NULL)
    memfunc_fatal ("%s: block %p belongs to mem_type \"%s\", not to mem_type \"%s\"",
                   func, ptr, other->name, t->name);
  lock_if (t->flags, &t->lock);
  for (guint i = 0; i < FREED_RING; i++)
    if (t->freed[i] == ptr)
      recently_freed = TRUE;
  unlock_if (t->flags, &t->lock);
  if (recently_freed)
    memfunc_fatal ("%s: mem_type \"%s\": block %p was already freed (double free)",
                   func, t->name, ptr);
  memfunc_fatal ("%s: mem_type \"%s\": %p was not allocated by memfunc "
                 "(foreign pointer or double free)", func, t->name, ptr);
}

/* Check the header of a block known to be in t->live; TRUE if it is a
 * foreign block (see ipa_memfunc_deinit).  Called with t's lock held. */
static gboolean
check_header (ipa_mem_type *t, void *ptr, const char *func)
{
  guintptr tag = block_header (ptr)->tag;

  if (tag == ((guintptr) t ^ BLOCK_TAG_LIVE))
    return FALSE;
  if (tag == ((guintptr) t ^ BLOCK_TAG_FOREIGN))
    return TRUE;
  memfunc_fatal ("%s: mem_type \"%s\": the header of block %p is corrupted "
                 "(buffer underflow?)", func, t->name, ptr);
}

static void *
block_alloc (ipa_mem_type *t, gsize size, gboolean zero)
{
  MemHeader *h;
  void *ptr;

  if (size > G_MAXSIZE - sizeof (MemHeader))
    return NULL;
  h = zero ? calloc (1, sizeof (MemHeader) + size) : malloc (sizeof (MemHeader) + size);
  if (h == NULL)
    return NULL;
  h->size = size;
  h->tag = (guintptr) t ^ BLOCK_TAG_LIVE;
  ptr = h + 1;
#if WITH_MEMFUNC_DEBUG
  if (!zero)
    debug_fill (ptr, size);
#endif
  lock_if (t->flags, &t->lock);
  g_hash_table_add (t->live, ptr);
  mem_type_account_new (t, size);
  unlock_if (t->flags, &t->lock);
  return ptr;
}

void *
ipa_mem_malloc (size_t size, ipa_mem_type *mem_type)
{
  check_mem_type (mem_type, "mem_malloc");
  return block_alloc (mem_type, size, FALSE);
}

void *
ipa_mem_calloc (size_t number, size_t size, ipa_mem_type *mem_type)
{
  check_mem_type (mem_type, "mem_calloc");
  if (size != 0 && number > G_MAXSIZE / size)
    return NULL;
  return block_alloc (mem_type, number * size, TRUE);
}

void *
ipa_mem_realloc (void *ptr, size_t size, ipa_mem_type *mem_type)
{
  ipa_mem_type *t = mem_type;
  MemHeader *h, *nh;
  gsize old_size;
  gboolean foreign;
  void *nptr;

  check_mem_type (t, "mem_realloc");
  if (ptr == NULL)
    return block_alloc (t, size, FALSE);

  lock_if (t->flags, &t->lock);
  if (!g_hash_table_contains (t->live, ptr))
    {
      unlock_if (t->flags, &t->lock);
      bad_block (t, ptr, "mem_realloc");
    }
  foreign = check_header (t, ptr, "mem_realloc");
  h = block_header (ptr);
  old_size = h->size;
  if (size > G_MAXSIZE - sizeof (MemHeader))
    {
      unlock_if (t->flags, &t->lock);
      return NULL;
    }
  nh = raw_resize (h, sizeof (MemHeader) + old_size, sizeof (MemHeader) + size);
  if (nh == NULL)
    {
      unlock_if (t->flags, &t->lock);
      return NULL;
    }
  nh->size = size;
  nh->tag = (guintptr) t ^ BLOCK_TAG_LIVE;
  nptr = nh + 1;
  if (nptr != ptr)
    {
      /* Only the pointer values are compared; ptr is not read. */
      g_hash_table_remove (t->live, ptr);
      g_hash_table_add (t->live, nptr);
      t->freed[t->freed_pos++ % FREED_RING] = ptr;
    }
  if (foreign)
    {
      /* A foreign block becomes an ordinary one. */
      mem_type_account_new (t, size);
    }
  else
    {
      t->bytes = t->bytes - old_size + size;
      if (t->bytes > t->peak_bytes)
        t->peak_bytes = t->bytes;
    }
  unlock_if (t->flags, &t->lock);
  return nptr;
}

char *
ipa_mem_strdup (const char *str, ipa_mem_type *mem_type)
{
  gsize len;
  char *copy;

  check_mem_type (mem_type, "mem_strdup");
  if (str == NULL)
    memfunc_fatal ("mem_strdup: mem_type \"%s\": string is NULL", mem_type->name);
  len = strlen (str);
  copy = block_alloc (mem_type, len + 1, FALSE);
  if (copy != NULL)
    memcpy (copy, str, len + 1);
  return copy;
}

int
ipa_mem_vasprintf (ipa_mem_type *mem_type, char **buf_ptr, const char *format, va_list ap)
{
  char small[256];
  va_list aq;
  char *buf;
  int len;

  check_mem_type (mem_type, "mem_vasprintf");
  if (buf_ptr == NULL || format == NULL)
    memfunc_fatal ("mem_vasprintf: mem_type \"%s\": %s is NULL", mem_type->name,
                   buf_ptr == NULL ? "buf_ptr" : "format");

  /* Most strings are short: format once into the stack buffer. */
  va_copy (aq, ap);
  len = vsnprintf (small, sizeof small, format, aq);
  va_end (aq);
  if (len < 0 || (buf = block_alloc (mem_type, (gsize) len + 1, FALSE)) == NULL)
    {
      *buf_ptr = NULL;
      return -1;
    }
  if ((gsize) len < sizeof small)
    memcpy (buf, small, (gsize) len + 1);
  else
    vsnprintf (buf, (gsize) len + 1, format, ap);
  *buf_ptr = buf;
  return len;
}

int
ipa_mem_asprintf (ipa_mem_type *mem_type, char **buf_ptr, const char *format, ...)
{
  va_list ap;
  int len;

  va_start (ap, format);
  len = ipa_mem_vasprintf (mem_type, buf_ptr, format, ap);
  va_end (ap);
  return len;
}

void
ipa_mem_free (void *ptr, ipa_mem_type *mem_type)
{
  ipa_mem_type *t = mem_type;
  MemHeader *h;

  check_mem_type (t, "mem_free");
  if (ptr == NULL)
    return;

  lock_if (t->flags, &t->lock);
  if (!g_hash_table_remove (t->live, ptr))
    {
      unlock_if (t->flags, &t->lock);
      bad_block (t, ptr, "mem_free");
    }
  h = block_header (ptr);
  if (!check_header (t, ptr, "mem_free"))
    {
      t->bytes -= h->size;
      t->blocks--;
    }
  t->freed[t->freed_pos++ % FREED_RING] = ptr;
  unlock_if (t->flags, &t->lock);
  raw_release (h, sizeof (MemHeader) + h->size);
}

/* Free every block of t and t itself; t is no longer in the registry. */
static void
mem_type_destroy (ipa_mem_type *t)
{
  GHashTableIter iter;
  gpointer ptr;

  g_hash_table_iter_init (&iter, t->live);
  while (g_hash_table_iter_next (&iter, &ptr, NULL))
    {
      MemHeader *h = block_header (ptr);

      raw_release (h, sizeof (MemHeader) + h->size);
    }
  g_hash_table_destroy (t->live);
  g_mutex_clear (&t->lock);
  g_free (t->name);
  g_free (t->desc);
  t->magic = DEAD_MAGIC;
  g_free (t);
}

/* marray */

static inline void
check_marray (const ipa_marray *m, const char *func)
{
  if (G_UNLIKELY (m == NULL))
    memfunc_fatal ("%s: marray is NULL", func);
  if (G_UNLIKELY (m->magic != MARRAY_MAGIC))
    memfunc_fatal ("%s: %p is not a marray", func, (const void *) m);
}

static inline gboolean
marray_used (const ipa_marray *m, guint idx)
{
  return idx < m->cap && (m->bits[idx / 64] >> (idx % 64)) & 1;
}

static void
marray_set_items (ipa_marray *m, void *items, guint cap)
{
  m->items = items;
  m->cap = cap;
  *m->arr = items;
  if ((guint64) cap * m->isize > m->peak_bytes)
    m->peak_bytes = (guint64) cap * m->isize;
}

/* Change the room to new_cap >= top items.  FALSE if memory is exhausted,
 * in which case nothing has changed. */
static gboolean
marray_resize (ipa_marray *m, guint new_cap)
{
  gsize old_words = bitmap_words (m->cap);
  gsize new_words = bitmap_words (new_cap);
  void *items;

  g_assert (new_cap >= m->top);
  if (new_cap == m->cap)
    return TRUE;
  if (new_cap == 0)
    {
      raw_release (m->items, (gsize) m->cap * m->isize);
      free (m->bits);
      m->bits = NULL;
      marray_set_items (m, NULL, 0);
      return TRUE;
    }
  if (m->isize > G_MAXSIZE / new_cap)
    return FALSE;

  if (new_cap > m->cap)
    {
      /* Grow the bitmap first: a bigger bitmap is harmless if the items
       * cannot follow. */
      if (new_words > old_words)
        {
          guint64 *bits = realloc (m->bits, new_words * sizeof (guint64));

          if (bits == NULL)
            return FALSE;
          memset (bits + old_words, 0, (new_words - old_words) * sizeof (guint64));
          m->bits = bits;
        }
      items = raw_resize (m->items, (gsize) m->cap * m->isize, (gsize) new_cap * m->isize);
      if (items == NULL)
        return FALSE;
    }
  else
    {
      /* Shrink the items first: the bitmap must cover the room. */
      items = raw_resize (m->items, (gsize) m->cap * m->isize, (gsize) new_cap * m->isize);
      if (items == NULL)
        return FALSE;
      if (new_words < old_words)
        {
          guint64 *bits = realloc (m->bits, new_words * sizeof (guint64));

          /* Failing to shrink the bitmap only wastes a little memory. */
          if (bits != NULL)
            m->bits = bits;
        }
    }
  marray_set_items (m, items, new_cap);
  return TRUE;
}

ipa_marray *
ipa_marray_init (const char *name, const char *desc, unsigned int flags, void **arr,
                 size_t isize, unsigned int nitems, unsigned int nalloc)
{
  ipa_marray *m;

  memfunc_ensure_init ();
  if (name == NULL)
    memfunc_fatal ("marray_init: marray name is NULL");
  if (arr == NULL || isize == 0 || nalloc == 0 || (flags & ~IPA_MEMFUNC_FLAG_PTHREAD))
    memfunc_fatal ("marray_init: marray \"%s\": bad arguments "
                   "(arr %p, isize %zu, nalloc %u, flags 0x%x)",
                   name, (void *) arr, isize, nalloc, flags);

  m = g_new0 (ipa_marray, 1);
  m->magic = MARRAY_MAGIC;
  m->flags = flags;
  g_mutex_init (&m->lock);
  m->name = g_strdup (name);
  m->desc = g_strdup (desc != NULL ? desc : "");
  m->arr = arr;
  m->isize = isize;
  m->nitems = nitems;
  m->nalloc = nalloc;
  *arr = NULL;
  if (!marray_resize (m, nitems))
    {
      g_mutex_clear (&m->lock);
      g_free (m->name);
      g_free (m->desc);
      g_free (m);
      return NULL;
    }
  registry_add (&registry_marrays, &m->link, m, &m->owner, FALSE);
  return m;
}

static void
marray_destroy (ipa_marray *m)
{
  raw_release (m->items, (gsize) m->cap * m->isize);
  free (m->bits);
  g_mutex_clear (&m->lock);
  g_free (m->name);
  g_free (m->desc);
  m->magic = DEAD_MAGIC;
  g_free (m);
}

void
ipa_marray_deinit (ipa_marray *marray)
{
  if (marray == NULL)
    return;
  check_marray (marray, "marray_deinit");
  registry_remove (&registry_marrays, &marray->link);
  marray_destroy (marray);
}

/* The lowest free index; cap if every item is used. */
static guint
marray_lowest_free (const ipa_marray *m)
{
  gsize nwords = bitmap_words (m->cap);

  for (gsize w = m->hint / 64; w < nwords; w++)
    {
      guint64 free_bits = ~m->bits[w];

      if (w == m->hint / 64)
        free_bits &= ~G_GUINT64_CONSTANT (0) << (m->hint % 64);
      if (free_bits != 0)
        return (guint) MIN (w * 64 + (gsize) __builtin_ctzll (free_bits), m->cap);
    }
  return m->cap;
}

int
ipa_marray_alloc (ipa_marray *marray, unsigned int *idxp, int fixed)
{
  ipa_marray *m = marray;
  guint idx;

  check_marray (m, "marray_alloc");
  if (idxp == NULL)
    memfunc_fatal ("marray_alloc: marray \"%s\": idxp is NULL", m->name);

  lock_if (m->flags, &m->lock);
  if (fixed)
    {
      idx = *idxp;
      if (marray_used (m, idx) || idx == G_MAXUINT)
        goto fail;
    }
  else
    idx = marray_lowest_free (m);

  if (idx >= m->cap)
    {
      /* Grow by nalloc items, or by a quarter when that is more, so that
       * filling a big marray one item at a time stays amortised O(1). */
      guint64 need = (guint64) idx + 1;
      guint64 want = (guint64) m->cap + MAX (m->nalloc, m->cap / 4);

      want = MIN (MAX (want, need), G_MAXUINT);
      if (!marray_resize (m, (guint) want) &&
          (want == need || !marray_resize (m, (guint) need)))
        goto fail;
    }

  m->bits[idx / 64] |= G_GUINT64_CONSTANT (1) << (idx % 64);
  m->nused++;
  if (idx >= m->top)
    m->top = idx + 1;
  if (idx == m->hint)
    m->hint = idx + 1;
#if WITH_MEMFUNC_DEBUG
  debug_fill ((char *) m->items + (gsize) idx * m->isize, m->isize);
#endif
  unlock_if (m->flags, &m->lock);
  *idxp = idx;
  return 0;

fail:
  unlock_if (m->flags, &m->lock);
  return -1;
}

void
ipa_marray_free (ipa_marray *marray, unsigned int idx)
{
  ipa_marray *m = marray;

  check_marray (m, "marray_free");
  lock_if (m->flags, &m->lock);
  if (!marray_used (m, idx))
    {
      gboolean in_range = idx < m->cap;

      unlock_if (m->flags, &m->lock);
      memfunc_fatal ("marray_free: marray \"%s\": index %u %s", m->name, idx,
                     in_range ? "is not allocated (double free?)" : "is out of range");
    }
  m->bits[idx / 64] &= ~(G_GUINT64_CONSTANT (1) << (idx % 64));
  m->nused--;
  if (idx < m->hint)
    m->hint = idx;
#if WITH_MEMFUNC_DEBUG
  debug_fill ((char *) m->items + (gsize) idx * m->isize, m->isize);
#endif
  if (idx + 1 == m->top)
    {
      /* Bits at and above top are clear, so look down for the new top. */
      gsize w = idx / 64 + 1;

      m->top = 0;
      while (w-- > 0)
        if (m->bits[w] != 0)
          {
            m->top = (guint) (w * 64 + 64 - (gsize) __builtin_clzll (m->bits[w]));
            break;
          }

      /* Give back room once the tail is more than half empty; keep some
       * slack so that alternating alloc and free do not thrash. */
      if (m->top <= m->cap / 2 && m->cap > m->nitems)
        {
          guint64 want = (guint64) m->top + MAX (m->nalloc, m->top / 4);

          want = MAX (want, m->nitems);
          if (want < m->cap)
            marray_resize (m, (guint) want);   /* failure: keep the room */
        }
    }
  unlock_if (m->flags, &m->lock);
}

void
ipa_marray_minimize (ipa_marray *marray)
{
  check_marray (marray, "marray_minimize");
  lock_if (marray->flags, &marray->lock);
  marray_resize (marray, marray->top);   /* failure: keep the room */
  unlock_if (marray->flags, &marray->lock);
}

int
ipa_marray_check_index (ipa_marray *marray, unsigned int idx)
{
  int used;

  check_marray (marray, "marray_check_index");
  lock_if (marray->flags, &marray->lock);
  used = marray_used (marray, idx);
  unlock_if (marray->flags, &marray->lock);
  return used;
}

unsigned int
ipa_marray_nused (ipa_marray *marray)
{
  guint nused;

  check_marray (marray, "marray_nused");
  lock_if (marray->flags, &marray->lock);
  nused = marray->nused;
  unlock_if (marray->flags, &marray->lock);
  return nused;
}

/* mzone */

static inline void
check_mzone (const ipa_mzone *z, const char *func)
{
  if (G_UNLIKELY (z == NULL))
    memfunc_fatal ("%s: mzone is NULL", func);
  if (G_UNLIKELY (z->magic != MZONE_MAGIC))
    memfunc_fatal ("%s: %p is not a mzone", func, (const void *) z);
}

static void mzone_destroy (ipa_mzone *z);

static Slab *
mzone_add_slab (ipa_mzone *z)
{
  void *mem;
  Slab *s;
  guint tail;
  guint64 bytes;

  if (posix_memalign (&mem, z->slab_bytes, z->slab_bytes) != 0)
    return NULL;
  s = calloc (1, sizeof (Slab) + z->slab_words * sizeof (guint64));
  if (s == NULL)
    {
      free (mem);
      return NULL;
    }
#if WITH_MEMFUNC_DEBUG
  debug_fill (mem, z->slab_bytes);
#endif
  s->mem = mem;
  s->nfree = z->slab_items;
  /* Mark the bits past the last item as used so the search never picks them. */
  tail = z->slab_items % 64;
  if (tail != 0)
    s->bits[z->slab_words - 1] = ~G_GUINT64_CONSTANT (0) << tail;
  s->link.data = s;
  g_hash_table_insert (z->slabs, mem, s);
  g_queue_push_tail_link (&z->partial, &s->link);
  z->nslabs++;
  z->nempty++;
  bytes = (guint64) z->nslabs * z->slab_bytes;
  if (bytes > z->peak_bytes)
    z->peak_bytes = bytes;
  return s;
}

static void
mzone_drop_slab (ipa_mzone *z, Slab *s)
{
  g_hash_table_remove (z->slabs, s->mem);
  raw_release (s->mem, z->slab_bytes);
  free (s);
  z->nslabs--;
}

ipa_mzone *
ipa_mzone_init (const char *name, const char *desc, unsigned int flags, size_t isize,
                unsigned int nitems, unsigned int nalloc)
{
  ipa_mzone *z;
  gsize want, slab_bytes;

  memfunc_ensure_init ();
  if (name == NULL)
    memfunc_fatal ("mzone_init: mzone name is NULL");
  if (isize == 0 || nalloc == 0 ||
      (flags & ~(IPA_MEMFUNC_FLAG_PTHREAD | IPA_MEMFUNC_FLAG_OPTIMIZE)))
    memfunc_fatal ("mzone_init: mzone \"%s\": bad arguments (isize %zu, nalloc %u, flags 0x%x)",
                   name, isize, nalloc, flags);
  if (isize > G_MAXSIZE / 4)
    return NULL;

  /* A slab holds about nalloc items, or many with OPTIMIZE; its size is a
   * power of two so that the slab of an item can be found by masking. */
  want = nalloc > MZONE_SLAB_MAX / isize ? MZONE_SLAB_MAX : isize * nalloc;
  if (flags & IPA_MEMFUNC_FLAG_OPTIMIZE)
    want = MAX (want, MZONE_SLAB_OPTIMIZE);
  want = MAX (want, isize);
  for (slab_bytes = MZONE_SLAB_MIN; slab_bytes < want; slab_bytes <<= 1)
    ;

  z = g_new0 (ipa_mzone, 1);
  z->magic = MZONE_MAGIC;
  z->flags = flags;
  g_mutex_init (&z->lock);
  z->name = g_strdup (name);
  z->desc = g_strdup (desc != NULL ? desc : "");
  z->isize = isize;
  z->slab_bytes = slab_bytes;
  z->slab_items = (guint) MIN (slab_bytes / isize, G_MAXUINT);
  z->slab_words = (guint) bitmap_words (z->slab_items);
  z->slabs = g_hash_table_new (ptr_hash, NULL);
  g_queue_init (&z->partial);
  for (guint have = 0; have < nitems; have += z->slab_items)
    if (mzone_add_slab (z) == NULL)
      {
        mzone_destroy (z);
        return NULL;
      }
  registry_add (&registry_mzones, &z->link, z, &z->owner, FALSE);
  return z;
}

static void
mzone_destroy (ipa_mzone *z)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, z->slabs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Slab *s = value;

      raw_release (s->mem, z->slab_bytes);
      free (s);
    }
  g_hash_table_destroy (z->slabs);
  g_mutex_clear (&z->lock);
  g_free (z->name);
  g_free (z->desc);
  z->magic = DEAD_MAGIC;
  g_free (z);
}

void
ipa_mzone_deinit (ipa_mzone *mzone)
{
  if (mzone == NULL)
    return;
  check_mzone (mzone, "mzone_deinit");
  registry_remove (&registry_mzones, &mzone->link);
  mzone_destroy (mzone);
}

void *
ipa_mzone_alloc (ipa_mzone *mzone)
{
  ipa_mzone *z = mzone;
  Slab *s;
  gsize w;
  guint idx;
  void *item;

  check_mzone (z, "mzone_alloc");
  lock_if (z->flags, &z->lock);
  if (z->partial.head == NULL && mzone_add_slab (z) == NULL)
    {
      unlock_if (z->flags, &z->lock);
      return NULL;
    }
  s = z->partial.head->data;
  for (w = s->hint; s->bits[w] == ~G_GUINT64_CONSTANT (0); w++)
    ;
  s->hint = (guint) w;
  idx = (guint) (w * 64 + (gsize) __builtin_ctzll (~s->bits[w]));
  s->bits[w] |= G_GUINT64_CONSTANT (1) << (idx % 64);
  if (s->nfree-- == z->slab_items)
    z->nempty--;
  if (s->nfree == 0)
    g_queue_unlink (&z->partial, &s->link);
  z->nused++;
  item = s->mem + (gsize) idx * z->isize;
  unlock_if (z->flags, &z->lock);
  return item;
}

void
ipa_mzone_free (ipa_mzone *mzone, void *ptr)
{
  ipa_mzone *z = mzone;
  guintptr base, off;
  Slab *s;
  guint idx;
  guint64 bit;

  check_mzone (z, "mzone_free");
  if (ptr == NULL)
    memfunc_fatal ("mzone_free: mzone \"%s\": pointer is NULL", z->name);

  base = (guintptr) ptr & ~(guintptr) (z->slab_bytes - 1);
  off = (guintptr) ptr - base;
  lock_if (z->flags, &z->lock);
  s = g_hash_table_lookup (z->slabs, (gpointer) base);
  if (s == NULL || off % z->isize != 0 || off / z->isize >= z->slab_items)
    {
      unlock_if (z->flags, &z->lock);
      memfunc_fatal ("mzone_free: mzone \"%s\": %p is not an item of this mzone",
                     z->name, ptr);
    }
  idx = (guint) (off / z->isize);
  bit = G_GUINT64_CONSTANT (1) << (idx % 64);
  if (!(s->bits[idx / 64] & bit))
    {
      unlock_if (z->flags, &z->lock);
      memfunc_fatal ("mzone_free: mzone \"%s\": item %p is not allocated (double free?)",
                     z->name, ptr);
    }
#if WITH_MEMFUNC_DEBUG
  debug_fill (ptr, z->isize);
#endif
  s->bits[idx / 64] &= ~bit;
  if (idx / 64 < s->hint)
    s->hint = idx / 64;
  if (s->nfree++ == 0)
    g_queue_push_head_link (&z->partial, &s->link);
  z->nused--;
  if (s->nfree == z->slab_items && ++z->nempty > 1)
    {
      /* Keep one empty slab for the next allocations, give back the rest. */
      g_queue_unlink (&z->partial, &s->link);
      mzone_drop_slab (z, s);
      z->nempty--;
    }
  unlock_if (z->flags, &z->lock);
}

unsigned int
ipa_mzone_nused (ipa_mzone *mzone)
{
  guint nused;

  check_mzone (mzone, "mzone_nused");
  lock_if (mzone->flags, &mzone->lock);
  nused = mzone->nused;
  unlock_if (mzone->flags, &mzone->lock);
  return nused;
}

/* Leaks, owners, child processes */

static gboolean
owner_matches (const char *object_owner, const char *interned, gboolean all)
{
  return all || object_owner == interned;
}

/* The interned form of owner without interning it: a name never set with
 * ipa_memfunc_set_owner() owns nothing, and need not stay in the table. */
static const char *
owner_lookup (const char *owner)
{
  GQuark quark = g_quark_try_string (owner);

  return quark != 0 ? g_quark_to_string (quark) : NULL;
}

guint
ipa_memfunc_check_leaks (const char *owner, IpaMemLeakFunc report, gpointer user_data)
{
  const char *interned = owner != NULL ? owner_lookup (owner) : NULL;
  gboolean all = owner == NULL;
  GPtrArray *messages;
  guint count;

  if (!all && interned == NULL)
    return 0;
  messages = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&registry_lock);
  for (GList *l = registry_types.head; l != NULL; l = l->next)
    {
      ipa_mem_type *t = l->data;
      guint64 bytes, blocks;

      if (!owner_matches (t->owner, interned, all))
        continue;
      lock_if (t->flags, &t->lock);
      bytes = t->bytes;
      blocks = t->blocks;
      unlock_if (t->flags, &t->lock);
      if (blocks != 0)
        g_ptr_array_add (messages,
                         g_strdup_printf ("mem_type %s: %" G_GUINT64_FORMAT " bytes in %"
                                          G_GUINT64_FORMAT " blocks not freed",
                                          t->name, bytes, blocks));
    }
  for (GList *l = registry_marrays.head; l != NULL; l = l->next)
    {
      ipa_marray *m = l->data;

      if (owner_matches (m->owner, interned, all))
        g_ptr_array_add (messages, g_strdup_printf ("marray %s was not deinitialised", m->name));
    }
  for (GList *l = registry_mzones.head; l != NULL; l = l->next)
    {
      ipa_mzone *z = l->data;

      if (owner_matches (z->owner, interned, all))
        g_ptr_array_add (messages, g_strdup_printf ("mzone %s was not deinitialised", z->name));
    }
  g_mutex_unlock (&registry_lock);

  /* The callback may log, which may allocate: no lock is held now. */
  count = messages->len;
  if (report != NULL)
    for (guint i = 0; i < messages->len; i++)
      report (g_ptr_array_index (messages, i), user_data);
  g_ptr_array_unref (messages);
  return count;
}

/* Move the objects of owner (all if all) from queue to *out. */
static void
registry_take (GQueue *queue, const char *interned, gboolean all, GQueue *out,
               gsize owner_offset)
{
  GList *l = queue->head;

  while (l != NULL)
    {
      GList *next = l->next;
      const char *object_owner = *(const char **) ((char *) l->data + owner_offset);

      if (owner_matches (object_owner, interned, all))
        {
          g_queue_unlink (queue, l);
          g_queue_push_tail_link (out, l);
        }
      l = next;
    }
}

void
ipa_memfunc_release_owner (const char *owner)
{
  const char *interned;
  GQueue marrays = G_QUEUE_INIT, mzones = G_QUEUE_INIT, types = G_QUEUE_INIT;

  g_return_if_fail (owner != NULL);
  interned = owner_lookup (owner);
  if (interned == NULL)
    return;

  g_mutex_lock (&registry_lock);
  registry_take (&registry_marrays, interned, FALSE, &marrays, G_STRUCT_OFFSET (ipa_marray, owner));
  registry_take (&registry_mzones, interned, FALSE, &mzones, G_STRUCT_OFFSET (ipa_mzone, owner));
  registry_take (&registry_types, interned, FALSE, &types, G_STRUCT_OFFSET (ipa_mem_type, owner));
  g_mutex_unlock (&registry_lock);

  /* The objects are out of the registry; nobody else can reach them but
   * the owner, which is about to be unloaded.  The links live inside the
   * objects, so take each one off the queue before freeing it. */
  for (GList *l; (l = g_queue_pop_head_link (&marrays)) != NULL;)
    marray_destroy (l->data);
  for (GList *l; (l = g_queue_pop_head_link (&mzones)) != NULL;)
    mzone_destroy (l->data);
  for (GList *l; (l = g_queue_pop_head_link (&types)) != NULL;)
    mem_type_destroy (l->data);
}

int
ipa_memfunc_init (void)
{
  memfunc_ensure_init ();
  return 0;
}

static void
log_leak (const char *message, gpointer user_data)
{
  g_debug ("%s", message);
}

void
ipa_memfunc_deinit (int foreign)
{
  GQueue marrays = G_QUEUE_INIT, mzones = G_QUEUE_INIT;

  memfunc_ensure_init ();
  if (!foreign)
    ipa_memfunc_check_leaks (NULL, log_leak, NULL);

  g_mutex_lock (&registry_lock);
  registry_take (&registry_marrays, NULL, TRUE, &marrays, G_STRUCT_OFFSET (ipa_marray, owner));
  registry_take (&registry_mzones, NULL, TRUE, &mzones, G_STRUCT_OFFSET (ipa_mzone, owner));
  if (foreign)
    {
      /* The memory is the parent's: stop counting it, but let it still be
       * given to mem_free. */
      for (GList *l = registry_types.head; l != NULL; l = l->next)
        {
          ipa_mem_type *t = l->data;
          GHashTableIter iter;
          gpointer ptr;

          lock_if (t->flags, &t->lock);
          g_hash_table_iter_init (&iter, t->live);
          while (g_hash_table_iter_next (&iter, &ptr, NULL))
            block_header (ptr)->tag = (guintptr) t ^ BLOCK_TAG_FOREIGN;
          t->bytes = t->blocks = t->peak_bytes = t->total_allocs = 0;
          unlock_if (t->flags, &t->lock);
        }
    }
  g_mutex_unlock (&registry_lock);

  for (GList *l; (l = g_queue_pop_head_link (&marrays)) != NULL;)
    marray_destroy (l->data);
  for (GList *l; (l = g_queue_pop_head_link (&mzones)) != NULL;)
    mzone_destroy (l->data);
}

/* Statistics */

static void
mem_stat_free (gpointer data)
{
  IpaMemStat *stat = data;

  g_free (stat->name);
  g_free (stat->desc);
  g_free (stat->owner);
  g_free (stat);
}

static IpaMemStat *
mem_stat_new (IpaMemStatKind kind, const char *name, const char *desc, const char *owner)
{
  IpaMemStat *stat = g_new0 (IpaMemStat, 1);

  stat->kind = kind;
  stat->name = g_strdup (name);
  stat->desc = g_strdup (desc);
  stat->owner = g_strdup (owner);
  return stat;
}

GPtrArray *
ipa_memfunc_get_stats (void)
{
  GPtrArray *stats = g_ptr_array_new_with_free_func (mem_stat_free);

  memfunc_ensure_init ();
  g_mutex_lock (&registry_lock);
  for (GList *l = registry_types.head; l != NULL; l = l->next)
    {
      ipa_mem_type *t = l->data;
      IpaMemStat *stat = mem_stat_new (IPA_MEM_STAT_MEM_TYPE, t->name, t->desc, t->owner);

      lock_if (t->flags, &t->lock);
      stat->bytes = t->bytes;
      stat->peak_bytes = t->peak_bytes;
      stat->blocks = t->blocks;
      stat->total_allocs = t->total_allocs;
      unlock_if (t->flags, &t->lock);
      g_ptr_array_add (stats, stat);
    }
  for (GList *l = registry_marrays.head; l != NULL; l = l->next)
    {
      ipa_marray *m = l->data;
      IpaMemStat *stat = mem_stat_new (IPA_MEM_STAT_MARRAY, m->name, m->desc, m->owner);

      lock_if (m->flags, &m->lock);
      stat->item_size = m->isize;
      stat->items_used = m->nused;
      stat->items_allocated = m->cap;
      stat->bytes = (guint64) m->cap * m->isize;
      stat->peak_bytes = m->peak_bytes;
      unlock_if (m->flags, &m->lock);
      g_ptr_array_add (stats, stat);
    }
  for (GList *l = registry_mzones.head; l != NULL; l = l->next)
    {
      ipa_mzone *z = l->data;
      IpaMemStat *stat = mem_stat_new (IPA_MEM_STAT_MZONE, z->name, z->desc, z->owner);

      lock_if (z->flags, &z->lock);
      stat->item_size = z->isize;
      stat->items_used = z->nused;
      stat->items_allocated = (guint64) z->nslabs * z->slab_items;
      stat->bytes = (guint64) z->nslabs * z->slab_bytes;
      stat->peak_bytes = z->peak_bytes;
      unlock_if (z->flags, &z->lock);
      g_ptr_array_add (stats, stat);
    }
  g_mutex_unlock (&registry_lock);
  return stats;
}

void
ipa_memfunc_stats_free (GPtrArray *stats)
{
  if (stats != NULL)
    g_ptr_array_unref (stats);
}
