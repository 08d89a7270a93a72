/*
 * ipa_test_stfix.c: a statistics module with fixed data, for the tests of
 * ipastat (st_name and prefix "fix"; built again with STFIX_SECOND as
 * ipa_test_stfix2, "fix2", which has only the rules lan_in and lan_out).
 * Written only against ipa_mod.h.
 *
 * Data (stfix-data.h):
 *   rules lan_in, lan_out, host_a, host_b, big, empty;
 *   limits lan_in/monthly (three lives), lan_in/daily, host_a/quota;
 *   thresholds lan_in/burst (with a state) and lan_in/quiet (none).
 * Names the module has no data for may still be initialised (dynamic
 * entities); they are not listed and have no records.
 *
 * Parameters:
 *   fix:db_dir = "DIR";    (top level) st_pre_init fails, with the errno
 *                          of stat(2) or ENOTDIR, when DIR cannot be used
 *   fix:fail = "F[@RULE][:ERRNO] …";  (top level) function F (pre_init,
 *                          init_rule, init_limit, init_threshold, init,
 *                          rules_list, limits_list, thresholds_list,
 *                          rule_info, rule_stat, limit_stat,
 *                          threshold_stat), for every rule or only RULE,
 *                          logs an error with ERRNO (ENOENT, EBUSY,
 *                          EAGAIN, EACCES, EIO, ENOSYS; default EIO) and
 *                          returns -1
 *   fix:broken = "nobuf" | "badret";  (top level) st_get_rules_list
 *                          returns entries without a buffer /
 *                          st_get_threshold_stat returns 7
 *   fix:tag = "TEXT";      (global, rulepat, rule) shown by conf_show;
 *                          a rule inherits it from global and its rulepats
 * Every call is traced (tests/modules/ipa-test-trace.h, $IPA_TEST_TRACE).
 */
#include <ipa_mod.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ipa-test-trace.h"

#if IPA_ST_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "ipa_test_stfix supports st API 2 and memfunc API 1"
#endif

#ifdef STFIX_SECOND
/* The second system: same data, but only the first two rules. */
# define MOD_NAME "fix2"
# define STFIX_MOD ipa_test_stfix2_st_mod
# define STFIX_N_RULES 2
#else
# define MOD_NAME "fix"
# define STFIX_MOD ipa_test_stfix_st_mod
#endif
#define MAX_RULES 64
#define MAX_RULEPATS 16
#define MAX_ENTITIES 256
#define MAX_FAILS 16

extern struct ipa_st_mod STFIX_MOD;
#define SUPP (STFIX_MOD.suppfunc)
#define MEM (STFIX_MOD.memfunc)

#include "stfix-data.h"

#ifdef STFIX_N_RULES
# define N_RULES STFIX_N_RULES
#else
# define N_RULES STFIX_ALL_RULES
#endif
#define N_LIMITS STFIX_N_LIMITS
#define N_THRESHOLDS STFIX_N_THRESHOLDS

/* ---------------------------------------------------------------------
 * Configuration
 */

static char *db_dir;
static char *broken;
static char *global_tag;
static char *rule_tags[MAX_RULES];
static char *rulepat_tags[MAX_RULEPATS];

typedef struct {
  char func[32];
  char rule[64];   /* "" for every rule */
  int code;
} Fail;

static Fail fails[MAX_FAILS];
static unsigned int n_fails;

enum { CUR_ROOT, CUR_GLOBAL, CUR_RULE, CUR_RULEPAT, CUR_OTHER };
static int cur_kind;
static unsigned int cur_no;

