package schedule

import (
	"sync"
	"time"
)

// Deliberately wrong codecs, each the shape of a real storage bug.

var testZones sync.Map

// cachedZone is time.LoadLocation with a cache, as a real codec would have.
func cachedZone(name string) (*time.Location, error) {
	if v, ok := testZones.Load(name); ok {
		return v.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err == nil {
		testZones.Store(name, loc)
	}
	return loc, err
}

// wallOnly stores the local wall time without any zone or offset and
// reads it back on a server whose zone is UTC.
var wallOnly = codecFuncs[string]{
	EncodeFunc: func(ev Event) (string, error) { return ev.At.Format("2006-01-02T15:04:05.999999999"), nil },
	DecodeFunc: func(s string) (Event, error) {
		t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
		return Event{At: t, Zone: t.Location().String()}, err
	},
}

// wallAndZone stores the wall time and the zone name but not the offset,
// and rebuilds the instant with time.Date: wrong only in overlaps.
var wallAndZone = codecFuncs[[2]string]{
	EncodeFunc: func(ev Event) ([2]string, error) {
		return [2]string{ev.At.Format("2006-01-02T15:04:05.999999999"), ev.Zone}, nil
	},
	DecodeFunc: func(r [2]string) (Event, error) {
		loc, err := cachedZone(r[1])
		if err != nil {
			return Event{}, err
		}
		t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", r[0], loc)
		return Event{At: t, Zone: r[1]}, err
	},
}

type int32Row struct {
	Sec  int32
	Nsec int32
	Zone string
}

// int32Codec stores the instant as a signed 32-bit Unix time.
var int32Codec = codecFuncs[int32Row]{
	EncodeFunc: func(ev Event) (int32Row, error) {
		return int32Row{int32(ev.At.Unix()), int32(ev.At.Nanosecond()), ev.Zone}, nil
	},
	DecodeFunc: func(r int32Row) (Event, error) {
		loc, err := cachedZone(r.Zone)
		if err != nil {
			return Event{}, err
		}
		return Event{At: time.Unix(int64(r.Sec), int64(r.Nsec)).In(loc), Zone: r.Zone}, nil
	},
}

// utcDropZone stores RFC 3339 in UTC and forgets the zone.
var utcDropZone = codecFuncs[string]{
	EncodeFunc: func(ev Event) (string, error) { return ev.At.UTC().Format(time.RFC3339Nano), nil },
	DecodeFunc: func(s string) (Event, error) {
		t, err := time.Parse(time.RFC3339Nano, s)
		return Event{At: t, Zone: "UTC"}, err
	},
}

// offsetOfNow stores the wall time with the offset in effect when the
// event was created instead of the zone name: right today, wrong after a
// DST change.
var offsetOfNow = codecFuncs[string]{
	EncodeFunc: func(ev Event) (string, error) {
		_, off := ev.Created.In(ev.At.Location()).Zone()
		w := ev.At.Format("2006-01-02T15:04:05.999999999")
		t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", w, time.FixedZone("", off))
		if err != nil {
			return "", err
		}
		return t.Format(time.RFC3339Nano), nil
	},
	DecodeFunc: func(s string) (Event, error) {
		t, err := time.Parse(time.RFC3339Nano, s)
		return Event{At: t, Zone: t.Location().String()}, err
	},
}

type daysRow struct {
	Created int64 // Unix nanoseconds
	Days    int   // whole days from creation, capped at 30
	Rest    time.Duration
	Zone    string
}

// daysCapped stores "days from now" in a field capped at 30.
var daysCapped = codecFuncs[daysRow]{
	EncodeFunc: func(ev Event) (daysRow, error) {
		d := ev.At.Sub(ev.Created)
		days := int(d / (24 * time.Hour))
		return daysRow{ev.Created.UnixNano(), min(days, 30), d % (24 * time.Hour), ev.Zone}, nil
	},
	DecodeFunc: func(r daysRow) (Event, error) {
		loc, err := cachedZone(r.Zone)
		if err != nil {
			return Event{}, err
		}
		at := time.Unix(0, r.Created).Add(time.Duration(r.Days)*24*time.Hour + r.Rest)
		return Event{At: at.In(loc), Zone: r.Zone}, nil
	},
}
