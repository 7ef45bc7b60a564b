package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m) // every replay waits for what the libraries started
}

// The README's first command: every incident is replayed, and every one
// is caught with deploysafe.
func TestAllIncidentsCaught(t *testing.T) {
	var buf bytes.Buffer
	code := run(context.Background(), nil, &buf, &buf)
	out := buf.String()
	if code != 0 {
		t.Fatalf("exit status %d, want 0; output:\n%s", code, out)
	}
	table := tableRows(t, out)
	for _, in := range incidents {
		row, ok := table[in.name]
		if !ok {
			t.Errorf("no table row for %s; output:\n%s", in.name, out)
			continue
		}
		if !strings.Contains(row, "caught: ") || strings.Contains(row, "NOT CAUGHT") {
			t.Errorf("%s: row %q is not caught", in.name, row)
		}
	}
	if len(table) != len(incidents) {
		t.Errorf("table has %d rows, want %d:\n%s", len(table), len(incidents), out)
	}
	// The output fits one screen and one terminal width.
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) > 40 {
		t.Errorf("output is %d lines, want at most 40:\n%s", len(lines), out)
	}
	for name, row := range table {
		if n := len([]rune(row)); n > 100 {
			t.Errorf("%s: table row is %d columns wide, want at most 100: %q", name, n, row)
		}
	}
}

func TestOnlyOne(t *testing.T) {
	var buf bytes.Buffer
	if code := run(context.Background(), []string{"-only", "mews", "-v"}, &buf, &buf); code != 0 {
		t.Fatalf("exit status %d, want 0:\n%s", code, buf.String())
	}
	table := tableRows(t, buf.String())
	if _, ok := table["mews"]; !ok || len(table) != 1 {
		t.Fatalf("-only mews: table rows %v, want just mews", table)
	}
	if !strings.Contains(buf.String(), "RequireChecks") {
		t.Errorf("-v printed no details:\n%s", buf.String())
	}
}

func TestUnknownIncident(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-only", "nosuch"}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit status %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), `unknown incident "nosuch"`) || stdout.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	if code := run(context.Background(), []string{"-bogus"}, &stdout, &stderr); code != 2 {
		t.Errorf("unknown flag: exit status %d, want 2", code)
	}
}

// A replay that does not catch its incident, or fails, makes the program
// exit non-zero: CI notices when an example rots.
func TestNotCaughtExitsNonZero(t *testing.T) {
	saved := incidents
	defer func() { incidents = saved }()
	incidents = append(incidents[:0:0],
		incident{"missed", "a primitive that misses", func(context.Context, replay.Env) (replay.Outcome, error) {
			return replay.Outcome{Without: "outage", With: "nothing seen"}, nil
		}},
		incident{"broken", "a replay that fails", func(context.Context, replay.Env) (replay.Outcome, error) {
			return replay.Outcome{}, errors.New("database gone")
		}})
	var buf bytes.Buffer
	if code := run(context.Background(), nil, &buf, &buf); code != 1 {
		t.Fatalf("exit status %d, want 1:\n%s", code, buf.String())
	}
	table := tableRows(t, buf.String())
	if !strings.Contains(table["missed"], "NOT CAUGHT: nothing seen") || !strings.Contains(table["broken"], "ERROR: database gone") {
		t.Errorf("rows: %q", table)
	}
	if !strings.Contains(buf.String(), "2 of 2 incidents were not caught") {
		t.Errorf("no summary line:\n%s", buf.String())
	}
}

// tableRows returns the rows of the final table by incident name.
func tableRows(t testing.TB, out string) map[string]string {
	t.Helper()
	_, table, ok := strings.Cut(out, "\nincident ")
	if !ok {
		t.Fatalf("no table in output:\n%s", out)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(table, "\n")[1:] {
		if name, _, ok := strings.Cut(line, " "); ok && name != "" {
			rows[name] = line
		}
	}
	return rows
}
