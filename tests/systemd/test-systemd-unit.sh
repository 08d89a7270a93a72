#!/bin/bash
# test-systemd-unit.sh UNIT: the generated ipa.service as systemd reads it.
# "systemd-analyze verify" exits 0 even on unknown keys and bad values, so
# any output at all is a failure.  It also wants ExecStart's binary at its
# installed path and writes below /run: it runs in a private mount
# namespace with a tmpfs /run and the built ipa laid over that path.
# "systemd-analyze security" must rate the sandbox 2.5 or better.  Root.
# TAP.
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/daemon/daemon-lib.sh"

unit=${1:?usage: test-systemd-unit.sh UNIT}
max_exposure=2.5

[ "$(id -u)" -eq 0 ] || skip_all "needs root for a private mount namespace"
command -v systemd-analyze >/dev/null || skip_all "systemd-analyze is missing"
command -v unshare >/dev/null || skip_all "unshare is missing"

check "the unit was generated: $unit" test -s "$unit"
check "no @VARIABLE@ left unreplaced" bash -c "! grep -n '@[A-Z_]*@' '$unit'"

# ---- the parts that must agree with the rest of the tree ----
value () { sed -n "s/^$1=//p" "$2" | tail -1; }
activation=$top_src/data/org.ipasystem.Ipa1.service
xml=$top_src/data/org.ipasystem.Ipa1.xml
check "Type=notify" test "$(value Type "$unit")" = notify
check "BusName= is the Name= of the D-Bus activation file" \
  test "$(value BusName "$unit")" = "$(value Name "$activation")"
check "the activation file starts this unit (SystemdService=ipa.service)" \
  test "$(value SystemdService "$activation")" = ipa.service
exec_start=$(value ExecStart "$unit")
check "ExecStart runs ipa in the foreground without -d: $exec_start" \
  bash -c "[[ '$exec_start' == /*/ipa ]]"
check "ExecReload calls the Reload method of the interface" \
  bash -c "value () { sed -n \"s/^\$1=//p\" \"\$2\"; }; [[ \"\$(value ExecReload '$unit')\" == *' org.ipasystem.Ipa1.Manager Reload' ]] &&
           grep -q '<method name=\"Reload\"' '$xml'"
check "WatchdogSec= is set" bash -c "[ -n \"\$(sed -n 's/^WatchdogSec=//p' '$unit')\" ]"

# ---- systemd-analyze in a mount namespace of its own ----
# sandboxed SCRIPT...: run bash SCRIPT with /run private and $exec_start
# present (an overlay on the deepest existing directory above it, so that
# nothing of the host changes).
sandboxed () {
  unshare --mount --propagation private bash -c '
    set -e
    exe=$1 ipa=$2 work=$3; shift 3
    mount -t tmpfs tmpfs /run
    dir=$(dirname "$exe") base=$dir
    while [ ! -d "$base" ]; do base=$(dirname "$base"); done
    mount -t tmpfs tmpfs "$work"
    mkdir "$work/u" "$work/w"
    mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/u,workdir=$work/w" "$base"
    mkdir -p "$dir"
    cp "$ipa" "$exe"
    exec bash -c "$@"' sandboxed "$exec_start" "$top_build/src/ipa/ipa" "$ovl" "$@"
}
ovl=$tmp/ovl
mkdir -p "$ovl"

sandboxed "systemd-analyze verify --man=no '$unit'" >"$tmp/verify.out" 2>&1
rc=$?
check "systemd-analyze verify: rc 0 and no output (rc $rc)" \
  bash -c "[ $rc -eq 0 ] && [ ! -s '$tmp/verify.out' ]"
sed 's/^/# /' "$tmp/verify.out"

# The same check must notice a bad key, or it proves nothing.
mkdir -p "$tmp/bad"
sed 's/^Type=notify$/Type=notify\nNoSuchKey=1/' "$unit" >"$tmp/bad/ipa.service"
sandboxed "systemd-analyze verify --man=no '$tmp/bad/ipa.service'" >"$tmp/bad.out" 2>&1
check "the check notices an unknown key" grep -q NoSuchKey "$tmp/bad.out"

sandboxed "systemd-analyze security --offline=yes --no-pager '$unit'" >"$tmp/security.out" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for ipa.service: \([0-9.]*\).*/\1/p' "$tmp/security.out")
diag "systemd-analyze security: ${exposure:-?}; not protected:"
grep '✗' "$tmp/security.out" | sed 's/  */ /g; s/^/#   /'
check "systemd-analyze security: exposure ${exposure:-?} <= $max_exposure" \
  awk -v e="${exposure:-99}" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'

done_testing
