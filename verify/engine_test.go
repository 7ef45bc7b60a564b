package verify_test

import (
	"cmp"
	"flag"
	"os"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

// setFlag sets one of rapid's flags for the test and restores it after.
func setFlag(t *testing.T, name, value string) {
	t.Helper()
	f := flag.Lookup(name)
	if f == nil {
		t.Fatalf("rapid flag %s not registered", name)
	}
	old := f.Value.String()
	if err := flag.Set(name, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = flag.Set(name, old) })
}

// The budget is verify's, whatever -rapid.checks says: with 7 checks per
// rapid.Check, Ordering calls rapid until 100 batches ran.
func TestBudgetIndependentOfRapidChecks(t *testing.T) {
	setFlag(t, "rapid.checks", "7")
	rep, err := verify.Ordering(cmp.Compare[int], rapid.Int())
	if err != nil || rep.Batches != 100 {
		t.Fatalf("%v: %v", rep, err)
	}
	setFlag(t, "rapid.checks", "1000")
	rep, err = verify.Ordering(cmp.Compare[int], rapid.Int(), verify.Batches(30))
	if err != nil || rep.Batches != 30 {
		t.Fatalf("%v: %v", rep, err)
	}
}

// With -rapid.nofailfile rapid takes another path after shrinking (it logs
// and replays instead of naming a fail file): the witness must still come
// back as an error, and nothing may be written.
func TestWitnessWithNoFailFileFlag(t *testing.T) {
	setFlag(t, "rapid.nofailfile", "true")
	_, err := verify.Ordering(lessOrEqual, rapid.Int())
	if le := lawError(t, err); le.Law != "reflexivity" || le.Values[0] != 0 {
		t.Errorf("got %v", err)
	}
	if _, err := os.Stat("testdata/rapid"); !os.IsNotExist(err) {
		t.Errorf("testdata/rapid exists: %v", err)
	}
}

// A failing check leaves the caller's test untouched: the *testing.T is
// not failed by rapid, only by the …T wrapper when asked.
func TestFailingCheckDoesNotFailCaller(t *testing.T) {
	_, err := verify.Ordering(subtraction, rapid.Int())
	if err == nil {
		t.Fatal("overflowing comparator passed")
	}
	if t.Failed() {
		t.Fatal("rapid failed the calling test")
	}
}

// The …T wrappers report through the narrow TB.
type recordT struct{ msgs []string }

func (r *recordT) Helper()                      {}
func (r *recordT) Errorf(f string, args ...any) { r.msgs = append(r.msgs, f) }

func TestWrappersFailThroughTB(t *testing.T) {
	var r recordT
	verify.OrderingT(&r, subtraction, rapid.Int())
	verify.OrderingT(&r, lessOrEqual, rapid.Int())
	verify.EquivalenceT(&r, func(a, b int) bool { return a <= b }, rapid.IntRange(0, 3))
	must(&r, verify.Groups(func(a, b int) bool { return true }, [][]int{{1}, {2}}))
	must(&r, verify.Groups(subtraction, [][]int{{2}, {1}}))
	verify.SameT(&r, absOld, func(int) int { return 0 }, rapid.Int())
	must(&r, verify.Threshold(func(n int) bool { return n > 0 }, 0, verify.AtLeast))
	must(&r, verify.Sensitive(func(func(a, b int) int) error { return nil }, cmp.Compare[int]))
	if len(r.msgs) != 8 {
		t.Errorf("%d failures reported, want 8", len(r.msgs))
	}
	var ok recordT
	verify.OrderingT(&ok, cmp.Compare[int], rapid.Int())
	must(&ok, verify.Threshold(func(x time.Time) bool { return !x.Before(time.Unix(5, 0)) }, time.Unix(5, 0), verify.AtLeast))
	if len(ok.msgs) != 0 {
		t.Errorf("correct functions reported: %v", ok.msgs)
	}
}
