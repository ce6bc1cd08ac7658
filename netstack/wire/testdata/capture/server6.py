import socket
# UDP echo on 6969 and TCP echo on 6969 (one connection), in namespace B.
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("fdaa::1", 6969))
t = socket.socket(socket.AF_INET6); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("fdaa::1", 6969)); t.listen(1)
open("/tmp/wirecap6-ready", "w").close()
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
