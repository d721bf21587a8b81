#!/usr/bin/env bash
# The request inspector in a real browser (part of make test): headless Chromium (Debian's
# chromium, installed when missing) loads GET /_morbox/ from a real server on 127.0.0.1, after
# a good call, a wrong-hash update and a payment sent with curl and through the page's hash
# workbench (its Send pressed over the DevTools protocol: tests/cdp.py); the checks read the DOM
# after the page's scripts ran. A page of another origin then tries what got through before:
# framing the inspector with a link that sends, and forging snapshot/reset/hash requests.
# BROWSER_SHOTS=DIR also writes a screenshot of each view there (docs/ holds the README's).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  echo "installing chromium (Debian package)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi
cargo build --locked --quiet
BIN=target/debug/morbox
WORK=$(mktemp -d)
PID=
EVIL_PID=
cleanup() { for p in $PID $EVIL_PID; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "browser: $*" >&2; exit 1; }

KEY=Insp3ctor-Key-0f-Th1s-Test
"$BIN" init --db "$WORK/b.db" --demo >/dev/null
"$BIN" settings set --db "$WORK/b.db" API_Secret_Key "$KEY" >/dev/null
"$BIN" serve --db "$WORK/b.db" --listen 127.0.0.1:0 --test-endpoints >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 500); do grep -q listening "$WORK/out" && break; sleep 0.01; done
ADDR=$(sed -n 's#^morbox listening on http://##p' "$WORK/out")
case "$ADDR" in 127.0.0.1:*) ;; *) fail "server did not start: $(cat "$WORK/err")" ;; esac
B="http://$ADDR"
h() { printf '%s' "$1" | sha1sum | cut -c1-40; }

# With curl: a good call, a wrong-hash update (signed over user_id alone), a payment, and a
# login and an update carrying passwords that must never show.
curl -s -d "u=admin&user_id=5&hash=$(h "5$KEY")" "$B/billing/api/user_details_get" | grep -q "<userid>5</userid>" || fail "good call"
curl -s -d "u=admin&user_id=5&u15=1&u23=Jo&hash=$(h "5$KEY")" "$B/billing/api/user_details_update" | grep -q "Incorrect hash" || fail "wrong hash"
curl -s -d "u=admin&user_id=5&p_currency=EUR&amount=10&hash=$(h "5EUR10$KEY")" "$B/billing/api/payment_create" | grep -q "<status>ok</status>" || fail "payment"
curl -s -d "u=user1&p=Curl-Pass-Value9&hash=$(h "user1Curl-Pass-Value9$KEY")" "$B/billing/api/user_login" >/dev/null
curl -s -d "u=admin&user_id=6&pswd=Pswd-Value-Nine9&hash=$(h "6Pswd-Value-Nine9$KEY")" "$B/billing/api/user_details_update" | grep -q "User was updated" || fail "password update"

