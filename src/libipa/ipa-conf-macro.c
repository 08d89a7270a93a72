/* placeholder: being written */
typedef int ipa_conf_macro_placeholder;
