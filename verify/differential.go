package verify

import (
	"fmt"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify/internal/engine"
	"github.com/deploysafe/deploysafe/verify/internal/show"
)

// A DiffError is an input on which the old and the new function disagree
// and no [Intended] predicate accepted the difference. The input is the one
// rapid shrank to.
type DiffError struct {
	// Input is the input ([2]T{a, b} for [SamePairs]).
	Input any
	// Old and New are the two outputs, or "panic(…)" for a call that
	// panicked.
	Old, New any
	// Diff is go-cmp's diff of the outputs (-old +new).
	Diff string
	// Report counts the inputs checked before this one, with the seed.
	Report Report
}

// Error shows the input, the counts so far, the diff of the outputs and
// the rerun.
func (e *DiffError) Error() string {
	return fmt.Sprintf("verify: old and new differ on input %s (%s):\n%s%s",
		showValue(e.Input), e.Report, e.Diff, rerunLine(e.Report))
}

// Unwrap returns [ErrViolation].
func (e *DiffError) Unwrap() error { return ErrViolation }

// Same checks a change differentially: on inputs from gen, the new function
// must return what the old one returned (compared with go-cmp, tuned by
// [CmpOptions]), unless the difference is declared with [Intended].
// Unlike go-cmp alone, Same tells two time.Time values apart when they are
// one instant in two Locations (another zone name, offset or Location
// name), anywhere in the output; a CmpOptions option of your own for
// time.Time, such as cmp.Comparer(time.Time.Equal), replaces that.
// A panic counts as an output: both must panic alike or not at all.
// The edge values of In (see the package documentation) are tried first,
// then random inputs.
//
// The [Report] counts inputs as Same, Intended and Differ; look at the
// intended count (or bound it with Require(verify.Report{Same: n})) so that
// an Intended predicate that swallows every difference is seen. It returns
// a [*DiffError] on the shrunk input.
//
// For a function of two values of one type (a comparison, a merge), use
// [SamePairs]: it tries equal and neighbouring halves, where `>` and `>=`
// differ.
func Same[In, Out any](old, new func(In) Out, gen *rapid.Generator[In], opts ...Option) (Report, error) {
	const name = "differential check"
	if old == nil || new == nil {
		return Report{}, fmt.Errorf("%w: Same: old or new is nil", ErrBadInput)
	}
	if gen == nil {
		return Report{}, fmt.Errorf("%w: %s: nil generator", ErrBadInput, name)
	}
	c := newConfig(opts)
	edges := edgesFor[In](c, gen)
	if err := c.err(); err != nil {
		return Report{}, err
	}
	d := differential[In, Out]{name: name, old: old, new: new, c: c, rep: Report{Edges: len(edges)}}
	return d.check(edges, func(t *rapid.T) In { return drawInput(t, gen, edges) }, Report{})
}

// SamePairs is [Same] for functions of two values of one type, such as a
// comparison: on pairs (a, b) it requires new(a, b) to equal old(a, b).
// It first tries every ordered pair of T's edge values (up to 64), then
// random pairs whose second half is often a copy of the first (an equal
// pair) or its neighbour (one step, one ulp, another case or zone): the
// inputs on which `>` and `>=` differ. The Report counts them as
// EqualPairs and NearPairs; a check that tried no equal pair fails with
// [ErrVacuous] unless [AllowVacuous]. [Intended] predicates take the pair
// as a [2]T.
func SamePairs[T, Out any](old, new func(a, b T) Out, gen *rapid.Generator[T], opts ...Option) (Report, error) {
	const name = "differential check of pairs"
	if old == nil || new == nil {
		return Report{}, fmt.Errorf("%w: SamePairs: old or new is nil", ErrBadInput)
	}
	if gen == nil {
		return Report{}, fmt.Errorf("%w: %s: nil generator", ErrBadInput, name)
	}
	c := newConfig(opts)
	edges := edgesFor[T](c, gen)
	if err := c.err(); err != nil {
		return Report{}, err
	}
	var pairs [][2]T
	for _, a := range edges {
		for _, b := range edges {
			pairs = append(pairs, [2]T{a, b})
		}
	}
	d := differential[[2]T, Out]{
		name: name, c: c, rep: Report{Edges: len(edges)},
		old: func(p [2]T) Out { return old(p[0], p[1]) },
		new: func(p [2]T) Out { return new(p[0], p[1]) },
	}
	draw := func(t *rapid.T) [2]T {
		p, kind := drawPair(t, gen, edges)
		if t != nil && d.searching {
			switch kind {
			case pairEqual:
				d.rep.EqualPairs++
			case pairNear:
				d.rep.NearPairs++
			}
		}
		return p
	}
	return d.check(pairs, draw, Report{EqualPairs: 1})
}

