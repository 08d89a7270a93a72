/*
 * test-journal.c: engine events as journal entries (src/ipa/ipa-journal.c)
 * and the journal catalog (data/ipa.catalog).
 *
 * The events are made by hand: this file provides the few engine
 * accessors the observer calls, over plain structures, so the observer is
 * tested without an engine.
 */
#include "config.h"

#include <string.h>

#include "ipa-journal.h"
#include "ipa-log.h"

/* ---- stand-ins for the engine's objects ---- */

struct _IpaRule {
  const char *name;
  const char *autorule;
};

struct _IpaLimit {
  const char *name;
  IpaRule *rule;
};

struct _IpaThreshold {
  const char *name;
  IpaRule *rule;
};

const char *
ipa_rule_get_name (const IpaRule *rule)
{
  return rule->name;
}

const char *
ipa_rule_get_autorule (const IpaRule *rule)
{
  return rule->autorule;
}

const char *
ipa_limit_get_name (const IpaLimit *limit)
{
  return limit->name;
}

IpaRule *
ipa_limit_get_rule (const IpaLimit *limit)
{
  return limit->rule;
}

const char *
ipa_threshold_get_name (const IpaThreshold *threshold)
{
  return threshold->name;
}

IpaRule *
ipa_threshold_get_rule (const IpaThreshold *threshold)
{
  return threshold->rule;
}

static IpaRule rule_r1 = { "r1", NULL };
static IpaRule rule_dyn = { "dyn7", "auto1" };
static IpaLimit limit_l1 = { "l1", &rule_r1 };
static IpaThreshold thr_t1 = { "t1", &rule_r1 };

/* ---- capture ---- */

typedef struct {
  int priority;
  char *module;
  char **fields;
  char *message;
} Record;

static void
record_free (gpointer p)
{
  Record *r = p;

  g_free (r->module);
  g_strfreev (r->fields);
  g_free (r->message);
  g_free (r);
}

static void
capture (const IpaLogRecord *record, gpointer user_data)
{
  GPtrArray *records = user_data;
  Record *r = g_new0 (Record, 1);

  r->priority = record->priority;
  r->module = g_strdup (record->module);
  r->fields = g_strdupv ((char **) record->fields);
  r->message = g_strdup (record->message);
  g_ptr_array_add (records, r);
}

/* The value of KEY in @r's fields, NULL when absent. */
static const char *
field (const Record *r, const char *key)
{
  gsize len = strlen (key);

  for (char **f = r->fields; *f != NULL; f++)
    if (strncmp (*f, key, len) == 0 && (*f)[len] == '=')
      return *f + len + 1;
  return NULL;
}

static GPtrArray *
start_capture (void)
{
  GPtrArray *records = g_ptr_array_new_with_free_func (record_free);

  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);
  ipa_log_set_max_priority (LOG_DEBUG);
  ipa_log_set_handler (capture, records);
  return records;
}

static void
stop_capture (void)
{
  ipa_log_set_handler (NULL, NULL);
  ipa_log_set_max_priority (LOG_INFO);
}

/* ---- IDs ---- */

static gboolean
is_id128 (const char *s)
{
  if (strlen (s) != 32)
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s) && !(*s >= 'a' && *s <= 'f'))
      return FALSE;
  return TRUE;
}

static void
test_ids (void)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) words = g_hash_table_new (g_str_hash, g_str_equal);

  for (IpaJournalKind k = 0; k < IPA_JOURNAL_N_KINDS; k++)
    {
      const char *id = ipa_journal_kind_message_id (k);
      const char *word = ipa_journal_kind_event (k);

      g_assert_nonnull (id);
      g_assert_nonnull (word);
      g_assert_true (is_id128 (id));
      g_assert_true (g_regex_match_simple ("^[a-z]+(_[a-z]+)*$", word, 0, 0));
      g_assert_true (g_hash_table_add (ids, (gpointer) id));
      g_assert_true (g_hash_table_add (words, (gpointer) word));
    }
}

/* ---- the catalog ---- */

