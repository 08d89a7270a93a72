/*
 * ipa_atest.c: ipa_atest, the deterministic accounting module of the
 * tests (ac_name "atest", prefix "atest").
 *
 * Rules return amounts taken from the configuration (atest:chunk,
 * atest:rate) or from a control file, dynamic rules come from autorules,
 * chosen calls fail or stall, and every call of the host into the module
 * (and of the module into the host) can be traced with the breaks of the
 * call contract of ipa_mod(3) that the module can see.  See README.md.
 *
 * Per-rule state is an array indexed by ruleno (memfunc memory, zeroed
 * slots are free), 32 bytes a rule with what ac_get_rule_stat reads; the
 * rest is in one block per rule.  ac_get_rule_stat is O(1) and allocates
 * nothing.
 */
#include "atest.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Flags of a rule. */
enum {
  RF_ACTIVE = 1U << 0,
  RF_NEED_NEWSTAT = 1U << 1,  /* the next call must have newstat != 0 */
  RF_SUBTRACT = 1U << 2,
  RF_RATE = 1U << 3,
  RF_DYNAMIC = 1U << 4,
  RF_DELETED = 1U << 5,       /* ac_delete_rule returned 0 */
  RF_DEBUG = 1U << 6,
  RF_HAD_STAT = 1U << 7,      /* rate: last_time is valid */
  RF_INITED = 1U << 8,        /* the slot is in use */
  RF_FAIL = 1U << 9,          /* cold->fail is set */
  RF_STALL = 1U << 10,        /* cold->stall > 0 */
};

typedef struct {
  MtFailSpec spec[AF_N];
  uint32_t calls[AF_N];
} RuleFail;

/* What the statistics path does not need. */
typedef struct {
  RuleFail *fail;             /* NULL: no rule-level plan */
  uint64_t stall;             /* seconds */
  const char *host_name;      /* as given to ac_init_*rule (INV-41) */
  unsigned int autoruleno;    /* dynamic rules */
  char name[];                /* our copy, to notice a change */
} RuleCold;

typedef struct {
  uint64_t amount;            /* chunk, or rate in bytes per second */
  int64_t last_time;          /* rate: mt_tm_seconds of its last round */
  RuleCold *cold;
  unsigned int gen;           /* stat_generation of its last call */
  unsigned int flags;         /* RF_*; 0: free slot */
} Rule;

typedef struct {
  unsigned int inited;
  unsigned int live_dynamic;  /* its dynamic rules not deinitialised yet */
} Autorule;

/* fd -1 from the start: conf_init closes a descriptor left open. */
MtTrace atest_trace = { .fd = -1 };
ipa_mem_type *atest_mem_conf;
ipa_mem_type *atest_mem_rules;
ipa_mem_type *atest_mem_io;
int atest_phase;

static Rule *rules;              /* by ruleno, n_slots of them */
static unsigned int n_slots;
static ipa_marray *autorules_ma;
static void *autorules_arr;
static unsigned int autorules_top;

static uint32_t calls[AF_N];     /* module-wide call counters */
static const AtestSettings *global_conf;   /* atest_conf_global(), kept at hand */

/* Rounds: ac_get_stat opens one; the first ac_get_rule_stat after it
 * must see a new generation, the later ones the same. */
static int64_t now;              /* mt_tm_seconds of the current ac_get_stat */
static int got_stat;
static int round_open;
static unsigned int last_gen;
static int creates_done;         /* atest:create acted after this ac_init */

/* ac_create_rule in progress: the ac_init_dynrule it must cause. */
static int in_get_stat;
static const char *creating;
static unsigned int created_ruleno;
static int created_seen;

/* Rules deleted in this ac_get_stat, to be deinitialised before the next. */
static unsigned int *deleted;
static unsigned int n_deleted, cap_deleted;

static inline Rule *
rule_get (unsigned int ruleno)
{
  return ruleno < n_slots && (rules[ruleno].flags & RF_INITED) ? &rules[ruleno] : NULL;
}

/* A free slot @ruleno (zeroed), growing the array; NULL on no memory. */
static Rule *
rule_slot (unsigned int ruleno)
{
  if (ruleno >= n_slots)
    {
      uint64_t want = n_slots > 0 ? (uint64_t) n_slots * 2 : 64;
      Rule *p;

      if (want < (uint64_t) ruleno + 1)
        want = (uint64_t) ruleno + 1;
      if (want > UINT_MAX || want > SIZE_MAX / sizeof (Rule))
        return NULL;
      p = MEM->mem_realloc (rules, (size_t) want * sizeof (Rule), atest_mem_rules);
      if (p == NULL)
        return NULL;
      memset (p + n_slots, 0, (size_t) (want - n_slots) * sizeof (Rule));
      rules = p;
      n_slots = (unsigned int) want;
    }
  return &rules[ruleno];
}

