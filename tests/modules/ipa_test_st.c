/*
 * ipa_test_st.c: a statistics module for the loader tests (st_name "test",
 * prefix "tst").  The file also exports ipa_test_alias_ac_mod, an
 * accounting module that is found only when the file is loaded through a
 * link named ipa_test_alias*.so: the name of the link decides the symbol.
 */
#include <ipa_mod.h>

#include "ipa-test-trace.h"

#if IPA_ST_MOD_API_VERSION != 2 || IPA_AC_MOD_API_VERSION != 2
# error "ipa_test_st supports st API 2 and ac API 2"
#endif

extern struct ipa_st_mod ipa_test_st_st_mod;
extern struct ipa_ac_mod ipa_test_alias_ac_mod;
const char *ipa_test_st_trace (void);

static int
parse_flag (void *arg)
{
  trace ("arg_parse flag %d", *(int *) arg);
  return 0;
}

static const unsigned int where_flag[] = { IPA_CONF_SECT_ROOT, IPA_CONF_SECT_RULE, 0 };

static ipa_conf_param param_tbl[] = {
  { "flag", 1, NULL, NULL, IPA_CONF_TYPE_BOOLEAN, where_flag, parse_flag },
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

static int
st_conf_init (void)
{
  trace ("st conf_init");
  return 0;
}

static int
alias_conf_init (void)
{
  trace ("alias conf_init");
  return 0;
}

struct ipa_st_mod ipa_test_st_st_mod = {
  .api_ver = IPA_ST_MOD_API_VERSION,
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .st_name = "test",
  .conf_prefix = "tst",
  .conf_param_tbl = param_tbl,
  .conf_init = st_conf_init,
};

struct ipa_ac_mod ipa_test_alias_ac_mod = {
  .api_ver = IPA_AC_MOD_API_VERSION,
  .mod_flags = IPA_MOD_FLAG_PTHREAD_SAFE,
  .ac_name = "alias",
  .conf_prefix = NULL,
  .conf_init = alias_conf_init,
};

const char *
ipa_test_st_trace (void)
{
  return trace_buf;
}
