package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/sqlsource"
)

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// flags are every subcommand's flags; each subcommand defines those it reads.
type flags struct {
	fs                            *flag.FlagSet
	db, store, id, keys, restID   string
	tables                        multi
	all, fromCheck, apply, asJSON bool
	force                         bool
	maxDrop, sample               float64
	unchanged                     bool
	keyColumn, schema             string
	quiet, deps                   bool
	parallel, rows                int
}

func newFlags(name string, stderr io.Writer) *flags {
	f := &flags{fs: flag.NewFlagSet("deploysafe snapshot "+name, flag.ContinueOnError)}
	f.fs.SetOutput(stderr)
	f.fs.BoolVar(&f.asJSON, "json", false, "print the result as JSON on stdout")
	return f
}

func (f *flags) dbFlag() {
	f.fs.StringVar(&f.db, "db", "", "database: postgres://… or a SQLite file")
}
func (f *flags) storeFlag() {
	f.fs.StringVar(&f.store, "store", "", "store: a directory, file://, s3://… or another gocloud.dev/blob URL")
}
func (f *flags) idFlag() { f.fs.StringVar(&f.id, "id", "", "snapshot id") }
func (f *flags) tableFlag() {
	f.fs.Var(&f.tables, "table", "table:partition_column (repeatable; default: the snapshot's tables)")
}
func (f *flags) parallelFlag() {
	f.fs.IntVar(&f.parallel, "parallel", 0, "partitions at once (default: CPUs, at most 8)")
}
func (f *flags) selectFlags() {
	f.fs.StringVar(&f.keys, "keys", "", "comma-separated partition keys (key, or table/key)")
	f.fs.BoolVar(&f.all, "all", false, "every partition")
}

// takeTables is --table, or the tables --key-column finds.
func (f *flags) takeTables(ctx context.Context) ([]tableSpec, error) {
	if f.keyColumn == "" {
		if f.schema != "" {
			return nil, usagef("take: --schema goes with --key-column")
		}
		return parseTables(f.tables)
	}
	if len(f.tables) > 0 {
		return nil, usagef("take: give --table or --key-column, not both")
	}
	db, err := openDB(ctx, f.db)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var schemas []string
	if f.schema != "" {
		schemas = append(schemas, f.schema)
	}
	names, err := sqlsource.TablesWith(ctx, db, f.keyColumn, schemas...)
	if err != nil {
		return nil, classify(err)
	}
	tables := make([]tableSpec, len(names))
	for i, n := range names {
		tables[i] = tableSpec{table: n, column: f.keyColumn}
	}
	return tables, nil
}

func (f *flags) unchangedFlag() {
	f.fs.BoolVar(&f.unchanged, "unchanged", false, "also a violation: any changed row (dumps and hashes each partition whose count matches)")
}

func (f *flags) parse(args []string) error {
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp // the flag package printed the help
		}
		return usageError{err}
	}
	if f.fs.NArg() > 0 {
		return usagef("unexpected argument %q", f.fs.Arg(0))
	}
	if f.parallel < 0 {
		return usagef("--parallel %d: must be at least 1", f.parallel)
	}
	return nil
}

func (f *flags) par() []snapshot.TakeOption {
	if f.parallel > 0 {
		return []snapshot.TakeOption{snapshot.Parallelism(f.parallel)}
	}
	return nil
}

func runSnapshot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("snapshot: want a subcommand: take, list, verify, check, diff, restore, rehearse, forget, prune")
	}
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"take": take, "list": list, "forget": forget, "prune": prune, "verify": verify, "check": check, "diff": diff, "restore": restore, "rehearse": rehearse,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return usagef("snapshot: unknown subcommand %q", args[0])
	}
	return cmd(ctx, args[1:], stdout, stderr)
}

