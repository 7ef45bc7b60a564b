package reaper

import (
	"errors"
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"
)

func TestNewRejectsBadInput(t *testing.T) {
	inv := &fleet{}
	three := []Observer{truthObs("a", nil), truthObs("b", nil), truthObs("c", nil)}
	sameSource := []Observer{
		obs{name: "a", source: "db"}, obs{name: "b", source: "db"}, obs{name: "c", source: "db"},
	}
	neg := DefaultLimits()
	neg.MaxActions = -1
	frac := DefaultLimits()
	frac.MaxStratumFraction = 1.5
	cases := []struct {
		name string
		obs  []Observer
		opts []Option
		want string
	}{
		{"zero observers", nil, nil, "no observers"},
		{"K > observers", three, []Option{Quorum(4, 2)}, "Quorum(4, 2): only 3 observers"},
		{"K zero", three, []Option{Quorum(0, 0)}, "Quorum(0, 0): votes must be at least 1"},
		{"sources > votes", three, []Option{Quorum(2, 3)}, "Quorum(2, 3): more distinct sources than votes"},
		{"sources not distinct", sameSource, nil, "observers read only 1 distinct sources"},
		{"default quorum with one observer", three[:1], nil, "Quorum(2, 2): only 1 observers"},
		{"duplicate names", []Observer{truthObs("a", nil), truthObs("a", nil)}, nil, `two observers named "a"`},
		{"nil observer", []Observer{truthObs("a", nil), nil}, nil, "observer 1 is nil"},
		{"negative max actions", three, []Option{Limit(neg)}, "Limit: MaxActions -1 is negative"},
		{"fraction above one", three, []Option{Limit(frac)}, "MaxStratumFraction 1.5"},
		{"act restore", three, []Option{Act(Restore, 0)}, "Act(restore, 0): only Quarantine or Delete"},
		{"act unknown", three, []Option{Act(Action(7), 0)}, "Act(action(7), 0)"},
		{"negative grace", three, []Option{Grace(3, -time.Hour)}, "Grace(3, -1h0m0s): period is negative"},
		{"zero grace sweeps", three, []Option{Grace(0, time.Hour)}, "Grace(0, 1h0m0s): sweeps must be at least 1"},
		{"negative window", three, []Option{QuarantineWindow(-1)}, "QuarantineWindow(-1ns): negative"},
		{"negative shadow", three, []Option{Act(Delete, -2)}, "Act(delete, -2): negative shadow sweeps"},
		{"negative rate", three, []Option{limits(func(l *Limits) { l.Rate = -1 })}, "Limit: Rate -1 is negative"},
		{"zero burst", three, []Option{limits(func(l *Limits) { l.Rate, l.Burst = 1, 0 })}, "Limit: Burst 0"},
		{"zero concurrency", three, []Option{limits(func(l *Limits) { l.Concurrency = 0 })}, "Limit: Concurrency 0"},
		{"zero timeout", three, []Option{limits(func(l *Limits) { l.ObserveTimeout = 0 })}, "Limit: ObserveTimeout 0s"},
		{"zero attempts", three, []Option{limits(func(l *Limits) { l.MaxAttempts = 0 })}, "Limit: MaxAttempts 0"},
		{"negative backoff", three, []Option{limits(func(l *Limits) { l.Backoff = -1 })}, "Limit: Backoff -1ns"},
		{"zero retention", three, []Option{limits(func(l *Limits) { l.Retention = 0 })}, "Limit: Retention 0s"},
		{"zero max age", three, []Option{limits(func(l *Limits) { l.MaxAge = 0 })}, "Limit: MaxAge 0s"},
		{"NaN shrink", three, []Option{limits(func(l *Limits) { l.MaxShrink = math.NaN() })}, "Limit: MaxShrink NaN"},
		{"negative fraction", three, []Option{limits(func(l *Limits) { l.MaxFraction = -0.1 })}, "Limit: MaxFraction -0.1"},
		{"nil clock", three, []Option{Clock(nil)}, "Clock(nil)"},
		{"nil lease", three, []Option{Elect(nil)}, "Elect(nil)"},
		{"nil logger", three, []Option{Logger(nil)}, "Logger(nil)"},
		{"nil observer func", []Observer{ObserverFunc("a", "a", nil)}, []Option{Quorum(1, 1)}, "observer 0 is nil"},
		{"repeated stratum", three, []Option{Strata("region", "region")}, "Strata: key \"region\" is empty or repeated"},
		{"nil option", three, []Option{nil}, "nil Option"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, err := New(inv, tc.obs, newDep(), newMemLedger(), tc.opts...)
				if !errors.Is(err, ErrConfig) {
					t.Fatalf("err = %v, want ErrConfig", err)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %q, want it to mention %q", err, tc.want)
				}
			})
		})
	}
	for name, f := range map[string]func() error{
		"nil inventory": func() error { _, err := New(nil, three, newDep(), newMemLedger()); return err },
		"nil deprov":    func() error { _, err := New(inv, three, nil, newMemLedger()); return err },
		"nil ledger":    func() error { _, err := New(inv, three, newDep(), nil); return err },
		"nil delete":    func() error { _, err := New(inv, three, DeleteOnly(nil), newMemLedger()); return err },
	} {
		if err := f(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
}

func TestNewAcceptsDefaultsAndValidConfig(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		three := []Observer{truthObs("a", nil), truthObs("b", nil), truthObs("c", nil)}
		r, err := New(&fleet{}, three, newDep(), newMemLedger())
		if err != nil {
			t.Fatal(err)
		}
		if r.cfg.mode != 0 || r.cfg.votes != 2 || r.cfg.sources != 2 || r.cfg.graceSweeps != 3 ||
			r.cfg.gracePeriod != 24*time.Hour || r.cfg.limits != DefaultLimits() {
			t.Fatalf("defaults not applied: %+v", r.cfg)
		}
		if _, err := New(&fleet{}, three[:1], newDep(), newMemLedger(), Quorum(1, 1), limits(func(l *Limits) { l.Rate, l.Burst = rate.Inf, 0 })); err != nil {
			t.Fatalf("explicit single-observer quorum rejected: %v", err)
		}
		if _, err := FileLedger(""); !errors.Is(err, ErrConfig) {
			t.Fatalf("FileLedger(\"\") = %v", err)
		}
	})
}

