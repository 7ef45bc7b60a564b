package schedule

import (
	"errors"
	"testing"
	"time"
)

// referenceTransitions finds transitions by probing every three hours and
// bisecting: slow, but independent of ZoneBounds.
func referenceTransitions(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	prev := offsetOf(from.In(loc))
	for t := from.Add(3 * time.Hour); ; t = t.Add(3 * time.Hour) {
		if t.After(to) {
			t = to
		}
		if cur := offsetOf(t.In(loc)); cur != prev {
			c := bisect(t.Add(-3*time.Hour).In(loc), t.In(loc), prev)
			if c.Before(to) {
				out = append(out, c)
			}
			prev = offsetOf(c)
			t = c
		}
		if !t.Before(to) {
			return out
		}
	}
}

// TestTransitionsDecember31 covers golang/go#81583: with Go's zoneinfo.zip,
// ZoneBounds on 31 December of leap years returns an end before the instant
// asked about (and with system tzdata beyond its explicit table, e.g. 2040).
// A walk across those days must finish and must find exactly the real
// transitions, on both sources.
func TestTransitionsDecember31(t *testing.T) {
	zones := []string{"America/New_York", "Europe/Berlin", "Europe/Dublin", "Australia/Lord_Howe",
		"America/Santiago", "Pacific/Auckland", "Asia/Tehran", "Africa/Casablanca", "UTC"}
	for _, src := range zoneSources {
		t.Run(src.name, func(t *testing.T) {
			for _, z := range zones {
				loc := src.load(t, z)
				from, to := utc(2019, 1, 1, 0, 0, 0), utc(2045, 1, 1, 0, 0, 0)
				got, err := transitions(loc, from, to)
				if err != nil {
					t.Fatal(err)
				}
				want := referenceTransitions(loc, from, to)
				if len(got) != len(want) {
					t.Fatalf("%s %s: %d transitions, reference finds %d", src.name, z, len(got), len(want))
				}
				for i := range got {
					if !got[i].At.Equal(want[i]) {
						t.Fatalf("%s %s: transition %d at %s, reference %s", src.name, z, i, got[i].At, want[i])
					}
					if got[i].Before == got[i].After {
						t.Errorf("%s %s: %s is not a change", src.name, z, got[i])
					}
				}
				// Walking from each 31 December itself must make progress.
				for y := 2019; y <= 2044; y++ {
					dec31 := time.Date(y, 12, 31, 12, 0, 0, 0, time.UTC)
					trs, err := transitions(loc, dec31, dec31.AddDate(0, 4, 0))
					if err != nil {
						t.Fatal(err)
					}
					for _, tr := range trs {
						if !tr.At.After(dec31) {
							t.Errorf("%s %s: transition %s not after %s", src.name, z, tr.At, dec31)
						}
					}
				}
			}
		})
	}
}

// TestTransitionsAfterBuggyBound starts a walk exactly where
// golang/go#81583 strikes (2024-12-31 with Go's zoneinfo.zip, where
// ZoneBounds returns an end before the instant) and must still find the
// next real transition, 2025-03-09T07:00:00Z.
func TestTransitionsAfterBuggyBound(t *testing.T) {
	for _, src := range zoneSources {
		loc := src.load(t, "America/New_York")
		at := time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC).In(loc)
		if _, end := at.ZoneBounds(); !end.After(at) {
			t.Logf("%s: ZoneBounds(%s) ends at %s, before the instant (golang/go#81583)", src.name, at, end)
		}
		trs, err := transitions(loc, at, at.AddDate(0, 6, 0))
		if err != nil {
			t.Fatal(err)
		}
		if len(trs) != 1 || !trs[0].At.Equal(utc(2025, 3, 9, 7, 0, 0)) || trs[0].kind() != gapShift {
			t.Fatalf("%s: after 2024-12-31: %v, want one gap at 2025-03-09T07:00:00Z", src.name, trs)
		}
		if c, ok := nextChange(at, at.AddDate(1, 0, 0)); !ok || !c.Equal(trs[0].At) {
			t.Fatalf("%s: nextChange = %s, %v", src.name, c, ok)
		}
	}
}