typedef struct {
  char *subject;
  gboolean defined_by_ipa;
  gboolean support;
  gboolean documentation;
  GString *body;
} CatalogEntry;

static void
catalog_entry_free (gpointer p)
{
  CatalogEntry *e = p;

  g_free (e->subject);
  g_string_free (e->body, TRUE);
  g_free (e);
}

/* "-- ID" starts an entry; then header lines up to an empty line, then
 * the text.  Lines starting with '#' outside entries are comments. */
static GHashTable *
parse_catalog (const char *text)
{
  GHashTable *entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               catalog_entry_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  CatalogEntry *e = NULL;
  gboolean in_header = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "-- "))
        {
          e = g_new0 (CatalogEntry, 1);
          e->body = g_string_new (NULL);
          g_assert_true (is_id128 (line + 3));
          g_assert_false (g_hash_table_contains (entries, line + 3));
          g_hash_table_insert (entries, g_strdup (line + 3), e);
          in_header = TRUE;
          continue;
        }
      if (e == NULL)
        {
          g_assert_true (*line == '\0' || *line == '#');
          continue;
        }
      if (in_header)
        {
          if (*line == '\0')
            in_header = FALSE;
          else if (g_str_has_prefix (line, "Subject: "))
            e->subject = g_strdup (line + strlen ("Subject: "));
          else if (strcmp (line, "Defined-By: ipa") == 0)
            e->defined_by_ipa = TRUE;
          else if (g_str_has_prefix (line, "Support: "))
            e->support = TRUE;
          else if (g_str_has_prefix (line, "Documentation: "))
            e->documentation = TRUE;
          else
            g_error ("unexpected catalog header line: %s", line);
          continue;
        }
      g_string_append (e->body, line);
      g_string_append_c (e->body, '\n');
    }
  return entries;
}

