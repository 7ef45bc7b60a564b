package rollout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
	"github.com/deploysafe/deploysafe/internal/ctxio"
)

// Inspect reads the journal s and reports the state of its latest rollout
// without acting or taking any lease: the plan's fingerprint and version,
// the waves passed, and every touched target, as Run's Report would. The
// Outcome is empty while the rollout has not ended (running, or
// interrupted: Resume or Abort it). Inspect returns (nil, nil) for a
// journal that holds no rollout.
func Inspect(ctx context.Context, s JournalStore) (*Report, error) {
	if s == nil {
		return nil, errors.Join(ErrJournal, errors.New("rollout: Inspect: nil journal"))
	}
	recs, err := loadRecords(ctx, s, time.Now())
	if err != nil {
		return nil, err
	}
	st := fold(recs)
	if !st.begun {
		return nil, nil
	}
	rep := &Report{Fingerprint: st.fingerprint, Version: st.version, WavesPassed: len(st.wavePassed)}
	if st.ended {
		rep.Outcome = Outcome(st.outcome)
	}
	for _, t := range append(append([]*tstate(nil), st.order...), st.offPlan...) {
		res := TargetResult{Target: t.target, Wave: t.wave + 1, Previous: t.prev, State: t.state, Now: t.now, PutBack: t.putBack}
		res.Unhealthy = t.state == StateRolledBack && st.unhealthy != ""
		if t.note != "" {
			res.Err = errors.New(t.note)
		}
		rep.Targets = append(rep.Targets, res)
	}
	return rep, nil
}

// InspectFile is Inspect of the file journal at path (FileJournal's), read
// without writing: a missing file is an error wrapping ErrJournal and
// fs.ErrNotExist, never created, and a torn last record (a crash in the
// middle of an append) is skipped, not repaired. A file journal has no
// lease: whether a process is running the rollout, it cannot tell.
func InspectFile(ctx context.Context, path string) (*Report, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: InspectFile: empty journal path", ErrJournal)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: InspectFile %s: %w", ErrJournal, clip.String(path), unwrapPath(err))
	}
	defer f.Close()
	data, err := io.ReadAll(ctxio.Reader(ctx, f))
	if err != nil {
		return nil, fmt.Errorf("%w: InspectFile %s: %w", ErrJournal, clip.String(path), unwrapPath(err))
	}
	recs, _, err := decodeFrames(data)
	if err != nil {
		return nil, fmt.Errorf("%w: InspectFile %s: %w", ErrJournal, clip.String(path), err)
	}
	return Inspect(ctx, records(recs))
}

// unwrapPath drops the path an *fs.PathError repeats: the message names
// it once, clipped.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// records is a read-only JournalStore of records already read.
type records [][]byte

func (r records) Load(context.Context) ([][]byte, error) { return r, nil }
func (records) Append(context.Context, []byte) error {
	return fmt.Errorf("%w: InspectFile is read-only", ErrJournal)
}
