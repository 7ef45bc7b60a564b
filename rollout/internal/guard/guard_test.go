package guard

import (
	"context"
	"errors"
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

func TestGuardRefusesOffPlan(t *testing.T) {
	d := &recorder{}
	s, err := Seal(d)
	if err != nil {
		t.Fatal(err)
	}
	g := s.Bind("v2", map[string]struct{}{"a": {}})
	ctx := context.Background()
	var ope *OffPlanError
	if err := g.Deploy(ctx, "b", "v2"); !errors.Is(err, ErrOffPlan) || !errors.As(err, &ope) || ope.Target != "b" || ope.Op != "deploy" {
		t.Errorf("deploy b: %v", err)
	}
	if err := g.Deploy(ctx, "a", "v3"); !errors.As(err, &ope) || ope.Version != "v3" {
		t.Errorf("deploy a v3: %v", err)
	}
	if err := g.Rollback(ctx, "b"); !errors.Is(err, ErrOffPlan) {
		t.Errorf("rollback b: %v", err)
	}
	if _, err := g.Version(ctx, ""); !errors.Is(err, ErrOffPlan) {
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

func TestSealNil(t *testing.T) {
	if _, err := Seal(nil); err == nil {
		t.Fatal("Seal(nil) accepted")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Bind on a zero Sealed did not panic")
		}
	}()
	Sealed{}.Bind("v", nil)
}
