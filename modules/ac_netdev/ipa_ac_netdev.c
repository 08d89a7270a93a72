/*
 * ipa_ac_netdev.c: the accounting module "netdev": traffic of network
 * interfaces from their kernel counters.  What users see is in README.md.
 *
 * Each ac_get_stat() reads the counters of every interface once (one
 * rtnetlink dump, or /proc/net/dev) into a snapshot; ac_get_rule_stat()
 * then looks the rule's interface up in it and hands the amount since the
 * rule's previous reading, computed by netdev-track.c.  Autorules create a
 * dynamic rule for every interface whose name matches their pattern, and
 * delete it when the interface is gone, from inside ac_get_stat() as the
 * API requires.  The netdev: parameters are netdev-conf.c's.
 *
 * A host call (ac_create_rule, ac_delete_rule) may re-enter the module and
 * move the rules' marray, so rules are reached by number again after it.
 */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "netdev-conf.h"
#include "netdev-dump.h"
#include "netdev-module.h"
#include "netdev-proc.h"
#include "netdev-slots.h"
#include "netdev-table.h"
#include "netdev-track.h"

#define MOD_NAME NETDEV_MOD_NAME
#define MEM NETDEV_MEM

static void logmsg (int priority, int code, const char *format, ...)
  __attribute__ ((format (printf, 3, 4)));

static void
logmsg (int priority, int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  NETDEV_SUPP->logmsg (MOD_NAME, priority, code, format, ap);
  va_end (ap);
}

/* ---------------------------------------------------------------------
 * State
 */

typedef struct {
  int inited;            /* ac_init_statrule/_dynrule succeeded */
  int dynamic;
  int ours;              /* created by ac_get_stat through ac_create_rule */
  int gone;              /* its interface vanished: delete it this round */
  int deleted;           /* ac_delete_rule done, ac_deinit_rule to come */
  unsigned int autoruleno;
  const char *name;      /* the host's string, valid until ac_deinit_rule */
  char ifname[NETDEV_NAME_SIZE];
  NetdevCount count;
  NetdevUnit unit;
  int tracking;          /* track holds a baseline */
  NetdevTrack track;
  unsigned int hint;     /* where ifname was in the last snapshot */
  int missing_reported;
} Rule;

/* An interface an autorule could not make a rule for because the name is
 * taken; remembered so that the warning is given once. */
typedef struct {
  uint32_t ifindex;
  char name[NETDEV_NAME_SIZE];
} Refused;

typedef struct {
  int inited;
  int active;
  const char *name;      /* the host's string, valid until ac_deinit_autorule */
  char prefix[NETDEV_PREFIX_MAX + 1];
  regex_t re;
  int re_compiled;
  Refused *refused;      /* m_netdev */
  unsigned int n_refused;
  unsigned int refused_alloc;
} Autorule;

static ipa_mem_type *m_netdev;
static NetdevSlots rules = NETDEV_SLOTS_INIT ("netdev_rules", "netdev: rules", Rule);
static NetdevSlots autorules = NETDEV_SLOTS_INIT ("netdev_autorules", "netdev: autorules", Autorule);

#define RULE(no) ((Rule *) netdev_slots_get (&rules, (no)))
#define AUTORULE(no) ((Autorule *) netdev_slots_get (&autorules, (no)))

static NetdevTable snapshot;
static int have_snapshot;
static NetdevNetlink nl;
static NetdevProc proc;
static int on_fallback;           /* NETDEV_SOURCE_AUTO reading /proc now */
static unsigned char *marks;      /* autorules.end x snapshot.n */
static size_t marks_size;

/* Set while ac_create_rule() runs, for the ac_init_dynrule() it calls. */
static struct {
  int active;
  int used;
  unsigned int autoruleno;
  char ifname[NETDEV_NAME_SIZE];
} pending;

/* ---------------------------------------------------------------------
 * Configuration phase (the parameters are netdev-conf.c's)
 */

