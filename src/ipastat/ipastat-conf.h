/*
 * ipastat-conf.h: ipastat.conf as ipastat understands it.
 *
 * ipastat_conf_load() parses the file with the ipastat.conf schema (the
 * language is the one of ipa.conf, see ipa-conf-parser.h), loads the
 * statistics modules named by st_mod, checks the result, applies rulepat
 * inheritance and runs the module configuration phase (conf_inherit,
 * conf_mimic_real with -tt, conf_deinit).  The model also holds the rules,
 * limits and thresholds that a query names without a section ("dynamic"
 * entities, generated on the fly): they are added with the
 * ipastat_conf_add_dynamic_*() functions and inherit like static ones.
 */
#pragma once

#include <glib.h>
#include <regex.h>
#include "ipa_mod.h"
#include "ipa-conf-common.h"
#include "ipa-conf-parser.h"
#include "ipa-module.h"

G_BEGIN_DECLS

/* How counter values of an entity are printed in tables and plain text
 * (machine formats always carry the raw number). */
typedef enum {
  IPASTAT_UNITS_RAW,    /* the integer as stored */
  IPASTAT_UNITS_BYTES,  /* bytes, scaled to KiB … EiB */
  IPASTAT_UNITS_TIME,   /* seconds, as a duration "1D 2h 3m 4s" */
} IpastatUnits;

typedef enum {
  IPASTAT_CONF_LOAD_NONE = 0,
  /* -tt: call conf_mimic_real and fill every default into the model. */
  IPASTAT_CONF_LOAD_MIMIC = 1 << 0,
} IpastatConfLoadFlags;

/* st_list: the list of names shared with ipa.conf. */
typedef IpaConfOptList IpastatOptList;

typedef struct {
  gboolean set;
  IpaConfLocation loc;
  IpastatUnits v;
} IpastatOptUnits;

typedef struct {
  gboolean set;
  IpaConfLocation loc;
  gboolean v;
} IpastatOptBool;

/* Parameters of global, rulepat, rule, limit and threshold. */
typedef struct {
  IpastatOptList st_list;
  IpastatOptUnits value_units;
} IpastatConfParams;

/* A limit or a threshold. */
typedef struct {
  unsigned int no;          /* ordinal in its rule (limits and thresholds apart) */
  char *name;
  IpaConfLocation loc;      /* file NULL for a dynamic one */
  gboolean inherited;       /* copied from a rulepat */
  gboolean dynamic;         /* named only by a query */
  IpastatConfParams params; /* as written */
  IpastatConfParams eff;    /* own > its rule's effective values */
} IpastatConfEntity;

typedef struct {
  unsigned int no;          /* ruleno given to modules */
  char *name;
  IpaConfLocation loc;
  gboolean dynamic;
  IpastatConfParams params;
  IpastatConfParams eff;    /* own > rulepat(s) > global > built-in */
  GPtrArray *limits;        /* IpastatConfEntity*, own then inherited */
  GPtrArray *thresholds;
  GArray *rulepats;         /* guint: numbers of the matching rulepats */
} IpastatConfRule;

typedef struct {
  unsigned int no;
  char *pattern;
  IpaConfLocation loc;
  regex_t re;
  IpastatOptBool check_next_rulepat;
  IpastatConfParams params;
  GPtrArray *limits;
  GPtrArray *thresholds;
} IpastatConfRulepat;

typedef struct {
  char *file;               /* as written in st_mod */
  char *name;               /* the statistics system (st_name) */
  IpaConfLocation loc;
  IpaModule *module;        /* owned by the module set */
} IpastatConfModRef;

typedef struct {
  unsigned int sect_id;     /* IPA_CONF_SECT_RULE or _RULEPAT */
  gpointer sect;
} IpastatConfTopRef;

