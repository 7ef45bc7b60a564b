package schedule

import (
	"errors"
	"testing"
	"time"
)

// corpusCase is one wall time in one zone with exactly what each policy
// gives. For a gap or overlap, before/after are the offsets in seconds on
// either side and transition is the instant of the change.
type corpusCase struct {
	name       string
	zone       string
	wall       Wall
	kind       shiftKind // noShift: the wall time exists once
	before     int       // offset seconds before the transition
	after      int       // offset seconds after
	transition time.Time
	earlier    time.Time // instant under Earlier (and the only instant for noShift)
	later      time.Time // instant under Later
}

const hr = 3600

var corpus = []corpusCase{
	{name: "Apia skipped 2011-12-30", zone: "Pacific/Apia", wall: Wall{2011, 12, 30, 12, 0, 0, 0},
		kind: gapShift, before: -10 * hr, after: 14 * hr, transition: utc(2011, 12, 30, 10, 0, 0),
		earlier: utc(2011, 12, 29, 22, 0, 0) /* 2011-12-29 12:00 −10 */, later: utc(2011, 12, 30, 22, 0, 0) /* 2011-12-31 12:00 +14 */},
	{name: "Apia whole day missing at its midnight", zone: "Pacific/Apia", wall: Wall{2011, 12, 30, 0, 0, 0, 0},
		kind: gapShift, before: -10 * hr, after: 14 * hr, transition: utc(2011, 12, 30, 10, 0, 0),
		earlier: utc(2011, 12, 29, 10, 0, 0), later: utc(2011, 12, 30, 10, 0, 0)},
	{name: "Lord Howe 30-minute gap", zone: "Australia/Lord_Howe", wall: Wall{2024, 10, 6, 2, 15, 0, 0},
		kind: gapShift, before: 10*hr + 1800, after: 11 * hr, transition: utc(2024, 10, 5, 15, 30, 0),
		earlier: utc(2024, 10, 5, 15, 15, 0) /* 01:45 +10:30 */, later: utc(2024, 10, 5, 15, 45, 0) /* 02:45 +11 */},
	{name: "Lord Howe 30-minute overlap", zone: "Australia/Lord_Howe", wall: Wall{2024, 4, 7, 1, 45, 0, 0},
		kind: overlapShift, before: 11 * hr, after: 10*hr + 1800, transition: utc(2024, 4, 6, 15, 0, 0),
		earlier: utc(2024, 4, 6, 14, 45, 0), later: utc(2024, 4, 6, 15, 15, 0)},
	{name: "Dublin gap (winter is tzdata's DST)", zone: "Europe/Dublin", wall: Wall{2024, 3, 31, 1, 30, 0, 0},
		kind: gapShift, before: 0, after: hr, transition: utc(2024, 3, 31, 1, 0, 0),
		earlier: utc(2024, 3, 31, 0, 30, 0), later: utc(2024, 3, 31, 1, 30, 0)},
	{name: "Casablanca Ramadan suspension overlap", zone: "Africa/Casablanca", wall: Wall{2024, 3, 10, 2, 30, 0, 0},
		kind: overlapShift, before: hr, after: 0, transition: utc(2024, 3, 10, 2, 0, 0),
		earlier: utc(2024, 3, 10, 1, 30, 0), later: utc(2024, 3, 10, 2, 30, 0)},
	{name: "Casablanca Ramadan end gap", zone: "Africa/Casablanca", wall: Wall{2024, 4, 14, 2, 30, 0, 0},
		kind: gapShift, before: 0, after: hr, transition: utc(2024, 4, 14, 2, 0, 0),
		earlier: utc(2024, 4, 14, 1, 30, 0), later: utc(2024, 4, 14, 2, 30, 0)},
	{name: "Troll two-hour gap", zone: "Antarctica/Troll", wall: Wall{2024, 3, 31, 2, 0, 0, 0},
		kind: gapShift, before: 0, after: 2 * hr, transition: utc(2024, 3, 31, 1, 0, 0),
		earlier: utc(2024, 3, 31, 0, 0, 0) /* 00:00 +00 */, later: utc(2024, 3, 31, 2, 0, 0) /* 04:00 +02 */},
	{name: "Troll two-hour overlap", zone: "Antarctica/Troll", wall: Wall{2024, 10, 27, 1, 30, 0, 0},
		kind: overlapShift, before: 2 * hr, after: 0, transition: utc(2024, 10, 27, 1, 0, 0),
		earlier: utc(2024, 10, 26, 23, 30, 0), later: utc(2024, 10, 27, 1, 30, 0)},
	{name: "Sao Paulo midnight gap", zone: "America/Sao_Paulo", wall: Wall{2018, 11, 4, 0, 0, 0, 0},
		kind: gapShift, before: -3 * hr, after: -2 * hr, transition: utc(2018, 11, 4, 3, 0, 0),
		earlier: utc(2018, 11, 4, 2, 0, 0) /* 2018-11-03 23:00 −03 */, later: utc(2018, 11, 4, 3, 0, 0) /* 01:00 −02 */},
	{name: "Sao Paulo overlap before midnight", zone: "America/Sao_Paulo", wall: Wall{2018, 2, 17, 23, 30, 0, 0},
		kind: overlapShift, before: -2 * hr, after: -3 * hr, transition: utc(2018, 2, 18, 2, 0, 0),
		earlier: utc(2018, 2, 18, 1, 30, 0), later: utc(2018, 2, 18, 2, 30, 0)},
	{name: "Sao Paulo after 2019 has no DST", zone: "America/Sao_Paulo", wall: Wall{2026, 11, 1, 0, 0, 0, 0},
		earlier: utc(2026, 11, 1, 3, 0, 0), later: utc(2026, 11, 1, 3, 0, 0)},
	{name: "Kathmandu 15-minute gap to +05:45", zone: "Asia/Kathmandu", wall: Wall{1986, 1, 1, 0, 5, 0, 0},
		kind: gapShift, before: 5*hr + 1800, after: 5*hr + 2700, transition: utc(1985, 12, 31, 18, 30, 0),
		earlier: utc(1985, 12, 31, 18, 20, 0), later: utc(1985, 12, 31, 18, 35, 0)},
	{name: "Kathmandu +05:45 today", zone: "Asia/Kathmandu", wall: Wall{2026, 6, 1, 0, 0, 0, 0},
		earlier: utc(2026, 5, 31, 18, 15, 0), later: utc(2026, 5, 31, 18, 15, 0)},
	{name: "Kiritimati skipped 1994-12-31 to +14", zone: "Pacific/Kiritimati", wall: Wall{1994, 12, 31, 9, 0, 0, 0},
		kind: gapShift, before: -10 * hr, after: 14 * hr, transition: utc(1994, 12, 31, 10, 0, 0),
		earlier: utc(1994, 12, 30, 19, 0, 0), later: utc(1994, 12, 31, 19, 0, 0)},
	{name: "Kiritimati +14 today", zone: "Pacific/Kiritimati", wall: Wall{2026, 1, 1, 0, 0, 0, 0},
		earlier: utc(2025, 12, 31, 10, 0, 0), later: utc(2025, 12, 31, 10, 0, 0)},
	{name: "St Johns −03:30 gap", zone: "America/St_Johns", wall: Wall{2024, 3, 10, 2, 15, 0, 0},
		kind: gapShift, before: -3*hr - 1800, after: -2*hr - 1800, transition: utc(2024, 3, 10, 5, 30, 0),
		earlier: utc(2024, 3, 10, 4, 45, 0), later: utc(2024, 3, 10, 5, 45, 0)},
	{name: "St Johns −03:30 overlap", zone: "America/St_Johns", wall: Wall{2024, 11, 3, 1, 30, 0, 0},
		kind: overlapShift, before: -2*hr - 1800, after: -3*hr - 1800, transition: utc(2024, 11, 3, 4, 30, 0),
		earlier: utc(2024, 11, 3, 4, 0, 0), later: utc(2024, 11, 3, 5, 0, 0)},
	{name: "New York gap (time.Date picks 01:30 EST)", zone: "America/New_York", wall: Wall{2026, 3, 8, 2, 30, 0, 0},
		kind: gapShift, before: -5 * hr, after: -4 * hr, transition: utc(2026, 3, 8, 7, 0, 0),
		earlier: utc(2026, 3, 8, 6, 30, 0), later: utc(2026, 3, 8, 7, 30, 0)},
	{name: "Berlin gap (time.Date picks 03:30 CEST)", zone: "Europe/Berlin", wall: Wall{2026, 3, 29, 2, 30, 0, 0},
		kind: gapShift, before: hr, after: 2 * hr, transition: utc(2026, 3, 29, 1, 0, 0),
		earlier: utc(2026, 3, 29, 0, 30, 0), later: utc(2026, 3, 29, 1, 30, 0)},
	{name: "Berlin overlap", zone: "Europe/Berlin", wall: Wall{2026, 10, 25, 2, 30, 0, 0},
		kind: overlapShift, before: 2 * hr, after: hr, transition: utc(2026, 10, 25, 1, 0, 0),
		earlier: utc(2026, 10, 25, 0, 30, 0), later: utc(2026, 10, 25, 1, 30, 0)},
	{name: "2038 int32 limit in New York (exists once)", zone: "America/New_York", wall: Wall{2038, 1, 18, 22, 14, 7, 0},
		earlier: int32Max, later: int32Max},
}

