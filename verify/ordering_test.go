package verify_test

import (
	"cmp"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

// The classic broken comparators of the issue, shared by tests and benchmarks.

type person struct {
	Last, First string
}

var (
	lessOrEqual = func(a, b int) bool { return a <= b }
	subtraction = func(a, b int) int { return a - b }
	floatLess   = func(a, b float64) int {
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	brokenTieBreak    = func(a, b person) bool { return a.Last < b.Last || a.First < b.First }
	rockPaperScissors = func(a, b int) int {
		// 0 rock, 1 paper, 2 scissors: each beats the one before it, cyclically.
		switch {
		case a == b:
			return 0
		case (a+1)%3 == b:
			return -1
		}
		return 1
	}
	timeEq = func(a, b time.Time) int {
		switch {
		case a == b:
			return 0
		case a.Before(b):
			return -1
		}
		return 1
	}
	foldCmp = func(a, b string) int {
		if a == b {
			return 0
		}
		if strings.ToLower(a) < strings.ToLower(b) {
			return -1
		}
		return 1
	}

	correctPerson = func(a, b person) int {
		if c := cmp.Compare(a.Last, b.Last); c != 0 {
			return c
		}
		return cmp.Compare(a.First, b.First)
	}
)

func genPerson() *rapid.Generator[person] {
	name := rapid.SampledFrom([]string{"ada", "bob", "cy"})
	return rapid.Custom(func(t *rapid.T) person {
		return person{Last: name.Draw(t, "last"), First: name.Draw(t, "first")}
	})
}

func genRPS() *rapid.Generator[int] { return rapid.IntRange(0, 2) }

// genInstant draws instants from a small pool, in UTC or a fixed zone.
func genInstant() *rapid.Generator[time.Time] {
	zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("EST", -5*3600)}
	return rapid.Custom(func(t *rapid.T) time.Time {
		sec := rapid.Int64Range(0, 4).Draw(t, "sec")
		z := rapid.IntRange(0, len(zones)-1).Draw(t, "zone")
		return time.Unix(1_700_000_000+sec, 0).In(zones[z])
	})
}

func genWord() *rapid.Generator[string] { return rapid.StringMatching(`[abAB]{0,2}`) }

func lawError(t *testing.T, err error) *verify.LawError {
	t.Helper()
	var le *verify.LawError
	if !errors.As(err, &le) {
		t.Fatalf("want *verify.LawError, got %v", err)
	}
	if !errors.Is(err, verify.ErrViolation) {
		t.Errorf("LawError does not wrap ErrViolation")
	}
	return le
}

func TestOrderingCatchesClassicBugs(t *testing.T) {
	tests := []struct {
		name  string
		check func() (verify.Report, error)
		law   string
		size  int
	}{
		{"<= as less", func() (verify.Report, error) { return verify.Ordering(lessOrEqual, rapid.Int()) }, "reflexivity", 1},
		{"a-b overflow", func() (verify.Report, error) { return verify.Ordering(subtraction, rapid.Int()) }, "", 0},
		{"NaN with <", func() (verify.Report, error) { return verify.Ordering(floatLess, rapid.Float64()) }, "transitivity of ==", 3},
		{"broken tie-break", func() (verify.Report, error) { return verify.Ordering(brokenTieBreak, genPerson()) }, "antisymmetry", 2},
		{"rock-paper-scissors", func() (verify.Report, error) {
			return verify.Ordering(rockPaperScissors, genRPS(), verify.NoDefaultEdges())
		}, "transitivity of <", 3},
		{"time.Time ==", func() (verify.Report, error) { return verify.Ordering(timeEq, genInstant()) }, "antisymmetry", 2},
		{"case-insensitive with ==", func() (verify.Report, error) { return verify.Ordering(foldCmp, genWord()) }, "antisymmetry", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.check()
			le := lawError(t, err)
			if tt.law != "" && (le.Law != tt.law || len(le.Values) != tt.size) {
				t.Errorf("law %q with %d values, want %q with %d:\n%v", le.Law, len(le.Values), tt.law, tt.size, err)
			}
			t.Log(err)
		})
	}
}

func TestOrderingWitnessIsMinimal(t *testing.T) {
	_, err := verify.Ordering(subtraction, rapid.Int())
	le := lawError(t, err)
	// rapid shrinks to one of two local minima: the pair (0, MinInt), where
	// both differences overflow negative (antisymmetry), or a triple like
	// (-MaxInt, 0, MaxInt) (transitivity). Either keeps an extreme and
	// otherwise only small numbers.
	extremes := 0
	for _, v := range le.Values {
		switch x := v.(int); {
		case x <= math.MinInt+1 || x >= math.MaxInt-1:
			extremes++
		case x < -8 || x > 8:
			t.Errorf("witness value %d not shrunk: %v", x, err)
		}
	}
	if extremes == 0 || len(le.Results) != len(le.Values) {
		t.Errorf("witness without an extreme int or with %d results: %v", len(le.Results), err)
	}
	if le.Law != "antisymmetry" && le.Law != "transitivity of <" {
		t.Errorf("law %q: %v", le.Law, err)
	}
	if !strings.Contains(err.Error(), "int(") {
		t.Errorf("values not printed with go-cmp formatting: %v", err)
	}
}

