package schedule

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
)

// SweepReport is what Sweep found.
type SweepReport struct {
	Zones  int // zones swept
	Cases  int // events round-tripped
	Failed int // events that did not come back intact
	// Groups holds the failures grouped by zone, horizon and boundary class
	// of "now", sorted by zone, then horizon (in the order given), then class.
	Groups []FailureGroup
}

// FailureGroup is the failures of one zone, horizon and boundary class.
type FailureGroup struct {
	Zone    string
	Horizon string
	Class   Boundary
	Count   int
	// First is the smallest failing case of the group: the one with the
	// earliest "now".
	First Case

	horizonIndex int
}

// Case is one event that did not survive the round trip.
type Case struct {
	Event    Event  // what was encoded
	Got      Event  // what was decoded (zero if Encode or Decode failed)
	Mismatch string // "[instant zone wall time]" or "encode: …" / "decode: …"
}

// view is what the sweep compares, in a form whose diff reads well.
type view struct {
	Instant string // UTC, RFC 3339 with nanoseconds
	Zone    string
	Wall    string // the local wall time the decoded value shows
	Offset  string
}

func viewOf(ev Event) view {
	if ev.At.IsZero() && ev.Zone == "" {
		return view{}
	}
	return view{Instant: ev.At.UTC().Format(time.RFC3339Nano), Zone: ev.Zone,
		Wall: WallOf(ev.At).String(), Offset: offsetOf(ev.At).String()}
}

// Diff returns a go-cmp diff of what was encoded (-) against what was
// decoded (+).
func (c Case) Diff() string { return cmp.Diff(viewOf(c.Event), viewOf(c.Got)) }

// String describes the case on one line.
func (c Case) String() string {
	return fmt.Sprintf("now %s, event %s in %s: %s", c.Event.Created.UTC().Format(time.RFC3339),
		c.Event.At.UTC().Format(time.RFC3339Nano), c.Event.Zone, c.Mismatch)
}

// Err returns nil when every event came back intact, else an error wrapping
// ErrRoundTrip that summarizes the failures.
func (r *SweepReport) Err() error {
	if r == nil || r.Failed == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d of %d events in %d groups (first: %s %s %s: %s)", ErrRoundTrip,
		r.Failed, r.Cases, len(r.Groups), r.Groups[0].Zone, r.Groups[0].Horizon, r.Groups[0].Class, r.Groups[0].First)
}

// Summary writes the report with the first max groups, each with its
// smallest case and diff.
func (r *SweepReport) Summary(max int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d zones, %d events, %d failed in %d groups\n", r.Zones, r.Cases, r.Failed, len(r.Groups))
	for i, g := range r.Groups {
		if i == max {
			fmt.Fprintf(&b, "… and %d more groups\n", len(r.Groups)-max)
			break
		}
		fmt.Fprintf(&b, "%s, horizon %s, now at %s: %d failed; smallest: %s\n", g.Zone, g.Horizon, g.Class, g.Count, g.First)
		if d := g.First.Diff(); d != "" {
			fmt.Fprintf(&b, "  (-encoded +decoded):\n%s", indent(d))
		}
	}
	return b.String()
}

// ByHorizon returns how many events failed for each horizon name.
func (r *SweepReport) ByHorizon() map[string]int {
	m := map[string]int{}
	for _, g := range r.Groups {
		m[g.Horizon] += g.Count
	}
	return m
}

// ByZone returns how many events failed in each zone.
func (r *SweepReport) ByZone() map[string]int {
	m := map[string]int{}
	for _, g := range r.Groups {
		m[g.Zone] += g.Count
	}
	return m
}

func indent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "")
}

// TestingT is the part of testing.TB that SweepT needs.
type TestingT interface {
	Helper()
	Errorf(format string, args ...any)
}

// SweepT runs Sweep and fails t with the summary (first 20 groups, with
// diffs) if any event did not survive the round trip or the input was bad.
func SweepT[R any](t TestingT, c Codec[R], opts ...SweepOption) *SweepReport {
	t.Helper()
	rep, err := Sweep(context.Background(), c, opts...)
	if err != nil {
		t.Errorf("%v", err)
		return rep
	}
	if err := rep.Err(); err != nil {
		t.Errorf("%v\n%s", err, rep.Summary(20))
	}
	return rep
}
