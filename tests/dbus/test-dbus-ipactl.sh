#!/bin/bash
# test-dbus-ipactl.sh: every command and option of ipactl against a daemon
# on a private bus, and the same methods through busctl.  TAP output.
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/dbus/dbus-lib.sh"

has_tools || skip_all "dbus-daemon, busctl or jq missing"

# A weekday letter of ipa.conf that is not today (UTC): a worktime on it
# keeps a limit inactive now.
letters=(S M T W H F A)
other_day=${letters[$(( ($(date -u +%w) + 3) % 7 ))]}

cat >"$tmp/ipa.conf" <<EOF
ac_mod "ipa_atest.so";
db_mod "ipa_db_memory.so";
atest:trace = "$tmp/ac.trace";
memory:file = "$tmp/db";
freeze_time = 30s;
global { ac_list = atest; db_list = memory; update_time = 1s; }
rule counting { atest:chunk = 10; }
rule slow { atest:chunk = 7; update_time = 1h; }
rule manual {
  atest:chunk = 0;
  info = "fed by ipactl";
  limit l1 { limit = 1000; expire { expire = +D; } }
  limit sleepy { limit = 1G; worktime = $other_day 00:00-01:00; }
  threshold t1 { threshold = 2K; threshold_time_width = 1h; threshold_time_slice = 1m; }
}
rule sleeping { atest:chunk = 1; worktime = $other_day 00:00-01:00; }
autorule hosts { atest:chunk = 1; limit quota { limit = 5; } }
EOF

# ---- without ipa: usage errors are found before anything is sent ----
nobus="unix:path=$tmp/no-such-bus"

run "$IPACTL" -h
check "-h: exit 0" test "$rc" -eq 0
check "-h lists the commands" grep -q "restart" "$tmp/run.out"
run "$IPACTL" -v
check "-v: exit 0 and a version line" test "$rc" -eq 0 -a "${out%%$'\n'*}" != ""
check "-v names the bus name" grep -q "org.ipasystem.Ipa1" "$tmp/run.out"

usage_case () {
  local d=$1; shift
  run "$IPACTL" -s "$nobus" "$@"
  if [ "$rc" -eq 64 ] && grep -q 'ipactl -h' "$tmp/run.err"; then ok "$d"; else
    not_ok "$d (rc=$rc: $err)"; fi
}
usage_case "no command: usage error" 
usage_case "unknown command: usage error" frobnicate
usage_case "-l without -r: usage error" -l l1 status
usage_case "-t without -r: usage error" -t t1 status
usage_case "-l with -t: usage error" -r manual -l l1 -t t1 status
usage_case "create without -a: usage error" -r x create
usage_case "create without -r: usage error" -a hosts create
usage_case "delete without -r: usage error" delete
usage_case "expire without -l: usage error" -r manual expire
usage_case "restart without -l: usage error" -r manual restart
usage_case "set without -r: usage error" set counter +1
usage_case "dump takes no -r: usage error" -r manual dump
usage_case "dump takes no argument: usage error" dump now
usage_case "-a with set: usage error" -a hosts -r manual set counter +1
usage_case "-n with status: usage error" -n status
usage_case "set of a rule with an absolute value: usage error" -r manual set counter 5
usage_case "set without a keyword: usage error" -r manual set
usage_case "set with an unknown keyword: usage error" -r manual set limit +5
usage_case "set with a keyword twice: usage error" -r manual -l l1 set counter 1 counter 2
usage_case "a bad -w: usage error" -w soon status
usage_case "-v with a command: usage error" -v status

run "$IPACTL" -s "$nobus" -r manual set counter +99999999999999999999G
check "a value beyond 64 bits is refused before sending (65)" test "$rc" -eq 65
check "… with a message about the size" grep -q "too large" "$tmp/run.err"
run "$IPACTL" -s "$nobus" -r manual -l l1 set limit 12Q
check "a value with an unknown unit: 65" test "$rc" -eq 65

run "$IPACTL" -s "$nobus" status
check "no bus at this address: exit 69" test "$rc" -eq 69

bus_start || { not_ok "private bus starts"; done_testing; }
run ipactl status
check "a bus without ipa: exit 69" test "$rc" -eq 69
check "… saying ipa is not running" grep -q "ipa is not running" "$tmp/run.err"

# ---- with ipa ----
daemon_start "$tmp/ipa.conf" || { not_ok "daemon starts"; done_testing; }
ok "daemon serves org.ipasystem.Ipa1"

