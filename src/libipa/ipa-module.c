/*
 * ipa-module.c: the module loader.
 */
#include "config.h"

#include "ipa-module.h"

#include <dlfcn.h>
#include <regex.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "ipa-log.h"
#include "ipa-memfunc.h"
#include "ipa-suppfunc.h"

G_DEFINE_QUARK (ipa-module-error-quark, ipa_module_error)

/* One message per kind of module: a translation declines "accounting
 * module", "database module" and "statistics module" as its sentence
 * needs, which a word put in with %s would not allow. */
#define BY_KIND(kind, ac, db, st) \
  ((kind) == IPA_MODULE_KIND_AC ? (ac) : (kind) == IPA_MODULE_KIND_DB ? (db) : (st))

#define THREAD_UNSAFE_MESSAGE(kind) \
  BY_KIND (kind, \
           _("%s: accounting module %s is not thread-safe (IPA_MOD_FLAG_PTHREAD_SAFE " \
             "is not set), but modules run in multi-threaded mode"), \
           _("%s: database module %s is not thread-safe (IPA_MOD_FLAG_PTHREAD_SAFE " \
             "is not set), but modules run in multi-threaded mode"), \
           _("%s: statistics module %s is not thread-safe (IPA_MOD_FLAG_PTHREAD_SAFE " \
             "is not set), but modules run in multi-threaded mode"))

/* One dlopen() handle, shared by the modules of every kind loaded from
 * the file; closed when the last of them is unloaded. */
struct _IpaModuleFile {
  void *handle;
  guint refs;
};

struct _IpaModuleSet {
  char *module_dir;
  gboolean threaded;
  GPtrArray *modules;  /* IpaModule *, in load order */
  GHashTable *files;   /* handle → IpaModuleFile * */
};

/* ac_create_rule / ac_delete_rule */

static IpaModuleCreateRuleFunc create_rule_fn;
static IpaModuleDeleteRuleFunc delete_rule_fn;

void
ipa_module_set_ac_hooks (IpaModuleCreateRuleFunc create_fn,
                         IpaModuleDeleteRuleFunc delete_fn)
{
  create_rule_fn = create_fn;
  delete_rule_fn = delete_fn;
}

/* What every ac module gets; it forwards to the engine's hooks, so that
 * they may be set after the modules have been loaded. */
static int
ac_create_rule_hook (const char *mod_name,
                     unsigned int autoruleno,
                     unsigned int *ruleno,
                     const char *rule_name,
                     const char *rule_info)
{
  IpaModuleCreateRuleFunc fn = create_rule_fn;

  if (fn == NULL)
    {
      ipa_log_structured (LOG_ERR, mod_name, NULL,
                          _("ac_create_rule: dynamic rules cannot be created now"));
      return -1;
    }
  return fn (mod_name, autoruleno, ruleno, rule_name, rule_info);
}

static int
ac_delete_rule_hook (const char *mod_name, unsigned int ruleno)
{
  IpaModuleDeleteRuleFunc fn = delete_rule_fn;

  if (fn == NULL)
    {
      ipa_log_structured (LOG_ERR, mod_name, NULL,
                          _("ac_delete_rule: dynamic rules cannot be deleted now"));
      return -1;
    }
  return fn (mod_name, ruleno);
}

/* Names */

const char *
ipa_module_kind_to_string (IpaModuleKind kind)
{
  switch (kind)
    {
    case IPA_MODULE_KIND_AC:
      return "ac";
    case IPA_MODULE_KIND_DB:
      return "db";
    case IPA_MODULE_KIND_ST:
      return "st";
    default:
      g_return_val_if_reached ("??");
    }
}

const char *
ipa_module_kind_to_noun (IpaModuleKind kind)
{
  switch (kind)
    {
    case IPA_MODULE_KIND_AC:
      return "accounting";
    case IPA_MODULE_KIND_DB:
      return "database";
    case IPA_MODULE_KIND_ST:
      return "statistics";
    default:
      g_return_val_if_reached ("??");
    }
}

