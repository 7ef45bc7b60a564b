package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"strings"

	"github.com/deploysafe/deploysafe/internal/clip"
	"github.com/deploysafe/deploysafe/internal/journalfile"
	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/pgjournal"
)

func runRollout(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("rollout: want a subcommand: status")
	}
	if args[0] != "status" {
		return usagef("rollout: unknown subcommand %q", args[0])
	}
	return rolloutStatus(ctx, args[1:], stdout, stderr)
}

// The JSON of rollout status.
type (
	rolloutStatusJSON struct {
		Rollout     string       `json:"rollout"`
		Fingerprint string       `json:"fingerprint"`
		Version     string       `json:"version"`
		Outcome     string       `json:"outcome"` // "" while not ended
		Running     bool         `json:"running"` // a live executor holds the lease
		Lease       string       `json:"lease"`   // "held", "free", or "untracked" (a file journal has none)
		Healthy     bool         `json:"healthy"`
		WavesPassed int          `json:"waves_passed"`
		Waves       []waveJSON   `json:"waves"`
		Targets     []targetJSON `json:"targets"`
	}
	waveJSON struct {
		Wave  int    `json:"wave"`
		State string `json:"state"`
	}
	targetJSON struct {
		Target    string `json:"target"`
		Wave      int    `json:"wave"` // 0: outside the plan (an off-plan change)
		Previous  string `json:"previous"`
		State     string `json:"state"`
		Now       string `json:"now,omitempty"`
		PutBack   bool   `json:"put_back,omitempty"`
		Unhealthy bool   `json:"unhealthy,omitempty"`
		Error     string `json:"error,omitempty"`
	}
)

func rolloutStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("deploysafe rollout status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var db, id, path string
	var asJSON bool
	fs.StringVar(&db, "db", "", "the journal's PostgreSQL (rollout/pgjournal): postgres://… (its search_path chooses the schema)")
	fs.StringVar(&id, "rollout", "", "the rollout's name, as given to pgjournal.Open (with --db)")
	fs.StringVar(&path, "journal", "", "instead of --db: the file of a file journal (rollout.FileJournal), read without writing")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON on stdout")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", clip.String(fs.Arg(0)))
	case path != "" && db != "":
		return usagef("--db or --journal, not both")
	case path != "" && id != "":
		return usagef("--rollout names a journal of --db; a file journal holds one rollout: give --journal alone")
	case path == "" && db == "":
		return usagef("want --db (pgjournal) or --journal (a file journal)")
	case path == "" && !strings.HasPrefix(db, "postgres://") && !strings.HasPrefix(db, "postgresql://"):
		return usagef("--db: want a postgres:// or postgresql:// URL")
	case path == "" && id == "":
		return usagef("--rollout is required (the rollout's name)")
	}
	var (
		rep   *rollout.Report
		held  bool
		lease = "free"
		err   error
	)
	if path != "" {
		id, lease = path, "untracked"
		rep, err = inspectFile(ctx, path)
		if errors.Is(err, iofs.ErrNotExist) {
			return usagef("no journal file %s (check --journal)", clip.String(path))
		}
		if err == nil && rep == nil {
			return usagef("the journal file %s holds no rollout", clip.String(path))
		}
	} else {
		pool, perr := openPool(ctx, db)
		if perr != nil {
			return perr
		}
		defer pool.Close()
		rep, held, err = pgjournal.Inspect(ctx, pool, id)
		if err == nil && rep == nil {
			return usagef("no journal of rollout %q in this database (check --rollout, and the schema the DSN's search_path names)", clip.String(id))
		}
		if held {
			lease = "held"
		}
	}
	if err != nil {
		return err
	}
	out := rolloutStatusJSON{Rollout: id, Fingerprint: rep.Fingerprint, Version: rep.Version, Outcome: string(rep.Outcome),
		Running: held, Lease: lease, WavesPassed: rep.WavesPassed, Waves: []waveJSON{}, Targets: []targetJSON{}}
	out.Healthy = rep.Outcome == rollout.OutcomeSucceeded || rep.Outcome == "" && held
	last := 0
	for _, t := range rep.Targets {
		tj := targetJSON{Target: t.Target, Wave: t.Wave, Previous: t.Previous, State: string(t.State), Now: t.Now, PutBack: t.PutBack, Unhealthy: t.Unhealthy}
		if t.Err != nil {
			tj.Error = t.Err.Error()
		}
		out.Targets = append(out.Targets, tj)
		last = max(last, t.Wave)
	}
	// The journal keeps the waves a rollout reached, not the plan's count.
	for w := 1; w <= max(last, rep.WavesPassed); w++ {
		state := "passed"
		switch {
		case w <= rep.WavesPassed:
		case rep.Outcome == "" && held:
			state = "in progress"
		case rep.Outcome == "" && lease == "untracked":
			state = "unfinished"
		case rep.Outcome == "":
			state = "interrupted"
		default:
			state = "stopped: " + string(rep.Outcome)
		}
		out.Waves = append(out.Waves, waveJSON{w, state})
	}
	if asJSON {
		if err := printJSON(stdout, out); err != nil {
			return err
		}
	} else {
		printRolloutStatus(stdout, out)
	}
	if !out.Healthy {
		return errFound
	}
	return nil
}

