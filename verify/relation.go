package verify

import (
	"errors"
	"fmt"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify/internal/engine"
)

// matrix holds the raw results of a comparator (or less, as 0/1) on every
// ordered pair of a batch.
type matrix struct {
	n     int
	less  bool
	raw   []int
	signs []int8 // sign(i, j), precomputed: the triple loops read it n³ times
}

func (m *matrix) reset(n int, less bool) {
	m.n, m.less = n, less
	if cap(m.raw) < n*n {
		m.raw = make([]int, n*n)
		m.signs = make([]int8, n*n)
	}
	m.raw, m.signs = m.raw[:n*n], m.signs[:n*n]
}

func (m *matrix) at(i, j int) int { return m.raw[i*m.n+j] }

// sign is the sign of cmp(v_i, v_j) (see computeSign), once fill has run.
func (m *matrix) sign(i, j int) int { return int(m.signs[i*m.n+j]) }

// computeSigns fills signs from raw.
func (m *matrix) computeSigns() {
	for i := 0; i < m.n; i++ {
		for j := 0; j < m.n; j++ {
			m.signs[i*m.n+j] = int8(m.computeSign(i, j))
		}
	}
}

// computeSign is the sign of cmp(v_i, v_j); for a less function it is
// derived as -1 if less(v_i, v_j), +1 if less(v_j, v_i), else 0.
func (m *matrix) computeSign(i, j int) int {
	if m.less {
		switch {
		case m.at(i, j) != 0:
			return -1
		case m.at(j, i) != 0:
			return 1
		}
		return 0
	}
	r := m.at(i, j)
	switch {
	case r < 0:
		return -1
	case r > 0:
		return 1
	}
	return 0
}

// relation is the function under an ordering check: cmp or less.
type relation[T any] struct {
	cmp  func(a, b T) int
	less func(a, b T) bool
}

// fill evaluates the function on every pair; a panic becomes a witness.
func (f relation[T]) fill(m *matrix, vals []T) *LawError {
	m.reset(len(vals), f.less != nil)
	var i, j int
	p := engine.Catch(func() {
		for i = range vals {
			for j = range vals {
				if f.less != nil {
					m.raw[i*m.n+j] = b2i(f.less(vals[i], vals[j]))
				} else {
					m.raw[i*m.n+j] = f.cmp(vals[i], vals[j])
				}
			}
		}
	})
	if p == nil {
		m.computeSigns()
		return nil
	}
	if i == j {
		return &LawError{Law: "no panic", Values: []any{vals[i]}, Calls: []string{fmt.Sprintf("%s(a, a) panicked: %v", f.name(), p)}}
	}
	return &LawError{Law: "no panic", Values: []any{vals[i], vals[j]}, Calls: []string{fmt.Sprintf("%s(a, b) panicked: %v", f.name(), p)}}
}

func (f relation[T]) name() string {
	if f.less != nil {
		return "less"
	}
	return "cmp"
}

// check evaluates the function on every pair of vals and returns the first
// violation, simplest law first, or nil.
func (f relation[T]) check(m *matrix, vals []T) *LawError {
	if len(vals) == 0 {
		return nil
	}
	if w := f.fill(m, vals); w != nil {
		return w
	}
	return f.laws(m, vals)
}

// laws returns the first violation in the batch, simplest law first, or nil.
func (f relation[T]) laws(m *matrix, vals []T) *LawError {
	n := m.n
	for i := 0; i < n; i++ {
		if m.sign(i, i) != 0 {
			return f.witness(m, vals, "reflexivity", i)
		}
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if m.sign(i, j) != -m.sign(j, i) {
				return f.witness(m, vals, "antisymmetry", i, j)
			}
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if m.sign(i, j) >= 0 {
				continue
			}
			for k := 0; k < n; k++ {
				if m.sign(j, k) < 0 && m.sign(i, k) >= 0 {
					return f.witness(m, vals, "transitivity of <", i, j, k)
				}
			}
		}
	}
	eq := "transitivity of =="
	if f.less != nil {
		eq = "transitivity of incomparability"
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if m.sign(i, j) != 0 {
				continue
			}
			for k := 0; k < n; k++ {
				if m.sign(j, k) == 0 && m.sign(i, k) != 0 {
					return f.witness(m, vals, eq, i, j, k)
				}
			}
		}
	}
	return nil
}

// witness builds the LawError for values at idx, with the calls that show
// the violation: cmp(a, b), cmp(b, c), cmp(a, c) for a triple.
func (f relation[T]) witness(m *matrix, vals []T, law string, idx ...int) *LawError {
	w := &LawError{Law: law}
	for _, i := range idx {
		w.Values = append(w.Values, vals[i])
	}
	call := func(x, y int) {
		name := string(rune('a'+x)) + ", " + string(rune('a'+y))
		r := m.at(idx[x], idx[y])
		w.Results = append(w.Results, r)
		if f.less != nil {
			w.Calls = append(w.Calls, fmt.Sprintf("less(%s) = %t", name, r != 0))
		} else {
			w.Calls = append(w.Calls, fmt.Sprintf("cmp(%s) = %+d", name, r))
		}
	}
	switch {
	case len(idx) == 1:
		call(0, 0)
	case len(idx) == 2:
		call(0, 1)
		call(1, 0)
	case f.less != nil:
		call(0, 1)
		call(1, 0)
		call(1, 2)
		call(2, 1)
		call(0, 2)
		call(2, 0)
	default:
		call(0, 1)
		call(1, 2)
		call(0, 2)
	}
	return w
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// maxShrink bounds the executions rapid may spend shrinking a witness. rapid
// needs 800 to 8,000 to finish its passes on the classic bugs, but the
// witness is minimal long before: with 2,000, 100 of 100 runs of the
// overflow and NaN comparators were (1 in 100 was not at 1,000). That is
// 10-35 ms of CPU for a batch of cheap comparisons.
var maxShrink = 2000

// run adapts engine.Run: prop returns a violation or a fatal error, and
// searching tells whether coverage counts apply. It fills rep's seed,
// rerun and timings.
func run(rep *Report, c *config, prop func(t *rapid.T, searching bool) (bool, error)) (failed bool, err error) {
	seed := c.seedFor()
	rep.Seed, rep.Rerun = seed, rerun(seed)
	st, failed, err := engine.Run(seed, c.batches, c.shrinkBudget(), func(t *rapid.T, st *engine.State) bool {
		v, err := prop(t, st.Searching())
		if err != nil {
			st.Err = err
			return false
		}
		return v
	})
	if errors.Is(err, engine.ErrNoValues) || errors.Is(err, engine.ErrPanic) || errors.Is(err, engine.ErrRapid) {
		err = fmt.Errorf("%w: %v", ErrGenerator, err)
	}
	rep.Batches, rep.Search, rep.Shrinks = st.Runs(), st.Found(), st.Shrinks()
	return failed, err
}
