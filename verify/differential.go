package verify

import (
	"fmt"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify/internal/engine"
	"github.com/deploysafe/deploysafe/verify/internal/show"
)

// A DiffError is an input on which the old and the new function disagree
// and no [Intended] predicate accepted the difference. The input is the one
// rapid shrank to.
type DiffError struct {
	Input    any
	Old, New any
	// Diff is go-cmp's diff of the outputs (-old +new).
	Diff string
	// Report counts the inputs checked before this one.
	Report Report
}

// Error shows the input, the counts so far and the diff of the outputs.
func (e *DiffError) Error() string {
	return fmt.Sprintf("verify: old and new differ on input %s (%s):\n%s", showValue(e.Input), e.Report, e.Diff)
}

// Unwrap returns [ErrViolation].
func (e *DiffError) Unwrap() error { return ErrViolation }

// Same checks a change differentially: on inputs from gen, the new function
// must return what the old one returned (compared with go-cmp, tuned by
// [CmpOptions]), unless the difference is declared with [Intended].
// A panic counts as an output: both must panic alike or not at all.
//
// The [Report] counts inputs by [ClassSame], [ClassIntended] and
// [ClassDiffer]; look at the intended count (or bound it with
// Require(ClassSame, n)) so that an Intended predicate that swallows every
// difference is seen. It returns a [*DiffError] on the shrunk input.
func Same[In, Out any](old, new func(In) Out, gen *rapid.Generator[In], opts ...Option) (Report, error) {
	const name = "differential check"
	if old == nil || new == nil {
		return Report{}, fmt.Errorf("%w: Same: old or new is nil", ErrNilFunc)
	}
	if gen == nil {
		return Report{}, fmt.Errorf("%w: %s", ErrNilGenerator, name)
	}
	c := newConfig(opts)
	intended := typed[func(in In, old, new Out) bool](c, "Intended", c.intended)
	if err := c.err(); err != nil {
		return Report{}, err
	}
	rep := Report{Counts: map[Class]int{}}
	var witness *DiffError
	_, failed, err := run(&rep, c.batches, func(t *rapid.T, searching bool) (bool, error) {
		in := gen.Draw(t, "input")
		o, op := call(old, in)
		n, np := call(new, in)
		eq := op == np
		if eq && op == nil {
			var err error
			if eq, err = show.Equal(o, n, c.cmpOpts...); err != nil {
				return false, fmt.Errorf("%w: %v (pass CmpOptions)", ErrBadOption, err)
			}
		}
		class := ClassSame
		if !eq {
			class = ClassDiffer
			if intended != nil && op == nil && np == nil && intended(in, o, n) {
				class = ClassIntended
			}
		}
		if searching {
			rep.Drawn++
			rep.Counts[class]++
		}
		if class != ClassDiffer {
			return false, nil
		}
		witness = &DiffError{Input: in, Old: o, New: n, Diff: show.Diff(o, n, c.cmpOpts...)}
		if op != nil || np != nil {
			witness.Old, witness.New = outcome(o, op), outcome(n, np)
			witness.Diff = fmt.Sprintf("- %v\n+ %v\n", witness.Old, witness.New)
		}
		return true, nil
	})
	switch {
	case err != nil:
		return rep, fmt.Errorf("verify: %s: %w", name, err)
	case failed:
		witness.Report = rep
		return rep, witness
	}
	return rep, covered(name, rep, nil, c.require,
		map[Class]string{ClassSame: "too few inputs where old and new agree: does Intended accept every difference?"})
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

// SameT calls [Same], fails t on error and, when t can log, logs the report
// so the count of intended differences is visible.
func SameT[In, Out any](t TB, old, new func(In) Out, gen *rapid.Generator[In], opts ...Option) {
	t.Helper()
	rep, err := Same(old, new, gen, opts...)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if l, ok := t.(logger); ok {
		l.Logf("verify: old and new agree: %s", rep)
	}
}
