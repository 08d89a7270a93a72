/*
 * gdbm-conf.h: the settings ipa_db_gdbm and ipa_st_gdbm share
 * (gdbm:db_dir with its inheritance, gdbm:lock_wait).  The prefix used in
 * conf_show is env->mod_name ("gdbm" for both modules).
 */
#ifndef GDBM_CONF_H
#define GDBM_CONF_H

#include "gdbm-common.h"

enum { GDBM_CTX_ROOT, GDBM_CTX_GLOBAL, GDBM_CTX_RULE, GDBM_CTX_RULEPAT, GDBM_CTX_AUTORULE };

typedef struct {
  char *dir;        /* given in the section */
  char *inherited;  /* rules: from the first matching rulepat */
} GdbmDirConf;

typedef struct {
  GdbmDirConf *v;
  unsigned int n;
} GdbmDirConfs;

typedef struct {
  GdbmDirConfs rules, rulepats, autorules;
  char *global_dir;
  int ctx_kind;        /* the section being parsed */
  unsigned int ctx_no;
  uint64_t lock_wait;  /* seconds */
  int have_lock_wait;
  int mimic;           /* conf_mimic_real: show effective values */
} GdbmConf;

void gdbm_conf_logerr (const GdbmEnv *env, const char *format, ...)
  __attribute__ ((format (printf, 2, 3)));
/* Free everything and start again with the defaults. */
void gdbm_conf_reset (const GdbmEnv *env, GdbmConf *c, uint64_t default_lock_wait);
GdbmDirConf *gdbm_conf_get (const GdbmEnv *env, GdbmDirConfs *a, unsigned int no);
void gdbm_conf_event (GdbmConf *c, unsigned int event, unsigned int no);
/* db_dir in the current section (value is copied). */
int gdbm_conf_set_dir (const GdbmEnv *env, GdbmConf *c, const char *value);
/* The parser's call for db_dir: @arg points to the string, which is freed
 * (it is the parser's). */
int gdbm_conf_parse_dir (const GdbmEnv *env, GdbmConf *c, void *arg);
int gdbm_conf_set_lock_wait (const GdbmEnv *env, GdbmConf *c, uint64_t seconds);
int gdbm_conf_inherit (const GdbmEnv *env, GdbmConf *c, unsigned int rulepatno, unsigned int ruleno);
/* A dynamic rule's number can be reused: drop what it inherited. */
void gdbm_conf_forget_rule (const GdbmEnv *env, GdbmConf *c, unsigned int ruleno);
const char *gdbm_conf_rule_dir (const GdbmConf *c, unsigned int ruleno, int dynamic,
                                unsigned int autoruleno);
const char *gdbm_conf_global_dir (const GdbmConf *c);
/* db_dir and lock_wait of a section (db_group/db_perm are the db module's). */
void gdbm_conf_show (const GdbmEnv *env, const GdbmConf *c, unsigned int sect_id, unsigned int no);

#endif /* GDBM_CONF_H */
