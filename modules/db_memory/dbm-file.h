/*
 * dbm-file.h: the text file of ipa_db_memory (memory:file), the whole
 * content of the database in a stable order, so that tests can read what
 * the daemon stored and the daemon gets its states back after a restart.
 * The format is described in README.md.
 */
#ifndef DBM_FILE_H
#define DBM_FILE_H

#include <stddef.h>

#include "dbm-store.h"

/* Write @store to @path atomically: "PATH.tmp" written, then renamed over
 * @path.  Returns 0, or -1 with errno set. */
MT_HIDDEN int dbm_file_save (const DbmStore *store, const char *path);

/* Add the content of @path to @store.  A missing file is an empty
 * database.  Returns 0, or -1 with "PATH:LINE: what" (or "PATH: what")
 * in @err. */
MT_HIDDEN int dbm_file_load (DbmStore *store, const char *path, char *err, size_t err_len);

#endif /* DBM_FILE_H */