static int
conf_init (void)
{
  /* A reload may load the module again without unloading it: start from
   * nothing either way. */
  memset (&pending, 0, sizeof pending);
  have_snapshot = 0;
  on_fallback = 0;
  marks = NULL;
  marks_size = 0;
  m_netdev = MEM->mem_type_new ("netdev", "netdev: configuration and counters", 0);
  if (m_netdev == NULL)
    return -1;
  netdev_table_init (&snapshot, MEM, m_netdev);
  netdev_netlink_init (&nl, MEM, m_netdev);
  netdev_proc_init (&proc, MEM, m_netdev);
  if (netdev_conf_init (m_netdev) < 0)
    return -1;
  if (netdev_slots_init (&rules, MEM) < 0 || netdev_slots_init (&autorules, MEM) < 0)
    return -1;
  return 0;
}

static int
conf_deinit (void)
{
  return 0;
}

/* ---------------------------------------------------------------------
 * Initialisation and deinitialisation
 */

static int
ac_pre_init (void)
{
  netdev_conf_parsed ();
  return 0;
}

static int
ac_init_autorule (unsigned int autoruleno, const char *autorule_name)
{
  const NetdevSettings *set = netdev_conf_autorule (autoruleno);
  Autorule *a;
  int rc;

  if (set == NULL || set->pattern.origin == NETDEV_ORIGIN_NONE)
    {
      logmsg (IPA_LOG_ERR, 0, "autorule %s: %s:interface_pattern is not set", autorule_name,
              NETDEV_PREFIX);
      return -1;
    }
  a = netdev_slots_get_or_add (&autorules, autoruleno);
  if (a == NULL)
    {
      logmsg (IPA_LOG_ERR, ENOMEM, "autorule %s: cannot allocate memory", autorule_name);
      return -1;
    }
  if (a->inited)
    {
      logmsg (IPA_LOG_ERR, 0, "autorule %s: autorule #%u is in use already", autorule_name,
              autoruleno);
      return -1;
    }
  rc = regcomp (&a->re, set->pattern.s, REG_EXTENDED | REG_NOSUB);
  if (rc != 0)
    {
      logmsg (IPA_LOG_ERR, 0, "autorule %s: cannot compile \"%s\"", autorule_name,
              set->pattern.s);
      return -1;
    }
  a->re_compiled = 1;
  strcpy (a->prefix, netdev_conf_prefix (set));
  a->name = autorule_name;
  a->active = 1;
  a->inited = 1;
  return 0;
}

static Rule *
rule_new (unsigned int ruleno, const char *rule_name)
{
  Rule *r = netdev_slots_get_or_add (&rules, ruleno);

  if (r == NULL)
    {
      logmsg (IPA_LOG_ERR, ENOMEM, "rule %s: cannot allocate memory", rule_name);
      return NULL;
    }
  if (r->inited)
    {
      logmsg (IPA_LOG_ERR, 0, "rule %s: rule #%u is in use already", rule_name, ruleno);
      return NULL;
    }
  return r;
}

static int
ac_init_statrule (unsigned int ruleno, const char *rule_name)
{
  const NetdevSettings *set = netdev_conf_rule (ruleno);
  Rule *r;

  if (set == NULL || set->interface.origin == NETDEV_ORIGIN_NONE)
    {
      logmsg (IPA_LOG_ERR, 0, "rule %s: %s:interface is not set", rule_name, NETDEV_PREFIX);
      return -1;
    }
  r = rule_new (ruleno, rule_name);
  if (r == NULL)
    return -1;
  /* rule (rulepat already in) > global > built-in */
  set = netdev_conf_rule (ruleno);
  r->name = rule_name;
  strcpy (r->ifname, set->interface.s);
  r->count = netdev_conf_count (set, NULL);
  r->unit = netdev_conf_unit (set, NULL);
  r->inited = 1;
  return 0;
}

/* The interface a dynamic rule counts: the one ac_get_stat() is creating
 * it for, or for a rule made otherwise (ipactl create), its name without
 * the autorule's prefix. */
