package reaper

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Audit kinds, as the "kind" attribute of the audit's records.
const (
	KindSweep     = "sweep"
	KindVerdict   = "verdict"
	KindBreaker   = "breaker"
	KindPromotion = "promotion"
	KindRecheck   = "recheck"
	KindAction    = "action"
	KindAck       = "ack"
)

// record is one audit record, read back from its slog attributes.
type record struct {
	Time     time.Time
	Level    slog.Level
	Kind     string
	Sweep    uint64
	Mode     string
	Resource string
	Attrs    map[string]string
	Verdict  Verdict
	Votes    []recVote // in observer order
	Action   Action
	Shadow   bool
	Trips    []Trip
	HaltID   string
	Msg      string
	Err      error
}

// recVote is one observer's vote as the audit shows it.
type recVote struct {
	Observer, Source string
	Verdict          Verdict
	Evidence         string
	Err              error
}

// memSink is a slog.Handler keeping every record at every level.
type memSink struct {
	mu      sync.Mutex
	records []record
	fail    func(r record) error
}

func auditTo(s *memSink) Option {
	if s == nil {
		return Logger(slog.New(slog.DiscardHandler))
	}
	return Logger(slog.New(s))
}

func (m *memSink) Enabled(context.Context, slog.Level) bool { return true }
func (m *memSink) WithAttrs([]slog.Attr) slog.Handler       { return m }
func (m *memSink) WithGroup(string) slog.Handler            { return m }

func (m *memSink) Handle(_ context.Context, r slog.Record) error {
	rec := record{Time: r.Time, Level: r.Level, Msg: r.Message, Attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool {
		v := a.Value.Resolve()
		switch a.Key {
		case "kind":
			rec.Kind = v.String()
		case "sweep":
			rec.Sweep = v.Uint64()
		case "mode":
			rec.Mode = v.String()
		case "resource":
			rec.Resource = v.String()
		case "verdict":
			rec.Verdict = parseVerdict(v.String())
		case "action":
			rec.Action = parseAction(v.String())
		case "shadow":
			rec.Shadow = v.Bool()
		case "halt":
			rec.HaltID = v.String()
		case "trips":
			rec.Trips, _ = v.Any().([]Trip)
		case "err":
			rec.Err, _ = v.Any().(error)
		case "attrs":
			for _, g := range v.Group() {
				rec.Attrs[g.Key] = g.Value.String()
			}
		default:
			if name, ok := cutPrefix(a.Key, "vote."); ok {
				rv := recVote{Observer: name}
				for _, g := range v.Group() {
					switch g.Key {
					case "verdict":
						rv.Verdict = parseVerdict(g.Value.String())
					case "evidence":
						rv.Evidence = g.Value.String()
					case "source":
						rv.Source = g.Value.String()
					case "err":
						rv.Err, _ = g.Value.Any().(error)
					}
				}
				rec.Votes = append(rec.Votes, rv)
			}
		}
		return true
	})
	if len(rec.Trips) == 0 {
		var be *BreakerError
		if errors.As(rec.Err, &be) {
			rec.Trips = be.Trips
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		if err := m.fail(rec); err != nil {
			return err
		}
	}
	m.records = append(m.records, rec)
	return nil
}

// Records returns the records so far, filtered to kinds if any are given.
func (m *memSink) Records(kinds ...string) []record {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []record
	for _, r := range m.records {
		if len(kinds) == 0 || containsKind(kinds, r.Kind) {
			out = append(out, r)
		}
	}
	return out
}

func containsKind(ks []string, k string) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}

func parseVerdict(s string) Verdict {
	for v := Unknown; v <= Orphan; v++ {
		if v.String() == s {
			return v
		}
	}
	return Verdict(255)
}

func parseAction(s string) Action {
	for a := Action(0); a <= Restore; a++ {
		if a.String() == s {
			return a
		}
	}
	return Action(255)
}
