package sqlsource_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/sqlsource"
	_ "modernc.org/sqlite"
)

func Example() {
	dir, err := os.MkdirTemp("", "sqlsource-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "shop.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE products (site TEXT NOT NULL, sku TEXT NOT NULL, price REAL, photo BLOB,
		PRIMARY KEY (site, sku));
		INSERT INTO products VALUES ('acme', 'b-2', 9.5, NULL), ('acme', 'a-1', 3, x'cafe'), ('zeta', 'z', 1, NULL)`); err != nil {
		log.Fatal(err)
	}

	src, err := sqlsource.New(db, sqlsource.Table("products", "site"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	counts, err := src.Counts(ctx, "products", []string{"acme", "zeta"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows:", counts)
	if _, err := src.Dump(ctx, snapshot.Partition{Table: "products", Key: "acme"}, os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// rows: map[acme:2 zeta:1]
	// acme	a-1	3.0	\\xcafe
	// acme	b-2	9.5	\N
}
