package productsup

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
)

// The world behaves as in the incident: v2 is harmless on the heavy sites
// and loses products elsewhere.
func TestImportsDropOnlyOnOffPlanSites(t *testing.T) {
	ctx := context.Background()
	p, err := openPlatform(t.TempDir(), "t.db")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	heavyBefore, _ := p.counts(ctx, heavy)
	othersBefore, _ := p.counts(ctx, others)
	for _, s := range []string{"heavy-01", "site-04"} {
		if err := p.api.Deploy(ctx, s, "v2"); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.runImports(ctx); err != nil {
		t.Fatal(err)
	}
	heavyAfter, _ := p.counts(ctx, heavy)
	othersAfter, _ := p.counts(ctx, others)
	if heavyAfter != heavyBefore {
		t.Errorf("heavy sites: %d → %d products", heavyBefore, heavyAfter)
	}
	if othersAfter >= othersBefore {
		t.Errorf("site-04 on v2 lost no products: %d → %d", othersBefore, othersAfter)
	}
}

func TestReplay(t *testing.T) {
	var buf bytes.Buffer
	out, err := Replay(context.Background(), replay.Env{Out: &buf, Verbose: true, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Caught {
		t.Fatalf("not caught: %+v\n%s", out, buf.String())
	}
	for _, want := range []string{"nothing was deployed", "products/site-10: row count dropped", "7 damaged sites restored",
		"success reported; on v2 outside the group: site-04, site-05, site-06, site-07",
		"caught 2 off-plan sites (site-04 v1→v2 put back=true, site-05 v1→v2 put back=true)", "0 off-plan sites still on v2"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, buf.String())
		}
	}
}
