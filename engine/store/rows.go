package store

import "database/sql"

// eachRow calls f on each row of rows, then closes them: the first error
// of f, of the iteration or of closing ends it.
func eachRow(rows *sql.Rows, f func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}
