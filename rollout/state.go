package rollout

// tstate is what the journal says about one target.
type tstate struct {
	target  string
	wave    int
	prev    string // version before the rollout first touched it
	state   TargetState
	seq     int    // sequence of the latest deploying record: rollback goes in reverse
	now     string // off-plan: the version the census found
	putBack bool   // confirmed back on prev by a put back
	left    bool   // off-plan: a put back was due and did not happen (note says why)
	note    string
	// until is the deadline (store clock, Unix ns) of the latest journalled
	// Deploy or Rollback whose end no record shows; 0 when none.
	until int64
}

// runState is the fold of the journal records of the latest rollout.
type runState struct {
	begun, ended     bool
	fingerprint      string
	version          string
	outcome          string
	wavePassed       map[int]bool
	rehearsalStarted bool
	rehearsed        bool
	rollingBack      bool
	rollbackReason   string
	unhealthy        string
	census           map[string]string // nil: no census recorded
	targets          map[string]*tstate
	order            []*tstate // by first touch
	offPlan          []*tstate
	seq              int
	hooks            map[string]int // hookKey → hookStarted or hookDone
}

func newRunState() *runState {
	return &runState{wavePassed: map[int]bool{}, targets: map[string]*tstate{}, hooks: map[string]int{}}
}

// fold replays recs; only the records after the last recBegin count.
func fold(recs []record) *runState {
	start := 0
	for i, r := range recs {
		if r.Kind == recBegin {
			start = i
		}
	}
	st := newRunState()
	for _, r := range recs[start:] {
		st.apply(r)
	}
	return st
}

func (s *runState) apply(r record) {
	s.seq++
	t := s.targets[r.Target]
	switch r.Kind {
	case recBegin:
		*s = *newRunState()
		s.begun, s.fingerprint, s.version = true, r.Fingerprint, r.Version
	case recCensus:
		s.census = r.Census
	case recDeploying:
		if t == nil {
			t = &tstate{target: r.Target, wave: r.Wave, prev: r.Version}
			s.targets[r.Target] = t
			s.order = append(s.order, t)
		}
		t.state, t.seq, t.until = StateDeploying, s.seq, max(t.until, r.Until)
	case recDeployed:
		if t != nil {
			t.state, t.note, t.until = StateDeployed, r.Note, 0
		}
	case recDeployFailed:
		if t != nil {
			t.note = r.Note // the deploy's effect is unknown until Version says
			t.ended(r)
		}
	case recWavePassed:
		s.wavePassed[r.Wave] = true
	case recRehearsalStart:
		s.rehearsalStarted = true
	case recRehearsed:
		s.rehearsed = true
	case recOffPlan:
		if t == nil {
			t = &tstate{target: r.Target, wave: -1, prev: r.Version, state: StateOffPlan}
			s.targets[r.Target] = t
			s.offPlan = append(s.offPlan, t)
		}
		t.now = r.Note
		t.putBack = t.putBack && r.Note == t.prev // moved again once put back: no longer put back
	case recPutBack:
		if t != nil {
			t.putBack, t.left, t.until = true, false, 0
			if t.state == StateOffPlan {
				t.note = ""
			}
		}
	case recRollbackStart:
		s.rollingBack, s.rollbackReason = true, r.Note
	case recRollingBack:
		if t != nil && t.state != StateOffPlan {
			t.state = StateRollingBack
		}
		if t != nil {
			t.until = max(t.until, r.Until)
		}
	case recRolledBack:
		if t != nil {
			t.state, t.note, t.until = StateRolledBack, "", 0
		}
	case recUnhealthy:
		s.unhealthy = r.Note
	case recUnknown:
		if t != nil && t.state != StateOffPlan {
			t.state = StateUnknown
		}
		if t != nil {
			t.note, t.left = r.Note, t.state == StateOffPlan
			t.ended(r)
		}
	case recEnd:
		s.ended, s.outcome = true, r.Note
	case recHookStart:
		if s.hooks[hookKey(r.Wave, r.Note)] != hookDone {
			s.hooks[hookKey(r.Wave, r.Note)] = hookStarted
		}
	case recHookDone:
		s.hooks[hookKey(r.Wave, r.Note)] = hookDone
	}
}

// ended applies a failure record: unless the call was still running, it
// is over and no later holder need wait for it.
func (t *tstate) ended(r record) {
	if !r.Running {
		t.until = 0
	}
}

// touched reports whether the rollout itself touched target t: its
// changes are the rollout's own.
func (s *runState) touched(t string) bool {
	ts, ok := s.targets[t]
	return ok && ts.state != StateOffPlan
}

// needsRollback reports targets that are not confirmed on their previous
// version, and off-plan targets a put back left where something else moved
// them.
func (s *runState) needsRollback() bool {
	for _, t := range s.order {
		if t.state != StateRolledBack {
			return true
		}
	}
	return s.leftDrifted()
}

// hasUnknown reports targets the rollout could not confirm where it wanted
// them: touched targets in an unknown state, and off-plan targets a put back
// did not return.
func (s *runState) hasUnknown() bool {
	for _, t := range s.order {
		if unknownState(t.state) {
			return true
		}
	}
	return s.leftDrifted()
}

// reached is the number of the latest wave the journal shows started
// (1 = canary), 0 when none.
func (s *runState) reached() int {
	n := 0
	for w := range s.wavePassed {
		n = max(n, w+1)
	}
	for _, t := range s.order {
		n = max(n, t.wave+1)
	}
	return n
}

func (s *runState) leftDrifted() bool {
	for _, t := range s.offPlan {
		if t.left {
			return true
		}
	}
	return false
}
