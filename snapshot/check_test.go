package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
)

// countingSource counts Counts and Dump calls.
type countingSource struct {
	*fakeSource
	counts, dumps atomic.Int64
}

func (c *countingSource) Counts(ctx context.Context, table string, keys []string) (map[string]int64, error) {
	c.counts.Add(1)
	return c.fakeSource.Counts(ctx, table, keys)
}

func (c *countingSource) Dump(ctx context.Context, p Partition, w io.Writer) (int64, error) {
	c.dumps.Add(1)
	return c.fakeSource.Dump(ctx, p, w)
}

func TestCheckFlagsDropsAndChanges(t *testing.T) {
	src := newFakeSource(1000, 3, 10)
	store := newMemStore()
	m := takeAll(t, src, store)

	// The deploy: t001 loses 2 of 3 rows, t002 vanishes, t003 grows,
	// t004 keeps its count but one row changes.
	src.mutate(Partition{"orders", "t001"}, func(l []string) []string { return l[:1] })
	src.mutate(Partition{"orders", "t002"}, func(l []string) []string { return nil })
	src.mutate(Partition{"orders", "t003"}, func(l []string) []string { return append(l, strings.Replace(l[0], "00000000", "00000099", 1)) })
	src.mutate(Partition{"orders", "t004"}, func(l []string) []string { l[1] = strings.Replace(l[1], "sku-", "SKU-", 1); return l })

	cs := &countingSource{fakeSource: src}
	v, err := Check(context.Background(), cs, m, RowCountDrop(0.1), Unchanged(selectKeys("t003", "t004", "t005")...))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range v {
		got = append(got, fmt.Sprintf("%s %s %d→%d", x.Invariant, x.Partition.Key, x.Snapshot, x.Now))
	}
	want := []string{"RowCountDrop(0.1) t001 3→1", "RowCountDrop(0.1) t002 3→0", "Unchanged t003 3→4", "Unchanged t004 3→3"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("violations:\n got %v\nwant %v", got, want)
	}
	if n := cs.counts.Load(); n != 1 {
		t.Errorf("Check of 1,000 partitions made %d Counts calls, want 1", n)
	}
	if n := cs.dumps.Load(); n != 2 {
		t.Errorf("Unchanged dumped %d partitions, want 2 (only t004 and t005 kept their counts)", n)
	}
}

func TestCheckUserInvariant(t *testing.T) {
	src := newFakeSource(3, 5, 11)
	m := takeAll(t, src, newMemStore())
	var empty Invariant = func(ctx context.Context, m *Manifest, live map[Partition]int64, src Source) ([]Violation, error) {
		var v []Violation
		for p, n := range live {
			if n < 6 {
				v = append(v, Violation{Invariant: "AtLeast6", Partition: p, Now: n, Reason: "too few rows"})
			}
		}
		return v, nil
	}
	v, err := Check(context.Background(), src, m, empty)
	if err != nil || len(v) != 3 || v[0].Partition.Key != "t000" || v[2].Partition.Key != "t002" {
		t.Errorf("Check = %v, %v; want 3 sorted violations", v, err)
	}
}

func TestCheckRefusesBadInput(t *testing.T) {
	src := newFakeSource(2, 5, 12)
	m := takeAll(t, src, newMemStore())
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		invs []Invariant
		want error
		text string
	}{
		{"no invariants", nil, nil, "no invariants"},
		{"nil invariant", []Invariant{nil}, nil, "nil"},
		{"fraction too big", []Invariant{RowCountDrop(1)}, nil, "maxFraction"},
		{"fraction negative", []Invariant{RowCountDrop(-0.1)}, nil, "maxFraction"},
		{"unknown partition", []Invariant{Unchanged(selectKeys("zzz")...)}, ErrUnknownPartition, "orders/zzz"},
		{"empty Unchanged", []Invariant{Unchanged()}, ErrEmptySelection, "Unchanged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(ctx, src, m, tc.invs...)
			if err == nil || !strings.Contains(err.Error(), tc.text) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("Check = %v, want an error mentioning %q", err, tc.text)
			}
		})
	}
}

// TestDamagedDeduplicates: every invariant reports each partition it finds
// broken; the set to restore names each one once, sorted.
func TestDamagedDeduplicates(t *testing.T) {
	src := newFakeSource(4, 50, 12)
	m := takeAll(t, src, newMemStore())
	damage(src, "t002", "t000")
	v, err := Check(context.Background(), src, m, RowCountDrop(0.05), Unchanged(m.Selection()...), RowCountDrop(0.1))
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 6 {
		t.Fatalf("Check = %v; want 3 invariants × 2 partitions", v)
	}
	got := Damaged(v)
	if len(got) != 2 || got[0].Key != "t000" || got[1].Key != "t002" {
		t.Errorf("Damaged = %v, want [orders/t000 orders/t002]", got)
	}
	if Damaged(nil) != nil {
		t.Error("Damaged(nil) is not nil")
	}
}

// TestRowCountDropLimits pins RowCountDrop's limits on both sides: a drop of
// exactly maxFraction passes and one row more fails; a fraction of 0 is
// allowed and flags any drop, while an unchanged count never violates.
func TestRowCountDropLimits(t *testing.T) {
	m := takeAll(t, newFakeSource(3, 10, 13), newMemStore())
	live := map[Partition]int64{{"orders", "t000"}: 9, {"orders", "t001"}: 8, {"orders", "t002"}: 10}
	for _, tc := range []struct {
		fraction float64
		want     string
	}{
		{0.1, "t001 10→8 row count dropped 20.0%, more than 10%"},
		{0, "t000 10→9 row count dropped 10.0%, more than 0%; t001 10→8 row count dropped 20.0%, more than 0%"},
	} {
		v, err := RowCountDrop(tc.fraction)(context.Background(), m, live, nil)
		var got []string
		for _, x := range v {
			got = append(got, fmt.Sprintf("%s %d→%d %s", x.Partition.Key, x.Snapshot, x.Now, x.Reason))
		}
		if err != nil || strings.Join(got, "; ") != tc.want {
			t.Errorf("RowCountDrop(%g) = %q, %v; want %q", tc.fraction, got, err, tc.want)
		}
	}
}
