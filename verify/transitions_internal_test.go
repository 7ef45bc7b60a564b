package verify

import (
	"testing"
	"time"
)

// The transitions pool's instants are real offset changes of their zones.
func TestTransitionEdgesAreChanges(t *testing.T) {
	zs := transitionZones()
	if len(zs) != 2 {
		t.Fatalf("%d zones loaded, want 2 (is tzdata installed?)", len(zs))
	}
	for _, z := range zs {
		for _, tr := range z.changes {
			_, before := tr.Add(-time.Nanosecond).In(z.loc).Zone()
			_, after := tr.In(z.loc).Zone()
			if before == after {
				t.Errorf("%s: no offset change at %s", z.loc, tr)
			}
		}
	}
}