func printRolloutStatus(w io.Writer, s rolloutStatusJSON) {
	fmt.Fprintf(w, "rollout %s: version %s, plan fingerprint %s\n", s.Rollout, s.Version, s.Fingerprint)
	switch {
	case s.Outcome != "":
		fmt.Fprintf(w, "outcome: %s\n", s.Outcome)
	case s.Running:
		fmt.Fprintln(w, "outcome: none yet, running")
	case s.Lease == "untracked":
		fmt.Fprintln(w, "outcome: none yet: running, or interrupted (a file journal cannot tell which); if no process runs it, Resume or Abort it")
	default:
		fmt.Fprintln(w, "outcome: none: interrupted, no live executor; Resume or Abort it")
	}
	switch s.Lease {
	case "held":
		fmt.Fprintln(w, "lease: held by a live executor")
	case "untracked":
		fmt.Fprintln(w, "lease: not tracked by a file journal")
	default:
		fmt.Fprintln(w, "lease: free")
	}
	for _, wv := range s.Waves {
		fmt.Fprintf(w, "wave %d: %s\n", wv.Wave, wv.State)
	}
	fmt.Fprintf(w, "targets: %d\n", len(s.Targets))
	for _, t := range s.Targets {
		line := fmt.Sprintf("  %s  wave %d  %s (was %s)", t.Target, t.Wave, t.State, t.Previous)
		if t.Now != "" {
			line += ", now " + t.Now
		}
		if t.PutBack {
			line += ", put back"
		}
		if t.Unhealthy {
			line += ", UNHEALTHY after rollback"
		}
		if t.Error != "" {
			line += ": " + t.Error
		}
		fmt.Fprintln(w, line)
	}
}

// inspectFile is rollout.Inspect of the file journal at path (a
// FileJournal's), read without writing: a missing file is an error
// wrapping fs.ErrNotExist, never created, and a torn last record (a crash
// in the middle of an append) is skipped, not repaired. A file journal has
// no lease: whether a process is running the rollout, it cannot tell.
func inspectFile(ctx context.Context, path string) (*rollout.Report, error) {
	recs, err := journalfile.Read(ctx, path)
	if err != nil {
		var pe *iofs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", pe.Op, pe.Err) // the message names the path once, clipped
		}
		return nil, fmt.Errorf("%w: journal %s: %w", rollout.ErrJournal, clip.String(path), err)
	}
	return rollout.Inspect(ctx, records(recs))
}

// records is a read-only JournalStore of records already read.
type records [][]byte

func (r records) Load(context.Context) ([][]byte, error) { return r, nil }
func (records) Append(context.Context, []byte) error {
	return fmt.Errorf("%w: a journal read by rollout status is read-only", rollout.ErrJournal)
}
