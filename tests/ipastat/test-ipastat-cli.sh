#!/bin/bash
# test-ipastat-cli.sh: ipastat from the command line: golden outputs of
# every format and query kind, options, interval errors and the exit
# status of each kind of failure.  TAP output.
#
# IPASTAT_UPDATE_GOLDEN=1 rewrites the golden files from the current
# output (then review them with a diff before committing).
# IPASTAT_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full"
# runs every ipastat under that tool.
set -u

top_build=${IPA_TEST_TOP_BUILDDIR:?}
top_src=${IPA_TEST_TOP_SRCDIR:?}
src=${IPA_TEST_SRCDIR:?}/ipastat
build=${IPA_TEST_BUILDDIR:?}/ipastat
ipastat=$top_build/src/ipastat/ipastat
golden=$src/golden
export IPA_MODULE_DIR=$build
export TZ=Europe/Kyiv LC_ALL=C
unset IPA_TEST_TRACE
wrapper=${IPASTAT_WRAPPER:-}

tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
conf=$src/test.conf

n=0
fail=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }
check () { # description, then a command that must succeed
  local d=$1; shift
  if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# run ARGS...: ipastat ARGS; sets $rc, $out, $err
run () {
  # shellcheck disable=SC2086
  $wrapper "$ipastat" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

# golden NAME ARGS...: stdout of "ipastat -f test.conf ARGS" must equal
# golden/NAME.out, and the status 0.
golden () {
  local name=$1; shift
  run -f "$conf" "$@"
  if [ -n "${IPASTAT_UPDATE_GOLDEN:-}" ]; then
    cp "$tmp/out" "$golden/$name.out"
  fi
  if [ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$golden/$name.out"; then
    ok "golden $name: $*"
  else
    not_ok "golden $name: $* (status $rc)"
    diff -u "$golden/$name.out" "$tmp/out" | sed 's/^/# /'
    sed 's/^/# stderr: /' "$tmp/err"
  fi
}

# status CODE DESCRIPTION PATTERN ARGS...: ipastat ARGS exits with CODE
# and its stderr matches PATTERN (grep -E).
status () {
  local code=$1 d=$2 pattern=$3; shift 3
  run "$@"
  if [ "$rc" -eq "$code" ] && grep -Eq -- "$pattern" "$tmp/err"; then
    ok "$d (status $code)"
  else
    not_ok "$d: status $rc, expected $code; stderr:"
    sed 's/^/# /' "$tmp/err"
  fi
}

# --- golden outputs ---------------------------------------------------

golden rule-table -q -r lan_in -i 2024
golden rule-json -q -r lan_in -i 2024 -o json
golden rule-csv -q -r lan_in -i 2024 -o csv
golden rule-plain -q -r lan_in -i 2024 -n
golden rules-order -q -r host_b -r lan_out -r host_a -i 2024.3
golden dst-spring -q -r lan_in -i 2024.03.31
golden dst-autumn -q -r lan_in -i 2024.10.27 -o csv
golden leap-day -q -r lan_in -i 2024.2
golden month-ends -q -r lan_in -i 2024.01.31-2024.02.01 -o plain
golden year-end -q -r lan_in -i 2023.12.31-2024.01.01 -o json
golden exact0 -q -r lan_in -i 2024.02.28/08-/12
golden exact1 -q -r lan_in -i 2024.02.28/08-/12 -e
golden big-table -q -r big -i 2024.3
golden big-json -q -r big -i 2024.3 -o json
golden big-units -q -r big -i 2024.3 -U bytes
golden units -q -r host_b -r host_a -i 2024.3 -U raw
golden empty -q -r empty -i 2024
golden limit-history -q -r lan_in -l monthly -i 2024
golden limit-history-json -q -r lan_in -l monthly -i 2024.2-2024.3 -o json
golden limit-history-csv -q -r lan_in -l monthly -i 2024 -o csv
golden limit-current -q -r lan_in -l monthly -l daily
golden limit-current-c -q -r lan_in -l monthly -i 2024 -c -o plain
golden threshold -q -r lan_in -t burst -t quiet
golden threshold-json -q -r lan_in -t burst -t quiet -o json
golden threshold-csv -q -r lan_in -t burst -t quiet -o csv
golden mixed-plain -q -r lan_in -l monthly -t burst -r host_a -l quota -r lan_out -i 2024 -n
golden mixed-csv -q -r lan_in -l daily -t quiet -r lan_out -i 2024.3 -o csv
golden list-rules -q -a
golden list-rules-fix2 -q -a -s fix2
golden list-rules-json -q -a -o json
golden list-entities -q -a -r lan_in
golden list-entities-filter -q -a -r lan_in -l monthly -o csv
golden list-entities-regex -q -a -x -r '^host_' -l . -t .
golden list-entities-json -q -a -r lan_in -r lan_out -o json
golden regex-stats -q -x -r '^lan' -i 2024.3.31 -n
golden conf-tt -tt

# The JSON documents parse, with the format version on top.
if [ -x /usr/bin/python3 ]; then
  for f in "$golden"/*json*.out; do
    check "$(basename "$f") is JSON of format_version 1" /usr/bin/python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["format_version"] == 1 and isinstance(doc["results"], list)' "$f"
  done
else
  ok "# SKIP no python3 to validate JSON"
fi

# --- configuration check ----------------------------------------------

run -f "$conf" -t
check "-t exits 0 for the test configuration" test "$rc" -eq 0
check "-t prints nothing on success" test -z "$out"
"$ipastat" -f "$conf" -tt > "$tmp/p1.conf" 2>/dev/null
"$ipastat" -f "$tmp/p1.conf" -tt > "$tmp/p2.conf" 2>/dev/null
check "-tt output re-parses to itself" cmp -s "$tmp/p1.conf" "$tmp/p2.conf"
(cd "$src" && "$ipastat" -f test.conf -t) >/dev/null 2>&1
check "-f takes a path relative to the working directory" test $? -eq 0

printf 'st_mod "ipa_test_stfix.so";\nrule a {\n  value_units = furlongs;\n}\n' > "$tmp/bad.conf"
status 78 "a bad value is a configuration error" "^$tmp/bad.conf:3:3: .*furlongs" -f "$tmp/bad.conf" -t
check "nothing on stdout for a bad file" test -z "$out"
printf 'rule a {\n' > "$tmp/unclosed.conf"
status 78 "an unclosed section is a configuration error" "unclosed.conf:" -f "$tmp/unclosed.conf" -t
status 78 "a missing file is a configuration error" "nonexistent.conf" -f "$tmp/nonexistent.conf" -t
status 78 "the configuration is checked by -q too" "bad.conf:3:3:" -f "$tmp/bad.conf" -q -a
printf 'st_mod "ipa_test_stfix.so";\nglobal { st_list = fix nosuch; }\n' > "$tmp/list.conf"
status 78 "st_list names loaded systems only" "list.conf:2:10: .*nosuch" -f "$tmp/list.conf" -t
printf 'st_mod "ipa_no_such_module.so";\n' > "$tmp/nomod.conf"
status 78 "a module that cannot be loaded" "nomod.conf:1:.*ipa_no_such_module" -f "$tmp/nomod.conf" -t

# --- general options --------------------------------------------------

run -h
check "-h exits 0" test "$rc" -eq 0
check "-h shows the forms" grep -q -- '-q query' "$tmp/out"
check "-h lists the query options" grep -q -- '-i INTERVAL' "$tmp/out"
run -v
check "-v exits 0" test "$rc" -eq 0
check "-v prints the version" grep -q '^ipastat [0-9]' "$tmp/out"
check "-v prints the configuration file" grep -q 'Configuration file: /.*ipastat.conf' "$tmp/out"
check "-v prints the JSON format version" grep -q 'format_version 1' "$tmp/out"
status 64 "-v with other options" "-v cannot" -v -t
status 64 "no mode" "give -t" -f "$conf"
status 64 "-t and -q together" "together" -f "$conf" -t -q -a
status 64 "-ttt" "at most twice" -f "$conf" -ttt
status 64 "-c needs an absolute path" "absolute" -c relative -t
status 64 "unknown user" "unknown user" -u no_such_user_x1 -f "$conf" -t
status 64 "unknown option" "Unknown option" -f "$conf" -z -t
status 64 "a stray argument" "unexpected argument" -f "$conf" extra -t
status 64 "-q with an attached word" "no argument" -f "$conf" -qr lan_in

# --- query errors -----------------------------------------------------

status 64 "a query needs -r or -a" "names no rule" -f "$conf" -q
status 64 "-l before -r" "needs a -r" -f "$conf" -q -l monthly -r lan_in
status 64 "unknown query option" "unknown query option -z" -f "$conf" -q -r lan_in -z
status 64 "a stray word in the query" "unexpected word" -f "$conf" -q -r lan_in lan_out
status 64 "unknown format" "table, plain, csv or json" -f "$conf" -q -r lan_in -o xml
status 64 "unknown units" "raw, bytes or time" -f "$conf" -q -r lan_in -U furlongs
status 64 "-i with -a" "cannot be used with -a" -f "$conf" -q -a -i 2024
status 64 "-c without -l" "needs -l" -f "$conf" -q -r lan_in -c
status 64 "unknown system in -s" "unknown statistics system \"nosuch\"" -f "$conf" -q -a -s nosuch
status 64 "a bad regular expression" "bad regular expression" -f "$conf" -q -x -r '('

status 65 "day 30 of February" "no day 30 in 2024.02" -f "$conf" -q -r lan_in -i 2024.2.30
status 65 "day 29 of February 2023" "no day 29 in 2023.02" -f "$conf" -q -r lan_in -i 2023.02.29
status 65 "month 13" "no month 13" -f "$conf" -q -r lan_in -i 2024.13
status 65 "an end before the start" "before its start" -f "$conf" -q -r lan_in -i 2024.3-2024.2
status 65 "24:00 as a start" "24:00:00" -f "$conf" -q -r lan_in -i /24
status 65 "a time without a day" "needs a day" -f "$conf" -q -r lan_in -i 2024.3/10
status 65 "garbage" "bad date" -f "$conf" -q -r lan_in -i yesterday

status 67 "a rule no system has" "unknown rule \"nosuch\"" -f "$conf" -q -r nosuch
status 67 "a limit no system has" "unknown limit \"nolimit\" of rule \"lan_in\"" -f "$conf" -q -r lan_in -l nolimit
status 67 "a threshold no system has" "unknown threshold \"nothr\"" -f "$conf" -q -r lan_in -t nothr
status 67 "a rule of another system" "unknown rule \"host_a\"" -f "$conf" -q -s fix2 -r host_a
status 67 "an invalid rule name" "not a valid rule name" -f "$conf" -q -r 'a/b'
printf 'st_mod "ipa_test_stfix.so";\ndynamic_rules = no;\nrule lan_in { }\n' > "$tmp/static.conf"
status 67 "a rule without section when dynamic_rules is no" "dynamic_rules is no" -f "$tmp/static.conf" -q -r lan_out
run -f "$tmp/static.conf" -q -r lan_in -i 2024.3.1 -n
check "a rule with a section works when dynamic_rules is no" test "$rc" -eq 0 -a -n "$out"
# Partial results stay: the known rule is printed, the status is the error's.
run -f "$conf" -q -r nosuch -r lan_in -i 2024.3.1 -n
check "an unknown rule does not stop the others" test "$rc" -eq 67 -a "$out" = "record fix lan_in 2024-03-01 00:00:00 23:59:59 5000"

# Module failures by errno (the module logs it, ipastat maps it).
fail_conf () { printf 'st_mod "ipa_test_stfix.so";\n%s\n' "$1" > "$tmp/fail.conf"; }
fail_conf 'fix:db_dir = "/nonexistent/ipa";'
status 66 "a missing database" "cannot open database directory /nonexistent/ipa: No such file" -f "$tmp/fail.conf" -q -a
fail_conf 'fix:fail = "rule_stat@lan_out:EBUSY";'
status 75 "a busy database" "st_get_rule_stat of rule \"lan_out\" failed" -f "$tmp/fail.conf" -q -r lan_out
run -f "$tmp/fail.conf" -q -r lan_in -r lan_out -i 2024.3.1 -n
check "a busy rule does not hide the others" test "$rc" -eq 75 -a -n "$out"
fail_conf 'fix:fail = "rule_stat:EAGAIN";'
status 75 "EAGAIN is busy too" "simulated failure of rule_stat" -f "$tmp/fail.conf" -q -r lan_in
fail_conf 'fix:fail = "limit_stat:EACCES";'
status 77 "a database that may not be read" "Permission denied" -f "$tmp/fail.conf" -q -r lan_in -l monthly
fail_conf 'fix:fail = "threshold_stat:EIO";'
status 74 "any other database error" "st_get_threshold_stat of threshold \"burst\"" -f "$tmp/fail.conf" -q -r lan_in -t burst
fail_conf 'fix:fail = "init:ENOSYS";'
status 69 "a module that cannot do it" "st_init failed" -f "$tmp/fail.conf" -q -a
fail_conf 'fix:broken = "nobuf";'
status 70 "a module that breaks the API" "broke the module API" -f "$tmp/fail.conf" -q -a
fail_conf 'fix:broken = "badret";'
status 70 "a bad return value" "returned 7" -f "$tmp/fail.conf" -q -r lan_in -t burst

# --- call contract, as a module sees it -------------------------------

export IPA_TEST_TRACE=$tmp/trace
run -f "$conf" -q -r lan_in -l daily -i 2024.3.31
unset IPA_TEST_TRACE
grep -E '^st_' "$tmp/trace" > "$tmp/calls"
if [ -n "${IPASTAT_UPDATE_GOLDEN:-}" ]; then cp "$tmp/calls" "$golden/calls.trace"; fi
check "module calls of a query (golden calls.trace)" cmp -s "$tmp/calls" "$golden/calls.trace"

# The default interval is the current month (asked twice in case the
# month turns meanwhile).
for attempt in 1 2; do
  before=$(date +%Y-%m)
  export IPA_TEST_TRACE=$tmp/trace.default
  rm -f "$tmp/trace.default"
  run -f "$conf" -q -r lan_in
  unset IPA_TEST_TRACE
  after=$(date +%Y-%m)
  [ "$before" = "$after" ] && break
done
last=$(date -d "$before-01 +1 month -1 day" +%d)
check "no -i means the current month" \
  grep -q "^st_get_rule_stat 0 $before-01T00:00:00 $before-${last}T23:59:59 0\$" "$tmp/trace.default"

# --- a real database: ipa_db_gdbm writes, ipa_st_gdbm reads ------------
#
# gdbm-fixture writes the data of ipa_test_stfix (stfix-data.h) through
# ipa_db_gdbm; every query must then print the same over both modules
# (but for the name of the statistics system), and must not change the
# database files.

if [ -f "$top_build/modules/ipa_st_gdbm.so" ] && [ -f "$top_build/modules/ipa_db_gdbm.so" ]; then
  db=$tmp/gdbm
  mkdir "$db"
  IPA_MODULE_DIR=$top_build/modules "$build/gdbm-fixture" "$db" 2>"$tmp/fixture.err"
  check "gdbm-fixture writes a database through ipa_db_gdbm" test $? -eq 0
  same_conf () { # SYSTEM ST_MOD [GLOBAL PARAMETER]
    printf 'st_mod "%s";
global { st_list = %s; value_units = bytes; %s }
' "$2" "$1" "${3:-}"
    printf 'rulepat "^host_" { value_units = time; limit quota { } }
'
    printf 'rule lan_in { limit monthly { } limit daily { value_units = raw; }
'
    printf '  threshold burst { } threshold quiet { } }
'
    printf 'rule lan_out { }
rule big { value_units = raw; }
'
  }
  same_conf fix ipa_test_stfix.so > "$tmp/same-fix.conf"
  same_conf gdbm ipa_st_gdbm.so "gdbm:db_dir = \"$db\";" > "$tmp/same-gdbm.conf"
  snapshot () { (cd "$db" && find . -type f -printf '%p %s %T@\n' | sort && cat ./* | md5sum); }
  snapshot > "$tmp/db.before"
  export IPA_MODULE_DIR=$top_build/modules:$build
  while read -r q; do
    for format in table csv json; do
      eval "set -- $q -o $format"
      run -f "$tmp/same-fix.conf" -q "$@"
      fix_rc=$rc
      sed 's/\bfix\b/gdbm/g' "$tmp/out" > "$tmp/expected"
      run -f "$tmp/same-gdbm.conf" -q "$@"
      if [ "$rc" -eq 0 ] && [ "$fix_rc" -eq 0 ] && [ -s "$tmp/out" ] &&
         cmp -s "$tmp/expected" "$tmp/out"; then
        ok "gdbm database: $*"
      else
        not_ok "gdbm database: $* (status $rc, fix $fix_rc)"
        diff -u "$tmp/expected" "$tmp/out" | sed 's/^/# /'
        sed 's/^/# stderr: /' "$tmp/err"
      fi
    done
  done <<'EOQ'
-r lan_in -i 2024
-r lan_in -i 2023.12.31-2024.01.01
-r lan_in -i 2024.03.31
-r lan_in -i 2024.10.27
-r lan_in -i 2024.2
-r lan_in -i 2024.02.28/08-/12
-r lan_in -i 2024.02.28/08-/12 -e
-r lan_in -i 2024.04.30/23:55-2024.05.01 -e
-r big -i 2024.3
-r host_a -r host_b -r lan_out -r empty -i 2024.3
-r lan_in -l monthly -i 2024
-r lan_in -l monthly -i 2024.2-2024.3
-r lan_in -l monthly -l daily
-r host_a -l quota
-r lan_in -t burst -t quiet
-a
-a -r lan_in
-a -x -r ^host_
-x -r ^lan -i 2024.3
-x -r . -l . -i 2024
EOQ
  IPA_MODULE_DIR=$top_build/modules "$ipastat" -f "$top_src/data/ipastat.conf" -t >/dev/null 2>&1
  check "the bundled data/ipastat.conf is valid" test $? -eq 0
  status 67 "gdbm: a rule the database does not have" "unknown rule \"nosuch\"" -f "$tmp/same-gdbm.conf" -q -r nosuch

  # A file another program holds: the module waits gdbm:lock_wait, then
  # fails.  75 (busy) when the module logs EAGAIN/EBUSY with its error,
  # else the generic database error 74.
  if command -v flock >/dev/null; then
    same_conf gdbm ipa_st_gdbm.so "gdbm:db_dir = \"$db\"; gdbm:lock_wait = 1s;" > "$tmp/busy.conf"
    (flock -x 9 && exec sleep 5) 9<"$db/rules-2024-03.gdbm" &
    holder=$!
    sleep 0.3
    start=$(date +%s%N)
    run -f "$tmp/busy.conf" -q -r lan_in -i 2024.3
    elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    if { [ "$rc" -eq 75 ] || [ "$rc" -eq 74 ]; } && grep -q "stayed locked" "$tmp/err"; then
      ok "gdbm: a locked file fails after lock_wait (status $rc, ${elapsed} ms)"
      [ "$rc" -eq 74 ] && echo "# st_gdbm does not log an errno for a busy file: generic database error"
    else
      not_ok "gdbm: a locked file: status $rc"
      sed 's/^/# /' "$tmp/err"
    fi
    check "gdbm: the wait is bounded by lock_wait (${elapsed} ms)" test "$elapsed" -ge 900 -a "$elapsed" -lt 3000
  else
    ok "# SKIP no flock(1)"
    ok "# SKIP"
  fi
  snapshot > "$tmp/db.after"
  check "ipastat changes nothing in the database" cmp -s "$tmp/db.before" "$tmp/db.after"
  export IPA_MODULE_DIR=$build
else
  ok "# SKIP ipa_db_gdbm.so or ipa_st_gdbm.so is not built"
fi

# --- privileges -------------------------------------------------------

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
  cp "$conf" "$tmp/world.conf"
  chmod 644 "$tmp/world.conf"
  run -u nobody -f "$tmp/world.conf" -q -r lan_in -i 2024.3.1 -n
  check "-u nobody reads what nobody may read" test "$rc" -eq 0 -a -n "$out"
  mkdir -m 700 "$tmp/private"
  mkdir "$tmp/private/db"
  printf 'st_mod "ipa_test_stfix.so";\nfix:db_dir = "%s";\n' "$tmp/private/db" > "$tmp/perm.conf"
  chmod 644 "$tmp/perm.conf"
  status 77 "a database nobody may not reach" "Permission denied" -u nobody -f "$tmp/perm.conf" -q -a
  run -f "$tmp/perm.conf" -q -a
  check "root reaches it" test "$rc" -eq 0
else
  ok "# SKIP -u tests need root and the user nobody"
  ok "# SKIP"
  ok "# SKIP"
fi

echo "1..$n"
exit $fail
