/*
 * inst_st.c: a statistics module built by test-installed-header.sh against
 * the installed ipa_mod.h (C99, C11 and C++), every field in order.
 */
#include <ipa_mod.h>

#if IPA_ST_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "unexpected API version"
#endif

#ifdef __cplusplus
extern "C" {
#endif

extern struct ipa_st_mod inst_st_st_mod;

static int
st_get_rules_list (const char *pat, const regex_t *pat_reg, ipa_mem_type *mem_type,
    unsigned int *n, struct ipa_entity_desc **buf_ptr)
{
	(void)pat;
	(void)pat_reg;
	(void)mem_type;
	*n = 0;
	*buf_ptr = NULL;
	return 0;
}

static int
st_get_rule_stat (unsigned int ruleno, const ipa_tm *tm1, const ipa_tm *tm2, int exact,
    ipa_mem_type *mem_type, unsigned int *n, struct ipa_rule_stat **buf_ptr)
{
	struct ipa_rule_stat *buf;

	(void)ruleno;
	(void)tm2;
	(void)exact;
	buf = (struct ipa_rule_stat *)inst_st_st_mod.memfunc->mem_malloc(sizeof *buf, mem_type);
	if (buf == NULL)
		return -1;
	buf->year = (unsigned int)tm1->tm_year;
	buf->mon = (unsigned char)tm1->tm_mon;
	buf->mday = (unsigned char)tm1->tm_mday;
	buf->h1 = buf->m1 = buf->s1 = 0;
	buf->h2 = 23;
	buf->m2 = buf->s2 = 59;
	buf->cnt = 0;
	*n = 1;
	*buf_ptr = buf;
	return 0;
}

struct ipa_st_mod inst_st_st_mod = {
	IPA_ST_MOD_API_VERSION,		/* api_ver */
	IPA_MOD_FLAG_PTHREAD_SAFE,	/* mod_flags */
	"inst",				/* st_name */
	NULL,				/* suppfunc */
	NULL,				/* memfunc */
	NULL,				/* conf_prefix */
	NULL,				/* conf_sect_tbl */
	NULL,				/* conf_param_tbl */
	NULL,				/* conf_init */
	NULL,				/* conf_deinit */
	NULL,				/* conf_event */
	NULL,				/* conf_mimic_real */
	NULL,				/* conf_inherit */
	NULL,				/* conf_show */
	NULL,				/* st_pre_init */
	NULL,				/* st_init_rule */
	NULL,				/* st_init_limit */
	NULL,				/* st_init_threshold */
	NULL,				/* st_init */
	NULL,				/* st_deinit_threshold */
	NULL,				/* st_deinit_limit */
	NULL,				/* st_deinit_rule */
	NULL,				/* st_deinit */
	NULL,				/* st_get_rule_info */
	NULL,				/* st_get_limit_info */
	NULL,				/* st_get_threshold_info */
	st_get_rules_list,		/* st_get_rules_list */
	NULL,				/* st_get_limits_list */
	NULL,				/* st_get_thresholds_list */
	st_get_rule_stat,		/* st_get_rule_stat */
	NULL,				/* st_get_limit_stat */
	NULL				/* st_get_threshold_stat */
};

#ifdef __cplusplus
}
#endif
