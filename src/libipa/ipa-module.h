/*
 * ipa-module.h: loading accounting, database and statistics modules
 * (ipa_mod(3)).
 *
 * File naming: a module "foo-1.2.so" (or "foo.so", "foo.so.1") exports
 * foo_ac_mod, foo_db_mod and/or foo_st_mod.  The name under which the
 * file is loaded decides the symbol, so a symlink with another name gives
 * another symbol; links are not resolved before the name is computed.
 *
 * Loading validates the module and calls its conf_init(); the rest of the
 * module's life (conf_event … *_deinit) is driven by the parser and the
 * engine.  Unloading reports memfunc leaks and closes the file.
 *
 * Threads: the programs are single-threaded by default and then accept
 * every module.  A set made multi-threaded (ipa_module_set_set_threaded)
 * accepts only modules with IPA_MOD_FLAG_PTHREAD_SAFE, since all modules of
 * a process run in one mode (the flag cannot tell whether a module needs
 * threads, so the program decides).
 *
 * Configuration prefixes are unique among all loaded modules, with one
 * exception: two kinds exported by one file may share a prefix when they
 * share their tables too (or the later one has none), as a converter
 * module exporting ac and db does; the tables are then registered with
 * the parser once, by the kind loaded first.
 */
#pragma once

#include <glib.h>
#include "ipa_mod.h"
#include "ipa_mod_ext.h"
#include "ipa-conf-parser.h"

G_BEGIN_DECLS

#define IPA_MODULE_ERROR (ipa_module_error_quark ())
GQuark ipa_module_error_quark (void);

/* Every IPA_MODULE_ERROR message starts with the module file's path. */
typedef enum {
  IPA_MODULE_ERROR_OPEN,        /* dlopen() failed */
  IPA_MODULE_ERROR_SYMBOL,      /* the symbol of the kind is not exported */
  IPA_MODULE_ERROR_API_VERSION, /* api_ver is not ours */
  IPA_MODULE_ERROR_INVALID,     /* bad name or tables */
  IPA_MODULE_ERROR_REGEX,       /* arg_pattern does not compile */
  IPA_MODULE_ERROR_THREADS,     /* not thread-safe in a multi-threaded set */
  IPA_MODULE_ERROR_DUPLICATE,   /* name or prefix already used */
  IPA_MODULE_ERROR_INIT,        /* conf_init() failed */
} IpaModuleErrorCode;

typedef enum {
  IPA_MODULE_KIND_AC,
  IPA_MODULE_KIND_DB,
  IPA_MODULE_KIND_ST,
} IpaModuleKind;

typedef struct _IpaModuleFile IpaModuleFile;

/* A loaded module.  All fields are read-only for users. */
typedef struct {
  IpaModuleKind kind;
  char *path;        /* as opened: absolute, or relative to the module directory */
  char *file_name;   /* basename of path, e.g. "ipa_db_gdbm-1.0.so" */
  char *base_name;   /* e.g. "ipa_db_gdbm" */
  char *symbol;      /* e.g. "ipa_db_gdbm_db_mod" */
  char *owner;       /* memfunc owner of the module's allocations; unique per
                      * loaded module ("KIND:NAME", e.g. "db:gdbm") */
  union {
    struct ipa_ac_mod *ac;
    struct ipa_db_mod *db;
    struct ipa_st_mod *st;
    void *ptr;
  } mod;
  /* Copies of the fields common to the three structures. */
  const char *name;  /* ac_name, db_name or st_name */
  const char *prefix;
  unsigned int mod_flags;
  ipa_conf_sect *conf_sect_tbl;
  ipa_conf_param *conf_param_tbl;
  int (*conf_init) (void);
  int (*conf_deinit) (void);
  int (*conf_event) (unsigned int event, unsigned int no, const void *arg);
  int (*conf_mimic_real) (void);
  int (*conf_inherit) (unsigned int rulepatno, unsigned int ruleno, const char *rule_name);
  void (*conf_show) (unsigned int sect_id, unsigned int no);
  /* Database batches (ipa_mod_ext.h), NULL when the module has none. */
  const struct ipa_db_mod_ext *db_ext;

  /*< private >*/
  IpaModuleFile *file;
  gboolean tables_registered; /* FALSE: another kind of the file registers them */
  GPtrArray *regexps;         /* regex_t * compiled by the loader */
} IpaModule;

