#!/bin/bash
# Set everything up and run the whole test suite twice: a normal build with
# warnings as errors, then an ASan+UBSan build.  Starts no service that it
# leaves running (tests that need dbus-daemon, journald or systemd start and
# stop their own private instances).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

tools/setup.sh

pass=0
fail=0
skip=0

run_suite() {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
  if ! meson compile -C "$dir"; then
    echo "build in $dir failed" >&2
    fail=$((fail + 1))
    return 1
  fi
  rm -f "$dir/meson-logs/testlog.json"
  local rc=0
  meson test -C "$dir" --print-errorlogs --num-processes 2 || rc=$?
  # Count from the machine-readable log: one JSON object per test.
  local counts
  counts=$(/usr/bin/python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
print(p, f, s)
PY
)
  read -r p f s <<<"$counts"
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
  return $rc
}

status=0
echo "== build with warnings as errors"
run_suite build/test -Dwerror=true -Dbuildtype=debugoptimized || status=1

echo "== build with AddressSanitizer and UndefinedBehaviorSanitizer"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
run_suite build/asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbuildtype=debug || status=1

echo
echo "${pass} passed, ${fail} failed, ${skip} skipped"
exit $status
