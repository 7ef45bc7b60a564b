package verify

import (
	"fmt"

	"github.com/google/go-cmp/cmp"
)

// Defaults of the search budget.
const (
	// DefaultBatches is how many batches (or inputs, for [Same]) a check
	// generates unless [Batches] says otherwise.
	DefaultBatches = 100
	// DefaultBatchSize is the largest batch [Ordering] and [Equivalence] draw.
	DefaultBatchSize = 8
)

// An Option tunes a checker. Options are sealed: build them with the
// functions of this package. Options typed by the values checked ([Edges],
// [WithOrder], [WithKey], [Intended]) must match the checker's type
// parameters; a mismatch is reported as [ErrBadOption].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	batches   int
	batchSize int
	noEdges   bool
	edges     []any // each a []T
	order     any   // func(a, b T) int
	key       any   // func(T) any
	intended  any   // func(in In, old, new Out) bool
	cmpOpts   []cmp.Option
	require   map[Class]int
	errs      []error
}

func newConfig(opts []Option) *config {
	c := &config{batches: DefaultBatches, batchSize: DefaultBatchSize}
	for _, o := range opts {
		if o == nil {
			c.errs = append(c.errs, fmt.Errorf("%w: nil Option", ErrBadOption))
			continue
		}
		o.apply(c)
	}
	return c
}

func (c *config) err() error {
	if len(c.errs) > 0 {
		return c.errs[0]
	}
	return nil
}

// Batches sets how many batches (for [Same]: inputs) a check generates.
// More batches find rarer bugs and take proportionally longer.
func Batches(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			c.errs = append(c.errs, fmt.Errorf("%w: Batches(%d): need at least 1", ErrBadOption, n))
			return
		}
		c.batches = n
	})
}

// BatchSize sets the largest number of values in one batch (at least 3, so
// triples fit). All pairs and triples of a batch are checked, so the cost of
// a batch grows with the cube of its size.
func BatchSize(n int) Option {
	return optionFunc(func(c *config) {
		if n < 3 || n > 64 {
			c.errs = append(c.errs, fmt.Errorf("%w: BatchSize(%d): want 3..64", ErrBadOption, n))
			return
		}
		c.batchSize = n
	})
}

// Edges adds values that batches mix in besides the generator's (for
// example NaN, -0.0, math.MinInt or the same instant in two zones).
func Edges[T any](values ...T) Option {
	return optionFunc(func(c *config) { c.edges = append(c.edges, values) })
}

// NoDefaultEdges turns off the edge values verify adds for numbers, strings
// and times (see [Ordering]); values from [Edges] still apply.
func NoDefaultEdges() Option {
	return optionFunc(func(c *config) { c.noEdges = true })
}

// WithOrder makes [Equivalence] and [Groups] also check that
// cmp(a, b) == 0 exactly when eq(a, b) and, for [Groups], that groups are
// in ascending order.
func WithOrder[T any](cmp func(a, b T) int) Option {
	return optionFunc(func(c *config) {
		if cmp == nil {
			c.errs = append(c.errs, fmt.Errorf("%w: WithOrder(nil)", ErrNilFunc))
			return
		}
		c.order = cmp
	})
}

// WithKey makes [Equivalence] and [Groups] also check that equal values
// have equal keys (eq(a, b) ⇒ key(a) == key(b)), as a hash or map key must.
func WithKey[T any, K comparable](key func(T) K) Option {
	return optionFunc(func(c *config) {
		if key == nil {
			c.errs = append(c.errs, fmt.Errorf("%w: WithKey(nil)", ErrNilFunc))
			return
		}
		c.key = func(v T) any { return key(v) }
	})
}

// Intended declares, for [Same], which differences between the old and the
// new function are intended. Inputs it accepts are counted as
// [ClassIntended] in the [Report] instead of failing the check.
func Intended[In, Out any](pred func(in In, old, new Out) bool) Option {
	return optionFunc(func(c *config) {
		if pred == nil {
			c.errs = append(c.errs, fmt.Errorf("%w: Intended(nil)", ErrNilFunc))
			return
		}
		c.intended = pred
	})
}

// CmpOptions passes go-cmp options to [Same]'s comparison of outputs (for
// example cmpopts.EquateEmpty or cmp.AllowUnexported).
func CmpOptions(opts ...cmp.Option) Option {
	return optionFunc(func(c *config) { c.cmpOpts = append(c.cmpOpts, opts...) })
}

// Require fails a check with [ErrVacuous] unless outcome class cl occurred
// at least min times. It adds to (or tightens) each checker's own
// requirements.
func Require(cl Class, min int) Option {
	return optionFunc(func(c *config) {
		if min < 0 || cl == "" {
			c.errs = append(c.errs, fmt.Errorf("%w: Require(%q, %d)", ErrBadOption, cl, min))
			return
		}
		if c.require == nil {
			c.require = map[Class]int{}
		}
		c.require[cl] = max(c.require[cl], min)
	})
}

// typed returns c's option v as a T, or records an ErrBadOption.
func typed[F any](c *config, name string, v any) F {
	var zero F
	if v == nil {
		return zero
	}
	f, ok := v.(F)
	if !ok {
		c.errs = append(c.errs, fmt.Errorf("%w: %s takes %T, the check needs %T", ErrBadOption, name, v, zero))
		return zero
	}
	return f
}
