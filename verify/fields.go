package verify

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"pgregory.net/rapid"
)

// edgesFor collects the edge values for T: those given with Edges first,
// then verify's default pools for T (unless NoDefaultEdges removes them).
// For a struct, the defaults are a value drawn from gen with the edge
// values of each exported field's type put into that field (so a ==
// between two instants in a struct meets the same instant in two zones),
// and with equal values in every two fields of one type.
func edgesFor[T any](c *config, gen *rapid.Generator[T]) []T {
	var out []T
	for _, e := range c.edges {
		vs, ok := e.([]T)
		if !ok {
			var zero T
			c.bad("Edges of %T given to a check of %T", e, zero)
			continue
		}
		out = append(out, vs...)
	}
	if c.noEdges {
		return capEdges(out)
	}
	rt := reflect.TypeFor[T]()
	var raw []reflect.Value
	if rt.Kind() == reflect.Struct && rt != timeType {
		if !c.edgesOff["fields"] {
			if base, ok := example(gen); ok {
				raw = fieldEdges(reflect.ValueOf(base), c.edgesOff)
			}
		}
	} else {
		raw = defaultEdges(rt, c.edgesOff)
	}
	for _, v := range raw {
		out = append(out, v.Interface().(T))
	}
	return capEdges(out)
}

func capEdges[T any](vs []T) []T {
	if len(vs) > maxEdges {
		return vs[:maxEdges]
	}
	return vs
}

// example draws one value from gen with a fixed seed, so that the edge
// values do not depend on the check's seed.
func example[T any](gen *rapid.Generator[T]) (v T, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return gen.Example(1), true
}

// fieldEdges returns base itself, base with equal values in every two
// exported fields of one type, then base with each field's edge values, the
// fields interleaved so that a cap keeps some of each.
func fieldEdges(base reflect.Value, off map[string]bool) []reflect.Value {
	out := []reflect.Value{base}
	rt := base.Type()
	with := func(i int, v reflect.Value) reflect.Value {
		x := reflect.New(rt).Elem()
		x.Set(base)
		x.Field(i).Set(v)
		return x
	}
	var perField [][]reflect.Value
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		for j := i + 1; j < rt.NumField(); j++ {
			if g := rt.Field(j); g.IsExported() && g.Type == f.Type {
				x := with(j, base.Field(i))
				out = append(out, x)
			}
		}
		var vals []reflect.Value
		if f.Type.Kind() == reflect.Struct && f.Type != timeType {
			vals = fieldEdges(base.Field(i), off)[1:]
		} else {
			vals = defaultEdges(f.Type, off)
		}
		variants := make([]reflect.Value, len(vals))
		for k, v := range vals {
			variants[k] = with(i, v)
		}
		perField = append(perField, variants)
	}
	for k := 0; ; k++ {
		more := false
		for _, vs := range perField {
			if k < len(vs) {
				out = append(out, vs[k])
				more = true
			}
		}
		if !more {
			return out
		}
	}
}

// near returns a neighbour of v: one step, one ulp, another case or zone
// away, in the k-th way v's type allows, and whether it has one.
func near(v reflect.Value, k int) (reflect.Value, bool) {
	t := v.Type()
	x := reflect.New(t).Elem()
	x.Set(v)
	switch {
	case t == timeType:
		tv := v.Interface().(time.Time)
		alts := []time.Time{tv.In(time.FixedZone("UTC+1", 3600)), tv.Add(time.Nanosecond), tv.Add(-time.Nanosecond), tv.Round(0)}
		return reflect.ValueOf(alts[k%len(alts)]), true
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		d := int64(1 - 2*(k%2))
		if n := v.Int() + d; !x.OverflowInt(n) && (n > v.Int()) == (d > 0) {
			x.SetInt(n)
			return x, true
		}
		x.SetInt(v.Int() - d)
		return x, true
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uintptr:
		u := v.Uint()
		if up := u + 1; u == 0 || k%2 == 0 && up != 0 && !x.OverflowUint(up) {
			x.SetUint(up)
		} else {
			x.SetUint(u - 1)
		}
		return x, true
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		dir := math.Inf(1 - 2*(k%2))
		f := math.Nextafter(v.Float(), dir)
		if t.Kind() == reflect.Float32 {
			f = float64(math.Nextafter32(float32(v.Float()), float32(dir)))
		}
		x.SetFloat(f)
		return x, true
	case t.Kind() == reflect.String:
		s := v.String()
		for i := range len(stringEdits) {
			if a := nearString(s, k+i); a != s {
				x.SetString(a)
				return x, true
			}
		}
	case t.Kind() == reflect.Struct:
		var fields []int
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				fields = append(fields, i)
			}
		}
		for i := range fields {
			f := fields[(k+i)%len(fields)]
			if n, ok := near(v.Field(f), k/len(fields)); ok {
				x.Field(f).Set(n)
				return x, true
			}
		}
	}
	return x, false
}

// parsePools validates NoDefaultEdges' names.
func parsePools(names []string) (map[string]bool, error) {
	off := map[string]bool{}
	valid := poolNames()
	for _, n := range names {
		ok := false
		for _, v := range valid {
			ok = ok || v == n
		}
		if !ok {
			return nil, fmt.Errorf("NoDefaultEdges(%q): no such pool (want one of %s)", n, strings.Join(valid, ", "))
		}
		off[n] = true
	}
	return off, nil
}
