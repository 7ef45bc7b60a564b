package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

func waveSizes(p *rollout.Plan) []int {
	var out []int
	for _, w := range p.Waves() {
		out = append(out, len(w))
	}
	return out
}

func TestDefaultWaves(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{1, "[1]"},
		{2, "[1 1]"},
		{5, "[1 2 2]"},
		{10, "[1 4 5]"},
		{100, "[1 9 40 50]"},
		{1000, "[1 9 90 400 500]"},
		{10000, "[1 99 900 4000 5000]"},
	} {
		p, err := rollout.NewPlan("v2", names("t", tc.n), rollout.Gates(pass("g")))
		if err != nil {
			t.Fatalf("n=%d: %v", tc.n, err)
		}
		if got := fmt.Sprint(waveSizes(p)); got != tc.want {
			t.Errorf("n=%d: wave sizes %s, want %s", tc.n, got, tc.want)
		}
		if !strings.Contains(p.String(), "rollback rehearsal on wave 1") {
			t.Errorf("n=%d: rehearsal off by default", tc.n)
		}
	}
}

func TestWavesCoverTargetsInOrder(t *testing.T) {
	targets := names("t", 37)
	p, err := rollout.NewPlan("v2", targets, rollout.Canary(2), rollout.Fractions(0.2, 0.21, 0.6, 1), rollout.Gates(pass("g")))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, w := range p.Waves() {
		if len(w) == 0 {
			t.Fatal("empty wave kept")
		}
		all = append(all, w...)
	}
	if strings.Join(all, ",") != strings.Join(targets, ",") {
		t.Fatalf("waves do not list the targets in order: %v", all)
	}
	// 2, ceil(7.4)=8, ceil(7.77)=8 (dropped), ceil(22.2)=23, 37
	if got := fmt.Sprint(waveSizes(p)); got != "[2 6 15 14]" {
		t.Fatalf("sizes %s", got)
	}
}

