/*
 * netdev-conf.c: the netdev: parameters of ipa.conf (see netdev-conf.h).
 */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <string.h>

#include "netdev-conf.h"
#include "netdev-module.h"
#include "netdev-slots.h"

#define SUPP NETDEV_SUPP
#define MEM NETDEV_MEM

#define DEFAULT_COUNT NETDEV_COUNT_BOTH
#define DEFAULT_UNIT NETDEV_UNIT_BYTES
#define DEFAULT_SOURCE NETDEV_SOURCE_AUTO

static const char *const count_words[] = { NULL, "rx", "tx", "both" };
static const char *const unit_words[] = { "bytes", "packets" };
static const char *const source_words[] = { "auto", "netlink", "proc" };

static ipa_mem_type *m_conf;
static int configuring;         /* before ac_pre_init */
static int mimic;

static NetdevSettings global_set;
static NetdevOptInt source;
static unsigned int source_sect; /* where source was written */

typedef struct {
  NetdevSettings set;
} Item;

static NetdevSlots rule_conf = NETDEV_SLOTS_INIT ("netdev_rule_conf", "netdev: settings of rules", Item);
static NetdevSlots autorule_conf = NETDEV_SLOTS_INIT ("netdev_autorule_conf", "netdev: settings of autorules", Item);
static NetdevSlots rulepat_conf = NETDEV_SLOTS_INIT ("netdev_rulepat_conf", "netdev: settings of rulepats", Item);

/* The section being parsed (conf_event). */
static unsigned int cur_sect;
static unsigned int cur_no;

