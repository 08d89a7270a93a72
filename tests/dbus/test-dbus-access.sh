#!/bin/bash
# test-dbus-access.sh: the two layers of access control of
# org.ipasystem.Ipa1 with real users: the bus policy
# (data/org.ipasystem.Ipa1.conf) and ipa's ACLs (ctl_query_acl,
# ctl_dump_acl, ctl_rule_acl, ctl_acl_class).  TAP output.
#
# Needs root: the test users are created with useradd in an overlay over
# /etc inside a private mount namespace, so the machine's user database is
# never touched; they are removed at the end (and vanish with the
# namespace anyway).
set -u

if [ -z "${IPA_DBUS_IN_NS:-}" ]; then
  if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root (useradd, setpriv)"; exit 0; fi
  for t in unshare setpriv useradd groupadd mount; do
    command -v "$t" >/dev/null || { echo "1..0 # SKIP $t missing"; exit 0; }
  done
  IPA_DBUS_IN_NS=1 exec unshare --mount --propagation private --fork bash "$0" "$@"
fi

. "${IPA_TEST_TOP_SRCDIR:?}/tests/dbus/dbus-lib.sh"
has_tools || skip_all "dbus-daemon, busctl or jq missing"

# ---- users in an overlay over /etc ----
mkdir -p "$tmp/etcovl"
mount -t tmpfs tmpfs "$tmp/etcovl" || skip_all "cannot mount a tmpfs"
mkdir -p "$tmp/etcovl/upper" "$tmp/etcovl/work"
if ! mount -t overlay overlay \
     -o "lowerdir=/etc,upperdir=$tmp/etcovl/upper,workdir=$tmp/etcovl/work" /etc; then
  umount "$tmp/etcovl"
  skip_all "cannot mount an overlay over /etc"
fi
users_cleanup () {
  for u in ipa_nobody ipa_viewer ipa_admin ipa_ruler; do userdel "$u" 2>/dev/null; done
  groupdel ipa_adm 2>/dev/null
  umount /etc 2>/dev/null
  umount "$tmp/etcovl" 2>/dev/null
}
cleanup_hook=users_cleanup

groupadd ipa_adm
useradd -M -N -g nogroup -s /usr/sbin/nologin ipa_nobody
useradd -M -N -g nogroup -s /usr/sbin/nologin ipa_viewer
useradd -M -N -g nogroup -G ipa_adm -s /usr/sbin/nologin ipa_admin
useradd -M -N -g nogroup -u 4243 -s /usr/sbin/nologin ipa_ruler
check "test users created" id ipa_ruler

# The users must be able to run ipactl wherever the build is.
cp "$IPACTL" "$tmp/ipactl"
chmod 755 "$tmp/ipactl"

# as USER CMD...: run CMD as USER (group nogroup and USER's groups).
as () {
  local u=$1; shift
  setpriv --reuid="$u" --regid=nogroup --init-groups "$@"
}
# uctl USER ARGS...: ipactl as USER; sets $rc, $out, $err.
uctl () {
  local u=$1; shift
  run as "$u" "$tmp/ipactl" -s "$BUS" "$@"
}
# ubus USER ARGS...: busctl as USER.
ubus () {
  local u=$1; shift
  run as "$u" busctl --address="$BUS" "$@"
}

cat >"$tmp/ipa.conf" <<EOF
ac_mod "ipa_atest.so";
db_mod "ipa_db_memory.so";
memory:file = "$tmp/db";
ctl_acl_class viewers "ipa_viewer";
ctl_acl_class admins "%ipa_adm";
ctl_acl_class rulers "4243";
ctl_acl_class ghosts "no_such_user_here %no_such_group_here";
ctl_query_acl = viewers admins;
ctl_dump_acl = admins;
global { ac_list = atest; db_list = memory; update_time = 1s; ctl_rule_acl = admins; }
rule common { atest:chunk = 1; limit l1 { limit = 1G; } }
rule ruled { atest:chunk = 1; ctl_rule_acl = rulers; limit l1 { limit = 1G; } }
rule nobodys { atest:chunk = 1; ctl_rule_acl = ghosts; }
autorule dyn { atest:chunk = 1; ctl_rule_acl = rulers; }
EOF