func TestCorpus(t *testing.T) {
	for _, src := range zoneSources {
		for _, c := range corpus {
			t.Run(src.name+"/"+c.name, func(t *testing.T) {
				loc := src.load(t, c.zone)
				checkCorpusCase(t, loc, c)
			})
		}
	}
}

func checkCorpusCase(t *testing.T, loc *time.Location, c corpusCase) {
	t.Helper()
	want := map[Policy]time.Time{Earlier: c.earlier, Later: c.later, Compatible: c.later}
	if c.kind == overlapShift {
		want[Compatible] = c.earlier
	}
	for p, w := range want {
		got, err := Resolve(c.wall, loc, p)
		if err != nil {
			t.Fatalf("Resolve(%s, %s): %v", c.wall, p, err)
		}
		if !got.Equal(w) || got.Location() != loc {
			t.Errorf("Resolve(%s, %s) = %s, want %s in %s", c.wall, p, got, w.In(loc), loc)
		}
	}
	_, err := Resolve(c.wall, loc, Reject)
	if c.kind == noShift {
		if err != nil {
			t.Fatalf("Reject: %v", err)
		}
		return
	}
	var lerr *LocalTimeError
	if !errors.As(err, &lerr) {
		t.Fatalf("Reject: %v, want *LocalTimeError", err)
	}
	wantErr := map[shiftKind]error{gapShift: ErrGap, overlapShift: ErrOverlap}[c.kind]
	if !errors.Is(err, wantErr) || lerr.kind != c.kind {
		t.Errorf("Reject: kind %s (%v), want %s", lerr.kind, err, c.kind)
	}
	if lerr.Zone != c.zone || lerr.Wall != c.wall || lerr.Before != c.before ||
		lerr.After != c.after || !lerr.Transition.Equal(c.transition) {
		t.Errorf("Reject: %+v\nwant zone %s wall %s offsets %d→%d at %s", lerr, c.zone, c.wall, c.before, c.after, c.transition)
	}
	if !lerr.Earlier.Equal(c.earlier) || !lerr.Later.Equal(c.later) {
		t.Errorf("Reject: candidates %s, %s; want %s, %s", lerr.Earlier, lerr.Later, c.earlier, c.later)
	}
}

