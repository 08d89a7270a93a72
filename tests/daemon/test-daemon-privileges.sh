#!/bin/bash
# test-daemon-privileges.sh: -u, -g and -c of the daemon.  Needs root; the
# whole file runs in a private mount namespace, where test users live in
# an overlay over /etc and the chroot is made of bind mounts, so nothing
# of the machine is changed.  TAP output.
set -u

if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP needs root to change user, group and root directory"
  exit 0
fi
if [ -z "${IPA_TEST_PRIVATE_NS:-}" ]; then
  command -v unshare >/dev/null || { echo "1..0 # SKIP unshare(1) is missing"; exit 0; }
  IPA_TEST_PRIVATE_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi

. "${IPA_TEST_TOP_SRCDIR:?}/tests/daemon/daemon-lib.sh"

# The mounts go with the namespace, but cleanup removes $tmp before that:
# undo them first, so that rm cannot reach /usr or the build tree through
# a bind mount (cleanup keeps $tmp if this fails).
before_cleanup () {
  local m
  for m in "$tmp/jail$top_build" "$tmp/jail/usr" "$tmp/jail/dev/null" "$tmp/jail/proc" \
           /etc "$tmp/etc"; do
    if grep -q " $m " /proc/self/mounts; then
      umount -R "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || return 1
    fi
  done
  ! grep -q " $tmp/" /proc/self/mounts
}

# Test users, in an overlay over /etc that vanishes with the namespace.
mkdir -p "$tmp/etc"
mount -t tmpfs tmpfs "$tmp/etc" && mkdir -p "$tmp/etc/u" "$tmp/etc/w" &&
  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$tmp/etc/u,workdir=$tmp/etc/w" /etc ||
  skip_all "cannot put an overlay over /etc"
groupadd ipat_g1 && groupadd ipat_g2 && groupadd ipat_g3 &&
  useradd -M -N -g ipat_g1 -G ipat_g2 -s /usr/sbin/nologin ipat_u ||
  skip_all "cannot create test users"
uid=$(id -u ipat_u)
g1=$(getent group ipat_g1 | cut -d: -f3)
g2=$(getent group ipat_g2 | cut -d: -f3)
g3=$(getent group ipat_g3 | cut -d: -f3)

# A directory the daemon's commands may write to as any user.
mkdir -m 1777 "$tmp/w"
cat >"$tmp/ok.conf" <<EOF
ac_mod "ipa_atest.so";
global { update_time = 1s; ac_list = atest; }
startup { exec "id -u > $tmp/w/startup-uid; id -G > $tmp/w/startup-groups"; }
rule r1 { atest:chunk = 100; }
EOF
chmod 644 "$tmp/ok.conf"

