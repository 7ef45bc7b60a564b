package schedule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// subsetZones is a representative subset: the adversarial corpus plus
// the two sides of UTC and UTC itself.
var subsetZones = []string{"Pacific/Apia", "Australia/Lord_Howe", "Europe/Dublin", "Africa/Casablanca",
	"Antarctica/Troll", "America/Sao_Paulo", "Asia/Kathmandu", "Pacific/Kiritimati", "America/St_Johns",
	"America/New_York", "Europe/Berlin", "Africa/Monrovia", "UTC"}

func sweepSubset[R any](t *testing.T, c Codec[R], opts ...SweepOption) *SweepReport {
	t.Helper()
	rep, err := Sweep(context.Background(), c, append([]SweepOption{Zones(subsetZones...)}, opts...)...)
	if err != nil && !errors.Is(err, ErrRoundTrip) {
		t.Fatal(err)
	}
	if (err != nil) != (rep.Failed > 0) {
		t.Fatalf("error %v with %d failed events", err, rep.Failed)
	}
	if rep.Zones != len(subsetZones) || rep.Cases == 0 {
		t.Fatalf("swept %d zones, %d cases", rep.Zones, rep.Cases)
	}
	return rep
}

func TestSweepCorrectCodecSubset(t *testing.T) {
	rep := sweepSubset(t, rfc9557{})
	if err := rep.err(5); err != nil {
		t.Fatalf("%v\n%s", err, rep.err(10))
	}
	if want := len(defaultHorizons()); rep.Cases%want != 0 || rep.Cases < 1000*want {
		t.Errorf("%d cases, want many multiples of %d horizons", rep.Cases, want)
	}
}

