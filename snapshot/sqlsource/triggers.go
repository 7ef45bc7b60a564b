package sqlsource

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// triggers disables or enables (what) the user triggers of the tables
// with DisableTriggers; without it, it does nothing.
func (s *Source) triggers(ctx context.Context, tx *sql.Tx, what string, ms ...*meta) error {
	if !s.quiet {
		return nil
	}
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+m.qname+" "+what+" TRIGGER USER"); err != nil {
			return fmt.Errorf("%s triggers of %s: %w", strings.ToLower(what), m.schema.Table, err)
		}
	}
	return nil
}

// explainVerify explains a verification that failed after a restore's writes:
// the user triggers of the restored tables fire during a restore, and one
// that writes (a counter, a timestamp, a rewrite of the row) makes the
// result differ from the snapshot. It names them, and the option that
// turns them off; without triggers it returns err as it is.
func (s *Source) explainVerify(ctx context.Context, q queryer, err error, ms ...*meta) error {
	if s.quiet {
		return err
	}
	var names []string
	for _, m := range ms {
		var query string
		if s.dialect == postgres {
			query = "SELECT tgname FROM pg_catalog.pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal AND tgenabled <> 'D' ORDER BY tgname"
		} else {
			query = "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE ORDER BY name"
		}
		arg := m.qname
		if s.dialect == sqlite {
			arg = m.schema.Table
		}
		rows, qerr := q.QueryContext(ctx, query, arg)
		if qerr != nil {
			return err // the explanation is a courtesy; the failure stands
		}
		for rows.Next() {
			var n string
			if rows.Scan(&n) == nil {
				names = append(names, m.schema.Table+"."+n)
			}
		}
		rows.Close()
	}
	if len(names) == 0 {
		return err
	}
	return fmt.Errorf("%w (after the restore's writes: user triggers fire during a restore and may have changed rows: %s; DisableTriggers, the command's --disable-triggers, turns them off)",
		err, strings.Join(names, ", "))
}
