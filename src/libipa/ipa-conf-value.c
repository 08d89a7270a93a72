/* placeholder: being written */
typedef int ipa_conf_value_placeholder;
