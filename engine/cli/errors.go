package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// usageError is a mistake in how vidsift was called or configured: bad
// flags or settings, a missing model. Exit code 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// silentError ends a command with a code after it has said why itself.
type silentError struct {
	code int
	why  string
}

func (e silentError) Error() string { return e.why }

var (
	// ErrSomeFilesBad: some files failed or were partial; the per-file
	// summary says which.
	ErrSomeFilesBad error = silentError{ExitSomeBad, "some files failed or were partial"}
	// ErrNoMatch: a query command matched nothing (as grep: exit 1).
	ErrNoMatch error = silentError{ExitSomeBad, "nothing matched"}
	// errUsageShown: the usage (or pflag's message) is already printed.
	errUsageShown error = silentError{ExitUsage, "usage"}
	// errNeedsUsage asks execute to print the command's usage (exit 2).
	errNeedsUsage = errors.New("needs usage")
)

// exitCode is the one place that turns a command's error into an exit
// code, saying on stderr what the command has not said already.
func exitCode(stderr io.Writer, err error) int {
	var silent silentError
	var usage usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &silent):
		return silent.code
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitInterrupted
	case errors.As(err, &usage):
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitUsage
	default:
		fmt.Fprintln(stderr, "vidsift:", err)
		return ExitSomeBad
	}
}
