package dhcp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// A DHCP message (RFC 2131 §2, Figure 1), as it travels in a UDP datagram:
//
//	0               1               2               3
//	+---------------+---------------+---------------+---------------+
//	|     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
//	+---------------+---------------+---------------+---------------+
//	|                            xid (4)                            |
//	+-------------------------------+-------------------------------+
//	|           secs (2)            |           flags (2)           |
//	+-------------------------------+-------------------------------+
//	|     ciaddr (4), yiaddr (4), siaddr (4), giaddr (4)            |
//	+---------------------------------------------------------------+
//	|                          chaddr (16)                          |
//	|                          sname  (64)                          |
//	|                          file   (128)                         |
//	+---------------------------------------------------------------+
//	|        magic cookie 99.130.83.99 (RFC 2131 §3)                |
//	+---------------------------------------------------------------+
//	|                     options (variable)                        |
//	+---------------------------------------------------------------+
const (
	offChaddr  = 28
	offSname   = 44
	offFile    = 108
	offCookie  = 236
	headerLen  = 240 // through the magic cookie
	minLen     = 300 // BOOTP's minimum (RFC 1542 §2.1); relays may drop shorter
	chaddrLen  = 16
	snameLen   = 64
	fileLen    = 128
	flagBcast  = 0x8000
	maxOptData = 255
)

var magicCookie = [4]byte{99, 130, 83, 99}

// Errors from ParseMessage, wrapped with what was wrong; match them with
// errors.Is.
var (
	// ErrTruncated: the message or one of its options ends early.
	ErrTruncated = errors.New("dhcp: truncated message")
	// ErrMalformed: a field or option holds a value the RFCs forbid.
	ErrMalformed = errors.New("dhcp: malformed message")
)

// Op is the op field: a request from a client or a reply from a server.
type Op uint8

// The two ops (RFC 951).
const (
	BootRequest Op = 1
	BootReply   Op = 2
)

// HTypeEthernet is the htype of Ethernet's 6-byte addresses (RFC 1700).
const HTypeEthernet = 1

// MessageType is option 53, the DHCP message type (RFC 2132 §9.6).
type MessageType uint8

// The message types of RFC 2132 §9.6.
const (
	Discover MessageType = 1
	Offer    MessageType = 2
	Request  MessageType = 3
	Decline  MessageType = 4
	Ack      MessageType = 5
	Nak      MessageType = 6
	Release  MessageType = 7
	Inform   MessageType = 8
)

var typeNames = [...]string{"", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE", "DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM"}

// String names the type as RFC 2131 does: DHCPDISCOVER, DHCPACK...
func (t MessageType) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return fmt.Sprintf("DHCP(%d)", uint8(t))
}

// Option codes (RFC 2132) that this package reads or writes.
const (
	optPad          = 0
	optSubnetMask   = 1
	optRouter       = 3
	optDNS          = 6
	optHostname     = 12
	optMTU          = 26
	optRequestedIP  = 50
	optLeaseTime    = 51
	optOverload     = 52
	optMessageType  = 53
	optServerID     = 54
	optParamRequest = 55
	optMessage      = 56
	optMaxSize      = 57
	optT1           = 58
	optT2           = 59
	optClientID     = 61
	optEnd          = 255
)

// Infinite is the lease time 0xffffffff seconds, which RFC 2131 §3.3
// defines as a lease that never ends.
const Infinite = 0xffffffff * time.Second

// Message is a decoded DHCP message. ParseMessage fills it from bytes it
// has checked; Len and Encode build one. Unlike the views of package
// wire, a DHCP message is decoded whole: its options come in any order,
// may be split and repeated (RFC 3396), and may spill into the sname and
// file fields (option overload), so a view could answer no question
// without walking them all.
//
// Addresses are IPv4; the zero Addr is encoded as 0.0.0.0 and 0.0.0.0
// decodes to itself. Options the package does not know are skipped when
// parsing; sname and file are not kept.
type Message struct {
	Op        Op
	HType     uint8 // HTypeEthernet
	Hops      uint8
	XID       uint32
	Secs      uint16 // seconds since the client began acquiring
	Broadcast bool   // the BROADCAST flag (RFC 2131 §2): reply by broadcast

	ClientAddr netip.Addr // ciaddr: the client's address, when it has one
	YourAddr   netip.Addr // yiaddr: the address the server offers
	ServerAddr netip.Addr // siaddr: the next server (BOOTP), not the server identifier
	RelayAddr  netip.Addr // giaddr: the relay agent

	// HardwareAddr is chaddr, hlen bytes long: at most 16.
	HardwareAddr net.HardwareAddr

	Options
}

