#!/bin/bash
# test-daemon-signals.sh: SIGTERM and SIGINT, with and without -d, and
# the time a shutdown takes.  TAP output.
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/daemon/daemon-lib.sh"

marker=$tmp/marker
cat >"$tmp/ok.conf" <<EOF
ac_mod "ipa_atest.so";
global { update_time = 1s; ac_list = atest; }
startup { exec "echo startup >> $marker"; }
shutdown { exec "echo shutdown >> $marker"; }
rule r1 {
  atest:chunk = 100;
  limit l1 {
    limit = 150;
    reach { exec "echo reached >> $marker"; }
  }
}
EOF

# ---- SIGTERM ----
start_fg term -p "$tmp/term.pid" -f "$tmp/ok.conf"
check "SIGTERM: the daemon counts (a limit is reached)" wait_for 10 grep_file '^reached$' "$marker"
stop_wait "$dpid" TERM
check "SIGTERM: exit status 0" test "$rc" -eq 0
check "SIGTERM: stopped within 5 s (${elapsed_ms} ms)" test "$elapsed_ms" -lt 5000
check "SIGTERM: the shutdown section ran" test "$(count_lines '^shutdown$' "$marker")" -eq 1
check "SIGTERM: the stop is logged" grep_file 'ipa [0-9.]+ stopped' "$tmp/term.log"
check "SIGTERM: the PID file is removed" test ! -e "$tmp/term.pid"

# ---- SIGINT with -d stops ----
: >"$marker"
start_fg int -p "$tmp/int.pid" -f "$tmp/ok.conf"
stop_wait "$dpid" INT
check "SIGINT with -d: exit status 0" test "$rc" -eq 0
check "SIGINT with -d: the shutdown section ran" test "$(count_lines '^shutdown$' "$marker")" -eq 1

# ---- SIGINT without -d is ignored ----
# In the foreground without -d: as under systemd (INVOCATION_ID set), which
# also means no PID file unless -p is given.
: >"$marker"
INVOCATION_ID=0123456789abcdef0123456789abcdef "$IPA" -f "$tmp/ok.conf" >"$tmp/noint.log" 2>&1 &
dpid=$!
started_pids+=("$dpid")
check "foreground without -d: started" wait_for 10 started_or_dead "$dpid" "$tmp/noint.log"
check "under a service manager: no PID file is held" \
  bash -c "! ls -l /proc/$dpid/fd 2>/dev/null | grep -q '\\.pid\$'"
kill -INT "$dpid"
check "SIGINT without -d: noted in the log" wait_for 10 grep_file 'SIGINT ignored' "$tmp/noint.log"
check "SIGINT without -d: the daemon keeps running and counting" \
  wait_for 10 grep_file '^reached$' "$marker"
check "SIGINT without -d: still alive" alive "$dpid"
stop_wait "$dpid" TERM
check "then SIGTERM: exit status 0" test "$rc" -eq 0
check "then SIGTERM: shutdown section ran once" test "$(count_lines '^shutdown$' "$marker")" -eq 1

# ---- asynchronous commands still running at shutdown ----
# A reach command that would run for a minute: the shutdown waits a few
# seconds for it, then kills it, and still ends within 5 s.
cat >"$tmp/slow.conf" <<EOF
ac_mod "ipa_atest.so";
global { update_time = 1s; ac_list = atest; }
rule r1 {
  atest:chunk = 100;
  limit l1 {
    limit = 100;
    reach { exec "echo \$\$ > $tmp/slow.pid; exec sleep 60"; }
  }
}
EOF
start_fg slow -p "$tmp/s.pid" -f "$tmp/slow.conf"
check "a long reach command started" wait_for 10 test -s "$tmp/slow.pid"
stop_wait "$dpid" TERM
check "with a command running: exit status 0" test "$rc" -eq 0
check "with a command running: stopped within 5 s (${elapsed_ms} ms)" test "$elapsed_ms" -lt 5000
check "the command was killed" wait_for 5 dead "$(cat "$tmp/slow.pid")"

done_testing