run ipactl status
check "status: exit 0" test "$rc" -eq 0
check "status names the version" grep -Eq '^ipa: +[0-9]' "$tmp/run.out"
check "status counts 4 static rules, 3 active" \
  grep -Eq '^Rules: +4 static, 0 dynamic \(3 active\)' "$tmp/run.out"
check "status counts limits and thresholds" \
  grep -Eq '^Limits: +2 \(0 reached\)' "$tmp/run.out"
check "status names the modules" grep -Eq '^Databases: +memory' "$tmp/run.out"
check "status says accounting runs" grep -Eq '^State: +accounting' "$tmp/run.out"

run ipactl -r manual status
check "-r R status: exit 0" test "$rc" -eq 0
check "-r R status: static, info, counter" \
  bash -c "grep -q '^Kind: *static' '$tmp/run.out' && grep -q '^Info: *fed by ipactl' '$tmp/run.out' && grep -Eq '^Counter: +0$' '$tmp/run.out'"
check "-r R status lists limits and thresholds" \
  bash -c "grep -Eq '^  l1 +yes +no +1000 +0' '$tmp/run.out' && grep -Eq '^  t1 +yes' '$tmp/run.out'"
check "-r R status: the limit outside its worktime is inactive" \
  grep -Eq '^  sleepy +no' "$tmp/run.out"
run ipactl -r manual -l l1 status
check "-r R -l L status: value, counter, start date" \
  bash -c "grep -Eq '^Limit value: +1000$' '$tmp/run.out' && grep -Eq '^  start +20[0-9-]+ ' '$tmp/run.out'"
run ipactl -r manual -t t1 status
check "-r R -t T status: value and position" \
  bash -c "grep -Eq '^Threshold: +2048$' '$tmp/run.out' && grep -Eq '^Position: +(unknown|below|equal|above)$' '$tmp/run.out'"
run ipactl -a hosts status
check "-a A status: exit 0, no dynamic rule yet" \
  bash -c "[ $rc -eq 0 ] && grep -Eq '^Dynamic rules: +0$' '$tmp/run.out'"

run ipactl -r nosuch status
check "an unknown rule: exit 67" test "$rc" -eq 67
check "… named in the message" grep -q 'no rule "nosuch"' "$tmp/run.err"
run ipactl -r manual -l nosuch status
check "an unknown limit: exit 67" test "$rc" -eq 67
run ipactl -r manual -t nosuch status
check "an unknown threshold: exit 67" test "$rc" -eq 67
run ipactl -a nosuch status
check "an unknown autorule: exit 67" test "$rc" -eq 67

# ---- set ----
run ipactl -r manual set counter +100
check "set counter +100: exit 0" test "$rc" -eq 0
check "the rule counter is exactly 100" test "$(rule_counter manual)" = 100
run ipactl -r manual -l l1 status
check "the active limit got the same +100" grep -Eq '^Counter: +100$' "$tmp/run.out"
run ipactl -r manual -l sleepy status
check "the inactive limit did not" grep -Eq '^Counter: +0$' "$tmp/run.out"
run ipactl -r manual -t t1 status
check "the active threshold got +100" grep -Eq '^Counter: +100$' "$tmp/run.out"
run ipactl -r manual set counter -40
check "set counter -40: the counter is 60" test "$rc" -eq 0 -a "$(rule_counter manual)" = 60
run ipactl -r sleeping status
check "a rule outside its worktime is inactive" grep -Eq '^Active: +no$' "$tmp/run.out"
run ipactl -r sleeping set counter +5
check "set on an inactive rule is refused (1)" test "$rc" -eq 1
check "… saying it is inactive" grep -q "inactive" "$tmp/run.err"

run ipactl -r manual -l l1 set limit +1G
run ipactl -r manual -l l1 status
check "set limit +1G raises the limit by 1 GiB" grep -Eq '^Limit value: +1073742824$' "$tmp/run.out"
run ipactl -r manual -l l1 set limit -1G counter 5
run ipactl -r manual -l l1 status
check "set limit -1G counter 5 in one command" \
  bash -c "grep -Eq '^Limit value: +1000$' '$tmp/run.out' && grep -Eq '^Counter: +5$' '$tmp/run.out'"
