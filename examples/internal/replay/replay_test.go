package replay

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgressPlain(t *testing.T) {
	var buf bytes.Buffer
	p := Env{Out: &buf}.Progress("restore")
	p.Update(1, 2, "products/a")
	p.Update(2, 2, "products/b")
	p.Done("2 restored")
	if got, want := buf.String(), "  restore   2 restored\n"; got != want {
		t.Errorf("plain progress = %q, want %q", got, want)
	}
}

func TestProgressTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := Env{Out: &buf, Terminal: true}.Progress("snapshot")
	p.Update(1, 4, "products/a")
	p.Update(4, 4, "products/d")
	p.Done("4 sites")
	out := buf.String()
	if strings.Count(out, "\r") != 3 || strings.Count(out, "\n") != 1 {
		t.Errorf("terminal progress must redraw one line: %q", out)
	}
	if !strings.Contains(out, "[█████·····") || !strings.Contains(out, "4/4") || !strings.HasSuffix(out, "\r\033[K  snapshot  4 sites\n") {
		t.Errorf("terminal progress = %q", out)
	}
}

func TestLogfOnlyWhenVerbose(t *testing.T) {
	var buf bytes.Buffer
	Env{Out: &buf}.Logf("detail %d", 1)
	if buf.Len() != 0 {
		t.Errorf("Logf printed without -v: %q", buf.String())
	}
	Env{Out: &buf, Verbose: true}.Logf("detail %d", 1)
	if buf.String() != "    detail 1\n" {
		t.Errorf("Logf = %q", buf.String())
	}
}
