#!/bin/bash
# test-netdev-daemon.sh: the daemon itself (ipa -d, run inside a network
# namespace) counting real traffic with ipa_ac_netdev into ipa_db_gdbm,
# read back with ipastat, against the kernel's own interface counters
# ("ip -s -j link").  TAP output; skipped without root.
#
# Namespace A holds "va", joined to "vb" in B (netns-lib.sh: no IPv6,
# static neighbours), so the counters move only with the test's traffic
# and every amount is exact: ping and a TCP transfer over va, static rules
# for rx, tx and packets, an autorule that makes a rule per interface
# (also for a veth pair added and removed while ipa runs), a rule whose
# update_time is longer than the test (only the shutdown writes it), and
# SIGTERM: exit status 0 and the last amounts in the database.
set -u
set -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top_build=${IPA_TEST_TOP_BUILDDIR:?}
ipa=$top_build/src/ipa/ipa
ipastat=$top_build/src/ipastat/ipastat
. "$here/netns-lib.sh"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
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

[ "$(id -u)" -eq 0 ] || skip_all "network namespaces need root"
for t in ip ping nc ss python3; do
	command -v "$t" >/dev/null || skip_all "$t is not installed"
done
netns_supported 2>/dev/null || skip_all "ip netns does not work here"

# Namespaces left by a test that was killed go first.
netns_sweep ipand
A=ipand-$$-a
B=ipand-$$-b
tmp=$(mktemp -d)
ipa_pid=
# Lines of ipa's log (stderr with -d) of these priorities.
log_errors='^ipa: (error|critical|alert|emergency): '