run ipactl -r manual -t t1 set threshold "1K 512B"
run ipactl -r manual -t t1 status
check "set threshold with units (1K 512B)" grep -Eq '^Threshold: +1536$' "$tmp/run.out"
run ipactl -r manual -t t1 set threshold +1K 512B
run ipactl -r manual -t t1 status
check "a value may run over several words (+1K 512B)" grep -Eq '^Threshold: +3072$' "$tmp/run.out"

# ---- a reach is noticed at the next round, not at once ----
run ipactl freeze
check "freeze: exit 0" test "$rc" -eq 0
run ipactl status
check "status says frozen" grep -Eq '^State: +frozen' "$tmp/run.out"
c1=$(rule_counter counting)
run ipactl -r manual set counter +2000
run ipactl -r manual -l l1 status
check "set beyond the limit: not reached at once" grep -Eq '^Reached: +no$' "$tmp/run.out"
sleep 1.5
check "frozen: no update round ran (counter unchanged)" test "$(rule_counter counting)" = "$c1"
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager Thaw
check "Thaw (busctl): exit 0" test "$rc" -eq 0
reached () { ipactl -r manual -l l1 status | grep -Eq '^Reached: +yes$'; }
check "after the next round the limit is reached" wait_for 10 reached
check "counting resumed after the thaw" test "$(rule_counter counting)" -gt "$c1"

# ---- expire, restart ----
# The start date of manual/l1 (seconds since the epoch).
limit_start () {
  bctl --json=short get-property org.ipasystem.Ipa1 /org/ipasystem/Ipa1/limit/manual_2fl1 \
    org.ipasystem.Ipa1.Limit Events | jq -r '.data.start // 0'
}
run ipactl -r manual -l l1 expire
check "expire of a reached limit: exit 0" test "$rc" -eq 0
run ipactl -r manual -l l1 status
check "the expired limit is not reached and starts anew (counter 0)" \
  bash -c "grep -Eq '^Reached: +no$' '$tmp/run.out' && grep -Eq '^Counter: +0$' '$tmp/run.out'"
run ipactl -r manual -l l1 expire
check "expire of a limit that is not reached: exit 1" test "$rc" -eq 1
check "… saying why" grep -qi "not reached" "$tmp/run.err"
run ipactl -r manual -l l1 set counter 50
start1=$(limit_start)
sleep 1.1
run ipactl -r manual -l l1 restart
check "restart: exit 0" test "$rc" -eq 0
run ipactl -r manual -l l1 status
check "restart: the counter is 0 again" grep -Eq '^Counter: +0$' "$tmp/run.out"
check "restart: a new start date ($start1 -> $(limit_start))" test "$(limit_start)" -gt "$start1"
run ipactl -r manual -l sleepy restart
run ipactl -r manual -l sleepy status
check "restart of an inactive limit leaves it inactive" grep -Eq '^Active: +no$' "$tmp/run.out"

# ---- dynamic rules ----
run ipactl -a hosts -r host1 create
check "create: exit 0" test "$rc" -eq 0
run ipactl -a hosts status
check "-a A status lists the new rule" grep -Eq '^  host1$' "$tmp/run.out"
run ipactl -r host1 status
check "the new rule is dynamic, from the autorule, with its limit" \
  bash -c "grep -q 'dynamic, from autorule hosts' '$tmp/run.out' && grep -Eq '^  quota ' '$tmp/run.out'"
run ipactl -a hosts -r host1 status
check "-a A -r R status of a rule of that autorule" test "$rc" -eq 0
run ipactl -a hosts -r manual status
check "-a A -r R of a rule of no autorule: exit 67" test "$rc" -eq 67
run ipactl -a hosts -r host1 create
check "create of an existing name: exit 1" test "$rc" -eq 1
check "… saying it exists" grep -q "exists" "$tmp/run.err"
run ipactl -a hosts -r manual create
check "create with the name of a static rule: exit 1" test "$rc" -eq 1
run ipactl -a hosts -r "bad name" create
check "create with a blank in the name: exit 65" test "$rc" -eq 65
run ipactl -a nosuch -r host2 create
check "create from an unknown autorule: exit 67" test "$rc" -eq 67
run ipactl -r manual delete
check "delete of a static rule: exit 1" test "$rc" -eq 1
check "… saying it is static" grep -q "static" "$tmp/run.err"
run ipactl -r host1 delete
check "delete of the dynamic rule: exit 0" test "$rc" -eq 0
run ipactl -r host1 status
check "the deleted rule is gone (67)" test "$rc" -eq 67