// differential is one Same or SamePairs check.
type differential[In, Out any] struct {
	name      string
	old, new  func(In) Out
	c         *config
	rep       Report
	searching bool
}

// check tries the edge inputs, then random ones from draw, and applies the
// coverage minimums need.
func (d *differential[In, Out]) check(edges []In, draw func(t *rapid.T) In, need Report) (Report, error) {
	c := d.c
	intended := typed[func(in In, old, new Out) bool](c, "Intended", c.intended)
	if err := c.err(); err != nil {
		return Report{}, err
	}
	var witness *DiffError
	start := time.Now()
	for _, in := range edges {
		w, _, err := d.compare(in, intended)
		if err != nil {
			return d.rep, fmt.Errorf("verify: %s: %w", d.name, err)
		}
		if w != nil {
			stampEdgeFailure(&d.rep, c, start)
			w.Report = d.rep
			return d.rep, w
		}
	}
	edgeTime := time.Since(start)
	failed, err := run(&d.rep, c, func(t *rapid.T, searching bool) (bool, error) {
		d.searching = searching
		in := draw(t)
		w, class, err := d.compare(in, intended)
		if err != nil {
			return false, err
		}
		if searching {
			d.rep.Drawn++
			*class++
		}
		if w != nil {
			witness = w
		}
		return w != nil, nil
	})
	d.rep.Search += edgeTime
	switch {
	case err != nil:
		return d.rep, fmt.Errorf("verify: %s: %w", d.name, err)
	case failed:
		witness.Report = d.rep
		return d.rep, witness
	}
	return d.rep, covered(d.name, d.rep, need, c, map[string]string{
		"same":        "too few inputs where old and new agree: does Intended accept every difference?",
		"equal pairs": "no pair with equal halves was tried: raise Batches",
	})
}

// compare runs old and new on in. It returns the witness when they differ
// unintendedly, and the count the input belongs to.
func (d *differential[In, Out]) compare(in In, intended func(in In, old, new Out) bool) (*DiffError, *int, error) {
	o, op := call(d.old, in)
	n, np := call(d.new, in)
	eq := op == np
	opts := d.c.cmpOpts
	if eq && op == nil {
		var err error
		if eq, err = show.Equal(o, n, append(opts[:len(opts):len(opts)], observedTime)...); err != nil {
			// A CmpOptions option for time.Time makes observedTime
			// ambiguous to go-cmp: the caller's comparison wins.
			if eq, err = show.Equal(o, n, opts...); err != nil {
				return nil, nil, fmt.Errorf("%w: %v (pass CmpOptions)", ErrBadOption, err)
			}
		} else {
			opts = append(opts[:len(opts):len(opts)], observedTime)
		}
	}
	switch {
	case eq:
		return nil, &d.rep.Same, nil
	case intended != nil && op == nil && np == nil && intended(in, o, n):
		return nil, &d.rep.Intended, nil
	}
	w := &DiffError{Input: in, Old: o, New: n, Diff: show.Diff(o, n, opts...)}
	if op != nil || np != nil {
		w.Old, w.New = outcome(o, op), outcome(n, np)
		w.Diff = fmt.Sprintf("- %v\n+ %v\n", w.Old, w.New)
	}
	return w, &d.rep.Differ, nil
}

func call[In, Out any](f func(In) Out, in In) (out Out, panicked any) {
	p := engine.Catch(func() { out = f(in) })
	if p != nil {
		return out, fmt.Sprint(p)
	}
	return out, nil
}

func outcome(out, p any) any {
	if p != nil {
		return fmt.Sprintf("panic(%v)", p)
	}
	return out
}

// observedTime is Same's comparison of time.Time values: the same instant
// in the same Location, as callers observe it through Format, Hour or
// JSON. go-cmp alone uses time.Time.Equal, which ignores the Location.
var observedTime = cmp.Comparer(func(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return a.Equal(b) && an == bn && ao == bo && a.Location().String() == b.Location().String()
})

// SameT calls [Same], fails t on error and, when t can log, logs the report
// so the count of intended differences is visible.
func SameT[In, Out any](t TB, old, new func(In) Out, gen *rapid.Generator[In], opts ...Option) {
	t.Helper()
	rep, err := Same(old, new, gen, opts...)
	report(t, rep, err)
}

// SamePairsT calls [SamePairs] and fails t on error, logging the report as
// [SameT] does.
func SamePairsT[T, Out any](t TB, old, new func(a, b T) Out, gen *rapid.Generator[T], opts ...Option) {
	t.Helper()
	rep, err := SamePairs(old, new, gen, opts...)
	report(t, rep, err)
}

func report(t TB, rep Report, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if l, ok := t.(logger); ok {
		l.Logf("verify: old and new agree: %s", rep)
	}
}
