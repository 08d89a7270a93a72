/*
 * ipa-conf-common.h: what the models of ipa.conf (src/ipa) and
 * ipastat.conf (src/ipastat) share on top of the parser: errors that
 * point at a location, locations kept after parsing, the rule for names
 * of rules, limits and thresholds, lists of names, the regular expression
 * of a rulepat and the calls of the module configuration phase.
 */
#pragma once

#include <glib.h>
#include <regex.h>
#include "ipa-conf-parser.h"
#include "ipa-module.h"

G_BEGIN_DECLS

/* A list of names (ac_list, db_list, st_list, ACL class lists); like every
 * optional parameter it remembers whether it was written and where. */
typedef struct {
  gboolean set;
  IpaConfLocation loc;
  GStrv names;
} IpaConfOptList;

/* Sets @error to "FILE:LINE:COL: message" at @loc and returns FALSE. */
gboolean ipa_conf_error_at (GError **error, const IpaConfLocation *loc,
                            IpaConfErrorCode code, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

/* A copy of @loc whose file name outlives the parser (it is interned). */
IpaConfLocation ipa_conf_loc_keep (const IpaConfLocation *loc);

/* Names of rules, limits and thresholds become file names and command
 * arguments: non-empty, without '/', blank or control character.  Returns
 * the first character not allowed, or NULL when @name is fine (an empty
 * name returns @name itself). */
const char *ipa_conf_name_bad_char (const char *name);
gboolean ipa_conf_name_is_valid (const char *name);

/* For a section handler: @st must have exactly one argument, a valid name
 * of a @what ("rule", "limit" …); otherwise a parser error. */
gboolean ipa_conf_check_name (IpaConfParser *parser,
                              const IpaConfStatement *st, const char *what,
                              GError **error);

void ipa_conf_opt_list_clear (IpaConfOptList *list);
void ipa_conf_opt_list_copy (IpaConfOptList *dst, const IpaConfOptList *src);
/* TRUE when @list is set and holds @name. */
gboolean ipa_conf_opt_list_has (const IpaConfOptList *list, const char *name);

/* rulepat "REGEX": checks the argument and compiles it into @re (POSIX
 * extended, no sub-matches); a parser error when it cannot. */
gboolean ipa_conf_rulepat_compile (IpaConfParser *parser,
                                   const IpaConfStatement *st, regex_t *re,
                                   GError **error);

/* The module configuration phase.  Each call tags the module's
 * allocations with its owner and returns what the module returned (0 when
 * it has no such function). */
int ipa_conf_module_inherit (IpaModule *m, guint rulepatno, guint ruleno,
                             const char *rule_name);
int ipa_conf_module_mimic_real (IpaModule *m);

/* conf_deinit of every module of @modules (may be NULL) whose kind is
 * IPA_MODULE_KIND_ST when @statistics is TRUE, any other kind when FALSE;
 * all are called even after one failed.  The first failure is reported
 * in @error against @path. */
gboolean ipa_conf_modules_conf_deinit (IpaModuleSet *modules,
                                       const char *path, gboolean statistics,
                                       GError **error);

G_END_DECLS
