/*
 * ipactl-memory.c: ipactl memory: the memory statistics of ipa and its
 * modules (Manager.Memory), one line per memory type, marray and mzone,
 * and the total.
 */
#include "config.h"

#include "ipactl.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ipa-dbus-names.h"

int
ipactl_cmd_memory (Ipactl *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  const char *kind, *name, *desc, *owner;
  guint64 bytes, peak, blocks, allocs, isize, used, allocated;
  guint64 total = 0, total_peak = 0;
  guint n = 0;

  reply = ipactl_call (c, IPA_DBUS_PATH, IPA_DBUS_IFACE_MANAGER, "Memory", NULL,
                       G_VARIANT_TYPE ("(a(ssssttttttt))"), &error);
  if (reply == NULL)
    return ipactl_report_error (error);
  g_variant_get (reply, "(a(ssssttttttt))", &iter);
  {
    g_autofree char *h_kind = ipactl_pad (_("KIND"), 8, FALSE);
    g_autofree char *h_name = ipactl_pad (_("NAME"), 20, FALSE);
    g_autofree char *h_owner = ipactl_pad (_("OWNER"), 14, FALSE);
    g_autofree char *h_bytes = ipactl_pad (_("BYTES"), 12, TRUE);
    g_autofree char *h_peak = ipactl_pad (_("PEAK"), 12, TRUE);
    g_autofree char *h_blocks = ipactl_pad (_("BLOCKS"), 9, TRUE);
    g_autofree char *h_items = ipactl_pad (_("ITEMS USED/ALL"), 15, TRUE);
    g_autofree char *h_isize = ipactl_pad (_("ISIZE"), 6, TRUE);

    printf ("%s %s %s %s %s %s %s %s  %s\n", h_kind, h_name, h_owner, h_bytes, h_peak,
            h_blocks, h_items, h_isize, _("DESCRIPTION"));
  }
  while (g_variant_iter_next (iter, "(&s&s&s&sttttttt)", &kind, &name, &desc, &owner,
                              &bytes, &peak, &blocks, &allocs, &isize, &used, &allocated))
    {
      g_autofree char *items = NULL;
      g_autofree char *blocks_text = NULL;
      g_autofree char *isize_text = NULL;
      gboolean is_type = g_str_equal (kind, "mem_type");

      /* Columns that do not apply to the kind are "-". */
      items = is_type ? g_strdup ("-")
                      : g_strdup_printf ("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                                         used, allocated);
      blocks_text = is_type ? g_strdup_printf ("%" G_GUINT64_FORMAT, blocks) : g_strdup ("-");
      isize_text = is_type ? g_strdup ("-") : g_strdup_printf ("%" G_GUINT64_FORMAT, isize);
      printf ("%-8s %-20s %-14s %12" G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT
              " %9s %15s %6s  %s\n",
              kind, name, *owner != '\0' ? owner : "ipa", bytes, peak, blocks_text, items,
              isize_text, desc);
      total += bytes;
      total_peak += peak;
      n++;
    }
  {
    g_autofree char *c_total = ipactl_pad (_("total"), 8, FALSE);

    printf ("%s %-20s %-14s %12" G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT "\n",
            c_total, "", "", total, total_peak);
  }
  return IPACTL_EXIT_OK;
}
