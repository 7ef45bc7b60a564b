package schedule

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSweepFull is the default sweep: all zones × all their nows
// 1970–2040 × the 17 default horizons, through the correct RFC9557 codec,
// on all cores. "old" is the same sweep with the generator of nows before
// issue 15 (no calendar or sub-second nows); the two alternate, run with
// -count to compare them side by side.
func BenchmarkSweepFull(b *testing.B) {
	for _, c := range []struct {
		name string
		gen  func(*time.Location, time.Time, time.Time) []instant
	}{{"new", sweepInstants}, {"old", oldSweepInstants}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			opt := sweepOption(func(cfg *sweepConfig) error { cfg.gen = c.gen; return nil })
			for i := 0; i < b.N; i++ {
				rep, err := Sweep[[]byte](ctx, rfc9557{}, opt)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rep.Cases), "events/op")
				b.ReportMetric(float64(rep.Zones), "zones/op")
			}
		})
	}
}

// BenchmarkSweepQuick is the quick sweep SweepT runs under -short.
func BenchmarkSweepQuick(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		rep, err := Sweep[[]byte](ctx, rfc9557{}, quick())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.Cases), "events/op")
	}
}

// BenchmarkTransitionsAllZones walks every zone's transitions 1970–2040:
// the cost the sweep pays before it encodes anything.
func BenchmarkTransitionsAllZones(b *testing.B) {
	names, err := ZoneNames()
	if err != nil {
		b.Fatal(err)
	}
	locs := make([]*time.Location, len(names))
	for i, n := range names {
		locs[i] = mustZone(b, n)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, loc := range locs {
			trs, _ := transitions(loc, win0, win1)
			n += len(trs)
		}
		b.ReportMetric(float64(n), "transitions/op")
	}
}

// BenchmarkResolve resolves a wall time that exists once (the fast path)
// and one in a gap; BenchmarkTimeDate is the baseline that normalizes
// silently.
func BenchmarkResolve(b *testing.B) {
	loc := mustZone(b, "Europe/Berlin")
	for _, c := range []struct {
		name string
		w    Wall
	}{{"unique", Wall{2026, 6, 1, 9, 0, 0, 0}}, {"gap", Wall{2026, 3, 29, 2, 30, 0, 0}}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Resolve(c.w, loc, Compatible); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTimeDate(b *testing.B) {
	loc := mustZone(b, "Europe/Berlin")
	for i := 0; i < b.N; i++ {
		_ = time.Date(2026, 6, 1, 9, 0, 0, 0, loc)
	}
}

// oldSweepInstants is the generator before issue 15 (kept for the side-by-side
// benchmark); it returns the "now" values Sweep uses for loc: the window
// start (with its UTC and local midnights) and, for every transition in the
// window, the transition ±1s, the UTC midnight before it, and the starts of
// the local days on either side of it.
func oldSweepInstants(loc *time.Location, from, to time.Time) []instant {
	var out []instant
	add := func(t time.Time, c string) {
		if !t.Before(from) && t.Before(to) {
			out = append(out, instant{t.In(loc), c})
		}
	}
	midnights := func(t time.Time) {
		u := t.UTC()
		add(time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC), utcMidnight)
		if s, c, err := dayStart(wallOf(t), loc); err == nil {
			add(s, c)
		}
	}
	add(from, windowStart)
	midnights(from.In(loc))
	walkTransitions(loc, from.Add(-time.Second), to.Add(time.Second), func(tr change) bool {
		add(tr.At.Add(-time.Second), beforeTransition)
		add(tr.At, atTransition)
		add(tr.At.Add(time.Second), afterTransition)
		midnights(tr.At.Add(-time.Second))
		midnights(tr.At)
		return true
	})
	return dedupe(out)
}

// BenchmarkRFC9557RoundTrip is one event through the library's codec, as
// the sweep does it 4 million times.
func BenchmarkRFC9557RoundTrip(b *testing.B) {
	berlin := mustZone(b, "Europe/Berlin")
	ev := Event{At: time.Date(2071, 7, 1, 9, 30, 0, 123456789, berlin), Zone: "Europe/Berlin"}
	c := rfc9557{}
	for i := 0; i < b.N; i++ {
		enc, err := c.Encode(ev)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}
