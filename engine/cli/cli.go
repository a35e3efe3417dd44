// Package cli is vidsift's headless front end: `vidsift scan`, `watch`, `export`,
// `find`, `library`, `bench`, `hub`, `worker` and `version`. Each command is an options struct that adds its
// flags, and a run function that returns an error; Main maps errors to
// exit codes in one place.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/config"
)

// Exit codes.
const (
	ExitOK          = 0   // done; every file ok
	ExitSomeBad     = 1   // some files failed or were partial, an output could not be written, or a query matched nothing
	ExitUsage       = 2   // usage, config or model errors
	ExitInterrupted = 130 // stopped by a signal (128 + SIGINT)
)

// env is what every command runs with: the settings (flags the user set,
// bound over VIDSIFT_* and the config file) and where to write.
type env struct {
	v              *viper.Viper
	stdout, stderr io.Writer
	hooks          hooks
}

// hooks are what a test binary that runs the CLI adds; Main sets none.
type hooks struct {
	// workerOnJob is the worker's WorkerOptions.OnJob.
	workerOnJob func(path string)
	// clipWritten runs after clips says it wrote a clip.
	clipWritten func(ctx context.Context)
}

// command is one `vidsift NAME`.
type command struct {
	name  string
	usage string // the synopsis after "Usage: "
	about string // what it does, for --help
	// options holds the command's flags; flags that name a config key
	// (configFlags) override VIDSIFT_* and the config file.
	options interface{ AddFlags(*pflag.FlagSet) }
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	scan, export, bench := &scanOptions{}, &exportOptions{}, &benchOptions{}
	hub, worker, find := &hubOptions{}, &workerOptions{}, &findOptions{}
	library, watch, clipsOpts := &libraryOptions{}, &watchOptions{}, &clipsOptions{}
	return []command{
		{"scan", "vidsift scan [flags] PATH...",
			"Finds objects in videos (their keyframes, and frames between them) and photos (files or folders).",
			scan, func(ctx context.Context, e env, args []string) error { return runScan(ctx, e, *scan, args) }},
		{"watch", "vidsift watch [scan flags] [--settle 5s] [--poll 5m] PATH...",
			"Scans PATHs, then keeps watching them: each new or changed file is scanned once its size and\nmtime stayed the same for --settle. Moves cost no inference (the library knows files by\ncontent); a file that goes is reported, its results kept. A line per file scanned or gone goes\nto stdout, what is watched and notices to stderr. Results go to the library (find or export\nthem at any time). Runs until interrupted (exit 130); 2 on a usage error.",
			watch, func(ctx context.Context, e env, args []string) error { return runWatch(ctx, e, *watch, args) }},
		{"export", "vidsift export [--json FILE] [--csv FILE] [--classes a,b] [--conf X] [PATH...]",
			"Writes what the results library holds (the latest result of each file, or of the files at or\nunder PATHs) without scanning.",
			export, func(ctx context.Context, e env, args []string) error { return runExport(ctx, e, *export, args) }},
		{"find", "vidsift find [--together] [--conf X] [--min-duration 3s] [--json FILE] [--csv FILE] [--null] [--include-missing] EXPR [PATH...]",
			"Asks the results library which files show what, without scanning. EXPR joins class names with\n! (not), & (and) and | (or), in that order of precedence, and parentheses; quote names with\nspaces: '\"traffic light\" & car', '(cat | dog) & !horse'. Each matching file is printed with when\n(the spans of the classes named; with --together, when they are seen in the same frame), in\ntenths of a second; a name with a newline or other control character is printed quoted, and\n--null prints only the paths, each ended by a NUL. Files that are gone are left out (stderr\nsays how many) unless --include-missing.\nExit 0 when something matches, 1 when nothing does, 2 on a usage error.",
			find, func(ctx context.Context, e env, args []string) error { return runFind(ctx, e, *find, args) }},
		{"library", "vidsift library [--library FILE] [--json] [--dry-run] stats|missing|prune|relocate|forget [ARGS...]",
			libraryAbout,
			library, func(ctx context.Context, e env, args []string) error { return runLibrary(ctx, e, *library, args) }},
		{"clips", "vidsift clips EXPR [PATH...] --out DIR [--together] [--min-duration 3s] [--conf X] [--pad 1s] [--merge 2s] [--force]",
			"Cuts the moments where EXPR holds (as vidsift find answers it, from the library) into clips, by\nstream copy: no re-encoding, so a clip starts at the keyframe at or before its moment (up to one\nGOP early; the line and clips.json say by how much). Without --together a moment of 'dog & person'\nmay show only the dog: --together cuts where both are in the same frame. Each moment runs on to the\nnext analysed frame (the last to the end of the file), is padded by --pad and joined with one\ncloser than --merge. Nothing is overwritten without --force. Exit 0 when every clip was written, 1\nwhen nothing matched or a clip failed or was skipped, 2 on a usage error, 130 when interrupted.",
			clipsOpts, func(ctx context.Context, e env, args []string) error { return runClips(ctx, e, *clipsOpts, args) }},
		{"bench", "vidsift bench [flags] PATH...",
			"Measures decode, inference and end-to-end throughput on this machine, in one run, on the\nvideos at PATHs (files or folders), repeated to the file counts.",
			bench, func(ctx context.Context, e env, args []string) error { return runBench(ctx, e, *bench, args) }},
		{"hub", "vidsift hub [--listen HOST:PORT] [--store DIR] [--token T | --user U --password P] [--tls-cert F --tls-key F]",
			"Runs a cluster hub: NATS with JetStream, keeping queued jobs on disk. Workers take files from it;\n`vidsift scan --nats URL` and the app's Run on setting submit to it.",
			hub, func(ctx context.Context, e env, args []string) error { return runHub(ctx, e, *hub, args) }},
		{"worker", "vidsift worker --nats URL [--root DIR]... [--map FROM=TO]... [--workers N] [--threads N] [--name NAME]",
			"Scans files for a cluster: takes jobs from the hub at URL, scans them with the submitter's model\nand settings, and sends the results back. Runs until interrupted.",
			worker, func(ctx context.Context, e env, args []string) error { return runWorker(ctx, e, *worker, args) }},
		{"version", "vidsift version",
			"Prints the versions a bug report needs: vidsift, Go, FFmpeg and ONNX Runtime.",
			noOptions{}, runVersion},
	}
}

