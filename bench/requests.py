#!/usr/bin/env python3
"""Writes the wrk Lua script for one benchmark scenario.

usage: requests.py SCENARIO USERS > script.lua
SCENARIO: get | getbody | raw | update | mixed | balance | payment | devices | create | rate |
calls (rate: rate_get of a user's mobile number; calls: user_calls_get of one user's day, a
day bench/run.sh generates calls on, for the users it generates them for (USERS 1100); getbody:
user_details_get with its parameters in an urlencoded body, as real clients send them; devices:
devices_get of a user with two devices; create: device_create with an extension of its own, as
provisioning scripts send it, so that every request makes a device; dids: dids_get of one
number of the stock bench/seed.sql.in makes, as a client looks a number up; assign: half
did_device_assign of a free number of the system's stock to its user's SIP phone, half
did_device_unassign of the number assigned LAG requests before, so that every request changes
a DID and the stock never runs out). Requests are signed with the demo system key over 10,000
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


# How many requests an unassignment trails its assignment by: far more than the connections,
# so that the number is surely assigned by then.
LAG = 2048


def did(i):
    """Benchmark user 1000 + i's number (bench/seed.sql.in)."""
    return "3705%07d" % i


def sha1(s):
    return hashlib.sha1(s.encode()).hexdigest()


def lua_list(name, values):
    # One string split at load: a table of many thousand constants overflows LuaJIT's limit
    # of constants per function.
    return ('local %s = {}\nfor v in string.gmatch("%s", "[^,]+") do %s[#%s + 1] = v end\n'
            % (name, ",".join(str(v) for v in values), name, name))


out = [lua_list("ids", ids),
       lua_list("get_hash", [sha1("%d%s" % (i, "secret")) for i in ids]),
       lua_list("raw_hash", [sha1("admin%d%s" % (i, "secret")) for i in ids]),
       # user_balance_get: the target's username signs, with the key of its scope; the bench
       # users of reseller1 (every tenth) are left out, so every one signs with the system key.
       lua_list("balance_user", ["customer%d" % (i - 1000) for i in ids]),
       lua_list("balance_hash", [sha1("customer%d%s" % (i - 1000, "secret")) for i in ids]),
       lua_list("pay_hash", [sha1("%dEUR1.00%s" % (i, "secret")) for i in ids]),
       lua_list("rate_hash", [sha1("customer%d%s" % (i - 1000, "secret")) for i in ids]),
       lua_list("calls_hash", [sha1("%d%d%d%s" % (DAY, DAY + 86399, i, "secret")) for i in ids]),
       lua_list("did_number", [did(i - 1000) for i in ids])]
if scenario == "assign":
    # The system's free numbers (bench/seed.sql.in): neither a reseller's nor active.
    free = [i for i in range(1, users + 1) if i % 10 != 0 and i % 20 != 5]
    out += [lua_list("free_did", [did(i) for i in free]),
            lua_list("free_device", [str(10000 + 2 * i) for i in free]),
            lua_list("assign_hash", [sha1("%d%s%s" % (10000 + 2 * i, did(i), "secret")) for i in free]),
            lua_list("unassign_hash", [sha1("%s%s" % (did(i), "secret")) for i in free])]
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
local function dids(k)
  -- Nothing of dids_get is hashed: the key alone.
  return wrk.format("POST", "/billing/api/dids_get", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "u=admin&search_did_number=" .. did_number[k] .. "&hash=%s")
end
local function assign()
  -- wrk asks each thread for one request it never sends (n = 1), so the sent ones count from
  -- s = 1. The first LAG assign numbers 0, 1, …; after them, requests take turns: assign the
  -- next number, unassign the oldest still assigned (assigned at least LAG requests before).
  -- Numbers cycle through the free stock.
  local k
  local s = math.max(n - 1, 1)
  local m = s - %d - 1
  if m < 0 then
    k = s - 1
  elseif m %% 2 == 0 then
    k = %d + m / 2
  else
    local j = ((m - 1) / 2 %% #free_did) + 1
    return wrk.format("POST", "/billing/api/did_device_unassign", {["Content-Type"] = "application/x-www-form-urlencoded"},
      "u=admin&did=" .. free_did[j] .. "&hash=" .. unassign_hash[j])
  end
  local j = (k %% #free_did) + 1
  return wrk.format("POST", "/billing/api/did_device_assign", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "u=admin&device_id=" .. free_device[j] .. "&did=" .. free_did[j] .. "&hash=" .. assign_hash[j])
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
  if scenario == "dids" then return dids(k) end
  if scenario == "assign" then return assign() end
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
-- A thread's count of error answers lives in its own Lua state; done() runs in another, and
-- reads each thread's count through the thread object.
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
local errors = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, "<error>", 1, true) then
    errors = errors + 1
    wrk.thread:set("errors", errors)
    if errors <= 3 then io.stderr:write("unexpected answer: " .. status .. " " .. body .. "\\n") end
  end
end
done = function(summary, latency, requests)
  local answered_errors = 0
  for _, t in ipairs(threads) do
    answered_errors = answered_errors + (tonumber(t:get("errors")) or 0)
  end
  io.write(string.format("BENCH rps=%%.0f p50_ms=%%.3f p99_ms=%%.3f requests=%%d errors=%%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, answered_errors + summary.errors.status))
end
""" % (scenario, DAY, DAY + 86399, sha1("secret"), LAG, LAG))
sys.stdout.write("".join(out))
