/*
 * gdbm-files.c: opening database files, the batch journal and the
 * recovery of an interrupted batch (FORMAT.md, "Writing a batch").
 *
 * GDBM gives one writer or many readers a file, never both, and writes a
 * changed file in place.  So the writer takes every file of a batch,
 * writes the whole batch into a journal first, then into the files, syncs
 * them and only then removes the journal: a journal left without its lock
 * is a batch to finish (or to discard when it is torn, since nothing of
 * it reached a GDBM file yet).
 */
#include "gdbm-common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <linux/fs.h>

#define JOURNAL_MAGIC "IPAGDBMJ"
#define JOURNAL_END "IPAGDBME"
#define JOURNAL_VERSION 1
#define JOURNAL_TRAILER (8 + 8 + 4)

/* Waiting for a lock */

uint64_t
gdbm_deadline (unsigned int wait_ms)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000 + wait_ms;
}

int
gdbm_wait_more (uint64_t deadline, unsigned int *attempt)
{
  struct timespec ts, pause;
  uint64_t now, ms;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  now = (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
  if (now >= deadline)
    return 0;
  /* 1, 2, 4 … 32 ms: readers hold a file for a query, writers for one batch. */
  ms = 1U << (*attempt < 5 ? *attempt : 5);
  if (ms > deadline - now)
    ms = deadline - now;
  (*attempt)++;
  pause.tv_sec = 0;
  pause.tv_nsec = (long) ms * 1000000L;
  while (nanosleep (&pause, &pause) == -1 && errno == EINTR)
    ;
  return 1;
}

/* Directories and permissions */

int
gdbm_apply_perm (int fd, const GdbmPerm *perm)
{
  if (perm->gid != (gid_t) -1 && fchown (fd, (uid_t) -1, perm->gid) == -1)
    return -1;
  return fchmod (fd, perm->mode);
}

static mode_t
dir_mode (mode_t mode)
{
  /* Directories are searchable by whoever may read the files. */
  return mode | ((mode & 0444) >> 2) | S_IRWXU;
}

int
gdbm_make_dir (const GdbmEnv *env, const char *dir, const GdbmPerm *perm)
{
  char *copy;
  struct stat st;
  int rc = 0;

  if (stat (dir, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        return 0;
      gdbm_log (env, IPA_LOG_ERR, 0, "database directory %s is not a directory", dir);
      return -1;
    }
  copy = gdbm_strdup (env, dir);
  if (copy == NULL)
    return -1;
  for (char *p = copy + 1; rc == 0; p++)
    {
      int last = (*p == '\0');

      if (*p != '/' && !last)
        continue;
      *p = '\0';
      if (mkdir (copy, dir_mode (perm->mode)) == 0)
        {
          int fd = open (copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

          /* mkdir() honours the umask; the directory gets perm exactly. */
          if (fd == -1 || gdbm_apply_perm (fd, &(GdbmPerm) { dir_mode (perm->mode), perm->gid }) == -1)
            {
              gdbm_log (env, IPA_LOG_ERR, errno, "cannot set owner group/mode of %s", copy);
              rc = -1;
            }
          if (fd != -1)
            close (fd);
        }
      else if (errno != EEXIST)
        {
          gdbm_log (env, IPA_LOG_ERR, errno, "cannot create database directory %s", copy);
          rc = -1;
        }
      if (last)
        break;
      *p = '/';
    }
  gdbm_free (env, copy);
  return rc;
}

int
gdbm_fsync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int rc;

  if (fd == -1)
    return -1;
  rc = fsync (fd);
  close (fd);
  return rc;
}

int
gdbm_probe_reflink (const char *dir, int *err)
{
  char a[4096], b[4096];
  int fa, fb, ok = 0;

  *err = 0;
  if (snprintf (a, sizeof a, "%s/.ipa-reflink-XXXXXX", dir) >= (int) sizeof a ||
      snprintf (b, sizeof b, "%s/.ipa-reflink-XXXXXX", dir) >= (int) sizeof b)
    {
      *err = ENAMETOOLONG;
      return 0;
    }
  fa = mkstemp (a);
  if (fa == -1)
    {
      *err = errno;
      return 0;
    }
  fb = mkstemp (b);
  if (fb == -1)
    *err = errno;
  else
    {
      if (write (fa, "ipa", 3) != 3)
        *err = errno;
      else if (ioctl (fb, FICLONE, fa) == 0)
        ok = 1;
      else
        *err = errno;
      close (fb);
      unlink (b);
    }
  close (fa);
  unlink (a);
  return ok;
}

/* Whether DIR has `need` bytes free.  GDBM leaks memory when it cannot
 * write a database it creates (gdbm_open, gdbm_recover), so a full disk
 * is better noticed before. */
static int
space_ok (const GdbmEnv *env, const char *dir, uint64_t need, const char *what)
{
  struct statvfs sv;
  uint64_t avail;

  if (statvfs (dir, &sv) == -1)
    return 1; /* let the write itself tell */
  avail = (uint64_t) (geteuid () == 0 ? sv.f_bfree : sv.f_bavail) * sv.f_frsize;
  if (avail >= need)
    return 1;
  gdbm_log (env, IPA_LOG_ERR, ENOSPC, "cannot %s in %s: %llu bytes free, %llu needed", what, dir,
            (unsigned long long) avail, (unsigned long long) need);
  return 0;
}

static char *
dir_of (const GdbmEnv *env, const char *path)
{
  const char *slash = strrchr (path, '/');
  char *d;

  if (slash == NULL)
    return gdbm_strdup (env, ".");
  d = env->mf->mem_malloc ((size_t) (slash - path) + 1, env->mt);
  if (d != NULL)
    {
      memcpy (d, path, (size_t) (slash - path));
      d[slash - path] = '\0';
    }
  return d;
}

/* Opening */

/* GDBM's own header (gdbmdefs.h) for 64-bit file offsets: what we need
 * to notice a truncated file before GDBM would extend it with zeros. */
struct gdbm_header_prefix {
  int32_t magic;
  int32_t block_size;
  int64_t dir;
  int32_t dir_size;
  int32_t dir_bits;
  int32_t bucket_size;
  int32_t bucket_elems;
  int64_t next_block;
};

#define GDBM_MAGIC64_VALUE 0x13579acfU
#define GDBM_NUMSYNC_MAGIC64_VALUE 0x13579ad1U

/* NULL if the file looks whole, else why not. */
static const char *
header_problem (int fd, off_t size, char *buf, size_t bufsize)
{
  struct gdbm_header_prefix h;

  if (size == 0)
    return "the file is empty";
  if (pread (fd, &h, sizeof h, 0) != (ssize_t) sizeof h)
    return "the file is shorter than a GDBM header";
  if (sizeof (off_t) != 8 ||
      ((uint32_t) h.magic != GDBM_MAGIC64_VALUE && (uint32_t) h.magic != GDBM_NUMSYNC_MAGIC64_VALUE))
    return NULL; /* gdbm_open judges other formats */
  if (h.next_block > size)
    {
      snprintf (buf, bufsize, "the file is truncated (%lld bytes, its header says %lld)",
                (long long) size, (long long) h.next_block);
      return buf;
    }
  if (h.dir <= 0 || h.dir_size <= 0 || h.dir + h.dir_size > size)
    return "its bucket directory lies outside the file";
  return NULL;
}

static void
log_damaged (const GdbmEnv *env, const char *path, const char *why)
{
  gdbm_log (env, IPA_LOG_ERR, 0,
            "database file %s is damaged: %s; it is left untouched: "
            "keep a copy and repair it with \"gdbmtool %s recover\"",
            path, why, path);
}

static const char *
open_error_text (char *buf, size_t size, int gdbm_err, int sys_err)
{
  if (gdbm_check_syserr (gdbm_err) && sys_err != 0)
    snprintf (buf, size, "%s: %s", gdbm_strerror (gdbm_err), strerror (sys_err));
  else
    snprintf (buf, size, "%s", gdbm_strerror (gdbm_err));
  return buf;
}

/* A new file appears whole or not at all: built as NAME.new, linked. */
static int
create_file (const GdbmEnv *env, const char *path, const GdbmPerm *perm)
{
  size_t len = strlen (path);
  char *tmp = env->mf->mem_malloc (len + sizeof GDBM_NEW_SUFFIX, env->mt);
  unsigned char v[4];
  GDBM_FILE dbf;
  int rc = -1;

  if (tmp == NULL)
    return -1;
  memcpy (tmp, path, len);
  memcpy (tmp + len, GDBM_NEW_SUFFIX, sizeof GDBM_NEW_SUFFIX);
  {
    char *dir = dir_of (env, path);
    int ok = dir != NULL && space_ok (env, dir, 64 * 1024, "create a database file");

    gdbm_free (env, dir);
    if (!ok)
      {
        gdbm_free (env, tmp);
        return -1;
      }
  }
  unlink (tmp);
  dbf = gdbm_open (tmp, 0, GDBM_NEWDB | GDBM_NUMSYNC | GDBM_CLOEXEC, perm->mode & 0666, NULL);
  if (dbf == NULL)
    {
      char e[256];

      gdbm_log (env, IPA_LOG_ERR, 0, "cannot create database file %s: %s", tmp,
                open_error_text (e, sizeof e, gdbm_errno, errno));
      gdbm_free (env, tmp);
      return -1;
    }
  gdbm_put_u32 (v, GDBM_FORMAT_VERSION);
  if (gdbm_store (dbf, (datum) { GDBM_KEY_FORMAT, sizeof GDBM_KEY_FORMAT - 1 },
                  (datum) { (char *) v, 4 }, GDBM_REPLACE) != 0 ||
      gdbm_sync (dbf) != 0)
    gdbm_log (env, IPA_LOG_ERR, 0, "cannot write database file %s: %s", tmp, gdbm_db_strerror (dbf));
  else if (gdbm_apply_perm (gdbm_fdesc (dbf), perm) == -1)
    gdbm_log (env, IPA_LOG_ERR, errno, "cannot set owner group/mode of %s", tmp);
  else
    rc = 0;
  if (gdbm_close (dbf) != 0 && rc == 0)
    {
      gdbm_log (env, IPA_LOG_ERR, errno, "cannot close database file %s", tmp);
      rc = -1;
    }
  /* link() does not replace a file that appeared meanwhile. */
  if (rc == 0 && link (tmp, path) == -1 && errno != EEXIST)
    {
      gdbm_log (env, IPA_LOG_ERR, errno, "cannot create database file %s", path);
      rc = -1;
    }
  unlink (tmp);
  if (rc == 0)
    {
      char *slash = strrchr (tmp, '/');

      if (slash != NULL)
        {
          *slash = '\0';
          gdbm_fsync_dir (tmp);
        }
    }
  gdbm_free (env, tmp);
  return rc;
}

static int
check_format (const GdbmEnv *env, GDBM_FILE dbf, const char *path)
{
  datum v = gdbm_fetch (dbf, (datum) { GDBM_KEY_FORMAT, sizeof GDBM_KEY_FORMAT - 1 });
  uint32_t version;

  if (v.dptr == NULL)
    {
      if (gdbm_errno == GDBM_ITEM_NOT_FOUND)
        gdbm_log (env, IPA_LOG_ERR, 0,
                  "%s has no \"" GDBM_KEY_FORMAT "\" key: it is not a database of ipa_db_gdbm "
                  "(or it is damaged); it is left untouched", path);
      else
        log_damaged (env, path, gdbm_db_strerror (dbf));
      return -1;
    }
  version = v.dsize == 4 ? gdbm_get_u32 ((unsigned char *) v.dptr) : 0;
  free (v.dptr);
  if (v.dsize != 4)
    {
      log_damaged (env, path, "its \"" GDBM_KEY_FORMAT "\" value is not 4 bytes long");
      return -1;
    }
  if (version != GDBM_FORMAT_VERSION)
    {
      gdbm_log (env, IPA_LOG_ERR, 0,
                "%s has format version %u, this ipa_gdbm reads version %u%s; it is left untouched",
                path, (unsigned int) version, GDBM_FORMAT_VERSION,
                version > GDBM_FORMAT_VERSION ? " (written by a newer ipa?)" : "");
      return -1;
    }
  return 0;
}

static void
snapshot_names (char *even, char *odd, size_t size, const char *path)
{
  snprintf (even, size, "%s.even", path);
  snprintf (odd, size, "%s.odd", path);
}

GdbmOpenResult
gdbm_handle_open (const GdbmEnv *env, GdbmHandle *h, const char *dir, const char *name,
                  unsigned int flags, unsigned int wait_ms, const GdbmPerm *perm,
                  int *ct_unsupported)
{
  int writer = (flags & GDBM_H_WRITER) != 0;
  uint64_t deadline = gdbm_deadline (wait_ms);
  unsigned int attempt = 0;
  struct stat st;
  char ebuf[256];

  memset (h, 0, sizeof *h);
  if (ct_unsupported != NULL)
    *ct_unsupported = 0;
  h->path = gdbm_path (env, dir, name);
  if (h->path == NULL)
    return GDBM_OPEN_ERROR;
  h->writer = writer;

  if (stat (h->path, &st) == -1)
    {
      if (errno != ENOENT)
        {
          gdbm_log (env, IPA_LOG_ERR, errno, "cannot access database file %s", h->path);
          goto fail;
        }
      if (!writer || (flags & GDBM_H_CREATE) == 0)
        {
          gdbm_free (env, h->path);
          h->path = NULL;
          return GDBM_OPEN_ABSENT;
        }
      if (create_file (env, h->path, perm) == -1)
        goto fail;
    }
  else if ((flags & GDBM_H_DAMAGED_OK) == 0)
    {
      int fd = open (h->path, O_RDONLY | O_CLOEXEC);
      const char *why;

      if (fd == -1)
        {
          gdbm_log (env, IPA_LOG_ERR, errno, "cannot open database file %s", h->path);
          goto fail;
        }
      why = header_problem (fd, st.st_size, ebuf, sizeof ebuf);
      close (fd);
      if (why != NULL)
        {
          log_damaged (env, h->path, why);
          goto fail;
        }
    }

  for (;;)
    {
      int gflags = writer ? GDBM_WRITER : GDBM_READER;
      int err;

      h->dbf = gdbm_open (h->path, 0, gflags | GDBM_NUMSYNC | GDBM_XVERIFY | GDBM_CLOEXEC,
                          perm != NULL ? perm->mode & 0666 : 0, NULL);
      if (h->dbf != NULL)
        break;
      err = gdbm_errno;
      if (err == GDBM_CANT_BE_READER || err == GDBM_CANT_BE_WRITER)
        {
          if (gdbm_wait_more (deadline, &attempt))
            continue;
          gdbm_free (env, h->path);
          h->path = NULL;
          return GDBM_OPEN_BUSY;
        }
      if (err == GDBM_FILE_OPEN_ERROR || err == GDBM_FILE_STAT_ERROR)
        gdbm_log (env, IPA_LOG_ERR, 0, "cannot open database file %s: %s", h->path,
                  open_error_text (ebuf, sizeof ebuf, err, errno));
      else
        log_damaged (env, h->path, open_error_text (ebuf, sizeof ebuf, err, errno));
      goto fail;
    }

  if (gdbm_needs_recovery (h->dbf) && (flags & GDBM_H_DAMAGED_OK) == 0)
    {
      log_damaged (env, h->path, "GDBM says it needs recovery");
      goto fail;
    }
  if ((flags & (GDBM_H_NO_FORMAT | GDBM_H_DAMAGED_OK)) == 0 && check_format (env, h->dbf, h->path) == -1)
    goto fail;

  if (writer && (flags & GDBM_H_CT) != 0)
    {
      char even[4200], odd[4200];

      snapshot_names (even, odd, sizeof even, h->path);
      unlink (even);
      unlink (odd);
      if (gdbm_failure_atomic (h->dbf, even, odd) == 0)
        h->ct = 1;
      else
        {
          int gerr = gdbm_last_errno (h->dbf);
          int serr = gdbm_last_syserr (h->dbf);

          unlink (even);
          unlink (odd);
          gdbm_clear_error (h->dbf);
          if (gerr == GDBM_ERR_SNAPSHOT_CLONE || serr == EOPNOTSUPP || serr == EXDEV ||
              serr == EINVAL || serr == ENOTTY || serr == ENOSYS)
            {
              if (ct_unsupported != NULL)
                *ct_unsupported = 1;
            }
          else
            {
              gdbm_log (env, IPA_LOG_ERR, 0, "cannot make crash-tolerance snapshots of %s: %s",
                        h->path, open_error_text (ebuf, sizeof ebuf, gerr, serr));
              goto fail;
            }
        }
    }
  return GDBM_OPEN_OK;

fail:
  if (h->dbf != NULL)
    gdbm_close (h->dbf);
  h->dbf = NULL;
  gdbm_free (env, h->path);
  h->path = NULL;
  return GDBM_OPEN_ERROR;
}

int
gdbm_handle_sync (const GdbmEnv *env, GdbmHandle *h)
{
  if (h->dbf == NULL || !h->writer)
    return 0;
  if (gdbm_sync (h->dbf) != 0)
    {
      gdbm_log (env, IPA_LOG_ERR, 0, "cannot sync database file %s: %s", h->path,
                gdbm_db_strerror (h->dbf));
      return -1;
    }
  return 0;
}

void
gdbm_handle_close (const GdbmEnv *env, GdbmHandle *h)
{
  if (h->dbf != NULL)
    gdbm_close (h->dbf);
  h->dbf = NULL;
  if (h->ct && h->path != NULL)
    {
      char even[4200], odd[4200];

      /* Every write is synced and the journal is gone: the snapshots
       * have nothing left to protect. */
      snapshot_names (even, odd, sizeof even, h->path);
      unlink (even);
      unlink (odd);
    }
  h->ct = 0;
  gdbm_free (env, h->path);
  h->path = NULL;
}

int
gdbm_handle_fetch (const GdbmEnv *env, GdbmHandle *h, const char *key, int klen, datum *out)
{
  *out = gdbm_fetch (h->dbf, (datum) { (char *) key, klen });
  if (out->dptr != NULL)
    return 0;
  if (gdbm_last_errno (h->dbf) == GDBM_ITEM_NOT_FOUND)
    {
      gdbm_clear_error (h->dbf);
      return 0;
    }
  gdbm_log (env, IPA_LOG_ERR, 0, "cannot read key \"%.*s\" of %s: %s; keep a copy and check it "
            "with \"gdbmtool %s recover\"", klen, key, h->path, gdbm_db_strerror (h->dbf), h->path);
  return -1;
}

/* Lists of writes */

int
gdbm_putlist_add (const GdbmEnv *env, GdbmPutList *pl, unsigned int file, unsigned int op,
                  const void *key, size_t klen, const void *val, size_t vlen)
{
  size_t need = 8 + klen + vlen;
  unsigned char *p;

  if (klen > 0xffff || vlen > 0xffffffffU)
    return -1;
  if (pl->len + need > pl->alloc)
    {
      size_t alloc = pl->alloc != 0 ? pl->alloc : 4096;
      unsigned char *nb;

      while (alloc < pl->len + need)
        alloc *= 2;
      nb = env->mf->mem_realloc (pl->buf, alloc, env->mt);
      if (nb == NULL)
        {
          gdbm_log (env, IPA_LOG_ERR, ENOMEM, "cannot keep a batch of %zu bytes", alloc);
          return -1;
        }
      pl->buf = nb;
      pl->alloc = alloc;
    }
  p = pl->buf + pl->len;
  p[0] = (unsigned char) file;
  p[1] = (unsigned char) op;
  gdbm_put_u16 (p + 2, (unsigned int) klen);
  gdbm_put_u32 (p + 4, (uint32_t) vlen);
  memcpy (p + 8, key, klen);
  if (vlen > 0)
    memcpy (p + 8 + klen, val, vlen);
  pl->len += need;
  pl->n++;
  return 0;
}

void
gdbm_putlist_clear (GdbmPutList *pl)
{
  pl->len = 0;
  pl->n = 0;
}

void
gdbm_putlist_free (const GdbmEnv *env, GdbmPutList *pl)
{
  gdbm_free (env, pl->buf);
  memset (pl, 0, sizeof *pl);
}

int
gdbm_putlist_next (const unsigned char *buf, size_t len, size_t *pos, unsigned int *file,
                   unsigned int *op, const unsigned char **key, size_t *klen,
                   const unsigned char **val, size_t *vlen)
{
  const unsigned char *p = buf + *pos;

  if (*pos == len)
    return 0;
  if (len - *pos < 8)
    return -1;
  *file = p[0];
  *op = p[1];
  *klen = gdbm_get_u16 (p + 2);
  *vlen = gdbm_get_u32 (p + 4);
  if (len - *pos - 8 < *klen || len - *pos - 8 - *klen < *vlen ||
      *op < GDBM_OP_REPLACE || *op > GDBM_OP_DELETE)
    return -1;
  *key = p + 8;
  *val = p + 8 + *klen;
  *pos += 8 + *klen + *vlen;
  return 1;
}

int
gdbm_putlist_apply (const GdbmEnv *env, const unsigned char *buf, size_t len, unsigned int file,
                    GdbmHandle *h)
{
  size_t pos = 0;
  unsigned int f, op;
  const unsigned char *key, *val;
  size_t klen, vlen;
  int r;

  while ((r = gdbm_putlist_next (buf, len, &pos, &f, &op, &key, &klen, &val, &vlen)) > 0)
    {
      datum k = { (char *) key, (int) klen };

      if (f != file)
        continue;
      if (op == GDBM_OP_DELETE)
        {
          if (gdbm_delete (h->dbf, k) != 0 && gdbm_last_errno (h->dbf) != GDBM_ITEM_NOT_FOUND)
            goto error;
          gdbm_clear_error (h->dbf);
        }
      else if (gdbm_store (h->dbf, k, (datum) { (char *) val, (int) vlen },
                           op == GDBM_OP_INSERT ? GDBM_INSERT : GDBM_REPLACE) == -1)
        goto error;
    }
  if (r == 0)
    return 0;
  gdbm_log (env, IPA_LOG_ERR, 0, "malformed batch for %s", h->path);
  return -1;

error:
  gdbm_log (env, IPA_LOG_ERR, 0, "cannot write key \"%.*s\" into %s: %s", (int) klen,
            (const char *) key, h->path, gdbm_db_strerror (h->dbf));
  return -1;
}

/* The journal */

static int
write_all (int fd, struct iovec *iov, int n)
{
  while (n > 0)
    {
      ssize_t w = writev (fd, iov, n > IOV_MAX ? IOV_MAX : n);

      if (w == -1)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      if (w == 0)
        {
          errno = ENOSPC;
          return -1;
        }
      while (n > 0 && (size_t) w >= iov->iov_len)
        {
          w -= (ssize_t) iov->iov_len;
          iov++;
          n--;
        }
      if (n > 0)
        {
          iov->iov_base = (char *) iov->iov_base + w;
          iov->iov_len -= (size_t) w;
        }
    }
  return 0;
}

int
gdbm_journal_write (const GdbmEnv *env, GdbmJournal *j, const char *dir,
                    const char *const *files, unsigned int nfiles, const GdbmPutList *pl,
                    int durable, const GdbmPerm *perm)
{
  unsigned char head[16], trailer[JOURNAL_TRAILER];
  unsigned char *names = NULL;
  size_t names_len = 0;
  struct iovec iov[4];
  uint32_t crc;

  j->fd = -1;
  j->path = gdbm_path (env, dir, GDBM_JOURNAL_FILE);
  if (j->path == NULL)
    return -1;
  for (unsigned int i = 0; i < nfiles; i++)
    names_len += 2 + strlen (files[i]);
  names = env->mf->mem_malloc (names_len + 1, env->mt);
  if (names == NULL)
    goto fail;
  names_len = 0;
  for (unsigned int i = 0; i < nfiles; i++)
    {
      size_t l = strlen (files[i]);

      gdbm_put_u16 (names + names_len, (unsigned int) l);
      memcpy (names + names_len + 2, files[i], l);
      names_len += 2 + l;
    }
  memcpy (head, JOURNAL_MAGIC, 8);
  gdbm_put_u32 (head + 8, JOURNAL_VERSION);
  gdbm_put_u32 (head + 12, nfiles);
  crc = gdbm_crc32 (0, head, sizeof head);
  crc = gdbm_crc32 (crc, names, names_len);
  crc = gdbm_crc32 (crc, pl->buf, pl->len);
  memcpy (trailer, JOURNAL_END, 8);
  gdbm_put_u64 (trailer + 8, pl->len);
  gdbm_put_u32 (trailer + 16, crc);

  j->fd = open (j->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, perm->mode & 0666);
  if (j->fd == -1)
    {
      gdbm_log (env, IPA_LOG_ERR, errno, "cannot create batch journal %s", j->path);
      goto fail;
    }
  /* A reader that sees the journal locked knows a batch is being written. */
  while (flock (j->fd, LOCK_EX) == -1)
    if (errno != EINTR)
      {
        gdbm_log (env, IPA_LOG_ERR, errno, "cannot lock batch journal %s", j->path);
        goto fail_unlink;
      }
  iov[0] = (struct iovec) { head, sizeof head };
  iov[1] = (struct iovec) { names, names_len };
  iov[2] = (struct iovec) { pl->buf, pl->len };
  iov[3] = (struct iovec) { trailer, sizeof trailer };
  if (write_all (j->fd, iov, 4) == -1 || gdbm_apply_perm (j->fd, perm) == -1)
    {
      gdbm_log (env, IPA_LOG_ERR, errno, "cannot write batch journal %s", j->path);
      goto fail_unlink;
    }
  /* Against power loss the journal must be on disk before any GDBM file
   * changes; against a killed process the page cache is enough. */
  if (durable && (fdatasync (j->fd) == -1 || gdbm_fsync_dir (dir) == -1))
    {
      gdbm_log (env, IPA_LOG_ERR, errno, "cannot sync batch journal %s", j->path);
      goto fail_unlink;
    }
  gdbm_free (env, names);
  return 0;

fail_unlink:
  unlink (j->path);
fail:
  if (j->fd != -1)
    close (j->fd);
  j->fd = -1;
  gdbm_free (env, names);
  gdbm_free (env, j->path);
  j->path = NULL;
  return -1;
}

int
gdbm_journal_remove (const GdbmEnv *env, GdbmJournal *j, const char *dir)
{
  int rc = 0;

  if (j->path != NULL && unlink (j->path) == -1)
    {
      gdbm_log (env, IPA_LOG_ERR, errno, "cannot remove batch journal %s", j->path);
      rc = -1;
    }
  if (j->fd != -1)
    close (j->fd);
  j->fd = -1;
  gdbm_free (env, j->path);
  j->path = NULL;
  return rc;
}

void
gdbm_journal_abandon (const GdbmEnv *env, GdbmJournal *j)
{
  if (j->fd != -1)
    close (j->fd);
  j->fd = -1;
  gdbm_free (env, j->path);
  j->path = NULL;
}

typedef struct {
  unsigned char *data;     /* malloc() */
  size_t len;
  unsigned int nfiles;
  char **files;            /* malloc(), point into nothing else */
  const unsigned char *body;
  size_t body_len;
} JournalContent;

static void
journal_content_free (JournalContent *c)
{
  if (c->files != NULL)
    for (unsigned int i = 0; i < c->nfiles; i++)
      free (c->files[i]);
  free (c->files);
  free (c->data);
  memset (c, 0, sizeof *c);
}

/* 1 complete, 0 torn, -1 read error (errno). */
static int
journal_read (int fd, JournalContent *c)
{
  struct stat st;
  size_t pos;
  uint32_t crc;

  memset (c, 0, sizeof *c);
  if (fstat (fd, &st) == -1)
    return -1;
  c->len = (size_t) st.st_size;
  c->data = malloc (c->len + 1);
  if (c->data == NULL)
    return -1;
  for (pos = 0; pos < c->len;)
    {
      ssize_t r = pread (fd, c->data + pos, c->len - pos, (off_t) pos);

      if (r == -1 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          if (r == 0)
            break;
          return -1;
        }
      pos += (size_t) r;
    }
  c->len = pos;
  if (c->len < 16 + JOURNAL_TRAILER || memcmp (c->data, JOURNAL_MAGIC, 8) != 0 ||
      gdbm_get_u32 (c->data + 8) != JOURNAL_VERSION)
    return 0;
  c->nfiles = gdbm_get_u32 (c->data + 12);
  if (c->nfiles > 256)
    return 0;
  c->files = calloc (c->nfiles + 1, sizeof *c->files);
  if (c->files == NULL)
    return -1;
  pos = 16;
  for (unsigned int i = 0; i < c->nfiles; i++)
    {
      size_t l;

      if (c->len - pos < 2)
        return 0;
      l = gdbm_get_u16 (c->data + pos);
      /* An empty name is an index the batch does not use. */
      if (c->len - pos - 2 < l || memchr (c->data + pos + 2, '/', l) != NULL)
        return 0;
      c->files[i] = strndup ((const char *) c->data + pos + 2, l);
      if (c->files[i] == NULL)
        return -1;
      pos += 2 + l;
    }
  if (c->len - pos < JOURNAL_TRAILER)
    return 0;
  c->body = c->data + pos;
  c->body_len = c->len - pos - JOURNAL_TRAILER;
  if (memcmp (c->body + c->body_len, JOURNAL_END, 8) != 0 ||
      gdbm_get_u64 (c->body + c->body_len + 8) != c->body_len)
    return 0;
  crc = gdbm_crc32 (0, c->data, pos + c->body_len);
  if (crc != gdbm_get_u32 (c->body + c->body_len + 16))
    return 0;
  return 1;
}

GdbmJournalState
gdbm_journal_check (const GdbmEnv *env, const char *dir, const char *file, int *names_file)
{
  char *path = gdbm_path (env, dir, GDBM_JOURNAL_FILE);
  JournalContent c;
  GdbmJournalState state;
  int fd, r;

  *names_file = 0;
  if (path == NULL)
    return GDBM_JOURNAL_ERROR;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    {
      state = errno == ENOENT ? GDBM_JOURNAL_NONE : GDBM_JOURNAL_ERROR;
      if (state == GDBM_JOURNAL_ERROR)
        gdbm_log (env, IPA_LOG_ERR, errno, "cannot open batch journal %s", path);
      gdbm_free (env, path);
      return state;
    }
  if (flock (fd, LOCK_SH | LOCK_NB) == -1)
    {
      close (fd);
      gdbm_free (env, path);
      return GDBM_JOURNAL_LIVE;
    }
  r = journal_read (fd, &c);
  if (r == -1)
    {
      gdbm_log (env, IPA_LOG_ERR, errno, "cannot read batch journal %s", path);
      state = GDBM_JOURNAL_ERROR;
    }
  else if (r == 0)
    state = GDBM_JOURNAL_INCOMPLETE;
  else
    {
      state = GDBM_JOURNAL_COMPLETE;
      for (unsigned int i = 0; i < c.nfiles; i++)
        if (c.files[i][0] != '\0' && strcmp (c.files[i], file) == 0)
          *names_file = 1;
    }
  journal_content_free (&c);
  close (fd);
  gdbm_free (env, path);
  return state;
}

/* Recovery */

static int
is_leftover (const char *name)
{
  size_t l = strlen (name);

  /* Snapshots (crash tolerance), files being created, reflink probes. */
  return (l > 10 && strcmp (name + l - 10, ".gdbm.even") == 0) ||
         (l > 9 && strcmp (name + l - 9, ".gdbm.odd") == 0) ||
         (l > 9 && strcmp (name + l - 9, ".gdbm.new") == 0) ||
         strncmp (name, ".ipa-reflink-", 13) == 0;
}

static void
remove_leftovers (const GdbmEnv *env, const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *e;

  if (d == NULL)
    return;
  while ((e = readdir (d)) != NULL)
    if (is_leftover (e->d_name))
      {
        char *p = gdbm_path (env, dir, e->d_name);

        if (p != NULL)
          unlink (p);
        gdbm_free (env, p);
      }
  closedir (d);
}

/* Bring DIR/NAME back to a consistent state after an interrupted batch. */
static int
restore_file (const GdbmEnv *env, const char *dir, const char *name, const GdbmPerm *perm,
              unsigned int wait_ms, const JournalContent *c, unsigned int index)
{
  char *path = gdbm_path (env, dir, name);
  char even[4200], odd[4200];
  struct stat st_e, st_o;
  int restored = 0, rc = -1;
  GdbmHandle h;
  GdbmOpenResult r;

  if (path == NULL)
    return -1;
  snapshot_names (even, odd, sizeof even, path);
  if (stat (even, &st_e) == 0 && stat (odd, &st_o) == 0)
    {
      const char *latest = NULL;
      int s = gdbm_latest_snapshot (even, odd, &latest);

      if (s == GDBM_SNAPSHOT_OK && latest != NULL && rename (latest, path) == 0)
        {
          int fd = open (path, O_RDONLY | O_CLOEXEC);

          /* The snapshot carries the mode crash tolerance gave it. */
          if (fd != -1)
            {
              if (gdbm_apply_perm (fd, perm) == -1)
                gdbm_log (env, IPA_LOG_WARNING, errno, "cannot set owner group/mode of %s", path);
              close (fd);
            }
          gdbm_fsync_dir (dir);
          gdbm_log (env, IPA_LOG_INFO, 0, "restored %s from its crash-tolerance snapshot", path);
          restored = 1;
        }
      else
        gdbm_log (env, IPA_LOG_WARNING, 0,
                  "the crash-tolerance snapshots of %s cannot be used (status %d); "
                  "rebuilding the file instead", path, s);
    }
  unlink (even);
  unlink (odd);

  r = gdbm_handle_open (env, &h, dir, name,
                        GDBM_H_WRITER | GDBM_H_CREATE | (restored ? 0 : GDBM_H_DAMAGED_OK),
                        wait_ms, perm, NULL);
  if (r != GDBM_OPEN_OK)
    {
      if (r == GDBM_OPEN_BUSY)
        rc = GDBM_OPEN_BUSY;
      gdbm_free (env, path);
      return rc;
    }
  if (!restored)
    {
      struct stat st;
      gdbm_recovery rcvr;

      /* The rebuilt copy is written next to the file. */
      if (fstat (gdbm_fdesc (h.dbf), &st) == 0 &&
          !space_ok (env, dir, (uint64_t) st.st_size + 64 * 1024, "rebuild a database file"))
        goto out;

      /* Without snapshots a write cut short can leave GDBM's structures
       * half updated, which nothing reliably detects: rebuild from every
       * readable entry, keeping the old file when anything was lost. */
      memset (&rcvr, 0, sizeof rcvr);
      if (gdbm_recover (h.dbf, &rcvr, GDBM_RCVR_FORCE | GDBM_RCVR_BACKUP) != 0)
        {
          gdbm_log (env, IPA_LOG_ERR, 0, "cannot rebuild %s after an interrupted batch: %s; "
                    "keep a copy and repair it with \"gdbmtool %s recover\"",
                    path, gdbm_db_strerror (h.dbf), path);
          free (rcvr.backup_name);
          goto out;
        }
      if (rcvr.failed_keys != 0 || rcvr.failed_buckets != 0)
        gdbm_log (env, IPA_LOG_ERR, 0,
                  "rebuilt %s after an interrupted batch, but %zu entries and %zu buckets could "
                  "not be read; the old file is kept as %s", path, rcvr.failed_keys,
                  rcvr.failed_buckets, rcvr.backup_name != NULL ? rcvr.backup_name : "?");
      else if (rcvr.backup_name != NULL)
        unlink (rcvr.backup_name);
      free (rcvr.backup_name);
      if (check_format (env, h.dbf, path) == -1)
        goto out;
    }
  if (gdbm_putlist_apply (env, c->body, c->body_len, index, &h) == 0 &&
      gdbm_handle_sync (env, &h) == 0)
    rc = 0;
out:
  gdbm_handle_close (env, &h);
  gdbm_free (env, path);
  return rc;
}

int
gdbm_dir_recover (const GdbmEnv *env, const char *dir, const GdbmPerm *perm, unsigned int wait_ms)
{
  char *path = gdbm_path (env, dir, GDBM_JOURNAL_FILE);
  uint64_t deadline = gdbm_deadline (wait_ms);
  unsigned int attempt = 0;
  JournalContent c;
  int fd, r, rc = 0;

  if (path == NULL)
    return -1;
  fd = open (path, O_RDWR | O_CLOEXEC);
  if (fd == -1)
    {
      gdbm_free (env, path);
      if (errno != ENOENT)
        {
          gdbm_log (env, IPA_LOG_ERR, errno, "cannot open batch journal %s/" GDBM_JOURNAL_FILE, dir);
          return -1;
        }
      remove_leftovers (env, dir);
      return 0;
    }
  while (flock (fd, LOCK_EX | LOCK_NB) == -1)
    if (errno != EINTR && !gdbm_wait_more (deadline, &attempt))
      {
        close (fd);
        gdbm_free (env, path);
        return GDBM_OPEN_BUSY;
      }
  r = journal_read (fd, &c);
  if (r == -1)
    {
      gdbm_log (env, IPA_LOG_ERR, errno, "cannot read batch journal %s", path);
      rc = -1;
    }
  else if (r == 0)
    {
      /* Torn while it was written: no GDBM file had been touched yet. */
      gdbm_log (env, IPA_LOG_WARNING, 0,
                "discarding the incomplete journal %s of a batch that was interrupted before "
                "it was written (it changed nothing)", path);
    }
  else
    {
      gdbm_log (env, IPA_LOG_WARNING, 0, "completing a batch that was interrupted, from %s", path);
      for (unsigned int i = 0; i < c.nfiles && rc == 0; i++)
        if (c.files[i][0] != '\0')
          rc = restore_file (env, dir, c.files[i], perm, wait_ms, &c, i);
    }
  journal_content_free (&c);
  if (rc == 0)
    {
      remove_leftovers (env, dir);
      if (unlink (path) == -1)
        {
          gdbm_log (env, IPA_LOG_ERR, errno, "cannot remove batch journal %s", path);
          rc = -1;
        }
      gdbm_fsync_dir (dir);
    }
  close (fd);
  gdbm_free (env, path);
  return rc;
}
