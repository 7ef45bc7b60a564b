package snapshot

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestDiffCountsAndRows(t *testing.T) {
	src := newFakeSource(3, 50, 13)
	store := newMemStore()
	m := takeAll(t, src, store)
	t1 := Partition{"orders", "t001"}
	src.mutate(t1, func(l []string) []string {
		l[5] = strings.Replace(l[5], "sku-", "SKU-", 1)                    // changed
		l = append(l[:10], l[13:]...)                                      // 3 removed
		return append(l, strings.Replace(l[0], "00000000", "00000777", 1)) // 1 added
	})

	rep, err := Diff(context.Background(), src, store, m, m.Selection(), KeyDiff(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Partitions) != 3 {
		t.Fatalf("got %d partitions", len(rep.Partitions))
	}
	d := rep.Partitions[1]
	if d.Partition != t1 || d.SnapshotRows != 50 || d.LiveRows != 48 {
		t.Errorf("counts %+v, want t001 50 → 48", d)
	}
	rd := d.Rows
	if rd.Added != 1 || rd.Removed != 3 || rd.Changed != 1 || len(rd.RemovedRows) != 2 || !rd.Truncated() {
		t.Errorf("row diff: %d added, %d removed (%d listed), %d changed; want 1, 3 (2), 1", rd.Added, rd.Removed, len(rd.RemovedRows), rd.Changed)
	}
	if rd.AddedRows[0][1].String != "00000777" || rd.RemovedRows[0][1].String != "00000010" {
		t.Errorf("wrong rows listed: added %v, removed %v", rd.AddedRows, rd.RemovedRows)
	}
	if c := rd.ChangedRows[0]; !strings.Contains(c.Diff, "SKU-") || c.Snapshot[1] != c.Live[1] || len(c.Columns) != 1 || c.Columns[0].Name != "sku" || c.Key[0] != "00000005" {
		t.Errorf("changed row diff %q, columns %v", c.Diff, c.Columns)
	}
	for _, i := range []int{0, 2} {
		if !rep.Partitions[i].Rows.Equal() {
			t.Errorf("untouched partition %s differs", rep.Partitions[i].Partition)
		}
	}
	out := rep.String()
	for _, want := range []string{"orders/t001", "-2", "1 added, 3 removed, 1 changed", "more rows differ"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestDiffCountsOnly(t *testing.T) {
	src := newFakeSource(2, 10, 14)
	store := newMemStore()
	m := takeAll(t, src, store)
	src.mutate(Partition{"orders", "t000"}, func(l []string) []string { return l[:4] })
	rep, err := Diff(context.Background(), src, store, m, selectKeys("t000"))
	if err != nil || len(rep.Partitions) != 1 || rep.Partitions[0].LiveRows != 4 || rep.Partitions[0].Rows != nil {
		t.Errorf("Diff = %+v, %v; want one partition, 10 → 4, no row diff", rep, err)
	}
	if _, err := Diff(context.Background(), src, store, m, selectKeys("t404")); !errors.Is(err, ErrUnknownPartition) {
		t.Errorf("Diff of an unknown partition = %v", err)
	}
	if _, err := Diff(context.Background(), src, store, m, nil); !errors.Is(err, ErrEmptySelection) {
		t.Errorf("Diff of nothing = %v", err)
	}
	if _, err := Diff(context.Background(), src, store, m, selectKeys("t000"), KeyDiff(0)); err == nil {
		t.Error("KeyDiff(0) accepted")
	}
}