// Options holds the options of RFC 2132 that a client sends or reads. A
// zero field is an absent option.
type Options struct {
	Type          MessageType   // 53
	SubnetMask    netip.Addr    // 1; ParseMessage does not check that it is contiguous
	Routers       []netip.Addr  // 3
	DNS           []netip.Addr  // 6
	Hostname      string        // 12
	MTU           uint16        // 26; at least 68 (RFC 2132 §5.1)
	RequestedAddr netip.Addr    // 50
	LeaseTime     time.Duration // 51, whole seconds; Infinite for ever
	ServerID      netip.Addr    // 54
	ParamRequest  []byte        // 55: option codes
	Text          string        // 56: an error message, as in a DHCPNAK
	MaxSize       uint16        // 57: at least 576 (RFC 2132 §9.10)
	T1, T2        time.Duration // 58 and 59: renewal and rebinding times, whole seconds
	ClientID      []byte        // 61: type then identifier, at least 2 bytes
}

// ParseMessage decodes a DHCP message from b, the payload of a UDP
// datagram, which may come from anyone: it checks the fixed part's length,
// hlen and the magic cookie, walks the options (and the sname and file
// fields when option 52 says they hold options), concatenates repeated
// options (RFC 3396), and checks each known option's length and value. It
// never panics, and the result shares no memory with b.
func ParseMessage(b []byte) (Message, error) {
	var m Message
	if len(b) < headerLen {
		return m, fmt.Errorf("%w: %d bytes, want at least %d", ErrTruncated, len(b), headerLen)
	}
	if [4]byte(b[offCookie:]) != magicCookie {
		return m, fmt.Errorf("%w: no magic cookie (BOOTP without DHCP?)", ErrMalformed)
	}
	m.Op = Op(b[0])
	if m.Op != BootRequest && m.Op != BootReply {
		return m, fmt.Errorf("%w: op %d", ErrMalformed, b[0])
	}
	m.HType, m.Hops = b[1], b[3]
	hlen := int(b[2])
	if hlen > chaddrLen {
		return m, fmt.Errorf("%w: hlen %d", ErrMalformed, hlen)
	}
	m.XID = binary.BigEndian.Uint32(b[4:])
	m.Secs = binary.BigEndian.Uint16(b[8:])
	m.Broadcast = binary.BigEndian.Uint16(b[10:])&flagBcast != 0
	m.ClientAddr = addr4(b[12:])
	m.YourAddr = addr4(b[16:])
	m.ServerAddr = addr4(b[20:])
	m.RelayAddr = addr4(b[24:])
	if hlen > 0 {
		m.HardwareAddr = net.HardwareAddr(append([]byte(nil), b[offChaddr:offChaddr+hlen]...))
	}

	var raw rawOptions
	overload, err := raw.walk(b[headerLen:], true)
	if err != nil {
		return m, err
	}
	// RFC 2131 §4.1: the file field's options come after the options
	// field's, then the sname field's.
	if overload&1 != 0 {
		if _, err := raw.walk(b[offFile:offFile+fileLen], false); err != nil {
			return m, fmt.Errorf("file field: %w", err)
		}
	}
	if overload&2 != 0 {
		if _, err := raw.walk(b[offSname:offSname+snameLen], false); err != nil {
			return m, fmt.Errorf("sname field: %w", err)
		}
	}
	if err := m.Options.decode(&raw); err != nil {
		return m, err
	}
	return m, nil
}

// rawOptions gathers each option's data by code, concatenating the
// instances of a code in the order met (RFC 3396 §7).
type rawOptions struct {
	data [256][]byte
	seen [256]bool
}

