package verify

import (
	"math"
	"reflect"
	"slices"
	"sync"
	"time"
)

// An edge pool is a named set of default edge values for one kind of type,
// chosen from a known class of bugs; the table in the package
// documentation lists them and NoDefaultEdges removes them by name.
type edgePool struct {
	name   string
	kinds  []reflect.Kind // the kinds it applies to; none: time.Time
	values func(t reflect.Type) []reflect.Value
}

var timeType = reflect.TypeFor[time.Time]()

// maxEdges bounds the edge values checked together, every pair and triple
// of them: 96 values are 9,216 calls and under a million cheap triple
// lookups.
const maxEdges = 96

var edgePools = []edgePool{
	{"case", []reflect.Kind{reflect.String}, strs(
		"s", "S", "ſ", "ß", "ss", "SS", "ẞ", "k", "K", "\u212a",
		"σ", "ς", "Σ", "i", "I", "İ", "ı", "a", "A", "b", "B")},
	{"normalization", []reflect.Kind{reflect.String}, strs(
		"\u00e9", "e\u0301", "\u00c5", "A\u030a", "\u212b", "\u00f1", "n\u0303")},
	{"numeric", []reflect.Kind{reflect.String}, strs(
		"1", "01", "+1", "1.0", "1e0", "1.1", "1.10", "1.9", "1.09", "10", "2", "0", "-0")},
	{"radix", []reflect.Kind{reflect.String}, strs(
		"010", "08", "8", "0x1F", "0X1f", "31", "0x10", "16", "0o17", "0b11", "1_000", "1000", "1e3")},
	{"digits", []reflect.Kind{reflect.String}, strs("\u0663", "\u06f3", "\uff13", "3", "\u0663\u0663")},
	{"version", []reflect.Kind{reflect.String}, strs(
		"v1.2", "V1.2", "1.2", "v1.2.0", "1.2.0", "1.2.3", "1-2", "1_2", "1/2", "1:2", "1,2", "v1")},
	{"bigint", []reflect.Kind{reflect.String}, strs(
		"9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
		"99999999999999999999", "100000000000000000000", "-9223372036854775809", "a99999999999999999999")},
	{"space", []reflect.Kind{reflect.String}, strs(" a", "a ", " 1", "1 ", " ")},
	{"empty", []reflect.Kind{reflect.String}, strs("")},
	{"utf8", []reflect.Kind{reflect.String}, strs("\xff", "a\xc3", "\xed\xa0\x80")},
	{"extremes", []reflect.Kind{reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr}, intEdges},
	{"nan", []reflect.Kind{reflect.Float32, reflect.Float64}, floats(math.NaN())},
	{"zero", []reflect.Kind{reflect.Float32, reflect.Float64}, floats(0, math.Copysign(0, -1))},
	{"inf", []reflect.Kind{reflect.Float32, reflect.Float64}, floats(math.Inf(1), math.Inf(-1))},
	{"ulp", []reflect.Kind{reflect.Float32, reflect.Float64}, ulpEdges},
	{"epsilon", []reflect.Kind{reflect.Float32, reflect.Float64}, epsilonEdges},
	{"zones", nil, times(func() []time.Time {
		t0 := time.Unix(1_700_000_000, 0).UTC()
		return []time.Time{t0, t0.In(time.FixedZone("UTC+1", 3600)), t0.In(time.FixedZone("UTC-5", -5*3600)),
			t0.Add(time.Nanosecond), t0.Add(-time.Nanosecond).In(time.FixedZone("UTC+14", 14*3600))}
	})},
	{"monotonic", nil, times(func() []time.Time {
		now := time.Now() // carries a monotonic reading; Round(0) strips it
		return []time.Time{now, now.Round(0)}
	})},
	{"far", nil, times(func() []time.Time {
		// More than 292 years apart: their difference overflows a Duration
		// and UnixNano is undefined outside 1678-2262.
		return []time.Time{time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC)}
	})},
	{"zero time", nil, times(func() []time.Time { return []time.Time{{}} })},
	{"transitions", nil, times(transitionEdges)},
	{"nil", []reflect.Kind{reflect.Slice, reflect.Map, reflect.Pointer}, nilEdges},
	{"fields", []reflect.Kind{reflect.Struct}, nil}, // see fieldEdges
}

func strs(ss ...string) func(reflect.Type) []reflect.Value {
	return func(t reflect.Type) []reflect.Value {
		out := make([]reflect.Value, len(ss))
		for i, s := range ss {
			out[i] = reflect.New(t).Elem()
			out[i].SetString(s)
		}
		return out
	}
}

func floats(fs ...float64) func(reflect.Type) []reflect.Value {
	return func(t reflect.Type) []reflect.Value {
		out := make([]reflect.Value, len(fs))
		for i, f := range fs {
			out[i] = reflect.New(t).Elem()
			out[i].SetFloat(f)
		}
		return out
	}
}

func times(f func() []time.Time) func(reflect.Type) []reflect.Value {
	return func(reflect.Type) []reflect.Value {
		ts := f()
		out := make([]reflect.Value, len(ts))
		for i, t := range ts {
			out[i] = reflect.ValueOf(t)
		}
		return out
	}
}

