import socket, sys
# UDP echo on 6969 and TCP echo on 6969 (one connection), in namespace B.
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("192.168.69.1", 6969))
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("192.168.69.1", 6969)); t.listen(1)
open("/tmp/wirecap-ready", "w").close()
d, a = u.recvfrom(2000); u.sendto(b"yo dawg\n", a)
c, _ = t.accept()
data = b""
while not data.endswith(b"\n"):
    x = c.recv(100)
    if not x: break
    data += x
c.sendall(data[::-1])
x = c.recv(100)  # wait for peer FIN
c.close()
