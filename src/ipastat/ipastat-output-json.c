/*
 * ipastat-output-json.c: the JSON document (format_version 1).
 *
 * {
 *   "format_version": 1,
 *   "results": [ one object per block, with "type":
 *     "rule_statistics"  system, rule, rule_info, value_units,
 *                        interval {from, to}, exact, records [{date, from,
 *                        to, counter}], total
 *     "limit"            system, rule, rule_info, limit, limit_info,
 *                        value_units, source ("database" or "daemon"),
 *                        current, interval (null when current), states
 *                        [{limit, counter, events {start … updated}}]
 *     "threshold"        system, rule, rule_info, threshold,
 *                        threshold_info, value_units, source, state (null,
 *                        or {threshold, counter, from, updated})
 *     "rules_list"       system, rules [{name, info}]
 *     "rule_entities"    system, rule, rule_info, limits, thresholds
 *                        ([{name, info}], or null when not asked for)
 *   ]
 * }
 * Counters are JSON integers (exact, up to 2^64 - 1; a total may be
 * larger); dates are ISO 8601 local time strings; a missing description
 * or unset event date is null.  Keys may be added in a later version with
 * the same format_version; anything else raises it.
 */
#include "config.h"

#include "ipastat-output.h"

typedef struct {
  GString *out;
  guint depth;
  gboolean first;   /* no member written yet at this depth */
} Json;

static void
newline (Json *j)
{
  g_string_append_c (j->out, '\n');
  for (guint i = 0; i < j->depth; i++)
    g_string_append (j->out, "  ");
}