static int
ac_init_dynrule (unsigned int autoruleno, unsigned int ruleno, const char *rule_name)
{
  Autorule *a = AUTORULE (autoruleno);
  char ifname[NETDEV_NAME_SIZE];
  const NetdevSettings *aset, *rset;
  int ours = 0;
  Rule *r;

  if (a == NULL || !a->inited)
    {
      logmsg (IPA_LOG_ERR, 0, "dynamic rule %s: autorule #%u does not use %s", rule_name,
              autoruleno, MOD_NAME);
      return -1;
    }
  if (pending.active && pending.autoruleno == autoruleno)
    {
      strcpy (ifname, pending.ifname);
      pending.used = 1;
      ours = 1;
    }
  else
    {
      size_t plen = strlen (a->prefix);

      if (strncmp (rule_name, a->prefix, plen) != 0 ||
          !netdev_conf_valid_ifname (rule_name + plen, strlen (rule_name + plen)))
        {
          logmsg (IPA_LOG_ERR, 0, "dynamic rule %s of autorule %s: its name is not the prefix "
                  "\"%s\" followed by an interface name", rule_name, a->name, a->prefix);
          return -1;
        }
      strcpy (ifname, rule_name + plen);
    }

  r = rule_new (ruleno, rule_name);
  if (r == NULL)
    return -1;
  r->dynamic = 1;
  r->ours = ours;
  r->autoruleno = autoruleno;
  r->name = rule_name;
  strcpy (r->ifname, ifname);
  /* autorule > matching rulepats (conf_inherit ran before) > global >
   * built-in */
  aset = netdev_conf_autorule (autoruleno);
  rset = netdev_conf_rule (ruleno);
  r->count = netdev_conf_count (aset, rset);
  r->unit = netdev_conf_unit (aset, rset);
  r->inited = 1;
  return 0;
}

static int read_counters (void);

static int
ac_init (void)
{
  /* Read once now, so that a source that does not work stops the start
   * with a message instead of the first statistics round. */
  if (read_counters () < 0)
    return -1;
  for (unsigned int i = 0; i < rules.end; i++)
    {
      Rule *r = RULE (i);

      if (r != NULL && r->inited &&
          netdev_table_lookup (&snapshot, r->ifname, &r->hint) == NULL)
        {
          logmsg (IPA_LOG_INFO, 0, "rule %s: interface %s does not exist now; its traffic "
                  "is counted from when it appears", r->name, r->ifname);
          r->missing_reported = 1;
        }
    }
  return 0;
}

static void
rule_free (unsigned int ruleno)
{
  if (RULE (ruleno) != NULL)
    netdev_slots_remove (&rules, ruleno);
  netdev_conf_rule_forget (ruleno);
}

static void
autorule_free (unsigned int autoruleno)
{
  Autorule *a = AUTORULE (autoruleno);

  if (a != NULL)
    {
      if (a->re_compiled)
        regfree (&a->re);
      MEM->mem_free (a->refused, m_netdev);
      netdev_slots_remove (&autorules, autoruleno);
    }
  netdev_conf_autorule_forget (autoruleno);
}

static int
ac_deinit_rule (unsigned int ruleno)
{
  rule_free (ruleno);
  return 0;
}

static int
ac_deinit_autorule (unsigned int autoruleno)
{
  autorule_free (autoruleno);
  return 0;
}

static int
ac_deinit (void)
{
  for (unsigned int i = rules.end; i > 0; i--)
    rule_free (i - 1);
  for (unsigned int i = autorules.end; i > 0; i--)
    autorule_free (i - 1);
  netdev_slots_deinit (&rules);
  netdev_slots_deinit (&autorules);
  netdev_conf_free ();
  if (m_netdev != NULL)
    {
      netdev_table_free (&snapshot);
      netdev_netlink_close (&nl);
      netdev_proc_close (&proc);
      MEM->mem_free (marks, m_netdev);
    }
  marks = NULL;
  marks_size = 0;
  have_snapshot = 0;
  return 0;
}

/* ---------------------------------------------------------------------
 * Statistics
 */

