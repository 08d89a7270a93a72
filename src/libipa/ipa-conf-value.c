/* ipa-conf-value.c: parsing and formatting of configuration values. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ipa-conf-value.h"

/* Longest part of an argument quoted in a message, so that a huge argument
 * does not produce a huge message. */
#define QUOTE_MAX 64

/* The argument as it appears in messages: quoted, escaped, shortened. */
static char *
quote_text (const char *text)
{
  g_autofree char *head = NULL;
  g_autofree char *escaped = NULL;
  gsize len;

  if (text == NULL)
    text = "";
  len = strlen (text);
  head = g_strndup (text, MIN (len, QUOTE_MAX));
  escaped = g_strescape (head, NULL);
  /* TRANSLATORS: an argument of the configuration quoted in a message
   * about its value, as in: bad number "12x": …; the first %s is the
   * argument (C escapes), the second "..." when it was cut. */
  return g_strdup_printf (_("\"%s%s\""), escaped, len > QUOTE_MAX ? "..." : "");
}

/* Sets an error "WHAT \"TEXT\": DETAIL" and returns FALSE. */
static gboolean G_GNUC_PRINTF (4, 5)
value_error (GError **error, const char *what, const char *text,
             const char *detail_format, ...)
{
  g_autofree char *quoted = quote_text (text);
  g_autofree char *detail = NULL;
  va_list ap;

  va_start (ap, detail_format);
  detail = g_strdup_vprintf (detail_format, ap);
  va_end (ap);
  /* TRANSLATORS: a bad value of the configuration: what is wrong (as in
   * "bad number"), the quoted argument, then the details. */
  g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE, _("%s %s: %s"),
               what, quoted, detail);
  return FALSE;
}

const char *
ipa_conf_type_name (unsigned int arg_type)
{
  switch (arg_type)
    {
    case IPA_CONF_TYPE_INT32: return "int32";
    case IPA_CONF_TYPE_UINT32: return "uint32";
    case IPA_CONF_TYPE_INT64: return "int64";
    case IPA_CONF_TYPE_UINT64: return "uint64";
    case IPA_CONF_TYPE_STRING: return "string";
    case IPA_CONF_TYPE_BYTES: return "bytes";
    case IPA_CONF_TYPE_TIME: return "time";
    case IPA_CONF_TYPE_VALUE: return "value";
    case IPA_CONF_TYPE_PER_CENT: return "per cent";
    case IPA_CONF_TYPE_BOOLEAN: return "boolean";
    case IPA_CONF_TYPE_MISC: return "misc";
    default: return "unknown";
    }
}