bus_start || { not_ok "private bus starts"; done_testing; }
daemon_start "$tmp/ipa.conf" || { not_ok "daemon starts"; done_testing; }
ok "daemon serves org.ipasystem.Ipa1 (as root)"
check "unknown users of a class are logged and ignored" \
  grep -q 'unknown user "no_such_user_here" ignored' "$tmp/daemon.log"

M="org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Manager"
is_policy_denial () { grep -q "org.freedesktop.DBus.Error.AccessDenied\|Access denied" "$tmp/run.err"; }
is_ipa_denial () { grep -q "access denied: user $1" "$tmp/run.err"; }

# ---- layer 1: the bus policy ----
ubus ipa_nobody call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
  RequestName su org.ipasystem.Ipa1 4
check "policy: a user may not own org.ipasystem.Ipa1" test "$rc" -ne 0
check "… refused by the bus (AccessDenied)" is_policy_denial
ubus ipa_nobody call org.ipasystem.Ipa1 /org/ipasystem/Ipa1/rule/common \
  org.freedesktop.DBus.Introspectable Introspect
check "policy: anybody may introspect" test "$rc" -eq 0
ubus ipa_nobody call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.freedesktop.DBus.Peer Ping
check "policy: anybody may Ping" test "$rc" -eq 0
ubus ipa_admin set-property org.ipasystem.Ipa1 /org/ipasystem/Ipa1/rule/common \
  org.ipasystem.Ipa1.Rule Counter t 0
check "policy: Properties.Set is refused by the bus, even for an admin" \
  bash -c "[ $rc -ne 0 ] && grep -q 'AccessDenied\|Access denied' '$tmp/run.err'"
ubus ipa_admin call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Bogus Nothing
check "policy: an interface the policy does not name is refused by the bus" \
  bash -c "[ $rc -ne 0 ] && grep -q 'AccessDenied\|Access denied' '$tmp/run.err'"
run bctl call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 org.ipasystem.Ipa1.Bogus Nothing
check "… while root gets through to ipa (no such interface)" grep -q "No such interface" "$tmp/run.err"

# ---- layer 2: ipa's ACLs ----
# Somebody in no class.
uctl ipa_nobody status
check "nobody: status refused (77)" test "$rc" -eq 77
check "… by ipa, naming the user and the ACL" \
  bash -c "grep -q 'access denied: user ipa_nobody (uid [0-9]*) may not call Status on ipa (not granted by ctl_query_acl)' '$tmp/run.err'"
uctl ipa_nobody -r common status
check "nobody: -r R status refused (77)" test "$rc" -eq 77
uctl ipa_nobody -r no_such_rule status
check "nobody: an unknown rule is refused too, not told (77, not 67)" test "$rc" -eq 77
uctl ipa_nobody memory
check "nobody: memory refused (77)" test "$rc" -eq 77
uctl ipa_nobody dump
check "nobody: dump refused (77)" test "$rc" -eq 77
uctl ipa_nobody -r common set counter +5
check "nobody: set refused (77)" test "$rc" -eq 77
uctl ipa_nobody -a dyn -r d1 create
check "nobody: create refused (77)" test "$rc" -eq 77
ubus ipa_nobody call org.ipasystem.Ipa1 /org/ipasystem/Ipa1 \
  org.freedesktop.DBus.ObjectManager GetManagedObjects
check "nobody: GetManagedObjects refused by ipa" \
  bash -c "[ $rc -ne 0 ] && grep -q 'access denied: user ipa_nobody' '$tmp/run.err'"
ubus ipa_nobody get-property org.ipasystem.Ipa1 /org/ipasystem/Ipa1/rule/common \
  org.ipasystem.Ipa1.Rule Counter
check "nobody: reading a property refused by ipa" \
  bash -c "[ $rc -ne 0 ] && grep -q 'access denied: user ipa_nobody' '$tmp/run.err'"
