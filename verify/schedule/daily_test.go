package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestValidatorDaily: "every day at 02:30 Berlin" over 60 days that hold
// the spring-forward day: under Reject that day is refused, naming the gap;
// under Compatible it runs at 03:30 CEST.
func TestValidatorDaily(t *testing.T) {
	now := utc(2026, 3, 1, 12, 0, 0)
	reject, err := NewValidator(Reject, fixed(now), MaxHorizon(60*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := reject.Daily("Europe/Berlin", 2, 30)
	var lerr *LocalTimeError
	if !errors.Is(err, ErrGap) || !errors.As(err, &lerr) || lerr.Wall != (Wall{2026, 3, 29, 2, 30, 0, 0}) ||
		!strings.HasPrefix(err.Error(), "schedule: rule local-time: ") || strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("Reject: %v", err)
	}
	if len(evs) != 59 || wallOf(evs[0].At) != (Wall{2026, 3, 2, 2, 30, 0, 0}) || !evs[0].Created.Equal(now) {
		t.Fatalf("Reject: %d events, first %v", len(evs), evs[0])
	}
	for _, ev := range evs {
		if w := wallOf(ev.At); w.Hour != 2 || w.Minute != 30 || ev.Zone != "Europe/Berlin" {
			t.Errorf("Reject: event at %s", ev.At)
		}
	}
	compat, _ := NewValidator(Compatible, fixed(now), MaxHorizon(60*24*time.Hour))
	evs, err = compat.Daily("Europe/Berlin", 2, 30)
	if err != nil || len(evs) != 60 {
		t.Fatalf("Compatible: %d events, %v", len(evs), err)
	}
	if got := wallOf(evs[27].At); got != (Wall{2026, 3, 29, 3, 30, 0, 0}) {
		t.Errorf("Compatible on the gap day: %v", got)
	}
	// The overlap in October is refused too.
	oct, _ := NewValidator(Reject, fixed(utc(2026, 10, 20, 0, 0, 0)), MaxHorizon(10*24*time.Hour))
	if evs, err := oct.Daily("Europe/Berlin", 2, 30); !errors.Is(err, ErrOverlap) || len(evs) != 9 {
		t.Errorf("overlap: %d events, %v", len(evs), err)
	}
}

// TestValidatorDailyHorizonBoundary pins both ends: an occurrence at now
// and one at exactly now+MaxHorizon are in, one nanosecond more is out.
func TestValidatorDailyHorizonBoundary(t *testing.T) {
	now := utc(2026, 6, 1, 0, 30, 0) // 02:30 CEST
	for _, c := range []struct {
		max  time.Duration
		want int
	}{{48 * time.Hour, 3}, {48*time.Hour - time.Nanosecond, 2}} {
		v, _ := NewValidator(Reject, fixed(now), MaxHorizon(c.max))
		evs, err := v.Daily("Europe/Berlin", 2, 30)
		if err != nil || len(evs) != c.want || !evs[0].At.Equal(now) {
			t.Errorf("MaxHorizon %s: %d events, %v", c.max, len(evs), err)
		}
	}
	// Without MaxHorizon: 366 days.
	v, _ := NewValidator(Reject, fixed(utc(2026, 6, 1, 12, 0, 0)))
	if evs, err := v.Daily("Asia/Kolkata", 9, 0); err != nil || len(evs) != 366 {
		t.Errorf("default horizon: %d events, %v", len(evs), err)
	}
}

func TestValidatorDailyStorageAndBadInput(t *testing.T) {
	v, _ := NewValidator(Reject, fixed(utc(2038, 1, 10, 0, 0, 0)), MaxHorizon(20*24*time.Hour),
		Storage(int32Seconds.Min, int32Seconds.Max))
	evs, err := v.Daily("UTC", 3, 14)
	// 10–19 January fit (19 January 03:14:00 is 7 s before the limit),
	// 20–29 January do not.
	if !errors.Is(err, ErrOutOfRange) || len(evs) != 10 || !evs[9].At.Equal(int32Max.Add(-7*time.Second)) {
		t.Errorf("int32 storage: %d events, %v", len(evs), err)
	}
	if n := len(strings.Split(err.Error(), "\n")); n != 10 {
		t.Errorf("int32 storage: %d failures, want 10:\n%v", n, err)
	}
	for _, c := range []struct {
		zone     string
		h, m     int
		rule     string
		sentinel error
	}{
		{"Mars/Olympus_Mons", 9, 0, "zone", ErrUnknownZone},
		{"UTC", 24, 0, "wall", ErrInvalidWall},
		{"UTC", 9, -1, "wall", ErrInvalidWall},
	} {
		if _, err := v.Daily(c.zone, c.h, c.m); !errors.Is(err, c.sentinel) || !strings.HasPrefix(err.Error(), "schedule: rule "+c.rule+": ") {
			t.Errorf("Daily(%q, %d, %d) = %v", c.zone, c.h, c.m, err)
		}
	}
}
