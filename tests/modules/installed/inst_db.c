/*
 * inst_db.c: a database module built by test-installed-header.sh against
 * the installed ipa_mod.h (C99, C11 and C++), every field in order.
 */
#include <ipa_mod.h>

#if IPA_DB_MOD_API_VERSION != 2 || IPA_MEMFUNC_API_VERSION != 1
# error "unexpected API version"
#endif

#ifdef __cplusplus
extern "C" {
#endif

extern struct ipa_db_mod inst_db_db_mod;

static ipa_mem_type *m_inst;

static int
conf_init (void)
{
	m_inst = inst_db_db_mod.memfunc->mem_type_new("inst", "inst_db", 0);
	return m_inst != NULL ? 0 : -1;
}

static int
db_get_limit_state (unsigned int ruleno, unsigned int limitno, struct ipa_limit_state *state)
{
	(void)ruleno;
	(void)limitno;
	state->lim = 0;
	state->cnt = 0;
	state->event_date_set = IPA_LIMIT_EVENT_START_SET;
	state->event_date[IPA_LIMIT_EVENT_START].tm_year = 2010;
	return 1;
}

static int
db_update_rule (unsigned int ruleno, const uint64_t *cnt, const ipa_tm *ctm)
{
	(void)ruleno;
	(void)cnt;
	(void)ctm;
	return 0;
}

struct ipa_db_mod inst_db_db_mod = {
	IPA_DB_MOD_API_VERSION,		/* api_ver */
	0,				/* mod_flags */
	"inst",				/* db_name */
	NULL,				/* suppfunc */
	NULL,				/* memfunc */
	NULL,				/* conf_prefix */
	NULL,				/* conf_sect_tbl */
	NULL,				/* conf_param_tbl */
	conf_init,			/* conf_init */
	NULL,				/* conf_deinit */
	NULL,				/* conf_event */
	NULL,				/* conf_mimic_real */
	NULL,				/* conf_inherit */
	NULL,				/* conf_show */
	NULL,				/* db_pre_init */
	NULL,				/* db_init_dynrule */
	NULL,				/* db_init_statrule */
	NULL,				/* db_init_dynlimit */
	NULL,				/* db_init_statlimit */
	NULL,				/* db_init_dynthreshold */
	NULL,				/* db_init_statthreshold */
	NULL,				/* db_init */
	db_get_limit_state,		/* db_get_limit_state */
	NULL,				/* db_set_limit_state */
	NULL,				/* db_get_threshold_state */
	NULL,				/* db_set_threshold_state */
	NULL,				/* db_deinit_threshold */
	NULL,				/* db_deinit_limit */
	NULL,				/* db_deinit_rule */
	NULL,				/* db_deinit */
	NULL,				/* db_append_rule */
	db_update_rule,			/* db_update_rule */
	NULL,				/* db_update_limit */
	NULL,				/* db_limit_event */
	NULL,				/* db_update_threshold */
	NULL,				/* db_set_rule_active */
	NULL,				/* db_set_limit_active */
	NULL				/* db_set_threshold_active */
};

#ifdef __cplusplus
}
#endif
