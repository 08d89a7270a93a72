/*
 * ipa_test_ac.c: an accounting module for the tests of the module loader,
 * the parser and the configuration printer.  ac_name "test", prefix "tac".
 *
 * Parameters (anywhere in the standard sections and in "tac:sect"):
 *   tac:int32 N;  tac:uint64 N;  tac:string "S";  tac:bytes 1G 2M;
 *   tac:time 1h 5m;  tac:value 10K;  tac:percent 5%;  tac:flag yes;
 *   tac:words a b c;  (MISC, matched by a pattern)
 *   tac:word a;       (MISC, shares that pattern's regex_t)
 *   tac:none;         (no arguments: arg_parse gets NULL)
 *   tac:fail ...;     (logconferr, then -1)
 *   tac:localsym NAME VALUE;  tac:globalsym NAME VALUE;
 *   tac:leak N;       (allocates N bytes that are never freed)
 * Section: tac:sect NAME { ... } at top level and in rules.
 *
 * Every call is traced (ipa-test-trace.h); conf_show prints back what was
 * parsed for the (sect_id, no) it is given.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <ipa_mod.h>

#include "ipa-test-trace.h"

#if IPA_AC_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "ipa_test_ac supports ac API 2 and memfunc API 1"
#endif

#define MOD_NAME "test"
#define PREFIX "tac"
#define SECT_TAC (IPA_CONF_SECT_CUSTOM_OFFSET + 1)

extern struct ipa_ac_mod ipa_test_ac_ac_mod;

/* Exported for the tests, besides the module structure. */
const char *ipa_test_ac_trace (void);
void ipa_test_ac_trace_reset (void);
int ipa_test_ac_create_rule (const char *rule_name);
int ipa_test_ac_delete_rule (unsigned int ruleno);
void ipa_test_ac_logmsg (int priority, int code, const char *message);

#define SUPP (ipa_test_ac_ac_mod.suppfunc)
#define MEM (ipa_test_ac_ac_mod.memfunc)

static ipa_mem_type *m_test;
static ipa_marray *rules_marray;
static void *rules_arr;

