package rollout

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The file journal is a header followed by frames:
//
//	[4-byte big-endian payload length][4-byte CRC-32C of payload][payload]
//
// A payload is one encoded record. A crash can only leave a torn last frame,
// which the decoder drops; any other damage is reported as corruption.
const (
	fileHeader  = "deploysafe-rollout-journal v1\n"
	frameHeader = 8
	maxPayload  = 1 << 28 // a census of a large fleet is one record
)

var (
	crcTable = crc32.MakeTable(crc32.Castagnoli)
	// errCorrupt marks journal damage that a crash cannot explain.
	errCorrupt = errors.New("rollout: journal corrupt")
)

// appendFrame appends payload as one frame to dst.
func appendFrame(dst, payload []byte) ([]byte, error) {
	if len(payload) == 0 {
		// Its frame would be 8 zero bytes (the CRC of nothing is 0), which
		// decodeFrames reads as the zero-filled tail of a crash.
		return dst, errors.New("rollout: empty journal record")
	}
	if len(payload) > maxPayload {
		return dst, fmt.Errorf("rollout: journal record of %d bytes exceeds %d", len(payload), maxPayload)
	}
	var h [frameHeader]byte
	binary.BigEndian.PutUint32(h[:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(h[4:], crc32.Checksum(payload, crcTable))
	dst = append(dst, h[:]...)
	return append(dst, payload...), nil
}

// decodeFrames returns the payloads of data and the length of its valid
// prefix. A torn last frame is not an error: valid stops before it.
func decodeFrames(data []byte) (payloads [][]byte, valid int, err error) {
	if len(data) < len(fileHeader) || string(data[:len(fileHeader)]) != fileHeader {
		return nil, 0, fmt.Errorf("%w: missing header %q", errCorrupt, fileHeader[:len(fileHeader)-1])
	}
	off := len(fileHeader)
	for off < len(data) {
		rest := data[off:]
		if allZero(rest) {
			return payloads, off, nil // a crash may leave a zero-filled tail
		}
		if len(rest) < frameHeader {
			return payloads, off, nil // torn frame header
		}
		n := int(binary.BigEndian.Uint32(rest[:4]))
		sum := binary.BigEndian.Uint32(rest[4:8])
		if len(rest) < frameHeader+n {
			return payloads, off, nil // torn payload
		}
		if n > maxPayload {
			return nil, 0, fmt.Errorf("%w: frame at offset %d claims %d bytes", errCorrupt, off, n)
		}
		payload := rest[frameHeader : frameHeader+n]
		if crc32.Checksum(payload, crcTable) != sum {
			if allZero(rest[frameHeader+n:]) { // nothing real follows: a torn last frame
				return payloads, off, nil
			}
			return nil, 0, fmt.Errorf("%w: checksum mismatch in frame at offset %d", errCorrupt, off)
		}
		payloads = append(payloads, payload)
		off += frameHeader + n
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
