package verify

import (
	"fmt"
	"sync"
	"time"

	"github.com/deploysafe/deploysafe/verify/internal/engine"
)

// Seed fixes the seed of a check's random batches, so that it replays the
// search that produced a failure: every failure names its seed and this
// option (or, equally, -rapid.seed=N on the go test command line, which
// seeds every check that has no Seed option). Without either, each call
// draws a random seed. The edge values, checked before the random batches,
// do not depend on the seed.
func Seed(seed uint64) Option {
	return optionFunc(func(c *config) {
		if seed == 0 {
			c.bad("Seed(0): 0 means no seed; pass any other value")
			return
		}
		c.seed = seed
	})
}

// rerun is the copy-paste rerun of a check run with seed.
func rerun(seed uint64) string {
	return fmt.Sprintf("verify.Seed(%d) or -rapid.seed=%d", seed, seed)
}

// stampEdgeFailure fills rep for a failure found among the edge values,
// which started at start: the time it took, and a seed and rerun like every
// failure's (the edge phase itself does not depend on them).
func stampEdgeFailure(rep *Report, c *config, start time.Time) {
	rep.Search, rep.Seed = time.Since(start), c.seedFor()
	rep.Rerun = rerun(rep.Seed)
}

// foundWhere says which phase found a failure.
func foundWhere(r Report) string {
	if r.Batches == 0 && r.Edges > 0 {
		return fmt.Sprintf("found among the %d edge values, seed %d", r.Edges, r.Seed)
	}
	return fmt.Sprintf("found in random batch %d, seed %d", r.Batches, r.Seed)
}

// pinned is the seed Sensitive runs every check of a test with, so that the
// original and every mutant see the same batches; noShrink is set while it
// runs the mutants, which only need to fail or pass: a witness found is
// not shrunk (the shrinking was most of Sensitive's time).
var pinned struct {
	sync.Mutex
	seed     uint64
	noShrink bool
}

// shrinkBudget returns the executions c's check may spend shrinking.
func (c *config) shrinkBudget() int {
	if c.seed != 0 {
		return maxShrink
	}
	pinned.Lock()
	defer pinned.Unlock()
	if pinned.noShrink {
		return 0
	}
	return maxShrink
}

// seedFor returns the seed of c's check: Seed's, else the one Sensitive
// pinned, else -rapid.seed's or a random one.
func (c *config) seedFor() uint64 {
	if c.seed != 0 {
		return c.seed
	}
	pinned.Lock()
	s := pinned.seed
	pinned.Unlock()
	if s != 0 {
		return s
	}
	return engine.Seed()
}
