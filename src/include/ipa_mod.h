/*
 * ipa_mod.h: the module API of IPA (ipa_mod(3)).
 *
 * Declarations follow the ipa_mod(3) manual field for field and in the same
 * order, so that a module written from that manual builds unchanged.  Four
 * typing slips of the manual are corrected here: the missing ';' after
 * ac_pre_init and after struct ipa_db_mod, the argument type of ac_get_stat
 * (const ipa_tm *) and the int result of ac_delete_rule.  The manual gives
 * only the API versions; every other numeric value is ours and is part of
 * the ABI from now on.
 */
#ifndef IPA_MOD_H
#define IPA_MOD_H

#include <sys/types.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* API versions. */
#define IPA_MEMFUNC_API_VERSION		1
#define IPA_AC_MOD_API_VERSION		2
#define IPA_DB_MOD_API_VERSION		2
#define IPA_ST_MOD_API_VERSION		2

/* mod_flags */
#define IPA_MOD_FLAG_PTHREAD_SAFE	0x01U

/* Flags of mem_type_new(), marray_init() and mzone_init(). */
#define IPA_MEMFUNC_FLAG_PTHREAD	0x01U
#define IPA_MEMFUNC_FLAG_OPTIMIZE	0x02U

/* logmsg() priorities. */
#define IPA_LOG_INFO			0
#define IPA_LOG_WARNING			1
#define IPA_LOG_ERR			2

/* Argument types (arg_type); 0 is never a valid type. */
#define IPA_CONF_TYPE_INT32		1
#define IPA_CONF_TYPE_UINT32		2
#define IPA_CONF_TYPE_INT64		3
#define IPA_CONF_TYPE_UINT64		4
#define IPA_CONF_TYPE_STRING		5
#define IPA_CONF_TYPE_BYTES		6
#define IPA_CONF_TYPE_TIME		7
#define IPA_CONF_TYPE_VALUE		8
#define IPA_CONF_TYPE_PER_CENT		9
#define IPA_CONF_TYPE_BOOLEAN		10
#define IPA_CONF_TYPE_MISC		11

/* Section identifiers; 0 terminates sect_where and param_where lists. */
#define IPA_CONF_SECT_ROOT		1
#define IPA_CONF_SECT_GLOBAL		2
#define IPA_CONF_SECT_RULE		3
#define IPA_CONF_SECT_LIMIT		4
#define IPA_CONF_SECT_THRESHOLD		5
#define IPA_CONF_SECT_AUTORULE		6
#define IPA_CONF_SECT_RULEPAT		7
#define IPA_CONF_SECT_RESTART		8
#define IPA_CONF_SECT_REACH		9
#define IPA_CONF_SECT_EXPIRE		10
#define IPA_CONF_SECT_STARTUP		11
#define IPA_CONF_SECT_SHUTDOWN		12
#define IPA_CONF_SECT_IF_REACHED	13
#define IPA_CONF_SECT_IF_NOT_REACHED	14
#define IPA_CONF_SECT_IF_ALL_REACHED	15
#define IPA_CONF_SECT_IF_ANY_REACHED	16
#define IPA_CONF_SECT_IF_ALL_NOT_REACHED 17
#define IPA_CONF_SECT_IF_ANY_NOT_REACHED 18
#define IPA_CONF_SECT_BELOW_THRESHOLD	19
#define IPA_CONF_SECT_EQUAL_THRESHOLD	20
#define IPA_CONF_SECT_ABOVE_THRESHOLD	21
#define IPA_CONF_SECT_CUSTOM_OFFSET	100

