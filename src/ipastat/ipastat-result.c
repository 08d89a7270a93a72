/*
 * ipastat-result.c: result blocks, sums of counters and their printing.
 */
#include "config.h"

#include <string.h>

#include "ipastat-result.h"
#include "ipa-conf-value.h"

IpastatBlock *
ipastat_block_new (IpastatBlockKind kind, const char *system, const char *rule)
{
  IpastatBlock *b = g_new0 (IpastatBlock, 1);

  b->kind = kind;
  b->system = g_strdup (system);
  b->rule = g_strdup (rule);
  return b;
}

void
ipastat_block_free (gpointer p)
{
  IpastatBlock *b = p;

  g_free (b->system);
  g_free (b->rule);
  g_free (b->rule_info);
  g_free (b->name);
  g_free (b->info);
  g_clear_pointer (&b->records, g_array_unref);
  g_clear_pointer (&b->states, g_array_unref);
  g_clear_pointer (&b->rules, g_array_unref);
  g_clear_pointer (&b->limits, g_array_unref);
  g_clear_pointer (&b->thresholds, g_array_unref);
  g_free (b);
}

IpastatResult *
ipastat_result_new (void)
{
  IpastatResult *r = g_new0 (IpastatResult, 1);

  r->blocks = g_ptr_array_new_with_free_func (ipastat_block_free);
  return r;
}

void
ipastat_result_free (IpastatResult *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref (result->blocks);
  g_free (result);
}

/* ---------------------------------------------------------------------
 * 128-bit sums
 */

void
ipastat_sum_add (IpastatSum *sum, guint64 value)
{
  sum->lo += value;
  if (sum->lo < value)
    sum->hi++;
}

IpastatSum
ipastat_block_total (const IpastatBlock *block)
{
  IpastatSum sum = { 0, 0 };

  for (guint i = 0; block->records != NULL && i < block->records->len; i++)
    ipastat_sum_add (&sum, g_array_index (block->records, struct ipa_rule_stat, i).cnt);
  return sum;
}

void
ipastat_sum_format (GString *out, const IpastatSum *sum)
{
  guint32 limb[4] = {
    (guint32) (sum->hi >> 32), (guint32) sum->hi,
    (guint32) (sum->lo >> 32), (guint32) sum->lo
  };
  char digits[48];
  int pos = sizeof digits;
  gboolean zero;

  if (sum->hi == 0)
    {
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, sum->lo);
      return;
    }
  /* Long division by 10, most significant 32-bit limb first. */
  digits[--pos] = '\0';
  do
    {
      guint64 rem = 0;

      zero = TRUE;
      for (int i = 0; i < 4; i++)
        {
          guint64 cur = (rem << 32) | limb[i];

          limb[i] = (guint32) (cur / 10);
          rem = cur % 10;
          zero &= limb[i] == 0;
        }
      digits[--pos] = (char) ('0' + rem);
    }
  while (!zero);
  g_string_append (out, digits + pos);
}

static IpastatSum
sum_shr (IpastatSum v, guint n)
{
  IpastatSum r;

  if (n == 0)
    return v;
  if (n >= 64)
    {
      r.hi = 0;
      r.lo = n >= 128 ? 0 : v.hi >> (n - 64);
      return r;
    }
  r.hi = v.hi >> n;
  r.lo = (v.lo >> n) | (v.hi << (64 - n));
  return r;
}

/* @v modulo 2^n. */
static IpastatSum
sum_low_bits (IpastatSum v, guint n)
{
  IpastatSum r = v;

  if (n >= 128)
    return r;
  if (n >= 64)
    r.hi &= n == 64 ? 0 : (G_GUINT64_CONSTANT (1) << (n - 64)) - 1;
  else
    {
      r.hi = 0;
      r.lo &= (G_GUINT64_CONSTANT (1) << n) - 1;
    }
  return r;
}

static gboolean
sum_at_least_pow2 (const IpastatSum *v, guint n)
{
  IpastatSum q = sum_shr (*v, n);

  return q.hi != 0 || q.lo != 0;
}

static void
format_bytes (GString *out, const IpastatSum *v)
{
  static const char *const units[] = {
    "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB"
  };
  guint k = 0, shift, s;
  IpastatSum q, r;
  guint64 hundredths;

  while (k + 1 < G_N_ELEMENTS (units) && sum_at_least_pow2 (v, 10 * (k + 1)))
    k++;
  if (k == 0)
    {
      g_string_append_printf (out, "%" G_GUINT64_FORMAT " B", v->lo);
      return;
    }
  shift = 10 * k;
  q = sum_shr (*v, shift);
  r = sum_low_bits (*v, shift);
  /* Two decimals from the top 50 bits of the remainder, rounded. */
  s = MIN (shift, 50);
  r = sum_shr (r, shift - s);
  hundredths = (r.lo * 100 + (G_GUINT64_CONSTANT (1) << (s - 1))) >> s;
  if (hundredths == 100)
    {
      q.lo++;
      hundredths = 0;
      if (q.lo == 1024 && k + 1 < G_N_ELEMENTS (units))
        {
          q.lo = 1;
          k++;
        }
    }
  g_string_append_printf (out, "%" G_GUINT64_FORMAT ".%02u %s", q.lo,
                          (guint) hundredths, units[k]);
}

void
ipastat_format_counter (GString *out, const IpastatSum *value,
                        IpastatUnits units)
{
  switch (units)
    {
    case IPASTAT_UNITS_BYTES:
      format_bytes (out, value);
      break;
    case IPASTAT_UNITS_TIME:
      if (value->hi == 0)
        {
          ipa_conf_format_time (out, value->lo);
          break;
        }
      ipastat_sum_format (out, value);
      g_string_append (out, "s");
      break;
    default:
      ipastat_sum_format (out, value);
      break;
    }
}
