/*
 * ipa-conf-show.h: ipa -t / -tt, the configuration printed back as valid
 * configuration text.
 */
#pragma once

#include <glib.h>
#include "ipa-conf.h"

G_BEGIN_DECLS

/* The configuration as text: ac_mod/db_mod first, then the root
 * parameters, global and the rulepat/autorule/rule sections in file order,
 * each with its module parameters (conf_show).  After a load with
 * IPA_CONF_LOAD_MIMIC the effective values are printed: rules with what
 * they inherited and limits copied from rulepats, every default filled in.
 * Macros come out expanded and includes inlined.  Free with g_free(). */
char *ipa_conf_show (const IpaConf *conf);

G_END_DECLS
