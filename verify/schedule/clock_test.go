package schedule

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestInstantsFindNowDependentBug runs a buggy "is it the same wall time
// 24h from now?" check as of each interesting instant of a DST week in New
// York and finds exactly the instants where adding 24h does not give the
// same wall time: those in the day before the transition.
func TestInstantsFindNowDependentBug(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	from, to := utc(2026, 3, 6, 0, 0, 0), utc(2026, 3, 10, 0, 0, 0)
	sameTimeTomorrow := func(now time.Time) bool {
		now = now.In(ny)
		h1, m1, _ := now.Clock()
		h2, m2, _ := now.Add(24 * time.Hour).Clock()
		return h1 == h2 && m1 == m2
	}
	nows, err := Instants(ny, from, to)
	if err != nil {
		t.Fatal(err)
	}
	tr := utc(2026, 3, 8, 7, 0, 0)
	failed := 0
	for _, now := range nows {
		if now.Location() != ny {
			t.Fatalf("instant %s not in New York", now)
		}
		inDayBefore := !now.Before(tr.Add(-24*time.Hour)) && now.Before(tr)
		if ok := sameTimeTomorrow(now); ok == inDayBefore {
			t.Errorf("as of %s: same time tomorrow = %v", now, ok)
		}
		if !sameTimeTomorrow(now) {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("no failing instant")
	}
	if _, err := Instants(nil, from, to); !errors.Is(err, ErrBadInput) {
		t.Errorf("nil location: %v", err)
	}
	if _, err := Instants(ny, to, from); !errors.Is(err, ErrBadInput) {
		t.Errorf("empty window: %v", err)
	}
}

// TestSynctestClock shows the Validator following a synctest bubble's fake
// clock with no option at all: the bubble starts at 2000-01-01T00:00:00Z
// and time.Sleep jumps to one second before Berlin's 2000-03-26 transition.
func TestSynctestClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if start := time.Now(); !start.Equal(utc(2000, 1, 1, 0, 0, 0)) {
			t.Fatalf("bubble starts at %s", start)
		}
		v, err := NewValidator(Reject, MaxHorizon(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Until(utc(2000, 3, 26, 0, 59, 59))) // 01:59:59 CET, no real wait
		ev, err := v.Validate("Europe/Berlin", Wall{2000, 3, 26, 3, 30, 0, 0})
		if err != nil {
			t.Fatal(err)
		}
		if !ev.Created.Equal(utc(2000, 3, 26, 0, 59, 59)) || ev.At.Sub(ev.Created) != 30*time.Minute+time.Second {
			t.Errorf("as of %s: %+v", ev.Created, ev)
		}
		// 03:59:59 CEST reads two wall-clock hours ahead but is one hour
		// away: the horizon is elapsed time, not wall time.
		if _, err := v.Validate("Europe/Berlin", Wall{2000, 3, 26, 3, 59, 59, 0}); err != nil {
			t.Errorf("03:59:59 CEST, 1h away: %v", err)
		}
		if _, err := v.Validate("Europe/Berlin", Wall{2000, 3, 26, 4, 0, 0, 0}); !errors.Is(err, ErrHorizon) {
			t.Errorf("04:00 CEST, 1h1s away: %v", err)
		}
	})
}

// TestClockOption: a Validator given another clock (a database's, say)
// measures the horizon from it, not from time.Now.
func TestClockOption(t *testing.T) {
	dbNow := utc(2030, 6, 1, 12, 0, 0)
	v, err := NewValidator(Reject, Clock(func() time.Time { return dbNow }), MaxHorizon(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := v.Validate("UTC", Wall{2030, 6, 2, 12, 0, 0, 0})
	if err != nil || !ev.Created.Equal(dbNow) {
		t.Errorf("24h after the clock: %+v, %v", ev, err)
	}
	if _, err := v.Validate("UTC", Wall{2030, 6, 2, 12, 0, 1, 0}); !errors.Is(err, ErrHorizon) {
		t.Errorf("24h1s after the clock: %v", err)
	}
	if _, err := v.Validate("UTC", Wall{2030, 6, 1, 11, 59, 59, 0}); !errors.Is(err, ErrHorizon) {
		t.Errorf("1s before the clock: %v", err)
	}
}
