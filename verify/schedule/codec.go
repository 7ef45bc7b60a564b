package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Event is a scheduled event as a storage layer sees it.
type Event struct {
	// At is when the event happens, in the event's zone.
	At time.Time
	// Zone is the IANA name of the zone the event was scheduled in.
	Zone string
	// Created is when the event was scheduled (the sweep's "now"). Codecs
	// that store times relative to it need it; Sweep does not compare it.
	Created time.Time
}

// Codec is what a storage layer does to an event: Encode turns it into a
// stored form R (bytes, a row struct, a map), Decode reads it back. Sweep
// calls both from several goroutines at once.
type Codec[R any] interface {
	Encode(Event) (R, error)
	Decode(R) (Event, error)
}

// codecFuncs adapts a pair of functions to a Codec.
type codecFuncs[R any] struct {
	EncodeFunc func(Event) (R, error)
	DecodeFunc func(R) (Event, error)
}

func (c codecFuncs[R]) Encode(ev Event) (R, error) { return c.EncodeFunc(ev) }
func (c codecFuncs[R]) Decode(r R) (Event, error)  { return c.DecodeFunc(r) }

// RFC9557 returns a correct text codec: the instant as RFC 3339 with the offset
// in effect, followed by the zone name in brackets, as RFC 9557 (and TC39
// Temporal) write it: 2026-03-29T03:30:00+02:00[Europe/Berlin]. An offset
// with seconds, which RFC 3339 cannot write (Africa/Monrovia's −00:44:30
// until 1972), is written as UTC ("Z") instead. Decode checks that a
// numeric offset agrees with the zone's rules at that instant.
// Years must lie in 0000–9999. It is safe for concurrent use.
func RFC9557() Codec[[]byte] { return rfc9557{} }

type rfc9557 struct{}

// Encode writes ev as RFC 3339 plus [zone].
func (c rfc9557) Encode(ev Event) ([]byte, error) {
	t := ev.At
	if t.Location().String() != ev.Zone || ev.Zone == "" || ev.Zone == "Local" {
		loc, err := c.zone(ev.Zone)
		if err != nil {
			return nil, err
		}
		t = t.In(loc)
	}
	// One zone lookup: format the wall time as UTC (no lookup) and append
	// the offset ourselves. For instants past a zone's last transition,
	// each lookup evaluates the zone's rule, and a sweep makes millions.
	_, off := t.Zone()
	if off%60 != 0 {
		// RFC 3339 offsets have no seconds (Africa/Monrovia was −00:44:30
		// until 1972): write UTC, which RFC 9557 allows with a zone.
		off = 0
	}
	b := make([]byte, 0, 64)
	b = t.Add(time.Duration(off)*time.Second).UTC().AppendFormat(b, time.RFC3339Nano) // RFC 3339 has a fast path
	b = b[:len(b)-1]                                                                  // its "Z"
	if len(b) < 5 || b[0] == '-' || b[4] != '-' {
		return nil, fmt.Errorf("%w: %s: year outside 0000–9999 for RFC 3339", ErrOutOfRange, b)
	}
	b = appendOffset(b, off)
	b = append(b, '[')
	b = append(b, ev.Zone...)
	return append(b, ']'), nil
}

// Decode parses the form Encode writes. Created is left zero.
func (c rfc9557) Decode(b []byte) (Event, error) {
	s := string(b)
	i := strings.IndexByte(s, '[')
	if i < 0 || !strings.HasSuffix(s, "]") {
		return Event{}, fmt.Errorf("%w: %.40q has no [zone] suffix", ErrBadInput, s)
	}
	name := s[i+1 : len(s)-1]
	loc, err := c.zone(name)
	if err != nil {
		return Event{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, s[:i])
	if err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	_, want := t.Zone()
	t = t.In(loc)
	if _, got := t.Zone(); got != want && !strings.HasSuffix(s[:i], "Z") {
		return Event{}, fmt.Errorf("%w: %w: %s does not match %s, whose offset then is %s",
			ErrBadInput, ErrOffset, s[:i], name, offsetOf(t))
	}
	return Event{At: t, Zone: name}, nil
}

func (rfc9557) zone(name string) (*time.Location, error) {
	if strings.ContainsAny(name, "[]") {
		return nil, fmt.Errorf("%w: %q", ErrUnknownZone, name)
	}
	return LoadZone(name)
}

// appendOffset appends an RFC 3339 offset of whole minutes: Z or ±hh:mm.
func appendOffset(b []byte, off int) []byte {
	if off == 0 {
		return append(b, 'Z')
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	h, m := off/3600, off/60%60
	return append(b, sign, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10))
}
