package schedule

import (
	"archive/zip"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// mustZone loads a zone from the system tzdata.
func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func utc(y int, m time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, m, d, h, mi, s, 0, time.UTC)
}

var (
	goZipOnce sync.Once
	goZipData map[string][]byte
	goZipErr  error
	goZipPath string
)

// goZoneinfoZip returns the path of Go's bundled $GOROOT/lib/time/zoneinfo.zip.
func goZoneinfoZip(tb testing.TB) string {
	tb.Helper()
	loadGoZip()
	if goZipErr != nil {
		tb.Fatalf("reading Go's zoneinfo.zip: %v", goZipErr)
	}
	return goZipPath
}

// zipZone loads name from Go's bundled zoneinfo.zip with
// time.LoadLocationFromTZData, whatever the system tzdata is: the data
// golang/go#81583 was reproduced with.
func zipZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	goZoneinfoZip(tb)
	data, ok := goZipData[name]
	if !ok {
		tb.Fatalf("zone %s not in %s", name, goZipPath)
	}
	loc, err := time.LoadLocationFromTZData(name, data)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func loadGoZip() {
	goZipOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			goZipErr = err
			return
		}
		root := strings.TrimSpace(string(out))
		goZipPath = filepath.Join(root, "lib", "time", "zoneinfo.zip")
		r, err := zip.OpenReader(goZipPath)
		if err != nil {
			goZipErr = err
			return
		}
		defer r.Close()
		goZipData = map[string][]byte{}
		for _, f := range r.File {
			rc, err := f.Open()
			if err != nil {
				goZipErr = err
				return
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				goZipErr = err
				return
			}
			goZipData[f.Name] = b
		}
	})
}

// zoneSources are the two tzdata sources every transition test runs on.
var zoneSources = []struct {
	name string
	load func(testing.TB, string) *time.Location
}{
	{"system", mustZone},
	{"zoneinfo.zip", zipZone},
}

// Test shorthands for the exported struct forms.
func daily(loc *time.Location, h, m, s int) Rule {
	return Rule{Zone: loc, Hour: h, Minute: m, Second: s}
}
func monthly(loc *time.Location, d, h, m, s int) Rule {
	return Rule{Zone: loc, Day: d, Hour: h, Minute: m, Second: s}
}
func hAfter(d time.Duration) Horizon { return Horizon{After: d} }
func hYears(n int) Horizon           { return Horizon{Years: n} }
func hAt(t time.Time) Horizon        { return Horizon{At: t} }

// limit caps Sweep's goroutines (Concurrency is not part of the API: the
// default is GOMAXPROCS).
func limit(n int) SweepOption {
	return sweepOption(func(c *sweepConfig) error { c.limit = n; return nil })
}

// locations sweeps already loaded locations.
func locations(locs ...*time.Location) SweepOption {
	return sweepOption(func(c *sweepConfig) error {
		c.preloaded = append(c.preloaded, locs...)
		return nil
	})
}
