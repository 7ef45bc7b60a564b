package sqlsource

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
)

// fkShop creates orders(site_id, id) and order_items(site_id, id, order_id
// REFERENCES orders ON DELETE <action>) with 3 sites of 4 orders, each order
// with 2 items, and a Source that serves orders only.
func fkShop(t *testing.T, pg bool, action string) (*sql.DB, *Source, string, string) {
	t.Helper()
	var db *sql.DB
	prefix := ""
	if pg {
		var schema string
		db, schema = pgDB(t)
		prefix = schema + "."
	} else {
		db = sqliteDB(t)
		mustExec(t, db, "PRAGMA foreign_keys = ON")
		db.SetMaxOpenConns(1) // the pragma is per connection
	}
	orders, items := prefix+"orders", prefix+"order_items"
	mustExec(t, db,
		fmt.Sprintf(`CREATE TABLE %s (site_id INTEGER NOT NULL, id INTEGER PRIMARY KEY, note TEXT)`, orders),
		fmt.Sprintf(`CREATE TABLE %s (site_id INTEGER NOT NULL, id INTEGER PRIMARY KEY,
			order_id INTEGER DEFAULT 0 REFERENCES %s (id) ON DELETE %s)`, items, orders, action))
	for site := 1; site <= 3; site++ {
		for o := 1; o <= 4; o++ {
			id := site*100 + o
			mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (%d, %d, 'ok')", orders, site, id))
			for i := 1; i <= 2; i++ {
				mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (%d, %d, %d)", items, site, id*10+i, id))
			}
		}
	}
	return db, mustNew(t, db, Table(orders, "site_id")), orders, items
}

func itemState(t *testing.T, db *sql.DB, items string) string {
	t.Helper()
	var n, linked int
	if err := db.QueryRow(fmt.Sprintf("SELECT count(*), count(order_id) FROM %s WHERE site_id = 3", items)).Scan(&n, &linked); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d rows, %d linked", n, linked)
}

// TestRestoreRefusesToReachUnselectedTables: a snapshot of orders, then two
// orders of site 3 created with their items, a restore of orders/3 only.
// Deleting the orders the snapshot lacks would cascade into order_items (a
// table not restored): the restore must refuse before writing, naming the
// constraint, and leave both tables as they were. A plain (immediate) NO ACTION key is
// refused the same way on PostgreSQL; on SQLite, whose catalog does not say
// whether a key is deferred, the delete fails and the restore rolls back.
func TestRestoreRefusesToReachUnselectedTables(t *testing.T) {
	for _, pg := range []bool{true, false} {
		for _, action := range []string{"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"} {
			name := "sqlite"
			if pg {
				name = "postgres"
			}
			t.Run(name+"/"+strings.ReplaceAll(action, " ", "_"), func(t *testing.T) {
				db, src, orders, items := fkShop(t, pg, action)
				if action == "SET DEFAULT" {
					// The default must reference a row for the set to succeed.
					mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (0, 0, 'default')", orders))
				}
				ctx := context.Background()
				store, err := snapshot.NewDirStore(t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				sel := []snapshot.Partition{{Table: orders, Key: "3"}}
				m, err := snapshot.Take(ctx, src, store, sel)
				if err != nil {
					t.Fatal(err)
				}
				if before := itemState(t, db, items); before != "8 rows, 8 linked" {
					t.Fatalf("set-up: site 3 items: %s", before)
				}
				for _, id := range []int{305, 306} {
					mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (3, %d, 'after the snapshot')", orders, id),
						fmt.Sprintf("INSERT INTO %s VALUES (3, %d, %d), (3, %d, %d)", items, id*10+1, id, id*10+2, id))
				}
				before := itemState(t, db, items)
				damaged := dump(t, src, orders, "3")

				_, err = snapshot.Restore(ctx, src, store, m, sel)
				var de *DependentError
				if !pg && action == "NO ACTION" {
					// SQLite's catalog does not say whether the key is
					// deferred: the delete fails and rolls back.
					if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY constraint failed") {
						t.Fatalf("Restore = %v, want a foreign key failure", err)
					}
				} else if !errors.As(err, &de) || !errors.Is(err, ErrDependents) {
					t.Fatalf("Restore = %v, want a DependentError", err)
				} else if de.Action != action || de.Rows != 4 || !strings.Contains(de.Table, "order_items") || de.Constraint == "" {
					t.Errorf("DependentError = %+v, want action %s, 4 rows of order_items", de, action)
				} else if msg := err.Error(); !strings.Contains(msg, "sqlsource:") || !strings.Contains(msg, action) {
					t.Errorf("message %q does not name the action", msg)
				}
				if got := itemState(t, db, items); got != before {
					t.Errorf("order_items of site 3 after the refused restore: %s, was %s", got, before)
				}
				if got := dump(t, src, orders, "3"); string(got) != string(damaged) {
					t.Errorf("orders/3 written by a refused restore:\n%s\nwas\n%s", got, damaged)
				}
			})
		}
	}
}

