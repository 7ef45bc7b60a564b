package verify

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Checkers wrap them, so test with errors.Is.
var (
	// ErrBadInput: an argument is invalid: a nil function or generator,
	// an empty group, an invalid Bound.
	ErrBadInput = errors.New("verify: bad input")
	// ErrBadOption: an option is invalid or typed for other values.
	ErrBadOption = errors.New("verify: bad option")
	// ErrVacuous: the check could not mean anything, because an outcome it
	// needs never occurred ([CoverageError]) or it let a broken variant of
	// the function pass ([SensitivityError]).
	ErrVacuous = errors.New("verify: vacuous check")
	// ErrGenerator: the generator failed to produce values (it panicked, or
	// filtered out every draw), or rapid could not run at all: outside a
	// test binary, call testing.Init and flag.Parse first (rapid reads
	// package testing's flags).
	ErrGenerator = errors.New("verify: generator failed")
	// ErrViolation: the function under test broke a law; every witness
	// error ([LawError], [DiffError]) wraps it.
	ErrViolation = errors.New("verify: violation")
)

// A LawError is a minimal witness that the function under test broke a law:
// a comparator or an equality ([Ordering], [Equivalence], [Groups]) or a
// predicate and its declared boundary ([Threshold], [ThresholdFunc]).
type LawError struct {
	// Checker names the checker, for example "ordering" or "threshold".
	Checker string
	// Law names the law broken, for example "transitivity of <" or, for a
	// threshold, the rule "x >= 10".
	Law string
	// Values is the witness (1, 2 or 3 values: a, b, c).
	Values []any
	// Calls lists the calls that show the violation with their results,
	// for example "cmp(a, b) = -1" or "pred(a) = false, want true".
	Calls []string
	// Results holds the same results as numbers (booleans as 0 and 1).
	Results []int
	// Hint names the likely mistake, when the checker knows it, for
	// example "> written where >= was meant".
	Hint string
	// Report counts what the check exercised before the failure, with the
	// seed to replay it (zero for the deterministic checks).
	Report Report
}

// Error names the law and shows the witness values, the calls, the hint
// and the rerun.
func (e *LawError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verify: %s violates %s:", e.Checker, e.Law)
	for i, v := range e.Values {
		fmt.Fprintf(&b, "\n\t%c = %s", 'a'+i, showValue(v))
	}
	if len(e.Calls) > 0 {
		fmt.Fprintf(&b, "\n\t%s", strings.Join(e.Calls, ", "))
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "\n\t%s", e.Hint)
	}
	b.WriteString(rerunLine(e.Report))
	return b.String()
}

// Unwrap returns [ErrViolation].
func (e *LawError) Unwrap() error { return ErrViolation }

// rerunLine is the last line of a failure: where it was found and how to
// replay it.
func rerunLine(r Report) string {
	if r.Seed == 0 {
		return ""
	}
	return fmt.Sprintf("\n\t(%s; rerun: %s)", foundWhere(r), r.Rerun)
}

// A CoverageError reports that an outcome a check needs never occurred
// often enough, with every count.
type CoverageError struct {
	// Checker names the checker.
	Checker string
	// Count names the first count short of its minimum, as Report.String
	// prints it ("less", "equal pairs", …).
	Count string
	// Min is the count it needed.
	Min int
	// Report holds every count.
	Report Report
	// Hint says what the missing outcome means, when the checker knows.
	Hint string
}

// Error names the missing outcome and shows every count.
func (e *CoverageError) Error() string {
	got := 0
	for _, k := range counts {
		if k.name == e.Count {
			got = *k.get(&e.Report)
		}
	}
	s := fmt.Sprintf("verify: %s is vacuous: outcome %q occurred %d times, need at least %d (%s)",
		e.Checker, e.Count, got, e.Min, e.Report)
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	if e.Report.Rerun != "" {
		s += "; rerun: " + e.Report.Rerun
	}
	return s
}

// Unwrap returns [ErrVacuous].
func (e *CoverageError) Unwrap() error { return ErrVacuous }

// A SensitivityError lists the mutants of a function that a test let pass.
type SensitivityError struct {
	// Survivors names the mutants the test did not catch.
	Survivors []string
	// Caught names the mutants the test caught.
	Caught []string
	// Seed is the seed every run of the test was pinned to.
	Seed uint64
}

// Error lists the surviving mutants.
func (e *SensitivityError) Error() string {
	return fmt.Sprintf("verify: test is not sensitive: %d of %d mutants pass it: %s (seed %d)",
		len(e.Survivors), len(e.Survivors)+len(e.Caught), strings.Join(e.Survivors, "; "), e.Seed)
}

// Unwrap returns [ErrVacuous]: a test that cannot fail proves nothing.
func (e *SensitivityError) Unwrap() error { return ErrVacuous }
