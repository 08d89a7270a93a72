/*
 * gdbm-common.h: what ipa_db_gdbm and ipa_st_gdbm share: the file format
 * (FORMAT.md), opening files with a bounded wait for GDBM's lock, the
 * batch journal and the recovery of an interrupted batch.
 *
 * The code is compiled into both modules (hidden symbols), so that the
 * writer and the reader can never disagree about the format.
 */
#ifndef GDBM_COMMON_H
#define GDBM_COMMON_H

#include <gdbm.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ipa_mod.h>

/* Format (see FORMAT.md). */
#define GDBM_FORMAT_VERSION 1
#define GDBM_KEY_FORMAT "#format"
#define GDBM_STATE_FILE "state.gdbm"
#define GDBM_JOURNAL_FILE "batch.journal"
#define GDBM_V0_FILE "ipa_db.gdbm"
#define GDBM_V0_KEPT_SUFFIX ".v0"
#define GDBM_NEW_SUFFIX ".new"
#define GDBM_MIGRATE_DIR ".migrate-v0"

#define GDBM_CHUNK_RECORDS 32   /* closed records per chunk value */
#define GDBM_REC_SIZE 14        /* h1 m1 s1 h2 m2 s2, counter */
/* A chunk: the number of records, then GDBM_CHUNK_RECORDS slots.  The
 * size never changes, so that GDBM rewrites a growing chunk in place. */
#define GDBM_CHUNK_SIZE (1 + GDBM_CHUNK_RECORDS * GDBM_REC_SIZE)
#define GDBM_DATE_SIZE 7        /* year(2) mon day hour min sec */
#define GDBM_META_SIZE 4        /* rule meta; limit meta (number of states) */
#define GDBM_LIMIT_SIZE (8 + 8 + 1 + IPA_LIMIT_EVENT_NUM * GDBM_DATE_SIZE)
#define GDBM_THRESHOLD_SIZE (1 + 8 + 8 + 2 * GDBM_DATE_SIZE)

#define GDBM_KEY_MAX 1024       /* names are limited far below this */

/* Default directory: -DGDBM_DEFAULT_DB_DIR from meson (IPA_STATE_DIR). */
#ifndef GDBM_DEFAULT_DB_DIR
# define GDBM_DEFAULT_DB_DIR "/var/lib/ipa"
#endif

/* The calling module's services, for logging and memory. */
typedef struct {
  const char *mod_name;
  const ipa_suppfunc *sf;
  const ipa_memfunc *mf;
  ipa_mem_type *mt;
} GdbmEnv;

void gdbm_log (const GdbmEnv *env, int priority, int code, const char *format, ...)
  __attribute__ ((format (printf, 4, 5)));

/* A date of a record: the file gives year and month, the key the day. */
typedef struct {
  unsigned int year;
  unsigned int mon;
  unsigned int day;
} GdbmDay;

typedef struct {
  unsigned char h1, m1, s1, h2, m2, s2;
  uint64_t cnt;
} GdbmRec;

/* Big-endian integers. */
void gdbm_put_u16 (unsigned char *p, unsigned int v);
void gdbm_put_u32 (unsigned char *p, uint32_t v);
void gdbm_put_u64 (unsigned char *p, uint64_t v);
unsigned int gdbm_get_u16 (const unsigned char *p);
uint32_t gdbm_get_u32 (const unsigned char *p);
uint64_t gdbm_get_u64 (const unsigned char *p);

/* Dates: ipa_tm (real year, month 1..12) <-> 7 bytes.  Decoding fills
 * tm_wday and zeroes the fields ipa_tm does not use. */
void gdbm_encode_date (unsigned char *p, const ipa_tm *tm);
void gdbm_decode_date (const unsigned char *p, ipa_tm *tm);
int gdbm_date_valid (const ipa_tm *tm);
int gdbm_weekday (unsigned int year, unsigned int mon, unsigned int day);
/* -1, 0, 1 comparing (y, m, d, h, mi, s). */
int gdbm_tm_cmp (const ipa_tm *a, const ipa_tm *b);
int gdbm_day_cmp (const GdbmDay *a, const GdbmDay *b);
void gdbm_day_from_tm (GdbmDay *day, const ipa_tm *tm);

