/*
 * ipa_ac_nft.c: accounting module "nft": rules count nftables named
 * counters and per-element counters of sets (see README.md).
 *
 * Each statistics round ac_get_stat reads everything the rules refer to
 * (nft-watch.c), and lets autorules create and delete a rule per element
 * of their set; ac_get_rule_stat then only adds up deltas (nft-track.c).
 * Limits may add an element to a set, or delete it, when they are reached,
 * and undo that when they restart or expire.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <ipa_mod.h>

#include "nft-conf.h"
#include "nft-dump.h"
#include "nft-hash.h"
#include "nft-key.h"
#include "nft-mem.h"
#include "nft-track.h"
#include "nft-watch.h"

#if IPA_AC_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "ipa_ac_nft supports ac API 2 and memfunc API 1"
#endif

extern struct ipa_ac_mod ipa_ac_nft_ac_mod __attribute__ ((visibility ("default")));

#define MOD (ipa_ac_nft_ac_mod)

typedef struct {
  int sign;
  NftWCounter *counter;  /* one of these two */
  NftWElem *elem;
  NftTrack track;
} RuleTerm;

typedef struct {
  const char *name;           /* the host's, valid until ac_deinit_rule */
  int dynamic;
  unsigned int autoruleno;
  NftUnit unit;
  uint8_t family;             /* the rule's nft:table, for limit targets */
  const char *table;          /* points into the configuration */
  RuleTerm *terms;
  unsigned int n_terms;
  NftTerm own_elem;           /* the single element counted, else name NULL */
  uint8_t key[NFT_KEY_MAX];   /* dynamic rules: the element's key */
  uint32_t key_len;
  int fresh;                  /* dynamic: the element is new since the last reading */
  unsigned int created_round;
  const NftLimitConf *limits; /* of the rule, or of its autorule */
  unsigned int n_limits;
} Rule;

typedef struct {
  uint8_t key[NFT_KEY_MAX];
  uint32_t key_len;
  unsigned int ruleno;
  int has_rule;               /* 0: ac_create_rule said the name is taken */
  unsigned int seen_round;
} AutoElem;

typedef struct {
  const char *name;
  const NftSectConf *conf;
  NftTerm set_ref;            /* resolved */
  NftWSet *set;
  NftUnit unit;
  uint8_t family;
  const char *table;
  char *prefix;
  int read_once;              /* a reading has told what the set holds */
  int no_counter_logged;
  NftHash elems;              /* key -> AutoElem */
} Autorule;

static NftWatch *watch;
static NftNl *nl;
static int read_error;        /* errno of the failing reading, logged once */
static Rule **rule_tab;
static unsigned int n_rule_tab;
static Autorule **auto_tab;
static unsigned int n_auto_tab;

/* What ac_get_stat is creating, for the ac_init_dynrule it causes. */
static struct {
  int active;
  unsigned int autoruleno;
  const NftSeenElem *seen;
  const char *text;
  int fresh;
} pending;

static void
watch_log (int priority, int code, const char *message, void *data)
{
  nft_logmsg (priority, code, "%s", message);
}

/* Tables indexed by number */

static void **
slot (void ***arr, unsigned int *n, unsigned int no)
{
  if (no >= *n)
    {
      void **na = nft_realloc (*arr, (no + 1) * sizeof *na);

      if (na == NULL)
        return NULL;
      memset (na + *n, 0, (no + 1 - *n) * sizeof *na);
      *arr = na;
      *n = no + 1;
    }
  return &(*arr)[no];
}

static Rule *
rule_get (unsigned int ruleno)
{
  return ruleno < n_rule_tab ? rule_tab[ruleno] : NULL;
}

static Autorule *
autorule_get (unsigned int autoruleno)
{
  return autoruleno < n_auto_tab ? auto_tab[autoruleno] : NULL;
}

/* Configuration phase */

static int
conf_init (void)
{
  if (nft_mem_setup (MOD.memfunc) < 0)
    return -1;
  nft_conf_bind (MOD.suppfunc);
  return nft_conf_init ();
}

/* Rules */

static void
rule_free (Rule *r)
{
  for (unsigned int i = 0; i < r->n_terms; i++)
    {
      if (r->terms[i].counter != NULL)
        nft_watch_counter_unref (watch, r->terms[i].counter);
      if (r->terms[i].elem != NULL)
        nft_watch_elem_unref (watch, r->terms[i].elem);
    }
  nft_free (r->terms);
  nft_term_clear (&r->own_elem);
  nft_free (r);
}

