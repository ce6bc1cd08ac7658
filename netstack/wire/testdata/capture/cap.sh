#!/bin/bash
# Regenerates ../linux.pcap and ../linux.txt: run once, by hand, as root
# (needs ip, ethtool, tcpdump, ping, python3). Two throwaway network
# namespaces joined by a veth pair with checksum offload off, so the
# captured TCP/UDP checksums are complete. The namespaces are deleted at the end.
set -e
D=$(cd "$(dirname "$0")" && pwd)
A=wiretest-a-$$; B=wiretest-b-$$
trap 'ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null' EXIT
ip netns add $A; ip netns add $B
for n in $A $B; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
ip link add veth-a netns $A type veth peer name veth-b netns $B
ip -n $A link set veth-a address 02:00:00:00:00:64; ip -n $B link set veth-b address 02:00:00:00:00:01
ip -n $A addr add 192.168.69.100/24 dev veth-a; ip -n $B addr add 192.168.69.1/24 dev veth-b
for n in "$A veth-a" "$B veth-b"; do
  set -- $n
  ip netns exec $1 ethtool -K $2 tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
  ip -n $1 link set $2 up; ip -n $1 link set lo up
done
ip netns exec $B tcpdump -U -i veth-b -w "$D/../linux.pcap" & TD=$!
sleep 1
rm -f /tmp/wirecap-ready
ip netns exec $B python3 "$D/server.py" & SV=$!
while [ ! -e /tmp/wirecap-ready ]; do sleep 0.1; done
ip netns exec $A ping -c 2 -i 0.2 192.168.69.1
ip netns exec $A ping -c 1 -s 2000 192.168.69.1   # two fragments each way
ip netns exec $A python3 "$D/client.py"
wait $SV
sleep 2   # let tcpdump drain its ring before it is stopped
kill $TD; wait $TD || true
tcpdump -nn -t -S -r "$D/../linux.pcap" > "$D/../linux.txt"
