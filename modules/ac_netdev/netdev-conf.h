/*
 * netdev-conf.h: the netdev: parameters of ipa.conf: what each section
 * says (arg_parse and conf_event), inheritance from rulepats
 * (conf_inherit), defaults (conf_mimic_real), printing (conf_show), and
 * the values rules and autorules use.
 *
 * Settings are kept per section number, as the host numbers rules,
 * autorules and rulepats (INV-42).  Before ac_pre_init errors go to
 * logconferr, afterwards (conf_inherit of dynamic rules) to logmsg.
 */
#ifndef NETDEV_CONF_H
#define NETDEV_CONF_H

#include <stddef.h>

#include <ipa_mod.h>

#include "netdev-track.h"

/* Where a value came from: conf_show prints only what was written, except
 * in "mimic real configuration" mode (ipa -tt). */
typedef enum {
  NETDEV_ORIGIN_NONE,
  NETDEV_ORIGIN_OWN,        /* written in this section */
  NETDEV_ORIGIN_INHERITED,  /* copied from a rulepat (conf_inherit) */
  NETDEV_ORIGIN_DEFAULT,    /* filled in by conf_mimic_real */
} NetdevOrigin;

typedef struct {
  NetdevOrigin origin;
  int v;
} NetdevOptInt;

typedef struct {
  NetdevOrigin origin;
  char *s;
} NetdevOptStr;

/* One section's settings; which of them a section may hold is in the
 * parameter table. */
typedef struct {
  NetdevOptStr interface;
  NetdevOptInt count;      /* NetdevCount */
  NetdevOptInt unit;       /* NetdevUnit */
  NetdevOptStr pattern;    /* autorule: interface_pattern */
  NetdevOptStr prefix;     /* autorule: rule_prefix */
} NetdevSettings;

typedef enum {
  NETDEV_SOURCE_AUTO,      /* rtnetlink, /proc/net/dev while it fails */
  NETDEV_SOURCE_NETLINK,
  NETDEV_SOURCE_PROC,
} NetdevSource;

/* Longest rule_prefix; rule names are the prefix and an interface name. */
#define NETDEV_PREFIX_MAX 64

extern ipa_conf_param netdev_conf_params[];

/* conf_init: start empty; settings memory comes from @mt.  0 or -1. */
int netdev_conf_init (ipa_mem_type *mt);
/* ac_pre_init: the configuration file is done. */
void netdev_conf_parsed (void);
/* ac_deinit: free every setting. */
void netdev_conf_free (void);

int netdev_conf_event (unsigned int event, unsigned int no, const void *arg);
int netdev_conf_inherit (unsigned int rulepatno, unsigned int ruleno, const char *rule_name);
int netdev_conf_mimic_real (void);
void netdev_conf_show (unsigned int sect_id, unsigned int no);

/* Settings of a rule or autorule, NULL if its section set nothing.  The
 * pointer is valid until the next call that adds settings. */
const NetdevSettings *netdev_conf_rule (unsigned int ruleno);
const NetdevSettings *netdev_conf_autorule (unsigned int autoruleno);
/* ac_deinit_rule / ac_deinit_autorule: numbers are used again. */
void netdev_conf_rule_forget (unsigned int ruleno);
void netdev_conf_autorule_forget (unsigned int autoruleno);

NetdevSource netdev_conf_source (void);
/* The first of @first and @second (either may be NULL) that sets the
 * value, then global, then the built-in default. */
NetdevCount netdev_conf_count (const NetdevSettings *first, const NetdevSettings *second);
NetdevUnit netdev_conf_unit (const NetdevSettings *first, const NetdevSettings *second);
/* An autorule's rule_prefix, "" when not set. */
const char *netdev_conf_prefix (const NetdevSettings *autorule);

/* 1..15 bytes, no '/', ':' or white space, not "." or "..": what the
 * kernel accepts as an interface name. */
int netdev_conf_valid_ifname (const char *s, size_t len);

#endif /* NETDEV_CONF_H */
