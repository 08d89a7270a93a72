#!/bin/bash
# test-po-programs.sh LOCALEDIR: ipa, ipactl and ipastat speak Russian
# under LANGUAGE=ru with the catalog built into LOCALEDIR (BUILD/po, given
# to the programs in IPA_LOCALEDIR), and English without LANGUAGE.  The
# Russian expected is looked up in the same catalog with gettext(1), so the
# test follows the wording of po/ru.po; each check also requires that
# wording to differ from the English.  TAP output.
set -u

localedir=${1:?usage: test-po-programs.sh LOCALEDIR}
top_build=${IPA_TEST_TOP_BUILDDIR:?}
ipa=$top_build/src/ipa/ipa
ipactl=$top_build/src/ipactl/ipactl
ipastat=$top_build/src/ipastat/ipastat

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# C.UTF-8 is not "C": gettext honours LANGUAGE with it, and it is the one
# UTF-8 locale every glibc has.
export LC_ALL=C.UTF-8 IPA_LOCALEDIR=$localedir
unset LANG LANGUAGE LC_MESSAGES

n=0
fail=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }

# ru MSGID: the Russian of MSGID in the catalog (escapes such as \n expanded).
ru () { LANGUAGE=ru TEXTDOMAINDIR=$localedir gettext -e -d ipa -- "$1"; }
# ru_n MSGID PLURAL N: the Russian plural form for N.
ru_n () { LANGUAGE=ru TEXTDOMAINDIR=$localedir ngettext -e -d ipa -- "$1" "$2" "$3"; }

# fill FORMAT ARGS...: FORMAT, a message of the catalog, filled as printf does.
# shellcheck disable=SC2059
fill () { local format=$1; shift; printf -- "$format" "$@"; }

# run LANG_CODE PROGRAM ARGS...: sets $rc and $out (stdout and stderr).
run () {
  local lang=$1; shift
  if [ -n "$lang" ]; then
    LANGUAGE=$lang "$@" </dev/null >"$tmp/out" 2>&1
  else
    "$@" </dev/null >"$tmp/out" 2>&1
  fi
  rc=$?
  out=$(cat "$tmp/out")
}

has_cyrillic () { grep -qP '\p{Cyrillic}' <<<"$1"; }

# expect NAME WANT ENGLISH [STATUS]: the last run printed WANT, which is
# not ENGLISH (so the catalog was used), and, with STATUS, exited with it.
expect () {
  local name=$1 want=$2 english=$3 status=${4:-}
  if [ "$want" = "$english" ] || ! has_cyrillic "$want"; then
    not_ok "$name: the catalog has no Russian for \"$english\""
  elif [[ "$out" != *"$want"* ]]; then
    not_ok "$name: \"$want\" not printed"
    sed 's/^/# /' "$tmp/out"
  elif [ -n "$status" ] && [ "$rc" -ne "$status" ]; then
    not_ok "$name: exit status $rc, not $status"
  else
    ok "$name"
  fi
}

# expect_english NAME WANT [STATUS]: the last run printed WANT and no Cyrillic.
expect_english () {
  local name=$1 want=$2 status=${3:-}
  if [[ "$out" != *"$want"* ]] || has_cyrillic "$out"; then
    not_ok "$name"
    sed 's/^/# /' "$tmp/out"
  elif [ -n "$status" ] && [ "$rc" -ne "$status" ]; then
    not_ok "$name: exit status $rc, not $status"
  else
    ok "$name"
  fi
}

if [ ! -f "$localedir/ru/LC_MESSAGES/ipa.mo" ]; then
  echo "Bail out! no catalog $localedir/ru/LC_MESSAGES/ipa.mo"
  exit 1
fi

# --- ipa ---
msg="ipa, the pluggable accounting daemon."
run ru "$ipa" -h
expect "ipa -h" "$(ru "$msg")" "$msg" 0
run "" "$ipa" -h
expect_english "ipa -h without LANGUAGE" "$msg" 0

msg='Configuration file: %s\n'
run ru "$ipa" -v
expect "ipa -v" "$(ru "$msg" | sed 's/%s.*//')" "Configuration file: " 0

