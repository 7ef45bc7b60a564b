package sqlsource

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
)

// TestDisableTriggers: with DisableTriggers a restore (of one table, and of
// a tenant across tables) records nothing in an audit trigger's table, and
// the trigger fires again for the next write; SQLite refuses the option.
func TestDisableTriggers(t *testing.T) {
	db, _, orders, items := fkShop(t, true, "CASCADE")
	audit := orders + "_audit"
	mustExec(t, db, fmt.Sprintf("CREATE TABLE %s (op TEXT NOT NULL)", audit),
		fmt.Sprintf(`CREATE FUNCTION %[1]s_fn() RETURNS trigger LANGUAGE plpgsql AS
			$$BEGIN INSERT INTO %[1]s VALUES (TG_OP); RETURN NULL; END$$`, audit))
	for _, tb := range []string{orders, items} {
		mustExec(t, db, fmt.Sprintf("CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s_fn()", tb, audit))
	}
	count := func() int {
		t.Helper()
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + audit).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ctx := context.Background()
	src := mustNew(t, db, Table(orders, "site_id"), Table(items, "site_id"), DisableTriggers())
	for _, sel := range [][]snapshot.Partition{
		{{Table: orders, Key: "1"}},
		{{Table: orders, Key: "2"}, {Table: items, Key: "2"}},
	} {
		store := storetest.NewMemStore()
		m, err := snapshot.Take(ctx, src, store, sel)
		if err != nil {
			t.Fatal(err)
		}
		want := dump(t, src, orders, sel[0].Key)
		mustExec(t, db, fmt.Sprintf("UPDATE %s SET note = 'x' WHERE site_id = %s", orders, sel[0].Key),
			fmt.Sprintf("INSERT INTO %s VALUES (%s, %s99, 'new')", orders, sel[0].Key, sel[0].Key))
		before := count()
		if _, err := snapshot.Restore(ctx, src, store, m, sel); err != nil {
			t.Fatalf("Restore %v: %v", sel, err)
		}
		if got := dump(t, src, orders, sel[0].Key); string(got) != string(want) {
			t.Errorf("%v restored to %s, want %s", sel, got, want)
		}
		if n := count(); n != before {
			t.Errorf("restore of %v with DisableTriggers: audit rows %d → %d, want none added", sel, before, n)
		}
		mustExec(t, db, fmt.Sprintf("UPDATE %s SET note = 'after' WHERE id = %s01", orders, sel[0].Key))
		if n := count(); n != before+1 {
			t.Errorf("after the restore of %v a write was audited %d times, want once: triggers left disabled", sel, n-before)
		}
	}
	if _, err := New(sqliteDB(t), Table("orders", "site_id"), DisableTriggers()); !errors.Is(err, ErrConfig) {
		t.Errorf("New on SQLite with DisableTriggers = %v, want ErrConfig", err)
	}
}

// TestRestoreTriggerRewritesSaysWhy: a counter trigger (inserting an item
// adds one to its order's count) changes orders that the tenant's restore
// did not write. Verification refuses the restore, naming the partition
// that differs (orders, not the items the restore wrote) and the trigger;
// nothing is written; with DisableTriggers the tenant restores.
func TestRestoreTriggerRewritesSaysWhy(t *testing.T) {
	for _, pg := range []bool{true, false} {
		t.Run(map[bool]string{true: "postgres", false: "sqlite"}[pg], func(t *testing.T) {
			db, _, orders, items := fkShop(t, pg, "CASCADE")
			mustExec(t, db, "ALTER TABLE "+orders+" ADD COLUMN n INTEGER DEFAULT 0")
			if pg {
				mustExec(t, db, fmt.Sprintf(`CREATE FUNCTION %[1]s_fn() RETURNS trigger LANGUAGE plpgsql AS
					$$BEGIN UPDATE %[1]s SET n = n + 1 WHERE id = NEW.order_id; RETURN NULL; END$$`, orders),
					fmt.Sprintf("CREATE TRIGGER counter AFTER INSERT ON %s FOR EACH ROW EXECUTE FUNCTION %s_fn()", items, orders))
			} else {
				mustExec(t, db, fmt.Sprintf("CREATE TRIGGER counter AFTER INSERT ON %s BEGIN UPDATE %s SET n = n + 1 WHERE id = NEW.order_id; END", items, orders))
			}
			ctx := context.Background()
			sel := []snapshot.Partition{{Table: orders, Key: "2"}, {Table: items, Key: "2"}}
			src := mustNew(t, db, Table(orders, "site_id"), Table(items, "site_id"))
			store := storetest.NewMemStore()
			m, err := snapshot.Take(ctx, src, store, sel)
			if err != nil {
				t.Fatal(err)
			}
			want := string(dump(t, src, orders, "2")) + string(dump(t, src, items, "2"))
			mustExec(t, db, "DELETE FROM "+items+" WHERE id = 2011")
			damaged := string(dump(t, src, orders, "2")) + string(dump(t, src, items, "2"))
			_, err = snapshot.Restore(ctx, src, store, m, sel)
			if err == nil || !strings.Contains(err.Error(), "orders/2: ") || !strings.Contains(err.Error(), "trigger") {
				t.Fatalf("Restore with a counter trigger = %v, want a verification failure naming orders/2 and the trigger", err)
			}
			if got := string(dump(t, src, orders, "2")) + string(dump(t, src, items, "2")); got != damaged {
				t.Errorf("a refused restore wrote:\n%s\nwas\n%s", got, damaged)
			}
			if !pg {
				return // SQLite cannot disable triggers
			}
			quiet := mustNew(t, db, Table(orders, "site_id"), Table(items, "site_id"), DisableTriggers())
			if _, err := snapshot.Restore(ctx, quiet, store, m, sel); err != nil {
				t.Fatalf("Restore with DisableTriggers: %v", err)
			}
			if got := string(dump(t, src, orders, "2")) + string(dump(t, src, items, "2")); got != want {
				t.Errorf("after the restore with DisableTriggers:\n%s\nwant\n%s", got, want)
			}
		})
	}
}
