#!/usr/bin/env bash
# Builds the router namespace the bpf_fib_lookup tests compare jxdp with the kernel in:
#   router-netns.sh up NS     create namespace NS with the devices, addresses, routes and neighbours below
#   router-netns.sh down NS   delete it
# router.json describes the same namespace for `jxdp test-run --fib FILE`; keep the two in step.
# Devices (a fresh namespace numbers them in creation order, a veth peer first): lo 1, p0 2, r0 3, p1 4, r1 5, p2 6, r2 7.
set -euo pipefail
cmd=$1 ns=$2
if [ "$cmd" = down ]; then
  ip netns del "$ns" 2>/dev/null || true
  exit 0
fi
ip netns add "$ns"
n() { ip -n "$ns" "$@"; }
n link set lo up
i=0
for d in r0 r1 r2; do
  n link add "$d" numrxqueues 4 type veth peer name "p${d#r}"
  n link set "$d" address "02:00:00:00:0$i:01"
  n link set "p${d#r}" address "02:00:00:00:0$i:02"
  i=$((i + 1))
done
n link set r2 mtu 1300
n link set p2 mtu 1300
# forwarding on everywhere, then off on r1 (IPv4 and IPv6)
ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1
ip netns exec "$ns" sysctl -qw net.ipv4.conf.r1.forwarding=0 net.ipv6.conf.r1.forwarding=0
for d in r0 r1 r2 p0 p1 p2; do n link set "$d" up; done
n addr add 10.0.0.1/24 dev r0
n addr add 10.1.0.1/24 dev r1
n addr add 10.2.0.1/24 dev r2
n addr add 2001:db8:0::1/64 dev r0 nodad
n addr add 2001:db8:1::1/64 dev r1 nodad
n addr add 2001:db8:2::1/64 dev r2 nodad
# IPv4: gateways with and without a neighbour, on-link, longest prefix, metrics, rejects, another table
n route add 10.10.0.0/16 via 10.1.0.2 dev r1
n route add 10.10.5.0/24 via 10.2.0.2 dev r2
n route add 10.20.0.0/16 via 10.1.0.3 dev r1
n route add 10.30.0.0/16 dev r2
n route add 10.60.0.0/16 via 10.1.0.2 dev r1 metric 10
n route add 10.60.0.0/16 via 10.2.0.2 dev r2 metric 5
n route add 10.70.0.0/16 via 10.0.0.9 dev r0 src 10.2.0.1
n route add blackhole 10.40.0.0/16
n route add unreachable 10.41.0.0/16
n route add prohibit 10.42.0.0/16
n route add 10.50.0.0/16 via 10.2.0.2 dev r2 table 100
n route add blackhole 10.51.0.0/16 table 100
n neigh add 10.1.0.2 lladdr 02:00:00:00:01:02 dev r1 nud permanent
n neigh add 10.2.0.2 lladdr 02:00:00:00:02:02 dev r2 nud permanent
n neigh add 10.30.0.5 lladdr 02:00:00:00:30:05 dev r2 nud permanent
n neigh add 10.30.0.6 lladdr 02:00:00:00:30:06 dev r2 nud stale
n neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev r0 nud permanent
# IPv6: the same shapes
n -6 route add 2001:db8:10::/48 via 2001:db8:1::2 dev r1
n -6 route add 2001:db8:10:5::/64 via 2001:db8:2::2 dev r2
n -6 route add 2001:db8:20::/48 via 2001:db8:1::3 dev r1
n -6 route add 2001:db8:30::/48 dev r2
n -6 route add 2001:db8:60::/48 via 2001:db8:1::2 dev r1 metric 10
n -6 route add 2001:db8:60::/48 via 2001:db8:2::2 dev r2 metric 5
n -6 route add blackhole 2001:db8:40::/48
n -6 route add unreachable 2001:db8:41::/48
n -6 route add prohibit 2001:db8:42::/48
n -6 route add 2001:db8:50::/48 via 2001:db8:2::2 dev r2 table 100
n neigh add 2001:db8:1::2 lladdr 02:00:00:00:01:02 dev r1 nud permanent
n neigh add 2001:db8:2::2 lladdr 02:00:00:00:02:02 dev r2 nud permanent
n neigh add 2001:db8:30::5 lladdr 02:00:00:00:30:05 dev r2 nud permanent
