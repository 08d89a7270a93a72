#!/bin/bash
# tools/run.sh [--for SECONDS]: set up, build, and run ipa on the bundled
# configuration (data/ipa.conf): the traffic of this machine's network
# interfaces, counted into GDBM files under build/run/state.
#
# The daemon runs in the foreground until Ctrl-C (or, with --for, SECONDS
# seconds); it then writes its last counters and stops, and the script
# shows what ipastat reads from the database.  Run as root on Debian 12
# (tools/setup.sh installs what is missing).
#
# The configurations actually used are copies of data/ipa.conf and
# data/ipastat.conf in build/run with the database directory, the update
# time and the module paths changed, so that nothing is installed or
# written outside the build tree (but the socket of the bus below, in
# /tmp while it runs, and ipa's messages in the journal where there is
# one).  ipa serves D-Bus on a private bus of its own (--bus-address), on
# which "ipactl -s ADDRESS status" reaches it.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

usage() {
  cat <<EOF
Usage: tools/run.sh [--for SECONDS]

Build ipa and run it on the bundled configuration, accounting this
machine's network interfaces into build/run/state.
  --for SECONDS  stop after SECONDS seconds instead of at Ctrl-C
EOF
}

run_for=
while [ $# -gt 0 ]; do
  case $1 in
    --for)
      [ $# -ge 2 ] || { usage >&2; exit 64; }
      run_for=$2
      shift 2
      ;;
    --for=*) run_for=${1#--for=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 64 ;;
  esac
done
if [ -n "$run_for" ] && ! [[ $run_for =~ ^[1-9][0-9]*$ ]]; then
  echo "run.sh: --for needs a whole number of seconds, not \"$run_for\"" >&2
  exit 64
fi

tools/setup.sh

build=build/run
state=$top/$build/state
update_time=10s
# The paths go into configuration strings and XML.
case $top in
  *[\"\\\$\&\<\>]* | *$'\n'*)
    echo "run.sh: the path of the tree ($top) contains one of \" \\ \$ & < > or a newline;" \
      "move it elsewhere" >&2
    exit 1
    ;;
esac

echo "== building in $build"
mkdir -p "$build"
log=$build/build.log
if { if [ -f "$build/build.ninja" ]; then meson setup --reconfigure "$build"; else meson setup "$build"; fi &&
     meson compile -C "$build"; } >"$log" 2>&1; then
  :
else
  tail -n 40 "$log" >&2
  echo "run.sh: the build failed; the whole output is in $log" >&2
  exit 1
fi

ipa=$top/$build/src/ipa/ipa
ipastat=$top/$build/src/ipastat/ipastat
ipactl=$top/$build/src/ipactl/ipactl
modules=$top/$build/modules
conf=$build/ipa.conf
stconf=$build/ipastat.conf

# make_conf SRC DST: SRC with "${db_dir} = ...;" and "${update_time} =
# ...;" set for this run and relative module names made absolute.  Each
# macro line must be there exactly once.
make_conf() {
  awk -v dir="$state" -v ut="$update_time" -v mods="$modules" '
    /^\$\{db_dir\} = / { print "${db_dir} = \"" dir "\";"; n_dir++; next }
    /^\$\{update_time\} = / { print "${update_time} = \"" ut "\";"; n_ut++; next }
    /^(ac|db|st)_mod "[^\/"]/ { sub(/"/, "\"" mods "/"); print; next }
    { print }
    END {
      if (n_dir != 1) { print FILENAME ": no single ${db_dir} line" > "/dev/stderr"; exit 1 }
      if (n_ut > 1) { print FILENAME ": more than one ${update_time} line" > "/dev/stderr"; exit 1 }
    }' "$1" >"$2.tmp"
  mv "$2.tmp" "$2"
}
make_conf data/ipa.conf "$conf"
make_conf data/ipastat.conf "$stconf"
mkdir -p "$state"

"$ipa" -v | head -n 1
echo "== checking $conf (ipa -t)"
"$ipa" -t -f "$conf"

# A private bus: no policy to install on the machine, and no clash with an
# ipa started by systemd.  Its policy includes ours (data/).
bus_pid=
ipa_pid=
bus_addr=
bus_args=()
cleanup() {
  if [ -n "$ipa_pid" ] && kill -0 "$ipa_pid" 2>/dev/null; then
    kill -TERM "$ipa_pid" 2>/dev/null || true
    wait "$ipa_pid" 2>/dev/null || true
  fi
  if [ -n "$bus_pid" ]; then
    kill -TERM "$bus_pid" 2>/dev/null || true
    wait "$bus_pid" 2>/dev/null || true
  fi
  rm -f "$build/bus.address"
}
trap cleanup EXIT

if command -v dbus-daemon >/dev/null; then
  cat >"$build/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- The bus tools/run.sh starts for ipa: like a system bus, with the
     policy ipa installs. -->
<busconfig>
  <type>system</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow send_destination="org.freedesktop.DBus"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
  <include>$top/data/org.ipasystem.Ipa1.conf</include>
</busconfig>
EOF
  rm -f "$build/bus.address"
  dbus-daemon --config-file="$build/bus.conf" --nofork --print-address=1 \
    >"$build/bus.address" 2>"$build/bus.log" &
  bus_pid=$!
  for _ in $(seq 50); do
    bus_addr=$(head -n 1 "$build/bus.address" 2>/dev/null || true)
    [ -n "$bus_addr" ] && break
    kill -0 "$bus_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$bus_addr" ]; then
    bus_args=(--bus-address "$bus_addr")
  else
    echo "run.sh: the private D-Bus bus did not start ($(cat "$build/bus.log")); going on without" >&2
    bus_pid=
  fi
