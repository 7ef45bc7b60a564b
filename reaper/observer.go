package reaper

import (
	"context"
	"fmt"
)

// Verdict is an observer's opinion of one resource, or the reaper's
// conclusion from all of them. The zero Verdict is Unknown.
type Verdict uint8

const (
	// Unknown: no opinion. Errors, timeouts, panics, missing or unparsable
	// data all become Unknown; Unknown never moves a resource toward action.
	Unknown Verdict = iota
	// Alive: something owns or uses the resource. One Alive vetoes action.
	Alive
	// Orphan: the observer has evidence nothing owns the resource.
	Orphan
)

// String returns "unknown", "alive" or "orphan".
func (v Verdict) String() string {
	switch v {
	case Unknown:
		return "unknown"
	case Alive:
		return "alive"
	case Orphan:
		return "orphan"
	}
	return fmt.Sprintf("verdict(%d)", uint8(v))
}

// Vote is what an observer returns for one resource. Evidence says why, in
// words an operator can check ("project p-42 deleted 2015-07-01"). An Orphan
// vote with empty Evidence is counted as Unknown: a claim that a resource
// may be destroyed must say why.
type Vote struct {
	Verdict  Verdict
	Evidence string
}

// Observer gives one opinion per resource. Name identifies it in the audit
// log (unique per reaper); Source names the data it reads ("hostdb",
// "billing"): the quorum counts distinct sources, so two observers reading
// the same table are one witness, not two.
//
// Observe is called concurrently for different resources. Shared look-ups
// should go through [Lookup] so that concurrent and repeated calls within a
// sweep are made once. Return an error (or an Unknown vote) whenever the
// data is missing, late, or in a shape you do not recognise.
type Observer interface {
	Name() string
	Source() string
	Observe(ctx context.Context, r Resource) (Vote, error)
}

// ObserverFunc returns an Observer named name, reading source, that votes
// with observe. A nil observe is rejected by New.
func ObserverFunc(name, source string, observe func(ctx context.Context, r Resource) (Vote, error)) Observer {
	return funcObserver{name: name, source: source, fn: observe}
}

type funcObserver struct {
	name, source string
	fn           func(context.Context, Resource) (Vote, error)
}

func (o funcObserver) Name() string   { return o.name }
func (o funcObserver) Source() string { return o.source }
func (o funcObserver) Observe(ctx context.Context, r Resource) (Vote, error) {
	return o.fn(ctx, r)
}