static void
rule_free (Rule *r)
{
  if (r->cold->fail != NULL)
    MEM->mem_free (r->cold->fail, atest_mem_rules);
  MEM->mem_free (r->cold, atest_mem_rules);
  memset (r, 0, sizeof *r);
}

static Autorule *
autorule_get (unsigned int no)
{
  if (autorules_ma == NULL || !MEM->marray_check_index (autorules_ma, no))
    return NULL;
  return &((Autorule *) autorules_arr)[no];
}

int
atest_autorule_inited (unsigned int autoruleno)
{
  const Autorule *a = autorule_get (autoruleno);

  return a != NULL && a->inited;
}

#define UNLIKELY(x) __builtin_expect (!!(x), 0)
#define TRACE_ON(debug) mt_trace_wanted (&atest_trace, (debug))
#define DEBUG (atest_trace.debug)

/* Encoded copy of @name for a trace line. */
#define ENC(buf, name) (mt_encode ((name) != NULL ? (name) : "", (buf), sizeof (buf)), (buf))

/* Counts a call of @func against the module and, with @r, against the
 * rule; 1 if the plan makes it fail. */
static inline int
fails (unsigned int func, Rule *r)
{
  const AtestSettings *g = global_conf;
  int hit = 0;

  calls[func]++;
  if (g->fail != NULL && mt_fail_hit (&g->fail[func], calls[func]))
    hit = 1;
  if (r != NULL && (r->flags & RF_FAIL))
    {
      RuleFail *rf = r->cold->fail;

      rf->calls[func]++;
      if (mt_fail_hit (&rf->spec[func], rf->calls[func]))
        hit = 1;
    }
  return hit;
}

static void
trace_failed (const char *func)
{
  mt_trace (&atest_trace, DEBUG, "%s ret=-1 planned=1", func);
}

