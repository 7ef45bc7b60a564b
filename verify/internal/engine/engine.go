// Package engine runs a property under rapid's search and shrinker without a
// *testing.T, and turns the outcome into a value instead of a test failure.
//
// rapid.Check accepts any rapid.TB. This package passes it a private adapter
// that records instead of failing, and it stops rapid before rapid would write
// a fail file under testdata/: the adapter's Name method, which rapid v1.3.0
// calls only after shrinking has finished (to name that file), aborts the
// check with a private panic that Run recovers. By then the property has
// recorded the minimal witness, because the last failing execution during
// shrinking is the one rapid kept. (With -rapid.log or -rapid.debug rapid
// calls Name earlier, so the witness comes back less shrunk.)
package engine

import (
	"errors"
	"flag"
	"fmt"
	"hash/maphash"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"pgregory.net/rapid"
)

// ErrRapid wraps a condition under which rapid itself could not run the
// property (for example outside a test binary, where testing.Short panics).
var ErrRapid = errors.New("rapid could not run the property")

// ErrNoValues is returned when the generator never produced a valid value.
var ErrNoValues = errors.New("generator produced no valid values")

// ErrPanic is returned when the property panicked outside the calls it
// guards itself: in practice, in the generator.
var ErrPanic = errors.New("generator panicked")

// State is shared between Run and one property.
type State struct {
	// Err, when set by the property, stops the search; Run returns it.
	Err error

	runs    int
	failed  bool
	shrinks int
	start   time.Time
	found   time.Duration
}

// Found is the time from the start of Run to the first failure, or to the
// end of the search when nothing failed.
func (s *State) Found() time.Duration { return s.found }

// Shrinks is how many executions ran after the first failure.
func (s *State) Shrinks() int { return s.shrinks }

// Searching reports whether the property runs in the search phase (before
// any failure), when coverage counts are meaningful.
func (s *State) Searching() bool { return !s.failed }

// Runs is how many search-phase executions ran.
func (s *State) Runs() int { return s.runs }

// Prop is one execution of a property: it draws from t and reports whether
// it found a violation. It records its witness itself.
type Prop func(t *rapid.T, st *State) (violated bool)

// Run executes prop up to budget times under rapid (more than one
// rapid.Check when rapid's -rapid.checks is smaller than budget), every
// rapid.Check seeded from seed, so that the same seed replays the same
// search (see Seed). It returns
// failed=true when a violation was found; the witness recorded last by prop
// is then the shrunk one. Shrinking stops after maxShrink executions: later
// candidates pass without running prop, so rapid keeps the best so far.
// Shrinking also stops after maxShrinkTime, a safety net for slow functions.
func Run(seed uint64, budget, maxShrink int, prop Prop) (st *State, failed bool, err error) {
	seedMu.Lock()
	defer seedMu.Unlock()
	st = &State{start: time.Now()}
	defer func() {
		if !st.failed {
			st.found = time.Since(st.start)
		}
	}()
	wrapped := func(t *rapid.T) {
		if st.Err != nil || (!st.failed && st.runs >= budget) {
			return
		}
		if st.failed {
			if st.shrinks >= maxShrink || time.Since(st.start)-st.found > maxShrinkTime {
				// Stop rapid's shrinker outright: its loops would go on
				// trying candidates. Goexit ends only the goroutine check
				// runs rapid in; rapid's recovers see no panic.
				runtime.Goexit()
			}
			st.shrinks++
		}
		var violated bool
		if p := Catch(func() { violated = prop(t, st) }); p != nil {
			if !st.failed { // while shrinking, a panicking candidate is just not kept
				st.Err = fmt.Errorf("%w: %v", ErrPanic, p)
			}
			return
		}
		if !st.failed {
			st.runs++ // only complete executions: rapid's invalid draws panic past this
		}
		if violated && st.Err == nil {
			if !st.failed {
				st.found = time.Since(st.start)
			}
			st.failed = true
			t.Fatalf("verify: property violated") // one call site: rapid shrinks across laws
		}
	}
	f := flag.Lookup("rapid.seed")
	if f != nil {
		old := f.Value.String()
		defer func() { setSeedFlag(f, old) }()
	}
	for call := uint64(0); !st.failed && st.Err == nil && st.runs < budget; call++ {
		before := st.runs
		b := &tb{st: st}
		if f != nil {
			// rapid reads its base seed from the flag at the start of
			// each Check; 0 would mean "pick one at random".
			if err := setSeedFlag(f, strconv.FormatUint(max(1, seed+call*0x9e3779b97f4a7c15), 10)); err != nil {
				return st, false, fmt.Errorf("%w: setting -rapid.seed: %v", ErrRapid, err)
			}
		}
		if err := check(b, wrapped); err != nil {
			return st, false, err
		}
		if st.failed || st.Err != nil {
			break
		}
		if len(b.errs) > 0 {
			return st, false, fmt.Errorf("%w: %s", ErrNoValues, strings.Join(b.errs, "; "))
		}
		if st.runs == before {
			return st, false, ErrNoValues
		}
	}
	return st, st.failed, st.Err
}