static unsigned int
kind_api_version (IpaModuleKind kind)
{
  switch (kind)
    {
    case IPA_MODULE_KIND_AC:
      return IPA_AC_MOD_API_VERSION;
    case IPA_MODULE_KIND_DB:
      return IPA_DB_MOD_API_VERSION;
    case IPA_MODULE_KIND_ST:
    default:
      return IPA_ST_MOD_API_VERSION;
    }
}

char *
ipa_module_base_name (const char *file_name)
{
  g_autofree char *base = g_path_get_basename (file_name);
  char *dot = strchr (base, '.');
  size_t len;

  /* "foo.so", "foo.so.1" and "foo-1.2.3.so" all end here as "foo[-1]". */
  if (dot != NULL)
    *dot = '\0';

  /* Strip "-<digits and dots>"; the dots are gone already, so only
   * digits remain after the last '-'. */
  len = strlen (base);
  if (len > 0 && g_ascii_isdigit (base[len - 1]))
    {
      size_t i = len;

      while (i > 0 && g_ascii_isdigit (base[i - 1]))
        i--;
      if (i > 0 && base[i - 1] == '-')
        base[i - 1] = '\0';
    }
  return g_steal_pointer (&base);
}

char *
ipa_module_symbol_name (const char *file_name, IpaModuleKind kind)
{
  g_autofree char *base = ipa_module_base_name (file_name);

  return g_strdup_printf ("%s_%s_mod", base, ipa_module_kind_to_string (kind));
}

/* Files */

static IpaModuleFile *
file_ref (IpaModuleSet *set, void *handle)
{
  IpaModuleFile *file = g_hash_table_lookup (set->files, handle);

  if (file != NULL)
    {
      /* dlopen() counted one more reference; ours is enough. */
      dlclose (handle);
      file->refs++;
      return file;
    }
  file = g_new0 (IpaModuleFile, 1);
  file->handle = handle;
  file->refs = 1;
  g_hash_table_insert (set->files, handle, file);
  return file;
}

static void
file_unref (IpaModuleSet *set, IpaModuleFile *file)
{
  if (--file->refs > 0)
    return;
  g_hash_table_remove (set->files, file->handle);
  dlclose (file->handle);
  g_free (file);
}

/* Modules */

static void
report_leak (const char *message, gpointer user_data)
{
  const IpaModule *module = user_data;

  ipa_log_structured (LOG_WARNING, module->name, NULL, _("memory leak: %s"), message);
}

/* Undo ipa_module_set_load(); @initialised: conf_init() was called, so
 * the module may own memory. */
static void
module_unload (IpaModuleSet *set, IpaModule *module, gboolean initialised)
{
  if (module->regexps != NULL)
    {
      for (guint i = 0; i < module->regexps->len; i++)
        regfree (g_ptr_array_index (module->regexps, i));
      g_ptr_array_free (module->regexps, TRUE);
    }
  /* Before dlclose: the names of leaked marrays and mzones live in the
   * module's memory. */
  if (initialised)
    {
      ipa_memfunc_check_leaks (module->owner, report_leak, module);
      ipa_memfunc_release_owner (module->owner);
    }
  if (module->file != NULL)
    file_unref (set, module->file);
  g_free (module->path);
  g_free (module->file_name);
  g_free (module->base_name);
  g_free (module->symbol);
  g_free (module->owner);
  g_free (module);
}