/* Fields an entry may refer to with @FIELD@: those ipa sends. */
static void
check_references (const char *id, const char *text)
{
  static const char *const known[] = {
    "IPA_RULE", "IPA_LIMIT", "IPA_SUBLIMIT", "IPA_THRESHOLD", "IPA_AUTORULE",
    "IPA_MODULE", "IPA_CONF_FILE", NULL
  };
  g_autoptr(GRegex) re = g_regex_new ("@([A-Z0-9_]+)@", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_regex_match (re, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *name = g_match_info_fetch (match, 1);

      if (!g_strv_contains (known, name))
        g_error ("catalog entry %s refers to @%s@, a field ipa does not send", id, name);
      g_match_info_next (match, NULL);
    }
}

static void
test_catalog (void)
{
  const char *top = g_getenv ("IPA_TEST_TOP_SRCDIR");
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) entries = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (top == NULL)
    {
      g_test_skip ("IPA_TEST_TOP_SRCDIR is not set");
      return;
    }
  path = g_build_filename (top, "data", "ipa.catalog", NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  entries = parse_catalog (text);

  /* Every ID of ipa-journal.h has an entry… */
  for (IpaJournalKind k = 0; k < IPA_JOURNAL_N_KINDS; k++)
    {
      const char *id = ipa_journal_kind_message_id (k);
      CatalogEntry *e = g_hash_table_lookup (entries, id);

      if (e == NULL)
        g_error ("no catalog entry for %s (%s)", id, ipa_journal_kind_event (k));
      g_assert_nonnull (e->subject);
      g_assert_true (e->defined_by_ipa);
      g_assert_true (e->support);
      g_assert_cmpuint (strlen (g_strstrip (e->body->str)), >, 40);
      check_references (id, e->subject);
      check_references (id, e->body->str);
    }
  /* …and the catalog has no entry for an ID ipa does not send. */
  g_hash_table_iter_init (&iter, entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gboolean found = FALSE;

      for (IpaJournalKind k = 0; k < IPA_JOURNAL_N_KINDS; k++)
        found |= strcmp (key, ipa_journal_kind_message_id (k)) == 0;
      if (!found)
        g_error ("catalog entry %s has no MESSAGE_ID in ipa-journal.h", (const char *) key);
    }
}

/* ---- events ---- */

typedef struct {
  IpaEngineEventType type;
  IpaJournalKind kind;
  const IpaRule *rule;
  const IpaLimit *limit;
  const IpaThreshold *threshold;
  const char *sublimit;
  const char *module;
} EventCase;

static void
test_events (void)
{
  static const EventCase cases[] = {
    { IPA_ENGINE_EVENT_STARTED, IPA_JOURNAL_ACCOUNTING_STARTED },
    { IPA_ENGINE_EVENT_STOPPED, IPA_JOURNAL_ACCOUNTING_STOPPED },
    { IPA_ENGINE_EVENT_RULE_CREATED, IPA_JOURNAL_RULE_CREATED, &rule_dyn },
    { IPA_ENGINE_EVENT_RULE_DELETED, IPA_JOURNAL_RULE_DELETED, &rule_dyn },
    { IPA_ENGINE_EVENT_RULE_ACTIVE, IPA_JOURNAL_RULE_ACTIVE, &rule_r1 },
    { IPA_ENGINE_EVENT_RULE_INACTIVE, IPA_JOURNAL_RULE_INACTIVE, &rule_r1 },
    { IPA_ENGINE_EVENT_LIMIT_RESTARTED, IPA_JOURNAL_LIMIT_RESTARTED, &rule_r1, &limit_l1 },
    { IPA_ENGINE_EVENT_LIMIT_REACHED, IPA_JOURNAL_LIMIT_REACHED, &rule_r1, &limit_l1 },
    { IPA_ENGINE_EVENT_LIMIT_EXPIRED, IPA_JOURNAL_LIMIT_EXPIRED, &rule_r1, &limit_l1 },
    { IPA_ENGINE_EVENT_SUBLIMIT_REACHED, IPA_JOURNAL_SUBLIMIT_REACHED, &rule_r1, &limit_l1,
      NULL, "90%" },
    { IPA_ENGINE_EVENT_SUBLIMIT_EXPIRED, IPA_JOURNAL_SUBLIMIT_EXPIRED, &rule_r1, &limit_l1,
      NULL, "1G 512M" },
    { IPA_ENGINE_EVENT_THRESHOLD_BELOW, IPA_JOURNAL_THRESHOLD_BELOW, &rule_r1, NULL, &thr_t1 },
    { IPA_ENGINE_EVENT_THRESHOLD_EQUAL, IPA_JOURNAL_THRESHOLD_EQUAL, &rule_r1, NULL, &thr_t1 },
    { IPA_ENGINE_EVENT_THRESHOLD_ABOVE, IPA_JOURNAL_THRESHOLD_ABOVE, &rule_r1, NULL, &thr_t1 },
    { IPA_ENGINE_EVENT_MODULE_ERROR, IPA_JOURNAL_MODULE_ERROR, &rule_r1, NULL, NULL, NULL,
      "ac:atest" },
    { IPA_ENGINE_EVENT_MODULE_STALL, IPA_JOURNAL_MODULE_STALL, NULL, NULL, NULL, NULL,
      "ac:atest" },
    { IPA_ENGINE_EVENT_DB_ERROR, IPA_JOURNAL_DB_ERROR, &rule_r1, NULL, NULL, NULL, "db:memory" },
    { IPA_ENGINE_EVENT_DB_RECOVERED, IPA_JOURNAL_DB_RECOVERED, NULL, NULL, NULL, NULL,
      "db:memory" },
    { IPA_ENGINE_EVENT_TIME_JUMP, IPA_JOURNAL_TIME_JUMP },
    /* The rule comes from the limit (or threshold) when not given. */
    { IPA_ENGINE_EVENT_COUNTER_CHANGED, IPA_JOURNAL_COUNTER_CHANGED, NULL, &limit_l1 },
    { IPA_ENGINE_EVENT_COUNTER_CHANGED, IPA_JOURNAL_COUNTER_CHANGED, NULL, NULL, &thr_t1 },
  };
  g_autoptr(GPtrArray) records = start_capture ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const EventCase *c = &cases[i];
      IpaEngineEvent ev = { c->type, LOG_NOTICE, 1700000000, c->rule, c->limit, c->threshold,
                            c->sublimit, c->module, "the message text" };
      const IpaRule *rule = c->rule != NULL ? c->rule
                            : c->limit != NULL ? c->limit->rule
                            : c->threshold != NULL ? c->threshold->rule : NULL;
      IpaJournalKind kind;
      Record *r;

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, ipa_journal_kind_event (c->kind));
      g_assert_true (ipa_journal_kind_from_event (c->type, &kind));
      g_assert_cmpint (kind, ==, c->kind);
      ipa_journal_observer (NULL, &ev, NULL);
      g_assert_cmpuint (records->len, ==, 1);
      r = records->pdata[0];
      g_assert_cmpint (r->priority, ==, LOG_NOTICE);
      g_assert_cmpstr (r->message, ==, "the message text");
      g_assert_cmpstr (r->module, ==, c->module);
      g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, ipa_journal_kind_message_id (c->kind));
      g_assert_cmpstr (field (r, "IPA_EVENT"), ==, ipa_journal_kind_event (c->kind));
      g_assert_cmpstr (field (r, "IPA_RULE"), ==, rule != NULL ? rule->name : NULL);
      g_assert_cmpstr (field (r, "IPA_AUTORULE"), ==, rule != NULL ? rule->autorule : NULL);
      g_assert_cmpstr (field (r, "IPA_LIMIT"), ==, c->limit != NULL ? c->limit->name : NULL);
      g_assert_cmpstr (field (r, "IPA_SUBLIMIT"), ==, c->sublimit);
      g_assert_cmpstr (field (r, "IPA_THRESHOLD"), ==,
                       c->threshold != NULL ? c->threshold->name : NULL);
      g_ptr_array_set_size (records, 0);
    }
  stop_capture ();
}

