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
	if d.Added != 1 || d.Removed != 3 || d.Changed != 1 || len(d.Rows) != 2+1+1 {
		t.Errorf("row diff: %d added, %d removed, %d changed, rows %q; want 1, 3, 1 with 2 removed listed", d.Added, d.Removed, d.Changed, d.Rows)
	}
	if !strings.HasPrefix(d.Rows[0], "- t001 00000010 ") || !strings.HasPrefix(d.Rows[2], "+ t001 00000777 ") {
		t.Errorf("wrong rows listed: %q", d.Rows)
	}
	if c := d.Rows[3]; !strings.HasPrefix(c, "~ ") || !strings.Contains(c, "00000005") || !strings.Contains(c, "sku ") || !strings.Contains(c, "SKU-") || strings.Contains(c, ", ") {
		t.Errorf("changed row %q, want its key and only the sku column", c)
	}
	for _, i := range []int{0, 2} {
		if d := rep.Partitions[i]; d.Added+d.Removed+d.Changed != 0 || d.Rows != nil {
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
	if err != nil || len(rep.Partitions) != 1 || rep.Partitions[0].LiveRows != 4 || rep.Partitions[0].Rows != nil || rep.Partitions[0].Removed != 0 {
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
