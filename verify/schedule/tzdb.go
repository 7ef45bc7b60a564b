package schedule

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

// tzdb reads zones from one tzdata tree (a zoneinfo directory or the
// contents of a zoneinfo.zip), caching what it loaded.
type tzdb struct {
	fsys  fs.FS
	where string // for messages

	mu   sync.Mutex
	locs map[string]*time.Location
}

// maxTZif bounds one zone file: real ones are under 4 KB (the largest,
// with every transition, about 3 KB); the bound keeps a hostile tree from
// making us read a huge file.
const maxTZif = 1 << 20

// load returns the zone name from the tree, as time.LoadLocationFromTZData
// reads it.
func (d *tzdb) load(name string) (*time.Location, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if loc, ok := d.locs[name]; ok {
		return loc, nil
	}
	if name == "" || name == "Local" || !fs.ValidPath(name) || strings.HasPrefix(name, ".") {
		return nil, fmt.Errorf("%w: %q is not an IANA zone name", ErrUnknownZone, name)
	}
	data, err := readTZif(d.fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q in %s: %v", ErrUnknownZone, name, d.where, err)
	}
	loc, err := time.LoadLocationFromTZData(name, data)
	if err != nil {
		return nil, fmt.Errorf("%w: %q in %s: %v", ErrUnknownZone, name, d.where, err)
	}
	if d.locs == nil {
		d.locs = map[string]*time.Location{}
	}
	d.locs[name] = loc
	return loc, nil
}

// readTZif reads one zone file, checking its magic and size.
func readTZif(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTZif+1))
	switch {
	case err != nil:
		return nil, err
	case len(data) > maxTZif:
		return nil, fmt.Errorf("larger than %d bytes", maxTZif)
	case !bytes.HasPrefix(data, []byte("TZif")):
		return nil, fmt.Errorf("not a TZif file")
	}
	return data, nil
}

// names lists the zones of the tree, sorted: every TZif file except
// localtime, posixrules and the posix/ and right/ trees.
func (d *tzdb) names() ([]string, error) {
	var names []string
	err := fs.WalkDir(d.fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if p == "posix" || p == "right" {
				return fs.SkipDir
			}
			return nil
		}
		if base := path.Base(p); p == "localtime" || p == "posixrules" || strings.HasPrefix(base, ".") {
			return nil
		}
		f, err := d.fsys.Open(p)
		if err != nil {
			return nil // unreadable entries are not zones we can use
		}
		head := make([]byte, 4)
		_, rerr := io.ReadFull(f, head)
		f.Close()
		if rerr == nil && bytes.Equal(head, []byte("TZif")) {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: listing zones in %s: %w", ErrUnknownZone, d.where, err)
	}
	sort.Strings(names)
	return names, nil
}
