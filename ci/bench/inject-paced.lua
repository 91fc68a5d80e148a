-- ci/bench-hour's load: inject-unique.lua's requests (a contact and a key of its own each), each
-- connection waiting DELAY_MS (env, default 25) between them, so that wrk offers a steady rate
-- (about connections / (delay + latency)) instead of as many as the mock can take.
local token = os.getenv("TOKEN")
local run = os.getenv("RUN") or tostring(os.time())
local pause = tonumber(os.getenv("DELAY_MS") or "25")
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  n = 0
  auth = "Bearer " .. token
  body = '{"channel":"voice","queueId":"q-fifo","attributes":{"string:externalSource":"bench"}}'
end

function delay()
  return pause
end

function request()
  n = n + 1
  return wrk.format("POST", "/api/v2/routing/contacts",
                    {["Authorization"] = auth, ["Content-Type"] = "application/json",
                     ["X-Idempotency-Key"] = "h-" .. run .. "-" .. tid .. "-" .. n}, body)
end
