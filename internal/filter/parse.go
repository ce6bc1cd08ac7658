package filter

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of parentheses and nots, so that hostile
// input cannot recurse without limit.
const maxDepth = 100

// parser is a recursive-descent parser over the tokens of one expression.
// Precedence is tcpdump's: not binds tightest; and and or bind equally and
// associate to the left.
type parser struct {
	expr  string
	toks  []token
	i     int
	depth int
	last  *quals // qualifiers of the previous primitive with a type
}

// parse returns the tree for expr, or nil for an empty expression.
func parse(expr string) (node, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{expr: expr, toks: toks}
	if p.peek().kind == tokEOF {
		return nil, nil
	}
	n, err := p.binary()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		want := `"and", "or" or end of expression`
		if t.kind == tokRParen {
			return nil, p.errAt(t, `unmatched ")"`)
		}
		return nil, p.expected(want, t)
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(t token, format string, args ...any) error {
	return &SyntaxError{Expr: p.expr, Pos: t.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expected(what string, found token) error {
	return p.errAt(found, "expected %s, found %s", what, found.describe())
}

// binary = unary { ("and" | "&&" | "or" | "||") unary }
//
// As in tcpdump (pcap-filter(7): "alternation and concatenation have
// equal precedence and associate left to right"), "a or b and c" is
// "(a or b) and c".
func (p *parser) binary() (node, error) {
	n, err := p.unary()
	if err != nil {
		return nil, err
	}
	for k := p.peek().kind; k == tokAnd || k == tokOr; k = p.peek().kind {
		p.next()
		m, err := p.unary()
		if err != nil {
			return nil, err
		}
		if k == tokAnd {
			n = andNode{n, m}
		} else {
			n = orNode{n, m}
		}
	}
	return n, nil
}

// unary = ("not" | "!") unary | "(" binary ")" | primitive
func (p *parser) unary() (node, error) {
	t := p.peek()
	switch t.kind {
	case tokNot, tokLParen:
		if p.depth >= maxDepth {
			return nil, p.errAt(t, "expression nested deeper than %d", maxDepth)
		}
		p.depth++
		defer func() { p.depth-- }()
		p.next()
		if t.kind == tokNot {
			x, err := p.unary()
			if err != nil {
				return nil, err
			}
			return notNode{x}, nil
		}
		n, err := p.binary()
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c.kind != tokRParen {
			return nil, p.expected(`"and", "or" or ")"`, c)
		}
		p.next()
		return n, nil
	case tokWord:
		return p.primitive()
	}
	return nil, p.expected(`a primitive such as "host", "port", "tcp", or "not" or "("`, t)
}

// primitive = [proto] [dir] [type value] | value
func (p *parser) primitive() (node, error) {
	start := p.peek()
	if unsupported[start.text] {
		return nil, p.errAt(start, "%q is not supported", start.text)
	}
	var q quals
	var ok bool
	if q.proto, ok = protoNames[p.peek().text]; ok {
		p.next()
	}
	if q.dir, ok = dirNames[p.peek().text]; ok {
		p.next()
	}
	if q.kind, ok = kindNames[p.peek().text]; ok {
		p.next()
	}
	pr := &prim{quals: q, pos: start.pos}
	if q == (quals{}) {
		// A bare value: tcpdump's shorthand.
		return p.bareValue(start)
	}
	if q.kind == kindNone && q.dir == dirAny {
		// A protocol alone: "tcp", "arp".
		if q.proto == protoEther {
			return nil, p.expected(`"host", "src", "dst" or "proto" after "ether"`, p.peek())
		}
		return pr, nil
	}
	v := p.peek()
	// Protocol names are keywords, but "ip proto tcp" is fine.
	if v.kind != tokWord || isKeyword(v.text) && q.kind != kindProto {
		return nil, p.expected(valueName(q), v)
	}
	p.next()
	if q.kind == kindNone {
		// "src 10.0.0.1", "ether dst MAC": a host, or a net for a prefix.
		q.kind = kindHost
		if strings.Contains(v.text, "/") {
			q.kind = kindNet
		}
		pr.quals = q
	}
	if err := p.checkQuals(pr, start); err != nil {
		return nil, err
	}
	if err := p.value(pr, v); err != nil {
		return nil, err
	}
	p.last = &pr.quals
	return pr, nil
}

// bareValue handles a value with no qualifiers before it: it repeats the
// previous primitive's qualifiers, and with none it is an error, as in
// tcpdump.
func (p *parser) bareValue(v token) (node, error) {
	if isKeyword(v.text) {
		return nil, p.expected("a primitive", v)
	}
	if p.last == nil {
		if _, err := netip.ParseAddr(v.text); err == nil || strings.Contains(v.text, "/") {
			return nil, p.errAt(v, "%q needs a qualifier before it, such as \"host\" or \"net\"", v.text)
		}
		return nil, p.errAt(v, "unknown primitive %q", v.text)
	}
	p.next()
	pr := &prim{quals: *p.last, pos: v.pos}
	if err := p.value(pr, v); err != nil {
		return nil, err
	}
	return pr, nil
}

// isKeyword reports whether w is one of the words the grammar reserves.
func isKeyword(w string) bool {
	_, a := protoNames[w]
	_, b := dirNames[w]
	_, c := kindNames[w]
	return a || b || c || unsupported[w]
}

var protoWords = [...]string{protoNone: "", protoEther: "ether", protoIP: "ip", protoARP: "arp",
	protoTCP: "tcp", protoUDP: "udp", protoICMP: "icmp", protoIP6: "ip6", protoICMP6: "icmp6"}

var kindWords = [...]string{kindHost: "host", kindNet: "net", kindPort: "port",
	kindPortRange: "portrange", kindProto: "proto"}

// allowed lists the protocol qualifiers each type qualifier takes. As in
// tcpdump, "tcp host X" and "icmp6 port 7" are errors; unlike tcpdump,
// "ip port 80" and "ip6 port 80" are accepted, meaning ports over that
// family only.
var allowed = [...][]proto{
	kindHost:      {protoNone, protoEther, protoIP, protoARP, protoIP6},
	kindNet:       {protoNone, protoIP, protoARP, protoIP6},
	kindPort:      {protoNone, protoIP, protoIP6, protoTCP, protoUDP},
	kindPortRange: {protoNone, protoIP, protoIP6, protoTCP, protoUDP},
	kindProto:     {protoNone, protoIP, protoIP6, protoEther},
}

// checkQuals rejects combinations tcpdump rejects, such as "tcp host X".
func (p *parser) checkQuals(pr *prim, start token) error {
	if pr.kind != kindNone && !slices.Contains(allowed[pr.kind], pr.proto) {
		return p.errAt(start, "%q does not apply to %q", protoWords[pr.proto], kindWords[pr.kind])
	}
	if pr.kind == kindProto && pr.dir != dirAny {
		return p.errAt(start, `"src" and "dst" do not apply to "proto"`)
	}
	return nil
}

// family names the address family a protocol qualifier restricts a host
// or net to: "IPv4" for ip and arp, "IPv6" for ip6, "IP" for none.
func family(q proto) string {
	switch q {
	case protoIP, protoARP:
		return "IPv4"
	case protoIP6:
		return "IPv6"
	}
	return "IP"
}

// valueName says what value q expects, for error messages.
func valueName(q quals) string {
	switch q.kind {
	case kindHost:
		if q.proto == protoEther {
			return "a MAC address"
		}
		return "an " + family(q.proto) + " address"
	case kindNet:
		switch q.proto {
		case protoIP, protoARP:
			return "an IPv4 prefix such as 10.0.0.0/8"
		case protoIP6:
			return "an IPv6 prefix such as fdaa::/64"
		}
		return "an IP prefix such as 10.0.0.0/8 or fdaa::/64"
	case kindPort:
		return "a port number"
	case kindPortRange:
		return "a port range such as 1000-2000"
	case kindProto:
		return "a protocol name or number"
	}
	if q.proto == protoEther {
		return "a MAC address"
	}
	return "an " + family(q.proto) + " address or prefix"
}

// checkFamily rejects an address of the wrong family for the protocol
// qualifier: "ip host fdaa::1", "ip6 net 10.0.0.0/8", "arp host ::1".
func (p *parser) checkFamily(pr *prim, v token, a netip.Addr) error {
	if a.Is4() && pr.proto == protoIP6 || !a.Is4() && (pr.proto == protoIP || pr.proto == protoARP) {
		what := "IPv6"
		if a.Is4() {
			what = "IPv4"
		}
		return p.errAt(v, "%q does not apply to %s address %q", protoWords[pr.proto], what, v.text)
	}
	return nil
}

// value decodes the value token v into pr according to pr's kind.
func (p *parser) value(pr *prim, v token) error {
	bad := func() error { return p.expected(valueName(pr.quals), v) }
	switch pr.kind {
	case kindHost:
		if pr.proto == protoEther {
			mac, err := net.ParseMAC(v.text)
			if err != nil || len(mac) != 6 {
				return bad()
			}
			copy(pr.mac[:], mac)
			return nil
		}
		a, err := netip.ParseAddr(v.text)
		if err != nil || a.Zone() != "" {
			if strings.Contains(v.text, "/") {
				return p.errAt(v, "expected %s, found prefix %q (use \"net\")", valueName(pr.quals), v.text)
			}
			return bad()
		}
		if err := p.checkFamily(pr, v, a); err != nil {
			return err
		}
		pr.prefix = netip.PrefixFrom(a, a.BitLen())
	case kindNet:
		pf, err := netip.ParsePrefix(v.text)
		if err != nil {
			a, aerr := netip.ParseAddr(v.text)
			if aerr != nil || a.Zone() != "" {
				return bad()
			}
			pf = netip.PrefixFrom(a, a.BitLen())
		}
		if err := p.checkFamily(pr, v, pf.Addr()); err != nil {
			return err
		}
		if pf.Masked() != pf {
			return p.errAt(v, "non-network bits set in %q", v.text)
		}
		pr.prefix = pf
	case kindPort:
		n, ok := parsePort(v.text)
		if !ok {
			return bad()
		}
		pr.lo, pr.hi = n, n
	case kindPortRange:
		a, b, found := strings.Cut(v.text, "-")
		lo, ok1 := parsePort(a)
		hi, ok2 := parsePort(b)
		if !found || !ok1 || !ok2 {
			return bad()
		}
		pr.lo, pr.hi = min(lo, hi), max(lo, hi) // tcpdump accepts either order
	case kindProto:
		n, ok := parseProto(pr.proto, v.text)
		if !ok {
			return bad()
		}
		pr.num = n
	}
	return nil
}

// parsePort parses a decimal port number.
func parsePort(s string) (uint16, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 16)
	return uint16(n), err == nil
}

// ipProtoNames and etherTypeNames are the names "proto" accepts besides
// numbers.
var (
	ipProtoNames   = map[string]uint32{"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "icmp6": 58, "sctp": 132}
	etherTypeNames = map[string]uint32{"ip": 0x0800, "arp": 0x0806, "ip6": 0x86dd, "rarp": 0x8035}
)

// parseProto parses the value of "proto": an IP protocol (0-255) or, after
// "ether", an EtherType (0-65535), as a name or a decimal or 0x number.
func parseProto(q proto, s string) (uint32, bool) {
	names, limit := ipProtoNames, uint64(0xff)
	if q == protoEther {
		names, limit = etherTypeNames, 0xffff
	}
	if n, ok := names[s]; ok {
		return n, true
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil || n > limit {
		return 0, false
	}
	return uint32(n), true
}