func TestBadPlans(t *testing.T) {
	g := pass("g")
	hang := check("h", 0, func(context.Context) error { return nil })
	cases := []struct {
		name    string
		version string
		targets []string
		opts    []rollout.PlanOption
		want    string
	}{
		{"empty plan", "v2", nil, []rollout.PlanOption{rollout.Gates(g)}, "no targets"},
		{"empty version", "", []string{"a"}, []rollout.PlanOption{rollout.Gates(g)}, "empty version"},
		{"duplicate targets", "v2", []string{"a", "b", "a"}, []rollout.PlanOption{rollout.Gates(g)}, `duplicate target "a" at positions 0 and 2`},
		{"empty target", "v2", []string{"a", ""}, []rollout.PlanOption{rollout.Gates(g)}, "empty target name at position 1"},
		{"fractions short", "v2", names("t", 10), []rollout.PlanOption{rollout.Gates(g), rollout.Fractions(0.1, 0.5)}, "do not cover the targets"},
		{"fractions decreasing", "v2", names("t", 10), []rollout.PlanOption{rollout.Gates(g), rollout.Fractions(0.5, 0.2, 1)}, "increase strictly"},
		{"fractions repeated", "v2", names("t", 10), []rollout.PlanOption{rollout.Gates(g), rollout.Fractions(0.5, 0.5, 1)}, "fraction 1 is 0.5; fractions must increase strictly"},
		{"fraction zero", "v2", names("t", 10), []rollout.PlanOption{rollout.Gates(g), rollout.Fractions(0, 1)}, "fraction 0 is 0; fractions must increase strictly"},
		{"fraction above 1", "v2", names("t", 10), []rollout.PlanOption{rollout.Gates(g), rollout.Fractions(0.5, 1.0000001)}, "fraction 1 is 1.0000001"},
		{"fractions NaN", "v2", names("t", 10), []rollout.PlanOption{rollout.Gates(g), rollout.Fractions(math.NaN(), 1)}, "increase strictly"},
		{"explicit waves miss a target", "v2", []string{"a", "b", "c"}, []rollout.PlanOption{rollout.Gates(g), rollout.Waves([]string{"a"}, []string{"b"})}, `do not cover the targets: "c" (and 0 more) is in no wave`},
		{"explicit waves miss two targets", "v2", []string{"a", "b", "c"}, []rollout.PlanOption{rollout.Gates(g), rollout.Waves([]string{"a"})}, `(and 1 more) is in no wave`},
		{"explicit waves off-list target", "v2", []string{"a", "b"}, []rollout.PlanOption{rollout.Gates(g), rollout.Waves([]string{"a"}, []string{"b", "z"})}, `explicit wave 2 names "z", which is not in the target list`},
		{"explicit waves duplicate", "v2", []string{"a", "b"}, []rollout.PlanOption{rollout.Gates(g), rollout.Waves([]string{"a", "b"}, []string{"b"})}, `"b" is in explicit waves 1 and 2`},
		{"negative settle", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(g), rollout.Settle(-time.Second)}, "Settle(-1s): must not be negative"},
		{"zero call deadline", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(g), rollout.CallDeadline(0)}, "CallDeadline(0s): must be > 0"},
		{"explicit empty wave", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(g), rollout.Waves([]string{"a"}, nil)}, "explicit wave 2 is empty"},
		{"canary too big", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(g), rollout.Canary(2)}, "canary wave of 2 targets"},
		{"canary zero", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(g), rollout.Canary(0)}, "canary size must be >= 1"},
		{"zero deadline", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(hang)}, `gate "h": deadline must be > 0`},
		{"no gates", "v2", []string{"a"}, nil, "wave 1 has no gates"},
		{"nil check", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(check("n", time.Second, nil))}, "nil Check"},
		{"unnamed gate", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(check("", time.Second, func(context.Context) error { return nil }))}, "empty name"},
		{"duplicate gate", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(g, g)}, `wave 1: duplicate gate name "g"`},
		{"smoke zero deadline", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(rollout.Smoke{Probe: func(context.Context, string) error { return nil }}.Gate())}, "deadline must be > 0"},
		{"bake without interval", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(g), rollout.BakeEach(rollout.Bake{Min: time.Minute, Passes: 3})}, "wave 1: bake: Every must be > 0"},
		{"wave gates just out of range", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(g), rollout.Wave(1, rollout.Bake{}, g)}, "Wave(1, ...), but the plan has 1 waves"},
		{"wave gates out of range", "v2", []string{"a"}, []rollout.PlanOption{rollout.Gates(g), rollout.Wave(3, rollout.Bake{}, g)}, "Wave(3, ...), but the plan has 1 waves"},
		{"nil option", "v2", []string{"a"}, []rollout.PlanOption{nil}, "nil PlanOption"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := rollout.NewPlan(tc.version, tc.targets, tc.opts...)
			if err == nil {
				t.Fatalf("NewPlan accepted it: %v", p)
			}
			if !errors.Is(err, rollout.ErrInvalidPlan) {
				t.Errorf("error does not wrap ErrInvalidPlan: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	base := func(opts ...rollout.PlanOption) string {
		t.Helper()
		p, err := rollout.NewPlan("v2", []string{"a", "b", "c"}, append([]rollout.PlanOption{rollout.Gates(pass("g"))}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return p.Fingerprint()
	}
	fp := base()
	if len(fp) != 64 || fp != base() {
		t.Fatalf("fingerprint not a stable SHA-256 hex: %q", fp)
	}
	variants := map[string]string{
		"rehearsal":  base(rollout.NoRehearsal()),
		"waves":      base(rollout.Canary(2)),
		"gate":       base(rollout.Wave(0, rollout.Bake{}, pass("h"))),
		"deadline":   base(rollout.Wave(0, rollout.Bake{}, check("h", 2*time.Second, func(context.Context) error { return nil }))),
		"bake":       base(rollout.BakeEach(rollout.Bake{Passes: 2, Every: time.Second})),
		"settle":     base(rollout.Settle(2 * time.Minute)),
		"no confirm": base(rollout.Settle(0)),
		"call":       base(rollout.CallDeadline(time.Minute)),
		"put back":   base(rollout.PutBack()),
	}
	for name, v := range variants {
		if v == fp {
			t.Errorf("changing %s does not change the fingerprint", name)
		}
	}
	other, _ := rollout.NewPlan("v3", []string{"a", "b", "c"}, rollout.Gates(pass("g")))
	swapped, _ := rollout.NewPlan("v2", []string{"a", "c", "b"}, rollout.Gates(pass("g")))
	if other.Fingerprint() == fp || swapped.Fingerprint() == fp {
		t.Error("version or target order does not change the fingerprint")
	}
}

func TestPreview(t *testing.T) {
	p, err := rollout.NewPlan("v2", names("site", 12),
		rollout.Gates(pass("health")),
		rollout.BakeEach(rollout.Bake{Min: 10 * time.Minute, Passes: 3, Every: 2 * time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	s := p.String()
	for _, want := range []string{
		p.Fingerprint(),
		`deploy "v2" to 12 targets in 4 waves; rollback rehearsal on wave 1`,
		"wave 1 (canary): 1 target, 8.3% of all (cumulative 8.3%)",
		"gates: health (1s)",
		"bake: at least 10m0s and 3 passing gate runs, every 2m0s",
		"wave 3: 4 targets, 33.3% of all (cumulative 50%)",
		"targets: site02, site03, site04, site05\n",
		"wave 4: 6 targets, 50% of all (cumulative 100%)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("preview lacks %q:\n%s", want, s)
		}
	}
	if !strings.Contains(s, "site06, site07, site08, site09, site10 … and 1 more") {
		t.Errorf("%%v should abbreviate long waves:\n%s", s)
	}
	if w := p.Waves(); strings.Join(w[3], ",") != "site06,site07,site08,site09,site10,site11" {
		t.Errorf("Waves should list every target: %v", w)
	}
	for _, want := range []string{"every deploy confirmed by Version within 1m0s", "each deployer call within 5m0s", "off-plan changes are reported, not put back"} {
		if !strings.Contains(s, want) {
			t.Errorf("preview lacks %q:\n%s", want, s)
		}
	}
	off, _ := rollout.NewPlan("v2", names("site", 2), rollout.Gates(pass("health")), rollout.Settle(0), rollout.PutBack())
	for _, want := range []string{"NO post-deploy confirmation", "off-plan changes found by a census are put back"} {
		if !strings.Contains(off.String(), want) {
			t.Errorf("preview lacks %q:\n%s", want, off)
		}
	}
}