// TestRestoreAllowsHarmlessReferences: references that a restore's deletes
// do not reach do not block it: damage that only removed rows (the restore
// only inserts), a changed row that no child references, and a NO ACTION key
// checked at commit, where the re-inserted parent satisfies it.
func TestRestoreAllowsHarmlessReferences(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, action, damage string
	}{
		{"insert only", "CASCADE", "DELETE FROM %s WHERE id = 304 AND site_id = 3 AND id NOT IN (SELECT order_id FROM %s)"},
		{"unreferenced row", "CASCADE", "UPDATE %s SET note = 'x' WHERE id = 399"},
		{"deferred no action", "NO ACTION DEFERRABLE INITIALLY DEFERRED", "UPDATE %s SET note = 'x' WHERE id = 301"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, src, orders, items := fkShop(t, true, tc.action)
			mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (3, 399, 'lonely')", orders),
				fmt.Sprintf("DELETE FROM %s WHERE order_id = 304", items))
			store, err := snapshot.NewDirStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			sel := []snapshot.Partition{{Table: orders, Key: "3"}}
			m, err := snapshot.Take(ctx, src, store, sel)
			if err != nil {
				t.Fatal(err)
			}
			want, before := dump(t, src, orders, "3"), itemState(t, db, items)
			q := tc.damage
			if strings.Count(q, "%s") == 2 {
				q = fmt.Sprintf(q, orders, items)
			} else {
				q = fmt.Sprintf(q, orders)
			}
			mustExec(t, db, q)
			if string(dump(t, src, orders, "3")) == string(want) {
				t.Fatal("damage changed nothing")
			}
			if _, err := snapshot.Restore(ctx, src, store, m, sel); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, src, orders, "3"); string(got) != string(want) {
				t.Errorf("orders/3 = %s, want %s", got, want)
			}
			if got := itemState(t, db, items); got != before {
				t.Errorf("order_items of site 3: %s, was %s", got, before)
			}
		})
	}
}

