/*
 * atest-conf.c: the configuration of ipa_atest: its parameters, where they
 * were written (global, rule, rulepat, autorule), inheritance, conf_show.
 *
 * Settings are kept as written, per section; what a rule runs with is
 * computed when it is initialised: the rule's own settings, then those of
 * the rulepats conf_inherit named for it (in call order), then global.  A
 * dynamic rule takes its autorule's settings, then the rulepats named for
 * it, then global.  atest:stall and atest:fail of the global section are
 * module-wide (they act on ac_get_stat and count every call of the
 * module) and are therefore not inherited by rules.
 */
#include "atest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SUPP (ipa_atest_ac_mod.suppfunc)

typedef struct {
  AtestSettings s;
  char *name;  /* atest_mem_conf */
} ConfAutorule;

typedef struct {
  unsigned int ruleno;
  unsigned int rulepatno;
} PendingInherit;

static AtestSettings global;
static char *control_path;         /* m_parser */
static unsigned int control_sect;
static char *trace_path;           /* m_parser */
static unsigned int trace_sect;

/* Indexed by the numbers of conf_event; items exist for sections with
 * settings (rules, rulepats) or for every section (autorules). */
static ipa_marray *rule_ma;
static void *rule_arr;
static ipa_marray *rulepat_ma;
static void *rulepat_arr;
static ipa_marray *autorule_ma;
static void *autorule_arr;
static unsigned int n_static, n_rulepats, n_autorules;
static int mimic;                  /* conf_mimic_real was called */

/* conf_event context: the standard sections open now. */
#define MAX_DEPTH 64
static struct {
  unsigned int sect_id;
  unsigned int no;
} stack[MAX_DEPTH];
static int depth;

/* conf_inherit for dynamic rules, until their ac_init_dynrule. */
static PendingInherit *pending;
static unsigned int n_pending, cap_pending;

const char *const atest_func_names[AF_N] = {
  [AF_PRE_INIT] = "pre_init",
  [AF_INIT] = "init",
  [AF_INIT_STATRULE] = "init_statrule",
  [AF_INIT_DYNRULE] = "init_dynrule",
  [AF_INIT_AUTORULE] = "init_autorule",
  [AF_GET_STAT] = "get_stat",
  [AF_GET_RULE_STAT] = "get_rule_stat",
  [AF_SET_RULE_ACTIVE] = "set_rule_active",
  [AF_LIMIT_EVENT] = "limit_event",
  [AF_THRESHOLD_EVENT] = "threshold_event",
  [AF_DEINIT] = "deinit",
  [AF_DEINIT_RULE] = "deinit_rule",
};

static AtestSettings *
rule_settings (unsigned int i)
{
  return &((AtestSettings *) rule_arr)[i];
}

static AtestSettings *
rulepat_settings (unsigned int i)
{
  return &((AtestSettings *) rulepat_arr)[i];
}

static ConfAutorule *
autorule_at (unsigned int i)
{
  return &((ConfAutorule *) autorule_arr)[i];
}

/* Item @no of @ma, allocated and zeroed when it is new; NULL if memory is
 * exhausted.  The pointer is valid until the next allocation in @ma. */
static void *
item_at (ipa_marray *ma, void **arr, size_t isize, unsigned int no)
{
  if (!MEM->marray_check_index (ma, no))
    {
      unsigned int idx = no;

      if (MEM->marray_alloc (ma, &idx, 1) != 0)
        return NULL;
      memset ((char *) *arr + (size_t) no * isize, 0, isize);
    }
  return (char *) *arr + (size_t) no * isize;
}

