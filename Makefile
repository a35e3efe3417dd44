# vidsift — the two commands a newcomer needs:
#   make run    install what is missing, build, and start vidsift (ARGS="scan DIR" for the CLI)
#   make test   install what is missing (plus test tools), generate fixtures, run every test
SHELL := /bin/bash
GO    ?= go
ARGS  ?=
FUZZTIME ?= 10s

.PHONY: run test setup setup-test build fixtures vet unit fuzz bench clean

run: setup build
	./vidsift $(ARGS)

test: setup-test build fixtures vet unit fuzz

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
	@unformatted=$$(gofmt -l main.go engine app 2>/dev/null); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

# -race rebuilds cgo packages, so it runs on the engine only (not on main).
unit:
	$(GO) test -race -count=1 ./engine/...

# Each fuzz target for a bounded time; their seed corpora already ran in `unit`.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseNames$$' -fuzztime $(FUZZTIME) ./engine/detect
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeOutput$$' -fuzztime $(FUZZTIME) ./engine/detect
	$(GO) test -run '^$$' -fuzz '^FuzzConfigFile$$' -fuzztime $(FUZZTIME) ./engine/config

bench: setup-test fixtures
	$(GO) test -run '^$$' -bench . -benchtime 3x ./engine/media ./engine/pipeline

clean:
	rm -rf vidsift testdata/generated
