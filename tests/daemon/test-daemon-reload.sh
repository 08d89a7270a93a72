#!/bin/bash
# test-daemon-reload.sh: SIGHUP re-reads the configuration; a broken one
# is refused and the daemon goes on with the old one.  TAP output.
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/daemon/daemon-lib.sh"

marker=$tmp/marker
conf=$tmp/ipa.conf
head="ac_mod \"ipa_atest.so\";
global { update_time = 1s; ac_list = atest; }
startup { exec \"echo startup >> $marker\"; }"
rule1="rule r1 {
  atest:chunk = 100;
  limit l1 { limit = 150; reach { exec \"echo reached r1 >> $marker\"; } }
}"
rule2="rule r2 {
  atest:chunk = 100;
  limit l2 { limit = 150; reach { exec \"echo reached r2 >> $marker\"; } }
}"
shutdown="shutdown { exec \"echo shutdown >> $marker\"; }"

printf '%s\n%s\n' "$head" "$rule1" >"$conf"
start_fg a -p "$tmp/ipa.pid" -f "$conf"
check "started with one rule" grep_file 'started: 1 rule$' "$tmp/a.log"
check "r1 reaches its limit" wait_for 10 grep_file '^reached r1$' "$marker"

# ---- a valid edit is applied ----
printf '%s\n%s\n%s\n%s\n' "$head" "$rule1" "$rule2" "$shutdown" >"$conf"
kill -HUP "$dpid"
check "SIGHUP: the new configuration is loaded" \
  wait_for 10 grep_file 'reloaded: 2 rules$' "$tmp/a.log"
check "the new rule r2 counts and reaches its limit" wait_for 10 grep_file '^reached r2$' "$marker"
# The limit state of r1 came through the reload: still reached, so no
# second reach (with the null database only the snapshot carries it).
check "r1's reached limit stays reached across the reload" \
  test "$(count_lines '^reached r1$' "$marker")" -eq 1
check "the startup section did not run again" \
  test "$(count_lines '^startup$' "$marker")" -eq 1

# ---- a broken edit is refused ----
printf '%s\nrule r3 {\n  atest:chunk = 100;\n  no_such_param = 1;\n}\n' "$head" >"$conf"
kill -HUP "$dpid"
check "SIGHUP with a broken file: the reason, with FILE:LINE:COLUMN" \
  wait_for 10 grep_file "$conf:6:3: .*no_such_param" "$tmp/a.log"
check "SIGHUP with a broken file: refused, the old configuration runs on" \
  grep_file 'rejected, going on with the running one' "$tmp/a.log"
check "the daemon is still alive" alive "$dpid"
check "no reload happened" test "$(count_lines 'reloaded' "$tmp/a.log")" -eq 1
n=$(count_lines 'accounting started' "$tmp/a.log")
check "the modules were not touched (no new init)" test "$n" -eq 2

# Still counting with the old configuration: a new limit event needs it.
printf '%s\n%s\n%s\n%s\n' "$head" "$rule1" "$rule2" \
  "rule r4 { atest:chunk = 100; limit l4 { limit = 150; reach { exec \"echo reached r4 >> $marker\"; } } }" \
  >"$conf"
kill -HUP "$dpid"
check "after a refused reload, a fixed file is loaded" \
  wait_for 10 grep_file 'reloaded: 3 rules$' "$tmp/a.log"
check "and its new rule counts" wait_for 10 grep_file '^reached r4$' "$marker"

# ---- two SIGHUPs in a row are both served, the last file wins ----
printf '%s\n%s\n%s\n' "$head" "$rule1" "$shutdown" >"$conf"
kill -HUP "$dpid"; kill -HUP "$dpid"
check "two quick SIGHUPs: the file is loaded" wait_for 10 grep_file 'reloaded: 1 rule$' "$tmp/a.log"
check "two quick SIGHUPs: still alive" alive "$dpid"

stop_wait "$dpid" TERM
check "SIGTERM after reloads: exit status 0" test "$rc" -eq 0
check "the shutdown section added by a reload ran" \
  test "$(count_lines '^shutdown$' "$marker")" -eq 1

# ---- with a database: the new rule is stored, the old one goes on ----
db=$tmp/db.txt
dbhead="db_mod \"ipa_db_memory.so\";
memory:file = \"$db\";
ac_mod \"ipa_atest.so\";
global { update_time = 1s; ac_list = atest; db_list = memory; }"
printf '%s\nrule r1 { atest:chunk = 100; }\n' "$dbhead" >"$conf"
start_fg db -p "$tmp/ipa.pid" -f "$conf"
check "with db_memory: r1 is stored" wait_for 10 grep_file '^record r1 .* [1-9][0-9]*$' "$db"
printf '%s\nrule r1 { atest:chunk = 100; }\nrule r2 { atest:chunk = 7; }\n' "$dbhead" >"$conf"
kill -HUP "$dpid"
check "with db_memory: after SIGHUP the new rule r2 is in the database" \
  wait_for 10 grep_file '^rule r2 active=1' "$db"
check "with db_memory: r2's counts are stored" wait_for 10 grep_file '^record r2 .* (7|14|21|28)$' "$db"
cnt_before=$(awk '$1 == "record" && $2 == "r1" { c = $6 } END { print c + 0 }' "$db")
stop_wait "$dpid" TERM
cnt_after=$(awk '$1 == "record" && $2 == "r1" { c = $6 } END { print c + 0 }' "$db")
check "with db_memory: r1 kept counting across the reload ($cnt_before, then $cnt_after)" \
  test "$cnt_after" -gt "$cnt_before"

# ---- a file that passes the check but cannot be run ----
# ac_init fails only when the engine starts (ipa -t does not call it):
# there is no configuration left, the daemon must exit non-zero.
printf '%s\n%s\n' "$head" "$rule1" >"$conf"
start_fg b -p "$tmp/ipa.pid" -f "$conf"
printf 'ac_mod "ipa_atest.so";\nglobal { update_time = 1s; ac_list = atest; atest:fail = "init"; }\n%s\n' \
  "$rule1" >"$conf"
check "the failing file passes ipa -t" "$IPA" -t -f "$conf"
kill -HUP "$dpid"
wait "$dpid"; rc=$?
check "a reload that cannot be completed: exit status 1" test "$rc" -eq 1
check "it says why" grep_file 'passed its check but cannot be run' "$tmp/b.log"
check "the module's failure is logged" grep_file 'ac_init' "$tmp/b.log"
check "the PID file is removed" test ! -e "$tmp/ipa.pid"

done_testing