/* Configuration events; every _END is its _BEGIN + 1. */
#define IPA_CONF_EVENT_GLOBAL_BEGIN		1
#define IPA_CONF_EVENT_GLOBAL_END		2
#define IPA_CONF_EVENT_RULE_BEGIN		3
#define IPA_CONF_EVENT_RULE_END			4
#define IPA_CONF_EVENT_LIMIT_BEGIN		5
#define IPA_CONF_EVENT_LIMIT_END		6
#define IPA_CONF_EVENT_THRESHOLD_BEGIN		7
#define IPA_CONF_EVENT_THRESHOLD_END		8
#define IPA_CONF_EVENT_AUTORULE_BEGIN		9
#define IPA_CONF_EVENT_AUTORULE_END		10
#define IPA_CONF_EVENT_RULEPAT_BEGIN		11
#define IPA_CONF_EVENT_RULEPAT_END		12
#define IPA_CONF_EVENT_RESTART_BEGIN		13
#define IPA_CONF_EVENT_RESTART_END		14
#define IPA_CONF_EVENT_REACH_BEGIN		15
#define IPA_CONF_EVENT_REACH_END		16
#define IPA_CONF_EVENT_EXPIRE_BEGIN		17
#define IPA_CONF_EVENT_EXPIRE_END		18
#define IPA_CONF_EVENT_STARTUP_BEGIN		19
#define IPA_CONF_EVENT_STARTUP_END		20
#define IPA_CONF_EVENT_SHUTDOWN_BEGIN		21
#define IPA_CONF_EVENT_SHUTDOWN_END		22
#define IPA_CONF_EVENT_IF_REACHED_BEGIN		23
#define IPA_CONF_EVENT_IF_REACHED_END		24
#define IPA_CONF_EVENT_IF_NOT_REACHED_BEGIN	25
#define IPA_CONF_EVENT_IF_NOT_REACHED_END	26
#define IPA_CONF_EVENT_IF_ALL_REACHED_BEGIN	27
#define IPA_CONF_EVENT_IF_ALL_REACHED_END	28
#define IPA_CONF_EVENT_IF_ANY_REACHED_BEGIN	29
#define IPA_CONF_EVENT_IF_ANY_REACHED_END	30
#define IPA_CONF_EVENT_IF_ALL_NOT_REACHED_BEGIN	31
#define IPA_CONF_EVENT_IF_ALL_NOT_REACHED_END	32
#define IPA_CONF_EVENT_IF_ANY_NOT_REACHED_BEGIN	33
#define IPA_CONF_EVENT_IF_ANY_NOT_REACHED_END	34
#define IPA_CONF_EVENT_BELOW_THRESHOLD_BEGIN	35
#define IPA_CONF_EVENT_BELOW_THRESHOLD_END	36
#define IPA_CONF_EVENT_EQUAL_THRESHOLD_BEGIN	37
#define IPA_CONF_EVENT_EQUAL_THRESHOLD_END	38
#define IPA_CONF_EVENT_ABOVE_THRESHOLD_BEGIN	39
#define IPA_CONF_EVENT_ABOVE_THRESHOLD_END	40
#define IPA_CONF_EVENT_CUSTOM_SECT_BEGIN	41
#define IPA_CONF_EVENT_CUSTOM_SECT_END		42

/* Limit events; START..UPDATED also index ipa_limit_state.event_date[]. */
#define IPA_LIMIT_EVENT_START		0
#define IPA_LIMIT_EVENT_RESTART		1
#define IPA_LIMIT_EVENT_RESTART_EXEC	2
#define IPA_LIMIT_EVENT_REACH		3
#define IPA_LIMIT_EVENT_REACH_EXEC	4
#define IPA_LIMIT_EVENT_EXPIRE		5
#define IPA_LIMIT_EVENT_EXPIRE_EXEC	6
#define IPA_LIMIT_EVENT_UPDATED		7
#define IPA_LIMIT_EVENT_NUM		8

#define IPA_LIMIT_EVENT_START_SET	(1U << IPA_LIMIT_EVENT_START)
#define IPA_LIMIT_EVENT_RESTART_SET	(1U << IPA_LIMIT_EVENT_RESTART)
#define IPA_LIMIT_EVENT_RESTART_EXEC_SET (1U << IPA_LIMIT_EVENT_RESTART_EXEC)
#define IPA_LIMIT_EVENT_REACH_SET	(1U << IPA_LIMIT_EVENT_REACH)
#define IPA_LIMIT_EVENT_REACH_EXEC_SET	(1U << IPA_LIMIT_EVENT_REACH_EXEC)
#define IPA_LIMIT_EVENT_EXPIRE_SET	(1U << IPA_LIMIT_EVENT_EXPIRE)
#define IPA_LIMIT_EVENT_EXPIRE_EXEC_SET	(1U << IPA_LIMIT_EVENT_EXPIRE_EXEC)
#define IPA_LIMIT_EVENT_UPDATED_SET	(1U << IPA_LIMIT_EVENT_UPDATED)

/* Limit events that only ac_limit_event() receives (not event_date[] indices). */
#define IPA_LIMIT_EVENT_STARTUP_IF_REACHED	8
#define IPA_LIMIT_EVENT_STARTUP_IF_NOT_REACHED	9
#define IPA_LIMIT_EVENT_SHUTDOWN_IF_REACHED	10
#define IPA_LIMIT_EVENT_SHUTDOWN_IF_NOT_REACHED	11

/* Threshold events. */
#define IPA_THRESHOLD_EVENT_BELOW	0
#define IPA_THRESHOLD_EVENT_EQUAL	1
#define IPA_THRESHOLD_EVENT_ABOVE	2

