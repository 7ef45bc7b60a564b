package schedule

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"
)

// SweepOption configures Sweep and SweepT.
type SweepOption interface{ applySweep(*sweepConfig) error }

type sweepOption func(*sweepConfig) error

func (f sweepOption) applySweep(c *sweepConfig) error { return f(c) }

type sweepConfig struct {
	names     []string                                               // Zones
	db        *tzdb                                                  // TZData; nil: LoadZone
	horizons  []Horizon                                              // Horizons; nil: defaultHorizons
	from, to  time.Time                                              // Window
	limit     int                                                    // goroutines; GOMAXPROCS
	quick     bool                                                   // SweepT under -short: quickZones
	preloaded []*time.Location                                       // tests: locations swept as they are
	gen       func(loc *time.Location, from, to time.Time) []instant // the nows; sweepInstants
	locs      []*time.Location                                       // resolved from names and db
	precision time.Duration                                          // Precision; 0: nanoseconds
}

// defaultWindow is the window of "now" values Sweep uses unless told
// otherwise: [1970-01-01, 2040-01-01) UTC.
func defaultWindow() (from, to time.Time) {
	return time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
}

// Zones sweeps the named zones instead of every zone ZoneNames lists.
func Zones(names ...string) SweepOption {
	return sweepOption(func(c *sweepConfig) error {
		if len(names) == 0 {
			return badInput("Zones(): needs at least one zone")
		}
		c.names = append(c.names, names...)
		return nil
	})
}

// Horizons replaces the default horizons (0, 1s, 1h, 23h59m59s, 24h, 29d,
// 30d−1s, 30d, 30d+1s, 31d, 90d, 365d, the int32 limit
// 2038-01-19T03:14:07Z and a second either side, 10y and 100y).
func Horizons(hs ...Horizon) SweepOption {
	return sweepOption(func(c *sweepConfig) error {
		if len(hs) == 0 {
			return badInput("Horizons(): needs at least one horizon")
		}
		for _, h := range hs {
			if err := h.validate(); err != nil {
				return err
			}
		}
		c.horizons = append([]Horizon(nil), hs...)
		return nil
	})
}

// Window sets the window [from, to) of "now" values; the default is
// [1970-01-01, 2040-01-01) UTC.
func Window(from, to time.Time) SweepOption {
	return sweepOption(func(c *sweepConfig) error {
		if !from.Before(to) {
			return badInput("Window(%s, %s): empty window", from.Format(time.RFC3339), to.Format(time.RFC3339))
		}
		c.from, c.to = from, to
		return nil
	})
}

// maxPrecision is the coarsest Precision accepted: coarser than an hour
// would truncate away the transitions the sweep is about.
const maxPrecision = time.Hour

// Precision sweeps only instants a codec of that precision can represent:
// every event (and its "now") is truncated to a multiple of d before it is
// encoded, and must then come back exactly. Use it for storage with a
// coarser clock than Go's nanoseconds, such as PostgreSQL timestamptz
// (Precision(time.Microsecond)) or Unix seconds (Precision(time.Second)),
// so that the sweep reports what the codec loses beyond its precision
// rather than every sub-second instant. d must lie in (0, 1h].
func Precision(d time.Duration) SweepOption {
	return sweepOption(func(c *sweepConfig) error {
		if d <= 0 || d > maxPrecision {
			return badInput("Precision(%v): want a duration in (0, %v]", d, maxPrecision)
		}
		c.precision = d
		return nil
	})
}

// Sweep round-trips events through c and reports every one that does not
// come back as the same instant, the same zone name and the same local wall
// time. For each zone (default: all of ZoneNames) and each "now" in the
// window (default: 1970 to 2040) at the zone's interesting instants, it
// schedules one event per horizon (default: 17 from 0 to 100 years),
// encodes it, decodes it and compares; see the package doc for the instants
// and the cost. Zones are swept in parallel, GOMAXPROCS at a time.
//
// The error wraps ErrRoundTrip when events failed, with the first five
// failure groups (the report has them all); it is bad input or ctx's cause
// otherwise, with a nil report.
func Sweep[R any](ctx context.Context, c Codec[R], opts ...SweepOption) (*SweepReport, error) {
	return sweep(ctx, c, opts, 5)
}

