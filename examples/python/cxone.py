"""cxone.py - the few calls both examples make, on urllib alone (no third-party module).

CXMOCK_URL, CXMOCK_CLIENT_ID and CXMOCK_CLIENT_SECRET come from `cxmock gate`; against a real
tenant they would be its API base URL and your client's credentials.
"""
import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ.get("CXMOCK_URL", "http://127.0.0.1:8080")
CLIENT = os.environ.get("CXMOCK_CLIENT_ID", "cx-integration")
SECRET = os.environ.get("CXMOCK_CLIENT_SECRET", "cx-integration-secret")


def call(method, path, body=None, token=None, headers=None):
    """One request: (status, JSON body or {}, headers). HTTP errors are answers, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), e.headers


def token(username=None, password=None):
    """An access token: the client's own, or an agent's (password grant)."""
    form = {"grant_type": "client_credentials"}
    if username:
        form = {"grant_type": "password", "username": username, "password": password}
    basic = base64.b64encode(f"{CLIENT}:{SECRET}".encode()).decode()
    req = urllib.request.Request(BASE + "/api/v2/oauth/token", method="POST",
                                 data=urllib.parse.urlencode(form).encode())
    req.add_header("Authorization", "Basic " + basic)
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())["access_token"]


def admin(method, path, body=None):
    """Test set-up through the mock's admin API (loopback: no token)."""
    status, answer, _ = call(method, "/__admin" + path, body)
    assert status < 300, (path, status, answer)
    return answer


AGENTS = [("agent-voice-1", "ada@example.test", "ada-pass"),
          ("agent-voice-2", "bob@example.test", "bob-pass")]
