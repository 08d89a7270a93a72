/*
 * ipactl-status.c: ipactl [-a A] [-r R [-l L | -t T]] status.
 *
 *   status            the daemon (Manager.Status)
 *   -a A status       an autorule and its dynamic rules
 *   -r R status       a rule with its limits and thresholds (GetRule)
 *   -r R -l L status  a limit with its event dates
 *   -r R -t T status  a threshold
 */
#include "config.h"

#include "ipactl.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "ipa-dbus-names.h"

#define RULE_TYPE "(sssbbttxa(sbbtta{sx})a(sbsttxx))"

static void
field (const char *label, const char *value)
{
  /* The label column is wide enough for every label of this file. */
  g_autofree char *padded = ipactl_pad (label, 14, FALSE);

  printf ("%s %s\n", padded, value);
}

static void
field_date (const char *label, gint64 wall)
{
  g_autofree char *text = ipactl_format_date (wall);

  field (label, text);
}

static void
field_u64 (const char *label, guint64 v)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, v);

  field (label, text);
}

static const char *
yes_no (gboolean b)
{
  return b ? _("yes") : _("no");
}

/* ---- the daemon ---- */

static guint32
dict_u32 (GVariant *dict, const char *key)
{
  guint32 v = 0;

  g_variant_lookup (dict, key, "u", &v);
  return v;
}

static gint64
dict_x (GVariant *dict, const char *key)
{
  gint64 v = 0;

  g_variant_lookup (dict, key, "x", &v);
  return v;
}

static char *
dict_strv (GVariant *dict, const char *key)
{
  g_autofree const char **names = NULL;
  g_autoptr(GVariant) v = g_variant_lookup_value (dict, key, G_VARIANT_TYPE_STRING_ARRAY);

  if (v == NULL)
    return g_strdup ("-");
  names = g_variant_get_strv (v, NULL);
  return names[0] != NULL ? g_strjoinv (", ", (char **) names) : g_strdup ("-");
}

static int
status_daemon (Ipactl *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) d = NULL;
  const char *version = "?", *conf_file = "";
  gboolean running = FALSE, frozen = FALSE;
  g_autofree char *text = NULL;

  reply = ipactl_call (c, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "Status", NULL,
                       G_VARIANT_TYPE ("(a{sv})"), &error);
  if (reply == NULL)
    return ipactl_report_error (error);
  g_variant_get (reply, "(@a{sv})", &d);
  g_variant_lookup (d, "Version", "&s", &version);
  g_variant_lookup (d, "ConfigFile", "&s", &conf_file);
  g_variant_lookup (d, "Running", "b", &running);
  g_variant_lookup (d, "Frozen", "b", &frozen);

  field (_("ipa:"), version);
  field (_("Configuration:"), *conf_file != '\0' ? conf_file : "-");
  field (_("State:"), !running ? _("reloading its configuration")
                      : frozen ? _("frozen") : _("accounting"));
  field_date (_("Started:"), dict_x (d, "StartTime"));
  field_date (_("Loaded:"), dict_x (d, "LoadTime"));
  field_date (_("Last update:"), dict_x (d, "LastUpdate"));
  if (!running)
    return IPACTL_EXIT_OK;
  text = g_strdup_printf (_("%u static, %u dynamic (%u active)"),
                          dict_u32 (d, "StaticRules"), dict_u32 (d, "DynamicRules"),
                          dict_u32 (d, "ActiveRules"));
  field (_("Rules:"), text);
  g_free (text);
  text = g_strdup_printf ("%u", dict_u32 (d, "Autorules"));
  field (_("Autorules:"), text);
  g_free (text);
  text = g_strdup_printf (_("%u (%u reached)"), dict_u32 (d, "Limits"),
                          dict_u32 (d, "ReachedLimits"));
  field (_("Limits:"), text);
  g_free (text);
  text = g_strdup_printf ("%u", dict_u32 (d, "Thresholds"));
  field (_("Thresholds:"), text);
  g_free (text);
  text = dict_strv (d, "AcModules");
  field (_("Accounting:"), text);
  g_free (text);
  text = dict_strv (d, "DbModules");
  field (_("Databases:"), text);
  return IPACTL_EXIT_OK;
}

/* ---- a rule ---- */

