#!/bin/bash
# test-daemon-lifecycle.sh: start and stop of the ipa daemon, its PID file
# and single-instance lock, ipa -k, detaching, -o and -i.  TAP output.
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/daemon/daemon-lib.sh"

pidf=$tmp/ipa.pid
marker=$tmp/marker
cat >"$tmp/ok.conf" <<EOF
ac_mod "ipa_atest.so";
global { update_time = 1s; ac_list = atest; }
startup { exec "echo startup >> $marker"; }
shutdown { exec "echo shutdown >> $marker"; }
rule r1 { atest:chunk = 100; }
EOF
printf 'rule r1 {\n  update_time = 1s;\n  nonsense = 3;\n}\n' >"$tmp/bad.conf"

# ---- a configuration that cannot be loaded ----
run "$IPA" -d -p "$pidf" -f "$tmp/bad.conf"
check "a broken configuration: exit status 1" test "$rc" -eq 1
check "the error names FILE:LINE:COLUMN" grep -q "bad.conf:3:3: .*nonsense" "$tmp/run.err"
check "no PID file is left behind" test ! -e "$pidf"

run "$IPA" -d -p "$pidf" -f "$tmp/missing.conf"
check "a missing configuration file: exit status 1" test "$rc" -eq 1

# ---- start, PID file, lock ----
start_fg a -p "$pidf" -f "$tmp/ok.conf"
check "the daemon starts" alive "$dpid"
check "the PID file holds the daemon's PID" test "$(cat "$pidf" 2>/dev/null)" = "$dpid"
check "startup section ran once" test "$(count_lines '^startup$' "$marker")" -eq 1

run "$IPA" -p "$pidf" -k test
check "-k test: exit 0 while the daemon runs" test "$rc" -eq 0
check "-k test names the lock holder" grep -q "process $dpid holds the lock on $pidf" "$tmp/run.out"

run "$IPA" -d -p "$pidf" -f "$tmp/ok.conf"
check "a second daemon on the same PID file: exit status 1" test "$rc" -eq 1
check "the second daemon names the holder" grep -q "locked by process $dpid" "$tmp/run.err"
check "the first daemon keeps running" alive "$dpid"
check "the PID file still holds the first PID" test "$(cat "$pidf")" = "$dpid"
check "the second daemon ran no startup section" test "$(count_lines '^startup$' "$marker")" -eq 1

# ---- -k follows the lock, not the number in the file ----
echo 1 >"$pidf"   # in place: the same, still locked, file
run "$IPA" -p "$pidf" -k test
check "-k test finds the holder despite a tampered PID file" \
  grep -q "process $dpid holds" "$tmp/run.out"

run "$IPA" -p "$pidf" -k reconfigure
check "-k reconfigure: exit 0" test "$rc" -eq 0
check "-k reconfigure reached the daemon (it reloads)" \
  wait_for 10 grep_file 'reloaded: 1 rule' "$tmp/a.log"
check "the daemon runs on after the reload" alive "$dpid"

run "$IPA" -p "$pidf" -k shutdown
check "-k shutdown: exit 0" test "$rc" -eq 0
wait "$dpid"; rc=$?
check "the daemon stopped with status 0" test "$rc" -eq 0
check "the shutdown section ran" test "$(count_lines '^shutdown$' "$marker")" -eq 1
check "the PID file is removed" test ! -e "$pidf"

run "$IPA" -p "$pidf" -k test
check "-k test: exit 1 when nothing runs" test "$rc" -eq 1
check "-k test says so" grep -q "ipa is not running: $pidf is not locked" "$tmp/run.out"
run "$IPA" -p "$pidf" -k shutdown
check "-k shutdown with nothing to stop: exit 1" test "$rc" -eq 1
check "and a message" grep -q "not running" "$tmp/run.err"

