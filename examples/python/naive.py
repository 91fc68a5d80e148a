#!/usr/bin/env python3
"""naive.py - an integration with four mistakes the platform punishes and the happy path hides.

  1. retries an injection after a 503 without an idempotency key   -> DUPLICATE_CONTACT (INJ-05)
  2. both agents accept one call and both act on it as its owner   -> DUPLICATE_ACCEPT (ACC-05)
  3. rejects back into a queue that is overflowing                 -> SILENT_DROP (REJ-03)
  4. polls until throttled, then retries at once                   -> RETRY_STORM (RATE-01)

Every call answers 2xx or is retried until it does, so the program itself "succeeds" (exit 0);
run it under `cxmock gate -- python3 examples/python/naive.py` to see what really happened.
"""
import threading

from cxone import AGENTS, admin, call, token

app = token()
contact = {"channel": "voice", "queueId": "q-fifo",
           "attributes": {"string:externalSource": "order-1001"}}


def inject(body):
    """Create a routing contact, retrying on a server error (mistake 1: no idempotency key)."""
    for _ in range(3):
        status, answer, _ = call("POST", "/api/v2/routing/contacts", body, app)
        if status == 201:
            return answer["id"]
    raise SystemExit(f"injection failed: {status} {answer}")


# 1. The answer to the first injection is lost (applied, then 503): the retry creates it again.
admin("PUT", "/faults", [{"group": "routing", "status": 503, "rate": 1.0, "applied": True}])
status, _, _ = call("POST", "/api/v2/routing/contacts", contact, app)
admin("PUT", "/faults", [])
call_id = inject(contact)  # the retry: a second contact for order-1001
print(f"injected {call_id} (after a {status})")


# 2. Both agents accept the call; each acts as its owner whatever the answer said.
def agent(name, email, password, barrier):
    tok = token(email, password)
    barrier.wait()
    call("POST", f"/api/v2/interactions/{call_id}/accept", {"agentId": name}, tok)
    call("POST", f"/api/v2/me/interactions/{call_id}", {"operationName": "Complete"}, tok)


barrier = threading.Barrier(len(AGENTS))
threads = [threading.Thread(target=agent, args=(*a, barrier)) for a in AGENTS]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("both agents handled", call_id)

# 3. Reject back to the queue, not looking at the queue first: it is full, so the call is gone.
first = admin("POST", "/interactions", {"channel": "voice", "queueId": "q-overflow"})["id"]
admin("POST", "/interactions", {"channel": "voice", "queueId": "q-overflow"})
ada = token(AGENTS[0][1], AGENTS[0][2])
status, _, _ = call("POST", f"/api/v2/interactions/{first}/reject",
                    {"agentId": AGENTS[0][0], "returnToQueue": True, "rejectReason": "agent_busy"},
                    ada)
print(f"rejected {first} back to q-overflow ({status})")

# 4. Poll the contact as fast as possible; on a 429, poll again at once.
for i in range(140):
    status, answer, _ = call("GET", f"/api/v2/routing/contacts/{call_id}", token=app)
    for _ in range(3):  # throttled? try again, right away
        if status != 429:
            break
        status, answer, _ = call("GET", f"/api/v2/routing/contacts/{call_id}", token=app)
print("polled the contact 140 times; the last answer:", status)
