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

function init(args)
  n = 0
  auth = "Bearer " .. token
  body = '{"channel":"voice","queueId":"q-fifo","attributes":{"string:externalSource":"bench"}}'
end

if os.getenv("DELAY_MS") then -- wrk paces only a script that defines delay()
  local pause = tonumber(os.getenv("DELAY_MS"))
  function delay()
    return pause
  end
end

function request()
  n = n + 1
  return wrk.format("POST", "/api/v2/routing/contacts",
                    {["Authorization"] = auth, ["Content-Type"] = "application/json",
                     ["X-Idempotency-Key"] = "u-" .. run .. "-" .. tid .. "-" .. n}, body)
end
