#!/bin/bash
# test-systemd-service.sh: ipa.service as installed, under a real systemd
# (PID 1 of private namespaces, sd-container.sh) with its own system bus
# and journald: start with READY after the bus name, D-Bus calls (busctl
# and ipactl), journal fields, reload (kept counters, a rejected file),
# kill -9 and the restart that keeps every written counter, the watchdog
# restarting a stalled main loop, stop, and D-Bus activation.  Root.  TAP.
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/daemon/daemon-lib.sh"
. "$top_src/tests/systemd/sd-container.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root for namespaces, cgroups and a private systemd"
for c in meson unshare nsenter tar setpriv; do
  command -v "$c" >/dev/null || skip_all "$c is missing"
done
for f in /lib/systemd/systemd /usr/bin/busctl /usr/bin/dbus-daemon /usr/bin/python3; do
  [ -x "$f" ] || skip_all "$f is missing"
done
sdc_cgroup2 >/dev/null || skip_all "no cgroup2 hierarchy to root a container's cgroups in"

py=/usr/bin/python3
header=$top_src/src/ipa/ipa-journal.h
msgid () { awk -v m="IPA_MESSAGE_$1" '$1 == "#define" && $2 == m { gsub(/"/, "", $3); print $3 }' "$header"; }
# What systemd gives a watchdog timeout in this test (the unit says 1min).
watchdog_sec=2

# ---- the build, installed as a package would be ----
dest=$tmp/dest
if ! meson install -C "$top_build" --no-rebuild --destdir "$dest" --quiet >"$tmp/install.log" 2>&1; then
  sed 's/^/# /' "$tmp/install.log"
  not_ok "meson install --destdir"
  done_testing
fi
unit_file=$(cd "$dest" && find . -path '*/systemd/system/ipa.service' | head -1)
ipa_bin=$(cd "$dest" && find . -path '*/sbin/ipa' -type f | head -1)
policy=$(cd "$dest" && find . -path '*/dbus-1/system.d/org.ipasystem.Ipa1.conf' | head -1)
activation=$(cd "$dest" && find . -path '*/dbus-1/system-services/org.ipasystem.Ipa1.service' | head -1)
for v in unit_file ipa_bin policy activation; do
  if [ -z "${!v}" ]; then
    not_ok "the installed tree has the $v"
    done_testing
  fi