static int
read_proc (void)
{
  const char *what;
  unsigned int line = 0;

  if (netdev_proc_read (&proc, NETDEV_PROC_PATH, &snapshot, &what, &line) < 0)
    {
      if (errno == EINVAL && line > 0)
        logmsg (IPA_LOG_ERR, 0, "%s:%u: unexpected line", NETDEV_PROC_PATH, line);
      else
        logmsg (IPA_LOG_ERR, errno, "cannot read %s: %s", NETDEV_PROC_PATH, what);
      return -1;
    }
  return 0;
}

static int
read_counters (void)
{
  NetdevSource src = netdev_conf_source ();
  const char *what;

  have_snapshot = 0;
  if (src == NETDEV_SOURCE_PROC)
    {
      if (read_proc () < 0)
        return -1;
    }
  else if (netdev_netlink_dump (&nl, &snapshot, &what) == 0)
    {
      if (on_fallback)
        logmsg (IPA_LOG_INFO, 0, "the rtnetlink dump works again; %s is not read any more",
                NETDEV_PROC_PATH);
      on_fallback = 0;
    }
  else if (src == NETDEV_SOURCE_NETLINK)
    {
      logmsg (IPA_LOG_ERR, errno, "rtnetlink dump of the interfaces failed: %s", what);
      return -1;
    }
  else
    {
      if (!on_fallback)
        logmsg (IPA_LOG_WARNING, errno, "reading %s until rtnetlink works again; the dump "
                "failed at %s", NETDEV_PROC_PATH, what);
      on_fallback = 1;
      if (read_proc () < 0)
        return -1;
    }
  /* A 32-bit kernel may keep 32-bit counters even where it reports 64
   * bits: let the tracker recognise their wrap-around. */
  if (sizeof (long) < 8)
    for (unsigned int i = 0; i < snapshot.n; i++)
      snapshot.v[i].bits = 32;
  have_snapshot = 1;
  return 0;
}

static int
refused_find (const Autorule *a, const NetdevStat *s)
{
  for (unsigned int i = 0; i < a->n_refused; i++)
    if (a->refused[i].ifindex == s->ifindex && strcmp (a->refused[i].name, s->name) == 0)
      return (int) i;
  return -1;
}

/* Forget refusals of interfaces that are gone. */
static void
refused_prune (Autorule *a)
{
  unsigned int j = 0;

  for (unsigned int i = 0; i < a->n_refused; i++)
    {
      const NetdevStat *s = netdev_table_lookup (&snapshot, a->refused[i].name, NULL);

      if (s != NULL && s->ifindex == a->refused[i].ifindex)
        a->refused[j++] = a->refused[i];
    }
  a->n_refused = j;
}

/* Returns 1 if the refusal is new. */
static int
refused_add (Autorule *a, const NetdevStat *s)
{
  if (refused_find (a, s) >= 0)
    return 0;
  if (a->n_refused == a->refused_alloc)
    {
      unsigned int alloc = a->refused_alloc == 0 ? 4 : a->refused_alloc * 2;
      Refused *v = MEM->mem_realloc (a->refused, alloc * sizeof *v, m_netdev);

      if (v == NULL)
        return 1; /* only the warning would be repeated */
      a->refused = v;
      a->refused_alloc = alloc;
    }
  a->refused[a->n_refused].ifindex = s->ifindex;
  strcpy (a->refused[a->n_refused].name, s->name);
  a->n_refused++;
  return 1;
}

