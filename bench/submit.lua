-- wrk script of the deadline spike: every request submits another contributor's draft.
--   wrk -tN -s bench/submit.lua <url> -- <submits file> <url-encoded form> <origin> <N>
-- Each line of the submits file is "<proposal id> <session key> <csrf secret>"; thread n takes
-- lines n, n + threads, ... so no two requests submit the same draft. Responses are counted by
-- status and written to stdout as a JSON line `SUBMIT-STATUSES {...}`.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[4])
  lines = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == id then
      table.insert(lines, line)
    end
    i = i + 1
  end
  form = args[2]
  origin = args[3]
  next_line = 0
  statuses = {}
  exhausted = 0
  sent = 0
  accepted = {}
end

function request()
  next_line = next_line + 1
  local line = lines[next_line]
  if line == nil then
    exhausted = exhausted + 1
    return wrk.format("GET", "/bench/baseline/", { ["X-Forwarded-Proto"] = "https" })
  end
  local pk, session, csrf = line:match("(%S+) (%S+) (%S+)")
  sent = sent + 1
  return wrk.format("POST", "/proposals/" .. pk .. "/", {
    ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = origin,
    ["Referer"] = origin .. "/proposals/" .. pk .. "/",
    ["X-Forwarded-Proto"] = "https",
  }, "csrfmiddlewaretoken=" .. csrf .. "&action=submit&" .. form)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  -- A successful submit redirects to the proposal's own page: that names what was stored.
  local location = headers["Location"]
  if status == 302 and location then
    local pk = location:match("/proposals/(%d+)/")
    if pk then
      table.insert(accepted, pk)
    end
  end
end

function done(summary, latency, requests)
  local total, spare, in_flight, ok = {}, 0, 0, {}
  for _, thread in ipairs(threads) do
    local answered = 0
    for _, n in pairs(thread:get("statuses")) do
      answered = answered + n
    end
    in_flight = in_flight + thread:get("sent") + thread:get("exhausted") - answered
    for _, pk in ipairs(thread:get("accepted")) do
      table.insert(ok, pk)
    end
    local counted = thread:get("statuses")
    for status, n in pairs(counted) do
      total[status] = (total[status] or 0) + n
    end
    spare = spare + thread:get("exhausted")
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  io.write("SUBMIT-STATUSES {" .. table.concat(parts, ", ") .. "}\n")
  io.write(string.format("SUBMIT-UNANSWERED %d\n", in_flight))
  io.write(string.format("SUBMIT-EXHAUSTED %d\n", spare))
  io.write("SUBMIT-ACCEPTED " .. table.concat(ok, ",") .. "\n")
end