typedef struct {
  char *path;
  IpastatConfLoadFlags flags;
  GPtrArray *st_mods;       /* IpastatConfModRef*, load order */
  IpastatOptBool dynamic_rules;
  IpastatOptBool dynamic_limits;
  IpastatOptBool dynamic_thresholds;
  gboolean has_global;
  IpaConfLocation global_loc;
  IpastatConfParams global;     /* as written */
  IpastatConfParams global_eff; /* with the built-in defaults */
  GPtrArray *rules;         /* IpastatConfRule*, index == no */
  guint n_static_rules;     /* the first ones; dynamic rules follow */
  GPtrArray *rulepats;
  GArray *top;              /* IpastatConfTopRef, file order */
  GPtrArray *warnings;      /* char*: "FILE:LINE:COL: message" */
  IpaModuleSet *modules;    /* not owned */
} IpastatConf;

/* Built-in defaults. */
#define IPASTAT_CONF_DEFAULT_DYNAMIC TRUE
#define IPASTAT_CONF_DEFAULT_UNITS IPASTAT_UNITS_RAW

IpastatConf *ipastat_conf_load (const char *path,
                                IpaModuleSet *modules,
                                IpastatConfLoadFlags flags,
                                GError **error);
/* The same from text (tests); @file_name names it in messages. */
IpastatConf *ipastat_conf_load_data (const char *file_name,
                                     const char *data,
                                     IpaModuleSet *modules,
                                     IpastatConfLoadFlags flags,
                                     GError **error);
void ipastat_conf_free (IpastatConf *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpastatConf, ipastat_conf_free)

IpastatConfRule *ipastat_conf_find_rule (const IpastatConf *conf,
                                         const char *name);
IpastatConfEntity *ipastat_conf_rule_find_limit (const IpastatConfRule *rule,
                                                 const char *name);
IpastatConfEntity *ipastat_conf_rule_find_threshold (const IpastatConfRule *rule,
                                                     const char *name);

/* Whether @name can be the name of a rule, limit or threshold: the rule
 * of ipa.conf (databases use names as file names). */
static inline gboolean
ipastat_conf_name_is_valid (const char *name)
{
  return ipa_conf_name_is_valid (name);
}

/* A rule that has no section, with the settings it inherits (matching
 * rulepats, global, defaults) and the limits and thresholds of its
 * rulepats.  Its number follows every existing rule.  The name must be
 * valid and not in use. */
IpastatConfRule *ipastat_conf_add_dynamic_rule (IpastatConf *conf,
                                                const char *name);
/* A limit or threshold of @rule that has no section. */
IpastatConfEntity *ipastat_conf_add_dynamic_limit (IpastatConfRule *rule,
                                                   const char *name);
IpastatConfEntity *ipastat_conf_add_dynamic_threshold (IpastatConfRule *rule,
                                                       const char *name);

/* Replace the effective st_list of @rule and of its limits and thresholds
 * (the query option -s).  Every name must be a loaded statistics system. */
void ipastat_conf_rule_override_st_list (IpastatConfRule *rule,
                                         const char *const *names);

/* The deinit chain of ipa_mod(3) for every module: for each rule
 * (dynamic ones first, last number first), st_deinit_limit and
 * st_deinit_threshold of its limits and thresholds that use the module,
 * then st_deinit_rule if the rule uses it; st_deinit last.  Also right
 * for a configuration that was never initialised (ipastat -t): modules
 * must not assume that st_init* was called. */
void ipastat_conf_modules_deinit_chain (const IpastatConf *conf);

/* The statistics modules of an effective st_list, in its order. */
GPtrArray *ipastat_conf_list_modules (const IpastatConf *conf,
                                      const IpastatOptList *list);

/* The global effective st_list (for queries that name no rule). */
const IpastatOptList *ipastat_conf_global_st_list (const IpastatConf *conf);

/* "raw", "bytes", "time"; parsing returns FALSE for anything else. */
const char *ipastat_units_to_string (IpastatUnits units);
gboolean ipastat_units_from_string (const char *text, IpastatUnits *units);

G_END_DECLS
