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

// SweepOption configures Sweep.
type SweepOption interface{ apply(*sweepConfig) error }

type sweepOptionFunc func(*sweepConfig) error

func (f sweepOptionFunc) apply(c *sweepConfig) error { return f(c) }

type sweepConfig struct {
	zones    []string
	locs     []*time.Location
	horizons []Horizon
	from, to time.Time
	limit    int
}

// DefaultWindow returns the window of "now" values Sweep uses unless told
// otherwise: [1970-01-01, 2040-01-01) UTC.
func DefaultWindow() (from, to time.Time) {
	return time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
}

// WithZones sweeps the named zones instead of every zone Zones lists.
func WithZones(names ...string) SweepOption {
	return sweepOptionFunc(func(c *sweepConfig) error {
		if len(names) == 0 {
			return badInput("WithZones needs at least one zone")
		}
		for _, n := range names {
			loc, err := LoadZone(n)
			if err != nil {
				return err
			}
			c.locs = append(c.locs, loc)
		}
		c.zones = append(c.zones, names...)
		return nil
	})
}

// WithLocations sweeps already loaded locations (from
// time.LoadLocationFromTZData, say); each one's String() is its zone name.
func WithLocations(locs ...*time.Location) SweepOption {
	return sweepOptionFunc(func(c *sweepConfig) error {
		if len(locs) == 0 {
			return badInput("WithLocations needs at least one location")
		}
		for _, l := range locs {
			if l == nil {
				return badInput("nil *time.Location in WithLocations")
			}
			c.locs = append(c.locs, l)
			c.zones = append(c.zones, l.String())
		}
		return nil
	})
}

// WithHorizons replaces DefaultHorizons.
func WithHorizons(hs ...Horizon) SweepOption {
	return sweepOptionFunc(func(c *sweepConfig) error {
		if len(hs) == 0 {
			return badInput("WithHorizons needs at least one horizon")
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

// WithWindow sets the window [from, to) of "now" values; the default is
// DefaultWindow.
func WithWindow(from, to time.Time) SweepOption {
	return sweepOptionFunc(func(c *sweepConfig) error {
		if !from.Before(to) {
			return badInput("empty window [%s, %s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
		}
		c.from, c.to = from, to
		return nil
	})
}

// WithLimit caps the goroutines Sweep runs at once; the default is
// runtime.GOMAXPROCS(0). Use 1 for a codec that is not safe for concurrent use.
func WithLimit(n int) SweepOption {
	return sweepOptionFunc(func(c *sweepConfig) error {
		if n < 1 {
			return badInput("limit %d < 1", n)
		}
		c.limit = n
		return nil
	})
}

// Sweep round-trips events through c and reports every one that does not
// come back as the same instant, the same zone name and the same local wall
// time. For each zone (default: all of Zones) and each "now" in the window
// (default: DefaultWindow) at the zone's interesting instants — the window
// start, each transition and the seconds either side of it, and the UTC and
// local midnights around it — it schedules one event per horizon (default:
// DefaultHorizons), encodes it, decodes it and compares. Zones are swept in
// parallel, WithLimit goroutines at a time.
//
// The error is for bad input or a cancelled ctx; a codec's failures are in
// the report (see SweepReport.Err).
func Sweep[R any](ctx context.Context, c Codec[R], opts ...SweepOption) (*SweepReport, error) {
	if c == nil {
		return nil, badInput("nil codec")
	}
	if v := reflect.ValueOf(c); (v.Kind() == reflect.Pointer || v.Kind() == reflect.Func || v.Kind() == reflect.Map) && v.IsNil() {
		return nil, badInput("nil codec (%T)", c)
	}
	cfg := sweepConfig{limit: runtime.GOMAXPROCS(0)}
	cfg.from, cfg.to = DefaultWindow()
	for _, o := range opts {
		if o == nil {
			return nil, badInput("nil SweepOption")
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.horizons == nil {
		cfg.horizons = DefaultHorizons()
	}
	if cfg.locs == nil {
		names, err := Zones()
		if err != nil {
			return nil, err
		}
		if err := WithZones(names...).apply(&cfg); err != nil {
			return nil, err
		}
	}
	results := make([]zoneResult, len(cfg.locs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.limit)
	for i, loc := range cfg.locs {
		g.Go(func() error {
			r, err := sweepZone(gctx, c, loc, &cfg)
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
	return rep, nil
}

type zoneResult struct {
	cases  int
	groups map[groupKey]*FailureGroup
}

type groupKey struct {
	horizon int
	class   Boundary
}

func sweepZone[R any](ctx context.Context, c Codec[R], loc *time.Location, cfg *sweepConfig) (zoneResult, error) {
	res := zoneResult{}
	name := loc.String()
	for i, now := range sweepInstants(loc, cfg.from, cfg.to) {
		if i%256 == 0 && ctx.Err() != nil {
			return res, context.Cause(ctx)
		}
		for hi, h := range cfg.horizons {
			ev := Event{At: h.event(now.At, loc), Zone: name, Created: now.At}
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
				g = &FailureGroup{Zone: name, Horizon: h.String(), Class: now.Class, horizonIndex: hi}
				res.groups[k] = g
			}
			g.Count++
			if g.Count == 1 { // nows come in order: the first failure is the smallest
				g.First = Case{Event: ev, Got: got, Mismatch: mism}
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
// instant it is enough that the offsets agree.
func sameWall(a, b time.Time) bool {
	if a.Equal(b) {
		_, oa := a.Zone()
		_, ob := b.Zone()
		return oa == ob
	}
	return WallOf(a) == WallOf(b)
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
