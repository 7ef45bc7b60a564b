package verify

import (
	"fmt"
	"strings"
	"time"
)

// A Report tells what a check exercised. The counts are taken over values
// drawn independently from the generator (not forced copies or edge
// values), in the spirit of QuickCheck's checkCoverage: a check whose
// needed outcomes never occur fails with [ErrVacuous] instead of passing.
// [Require] asks for more of any count.
type Report struct {
	// Batches is the number of random batches (for [Same] and [SamePairs]:
	// inputs) checked.
	Batches int
	// Drawn is how many values the generator produced in those batches.
	Drawn int
	// Edges is how many edge values were checked together, every pair and
	// triple of them, before the random batches.
	Edges int

	// Less, Equal and Greater count the signs of cmp between independent
	// draws ([Ordering]).
	Less, Equal, Greater int
	// True and False count eq's answers between independent draws
	// ([Equivalence]).
	True, False int
	// Same, Differ and Intended count inputs on which old and new agreed,
	// differed, or differed as [Intended] declares ([Same], [SamePairs]).
	Same, Differ, Intended int
	// EqualPairs and NearPairs count the pairs [SamePairs] tried whose
	// halves were equal or neighbours (one step, ulp, case or zone apart).
	EqualPairs, NearPairs int

	// Seed is the seed the random batches were drawn from; Rerun says how
	// to replay them.
	Seed uint64
	// Rerun is a copy-paste rerun, for example "verify.Seed(42)".
	Rerun string
	// Search is the time spent generating and checking until the first
	// failure (or in all, when nothing failed).
	Search time.Duration
	// Shrinks is how many executions rapid spent shrinking the failure.
	Shrinks int
}

// counts names Report's count fields, in the order String prints them.
var counts = []struct {
	name string
	get  func(r *Report) *int
}{
	{"less", func(r *Report) *int { return &r.Less }},
	{"equal", func(r *Report) *int { return &r.Equal }},
	{"greater", func(r *Report) *int { return &r.Greater }},
	{"true", func(r *Report) *int { return &r.True }},
	{"false", func(r *Report) *int { return &r.False }},
	{"same", func(r *Report) *int { return &r.Same }},
	{"differ", func(r *Report) *int { return &r.Differ }},
	{"intended", func(r *Report) *int { return &r.Intended }},
	{"equal pairs", func(r *Report) *int { return &r.EqualPairs }},
	{"near pairs", func(r *Report) *int { return &r.NearPairs }},
}

// String returns the counts that occurred and the seed, for example
// "100 batches, 310 values drawn, 12 edges: less=139 equal=12 greater=140; seed 42".
func (r Report) String() string {
	var parts []string
	for _, c := range counts {
		if n := *c.get(&r); n != 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", c.name, n))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no outcomes")
	}
	s := fmt.Sprintf("%d batches, %d values drawn", r.Batches, r.Drawn)
	if r.Edges > 0 {
		s += fmt.Sprintf(", %d edges", r.Edges)
	}
	s += ": " + strings.Join(parts, " ")
	if r.Seed != 0 {
		s += fmt.Sprintf("; seed %d", r.Seed)
	}
	return s
}

// covered returns a CoverageError for the first count (in String's order)
// below its minimum: the larger of the checker's default and the user's
// [Require]. allowVacuous drops the defaults.
func covered(checker string, rep Report, defaults Report, c *config, hints map[string]string) error {
	for _, k := range counts {
		need := *k.get(&c.require)
		if !c.allowVacuous {
			need = max(need, *k.get(&defaults))
		}
		if got := *k.get(&rep); got < need {
			return &CoverageError{Checker: checker, Count: k.name, Min: need, Report: rep, Hint: hints[k.name]}
		}
	}
	return nil
}
