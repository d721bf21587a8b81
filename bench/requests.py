#!/usr/bin/env python3
"""Writes the wrk Lua script for one benchmark scenario.

usage: requests.py SCENARIO USERS > script.lua
SCENARIO: get | getbody | raw | update | mixed | balance | payment | devices | create | rate |
calls (rate: rate_get of a user's mobile number; calls: user_calls_get of one user's day, a
day bench/run.sh generates calls on, for the users it generates them for (USERS 1100); getbody:
user_details_get with its parameters in an urlencoded body, as real clients send them; devices:
devices_get of a user with two devices; create: device_create with an extension of its own, as
provisioning scripts send it, so that every request makes a device). Requests are signed with the demo system key over 10,000
distinct benchmark users (ids 1000..), so that reads hit the whole table, not one cached row.
An update sets `u33` (the comment, not hashed) to a value new for every request, so that every
update really writes.
"""
import hashlib
import sys

scenario, users = sys.argv[1], int(sys.argv[2])
step = max(1, users // 10000)
ids = [1000 + 1 + k * step for k in range(min(users, 10000))]


# A day of the calls bench/run.sh generates: 2025-06-02 (UTC), a Monday.
DAY = 1748822400


def sha1(s):
    return hashlib.sha1(s.encode()).hexdigest()


def lua_list(name, values):
    return "local %s = {%s}\n" % (name, ",".join('"%s"' % v for v in values))


out = [lua_list("ids", ids),
       lua_list("get_hash", [sha1("%d%s" % (i, "secret")) for i in ids]),
       lua_list("raw_hash", [sha1("admin%d%s" % (i, "secret")) for i in ids]),
       # user_balance_get: the target's username signs, with the key of its scope; the bench
       # users of reseller1 (every tenth) are left out, so every one signs with the system key.
       lua_list("balance_user", ["customer%d" % (i - 1000) for i in ids]),
       lua_list("balance_hash", [sha1("customer%d%s" % (i - 1000, "secret")) for i in ids]),
       lua_list("pay_hash", [sha1("%dEUR1.00%s" % (i, "secret")) for i in ids]),
       lua_list("rate_hash", [sha1("customer%d%s" % (i - 1000, "secret")) for i in ids]),
       lua_list("calls_hash", [sha1("%d%d%d%s" % (DAY, DAY + 86399, i, "secret")) for i in ids])]
out.append("""
local n = 0
local scenario = "%s"
local function get(k)
  return wrk.format("POST", "/billing/api/user_details_get?u=admin&user_id=" .. ids[k] .. "&hash=" .. get_hash[k], nil, "")
end
local function getbody(k)
  return wrk.format("POST", "/billing/api/user_details_get", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "u=admin&user_id=" .. ids[k] .. "&hash=" .. get_hash[k])
end
local function raw(k)
  return wrk.format("POST", "/billing/api/user_details_raw_get?u=admin&user_id=" .. ids[k] .. "&hash=" .. raw_hash[k], nil, "")
end
local function update(k)
  -- u33 is not hashed: the user_id hash fits, and every request writes a new comment.
  return wrk.format("POST", "/billing/api/user_details_update", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "u=admin&user_id=" .. ids[k] .. "&u33=bench-" .. n .. "-" .. math.random(1, 1000000000) .. "&hash=" .. get_hash[k])
end
local function balance(k)
  return wrk.format("GET", "/billing/api/user_balance_get?username=" .. balance_user[k] .. "&hash=" .. balance_hash[k], nil, "")
end
local function devices(k)
  return wrk.format("POST", "/billing/api/devices_get", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "u=admin&user_id=" .. ids[k] .. "&hash=" .. get_hash[k])
end
local function create(k)
  -- extension is not hashed: the user_id hash fits; the PIN is drawn by the server.
  return wrk.format("POST", "/billing/api/device_create", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "u=admin&user_id=" .. ids[k] .. "&extension=x" .. n .. "-" .. math.random(1, 1000000000) .. "&hash=" .. get_hash[k])
end
local function rate(k)
  return wrk.format("POST", "/billing/api/rate_get", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "u=admin&username=" .. balance_user[k] .. "&prefix=37060012345&hash=" .. rate_hash[k])
end
local function calls(k)
  return wrk.format("POST", "/billing/api/user_calls_get", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "u=admin&s_user=" .. ids[k] .. "&period_start=%d&period_end=%d&hash=" .. calls_hash[k])
end
local function payment(k)
  -- transaction is hashed only when sent: none is sent, so the precomputed hash fits.
  return wrk.format("POST", "/billing/api/payment_create", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "u=admin&user_id=" .. ids[k] .. "&p_currency=EUR&amount=1.00&hash=" .. pay_hash[k])
end
request = function()
  n = n + 1
  local k = (n %% #ids) + 1
  if scenario == "get" then return get(k) end
  if scenario == "getbody" then return getbody(k) end
  if scenario == "raw" then return raw(k) end
  if scenario == "update" then return update(k) end
  if scenario == "devices" then return devices(k) end
  if scenario == "calls" then return calls(k) end
  if scenario == "rate" then
    if (tonumber(ids[k]) - 1000) %% 10 == 0 then k = (k %% #ids) + 1 end
    return rate(k)
  end
  if scenario == "create" then return create(k) end
  if scenario == "balance" then
    if (tonumber(ids[k]) - 1000) %% 10 == 0 then k = (k %% #ids) + 1 end
    return balance(k)
  end
  if scenario == "payment" then
    if (tonumber(ids[k]) - 1000) %% 10 == 0 then k = (k %% #ids) + 1 end
    return payment(k)
  end
  if n %% 10 == 0 then return update(k) end
  return get(k)
end
local errors = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, "<error>", 1, true) then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("unexpected answer: " .. status .. " " .. body .. "\\n") end
  end
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH rps=%%.0f p50_ms=%%.3f p99_ms=%%.3f requests=%%d errors=%%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, errors + summary.errors.status))
end
""" % (scenario, DAY, DAY + 86399))
sys.stdout.write("".join(out))