static int
rule_add_term (Rule *r, const NftTerm *t)
{
  RuleTerm *rt = &r->terms[r->n_terms];

  memset (rt, 0, sizeof *rt);
  rt->sign = t->sign;
  if (t->element == NULL)
    rt->counter = nft_watch_counter_ref (watch, t->family, t->table, t->name);
  else
    {
      NftWSet *s = nft_watch_set_ref (watch, t->family, t->table, t->name, 0);

      if (s == NULL)
        return -1;
      rt->elem = nft_watch_elem_ref (watch, s, t->element, 0);
      nft_watch_set_unref (watch, s, 0);  /* the element holds the set */
    }
  if (rt->counter == NULL && rt->elem == NULL)
    return -1;
  r->n_terms++;
  return 0;
}

/* Limits that change a set must know their element. */
static int
check_limits (const char *what, const char *name, const NftLimitConf *limits, unsigned int n,
              int has_own_elem)
{
  for (unsigned int i = 0; i < n; i++)
    if (limits[i].action != NFT_ACTION_NONE && limits[i].target.element == NULL && !has_own_elem)
      {
        nft_logmsg (IPA_LOG_ERR, 0,
                    "%s %s, limit %s: nft:%s \"%s\" names no element, and the %s counts no single "
                    "set element to take it from", what, name, limits[i].name,
                    limits[i].action == NFT_ACTION_ADD ? "on_reach_add" : "on_reach_del",
                    limits[i].target_text, what);
        return -1;
      }
  return 0;
}

static int
ac_init_statrule (unsigned int ruleno, const char *rule_name)
{
  const NftSectConf *c = nft_conf_rule (ruleno);
  NftExpr expr = { 0, NULL };
  char err[512];
  Rule *r = NULL, **sp;

  if (c == NULL || (c->counters_text == NULL && c->set_text == NULL && c->element == NULL))
    {
      nft_logmsg (IPA_LOG_ERR, 0, "rule %s uses nft but counts nothing: give nft:counters, "
                  "or nft:set and nft:element", rule_name);
      return -1;
    }
  if (c->counters_text != NULL && (c->set_text != NULL || c->element != NULL))
    {
      nft_logmsg (IPA_LOG_ERR, 0, "rule %s: give nft:counters, or nft:set with nft:element, "
                  "not both (write the element as SET[ELEMENT] in nft:counters)", rule_name);
      return -1;
    }
  if (c->counters_text == NULL && (c->set_text == NULL || c->element == NULL))
    {
      nft_logmsg (IPA_LOG_ERR, 0, "rule %s: nft:%s needs nft:%s (a rule counts one element of "
                  "a set; an autorule counts them all)", rule_name,
                  c->set_text != NULL ? "set" : "element", c->set_text != NULL ? "element" : "set");
      return -1;
    }

  if (c->counters_text != NULL)
    {
      if (nft_expr_copy (&expr, &c->counters) < 0)
        goto nomem;
    }
  else
    {
      expr.terms = nft_calloc (1, sizeof *expr.terms);
      if (expr.terms == NULL || nft_term_copy (&expr.terms[0], &c->set) < 0)
        goto nomem;
      expr.n = 1;
      nft_free (expr.terms[0].element);
      expr.terms[0].element = nft_strdup (c->element);
      if (expr.terms[0].element == NULL)
        goto nomem;
    }

  r = nft_calloc (1, sizeof *r);
  if (r == NULL)
    goto nomem;
  r->name = rule_name;
  r->unit = nft_conf_unit (c);
  nft_conf_table (c, &r->family, &r->table);
  if (nft_expr_resolve (&expr, r->family, r->table, err, sizeof err) < 0)
    {
      nft_logmsg (IPA_LOG_ERR, 0, "rule %s: %s", rule_name, err);
      nft_expr_clear (&expr);
      nft_free (r);
      return -1;
    }
  r->terms = nft_calloc (expr.n, sizeof *r->terms);
  if (r->terms == NULL)
    goto nomem;
  for (unsigned int i = 0; i < expr.n; i++)
    if (rule_add_term (r, &expr.terms[i]) < 0)
      goto nomem;
  if (expr.n == 1 && expr.terms[0].element != NULL
      && nft_term_copy (&r->own_elem, &expr.terms[0]) < 0)
    goto nomem;
  r->limits = c->limits;
  r->n_limits = c->n_limits;
  if (check_limits ("rule", rule_name, r->limits, r->n_limits, r->own_elem.name != NULL) < 0)
    {
      nft_expr_clear (&expr);
      rule_free (r);
      return -1;
    }
  nft_expr_clear (&expr);
  sp = (Rule **) slot ((void ***) &rule_tab, &n_rule_tab, ruleno);
  if (sp == NULL)
    {
      rule_free (r);
      goto nomem_quiet;
    }
  if (*sp != NULL)
    rule_free (*sp);
  *sp = r;
  return 0;

nomem:
  nft_expr_clear (&expr);
  if (r != NULL)
    rule_free (r);
nomem_quiet:
  nft_logmsg (IPA_LOG_ERR, ENOMEM, "rule %s", rule_name);
  return -1;
}

