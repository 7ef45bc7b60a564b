package sqlsource

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/deploysafe/deploysafe/internal/clip"
	"github.com/deploysafe/deploysafe/snapshot/internal/rowcodec"
)

// ErrDependents reports a Replace refused before it wrote anything because
// deleting rows of the partition would change or be blocked by rows that
// Replace does not restore: rows of another table (or of another partition
// of the same table) that reference them through a foreign key. The error is
// a [*DependentError] naming the constraint.
var ErrDependents = errors.New("sqlsource: rows outside the partition depend on it")

// A DependentError names a foreign key through which a Replace would have
// reached rows outside the partition it restores. It wraps [ErrDependents].
type DependentError struct {
	Constraint string // the foreign key's name
	Table      string // the referencing (child) table
	Action     string // ON DELETE (or, for a changed key value, ON UPDATE) action: "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"
	Rows       int64  // referencing rows outside the partition that the delete or update would reach

	update bool // reached by updating a referenced column in place, not by a delete
}

// Error names the constraint, the child table, the action and the rows.
func (e *DependentError) Error() string {
	on := "DELETE"
	if e.update {
		on = "UPDATE"
	}
	return fmt.Sprintf("%v: foreign key %q of table %s ON %s %s reaches %d of its rows; restore them with it (IncludeDependents; the command's --include-dependents) if the snapshot has them",
		ErrDependents, clip.String(e.Constraint), clip.String(e.Table), on, e.Action, e.Rows)
}

// Unwrap returns ErrDependents.
func (e *DependentError) Unwrap() error { return ErrDependents }

// errWhole tells applyDiff to replace the partition whole: a
// self-referencing key would carry a delete by key to rows it keeps.
var errWhole = errors.New("sqlsource: replace the partition whole")

// fkRef is a foreign key that references the table being restored.
type fkRef struct {
	name     string
	child    string // quoted, qualified (as PostgreSQL's format %I quotes: for the queries)
	qname    string // quoted, qualified as meta.qname: to find the child among a group's tables
	display  string // child as PostgreSQL prints it
	action   string
	onUpdate string   // the ON UPDATE action
	pcols    []string // the referenced (parent) columns, unquoted
	deferred bool     // NO ACTION checked at commit: delete + re-insert passes
	self     bool     // the table references itself
	join     string   // c.col = p.col AND …
}

// pgReferencing lists the foreign keys that reference table $1 (a quoted,
// qualified name), with the join condition built by the server (format %I
// quotes the names).
const pgReferencing = `SELECT c.conname, format('%I.%I', n.nspname, cl.relname),
	'"' || replace(n.nspname, '"', '""') || '"."' || replace(cl.relname, '"', '""') || '"', c.conrelid::regclass::text,
	c.confdeltype::text, c.confupdtype::text, c.condeferred, c.conrelid = c.confrelid,
	(SELECT string_agg(pa.attname, E'\x1f' ORDER BY k.o)
	   FROM unnest(c.confkey) WITH ORDINALITY AS k(pk, o)
	   JOIN pg_catalog.pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.pk),
	(SELECT string_agg(format('c.%I = p.%I', ca.attname, pa.attname), ' AND ' ORDER BY k.o)
	   FROM unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(ck, pk, o)
	   JOIN pg_catalog.pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.ck
	   JOIN pg_catalog.pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.pk)
FROM pg_catalog.pg_constraint c
JOIN pg_catalog.pg_class cl ON cl.oid = c.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
WHERE c.contype = 'f' AND c.confrelid = $1::regclass AND c.conparentid = 0
ORDER BY c.conname`

var pgActions = map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

