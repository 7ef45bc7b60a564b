package sqlsource

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot"
)

// TestPostgresTypes checks, over many column types and awkward values, that
// the generic path renders exactly what COPY does, and that Dump → Replace
// → Dump is byte-identical through both paths.
func TestPostgresTypes(t *testing.T) {
	db, schema := pgDB(t)
	table := schema + ".everything"
	mustExec(t, db, `CREATE TABLE `+table+` (
		tenant text NOT NULL, id bigint NOT NULL, name text, note varchar(50), flag boolean,
		price numeric(12,2), big numeric, ratio float8, small real, created timestamptz, local timestamp,
		day date, span interval, payload bytea, tags text[], doc jsonb, addr inet, code char(4), uid uuid,
		cash money, gen bigint GENERATED ALWAYS AS (id * 2) STORED,
		PRIMARY KEY (tenant, id))`,
		`INSERT INTO `+table+` (tenant, id, name, note, flag, price, big, ratio, small, created, local, day, span, payload, tags, doc, addr, code, uid, cash) VALUES
		('t1', 1, E'tab\there\nnew line \\ back', 'ünïcødé ✓', true, 12.50, 1e40, 0.1, 1.5, '2026-11-23 10:11:12.123456+05', '2026-01-01 00:00:00', '2026-02-28', '1 day 02:03:04', '\x0009ff5c0a', '{a,"b c",NULL}', '{"k": [1, "x\ty"]}', '192.168.0.1', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 12.34),
		('t1', 2, NULL, NULL, false, -0.01, 'NaN', 'Infinity', '-0', 'infinity', '-infinity', '0001-01-01 BC', '-1 mon', '\x', '{}', 'null', '::1/128', NULL, NULL, NULL),
		('t1', 3, '\N', '', NULL, NULL, -123456789.123456789, 1e-300, 3.4e38, '1970-01-01 00:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'abcd', NULL, NULL),
		('t2', 1, 'other tenant', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`)
	// A session with unusual settings must dump the same bytes.
	mustExec(t, db, `SET TimeZone = 'America/New_York'`, `SET DateStyle = 'German'`, `SET extra_float_digits = 3`)
	copySrc := mustNew(t, db, Table(table, "tenant"))
	genSrc := mustNew(t, db, Table(table, "tenant"), withCopy(false), withPageSize(2))

	viaCopy, viaGeneric := dump(t, copySrc, table, "t1"), dump(t, genSrc, table, "t1")
	if !bytes.Equal(viaCopy, viaGeneric) {
		t.Fatalf("generic path differs from COPY:\ngeneric %q\ncopy    %q", viaGeneric, viaCopy)
	}
	if bytes.Count(viaCopy, []byte{'\n'}) != 3 {
		t.Fatalf("dump has %d rows, want 3:\n%s", bytes.Count(viaCopy, []byte{'\n'}), viaCopy)
	}
	for _, want := range []string{`\\x0009ff5c0a`, `2026-11-23 05:11:12.123456+00`, "\tt\t", `ab  `, `tab\there\nnew line \\ back`, `\\N`, "\t0.1\t", "\t$12.34\n"} {
		if !bytes.Contains(viaCopy, []byte(want)) {
			t.Errorf("dump lacks %q:\n%s", want, viaCopy)
		}
	}
	other := dump(t, copySrc, table, "t2")
	for _, s := range []*Source{copySrc, genSrc} {
		p := snapshot.Partition{Table: table, Key: "t1"}
		if err := s.Replace(context.Background(), p, bytes.NewReader(viaCopy), expect(viaCopy)); err != nil {
			t.Fatal(err)
		}
		if got := dump(t, genSrc, table, "t1"); !bytes.Equal(got, viaCopy) {
			t.Fatalf("round trip differs:\n%q\nwant\n%q", got, viaCopy)
		}
	}
	if !bytes.Equal(dump(t, copySrc, table, "t2"), other) {
		t.Fatal("Replace touched another partition")
	}
	sch, err := copySrc.Schema(context.Background(), table)
	if err != nil {
		t.Fatal(err)
	}
	if len(sch.Columns) != 20 || sch.Columns[19] != "cash" {
		t.Errorf("Schema has %d columns (want 20, generated column excluded): %v", len(sch.Columns), sch.Columns)
	}
	if fmt.Sprint(sch.KeyColumns) != "[tenant id]" || sch.Types[5] != "numeric(12,2)" {
		t.Errorf("Schema = %+v", sch)
	}
}

