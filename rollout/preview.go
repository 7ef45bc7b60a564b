package rollout

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// fingerprint hashes everything the operator approves, with every string
// quoted so that no two plans share an encoding.
func fingerprint(p *Plan) string {
	h := sha256.New()
	fmt.Fprintf(h, "deploysafe/rollout plan v2\nversion %s\nrehearse %t\nsettle %d\ncall %d\nputback %t\ntargets %d\n",
		strconv.Quote(p.version), p.rehearse, int64(p.settle), int64(p.callDeadline), p.putBack, len(p.targets))
	for i, w := range p.waves {
		fmt.Fprintf(h, "wave %d %d\n", i, len(w.targets))
		for _, t := range w.targets {
			fmt.Fprintf(h, "t %s\n", strconv.Quote(t))
		}
		for _, g := range w.gates {
			if g.Calibrate != nil { // approved with a calibration: part of what was approved
				fmt.Fprintf(h, "g %s %d %t calibrated\n", strconv.Quote(g.Name), int64(g.Deadline), g.SkipVerify)
				continue
			}
			fmt.Fprintf(h, "g %s %d %t\n", strconv.Quote(g.Name), int64(g.Deadline), g.SkipVerify)
		}
		fmt.Fprintf(h, "b %d %d %d\n", int64(w.bake.Min), w.bake.passes(), int64(w.bake.Every))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// String returns the preview with at most 5 targets listed per wave.
func (p *Plan) String() string {
	var b strings.Builder
	p.preview(&b, 5)
	return b.String()
}

func (p *Plan) preview(w io.Writer, limit int) {
	if p == nil || len(p.targets) == 0 {
		fmt.Fprint(w, "rollout plan <empty: use NewPlan>")
		return
	}
	n := len(p.targets)
	fmt.Fprintf(w, "rollout plan %s\n", p.fingerprint)
	reh := "rollback rehearsal on wave 1"
	if !p.rehearse {
		reh = "NO rollback rehearsal"
	}
	fmt.Fprintf(w, "deploy %q to %d %s in %d %s; %s\n", p.version, n, plural(n, "target"), len(p.waves), plural(len(p.waves), "wave"), reh)
	fmt.Fprintf(w, "%s; each deployer call within %v; %s\n", confirmText(p), p.callDeadline, putBackText(p))
	cum := 0
	for i, wv := range p.waves {
		cum += len(wv.targets)
		name := ""
		if i == 0 {
			name = " (canary)"
		}
		fmt.Fprintf(w, "wave %d%s: %d %s, %s of all (cumulative %s)\n", i+1, name, len(wv.targets), plural(len(wv.targets), "target"), pct(len(wv.targets), n), pct(cum, n))
		fmt.Fprintf(w, "  gates: %s\n", gatesText(wv))
		fmt.Fprintf(w, "  bake: %s\n", bakeText(wv))
		ts := wv.targets
		more := 0
		if len(ts) > limit {
			more = len(ts) - limit
			ts = ts[:limit]
		}
		fmt.Fprintf(w, "  targets: %s", strings.Join(ts, ", "))
		if more > 0 {
			fmt.Fprintf(w, " … and %d more", more)
		}
		fmt.Fprintln(w)
	}
}

func confirmText(p *Plan) string {
	if p.settle == 0 {
		return "NO post-deploy confirmation (Settle(0)): a Deploy that returns nil is believed"
	}
	return fmt.Sprintf("every deploy confirmed by Version within %v", p.settle)
}

func putBackText(p *Plan) string {
	if p.putBack {
		return "off-plan changes found by a census are put back"
	}
	return "off-plan changes are reported, not put back"
}

func gatesText(wv wave) string {
	gs := make([]string, len(wv.gates))
	for j, g := range wv.gates {
		gs[j] = fmt.Sprintf("%s (%v)", g.Name, g.Deadline)
		if g.SkipVerify {
			gs[j] = fmt.Sprintf("%s (%v, not rerun after rollback)", g.Name, g.Deadline)
		}
	}
	return strings.Join(gs, ", ")
}

func bakeText(wv wave) string {
	if wv.bake.Min > 0 || wv.bake.passes() > 1 {
		return fmt.Sprintf("at least %v and %d passing gate runs, every %v", wv.bake.Min, wv.bake.passes(), wv.bake.Every)
	}
	return "none (gates must pass once)"
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

func pct(k, n int) string {
	v := 100 * float64(k) / float64(n)
	if v == float64(int(v)) {
		return fmt.Sprintf("%d%%", int(v))
	}
	return fmt.Sprintf("%.1f%%", v)
}