done
unit_file=${unit_file#.} ipa_bin=${ipa_bin#.} policy=${policy#.} activation=${activation#.}
conf_file=$(LC_ALL=C "$dest$ipa_bin" -v | sed -n 's/^Configuration file: //p')
[ -n "$conf_file" ] || { not_ok "ipa -v names the configuration file"; done_testing; }
diag "installed: $ipa_bin, $unit_file, $conf_file"

# ---- what the container gets over its root ----
sdc=$tmp/sdc
payload=$sdc/payload
mkdir -p "$payload"
cp -a "$dest/." "$payload/"
# The system bus reads policies from /usr/share/dbus-1/system.d and
# /etc/dbus-1/system.d only: with another prefix the administrator copies
# the file to /etc, as done here.
case $policy in
  /usr/share/dbus-1/system.d/*) ;;
  *) install -D -m 644 "$dest$policy" "$payload/etc/dbus-1/system.d/org.ipasystem.Ipa1.conf" ;;
esac
mkdir -p "$payload/etc/systemd/system/ipa.service.d"
cat >"$payload/etc/systemd/system/ipa-test.target" <<'EOF'
[Unit]
Description=ipa test system: journald and the system bus only
Wants=systemd-journald.socket systemd-journald-dev-log.socket systemd-journald.service dbus.socket
After=systemd-journald.socket dbus.socket
AllowIsolate=yes
EOF
# Test timings; no core files of the watchdog's SIGABRT.
cat >"$payload/etc/systemd/system/ipa.service.d/50-test.conf" <<EOF
[Service]
WatchdogSec=${watchdog_sec}s
RestartSec=100ms
LimitCORE=0
EOF
# A sanitizer build: LeakSanitizer needs ptrace, which the system call
# filter refuses (leaks are checked by the other suites).
if ldd "$dest$ipa_bin" 2>/dev/null | grep -q 'libasan' ||
   nm -D "$dest$ipa_bin" 2>/dev/null | grep -q '__asan_init'; then
  echo 'Environment=ASAN_OPTIONS=detect_leaks=0' >>"$payload/etc/systemd/system/ipa.service.d/50-test.conf"
fi

# Counting: rule r1 gets 100 bytes a second (atest), the database is GDBM
# in the state directory.  "big" is never reached, "small" at once; its
# reach section runs a command as the user nobody.  Rule fw counts an
# nftables counter of the container's network namespace (libnftnl over
# netlink: CAP_NET_ADMIN and AF_NETLINK inside the sandbox).
have_nft=
command -v nft >/dev/null && have_nft=1
write_conf () {
  mkdir -p "$(dirname "$1")"
  {
    [ -z "$have_nft" ] || printf '%s\n' 'ac_mod "ipa_ac_nft.so";' \
      'rule fw { ac_list = nft; nft:counters = "inet ipatest lo_out"; }'
    cat <<EOF
ac_mod "ipa_atest.so";
db_mod "ipa_db_gdbm.so";
global {
    update_time = 1s;
    append_time = 1h;
    ac_list = atest;
    db_list = gdbm;
    gdbm:db_dir = "/var/lib/ipa";
}
rule r1 {
    atest:chunk = 100;
    $2
    limit big { limit = 1G; }
    limit small {
        limit = 200;
        reach { exec nobody "id -un"; }
    }
}
EOF
  } >"$1"
}
write_conf "$payload$conf_file" ""

# ---- boot ----
# What the units would create if they ran on the host by mistake.
host_state () {
  local p
  for p in /var/lib/ipa /run/dbus /run/systemd/units /var/log/journal/*/system.journal; do
    [ -e "$p" ] && echo "$p"
  done
  ls "$(sdc_cgroup2)" | grep "^ipa-sdc-$$-"
}
host_before=$(host_state)
before_cleanup () { sdc_teardown; }
t0=$(date +%s%N)
if ! sdc_boot "$sdc"; then
  not_ok "systemd boots in a private container"
  done_testing
fi
ok "systemd boots in a private container ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
croot=$(sdc_root)

sctl () { sdc_run systemctl "$@"; }
prop () { sdc_run systemctl show -P "$1" ipa.service; }
main_pid () { prop MainPID; }
# mgr METHOD [SIGNATURE ARGS...]: a Manager call, JSON reply on stdout.
mgr () {
  sdc_run busctl --system --json=short call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 \
    org.ipasystem.Ipa1.Manager "$@"
}
# limit_field LIMIT FIELD: from GetRule r1; FIELD is reached, counter or
# the date of an event (reach, start, ...).
limit_field () {
  mgr GetRule s r1 | "$py" -c '
import json, sys
rule = json.load(sys.stdin)["data"][0]
for name, active, reached, limit, counter, events in rule[8]:
    if name == sys.argv[1]:
        f = sys.argv[2]
        print({"reached": int(reached), "counter": counter}.get(f, events.get(f, "")))' "$1" "$2"
}
# at_least LIMIT N: the counter of LIMIT is N or more.
at_least () { local c; c=$(limit_field "$1" counter 2>/dev/null) && [ -n "$c" ] && [ "$c" -ge "$2" ]; }
active_running () { [ "$(prop ActiveState)/$(prop SubState)" = active/running ]; }
# journal ARGS...: entries of ipa.service as JSON lines.
journal () { sdc_run journalctl --sync && sdc_run journalctl --no-pager -o json -u ipa.service "$@"; }
has_entry () { local p=$1; shift; journal "$@" 2>/dev/null | grep -q -- "$p"; }
# unit_log_has ERE: the unit's log as text (systemd's own lines included).
unit_log_has () { sdc_run journalctl --no-pager -u ipa.service -o cat | grep -Eq -- "$1"; }
not_active () { [ "$(sctl is-active ipa.service)" != active ]; }
same () { [ "$1" = "$2" ]; }
# rc_and CODE PREDICATE...: the last command's status was CODE ("ok" for
# 0, "fail" for anything else) and PREDICATE holds.
rc_and () {
  case $1 in ok) [ "$rc" -eq 0 ] ;; fail) [ "$rc" -ne 0 ] ;; esac || return 1
  shift
  "$@"
}
contains () { grep -qi -- "$1" <<<"$2"; }

