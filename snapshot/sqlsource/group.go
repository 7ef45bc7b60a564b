package sqlsource

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"github.com/deploysafe/deploysafe/internal/clip"
	"github.com/deploysafe/deploysafe/snapshot"
)

var _ snapshot.GroupReplacer = (*Source)(nil)

// ReplaceGroup replaces several partitions of one key (a tenant's rows in
// several tables) in one transaction, as [Source.Replace] does one: each
// partition is diffed with its live rows, rows the snapshot lacks are
// deleted children first, rows the live tables lack are loaded parents
// first (the order of the foreign keys between the tables; on PostgreSQL
// deferrable constraints are deferred to the commit), changed rows are
// updated in place, and every partition is dumped again and passed to
// verify. It commits once, only if every verify returns nil; a failure or a
// kill at any point leaves every table as it was. Rows of other tables (or
// of other keys) that a delete would reach through a foreign key refuse the
// whole call before it writes ([ErrDependents]); rows of the group's own
// partitions do not, as they are restored with it.
func (s *Source) ReplaceGroup(ctx context.Context, parts []snapshot.Partition, rows func(snapshot.Partition) io.Reader, verify func(p snapshot.Partition, rows int64, sum [sha256.Size]byte) error) (err error) {
	if len(parts) == 0 || rows == nil || verify == nil {
		return errors.New("sqlsource: ReplaceGroup: no partitions, or nil rows or verify func")
	}
	key := parts[0].Key
	tcs := make([]tableConfig, len(parts))
	seen := map[string]bool{}
	for i, p := range parts {
		if p.Key != key {
			return fmt.Errorf("sqlsource: ReplaceGroup: partitions of keys %q and %q: a group is one key", clip.String(key), clip.String(p.Key))
		}
		if seen[p.Table] {
			return fmt.Errorf("sqlsource: ReplaceGroup: table %q given twice", clip.String(p.Table))
		}
		seen[p.Table] = true
		if tcs[i], err = s.table(p.Table); err != nil {
			return err
		}
	}
	if err := s.checkKey(key); err != nil {
		return fmt.Errorf("sqlsource: ReplaceGroup %q: %w", clip.String(key), err)
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("sqlsource: ReplaceGroup %q: %w", clip.String(key), err)
		}
	}()
	g := make([]groupPart, len(parts))
	for i, p := range parts {
		g[i].p = p
		r := rows(p)
		if r == nil {
			return fmt.Errorf("%s: nil reader", p)
		}
		if g[i].want, err = readWant(r, s.diffMax); err != nil {
			return fmt.Errorf("%s: load: %w", p, err)
		}
		defer g[i].want.close()
	}
	conn, release, err := s.writeConn(ctx)
	if err != nil {
		return err
	}
	defer release()
	tx, err := s.beginGroup(ctx, conn, tcs, key, g)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ms := make([]*meta, len(g))
	for i := range g {
		ms[i] = g[i].m
	}
	if err := s.triggers(ctx, tx, "DISABLE", ms...); err != nil {
		return err
	}
	group := map[string]string{}
	for _, gp := range g {
		group[gp.m.qname] = gp.m.cols[gp.m.part].quoted
	}
	order, err := s.parentsFirst(ctx, tx, g)
	if err != nil {
		return err
	}
	same := true
	for i := range g {
		if err := s.plan(ctx, conn, tx, &g[i], key); err != nil {
			return fmt.Errorf("%s: %w", g[i].p, err)
		}
		same = same && g[i].same()
	}
	if same {
		// The tenant is the snapshot's already: the dumps that diffed it
		// are the verification, and nothing is written.
		for _, gp := range g {
			if err := verify(gp.p, gp.rows, gp.sum); err != nil {
				return err
			}
		}
		return s.commit(ctx, tx, ms...)
	}
	for i := len(order) - 1; i >= 0; i-- {
		if err := s.deleteGone(ctx, tx, &g[order[i]], key, group); err != nil {
			return fmt.Errorf("%s: %w", g[order[i]].p, err)
		}
	}
	for _, i := range order {
		if err := s.checkUpdates(ctx, tx, g[i].m, key, g[i].ch.old, g[i].ch.changed, group); err != nil {
			return fmt.Errorf("%s: %w", g[i].p, err)
		}
		if err := s.writeNew(ctx, conn, tx, &g[i], key); err != nil {
			return fmt.Errorf("%s: %w", g[i].p, err)
		}
	}
	for _, gp := range g {
		h := sha256.New()
		n, err := s.dumpIn(ctx, conn, tx, gp.m, key, h)
		if err != nil {
			return fmt.Errorf("%s: re-dump: %w", gp.p, err)
		}
		var sum [sha256.Size]byte
		h.Sum(sum[:0])
		if err := verify(gp.p, n, sum); err != nil {
			return fmt.Errorf("%s: %w", gp.p, s.explainVerify(ctx, tx, err, ms...))
		}
	}
	return s.commit(ctx, tx, ms...)
}

