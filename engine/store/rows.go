package store

import "database/sql"

// eachRow calls f on each row of rows, then closes them: the first error
// of f, of the iteration or of closing ends it. Every loop over rows in
// this package goes through it, so none forgets to close them or to check
// rows.Err (a read cut short would pass for fewer rows).
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