# ---- the unit as installed ----
check "systemd loaded ipa.service from $unit_file" \
  test "$(prop FragmentPath)" = "$unit_file"
check "systemd knows the unit without complaint (LoadState loaded)" test "$(prop LoadState)" = loaded

if [ -n "$have_nft" ]; then
  sdc_run nft -f - <<'EOF'
table inet ipatest {
    counter lo_out { }
    chain out { type filter hook output priority 0; oifname "lo" counter name "lo_out"; }
}
EOF
fi

# ---- ipactl before ipa runs: no activation, a clear answer ----
run sdc_run ipactl status
check "ipactl with ipa stopped fails and does not start it (rc $rc)" rc_and fail not_active

# ---- start ----
t0=$(date +%s%N)
run sctl start ipa.service
start_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "systemctl start ipa: rc 0 ($start_ms ms)" test "$rc" -eq 0
if [ "$rc" -ne 0 ]; then
  # Nothing below can work: show why and stop here.
  sctl status ipa.service --no-pager 2>&1 | sed 's/^/# /'
  sdc_run journalctl --no-pager -u ipa.service -o cat | tail -20 | sed 's/^/# /'
  done_testing
fi
check "active (running)" active_running
# Type=notify: start returned, so READY=1 came; right now, without
# waiting, the name must be owned and answer.
run mgr Status
check "READY=1 came after the bus name: Status answers at once" test "$rc" -eq 0
owner=$(sdc_run busctl --system --json=short call org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus GetConnectionUnixProcessID s org.ipasystem.Ipa1 2>/dev/null |
        "$py" -c 'import json,sys; print(json.load(sys.stdin)["data"][0])' 2>/dev/null)
pid1=$(main_pid)
check "org.ipasystem.Ipa1 is owned by MainPID $pid1 (policy file in effect)" test "${owner:-x}" = "$pid1"
status_text=$(prop StatusText)
check "STATUS= reached systemd: \"$status_text\"" contains '^Accounting [0-9]* rule' "$status_text"

# The sandbox, as the kernel sees it.
st=$croot/proc/$pid1/status
capbnd=$(awk '$1 == "CapBnd:" { print $2 }' "$st" 2>/dev/null)
# CAP_KILL 5, CAP_SETGID 6, CAP_SETUID 7, CAP_NET_ADMIN 12
check "capability bounding set is KILL SETGID SETUID NET_ADMIN ($capbnd)" \
  test "$capbnd" = 00000000000010e0
check "no new privileges, seccomp filter on" \
  same "$(awk '$1 == "NoNewPrivs:" || $1 == "Seccomp:" { printf "%s ", $2 }' "$st" 2>/dev/null)" "1 2 "
state_ok () { same "$(stat -c %a "$croot/var/lib/ipa" 2>/dev/null)" 700 && [ -n "$(ls -A "$croot/var/lib/ipa")" ]; }
check "state directory /var/lib/ipa (0700) holds the GDBM files" wait_for 5 state_ok

# ---- control over D-Bus ----
check "the counter of r1/big grows (busctl GetRule)" wait_for 10 at_least big 300
small_reached () { [ "$(limit_field small reached 2>/dev/null)" = 1 ]; }
check "limit small is reached" wait_for 10 small_reached
# Five UDP datagrams of 100 bytes over lo: 5 x 128 bytes at layer 3 (an
# ICMP "port unreachable" may add more).  Sent once fw has its baseline
# (the rounds of r1 show that some went by).
rule_at_least () {
  local c
  c=$(mgr GetRule s "$1" 2>/dev/null | "$py" -c 'import json,sys; print(json.load(sys.stdin)["data"][0][5])' 2>/dev/null)
  [ -n "$c" ] && [ "$c" -ge "$2" ]
}
if [ -n "$have_nft" ]; then
  sdc_run "$py" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5):
    s.sendto(b"x" * 100, ("127.0.0.1", 9))'
  check "nftables counter read from the sandbox: rule fw counts >= 640 bytes" wait_for 5 rule_at_least fw 640
else
  skip "nftables counter read from the sandbox" "nft is not installed"
