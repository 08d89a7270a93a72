/*
 * nft-mem.h: allocations of ipa_ac_nft go through the host's ipa_memfunc,
 * so that the host's leak report covers the module.
 *
 * Every function may return NULL (or -1) when memory is exhausted, as
 * malloc(3) does; callers handle it.
 */
#pragma once

#include <stddef.h>
#include <ipa_mod.h>

/* Create the module's mem_type (once per load); -1 if the host refuses. */
int nft_mem_setup (const ipa_memfunc *memfunc);

void *nft_malloc (size_t size);
void *nft_calloc (size_t number, size_t size);
void *nft_realloc (void *ptr, size_t size);
char *nft_strdup (const char *s);
/* A copy of the first n bytes of s, NUL-terminated. */
char *nft_strndup (const char *s, size_t n);
char *nft_asprintf (const char *format, ...) __attribute__ ((format (printf, 1, 2)));
void nft_free (void *ptr);

/* Strings the configuration parser hands over (STRING arguments). */
void nft_free_parser_string (char *s);
