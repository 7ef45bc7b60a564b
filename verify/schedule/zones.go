package schedule

import (
	"archive/zip"
	_ "embed"
	"fmt"
	"io/fs"
	"os"
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
// the directory or zip file named by $ZONEINFO if it has zones, else the first system
// zoneinfo directory found. Aliases (such as "US/Eastern") are included;
// "localtime", "posixrules" and the "posix/" and "right/" trees are not.
// Where there is neither (a binary copied to a machine without tzdata,
// reading Go's zoneinfo.zip or the copy embedded with time/tzdata), it
// lists the names of IANA tzdata 2025c that time.LoadLocation can load
// there: Go offers no way to list those sources.
func ZoneNames() ([]string, error) {
	if z := os.Getenv("ZONEINFO"); z != "" {
		// time.LoadLocation tries $ZONEINFO first and falls through to
		// the system's tzdata when it holds no such zone; so do we.
		if st, err := os.Stat(z); err == nil && !st.IsDir() {
			if names, err := zipZones(z); err == nil && len(names) > 0 {
				return names, nil
			}
		} else if names, err := (&tzdb{fsys: os.DirFS(z), where: z}).names(); err == nil && len(names) > 0 {
			return names, nil
		}
	}
	for _, d := range zoneDirs {
		if names, err := (&tzdb{fsys: os.DirFS(d), where: d}).names(); err == nil && len(names) > 0 {
			return names, nil
		}
	}
	var names []string
	for _, n := range strings.Fields(knownZones) {
		if _, err := time.LoadLocation(n); err == nil {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no zoneinfo directory found (searched %s) and time.LoadLocation loads none of %d known zones: import time/tzdata",
			ErrUnknownZone, strings.Join(zoneDirs, ", "), len(strings.Fields(knownZones)))
	}
	return names, nil
}

// knownZones are the zone names of IANA tzdata 2025c (the zoneinfo.zip of
// Go 1.26), one a line, for ZoneNames where no source can be listed.
//
//go:embed zonenames.txt
var knownZones string

func zipZones(path string) ([]string, error) {
	r, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%w: listing zones in %s: %w", ErrUnknownZone, path, err)
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