int
atest_conf_init (void)
{
  /* State of an earlier life of a module that was not unmapped belongs to
   * memory the host has released: forget it, never free it. */
  memset (&global, 0, sizeof global);
  control_path = trace_path = NULL;
  control_sect = trace_sect = 0;
  n_static = n_rulepats = n_autorules = 0;
  mimic = 0;
  depth = 0;
  pending = NULL;
  n_pending = cap_pending = 0;

  rule_ma = MEM->marray_init ("atest_rule_conf", "ipa_atest settings of rules", 0,
                              &rule_arr, sizeof (AtestSettings), 16, 16);
  rulepat_ma = MEM->marray_init ("atest_rulepat_conf", "ipa_atest settings of rulepats", 0,
                                 &rulepat_arr, sizeof (AtestSettings), 4, 4);
  autorule_ma = MEM->marray_init ("atest_autorule_conf", "ipa_atest autorules", 0,
                                  &autorule_arr, sizeof (ConfAutorule), 4, 4);
  if (rule_ma == NULL || rulepat_ma == NULL || autorule_ma == NULL)
    {
      mt_conferr (&atest_trace, ENOMEM, "cannot create the settings arrays");
      return -1;
    }
  return 0;
}

static void
settings_free (AtestSettings *s)
{
  if (s->fail != NULL)
    MEM->mem_free (s->fail, atest_mem_conf);
  if (s->create != NULL)
    MEM->mem_free (s->create, MEM->m_parser);
  if (s->inherit != NULL)
    MEM->mem_free (s->inherit, atest_mem_conf);
  memset (s, 0, sizeof *s);
}

static void
marray_settings_free (ipa_marray **ma, void **arr, size_t isize, unsigned int n)
{
  if (*ma == NULL)
    return;
  for (unsigned int i = 0; i < n; i++)
    if (MEM->marray_check_index (*ma, i))
      settings_free ((AtestSettings *) ((char *) *arr + (size_t) i * isize));
  MEM->marray_deinit (*ma);
  *ma = NULL;
}

void
atest_conf_free (void)
{
  settings_free (&global);
  if (control_path != NULL)
    MEM->mem_free (control_path, MEM->m_parser);
  if (trace_path != NULL)
    MEM->mem_free (trace_path, MEM->m_parser);
  control_path = trace_path = NULL;
  marray_settings_free (&rule_ma, &rule_arr, sizeof (AtestSettings), n_static);
  marray_settings_free (&rulepat_ma, &rulepat_arr, sizeof (AtestSettings), n_rulepats);
  if (autorule_ma != NULL)
    for (unsigned int i = 0; i < n_autorules; i++)
      if (MEM->marray_check_index (autorule_ma, i))
        {
          if (autorule_at (i)->name != NULL)
            MEM->mem_free (autorule_at (i)->name, atest_mem_conf);
          autorule_at (i)->name = NULL;
        }
  marray_settings_free (&autorule_ma, &autorule_arr, sizeof (ConfAutorule), n_autorules);
  if (pending != NULL)
    MEM->mem_free (pending, atest_mem_conf);
  pending = NULL;
  n_pending = cap_pending = 0;
  n_static = n_rulepats = n_autorules = 0;
}

/* conf_event */

static int
event_has_name (unsigned int event)
{
  switch (event)
    {
    case IPA_CONF_EVENT_RULE_BEGIN:
    case IPA_CONF_EVENT_RULE_END:
    case IPA_CONF_EVENT_LIMIT_BEGIN:
    case IPA_CONF_EVENT_LIMIT_END:
    case IPA_CONF_EVENT_THRESHOLD_BEGIN:
    case IPA_CONF_EVENT_THRESHOLD_END:
    case IPA_CONF_EVENT_AUTORULE_BEGIN:
    case IPA_CONF_EVENT_AUTORULE_END:
    case IPA_CONF_EVENT_RULEPAT_BEGIN:
    case IPA_CONF_EVENT_RULEPAT_END:
      return 1;
    default:
      return 0;
    }
}

