/*
 * modtest-fail.c: failure plans of the test modules (see modtest-fail.h).
 */
#include "modtest-fail.h"

#include <stdio.h>
#include <string.h>

int
mt_fail_parse (const char *text, const char *const *names, unsigned int n,
               int once, MtFailSpec *specs, char *err, size_t err_len)
{
  const char *p = text;
  int words = 0;

  for (;;)
    {
      const char *start, *at, *end;
      size_t name_len;
      unsigned long long call = 1;
      unsigned int i;

      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;
      end = p;
      at = memchr (start, '@', (size_t) (end - start));
      name_len = (size_t) ((at != NULL ? at : end) - start);
      if (at != NULL)
        {
          const char *d = at + 1;

          call = 0;
          if (d == end)
            goto bad_call;
          for (; d < end; d++)
            {
              if (*d < '0' || *d > '9')
                goto bad_call;
              call = call * 10 + (unsigned long long) (*d - '0');
              if (call > UINT32_MAX)
                goto bad_call;
            }
          if (call == 0)
            goto bad_call;
        }
      for (i = 0; i < n; i++)
        if (strlen (names[i]) == name_len && strncmp (names[i], start, name_len) == 0)
          break;
      if (i == n)
        {
          size_t pos;

          pos = (size_t) snprintf (err, err_len, "unknown function \"%.*s\"; known:",
                                   (int) name_len, start);
          for (unsigned int k = 0; k < n && pos < err_len; k++)
            pos += (size_t) snprintf (err + pos, err_len - pos, " %s", names[k]);
          return -1;
        }
      if (once)
        specs[i].once = (uint32_t) call;
      else
        specs[i].from = (uint32_t) call;
      words++;
      continue;

    bad_call:
      snprintf (err, err_len, "\"%.*s\": expected FUNC or FUNC@N with N a number from 1",
                (int) (end - start), start);
      return -1;
    }
  if (words == 0)
    {
      snprintf (err, err_len, "no function named");
      return -1;
    }
  return 0;
}
