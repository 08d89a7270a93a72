/*
 * ipa-journal.c: engine events as structured journal entries.
 */
#include "config.h"

#include "ipa-journal.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipa-log.h"

typedef struct {
  const char *message_id;
  const char *event;      /* IPA_EVENT */
} KindInfo;

static const KindInfo kinds[IPA_JOURNAL_N_KINDS] = {
  [IPA_JOURNAL_LIMIT_REACHED] = { IPA_MESSAGE_LIMIT_REACHED, "limit_reached" },
  [IPA_JOURNAL_LIMIT_RESTARTED] = { IPA_MESSAGE_LIMIT_RESTARTED, "limit_restarted" },
  [IPA_JOURNAL_LIMIT_EXPIRED] = { IPA_MESSAGE_LIMIT_EXPIRED, "limit_expired" },
  [IPA_JOURNAL_SUBLIMIT_REACHED] = { IPA_MESSAGE_SUBLIMIT_REACHED, "sublimit_reached" },
  [IPA_JOURNAL_SUBLIMIT_EXPIRED] = { IPA_MESSAGE_SUBLIMIT_EXPIRED, "sublimit_expired" },
  [IPA_JOURNAL_THRESHOLD_BELOW] = { IPA_MESSAGE_THRESHOLD_BELOW, "threshold_below" },
  [IPA_JOURNAL_THRESHOLD_EQUAL] = { IPA_MESSAGE_THRESHOLD_EQUAL, "threshold_equal" },
  [IPA_JOURNAL_THRESHOLD_ABOVE] = { IPA_MESSAGE_THRESHOLD_ABOVE, "threshold_above" },
  [IPA_JOURNAL_RULE_CREATED] = { IPA_MESSAGE_RULE_CREATED, "rule_created" },
  [IPA_JOURNAL_RULE_DELETED] = { IPA_MESSAGE_RULE_DELETED, "rule_deleted" },
  [IPA_JOURNAL_RULE_ACTIVE] = { IPA_MESSAGE_RULE_ACTIVE, "rule_active" },
  [IPA_JOURNAL_RULE_INACTIVE] = { IPA_MESSAGE_RULE_INACTIVE, "rule_inactive" },
  [IPA_JOURNAL_DB_ERROR] = { IPA_MESSAGE_DB_ERROR, "db_error" },
  [IPA_JOURNAL_DB_RECOVERED] = { IPA_MESSAGE_DB_RECOVERED, "db_recovered" },
  [IPA_JOURNAL_MODULE_ERROR] = { IPA_MESSAGE_MODULE_ERROR, "module_error" },
  [IPA_JOURNAL_MODULE_STALL] = { IPA_MESSAGE_MODULE_STALL, "module_stall" },
  [IPA_JOURNAL_CONFIG_ERROR] = { IPA_MESSAGE_CONFIG_ERROR, "config_error" },
  [IPA_JOURNAL_TIME_JUMP] = { IPA_MESSAGE_TIME_JUMP, "time_jump" },
  [IPA_JOURNAL_COUNTER_CHANGED] = { IPA_MESSAGE_COUNTER_CHANGED, "counter_changed" },
  [IPA_JOURNAL_ACCOUNTING_STARTED] = { IPA_MESSAGE_ACCOUNTING_STARTED, "accounting_started" },
  [IPA_JOURNAL_ACCOUNTING_STOPPED] = { IPA_MESSAGE_ACCOUNTING_STOPPED, "accounting_stopped" },
  [IPA_JOURNAL_DAEMON_STARTED] = { IPA_MESSAGE_DAEMON_STARTED, "daemon_started" },
  [IPA_JOURNAL_DAEMON_STOPPED] = { IPA_MESSAGE_DAEMON_STOPPED, "daemon_stopped" },
  [IPA_JOURNAL_DAEMON_RELOADED] = { IPA_MESSAGE_DAEMON_RELOADED, "daemon_reloaded" },
};

const char *
ipa_journal_kind_message_id (IpaJournalKind kind)
{
  g_return_val_if_fail (kind < IPA_JOURNAL_N_KINDS, NULL);
  return kinds[kind].message_id;
}

const char *
ipa_journal_kind_event (IpaJournalKind kind)
{
  g_return_val_if_fail (kind < IPA_JOURNAL_N_KINDS, NULL);
  return kinds[kind].event;
}

