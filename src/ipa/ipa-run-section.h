/*
 * ipa-run-section.h: ipa -x, running the commands of one section of
 * ipa.conf by hand.
 *
 *   ipa -x startup | shutdown                   the global sections
 *   ipa -x -r R startup|shutdown [if_all_reached|if_any_reached|
 *                                 if_all_not_reached|if_any_not_reached]
 *   ipa -x -r R -l L restart|reach|expire
 *   ipa -x -r R -l L startup|shutdown [if_reached|if_not_reached]
 *   ipa -x -r R -l L -s S reach|expire
 *   ipa -x -r R -t T below_threshold|equal_threshold|above_threshold
 *
 * R is a static rule, L a limit of it (its own or one from a rulepat), S
 * the sublimit's argument as -tt prints it ("90%", "1G 512M"), T a
 * threshold.  The commands run once, one after the other, synchronously,
 * with the environment the daemon would give them.  No PID file, no
 * database, no accounting.
 */
#pragma once

#include <glib.h>
#include "ipa-conf.h"

G_BEGIN_DECLS

#define IPA_RUN_SECTION_ERROR (ipa_run_section_error_quark ())
GQuark ipa_run_section_error_quark (void);

typedef enum {
  IPA_RUN_SECTION_ERROR_NO_OBJECT,   /* no such rule, limit, sublimit, threshold */
  IPA_RUN_SECTION_ERROR_BAD_SECTION, /* that section cannot be there */
  IPA_RUN_SECTION_ERROR_ABSENT,      /* it could be there, but is not written */
} IpaRunSectionError;

typedef struct {
  const char *rule;        /* -r, NULL for the global sections */
  const char *limit;       /* -l */
  const char *sublimit;    /* -s */
  const char *threshold;   /* -t */
  const char *section;
  const char *subsection;  /* NULL when not given */
} IpaRunSectionRequest;

/* The commands @request names in @conf, or NULL with @error set.  The
 * result points into @conf.  @event gets the section name used for
 * IPA_EVENT (the subsection when given); @debug the debug_exec level of
 * the rule (0 for global sections). */
const IpaConfCmds *ipa_run_section_find (const IpaConf *conf,
                                         const IpaRunSectionRequest *request,
                                         guint *debug,
                                         GError **error);

/* Find the section and run its commands.  Returns the number of commands
 * that failed, or -1 with @error set when the section cannot be found. */
int ipa_run_section (const IpaConf *conf,
                     const IpaRunSectionRequest *request,
                     GError **error);

G_END_DECLS