// sweep is Sweep, with max failure groups in the error.
func sweep[R any](ctx context.Context, c Codec[R], opts []SweepOption, max int) (*SweepReport, error) {
	if c == nil {
		return nil, badInput("nil codec")
	}
	if v := reflect.ValueOf(c); (v.Kind() == reflect.Pointer || v.Kind() == reflect.Func || v.Kind() == reflect.Map) && v.IsNil() {
		return nil, badInput("nil codec (%T)", c)
	}
	cfg, err := newSweepConfig(opts)
	if err != nil {
		return nil, err
	}
	results := make([]zoneResult, len(cfg.locs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.limit)
	for i, loc := range cfg.locs {
		g.Go(func() error {
			r, err := sweepZone(gctx, c, loc, cfg)
			results[i] = r
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	rep := &SweepReport{Zones: len(cfg.locs)}
	for _, r := range results {
		rep.Cases += r.cases
		for _, gr := range r.groups {
			rep.Failed += gr.Count
			rep.Groups = append(rep.Groups, *gr)
		}
	}
	rep.sortGroups()
	return rep, rep.err(max)
}

// newSweepConfig applies opts over the defaults and loads the zones.
func newSweepConfig(opts []SweepOption) (*sweepConfig, error) {
	cfg := &sweepConfig{limit: runtime.GOMAXPROCS(0), gen: sweepInstants}
	cfg.from, cfg.to = defaultWindow()
	for _, o := range opts {
		if o == nil {
			return nil, badInput("nil SweepOption")
		}
		if err := o.applySweep(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.horizons == nil {
		cfg.horizons = defaultHorizons()
	}
	load, list := LoadZone, ZoneNames
	if cfg.db != nil {
		load, list = cfg.db.load, cfg.db.names
	}
	if cfg.preloaded != nil {
		cfg.locs = cfg.preloaded
		return cfg, nil
	}
	if cfg.names == nil && cfg.quick {
		cfg.names = quickZones
	}
	if cfg.names == nil {
		names, err := list()
		if err != nil {
			return nil, err
		}
		cfg.names = names
	}
	for _, n := range cfg.names {
		loc, err := load(n)
		if err != nil {
			return nil, err
		}
		cfg.locs = append(cfg.locs, loc)
	}
	return cfg, nil
}

type zoneResult struct {
	cases  int
	groups map[groupKey]*FailureGroup
}

type groupKey struct {
	horizon int
	class   string
}

func sweepZone[R any](ctx context.Context, c Codec[R], loc *time.Location, cfg *sweepConfig) (zoneResult, error) {
	res := zoneResult{}
	name := loc.String()
	for i, now := range cfg.gen(loc, cfg.from, cfg.to) {
		if i%256 == 0 && ctx.Err() != nil {
			return res, context.Cause(ctx)
		}
		for hi, h := range cfg.horizons {
			ev := Event{At: h.event(now.At, loc), Zone: name, Created: now.At}
			if cfg.precision > 0 {
				ev.At, ev.Created = ev.At.Truncate(cfg.precision), ev.Created.Truncate(cfg.precision)
			}
			res.cases++
			got, mism := roundTrip(c, ev)
			if mism == "" {
				continue
			}
			if res.groups == nil {
				res.groups = map[groupKey]*FailureGroup{}
			}
			k := groupKey{hi, now.Class}
			g := res.groups[k]
			if g == nil {
				g = &FailureGroup{Zone: name, Horizon: h.name(), Class: now.Class, horizonIndex: hi}
				res.groups[k] = g
			}
			g.Count++
			if g.Count == 1 { // nows come in order: the first failure is the smallest
				g.Event, g.Got, g.Mismatch = ev, got, mism
			}
		}
	}
	return res, nil
}

// roundTrip encodes and decodes ev and says what differs ("" when nothing).
func roundTrip[R any](c Codec[R], ev Event) (got Event, mismatch string) {
	enc, err := c.Encode(ev)
	if err != nil {
		return Event{}, "encode: " + err.Error()
	}
	got, err = c.Decode(enc)
	if err != nil {
		return Event{}, "decode: " + err.Error()
	}
	var what []string
	if !got.At.Equal(ev.At) {
		what = append(what, "instant")
	}
	if got.Zone != ev.Zone {
		what = append(what, "zone")
	}
	if !sameWall(got.At, ev.At) {
		what = append(what, "wall time")
	}
	if len(what) == 0 {
		return got, ""
	}
	return got, fmt.Sprint(what)
}

// sameWall reports whether a and b show the same wall time; for the same
// instant it is enough that the offsets agree, and for the same instant in
// the same *time.Location (LoadZone returns one per name) they do.
func sameWall(a, b time.Time) bool {
	if a.Equal(b) {
		if a.Location() == b.Location() {
			return true // one instant in one *Location: one offset, no lookups
		}
		_, oa := a.Zone()
		_, ob := b.Zone()
		return oa == ob
	}
	return wallOf(a) == wallOf(b)
}

func (r *SweepReport) sortGroups() {
	sort.Slice(r.Groups, func(i, j int) bool {
		a, b := r.Groups[i], r.Groups[j]
		if a.Zone != b.Zone {
			return a.Zone < b.Zone
		}
		if a.horizonIndex != b.horizonIndex {
			return a.horizonIndex < b.horizonIndex
		}
		return a.Class < b.Class
	})
}
