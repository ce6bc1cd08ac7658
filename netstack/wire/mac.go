package wire

import "net/netip"

// MAC is an IEEE 802 MAC-48 hardware address. Unlike net.HardwareAddr it
// is a comparable value: usable as a map key, copied without allocation.
type MAC [6]byte

// BroadcastMAC is the all-ones Ethernet broadcast address.
var BroadcastMAC = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// MACFrom copies the first six bytes of hw into a MAC. It returns the zero
// MAC if hw is shorter than six bytes, so a nil net.HardwareAddr is safe.
func MACFrom(hw []byte) MAC {
	var m MAC
	if len(hw) >= len(m) {
		copy(m[:], hw)
	}
	return m
}

// IsBroadcast reports whether m is ff:ff:ff:ff:ff:ff.
func (m MAC) IsBroadcast() bool { return m == BroadcastMAC }

// IsMulticast reports whether the group bit (the low bit of the first
// byte, IEEE 802-2014 §8.2) is set. The broadcast address is a multicast
// address too.
func (m MAC) IsMulticast() bool { return m[0]&1 != 0 }

// IsZero reports whether m is 00:00:00:00:00:00.
func (m MAC) IsZero() bool { return m == MAC{} }

// String formats m as six colon-separated lower-case hex bytes,
// "02:00:00:00:00:01".
func (m MAC) String() string {
	return string(m.AppendTo(make([]byte, 0, 17)))
}

// AppendTo appends the String form of m to b.
func (m MAC) AppendTo(b []byte) []byte {
	const hex = "0123456789abcdef"
	for i, x := range m {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hex[x>>4], hex[x&0xf])
	}
	return b
}

// MulticastMAC is the Ethernet address a multicast group is sent to: for
// IPv4, 01:00:5e followed by the low 23 bits of the group (RFC 1112 §6.4);
// for IPv6, 33:33 followed by the low 32 bits (RFC 2464 §7). It returns
// the zero MAC if group is not a multicast address.
func MulticastMAC(group netip.Addr) MAC {
	group = group.Unmap()
	if !group.IsMulticast() {
		return MAC{}
	}
	if group.Is4() {
		a := group.As4()
		return MAC{0x01, 0x00, 0x5e, a[1] & 0x7f, a[2], a[3]}
	}
	a := group.As16()
	return MAC{0x33, 0x33, a[12], a[13], a[14], a[15]}
}