func take(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("take", stderr)
	f.dbFlag()
	f.storeFlag()
	f.tableFlag()
	f.selectFlags()
	f.parallelFlag()
	f.fs.StringVar(&f.id, "id", "", "snapshot id (default: creation time and content hash)")
	f.fs.StringVar(&f.keyColumn, "key-column", "", "instead of --table: every table with this column (the tenant's tables)")
	f.fs.StringVar(&f.schema, "schema", "", "with --key-column on PostgreSQL: look in this schema only (default: every schema)")
	if err := f.parse(args); err != nil {
		return err
	}
	if (f.keys == "") == !f.all {
		return usagef("take: give --keys or --all")
	}
	tables, err := f.takeTables(ctx)
	if err != nil {
		return err
	}
	db, src, err := openSource(ctx, f.db, tables)
	if err != nil {
		return err
	}
	defer db.Close()
	var sel []snapshot.Partition
	for _, t := range tables {
		keys := splitKeys(f.keys)
		if f.all {
			if keys, err = src.Partitions(ctx, t.table); err != nil {
				return err
			}
		}
		for _, k := range keys {
			sel = append(sel, snapshot.Partition{Table: t.table, Key: k})
		}
	}
	store, closeStore, err := openStore(ctx, f.store)
	if err != nil {
		return err
	}
	defer closeStore()
	opts := f.par()
	if f.id != "" {
		opts = append(opts, snapshot.ID(f.id))
	}
	bar := newProgress(stderr, f.asJSON, "take")
	m, err := snapshot.Take(ctx, src, store, sel, append(opts, snapshot.OnProgress(bar.update))...)
	bar.finish()
	if err != nil {
		return classify(err)
	}
	if f.asJSON {
		return printJSON(stdout, map[string]any{"id": m.ID, "partitions": len(m.Partitions), "rows": m.Rows, "bytes": m.Bytes,
			"stored_bytes": m.StoredBytes, "new_bytes": m.NewBytes, "duration_ms": m.Duration.Milliseconds()})
	}
	fmt.Fprintf(stdout, "snapshot %s: %d partitions, %d rows, %s (%s new) in %v\n", m.ID, len(m.Partitions), m.Rows,
		size(m.Bytes), size(m.NewBytes), m.Duration.Round(1e6))
	return nil
}

