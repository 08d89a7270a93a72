/*
 * ipa-conf-macro.h: macro variables ${name} of the configuration language.
 *
 * Variables live in nested scopes: scope 0 is global, every section opens
 * one more.  A variable may be defined several times at different depths
 * (a module's local_sym_add() may shadow a global); the innermost one is
 * the visible one.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Limits that keep hostile input cheap. */
#define IPA_CONF_MACRO_MAX_DEPTH    32        /* nested expansions */
#define IPA_CONF_MACRO_MAX_LENGTH   (1 << 20) /* bytes produced by one expansion */
#define IPA_CONF_MACRO_MAX_WORK     100000    /* references resolved by one expansion */

typedef enum {
  IPA_CONF_MACRO_LAZY = 0,           /* the value is expanded at each use */
  IPA_CONF_MACRO_LITERAL = 1 << 0,   /* the value is used as it is */
  IPA_CONF_MACRO_READONLY = 1 << 1,  /* an assignment by the language is an error */
} IpaConfMacroFlags;

typedef struct _IpaConfMacros IpaConfMacros;

IpaConfMacros *ipa_conf_macros_new (void);
void ipa_conf_macros_free (IpaConfMacros *macros);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaConfMacros, ipa_conf_macros_free)

/* Open a scope (a section begins) / close the innermost one, dropping the
 * variables defined in it.  Closing scope 0 does nothing. */
void ipa_conf_macros_push_scope (IpaConfMacros *macros);
void ipa_conf_macros_pop_scope (IpaConfMacros *macros);
guint ipa_conf_macros_get_depth (IpaConfMacros *macros);

/* TRUE if @name (without ${ }) is a valid variable name: an ASCII letter,
 * then letters, digits or '_'. */
gboolean ipa_conf_macro_name_is_valid (const char *name, gsize len);

/* "${name} = value;": update the innermost visible variable, or create one
 * in the current scope.  Fails (IPA_CONF_ERROR_MACRO, no location) if the
 * visible variable is read-only. */
gboolean ipa_conf_macros_assign (IpaConfMacros *macros,
                                 const char *name,
                                 const char *value,
                                 GError **error);

/* Define @name in the current scope (@global: in scope 0), replacing a
 * definition in that same scope.  Strings are copied. */
void ipa_conf_macros_define (IpaConfMacros *macros,
                             gboolean global,
                             const char *name,
                             const char *value,
                             IpaConfMacroFlags flags);

/* Delete the definition of @name in the current scope (@global: scope 0).
 * FALSE if there is none. */
gboolean ipa_conf_macros_undefine (IpaConfMacros *macros,
                                   gboolean global,
                                   const char *name);

/* The unexpanded value of the visible variable @name, or NULL. */
const char *ipa_conf_macros_lookup (IpaConfMacros *macros, const char *name);

/* Replace every ${name} of @text by the expanded value of the visible
 * variable and ${$} by '$'.  Errors are IPA_CONF_ERROR_MACRO without a
 * location (the caller knows where @text came from).  If @text has no
 * "${", *@result is NULL and TRUE is returned, so that callers keep their
 * copy. */
gboolean ipa_conf_macros_expand (IpaConfMacros *macros,
                                 const char *text,
                                 char **result,
                                 GError **error);

G_END_DECLS
