#!/bin/bash
# test-nft-daemon.sh: the daemon itself (ipa -d, run inside a network
# namespace) counting real traffic with ipa_ac_nft into ipa_db_gdbm, read
# back with ipastat and compared with the nft counters, which it must match
# exactly; and a limit whose nft:on_reach_add puts an address into a set
# that drops its traffic.  TAP output; skipped without root.
#
# Namespace A (nft-netns-lib.sh) holds the ruleset below and ipa; B answers
# on two addresses.  Nothing moves the counters but the test's traffic.
set -u
set -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/nft-netns-lib.sh"
. "${IPA_TEST_TOP_SRCDIR:?}/tests/lib/netns-daemon-lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "network namespaces and nftables need root"
for t in ip nft jq ping nc ss; do
  command -v "$t" >/dev/null || skip_all "$t is not installed"
done

netns_test_begin nftns_teardown

nftns_setup || bail "cannot create the namespaces"
A=$NFTNS_A
# B answers on ADDR_B and ADDR_B2; ADDR_IDLE never sees a packet: its
# element is there from the start, so that the autorule makes its rule in
# the first round.
ADDR_IDLE=10.213.0.9

# Blocked addresses are dropped before anything counts them; sending to
# them fails at once (EPERM from the output hook).
ip netns exec "$A" nft -f - <<EOF || bail "cannot load the ruleset"
table inet ipatest {
  counter out { }
  counter back { }
  counter tcp5001 { }
  counter dropped { }
  set blocked { type ipv4_addr; }
  set peers { type ipv4_addr; flags dynamic; counter; size 64; elements = { $ADDR_IDLE } }
  chain output {
    type filter hook output priority 0; policy accept;
    oifname "$NFTNS_IF_A" ip daddr @blocked counter name "dropped" drop
    oifname "$NFTNS_IF_A" counter name "out"
    oifname "$NFTNS_IF_A" tcp dport 5001 counter name "tcp5001"
    oifname "$NFTNS_IF_A" update @peers { ip daddr }
  }
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "$NFTNS_IF_A" counter name "back"
  }
}
EOF

cat >"$tmp/ipa.conf" <<EOF
ac_mod "ipa_ac_nft.so";
db_mod "ipa_db_gdbm.so";

global {
    db_list = gdbm;
    gdbm:db_dir = "$tmp/db";
    update_time = 1s;
    append_time = 1h;
    nft:table = "inet ipatest";
}

rule out {
    ac_list = nft;
    nft:counters = "out";
}

rule back {
    ac_list = nft;
    nft:counters = "back";
}

rule out_packets {
    ac_list = nft;
    nft:counters = "out";
    nft:unit = packets;
}

rule out_not_tcp {
    ac_list = nft;
    nft:counters = "out - tcp5001";
}

# No round comes before the end of the test: only the shutdown writes it.
rule out_at_stop {
    ac_list = nft;
    nft:counters = "out + back";
    update_time = 1h;
}

rule host_b2 {
    ac_list = nft;
    nft:set = "peers";
    nft:element = "$NFTNS_ADDR_B2";
    limit quota {
        limit = 1000;
        nft:on_reach_add = "blocked";
    }
}

autorule peer {
    ac_list = nft;
    nft:set = "peers";
    nft:rule_prefix = "peer_";
}
EOF

# Bytes (or, with "packets" second, packets) of a named counter in A.
nft_counter() {
  nftns_counters "$A" | awk -v name="$1" -v what="${2:-bytes}" \
    '$2 == "ipatest" && $3 == name { print (what == "packets" ? $4 : $5) }'
}

# Bytes of an element of set peers.
nft_element() {
  nftns_set_elems "$A" inet ipatest peers | awk -v e="$1" '$1 == e { print $3 }'
}

in_blocked() {
  ip netns exec "$A" nft -j list set inet ipatest blocked |
    jq -e --arg e "$1" '[.nftables[] | select(.set) | .set.elem // [] | .[]] | index($e) != null' >/dev/null
}

# When limit quota of host_b2 was reached, as the database says.
limit_reach() {
  "$ipastat" -f "$tmp/ipastat.conf" -q -r host_b2 -l quota -n 2>/dev/null |
    awk '$1 == "limit" && $10 != "-" { print $10 }'
}
limit_reached() { [ -n "$(limit_reach)" ]; }

# ---- start ----
start_ipa_in "$A"
# The first round reads the baselines of the static rules and makes the
# autorule's rule for the element already in the set.
if poll 15 db_is "peer_$ADDR_IDLE" 0; then
  ok "ipa runs in the namespace; the first round made rule peer_$ADDR_IDLE"
else
  bail "ipa did not make rule peer_$ADDR_IDLE"
fi

# ---- ping: exact L3 amounts ----
nftns_ping "$A" "$NFTNS_ADDR_B" 20 100 || bail "ping failed"
out=$(nft_counter out)
if [ "$out" = $((20 * 128)) ]; then
  ok "nft counted 20 pings of 100 bytes as 20 x 128 bytes"