static void
sleep_seconds (uint64_t seconds)
{
  struct timespec ts = { (time_t) seconds, 0 };

  while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* The phase a call needs; a VIOLATION line names the call otherwise. */
static void
want_phase (const char *func, int phase)
{
  static const char *const after[] = {
    [PH_CONF] = "before ac_pre_init",
    [PH_PRE_INIT] = "between ac_pre_init and ac_init",
    [PH_INIT] = "after ac_init",
    [PH_DEINIT] = "after ac_deinit",
  };

  if (atest_phase != phase)
    mt_violation (&atest_trace, "%s %s (allowed only %s)", func, after[atest_phase], after[phase]);
}

/* Configuration */

static int
conf_init (void)
{
  /* A trace file left open by an earlier life that never reached
   * ac_deinit is still ours. */
  if (atest_trace.fd >= 0)
    close (atest_trace.fd);
  atest_mem_conf = MEM->mem_type_new ("atest_conf", "ipa_atest settings", 0);
  atest_mem_rules = MEM->mem_type_new ("atest_rules", "ipa_atest state of rules", 0);
  atest_mem_io = MEM->mem_type_new ("atest_io", "ipa_atest trace and control file", 0);
  if (atest_mem_conf == NULL || atest_mem_rules == NULL || atest_mem_io == NULL)
    return -1;
  mt_trace_init (&atest_trace, ATEST_NAME, &ipa_atest_ac_mod, NULL, atest_mem_io);
  atest_phase = PH_CONF;
  rules = NULL;
  n_slots = 0;
  autorules_ma = NULL;
  autorules_arr = NULL;
  autorules_top = 0;
  memset (calls, 0, sizeof calls);
  got_stat = round_open = creates_done = in_get_stat = 0;
  last_gen = 0;
  creating = NULL;
  deleted = NULL;
  n_deleted = cap_deleted = 0;

  mt_trace (&atest_trace, 0, "conf_init");
  if (atest_conf_init () != 0)
    return -1;
  global_conf = atest_conf_global ();
  autorules_ma = MEM->marray_init ("atest_autorules", "ipa_atest autorules", 0,
                                   &autorules_arr, sizeof (Autorule), 4, 4);
  if (autorules_ma == NULL)
    {
      mt_conferr (&atest_trace, ENOMEM, "cannot create the rule arrays");
      return -1;
    }
  return 0;
}

static int
conf_deinit (void)
{
  mt_trace (&atest_trace, DEBUG, "conf_deinit");
  mt_trace_end_config (&atest_trace);
  return 0;
}

/* Initialisation */

static int
ac_pre_init (void)
{
  mt_trace (&atest_trace, DEBUG, "pre_init");
  want_phase ("ac_pre_init", PH_CONF);
  if (fails (AF_PRE_INIT, NULL))
    {
      trace_failed ("pre_init");
      return -1;
    }
  atest_phase = PH_PRE_INIT;
  return 0;
}

static int
ac_init_autorule (unsigned int autoruleno, const char *autorule_name)
{
  const char *conf_name = atest_conf_autorule_name (autoruleno);
  unsigned int idx = autoruleno;
  char enc[512];
  Autorule *a;

  if (TRACE_ON (DEBUG))
    mt_trace (&atest_trace, DEBUG, "init_autorule autorule=%u name=%s", autoruleno,
              ENC (enc, autorule_name));
  want_phase ("ac_init_autorule", PH_PRE_INIT);
  if (conf_name == NULL || autorule_name == NULL || strcmp (conf_name, autorule_name) != 0)
    mt_violation (&atest_trace, "init_autorule autorule=%u name=%s: AUTORULE_BEGIN %u named %s",
                  autoruleno, ENC (enc, autorule_name), autoruleno,
                  conf_name != NULL ? conf_name : "no autorule");
  if (fails (AF_INIT_AUTORULE, NULL))
    {
      trace_failed ("init_autorule");
      return -1;
    }
  a = autorule_get (autoruleno);
  if (a == NULL)
    {
      if (MEM->marray_alloc (autorules_ma, &idx, 1) != 0)
        {
          mt_log (&atest_trace, IPA_LOG_ERR, ENOMEM, "init_autorule: cannot allocate autorule %u",
                  autoruleno);
          return -1;
        }
      a = autorule_get (autoruleno);
      memset (a, 0, sizeof *a);
      if (autoruleno >= autorules_top)
        autorules_top = autoruleno + 1;
    }
  else if (a->inited)
    mt_violation (&atest_trace, "init_autorule autorule=%u: already initialised", autoruleno);
  a->inited = 1;
  return 0;
}

/* Set up rule @ruleno from @e; the rule-level plan of @e is counted from
 * this call (@func) on.  Returns 0, -1 on a planned failure or no memory. */
static int
rule_init (const char *func, unsigned int func_id, unsigned int ruleno, const char *rule_name,
           const AtestEffective *e, unsigned int flags, unsigned int autoruleno)
{
  size_t name_len;
  RuleCold *cold;
  Rule *r;
  int subtract;
  uint64_t amount;

  if (rule_name == NULL)
    {
      mt_violation (&atest_trace, "%s rule=%u: rule_name is NULL", func, ruleno);
      return -1;
    }
  name_len = strlen (rule_name);
  cold = MEM->mem_malloc (sizeof *cold + name_len + 1, atest_mem_rules);
  if (cold == NULL)
    goto nomem;
  memset (cold, 0, sizeof *cold);
  memcpy (cold->name, rule_name, name_len + 1);
  cold->host_name = rule_name;
  cold->stall = e->stall;
  cold->autoruleno = autoruleno;
  if (e->has_fail)
    {
      cold->fail = MEM->mem_calloc (1, sizeof *cold->fail, atest_mem_rules);
      if (cold->fail == NULL)
        {
          MEM->mem_free (cold, atest_mem_rules);
          goto nomem;
        }
      memcpy (cold->fail->spec, e->fail, sizeof cold->fail->spec);
    }
  r = rule_slot (ruleno);
  if (r == NULL)
    {
      if (cold->fail != NULL)
        MEM->mem_free (cold->fail, atest_mem_rules);
      MEM->mem_free (cold, atest_mem_rules);
      goto nomem;
    }
  r->cold = cold;
  r->amount = e->amount;
  r->flags = flags | RF_INITED | RF_ACTIVE | RF_NEED_NEWSTAT;
  if (e->mode == AMOUNT_RATE)
    r->flags |= RF_RATE;
  if (e->subtract)
    r->flags |= RF_SUBTRACT;
  if (e->debug)
    r->flags |= RF_DEBUG;
  if (cold->fail != NULL)
    r->flags |= RF_FAIL;
  if (cold->stall > 0)
    r->flags |= RF_STALL;
  if (atest_control_override (cold->name, &subtract, &amount))
    {
      r->amount = amount;
      r->flags &= ~(unsigned int) (RF_RATE | RF_SUBTRACT);
      if (subtract)
        r->flags |= RF_SUBTRACT;
    }

  if (fails (func_id, r))
    {
      trace_failed (func);
      rule_free (r);
      return -1;
    }
  return 0;

nomem:
  mt_log (&atest_trace, IPA_LOG_ERR, ENOMEM, "%s: cannot allocate rule %u", func, ruleno);
  return -1;
}

static int
ac_init_statrule (unsigned int ruleno, const char *rule_name)
{
  AtestEffective e;
  char enc[512];

  if (TRACE_ON (DEBUG))
    mt_trace (&atest_trace, DEBUG, "init_statrule rule=%u name=%s", ruleno, ENC (enc, rule_name));
  want_phase ("ac_init_statrule", PH_PRE_INIT);
  if (ruleno >= atest_conf_n_static ())
    mt_violation (&atest_trace, "init_statrule rule=%u: the configuration has %u rules",
                  ruleno, atest_conf_n_static ());
  if (rule_get (ruleno) != NULL)
    {
      mt_violation (&atest_trace, "init_statrule rule=%u: already initialised", ruleno);
      return -1;
    }
  atest_conf_effective_static (ruleno, &e);
  return rule_init ("init_statrule", AF_INIT_STATRULE, ruleno, rule_name, &e, 0, 0);
}

static int
ac_init (void)
{
  mt_trace (&atest_trace, DEBUG, "init");
  want_phase ("ac_init", PH_PRE_INIT);
  if (fails (AF_INIT, NULL))
    {
      trace_failed ("init");
      return -1;
    }
  atest_phase = PH_INIT;
  creates_done = 0;
  return 0;
}

static int
ac_init_dynrule (unsigned int autoruleno, unsigned int ruleno, const char *rule_name)
{
  AtestEffective e;
  const Rule *live;
  Autorule *a;
  char enc[512];

  if (TRACE_ON (DEBUG))
    mt_trace (&atest_trace, DEBUG, "init_dynrule autorule=%u rule=%u name=%s", autoruleno,
              ruleno, ENC (enc, rule_name));
  want_phase ("ac_init_dynrule", PH_INIT);
  if (!atest_autorule_inited (autoruleno))
    mt_violation (&atest_trace, "init_dynrule autorule=%u: autorule not initialised", autoruleno);
  if (ruleno < atest_conf_n_static ())
    mt_violation (&atest_trace, "init_dynrule rule=%u: the number of a static rule", ruleno);
  live = rule_get (ruleno);
  if (live != NULL)
    {
      mt_violation (&atest_trace, "init_dynrule rule=%u: the number of a live rule (%s)",
                    ruleno, live->cold->name);
      return -1;
    }
  if (creating != NULL && rule_name != NULL && strcmp (creating, rule_name) == 0)
    {
      created_seen = 1;
      created_ruleno = ruleno;
    }
  atest_conf_effective_dynamic (autoruleno, ruleno, &e);
  if (rule_init ("init_dynrule", AF_INIT_DYNRULE, ruleno, rule_name, &e, RF_DYNAMIC,
                 autoruleno) != 0)
    return -1;
  a = autorule_get (autoruleno);
  if (a != NULL)
    a->live_dynamic++;
  return 0;
}

/* Deinitialisation */

static void
forget_deleted (unsigned int ruleno)
{
  for (unsigned int i = 0; i < n_deleted; i++)
    if (deleted[i] == ruleno)
      {
        deleted[i] = deleted[--n_deleted];
        return;
      }
}

static int
ac_deinit_rule (unsigned int ruleno)
{
  Rule *r = rule_get (ruleno);
  int failed;

  mt_trace (&atest_trace, r != NULL ? (r->flags & RF_DEBUG) != 0 : DEBUG,
            "deinit_rule rule=%u", ruleno);
  if (atest_phase == PH_DEINIT)
    mt_violation (&atest_trace, "deinit_rule rule=%u after ac_deinit", ruleno);
  failed = fails (AF_DEINIT_RULE, r);
  if (r == NULL)
    return failed ? -1 : 0;   /* INV-74: never initialised is fine */

  if (r->cold->host_name == NULL || strcmp (r->cold->host_name, r->cold->name) != 0)
    mt_violation (&atest_trace, "deinit_rule rule=%u: the rule_name given to its init changed "
                  "from %s before ac_deinit_rule (INV-41)", ruleno, r->cold->name);
  if (r->flags & RF_DYNAMIC)
    {
      Autorule *a = autorule_get (r->cold->autoruleno);

      if (a != NULL && a->live_dynamic > 0)
        a->live_dynamic--;
    }
  if (r->flags & RF_DELETED)
    forget_deleted (ruleno);
  rule_free (r);
  if (failed)
    {
      trace_failed ("deinit_rule");
      return -1;
    }
  return 0;
}

static int
ac_deinit_autorule (unsigned int autoruleno)
{
  Autorule *a = autorule_get (autoruleno);

  mt_trace (&atest_trace, DEBUG, "deinit_autorule autorule=%u", autoruleno);
  if (atest_phase == PH_DEINIT)
    mt_violation (&atest_trace, "deinit_autorule autorule=%u after ac_deinit", autoruleno);
  if (a == NULL)
    return 0;
  if (a->live_dynamic > 0)
    mt_violation (&atest_trace, "deinit_autorule autorule=%u: %u of its dynamic rules are "
                  "still initialised", autoruleno, a->live_dynamic);
  a->inited = 0;
  return 0;
}

static int
ac_deinit (void)
{
  unsigned int left = 0;
  char first[256] = "";
  int failed;

  mt_trace (&atest_trace, DEBUG, "deinit");
  if (atest_phase == PH_DEINIT)
    {
      mt_violation (&atest_trace, "ac_deinit called twice");
      return 0;
    }
  for (unsigned int i = 0; i < n_slots; i++)
    if (rule_get (i) != NULL)
      {
        if (left++ == 0)
          snprintf (first, sizeof first, "%s", rules[i].cold->name);
        rule_free (&rules[i]);
      }
  if (left > 0)
    mt_violation (&atest_trace, "ac_deinit while %u rules (%s, ...) were not deinitialised",
                  left, first);
  left = 0;
  for (unsigned int i = 0; autorules_ma != NULL && i < autorules_top; i++)
    {
      const Autorule *a = autorule_get (i);

      if (a != NULL && a->inited)
        left++;
    }
  if (left > 0)
    mt_violation (&atest_trace, "ac_deinit while %u autorules were not deinitialised", left);

  failed = fails (AF_DEINIT, NULL);
  if (rules != NULL)
    MEM->mem_free (rules, atest_mem_rules);
  rules = NULL;
  n_slots = 0;
  MEM->marray_deinit (autorules_ma);
  autorules_ma = NULL;
  autorules_top = 0;
  if (deleted != NULL)
    MEM->mem_free (deleted, atest_mem_rules);
  deleted = NULL;
  n_deleted = cap_deleted = 0;
  atest_control_free ();
  atest_conf_free ();
  /* The trace file stays open until the module is unloaded, so that a
   * call after ac_deinit is still recorded. */
  mt_trace_end_config (&atest_trace);
  atest_phase = PH_DEINIT;
  if (failed)
    {
      trace_failed ("deinit");
      return -1;
    }
  return 0;
}

__attribute__ ((destructor)) static void
atest_unload (void)
{
  if (atest_trace.fd >= 0)
    close (atest_trace.fd);
  atest_trace.fd = -1;
}

/* Dynamic rules (called from ac_get_stat only, INV-63) */

int
atest_create_rule (unsigned int autoruleno, const char *name, const char *info)
{
  unsigned int ruleno = UINT_MAX;
  char enc[512];
  int r;

  creating = name;
  created_seen = 0;
  r = ipa_atest_ac_mod.ac_create_rule (ATEST_NAME, autoruleno, &ruleno, name, info);
  creating = NULL;
  if (r == 0)
    mt_trace (&atest_trace, DEBUG, "create_rule autorule=%u name=%s ret=0 rule=%u",
              autoruleno, ENC (enc, name), ruleno);
  else
    mt_trace (&atest_trace, DEBUG, "create_rule autorule=%u name=%s ret=%d rule=-",
              autoruleno, ENC (enc, name), r);
  if (r == 0 && !created_seen)
    mt_violation (&atest_trace, "ac_create_rule of %s returned 0 without calling "
                  "ac_init_dynrule (INV-66)", ENC (enc, name));
  else if (r == 0 && created_ruleno != ruleno)
    mt_violation (&atest_trace, "ac_create_rule of %s set *ruleno to %u, but "
                  "ac_init_dynrule got rule %u (INV-66)", ENC (enc, name), ruleno, created_ruleno);
  else if (r != 0 && r != -1 && r != -2)
    mt_violation (&atest_trace, "ac_create_rule of %s returned %d (INV-64)", ENC (enc, name), r);

  if (atest_conf_autorule_duplicate (autoruleno) && r != -1)
    {
      unsigned int again = UINT_MAX;
      int r2 = ipa_atest_ac_mod.ac_create_rule (ATEST_NAME, autoruleno, &again, name, info);

      mt_trace (&atest_trace, DEBUG, "create_rule autorule=%u name=%s ret=%d rule=%s duplicate=1",
                autoruleno, ENC (enc, name), r2, r2 == 0 ? "?" : "-");
      if (r2 != -2)
        mt_violation (&atest_trace, "ac_create_rule of the existing rule %s returned %d, "
                      "expected -2 (INV-64)", ENC (enc, name), r2);
    }
  return r == -1 ? -1 : 0;
}

int
atest_delete_rule (const char *name)
{
  char enc[512];
  int r;

  for (unsigned int i = 0; i < n_slots; i++)
    {
      Rule *rule = rule_get (i);

      if (rule == NULL || (rule->flags & RF_DELETED) || strcmp (rule->cold->name, name) != 0)
        continue;
      r = ipa_atest_ac_mod.ac_delete_rule (ATEST_NAME, i);
      mt_trace (&atest_trace, DEBUG, "delete_rule rule=%u ret=%d", i, r);
      if (r == 0)
        {
          rule = rule_get (i);
          if (rule == NULL)
            {
              mt_violation (&atest_trace, "ac_delete_rule of rule %u called ac_deinit_rule "
                            "before returning (INV-70)", i);
              return 0;
            }
          rule->flags |= RF_DELETED;
          if (n_deleted == cap_deleted)
            {
              unsigned int cap = cap_deleted > 0 ? cap_deleted * 2 : 8;
              unsigned int *d = MEM->mem_realloc (deleted, cap * sizeof *d, atest_mem_rules);

              if (d == NULL)
                return 0;   /* only the check of INV-70 is lost */
              deleted = d;
              cap_deleted = cap;
            }
          deleted[n_deleted++] = i;
        }
      else if (r != -1)
        mt_violation (&atest_trace, "ac_delete_rule of rule %u returned %d", i, r);
      return r == -1 ? -1 : 0;
    }
  mt_log (&atest_trace, IPA_LOG_WARNING, 0, "delete %s: no such rule", ENC (enc, name));
  return 0;
}

void
atest_apply_override (const char *name, int subtract, uint64_t amount)
{
  for (unsigned int i = 0; i < n_slots; i++)
    {
      Rule *r = rule_get (i);

      if (r == NULL || strcmp (r->cold->name, name) != 0)
        continue;
      r->amount = amount;
      r->flags &= ~(unsigned int) (RF_RATE | RF_SUBTRACT);
      if (subtract)
        r->flags |= RF_SUBTRACT;
    }
}

/* atest:create of every initialised autorule, once after ac_init. */
static int
run_creates (void)
{
  for (unsigned int no = 0; no < autorules_top; no++)
    {
      const char *list = atest_conf_autorule_create (no);
      char name[256];

      if (list == NULL || !atest_autorule_inited (no))
        continue;
      for (const char *p = list; *p != '\0';)
        {
          size_t len = 0;

          while (*p == ' ' || *p == '\t')
            p++;
          while (p[len] != '\0' && p[len] != ' ' && p[len] != '\t')
            len++;
          if (len == 0)
            break;
          if (len >= sizeof name)
            len = sizeof name - 1;
          memcpy (name, p, len);
          name[len] = '\0';
          p += len;
          while (*p != '\0' && *p != ' ' && *p != '\t')
            p++;
          if (atest_create_rule (no, name, NULL) != 0)
            return -1;
        }
    }
  return 0;
}

/* Statistics */

static int
ac_get_stat (const ipa_tm *ctm)
{
  const AtestSettings *g = atest_conf_global ();
  char tm[MT_TM_LEN];
  const char *control;
  int r = 0;

  mt_tm_format (ctm, tm);
  mt_trace (&atest_trace, DEBUG, "get_stat tm=%s wday=%d", tm, ctm->tm_wday);
  want_phase ("ac_get_stat", PH_INIT);
  if (!mt_tm_valid (ctm))
    mt_violation (&atest_trace, "get_stat: ctm %s wday=%d is not a valid ipa_tm (INV-62)",
                  tm, ctm->tm_wday);
  for (unsigned int i = 0; i < n_deleted; i++)
    mt_violation (&atest_trace, "rule %u was deleted in the previous ac_get_stat but not "
                  "deinitialised before this one (INV-70)", deleted[i]);
  n_deleted = 0;
  if (fails (AF_GET_STAT, NULL))
    {
      trace_failed ("get_stat");
      return -1;
    }
  now = mt_tm_seconds (ctm);
  got_stat = 1;
  round_open = 1;
  if ((g->set & AS_STALL) && g->stall > 0)
    sleep_seconds (g->stall);

  in_get_stat = 1;
  if (!creates_done)
    {
      creates_done = 1;
      r = run_creates ();
    }
  control = atest_conf_control_path ();
  if (r == 0 && control != NULL)
    r = atest_control_poll (control);
  in_get_stat = 0;
  return r;
}

static uint64_t
rate_chunk (uint64_t rate, int64_t elapsed)
{
  if (elapsed <= 0)
    return 0;
  if (rate > UINT64_MAX / (uint64_t) elapsed)
    return UINT64_MAX;
  return rate * (uint64_t) elapsed;
}

static int
ac_get_rule_stat (unsigned int stat_generation, int newstat, unsigned int ruleno,
                  int *addition, uint64_t *chunk)
{
  Rule *r = rule_get (ruleno);
  uint64_t c;
  int ret = 0;

  *addition = 1;
  *chunk = 0;
  if (UNLIKELY (atest_phase != PH_INIT))
    want_phase ("ac_get_rule_stat", PH_INIT);
  if (UNLIKELY (stat_generation == 0))
    mt_violation (&atest_trace, "get_rule_stat rule=%u: stat_generation 0 (INV-45)", ruleno);
  if (UNLIKELY (!got_stat))
    mt_violation (&atest_trace, "get_rule_stat rule=%u before any ac_get_stat (INV-44)", ruleno);
  else if (UNLIKELY (round_open))
    {
      round_open = 0;
      if (stat_generation == last_gen)
        mt_violation (&atest_trace, "get_rule_stat rule=%u: stat_generation %u did not change "
                      "since before the last ac_get_stat (INV-45)", ruleno, stat_generation);
    }
  else if (UNLIKELY (stat_generation != last_gen))
    mt_violation (&atest_trace, "get_rule_stat rule=%u: stat_generation changed from %u to %u "
                  "without an ac_get_stat (INV-45)", ruleno, last_gen, stat_generation);
  last_gen = stat_generation;

  if (UNLIKELY (r == NULL))
    {
      mt_violation (&atest_trace, "get_rule_stat rule=%u: rule not initialised", ruleno);
      mt_trace (&atest_trace, DEBUG,
                "get_rule_stat gen=%u newstat=%d rule=%u add=1 chunk=0 ret=-1",
                stat_generation, newstat, ruleno);
      return -1;
    }
  if (UNLIKELY (!(r->flags & RF_ACTIVE)))
    mt_violation (&atest_trace, "get_rule_stat rule=%u: the rule is inactive (INV-47)", ruleno);
  if (UNLIKELY (r->flags & RF_DELETED))
    mt_violation (&atest_trace, "get_rule_stat rule=%u: the rule was deleted (INV-70)", ruleno);
  if (UNLIKELY (r->gen == stat_generation && stat_generation != 0))
    mt_violation (&atest_trace, "get_rule_stat rule=%u: second call in generation %u",
                  ruleno, stat_generation);
  r->gen = stat_generation;
  if (r->flags & RF_NEED_NEWSTAT)
    {
      if (!newstat)
        mt_violation (&atest_trace, "get_rule_stat rule=%u: first call after init or "
                      "activation with newstat=0 (INV-48)", ruleno);
      r->flags &= ~(unsigned int) RF_NEED_NEWSTAT;
    }
  else if (UNLIKELY (newstat))
    mt_violation (&atest_trace, "get_rule_stat rule=%u: newstat=%d, but the rule was neither "
                  "initialised nor activated since its previous call (INV-48)", ruleno, newstat);

  if (UNLIKELY (fails (AF_GET_RULE_STAT, r)))
    ret = -1;
  else
    {
      if (UNLIKELY (r->flags & RF_STALL))
        sleep_seconds (r->cold->stall);
      if (r->flags & RF_RATE)
        {
          /* The first call after newstat only sets the start. */
          c = newstat || !(r->flags & RF_HAD_STAT) ? 0 : rate_chunk (r->amount, now - r->last_time);
          r->last_time = now;
          r->flags |= RF_HAD_STAT;
        }
      else
        c = r->amount;
      *addition = !(r->flags & RF_SUBTRACT);
      *chunk = c;
    }
  if (UNLIKELY (TRACE_ON (r->flags & RF_DEBUG)))
    mt_trace (&atest_trace, (r->flags & RF_DEBUG) != 0,
              "get_rule_stat gen=%u newstat=%d rule=%u add=%d chunk=%" PRIu64 " ret=%d",
              stat_generation, newstat, ruleno, *addition, *chunk, ret);
  return ret;
}

/* Activity and events */

static int
ac_set_autorule_active (unsigned int autoruleno, int active)
{
  mt_trace (&atest_trace, DEBUG, "set_autorule_active autorule=%u active=%d", autoruleno, active);
  want_phase ("ac_set_autorule_active", PH_INIT);
  if (!atest_autorule_inited (autoruleno))
    mt_violation (&atest_trace, "set_autorule_active autorule=%u: autorule not initialised",
                  autoruleno);
  return 0;
}

static int
ac_set_rule_active (unsigned int ruleno, int active)
{
  Rule *r = rule_get (ruleno);

  mt_trace (&atest_trace, r != NULL ? (r->flags & RF_DEBUG) != 0 : DEBUG,
            "set_rule_active rule=%u active=%d", ruleno, active);
  want_phase ("ac_set_rule_active", PH_INIT);
  if (r == NULL)
    {
      mt_violation (&atest_trace, "set_rule_active rule=%u: rule not initialised", ruleno);
      return -1;
    }
  if (fails (AF_SET_RULE_ACTIVE, r))
    {
      trace_failed ("set_rule_active");
      return -1;
    }
  if (!active)
    r->flags &= ~(unsigned int) RF_ACTIVE;
  else if (!(r->flags & RF_ACTIVE))
    r->flags |= RF_ACTIVE | RF_NEED_NEWSTAT;
  return 0;
}

static int
ac_set_limit_active (unsigned int ruleno, unsigned int limitno, int active)
{
  mt_trace (&atest_trace, DEBUG, "set_limit_active rule=%u limit=%u active=%d",
            ruleno, limitno, active);
  want_phase ("ac_set_limit_active", PH_INIT);
  if (rule_get (ruleno) == NULL)
    mt_violation (&atest_trace, "set_limit_active rule=%u: rule not initialised", ruleno);
  return 0;
}

static int
ac_set_threshold_active (unsigned int ruleno, unsigned int thresholdno, int active)
{
  mt_trace (&atest_trace, DEBUG, "set_threshold_active rule=%u threshold=%u active=%d",
            ruleno, thresholdno, active);
  want_phase ("ac_set_threshold_active", PH_INIT);
  if (rule_get (ruleno) == NULL)
    mt_violation (&atest_trace, "set_threshold_active rule=%u: rule not initialised", ruleno);
  return 0;
}

static int
ac_limit_event (unsigned int ruleno, unsigned int limitno, unsigned int event)
{
  mt_trace (&atest_trace, DEBUG, "limit_event rule=%u limit=%u event=%u", ruleno, limitno, event);
  want_phase ("ac_limit_event", PH_INIT);
  if (rule_get (ruleno) == NULL)
    mt_violation (&atest_trace, "limit_event rule=%u: rule not initialised", ruleno);
  switch (event)
    {
    case IPA_LIMIT_EVENT_RESTART:
    case IPA_LIMIT_EVENT_REACH:
    case IPA_LIMIT_EVENT_EXPIRE:
    case IPA_LIMIT_EVENT_STARTUP_IF_REACHED:
    case IPA_LIMIT_EVENT_STARTUP_IF_NOT_REACHED:
    case IPA_LIMIT_EVENT_SHUTDOWN_IF_REACHED:
    case IPA_LIMIT_EVENT_SHUTDOWN_IF_NOT_REACHED:
      break;
    default:
      mt_violation (&atest_trace, "limit_event rule=%u limit=%u: event %u is not one an "
                    "accounting module receives (INV-50)", ruleno, limitno, event);
    }
  if (fails (AF_LIMIT_EVENT, NULL))
    {
      trace_failed ("limit_event");
      return -1;
    }
  return 0;
}

static int
ac_threshold_event (unsigned int ruleno, unsigned int thresholdno, unsigned int event)
{
  mt_trace (&atest_trace, DEBUG, "threshold_event rule=%u threshold=%u event=%u",
            ruleno, thresholdno, event);
  want_phase ("ac_threshold_event", PH_INIT);
  if (rule_get (ruleno) == NULL)
    mt_violation (&atest_trace, "threshold_event rule=%u: rule not initialised", ruleno);
  if (event > IPA_THRESHOLD_EVENT_ABOVE)
    mt_violation (&atest_trace, "threshold_event rule=%u threshold=%u: unknown event %u "
                  "(INV-51)", ruleno, thresholdno, event);
  if (fails (AF_THRESHOLD_EVENT, NULL))
    {
      trace_failed ("threshold_event");
      return -1;
    }
  return 0;
}

static int
conf_event (unsigned int event, unsigned int no, const void *arg)
{
  return atest_conf_event (event, no, arg);
}

static int
conf_inherit (unsigned int rulepatno, unsigned int ruleno, const char *rule_name)
{
  return atest_conf_inherit (rulepatno, ruleno, rule_name);
}

static int
conf_mimic_real (void)
{
  mt_trace (&atest_trace, DEBUG, "conf_mimic_real");
  return atest_conf_mimic_real ();
}

static void
conf_show (unsigned int sect_id, unsigned int no)
{
  atest_conf_show (sect_id, no);
}

__attribute__ ((visibility ("default")))
struct ipa_ac_mod ipa_atest_ac_mod = {
  .api_ver = IPA_AC_MOD_API_VERSION,
  /* The host never calls a module from two threads at once (INV-103);
   * nothing here needs more than that. */
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .ac_name = ATEST_NAME,
  .suppfunc = NULL,
  .memfunc = NULL,
  .conf_prefix = ATEST_PREFIX,
  .conf_sect_tbl = NULL,
  .conf_param_tbl = atest_param_tbl,
  .conf_init = conf_init,
  .conf_deinit = conf_deinit,
  .conf_event = conf_event,
  .conf_mimic_real = conf_mimic_real,
  .conf_inherit = conf_inherit,
  .conf_show = conf_show,
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
  .ac_set_rule_active = ac_set_rule_active,
  .ac_set_limit_active = ac_set_limit_active,
  .ac_set_threshold_active = ac_set_threshold_active,
  .ac_limit_event = ac_limit_event,
  .ac_threshold_event = ac_threshold_event,
  .ac_create_rule = NULL,
  .ac_delete_rule = NULL,
};
