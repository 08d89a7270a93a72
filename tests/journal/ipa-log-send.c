/*
 * ipa-log-send.c: send one message through ipa-log to the journal, for
 * test-journald.sh, which reads it back from a real journald.
 *
 *   ipa-log-send multiline    "first line\nsecond line", IPA_RULE=multi
 *   ipa-log-send big BYTES    one message of BYTES 'x', IPA_RULE=big
 *
 * A message the journal refused falls back to stderr with a notice, which
 * the test looks for.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ipa-log.h"

int
main (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  ipa_log_init ("ipa-log-send", IPA_LOG_TARGET_JOURNAL);
  if (strcmp (argv[1], "multiline") == 0)
    {
      const char *fields[] = { "IPA_RULE=multi", NULL };

      ipa_log_structured (LOG_NOTICE, NULL, fields, "first line\nsecond line");
    }
  else if (strcmp (argv[1], "big") == 0 && argc == 3)
    {
      const char *fields[] = { "IPA_RULE=big", NULL };
      gsize n = (gsize) strtoul (argv[2], NULL, 10);
      g_autofree char *text = g_malloc (n + 1);

      memset (text, 'x', n);
      text[n] = '\0';
      ipa_log_structured (LOG_NOTICE, NULL, fields, "%s", text);
    }
  else
    return 2;
  return 0;
}
