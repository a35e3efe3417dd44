# vidsift — the two commands a newcomer needs:
#   make run    install what is missing, build, and open the vidsift app (ARGS="scan DIR" for the CLI)
#   make test   install what is missing (plus test tools), generate fixtures, run every test
SHELL := /bin/bash
GO    ?= go
ARGS  ?=

.PHONY: run test setup setup-test build fixtures vet unit smoke fuzz bench package clean

run: setup build
	./vidsift $(ARGS)

test: setup-test build fixtures vet unit smoke fuzz

setup:
	@bash .ci/setup.sh

setup-test:
	@bash .ci/setup.sh --test

# The commit (with +dirty for uncommitted changes) goes in at link time, so
# `vidsift version` names it even where Go stamps no VCS information
# (GOFLAGS=-buildvcs=false); outside a git checkout it is left out.
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null)
DIRTY  := $(if $(COMMIT),$(shell git diff --quiet HEAD 2>/dev/null || echo +dirty))
build:
	$(GO) build $(if $(COMMIT),-ldflags "-X 'github.com/vidsift/vidsift/engine/version.stamped=(devel) $(COMMIT)$(DIRTY)'") -o vidsift .

fixtures:
	bash testdata/make_fixtures.sh

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l *.go engine app internal testdata 2>/dev/null); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

# -race rebuilds cgo packages, so it runs on the engine and the UI package,
# not on main (whose GLFW build would take minutes more).
unit:
	$(GO) test -race -count=1 -timeout 30m ./engine/... ./app/... ./internal/...

# Without -race: the real app binary under Xvfb, and the memory soak, which
# the race detector's shadow memory would distort. (The CLI's process tests,
# kill -9 and resume and another user, run in unit: engine/cli's test binary
# stands in for vidsift.)
smoke:
	$(GO) test -count=1 .
	$(GO) test -count=1 -timeout 30m -run '^TestSoak$$' -v ./engine/pipeline

# Each fuzz target for a bounded number of inputs (about 10 s each here);
# their seed corpora already ran in `unit`. Counts, not durations: Go 1.26's
# fuzz coordinator can fail a duration-bounded run with a bare "context
# deadline exceeded" at the deadline (golang/go#75804, fixed in Go 1.27).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseNames$$' -fuzztime 100000x ./engine/detect
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeOutput$$' -fuzztime 300000x ./engine/detect
	$(GO) test -run '^$$' -fuzz '^FuzzConfigFile$$' -fuzztime 5000x ./engine/config
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 200000x ./engine/query

# vidsift bench measures on the shared clips; the Go benchmarks follow.
bench: setup-test build fixtures
	./vidsift bench --json testdata/generated/bench.json ../shared/testdata/videos
	./vidsift bench --cluster-only --model ../shared/models/yolov8n.onnx --json testdata/generated/bench-cluster.json ../shared/testdata/videos
	./vidsift bench --rect-only --model ../shared/models/yolov8n_int8_dynamic.onnx --json testdata/generated/bench-rect.json ../shared/testdata/videos testdata/generated/aspect/wide_16x9.mp4 testdata/generated/aspect/portrait_9x16.mp4
	./vidsift bench --library-only --json testdata/generated/bench-library.json ../shared/testdata/videos
	./vidsift bench --watch-only --json testdata/generated/bench-watch.json ../shared/testdata/videos
	./vidsift bench --clips-only --json testdata/generated/bench-clips.json ../shared/testdata/videos
	./vidsift bench --cut-frames-only --json testdata/generated/bench-cuts.json ../shared/testdata/videos testdata/generated/static_10s_gop.mp4 testdata/generated/one_keyframe_person.mkv testdata/generated/small_person_walks_in.mp4 testdata/generated/shots
	./vidsift bench --text-only --json testdata/generated/bench-text.json testdata/generated/text ../shared/testdata/videos
	$(GO) test -run '^$$' -bench . -benchtime 3x ./engine/media ./engine/pipeline
	$(GO) test -run '^$$' -bench BenchmarkFind -benchtime 20x ./engine/store
	$(GO) test -run '^$$' -bench . -benchtime 200x ./app

# A Linux desktop package (tar.xz with icon and .desktop file) via fyne.io/tools.
# fyne package bumps FyneApp.toml's build number; keep the committed one.
package: setup build
	cp FyneApp.toml .FyneApp.toml.keep
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.0 package -os linux -release; rc=$$?; mv .FyneApp.toml.keep FyneApp.toml; exit $$rc

clean:
	rm -rf vidsift testdata/generated
