// Package replay is the shape every incident replay shares, so the incidents
// command can run them all and print one table.
package replay

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Outcome is what one incident replay found.
type Outcome struct {
	// Without is what happened the way the incident went (no deploysafe).
	Without string
	// With is what the deploysafe primitive reported.
	With string
	// Caught reports whether the primitive caught the failure before it did
	// harm. The incidents command exits non-zero when any replay is not caught.
	Caught bool
}

// Env is what a replay may use: where to print, and whether to print details.
type Env struct {
	Out     io.Writer
	Verbose bool
	TempDir string // a directory the replay may write to; removed afterwards
	// Terminal says Out is a terminal: progress redraws one line with \r.
	// Otherwise progress prints plain lines.
	Terminal bool
}

// Logf prints a detail line when Verbose is set.
func (e Env) Logf(format string, args ...any) {
	if e.Verbose {
		fmt.Fprintf(e.Out, "    "+format+"\n", args...)
	}
}

// Printf prints a line always (keep these few: the output fits one screen).
func (e Env) Printf(format string, args ...any) {
	fmt.Fprintf(e.Out, "  "+format+"\n", args...)
}

// Progress starts a progress line for a long step (a snapshot, a restore).
// Call Update as work finishes and Done at the end.
func (e Env) Progress(label string) *Progress {
	return &Progress{env: e, label: label}
}

// Progress is one long step's progress line. On a terminal it is a bar
// redrawn in place; elsewhere (CI logs, pipes) it prints one plain line when
// the step ends.
type Progress struct {
	env   Env
	label string
	drawn bool
}

const barWidth = 20

// Update reports done of total units finished; detail names the last one.
func (p *Progress) Update(done, total int, detail string) {
	if total <= 0 {
		return
	}
	if p.env.Terminal {
		fill := barWidth * done / total
		fmt.Fprintf(p.env.Out, "\r  %-9s [%s%s] %d/%d %-28.28s", p.label,
			strings.Repeat("█", fill), strings.Repeat("·", barWidth-fill), done, total, detail)
		p.drawn = true
	}
}

// Done ends the line with a summary.
func (p *Progress) Done(summary string) {
	if p.drawn {
		fmt.Fprint(p.env.Out, "\r\033[K") // clear the bar, then print the summary in its place
	}
	fmt.Fprintf(p.env.Out, "  %-9s %s\n", p.label, summary)
}

// Func replays one incident twice: without deploysafe, then with it.
type Func func(ctx context.Context, env Env) (Outcome, error)