func list(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("list", stderr)
	f.storeFlag()
	if err := f.parse(args); err != nil {
		return err
	}
	store, closeStore, err := openExistingStore(ctx, f.store)
	if err != nil {
		return err
	}
	defer closeStore()
	ms, err := loadManifests(ctx, store)
	if err != nil {
		return err
	}
	type entry struct {
		ID          string    `json:"id"`
		Created     time.Time `json:"created"`
		Moment      string    `json:"moment,omitempty"`
		Partitions  int       `json:"partitions"`
		Rows        int64     `json:"rows"`
		Bytes       int64     `json:"bytes"`
		StoredBytes int64     `json:"stored_bytes"`
	}
	out := []entry{}
	for _, m := range ms {
		out = append(out, entry{m.ID, m.Created, m.Moment, len(m.Partitions), m.Rows, m.Bytes, m.StoredBytes})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	if f.asJSON {
		return printJSON(stdout, out)
	}
	w := len("ID")
	for _, e := range out {
		w = max(w, len(e.ID))
	}
	fmt.Fprintf(stdout, "%-*s  %-20s  %10s  %12s  %10s\n", w, "ID", "CREATED (UTC)", "PARTITIONS", "ROWS", "STORED")
	for _, e := range out {
		fmt.Fprintf(stdout, "%-*s  %-20s  %10d  %12d  %10s\n", w, e.ID, e.Created.UTC().Format(time.RFC3339), e.Partitions, e.Rows, size(e.StoredBytes))
	}
	return nil
}

// openExistingStore opens --store for a command that reads snapshots: a
// directory must exist (NewDirStore would create it).
func openExistingStore(ctx context.Context, raw string) (snapshot.Store, func(), error) {
	if err := existingDir(raw); err != nil {
		return nil, nil, err
	}
	return openStore(ctx, raw)
}

// loadManifests reads every snapshot's manifest in the store.
func loadManifests(ctx context.Context, store snapshot.Store) ([]*snapshot.Manifest, error) {
	ids, err := snapshot.ListManifests(ctx, store)
	if err != nil {
		return nil, err
	}
	ms := make([]*snapshot.Manifest, 0, len(ids))
	for _, id := range ids {
		m, err := snapshot.LoadManifest(ctx, store, id)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// forget removes --id, or every snapshot but the --keep-last newest.
func forget(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("forget", stderr)
	f.storeFlag()
	f.idFlag()
	keep := f.fs.Int("keep-last", 0, "instead of --id: forget all but this many newest snapshots")
	if err := f.parse(args); err != nil {
		return err
	}
	if (f.id == "") == (*keep == 0) {
		return usagef("forget: give --id or --keep-last")
	}
	if *keep < 0 {
		return usagef("--keep-last %d: must be at least 1", *keep)
	}
	store, closeStore, err := openExistingStore(ctx, f.store)
	if err != nil {
		return err
	}
	defer closeStore()
	ids := []string{f.id}
	if *keep > 0 {
		ms, err := loadManifests(ctx, store)
		if err != nil {
			return err
		}
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Created.After(ms[j].Created) })
		ids = nil
		for _, m := range ms[min(*keep, len(ms)):] {
			ids = append(ids, m.ID)
		}
	}
	for _, id := range ids {
		if err := snapshot.Forget(ctx, store, id); err != nil {
			return classify(err)
		}
		fmt.Fprintf(stdout, "forgot %s\n", id)
	}
	fmt.Fprintf(stdout, "%d snapshot(s) forgotten; their chunks go at the next prune a grace from now\n", len(ids))
	return nil
}

// prune deletes the chunks no snapshot uses, a grace after it first finds them unused.
func prune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("prune", stderr)
	f.storeFlag()
	grace := f.fs.Duration("grace", 24*time.Hour, "delete a chunk only when found unused this long ago, with no take younger than this running")
	if err := f.parse(args); err != nil {
		return err
	}
	store, closeStore, err := openExistingStore(ctx, f.store)
	if err != nil {
		return err
	}
	defer closeStore()
	rep, err := snapshot.Prune(ctx, store, *grace)
	if err != nil {
		return classify(err)
	}
	if f.asJSON {
		return printJSON(stdout, rep)
	}
	fmt.Fprintf(stdout, "%d snapshot(s), %d chunk(s): %d unused, %d deleted, %d kept until their grace has passed\n",
		rep.Snapshots, rep.Chunks, rep.Unused, rep.Deleted, rep.Pending)
	if rep.Busy {
		fmt.Fprintln(stdout, "a take is in progress (or died less than the grace ago): nothing deleted")
	}
	return nil
}

// load opens the store and reads manifest --id.
func (f *flags) load(ctx context.Context) (snapshot.Store, *snapshot.Manifest, func(), error) {
	if f.id == "" {
		return nil, nil, nil, usagef("--id is required")
	}
	if err := existingDir(f.store); err != nil {
		return nil, nil, nil, err
	}
	store, closeStore, err := openStore(ctx, f.store)
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := snapshot.LoadManifest(ctx, store, f.id)
	if err != nil {
		closeStore()
		if errors.Is(err, snapshot.ErrInvalidKey) {
			return nil, nil, nil, usageError{err}
		}
		return nil, nil, nil, err
	}
	return store, m, closeStore, nil
}

// live opens the database for the snapshot's tables, or --table's.
func (f *flags) live(ctx context.Context, m *snapshot.Manifest) (func(), *sqlsource.Source, error) {
	tables, err := parseTables(f.tables)
	if err != nil {
		return nil, nil, err
	}
	if len(tables) == 0 {
		tables = manifestTables(m)
	}
	for _, t := range tables {
		if s, ok := m.Schema(t.table); !ok {
			return nil, nil, usagef("--table %s: not in snapshot %s", t.table, m.ID)
		} else if s.PartitionColumn != t.column {
			return nil, nil, usagef("--table %s:%s: the snapshot's partition column is %s", t.table, t.column, s.PartitionColumn)
		}
	}
	var extra []sqlsource.Option
	if f.quiet {
		extra = append(extra, sqlsource.DisableTriggers())
	}
	db, src, err := openSource(ctx, f.db, tables, extra...)
	if err != nil {
		return nil, nil, err
	}
	return func() { db.Close() }, src, nil
}