void gdbm_encode_rec (unsigned char *p, const GdbmRec *rec);
void gdbm_decode_rec (const unsigned char *p, GdbmRec *rec);
void gdbm_encode_limit (unsigned char *p, const struct ipa_limit_state *st);
void gdbm_decode_limit (const unsigned char *p, struct ipa_limit_state *st);
void gdbm_encode_threshold (unsigned char *p, int present, const struct ipa_threshold_state *st);
/* Returns the "present" flag. */
int gdbm_decode_threshold (const unsigned char *p, struct ipa_threshold_state *st);

/* Keys; each returns the length written into buf (GDBM_KEY_MAX bytes). */
int gdbm_key_rule (char *buf, const char *rule);
int gdbm_key_rule_info (char *buf, const char *rule);
int gdbm_key_limit (char *buf, const char *rule, const char *limit);
int gdbm_key_limit_info (char *buf, const char *rule, const char *limit);
int gdbm_key_limit_state (char *buf, const char *rule, const char *limit, uint32_t n);
int gdbm_key_threshold (char *buf, const char *rule, const char *threshold);
int gdbm_key_threshold_info (char *buf, const char *rule, const char *threshold);
int gdbm_key_chunk (char *buf, const char *rule, unsigned int day, unsigned int chunk);
int gdbm_key_current (char *buf, const char *rule, unsigned int day);
/* "rules-YYYY-MM.gdbm" */
void gdbm_month_file (char *buf, size_t size, unsigned int year, unsigned int mon);
/* Parses a month file name; 0 if it is one. */
int gdbm_parse_month_file (const char *name, unsigned int *year, unsigned int *mon);

/* Whether a rule, limit or threshold name can be used in keys and file
 * names (ipa.conf forbids '/', blanks and control characters). */
int gdbm_name_ok (const char *name);

/*
 * Files
 */

/* Who may read the files: mode of files (directories get x where r) and
 * group (-1 keeps the process's group). */
typedef struct {
  mode_t mode;
  gid_t gid;
} GdbmPerm;

typedef enum {
  GDBM_OPEN_OK = 0,
  GDBM_OPEN_ERROR = -1,  /* logged */
  GDBM_OPEN_BUSY = -2,   /* the lock was not given within the wait; not logged */
  GDBM_OPEN_ABSENT = -3, /* reader: no such file; not logged */
} GdbmOpenResult;

typedef struct {
  GDBM_FILE dbf;
  char *path;            /* env->mt */
  int writer;
  int ct;                /* crash tolerance (gdbm_failure_atomic) is on */
} GdbmHandle;

/* Flags of gdbm_handle_open(). */
#define GDBM_H_WRITER    0x01U  /* open for writing */
#define GDBM_H_CREATE    0x02U  /* writer: create (atomically, with the format key) when absent */
#define GDBM_H_CT        0x04U  /* writer: try crash tolerance */
#define GDBM_H_DAMAGED_OK 0x08U /* recovery: accept a file that needs gdbm_recover */
#define GDBM_H_NO_FORMAT 0x10U  /* do not check the format key (v0 files) */

/* Open DIR/NAME.  The lock is retried until wait_ms have passed.  Errors
 * are logged with the file name, the reason and what to do.  With
 * GDBM_H_CT, *ct_unsupported (may be NULL) is set when the file system
 * cannot make snapshots; the handle is then open without them. */
GdbmOpenResult gdbm_handle_open (const GdbmEnv *env, GdbmHandle *h,
                                 const char *dir, const char *name,
                                 unsigned int flags, unsigned int wait_ms,
                                 const GdbmPerm *perm, int *ct_unsupported);
/* gdbm_sync; logs and returns -1 on error. */
int gdbm_handle_sync (const GdbmEnv *env, GdbmHandle *h);
/* Close (a writer's file is synced by gdbm_close) and remove the
 * snapshots of crash tolerance.  A no-op on a closed handle. */
void gdbm_handle_close (const GdbmEnv *env, GdbmHandle *h);
/* Fetch into a malloc()ed datum (free with free()); dptr NULL if absent.
 * Returns -1 (logged) on an error other than "not found". */
int gdbm_handle_fetch (const GdbmEnv *env, GdbmHandle *h, const char *key, int klen,
                       datum *out);

/* Sleep between two attempts to get a lock; returns 0 when the deadline
 * (CLOCK_MONOTONIC ms from gdbm_deadline()) has passed. */
uint64_t gdbm_deadline (unsigned int wait_ms);
int gdbm_wait_more (uint64_t deadline, unsigned int *attempt);

