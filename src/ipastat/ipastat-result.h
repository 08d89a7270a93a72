/*
 * ipastat-result.h: what a query found, independent of the output format.
 *
 * A result is a list of blocks in the order of the command line: one per
 * (entity, statistics system) pair, or one per system for a list of
 * rules.  The blocks own copies of everything the modules returned.
 */
#pragma once

#include <glib.h>
#include "ipa_mod.h"
#include "ipastat-conf.h"
#include "ipastat-interval.h"
#include "ipastat-session.h"

G_BEGIN_DECLS

typedef enum {
  IPASTAT_BLOCK_RULE_STAT,     /* records of a rule */
  IPASTAT_BLOCK_LIMIT,         /* history or current state of a limit */
  IPASTAT_BLOCK_THRESHOLD,     /* current state of a threshold */
  IPASTAT_BLOCK_RULES_LIST,    /* the rules a statistics system knows */
  IPASTAT_BLOCK_RULE_ENTITIES, /* a rule's limits and thresholds */
} IpastatBlockKind;

typedef struct {
  IpastatBlockKind kind;
  char *system;             /* st_name */
  char *rule;               /* NULL for RULES_LIST */
  char *rule_info;          /* NULL: none */
  char *name;               /* LIMIT, THRESHOLD: its name */
  char *info;               /* LIMIT, THRESHOLD: its description or NULL */
  IpastatUnits units;
  gboolean from_daemon;     /* LIMIT, THRESHOLD: the state came from the
                             * running ipa (ipastat-live.h); RULE_STAT:
                             * the last record did */

  /* RULE_STAT and LIMIT history */
  IpastatInterval interval;
  gboolean exact;           /* RULE_STAT */
  gboolean current;         /* LIMIT: the current state (no interval) */
  GArray *records;          /* RULE_STAT: struct ipa_rule_stat */
  GArray *states;           /* LIMIT: struct ipa_limit_state */

  /* THRESHOLD */
  gboolean has_state;
  struct ipa_threshold_state state;

  /* RULES_LIST (rules), RULE_ENTITIES (limits and/or thresholds; NULL
   * when not asked for): IpastatDesc */
  GArray *rules;
  GArray *limits;
  GArray *thresholds;
} IpastatBlock;

IpastatBlock *ipastat_block_new (IpastatBlockKind kind, const char *system,
                                 const char *rule);
void ipastat_block_free (gpointer block);

typedef struct {
  GPtrArray *blocks;        /* IpastatBlock* */
} IpastatResult;

IpastatResult *ipastat_result_new (void);
void ipastat_result_free (IpastatResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpastatResult, ipastat_result_free)

/*
 * Sums of counters: a sum of many 64-bit counters can pass 2^64, so it is
 * kept in 128 bits (two halves, portable C) and printed exactly.
 */
typedef struct {
  guint64 hi;
  guint64 lo;
} IpastatSum;

void ipastat_sum_add (IpastatSum *sum, guint64 value);
/* The sum of the counters of a RULE_STAT block. */
IpastatSum ipastat_block_total (const IpastatBlock *block);
/* Decimal digits. */
void ipastat_sum_format (GString *out, const IpastatSum *sum);

/* A counter (or sum) for people: raw digits, bytes scaled to the largest
 * binary unit it reaches with two decimals ("1.50 GiB", "512 B"), or a
 * duration ("1D 2h 3m 4s"). */
void ipastat_format_counter (GString *out, const IpastatSum *value,
                             IpastatUnits units);

G_END_DECLS
