#!/bin/bash
# test-ipa-cli.sh: ipa -h, -v, -t and -tt from the command line, exit
# statuses and option checks.  TAP output.
set -u

top_build=${IPA_TEST_TOP_BUILDDIR:?}
top_src=${IPA_TEST_TOP_SRCDIR:?}
ipa=$top_build/src/ipa/ipa
# data/ipa.conf loads shipped modules; the other files, test modules.
export IPA_MODULE_DIR=$top_build/modules:$top_build/tests/modules
unset IPA_TEST_TRACE

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
fail=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }
check () { # description, then a command that must succeed
  local d=$1; shift
  if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# run CMD...: sets $rc, $out, $err
run () {
  "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

run "$ipa" -h
check "-h exits 0" test "$rc" -eq 0
check "-h shows the forms" grep -q -- '-k signal' "$tmp/out"

run "$ipa" -v
check "-v exits 0" test "$rc" -eq 0
check "-v prints the version" grep -q '^ipa [0-9]' "$tmp/out"
check "-v prints the module directory" grep -q 'Module directory: /' "$tmp/out"
check "-v prints the configuration file" grep -q 'Configuration file: /.*ipa.conf' "$tmp/out"
check "-v prints memfunc debugging" grep -q 'Memory functions debugging: ' "$tmp/out"

run "$ipa" -v -t
check "-v with -t is a usage error" test "$rc" -eq 64

run "$ipa" -t -f "$top_src/data/ipa.conf"
check "bundled ipa.conf is valid" test "$rc" -eq 0
check "-t prints nothing on success" test -z "$out"

for f in "$top_src"/data/examples/*.conf; do
  run "$ipa" -t -f "$f"
  check "-t accepts $(basename "$f")" test "$rc" -eq 0
done

printf 'rule a {\n  update_time = 1m;\n  bogus = 1;\n}\n' > "$tmp/bad.conf"
run "$ipa" -t -f "$tmp/bad.conf"
check "-t rejects a bad file with status 1" test "$rc" -eq 1
check "the error names FILE:LINE:COL" grep -q "^$tmp/bad.conf:3:3: .*bogus" "$tmp/err"
check "nothing on stdout for a bad file" test -z "$out"

printf 'rule a {\n' > "$tmp/unclosed.conf"
run "$ipa" -t -f "$tmp/unclosed.conf"
check "unclosed section fails" test "$rc" -eq 1
check "unclosed section message" grep -q "unclosed.conf:.*rule" "$tmp/err"

run "$ipa" -t -f "$tmp/nonexistent.conf"
check "missing file fails" test "$rc" -eq 1

printf 'ctl_enable = yes;\nrule a { }\n' > "$tmp/warn.conf"
run "$ipa" -t -f "$tmp/warn.conf"
check "a warning does not fail -t" test "$rc" -eq 0
check "the warning is shown with its location" grep -q "warn.conf:1:1: ctl_enable.*(warning)" "$tmp/err"

# -tt prints the effective configuration, which parses again to itself.
printf 'global { update_time = 7m; }\nrulepat "^h" { append_time = 1h; }\nrule h1 { }\n' > "$tmp/eff.conf"
run "$ipa" -tt -f "$tmp/eff.conf"
check "-tt exits 0" test "$rc" -eq 0
check "-tt shows inherited update_time" grep -q 'update_time = 7m;' "$tmp/out"
check "-tt shows defaults" grep -q 'shell_path = "/bin/sh";' "$tmp/out"
for f in "$top_src"/data/ipa.conf "$top_src"/data/examples/*.conf; do
  "$ipa" -tt -f "$f" > "$tmp/p1.conf" 2>"$tmp/err1"
  "$ipa" -tt -f "$tmp/p1.conf" > "$tmp/p2.conf" 2>"$tmp/err2"
  check "-tt output of $(basename "$f") re-parses to itself" cmp -s "$tmp/p1.conf" "$tmp/p2.conf"
done

# option checks
run "$ipa" -t -f relative-does-not-exist.conf
check "-f with a missing file fails" test "$rc" -eq 1
check "a relative -f is reported as an absolute path" grep -qF "$PWD/relative-does-not-exist.conf" "$tmp/err"
(cd "$top_src/data" && "$ipa" -t -f ipa.conf) >/dev/null 2>&1; rc=$?
check "-f takes a path relative to the working directory" test "$rc" -eq 0
run "$ipa" -c relative -t
check "-c needs an absolute path" test "$rc" -eq 64
run "$ipa" -ttt -f "$top_src/data/ipa.conf"
check "-ttt is refused" test "$rc" -eq 64
run "$ipa" -t -d
check "-t with -d is refused" test "$rc" -eq 64
run "$ipa" -r r1 -t
check "-r without -x is refused" test "$rc" -eq 64
run "$ipa" -k bogus
check "-k with an unknown word is refused" test "$rc" -eq 64
run "$ipa" -k test -f /etc/ipa.conf
check "-k with -f is refused" test "$rc" -eq 64
run "$ipa" -x -l l1 reach
check "-x -l without -r is refused" test "$rc" -eq 64
run "$ipa" -x -r r -l l -t t reach
check "-x with -l and -t is refused" test "$rc" -eq 64
run "$ipa" -x -r r -s s reach
check "-x -s without -l is refused" test "$rc" -eq 64
run "$ipa" -x
check "-x without a section is refused" test "$rc" -eq 64
run "$ipa" -u no_such_user_x1 -t
check "unknown -u user is refused" test "$rc" -eq 64
run "$ipa" extra
check "a stray argument is refused" test "$rc" -eq 64

# modes that came with the engine (their own tests: tests/daemon)
run "$ipa" -x -r r -t thr above_threshold -f "$top_src/data/ipa.conf"
check "-x -t THRESHOLD is parsed (an unknown rule is an error, not a usage error)" test "$rc" -eq 1
check "-x names the unknown rule" grep -q 'no static rule "r"' "$tmp/err"
run "$ipa" -k test -p "$tmp/none.pid"
check "-k test without a daemon: exit 1" test "$rc" -eq 1

echo "1..$n"
exit $fail
