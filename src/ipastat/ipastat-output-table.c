/*
 * ipastat-output-table.c: the output for people.
 *
 * Every block starts with "Key: value" lines (rule, descriptions,
 * statistics system, interval), then its data; blocks are separated by an
 * empty line.  Tables have borders; numbers are right-aligned.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipastat-output.h"

/* --- bordered tables --- */

typedef struct {
  guint n_cols;
  const gboolean *right;  /* per column: right-aligned */
  GPtrArray *rows;        /* GStrv; NULL marks a separator line */
  guint *width;
} Table;

static void
table_init (Table *t, guint n_cols, const gboolean *right)
{
  t->n_cols = n_cols;
  t->right = right;
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  t->width = g_new0 (guint, n_cols);
}

static void
table_clear (Table *t)
{
  g_ptr_array_unref (t->rows);
  g_free (t->width);
}

/* Takes @n_cols strings (NULL is an empty cell). */
static void
table_row (Table *t, ...)
{
  char **row = g_new0 (char *, t->n_cols + 1);
  va_list ap;

  va_start (ap, t);
  for (guint i = 0; i < t->n_cols; i++)
    {
      const char *cell = va_arg (ap, const char *);

      /* Widths count characters; what a module returns may not be UTF-8. */
      row[i] = g_utf8_make_valid (cell != NULL ? cell : "", -1);
      t->width[i] = MAX (t->width[i], (guint) g_utf8_strlen (row[i], -1));
    }
  va_end (ap);
  g_ptr_array_add (t->rows, row);
}

static void
table_separator (Table *t)
{
  g_ptr_array_add (t->rows, NULL);
}

static void
render_rule (GString *out, const Table *t)
{
  for (guint i = 0; i < t->n_cols; i++)
    {
      g_string_append_c (out, '+');
      for (guint j = 0; j < t->width[i] + 2; j++)
        g_string_append_c (out, '-');
    }
  g_string_append (out, "+\n");
}

static void
render_cell (GString *out, const char *s, guint width, gboolean right)
{
  guint len = (guint) g_utf8_strlen (s, -1);

  g_string_append (out, "| ");
  if (right)
    for (guint i = len; i < width; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, s);
  if (!right)
    for (guint i = len; i < width; i++)
      g_string_append_c (out, ' ');
  g_string_append_c (out, ' ');
}

/* The first row is the title; a separator follows it and ends the table. */
static void
table_render (GString *out, const Table *t)
{
  render_rule (out, t);
  for (guint r = 0; r < t->rows->len; r++)
    {
      char **row = g_ptr_array_index (t->rows, r);

      if (row == NULL)
        {
          render_rule (out, t);
          continue;
        }
      for (guint i = 0; i < t->n_cols; i++)
        /* Titles are aligned like their column. */
        render_cell (out, row[i], t->width[i], t->right[i]);
      g_string_append (out, "|\n");
      if (r == 0)
        render_rule (out, t);
    }
  render_rule (out, t);
}

/* --- pieces --- */

static void
key_value (GString *out, const char *key, const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value, -1);

  g_string_append_printf (out, "%s: %s\n", key, valid);
}

static char *
counter_text (guint64 v, IpastatUnits units)
{
  IpastatSum s = { 0, v };
  GString *str = g_string_new (NULL);

  ipastat_format_counter (str, &s, units);
  return g_string_free (str, FALSE);
}

static char *
tm_text (const ipa_tm *tm)
{
  GString *s = g_string_new (NULL);

  ipastat_tm_format (s, tm);
  return g_string_free (s, FALSE);
}

static void
header (GString *out, const IpastatBlock *b)
{
  if (b->rule != NULL)
    key_value (out, _("Rule"), b->rule);
  if (b->rule_info != NULL)
    key_value (out, _("Info"), b->rule_info);
  if (b->kind == IPASTAT_BLOCK_LIMIT || b->kind == IPASTAT_BLOCK_THRESHOLD)
    {
      gboolean lim = b->kind == IPASTAT_BLOCK_LIMIT;

      key_value (out, lim ? _("Limit") : _("Threshold"), b->name);
      if (b->info != NULL)
        key_value (out, lim ? _("Limit info") : _("Threshold info"), b->info);
    }
  key_value (out, _("Statistics system"), b->system);
}

static void
interval_line (GString *out, const char *key, const IpastatInterval *iv,
               const char *how)
{
  g_autofree char *a = tm_text (&iv->from);
  g_autofree char *z = tm_text (&iv->to);

  g_string_append_printf (out, "%s: %s - %s, %s\n", key, a, z, how);
}

/* --- blocks --- */

