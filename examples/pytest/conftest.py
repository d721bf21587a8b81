"""A pytest fixture for testing MOR API client code against morbox.

One throwaway morbox per test session (`serve --ephemeral --demo --test-endpoints` on a free
loopback port), reset to its starting state before every test, with the request journal
cleared, so each test starts from the demo world and can assert on exactly what it sent.

Copy this file into your own suite; point MORBOX_BIN at the morbox binary.
"""
import hashlib
import json
import os
import subprocess
import urllib.parse
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BIN = os.path.join(HERE, "..", "..", "target", "debug", "morbox")


class Morbox:
    """A running morbox: its base URL, the demo keys, and helpers for the test endpoints."""

    SYSTEM_KEY = "secret"

    def __init__(self, url):
        self.url = url

    def call(self, name, params, key=SYSTEM_KEY, hashed=()):
        """POSTs an API call with `hash` = sha1 of the `hashed` parameters' values + key."""
        params = dict(params)
        params["hash"] = hashlib.sha1(
            ("".join(str(params[h]) for h in hashed if h in params) + key).encode()
        ).hexdigest()
        data = urllib.parse.urlencode(params).encode()
        with urllib.request.urlopen(f"{self.url}/billing/api/{name}", data=data) as r:
            return r.read().decode()

    def _json(self, method, path):
        # A test endpoint that changes something wants this header (no web page can send it
        # to another origin without asking first).
        headers = {} if method == "GET" else {"X-Morbox": "1"}
        data = b"" if method == "POST" else None
        req = urllib.request.Request(f"{self.url}{path}", method=method, data=data, headers=headers)
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read().decode())

    def reset(self):
        return self._json("POST", "/_morbox/reset")

    def requests(self, call=None, u=None):
        """Every journal entry (oldest first), page after page."""
        found, after = [], 0
        while True:
            q = {k: v for k, v in (("call", call), ("u", u)) if v}
            q["after"] = after
            page = self._json("GET", "/_morbox/requests?" + urllib.parse.urlencode(q))
            found += page["requests"]
            if page["next"] is None:
                return found
            after = page["next"]

    def clear_journal(self):
        return self._json("DELETE", "/_morbox/requests")


@pytest.fixture(scope="session")
def morbox_server():
    binary = os.environ.get("MORBOX_BIN", DEFAULT_BIN)
    proc = subprocess.Popen(
        [binary, "serve", "--ephemeral", "--demo", "--test-endpoints", "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip()
    assert line.startswith("morbox listening on http://127.0.0.1:"), line
    yield Morbox(line.removeprefix("morbox listening on "))
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def morbox(morbox_server):
    morbox_server.reset()
    morbox_server.clear_journal()
    return morbox_server
