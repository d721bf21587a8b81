# morbox: `make run` serves the demo world, `make test` runs every test.
DB ?= data/morbox.db
LISTEN ?= 127.0.0.1:8080
# One release build serves `make run`, the static check of `make test` and `make static`'s
# users: fully static (glibc, crt-static), no LTO, so that a fresh clone answers quickly.
# `make dist` is the shipping build (fat LTO, one codegen unit).
TARGET := x86_64-unknown-linux-gnu
STATIC := RUSTFLAGS="-C target-feature=+crt-static"
BIN := target/$(TARGET)/release/morbox

.PHONY: run test lint build static dist install bench fuzz soak examples image clean

build:
	$(STATIC) cargo build --release --locked --target $(TARGET)

## Build, create $(DB) with the demo world if it is missing, print a ready curl line, serve.
run: build
	@test -f $(DB) || $(BIN) init --db $(DB) --demo
	@echo "Try (user details of user 5, signed with the demo system key 'secret'):"
	@echo "  curl -d '' 'http://$(LISTEN)/billing/api/user_details_get?u=admin&user_id=5&hash=$$(printf '%s' 5secret | sha1sum | cut -c1-40)'"
	@echo "and user 5's call history of 2026-01-15:"
	@echo "  curl -d '' 'http://$(LISTEN)/billing/api/user_calls_get?u=admin&s_user=5&period_start=1768435200&period_end=1768521599&hash=$$(printf '%s' 176843520017685215995secret | sha1sum | cut -c1-40)'"
	@echo "and the system's free DIDs:"
	@echo "  curl -d '' 'http://$(LISTEN)/billing/api/dids_get?u=admin&search_status=free&hash=$$(printf '%s' secret | sha1sum | cut -c1-40)'"
	$(BIN) serve --db $(DB) --listen $(LISTEN)

## Every test: unit tests, the integration suite against the real server, the static binary,
## the request inspector in headless Chromium, and the integrators' example suites.
test:
	cargo test --locked
	bash tests/static.sh
	bash tests/browser.sh
	$(MAKE) --no-print-directory examples

## One fully static x86_64 Linux binary (glibc, crt-static): target/$(TARGET)/release/morbox
## (the same build as `make run`).
static: build

## morbox on your PATH (~/.cargo/bin), for the README's command-line examples.
install:
	cargo install --path . --locked

## The shipping build: static, fat LTO, one codegen unit: target/$(TARGET)/dist/morbox
dist:
	$(STATIC) cargo build --profile dist --locked --target $(TARGET)

## The example test suites integrators can copy (examples/pytest, examples/phpunit).
examples:
	bash examples/run.sh

## Formatting and lints, as CI checks them.
lint:
	cargo fmt --check
	cargo clippy --locked --all-targets -- -D warnings

## Throughput, latency and memory against a fixed-document baseline; writes bench/results.md.
bench:
	bash bench/run.sh

## The fuzzer (nightly + cargo-fuzz, installed when missing) on the whole request path, bounded
## by FUZZ_SECONDS (default 60). New corpus entries land in fuzz/corpus/request; a crash is
## copied to fuzz/regressions, which `make test` replays.
FUZZ_SECONDS ?= 60
fuzz:
	bash fuzz/run.sh $(FUZZ_SECONDS)

## The long runs: 1,000 SIGKILL cycles and 120 s of concurrent writers and readers.
soak:
	MORBOX_CRASH_CYCLES=1000 MORBOX_CONCURRENCY_SECS=120 cargo test --locked --test integration durability -- --nocapture

## The container image (podman, FROM scratch, the static binary), checked by inspection.
image:
	bash scripts/image.sh

clean:
	cargo clean
