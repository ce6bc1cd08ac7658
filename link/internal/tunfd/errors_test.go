package tunfd

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// The messages a user sees when Open fails, for each failure the package
// explains; TestOpenWithoutCapability in link/tap checks the EPERM one
// against a real kernel.
func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Kind: TAP, Name: "tap0", Err: unix.EPERM},
			"tap: open tap0: operation not permitted (need root or CAP_NET_ADMIN)"},
		{&Error{Kind: TUN, Name: "tun0", Path: devPath, Err: unix.EACCES},
			"tun: open tun0: /dev/net/tun: permission denied (need root or CAP_NET_ADMIN)"},
		{&Error{Kind: TAP, Name: "tap0", Path: devPath, Err: unix.ENOENT},
			"tap: open tap0: /dev/net/tun: no such file or directory (no TUN/TAP driver: load it with `modprobe tun`, or give the container the device /dev/net/tun)"},
		{&Error{Kind: TAP, Name: "tap0", Path: devPath, Err: unix.ENODEV},
			"tap: open tap0: /dev/net/tun: no such device (no TUN/TAP driver: load it with `modprobe tun`, or give the container the device /dev/net/tun)"},
		{&Error{Kind: TAP, Name: "tap0", Err: unix.EBUSY},
			"tap: open tap0: device or resource busy (the device is already open, probably by another process)"},
		{&Error{Kind: TUN, Name: "eth0", Err: unix.EINVAL},
			"tun: open eth0: invalid argument (an interface with this name exists and is not a tun device, or the name is not valid)"},
		{&Error{Kind: TAP, Name: "", Err: unix.EBUSY},
			`tap: open "": device or resource busy (the device is already open, probably by another process)`},
		{&Error{Kind: TAP, Name: "x", Err: errNameTooLong},
			"tap: open x: interface name longer than 15 bytes"},
		{&Error{Kind: TAP, Name: "tap0", Err: unix.EMFILE},
			"tap: open tap0: too many open files"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestErrorUnwraps(t *testing.T) {
	var err error = &Error{Kind: TAP, Name: "tap0", Err: unix.EPERM}
	if !errors.Is(err, os.ErrPermission) || !errors.Is(err, unix.EPERM) {
		t.Errorf("%v does not match os.ErrPermission and EPERM", err)
	}
}

func TestOpenRejectsBadArguments(t *testing.T) {
	if _, err := Open(TAP, "sixteen-bytes-xx"); err == nil || !errors.Is(err, errNameTooLong) {
		t.Errorf("Open with a 16-byte name: %v", err)
	}
	if _, err := Open(Kind(9), "x"); err == nil {
		t.Errorf("Open with an unknown kind succeeded")
	}
}