static void
copy_common_fields (IpaModule *m)
{
#define COPY(s)                                   \
  G_STMT_START {                                  \
    m->prefix = (s)->conf_prefix;                 \
    m->mod_flags = (s)->mod_flags;                \
    m->conf_sect_tbl = (s)->conf_sect_tbl;        \
    m->conf_param_tbl = (s)->conf_param_tbl;      \
    m->conf_init = (s)->conf_init;                \
    m->conf_deinit = (s)->conf_deinit;            \
    m->conf_event = (s)->conf_event;              \
    m->conf_mimic_real = (s)->conf_mimic_real;    \
    m->conf_inherit = (s)->conf_inherit;          \
    m->conf_show = (s)->conf_show;                \
  } G_STMT_END

  switch (m->kind)
    {
    case IPA_MODULE_KIND_AC:
      COPY (m->mod.ac);
      m->name = m->mod.ac->ac_name;
      break;
    case IPA_MODULE_KIND_DB:
      COPY (m->mod.db);
      m->name = m->mod.db->db_name;
      break;
    case IPA_MODULE_KIND_ST:
      COPY (m->mod.st);
      m->name = m->mod.st->st_name;
      break;
    }
#undef COPY
}

static unsigned int
module_api_version (const IpaModule *m)
{
  switch (m->kind)
    {
    case IPA_MODULE_KIND_AC:
      return m->mod.ac->api_ver;
    case IPA_MODULE_KIND_DB:
      return m->mod.db->api_ver;
    case IPA_MODULE_KIND_ST:
    default:
      return m->mod.st->api_ver;
    }
}

/* INV-06: what a module may use from conf_init on. */
static void
store_exported (IpaModule *m)
{
  switch (m->kind)
    {
    case IPA_MODULE_KIND_AC:
      m->mod.ac->suppfunc = ipa_suppfunc_get ();
      m->mod.ac->memfunc = ipa_memfunc_get ();
      m->mod.ac->ac_create_rule = ac_create_rule_hook;
      m->mod.ac->ac_delete_rule = ac_delete_rule_hook;
      break;
    case IPA_MODULE_KIND_DB:
      m->mod.db->suppfunc = ipa_suppfunc_get ();
      m->mod.db->memfunc = ipa_memfunc_get ();
      break;
    case IPA_MODULE_KIND_ST:
      m->mod.st->suppfunc = ipa_suppfunc_get ();
      m->mod.st->memfunc = ipa_memfunc_get ();
      break;
    }
}

/* One entry of either table, seen uniformly for the checks. */
typedef struct {
  const char *what; /* "section" or "parameter", translated */
  const char *name;
  const char *pattern;
  regex_t *regexp;
} TableEntry;

static GArray *
collect_entries (const IpaModule *m)
{
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (TableEntry));

  for (const ipa_conf_sect *s = m->conf_sect_tbl; s != NULL && s->sect_name != NULL; s++)
    {
      /* TRANSLATORS: "section" and "parameter" of a module's tables, put
       * into messages as the subject, in the nominative: "section x has …",
       * "section x and parameter y both give …", "… of (section x)". */
      TableEntry e = { g_dpgettext2 (GETTEXT_PACKAGE, "module table entry", "section"),
                       s->sect_name, s->arg_pattern, s->arg_regexp };
      g_array_append_val (entries, e);
    }
  for (const ipa_conf_param *p = m->conf_param_tbl; p != NULL && p->param_name != NULL; p++)
    {
      TableEntry e = { g_dpgettext2 (GETTEXT_PACKAGE, "module table entry", "parameter"),
                       p->param_name, p->arg_pattern, p->arg_regexp };
      g_array_append_val (entries, e);
    }
  return entries;
}

/* "prefix:name" as the configuration spells it. */
static char *
full_name (const IpaModule *m, const char *name)
{
  return m->prefix != NULL ? g_strdup_printf ("%s:%s", m->prefix, name) : g_strdup (name);
}

