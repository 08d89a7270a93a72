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
. "$here/netns-lib.sh"
. "${IPA_TEST_TOP_SRCDIR:?}/tests/lib/netns-daemon-lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "network namespaces need root"
for t in ip ping nc ss python3; do
	command -v "$t" >/dev/null || skip_all "$t is not installed"
done
netns_supported 2>/dev/null || skip_all "ip netns does not work here"

# Namespaces left by a test that was killed go first.
netns_sweep ipand
A=ipand-$$-a
B=ipand-$$-b
destroy_namespaces() { netns_destroy "$A" "$B"; }
netns_test_begin destroy_namespaces

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

# Kernel counters of IF in A: sets k_rxb k_rxp k_txb k_txp.
kstats() {
	local line
	line=$(netns_link_stats "$A" "$1") || bail "cannot read the counters of $1"
	read -r _ _ k_rxb k_rxp k_txb k_txp <<<"$line"
}

# ---- start ----
start_ipa_in "$A"
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
stop_ipa
check_db va_rx $((k_rxb - rx0)) "after the stop, va_rx holds every received byte"
check_db va_tx $((k_txb - tx0)) "after the stop, va_tx holds every sent byte"
check_db va_tx_packets $((k_txp - txp0)) "after the stop, va_tx_packets holds every packet"
check_db if_va $((k_rxb - rx0 + k_txb - tx0)) "after the stop, if_va holds rx + tx"
check_db va_at_stop $((k_rxb - rx0 + k_txb - tx0)) \
	"a rule with no round before the stop got its amount from the shutdown"
check_no_errors

done_testing