// TestCorpusFacts pins the zone facts the corpus relies on.
func TestCorpusFacts(t *testing.T) {
	jan := func(z string) zoneState { return offsetOf(utc(2026, 1, 15, 12, 0, 0).In(mustZone(t, z))) }
	jul := func(z string) zoneState { return offsetOf(utc(2026, 7, 15, 12, 0, 0).In(mustZone(t, z))) }
	for _, c := range []struct {
		got  zoneState
		want zoneState
	}{
		{jan("Europe/Dublin"), zoneState{"GMT", 0, true}}, // negative DST: winter is "DST"
		{jul("Europe/Dublin"), zoneState{"IST", hr, false}},
		{jan("Asia/Kathmandu"), zoneState{"+0545", 5*hr + 2700, false}},
		{jan("Pacific/Kiritimati"), zoneState{"+14", 14 * hr, false}},
		{jan("America/St_Johns"), zoneState{"NST", -3*hr - 1800, false}},
		{jul("Antarctica/Troll"), zoneState{"+02", 2 * hr, true}},
		{jan("Etc/GMT+5"), zoneState{"-05", -5 * hr, false}}, // POSIX sign inversion
	} {
		if c.got != c.want {
			t.Errorf("got %v, want %v", c.got, c.want)
		}
	}
	if s := (zoneState{"+0545", 5*hr + 2700, false}).String(); s != "+05:45 (+0545)" {
		t.Errorf("zoneState.String = %q", s)
	}
	// Apia: no local date 2011-12-30, so the day after 29 December starts
	// at the transition, which shows 2011-12-31 00:00.
	apia := mustZone(t, "Pacific/Apia")
	ins, err := classified(apia, utc(2011, 12, 29, 0, 0, 0), utc(2011, 12, 31, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var missing []time.Time
	for _, in := range ins {
		if in.Class == missingMidnight {
			missing = append(missing, in.At)
		}
		if wallOf(in.At).date() == (Wall{2011, 12, 30, 0, 0, 0, 0}) {
			t.Errorf("Apia instant %s shows 2011-12-30, a date that did not exist", in.At)
		}
	}
	if len(missing) != 1 || !missing[0].Equal(utc(2011, 12, 30, 10, 0, 0)) || wallOf(missing[0]) != (Wall{2011, 12, 31, 0, 0, 0, 0}) {
		t.Errorf("Apia missing midnights %v, want one at 2011-12-30T10:00Z (2011-12-31 00:00 +14)", missing)
	}
}
