package mews

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/rollout/affected"
)

func TestSharedChangeReleasesBothProducts(t *testing.T) {
	g, err := monorepo()
	if err != nil {
		t.Fatal(err)
	}
	impacts, err := affected.Products(g, change)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, im := range impacts {
		got = append(got, im.Product)
	}
	if want := []string{commander, distributor}; !slices.Equal(got, want) {
		t.Errorf("affected products %v, want %v", got, want)
	}
	// A change to billing alone releases only Commander.
	impacts, _ = affected.Products(g, &affected.Changes{Files: []string{"internal/billing/invoice.go"}})
	if len(impacts) != 1 || impacts[0].Product != commander {
		t.Errorf("billing change: %v", impacts)
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
}
