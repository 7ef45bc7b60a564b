// Package xervo replays Xervo, 22 July 2015: a new auditing tool scanned the
// infrastructure for servos no longer associated with a project and
// deprovisioned them. It misread how previous-generation hosts store their
// servo lists, called their live servos orphaned, and took a subset of
// projects offline in the large regions. It had passed review, staging and
// smaller regions, which had no previous-generation hosts.
//
// With deploysafe the cleanup is a reaper: three observers reading three
// sources must agree, one Alive vote vetoes, and a blast-radius breaker
// halts the sweep when one observer calls a whole host generation orphaned.
package xervo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"golang.org/x/time/rate"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/reaper"
)

// hostAgent is the auditing tool's detector: which project does the host
// say the servo runs for, and does that project exist? It parses the
// host's records as JSON, the current format only.
type hostAgent struct{ c *cloud }

func (hostAgent) Name() string   { return "host-agent" }
func (hostAgent) Source() string { return "hosts" }
func (o hostAgent) Observe(_ context.Context, r reaper.Resource) (reaper.Vote, error) {
	o.c.mu.Lock()
	defer o.c.mu.Unlock()
	var records map[string]string
	_ = json.Unmarshal([]byte(o.c.hosts[r.Attrs["host"]]), &records) // the bug: old-format records read as none
	switch p, ok := records[r.ID]; {
	case !ok:
		return reaper.Vote{Verdict: reaper.Orphan, Evidence: "no project recorded on " + r.Attrs["host"]}, nil
	case !o.c.projects[p]:
		return reaper.Vote{Verdict: reaper.Orphan, Evidence: "host runs it for deleted project " + p}, nil
	}
	return reaper.Vote{Verdict: reaper.Alive, Evidence: "host runs it for a live project"}, nil
}

// projects asks the project database whether the servo's project exists.
type projects struct{ c *cloud }

func (projects) Name() string   { return "projects" }
func (projects) Source() string { return "project-db" }
func (o projects) Observe(ctx context.Context, r reaper.Resource) (reaper.Vote, error) {
	p := r.Attrs["project"]
	exists, err := reaper.Lookup(ctx, "projects/"+p, func(context.Context) (bool, error) {
		o.c.mu.Lock()
		defer o.c.mu.Unlock()
		return o.c.projects[p], nil
	})
	switch {
	case err != nil:
		return reaper.Vote{}, err
	case exists:
		return reaper.Vote{Verdict: reaper.Alive, Evidence: "project " + p + " exists"}, nil
	}
	return reaper.Vote{Verdict: reaper.Orphan, Evidence: "project " + p + " deleted"}, nil
}

// billing asks whether anyone is still charged for the servo.
type billing struct{ projects }

func (billing) Name() string   { return "billing" }
func (billing) Source() string { return "billing" }
func (o billing) Observe(ctx context.Context, r reaper.Resource) (reaper.Vote, error) {
	v, err := o.projects.Observe(ctx, r)
	v.Evidence = strings.Replace(v.Evidence, "project", "invoice for", 1)
	return v, err
}

