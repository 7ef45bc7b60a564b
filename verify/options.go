package verify

import (
	"fmt"

	"github.com/google/go-cmp/cmp"
)

// The search budget's defaults.
const (
	defaultBatches   = 100 // batches (for Same: inputs) a check generates
	defaultBatchSize = 8   // largest batch Ordering and Equivalence draw
)

// An Option tunes a checker. Options are sealed: build them with the
// functions of this package. A bad value, or an option typed for other
// values than the checker's ([Edges], [Order], [Key], [Intended]), makes the
// call return an error naming the option and wrapping [ErrBadOption].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	batches      int
	batchSize    int
	noEdges      bool            // every default pool off
	edgesOff     map[string]bool // pools NoDefaultEdges removed by name
	edges        []any           // each a []T
	order        any             // func(a, b T) int
	key          any             // func(T) any
	intended     any             // func(in In, old, new Out) bool
	cmpOpts      []cmp.Option
	seed         uint64
	require      Report
	allowVacuous bool
	errs         []error
}

func newConfig(opts []Option) *config {
	c := &config{batches: defaultBatches, batchSize: defaultBatchSize}
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

func (c *config) bad(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%w: "+format, append([]any{ErrBadOption}, args...)...))
}

// Batches sets how many random batches (for [Same] and [SamePairs]: inputs)
// a check generates; the default is 100. More batches find rarer bugs and
// take proportionally longer.
func Batches(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			c.bad("Batches(%d): need at least 1", n)
			return
		}
		c.batches = n
	})
}

// BatchSize sets the largest number of values in one batch (3 to 64, so
// triples fit; the default is 8). All pairs and triples of a batch are
// checked, so the cost of a batch grows with the cube of its size.
func BatchSize(n int) Option {
	return optionFunc(func(c *config) {
		if n < 3 || n > 64 {
			c.bad("BatchSize(%d): want 3..64", n)
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

// NoDefaultEdges removes default edge pools by name ("case", "epsilon",
// "fields", …: the table in the package documentation) and, by the name
// "near", the neighbours of drawn values in random batches; called without
// names it removes every pool and the neighbours. Values from [Edges]
// still apply.
func NoDefaultEdges(pools ...string) Option {
	return optionFunc(func(c *config) {
		if len(pools) == 0 {
			c.noEdges = true
			return
		}
		off, err := parsePools(pools)
		if err != nil {
			c.bad("%v", err)
			return
		}
		if c.edgesOff == nil {
			c.edgesOff = map[string]bool{}
		}
		for k := range off {
			c.edgesOff[k] = true
		}
	})
}

// Order makes [Equivalence] and [Groups] also check that cmp(a, b) == 0
// exactly when eq(a, b) and, for [Groups], that groups are in ascending
// order.
func Order[T any](cmp func(a, b T) int) Option {
	return optionFunc(func(c *config) {
		if cmp == nil {
			c.bad("Order(nil)")
			return
		}
		c.order = cmp
	})
}

// Key makes [Equivalence] and [Groups] also check that equal values have
// equal keys (eq(a, b) ⇒ key(a) == key(b)), as a hash or map key must.
func Key[T any, K comparable](key func(T) K) Option {
	return optionFunc(func(c *config) {
		if key == nil {
			c.bad("Key(nil)")
			return
		}
		c.key = func(v T) any { return key(v) }
	})
}

// Intended declares, for [Same], which differences between the old and the
// new function are intended. Inputs it accepts are counted as
// Report.Intended instead of failing the check.
func Intended[In, Out any](pred func(in In, old, new Out) bool) Option {
	return optionFunc(func(c *config) {
		if pred == nil {
			c.bad("Intended(nil)")
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

// Require fails a check with [ErrVacuous] unless every count of the
// [Report] reached its value in min, for example
// Require(verify.Report{Equal: 100}) for a hundred ties between independent
// draws. It raises each checker's own minimums, never lowers them.
func Require(min Report) Option {
	return optionFunc(func(c *config) {
		for _, k := range counts {
			n := *k.get(&min)
			if n < 0 {
				c.bad("Require: %s=%d is negative", k.name, n)
				return
			}
			p := k.get(&c.require)
			*p = max(*p, n)
		}
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
		c.bad("%s takes %T, the check needs %T", name, v, zero)
		return zero
	}
	return f
}

// AllowVacuous lets a check pass although an outcome it needs by default
// never occurred (two unequal values for [Ordering], an equal pair for
// [SamePairs]); minimums from [Require] still apply.
func AllowVacuous() Option {
	return optionFunc(func(c *config) { c.allowVacuous = true })
}
