package sqlsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
)

// TestRestoreTenantAcrossTables: a tenant is orders and order_items (items
// reference orders). After a bad deploy one order of site 2 was updated,
// one deleted with its items, and one created with items. Restoring
// orders/2 and order_items/2 restores them in one transaction: deletes
// children first, inserts parents first, updates in place, so it succeeds
// under every kind of key (one partition at a time, items sort first and
// their insert fails under an immediate key, half-restoring the tenant);
// both tables end as the snapshot has them and no other site changes.
func TestRestoreTenantAcrossTables(t *testing.T) {
	for _, pg := range []bool{true, false} {
		for _, action := range []string{"NO ACTION", "RESTRICT", "CASCADE", "NO ACTION DEFERRABLE"} {
			if !pg && action == "NO ACTION DEFERRABLE" {
				continue
			}
			t.Run(fmt.Sprintf("%s/%s", map[bool]string{true: "postgres", false: "sqlite"}[pg], strings.ReplaceAll(action, " ", "_")), func(t *testing.T) {
				db, _, orders, items := fkShop(t, pg, action)
				src := mustNew(t, db, Table(orders, "site_id"), Table(items, "site_id"))
				ctx := context.Background()
				store, m, all, want := takeShop(t, src, orders, items)
				mustExec(t, db,
					fmt.Sprintf("UPDATE %s SET note = 'damaged' WHERE id = 201", orders),
					fmt.Sprintf("DELETE FROM %s WHERE order_id = 202", items),
					fmt.Sprintf("DELETE FROM %s WHERE id = 202", orders),
					fmt.Sprintf("INSERT INTO %s VALUES (2, 299, 'after the snapshot')", orders),
					fmt.Sprintf("INSERT INTO %s VALUES (2, 2991, 299), (2, 2992, 299)", items),
					fmt.Sprintf("UPDATE %s SET note = 'other site' WHERE id = 301", orders))
				other := map[snapshot.Partition]string{}
				for _, p := range all {
					other[p] = string(dump(t, src, p.Table, p.Key))
				}
				sel := []snapshot.Partition{{Table: orders, Key: "2"}, {Table: items, Key: "2"}}
				plan, err := snapshot.Restore(ctx, src, store, m, sel)
				if err != nil {
					t.Fatalf("Restore of site 2 across tables: %v", err)
				}
				if len(plan.Restored) != 2 {
					t.Errorf("restored %v, want both partitions", plan.Restored)
				}
				for _, p := range all {
					got, w := string(dump(t, src, p.Table, p.Key)), want[p]
					if p.Key != "2" {
						w = other[p] // not selected: as the deploy left it
					}
					if got != w {
						t.Errorf("%s after the restore:\n%s\nwant\n%s", p, got, w)
					}
				}
			})
		}
	}
}

// TestRestoreTenantRefusesOutside: an order of site 2 that the snapshot
// lacks has items in site 3 (outside the selection): the tenant's restore
// refuses before writing, even with order_items/2 selected.
func TestRestoreTenantRefusesOutside(t *testing.T) {
	db, _, orders, items := fkShop(t, true, "CASCADE")
	src := mustNew(t, db, Table(orders, "site_id"), Table(items, "site_id"))
	ctx := context.Background()
	sel := []snapshot.Partition{{Table: orders, Key: "2"}, {Table: items, Key: "2"}}
	store := storetest.NewMemStore()
	m, err := snapshot.Take(ctx, src, store, sel)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (2, 299, 'after the snapshot')", orders),
		fmt.Sprintf("INSERT INTO %s VALUES (2, 2991, 299), (3, 3991, 299)", items))
	before := string(dump(t, src, orders, "2")) + string(dump(t, src, items, "2")) + string(dump(t, src, items, "3"))
	_, err = snapshot.Restore(ctx, src, store, m, sel)
	var de *DependentError
	if !errors.As(err, &de) || de.Rows != 1 || de.Action != "CASCADE" {
		t.Fatalf("Restore = %v, want a DependentError for the 1 item of site 3", err)
	}
	if after := string(dump(t, src, orders, "2")) + string(dump(t, src, items, "2")) + string(dump(t, src, items, "3")); after != before {
		t.Errorf("a refused restore wrote:\n%s\nwas\n%s", after, before)
	}
}

