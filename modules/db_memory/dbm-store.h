/*
 * dbm-store.h: what ipa_db_memory holds: rules by name, each with its
 * records, limits (a history of states, the current one last) and
 * thresholds.  Entities are kept by name, not by number, because numbers
 * change between two runs of the daemon while names identify the same
 * rule, as in a real database.
 *
 * Every object is allocated with the memfunc of the module; pointers to
 * rules, limits and thresholds stay valid until dbm_store_free().
 */
#ifndef DBM_STORE_H
#define DBM_STORE_H

#include <stdint.h>

#include <ipa_mod.h>

#include "modtest-format.h"

typedef struct {
  ipa_tm first;        /* date and time of the first write */
  ipa_tm last;         /* same date, time of the last write */
  uint64_t cnt;
} DbmRecord;

typedef struct {
  char *name;
  int active;
  unsigned int n_new;                 /* states registered with new_state != 0 */
  struct ipa_limit_state *states;     /* the current state last */
  unsigned int n_states, cap_states;
} DbmLimit;

typedef struct {
  char *name;
  int active;
  int has_state;
  struct ipa_threshold_state state;
} DbmThreshold;

typedef struct {
  char *name;
  char *info;                         /* NULL: none */
  int active;
  DbmRecord *records;
  unsigned int n_records, cap_records;
  DbmLimit **limits;                  /* sorted by name */
  unsigned int n_limits, cap_limits;
  DbmThreshold **thresholds;          /* sorted by name */
  unsigned int n_thresholds, cap_thresholds;
} DbmRule;

typedef struct {
  const ipa_memfunc *mem;
  ipa_mem_type *mem_type;
  DbmRule **rules;                    /* sorted by name */
  unsigned int n_rules, cap_rules;
} DbmStore;

MT_HIDDEN void dbm_store_init (DbmStore *store, const ipa_memfunc *mem, ipa_mem_type *mem_type);
MT_HIDDEN void dbm_store_free (DbmStore *store);

/* The rule, limit or threshold of that name; with @create a missing one
 * is added (active, no data).  NULL if missing, or memory is exhausted. */
MT_HIDDEN DbmRule *dbm_rule_get (DbmStore *store, const char *name, int create);
MT_HIDDEN DbmLimit *dbm_limit_get (DbmStore *store, DbmRule *rule, const char *name, int create);
MT_HIDDEN DbmThreshold *dbm_threshold_get (DbmStore *store, DbmRule *rule, const char *name,
                                           int create);

/* Replace the rule's info (NULL or "" for none).  0 or -1. */
MT_HIDDEN int dbm_rule_set_info (DbmStore *store, DbmRule *rule, const char *info);

/* A new record (first = last = @tm).  0 or -1. */
MT_HIDDEN int dbm_record_append (DbmStore *store, DbmRule *rule, const ipa_tm *tm, uint64_t cnt);

/* A new state, the current one from now on.  0 or -1. */
MT_HIDDEN int dbm_limit_push (DbmStore *store, DbmLimit *limit,
                              const struct ipa_limit_state *state);
/* The current state, or NULL. */
MT_HIDDEN struct ipa_limit_state *dbm_limit_current (DbmLimit *limit);

/* The meaningful fields of @src (INV-62) into a cleared @dst. */
MT_HIDDEN void dbm_tm_copy (ipa_tm *dst, const ipa_tm *src);
/* A copy of @src whose dates are dbm_tm_copy()ed and cleared where their
 * _SET bit is not set. */
MT_HIDDEN void dbm_limit_state_copy (struct ipa_limit_state *dst,
                                     const struct ipa_limit_state *src);

#endif /* DBM_STORE_H */
