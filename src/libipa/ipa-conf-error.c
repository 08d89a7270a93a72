/* ipa-conf-error.c: the error domain of configuration errors. */
#include "config.h"

#include "ipa-conf-parser.h"

G_DEFINE_QUARK (ipa-conf-error-quark, ipa_conf_error)
