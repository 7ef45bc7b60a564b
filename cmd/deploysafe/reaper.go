package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/deploysafe/deploysafe/internal/clip"
	"github.com/deploysafe/deploysafe/reaper"
	"github.com/deploysafe/deploysafe/reaper/pgreaper"
)

// reaperFlags are the flags of the reaper subcommands.
type reaperFlags struct {
	fs             *flag.FlagSet
	db, ledger, by string
	window         time.Duration
	asJSON         bool
}

func newReaperFlags(name string, stderr io.Writer) *reaperFlags {
	f := &reaperFlags{fs: flag.NewFlagSet("deploysafe reaper "+name, flag.ContinueOnError)}
	f.fs.SetOutput(stderr)
	f.fs.StringVar(&f.db, "db", "", "the reaper's PostgreSQL: postgres://… (its search_path chooses the schema of the tables)")
	f.fs.StringVar(&f.ledger, "ledger", "", "the reaper's name, as given to pgreaper.Open")
	f.fs.BoolVar(&f.asJSON, "json", false, "print the result as JSON on stdout")
	return f
}

// parse parses args; a leading or trailing positional argument goes to
// *pos if pos is not nil.
func (f *reaperFlags) parse(args []string, pos *string) error {
	if pos != nil && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		*pos, args = args[0], args[1:]
	}
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err}
	}
	rest := f.fs.Args()
	if pos != nil && *pos == "" && len(rest) > 0 {
		*pos, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	if f.ledger == "" {
		return usagef("--ledger is required (the reaper's name)")
	}
	if f.window < 0 {
		return usagef("--quarantine-window %v: negative", f.window)
	}
	return nil
}

func runReaper(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("reaper: want a subcommand: status, ack")
	}
	switch args[0] {
	case "status":
		return reaperStatus(ctx, args[1:], stdout, stderr)
	case "ack":
		return reaperAck(ctx, args[1:], stdout, stderr)
	}
	return usagef("reaper: unknown subcommand %q", args[0])
}

