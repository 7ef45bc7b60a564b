package schedule

import (
	"context"
	"errors"
	"flag"
	"math"
	"testing"
	"time"
)

// unixCodec keeps the instant as a count of Unix units (seconds,
// milliseconds) or as float64 seconds, and the zone: each loses part of
// the second, as JSON numbers and many SQL columns do.
type unixCodec struct{ unit string }

type unixRow struct {
	N    int64
	F    float64
	Zone string
}

func (c unixCodec) Encode(ev Event) (unixRow, error) {
	switch c.unit {
	case "s":
		return unixRow{N: ev.At.Unix(), Zone: ev.Zone}, nil
	case "ms":
		return unixRow{N: ev.At.UnixMilli(), Zone: ev.Zone}, nil
	}
	return unixRow{F: float64(ev.At.UnixNano()) / 1e9, Zone: ev.Zone}, nil
}

func (c unixCodec) Decode(r unixRow) (Event, error) {
	loc, err := LoadZone(r.Zone)
	if err != nil {
		return Event{}, err
	}
	var t time.Time
	switch c.unit {
	case "s":
		t = time.Unix(r.N, 0)
	case "ms":
		t = time.UnixMilli(r.N)
	default:
		sec, frac := math.Modf(r.F)
		t = time.Unix(int64(sec), int64(frac*1e9))
	}
	return Event{At: t.In(loc), Zone: r.Zone}, nil
}

// sweepWith sweeps zones with a given generator of nows, accepting
// failures.
func sweepWith[R any](t *testing.T, c Codec[R], gen func(*time.Location, time.Time, time.Time) []instant, zones ...string) *SweepReport {
	t.Helper()
	rep, err := Sweep(context.Background(), c, Zones(zones...),
		sweepOption(func(cfg *sweepConfig) error { cfg.gen = gen; return nil }))
	if err != nil && !errors.Is(err, ErrRoundTrip) {
		t.Fatal(err)
	}
	return rep
}

// TestSweepCatchesSubSecondLossNear: a codec that keeps whole seconds,
// milliseconds or float64 seconds fails at the near horizons (0s, 1s, 1h),
// in every zone, transitions or not; with the generator before issue 15,
// whose nows were whole seconds, it failed at none of them.
func TestSweepCatchesSubSecondLossNear(t *testing.T) {
	zones := []string{"UTC", "Asia/Kolkata", "Europe/Berlin"}
	for _, unit := range []string{"s", "ms", "float64"} {
		rep := sweepWith[unixRow](t, unixCodec{unit}, sweepInstants, zones...)
		byH := rep.byHorizon()
		for _, h := range []string{"0s", "1s", "1h"} {
			if byH[h] == 0 {
				t.Errorf("%s codec: not caught at horizon %s", unit, h)
			}
		}
		byZ := rep.byZone()
		for _, z := range zones {
			if byZ[z] == 0 {
				t.Errorf("%s codec: not caught in %s", unit, z)
			}
		}
		for _, g := range rep.Groups {
			if g.Horizon == "0s" && g.Class != subSecond {
				t.Errorf("%s codec: failed at 0s with a whole-second now: %s", unit, g.smallest())
			}
		}
		old := sweepWith[unixRow](t, unixCodec{unit}, oldSweepInstants, zones...)
		if n := old.byHorizon()["0s"] + old.byHorizon()["1s"] + old.byHorizon()["1h"]; n != 0 {
			t.Errorf("%s codec: the old generator caught it %d times near; the test no longer shows the gap", unit, n)
		}
	}
	// The correct codec keeps every sub-second instant.
	if rep := sweepWith[[]byte](t, rfc9557{}, sweepInstants, zones...); rep.Failed != 0 {
		t.Errorf("RFC 9557: %v", rep.err(3))
	}
}

// utcDateLocalClock is Vero's mistake: the send day is stored as days
// from the UTC date of Created and read back from the date of Created in
// another zone: the event's own (machine == nil) or the server's.
type utcDateLocalClock struct{ machine *time.Location }

type dayRow struct {
	Created     int64
	Days, Clock int64
	Zone        string
}

func (c utcDateLocalClock) Encode(ev Event) (dayRow, error) {
	loc, err := LoadZone(ev.Zone)
	if err != nil {
		return dayRow{}, err
	}
	at := ev.At.In(loc)
	days := civil(at) - civil(ev.Created.UTC())
	clock := at.Sub(time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC).Add(-time.Duration(offsetOf(at).Seconds) * time.Second))
	return dayRow{ev.Created.UnixNano(), int64(days), int64(clock), ev.Zone}, nil
}

func (c utcDateLocalClock) Decode(r dayRow) (Event, error) {
	loc, err := LoadZone(r.Zone)
	if err != nil {
		return Event{}, err
	}
	dz := loc
	if c.machine != nil {
		dz = c.machine
	}
	created := time.Unix(0, r.Created).In(dz)
	d := time.Date(created.Year(), created.Month(), created.Day()+int(r.Days), 0, 0, 0, 0, time.UTC)
	w := wallOf(d.Add(time.Duration(r.Clock)))
	at, err := Resolve(w, loc, Compatible)
	return Event{At: at, Zone: r.Zone}, err
}

