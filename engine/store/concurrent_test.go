package store

import (
	"path/filepath"
	"sync"
	"testing"
)

// TestConcurrentFirstOpens: several vidsift processes opening one new
// library at once (xargs -P, the app beside a watch) all open it: none
// takes another's half-made schema for another program's database, or
// fails migrating what another has migrated.
func TestConcurrentFirstOpens(t *testing.T) {
	for round := 0; round < 5; round++ {
		path := filepath.Join(t.TempDir(), "new.db")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := Open(path)
				if err == nil {
					err = s.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, opener %d: %v", round, i, err)
			}
		}
	}
}
