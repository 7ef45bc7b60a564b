package schedule

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// truncating is the correct RFC 9557 codec behind storage that keeps only
// multiples of d (timestamptz: microseconds).
func truncating(d time.Duration) Codec[[]byte] {
	return codecFuncs[[]byte]{
		EncodeFunc: func(ev Event) ([]byte, error) { ev.At = ev.At.Truncate(d); return rfc9557{}.Encode(ev) },
		DecodeFunc: rfc9557{}.Decode,
	}
}

func TestSweepPrecision(t *testing.T) {
	for _, tc := range []struct {
		name   string
		codec  Codec[[]byte]
		opts   []SweepOption
		failed bool
	}{
		{"microsecond codec, nanosecond sweep", truncating(time.Microsecond), nil, true},
		{"microsecond codec, Precision(µs)", truncating(time.Microsecond), []SweepOption{Precision(time.Microsecond)}, false},
		{"microsecond codec, Precision(ns)", truncating(time.Microsecond), []SweepOption{Precision(time.Nanosecond)}, true},
		{"second codec, Precision(µs)", truncating(time.Second), []SweepOption{Precision(time.Microsecond)}, true},
		{"second codec, Precision(s)", truncating(time.Second), []SweepOption{Precision(time.Second)}, false},
		{"millisecond codec, Precision(µs)", truncating(time.Millisecond), []SweepOption{Precision(time.Microsecond)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := sweepSubset(t, tc.codec, tc.opts...)
			if got := rep.Failed > 0; got != tc.failed {
				t.Errorf("failed %d of %d, want failures: %v\n%v", rep.Failed, rep.Cases, tc.failed, rep.err(3))
			}
		})
	}
}

func TestPrecisionBadInput(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Nanosecond, time.Hour + time.Nanosecond} {
		_, err := Sweep[[]byte](context.Background(), rfc9557{}, Zones("UTC"), Precision(d))
		if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "Precision(") {
			t.Errorf("Precision(%v): %v, want bad input naming Precision", d, err)
		}
	}
	for _, d := range []time.Duration{time.Nanosecond, time.Hour} {
		if _, err := Sweep[[]byte](context.Background(), rfc9557{}, Zones("UTC"), Precision(d), Horizons(hAfter(0))); err != nil {
			t.Errorf("Precision(%v): %v", d, err)
		}
	}
}
