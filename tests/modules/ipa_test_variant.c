/*
 * ipa_test_variant.c: small accounting modules that each break (or
 * follow) one rule of ipa_mod(3), for the loader's checks.  meson builds
 * this file once per variant with -DVARIANT_<NAME>, -DMOD_SYMBOL=<symbol>
 * and -DMOD_NAME=<ac_name>.
 */
#include <errno.h>
#include <stdarg.h>

#include <ipa_mod.h>

#if !defined(MOD_SYMBOL) || !defined(MOD_NAME)
# error "MOD_SYMBOL and MOD_NAME must be defined"
#endif

extern struct ipa_ac_mod MOD_SYMBOL;

#if defined(VARIANT_NAMELESS)
# define AC_NAME NULL
#elif defined(VARIANT_DUPNAME)
# define AC_NAME "test"          /* the name of ipa_test_ac */
#else
# define AC_NAME MOD_NAME
#endif

#if defined(VARIANT_DUPPREFIX)
# define PREFIX "tac"            /* the prefix of ipa_test_ac */
#else
# define PREFIX MOD_NAME
#endif

#if defined(VARIANT_BADVER)
# define API_VER 1
#else
# define API_VER IPA_AC_MOD_API_VERSION
#endif

#if defined(VARIANT_SINGLE)
# define MOD_FLAGS 0U
#else
# define MOD_FLAGS IPA_MOD_FLAG_PTHREAD_SAFE
#endif

#if defined(VARIANT_BADSECT)
# define SECT_ID IPA_CONF_SECT_CUSTOM_OFFSET
#else
# define SECT_ID (IPA_CONF_SECT_CUSTOM_OFFSET + 1)
#endif

static regex_t re1;
#if defined(VARIANT_ORPHANREGEXP)
static regex_t re2;
#endif

#if defined(VARIANT_BADRE)
# define PATTERN1 "([a-z"
#else
# define PATTERN1 "^[a-z]+$"
#endif

#if defined(VARIANT_NOREGEXP)
# define REGEXP1 NULL
#else
# define REGEXP1 &re1
#endif

static const unsigned int where_root[] = { IPA_CONF_SECT_ROOT, 0 };

static ipa_conf_sect sect_tbl[] = {
  { "sect", SECT_ID, 0, NULL, NULL, IPA_CONF_TYPE_MISC, where_root, NULL },
  { NULL, 0, 0, NULL, NULL, 0, NULL, NULL }
};

static ipa_conf_param param_tbl[] = {
  { "word", 1, PATTERN1, REGEXP1, IPA_CONF_TYPE_MISC, where_root, NULL },
#if defined(VARIANT_TWOREGEXP)
  { "other", 1, "^[0-9]+$", &re1, IPA_CONF_TYPE_MISC, where_root, NULL },
#elif defined(VARIANT_ORPHANREGEXP)
  { "other", 1, NULL, &re2, IPA_CONF_TYPE_MISC, where_root, NULL },
#else
  { "other", 1, NULL, &re1, IPA_CONF_TYPE_MISC, where_root, NULL },
#endif
  { NULL, 0, NULL, NULL, 0, NULL, NULL }
};

#if defined(VARIANT_INITFAIL)
static ipa_mem_type *m_fail;
static ipa_marray *marray;
static void *arr;

static void
logconferr (int code, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  MOD_SYMBOL.suppfunc->logconferr (MOD_NAME, code, format, ap);
  va_end (ap);
}
#endif

static int
conf_init (void)
{
#if defined(VARIANT_INITFAIL)
  /* Leave something behind for the host to report and release. */
  m_fail = MOD_SYMBOL.memfunc->mem_type_new ("initfail", "ipa_test_initfail", 0);
  marray = MOD_SYMBOL.memfunc->marray_init ("initfail_marray", "ipa_test_initfail", 0,
                                            &arr, sizeof (int), 1, 1);
  if (m_fail != NULL)
    MOD_SYMBOL.memfunc->mem_malloc (10, m_fail);
  (void) marray;
  logconferr (EIO, "cannot initialise");
  return -1;
#else
  return 0;
#endif
}

struct ipa_ac_mod MOD_SYMBOL = {
  .api_ver = API_VER,
  .mod_flags = MOD_FLAGS,
  .ac_name = AC_NAME,
  .conf_prefix = PREFIX,
  .conf_sect_tbl = sect_tbl,
  .conf_param_tbl = param_tbl,
  .conf_init = conf_init,
};
