# Sends one router advertisement from B's link-local address to all
# nodes: hop limit 64, M and O clear, lifetime 1800s, with source
# link-layer address, MTU 1500 and prefix fdbb::/64 options. The kernel
# fills in the ICMPv6 checksum of a raw ICMPv6 socket.
import socket, struct, sys
idx = socket.if_nametoindex("veth-b")
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
s.bind(("fe80::ff:fe00:1", 0, 0, idx))
ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
ra += struct.pack("!BB6s", 1, 1, bytes.fromhex("020000000001"))
ra += struct.pack("!BBHI", 5, 1, 0, 1500)
ra += struct.pack("!BBBBIII16s", 3, 4, 64, 0xc0, 86400, 14400, 0, socket.inet_pton(socket.AF_INET6, "fdbb::"))
s.sendto(ra, ("ff02::1", 0, 0, idx))
