typedef int ipa_conf_placeholder;
