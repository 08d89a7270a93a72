/*
 * ipa-conf-show-common.h: printing pieces shared by ipa -t/-tt
 * (src/ipa/ipa-conf-show.c) and ipastat -t/-tt
 * (src/ipastat/ipastat-conf-show.c): words, section heads, lists of names
 * and the conf_show call of a module.
 */
#pragma once

#include <glib.h>
#include "ipa-conf-common.h"
#include "ipa-conf-printer.h"
#include "ipa-module.h"

G_BEGIN_DECLS

/* Whether the lexer reads @s back as one word that no macro expansion
 * touches, so that it can be printed bare. */
gboolean ipa_conf_show_word_is_safe (const char *s);

/* @s as an argument: bare when safe, otherwise quoted. */
void ipa_conf_show_word (IpaConfPrinter *p, const char *s);

/* "NAME [ARG] {": @arg (may be NULL) is quoted when @arg_string or when
 * it is not a safe word. */
void ipa_conf_show_sect_open (IpaConfPrinter *p, const char *name,
                              const char *arg, gboolean arg_string);

/* "NAME a b c;" when @list is set; nothing otherwise. */
void ipa_conf_show_list (IpaConfPrinter *p, const char *name,
                         const IpaConfOptList *list);

/* conf_show (@sect_id, @no) of @m, if it has one; a module that leaves a
 * section open is repaired by unwinding to where it started. */
void ipa_conf_show_module (IpaConfPrinter *p, IpaModule *m,
                           unsigned int sect_id, unsigned int no);

G_END_DECLS