else
  not_ok "nft counted 20 pings of 100 bytes as 20 x 128 bytes" "counter out: $out"
fi
check_db out "$out" "rule out equals the nft counter"
check_db back "$(nft_counter back)" "rule back equals the nft counter of the replies"
check_db out_packets "$(nft_counter out packets)" "rule out_packets counts 20 packets"

# ---- TCP transfer ----
nftns_tcp_send "$A" "$NFTNS_B" "$NFTNS_ADDR_B" 5001 300000 || bail "TCP transfer failed"
tcp=$(nft_counter tcp5001)
out=$(nft_counter out)
if [ "$tcp" -gt 300000 ]; then
  ok "nft counted the 300000-byte transfer"
else
  not_ok "nft counted the 300000-byte transfer" "counter tcp5001: $tcp"
fi
check_db out "$out" "rule out equals the nft counter after the transfer"
check_db out_not_tcp $((out - tcp)) "rule out_not_tcp is out - tcp5001"
check_db back "$(nft_counter back)" "rule back equals the nft counter after the transfer"
check_db out_packets "$(nft_counter out packets)" "rule out_packets equals the nft packet counter"
# The element appeared after counting started: all of it counts.
check_db "peer_$NFTNS_ADDR_B" "$(nft_element "$NFTNS_ADDR_B")" \
  "the autorule made peer_$NFTNS_ADDR_B, equal to the element's counter"

# ---- a limit that blocks an address through the set ----
if in_blocked "$NFTNS_ADDR_B2"; then
  not_ok "$NFTNS_ADDR_B2 is not blocked before its limit is reached"
else
  ok "$NFTNS_ADDR_B2 is not blocked before its limit is reached"
fi
# 10 x 128 bytes: the limit of 1000 bytes is reached after the eighth
# packet; a round may come before the last ones and block them.
nftns_ping "$A" "$NFTNS_ADDR_B2" 10 100 || bail "ping to $NFTNS_ADDR_B2 failed"
b2=$(nft_element "$NFTNS_ADDR_B2")
if [ "$b2" -ge $((8 * 128)) ] && [ "$b2" -le $((10 * 128)) ]; then
  ok "nft counted the ping to $NFTNS_ADDR_B2 in its element of set peers"
else
  not_ok "nft counted the ping to $NFTNS_ADDR_B2 in its element of set peers" "element: $b2 bytes"
fi
check_db host_b2 "$b2" "rule host_b2 equals the counter of element $NFTNS_ADDR_B2"
if poll 10 in_blocked "$NFTNS_ADDR_B2"; then
  ok "limit quota reached: nft:on_reach_add put $NFTNS_ADDR_B2 into set blocked"
else
  not_ok "limit quota reached: nft:on_reach_add put $NFTNS_ADDR_B2 into set blocked"
fi
if poll 10 limit_reached; then
  ok "ipastat shows when the limit was reached ($(limit_reach))"
else
  not_ok "ipastat shows when the limit was reached" \
    "$("$ipastat" -f "$tmp/ipastat.conf" -q -r host_b2 -l quota -n 2>&1)"
fi
dropped0=$(nft_counter dropped)
if ip netns exec "$A" ping -q -n -c 3 -i 0.05 -s 100 -W 1 "$NFTNS_ADDR_B2" >/dev/null 2>&1; then
  not_ok "traffic to $NFTNS_ADDR_B2 is dropped"
else
  dropped=$(nft_counter dropped)
  if [ $((dropped - dropped0)) -eq $((3 * 128)) ]; then
    ok "traffic to $NFTNS_ADDR_B2 is dropped"
  else
    not_ok "traffic to $NFTNS_ADDR_B2 is dropped" "counter dropped grew by $((dropped - dropped0))"
  fi
fi
if nftns_ping "$A" "$NFTNS_ADDR_B" 2 100; then
  ok "traffic to $NFTNS_ADDR_B still flows"
else
  not_ok "traffic to $NFTNS_ADDR_B still flows"
fi

# ---- traffic just before SIGTERM, then the shutdown ----
nftns_ping "$A" "$NFTNS_ADDR_B" 5 200 || bail "ping failed"
stop_ipa
out=$(nft_counter out)
back=$(nft_counter back)
check_db out "$out" "after the stop, rule out equals the nft counter"
check_db back "$back" "after the stop, rule back equals the nft counter"
check_db out_packets "$(nft_counter out packets)" "after the stop, rule out_packets equals the packet counter"
check_db out_not_tcp $((out - $(nft_counter tcp5001))) "after the stop, out_not_tcp is out - tcp5001"
check_db host_b2 "$(nft_element "$NFTNS_ADDR_B2")" "after the stop, host_b2 equals its element's counter"
check_db out_at_stop $((out + back)) "a rule with no round before the stop got its amount from the shutdown"
if in_blocked "$NFTNS_ADDR_B2"; then
  ok "the set is left as it is at shutdown"
else
  not_ok "the set is left as it is at shutdown"
fi
check_no_errors

done_testing
