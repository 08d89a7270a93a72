/* placeholder: being written */
typedef int ipa_module_placeholder;
