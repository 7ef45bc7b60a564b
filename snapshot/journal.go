package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// A restore journal lives in the store under "restores/<restore id>/":
// plan.json names the snapshot and selection it belongs to, and
// done/<partition hash>.json is put (if absent) once a partition's restore
// has committed. A rerun skips every partition with a done record.

type journalPlan struct {
	Snapshot  string          `json:"snapshot"`
	Selection []jsonPartition `json:"selection"`
}

type journalDone struct {
	Snapshot  string        `json:"snapshot"`
	Partition jsonPartition `json:"partition"`
	Rows      int64         `json:"rows"`
	Digest    hexDigest     `json:"digest"`
	Finished  time.Time     `json:"finished"`
}

type journal struct {
	store Store
	id    string
	plan  journalPlan
}

func defaultRestoreID(m *Manifest, sel []Partition) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", m.ID)
	for _, p := range sel {
		fmt.Fprintf(h, "%s\x00%s\n", p.Table, p.Key)
	}
	return "r-" + hex.EncodeToString(h.Sum(nil))[:20]
}

func (j *journal) prefix() string { return "restores/" + j.id + "/" }

func (j *journal) doneKey(p Partition) string {
	sum := sha256.Sum256([]byte(p.Table + "\x00" + p.Key))
	return j.prefix() + "done/" + hex.EncodeToString(sum[:12]) + ".json"
}

// load reads the journal: it checks that an existing plan matches this
// restore and returns the partitions already restored. It is also the
// restore's first contact with the store, so an unreachable store fails here.
func (j *journal) load(ctx context.Context, m *Manifest) (map[Partition]bool, error) {
	keys, err := j.store.List(ctx, j.prefix())
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", j.id, err)
	}
	done := map[Partition]bool{}
	for _, k := range keys {
		switch {
		case k == j.prefix()+"plan.json":
			var old journalPlan
			if err := j.getJSON(ctx, k, &old); err != nil {
				return nil, err
			}
			if !samePlan(old, j.plan) {
				return nil, fmt.Errorf("restore id %q already belongs to another restore (snapshot %s, %d partitions); choose another restore id (ID, or --restore-id of the command)",
					j.id, old.Snapshot, len(old.Selection))
			}
		case strings.HasPrefix(k, j.prefix()+"done/"):
			var rec journalDone
			if err := j.getJSON(ctx, k, &rec); err != nil {
				return nil, err
			}
			pm, ok := m.Partition(Partition(rec.Partition))
			if rec.Snapshot != m.ID || !ok || k != j.doneKey(Partition(rec.Partition)) || rec.Rows != pm.Rows || digest(rec.Digest) != pm.Digest {
				return nil, fmt.Errorf("journal record %s does not match snapshot %s", k, m.ID)
			}
			done[Partition(rec.Partition)] = true
		}
	}
	return done, nil
}

func samePlan(a, b journalPlan) bool {
	if a.Snapshot != b.Snapshot || len(a.Selection) != len(b.Selection) {
		return false
	}
	for i := range a.Selection {
		if a.Selection[i] != b.Selection[i] {
			return false
		}
	}
	return true
}

func (j *journal) getJSON(ctx context.Context, key string, v any) error {
	rc, err := j.store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("read journal record %s: %w", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return fmt.Errorf("read journal record %s: %w", key, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("journal record %s: %w", key, err)
	}
	return nil
}

// begin records the plan (idempotent: load has checked an existing one).
func (j *journal) begin(ctx context.Context) error {
	return j.put(ctx, j.prefix()+"plan.json", j.plan)
}

// markDone records that p's restore committed.
func (j *journal) markDone(ctx context.Context, pm *PartitionManifest) error {
	return j.put(ctx, j.doneKey(pm.Partition), journalDone{
		Snapshot: j.plan.Snapshot, Partition: jsonPartition(pm.Partition), Rows: pm.Rows, Digest: hexDigest(pm.Digest), Finished: time.Now().UTC()})
}

func (j *journal) put(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	err = j.store.PutIfAbsent(ctx, key, bytes.NewReader(data))
	if err != nil && !errors.Is(err, ErrExist) {
		return fmt.Errorf("write journal record %s: %w", key, err)
	}
	return nil
}