static void
print_rule (GVariant *rule)
{
  const char *name, *info, *autorule;
  gboolean active, dynamic;
  guint64 counter, update_time;
  gint64 record_start;
  g_autoptr(GVariantIter) limits = NULL;
  g_autoptr(GVariantIter) thresholds = NULL;
  g_autofree char *kind = NULL;
  const char *lname, *tname, *position;
  gboolean lactive, reached, tactive;
  guint64 lim, cnt, thr, tcnt;
  gint64 from, updated;
  GVariant *events;

  g_variant_get (rule, "(&s&s&sbbttxa(sbbtta{sx})a(sbsttxx))", &name, &info, &autorule,
                 &active, &dynamic, &counter, &update_time, &record_start, &limits, &thresholds);
  kind = dynamic ? g_strdup_printf (_("dynamic, from autorule %s"), autorule)
                 : g_strdup (_("static"));
  field (_("Rule:"), name);
  field (_("Kind:"), kind);
  if (*info != '\0')
    field (_("Info:"), info);
  field (_("Active:"), yes_no (active));
  field_u64 (_("Counter:"), counter);
  field_date (_("Record start:"), record_start);
  field_u64 (_("Update time:"), update_time);

  if (g_variant_iter_n_children (limits) > 0)
    {
      printf ("%s\n", _("Limits:"));
      g_autofree char *h_name = ipactl_pad (_("NAME"), 16, FALSE);
      g_autofree char *h_active = ipactl_pad (_("ACTIVE"), 6, FALSE);
      g_autofree char *h_reached = ipactl_pad (_("REACHED"), 7, FALSE);
      g_autofree char *h_limit = ipactl_pad (_("LIMIT"), 20, TRUE);
      g_autofree char *h_counter = ipactl_pad (_("COUNTER"), 20, TRUE);

      printf ("  %s %s %s %s %s\n", h_name, h_active, h_reached, h_limit, h_counter);
      while (g_variant_iter_next (limits, "(&sbbtt@a{sx})", &lname, &lactive, &reached,
                                  &lim, &cnt, &events))
        {
          g_autofree char *c_active = ipactl_pad (yes_no (lactive), 6, FALSE);
          g_autofree char *c_reached = ipactl_pad (yes_no (reached), 7, FALSE);

          printf ("  %-16s %s %s %20" G_GUINT64_FORMAT " %20" G_GUINT64_FORMAT "\n",
                  lname, c_active, c_reached, lim, cnt);
          g_variant_unref (events);
        }
    }
  if (g_variant_iter_n_children (thresholds) > 0)
    {
      printf ("%s\n", _("Thresholds:"));
      g_autofree char *h_name = ipactl_pad (_("NAME"), 16, FALSE);
      g_autofree char *h_active = ipactl_pad (_("ACTIVE"), 6, FALSE);
      g_autofree char *h_position = ipactl_pad (_("POSITION"), 8, FALSE);
      g_autofree char *h_threshold = ipactl_pad (_("THRESHOLD"), 20, TRUE);
      g_autofree char *h_counter = ipactl_pad (_("COUNTER"), 20, TRUE);

      printf ("  %s %s %s %s %s\n", h_name, h_active, h_position, h_threshold, h_counter);
      while (g_variant_iter_next (thresholds, "(&sb&sttxx)", &tname, &tactive, &position,
                                  &thr, &tcnt, &from, &updated))
        {
          g_autofree char *c_active = ipactl_pad (yes_no (tactive), 6, FALSE);

          printf ("  %-16s %s %-8s %20" G_GUINT64_FORMAT " %20" G_GUINT64_FORMAT "\n",
                  tname, c_active, position, thr, tcnt);
        }
    }
}

static int
status_rule (Ipactl *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) rule = NULL;
  const char *autorule = NULL;

  reply = ipactl_call (c, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "GetRule",
                       g_variant_new ("(s)", c->rule), G_VARIANT_TYPE ("(" RULE_TYPE ")"),
                       &error);
  if (reply == NULL)
    return ipactl_report_error (error);
  rule = g_variant_get_child_value (reply, 0);
  g_variant_get_child (rule, 2, "&s", &autorule);
  if (c->autorule != NULL && strcmp (autorule, c->autorule) != 0)
    {
      fprintf (stderr, _("ipactl: rule %s was not made from autorule %s\n"),
               c->rule, c->autorule);
      return IPACTL_EXIT_NOUSER;
    }
  print_rule (rule);
  return IPACTL_EXIT_OK;
}

/* ---- a limit, a threshold ---- */

static const char *const event_order[] = {
  "start", "restart", "restart-exec", "reach", "reach-exec", "expire", "expire-exec", "updated",
};

