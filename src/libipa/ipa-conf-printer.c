/* placeholder: being written */
typedef int ipa_conf_printer_placeholder;