// referencing reads, inside tx, the foreign keys that reference m.
func (s *Source) referencing(ctx context.Context, q queryer, m *meta) ([]fkRef, error) {
	if s.dialect == postgres {
		rows, err := q.QueryContext(ctx, pgReferencing, m.qname)
		if err != nil {
			return nil, fmt.Errorf("read foreign keys: %w", err)
		}
		var refs []fkRef
		for rows.Next() {
			var r fkRef
			var pcols string
			if err := rows.Scan(&r.name, &r.child, &r.qname, &r.display, &r.action, &r.onUpdate, &r.deferred, &r.self, &pcols, &r.join); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read foreign keys: %w", err)
			}
			r.action, r.onUpdate, r.pcols = pgActions[r.action], pgActions[r.onUpdate], strings.Split(pcols, "\x1f")
			refs = append(refs, r)
		}
		if err := closeRows(rows); err != nil {
			return nil, fmt.Errorf("read foreign keys: %w", err)
		}
		return refs, nil
	}
	// SQLite enforces foreign keys only with PRAGMA foreign_keys on.
	rows, err := q.QueryContext(ctx, `SELECT foreign_keys FROM pragma_foreign_keys`)
	if err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	on := false
	for rows.Next() {
		if err := rows.Scan(&on); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read foreign keys: %w", err)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	if !on {
		return nil, nil
	}
	parent := strings.Trim(m.qname, `"`)
	parent = strings.ReplaceAll(parent, `""`, `"`)
	rows, err = q.QueryContext(ctx, `SELECT t.name, f.id, f."from", f."to", f.on_delete, f.on_update
		FROM sqlite_schema t, pragma_foreign_key_list(t.name) f
		WHERE t.type = 'table' AND f."table" = ? COLLATE NOCASE ORDER BY t.name, f.id, f.seq`, parent)
	if err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	var pk []colMeta // the parent's primary key, for a reference without columns
	for _, c := range m.cols {
		if c.pkPos > 0 {
			for len(pk) < c.pkPos {
				pk = append(pk, colMeta{})
			}
			pk[c.pkPos-1] = c
		}
	}
	var refs []fkRef
	type id struct {
		table string
		n     int
	}
	seq := map[id]int{}
	for rows.Next() {
		var child, from, action, onUpdate string
		var n int
		var to *string
		if err := rows.Scan(&child, &n, &from, &to, &action, &onUpdate); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read foreign keys: %w", err)
		}
		k := id{child, n}
		i, ok := seq[k]
		pname := ""
		if to != nil {
			pname = *to
		} else if i < len(pk) {
			pname = pk[i].name
		}
		cond := "c." + quoteIdent(from) + " = p." + quoteIdent(pname)
		if !ok {
			refs = append(refs, fkRef{
				name: fmt.Sprintf("%s#%d", child, n), child: quoteIdent(child), qname: quoteIdent(child), display: child,
				action: strings.ToUpper(action), onUpdate: strings.ToUpper(onUpdate), self: strings.EqualFold(child, parent), join: cond,
			})
		} else {
			refs[len(refs)-1].join += " AND " + cond
		}
		refs[len(refs)-1].pcols = append(refs[len(refs)-1].pcols, pname)
		seq[k] = i + 1
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("read foreign keys: %w", err)
	}
	return refs, nil
}

// checkDependents refuses, before the first write of Replace's transaction,
// a delete of partition key's rows (all of them if stale is nil, else the
// rows whose COPY TEXT lines stale holds) that a foreign key would carry to
// rows Replace does not restore: ON DELETE CASCADE, SET NULL or SET DEFAULT
// would change them silently, RESTRICT or an immediate NO ACTION would fail
// the delete. Rows of the same partition of a self-referencing table are
// restored with it (and verified), so only those of other partitions count.
// A NO ACTION key checked at commit (DEFERRABLE INITIALLY DEFERRED) passes:
// the rows deleted are loaded again before the check.
//
// Replace sees one partition of one table, so a dependent table is outside
// its selection whatever the caller selected.
func (s *Source) checkDependents(ctx context.Context, q queryer, m *meta, key string, stale []string) error {
	return s.checkDependentsIn(ctx, q, m, key, stale, nil)
}

