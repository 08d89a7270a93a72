/*
 * netdev-module.h: what the files of ipa_ac_netdev share about the module
 * itself: its names and the tables the host stores in its structure.
 */
#ifndef NETDEV_MODULE_H
#define NETDEV_MODULE_H

#include <ipa_mod.h>

#if IPA_AC_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "ipa_ac_netdev supports ac API 2 and memfunc API 1"
#endif

#define NETDEV_MOD_NAME "netdev"
#define NETDEV_PREFIX "netdev"

/* The module is built with -fvisibility=hidden: only its structure is
 * exported, so helper names cannot clash with the host's. */
__attribute__ ((visibility ("default"))) extern struct ipa_ac_mod ipa_ac_netdev_ac_mod;

#define NETDEV_SUPP (ipa_ac_netdev_ac_mod.suppfunc)
#define NETDEV_MEM (ipa_ac_netdev_ac_mod.memfunc)

#endif /* NETDEV_MODULE_H */