func TestOrderingCorrectComparatorsNoFalsePositives(t *testing.T) {
	const seeds = 1000 // one batch per rapid seed
	t.Run("cmp.Compare[int]", func(t *testing.T) {
		rep, err := verify.Ordering(cmp.Compare[int], rapid.Int(), verify.Batches(seeds))
		if err != nil || rep.Batches != seeds {
			t.Errorf("%v: %v", rep, err)
		}
	})
	t.Run("cmp.Compare[float64]", func(t *testing.T) {
		verify.OrderingT(t, cmp.Compare[float64], rapid.Float64(), verify.Batches(seeds))
	})
	t.Run("strings.Compare", func(t *testing.T) {
		verify.OrderingT(t, strings.Compare, genWord(), verify.Batches(seeds))
	})
	t.Run("time.Time.Compare", func(t *testing.T) {
		verify.OrderingT(t, time.Time.Compare, genInstant(), verify.Batches(seeds))
	})
	t.Run("multi-field lexicographic", func(t *testing.T) {
		verify.OrderingT(t, correctPerson, genPerson(), verify.Batches(seeds))
	})
	t.Run("less", func(t *testing.T) {
		verify.OrderingT(t, func(a, b int) bool { return a < b }, rapid.IntRange(-3, 3), verify.Batches(seeds))
	})
}

func TestOrderingBadInput(t *testing.T) {
	if _, err := verify.Ordering[int, func(a, b int) int](nil, rapid.Int()); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil cmp: %v", err)
	}
	if _, err := verify.Ordering[int, func(a, b int) bool](nil, rapid.Int()); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil less: %v", err)
	}
	if _, err := verify.Ordering(cmp.Compare[int], (*rapid.Generator[int])(nil)); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil generator: %v", err)
	}
	_, err := verify.Ordering(cmp.Compare[int], rapid.Just(7))
	var ce *verify.CoverageError
	if !errors.Is(err, verify.ErrVacuous) || !errors.As(err, &ce) || ce.Report.Equal == 0 {
		t.Errorf("constant generator: want a CoverageError with counts, got %v", err)
	}
	never := rapid.Int().Filter(func(int) bool { return false })
	if _, err = verify.Ordering(cmp.Compare[int], never, verify.NoDefaultEdges()); !errors.Is(err, verify.ErrGenerator) {
		t.Errorf("generator that produces nothing: %v", err)
	}
	// With edge values batches still form, but nothing was drawn: vacuous.
	if _, err = verify.Ordering(cmp.Compare[int], never); !errors.Is(err, verify.ErrVacuous) || !strings.Contains(err.Error(), "0 values drawn") {
		t.Errorf("generator that produces nothing, with edges: %v", err)
	}
	_, err = verify.Ordering(cmp.Compare[int], rapid.Custom(func(*rapid.T) int { panic("boom") }))
	if !errors.Is(err, verify.ErrGenerator) || !strings.Contains(err.Error(), "boom") {
		t.Errorf("panicking generator: %v", err)
	}
	if _, err = verify.Ordering(cmp.Compare[int], rapid.Int(), verify.Edges("x")); !errors.Is(err, verify.ErrBadOption) {
		t.Errorf("Edges of the wrong type: %v", err)
	}
	if _, err = verify.Ordering(cmp.Compare[int], rapid.Int(), verify.Batches(0)); !errors.Is(err, verify.ErrBadOption) {
		t.Errorf("Batches(0): %v", err)
	}
}

func TestOrderingComparatorPanicIsWitness(t *testing.T) {
	_, err := verify.Ordering(func(a, b int) int {
		if a == 3 || b == 3 {
			panic("three")
		}
		return cmp.Compare(a, b)
	}, rapid.IntRange(0, 5))
	le := lawError(t, err)
	if le.Law != "no panic" || !strings.Contains(err.Error(), "three") {
		t.Errorf("got %v", err)
	}
}

// A failing check must not leave rapid fail files behind (rapid writes them
// under testdata/rapid when a test fails).
func TestNoFailFilesWritten(t *testing.T) {
	_, _ = verify.Ordering(subtraction, rapid.Int())
	if _, err := os.Stat("testdata/rapid"); !os.IsNotExist(err) {
		t.Errorf("testdata/rapid exists after a failing check: %v", err)
	}
}