static void
string (GString *out, const char *s)
{
  g_autofree char *valid = g_utf8_make_valid (s, -1);

  g_string_append_c (out, '"');
  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

/* Start a member ("key": …) or, with @key NULL, an array element. */
static void
member (Json *j, const char *key)
{
  if (!j->first)
    g_string_append_c (j->out, ',');
  j->first = FALSE;
  newline (j);
  if (key != NULL)
    {
      string (j->out, key);
      g_string_append (j->out, ": ");
    }
}

static void
json_open (Json *j, const char *key, char bracket)
{
  member (j, key);
  g_string_append_c (j->out, bracket);
  j->depth++;
  j->first = TRUE;
}

static void
json_close (Json *j, char bracket)
{
  gboolean empty = j->first;

  j->depth--;
  if (!empty)
    newline (j);
  g_string_append_c (j->out, bracket);
  j->first = FALSE;
}

static void
m_string (Json *j, const char *key, const char *value)
{
  member (j, key);
  if (value == NULL)
    g_string_append (j->out, "null");
  else
    string (j->out, value);
}

static void
m_u64 (Json *j, const char *key, guint64 v)
{
  member (j, key);
  g_string_append_printf (j->out, "%" G_GUINT64_FORMAT, v);
}

static void
m_bool (Json *j, const char *key, gboolean v)
{
  member (j, key);
  g_string_append (j->out, v ? "true" : "false");
}

static void
m_null (Json *j, const char *key)
{
  member (j, key);
  g_string_append (j->out, "null");
}

static void
m_tm (Json *j, const char *key, const ipa_tm *tm)
{
  g_autoptr(GString) s = g_string_new (NULL);

  ipastat_tm_format_iso (s, tm);
  m_string (j, key, s->str);
}

static void
m_interval (Json *j, const IpastatInterval *iv)
{
  json_open (j, "interval", '{');
  m_tm (j, "from", &iv->from);
  m_tm (j, "to", &iv->to);
  json_close (j, '}');
}

static void
m_descs (Json *j, const char *key, const GArray *list)
{
  if (list == NULL)
    {
      m_null (j, key);
      return;
    }
  json_open (j, key, '[');
  for (guint i = 0; i < list->len; i++)
    {
      const IpastatDesc *d = &g_array_index (list, IpastatDesc, i);

      json_open (j, NULL, '{');
      m_string (j, "name", d->name);
      m_string (j, "info", d->info);
      json_close (j, '}');
    }
  json_close (j, ']');
}

static void
common (Json *j, const IpastatBlock *b, const char *type)
{
  m_string (j, "type", type);
  m_string (j, "system", b->system);
  if (b->rule == NULL)
    return;
  m_string (j, "rule", b->rule);
  m_string (j, "rule_info", b->rule_info);
}

static void
rule_stat (Json *j, const IpastatBlock *b)
{
  IpastatSum total = ipastat_block_total (b);
  g_autoptr(GString) total_text = g_string_new (NULL);

  common (j, b, "rule_statistics");
  m_string (j, "value_units", ipastat_units_to_string (b->units));
  m_interval (j, &b->interval);
  m_bool (j, "exact", b->exact);
  json_open (j, "records", '[');
  for (guint i = 0; i < b->records->len; i++)
    {
      const struct ipa_rule_stat *r = &g_array_index (b->records, struct ipa_rule_stat, i);
      g_autofree char *date = g_strdup_printf ("%04u-%02u-%02u", r->year, r->mon, r->mday);
      g_autofree char *from = g_strdup_printf ("%02u:%02u:%02u", r->h1, r->m1, r->s1);
      g_autofree char *to = g_strdup_printf ("%02u:%02u:%02u", r->h2, r->m2, r->s2);

      json_open (j, NULL, '{');
      m_string (j, "date", date);
      m_string (j, "from", from);
      m_string (j, "to", to);
      m_u64 (j, "counter", r->cnt);
      /* The daemon's current record is the newest (ipastat-run.c); the
       * member appears only then, so outputs without ipa stay as they were.
       * "daemon", as for limit and threshold states. */
      if (b->from_daemon && i + 1 == b->records->len)
        m_string (j, "source", "daemon");
      json_close (j, '}');
    }
  json_close (j, ']');
  ipastat_sum_format (total_text, &total);
  member (j, "total");
  g_string_append (j->out, total_text->str);
}

static void
entity_common (Json *j, const IpastatBlock *b, const char *type)
{
  g_autofree char *info_key = g_strconcat (type, "_info", NULL);

  common (j, b, type);
  m_string (j, type, b->name);
  m_string (j, info_key, b->info);
  m_string (j, "value_units", ipastat_units_to_string (b->units));
  m_string (j, "source", b->from_daemon ? "daemon" : "database");
}

static void
limit_block (Json *j, const IpastatBlock *b)
{
  entity_common (j, b, "limit");
  m_bool (j, "current", b->current);
  if (b->current)
    m_null (j, "interval");
  else
    m_interval (j, &b->interval);
  json_open (j, "states", '[');
  for (guint i = 0; i < b->states->len; i++)
    {
      const struct ipa_limit_state *s = &g_array_index (b->states, struct ipa_limit_state, i);

      json_open (j, NULL, '{');
      m_u64 (j, "limit", s->lim);
      m_u64 (j, "counter", s->cnt);
      json_open (j, "events", '{');
      for (int e = 0; e < IPA_LIMIT_EVENT_NUM; e++)
        if (s->event_date_set & (1U << e))
          m_tm (j, ipastat_limit_event_keys[e], &s->event_date[e]);
        else
          m_null (j, ipastat_limit_event_keys[e]);
      json_close (j, '}');
      json_close (j, '}');
    }
  json_close (j, ']');
}

static void
threshold_block (Json *j, const IpastatBlock *b)
{
  entity_common (j, b, "threshold");
  if (!b->has_state)
    {
      m_null (j, "state");
      return;
    }
  json_open (j, "state", '{');
  m_u64 (j, "threshold", b->state.thr);
  m_u64 (j, "counter", b->state.cnt);
  m_tm (j, "from", &b->state.tm_from);
  m_tm (j, "updated", &b->state.tm_updated);
  json_close (j, '}');
}

void
ipastat_output_json (GString *out, const IpastatResult *result)
{
  Json j = { out, 0, TRUE };

  g_string_append_c (out, '{');
  j.depth = 1;
  m_u64 (&j, "format_version", IPASTAT_JSON_FORMAT_VERSION);
  json_open (&j, "results", '[');
  for (guint i = 0; i < result->blocks->len; i++)
    {
      const IpastatBlock *b = g_ptr_array_index (result->blocks, i);

      json_open (&j, NULL, '{');
      switch (b->kind)
        {
        case IPASTAT_BLOCK_RULE_STAT:
          rule_stat (&j, b);
          break;
        case IPASTAT_BLOCK_LIMIT:
          limit_block (&j, b);
          break;
        case IPASTAT_BLOCK_THRESHOLD:
          threshold_block (&j, b);
          break;
        case IPASTAT_BLOCK_RULES_LIST:
          common (&j, b, "rules_list");
          m_descs (&j, "rules", b->rules);
          break;
        case IPASTAT_BLOCK_RULE_ENTITIES:
          common (&j, b, "rule_entities");
          m_descs (&j, "limits", b->limits);
          m_descs (&j, "thresholds", b->thresholds);
          break;
        }
      json_close (&j, '}');
    }
  json_close (&j, ']');
  j.depth = 0;
  newline (&j);
  g_string_append (out, "}\n");
}
