/*
 * ipa-conf-macro.c: macro variables ${name} of the configuration language.
 *
 * Values are stored unexpanded and expanded at each use (lazily), in the
 * scope of the use.  Each name maps to a small stack of definitions sorted
 * by scope depth; a scope remembers which names got a definition in it, so
 * closing it costs only what was defined there.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ipa-conf-macro.h"
#include "ipa-conf-parser.h"

typedef struct {
  char *value;
  guint depth;
  IpaConfMacroFlags flags;
} MacroDef;

typedef struct {
  char *name;
  GArray *defs; /* of MacroDef, ascending depth; the last one is visible */
} MacroVar;

struct _IpaConfMacros {
  /* name -> MacroVar; a MacroVar is kept until the table is freed even when
   * it has no definition left, so scopes may point at it safely. */
  GHashTable *vars;
  /* scopes->pdata[d - 1]: GPtrArray of MacroVar defined at depth d >= 1 */
  GPtrArray *scopes;
};

static void
macro_def_clear (gpointer p)
{
  MacroDef *def = p;

  g_free (def->value);
}

static void
macro_var_free (gpointer p)
{
  MacroVar *var = p;

  g_array_unref (var->defs);
  g_free (var->name);
  g_free (var);
}

IpaConfMacros *
ipa_conf_macros_new (void)
{
  IpaConfMacros *m = g_new0 (IpaConfMacros, 1);

  m->vars = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, macro_var_free);
  m->scopes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  return m;
}

void
ipa_conf_macros_free (IpaConfMacros *macros)
{
  if (macros == NULL)
    return;
  g_ptr_array_unref (macros->scopes);
  g_hash_table_unref (macros->vars);
  g_free (macros);
}

void
ipa_conf_macros_push_scope (IpaConfMacros *macros)
{
  g_ptr_array_add (macros->scopes, g_ptr_array_new ());
}

void
ipa_conf_macros_pop_scope (IpaConfMacros *macros)
{
  guint depth = macros->scopes->len;
  GPtrArray *scope;

  if (depth == 0)
    return;
  scope = macros->scopes->pdata[depth - 1];
  for (guint i = 0; i < scope->len; i++)
    {
      MacroVar *var = scope->pdata[i];

      /* The same variable may be listed twice (undefined and defined
       * again); only a definition still at this depth goes. */
      if (var->defs->len > 0 &&
          g_array_index (var->defs, MacroDef, var->defs->len - 1).depth == depth)
        g_array_remove_index (var->defs, var->defs->len - 1);
    }
  g_ptr_array_remove_index (macros->scopes, depth - 1);
}

guint
ipa_conf_macros_get_depth (IpaConfMacros *macros)
{
  return macros->scopes->len;
}

gboolean
ipa_conf_macro_name_is_valid (const char *name, gsize len)
{
  if (len == 0 || !g_ascii_isalpha (name[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '_')
      return FALSE;
  return TRUE;
}

static MacroVar *
get_var (IpaConfMacros *m, const char *name, gboolean create)
{
  MacroVar *var = g_hash_table_lookup (m->vars, name);

  if (var == NULL && create)
    {
      var = g_new0 (MacroVar, 1);
      var->name = g_strdup (name);
      var->defs = g_array_new (FALSE, FALSE, sizeof (MacroDef));
      g_array_set_clear_func (var->defs, macro_def_clear);
      g_hash_table_insert (m->vars, var->name, var);
    }
  return var;
}

static MacroDef *
visible_def (MacroVar *var)
{
  if (var == NULL || var->defs->len == 0)
    return NULL;
  return &g_array_index (var->defs, MacroDef, var->defs->len - 1);
}

/* Set the definition of @var at @depth, keeping defs sorted by depth. */
static void
set_def (IpaConfMacros *m, MacroVar *var, guint depth, const char *value,
         IpaConfMacroFlags flags)
{
  guint i;
  MacroDef def = { g_strdup (value), depth, flags };

  for (i = var->defs->len; i > 0; i--)
    {
      MacroDef *d = &g_array_index (var->defs, MacroDef, i - 1);

      if (d->depth == depth)
        {
          g_free (d->value);
          *d = def;
          return;
        }
      if (d->depth < depth)
        break;
    }
  g_array_insert_val (var->defs, i, def);
  if (depth > 0)
    g_ptr_array_add (m->scopes->pdata[depth - 1], var);
}

gboolean
ipa_conf_macros_assign (IpaConfMacros *macros,
                        const char *name,
                        const char *value,
                        GError **error)
{
  MacroVar *var = get_var (macros, name, TRUE);
  MacroDef *def = visible_def (var);

  if (def != NULL)
    {
      if (def->flags & IPA_CONF_MACRO_READONLY)
        {
          g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MACRO,
                       _("macro variable \"${%s}\" is predefined and cannot be assigned"),
                       name);
          return FALSE;
        }
      g_free (def->value);
      def->value = g_strdup (value);
      def->flags = IPA_CONF_MACRO_LAZY;
      return TRUE;
    }
  set_def (macros, var, macros->scopes->len, value, IPA_CONF_MACRO_LAZY);
  return TRUE;
}

void
ipa_conf_macros_define (IpaConfMacros *macros,
                        gboolean global,
                        const char *name,
                        const char *value,
                        IpaConfMacroFlags flags)
{
  set_def (macros, get_var (macros, name, TRUE),
           global ? 0 : macros->scopes->len, value, flags);
}

gboolean
ipa_conf_macros_undefine (IpaConfMacros *macros,
                          gboolean global,
                          const char *name)
{
  MacroVar *var = get_var (macros, name, FALSE);
  guint depth = global ? 0 : macros->scopes->len;

  if (var == NULL)
    return FALSE;
  for (guint i = var->defs->len; i > 0; i--)
    {
      MacroDef *d = &g_array_index (var->defs, MacroDef, i - 1);

      if (d->depth == depth)
        {
          g_array_remove_index (var->defs, i - 1);
          return TRUE;
        }
      if (d->depth < depth)
        break;
    }
  return FALSE;
}

const char *
ipa_conf_macros_lookup (IpaConfMacros *macros, const char *name)
{
  MacroDef *def = visible_def (get_var (macros, name, FALSE));

  return def != NULL ? def->value : NULL;
}

typedef struct {
  IpaConfMacros *m;
  GString *out;
  GPtrArray *chain; /* MacroVar being expanded, outermost first */
  guint work;
} Expansion;

/* For messages: "${a} -> ${b} -> ${a}". */
static char *
chain_to_string (GPtrArray *chain, MacroVar *last)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < chain->len; i++)
    g_string_append_printf (s, "${%s} -> ", ((MacroVar *) chain->pdata[i])->name);
  g_string_append_printf (s, "${%s}", last->name);
  return g_string_free (s, FALSE);
}

