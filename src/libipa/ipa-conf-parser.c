/* placeholder: being written */
typedef int ipa_conf_parser_placeholder;
