/*
 * dbus-fuzz-client.c: calls every method of org.ipasystem.Ipa1 with random
 * arguments (right and wrong types, unknown and malformed names, huge
 * strings, extreme numbers) and checks that each call is answered, with
 * success or a named error.
 *
 *   dbus-fuzz-client --address ADDR --seed N --calls N [--protect RULE]...
 *                    [--allow-denied]
 *
 * Rules named by --protect are only read, never changed, so that the test
 * can compare their counters with what the accounting module produced.
 * Reload is not called (a reload starts new records by design).  Freeze
 * gets 0..2 seconds, so that accounting goes on while the test watches.
 * With --allow-denied, the bus's AccessDenied counts as an answer (for a
 * client that runs as an unprivileged user).
 *
 * Prints one line "calls=N ok=N ERROR.NAME=N …" and exits 1 if a call got no
 * answer or an answer that is not a named error of the interface.
 */
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#define DEST "org.ipasystem.Ipa1"
#define ROOT "/org/ipasystem/Ipa1"
#define MANAGER "org.ipasystem.Ipa1.Manager"

typedef enum { T_MANAGER, T_RULE, T_LIMIT, T_THRESHOLD, T_AUTORULE, T_ANY } Target;

typedef struct {
  const char *interface;
  const char *method;
  const char *signature;   /* of the arguments */
  Target target;
  gboolean writes;         /* changes its target */
} Method;

static const Method methods[] = {
  { MANAGER, "Status", "()", T_MANAGER, FALSE },
  { MANAGER, "Memory", "()", T_MANAGER, FALSE },
  { MANAGER, "Dump", "()", T_MANAGER, FALSE },
  { MANAGER, "Freeze", "(u)", T_MANAGER, FALSE },
  { MANAGER, "Thaw", "()", T_MANAGER, FALSE },
  { MANAGER, "ListRules", "(uu)", T_MANAGER, FALSE },
  { MANAGER, "GetRule", "(s)", T_MANAGER, FALSE },
  { MANAGER, "ListAutorules", "()", T_MANAGER, FALSE },
  { MANAGER, "CreateRule", "(sss)", T_MANAGER, FALSE },
  { MANAGER, "DeleteRule", "(s)", T_MANAGER, TRUE },
  { "org.ipasystem.Ipa1.Rule", "Set", "(st)", T_RULE, TRUE },
  { "org.ipasystem.Ipa1.Limit", "Set", "(sst)", T_LIMIT, TRUE },
  { "org.ipasystem.Ipa1.Limit", "Restart", "()", T_LIMIT, TRUE },
  { "org.ipasystem.Ipa1.Limit", "Expire", "()", T_LIMIT, TRUE },
  { "org.ipasystem.Ipa1.Threshold", "Set", "(sst)", T_THRESHOLD, TRUE },
  { "org.ipasystem.Ipa1.Autorule", "CreateRule", "(ss)", T_AUTORULE, FALSE },
  { "org.freedesktop.DBus.Properties", "Get", "(ss)", T_ANY, FALSE },
  { "org.freedesktop.DBus.Properties", "GetAll", "(s)", T_ANY, FALSE },
  { "org.freedesktop.DBus.Properties", "Set", "(ssv)", T_ANY, TRUE },
  { "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", "()", T_MANAGER, FALSE },
  { "org.freedesktop.DBus.Introspectable", "Introspect", "()", T_ANY, FALSE },
};

static const char *const subtrees[] = {
  [T_RULE] = ROOT "/rule", [T_LIMIT] = ROOT "/limit",
  [T_THRESHOLD] = ROOT "/threshold", [T_AUTORULE] = ROOT "/autorule",
};

static const char *const words[] = {
  "+", "-", "=", "", "limit", "counter", "threshold", "*", "org.ipasystem.Ipa1.Manager",
  "org.ipasystem.Ipa1.Rule", "org.ipasystem.Ipa1.Limit", "Counter", "Name", "Version",
  "Rules", "Limit", "Reached", "a/b", "with blank", "tab\there", "x\ny",
};

typedef struct {
  GRand *rand;
  GPtrArray *rules;        /* names */
  GPtrArray *limits;       /* "rule/limit" */
  GPtrArray *thresholds;
  GPtrArray *autorules;
  GPtrArray *protect;
  gboolean allow_denied;
  GHashTable *counts;      /* error name -> count */
  guint ok, bad;
} Fuzz;

