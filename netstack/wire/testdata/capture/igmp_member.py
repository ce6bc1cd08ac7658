# Joins and leaves IPv4 multicast groups on 192.168.69.100 as told on
# stdin, one command a line: "join G", "leave G", "srcjoin G S",
# "srcleave G S". The kernel sends the IGMP reports; see igmp.sh.
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
me = socket.inet_aton('192.168.69.100')
for line in sys.stdin:
    w = line.split()
    if not w:
        continue
    g = socket.inet_aton(w[1])
    if w[0] in ('join', 'leave'):
        opt = socket.IP_ADD_MEMBERSHIP if w[0] == 'join' else socket.IP_DROP_MEMBERSHIP
        s.setsockopt(socket.IPPROTO_IP, opt, g + me)
    else:
        # Linux's IP_ADD_SOURCE_MEMBERSHIP and IP_DROP_SOURCE_MEMBERSHIP.
        opt = 39 if w[0] == 'srcjoin' else 40
        # struct ip_mreq_source: multiaddr, interface, sourceaddr
        s.setsockopt(socket.IPPROTO_IP, opt, g + me + socket.inet_aton(w[2]))