/* Whether DIR's file system can make reflink copies (crash tolerance). */
int gdbm_probe_reflink (const char *dir, int *err);

/* mkdir -p with perm (a missing directory only). */
int gdbm_make_dir (const GdbmEnv *env, const char *dir, const GdbmPerm *perm);
int gdbm_fsync_dir (const char *dir);
int gdbm_apply_perm (int fd, const GdbmPerm *perm);

/*
 * Batches: a list of writes in file order, which is also the body of the
 * journal.  Entry: u8 file, u8 op, u16 key length, u32 value length, key,
 * value.
 */
#define GDBM_OP_REPLACE 1
#define GDBM_OP_INSERT 2   /* only when the key is absent */
#define GDBM_OP_DELETE 3

typedef struct {
  unsigned char *buf;
  size_t len;
  size_t alloc;
  unsigned int n;
} GdbmPutList;

int gdbm_putlist_add (const GdbmEnv *env, GdbmPutList *pl, unsigned int file,
                      unsigned int op, const void *key, size_t klen,
                      const void *val, size_t vlen);
void gdbm_putlist_clear (GdbmPutList *pl);
void gdbm_putlist_free (const GdbmEnv *env, GdbmPutList *pl);
/* Iterate: *pos starts at 0; returns 0 at the end, -1 on a malformed list. */
int gdbm_putlist_next (const unsigned char *buf, size_t len, size_t *pos,
                       unsigned int *file, unsigned int *op,
                       const unsigned char **key, size_t *klen,
                       const unsigned char **val, size_t *vlen);
/* Apply the entries of file index `file` to h; logs and returns -1 on error. */
int gdbm_putlist_apply (const GdbmEnv *env, const unsigned char *buf, size_t len,
                        unsigned int file, GdbmHandle *h);

/* The journal of one batch in one directory: written (and locked) before
 * the first write into a GDBM file, removed after every file is synced.
 * Its presence without a lock means the batch was interrupted. */
typedef struct {
  int fd;
  char *path;
} GdbmJournal;

int gdbm_journal_write (const GdbmEnv *env, GdbmJournal *j, const char *dir,
                        const char *const *files, unsigned int nfiles,
                        const GdbmPutList *pl, int durable, const GdbmPerm *perm);
/* Remove the journal (the batch is complete) and release its lock. */
int gdbm_journal_remove (const GdbmEnv *env, GdbmJournal *j, const char *dir);
/* Release the lock, keep the file (the batch must be completed later). */
void gdbm_journal_abandon (const GdbmEnv *env, GdbmJournal *j);

typedef enum {
  GDBM_JOURNAL_NONE,        /* no journal */
  GDBM_JOURNAL_LIVE,        /* a writer holds it: its files are locked */
  GDBM_JOURNAL_INCOMPLETE,  /* torn: its batch never reached a GDBM file */
  GDBM_JOURNAL_COMPLETE,    /* its batch may be partly applied */
  GDBM_JOURNAL_ERROR,       /* cannot be read (logged) */
} GdbmJournalState;

/* For readers: the state of DIR's journal and, when it is complete,
 * whether it names `file`. */
GdbmJournalState gdbm_journal_check (const GdbmEnv *env, const char *dir,
                                     const char *file, int *names_file);

/* For the writer: complete or discard an interrupted batch of DIR
 * (restore snapshots or rebuild with gdbm_recover, replay the journal).
 * 0 when DIR is consistent, GDBM_OPEN_BUSY, or -1 (logged). */
int gdbm_dir_recover (const GdbmEnv *env, const char *dir, const GdbmPerm *perm,
                      unsigned int wait_ms);

/* Migration of a version 0 database (FORMAT.md) found in DIR: 1 if one was
 * converted, 0 if there was none, -1 on error (logged; nothing changed). */
int gdbm_migrate_v0 (const GdbmEnv *env, const char *dir, const GdbmPerm *perm,
                     unsigned int wait_ms);

/* memory helpers on env->mt */
char *gdbm_strdup (const GdbmEnv *env, const char *s);
char *gdbm_path (const GdbmEnv *env, const char *dir, const char *name);
void gdbm_free (const GdbmEnv *env, void *p);
void *gdbm_realloc_array (const GdbmEnv *env, void *p, size_t nmemb, size_t size);

uint32_t gdbm_crc32 (uint32_t crc, const void *buf, size_t len);

#endif /* GDBM_COMMON_H */
