package rollout

// tstate is what the journal says about one target.
type tstate struct {
	target string
	wave   int
	prev   string // version before the rollout first touched it
	state  TargetState
	seq    int // sequence of the latest deploying record: rollback goes in reverse
	note   string
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
	targets          map[string]*tstate
	order            []*tstate // by first touch
	seq              int
}

func newRunState() *runState {
	return &runState{wavePassed: map[int]bool{}, targets: map[string]*tstate{}}
}

// fold replays recs; only the records after the last RecBegin count.
func fold(recs []Record) *runState {
	start := 0
	for i, r := range recs {
		if r.Kind == RecBegin {
			start = i
		}
	}
	st := newRunState()
	for _, r := range recs[start:] {
		st.apply(r)
	}
	return st
}

func (s *runState) apply(r Record) {
	s.seq++
	t := s.targets[r.Target]
	switch r.Kind {
	case RecBegin:
		*s = *newRunState()
		s.begun, s.fingerprint, s.version = true, r.Fingerprint, r.Version
	case RecDeploying:
		if t == nil {
			t = &tstate{target: r.Target, wave: r.Wave, prev: r.Version}
			s.targets[r.Target] = t
			s.order = append(s.order, t)
		}
		t.state, t.seq = StateDeploying, s.seq
	case RecDeployed:
		if t != nil {
			t.state, t.note = StateDeployed, r.Note
		}
	case RecDeployFailed:
		if t != nil {
			t.note = r.Note // the deploy's effect is unknown until Version says
		}
	case RecWavePassed:
		s.wavePassed[r.Wave] = true
	case RecRehearsalStart:
		s.rehearsalStarted = true
	case RecRehearsed:
		s.rehearsed = true
	case RecRollbackStart:
		s.rollingBack, s.rollbackReason = true, r.Note
	case RecRollingBack:
		if t != nil {
			t.state = StateRollingBack
		}
	case RecRolledBack:
		if t != nil {
			t.state, t.note = StateRolledBack, ""
		}
	case RecUnknown:
		if t != nil {
			t.state, t.note = StateUnknown, r.Note
		}
	case RecEnd:
		s.ended, s.outcome = true, r.Note
	}
}

// needsRollback reports targets that are not confirmed on their previous version.
func (s *runState) needsRollback() bool {
	for _, t := range s.order {
		if t.state != StateRolledBack {
			return true
		}
	}
	return false
}

func (s *runState) hasUnknown() bool {
	for _, t := range s.order {
		if t.state == StateUnknown || t.state == StateDeploying || t.state == StateRollingBack {
			return true
		}
	}
	return false
}
