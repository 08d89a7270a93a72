#!/bin/bash
# test-daemon-notify.sh: what the daemon tells systemd (sd_notify) and the
# watchdog keep-alives, against a stand-in notification socket.  TAP.
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/daemon/daemon-lib.sh"

python=$(command -v python3) || skip_all "python3 is needed for the notification socket"
listen=$top_src/tests/daemon/notify-listen.py

# listen NAME: a notification socket of its own for each daemon, so that
# late messages of one never mix with those of the next; sets $sock, $msgs.
listen () {
  sock=$tmp/$1.sock
  msgs=$tmp/$1.txt
  : >"$msgs"
  "$python" "$listen" "$sock" "$msgs" &
  started_pids+=("$!")
  wait_for 10 test -S "$sock" || skip_all "the notification socket did not come up"
}

cat >"$tmp/ok.conf" <<EOF
ac_mod "ipa_atest.so";
global { update_time = 1s; ac_list = atest; }
rule r1 { atest:chunk = 100; }
EOF

# start_managed NAME CONF WATCHDOG_USEC: as systemd starts a Type=notify
# service: NOTIFY_SOCKET, WATCHDOG_PID (our own PID, hence the exec).
start_managed () {
  NOTIFY_SOCKET=$sock bash -c 'export WATCHDOG_PID=$$ WATCHDOG_USEC=$3; exec "$0" -f "$1" 2>"$2"' \
    "$IPA" "$2" "$tmp/$1.log" "$3" &
  dpid=$!
  started_pids+=("$dpid")
}
has () { grep -Eq -- "$1" "$msgs"; }
count () { grep -Ec -- "$1" "$msgs" || true; }

listen a
start_managed a "$tmp/ok.conf" 300000
check "READY=1 once the engine runs" wait_for 10 has ' READY=1$'
check "in the foreground without -d (same process)" alive "$dpid"
check "no PID file under systemd without -p" \
  bash -c "! ls -l /proc/$dpid/fd 2>/dev/null | grep -q '\\.pid\$'"
check "STATUS= with the number of rules" has ' STATUS=Accounting 1 rule, '
check "STATUS= after rounds names the last update" \
  wait_for 10 has ' STATUS=Accounting 1 rule, last update [0-9]{4}-[0-9]{2}-[0-9]{2} '
n_watchdog=$(count ' WATCHDOG=1$')
sleep 1
check "WATCHDOG=1 at half the interval (~6 in 1 s, got $(( $(count ' WATCHDOG=1$') - n_watchdog )))" \
  test $(( $(count ' WATCHDOG=1$') - n_watchdog )) -ge 4
# Rounds every second, STATUS at most every few seconds.
min_gap=$(awk '/ STATUS=/ { if (prev != "" && (min == "" || $1 - prev < min)) min = $1 - prev; prev = $1 }
               END { printf "%d", min * 1000 }' "$msgs")
check "STATUS= is not sent after every round (shortest gap ${min_gap} ms)" \
  test "$min_gap" -ge 4500

: >"$msgs"
kill -HUP "$dpid"
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC" \
  wait_for 10 has ' RELOADING=1\|MONOTONIC_USEC=[0-9]+$'
check "SIGHUP: READY=1 after the reload" wait_for 10 has ' READY=1$'
check "RELOADING=1 comes first" \
  test "$(grep -Eo 'RELOADING=1|READY=1' "$msgs" | head -1)" = RELOADING=1

: >"$msgs"
stop_wait "$dpid" TERM
check "SIGTERM: exit status 0" test "$rc" -eq 0
check "SIGTERM: STOPPING=1" has ' STOPPING=1$'

# A stalled main loop sends no keep-alive: ac_get_stat sleeps 2 s every
# round, longer than the 0.3 s watchdog interval.
cat >"$tmp/stall.conf" <<EOF
ac_mod "ipa_atest.so";
global { update_time = 1s; ac_list = atest; atest:stall = 2s; }
rule r1 { atest:chunk = 100; }
EOF
listen b
start_managed b "$tmp/stall.conf" 300000
check "stalling module: READY=1" wait_for 10 has ' READY=1$'
sleep 2.5
stop_wait "$dpid" TERM
gap=$(awk '/ WATCHDOG=1$/ { if (prev != "" && $1 - prev > max) max = $1 - prev; prev = $1 }
           END { printf "%d", max * 1000 }' "$msgs")
check "while the loop is stalled no WATCHDOG=1 is sent (longest gap ${gap} ms)" \
  test "${gap:-0}" -ge 1500
# A free loop sends about 17 in those 2.5 s.
check "far fewer keep-alives than a free loop sends ($(count ' WATCHDOG=1$') in 2.5 s)" \
  test "$(count ' WATCHDOG=1$')" -le 10

# Without WATCHDOG_USEC no keep-alive at all.
listen c
NOTIFY_SOCKET=$sock "$IPA" -f "$tmp/ok.conf" 2>"$tmp/c.log" &
dpid=$!
started_pids+=("$dpid")
check "no watchdog: READY=1" wait_for 10 has ' READY=1$'
sleep 0.5
stop_wait "$dpid" TERM
check "no watchdog configured: no WATCHDOG=1" test "$(count ' WATCHDOG=1$')" -eq 0

done_testing
