package schedule

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// LoadZone loads an IANA zone by name. It rejects "" and "Local", which
// time.LoadLocation accepts as UTC and as the machine's zone: neither names
// a zone that means the same thing on every machine. Zone data comes from
// where time.LoadLocation finds it: $ZONEINFO, the system's tzdata, Go's
// zoneinfo.zip, and last the copy embedded by importing time/tzdata (or
// this module's verify/schedule/tzdata) in the main package.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("%w: %q is not an IANA zone name", ErrUnknownZone, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrUnknownZone, name, err)
	}
	return loc, nil
}

// zoneDirs are the directories time.LoadLocation searches on Unix.
var zoneDirs = []string{"/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/", "/etc/zoneinfo/"}

// Zones lists the zone names of the tzdata time.LoadLocation would use:
// the directory or zip file named by $ZONEINFO, else the first system
// zoneinfo directory found, else Go's $GOROOT/lib/time/zoneinfo.zip. Aliases (such as "US/Eastern") are included;
// "localtime", "posixrules" and the "posix/" and "right/" trees are not.
// It fails when only the tzdata embedded in the binary is available, as Go
// offers no way to list it; pass zone names to Sweep instead.
func Zones() ([]string, error) {
	if z := os.Getenv("ZONEINFO"); z != "" {
		if st, err := os.Stat(z); err == nil && !st.IsDir() {
			return zipZones(z)
		}
		return dirZones(z)
	}
	for _, d := range zoneDirs {
		if names, err := dirZones(d); err == nil && len(names) > 0 {
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

func dirZones(root string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "posix" || rel == "right" {
				return fs.SkipDir
			}
			return nil
		}
		if rel == "localtime" || rel == "posixrules" {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return nil // unreadable entries are not zones we can use
		}
		head := make([]byte, 4)
		_, rerr := f.Read(head)
		f.Close()
		if rerr == nil && bytes.Equal(head, []byte("TZif")) {
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schedule: listing zones in %s: %w", root, err)
	}
	sort.Strings(names)
	return names, nil
}

func zipZones(path string) ([]string, error) {
	r, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("schedule: listing zones in %s: %w", path, err)
	}
	defer r.Close()
	var names []string
	for _, f := range r.File {
		if !strings.HasSuffix(f.Name, "/") {
			names = append(names, f.Name)
		}
	}
	sort.Strings(names)
	return names, nil
}
