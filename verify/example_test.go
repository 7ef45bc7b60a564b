package verify_test

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

// fakeT stands in for *testing.T to show what a failing …T wrapper
// reports; it prints the first line of the message.
type fakeT struct{}

func (fakeT) Helper() {}
func (fakeT) Errorf(format string, args ...any) {
	first, _, _ := strings.Cut(fmt.Sprintf(format, args...), "\n")
	fmt.Println("FAIL:", first)
}

func ExampleOrdering() {
	_, err := verify.Ordering(cmp.Compare[int], rapid.Int())
	fmt.Println("cmp.Compare:", err)

	// Rock-paper-scissors: each beats the one before it, cyclically.
	rps := func(a, b int) int {
		switch {
		case a == b:
			return 0
		case (a+1)%3 == b:
			return -1
		}
		return 1
	}
	_, err = verify.Ordering(rps, rapid.IntRange(0, 2), verify.NoDefaultEdges())
	var le *verify.LawError
	if errors.As(err, &le) {
		fmt.Println("rock-paper-scissors:", le.Law, "with", len(le.Values), "values")
	}
	// Output:
	// cmp.Compare: <nil>
	// rock-paper-scissors: transitivity of < with 3 values
}

func ExampleOrdering_less() {
	// A less function: <= where < was meant. Seed fixes the seed that the
	// message names (every failure says how to replay it).
	_, err := verify.Ordering(func(a, b int) bool { return a <= b }, rapid.Int(), verify.Seed(1))
	fmt.Println(err)
	// Output:
	// verify: less ordering violates reflexivity:
	//	a = int(0)
	//	less(a, a) = true
	//	(found among the 8 edge values, seed 1; rerun: verify.Seed(1) or -rapid.seed=1)
}

func ExampleOrderingT() {
	// Sorting people by last name, then first name, with a broken tie-break.
	type person struct{ Last, First string }
	less := func(a, b person) bool { return a.Last < b.Last || a.First < b.First }
	name := rapid.SampledFrom([]string{"ada", "bob"})
	gen := rapid.Custom(func(t *rapid.T) person {
		return person{name.Draw(t, "last"), name.Draw(t, "first")}
	})
	var t fakeT // in a test: t *testing.T
	verify.OrderingT(t, less, gen)
	// Output:
	// FAIL: verify: less ordering violates antisymmetry:
}

func ExampleEquivalence() {
	// == on time.Time compares the zone too: the same instant in two zones
	// is "different" while Compare says equal.
	eq := func(a, b time.Time) bool { return a == b }
	_, err := verify.Equivalence(eq, rapid.Just(time.Unix(0, 0).UTC()), verify.Order(time.Time.Compare))
	var le *verify.LawError
	if errors.As(err, &le) {
		fmt.Println(le.Law)
	}
	// Output:
	// consistency with the order (cmp == 0 ⇔ eq)
}

func ExampleGroups() {
	groups := [][]string{{"go", "Go", "GO"}, {"rust"}}
	fmt.Println(verify.Groups(strings.EqualFold, groups, verify.Key(strings.ToLower)))
	fmt.Println(verify.Groups(func(a, b string) bool { return a == b }, groups))
	// Output:
	// <nil>
	// verify: groups violates equality within a group:
	//	a = string("go")
	//	b = string("Go")
	//	a = groups[0][0], b = groups[0][1], eq(a, b) = false
}

func ExampleGroups_ordered() {
	byLen := func(a, b string) int { return cmp.Compare(len(b), len(a)) } // reversed by mistake
	err := verify.Groups(byLen, [][]string{{"a", "b"}, {"ab"}})
	fmt.Println(err)
	// Output:
	// verify: groups violates order across groups:
	//	a = string("a")
	//	b = string("ab")
	//	a = groups[0][0], b = groups[1][0], cmp(a, b) = +1, want -1
}

func ExampleSame() {
	oldAbs := func(x int) int {
		if x < 0 {
			return -x
		}
		return x
	}
	newAbs := func(x int) int { // a "simplification" that breaks zero
		if x <= 0 {
			return 1 - x
		}
		return x
	}
	_, err := verify.Same(oldAbs, newAbs, rapid.Int())
	var de *verify.DiffError
	if errors.As(err, &de) {
		fmt.Printf("input %v: old %v, new %v\n", de.Input, de.Old, de.New)
	}

	// An intended change is counted, not failed.
	clamp := func(x int) int { return max(x, 0) }
	rep, err := verify.Same(oldAbs, clamp, rapid.Int(),
		verify.Intended(func(in, old, new int) bool { return in < 0 && new == 0 }))
	fmt.Println(err, rep.Intended > 0, rep.Differ)
	// Output:
	// input 0: old 0, new 1
	// <nil> true 0
}

func ExampleThreshold() {
	// The rule says "at least 3 replicas", the code says more than 3.
	enough := func(replicas int) bool { return replicas > 3 }
	fmt.Println(verify.Threshold(enough, 3, verify.AtLeast))
	// Output:
	// verify: threshold violates x >= 3:
	//	a = int(3)
	//	pred(a) = false, want true
	//	> written where >= was meant
}

func ExampleThreshold_time() {
	cutoff := time.Date(2026, 11, 24, 13, 29, 0, 0, time.UTC)
	expired := func(t time.Time) bool { return t.After(cutoff) || t == cutoff }
	var le *verify.LawError
	if errors.As(verify.Threshold(expired, cutoff, verify.AtLeast), &le) {
		fmt.Println(le.Law, "at", le.Values[0])
		fmt.Println(le.Hint)
	}
	// Output:
	// t >= 2026-11-24T13:29:00Z at 2026-11-25 03:29:00 +1400 UTC+14
	// the same instant in another representation (zone, monotonic reading) gets another answer: compare with Compare, Before, After or Equal, not == or wall-clock fields
}