// TestIncludeDependents: a restore of orders/2 alone is refused when an
// order it must delete has items; with IncludeDependents the tenant's
// order_items partition joins the selection (marked in the plan) and the
// tenant is restored whole, in one transaction. Dependents is transitive.
func TestIncludeDependents(t *testing.T) {
	db, _, orders, items := fkShop(t, true, "CASCADE")
	notes := strings.TrimSuffix(orders, "orders") + "item_notes"
	mustExec(t, db, fmt.Sprintf("CREATE TABLE %s (site_id INTEGER NOT NULL, item_id INTEGER PRIMARY KEY REFERENCES %s (id))", notes, items))
	src := mustNew(t, db, Table(orders, "site_id"), Table(items, "site_id"), Table(notes, "site_id"))
	ctx := context.Background()
	if deps, err := src.Dependents(ctx, orders); err != nil || strings.Join(deps, ",") != notes+","+items {
		t.Errorf("Dependents(orders) = %v, %v; want order_items and, through it, item_notes", deps, err)
	}
	if deps, err := src.Dependents(ctx, notes); err != nil || len(deps) != 0 {
		t.Errorf("Dependents(item_notes) = %v, %v; want none", deps, err)
	}
	store := storetest.NewMemStore()
	m, err := snapshot.Take(ctx, src, store, []snapshot.Partition{{Table: orders, Key: "2"}, {Table: items, Key: "2"}})
	if err != nil {
		t.Fatal(err)
	}
	wantOrders, wantItems := string(dump(t, src, orders, "2")), string(dump(t, src, items, "2"))
	mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (2, 299, 'after the snapshot')", orders),
		fmt.Sprintf("INSERT INTO %s VALUES (2, 2991, 299)", items),
		fmt.Sprintf("DELETE FROM %s WHERE id = 2011", items))
	sel := []snapshot.Partition{{Table: orders, Key: "2"}}
	plan, err := snapshot.Diff(ctx, src, store, m, sel)
	if err != nil || len(plan.Dependents) != 1 || plan.Dependents[0] != (snapshot.Partition{Table: items, Key: "2"}) ||
		!strings.Contains(plan.String(), "--include-dependents") {
		t.Fatalf("Diff of orders/2 alone = %v, %v; want order_items/2 shown as a dependent left out", plan, err)
	}
	if _, err := snapshot.Restore(ctx, src, store, m, sel); !errors.Is(err, ErrDependents) {
		t.Fatalf("Restore of orders/2 alone = %v, want ErrDependents", err)
	}
	plan, err = snapshot.Diff(ctx, src, store, m, sel, snapshot.IncludeDependents())
	if err != nil || len(plan.Dependents) != 0 || len(plan.Partitions) != 2 || !plan.Partitions[0].Dependent || plan.Partitions[1].Dependent ||
		!strings.Contains(plan.String(), "restore (dependent)") {
		t.Fatalf("Diff with IncludeDependents = %v, %v; want order_items/2 added as a dependent", plan, err)
	}
	if _, err := snapshot.Restore(ctx, src, store, m, sel, snapshot.IncludeDependents()); err != nil {
		t.Fatalf("Restore with IncludeDependents: %v", err)
	}
	if string(dump(t, src, orders, "2")) != wantOrders || string(dump(t, src, items, "2")) != wantItems {
		t.Error("site 2 differs from the snapshot after the restore with its dependents")
	}
}