static int
status_limit (Ipactl *c)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ipa_dbus_limit_path (c->rule, c->limit);
  g_autoptr(GVariant) p = ipactl_get_all (c, path, IPA_DBUS_IFACE_LIMIT, &error);
  g_autoptr(GVariant) events = NULL;
  g_autofree char *title = NULL;
  gboolean active = FALSE, reached = FALSE;
  guint64 lim = 0, cnt = 0;

  if (p == NULL)
    return ipactl_report_error (error);
  g_variant_lookup (p, "Active", "b", &active);
  g_variant_lookup (p, "Reached", "b", &reached);
  g_variant_lookup (p, "Limit", "t", &lim);
  g_variant_lookup (p, "Counter", "t", &cnt);
  events = g_variant_lookup_value (p, "Events", G_VARIANT_TYPE ("a{sx}"));
  title = g_strdup_printf ("%s/%s", c->rule, c->limit);
  field (_("Limit:"), title);
  field (_("Active:"), yes_no (active));
  field (_("Reached:"), yes_no (reached));
  field_u64 (_("Limit value:"), lim);
  field_u64 (_("Counter:"), cnt);
  if (events != NULL && g_variant_n_children (events) > 0)
    {
      printf ("%s\n", _("Events:"));
      for (gsize i = 0; i < G_N_ELEMENTS (event_order); i++)
        {
          gint64 when;

          if (g_variant_lookup (events, event_order[i], "x", &when))
            {
              g_autofree char *date = ipactl_format_date (when);

              printf ("  %-13s %s\n", event_order[i], date);
            }
        }
    }
  return IPACTL_EXIT_OK;
}

static int
status_threshold (Ipactl *c)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ipa_dbus_threshold_path (c->rule, c->threshold);
  g_autoptr(GVariant) p = ipactl_get_all (c, path, IPA_DBUS_IFACE_THRESHOLD, &error);
  g_autofree char *title = NULL;
  const char *position = "unknown";
  gboolean active = FALSE;
  guint64 thr = 0, cnt = 0;
  gint64 from = 0, updated = 0;

  if (p == NULL)
    return ipactl_report_error (error);
  g_variant_lookup (p, "Active", "b", &active);
  g_variant_lookup (p, "Position", "&s", &position);
  g_variant_lookup (p, "Threshold", "t", &thr);
  g_variant_lookup (p, "Counter", "t", &cnt);
  g_variant_lookup (p, "From", "x", &from);
  g_variant_lookup (p, "Updated", "x", &updated);
  title = g_strdup_printf ("%s/%s", c->rule, c->threshold);
  field (_("Threshold:"), title);
  field (_("Active:"), yes_no (active));
  field (_("Position:"), position);
  field_u64 (_("Threshold:"), thr);
  field_u64 (_("Counter:"), cnt);
  field_date (_("From:"), from);
  field_date (_("Updated:"), updated);
  return IPACTL_EXIT_OK;
}

/* ---- an autorule ---- */

static int
status_autorule (Ipactl *c)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = ipa_dbus_autorule_path (c->autorule);
  g_autoptr(GVariant) p = ipactl_get_all (c, path, IPA_DBUS_IFACE_AUTORULE, &error);
  g_autoptr(GVariant) rules = NULL;
  g_autofree char *count = NULL;
  gsize n;

  if (p == NULL)
    return ipactl_report_error (error);
  rules = g_variant_lookup_value (p, "Rules", G_VARIANT_TYPE_OBJECT_PATH_ARRAY);
  n = rules != NULL ? g_variant_n_children (rules) : 0;
  field (_("Autorule:"), c->autorule);
  count = g_strdup_printf ("%" G_GSIZE_FORMAT, n);
  field (_("Dynamic rules:"), count);
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *sub = NULL;
      const char *rpath;
      const char *subtree = ipa_dbus_kind_subtree (IPA_DBUS_KIND_RULE);

      g_variant_get_child (rules, i, "&o", &rpath);
      if (g_str_has_prefix (rpath, subtree) && rpath[strlen (subtree)] == '/' &&
          ipa_dbus_parse_node (IPA_DBUS_KIND_RULE, rpath + strlen (subtree) + 1, &name, &sub))
        printf ("  %s\n", name);
      else
        printf ("  %s\n", rpath);
    }
  return IPACTL_EXIT_OK;
}

int
ipactl_cmd_status (Ipactl *c)
{
  if (c->rule != NULL && c->limit != NULL)
    return status_limit (c);
  if (c->rule != NULL && c->threshold != NULL)
    return status_threshold (c);
  if (c->rule != NULL)
    return status_rule (c);
  if (c->autorule != NULL)
    return status_autorule (c);
  return status_daemon (c);
}
