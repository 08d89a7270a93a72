#!/bin/bash
# bench-dbus.sh: costs of the D-Bus interface, each against a baseline
# measured in the same run (meson test --benchmark --suite dbus).
#
#   1. "ipactl status" as a whole process, against "busctl call" of the
#      same method (Manager.Status), $RUNS times each.
#   2. The counters of $RULES rules: one ListRules call against one
#      Properties.Get per rule (bench-dbus-list).
#   3. Memory of the daemon with $BIG rules: resident size after the
#      engine started, after the service was exported, and after
#      GetManagedObjects / ListRules of everything; the service allocates
#      nothing per rule (subtrees with dynamic dispatch).
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/dbus/dbus-lib.sh"
RUNS=${IPA_BENCH_RUNS:-50}
RULES=${IPA_BENCH_RULES:-10000}
BIG=${IPA_BENCH_BIG:-100000}
LIST=$top_build/tests/dbus/bench-dbus-list

has_tools || skip_all "dbus-daemon, busctl or jq missing"

# gen_conf N FILE: N rules with one limit each, updated once an hour (the
# engine stays quiet while we measure).
gen_conf () {
  {
    echo 'ac_mod "ipa_atest.so";'
    echo 'global { ac_list = atest; db_list = null; update_time = 1h; }'
    awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
      printf "rule r%06d { atest:chunk = %d; limit l { limit = 1G; } }\n", i, i % 7 + 1 }'
  } >"$2"
}

ms_since () { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
rss_kb () { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

bus_start || { not_ok "private bus starts"; done_testing; }

# ---- 1 and 2: RULES rules ----
gen_conf "$RULES" "$tmp/ipa.conf"
daemon_start "$tmp/ipa.conf" --report "$tmp/report" || { not_ok "daemon starts"; done_testing; }

t0=$(date +%s%N)
for _ in $(seq "$RUNS"); do
  bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager Status >/dev/null
done
busctl_ms=$(ms_since "$t0")
t0=$(date +%s%N)
for _ in $(seq "$RUNS"); do
  ipactl status >/dev/null
done
ipactl_ms=$(ms_since "$t0")
diag "Status, $RUNS processes each ($RULES rules):"
diag "  busctl call:   $(awk -v t="$busctl_ms" -v n="$RUNS" 'BEGIN { printf "%.2f", t / n }') ms per process"
diag "  ipactl status: $(awk -v t="$ipactl_ms" -v n="$RUNS" 'BEGIN { printf "%.2f", t / n }') ms per process"
diag "  ratio ipactl / busctl: $(awk -v a="$ipactl_ms" -v b="$busctl_ms" 'BEGIN { printf "%.2f", a / b }')"
check "ipactl status and busctl call both ran" test "$ipactl_ms" -gt 0 -a "$busctl_ms" -gt 0

run "$LIST" --address "$BUS" --repeat 5
check "ListRules and per-rule reads agree" test "$rc" -eq 0
while IFS= read -r line; do diag "  $line"; done <<<"$out"
small_delta=$(( $(awk '$1 == "rss_service" { print $2 }' "$tmp/report") -
                $(awk '$1 == "rss_engine" { print $2 }' "$tmp/report") ))
diag "Memory of the service with $RULES rules: +$small_delta KiB"
daemon_stop

# ---- 3: memory with BIG rules ----
gen_conf "$BIG" "$tmp/big.conf"
t0=$(date +%s%N)
daemon_start "$tmp/big.conf" --report "$tmp/report" || { not_ok "daemon with $BIG rules starts"; done_testing; }
start_ms=$(ms_since "$t0")
wait_for 10 test -s "$tmp/report"
engine_kb=$(awk '$1 == "rss_engine" { print $2 }' "$tmp/report")
service_kb=$(awk '$1 == "rss_service" { print $2 }' "$tmp/report")
t0=$(date +%s%N)
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.freedesktop.DBus.ObjectManager \
  GetManagedObjects
objects_ms=$(ms_since "$t0")
objects_rc=$rc
objects_err=$(head -c 200 "$tmp/run.err")
after_objects_kb=$(rss_kb "$dpid")
t0=$(date +%s%N)
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager ListRules uu 0 0
list_ms=$(ms_since "$t0")
list_rc=$rc
after_list_kb=$(rss_kb "$dpid")
diag "Memory of the daemon with $BIG rules (started in $start_ms ms):"
diag "  after the engine started:        $engine_kb KiB"
diag "  after the service was exported:  $service_kb KiB (+$((service_kb - engine_kb)) KiB)"
diag "  GetManagedObjects: $objects_ms ms, $( [ "$objects_rc" = 0 ] && echo ok || echo "refused: $objects_err")"
diag "  after it:                        $after_objects_kb KiB"
diag "  ListRules of all: $list_ms ms, $( [ "$list_rc" = 0 ] && echo ok || echo refused)"
diag "  after it:                        $after_list_kb KiB"
# Flat: ten times the rules, the same cost (within 512 KiB, 5 bytes a rule).
check "the service costs as much with $BIG rules as with $RULES" \
  test $((service_kb - engine_kb - small_delta)) -lt 512
daemon_stop
bus_stop
done_testing
