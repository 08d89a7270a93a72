/*
 * netdev-slots.c: number-addressed items in a marray (see netdev-slots.h).
 */
#include <string.h>

#include "netdev-slots.h"

int
netdev_slots_init (NetdevSlots *s, const ipa_memfunc *mf)
{
  s->mf = mf;
  s->arr = NULL;
  s->end = 0;
  s->ma = mf->marray_init (s->name, s->desc, 0, &s->arr, s->isize, 1, 16);
  return s->ma != NULL ? 0 : -1;
}

void
netdev_slots_deinit (NetdevSlots *s)
{
  if (s->mf != NULL)
    s->mf->marray_deinit (s->ma);
  s->ma = NULL;
  s->arr = NULL;
  s->end = 0;
}

void *
netdev_slots_get (NetdevSlots *s, unsigned int no)
{
  if (s->ma == NULL || no >= s->end || !s->mf->marray_check_index (s->ma, no))
    return NULL;
  return (char *) s->arr + (size_t) no * s->isize;
}

void *
netdev_slots_get_or_add (NetdevSlots *s, unsigned int no)
{
  void *item = netdev_slots_get (s, no);
  unsigned int idx = no;

  if (item != NULL)
    return item;
  if (s->ma == NULL || s->mf->marray_alloc (s->ma, &idx, 1) < 0)
    return NULL;
  if (no >= s->end)
    s->end = no + 1;
  item = (char *) s->arr + (size_t) no * s->isize;
  memset (item, 0, s->isize);
  return item;
}

void
netdev_slots_remove (NetdevSlots *s, unsigned int no)
{
  s->mf->marray_free (s->ma, no);
  while (s->end > 0 && !s->mf->marray_check_index (s->ma, s->end - 1))
    s->end--;
}
