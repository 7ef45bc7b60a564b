package reaper

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestNewRejectsBadInput(t *testing.T) {
	c := newClock()
	inv := &fleet{clock: c}
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
		{"K > observers", three, []Option{WithQuorum(4, 2)}, "quorum of 4 votes but only 3 observers"},
		{"K zero", three, []Option{WithQuorum(0, 0)}, "quorum votes 0"},
		{"sources > votes", three, []Option{WithQuorum(2, 3)}, "3 distinct sources among only 2 votes"},
		{"sources not distinct", sameSource, nil, "observers read only 1"},
		{"default quorum with one observer", three[:1], nil, "quorum of 2 votes but only 1 observers"},
		{"duplicate names", []Observer{truthObs("a", nil), truthObs("a", nil)}, nil, `two observers named "a"`},
		{"nil observer", []Observer{truthObs("a", nil), nil}, nil, "observer 1 is nil"},
		{"negative max actions", three, []Option{WithLimits(neg)}, "MaxActions -1 is negative"},
		{"fraction above one", three, []Option{WithLimits(frac)}, "MaxStratumFraction 1.5"},
		{"unknown mode", three, []Option{WithMode(Mode(7))}, "unknown mode 7"},
		{"negative grace", three, []Option{WithGrace(3, -time.Hour)}, "grace period -1h0m0s is negative"},
		{"zero grace sweeps", three, []Option{WithGrace(0, time.Hour)}, "grace sweeps 0"},
		{"negative window", three, []Option{WithQuarantineWindow(-1)}, "quarantine window"},
		{"negative shadow", three, []Option{WithShadowSweeps(-2)}, "shadow sweeps -2"},
		{"negative rate", three, []Option{WithRate(-1, 1)}, "rate -1"},
		{"zero concurrency", three, []Option{WithConcurrency(0)}, "concurrency 0"},
		{"zero timeout", three, []Option{WithObserveTimeout(0)}, "observe timeout"},
		{"repeated stratum", three, []Option{WithStrata("region", "region")}, "repeated"},
		{"nil sink", three, []Option{WithAudit(nil)}, "WithAudit(nil)"},
		{"nil option", three, []Option{nil}, "nil Option"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(inv, tc.obs, newDep(), &MemoryLedger{}, tc.opts...)
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %q, want it to mention %q", err, tc.want)
			}
		})
	}
	for name, f := range map[string]func() error{
		"nil inventory": func() error { _, err := New(nil, three, newDep(), &MemoryLedger{}); return err },
		"nil deprov":    func() error { _, err := New(inv, three, nil, &MemoryLedger{}); return err },
		"nil ledger":    func() error { _, err := New(inv, three, newDep(), nil); return err },
	} {
		if err := f(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
}

func TestNewAcceptsDefaultsAndValidConfig(t *testing.T) {
	c := newClock()
	three := []Observer{truthObs("a", nil), truthObs("b", nil), truthObs("c", nil)}
	r, err := New(&fleet{clock: c}, three, newDep(), &MemoryLedger{})
	if err != nil {
		t.Fatal(err)
	}
	if r.cfg.mode != Shadow || r.cfg.votes != 2 || r.cfg.sources != 2 || r.cfg.graceSweeps != 3 ||
		r.cfg.gracePeriod != 24*time.Hour || r.cfg.limits != DefaultLimits() {
		t.Fatalf("defaults not applied: %+v", r.cfg)
	}
	if _, err := New(&fleet{clock: c}, three[:1], newDep(), &MemoryLedger{}, WithQuorum(1, 1), WithRate(rate.Inf, 0)); err != nil {
		t.Fatalf("explicit single-observer quorum rejected: %v", err)
	}
	if _, err := NewFileLedger(""); !errors.Is(err, ErrConfig) {
		t.Fatalf("NewFileLedger(\"\") = %v", err)
	}
}

func TestModeAndVerdictStrings(t *testing.T) {
	for want, got := range map[string]string{
		"shadow": Shadow.String(), "quarantine": Quarantine.String(), "delete": Delete.String(), "mode(9)": Mode(9).String(),
		"alive": Alive.String(), "orphan": Orphan.String(), "unknown": Unknown.String(), "verdict(7)": Verdict(7).String(),
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
