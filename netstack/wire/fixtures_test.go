package wire

// Annotated frames. Those marked "Linux" are copied from testdata/linux.pcap
// (captured from the Linux kernel, see testdata/capture/cap.sh); the VLAN
// frame is hand-built.

// arpRequestFrame: 192.168.69.100 asks who has 192.168.69.1 (Linux).
var arpRequestFrame = unhex(`
	ff ff ff ff ff ff  # dst: broadcast
	02 00 00 00 00 64  # src
	08 06              # type ARP
	00 01              # htype Ethernet
	08 00              # ptype IPv4
	06 04              # hlen, plen
	00 01              # op request
	02 00 00 00 00 64  # sender MAC
	c0 a8 45 64        # sender IP 192.168.69.100
	00 00 00 00 00 00  # target MAC (unknown)
	c0 a8 45 01        # target IP 192.168.69.1
`)

// arpReplyFrame: 192.168.69.1 is at 02:00:00:00:00:01 (Linux).
var arpReplyFrame = unhex(`
	02 00 00 00 00 64  02 00 00 00 00 01  08 06
	00 01 08 00 06 04
	00 02              # op reply
	02 00 00 00 00 01  c0 a8 45 01  # sender
	02 00 00 00 00 64  c0 a8 45 64  # target
`)

// echoRequestFrame: ping 192.168.69.1, id 5134 seq 1, 56 bytes of data (Linux).
var echoRequestFrame = unhex(`
	02 00 00 00 00 01  02 00 00 00 00 64  08 00
	45 00 00 54        # v4, ihl 5, tos 0, total 84
	20 ff 40 00        # id 0x20ff, DF, offset 0
	40 01 0d f4        # ttl 64, proto ICMP, checksum
	c0 a8 45 64        # src 192.168.69.100
	c0 a8 45 01        # dst 192.168.69.1
	08 00 72 d5        # ICMP echo request, code 0, checksum
	14 0e 00 01        # id 5134, seq 1
	27 62 06 6b 00 00 00 00 7e 7b 06 00 00 00 00 00  # timestamp
	10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
	20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f
	30 31 32 33 34 35 36 37
`)

// portUnreachableFrame: 192.168.69.1 says UDP port 9 is unreachable,
// quoting the datagram 192.168.69.100.41000 > 192.168.69.1.9 (Linux).
var portUnreachableFrame = unhex(`
	02 00 00 00 00 64  02 00 00 00 00 01  08 00
	45 c0 00 44  0a 6b 00 00  40 01 63 d8  c0 a8 45 01  c0 a8 45 64
	03 03 08 d9        # dest unreachable, port unreachable, checksum
	00 00 00 00        # unused
	45 00 00 28  90 20 40 00  40 11 9e ee  c0 a8 45 64  c0 a8 45 01  # quoted IP header
	a0 28 00 09  00 14 29 a6  # quoted UDP header: 41000 > 9, length 20
	6e 6f 62 6f 64 79 20 68 6f 6d 65 0a  # "nobody home\n"
`)

// synFrame: Linux's SYN, 192.168.69.100.41234 > 192.168.69.1.6969 (Linux).
var synFrame = unhex(`
	02 00 00 00 00 01  02 00 00 00 00 64  08 00
	45 00 00 3c  62 d2 40 00  40 06 cc 33  c0 a8 45 64  c0 a8 45 01
	a1 12 1b 39        # ports 41234 > 6969
	a8 4c 48 fa        # seq 2823571706
	00 00 00 00        # ack 0
	a0 02 fa f0        # data offset 10, SYN, window 64240
	51 fc 00 00        # checksum, urgent 0
	02 04 05 b4        # MSS 1460
	04 02              # SACK permitted
	08 0a 1c 6f 25 58 00 00 00 00  # TS val 477046104 ecr 0
	01                 # NOP
	03 03 0a           # window scale 10
`)

// vlanFrame: a UDP datagram 10.0.0.1.5000 > 10.0.0.2.6000 "hi" in VLAN 5,
// priority 3, padded to the 60-byte minimum (hand-built).
var vlanFrame = unhex(`
	02 00 00 00 00 02  02 00 00 00 00 01
	81 00              # 802.1Q
	60 05              # PCP 3, DEI 0, VID 5
	08 00              # inner type IPv4
	45 00 00 1e  00 01 00 00  40 11 66 cc  0a 00 00 01  0a 00 00 02
	13 88 17 70  00 0a 58 76  # 5000 > 6000, length 10, checksum
	68 69              # "hi"
	00 00 00 00 00 00 00 00 00 00 00 00  # padding to 60 bytes
`)
