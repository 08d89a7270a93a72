/*
 * ipastat-live-dbus.c: live values from the running ipa over D-Bus (see
 * ipastat-live-dbus.h).  The rule entries of Manager.ListRules are kept
 * as they came (GVariants) and looked up by rule name.
 */
#include "config.h"

#include "ipastat-live-dbus.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>
#include <time.h>

#include "ipa-dbus-error.h"
#include "ipa-dbus-names.h"

/* One rule of ListRules. */
#define RULE_TYPE "(sssbbttxa(sbbtta{sx})a(sbsttxx))"

/* A reply may be large (every rule of the daemon) but must not hang
 * ipastat when ipa is stuck: then the database answers. */
#define CALL_TIMEOUT_MS 10000
/* The page size after a TooLarge reply: ~125 bytes a rule, far below
 * the bus's 128 MiB message limit even with many limits each. */
#define PAGE_RULES 4096

typedef struct {
  IpastatLive iface;           /* first: the callbacks get it */
  char *address;               /* NULL: the system bus */
  gboolean fetched;            /* tried already (whatever the outcome) */
  gboolean ok;                 /* and got the rules */
  gint64 fetch_time;           /* wall clock of the reply, seconds */
  GPtrArray *replies;          /* GVariant* "a(RULE)", owned */
  GHashTable *rules;           /* name -> GVariant* RULE (in replies) */
} LiveDbus;

/* The limit event dates of ListRules, by IPA_LIMIT_EVENT_*: the names the
 * daemon uses (src/ipa/ipa-dbus-limit.c; the interface documents them). */
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

/* Seconds since the epoch (0: not set) to the local ipa_tm of ipa_mod(3):
 * full year, months 1..12; all zero when not set. */
static void
wall_to_tm (gint64 wall, ipa_tm *tm)
{
  time_t t = (time_t) wall;

  memset (tm, 0, sizeof *tm);
  if (wall == 0 || localtime_r (&t, tm) == NULL)
    {
      memset (tm, 0, sizeof *tm);
      return;
    }
  tm->tm_year += 1900;
  tm->tm_mon += 1;
}

static GDBusConnection *
connect_bus (LiveDbus *l, GError **error)
{
  GDBusConnection *bus;

  if (l->address == NULL)
    bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  else
    bus = g_dbus_connection_new_for_address_sync (l->address,
                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                  NULL, NULL, error);
  if (bus == NULL)
    {
      g_prefix_error (error, _("cannot connect to the bus %s: "),
                      l->address != NULL ? l->address : _("(system bus)"));
      return NULL;
    }
  /* The shared system bus connection would exit() when it closes. */
  g_dbus_connection_set_exit_on_close (bus, FALSE);
  return bus;
}

/* ListRules from @first, at most @count rules (0: all).  NULL with
 * *error when the daemon refused or is not there. */
static GVariant *
list_rules (LiveDbus *l, GDBusConnection *bus, guint32 first, guint32 count,
            guint32 *next, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  GVariant *rules;

  reply = g_dbus_connection_call_sync (bus, IPA_DBUS_NAME, IPA_DBUS_PATH,
                                       IPA_DBUS_IFACE_MANAGER, "ListRules",
                                       g_variant_new ("(uu)", first, count),
                                       G_VARIANT_TYPE ("(a" RULE_TYPE "u)"),
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                       CALL_TIMEOUT_MS, NULL, error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(@a" RULE_TYPE "u)", &rules, next);
  return rules;
}

static void
index_reply (LiveDbus *l, GVariant *rules)
{
  gsize n = g_variant_n_children (rules);

  g_ptr_array_add (l->replies, rules);
  for (gsize i = 0; i < n; i++)
    {
      GVariant *rule = g_variant_get_child_value (rules, i);
      const char *name = NULL;

      g_variant_get_child (rule, 0, "&s", &name);
      /* The key lives in the child, which the table owns. */
      g_hash_table_replace (l->rules, (gpointer) name, rule);
    }
}

static gboolean
fetch (LiveDbus *l, GError **error)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) local = NULL;
  guint32 first = 0, next = 0, count = 0;
  GVariant *rules;

  bus = connect_bus (l, error);
  if (bus == NULL)
    return FALSE;
  /* All at once; in pages only when the daemon says that is too large. */
  rules = list_rules (l, bus, 0, 0, &next, &local);
  if (rules == NULL && g_error_matches (local, IPA_DBUS_ERROR, IPA_DBUS_ERROR_TOO_LARGE))
    {
      g_clear_error (&local);
      count = PAGE_RULES;
      rules = list_rules (l, bus, 0, count, &next, &local);
    }
  for (;;)
    {
      if (rules == NULL)
        {
          g_dbus_error_strip_remote_error (local);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      index_reply (l, rules);
      /* next is 0 after the last rule; a position that does not move
       * would loop for ever with a broken daemon. */
      if (count == 0 || next == 0 || next <= first)
        break;
      first = next;
      rules = list_rules (l, bus, first, count, &next, &local);
    }
  l->fetch_time = g_get_real_time () / G_USEC_PER_SEC;
  return TRUE;
}

gboolean
ipastat_live_dbus_fetch (IpastatLive *live, GError **error)
{
  LiveDbus *l = (LiveDbus *) live;
  g_autoptr(GError) local = NULL;

  if (l->fetched)
    {
      if (!l->ok)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("the values of ipa could not be read"));
      return l->ok;
    }
  l->fetched = TRUE;
  l->ok = fetch (l, &local);
  if (!l->ok)
    {
      g_debug ("no live values from ipa: %s", local->message);
      g_propagate_error (error, g_steal_pointer (&local));
    }
  return l->ok;
}

