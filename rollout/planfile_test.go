package rollout_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// savedPlan is a plan with every setting the file carries.
func savedPlan(t testing.TB, version string, targets []string) *rollout.Plan {
	t.Helper()
	p, err := rollout.NewPlan(version, targets, rollout.Canary(1), rollout.Gates(pass("smoke")),
		rollout.Wave(1, rollout.Bake{Min: time.Minute, Passes: 3, Every: 10 * time.Second}, rollout.Gate{Name: "canary \"judge\"", Deadline: 2 * time.Minute,
			Check: func(context.Context, rollout.GateInput) error { return nil }, SkipVerify: true}),
		rollout.Settle(90*time.Second), rollout.CallDeadline(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSavedPlan: a plan written to a file (in a pull request) and read in
// another process (CI) has the same fingerprint and preview; Changes
// compares it with a plan built again, naming what differs; an edited file
// is refused as a fingerprint mismatch; a saved plan cannot run.
func TestSavedPlan(t *testing.T) {
	targets := names("site", 12)
	p := savedPlan(t, "v2", targets)
	var file bytes.Buffer
	if _, err := p.WriteTo(&file); err != nil {
		t.Fatal(err)
	}
	text := file.String()
	for _, want := range []string{"deploysafe rollout plan 1\n", "fingerprint " + p.Fingerprint() + "\n", `version "v2"`, "wave 2\n", `  target "site11"` + "\n", `gate "canary \"judge\"" deadline=2m0s skip-verify=true`, "bake min=1m0s passes=3 every=10s"} {
		if !strings.Contains(text, want) {
			t.Errorf("saved plan lacks %q:\n%s", want, text)
		}
	}
	saved, err := rollout.ReadPlan(strings.NewReader(text))
	if err != nil {
		t.Fatalf("ReadPlan: %v", err)
	}
	if saved.Fingerprint() != p.Fingerprint() || saved.String() != p.String() {
		t.Errorf("read back: fingerprint %s, preview\n%s\nwant %s\n%s", saved.Fingerprint(), saved, p.Fingerprint(), p)
	}
	if ch := p.Changes(saved); ch != nil {
		t.Errorf("Changes between the plan and its saved copy = %v, want none", ch)
	}
	wider := savedPlan(t, "v2", append(append([]string(nil), targets...), "site99"))
	if ch := wider.Changes(saved); len(ch) == 0 || !strings.Contains(strings.Join(ch, "; "), "site99") {
		t.Errorf("Changes of a wider plan against the saved one = %v, want site-99 named", ch)
	}
	edited := strings.Replace(text, `target "site03"`, `target "site33"`, 1)
	if _, err := rollout.ReadPlan(strings.NewReader(edited)); !errors.Is(err, rollout.ErrFingerprint) || !strings.Contains(err.Error(), "edited") {
		t.Errorf("ReadPlan of an edited file = %v, want ErrFingerprint saying it was edited", err)
	}
	ex, err := rollout.New(newFleet("v1", targets...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Run(context.Background(), saved, saved.Fingerprint()); !errors.Is(err, rollout.ErrInvalidPlan) || !strings.Contains(err.Error(), "Changes") {
		t.Errorf("Run of a saved plan = %v, want ErrInvalidPlan saying how to run it", err)
	}
}

// TestReadPlanRefusesBadFiles: each malformed file is one ErrInvalidPlan
// naming its line, never a panic or a partial plan.
func TestReadPlanRefusesBadFiles(t *testing.T) {
	var file bytes.Buffer
	if _, err := savedPlan(t, "v2", names("s", 3)).WriteTo(&file); err != nil {
		t.Fatal(err)
	}
	good := file.String()
	for name, text := range map[string]string{
		"empty":            "",
		"other format":     strings.Replace(good, "plan 1", "plan 9", 1),
		"unknown line":     good + "frobnicate 1\n",
		"bad duration":     strings.Replace(good, "settle 1m30s", "settle soon", 1),
		"negative":         strings.Replace(good, "settle 1m30s", "settle -1s", 1),
		"duplicate target": good + `  target "s0"` + "\n",
		"wave out of turn": strings.Replace(good, "wave 2", "wave 7", 1),
		"target first":     strings.Replace(good, "version", `  target "x"`+"\nversion", 1),
		"twice":            strings.Replace(good, "rehearse true", "rehearse true\nrehearse false", 1),
		"no fingerprint":   strings.Replace(good, "fingerprint ", "# ", 1),
		"bad gate":         strings.Replace(good, `gate "smoke"`, `gate smoke`, 1),
		"bad passes":       strings.Replace(good, "passes=3", "passes=0", 1),
	} {
		_, err := rollout.ReadPlan(strings.NewReader(text))
		if !errors.Is(err, rollout.ErrInvalidPlan) && !errors.Is(err, rollout.ErrFingerprint) {
			t.Errorf("%s: ReadPlan = %v, want ErrInvalidPlan", name, err)
		}
	}
	if _, err := rollout.ReadPlan(nil); !errors.Is(err, rollout.ErrInvalidPlan) {
		t.Errorf("ReadPlan(nil) = %v", err)
	}
}

// FuzzReadPlan: any input is refused with an error or read into a plan
// that writes back to a file read as the same plan.
func FuzzReadPlan(f *testing.F) {
	var file bytes.Buffer
	if _, err := savedPlan(f, "v2", names("s", 4)).WriteTo(&file); err != nil {
		f.Fatal(err)
	}
	f.Add(file.String())
	f.Add("deploysafe rollout plan 1\nwave 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		p, err := rollout.ReadPlan(strings.NewReader(text))
		if err != nil {
			return
		}
		var again bytes.Buffer
		if _, err := p.WriteTo(&again); err != nil {
			t.Fatal(err)
		}
		q, err := rollout.ReadPlan(&again)
		if err != nil || q.Fingerprint() != p.Fingerprint() {
			t.Fatalf("a plan read back from its own file: %v (%s vs %s)", err, q.Fingerprint(), p.Fingerprint())
		}
	})
}

// TestSavedPlanCalibratedGate: a gate's calibration is part of what is
// approved: the file says so, and the fingerprint read back matches;
// without the calibration the fingerprint differs.
func TestSavedPlanCalibratedGate(t *testing.T) {
	g := pass("canary")
	g.Calibrate = func(context.Context) error { return nil }
	p, err := rollout.NewPlan("v2", names("s", 2), rollout.Gates(g))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := rollout.NewPlan("v2", names("s", 2), rollout.Gates(pass("canary")))
	if p.Fingerprint() == plain.Fingerprint() {
		t.Error("a calibrated gate and an uncalibrated one give the same fingerprint")
	}
	var file bytes.Buffer
	if _, err := p.WriteTo(&file); err != nil {
		t.Fatal(err)
	}
	saved, err := rollout.ReadPlan(&file)
	if err != nil || saved.Fingerprint() != p.Fingerprint() {
		t.Fatalf("read back: %v, %v", saved, err)
	}
}
