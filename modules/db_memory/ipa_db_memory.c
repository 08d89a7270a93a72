/*
 * ipa_db_memory.c: ipa_db_memory, a database module that keeps everything
 * in memory (db_name "memory", prefix "memory"), for the tests of the
 * daemon.
 *
 * It implements every db function of ipa_mod(3) and the batches of
 * ipa_mod_ext.h.  With memory:file the whole content is written to a text
 * file after every batch (or every write, without batches) and read back
 * when the database starts, so that tests see what the daemon stored and
 * the daemon finds its states again after a restart.  memory:trace and
 * memory:fail / memory:fail_once work as in ipa_atest.  See README.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <ipa_mod.h>
#include <ipa_mod_ext.h>

#include "dbm-file.h"
#include "dbm-store.h"
#include "modtest-fail.h"
#include "modtest-format.h"
#include "modtest-trace.h"

#if IPA_DB_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1 || IPA_DB_MOD_EXT_API_VERSION != 1
# error "ipa_db_memory supports db API 2, memfunc API 1 and db extension API 1"
#endif

#define DBM_NAME "memory"
#define DBM_PREFIX "memory"

extern struct ipa_db_mod ipa_db_memory_db_mod;

#define MEM (ipa_db_memory_db_mod.memfunc)
#define SUPP (ipa_db_memory_db_mod.suppfunc)

/* Functions that memory:fail and memory:fail_once can make fail. */
enum {
  DF_APPEND_RULE,
  DF_UPDATE_RULE,
  DF_UPDATE_LIMIT,
  DF_LIMIT_EVENT,
  DF_SET_LIMIT_STATE,
  DF_GET_LIMIT_STATE,
  DF_SET_THRESHOLD_STATE,
  DF_UPDATE_THRESHOLD,
  DF_BEGIN_BATCH,
  DF_END_BATCH,
  DF_INIT,
  DF_PRE_INIT,
  DF_INIT_STATRULE,
  DF_N
};

static const char *const func_names[DF_N] = {
  [DF_APPEND_RULE] = "append_rule",
  [DF_UPDATE_RULE] = "update_rule",
  [DF_UPDATE_LIMIT] = "update_limit",
  [DF_LIMIT_EVENT] = "limit_event",
  [DF_SET_LIMIT_STATE] = "set_limit_state",
  [DF_GET_LIMIT_STATE] = "get_limit_state",
  [DF_SET_THRESHOLD_STATE] = "set_threshold_state",
  [DF_UPDATE_THRESHOLD] = "update_threshold",
  [DF_BEGIN_BATCH] = "begin_batch",
  [DF_END_BATCH] = "end_batch",
  [DF_INIT] = "init",
  [DF_PRE_INIT] = "pre_init",
  [DF_INIT_STATRULE] = "init_statrule",
};

enum { PH_CONF, PH_PRE_INIT, PH_INIT, PH_DEINIT };
enum { BATCH_NONE, BATCH_OPEN, BATCH_FAILED };

/* What this run knows of one rule number: the rule entity it names and
 * which of its parts were initialised here. */
typedef struct {
  DbmRule *rule;
  DbmLimit **limits;           /* by limitno; NULL: not initialised */
  unsigned int n_limits;
  DbmThreshold **thresholds;   /* by thresholdno */
  unsigned int n_thresholds;
  unsigned char rule_inited;
  unsigned char dynamic;
  unsigned char appended;      /* db_append_rule since init or activation */
  unsigned char activated;     /* ... the last of which was an activation */
} Slot;

/* fd -1 from the start: conf_init closes a descriptor left open. */
static MtTrace trace = { .fd = -1 };
/* One mem_type per purpose, so that a leak report says what leaked. */
static ipa_mem_type *m_data;     /* the content (dbm-store) */
static ipa_mem_type *m_rules;    /* what this run initialised */
static ipa_mem_type *m_io;       /* trace buffer */
static DbmStore store;
static int phase;
static int dirty;              /* changed since the file was written */

static char *file_path;        /* m_parser */
static unsigned int file_sect;
static char *trace_path;       /* m_parser */
static unsigned int trace_sect;
static MtFailSpec plan[DF_N];
static uint32_t calls[DF_N];

static ipa_marray *slots_ma;
static void *slots_arr;
static unsigned int slots_top;

static int batch;
static int batches_seen;
static unsigned long unbatched;   /* runtime calls before the first batch */

/* Top level or global, from conf_event. */
static unsigned int sect_stack[64];
static int depth;

#define ENC(buf, s) (mt_encode ((s) != NULL ? (s) : "", (buf), sizeof (buf)), (buf))

static int
fails (unsigned int func)
{
  calls[func]++;
  if (!mt_fail_hit (&plan[func], calls[func]))
    return 0;
  mt_trace (&trace, 0, "%s ret=-1 planned=1", func_names[func]);
  return 1;
}

static void
want_phase (const char *func, int want)
{
  static const char *const when[] = {
    [PH_CONF] = "before db_pre_init",
    [PH_PRE_INIT] = "between db_pre_init and db_init",
    [PH_INIT] = "after db_init",
    [PH_DEINIT] = "after db_deinit",
  };

  if (phase != want)
    mt_violation (&trace, "%s %s (allowed only %s)", func, when[phase], when[want]);
}

static void
check_tm (const char *func, const char *what, const ipa_tm *tm)
{
  char buf[MT_TM_LEN];

  if (!mt_tm_valid (tm))
    {
      mt_tm_format (tm, buf);
      mt_violation (&trace, "%s: %s %s wday=%d is not a valid ipa_tm (INV-62)",
                    func, what, buf, tm->tm_wday);
    }
}

