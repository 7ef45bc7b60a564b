package snapshot

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// Forget removes snapshot id from store: its manifest, and the journals of
// the restores made from it. Its chunks stay until [Prune] finds that no
// other snapshot uses them. Forgetting a snapshot that does not exist
// returns an error wrapping [ErrNotExist].
func Forget(ctx context.Context, store Store, id string) error {
	if store == nil {
		return fmt.Errorf("snapshot: Forget: nil Store: %w", ErrConfig)
	}
	if err := validID(id); err != nil {
		return fmt.Errorf("snapshot: Forget %q: %w", clip.String(id), err)
	}
	if _, err := LoadManifest(ctx, store, id); err != nil {
		return fmt.Errorf("snapshot: Forget: %w", err)
	}
	keys, err := store.List(ctx, "restores/")
	if err != nil {
		return fmt.Errorf("snapshot: Forget %s: %w", id, err)
	}
	// The manifest goes first: a crash after it leaves journals that no
	// restore can use (their snapshot is gone), never a snapshot without them.
	if err := store.Delete(ctx, manifestKey(id)); err != nil {
		return fmt.Errorf("snapshot: Forget %s: %w", id, err)
	}
	j := &journal{store: store}
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k, "restores/")
		rid, file, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || file != "plan.json" {
			continue
		}
		var plan journalPlan
		j.id = rid
		if err := j.getJSON(ctx, k, &plan); err != nil || plan.Snapshot != id {
			continue
		}
		for _, jk := range keys {
			if strings.HasPrefix(jk, "restores/"+rid+"/") && jk != k {
				if err := store.Delete(ctx, jk); err != nil {
					return fmt.Errorf("snapshot: Forget %s: journal %s: %w", id, rid, err)
				}
			}
		}
		if err := store.Delete(ctx, k); err != nil {
			return fmt.Errorf("snapshot: Forget %s: journal %s: %w", id, rid, err)
		}
	}
	return nil
}

// PruneReport says what a [Prune] found and did.
type PruneReport struct {
	Snapshots int // manifests read, whose chunks are kept
	Chunks    int // chunks in the store before
	Unused    int // chunks no snapshot uses
	Deleted   int // unused chunks deleted: unused for at least the grace, with no Take in progress
	Pending   int // unused chunks kept until their grace has passed
	// Busy says that a Take younger than the grace is in progress (or
	// died less than the grace ago): nothing was deleted.
	Busy bool
}

// Prune deletes the chunks that no snapshot uses: those a forgotten
// snapshot left, and those an interrupted Take wrote. A chunk is deleted
// only when two Prunes at least grace apart both found it unused and no
// Take has been in progress for less than grace, so that a running Take,
// which writes its chunks (or finds them already stored) before its
// manifest, never loses one: grace must be longer than the longest Take
// (the command's default is 24 h). The first Prune only marks; run it
// periodically. A manifest that cannot be read stops it before it deletes
// anything. Times are this machine's clock.
func Prune(ctx context.Context, store Store, grace time.Duration) (PruneReport, error) {
	var rep PruneReport
	if store == nil {
		return rep, fmt.Errorf("snapshot: Prune: nil Store: %w", ErrConfig)
	}
	if grace <= 0 {
		return rep, fmt.Errorf("snapshot: Prune: grace %v: must be positive: %w", grace, ErrConfig)
	}
	now := time.Now().UTC()
	used := map[string]bool{}
	ids, err := ListManifests(ctx, store)
	if err != nil {
		return rep, fmt.Errorf("snapshot: Prune: %w", err)
	}
	for _, id := range ids {
		m, err := LoadManifest(ctx, store, id)
		if err != nil {
			return rep, fmt.Errorf("snapshot: Prune: refusing to delete anything: %w", err)
		}
		for _, pm := range m.Partitions {
			for _, c := range pm.chunks {
				used[chunkKey(c.ID)] = true
			}
		}
	}
	rep.Snapshots = len(ids)
	busy, err := takesInProgress(ctx, store, now, grace)
	if err != nil {
		return rep, fmt.Errorf("snapshot: Prune: %w", err)
	}
	rep.Busy = busy
	keys, err := store.List(ctx, "chunks/")
	if err != nil {
		return rep, fmt.Errorf("snapshot: Prune: %w", err)
	}
	rep.Chunks = len(keys)
	seen, err := readPending(ctx, store)
	if err != nil {
		return rep, fmt.Errorf("snapshot: Prune: %w", err)
	}
	next := map[string]time.Time{}
	for _, k := range keys {
		if used[k] {
			continue
		}
		rep.Unused++
		first, ok := seen[k]
		if !ok || first.After(now) {
			first = now
		}
		if !busy && now.Sub(first) >= grace {
			if err := store.Delete(ctx, k); err != nil {
				return rep, fmt.Errorf("snapshot: Prune: delete %s: %w", k, err)
			}
			rep.Deleted++
			continue
		}
		next[k] = first
		rep.Pending++
	}
	if err := writePending(ctx, store, next); err != nil {
		return rep, fmt.Errorf("snapshot: Prune: %w", err)
	}
	return rep, nil
}

const pendingKey = "prune/pending.json"

// readPending returns when each unused chunk was first found unused.
func readPending(ctx context.Context, store Store) (map[string]time.Time, error) {
	rc, err := store.Get(ctx, pendingKey)
	if errors.Is(err, ErrNotExist) {
		return map[string]time.Time{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var seen map[string]time.Time
	if err := json.NewDecoder(io.LimitReader(rc, 256<<20)).Decode(&seen); err != nil {
		// A damaged record only restarts the grace of every chunk.
		return map[string]time.Time{}, nil
	}
	return seen, nil
}

// writePending replaces the record. A crash between the delete and the
// put loses it, which restarts the grace: the safe direction.
func writePending(ctx context.Context, store Store, seen map[string]time.Time) error {
	data, err := json.Marshal(seen)
	if err != nil {
		return err
	}
	if err := store.Delete(ctx, pendingKey); err != nil {
		return err
	}
	return store.PutIfAbsent(ctx, pendingKey, bytes.NewReader(data))
}

// beginTake records that a Take is in progress until the returned func
// runs, so that Prune keeps the chunks it writes before its manifest.
func beginTake(ctx context.Context, store Store) (end func(), err error) {
	var b [6]byte
	rand.Read(b[:])
	key := fmt.Sprintf("takes/%d-%s", time.Now().UnixNano(), hex.EncodeToString(b[:]))
	if err := store.PutIfAbsent(ctx, key, strings.NewReader("")); err != nil {
		return nil, fmt.Errorf("snapshot: Take: record the take in the store: %w", err)
	}
	return func() { store.Delete(context.WithoutCancel(ctx), key) }, nil
}

// takesInProgress says whether a Take began less than grace ago; records of
// older ones (a Take killed before it could remove its record) are removed.
func takesInProgress(ctx context.Context, store Store, now time.Time, grace time.Duration) (bool, error) {
	keys, err := store.List(ctx, "takes/")
	if err != nil {
		return false, err
	}
	busy := false
	for _, k := range keys {
		var ns int64
		if _, err := fmt.Sscanf(strings.TrimPrefix(k, "takes/"), "%d-", &ns); err != nil {
			continue
		}
		if now.Sub(time.Unix(0, ns)) < grace {
			busy = true
			continue
		}
		if err := store.Delete(ctx, k); err != nil {
			return false, err
		}
	}
	return busy, nil
}