func civil(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// TestSweepCatchesUTCDateInZonesWithoutTransitions: Vero's codec is caught
// on many events in Asia/Kolkata (no transition since 1945), and, read on
// a server whose zone is Asia/Kolkata, in UTC too; the generator before
// issue 15 caught it on at most 2 events (2 in Kolkata in the issue's
// report, none of these 34).
func TestSweepCatchesUTCDateInZonesWithoutTransitions(t *testing.T) {
	kolkata := mustZone(t, "Asia/Kolkata")
	rep := sweepWith[dayRow](t, utcDateLocalClock{}, sweepInstants, "Asia/Kolkata", "UTC")
	if n := rep.byZone()["Asia/Kolkata"]; n < 100 {
		t.Errorf("own zone: caught on %d Kolkata events, want ≥ 100", n)
	}
	if n := rep.byZone()["UTC"]; n != 0 {
		t.Errorf("own zone: %d UTC events failed, but in UTC the UTC date is the local date", n)
	}
	server := sweepWith[dayRow](t, utcDateLocalClock{machine: kolkata}, sweepInstants, "Asia/Kolkata", "UTC")
	if n := server.byZone()["UTC"]; n < 100 {
		t.Errorf("server in Kolkata: caught on %d UTC events, want ≥ 100", n)
	}
	if n := server.byZone()["Asia/Kolkata"]; n < 100 {
		t.Errorf("server in Kolkata: caught on %d Kolkata events, want ≥ 100", n)
	}
	old := sweepWith[dayRow](t, utcDateLocalClock{machine: kolkata}, oldSweepInstants, "Asia/Kolkata", "UTC")
	if n := old.byZone()["Asia/Kolkata"] + old.byZone()["UTC"]; n > 2 {
		t.Errorf("old generator caught it on %d events; the test no longer shows the gap", n)
	}
	t.Logf("new: %d Kolkata, %d UTC (server in Kolkata) of %d events; old: %d of %d",
		rep.byZone()["Asia/Kolkata"], server.byZone()["UTC"], rep.Cases, old.Failed, old.Cases)
	// The correct codec passes on the same nows.
	if rep := sweepWith[[]byte](t, rfc9557{}, sweepInstants, "Asia/Kolkata", "UTC"); rep.Failed != 0 {
		t.Errorf("RFC 9557: %v", rep.err(3))
	}
}

// TestSweepInstantsEveryZone: a zone without transitions gets the whole
// calendar set, sub-second nows included, and every set is sorted and
// inside the window.
func TestSweepInstantsEveryZone(t *testing.T) {
	from, to := defaultWindow()
	for _, z := range []string{"UTC", "Asia/Kolkata", "Etc/GMT+5", "Europe/Berlin", "Pacific/Apia"} {
		loc := mustZone(t, z)
		ins := sweepInstants(loc, from, to)
		classes := map[string]int{}
		for i, in := range ins {
			classes[in.Class]++
			if in.At.Before(from) || !in.At.Before(to) || (i > 0 && !ins[i-1].At.Before(in.At)) || in.At.Location() != loc {
				t.Fatalf("%s: instant %d %s out of order, window or zone", z, i, in.At)
			}
		}
		// UTC midnight and its neighbours (in UTC they rank as month and
		// year ends and starts).
		utcClock := map[[3]int]bool{}
		for _, in := range ins {
			h, m, s := in.At.UTC().Clock()
			utcClock[[3]int{h, m, s}] = true
		}
		for _, hms := range [][3]int{{23, 59, 59}, {0, 0, 0}, {0, 0, 1}} {
			if !utcClock[hms] {
				t.Errorf("%s: no instant at %02d:%02d:%02d UTC", z, hms[0], hms[1], hms[2])
			}
		}
		for _, c := range []string{monthEnd, monthStart, yearEnd, yearStart, leapDay, int32Limit, subSecond} {
			if classes[c] == 0 {
				t.Errorf("%s: no %s instant (%v)", z, c, classes)
			}
		}
		if z == "UTC" && classes[subSecond] != 20 {
			t.Errorf("UTC: %d sub-second nows, want 20", classes[subSecond])
		}
		// 29 February 2000 and 2024 start at local midnight here.
		feb := 0
		for _, in := range ins {
			if w := wallOf(in.At); in.Class == leapDay && w.Month == time.February && w.Day == 29 && w.Hour == 0 {
				feb++
			}
		}
		if feb != 2 {
			t.Errorf("%s: %d starts of 29 February, want 2", z, feb)
		}
	}
	// A narrow window keeps only what lies in it.
	ins := sweepInstants(mustZone(t, "UTC"), utc(2037, 12, 31, 0, 0, 0), utc(2038, 1, 20, 0, 0, 0))
	var saw2038 bool
	for _, in := range ins {
		saw2038 = saw2038 || (in.Class == int32Limit && in.At.Equal(int32Max))
		if in.At.Year() == 2024 {
			t.Errorf("2024 instant in a 2037–2038 window: %s", in.At)
		}
	}
	if !saw2038 {
		t.Error("no int32 limit in a window holding it")
	}
}

// TestSweepTShortIsQuick: under go test -short, SweepT sweeps the 16 quick
// zones; named zones still win.
func TestSweepTShortIsQuick(t *testing.T) {
	f := flag.Lookup("test.short")
	saved := f.Value.String()
	defer f.Value.Set(saved)
	if err := f.Value.Set("true"); err != nil {
		t.Fatal(err)
	}
	var ft fakeT
	rep := SweepT[[]byte](&ft, rfc9557{})
	if len(ft.errs) != 0 || rep.Zones != len(quickZones) || len(quickZones) != 16 {
		t.Errorf("quick sweep: %d zones, %v", rep.Zones, ft.errs)
	}
	if rep := SweepT[[]byte](&ft, rfc9557{}, Zones("Europe/Berlin")); rep.Zones != 1 {
		t.Errorf("quick sweep with Zones: %d zones", rep.Zones)
	}
	f.Value.Set("false")
	if testShort() {
		t.Error("testShort with -short=false")
	}
}