gboolean
ipa_journal_kind_from_event (IpaEngineEventType type, IpaJournalKind *kind)
{
  IpaJournalKind k;

  switch (type)
    {
    case IPA_ENGINE_EVENT_MESSAGE:
    case IPA_ENGINE_EVENT_ROUND:
      return FALSE;
    case IPA_ENGINE_EVENT_STARTED: k = IPA_JOURNAL_ACCOUNTING_STARTED; break;
    case IPA_ENGINE_EVENT_STOPPED: k = IPA_JOURNAL_ACCOUNTING_STOPPED; break;
    case IPA_ENGINE_EVENT_RULE_CREATED: k = IPA_JOURNAL_RULE_CREATED; break;
    case IPA_ENGINE_EVENT_RULE_DELETED: k = IPA_JOURNAL_RULE_DELETED; break;
    case IPA_ENGINE_EVENT_RULE_ACTIVE: k = IPA_JOURNAL_RULE_ACTIVE; break;
    case IPA_ENGINE_EVENT_RULE_INACTIVE: k = IPA_JOURNAL_RULE_INACTIVE; break;
    case IPA_ENGINE_EVENT_LIMIT_RESTARTED: k = IPA_JOURNAL_LIMIT_RESTARTED; break;
    case IPA_ENGINE_EVENT_LIMIT_REACHED: k = IPA_JOURNAL_LIMIT_REACHED; break;
    case IPA_ENGINE_EVENT_LIMIT_EXPIRED: k = IPA_JOURNAL_LIMIT_EXPIRED; break;
    case IPA_ENGINE_EVENT_SUBLIMIT_REACHED: k = IPA_JOURNAL_SUBLIMIT_REACHED; break;
    case IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED: k = IPA_JOURNAL_SUBLIMIT_EXPIRED; break;
    case IPA_ENGINE_EVENT_THRESHOLD_BELOW: k = IPA_JOURNAL_THRESHOLD_BELOW; break;
    case IPA_ENGINE_EVENT_THRESHOLD_EQUAL: k = IPA_JOURNAL_THRESHOLD_EQUAL; break;
    case IPA_ENGINE_EVENT_THRESHOLD_ABOVE: k = IPA_JOURNAL_THRESHOLD_ABOVE; break;
    case IPA_ENGINE_EVENT_MODULE_ERROR: k = IPA_JOURNAL_MODULE_ERROR; break;
    case IPA_ENGINE_EVENT_MODULE_STALL: k = IPA_JOURNAL_MODULE_STALL; break;
    case IPA_ENGINE_EVENT_DB_ERROR: k = IPA_JOURNAL_DB_ERROR; break;
    case IPA_ENGINE_EVENT_DB_RECOVERED: k = IPA_JOURNAL_DB_RECOVERED; break;
    case IPA_ENGINE_EVENT_TIME_JUMP: k = IPA_JOURNAL_TIME_JUMP; break;
    case IPA_ENGINE_EVENT_COUNTER_CHANGED: k = IPA_JOURNAL_COUNTER_CHANGED; break;
    default:
      /* A type added to the engine and not yet here: logged as a message. */
      return FALSE;
    }
  *kind = k;
  return TRUE;
}

static void
journal_logv (const char *message_id,
              const char *event,
              int priority,
              const char *module,
              const char *const *fields,
              const char *format,
              va_list ap) G_GNUC_PRINTF (6, 0);

static void
journal_logv (const char *message_id,
              const char *event,
              int priority,
              const char *module,
              const char *const *fields,
              const char *format,
              va_list ap)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);

  if (message_id != NULL)
    g_ptr_array_add (all, g_strconcat (IPA_LOG_FIELD_MESSAGE_ID "=", message_id, NULL));
  if (event != NULL)
    g_ptr_array_add (all, g_strconcat (IPA_LOG_FIELD_EVENT "=", event, NULL));
  for (const char *const *f = fields; f != NULL && *f != NULL; f++)
    g_ptr_array_add (all, g_strdup (*f));
  g_ptr_array_add (all, NULL);
  ipa_log_structuredv (priority, module, (const char *const *) all->pdata, format, ap);
}

static void
journal_log (const char *message_id,
             const char *event,
             int priority,
             const char *module,
             const char *const *fields,
             const char *format,
             ...) G_GNUC_PRINTF (6, 7);