// setSeedFlag sets rapid's seed flag to v unless it holds v already: a
// check run with -rapid.seed=n whose budget fits one rapid.Check then never
// writes the flag, so a user's own rapid.Check running in parallel with it
// does not race with it.
func setSeedFlag(f *flag.Flag, v string) error {
	if f.Value.String() == v {
		return nil
	}
	return f.Value.Set(v)
}

// seedMu serializes the checks of a process: each sets rapid's -rapid.seed
// flag for its own rapid.Check calls and restores it after.
var seedMu sync.Mutex

// Seed returns the seed a check should use when the caller chose none: the
// one given with -rapid.seed (or RAPID_SEED), else a random one. It is
// never 0.
func Seed() uint64 {
	seedMu.Lock()
	defer seedMu.Unlock()
	if f := flag.Lookup("rapid.seed"); f != nil {
		if s, err := strconv.ParseUint(f.Value.String(), 10, 64); err == nil && s != 0 {
			return s
		}
	}
	return max(1, new(maphash.Hash).Sum64()>>1)
}

// maxShrinkTime bounds the time spent shrinking one failure.
const maxShrinkTime = 2 * time.Second

// abort is the private panic with which tb.Name stops rapid after shrinking.
type abort struct{}

// check runs rapid.Check on a goroutine it owns and waits for, so that the
// property can end the check with runtime.Goexit.
func check(b *tb, prop func(*rapid.T)) (err error) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = checkOn(b, prop)
	}()
	<-done
	return err
}

func checkOn(b *tb, prop func(*rapid.T)) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if _, ok := r.(abort); ok {
			return
		}
		err = fmt.Errorf("%w: %v (outside `go test`, call testing.Init and flag.Parse first)", ErrRapid, r)
	}()
	rapid.Check(b, prop)
	return nil
}

// tb is the rapid.TB adapter: it records messages and never fails anything.
type tb struct {
	st     *State
	errs   []string
	failed bool
}

func (b *tb) Helper() {}

// Name is called by rapid v1.3.0 first to look for old fail files (before any
// failure) and then, after shrinking, to name a new one: abort there.
func (b *tb) Name() string {
	if b.st.failed {
		panic(abort{})
	}
	return "deploysafe_verify_engine"
}

func (b *tb) Logf(string, ...any)  {}
func (b *tb) Log(...any)           {}
func (b *tb) Skipf(string, ...any) {}
func (b *tb) Skip(...any)          {}
func (b *tb) SkipNow()             {}

func (b *tb) Errorf(format string, args ...any) {
	b.failed = true
	b.errs = append(b.errs, fmt.Sprintf(format, args...))
}

func (b *tb) Error(args ...any) {
	b.failed = true
	b.errs = append(b.errs, fmt.Sprint(args...))
}

func (b *tb) Fatalf(format string, args ...any) {
	b.Errorf(format, args...)
	panic(abort{})
}

func (b *tb) Fatal(args ...any) {
	b.Error(args...)
	panic(abort{})
}

func (b *tb) FailNow()     {}
func (b *tb) Fail()        { b.failed = true }
func (b *tb) Failed() bool { return b.failed }

var _ rapid.TB = (*tb)(nil)

// Catch runs f and returns the value of any panic it raised, except rapid's
// own control-flow panics (invalid data, stop test), which it re-raises.
func Catch(f func()) (p any) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if strings.HasPrefix(fmt.Sprintf("%T", r), "rapid.") || strings.HasPrefix(fmt.Sprintf("%T", r), "*rapid.") {
			panic(r)
		}
		p = r
	}()
	f()
	return nil
}
