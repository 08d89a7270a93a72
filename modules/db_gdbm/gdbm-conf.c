/*
 * gdbm-conf.c: gdbm:db_dir and gdbm:lock_wait, as ipa_db_gdbm and
 * ipa_st_gdbm read them: which section a parameter belongs to (from
 * conf_event), rulepat inheritance (conf_inherit) and the directory of a
 * rule.
 */
#include "gdbm-conf.h"

#include <string.h>

void
gdbm_conf_logerr (const GdbmEnv *env, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  env->sf->logconferr (env->mod_name, 0, format, ap);
  va_end (ap);
}

static void
confs_free (const GdbmEnv *env, GdbmDirConfs *a)
{
  for (unsigned int i = 0; i < a->n; i++)
    {
      gdbm_free (env, a->v[i].dir);
      gdbm_free (env, a->v[i].inherited);
    }
  gdbm_free (env, a->v);
  a->v = NULL;
  a->n = 0;
}

void
gdbm_conf_reset (const GdbmEnv *env, GdbmConf *c, uint64_t default_lock_wait)
{
  confs_free (env, &c->rules);
  confs_free (env, &c->rulepats);
  confs_free (env, &c->autorules);
  gdbm_free (env, c->global_dir);
  c->global_dir = NULL;
  c->ctx_kind = GDBM_CTX_ROOT;
  c->ctx_no = 0;
  c->lock_wait = default_lock_wait;
  c->have_lock_wait = 0;
  c->mimic = 0;
}

GdbmDirConf *
gdbm_conf_get (const GdbmEnv *env, GdbmDirConfs *a, unsigned int no)
{
  if (no >= a->n)
    {
      unsigned int n = no + 16;
      GdbmDirConf *v = gdbm_realloc_array (env, a->v, n, sizeof *v);

      if (v == NULL)
        return NULL;
      memset (v + a->n, 0, (n - a->n) * sizeof *v);
      a->v = v;
      a->n = n;
    }
  return &a->v[no];
}

void
gdbm_conf_event (GdbmConf *c, unsigned int event, unsigned int no)
{
  switch (event)
    {
    case IPA_CONF_EVENT_GLOBAL_BEGIN:
      c->ctx_kind = GDBM_CTX_GLOBAL;
      break;
    case IPA_CONF_EVENT_RULE_BEGIN:
      c->ctx_kind = GDBM_CTX_RULE;
      c->ctx_no = no;
      break;
    case IPA_CONF_EVENT_RULEPAT_BEGIN:
      c->ctx_kind = GDBM_CTX_RULEPAT;
      c->ctx_no = no;
      break;
    case IPA_CONF_EVENT_AUTORULE_BEGIN:
      c->ctx_kind = GDBM_CTX_AUTORULE;
      c->ctx_no = no;
      break;
    case IPA_CONF_EVENT_GLOBAL_END:
    case IPA_CONF_EVENT_RULE_END:
    case IPA_CONF_EVENT_RULEPAT_END:
    case IPA_CONF_EVENT_AUTORULE_END:
      c->ctx_kind = GDBM_CTX_ROOT;
      break;
    default:
      /* limit, threshold and the rest: db_dir is not allowed there. */
      break;
    }
}

int
gdbm_conf_set_dir (const GdbmEnv *env, GdbmConf *c, const char *value)
{
  GdbmDirConf *dc = NULL;
  char **slot = NULL;
  char *dir;
  size_t l;

  if (value[0] != '/')
    {
      gdbm_conf_logerr (env, "db_dir must be an absolute path, not \"%s\"", value);
      return -1;
    }
  switch (c->ctx_kind)
    {
    case GDBM_CTX_GLOBAL:
      slot = &c->global_dir;
      break;
    case GDBM_CTX_RULE:
      dc = gdbm_conf_get (env, &c->rules, c->ctx_no);
      break;
    case GDBM_CTX_RULEPAT:
      dc = gdbm_conf_get (env, &c->rulepats, c->ctx_no);
      break;
    case GDBM_CTX_AUTORULE:
      dc = gdbm_conf_get (env, &c->autorules, c->ctx_no);
      break;
    default:
      break;
    }
  if (dc != NULL)
    slot = &dc->dir;
  if (slot == NULL)
    {
      gdbm_conf_logerr (env, "db_dir is not expected here");
      return -1;
    }
  dir = gdbm_strdup (env, value);
  if (dir == NULL)
    return -1;
  l = strlen (dir);
  while (l > 1 && dir[l - 1] == '/')
    dir[--l] = '\0';
  gdbm_free (env, *slot);
  *slot = dir;
  return 0;
}

