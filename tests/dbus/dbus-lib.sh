# dbus-lib.sh: helpers for the shell tests of org.ipasystem.Ipa1 and
# ipactl (sourced by tests/dbus/test-*.sh).  TAP output.
#
# Each test file gets its own private dbus-daemon with a configuration like
# the system bus's (nobody may own names or call methods unless a policy
# says so) that includes our policy file data/org.ipasystem.Ipa1.conf, and
# a daemon serving org.ipasystem.Ipa1 on it: our test daemon
# test-dbus-host (the engine and the service, nothing else), or, when the
# script is run with --with-ipa (or IPA_DBUS_DAEMON=ipa), the real ipa
# (ipa -d --bus-address=…); without that option in ipa the script skips.
# Conditions are polled with a time limit, never waited for with sleep.

[ "${1:-}" = --with-ipa ] && IPA_DBUS_DAEMON=ipa
top_build=${IPA_TEST_TOP_BUILDDIR:?}
top_src=${IPA_TEST_TOP_SRCDIR:?}
IPACTL=$top_build/src/ipactl/ipactl
HOST=$top_build/tests/dbus/test-dbus-host
IPA=$top_build/src/ipa/ipa
POLICY=$top_src/data/org.ipasystem.Ipa1.conf
export IPA_MODULE_DIR=${IPA_MODULE_DIR:-$top_build/modules:$top_build/tests/modules}
unset NOTIFY_SOCKET INVOCATION_ID WATCHDOG_USEC WATCHDOG_PID JOURNAL_STREAM
# Dates in the output do not depend on the machine.
export TZ=UTC

tap_n=0
tap_fail=0
tmp=$(mktemp -d /tmp/ipa-dbus-test.XXXXXX)
# Other users (setpriv) must reach the bus socket and read the config.
chmod 755 "$tmp"
started_pids=()

ok () { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok () { tap_n=$((tap_n + 1)); tap_fail=1; echo "not ok $tap_n - $1"; }
skip () { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
diag () { echo "# $*"; }

# check DESCRIPTION COMMAND...: the command must succeed.  On failure the
# last run's status and stderr are shown.
check () {
  local d=$1; shift
  if "$@"; then ok "$d"; else
    not_ok "$d"
    diag "last run: rc=${rc:-} stderr: $(head -c 400 "$tmp/run.err" 2>/dev/null)"
  fi
}

skip_all () {
  echo "1..0 # SKIP $1"
  exit 0
}

done_testing () {
  echo "1..$tap_n"
  exit $tap_fail
}

# A test may set cleanup_hook to a function run before $tmp goes.
cleanup_hook=
cleanup () {
  local p
  for p in "${started_pids[@]}"; do
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  [ -n "$cleanup_hook" ] && "$cleanup_hook"
  rm -rf "$tmp"
}
trap cleanup EXIT

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

# run CMD...: sets $rc, $out, $err.
run () {
  "$@" >"$tmp/run.out" 2>"$tmp/run.err"
  rc=$?
  out=$(cat "$tmp/run.out")
  err=$(cat "$tmp/run.err")
}

# has_tools: the tools the tests need are there.
has_tools () {
  command -v dbus-daemon >/dev/null && command -v busctl >/dev/null && command -v jq >/dev/null
}

# ---- the bus ----

# bus_start: a private system-like bus in $tmp; sets $BUS (its address)
# and $bus_pid.
bus_start () {
  cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$tmp/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Peer"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <include>$POLICY</include>
</busconfig>
EOF
  dbus-daemon --config-file="$tmp/bus.conf" --nofork --print-address=3 \
    3>"$tmp/bus.addr" 2>"$tmp/bus.log" &
  bus_pid=$!
  started_pids+=("$bus_pid")
  wait_for 10 test -s "$tmp/bus.addr" || return 1
  BUS=$(head -n1 "$tmp/bus.addr")
  export BUS
}

bus_stop () {
  kill -TERM "$bus_pid" 2>/dev/null
  wait "$bus_pid" 2>/dev/null
  rm -f "$tmp/bus.sock"
}

bctl () { busctl --address="$BUS" "$@"; }
ipactl () { "$IPACTL" -s "$BUS" "$@"; }

name_owned () {
  bctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
    GetNameOwner s org.ipasystem.Ipa1 >/dev/null 2>&1
}

# ---- the daemon ----

# use_real_ipa: the tests run against ipa itself.
use_real_ipa () { [ "${IPA_DBUS_DAEMON:-host}" = ipa ]; }
if use_real_ipa && ! "$IPA" --help 2>/dev/null | grep -q -- --bus-address; then
  skip_all "ipa cannot be told a bus yet (no --bus-address)"
fi

# daemon_start CONF [EXTRA ARGS...]: serve CONF on $BUS; sets $dpid.
# The log is $tmp/daemon.log.
daemon_start () {
  local conf=$1; shift
  rm -f "$tmp/ready"
  if use_real_ipa; then
    diag "daemon: $IPA"
    "$IPA" -d -f "$conf" -p "$tmp/ipa.pid" --bus-address="$BUS" "$@" \
      >"$tmp/daemon.log" 2>&1 &
  else
    diag "daemon: $HOST"
    "$HOST" --conf "$conf" --address "$BUS" --ready-file "$tmp/ready" "$@" \
      >"$tmp/daemon.log" 2>&1 &
  fi
  dpid=$!
  started_pids+=("$dpid")
  wait_for 20 name_owned || { diag "daemon did not start:"; sed 's/^/# /' "$tmp/daemon.log"; return 1; }
}

# daemon_stop: SIGTERM and reap; sets $rc.
daemon_stop () {
  kill -TERM "$dpid" 2>/dev/null
  wait "$dpid"
  rc=$?
}

# rule_counter RULE: the counter of RULE from ListRules (as root).
rule_counter () {
  bctl --json=short call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 \
    org.ipasystem.Ipa1.Manager GetRule s "$1" | jq -r '.data[0][5]'
}
