package schedule

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// FuzzParseWall checks ParseWall against time.Parse (which it replaced to
// name out-of-range fields): both accept the same strings with the same
// reading, every error wraps ErrInvalidWall, and what parses round-trips
// through String.
func FuzzParseWall(f *testing.F) {
	for _, s := range []string{"2026-03-29T02:30", "2026-03-29 02:30:15.5", "2026-02-30T00:00", "9999-12-31T23:59:59.999999999",
		"", "0000-01-01T00:00", "2024-02-29T24:00", "2026-03-29T02:30:15.1234567891", "2026-03-29T02:30:1", "2026-03-29T02:30:15,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWall(s)
		ref, refErr := parseWallWithTime(s)
		if (err == nil) != (refErr == nil) || (err == nil && w != ref) {
			t.Fatalf("ParseWall(%q) = %+v, %v; time.Parse gives %+v, %v", s, w, err, ref, refErr)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidWall) {
				t.Fatalf("ParseWall(%q): unwrapped error %v", s, err)
			}
			return
		}
		if err := w.validate(); err != nil {
			t.Fatalf("ParseWall(%q) = %+v, which does not validate: %v", s, w, err)
		}
		back, err := ParseWall(w.String())
		if err != nil || back != w {
			t.Fatalf("round trip of %q: %+v → %q → %+v, %v", s, w, w.String(), back, err)
		}
	})
}

// parseWallWithTime is the ParseWall of before: time.Parse with two
// layouts, which rejects out-of-range fields without naming them.
func parseWallWithTime(s string) (Wall, error) {
	if len(s) > 64 {
		return Wall{}, ErrInvalidWall
	}
	norm := strings.Replace(s, " ", "T", 1)
	for _, layout := range []string{wallLayout, "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, norm); err == nil {
			return wallOf(t), nil
		}
	}
	return Wall{}, ErrInvalidWall
}

func FuzzRFC9557Decode(f *testing.F) {
	for _, s := range []string{
		"2026-03-29T03:30:00+02:00[Europe/Berlin]", "2011-12-31T09:00:00+14:00[Pacific/Apia]",
		"1970-01-01T00:00:00Z[Africa/Monrovia]", "2026-03-29T03:30:00+01:00[Europe/Berlin]",
		"2026-03-29T03:30:00+02:00[]", "2026-03-29T03:30:00+02:00[Local]", "[UTC]", "x[../../etc/passwd]",
	} {
		f.Add([]byte(s))
	}
	var c rfc9557
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := c.Decode(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode to a form that decodes to the same event.
		enc, err := c.Encode(ev)
		if err != nil {
			t.Fatalf("Decode(%q) = %v, which does not encode: %v", b, ev, err)
		}
		ev2, err := c.Decode(enc)
		if err != nil || !ev2.At.Equal(ev.At) || ev2.Zone != ev.Zone || wallOf(ev2.At) != wallOf(ev.At) {
			t.Fatalf("%q → %v → %q → %v, %v", b, ev, enc, ev2, err)
		}
	})
}

// FuzzResolve checks Resolve never panics and keeps its promises for any
// wall time in the corpus zones.
func FuzzResolve(f *testing.F) {
	zones := []string{"Pacific/Apia", "Australia/Lord_Howe", "Europe/Dublin", "Africa/Casablanca", "Antarctica/Troll",
		"America/Sao_Paulo", "Asia/Kathmandu", "Pacific/Kiritimati", "America/St_Johns", "Europe/Berlin", "America/New_York", "UTC"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		locs[i] = mustZone(f, z)
	}
	f.Add(uint8(0), 2011, 12, 30, 12, 0, uint8(0))
	f.Add(uint8(9), 2026, 3, 29, 2, 30, uint8(3))
	f.Add(uint8(5), 2018, 11, 4, 0, 0, uint8(1))
	f.Fuzz(func(t *testing.T, zi uint8, y, mo, d, h, mi int, pol uint8) {
		loc := locs[int(zi)%len(locs)]
		w := Wall{Year: y, Month: time.Month(mo), Day: d, Hour: h, Minute: mi}
		p := []Policy{Compatible, Earlier, Later, Reject, "", UseOffset, "sometimes"}[int(pol)%7] // the last two are invalid here
		got, err := Resolve(w, loc, p)
		if err != nil {
			if !errors.Is(err, ErrInvalidWall) && !errors.Is(err, ErrBadInput) && !errors.Is(err, ErrGap) && !errors.Is(err, ErrOverlap) {
				t.Fatalf("Resolve(%v, %s, %s): unexpected error %v", w, loc, p, err)
			}
			return
		}
		if got.Location() != loc {
			t.Fatalf("result in %s", got.Location())
		}
		if _, rerr := Resolve(w, loc, Reject); rerr == nil && wallOf(got) != w {
			t.Fatalf("Resolve(%v, %s, %s) = %s shows another wall time", w, loc, p, got)
		}
	})
}

func TestRFC9557Errors(t *testing.T) {
	var c rfc9557
	for _, ev := range []Event{
		{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600)), Zone: ""},
		{At: time.Now(), Zone: "Local"},
		{At: time.Now(), Zone: "Mars/Olympus_Mons"},
		{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Zone: "UTC"},
		{At: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), Zone: "UTC"},
	} {
		if b, err := c.Encode(ev); err == nil {
			t.Errorf("Encode(%v in %q) = %q, want an error", ev.At, ev.Zone, b)
		}
	}
	for _, s := range []string{"2026-03-29T03:30:00+01:00[Europe/Berlin]", "2026-03-29T03:30:00+02:00", "2026-03-29T03:30:00+02:00[Nowhere/City]", "junk[UTC]"} {
		if ev, err := c.Decode([]byte(s)); err == nil {
			t.Errorf("Decode(%q) = %v, want an error", s, ev)
		}
	}
}

// FuzzTZData feeds the tzdata reader a zoneinfo.zip and a zone file it has
// never seen: it must not panic, every error wraps ErrUnknownZone, and a
// zone it loads carries its name and answers lookups.
func FuzzTZData(f *testing.F) {
	goZoneinfoZip(f)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"Europe/Berlin", "Asia/Kolkata"} {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		w.Write(goZipData[name])
	}
	zw.Close()
	f.Add(buf.Bytes())
	f.Add(goZipData["Pacific/Apia"])
	f.Add([]byte("TZif2"))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(db *tzdb, name string) {
			loc, err := db.load(name)
			if err != nil {
				if !errors.Is(err, ErrUnknownZone) {
					t.Fatalf("load(%q): %v does not wrap ErrUnknownZone", name, err)
				}
				return
			}
			if loc.String() != name {
				t.Fatalf("load(%q) = %s", name, loc)
			}
			_ = time.Date(2030, 7, 1, 12, 0, 0, 0, loc).Format(time.RFC3339)
		}
		// As one zone file.
		check(&tzdb{fsys: fstest.MapFS{"Zone/X": {Data: data}}}, "Zone/X")
		// As a zoneinfo.zip.
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		db := &tzdb{fsys: zr}
		names, err := db.names()
		if err != nil && !errors.Is(err, ErrUnknownZone) {
			t.Fatalf("names: %v does not wrap ErrUnknownZone", err)
		}
		for i, n := range names {
			if i == 8 {
				break
			}
			check(db, n)
		}
	})
}
