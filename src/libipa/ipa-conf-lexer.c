/* placeholder: being written */
typedef int ipa_conf_lexer_placeholder;
