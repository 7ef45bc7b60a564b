package enterspeed

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/verify"
)

// The test the team would have had: the reviewed comparator passes it.
func TestReviewedComparator(t *testing.T) {
	verify.OrderingT(t, reviewed, genSchema)
	if err := verify.Groups(reviewed, intended); err != nil {
		t.Error(err)
	}
	if _, out := render(tenant, reviewed); out["price"] != fields["price"]["price"] {
		t.Errorf("reviewed comparator: price = %q, want the partial's", out["price"])
	}
}

func TestReplay(t *testing.T) {
	var buf bytes.Buffer
	out, err := Replay(context.Background(), replay.Env{Out: &buf, Verbose: true, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Caught || !strings.Contains(out.With, "antisymmetry") {
		t.Fatalf("not caught: %+v\n%s", out, buf.String())
	}
	for _, want := range []string{"TestPartialSchemaOutput was skipped in CI", "enterspeed.dev/delivery/partials has test files but ran no test"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("suiteguard did not report %q:\n%s", want, buf.String())
		}
	}
}
