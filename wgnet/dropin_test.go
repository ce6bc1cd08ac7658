package wgnet

import (
	"reflect"
	"testing"

	"golang.zx2c4.com/wireguard/tun/netstack"
)

// TestDropIn checks that every exported method of tun/netstack's Net,
// and of the values it returns (gonet's TCPConn, TCPListener, UDPConn,
// netstack's PingConn), exists on wgnet's counterpart with the same
// parameters and results, where a result of a tun/netstack type is
// matched with a wgnet type that passes the same check in turn. Extra
// methods on wgnet's side are allowed.
func TestDropIn(t *testing.T) {
	pairs := map[reflect.Type]reflect.Type{}
	var check func(theirs, ours reflect.Type)
	check = func(theirs, ours reflect.Type) {
		if done, ok := pairs[theirs]; ok {
			if done != ours {
				t.Errorf("%v matched with both %v and %v", theirs, done, ours)
			}
			return
		}
		pairs[theirs] = ours
		for i := range theirs.NumMethod() {
			m := theirs.Method(i)
			om, ok := ours.MethodByName(m.Name)
			if !ok {
				t.Errorf("%v has %s, %v does not", theirs, m.Name, ours)
				continue
			}
			mt, ot := m.Type, om.Type
			if mt.NumIn() != ot.NumIn() || mt.NumOut() != ot.NumOut() || mt.IsVariadic() != ot.IsVariadic() {
				t.Errorf("%v.%s is %v, %v's is %v", theirs, m.Name, mt, ours, ot)
				continue
			}
			for j := 1; j < mt.NumIn(); j++ { // 0 is the receiver
				if mt.In(j) != ot.In(j) && !sameShape(mt.In(j), ot.In(j)) {
					t.Errorf("%v.%s parameter %d is %v, %v's is %v", theirs, m.Name, j, mt.In(j), ours, ot.In(j))
				}
			}
			for j := range mt.NumOut() {
				a, b := mt.Out(j), ot.Out(j)
				switch {
				case a == b:
				case a.Kind() == reflect.Pointer && b.Kind() == reflect.Pointer:
					check(a, b)
				default:
					t.Errorf("%v.%s result %d is %v, %v's is %v", theirs, m.Name, j, a, ours, b)
				}
			}
		}
	}
	check(reflect.TypeFor[*netstack.Net](), reflect.TypeFor[*Net]())
	check(reflect.TypeFor[netstack.PingAddr](), reflect.TypeFor[PingAddr]())
	for theirs, ours := range pairs {
		t.Logf("%v -> %v", theirs, ours)
	}
}

// sameShape matches tun/netstack's own parameter types (*PingAddr) with
// wgnet's.
func sameShape(a, b reflect.Type) bool {
	return a.Kind() == reflect.Pointer && b.Kind() == reflect.Pointer && a.Elem().Name() == b.Elem().Name()
}