ubus ipa_nobody get-property $M Version
check "nobody: even the Version property" test "$rc" -ne 0

# A viewer: ctl_query_acl.
uctl ipa_viewer status
check "viewer: status (ctl_query_acl)" test "$rc" -eq 0
uctl ipa_viewer memory
check "viewer: memory" test "$rc" -eq 0
uctl ipa_viewer -r common -l l1 status
check "viewer: -r R -l L status" test "$rc" -eq 0
uctl ipa_viewer -r no_such_rule status
check "viewer: an unknown rule is told (67)" test "$rc" -eq 67
ubus ipa_viewer call $M ListRules uu 0 0
check "viewer: ListRules" test "$rc" -eq 0
uctl ipa_viewer dump
check "viewer: dump refused (77, ctl_dump_acl)" \
  bash -c "[ $rc -eq 77 ] && grep -q 'not granted by ctl_dump_acl' '$tmp/run.err'"
uctl ipa_viewer -r common set counter +5
check "viewer: set refused (77, ctl_rule_acl)" \
  bash -c "[ $rc -eq 77 ] && grep -q 'not granted by ctl_rule_acl' '$tmp/run.err'"

# An admin through the group %ipa_adm.
uctl ipa_admin dump
check "admin (group): dump (ctl_dump_acl)" test "$rc" -eq 0
uctl ipa_admin freeze
check "admin: freeze" test "$rc" -eq 0
ubus ipa_admin call $M Thaw
check "admin: Thaw" test "$rc" -eq 0
c0=$(rule_counter common)
uctl ipa_admin -r common set counter +5
check "admin: set on a rule of the global ctl_rule_acl" test "$rc" -eq 0
check "… and the counter moved by at least 5" test "$(rule_counter common)" -ge $((c0 + 5))
uctl ipa_admin -r ruled set counter +5
check "admin: set on a rule with its own ctl_rule_acl refused (77)" test "$rc" -eq 77
uctl ipa_admin -r common -l l1 restart
check "admin: restart a limit of the rule" test "$rc" -eq 0

# A ruler: only ctl_rule_acl of "ruled" and of autorule "dyn", by uid number.
uctl ipa_ruler status
check "ruler: status refused (not in ctl_query_acl)" test "$rc" -eq 77
uctl ipa_ruler -r ruled status
check "ruler: may read its own rule (ctl_rule_acl grants reading it)" test "$rc" -eq 0
uctl ipa_ruler -r common status
check "ruler: may not read another rule" test "$rc" -eq 77
uctl ipa_ruler -r ruled set counter +5
check "ruler: set on its rule" test "$rc" -eq 0
uctl ipa_ruler -r ruled -l l1 set limit 2G
check "ruler: set a limit of its rule" test "$rc" -eq 0
uctl ipa_ruler -r common set counter +5
check "ruler: set on another rule refused" test "$rc" -eq 77
uctl ipa_ruler -a dyn -r d1 create
check "ruler: create from its autorule (the autorule's ctl_rule_acl)" test "$rc" -eq 0
uctl ipa_ruler -r d1 set counter +1
check "ruler: the dynamic rule inherits the autorule's ctl_rule_acl" test "$rc" -eq 0
uctl ipa_ruler -r d1 delete
check "ruler: delete it" test "$rc" -eq 0
uctl ipa_ruler dump
check "ruler: dump refused" test "$rc" -eq 77

# A class whose members do not exist grants nobody.
uctl ipa_admin -r nobodys set counter +1
check "a class of unknown users grants nothing" test "$rc" -eq 77

# Root is always allowed.
run ipactl -r nobodys set counter +1
check "root: set on a rule nobody may change" test "$rc" -eq 0
run ipactl dump
check "root: dump" test "$rc" -eq 0

daemon_stop
check "the daemon stops with status 0" test "$rc" -eq 0
bus_stop
users_cleanup
cleanup_hook=
check "test users removed" bash -c "! id ipa_ruler 2>/dev/null"
done_testing