static gboolean
check_tables (const IpaModule *m, GError **error)
{
  g_autoptr(GArray) entries = NULL;

  for (const ipa_conf_sect *s = m->conf_sect_tbl; s != NULL && s->sect_name != NULL; s++)
    {
      g_autofree char *name = full_name (m, s->sect_name);

      if (s->sect_id <= IPA_CONF_SECT_CUSTOM_OFFSET)
        {
          g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_INVALID,
                       _("%s: section %s has sect_id %u, it must be greater than "
                         "IPA_CONF_SECT_CUSTOM_OFFSET (%u)"),
                       m->path, name, s->sect_id, (unsigned int) IPA_CONF_SECT_CUSTOM_OFFSET);
          return FALSE;
        }
      if (s->sect_where == NULL)
        {
          g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_INVALID,
                       _("%s: section %s has no sect_where list"), m->path, name);
          return FALSE;
        }
    }
  for (const ipa_conf_param *p = m->conf_param_tbl; p != NULL && p->param_name != NULL; p++)
    if (p->param_where == NULL)
      {
        g_autofree char *name = full_name (m, p->param_name);

        g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_INVALID,
                     _("%s: parameter %s has no param_where list"), m->path, name);
        return FALSE;
      }

  entries = collect_entries (m);
  for (guint i = 0; i < entries->len; i++)
    {
      const TableEntry *e = &g_array_index (entries, TableEntry, i);
      g_autofree char *name = full_name (m, e->name);
      gboolean compiled_elsewhere = FALSE;

      if (e->pattern != NULL && e->regexp == NULL)
        {
          g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_INVALID,
                       _("%s: %s %s has arg_pattern but arg_regexp is NULL"),
                       m->path, e->what, name);
          return FALSE;
        }
      if (e->regexp == NULL)
        continue;
      /* A shared regex_t is compiled through exactly one entry (ipa_mod(3)):
       * two would leak, none would leave it uninitialised. */
      for (guint j = 0; j < entries->len; j++)
        {
          const TableEntry *o = &g_array_index (entries, TableEntry, j);

          if (j == i || o->regexp != e->regexp || o->pattern == NULL)
            continue;
          if (e->pattern != NULL && j > i)
            {
              g_autofree char *other = full_name (m, o->name);

              g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_INVALID,
                           _("%s: %s %s and %s %s both give an arg_pattern for one arg_regexp"),
                           m->path, e->what, name, o->what, other);
              return FALSE;
            }
          compiled_elsewhere = TRUE;
        }
      if (e->pattern == NULL && !compiled_elsewhere)
        {
          g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_INVALID,
                       _("%s: %s %s has an arg_regexp that no arg_pattern compiles"),
                       m->path, e->what, name);
          return FALSE;
        }
    }
  return TRUE;
}

/* INV-11: all patterns before any matching, as entries share regex_t. */
static gboolean
compile_regexps (IpaModule *m, GError **error)
{
  g_autoptr(GArray) entries = collect_entries (m);

  m->regexps = g_ptr_array_new ();
  for (guint i = 0; i < entries->len; i++)
    {
      const TableEntry *e = &g_array_index (entries, TableEntry, i);
      int r;

      if (e->pattern == NULL)
        continue;
      r = regcomp (e->regexp, e->pattern, REG_EXTENDED);
      if (r != 0)
        {
          g_autofree char *name = full_name (m, e->name);
          char buf[256];

          regerror (r, e->regexp, buf, sizeof buf);
          g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_REGEX,
                       _("%s: cannot compile arg_pattern \"%s\" of %s %s: %s"),
                       m->path, e->pattern, e->what, name, buf);
          return FALSE;
        }
      g_ptr_array_add (m->regexps, e->regexp);
    }
  return TRUE;
}

