#!/bin/bash
# Regenerates ../linux6.pcap and ../linux6.txt: run once, by hand, as root
# (needs ip, tcpdump, ping, python3). Two throwaway network namespaces
# joined by a veth pair, as cap.sh, with IPv6: A is fdaa::100
# (02:00:00:00:00:64), B fdaa::1 (02:00:00:00:00:01). Captures A's
# duplicate address detection, router solicitation and MLDv2 reports as
# its link comes up, neighbour discovery, pings (one fragmented), UDP, an
# ICMPv6 port unreachable, a TCP connection and a RST, a router
# advertisement from B and A's reaction, and a multicast join and leave.
# The namespaces are deleted at the end.
set -e
D=$(cd "$(dirname "$0")" && pwd)
A=wiretest6-a-$$; B=wiretest6-b-$$
trap 'ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null' EXIT
ip netns add $A; ip netns add $B
ip link add veth-a netns $A type veth peer name veth-b netns $B
ip -n $A link set veth-a address 02:00:00:00:00:64; ip -n $B link set veth-b address 02:00:00:00:00:01
for n in "$A veth-a" "$B veth-b"; do
  set -- $n
  ip netns exec $1 python3 "$D/ethtool_off.py" $2
  ip -n $1 link set lo up
done
# B answers at once and sends no solicitations of its own.
ip netns exec $B sysctl -qw net.ipv6.conf.veth-b.accept_dad=0 net.ipv6.conf.veth-b.router_solicitations=0 \
  net.ipv6.conf.veth-b.forwarding=1
ip netns exec $A sysctl -qw net.ipv6.conf.veth-a.router_solicitations=1 net.ipv6.conf.veth-a.mldv2_unsolicited_report_interval=100 \
  net.ipv6.conf.veth-a.dad_transmits=1
ip -n $B addr add fdaa::1/64 dev veth-b
ip -n $B link set veth-b up
ip netns exec $B tcpdump -U -i veth-b -w "$D/../linux6.pcap" ip6 & TD=$!
sleep 1
ip -n $A addr add fdaa::100/64 dev veth-a
ip -n $A link set veth-a up
sleep 3   # DAD, RS, MLD reports
rm -f /tmp/wirecap6-ready
ip netns exec $B python3 "$D/server6.py" & SV=$!
while [ ! -e /tmp/wirecap6-ready ]; do sleep 0.1; done
ip netns exec $A ping -6 -c 2 -i 0.2 fdaa::1
ip netns exec $A ping -6 -c 1 -s 2000 fdaa::1   # two fragments each way
ip netns exec $A python3 "$D/client6.py"
wait $SV
ip netns exec $B python3 "$D/ra6.py"
sleep 3   # A configures fdbb::/64: DAD and MLD for the new address
sleep 2   # let tcpdump drain its ring before it is stopped
kill $TD; wait $TD || true
tcpdump -nn -t -S -r "$D/../linux6.pcap" > "$D/../linux6.txt"
