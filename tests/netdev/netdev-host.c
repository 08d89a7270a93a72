/*
 * netdev-host.c: a stand-in for the engine for the tests of ipa_ac_netdev
 * (see netdev-host.h).  It follows the call sequences of ipa_mod(3) §14.
 */
#include "config.h"

#include <string.h>
#include <syslog.h>

#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "netdev-host.h"

/* ac_create_rule and ac_delete_rule have no context argument. */
static NetdevHost *current;

static void
rule_free (gpointer p)
{
  NetdevHostRule *r = p;

  if (r == NULL)
    return;
  g_free (r->name);
  g_free (r);
}

static void
capture (const IpaLogRecord *record, gpointer user_data)
{
  NetdevHost *h = user_data;
  const char *word = record->priority <= LOG_ERR ? "error"
                     : record->priority == LOG_WARNING ? "warning" : "info";
  char *line = g_strdup_printf ("%s: %s", word, record->message);

  if (!h->quiet)
    g_test_message ("log: %s%s%s", record->module != NULL ? record->module : "",
                    record->module != NULL ? ": " : "", line);
  if (g_strcmp0 (record->module, "netdev") == 0)
    g_ptr_array_add (h->messages, line);
  else
    g_free (line);
}

static void
event (NetdevHost *h, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
event (NetdevHost *h, const char *format, ...)
{
  va_list ap;
  char *e;

  va_start (ap, format);
  e = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (!h->quiet)
    g_test_message ("event: %s", e);
  g_ptr_array_add (h->events, e);
}

static void
owner_set (NetdevHost *h)
{
  ipa_memfunc_set_owner (h->module->owner);
}

static void
owner_unset (void)
{
  ipa_memfunc_set_owner (NULL);
}

static gboolean
list_has (const IpaConfOptList *l, const char *name)
{
  return l->set && g_strv_contains ((const char *const *) l->names, name);
}

static gboolean
autorule_uses (NetdevHost *h, const IpaConfAutorule *a)
{
  if (a->params.ac_list.set)
    return list_has (&a->params.ac_list, "netdev");
  return list_has (&h->conf->global.ac_list, "netdev");
}

/* Hooks */

static int
host_create_rule (const char *mod_name, unsigned int autoruleno, unsigned int *ruleno,
                  const char *rule_name, const char *rule_info)
{
  NetdevHost *h = current;
  g_autoptr(GArray) pats = NULL;
  NetdevHostRule *r;
  guint no;
  int rc;

  g_assert_nonnull (h);
  g_assert_cmpstr (mod_name, ==, "netdev");
  g_assert_nonnull (rule_info);
  if (!h->in_get_stat)
    return -1;
  if (h->create_result != 0)
    {
      event (h, "refuse %s", rule_name);
      return h->create_result;
    }
  if (netdev_host_rule (h, rule_name) != NULL)
    {
      event (h, "exists %s", rule_name);
      return -2;
    }
  for (no = h->n_static; no < h->rules->len; no++)
    if (g_ptr_array_index (h->rules, no) == NULL)
      break;
  if (no == h->rules->len)
    g_ptr_array_add (h->rules, NULL);
  r = g_new0 (NetdevHostRule, 1);
  r->name = g_strdup (rule_name);
  r->ruleno = no;
  r->dynamic = TRUE;
  r->autoruleno = autoruleno;
  r->newstat = TRUE;
  r->active = TRUE;
  g_ptr_array_index (h->rules, no) = r;

  /* rulepats apply to dynamic rules before their init. */
  pats = ipa_conf_match_rulepats (h->conf, rule_name);
  for (guint i = 0; i < pats->len; i++)
    if (h->ac->conf_inherit (g_array_index (pats, guint, i), no, r->name) != 0)
      {
        g_ptr_array_index (h->rules, no) = NULL;
        rule_free (r);
        return -1;
      }
  rc = h->ac->ac_init_dynrule (autoruleno, no, r->name);
  if (rc != 0)
    {
      event (h, "init failed %s #%u", rule_name, no);
      h->ac->ac_deinit_rule (no);
      g_ptr_array_index (h->rules, no) = NULL;
      rule_free (r);
      return -1;
    }
  event (h, "create %s #%u", rule_name, no);
  *ruleno = no;
  return 0;
}

static int
host_delete_rule (const char *mod_name, unsigned int ruleno)
{
  NetdevHost *h = current;
  NetdevHostRule *r;

  g_assert_nonnull (h);
  g_assert_cmpstr (mod_name, ==, "netdev");
  if (!h->in_get_stat || ruleno >= h->rules->len)
    return -1;
  r = g_ptr_array_index (h->rules, ruleno);
  /* INV-71 */
  if (r == NULL || !r->dynamic)
    return -1;
  event (h, "delete %s #%u", r->name, ruleno);
  r->active = FALSE;
  if (h->deinit_in_delete)
    {
      h->ac->ac_deinit_rule (ruleno);
      event (h, "deinit %s #%u", r->name, ruleno);
      g_ptr_array_index (h->rules, ruleno) = NULL;
      rule_free (r);
    }
  else
    g_array_append_val (h->to_deinit, ruleno);
  return 0;
}

/* Life cycle */

NetdevHost *
netdev_host_new (const char *conf_text, IpaConfLoadFlags flags, GError **error)
{
  NetdevHost *h = g_new0 (NetdevHost, 1);

  h->messages = g_ptr_array_new_with_free_func (g_free);
  h->events = g_ptr_array_new_with_free_func (g_free);
  h->rules = g_ptr_array_new_with_free_func (rule_free);
  h->to_deinit = g_array_new (FALSE, FALSE, sizeof (guint));
  ipa_log_set_handler (capture, h);
  h->set = ipa_module_set_new ();
  h->conf = ipa_conf_load_data ("netdev-test.conf", conf_text, h->set, flags, error);
  if (h->conf == NULL)
    {
      ipa_log_set_handler (NULL, NULL);
      ipa_module_set_free (h->set);
      g_ptr_array_unref (h->messages);
      g_ptr_array_unref (h->events);
      g_ptr_array_unref (h->rules);
      g_array_unref (h->to_deinit);
      g_free (h);
      return NULL;
    }
  h->module = ipa_module_set_lookup (h->set, IPA_MODULE_KIND_AC, "netdev");
  g_assert_nonnull (h->module);
  h->ac = h->module->mod.ac;

  for (guint i = 0; i < h->conf->rules->len; i++)
    {
      IpaConfRule *cr = g_ptr_array_index (h->conf->rules, i);
      NetdevHostRule *r = g_new0 (NetdevHostRule, 1);

      g_assert_cmpuint (cr->no, ==, i);
      r->name = g_strdup (cr->name);
      r->ruleno = cr->no;
      r->uses_module = list_has (&cr->eff.ac_list, "netdev");
      r->newstat = TRUE;
      r->active = TRUE;
      g_ptr_array_add (h->rules, r);
    }
  h->n_static = h->conf->rules->len;
  current = h;
  ipa_module_set_ac_hooks (host_create_rule, host_delete_rule);
  return h;
}

gboolean
netdev_host_start (NetdevHost *h)
{
  gboolean ok = FALSE;

  h->started = TRUE;
  owner_set (h);
  if (h->ac->ac_pre_init () != 0)
    goto out;
  for (guint i = 0; i < h->conf->autorules->len; i++)
    {
      IpaConfAutorule *a = g_ptr_array_index (h->conf->autorules, i);

      if (autorule_uses (h, a) && h->ac->ac_init_autorule (a->no, a->name) != 0)
        goto out;
    }
  for (guint i = 0; i < h->n_static; i++)
    {
      NetdevHostRule *r = g_ptr_array_index (h->rules, i);

      if (r->uses_module && h->ac->ac_init_statrule (r->ruleno, r->name) != 0)
        goto out;
    }
  ok = h->ac->ac_init () == 0;
out:
  owner_unset ();
  return ok;
}

int
netdev_host_round (NetdevHost *h)
{
  ipa_tm tm = { .tm_year = 2024, .tm_mon = 1, .tm_mday = 1 };
  int rc;

  owner_set (h);
  /* INV-45: never 0. */
  if (++h->generation == 0)
    h->generation = 1;
  h->in_get_stat = TRUE;
  rc = h->ac->ac_get_stat (&tm);
  h->in_get_stat = FALSE;

  for (guint i = 0; rc == 0 && i < h->rules->len; i++)
    {
      NetdevHostRule *r = g_ptr_array_index (h->rules, i);
      int addition = -1;
      uint64_t chunk = G_MAXUINT64;

      if (r == NULL || !r->active || (!r->dynamic && !r->uses_module))
        continue;
      rc = h->ac->ac_get_rule_stat (h->generation, r->newstat, r->ruleno, &addition, &chunk);
      if (rc != 0)
        break;
      /* The module never subtracts. */
      g_assert_cmpint (addition, !=, 0);
      g_assert_cmpuint (chunk, !=, G_MAXUINT64);
      if (r->newstat)
        g_assert_cmpuint (chunk, ==, 0);
      r->newstat = FALSE;
      r->last = chunk;
      r->total += chunk;
      r->rounds++;
    }

  /* deleted rules are deinitialised after ac_get_stat, in the same
   * round. */
  for (guint i = 0; i < h->to_deinit->len; i++)
    {
      guint no = g_array_index (h->to_deinit, guint, i);
      NetdevHostRule *r = g_ptr_array_index (h->rules, no);

      h->ac->ac_deinit_rule (no);
      event (h, "deinit %s #%u", r->name, no);
      g_ptr_array_index (h->rules, no) = NULL;
      rule_free (r);
    }
  g_array_set_size (h->to_deinit, 0);
  owner_unset ();
  return rc;
}

NetdevHostRule *
netdev_host_rule (NetdevHost *h, const char *name)
{
  for (guint i = 0; i < h->rules->len; i++)
    {
      NetdevHostRule *r = g_ptr_array_index (h->rules, i);

      if (r != NULL && strcmp (r->name, name) == 0)
        return r;
    }
  return NULL;
}

NetdevHostRule *
netdev_host_rule_ok (NetdevHost *h, const char *name)
{
  NetdevHostRule *r = netdev_host_rule (h, name);

  if (r == NULL)
    g_error ("no rule %s", name);
  return r;
}

guint
netdev_host_n_dynamic (NetdevHost *h)
{
  guint n = 0;

  for (guint i = 0; i < h->rules->len; i++)
    {
      NetdevHostRule *r = g_ptr_array_index (h->rules, i);

      n += r != NULL && r->dynamic;
    }
  return n;
}

void
netdev_host_set_rule_active (NetdevHost *h, const char *name, gboolean active)
{
  NetdevHostRule *r = netdev_host_rule_ok (h, name);

  /* The module has no ac_set_rule_active; the engine skips it (INV-90)
   * and passes newstat on the first round after (INV-48). */
  g_assert_null (h->ac->ac_set_rule_active);
  if (active && !r->active)
    r->newstat = TRUE;
  r->active = active;
}

void
netdev_host_set_autorule_active (NetdevHost *h, unsigned int autoruleno, gboolean active)
{
  owner_set (h);
  g_assert_cmpint (h->ac->ac_set_autorule_active (autoruleno, active), ==, 0);
  owner_unset ();
}

gboolean
netdev_host_has_message (NetdevHost *h, const char *needle)
{
  for (guint i = 0; i < h->messages->len; i++)
    if (strstr (g_ptr_array_index (h->messages, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

gboolean
netdev_host_has_event (NetdevHost *h, const char *e)
{
  for (guint i = 0; i < h->events->len; i++)
    if (strcmp (g_ptr_array_index (h->events, i), e) == 0)
      return TRUE;
  return FALSE;
}

void
netdev_host_clear_log (NetdevHost *h)
{
  g_ptr_array_set_size (h->messages, 0);
  g_ptr_array_set_size (h->events, 0);
}

static void
count_leak (const char *message, gpointer user_data)
{
  g_test_message ("leak: %s", message);
  (*(guint *) user_data)++;
}

guint
netdev_host_stop (NetdevHost *h)
{
  guint leaks = 0;

  if (h->ac == NULL)
    return 0;
  owner_set (h);
  /* INV-72/74: every rule and autorule, whether or not its init ran. */
  for (guint i = h->rules->len; i > 0; i--)
    {
      NetdevHostRule *r = g_ptr_array_index (h->rules, i - 1);

      if (r != NULL && (r->dynamic || r->uses_module))
        h->ac->ac_deinit_rule (r->ruleno);
      if (r != NULL && r->dynamic)
        {
          g_ptr_array_index (h->rules, i - 1) = NULL;
          rule_free (r);
        }
    }
  for (guint i = 0; i < h->conf->autorules->len; i++)
    {
      IpaConfAutorule *a = g_ptr_array_index (h->conf->autorules, i);

      h->ac->ac_deinit_autorule (a->no);
    }
  h->ac->ac_deinit ();
  owner_unset ();
  h->ac = NULL;
  ipa_memfunc_check_leaks (h->module->owner, count_leak, &leaks);
  return leaks;
}

void
netdev_host_free (NetdevHost *h)
{
  if (h == NULL)
    return;
  netdev_host_stop (h);
  ipa_module_set_ac_hooks (NULL, NULL);
  if (current == h)
    current = NULL;
  ipa_conf_free (h->conf);
  ipa_module_set_free (h->set);
  ipa_log_set_handler (NULL, NULL);
  g_ptr_array_unref (h->rules);
  g_ptr_array_unref (h->messages);
  g_ptr_array_unref (h->events);
  g_array_unref (h->to_deinit);
  g_free (h);
}
