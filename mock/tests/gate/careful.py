#!/usr/bin/env python3
"""careful.py - for test_gate.c: a correct program doing what a careless judge could misread,
run on a tenant that takes either idempotency header. cxmock gate must find nothing:
  - routes without an id (the list, the attribute schema);
  - an agent that lost an accept race and later declines the same call offered to it again;
  - a 429 waited out exactly as its retryAfterMs says (Retry-After is that, rounded up);
  - a reject whose connection was reset before the mock saw it, sent again;
  - two contacts with the same body and their own Idempotency-Key each."""
import json
import os
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "python"))
from cxone import admin, call, token  # noqa: E402

app = token()
assert call("GET", "/api/v2/interactions", token=app)[0] == 200
assert call("GET", "/api/v2/contacts/attributes", token=app)[0] == 200

# Both agents try to accept; ada wins (or bob: whoever the answer names). The winner sends the
# call back to the queue; the loser, offered it now, declines it too.
ix = admin("POST", "/interactions", {"channel": "voice", "queueId": "q-fifo"})["id"]
agents = {"agent-voice-1": token("ada@example.test", "ada-pass"),
          "agent-voice-2": token("bob@example.test", "bob-pass")}
answers = {}
barrier = threading.Barrier(2)


def accept(name):
    barrier.wait()
    answers[name] = call("POST", f"/api/v2/interactions/{ix}/accept", {"agentId": name},
                         agents[name])[1]


threads = [threading.Thread(target=accept, args=(n,)) for n in agents]
for t in threads:
    t.start()
for t in threads:
    t.join()
winner = answers["agent-voice-1"]["agentId"]
loser = next(n for n in agents if n != winner)
time.sleep(0.1)  # the accept applies (consistency)
reject = {"returnToQueue": True, "rejectReason": "agent_busy"}
assert call("POST", f"/api/v2/interactions/{ix}/reject", dict(reject, agentId=winner),
            agents[winner])[0] == 200
time.sleep(0.1)  # back in the queue, ringing the loser
status, view, _ = call("GET", f"/api/v2/interactions/{ix}", token=agents[loser])
if loser in view.get("ringingAgents", []):
    assert call("POST", f"/api/v2/interactions/{ix}/reject", dict(reject, agentId=loser),
                agents[loser])[0] == 200

# Two contacts, one body, each its own Idempotency-Key (the tenant takes either header).
body = {"channel": "voice", "queueId": "q-fifo"}
contacts = []
for _ in range(2):
    status, answer, _ = call("POST", "/api/v2/routing/contacts", body, app,
                             {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, (status, answer)
    contacts.append(answer["id"])

# Throttled: wait exactly what retryAfterMs says, then go on.
contact = None
for i in range(200):
    status, answer, _ = call("GET", "/api/v2/routing/queues/q-fifo", token=app)
    if status == 429:
        time.sleep(answer["retryAfterMs"] / 1000 + 0.01)
        assert call("GET", "/api/v2/routing/queues/q-fifo", token=app)[0] == 200
        break
else:
    raise SystemExit("never throttled")

# A reject whose connection is reset before the mock sees it: it was not applied; send again.
ix, ringing = None, []
for _ in range(100):  # the first injected contact that rings someone
    for cid in contacts:
        ringing = call("GET", f"/api/v2/interactions/{cid}", token=app)[1].get("ringingAgents")
        if ringing:
            ix, ringing = cid, ringing[0]
            break
    if ix:
        break
    time.sleep(0.02)
assert ix, "nothing rings"
end = {"returnToQueue": False, "rejectReason": "agent_busy", "agentId": ringing}
admin("PUT", "/faults", [{"group": "interactions", "reset": 1}])
try:
    call("POST", f"/api/v2/interactions/{ix}/reject", end, agents[ringing])
except OSError:
    pass
admin("PUT", "/faults", [])
assert call("POST", f"/api/v2/interactions/{ix}/reject", end, agents[ringing])[0] == 200

print("careful: done")
