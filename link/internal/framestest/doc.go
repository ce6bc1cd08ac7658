// Package framestest builds and parses, by hand, the few frames the link
// device tests exchange with the Linux kernel: Ethernet II, ARP (RFC 826),
// IPv4 (RFC 791) carrying UDP (RFC 768).
//
// It exists so the device tests do not depend on netstack/wire, the code
// they are meant to carry rather than test, and so three test suites share
// one copy. It is for tests only: it allocates freely and knows no options.
// Its parsers check every length before reading, so any input is safe.
package framestest