/* A runtime call (INV-43) that ipa_mod_ext.h brackets in a batch. */
static void
runtime (const char *func)
{
  if (phase != PH_INIT)
    want_phase (func, PH_INIT);
  if (batch != BATCH_NONE)
    return;
  if (batches_seen)
    mt_violation (&trace, "%s outside a batch (ipa_mod_ext.h)", func);
  else
    unbatched++;
}

static int
save (void)
{
  if (file_path == NULL)
    {
      dirty = 0;
      return 0;
    }
  if (dbm_file_save (&store, file_path) != 0)
    {
      mt_log (&trace, IPA_LOG_ERR, errno, "memory:file: cannot write %s", file_path);
      return -1;
    }
  dirty = 0;
  return 0;
}

/* The content changed: written now when no batch will write it, and
 * not during initialisation (db_init writes it once). */
static void
changed (void)
{
  dirty = 1;
  if (batch == BATCH_NONE && phase == PH_INIT)
    save ();
}

static int
nomem (const char *func)
{
  mt_log (&trace, IPA_LOG_ERR, ENOMEM, "%s: out of memory", func);
  return -1;
}

/* Slots */

static Slot *
slot_get (unsigned int ruleno)
{
  if (slots_ma == NULL || !MEM->marray_check_index (slots_ma, ruleno))
    return NULL;
  return &((Slot *) slots_arr)[ruleno];
}

static Slot *
slot_make (unsigned int ruleno)
{
  Slot *s = slot_get (ruleno);
  unsigned int idx = ruleno;

  if (s != NULL)
    return s;
  if (MEM->marray_alloc (slots_ma, &idx, 1) != 0)
    return NULL;
  s = &((Slot *) slots_arr)[ruleno];
  memset (s, 0, sizeof *s);
  if (ruleno >= slots_top)
    slots_top = ruleno + 1;
  return s;
}

static unsigned int
slot_parts (const Slot *s)
{
  unsigned int n = 0;

  for (unsigned int i = 0; i < s->n_limits; i++)
    n += s->limits[i] != NULL;
  for (unsigned int i = 0; i < s->n_thresholds; i++)
    n += s->thresholds[i] != NULL;
  return n;
}

static void
slot_free (unsigned int ruleno)
{
  Slot *s = slot_get (ruleno);

  if (s == NULL)
    return;
  if (s->limits != NULL)
    MEM->mem_free (s->limits, m_rules);
  if (s->thresholds != NULL)
    MEM->mem_free (s->thresholds, m_rules);
  MEM->marray_free (slots_ma, ruleno);
}

static void
slot_maybe_free (unsigned int ruleno)
{
  Slot *s = slot_get (ruleno);

  if (s != NULL && !s->rule_inited && slot_parts (s) == 0)
    slot_free (ruleno);
}

/* The rule entity of @ruleno named @rule_name, creating the slot; NULL
 * (after a message) if the number already names another rule. */
static Slot *
slot_for_rule (const char *func, unsigned int ruleno, const char *rule_name)
{
  Slot *s = slot_make (ruleno);
  char enc[512];

  if (s == NULL)
    {
      nomem (func);
      return NULL;
    }
  if (s->rule != NULL && strcmp (s->rule->name, rule_name) != 0)
    {
      mt_violation (&trace, "%s rule=%u: named %s, but rule %u is %s here (INV-42)", func,
                    ruleno, ENC (enc, rule_name), ruleno, s->rule->name);
      return NULL;
    }
  if (s->rule == NULL)
    {
      s->rule = dbm_rule_get (&store, rule_name, 1);
      if (s->rule == NULL)
        {
          slot_maybe_free (ruleno);
          nomem (func);
          return NULL;
        }
    }
  return s;
}

/* Make room for index @no in an array of pointers (cleared). */
static int
grow_parts (void ***arr, unsigned int *n, unsigned int no)
{
  void **p;

  if (no < *n)
    return 0;
  p = MEM->mem_realloc (*arr, ((size_t) no + 1) * sizeof *p, m_rules);
  if (p == NULL)
    return -1;
  memset (p + *n, 0, ((size_t) no + 1 - *n) * sizeof *p);
  *arr = p;
  *n = no + 1;
  return 0;
}

static DbmLimit *
limit_get (const char *func, unsigned int ruleno, unsigned int limitno)
{
  Slot *s = slot_get (ruleno);

  if (s == NULL || limitno >= s->n_limits || s->limits[limitno] == NULL)
    {
      mt_violation (&trace, "%s rule=%u limit=%u: limit not initialised", func, ruleno, limitno);
      return NULL;
    }
  return s->limits[limitno];
}

static DbmThreshold *
threshold_get (const char *func, unsigned int ruleno, unsigned int thresholdno)
{
  Slot *s = slot_get (ruleno);

  if (s == NULL || thresholdno >= s->n_thresholds || s->thresholds[thresholdno] == NULL)
    {
      mt_violation (&trace, "%s rule=%u threshold=%u: threshold not initialised", func,
                    ruleno, thresholdno);
      return NULL;
    }
  return s->thresholds[thresholdno];
}

/* Configuration */