static char *
random_ascii (GRand *r, guint len)
{
  char *s = g_malloc (len + 1);

  for (guint i = 0; i < len; i++)
    s[i] = (char) g_rand_int_range (r, 0x21, 0x7f);
  s[len] = '\0';
  return s;
}

/* Valid UTF-8 with control characters, '/', blanks and some non-ASCII. */
static char *
random_utf8 (GRand *r, guint len)
{
  static const gunichar pool[] = { 1, 9, 10, 27, ' ', '/', '_', 'a', 'Z', '0', 0xe9,
                                   0x416, 0x20ac, 0x1f600, 0xfffd };
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < len; i++)
    g_string_append_unichar (s, pool[g_rand_int_range (r, 0, G_N_ELEMENTS (pool))]);
  return g_string_free (s, FALSE);
}

static const char *
pick (GRand *r, GPtrArray *a)
{
  return a->len > 0 ? g_ptr_array_index (a, g_rand_int_range (r, 0, (gint32) a->len)) : "none";
}

static char *
random_string (Fuzz *f)
{
  int k = g_rand_int_range (f->rand, 0, 100);

  if (k < 25)
    return g_strdup (words[g_rand_int_range (f->rand, 0, G_N_ELEMENTS (words))]);
  if (k < 45)
    return g_strdup (pick (f->rand, f->rules));
  if (k < 50)
    return g_strdup (pick (f->rand, f->autorules));
  if (k < 70)
    return random_ascii (f->rand, (guint) g_rand_int_range (f->rand, 1, 40));
  if (k < 85)
    return random_utf8 (f->rand, (guint) g_rand_int_range (f->rand, 1, 40));
  if (k < 95)
    return random_ascii (f->rand, (guint) g_rand_int_range (f->rand, 64 * 1024, 1024 * 1024));
  return g_strdup ("");
}

static guint64
random_u64 (GRand *r)
{
  switch (g_rand_int_range (r, 0, 6))
    {
    case 0: return 0;
    case 1: return 1;
    case 2: return G_MAXUINT64;
    case 3: return G_MAXUINT64 - 1;
    case 4: return (guint64) g_rand_int_range (r, 0, 100000);
    default: return ((guint64) g_rand_int (r) << 32) | g_rand_int (r);
    }
}

static GVariant *
random_basic (Fuzz *f)
{
  g_autofree char *s = NULL;

  switch (g_rand_int_range (f->rand, 0, 8))
    {
    case 0: s = random_string (f); return g_variant_new_string (s);
    case 1: return g_variant_new_uint32 (g_rand_int (f->rand));
    case 2: return g_variant_new_uint64 (random_u64 (f->rand));
    case 3: return g_variant_new_int32 ((gint32) g_rand_int (f->rand));
    case 4: return g_variant_new_boolean (g_rand_boolean (f->rand));
    case 5: return g_variant_new_double (g_rand_double (f->rand));
    case 6: return g_variant_new_variant (g_variant_new_string ("v"));
    default:
      {
        const char *list[] = { "a", "b", NULL };

        return g_variant_new_strv (list, -1);
      }
    }
}