/* Autorules */

static void
autorule_free (Autorule *a)
{
  unsigned int n = a->elems.n;
  void **v = n > 0 ? nft_malloc (n * sizeof *v) : NULL;

  if (v != NULL)
    {
      nft_hash_values (&a->elems, v);
      for (unsigned int i = 0; i < n; i++)
        nft_free (v[i]);
      nft_free (v);
    }
  nft_hash_clear (&a->elems);
  if (a->set != NULL)
    nft_watch_set_unref (watch, a->set, 1);
  nft_term_clear (&a->set_ref);
  nft_free (a->prefix);
  nft_free (a);
}

static int
ac_init_autorule (unsigned int autoruleno, const char *autorule_name)
{
  const NftSectConf *c = nft_conf_autorule (autoruleno);
  char err[512];
  Autorule *a, **sp;

  if (c == NULL || c->set_text == NULL)
    {
      nft_logmsg (IPA_LOG_ERR, 0, "autorule %s uses nft but has no nft:set", autorule_name);
      return -1;
    }
  a = nft_calloc (1, sizeof *a);
  if (a == NULL)
    goto nomem;
  nft_hash_init (&a->elems);
  a->name = autorule_name;
  a->conf = c;
  a->unit = nft_conf_unit (c);
  nft_conf_table (c, &a->family, &a->table);
  if (nft_term_copy (&a->set_ref, &c->set) < 0)
    goto nomem;
  if (nft_term_resolve (&a->set_ref, a->family, a->table, err, sizeof err) < 0)
    {
      nft_logmsg (IPA_LOG_ERR, 0, "autorule %s: nft:set: %s", autorule_name, err);
      autorule_free (a);
      return -1;
    }
  a->prefix = c->rule_prefix != NULL ? nft_strdup (c->rule_prefix)
                                     : nft_asprintf ("%s_", autorule_name);
  a->set = nft_watch_set_ref (watch, a->set_ref.family, a->set_ref.table, a->set_ref.name, 1);
  if (a->prefix == NULL || a->set == NULL)
    goto nomem;
  sp = (Autorule **) slot ((void ***) &auto_tab, &n_auto_tab, autoruleno);
  if (sp == NULL)
    goto nomem;
  if (*sp != NULL)
    autorule_free (*sp);
  *sp = a;
  return 0;

nomem:
  if (a != NULL)
    autorule_free (a);
  nft_logmsg (IPA_LOG_ERR, ENOMEM, "autorule %s", autorule_name);
  return -1;
}

