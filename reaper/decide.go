package reaper

import (
	"sort"
	"time"
)

// intent is one action a sweep decided on.
type intent struct {
	i   int // index into the sweep's resources
	act Action
}

// plan is a sweep's decision: the ledger entries as they will be if the
// sweep completes, and the actions to take (or, in shadow, to record).
type plan struct {
	entries map[string]*entry
	acts    []intent
	actions int      // quarantines + deletes: what the breaker's MaxActions counts
	pruned  []string // entries forgotten after Limits.Retention unlisted
}

// decide chooses the mode this sweep may act in and plans every action.
func (s *sweep) decide() {
	s.mode, s.promo = s.r.effectiveMode(s.st, s.strata)
	s.rep.Mode = s.mode
	s.plan = s.r.plan(s.st, s.list.Resources, s.verdicts, s.n, s.now)
	s.rep.Planned = make(map[string]Action, len(s.plan.acts))
	for _, a := range s.plan.acts {
		s.rep.Planned[s.list.Resources[a.i].ID] = a.act
	}
}

// effectiveMode refuses the configured mode while any stratum present has
// had fewer than cfg.shadowSweeps shadow sweeps.
func (r *Reaper) effectiveMode(st *state, s *strata) (Action, *PromotionError) {
	if r.cfg.mode == 0 {
		return 0, nil
	}
	lacking := map[string]int{}
	for si, name := range s.names {
		if s.size[si] > 0 && st.Shadow[name] < r.cfg.shadowSweeps {
			lacking[name] = st.Shadow[name]
		}
	}
	if len(lacking) == 0 {
		return r.cfg.mode, nil
	}
	return 0, &PromotionError{Action: r.cfg.mode, Required: r.cfg.shadowSweeps, Strata: lacking}
}

// plan applies grace, quarantine, retry and retention rules to every
// resource. It does not modify st: a halted sweep must leave the ledger as
// it found it.
func (r *Reaper) plan(st *state, res []Resource, verdicts []Verdict, sweep uint64, now time.Time) plan {
	mode := r.cfg.mode
	p := plan{entries: make(map[string]*entry, len(st.Entries))}
	visited := make(map[string]bool, len(st.Entries))
	var e *entry
	add := func(i int, a Action) {
		if a != Restore && e.Attempts > 0 && now.Before(e.RetryAt) {
			return // backing off after a failed try; restores are never delayed
		}
		p.acts = append(p.acts, intent{i: i, act: a})
		if a != Restore {
			p.actions++
		}
	}
	for i, rs := range res {
		v := verdicts[i]
		old, ok := st.Entries[rs.ID]
		if !ok && v != Orphan {
			continue
		}
		e = &entry{Stage: stCandidate}
		if ok {
			visited[rs.ID] = true
			c := *old
			e = &c
			e.Missing = time.Time{}
		}
		switch e.Stage {
		case stCandidate:
			if v != Orphan {
				continue // streak broken: forget it
			}
			if ok && e.Last == sweep-1 {
				e.Streak++
			} else {
				e.Streak, e.First = 1, now
			}
			e.Last, e.Attrs = sweep, rs.Attrs
			if e.Streak >= r.cfg.graceSweeps && now.Sub(e.First) >= r.cfg.gracePeriod {
				add(i, Quarantine)
			}
		case stQuarantining:
			switch v {
			case Orphan:
				add(i, Quarantine) // finish what was started, same key
			case Alive:
				add(i, Restore)
			}
		case stQuarantined:
			switch v {
			case Alive:
				add(i, Restore)
			case Orphan:
				if mode != Quarantine && now.Sub(e.QuarantinedAt) >= r.cfg.quarantineWindow {
					add(i, Delete)
				}
			}
		case stDeleting:
			// The delete may have happened: never restore or forget it, only
			// finish it (same key) once the resource is judged orphaned again.
			if v == Orphan {
				add(i, Delete)
			}
		case stRestoring:
			add(i, Restore) // restoring is always safe to finish
		case stParked:
			// A person decides: the entry stays, nothing is tried again.
		}
		p.entries[rs.ID] = e
	}
	for id, e := range st.Entries {
		if visited[id] {
			continue
		}
		switch e.Stage {
		case stCandidate, stDeleted, stDeleting:
			// gone from the inventory: nothing left to remember
		default:
			// Quarantined (or parked) but unlisted: remember it for the
			// retention period, never act on it blind.
			c := *e
			if c.Missing.IsZero() {
				c.Missing = now
			}
			if now.Sub(c.Missing) >= r.cfg.limits.Retention {
				p.pruned = append(p.pruned, id)
				continue
			}
			p.entries[id] = &c
		}
	}
	sort.Strings(p.pruned)
	return p
}
