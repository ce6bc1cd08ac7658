# Hand-crafted frames for printer cases the live capture lacks.
# Regenerate: python3 craft.py ../crafted.pcap && tcpdump -nn -t -S -r ../crafted.pcap > ../crafted.txt
import struct, sys
def csum(b):
    if len(b)%2: b+=b'\0'
    s=sum(struct.unpack('!%dH'%(len(b)//2),b))
    while s>>16: s=(s&0xffff)+(s>>16)
    return (~s)&0xffff
A=bytes([192,168,69,100]); B=bytes([192,168,69,1])
def ip(proto, payload, src=A, dst=B, opts=b'', flags=0x4000, ident=7, tos=0):
    hl=20+len(opts)
    h=struct.pack('!BBHHHBBH4s4s',0x40|(hl//4),tos,hl+len(payload),ident,flags,64,proto,0,src,dst)+opts
    h=h[:10]+struct.pack('!H',csum(h))+h[12:]
    return h+payload
def tcp(flags, opts=b'', data=b'', seq=1000, ack=2000, urg=0, src=A, dst=B):
    hl=20+len(opts)
    t=struct.pack('!HHIIBBHHH',41234,6969,seq,ack,(hl//4)<<4,flags,512,0,urg)+opts+data
    ph=src+dst+struct.pack('!BBH',0,6,len(t))
    c=csum(ph+t); return t[:16]+struct.pack('!H',c)+t[18:]
def udp(data, sport=5000, dport=6000, src=A, dst=B):
    u=struct.pack('!HHHH',sport,dport,8+len(data),0)+data
    c=csum(src+dst+struct.pack('!BBH',0,17,len(u))+u) or 0xffff
    return u[:6]+struct.pack('!H',c)+u[8:]
def icmp(t, code, rest, payload, good=True):
    m=struct.pack('!BBHI',t,code,0,rest)+payload
    c=csum(m) if good else csum(m)^0x1234
    return m[:2]+struct.pack('!H',c)+m[4:]
def igmp(m):
    return m[:2]+struct.pack('!H',csum(m))+m[4:]
RA=b'\x94\x04\x00\x00'
def ip4(s): return bytes(int(x) for x in s.split('.'))
G=ip4('239.1.2.3')
def eth(typ, payload, dst=bytes.fromhex('020000000001'), src=bytes.fromhex('020000000064'), vlan=None):
    h=dst+src
    if vlan is not None: h+=struct.pack('!HH',0x8100,vlan)
    return h+struct.pack('!H',typ)+payload
orig_udp=ip(17, udp(b'hi'), src=B, dst=A)[:28]
orig_tcp=ip(6, tcp(0x02), src=B, dst=A)[:28]
frames=[eth(0x800, ip(1, icmp(3, c, 0, orig_udp), src=B, dst=A)) for c in range(17)]+[
 eth(0x800, ip(6, tcp(0x10, opts=b'\x01\x01\x05\x0a'+struct.pack('!II',3000,4000)))),
 eth(0x800, ip(6, tcp(0x10, opts=b'\x01\x01\x05\x12'+struct.pack('!IIII',3000,4000,5000,6000)))),
 eth(0x800, ip(6, tcp(0x18, opts=b'\x02\x04\x05\xb4\x63\x04\xab\xcd\x01\x00', data=b'x'*5))),
 eth(0x800, ip(6, tcp(0x30, data=b'!', urg=1))),
 eth(0x800, ip(6, tcp(0x02, opts=b'\x03\x03\x0e\x00'))),
 eth(0x800, ip(1, icmp(3, 0, 0, orig_udp), src=B, dst=A)),
 eth(0x800, ip(1, icmp(3, 1, 0, orig_udp), src=B, dst=A)),
 eth(0x800, ip(1, icmp(3, 2, 0, orig_udp), src=B, dst=A)),
 eth(0x800, ip(1, icmp(3, 3, 0, orig_tcp), src=B, dst=A)),
 eth(0x800, ip(1, icmp(3, 4, 1400, orig_tcp), src=B, dst=A)),
 eth(0x800, ip(1, icmp(3, 13, 0, orig_tcp), src=B, dst=A)),
 eth(0x800, ip(1, icmp(11, 0, 0, orig_udp), src=B, dst=A)),
 eth(0x800, ip(1, icmp(11, 1, 0, orig_udp), src=B, dst=A)),
 eth(0x800, ip(1, icmp(12, 0, 20<<24, orig_udp), src=B, dst=A)),
 eth(0x800, ip(1, icmp(42, 0, 0, b'abcd'), src=B, dst=A)),
 eth(0x800, ip(1, icmp(8, 0, (77<<16)|3, b'ping'))),
 eth(0x800, ip(99, b'0123456789')),
 eth(0x800, ip(17, udp(b'query'), opts=b'\x01\x01\x01\x00')),
 eth(0x800, ip(17, udp(b'tagged')), vlan=(5|(3<<13))),
 eth(0x806, struct.pack('!HHBBH6s4s6s4s',1,0x800,6,4,1,bytes.fromhex('020000000064'),A,bytes.fromhex('020000000001'),B)),
 eth(0x800, ip(17, udp(b'frag'), flags=0x2000)),
 eth(0x800, ip(17, b'rest of datagram', flags=0x0010)),
 # IGMP: what Linux did not send in igmp.pcap.
 eth(0x800, ip(2, igmp(struct.pack('!BBH4sBBH4s4s',0x11,0xff,0,G,0x0a,0x7d,2,A,ip4('10.0.0.1'))), src=B, dst=G, opts=RA, tos=0xc0)),
 eth(0x800, ip(2, igmp(struct.pack('!BBH4sBBH',0x11,100,0,G,0x02,0x7d,0)), src=B, dst=G, opts=RA, tos=0xc0)),
 eth(0x800, ip(2, igmp(struct.pack('!BBH4sBBH',0x11,0x85,0,bytes(4),0x02,0x7d,0)), src=B, dst=ip4('224.0.0.1'), opts=RA, tos=0xc0)),
 eth(0x800, ip(2, igmp(struct.pack('!BBH4s',0x11,100,0,G)), src=B, dst=G, opts=RA)),
 eth(0x800, ip(2, igmp(struct.pack('!BBH4s',0x11,0xc8,0,bytes(4))), src=B, dst=ip4('224.0.0.1'), opts=RA)),
 eth(0x800, ip(2, igmp(struct.pack('!BBHHH',0x22,0,0,0,2)+struct.pack('!BBH4s',2,0,0,G)+struct.pack('!BBH4s4s',3,0,1,ip4('239.4.5.6'),B)), dst=ip4('224.0.0.22'), opts=RA, tos=0xc0)),
 eth(0x800, ip(2, igmp(struct.pack('!BBHHH',0x22,0,0,0,1)+struct.pack('!BBH4s4s',6,1,0,G,b'aux!')), dst=ip4('224.0.0.22'), opts=RA, tos=0xc0)),
 eth(0x800, ip(2, igmp(struct.pack('!BBH4s4s',0x12,0,0,G,b'more')), dst=G)),
 eth(0x800, ip(2, igmp(struct.pack('!BBH4s',0x30,0,0,G)), dst=G)),
]
with open(sys.argv[1],'wb') as f:
    f.write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,65535,1))
    for i,fr in enumerate(frames): f.write(struct.pack('<IIII',i,0,len(fr),len(fr))+fr)