int
atest_conf_event (unsigned int event, unsigned int no, const void *arg)
{
  const char *name = event_has_name (event) ? arg : NULL;
  char enc[512];

  if (mt_trace_wanted (&atest_trace, atest_trace.debug))
    {
      if (name != NULL)
        mt_encode (name, enc, sizeof enc);
      mt_trace (&atest_trace, atest_trace.debug, "conf_event event=%u no=%u arg=%s",
                event, no, name != NULL ? enc : "-");
    }
  if (atest_phase != PH_CONF)
    mt_violation (&atest_trace, "conf_event %u after ac_pre_init", event);

  if (event < IPA_CONF_EVENT_GLOBAL_BEGIN || event > IPA_CONF_EVENT_CUSTOM_SECT_END)
    {
      mt_violation (&atest_trace, "conf_event: unknown event %u", event);
      return 0;
    }
  /* ipa_atest has no sections of its own. */
  if (event >= IPA_CONF_EVENT_CUSTOM_SECT_BEGIN)
    {
      mt_violation (&atest_trace, "conf_event: custom section event %u, but ipa_atest "
                    "has no sections", event);
      return 0;
    }
  if (event % 2 == 0)
    {
      unsigned int sect_id = (event + 1) / 2 + 1;

      if (depth == 0 || stack[depth - 1].sect_id != sect_id || stack[depth - 1].no != no)
        mt_violation (&atest_trace, "conf_event: end event %u does not match the open section",
                      event);
      if (depth > 0)
        depth--;
      return 0;
    }
  if (depth == MAX_DEPTH)
    {
      mt_conferr (&atest_trace, 0, "sections nest more than %d deep", MAX_DEPTH);
      return -1;
    }
  stack[depth].sect_id = (event + 1) / 2 + 1;
  stack[depth].no = no;
  depth++;

  switch (event)
    {
    case IPA_CONF_EVENT_RULE_BEGIN:
      if (no >= n_static)
        n_static = no + 1;
      break;
    case IPA_CONF_EVENT_RULEPAT_BEGIN:
      if (no >= n_rulepats)
        n_rulepats = no + 1;
      break;
    case IPA_CONF_EVENT_AUTORULE_BEGIN:
      {
        ConfAutorule *a = item_at (autorule_ma, &autorule_arr, sizeof (ConfAutorule), no);

        if (no >= n_autorules)
          n_autorules = no + 1;
        if (a == NULL)
          {
            mt_conferr (&atest_trace, ENOMEM, "cannot remember autorule %u", no);
            return -1;
          }
        if (a->name == NULL && name != NULL)
          {
            a->name = MEM->mem_strdup (name, atest_mem_conf);
            if (a->name == NULL)
              {
                mt_conferr (&atest_trace, ENOMEM, "cannot remember autorule %s", name);
                return -1;
              }
          }
        break;
      }
    default:
      break;
    }
  return 0;
}

/* Parameters */

/* The settings of the innermost section, allocated if needed; NULL at top
 * level.  *sect_id receives the section. */
static AtestSettings *
current_settings (unsigned int *sect_id)
{
  unsigned int id = depth > 0 ? stack[depth - 1].sect_id : IPA_CONF_SECT_ROOT;
  unsigned int no = depth > 0 ? stack[depth - 1].no : 0;
  AtestSettings *s = NULL;

  *sect_id = id;
  switch (id)
    {
    case IPA_CONF_SECT_GLOBAL:
      return &global;
    case IPA_CONF_SECT_RULE:
      s = item_at (rule_ma, &rule_arr, sizeof (AtestSettings), no);
      break;
    case IPA_CONF_SECT_RULEPAT:
      s = item_at (rulepat_ma, &rulepat_arr, sizeof (AtestSettings), no);
      break;
    case IPA_CONF_SECT_AUTORULE:
      {
        ConfAutorule *a = item_at (autorule_ma, &autorule_arr, sizeof (ConfAutorule), no);

        s = a != NULL ? &a->s : NULL;
        break;
      }
    default:
      return NULL;
    }
  if (s == NULL)
    mt_conferr (&atest_trace, ENOMEM, "cannot allocate settings");
  return s;
}