// checkDependentsIn is checkDependents for a restore of several tables in
// one transaction: group maps each of its tables (meta.qname) to its
// partition column (quoted); the rows of partition key of those tables are
// restored with m's, so only their other partitions' rows count.
func (s *Source) checkDependentsIn(ctx context.Context, q queryer, m *meta, key string, stale []string, group map[string]string) error {
	refs, err := s.referencing(ctx, q, m)
	if err != nil || len(refs) == 0 {
		return err
	}
	if stale != nil {
		for _, r := range refs {
			if r.self && (r.action == "CASCADE" || r.action == "SET NULL" || r.action == "SET DEFAULT") {
				// Deleting a stale row would change kept rows of the
				// partition too: replace it whole, once nothing outside
				// it depends on it.
				if err := s.checkDependentsIn(ctx, q, m, key, nil, group); err != nil {
					return err
				}
				return errWhole
			}
		}
	}
	keyCond, args, err := s.staleFilter(m, key, stale)
	if err != nil {
		return err
	}
	for _, r := range refs {
		switch r.action {
		case "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT":
		case "NO ACTION":
			if r.deferred || s.dialect == sqlite {
				// SQLite's catalog does not say whether the key is
				// deferred; an immediate one fails the delete, which
				// rolls the whole Replace back.
				continue
			}
		default:
			continue
		}
		n, err := s.reach(ctx, q, m, r, keyCond, args, group)
		if err != nil {
			return err
		}
		if n > 0 {
			return &DependentError{Constraint: r.name, Table: r.display, Action: r.action, Rows: n}
		}
	}
	return nil
}

// checkUpdates refuses, before changed rows are updated in place, an
// update of a referenced column that a foreign key would carry to rows
// outside what is restored (ON UPDATE CASCADE, SET NULL, SET DEFAULT) or
// that it would block (RESTRICT, an immediate NO ACTION): the rows old
// holds (COPY TEXT lines) are the changed rows before, changed after.
func (s *Source) checkUpdates(ctx context.Context, q queryer, m *meta, key string, old []string, changed []rowcodec.Row, group map[string]string) error {
	if len(changed) == 0 {
		return nil
	}
	refs, err := s.referencing(ctx, q, m)
	if err != nil || len(refs) == 0 {
		return err
	}
	byName := make(map[string]int, len(m.cols))
	for i, c := range m.cols {
		byName[c.name] = i
	}
	for _, r := range refs {
		switch r.onUpdate {
		case "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT":
		case "NO ACTION":
			if r.deferred || s.dialect == sqlite {
				continue // checked at commit, or (SQLite) fails the update itself
			}
		default:
			continue
		}
		var moved []string // changed rows whose referenced value changes
		for i, row := range changed {
			before, err := rowcodec.Decode([]byte(old[i]))
			if err != nil || len(before) != len(m.cols) {
				return fmt.Errorf("live row %q: cannot read it (%v)", clip.String(old[i]), err)
			}
			for _, c := range r.pcols {
				if k, ok := byName[c]; !ok || before[k] != row[k] {
					moved = append(moved, old[i])
					break
				}
			}
		}
		if len(moved) == 0 {
			continue
		}
		keyCond, args, err := s.staleFilter(m, key, moved)
		if err != nil {
			return err
		}
		n, err := s.reach(ctx, q, m, r, keyCond, args, group)
		if err != nil {
			return err
		}
		if n > 0 {
			return &DependentError{Constraint: r.name, Table: r.display, Action: r.onUpdate, Rows: n, update: true}
		}
	}
	return nil
}

