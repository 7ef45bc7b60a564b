package guard

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

type recorder struct{ calls []string }

func (r *recorder) Deploy(_ context.Context, t, v string) error {
	r.calls = append(r.calls, "deploy "+t+" "+v)
	return nil
}
func (r *recorder) Rollback(_ context.Context, t string) error {
	r.calls = append(r.calls, "rollback "+t)
	return nil
}
func (r *recorder) Version(_ context.Context, t string) (string, error) {
	r.calls = append(r.calls, "version "+t)
	return "v1", nil
}

var errRefused = errors.New("refused")

type refusal struct{ op, target, version string }

func (r *refusal) Error() string { return fmt.Sprint(*r) }
func (r *refusal) Unwrap() error { return errRefused }

func refuse(op, target, version string) error { return &refusal{op, target, version} }

func bind(t *testing.T, d Deployer) *Guard {
	t.Helper()
	s, err := Seal(d)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.Bind("v2", map[string]struct{}{"a": {}}, refuse)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGuardRefusesOffPlan(t *testing.T) {
	d := &recorder{}
	g := bind(t, d)
	ctx := context.Background()
	var r *refusal
	if err := g.Deploy(ctx, "b", "v2"); !errors.As(err, &r) || r.target != "b" || r.op != "deploy" || r.version != "" {
		t.Errorf("deploy b: %v", err)
	}
	if err := g.Deploy(ctx, "a", "v3"); !errors.As(err, &r) || r.version != "v3" {
		t.Errorf("deploy a v3: %v", err)
	}
	if err := g.Rollback(ctx, "b"); !errors.Is(err, errRefused) {
		t.Errorf("rollback b: %v", err)
	}
	if _, err := g.Version(ctx, ""); !errors.Is(err, errRefused) {
		t.Errorf("version of empty target: %v", err)
	}
	if len(d.calls) != 0 {
		t.Fatalf("refused calls reached the deployer: %v", d.calls)
	}
	if err := g.Deploy(ctx, "a", "v2"); err != nil {
		t.Fatal(err)
	}
	if err := g.Rollback(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if v, err := g.Version(ctx, "a"); err != nil || v != "v1" {
		t.Fatal(v, err)
	}
	if len(d.calls) != 3 {
		t.Fatalf("allowed calls: %v", d.calls)
	}
}

// A put-back permits exactly one version for one off-plan target: never the
// plan's version, never a rollback, never another target.
func TestPutBackPermitsOnlyTheRecordedVersion(t *testing.T) {
	d := &recorder{}
	g := bind(t, d)
	ctx := context.Background()
	g.PermitPutBack("x", "v1")
	if err := g.Deploy(ctx, "x", "v2"); !errors.Is(err, errRefused) {
		t.Errorf("put-back target given the plan's version: %v", err)
	}
	if err := g.Rollback(ctx, "x"); !errors.Is(err, errRefused) {
		t.Errorf("rollback of a put-back target: %v", err)
	}
	if err := g.Deploy(ctx, "y", "v1"); !errors.Is(err, errRefused) {
		t.Errorf("another off-plan target: %v", err)
	}
	if err := g.Deploy(ctx, "a", "v1"); !errors.Is(err, errRefused) {
		t.Errorf("an on-plan target given the put-back version: %v", err)
	}
	if len(d.calls) != 0 {
		t.Fatalf("refused calls reached the deployer: %v", d.calls)
	}
	if err := g.Deploy(ctx, "x", "v1"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Version(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if len(d.calls) != 2 {
		t.Fatalf("permitted calls: %v", d.calls)
	}
}

func TestSealNil(t *testing.T) {
	if _, err := Seal(nil); err == nil {
		t.Fatal("Seal(nil) accepted")
	}
	if _, err := (Sealed{}).Bind("v", nil, refuse); err == nil {
		t.Fatal("Bind on a zero Sealed accepted")
	}
	s, _ := Seal(&recorder{})
	if _, err := s.Bind("v", nil, nil); err == nil {
		t.Fatal("Bind without Refuse accepted")
	}
}

// A put-back permission for a target in the plan (a wave not deployed yet,
// or one something else moved) permits its recorded version besides the
// plan's, and nothing else.
func TestPutBackOfAnOnPlanTarget(t *testing.T) {
	d := &recorder{}
	g := bind(t, d)
	ctx := context.Background()
	g.PermitPutBack("a", "v1")
	if err := g.Deploy(ctx, "a", "v3"); !errors.Is(err, errRefused) {
		t.Errorf("a v3: %v", err)
	}
	if len(d.calls) != 0 {
		t.Fatalf("refused calls reached the deployer: %v", d.calls)
	}
	for _, v := range []string{"v1", "v2"} {
		if err := g.Deploy(ctx, "a", v); err != nil {
			t.Errorf("a %s: %v", v, err)
		}
	}
}
