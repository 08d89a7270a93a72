/*
 * ipastat-exit.h: the exit statuses of ipastat (documented in README.md).
 *
 * They follow sysexits(3), so that scripts can tell the causes apart; an
 * IPASTAT_ERROR GError carries the status as its code.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  IPASTAT_EXIT_OK = 0,
  IPASTAT_EXIT_USAGE = 64,       /* bad options or query (EX_USAGE) */
  IPASTAT_EXIT_INTERVAL = 65,    /* bad interval (EX_DATAERR) */
  IPASTAT_EXIT_NO_DATABASE = 66, /* the database does not exist (EX_NOINPUT) */
  IPASTAT_EXIT_UNKNOWN = 67,     /* unknown rule, limit or threshold (EX_NOUSER) */
  IPASTAT_EXIT_UNSUPPORTED = 69, /* the statistics system cannot answer (EX_UNAVAILABLE) */
  IPASTAT_EXIT_SOFTWARE = 70,    /* a module broke the API, a leak (EX_SOFTWARE) */
  IPASTAT_EXIT_DATABASE = 74,    /* any other database error; output error (EX_IOERR) */
  IPASTAT_EXIT_BUSY = 75,        /* the database stayed busy (EX_TEMPFAIL) */
  IPASTAT_EXIT_PERMISSION = 77,  /* the database may not be read (EX_NOPERM) */
  IPASTAT_EXIT_CONFIG = 78,      /* ipastat.conf or a module rejects it (EX_CONFIG) */
} IpastatExit;

#define IPASTAT_ERROR (ipastat_error_quark ())
GQuark ipastat_error_quark (void);

/* The status of a database failure that a module reported with this
 * errno value (logmsg's code): ENOENT, ENOTDIR → NO_DATABASE; EAGAIN,
 * EWOULDBLOCK, EBUSY, ETIMEDOUT → BUSY; EACCES, EPERM → PERMISSION;
 * ENOSYS, EOPNOTSUPP → UNSUPPORTED; anything else (0 too) → DATABASE. */
IpastatExit ipastat_exit_from_errno (int code);

G_END_DECLS
