# netns-daemon-lib.sh: what the tests of the daemon counting real traffic
# inside a network namespace share (tests/netdev/test-netdev-daemon.sh,
# tests/nft/test-nft-daemon.sh): TAP output, ipa started in the namespace
# and writing into ipa_db_gdbm, and the database read back with ipastat
# (ipa_st_gdbm).  Sourced after "set -u".

top_build=${IPA_TEST_TOP_BUILDDIR:?}
ipa=$top_build/src/ipa/ipa
ipastat=$top_build/src/ipastat/ipastat

n=0
failed=0
ipa_pid=
# Lines of ipa's log (stderr with -d) of these priorities.
log_errors='^ipa: (error|critical|alert|emergency): '

ok() { n=$((n + 1)); echo "ok $n - $1"; }
# not_ok DESCRIPTION [DETAIL...]: each detail becomes a diagnostic line.
not_ok() {
  n=$((n + 1)); failed=1; echo "not ok $n - $1"
  shift
  local line
  for line in "$@"; do echo "# $line"; done
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
bail() {
  echo "Bail out! $1"
  [ -f "${tmp:-}/ipa.log" ] && sed 's/^/# ipa: /' "$tmp/ipa.log"
  exit 1
}
done_testing() {
  echo "1..$n"
  exit $failed
}

# netns_test_begin TEARDOWN: makes $tmp with the ipastat configuration
# that reads $tmp/db; at exit ipa is killed if still there, TEARDOWN (the
# name of a function that removes the namespaces) runs and $tmp goes.
# Called after the skip checks, so that a skipped test has nothing to undo.
netns_test_begin() {
  netns_test_teardown=$1
  tmp=$(mktemp -d)
  trap netns_test_cleanup EXIT
  trap 'exit 1' INT TERM
  cat >"$tmp/ipastat.conf" <<EOT
st_mod "ipa_st_gdbm.so";
global {
    st_list = gdbm;
    gdbm:db_dir = "$tmp/db";
}
EOT
}
netns_test_cleanup() {
  if [ -n "$ipa_pid" ] && kill -0 "$ipa_pid" 2>/dev/null; then
    kill -KILL "$ipa_pid" 2>/dev/null
    wait "$ipa_pid" 2>/dev/null
  fi
  "$netns_test_teardown"
  rm -rf "$tmp"
}

# start_ipa_in NS: "ipa -d" with $tmp/ipa.conf in namespace NS, its log
# in $tmp/ipa.log; sets $ipa_pid.  Not on the machine's system bus (if
# there is one): the name may be taken or not allowed there.  Without a
# bus ipa only warns.
start_ipa_in() {
  DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus \
    ip netns exec "$1" "$ipa" -d -f "$tmp/ipa.conf" -p "$tmp/ipa.pid" 2>"$tmp/ipa.log" &
  ipa_pid=$!
}

# stop_ipa: SIGTERM, and the exit status must be 0.
stop_ipa() {
  local rc
  kill -TERM "$ipa_pid"
  wait "$ipa_pid"
  rc=$?
  ipa_pid=
  if [ "$rc" -eq 0 ]; then
    ok "ipa exits with status 0 on SIGTERM"
  else
    not_ok "ipa exits with status 0 on SIGTERM" "status $rc" "$(cat "$tmp/ipa.log")"
  fi
}

check_no_errors() {
  if grep -qE "$log_errors" "$tmp/ipa.log"; then
    not_ok "ipa logged no error" "$(grep -E "$log_errors" "$tmp/ipa.log")"
  else
    ok "ipa logged no error"
  fi
}

# The sum of the counters of RULE's records (nothing if ipastat does not
# know the rule yet or the database is busy).
db_value() {
  "$ipastat" -f "$tmp/ipastat.conf" -q -r "$1" -i 2000-2100 -n 2>/dev/null |
    awk '$1 == "record" { s += $NF; n++ } END { if (n) print s }'
}

# poll SECONDS CMD...: CMD every 0.1 s until it succeeds or SECONDS pass;
# gives up at once when ipa is gone.
poll() {
  local i tries=$(($1 * 10))
  shift
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    if [ -n "$ipa_pid" ] && ! kill -0 "$ipa_pid" 2>/dev/null; then
      return 1
    fi
    sleep 0.1
  done
  return 1
}

db_is() { [ "$(db_value "$1")" = "$2" ]; }

# check_db RULE EXPECTED DESCRIPTION: wait until the database agrees.
check_db() {
  if poll 10 db_is "$1" "$2"; then
    ok "$3"
  else
    not_ok "$3" "rule $1: database has '$(db_value "$1")', expected $2"
  fi
}
