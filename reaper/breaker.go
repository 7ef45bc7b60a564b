package reaper

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// strata assigns every resource to one stratum per configured key.
type strata struct {
	names []string // stratum index → "key=value"
	of    []int32  // resource i, key d → stratum index at of[i*dims+d]
	dims  int
	size  []int // stratum index → resources
}

const fleetStratum = "fleet"

func (r *Reaper) stratify(res []Resource) *strata {
	keys := r.cfg.strata
	if len(keys) == 0 {
		s := &strata{names: []string{fleetStratum}, of: make([]int32, len(res)), dims: 1, size: []int{len(res)}}
		return s
	}
	s := &strata{dims: len(keys), of: make([]int32, len(res)*len(keys))}
	idx := make([]map[string]int32, len(keys))
	for d := range keys {
		idx[d] = map[string]int32{}
	}
	for i, rs := range res {
		for d, k := range keys {
			v := rs.Attrs[k]
			n, ok := idx[d][v]
			if !ok {
				n = int32(len(s.names))
				idx[d][v] = n
				s.names = append(s.names, k+"="+v)
				s.size = append(s.size, 0)
			}
			s.of[i*s.dims+d] = n
			s.size[n]++
		}
	}
	return s
}

// allowed is the most a fraction f of n permits.
func allowed(f float64, n int) int { return int(math.Ceil(f * float64(n))) }

// limit checks the blast-radius limits of the plan before anything is
// recorded or done.
func (s *sweep) limit(ctx context.Context) error {
	t := s.r.countTallies(s.strata, s.votes, s.verdicts)
	t.actions = s.plan.actions
	return s.pass(ctx, sortedTrips(s.r.radiusTrips(s.strata, t, len(s.list.Resources))))
}

// pass lets through the trips an operator acknowledged and halts the sweep
// on any other: the halt is recorded in the ledger and the audit, and
// returned as a *BreakerError.
func (s *sweep) pass(ctx context.Context, trips []Trip) error {
	s.trips = append(s.trips, trips...)
	rest, acked := unacknowledged(trips, s.st.Allow)
	s.rep.Acknowledged = append(s.rep.Acknowledged, acked...)
	if len(rest) == 0 {
		return nil
	}
	r, st := s.r, s.st
	id := haltID(s.n, rest)
	st.Halt = &halt{ID: id, Sweep: s.n, At: s.now, Trips: rest}
	be := &BreakerError{HaltID: id, Sweep: s.n, At: s.now, Trips: rest}
	aerr := r.audit(ctx, slog.LevelError, "breaker", fmt.Sprintf("sweep halted, nothing acted on: %s; Acknowledge halt %s to resume", summary(rest), id),
		s.n, r.cfg.mode, slog.String("halt", id), slog.Any("trips", rest))
	if err := r.store(ctx, st, s.now); err != nil {
		return errors.Join(be, err, aerr)
	}
	return errors.Join(be, aerr)
}

// summary names the first trip and counts the rest, so that a halt is one
// readable line however many strata tripped.
func summary(trips []Trip) string {
	if len(trips) == 1 {
		return trips[0].Limit + " " + trips[0].scope()
	}
	return fmt.Sprintf("%d limits tripped, first %s %s", len(trips), trips[0].Limit, trips[0].scope())
}

