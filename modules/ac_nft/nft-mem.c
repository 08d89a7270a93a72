/*
 * nft-mem.c: the module's allocator, a thin layer over ipa_memfunc.
 */
#include <stdarg.h>
#include <string.h>

#include "nft-mem.h"

static const ipa_memfunc *mf;
static ipa_mem_type *m_nft;

int
nft_mem_setup (const ipa_memfunc *memfunc)
{
  /* A reload loads the module again; its old mem_type died with it. */
  mf = memfunc;
  m_nft = mf->mem_type_new ("nft", "ipa_ac_nft: rules, counters, sets", 0);
  return m_nft != NULL ? 0 : -1;
}

void *
nft_malloc (size_t size)
{
  return mf->mem_malloc (size, m_nft);
}

void *
nft_calloc (size_t number, size_t size)
{
  return mf->mem_calloc (number, size, m_nft);
}

void *
nft_realloc (void *ptr, size_t size)
{
  return mf->mem_realloc (ptr, size, m_nft);
}

char *
nft_strdup (const char *s)
{
  return mf->mem_strdup (s, m_nft);
}

char *
nft_strndup (const char *s, size_t n)
{
  char *p = mf->mem_malloc (n + 1, m_nft);

  if (p != NULL)
    {
      memcpy (p, s, n);
      p[n] = '\0';
    }
  return p;
}

char *
nft_asprintf (const char *format, ...)
{
  va_list ap;
  char *s;

  va_start (ap, format);
  if (mf->mem_vasprintf (m_nft, &s, format, ap) < 0)
    s = NULL;
  va_end (ap);
  return s;
}

void
nft_free (void *ptr)
{
  if (ptr != NULL)
    mf->mem_free (ptr, m_nft);
}

void
nft_free_parser_string (char *s)
{
  if (s != NULL)
    mf->mem_free (s, mf->m_parser);
}
