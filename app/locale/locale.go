// Package locale replaces a bare "C"/"POSIX" locale with en_US.UTF-8 before
// Fyne reads it: Fyne's lang package parses the locale in its own init and
// logs "Error parsing user locale C" for the C locale, on every command.
//
// It works by init order (Go spec, "Package initialization"): ready packages
// initialise in import-path order, and this one, needing only os, is ready
// before golang.org/x/text — which fyne.io/fyne/v2/lang waits for. main
// imports it for its side effect.
package locale

import (
	"os"
	"strings"
)

func init() {
	for _, key := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if isPlainC(os.Getenv(key)) {
			os.Setenv(key, "en_US.UTF-8")
		}
	}
}

// isPlainC reports whether v names the C/POSIX locale (C, C.UTF-8, POSIX).
func isPlainC(v string) bool {
	base, _, _ := strings.Cut(v, ".")
	return base == "C" || base == "POSIX"
}
