package promsource

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// ErrConfig marks an invalid argument of New: a nil API, an empty query, an
// option out of range. The error names what was wrong.
var ErrConfig = errors.New("promsource: invalid configuration")

// maxSteps is Prometheus's limit on a range query: its API refuses a
// (end − start) / step above 11,000 ("exceeded maximum resolution of 11,000
// points per timeseries"), so a series has at most 11,001 points. New
// refuses a Window/Step beyond it up front.
const maxSteps = 11000

// Source fetches one metric of a canary and of its baseline: each is a PromQL
// expression that must give exactly one series, queried over the same range
// ending now. Make one with New; the zero Source is not usable (Fetch
// returns an error). A Source is safe for concurrent use.
type Source struct {
	api              v1.API
	baseline, canary string
	o                options
}

// New returns a Source querying api for baseline and canary, two PromQL
// expressions that must each give one series (aggregate in the query:
// sum, avg, histogram_quantile…). By default it reads the last 10 minutes
// at a 10-second step, 61 points per side; a series whose last point is
// more than max(2 steps, 30 s) before now is stale.
func New(api v1.API, baseline, canary string, opts ...Option) (*Source, error) {
	o := newOptions(opts)
	switch {
	case api == nil:
		return nil, fmt.Errorf("%w: nil v1.API (make one with v1.NewAPI)", ErrConfig)
	case baseline == "":
		return nil, fmt.Errorf("%w: empty baseline query", ErrConfig)
	case canary == "":
		return nil, fmt.Errorf("%w: empty canary query", ErrConfig)
	case baseline == canary:
		// The same series on both sides is an A/A test forever: a gate that cannot fail.
		return nil, fmt.Errorf("%w: the baseline and canary queries are the same (`%s`): the canary would be judged against itself", ErrConfig, clip.String(canary))
	case o.err != nil:
		return nil, o.err
	}
	return &Source{api: api, baseline: baseline, canary: canary, o: o}, nil
}

// Fetch queries the baseline's and the canary's series, concurrently, over
// the window ending now, and returns their values in time order. It has the
// shape canary.Gate and canary.Analysis take. Anything but one fresh series
// of finite values per side is an error, a *QueryError naming the side and
// the query: a query error, warnings (partial data), no series, more than
// one series, a result that is not a range vector, a NaN or ±Inf value, or
// a series whose last point is older than MaxAge. Too few points is left to
// the judgement (canary.MinSamples), which calls it inconclusive.
func (s *Source) Fetch(ctx context.Context) (baseline, canary []float64, err error) {
	switch {
	case s == nil || s.api == nil:
		return nil, nil, fmt.Errorf("%w: Source not made by New", ErrConfig)
	case ctx == nil:
		return nil, nil, fmt.Errorf("%w: nil context", ErrConfig)
	}
	end := time.Now()
	r := v1.Range{Start: end.Add(-s.o.window), End: end, Step: s.o.step}
	var berr, cerr error
	var wg sync.WaitGroup
	wg.Go(func() { baseline, berr = s.query(ctx, "baseline", s.baseline, r) })
	wg.Go(func() { canary, cerr = s.query(ctx, "canary", s.canary, r) })
	wg.Wait()
	if err := errors.Join(berr, cerr); err != nil {
		return nil, nil, err
	}
	return baseline, canary, nil
}

func (s *Source) query(ctx context.Context, side, q string, r v1.Range) ([]float64, error) {
	v, warnings, err := s.api.QueryRange(ctx, q, r)
	return values(side, q, v, warnings, err, r, s.o.maxAge)
}

// points is the most points per side the window and step can give.
func (o *options) points() int { return int(o.window/o.step) + 1 }