# ---- -k kill, then the stale PID file is reused ----
start_fg b -p "$pidf" -f "$tmp/ok.conf"
run "$IPA" -p "$pidf" -k kill
check "-k kill: exit 0" test "$rc" -eq 0
wait "$dpid"; rc=$?
check "the daemon died of SIGKILL" test "$rc" -eq $((128 + 9))
check "its PID file stays (stale)" test -e "$pidf"
run "$IPA" -p "$pidf" -k test
check "a stale PID file is not locked" test "$rc" -eq 1
start_fg c -p "$pidf" -f "$tmp/ok.conf"
check "a new daemon starts on the stale PID file" alive "$dpid"
check "and writes its own PID" test "$(cat "$pidf")" = "$dpid"
stop_wait "$dpid" TERM
check "and stops" test "$rc" -eq 0

# ---- without -d: detached ----
: >"$marker"
run "$IPA" -p "$pidf" -f "$tmp/ok.conf"
check "detached start: the command returns 0" test "$rc" -eq 0
check "detached start: the startup section ran before it returned" \
  test "$(count_lines '^startup$' "$marker")" -eq 1
bg=$(cat "$pidf" 2>/dev/null)
check "detached daemon: the PID file names a running process" alive "${bg:-0}"
check "detached daemon: it is in its own session" \
  test "$(ps -o sid= -p "${bg:-0}" | tr -d ' ')" = "${bg:-x}"
check "detached daemon: stdin, stdout and stderr are /dev/null" \
  test "$(readlink "/proc/${bg:-0}/fd/2")" = /dev/null
run "$IPA" -p "$pidf" -k shutdown
check "detached daemon: -k shutdown" test "$rc" -eq 0
# Not our child: watch its lock and PID file instead of reaping it.
check "detached daemon: it stops and removes its PID file" wait_for 10 test ! -e "$pidf"
check "detached daemon: its shutdown section ran" \
  test "$(count_lines '^shutdown$' "$marker")" -eq 1

run "$IPA" -p "$pidf" -f "$tmp/bad.conf"
check "detached start of a broken configuration: exit status 1" test "$rc" -eq 1
check "detached start: the error reaches the terminal" grep -q "bad.conf:3:3:" "$tmp/run.err"

# ---- -o log file (with -d also on stderr), -i ident ----
start_fg d -p "$pidf" -f "$tmp/ok.conf" -o "$tmp/ipa.log" -i ipatest
check "-o: messages go to the log file" grep_file 'ipatest: ipa [0-9.]+ started' "$tmp/ipa.log"
check "-o: log lines start with a time stamp and the PID" \
  grep_file "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[-+][0-9]{4} \\[$dpid\\] ipatest: " "$tmp/ipa.log"
check "-d -o: the same messages on stderr" grep_file '^ipatest: ipa [0-9.]+ started' "$tmp/d.log"
mv "$tmp/ipa.log" "$tmp/ipa.log.1"
kill -HUP "$dpid"
check "-o: SIGHUP reopens the log file (rotation)" \
  wait_for 10 grep_file 'reloaded' "$tmp/ipa.log"
stop_wait "$dpid" TERM
check "-o: the stop is logged in the new file" grep_file 'ipa [0-9.]+ stopped' "$tmp/ipa.log"

run "$IPA" -d -o "$tmp/no/such/dir/log" -f "$tmp/ok.conf"
check "-o with an unusable file: exit status 1" test "$rc" -eq 1
check "-o with an unusable file: a message naming it" grep -q "no/such/dir/log" "$tmp/run.err"

# ---- option errors ----
run "$IPA" -k bogus
check "-k with an unknown word: usage error 64" test "$rc" -eq 64
run "$IPA" -t -p "$pidf" -f "$tmp/ok.conf"
check "-p with -t: usage error 64" test "$rc" -eq 64
run "$IPA" -k test -f "$tmp/ok.conf"
check "-f with -k: usage error 64" test "$rc" -eq 64

done_testing
