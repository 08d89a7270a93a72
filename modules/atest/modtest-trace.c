/*
 * modtest-trace.c: the call trace of the test modules (see
 * modtest-trace.h).
 */
#include "modtest-trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Longer lines are cut; names in them are short in practice. */
#define LINE_MAX_LEN 4096

static const ipa_memfunc *
memfunc (const MtTrace *t)
{
  return t->ac != NULL ? t->ac->memfunc : t->db->memfunc;
}

static const ipa_suppfunc *
suppfunc (const MtTrace *t)
{
  return t->ac != NULL ? t->ac->suppfunc : t->db->suppfunc;
}

void
mt_trace_init (MtTrace *t, const char *mod_name, const struct ipa_ac_mod *ac,
               const struct ipa_db_mod *db, ipa_mem_type *mem_type)
{
  memset (t, 0, sizeof *t);
  t->mod_name = mod_name;
  t->ac = ac;
  t->db = db;
  t->mem_type = mem_type;
  t->fd = -1;
  t->buffering = 1;
}

/* write(2) all of it; a trace that cannot be written is not worth failing
 * the call for, the test reading it will notice. */
static void
write_all (int fd, const char *p, size_t n)
{
  while (n > 0)
    {
      ssize_t w = write (fd, p, n);

      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      p += w;
      n -= (size_t) w;
    }
}

static void
free_buffer (MtTrace *t)
{
  if (t->buf != NULL)
    memfunc (t)->mem_free (t->buf, t->mem_type);
  t->buf = NULL;
  t->len = t->cap = 0;
}

int
mt_trace_open (MtTrace *t, const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

  if (fd < 0)
    return errno;
  if (t->fd >= 0)
    close (t->fd);
  t->fd = fd;
  if (t->len > 0)
    write_all (fd, t->buf, t->len);
  if (t->dropped > 0)
    {
      char line[128];
      int n = snprintf (line, sizeof line, "dropped %lu lines before the trace file was named\n",
                        t->dropped);

      write_all (fd, line, (size_t) n);
    }
  free_buffer (t);
  t->buffering = 0;
  t->dropped = 0;
  return 0;
}

void
mt_trace_end_config (MtTrace *t)
{
  t->buffering = 0;
  t->dropped = 0;
  free_buffer (t);
}

void
mt_trace_close (MtTrace *t)
{
  if (t->fd >= 0)
    close (t->fd);
  t->fd = -1;
  t->buffering = 0;
  free_buffer (t);
}

static void
buffer_line (MtTrace *t, const char *line, size_t n)
{
  if (t->len + n > t->cap)
    {
      size_t cap = t->cap > 0 ? t->cap : 4096;
      char *buf;

      while (cap < t->len + n)
        cap *= 2;
      if (cap > MT_TRACE_BUFFER)
        {
          t->dropped++;
          return;
        }
      buf = memfunc (t)->mem_realloc (t->buf, cap, t->mem_type);
      if (buf == NULL)
        {
          t->dropped++;
          return;
        }
      t->buf = buf;
      t->cap = cap;
    }
  memcpy (t->buf + t->len, line, n);
  t->len += n;
}

static void
emit (MtTrace *t, int debug, int priority, const char *format, va_list ap)
{
  char line[LINE_MAX_LEN];
  int n = vsnprintf (line, sizeof line - 1, format, ap);
  size_t len;

  if (n < 0)
    return;
  len = (size_t) n < sizeof line - 1 ? (size_t) n : sizeof line - 2;
  if (debug)
    mt_log (t, priority, 0, "%.*s", (int) len, line);
  line[len++] = '\n';
  if (t->fd >= 0)
    write_all (t->fd, line, len);
  else if (t->buffering)
    buffer_line (t, line, len);
}

void
mt_trace (MtTrace *t, int debug, const char *format, ...)
{
  va_list ap;

  if (!mt_trace_wanted (t, debug))
    return;
  va_start (ap, format);
  emit (t, debug, IPA_LOG_INFO, format, ap);
  va_end (ap);
}

void
mt_violation (MtTrace *t, const char *format, ...)
{
  char text[LINE_MAX_LEN - 16];
  va_list ap;

  t->violations++;
  va_start (ap, format);
  vsnprintf (text, sizeof text, format, ap);
  va_end (ap);
  mt_trace (t, 0, "VIOLATION %s", text);
  mt_log (t, IPA_LOG_ERR, 0, "VIOLATION %s", text);
}

void
mt_log (MtTrace *t, int priority, int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  suppfunc (t)->logmsg (t->mod_name, priority, code, format, ap);
  va_end (ap);
}

void
mt_conferr (MtTrace *t, int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  suppfunc (t)->logconferr (t->mod_name, code, format, ap);
  va_end (ap);
}
