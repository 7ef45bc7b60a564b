package sqlsource

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// TestTablesWith: a tenant's tables are the tables with its key column: a
// partitioned table counts once (not its partitions), a table without the
// column or with it dropped does not count, and no table is an error.
func TestTablesWith(t *testing.T) {
	ctx := context.Background()
	db, schema := pgDB(t)
	mustExec(t, db,
		"CREATE TABLE "+schema+".orders (site_id int, id int PRIMARY KEY)",
		"CREATE TABLE "+schema+".order_items (id int PRIMARY KEY, site_id int)",
		"CREATE TABLE "+schema+".events (site_id int, at int) PARTITION BY RANGE (at)",
		"CREATE TABLE "+schema+".events_1 PARTITION OF "+schema+".events FOR VALUES FROM (0) TO (10)",
		"CREATE TABLE "+schema+".plans (id int PRIMARY KEY)",
		"CREATE TABLE "+schema+".old (id int, site_id int)",
		"ALTER TABLE "+schema+".old DROP COLUMN site_id")
	got, err := TablesWith(ctx, db, "site_id", schema)
	want := []string{schema + ".events", schema + ".order_items", schema + ".orders"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("TablesWith(site_id) = %v, %v; want %v", got, err, want)
	}
	if _, err := TablesWith(ctx, db, "tenant", schema); !errors.Is(err, ErrUnknownColumn) {
		t.Errorf("TablesWith(tenant) = %v, want ErrUnknownColumn", err)
	}

	lite := sqliteDB(t)
	mustExec(t, lite, "CREATE TABLE orders (site_id INTEGER, id INTEGER PRIMARY KEY)",
		"CREATE TABLE items (id INTEGER PRIMARY KEY, site_id INTEGER)", "CREATE TABLE plans (id INTEGER)")
	if got, err := TablesWith(ctx, lite, "site_id"); err != nil || !reflect.DeepEqual(got, []string{"items", "orders"}) {
		t.Errorf("SQLite TablesWith(site_id) = %v, %v", got, err)
	}
	if _, err := TablesWith(ctx, lite, "site_id", "main"); !errors.Is(err, ErrConfig) {
		t.Errorf("SQLite with a schema = %v, want ErrConfig", err)
	}
	if _, err := TablesWith(ctx, nil, "site_id"); !errors.Is(err, ErrConfig) {
		t.Errorf("nil db = %v, want ErrConfig", err)
	}
}