// TestSQLiteTypes checks the SQLite rendering of every storage class, in
// typed and untyped columns, and that it round-trips through Replace.
func TestSQLiteTypes(t *testing.T) {
	db := sqliteDB(t)
	mustExec(t, db, `CREATE TABLE kinds (tenant TEXT NOT NULL, id INTEGER NOT NULL, i INTEGER, r REAL,
		s TEXT, b BLOB, anything, n NUMERIC, d DATETIME, PRIMARY KEY (tenant, id))`)
	ins := `INSERT INTO kinds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	rows := [][]any{
		{"a", 1, int64(math.MinInt64), 3.0, "tab\tnl\nbs\\", []byte{0, 9, 0xff, '\\'}, int64(7), 1.5, "2026-11-23 10:11:12"},
		{"a", 2, nil, 0.1, "", []byte{}, 2.5, int64(10), nil},
		{"a", 3, int64(math.MaxInt64), math.Inf(-1), "ünï ✓", nil, []byte("blob"), "text in numeric", "not a date"},
		{"a", 4, 0, 1e300, `\x41`, []byte("z"), "plain text", nil, "2026-01-01T00:00:00Z"},
		{"b", 1, 1, 1.0, "other", nil, nil, nil, nil},
	}
	for _, r := range rows {
		if _, err := db.Exec(ins, r...); err != nil {
			t.Fatal(err)
		}
	}
	s := mustNew(t, db, Table("kinds", "tenant"), withPageSize(2))
	before := dump(t, s, "kinds", "a")
	want := "a\t1\t-9223372036854775808\t3.0\ttab\\tnl\\nbs\\\\\t\\\\x0009ff5c\t7\t1.5\t2026-11-23 10:11:12\n" +
		"a\t2\t\\N\t0.1\t\t\\\\x\t2.5\t10\t\\N\n" +
		"a\t3\t9223372036854775807\t-Infinity\tünï ✓\t\\N\t\\\\x626c6f62\ttext in numeric\tnot a date\n" +
		"a\t4\t0\t1e+300\t\\\\x41\t\\\\x7a\tplain text\t\\N\t2026-01-01T00:00:00Z\n"
	if string(before) != want {
		t.Fatalf("dump =\n%q\nwant\n%q", before, want)
	}
	other := dump(t, s, "kinds", "b")
	if err := s.Replace(context.Background(), snapshot.Partition{Table: "kinds", Key: "a"}, bytes.NewReader(before), expect(before)); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, s, "kinds", "a"); !bytes.Equal(got, before) {
		t.Fatalf("round trip differs:\n%q\nwant\n%q", got, before)
	}
	// Storage classes survive too, where the column's affinity allows it.
	var types string
	if err := db.QueryRow(`SELECT group_concat(typeof(i)||typeof(r)||typeof(s)||typeof(b)||typeof(anything)||typeof(n), ',') FROM (SELECT * FROM kinds WHERE tenant = 'a' ORDER BY id)`).Scan(&types); err != nil {
		t.Fatal(err)
	}
	if wantTypes := "integerrealtextblobintegerreal,nullrealtextblobrealinteger,integerrealtextnullblobtext,integerrealtextblobtextnull"; types != wantTypes {
		t.Errorf("storage classes after Replace = %s, want %s", types, wantTypes)
	}
	if !bytes.Equal(dump(t, s, "kinds", "b"), other) {
		t.Fatal("Replace touched another partition")
	}
}