// TestTransitionsAllZonesBothSources walks every zone 1970–2040 on both
// tzdata sources; each walk must end, move strictly forward and agree
// between sources where both hold the zone.
func TestTransitionsAllZonesBothSources(t *testing.T) {
	names, err := ZoneNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 400 {
		t.Fatalf("Zones() = %d names, want the full list", len(names))
	}
	loadGoZip()
	from, to := defaultWindow()
	total := 0
	for _, name := range names {
		sys := mustZone(t, name)
		a, err := transitions(sys, from, to)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(a); i++ {
			if !a[i].At.After(a[i-1].At) {
				t.Fatalf("%s: transitions out of order at %s", name, a[i].At)
			}
		}
		total += len(a)
		if _, ok := goZipData[name]; !ok {
			continue
		}
		b, err := transitions(zipZone(t, name), from, to)
		if err != nil {
			t.Fatal(err)
		}
		// The two databases may be of different releases (2024b changed
		// EET, WET and Tijuana before 1980); they must agree on 2000–2022.
		if d := firstDiff(since(a, utc(2000, 1, 1, 0, 0, 0)), since(b, utc(2000, 1, 1, 0, 0, 0)), utc(2023, 1, 1, 0, 0, 0)); d != "" {
			t.Errorf("%s: system and zoneinfo.zip differ: %s", name, d)
		}
	}
	if total < 20000 {
		t.Errorf("%d transitions in all zones 1970–2040, want about 31,000", total)
	}
}

func since(trs []change, t time.Time) []change {
	for i, tr := range trs {
		if !tr.At.Before(t) {
			return trs[i:]
		}
	}
	return nil
}

func firstDiff(a, b []change, until time.Time) string {
	for i := 0; ; i++ {
		ea := i >= len(a) || !a[i].At.Before(until)
		eb := i >= len(b) || !b[i].At.Before(until)
		switch {
		case ea && eb:
			return ""
		case ea || eb || !a[i].At.Equal(b[i].At) || a[i].After.Seconds != b[i].After.Seconds:
			if ea || eb {
				return "different counts"
			}
			return a[i].String() + " vs " + b[i].String()
		}
	}
}

func TestTransitionsBadInput(t *testing.T) {
	now := utc(2026, 1, 1, 0, 0, 0)
	if _, err := transitions(nil, now, now.Add(time.Hour)); !errors.Is(err, ErrBadInput) {
		t.Errorf("nil location: %v", err)
	}
	if _, err := transitions(time.UTC, now, now); !errors.Is(err, ErrBadInput) {
		t.Errorf("empty window: %v", err)
	}
	if _, err := classified(time.UTC, now, now.Add(-time.Hour)); !errors.Is(err, ErrBadInput) {
		t.Errorf("reversed window: %v", err)
	}
	if trs, err := transitions(time.UTC, win0, win1); err != nil || len(trs) != 0 {
		t.Errorf("UTC: %v, %v; want none", trs, err)
	}
	if trs, err := transitions(mustZone(t, "Etc/GMT+5"), win0, win1); err != nil || len(trs) != 0 {
		t.Errorf("Etc/GMT+5: %v, %v; want none", trs, err)
	}
}

// TestMissingMidnightsAllZones finds every gap that swallows a local
// midnight in all zones 1970–2040 (about two thousand) and checks that
// Resolve gives the first instant of that date (the next date when the
// whole day was skipped), where time.Date often returns the day before.
func TestMissingMidnightsAllZones(t *testing.T) {
	names, err := ZoneNames()
	if err != nil {
		t.Fatal(err)
	}
	missing, dateGoesBack := 0, 0
	for _, name := range names {
		loc := mustZone(t, name)
		trs, err := transitions(loc, win0, win1)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trs {
			if tr.kind() != gapShift {
				continue
			}
			first := wallOf(tr.At.In(time.FixedZone("", tr.Before.Seconds))) // first skipped wall time
			end := wallOf(tr.At)                                             // first wall time after the gap
			if first.date() == end.date() && first != first.date() {
				continue // no midnight inside the gap
			}
			midnight := end.date()
			if first == first.date() {
				midnight = first
			}
			missing++
			got, err := Resolve(midnight, loc, Compatible)
			if err != nil {
				t.Fatal(err)
			}
			sameDate := wallOf(got).date() == midnight.date() || tr.shift() >= 24*time.Hour // a skipped day
			if !sameDate || !got.Equal(tr.At) {
				t.Errorf("%s: %s resolves to %s, want the transition %s", name, midnight, got, tr.At)
			}
			if d := time.Date(midnight.Year, midnight.Month, midnight.Day, 0, 0, 0, 0, loc); d.Day() != midnight.Day {
				dateGoesBack++
			}
		}
	}
	t.Logf("%d missing local midnights; time.Date returns the previous day for %d", missing, dateGoesBack)
	if missing < 1000 || missing > 4000 {
		t.Errorf("%d missing midnights, want about 2,060", missing)
	}
}
