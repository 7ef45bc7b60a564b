package vero

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/verify/schedule"
)

// The codec's test as the team would write it: a correct codec passes.
func TestRFC9557Codec(t *testing.T) {
	schedule.SweepT(t, schedule.RFC9557(), schedule.Zones(customers...))
}

func TestToolCodecLosesEventsAfterUTCMidnight(t *testing.T) {
	ny, err := schedule.LoadZone("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := func(now string) bool {
		created, err := time.Parse(time.RFC3339, now)
		if err != nil {
			t.Fatal(err)
		}
		off, ok := roundTrip(toolCodec{}, schedule.Event{At: created.Add(24 * time.Hour).In(ny), Zone: "America/New_York", Created: created})
		return ok && off == 0
	}
	if !at("2017-10-19T19:25:00Z") {
		t.Error("the event scheduled at the deploy (19:25 UTC) did not round-trip")
	}
	if at("2017-10-20T00:30:00Z") {
		t.Error("the event scheduled after UTC midnight round-tripped: the bug is gone")
	}
}

func TestReplay(t *testing.T) {
	var buf bytes.Buffer
	out, err := Replay(context.Background(), replay.Env{Out: &buf, Verbose: true, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Caught || !strings.Contains(buf.String(), "utc-midnight") {
		t.Fatalf("not caught: %+v\n%s", out, buf.String())
	}
}
