#!/bin/bash
# Regenerates ../igmp.pcap and ../igmp.txt: run once, by hand, as root
# (needs ip, tcpdump, python3). Two throwaway network namespaces joined by
# a veth pair, as in cap.sh. Linux in A (192.168.69.100) joins and leaves
# groups with IGMPv3, then v2, then v1 (force_igmp_version); B
# (192.168.69.1) plays the querier with igmp_query.py, and captures.
set -e
D=$(cd "$(dirname "$0")" && pwd)
A=wiretest-a-$$; B=wiretest-b-$$
trap 'exec 3>&- ; ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null' EXIT
ip netns add $A; ip netns add $B
for n in $A $B; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
ip netns exec $A sysctl -qw net.ipv4.igmp_qrv=1   # before the device exists: each report once
ip link add veth-a netns $A type veth peer name veth-b netns $B
ip -n $A link set veth-a address 02:00:00:00:00:64; ip -n $B link set veth-b address 02:00:00:00:00:01
ip -n $A addr add 192.168.69.100/24 dev veth-a; ip -n $B addr add 192.168.69.1/24 dev veth-b
ip -n $A link set veth-a up; ip -n $B link set veth-b up
# Unsolicited reports go out within 0.1s.
ip netns exec $A sysctl -qw net.ipv4.conf.veth-a.igmpv2_unsolicited_report_interval=100 \
  net.ipv4.conf.veth-a.igmpv3_unsolicited_report_interval=100
ip netns exec $B tcpdump -U -i veth-b -w "$D/../igmp.pcap" igmp & TD=$!
sleep 1
exec 3> >(ip netns exec $A python3 "$D/igmp_member.py")
step() { echo "$*" >&3; sleep 1; }
query() { ip netns exec $B python3 "$D/igmp_query.py" "$@"; sleep 1.5; }
step join 239.1.2.3                                  # v3 report, to_ex
query 224.0.0.1 11 0a 0000 00000000 02 7d 0000        # v3 general query, 1s, QRV 2, QQIC 125
query 239.1.2.3 11 8a 0000 ef010203 02 7d 0000        # v3 group-specific query, 20.8s
query 224.0.0.1 11 64 0000 00000000 0a 7d 0001 c0a84501 # general query with a source (odd, but parseable)
step srcjoin 239.4.5.6 192.168.69.1                   # allow {192.168.69.1}
step srcleave 239.4.5.6 192.168.69.1                  # block {192.168.69.1}
step leave 239.1.2.3                                 # to_in
ip netns exec $A sysctl -qw net.ipv4.conf.veth-a.force_igmp_version=2
step join 239.7.8.9                                  # v2 report
query 224.0.0.1 11 0a 0000 00000000                  # v2 general query, 1s
step leave 239.7.8.9                                 # v2 leave to 224.0.0.2
ip netns exec $A sysctl -qw net.ipv4.conf.veth-a.force_igmp_version=1
step join 239.9.9.9                                  # v1 report
query 224.0.0.1 11 00 0000 00000000                  # v1 query (answered within 10s)
sleep 10
exec 3>&-
sleep 1
kill $TD; wait $TD || true
tcpdump -nn -t -S -r "$D/../igmp.pcap" > "$D/../igmp.txt"
