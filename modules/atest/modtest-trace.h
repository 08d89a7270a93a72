/*
 * modtest-trace.h: the call trace of the test modules ipa_atest and
 * ipa_db_memory.
 *
 * One line per call, appended to a file with one write(2) each, so that a
 * test may read the file while the daemon runs.  The file is named by a
 * configuration parameter, so calls made before it is known (conf_init,
 * the first conf_event) are kept in memory (at most MT_TRACE_BUFFER bytes)
 * and written when the file is opened; they are dropped at the end of the
 * configuration if no file was named.
 *
 * "VIOLATION <text>" lines record breaks of the call contract of
 * ipa_mod(3) that the module can see; they are also logged as errors.
 */
#ifndef MODTEST_TRACE_H
#define MODTEST_TRACE_H

#include <stddef.h>

#include <ipa_mod.h>

#include "modtest-format.h"

#define MT_TRACE_BUFFER (1024 * 1024)

typedef struct {
  const char *mod_name;
  const struct ipa_ac_mod *ac;  /* where suppfunc and memfunc are read: */
  const struct ipa_db_mod *db;  /* one of the two is set */
  ipa_mem_type *mem_type;
  int fd;                       /* -1: no file */
  int buffering;                /* keep lines until the file is known */
  int debug;                    /* copy module-wide calls to logmsg */
  char *buf;
  size_t len;
  size_t cap;
  unsigned long dropped;        /* lines that did not fit in buf */
  unsigned long violations;
} MtTrace;

/* Start buffering; nothing is allocated until the first line. */
MT_HIDDEN void mt_trace_init (MtTrace *t, const char *mod_name,
                              const struct ipa_ac_mod *ac, const struct ipa_db_mod *db,
                              ipa_mem_type *mem_type);
/* Open @path for appending and write the buffered lines.  Returns 0, or
 * an errno value. */
MT_HIDDEN int mt_trace_open (MtTrace *t, const char *path);
/* The configuration is over: without a file, forget the buffer. */
MT_HIDDEN void mt_trace_end_config (MtTrace *t);
/* Close the file and free the buffer. */
MT_HIDDEN void mt_trace_close (MtTrace *t);

/* Whether a line would go anywhere; callers skip formatting otherwise. */
static inline int
mt_trace_wanted (const MtTrace *t, int debug)
{
  return t->fd >= 0 || t->buffering || debug;
}

/* One line; with @debug it is also logged at IPA_LOG_INFO. */
MT_HIDDEN void mt_trace (MtTrace *t, int debug, const char *format, ...)
  __attribute__ ((format (printf, 3, 4)));
/* "VIOLATION <text>", traced and logged at IPA_LOG_ERR. */
MT_HIDDEN void mt_violation (MtTrace *t, const char *format, ...)
  __attribute__ ((format (printf, 2, 3)));

/* logmsg and logconferr of the module. */
MT_HIDDEN void mt_log (MtTrace *t, int priority, int code, const char *format, ...)
  __attribute__ ((format (printf, 4, 5)));
MT_HIDDEN void mt_conferr (MtTrace *t, int code, const char *format, ...)
  __attribute__ ((format (printf, 3, 4)));

#endif /* MODTEST_TRACE_H */