static int
create_rule (unsigned int autoruleno, unsigned int idx)
{
  const NetdevStat *s = &snapshot.v[idx];
  Autorule *a = AUTORULE (autoruleno);
  char name[NETDEV_PREFIX_MAX + NETDEV_NAME_SIZE];
  char info[64 + NETDEV_NAME_SIZE];
  unsigned int ruleno = 0;
  int rc;

  snprintf (name, sizeof name, "%s%s", a != NULL ? a->prefix : "", s->name);
  snprintf (info, sizeof info, "traffic of interface %s", s->name);
  pending.active = 1;
  pending.used = 0;
  pending.autoruleno = autoruleno;
  strcpy (pending.ifname, s->name);
  rc = ipa_ac_netdev_ac_mod.ac_create_rule (MOD_NAME, autoruleno, &ruleno, name, info);
  pending.active = 0;

  a = AUTORULE (autoruleno);
  switch (rc)
    {
    case 0:
      if (a != NULL)
        {
          int i = refused_find (a, s);

          if (i >= 0)
            a->refused[i] = a->refused[--a->n_refused];
        }
      return 0;
    case -2:
      if (a != NULL && refused_add (a, s))
        logmsg (IPA_LOG_WARNING, 0, "autorule %s: no rule for interface %s: a rule named %s "
                "exists already", a->name, s->name, name);
      return 0;
    default:
      logmsg (IPA_LOG_ERR, 0, "autorule %s: cannot create rule %s for interface %s",
              a != NULL ? a->name : "?", name, s->name);
      return -1;
    }
}

/* Create the rules of interfaces that match an autorule and have none,
 * then delete the rules of interfaces that are gone.  Creating first
 * keeps a rule being deleted alive until the new ones have their numbers. */
static int
autorules_round (void)
{
  size_t n = snapshot.n, need = (size_t) autorules.end * n;

  if (autorules.end == 0)
    return 0;
  if (need > marks_size)
    {
      unsigned char *m = MEM->mem_realloc (marks, need, m_netdev);

      if (m == NULL)
        {
          logmsg (IPA_LOG_ERR, ENOMEM, "cannot allocate memory for the autorules");
          return -1;
        }
      marks = m;
      marks_size = need;
    }
  if (need > 0)
    memset (marks, 0, need);

  for (unsigned int i = 0; i < rules.end; i++)
    {
      Rule *r = RULE (i);
      const NetdevStat *s;

      if (r == NULL || !r->inited || !r->dynamic || r->deleted)
        continue;
      s = netdev_table_lookup (&snapshot, r->ifname, &r->hint);
      if (s != NULL && r->autoruleno < autorules.end)
        marks[(size_t) r->autoruleno * n + (size_t) (s - snapshot.v)] = 1;
      else if (r->ours)
        r->gone = 1;
    }

  for (unsigned int a = 0; a < autorules.end; a++)
    {
      Autorule *au = AUTORULE (a);

      if (au == NULL || !au->inited || !au->active)
        continue;
      refused_prune (au);
      for (size_t i = 0; i < n; i++)
        {
          if (marks[(size_t) a * n + i])
            continue;
          au = AUTORULE (a);
          if (regexec (&au->re, snapshot.v[i].name, 0, NULL, 0) != 0)
            continue;
          if (create_rule (a, (unsigned int) i) < 0)
            return -1;
        }
    }

  for (unsigned int i = 0; i < rules.end; i++)
    {
      Rule *r = RULE (i);

      if (r == NULL || !r->gone)
        continue;
      r->gone = 0;
      r->deleted = 1;
      /* The host may call ac_deinit_rule() from inside: r is not used
       * after this call. */
      if (ipa_ac_netdev_ac_mod.ac_delete_rule (MOD_NAME, i) != 0)
        {
          r = RULE (i);
          logmsg (IPA_LOG_ERR, 0, "cannot delete rule %s, whose interface is gone",
                  r != NULL ? r->name : "?");
          return -1;
        }
    }
  return 0;
}

static int
ac_get_stat (const ipa_tm *ctm)
{
  if (read_counters () < 0)
    return -1;
  return autorules_round ();
}

