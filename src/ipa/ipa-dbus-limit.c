/*
 * ipa-dbus-limit.c: org.ipasystem.Ipa1.Limit, and the limit entries of
 * the rule entries.
 */
#include "config.h"

#include "ipa-dbus-private.h"

#include <glib/gi18n.h>
#include <string.h>
#include <time.h>

/* Names of the event dates, by IPA_LIMIT_EVENT_*. */
static const char *const event_names[IPA_LIMIT_EVENT_NUM] = {
  [IPA_LIMIT_EVENT_START] = "start",
  [IPA_LIMIT_EVENT_RESTART] = "restart",
  [IPA_LIMIT_EVENT_RESTART_EXEC] = "restart-exec",
  [IPA_LIMIT_EVENT_REACH] = "reach",
  [IPA_LIMIT_EVENT_REACH_EXEC] = "reach-exec",
  [IPA_LIMIT_EVENT_EXPIRE] = "expire",
  [IPA_LIMIT_EVENT_EXPIRE_EXEC] = "expire-exec",
  [IPA_LIMIT_EVENT_UPDATED] = "updated",
};

/* The UTC offset at @t (seconds east of Greenwich). */
static long
offset_at (time_t t)
{
  struct tm lt;

  localtime_r (&t, &lt);
  return lt.tm_gmtoff;
}

gint64
ipa_dbus_tm_to_wall (const ipa_tm *tm)
{
  struct tm local = { 0 };
  time_t as_utc, t;

  /* ipa_tm of ipa_mod(3): full year, months 1..12, no DST flag. */
  if (tm->tm_year == 0 && tm->tm_mon == 0 && tm->tm_mday == 0)
    return 0;
  local.tm_year = tm->tm_year - 1900;
  local.tm_mon = tm->tm_mon - 1;
  local.tm_mday = tm->tm_mday;
  local.tm_hour = tm->tm_hour;
  local.tm_min = tm->tm_min;
  local.tm_sec = tm->tm_sec;
  /* Not mktime(): it looks at the time zone file again at every call
   * (without TZ set, a stat() each), which made ListRules of 10,000 rules
   * twice as slow.  timegm() and localtime_r() do not.  The offset is
   * taken at the instant found with the offset of the first guess; in
   * the hour a DST change repeats, that picks one of the two instants. */
  as_utc = timegm (&local);
  t = as_utc - offset_at (as_utc);
  t = as_utc - offset_at (t);
  return (gint64) t;
}

static GVariant *
events_of (const struct ipa_limit_state *state)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sx}"));
  for (guint i = 0; i < IPA_LIMIT_EVENT_NUM; i++)
    if (state->event_date_set & (1U << i))
      g_variant_builder_add (&b, "{sx}", event_names[i],
                             ipa_dbus_tm_to_wall (&state->event_date[i]));
  return g_variant_builder_end (&b);
}

GVariant *
ipa_dbus_limit_events (IpaLimit *limit)
{
  struct ipa_limit_state state;

  ipa_limit_get_state (limit, &state);
  return events_of (&state);
}

GVariant *
ipa_dbus_limit_entry (IpaLimit *limit)
{
  struct ipa_limit_state state;

  ipa_limit_get_state (limit, &state);
  return g_variant_new ("(sbbtt@a{sx})",
                        ipa_limit_get_name (limit),
                        ipa_limit_is_active (limit),
                        ipa_limit_is_reached (limit),
                        (guint64) state.lim, (guint64) state.cnt,
                        events_of (&state));
}

static GVariant *
limit_get_property (IpaDbusService *s, const IpaDbusTarget *t, const char *name)
{
  IpaLimit *limit = t->limit;
  struct ipa_limit_state state;
  GVariant *v;

  if (strcmp (name, "Name") == 0)
    return g_variant_new_string (ipa_limit_get_name (limit));
  if ((v = ipa_dbus_sub_rule_property (t, name)) != NULL)
    return v;
  if (strcmp (name, "Active") == 0)
    return g_variant_new_boolean (ipa_limit_is_active (limit));
  if (strcmp (name, "Reached") == 0)
    return g_variant_new_boolean (ipa_limit_is_reached (limit));
  if (strcmp (name, "Events") == 0)
    return ipa_dbus_limit_events (limit);
  ipa_limit_get_state (limit, &state);
  if (strcmp (name, "Limit") == 0)
    return g_variant_new_uint64 (state.lim);
  if (strcmp (name, "Counter") == 0)
    return g_variant_new_uint64 (state.cnt);
  return NULL;
}

/* Set(s what, s op, t value): "limit" or "counter". */
static gboolean
limit_set (IpaDbusCall *call, GVariant *params, GError **error)
{
  IpaDbusService *s = call->service;
  GError *engine_error = NULL;
  const char *what, *op_text;
  IpaEngineSetOp op;
  guint64 value;
  gboolean counter, ok;

  g_variant_get (params, "(&s&st)", &what, &op_text, &value);
  if (strcmp (what, "limit") == 0)
    counter = FALSE;
  else if (strcmp (what, "counter") == 0)
    counter = TRUE;
  else
    {
      g_autofree char *shown = ipa_dbus_shorten (what);

      g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_INVALID_VALUE,
                   _("cannot set \"%s\" of a limit: use \"limit\" or \"counter\""), shown);
      return FALSE;
    }
  if (!ipa_dbus_parse_op (op_text, &op, error))
    return FALSE;
  ok = ipa_engine_limit_set (s->engine, call->target.limit, counter, op, value, &engine_error);
  return ipa_dbus_engine_changed (call, ok, engine_error, error);
}

static gboolean
limit_restart (IpaDbusCall *call, GVariant *params, GError **error)
{
  GError *engine_error = NULL;
  gboolean ok = ipa_engine_limit_restart (call->service->engine, call->target.limit, &engine_error);

  return ipa_dbus_engine_changed (call, ok, engine_error, error);
}

static gboolean
limit_expire (IpaDbusCall *call, GVariant *params, GError **error)
{
  GError *engine_error = NULL;
  gboolean ok = ipa_engine_limit_expire (call->service->engine, call->target.limit, &engine_error);

  return ipa_dbus_engine_changed (call, ok, engine_error, error);
}

static const IpaDbusMethod limit_methods[] = {
  { "Set", IPA_DBUS_ACCESS_RULE, IPA_DBUS_TARGET_PATH, 0, limit_set },
  { "Restart", IPA_DBUS_ACCESS_RULE, IPA_DBUS_TARGET_PATH, 0, limit_restart },
  { "Expire", IPA_DBUS_ACCESS_RULE, IPA_DBUS_TARGET_PATH, 0, limit_expire },
};

const IpaDbusInterface ipa_dbus_limit_interface = {
  .kind = IPA_DBUS_KIND_LIMIT,
  .name = IPA_DBUS_IFACE_LIMIT,
  .methods = limit_methods,
  .n_methods = G_N_ELEMENTS (limit_methods),
  .get_property = limit_get_property,
};
