#!/usr/bin/env bash
# make bench: morbox against a fixed-document hyper baseline, in one run, on this machine.
# Loopback only (every server listens on 127.0.0.1), every load bounded by wrk's -d.
# Writes bench/results.md. Environment: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (64),
# BENCH_ROUNDS (5: each load alternates with its comparison this many times), BENCH_SCALE=0 to
# skip the 1M-user database, BENCH_CALLS (10000000: the calls generated for the call history).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-64}
SCALE=${BENCH_SCALE:-1}
ROUNDS=${BENCH_ROUNDS:-5}
WORK=$(mktemp -d /tmp/morbox-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --locked --quiet
cargo build --release --locked --quiet --example baseline
cargo build --release --locked --quiet --example calls_floor
BIN=target/release/morbox
BASE=target/release/examples/baseline
FLOOR=target/release/examples/calls_floor
CALLS=${BENCH_CALLS:-10000000}

# start NAME CMD...: starts a server, waits for its ready line, sets ADDR and PID.
start() {
  local name=$1; shift
  "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 500); do
    ADDR=$(sed -n 's#^morbox listening on http://##p' "$WORK/$name.out")
    [ -n "$ADDR" ] && return 0
    sleep 0.01
  done
  echo "$name did not start" >&2; cat "$WORK/$name.err" >&2; exit 1
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

# load LABEL ROUND KIND SCENARIO USERS: one wrk run against $ADDR; appends a row to $WORK/rows.
load() {
  local label=$1 round=$2 kind=$3 scenario=$4 users=$5
  python3 bench/requests.py "$scenario" "$users" > "$WORK/$scenario.lua"
  case "$ADDR" in 127.0.0.1:*) ;; *) echo "refusing to load $ADDR" >&2; exit 1 ;; esac
  local out
  out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --timeout 5s -s "$WORK/$scenario.lua" "http://$ADDR" 2>"$WORK/wrk.err" | grep '^BENCH')
  if [ -s "$WORK/wrk.err" ]; then cat "$WORK/wrk.err" >&2; fi
  echo "$label $round $kind $out rss_mb=$(peak_rss_mb "$PID")" | tee -a "$WORK/rows"
}

make_db() { # make_db USERS PATH
  sed "s/@N@/$1/g" bench/seed.sql.in > "$WORK/seed-$1.sql"
  $BIN init --db "$2" --demo --seed "$WORK/seed-$1.sql" > /dev/null
}

# pair LABEL SCENARIO USERS DB [SERVE FLAGS]: ROUNDS times the baseline, then morbox; the
# machine drifts by 20-40% within minutes, so each ratio is taken within its own round. The
# baseline serves $BODY (default: a user_details_get answer): the same bytes as the call's.
pair() {
  local label=$1 scenario=$2 users=$3 db=$4 r
  shift 4
  for r in $(seq 1 "$ROUNDS"); do
    start baseline $BASE "${BODY:-$WORK/body.xml}"; load "$label" "$r" baseline "$scenario" "$users"; stop "$PID"
    start morbox $BIN serve --db "$db" --listen 127.0.0.1:0 "$@"; load "$label" "$r" morbox "$scenario" "$users"; stop "$PID"
  done
}

# fresh: a copy of the 100k database, so that each write run starts from the same file (a
# run adds up to 200,000 payments; later runs on a grown file would not compare).
fresh() {
  rm -f "$WORK/w.db" "$WORK/w.db-wal" "$WORK/w.db-shm"
  cp "$WORK/100k.db" "$WORK/w.db"
}

