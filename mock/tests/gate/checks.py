#!/usr/bin/env python3
"""checks.py - for test_gate.c: one mistake for each check the examples do not make, each made
once, so cxmock gate must count AUTH_CASCADE (AUTH-05), LOST_CONTACT (INJ-05),
POLICY_VIOLATION (AGT-03), UNKNOWN_DISPOSITION (REJ-02) and DUPLICATE_REJECT (REJ-04)."""
import base64
import json
import os
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "python"))
from cxone import BASE, admin, call, token  # noqa: E402


def client_token(client, secret):
    basic = base64.b64encode(f"{client}:{secret}".encode()).decode()
    req = urllib.request.Request(BASE + "/api/v2/oauth/token", method="POST",
                                 data=b"grant_type=client_credentials")
    req.add_header("Authorization", "Basic " + basic)
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())["access_token"]


# AUTH_CASCADE: a rotating client's second fetch revokes the first token, which is used anyway.
first = client_token("cx-rotating", "cx-rotating-secret")
client_token("cx-rotating", "cx-rotating-secret")
status, _, _ = call("GET", "/api/v2/queues/q-fifo", token=first)
assert status == 401, status

# LOST_CONTACT: a 503 on an injection, and no retry.
app = token()
admin("PUT", "/faults", [{"group": "routing", "status": 503, "rate": 1.0}])
status, _, _ = call("POST", "/api/v2/routing/contacts", {"channel": "voice", "queueId": "q-fifo"},
                    app)
admin("PUT", "/faults", [])
assert status == 503, status

# POLICY_VIOLATION: READY in the middle of a mandatory break.
status, _, _ = call("POST", "/api/v2/users/agent-on-break/state", {"state": "READY"}, app)
assert status == 409, status

# UNKNOWN_DISPOSITION: a reason that is not one of the tenant's dispositions.
ada = token("ada@example.test", "ada-pass")
ix = admin("POST", "/interactions", {"channel": "voice", "queueId": "q-fifo"})["id"]
status, _, _ = call("POST", f"/api/v2/interactions/{ix}/reject",
                    {"agentId": "agent-voice-1", "returnToQueue": True, "rejectReason": "busy"},
                    ada)
assert status == 200, status

# DUPLICATE_REJECT: a reject applied, answered 503, and sent again as it was.
bob = token("bob@example.test", "bob-pass")
ix = admin("POST", "/interactions", {"channel": "voice", "queueId": "q-fifo"})["id"]
admin("PUT", "/faults", [{"group": "interactions", "status": 503, "rate": 1.0, "applied": True}])
body = {"agentId": "agent-voice-2", "returnToQueue": True, "rejectReason": "agent_busy"}
call("POST", f"/api/v2/interactions/{ix}/reject", body, bob)
admin("PUT", "/faults", [])
call("POST", f"/api/v2/interactions/{ix}/reject", body, bob)
