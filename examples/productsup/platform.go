package productsup

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // the embedded database: no server needed

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/sqlsource"
)

// The platform's sites: the heavy group the deploy was meant for, and the
// rest. The "monitored" list the deploy was started from by mistake holds
// both.
var (
	heavy     = []string{"heavy-01", "heavy-02", "heavy-03"}
	others    = []string{"site-04", "site-05", "site-06", "site-07", "site-08", "site-09", "site-10"}
	monitored = append(append([]string{}, heavy...), others...)
)

// platform is one copy of the world: the products database and the Platform
// API version each site runs.
type platform struct {
	db  *sql.DB
	src *sqlsource.Source
	api *fleet
}

// openPlatform creates the products database in dir: every site has a few
// hundred products, all on Platform API v1.
func openPlatform(dir, name string) (*platform, error) {
	db, err := sql.Open("sqlite", filepath.Join(dir, name)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // SQLite has one writer
	if _, err := db.Exec(`CREATE TABLE products (site TEXT NOT NULL, sku TEXT NOT NULL,
		title TEXT NOT NULL, price REAL, variants INTEGER NOT NULL, PRIMARY KEY (site, sku))`); err != nil {
		db.Close()
		return nil, err
	}
	tx, err := db.Begin()
	if err != nil {
		db.Close()
		return nil, err
	}
	for i, site := range monitored {
		var rows []string
		for n := 1; n <= 300+37*i; n++ {
			rows = append(rows, fmt.Sprintf("('%s', 'sku-%04d', 'Product %d of %s', %d.99, %d)", site, n, n, site, 5+n%40, n%5))
		}
		if _, err := tx.Exec(`INSERT INTO products VALUES ` + strings.Join(rows, ",")); err != nil {
			tx.Rollback()
			db.Close()
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		db.Close()
		return nil, err
	}
	src, err := sqlsource.New(db, sqlsource.Table("products", "site"))
	if err != nil {
		db.Close()
		return nil, err
	}
	api := &fleet{cur: map[string]string{}, prev: map[string]string{}}
	for _, s := range monitored {
		api.cur[s] = "v1"
	}
	return &platform{db: db, src: src, api: api}, nil
}

func (p *platform) Close() error { return p.db.Close() }

// runImports is the afternoon's processing: every site imports its feed
// through the Platform API version it runs. v2 needs the variant mapping
// that only the heavy sites were given; elsewhere it keeps only products
// with at least three variants, and silently drops the others.
func (p *platform) runImports(ctx context.Context) error {
	for _, site := range monitored {
		v, err := p.api.Version(ctx, site)
		if err != nil {
			return err
		}
		if v == "v2" && !slices.Contains(heavy, site) {
			if _, err := p.db.ExecContext(ctx, `DELETE FROM products WHERE site = ? AND variants < 3`, site); err != nil {
				return err
			}
		}
	}
	return nil
}

// counts returns the product count of the given sites together.
func (p *platform) counts(ctx context.Context, sites []string) (int64, error) {
	m, err := p.src.Counts(ctx, "products", sites)
	var n int64
	for _, c := range m {
		n += c
	}
	return n, err
}

func partitions(sites []string) []snapshot.Partition {
	out := make([]snapshot.Partition, len(sites))
	for i, s := range sites {
		out[i] = snapshot.Partition{Table: "products", Key: s}
	}
	return out
}

// fleet is the Platform API version of each site: a rollout.Deployer.
type fleet struct {
	mu        sync.Mutex
	cur, prev map[string]string
	deploys   int // Deploy calls received
}

func (f *fleet) Deploy(_ context.Context, site, version string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.cur[site]; !ok {
		return fmt.Errorf("no site %q", site)
	}
	f.deploys++
	f.prev[site], f.cur[site] = f.cur[site], version
	return nil
}

func (f *fleet) Rollback(_ context.Context, site string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cur[site] = f.prev[site]
	return nil
}

func (f *fleet) Version(_ context.Context, site string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.cur[site]
	if !ok {
		return "", fmt.Errorf("no site %q", site)
	}
	return v, nil
}

// on lists the sites running version.
func (f *fleet) on(version string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for s, v := range f.cur {
		if v == version {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
