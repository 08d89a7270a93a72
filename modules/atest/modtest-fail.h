/*
 * modtest-fail.h: failure plans of the test modules ("FUNC[@N] ...").
 *
 * A plan names functions of a module and the call from which they fail:
 * with "fail" the N-th call and every later one return -1, with
 * "fail_once" only the N-th.  N counts from 1 and defaults to 1.  The
 * caller keeps the call counters and decides what a call counts against
 * (the module, or one rule).
 */
#ifndef MODTEST_FAIL_H
#define MODTEST_FAIL_H

#include <stddef.h>
#include <stdint.h>

#include "modtest-format.h"

typedef struct {
  uint32_t from;  /* fail from this call on; 0: never */
  uint32_t once;  /* fail at this call only; 0: never */
} MtFailSpec;

/* Parse @text (words separated by spaces) against the function names
 * @names[0..n-1] into @specs (n entries), setting from (@once == 0) or
 * once.  Entries not named are left alone.  Returns 0, or -1 with a
 * message in @err. */
MT_HIDDEN int mt_fail_parse (const char *text, const char *const *names, unsigned int n,
                             int once, MtFailSpec *specs, char *err, size_t err_len);

/* Whether call number @call (from 1) fails. */
static inline int
mt_fail_hit (const MtFailSpec *spec, uint32_t call)
{
  return (spec->from != 0 && call >= spec->from) || (spec->once != 0 && call == spec->once);
}

static inline int
mt_fail_set (const MtFailSpec *spec)
{
  return spec->from != 0 || spec->once != 0;
}

#endif /* MODTEST_FAIL_H */