/* The ListRules entry of @rule, fetching on first use; NULL: none. */
static GVariant *
lookup_rule (const IpastatLive *live, const char *rule)
{
  LiveDbus *l = (LiveDbus *) live;

  if (!ipastat_live_dbus_fetch (&l->iface, NULL))
    return NULL;
  return g_hash_table_lookup (l->rules, rule);
}

/* The entry named @name in child @index (limits 8, thresholds 9) of a
 * rule entry; NULL: none. */
static GVariant *
lookup_child (GVariant *rule, gsize index, const char *name)
{
  g_autoptr(GVariant) list = g_variant_get_child_value (rule, index);
  gsize n = g_variant_n_children (list);

  for (gsize i = 0; i < n; i++)
    {
      GVariant *e = g_variant_get_child_value (list, i);
      const char *ename = NULL;

      g_variant_get_child (e, 0, "&s", &ename);
      if (strcmp (ename, name) == 0)
        return e;
      g_variant_unref (e);
    }
  return NULL;
}

static gboolean
live_limit_state (const IpastatLive *live, const char *rule, const char *limit,
                  struct ipa_limit_state *state)
{
  GVariant *r = lookup_rule (live, rule);
  g_autoptr(GVariant) e = NULL;
  g_autoptr(GVariantIter) events = NULL;
  const char *event;
  gint64 date;
  gboolean active, reached;
  guint64 lim, cnt;

  if (r == NULL || (e = lookup_child (r, 8, limit)) == NULL)
    return FALSE;
  g_variant_get (e, "(&sbbtta{sx})", NULL, &active, &reached, &lim, &cnt, &events);
  memset (state, 0, sizeof *state);
  state->lim = lim;
  state->cnt = cnt;
  while (g_variant_iter_next (events, "{&sx}", &event, &date))
    for (guint i = 0; i < IPA_LIMIT_EVENT_NUM; i++)
      if (strcmp (event, event_names[i]) == 0 && date != 0)
        {
          state->event_date_set |= 1U << i;
          wall_to_tm (date, &state->event_date[i]);
        }
  return TRUE;
}

static gboolean
live_threshold_state (const IpastatLive *live, const char *rule,
                      const char *threshold, struct ipa_threshold_state *state)
{
  GVariant *r = lookup_rule (live, rule);
  g_autoptr(GVariant) e = NULL;
  gboolean active;
  guint64 thr, cnt;
  gint64 from, updated;

  if (r == NULL || (e = lookup_child (r, 9, threshold)) == NULL)
    return FALSE;
  g_variant_get (e, "(&sb&sttxx)", NULL, &active, NULL, &thr, &cnt, &from, &updated);
  memset (state, 0, sizeof *state);
  state->thr = thr;
  state->cnt = cnt;
  wall_to_tm (from, &state->tm_from);
  wall_to_tm (updated, &state->tm_updated);
  return TRUE;
}

static gboolean
live_rule_record (const IpastatLive *live, const char *rule,
                  struct ipa_rule_stat *record)
{
  const LiveDbus *l = (const LiveDbus *) live;
  GVariant *r = lookup_rule (live, rule);
  guint64 cnt;
  gint64 start;
  ipa_tm tm_start, tm_end;

  if (r == NULL)
    return FALSE;
  g_variant_get_child (r, 5, "t", &cnt);
  g_variant_get_child (r, 7, "x", &start);
  if (start == 0)
    return FALSE;  /* no record started yet (an inactive rule) */
  wall_to_tm (start, &tm_start);
  wall_to_tm (MAX (l->fetch_time, start), &tm_end);
  memset (record, 0, sizeof *record);
  record->year = (unsigned int) tm_start.tm_year;
  record->mon = (unsigned char) tm_start.tm_mon;
  record->mday = (unsigned char) tm_start.tm_mday;
  record->h1 = (unsigned char) tm_start.tm_hour;
  record->m1 = (unsigned char) tm_start.tm_min;
  record->s1 = (unsigned char) tm_start.tm_sec;
  /* A record is one day's: past midnight the daemon starts a new one at
   * its next round, until then this one ends with its day. */
  if (tm_end.tm_year != tm_start.tm_year || tm_end.tm_mon != tm_start.tm_mon ||
      tm_end.tm_mday != tm_start.tm_mday)
    {
      tm_end.tm_hour = 23;
      tm_end.tm_min = 59;
      tm_end.tm_sec = 59;
    }
  record->h2 = (unsigned char) tm_end.tm_hour;
  record->m2 = (unsigned char) tm_end.tm_min;
  record->s2 = (unsigned char) tm_end.tm_sec;
  record->cnt = cnt;
  return TRUE;
}

IpastatLive *
ipastat_live_dbus_new (const char *address)
{
  LiveDbus *l = g_new0 (LiveDbus, 1);

  l->iface.limit_state = live_limit_state;
  l->iface.threshold_state = live_threshold_state;
  l->iface.rule_record = live_rule_record;
  l->iface.user_data = l;
  l->address = g_strdup (address);
  l->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  l->rules = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                    (GDestroyNotify) g_variant_unref);
  /* Remote errors of ipa become IPA_DBUS_ERROR codes (TooLarge). */
  (void) ipa_dbus_error_quark ();
  return &l->iface;
}

void
ipastat_live_dbus_free (IpastatLive *live)
{
  LiveDbus *l = (LiveDbus *) live;

  if (l == NULL)
    return;
  /* The table's values point into the replies: it goes first. */
  g_hash_table_unref (l->rules);
  g_ptr_array_unref (l->replies);
  g_free (l->address);
  g_free (l);
}