static int
parse_path (void *arg, char **dst, unsigned int *sect, const char *param)
{
  char *path = *(char **) arg;

  if (*dst != NULL)
    {
      mt_conferr (&trace, 0, "memory:%s given twice (first \"%s\")", param, *dst);
      MEM->mem_free (path, MEM->m_parser);
      return -1;
    }
  if (path[0] == '\0')
    {
      mt_conferr (&trace, 0, "memory:%s: empty path", param);
      MEM->mem_free (path, MEM->m_parser);
      return -1;
    }
  *dst = path;
  /* param_where keeps these at top level or in global: depth 0 or 1. */
  *sect = depth == 1 ? sect_stack[0] : IPA_CONF_SECT_ROOT;
  return 0;
}

static int
parse_file (void *arg)
{
  return parse_path (arg, &file_path, &file_sect, "file");
}

static int
parse_trace (void *arg)
{
  int err;

  if (parse_path (arg, &trace_path, &trace_sect, "trace") != 0)
    return -1;
  err = mt_trace_open (&trace, trace_path);
  if (err != 0)
    {
      mt_conferr (&trace, err, "memory:trace: cannot open \"%s\"", trace_path);
      MEM->mem_free (trace_path, MEM->m_parser);
      trace_path = NULL;
      return -1;
    }
  return 0;
}

static int
parse_plan (void *arg, int once)
{
  char *text = *(char **) arg;
  char err[512];
  int r = mt_fail_parse (text, func_names, DF_N, once, plan, err, sizeof err);

  if (r != 0)
    mt_conferr (&trace, 0, "memory:%s \"%s\": %s", once ? "fail_once" : "fail", text, err);
  MEM->mem_free (text, MEM->m_parser);
  return r;
}

static int
parse_fail (void *arg)
{
  return parse_plan (arg, 0);
}

static int
parse_fail_once (void *arg)
{
  return parse_plan (arg, 1);
}

static const unsigned int where_top[] = { IPA_CONF_SECT_ROOT, IPA_CONF_SECT_GLOBAL, 0 };

