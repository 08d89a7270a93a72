/*
 * ipastat-query.c: parsing the query options (see ipastat-query.h).
 *
 * The query is order-sensitive (-l and -t belong to the -r before them),
 * so it is parsed here rather than with GOption.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ipastat-exit.h"
#include "ipastat-query.h"

static const char *const format_names[] = { "table", "plain", "csv", "json" };

const char *
ipastat_format_to_string (IpastatFormat format)
{
  g_return_val_if_fail ((guint) format < G_N_ELEMENTS (format_names), "table");
  return format_names[format];
}

static void
item_free (gpointer p)
{
  IpastatQueryItem *item = p;

  g_free (item->name);
  g_free (item);
}

IpastatQuerySel *
ipastat_query_sel_new (const char *rule)
{
  IpastatQuerySel *sel = g_new0 (IpastatQuerySel, 1);

  sel->rule = g_strdup (rule);
  sel->items = g_ptr_array_new_with_free_func (item_free);
  return sel;
}

void
ipastat_query_sel_free (gpointer p)
{
  IpastatQuerySel *sel = p;

  if (sel == NULL)
    return;
  g_free (sel->rule);
  g_ptr_array_unref (sel->items);
  g_free (sel);
}

void
ipastat_query_sel_add_item (IpastatQuerySel *sel, IpastatItemKind kind,
                            const char *name)
{
  IpastatQueryItem *item = g_new0 (IpastatQueryItem, 1);

  item->kind = kind;
  item->name = g_strdup (name);
  g_ptr_array_add (sel->items, item);
}

void
ipastat_query_free (IpastatQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->interval);
  g_strfreev (query->st_list);
  g_ptr_array_unref (query->sels);
  g_free (query);
}

static gboolean G_GNUC_PRINTF (2, 3)
usage (GError **error, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, IPASTAT_ERROR, IPASTAT_EXIT_USAGE, msg);
  return FALSE;
}

static gboolean
add_systems (IpastatQuery *q, const char *arg, GError **error)
{
  g_auto(GStrv) parts = g_strsplit_set (arg, ", \t", -1);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; q->st_list != NULL && q->st_list[i] != NULL; i++)
    g_ptr_array_add (names, g_strdup (q->st_list[i]));
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0')
        continue;
      for (guint j = 0; j < names->len; j++)
        if (strcmp (g_ptr_array_index (names, j), parts[i]) == 0)
          return usage (error, _("-s: statistics system \"%s\" is given twice"),
                        parts[i]);
      g_ptr_array_add (names, g_strdup (parts[i]));
    }
  if (names->len == 0)
    return usage (error, _("-s needs at least one statistics system"));
  g_ptr_array_add (names, NULL);
  g_strfreev (q->st_list);
  q->st_list = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  return TRUE;
}

/* One option letter; @arg is its argument for letters that take one. */
static gboolean
apply_option (IpastatQuery *q, char letter, const char *arg, GError **error)
{
  IpastatQuerySel *sel = q->sels->len > 0
                         ? g_ptr_array_index (q->sels, q->sels->len - 1)
                         : NULL;

  switch (letter)
    {
    case 'r':
      if (*arg == '\0')
        return usage (error, _("-r needs a rule name"));
      g_ptr_array_add (q->sels, ipastat_query_sel_new (arg));
      return TRUE;
    case 'l':
    case 't':
      if (sel == NULL)
        return usage (error, _("-%c needs a -r before it"), letter);
      if (*arg == '\0')
        return usage (error, letter == 'l' ? _("-l needs a limit name")
                                           : _("-t needs a threshold name"));
      ipastat_query_sel_add_item (sel, letter == 'l' ? IPASTAT_ITEM_LIMIT
                                                     : IPASTAT_ITEM_THRESHOLD,
                                  arg);
      return TRUE;
    case 'i':
      if (q->interval != NULL)
        return usage (error, _("-i may be given only once"));
      q->interval = g_strdup (arg);
      return TRUE;
    case 's':
      return add_systems (q, arg, error);
    case 'o':
      for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
        if (strcmp (arg, format_names[i]) == 0)
          {
            q->format = (IpastatFormat) i;
            return TRUE;
          }
      return usage (error, _("-o takes table, plain, csv or json, not \"%s\""), arg);
    case 'U':
      if (!ipastat_units_from_string (arg, &q->units))
        return usage (error, _("-U takes raw, bytes or time, not \"%s\""), arg);
      q->has_units = TRUE;
      return TRUE;
    case 'n':
      q->format = IPASTAT_FORMAT_PLAIN;
      return TRUE;
    case 'a':
      q->list = TRUE;
      return TRUE;
    case 'x':
      q->regex = TRUE;
      return TRUE;
    case 'e':
      q->exact = TRUE;
      return TRUE;
    case 'c':
      q->current = TRUE;
      return TRUE;
    default:
      return usage (error, _("unknown query option -%c"), letter);
    }
}