func TestModeAndVerdictStrings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for want, got := range map[string]string{
			"shadow": Action(0).String(), "quarantine": Quarantine.String(), "delete": Delete.String(), "restore": Restore.String(), "action(9)": Action(9).String(),
			"alive": Alive.String(), "orphan": Orphan.String(), "unknown": Unknown.String(), "verdict(7)": Verdict(7).String(),
		} {
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		}
	})
}

// TestLimitsBoundaries pins every bound of Limits.validate on both sides:
// the last accepted value passes, the first rejected one names its field.
func TestLimitsBoundaries(t *testing.T) {
	above1 := math.Nextafter(1, 2)
	below0 := -math.SmallestNonzeroFloat64
	for _, c := range []struct {
		field    string
		ok, fail func(*Limits)
	}{
		{"MaxActions", func(l *Limits) { l.MaxActions = 0 }, func(l *Limits) { l.MaxActions = -1 }},
		{"MaxFraction", func(l *Limits) { l.MaxFraction = 0 }, func(l *Limits) { l.MaxFraction = below0 }},
		{"MaxFraction", func(l *Limits) { l.MaxFraction = 1 }, func(l *Limits) { l.MaxFraction = above1 }},
		{"MaxStratumFraction", func(l *Limits) { l.MaxStratumFraction = 0 }, func(l *Limits) { l.MaxStratumFraction = below0 }},
		{"MaxStratumFraction", func(l *Limits) { l.MaxStratumFraction = 1 }, func(l *Limits) { l.MaxStratumFraction = above1 }},
		{"MaxShrink", func(l *Limits) { l.MaxShrink = 0 }, func(l *Limits) { l.MaxShrink = below0 }},
		{"MaxShrink", func(l *Limits) { l.MaxShrink = 1 }, func(l *Limits) { l.MaxShrink = above1 }},
		{"MaxAge", func(l *Limits) { l.MaxAge = 1 }, func(l *Limits) { l.MaxAge = 0 }},
		{"Rate", func(l *Limits) { l.Rate = 0 }, func(l *Limits) { l.Rate = rate.Limit(below0) }},
		{"Burst", func(l *Limits) { l.Rate, l.Burst = 1, 1 }, func(l *Limits) { l.Rate, l.Burst = 1, 0 }},
		{"Concurrency", func(l *Limits) { l.Concurrency = 1 }, func(l *Limits) { l.Concurrency = 0 }},
		{"ObserveTimeout", func(l *Limits) { l.ObserveTimeout = 1 }, func(l *Limits) { l.ObserveTimeout = 0 }},
		{"MaxAttempts", func(l *Limits) { l.MaxAttempts = 1 }, func(l *Limits) { l.MaxAttempts = 0 }},
		{"Backoff", func(l *Limits) { l.Backoff = 0 }, func(l *Limits) { l.Backoff = -1 }},
		{"Retention", func(l *Limits) { l.Retention = 1 }, func(l *Limits) { l.Retention = 0 }},
	} {
		ok, fail := testLimits(), testLimits()
		c.ok(&ok)
		c.fail(&fail)
		if err := ok.validate(); err != nil {
			t.Errorf("%s at its bound: %v, want accepted", c.field, err)
		}
		if err := fail.validate(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "Limit: "+c.field+" ") {
			t.Errorf("%s past its bound: %v, want an ErrConfig naming it", c.field, err)
		}
	}
}
