package wire

import "net/netip"

// Annotated IPv6 frames, copied from testdata/linux6.pcap (captured from
// the Linux kernel, see testdata/capture/cap6.sh).

// Addresses of the two ends of testdata/linux6.pcap.
var (
	ip6A   = netip.MustParseAddr("fdaa::100") // the client, 02:00:00:00:00:64
	ip6B   = netip.MustParseAddr("fdaa::1")   // the server, 02:00:00:00:00:01
	ip6LLA = netip.MustParseAddr("fe80::ff:fe00:64")
	ip6LLB = netip.MustParseAddr("fe80::ff:fe00:1")
)

// echo6Frame: ping -6 fdaa::1, id 29136 seq 1, 56 bytes of data (Linux).
var echo6Frame = unhex(`
	02 00 00 00 00 01  02 00 00 00 00 64  86 dd
	60 08 0b 5c        # version 6, traffic class 0, flow label 0x80b5c
	00 40 3a 40        # payload length 64, next header ICMPv6, hop limit 64
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 01 00  # src fdaa::100
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 00 01  # dst fdaa::1
	80 00 ce db        # echo request, code 0, checksum
	71 d0 00 01        # id 29136, seq 1
	f2 62 08 6b 00 00 00 00 7a e0 0e 00 00 00 00 00  # timestamp
	10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
	20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f
	30 31 32 33 34 35 36 37
`)

// mldReport6Frame: an MLDv2 report with a hop-by-hop Router Alert, as
// Linux sends while its link comes up (Linux).
var mldReport6Frame = unhex(`
	33 33 00 00 00 16  02 00 00 00 00 64  86 dd
	60 00 00 00  00 38 00 01  # payload 56, next header hop-by-hop, hop limit 1
	fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 00 64  # src fe80::ff:fe00:64
	ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 16  # dst ff02::16
	3a 00              # hop-by-hop: next header ICMPv6, length 8
	05 02 00 00        # Router Alert, MLD
	01 00              # PadN, 0 bytes
	8f 00 6e 27        # MLDv2 report, checksum
	00 00 00 02        # reserved, 2 records
	04 00 00 00  ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 00 64  # to_ex ff02::1:ff00:64
	04 00 00 00  ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 01 00  # to_ex ff02::1:ff00:100
`)

// ns6Frame: fdaa::100 asks who has fdaa::1 (Linux).
var ns6Frame = unhex(`
	33 33 ff 00 00 01  02 00 00 00 00 64  86 dd
	60 00 00 00  00 20 3a ff  # payload 32, ICMPv6, hop limit 255
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 01 00  # src fdaa::100
	ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 00 01  # dst ff02::1:ff00:1
	87 00 7a e3        # neighbor solicitation, checksum
	00 00 00 00        # reserved
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 00 01  # target fdaa::1
	01 01 02 00 00 00 00 64  # source link-layer address
`)

// na6Frame: fdaa::1 answers, flags R S O (Linux).
var na6Frame = unhex(`
	02 00 00 00 00 64  02 00 00 00 00 01  86 dd
	60 00 00 00  00 20 3a ff
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 00 01  # src fdaa::1
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 01 00  # dst fdaa::100
	88 00 99 9f        # neighbor advertisement, checksum
	e0 00 00 00        # R S O
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 00 01  # target fdaa::1
	02 01 02 00 00 00 00 01  # target link-layer address
`)

// ra6Frame: fe80::ff:fe00:1 advertises fdbb::/64 (made by
// testdata/capture/ra6.py, checksummed by Linux).
var ra6Frame = unhex(`
	33 33 00 00 00 01  02 00 00 00 00 01  86 dd
	60 01 a1 79  00 40 3a ff
	fe 80 00 00 00 00 00 00 00 00 00 ff fe 00 00 01  # src fe80::ff:fe00:1
	ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01  # dst ff02::1
	86 00 5c d6        # router advertisement, checksum
	40 00 07 08        # cur hop limit 64, flags 0, router lifetime 1800
	00 00 00 00        # reachable time
	00 00 00 00        # retrans timer
	01 01 02 00 00 00 00 01  # source link-layer address
	05 01 00 00 00 00 05 dc  # MTU 1500
	03 04 40 c0        # prefix information, prefix length 64, L A
	00 01 51 80        # valid lifetime 86400
	00 00 38 40        # preferred lifetime 14400
	00 00 00 00        # reserved
	fd bb 00 00 00 00 00 00 00 00 00 00 00 00 00 00  # prefix fdbb::
`)

// frag6Frame: the first fragment of a ping with 2000 bytes of data, cut
// to its first 96 bytes of fragment data (Linux).
var frag6Header = unhex(`
	60 08 0b 5c  05 b0 2c 40  # payload 1456, next header fragment
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 01 00
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 00 01
	3a 00              # fragment: next header ICMPv6
	00 01              # offset 0, M
	fe 2c 38 63        # identification
`)

// portUnreachable6Frame: fdaa::1 says UDP port 9 is unreachable, quoting
// the datagram fdaa::100.41000 > fdaa::1.9 (Linux).
var portUnreachable6Frame = unhex(`
	02 00 00 00 00 64  02 00 00 00 00 01  86 dd
	60 0d ba 14  00 44 3a 40
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 00 01
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 01 00
	01 04 fd 39        # destination unreachable, port unreachable, checksum
	00 00 00 00        # unused
	60 0b 93 b2  00 14 11 40  # quoted IPv6 header: payload 20, UDP
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 01 00
	fd aa 00 00 00 00 00 00 00 00 00 00 00 00 00 01
	a0 28 00 09  00 14 39 06  # quoted UDP header: 41000 > 9, length 20
	6e 6f 62 6f 64 79 20 68 6f 6d 65 0a  # "nobody home\n"
`)