# durable LABEL SCENARIO: ROUNDS times synchronous=FULL (the default), then NORMAL.
durable() {
  local label=$1 scenario=$2 r
  for r in $(seq 1 "$ROUNDS"); do
    fresh; start full $BIN serve --db "$WORK/w.db" --listen 127.0.0.1:0; load "$label" "$r" full "$scenario" 100000; stop "$PID"
    fresh; start normal $BIN serve --db "$WORK/w.db" --listen 127.0.0.1:0 --synchronous normal; load "$label" "$r" normal "$scenario" 100000; stop "$PID"
  done
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE=$(loadavg)

echo "creating the benchmark databases" >&2
make_db 100000 "$WORK/100k.db"
make_db 10000 "$WORK/10k.db"
[ "$SCALE" = 1 ] && make_db 1000000 "$WORK/1m.db"

# Start-up: from exec to the first answered request, on an existing database.
t0=$(date +%s%N)
start startup $BIN serve --db "$WORK/100k.db" --listen 127.0.0.1:0
until curl -s -o /dev/null -d '' "http://$ADDR/api/user_details_get?u=admin&user_id=1001&hash=$(printf 1001secret | sha1sum | cut -c1-40)"; do sleep 0.001; done
t1=$(date +%s%N)
STARTUP_MS=$(( (t1 - t0) / 1000000 ))
stop "$PID"

# The baseline serves a real user_details_get answer of the same size.
start ref $BIN serve --db "$WORK/100k.db" --listen 127.0.0.1:0
curl -s -d '' "http://$ADDR/api/user_details_get?u=admin&user_id=1001&hash=$(printf 1001secret | sha1sum | cut -c1-40)" > "$WORK/body.xml"
stop "$PID"

# The call history at production size: $CALLS calls (10 million) over the 300 days from
# 2025-03-01 for 1,100 of the bench users (ids 1001-2100: about 30 calls a user a day, a million
# a month), made by `calls generate` into a copy of the 100k database, timed, with its peak RSS.
# First the floor: SQLite alone writing a million such rows into the same table, against the
# generator making a million, each into its own copy (the same size, the same moment).
CALL_USERS=$(seq -s, 1001 2100)
fact() { echo "$1" | tee -a "$WORK/calls_facts" >&2; }
cp "$WORK/100k.db" "$WORK/floor.db"
fact "$($FLOOR "$WORK/floor.db" 1000000)"
rm -f "$WORK"/floor.db*
cp "$WORK/100k.db" "$WORK/gen1m.db"
fact "gen1m_$(python3 bench/timed.py $BIN calls generate --db "$WORK/gen1m.db" --from 2025-06-02 --till 2025-06-02 --count 1000000 --users "$CALL_USERS" --seed 1 2>/dev/null | sed 's/^BENCH //; s/ / gen1m_/g')"
rm -f "$WORK"/gen1m.db*
cp "$WORK/100k.db" "$WORK/calls.db"
fact "calls=$CALLS"
fact "gen_$(python3 bench/timed.py $BIN calls generate --db "$WORK/calls.db" --from 2025-03-01 --till 2025-12-25 --count "$CALLS" --users "$CALL_USERS" --seed 1 2>/dev/null | sed 's/^BENCH //; s/ / gen_/g')"
GEN_RATE=$(sed -n 's/.*gen_secs=\([0-9.]*\).*/\1/p' "$WORK/calls_facts" | awk -v n="$CALLS" '{printf "%d", n / $1}')

# A seed file of $CALLS lines (10 million) whose last line is bad (an hour 25), imported into a
# copy of the 100k database: the import reads it all in one transaction, then refuses it whole,
# naming the line; timed, with its peak RSS, and the calls counted before and after.
python3 bench/timed.py $BIN calls generate --db "$WORK/calls.db" --from 2026-01-05 --till 2026-01-05 --count "$CALLS" --users "$CALL_USERS" --seed 2 --out "$WORK/seed.csv" > /dev/null 2>&1
tail -n 1 "$WORK/seed.csv" | sed 's/^2026-01-05 [0-9][0-9]/2026-01-05 25/' >> "$WORK/seed.csv"
count_calls() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM calls").fetchone()[0])' "$WORK/import.db"; }
cp "$WORK/100k.db" "$WORK/import.db"
BEFORE=$(count_calls)
fact "import_$(python3 bench/timed.py $BIN calls import --db "$WORK/import.db" "$WORK/seed.csv" 2> "$WORK/import.err" | sed 's/^BENCH //; s/ / import_/g')"
fact "import_named_line=$(grep -c "line $((CALLS + 2)), column calldate" "$WORK/import.err" || true)"
fact "import_loaded=$(( $(count_calls) - BEFORE ))"
rm -f "$WORK/seed.csv" "$WORK"/import.db*

# Everyone's calls of June 2025 (about a million rows), read whole as fast as they come, then
# read slowly (64 KiB every 0.1 s for 20 s) by a client that then goes away; the server's peak
# RSS through both, and whether it still answers after.
start month $BIN serve --db "$WORK/calls.db" --listen 127.0.0.1:0
case "$ADDR" in 127.0.0.1:*) ;; *) echo "refusing to load $ADDR" >&2; exit 1 ;; esac
fact "$(python3 bench/stream.py "${ADDR##*:}" 1748736000 1751327999 | sed 's/^BENCH //; s/\([a-z_]*=\)/month_\1/g')"
fact "$(python3 bench/stream.py "${ADDR##*:}" 1748736000 1751327999 20 | sed 's/^BENCH //')"
fact "month_rss_mb=$(peak_rss_mb "$PID")"
DAY_HASH=$(printf '174882240017489087991001secret' | sha1sum | cut -c1-40)
curl -s -d "u=admin&s_user=1001&period_start=1748822400&period_end=1748908799&hash=$DAY_HASH" "http://$ADDR/billing/api/user_calls_get" > "$WORK/day.xml"
fact "served_after=$(grep -c '<call>' "$WORK/day.xml")"
stop "$PID"
# The baseline's bytes for rate_get: customer1's answer.
start ref $BIN serve --db "$WORK/100k.db" --listen 127.0.0.1:0
curl -s -d "u=admin&username=customer1&prefix=37060012345&hash=$(printf customer1secret | sha1sum | cut -c1-40)" "http://$ADDR/billing/api/rate_get" > "$WORK/rate.xml"
stop "$PID"
# The baseline's bytes for dids_get: one number of the stock looked up.
start ref $BIN serve --db "$WORK/100k.db" --listen 127.0.0.1:0
curl -s -d "u=admin&search_did_number=37050000001&hash=$(printf secret | sha1sum | cut -c1-40)" "http://$ADDR/billing/api/dids_get" > "$WORK/did.xml"
stop "$PID"

# Reads, each against the baseline (the access log on, at its default level).
pair user_details_get get 100000 "$WORK/100k.db"
pair "user_details_get (urlencoded body)" getbody 100000 "$WORK/100k.db"
pair user_details_raw_get raw 100000 "$WORK/100k.db"
pair user_balance_get balance 100000 "$WORK/100k.db"
pair devices_get devices 100000 "$WORK/100k.db"
BODY="$WORK/rate.xml" pair rate_get rate 100000 "$WORK/100k.db"
BODY="$WORK/day.xml" pair "user_calls_get (a user's day)" calls 1100 "$WORK/calls.db"
BODY="$WORK/did.xml" pair "dids_get (a number of 100,000)" dids 100000 "$WORK/100k.db"
# Writes: synchronous=FULL against NORMAL.
durable user_details_update update
durable payment_create payment
durable device_create create
durable "did_device_assign, half unassign" assign
ROUNDS=1 pair "mixed 90/10" mixed 100000 "$WORK/100k.db"
# 1M users against 10k.
if [ "$SCALE" = 1 ]; then
  for r in 1 2; do
    start get10k $BIN serve --db "$WORK/10k.db" --listen 127.0.0.1:0; load "user_details_get by size" "$r" 10k get 10000; stop "$PID"
    start get1m $BIN serve --db "$WORK/1m.db" --listen 127.0.0.1:0; load "user_details_get by size" "$r" 1M get 1000000; stop "$PID"
  done
fi

# Reset between tests: the server's own timing of POST /_morbox/reset (median of 5), for the
# demo world and for 100k users.
reset_ms() { # reset_ms DB
  start reset $BIN serve --db "$1" --listen 127.0.0.1:0 --test-endpoints
  local t=()
  for _ in 1 2 3 4 5; do
    t+=("$(curl -s -X POST -H 'X-Morbox: 1' "http://$ADDR/_morbox/reset" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ms"])')")
  done
  stop "$PID"
  printf '%s\n' "${t[@]}" | sort -g | sed -n 3p
}
$BIN init --db "$WORK/demo.db" --demo > /dev/null
RESET_DEMO_MS=$(reset_ms "$WORK/demo.db")
RESET_100K_MS=$(reset_ms "$WORK/100k.db")
echo "reset: demo ${RESET_DEMO_MS} ms, 100k users ${RESET_100K_MS} ms" >&2
LOAD_AFTER=$(loadavg)

BINARY_MB=$(awk "BEGIN {printf \"%.1f\", $(stat -c %s $BIN)/1048576}")
python3 bench/report.py "$WORK/rows" "$STARTUP_MS" "$BINARY_MB" "$SECS" "$CONNS" "$RESET_DEMO_MS" "$RESET_100K_MS" "$LOAD_BEFORE" "$LOAD_AFTER" "$ROUNDS" "$GEN_RATE" "$WORK/calls_facts" > bench/results.md
cat bench/results.md
