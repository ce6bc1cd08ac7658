package tunfd

// SetOffloadProbe makes OpenWith ask TUNSETOFFLOAD for flags until the
// returned func restores the real ones.
func SetOffloadProbe(flags int) (restore func()) {
	old := offloadProbe
	offloadProbe = flags
	return func() { offloadProbe = old }
}

// Unknown TUNSETOFFLOAD bits, which Linux refuses with EINVAL.
const RefusedOffload = rxGRO | 0x10000
