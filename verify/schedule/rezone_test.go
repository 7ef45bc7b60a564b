package schedule

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// systemRules and goRules are two real tzdata versions on this machine:
// the system's (Debian tzdata 2025b) and Go's zoneinfo.zip (2025c, built
// with backzone). 2025c moved Baja California's first DST after 1970 from
// 1976 to 1970: Tijuana's July 1972 was PST (−08:00) in one, PDT (−07:00)
// in the other.
func systemRules(tb testing.TB) (dir string) {
	tb.Helper()
	for _, d := range zoneDirs {
		if st, err := os.Stat(d + "America/Tijuana"); err == nil && !st.IsDir() {
			return d
		}
	}
	tb.Fatalf("no system tzdata in %v", zoneDirs)
	return ""
}

func goRules(tb testing.TB) *zip.Reader {
	tb.Helper()
	r, err := zip.OpenReader(goZoneinfoZip(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return &r.Reader
}

// TestRezoneTwoRealTZdataVersions stores events with the system's rules
// and checks them against Go's zoneinfo.zip, and back.
func TestRezoneTwoRealTZdataVersions(t *testing.T) {
	sys := os.DirFS(systemRules(t))
	old := (&tzdb{fsys: sys, where: "system"})
	tj, err := old.load("America/Tijuana")
	if err != nil {
		t.Fatal(err)
	}
	newTJ, err := (&tzdb{fsys: goRules(t), where: "zip"}).load("America/Tijuana")
	if err != nil {
		t.Fatal(err)
	}
	july72 := time.Date(1972, 7, 1, 9, 0, 0, 0, tj)
	if offsetOf(july72).Seconds == offsetOf(july72.In(newTJ)).Seconds {
		t.Fatalf("the system's tzdata and Go's zoneinfo.zip agree on Tijuana %s: this test needs two versions that differ (tzdata ≤ 2025b vs 2025c)", july72)
	}
	berlin, _ := old.load("Europe/Berlin")
	events := []Event{
		{At: time.Date(2026, 7, 1, 9, 0, 0, 0, berlin), Zone: "Europe/Berlin"},    // same in both
		{At: july72, Zone: "America/Tijuana", Created: utc(1972, 1, 10, 0, 0, 0)}, // 09:00 PST
		{At: time.Date(1972, 1, 15, 9, 0, 0, 0, tj), Zone: "America/Tijuana"},     // winter: same in both
	}
	moves, err := Rezone(events, goRules(t), Compatible)
	if err != nil || len(moves) != 1 {
		t.Fatalf("system → zip: %v, %v", moves, err)
	}
	m := moves[0]
	if m.Index != 1 || m.Stored != events[1] || wallOf(m.Resolved.At) != (Wall{1972, 7, 1, 9, 0, 0, 0}) ||
		m.Resolved.At.Sub(july72) != -time.Hour || m.Resolved.Created != events[1].Created {
		t.Errorf("system → zip: %+v", m)
	}
	// And back: the event stored with Go's zip at 09:00 PDT moves under the system's rules.
	back := []Event{{At: time.Date(1972, 7, 1, 9, 0, 0, 0, newTJ), Zone: "America/Tijuana"}}
	moves, err = Rezone(back, sys, UseOffset)
	if err != nil || len(moves) != 1 || wallOf(moves[0].Resolved.At) != (Wall{1972, 7, 1, 8, 0, 0, 0}) ||
		!moves[0].Resolved.At.Equal(back[0].At) {
		t.Errorf("zip → system, UseOffset: %+v, %v", moves, err)
	}
}

// TestRezonePolicies: one event the new rules move (Berlin abolishes DST:
// its new rules are the real bytes of Etc/GMT-1, +01:00 all year), one
// they do not, under each policy.
func TestRezonePolicies(t *testing.T) {
	dir := systemRules(t)
	gmt1, err := os.ReadFile(dir + "Etc/GMT-1")
	if err != nil {
		t.Fatal(err)
	}
	noDST := fstest.MapFS{"Europe/Berlin": {Data: gmt1}}
	stored := time.Date(2027, 7, 1, 9, 0, 0, 0, time.FixedZone("", 2*3600)) // 09:00 +02:00 (CEST)
	winter := time.Date(2027, 1, 15, 9, 0, 0, 0, time.FixedZone("", 3600))  // 09:00 +01:00: unchanged
	events := []Event{{At: winter, Zone: "Europe/Berlin"}, {At: stored, Zone: "Europe/Berlin"}}
	for _, c := range []struct {
		p       Policy
		wall    Wall          // the resolved wall time
		shift   time.Duration // resolved instant − stored instant
		offsetE bool          // rejected with ErrOffset
	}{
		{UseOffset, Wall{2027, 7, 1, 8, 0, 0, 0}, 0, false},
		{PreferOffset, Wall{2027, 7, 1, 9, 0, 0, 0}, time.Hour, false},
		{Compatible, Wall{2027, 7, 1, 9, 0, 0, 0}, time.Hour, false},
		{Earlier, Wall{2027, 7, 1, 9, 0, 0, 0}, time.Hour, false},
		{Later, Wall{2027, 7, 1, 9, 0, 0, 0}, time.Hour, false},
		{"", Wall{2027, 7, 1, 9, 0, 0, 0}, time.Hour, false},
		{Reject, Wall{}, 0, true},
	} {
		moves, err := Rezone(events, noDST, c.p)
		if len(moves) != 1 || moves[0].Index != 1 {
			t.Fatalf("%s: %+v, %v", c.p, moves, err)
		}
		m := moves[0]
		if c.offsetE {
			if !errors.Is(err, ErrOffset) || !errors.Is(m.Err, ErrOffset) || !m.Resolved.At.IsZero() ||
				!strings.Contains(err.Error(), "event 1 (2027-07-01T09:00:00+02:00 in Europe/Berlin)") {
				t.Errorf("%s: %+v, %v", c.p, m, err)
			}
			continue
		}
		if err != nil || m.Err != nil || wallOf(m.Resolved.At) != c.wall || m.Resolved.At.Sub(stored) != c.shift ||
			m.Resolved.At.Location().String() != "Europe/Berlin" {
			t.Errorf("%s: resolved %s (%v), %v", c.p, m.Resolved.At, m.Err, err)
		}
	}
}

// TestRezoneOverlapUnchangedRules: with the same rules, an event at the
// later reading of New York's 01:30 stays under every policy that trusts
// the offset, and moves to the earlier reading under Compatible and
// Earlier, which ignore it.
func TestRezoneOverlapUnchangedRules(t *testing.T) {
	sys := os.DirFS(systemRules(t))
	ny, _ := (&tzdb{fsys: sys}).load("America/New_York")
	later := time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC).In(ny) // 01:30 EST, the second 01:30
	events := []Event{{At: later, Zone: "America/New_York"}}
	for p, moves := range map[Policy]bool{UseOffset: false, PreferOffset: false, Reject: false, Later: false, Compatible: true, Earlier: true} {
		got, err := Rezone(events, sys, p)
		if err != nil || (len(got) == 1) != moves {
			t.Errorf("%s: %+v, %v", p, got, err)
		}
		if moves && len(got) == 1 && got[0].Resolved.At.Sub(later) != -time.Hour {
			t.Errorf("%s: resolved %s", p, got[0].Resolved.At)
		}
	}
}

func TestRezoneBadInput(t *testing.T) {
	ev := []Event{{At: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Zone: "Mars/Olympus_Mons"}, {At: time.Now(), Zone: "../etc/passwd"}}
	rules := fstest.MapFS{}
	moves, err := Rezone(ev, rules, UseOffset)
	if !errors.Is(err, ErrUnknownZone) || len(moves) != 2 || !errors.Is(moves[0].Err, ErrUnknownZone) || !errors.Is(moves[1].Err, ErrUnknownZone) {
		t.Errorf("zones missing from the rules: %+v, %v", moves, err)
	}
	if _, err := Rezone(ev, nil, UseOffset); !errors.Is(err, ErrBadInput) {
		t.Errorf("nil rules: %v", err)
	}
	if _, err := Rezone(ev, rules, "sometimes"); !errors.Is(err, ErrBadInput) {
		t.Errorf("bad policy: %v", err)
	}
	if moves, err := Rezone(nil, rules, Reject); err != nil || moves != nil {
		t.Errorf("no events: %v, %v", moves, err)
	}
	// A file that is not TZif, or is too large, is not a zone.
	bad := fstest.MapFS{"Europe/Berlin": {Data: []byte("not tzif")}, "Europe/Paris": {Data: append([]byte("TZif"), make([]byte, maxTZif)...)}}
	for _, z := range []string{"Europe/Berlin", "Europe/Paris"} {
		if _, err := (&tzdb{fsys: bad}).load(z); !errors.Is(err, ErrUnknownZone) {
			t.Errorf("%s: %v", z, err)
		}
	}
}

// TestSweepTZData sweeps the zones of Go's zoneinfo.zip (not the system's)
// with TZData: the correct codec passes on those locations, and a named
// subset is read from the zip too.
func TestSweepTZData(t *testing.T) {
	zr := goRules(t)
	rep, err := Sweep[[]byte](context.Background(), rfc9557{}, TZData(zr), Zones("Europe/Berlin", "Pacific/Apia"),
		Window(utc(2000, 1, 1, 0, 0, 0), utc(2012, 1, 1, 0, 0, 0)))
	if err != nil || rep.Zones != 2 {
		t.Fatalf("%v, %+v", err, rep.Zones)
	}
	// RFC9557 decodes with the system's rules: for Tijuana in the 1970s,
	// where the two tzdata versions differ, events made with the zip's
	// rules do not come back. That is Rezone's problem, seen by a sweep.
	rep, err = Sweep[[]byte](context.Background(), rfc9557{}, TZData(zr), Zones("America/Tijuana"),
		Window(utc(1970, 1, 1, 0, 0, 0), utc(1976, 1, 1, 0, 0, 0)))
	if !errors.Is(err, ErrRoundTrip) || !strings.Contains(err.Error(), "offset does not match") {
		t.Errorf("Tijuana 1970–1975 from the zip, decoded with the system's rules: %d failed", rep.Failed)
	}
	cfg, err := newSweepConfig([]SweepOption{TZData(zr)})
	if err != nil || len(cfg.locs) != 598 {
		t.Fatalf("all zones of the zip: %d, %v", len(cfg.locs), err)
	}
	// The locations are the zip's: Tijuana has DST in July 1972 there.
	for _, loc := range cfg.locs {
		if loc.String() == "America/Tijuana" && !time.Date(1972, 7, 1, 12, 0, 0, 0, loc).IsDST() {
			t.Error("Tijuana was not read from the zip")
		}
	}
	if _, err := Sweep[[]byte](context.Background(), rfc9557{}, TZData(fstest.MapFS{}), Zones("Europe/Berlin")); !errors.Is(err, ErrUnknownZone) {
		t.Errorf("zone missing from TZData: %v", err)
	}
}
