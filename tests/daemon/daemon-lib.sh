# daemon-lib.sh: helpers for the shell tests of the ipa program (sourced
# by tests/daemon/*.sh and tests/journal/*.sh).  TAP output.
#
# Conditions are polled with a time limit instead of fixed sleeps.

top_build=${IPA_TEST_TOP_BUILDDIR:?}
top_src=${IPA_TEST_TOP_SRCDIR:?}
IPA=$top_build/src/ipa/ipa
# Shipped modules (ipa_atest.so, ipa_db_memory.so) and the test modules.
export IPA_MODULE_DIR=${IPA_MODULE_DIR:-$top_build/modules:$top_build/tests/modules}
# The daemon must not think it runs under systemd unless a test says so.
unset NOTIFY_SOCKET INVOCATION_ID WATCHDOG_USEC WATCHDOG_PID JOURNAL_STREAM

tap_n=0
tap_fail=0
tmp=$(mktemp -d /tmp/ipa-test.XXXXXX)
chmod 755 "$tmp"
# PIDs of daemons started here, killed at exit if still there.
started_pids=()

ok () { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok () { tap_n=$((tap_n + 1)); tap_fail=1; echo "not ok $tap_n - $1"; }
skip () { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
diag () { echo "# $*"; }

# check DESCRIPTION COMMAND...: the command must succeed.
check () {
  local d=$1; shift
  if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# skip_all REASON: nothing of this file can run here.
skip_all () {
  echo "1..0 # SKIP $1"
  exit 0
}

cleanup () {
  local p
  for p in "${started_pids[@]}"; do
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  # A test that mounted things under $tmp undoes that in before_cleanup;
  # if it cannot, the files stay rather than rm reaching through a mount.
  if declare -F before_cleanup >/dev/null && ! before_cleanup; then
    echo "# left $tmp: something is still mounted there"
    return
  fi
  # IPA_TEST_KEEP=1 keeps the files for a look after a failure.
  if [ -n "${IPA_TEST_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

done_testing () {
  echo "1..$tap_n"
  exit $tap_fail
}

# wait_for SECONDS COMMAND...: poll every 20 ms until COMMAND succeeds.
wait_for () {
  local limit=$1; shift
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  while ! "$@"; do
    [ "$(date +%s%N)" -ge "$end" ] && return 1
    sleep 0.02
  done
  return 0
}

alive () { kill -0 "$1" 2>/dev/null; }
dead () { ! kill -0 "$1" 2>/dev/null; }
# grep_file PATTERN FILE: extended regular expression in FILE.
grep_file () { grep -Eq -- "$1" "$2" 2>/dev/null; }
count_lines () { [ -f "$2" ] || { echo 0; return; }; grep -Ec -- "$1" "$2"; }

# start_fg NAME ARGS...: "ipa -d ARGS" in the background, stdout and
# stderr in $tmp/NAME.log; sets $dpid.  Waits until it reports started.
start_fg () {
  local name=$1; shift
  "$IPA" -d "$@" >"$tmp/$name.log" 2>&1 &
  dpid=$!
  started_pids+=("$dpid")
  wait_for 10 started_or_dead "$dpid" "$tmp/$name.log"
}
started_or_dead () { grep_file 'ipa [0-9.]+ started' "$2" || dead "$1"; }

# stop_wait PID SIGNAL: send SIGNAL and reap; sets $rc and $elapsed_ms.
stop_wait () {
  local t0
  t0=$(date +%s%N)
  kill "-$2" "$1"
  wait "$1"
  rc=$?
  elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# run CMD...: sets $rc, $out, $err.
run () {
  "$@" >"$tmp/run.out" 2>"$tmp/run.err"
  rc=$?
  out=$(cat "$tmp/run.out")
  err=$(cat "$tmp/run.err")
}
