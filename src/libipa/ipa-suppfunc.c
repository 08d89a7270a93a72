/* placeholder: being written */
typedef int ipa_suppfunc_placeholder;
