package rollout

import "testing"

// Rolling-back and unknown records move a deployed target's state; an
// off-plan target stays off-plan (its put back is reported as such) but
// keeps the note; records for targets never seen change nothing.
func TestFoldRollbackRecords(t *testing.T) {
	st := fold([]record{
		{Kind: recBegin, Fingerprint: "fp", Version: "v2"},
		{Kind: recDeploying, Target: "a", Version: "v1"},
		{Kind: recDeploying, Target: "b", Version: "v1"},
		{Kind: recDeploying, Target: "c", Version: "v1"},
		{Kind: recDeployFailed, Target: "c", Note: "deploy crashed"},
		{Kind: recDeployFailed, Target: "ghost", Note: "?"},
		{Kind: recOffPlan, Target: "x", Version: "v1", Note: "v2"},
		{Kind: recRollingBack, Target: "a"},
		{Kind: recRollingBack, Target: "x"},
		{Kind: recRollingBack, Target: "ghost"},
		{Kind: recUnknown, Target: "b", Note: "rollback failed"},
		{Kind: recUnknown, Target: "x", Note: "put back failed"},
		{Kind: recUnknown, Target: "ghost", Note: "?"},
	})
	for target, want := range map[string]struct {
		state TargetState
		note  string
	}{
		"a": {StateRollingBack, ""},
		"b": {StateUnknown, "rollback failed"},
		"x": {StateOffPlan, "put back failed"},
		"c": {StateDeploying, "deploy crashed"},
	} {
		ts := st.targets[target]
		if ts == nil || ts.state != want.state || ts.note != want.note {
			t.Errorf("%s: %+v, want state %v, note %q", target, ts, want.state, want.note)
		}
	}
	if _, ok := st.targets["ghost"]; ok {
		t.Error("a record for a target never deployed created it")
	}
}