type noOptions struct{}

func (noOptions) AddFlags(*pflag.FlagSet) {}

// Main runs `vidsift ARGS...` (ARGS without the program name) and returns
// the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	return mainWith(args, stdout, stderr, hooks{})
}

func mainWith(args []string, stdout, stderr io.Writer, h hooks) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return exitCode(stderr, dispatch(ctx, args, stdout, stderr, h))
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer, h hooks) error {
	if len(args) == 0 {
		Usage(stderr)
		return errUsageShown
	}
	switch args[0] {
	case "help", "-h", "--help":
		Usage(stdout)
		return nil
	case "--version", "-V":
		args = []string{"version"}
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.execute(ctx, args[1:], stdout, stderr, h)
		}
	}
	fmt.Fprintf(stderr, "vidsift: unknown command %q\n\n", args[0])
	if librarySubcommands[args[0]] {
		// The upkeep commands live under `library`; say so before the overview.
		fmt.Fprintf(stderr, "Did you mean `vidsift library %s`?\n\n", args[0])
	}
	Usage(stderr)
	return errUsageShown
}

// execute parses the command's flags, loads the settings and runs it.
func (c command) execute(ctx context.Context, args []string, stdout, stderr io.Writer, h hooks) error {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\n%s\n", c.usage, c.about)
		if fs.HasFlags() {
			fmt.Fprintf(stderr, "\nFlags:\n%s", fs.FlagUsages())
		}
	}
	c.options.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		// With ContinueOnError pflag prints nothing itself.
		return usagef("%s: %v (vidsift %s --help lists the flags)", c.name, err, c.name)
	}
	v, err := config.New()
	if err != nil {
		return usageError{err}
	}
	bindFlags(v, fs)
	err = c.run(ctx, env{v: v, stdout: stdout, stderr: stderr, hooks: h}, fs.Args())
	if errors.Is(err, errNeedsUsage) {
		fs.Usage()
		return errUsageShown
	}
	return err
}

// Usage prints the command overview.
func Usage(w io.Writer) {
	fmt.Fprintf(w, `vidsift finds objects in videos and photos, locally.

Usage:
  vidsift                         open the desktop app
  vidsift scan [flags] PATH...    scan files and folders (vidsift scan --help for flags)
  vidsift watch [flags] PATH...   scan, then keep scanning what arrives or changes
  vidsift export --json F|--csv F export the results library without scanning
  vidsift find EXPR [PATH...]     which files show 'dog & person', and when (from the library)
  vidsift clips EXPR [PATH...] --out DIR   cut the moments where EXPR holds into clips (stream copy)
  vidsift library stats|missing|prune|relocate|forget   the library's upkeep (files that moved, went)
  vidsift bench [flags] PATH...   measure throughput on this machine (table + --json)
  vidsift hub [flags]             run a cluster hub (NATS JetStream) that workers and scans share
  vidsift worker --nats URL       scan files for a cluster (vidsift scan --nats URL submits them)
  vidsift version                 versions of vidsift, Go, FFmpeg and ONNX Runtime (also --version)

Settings: flags > VIDSIFT_* environment variables > %s > defaults.
Model and ONNX Runtime library are looked up in %s by default.
`, config.ConfigFile(), config.DataDir())
}