static const char *
skip_blanks (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

static gboolean
is_blank_or_end (char c)
{
  return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads a run of decimal digits; FALSE on overflow (the digits are
 * consumed anyway). */
static gboolean
scan_digits (const char **p, guint64 *number)
{
  const char *s = *p;
  guint64 n = 0;
  gboolean ok = TRUE;

  for (; g_ascii_isdigit (*s); s++)
    {
      guint d = (guint) (*s - '0');

      if (n > (G_MAXUINT64 - d) / 10)
        ok = FALSE;
      else
        n = n * 10 + d;
    }
  *p = s;
  *number = n;
  return ok;
}

/* ---- integers ---------------------------------------------------------- */

typedef enum {
  INT_OK,
  INT_SYNTAX,
  INT_RANGE,
} IntStatus;

/* Decimal digits, with a sign when @is_signed; the magnitude must not
 * exceed @max_positive, or @max_negative after a '-'. */
static IntStatus
parse_integer (const char *text, gboolean is_signed, guint64 max_positive,
               guint64 max_negative, gboolean *negative, guint64 *magnitude)
{
  const char *p = text;
  gboolean ok;

  *negative = FALSE;
  if (is_signed && (*p == '-' || *p == '+'))
    {
      *negative = *p == '-';
      p++;
    }
  if (!g_ascii_isdigit (*p))
    return INT_SYNTAX;
  ok = scan_digits (&p, magnitude);
  if (*p != '\0')
    return INT_SYNTAX;
  if (!ok || *magnitude > (*negative ? max_negative : max_positive))
    return INT_RANGE;
  return INT_OK;
}

static gboolean
parse_int_type (unsigned int arg_type, const char *text, IpaConfValue *value,
                GError **error)
{
  gboolean is_signed = arg_type == IPA_CONF_TYPE_INT32 || arg_type == IPA_CONF_TYPE_INT64;
  guint64 max_pos, max_neg, magnitude = 0;
  gboolean negative;
  const char *range;

  switch (arg_type)
    {
    case IPA_CONF_TYPE_INT32:
      max_pos = G_MAXINT32;
      max_neg = (guint64) G_MAXINT32 + 1;
      range = "-2147483648..2147483647";
      break;
    case IPA_CONF_TYPE_UINT32:
      max_pos = G_MAXUINT32;
      max_neg = 0;
      range = "0..4294967295";
      break;
    case IPA_CONF_TYPE_INT64:
      max_pos = G_MAXINT64;
      max_neg = (guint64) G_MAXINT64 + 1;
      range = "-9223372036854775808..9223372036854775807";
      break;
    default:
      max_pos = G_MAXUINT64;
      max_neg = 0;
      range = "0..18446744073709551615";
      break;
    }

  switch (parse_integer (text, is_signed, max_pos, max_neg, &negative, &magnitude))
    {
    case INT_SYNTAX:
      return value_error (error, _("bad number"), text, "%s",
                          is_signed ? _("expected a decimal integer")
                                    : _("expected a decimal integer without sign"));
    case INT_RANGE:
      return value_error (error, _("bad number"), text, _("out of range, expected %s"), range);
    case INT_OK:
    default:
      break;
    }

  value->type = arg_type;
  switch (arg_type)
    {
    case IPA_CONF_TYPE_INT32:
      value->u.i32 = negative ? (int32_t) (-(int64_t) magnitude) : (int32_t) magnitude;
      break;
    case IPA_CONF_TYPE_UINT32:
      value->u.u32 = (uint32_t) magnitude;
      break;
    case IPA_CONF_TYPE_INT64:
      /* -2^63 has no positive counterpart: negate in unsigned arithmetic. */
      value->u.i64 = negative ? (int64_t) (0 - magnitude) : (int64_t) magnitude;
      break;
    default:
      value->u.u64 = magnitude;
      break;
    }
  return TRUE;
}

/* ---- sums of terms: bytes and time ------------------------------------- */

typedef struct {
  char letter;
  guint64 multiplier;
} Unit;

static const Unit byte_units[] = {
  { 'T', G_GUINT64_CONSTANT (1) << 40 },
  { 'G', G_GUINT64_CONSTANT (1) << 30 },
  { 'M', G_GUINT64_CONSTANT (1) << 20 },
  { 'K', G_GUINT64_CONSTANT (1) << 10 },
  { 'B', 1 },
};

static const Unit time_units[] = {
  { 'W', 7 * 24 * 3600 },
  { 'D', 24 * 3600 },
  { 'h', 3600 },
  { 'm', 60 },
  { 's', 1 },
};

static int
unit_index (const Unit *units, char letter)
{
  for (int i = 0; i < 5; i++)
    if (units[i].letter == letter)
      return i;
  return -1;
}

typedef enum {
  SUM_OK,
  SUM_SYNTAX,   /* not NUMBER UNIT, or an unknown unit */
  SUM_ORDER,    /* units not strictly decreasing */
  SUM_OVERFLOW,
} SumStatus;

/* Reads one term "DIGITS[LETTER]" at *p (blanks before it skipped).
 * Returns FALSE at the end of the text; *unit is 0 for a bare number and
 * *bad is set when the text there is not a term. */
static gboolean
scan_term (const char **p, guint64 *number, char *unit, gboolean *overflow,
           gboolean *bad)
{
  const char *s = skip_blanks (*p);

  *bad = FALSE;
  *overflow = FALSE;
  *unit = 0;
  if (*s == '\0')
    {
      *p = s;
      return FALSE;
    }
  if (!g_ascii_isdigit (*s))
    {
      *bad = TRUE;
      *p = s;
      return TRUE;
    }
  if (!scan_digits (&s, number))
    *overflow = TRUE;
  if (!is_blank_or_end (*s) && !g_ascii_isdigit (*s))
    *unit = *s++;
  *p = s;
  return TRUE;
}

/* Parses a sum of terms with the units of @units (largest first).  A lone
 * bare number is allowed and reported in *bare.  *bad_unit is the letter
 * of the first unusable unit, 0 if none. */
static SumStatus
parse_sum (const char *text, const Unit *units, guint64 *result, gboolean *bare,
           char *bad_unit)
{
  const char *p = text;
  guint64 total = 0, number = 0;
  gboolean overflow = FALSE, bad;
  int last = -1, terms = 0;
  char unit;

  *bare = FALSE;
  *bad_unit = 0;
  while (scan_term (&p, &number, &unit, &overflow, &bad))
    {
      int idx;

      if (bad)
        return SUM_SYNTAX;
      if (unit == 0)
        {
          /* A bare number only as the whole value. */
          if (terms > 0 || *skip_blanks (p) != '\0')
            return SUM_SYNTAX;
          if (overflow)
            return SUM_OVERFLOW;
          *bare = TRUE;
          *result = number;
          return SUM_OK;
        }
      idx = unit_index (units, unit);
      if (idx < 0)
        {
          *bad_unit = unit;
          return SUM_SYNTAX;
        }
      if (idx <= last)
        return SUM_ORDER;
      last = idx;
      terms++;
      if (overflow || number > G_MAXUINT64 / units[idx].multiplier)
        return SUM_OVERFLOW;
      number *= units[idx].multiplier;
      if (total > G_MAXUINT64 - number)
        return SUM_OVERFLOW;
      total += number;
    }
  if (terms == 0)
    return SUM_SYNTAX;
  *result = total;
  return SUM_OK;
}

static gboolean
parse_bytes (const char *text, guint64 *result, GError **error)
{
  gboolean bare;
  char bad_unit;

  switch (parse_sum (text, byte_units, result, &bare, &bad_unit))
    {
    case SUM_OK:
      return TRUE;
    case SUM_ORDER:
      return value_error (error, _("bad byte value"), text,
                          _("units must go from the "
                            "largest to the smallest, each at most once, as in \"1G 512M\""));
    case SUM_OVERFLOW:
      return value_error (error, _("bad byte value"), text,
                          _("too large, the maximum is "
                            "18446744073709551615 bytes (2^64-1)"));
    case SUM_SYNTAX:
    default:
      return value_error (error, _("bad byte value"), text, _("expected a number followed "
                                                              "by B, K, M, G or T"));
    }
}

static gboolean
parse_time (const char *text, guint64 *result, GError **error)
{
  gboolean bare;
  char bad_unit;

  switch (parse_sum (text, time_units, result, &bare, &bad_unit))
    {
    case SUM_OK:
      return TRUE;
    case SUM_ORDER:
      return value_error (error, _("bad time value"), text,
                          _("units must go from the "
                            "largest to the smallest, each at most once, as in \"1h 30m\""));
    case SUM_OVERFLOW:
      return value_error (error, _("bad time value"), text,
                          _("too large, the maximum is "
                            "18446744073709551615 seconds (2^64-1)"));
    case SUM_SYNTAX:
    default:
      if (bad_unit == 'M')
        return value_error (error, _("bad time value"), text,
                            _("\"M\" is not a time unit "
                              "(minutes are \"m\"); expected a number followed by s, m, h, D or W"));
      return value_error (error, _("bad time value"), text, _("expected a number followed "
                                                              "by s, m, h, D or W"));
    }
}

static gboolean
parse_value (const char *text, IpaConfValue *value, GError **error)
{
  const char *p = skip_blanks (text);
  guint64 result = 0;
  gboolean bare;
  char first_unit = 0, bad_unit;
  const Unit *units;
  unsigned int kind;
  SumStatus status;

  /* The unit of the first term decides the kind. */
  if (g_ascii_isdigit (*p))
    {
      while (g_ascii_isdigit (*p))
        p++;
      first_unit = *p;
    }
  if (first_unit != 0 && unit_index (byte_units, first_unit) >= 0)
    {
      units = byte_units;
      kind = IPA_CONF_TYPE_BYTES;
    }
  else if (first_unit != 0 && unit_index (time_units, first_unit) >= 0)
    {
      units = time_units;
      kind = IPA_CONF_TYPE_TIME;
    }
  else
    {
      units = NULL;
      kind = IPA_CONF_TYPE_UINT64;
    }

  if (units == NULL)
    {
      status = parse_sum (text, byte_units, &result, &bare, &bad_unit);
      if (status == SUM_OK && !bare)
        status = SUM_SYNTAX;
    }
  else
    status = parse_sum (text, units, &result, &bare, &bad_unit);

  switch (status)
    {
    case SUM_OK:
      value->type = IPA_CONF_TYPE_VALUE;
      value->u.value.kind = kind;
      value->u.value.value = result;
      return TRUE;
    case SUM_ORDER:
      return value_error (error, _("bad value"), text,
                          _("units must go from the largest "
                            "to the smallest, each at most once, as in \"1G 512M\" or \"1h 30m\""));
    case SUM_OVERFLOW:
      return value_error (error, _("bad value"), text, _("too large, the maximum is "
                                                         "18446744073709551615 (2^64-1)"));
    case SUM_SYNTAX:
    default:
      if (bad_unit != 0 && units != NULL
          && unit_index (units == byte_units ? time_units : byte_units, bad_unit) >= 0)
        return value_error (error, _("bad value"), text,
                            _("byte units (B, K, M, G, T) and "
                              "time units (s, m, h, D, W) cannot be mixed"));
      return value_error (error, _("bad value"), text,
                          _("expected a number, optionally "
                            "followed by byte units (B, K, M, G, T) or time units (s, m, h, D, W)"));
    }
}

static gboolean
parse_per_cent (const char *text, IpaConfValue *value, GError **error)
{
  const char *p = text;
  guint64 n = 0;

  if (!g_ascii_isdigit (*p) || !scan_digits (&p, &n) || p[0] != '%' || p[1] != '\0'
      || n > 100)
    return value_error (error, _("bad percentage"), text, _("expected a whole number from "
                                                            "0 to 100 followed by %%"));
  value->type = IPA_CONF_TYPE_PER_CENT;
  value->u.per_cent = (uint32_t) n;
  return TRUE;
}

gboolean
ipa_conf_value_parse (unsigned int arg_type,
                      const char *text,
                      IpaConfValue *value,
                      GError **error)
{
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL)
    text = "";

  switch (arg_type)
    {
    case IPA_CONF_TYPE_INT32:
    case IPA_CONF_TYPE_UINT32:
    case IPA_CONF_TYPE_INT64:
    case IPA_CONF_TYPE_UINT64:
      return parse_int_type (arg_type, text, value, error);
    case IPA_CONF_TYPE_BYTES:
      if (!parse_bytes (text, &value->u.u64, error))
        return FALSE;
      value->type = arg_type;
      return TRUE;
    case IPA_CONF_TYPE_TIME:
      if (!parse_time (text, &value->u.u64, error))
        return FALSE;
      value->type = arg_type;
      return TRUE;
    case IPA_CONF_TYPE_VALUE:
      return parse_value (text, value, error);
    case IPA_CONF_TYPE_PER_CENT:
      return parse_per_cent (text, value, error);
    case IPA_CONF_TYPE_BOOLEAN:
      if (strcmp (text, "yes") == 0)
        value->u.boolean = 1;
      else if (strcmp (text, "no") == 0)
        value->u.boolean = 0;
      else
        return value_error (error, _("bad boolean"), text, _("expected yes or no"));
      value->type = arg_type;
      return TRUE;
    case IPA_CONF_TYPE_MISC:
      value->type = arg_type;
      value->u.str = text;
      return TRUE;
    default:
      g_set_error (error, IPA_CONF_ERROR, IPA_CONF_ERROR_VALUE,
                   _("arguments of type %s (%u) are not converted by value parsing"),
                   ipa_conf_type_name (arg_type), arg_type);
      return FALSE;
    }
}

/* ---- formatting -------------------------------------------------------- */

static void
format_sum (GString *out, guint64 v, const Unit *units)
{
  gboolean first = TRUE;

  if (v == 0)
    {
      g_string_append_printf (out, "0%c", units[4].letter);
      return;
    }
  for (int i = 0; i < 5; i++)
    {
      guint64 n = v / units[i].multiplier;

      if (n == 0)
        continue;
      v -= n * units[i].multiplier;
      g_string_append_printf (out, "%s%" G_GUINT64_FORMAT "%c", first ? "" : " ",
                              n, units[i].letter);
      first = FALSE;
    }
}

void
ipa_conf_format_bytes (GString *out, uint64_t bytes)
{
  g_return_if_fail (out != NULL);
  format_sum (out, bytes, byte_units);
}

void
ipa_conf_format_time (GString *out, uint64_t seconds)
{
  g_return_if_fail (out != NULL);
  format_sum (out, seconds, time_units);
}

void
ipa_conf_format_value (GString *out, uint64_t value, unsigned int kind)
{
  g_return_if_fail (out != NULL);
  if (kind == IPA_CONF_TYPE_BYTES)
    ipa_conf_format_bytes (out, value);
  else if (kind == IPA_CONF_TYPE_TIME)
    ipa_conf_format_time (out, value);
  else
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, value);
}