int
gdbm_conf_parse_dir (const GdbmEnv *env, GdbmConf *c, void *arg)
{
  char *s = *(char **) arg;
  int rc = gdbm_conf_set_dir (env, c, s);

  env->mf->mem_free (s, env->mf->m_parser);
  return rc;
}

int
gdbm_conf_set_lock_wait (const GdbmEnv *env, GdbmConf *c, uint64_t seconds)
{
  if (seconds > 3600)
    {
      gdbm_conf_logerr (env, "lock_wait must not exceed 1h");
      return -1;
    }
  c->lock_wait = seconds;
  c->have_lock_wait = 1;
  return 0;
}

int
gdbm_conf_inherit (const GdbmEnv *env, GdbmConf *c, unsigned int rulepatno, unsigned int ruleno)
{
  GdbmDirConf *rc;

  if (rulepatno >= c->rulepats.n || c->rulepats.v[rulepatno].dir == NULL)
    return 0;
  rc = gdbm_conf_get (env, &c->rules, ruleno);
  if (rc == NULL)
    return -1;
  /* The first matching rulepat wins; the rule's own setting wins over all. */
  if (rc->inherited == NULL)
    {
      rc->inherited = gdbm_strdup (env, c->rulepats.v[rulepatno].dir);
      if (rc->inherited == NULL)
        return -1;
    }
  return 0;
}

void
gdbm_conf_forget_rule (const GdbmEnv *env, GdbmConf *c, unsigned int ruleno)
{
  if (ruleno < c->rules.n)
    {
      gdbm_free (env, c->rules.v[ruleno].inherited);
      c->rules.v[ruleno].inherited = NULL;
    }
}

const char *
gdbm_conf_rule_dir (const GdbmConf *c, unsigned int ruleno, int dynamic, unsigned int autoruleno)
{
  const GdbmDirConf *rc = ruleno < c->rules.n ? &c->rules.v[ruleno] : NULL;
  const GdbmDirConf *ac = autoruleno < c->autorules.n ? &c->autorules.v[autoruleno] : NULL;

  /* Static rules: own > rulepat > global; dynamic ones: autorule >
   * rulepat > global (ipa.conf(5)). */
  if (dynamic)
    {
      if (ac != NULL && ac->dir != NULL)
        return ac->dir;
    }
  else if (rc != NULL && rc->dir != NULL)
    return rc->dir;
  if (rc != NULL && rc->inherited != NULL)
    return rc->inherited;
  return gdbm_conf_global_dir (c);
}

const char *
gdbm_conf_global_dir (const GdbmConf *c)
{
  return c->global_dir != NULL ? c->global_dir : GDBM_DEFAULT_DB_DIR;
}

static void
show_dir (const GdbmEnv *env, const char *dir)
{
  env->sf->print_param_name (env->mod_name, "db_dir");
  env->sf->print_string (dir);
  env->sf->print_param_end ();
}

void
gdbm_conf_show (const GdbmEnv *env, const GdbmConf *c, unsigned int sect_id, unsigned int no)
{
  switch (sect_id)
    {
    case IPA_CONF_SECT_GLOBAL:
      if (c->global_dir != NULL || c->mimic)
        show_dir (env, gdbm_conf_global_dir (c));
      if (c->have_lock_wait || c->mimic)
        {
          env->sf->print_param_name (env->mod_name, "lock_wait");
          env->sf->print_time (&c->lock_wait);
          env->sf->print_param_end ();
        }
      break;
    case IPA_CONF_SECT_RULE:
      if (no < c->rules.n && c->rules.v[no].dir != NULL)
        show_dir (env, c->rules.v[no].dir);
      else if (c->mimic && no < c->rules.n && c->rules.v[no].inherited != NULL)
        show_dir (env, c->rules.v[no].inherited);
      break;
    case IPA_CONF_SECT_RULEPAT:
      if (no < c->rulepats.n && c->rulepats.v[no].dir != NULL)
        show_dir (env, c->rulepats.v[no].dir);
      break;
    case IPA_CONF_SECT_AUTORULE:
      if (no < c->autorules.n && c->autorules.v[no].dir != NULL)
        show_dir (env, c->autorules.v[no].dir);
      break;
    default:
      break;
    }
}