static void conf_error (int code, const char *format, ...) __attribute__ ((format (printf, 2, 3)));
static void print_param_args (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static void
conf_error (int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  if (configuring)
    SUPP->logconferr (NETDEV_MOD_NAME, code, format, ap);
  else
    SUPP->logmsg (NETDEV_MOD_NAME, IPA_LOG_ERR, code, format, ap);
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

/* ---------------------------------------------------------------------
 * Values
 */

static void
opt_str_clear (NetdevOptStr *o)
{
  if (o->s != NULL)
    MEM->mem_free (o->s, m_conf);
  o->s = NULL;
  o->origin = NETDEV_ORIGIN_NONE;
}

static void
settings_clear (NetdevSettings *s)
{
  opt_str_clear (&s->interface);
  opt_str_clear (&s->pattern);
  opt_str_clear (&s->prefix);
  memset (s, 0, sizeof *s);
}

static int
settings_empty (const NetdevSettings *s)
{
  return s->interface.origin == NETDEV_ORIGIN_NONE && s->count.origin == NETDEV_ORIGIN_NONE &&
         s->unit.origin == NETDEV_ORIGIN_NONE && s->pattern.origin == NETDEV_ORIGIN_NONE &&
         s->prefix.origin == NETDEV_ORIGIN_NONE;
}

static int
inherit_str (NetdevOptStr *to, const NetdevOptStr *from, NetdevOrigin origin)
{
  char *s;

  if (to->origin != NETDEV_ORIGIN_NONE || from->origin == NETDEV_ORIGIN_NONE)
    return 0;
  s = MEM->mem_strdup (from->s, m_conf);
  if (s == NULL)
    return -1;
  to->s = s;
  to->origin = origin;
  return 0;
}

static void
inherit_int (NetdevOptInt *to, const NetdevOptInt *from, NetdevOrigin origin)
{
  if (to->origin != NETDEV_ORIGIN_NONE || from->origin == NETDEV_ORIGIN_NONE)
    return;
  to->v = from->v;
  to->origin = origin;
}

static void
default_int (NetdevOptInt *to, int v)
{
  inherit_int (to, &(NetdevOptInt) { NETDEV_ORIGIN_DEFAULT, v }, NETDEV_ORIGIN_DEFAULT);
}

/* ---------------------------------------------------------------------
 * Parameters
 */

static regex_t count_re, unit_re, source_re;

static const unsigned int where_rule_sects[] = {
  IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_RULE, IPA_CONF_SECT_AUTORULE, 0
};
static const unsigned int where_interface[] = { IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_RULE, 0 };
static const unsigned int where_autorule[] = { IPA_CONF_SECT_AUTORULE, 0 };
static const unsigned int where_source[] = { IPA_CONF_SECT_ROOT, IPA_CONF_SECT_GLOBAL, 0 };

/* The settings of the section being parsed. */
static NetdevSettings *
settings_here (void)
{
  Item *it;

  switch (cur_sect)
    {
    case IPA_CONF_SECT_GLOBAL:
      return &global_set;
    case IPA_CONF_SECT_RULE:
      it = netdev_slots_get_or_add (&rule_conf, cur_no);
      break;
    case IPA_CONF_SECT_AUTORULE:
      it = netdev_slots_get_or_add (&autorule_conf, cur_no);
      break;
    case IPA_CONF_SECT_RULEPAT:
      it = netdev_slots_get_or_add (&rulepat_conf, cur_no);
      break;
    default:
      conf_error (0, "internal error: parameter outside a known section");
      return NULL;
    }
  if (it == NULL)
    conf_error (ENOMEM, "cannot allocate memory for the section's settings");
  return it != NULL ? &it->set : NULL;
}

static int
check_twice (NetdevOrigin origin, const char *param)
{
  if (origin != NETDEV_ORIGIN_OWN)
    return 0;
  conf_error (0, "%s:%s is given twice in this section", NETDEV_PREFIX, param);
  return -1;
}

/* Takes the STRING @s (m_parser) in every case. */
static int
set_str (NetdevOptStr *o, char *s, const char *param)
{
  char *copy;

  if (check_twice (o->origin, param) < 0)
    {
      MEM->mem_free (s, MEM->m_parser);
      return -1;
    }
  copy = MEM->mem_strdup (s, m_conf);
  MEM->mem_free (s, MEM->m_parser);
  if (copy == NULL)
    {
      conf_error (ENOMEM, "cannot allocate memory for %s:%s", NETDEV_PREFIX, param);
      return -1;
    }
  opt_str_clear (o);
  o->s = copy;
  o->origin = NETDEV_ORIGIN_OWN;
  return 0;
}

/* STRING parameters: check @s, then store it in the current section. */
static int
set_str_here (char *s, size_t offset, const char *param)
{
  NetdevSettings *set = settings_here ();

  if (set == NULL)
    {
      MEM->mem_free (s, MEM->m_parser);
      return -1;
    }
  return set_str ((NetdevOptStr *) ((char *) set + offset), s, param);
}

int
netdev_conf_valid_ifname (const char *s, size_t len)
{
  if (len == 0 || len >= 16)
    return 0;
  if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
    return 0;
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) s[i];

      if (c == '/' || c == ':' || c <= ' ' || c == 0x7f)
        return 0;
    }
  return 1;
}

static int
parse_interface (void *arg)
{
  char *s = *(char **) arg;

  if (!netdev_conf_valid_ifname (s, strlen (s)))
    {
      conf_error (0, "\"%s\" is not an interface name (1 to 15 characters, "
                  "no '/', ':' or white space)", s);
      MEM->mem_free (s, MEM->m_parser);
      return -1;
    }
  return set_str_here (s, offsetof (NetdevSettings, interface), "interface");
}

static int
set_word (NetdevOptInt *o, const char *const *words, int n, const char *w, const char *param)
{
  int v = -1;

  for (int i = 0; i < n; i++)
    if (words[i] != NULL && strcmp (words[i], w) == 0)
      v = i;
  /* The argument matched the parameter's pattern already. */
  if (v < 0)
    {
      conf_error (0, "unknown value \"%s\" of %s:%s", w, NETDEV_PREFIX, param);
      return -1;
    }
  if (check_twice (o->origin, param) < 0)
    return -1;
  o->v = v;
  o->origin = NETDEV_ORIGIN_OWN;
  return 0;
}

static int
parse_count (void *arg)
{
  NetdevSettings *set = settings_here ();

  return set != NULL ? set_word (&set->count, count_words, 4, *(char **) arg, "count") : -1;
}

