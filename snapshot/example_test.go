package snapshot_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/sqlsource"
	_ "modernc.org/sqlite"
)

// shop is an SQLite database of products for three sites, with a snapshot
// store next to it, as a deploy would find them.
type shop struct {
	db    *sql.DB
	src   *sqlsource.Source
	store snapshot.Store
	close func()
}

func openShop() shop {
	dir, err := os.MkdirTemp("", "snapshot-example")
	if err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "shop.db"))
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one SQLite writer
	if _, err := db.Exec(`CREATE TABLE products (site TEXT NOT NULL, sku TEXT NOT NULL, price REAL,
		PRIMARY KEY (site, sku))`); err != nil {
		log.Fatal(err)
	}
	var rows []string
	for _, site := range []string{"acme", "globex", "initech"} {
		for i := range 50 {
			rows = append(rows, fmt.Sprintf("('%s', 'sku-%02d', %d.5)", site, i, i))
		}
	}
	if _, err := db.Exec(`INSERT INTO products VALUES ` + strings.Join(rows, ", ")); err != nil {
		log.Fatal(err)
	}
	src, err := sqlsource.New(db, sqlsource.Table("products", "site"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := snapshot.NewDirStore(filepath.Join(dir, "snapshots"))
	if err != nil {
		log.Fatal(err)
	}
	return shop{db: db, src: src, store: store, close: func() {
		store.(io.Closer).Close()
		db.Close()
		os.RemoveAll(dir)
	}}
}

// badDeploy loses most products of the sites it reached by mistake.
func (s shop) badDeploy(sites ...string) {
	for _, site := range sites {
		if _, err := s.db.Exec(`DELETE FROM products WHERE site = ? AND sku >= 'sku-20'`, site); err != nil {
			log.Fatal(err)
		}
	}
}

// Snapshot the sites a deploy targets, catch the damage with invariants,
// and restore exactly the damaged sites.
func Example() {
	shop := openShop()
	defer shop.close()
	ctx := context.Background()
	sites := []snapshot.Partition{{Table: "products", Key: "acme"}, {Table: "products", Key: "globex"}, {Table: "products", Key: "initech"}}

	// Before the deploy.
	m, err := snapshot.Take(ctx, shop.src, shop.store, sites, snapshot.ID("pre-deploy-1234"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("snapshot %s: %d partitions, %d rows\n", m.ID, len(m.Partitions), m.Rows)

	// The deploy was meant for acme only, but reached globex too.
	shop.badDeploy("acme", "globex")

	// After the deploy: row counts may drop by 5% at most, and initech,
	// outside the deploy's scope, must be exactly as it was.
	violations, err := snapshot.Check(ctx, shop.src, m, snapshot.RowCountDrop(0.05), snapshot.Unchanged(sites[2]))
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range violations {
		fmt.Println(v)
	}
	damaged := snapshot.Damaged(violations)

	// A dry run first: the plan, nothing written.
	res, err := snapshot.Diff(ctx, shop.src, shop.store, m, damaged)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(res.String())

	// Then the restore itself: each site atomically, verified against the snapshot.
	res, err = snapshot.Restore(ctx, shop.src, shop.store, m, damaged)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("restored:", res.Restored)

	violations, err = snapshot.Check(ctx, shop.src, m, snapshot.Unchanged(sites...))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("violations after restore:", len(violations))
	// Output:
	// snapshot pre-deploy-1234: 3 partitions, 150 rows
	// RowCountDrop(0.05): products/acme: row count dropped 60.0%, more than 5% (rows 50 → 20)
	// RowCountDrop(0.05): products/globex: row count dropped 60.0%, more than 5% (rows 50 → 20)
	// restore of snapshot pre-deploy-1234 (journal r-17957cb2e886d80bf307), 2 partition(s)
	// PARTITION         SNAPSHOT       LIVE    DELTA  ACTION
	// products/acme           50         20      -30  restore
	// products/globex         50         20      -30  restore
	// restored: [products/acme products/globex]
	// violations after restore: 0
}

// A progress bar for a restore, with each site paused while it is restored.
func ExampleOnProgress() {
	shop := openShop()
	defer shop.close()
	ctx := context.Background()
	sites := []snapshot.Partition{{Table: "products", Key: "acme"}, {Table: "products", Key: "globex"}, {Table: "products", Key: "initech"}}
	m, err := snapshot.Take(ctx, shop.src, shop.store, sites, snapshot.ID("pre-deploy"))
	if err != nil {
		log.Fatal(err)
	}
	shop.badDeploy("acme", "globex", "initech")

	bar := func(e snapshot.Progress) {
		if e.Stage == "started" {
			return
		}
		done := strings.Repeat("#", 10*e.Finished/e.Total)
		fmt.Printf("[%-10s] %d/%d %s %s\n", done, e.Finished, e.Total, e.Partition, e.Stage)
	}
	pause := func(_ context.Context, p snapshot.Partition) error { fmt.Println("pause", p.Key); return nil }
	resume := func(_ context.Context, p snapshot.Partition) error { fmt.Println("resume", p.Key); return nil }
	_, err = snapshot.Restore(ctx, shop.src, shop.store, m, sites,
		snapshot.Parallelism(1), snapshot.OnProgress(bar), snapshot.PauseResume(pause, resume))
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// pause acme
	// resume acme
	// [###       ] 1/3 products/acme done
	// pause globex
	// resume globex
	// [######    ] 2/3 products/globex done
	// pause initech
	// resume initech
	// [##########] 3/3 products/initech done
}

// Diff shows which rows a deploy removed or changed.
func ExampleDiff() {
	shop := openShop()
	defer shop.close()
	ctx := context.Background()
	acme := []snapshot.Partition{{Table: "products", Key: "acme"}}
	m, err := snapshot.Take(ctx, shop.src, shop.store, acme, snapshot.ID("pre-deploy"))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := shop.db.Exec(`DELETE FROM products WHERE site = 'acme' AND sku IN ('sku-03', 'sku-04');
		UPDATE products SET price = 99 WHERE site = 'acme' AND sku = 'sku-07'`); err != nil {
		log.Fatal(err)
	}
	d, err := snapshot.Diff(ctx, shop.src, shop.store, m, acme, snapshot.KeyDiff(10))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(d)
	// Output:
	// restore of snapshot pre-deploy (journal r-efebf581a21375fa418d), 1 partition(s)
	// PARTITION       SNAPSHOT       LIVE    DELTA  ACTION
	// products/acme         50         48       -2  restore
	//   rows: 0 added, 2 removed, 1 changed
	//   - acme sku-03 3.5
	//   - acme sku-04 4.5
	//   ~ acme sku-07: price "7.5" → "99.0"
}
