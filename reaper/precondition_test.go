package reaper

import (
	"errors"
	"strings"
	"testing"
)

// CheckKeys compares only the named attributes: a last-seen time that moved
// does not refuse the action, a changed owner does.
func TestPreconditionCheckKeys(t *testing.T) {
	pre := Precondition{Attrs: map[string]string{"owner": "team-a", "gen": "old", "last_seen": "10:00"}}
	live := map[string]string{"owner": "team-a", "gen": "old", "last_seen": "10:05"}
	if err := pre.Check(live); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("Check = %v, want every attribute compared", err)
	}
	if err := pre.CheckKeys(live, "owner", "gen"); err != nil {
		t.Fatalf("CheckKeys(owner, gen) with only last_seen moved = %v", err)
	}
	for _, tc := range []struct {
		name string
		live map[string]string
		keys []string
		want string
	}{
		{"changed", map[string]string{"owner": "team-b", "gen": "old"}, []string{"owner", "gen"}, `"owner" is "team-b", judged "team-a"`},
		{"gone", map[string]string{"gen": "old"}, []string{"owner"}, `"owner" was "team-a" when judged and is gone`},
		{"appeared", map[string]string{"owner": "team-a", "tenant": "t9"}, []string{"owner", "tenant"}, `"tenant" appeared`},
		{"emptied", map[string]string{"owner": ""}, []string{"owner"}, `"owner" is "", judged "team-a"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := pre.CheckKeys(tc.live, tc.keys...)
			if !errors.Is(err, ErrPrecondition) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckKeys = %v, want ErrPrecondition saying %s", err, tc.want)
			}
		})
	}
	// A key neither judged nor live matches: both say it is absent.
	if err := pre.CheckKeys(live, "owner", "region"); err != nil {
		t.Fatalf("absent on both sides: %v", err)
	}
	// No key: a check of nothing cannot fail, so it refuses (nothing
	// panics on a caller's input).
	if err := pre.CheckKeys(live); !errors.Is(err, ErrPrecondition) || !strings.HasPrefix(err.Error(), "reaper: ") {
		t.Fatalf("CheckKeys() with no key = %v, want a reaper: error wrapping ErrPrecondition", err)
	}
}
