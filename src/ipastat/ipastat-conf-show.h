/*
 * ipastat-conf-show.h: ipastat -tt, the configuration printed back as
 * valid configuration text.
 */
#pragma once

#include <glib.h>
#include "ipastat-conf.h"

G_BEGIN_DECLS

/* st_mod lines and top-level parameters first, then global and the
 * rulepat/rule sections in file order, each with the parameters of its
 * modules (conf_show).  After a load with IPASTAT_CONF_LOAD_MIMIC the
 * effective values are printed: every default filled in, rules with what
 * they inherit and the limits and thresholds copied from rulepats.  Free
 * with g_free(). */
char *ipastat_conf_show (const IpastatConf *conf);

G_END_DECLS