static int
ac_init_dynrule (unsigned int autoruleno, unsigned int ruleno, const char *rule_name)
{
  Autorule *a = autorule_get (autoruleno);
  Rule *r, **sp;

  if (a == NULL)
    {
      nft_logmsg (IPA_LOG_ERR, 0, "rule %s: autorule number %u does not use nft", rule_name,
                  autoruleno);
      return -1;
    }
  if (!pending.active || pending.autoruleno != autoruleno)
    {
      nft_logmsg (IPA_LOG_ERR, 0, "rule %s: autorule %s makes its rules itself, one per element "
                  "of set %s; add the element to the set instead", rule_name, a->name,
                  nft_watch_set_name (a->set));
      return -1;
    }
  r = nft_calloc (1, sizeof *r);
  if (r == NULL)
    goto nomem;
  r->name = rule_name;
  r->dynamic = 1;
  r->autoruleno = autoruleno;
  r->unit = a->unit;
  r->family = a->family;
  r->table = a->table;
  r->limits = a->conf->limits;
  r->n_limits = a->conf->n_limits;
  r->fresh = pending.fresh;
  r->created_round = nft_watch_get_round (watch);
  memcpy (r->key, pending.seen->key, pending.seen->key_len);
  r->key_len = pending.seen->key_len;
  r->terms = nft_calloc (1, sizeof *r->terms);
  if (r->terms == NULL || nft_term_copy (&r->own_elem, &a->set_ref) < 0)
    goto nomem;
  nft_free (r->own_elem.element);
  r->own_elem.element = nft_strdup (pending.text);
  if (r->own_elem.element == NULL)
    goto nomem;
  r->terms[0].sign = 1;
  r->terms[0].elem = nft_watch_elem_ref (watch, a->set, pending.text, 1);
  if (r->terms[0].elem == NULL)
    goto nomem;
  r->n_terms = 1;
  nft_watch_elem_seed (r->terms[0].elem, pending.seen);
  sp = (Rule **) slot ((void ***) &rule_tab, &n_rule_tab, ruleno);
  if (sp == NULL)
    goto nomem;
  if (*sp != NULL)
    rule_free (*sp);
  *sp = r;
  return 0;

nomem:
  if (r != NULL)
    rule_free (r);
  nft_logmsg (IPA_LOG_ERR, ENOMEM, "rule %s", rule_name);
  return -1;
}

static int
ac_pre_init (void)
{
  nft_conf_set_running (1);
  watch = nft_watch_new (watch_log, NULL);
  if (watch == NULL)
    {
      nft_logmsg (IPA_LOG_ERR, ENOMEM, "cannot start");
      return -1;
    }
  return 0;
}

static int
probe_table (const NftTableInfo *info, void *data)
{
  return 0;
}

static void
log_read_error (int err)
{
  nft_logmsg (IPA_LOG_ERR, err, "cannot read nftables%s", err == EPERM
              ? " (reading nftables needs CAP_NET_ADMIN)" : "");
}

static int
ac_init (void)
{
  int r;

  for (unsigned int i = 0; i < n_auto_tab; i++)
    if (auto_tab[i] != NULL
        && check_limits ("autorule", auto_tab[i]->name, auto_tab[i]->conf->limits,
                         auto_tab[i]->conf->n_limits, 1) < 0)
      return -1;
  nl = nft_nl_new ();
  if (nl == NULL)
    {
      nft_logmsg (IPA_LOG_ERR, ENOMEM, "cannot start");
      return -1;
    }
  /* Fail now rather than at every round when nftables cannot be read. */
  r = nft_nl_dump_tables (nl, probe_table, NULL);
  if (r < 0)
    {
      log_read_error (-r);
      return -1;
    }
  read_error = 0;
  return 0;
}

/* A rule name from an element's text: "10.0.0.2 . 80" -> "10.0.0.2,80";
 * blanks, '/' and control characters (which rule names may not hold)
 * become '_'. */
static char *
rule_name_for (const char *prefix, const char *text)
{
  size_t n = strlen (prefix) + strlen (text) + 1;
  char *name = nft_malloc (n), *p;
  const char *s;

  if (name == NULL)
    return NULL;
  strcpy (name, prefix);
  p = name + strlen (prefix);
  for (s = text; *s != '\0'; s++)
    {
      if (strncmp (s, " . ", 3) == 0)
        {
          *p++ = ',';
          s += 2;
        }
      else
        *p++ = (*s == ' ' || *s == '/' || (unsigned char) *s < 0x20) ? '_' : *s;
    }
  *p = '\0';
  return name;
}