func verify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("verify", stderr)
	f.storeFlag()
	f.idFlag()
	f.parallelFlag()
	f.fs.Float64Var(&f.sample, "sample", 1, "fraction of the chunks to check, in (0, 1]")
	if err := f.parse(args); err != nil {
		return err
	}
	store, m, closeStore, err := f.load(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	return f.verifyStore(ctx, "verify", stdout, stderr, store, m, snapshot.Sample(f.sample))
}

func rehearse(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("rehearse", stderr)
	f.fs.StringVar(&f.db, "db", "", "database to rehearse in: the live one (scratch tables) or another")
	f.storeFlag()
	f.idFlag()
	f.parallelFlag()
	if err := f.parse(args); err != nil {
		return err
	}
	store, m, closeStore, err := f.load(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	db, err := openDB(ctx, f.db)
	if err != nil {
		return err
	}
	defer db.Close()
	var topts []sqlsource.Option
	for _, t := range manifestTables(m) {
		topts = append(topts, sqlsource.Table(t.table, t.column))
	}
	into, err := sqlsource.New(db, topts...)
	if err != nil {
		return usageError{err}
	}
	return f.verifyStore(ctx, "rehearse", stdout, stderr, store, m, snapshot.Rehearsal(into))
}

// manifestTables lists the snapshot's tables with their partition columns,
// each once, in the order of its selection.
func manifestTables(m *snapshot.Manifest) []tableSpec {
	var tables []tableSpec
	seen := map[string]bool{}
	for _, p := range m.Selection() {
		if !seen[p.Table] {
			seen[p.Table] = true
			s, _ := m.Schema(p.Table)
			tables = append(tables, tableSpec{p.Table, s.PartitionColumn})
		}
	}
	return tables
}

// verifyStore runs snapshot.Verify with opts, --parallel and a progress
// bar, and reports the result: verify and rehearse.
func (f *flags) verifyStore(ctx context.Context, op string, stdout, stderr io.Writer, store snapshot.Store, m *snapshot.Manifest, opts ...snapshot.VerifyOption) error {
	if f.parallel > 0 {
		opts = append(opts, snapshot.Parallelism(f.parallel))
	}
	bar := newProgress(stderr, f.asJSON, op)
	rep, err := snapshot.Verify(ctx, store, m, append(opts, snapshot.OnProgress(bar.update))...)
	bar.finish()
	return reportVerify(stdout, f.asJSON, m.ID, rep, err)
}

func reportVerify(stdout io.Writer, asJSON bool, id string, rep snapshot.VerifyReport, err error) error {
	var problems []string
	if err != nil {
		if !errors.Is(err, snapshot.ErrChunkMissing) && !errors.Is(err, snapshot.ErrChunkCorrupt) && !errors.Is(err, snapshot.ErrMismatch) {
			return classify(err)
		}
		problems = strings.Split(err.Error(), "\n")
	}
	if asJSON {
		if e := printJSON(stdout, map[string]any{"id": id, "ok": err == nil, "partitions": rep.Partitions, "chunks": rep.Chunks,
			"bytes": rep.Bytes, "rehearsed": rep.Rehearsed, "duration_ms": rep.Duration.Milliseconds(), "problems": problems}); e != nil {
			return e
		}
	} else {
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		fmt.Fprintf(stdout, "snapshot %s: %d partitions, %d chunks, %s checked", id, rep.Partitions, rep.Chunks, size(rep.Bytes))
		if rep.Rehearsed > 0 {
			fmt.Fprintf(stdout, ", %d restored into scratch tables and verified", rep.Rehearsed)
		}
		fmt.Fprintf(stdout, " in %v\n", rep.Duration.Round(1e6))
	}
	if err != nil {
		return errFound
	}
	return nil
}

// violations runs the check of --max-drop, and with --unchanged the
// comparison of every partition's rows with the snapshot's.
func (f *flags) violations(ctx context.Context, src snapshot.Source, m *snapshot.Manifest) ([]snapshot.Violation, error) {
	maxDrop := f.maxDrop
	inv := []snapshot.Invariant{snapshot.RowCountDrop(maxDrop)}
	if f.unchanged {
		var all []snapshot.Partition
		for _, pm := range m.Partitions {
			all = append(all, pm.Partition)
		}
		inv = append(inv, snapshot.Unchanged(all...))
	}
	v, err := snapshot.Check(ctx, src, m, inv...)
	if err != nil && strings.Contains(err.Error(), "maxFraction") {
		return nil, usagef("--max-drop %g: must be in [0, 1)", maxDrop)
	}
	return v, err
}

func check(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("check", stderr)
	f.dbFlag()
	f.storeFlag()
	f.idFlag()
	f.tableFlag()
	f.fs.Float64Var(&f.maxDrop, "max-drop", 0.05, "largest row-count drop of a partition that is not a violation")
	f.unchangedFlag()
	if err := f.parse(args); err != nil {
		return err
	}
	_, m, closeStore, err := f.load(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	closeDB, src, err := f.live(ctx, m)
	if err != nil {
		return err
	}
	defer closeDB()
	v, err := f.violations(ctx, src, m)
	if err != nil {
		return err
	}
	if f.asJSON {
		type vj struct {
			Invariant, Table, Key, Reason string
			Snapshot, Now                 int64
		}
		out := []vj{}
		for _, x := range v {
			out = append(out, vj{x.Invariant, x.Partition.Table, x.Partition.Key, x.Reason, x.Snapshot, x.Now})
		}
		if err := printJSON(stdout, map[string]any{"id": m.ID, "violations": out, "damaged": keysOf(snapshot.Damaged(v))}); err != nil {
			return err
		}
	} else {
		for _, x := range v {
			fmt.Fprintln(stdout, x)
		}
	}
	if len(v) > 0 {
		return errFound
	}
	return nil
}

func diff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return plan(ctx, "diff", args, stdout, stderr)
}

func restore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return plan(ctx, "restore", args, stdout, stderr)
}