func ExampleSensitive() {
	orderingOnly := func(c func(a, b int) int) error {
		_, err := verify.Ordering(c, rapid.IntRange(0, 3))
		return err
	}
	var se *verify.SensitivityError
	if errors.As(verify.Sensitive(orderingOnly, cmp.Compare[int]), &se) {
		fmt.Println("survivors:", strings.Join(se.Survivors, ", "))
	}

	withGroups := func(c func(a, b int) int) error {
		if err := orderingOnly(c); err != nil {
			return err
		}
		return verify.Groups(c, [][]int{{0}, {1}, {2}})
	}
	fmt.Println(verify.Sensitive(withGroups, cmp.Compare[int]))
	// Output:
	// survivors: swapped arguments, negated result
	// <nil>
}

func ExampleRequire() {
	_, err := verify.Ordering(cmp.Compare[int], rapid.Just(7))
	var ce *verify.CoverageError
	if errors.As(err, &ce) {
		fmt.Println(errors.Is(err, verify.ErrVacuous), ce.Count, ce.Report.Less)
	}
	// Ties between independently drawn values can be required too.
	_, err = verify.Ordering(cmp.Compare[int], rapid.IntRange(0, 1000), verify.Require(verify.Report{Equal: 1000}))
	fmt.Println(errors.Is(err, verify.ErrVacuous))
	// Output:
	// true less 0
	// true
}

func ExampleSamePairs() {
	// A refactor turned "a > b" into "a >= b": the two differ only on
	// equal inputs, which SamePairs tries first and often.
	_, err := verify.SamePairs(
		func(a, b int) bool { return a > b },
		func(a, b int) bool { return a >= b },
		rapid.Int())
	var de *verify.DiffError
	if errors.As(err, &de) {
		fmt.Printf("input %v: old %v, new %v\n", de.Input, de.Old, de.New)
	}
	rep, err := verify.SamePairs(
		func(a, b int) bool { return a > b },
		func(a, b int) bool { return b < a },
		rapid.Int())
	fmt.Println(err, rep.EqualPairs > 0, rep.NearPairs > 0)
	// Output:
	// input [0 0]: old false, new true
	// <nil> true true
}

func ExampleThreshold_float() {
	// An epsilon-free float threshold, off by one ulp.
	limit, a, b := 0.3, 0.1, 0.2
	over := func(load float64) bool { return load >= a+b } // a+b is 0.30000000000000004
	var le *verify.LawError
	if errors.As(verify.Threshold(over, limit, verify.AtLeast), &le) {
		fmt.Println(le.Law, "at", le.Values[0], "-", le.Hint)
	}
	// Output:
	// x >= 0.3 at 0.3 - > written where >= was meant
}

func ExampleThresholdFunc() {
	type version struct{ Minor, Patch int }
	compare := func(a, b version) int { return cmp.Or(cmp.Compare(a.Minor, b.Minor), cmp.Compare(a.Patch, b.Patch)) }
	prev := func(v version) version { v.Patch--; return v }
	next := func(v version) version { v.Patch++; return v }
	// "Supported from 4.2 on", with > for >=.
	supported := func(v version) bool { return v.Minor > 4 || v.Minor == 4 && v.Patch > 2 }
	err := verify.ThresholdFunc(supported, version{4, 2}, verify.AtLeast, compare, prev, next)
	fmt.Println(err)
	// Output:
	// verify: threshold violates x >= verify_test.version{Minor: 4, Patch: 2}:
	//	a = verify_test.version{Minor: 4, Patch: 2}
	//	pred(a) = false, want true
	//	> written where >= was meant
}

func ExampleNoDefaultEdges() {
	// A comparator for version strings that treats "1.10" and "1.1" as
	// equal: the numeric pools catch it on every run.
	byNumber := func(a, b string) int {
		fa, ea := strconv.ParseFloat(a, 64)
		fb, eb := strconv.ParseFloat(b, 64)
		if ea == nil && eb == nil && fa == fb {
			return 0
		}
		return strings.Compare(a, b)
	}
	_, err := verify.Ordering(byNumber, rapid.String())
	var le *verify.LawError
	if errors.As(err, &le) {
		fmt.Println(le.Law, "among the edges:", le.Report.Batches == 0)
	}
	// Without those pools, the edges alone no longer find it.
	_, err = verify.Ordering(byNumber, rapid.String(), verify.NoDefaultEdges("numeric", "radix", "bigint"))
	fmt.Println(errors.As(err, &le) && le.Report.Batches == 0)
	// Output:
	// transitivity of < among the edges: true
	// false
}

func ExampleAllowVacuous() {
	_, err := verify.Ordering(cmp.Compare[int], rapid.Just(7))
	fmt.Println(errors.Is(err, verify.ErrVacuous))
	_, err = verify.Ordering(cmp.Compare[int], rapid.Just(7), verify.AllowVacuous())
	fmt.Println(err)
	// Output:
	// true
	// <nil>
}

func ExampleSeed() {
	rep, _ := verify.Ordering(cmp.Compare[int], rapid.IntRange(0, 9), verify.Seed(42))
	again, _ := verify.Ordering(cmp.Compare[int], rapid.IntRange(0, 9), verify.Seed(42))
	fmt.Println(rep.Seed, rep.Rerun)
	fmt.Println(rep.Less == again.Less && rep.Equal == again.Equal && rep.Drawn == again.Drawn)
	// Output:
	// 42 verify.Seed(42) or -rapid.seed=42
	// true
}
