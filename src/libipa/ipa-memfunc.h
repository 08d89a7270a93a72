/*
 * ipa-memfunc.h: the host side of ipa_memfunc, the memory functions that
 * the host exports to modules (ipa_mod(3)) and uses itself.
 *
 * Three kinds of object are kept:
 *
 *  - mem_type: a tag for general allocations (mem_malloc and friends) with
 *    usage statistics;
 *  - marray: an index-addressed array of items whose base pointer may move;
 *  - mzone: a pool of items of one size.
 *
 * Misuse (a NULL or unknown object, a pointer that is not a live block of
 * the given mem_type or mzone, a bad marray index, a double free) is a
 * critical error: a message naming the object is written to stderr and the
 * process calls abort(), so that a core dump is left behind.
 *
 * Every object is tagged with an owner: NULL for the host, or the name set
 * with ipa_memfunc_set_owner() while a module is being called.  Before a
 * module is unloaded the host reports its leaks with
 * ipa_memfunc_check_leaks() and then calls ipa_memfunc_release_owner().
 *
 * Objects created with IPA_MEMFUNC_FLAG_PTHREAD may be used from several
 * threads at once; the registry of objects is always thread-safe.
 */
#pragma once

#include <glib.h>
#include "ipa_mod.h"

G_BEGIN_DECLS

/* The table handed to modules; api_ver is IPA_MEMFUNC_API_VERSION.  The
 * first call initialises memfunc (and creates m_parser). */
const ipa_memfunc *ipa_memfunc_get (void);

/* memfunc_init(): (re)initialise memfunc in a module's child process.
 * Always returns 0. */
int ipa_memfunc_init (void);

/* memfunc_deinit(): for a module's child process.  Reports leaks at debug
 * level unless foreign != 0, then deinitialises every marray and mzone.
 * mem_types stay valid, because modules keep pointers to them.  With
 * foreign != 0 the statistics are zeroed and the blocks still allocated
 * are no longer counted (they may still be given to mem_free). */
void ipa_memfunc_deinit (int foreign);

/* mem_type */

/* The host's mem_type "parser" used by the configuration parser. */
ipa_mem_type *ipa_mem_type_get_parser (void);

/* Create a mem_type; name and desc are copied.  flags: only
 * IPA_MEMFUNC_FLAG_PTHREAD.  There is no destructor (see
 * ipa_memfunc_release_owner()).  Does not return NULL: GLib aborts when
 * memory for the bookkeeping is exhausted. */
ipa_mem_type *ipa_mem_type_new (const char *name, const char *desc, unsigned int flags);

/* Analogues of malloc(3), calloc(3), realloc(3), strdup(3) and free(3);
 * memory must be freed with ipa_mem_free() and the same mem_type.  A size
 * of 0 gives a unique pointer; ipa_mem_free (NULL, t) does nothing. */
void *ipa_mem_malloc (size_t size, ipa_mem_type *mem_type) G_GNUC_MALLOC;
void *ipa_mem_calloc (size_t number, size_t size, ipa_mem_type *mem_type) G_GNUC_MALLOC;
void *ipa_mem_realloc (void *ptr, size_t size, ipa_mem_type *mem_type);
char *ipa_mem_strdup (const char *str, ipa_mem_type *mem_type) G_GNUC_MALLOC;
void ipa_mem_free (void *ptr, ipa_mem_type *mem_type);

/* Analogue of vasprintf(3): returns the length without the final NUL, or
 * -1 with *buf_ptr set to NULL. */
int ipa_mem_vasprintf (ipa_mem_type *mem_type, char **buf_ptr,
                       const char *format, va_list ap) G_GNUC_PRINTF (3, 0);
/* The same with variable arguments, for host code. */
int ipa_mem_asprintf (ipa_mem_type *mem_type, char **buf_ptr,
                      const char *format, ...) G_GNUC_PRINTF (3, 4);

/* marray */

/* Create a marray; *arr receives the items array (NULL while there is no
 * room) and may change on every alloc, free and minimize.  name and desc
 * are copied.  flags: only IPA_MEMFUNC_FLAG_PTHREAD.  nitems items are
 * allocated at once; when full the array grows by at least nalloc items
 * (more when it is large, to keep growth amortised O(1)).  Returns NULL
 * if the first nitems items cannot be allocated. */
ipa_marray *ipa_marray_init (const char *name, const char *desc, unsigned int flags,
                             void **arr, size_t isize, unsigned int nitems,
                             unsigned int nalloc);
