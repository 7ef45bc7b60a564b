package reaper

import "time"

// planned is one action a sweep decided on.
type planned struct {
	i   int // index into the sweep's resources
	act Action
}

// plan is a sweep's decision: the ledger entries as they will be if the
// sweep completes, and the actions to take (or, in shadow, to record).
type plan struct {
	entries map[string]*entry
	acts    []planned
	actions int // quarantines + deletes: what the breaker's MaxActions counts
}

// decide applies grace and quarantine rules to every resource. It does not
// modify st: a halted sweep must leave the ledger as it found it.
func (r *Reaper) decide(st *state, res []Resource, verdicts []Verdict, sweep uint64, now time.Time, mode Mode) plan {
	p := plan{entries: make(map[string]*entry, len(st.Entries))}
	visited := make(map[string]bool, len(st.Entries))
	add := func(i int, a Action) {
		p.acts = append(p.acts, planned{i: i, act: a})
		if a != ActRestore {
			p.actions++
		}
	}
	for i, rs := range res {
		v := verdicts[i]
		old, ok := st.Entries[rs.ID]
		if !ok && v != Orphan {
			continue
		}
		e := &entry{Stage: stCandidate}
		if ok {
			visited[rs.ID] = true
			c := *old
			e = &c
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
				add(i, ActQuarantine)
			}
		case stQuarantining:
			switch v {
			case Orphan:
				add(i, ActQuarantine) // finish what was started, same key
			case Alive:
				add(i, ActRestore)
			}
		case stQuarantined:
			switch v {
			case Alive:
				add(i, ActRestore)
			case Orphan:
				if mode != Quarantine && now.Sub(e.QuarantinedAt) >= r.cfg.quarantineWindow {
					add(i, ActDelete)
				}
			}
		case stDeleting:
			// The delete may have happened: never restore or forget it, only
			// finish it (same key) once the resource is judged orphaned again.
			if v == Orphan {
				add(i, ActDelete)
			}
		case stRestoring:
			add(i, ActRestore) // restoring is always safe to finish
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
			c := *e
			p.entries[id] = &c // quarantined but unlisted: keep, never act blind
		}
	}
	return p
}