# A configuration error of ipa.conf, with its location.
conf=$tmp/broken.conf
printf 'rule r1 {\n}\nrule r1 {\n}\n' >"$conf"
msg='duplicate rule "%s" (first at %s:%u)'
want=$(fill "$(ru "$msg")" r1 "$conf" 1)
run ru "$ipa" -t -f "$conf"
expect "ipa -t on a broken file" "$want" "$(fill "$msg" r1 "$conf" 1)" 1
run "" "$ipa" -t -f "$conf"
expect_english "ipa -t on a broken file without LANGUAGE" "$(fill "$msg" r1 "$conf" 1)" 1

# An error of the configuration language itself (src/libipa): the parser's
# message after FILE:LINE:COLUMN, with the token the lexer found.
conf=$tmp/syntax.conf
printf 'rule r1 {\n  ac_list = atest\n}\n' >"$conf"
msg="expected ';' or '{' after arguments of \"%s\", got %s"
want="$conf:3:1: $(fill "$(ru "$msg")" ac_list "$(ru "'}'")")"
english="$conf:3:1: $(fill "$msg" ac_list "'}'")"
run ru "$ipa" -t -f "$conf"
expect "ipa -t: a syntax error of libipa" "$want" "$english" 1
run "" "$ipa" -t -f "$conf"
expect_english "ipa -t: a syntax error of libipa without LANGUAGE" "$english" 1

# A plural built in libipa: "expects 1 argument" takes the Russian form of 1.
conf=$tmp/args.conf
printf 'debug_time 1 2;\n' >"$conf"
english=$(fill 'parameter "%s" expects %d argument, got %u' debug_time 1 2)
want=$(fill "$(ru_n 'parameter "%s" expects %d argument, got %u' \
                    'parameter "%s" expects %d arguments, got %u' 1)" debug_time 1 2)
run ru "$ipa" -t -f "$conf"
expect "ipa -t: argument count in Russian (plural form of 1)" "$want" "$english" 1

# A plural: two failed commands take the Russian form of 2 (neither 1 nor 5).
conf=$tmp/fail.conf
printf 'startup {\n  exec "exit 1";\n  exec "exit 2";\n}\n' >"$conf"
one='ipa: %d command failed\n'
many='ipa: %d commands failed\n'
want=$(fill "$(ru_n "$one" "$many" 2)" 2)
run ru "$ipa" -x -f "$conf" startup
expect "ipa -x: plural form for 2 failed commands" "$want" "ipa: 2 commands failed" 1
if [ "$(ru_n "$one" "$many" 2)" != "$(ru_n "$one" "$many" 5)" ]; then
  ok "the catalog has distinct Russian forms for 2 and 5"
else
  not_ok "the catalog has distinct Russian forms for 2 and 5"
fi

# --- ipactl ---
msg="Control a running ipa over D-Bus."
run ru "$ipactl" -h
expect "ipactl -h" "$(ru "$msg")" "$msg" 0

msg='unknown command "%s"'
want="$(fill "$(ru "$msg")" frobnicate)"
run ru "$ipactl" frobnicate
expect "ipactl: unknown command" "$want" "unknown command \"frobnicate\"" 64
expect "ipactl: hint to -h" "$(ru 'Try "ipactl -h" for help.\n')" 'Try "ipactl -h" for help.' 64
run "" "$ipactl" frobnicate
expect_english "ipactl: unknown command without LANGUAGE" 'unknown command "frobnicate"' 64

bus="unix:path=$tmp/no-bus"
msg='cannot connect to the bus %s: '
want="$(fill "$(ru "$msg")" "$bus")"
run ru "$ipactl" -s "$bus" status
expect "ipactl status without a bus" "$want" "$(fill "$msg" "$bus")"

# --- ipastat ---
msg="ipastat, the statistics viewer of ipa."
run ru "$ipastat" -h
expect "ipastat -h" "$(ru "$msg")" "$msg" 0

msg="give -t to check the configuration or -q QUERY to ask for statistics"
run ru "$ipastat"
expect "ipastat without -t or -q" "$(ru "$msg")" "$msg" 64
run "" "$ipastat"
expect_english "ipastat without -t or -q, without LANGUAGE" "$msg" 64

echo "1..$n"
exit "$fail"