/* Sets tables_registered; fails on a prefix used by another module. */
static gboolean
check_prefix (IpaModuleSet *set, IpaModule *m, GError **error)
{
  m->tables_registered = TRUE;
  if (m->prefix == NULL)
    return TRUE;
  for (guint i = 0; i < set->modules->len; i++)
    {
      IpaModule *o = g_ptr_array_index (set->modules, i);
      gboolean no_tables = m->conf_sect_tbl == NULL && m->conf_param_tbl == NULL;
      gboolean same_tables = m->conf_sect_tbl == o->conf_sect_tbl &&
                             m->conf_param_tbl == o->conf_param_tbl;

      if (o->prefix == NULL || strcmp (o->prefix, m->prefix) != 0 || !o->tables_registered)
        continue;
      if (o->file == m->file && (same_tables || no_tables))
        {
          m->tables_registered = FALSE;
          return TRUE;
        }
      g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_DUPLICATE,
                   BY_KIND (o->kind,
                            _("%s: configuration prefix \"%s\" is already used by accounting module %s (%s)"),
                            _("%s: configuration prefix \"%s\" is already used by database module %s (%s)"),
                            _("%s: configuration prefix \"%s\" is already used by statistics module %s (%s)")),
                   m->path, m->prefix, o->name, o->path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_module (IpaModuleSet *set, IpaModule *m, GError **error)
{
  unsigned int api_ver = module_api_version (m);
  IpaModule *other;

  if (api_ver != kind_api_version (m->kind))
    {
      g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_API_VERSION,
                   BY_KIND (m->kind,
                            _("%s: accounting module API version %u, expected %u"),
                            _("%s: database module API version %u, expected %u"),
                            _("%s: statistics module API version %u, expected %u")),
                   m->path, api_ver, kind_api_version (m->kind));
      return FALSE;
    }
  /* Only now is the rest of the structure known to be laid out as ours. */
  copy_common_fields (m);
  if (m->name == NULL || m->name[0] == '\0')
    {
      g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_INVALID,
                   m->name == NULL
                   ? BY_KIND (m->kind,
                              _("%s: accounting module has no name (%s_name is NULL)"),
                              _("%s: database module has no name (%s_name is NULL)"),
                              _("%s: statistics module has no name (%s_name is NULL)"))
                   : BY_KIND (m->kind,
                              _("%s: accounting module has no name (%s_name is empty)"),
                              _("%s: database module has no name (%s_name is empty)"),
                              _("%s: statistics module has no name (%s_name is empty)")),
                   m->path, ipa_module_kind_to_string (m->kind));
      return FALSE;
    }
  other = ipa_module_set_lookup (set, m->kind, m->name);
  if (other != NULL)
    {
      g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_DUPLICATE,
                   BY_KIND (m->kind,
                            _("%s: accounting module name \"%s\" is already used by %s"),
                            _("%s: database module name \"%s\" is already used by %s"),
                            _("%s: statistics module name \"%s\" is already used by %s")),
                   m->path, m->name, other->path);
      return FALSE;
    }
  if (set->threaded && !(m->mod_flags & IPA_MOD_FLAG_PTHREAD_SAFE))
    {
      g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_THREADS,
                   THREAD_UNSAFE_MESSAGE (m->kind), m->path, m->name);
      return FALSE;
    }
  if (!check_prefix (set, m, error))
    return FALSE;
  /* Tables shared with a kind loaded earlier were checked and compiled
   * then; compiling them again would leak the first regex_t contents. */
  if (m->tables_registered && !check_tables (m, error))
    return FALSE;
  return TRUE;
}

/* The module directory may be a search path, "DIR:DIR…" (a build tree
 * uses one for shipped and one for test modules): the first directory
 * holding @name wins, else the first directory is named in errors. */
static char *
module_find (const char *module_dir, const char *name)
{
  g_auto (GStrv) dirs = g_strsplit (module_dir, ":", -1);

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = NULL;

      if (dirs[i][0] == '\0')
        continue;
      path = g_build_filename (dirs[i], name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }
  return g_build_filename (dirs[0] != NULL && dirs[0][0] != '\0' ? dirs[0] : ".",
                           name, NULL);
}