typedef struct _IpaModuleSet IpaModuleSet;

/* The hooks stored into every ac module's ac_create_rule/ac_delete_rule.
 * Until the engine sets them (NULL restores that), the stored functions log
 * an error and return -1. */
typedef int (*IpaModuleCreateRuleFunc) (const char *mod_name,
                                        unsigned int autoruleno,
                                        unsigned int *ruleno,
                                        const char *rule_name,
                                        const char *rule_info);
typedef int (*IpaModuleDeleteRuleFunc) (const char *mod_name,
                                        unsigned int ruleno);
void ipa_module_set_ac_hooks (IpaModuleCreateRuleFunc create_fn,
                              IpaModuleDeleteRuleFunc delete_fn);

/* "ac", "db", "st"; and "accounting", "database", "statistics". */
const char *ipa_module_kind_to_string (IpaModuleKind kind);
const char *ipa_module_kind_to_noun (IpaModuleKind kind);

/* The symbol base of a file name: basename, cut at the first '.', without
 * a trailing "-<digits and dots>".  "ipa_db_gdbm-1.0.so" → "ipa_db_gdbm". */
char *ipa_module_base_name (const char *file_name);
/* "<base>_ac_mod" / "_db_mod" / "_st_mod". */
char *ipa_module_symbol_name (const char *file_name, IpaModuleKind kind);

IpaModuleSet *ipa_module_set_new (void);
/* Unloads every module (see ipa_module_set_unload_all) and frees @set. */
void ipa_module_set_free (IpaModuleSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaModuleSet, ipa_module_set_free)

/* Where relative module names are looked up: $IPA_MODULE_DIR if set when
 * the set was created, else the configured IPA_MODULE_DIR. */
void ipa_module_set_set_module_dir (IpaModuleSet *set, const char *dir);
const char *ipa_module_set_get_module_dir (IpaModuleSet *set);

/* Fails if a module already loaded lacks IPA_MOD_FLAG_PTHREAD_SAFE. */
gboolean ipa_module_set_set_threaded (IpaModuleSet *set,
                                      gboolean threaded,
                                      GError **error);
gboolean ipa_module_set_get_threaded (IpaModuleSet *set);

/* Load, validate, store suppfunc/memfunc (and the ac hooks), compile the
 * regular expressions, call conf_init.  The module belongs to @set. */
IpaModule *ipa_module_set_load (IpaModuleSet *set,
                                IpaModuleKind kind,
                                const char *name,
                                GError **error);

IpaModule *ipa_module_set_lookup (IpaModuleSet *set,
                                  IpaModuleKind kind,
                                  const char *name);
IpaModule *ipa_module_set_lookup_prefix (IpaModuleSet *set,
                                         const char *prefix);

/* In load order. */
guint ipa_module_set_get_n_modules (IpaModuleSet *set);
IpaModule *ipa_module_set_get_nth (IpaModuleSet *set, guint i);

/* What the parser needs of @module (ipa_conf_parser_add_module).  When
 * another kind of the same file already registered shared tables, prefix,
 * sects and params are NULL and only conf_event is given. */
IpaConfModuleTables ipa_module_set_conf_tables (IpaModuleSet *set,
                                                const IpaModule *module);

/* Unload in reverse load order: free the compiled regular expressions,
 * report the owner's memfunc leaks (LOG_WARNING), release them, dlclose
 * when the file's last module goes.  The *_deinit functions must have
 * been called before (the engine does that). */
void ipa_module_set_unload_all (IpaModuleSet *set);

G_END_DECLS
