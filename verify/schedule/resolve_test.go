package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestResolveBadInput(t *testing.T) {
	w := Wall{2026, 3, 29, 2, 30, 0, 0}
	if _, err := Resolve(w, nil, Compatible); !errors.Is(err, ErrBadInput) {
		t.Errorf("nil location: %v", err)
	}
	if _, err := Resolve(w, time.UTC, Policy("sometimes")); !errors.Is(err, ErrBadInput) {
		t.Errorf("bad policy: %v", err)
	}
	for _, bad := range []Wall{{}, {2026, 2, 29, 0, 0, 0, 0}, {2026, 13, 1, 0, 0, 0, 0}, {2026, 1, 1, 24, 0, 0, 0},
		{2026, 1, 1, 0, 60, 0, 0}, {2026, 1, 1, 0, 0, 60, 0}, {2026, 1, 1, 0, 0, 0, 1e9}, {2026, 1, 1, 0, 0, 0, -1}} {
		if _, err := Resolve(bad, time.UTC, Compatible); !errors.Is(err, ErrInvalidWall) {
			t.Errorf("Resolve(%+v): %v", bad, err)
		}
	}
}

func TestLocalTimeErrorMessage(t *testing.T) {
	_, err := Resolve(Wall{2026, 3, 29, 2, 30, 0, 0}, mustZone(t, "Europe/Berlin"), Reject)
	want := "schedule: 2026-03-29T02:30:00 in Europe/Berlin does not exist (gap): offset changes from +01:00 (CET) to +02:00 (CEST, DST) at 2026-03-29T01:00:00Z"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	_, err = Resolve(Wall{2026, 10, 25, 2, 30, 0, 0}, mustZone(t, "Europe/Berlin"), Reject)
	if err == nil || !strings.Contains(err.Error(), "occurs twice (overlap)") {
		t.Errorf("overlap: %v", err)
	}
}

// TestResolveProperties checks, for random wall times in zones with odd
// transitions, that a wall time that resolves uniquely round-trips, that a
// gap moves the wall time by exactly the shift, and that both overlap
// instants show the wall time asked for.
func TestResolveProperties(t *testing.T) {
	zones := []string{"Pacific/Apia", "Australia/Lord_Howe", "Europe/Dublin", "Africa/Casablanca", "Antarctica/Troll",
		"America/Sao_Paulo", "Asia/Kathmandu", "Pacific/Kiritimati", "America/St_Johns", "Europe/Berlin", "America/New_York"}
	locs := map[string]*time.Location{}
	for _, z := range zones {
		locs[z] = mustZone(t, z)
	}
	rapid.Check(t, func(rt *rapid.T) {
		loc := locs[rapid.SampledFrom(zones).Draw(rt, "zone")]
		// Bias towards transition days: pick a transition and an offset from it.
		trs, _ := transitions(loc, win0, win1)
		var w Wall
		if len(trs) > 0 && rapid.Bool().Draw(rt, "near") {
			tr := trs[rapid.IntRange(0, len(trs)-1).Draw(rt, "tr")]
			d := time.Duration(rapid.IntRange(-3*3600, 3*3600).Draw(rt, "d")) * time.Second
			w = wallOf(tr.At.Add(d).In(time.FixedZone("", tr.Before.Seconds)))
		} else {
			w = wallOf(time.Unix(rapid.Int64Range(0, 2208988800).Draw(rt, "unix"), 0).UTC())
		}
		_, err := Resolve(w, loc, Reject)
		var lerr *LocalTimeError
		switch {
		case err == nil:
			for _, p := range []Policy{Compatible, Earlier, Later} {
				got, err := Resolve(w, loc, p)
				if err != nil || wallOf(got) != w {
					rt.Fatalf("%s in %s under %s: %v %v", w, loc, p, got, err)
				}
			}
		case errors.As(err, &lerr) && lerr.kind == gapShift:
			shift := time.Duration(lerr.After-lerr.Before) * time.Second
			if wallOf(lerr.Later) != wallOf(w.naive().Add(shift)) || wallOf(lerr.Earlier) != wallOf(w.naive().Add(-shift)) {
				rt.Fatalf("gap %v: later %s earlier %s", lerr, lerr.Later, lerr.Earlier)
			}
			if !lerr.Earlier.Before(lerr.Transition) || lerr.Later.Before(lerr.Transition) {
				rt.Fatalf("gap %v: candidates not either side of the transition", lerr)
			}
		case errors.As(err, &lerr) && lerr.kind == overlapShift:
			if wallOf(lerr.Earlier) != w || wallOf(lerr.Later) != w || !lerr.Earlier.Before(lerr.Later) {
				rt.Fatalf("overlap %v", lerr)
			}
		default:
			rt.Fatalf("%s in %s: %v", w, loc, err)
		}
	})
}