/* Memory functions exported to modules. */
typedef struct ipa_mem_type_struct ipa_mem_type;
typedef struct ipa_marray_struct ipa_marray;
typedef struct ipa_mzone_struct ipa_mzone;

typedef struct {
	unsigned int api_ver;
	int (*memfunc_init)(void);
	void (*memfunc_deinit)(int foreign);
	ipa_mem_type *m_parser;
	ipa_mem_type *(*mem_type_new)(const char *name, const char *desc, unsigned int flags);
	void *(*mem_malloc)(size_t size, ipa_mem_type *mem_type);
	void *(*mem_calloc)(size_t number, size_t size, ipa_mem_type *mem_type);
	void *(*mem_realloc)(void *ptr, size_t size, ipa_mem_type *mem_type);
	char *(*mem_strdup)(const char *str, ipa_mem_type *mem_type);
	int (*mem_vasprintf)(ipa_mem_type *mem_type, char **buf_ptr, const char *format, va_list ap);
	void (*mem_free)(void *ptr, ipa_mem_type *mem_type);
	ipa_marray *(*marray_init)(const char *name, const char *desc, unsigned int flags, void **arr, size_t isize, unsigned int nitems, unsigned int nalloc);
	void (*marray_deinit)(ipa_marray *marray);
	int (*marray_alloc)(ipa_marray *marray, unsigned int *idxp, int fixed);
	void (*marray_free)(ipa_marray *marray, unsigned int idx);
	void (*marray_minimize)(ipa_marray *marray);
	int (*marray_check_index)(ipa_marray *marray, unsigned int idx);
	unsigned int (*marray_nused)(ipa_marray *marray);
	ipa_mzone *(*mzone_init)(const char *name, const char *desc, unsigned int flags, size_t isize, unsigned int nitems, unsigned int nalloc);
	void (*mzone_deinit)(ipa_mzone *mzone);
	void *(*mzone_alloc)(ipa_mzone *mzone);
	void (*mzone_free)(ipa_mzone *mzone, void *ptr);
	unsigned int (*mzone_nused)(ipa_mzone *mzone);
} ipa_memfunc;

/* Support functions exported to modules. */
typedef struct {
	void (*print_string)(const char *string);
	void (*print_bytes)(const uint64_t *value);
	void (*print_time)(const uint64_t *value);
	void (*print_value)(const uint64_t *value, unsigned int value_type);
	void (*print_boolean)(int value);
	void (*print_space)(void);
	void (*print_param_name)(const char *prefix, const char *param);
	void (*print_param_args)(const char *format, va_list ap);
	void (*print_param_end)(void);
	void (*print_sect_name)(const char *prefix, const char *sect);
	void (*print_sect_args)(const char *format, va_list ap);
	void (*print_sect_begin)(void);
	void (*print_sect_end)(void);
	void (*open_log)(void);
	void (*close_log)(void);
	void (*logmsg)(const char *mod_name, int priority, int code, const char *format, va_list ap);
	void (*logconferr)(const char *mod_name, int code, const char *format, va_list ap);
	int (*local_sym_add)(char *sym, char *val, int copy_flag);
	int (*local_sym_del)(const char *sym);
	int (*global_sym_add)(char *sym, char *val, int copy_flag);
	int (*global_sym_del)(const char *sym);
} ipa_suppfunc;

/* Description of a module's configuration sections and parameters. */
typedef struct {
	const char *sect_name;
	unsigned int sect_id;
	int arg_nargs;
	const char *arg_pattern;
	regex_t *arg_regexp;
	unsigned int arg_type;
	const unsigned int *sect_where;
	int (*arg_parse)(void *arg);
} ipa_conf_sect;

typedef struct {
	const char *param_name;
	int arg_nargs;
	const char *arg_pattern;
	regex_t *arg_regexp;
	unsigned int arg_type;
	const unsigned int *param_where;
	int (*arg_parse)(void *arg);
} ipa_conf_param;

/* A local date: tm_year is the real year, tm_mon is 1..12. */
typedef struct tm ipa_tm;

struct ipa_limit_state {
	uint64_t lim;
	uint64_t cnt;
	unsigned int event_date_set;
	ipa_tm event_date[IPA_LIMIT_EVENT_NUM];
};

struct ipa_threshold_state {
	uint64_t thr;
	uint64_t cnt;
	ipa_tm tm_from;
	ipa_tm tm_updated;
};

