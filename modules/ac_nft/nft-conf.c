/*
 * nft-conf.c: parameters of ipa_ac_nft, inheritance and printing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nft-conf.h"
#include "nft-mem.h"

static const ipa_suppfunc *sf;
static int running;

/* Sections, by their conf_event numbers.  Pointers, because a regex_t
 * should not move. */
static NftSectConf global_conf;
static NftSectConf **rules, **autorules, **rulepats;
static unsigned int n_rules, n_autorules, n_rulepats;

/* Where the parser is. */
static NftSectConf *cur;
static int cur_limit = -1;     /* index into cur->limits, or -1 */
static NftSectConf *show_cur;  /* section of the last conf_show, for its limits */

void
nft_conf_bind (const ipa_suppfunc *suppfunc)
{
  sf = suppfunc;
}

void
nft_conf_set_running (int r)
{
  running = r;
}

void
nft_logmsg (int priority, int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  sf->logmsg (NFT_MOD_NAME, priority, code, format, ap);
  va_end (ap);
}

void
nft_logconferr (int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  sf->logconferr (NFT_MOD_NAME, code, format, ap);
  va_end (ap);
}

static void print_args (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static void
print_args (const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  sf->print_param_args (format, ap);
  va_end (ap);
}

/* Sections */

static void
limit_clear (NftLimitConf *l)
{
  nft_free (l->name);
  nft_free (l->target_text);
  nft_term_clear (&l->target);
  memset (l, 0, sizeof *l);
}

static void
sect_clear (NftSectConf *s)
{
  nft_free (s->name);
  nft_free (s->counters_text);
  nft_expr_clear (&s->counters);
  nft_free (s->set_text);
  nft_term_clear (&s->set);
  nft_free (s->element);
  nft_free (s->table_text);
  nft_free (s->table);
  nft_free (s->rule_prefix);
  if (s->element_pattern != NULL)
    regfree (&s->element_re);
  nft_free (s->element_pattern);
  for (unsigned int i = 0; i < s->n_limits; i++)
    limit_clear (&s->limits[i]);
  nft_free (s->limits);
  memset (s, 0, sizeof *s);
  s->unit = -1;
}

static void
sects_free (NftSectConf ***arr, unsigned int *n)
{
  for (unsigned int i = 0; i < *n; i++)
    if ((*arr)[i] != NULL)
      {
        sect_clear ((*arr)[i]);
        nft_free ((*arr)[i]);
      }
  nft_free (*arr);
  *arr = NULL;
  *n = 0;
}

void
nft_conf_free (void)
{
  sect_clear (&global_conf);
  sects_free (&rules, &n_rules);
  sects_free (&autorules, &n_autorules);
  sects_free (&rulepats, &n_rulepats);
  cur = show_cur = NULL;
  cur_limit = -1;
}

/* The section numbered @no in @arr, created (empty) if needed. */
static NftSectConf *
sect_get (NftSectConf ***arr, unsigned int *n, unsigned int no, const char *name)
{
  NftSectConf *s;

  if (no >= *n)
    {
      NftSectConf **na = nft_realloc (*arr, (no + 1) * sizeof *na);

      if (na == NULL)
        return NULL;
      memset (na + *n, 0, (no + 1 - *n) * sizeof *na);
      *arr = na;
      *n = no + 1;
    }
  s = (*arr)[no];
  if (s == NULL)
    {
      s = nft_calloc (1, sizeof *s);
      if (s == NULL)
        return NULL;
      s->unit = -1;
      (*arr)[no] = s;
    }
  if (!s->present && name != NULL)
    {
      s->name = nft_strdup (name);
      if (s->name == NULL)
        return NULL;
    }
  s->present = 1;
  return s;
}

static const NftSectConf *
sect_find (NftSectConf **arr, unsigned int n, unsigned int no)
{
  return no < n && arr[no] != NULL && arr[no]->present ? arr[no] : NULL;
}

const NftSectConf *
nft_conf_global (void)
{
  return &global_conf;
}

const NftSectConf *
nft_conf_rule (unsigned int ruleno)
{
  return sect_find (rules, n_rules, ruleno);
}

const NftSectConf *
nft_conf_autorule (unsigned int autoruleno)
{
  return sect_find (autorules, n_autorules, autoruleno);
}

NftUnit
nft_conf_unit (const NftSectConf *s)
{
  if (s != NULL && s->unit >= 0)
    return (NftUnit) s->unit;
  if (global_conf.unit >= 0)
    return (NftUnit) global_conf.unit;
  return NFT_UNIT_BYTES;
}

void
nft_conf_table (const NftSectConf *s, uint8_t *family, const char **table)
{
  if (s != NULL && s->table != NULL)
    {
      *family = s->family;
      *table = s->table;
    }
  else
    {
      *family = global_conf.family;
      *table = global_conf.table;
    }
}

static int
add_limit (NftSectConf *s, unsigned int no, const char *name)
{
  NftLimitConf *nl = nft_realloc (s->limits, (s->n_limits + 1) * sizeof *nl);

  if (nl == NULL)
    return -1;
  s->limits = nl;
  memset (&nl[s->n_limits], 0, sizeof *nl);
  nl[s->n_limits].no = no;
  nl[s->n_limits].name = nft_strdup (name != NULL ? name : "");
  if (nl[s->n_limits].name == NULL)
    return -1;
  return (int) s->n_limits++;
}

/* Configuration phase */

int
nft_conf_init (void)
{
  nft_conf_free ();
  running = 0;
  return 0;
}

int
nft_conf_deinit (void)
{
  cur = NULL;
  cur_limit = -1;
  return 0;
}

int
nft_conf_event (unsigned int event, unsigned int no, const void *arg)
{
  const char *name = arg;
  int r;

  switch (event)
    {
    case IPA_CONF_EVENT_GLOBAL_BEGIN:
      global_conf.present = 1;
      cur = &global_conf;
      break;
    case IPA_CONF_EVENT_RULE_BEGIN:
      cur = sect_get (&rules, &n_rules, no, name);
      break;
    case IPA_CONF_EVENT_AUTORULE_BEGIN:
      cur = sect_get (&autorules, &n_autorules, no, name);
      break;
    case IPA_CONF_EVENT_RULEPAT_BEGIN:
      cur = sect_get (&rulepats, &n_rulepats, no, name);
      break;
    case IPA_CONF_EVENT_GLOBAL_END:
    case IPA_CONF_EVENT_RULE_END:
    case IPA_CONF_EVENT_AUTORULE_END:
    case IPA_CONF_EVENT_RULEPAT_END:
      cur = NULL;
      return 0;
    case IPA_CONF_EVENT_LIMIT_BEGIN:
      if (cur == NULL || cur == &global_conf)
        return 0;
      /* Every limit, with or without our parameters: inheritance numbers
       * a rulepat's limits after all of the rule's own. */
      r = add_limit (cur, no, name);
      if (r < 0)
        {
          nft_logconferr (ENOMEM, "cannot remember limit %s", name);
          return -1;
        }
      cur_limit = r;
      return 0;
    case IPA_CONF_EVENT_LIMIT_END:
      cur_limit = -1;
      return 0;
    default:
      return 0;
    }
  if (cur == NULL)
    {
      nft_logconferr (ENOMEM, "cannot remember section %s", name != NULL ? name : "global");
      return -1;
    }
  return 0;
}

/* Parameters */

static regex_t re_unit;

static int
take_string (void *arg, char **dst)
{
  char *s = *(char **) arg, *copy = nft_strdup (s);

  nft_free_parser_string (s);
  if (copy == NULL)
    {
      nft_logconferr (ENOMEM, "out of memory");
      return -1;
    }
  nft_free (*dst);
  *dst = copy;
  return 0;
}

static int
parse_counters (void *arg)
{
  char err[512];
  NftExpr e;

  if (take_string (arg, &cur->counters_text) < 0)
    return -1;
  if (nft_expr_parse (cur->counters_text, &e, err, sizeof err) < 0)
    {
      nft_logconferr (0, "nft:counters \"%s\": %s", cur->counters_text, err);
      return -1;
    }
  nft_expr_clear (&cur->counters);
  cur->counters = e;
  return 0;
}

static int
parse_set (void *arg)
{
  char err[512];
  NftTerm t;

  if (take_string (arg, &cur->set_text) < 0)
    return -1;
  if (nft_set_ref_parse (cur->set_text, 0, &t, err, sizeof err) < 0)
    {
      nft_logconferr (0, "nft:set \"%s\": %s", cur->set_text, err);
      nft_free (cur->set_text);
      cur->set_text = NULL;
      return -1;
    }
  nft_term_clear (&cur->set);
  cur->set = t;
  return 0;
}

static int
parse_element (void *arg)
{
  if (take_string (arg, &cur->element) < 0)
    return -1;
  if (cur->element[0] == '\0' || strpbrk (cur->element, "[]") != NULL)
    {
      nft_logconferr (0, "nft:element \"%s\": not an element", cur->element);
      return -1;
    }
  return 0;
}

static int
parse_table (void *arg)
{
  char err[512], *table;
  uint8_t family;

  if (take_string (arg, &cur->table_text) < 0)
    return -1;
  if (nft_table_parse (cur->table_text, &family, &table, err, sizeof err) < 0)
    {
      nft_logconferr (0, "nft:table \"%s\": %s", cur->table_text, err);
      return -1;
    }
  nft_free (cur->table);
  cur->table = table;
  cur->family = family;
  return 0;
}

static int
parse_unit (void *arg)
{
  const char *s = *(char **) arg;

  cur->unit = strcmp (s, "packets") == 0 ? NFT_UNIT_PACKETS : NFT_UNIT_BYTES;
  return 0;
}

static int
parse_rule_prefix (void *arg)
{
  if (take_string (arg, &cur->rule_prefix) < 0)
    return -1;
  if (strpbrk (cur->rule_prefix, "/ \t\n") != NULL)
    {
      nft_logconferr (0, "nft:rule_prefix \"%s\": rule names hold no '/' and no blank",
                      cur->rule_prefix);
      return -1;
    }
  return 0;
}

static int
parse_element_pattern (void *arg)
{
  regex_t re;
  int r;

  if (cur->element_pattern != NULL)
    {
      regfree (&cur->element_re);
      nft_free (cur->element_pattern);
      cur->element_pattern = NULL;
    }
  r = regcomp (&re, *(char **) arg, REG_EXTENDED | REG_NOSUB);
  if (r != 0)
    {
      char err[256];

      regerror (r, &re, err, sizeof err);
      nft_logconferr (0, "nft:element_pattern \"%s\": %s", *(char **) arg, err);
      nft_free_parser_string (*(char **) arg);
      return -1;
    }
  if (take_string (arg, &cur->element_pattern) < 0)
    {
      regfree (&re);
      return -1;
    }
  cur->element_re = re;
  return 0;
}

static int
parse_on_reach (void *arg, NftAction action, const char *param)
{
  NftLimitConf *l;
  char err[512];
  NftTerm t;

  if (cur == NULL || cur_limit < 0)
    {
      nft_free_parser_string (*(char **) arg);
      nft_logconferr (0, "nft:%s belongs in a limit of a rule, autorule or rulepat", param);
      return -1;
    }
  l = &cur->limits[cur_limit];
  if (l->action != NFT_ACTION_NONE && l->action != action)
    {
      nft_free_parser_string (*(char **) arg);
      nft_logconferr (0, "limit %s has nft:on_reach_add and nft:on_reach_del; give one", l->name);
      return -1;
    }
  if (take_string (arg, &l->target_text) < 0)
    return -1;
  if (nft_set_ref_parse (l->target_text, 1, &t, err, sizeof err) < 0)
    {
      nft_logconferr (0, "nft:%s \"%s\": %s", param, l->target_text, err);
      return -1;
    }
  nft_term_clear (&l->target);
  l->target = t;
  l->action = action;
  return 0;
}

static int
parse_on_reach_add (void *arg)
{
  return parse_on_reach (arg, NFT_ACTION_ADD, "on_reach_add");
}

static int
parse_on_reach_del (void *arg)
{
  return parse_on_reach (arg, NFT_ACTION_DEL, "on_reach_del");
}

static const unsigned int where_counters[] = { IPA_CONF_SECT_RULE, IPA_CONF_SECT_RULEPAT, 0 };
static const unsigned int where_set[] = {
  IPA_CONF_SECT_RULE, IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_AUTORULE, 0
};
static const unsigned int where_element[] = { IPA_CONF_SECT_RULE, 0 };
static const unsigned int where_common[] = {
  IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULE, IPA_CONF_SECT_RULEPAT, IPA_CONF_SECT_AUTORULE, 0
};
static const unsigned int where_autorule[] = { IPA_CONF_SECT_AUTORULE, 0 };
static const unsigned int where_limit[] = { IPA_CONF_SECT_LIMIT, 0 };

ipa_conf_param nft_conf_params[] = {
  { "counters", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_counters, parse_counters },
  { "set", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_set, parse_set },
  { "element", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_element, parse_element },
  { "table", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_common, parse_table },
  { "unit", 1, "^(bytes|packets)$", &re_unit, IPA_CONF_TYPE_MISC, where_common, parse_unit },
  { "rule_prefix", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_autorule, parse_rule_prefix },
  { "element_pattern", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_autorule,
    parse_element_pattern },
  { "on_reach_add", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_limit, parse_on_reach_add },
  { "on_reach_del", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_limit, parse_on_reach_del },
  { NULL }
};

/* Inheritance */

static int
copy_str (char **dst, const char *src)
{
  if (*dst != NULL || src == NULL)
    return 0;
  *dst = nft_strdup (src);
  return *dst != NULL ? 0 : -1;
}

static int
limit_copy (NftLimitConf *dst, const NftLimitConf *src, unsigned int no)
{
  memset (dst, 0, sizeof *dst);
  dst->no = no;
  dst->action = src->action;
  dst->name = nft_strdup (src->name);
  if (dst->name == NULL || copy_str (&dst->target_text, src->target_text) < 0)
    return -1;
  if (src->target_text != NULL && nft_term_copy (&dst->target, &src->target) < 0)
    return -1;
  return 0;
}

static int
inherit (NftSectConf *r, const NftSectConf *p)
{
  if (r->counters_text == NULL && r->set_text == NULL && r->element == NULL
      && p->counters_text != NULL)
    {
      if (copy_str (&r->counters_text, p->counters_text) < 0
          || nft_expr_copy (&r->counters, &p->counters) < 0)
        return -1;
    }
  if (r->set_text == NULL && r->counters_text == NULL && p->set_text != NULL)
    {
      if (copy_str (&r->set_text, p->set_text) < 0 || nft_term_copy (&r->set, &p->set) < 0)
        return -1;
    }
  if (r->table == NULL && p->table != NULL)
    {
      if (copy_str (&r->table_text, p->table_text) < 0 || copy_str (&r->table, p->table) < 0)
        return -1;
      r->family = p->family;
    }
  if (r->unit < 0)
    r->unit = p->unit;
  /* Limits of the rulepat follow the rule's own unless one of the same
   * name is there, numbered after them (as ipa copies them). */
  for (unsigned int i = 0; i < p->n_limits; i++)
    {
      const NftLimitConf *pl = &p->limits[i];
      unsigned int j;
      NftLimitConf *nl;

      for (j = 0; j < r->n_limits; j++)
        if (strcmp (r->limits[j].name, pl->name) == 0)
          break;
      if (j < r->n_limits)
        continue;
      nl = nft_realloc (r->limits, (r->n_limits + 1) * sizeof *nl);
      if (nl == NULL)
        return -1;
      r->limits = nl;
      if (limit_copy (&nl[r->n_limits], pl, r->n_limits) < 0)
        {
          limit_clear (&nl[r->n_limits]);
          return -1;
        }
      r->n_limits++;
    }
  return 0;
}

int
nft_conf_inherit (unsigned int rulepatno, unsigned int ruleno, const char *rule_name)
{
  const NftSectConf *p = sect_find (rulepats, n_rulepats, rulepatno);
  NftSectConf *r;

  /* A dynamic rule counts what its autorule says. */
  if (running || p == NULL)
    return 0;
  r = sect_get (&rules, &n_rules, ruleno, rule_name);
  if (r == NULL || inherit (r, p) < 0)
    {
      nft_logconferr (ENOMEM, "rule %s: cannot inherit from rulepat %u", rule_name, rulepatno);
      return -1;
    }
  return 0;
}

static int
sect_uses_us (const NftSectConf *s)
{
  return s != NULL && (s->counters_text != NULL || s->set_text != NULL);
}

int
nft_conf_mimic_real (void)
{
  /* Show the defaults of every section that counts something. */
  for (unsigned int k = 0; k < 2; k++)
    {
      NftSectConf **arr = k == 0 ? rules : autorules;
      unsigned int n = k == 0 ? n_rules : n_autorules;

      for (unsigned int i = 0; i < n; i++)
        {
          NftSectConf *s = arr[i];
          uint8_t family;
          const char *table;

          if (!sect_uses_us (s))
            continue;
          s->unit = (int) nft_conf_unit (s);
          nft_conf_table (s, &family, &table);
          if (s->table == NULL && table != NULL)
            {
              s->table = nft_strdup (table);
              s->table_text = nft_asprintf ("%s %s", nft_family_name (family), table);
              s->family = family;
              if (s->table == NULL || s->table_text == NULL)
                {
                  nft_logconferr (ENOMEM, "out of memory");
                  return -1;
                }
            }
        }
    }
  return 0;
}

/* Printing */

static void
show_string (const char *param, const char *value)
{
  if (value == NULL)
    return;
  sf->print_param_name (NFT_PREFIX, param);
  sf->print_string (value);
  sf->print_param_end ();
}

static void
show_sect (const NftSectConf *s)
{
  if (s == NULL)
    return;
  show_string ("counters", s->counters_text);
  show_string ("set", s->set_text);
  show_string ("element", s->element);
  show_string ("table", s->table_text);
  if (s->unit >= 0)
    {
      sf->print_param_name (NFT_PREFIX, "unit");
      print_args ("%s", s->unit == NFT_UNIT_PACKETS ? "packets" : "bytes");
      sf->print_param_end ();
    }
  show_string ("rule_prefix", s->rule_prefix);
  show_string ("element_pattern", s->element_pattern);
}

void
nft_conf_show (unsigned int sect_id, unsigned int no)
{
  switch (sect_id)
    {
    case IPA_CONF_SECT_GLOBAL:
      show_cur = &global_conf;
      show_sect (&global_conf);
      break;
    case IPA_CONF_SECT_RULE:
      show_cur = (NftSectConf *) sect_find (rules, n_rules, no);
      show_sect (show_cur);
      break;
    case IPA_CONF_SECT_AUTORULE:
      show_cur = (NftSectConf *) sect_find (autorules, n_autorules, no);
      show_sect (show_cur);
      break;
    case IPA_CONF_SECT_RULEPAT:
      show_cur = (NftSectConf *) sect_find (rulepats, n_rulepats, no);
      show_sect (show_cur);
      break;
    case IPA_CONF_SECT_LIMIT:
      if (show_cur != NULL)
        for (unsigned int i = 0; i < show_cur->n_limits; i++)
          if (show_cur->limits[i].no == no && show_cur->limits[i].action != NFT_ACTION_NONE)
            show_string (show_cur->limits[i].action == NFT_ACTION_ADD ? "on_reach_add"
                                                                      : "on_reach_del",
                         show_cur->limits[i].target_text);
      break;
    default:
      break;
    }
}
