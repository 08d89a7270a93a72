/*
 * ipa_test_multi.c: one file, three kinds, one prefix "tmulti".
 *
 * The ac and db modules share their tables (as a converter module would),
 * so the loader accepts the shared prefix and registers the tables once.
 * The st module has tables of its own under the same prefix, which the
 * loader rejects when one of the others is loaded.
 */
#include <ipa_mod.h>

#include "ipa-test-trace.h"

extern struct ipa_ac_mod ipa_test_multi_ac_mod;
extern struct ipa_db_mod ipa_test_multi_db_mod;
extern struct ipa_st_mod ipa_test_multi_st_mod;
const char *ipa_test_multi_trace (void);

static regex_t name_re;

static int
parse_name (void *arg)
{
  trace ("arg_parse name %s", *(char **) arg);
  return 0;
}

static const unsigned int where_root[] = { IPA_CONF_SECT_ROOT, 0 };

static ipa_conf_param shared_params[] = {
  { "name", 1, "^[a-z]+$", &name_re, IPA_CONF_TYPE_MISC, where_root, parse_name },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

static ipa_conf_param st_params[] = {
  { "other", 1, NULL, NULL, IPA_CONF_TYPE_MISC, where_root, parse_name },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

static int
ac_conf_init (void)
{
  trace ("ac conf_init");
  return 0;
}

static int
db_conf_init (void)
{
  trace ("db conf_init");
  return 0;
}

static int
st_conf_init (void)
{
  trace ("st conf_init");
  return 0;
}

struct ipa_ac_mod ipa_test_multi_ac_mod = {
  .api_ver = IPA_AC_MOD_API_VERSION,
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .ac_name = "multi",
  .conf_prefix = "tmulti",
  .conf_param_tbl = shared_params,
  .conf_init = ac_conf_init,
};

struct ipa_db_mod ipa_test_multi_db_mod = {
  .api_ver = IPA_DB_MOD_API_VERSION,
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .db_name = "multi",
  .conf_prefix = "tmulti",
  .conf_param_tbl = shared_params,
  .conf_init = db_conf_init,
};

struct ipa_st_mod ipa_test_multi_st_mod = {
  .api_ver = IPA_ST_MOD_API_VERSION,
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .st_name = "multi",
  .conf_prefix = "tmulti",
  .conf_param_tbl = st_params,
  .conf_init = st_conf_init,
};

const char *
ipa_test_multi_trace (void)
{
  return trace_buf;
}
