package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidator(t *testing.T) {
	now := utc(2026, 3, 1, 12, 0, 0)
	v, err := NewValidator(Reject, fixed(now), MaxHorizon(400*24*time.Hour),
		Storage(int32Seconds.Min, int32Seconds.Max), Storage(rfc3339Years.Min, rfc3339Years.Max))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := v.Validate("Europe/Berlin", Wall{2026, 3, 29, 9, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if !ev.At.Equal(utc(2026, 3, 29, 7, 0, 0)) || ev.Zone != "Europe/Berlin" || !ev.Created.Equal(now) {
		t.Errorf("Validate = %+v", ev)
	}
	for _, c := range []struct {
		zone     string
		wall     Wall
		rule     string
		sentinel error
	}{
		{"Mars/Olympus_Mons", Wall{2026, 4, 1, 9, 0, 0, 0}, "zone", ErrUnknownZone},
		{"", Wall{2026, 4, 1, 9, 0, 0, 0}, "zone", ErrUnknownZone},
		{"Local", Wall{2026, 4, 1, 9, 0, 0, 0}, "zone", ErrUnknownZone},
		{"Europe/Berlin", Wall{2026, 2, 30, 9, 0, 0, 0}, "wall", ErrInvalidWall},
		{"Europe/Berlin", Wall{2026, 3, 29, 2, 30, 0, 0}, "local-time", ErrGap},
		{"Europe/Berlin", Wall{2026, 10, 25, 2, 30, 0, 0}, "local-time", ErrOverlap},
		{"Europe/Berlin", Wall{2026, 2, 1, 9, 0, 0, 0}, "horizon", ErrHorizon}, // past
		{"Europe/Berlin", Wall{2027, 6, 1, 9, 0, 0, 0}, "horizon", ErrHorizon}, // > 400 days
	} {
		_, err := v.Validate(c.zone, c.wall)
		if err == nil || !strings.HasPrefix(err.Error(), "schedule: rule "+c.rule+": ") || !errors.Is(err, c.sentinel) {
			t.Errorf("Validate(%q, %s) = %v, want rule %s wrapping %v", c.zone, c.wall, err, c.rule, c.sentinel)
		}
	}
}

func TestValidatorStorage2038(t *testing.T) {
	now := utc(2037, 12, 1, 0, 0, 0)
	v, err := NewValidator(Reject, fixed(now), Storage(int32Seconds.Min, int32Seconds.Max))
	if err != nil {
		t.Fatal(err)
	}
	// 2038-01-18 22:14:07 in New York is the last int32 second.
	if _, err := v.Validate("America/New_York", Wall{2038, 1, 18, 22, 14, 7, 0}); err != nil {
		t.Errorf("int32 max: %v", err)
	}
	_, err = v.Validate("America/New_York", Wall{2038, 1, 18, 22, 14, 8, 0})
	if err == nil || !strings.HasPrefix(err.Error(), "schedule: rule storage: ") || !strings.Contains(err.Error(), "2038-01-19T03:14:07Z") || !errors.Is(err, ErrOutOfRange) {
		t.Errorf("int32 max+1s: %v", err)
	}
	// RFC 3339 holds it, and ends at year 9999.
	r, err := NewValidator(Reject, fixed(now), Storage(rfc3339Years.Min, rfc3339Years.Max), Storage(int64Millis.Min, int64Millis.Max))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Validate("America/New_York", Wall{2038, 1, 18, 22, 14, 8, 0}); err != nil {
		t.Errorf("RFC 3339 after 2038: %v", err)
	}
	if err := r.check(Event{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Zone: "UTC", Created: now}); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("year 10000: %v", err)
	}
}

func TestValidatorPolicies(t *testing.T) {
	now := utc(2026, 1, 1, 0, 0, 0)
	v, err := NewValidator(Compatible, fixed(now))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := v.Validate("America/New_York", Wall{2026, 3, 8, 2, 30, 0, 0})
	if err != nil || wallOf(ev.At) != (Wall{2026, 3, 8, 3, 30, 0, 0}) {
		t.Errorf("Compatible gap: %v %v", ev.At, err)
	}
}

func TestValidatorBadOptions(t *testing.T) {
	for name, c := range map[string]struct {
		o    ValidatorOption
		want string // the option's name, in the message
	}{
		"nil clock":        {Clock(nil), "Clock(nil)"},
		"negative horizon": {MaxHorizon(-time.Hour), "MaxHorizon(-1h0m0s)"},
		"inverted range":   {Storage(utc(2030, 1, 1, 0, 0, 0), utc(2020, 1, 1, 0, 0, 0)), "Storage(2030-01-01T00:00:00Z, 2020-01-01T00:00:00Z)"},
		"nil option":       {nil, "nil ValidatorOption"},
	} {
		if _, err := NewValidator(Reject, c.o); !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, p := range []Policy{"sometimes", UseOffset, PreferOffset} {
		if _, err := NewValidator(p); !errors.Is(err, ErrBadInput) {
			t.Errorf("policy %q: %v", p, err)
		}
	}
	if v, err := NewValidator(""); err != nil || v.policy != Compatible {
		t.Errorf(`policy "": %v, %v`, v, err)
	}
}

func TestLoadZone(t *testing.T) {
	for _, bad := range []string{"", "Local", "Mars/Olympus_Mons", "../../etc/passwd", "Europe/Berlin\x00"} {
		if _, err := LoadZone(bad); !errors.Is(err, ErrUnknownZone) {
			t.Errorf("LoadZone(%q) = %v", bad, err)
		}
	}
	loc, err := LoadZone("Asia/Kathmandu")
	if err != nil || loc.String() != "Asia/Kathmandu" {
		t.Errorf("Kathmandu: %v %v", loc, err)
	}
	// Cached: codecs may call it per decode (time.LoadLocation parses the
	// file again on every call).
	if again, _ := LoadZone("Asia/Kathmandu"); again != loc {
		t.Error("second LoadZone returned another *time.Location")
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = LoadZone("Asia/Kathmandu") }); n != 0 {
		t.Errorf("cached LoadZone allocates %.0f times", n)
	}
}

func TestZonesFromZoneinfoZip(t *testing.T) {
	t.Setenv("ZONEINFO", goZoneinfoZip(t))
	names, err := ZoneNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 500 || !contains(names, "Pacific/Apia") || contains(names, "localtime") {
		t.Errorf("zip zones: %d, e.g. %v", len(names), names[:3])
	}
	// With ZONEINFO set, LoadZone reads the zip too.
	if _, err := LoadZone("Antarctica/Troll"); err != nil {
		t.Error(err)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestZoneNamesWithoutZoneinfoDir is a binary on a machine without a
// zoneinfo directory (issue 18: it used runtime.GOROOT, the build
// machine's): the names come from the embedded list, each one loadable.
func TestZoneNamesWithoutZoneinfoDir(t *testing.T) {
	t.Setenv("ZONEINFO", "")
	saved := zoneDirs
	zoneDirs = []string{t.TempDir(), "/nonexistent/zoneinfo"}
	defer func() { zoneDirs = saved }()
	names, err := ZoneNames()
	if err != nil {
		t.Fatal(err)
	}
	known := strings.Fields(knownZones)
	if len(known) != 598 || len(names) < 500 || !contains(names, "Antarctica/Troll") || !contains(names, "Asia/Kolkata") {
		t.Errorf("fallback zones: %d of %d known", len(names), len(known))
	}
	for _, n := range names {
		if !contains(known, n) {
			t.Errorf("%s is not a known zone", n)
		}
		if _, err := LoadZone(n); err != nil {
			t.Errorf("listed %s does not load: %v", n, err)
		}
	}
	// A $ZONEINFO without zones falls through, as time.LoadLocation does.
	t.Setenv("ZONEINFO", t.TempDir())
	if again, err := ZoneNames(); err != nil || len(again) != len(names) {
		t.Errorf("empty $ZONEINFO: %d names, %v", len(again), err)
	}
}

// TestZoneNamesListsOnlyLoadable: names time.LoadLocation cannot load are
// left out of the fallback list, and a list of none is an error.
func TestZoneNamesListsOnlyLoadable(t *testing.T) {
	t.Setenv("ZONEINFO", "")
	savedDirs, savedKnown := zoneDirs, knownZones
	defer func() { zoneDirs, knownZones = savedDirs, savedKnown }()
	zoneDirs = []string{t.TempDir()}
	knownZones = "Europe/Berlin\nMars/Olympus_Mons\nAsia/Kolkata\n"
	names, err := ZoneNames()
	if err != nil || strings.Join(names, ",") != "Europe/Berlin,Asia/Kolkata" {
		t.Errorf("ZoneNames() = %v, %v", names, err)
	}
	knownZones = "Mars/Olympus_Mons\n"
	if names, err := ZoneNames(); !errors.Is(err, ErrUnknownZone) {
		t.Errorf("none loadable: %v, %v", names, err)
	}
}

// fixed is a Clock option that always says t.
func fixed(t time.Time) ValidatorOption { return Clock(func() time.Time { return t }) }