static gboolean
expand_into (Expansion *x, const char *text, GError **error)
{
  const char *p = text;

  for (;;)
    {
      const char *ref = strstr (p, "${");
      const char *close;
      g_autofree char *name = NULL;
      MacroVar *var;
      MacroDef *def;

      if (ref == NULL)
        {
          g_string_append (x->out, p);
          break;
        }
      g_string_append_len (x->out, p, ref - p);

      close = strchr (ref + 2, '}');
      if (close == NULL)
        {
          g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MACRO,
                       _("malformed macro variable reference: no '}' after \"${\""));
          return FALSE;
        }
      p = close + 1;

      if (close == ref + 3 && ref[2] == '$')
        {
          /* ${$} is a literal '$' and is not scanned again. */
          g_string_append_c (x->out, '$');
          continue;
        }
      if (!ipa_conf_macro_name_is_valid (ref + 2, close - (ref + 2)))
        {
          gsize n = close - (ref + 2);

          g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MACRO,
                       _("invalid macro variable name \"${%.*s%s}\" (a letter, then letters, digits or '_')"),
                       (int) MIN (n, 40), ref + 2, n > 40 ? "…" : "");
          return FALSE;
        }

      if (++x->work > IPA_CONF_MACRO_MAX_WORK)
        {
          g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MACRO,
                       _("too many macro variable references in one expansion (limit %d)"),
                       IPA_CONF_MACRO_MAX_WORK);
          return FALSE;
        }

      name = g_strndup (ref + 2, close - (ref + 2));
      var = get_var (x->m, name, FALSE);
      def = visible_def (var);
      if (def == NULL)
        {
          g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MACRO,
                       _("undefined macro variable \"${%s}\""), name);
          return FALSE;
        }

      if (def->flags & IPA_CONF_MACRO_LITERAL)
        g_string_append (x->out, def->value);
      else
        {
          for (guint i = 0; i < x->chain->len; i++)
            if (x->chain->pdata[i] == var)
              {
                g_autofree char *loop = chain_to_string (x->chain, var);

                g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MACRO,
                             _("macro variable \"${%s}\" refers to itself (%s)"),
                             name, loop);
                return FALSE;
              }
          if (x->chain->len >= IPA_CONF_MACRO_MAX_DEPTH)
            {
              g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MACRO,
                           _("macro variables nested too deeply in \"${%s}\" (limit %d)"),
                           name, IPA_CONF_MACRO_MAX_DEPTH);
              return FALSE;
            }
          g_ptr_array_add (x->chain, var);
          /* The value may be replaced by nothing during expansion (no
           * assignment happens), so using it directly is safe. */
          if (!expand_into (x, def->value, error))
            return FALSE;
          g_ptr_array_remove_index (x->chain, x->chain->len - 1);
        }

      if (x->out->len > IPA_CONF_MACRO_MAX_LENGTH)
        {
          g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_MACRO,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "expansion of macro variables is too long (limit %d byte)",
                                    "expansion of macro variables is too long (limit %d bytes)",
                                    IPA_CONF_MACRO_MAX_LENGTH),
                       IPA_CONF_MACRO_MAX_LENGTH);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
ipa_conf_macros_expand (IpaConfMacros *macros,
                        const char *text,
                        char **result,
                        GError **error)
{
  Expansion x;
  gboolean ok;

  *result = NULL;
  if (strstr (text, "${") == NULL)
    return TRUE;

  x.m = macros;
  x.out = g_string_new (NULL);
  x.chain = g_ptr_array_new ();
  x.work = 0;
  ok = expand_into (&x, text, error);
  g_ptr_array_unref (x.chain);
  if (!ok)
    {
      g_string_free (x.out, TRUE);
      return FALSE;
    }
  *result = g_string_free (x.out, FALSE);
  return TRUE;
}
