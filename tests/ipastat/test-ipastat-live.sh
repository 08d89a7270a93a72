#!/bin/bash
# test-ipastat-live.sh: ipastat's live values.  The real ipa runs on a
# private bus (the helpers of tests/dbus/dbus-lib.sh) and writes through
# ipa_db_gdbm; ipastat reads the same directory through ipa_st_gdbm and
# asks ipa for what it has not written yet.  Then ipa stops, and ipastat
# must answer from the database alone, silently.  TAP output.
set -u
IPA_DBUS_DAEMON=ipa
. "${IPA_TEST_TOP_SRCDIR:?}/tests/dbus/dbus-lib.sh"

IPASTAT=$top_build/src/ipastat/ipastat
has_tools || skip_all "dbus-daemon, busctl or jq missing"
[ -f "$top_build/modules/ipa_db_gdbm.so" ] && [ -f "$top_build/modules/ipa_st_gdbm.so" ] ||
  skip_all "ipa_db_gdbm or ipa_st_gdbm not built"

mkdir "$tmp/db"
# "manual" counts nothing by itself and has one update round an hour: what
# ipactl adds stays in the daemon until then.  "counting" is written every
# second.
cat >"$tmp/ipa.conf" <<EOF
ac_mod "ipa_atest.so";
db_mod "ipa_db_gdbm.so";
global { ac_list = atest; db_list = gdbm; gdbm:db_dir = "$tmp/db"; }
rule counting { atest:chunk = 10; update_time = 1s; }
rule manual {
  atest:chunk = 0;
  update_time = 1h;
  limit l1 { limit = 1G; }
  threshold t1 { threshold = 2K; threshold_time_width = 1h; threshold_time_slice = 1m; }
}
EOF
cat >"$tmp/ipastat.conf" <<EOF
st_mod "ipa_st_gdbm.so";
global { gdbm:db_dir = "$tmp/db"; }
EOF

# stat ARGS...: ipastat on our configuration; sets $rc, $out, $err.
stat () { run "$IPASTAT" -f "$tmp/ipastat.conf" "$@"; }

# ---- options ----
stat -s "unix:path=$tmp/none" --no-live -q -r manual
check "-s with --no-live: usage error (64)" test "$rc" -eq 64
stat -s "unix:path=$tmp/none" -t
check "-s with -t: usage error (64)" test "$rc" -eq 64

bus_start || { not_ok "a private bus starts"; done_testing; }
daemon_start "$tmp/ipa.conf" || { not_ok "ipa starts on the private bus"; done_testing; }
ok "ipa runs on the private bus"

# The first round wrote a record of each rule.
db_records () {
  "$IPASTAT" -f "$tmp/ipastat.conf" --no-live -q -r manual -o json 2>/dev/null |
    jq -e '.results[0].records | length >= 1' >/dev/null
}
check "ipa wrote the first record of manual" wait_for 10 db_records

run ipactl -r manual set counter +1000
check "ipactl adds 1000 to manual" test "$rc" -eq 0
live=$(rule_counter manual)
limit_live=$(bctl --json=short call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 \
  org.ipasystem.Ipa1.Manager GetRule s manual | jq -r '.data[0][8][0][4]')
diag "daemon: rule counter $live, limit counter $limit_live"

stat --no-live -q -r manual -o json
check "--no-live: exit 0" test "$rc" -eq 0
db_json=$out
db_counter=$(jq -r '.results[0].records[-1].counter' <<<"$db_json")
db_n=$(jq -r '.results[0].records | length' <<<"$db_json")
check "--no-live: the database does not have the 1000 yet ($db_counter < $live)" \
  test "$db_counter" -lt "$live"

stat -s "$BUS" -q -r manual -o json
live_json=$out
check "live: exit 0, nothing on stderr" test "$rc" -eq 0 -a -z "$err"
check "live: the current record's counter is the daemon's ($live)" \
  test "$(jq -r '.results[0].records[-1].counter' <<<"$live_json")" = "$live"
check "live: the database's copy of the record is replaced, not repeated ($db_n)" \
  test "$(jq -r '.results[0].records | length' <<<"$live_json")" = "$db_n" -a "$db_n" -ge 1
check "live: the total counts it" \
  test "$(jq -r '.results[0].total' <<<"$live_json")" -ge "$live"

stat -s "$BUS" -q -r manual -l l1 -r manual -t t1 -o json
check "live limit and threshold: exit 0" test "$rc" -eq 0 -a -z "$err"
check "live: the limit's state comes from the daemon (source)" \
  test "$(jq -r '.results[0].source' <<<"$out")" = daemon
check "live: the limit's counter is the daemon's ($limit_live)" \
  test "$(jq -r '.results[0].states[0].counter' <<<"$out")" = "$limit_live"
check "live: the threshold's state comes from the daemon (source)" \
  test "$(jq -r '.results[1].source' <<<"$out")" = daemon
check "live: the threshold's counter follows the rule's change" \
  test "$(jq -r '.results[1].state.counter' <<<"$out")" -ge 1000
stat --no-live -q -r manual -l l1 -o json
check "--no-live: the limit's state comes from the database" \
  test "$(jq -r '.results[0].source' <<<"$out")" = database

# The rule the daemon counts every second: the live counter is at least
# what the database has, and never older.
stat --no-live -q -r counting -o json
c_db=$(jq -r '.results[0].records[-1].counter' <<<"$out")
stat -s "$BUS" -q -r counting -o json
c_live=$(jq -r '.results[0].records[-1].counter' <<<"$out")
check "live: counting's live counter ($c_live) is not behind the database ($c_db)" \
  test "$c_live" -ge "$c_db" -a "$c_live" -ge 10

# A history interval that ends before today: the live record is outside.
stat -s "$BUS" -q -r manual -i 2001 -o json
check "live: a past interval gets no live record" \
  test "$rc" -eq 0 -a "$(jq -r '.results[0].records | length' <<<"$out")" = 0

# ---- ipa stops: the database answers, silently ----
daemon_stop
stat -s "$BUS" -q -r manual -l l1 -o json
check "no daemon: exit 0, nothing on stderr" test "$rc" -eq 0 -a -z "$err"
check "no daemon: the limit's state comes from the database" \
  test "$(jq -r '.results[0].source' <<<"$out")" = database
stat -s "$BUS" -q -r manual -o json
with_bus=$out
stat --no-live -q -r manual -o json
check "no daemon: the same output as --no-live" test "$rc" -eq 0 -a -n "$out" -a "$with_bus" = "$out"
check "no daemon: ipa wrote its counter when it stopped" \
  test "$(jq -r '.results[0].records[-1].counter' <<<"$out")" = "$live"

bus_stop
stat -s "$BUS" -q -r manual
check "no bus: exit 0, nothing on stderr" test "$rc" -eq 0 -a -z "$err"
stat -s "not an address" -q -r manual
check "a malformed address: exit 0, nothing on stderr" test "$rc" -eq 0 -a -z "$err"

done_testing
