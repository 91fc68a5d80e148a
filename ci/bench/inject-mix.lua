-- ci/bench-mock's injection mix: per connection, a cycle of one routing injection (half of them
-- with an idempotency key, a quarter of those repeated), one routing-contact read and one
-- interaction read of the contact it created. Requests are authenticated with TOKEN.
local token = os.getenv("TOKEN")
local counter = 0
local ids = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  n = 0
  last = nil
  auth = "Bearer " .. token
end

function request()
  n = n + 1
  local step = n % 3
  if step == 1 or last == nil then
    local headers = {["Authorization"] = auth, ["Content-Type"] = "application/json"}
    if n % 2 == 0 then
      headers["X-Idempotency-Key"] = "k-" .. tid .. "-" .. math.floor(n / 8)
    end
    local body = '{"channel":"chat","queueId":"q-priority","priority":' .. (n % 1000) ..
                 ',"attributes":{"string:externalSource":"bench"}}'
    return wrk.format("POST", "/api/v2/routing/contacts", headers, body)
  elseif step == 2 then
    return wrk.format("GET", "/api/v2/routing/contacts/" .. last .. "?expand=queuePosition",
                      {["Authorization"] = auth})
  else
    return wrk.format("GET", "/api/v2/interactions/" .. last, {["Authorization"] = auth})
  end
end

function response(status, headers, body)
  if status == 201 then
    last = string.match(body, '"id":"([^"]+)"')
  end
end