/* Arguments of the right signature with random values. */
static GVariant *
right_args (Fuzz *f, const Method *m)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_TUPLE);
  for (const char *p = m->signature + 1; *p != ')'; p++)
    {
      g_autofree char *s = NULL;

      switch (*p)
        {
        case 's':
          s = random_string (f);
          /* Names that would change a protected rule are replaced. */
          if (m->writes)
            for (guint i = 0; i < f->protect->len; i++)
              if (strcmp (s, g_ptr_array_index (f->protect, i)) == 0)
                {
                  g_free (s);
                  s = g_strdup ("unprotected");
                }
          g_variant_builder_add (&b, "s", s);
          break;
        case 'u':
          if (strcmp (m->method, "Freeze") == 0)
            g_variant_builder_add (&b, "u", (guint32) g_rand_int_range (f->rand, 0, 3));
          else
            g_variant_builder_add (&b, "u", g_rand_boolean (f->rand)
                                   ? (guint32) g_rand_int_range (f->rand, 0, 10)
                                   : g_rand_int (f->rand));
          break;
        case 't':
          g_variant_builder_add (&b, "t", random_u64 (f->rand));
          break;
        case 'v':
          g_variant_builder_add (&b, "v", random_basic (f));
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return g_variant_builder_end (&b);
}

static GVariant *
wrong_args (Fuzz *f)
{
  GVariantBuilder b;
  int n = g_rand_int_range (f->rand, 0, 4);

  g_variant_builder_init (&b, G_VARIANT_TYPE_TUPLE);
  for (int i = 0; i < n; i++)
    g_variant_builder_add_value (&b, random_basic (f));
  return g_variant_builder_end (&b);
}

static gboolean
is_protected (Fuzz *f, const char *name)
{
  const char *slash = strchr (name, '/');
  gsize len = slash != NULL ? (gsize) (slash - name) : strlen (name);

  for (guint i = 0; i < f->protect->len; i++)
    {
      const char *p = g_ptr_array_index (f->protect, i);

      if (strlen (p) == len && strncmp (p, name, len) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
random_path (Fuzz *f, const Method *m)
{
  Target t = m->target;
  GPtrArray *names = NULL;
  g_autofree char *node = NULL;
  int k = g_rand_int_range (f->rand, 0, 100);

  if (t == T_ANY)
    t = (Target) g_rand_int_range (f->rand, T_MANAGER, T_ANY);
  if (t == T_MANAGER)
    return g_strdup (ROOT);
  names = t == T_RULE ? f->rules : t == T_LIMIT ? f->limits
          : t == T_THRESHOLD ? f->thresholds : f->autorules;
  if (k < 70 && names->len > 0)
    {
      const char *name = pick (f->rand, names);

      if (m->writes && is_protected (f, name))
        name = "unprotected";
      node = g_dbus_escape_object_path (name);
    }
  else if (k < 85)
    {
      g_autofree char *name = random_ascii (f->rand, (guint) g_rand_int_range (f->rand, 1, 30));

      node = g_dbus_escape_object_path (name);
    }
  else if (k < 95)
    {
      /* Any node: also escapes that are not canonical or not UTF-8. */
      static const char alphabet[] = "abcXYZ019_";
      int len = g_rand_int_range (f->rand, 1, 20);

      node = g_malloc (len + 1);
      for (int i = 0; i < len; i++)
        node[i] = alphabet[g_rand_int_range (f->rand, 0, sizeof alphabet - 1)];
      node[len] = '\0';
    }
  else
    {
      g_autofree char *name = random_ascii (f->rand, 100 * 1024);

      node = g_dbus_escape_object_path (name);
    }
  return g_strconcat (subtrees[t], "/", node, NULL);
}

static gboolean
is_named_answer (Fuzz *f, const char *name)
{
  static const char *const standard[] = {
    "org.freedesktop.DBus.Error.InvalidArgs",
    "org.freedesktop.DBus.Error.UnknownMethod",
    "org.freedesktop.DBus.Error.UnknownInterface",
    "org.freedesktop.DBus.Error.UnknownObject",
    "org.freedesktop.DBus.Error.UnknownProperty",
    "org.freedesktop.DBus.Error.PropertyReadOnly",
  };

  if (name == NULL)
    return FALSE;
  if (g_str_has_prefix (name, "org.ipasystem.Ipa1.Error."))
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (standard); i++)
    if (strcmp (name, standard[i]) == 0)
      return TRUE;
  return f->allow_denied && strcmp (name, "org.freedesktop.DBus.Error.AccessDenied") == 0;
}

static void
count (Fuzz *f, const char *key)
{
  gpointer old = g_hash_table_lookup (f->counts, key);

  g_hash_table_replace (f->counts, g_strdup (key), GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
}

static void
one_call (Fuzz *f, GDBusConnection *bus)
{
  const Method *m = &methods[g_rand_int_range (f->rand, 0, G_N_ELEMENTS (methods))];
  g_autofree char *path = random_path (f, m);
  gboolean right = g_rand_int_range (f->rand, 0, 100) < 75;
  GVariant *args = right ? right_args (f, m) : wrong_args (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (bus, DEST, path, m->interface, m->method, args, NULL,
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, 20000, NULL, &error);
  if (reply != NULL)
    {
      f->ok++;
      return;
    }
  {
    g_autofree char *name = g_dbus_error_get_remote_error (error);

    if (is_named_answer (f, name))
      {
        count (f, name);
        return;
      }
    f->bad++;
    count (f, "BAD");
    g_printerr ("dbus-fuzz-client: %s.%s on %.80s: no named answer: %s\n",
                m->interface, m->method, path, error->message);
  }
}

static void
add_names (Fuzz *f, GDBusConnection *bus)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GVariantIter) autorules = NULL;
  const char *name, *lname;
  GVariantIter *limits, *thresholds;
  const char *aname;
  GVariantIter *dyn;

  reply = g_dbus_connection_call_sync (bus, DEST, ROOT, MANAGER, "ListRules",
                                       g_variant_new ("(uu)", 0, 0), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 20000, NULL, &error);
  if (reply != NULL)
    {
      g_variant_get (reply, "(a(sssbbttxa(sbbtta{sx})a(sbsttxx))u)", &iter, NULL);
      while (g_variant_iter_next (iter, "(&s&s&sbbttxa(sbbtta{sx})a(sbsttxx))", &name, NULL,
                                  NULL, NULL, NULL, NULL, NULL, NULL, &limits, &thresholds))
        {
          g_ptr_array_add (f->rules, g_strdup (name));
          while (g_variant_iter_next (limits, "(&sbbtta{sx})", &lname, NULL, NULL, NULL, NULL,
                                      NULL))
            g_ptr_array_add (f->limits, g_strconcat (name, "/", lname, NULL));
          while (g_variant_iter_next (thresholds, "(&sbsttxx)", &lname, NULL, NULL, NULL, NULL,
                                      NULL, NULL))
            g_ptr_array_add (f->thresholds, g_strconcat (name, "/", lname, NULL));
          g_variant_iter_free (limits);
          g_variant_iter_free (thresholds);
        }
    }
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_error (&error);
  reply = g_dbus_connection_call_sync (bus, DEST, ROOT, MANAGER, "ListAutorules", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 20000, NULL, &error);
  if (reply != NULL)
    {
      g_variant_get (reply, "(a(sas))", &autorules);
      while (g_variant_iter_next (autorules, "(&sas)", &aname, &dyn))
        {
          g_ptr_array_add (f->autorules, g_strdup (aname));
          g_variant_iter_free (dyn);
        }
    }
}

int
main (int argc, char **argv)
{
  g_autofree char *address = NULL;
  g_auto(GStrv) protect = NULL;
  gint64 seed = 1, calls = 1000;
  gboolean allow_denied = FALSE;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GString) summary = g_string_new (NULL);
  GHashTableIter it;
  gpointer key, value;
  Fuzz f = { 0 };
  GOptionEntry entries[] = {
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, "Bus address", "ADDR" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed", "N" },
    { "calls", 0, 0, G_OPTION_ARG_INT64, &calls, "Number of calls", "N" },
    { "protect", 0, 0, G_OPTION_ARG_STRING_ARRAY, &protect, "Rule never changed", "RULE" },
    { "allow-denied", 0, 0, G_OPTION_ARG_NONE, &allow_denied, "Bus denials are answers", NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || address == NULL)
    {
      g_printerr ("dbus-fuzz-client: %s\n", error != NULL ? error->message : "--address needed");
      return 2;
    }
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  if (bus == NULL)
    {
      g_printerr ("dbus-fuzz-client: %s\n", error->message);
      return 2;
    }
  f.rand = g_rand_new_with_seed ((guint32) seed);
  f.rules = g_ptr_array_new_with_free_func (g_free);
  f.limits = g_ptr_array_new_with_free_func (g_free);
  f.thresholds = g_ptr_array_new_with_free_func (g_free);
  f.autorules = g_ptr_array_new_with_free_func (g_free);
  f.protect = g_ptr_array_new ();
  f.allow_denied = allow_denied;
  f.counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; protect != NULL && protect[i] != NULL; i++)
    g_ptr_array_add (f.protect, protect[i]);
  add_names (&f, bus);

  for (gint64 i = 0; i < calls; i++)
    one_call (&f, bus);

  g_string_append_printf (summary, "calls=%" G_GINT64_FORMAT " ok=%u", calls, f.ok);
  g_hash_table_iter_init (&it, f.counts);
  while (g_hash_table_iter_next (&it, &key, &value))
    g_string_append_printf (summary, " %s=%u", (char *) key, GPOINTER_TO_UINT (value));
  printf ("%s\n", summary->str);

  g_hash_table_unref (f.counts);
  g_ptr_array_unref (f.rules);
  g_ptr_array_unref (f.limits);
  g_ptr_array_unref (f.thresholds);
  g_ptr_array_unref (f.autorules);
  g_ptr_array_unref (f.protect);
  g_rand_free (f.rand);
  return f.bad > 0 ? 1 : 0;
}