static int
parse_unit (void *arg)
{
  NetdevSettings *set = settings_here ();

  return set != NULL ? set_word (&set->unit, unit_words, 2, *(char **) arg, "unit") : -1;
}

static int
parse_source (void *arg)
{
  if (source.origin == NETDEV_ORIGIN_OWN)
    {
      conf_error (0, "%s:source is given twice", NETDEV_PREFIX);
      return -1;
    }
  if (set_word (&source, source_words, 3, *(char **) arg, "source") < 0)
    return -1;
  source_sect = cur_sect;
  return 0;
}

static int
parse_pattern (void *arg)
{
  char *s = *(char **) arg;
  regex_t re;
  int rc = regcomp (&re, s, REG_EXTENDED | REG_NOSUB);

  if (rc != 0)
    {
      char msg[256];

      regerror (rc, &re, msg, sizeof msg);
      conf_error (0, "cannot compile the regular expression \"%s\": %s", s, msg);
      MEM->mem_free (s, MEM->m_parser);
      return -1;
    }
  regfree (&re);
  return set_str_here (s, offsetof (NetdevSettings, pattern), "interface_pattern");
}

static int
parse_prefix (void *arg)
{
  char *s = *(char **) arg;
  size_t len = strlen (s);

  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) s[i];

      if (c == '/' || c <= ' ' || c == 0x7f)
        {
          conf_error (0, "rule names cannot contain '/', white space or control "
                      "characters: \"%s\"", s);
          MEM->mem_free (s, MEM->m_parser);
          return -1;
        }
    }
  if (len > NETDEV_PREFIX_MAX)
    {
      conf_error (0, "%s:rule_prefix is longer than %d bytes", NETDEV_PREFIX, NETDEV_PREFIX_MAX);
      MEM->mem_free (s, MEM->m_parser);
      return -1;
    }
  return set_str_here (s, offsetof (NetdevSettings, prefix), "rule_prefix");
}

