// Command deploysafe runs deploysafe's snapshot primitives from a shell,
// and shows and acknowledges a reaper's state, for the bad day when an
// operator needs a command, not a Go program.
//
//	deploysafe snapshot take     --db DSN --store URL --table orders:site_id --all --id pre-deploy-1234
//	deploysafe snapshot check    --db DSN --store URL --id pre-deploy-1234 --max-drop 0.05
//	deploysafe snapshot restore  --db DSN --store URL --id pre-deploy-1234 --from-check          # a dry run: the plan
//	deploysafe snapshot restore  --db DSN --store URL --id pre-deploy-1234 --from-check --apply  # restores, verified
//	deploysafe snapshot rehearse --db DSN --store URL --id pre-deploy-1234                       # restores into scratch tables, drops them
//	deploysafe reaper status     --db postgres://… --ledger servos                               # last sweep, halt, quarantine, parked, lease
//	deploysafe reaper ack HALT_ID --by alice --db postgres://… --ledger servos                   # Reaper.Acknowledge
//	deploysafe rollout status    --db postgres://… --rollout deploy-1234                         # waves, targets, outcome, lease
//	deploysafe rollout status    --journal /var/lib/app/v2.journal                               # the same, of a rollout.FileJournal
//
// Subcommands: snapshot take, list, verify, check, diff, restore,
// rehearse, forget, prune; reaper status, ack; rollout status. Run one
// with -h for its flags.
//
// The reaper subcommands read the ledger package pgreaper keeps, by the
// reaper's name (--ledger), in the schema the DSN's search_path names.
// reaper status only reads (it creates no table, takes no lock), and
// exits 1 while the reaper is halted or has parked resources; reaper ack takes the reaper's lease for the acknowledgement
// (refused while a sweep holds it) and is refused (exit 1) for a halt that
// is not the current one. rollout status reads a pgjournal journal
// without its lease, or with --journal a FileJournal's file without
// writing it, and exits 1 unless the rollout succeeded or a live executor
// is running it (a file journal has no lease: an unfinished rollout there
// exits 1, since it cannot tell running from abandoned).
//
// The database is a DSN: postgres:// or postgresql:// (through pgx), or a
// SQLite file path (or sqlite:// / file: URL). The store is a directory
// (or file:// URL), or any gocloud.dev/blob URL: s3://bucket?region=…,
// gs://…, azblob://…. Tables are table:partition_column. Partitions are
// chosen by --keys (for every --table; table/key names one partition of
// the snapshot), by --from-check (those a RowCountDrop check finds
// damaged), or by --all.
//
// Progress goes to stderr on a terminal (partitions done of total, rows,
// bytes, ETA); --json prints the result as JSON on stdout instead of text.
//
// # Exit codes
//
//	0  done; nothing damaged, no violation, the reaper healthy
//	1  damage or violations found, the reaper halted or with parked
//	   resources, a rollout that needs attention, or the operation failed
//	   (a missing manifest, a partition that did not restore)
//	2  usage: a bad flag, DSN or URL, an unknown table, a column that is
//	   not the table's partition column, an unknown reaper ledger or
//	   rollout; or a database or store that cannot be reached, so that
//	   nothing could be told (a monitor tells "could not look" from
//	   "looked and found trouble")
//
// An error is one line on stderr. Nothing is written before every input
// has been checked.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// usageError is an error in the command line: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// unreachableError is a database or store that could not be reached: exit
// 2, as for bad input, because nothing could be told; exit 1 means the
// command looked and found something that needs attention.
type unreachableError struct{ err error }

func (e unreachableError) Error() string { return e.err.Error() }
func (e unreachableError) Unwrap() error { return e.err }

func unreachable(what string, err error) error {
	return unreachableError{fmt.Errorf("%s unreachable: %w", what, err)}
}

// errHelp is -h or --help: the help is printed, exit 0.
var errHelp = errors.New("deploysafe: help")

// foundError reports damage or violations that the command found and
// printed: exit 1 without another message.
var errFound = errors.New("deploysafe: damage or violations found")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args and returns its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const usage = "usage: deploysafe snapshot <take|list|verify|check|diff|restore|rehearse|forget|prune> [flags]\n" +
		"       deploysafe reaper <status|ack> [flags]\n" +
		"       deploysafe rollout status [flags]\n" +
		"       deploysafe <snapshot|reaper|rollout> <subcommand> -h   the subcommand's flags"
	groups := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"snapshot": runSnapshot, "reaper": runReaper, "rollout": runRollout,
	}
	if len(args) == 1 && isHelp(args[0]) || len(args) == 2 && groups[args[0]] != nil && isHelp(args[1]) {
		fmt.Fprintln(stdout, usage)
		return exitOK
	}
	if len(args) < 1 || groups[args[0]] == nil {
		fmt.Fprintln(stderr, usage)
		return exitUsage
	}
	err := groups[args[0]](ctx, args[1:], stdout, stderr)
	var (
		ue usageError
		ne unreachableError
	)
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errFound):
		return exitFailed
	case errors.As(err, &ue), errors.As(err, &ne):
		fmt.Fprintln(stderr, "deploysafe:", oneLine(err))
		return exitUsage
	default:
		fmt.Fprintln(stderr, "deploysafe:", oneLine(err))
		return exitFailed
	}
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// oneLine joins a multi-line error (errors.Join) into one line.
func oneLine(err error) string {
	b := []byte(err.Error())
	for i, c := range b {
		if c == '\n' {
			b[i] = ';'
		}
	}
	return string(b)
}
