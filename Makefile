# vidsift — the two commands a newcomer needs:
#   make run    install what is missing, build, and open the vidsift app (ARGS="scan DIR" for the CLI)
#   make test   install what is missing (plus test tools), generate fixtures, run every test
SHELL := /bin/bash
GO    ?= go
ARGS  ?=
FUZZTIME ?= 10s

.PHONY: run test setup setup-test build fixtures vet unit smoke fuzz bench package clean

run: setup build
	./vidsift $(ARGS)

test: setup-test build fixtures vet unit smoke fuzz

setup:
	@bash .ci/setup.sh

setup-test:
	@bash .ci/setup.sh --test

build:
	$(GO) build -o vidsift .

fixtures:
	bash testdata/make_fixtures.sh

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l *.go engine app testdata 2>/dev/null); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

# -race rebuilds cgo packages, so it runs on the engine and the UI package,
# not on main (whose GLFW build would take minutes more).
unit:
	$(GO) test -race -count=1 ./engine/... ./app/...

# Without -race: the real binary (window under Xvfb, kill -9 and resume)
# and the memory soak, which the race detector's shadow memory would distort.
smoke:
	$(GO) test -count=1 .
	$(GO) test -count=1 -run '^TestSoak$$' -v ./engine/pipeline

# Each fuzz target for a bounded time; their seed corpora already ran in `unit`.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseNames$$' -fuzztime $(FUZZTIME) ./engine/detect
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeOutput$$' -fuzztime $(FUZZTIME) ./engine/detect
	$(GO) test -run '^$$' -fuzz '^FuzzConfigFile$$' -fuzztime $(FUZZTIME) ./engine/config

bench: setup-test fixtures
	$(GO) test -run '^$$' -bench . -benchtime 3x ./engine/media ./engine/pipeline

# A Linux desktop package (tar.xz with icon and .desktop file) via fyne.io/tools.
# fyne package bumps FyneApp.toml's build number; keep the committed one.
package: setup build
	cp FyneApp.toml .FyneApp.toml.keep
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.0 package -os linux -release; rc=$$?; mv .FyneApp.toml.keep FyneApp.toml; exit $$rc

clean:
	rm -rf vidsift testdata/generated
