# Sends one IGMP query from 192.168.69.1 on veth-b, with TTL 1, TOS 0xc0
# and Router Alert, as a querier would: igmp_query.py DST HEX..., HEX
# being the IGMP message with a zero checksum. See igmp.sh.
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
dst, m = sys.argv[1], bytearray.fromhex(''.join(sys.argv[2:]))
m[2:4] = struct.pack('!H', csum(bytes(m)))
src = socket.inet_aton('192.168.69.1')
h = struct.pack('!BBHHHBBH4s4s', 0x46, 0xc0, 24 + len(m), 0, 0, 1, 2, 0, src, socket.inet_aton(dst)) + b'\x94\x04\x00\x00'
h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'veth-b')
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, src)
s.sendto(h + bytes(m), (dst, 0))
