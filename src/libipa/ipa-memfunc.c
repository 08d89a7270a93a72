/* placeholder: being written */
typedef int ipa_memfunc_placeholder;
