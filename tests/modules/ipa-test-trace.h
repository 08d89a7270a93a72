/*
 * ipa-test-trace.h: a call trace shared by the test modules.
 *
 * Each module keeps its own copy (static functions): the trace is in
 * memory, readable through the module's exported *_trace() function, and
 * appended to the file $IPA_TEST_TRACE when that is set, so that tests of
 * the programs can check the calls too.
 */
#ifndef IPA_TEST_TRACE_H
#define IPA_TEST_TRACE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACE_SIZE 16384

static char trace_buf[TRACE_SIZE];
static size_t trace_len;

static void trace (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static void
trace (const char *format, ...)
{
  char line[1024];
  const char *path;
  size_t n;
  va_list ap;

  va_start (ap, format);
  vsnprintf (line, sizeof line, format, ap);
  va_end (ap);

  n = strlen (line);
  if (trace_len + n + 2 < TRACE_SIZE)
    {
      memcpy (trace_buf + trace_len, line, n);
      trace_len += n;
      trace_buf[trace_len++] = '\n';
      trace_buf[trace_len] = '\0';
    }

  path = getenv ("IPA_TEST_TRACE");
  if (path != NULL && path[0] != '\0')
    {
      FILE *fp = fopen (path, "a");

      if (fp != NULL)
        {
          fprintf (fp, "%s\n", line);
          fclose (fp);
        }
    }
}

static inline void
trace_reset (void)
{
  trace_len = 0;
  trace_buf[0] = '\0';
}

#endif /* IPA_TEST_TRACE_H */