static void
rule_stat (GString *out, const IpastatBlock *b)
{
  static const gboolean right[] = { FALSE, FALSE, FALSE, TRUE };
  IpastatSum total = ipastat_block_total (b);
  g_autoptr(GString) total_text = g_string_new (NULL);
  Table t;

  header (out, b);
  interval_line (out, _("Interval"), &b->interval,
                 b->exact ? _("records at least partly inside")
                          : _("records wholly inside"));
  table_init (&t, 4, right);
  table_row (&t, _("Date"), _("From"), _("To"), _("Counter"));
  for (guint i = 0; i < b->records->len; i++)
    {
      const struct ipa_rule_stat *r = &g_array_index (b->records, struct ipa_rule_stat, i);
      g_autofree char *date = g_strdup_printf ("%04u.%02u.%02u", r->year, r->mon, r->mday);
      g_autofree char *from = g_strdup_printf ("%02u:%02u:%02u", r->h1, r->m1, r->s1);
      g_autofree char *to = g_strdup_printf ("%02u:%02u:%02u", r->h2, r->m2, r->s2);
      g_autofree char *cnt = counter_text (r->cnt, b->units);

      table_row (&t, date, from, to, cnt);
    }
  if (b->records->len > 0)
    table_separator (&t);
  ipastat_format_counter (total_text, &total, b->units);
  table_row (&t, _("Total"), "", "", total_text->str);
  table_render (out, &t);
  table_clear (&t);
}

/* "  Key      value" lines, keys padded to one width. */
static void
field (GString *out, const char *key, const char *value)
{
  guint len = (guint) g_utf8_strlen (key, -1);

  g_string_append (out, "  ");
  g_string_append (out, key);
  for (guint i = len; i < 14; i++)
    g_string_append_c (out, ' ');
  g_string_append_printf (out, " %s\n", value);
}

static void
limit_block (GString *out, const IpastatBlock *b)
{
  header (out, b);
  if (b->current)
    key_value (out, _("State"), b->from_daemon ? _("current (from the running ipa)")
                                               : _("current"));
  else
    interval_line (out, _("History"), &b->interval, _("limits started inside"));
  if (b->states->len == 0)
    {
      g_string_append (out, "\n");
      g_string_append_printf (out, "  %s\n", _("No limit state."));
    }
  for (guint i = 0; i < b->states->len; i++)
    {
      const struct ipa_limit_state *s = &g_array_index (b->states, struct ipa_limit_state, i);
      g_autofree char *lim = counter_text (s->lim, b->units);
      g_autofree char *cnt = counter_text (s->cnt, b->units);

      g_string_append (out, "\n");
      field (out, _("Limit"), lim);
      field (out, _("Counter"), cnt);
      for (int e = 0; e < IPA_LIMIT_EVENT_NUM; e++)
        {
          g_autofree char *date = (s->event_date_set & (1U << e))
                                  ? tm_text (&s->event_date[e]) : g_strdup ("-");

          field (out, _(ipastat_limit_event_titles[e]), date);
        }
    }
}

static void
threshold_block (GString *out, const IpastatBlock *b)
{
  header (out, b);
  key_value (out, _("State"), b->from_daemon ? _("current (from the running ipa)")
                                             : _("current"));
  g_string_append (out, "\n");
  if (!b->has_state)
    {
      g_string_append_printf (out, "  %s\n", _("No threshold state."));
      return;
    }
  {
    g_autofree char *thr = counter_text (b->state.thr, b->units);
    g_autofree char *cnt = counter_text (b->state.cnt, b->units);
    g_autofree char *from = tm_text (&b->state.tm_from);
    g_autofree char *upd = tm_text (&b->state.tm_updated);

    field (out, _("Threshold"), thr);
    field (out, _("Counter"), cnt);
    field (out, _("Window from"), from);
    field (out, _("Updated"), upd);
  }
}

static void
desc_table (GString *out, const char *title, const GArray *list)
{
  static const gboolean right[] = { FALSE, FALSE };
  Table t;

  table_init (&t, 2, right);
  table_row (&t, title, _("Info"));
  for (guint i = 0; i < list->len; i++)
    {
      const IpastatDesc *d = &g_array_index (list, IpastatDesc, i);

      table_row (&t, d->name, d->info);
    }
  table_render (out, &t);
  table_clear (&t);
}

void
ipastat_output_table (GString *out, const IpastatResult *result)
{
  for (guint i = 0; i < result->blocks->len; i++)
    {
      const IpastatBlock *b = g_ptr_array_index (result->blocks, i);

      if (i > 0)
        g_string_append (out, "\n");
      switch (b->kind)
        {
        case IPASTAT_BLOCK_RULE_STAT:
          rule_stat (out, b);
          break;
        case IPASTAT_BLOCK_LIMIT:
          limit_block (out, b);
          break;
        case IPASTAT_BLOCK_THRESHOLD:
          threshold_block (out, b);
          break;
        case IPASTAT_BLOCK_RULES_LIST:
          header (out, b);
          desc_table (out, _("Rule"), b->rules);
          break;
        case IPASTAT_BLOCK_RULE_ENTITIES:
          header (out, b);
          if (b->limits != NULL)
            desc_table (out, _("Limit"), b->limits);
          if (b->thresholds != NULL)
            desc_table (out, _("Threshold"), b->thresholds);
          break;
        }
    }
}