CHROME=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$WORK/chrome")
# The DOM after the page's scripts ran (virtual time lets its requests finish first).
dom() { timeout 60 "${CHROME[@]}" --virtual-time-budget=6000 --dump-dom "$1" 2>/dev/null; }
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# A link fills the workbench and nothing more: wb_send is no more, and the page sends nothing.
count() { curl -s "$B/_morbox/requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))'; }
N0=$(count)
LINKED=$(dom "$B/_morbox/?wb_call=payment_create&wb_params=$(enc $'u=admin\nuser_id=6\np_currency=EUR\namount=5')&wb_send=1")
grep -q "Filled from the link" <<<"$LINKED" || fail "the link did not fill the workbench"
[ "$(count)" = "$N0" ] || fail "a link sent a request"

# Through the workbench: the same three, sent by the page when Send is pressed.
export CHROME_CMD="${CHROME[*]}"
wb() { python3 tests/cdp.py "$B/_morbox/?wb_call=$1&wb_params=$(enc "$2")" \
  '(async () => { document.getElementById("wb-send").click(); for (let i = 0; i < 100 && !document.getElementById("wb-result").textContent.startsWith("Sent"); i++) await new Promise((r) => setTimeout(r, 50)); return document.getElementById("wb-result").textContent; })()'; }
wb user_details_get $'u=admin\nuser_id=6' | grep -q "Sent user_details_get: HTTP 200" || fail "workbench good call"
wb user_details_update $'u=admin\nuser_id=6\nu15=1\nu23=Jo\nhash=0000000000000000000000000000000000000000' | grep -q "Sent user_details_update" || fail "workbench wrong hash"
wb payment_create $'u=admin\nuser_id=6\np_currency=EUR\namount=5' | grep -q "Sent payment_create: HTTP 200" || fail "workbench payment"

# The page as it renders: every request in the list, the wrong-hash ones explained.
WRONG=$(curl -s "$B/_morbox/requests" | python3 -c 'import json,sys; print(next(r["id"] for r in json.load(sys.stdin)["requests"] if r["outcome"] == "Incorrect hash"))')
PAGE=$(dom "$B/_morbox/?select=$WRONG")
for call in user_details_get user_details_update payment_create user_login; do
  [ "$(grep -o "<td>$call</td>" <<<"$PAGE" | wc -l)" -ge 1 ] || fail "$call not in the list"
done
[ "$(grep -o '<td>payment_create</td>' <<<"$PAGE" | wc -l)" -eq 2 ] || fail "both payments (curl, workbench) not listed"
grep -q '`u15` and `u23` were left out of the hash' <<<"$PAGE" || fail "no verdict for the wrong hash"
grep -q "&lt;key of the system&gt;" <<<"$PAGE" || fail "no masked string hashed"
grep -q '<td>reseller1</td>' <<<"$PAGE" || fail "state: users"
grep -q '<td>Devices_Check_Ballance</td>' <<<"$PAGE" || fail "state: settings"
for secret in "$KEY" Curl-Pass-Value9 Pswd-Value-Nine9; do
  if grep -q -- "$secret" <<<"$PAGE"; then fail "the page shows $secret"; fi
done

# A full journal (1,000 requests) renders in under a second.
for i in $(seq 1 1000); do printf 'u=admin&user_id=5&hash=%s\n' "$(h "5$KEY")"; done > "$WORK/reqs"
xargs -P 4 -I{} curl -s -o /dev/null -d '{}' "$B/billing/api/user_details_get" < "$WORK/reqs"
# Real time here (virtual time stands still while a script runs): the page reads the journal
# before it has loaded (?sync=1) and measures its own rendering.
FULL=$(timeout 60 "${CHROME[@]}" --dump-dom "$B/_morbox/?sync=1" 2>/dev/null)
MS=$(grep -o 'data-render-ms="[0-9]*"' <<<"$FULL" | grep -o '[0-9]*' | head -1)
[ -n "$MS" ] && [ "$MS" -lt 1000 ] || fail "rendering 1,000 entries took ${MS:-?} ms"
grep -q "(1000 of 1000)" <<<"$FULL" || fail "the full journal is not listed: $(grep -o '([0-9]* of [0-9]*)' <<<"$FULL")"

# A page of another origin (another port) in the same browser: it frames the inspector with a
# link that used to send a balance change, and forges snapshot, reset, hash and clear requests
# as a plain cross-origin fetch can. None of it may happen.
db() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$WORK/b.db" "$1"; }
BAL=$(db "SELECT balance FROM users WHERE id = 5")
curl -s -X POST -H 'X-Morbox: 1' "$B/_morbox/snapshot" | grep -q '"ok"' || fail "snapshot"
curl -s -d "u=admin&user_id=5&u33=after-snapshot&hash=$(h "5$KEY")" "$B/billing/api/user_details_update" | grep -q "User was updated" || fail "update after snapshot"
mkdir -p "$WORK/evil"
PARAMS=$(enc $'u=admin\nuser_id=5\nbalance=1000000')
cat >"$WORK/evil/index.html" <<HTML
<!doctype html><title>elsewhere</title>
<iframe src="$B/_morbox/?wb_call=user_balance_update&wb_params=$PARAMS&wb_send=1"></iframe>
<script>
for (const p of ["snapshot", "reset"]) fetch("$B/_morbox/" + p, { method: "POST", mode: "no-cors" });
fetch("$B/_morbox/hash", { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" },
  body: JSON.stringify({ call: "user_balance_update", params: { u: "admin", user_id: "5", balance: "1" } }) });
fetch("$B/_morbox/requests", { method: "DELETE", mode: "no-cors" });
</script>
HTML
(cd "$WORK/evil" && exec python3 -u -m http.server 0 --bind 127.0.0.1) >"$WORK/evil.out" 2>&1 &
EVIL_PID=$!
for _ in $(seq 1 500); do grep -q " port " "$WORK/evil.out" && break; sleep 0.01; done
EVIL="http://127.0.0.1:$(sed -n 's#.* port \([0-9]*\) .*#\1#p' "$WORK/evil.out" | head -1)"
N1=$(count)
dom "$EVIL/" >/dev/null
kill "$EVIL_PID" 2>/dev/null; wait "$EVIL_PID" 2>/dev/null || true
grep -q "GET / " "$WORK/evil.out" || fail "the other origin's page was not loaded"
[ "$(db "SELECT balance FROM users WHERE id = 5")" = "$BAL" ] || fail "the balance moved"
[ "$(db "SELECT comment FROM users WHERE id = 5")" = "after-snapshot" ] || fail "a forged reset went through"
[ "$(count)" -ge "$N1" ] || fail "a forged DELETE cleared the journal"
if curl -s "$B/_morbox/requests" | grep -q '"call":"user_balance_update"'; then fail "the framed inspector sent a balance change"; fi
for p in snapshot reset hash; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Origin: $EVIL" -H 'X-Morbox: 1' "$B/_morbox/$p")" = 403 ] || fail "$p from $EVIL not refused"
done

if [ -n "${BROWSER_SHOTS:-}" ]; then
  mkdir -p "$BROWSER_SHOTS"
  shot() { timeout 60 "${CHROME[@]}" --virtual-time-budget=6000 --window-size=1400,"$3" --screenshot="$BROWSER_SHOTS/$1" "$2" 2>/dev/null >/dev/null; }
  curl -s -X DELETE -H 'X-Morbox: 1' "$B/_morbox/requests" >/dev/null
  curl -s -d "u=admin&user_id=5&hash=$(h "5$KEY")" "$B/billing/api/user_details_get" >/dev/null
  curl -s -d "u=admin&user_id=5&u15=1&u23=Jo&hash=$(h "5$KEY")" "$B/billing/api/user_details_update" >/dev/null
  curl -s -d "u=admin&user_id=5&p_currency=EUR&amount=10&hash=$(h "5EUR10$KEY")" "$B/billing/api/payment_create" >/dev/null
  ID=$(curl -s "$B/_morbox/requests" | python3 -c 'import json,sys; print(next(r["id"] for r in json.load(sys.stdin)["requests"] if r["outcome"] == "Incorrect hash"))')
  shot inspector-list.png "$B/_morbox/" 700
  shot inspector-detail.png "$B/_morbox/?select=$ID" 1000
  shot inspector-workbench.png "$B/_morbox/?wb_call=payment_create&wb_params=$(enc $'u=admin\nuser_id=5\np_currency=EUR\namount=10')#workbench" 1300
  shot inspector-state.png "$B/_morbox/#state" 1600
fi
echo "browser: 1 passed, 0 failed (rendered 1,000 entries in ${MS} ms)"