static void logconferr (int code, const char *format, ...) __attribute__ ((format (printf, 2, 3)));
static void print_param_args (const char *format, ...) __attribute__ ((format (printf, 1, 2)));
static void print_sect_args (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static void
logconferr (int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  SUPP->logconferr (MOD_NAME, code, format, ap);
  va_end (ap);
}

static void
logmsg (int priority, int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  SUPP->logmsg (MOD_NAME, priority, code, format, ap);
  va_end (ap);
}

static void
print_param_args (const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  SUPP->print_param_args (format, ap);
  va_end (ap);
}

static void
print_sect_args (const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  SUPP->print_sect_args (format, ap);
  va_end (ap);
}

/* Where we are, from conf_event. */

typedef struct {
  unsigned int sect_id;
  unsigned int no;
} Context;

#define MAX_DEPTH 32
static Context stack[MAX_DEPTH];
static int depth;
static int cur_custom = -1;   /* index of the tac:sect being parsed, or -1 */
static int n_custom;

/* What was parsed, in document order. */

enum { V_INT, V_UINT, V_STRING, V_BYTES, V_TIME, V_VALUE, V_PERCENT, V_BOOL, V_MISC, V_NONE, V_SECT };

typedef struct {
  Context where;     /* innermost standard section */
  int custom;        /* inside tac:sect number custom, or -1 */
  int kind;
  const char *name;
  int64_t i;
  uint64_t u[2];
  char *s;           /* allocated with m_test, or the STRING we own */
  int s_is_parser;   /* s came from the parser (m_parser) */
} Item;

#define MAX_ITEMS 256
static Item items[MAX_ITEMS];
static int n_items;

static Item *
add_item (const char *name, int kind)
{
  Item *it;

  if (n_items == MAX_ITEMS)
    {
      logconferr (0, "too many parameters");
      return NULL;
    }
  it = &items[n_items++];
  memset (it, 0, sizeof *it);
  if (depth > 0)
    it->where = stack[depth - 1];
  else
    it->where = (Context) { IPA_CONF_SECT_ROOT, 0 };
  it->custom = cur_custom;
  it->kind = kind;
  it->name = name;
  return it;
}

static void
free_items (void)
{
  for (int i = 0; i < n_items; i++)
    if (items[i].s != NULL)
      MEM->mem_free (items[i].s, items[i].s_is_parser ? MEM->m_parser : m_test);
  n_items = 0;
  n_custom = 0;
}

static int
parse_int32 (void *arg)
{
  Item *it = add_item ("int32", V_INT);

  trace ("arg_parse int32 %" PRId32, *(int32_t *) arg);
  if (it == NULL)
    return -1;
  it->i = *(int32_t *) arg;
  return 0;
}

static int
parse_uint64 (void *arg)
{
  Item *it = add_item ("uint64", V_UINT);

  trace ("arg_parse uint64 %" PRIu64, *(uint64_t *) arg);
  if (it == NULL)
    return -1;
  it->u[0] = *(uint64_t *) arg;
  return 0;
}

static int
parse_string (void *arg)
{
  char *s = *(char **) arg;
  Item *it = add_item ("string", V_STRING);

  trace ("arg_parse string %s", s);
  if (it == NULL)
    {
      /* Ours in any case (ipa_mod(3)). */
      MEM->mem_free (s, MEM->m_parser);
      return -1;
    }
  it->s = s;
  it->s_is_parser = 1;
  return 0;
}

static int
parse_bytes (void *arg)
{
  Item *it = add_item ("bytes", V_BYTES);

  trace ("arg_parse bytes %" PRIu64, *(uint64_t *) arg);
  if (it == NULL)
    return -1;
  it->u[0] = *(uint64_t *) arg;
  return 0;
}

static int
parse_time (void *arg)
{
  Item *it = add_item ("time", V_TIME);

  trace ("arg_parse time %" PRIu64, *(uint64_t *) arg);
  if (it == NULL)
    return -1;
  it->u[0] = *(uint64_t *) arg;
  return 0;
}

static int
parse_value (void *arg)
{
  const uint64_t *v = arg;
  Item *it = add_item ("value", V_VALUE);

  trace ("arg_parse value %" PRIu64 " %" PRIu64, v[0], v[1]);
  if (it == NULL)
    return -1;
  it->u[0] = v[0];
  it->u[1] = v[1];
  return 0;
}

static int
parse_percent (void *arg)
{
  Item *it = add_item ("percent", V_PERCENT);

  trace ("arg_parse percent %" PRIu32, *(uint32_t *) arg);
  if (it == NULL)
    return -1;
  it->u[0] = *(uint32_t *) arg;
  return 0;
}

static int
parse_flag (void *arg)
{
  Item *it = add_item ("flag", V_BOOL);

  trace ("arg_parse flag %d", *(int *) arg);
  if (it == NULL)
    return -1;
  it->i = *(int *) arg != 0;
  return 0;
}

static int
add_misc (const char *name, const char *text)
{
  Item *it = add_item (name, V_MISC);

  trace ("arg_parse %s %s", name, text);
  if (it == NULL)
    return -1;
  it->s = MEM->mem_strdup (text, m_test);
  if (it->s == NULL)
    {
      logconferr (ENOMEM, "mem_strdup failed");
      return -1;
    }
  return 0;
}

static int
parse_words (void *arg)
{
  return add_misc ("words", *(char **) arg);
}

static int
parse_word (void *arg)
{
  return add_misc ("word", *(char **) arg);
}

static int
parse_none (void *arg)
{
  trace ("arg_parse none %s", arg == NULL ? "NULL" : "non-NULL");
  return add_item ("none", V_NONE) != NULL ? 0 : -1;
}

static int
parse_fail (void *arg)
{
  trace ("arg_parse fail %s", *(char **) arg);
  logconferr (EINVAL, "cannot accept \"%s\"", *(char **) arg);
  return -1;
}

/* "NAME VALUE" of tac:localsym / tac:globalsym. */
static int
parse_sym (const char *text, int global)
{
  const char *sp = strchr (text, ' ');
  char name[256];
  int r;

  if (sp == NULL || (size_t) (sp - text) >= sizeof name)
    {
      logconferr (0, "expected NAME VALUE");
      return -1;
    }
  memcpy (name, text, (size_t) (sp - text));
  name[sp - text] = '\0';
  r = global ? SUPP->global_sym_add (name, (char *) sp + 1, 1)
             : SUPP->local_sym_add (name, (char *) sp + 1, 1);
  trace ("%s_sym_add %s %s = %d", global ? "global" : "local", name, sp + 1, r);
  return r;
}

static int
parse_localsym (void *arg)
{
  return parse_sym (*(char **) arg, 0);
}

static int
parse_globalsym (void *arg)
{
  return parse_sym (*(char **) arg, 1);
}

static int
parse_leak (void *arg)
{
  uint32_t n = *(uint32_t *) arg;

  trace ("arg_parse leak %" PRIu32, n);
  /* Deliberately never freed: the host must report and release it. */
  return MEM->mem_malloc (n > 0 ? n : 1, m_test) != NULL ? 0 : -1;
}

static int
parse_sect (void *arg)
{
  Item *it = add_item ("sect", V_SECT);

  trace ("arg_parse sect %s", *(char **) arg);
  if (it == NULL)
    return -1;
  it->s = MEM->mem_strdup (*(char **) arg, m_test);
  it->i = n_custom++;
  return it->s != NULL ? 0 : -1;
}

static regex_t words_re;

static const unsigned int where_any[] = {
  IPA_CONF_SECT_ROOT, IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULE, IPA_CONF_SECT_AUTORULE,
  IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_LIMIT, IPA_CONF_SECT_THRESHOLD, SECT_TAC, 0
};
static const unsigned int where_sect[] = { IPA_CONF_SECT_ROOT, IPA_CONF_SECT_RULE, 0 };

static ipa_conf_sect sect_tbl[] = {
  { "sect", SECT_TAC, 1, NULL, NULL, IPA_CONF_TYPE_MISC, where_sect, parse_sect },
  { NULL, 0, 0, NULL, NULL, 0, NULL, NULL }
};

static ipa_conf_param param_tbl[] = {
  { "int32", 1, NULL, NULL, IPA_CONF_TYPE_INT32, where_any, parse_int32 },
  { "uint64", 1, NULL, NULL, IPA_CONF_TYPE_UINT64, where_any, parse_uint64 },
  { "string", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_any, parse_string },
  { "bytes", -1, NULL, NULL, IPA_CONF_TYPE_BYTES, where_any, parse_bytes },
  { "time", -1, NULL, NULL, IPA_CONF_TYPE_TIME, where_any, parse_time },
  { "value", -1, NULL, NULL, IPA_CONF_TYPE_VALUE, where_any, parse_value },
  { "percent", 1, NULL, NULL, IPA_CONF_TYPE_PER_CENT, where_any, parse_percent },
  { "flag", 1, NULL, NULL, IPA_CONF_TYPE_BOOLEAN, where_any, parse_flag },
  { "words", -1, "^[a-z]+( [a-z]+)*$", &words_re, IPA_CONF_TYPE_MISC, where_any, parse_words },
  { "word", 1, NULL, &words_re, IPA_CONF_TYPE_MISC, where_any, parse_word },
  { "none", 0, NULL, NULL, IPA_CONF_TYPE_MISC, where_any, parse_none },
  { "fail", -1, NULL, NULL, IPA_CONF_TYPE_MISC, where_any, parse_fail },
  { "localsym", 2, NULL, NULL, IPA_CONF_TYPE_MISC, where_any, parse_localsym },
  { "globalsym", 2, NULL, NULL, IPA_CONF_TYPE_MISC, where_any, parse_globalsym },
  { "leak", 1, NULL, NULL, IPA_CONF_TYPE_UINT32, where_any, parse_leak },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

static int
conf_init (void)
{
  /* What the host must have stored before this first call (INV-06). */
  trace ("conf_init suppfunc=%d memfunc=%d create_rule=%d delete_rule=%d words_re=%s",
         SUPP != NULL, MEM != NULL, ipa_test_ac_ac_mod.ac_create_rule != NULL,
         ipa_test_ac_ac_mod.ac_delete_rule != NULL,
         (SUPP != NULL && regexec (&words_re, "ab cd", 0, NULL, 0) == 0) ? "compiled" : "no");
  if (SUPP == NULL || MEM == NULL)
    return -1;
  depth = 0;
  cur_custom = -1;
  m_test = MEM->mem_type_new ("tac", "ipa_test_ac settings", 0);
  rules_marray = MEM->marray_init ("tac_rules", "ipa_test_ac rules", 0, &rules_arr,
                                   sizeof (int), 4, 4);
  if (m_test == NULL || rules_marray == NULL)
    {
      logconferr (ENOMEM, "cannot initialise memory");
      return -1;
    }
  return 0;
}

static int
conf_deinit (void)
{
  trace ("conf_deinit");
  return 0;
}

static int
conf_event (unsigned int event, unsigned int no, const void *arg)
{
  int begin = event % 2 == 1;
  const char *name = NULL;

  switch (event)
    {
    case IPA_CONF_EVENT_RULE_BEGIN:
    case IPA_CONF_EVENT_RULE_END:
    case IPA_CONF_EVENT_AUTORULE_BEGIN:
    case IPA_CONF_EVENT_AUTORULE_END:
    case IPA_CONF_EVENT_RULEPAT_BEGIN:
    case IPA_CONF_EVENT_RULEPAT_END:
    case IPA_CONF_EVENT_LIMIT_BEGIN:
    case IPA_CONF_EVENT_LIMIT_END:
    case IPA_CONF_EVENT_THRESHOLD_BEGIN:
    case IPA_CONF_EVENT_THRESHOLD_END:
      name = arg;
      break;
    default:
      break;
    }
  trace ("conf_event %u %u %s", event, no, name != NULL ? name : "-");

  if (event == IPA_CONF_EVENT_CUSTOM_SECT_BEGIN)
    {
      cur_custom = n_custom - 1;
      return 0;
    }
  if (event == IPA_CONF_EVENT_CUSTOM_SECT_END)
    {
      cur_custom = -1;
      return 0;
    }
  if (event < IPA_CONF_EVENT_GLOBAL_BEGIN || event > IPA_CONF_EVENT_ABOVE_THRESHOLD_END)
    {
      logconferr (0, "unknown configuration event %u", event);
      return -1;
    }
  if (begin)
    {
      if (depth == MAX_DEPTH)
        return -1;
      /* GLOBAL_BEGIN (1) → IPA_CONF_SECT_GLOBAL (2), … */
      stack[depth++] = (Context) { (event + 1) / 2 + 1, no };
    }
  else if (depth > 0)
    {
      depth--;
    }
  return 0;
}

static int
conf_mimic_real (void)
{
  trace ("conf_mimic_real");
  return 0;
}

static int
conf_inherit (unsigned int rulepatno, unsigned int ruleno, const char *rule_name)
{
  trace ("conf_inherit %u %u %s", rulepatno, ruleno, rule_name);
  return 0;
}

static void
show_item (const Item *it)
{
  switch (it->kind)
    {
    case V_SECT:
      SUPP->print_sect_name (PREFIX, it->name);
      print_sect_args ("%s", it->s);
      SUPP->print_sect_begin ();
      for (int i = 0; i < n_items; i++)
        if (items[i].custom == (int) it->i)
          show_item (&items[i]);
      SUPP->print_sect_end ();
      return;
    case V_INT:
      SUPP->print_param_name (PREFIX, it->name);
      print_param_args ("%" PRId64, it->i);
      break;
    case V_UINT:
      SUPP->print_param_name (PREFIX, it->name);
      print_param_args ("%" PRIu64, it->u[0]);
      break;
    case V_STRING:
      SUPP->print_param_name (PREFIX, it->name);
      SUPP->print_string (it->s);
      break;
    case V_BYTES:
      SUPP->print_param_name (PREFIX, it->name);
      SUPP->print_bytes (&it->u[0]);
      break;
    case V_TIME:
      SUPP->print_param_name (PREFIX, it->name);
      SUPP->print_time (&it->u[0]);
      break;
    case V_VALUE:
      SUPP->print_param_name (PREFIX, it->name);
      SUPP->print_value (&it->u[1], (unsigned int) it->u[0]);
      break;
    case V_PERCENT:
      SUPP->print_param_name (PREFIX, it->name);
      print_param_args ("%" PRIu64 "%%", it->u[0]);
      break;
    case V_BOOL:
      SUPP->print_param_name (PREFIX, it->name);
      SUPP->print_boolean ((int) it->i);
      break;
    case V_MISC:
      SUPP->print_param_name (PREFIX, it->name);
      print_param_args ("%s", it->s);
      break;
    case V_NONE:
    default:
      SUPP->print_param_name (PREFIX, it->name);
      break;
    }
  SUPP->print_param_end ();
}

static void
conf_show (unsigned int sect_id, unsigned int no)
{
  trace ("conf_show %u %u", sect_id, no);
  for (int i = 0; i < n_items; i++)
    if (items[i].custom < 0 && items[i].where.sect_id == sect_id && items[i].where.no == no)
      show_item (&items[i]);
}

static int
ac_pre_init (void)
{
  trace ("ac_pre_init");
  return 0;
}

static int
ac_init_statrule (unsigned int ruleno, const char *rule_name)
{
  unsigned int idx = ruleno;

  trace ("ac_init_statrule %u %s", ruleno, rule_name);
  return MEM->marray_alloc (rules_marray, &idx, 1);
}

static int
ac_init (void)
{
  trace ("ac_init");
  return 0;
}

static int
ac_deinit_rule (unsigned int ruleno)
{
  trace ("ac_deinit_rule %u", ruleno);
  if (MEM->marray_check_index (rules_marray, ruleno))
    MEM->marray_free (rules_marray, ruleno);
  return 0;
}

static int
ac_deinit (void)
{
  trace ("ac_deinit");
  free_items ();
  MEM->marray_deinit (rules_marray);
  rules_marray = NULL;
  return 0;
}

static int
ac_get_stat (const ipa_tm *ctm)
{
  trace ("ac_get_stat %d-%02d-%02d", ctm->tm_year, ctm->tm_mon, ctm->tm_mday);
  return 0;
}

static int
ac_get_rule_stat (unsigned int stat_generation, int newstat, unsigned int ruleno,
                  int *addition, uint64_t *chunk)
{
  trace ("ac_get_rule_stat %u %d %u", stat_generation, newstat, ruleno);
  *addition = 1;
  *chunk = 0;
  return 0;
}

/* The host's fields start out NULL here; a module may not rely on that
 * (INV-07), but the tests check that the host filled them in. */
struct ipa_ac_mod ipa_test_ac_ac_mod = {
  .api_ver = IPA_AC_MOD_API_VERSION,
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .ac_name = MOD_NAME,
  .suppfunc = NULL,
  .memfunc = NULL,
  .conf_prefix = PREFIX,
  .conf_sect_tbl = sect_tbl,
  .conf_param_tbl = param_tbl,
  .conf_init = conf_init,
  .conf_deinit = conf_deinit,
  .conf_event = conf_event,
  .conf_mimic_real = conf_mimic_real,
  .conf_inherit = conf_inherit,
  .conf_show = conf_show,
  .ac_pre_init = ac_pre_init,
  .ac_init_statrule = ac_init_statrule,
  .ac_init = ac_init,
  .ac_deinit_rule = ac_deinit_rule,
  .ac_deinit = ac_deinit,
  .ac_get_stat = ac_get_stat,
  .ac_get_rule_stat = ac_get_rule_stat,
  .ac_create_rule = NULL,
  .ac_delete_rule = NULL,
};

const char *
ipa_test_ac_trace (void)
{
  return trace_buf;
}

void
ipa_test_ac_trace_reset (void)
{
  trace_reset ();
}

int
ipa_test_ac_create_rule (const char *rule_name)
{
  unsigned int ruleno = 0;
  int r = ipa_test_ac_ac_mod.ac_create_rule (MOD_NAME, 0, &ruleno, rule_name, "test rule");

  trace ("ac_create_rule %s = %d ruleno %u", rule_name, r, ruleno);
  return r;
}

int
ipa_test_ac_delete_rule (unsigned int ruleno)
{
  int r = ipa_test_ac_ac_mod.ac_delete_rule (MOD_NAME, ruleno);

  trace ("ac_delete_rule %u = %d", ruleno, r);
  return r;
}

void
ipa_test_ac_logmsg (int priority, int code, const char *message)
{
  logmsg (priority, code, "%s", message);
}
