package verify

import (
	"cmp"
	"math"
	"reflect"
	"strings"
)

// orderedProbes returns Threshold's probes for an integer, float or string
// boundary b: b first, then its neighbours, then the extremes.
func orderedProbes(b reflect.Value) []reflect.Value {
	t := b.Type()
	out := []reflect.Value{b}
	add := func(set func(v reflect.Value)) {
		v := reflect.New(t).Elem()
		set(v)
		out = append(out, v)
	}
	switch k := t.Kind(); {
	case k >= reflect.Int && k <= reflect.Int64:
		lo, hi := int64(-1)<<(t.Bits()-1), int64(1)<<(t.Bits()-1)-1
		x := b.Int()
		for _, u := range intDistances() {
			if d := int64(u); x >= lo+d {
				add(func(v reflect.Value) { v.SetInt(x - d) })
			}
			if d := int64(u); x <= hi-d {
				add(func(v reflect.Value) { v.SetInt(x + d) })
			}
		}
		add(func(v reflect.Value) { v.SetInt(lo) })
		add(func(v reflect.Value) { v.SetInt(hi) })
	case k >= reflect.Uint && k <= reflect.Uintptr:
		hi := uint64(math.MaxUint64) >> (64 - t.Bits())
		x := b.Uint()
		for _, d := range intDistances() {
			if x >= d {
				add(func(v reflect.Value) { v.SetUint(x - d) })
			}
			if x <= hi-d {
				add(func(v reflect.Value) { v.SetUint(x + d) })
			}
		}
		add(func(v reflect.Value) { v.SetUint(0) })
		add(func(v reflect.Value) { v.SetUint(hi) })
	case k == reflect.Float32 || k == reflect.Float64:
		next := math.Nextafter
		big := math.MaxFloat64
		if k == reflect.Float32 {
			next = func(x, y float64) float64 { return float64(math.Nextafter32(float32(x), float32(y))) }
			big = math.MaxFloat32
		}
		x := b.Float()
		down, up := next(x, math.Inf(-1)), next(x, math.Inf(1))
		for _, f := range []float64{down, up, next(down, math.Inf(-1)), next(up, math.Inf(1)), -big, big, math.Inf(-1), math.Inf(1)} {
			if f != x {
				add(func(v reflect.Value) { v.SetFloat(f) })
			}
		}
	case k == reflect.String:
		s := b.String()
		add(func(v reflect.Value) { v.SetString(s + "\x00") })
		if s != "" {
			below := s[:len(s)-1] // the greatest string below s when s ends in NUL
			if last := s[len(s)-1]; last != 0 {
				below += string([]byte{last - 1}) + strings.Repeat("\xff", 4)
			}
			add(func(v reflect.Value) { v.SetString(below) })
			add(func(v reflect.Value) { v.SetString("") })
		}
	}
	return out
}

// compareValues compares two integers, floats or strings of one type.
func compareValues(a, b reflect.Value) int {
	switch k := a.Kind(); {
	case k >= reflect.Int && k <= reflect.Int64:
		return cmp.Compare(a.Int(), b.Int())
	case k >= reflect.Uint && k <= reflect.Uintptr:
		return cmp.Compare(a.Uint(), b.Uint())
	case k == reflect.Float32 || k == reflect.Float64:
		return cmp.Compare(a.Float(), b.Float())
	}
	return strings.Compare(a.String(), b.String())
}

// intDistances are the distances from an integer boundary Threshold
// probes, either side: 1…8, then 2^k−1, 2^k, 2^k+1 up to 2^62, so a
// predicate wrong only far from its boundary (one that reads the last two
// digits) is found too.
func intDistances() []uint64 {
	ds := []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	for p := uint64(16); p <= 1<<62; p *= 2 {
		ds = append(ds, p-1, p, p+1)
	}
	return ds
}
