/*
 * atest.h: what the parts of ipa_atest share (the module structure is in
 * ipa_atest.c, the configuration in atest-conf.c, the control file in
 * atest-control.c).
 */
#ifndef ATEST_H
#define ATEST_H

#include <stdint.h>

#include <ipa_mod.h>

#include "modtest-fail.h"
#include "modtest-format.h"
#include "modtest-trace.h"

#if IPA_AC_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "ipa_atest supports ac API 2 and memfunc API 1"
#endif

#define ATEST_NAME "atest"
#define ATEST_PREFIX "atest"

extern struct ipa_ac_mod ipa_atest_ac_mod;

#define MEM (ipa_atest_ac_mod.memfunc)

/* Functions that atest:fail and atest:fail_once can make fail, in the
 * order of atest_func_names. */
enum {
  AF_PRE_INIT,
  AF_INIT,
  AF_INIT_STATRULE,
  AF_INIT_DYNRULE,
  AF_INIT_AUTORULE,
  AF_GET_STAT,
  AF_GET_RULE_STAT,
  AF_SET_RULE_ACTIVE,
  AF_LIMIT_EVENT,
  AF_THRESHOLD_EVENT,
  AF_DEINIT,
  AF_DEINIT_RULE,
  AF_N
};

MT_HIDDEN extern const char *const atest_func_names[AF_N];

/* Functions whose calls a rule-level plan counts per rule; the others can
 * only be planned in the global section. */
#define AF_PER_RULE ((1U << AF_INIT_STATRULE) | (1U << AF_INIT_DYNRULE) | \
                     (1U << AF_GET_RULE_STAT) | (1U << AF_SET_RULE_ACTIVE) | \
                     (1U << AF_DEINIT_RULE))

/* What one section (global, rule, rulepat, autorule) sets. */
enum {
  AS_AMOUNT = 1U << 0,     /* chunk or rate */
  AS_DEBUG = 1U << 1,
  AS_STALL = 1U << 2,
  AS_DUPLICATE = 1U << 3,
};

enum { AMOUNT_CHUNK, AMOUNT_RATE };

typedef struct {
  unsigned int set;        /* AS_* given here */
  unsigned char mode;      /* AMOUNT_* */
  unsigned char subtract;  /* chunk with '-': addition = 0 */
  unsigned char debug;
  unsigned char duplicate;
  uint64_t amount;         /* chunk in bytes, or rate in bytes per second */
  uint64_t stall;          /* seconds */
  MtFailSpec *fail;        /* AF_N entries, or NULL */
  char *create;            /* autorule: "NAME NAME ..." (m_parser memory) */
  unsigned int *inherit;   /* static rule: rulepat numbers, as conf_inherit came */
  unsigned int n_inherit;
} AtestSettings;

/* The settings a rule runs with, after inheritance. */
typedef struct {
  unsigned int have;       /* AS_* found at some level */
  unsigned char mode;
  unsigned char subtract;
  unsigned char debug;
  uint64_t amount;
  uint64_t stall;
  int has_fail;
  MtFailSpec fail[AF_N];
} AtestEffective;

/* Phases of the module's life, for the contract checks. */
enum {
  PH_CONF,      /* after conf_init */
  PH_PRE_INIT,  /* after ac_pre_init */
  PH_INIT,      /* after ac_init */
  PH_DEINIT,    /* after ac_deinit */
};

/* atest-conf.c */

MT_HIDDEN extern ipa_conf_param atest_param_tbl[];

MT_HIDDEN int atest_conf_init (void);
/* Free every setting (ac_deinit, or a new conf_init). */
MT_HIDDEN void atest_conf_free (void);
MT_HIDDEN int atest_conf_event (unsigned int event, unsigned int no, const void *arg);
MT_HIDDEN int atest_conf_inherit (unsigned int rulepatno, unsigned int ruleno,
                                  const char *rule_name);
/* -tt: conf_show prints what rules run with, inheritance applied. */
MT_HIDDEN int atest_conf_mimic_real (void);
MT_HIDDEN void atest_conf_show (unsigned int sect_id, unsigned int no);

MT_HIDDEN void atest_conf_effective_static (unsigned int ruleno, AtestEffective *e);
/* Takes the pending conf_inherit calls made for @ruleno. */
MT_HIDDEN void atest_conf_effective_dynamic (unsigned int autoruleno, unsigned int ruleno,
                                             AtestEffective *e);
MT_HIDDEN const AtestSettings *atest_conf_global (void);
/* Number of static rules in the configuration (RULE_BEGIN events). */
MT_HIDDEN unsigned int atest_conf_n_static (void);
/* Autorules: the number of the one named @name, or -1. */
MT_HIDDEN int atest_conf_autorule_lookup (const char *name, unsigned int *no);
MT_HIDDEN const char *atest_conf_autorule_name (unsigned int no);
/* NULL when the autorule has no atest:create. */
MT_HIDDEN const char *atest_conf_autorule_create (unsigned int no);
MT_HIDDEN int atest_conf_autorule_duplicate (unsigned int no);
MT_HIDDEN const char *atest_conf_control_path (void);

/* atest-control.c */

/* Read the control file (if it changed) and act on it; called from
 * ac_get_stat.  Returns -1 if ac_create_rule or ac_delete_rule did. */
MT_HIDDEN int atest_control_poll (const char *path);
/* A "chunk" override of the control file for the rule @name: 1 with the
 * values set, 0 if there is none. */
MT_HIDDEN int atest_control_override (const char *name, int *subtract, uint64_t *amount);
MT_HIDDEN void atest_control_free (void);

/* ipa_atest.c, for the control file */

MT_HIDDEN extern MtTrace atest_trace;
/* One mem_type per purpose, so that a leak report says what leaked. */
MT_HIDDEN extern ipa_mem_type *atest_mem_conf;    /* settings */
MT_HIDDEN extern ipa_mem_type *atest_mem_rules;   /* state of rules */
MT_HIDDEN extern ipa_mem_type *atest_mem_io;      /* trace buffer, control file */
MT_HIDDEN extern int atest_phase;
/* ac_create_rule from @autoruleno (with the autorule's atest:duplicate);
 * returns what the host returned for the first call. */
MT_HIDDEN int atest_create_rule (unsigned int autoruleno, const char *name, const char *info);
/* ac_delete_rule of the live rule @name: the host's result, or 0 with a
 * warning when there is no such rule. */
MT_HIDDEN int atest_delete_rule (const char *name);
/* Make every live rule named @name return @amount from now on. */
MT_HIDDEN void atest_apply_override (const char *name, int subtract, uint64_t amount);
/* Whether ac_init_autorule was called (and ac_deinit_autorule not yet). */
MT_HIDDEN int atest_autorule_inited (unsigned int autoruleno);

#endif /* ATEST_H */
