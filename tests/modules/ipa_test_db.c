/*
 * ipa_test_db.c: a database module for the loader tests.  db_name "test",
 * prefix "tdb", one parameter "tdb:dir STRING".  Stores nothing.
 */
#include <inttypes.h>
#include <string.h>

#include <ipa_mod.h>

#include "ipa-test-trace.h"

#if IPA_DB_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "ipa_test_db supports db API 2 and memfunc API 1"
#endif

extern struct ipa_db_mod ipa_test_db_db_mod;
const char *ipa_test_db_trace (void);

#define MEM (ipa_test_db_db_mod.memfunc)

static char *dir;

static int
parse_dir (void *arg)
{
  char *s = *(char **) arg;

  trace ("arg_parse dir %s", s);
  if (dir != NULL)
    MEM->mem_free (dir, MEM->m_parser);
  dir = s;
  return 0;
}

static const unsigned int where_dir[] = {
  IPA_CONF_SECT_ROOT, IPA_CONF_SECT_GLOBAL, IPA_CONF_SECT_RULE, IPA_CONF_SECT_LIMIT,
  IPA_CONF_SECT_THRESHOLD, 0
};

static ipa_conf_param param_tbl[] = {
  { "dir", 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_dir, parse_dir },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

static int
conf_init (void)
{
  trace ("conf_init suppfunc=%d memfunc=%d", ipa_test_db_db_mod.suppfunc != NULL, MEM != NULL);
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
  (void) arg;
  trace ("conf_event %u %u", event, no);
  return 0;
}

static int
db_init_statrule (unsigned int ruleno, const char *rule_name, const char *rule_info)
{
  (void) rule_info;
  trace ("db_init_statrule %u %s", ruleno, rule_name);
  return 0;
}

static int
db_init (void)
{
  trace ("db_init");
  return 0;
}

static int
db_deinit_rule (unsigned int ruleno)
{
  trace ("db_deinit_rule %u", ruleno);
  return 0;
}

static int
db_deinit (void)
{
  trace ("db_deinit");
  if (dir != NULL)
    MEM->mem_free (dir, MEM->m_parser);
  dir = NULL;
  return 0;
}

struct ipa_db_mod ipa_test_db_db_mod = {
  .api_ver = IPA_DB_MOD_API_VERSION,
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .db_name = "test",
  .conf_prefix = "tdb",
  .conf_sect_tbl = NULL,
  .conf_param_tbl = param_tbl,
  .conf_init = conf_init,
  .conf_deinit = conf_deinit,
  .conf_event = conf_event,
  .db_init_statrule = db_init_statrule,
  .db_init = db_init,
  .db_deinit_rule = db_deinit_rule,
  .db_deinit = db_deinit,
};

const char *
ipa_test_db_trace (void)
{
  return trace_buf;
}