func TestParseWall(t *testing.T) {
	for in, want := range map[string]Wall{
		"2026-03-29T02:30":           {2026, 3, 29, 2, 30, 0, 0},
		"2026-03-29 02:30:15":        {2026, 3, 29, 2, 30, 15, 0},
		"2026-03-29T02:30:15.000001": {2026, 3, 29, 2, 30, 15, 1000},
	} {
		got, err := ParseWall(in)
		if err != nil || got != want {
			t.Errorf("ParseWall(%q) = %v, %v", in, got, err)
		}
		if back, err := ParseWall(got.String()); err != nil || back != got {
			t.Errorf("String round trip of %v: %v %v", got, back, err)
		}
	}
	for _, bad := range []string{"", "2026-02-30T00:00", "2026-03-29T24:00", "2026-03-29T02:30Z", "2026-03-29T02:30:00+02:00", "tomorrow"} {
		if _, err := ParseWall(bad); !errors.Is(err, ErrInvalidWall) {
			t.Errorf("ParseWall(%q): %v", bad, err)
		}
	}
}

// TestParseWallNamesTheField: an out-of-range field is named, with its
// value and the range it missed, rather than "not YYYY-MM-DD…".
func TestParseWallNamesTheField(t *testing.T) {
	for in, want := range map[string]string{
		"2026-02-30T09:00":     "day 30 of February 2026 (it has 28 days)",
		"2024-02-30T09:00":     "day 30 of February 2024 (it has 29 days)",
		"2026-04-31T09:00":     "day 31 of April 2026 (it has 30 days)",
		"2026-02-00T09:00":     "day 0 of February 2026",
		"2026-13-01T09:00":     "month 13 (months are 1–12)",
		"2026-00-01T09:00":     "month 0 (months are 1–12)",
		"2026-03-29T24:00":     "hour 24 (hours are 0–23)",
		"2026-03-29T02:60":     "minute 60 (minutes are 0–59)",
		"2026-03-29T02:30:60":  "second 60 (seconds are 0–59)",
		"2026-03-29T02:30:15.": "is not YYYY-MM-DDTHH:MM",
		"2026-3-29T02:30":      "is not YYYY-MM-DDTHH:MM",
	} {
		_, err := ParseWall(in)
		if !errors.Is(err, ErrInvalidWall) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseWall(%q) = %v, want %q", in, err, want)
		}
	}
	// The last valid value of each field parses.
	for _, ok := range []string{"2024-02-29T23:59:59.999999999", "2026-12-31T00:00", "0000-01-01T00:00"} {
		if _, err := ParseWall(ok); err != nil {
			t.Errorf("ParseWall(%q): %v", ok, err)
		}
	}
}

func TestInstants(t *testing.T) {
	sp := mustZone(t, "America/Sao_Paulo")
	ins, err := classified(sp, utc(2018, 11, 1, 0, 0, 0), utc(2018, 11, 8, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for i, in := range ins {
		count[in.Class]++
		if i > 0 && !in.At.After(ins[i-1].At) {
			t.Errorf("not sorted at %s", in.At)
		}
	}
	// 7 days: 7 UTC midnights, 6 local midnights + the missing one on 4 November,
	// whose day starts at 01:00 −02 (the transition itself).
	want := map[string]int{utcMidnight: 7, localMidnight: 6, missingMidnight: 1, beforeTransition: 1, afterTransition: 1}
	for c, n := range want {
		if count[c] != n {
			t.Errorf("%s: %d, want %d (all: %v)", c, count[c], n, count)
		}
	}
	for _, in := range ins {
		if in.Class == missingMidnight && (!in.At.Equal(utc(2018, 11, 4, 3, 0, 0)) || wallOf(in.At) != (Wall{2018, 11, 4, 1, 0, 0, 0})) {
			t.Errorf("missing midnight at %s", in.At)
		}
	}
	if s := missingMidnight; s != "missing-midnight" {
		t.Errorf("%q", s)
	}
}
