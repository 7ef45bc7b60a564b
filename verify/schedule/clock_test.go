package schedule

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestAsOf runs a buggy "is it still the same local day tomorrow?" check as
// of each interesting instant of a DST week in New York and finds exactly
// the instants where adding 24h does not give the same wall time.
func TestAsOf(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	from, to := utc(2026, 3, 6, 0, 0, 0), utc(2026, 3, 10, 0, 0, 0)
	sameTimeTomorrow := func(c Clock) error {
		now := c.Now().In(ny)
		tomorrow := now.Add(24 * time.Hour)
		if h1, m1, _ := now.Clock(); func() bool { h2, m2, _ := tomorrow.Clock(); return h1 != h2 || m1 != m2 }() {
			return errors.New("24h later is another wall time")
		}
		return nil
	}
	err := AsOf(context.Background(), ny, from, to, sameTimeTomorrow)
	if err == nil {
		t.Fatal("no failure found")
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Fatalf("%T is not joined", err)
	}
	for _, e := range joined.Unwrap() {
		var ae *AsOfError
		if !errors.As(e, &ae) {
			t.Fatalf("%T", e)
		}
		// Failing instants are within the 24h before the 07:00Z transition.
		tr := utc(2026, 3, 8, 7, 0, 0)
		if !ae.At.Before(tr) || tr.Sub(ae.At) > 24*time.Hour {
			t.Errorf("failure as of %s (%s), not in the day before the transition", ae.At, ae.Class)
		}
	}
	if err := AsOf(context.Background(), ny, from, to, func(Clock) error { return nil }); err != nil {
		t.Errorf("passing check: %v", err)
	}
	if err := AsOf(context.Background(), ny, from, to, nil); !errors.Is(err, ErrBadInput) {
		t.Errorf("nil check: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := AsOf(ctx, ny, from, to, func(Clock) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestSynctestClock shows the Validator following a synctest bubble's fake
// clock through SystemClock: the bubble starts at 2000-01-01T00:00:00Z and
// time.Sleep jumps to one second before Berlin's 2000-03-26 transition.
func TestSynctestClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if start := time.Now(); !start.Equal(utc(2000, 1, 1, 0, 0, 0)) {
			t.Fatalf("bubble starts at %s", start)
		}
		v, err := NewValidator(WithClock(SystemClock()), MaxHorizon(time.Hour))
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
