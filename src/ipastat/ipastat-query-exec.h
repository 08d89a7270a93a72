/*
 * ipastat-query-exec.h: what the passes of a run share, and the query
 * kinds of the final pass, one file each:
 *
 *   ipastat-query-exec.c        resolving the selections, dispatching
 *   ipastat-query-rules.c       statistics of rules
 *   ipastat-query-limits.c      limit history and state, threshold state
 *   ipastat-query-lists.c       lists of rules, limits and thresholds
 *
 * Internal to ipastat.
 */
#pragma once

#include <glib.h>
#include "ipastat-conf.h"
#include "ipastat-exit.h"
#include "ipastat-interval.h"
#include "ipastat-live.h"
#include "ipastat-query.h"
#include "ipastat-result.h"
#include "ipastat-session.h"
#include "ipa-module.h"

G_BEGIN_DECLS

/* One load of the configuration and the modules. */
typedef struct {
  IpaModuleSet *modules;
  IpastatConf *conf;
  IpastatSession *session;
} IpastatPass;

/* A selection of the final pass with its entities. */
typedef struct {
  const IpastatQuerySel *sel;
  IpastatConfRule *rule;    /* NULL: unknown (reported) */
  GPtrArray *entities;      /* statistics mode: IpastatConfEntity* or NULL,
                             * one per item of sel */
} IpastatTarget;

typedef struct {
  const char *conf_path;
  const IpastatQuery *query;
  IpastatInterval interval;
  const IpastatLive *live;
  IpastatExit status;       /* of the first error */
  IpastatResult *result;
  GPtrArray *sels;          /* IpastatQuerySel* with names, no patterns */
  GPtrArray *targets;       /* IpastatTarget*, one per sel */
} IpastatRun;

/* Print an error now and remember the status of the first one. */
void ipastat_run_fail (IpastatRun *run, IpastatExit status, const char *message);
void ipastat_run_fail_error (IpastatRun *run, const GError *error);

/* The rule or limit/threshold of that name: the configured one, else a
 * new dynamic one when ipastat.conf allows it, else NULL (reported). */
IpastatConfRule *ipastat_run_resolve_rule (IpastatRun *run, IpastatPass *pass,
                                           const char *name);
IpastatConfEntity *ipastat_run_resolve_item (IpastatRun *run, IpastatPass *pass,
                                             IpastatConfRule *rule,
                                             IpastatItemKind kind,
                                             const char *name);
/* -s applied to a rule of the query. */
void ipastat_run_apply_st_override (IpastatRun *run, IpastatConfRule *rule);
/* The systems that answer a query naming no rule: -s, else global st_list. */
GPtrArray *ipastat_run_list_systems (IpastatRun *run, IpastatPass *pass);

/* Before the session starts: entities of every selection. */
gboolean ipastat_query_exec_prepare (IpastatRun *run, IpastatPass *pass);
/* After it started: every query, blocks into run->result. */
void ipastat_query_exec (IpastatRun *run, IpastatPass *pass);

typedef enum {
  IPASTAT_KNOWN_NO,
  IPASTAT_KNOWN_YES,
  IPASTAT_KNOWN_FAILED,    /* the module failed; reported */
} IpastatKnown;

/* Does system @m know @rule (its rules list names it)?  Yes when it
 * cannot list rules. */
IpastatKnown ipastat_query_rule_known (IpastatRun *run, IpastatPass *pass,
                                       IpaModule *m, const IpastatConfRule *rule);
/* The same for a limit (@is_limit) or threshold of @rule. */
IpastatKnown ipastat_query_entity_known (IpastatRun *run, IpastatPass *pass,
                                         IpaModule *m, const IpastatConfRule *rule,
                                         const IpastatConfEntity *entity,
                                         gboolean is_limit);
/* "a, b" for messages. */
char *ipastat_query_st_list_text (const IpastatOptList *list);

void ipastat_query_rule_stat (IpastatRun *run, IpastatPass *pass,
                              IpastatTarget *target);
void ipastat_query_limit (IpastatRun *run, IpastatPass *pass,
                          IpastatTarget *target, IpastatConfEntity *limit);
void ipastat_query_threshold (IpastatRun *run, IpastatPass *pass,
                              IpastatTarget *target,
                              IpastatConfEntity *threshold);
void ipastat_query_rules_list (IpastatRun *run, IpastatPass *pass);
void ipastat_query_rule_entities (IpastatRun *run, IpastatPass *pass,
                                  IpastatTarget *target);

G_END_DECLS