// inventoryTrips checks that the listing itself looks sane.
func (s *sweep) inventoryTrips() []Trip {
	var trips []Trip
	snap, st, now := s.list, s.st, s.now
	l := s.r.cfg.limits
	n := len(snap.Resources)
	if n == 0 {
		trips = append(trips, Trip{Limit: "inventory-empty", Detail: "the inventory listed no resources"})
	}
	if st.LastInventory > 0 && n < st.LastInventory {
		min := st.LastInventory - allowed(l.MaxShrink, st.LastInventory)
		if n < min {
			trips = append(trips, Trip{Limit: "inventory-shrunk", Count: st.LastInventory - n, Allowed: st.LastInventory - min, Total: st.LastInventory,
				Detail: fmt.Sprintf("inventory shrank from %d to %d since the last sweep", st.LastInventory, n)})
		}
	}
	if snap.AsOf.IsZero() {
		trips = append(trips, Trip{Limit: "inventory-stale", Detail: "the snapshot has no AsOf time"})
	} else if age := now.Sub(snap.AsOf); age > l.MaxAge {
		trips = append(trips, Trip{Limit: "inventory-stale", Count: int(age / time.Second), Allowed: int(l.MaxAge / time.Second),
			Detail: fmt.Sprintf("snapshot is %v old, limit %v", age.Round(time.Second), l.MaxAge)})
	}
	seen := make(map[string]struct{}, n)
	bad := 0
	first := ""
	for _, rs := range snap.Resources {
		if _, dup := seen[rs.ID]; dup || rs.ID == "" {
			if bad == 0 {
				first = rs.ID
			}
			bad++
			continue
		}
		seen[rs.ID] = struct{}{}
	}
	if bad > 0 {
		trips = append(trips, Trip{Limit: "inventory-invalid", Count: bad,
			Detail: fmt.Sprintf("%d resources with an empty or repeated ID (first %q)", bad, clip.String(first))})
	}
	return trips
}

// tallies are the counts the blast-radius limits read.
type tallies struct {
	orphans  int
	actions  int
	perStrat []int // orphan verdicts per stratum
	claims   []int // observer j, stratum s → Orphan votes at claims[j*len(names)+s]
}

func (r *Reaper) countTallies(s *strata, b *ballots, verdicts []Verdict) tallies {
	ns := len(s.names)
	t := tallies{perStrat: make([]int, ns), claims: make([]int, len(r.obs)*ns)}
	for i, v := range verdicts {
		row := s.of[i*s.dims : (i+1)*s.dims]
		if v == Orphan {
			t.orphans++
			for _, si := range row {
				t.perStrat[si]++
			}
		}
		for j, vote := range b.of(i) {
			if vote.Verdict == Orphan {
				for _, si := range row {
					t.claims[j*ns+int(si)]++
				}
			}
		}
	}
	return t
}

// radiusTrips checks the blast-radius limits.
func (r *Reaper) radiusTrips(s *strata, t tallies, n int) []Trip {
	l := r.cfg.limits
	var trips []Trip
	if t.actions > l.MaxActions {
		trips = append(trips, Trip{Limit: "actions", Count: t.actions, Allowed: l.MaxActions,
			Detail: "quarantines and deletes planned in this sweep"})
	}
	if a := allowed(l.MaxFraction, n); t.orphans > a {
		trips = append(trips, Trip{Limit: "inventory-fraction", Count: t.orphans, Allowed: a, Total: n,
			Detail: "resources judged orphaned"})
	}
	ns := len(s.names)
	for si, name := range s.names {
		a := allowed(l.MaxStratumFraction, s.size[si])
		if t.perStrat[si] > a {
			trips = append(trips, Trip{Limit: "stratum-fraction", Stratum: name, Count: t.perStrat[si], Allowed: a, Total: s.size[si],
				Detail: "resources judged orphaned in this stratum"})
		}
		for j, o := range r.obs {
			if c := t.claims[j*ns+si]; c > a {
				trips = append(trips, Trip{Limit: "observer-stratum-fraction", Stratum: name, Observer: o.Name(), Count: c, Allowed: a, Total: s.size[si],
					Detail: "one observer calls this much of the stratum orphaned; suspect the observer (data format, version, outage)"})
			}
		}
	}
	return trips
}

// unacknowledged drops trips an operator acknowledged (same rule and scope,
// count no larger than acknowledged) and returns the rest.
func unacknowledged(trips []Trip, allow map[string]int) (rest, acked []Trip) {
	for _, t := range trips {
		if a, ok := allow[t.key()]; ok && t.Count <= a {
			acked = append(acked, t)
			continue
		}
		rest = append(rest, t)
	}
	return rest, acked
}

func haltID(sweep uint64, trips []Trip) string {
	h := sha256.New()
	h.Write([]byte(strconv.FormatUint(sweep, 10)))
	for _, t := range trips {
		h.Write([]byte{0})
		h.Write([]byte(t.format(func(s string) string { return s })))
	}
	return hex.EncodeToString(h.Sum(nil)[:6])
}