ipa_conf_param netdev_conf_params[] = {
  { "interface", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_interface, parse_interface },
  { "count", 1, "^(rx|tx|both)$", &count_re, IPA_CONF_TYPE_MISC, where_rule_sects, parse_count },
  { "unit", 1, "^(bytes|packets)$", &unit_re, IPA_CONF_TYPE_MISC, where_rule_sects, parse_unit },
  { "interface_pattern", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_autorule, parse_pattern },
  { "rule_prefix", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_autorule, parse_prefix },
  { "source", 1, "^(auto|netlink|proc)$", &source_re, IPA_CONF_TYPE_MISC, where_source, parse_source },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

/* ---------------------------------------------------------------------
 * Configuration phase
 */

int
netdev_conf_init (ipa_mem_type *mt)
{
  /* A reload may load the module again without unloading it: start from
   * nothing either way. */
  m_conf = mt;
  configuring = 1;
  mimic = 0;
  memset (&global_set, 0, sizeof global_set);
  memset (&source, 0, sizeof source);
  source_sect = IPA_CONF_SECT_ROOT;
  cur_sect = IPA_CONF_SECT_ROOT;
  cur_no = 0;
  if (netdev_slots_init (&rule_conf, MEM) < 0 || netdev_slots_init (&autorule_conf, MEM) < 0 ||
      netdev_slots_init (&rulepat_conf, MEM) < 0)
    {
      conf_error (ENOMEM, "cannot create the marrays");
      return -1;
    }
  return 0;
}

void
netdev_conf_parsed (void)
{
  configuring = 0;
}

static void
slots_free (NetdevSlots *s)
{
  for (unsigned int i = s->end; i > 0; i--)
    {
      Item *it = netdev_slots_get (s, i - 1);

      if (it != NULL)
        {
          settings_clear (&it->set);
          netdev_slots_remove (s, i - 1);
        }
    }
  netdev_slots_deinit (s);
}

void
netdev_conf_free (void)
{
  slots_free (&rule_conf);
  slots_free (&autorule_conf);
  slots_free (&rulepat_conf);
  if (m_conf != NULL)
    settings_clear (&global_set);
}

int
netdev_conf_event (unsigned int event, unsigned int no, const void *arg)
{
  switch (event)
    {
    case IPA_CONF_EVENT_GLOBAL_BEGIN:
      cur_sect = IPA_CONF_SECT_GLOBAL;
      cur_no = 0;
      break;
    case IPA_CONF_EVENT_RULE_BEGIN:
      cur_sect = IPA_CONF_SECT_RULE;
      cur_no = no;
      break;
    case IPA_CONF_EVENT_AUTORULE_BEGIN:
      cur_sect = IPA_CONF_SECT_AUTORULE;
      cur_no = no;
      break;
    case IPA_CONF_EVENT_RULEPAT_BEGIN:
      cur_sect = IPA_CONF_SECT_RULEPAT;
      cur_no = no;
      break;
    case IPA_CONF_EVENT_GLOBAL_END:
    case IPA_CONF_EVENT_RULE_END:
    case IPA_CONF_EVENT_AUTORULE_END:
    case IPA_CONF_EVENT_RULEPAT_END:
      cur_sect = IPA_CONF_SECT_ROOT;
      cur_no = 0;
      break;
    default:
      /* Sections inside those: our parameters are not allowed there. */
      break;
    }
  return 0;
}

/* Own values win; of several matching rulepats the first one that sets a
 * value wins (the host calls us in their order).  Also called for dynamic
 * rules, before their ac_init_dynrule. */
int
netdev_conf_inherit (unsigned int rulepatno, unsigned int ruleno, const char *rule_name)
{
  Item *p = netdev_slots_get (&rulepat_conf, rulepatno);
  Item *r;

  if (p == NULL || settings_empty (&p->set))
    return 0;
  r = netdev_slots_get_or_add (&rule_conf, ruleno);
  if (r == NULL || inherit_str (&r->set.interface, &p->set.interface, NETDEV_ORIGIN_INHERITED) < 0)
    {
      conf_error (ENOMEM, "rule %s: cannot allocate memory for inherited settings", rule_name);
      return -1;
    }
  inherit_int (&r->set.count, &p->set.count, NETDEV_ORIGIN_INHERITED);
  inherit_int (&r->set.unit, &p->set.unit, NETDEV_ORIGIN_INHERITED);
  return 0;
}

static void
fill_defaults (NetdevSettings *s)
{
  inherit_int (&s->count, &global_set.count, NETDEV_ORIGIN_DEFAULT);
  inherit_int (&s->unit, &global_set.unit, NETDEV_ORIGIN_DEFAULT);
  default_int (&s->count, DEFAULT_COUNT);
  default_int (&s->unit, DEFAULT_UNIT);
}

/* ipa -tt: every value the module would use, written out.  Rules that
 * have no netdev setting at all are left alone: the module cannot know
 * whether they use it. */
int
netdev_conf_mimic_real (void)
{
  mimic = 1;
  if (source.origin == NETDEV_ORIGIN_NONE)
    source_sect = IPA_CONF_SECT_ROOT;
  default_int (&source, DEFAULT_SOURCE);
  default_int (&global_set.count, DEFAULT_COUNT);
  default_int (&global_set.unit, DEFAULT_UNIT);
  for (unsigned int i = 0; i < rule_conf.end; i++)
    {
      Item *r = netdev_slots_get (&rule_conf, i);

      if (r != NULL && !settings_empty (&r->set))
        fill_defaults (&r->set);
    }
  for (unsigned int i = 0; i < autorule_conf.end; i++)
    {
      Item *a = netdev_slots_get (&autorule_conf, i);

      if (a == NULL)
        continue;
      fill_defaults (&a->set);
      if (inherit_str (&a->set.prefix, &(NetdevOptStr) { NETDEV_ORIGIN_DEFAULT, (char *) "" },
                       NETDEV_ORIGIN_DEFAULT) < 0)
        {
          conf_error (ENOMEM, "cannot allocate memory");
          return -1;
        }
    }
  return 0;
}

/* ---------------------------------------------------------------------
 * conf_show
 */

static int
shown (NetdevOrigin origin)
{
  return origin == NETDEV_ORIGIN_OWN || (mimic && origin != NETDEV_ORIGIN_NONE);
}

static void
show_str (const char *param, const NetdevOptStr *o)
{
  if (!shown (o->origin))
    return;
  SUPP->print_param_name (NETDEV_PREFIX, param);
  SUPP->print_string (o->s);
  SUPP->print_param_end ();
}

static void
show_word (const char *param, const NetdevOptInt *o, const char *const *words)
{
  if (!shown (o->origin))
    return;
  SUPP->print_param_name (NETDEV_PREFIX, param);
  print_param_args ("%s", words[o->v]);
  SUPP->print_param_end ();
}

static void
show_settings (const NetdevSettings *s)
{
  show_str ("interface_pattern", &s->pattern);
  show_str ("rule_prefix", &s->prefix);
  show_str ("interface", &s->interface);
  show_word ("count", &s->count, count_words);
  show_word ("unit", &s->unit, unit_words);
}

static void
show_item (NetdevSlots *slots, unsigned int no)
{
  Item *it = netdev_slots_get (slots, no);

  if (it != NULL)
    show_settings (&it->set);
}

void
netdev_conf_show (unsigned int sect_id, unsigned int no)
{
  switch (sect_id)
    {
    case IPA_CONF_SECT_ROOT:
    case IPA_CONF_SECT_GLOBAL:
      if (source_sect == sect_id)
        show_word ("source", &source, source_words);
      if (sect_id == IPA_CONF_SECT_GLOBAL)
        show_settings (&global_set);
      break;
    case IPA_CONF_SECT_RULE:
      show_item (&rule_conf, no);
      break;
    case IPA_CONF_SECT_AUTORULE:
      show_item (&autorule_conf, no);
      break;
    case IPA_CONF_SECT_RULEPAT:
      show_item (&rulepat_conf, no);
      break;
    default:
      break;
    }
}

/* ---------------------------------------------------------------------
 * Values for rules and autorules
 */

const NetdevSettings *
netdev_conf_rule (unsigned int ruleno)
{
  Item *it = netdev_slots_get (&rule_conf, ruleno);

  return it != NULL ? &it->set : NULL;
}

const NetdevSettings *
netdev_conf_autorule (unsigned int autoruleno)
{
  Item *it = netdev_slots_get (&autorule_conf, autoruleno);

  return it != NULL ? &it->set : NULL;
}

static void
forget (NetdevSlots *s, unsigned int no)
{
  Item *it = netdev_slots_get (s, no);

  if (it == NULL)
    return;
  settings_clear (&it->set);
  netdev_slots_remove (s, no);
}

void
netdev_conf_rule_forget (unsigned int ruleno)
{
  forget (&rule_conf, ruleno);
}

void
netdev_conf_autorule_forget (unsigned int autoruleno)
{
  forget (&autorule_conf, autoruleno);
}

NetdevSource
netdev_conf_source (void)
{
  return source.origin != NETDEV_ORIGIN_NONE ? (NetdevSource) source.v : DEFAULT_SOURCE;
}

static int
pick (const NetdevOptInt *first, const NetdevOptInt *second, const NetdevOptInt *global, int builtin)
{
  if (first != NULL && first->origin != NETDEV_ORIGIN_NONE)
    return first->v;
  if (second != NULL && second->origin != NETDEV_ORIGIN_NONE)
    return second->v;
  if (global->origin != NETDEV_ORIGIN_NONE)
    return global->v;
  return builtin;
}

NetdevCount
netdev_conf_count (const NetdevSettings *first, const NetdevSettings *second)
{
  return (NetdevCount) pick (first != NULL ? &first->count : NULL,
                             second != NULL ? &second->count : NULL,
                             &global_set.count, DEFAULT_COUNT);
}

NetdevUnit
netdev_conf_unit (const NetdevSettings *first, const NetdevSettings *second)
{
  return (NetdevUnit) pick (first != NULL ? &first->unit : NULL,
                            second != NULL ? &second->unit : NULL,
                            &global_set.unit, DEFAULT_UNIT);
}

const char *
netdev_conf_prefix (const NetdevSettings *autorule)
{
  return autorule != NULL && autorule->prefix.origin != NETDEV_ORIGIN_NONE ? autorule->prefix.s : "";
}
