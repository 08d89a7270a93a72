/*
 * nft-conf.h: the configuration of ipa_ac_nft: its parameters, where they
 * may stand, rulepat inheritance (conf_inherit) and printing (conf_show).
 *
 * Settings are kept per section as written (rules, autorules and rulepats
 * by their numbers of conf_event, limits by their number inside their
 * section); nft:table and nft:unit fall back to global, then to the
 * built-in defaults (no table, bytes), when the engine asks for them.
 */
#pragma once

#include <regex.h>
#include <stdint.h>
#include <ipa_mod.h>

#include "nft-expr.h"
#include "nft-watch.h"

#define NFT_MOD_NAME "nft"
#define NFT_PREFIX "nft"

/* What a limit does to a set element when it is reached. */
typedef enum {
  NFT_ACTION_NONE = 0,
  NFT_ACTION_ADD = 1,   /* nft:on_reach_add: add on reach, delete on restart/expire */
  NFT_ACTION_DEL = -1,  /* nft:on_reach_del: the other way round */
} NftAction;

typedef struct {
  unsigned int no;
  char *name;
  NftAction action;
  char *target_text;   /* as written */
  NftTerm target;      /* set, and an element or NULL (the rule's) */
} NftLimitConf;

typedef struct {
  int present;         /* the section exists */
  char *name;          /* rule or autorule name, rulepat pattern */
  char *counters_text;
  NftExpr counters;
  char *set_text;
  NftTerm set;         /* valid when set_text != NULL */
  char *element;
  char *table_text;
  uint8_t family;
  char *table;
  int unit;            /* NftUnit, or -1 when not written */
  char *rule_prefix;
  char *element_pattern;
  regex_t element_re;  /* compiled when element_pattern != NULL */
  NftLimitConf *limits;
  unsigned int n_limits;
} NftSectConf;

/* The suppfunc and memfunc the host stored into the module structure. */
void nft_conf_bind (const ipa_suppfunc *suppfunc);

extern ipa_conf_param nft_conf_params[];

int nft_conf_init (void);
int nft_conf_deinit (void);
int nft_conf_event (unsigned int event, unsigned int no, const void *arg);
int nft_conf_mimic_real (void);
int nft_conf_inherit (unsigned int rulepatno, unsigned int ruleno, const char *rule_name);
void nft_conf_show (unsigned int sect_id, unsigned int no);

/* After ac_pre_init: messages go through logmsg and conf_inherit concerns
 * dynamic rules, which take their settings from their autorule. */
void nft_conf_set_running (int running);

/* NULL when the section does not exist. */
const NftSectConf *nft_conf_global (void);
const NftSectConf *nft_conf_rule (unsigned int ruleno);
const NftSectConf *nft_conf_autorule (unsigned int autoruleno);

/* Effective values: own, else global, else default. */
NftUnit nft_conf_unit (const NftSectConf *s);
/* 0 with *table NULL when no table is set anywhere. */
void nft_conf_table (const NftSectConf *s, uint8_t *family, const char **table);

/* Free every setting (ac_deinit, or a configuration given up). */
void nft_conf_free (void);

/* Logging for the whole module: logconferr while configuring, logmsg after. */
void nft_logmsg (int priority, int code, const char *format, ...)
  __attribute__ ((format (printf, 3, 4)));
void nft_logconferr (int code, const char *format, ...)
  __attribute__ ((format (printf, 2, 3)));
