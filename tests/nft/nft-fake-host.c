/*
 * nft-fake-host.c: a minimal engine for module tests (nft-fake-host.h).
 */
#include "config.h"

#include <string.h>

#include "ipa-conf-parser.h"
#include "ipa-memfunc.h"
#include "nft-fake-host.h"

static FakeHost *current;

static const unsigned int w_root[] = { IPA_CONF_SECT_ROOT, 0 };
static const unsigned int w_sects[] = {
  IPA_CONF_SECT_RULE, IPA_CONF_SECT_AUTORULE, IPA_CONF_SECT_RULEPAT, 0
};

static void
rule_free (gpointer p)
{
  FakeRule *r = p;

  if (r == NULL)
    return;
  g_free (r->name);
  g_free (r->info);
  g_free (r);
}

static gboolean
rule_begin (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
            GError **error)
{
  FakeHost *h = user_data;
  FakeRule *r = g_new0 (FakeRule, 1);

  r->name = g_strdup (st->args[0].text);
  r->ruleno = st->no;
  r->newstat = TRUE;
  r->active = TRUE;
  g_assert_cmpuint (st->no, ==, h->rules->len);
  g_ptr_array_add (h->rules, r);
  h->n_static++;
  return TRUE;
}

static gboolean
autorule_begin (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
                GError **error)
{
  FakeHost *h = user_data;

  g_assert_cmpuint (st->no, ==, h->autorules->len);
  g_ptr_array_add (h->autorules, g_strdup (st->args[0].text));
  return TRUE;
}

static gboolean
rulepat_begin (IpaConfParser *parser, const IpaConfStatement *st, gpointer user_data,
               GError **error)
{
  FakeHost *h = user_data;

  g_assert_cmpuint (st->no, ==, h->rulepats->len);
  g_ptr_array_add (h->rulepats, g_strdup (st->value.u.str));
  return TRUE;
}

static const IpaConfSectDef sects[] = {
  { "global", IPA_CONF_SECT_GLOBAL, 0, 0, w_root, IPA_CONF_EVENT_GLOBAL_BEGIN,
    IPA_CONF_NUMBER_NONE, NULL, NULL, NULL },
  { "rule", IPA_CONF_SECT_RULE, 1, 0, w_root, IPA_CONF_EVENT_RULE_BEGIN,
    IPA_CONF_NUMBER_FILE, "rule", rule_begin, NULL },
  { "autorule", IPA_CONF_SECT_AUTORULE, 1, 0, w_root, IPA_CONF_EVENT_AUTORULE_BEGIN,
    IPA_CONF_NUMBER_FILE, NULL, autorule_begin, NULL },
  { "rulepat", IPA_CONF_SECT_RULEPAT, 1, IPA_CONF_TYPE_STRING, w_root,
    IPA_CONF_EVENT_RULEPAT_BEGIN, IPA_CONF_NUMBER_FILE, NULL, rulepat_begin, NULL },
  { "limit", IPA_CONF_SECT_LIMIT, 1, 0, w_sects, IPA_CONF_EVENT_LIMIT_BEGIN,
    IPA_CONF_NUMBER_PARENT, NULL, NULL, NULL },
  { NULL }
};
static const IpaConfParamDef params[] = { { NULL } };
static const IpaConfSchema schema = { sects, params };

/* The engine's side of ac_create_rule / ac_delete_rule. */

static int
create_rule (const char *mod_name, unsigned int autoruleno, unsigned int *ruleno,
             const char *rule_name, const char *rule_info)
{
  FakeHost *h = current;
  FakeRule *r;
  guint no;

  if (h == NULL || !h->in_get_stat || h->fail_create)
    return -1;
  if (fake_host_rule (h, rule_name) != NULL)
    {
      g_string_append_printf (h->trace, "-2 %s\n", rule_name);
      return -2;
    }
  for (no = h->n_static; no < h->rules->len && h->rules->pdata[no] != NULL; no++)
    ;
  if (no == h->rules->len)
    g_ptr_array_add (h->rules, NULL);
  r = g_new0 (FakeRule, 1);
  r->name = g_strdup (rule_name);
  r->info = g_strdup (rule_info);
  r->ruleno = no;
  r->dynamic = TRUE;
  r->autoruleno = autoruleno;
  r->newstat = TRUE;
  r->active = TRUE;
  h->rules->pdata[no] = r;
  /* ipa_mod(3): ac_init_dynrule runs inside ac_create_rule. */
  if (h->ac->ac_init_dynrule (autoruleno, no, r->name) < 0)
    {
      h->rules->pdata[no] = NULL;
      rule_free (r);
      return -1;
    }
  g_string_append_printf (h->trace, "create %s %u\n", rule_name, no);
  *ruleno = no;
  return 0;
}

static int
delete_rule (const char *mod_name, unsigned int ruleno)
{
  FakeHost *h = current;
  FakeRule *r;

  if (h == NULL || !h->in_get_stat || ruleno >= h->rules->len)
    return -1;
  r = h->rules->pdata[ruleno];
  if (r == NULL || !r->dynamic || r->deleted)
    return -1;
  r->deleted = TRUE;
  g_string_append_printf (h->trace, "delete %s %u\n", r->name, ruleno);
  return 0;
}

