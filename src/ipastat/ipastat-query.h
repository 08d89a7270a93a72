/*
 * ipastat-query.h: the query of "ipastat -q QUERY", parsed from the words
 * that follow -q.
 *
 * Query options (letters may be clustered, an argument may be attached):
 *   -r RULE       select a rule; repeatable, blocks come out in this order
 *   -l LIMIT      a limit of the preceding -r (repeatable)
 *   -t THRESHOLD  a threshold of the preceding -r (repeatable)
 *   -x            RULE, LIMIT and THRESHOLD are POSIX extended regexes
 *   -a            list rules, or the limits and thresholds of -r rules
 *   -i INTERVAL   interval of rule statistics and limit history
 *   -e            pass exact = 1: a record needs only one timestamp inside
 *   -c            limits: the current state even when -i is given
 *   -s SYSTEMS    statistics systems to use (comma or space separated)
 *   -o FORMAT     table (default), plain, csv or json
 *   -n            the same as -o plain
 *   -U UNITS      print counters as raw, bytes or time
 */
#pragma once

#include <glib.h>
#include "ipastat-conf.h"

G_BEGIN_DECLS

typedef enum {
  IPASTAT_FORMAT_TABLE,
  IPASTAT_FORMAT_PLAIN,
  IPASTAT_FORMAT_CSV,
  IPASTAT_FORMAT_JSON,
} IpastatFormat;

typedef enum {
  IPASTAT_ITEM_LIMIT,
  IPASTAT_ITEM_THRESHOLD,
} IpastatItemKind;

typedef struct {
  IpastatItemKind kind;
  char *name;          /* a name, or a regex with -x */
} IpastatQueryItem;

/* One -r with the -l/-t that follow it. */
typedef struct {
  char *rule;          /* a name, or a regex with -x */
  GPtrArray *items;    /* IpastatQueryItem*, command-line order */
} IpastatQuerySel;

typedef struct {
  gboolean list;       /* -a */
  gboolean regex;      /* -x */
  gboolean exact;      /* -e */
  gboolean current;    /* -c */
  char *interval;      /* -i, NULL: the current month */
  GStrv st_list;       /* -s, NULL: from ipastat.conf */
  IpastatFormat format;
  gboolean has_units;  /* -U */
  IpastatUnits units;
  GPtrArray *sels;     /* IpastatQuerySel*, command-line order */
} IpastatQuery;

/* IPASTAT_ERROR_USAGE-like errors: IPASTAT_ERROR with code
 * IPASTAT_EXIT_USAGE. */
IpastatQuery *ipastat_query_parse (int argc, char **argv, GError **error);
void ipastat_query_free (IpastatQuery *query);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpastatQuery, ipastat_query_free)

IpastatQuerySel *ipastat_query_sel_new (const char *rule);
void ipastat_query_sel_free (gpointer sel);
void ipastat_query_sel_add_item (IpastatQuerySel *sel, IpastatItemKind kind,
                                 const char *name);

const char *ipastat_format_to_string (IpastatFormat format);

/* The help text of the query options (for ipastat -h). */
const char *ipastat_query_help (void);

G_END_DECLS
