#!/usr/bin/env python3
"""correct.py - the same integration as naive.py, written as the platform needs it.

  1. one X-Idempotency-Key per contact, kept across its retries     (INJ-05)
  2. an agent acts only when the accept's answer names it           (ACC-05, first wins)
  3. looks at the queue before rejecting back into it               (REJ-03)
  4. paces its polls and waits out every Retry-After                (RATE-01)

`cxmock gate -- python3 examples/python/correct.py` finds nothing wrong (exit 0).
"""
import threading
import time
import uuid

from cxone import AGENTS, admin, call, token

app = token()
contact = {"channel": "voice", "queueId": "q-fifo",
           "attributes": {"string:externalSource": "order-1001"}}


def patient(method, path, body=None, tok=None, headers=None, attempts=5):
    """A call retried on 429 and 5xx: after its Retry-After, else an exponential backoff."""
    delay = 0.2
    for _ in range(attempts):
        status, answer, h = call(method, path, body, tok, headers)
        if status != 429 and status < 500:
            return status, answer
        wait = float(h.get("Retry-After") or delay)
        time.sleep(max(wait, delay))
        delay *= 2
    return status, answer


# 1. The answer to the first injection is lost (applied, then 503): the retry, with the same
#    key, gets the contact already created.
admin("PUT", "/faults", [{"group": "routing", "status": 503, "rate": 1.0, "applied": True}])
key = {"X-Idempotency-Key": str(uuid.uuid4())}
status, _, _ = call("POST", "/api/v2/routing/contacts", contact, app, key)
admin("PUT", "/faults", [])
status, answer = patient("POST", "/api/v2/routing/contacts", contact, app, key)
call_id = answer["id"]
print(f"injected {call_id} once (the retry replayed it: {status})")


# 2. Both agents try to accept; only the one the answer names acts.
def agent(name, email, password, barrier, owners):
    tok = token(email, password)
    barrier.wait()
    status, answer = patient("POST", f"/api/v2/interactions/{call_id}/accept",
                             {"agentId": name}, tok)
    if status == 200 and answer.get("agentId") == name:
        owners.append(name)
        patient("POST", f"/api/v2/me/interactions/{call_id}", {"operationName": "Complete"}, tok)


owners = []
barrier = threading.Barrier(len(AGENTS))
threads = [threading.Thread(target=agent, args=(*a, barrier, owners)) for a in AGENTS]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{call_id} handled by its owner only: {owners}")

# 3. Before rejecting back to a queue, look at it: an overflowing queue drops what it gets.
first = admin("POST", "/interactions", {"channel": "voice", "queueId": "q-overflow"})["id"]
admin("POST", "/interactions", {"channel": "voice", "queueId": "q-overflow"})
ada = token(AGENTS[0][1], AGENTS[0][2])
status, queue = patient("GET", "/api/v2/queues/q-overflow", tok=ada)
if queue.get("status") == "Overflow":
    status, answer = patient("POST", f"/api/v2/interactions/{first}/accept",
                             {"agentId": AGENTS[0][0]}, ada)
    print(f"q-overflow is full: kept {first} (accept {status}, owner {answer.get('agentId')})")
else:
    patient("POST", f"/api/v2/interactions/{first}/reject",
            {"agentId": AGENTS[0][0], "returnToQueue": True, "rejectReason": "agent_busy"}, ada)
    print(f"rejected {first} back to q-overflow")

# 4. Poll the contact a few times, paced; a 429 is waited out as told.
for i in range(10):
    status, answer = patient("GET", f"/api/v2/routing/contacts/{call_id}", tok=app)
    time.sleep(0.05)
print("polled the contact 10 times; the last answer:", status)
