/*
 * ipa-suppfunc.h: the ipa_suppfunc table given to every module
 * (ipa_mod(3)): configuration printing, logging and macro variables.
 */
#pragma once

#include <glib.h>
#include "ipa_mod.h"

G_BEGIN_DECLS

/* The one table of the process; its functions have no context argument,
 * so they act on the current configuration printer
 * (ipa_conf_printer_get_current()), the current parser
 * (ipa_conf_parser_get_current()) and the process log (ipa-log.h). */
const ipa_suppfunc *ipa_suppfunc_get (void);

G_END_DECLS
