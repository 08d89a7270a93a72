/*
 * bench-dbus-list.c: reading the counters of every rule of a running ipa,
 * in one ListRules call against one Properties.Get per rule, measured in
 * the same run; also GetManagedObjects.
 *
 *   bench-dbus-list --address ADDR [--repeat N]
 *
 * Prints the time of each way (median of N runs of ListRules and of
 * GetManagedObjects; the per-rule reads once, they take long), the reply
 * sizes and the ratio per-rule / ListRules.
 */
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>

#define DEST "org.ipasystem.Ipa1"
#define ROOT "/org/ipasystem/Ipa1"

static int
cmp_i64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static GVariant *
call (GDBusConnection *bus, const char *path, const char *iface, const char *method,
      GVariant *params)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (bus, DEST, path, iface, method, params, NULL,
                                                 G_DBUS_CALL_FLAGS_NONE, 120000, NULL, &error);

  if (reply == NULL)
    {
      g_printerr ("bench-dbus-list: %s: %s\n", method, error->message);
      exit (1);
    }
  return reply;
}

/* Median of @repeat timed calls, in µs; the reply size of the last. */
static gint64
time_call (GDBusConnection *bus, const char *iface, const char *method, GVariant *params,
           int repeat, gsize *size)
{
  gint64 *t = g_new (gint64, repeat);
  gint64 median;

  if (params != NULL)
    g_variant_ref_sink (params);
  for (int i = 0; i < repeat; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      /* A non-floating @params is only borrowed by the call. */
      g_autoptr(GVariant) reply = call (bus, ROOT, iface, method, params);

      t[i] = g_get_monotonic_time () - t0;
      *size = g_variant_get_size (reply);
    }
  qsort (t, repeat, sizeof *t, cmp_i64);
  median = t[repeat / 2];
  g_free (t);
  if (params != NULL)
    g_variant_unref (params);
  return median;
}

int
main (int argc, char **argv)
{
  g_autofree char *address = NULL;
  gint64 repeat = 5;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  GOptionEntry entries[] = {
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, "Bus address", "ADDR" },
    { "repeat", 0, 0, G_OPTION_ARG_INT64, &repeat, "Runs of the one-call reads", "N" },
    { NULL },
  };
  gint64 t_list, t_objects, t_each, t0;
  gsize list_size = 0, objects_size = 0;
  guint64 sum_list = 0, sum_each = 0;
  const char *name;
  guint64 counter;
  guint n = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || address == NULL || repeat < 1)
    {
      g_printerr ("bench-dbus-list: --address ADDR [--repeat N]\n");
      return 2;
    }
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  if (bus == NULL)
    {
      g_printerr ("bench-dbus-list: %s\n", error->message);
      return 2;
    }
  /* Freeze accounting so that both ways read the same counters. */
  g_variant_unref (call (bus, ROOT, "org.ipasystem.Ipa1.Manager", "Freeze",
                         g_variant_new ("(u)", 600)));

  t_list = time_call (bus, "org.ipasystem.Ipa1.Manager", "ListRules",
                      g_variant_new ("(uu)", 0, 0), (int) repeat, &list_size);
  t_objects = time_call (bus, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                         NULL, (int) repeat, &objects_size);

  list = call (bus, ROOT, "org.ipasystem.Ipa1.Manager", "ListRules",
               g_variant_new ("(uu)", 0, 0));
  g_variant_get (list, "(a(sssbbttxa(sbbtta{sx})a(sbsttxx))u)", &iter, NULL);
  t0 = g_get_monotonic_time ();
  while (g_variant_iter_next (iter, "(&s&s&sbbttx@a(sbbtta{sx})@a(sbsttxx))", &name, NULL, NULL,
                              NULL, NULL, &counter, NULL, NULL, NULL, NULL))
    {
      g_autofree char *node = g_dbus_escape_object_path (name);
      g_autofree char *path = g_strconcat (ROOT "/rule/", node, NULL);
      g_autoptr(GVariant) reply = call (bus, path, "org.freedesktop.DBus.Properties", "Get",
                                        g_variant_new ("(ss)", "org.ipasystem.Ipa1.Rule",
                                                       "Counter"));
      g_autoptr(GVariant) v = NULL;

      g_variant_get (reply, "(v)", &v);
      sum_each += g_variant_get_uint64 (v);
      sum_list += counter;
      n++;
    }
  t_each = g_get_monotonic_time () - t0;
  g_variant_unref (call (bus, ROOT, "org.ipasystem.Ipa1.Manager", "Thaw", NULL));

  printf ("rules: %u\n", n);
  printf ("ListRules (one call):      %8.1f ms, reply %" G_GSIZE_FORMAT " bytes\n",
          t_list / 1000.0, list_size);
  printf ("GetManagedObjects:         %8.1f ms, reply %" G_GSIZE_FORMAT " bytes\n",
          t_objects / 1000.0, objects_size);
  printf ("Properties.Get per rule:   %8.1f ms (%.1f us per call)\n",
          t_each / 1000.0, n > 0 ? (double) t_each / n : 0.0);
  printf ("ratio per-rule / ListRules: %.1f\n", t_list > 0 ? (double) t_each / t_list : 0.0);
  if (sum_each != sum_list)
    {
      g_printerr ("bench-dbus-list: the two ways disagree (%" G_GUINT64_FORMAT " != %"
                  G_GUINT64_FORMAT ")\n", sum_each, sum_list);
      return 1;
    }
  return 0;
}
