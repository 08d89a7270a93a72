#!/bin/bash
# Set everything up and run ipa on the bundled configuration (data/ipa.conf).
#
# Today this builds ipa and checks the bundled configuration (ipa -t) and
# prints it as ipa understands it (ipa -tt).  Once the accounting engine and
# the interface and gdbm modules are in, it runs the daemon in the foreground
# accounting this machine's interfaces into ./build/run/state.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh

dir=build/run
if [ -f "$dir/build.ninja" ]; then
  meson setup --reconfigure "$dir" >/dev/null
else
  meson setup "$dir" >/dev/null
fi
meson compile -C "$dir" >/dev/null

ipa="$dir/src/ipa/ipa"
conf="$PWD/data/ipa.conf"

"$ipa" -v
echo "== ipa -t -f $conf"
"$ipa" -t -f "$conf"
echo "configuration OK"
echo "== ipa -tt -f $conf (the configuration in effect)"
"$ipa" -tt -f "$conf"
