package reaper

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// Kind says what an audit Record describes.
type Kind string

// Record kinds.
const (
	KindSweep     Kind = "sweep"     // a sweep started or ended
	KindVerdict   Kind = "verdict"   // one resource's votes and verdict
	KindBreaker   Kind = "breaker"   // a breaker decision: trip, acknowledged, or pass
	KindPromotion Kind = "promotion" // the mode was refused for lack of shadow sweeps
	KindRecheck   Kind = "recheck"   // the live re-check before an action
	KindAction    Kind = "action"    // an action taken, would-be (shadow), or failed
	KindAck       Kind = "ack"       // an operator acknowledged a halt
)

// NamedVote is a Vote with the observer that cast it.
type NamedVote struct {
	Observer string
	Source   string
	Vote
	Err error // the observer's error or panic, if the vote became Unknown that way
}

// Record is one audit entry. Fields not relevant to Kind are zero.
type Record struct {
	Time     time.Time
	Level    slog.Level
	Kind     Kind
	Sweep    uint64
	Mode     Mode
	Resource string
	Attrs    map[string]string
	Verdict  Verdict
	Votes    []NamedVote
	Action   Action
	Shadow   bool   // the action was only recorded (shadow mode)
	Trips    []Trip // breaker records
	HaltID   string
	Msg      string
	Err      error
}

// Sink receives audit records. Enabled lets the reaper skip building
// records nobody keeps (most verdicts on a large healthy fleet are Debug).
// If Record returns an error the sweep stops before its next action.
type Sink interface {
	Enabled(ctx context.Context, level slog.Level) bool
	Record(ctx context.Context, r Record) error
}

// SlogSink writes records to l as structured log lines: message "reaper
// <kind>", with sweep, mode, resource, verdict, votes (observer, source,
// verdict, evidence, err), action, trips and error as attributes.
// Verdicts with no Orphan vote are logged at Debug; those with one at Info;
// breaker trips at Error.
func SlogSink(l *slog.Logger) Sink {
	if l == nil {
		panic("reaper: SlogSink(nil)")
	}
	return slogSink{l}
}

type slogSink struct{ l *slog.Logger }

// Enabled asks the logger.
func (s slogSink) Enabled(ctx context.Context, level slog.Level) bool {
	return s.l.Enabled(ctx, level)
}

// Record logs r as one line.
func (s slogSink) Record(ctx context.Context, r Record) error {
	attrs := []slog.Attr{slog.Uint64("sweep", r.Sweep), slog.String("mode", r.Mode.String())}
	if r.Resource != "" {
		attrs = append(attrs, slog.String("resource", r.Resource))
	}
	if r.Kind == KindVerdict || r.Kind == KindRecheck {
		attrs = append(attrs, slog.String("verdict", r.Verdict.String()))
	}
	for _, v := range r.Votes {
		va := []any{slog.String("source", v.Source), slog.String("verdict", v.Verdict.String()), slog.String("evidence", v.Evidence)}
		if v.Err != nil {
			va = append(va, slog.String("err", v.Err.Error()))
		}
		attrs = append(attrs, slog.Group("vote."+v.Observer, va...))
	}
	if r.Action != "" {
		attrs = append(attrs, slog.String("action", string(r.Action)), slog.Bool("shadow", r.Shadow))
	}
	if r.HaltID != "" {
		attrs = append(attrs, slog.String("halt", r.HaltID))
	}
	for i, t := range r.Trips {
		attrs = append(attrs, slog.String("trip."+strconv.Itoa(i), t.String()))
	}
	if r.Msg != "" {
		attrs = append(attrs, slog.String("detail", r.Msg))
	}
	if r.Err != nil {
		attrs = append(attrs, slog.String("err", r.Err.Error()))
	}
	s.l.LogAttrs(ctx, r.Level, "reaper "+string(r.Kind), attrs...)
	return nil
}

// MemorySink keeps every record in memory, at every level. It is meant for
// tests and examples. The zero MemorySink is ready to use.
type MemorySink struct {
	mu      sync.Mutex
	records []Record
}

// Enabled reports true for every level.
func (m *MemorySink) Enabled(context.Context, slog.Level) bool { return true }

// Record appends r.
func (m *MemorySink) Record(_ context.Context, r Record) error {
	m.mu.Lock()
	m.records = append(m.records, r)
	m.mu.Unlock()
	return nil
}

// Records returns a copy of the records so far, filtered to kinds if any
// are given.
func (m *MemorySink) Records(kinds ...Kind) []Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Record
	for _, r := range m.records {
		if len(kinds) == 0 || containsKind(kinds, r.Kind) {
			out = append(out, r)
		}
	}
	return out
}

func containsKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Tee sends every record to each sink in turn; the first error stops it.
// A nil sink is a programmer error and panics.
func Tee(sinks ...Sink) Sink {
	for _, s := range sinks {
		if s == nil {
			panic("reaper: Tee: nil Sink")
		}
	}
	return tee(append([]Sink(nil), sinks...))
}

type tee []Sink

// Enabled reports whether any sink wants level l.
func (t tee) Enabled(ctx context.Context, l slog.Level) bool {
	for _, s := range t {
		if s.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

// Record forwards r to every sink that wants it.
func (t tee) Record(ctx context.Context, r Record) error {
	for _, s := range t {
		if s.Enabled(ctx, r.Level) {
			if err := s.Record(ctx, r); err != nil {
				return err
			}
		}
	}
	return nil
}
