package rollout

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
)

// The file journal is a header followed by frames:
//
//	[4-byte big-endian payload length][4-byte CRC-32C of payload][JSON Record]
//
// A crash can only leave a torn last frame, which the decoder drops; any other
// damage is reported as corruption.
const (
	journalHeader = "deploysafe-rollout-journal v1\n"
	frameHeader   = 8
	maxPayload    = 1 << 20
)

var (
	crcTable = crc32.MakeTable(crc32.Castagnoli)
	// errCorrupt marks journal damage that a crash cannot explain.
	errCorrupt = errors.New("rollout: journal corrupt")
)

func encodeRecord(dst []byte, r Record) ([]byte, error) {
	payload, err := json.Marshal(r)
	if err != nil {
		return dst, err
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

// decodeJournal returns the records of data and the length of its valid
// prefix. A torn last frame is not an error: valid stops before it.
func decodeJournal(data []byte) (recs []Record, valid int, err error) {
	if len(data) < len(journalHeader) || string(data[:len(journalHeader)]) != journalHeader {
		return nil, 0, fmt.Errorf("%w: missing header %q", errCorrupt, journalHeader[:len(journalHeader)-1])
	}
	off := len(journalHeader)
	for off < len(data) {
		rest := data[off:]
		if allZero(rest) {
			return recs, off, nil // a crash may leave a zero-filled tail
		}
		if len(rest) < frameHeader {
			return recs, off, nil // torn frame header
		}
		n := int(binary.BigEndian.Uint32(rest[:4]))
		sum := binary.BigEndian.Uint32(rest[4:8])
		if len(rest) < frameHeader+n {
			return recs, off, nil // torn payload
		}
		if n > maxPayload {
			return nil, 0, fmt.Errorf("%w: frame at offset %d claims %d bytes", errCorrupt, off, n)
		}
		payload := rest[frameHeader : frameHeader+n]
		last := allZero(rest[frameHeader+n:]) // nothing real follows
		if crc32.Checksum(payload, crcTable) != sum {
			if last {
				return recs, off, nil // torn last frame
			}
			return nil, 0, fmt.Errorf("%w: checksum mismatch in frame at offset %d", errCorrupt, off)
		}
		var r Record
		if err := json.Unmarshal(payload, &r); err != nil {
			return nil, 0, fmt.Errorf("%w: frame at offset %d: %v", errCorrupt, off, err)
		}
		if !knownKinds[r.Kind] {
			return nil, 0, fmt.Errorf("%w: frame at offset %d: unknown record kind %q", errCorrupt, off, r.Kind)
		}
		recs = append(recs, r)
		off += frameHeader + n
	}
	return recs, off, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