// TestRestoreUndamagedTenantWritesNothing: a tenant across tables that is
// already the snapshot's is verified by the dumps that diffed it and not
// written (no row moves), and a verify that rejects it still rolls back.
func TestRestoreUndamagedTenantWritesNothing(t *testing.T) {
	db, _, orders, items := fkShop(t, true, "CASCADE")
	src := mustNew(t, db, Table(orders, "site_id"), Table(items, "site_id"))
	ctx := context.Background()
	sel := []snapshot.Partition{{Table: orders, Key: "2"}, {Table: items, Key: "2"}}
	store := storetest.NewMemStore()
	m, err := snapshot.Take(ctx, src, store, sel)
	if err != nil {
		t.Fatal(err)
	}
	ctids := func() string {
		var s string
		if err := db.QueryRow(fmt.Sprintf("SELECT string_agg(ctid::text || xmin::text, ',' ORDER BY id) FROM (SELECT ctid, xmin, id FROM %s WHERE site_id = 2 UNION ALL SELECT ctid, xmin, id FROM %s WHERE site_id = 2) u", orders, items)).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := ctids()
	if _, err := snapshot.Restore(ctx, src, store, m, sel); err != nil {
		t.Fatal(err)
	}
	if after := ctids(); after != before {
		t.Errorf("restoring an undamaged tenant rewrote rows: %s, was %s", after, before)
	}
	err = src.ReplaceGroup(ctx, sel, func(p snapshot.Partition) io.Reader { return strings.NewReader(string(dump(t, src, p.Table, p.Key))) },
		func(p snapshot.Partition, rows int64, sum [32]byte) error {
			if p.Table == items {
				return errors.New("rejected")
			}
			return nil
		})
	if err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Errorf("ReplaceGroup with a rejecting verify = %v", err)
	}
}