/* The settings a parameter goes to, or NULL (after a message) when it
 * cannot be set there; @what is the AS_* bit that must not be set yet. */
static AtestSettings *
target (const char *param, unsigned int what)
{
  unsigned int sect_id;
  AtestSettings *s = current_settings (&sect_id);

  if (s == NULL)
    {
      if (sect_id != IPA_CONF_SECT_ROOT)
        return NULL;
      mt_conferr (&atest_trace, 0, "%s:%s is not allowed at top level", ATEST_PREFIX, param);
      return NULL;
    }
  if (what != 0 && (s->set & what))
    {
      mt_conferr (&atest_trace, 0, "%s:%s: %s given twice in this section", ATEST_PREFIX, param,
                  what == AS_AMOUNT ? "the amount (atest:chunk or atest:rate) is" : "it is");
      return NULL;
    }
  return s;
}

static int
parse_chunk (void *arg)
{
  const char *text = *(char **) arg;
  const char *p = text;
  AtestSettings *s = target ("chunk", AS_AMOUNT);
  int subtract = 0;
  uint64_t v;

  if (s == NULL)
    return -1;
  if (*p == '-' || *p == '+')
    {
      subtract = *p == '-';
      p++;
      while (*p == ' ')
        p++;
    }
  if (mt_bytes_parse (p, &v) != 0)
    {
      mt_conferr (&atest_trace, 0,
                  "atest:chunk \"%s\": expected [-]AMOUNT: a number of bytes or bytes "
                  "with units, e.g. 1500, -1K, 1G 512M", text);
      return -1;
    }
  s->set |= AS_AMOUNT;
  s->mode = AMOUNT_CHUNK;
  s->subtract = (unsigned char) subtract;
  s->amount = v;
  return 0;
}

static int
parse_rate (void *arg)
{
  AtestSettings *s = target ("rate", AS_AMOUNT);

  if (s == NULL)
    return -1;
  s->set |= AS_AMOUNT;
  s->mode = AMOUNT_RATE;
  s->subtract = 0;
  s->amount = *(uint64_t *) arg;
  return 0;
}

static int
parse_stall (void *arg)
{
  AtestSettings *s = target ("stall", AS_STALL);

  if (s == NULL)
    return -1;
  s->set |= AS_STALL;
  s->stall = *(uint64_t *) arg;
  return 0;
}

static int
parse_debug (void *arg)
{
  unsigned int sect_id;
  AtestSettings *s = target ("debug", AS_DEBUG);

  if (s == NULL)
    return -1;
  s->set |= AS_DEBUG;
  s->debug = *(int *) arg != 0;
  /* Module-wide calls follow the global setting from now on. */
  if (current_settings (&sect_id) == &global)
    atest_trace.debug = global.debug;
  return 0;
}

static int
parse_duplicate (void *arg)
{
  AtestSettings *s = target ("duplicate", AS_DUPLICATE);

  if (s == NULL)
    return -1;
  s->set |= AS_DUPLICATE;
  s->duplicate = *(int *) arg != 0;
  return 0;
}

static int
parse_create (void *arg)
{
  char *text = *(char **) arg;
  AtestSettings *s = target ("create", 0);
  int names = 0;

  if (s == NULL)
    goto fail;
  if (s->create != NULL)
    {
      mt_conferr (&atest_trace, 0, "atest:create given twice in this autorule");
      goto fail;
    }
  for (const char *p = text; *p != '\0';)
    {
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        break;
      names++;
      while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;
    }
  if (names == 0)
    {
      mt_conferr (&atest_trace, 0, "atest:create: no rule name given");
      goto fail;
    }
  s->create = text;
  return 0;

fail:
  MEM->mem_free (text, MEM->m_parser);
  return -1;
}

