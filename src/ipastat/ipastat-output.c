/*
 * ipastat-output.c: choosing the output format.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ipastat-output.h"

const char *const ipastat_limit_event_keys[IPA_LIMIT_EVENT_NUM] = {
  "start", "restart", "restart_exec", "reach", "reach_exec",
  "expire", "expire_exec", "updated"
};

const char *const ipastat_limit_event_titles[IPA_LIMIT_EVENT_NUM] = {
  N_("Started"), N_("Restart"), N_("Restart exec"), N_("Reached"),
  N_("Reach exec"), N_("Expire"), N_("Expire exec"), N_("Updated")
};

void
ipastat_output_format (GString *out, const IpastatResult *result,
                       IpastatFormat format)
{
  switch (format)
    {
    case IPASTAT_FORMAT_PLAIN:
      ipastat_output_csv (out, result, TRUE);
      break;
    case IPASTAT_FORMAT_CSV:
      ipastat_output_csv (out, result, FALSE);
      break;
    case IPASTAT_FORMAT_JSON:
      ipastat_output_json (out, result);
      break;
    default:
      ipastat_output_table (out, result);
      break;
    }
}
