#!/bin/bash
# test-systemd-install.sh: "meson install --destdir" puts the unit, the
# D-Bus files, the journal catalog, the configuration and the examples
# where systemd, the system bus and journalctl look for them, with the
# paths of this build.  TAP.
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/daemon/daemon-lib.sh"

command -v meson >/dev/null || skip_all "meson is missing"
py=$(command -v python3) || skip_all "python3 is missing"

dest=$tmp/dest
if ! meson install -C "$top_build" --no-rebuild --destdir "$dest" --quiet >"$tmp/install.log" 2>&1; then
  sed 's/^/# /' "$tmp/install.log"
  not_ok "meson install --destdir"
  done_testing
fi
ok "meson install --destdir"

# The directories of this build, absolute.
meson introspect --buildoptions "$top_build" >"$tmp/options.json"
dir () {
  "$py" -c '
import json, os, sys
o = {x["name"]: x["value"] for x in json.load(open(sys.argv[1]))}
v = o[sys.argv[2]]
print(v if os.path.isabs(v) else os.path.join(o["prefix"], v))' "$tmp/options.json" "$1"
}
prefix=$(dir prefix) sbindir=$(dir sbindir) bindir=$(dir bindir) datadir=$(dir datadir)
sysconfdir=$(dir sysconfdir) libdir=$(dir libdir)
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
[ -n "$unitdir" ] || unitdir=$prefix/lib/systemd/system

# installed WHAT PATH: PATH (absolute, without the destdir) is a file.
installed () { check "$1 in $(dirname "$2")" test -f "$dest$2"; }
installed "the daemon" "$sbindir/ipa"
installed "ipactl" "$bindir/ipactl"
installed "ipa.service" "$unitdir/ipa.service"
installed "the bus policy" "$datadir/dbus-1/system.d/org.ipasystem.Ipa1.conf"
installed "the D-Bus activation file" "$datadir/dbus-1/system-services/org.ipasystem.Ipa1.service"
installed "the introspection XML" "$datadir/dbus-1/interfaces/org.ipasystem.Ipa1.xml"
installed "the journal catalog" "$prefix/lib/systemd/catalog/ipa.catalog"
installed "the bundled ipa.conf" "$sysconfdir/ipa/ipa.conf"
installed "the bundled ipastat.conf" "$sysconfdir/ipa/ipastat.conf"
installed "the shipped modules" "$libdir/ipa/ipa_db_gdbm.so"
n_examples=$(ls "$top_src"/data/examples/*.conf | wc -l)
n_installed=$(ls "$dest$datadir"/doc/ipa/examples/*.conf 2>/dev/null | wc -l)
check "the $n_examples example configurations in $datadir/doc/ipa/examples" \
  test "$n_installed" -eq "$n_examples"

# Where they are read from.
unit=$dest$unitdir/ipa.service
check "ipa.service starts the installed daemon" grep -qx "ExecStart=$sbindir/ipa" "$unit"
check "the installed files are those of the source tree" \
  bash -c "cmp -s '$top_src/data/org.ipasystem.Ipa1.conf' '$dest$datadir/dbus-1/system.d/org.ipasystem.Ipa1.conf' &&
           cmp -s '$top_src/data/ipa.catalog' '$dest$prefix/lib/systemd/catalog/ipa.catalog'"
# Notes for other prefixes (test-systemd-service.sh shows that they are
# found with this one): journalctl --update-catalog reads /usr/lib and
# /usr/local/lib; the system bus finds activation files under /usr/share
# and /usr/local/share, policies under /usr/share and /etc only.
case $prefix in
  /usr|/usr/local) ;;
  *) diag "prefix $prefix: journalctl and the system bus do not look there for the catalog and the activation file" ;;
esac
if [ "$datadir" != /usr/share ]; then
  diag "datadir $datadir: the system bus reads policies only from /usr/share/dbus-1/system.d"
  diag "and /etc/dbus-1/system.d: with this prefix the policy file must be copied to /etc"
fi

done_testing
