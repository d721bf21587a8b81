#!/usr/bin/env bash
# make fuzz: runs the request fuzz target for a bounded time (seconds, default 60).
set -euo pipefail
cd "$(dirname "$0")"
SECS=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q nightly || { echo "the nightly toolchain is needed for cargo fuzz"; exit 1; }
mkdir -p corpus/request regressions artifacts/request
status=0
cargo +nightly fuzz run request corpus/request -- -max_total_time="$SECS" -rss_limit_mb=2048 || status=$?
# Keep every crash as a regression input that `make test` replays.
for f in artifacts/request/*; do
  [ -e "$f" ] || continue
  cp "$f" "regressions/$(basename "$f")"
  echo "crash reproducer kept: fuzz/regressions/$(basename "$f")"
done
exit $status