# ---- dump ----
slow_record () { grep -E '^record slow ' "$tmp/db" | tail -n1 | awk '{print $NF}'; }
before=$(slow_record)
run ipactl dump
check "dump: exit 0" test "$rc" -eq 0
after=$(slow_record)
check "dump collected and wrote the slow rule's counter ($before -> $after)" \
  test "${after:-0}" -gt "${before:-0}"

# ---- -n, -w ----
c0=$(rule_counter manual)
run ipactl -n -r manual set counter +7
check "-n: exit 0 once sent" test "$rc" -eq 0
counter_grew_7 () { [ "$(rule_counter manual)" = $((c0 + 7)) ]; }
check "-n: the command was carried out" wait_for 5 counter_grew_7

kill -STOP "$dpid"
t0=$(date +%s%N)
run ipactl -w 1 status
elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -CONT "$dpid"
check "-w 1 against a daemon that does not answer: exit 75" test "$rc" -eq 75
check "-w 1 gave up after 1 s (took $elapsed ms)" test "$elapsed" -ge 900 -a "$elapsed" -lt 3000
run ipactl -w 1m status
check "-w with a unit (1m) works" test "$rc" -eq 0
t0=$(date +%s%N)
run ipactl -n dump
elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
check "-n returns at once (took $elapsed ms)" test "$rc" -eq 0 -a "$elapsed" -lt 1000

# ---- memory ----
run ipactl memory
check "memory: exit 0" test "$rc" -eq 0
check "memory has a header, mem_type lines and a total" \
  bash -c "head -n1 '$tmp/run.out' | grep -q BYTES && grep -q '^mem_type ' '$tmp/run.out' && tail -n1 '$tmp/run.out' | grep -Eq '^total +[0-9]+'"
check "memory shows the modules' objects" grep -Eq '^marray +atest' "$tmp/run.out"

# ---- the same through busctl ----
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager Status
check "busctl: Manager.Status" test "$rc" -eq 0
c0=$(rule_counter manual)
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1/rule/manual org.ipasystem.Ipa1.Rule Set st + 3
check "busctl: Rule.Set + 3" test "$rc" -eq 0 -a "$(rule_counter manual)" = $((c0 + 3))
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1/rule/manual org.ipasystem.Ipa1.Rule Set st = 3
check "busctl: Rule.Set = 3 is InvalidValue" grep -q "only be increased" "$tmp/run.err"
run bctl get-property org.ipasystem.Ipa1 /org/ipasystem/Ipa1/limit/manual_2fl1 org.ipasystem.Ipa1.Limit Limit
check "busctl: the Limit property of manual/l1" test "$out" = "t 1000"
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager ListRules uu 0 0
check "busctl: ListRules lists the 4 rules" grep -q '^a(sssbbttxa(sbbtta{sx})a(sbsttxx))u 4 ' "$tmp/run.out"
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager ListRules uu 1 1
check "busctl: ListRules from 1, 1 rule, next is 2" \
  bash -c "grep -q '^a(sssbbttxa(sbbtta{sx})a(sbsttxx))u 1 \"slow\"' '$tmp/run.out' && grep -Eq ' 2$' '$tmp/run.out'"
run bctl tree org.ipasystem.Ipa1
check "busctl tree shows rules, limits, thresholds, autorules" \
  bash -c "grep -q rule/manual '$tmp/run.out' && grep -q limit/manual_2fsleepy '$tmp/run.out' && grep -q threshold/manual_2ft1 '$tmp/run.out' && grep -q autorule/hosts '$tmp/run.out'"

# ---- reload ----
cat >>"$tmp/ipa.conf" <<EOF
rule added { atest:chunk = 1; }
EOF
before=$(rule_counter manual)
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager Reload
check "Reload: the reply comes after the reload (exit 0)" test "$rc" -eq 0
run ipactl -r added status
check "the rule of the new configuration is there" test "$rc" -eq 0
last_manual=$(grep -E '^record manual ' "$tmp/db" | tail -n2 | head -n1 | awk '{print $NF}')
check "the counter before the reload was written ($before = $last_manual)" \
  test "$last_manual" = "$before"

daemon_stop
check "the daemon stops with status 0" test "$rc" -eq 0
run ipactl status
check "after it stopped: exit 69" test "$rc" -eq 69
bus_stop
done_testing
