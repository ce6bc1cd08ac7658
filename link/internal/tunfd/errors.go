package tunfd

import (
	"errors"
	"strconv"

	"golang.org/x/sys/unix"
)

// Error reports a failure to open a tap or TUN device. Its message names
// the kind and the device and, for the failures people meet most, says what
// to do: "tap: open tap0: operation not permitted (need root or
// CAP_NET_ADMIN)". It unwraps to the underlying error, so
// errors.Is(err, os.ErrPermission) and errors.Is(err, unix.EBUSY) work.
type Error struct {
	Kind Kind   // tap or TUN
	Name string // device name asked for
	Path string // file that failed to open, if the failure was opening it
	Err  error
}

// Error formats the message described on the type.
func (e *Error) Error() string {
	name := e.Name
	if name == "" {
		name = strconv.Quote(name)
	}
	s := e.Kind.String() + ": open " + name + ": "
	if e.Path != "" {
		s += e.Path + ": "
	}
	s += e.Err.Error()
	if h := e.hint(); h != "" {
		s += " (" + h + ")"
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// hint says what the common failures mean. The errno meanings come from
// tun_set_iff and tun_attach in drivers/net/tun.c.
func (e *Error) hint() string {
	var errno unix.Errno
	if !errors.As(e.Err, &errno) {
		return ""
	}
	switch errno {
	case unix.EPERM, unix.EACCES:
		return "need root or CAP_NET_ADMIN"
	case unix.ENOENT, unix.ENODEV, unix.ENXIO:
		if e.Path != "" {
			return "no TUN/TAP driver: load it with `modprobe tun`, or give the container the device /dev/net/tun"
		}
	case unix.EBUSY:
		return "the device is already open, probably by another process"
	case unix.EINVAL:
		if e.Path == "" {
			return "an interface with this name exists and is not a " + e.Kind.String() + " device, or the name is not valid"
		}
	}
	return ""
}
