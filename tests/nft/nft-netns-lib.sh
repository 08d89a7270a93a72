# nft-netns-lib.sh: two network namespaces joined by a veth pair, for tests
# that need real nftables counters and real traffic.  Source it from bash
# (as root).  Nothing is visible on the host: the veth ends are created
# inside the namespaces, and nftables state is per namespace.
#
#   nftns_require            exit 77 (skip) unless root and the tools exist
#   nftns_setup              create A and B; sets NFTNS_A NFTNS_B, the
#                            addresses NFTNS_ADDR_A (on A) and NFTNS_ADDR_B,
#                            NFTNS_ADDR_B2 (two on B), the interfaces
#                            NFTNS_IF_A NFTNS_IF_B
#   nftns_teardown           kill what runs inside and delete both (idempotent)
#   nftns_counters NS        "FAMILY TABLE NAME PACKETS BYTES" per named counter,
#                            as `nft -j list counters` reports them
#   nftns_set_elems NS FAMILY TABLE SET
#                            "ELEMENT PACKETS BYTES" per element with a counter
#   nftns_ping NS DST COUNT SIZE    COUNT ICMP echo requests of SIZE payload bytes
#   nftns_tcp_send FROM TO DST PORT BYTES
#                            send BYTES bytes over TCP from namespace FROM to a
#                            listener in namespace TO on DST:PORT
#
# IPv6 is disabled and neighbours are static, so that no packet other than
# the test's own reaches the counters.

NFTNS_LIB=${BASH_SOURCE[0]}

nftns_require() {
  local t
  if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: network namespaces and nftables need root" >&2
    exit 77
  fi
  for t in ip nft jq ping nc; do
    if ! command -v "$t" >/dev/null 2>&1; then
      echo "skipped: $t is not installed" >&2
      exit 77
    fi
  done
}

nftns_setup() {
  local n mac_a mac_b
  NFTNS_A=ipanft_a$$_$RANDOM
  NFTNS_B=ipanft_b$$_$RANDOM
  NFTNS_IF_A=nfta
  NFTNS_IF_B=nftb
  NFTNS_ADDR_A=10.213.0.1
  NFTNS_ADDR_B=10.213.0.2
  NFTNS_ADDR_B2=10.213.0.3
  ip netns add "$NFTNS_A" || return 1
  ip netns add "$NFTNS_B" || return 1
  for n in "$NFTNS_A" "$NFTNS_B"; do
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
      net.ipv6.conf.default.disable_ipv6=1 || return 1
    ip -n "$n" link set lo up || return 1
  done
  ip -n "$NFTNS_A" link add "$NFTNS_IF_A" type veth peer name "$NFTNS_IF_B" netns "$NFTNS_B" || return 1
  ip -n "$NFTNS_A" addr add "$NFTNS_ADDR_A/24" dev "$NFTNS_IF_A" || return 1
  ip -n "$NFTNS_B" addr add "$NFTNS_ADDR_B/24" dev "$NFTNS_IF_B" || return 1
  ip -n "$NFTNS_B" addr add "$NFTNS_ADDR_B2/24" dev "$NFTNS_IF_B" || return 1
  ip -n "$NFTNS_A" link set "$NFTNS_IF_A" up || return 1
  ip -n "$NFTNS_B" link set "$NFTNS_IF_B" up || return 1
  mac_a=$(ip -n "$NFTNS_A" -br link show "$NFTNS_IF_A" | awk '{print $3}')
  mac_b=$(ip -n "$NFTNS_B" -br link show "$NFTNS_IF_B" | awk '{print $3}')
  ip -n "$NFTNS_A" neigh replace "$NFTNS_ADDR_B" lladdr "$mac_b" dev "$NFTNS_IF_A" nud permanent || return 1
  ip -n "$NFTNS_A" neigh replace "$NFTNS_ADDR_B2" lladdr "$mac_b" dev "$NFTNS_IF_A" nud permanent || return 1
  ip -n "$NFTNS_B" neigh replace "$NFTNS_ADDR_A" lladdr "$mac_a" dev "$NFTNS_IF_B" nud permanent || return 1
  export NFTNS_A NFTNS_B NFTNS_IF_A NFTNS_IF_B NFTNS_ADDR_A NFTNS_ADDR_B NFTNS_ADDR_B2 NFTNS_LIB
}

nftns_teardown() {
  local n
  for n in "${NFTNS_A:-}" "${NFTNS_B:-}"; do
    [ -n "$n" ] || continue
    ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$n" 2>/dev/null
  done
  NFTNS_A= NFTNS_B=
  return 0
}

nftns_counters() {
  ip netns exec "$1" nft -j list counters |
    jq -r '.nftables[] | select(.counter) | .counter | "\(.family) \(.table) \(.name) \(.packets) \(.bytes)"'
}

nftns_set_elems() {
  ip netns exec "$1" nft -j list set "$2" "$3" "$4" |
    jq -r '.nftables[] | select(.set) | .set.elem // [] | .[] | select(type == "object" and .elem.counter)
           | .elem | "\(.val) \(.counter.packets) \(.counter.bytes)"'
}

nftns_ping() {
  ip netns exec "$1" ping -q -n -c "$3" -i 0.05 -s "$4" -W 1 "$2" >/dev/null
}

nftns_tcp_send() {
  local from=$1 to=$2 dst=$3 port=$4 bytes=$5 listener i rc
  ip netns exec "$to" nc -l -N "$dst" "$port" >/dev/null &
  listener=$!
  for i in $(seq 100); do
    ip netns exec "$to" ss -Hltn "sport = :$port" | grep -q . && break
    sleep 0.02
  done
  head -c "$bytes" /dev/zero | ip netns exec "$from" nc -N "$dst" "$port"
  rc=$?
  wait "$listener" || rc=1
  return $rc
}
