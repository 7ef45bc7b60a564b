package rollout

import (
	"fmt"
	"strings"
)

// Changes lists how p differs from the plan the operator approved, in the
// terms the operator reviewed: version, targets added and left out, waves,
// gates, bakes and the rehearsal. It returns nil when the fingerprints match.
//
// A fingerprint mismatch only says that something changed; Changes says
// what, e.g. "7 targets not approved: site3, site4, …" — the Productsup
// deploy that reached sites outside its group.
func (p *Plan) Changes(approved *Plan) []string {
	if approved == nil || len(approved.targets) == 0 {
		return []string{"no approved plan to compare with"}
	}
	if p == nil || len(p.targets) == 0 {
		return []string{"the proposed plan is empty"}
	}
	if p.fingerprint == approved.fingerprint {
		return nil
	}
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if p.version != approved.version {
		add("version %q → %q", approved.version, p.version)
	}
	if extra := missing(p.targets, approved.allowed); len(extra) > 0 {
		add("%d %s not approved: %s", len(extra), plural(len(extra), "target"), list(extra))
	}
	if gone := missing(approved.targets, p.allowed); len(gone) > 0 {
		add("%d approved %s left out: %s", len(gone), plural(len(gone), "target"), list(gone))
	}
	if p.rehearse != approved.rehearse {
		add("rollback rehearsal: %s → %s", onOff(approved.rehearse), onOff(p.rehearse))
	}
	if a, b := confirmText(approved), confirmText(p); a != b {
		add("confirmation: %s → %s", a, b)
	}
	if p.callDeadline != approved.callDeadline {
		add("deployer call deadline: %v → %v", approved.callDeadline, p.callDeadline)
	}
	if p.putBack != approved.putBack {
		add("put back off-plan changes: %s → %s", onOff(approved.putBack), onOff(p.putBack))
	}
	if len(p.waves) != len(approved.waves) {
		add("waves: %d → %d", len(approved.waves), len(p.waves))
	}
	for i := 0; i < len(p.waves) && i < len(approved.waves); i++ {
		was, now := approved.waves[i], p.waves[i]
		if a, b := len(was.targets), len(now.targets); a != b {
			add("wave %d size: %d → %d", i+1, a, b)
		}
		if a, b := gatesText(was), gatesText(now); a != b {
			add("wave %d gates: %s → %s", i+1, a, b)
		}
		if a, b := bakeText(was), bakeText(now); a != b {
			add("wave %d bake: %s → %s", i+1, a, b)
		}
	}
	if len(out) == 0 { // same summary, different order of targets across waves
		add("targets moved between waves")
	}
	return out
}

func missing(targets []string, in map[string]struct{}) []string {
	var out []string
	for _, t := range targets {
		if _, ok := in[t]; !ok {
			out = append(out, t)
		}
	}
	return out
}

// list names up to ten targets: enough to recognise the mistake.
func list(ts []string) string {
	if len(ts) > 10 {
		return strings.Join(ts[:10], ", ") + fmt.Sprintf(" … and %d more", len(ts)-10)
	}
	return strings.Join(ts, ", ")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