// openPool connects to a postgres:// DSN, failing now if unreachable.
func openPool(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	if dsn == "" {
		return nil, usagef("--db is required")
	}
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return nil, usagef("--db: want a postgres:// or postgresql:// URL")
	}
	cfg, err := pgxpool.ParseConfig(dsn) // pgx's errors redact the password
	if err != nil {
		return nil, usagef("--db: %v", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, usagef("--db: %v", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, unreachable("database", err)
	}
	return pool, nil
}

// openReaper opens the ledger of the reaper f.ledger, and a Reaper over
// it that only reads and acknowledges: its inventory, observer and
// deprovisioner are never called by Status or Acknowledge. The ledger is
// read-only, and the lease nil, unless write: then the ledger and lease
// are pgreaper.Open's. Either way a ledger that is not there is found
// first, read-only, so that a mistyped name creates no table.
func (f *reaperFlags) openReaper(ctx context.Context, logger *slog.Logger, write bool) (*pgxpool.Pool, *reaper.Reaper, reaper.Ledger, reaper.Lease, error) {
	pool, err := openPool(ctx, f.db)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	fail := func(err error) (*pgxpool.Pool, *reaper.Reaper, reaper.Ledger, reaper.Lease, error) {
		pool.Close()
		return nil, nil, nil, nil, err
	}
	ledger, err := pgreaper.ReadOnly(ctx, pool, f.ledger)
	if err != nil {
		return fail(err)
	}
	blob, err := ledger.Load(ctx)
	if err != nil {
		return fail(err)
	}
	if blob == nil {
		return fail(usagef("no reaper ledger %q in this database (check --ledger, and the schema the DSN's search_path names)", clip.String(f.ledger)))
	}
	var lease reaper.Lease
	if write {
		if ledger, lease, err = pgreaper.Open(ctx, pool, f.ledger); err != nil {
			return fail(err)
		}
	}
	unused := errors.New("deploysafe: not used by the command")
	inv := inventoryFunc(func(context.Context) (reaper.Listing, error) { return reaper.Listing{}, unused })
	obs := reaper.ObserverFunc("none", "none", func(context.Context, reaper.Resource) (reaper.Vote, error) { return reaper.Vote{}, unused })
	dep := reaper.DeleteOnly(func(context.Context, reaper.Resource, reaper.Precondition) error { return unused })
	opts := []reaper.Option{reaper.Quorum(1, 1)}
	if logger != nil {
		opts = append(opts, reaper.Logger(logger))
	}
	if f.window > 0 {
		opts = append(opts, reaper.QuarantineWindow(f.window))
	}
	r, err := reaper.New(inv, []reaper.Observer{obs}, dep, ledger, opts...)
	if err != nil {
		return fail(usageError{err})
	}
	return pool, r, ledger, lease, nil
}

type inventoryFunc func(context.Context) (reaper.Listing, error)

func (f inventoryFunc) List(ctx context.Context) (reaper.Listing, error) { return f(ctx) }

// The JSON of reaper status.
type (
	reaperStatusJSON struct {
		Ledger      string          `json:"ledger"`
		Now         time.Time       `json:"now"` // the database's clock
		Healthy     bool            `json:"healthy"`
		Sweeps      uint64          `json:"sweeps"`
		LastSweep   *lastSweepJSON  `json:"last_sweep"`
		Halt        *haltJSON       `json:"halt"`
		Candidates  int             `json:"candidates"`
		Window      string          `json:"quarantine_window"`      // the deadlines' window
		WindowFrom  string          `json:"quarantine_window_from"` // "ledger" (the last sweep's), or "flag" (--quarantine-window)
		Quarantined []heldJSON      `json:"quarantined"`
		Parked      []heldJSON      `json:"parked"`
		Deleted     int             `json:"deleted"`
		Shadow      map[string]int  `json:"shadow_sweeps"`
		Lease       reaperLeaseJSON `json:"lease"`
	}
	lastSweepJSON struct {
		Number    uint64    `json:"number"`
		At        time.Time `json:"at"`
		Mode      string    `json:"mode"`
		Resources int       `json:"resources"`
		Alive     int       `json:"alive"`
		Orphan    int       `json:"orphan"`
		Unknown   int       `json:"unknown"`
	}
	haltJSON struct {
		ID    string     `json:"id"`
		Sweep uint64     `json:"sweep"` // the sweep that halted
		At    time.Time  `json:"at"`    // when it started, on the database's clock
		Trips []tripJSON `json:"trips"`
		Ack   string     `json:"acknowledge"` // the command that acknowledges it
	}
	tripJSON struct {
		Limit    string `json:"limit"`
		Stratum  string `json:"stratum,omitempty"`
		Observer string `json:"observer,omitempty"`
		Count    int    `json:"count"`
		Allowed  int    `json:"allowed"`
		Total    int    `json:"total,omitempty"`
		Detail   string `json:"detail,omitempty"`
	}
	heldJSON struct {
		ID            string     `json:"id"`
		Stage         string     `json:"stage"`
		QuarantinedAt *time.Time `json:"quarantined_at,omitempty"`
		Deadline      *time.Time `json:"delete_from,omitempty"`
		Action        string     `json:"action,omitempty"` // parked: the action given up on
		Attempts      int        `json:"attempts,omitempty"`
		Error         string     `json:"error,omitempty"`
	}
	reaperLeaseJSON struct {
		Held   bool   `json:"held"`
		Holder string `json:"holder,omitempty"`
	}
)

func reaperStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newReaperFlags("status", stderr)
	f.fs.DurationVar(&f.window, "quarantine-window", 72*time.Hour, "the reaper's QuarantineWindow, for the deadlines of quarantined resources: "+
		"used only on a ledger that records none (written by an older deploysafe); otherwise the last sweep's window is")
	if err := f.parse(args, nil); err != nil {
		return err
	}
	pool, r, ledger, _, err := f.openReaper(ctx, nil, false)
	if err != nil {
		return err
	}
	defer pool.Close()
	st, err := r.Status(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	if c, ok := ledger.(interface {
		Now(context.Context) (time.Time, error)
	}); ok {
		if now, err = c.Now(ctx); err != nil {
			return err
		}
	}
	holder, err := pgreaper.Holder(ctx, pool, f.ledger)
	if err != nil {
		return err
	}
	out := reaperStatusJSON{
		Ledger: f.ledger, Now: now.UTC(), Healthy: st.Halt == nil && len(st.Parked) == 0, Sweeps: st.Sweeps,
		Candidates: len(st.Candidates), Deleted: len(st.Deleted), Shadow: st.Shadow,
		Quarantined: []heldJSON{}, Parked: []heldJSON{}, Lease: reaperLeaseJSON{Held: holder != "", Holder: holder},
	}
	out.Window, out.WindowFrom = f.window.String(), "flag"
	if l := st.Last; l != nil && l.QuarantineWindow != nil {
		out.Window, out.WindowFrom = l.QuarantineWindow.String(), "ledger"
	}
	if l := st.Last; l != nil {
		out.LastSweep = &lastSweepJSON{Number: st.Sweeps, At: l.At.UTC(), Mode: l.Mode.String(),
			Resources: l.Resources, Alive: l.Alive, Orphan: l.Orphan, Unknown: l.Unknown}
	}
	if h := st.Halt; h != nil {
		out.Halt = &haltJSON{ID: h.HaltID, Sweep: h.Sweep, At: h.At.UTC(), Trips: []tripJSON{}, Ack: ackCommand(h.HaltID, f.db, f.ledger)}
		for _, t := range h.Trips {
			out.Halt.Trips = append(out.Halt.Trips, tripJSON{t.Limit, t.Stratum, t.Observer, t.Count, t.Allowed, t.Total, t.Detail})
		}
	}
	held := func(id string) heldJSON {
		e := st.Entries[id]
		h := heldJSON{ID: id, Stage: e.Stage, Attempts: e.Attempts, Error: e.Err}
		if !e.QuarantinedAt.IsZero() {
			q, d := e.QuarantinedAt.UTC(), e.Deadline.UTC()
			h.QuarantinedAt, h.Deadline = &q, &d
		}
		if e.Stage == "parked" {
			h.Action = e.Parked.String()
		}
		return h
	}
	for _, id := range st.Quarantined {
		out.Quarantined = append(out.Quarantined, held(id))
	}
	for _, id := range st.Parked {
		out.Parked = append(out.Parked, held(id))
	}
	if f.asJSON {
		if err := printJSON(stdout, out); err != nil {
			return err
		}
	} else {
		printReaperStatus(stdout, out)
	}
	if !out.Healthy {
		return errFound
	}
	return nil
}

func printReaperStatus(w io.Writer, s reaperStatusJSON) {
	at := func(t time.Time) string {
		return fmt.Sprintf("%s (%s)", t.Format(time.RFC3339), ago(s.Now.Sub(t)))
	}
	fmt.Fprintf(w, "reaper %s, database clock %s\n", s.Ledger, s.Now.Format(time.RFC3339))
	if l := s.LastSweep; l != nil {
		fmt.Fprintf(w, "last sweep: #%d at %s, mode %s: %d resources, %d alive, %d orphan, %d unknown\n",
			l.Number, at(l.At), l.Mode, l.Resources, l.Alive, l.Orphan, l.Unknown)
	} else {
		fmt.Fprintln(w, "last sweep: none completed yet, or written by a build that did not record it")
	}
	if h := s.Halt; h != nil {
		fmt.Fprintf(w, "HALTED: halt %s by sweep %d, started %s, nothing acted on since; %d limit(s) exceeded:\n", h.ID, h.Sweep, at(h.At), len(h.Trips))
		for _, t := range h.Trips {
			fmt.Fprintf(w, "  %s\n", reaper.Trip{Limit: t.Limit, Stratum: t.Stratum, Observer: t.Observer,
				Count: t.Count, Allowed: t.Allowed, Total: t.Total, Detail: t.Detail})
		}
		fmt.Fprintf(w, "  to acknowledge, once the cause is understood:\n  %s\n", h.Ack)
	} else {
		fmt.Fprintln(w, "halt: none")
	}
	fmt.Fprintf(w, "candidates in grace: %d; deleted, still listed: %d\n", s.Candidates, s.Deleted)
	window := "as the last sweep recorded it"
	if s.WindowFrom != "ledger" {
		window = "from --quarantine-window: the ledger records none"
	}
	deletes := ""
	if l := s.LastSweep; l != nil && l.Mode != reaper.Delete.String() {
		deletes = "; the last sweep's mode, " + l.Mode + ", deletes nothing"
	}
	fmt.Fprintf(w, "quarantined: %d (window %s, %s%s)\n", len(s.Quarantined), s.Window, window, deletes)
	for _, q := range s.Quarantined {
		switch {
		case q.Deadline != nil:
			fmt.Fprintf(w, "  %s  %s since %s, delete from %s\n", q.ID, q.Stage, q.QuarantinedAt.Format(time.RFC3339), q.Deadline.Format(time.RFC3339))
		default:
			fmt.Fprintf(w, "  %s  %s (issued, outcome not recorded)\n", q.ID, q.Stage)
		}
		if q.Error != "" {
			fmt.Fprintf(w, "      %d failed attempt(s), last: %s\n", q.Attempts, q.Error)
		}
	}
	fmt.Fprintf(w, "parked: %d\n", len(s.Parked))
	for _, p := range s.Parked {
		fmt.Fprintf(w, "  %s  %s given up after %d attempt(s): %s\n", p.ID, p.Action, p.Attempts, p.Error)
	}
	if s.Lease.Held {
		fmt.Fprintf(w, "lease: held by %s\n", s.Lease.Holder)
	} else {
		fmt.Fprintln(w, "lease: free (no sweep running)")
	}
}

func ago(d time.Duration) string {
	if d < 0 {
		return "in " + (-d).Round(time.Second).String()
	}
	return d.Round(time.Second).String() + " ago"
}

// ackCommand is the command line that acknowledges halt id, with the DSN's
// password left out (give it in PGPASSWORD).
func ackCommand(id, dsn, ledger string) string {
	return "deploysafe reaper ack " + id + " --by YOUR_NAME --db " + shellQuote(withoutPassword(dsn)) + " --ledger " + shellQuote(ledger)
}

func withoutPassword(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if q.Has("password") {
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func reaperAck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newReaperFlags("ack", stderr)
	f.fs.StringVar(&f.by, "by", "", "who acknowledges (recorded in the audit)")
	f.fs.Usage = func() {
		fmt.Fprintln(f.fs.Output(), "usage: deploysafe reaper ack HALT_ID --by NAME --db DSN --ledger NAME")
		f.fs.PrintDefaults()
	}
	var id string
	if err := f.parse(args, &id); err != nil {
		return err
	}
	if id == "" {
		return usagef("reaper ack: want the halt ID (reaper status shows it)")
	}
	if f.by == "" {
		return usagef("reaper ack: --by is required (who acknowledges)")
	}
	// The acknowledgement is audited to stderr: who lifted which halt.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	pool, r, _, lease, err := f.openReaper(ctx, logger, true)
	if err != nil {
		return err
	}
	defer pool.Close()
	st, err := r.Status(ctx)
	if err != nil {
		return err
	}
	// Take the lease, so that no sweep writes the ledger in between: the
	// acknowledgement is written through the lease's connection.
	if err := lease.Acquire(ctx); err != nil {
		if errors.Is(err, reaper.ErrLeaseHeld) {
			holder, _ := pgreaper.Holder(ctx, pool, f.ledger)
			return fmt.Errorf("reaper ack: a sweep of %s holds the lease (%s); run the command again when it ends", f.ledger, holder)
		}
		return err
	}
	defer lease.Release(context.WithoutCancel(ctx))
	if err := r.Acknowledge(ctx, id, f.by); err != nil {
		if errors.Is(err, reaper.ErrNotFound) {
			return fmt.Errorf("reaper ack refused: %w", err)
		}
		return err
	}
	var trips []reaper.Trip
	if st.Halt != nil && st.Halt.HaltID == id {
		trips = st.Halt.Trips
	}
	if f.asJSON {
		return printJSON(stdout, map[string]any{"acknowledged": id, "by": f.by, "ledger": f.ledger, "trips": len(trips)})
	}
	fmt.Fprintf(stdout, "halt %s acknowledged by %s; sweeps let these through, at most at these counts, until one acts:\n", id, f.by)
	sort.Slice(trips, func(i, j int) bool { return trips[i].Limit < trips[j].Limit })
	for _, t := range trips {
		fmt.Fprintf(stdout, "  %s\n", t)
	}
	return nil
}