/* Free a marray; NULL does nothing.  Memory pointed to by items is the
 * caller's business. */
void ipa_marray_deinit (ipa_marray *marray);
/* Allocate an item: with fixed != 0 exactly index *idxp (-1 if it is in
 * use), otherwise the lowest free index, stored in *idxp.  Returns 0 or -1. */
int ipa_marray_alloc (ipa_marray *marray, unsigned int *idxp, int fixed);
/* Release item idx; aborts if idx is not allocated. */
void ipa_marray_free (ipa_marray *marray, unsigned int idx);
/* Release the spare room beyond the highest allocated index. */
void ipa_marray_minimize (ipa_marray *marray);
/* Non-zero if item idx is allocated (any idx may be asked). */
int ipa_marray_check_index (ipa_marray *marray, unsigned int idx);
/* Number of allocated items. */
unsigned int ipa_marray_nused (ipa_marray *marray);

/* mzone */

/* Create an mzone of items of isize bytes; name and desc are copied.
 * flags: IPA_MEMFUNC_FLAG_PTHREAD, IPA_MEMFUNC_FLAG_OPTIMIZE (items come
 * from slabs of at least 16 KiB; otherwise a slab holds about nalloc
 * items).  Items are aligned as in an array of isize-byte elements.
 * Returns NULL if the first nitems items cannot be allocated. */
ipa_mzone *ipa_mzone_init (const char *name, const char *desc, unsigned int flags,
                           size_t isize, unsigned int nitems, unsigned int nalloc);
/* Free an mzone and all its items; NULL does nothing. */
void ipa_mzone_deinit (ipa_mzone *mzone);
/* A new item (uninitialised), or NULL if memory is exhausted.  O(1). */
void *ipa_mzone_alloc (ipa_mzone *mzone);
/* Return an item; aborts if ptr is not a live item of this mzone.  O(1). */
void ipa_mzone_free (ipa_mzone *mzone, void *ptr);
/* Number of allocated items. */
unsigned int ipa_mzone_nused (ipa_mzone *mzone);

/* Owners, leaks */

/* Objects created from now on (by any thread) belong to owner (a module
 * name, copied); NULL means the host. */
void ipa_memfunc_set_owner (const char *owner);
/* The current owner (an interned string), or NULL for the host. */
const char *ipa_memfunc_get_owner (void);

typedef void (*IpaMemLeakFunc) (const char *message, gpointer user_data);

/* Call report once per leak of owner (NULL: of every owner, host
 * included): "mem_type NAME: N bytes in M blocks not freed" for each
 * mem_type with bytes outstanding, "marray NAME was not deinitialised" and
 * "mzone NAME was not deinitialised".  report is called with no lock held.
 * Returns the number of messages. */
guint ipa_memfunc_check_leaks (const char *owner, IpaMemLeakFunc report, gpointer user_data);

/* Deinitialise every marray and mzone of owner (a module; not NULL) and
 * destroy its mem_types, freeing the blocks they still have.  Call it
 * after ipa_memfunc_check_leaks() and before the module is unloaded. */
void ipa_memfunc_release_owner (const char *owner);

/* Statistics */

typedef enum {
  IPA_MEM_STAT_MEM_TYPE,
  IPA_MEM_STAT_MARRAY,
  IPA_MEM_STAT_MZONE,
} IpaMemStatKind;

typedef struct {
  IpaMemStatKind kind;
  char *name;
  char *desc;
  char *owner;           /* NULL: the host */
  guint64 bytes;         /* mem_type: bytes in use by callers;
                          * marray, mzone: bytes held for items */
  guint64 peak_bytes;    /* the highest value bytes has had */
  guint64 blocks;        /* mem_type: blocks in use */
  guint64 total_allocs;  /* mem_type: blocks ever allocated */
  guint64 item_size;     /* marray, mzone */
  guint64 items_used;    /* marray, mzone */
  guint64 items_allocated; /* marray, mzone: room for this many items */
} IpaMemStat;

/* A snapshot of every object: mem_types in creation order, then marrays,
 * then mzones.  Elements are IpaMemStat; free with ipa_memfunc_stats_free()
 * (or g_ptr_array_unref()). */
GPtrArray *ipa_memfunc_get_stats (void);
void ipa_memfunc_stats_free (GPtrArray *stats);

G_END_DECLS
