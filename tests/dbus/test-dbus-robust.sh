#!/bin/bash
# test-dbus-robust.sh: bad input from several clients at once while
# accounting runs.  Every call must get an answer that is success or a
# named error, the daemon must keep counting, and the counter of a rule
# nobody changes must equal what the accounting module produced for it
# (its ac_get_rule_stat chunks in the module's trace): nothing lost.
# TAP output.
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/dbus/dbus-lib.sh"
FUZZ=$top_build/tests/dbus/dbus-fuzz-client
CALLS=${IPA_DBUS_FUZZ_CALLS:-1500}

has_tools || skip_all "dbus-daemon, busctl or jq missing"

cat >"$tmp/ipa.conf" <<EOF
ac_mod "ipa_atest.so";
db_mod "ipa_db_memory.so";
atest:trace = "$tmp/ac.trace";
memory:file = "$tmp/db";
freeze_time = 1s;
sleep_after_dump = 0;
global { ac_list = atest; db_list = memory; update_time = 1s; }
rule witness { atest:chunk = 3; }
rule v1 {
  atest:chunk = 1;
  limit l1 { limit = 100; restart { restart = +m; } expire { expire = +m; } }
  limit l2 { limit = 1G; }
  threshold t1 { threshold = 50; threshold_time_width = 1m; threshold_time_slice = 10s; }
}
rule v2 { atest:chunk = 2; limit l1 { limit = 10; } threshold t1 { threshold = 5; } }
autorule a1 { atest:chunk = 1; limit quota { limit = 5; } }
EOF

bus_start || { not_ok "private bus starts"; done_testing; }
daemon_start "$tmp/ipa.conf" || { not_ok "daemon starts"; done_testing; }
ok "daemon serves org.ipasystem.Ipa1"

record_start () {
  bctl --json=short call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 \
    org.ipasystem.Ipa1.Manager GetRule s witness | jq -r '.data[0][7]'
}
# The ruleno of the witness, then the sum of its chunks in the trace.
witness_no=$(sed -n 's/^init_statrule rule=\([0-9]*\) name=witness$/\1/p' "$tmp/ac.trace" | head -n1)
chunks () {
  awk -v r="rule=$witness_no" '$1 == "get_rule_stat" && $4 == r && $NF == "ret=0" {
      split($6, c, "="); s += c[2]; n++ } END { print s + 0, n + 0 }' "$tmp/ac.trace"
}
check "the witness rule is in the module's trace" test -n "$witness_no"
start0=$(record_start)
read -r sum0 rounds0 < <(chunks)
t0=$(date +%s)

# ---- several clients at once ----
pids=()
for seed in 1 2 3; do
  "$FUZZ" --address "$BUS" --seed "$seed" --calls "$CALLS" --protect witness \
    >"$tmp/fuzz$seed.out" 2>"$tmp/fuzz$seed.err" &
  pids+=($!)
  started_pids+=($!)
done
# One more as an unprivileged user when we can switch: refused by the bus
# or by ipa, always with a named error.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  cp "$FUZZ" "$tmp/fuzz"
  setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/fuzz" --address "$BUS" \
    --seed 4 --calls "$CALLS" --protect witness --allow-denied \
    >"$tmp/fuzz4.out" 2>"$tmp/fuzz4.err" &
  pids+=($!)
  started_pids+=($!)
fi
i=0
for p in "${pids[@]}"; do
  i=$((i + 1))
  wait "$p"
  frc=$?
  diag "client $i: $(cat "$tmp/fuzz$i.out")"
  check "client $i: every call got success or a named error" test "$frc" -eq 0
  [ "$frc" -eq 0 ] || sed 's/^/# /' "$tmp/fuzz$i.err" | head -n 20
done
check "unprivileged client was refused by ipa's ACLs" \
  bash -c "[ ! -e '$tmp/fuzz4.out' ] || grep -q 'org.ipasystem.Ipa1.Error.AccessDenied=' '$tmp/fuzz4.out'"
elapsed=$(( $(date +%s) - t0 ))
check "the daemon is still alive" alive "$dpid"

# ---- it kept counting, and lost nothing ----
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager Thaw
read -r sum1 rounds1 < <(chunks)
rounds=$((rounds1 - rounds0))
diag "fuzzing took ${elapsed}s; the witness had $rounds update rounds meanwhile"
# Freeze calls (up to 2 s each) pause accounting now and then.
check "update rounds went on while fuzzed ($rounds in ${elapsed}s)" \
  test "$rounds" -ge $(( elapsed / 3 ))

# Stop accounting between reading the trace and the counter.
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager Freeze u 30
counter=$(rule_counter witness)
read -r sum rounds_all < <(chunks)
if [ "$(record_start)" != "$start0" ]; then
  skip "witness counter equals the module's chunks" "a new record began (day break)"
else
  check "witness counter equals the sum of the module's chunks ($counter = $sum)" \
    test "$counter" = "$sum"
fi
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager Thaw
c1=$(rule_counter witness)
grows () { [ "$(rule_counter witness)" -gt "$c1" ]; }
check "counting goes on after the storm" wait_for 5 grows
run ipactl status
check "ipactl status still works" test "$rc" -eq 0

daemon_stop
check "the daemon stops with status 0 (no leak reported under ASan)" test "$rc" -eq 0
bus_stop
done_testing
