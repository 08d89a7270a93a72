# netns-lib.sh: private network namespaces with known traffic, for the
# tests of ipa.  Source it from bash; every function returns non-zero on
# failure and prints why on stderr.  Needs root, iproute2, ping and nc
# (netcat-openbsd); python3 for netns_link_stats.
#
#   netns_supported
#       0 if namespaces can be made here (root, "ip netns" works).
#   netns_pair_create A B [IF_A IF_B]
#       Namespaces A and B joined by a veth pair IF_A (in A, $NETNS_ADDR_A)
#       and IF_B (in B, $NETNS_ADDR_B), default names va and vb.  IPv6 is
#       off and the neighbours are static, so that no packet flows but the
#       ones a test sends: the device counters are then exact.
#   netns_link_add A IF_A B IF_B ADDR_A ADDR_B
#       Another veth pair between two existing namespaces, set up the same
#       way (addresses without the /24).
#   netns_neigh_static A IF_A B IF_B ADDR_A ADDR_B
#       (Again) the static neighbour entries of such a pair; setting a link
#       down flushes them.
#   netns_veths NS PREFIX N
#       N veth pairs PREFIX<i> and PREFIX<i>p (i = 1..N) inside NS, up.
#   netns_ping NS ADDR COUNT SIZE
#       COUNT pings of SIZE payload bytes from NS; each moves
#       SIZE + 8 (ICMP) + 20 (IPv4) + 14 (Ethernet) bytes each way.
#   netns_tcp_send FROM TO ADDR PORT BYTES
#       BYTES bytes over TCP from namespace FROM to a listener on ADDR:PORT
#       in namespace TO; prints the number of bytes received.
#   netns_link_stats NS [IF]
#       One line per interface from "ip -s -j link":
#       "IFINDEX NAME RX_BYTES RX_PACKETS TX_BYTES TX_PACKETS".
#   netns_destroy NS...
#       Kill the processes left in the namespaces and delete them.
#   netns_sweep PREFIX
#       Delete namespaces PREFIX-<pid>-* whose process <pid> is gone (left
#       behind by a test that was killed).

NETNS_ADDR_A=${NETNS_ADDR_A:-10.203.0.1}
NETNS_ADDR_B=${NETNS_ADDR_B:-10.203.0.2}
# Seconds between pings (below 0.2 needs root, which namespaces need anyway).
NETNS_PING_INTERVAL=${NETNS_PING_INTERVAL:-0.01}

netns_supported() {
	[ "$(id -u)" -eq 0 ] || { echo "netns: not root" >&2; return 1; }
	command -v ip >/dev/null || { echo "netns: no ip (iproute2)" >&2; return 1; }
	local probe="ipa-probe-$$"
	ip netns add "$probe" 2>/dev/null || { echo "netns: ip netns add fails" >&2; return 1; }
	ip netns del "$probe"
}

# Quiet namespace: loopback up, no IPv6 (router solicitations, MLD and
# neighbour discovery would move the counters).
_netns_new() {
	ip netns add "$1" || return 1
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	ip -n "$1" link set lo up
}

_netns_mac() {
	ip -n "$1" -br link show "$2" | awk '{print $3}'
}

netns_link_add() {
	local a=$1 ifa=$2 b=$3 ifb=$4 addr_a=$5 addr_b=$6
	# Created inside A with the peer moved to B: never visible on the host.
	ip -n "$a" link add "$ifa" type veth peer name "$ifb" netns "$b" || return 1
	ip -n "$a" addr add "$addr_a/24" dev "$ifa" || return 1
	ip -n "$b" addr add "$addr_b/24" dev "$ifb" || return 1
	ip -n "$a" link set "$ifa" up || return 1
	ip -n "$b" link set "$ifb" up || return 1
	netns_neigh_static "$@"
}

# Static neighbours: no ARP in the counters.  A link set down loses them.
netns_neigh_static() {
	local a=$1 ifa=$2 b=$3 ifb=$4 addr_a=$5 addr_b=$6
	ip -n "$a" neigh replace "$addr_b" lladdr "$(_netns_mac "$b" "$ifb")" dev "$ifa" nud permanent &&
	ip -n "$b" neigh replace "$addr_a" lladdr "$(_netns_mac "$a" "$ifa")" dev "$ifb" nud permanent
}

netns_pair_create() {
	local a=$1 b=$2 ifa=${3:-va} ifb=${4:-vb}
	_netns_new "$a" && _netns_new "$b" &&
	netns_link_add "$a" "$ifa" "$b" "$ifb" "$NETNS_ADDR_A" "$NETNS_ADDR_B"
}

netns_veths() {
	local ns=$1 prefix=$2 n=$3 i
	{
		for i in $(seq "$n"); do
			echo "link add $prefix$i type veth peer name ${prefix}${i}p"
			echo "link set $prefix$i up"
			echo "link set ${prefix}${i}p up"
		done
	} | ip -n "$ns" -batch -
}

netns_ping() {
	ip netns exec "$1" ping -q -n -c "$3" -i "$NETNS_PING_INTERVAL" -s "$4" -W 2 "$2" >/dev/null
}

netns_tcp_send() {
	local from=$1 to=$2 addr=$3 port=$4 bytes=$5 out pid i
	out=$(mktemp) || return 1
	ip netns exec "$to" nc -l -N "$addr" "$port" </dev/null >"$out" &
	pid=$!
	for i in $(seq 100); do
		ip netns exec "$to" ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.02
	done
	if ! head -c "$bytes" /dev/zero | ip netns exec "$from" nc -N "$addr" "$port"; then
		kill "$pid" 2>/dev/null
		wait "$pid"
		rm -f "$out"
		echo "netns: sending to $addr:$port failed" >&2
		return 1
	fi
	wait "$pid"
	wc -c <"$out"
	rm -f "$out"
}

netns_link_stats() {
	ip -n "$1" -s -j link show ${2:+dev "$2"} | python3 -c '
import json, sys
for l in json.load(sys.stdin):
    s = l["stats64"]
    print(l["ifindex"], l["ifname"], s["rx"]["bytes"], s["rx"]["packets"],
          s["tx"]["bytes"], s["tx"]["packets"])'
}

netns_destroy() {
	local ns pids
	for ns in "$@"; do
		[ -e "/run/netns/$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" || return 1
	done
}

netns_sweep() {
	local prefix=$1 ns pid
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $ns in "$prefix"-*) ;; *) continue ;; esac
		pid=${ns#"$prefix"-}
		pid=${pid%%-*}
		case $pid in '' | *[!0-9]*) continue ;; esac
		kill -0 "$pid" 2>/dev/null || netns_destroy "$ns"
	done
}
