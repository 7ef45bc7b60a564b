package verify

import (
	"errors"
	"fmt"
	"strings"

	"github.com/deploysafe/deploysafe/verify/internal/engine"
)

// Sentinel errors. Checkers wrap them, so test with errors.Is.
var (
	// ErrNilFunc: the function under test (or one given to an option) is nil.
	ErrNilFunc = errors.New("verify: nil function")
	// ErrNilGenerator: the generator is nil.
	ErrNilGenerator = errors.New("verify: nil generator")
	// ErrBadOption: an option is invalid or typed for other values.
	ErrBadOption = errors.New("verify: bad option")
	// ErrBadInput: an argument other than a function is invalid.
	ErrBadInput = errors.New("verify: bad input")
	// ErrVacuous: the check could not mean anything, because an outcome it
	// needs never occurred (see [CoverageError]).
	ErrVacuous = errors.New("verify: vacuous check")
	// ErrGenerator: the generator failed to produce values.
	ErrGenerator = errors.New("verify: generator failed")
	// ErrViolation: the function under test broke a law; every witness
	// error ([LawError], [DiffError], [ThresholdError]) wraps it.
	ErrViolation = errors.New("verify: violation")
	// ErrRapid: rapid could not run at all, typically outside a test binary
	// (rapid reads package testing's flags): call testing.Init and
	// flag.Parse first.
	ErrRapid = engine.ErrRapid
)

// A LawError is a minimal witness that a comparator or an equality broke a
// law. It is returned by [Ordering], [OrderingLess], [Equivalence],
// [Groups] and [OrderedGroups].
type LawError struct {
	// Check is the checker's name, for example "ordering".
	Check string
	// Law names the law broken, for example "transitivity of <".
	Law string
	// Values is the witness (1, 2 or 3 values: a, b, c).
	Values []any
	// Calls lists the calls that show the violation with their results,
	// for example "cmp(a, b) = -1".
	Calls []string
	// Results holds the same results as numbers (booleans as 0 and 1).
	Results []int
	// Batches is how many batches ran before the failure was found.
	Batches int
}

// Error names the law and shows the witness values and calls.
func (e *LawError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verify: %s violates %s:", e.Check, e.Law)
	for i, v := range e.Values {
		fmt.Fprintf(&b, "\n\t%c = %s", 'a'+i, showValue(v))
	}
	if len(e.Calls) > 0 {
		fmt.Fprintf(&b, "\n\t%s", strings.Join(e.Calls, ", "))
	}
	return b.String()
}

// Unwrap returns [ErrViolation].
func (e *LawError) Unwrap() error { return ErrViolation }

// A CoverageError reports that an outcome class a check needs never
// occurred often enough, with the counts of every class.
type CoverageError struct {
	// Check is the checker's name.
	Check string
	// Class is the first class short of its requirement.
	Class Class
	// Min is the count Class needed.
	Min int
	// Report holds every count.
	Report Report
	// Hint says what the missing class means, when the checker knows.
	Hint string
}

// Error names the missing class and shows every count.
func (e *CoverageError) Error() string {
	s := fmt.Sprintf("verify: %s is vacuous: outcome %q occurred %d times, need at least %d (%s)",
		e.Check, e.Class, e.Report.Counts[e.Class], e.Min, e.Report)
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	return s
}

// Unwrap returns [ErrVacuous].
func (e *CoverageError) Unwrap() error { return ErrVacuous }

// A SensitivityError lists the mutants of a function that a check let pass.
type SensitivityError struct {
	// Survivors names the mutants the check did not catch.
	Survivors []string
	// Caught names the mutants the check caught.
	Caught []string
}

// Error lists the surviving mutants.
func (e *SensitivityError) Error() string {
	return fmt.Sprintf("verify: check is not sensitive: %d of %d mutants pass it: %s",
		len(e.Survivors), len(e.Survivors)+len(e.Caught), strings.Join(e.Survivors, "; "))
}

// Unwrap returns [ErrVacuous]: a check that cannot fail proves nothing.
func (e *SensitivityError) Unwrap() error { return ErrVacuous }