// TestSweepCorrectCodecAllZones sweeps the full zone list, every
// transition 1970–2040, with three horizons (the benchmark runs all).
func TestSweepCorrectCodecAllZones(t *testing.T) {
	names, err := ZoneNames()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Sweep[[]byte](context.Background(), rfc9557{},
		Horizons(hAfter(0), hAfter(30*24*time.Hour+time.Second), hYears(10)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Zones != len(names) || rep.Cases < 3*30000 {
		t.Errorf("swept %d zones (want %d), %d cases", rep.Zones, len(names), rep.Cases)
	}
	if err := rep.err(5); err != nil {
		t.Fatalf("%v\n%s", err, rep.err(10))
	}
}

func TestSweepCatchesWallOnly(t *testing.T) {
	rep := sweepSubset(t, wallOnly)
	byZone := rep.byZone()
	for _, z := range subsetZones {
		if z == "UTC" {
			if byZone[z] != 0 {
				t.Errorf("UTC: %d failures, want 0 (UTC's wall time is the instant)", byZone[z])
			}
			continue
		}
		if byZone[z] == 0 {
			t.Errorf("%s: wall time without zone not caught", z)
		}
	}
}

func TestSweepCatchesWallAndZoneOnlyInOverlaps(t *testing.T) {
	rep := sweepSubset(t, wallAndZone)
	if rep.Failed == 0 {
		t.Fatal("wall time + zone name without offset not caught")
	}
	for _, g := range rep.Groups {
		ev := g.Event
		lerr := resolveErr(t, wallOf(ev.At), ev.At.Location())
		if lerr == nil || lerr.kind != overlapShift {
			t.Errorf("%s %s %s: failure outside an overlap: %s", g.Zone, g.Horizon, g.Class, g.smallest())
		}
	}
}

func resolveErr(t *testing.T, w Wall, loc *time.Location) *LocalTimeError {
	t.Helper()
	_, err := Resolve(w, loc, Reject)
	var lerr *LocalTimeError
	errors.As(err, &lerr)
	return lerr
}

func TestSweepCatchesInt32Seconds(t *testing.T) {
	rep := sweepSubset(t, int32Codec)
	byH := rep.byHorizon()
	if byH[hAt(int32Max).name()] != 0 || byH[hAt(int32Max.Add(-time.Second)).name()] != 0 {
		t.Errorf("int32 limit itself failed: %v", byH)
	}
	if byH[hAt(int32Max.Add(time.Second)).name()] == 0 || byH["100y"] == 0 || byH["10y"] == 0 {
		t.Errorf("int32 overflow not caught: %v", byH)
	}
	for _, g := range rep.Groups {
		if !g.Event.At.After(int32Max) {
			t.Errorf("failure before 2038: %s", g.smallest())
		}
	}
}

func TestSweepCatchesUTCDropZone(t *testing.T) {
	rep := sweepSubset(t, utcDropZone)
	for _, g := range rep.Groups {
		if !strings.Contains(g.Mismatch, "zone") {
			t.Errorf("%s: %s", g.Zone, g.Mismatch)
		}
	}
	if n := len(rep.byZone()); n != len(subsetZones)-1 {
		t.Errorf("failures in %d zones, want all but UTC", n)
	}
}

func TestSweepCatchesOffsetOfNow(t *testing.T) {
	rep := sweepSubset(t, offsetOfNow)
	instant := map[string]int{}
	for _, g := range rep.Groups {
		if strings.Contains(g.Mismatch, "instant") {
			instant[g.Zone] += g.Count
		}
	}
	if instant["Europe/Berlin"] == 0 || instant["America/New_York"] == 0 {
		t.Errorf("wrong instants after DST not caught: %v", instant)
	}
	// Kiritimati has not changed offset since 1995: only the zone name is lost.
	short := sweepSubset(t, offsetOfNow, Window(utc(2000, 1, 1, 0, 0, 0), utc(2030, 1, 1, 0, 0, 0)),
		Horizons(hAfter(0), hAfter(90*24*time.Hour)))
	for _, g := range short.Groups {
		if g.Zone == "Pacific/Kiritimati" && g.Mismatch != "[zone]" {
			t.Errorf("Kiritimati: %s", g.Mismatch)
		}
	}
	if short.byZone()["Pacific/Kiritimati"] == 0 {
		t.Error("lost zone name not caught in Kiritimati")
	}
}

func TestSweepCatchesDaysCapped(t *testing.T) {
	rep := sweepSubset(t, daysCapped)
	byH := rep.byHorizon()
	for _, ok := range []string{"0s", "1s", "1h", "23h59m59s", "1d", "29d", "30d-1s", "30d", "30d+1s"} {
		if byH[ok] != 0 {
			t.Errorf("horizon %s failed %d times; a 30-day cap holds it", ok, byH[ok])
		}
	}
	for _, bad := range []string{"31d", "90d", "365d", "10y", "100y"} {
		if byH[bad] == 0 {
			t.Errorf("horizon %s not caught", bad)
		}
	}
	g := rep.Groups[0]
	if d := g.diff(); !strings.Contains(d, "Instant") {
		t.Errorf("diff does not show the instant:\n%s", d)
	}
}

func TestSweepBadInput(t *testing.T) {
	ctx := context.Background()
	var nilCodec Codec[[]byte]
	if _, err := Sweep(ctx, nilCodec); !errors.Is(err, ErrBadInput) {
		t.Errorf("nil codec: %v", err)
	}
	var nilPtr *rfc9557
	if _, err := Sweep[[]byte](ctx, nilPtr); !errors.Is(err, ErrBadInput) {
		t.Errorf("nil *rfc9557: %v", err)
	}
	c := rfc9557{}
	for name, opt := range map[string]SweepOption{
		"unknown zone":     Zones("Mars/Olympus_Mons"),
		"empty window":     Window(utc(2020, 1, 1, 0, 0, 0), utc(2020, 1, 1, 0, 0, 0)),
		"negative horizon": Horizons(hAfter(-time.Second)),
		"negative years":   Horizons(hYears(-1)),
		"no horizons":      Horizons(),
		"two fields":       Horizons(Horizon{After: time.Hour, Years: 1}),
		"nil option":       nil,
		"no zones":         Zones(),
		"nil tzdata":       TZData(nil),
	} {
		_, err := Sweep[[]byte](ctx, c, opt)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		if name == "unknown zone" && !errors.Is(err, ErrUnknownZone) {
			t.Errorf("%s: %v", name, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Sweep[[]byte](cctx, c, Zones("Europe/Berlin")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSweepOnGoZoneinfoZip(t *testing.T) {
	locs := []*time.Location{zipZone(t, "America/New_York"), zipZone(t, "Europe/Berlin"), zipZone(t, "Pacific/Apia")}
	rep, err := Sweep[[]byte](context.Background(), rfc9557{}, locations(locs...),
		Window(utc(2019, 1, 1, 0, 0, 0), utc(2041, 1, 1, 0, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.err(5); err != nil || rep.Cases < 100 {
		t.Fatalf("%v (%d cases)\n%s", err, rep.Cases, rep.err(5))
	}
}

func TestFmtDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0s", time.Second: "1s", time.Hour: "1h",
		24*time.Hour - time.Second: "23h59m59s", 24 * time.Hour: "1d", 30*24*time.Hour - time.Second: "30d-1s",
		30*24*time.Hour + time.Second: "30d+1s", 90 * time.Minute: "1h30m", -time.Second: "-1s"} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestSweepReportsCodecErrors injects Encode and Decode failures: each is
// a failed case with its cause, never an aborted sweep.
func TestSweepReportsCodecErrors(t *testing.T) {
	boom := errors.New("disk full")
	var calls atomic.Int64
	flaky := codecFuncs[[]byte]{
		EncodeFunc: func(ev Event) ([]byte, error) {
			if calls.Add(1)%7 == 0 {
				return nil, boom
			}
			return (rfc9557{}).Encode(ev)
		},
		DecodeFunc: func(b []byte) (Event, error) {
			if len(b)%5 == 0 {
				return Event{}, boom
			}
			return (rfc9557{}).Decode(b)
		},
	}
	rep, err := Sweep[[]byte](context.Background(), flaky, Zones("Europe/Berlin"), limit(1),
		Window(utc(2020, 1, 1, 0, 0, 0), utc(2022, 1, 1, 0, 0, 0)))
	if !errors.Is(err, ErrRoundTrip) {
		t.Fatal(err)
	}
	enc, dec := 0, 0
	for _, g := range rep.Groups {
		switch {
		case strings.HasPrefix(g.Mismatch, "encode: disk full"):
			enc += g.Count
		case strings.HasPrefix(g.Mismatch, "decode: disk full"):
			dec += g.Count
		}
	}
	if enc == 0 || dec == 0 || rep.Failed < int(calls.Load())/7 {
		t.Errorf("encode failures %d, decode failures %d, total %d of %d", enc, dec, rep.Failed, rep.Cases)
	}
	if !errors.Is(rep.err(5), ErrRoundTrip) {
		t.Errorf("Err() = %v", rep.err(5))
	}
}

type fakeT struct{ errs []string }

func (f *fakeT) Helper()                        {}
func (f *fakeT) Errorf(format string, a ...any) { f.errs = append(f.errs, fmt.Sprintf(format, a...)) }

func TestSweepT(t *testing.T) {
	opts := []SweepOption{Zones("America/New_York"), Window(utc(2030, 1, 1, 0, 0, 0), utc(2031, 1, 1, 0, 0, 0))}
	var ok fakeT
	if rep := SweepT[[]byte](&ok, rfc9557{}, opts...); len(ok.errs) != 0 || rep.Cases == 0 {
		t.Errorf("correct codec: %v", ok.errs)
	}
	var bad fakeT
	SweepT(&bad, int32Codec, opts...)
	if len(bad.errs) != 1 || !strings.Contains(bad.errs[0], "codec round trip failed") || !strings.Contains(bad.errs[0], "(-encoded +decoded)") {
		t.Errorf("int32 codec: %q", bad.errs)
	}
	var nilT fakeT
	SweepT[[]byte](&nilT, nil)
	if len(nilT.errs) != 1 || !strings.Contains(nilT.errs[0], "nil codec") {
		t.Errorf("nil codec: %q", nilT.errs)
	}
}