// walk reads the options in b up to an end option or b's end (a missing
// end option is tolerated; padding is not required). Where top is set it
// returns the value of option 52; elsewhere option 52 is ignored.
func (r *rawOptions) walk(b []byte, top bool) (overload byte, err error) {
	for i := 0; i < len(b); {
		code := b[i]
		i++
		switch code {
		case optPad:
			continue
		case optEnd:
			return overload, nil
		}
		if i >= len(b) {
			return 0, fmt.Errorf("%w: option %d has no length", ErrTruncated, code)
		}
		n := int(b[i])
		i++
		if i+n > len(b) {
			return 0, fmt.Errorf("%w: option %d of %d bytes has %d", ErrTruncated, code, n, len(b)-i)
		}
		v := b[i : i+n]
		i += n
		if code == optOverload {
			if !top {
				continue
			}
			if n != 1 || v[0] < 1 || v[0] > 3 {
				return 0, fmt.Errorf("%w: option 52 (overload) % x", ErrMalformed, v)
			}
			overload = v[0]
			continue
		}
		if r.seen[code] {
			// Copy, never append into b.
			r.data[code] = append(r.data[code][:len(r.data[code]):len(r.data[code])], v...)
		} else {
			r.seen[code], r.data[code] = true, v
		}
	}
	return overload, nil
}

// decode fills o from the gathered options, checking each.
func (o *Options) decode(r *rawOptions) error {
	bad := func(code int, why string) error {
		return fmt.Errorf("%w: option %d (%d bytes): %s", ErrMalformed, code, len(r.data[code]), why)
	}
	one := func(code int) (netip.Addr, error) {
		if !r.seen[code] {
			return netip.Addr{}, nil
		}
		if len(r.data[code]) != 4 {
			return netip.Addr{}, bad(code, "want an IPv4 address")
		}
		return addr4(r.data[code]), nil
	}
	list := func(code int) ([]netip.Addr, error) {
		d := r.data[code]
		if !r.seen[code] {
			return nil, nil
		}
		if len(d) == 0 || len(d)%4 != 0 {
			return nil, bad(code, "want a list of IPv4 addresses")
		}
		as := make([]netip.Addr, 0, len(d)/4)
		for i := 0; i < len(d); i += 4 {
			as = append(as, addr4(d[i:]))
		}
		return as, nil
	}
	secs := func(code int) (time.Duration, error) {
		if !r.seen[code] {
			return 0, nil
		}
		if len(r.data[code]) != 4 {
			return 0, bad(code, "want 4 bytes of seconds")
		}
		return time.Duration(binary.BigEndian.Uint32(r.data[code])) * time.Second, nil
	}
	u16 := func(code int, least uint16) (uint16, error) {
		if !r.seen[code] {
			return 0, nil
		}
		if len(r.data[code]) != 2 {
			return 0, bad(code, "want 2 bytes")
		}
		v := binary.BigEndian.Uint16(r.data[code])
		if v < least {
			return 0, bad(code, fmt.Sprintf("%d is below %d", v, least))
		}
		return v, nil
	}
	bytesOf := func(code, least int) ([]byte, error) {
		if !r.seen[code] {
			return nil, nil
		}
		if len(r.data[code]) < least {
			return nil, bad(code, fmt.Sprintf("want at least %d bytes", least))
		}
		return append([]byte(nil), r.data[code]...), nil
	}

	var err error
	if r.seen[optMessageType] {
		d := r.data[optMessageType]
		if len(d) != 1 || d[0] == 0 {
			return bad(optMessageType, "want one byte, not 0")
		}
		o.Type = MessageType(d[0])
	}
	if o.SubnetMask, err = one(optSubnetMask); err != nil {
		return err
	}
	if o.Routers, err = list(optRouter); err != nil {
		return err
	}
	if o.DNS, err = list(optDNS); err != nil {
		return err
	}
	var b []byte
	if b, err = bytesOf(optHostname, 1); err != nil {
		return err
	}
	o.Hostname = string(b)
	if o.MTU, err = u16(optMTU, 68); err != nil {
		return err
	}
	if o.RequestedAddr, err = one(optRequestedIP); err != nil {
		return err
	}
	if o.LeaseTime, err = secs(optLeaseTime); err != nil {
		return err
	}
	if o.ServerID, err = one(optServerID); err != nil {
		return err
	}
	if o.ParamRequest, err = bytesOf(optParamRequest, 1); err != nil {
		return err
	}
	if b, err = bytesOf(optMessage, 1); err != nil {
		return err
	}
	o.Text = string(b)
	if o.MaxSize, err = u16(optMaxSize, 576); err != nil {
		return err
	}
	if o.T1, err = secs(optT1); err != nil {
		return err
	}
	if o.T2, err = secs(optT2); err != nil {
		return err
	}
	if o.ClientID, err = bytesOf(optClientID, 2); err != nil {
		return err
	}
	return nil
}

// addr4 reads an IPv4 address from the first 4 bytes of b.
func addr4(b []byte) netip.Addr { return netip.AddrFrom4([4]byte(b[:4])) }

