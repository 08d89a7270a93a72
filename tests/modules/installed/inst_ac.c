/*
 * inst_ac.c: an accounting module built by test-installed-header.sh
 * against the installed ipa_mod.h, as C99, C11 and C++.  Every field is
 * initialised in order, so that the build also checks the field order
 * and that -Wextra finds nothing missing.
 */
#include <ipa_mod.h>

#if IPA_AC_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "unexpected API version"
#endif

#ifdef __cplusplus
extern "C" {
#endif

extern struct ipa_ac_mod inst_ac_ac_mod;

static regex_t name_re;

static int
parse_name (void *arg)
{
	const char *name = *(char **)arg;

	return name[0] != '\0' ? 0 : -1;
}

static void
logmsg (int priority, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	inst_ac_ac_mod.suppfunc->logmsg("inst", priority, 0, format, ap);
	va_end(ap);
}

static const unsigned int where_root[] = { IPA_CONF_SECT_ROOT, IPA_CONF_SECT_RULE, 0 };

static ipa_conf_param param_tbl[] = {
	{ "name", 1, "^[a-z]+$", &name_re, IPA_CONF_TYPE_MISC, where_root, parse_name },
	{ NULL, 0, NULL, NULL, 0, NULL, NULL }
};

static ipa_conf_sect sect_tbl[] = {
	{ "group", IPA_CONF_SECT_CUSTOM_OFFSET + 1, 1, NULL, NULL, IPA_CONF_TYPE_STRING, where_root, NULL },
	{ NULL, 0, 0, NULL, NULL, 0, NULL, NULL }
};

static int
conf_init (void)
{
	return 0;
}

static int
ac_get_stat (const ipa_tm *ctm)
{
	if (ctm->tm_mon < 1 || ctm->tm_mon > 12)
		logmsg(IPA_LOG_WARNING, "odd month %d", ctm->tm_mon);
	return 0;
}

static int
ac_get_rule_stat (unsigned int stat_generation, int newstat, unsigned int ruleno,
    int *addition, uint64_t *chunk)
{
	(void)stat_generation;
	(void)newstat;
	(void)ruleno;
	*addition = 1;
	*chunk = 0;
	return 0;
}

struct ipa_ac_mod inst_ac_ac_mod = {
	IPA_AC_MOD_API_VERSION,		/* api_ver */
	IPA_MOD_FLAG_PTHREAD_SAFE,	/* mod_flags */
	"inst",				/* ac_name */
	NULL,				/* suppfunc */
	NULL,				/* memfunc */
	"inst",				/* conf_prefix */
	sect_tbl,			/* conf_sect_tbl */
	param_tbl,			/* conf_param_tbl */
	conf_init,			/* conf_init */
	NULL,				/* conf_deinit */
	NULL,				/* conf_event */
	NULL,				/* conf_mimic_real */
	NULL,				/* conf_inherit */
	NULL,				/* conf_show */
	NULL,				/* ac_pre_init */
	NULL,				/* ac_init_autorule */
	NULL,				/* ac_init_dynrule */
	NULL,				/* ac_init_statrule */
	NULL,				/* ac_init */
	NULL,				/* ac_deinit_rule */
	NULL,				/* ac_deinit_autorule */
	NULL,				/* ac_deinit */
	ac_get_stat,			/* ac_get_stat */
	ac_get_rule_stat,		/* ac_get_rule_stat */
	NULL,				/* ac_set_autorule_active */
	NULL,				/* ac_set_rule_active */
	NULL,				/* ac_set_limit_active */
	NULL,				/* ac_set_threshold_active */
	NULL,				/* ac_limit_event */
	NULL,				/* ac_threshold_event */
	NULL,				/* ac_create_rule */
	NULL				/* ac_delete_rule */
};

#ifdef __cplusplus
}
#endif
