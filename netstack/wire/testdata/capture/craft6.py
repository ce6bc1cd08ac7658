# Hand-crafted IPv6 frames for printer cases the live capture lacks.
# Regenerate: python3 craft6.py ../crafted6.pcap && tcpdump -nn -t -S -r ../crafted6.pcap > ../crafted6.txt
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def a6(s): return socket.inet_pton(socket.AF_INET6, s)
A = a6('fdaa::100'); B = a6('fdaa::1'); LLB = a6('fe80::ff:fe00:1'); ALL = a6('ff02::1')
def ip6(nh, payload, src=A, dst=B, hops=64, plen=None):
    return struct.pack('!IHBB16s16s', 6 << 28, len(payload) if plen is None else plen, nh, hops, src, dst) + payload
def icmp6(t, code, body, src=A, dst=B, good=True):
    m = struct.pack('!BBH', t, code, 0) + body
    c = csum(src + dst + struct.pack('!IxxxB', len(m), 58) + m)
    if not good: c ^= 0x1234
    return m[:2] + struct.pack('!H', c) + m[4:]
def udp(data, sport=5000, dport=6000, src=A, dst=B):
    u = struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data
    c = csum(src + dst + struct.pack('!IxxxB', len(u), 17) + u) or 0xffff
    return u[:6] + struct.pack('!H', c) + u[8:]
def tcp(flags, src=A, dst=B):
    t = struct.pack('!HHIIBBHHH', 41234, 6969, 1000, 2000, 5 << 4, flags, 512, 0, 0)
    c = csum(src + dst + struct.pack('!IxxxB', len(t), 6) + t)
    return t[:16] + struct.pack('!H', c) + t[18:]
def eth(payload, typ=0x86dd, dst=bytes.fromhex('020000000001'), src=bytes.fromhex('020000000064')):
    return dst + src + struct.pack('!H', typ) + payload
def opts(nh, o): return bytes([nh, (len(o) + 2) // 8 - 1]) + o
def frag(nh, off, more, ident): return struct.pack('!BBHI', nh, 0, off | more, ident)
orig_udp = ip6(17, udp(b'hi', src=B, dst=A), src=B, dst=A)
orig_tcp = ip6(6, tcp(2, src=B, dst=A), src=B, dst=A)
def err(t, code, rest, orig): return ip6(58, icmp6(t, code, struct.pack('!I', rest) + orig, src=A, dst=B))
frames = [eth(err(1, c, 0, orig_udp)) for c in range(5)] + [
 eth(err(1, 4, 0, orig_tcp)),
 eth(err(2, 0, 1280, orig_tcp)),
 eth(err(3, 0, 0, orig_udp)),
 eth(err(3, 1, 0, orig_udp)),
 eth(err(4, 0, 4, orig_udp)),
 eth(err(4, 1, 40, orig_udp)),
 eth(err(4, 2, 42, orig_udp)),
 eth(err(4, 3, 0, orig_udp)),
 eth(ip6(58, icmp6(129, 0, struct.pack('!HH', 77, 3) + b'pong'))),
 # MLDv1 query, report, done; MLDv2 query with a source.
 eth(ip6(0, opts(58, b'\x05\x02\0\0\x01\0') + icmp6(130, 0, struct.pack('!HH16s', 1000, 0, bytes(16)), src=LLB, dst=ALL), src=LLB, dst=ALL, hops=1)),
 eth(ip6(0, opts(58, b'\x05\x02\0\0\x01\0') + icmp6(131, 0, struct.pack('!HH16s', 0, 0, a6('ff12::1234')), src=LLB, dst=a6('ff12::1234')), src=LLB, dst=a6('ff12::1234'), hops=1)),
 eth(ip6(0, opts(58, b'\x05\x02\0\0\x01\0') + icmp6(132, 0, struct.pack('!HH16s', 0, 0, a6('ff12::1234')), src=LLB, dst=a6('ff02::2')), src=LLB, dst=a6('ff02::2'), hops=1)),
 eth(ip6(0, opts(58, b'\x05\x02\0\0\x01\0') + icmp6(130, 0, struct.pack('!HH16sBBH16s', 0x8400, 0, a6('ff12::1234'), 2, 125, 1, B), src=LLB, dst=a6('ff12::1234')), src=LLB, dst=a6('ff12::1234'), hops=1)),
 # RA with M and O, redirect, NA without flags.
 eth(ip6(58, icmp6(134, 0, struct.pack('!BBHII', 64, 0xc0, 0, 30000, 1000), src=LLB, dst=ALL), src=LLB, dst=ALL, hops=255)),
 eth(ip6(58, icmp6(137, 0, bytes(4) + LLB + a6('fdcc::5'), src=LLB, dst=A), src=LLB, dst=A, hops=255)),
 eth(ip6(58, icmp6(136, 0, bytes(4) + B, src=B, dst=ALL), src=B, dst=ALL, hops=255)),
 # Extension headers: destination options before UDP, routing type 0
 # before TCP, an unknown upper layer, no next header, an atomic
 # fragment, a first and a later fragment of UDP, a routing type 4.
 eth(ip6(60, opts(17, b'\x01\x04\0\0\0\0') + udp(b'opts'))),
 eth(ip6(43, bytes([6, 2, 0, 1, 0, 0, 0, 0]) + a6('fdaa::2') + tcp(0x12))),
 eth(ip6(99, b'0123456789')),
 eth(ip6(59, b'')),
 eth(ip6(44, frag(17, 0, 0, 5) + udp(b'atomic'))),
 eth(ip6(44, frag(17, 0, 1, 6) + udp(b'x' * 24)[:16])),
 eth(ip6(44, frag(17, 16, 0, 6) + b'x' * 16)),
 eth(ip6(43, bytes([17, 2, 4, 0, 0, 0, 0, 0]) + bytes(16) + udp(b'srh'))),
 eth(ip6(43, bytes([17, 2, 2, 1, 0, 0, 0, 0]) + a6('fdaa::3') + udp(b'mip'))),
 eth(ip6(43, bytes([17, 0, 5, 0, 0, 0, 0, 0]) + udp(b'rt5'))),
 eth(ip6(17, udp(b'plain', 41000, 5001))),
]
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack('<IIII', 1700000000 + i, 0, len(fr), len(fr)) + fr)
