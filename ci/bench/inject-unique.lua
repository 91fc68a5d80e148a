-- ci/bench-mock's injection row: every request a routing injection into q-fifo with an
-- idempotency key of its own (so every one creates a contact and stores its key), authenticated
-- with TOKEN. The queue only deepens: with four agents, all but a few contacts wait.
-- With DELAY_MS set (ci/bench-hour), each connection pauses that long between requests, so wrk
-- offers a steady rate (about connections / (delay + latency)) instead of all the mock takes.
local token = os.getenv("TOKEN")
local counter = 0
-- keys unique across runs too (ci/bench-mock runs wrk again on one mock to deepen its queue)
local run = os.getenv("RUN") or tostring(os.time())

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

-- The request is formatted once, around a placeholder for the key: per request, wrk only joins
-- three strings. (wrk.format per request builds tables and formats every header in Lua: it
-- halved what one wrk thread could send, and the figure measured wrk rather than the target.)
function init(args)
  n = 0
  local body = '{"channel":"voice","queueId":"q-fifo","attributes":{"string:externalSource":"bench"}}'
  local text = wrk.format("POST", "/api/v2/routing/contacts",
                          {["Authorization"] = "Bearer " .. token,
                           ["Content-Type"] = "application/json",
                           ["X-Idempotency-Key"] = "@KEY@"}, body)
  local at = string.find(text, "@KEY@", 1, true)
  head = string.sub(text, 1, at - 1) .. "u-" .. run .. "-" .. tid .. "-"
  tail = string.sub(text, at + 5)
end

if os.getenv("DELAY_MS") then -- wrk paces only a script that defines delay()
  local pause = tonumber(os.getenv("DELAY_MS"))
  function delay()
    return pause
  end
end

function request()
  n = n + 1
  return head .. n .. tail
end