static void
journal_log (const char *message_id,
             const char *event,
             int priority,
             const char *module,
             const char *const *fields,
             const char *format,
             ...)
{
  va_list ap;

  va_start (ap, format);
  journal_logv (message_id, event, priority, module, fields, format, ap);
  va_end (ap);
}

void
ipa_journal_log (IpaJournalKind kind,
                 int priority,
                 const char *module,
                 const char *const *fields,
                 const char *format,
                 ...)
{
  va_list ap;

  g_return_if_fail (kind < IPA_JOURNAL_N_KINDS);
  va_start (ap, format);
  journal_logv (kinds[kind].message_id, kinds[kind].event, priority, module,
                fields, format, ap);
  va_end (ap);
}

/* The names an event is about. */
typedef struct {
  const char *rule;
  const char *autorule;
  const char *limit;
  const char *sublimit;
  const char *threshold;
} EventNames;

static void
event_names (const IpaEngineEvent *event, EventNames *names)
{
  const IpaRule *rule = event->rule;

  memset (names, 0, sizeof *names);
  if (rule == NULL && event->limit != NULL)
    rule = ipa_limit_get_rule (event->limit);
  if (rule == NULL && event->threshold != NULL)
    rule = ipa_threshold_get_rule (event->threshold);
  if (rule != NULL)
    {
      names->rule = ipa_rule_get_name (rule);
      names->autorule = ipa_rule_get_autorule (rule);
    }
  if (event->limit != NULL)
    names->limit = ipa_limit_get_name (event->limit);
  if (event->threshold != NULL)
    names->threshold = ipa_threshold_get_name (event->threshold);
  names->sublimit = event->sublimit;
}

/* "rule r1, limit l1: limit reached", for events without a message. */
static char *
describe (const EventNames *names, const char *module, const char *event)
{
  GString *s = g_string_new (NULL);
  g_autofree char *words = g_strdup (event != NULL ? event : "event");

  if (names->rule != NULL)
    g_string_append_printf (s, _("rule %s"), names->rule);
  if (names->limit != NULL)
    g_string_append_printf (s, _("%slimit %s"), s->len > 0 ? ", " : "", names->limit);
  if (names->sublimit != NULL)
    g_string_append_printf (s, _("%ssublimit %s"), s->len > 0 ? ", " : "", names->sublimit);
  if (names->threshold != NULL)
    g_string_append_printf (s, _("%sthreshold %s"), s->len > 0 ? ", " : "", names->threshold);
  if (module != NULL)
    g_string_append_printf (s, _("%smodule %s"), s->len > 0 ? ", " : "", module);
  g_strdelimit (words, "_", ' ');
  if (s->len > 0)
    g_string_append (s, ": ");
  g_string_append (s, words);
  return g_string_free (s, FALSE);
}

void
ipa_journal_observer (IpaEngine *engine,
                      const IpaEngineEvent *event,
                      gpointer user_data)
{
  EventNames names;
  IpaJournalKind kind;
  const char *message_id = NULL, *word = NULL;
  g_autofree char *fallback = NULL;
  g_autoptr(GPtrArray) fields = NULL;

  if (event->type == IPA_ENGINE_EVENT_ROUND)
    return;
  if (ipa_journal_kind_from_event (event->type, &kind))
    {
      message_id = kinds[kind].message_id;
      word = kinds[kind].event;
    }

  event_names (event, &names);
  fields = g_ptr_array_new_with_free_func (g_free);
  if (names.rule != NULL)
    g_ptr_array_add (fields, g_strconcat (IPA_LOG_FIELD_RULE "=", names.rule, NULL));
  if (names.autorule != NULL)
    g_ptr_array_add (fields, g_strconcat ("IPA_AUTORULE=", names.autorule, NULL));
  if (names.limit != NULL)
    g_ptr_array_add (fields, g_strconcat (IPA_LOG_FIELD_LIMIT "=", names.limit, NULL));
  if (names.sublimit != NULL)
    g_ptr_array_add (fields, g_strconcat ("IPA_SUBLIMIT=", names.sublimit, NULL));
  if (names.threshold != NULL)
    g_ptr_array_add (fields, g_strconcat (IPA_LOG_FIELD_THRESHOLD "=", names.threshold, NULL));
  g_ptr_array_add (fields, NULL);

  if (event->message == NULL)
    fallback = describe (&names, event->module, word);
  journal_log (message_id, word, event->priority, event->module,
               (const char *const *) fields->pdata, "%s",
               event->message != NULL ? event->message : fallback);
}
