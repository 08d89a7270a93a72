/*
 * netdev-slots.h: items addressed by the numbers the host gives rules,
 * autorules and rulepats (INV-42), kept in an ipa_memfunc marray.
 *
 * The marray may move its items on every allocation and release, and a
 * host call (ac_create_rule, ac_delete_rule) may re-enter the module and do
 * either: callers reach items by number again after such calls instead of
 * keeping pointers.
 */
#ifndef NETDEV_SLOTS_H
#define NETDEV_SLOTS_H

#include <stddef.h>

#include <ipa_mod.h>

typedef struct {
  const char *name;   /* marray name and description, static strings */
  const char *desc;
  size_t isize;
  const ipa_memfunc *mf;
  ipa_marray *ma;
  void *arr;
  unsigned int end;   /* highest number in use + 1 */
} NetdevSlots;

#define NETDEV_SLOTS_INIT(name, desc, type) { (name), (desc), sizeof (type), NULL, NULL, NULL, 0 }

/* Create the marray (in conf_init, so that the host counts it as the
 * module's).  Returns 0 or -1. */
int netdev_slots_init (NetdevSlots *s, const ipa_memfunc *mf);
/* Free the marray (the items' own memory is the caller's). */
void netdev_slots_deinit (NetdevSlots *s);

/* Item @no, or NULL if it is not in use. */
void *netdev_slots_get (NetdevSlots *s, unsigned int no);
/* Item @no, zeroed when new; NULL if it cannot be allocated. */
void *netdev_slots_get_or_add (NetdevSlots *s, unsigned int no);
/* Release item @no, which must be in use. */
void netdev_slots_remove (NetdevSlots *s, unsigned int no);

#endif /* NETDEV_SLOTS_H */
