/*
 * ipastat-output-csv.c: CSV, and plain text (the same rows without
 * header, quoting or commas).
 *
 * Sections and their columns:
 *   record     system,rule,date,from,to,counter
 *   limit      system,rule,limit,value,counter,start,restart,restart_exec,
 *              reach,reach_exec,expire,expire_exec,updated
 *   threshold  system,rule,threshold,value,counter,from,updated
 *   list       system,kind,rule,name,info   (kind: rule, limit, threshold)
 * A threshold without state has empty value, counter, from and updated; a
 * limit event that is not set has an empty date.
 */
#include "config.h"

#include <string.h>

#include "ipastat-output.h"

typedef enum { SEC_NONE, SEC_RECORD, SEC_LIMIT, SEC_THRESHOLD, SEC_LIST } Section;

static const char *const section_names[] = {
  NULL, "record", "limit", "threshold", "list"
};

static const char *const section_headers[] = {
  NULL,
  "system,rule,date,from,to,counter",
  "system,rule,limit,value,counter,start,restart,restart_exec,reach,reach_exec,expire,expire_exec,updated",
  "system,rule,threshold,value,counter,from,updated",
  "system,kind,rule,name,info",
};

typedef struct {
  GString *out;
  gboolean plain;
  Section section;
  GPtrArray *row;  /* char* fields of the row being built */
} Writer;

static void
begin_section (Writer *w, Section s)
{
  if (w->plain || w->section == s)
    {
      w->section = s;
      return;
    }
  if (w->section != SEC_NONE)
    g_string_append_c (w->out, '\n');
  g_string_append (w->out, section_headers[s]);
  g_string_append_c (w->out, '\n');
  w->section = s;
}

static void
cell (Writer *w, const char *s)
{
  g_ptr_array_add (w->row, g_strdup (s != NULL ? s : ""));
}

static void
cell_take (Writer *w, char *s)
{
  g_ptr_array_add (w->row, s);
}

static void
cell_u64 (Writer *w, guint64 v)
{
  cell_take (w, g_strdup_printf ("%" G_GUINT64_FORMAT, v));
}

static void
cell_tm (Writer *w, const ipa_tm *tm)
{
  GString *s = g_string_new (NULL);

  ipastat_tm_format_iso (s, tm);
  cell_take (w, g_string_free (s, FALSE));
}

static void
csv_field (GString *out, const char *s)
{
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (; *s != '\0'; s++)
    {
      if (*s == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

/* Plain text has no quoting: blanks inside a field (only descriptions,
 * the last field, have them) stay, line breaks become spaces. */
static void
plain_field (GString *out, const char *s)
{
  if (*s == '\0')
    {
      g_string_append_c (out, '-');
      return;
    }
  for (; *s != '\0'; s++)
    g_string_append_c (out, *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
}

static void
end_row (Writer *w)
{
  if (w->plain)
    g_string_append (w->out, section_names[w->section]);
  for (guint i = 0; i < w->row->len; i++)
    {
      const char *f = g_ptr_array_index (w->row, i);

      if (w->plain)
        {
          g_string_append_c (w->out, ' ');
          plain_field (w->out, f);
        }
      else
        {
          if (i > 0)
            g_string_append_c (w->out, ',');
          csv_field (w->out, f);
        }
    }
  g_string_append_c (w->out, '\n');
  g_ptr_array_set_size (w->row, 0);
}

static void
records (Writer *w, const IpastatBlock *b)
{
  begin_section (w, SEC_RECORD);
  for (guint i = 0; i < b->records->len; i++)
    {
      const struct ipa_rule_stat *r = &g_array_index (b->records, struct ipa_rule_stat, i);

      cell (w, b->system);
      cell (w, b->rule);
      cell_take (w, g_strdup_printf ("%04u-%02u-%02u", r->year, r->mon, r->mday));
      cell_take (w, g_strdup_printf ("%02u:%02u:%02u", r->h1, r->m1, r->s1));
      cell_take (w, g_strdup_printf ("%02u:%02u:%02u", r->h2, r->m2, r->s2));
      cell_u64 (w, r->cnt);
      end_row (w);
    }
}

static void
limit_states (Writer *w, const IpastatBlock *b)
{
  begin_section (w, SEC_LIMIT);
  for (guint i = 0; i < b->states->len; i++)
    {
      const struct ipa_limit_state *s = &g_array_index (b->states, struct ipa_limit_state, i);

      cell (w, b->system);
      cell (w, b->rule);
      cell (w, b->name);
      cell_u64 (w, s->lim);
      cell_u64 (w, s->cnt);
      for (int e = 0; e < IPA_LIMIT_EVENT_NUM; e++)
        if (s->event_date_set & (1U << e))
          cell_tm (w, &s->event_date[e]);
        else
          cell (w, NULL);
      end_row (w);
    }
}

static void
threshold_state (Writer *w, const IpastatBlock *b)
{
  begin_section (w, SEC_THRESHOLD);
  cell (w, b->system);
  cell (w, b->rule);
  cell (w, b->name);
  if (b->has_state)
    {
      cell_u64 (w, b->state.thr);
      cell_u64 (w, b->state.cnt);
      cell_tm (w, &b->state.tm_from);
      cell_tm (w, &b->state.tm_updated);
    }
  else
    for (int i = 0; i < 4; i++)
      cell (w, NULL);
  end_row (w);
}

static void
list_rows (Writer *w, const IpastatBlock *b, const char *kind, const GArray *list)
{
  begin_section (w, SEC_LIST);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      const IpastatDesc *d = &g_array_index (list, IpastatDesc, i);

      cell (w, b->system);
      cell (w, kind);
      cell (w, b->rule);
      cell (w, d->name);
      cell (w, d->info);
      end_row (w);
    }
}

void
ipastat_output_csv (GString *out, const IpastatResult *result, gboolean plain)
{
  Writer w = { out, plain, SEC_NONE, g_ptr_array_new_with_free_func (g_free) };

  for (guint i = 0; i < result->blocks->len; i++)
    {
      const IpastatBlock *b = g_ptr_array_index (result->blocks, i);

      switch (b->kind)
        {
        case IPASTAT_BLOCK_RULE_STAT:
          records (&w, b);
          break;
        case IPASTAT_BLOCK_LIMIT:
          limit_states (&w, b);
          break;
        case IPASTAT_BLOCK_THRESHOLD:
          threshold_state (&w, b);
          break;
        case IPASTAT_BLOCK_RULES_LIST:
          list_rows (&w, b, "rule", b->rules);
          break;
        case IPASTAT_BLOCK_RULE_ENTITIES:
          list_rows (&w, b, "limit", b->limits);
          list_rows (&w, b, "threshold", b->thresholds);
          break;
        }
    }
  g_ptr_array_unref (w.row);
}
