/*
 * ipastat-session.h: ipastat as the host of statistics modules, after the
 * configuration phase (ipa_mod(3) §14.4):
 *
 *   start: st_pre_init of every module; conf_inherit for the dynamic rules
 *          that match a rulepat; for each module, in rule order,
 *          st_init_rule then st_init_limit and st_init_threshold of every
 *          rule, limit and threshold (static and dynamic) whose st_list
 *          names it; st_init of every module.
 *   queries: st_get_* with ipastat's own mem_type; every returned buffer is
 *          copied and released with mem_free (INV-80).
 *   free:  the deinit chain (ipastat_conf_modules_deinit_chain), whether or
 *          not the start succeeded.
 *
 * A module that fails logs why (logmsg) with an errno value; the session
 * notes the last such value during each call and turns the failure into
 * an IPASTAT_ERROR whose code is the exit status (ipastat_exit_from_errno).
 */
#pragma once

#include <glib.h>
#include "ipa_mod.h"
#include "ipastat-conf.h"
#include "ipastat-interval.h"

G_BEGIN_DECLS

typedef struct _IpastatSession IpastatSession;

/* A name and its description (NULL if none), copied from a module. */
typedef struct {
  char *name;
  char *info;
} IpastatDesc;

/* Frees the strings of an IpastatDesc (GArray clear function). */
void ipastat_desc_clear (gpointer desc);

IpastatSession *ipastat_session_new (IpastatConf *conf);
gboolean ipastat_session_start (IpastatSession *session, GError **error);
/* Runs the deinit chain and frees the session (the modules stay loaded). */
void ipastat_session_free (IpastatSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpastatSession, ipastat_session_free)

/* Lists (IpastatDesc), sorted by name.  @pat is a POSIX extended regex or
 * NULL for all. */
gboolean ipastat_session_rules_list (IpastatSession *session, IpaModule *m,
                                     const char *pat, GArray **out,
                                     GError **error);
gboolean ipastat_session_limits_list (IpastatSession *session, IpaModule *m,
                                      const IpastatConfRule *rule,
                                      const char *pat, GArray **out,
                                      GError **error);
gboolean ipastat_session_thresholds_list (IpastatSession *session, IpaModule *m,
                                          const IpastatConfRule *rule,
                                          const char *pat, GArray **out,
                                          GError **error);

/* Descriptions: *info is NULL when there is none or the module cannot
 * tell (no st_get_*_info). */
gboolean ipastat_session_rule_info (IpastatSession *session, IpaModule *m,
                                    const IpastatConfRule *rule, char **info,
                                    GError **error);
gboolean ipastat_session_entity_info (IpastatSession *session, IpaModule *m,
                                      const IpastatConfRule *rule,
                                      const IpastatConfEntity *entity,
                                      gboolean is_limit, char **info,
                                      GError **error);

/* struct ipa_rule_stat records of @interval (exact as ipa_mod(3) says). */
gboolean ipastat_session_rule_stat (IpastatSession *session, IpaModule *m,
                                    const IpastatConfRule *rule,
                                    const IpastatInterval *interval,
                                    gboolean exact, GArray **out,
                                    GError **error);
/* struct ipa_limit_state: the lives that started in @interval, or the
 * current state when @interval is NULL. */
gboolean ipastat_session_limit_stat (IpastatSession *session, IpaModule *m,
                                     const IpastatConfRule *rule,
                                     const IpastatConfEntity *limit,
                                     const IpastatInterval *interval,
                                     GArray **out, GError **error);
/* The current state; *has_state FALSE when the module has none. */
gboolean ipastat_session_threshold_stat (IpastatSession *session, IpaModule *m,
                                         const IpastatConfRule *rule,
                                         const IpastatConfEntity *threshold,
                                         gboolean *has_state,
                                         struct ipa_threshold_state *state,
                                         GError **error);

/* An anchored POSIX extended regex that matches exactly @name. */
char *ipastat_regex_for_name (const char *name);

G_END_DECLS
