// Command incidents replays five real deploy incidents twice — the way they
// happened, and with a deploysafe primitive in place — and prints what went
// wrong without it and what caught it with it.
//
//	go run ./examples/incidents            # all five
//	go run ./examples/incidents -only vero # one
//	go run ./examples/incidents -v         # with details
//
// It needs no server and no configuration: SQLite, a snapshot directory in a
// temp dir and in-memory fleets stand in for production. It exits non-zero if
// any replay fails to catch its incident.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	_ "github.com/deploysafe/deploysafe/verify/schedule/tzdata" // zones work without system tzdata
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("incidents", flag.ContinueOnError)
	fl.SetOutput(stderr)
	only := fl.String("only", "", "replay only this incident ("+strings.Join(names(), ", ")+")")
	verbose := fl.Bool("v", false, "show details")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	chosen := incidents
	if *only != "" {
		chosen = nil
		for _, in := range incidents {
			if in.name == *only {
				chosen = append(chosen, in)
			}
		}
		if chosen == nil {
			fmt.Fprintf(stderr, "incidents: unknown incident %q; choose one of %s\n", *only, strings.Join(names(), ", "))
			return 2
		}
	}

	type row struct {
		name string
		out  replay.Outcome
		err  error
	}
	var rows []row
	for _, in := range chosen {
		fmt.Fprintf(stdout, "▶ %s — %s\n", in.name, in.title)
		dir, err := os.MkdirTemp("", "deploysafe-"+in.name+"-")
		if err != nil {
			fmt.Fprintf(stderr, "incidents: %v\n", err)
			return 1
		}
		out, err := in.replay(ctx, replay.Env{Out: stdout, Verbose: *verbose, TempDir: dir, Terminal: isTerminal(stdout)})
		os.RemoveAll(dir)
		rows = append(rows, row{in.name, out, err})
	}

	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "incident\twithout deploysafe\twith deploysafe")
	failed := 0
	for _, r := range rows {
		with := r.out.With
		switch {
		case r.err != nil:
			with, failed = "ERROR: "+r.err.Error(), failed+1
		case !r.out.Caught:
			with, failed = "NOT CAUGHT: "+with, failed+1
		default:
			with = "caught: " + with
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.name, r.out.Without, with)
	}
	tw.Flush()
	if failed > 0 {
		fmt.Fprintf(stdout, "\n%d of %d incidents were not caught\n", failed, len(rows))
		return 1
	}
	return 0
}

func names() []string {
	var n []string
	for _, in := range incidents {
		n = append(n, in.name)
	}
	return n
}

// isTerminal reports whether w is a terminal, where progress bars redraw
// one line; in CI logs and pipes they print plain lines instead.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
