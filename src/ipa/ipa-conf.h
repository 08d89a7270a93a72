/*
 * ipa-conf.h: ipa.conf as the daemon understands it.
 *
 * ipa_conf_load() parses the file with the schema of ipa.conf(5), checks
 * it, runs the module configuration phase (conf_inherit, conf_mimic_real,
 * conf_deinit) and returns a plain model of what was written plus the
 * effective (inherited) values.  The model knows nothing of the engine;
 * the engine reads it.
 */
#pragma once

#include <glib.h>
#include <regex.h>
#include "ipa_mod.h"
#include "ipa-conf-common.h"
#include "ipa-conf-parser.h"
#include "ipa-conf-value.h"
#include "ipa-module.h"

G_BEGIN_DECLS

/* Private section of ipa.conf: sublimit ARG { … }. */
#define IPA_CONF_SECT_SUBLIMIT (IPA_CONF_SECT_PRIVATE_FIRST)

/* Built-in defaults (see the comment block at the top of ipa-conf.c). */
#define IPA_CONF_DEFAULT_UPDATE_TIME    60U          /* 1m */
#define IPA_CONF_DEFAULT_APPEND_TIME    (24U * 3600) /* 1D: one record a day */
#define IPA_CONF_DEFAULT_FREEZE_TIME    60U
#define IPA_CONF_DEFAULT_SLEEP_AFTER_DUMP 0U
#define IPA_CONF_DEFAULT_SHELL_PATH     "/bin/sh"
#define IPA_CONF_DEFAULT_SHELL_ARG1     "-c"
#define IPA_CONF_DEFAULT_THR_TIME_WIDTH 3600U        /* 1h */
#define IPA_CONF_DEFAULT_THR_TIME_SLICE 60U          /* 1m */
#define IPA_CONF_NULL_NAME              "null"

typedef enum {
  IPA_CONF_LOAD_NONE = 0,
  /* -tt: call conf_mimic_real and fill every default into the model. */
  IPA_CONF_LOAD_MIMIC = 1 << 0,
  /* Skip the module phase (conf_inherit/mimic/deinit); for tools that only
   * want the syntax checked.  conf_deinit is still the caller's job then. */
  IPA_CONF_LOAD_NO_MODULE_PHASE = 1 << 1,
} IpaConfLoadFlags;

/* Every optional scalar remembers whether it was written (or, in the
 * effective copy, filled in) and where. */
typedef struct {
  gboolean set;
  IpaConfLocation loc;
  guint64 v;
} IpaConfOptU64;

typedef struct {
  gboolean set;
  IpaConfLocation loc;
  char *s;
} IpaConfOptStr;

/* IpaConfOptList (ac_list, db_list, ACL class lists) is in ipa-conf-common.h. */

/* VALUE (bytes, time or a number) or a per cent of something. */
typedef struct {
  gboolean set;
  IpaConfLocation loc;
  gboolean per_cent;   /* v is 0..100 */
  guint64 kind;        /* IPA_CONF_TYPE_BYTES/_TIME/_UINT64 when !per_cent */
  guint64 v;
} IpaConfOptValue;

typedef struct {
  gboolean set;
  IpaConfLocation loc;
  IpaWorktime *wt;   /* owned; never NULL when set */
} IpaConfOptWorktime;

typedef struct {
  gboolean set;
  IpaConfLocation loc;
  IpaTimePoint point;
} IpaConfOptPoint;

/* exec [USER[:GROUP]] "command"; */
typedef struct {
  char *user;      /* NULL: run as the daemon */
  char *group;     /* NULL: the user's primary group */
  char *command;
  IpaConfLocation loc;
} IpaConfExec;

/* A section that holds exec lines (reach, below_threshold, if_*, …). */
typedef struct {
  gboolean present;
  IpaConfLocation loc;
  GPtrArray *execs; /* IpaConfExec* in order */
} IpaConfCmds;

/* startup/shutdown: of the root (no if_*), of a rule (if_all/any_*), of a
 * limit (if_reached, if_not_reached). */