static int
autorule_create (unsigned int autoruleno, Autorule *a, const NftSeenElem *se, const char *text)
{
  AutoElem *ae = nft_calloc (1, sizeof *ae);
  char *name = NULL, *info = NULL;
  unsigned int ruleno = 0;
  int r;

  if (ae == NULL)
    goto nomem;
  memcpy (ae->key, se->key, se->key_len);
  ae->key_len = se->key_len;
  ae->seen_round = nft_watch_get_round (watch);
  name = rule_name_for (a->prefix, text);
  info = nft_asprintf ("element %s of set %s", text, nft_watch_set_name (a->set));
  if (name == NULL || info == NULL || nft_hash_insert (&a->elems, ae->key, ae->key_len, ae) < 0)
    goto nomem;

  pending.active = 1;
  pending.autoruleno = autoruleno;
  pending.seen = se;
  pending.text = text;
  /* Elements there at the first reading are a baseline, later ones new. */
  pending.fresh = a->read_once;
  r = MOD.ac_create_rule (NFT_MOD_NAME, autoruleno, &ruleno, name, info);
  pending.active = 0;
  if (r == 0)
    {
      ae->has_rule = 1;
      ae->ruleno = ruleno;
    }
  else if (r == -2)
    nft_logmsg (IPA_LOG_WARNING, 0, "autorule %s: a rule named %s exists already, so %s is "
                "not counted", a->name, name, info);
  else
    {
      nft_logmsg (IPA_LOG_ERR, 0, "autorule %s: cannot create rule %s for %s", a->name, name,
                  info);
      /* Not remembered: a later reading tries again. */
      nft_hash_remove (&a->elems, ae->key, ae->key_len);
      nft_free (ae);
      nft_free (name);
      nft_free (info);
      return -1;
    }
  nft_free (name);
  nft_free (info);
  return 0;

nomem:
  if (ae != NULL && nft_hash_lookup (&a->elems, ae->key, ae->key_len) == ae)
    nft_hash_remove (&a->elems, ae->key, ae->key_len);
  nft_free (ae);
  nft_free (name);
  nft_free (info);
  nft_logmsg (IPA_LOG_ERR, ENOMEM, "autorule %s", a->name);
  return -1;
}

/* Create a rule per new element, delete the rules of elements gone. */
static int
autorule_update (unsigned int autoruleno, Autorule *a)
{
  unsigned int round = nft_watch_get_round (watch);
  NftSampleState state = nft_watch_set_state (a->set);
  unsigned int n = nft_watch_set_n_seen (a->set), n_gone = 0;
  void **gone;

  if (state == NFT_SAMPLE_UNKNOWN)
    return 0;
  for (unsigned int i = 0; i < n; i++)
    {
      const NftSeenElem *se = nft_watch_set_seen (a->set, i);
      AutoElem *ae;
      char text[512];

      if (!se->has_counter)
        {
          if (!a->no_counter_logged)
            nft_logmsg (IPA_LOG_ERR, 0, "autorule %s: set %s keeps no counter per element "
                        "(declare it with the counter flag); no rules are made", a->name,
                        nft_watch_set_name (a->set));
          a->no_counter_logged = 1;
          break;
        }
      ae = nft_hash_lookup (&a->elems, se->key, se->key_len);
      if (ae != NULL)
        {
          ae->seen_round = round;
          continue;
        }
      if (nft_watch_set_format_key (a->set, se->key, se->key_len, text, sizeof text) < 0)
        continue;
      if (a->conf->element_pattern != NULL
          && regexec (&a->conf->element_re, text, 0, NULL, 0) != 0)
        continue;
      if (autorule_create (autoruleno, a, se, text) < 0)
        return -1;
    }
  a->read_once = 1;

  if (a->elems.n == 0)
    return 0;
  gone = nft_malloc (a->elems.n * sizeof *gone);
  if (gone == NULL)
    {
      nft_logmsg (IPA_LOG_ERR, ENOMEM, "autorule %s", a->name);
      return -1;
    }
  nft_hash_values (&a->elems, gone);
  for (unsigned int i = 0, total = a->elems.n; i < total; i++)
    if (((AutoElem *) gone[i])->seen_round != round)
      gone[n_gone++] = gone[i];
  for (unsigned int i = 0; i < n_gone; i++)
    {
      AutoElem *ae = gone[i];

      nft_hash_remove (&a->elems, ae->key, ae->key_len);
      if (ae->has_rule)
        {
          Rule *r = rule_get (ae->ruleno);

          if (r != NULL)
            r->autoruleno = (unsigned int) -1;  /* ac_deinit_rule need not look for ae */
          if (MOD.ac_delete_rule (NFT_MOD_NAME, ae->ruleno) < 0)
            {
              nft_logmsg (IPA_LOG_ERR, 0, "autorule %s: cannot delete rule %s", a->name,
                          r != NULL ? r->name : "?");
              nft_free (ae);
              for (unsigned int j = i + 1; j < n_gone; j++)
                nft_free (gone[j]);
              nft_free (gone);
              return -1;
            }
        }
      nft_free (ae);
    }
  nft_free (gone);
  return 0;
}