fi
run sdc_run ipactl status
check "ipactl status: rc 0" test "$rc" -eq 0
run sdc_run ipactl -r r1 -l big status
check "ipactl -r r1 -l big status: rc 0, names the limit" rc_and ok contains big "$out"
run sdc_run setpriv --reuid=65534 --regid=65534 --clear-groups ipactl -r r1 -l big restart
check "ipactl as nobody is refused (rc $rc: $err)" rc_and fail contains denied "$err"

# ---- the journal ----
started=$(msgid DAEMON_STARTED) reached=$(msgid LIMIT_REACHED)
check "journal: daemon_started with its MESSAGE_ID, SYSLOG_IDENTIFIER=ipa" \
  has_entry '"SYSLOG_IDENTIFIER":"ipa"' "MESSAGE_ID=$started"
check "journal: limit reached, MESSAGE_ID $reached, IPA_RULE/IPA_LIMIT/IPA_EVENT" \
  wait_for 5 has_entry '"IPA_EVENT":"limit_reached"' "MESSAGE_ID=$reached" IPA_RULE=r1 IPA_LIMIT=small
check "journal: the reach command ran as nobody (CAP_SETUID/CAP_SETGID kept)" \
  wait_for 5 has_entry '"MESSAGE":"nobody"' IPA_RULE=r1
run sdc_run journalctl --update-catalog
catalog_has () { sdc_run journalctl --list-catalog "$1" | grep -q " ipa: "; }
check "journal: the installed catalog compiles and lists $reached" rc_and ok catalog_has "$reached"

# ---- reload: counters and limit states kept ----
wait_for 10 at_least big 500
big0=$(limit_field big counter) reach0=$(limit_field small reach)
run sctl reload ipa.service
check "systemctl reload ipa: rc 0" test "$rc" -eq 0
check "reload: same process" test "$(main_pid)" = "$pid1"
big1=$(limit_field big counter)
check "reload: counter of r1/big kept ($big0 -> $big1)" test "${big1:-0}" -ge "$big0"
check "reload: limit small still reached, same reach date" \
  test "$(limit_field small reached)/$(limit_field small reach)" = "1/$reach0"
check "journal: daemon_reloaded" has_entry '"IPA_EVENT":"daemon_reloaded"' "MESSAGE_ID=$(msgid DAEMON_RELOADED)"

# A broken file: the reload fails, the old configuration goes on.
cp "$croot$conf_file" "$tmp/good.conf"
printf 'rule r1 {\n    no_such_parameter = 1;\n}\n' >"$croot$conf_file"
run sctl reload ipa.service
check "reload of a broken file: systemctl reload fails (rc $rc)" test "$rc" -ne 0
cp "$tmp/good.conf" "$croot$conf_file"
check "reload of a broken file: still active, same process" same "$(main_pid)" "$pid1"
check "journal: the config error names $conf_file:2" \
  has_entry "\"MESSAGE\":\"$conf_file:2:" "MESSAGE_ID=$(msgid CONFIG_ERROR)"
check "reload of a broken file: the reason reaches the unit's log (ExecReload's busctl)" \
  has_entry "$conf_file:2:" SYSLOG_IDENTIFIER=busctl
check "reload of a broken file: counting goes on" wait_for 5 at_least big $((big1 + 200))

# ---- kill -9: restarted, no written counter lost ----
# The daemon answers between rounds, and a round's batch is written before
# the round ends: whatever GetRule shows is on disk.
restarts0=$(prop NRestarts)
big2=$(limit_field big counter)
sdc_run kill -KILL "$pid1"
new_pid () { local p; p=$(main_pid); [ "$p" != 0 ] && [ "$p" != "$pid1" ] && active_running; }
check "kill -9: systemd restarts it" wait_for 10 new_pid
pid2=$(main_pid)
check "kill -9: NRestarts $restarts0 -> $(prop NRestarts)" test "$(prop NRestarts)" -eq $((restarts0 + 1))
# The first answer of the new process, before it counted much itself.
big3=$(limit_field big counter)
check "kill -9: r1/big goes on from ${big3:-?} >= $big2 (restored from GDBM)" \
  test "${big3:-0}" -ge "$big2"
check "kill -9: limit small still reached, same reach date" \
  test "$(limit_field small reached)/$(limit_field small reach)" = "1/$reach0"