static int
parse_fail_common (void *arg, int once)
{
  char *text = *(char **) arg;
  const char *param = once ? "fail_once" : "fail";
  unsigned int sect_id;
  AtestSettings *s = target (param, 0);
  MtFailSpec specs[AF_N];
  char err[512];
  int r = -1;

  if (s == NULL)
    goto out;
  current_settings (&sect_id);
  if (s->fail != NULL)
    memcpy (specs, s->fail, sizeof specs);
  else
    memset (specs, 0, sizeof specs);
  if (mt_fail_parse (text, atest_func_names, AF_N, once, specs, err, sizeof err) != 0)
    {
      mt_conferr (&atest_trace, 0, "atest:%s \"%s\": %s", param, text, err);
      goto out;
    }
  if (sect_id != IPA_CONF_SECT_GLOBAL)
    for (unsigned int i = 0; i < AF_N; i++)
      if (mt_fail_set (&specs[i]) && !(AF_PER_RULE & (1U << i)))
        {
          mt_conferr (&atest_trace, 0,
                      "atest:%s: %s counts the calls of the whole module; "
                      "plan it in the global section", param, atest_func_names[i]);
          goto out;
        }
  if (s->fail == NULL)
    {
      s->fail = MEM->mem_malloc (sizeof specs, atest_mem_conf);
      if (s->fail == NULL)
        {
          mt_conferr (&atest_trace, ENOMEM, "atest:%s: cannot store the plan", param);
          goto out;
        }
    }
  memcpy (s->fail, specs, sizeof specs);
  r = 0;

out:
  MEM->mem_free (text, MEM->m_parser);
  return r;
}

static int
parse_fail (void *arg)
{
  return parse_fail_common (arg, 0);
}

static int
parse_fail_once (void *arg)
{
  return parse_fail_common (arg, 1);
}

/* Where a root-or-global parameter was written; 0 if not allowed. */
static unsigned int
root_or_global (void)
{
  unsigned int id = depth > 0 ? stack[depth - 1].sect_id : IPA_CONF_SECT_ROOT;

  return id == IPA_CONF_SECT_ROOT || id == IPA_CONF_SECT_GLOBAL ? id : 0;
}

static int
parse_control (void *arg)
{
  char *path = *(char **) arg;

  if (control_path != NULL)
    {
      mt_conferr (&atest_trace, 0, "atest:control given twice (first \"%s\")", control_path);
      MEM->mem_free (path, MEM->m_parser);
      return -1;
    }
  if (path[0] == '\0')
    {
      mt_conferr (&atest_trace, 0, "atest:control: empty path");
      MEM->mem_free (path, MEM->m_parser);
      return -1;
    }
  control_path = path;
  control_sect = root_or_global ();
  return 0;
}

static int
parse_trace (void *arg)
{
  char *path = *(char **) arg;
  int err;

  if (trace_path != NULL)
    {
      mt_conferr (&atest_trace, 0, "atest:trace given twice (first \"%s\")", trace_path);
      MEM->mem_free (path, MEM->m_parser);
      return -1;
    }
  err = path[0] != '\0' ? mt_trace_open (&atest_trace, path) : ENOENT;
  if (err != 0)
    {
      mt_conferr (&atest_trace, err, "atest:trace: cannot open \"%s\"", path);
      MEM->mem_free (path, MEM->m_parser);
      return -1;
    }
  trace_path = path;
  trace_sect = root_or_global ();
  return 0;
}

static const unsigned int where_sections[] = {
  IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_RULE, IPA_CONF_SECT_AUTORULE, 0
};
static const unsigned int where_top[] = { IPA_CONF_SECT_ROOT, IPA_CONF_SECT_GLOBAL, 0 };
static const unsigned int where_autorule[] = { IPA_CONF_SECT_AUTORULE, 0 };

