package netnstest

import (
	"net"
	"testing"
	"time"
)

// ListenUDP opens a kernel UDP socket on addr ("192.168.69.100:0") inside
// the namespace; cleanup closes it.
func (ns *NS) ListenUDP(t testing.TB, addr string) *net.UDPConn {
	t.Helper()
	var conn *net.UDPConn
	err := ns.Do(func() error {
		a, err := net.ResolveUDPAddr("udp", addr)
		if err != nil {
			return err
		}
		conn, err = net.ListenUDP("udp", a)
		return err
	})
	if err != nil {
		t.Fatalf("netnstest: listen udp %s in %s: %v", addr, ns.name, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Listen opens a kernel listener (network "tcp", "tcp4", "unix"...) on addr
// inside the namespace; cleanup closes it.
func (ns *NS) Listen(t testing.TB, network, addr string) net.Listener {
	t.Helper()
	var ln net.Listener
	err := ns.Do(func() error {
		var err error
		ln, err = net.Listen(network, addr)
		return err
	})
	if err != nil {
		t.Fatalf("netnstest: listen %s %s in %s: %v", network, addr, ns.name, err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// Dial connects a kernel socket from inside the namespace, giving up after
// 5 seconds. It returns the error rather than failing the test, since
// tests often expect a dial to fail. Cleanup closes a connection it made.
func (ns *NS) Dial(t testing.TB, network, addr string) (net.Conn, error) {
	t.Helper()
	var conn net.Conn
	err := ns.Do(func() error {
		var err error
		conn, err = net.DialTimeout(network, addr, 5*time.Second)
		return err
	})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { conn.Close() })
	return conn, nil
}