// staleFilter is the condition (on the parent, alias p) and the bind
// arguments that select partition key's rows whose COPY TEXT lines stale
// holds (all of the partition if stale is nil); args[0] is the key.
func (s *Source) staleFilter(m *meta, key string, stale []string) (string, []any, error) {
	var keyCond string
	args := []any{s.keyArg(m, key)}
	if stale != nil && s.dialect == sqlite && len(m.order) > 0 && len(stale)*len(m.order) < maxParams {
		var cols []string
		for _, k := range m.order {
			cols = append(cols, "p."+m.cols[k].quoted)
		}
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(m.order)), ", ") + ")"
		for _, l := range stale {
			vals, err := rowcodec.Decode([]byte(l))
			if err != nil || len(vals) != len(m.cols) {
				return "", nil, fmt.Errorf("live row %q: cannot read its key (%v)", clip.String(l), err)
			}
			for _, k := range m.order {
				if !vals[k].Valid {
					return "", nil, fmt.Errorf("live row %q: NULL in key column %q", clip.String(l), m.cols[k].name)
				}
				args = append(args, parseSQLite(vals[k].String, m.cols[k].aff))
			}
		}
		keyCond = fmt.Sprintf(" AND (%s) IN (VALUES %s)", strings.Join(cols, ", "), strings.TrimSuffix(strings.Repeat(row+", ", len(stale)), ", "))
	}
	if stale != nil && s.dialect == postgres && len(m.order) > 0 {
		keys := make([][]string, len(m.order))
		for _, l := range stale {
			row, err := rowcodec.Decode([]byte(l))
			if err != nil || len(row) != len(m.cols) {
				return "", nil, fmt.Errorf("live row %q: cannot read its key (%v)", clip.String(l), err)
			}
			for i, k := range m.order {
				if !row[k].Valid {
					return "", nil, fmt.Errorf("live row %q: NULL in key column %q", clip.String(l), m.cols[k].name)
				}
				keys[i] = append(keys[i], row[k].String)
			}
		}
		var cols, casts, arrays, names []string
		for i, k := range m.order {
			c := m.cols[k]
			cols = append(cols, "p."+c.quoted)
			casts = append(casts, fmt.Sprintf("CAST(u.c%d AS %s)", i, c.typ))
			arrays = append(arrays, fmt.Sprintf("CAST($%d::text AS text[])", i+2))
			names = append(names, fmt.Sprintf("c%d", i))
			args = append(args, pgArray(keys[i]))
		}
		keyCond = fmt.Sprintf(" AND (%s) IN (SELECT %s FROM unnest(%s) AS u(%s))",
			strings.Join(cols, ", "), strings.Join(casts, ", "), strings.Join(arrays, ", "), strings.Join(names, ", "))
	}
	return keyCond, args, nil
}

// reach counts the rows of r's child table, outside the group (and outside
// the partition for a self reference), that reference the parent rows
// keyCond selects.
func (s *Source) reach(ctx context.Context, q queryer, m *meta, r fkRef, keyCond string, args []any, group map[string]string) (int64, error) {
	part := m.cols[m.part]
	outside := ""
	childPart, inGroup := group[r.qname]
	if r.self {
		childPart, inGroup = part.quoted, true
	}
	if inGroup {
		outside = fmt.Sprintf(" AND c.%s IS DISTINCT FROM %s", childPart, s.param(part, 1))
		if s.dialect == sqlite {
			outside = fmt.Sprintf(" AND c.%s IS NOT ?", childPart)
		}
	}
	query := fmt.Sprintf("SELECT count(*) FROM %s c WHERE EXISTS (SELECT 1 FROM %s p WHERE p.%s = %s AND %s%s)%s",
		r.child, m.qname, part.quoted, s.param(part, 1), r.join, keyCond, outside)
	qargs := args
	if inGroup && s.dialect == sqlite {
		qargs = append(append([]any(nil), args...), args[0]) // the last ?
	}
	rows, err := q.QueryContext(ctx, query, qargs...)
	if err != nil {
		return 0, fmt.Errorf("count rows referencing the partition through %q: %w", r.name, err)
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return 0, err
		}
	}
	if err := closeRows(rows); err != nil {
		return 0, fmt.Errorf("count rows referencing the partition through %q: %w", r.name, err)
	}
	return n, nil
}