typedef struct {
  IpaConfCmds cmds;
  IpaConfCmds if_reached;
  IpaConfCmds if_not_reached;
  IpaConfCmds if_all_reached;
  IpaConfCmds if_any_reached;
  IpaConfCmds if_all_not_reached;
  IpaConfCmds if_any_not_reached;
} IpaConfCmdsSect;

/* Parameters shared by global, rulepat, rule and autorule. */
typedef struct {
  IpaConfOptList ac_list;
  IpaConfOptList db_list;
  IpaConfOptU64 update_time;
  IpaConfOptU64 append_time;
  IpaConfOptWorktime worktime;
  IpaConfOptList ctl_rule_acl;
  IpaConfOptU64 debug_exec;
  IpaConfOptU64 debug_limit;
  IpaConfOptU64 debug_limit_init;
  IpaConfOptU64 debug_threshold;
  IpaConfOptU64 debug_threshold_init;
} IpaConfRuleParams;

typedef struct {
  char *arg;              /* as written, normalised: "90%" or "1G 512M" */
  IpaConfLocation loc;
  IpaConfOptValue value;  /* per_cent or an absolute VALUE */
  IpaConfCmds reach;
  IpaConfCmds expire;
  IpaConfOptPoint expire_point;
} IpaConfSublimit;

typedef struct {
  unsigned int no;        /* inside its rule / autorule / rulepat (INV-42) */
  char *name;
  IpaConfLocation loc;
  gboolean inherited;     /* copied from a rulepat, not written in the rule */
  IpaConfOptValue limit;
  IpaConfOptStr info;
  IpaConfOptWorktime worktime;
  IpaConfOptList db_list;
  IpaConfOptU64 load_limit;  /* boolean */
  IpaConfCmds restart;
  IpaConfOptPoint restart_point;
  IpaConfCmds reach;
  IpaConfCmds expire;
  IpaConfOptPoint expire_point;
  GPtrArray *sublimits;   /* IpaConfSublimit* */
  IpaConfCmdsSect startup;
  IpaConfCmdsSect shutdown;
} IpaConfLimit;

/* threshold_balance = B:E:A; each field a count or "-" (G_MAXUINT32). */
#define IPA_CONF_BALANCE_ONCE G_MAXUINT32

typedef struct {
  unsigned int no;
  char *name;
  IpaConfLocation loc;
  gboolean inherited;
  IpaConfOptValue threshold;
  IpaConfOptValue deviation;
  IpaConfOptU64 time_width;
  IpaConfOptU64 time_slice;
  IpaConfOptU64 type;
  struct {
    gboolean set;
    IpaConfLocation loc;
    guint32 below, equal, above;
  } balance;
  IpaConfOptU64 load_threshold; /* boolean */
  IpaConfOptStr info;
  IpaConfOptWorktime worktime;
  IpaConfOptList db_list;
  IpaConfCmds below;
  IpaConfCmds equal;
  IpaConfCmds above;
} IpaConfThreshold;

typedef struct {
  unsigned int no;        /* rule ordinal in the configuration (INV-42) */
  char *name;
  IpaConfLocation loc;
  IpaConfRuleParams params;  /* as written */
  IpaConfRuleParams eff;     /* own > rulepat(s) > global > built-in */
  IpaConfOptStr info;
  IpaConfOptStr ac_gather_add;
  IpaConfOptStr ac_gather_sub;
  GPtrArray *limits;         /* IpaConfLimit*, own then inherited */
  GPtrArray *thresholds;     /* IpaConfThreshold* */
  IpaConfCmdsSect startup;
  IpaConfCmdsSect shutdown;
  GArray *rulepats;          /* guint: numbers of the matching rulepats */
} IpaConfRule;

typedef struct {
  unsigned int no;
  char *name;
  IpaConfLocation loc;
  IpaConfRuleParams params;
  GPtrArray *limits;
  GPtrArray *thresholds;
} IpaConfAutorule;

typedef struct {
  unsigned int no;
  char *pattern;
  IpaConfLocation loc;
  regex_t re;
  IpaConfOptU64 check_next_rulepat; /* boolean */
  IpaConfRuleParams params;
  GPtrArray *limits;
  GPtrArray *thresholds;
} IpaConfRulepat;

