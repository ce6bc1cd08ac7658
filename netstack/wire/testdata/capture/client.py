import socket, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("192.168.69.100", 41000))
u.sendto(b"hello udp\n", ("192.168.69.1", 6969)); print(u.recvfrom(100))
u.sendto(b"nobody home\n", ("192.168.69.1", 9))  # -> ICMP port unreachable
time.sleep(0.3)
c = socket.create_connection(("192.168.69.1", 6969), source_address=("192.168.69.100", 41234))
c.sendall(b"hello renet\n")
got = b""
while len(got) < 12: got += c.recv(100)
print(got)
c.shutdown(socket.SHUT_WR)
c.recv(100)
c.close()
time.sleep(0.3)
try:
    socket.create_connection(("192.168.69.1", 81), timeout=1)
except OSError as e: print(e)
