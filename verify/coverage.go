package verify

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// A Class is an outcome class that checkers count, in the spirit of
// QuickCheck's checkCoverage: a check whose required classes never occur
// fails with [ErrVacuous] instead of passing.
type Class string

// Outcome classes. Ordering checks count the sign of cmp between values drawn
// independently from the generator (not forced duplicates or edge values);
// equivalence checks count eq's result likewise; [Same] counts inputs.
const (
	ClassLess     Class = "less"
	ClassEqual    Class = "equal"
	ClassGreater  Class = "greater"
	ClassTrue     Class = "true"
	ClassFalse    Class = "false"
	ClassSame     Class = "same"
	ClassDiffer   Class = "differ"
	ClassIntended Class = "intended"
)

// A Report tells what a check exercised.
type Report struct {
	// Batches is the number of batches (for [Same]: inputs) checked.
	Batches int
	// Drawn is how many values the generator produced in those batches
	// (forced duplicates and edge values not included).
	Drawn int
	// Counts holds how often each outcome class occurred.
	Counts map[Class]int
	// Search is the time spent generating and checking until the first
	// failure (or in all, when nothing failed).
	Search time.Duration
	// Shrinks is how many executions rapid spent shrinking the failure.
	Shrinks int
}

// String returns the counts in a stable order, e.g. "100 batches, 310 values drawn: equal=12 greater=140 less=139".
func (r Report) String() string {
	keys := make([]string, 0, len(r.Counts))
	for k := range r.Counts {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, r.Counts[Class(k)])
	}
	if len(parts) == 0 {
		parts = append(parts, "no outcomes")
	}
	return fmt.Sprintf("%d batches, %d values drawn: %s", r.Batches, r.Drawn, strings.Join(parts, " "))
}

// covered returns a CoverageError for the first requirement (in a stable
// order) that rep does not meet.
func covered(check string, rep Report, defaults map[Class]int, extra map[Class]int, hints map[Class]string) error {
	req := map[Class]int{}
	for k, v := range defaults {
		req[k] = v
	}
	for k, v := range extra {
		req[k] = max(req[k], v)
	}
	keys := make([]string, 0, len(req))
	for k := range req {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	for _, k := range keys {
		cl := Class(k)
		if rep.Counts[cl] < req[cl] {
			return &CoverageError{Check: check, Class: cl, Min: req[cl], Report: rep, Hint: hints[cl]}
		}
	}
	return nil
}
