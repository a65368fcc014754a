// Package dbtest holds helpers for tests that inspect the whole database.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// Holding lists every place in db that still holds one of the values: a
// cell equal to id, or text containing id or one of texts. Erasure tests use
// it to prove nothing of a person is left.
func Holding(tb testing.TB, db *sql.DB, id int64, texts ...string) []string {
	tb.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			tb.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) == 0 {
		tb.Fatal("the database has no tables")
	}
	needles := append(texts[:len(texts):len(texts)], fmt.Sprint(id))
	var found []string
	for _, table := range tables {
		found = append(found, holdingIn(tb, db, table, id, needles)...)
	}
	return found
}

func holdingIn(tb testing.TB, db *sql.DB, table string, id int64, needles []string) []string {
	tb.Helper()
	rs, err := db.QueryContext(context.Background(), `SELECT * FROM "`+table+`"`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var found []string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		for i, v := range vals {
			var s string
			switch v := v.(type) {
			case int64:
				if v == id {
					found = append(found, fmt.Sprintf("%s.%s = %d", table, cols[i], v))
				}
				continue
			case string:
				s = v
			case []byte:
				s = string(v)
			default:
				continue
			}
			for _, x := range needles {
				if strings.Contains(s, x) {
					found = append(found, fmt.Sprintf("%s.%s contains %q", table, cols[i], x))
				}
			}
		}
	}
	if err := rs.Err(); err != nil {
		tb.Fatal(err)
	}
	return found
}