// Replay runs the cleanup without and with deploysafe.
func Replay(ctx context.Context, env replay.Env) (replay.Outcome, error) {
	// Without: the auditing tool deprovisions whatever its one detector
	// says is not on a host.
	c := newCloud()
	live := c.live()
	snap, err := c.List(ctx)
	if err != nil {
		return replay.Outcome{}, err
	}
	lostByGen := map[string]int{} // live servos deleted, by host generation
	for _, r := range snap.Resources {
		if v, _ := (hostAgent{c}).Observe(ctx, r); v.Verdict == reaper.Orphan {
			if c.projects[r.Attrs["project"]] {
				lostByGen[r.Attrs["generation"]]++
			}
			c.remove(r.ID)
		}
	}
	lostLive := live - c.live()
	env.Printf("without: the tool deprovisioned %d servos, %d of them live: %d on previous-generation hosts",
		len(c.deleted), lostLive, lostByGen["previous"])
	if lostLive == 0 {
		return replay.Outcome{}, errors.New("the incident did not reproduce")
	}

	// With: the same detector is one of three observers of a reaper, which
	// the team runs in Delete mode from the start.
	c = newCloud()
	live = c.live()
	audit := &orphanVerdicts{}
	observers := []reaper.Observer{hostAgent{c}, projects{c}, billing{projects{c}}}
	limits := reaper.DefaultLimits()
	limits.Rate = rate.Inf
	r, err := reaper.New(c, observers, c, reaper.MemoryLedger(),
		reaper.Strata("region", "generation"), reaper.Act(reaper.Delete, 0),
		reaper.Clock(c.Now), reaper.Logger(slog.New(audit)), reaper.Limit(limits))
	if err != nil {
		return replay.Outcome{}, err
	}
	rep, err := r.Sweep(ctx)
	var breaker *reaper.BreakerError
	if !errors.As(err, &breaker) {
		return replay.Outcome{Without: fmt.Sprintf("%d live servos deleted", lostLive),
			With: fmt.Sprintf("no halt (%v)", err)}, nil
	}
	var blamed []string
	with := "breaker halted, but blamed no observer"
	for _, t := range breaker.Trips {
		env.Logf("breaker: %s", t)
		if t.Observer == "host-agent" && t.Stratum == "generation=previous" {
			blamed = append(blamed, fmt.Sprintf("%s calls %d/%d of %s orphaned", t.Observer, t.Count, t.Total, t.Stratum))
			_, gen, _ := strings.Cut(t.Stratum, "=")
			with = fmt.Sprintf("breaker: %s, %d%% of %s hosts", t.Observer, 100*t.Count/t.Total, gen)
		}
	}
	if rep != nil {
		env.Logf("verdicts: %d alive, %d orphan, %d unknown (one Alive vote vetoes)", rep.Alive, rep.Orphan, rep.Unknown)
	}
	for _, line := range audit.lines {
		env.Logf("orphan %s", line)
	}
	_, err = r.Sweep(ctx) // the next hourly sweep waits for an operator
	halted := errors.Is(err, reaper.ErrHalted)
	env.Printf("with:    breaker halted: %s; %d touched, %d/%d live",
		strings.Join(blamed, "; "), len(c.deleted)+len(c.stopped), c.live(), live)

	return replay.Outcome{
		Without: fmt.Sprintf("%d live servos deleted", lostLive),
		With:    with,
		Caught:  len(blamed) > 0 && halted && c.live() == live && len(c.deleted)+len(c.stopped) == 0,
	}, nil
}

// orphanVerdicts reads the reaper's audit trail (a slog handler) and keeps
// a line per resource judged orphaned, with every observer's vote.
type orphanVerdicts struct{ lines []string }

func (*orphanVerdicts) Enabled(context.Context, slog.Level) bool { return true }
func (o *orphanVerdicts) WithAttrs([]slog.Attr) slog.Handler     { return o }
func (o *orphanVerdicts) WithGroup(string) slog.Handler          { return o }

func (o *orphanVerdicts) Handle(_ context.Context, r slog.Record) error {
	var kind, verdict, resource, region string
	var votes []string
	r.Attrs(func(a slog.Attr) bool {
		switch v := a.Value.Resolve(); {
		case a.Key == "kind":
			kind = v.String()
		case a.Key == "verdict":
			verdict = v.String()
		case a.Key == "resource":
			resource = v.String()
		case a.Key == "attrs":
			for _, g := range v.Group() {
				if g.Key == "region" {
					region = g.Value.String()
				}
			}
		case strings.HasPrefix(a.Key, "vote."):
			for _, g := range v.Group() {
				if g.Key == "verdict" {
					votes = append(votes, strings.TrimPrefix(a.Key, "vote.")+"="+g.Value.String())
				}
			}
		}
		return true
	})
	if kind == "verdict" && verdict == reaper.Orphan.String() {
		o.lines = append(o.lines, fmt.Sprintf("%s (%s): %s", resource, region, strings.Join(votes, " ")))
	}
	return nil
}
