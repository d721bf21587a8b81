#!/usr/bin/env bash
# The static binary: the release build (`make build`, the one `make run` serves), `ldd` must
# call it statically linked, and it must run init and answer one call (on 127.0.0.1 only).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/x86_64-unknown-linux-gnu/release/morbox
make --no-print-directory build >/dev/null
ldd "$BIN" 2>&1 | grep -q "statically linked" || { echo "static: ldd does not say statically linked:"; ldd "$BIN"; exit 1; }
WORK=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$BIN" init --db "$WORK/s.db" --demo >/dev/null
"$BIN" serve --db "$WORK/s.db" --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 500); do grep -q listening "$WORK/out" && break; sleep 0.01; done
ADDR=$(sed -n 's#^morbox listening on http://##p' "$WORK/out")
case "$ADDR" in 127.0.0.1:*) ;; *) echo "static: server did not start"; cat "$WORK/err"; exit 1 ;; esac
HASH=$(printf '%s' 5secret | sha1sum | cut -c1-40)
BODY=$(curl -s -d '' "http://$ADDR/api/user_details_get?u=admin&user_id=5&hash=$HASH")
echo "$BODY" | grep -q "<userid>5</userid>" || { echo "static: unexpected answer: $BODY"; exit 1; }
"$BIN" health --url "http://$ADDR" >/dev/null
echo "static: 1 passed, 0 failed"
