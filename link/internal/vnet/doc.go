// Package vnet encodes and decodes the virtio-net header that Linux puts in
// front of every packet on a tap or TUN descriptor opened with
// IFF_VNET_HDR, and translates it to and from link.PacketInfo.
//
// The header is the 10-byte struct virtio_net_hdr of
// include/uapi/linux/virtio_net.h, little-endian (the devices are switched
// to little-endian with TUNSETVNETLE, so the layout does not depend on the
// host):
//
//	 0      1         2        4         6           8            10
//	+-------+---------+--------+---------+-----------+------------+
//	| flags | gsoType | hdrLen | gsoSize | csumStart | csumOffset |
//	+-------+---------+--------+---------+-----------+------------+
//
// The 12-byte variant (num_buffers, for mergeable receive buffers) adds
// nothing a tap reader needs, so devices use Len bytes.
//
// What the kernel hands up is not trusted: Info checks every offset against
// the packet actually read and drops, and reports, whatever does not fit.
// No input makes anything here panic (FuzzInfo).
package vnet