ipa_conf_param atest_param_tbl[] = {
  { "chunk", -1, NULL, NULL, IPA_CONF_TYPE_MISC, where_sections, parse_chunk },
  { "rate", -1, NULL, NULL, IPA_CONF_TYPE_BYTES, where_sections, parse_rate },
  { "stall", -1, NULL, NULL, IPA_CONF_TYPE_TIME, where_sections, parse_stall },
  { "fail", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_sections, parse_fail },
  { "fail_once", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_sections, parse_fail_once },
  { "debug", 1, NULL, NULL, IPA_CONF_TYPE_BOOLEAN, where_sections, parse_debug },
  { "create", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_autorule, parse_create },
  { "duplicate", 1, NULL, NULL, IPA_CONF_TYPE_BOOLEAN, where_autorule, parse_duplicate },
  { "control", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_top, parse_control },
  { "trace", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_top, parse_trace },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

/* conf_inherit */

static int
inherit_error (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

/* INV-26: logconferr before ac_pre_init, logmsg after. */
static int
inherit_error (const char *format, ...)
{
  char text[512];
  va_list ap;

  va_start (ap, format);
  vsnprintf (text, sizeof text, format, ap);
  va_end (ap);
  if (atest_phase == PH_CONF)
    mt_conferr (&atest_trace, ENOMEM, "%s", text);
  else
    mt_log (&atest_trace, IPA_LOG_ERR, ENOMEM, "%s", text);
  return -1;
}

int
atest_conf_inherit (unsigned int rulepatno, unsigned int ruleno, const char *rule_name)
{
  char enc[512];

  if (mt_trace_wanted (&atest_trace, atest_trace.debug))
    {
      mt_encode (rule_name != NULL ? rule_name : "", enc, sizeof enc);
      mt_trace (&atest_trace, atest_trace.debug, "conf_inherit rulepat=%u rule=%u name=%s",
                rulepatno, ruleno, enc);
    }
  if (atest_phase == PH_DEINIT)
    mt_violation (&atest_trace, "conf_inherit after ac_deinit");
  if (rulepatno >= n_rulepats)
    {
      mt_violation (&atest_trace, "conf_inherit: rulepat %u, but the configuration has %u rulepats",
                    rulepatno, n_rulepats);
      return 0;
    }
  if (ruleno < n_static)
    {
      AtestSettings *s = item_at (rule_ma, &rule_arr, sizeof (AtestSettings), ruleno);
      unsigned int *inherit;

      if (s == NULL)
        return inherit_error ("conf_inherit: cannot allocate settings of rule %u", ruleno);
      inherit = MEM->mem_realloc (s->inherit, (s->n_inherit + 1) * sizeof *inherit, atest_mem_conf);
      if (inherit == NULL)
        return inherit_error ("conf_inherit: cannot remember rulepat %u of rule %u",
                              rulepatno, ruleno);
      inherit[s->n_inherit++] = rulepatno;
      s->inherit = inherit;
      return 0;
    }
  if (atest_phase == PH_CONF)
    {
      mt_violation (&atest_trace, "conf_inherit: rule %u, but the configuration has %u rules",
                    ruleno, n_static);
      return 0;
    }
  /* A dynamic rule about to be created. */
  if (n_pending == cap_pending)
    {
      unsigned int cap = cap_pending > 0 ? cap_pending * 2 : 8;
      PendingInherit *p = MEM->mem_realloc (pending, cap * sizeof *p, atest_mem_conf);

      if (p == NULL)
        return inherit_error ("conf_inherit: cannot remember rulepat %u of rule %u",
                              rulepatno, ruleno);
      pending = p;
      cap_pending = cap;
    }
  pending[n_pending].ruleno = ruleno;
  pending[n_pending].rulepatno = rulepatno;
  n_pending++;
  return 0;
}

/* Effective settings */

static void
layer (AtestEffective *e, unsigned int *have, const AtestSettings *s, int rule_level)
{
  if ((s->set & AS_AMOUNT) && !(*have & AS_AMOUNT))
    {
      e->mode = s->mode;
      e->subtract = s->subtract;
      e->amount = s->amount;
      *have |= AS_AMOUNT;
    }
  if ((s->set & AS_DEBUG) && !(*have & AS_DEBUG))
    {
      e->debug = s->debug;
      *have |= AS_DEBUG;
    }
  if (!rule_level)
    return;
  if ((s->set & AS_STALL) && !(*have & AS_STALL))
    {
      e->stall = s->stall;
      *have |= AS_STALL;
    }
  if (s->fail != NULL)
    for (unsigned int i = 0; i < AF_N; i++)
      if ((AF_PER_RULE & (1U << i)) && !mt_fail_set (&e->fail[i]) && mt_fail_set (&s->fail[i]))
        {
          e->fail[i] = s->fail[i];
          e->has_fail = 1;
        }
}

static void
layer_rulepat (AtestEffective *e, unsigned int *have, unsigned int rulepatno)
{
  if (rulepatno < n_rulepats && MEM->marray_check_index (rulepat_ma, rulepatno))
    layer (e, have, rulepat_settings (rulepatno), 1);
}

void
atest_conf_effective_static (unsigned int ruleno, AtestEffective *e)
{
  unsigned int have = 0;

  memset (e, 0, sizeof *e);
  if (ruleno < n_static && MEM->marray_check_index (rule_ma, ruleno))
    {
      const AtestSettings *s = rule_settings (ruleno);

      layer (e, &have, s, 1);
      for (unsigned int i = 0; i < s->n_inherit; i++)
        layer_rulepat (e, &have, s->inherit[i]);
    }
  layer (e, &have, &global, 0);
  e->have = have;
}

void
atest_conf_effective_dynamic (unsigned int autoruleno, unsigned int ruleno, AtestEffective *e)
{
  unsigned int have = 0;
  unsigned int kept = 0;

  memset (e, 0, sizeof *e);
  if (autoruleno < n_autorules && MEM->marray_check_index (autorule_ma, autoruleno))
    layer (e, &have, &autorule_at (autoruleno)->s, 1);
  for (unsigned int i = 0; i < n_pending; i++)
    {
      if (pending[i].ruleno == ruleno)
        layer_rulepat (e, &have, pending[i].rulepatno);
      else
        pending[kept++] = pending[i];
    }
  n_pending = kept;
  layer (e, &have, &global, 0);
  e->have = have;
}

const AtestSettings *
atest_conf_global (void)
{
  return &global;
}

unsigned int
atest_conf_n_static (void)
{
  return n_static;
}

int
atest_conf_autorule_lookup (const char *name, unsigned int *no)
{
  for (unsigned int i = 0; i < n_autorules; i++)
    if (MEM->marray_check_index (autorule_ma, i) && autorule_at (i)->name != NULL &&
        strcmp (autorule_at (i)->name, name) == 0)
      {
        *no = i;
        return 0;
      }
  return -1;
}

static const ConfAutorule *
autorule_get (unsigned int no)
{
  if (autorule_ma == NULL || no >= n_autorules || !MEM->marray_check_index (autorule_ma, no))
    return NULL;
  return autorule_at (no);
}

const char *
atest_conf_autorule_name (unsigned int no)
{
  const ConfAutorule *a = autorule_get (no);

  return a != NULL ? a->name : NULL;
}

const char *
atest_conf_autorule_create (unsigned int no)
{
  const ConfAutorule *a = autorule_get (no);

  return a != NULL ? a->s.create : NULL;
}

int
atest_conf_autorule_duplicate (unsigned int no)
{
  const ConfAutorule *a = autorule_get (no);

  return a != NULL && a->s.duplicate;
}

const char *
atest_conf_control_path (void)
{
  return control_path;
}

/* conf_show */

static void
print_args (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static void
print_args (const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  SUPP->print_param_args (format, ap);
  va_end (ap);
}

static void
show_string (const char *param, const char *value)
{
  SUPP->print_param_name (ATEST_PREFIX, param);
  SUPP->print_string (value);
  SUPP->print_param_end ();
}

static void
show_plan (const MtFailSpec *specs, int once)
{
  char text[512];
  size_t pos = 0;

  text[0] = '\0';
  for (unsigned int i = 0; i < AF_N && pos < sizeof text; i++)
    {
      uint32_t call = once ? specs[i].once : specs[i].from;

      if (call == 0)
        continue;
      if (call == 1 && !once)
        pos += (size_t) snprintf (text + pos, sizeof text - pos, "%s%s",
                                  pos > 0 ? " " : "", atest_func_names[i]);
      else
        pos += (size_t) snprintf (text + pos, sizeof text - pos, "%s%s@%" PRIu32,
                                  pos > 0 ? " " : "", atest_func_names[i], call);
    }
  if (text[0] != '\0')
    show_string (once ? "fail_once" : "fail", text);
}

static void
show_settings (const AtestSettings *s)
{
  if (s->set & AS_AMOUNT)
    {
      if (s->mode == AMOUNT_CHUNK)
        {
          char bytes[64];

          mt_bytes_format (s->amount, bytes, sizeof bytes);
          SUPP->print_param_name (ATEST_PREFIX, "chunk");
          print_args ("%s%s", s->subtract ? "-" : "", bytes);
        }
      else
        {
          SUPP->print_param_name (ATEST_PREFIX, "rate");
          SUPP->print_bytes (&s->amount);
        }
      SUPP->print_param_end ();
    }
  if (s->set & AS_STALL)
    {
      SUPP->print_param_name (ATEST_PREFIX, "stall");
      SUPP->print_time (&s->stall);
      SUPP->print_param_end ();
    }
  if (s->fail != NULL)
    {
      show_plan (s->fail, 0);
      show_plan (s->fail, 1);
    }
  if (s->set & AS_DEBUG)
    {
      SUPP->print_param_name (ATEST_PREFIX, "debug");
      SUPP->print_boolean (s->debug);
      SUPP->print_param_end ();
    }
  if (s->create != NULL)
    show_string ("create", s->create);
  if (s->set & AS_DUPLICATE)
    {
      SUPP->print_param_name (ATEST_PREFIX, "duplicate");
      SUPP->print_boolean (s->duplicate);
      SUPP->print_param_end ();
    }
}

int
atest_conf_mimic_real (void)
{
  mimic = 1;
  return 0;
}

/* A rule as it will run (-tt): its settings with inheritance applied. */
static void
show_effective (unsigned int ruleno)
{
  AtestEffective e;
  AtestSettings view;

  atest_conf_effective_static (ruleno, &e);
  memset (&view, 0, sizeof view);
  view.set = e.have;
  view.mode = e.mode;
  view.subtract = e.subtract;
  view.debug = e.debug;
  view.amount = e.amount;
  view.stall = e.stall;
  view.fail = e.has_fail ? e.fail : NULL;
  show_settings (&view);
}

void
atest_conf_show (unsigned int sect_id, unsigned int no)
{
  switch (sect_id)
    {
    case IPA_CONF_SECT_ROOT:
    case IPA_CONF_SECT_GLOBAL:
      if (control_path != NULL && control_sect == sect_id)
        show_string ("control", control_path);
      if (trace_path != NULL && trace_sect == sect_id)
        show_string ("trace", trace_path);
      if (sect_id == IPA_CONF_SECT_GLOBAL)
        show_settings (&global);
      break;
    case IPA_CONF_SECT_RULE:
      if (mimic && no < n_static)
        show_effective (no);
      else if (rule_ma != NULL && no < n_static && MEM->marray_check_index (rule_ma, no))
        show_settings (rule_settings (no));
      break;
    case IPA_CONF_SECT_RULEPAT:
      if (rulepat_ma != NULL && no < n_rulepats && MEM->marray_check_index (rulepat_ma, no))
        show_settings (rulepat_settings (no));
      break;
    case IPA_CONF_SECT_AUTORULE:
      {
        const ConfAutorule *a = autorule_get (no);

        if (a != NULL)
          show_settings (&a->s);
        break;
      }
    default:
      break;
    }
}
