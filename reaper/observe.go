package reaper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// ballots holds every observer's vote on every resource of one sweep:
// votes[i*m+j] is observer j on resource i. Errors are rare and kept apart.
type ballots struct {
	m     int
	votes []Vote
	mu    sync.Mutex
	errs  map[int]error
}

func (b *ballots) setErr(k int, err error) {
	b.mu.Lock()
	if b.errs == nil {
		b.errs = map[int]error{}
	}
	b.errs[k] = err
	b.mu.Unlock()
}

func (b *ballots) of(i int) []Vote { return b.votes[i*b.m : (i+1)*b.m] }

// err is observer j's error on resource i, if its vote became Unknown so.
func (b *ballots) err(i, j int) error {
	if b.errs == nil {
		return nil
	}
	return b.errs[i*b.m+j]
}

// observe asks every observer about every listed resource, tallies the
// votes into verdicts, and audits each resource's votes at Debug.
func (s *sweep) observe(ctx context.Context) error {
	r, res := s.r, s.list.Resources
	b, err := r.observeAll(ctx, res)
	if err != nil {
		return err
	}
	s.votes, s.verdicts = b, make([]Verdict, len(res))
	for i := range res {
		v := r.tally(b.of(i))
		s.verdicts[i] = v
		switch v {
		case Alive:
			s.rep.Alive++
		case Orphan:
			s.rep.Orphan++
		default:
			s.rep.Unknown++
		}
	}
	s.strata = r.stratify(res)
	if !r.auditing(ctx, slog.LevelDebug) {
		return nil
	}
	for i, rs := range res {
		attrs := append(r.resourceAttrs(rs, b, i), slog.String("verdict", s.verdicts[i].String()))
		if err := r.audit(ctx, slog.LevelDebug, "verdict", s.verdicts[i].String(), s.n, r.cfg.mode, attrs...); err != nil {
			return err
		}
	}
	return nil
}

const chunk = 64

// observeAll asks every observer about every resource, at most
// Limits.Concurrency calls at a time, sharing look-ups through one memo.
func (r *Reaper) observeAll(ctx context.Context, res []Resource) (*ballots, error) {
	m := len(r.obs)
	b := &ballots{m: m, votes: make([]Vote, len(res)*m)}
	total := int64(len(b.votes))
	ctx = withLookups(ctx)
	var next atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	workers := r.cfg.limits.Concurrency
	if w := int(total/chunk) + 1; w < workers {
		workers = w
	}
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			cc := newCallCtx(gctx, r.cfg.limits.ObserveTimeout)
			defer cc.close()
			for {
				if err := gctx.Err(); err != nil {
					return err
				}
				start := next.Add(chunk) - chunk
				if start >= total {
					return nil
				}
				end := min(start+chunk, total)
				for k := int(start); k < int(end); k++ {
					i, j := k/m, k%m
					v, err := r.observeOne(cc, r.obs[j], res[i])
					b.votes[k] = v
					if err != nil {
						b.setErr(k, err)
					}
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return b, nil
}

// errTimeout is recorded when an observer answered after its deadline.
var errTimeout = errors.New("reaper: observer answered after its deadline")

// observeOne calls one observer with a deadline and turns every way of not
// knowing into Unknown: an error, a late answer, a panic, an unknown
// verdict value, or an Orphan vote without evidence.
func (r *Reaper) observeOne(cc *callCtx, o Observer, res Resource) (v Vote, err error) {
	cc.arm()
	defer func() {
		if p := recover(); p != nil {
			cc.disarm()
			err = &panicError{Observer: o.Name(), Value: p}
			v = Vote{Verdict: Unknown, Evidence: err.Error()}
		}
	}()
	v, err = o.Observe(cc, res)
	late := cc.disarm()
	if err != nil {
		return Vote{Verdict: Unknown, Evidence: "error: " + err.Error()}, err
	}
	if late != nil {
		return Vote{Verdict: Unknown, Evidence: "timeout"}, fmt.Errorf("%w: %w", errTimeout, late)
	}
	if v.Verdict > Orphan {
		return Vote{Verdict: Unknown, Evidence: fmt.Sprintf("invalid verdict %d", uint8(v.Verdict))}, nil
	}
	if v.Verdict == Orphan && v.Evidence == "" {
		return Vote{Verdict: Unknown, Evidence: "orphan vote without evidence"}, nil
	}
	return v, nil
}

// tally turns one resource's votes into a verdict: any Alive vetoes;
// Orphan needs cfg.votes Orphan votes from cfg.sources distinct sources;
// anything else is Unknown.
func (r *Reaper) tally(votes []Vote) Verdict {
	var orphans int
	var srcs uint64
	for j, v := range votes {
		switch v.Verdict {
		case Alive:
			return Alive
		case Orphan:
			orphans++
			srcs |= 1 << uint(r.srcIdx[j])
		}
	}
	if orphans >= r.cfg.votes && bits.OnesCount64(srcs) >= r.cfg.sources {
		return Orphan
	}
	return Unknown
}

// recheck asks every observer again about one resource, with a fresh
// look-up memo, just before an action.
func (r *Reaper) recheck(ctx context.Context, res Resource) (Verdict, *ballots) {
	b := &ballots{m: len(r.obs), votes: make([]Vote, len(r.obs))}
	ctx = withLookups(ctx)
	var g errgroup.Group
	g.SetLimit(r.cfg.limits.Concurrency)
	for j, o := range r.obs {
		g.Go(func() error {
			cc := newCallCtx(ctx, r.cfg.limits.ObserveTimeout)
			defer cc.close()
			v, err := r.observeOne(cc, o, res)
			b.votes[j] = v
			if err != nil {
				b.setErr(j, err)
			}
			return nil
		})
	}
	_ = g.Wait() // observeOne never fails; errors are Unknown votes
	return r.tally(b.votes), b
}
