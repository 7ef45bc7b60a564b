package snapshot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot/internal/rowcodec"
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
	if rep, err := Diff(context.Background(), src, store, m, selectKeys("t000"), KeyDiff(1)); err != nil || len(rep.Partitions[0].Rows) != 1 {
		t.Errorf("KeyDiff(1) = %+v, %v; want one row listed", rep, err)
	}
}

// IDs are 1–128 characters: the longest is accepted, one more refused.
func TestIDLength(t *testing.T) {
	src := newFakeSource(1, 5, 15)
	store := newMemStore()
	longest := strings.Repeat("a", 128)
	if m := takeAll(t, src, store, ID(longest)); m.ID != longest {
		t.Errorf("ID = %q, want the 128-character one", m.ID)
	}
	if _, err := Take(context.Background(), src, store, src.partitions(), ID(longest+"a")); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("a 129-character ID = %v, want ErrInvalidKey", err)
	}
}

// IDs take [A-Za-z0-9._-]: each range's ends are in, their neighbours out.
func TestIDCharacters(t *testing.T) {
	for _, c := range "azAZ09._-" {
		if err := validID("x" + string(c)); err != nil {
			t.Errorf("ID with %q refused: %v", c, err)
		}
	}
	for _, c := range "`{@[/:,+ é" {
		if err := validID("x" + string(c)); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ID with %q = %v, want ErrInvalidKey", c, err)
		}
	}
}

// A partition's row counts are printed whenever any of them is not zero.
func TestPlanStringRowCounts(t *testing.T) {
	p := &Plan{Snapshot: "s", Partitions: []PartitionDiff{
		{Partition: Partition{"t", "a"}, Added: 1, Removed: 1},
		{Partition: Partition{"t", "b"}, Added: 1, Changed: 1},
		{Partition: Partition{"t", "c"}},
	}}
	out := p.String()
	for _, want := range []string{"1 added, 1 removed, 0 changed", "1 added, 0 removed, 1 changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "rows:"); n != 2 {
		t.Errorf("%d row-count lines, want 2 (none for the unchanged partition):\n%s", n, out)
	}
}

// KeyDiff(n) lists at most n rows of each kind: with three added and three
// changed, two of each; with exactly two removed, both.
func TestDiffListsAtMostLimitOfEachKind(t *testing.T) {
	src := newFakeSource(1, 30, 16)
	store := newMemStore()
	m := takeAll(t, src, store)
	p := Partition{"orders", "t000"}
	src.mutate(p, func(l []string) []string {
		for _, i := range []int{1, 2, 3} {
			l[i] = strings.Replace(l[i], "sku-", "SKU-", 1)
		}
		added := []string{}
		for _, id := range []string{"00000777", "00000778", "00000779"} {
			added = append(added, strings.Replace(l[0], "00000000", id, 1))
		}
		return append(l[:28], added...)
	})
	rep, err := Diff(context.Background(), src, store, m, []Partition{p}, KeyDiff(2))
	if err != nil {
		t.Fatal(err)
	}
	d := rep.Partitions[0]
	kinds := map[byte]int{}
	for _, r := range d.Rows {
		kinds[r[0]]++
	}
	if d.Added != 3 || d.Changed != 3 || d.Removed != 2 || kinds['+'] != 2 || kinds['~'] != 2 || kinds['-'] != 2 {
		t.Errorf("%d added, %d changed, %d removed, listed %v: %q; want 3, 3, 2 and two of each listed", d.Added, d.Changed, d.Removed, kinds, d.Rows)
	}
}

// Keys of several columns stay apart ("1","23" is not "12","3"), and rows
// shorter than their keys (a custom Source's bad dump) are described, not
// a panic.
func TestRowKeyAndChange(t *testing.T) {
	keys := []int{0, 1}
	if a, b := rowKey([]byte("1\t23\tx\n"), keys), rowKey([]byte("12\t3\tx"), keys); a == b || a != "1\t23" {
		t.Errorf("rowKey: %q and %q, want 1\\t23 and a different one", a, b)
	}
	if k := rowKey([]byte("a"), []int{0, 1}); k != "a\t" {
		t.Errorf("rowKey of a short line = %q, want %q", k, "a\t")
	}
	short := rowcodec.Row{{String: "k", Valid: true}}
	long := rowcodec.Row{{String: "k", Valid: true}, {String: "v", Valid: true}}
	schema := Schema{Columns: []string{"id"}}
	if got, want := rowChange(schema, []int{0, 1}, short, long), `k: column 2 NULL → "v"`; got != want {
		t.Errorf("rowChange of a short row = %q, want %q", got, want)
	}
	if got, want := rowChange(schema, []int{0}, long, short), `k: column 2 "v" → NULL`; got != want {
		t.Errorf("rowChange to a short row = %q, want %q", got, want)
	}
}

// schemaDiff names each kind of change, a reordering of the same columns
// included.
func TestSchemaDiff(t *testing.T) {
	was := Schema{Table: "t", Columns: []string{"tenant", "id", "v"}, Types: []string{"int", "int", "text"},
		PartitionColumn: "tenant", KeyColumns: []string{"id"}}
	change := func(f func(s *Schema)) Schema {
		s := was
		s.Columns, s.Types = slices.Clone(was.Columns), slices.Clone(was.Types)
		f(&s)
		return s
	}
	for _, c := range []struct {
		now  Schema
		want string
	}{
		{change(func(s *Schema) { s.Columns[1], s.Columns[2], s.Types[1], s.Types[2] = "v", "id", "text", "int" }), "column order changed"},
		{change(func(s *Schema) { s.Types[2] = "varchar" }), `column "v" type text → varchar`},
		{change(func(s *Schema) { s.Columns, s.Types = append(s.Columns, "w"), append(s.Types, "int") }), `column "w" added`},
		{change(func(s *Schema) { s.Columns, s.Types = s.Columns[:2], s.Types[:2] }), `column "v" dropped`},
		{change(func(s *Schema) { s.PartitionColumn = "id" }), `partition column "tenant" → "id"`},
		{change(func(s *Schema) { s.KeyColumns = []string{"v"} }), `key columns [id] → [v]`},
		{was, "definition differs"},
		// A Source's schema with fewer types than columns (refused by
		// validation elsewhere) is described, not a panic.
		{change(func(s *Schema) { s.Types = s.Types[:2] }), `column "v" type text → `},
	} {
		if got := schemaDiff(was, c.now); got != c.want {
			t.Errorf("schemaDiff = %q, want %q", got, c.want)
		}
	}
}
