import socket, struct, time
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("fdaa::100", 41000))
u.sendto(b"hello udp\n", ("fdaa::1", 6969)); print(u.recvfrom(100))
u.sendto(b"nobody home\n", ("fdaa::1", 9))  # -> ICMPv6 port unreachable
time.sleep(0.3)
c = socket.create_connection(("fdaa::1", 6969), source_address=("fdaa::100", 41234))
c.sendall(b"hello renet\n")
got = b""
while len(got) < 12: got += c.recv(100)
print(got)
c.shutdown(socket.SHUT_WR)
c.recv(100)
c.close()
time.sleep(0.3)
try:
    socket.create_connection(("fdaa::1", 81), timeout=1)
except OSError as e: print(e)
time.sleep(0.3)
# Join and leave a group: MLDv2 reports, to_ex then to_in.
m = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
mreq = socket.inet_pton(socket.AF_INET6, "ff12::1234") + struct.pack("@I", socket.if_nametoindex("veth-a"))
m.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
time.sleep(0.5)
m.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq)
time.sleep(0.5)