static int
ac_get_stat (const ipa_tm *ctm)
{
  int r;

  if (watch == NULL || nl == NULL)
    {
      nft_logmsg (IPA_LOG_ERR, 0, "ac_get_stat before ac_init");
      return -1;
    }
  r = nft_watch_read (watch, nl);
  if (r < 0)
    {
      /* Count nothing this round; the next good reading catches up. */
      if (read_error != -r)
        log_read_error (-r);
      read_error = -r;
      return 0;
    }
  if (read_error != 0)
    nft_logmsg (IPA_LOG_INFO, 0, "nftables can be read again");
  read_error = 0;
  for (unsigned int i = 0; i < n_auto_tab; i++)
    if (auto_tab[i] != NULL && autorule_update (i, auto_tab[i]) < 0)
      return -1;
  return 0;
}

static int
ac_get_rule_stat (unsigned int stat_generation, int newstat, unsigned int ruleno,
                  int *addition, uint64_t *chunk)
{
  Rule *r = rule_get (ruleno);
  NftTrackMode mode = NFT_TRACK_CONTINUE;
  NftSum sum = { 0, 0, 0 };

  if (r == NULL)
    {
      nft_logmsg (IPA_LOG_ERR, 0, "rule number %u does not use nft", ruleno);
      return -1;
    }
  if (newstat)
    {
      mode = r->fresh && r->created_round == nft_watch_get_round (watch) ? NFT_TRACK_FROM_ZERO
                                                                         : NFT_TRACK_BASELINE;
      r->fresh = 0;
    }
  for (unsigned int i = 0; i < r->n_terms; i++)
    {
      RuleTerm *t = &r->terms[i];
      NftSample s;

      if (t->counter != NULL)
        nft_watch_counter_sample (t->counter, r->unit, &s);
      else
        nft_watch_elem_sample (t->elem, r->unit, &s);
      nft_sum_add (&sum, t->sign, nft_track_step (&t->track, &s, mode, NULL));
    }
  if (nft_sum_result (&sum, addition, chunk) < 0)
    {
      nft_logmsg (IPA_LOG_ERR, EOVERFLOW, "rule %s: the amount counted in one round", r->name);
      return -1;
    }
  return 0;
}

/* Limits */

static void
limit_apply (Rule *r, const NftLimitConf *l, int add, const char *why)
{
  const char *element = l->target.element != NULL ? l->target.element : r->own_elem.element;
  uint8_t family = l->target.table != NULL ? l->target.family : r->family;
  const char *table = l->target.table != NULL ? l->target.table : r->table;
  uint8_t key[NFT_KEY_MAX];
  char err[512];
  NftSetInfo info;
  int e;

  if (table == NULL)
    {
      nft_logmsg (IPA_LOG_ERR, 0, "rule %s, limit %s: \"%s\" names no table and nft:table is "
                  "not set", r->name, l->name, l->target_text);
      return;
    }
  e = -nft_nl_get_set (nl, family, table, l->target.name, &info);
  if (e == 0 && nft_key_parse (info.key_type, info.key_len, element, key, err, sizeof err) < 0)
    {
      nft_logmsg (IPA_LOG_ERR, 0, "rule %s, limit %s: set %s %s %s: %s", r->name, l->name,
                  nft_family_name (family), table, l->target.name, err);
      return;
    }
  if (e == 0)
    e = -nft_nl_change_elem (nl, add, family, table, l->target.name, key, info.key_len);
  if (e != 0)
    nft_logmsg (IPA_LOG_ERR, e, "rule %s, limit %s %s: cannot %s %s %s set %s %s %s", r->name,
                l->name, why, add ? "add" : "delete", element, add ? "to" : "from",
                nft_family_name (family), table, l->target.name);
  else
    nft_logmsg (IPA_LOG_INFO, 0, "rule %s, limit %s %s: %s %s %s set %s %s %s", r->name, l->name,
                why, add ? "added" : "deleted", element, add ? "to" : "from",
                nft_family_name (family), table, l->target.name);
}