void
ipa_conf_format_boolean (GString *out, int value)
{
  g_return_if_fail (out != NULL);
  g_string_append (out, value ? "yes" : "no");
}

void
ipa_conf_format_per_cent (GString *out, uint32_t per_cent)
{
  g_return_if_fail (out != NULL);
  g_string_append_printf (out, "%u%%", per_cent);
}

void
ipa_conf_format_string (GString *out, const char *s)
{
  g_return_if_fail (out != NULL);

  g_string_append_c (out, '"');
  for (; s != NULL && *s != '\0'; s++)
    {
      switch (*s)
        {
        case '\t': g_string_append (out, "\\t"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '"': g_string_append (out, "\\\""); break;
        case '$':
          /* "${" would start a macro variable when read back. */
          g_string_append (out, s[1] == '{' ? "${$}" : "$");
          break;
        default: g_string_append_c (out, *s); break;
        }
    }
  g_string_append_c (out, '"');
}

/* ---- worktime ---------------------------------------------------------- */

static const char day_letters[] = "SMTWHFA"; /* index = tm_wday */

static int
day_index (char c)
{
  const char *at = c != '\0' ? strchr (day_letters, c) : NULL;

  return at != NULL ? (int) (at - day_letters) : -1;
}

/* "h:mm" or "hh:mm", 00:00..24:00; returns the minutes or -1. */
static int
scan_time_of_day (const char **p)
{
  const char *s = *p;
  int h = 0, m;

  if (!g_ascii_isdigit (s[0]))
    return -1;
  h = s[0] - '0';
  s++;
  if (g_ascii_isdigit (s[0]))
    h = h * 10 + (*s++ - '0');
  if (s[0] != ':' || !g_ascii_isdigit (s[1]) || !g_ascii_isdigit (s[2]))
    return -1;
  m = (s[1] - '0') * 10 + (s[2] - '0');
  s += 3;
  if (h > 24 || m > 59 || (h == 24 && m != 0))
    return -1;
  *p = s;
  return h * 60 + m;
}

static void
format_time_of_day (GString *out, int minutes)
{
  g_string_append_printf (out, "%02d:%02d", minutes / 60, minutes % 60);
}

void
ipa_worktime_free (IpaWorktime *worktime)
{
  if (worktime == NULL)
    return;
  for (int d = 0; d < 7; d++)
    g_free (worktime->intervals[d]);
  g_free (worktime);
}

IpaWorktime *
ipa_worktime_copy (const IpaWorktime *worktime)
{
  IpaWorktime *copy;

  if (worktime == NULL)
    return NULL;
  copy = g_new0 (IpaWorktime, 1);
  for (int d = 0; d < 7; d++)
    {
      copy->n_intervals[d] = worktime->intervals[d] != NULL ? worktime->n_intervals[d] : 0;
      if (copy->n_intervals[d] > 0)
        copy->intervals[d] = g_memdup2 (worktime->intervals[d],
                                        copy->n_intervals[d] * sizeof (IpaWorktimeInterval));
    }
  return copy;
}

static gboolean
worktime_is_empty (const IpaWorktime *worktime)
{
  if (worktime == NULL)
    return TRUE;
  for (int d = 0; d < 7; d++)
    if (worktime->n_intervals[d] > 0 && worktime->intervals[d] != NULL)
      return FALSE;
  return TRUE;
}

gboolean
ipa_worktime_equal (const IpaWorktime *a, const IpaWorktime *b)
{
  if (worktime_is_empty (a) || worktime_is_empty (b))
    return worktime_is_empty (a) && worktime_is_empty (b);
  for (int d = 0; d < 7; d++)
    {
      guint na = a->intervals[d] != NULL ? a->n_intervals[d] : 0;
      guint nb = b->intervals[d] != NULL ? b->n_intervals[d] : 0;

      if (na != nb)
        return FALSE;
      for (guint i = 0; i < na; i++)
        if (a->intervals[d][i].start != b->intervals[d][i].start
            || a->intervals[d][i].end != b->intervals[d][i].end)
          return FALSE;
    }
  return TRUE;
}

IpaWorktime *
ipa_worktime_parse (const char *text, GError **error)
{
  g_autoptr (IpaWorktime) wt = g_new0 (IpaWorktime, 1);
  g_autoptr (GArray) day = g_array_new (FALSE, FALSE, sizeof (IpaWorktimeInterval));
  const char *p;
  gboolean seen[7] = { FALSE };
  int cur = -1;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (text == NULL)
    text = "";

  for (p = skip_blanks (text);; p = skip_blanks (p))
    {
      const char *token = p;
      IpaWorktimeInterval iv;
      int start, end;

      /* A token ends a day's list: a day letter, or the end of the text. */
      if (*p == '\0' || (day_index (*p) >= 0 && is_blank_or_end (p[1])))
        {
          if (cur >= 0)
            {
              if (day->len == 0)
                {
                  value_error (error, _("bad worktime"), text,
                               _("day %c has no time "
                                 "intervals (expected hh:mm-hh:mm or *)"), day_letters[cur]);
                  return NULL;
                }
              wt->n_intervals[cur] = day->len;
              wt->intervals[cur] = (IpaWorktimeInterval *) (void *)
                g_array_steal (day, NULL);
            }
          if (*p == '\0')
            break;
          cur = day_index (*p);
          if (seen[cur])
            {
              value_error (error, _("bad worktime"), text, _("day %c appears more than once"),
                           day_letters[cur]);
              return NULL;
            }
          seen[cur] = TRUE;
          p++;
          continue;
        }

      if (*p == '*' && is_blank_or_end (p[1]))
        {
          start = 0;
          end = IPA_WORKTIME_DAY_MINUTES;
          p++;
        }
      else
        {
          start = scan_time_of_day (&p);
          if (start >= 0 && *p == '-')
            {
              p++;
              end = scan_time_of_day (&p);
            }
          else
            end = -1;
          if (start < 0 || end < 0 || start == IPA_WORKTIME_DAY_MINUTES
              || !is_blank_or_end (*p))
            {
              const char *stop = token;

              while (!is_blank_or_end (*stop))
                stop++;
              value_error (error, _("bad worktime"), text,
                           _("\"%.*s\" is not a day letter "
                             "(S, M, T, W, H, F, A), a time interval hh:mm-hh:mm "
                             "(00:00..24:00) or *"), (int) MIN (stop - token, QUOTE_MAX), token);
              return NULL;
            }
        }

      if (cur < 0)
        {
          value_error (error, _("bad worktime"), text, _("a day letter (S, M, T, W, H, F, A) "
                                                         "must come before the time intervals"));
          return NULL;
        }
      if (start >= end)
        {
          value_error (error, _("bad worktime"), text, _("interval %.*s of day %c is empty"),
                       (int) (p - token), token, day_letters[cur]);
          return NULL;
        }
      if (day->len > 0)
        {
          IpaWorktimeInterval *last = &g_array_index (day, IpaWorktimeInterval, day->len - 1);

          if (start < last->end)
            {
              value_error (error, _("bad worktime"), text,
                           _("intervals of day %c must be in "
                             "ascending order and must not overlap (%.*s)"),
                           day_letters[cur], (int) (p - token), token);
              return NULL;
            }
          if (start == last->end)
            {
              /* Touching intervals are one interval. */
              last->end = (guint16) end;
              continue;
            }
        }
      iv.start = (guint16) start;
      iv.end = (guint16) end;
      g_array_append_val (day, iv);
    }

  if (cur < 0)
    {
      value_error (error, _("bad worktime"), text,
                   _("expected a day letter (S, M, T, W, H, "
                     "F, A) followed by time intervals hh:mm-hh:mm or *"));
      return NULL;
    }
  return g_steal_pointer (&wt);
}

void
ipa_worktime_format (GString *out, const IpaWorktime *worktime)
{
  gboolean first = TRUE;

  g_return_if_fail (out != NULL);
  if (worktime == NULL)
    return;
  for (int d = 0; d < 7; d++)
    {
      if (worktime->intervals[d] == NULL || worktime->n_intervals[d] == 0)
        continue;
      g_string_append_printf (out, "%s%c", first ? "" : " ", day_letters[d]);
      first = FALSE;
      for (guint i = 0; i < worktime->n_intervals[d]; i++)
        {
          const IpaWorktimeInterval *iv = &worktime->intervals[d][i];

          g_string_append_c (out, ' ');
          if (iv->start == 0 && iv->end == IPA_WORKTIME_DAY_MINUTES)
            {
              g_string_append_c (out, '*');
              continue;
            }
          format_time_of_day (out, iv->start);
          g_string_append_c (out, '-');
          format_time_of_day (out, iv->end);
        }
    }
}

static int
norm_mod (int x, int m)
{
  int r = x % m;

  return r < 0 ? r + m : r;
}

static gboolean
active_at (const IpaWorktime *worktime, int wday, int minute)
{
  const IpaWorktimeInterval *iv = worktime->intervals[wday];

  if (iv == NULL)
    return FALSE;
  for (guint i = 0; i < worktime->n_intervals[wday]; i++)
    {
      if (minute < iv[i].start)
        return FALSE;
      if (minute < iv[i].end)
        return TRUE;
    }
  return FALSE;
}

/* The weekday and minute of the day of @local, forced into range so that a
 * hand-made struct tm cannot index out of bounds. */
static void
local_position (const struct tm *local, int *wday, int *minute)
{
  int h = CLAMP (local->tm_hour, 0, 23);
  int m = CLAMP (local->tm_min, 0, 59);

  *wday = norm_mod (local->tm_wday, 7);
  *minute = h * 60 + m;
}

gboolean
ipa_worktime_is_active (const IpaWorktime *worktime, const struct tm *local)
{
  int wday, minute;

  g_return_val_if_fail (local != NULL, TRUE);
  if (worktime_is_empty (worktime))
    return TRUE;
  local_position (local, &wday, &minute);
  return active_at (worktime, wday, minute);
}

gboolean
ipa_worktime_next_change (const IpaWorktime *worktime,
                          const struct tm *local,
                          int *minutes_until)
{
  int wday, now;
  gboolean state;

  g_return_val_if_fail (local != NULL, FALSE);
  g_return_val_if_fail (minutes_until != NULL, FALSE);
  if (worktime_is_empty (worktime))
    return FALSE;
  local_position (local, &wday, &now);
  state = active_at (worktime, wday, now);

  /* The state can only change at midnight or at an interval edge; visit
   * these in time order. */
  for (int k = 0; k <= 8; k++)
    {
      int d = (wday + k) % 7;
      const IpaWorktimeInterval *iv = worktime->intervals[d];
      guint n = iv != NULL ? worktime->n_intervals[d] : 0;

      for (guint e = 0; e <= 2 * n; e++)
        {
          int edge = e == 0 ? 0 : (e % 2 == 1 ? iv[(e - 1) / 2].start : iv[(e - 1) / 2].end);
          int delta = k * IPA_WORKTIME_DAY_MINUTES + edge - now;

          if (edge >= IPA_WORKTIME_DAY_MINUTES || delta <= 0)
            continue;
          if (delta > 8 * IPA_WORKTIME_DAY_MINUTES)
            return FALSE;
          if (active_at (worktime, d, edge) != state)
            {
              *minutes_until = delta;
              return TRUE;
            }
        }
    }
  return FALSE;
}

/* ---- time points ------------------------------------------------------- */

static gboolean
point_error (GError **error, const char *text, const char *what)
{
  return value_error (error, _("bad time point"), text, "%s", what);
}

static gboolean
point_too_long (GError **error, const char *text)
{
  return value_error (error, _("bad time point"), text,
                      g_dngettext (GETTEXT_PACKAGE, "a duration may be at most %d day",
                                   "a duration may be at most %d days",
                                   IPA_TIME_POINT_MAX_DAYS),
                      IPA_TIME_POINT_MAX_DAYS);
}

gboolean
ipa_time_point_parse (const char *text, IpaTimePoint *point, GError **error)
{
  IpaTimePoint result = { 0 };
  IpaTimeStep *dur = NULL; /* the duration being read */
  int last_unit = -1;
  gboolean advances = FALSE;
  const char *p;

  g_return_val_if_fail (point != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (text == NULL)
    text = "";

  for (p = skip_blanks (text); *p != '\0'; p = skip_blanks (p))
    {
      if (*p == '+')
        {
          IpaTimeStepKind kind;

          switch (p[1])
            {
            case 'm': kind = IPA_TIME_STEP_END_MINUTE; break;
            case 'h': kind = IPA_TIME_STEP_END_HOUR; break;
            case 'D': kind = IPA_TIME_STEP_END_DAY; break;
            case 'W': kind = IPA_TIME_STEP_END_WEEK; break;
            case 'M': kind = IPA_TIME_STEP_END_MONTH; break;
            default:
              return point_error (error, text, _("expected +m, +h, +D, +W or +M (the end of "
                                                 "the current minute, hour, day, week or month)"));
            }
          p += 2;
          if (!is_blank_or_end (*p) && *p != '+' && !g_ascii_isdigit (*p))
            return point_error (error, text, _("expected +m, +h, +D, +W or +M (the end of "
                                               "the current minute, hour, day, week or month)"));
          if (result.n_steps == IPA_TIME_POINT_MAX_STEPS)
            return point_error (error, text, _("too many steps"));
          result.steps[result.n_steps++].kind = kind;
          advances = TRUE;
          dur = NULL;
          continue;
        }

      if (g_ascii_isdigit (*p))
        {
          guint64 number, limit;
          gboolean overflow, bad;
          char unit;
          int idx;

          scan_term (&p, &number, &unit, &overflow, &bad);
          if (unit == 'M')
            return point_error (error, text,
                                _("\"M\" is not a duration unit: months are "
                                  "only reached with +M; durations take s, m, h, D or W"));
          idx = unit_index (time_units, unit);
          if (unit == 0 || idx < 0
              || !(is_blank_or_end (*p) || *p == '+' || g_ascii_isdigit (*p)))
            return point_error (error, text, _("expected a duration: a number followed by "
                                               "s, m, h, D or W"));
          if (dur == NULL)
            {
              if (result.n_steps == IPA_TIME_POINT_MAX_STEPS)
                return point_error (error, text, _("too many steps"));
              dur = &result.steps[result.n_steps++];
              dur->kind = IPA_TIME_STEP_DURATION;
              last_unit = -1;
            }
          if (idx <= last_unit)
            return point_error (error, text,
                                _("units of a duration must go from the largest "
                                  "to the smallest, each at most once, as in \"1D 12h\""));
          last_unit = idx;

          /* W and D are calendar days, the rest elapsed seconds. */
          if (unit == 'W' || unit == 'D')
            {
              guint64 per = unit == 'W' ? 7 : 1;

              limit = IPA_TIME_POINT_MAX_DAYS - dur->days;
              if (overflow || number > limit / per)
                return point_too_long (error, text);
              dur->days += (guint32) (number * per);
            }
          else
            {
              guint64 per = time_units[idx].multiplier;

              limit = (guint64) IPA_TIME_POINT_MAX_DAYS * 86400 - dur->seconds;
              if (overflow || number > limit / per)
                return point_too_long (error, text);
              dur->seconds += number * per;
            }
          if (number > 0)
            advances = TRUE;
          continue;
        }

      return point_error (error, text, _("expected +m, +h, +D, +W, +M or a duration such as "
                                         "\"1D 12h\""));
    }

  if (result.n_steps == 0)
    return point_error (error, text, _("expected +m, +h, +D, +W, +M or a duration such as "
                                       "\"1D 12h\""));
  if (!advances)
    return point_error (error, text, _("the point must lie after its base time"));
  *point = result;
  return TRUE;
}

void
ipa_time_point_format (GString *out, const IpaTimePoint *point)
{
  static const char ends[] = { 0, 'm', 'h', 'D', 'W', 'M' };
  guint n;

  g_return_if_fail (out != NULL);
  if (point == NULL)
    return;
  n = MIN (point->n_steps, IPA_TIME_POINT_MAX_STEPS);
  for (guint i = 0; i < n; i++)
    {
      const IpaTimeStep *step = &point->steps[i];

      if (i > 0)
        g_string_append_c (out, ' ');
      if (step->kind != IPA_TIME_STEP_DURATION && (guint) step->kind < G_N_ELEMENTS (ends))
        {
          g_string_append_printf (out, "+%c", ends[step->kind]);
          continue;
        }
      /* Days as W/D and seconds as h/m/s, so that the two parts stay
       * apart when read back ("1D 24h" is not "2D"). */
      if (step->days == 0 && step->seconds == 0)
        {
          g_string_append (out, "0s");
          continue;
        }
      if (step->days >= 7)
        g_string_append_printf (out, "%uW", step->days / 7);
      if (step->days % 7 != 0)
        g_string_append_printf (out, "%s%uD", step->days >= 7 ? " " : "", step->days % 7);
      if (step->seconds != 0)
        {
          guint64 s = step->seconds;
          gboolean first = step->days == 0;

          if (s >= 3600)
            {
              g_string_append_printf (out, "%s%" G_GUINT64_FORMAT "h", first ? "" : " ",
                                      s / 3600);
              first = FALSE;
            }
          if (s % 3600 >= 60)
            {
              g_string_append_printf (out, "%s%" G_GUINT64_FORMAT "m", first ? "" : " ",
                                      s % 3600 / 60);
              first = FALSE;
            }
          if (s % 60 != 0)
            g_string_append_printf (out, "%s%" G_GUINT64_FORMAT "s", first ? "" : " ",
                                    s % 60);
        }
    }
}

gboolean
ipa_time_point_equal (const IpaTimePoint *a, const IpaTimePoint *b)
{
  guint n;

  if (a == NULL || b == NULL)
    return a == b;
  if (a->n_steps != b->n_steps)
    return FALSE;
  n = MIN (a->n_steps, IPA_TIME_POINT_MAX_STEPS);
  for (guint i = 0; i < n; i++)
    {
      const IpaTimeStep *x = &a->steps[i], *y = &b->steps[i];

      if (x->kind != y->kind)
        return FALSE;
      if (x->kind == IPA_TIME_STEP_DURATION
          && (x->days != y->days || x->seconds != y->seconds))
        return FALSE;
    }
  return TRUE;
}

/* Midnight @days days after the date of @tm, keeping nothing else. */
static time_t
midnight_after (struct tm *tm, int days)
{
  tm->tm_mday += days;
  tm->tm_hour = 0;
  tm->tm_min = 0;
  tm->tm_sec = 0;
  tm->tm_isdst = -1;
  return mktime (tm);
}

/* The next multiple of @unit seconds of local time: the UTC offset of the
 * base is used, so the end of an hour that a DST change cuts short is the
 * change itself. */
static time_t
next_local_boundary (time_t t, const struct tm *tm, int unit)
{
  gint64 local = (gint64) t + tm->tm_gmtoff;
  gint64 r = local % unit;

  if (r < 0)
    r += unit;
  return (time_t) ((gint64) t - r + unit);
}

void
ipa_time_point_apply (const IpaTimePoint *point,
                      const struct tm *base_local,
                      struct tm *result_local)
{
  struct tm cur;
  time_t t;
  guint n;

  g_return_if_fail (base_local != NULL);
  g_return_if_fail (result_local != NULL);

  cur = *base_local;
  t = mktime (&cur);
  if (point == NULL || t == (time_t) -1)
    {
      *result_local = cur;
      return;
    }
  n = MIN (point->n_steps, IPA_TIME_POINT_MAX_STEPS);
  for (guint i = 0; i < n; i++)
    {
      const IpaTimeStep *step = &point->steps[i];
      struct tm next = cur;
      time_t nt = (time_t) -1;

      switch (step->kind)
        {
        case IPA_TIME_STEP_END_MINUTE:
          nt = next_local_boundary (t, &cur, 60);
          break;
        case IPA_TIME_STEP_END_HOUR:
          nt = next_local_boundary (t, &cur, 3600);
          break;
        case IPA_TIME_STEP_END_DAY:
          nt = midnight_after (&next, 1);
          break;
        case IPA_TIME_STEP_END_WEEK:
          /* Days to the next Monday: 1 on Sunday, 7 on Monday. */
          nt = midnight_after (&next, 7 - norm_mod (cur.tm_wday + 6, 7));
          break;
        case IPA_TIME_STEP_END_MONTH:
          next.tm_mday = 1;
          next.tm_mon += 1;
          nt = midnight_after (&next, 0);
          break;
        case IPA_TIME_STEP_DURATION:
        default:
          {
            guint32 days = MIN (step->days, IPA_TIME_POINT_MAX_DAYS);
            guint64 secs = MIN (step->seconds, (guint64) IPA_TIME_POINT_MAX_DAYS * 86400);

            nt = t;
            if (days > 0)
              {
                next.tm_mday += (int) days;
                next.tm_isdst = -1;
                nt = mktime (&next);
              }
            if (nt != (time_t) -1)
              nt = (time_t) ((gint64) nt + (gint64) secs);
          }
          break;
        }
      if (nt == (time_t) -1 || localtime_r (&nt, &next) == NULL)
        break; /* out of the calendar's range: keep the last good time */
      t = nt;
      cur = next;
    }
  *result_local = cur;
}
