package engine

import (
	"errors"
	"testing"

	"go.uber.org/goleak"
	"pgregory.net/rapid"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunBudgetAndWitness(t *testing.T) {
	runs := 0
	st, failed, err := Run(1, 37, 10, func(t *rapid.T, st *State) bool {
		rapid.Int().Draw(t, "x")
		runs++
		return false
	})
	if err != nil || failed || st.Runs() != 37 || runs != 37 {
		t.Fatalf("runs %d/%d, failed %v, err %v", st.Runs(), runs, failed, err)
	}

	// The last failing execution is the shrunk one: x >= 10 shrinks to 10.
	last := -1
	st, failed, err = Run(1, 100, 1000, func(t *rapid.T, st *State) bool {
		x := rapid.IntRange(0, 1000).Draw(t, "x")
		if x >= 10 {
			last = x
			return true
		}
		return false
	})
	if err != nil || !failed || last != 10 || st.Shrinks() == 0 {
		t.Fatalf("failed %v, last %d, shrinks %d, err %v", failed, last, st.Shrinks(), err)
	}
}

func TestRunShrinkCapStopsRapid(t *testing.T) {
	execs := 0
	st, failed, err := Run(1, 100, 0, func(t *rapid.T, st *State) bool {
		execs++
		return rapid.IntRange(0, 1000).Draw(t, "x") >= 10
	})
	if err != nil || !failed || st.Shrinks() != 0 || execs != st.Runs() {
		t.Fatalf("failed %v, execs %d, runs %d, shrinks %d, err %v", failed, execs, st.Runs(), st.Shrinks(), err)
	}
}

func TestRunErrors(t *testing.T) {
	_, _, err := Run(1, 10, 10, func(t *rapid.T, st *State) bool {
		rapid.Int().Filter(func(int) bool { return false }).Draw(t, "x")
		return false
	})
	if !errors.Is(err, ErrNoValues) {
		t.Errorf("no valid values: %v", err)
	}
	_, _, err = Run(1, 10, 10, func(t *rapid.T, st *State) bool { panic("boom") })
	if !errors.Is(err, ErrPanic) {
		t.Errorf("panic: %v", err)
	}
	sentinel := errors.New("stop")
	_, _, err = Run(1, 10, 10, func(t *rapid.T, st *State) bool { st.Err = sentinel; return false })
	if !errors.Is(err, sentinel) {
		t.Errorf("st.Err: %v", err)
	}
}

func TestCatch(t *testing.T) {
	if p := Catch(func() { panic("x") }); p != "x" {
		t.Errorf("Catch = %v", p)
	}
	if p := Catch(func() {}); p != nil {
		t.Errorf("Catch = %v", p)
	}
}