static gboolean
check_query (IpastatQuery *q, GError **error)
{
  gboolean has_limit = FALSE;

  for (guint i = 0; i < q->sels->len; i++)
    {
      IpastatQuerySel *sel = g_ptr_array_index (q->sels, i);

      for (guint j = 0; j < sel->items->len; j++)
        has_limit |= ((IpastatQueryItem *) g_ptr_array_index (sel->items, j))->kind
                     == IPASTAT_ITEM_LIMIT;
    }
  if (q->list)
    {
      if (q->interval != NULL || q->exact || q->current)
        return usage (error, _("-i, -e and -c cannot be used with -a"));
      return TRUE;
    }
  if (q->sels->len == 0)
    return usage (error, _("the query names no rule: give -r RULE, or -a to list rules"));
  if (q->current && !has_limit)
    return usage (error, _("-c applies to limits: it needs -l"));
  return TRUE;
}

IpastatQuery *
ipastat_query_parse (int argc, char **argv, GError **error)
{
  g_autoptr(IpastatQuery) q = g_new0 (IpastatQuery, 1);
  static const char with_arg[] = "rltisoU";

  q->sels = g_ptr_array_new_with_free_func (ipastat_query_sel_free);
  for (int i = 0; i < argc; i++)
    {
      const char *a = argv[i];

      if (a[0] != '-' || a[1] == '\0' || a[1] == '-')
        {
          usage (error, _("unexpected word \"%s\" in the query (every query option starts with '-')"), a);
          return NULL;
        }
      for (const char *p = a + 1; *p != '\0'; p++)
        {
          const char *arg = NULL;

          if (strchr (with_arg, *p) != NULL)
            {
              if (p[1] != '\0')
                arg = p + 1;
              else if (i + 1 < argc)
                arg = argv[++i];
              else
                {
                  usage (error, _("query option -%c needs an argument"), *p);
                  return NULL;
                }
            }
          if (!apply_option (q, *p, arg, error))
            return NULL;
          if (arg != NULL)
            break;
        }
    }
  if (!check_query (q, error))
    return NULL;
  return g_steal_pointer (&q);
}

const char *
ipastat_query_help (void)
{
  return _("Query options (after -q):\n"
           "  -r RULE        a rule; repeatable\n"
           "  -l LIMIT       a limit of the preceding -r; repeatable\n"
           "  -t THRESHOLD   a threshold of the preceding -r; repeatable\n"
           "  -x             RULE, LIMIT and THRESHOLD are regular expressions\n"
           "  -a             list rules, or the limits and thresholds of the -r rules\n"
           "  -i INTERVAL    rule statistics and limit history of this interval\n"
           "                 (default: the current month; see ipastat(8))\n"
           "  -e             also records with only one timestamp in the interval\n"
           "  -c             limits: the current state, even with -i\n"
           "  -s SYSTEMS     use these statistics systems (comma separated)\n"
           "  -o FORMAT      table (default), plain, csv or json\n"
           "  -n             the same as -o plain\n"
           "  -U UNITS       print counters as raw, bytes or time\n");
}