// TestRestoreTenantCycle: people and teams reference each other (a team's
// lead, a person's team). With deferrable keys the tenant's restore
// inserts both sides in one transaction, the keys checked at its commit;
// with immediate keys no insert order exists, and the restore fails and
// rolls back, naming the key, with both tables as they were.
func TestRestoreTenantCycle(t *testing.T) {
	for _, deferrable := range []bool{true, false} {
		t.Run(map[bool]string{true: "deferrable", false: "immediate"}[deferrable], func(t *testing.T) {
			db, schema := pgDB(t)
			people, teams := schema+".people", schema+".teams"
			d := ""
			if deferrable {
				d = " DEFERRABLE"
			}
			mustExec(t, db,
				"CREATE TABLE "+teams+" (site INTEGER NOT NULL, id INTEGER PRIMARY KEY, lead INTEGER)",
				"CREATE TABLE "+people+" (site INTEGER NOT NULL, id INTEGER PRIMARY KEY, team INTEGER REFERENCES "+teams+" (id)"+d+")",
				"ALTER TABLE "+teams+" ADD CONSTRAINT lead_fk FOREIGN KEY (lead) REFERENCES "+people+" (id)"+d,
				"INSERT INTO "+teams+" VALUES (1, 10, NULL), (2, 20, NULL)",
				"INSERT INTO "+people+" VALUES (1, 100, 10), (2, 200, 20)",
				"UPDATE "+teams+" SET lead = 100 WHERE id = 10",
				"UPDATE "+teams+" SET lead = 200 WHERE id = 20")
			src := mustNew(t, db, Table(people, "site"), Table(teams, "site"))
			ctx := context.Background()
			sel := []snapshot.Partition{{Table: people, Key: "1"}, {Table: teams, Key: "1"}}
			store := storetest.NewMemStore()
			m, err := snapshot.Take(ctx, src, store, sel)
			if err != nil {
				t.Fatal(err)
			}
			want := string(dump(t, src, people, "1")) + string(dump(t, src, teams, "1"))
			mustExec(t, db, "UPDATE "+teams+" SET lead = NULL WHERE id = 10", "DELETE FROM "+people+" WHERE id = 100", "DELETE FROM "+teams+" WHERE id = 10")
			damaged := string(dump(t, src, people, "1")) + string(dump(t, src, teams, "1"))
			_, err = snapshot.Restore(ctx, src, store, m, sel)
			got := string(dump(t, src, people, "1")) + string(dump(t, src, teams, "1"))
			if deferrable {
				if err != nil || got != want {
					t.Fatalf("Restore of a deferrable cycle = %v; tenant %q, want %q", err, got, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "foreign key") {
				t.Fatalf("Restore of an immediate cycle = %v, want a foreign key failure", err)
			}
			if got != damaged {
				t.Errorf("a failed restore left %q, was %q", got, damaged)
			}
		})
	}
}

// TestRestoreLargeTenantInPlace: partitions larger than the in-memory
// bound (here a few rows' worth, standing in for 64 MiB) are spooled and
// diffed like small ones, alone and as a tenant across tables: changed
// orders are updated in place and their items, which reference them, are
// not reached. Replaced whole instead, orders/3 alone was refused
// (ErrDependents: its items would be deleted with it) and the tenant's
// restore failed under RESTRICT.
func TestRestoreLargeTenantInPlace(t *testing.T) {
	for _, pg := range []bool{true, false} {
		for _, action := range []string{"RESTRICT", "CASCADE"} {
			t.Run(fmt.Sprintf("%s/%s", map[bool]string{true: "postgres", false: "sqlite"}[pg], action), func(t *testing.T) {
				db, _, orders, items := fkShop(t, pg, action)
				src := mustNew(t, db, Table(orders, "site_id"), Table(items, "site_id"), withDiffLimit(30))
				ctx := context.Background()
				store, m, all, want := takeShop(t, src, orders, items)
				for _, p := range all {
					if len(want[p]) <= 30 {
						t.Fatalf("%s holds %d bytes: not past the bound", p, len(want[p]))
					}
				}
				itemsBefore := itemState(t, db, items)
				mustExec(t, db, fmt.Sprintf("UPDATE %s SET note = 'damaged' WHERE id = 301", orders))
				if _, err := snapshot.Restore(ctx, src, store, m, []snapshot.Partition{{Table: orders, Key: "3"}}); err != nil {
					t.Fatalf("Restore of orders/3 (spooled): %v", err)
				}
				if got := string(dump(t, src, orders, "3")); got != want[snapshot.Partition{Table: orders, Key: "3"}] {
					t.Errorf("orders/3 after the restore:\n%s\nwant\n%s", got, want[snapshot.Partition{Table: orders, Key: "3"}])
				}
				if got := itemState(t, db, items); got != itemsBefore {
					t.Errorf("order_items after restoring orders/3: %s, was %s", got, itemsBefore)
				}

				mustExec(t, db,
					fmt.Sprintf("UPDATE %s SET note = 'damaged' WHERE id = 201", orders),
					fmt.Sprintf("DELETE FROM %s WHERE order_id = 202", items),
					fmt.Sprintf("DELETE FROM %s WHERE id = 202", orders),
					fmt.Sprintf("INSERT INTO %s VALUES (2, 299, 'new')", orders),
					fmt.Sprintf("INSERT INTO %s VALUES (2, 2991, 299), (2, 2992, 299)", items))
				sel := []snapshot.Partition{{Table: orders, Key: "2"}, {Table: items, Key: "2"}}
				if _, err := snapshot.Restore(ctx, src, store, m, sel); err != nil {
					t.Fatalf("Restore of site 2 across tables (spooled): %v", err)
				}
				for _, p := range all {
					if got := string(dump(t, src, p.Table, p.Key)); got != want[p] {
						t.Errorf("%s after the restores:\n%s\nwant\n%s", p, got, want[p])
					}
				}
			})
		}
	}
}

// TestRestorePartitionedParent: orders is a partitioned table (LIST on
// the site) referenced by order_items. Deleting an order whose items are
// outside the selection is refused (the key is found through the
// partitioned parent, once, not once per partition); the tenant across
// both tables restores; a changed order alone is updated in place.
func TestRestorePartitionedParent(t *testing.T) {
	for _, action := range []string{"CASCADE", "NO ACTION"} {
		t.Run(strings.ReplaceAll(action, " ", "_"), func(t *testing.T) {
			db, schema := pgDB(t)
			orders, items := schema+".orders", schema+".order_items"
			mustExec(t, db,
				"CREATE TABLE "+orders+" (site_id INTEGER NOT NULL, id INTEGER NOT NULL, note TEXT, PRIMARY KEY (site_id, id)) PARTITION BY LIST (site_id)",
				"CREATE TABLE "+orders+"_a PARTITION OF "+orders+" FOR VALUES IN (1, 2)",
				"CREATE TABLE "+orders+"_b PARTITION OF "+orders+" FOR VALUES IN (3)",
				"CREATE TABLE "+items+" (site_id INTEGER NOT NULL, id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, "+
					"FOREIGN KEY (site_id, order_id) REFERENCES "+orders+" ON DELETE "+action+")")
			for site := 1; site <= 3; site++ {
				for o := 1; o <= 4; o++ {
					id := site*100 + o
					mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (%d, %d, 'ok')", orders, site, id),
						fmt.Sprintf("INSERT INTO %s VALUES (%d, %d, %d), (%d, %d, %d)", items, site, id*10+1, id, site, id*10+2, id))
				}
			}
			src := mustNew(t, db, Table(orders, "site_id"), Table(items, "site_id"))
			ctx := context.Background()
			sel := []snapshot.Partition{{Table: orders, Key: "2"}, {Table: items, Key: "2"}}
			store := storetest.NewMemStore()
			m, err := snapshot.Take(ctx, src, store, sel)
			if err != nil {
				t.Fatal(err)
			}
			wantOrders, wantItems := string(dump(t, src, orders, "2")), string(dump(t, src, items, "2"))

			mustExec(t, db, fmt.Sprintf("UPDATE %s SET note = 'damaged' WHERE id = 201", orders))
			itemsBefore := itemState(t, db, items)
			if _, err := snapshot.Restore(ctx, src, store, m, sel[:1]); err != nil {
				t.Fatalf("Restore of a changed order alone: %v", err)
			}
			if got := string(dump(t, src, orders, "2")); got != wantOrders {
				t.Errorf("orders/2 = %s, want %s", got, wantOrders)
			}
			if got := itemState(t, db, items); got != itemsBefore {
				t.Errorf("order_items changed by restoring orders/2: %s, was %s", got, itemsBefore)
			}

			mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (2, 299, 'new')", orders),
				fmt.Sprintf("INSERT INTO %s VALUES (2, 2991, 299), (2, 2992, 299)", items))
			before := string(dump(t, src, orders, "2")) + string(dump(t, src, items, "2"))
			_, err = snapshot.Restore(ctx, src, store, m, sel[:1])
			var de *DependentError
			if !errors.As(err, &de) || de.Rows != 2 {
				t.Fatalf("Restore of orders/2 alone with a new order's 2 items = %v, want a DependentError for 2 rows", err)
			}
			if after := string(dump(t, src, orders, "2")) + string(dump(t, src, items, "2")); after != before {
				t.Errorf("a refused restore wrote:\n%s\nwas\n%s", after, before)
			}
			if _, err := snapshot.Restore(ctx, src, store, m, sel); err != nil {
				t.Fatalf("Restore of the tenant across both tables: %v", err)
			}
			if string(dump(t, src, orders, "2")) != wantOrders || string(dump(t, src, items, "2")) != wantItems {
				t.Error("site 2 differs from the snapshot after its restore")
			}
		})
	}
}