IpaModule *
ipa_module_set_load (IpaModuleSet *set,
                     IpaModuleKind kind,
                     const char *name,
                     GError **error)
{
  IpaModule *m;
  void *handle;
  void *sym;
  const char *err;
  int r;

  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  m = g_new0 (IpaModule, 1);
  m->kind = kind;
  m->path = g_path_is_absolute (name) ? g_strdup (name)
                                      : module_find (set->module_dir, name);
  m->file_name = g_path_get_basename (m->path);
  /* From the name as given: a link's name decides the symbol. */
  m->base_name = ipa_module_base_name (m->file_name);
  m->symbol = ipa_module_symbol_name (m->file_name, kind);

  if (name[0] == '\0' || m->base_name[0] == '\0')
    {
      g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_INVALID,
                   _("%s: no module name can be derived from this file name"), m->path);
      module_unload (set, m, FALSE);
      return NULL;
    }

  dlerror ();
  handle = dlopen (m->path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    {
      err = dlerror ();
      g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_OPEN,
                   _("%s: cannot load module: %s"), m->path, err != NULL ? err : _("unknown error"));
      module_unload (set, m, FALSE);
      return NULL;
    }
  m->file = file_ref (set, handle);

  dlerror ();
  sym = dlsym (handle, m->symbol);
  if (sym == NULL)
    {
      g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_SYMBOL,
                   BY_KIND (kind,
                            _("%s: not an IPA accounting module: it does not export symbol %s"),
                            _("%s: not an IPA database module: it does not export symbol %s"),
                            _("%s: not an IPA statistics module: it does not export symbol %s")),
                   m->path, m->symbol);
      module_unload (set, m, FALSE);
      return NULL;
    }
  m->mod.ptr = sym;

  if (!check_module (set, m, error))
    {
      module_unload (set, m, FALSE);
      return NULL;
    }

  /* Optional extensions (ipa_mod_ext.h). */
  if (kind == IPA_MODULE_KIND_DB)
    {
      g_autofree char *ext_symbol = g_strconcat (m->symbol, "_ext", NULL);
      const struct ipa_db_mod_ext *ext = dlsym (handle, ext_symbol);

      if (ext != NULL && ext->api_ver != IPA_DB_MOD_EXT_API_VERSION)
        {
          g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_API_VERSION,
                       _("%s: %s has API version %u, this ipa understands %u"),
                       m->path, ext_symbol, ext->api_ver, IPA_DB_MOD_EXT_API_VERSION);
          module_unload (set, m, FALSE);
          return NULL;
        }
      m->db_ext = ext;
    }

  m->owner = g_strdup_printf ("%s:%s", ipa_module_kind_to_string (kind), m->name);
  store_exported (m);
  if (m->tables_registered && !compile_regexps (m, error))
    {
      module_unload (set, m, FALSE);
      return NULL;
    }

  /* INV-08: conf_init is the module's first call. */
  r = 0;
  if (m->conf_init != NULL)
    {
      /* Interned by memfunc, so it outlives the owner change. */
      const char *prev_owner = ipa_memfunc_get_owner ();

      ipa_memfunc_set_owner (m->owner);
      r = m->conf_init ();
      ipa_memfunc_set_owner (prev_owner);
    }
  if (r != 0)
    {
      g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_INIT,
                   BY_KIND (kind,
                            _("%s: conf_init of accounting module %s failed"),
                            _("%s: conf_init of database module %s failed"),
                            _("%s: conf_init of statistics module %s failed")),
                   m->path, m->name);
      module_unload (set, m, TRUE);
      return NULL;
    }

  g_ptr_array_add (set->modules, m);
  return m;
}

/* The set */

IpaModuleSet *
ipa_module_set_new (void)
{
  IpaModuleSet *set = g_new0 (IpaModuleSet, 1);
  const char *dir = g_getenv ("IPA_MODULE_DIR");

  set->module_dir = g_strdup (dir != NULL && dir[0] != '\0' ? dir : IPA_MODULE_DIR);
  set->modules = g_ptr_array_new ();
  set->files = g_hash_table_new (g_direct_hash, g_direct_equal);
  return set;
}

