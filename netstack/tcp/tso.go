package tcp

// TCP segmentation offload: when the caller's buffer holds more than one
// segment, new data that the windows allow goes out as one large segment
// for the link to cut at the MSS, as Linux's TSO does. Only new data in a
// full first segment is batched; retransmissions, probes and the partial
// segments Nagle and silly-window avoidance judge stay single segments.

// tsoBurst extends a full first segment of maxSeg bytes to as many
// segments as the data queued (avail), the windows (usable) and the
// caller's buffer (bufLen) allow, and says whether the FIN goes with
// them. A final partial segment joins only when it is the last of the
// data and would go alone: the FIN rides on it, or NoDelay and not corked
// (cork.go).
func (c *Conn) tsoBurst(first, maxSeg, avail, usable, bufLen int, finToSend bool) (n int, fin bool) {
	room := min(avail, usable, bufLen)
	if room < 2*maxSeg {
		return first, finToSend && first == avail && usable > first
	}
	n = room / maxSeg * maxSeg
	if tail := room - n; tail > 0 && n+tail == avail {
		last := finToSend && usable > avail
		corked := c.corked && !c.corkFlush
		if last || (!c.cfg.Nagle && !corked) {
			n += tail
			c.corkFlush = false // the partial segment it allowed is out
		}
	}
	return n, finToSend && n == avail && usable > n
}