static void logmsg (int code, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static void
logmsg (int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  SUPP->logmsg (MOD_NAME, IPA_LOG_ERR, code, format, ap);
  va_end (ap);
}

static void logconferr (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static void
logconferr (const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  SUPP->logconferr (MOD_NAME, 0, format, ap);
  va_end (ap);
}

static void
free_parser_string (char **p)
{
  if (*p != NULL)
    MEM->mem_free (*p, MEM->m_parser);
  *p = NULL;
}

static int
errno_code (const char *name)
{
  static const struct { const char *name; int code; } codes[] = {
    { "ENOENT", ENOENT }, { "EBUSY", EBUSY }, { "EAGAIN", EAGAIN },
    { "EACCES", EACCES }, { "EIO", EIO }, { "ENOSYS", ENOSYS },
  };

  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    if (strcmp (name, codes[i].name) == 0)
      return codes[i].code;
  return 0;
}

static int
parse_fail (void *arg)
{
  char *s = *(char **) arg;
  char *save = NULL;
  int rc = 0;

  for (char *w = strtok_r (s, " ", &save); w != NULL; w = strtok_r (NULL, " ", &save))
    {
      Fail *f;
      char *colon = strchr (w, ':');
      char *at;

      if (n_fails == MAX_FAILS)
        {
          logconferr ("too many fail entries");
          rc = -1;
          break;
        }
      f = &fails[n_fails++];
      memset (f, 0, sizeof *f);
      f->code = EIO;
      if (colon != NULL)
        {
          *colon = '\0';
          f->code = errno_code (colon + 1);
          if (f->code == 0)
            {
              logconferr ("unknown errno name \"%s\"", colon + 1);
              rc = -1;
              break;
            }
        }
      at = strchr (w, '@');
      if (at != NULL)
        {
          *at = '\0';
          snprintf (f->rule, sizeof f->rule, "%s", at + 1);
        }
      snprintf (f->func, sizeof f->func, "%s", w);
    }
  free_parser_string ((char **) arg);
  return rc;
}

static int
parse_db_dir (void *arg)
{
  free_parser_string (&db_dir);
  db_dir = *(char **) arg;
  return 0;
}

static int
parse_broken (void *arg)
{
  free_parser_string (&broken);
  broken = *(char **) arg;
  if (strcmp (broken, "nobuf") != 0 && strcmp (broken, "badret") != 0)
    {
      logconferr ("fix:broken is nobuf or badret");
      return -1;
    }
  return 0;
}

static int
parse_tag (void *arg)
{
  char **slot = NULL;

  if (cur_kind == CUR_GLOBAL)
    slot = &global_tag;
  else if (cur_kind == CUR_RULE && cur_no < MAX_RULES)
    slot = &rule_tags[cur_no];
  else if (cur_kind == CUR_RULEPAT && cur_no < MAX_RULEPATS)
    slot = &rulepat_tags[cur_no];
  if (slot == NULL)
    {
      logconferr ("fix:tag in an unexpected place");
      free_parser_string ((char **) arg);
      return -1;
    }
  free_parser_string (slot);
  *slot = *(char **) arg;
  return 0;
}

static const unsigned int where_root[] = { IPA_CONF_SECT_ROOT, 0 };
static const unsigned int where_tag[] = {
  IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_RULE, 0
};

static ipa_conf_param param_tbl[] = {
  { "db_dir", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_root, parse_db_dir },
  { "fail", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_root, parse_fail },
  { "broken", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_root, parse_broken },
  { "tag", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_tag, parse_tag },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

static int
fix_conf_init (void)
{
  trace ("conf_init");
  return 0;
}

static int
fix_conf_event (unsigned int event, unsigned int no, const void *arg)
{
  trace ("conf_event %u %u %s", event, no, arg != NULL ? (const char *) arg : "-");
  switch (event)
    {
    case IPA_CONF_EVENT_GLOBAL_BEGIN:
      cur_kind = CUR_GLOBAL;
      break;
    case IPA_CONF_EVENT_RULE_BEGIN:
      cur_kind = CUR_RULE;
      cur_no = no;
      break;
    case IPA_CONF_EVENT_RULEPAT_BEGIN:
      cur_kind = CUR_RULEPAT;
      cur_no = no;
      break;
    case IPA_CONF_EVENT_LIMIT_BEGIN:
    case IPA_CONF_EVENT_THRESHOLD_BEGIN:
      break;
    case IPA_CONF_EVENT_LIMIT_END:
    case IPA_CONF_EVENT_THRESHOLD_END:
      break;
    default:
      cur_kind = CUR_ROOT;
      break;
    }
  return 0;
}

static int
fix_conf_deinit (void)
{
  trace ("conf_deinit");
  return 0;
}

static char *
dup_tag (const char *s)
{
  return MEM->mem_strdup (s, MEM->m_parser);
}

static int
fix_conf_inherit (unsigned int rulepatno, unsigned int ruleno, const char *rule_name)
{
  trace ("conf_inherit %u %u %s", rulepatno, ruleno, rule_name);
  if (ruleno >= MAX_RULES || rulepatno >= MAX_RULEPATS)
    return -1;
  if (rule_tags[ruleno] == NULL && rulepat_tags[rulepatno] != NULL)
    rule_tags[ruleno] = dup_tag (rulepat_tags[rulepatno]);
  return 0;
}

static int
fix_conf_mimic_real (void)
{
  trace ("conf_mimic_real");
  return 0;
}

static void
show_tag (const char *tag)
{
  if (tag == NULL)
    return;
  SUPP->print_param_name (MOD_NAME, "tag");
  SUPP->print_string (tag);
  SUPP->print_param_end ();
}

static void
fix_conf_show (unsigned int sect_id, unsigned int no)
{
  switch (sect_id)
    {
    case IPA_CONF_SECT_ROOT:
      if (db_dir != NULL)
        {
          SUPP->print_param_name (MOD_NAME, "db_dir");
          SUPP->print_string (db_dir);
          SUPP->print_param_end ();
        }
      break;
    case IPA_CONF_SECT_GLOBAL:
      show_tag (global_tag);
      break;
    case IPA_CONF_SECT_RULE:
      if (no < MAX_RULES)
        show_tag (rule_tags[no]);
      break;
    case IPA_CONF_SECT_RULEPAT:
      if (no < MAX_RULEPATS)
        show_tag (rulepat_tags[no]);
      break;
    default:
      break;
    }
}

/* ---------------------------------------------------------------------
 * Entities the host initialised
 */

typedef struct {
  unsigned int ruleno;
  int data;            /* index into rules[], -1: no data */
  char name[64];
} RuleSlot;

typedef struct {
  unsigned int ruleno, no;
  int data;            /* index into limits[] / thresholds[], -1: none */
} EntSlot;

static RuleSlot rule_slots[MAX_ENTITIES];
static unsigned int n_rule_slots;
static EntSlot limit_slots[MAX_ENTITIES];
static unsigned int n_limit_slots;
static EntSlot threshold_slots[MAX_ENTITIES];
static unsigned int n_threshold_slots;

static const RuleSlot *
find_rule (unsigned int ruleno)
{
  for (unsigned int i = 0; i < n_rule_slots; i++)
    if (rule_slots[i].ruleno == ruleno)
      return &rule_slots[i];
  return NULL;
}

static int
find_ent (const EntSlot *slots, unsigned int n, unsigned int ruleno, unsigned int no)
{
  for (unsigned int i = 0; i < n; i++)
    if (slots[i].ruleno == ruleno && slots[i].no == no)
      return slots[i].data;
  return -1;
}

/* Should @func fail now (for @rule_name, NULL for none)? */
static int
failing (const char *func, const char *rule_name)
{
  for (unsigned int i = 0; i < n_fails; i++)
    if (strcmp (fails[i].func, func) == 0 &&
        (fails[i].rule[0] == '\0' ||
         (rule_name != NULL && strcmp (fails[i].rule, rule_name) == 0)))
      {
        logmsg (fails[i].code, "simulated failure of %s", func);
        return 1;
      }
  return 0;
}

static const char *
rule_name_of (unsigned int ruleno)
{
  const RuleSlot *r = find_rule (ruleno);

  return r != NULL ? r->name : NULL;
}

static int
fix_st_pre_init (void)
{
  struct stat sb;

  trace ("st_pre_init");
  if (failing ("pre_init", NULL))
    return -1;
  if (db_dir != NULL && stat (db_dir, &sb) != 0)
    {
      logmsg (errno, "cannot open database directory %s", db_dir);
      return -1;
    }
  if (db_dir != NULL && !S_ISDIR (sb.st_mode))
    {
      logmsg (ENOTDIR, "cannot open database directory %s", db_dir);
      return -1;
    }
  return 0;
}

static int
fix_st_init_rule (unsigned int ruleno, const char *rule_name)
{
  RuleSlot *r;

  trace ("st_init_rule %u %s tag=%s", ruleno, rule_name,
         ruleno < MAX_RULES && rule_tags[ruleno] != NULL ? rule_tags[ruleno] :
         global_tag != NULL ? global_tag : "-");
  if (failing ("init_rule", rule_name))
    return -1;
  if (n_rule_slots == MAX_ENTITIES || find_rule (ruleno) != NULL)
    return -1;
  r = &rule_slots[n_rule_slots++];
  r->ruleno = ruleno;
  r->data = -1;
  snprintf (r->name, sizeof r->name, "%s", rule_name);
  for (unsigned int i = 0; i < N_RULES; i++)
    if (strcmp (rules[i].name, rule_name) == 0)
      r->data = (int) i;
  return 0;
}

static int
init_ent (EntSlot *slots, unsigned int *n, int is_limit, unsigned int ruleno,
          const char *rule_name, unsigned int no, const char *name)
{
  EntSlot *e;

  if (*n == MAX_ENTITIES)
    return -1;
  e = &slots[(*n)++];
  e->ruleno = ruleno;
  e->no = no;
  e->data = -1;
  if (is_limit)
    {
      for (unsigned int i = 0; i < N_LIMITS; i++)
        if (strcmp (limits[i].rule, rule_name) == 0 && strcmp (limits[i].name, name) == 0)
          e->data = (int) i;
    }
  else
    {
      for (unsigned int i = 0; i < N_THRESHOLDS; i++)
        if (strcmp (thresholds[i].rule, rule_name) == 0 &&
            strcmp (thresholds[i].name, name) == 0)
          e->data = (int) i;
    }
  return 0;
}

static int
fix_st_init_limit (unsigned int ruleno, const char *rule_name,
                   unsigned int limitno, const char *limit_name)
{
  trace ("st_init_limit %u %s %u %s", ruleno, rule_name, limitno, limit_name);
  if (failing ("init_limit", rule_name))
    return -1;
  return init_ent (limit_slots, &n_limit_slots, 1, ruleno, rule_name, limitno, limit_name);
}

static int
fix_st_init_threshold (unsigned int ruleno, const char *rule_name,
                       unsigned int thresholdno, const char *threshold_name)
{
  trace ("st_init_threshold %u %s %u %s", ruleno, rule_name, thresholdno, threshold_name);
  if (failing ("init_threshold", rule_name))
    return -1;
  return init_ent (threshold_slots, &n_threshold_slots, 0, ruleno, rule_name,
                   thresholdno, threshold_name);
}

static int
fix_st_init (void)
{
  trace ("st_init");
  return failing ("init", NULL) ? -1 : 0;
}

static int
fix_st_deinit_threshold (unsigned int ruleno, unsigned int thresholdno)
{
  trace ("st_deinit_threshold %u %u", ruleno, thresholdno);
  return 0;
}

static int
fix_st_deinit_limit (unsigned int ruleno, unsigned int limitno)
{
  trace ("st_deinit_limit %u %u", ruleno, limitno);
  return 0;
}

static int
fix_st_deinit_rule (unsigned int ruleno)
{
  trace ("st_deinit_rule %u", ruleno);
  return 0;
}

static int
fix_st_deinit (void)
{
  trace ("st_deinit");
  free_parser_string (&db_dir);
  free_parser_string (&broken);
  free_parser_string (&global_tag);
  for (unsigned int i = 0; i < MAX_RULES; i++)
    free_parser_string (&rule_tags[i]);
  for (unsigned int i = 0; i < MAX_RULEPATS; i++)
    free_parser_string (&rulepat_tags[i]);
  n_fails = n_rule_slots = n_limit_slots = n_threshold_slots = 0;
  cur_kind = CUR_ROOT;
  return 0;
}

/* ---------------------------------------------------------------------
 * Queries
 */

static int
info_reply (const char *info, ipa_mem_type *mem_type, char **info_ptr)
{
  *info_ptr = NULL;
  if (info != NULL && (*info_ptr = MEM->mem_strdup (info, mem_type)) == NULL)
    return -1;
  return 0;
}

static int
fix_st_get_rule_info (unsigned int ruleno, ipa_mem_type *mem_type, char **info_ptr)
{
  const RuleSlot *r = find_rule (ruleno);

  trace ("st_get_rule_info %u", ruleno);
  if (failing ("rule_info", rule_name_of (ruleno)))
    return -1;
  return info_reply (r != NULL && r->data >= 0 ? rules[r->data].info : NULL,
                     mem_type, info_ptr);
}

static int
fix_st_get_limit_info (unsigned int ruleno, unsigned int limitno,
                       ipa_mem_type *mem_type, char **info_ptr)
{
  int d = find_ent (limit_slots, n_limit_slots, ruleno, limitno);

  trace ("st_get_limit_info %u %u", ruleno, limitno);
  return info_reply (d >= 0 ? limits[d].info : NULL, mem_type, info_ptr);
}

static int
fix_st_get_threshold_info (unsigned int ruleno, unsigned int thresholdno,
                           ipa_mem_type *mem_type, char **info_ptr)
{
  int d = find_ent (threshold_slots, n_threshold_slots, ruleno, thresholdno);

  trace ("st_get_threshold_info %u %u", ruleno, thresholdno);
  return info_reply (d >= 0 ? thresholds[d].info : NULL, mem_type, info_ptr);
}

/* Build an entity list from @n candidates (name, info) filtered by @re. */
static int
make_list (const char *const *names, const char *const *infos, unsigned int n,
           const regex_t *re, ipa_mem_type *mem_type, unsigned int *np,
           struct ipa_entity_desc **buf_ptr)
{
  struct ipa_entity_desc *buf = NULL;
  unsigned int k = 0;

  *np = 0;
  *buf_ptr = NULL;
  for (unsigned int i = 0; i < n; i++)
    {
      if (re != NULL && regexec (re, names[i], 0, NULL, 0) != 0)
        continue;
      if (buf == NULL && (buf = MEM->mem_calloc (n, sizeof *buf, mem_type)) == NULL)
        return -1;
      buf[k].name = MEM->mem_strdup (names[i], mem_type);
      buf[k].info = infos[i] != NULL ? MEM->mem_strdup (infos[i], mem_type) : NULL;
      k++;
    }
  *np = k;
  *buf_ptr = buf;
  return 0;
}

static int
fix_st_get_rules_list (const char *pat, const regex_t *pat_reg,
                       ipa_mem_type *mem_type, unsigned int *n,
                       struct ipa_entity_desc **buf_ptr)
{
  const char *names[N_RULES], *infos[N_RULES];

  trace ("st_get_rules_list %s", pat != NULL ? pat : "-");
  if ((pat == NULL) != (pat_reg == NULL))
    return -1; /* INV-83 */
  if (failing ("rules_list", NULL))
    return -1;
  if (broken != NULL && strcmp (broken, "nobuf") == 0)
    {
      *n = 1;
      *buf_ptr = NULL;
      return 0;
    }
  for (unsigned int i = 0; i < N_RULES; i++)
    {
      names[i] = rules[i].name;
      infos[i] = rules[i].info;
    }
  return make_list (names, infos, N_RULES, pat_reg, mem_type, n, buf_ptr);
}

static int
fix_st_get_limits_list (unsigned int ruleno, const char *pat,
                        const regex_t *pat_reg, ipa_mem_type *mem_type,
                        unsigned int *n, struct ipa_entity_desc **buf_ptr)
{
  const char *rule_name = rule_name_of (ruleno);
  const char *names[N_LIMITS], *infos[N_LIMITS];
  unsigned int k = 0;

  trace ("st_get_limits_list %u %s", ruleno, pat != NULL ? pat : "-");
  if ((pat == NULL) != (pat_reg == NULL) || rule_name == NULL)
    return -1;
  if (failing ("limits_list", rule_name))
    return -1;
  for (unsigned int i = 0; i < N_LIMITS; i++)
    if (strcmp (limits[i].rule, rule_name) == 0)
      {
        names[k] = limits[i].name;
        infos[k++] = limits[i].info;
      }
  return make_list (names, infos, k, pat_reg, mem_type, n, buf_ptr);
}

static int
fix_st_get_thresholds_list (unsigned int ruleno, const char *pat,
                            const regex_t *pat_reg, ipa_mem_type *mem_type,
                            unsigned int *n, struct ipa_entity_desc **buf_ptr)
{
  const char *rule_name = rule_name_of (ruleno);
  const char *names[N_THRESHOLDS], *infos[N_THRESHOLDS];
  unsigned int k = 0;

  trace ("st_get_thresholds_list %u %s", ruleno, pat != NULL ? pat : "-");
  if ((pat == NULL) != (pat_reg == NULL) || rule_name == NULL)
    return -1;
  if (failing ("thresholds_list", rule_name))
    return -1;
  for (unsigned int i = 0; i < N_THRESHOLDS; i++)
    if (strcmp (thresholds[i].rule, rule_name) == 0)
      {
        names[k] = thresholds[i].name;
        infos[k++] = thresholds[i].info;
      }
  return make_list (names, infos, k, pat_reg, mem_type, n, buf_ptr);
}

/* Seconds-free key of a local date and time, for comparisons. */
static long long
key (int year, int mon, int mday, int h, int m, int s)
{
  return ((((((long long) year * 13 + mon) * 32 + mday) * 24 + h) * 60 + m) * 60) + s;
}

static long long
tm_key (const ipa_tm *tm)
{
  return key (tm->tm_year, tm->tm_mon, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec);
}

/* INV-84 as the seed words it: exact == 0 wants both timestamps inside,
 * exact != 0 one of them. */
static int
record_matches (const Rec *r, long long from, long long to, int exact)
{
  long long a = key (r->year, r->mon, r->mday, r->h1, r->m1, r->s1);
  long long b = key (r->year, r->mon, r->mday, r->h2, r->m2, r->s2);
  int a_in = from <= a && a <= to, b_in = from <= b && b <= to;

  return exact ? (a_in || b_in) : (a_in && b_in);
}

static char *
tm_text (const ipa_tm *tm, char *buf, size_t size)
{
  if (tm == NULL)
    snprintf (buf, size, "NULL");
  else
    snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d", tm->tm_year, tm->tm_mon,
              tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec);
  return buf;
}

static int
fix_st_get_rule_stat (unsigned int ruleno, const ipa_tm *tm1, const ipa_tm *tm2,
                      int exact, ipa_mem_type *mem_type, unsigned int *n,
                      struct ipa_rule_stat **buf_ptr)
{
  const RuleSlot *r = find_rule (ruleno);
  const RuleData *d;
  struct ipa_rule_stat *buf = NULL;
  long long from = tm_key (tm1), to = tm_key (tm2);
  unsigned int k = 0;
  char b1[32], b2[32];

  trace ("st_get_rule_stat %u %s %s %d", ruleno, tm_text (tm1, b1, sizeof b1),
         tm_text (tm2, b2, sizeof b2), exact);
  *n = 0;
  *buf_ptr = NULL;
  if (r == NULL)
    return -1;
  if (failing ("rule_stat", r->name))
    return -1;
  if (r->data < 0)
    return 0;
  d = &rules[r->data];
  for (unsigned int i = 0; i < d->nrecs; i++)
    {
      const Rec *rec = &d->recs[i];

      if (!record_matches (rec, from, to, exact))
        continue;
      if (buf == NULL && (buf = MEM->mem_calloc (d->nrecs, sizeof *buf, mem_type)) == NULL)
        return -1;
      buf[k].year = rec->year;
      buf[k].mon = (unsigned char) rec->mon;
      buf[k].mday = (unsigned char) rec->mday;
      buf[k].h1 = (unsigned char) rec->h1;
      buf[k].m1 = (unsigned char) rec->m1;
      buf[k].s1 = (unsigned char) rec->s1;
      buf[k].h2 = (unsigned char) rec->h2;
      buf[k].m2 = (unsigned char) rec->m2;
      buf[k].s2 = (unsigned char) rec->s2;
      buf[k].cnt = rec->cnt;
      k++;
    }
  *n = k;
  *buf_ptr = buf;
  return 0;
}

static void
to_tm (const Date *d, ipa_tm *tm)
{
  memset (tm, 0, sizeof *tm);
  tm->tm_year = d->year;
  tm->tm_mon = d->mon;
  tm->tm_mday = d->mday;
  tm->tm_hour = d->hour;
  tm->tm_min = d->min;
  tm->tm_sec = d->sec;
  tm->tm_isdst = -1;
}

static void
fill_state (const Life *life, struct ipa_limit_state *s)
{
  memset (s, 0, sizeof *s);
  s->lim = life->lim;
  s->cnt = life->cnt;
  for (int e = 0; e < IPA_LIMIT_EVENT_NUM; e++)
    if (life->ev[e].year != 0)
      {
        s->event_date_set |= 1U << e;
        to_tm (&life->ev[e], &s->event_date[e]);
      }
}

static int
fix_st_get_limit_stat (unsigned int ruleno, unsigned int limitno,
                       const ipa_tm *tm1, const ipa_tm *tm2,
                       ipa_mem_type *mem_type, unsigned int *n,
                       struct ipa_limit_state **buf_ptr)
{
  int d = find_ent (limit_slots, n_limit_slots, ruleno, limitno);
  const LimitData *l;
  struct ipa_limit_state *buf = NULL;
  unsigned int k = 0;
  char b1[32], b2[32];

  trace ("st_get_limit_stat %u %u %s %s", ruleno, limitno,
         tm_text (tm1, b1, sizeof b1), tm_text (tm2, b2, sizeof b2));
  *n = 0;
  *buf_ptr = NULL;
  if (failing ("limit_stat", rule_name_of (ruleno)))
    return -1;
  if (d < 0)
    return 0;
  l = &limits[d];
  if ((buf = MEM->mem_calloc (l->nlives, sizeof *buf, mem_type)) == NULL)
    return -1;
  if (tm1 == NULL)
    fill_state (&l->lives[l->nlives - 1], &buf[k++]);
  else
    for (unsigned int i = 0; i < l->nlives; i++)
      {
        const Date *s = &l->lives[i].ev[IPA_LIMIT_EVENT_START];
        long long start = key (s->year, s->mon, s->mday, s->hour, s->min, s->sec);

        if (tm_key (tm1) <= start && start <= tm_key (tm2))
          fill_state (&l->lives[i], &buf[k++]);
      }
  if (k == 0)
    {
      MEM->mem_free (buf, mem_type);
      buf = NULL;
    }
  *n = k;
  *buf_ptr = buf;
  return 0;
}

static int
fix_st_get_threshold_stat (unsigned int ruleno, unsigned int thresholdno,
                           struct ipa_threshold_state *state)
{
  int d = find_ent (threshold_slots, n_threshold_slots, ruleno, thresholdno);
  const ThresholdData *t;

  trace ("st_get_threshold_stat %u %u", ruleno, thresholdno);
  if (failing ("threshold_stat", rule_name_of (ruleno)))
    return -1;
  if (broken != NULL && strcmp (broken, "badret") == 0)
    return 7;
  if (d < 0 || !thresholds[d].has_state)
    return 0;
  t = &thresholds[d];
  state->thr = t->thr;
  state->cnt = t->cnt;
  to_tm (&t->from, &state->tm_from);
  to_tm (&t->updated, &state->tm_updated);
  return 1;
}

struct ipa_st_mod STFIX_MOD = {
  .api_ver = IPA_ST_MOD_API_VERSION,
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .st_name = MOD_NAME,
  .conf_prefix = MOD_NAME,
  .conf_param_tbl = param_tbl,
  .conf_init = fix_conf_init,
  .conf_deinit = fix_conf_deinit,
  .conf_event = fix_conf_event,
  .conf_mimic_real = fix_conf_mimic_real,
  .conf_inherit = fix_conf_inherit,
  .conf_show = fix_conf_show,
  .st_pre_init = fix_st_pre_init,
  .st_init_rule = fix_st_init_rule,
  .st_init_limit = fix_st_init_limit,
  .st_init_threshold = fix_st_init_threshold,
  .st_init = fix_st_init,
  .st_deinit_threshold = fix_st_deinit_threshold,
  .st_deinit_limit = fix_st_deinit_limit,
  .st_deinit_rule = fix_st_deinit_rule,
  .st_deinit = fix_st_deinit,
  .st_get_rule_info = fix_st_get_rule_info,
  .st_get_limit_info = fix_st_get_limit_info,
  .st_get_threshold_info = fix_st_get_threshold_info,
  .st_get_rules_list = fix_st_get_rules_list,
  .st_get_limits_list = fix_st_get_limits_list,
  .st_get_thresholds_list = fix_st_get_thresholds_list,
  .st_get_rule_stat = fix_st_get_rule_stat,
  .st_get_limit_stat = fix_st_get_limit_stat,
  .st_get_threshold_stat = fix_st_get_threshold_stat,
};