// intEdges: 0, ±1, the extremes and their neighbours, where a-b overflows.
func intEdges(t reflect.Type) []reflect.Value {
	var out []reflect.Value
	if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uintptr {
		hi := uint64(math.MaxUint64) >> (64 - t.Bits())
		for _, x := range []uint64{0, 1, 2, hi - 1, hi} {
			v := reflect.New(t).Elem()
			v.SetUint(x)
			out = append(out, v)
		}
		return out
	}
	bits := t.Bits()
	lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
	for _, x := range []int64{0, 1, -1, 2, lo, lo + 1, hi, hi - 1} {
		v := reflect.New(t).Elem()
		v.SetInt(x)
		out = append(out, v)
	}
	return out
}

// nilEdges: nil and empty for a slice or a map, nil and a pointer to the
// zero value for a pointer. rapid never draws a nil slice or map.
func nilEdges(t reflect.Type) []reflect.Value {
	var empty reflect.Value
	switch t.Kind() {
	case reflect.Slice:
		empty = reflect.MakeSlice(t, 0, 0)
	case reflect.Map:
		empty = reflect.MakeMap(t)
	default:
		empty = reflect.New(t.Elem())
	}
	return []reflect.Value{reflect.Zero(t), empty}
}

// ulpEdges: one-ulp neighbours around 0, 1 and the largest values.
func ulpEdges(t reflect.Type) []reflect.Value {
	next := math.Nextafter
	big := math.MaxFloat64
	if t.Kind() == reflect.Float32 {
		next = func(x, y float64) float64 { return float64(math.Nextafter32(float32(x), float32(y))) }
		big = math.MaxFloat32
	}
	return floats(next(0, 1), next(0, -1), 1, next(1, 2), next(1, 0), -1,
		big, next(big, 0), -big, next(1e15, 2e15), 1e15)(t)
}

// epsilonEdges: chains a, b, c with a≈b and b≈c but not a≈c for the common
// tolerances 1e-12, 1e-9, 1e-6, 1e-3, 0.01 and 0.5 (absolute, and relative
// around 1).
func epsilonEdges(t reflect.Type) []reflect.Value {
	fs := []float64{1}
	for _, eps := range []float64{1e-12, 1e-9, 1e-6, 1e-3, 0.01, 0.5} {
		if t.Kind() == reflect.Float32 && eps < 1e-6 {
			continue // below float32's resolution at 1
		}
		fs = append(fs, 1+0.6*eps, 1+1.2*eps)
	}
	return floats(fs...)(t)
}

// nearPool is the name under which NoDefaultEdges removes the neighbours
// of drawn values from random batches.
const nearPool = "near"

// neighbours reports whether c's random batches include neighbours.
func (c *config) neighbours() bool { return !c.noEdges && !c.edgesOff[nearPool] }

// poolNames lists every pool's name, for NoDefaultEdges' validation.
func poolNames() []string {
	names := make([]string, len(edgePools))
	for i, p := range edgePools {
		names[i] = p.name
	}
	return append(names, nearPool)
}

// applies reports whether pool p gives edges for type t.
func (p edgePool) applies(t reflect.Type) bool {
	if p.kinds == nil {
		return t == timeType
	}
	return t != timeType && slices.Contains(p.kinds, t.Kind())
}

// defaultEdges returns the edge values of every pool for t that off does
// not remove, as values of t.
func defaultEdges(t reflect.Type, off map[string]bool) []reflect.Value {
	var out []reflect.Value
	for _, p := range edgePools {
		if off[p.name] || p.values == nil || !p.applies(t) {
			continue
		}
		out = append(out, p.values(t)...)
	}
	return out
}

// transitionEdges: around the 2026 DST changes of New York and Berlin (on
// either side of UTC, so time.Date treats them differently), 30 minutes
// before and after, 1 ns before and at the change, in the zone itself
// (one *time.Location per zone, as a program holds it), and the change
// and the instants 30 minutes either side in UTC and in the other zone: two
// different instants with one wall clock (01:30 EDT and EST), wall clocks
// an hour off their instants' order, and instants of two zones between
// them, which wall-clock logic gets wrong. A zone the system cannot load
// is left out.
func transitionEdges() []time.Time {
	zs := transitionZones()
	var out []time.Time
	for i, z := range zs {
		other := zs[(i+1)%len(zs)].loc
		for _, tr := range z.changes {
			out = append(out, tr.Add(-30*time.Minute).In(z.loc), tr.Add(-time.Nanosecond).In(z.loc), tr.In(z.loc),
				tr.Add(30*time.Minute).In(z.loc), tr.UTC(), tr.Add(-30*time.Minute).In(other), tr.Add(30*time.Minute).UTC())
		}
	}
	return out
}

type transitionZone struct {
	loc     *time.Location
	changes []time.Time // UTC instants of its 2026 offset changes
}

// transitionZones loads the zones once: time.LoadLocation reads and parses
// a file on every call.
var transitionZones = sync.OnceValue(func() []transitionZone {
	var out []transitionZone
	for _, z := range []struct {
		name    string
		changes []time.Time
	}{
		{"America/New_York", []time.Time{time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)}},
		{"Europe/Berlin", []time.Time{time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC)}},
	} {
		if loc, err := time.LoadLocation(z.name); err == nil {
			out = append(out, transitionZone{loc, z.changes})
		}
	}
	return out
})