static void
test_round_not_logged (void)
{
  g_autoptr(GPtrArray) records = start_capture ();
  IpaEngineEvent ev = { IPA_ENGINE_EVENT_ROUND, LOG_DEBUG, 1, NULL, NULL, NULL, NULL, NULL,
                        "round done" };
  IpaJournalKind kind;

  g_assert_false (ipa_journal_kind_from_event (IPA_ENGINE_EVENT_ROUND, &kind));
  ipa_journal_observer (NULL, &ev, NULL);
  g_assert_cmpuint (records->len, ==, 0);
  stop_capture ();
}

/* Free-form messages keep their object fields, without MESSAGE_ID. */
static void
test_message_without_id (void)
{
  g_autoptr(GPtrArray) records = start_capture ();
  IpaEngineEvent ev = { IPA_ENGINE_EVENT_MESSAGE, LOG_WARNING, 1, &rule_r1, &limit_l1, NULL,
                        NULL, NULL, "something odd" };
  IpaJournalKind kind;
  Record *r;

  g_assert_false (ipa_journal_kind_from_event (IPA_ENGINE_EVENT_MESSAGE, &kind));
  ipa_journal_observer (NULL, &ev, NULL);
  g_assert_cmpuint (records->len, ==, 1);
  r = records->pdata[0];
  g_assert_cmpint (r->priority, ==, LOG_WARNING);
  g_assert_cmpstr (r->message, ==, "something odd");
  g_assert_null (field (r, "MESSAGE_ID"));
  g_assert_null (field (r, "IPA_EVENT"));
  g_assert_cmpstr (field (r, "IPA_RULE"), ==, "r1");
  g_assert_cmpstr (field (r, "IPA_LIMIT"), ==, "l1");
  stop_capture ();
}

/* An event without text still says what happened to what. */
static void
test_fallback_text (void)
{
  g_autoptr(GPtrArray) records = start_capture ();
  IpaEngineEvent ev = { IPA_ENGINE_EVENT_SUBLIMIT_REACHED, LOG_INFO, 1, &rule_r1, &limit_l1,
                        NULL, "90%", NULL, NULL };
  IpaEngineEvent mod = { IPA_ENGINE_EVENT_MODULE_STALL, LOG_WARNING, 1, NULL, NULL, NULL,
                         NULL, "ac:atest", NULL };

  ipa_journal_observer (NULL, &ev, NULL);
  ipa_journal_observer (NULL, &mod, NULL);
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpstr (((Record *) records->pdata[0])->message, ==,
                   "rule r1, limit l1, sublimit 90%: sublimit reached");
  g_assert_cmpstr (((Record *) records->pdata[1])->message, ==,
                   "module ac:atest: module stall");
  stop_capture ();
}

