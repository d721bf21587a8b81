# morbox: `make run` serves the demo world, `make test` runs every test.
DB ?= data/morbox.db
LISTEN ?= 127.0.0.1:8080
BIN := target/release/morbox

.PHONY: run test lint build clean

build:
	cargo build --release --locked

## Build, create $(DB) with the demo world if it is missing, print a ready curl line, serve.
run: build
	@test -f $(DB) || $(BIN) init --db $(DB) --demo
	@echo "Try (user details of user 5, signed with the demo system key 'secret'):"
	@echo "  curl -d '' 'http://$(LISTEN)/billing/api/user_details_get?u=admin&user_id=5&hash=$$(printf '%s' 5secret | sha1sum | cut -c1-40)'"
	$(BIN) serve --db $(DB) --listen $(LISTEN)

## Every test: unit tests and the integration tests against the real server.
test:
	cargo test --locked

## Formatting and lints, as CI checks them.
lint:
	cargo fmt --check
	cargo clippy --locked --all-targets -- -D warnings

clean:
	cargo clean