// TestReplaceGroupClipsItsInput: a 10,000-character key or table name in a
// refusal is quoted as its first 64 runes and its size (internal/clip).
func TestReplaceGroupClipsItsInput(t *testing.T) {
	_, src, orders, _ := fkShop(t, true, "CASCADE")
	long := strings.Repeat("k", 10000)
	err := src.ReplaceGroup(context.Background(),
		[]snapshot.Partition{{Table: orders, Key: long}, {Table: orders, Key: long + "x"}},
		func(snapshot.Partition) io.Reader { return strings.NewReader("") },
		func(snapshot.Partition, int64, [32]byte) error { return nil })
	if err == nil || len(err.Error()) > 400 || !strings.Contains(err.Error(), "…(10000 bytes)") {
		t.Fatalf("ReplaceGroup with 10,000-character keys = %d bytes: %.200v", len(fmt.Sprint(err)), err)
	}
}

// takeShop takes every partition of fkShop's three sites (orders and
// order_items) and returns them with their dumps at the Take.
func takeShop(t *testing.T, src *Source, orders, items string) (snapshot.Store, *snapshot.Manifest, []snapshot.Partition, map[snapshot.Partition]string) {
	t.Helper()
	var all []snapshot.Partition
	for site := 1; site <= 3; site++ {
		all = append(all, snapshot.Partition{Table: orders, Key: fmt.Sprint(site)}, snapshot.Partition{Table: items, Key: fmt.Sprint(site)})
	}
	store := storetest.NewMemStore()
	m, err := snapshot.Take(context.Background(), src, store, all)
	if err != nil {
		t.Fatal(err)
	}
	want := map[snapshot.Partition]string{}
	for _, p := range all {
		want[p] = string(dump(t, src, p.Table, p.Key))
	}
	return store, m, all, want
}