FakeHost *
fake_host_new (const char *module_file, const char *config, GError **error)
{
  FakeHost *h = g_new0 (FakeHost, 1);
  g_autoptr(IpaConfParser) parser = NULL;
  IpaConfModuleTables t;

  h->set = ipa_module_set_new ();
  h->rules = g_ptr_array_new_with_free_func (rule_free);
  h->autorules = g_ptr_array_new_with_free_func (g_free);
  h->rulepats = g_ptr_array_new_with_free_func (g_free);
  h->trace = g_string_new (NULL);
  current = h;
  ipa_module_set_ac_hooks (create_rule, delete_rule);

  h->module = ipa_module_set_load (h->set, IPA_MODULE_KIND_AC, module_file, error);
  if (h->module == NULL)
    {
      fake_host_free (h);
      return NULL;
    }
  h->ac = h->module->mod.ac;
  parser = ipa_conf_parser_new (&schema, h);
  t = ipa_module_set_conf_tables (h->set, h->module);
  if (!ipa_conf_parser_add_module (parser, &t, error)
      || !ipa_conf_parser_parse_data (parser, "test.conf", config, -1, error))
    {
      fake_host_free (h);
      return NULL;
    }
  g_clear_pointer (&parser, ipa_conf_parser_free);

  /* Inheritance: every matching rulepat, in order. */
  for (guint i = 0; i < h->n_static; i++)
    {
      FakeRule *r = h->rules->pdata[i];

      for (guint p = 0; p < h->rulepats->len; p++)
        if (g_regex_match_simple (h->rulepats->pdata[p], r->name, 0, 0)
            && h->ac->conf_inherit (p, i, r->name) < 0)
          {
            g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE,
                         "conf_inherit (%u, %s) failed", p, r->name);
            fake_host_free (h);
            return NULL;
          }
    }
  if (h->ac->conf_deinit () < 0)
    {
      g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MODULE, "conf_deinit failed");
      fake_host_free (h);
      return NULL;
    }
  return h;
}

gboolean
fake_host_init (FakeHost *h)
{
  h->initialised = TRUE;
  if (h->ac->ac_pre_init () < 0)
    return FALSE;
  for (guint i = 0; i < h->autorules->len; i++)
    if (h->ac->ac_init_autorule (i, h->autorules->pdata[i]) < 0)
      return FALSE;
  for (guint i = 0; i < h->n_static; i++)
    if (h->ac->ac_init_statrule (i, ((FakeRule *) h->rules->pdata[i])->name) < 0)
      return FALSE;
  return h->ac->ac_init () == 0;
}

int
fake_host_round (FakeHost *h)
{
  ipa_tm tm = { 0 };
  int r;

  tm.tm_year = 2024;
  tm.tm_mon = 1;
  tm.tm_mday = 1;
  if (++h->generation == 0)
    h->generation = 1;
  h->in_get_stat = TRUE;
  r = h->ac->ac_get_stat (&tm);
  h->in_get_stat = FALSE;
  if (r < 0)
    return r;
  for (guint i = 0; i < h->rules->len; i++)
    {
      FakeRule *fr = h->rules->pdata[i];
      uint64_t chunk = 0;
      int addition = 1;

      if (fr == NULL || fr->deleted || !fr->active)
        continue;
      r = h->ac->ac_get_rule_stat (h->generation, fr->newstat, i, &addition, &chunk);
      if (r < 0)
        return r;
      fr->newstat = FALSE;
      fr->total += addition ? (gint64) chunk : -(gint64) chunk;
    }
  /* Deletions made inside ac_get_stat take effect now. */
  for (guint i = 0; i < h->rules->len; i++)
    {
      FakeRule *fr = h->rules->pdata[i];

      if (fr != NULL && fr->deleted)
        {
          h->ac->ac_deinit_rule (i);
          g_string_append_printf (h->trace, "deinit %u\n", i);
          rule_free (fr);
          h->rules->pdata[i] = NULL;
        }
    }
  return 0;
}

FakeRule *
fake_host_rule (FakeHost *h, const char *name)
{
  for (guint i = 0; i < h->rules->len; i++)
    {
      FakeRule *r = h->rules->pdata[i];

      if (r != NULL && !r->deleted && strcmp (r->name, name) == 0)
        return r;
    }
  return NULL;
}

guint
fake_host_n_dynamic (FakeHost *h)
{
  guint n = 0;

  for (guint i = h->n_static; i < h->rules->len; i++)
    if (h->rules->pdata[i] != NULL)
      n++;
  return n;
}

int
fake_host_limit_event (FakeHost *h, const char *rule, guint limitno, guint event)
{
  FakeRule *r = fake_host_rule (h, rule);

  g_assert_nonnull (r);
  return h->ac->ac_limit_event (r->ruleno, limitno, event);
}

void
fake_host_set_rule_active (FakeHost *h, const char *rule, gboolean active)
{
  FakeRule *r = fake_host_rule (h, rule);

  g_assert_nonnull (r);
  if (active && !r->active)
    r->newstat = TRUE;
  r->active = active;
}

void
fake_host_free (FakeHost *h)
{
  if (h == NULL)
    return;
  if (h->ac != NULL)
    {
      /* Dynamic rules first, then static ones, then autorules. */
      for (guint i = h->rules->len; i > h->n_static; i--)
        if (h->rules->pdata[i - 1] != NULL)
          h->ac->ac_deinit_rule (i - 1);
      for (guint i = 0; i < h->n_static; i++)
        h->ac->ac_deinit_rule (i);
      for (guint i = 0; i < h->autorules->len; i++)
        h->ac->ac_deinit_autorule (i);
      h->ac->ac_deinit ();
    }
  ipa_module_set_free (h->set);
  ipa_module_set_ac_hooks (NULL, NULL);
  if (current == h)
    current = NULL;
  g_ptr_array_unref (h->rules);
  g_ptr_array_unref (h->autorules);
  g_ptr_array_unref (h->rulepats);
  g_string_free (h->trace, TRUE);
  g_free (h);
}