// Len is the length of the encoded message: the fixed part, the options,
// the end option, and padding up to BOOTP's 300 bytes.
func (m *Message) Len() int {
	n := headerLen + m.Options.len() + 1
	return max(n, minLen)
}

// Encode writes the message into b, which must hold Len bytes, and
// returns Len. Options go in the options field only (never overloaded),
// each split into 255-byte instances if longer (RFC 3396). Only the first
// 16 bytes of HardwareAddr fit in chaddr.
func (m *Message) Encode(b []byte) int {
	n := m.Len()
	b = b[:n]
	clear(b)
	b[0], b[1], b[3] = byte(m.Op), m.HType, m.Hops
	hlen := min(len(m.HardwareAddr), chaddrLen)
	b[2] = byte(hlen)
	binary.BigEndian.PutUint32(b[4:], m.XID)
	binary.BigEndian.PutUint16(b[8:], m.Secs)
	if m.Broadcast {
		binary.BigEndian.PutUint16(b[10:], flagBcast)
	}
	putAddr(b[12:], m.ClientAddr)
	putAddr(b[16:], m.YourAddr)
	putAddr(b[20:], m.ServerAddr)
	putAddr(b[24:], m.RelayAddr)
	copy(b[offChaddr:offChaddr+hlen], m.HardwareAddr)
	copy(b[offCookie:], magicCookie[:])
	i := headerLen + m.Options.encode(b[headerLen:])
	b[i] = optEnd // the rest is already zero: padding
	return n
}

// putAddr writes an IPv4 address (0.0.0.0 for the zero Addr or IPv6).
func putAddr(b []byte, a netip.Addr) {
	if a.Is4() {
		v := a.As4()
		copy(b, v[:])
	}
}

// len is the encoded length of the options, without the end option.
func (o *Options) len() int {
	n := 0
	o.each(func(_ byte, v []byte, a []netip.Addr) {
		l := len(v) + 4*len(a)
		n += l + 2*((l+maxOptData-1)/maxOptData)
	})
	return n
}

// encode writes the options into b and returns their length.
func (o *Options) encode(b []byte) int {
	n := 0
	o.each(func(code byte, v []byte, as []netip.Addr) {
		if as != nil {
			v = make([]byte, 0, 4*len(as))
			for _, a := range as {
				a4 := [4]byte{}
				if a.Is4() {
					a4 = a.As4()
				}
				v = append(v, a4[:]...)
			}
		}
		for len(v) > 0 {
			k := min(len(v), maxOptData)
			b[n], b[n+1] = code, byte(k)
			copy(b[n+2:], v[:k])
			n += 2 + k
			v = v[k:]
		}
	})
	return n
}

// each calls f for every present option, in the order a client sends
// them (53 first, as RFC 2131 §4.1 advises), with its data either as
// bytes or as a list of addresses.
func (o *Options) each(f func(code byte, v []byte, as []netip.Addr)) {
	if o.Type != 0 {
		f(optMessageType, []byte{byte(o.Type)}, nil)
	}
	addr := func(code byte, a netip.Addr) {
		if a.IsValid() {
			f(code, nil, []netip.Addr{a})
		}
	}
	secs := func(code byte, d time.Duration) {
		if d > 0 {
			f(code, binary.BigEndian.AppendUint32(nil, uint32(min(d/time.Second, 0xffffffff))), nil)
		}
	}
	u16 := func(code byte, v uint16) {
		if v != 0 {
			f(code, binary.BigEndian.AppendUint16(nil, v), nil)
		}
	}
	bytes := func(code byte, v []byte) {
		if len(v) > 0 {
			f(code, v, nil)
		}
	}
	addr(optServerID, o.ServerID)
	addr(optRequestedIP, o.RequestedAddr)
	bytes(optClientID, o.ClientID)
	bytes(optHostname, []byte(o.Hostname))
	bytes(optParamRequest, o.ParamRequest)
	u16(optMaxSize, o.MaxSize)
	secs(optLeaseTime, o.LeaseTime)
	secs(optT1, o.T1)
	secs(optT2, o.T2)
	addr(optSubnetMask, o.SubnetMask)
	if len(o.Routers) > 0 {
		f(optRouter, nil, o.Routers)
	}
	if len(o.DNS) > 0 {
		f(optDNS, nil, o.DNS)
	}
	u16(optMTU, o.MTU)
	bytes(optMessage, []byte(o.Text))
}