// plan is diff, and restore (a dry run unless --apply).
func plan(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error {
	f := newFlags(name, stderr)
	f.dbFlag()
	f.storeFlag()
	f.idFlag()
	f.tableFlag()
	f.selectFlags()
	f.parallelFlag()
	f.fs.BoolVar(&f.fromCheck, "from-check", false, "the partitions a RowCountDrop(--max-drop) check finds damaged")
	f.fs.Float64Var(&f.maxDrop, "max-drop", 0.05, "with --from-check: largest row-count drop that is not damage")
	f.unchangedFlag()
	f.fs.IntVar(&f.rows, "rows", 0, "list up to this many differing rows per partition (compares rows by key)")
	f.fs.StringVar(&f.restID, "restore-id", "", "the restore's journal (default: from the snapshot and the selection)")
	f.fs.BoolVar(&f.force, "force-schema", false, "restore although a table's schema changed")
	f.fs.BoolVar(&f.deps, "include-dependents", false, "also the same keys' partitions of the snapshot's tables that reference a selected table (foreign keys)")
	if name == "restore" {
		f.fs.BoolVar(&f.apply, "apply", false, "restore; without it, print the plan and write nothing")
		f.fs.BoolVar(&f.quiet, "disable-triggers", false, "PostgreSQL: restore with the tables' user triggers disabled (other writers to those tables wait until it commits)")
	}
	if err := f.parse(args); err != nil {
		return err
	}
	n := 0
	for _, b := range []bool{f.keys != "", f.all, f.fromCheck} {
		if b {
			n++
		}
	}
	if n != 1 {
		return usagef("%s: give one of --keys, --from-check, --all", name)
	}
	store, m, closeStore, err := f.load(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	closeDB, src, err := f.live(ctx, m)
	if err != nil {
		return err
	}
	defer closeDB()
	sel, err := f.selection(ctx, src, m)
	if err != nil {
		return err
	}
	if len(sel) == 0 {
		if f.asJSON {
			return printJSON(stdout, map[string]any{"id": m.ID, "partitions": []any{}})
		}
		fmt.Fprintln(stdout, "nothing to restore: no partition is damaged")
		return nil
	}
	var opts []snapshot.RestoreOption
	if f.parallel > 0 {
		opts = append(opts, snapshot.Parallelism(f.parallel))
	}
	if f.rows > 0 {
		opts = append(opts, snapshot.KeyDiff(f.rows))
	}
	if f.restID != "" {
		opts = append(opts, snapshot.ID(f.restID))
	}
	if f.force {
		opts = append(opts, snapshot.ForceSchema())
	}
	if f.deps {
		opts = append(opts, snapshot.IncludeDependents())
	}
	var p *snapshot.Plan
	if f.apply {
		bar := newProgress(stderr, f.asJSON, "restore")
		p, err = snapshot.Restore(ctx, src, store, m, sel, append(opts, snapshot.OnProgress(bar.update))...)
		bar.finish()
	} else {
		p, err = snapshot.Diff(ctx, src, store, m, sel, opts...)
	}
	if p == nil {
		return classify(err)
	}
	if f.asJSON {
		if e := printJSON(stdout, planJSON(p, err)); e != nil {
			return e
		}
	} else {
		fmt.Fprint(stdout, p)
		if p.Applied {
			fmt.Fprintf(stdout, "restored %d, skipped %d (restored before), failed %d\n", len(p.Restored), len(p.Skipped), len(p.Failed))
		}
	}
	return err
}

// selection resolves --keys, --from-check or --all against the snapshot.
func (f *flags) selection(ctx context.Context, src snapshot.Source, m *snapshot.Manifest) ([]snapshot.Partition, error) {
	tables := map[string]bool{}
	for _, t := range f.tables {
		tables[strings.SplitN(t, ":", 2)[0]] = true
	}
	var sel []snapshot.Partition
	switch {
	case f.fromCheck:
		v, err := f.violations(ctx, src, m)
		if err != nil {
			return nil, err
		}
		sel = snapshot.Damaged(v)
	case f.all:
		sel = m.Selection()
	default:
		for _, k := range splitKeys(f.keys) {
			if t, key, ok := strings.Cut(k, "/"); ok {
				if _, known := m.Schema(t); known {
					sel = append(sel, snapshot.Partition{Table: t, Key: key})
					continue
				}
			}
			for _, p := range m.Selection() {
				if p.Key == k && (len(tables) == 0 || tables[p.Table]) {
					sel = append(sel, p)
				}
			}
		}
		for _, k := range splitKeys(f.keys) {
			if !strings.Contains(k, "/") && !hasKey(sel, k) {
				return nil, usagef("--keys: %q is not a partition of snapshot %s", k, m.ID)
			}
		}
	}
	var out []snapshot.Partition
	for _, p := range sel {
		if len(tables) == 0 || tables[p.Table] {
			out = append(out, p)
		}
	}
	return out, nil
}

func hasKey(sel []snapshot.Partition, k string) bool {
	for _, p := range sel {
		if p.Key == k {
			return true
		}
	}
	return false
}

func planJSON(p *snapshot.Plan, err error) map[string]any {
	type part struct {
		Table, Key              string
		SnapshotRows, LiveRows  int64
		Journaled, Again        bool
		Identical, Dependent    bool
		Added, Removed, Changed int
		Rows                    []string `json:",omitempty"`
	}
	parts := []part{}
	for _, d := range p.Partitions {
		parts = append(parts, part{d.Partition.Table, d.Partition.Key, d.SnapshotRows, d.LiveRows, d.Journaled, d.Again,
			d.Identical, d.Dependent, d.Added, d.Removed, d.Changed, d.Rows})
	}
	out := map[string]any{"id": p.Snapshot, "restore_id": p.RestoreID, "applied": p.Applied, "partitions": parts,
		"restored": keysOf(p.Restored), "skipped": keysOf(p.Skipped), "failed": keysOf(p.Failed), "dependents": keysOf(p.Dependents)}
	if err != nil {
		out["error"] = oneLine(err)
	}
	return out
}

func keysOf(ps []snapshot.Partition) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.String())
	}
	sort.Strings(out)
	return out
}

func splitKeys(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// classify makes a library error a usage error when the input was wrong.
func classify(err error) error {
	for _, s := range []error{snapshot.ErrUnknownPartition, snapshot.ErrEmptySelection, snapshot.ErrConfig, snapshot.ErrInvalidKey,
		sqlsource.ErrUnknownTable, sqlsource.ErrUnknownColumn, sqlsource.ErrConfig} {
		if errors.Is(err, s) {
			return usageError{err}
		}
	}
	return err
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