// groupPart is one partition of a ReplaceGroup, and what it writes.
type groupPart struct {
	p     snapshot.Partition
	m     *meta
	want  *wantRows
	whole bool // delete the partition and load every row
	ch    changes
	rows  int64             // the live partition's dump by plan: rows…
	sum   [sha256.Size]byte // …and digest
}

// same says whether plan found the partition as the snapshot has it.
func (gp *groupPart) same() bool {
	return !gp.whole && len(gp.ch.gone) == 0 && len(gp.ch.changed) == 0 && len(gp.ch.added) == 0
}

// beginGroup starts the transaction and locks every partition of it.
func (s *Source) beginGroup(ctx context.Context, conn *sql.Conn, tcs []tableConfig, key string, g []groupPart) (*sql.Tx, error) {
	if s.dialect == sqlite {
		// As beginWrite: the catalog first, then the write lock.
		for i, t := range tcs {
			m, err := s.describe(ctx, conn, t)
			if err != nil {
				return nil, err
			}
			g[i].m = m
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+g[0].m.qname+" WHERE 0"); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("lock: %w", err)
		}
		return tx, nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	for i, t := range tcs {
		m, err := s.describeLocked(ctx, tx, t, &key)
		if err != nil {
			tx.Rollback()
			return nil, err
		}
		g[i].m = m
	}
	if _, err := tx.ExecContext(ctx, "SET CONSTRAINTS ALL DEFERRED"); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// parentsFirst orders the group's tables so that a table comes after the
// tables it references (a cycle keeps the given order for its tables).
func (s *Source) parentsFirst(ctx context.Context, tx *sql.Tx, g []groupPart) ([]int, error) {
	index := map[string]int{}
	for i, gp := range g {
		index[gp.m.qname] = i
	}
	parents := make([]map[int]bool, len(g)) // parents[i]: tables i references
	for i := range g {
		parents[i] = map[int]bool{}
	}
	for i, gp := range g {
		refs, err := s.referencing(ctx, tx, gp.m)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			if c, ok := index[r.qname]; ok && c != i {
				parents[c][i] = true
			}
		}
	}
	var order []int
	placed := make([]bool, len(g))
	for len(order) < len(g) {
		progress := false
		for i := range g {
			if placed[i] {
				continue
			}
			ready := true
			for p := range parents[i] {
				ready = ready && placed[p]
			}
			if ready {
				order, placed[i], progress = append(order, i), true, true
			}
		}
		if !progress { // a cycle: the deferred constraints must carry it
			for i := range g {
				if !placed[i] {
					order, placed[i] = append(order, i), true
				}
			}
		}
	}
	return order, nil
}

// plan diffs one partition with its live rows (Replace's applyDiff, without
// writing).
func (s *Source) plan(ctx context.Context, conn *sql.Conn, tx *sql.Tx, gp *groupPart, key string) error {
	d := &liveDiff{want: gp.want, limit: s.diffMax}
	h := sha256.New()
	n, err := s.dumpIn(ctx, conn, tx, gp.m, key, io.MultiWriter(h, d))
	if err != nil {
		return fmt.Errorf("dump live rows: %w", err)
	}
	d.close()
	gp.rows = n
	h.Sum(gp.sum[:0])
	_, missing := gp.want.rows(false)
	if d.overflow || missing > s.diffMax || (len(d.stale) > 0 && len(gp.m.order) == 0) {
		gp.whole = true
		return nil
	}
	ch, err := pairByKey(gp.m, d.stale, gp.want)
	gp.ch = ch
	return err
}

// deleteGone deletes what the snapshot lacks, once nothing outside the
// group depends on it.
func (s *Source) deleteGone(ctx context.Context, tx *sql.Tx, gp *groupPart, key string, group map[string]string) error {
	if !gp.whole && len(gp.ch.gone) == 0 {
		return nil
	}
	if !gp.whole {
		err := s.checkDependentsIn(ctx, tx, gp.m, key, gp.ch.gone, group)
		if !errors.Is(err, errWhole) {
			if err != nil {
				return err
			}
			if err := s.deleteKeys(ctx, tx, gp.m, key, gp.ch.gone); err != nil {
				return fmt.Errorf("delete: %w", err)
			}
			return nil
		}
		gp.whole = true
	} else if err := s.checkDependentsIn(ctx, tx, gp.m, key, nil, group); err != nil {
		return err
	}
	return s.deletePartition(ctx, tx, gp.m, key)
}

// writeNew loads what the live table lacks and updates what changed.
func (s *Source) writeNew(ctx context.Context, conn *sql.Conn, tx *sql.Tx, gp *groupPart, key string) error {
	if gp.whole {
		all, _ := gp.want.rows(true)
		return s.load(ctx, conn, tx, gp.m, key, all)
	}
	if len(gp.ch.changed) > 0 {
		if err := s.updateRows(ctx, tx, gp.m, key, gp.ch.changed); err != nil {
			return fmt.Errorf("update: %w", err)
		}
	}
	if len(gp.ch.added) == 0 {
		return nil
	}
	return s.load(ctx, conn, tx, gp.m, key, bytes.NewReader(gp.ch.added))
}