# field NAME PID: a line of /proc/PID/status without its name.
field () { awk -v n="$1:" '$1 == n { $1 = ""; sub(/^ +/, ""); print }' "/proc/$2/status"; }
four () { echo "$1 $1 $1 $1"; }
sorted () { tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# ---- -u alone: the user, its primary and supplementary groups ----
start_fg u -u ipat_u -p "$tmp/u.pid" -f "$tmp/ok.conf"
check "-u: the daemon starts" alive "$dpid"
check "-u: every uid is the user's" test "$(field Uid "$dpid")" = "$(four "$uid")"
check "-u: every gid is the user's primary group" test "$(field Gid "$dpid")" = "$(four "$g1")"
check "-u: supplementary groups are the user's" \
  test "$(field Groups "$dpid" | sorted)" = "$(echo "$g1 $g2" | sorted)"
check "-u: the PID file was written before (as root)" test "$(cat "$tmp/u.pid")" = "$dpid"
check "-u: commands run as the user" wait_for 5 grep -qx "$uid" "$tmp/w/startup-uid"
kill -HUP "$dpid"
check "-u: reload works without privileges" wait_for 10 grep_file 'reloaded: 1 rule$' "$tmp/u.log"
stop_wait "$dpid" TERM
check "-u: SIGTERM, exit status 0" test "$rc" -eq 0
# The directory is root's: the user may not remove the name, so the file
# is emptied, and no stale PID remains.
check "-u: the PID file is emptied when it cannot be removed" \
  test -e "$tmp/u.pid" -a ! -s "$tmp/u.pid"

# ---- -u and -g: that group only ----
start_fg ug -u ipat_u -g ipat_g3 -p "$tmp/ug.pid" -f "$tmp/ok.conf"
check "-u -g: every gid is the group" test "$(field Gid "$dpid")" = "$(four "$g3")"
check "-u -g: the only supplementary group is that group" test "$(field Groups "$dpid")" = "$g3"
check "-u -g: the user" test "$(field Uid "$dpid")" = "$(four "$uid")"
stop_wait "$dpid" TERM
check "-u -g: exit status 0" test "$rc" -eq 0

# ---- -g alone: the group, the user stays ----
start_fg g -g ipat_g3 -p "$tmp/g.pid" -f "$tmp/ok.conf"
check "-g: every gid is the group" test "$(field Gid "$dpid")" = "$(four "$g3")"
check "-g: uid unchanged (root)" test "$(field Uid "$dpid")" = "$(four 0)"
stop_wait "$dpid" TERM

# ---- unknown user or group ----
run "$IPA" -d -u ipat_nosuch -f "$tmp/ok.conf"
check "-u with an unknown user: usage error 64" test "$rc" -eq 64
run "$IPA" -d -g ipat_nosuch -f "$tmp/ok.conf"
check "-g with an unknown group: usage error 64" test "$rc" -eq 64

# ---- -c: chroot, configuration inside, working directory kept ----
jail=$tmp/jail
mkdir -p "$jail/usr" "$jail/dev" "$jail/etc" "$jail/out" "$jail$top_build"
for l in bin sbin lib lib64; do [ -L "/$l" ] && ln -s "usr/$l" "$jail/$l"; done
mount --rbind /usr "$jail/usr" && mount -o remount,bind,ro "$jail/usr" 2>/dev/null
touch "$jail/dev/null" && mount --bind /dev/null "$jail/dev/null"
# The build tree at the same path: the modules, and ipa itself for the
# reload check (no /proc in the chroot).
mount --rbind "$top_build" "$jail$top_build" && mount -o remount,bind,ro "$jail$top_build"
cat >"$jail/etc/jail.conf" <<EOF
ac_mod "ipa_atest.so";
global { update_time = 1s; ac_list = atest; }
startup { exec "echo inside > /out/startup"; }
shutdown { exec "echo inside > /out/shutdown"; }
rule r1 { atest:chunk = 100; }
EOF
mkdir "$tmp/cwd"
cd "$tmp/cwd" || exit 1
# The sanitizers read their options and LeakSanitizer its threads from
# /proc: a sanitizer build gets /proc in the chroot (the reload check then
# runs /proc/self/exe instead of the path noted at start).
if ldd "$IPA" 2>/dev/null | grep -q libasan; then
  diag "sanitizer build: /proc is mounted in the chroot"
  mkdir -p "$jail/proc" && mount -t proc proc "$jail/proc"
fi
start_fg c -c "$jail" -p "$tmp/c.pid" -f /etc/jail.conf
check "-c: the daemon starts with a configuration found inside the chroot" alive "$dpid"
check "-c: its root directory is the chroot" test "$(readlink "/proc/$dpid/root")" = "$jail"
check "-c: its working directory is unchanged" test "$(readlink "/proc/$dpid/cwd")" = "$tmp/cwd"
check "-c: commands run inside the chroot" wait_for 5 test -s "$jail/out/startup"
check "-c: the PID file is outside the chroot" test "$(cat "$tmp/c.pid")" = "$dpid"
kill -HUP "$dpid"
check "-c: reload works inside the chroot" wait_for 10 grep_file 'reloaded: 1 rule$' "$tmp/c.log"
stop_wait "$dpid" TERM
check "-c: SIGTERM, exit status 0" test "$rc" -eq 0
check "-c: shutdown commands ran inside" test -s "$jail/out/shutdown"
check "-c: the PID file outside the chroot is removed" test ! -e "$tmp/c.pid"
cd / || exit 1

run "$IPA" -d -c relative/dir -f /etc/jail.conf
check "-c with a relative directory: usage error 64" test "$rc" -eq 64

done_testing