static int
ac_limit_event (unsigned int ruleno, unsigned int limitno, unsigned int event)
{
  Rule *r = rule_get (ruleno);
  const NftLimitConf *l = NULL;
  const char *why;
  int reach;

  if (r == NULL || nl == NULL)
    return 0;
  for (unsigned int i = 0; i < r->n_limits; i++)
    if (r->limits[i].no == limitno)
      l = &r->limits[i];
  if (l == NULL || l->action == NFT_ACTION_NONE)
    return 0;
  switch (event)
    {
    case IPA_LIMIT_EVENT_REACH:
      why = "reached", reach = 1;
      break;
    case IPA_LIMIT_EVENT_STARTUP_IF_REACHED:
      why = "reached at startup", reach = 1;
      break;
    case IPA_LIMIT_EVENT_RESTART:
      why = "restarted", reach = 0;
      break;
    case IPA_LIMIT_EVENT_EXPIRE:
      why = "expired", reach = 0;
      break;
    case IPA_LIMIT_EVENT_STARTUP_IF_NOT_REACHED:
      why = "not reached at startup", reach = 0;
      break;
    default:
      /* At shutdown the set keeps its state: the next start sets it right. */
      return 0;
    }
  /* A failure is logged and does not stop accounting. */
  limit_apply (r, l, reach == (l->action == NFT_ACTION_ADD), why);
  return 0;
}

/* Deinitialisation: may run without any init before. */

static int
ac_deinit_rule (unsigned int ruleno)
{
  Rule *r = rule_get (ruleno);
  Autorule *a;

  if (r == NULL)
    return 0;
  /* A dynamic rule the host deletes by itself: its element gets a new
   * rule at the next reading. */
  if (r->dynamic && (a = autorule_get (r->autoruleno)) != NULL)
    {
      AutoElem *ae = nft_hash_lookup (&a->elems, r->key, r->key_len);

      if (ae != NULL && ae->has_rule && ae->ruleno == ruleno)
        {
          nft_hash_remove (&a->elems, r->key, r->key_len);
          nft_free (ae);
        }
    }
  rule_tab[ruleno] = NULL;
  rule_free (r);
  return 0;
}

static int
ac_deinit_autorule (unsigned int autoruleno)
{
  Autorule *a = autorule_get (autoruleno);

  if (a != NULL)
    {
      auto_tab[autoruleno] = NULL;
      autorule_free (a);
    }
  return 0;
}

static int
ac_deinit (void)
{
  for (unsigned int i = 0; i < n_rule_tab; i++)
    ac_deinit_rule (i);
  for (unsigned int i = 0; i < n_auto_tab; i++)
    ac_deinit_autorule (i);
  nft_free (rule_tab);
  nft_free (auto_tab);
  rule_tab = NULL;
  auto_tab = NULL;
  n_rule_tab = n_auto_tab = 0;
  nft_watch_free (watch);
  watch = NULL;
  nft_nl_free (nl);
  nl = NULL;
  nft_conf_free ();
  nft_conf_set_running (0);
  return 0;
}

struct ipa_ac_mod ipa_ac_nft_ac_mod = {
  IPA_AC_MOD_API_VERSION,
  IPA_MOD_FLAG_PTHREAD_SAFE,
  NFT_MOD_NAME,
  NULL,                    /* suppfunc */
  NULL,                    /* memfunc */
  NFT_PREFIX,
  NULL,                    /* no sections */
  nft_conf_params,
  conf_init,
  nft_conf_deinit,
  nft_conf_event,
  nft_conf_mimic_real,
  nft_conf_inherit,
  nft_conf_show,
  ac_pre_init,
  ac_init_autorule,
  ac_init_dynrule,
  ac_init_statrule,
  ac_init,
  ac_deinit_rule,
  ac_deinit_autorule,
  ac_deinit,
  ac_get_stat,
  ac_get_rule_stat,
  NULL,                    /* ac_set_autorule_active */
  NULL,                    /* ac_set_rule_active */
  NULL,                    /* ac_set_limit_active */
  NULL,                    /* ac_set_threshold_active */
  ac_limit_event,
  NULL,                    /* ac_threshold_event */
  NULL,                    /* ac_create_rule: the host's */
  NULL,                    /* ac_delete_rule: the host's */
};
