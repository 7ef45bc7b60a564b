package sqlsource

import (
	"context"
	"errors"
	"fmt"
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
