package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// maxRecord bounds the buffer a record may make the Reader allocate,
// whatever the file claims.
const maxRecord = 1 << 24

// Reader reads the records of a pcap file in order.
type Reader struct {
	r        io.Reader
	order    binary.ByteOrder
	nano     bool // fractions are nanoseconds, not microseconds
	snapLen  uint32
	linkType uint32
	hdr      [recordHeaderLen]byte
	buf      []byte
}

// NewReader reads the file header from r and returns a Reader for the
// records that follow. It accepts either byte order and both microsecond
// and nanosecond timestamps.
func NewReader(r io.Reader) (*Reader, error) {
	var h [fileHeaderLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: short file header", ErrFormat)
		}
		return nil, err
	}
	rd := &Reader{r: r}
	switch magic := binary.LittleEndian.Uint32(h[:]); magic {
	case magicMicro, magicNano:
		rd.order = binary.LittleEndian
		rd.nano = magic == magicNano
	default:
		switch binary.BigEndian.Uint32(h[:]) {
		case magicMicro:
			rd.order = binary.BigEndian
		case magicNano:
			rd.order = binary.BigEndian
			rd.nano = true
		default:
			return nil, fmt.Errorf("%w: bad magic %#08x", ErrFormat, magic)
		}
	}
	if major := rd.order.Uint16(h[4:]); major != versionMajor {
		return nil, fmt.Errorf("%w: version %d", ErrFormat, major)
	}
	rd.snapLen = rd.order.Uint32(h[16:])
	rd.linkType = rd.order.Uint32(h[20:])
	return rd, nil
}

// LinkType returns the file's link type, such as LinkTypeEthernet.
func (r *Reader) LinkType() uint32 { return r.linkType }

// SnapLen returns the snapshot length the file header declares.
func (r *Reader) SnapLen() uint32 { return r.snapLen }

// Next returns the captured bytes and timestamp of the next record. The
// data is valid until the next call to Next. At the end of the file it
// returns io.EOF; a record cut short gives io.ErrUnexpectedEOF, and one
// longer than the larger of the file's snapshot length and SnapLen gives
// an error wrapping ErrFormat.
func (r *Reader) Next() (data []byte, ts time.Time, err error) {
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		return nil, time.Time{}, err
	}
	sec := r.order.Uint32(r.hdr[0:])
	frac := r.order.Uint32(r.hdr[4:])
	incl := r.order.Uint32(r.hdr[8:])
	if limit := min(max(r.snapLen, SnapLen), maxRecord); incl > limit {
		return nil, time.Time{}, fmt.Errorf("%w: record of %d bytes exceeds %d", ErrFormat, incl, limit)
	}
	if uint32(cap(r.buf)) < incl {
		r.buf = make([]byte, incl)
	}
	data = r.buf[:incl]
	if _, err := io.ReadFull(r.r, data); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, time.Time{}, err
	}
	nsec := int64(frac)
	if !r.nano {
		nsec *= 1000
	}
	return data, time.Unix(int64(sec), nsec), nil
}
