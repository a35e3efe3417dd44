package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/engine/store"
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
	// ErrNotStored: every file was scanned, but the library could not
	// keep some; the summary says which and why.
	ErrNotStored error = silentError{ExitSomeBad, "the library could not keep some files"}
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
		fmt.Fprintln(stderr, "vidsift:", worded(err))
		return ExitUsage
	default:
		fmt.Fprintln(stderr, "vidsift:", worded(err))
		return ExitSomeBad
	}
}

// worded is err with the CLI's remedy, if it has one.
func worded(err error) string {
	r := remedy(err)
	switch {
	case r == "":
		return err.Error()
	case strings.HasPrefix(r, "\n"):
		return err.Error() + r
	}
	return err.Error() + " " + r
}

// remedy words, with the CLI's flags and commands, what to do about an
// engine error that says what went wrong ("" when there is nothing to add).
func remedy(err error) string {
	switch {
	case errors.Is(err, config.ErrNoModel):
		return "\nChoose one with --model FILE (or VIDSIFT_MODEL), run `make setup` to install the default,\n" +
			"or export one with Ultralytics: pip install ultralytics && yolo export model=yolov8n.pt format=onnx dynamic=True"
	case errors.Is(err, detect.ErrNoRuntime):
		return "(run `make setup`, or name it with --onnxruntime-library or VIDSIFT_ONNXRUNTIME_LIBRARY)"
	case errors.Is(err, cluster.ErrTLSPair):
		return "(--tls-cert and --tls-key go together)"
	case errors.Is(err, cluster.ErrCredentials):
		return "(check --token, or --user and --password: VIDSIFT_NATS_TOKEN, VIDSIFT_NATS_USER, VIDSIFT_NATS_PASSWORD)"
	case errors.Is(err, cluster.ErrNoHub):
		return "(start one with `vidsift hub`)"
	case errors.Is(err, cluster.ErrListenAddress):
		return "(--listen HOST:PORT, e.g. --listen 0.0.0.0:4222)"
	case errors.Is(err, export.ErrIsFolder):
		return "(name a file to write, e.g. one inside it)"
	case errors.Is(err, export.ErrNotExport):
		return "(choose an empty or new folder; --force writes into it anyway, deleting none of its files)"
	case errors.Is(err, cluster.ErrOpenHub):
		return "\nSet --token (or --user and --password), and --tls-cert/--tls-key on an untrusted network."
	case errors.Is(err, store.ErrNotLibrary):
		return "(--library names the library file, a new one if it does not exist; --library off scans without one)"
	case errors.Is(err, store.ErrDamaged):
		return "(restore it from a backup, or move it aside: the next scan starts a new library at that path)"
	case errors.Is(err, store.ErrUnreadLog):
		return "(copy the library with its -wal file and its thumbnails folder somewhere writable and name the copy with --library: vidsift reads the log there)"
	}
	return ""
}