/* Accounting module API. */
struct ipa_ac_mod {
	unsigned int api_ver;
	unsigned int mod_flags;
	const char *ac_name;
	const ipa_suppfunc *suppfunc;
	const ipa_memfunc *memfunc;
	const char *conf_prefix;
	ipa_conf_sect *conf_sect_tbl;
	ipa_conf_param *conf_param_tbl;
	int (*conf_init)(void);
	int (*conf_deinit)(void);
	int (*conf_event)(unsigned int event, unsigned int no, const void *arg);
	int (*conf_mimic_real)(void);
	int (*conf_inherit)(unsigned int rulepatno, unsigned int ruleno, const char *rule_name);
	void (*conf_show)(unsigned int sect_id, unsigned int no);
	int (*ac_pre_init)(void);
	int (*ac_init_autorule)(unsigned int autoruleno, const char *autorule_name);
	int (*ac_init_dynrule)(unsigned int autoruleno, unsigned int ruleno, const char *rule_name);
	int (*ac_init_statrule)(unsigned int ruleno, const char *rule_name);
	int (*ac_init)(void);
	int (*ac_deinit_rule)(unsigned int ruleno);
	int (*ac_deinit_autorule)(unsigned int autoruleno);
	int (*ac_deinit)(void);
	int (*ac_get_stat)(const ipa_tm *ctm);
	int (*ac_get_rule_stat)(unsigned int stat_generation, int newstat, unsigned int ruleno, int *addition, uint64_t *chunk);
	int (*ac_set_autorule_active)(unsigned int autoruleno, int active);
	int (*ac_set_rule_active)(unsigned int ruleno, int active);
	int (*ac_set_limit_active)(unsigned int ruleno, unsigned int limitno, int active);
	int (*ac_set_threshold_active)(unsigned int ruleno, unsigned int thresholdno, int active);
	int (*ac_limit_event)(unsigned int ruleno, unsigned int limitno, unsigned int event);
	int (*ac_threshold_event)(unsigned int ruleno, unsigned int thresholdno, unsigned int event);
	int (*ac_create_rule)(const char *mod_name, unsigned int autoruleno, unsigned int *ruleno, const char *rule_name, const char *rule_info);
	int (*ac_delete_rule)(const char *mod_name, unsigned int ruleno);
};

/* Database module API. */
struct ipa_db_mod {
	unsigned int api_ver;
	unsigned int mod_flags;
	const char *db_name;
	const ipa_suppfunc *suppfunc;
	const ipa_memfunc *memfunc;
	const char *conf_prefix;
	ipa_conf_sect *conf_sect_tbl;
	ipa_conf_param *conf_param_tbl;
	int (*conf_init)(void);
	int (*conf_deinit)(void);
	int (*conf_event)(unsigned int event, unsigned int no, const void *arg);
	int (*conf_mimic_real)(void);
	int (*conf_inherit)(unsigned int rulepatno, unsigned int ruleno, const char *rule_name);
	void (*conf_show)(unsigned int sect_id, unsigned int no);
	int (*db_pre_init)(void);
	int (*db_init_dynrule)(unsigned int autoruleno, unsigned int ruleno, const char *rule_name, const char *rule_info);
	int (*db_init_statrule)(unsigned int ruleno, const char *rule_name, const char *rule_info);
	int (*db_init_dynlimit)(unsigned int autoruleno, unsigned int ruleno, const char *rule_name, const char *rule_info, unsigned int limitno, const char *limit_name, const char *limit_info);
	int (*db_init_statlimit)(unsigned int ruleno, const char *rule_name, const char *rule_info, unsigned int limitno, const char *limit_name, const char *limit_info);
	int (*db_init_dynthreshold)(unsigned int autoruleno, unsigned int ruleno, const char *rule_name, const char *rule_info, unsigned int thresholdno, const char *threshold_name, const char *threshold_info);
	int (*db_init_statthreshold)(unsigned int ruleno, const char *rule_name, const char *rule_info, unsigned int thresholdno, const char *threshold_name, const char *threshold_info);
	int (*db_init)(void);
	int (*db_get_limit_state)(unsigned int ruleno, unsigned int limitno, struct ipa_limit_state *state);
	int (*db_set_limit_state)(unsigned int ruleno, unsigned int limitno, const struct ipa_limit_state *state, int new_state);
	int (*db_get_threshold_state)(unsigned int ruleno, unsigned int thresholdno, struct ipa_threshold_state *state);
	int (*db_set_threshold_state)(unsigned int ruleno, unsigned int thresholdno, const struct ipa_threshold_state *state);
	int (*db_deinit_threshold)(unsigned int ruleno, unsigned int thresholdno);
	int (*db_deinit_limit)(unsigned int ruleno, unsigned int limitno);
	int (*db_deinit_rule)(unsigned int ruleno);
	int (*db_deinit)(void);
	int (*db_append_rule)(unsigned int ruleno, const uint64_t *cnt, const ipa_tm *ctm);
	int (*db_update_rule)(unsigned int ruleno, const uint64_t *cnt, const ipa_tm *ctm);
	int (*db_update_limit)(unsigned int ruleno, unsigned int limitno, const uint64_t *value, const ipa_tm *ctm);
	int (*db_limit_event)(unsigned int ruleno, unsigned int limitno, unsigned int event, const ipa_tm *etm, const ipa_tm *ctm);
	int (*db_update_threshold)(unsigned int ruleno, unsigned int thresholdno, const uint64_t *cnt, const ipa_tm *tm_from, const ipa_tm *tm_updated);
	int (*db_set_rule_active)(unsigned int ruleno, int active);
	int (*db_set_limit_active)(unsigned int ruleno, unsigned int limitno, int active);
	int (*db_set_threshold_active)(unsigned int ruleno, unsigned int thresholdno, int active);
};

