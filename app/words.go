package app

import "fmt"

// countOf is n and the noun, singular or plural: "1 clip", "2 clips".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
