# Turns checksum offload, TSO, GSO and GRO off on a device with the
# legacy SIOCETHTOOL commands, for hosts without ethtool(8).
# Usage: python3 ethtool_off.py DEV
import ctypes, fcntl, socket, struct, sys
SIOCETHTOOL = 0x8946
cmds = [0x15, 0x17, 0x1f, 0x24, 0x2c]  # SRXCSUM, STXCSUM, STSO, SGSO, SGRO
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for c in cmds:
    val = ctypes.create_string_buffer(struct.pack('II', c, 0))
    ifr = struct.pack('16sP', sys.argv[1].encode(), ctypes.addressof(val))
    try:
        fcntl.ioctl(s, SIOCETHTOOL, ifr)
    except OSError as e:
        print('ethtool cmd %#x: %s' % (c, e), file=sys.stderr)
