// Package relay joins two link.Endpoints through an impaired link/pipe, so
// that real devices (tap, TUN) or in-memory links see the delay, loss,
// reordering, duplication and rate limit of a wide-area path:
//
//	endpoint a ──► pipe end x ══ impairments ══► pipe end y ──► endpoint b
//	endpoint a ◄── pipe end x ◄══ impairments ══ pipe end y ◄── endpoint b
//
// The impairments are link/pipe's own, configured by a pipe.Config and
// applied to each direction independently (so Loss 0.01 drops 1% of data
// segments and, separately, 1% of ACKs). The relay itself only copies.
//
// Uses: "kernel ↔ tap ↔ relay ↔ clean pipe ↔ renet stack" puts a stack under
// test behind a path; "kernel ns1 ↔ tap1 ↔ relay ↔ tap2 ↔ kernel ns2" sends
// Linux to Linux through the very same code, as a reference.
//
// # Goroutines and ownership
//
// New starts four goroutines, one per hop (a→x, y→b, b→y, x→a). Each reads
// a batch with ReadBatch into buffers allocated once by New and writes it
// on with WriteBatch, so nothing is allocated per frame. The relay owns a
// and b: Close closes them and the pipe, which makes every pending
// ReadBatch return, and waits for the four goroutines to end.
//
// A frame that the next endpoint refuses (WriteBatch fails) is dropped and
// counted; the relay keeps going, as a switch port would. Only a read
// error ends a goroutine, and after Close every read fails.
//
// Package pathtest, below this one, builds the kernel topologies around a
// relay and runs verified transfers across them; the kernel tests here and
// the bench program bench/cmd/paths share it.
package relay
