package rollout

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// planFileHeader opens every saved plan; the number is the format's version.
const planFileHeader = "deploysafe rollout plan 1"

// WriteTo writes p as a saved plan: text a reviewer reads in a pull
// request's diff (the version, the settings, each wave's gates, bake and
// targets, one per line), carrying its fingerprint. [ReadPlan] reads it
// back. Gates are code, so the file names them and their deadlines; the
// plan that runs is the one built in code, approved by comparing it with the
// saved one ([Plan.Changes]) and running it with the saved fingerprint.
func (p *Plan) WriteTo(w io.Writer) (int64, error) {
	if p == nil || p.fingerprint == "" {
		return 0, fmt.Errorf("%w: nil or unbuilt plan (use NewPlan)", ErrInvalidPlan)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nfingerprint %s\nversion %s\nrehearse %t\nsettle %v\ncall-deadline %v\nput-back %t\n",
		planFileHeader, p.fingerprint, strconv.Quote(p.version), p.rehearse, p.settle, p.callDeadline, p.putBack)
	for i, wv := range p.waves {
		fmt.Fprintf(&b, "wave %d\n  bake min=%v passes=%d every=%v\n", i+1, wv.bake.Min, wv.bake.passes(), wv.bake.Every)
		for _, g := range wv.gates {
			cal := ""
			if g.Calibrate != nil {
				cal = " calibrated=true"
			}
			fmt.Fprintf(&b, "  gate %s deadline=%v skip-verify=%t%s\n", strconv.Quote(g.Name), g.Deadline, g.SkipVerify, cal)
		}
		for _, t := range wv.targets {
			fmt.Fprintf(&b, "  target %s\n", strconv.Quote(t))
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// ReadPlan reads a plan saved by [Plan.WriteTo]. It recomputes the
// fingerprint from what the file says and refuses a file whose recorded
// fingerprint differs (an edited plan: [ErrFingerprint]); any other
// malformed input is one [ErrInvalidPlan] error naming the line. The plan
// it returns compares ([Plan.Changes]), previews and gives its
// Fingerprint, but cannot run: its gates have no code.
func ReadPlan(r io.Reader) (*Plan, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: ReadPlan: nil reader", ErrInvalidPlan)
	}
	p := &Plan{waveOf: map[string]int{}, allowed: map[string]struct{}{}, saved: true}
	var recorded string
	sc := bufio.NewScanner(io.LimitReader(r, 64<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: saved plan, line %d: %s", ErrInvalidPlan, line, fmt.Sprintf(format, args...))
	}
	seen := map[string]bool{}
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			if text != planFileHeader {
				return nil, bad("want %q, got %q", planFileHeader, clip.String(text))
			}
			continue
		}
		word, rest, _ := strings.Cut(strings.TrimLeft(text, " "), " ")
		if seen[word] && word != "wave" && word != "gate" && word != "target" && word != "bake" {
			return nil, bad("%s given twice", word)
		}
		seen[word] = true
		var err error
		switch word {
		case "fingerprint":
			recorded = rest
		case "version":
			p.version, err = strconv.Unquote(rest)
		case "rehearse":
			p.rehearse, err = strconv.ParseBool(rest)
		case "settle":
			p.settle, err = parseDuration(rest)
		case "call-deadline":
			p.callDeadline, err = parseDuration(rest)
		case "put-back":
			p.putBack, err = strconv.ParseBool(rest)
		case "wave":
			if rest != strconv.Itoa(len(p.waves)+1) {
				return nil, bad("wave %q, want %d", clip.String(rest), len(p.waves)+1)
			}
			p.waves = append(p.waves, wave{})
		case "bake", "gate", "target":
			if len(p.waves) == 0 {
				return nil, bad("%s before the first wave", word)
			}
			err = readWaveLine(p, &p.waves[len(p.waves)-1], word, rest)
		default:
			return nil, bad("unknown line %q", clip.String(text))
		}
		if err != nil {
			return nil, bad("%s: %v", word, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: saved plan: %v", ErrInvalidPlan, err)
	}
	switch {
	case line == 0:
		return nil, fmt.Errorf("%w: saved plan: empty", ErrInvalidPlan)
	case p.version == "" || len(p.waves) == 0 || len(p.targets) == 0 || recorded == "" || !seen["call-deadline"]:
		return nil, fmt.Errorf("%w: saved plan: incomplete (needs fingerprint, version, settings and at least one wave with targets)", ErrInvalidPlan)
	}
	for i, w := range p.waves {
		if len(w.targets) == 0 || len(w.gates) == 0 {
			return nil, fmt.Errorf("%w: saved plan: wave %d has no targets or no gate", ErrInvalidPlan, i+1)
		}
	}
	p.fingerprint = fingerprint(p)
	if p.fingerprint != recorded {
		return nil, fmt.Errorf("%w: saved plan records fingerprint %s but its content has %s: the file was edited after it was written",
			ErrFingerprint, clip.String(recorded), p.fingerprint)
	}
	return p, nil
}

// readWaveLine reads one bake, gate or target line of wave w.
func readWaveLine(p *Plan, w *wave, word, rest string) error {
	switch word {
	case "target":
		t, err := strconv.Unquote(rest)
		if err != nil || t == "" {
			return errors.New("want a quoted, non-empty name")
		}
		if _, dup := p.allowed[t]; dup {
			return fmt.Errorf("target %q twice", clip.String(t))
		}
		p.allowed[t] = struct{}{}
		p.waveOf[t] = len(p.waves) - 1
		p.targets = append(p.targets, t)
		w.targets = append(w.targets, t)
	case "gate":
		i := strings.LastIndex(rest, `" `)
		if i < 0 {
			return errors.New(`want "name" deadline=… skip-verify=…`)
		}
		name, err := strconv.Unquote(rest[:i+1])
		if err != nil || name == "" {
			return errors.New("want a quoted, non-empty name")
		}
		g := Gate{Name: name}
		for _, kv := range strings.Fields(rest[i+2:]) {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "deadline":
				g.Deadline, err = parseDuration(v)
			case "skip-verify":
				g.SkipVerify, err = strconv.ParseBool(v)
			case "calibrated":
				var on bool
				if on, err = strconv.ParseBool(v); on {
					g.Calibrate = savedCalibration
				}
			default:
				err = fmt.Errorf("unknown field %q", clip.String(k))
			}
			if err != nil {
				return err
			}
		}
		w.gates = append(w.gates, g)
	case "bake":
		if w.bake != (Bake{}) {
			return errors.New("given twice in one wave")
		}
		for _, kv := range strings.Fields(rest) {
			k, v, _ := strings.Cut(kv, "=")
			var err error
			switch k {
			case "min":
				w.bake.Min, err = parseDuration(v)
			case "passes":
				w.bake.Passes, err = strconv.Atoi(v)
				if err == nil && w.bake.Passes < 1 {
					err = errors.New("passes must be at least 1")
				}
			case "every":
				w.bake.Every, err = parseDuration(v)
			default:
				err = fmt.Errorf("unknown field %q", clip.String(k))
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// savedCalibration marks a saved plan's calibrated gate (for its
// fingerprint); a saved plan never runs, so it is never called.
func savedCalibration(context.Context) error {
	return errors.New("rollout: a saved plan's gate has no code")
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q", clip.String(s))
	}
	return d, nil
}
