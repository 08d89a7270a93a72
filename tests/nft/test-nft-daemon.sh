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
top_build=${IPA_TEST_TOP_BUILDDIR:?}
ipa=$top_build/src/ipa/ipa
ipastat=$top_build/src/ipastat/ipastat
. "$here/nft-netns-lib.sh"

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

[ "$(id -u)" -eq 0 ] || skip_all "network namespaces and nftables need root"
for t in ip nft jq ping nc ss; do
  command -v "$t" >/dev/null || skip_all "$t is not installed"
done

tmp=$(mktemp -d)
ipa_pid=
# Lines of ipa's log (stderr with -d) of these priorities.
log_errors='^ipa: (error|critical|alert|emergency): '

cleanup() {
  if [ -n "$ipa_pid" ] && kill -0 "$ipa_pid" 2>/dev/null; then
    kill -KILL "$ipa_pid" 2>/dev/null
    wait "$ipa_pid" 2>/dev/null
  fi
  nftns_teardown
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

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
kill -TERM "$ipa_pid"
wait "$ipa_pid"
rc=$?
ipa_pid=
if [ "$rc" -eq 0 ]; then
  ok "ipa exits with status 0 on SIGTERM"
else
  not_ok "ipa exits with status 0 on SIGTERM" "status $rc" "$(cat "$tmp/ipa.log")"
fi
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
if grep -qE "$log_errors" "$tmp/ipa.log"; then
  not_ok "ipa logged no error" "$(grep -E "$log_errors" "$tmp/ipa.log")"
else
  ok "ipa logged no error"
fi

echo "1..$n"
exit $failed
