// Package journalfile is the one codec of rollout's file journal: a header,
// then checksummed frames, one record each. rollout writes and repairs the
// file (FileJournal); the deploysafe command reads it without writing
// (rollout status --journal).
package journalfile

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/deploysafe/deploysafe/internal/ctxio"
)

// The file journal is a header followed by frames:
//
//	[4-byte big-endian payload length][4-byte CRC-32C of payload][payload]
//
// A payload is one encoded record. A crash can only leave a torn last frame,
// which the decoder drops; any other damage is reported as corruption.
const (
	Header      = "deploysafe-rollout-journal v1\n" // the file's first bytes
	FrameHeader = 8                                 // bytes before each payload
	maxPayload  = 1 << 28                           // a census of a large fleet is one record
)

var (
	crcTable = crc32.MakeTable(crc32.Castagnoli)
	// ErrCorrupt marks journal damage that a crash cannot explain.
	ErrCorrupt = errors.New("rollout: journal corrupt")
)

// Append appends payload as one frame to dst.
func Append(dst, payload []byte) ([]byte, error) {
	if len(payload) == 0 {
		// Its frame would be 8 zero bytes (the CRC of nothing is 0), which
		// Decode reads as the zero-filled tail of a crash.
		return dst, errors.New("rollout: empty journal record")
	}
	if len(payload) > maxPayload {
		return dst, fmt.Errorf("rollout: journal record of %d bytes exceeds %d", len(payload), maxPayload)
	}
	var h [FrameHeader]byte
	binary.BigEndian.PutUint32(h[:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(h[4:], crc32.Checksum(payload, crcTable))
	dst = append(dst, h[:]...)
	return append(dst, payload...), nil
}

// Decode returns the payloads of data and the length of its valid
// prefix. A torn last frame is not an error: valid stops before it.
func Decode(data []byte) (payloads [][]byte, valid int, err error) {
	if len(data) < len(Header) || string(data[:len(Header)]) != Header {
		return nil, 0, fmt.Errorf("%w: missing header %q", ErrCorrupt, Header[:len(Header)-1])
	}
	off := len(Header)
	for off < len(data) {
		rest := data[off:]
		if allZero(rest) {
			return payloads, off, nil // a crash may leave a zero-filled tail
		}
		if len(rest) < FrameHeader {
			return payloads, off, nil // torn frame header
		}
		n := int(binary.BigEndian.Uint32(rest[:4]))
		sum := binary.BigEndian.Uint32(rest[4:8])
		if len(rest) < FrameHeader+n {
			return payloads, off, nil // torn payload
		}
		if n > maxPayload {
			return nil, 0, fmt.Errorf("%w: frame at offset %d claims %d bytes", ErrCorrupt, off, n)
		}
		payload := rest[FrameHeader : FrameHeader+n]
		if crc32.Checksum(payload, crcTable) != sum {
			if allZero(rest[FrameHeader+n:]) { // nothing real follows: a torn last frame
				return payloads, off, nil
			}
			return nil, 0, fmt.Errorf("%w: checksum mismatch in frame at offset %d", ErrCorrupt, off)
		}
		payloads = append(payloads, payload)
		off += FrameHeader + n
	}
	return payloads, off, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Read returns the records of the journal file at path without writing
// it: a missing file is an error (not created), a torn last frame is
// skipped (not repaired), other damage is ErrCorrupt.
func Read(ctx context.Context, path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(ctxio.Reader(ctx, f))
	if err != nil {
		return nil, err
	}
	recs, _, err := Decode(data)
	return recs, err
}