cleanup() {
	if [ -n "$ipa_pid" ] && kill -0 "$ipa_pid" 2>/dev/null; then
		kill -KILL "$ipa_pid" 2>/dev/null
		wait "$ipa_pid" 2>/dev/null
	fi
	netns_destroy "$A" "$B"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

netns_pair_create "$A" "$B" || bail "cannot create the namespaces"

cat >"$tmp/ipa.conf" <<EOF
ac_mod "ipa_ac_netdev.so";
db_mod "ipa_db_gdbm.so";

global {
    db_list = gdbm;
    gdbm:db_dir = "$tmp/db";
    update_time = 1s;
    append_time = 1h;
}

rule va_rx {
    ac_list = netdev;
    netdev:interface = "va";
    netdev:count = rx;
}

rule va_tx {
    ac_list = netdev;
    netdev:interface = "va";
    netdev:count = tx;
}

rule va_tx_packets {
    ac_list = netdev;
    netdev:interface = "va";
    netdev:count = tx;
    netdev:unit = packets;
}

# No round comes before the end of the test: only the shutdown writes it.
rule va_at_stop {
    ac_list = netdev;
    netdev:interface = "va";
    update_time = 1h;
}

autorule ifs {
    ac_list = netdev;
    netdev:interface_pattern = "^v[a-c]\$";
    netdev:rule_prefix = "if_";
}
EOF

cat >"$tmp/ipastat.conf" <<EOF
st_mod "ipa_st_gdbm.so";
global {
    st_list = gdbm;
    gdbm:db_dir = "$tmp/db";
}
EOF

# The sum of the counters of RULE's records (nothing if ipastat does not
# know the rule yet or the database is busy).
db_value() {
	"$ipastat" -f "$tmp/ipastat.conf" -q -r "$1" -i 2000-2100 -n 2>/dev/null |
		awk '$1 == "record" { s += $NF; n++ } END { if (n) print s }'
}

# Kernel counters of IF in A: sets k_rxb k_rxp k_txb k_txp.
kstats() {
	local line
	line=$(netns_link_stats "$A" "$1") || bail "cannot read the counters of $1"
	read -r _ _ k_rxb k_rxp k_txb k_txp <<<"$line"
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

# ---- start ----
# Not on the machine's system bus (if there is one): the name may be
# taken or not allowed there.  Without a bus ipa only warns.
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus \
	ip netns exec "$A" "$ipa" -d -f "$tmp/ipa.conf" -p "$tmp/ipa.pid" 2>"$tmp/ipa.log" &
ipa_pid=$!
# The autorule's rule for va is made in the first round, whose reading is
# also the static rules' baseline: once it is in the database, traffic
# counts.
if poll 15 db_is if_va 0; then
	ok "ipa runs in the namespace; the first round made rule if_va"
else
	bail "ipa did not make rule if_va"
fi

kstats va
rx0=$k_rxb tx0=$k_txb txp0=$k_txp

# ---- ping: exact amounts ----
netns_ping "$A" "$NETNS_ADDR_B" 20 100 || bail "ping failed"
kstats va
if [ $((k_txb - tx0)) -eq $((20 * 142)) ] && [ $((k_rxb - rx0)) -eq $((20 * 142)) ] &&
	[ $((k_txp - txp0)) -eq 20 ]; then
	ok "the kernel counted 20 pings of 100 bytes as 20 x 142 bytes each way"
else
	not_ok "the kernel counted 20 pings of 100 bytes as 20 x 142 bytes each way" \
		"tx $((k_txb - tx0)), rx $((k_rxb - rx0)), tx packets $((k_txp - txp0))"
fi
check_db va_rx $((k_rxb - rx0)) "va_rx: the ping's received bytes, exactly"
check_db va_tx $((k_txb - tx0)) "va_tx: the ping's sent bytes, exactly"
check_db va_tx_packets $((k_txp - txp0)) "va_tx_packets: 20 packets"

# ---- TCP transfer ----
got=$(netns_tcp_send "$A" "$B" "$NETNS_ADDR_B" 5001 300000) || bail "TCP transfer failed"
if [ "$got" = 300000 ]; then ok "300000 bytes went over TCP"; else not_ok "300000 bytes went over TCP" "received $got"; fi
kstats va
if [ $((k_txb - tx0)) -gt $((20 * 142 + 300000)) ]; then
	ok "the kernel counted the transfer on va"
else
	not_ok "the kernel counted the transfer on va" "tx grew by $((k_txb - tx0))"
fi
check_db va_rx $((k_rxb - rx0)) "va_rx equals the kernel's rx delta after the transfer"
check_db va_tx $((k_txb - tx0)) "va_tx equals the kernel's tx delta after the transfer"
check_db va_tx_packets $((k_txp - txp0)) "va_tx_packets equals the kernel's packet delta"
check_db if_va $((k_rxb - rx0 + k_txb - tx0)) "if_va (autorule, both ways) equals rx + tx"

# ---- an interface that comes and goes while ipa runs ----
netns_link_add "$A" vc "$B" vd 10.203.1.1 10.203.1.2 || bail "cannot add the veth pair vc/vd"
# A dynamic rule starts counting at the round that makes it (its first
# reading is a baseline), as a static rule does when ipa starts.
if poll 10 db_is if_vc 0; then
	ok "a rule if_vc was made for the interface added while ipa runs"
else
	not_ok "a rule if_vc was made for the interface added while ipa runs"
fi
kstats vc
vc0=$((k_rxb + k_txb))
netns_ping "$A" 10.203.1.2 10 50 || bail "ping over vc failed"
kstats vc
vc_delta=$((k_rxb + k_txb - vc0))
if [ "$vc_delta" -eq $((2 * 10 * 92)) ]; then
	ok "the kernel counted 10 pings of 50 bytes each way on vc"
else
	not_ok "the kernel counted 10 pings of 50 bytes each way on vc" "rx + tx grew by $vc_delta"
fi
check_db if_vc "$vc_delta" "if_vc counts the traffic of the new interface"
ip -n "$A" link del vc || bail "cannot delete vc"
if poll 10 grep -q 'if_vc deleted' "$tmp/ipa.log"; then
	ok "the rule if_vc was deleted with its interface"
else
	not_ok "the rule if_vc was deleted with its interface"
fi
check_db if_vc "$vc_delta" "the deleted rule's counter stays in the database"

# ---- traffic just before SIGTERM, then the shutdown ----
netns_ping "$A" "$NETNS_ADDR_B" 5 200 || bail "ping failed"
kstats va
kill -TERM "$ipa_pid"
wait "$ipa_pid"
rc=$?
ipa_pid=
if [ "$rc" -eq 0 ]; then
	ok "ipa exits with status 0 on SIGTERM"
else
	not_ok "ipa exits with status 0 on SIGTERM" "status $rc" "$(cat "$tmp/ipa.log")"
fi
check_db va_rx $((k_rxb - rx0)) "after the stop, va_rx holds every received byte"
check_db va_tx $((k_txb - tx0)) "after the stop, va_tx holds every sent byte"
check_db va_tx_packets $((k_txp - txp0)) "after the stop, va_tx_packets holds every packet"
check_db if_va $((k_rxb - rx0 + k_txb - tx0)) "after the stop, if_va holds rx + tx"
check_db va_at_stop $((k_rxb - rx0 + k_txb - tx0)) \
	"a rule with no round before the stop got its amount from the shutdown"
if grep -qE "$log_errors" "$tmp/ipa.log"; then
	not_ok "ipa logged no error" "$(grep -E "$log_errors" "$tmp/ipa.log")"
else
	ok "ipa logged no error"
fi

echo "1..$n"
exit $failed