typedef struct {
  char *name;
  IpaConfLocation loc;
  GStrv users;
  GStrv groups;
} IpaConfAclClass;

typedef struct {
  char *file;              /* as written in ac_mod/db_mod */
  char *name;              /* accounting system / database name */
  IpaConfLocation loc;
} IpaConfModRef;

/* The top level in file order, for printing. */
typedef struct {
  unsigned int sect_id;    /* IPA_CONF_SECT_RULE, _AUTORULE, _RULEPAT */
  gpointer sect;
} IpaConfTopRef;

typedef struct {
  char *path;
  IpaConfLoadFlags flags;
  GPtrArray *ac_mods;       /* IpaConfModRef* */
  GPtrArray *db_mods;
  IpaConfOptU64 freeze_time;
  IpaConfOptU64 sleep_after_dump;
  IpaConfOptStr shell_path;
  IpaConfOptStr shell_arg1;
  GPtrArray *acl_classes;   /* IpaConfAclClass* */
  IpaConfOptList ctl_query_acl;
  IpaConfOptList ctl_dump_acl;
  IpaConfOptU64 debug_ctl;
  IpaConfOptU64 debug_time;
  IpaConfOptU64 debug_worktime;
  IpaConfOptU64 debug_ac_null;
  IpaConfOptU64 debug_db_null;
  IpaConfOptU64 debug_autorule;
  IpaConfCmdsSect startup;
  IpaConfCmdsSect shutdown;
  gboolean has_global;
  IpaConfLocation global_loc;
  IpaConfRuleParams global;
  GPtrArray *rules;          /* IpaConfRule*, ruleno order */
  GPtrArray *autorules;
  GPtrArray *rulepats;
  GArray *top;               /* IpaConfTopRef in file order */
  GPtrArray *warnings;       /* char*: "FILE:LINE:COL: message" */
  IpaModuleSet *modules;     /* not owned */
} IpaConf;

IpaConf *ipa_conf_load (const char *path,
                        IpaModuleSet *modules,
                        IpaConfLoadFlags flags,
                        GError **error);
/* Same, from text (tests); @file_name is used in messages and includes. */
IpaConf *ipa_conf_load_data (const char *file_name,
                             const char *data,
                             IpaModuleSet *modules,
                             IpaConfLoadFlags flags,
                             GError **error);
void ipa_conf_free (IpaConf *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaConf, ipa_conf_free)

IpaConfRule *ipa_conf_find_rule (const IpaConf *conf, const char *name);
IpaConfLimit *ipa_conf_rule_find_limit (const IpaConfRule *rule, const char *name);
IpaConfThreshold *ipa_conf_rule_find_threshold (const IpaConfRule *rule, const char *name);
IpaConfAutorule *ipa_conf_find_autorule (const IpaConf *conf, const char *name);

/* The deinit chain of ipa_mod(3) (INV-75) for a configuration that was
 * never initialised (ipa -t, a rejected reload): *_deinit_limit,
 * *_deinit_threshold and *_deinit_rule for every static rule that uses the
 * module, ac_deinit_autorule, then ac_deinit / db_deinit. */
void ipa_conf_modules_deinit_chain (const IpaConf *conf);

/* Effective parameters of a dynamic rule @rule_name made from @autorule:
 * autorule > matching rulepats > global > built-in.  Clear @out with
 * ipa_conf_rule_params_clear(). */
void ipa_conf_dynamic_rule_params (const IpaConf *conf,
                                   const IpaConfAutorule *autorule,
                                   const char *rule_name,
                                   IpaConfRuleParams *out);
void ipa_conf_rule_params_clear (IpaConfRuleParams *params);
/* Effective parameters of an autorule itself: autorule > global > built-in. */
void ipa_conf_autorule_params (const IpaConf *conf,
                               const IpaConfAutorule *autorule,
                               IpaConfRuleParams *out);
/* Free the static rules of the model (the engine has copied what it
 * needs): 100,000 rules take ~4 KB each in the model. */
void ipa_conf_drop_rules (IpaConf *conf);

/* The first matching rulepat, the next ones while check_next_rulepat is yes. */
GArray *ipa_conf_match_rulepats (const IpaConf *conf, const char *rule_name);

G_END_DECLS
