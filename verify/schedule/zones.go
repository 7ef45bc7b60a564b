package schedule

import (
	"archive/zip"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// zoneCache holds the zones LoadZone has loaded: time.LoadLocation reads
// and parses the zone file on every call, which made a sweep of a codec
// that loads its zone per decode take minutes instead of about a second.
var zoneCache sync.Map // name → *time.Location

// LoadZone loads an IANA zone by name, once: later calls for the same name
// return the same *time.Location (which is immutable and safe to share),
// so codecs may call it on every Encode and Decode. It rejects "" and
// "Local", which time.LoadLocation accepts as UTC and as the machine's
// zone: neither names a zone that means the same thing on every machine.
// Zone data comes from where time.LoadLocation finds it: $ZONEINFO, the
// system's tzdata, Go's zoneinfo.zip, and last the copy embedded by
// importing time/tzdata (or this module's verify/schedule/tzdata) in the
// main package.
func LoadZone(name string) (*time.Location, error) {
	if v, ok := zoneCache.Load(name); ok {
		return v.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("%w: %q is not an IANA zone name", ErrUnknownZone, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrUnknownZone, name, err)
	}
	v, _ := zoneCache.LoadOrStore(name, loc)
	return v.(*time.Location), nil
}

// zoneDirs are the directories time.LoadLocation searches on Unix.
var zoneDirs = []string{"/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/", "/etc/zoneinfo/"}

// ZoneNames lists the zone names of the tzdata time.LoadLocation would use:
// the directory or zip file named by $ZONEINFO, else the first system
// zoneinfo directory found, else Go's $GOROOT/lib/time/zoneinfo.zip.
// Aliases (such as "US/Eastern") are included; "localtime", "posixrules"
// and the "posix/" and "right/" trees are not. It fails when only the
// tzdata embedded in the binary is available, as Go offers no way to list
// it; name the zones to Sweep instead.
func ZoneNames() ([]string, error) {
	if z := os.Getenv("ZONEINFO"); z != "" {
		if st, err := os.Stat(z); err == nil && !st.IsDir() {
			return zipZones(z)
		}
		return (&tzdb{fsys: os.DirFS(z), where: z}).names()
	}
	for _, d := range zoneDirs {
		if names, err := (&tzdb{fsys: os.DirFS(d), where: d}).names(); err == nil && len(names) > 0 {
			return names, nil
		}
	}
	// time.LoadLocation's next source: the zip in the Go installation
	// (runtime.GOROOT is deprecated for builds, but it is what package time
	// itself consults here).
	if root := runtime.GOROOT(); root != "" {
		if names, err := zipZones(filepath.Join(root, "lib", "time", "zoneinfo.zip")); err == nil && len(names) > 0 {
			return names, nil
		}
	}
	return nil, fmt.Errorf("%w: no zoneinfo directory or zoneinfo.zip found (searched %s)", ErrUnknownZone, strings.Join(zoneDirs, ", "))
}

func zipZones(path string) ([]string, error) {
	r, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("schedule: listing zones in %s: %w", path, err)
	}
	defer r.Close()
	return (&tzdb{fsys: r, where: path}).names()
}

// TZData sweeps the zones of the tzdata in fsys instead of the installed
// ones: a zoneinfo directory (os.DirFS("/usr/share/zoneinfo")) or a
// zoneinfo.zip (zip.NewReader, or zip.OpenReader). With Zones, only the
// named zones are read from it.
func TZData(fsys fs.FS) SweepOption {
	return sweepOption(func(c *sweepConfig) error {
		if fsys == nil {
			return badInput("TZData(nil)")
		}
		c.db = &tzdb{fsys: fsys, where: fmt.Sprintf("TZData(%T)", fsys)}
		return nil
	})
}