fi

# ---- the daemon ----
# SIGINT (Ctrl-C) reaches ipa from the terminal; stop it also when only
# this script is signalled.
stop_daemon() {
  [ -n "$ipa_pid" ] && kill -TERM "$ipa_pid" 2>/dev/null || true
}
trap stop_daemon INT TERM

echo "== starting ipa -d -f $conf -p $build/ipa.pid ${bus_args[*]}"
# ipastat interval syntax; the records of this run start after it.
t0=$(date +%Y.%m.%d/%H:%M:%S)
"$ipa" -d -f "$conf" -p "$build/ipa.pid" "${bus_args[@]}" &
ipa_pid=$!

q() { "$ipastat" -f "$stconf" -q "$@"; }
# The first round makes the rules of the interfaces (lo is always there).
for _ in $(seq 100); do
  kill -0 "$ipa_pid" 2>/dev/null || break
  q -r rx_lo >/dev/null 2>&1 && break
  sleep 0.1
done

ctl_hint="(not available: no D-Bus bus)"
ctl_ok=
if [ -n "$bus_addr" ] && kill -0 "$ipa_pid" 2>/dev/null; then
  ctl_out=
  for _ in $(seq 20); do
    if ctl_out=$("$ipactl" -s "$bus_addr" -w 2 status 2>&1); then
      ctl_ok=1
      break
    fi
    sleep 0.1
  done
  if [ -n "$ctl_ok" ]; then
    ctl_hint="$build/src/ipactl/ipactl -s '$bus_addr' status"
  else
    ctl_hint="(not available: ipa does not answer on the bus; ipactl says: $(printf '%s\n' "$ctl_out" | head -n 1))"
  fi
fi

if kill -0 "$ipa_pid" 2>/dev/null; then
  cat <<EOF

ipa runs (process $ipa_pid): a rule per interface and direction (rx_IF,
tx_IF) and the totals of all interfaces but lo (total_rx, total_tx),
read every $update_time and written to $build/state.

Query the statistics (from another terminal too, while ipa runs):
  $build/src/ipastat/ipastat -f $stconf -q -a
  $build/src/ipastat/ipastat -f $stconf -q -r total_rx -r total_tx
  $build/src/ipastat/ipastat -f $stconf -q -x -r '^(rx|tx)_' -n
Control the daemon:
  $ctl_hint
EOF
  if [ -n "$ctl_ok" ]; then
    printf '%s\n' "$ctl_out" | sed 's/^/    /'
  fi
  if [ -n "$run_for" ]; then
    echo "It stops in $run_for seconds."
  else
    echo "Stop it with Ctrl-C."
  fi
  echo
fi

# wait_daemon: wait until ipa exits (a signal to this script interrupts
# wait(1); ipa is then being stopped) and set $ipa_status.
wait_daemon() {
  local rc
  while :; do
    rc=0
    wait "$ipa_pid" || rc=$?
    # Above 128: a trapped signal interrupted wait, or ipa died of one.
    if [ "$rc" -gt 128 ] && kill -0 "$ipa_pid" 2>/dev/null; then
      continue
    fi
    ipa_status=$rc
    ipa_pid=
    return
  done
}

if [ -n "$run_for" ]; then
  # Bash reaps ipa as soon as it exits, so kill -0 tells whether it runs;
  # wait(1) on the sleep lets a trapped signal in at once.
  end=$((SECONDS + run_for))
  while [ "$SECONDS" -lt "$end" ] && kill -0 "$ipa_pid" 2>/dev/null; do
    sleep 1 &
    wait $! || true
  done
  stop_daemon
fi
wait_daemon
trap - INT TERM

if [ "$ipa_status" -ne 0 ]; then
  echo "run.sh: ipa exited with status $ipa_status" >&2
  exit 1
fi

span="$t0-$(date +%Y.%m.%d/%H:%M:%S)"
echo
echo "== ipa stopped; what it counted meanwhile (ipastat -q -r total_rx -r total_tx -i $span):"
q -r total_rx -r total_tx -i "$span"
echo
echo "== per interface and direction (ipastat -q -x -r '^(rx|tx)_' -i $span -n;"
echo "   the fields after the rule: date, first and last update, bytes):"
q -x -r '^(rx|tx)_' -i "$span" -n