/* Statistics module API. */
struct ipa_entity_desc {
	char *name;
	char *info;
};

struct ipa_rule_stat {
	unsigned int year;
	unsigned char mon;
	unsigned char mday;
	unsigned char h1, m1, s1;
	unsigned char h2, m2, s2;
	uint64_t cnt;
};

struct ipa_st_mod {
	unsigned int api_ver;
	unsigned int mod_flags;
	const char *st_name;
	const ipa_suppfunc *suppfunc;
	const ipa_memfunc *memfunc;
	const char *conf_prefix;
	ipa_conf_sect *conf_sect_tbl;
	ipa_conf_param *conf_param_tbl;
	int (*conf_init)(void);
	int (*conf_deinit)(void);
	int (*conf_event)(unsigned int event, unsigned int no, const void *arg);
	int (*conf_mimic_real)(void);
	int (*conf_inherit)(unsigned int rulepatno, unsigned int ruleno, const char *rule_name);
	void (*conf_show)(unsigned int sect_id, unsigned int no);
	int (*st_pre_init)(void);
	int (*st_init_rule)(unsigned int ruleno, const char *rule_name);
	int (*st_init_limit)(unsigned int ruleno, const char *rule_name, unsigned int limitno, const char *limit_name);
	int (*st_init_threshold)(unsigned int ruleno, const char *rule_name, unsigned int thresholdno, const char *threshold_name);
	int (*st_init)(void);
	int (*st_deinit_threshold)(unsigned int ruleno, unsigned int thresholdno);
	int (*st_deinit_limit)(unsigned int ruleno, unsigned int limitno);
	int (*st_deinit_rule)(unsigned int ruleno);
	int (*st_deinit)(void);
	int (*st_get_rule_info)(unsigned int ruleno, ipa_mem_type *mem_type, char **info_ptr);
	int (*st_get_limit_info)(unsigned int ruleno, unsigned int limitno, ipa_mem_type *mem_type, char **info_ptr);
	int (*st_get_threshold_info)(unsigned int ruleno, unsigned int thresholdno, ipa_mem_type *mem_type, char **info_ptr);
	int (*st_get_rules_list)(const char *pat, const regex_t *pat_reg, ipa_mem_type *mem_type, unsigned int *n, struct ipa_entity_desc **buf_ptr);
	int (*st_get_limits_list)(unsigned int ruleno, const char *pat, const regex_t *pat_reg, ipa_mem_type *mem_type, unsigned int *n, struct ipa_entity_desc **buf_ptr);
	int (*st_get_thresholds_list)(unsigned int ruleno, const char *pat, const regex_t *pat_reg, ipa_mem_type *mem_type, unsigned int *n, struct ipa_entity_desc **buf_ptr);
	int (*st_get_rule_stat)(unsigned int ruleno, const ipa_tm *tm1, const ipa_tm *tm2, int exact, ipa_mem_type *mem_type, unsigned int *n, struct ipa_rule_stat **buf_ptr);
	int (*st_get_limit_stat)(unsigned int ruleno, unsigned int limitno, const ipa_tm *tm1, const ipa_tm *tm2, ipa_mem_type *mem_type, unsigned int *n, struct ipa_limit_state **buf_ptr);
	int (*st_get_threshold_stat)(unsigned int ruleno, unsigned int thresholdno, struct ipa_threshold_state *buf);
};

#ifdef __cplusplus
}
#endif

#endif /* IPA_MOD_H */
