-- wrk script for Plaza's closed-loop workloads (bench/README.md).
-- wrk -t1 -c32 -d5s -s bench/load/plaza.lua http://127.0.0.1:PORT -- \
--     WORKLOAD TOKENS_FILE TARGETS_FILE CLIENT_ID CLIENT_SECRET PASSWORD
-- WORKLOAD: read-home | account | mixed | compose | follow-churn | sign-in | get:/path
-- TOKENS_FILE lines: `token account_id username` (written by plaza-datagen).
-- Prints one line `WRKJSON {...}` with rps, latency percentiles (ms) and errors.

local tokens, accounts, users, targets = {}, {}, {}, {}
local workload, client_id, client_secret, password
local following = {}
local counter = 0

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  workload = args[1] or "read-home"
  if args[2] and args[2] ~= "-" then
    for line in io.lines(args[2]) do
      local t, a, u = line:match("^(%S+)%s+(%S+)%s+(%S+)")
      if t then
        tokens[#tokens + 1] = t
        accounts[#accounts + 1] = a
        users[#users + 1] = u
      end
    end
  end
  if args[3] and args[3] ~= "-" then
    for line in io.lines(args[3]) do
      if line ~= "" then targets[#targets + 1] = line end
    end
  end
  client_id, client_secret, password = args[4], args[5], args[6]
  math.randomseed(os.time())
end

local function auth(i)
  return { ["Authorization"] = "Bearer " .. tokens[i] }
end

local function home(i)
  return wrk.format("GET", "/api/v1/timelines/home?limit=20", auth(i))
end

local function account(i)
  local target = targets[math.random(#targets)]
  return wrk.format("GET", "/api/v1/accounts/" .. target .. "/statuses?limit=20", auth(i))
end

local texts = { "压测中 load test #benchmark# 第", "今天的第 #plaza# post", "hello 微博 @u1 number",
                "新品发布 https://t.cn/A6bench 编号" }

local function compose(i)
  counter = counter + 1
  local body = "status=" .. urlencode(texts[counter % #texts + 1] .. " " .. counter)
  local h = auth(i)
  h["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", "/api/v1/statuses", h, body)
end

local function follow(i)
  -- Token i churns one target; never its own account (that is a 422, not churn).
  local k = (i % #targets) + 1
  if targets[k] == accounts[i] and #targets > 1 then k = (k % #targets) + 1 end
  local target = targets[k]
  local verb = following[i] and "unfollow" or "follow"
  following[i] = not following[i]
  return wrk.format("POST", "/api/v1/accounts/" .. target .. "/" .. verb, auth(i), "")
end

local function sign_in(i)
  local body = "grant_type=password&username=" .. users[i] .. "&password=" .. urlencode(password) ..
               "&client_id=" .. urlencode(client_id) .. "&client_secret=" ..
               urlencode(client_secret) .. "&scope=read"
  return wrk.format("POST", "/oauth/token",
                    { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

function request()
  if workload:sub(1, 4) == "get:" then return wrk.format("GET", workload:sub(5)) end
  local i = math.random(#tokens)
  if workload == "read-home" then return home(i) end
  if workload == "account" then return account(i) end
  if workload == "compose" then return compose(i) end
  if workload == "follow-churn" then return follow(i) end
  if workload == "sign-in" then return sign_in(i) end
  -- mixed: DeathStarBench's social-network mix
  local r = math.random(100)
  if r <= 60 then return home(i) end
  if r <= 90 then return account(i) end
  return compose(i)
end

function done(summary, latency, requests)
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local secs = summary.duration / 1e6
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
    '"p999_ms":%.3f,"max_ms":%.3f,"errors":%d,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, secs, summary.requests / secs, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    e.status + socket_errors, e.status, socket_errors))
end