static ipa_conf_param param_tbl[] = {
  { "file", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_top, parse_file },
  { "trace", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_top, parse_trace },
  { "fail", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_top, parse_fail },
  { "fail_once", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_top, parse_fail_once },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

static int
conf_init (void)
{
  /* An earlier life's memory was released by the host: forget it. */
  if (trace.fd >= 0)
    close (trace.fd);
  m_data = MEM->mem_type_new ("db_memory_data", "ipa_db_memory content", 0);
  m_rules = MEM->mem_type_new ("db_memory_rules", "ipa_db_memory rules in use", 0);
  m_io = MEM->mem_type_new ("db_memory_io", "ipa_db_memory trace", 0);
  if (m_data == NULL || m_rules == NULL || m_io == NULL)
    return -1;
  mt_trace_init (&trace, DBM_NAME, NULL, &ipa_db_memory_db_mod, m_io);
  dbm_store_init (&store, MEM, m_data);
  phase = PH_CONF;
  dirty = 0;
  file_path = trace_path = NULL;
  file_sect = trace_sect = 0;
  memset (plan, 0, sizeof plan);
  memset (calls, 0, sizeof calls);
  slots_top = 0;
  batch = BATCH_NONE;
  batches_seen = 0;
  unbatched = 0;
  depth = 0;
  mt_trace (&trace, 0, "conf_init");
  slots_ma = MEM->marray_init ("db_memory_slots", "ipa_db_memory rules in use", 0,
                               &slots_arr, sizeof (Slot), 16, 16);
  if (slots_ma == NULL)
    {
      mt_conferr (&trace, ENOMEM, "cannot create the rule array");
      return -1;
    }
  return 0;
}

static int
conf_deinit (void)
{
  mt_trace (&trace, 0, "conf_deinit");
  mt_trace_end_config (&trace);
  return 0;
}

static int
conf_event (unsigned int event, unsigned int no, const void *arg)
{
  int named = event >= IPA_CONF_EVENT_RULE_BEGIN && event <= IPA_CONF_EVENT_RULEPAT_END;
  char enc[512];

  if (mt_trace_wanted (&trace, 0))
    mt_trace (&trace, 0, "conf_event event=%u no=%u arg=%s", event, no,
              named && arg != NULL ? ENC (enc, (const char *) arg) : "-");
  if (phase != PH_CONF)
    mt_violation (&trace, "conf_event %u after db_pre_init", event);
  if (event >= IPA_CONF_EVENT_CUSTOM_SECT_BEGIN || event < IPA_CONF_EVENT_GLOBAL_BEGIN)
    return 0;
  if (event % 2 == 1)
    {
      if (depth < (int) (sizeof sect_stack / sizeof sect_stack[0]))
        sect_stack[depth] = (event + 1) / 2 + 1;
      depth++;
    }
  else if (depth > 0)
    depth--;
  return 0;
}

static int
conf_inherit (unsigned int rulepatno, unsigned int ruleno, const char *rule_name)
{
  char enc[512];

  mt_trace (&trace, 0, "conf_inherit rulepat=%u rule=%u name=%s", rulepatno, ruleno,
            ENC (enc, rule_name));
  if (phase == PH_DEINIT)
    mt_violation (&trace, "conf_inherit after db_deinit");
  return 0;
}

static void
show_string (const char *param, const char *value)
{
  SUPP->print_param_name (DBM_PREFIX, param);
  SUPP->print_string (value);
  SUPP->print_param_end ();
}

static void
show_plan (int once)
{
  char text[512];
  size_t pos = 0;

  text[0] = '\0';
  for (unsigned int i = 0; i < DF_N && pos < sizeof text; i++)
    {
      uint32_t call = once ? plan[i].once : plan[i].from;

      if (call == 0)
        continue;
      if (call == 1 && !once)
        pos += (size_t) snprintf (text + pos, sizeof text - pos, "%s%s",
                                  pos > 0 ? " " : "", func_names[i]);
      else
        pos += (size_t) snprintf (text + pos, sizeof text - pos, "%s%s@%" PRIu32,
                                  pos > 0 ? " " : "", func_names[i], call);
    }
  if (text[0] != '\0')
    show_string (once ? "fail_once" : "fail", text);
}

static void
conf_show (unsigned int sect_id, unsigned int no)
{
  if (sect_id != IPA_CONF_SECT_ROOT && sect_id != IPA_CONF_SECT_GLOBAL)
    return;
  if (file_path != NULL && file_sect == sect_id)
    show_string ("file", file_path);
  if (trace_path != NULL && trace_sect == sect_id)
    show_string ("trace", trace_path);
  /* Plans are module-wide: shown once, with the global section. */
  if (sect_id == IPA_CONF_SECT_GLOBAL)
    {
      show_plan (0);
      show_plan (1);
    }
}

/* Initialisation */

static int
db_pre_init (void)
{
  char err[1024];

  mt_trace (&trace, 0, "pre_init");
  want_phase ("db_pre_init", PH_CONF);
  if (fails (DF_PRE_INIT))
    return -1;
  if (file_path != NULL && dbm_file_load (&store, file_path, err, sizeof err) != 0)
    {
      mt_log (&trace, IPA_LOG_ERR, 0, "memory:file: %s", err);
      return -1;
    }
  phase = PH_PRE_INIT;
  return 0;
}

static int
init_rule (const char *func, int dynamic, unsigned int autoruleno, unsigned int ruleno,
           const char *rule_name, const char *rule_info)
{
  char enc[512], enc2[512];
  Slot *s;

  if (dynamic)
    mt_trace (&trace, 0, "%s autorule=%u rule=%u name=%s info=%s", func, autoruleno, ruleno,
              ENC (enc, rule_name), rule_info != NULL ? ENC (enc2, rule_info) : "-");
  else
    mt_trace (&trace, 0, "%s rule=%u name=%s info=%s", func, ruleno,
              ENC (enc, rule_name), rule_info != NULL ? ENC (enc2, rule_info) : "-");
  if (dynamic)
    runtime (func);
  else
    {
      want_phase (func, PH_PRE_INIT);
      if (fails (DF_INIT_STATRULE))
        return -1;
    }
  if (rule_name == NULL)
    {
      mt_violation (&trace, "%s rule=%u: rule_name is NULL", func, ruleno);
      return -1;
    }
  s = slot_get (ruleno);
  if (s != NULL && s->rule_inited)
    {
      mt_violation (&trace, "%s rule=%u: already initialised", func, ruleno);
      return -1;
    }
  if (s != NULL && slot_parts (s) > 0)
    mt_violation (&trace, "%s rule=%u: after the init of its limits or thresholds (INV-38)",
                  func, ruleno);
  s = slot_for_rule (func, ruleno, rule_name);
  if (s == NULL)
    return -1;
  if (dbm_rule_set_info (&store, s->rule, rule_info) != 0)
    return nomem (func);
  s->rule->active = 1;
  s->rule_inited = 1;
  s->dynamic = (unsigned char) dynamic;
  s->appended = 0;
  s->activated = 0;
  changed ();
  return 0;
}

static int
db_init_statrule (unsigned int ruleno, const char *rule_name, const char *rule_info)
{
  return init_rule ("init_statrule", 0, 0, ruleno, rule_name, rule_info);
}

static int
db_init_dynrule (unsigned int autoruleno, unsigned int ruleno, const char *rule_name,
                 const char *rule_info)
{
  return init_rule ("init_dynrule", 1, autoruleno, ruleno, rule_name, rule_info);
}

/* Limits and thresholds share this: @is_limit chooses the arrays. */
static int
init_part (const char *func, int dynamic, unsigned int autoruleno, unsigned int ruleno,
           const char *rule_name, const char *rule_info, int is_limit, unsigned int no,
           const char *name)
{
  const char *kind = is_limit ? "limit" : "threshold";
  char enc[512], enc2[512];
  Slot *s;
  void *part;
  int r;

  if (dynamic)
    mt_trace (&trace, 0, "%s autorule=%u rule=%u %s=%u rule_name=%s name=%s", func,
              autoruleno, ruleno, kind, no, ENC (enc, rule_name), ENC (enc2, name));
  else
    mt_trace (&trace, 0, "%s rule=%u %s=%u rule_name=%s name=%s", func, ruleno, kind, no,
              ENC (enc, rule_name), ENC (enc2, name));
  if (dynamic)
    runtime (func);
  else
    want_phase (func, PH_PRE_INIT);
  if (rule_name == NULL || name == NULL)
    {
      mt_violation (&trace, "%s rule=%u %s=%u: a name is NULL", func, ruleno, kind, no);
      return -1;
    }

  s = slot_for_rule (func, ruleno, rule_name);
  if (s == NULL)
    return -1;
  /* A rule that does not use this database still has a name and info. */
  if (!s->rule_inited && dbm_rule_set_info (&store, s->rule, rule_info) != 0)
    return nomem (func);
  if (is_limit)
    {
      r = grow_parts ((void ***) &s->limits, &s->n_limits, no);
      part = r == 0 ? s->limits[no] : NULL;
    }
  else
    {
      r = grow_parts ((void ***) &s->thresholds, &s->n_thresholds, no);
      part = r == 0 ? s->thresholds[no] : NULL;
    }
  if (r != 0)
    {
      slot_maybe_free (ruleno);
      return nomem (func);
    }
  if (part != NULL)
    {
      mt_violation (&trace, "%s rule=%u %s=%u: already initialised", func, ruleno, kind, no);
      return -1;
    }
  if (is_limit)
    {
      DbmLimit *l = dbm_limit_get (&store, s->rule, name, 1);

      if (l == NULL)
        return nomem (func);
      l->active = 1;
      s->limits[no] = l;
    }
  else
    {
      DbmThreshold *t = dbm_threshold_get (&store, s->rule, name, 1);

      if (t == NULL)
        return nomem (func);
      t->active = 1;
      s->thresholds[no] = t;
    }
  changed ();
  return 0;
}

static int
db_init_dynlimit (unsigned int autoruleno, unsigned int ruleno, const char *rule_name,
                  const char *rule_info, unsigned int limitno, const char *limit_name,
                  const char *limit_info)
{
  return init_part ("init_dynlimit", 1, autoruleno, ruleno, rule_name, rule_info, 1,
                    limitno, limit_name);
}

static int
db_init_statlimit (unsigned int ruleno, const char *rule_name, const char *rule_info,
                   unsigned int limitno, const char *limit_name, const char *limit_info)
{
  return init_part ("init_statlimit", 0, 0, ruleno, rule_name, rule_info, 1,
                    limitno, limit_name);
}

static int
db_init_dynthreshold (unsigned int autoruleno, unsigned int ruleno, const char *rule_name,
                      const char *rule_info, unsigned int thresholdno,
                      const char *threshold_name, const char *threshold_info)
{
  return init_part ("init_dynthreshold", 1, autoruleno, ruleno, rule_name, rule_info, 0,
                    thresholdno, threshold_name);
}

static int
db_init_statthreshold (unsigned int ruleno, const char *rule_name, const char *rule_info,
                       unsigned int thresholdno, const char *threshold_name,
                       const char *threshold_info)
{
  return init_part ("init_statthreshold", 0, 0, ruleno, rule_name, rule_info, 0,
                    thresholdno, threshold_name);
}

static int
db_init (void)
{
  mt_trace (&trace, 0, "init");
  want_phase ("db_init", PH_PRE_INIT);
  if (fails (DF_INIT))
    return -1;
  phase = PH_INIT;
  /* Tests find the file as soon as the database is up. */
  return save ();
}

/* Deinitialisation */

static int
db_deinit_threshold (unsigned int ruleno, unsigned int thresholdno)
{
  Slot *s = slot_get (ruleno);

  mt_trace (&trace, 0, "deinit_threshold rule=%u threshold=%u", ruleno, thresholdno);
  if (phase == PH_DEINIT)
    mt_violation (&trace, "deinit_threshold after db_deinit");
  if (s == NULL || thresholdno >= s->n_thresholds)
    return 0;
  s->thresholds[thresholdno] = NULL;
  slot_maybe_free (ruleno);
  return 0;
}

static int
db_deinit_limit (unsigned int ruleno, unsigned int limitno)
{
  Slot *s = slot_get (ruleno);

  mt_trace (&trace, 0, "deinit_limit rule=%u limit=%u", ruleno, limitno);
  if (phase == PH_DEINIT)
    mt_violation (&trace, "deinit_limit after db_deinit");
  if (s == NULL || limitno >= s->n_limits)
    return 0;
  s->limits[limitno] = NULL;
  slot_maybe_free (ruleno);
  return 0;
}

static int
db_deinit_rule (unsigned int ruleno)
{
  Slot *s = slot_get (ruleno);

  mt_trace (&trace, 0, "deinit_rule rule=%u", ruleno);
  if (phase == PH_DEINIT)
    mt_violation (&trace, "deinit_rule after db_deinit");
  if (s == NULL || !s->rule_inited)
    return 0;
  if (slot_parts (s) > 0)
    mt_violation (&trace, "deinit_rule rule=%u: %u of its limits and thresholds are still "
                  "initialised (INV-73)", ruleno, slot_parts (s));
  s->rule_inited = 0;
  slot_maybe_free (ruleno);
  return 0;
}

static int
db_deinit (void)
{
  unsigned int left = 0;
  const char *first = NULL;
  int r = 0;

  mt_trace (&trace, 0, "deinit");
  if (phase == PH_DEINIT)
    {
      mt_violation (&trace, "db_deinit called twice");
      return 0;
    }
  if (batch == BATCH_OPEN)
    mt_violation (&trace, "db_deinit inside a batch");
  for (unsigned int i = 0; slots_ma != NULL && i < slots_top; i++)
    {
      Slot *s = slot_get (i);

      if (s == NULL)
        continue;
      if (first == NULL && s->rule != NULL)
        first = s->rule->name;
      left++;
      slot_free (i);
    }
  if (left > 0)
    mt_violation (&trace, "db_deinit while %u rules (%s, ...) or their limits or thresholds "
                  "were not deinitialised (INV-73)", left, first != NULL ? first : "?");
  /* A database that never started has nothing to write. */
  if (dirty && phase == PH_INIT)
    r = save ();
  MEM->marray_deinit (slots_ma);
  slots_ma = NULL;
  slots_top = 0;
  dbm_store_free (&store);
  if (file_path != NULL)
    MEM->mem_free (file_path, MEM->m_parser);
  if (trace_path != NULL)
    MEM->mem_free (trace_path, MEM->m_parser);
  file_path = trace_path = NULL;
  /* The trace file stays open until unloading, for calls after this. */
  mt_trace_end_config (&trace);
  phase = PH_DEINIT;
  return r;
}

__attribute__ ((destructor)) static void
db_memory_unload (void)
{
  if (trace.fd >= 0)
    close (trace.fd);
  trace.fd = -1;
}

/* Limit and threshold states */

static int
db_get_limit_state (unsigned int ruleno, unsigned int limitno, struct ipa_limit_state *state)
{
  DbmLimit *l;
  struct ipa_limit_state *cur;
  int ret;

  runtime ("db_get_limit_state");
  if (fails (DF_GET_LIMIT_STATE))
    return -1;
  l = limit_get ("get_limit_state", ruleno, limitno);
  cur = l != NULL ? dbm_limit_current (l) : NULL;
  ret = l == NULL ? -1 : cur != NULL;
  if (cur != NULL)
    *state = *cur;
  mt_trace (&trace, 0, "get_limit_state rule=%u limit=%u ret=%d", ruleno, limitno, ret);
  return ret;
}

static int
db_set_limit_state (unsigned int ruleno, unsigned int limitno,
                    const struct ipa_limit_state *state, int new_state)
{
  DbmLimit *l;
  struct ipa_limit_state *cur;

  mt_trace (&trace, 0, "set_limit_state rule=%u limit=%u new=%d lim=%" PRIu64 " cnt=%" PRIu64,
            ruleno, limitno, new_state, state->lim, state->cnt);
  runtime ("db_set_limit_state");
  if (fails (DF_SET_LIMIT_STATE))
    return -1;
  l = limit_get ("set_limit_state", ruleno, limitno);
  if (l == NULL)
    return -1;
  cur = dbm_limit_current (l);
  if (new_state || cur == NULL)
    {
      if (dbm_limit_push (&store, l, state) != 0)
        return nomem ("set_limit_state");
      if (new_state)
        l->n_new++;
    }
  else
    dbm_limit_state_copy (cur, state);
  changed ();
  return 0;
}

static int
db_get_threshold_state (unsigned int ruleno, unsigned int thresholdno,
                        struct ipa_threshold_state *state)
{
  DbmThreshold *t;
  int ret;

  runtime ("db_get_threshold_state");
  t = threshold_get ("get_threshold_state", ruleno, thresholdno);
  ret = t == NULL ? -1 : t->has_state;
  if (ret == 1)
    *state = t->state;
  mt_trace (&trace, 0, "get_threshold_state rule=%u threshold=%u ret=%d", ruleno, thresholdno,
            ret);
  return ret;
}

static int
db_set_threshold_state (unsigned int ruleno, unsigned int thresholdno,
                        const struct ipa_threshold_state *state)
{
  DbmThreshold *t;

  mt_trace (&trace, 0, "set_threshold_state rule=%u threshold=%u thr=%" PRIu64 " cnt=%" PRIu64,
            ruleno, thresholdno, state->thr, state->cnt);
  runtime ("db_set_threshold_state");
  if (fails (DF_SET_THRESHOLD_STATE))
    return -1;
  t = threshold_get ("set_threshold_state", ruleno, thresholdno);
  if (t == NULL)
    return -1;
  memset (&t->state, 0, sizeof t->state);
  t->state.thr = state->thr;
  t->state.cnt = state->cnt;
  dbm_tm_copy (&t->state.tm_from, &state->tm_from);
  dbm_tm_copy (&t->state.tm_updated, &state->tm_updated);
  t->has_state = 1;
  changed ();
  return 0;
}

/* Writes */

static int
db_append_rule (unsigned int ruleno, const uint64_t *cnt, const ipa_tm *ctm)
{
  char tm[MT_TM_LEN];
  Slot *s;

  mt_tm_format (ctm, tm);
  mt_trace (&trace, 0, "append_rule rule=%u cnt=%" PRIu64 " tm=%s", ruleno, *cnt, tm);
  runtime ("db_append_rule");
  check_tm ("append_rule", "ctm", ctm);
  if (fails (DF_APPEND_RULE))
    return -1;
  s = slot_get (ruleno);
  if (s == NULL || !s->rule_inited)
    {
      mt_violation (&trace, "append_rule rule=%u: rule not initialised", ruleno);
      return -1;
    }
  if (dbm_record_append (&store, s->rule, ctm, *cnt) != 0)
    return nomem ("append_rule");
  s->appended = 1;
  changed ();
  return 0;
}

static int
db_update_rule (unsigned int ruleno, const uint64_t *cnt, const ipa_tm *ctm)
{
  char tm[MT_TM_LEN];
  DbmRecord *rec;
  Slot *s;

  mt_tm_format (ctm, tm);
  mt_trace (&trace, 0, "update_rule rule=%u cnt=%" PRIu64 " tm=%s", ruleno, *cnt, tm);
  runtime ("db_update_rule");
  check_tm ("update_rule", "ctm", ctm);
  if (fails (DF_UPDATE_RULE))
    return -1;
  s = slot_get (ruleno);
  if (s == NULL || !s->rule_inited)
    {
      mt_violation (&trace, "update_rule rule=%u: rule not initialised", ruleno);
      return -1;
    }
  if (!s->appended)
    mt_violation (&trace, s->activated
                  ? "update_rule rule=%u: after db_set_rule_active(1) before db_append_rule "
                    "(INV-54)"
                  : "update_rule rule=%u: before any db_append_rule (INV-53)", ruleno);
  if (s->rule->n_records == 0)
    return -1;
  rec = &s->rule->records[s->rule->n_records - 1];
  if (rec->first.tm_year != ctm->tm_year || rec->first.tm_mon != ctm->tm_mon ||
      rec->first.tm_mday != ctm->tm_mday)
    mt_violation (&trace, "update_rule rule=%u: %s is not the day of its record "
                  "%04d-%02d-%02d (INV-55)", ruleno, tm, rec->first.tm_year,
                  rec->first.tm_mon, rec->first.tm_mday);
  rec->last.tm_hour = ctm->tm_hour;
  rec->last.tm_min = ctm->tm_min;
  rec->last.tm_sec = ctm->tm_sec;
  rec->cnt = *cnt;
  changed ();
  return 0;
}

static int
db_update_limit (unsigned int ruleno, unsigned int limitno, const uint64_t *value,
                 const ipa_tm *ctm)
{
  char tm[MT_TM_LEN];
  struct ipa_limit_state *cur;
  DbmLimit *l;

  mt_tm_format (ctm, tm);
  mt_trace (&trace, 0, "update_limit rule=%u limit=%u value=%" PRIu64 " tm=%s",
            ruleno, limitno, *value, tm);
  runtime ("db_update_limit");
  check_tm ("update_limit", "ctm", ctm);
  if (fails (DF_UPDATE_LIMIT))
    return -1;
  l = limit_get ("update_limit", ruleno, limitno);
  if (l == NULL)
    return -1;
  cur = dbm_limit_current (l);
  if (cur == NULL)
    {
      mt_violation (&trace, "update_limit rule=%u limit=%u: the limit has no state "
                    "(no db_set_limit_state)", ruleno, limitno);
      return -1;
    }
  cur->cnt = *value;
  dbm_tm_copy (&cur->event_date[IPA_LIMIT_EVENT_UPDATED], ctm);
  cur->event_date_set |= IPA_LIMIT_EVENT_UPDATED_SET;
  changed ();
  return 0;
}

static int
db_limit_event (unsigned int ruleno, unsigned int limitno, unsigned int event,
                const ipa_tm *etm, const ipa_tm *ctm)
{
  char e[MT_TM_LEN], c[MT_TM_LEN];
  struct ipa_limit_state *cur;
  DbmLimit *l;

  mt_tm_format (etm, e);
  mt_tm_format (ctm, c);
  mt_trace (&trace, 0, "limit_event rule=%u limit=%u event=%u etm=%s tm=%s",
            ruleno, limitno, event, e, c);
  runtime ("db_limit_event");
  check_tm ("limit_event", "etm", etm);
  check_tm ("limit_event", "ctm", ctm);
  switch (event)
    {
    case IPA_LIMIT_EVENT_RESTART_EXEC:
    case IPA_LIMIT_EVENT_REACH:
    case IPA_LIMIT_EVENT_REACH_EXEC:
    case IPA_LIMIT_EVENT_EXPIRE:
    case IPA_LIMIT_EVENT_EXPIRE_EXEC:
      break;
    default:
      mt_violation (&trace, "limit_event rule=%u limit=%u: event %u is not one a database "
                    "module receives (INV-58)", ruleno, limitno, event);
      if (event >= IPA_LIMIT_EVENT_NUM)
        return -1;
    }
  if (fails (DF_LIMIT_EVENT))
    return -1;
  l = limit_get ("limit_event", ruleno, limitno);
  if (l == NULL)
    return -1;
  cur = dbm_limit_current (l);
  if (cur == NULL)
    {
      mt_violation (&trace, "limit_event rule=%u limit=%u: the limit has no state "
                    "(no db_set_limit_state)", ruleno, limitno);
      return -1;
    }
  dbm_tm_copy (&cur->event_date[event], etm);
  cur->event_date_set |= 1U << event;
  dbm_tm_copy (&cur->event_date[IPA_LIMIT_EVENT_UPDATED], ctm);
  cur->event_date_set |= IPA_LIMIT_EVENT_UPDATED_SET;
  changed ();
  return 0;
}

static int
db_update_threshold (unsigned int ruleno, unsigned int thresholdno, const uint64_t *cnt,
                     const ipa_tm *tm_from, const ipa_tm *tm_updated)
{
  char f[MT_TM_LEN], u[MT_TM_LEN];
  DbmThreshold *t;

  mt_tm_format (tm_from, f);
  mt_tm_format (tm_updated, u);
  mt_trace (&trace, 0, "update_threshold rule=%u threshold=%u cnt=%" PRIu64 " from=%s updated=%s",
            ruleno, thresholdno, *cnt, f, u);
  runtime ("db_update_threshold");
  check_tm ("update_threshold", "tm_from", tm_from);
  check_tm ("update_threshold", "tm_updated", tm_updated);
  if (fails (DF_UPDATE_THRESHOLD))
    return -1;
  t = threshold_get ("update_threshold", ruleno, thresholdno);
  if (t == NULL)
    return -1;
  if (!t->has_state)
    {
      mt_violation (&trace, "update_threshold rule=%u threshold=%u: the threshold has no "
                    "state (no db_set_threshold_state)", ruleno, thresholdno);
      return -1;
    }
  t->state.cnt = *cnt;
  dbm_tm_copy (&t->state.tm_from, tm_from);
  dbm_tm_copy (&t->state.tm_updated, tm_updated);
  changed ();
  return 0;
}

/* Activity */

static int
db_set_rule_active (unsigned int ruleno, int active)
{
  Slot *s = slot_get (ruleno);

  mt_trace (&trace, 0, "set_rule_active rule=%u active=%d", ruleno, active);
  runtime ("db_set_rule_active");
  if (s == NULL || !s->rule_inited)
    {
      mt_violation (&trace, "set_rule_active rule=%u: rule not initialised", ruleno);
      return -1;
    }
  s->rule->active = active != 0;
  if (active)
    {
      /* INV-54: the next write must be an append. */
      s->appended = 0;
      s->activated = 1;
    }
  changed ();
  return 0;
}

static int
db_set_limit_active (unsigned int ruleno, unsigned int limitno, int active)
{
  DbmLimit *l;

  mt_trace (&trace, 0, "set_limit_active rule=%u limit=%u active=%d", ruleno, limitno, active);
  runtime ("db_set_limit_active");
  l = limit_get ("set_limit_active", ruleno, limitno);
  if (l == NULL)
    return -1;
  l->active = active != 0;
  changed ();
  return 0;
}

static int
db_set_threshold_active (unsigned int ruleno, unsigned int thresholdno, int active)
{
  DbmThreshold *t;

  mt_trace (&trace, 0, "set_threshold_active rule=%u threshold=%u active=%d",
            ruleno, thresholdno, active);
  runtime ("db_set_threshold_active");
  t = threshold_get ("set_threshold_active", ruleno, thresholdno);
  if (t == NULL)
    return -1;
  t->active = active != 0;
  changed ();
  return 0;
}

/* Batches (ipa_mod_ext.h) */

static int
db_begin_batch (const ipa_tm *ctm)
{
  char tm[MT_TM_LEN];

  mt_tm_format (ctm, tm);
  mt_trace (&trace, 0, "begin_batch tm=%s", tm);
  want_phase ("db_begin_batch", PH_INIT);
  check_tm ("begin_batch", "ctm", ctm);
  if (!batches_seen)
    {
      batches_seen = 1;
      if (unbatched > 0)
        mt_violation (&trace, "%lu runtime calls came before the first batch (ipa_mod_ext.h)",
                      unbatched);
    }
  if (batch == BATCH_OPEN)
    mt_violation (&trace, "begin_batch inside a batch (batches never nest)");
  if (fails (DF_BEGIN_BATCH))
    {
      /* The calls until end_batch belong to a failed batch. */
      batch = BATCH_FAILED;
      return -1;
    }
  batch = BATCH_OPEN;
  return 0;
}

static int
db_end_batch (void)
{
  int was = batch;

  mt_trace (&trace, 0, "end_batch");
  want_phase ("db_end_batch", PH_INIT);
  batch = BATCH_NONE;
  if (was == BATCH_NONE)
    mt_violation (&trace, "end_batch without begin_batch");
  if (was == BATCH_FAILED)
    {
      mt_trace (&trace, 0, "end_batch ret=-1 begin_failed=1");
      return -1;
    }
  if (fails (DF_END_BATCH))
    return -1;
  return dirty ? save () : 0;
}

__attribute__ ((visibility ("default")))
struct ipa_db_mod ipa_db_memory_db_mod = {
  .api_ver = IPA_DB_MOD_API_VERSION,
  /* The host never calls a module from two threads at once (INV-103). */
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .db_name = DBM_NAME,
  .suppfunc = NULL,
  .memfunc = NULL,
  .conf_prefix = DBM_PREFIX,
  .conf_sect_tbl = NULL,
  .conf_param_tbl = param_tbl,
  .conf_init = conf_init,
  .conf_deinit = conf_deinit,
  .conf_event = conf_event,
  .conf_mimic_real = NULL,
  .conf_inherit = conf_inherit,
  .conf_show = conf_show,
  .db_pre_init = db_pre_init,
  .db_init_dynrule = db_init_dynrule,
  .db_init_statrule = db_init_statrule,
  .db_init_dynlimit = db_init_dynlimit,
  .db_init_statlimit = db_init_statlimit,
  .db_init_dynthreshold = db_init_dynthreshold,
  .db_init_statthreshold = db_init_statthreshold,
  .db_init = db_init,
  .db_get_limit_state = db_get_limit_state,
  .db_set_limit_state = db_set_limit_state,
  .db_get_threshold_state = db_get_threshold_state,
  .db_set_threshold_state = db_set_threshold_state,
  .db_deinit_threshold = db_deinit_threshold,
  .db_deinit_limit = db_deinit_limit,
  .db_deinit_rule = db_deinit_rule,
  .db_deinit = db_deinit,
  .db_append_rule = db_append_rule,
  .db_update_rule = db_update_rule,
  .db_update_limit = db_update_limit,
  .db_limit_event = db_limit_event,
  .db_update_threshold = db_update_threshold,
  .db_set_rule_active = db_set_rule_active,
  .db_set_limit_active = db_set_limit_active,
  .db_set_threshold_active = db_set_threshold_active,
};

__attribute__ ((visibility ("default")))
struct ipa_db_mod_ext ipa_db_memory_db_mod_ext = {
  .api_ver = IPA_DB_MOD_EXT_API_VERSION,
  .db_begin_batch = db_begin_batch,
  .db_end_batch = db_end_batch,
};