/* Daemon-level entries. */
static void
test_daemon_kinds (void)
{
  g_autoptr(GPtrArray) records = start_capture ();
  const char *fields[] = { "IPA_CONF_FILE=/etc/ipa/ipa.conf", NULL };
  Record *r;

  ipa_journal_log (IPA_JOURNAL_CONFIG_ERROR, LOG_ERR, NULL, fields,
                   "%s:%u:%u: %s", "/etc/ipa/ipa.conf", 3, 5, "bad thing");
  ipa_journal_log (IPA_JOURNAL_DAEMON_STARTED, LOG_INFO, NULL, NULL, "started");
  g_assert_cmpuint (records->len, ==, 2);
  r = records->pdata[0];
  g_assert_cmpint (r->priority, ==, LOG_ERR);
  g_assert_cmpstr (r->message, ==, "/etc/ipa/ipa.conf:3:5: bad thing");
  g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, IPA_MESSAGE_CONFIG_ERROR);
  g_assert_cmpstr (field (r, "IPA_EVENT"), ==, "config_error");
  g_assert_cmpstr (field (r, "IPA_CONF_FILE"), ==, "/etc/ipa/ipa.conf");
  r = records->pdata[1];
  g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, IPA_MESSAGE_DAEMON_STARTED);
  g_assert_cmpstr (field (r, "IPA_EVENT"), ==, "daemon_started");
  stop_capture ();
}

/* What reaches the journal socket, through ipa-log. */
static GPtrArray *sent; /* GStrv per entry */

static int
fake_sendv (const struct iovec *iov, int n)
{
  GStrvBuilder *b = g_strv_builder_new ();

  for (int i = 0; i < n; i++)
    {
      g_autofree char *s = g_strndup (iov[i].iov_base, iov[i].iov_len);

      g_strv_builder_add (b, s);
    }
  g_ptr_array_add (sent, g_strv_builder_end (b));
  g_strv_builder_unref (b);
  return 0;
}

static void
test_wire (void)
{
  IpaEngineEvent ev = { IPA_ENGINE_EVENT_LIMIT_REACHED, LOG_NOTICE, 1, &rule_r1, &limit_l1,
                        NULL, NULL, NULL, "limit r1/l1 reached" };
  g_autofree char *id = g_strconcat ("MESSAGE_ID=", IPA_MESSAGE_LIMIT_REACHED, NULL);
  const char *const expected[] = {
    "PRIORITY=5", "SYSLOG_IDENTIFIER=ipa-x", "MESSAGE=limit r1/l1 reached", id,
    "IPA_EVENT=limit_reached", "IPA_RULE=r1", "IPA_LIMIT=l1", NULL
  };

  sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  ipa_log_init ("ipa-x", IPA_LOG_TARGET_JOURNAL);
  ipa_log_set_journal_sendv (fake_sendv);
  ipa_journal_observer (NULL, &ev, NULL);
  ipa_log_set_journal_sendv (NULL);
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_true (g_strv_equal ((const char *const *) sent->pdata[0], expected));
  g_clear_pointer (&sent, g_ptr_array_unref);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/journal/ids", test_ids);
  g_test_add_func ("/journal/catalog", test_catalog);
  g_test_add_func ("/journal/events", test_events);
  g_test_add_func ("/journal/round-not-logged", test_round_not_logged);
  g_test_add_func ("/journal/message-without-id", test_message_without_id);
  g_test_add_func ("/journal/fallback-text", test_fallback_text);
  g_test_add_func ("/journal/daemon-kinds", test_daemon_kinds);
  g_test_add_func ("/journal/wire", test_wire);

  return g_test_run ();
}