// TestRestoreSelfReference: a self-referencing table restores when the
// references stay within the partition (a cascade from a changed row to a
// row the restore keeps is handled by replacing the partition whole), and
// refuses when a row of another partition references a row it would delete.
func TestRestoreSelfReference(t *testing.T) {
	ctx := context.Background()
	db, schema := pgDB(t)
	tbl := schema + ".nodes"
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE %s (site INTEGER NOT NULL, id INTEGER PRIMARY KEY, note TEXT,
		parent INTEGER REFERENCES %s (id) ON DELETE CASCADE)`, tbl, tbl),
		fmt.Sprintf("INSERT INTO %s VALUES (1, 1, 'root', NULL), (1, 2, 'leaf', 1), (1, 3, 'other', NULL)", tbl))
	src := mustNew(t, db, Table(tbl, "site"))
	store, err := snapshot.NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sel := []snapshot.Partition{{Table: tbl, Key: "1"}}
	m, err := snapshot.Take(ctx, src, store, sel)
	if err != nil {
		t.Fatal(err)
	}
	want := dump(t, src, tbl, "1")
	mustExec(t, db, fmt.Sprintf("UPDATE %s SET note = 'x' WHERE id = 1", tbl))
	if _, err := snapshot.Restore(ctx, src, store, m, sel); err != nil {
		t.Fatalf("within the partition: %v", err)
	}
	if got := dump(t, src, tbl, "1"); string(got) != string(want) {
		t.Fatalf("nodes/1 = %s, want %s", got, want)
	}
	// A row of site 2 now references a row of site 1 the snapshot lacks: a
	// restore of site 1 that deletes it (here the whole partition, as a
	// self-reference cascades within it) would delete the row of site 2.
	mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (1, 5, 'new', NULL), (2, 4, 'far', 5)", tbl))
	_, err = snapshot.Restore(ctx, src, store, m, sel, snapshot.ID("again"))
	var de *DependentError
	if !errors.As(err, &de) || de.Rows != 1 || de.Action != "CASCADE" {
		t.Fatalf("Restore = %v, want a DependentError for 1 row of site 2", err)
	}
	var n int
	if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM %s WHERE site = 2", tbl)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("site 2 rows = %d (%v), want 1", n, err)
	}
}

// TestRestoreUpdatesInPlace: the case. Every order of site 3 was
// updated, one removed, one added; orders reference nothing but items
// reference orders ON DELETE CASCADE. Restoring orders/3 alone changes the
// updated orders in place, so no item is reached (DELETE + INSERT would have
// cascaded into all of them), and an audit trigger sees what really changed:
// 4 updates, 1 insert (the removed order), 1 delete (the added one).
func TestRestoreUpdatesInPlace(t *testing.T) {
	for _, pg := range []bool{true, false} {
		t.Run(map[bool]string{true: "postgres", false: "sqlite"}[pg], func(t *testing.T) {
			db, src, orders, items := fkShop(t, pg, "CASCADE")
			ctx := context.Background()
			audit := strings.TrimSuffix(orders, "orders") + "audit"
			mustExec(t, db, fmt.Sprintf("INSERT INTO %s VALUES (3, 399, 'lonely')", orders),
				fmt.Sprintf("CREATE TABLE %s (op TEXT NOT NULL)", audit))
			if pg {
				mustExec(t, db, fmt.Sprintf(`CREATE FUNCTION %[1]s_fn() RETURNS trigger LANGUAGE plpgsql AS
					$$BEGIN INSERT INTO %[1]s VALUES (TG_OP); RETURN NULL; END$$`, audit),
					fmt.Sprintf("CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s_fn()", orders, audit))
			} else {
				for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
					mustExec(t, db, fmt.Sprintf("CREATE TRIGGER audit_%s AFTER %s ON %s BEGIN INSERT INTO %s VALUES ('%s'); END", op, op, orders, audit, op))
				}
			}
			store, err := snapshot.NewDirStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			sel := []snapshot.Partition{{Table: orders, Key: "3"}}
			m, err := snapshot.Take(ctx, src, store, sel)
			if err != nil {
				t.Fatal(err)
			}
			want, before := dump(t, src, orders, "3"), itemState(t, db, items)
			mustExec(t, db, fmt.Sprintf("UPDATE %s SET note = 'damaged' WHERE site_id = 3 AND id < 399", orders),
				fmt.Sprintf("DELETE FROM %s WHERE id = 399", orders),
				fmt.Sprintf("INSERT INTO %s VALUES (3, 398, 'stray')", orders),
				"DELETE FROM "+audit)
			if _, err := snapshot.Restore(ctx, src, store, m, sel); err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if got := dump(t, src, orders, "3"); string(got) != string(want) {
				t.Errorf("orders/3 = %s, want %s", got, want)
			}
			if got := itemState(t, db, items); got != before {
				t.Errorf("order_items of site 3: %s, was %s: the restore reached a table it does not restore", got, before)
			}
			var ops string
			if err := db.QueryRow(fmt.Sprintf("SELECT group_concat(op, ',') FROM (SELECT op FROM %s ORDER BY op) a", audit)).Scan(&ops); err != nil && pg {
				if err := db.QueryRow(fmt.Sprintf("SELECT string_agg(op, ',' ORDER BY op) FROM %s", audit)).Scan(&ops); err != nil {
					t.Fatal(err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if ops != "DELETE,INSERT,UPDATE,UPDATE,UPDATE,UPDATE" {
				t.Errorf("audit trigger saw %s, want DELETE,INSERT and 4 UPDATEs", ops)
			}
		})
	}
}

// TestRestoreRefusesUpdateCascadeOutside: shipments reference orders by a
// unique code ON UPDATE CASCADE. A deploy changed an order's code (and the
// cascade its shipment's); restoring orders/3 alone would set the code back
// and cascade into shipments, a table it does not restore: refused before
// anything lands, naming ON UPDATE. An order whose note alone changed is
// restored (its referenced code does not move).
func TestRestoreRefusesUpdateCascadeOutside(t *testing.T) {
	for _, pg := range []bool{true, false} {
		t.Run(map[bool]string{true: "postgres", false: "sqlite"}[pg], func(t *testing.T) {
			var db *sql.DB
			prefix := ""
			if pg {
				var schema string
				db, schema = pgDB(t)
				prefix = schema + "."
			} else {
				db = sqliteDB(t)
				db.SetMaxOpenConns(1)
				mustExec(t, db, "PRAGMA foreign_keys = ON")
			}
			orders, ships := prefix+"orders", prefix+"shipments"
			mustExec(t, db,
				"CREATE TABLE "+orders+" (site_id INTEGER NOT NULL, id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, note TEXT)",
				"CREATE TABLE "+ships+" (site_id INTEGER NOT NULL, id INTEGER PRIMARY KEY, order_code TEXT REFERENCES "+orders+" (code) ON UPDATE CASCADE)",
				"INSERT INTO "+orders+" VALUES (3, 301, 'A', 'ok'), (3, 302, 'B', 'ok')",
				"INSERT INTO "+ships+" VALUES (3, 1, 'A')")
			src := mustNew(t, db, Table(orders, "site_id"))
			ctx := context.Background()
			store := storetest.NewMemStore()
			sel := []snapshot.Partition{{Table: orders, Key: "3"}}
			m, err := snapshot.Take(ctx, src, store, sel)
			if err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, "UPDATE "+orders+" SET note = 'changed' WHERE id = 302")
			if _, err := snapshot.Restore(ctx, src, store, m, sel); err != nil {
				t.Fatalf("a note changed: %v", err)
			}
			mustExec(t, db, "UPDATE "+orders+" SET code = 'Z' WHERE id = 301")
			before := string(dump(t, src, orders, "3"))
			var ship string
			if err := db.QueryRow("SELECT order_code FROM " + ships).Scan(&ship); err != nil || ship != "Z" {
				t.Fatalf("set-up: shipment code %q (%v), want the cascade's Z", ship, err)
			}
			_, err = snapshot.Restore(ctx, src, store, m, sel, snapshot.ID("again"))
			var de *DependentError
			if !errors.As(err, &de) || de.Action != "CASCADE" || de.Rows != 1 || !strings.Contains(err.Error(), "ON UPDATE CASCADE") {
				t.Fatalf("Restore after a code change = %v, want a DependentError ON UPDATE CASCADE for 1 shipment", err)
			}
			if err := db.QueryRow("SELECT order_code FROM " + ships).Scan(&ship); err != nil || ship != "Z" {
				t.Errorf("a refused restore changed the shipment to %q (%v)", ship, err)
			}
			if got := string(dump(t, src, orders, "3")); got != before {
				t.Errorf("a refused restore wrote orders/3: %s", got)
			}
		})
	}
}