# ---- the watchdog ----
# Keep-alives arrive: over two watchdog periods the timestamp moves and
# the process stays.
wd0=$(prop WatchdogTimestampMonotonic)
sleep $((watchdog_sec * 2))
wd1=$(prop WatchdogTimestampMonotonic)
check "watchdog: keep-alives arrive (WatchdogTimestamp moved), no restart" \
  same "$([ "$wd1" != "$wd0" ] && echo moved)/$(main_pid)" "moved/$pid2"
# Then the main loop stalls: atest makes r1's statistics call sleep 30 s
# inside the loop.  Only a loop that stops sending keep-alives is killed
# (SIGSTOP would stop any keep-alive thread as well, proving nothing of
# where they come from).  The file is put back at once, so that the
# restarted daemon runs normally.
write_conf "$croot$conf_file" 'atest:stall = 30s;'
restarts0=$(prop NRestarts)
run sctl reload ipa.service
cp "$tmp/good.conf" "$croot$conf_file"
t0=$(date +%s%N)
check "watchdog: reload to a configuration whose rule stalls (rc $rc)" test "$rc" -eq 0
pid3_seen () { local p; p=$(main_pid); [ "$p" != 0 ] && [ "$p" != "$pid2" ] && active_running; }
if wait_for 15 pid3_seen; then
  ok "watchdog: the stalled daemon is restarted ($(( ($(date +%s%N) - t0) / 1000000 )) ms after the reload)"
else
  not_ok "watchdog: the stalled daemon is restarted"
fi
check "watchdog: systemd says why (Watchdog timeout)" unit_log_has 'Watchdog timeout'
check "watchdog: NRestarts $restarts0 -> $(prop NRestarts)" test "$(prop NRestarts)" -eq $((restarts0 + 1))
big4=$(limit_field big counter)
check "watchdog: counting goes on after the restart (from ${big4:-?})" \
  wait_for 5 at_least big $((${big4:-0} + 200))

# ---- more of the control interface, on the restarted daemon ----
run mgr Dump
check "busctl Dump: counters written on request (rc $rc)" test "$rc" -eq 0
run mgr ListRules uu 0 0
check "busctl ListRules: r1 in the one reply" rc_and ok contains '"r1"' "$out"
run sdc_run ipactl memory
check "ipactl memory: rc 0" test "$rc" -eq 0
run sdc_run ipactl -r r1 -l small restart
small_counter=$(limit_field small counter)
check "ipactl -r r1 -l small restart: rc 0, limit counts from ${small_counter:-?} again" \
  rc_and ok test "${small_counter:-999}" -lt 200
check "ipactl restart: limit small is reached again" wait_for 5 small_reached

# ---- stop ----
pid3=$(main_pid)
t0=$(date +%s%N)
run sctl stop ipa.service
stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "systemctl stop ipa: rc 0 in ${stop_ms} ms (< 5000)" rc_and ok test "$stop_ms" -lt 5000
check "stopped: inactive, Result=success, exit status 0" \
  test "$(prop ActiveState)/$(prop Result)/$(prop ExecMainStatus)" = inactive/success/0
check "journal: daemon_stopped of that process" \
  has_entry '"IPA_EVENT":"daemon_stopped"' "MESSAGE_ID=$(msgid DAEMON_STOPPED)" "_PID=$pid3"

# ---- D-Bus activation ----
run mgr Status
check "busctl call with ipa stopped: the bus starts ipa.service (rc $rc)" test "$rc" -eq 0
check "activated: active (running)" active_running
run sctl stop ipa.service
check "activated: stops cleanly" test "$rc" -eq 0

no_sanitizer_report () { ! unit_log_has 'runtime error:|AddressSanitizer|LeakSanitizer'; }
check "journal: no sanitizer report from ipa" no_sanitizer_report

# ---- the machine is as it was ----
t0=$(date +%s%N)
before_cleanup () { :; }
if sdc_teardown; then
  ok "teardown: PID 1 killed, cgroup removed ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
else
  not_ok "teardown: PID 1 killed, cgroup removed"
fi
check "the host has no /var/lib/ipa, /run/dbus or ipa cgroup it did not have" \
  test "$(host_state)" = "$host_before"

done_testing
