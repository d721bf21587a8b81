#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol on a pipe (standard library only), for
tests/browser.sh: opens URL, waits until the page says it is ready (document.body.dataset.ready,
or the load event when the page has no such flag), then evaluates each EXPRESSION in order
(promises awaited) and prints each result as one line of JSON. Bounded: every wait has a
deadline, and the browser is stopped on the way out.

usage: cdp.py URL EXPRESSION [EXPRESSION ...]   (the browser command line in $CHROME_CMD)
"""
import json
import os
import shlex
import subprocess
import sys
import time

DEADLINE_S = 30


class Browser:
    def __init__(self, command):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # The protocol pipe is fds 3 (commands in) and 4 (answers out) of the browser.
        wrapped = ["bash", "-c", f'exec "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}', "bash"]
        self.proc = subprocess.Popen(
            wrapped + command + ["--remote-debugging-pipe", "about:blank"],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from the browser")
            chunk = os.read(self.from_chrome, 65536)
            if not chunk:
                raise EOFError("the browser closed its pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + DEADLINE_S
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def evaluate(self, session, expression):
        r = self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session,
        )
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r.get("result", {}).get("value")

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    url, expressions = sys.argv[1], sys.argv[2:]
    b = Browser(shlex.split(os.environ["CHROME_CMD"]))
    try:
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        b.call("Page.navigate", {"url": url}, session)
        deadline = time.monotonic() + DEADLINE_S
        ready = "document.readyState === 'complete' && (!document.getElementById('wb') || document.body.dataset.ready === '1')"
        while not b.evaluate(session, ready):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} never became ready")
            time.sleep(0.05)
        for e in expressions:
            print(json.dumps(b.evaluate(session, e)), flush=True)
    finally:
        b.close()


if __name__ == "__main__":
    main()
