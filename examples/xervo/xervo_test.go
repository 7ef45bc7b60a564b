package xervo

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/reaper"
)

// The host agent misreads exactly the previous generation; the other
// observers see every servo whose project exists as alive.
func TestObservers(t *testing.T) {
	ctx := context.Background()
	c := newCloud()
	snap, _ := c.List(ctx)
	for _, r := range snap.Resources {
		h, _ := hostAgent{c}.Observe(ctx, r)
		p, _ := projects{c}.Observe(ctx, r)
		owned := c.projects[r.Attrs["project"]]
		if wantOrphan := !owned || r.Attrs["generation"] == "previous"; (h.Verdict == reaper.Orphan) != wantOrphan {
			t.Errorf("host-agent on %s (%s): %v", r.ID, r.Attrs["generation"], h)
		}
		if (p.Verdict == reaper.Alive) != owned {
			t.Errorf("projects on %s: %v", r.ID, p)
		}
	}
}

func TestReplay(t *testing.T) {
	var buf bytes.Buffer
	out, err := Replay(context.Background(), replay.Env{Out: &buf, Verbose: true, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Caught || !strings.Contains(buf.String(), "generation=previous") {
		t.Fatalf("not caught: %+v\n%s", out, buf.String())
	}
}
