/* placeholder: being written */
typedef int ipa_log_placeholder;