static void
report_events (const Rule *r, const NetdevStat *s, unsigned int events)
{
  if (events & NETDEV_TRACK_VANISHED)
    logmsg (IPA_LOG_INFO, 0, "rule %s: interface %s is gone; nothing is counted until it "
            "is back", r->name, r->ifname);
  if (events & NETDEV_TRACK_RECREATED)
    logmsg (IPA_LOG_INFO, 0, "rule %s: interface %s was created again (ifindex %u); its "
            "counters are counted from 0", r->name, r->ifname, (unsigned int) s->ifindex);
  else if (events & NETDEV_TRACK_APPEARED)
    logmsg (IPA_LOG_INFO, 0, "rule %s: interface %s is there (ifindex %u)", r->name,
            r->ifname, (unsigned int) s->ifindex);
  if (events & NETDEV_TRACK_RESET)
    logmsg (IPA_LOG_WARNING, 0, "rule %s: a counter of interface %s went back (reset by "
            "its driver?); its new value is counted from 0", r->name, r->ifname);
}

static int
ac_get_rule_stat (unsigned int stat_generation, int newstat, unsigned int ruleno,
                  int *addition, uint64_t *chunk)
{
  Rule *r = RULE (ruleno);
  const NetdevStat *s;
  unsigned int events;

  *addition = 1;
  *chunk = 0;
  if (r == NULL || !r->inited)
    {
      logmsg (IPA_LOG_ERR, 0, "statistics asked for rule #%u, which does not use %s",
              ruleno, MOD_NAME);
      return -1;
    }
  if (r->deleted)
    return 0;
  if (!have_snapshot)
    {
      logmsg (IPA_LOG_ERR, 0, "rule %s: no counters were read (ac_get_stat failed or was "
              "not called)", r->name);
      return -1;
    }
  s = netdev_table_lookup (&snapshot, r->ifname, &r->hint);
  if (newstat || !r->tracking)
    {
      netdev_track_start (&r->track, s, r->unit);
      r->tracking = 1;
      if (s == NULL && !r->missing_reported)
        logmsg (IPA_LOG_INFO, 0, "rule %s: interface %s does not exist now; its traffic "
                "is counted from when it appears", r->name, r->ifname);
      r->missing_reported = s == NULL;
      return 0;
    }
  if (netdev_track_update (&r->track, s, r->unit, r->count, chunk, &events) < 0)
    {
      logmsg (IPA_LOG_ERR, ERANGE, "rule %s: the amount of interface %s does not fit in "
              "64 bits", r->name, r->ifname);
      return -1;
    }
  if (events != 0)
    report_events (r, s, events);
  r->missing_reported = s == NULL;
  return 0;
}

static int
ac_set_autorule_active (unsigned int autoruleno, int active)
{
  Autorule *a = AUTORULE (autoruleno);

  /* An inactive autorule creates no rules. */
  if (a != NULL)
    a->active = active != 0;
  return 0;
}

struct ipa_ac_mod ipa_ac_netdev_ac_mod = {
  .api_ver = IPA_AC_MOD_API_VERSION,
  /* No threads and no signals; the host calls from one thread at a time. */
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .ac_name = MOD_NAME,
  .suppfunc = NULL,
  .memfunc = NULL,
  .conf_prefix = NETDEV_PREFIX,
  .conf_sect_tbl = NULL,
  .conf_param_tbl = netdev_conf_params,
  .conf_init = conf_init,
  .conf_deinit = conf_deinit,
  .conf_event = netdev_conf_event,
  .conf_mimic_real = netdev_conf_mimic_real,
  .conf_inherit = netdev_conf_inherit,
  .conf_show = netdev_conf_show,
  .ac_pre_init = ac_pre_init,
  .ac_init_autorule = ac_init_autorule,
  .ac_init_dynrule = ac_init_dynrule,
  .ac_init_statrule = ac_init_statrule,
  .ac_init = ac_init,
  .ac_deinit_rule = ac_deinit_rule,
  .ac_deinit_autorule = ac_deinit_autorule,
  .ac_deinit = ac_deinit,
  .ac_get_stat = ac_get_stat,
  .ac_get_rule_stat = ac_get_rule_stat,
  .ac_set_autorule_active = ac_set_autorule_active,
  .ac_set_rule_active = NULL,
  .ac_set_limit_active = NULL,
  .ac_set_threshold_active = NULL,
  .ac_limit_event = NULL,
  .ac_threshold_event = NULL,
  .ac_create_rule = NULL,
  .ac_delete_rule = NULL,
};