void
ipa_module_set_unload_all (IpaModuleSet *set)
{
  g_return_if_fail (set != NULL);

  /* Reverse order: a kind that shares another's tables goes before the
   * kind whose regular expressions they are. */
  while (set->modules->len > 0)
    {
      IpaModule *m = g_ptr_array_steal_index (set->modules, set->modules->len - 1);

      module_unload (set, m, TRUE);
    }
}

void
ipa_module_set_free (IpaModuleSet *set)
{
  if (set == NULL)
    return;
  ipa_module_set_unload_all (set);
  g_ptr_array_free (set->modules, TRUE);
  g_hash_table_destroy (set->files);
  g_free (set->module_dir);
  g_free (set);
}

void
ipa_module_set_set_module_dir (IpaModuleSet *set, const char *dir)
{
  g_return_if_fail (set != NULL);
  g_return_if_fail (dir != NULL);

  g_free (set->module_dir);
  set->module_dir = g_strdup (dir);
}

const char *
ipa_module_set_get_module_dir (IpaModuleSet *set)
{
  g_return_val_if_fail (set != NULL, NULL);
  return set->module_dir;
}

gboolean
ipa_module_set_set_threaded (IpaModuleSet *set, gboolean threaded, GError **error)
{
  g_return_val_if_fail (set != NULL, FALSE);

  if (threaded)
    for (guint i = 0; i < set->modules->len; i++)
      {
        IpaModule *m = g_ptr_array_index (set->modules, i);

        if (!(m->mod_flags & IPA_MOD_FLAG_PTHREAD_SAFE))
          {
            g_set_error (error, IPA_MODULE_ERROR, IPA_MODULE_ERROR_THREADS,
                         THREAD_UNSAFE_MESSAGE (m->kind), m->path, m->name);
            return FALSE;
          }
      }
  set->threaded = threaded;
  return TRUE;
}

gboolean
ipa_module_set_get_threaded (IpaModuleSet *set)
{
  g_return_val_if_fail (set != NULL, FALSE);
  return set->threaded;
}

IpaModule *
ipa_module_set_lookup (IpaModuleSet *set, IpaModuleKind kind, const char *name)
{
  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < set->modules->len; i++)
    {
      IpaModule *m = g_ptr_array_index (set->modules, i);

      if (m->kind == kind && strcmp (m->name, name) == 0)
        return m;
    }
  return NULL;
}

IpaModule *
ipa_module_set_lookup_prefix (IpaModuleSet *set, const char *prefix)
{
  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  /* The kind that registered the tables, when two kinds share a prefix. */
  for (guint i = 0; i < set->modules->len; i++)
    {
      IpaModule *m = g_ptr_array_index (set->modules, i);

      if (m->prefix != NULL && m->tables_registered && strcmp (m->prefix, prefix) == 0)
        return m;
    }
  return NULL;
}

guint
ipa_module_set_get_n_modules (IpaModuleSet *set)
{
  g_return_val_if_fail (set != NULL, 0);
  return set->modules->len;
}

IpaModule *
ipa_module_set_get_nth (IpaModuleSet *set, guint i)
{
  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (i < set->modules->len, NULL);
  return g_ptr_array_index (set->modules, i);
}

IpaConfModuleTables
ipa_module_set_conf_tables (IpaModuleSet *set, const IpaModule *module)
{
  IpaConfModuleTables tables = { 0 };

  g_return_val_if_fail (set != NULL, tables);
  g_return_val_if_fail (module != NULL, tables);

  tables.mod_name = module->name;
  tables.conf_event = module->conf_event;
  if (module->tables_registered)
    {
      tables.prefix = module->prefix;
      tables.sects = module->conf_sect_tbl;
      tables.params = module->conf_param_tbl;
    }
  return tables;
}
