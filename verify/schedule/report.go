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
	// Groups holds the failures grouped by zone, horizon and class of
	// "now", sorted by zone, then horizon (in the order given), then class.
	Groups []FailureGroup
}

// FailureGroup is the failures of one zone, horizon and class of "now",
// with the smallest failing case: the one with the earliest "now".
type FailureGroup struct {
	Zone    string
	Horizon string // "30d-1s", "10y", "at 2038-01-19T03:14:07Z"
	// Class says why the "now" instants were chosen: "transition-1s",
	// "transition", "transition+1s", "utc-midnight", "local-midnight",
	// "missing-midnight", "window-start".
	Class    string
	Count    int
	Event    Event  // the smallest case: what was encoded
	Got      Event  // what was decoded (zero if Encode or Decode failed)
	Mismatch string // "[instant zone wall time]" or "encode: …" / "decode: …"

	horizonIndex int
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
		Wall: wallOf(ev.At).String(), Offset: offsetOf(ev.At).String()}
}

// diff returns a go-cmp diff of what was encoded (-) against what was
// decoded (+).
func (g *FailureGroup) diff() string { return cmp.Diff(viewOf(g.Event), viewOf(g.Got)) }

// smallest describes the group's smallest case on one line.
func (g *FailureGroup) smallest() string {
	return fmt.Sprintf("now %s, event %s in %s: %s", g.Event.Created.UTC().Format(time.RFC3339Nano),
		g.Event.At.UTC().Format(time.RFC3339Nano), g.Event.Zone, g.Mismatch)
}

// err returns nil when every event came back intact, else an error wrapping
// ErrRoundTrip with the first max groups, each with its smallest case and
// diff.
func (r *SweepReport) err(max int) error {
	if r == nil || r.Failed == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d events in %d zones failed, in %d groups", r.Failed, r.Cases, r.Zones, len(r.Groups))
	for i := range r.Groups {
		g := &r.Groups[i]
		if i == max {
			fmt.Fprintf(&b, "\n… and %d more groups", len(r.Groups)-max)
			break
		}
		fmt.Fprintf(&b, "\n%s, horizon %s, now at %s: %d failed; smallest: %s", g.Zone, g.Horizon, g.Class, g.Count, g.smallest())
		if d := g.diff(); d != "" {
			fmt.Fprintf(&b, "\n  (-encoded +decoded):\n%s", strings.TrimSuffix(indent(d), "\n"))
		}
	}
	return fmt.Errorf("%w: %s", ErrRoundTrip, b.String())
}

// byZone returns how many events failed in each zone.
func (r *SweepReport) byZone() map[string]int {
	m := map[string]int{}
	for _, g := range r.Groups {
		m[g.Zone] += g.Count
	}
	return m
}

// byHorizon returns how many events failed for each horizon name.
func (r *SweepReport) byHorizon() map[string]int {
	m := map[string]int{}
	for _, g := range r.Groups {
		m[g.Horizon] += g.Count
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

// TB is the part of testing.TB that SweepT needs.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// SweepT runs Sweep and fails t with the first 20 failure groups, each with
// its smallest case and a go-cmp diff, if any event did not survive the
// round trip or the input was bad. Under go test -short it runs the quick
// sweep (see the package doc).
func SweepT[R any](t TB, c Codec[R], opts ...SweepOption) *SweepReport {
	t.Helper()
	if testShort() {
		opts = append([]SweepOption{quick()}, opts...)
	}
	rep, err := sweep(context.Background(), c, opts, 20)
	if err != nil {
		t.Errorf("%v", err)
	}
	return rep
}
