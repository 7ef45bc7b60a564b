package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/deploysafe/deploysafe/snapshot"
)

// progress draws an operation's progress on a terminal: partitions done of
// total, rows, bytes, and an ETA from the rate so far. Elsewhere (a pipe,
// --json) it draws nothing.
type progress struct {
	w           io.Writer
	on          bool
	op          string
	began       time.Time
	rows, bytes int64
	hangAfter   int // tests: after this many partitions, stop dead (for a SIGKILL)
}

func newProgress(w io.Writer, asJSON bool, op string) *progress {
	p := &progress{w: w, op: op, began: time.Now(), on: !asJSON && isTerminal(w)}
	// DEPLOYSAFE_TEST_HANG_AFTER=n makes the command stop after n
	// partitions are done, so that a test can kill it at a known point.
	if n, err := strconv.Atoi(os.Getenv("DEPLOYSAFE_TEST_HANG_AFTER")); err == nil {
		p.hangAfter = n
	}
	return p
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) update(e snapshot.Progress) {
	if e.Stage == "started" {
		return
	}
	p.rows += e.Rows
	p.bytes += e.Bytes
	if p.hangAfter > 0 && e.Finished >= p.hangAfter {
		fmt.Fprintf(p.w, "hanging after %d partitions\n", e.Finished)
		select {}
	}
	if !p.on {
		return
	}
	eta := "?"
	if e.Finished > 0 {
		left := time.Since(p.began) / time.Duration(e.Finished) * time.Duration(e.Total-e.Finished)
		eta = left.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r%s %d/%d partitions, %d rows, %s, ETA %s   ", p.op, e.Finished, e.Total, p.rows, size(p.bytes), eta)
}

func (p *progress) finish() {
	if p.on {
		fmt.Fprintln(p.w)
	}
}
