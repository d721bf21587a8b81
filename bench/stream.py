#!/usr/bin/env python3
"""Reads one long user_calls_get answer from a morbox on 127.0.0.1, as a client would.

usage: stream.py PORT FROM TILL [SLOW_SECONDS]
Asks, as the admin of the demo world, for everyone's calls from unix time FROM to TILL. Without
SLOW_SECONDS it reads the whole answer as fast as it comes and prints
  BENCH head_ms=… first_byte_ms=… total_s=… mb=… rows=… total_calls=…
(head: the status line and headers; first byte: the first byte of the document). With
SLOW_SECONDS it reads 64 KiB every 0.1 s for that long, then goes away, and prints
  BENCH slow_mb=… slow_s=…
Always 127.0.0.1: the port is the only thing taken from the caller."""
import hashlib
import http.client
import re
import sys
import time

port, start, till = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
slow = float(sys.argv[4]) if len(sys.argv) > 4 else None
sign = hashlib.sha1(("%d%d%s" % (start, till, "secret")).encode()).hexdigest()
body = "u=admin&period_start=%d&period_end=%d&hash=%s" % (start, till, sign)

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
t0 = time.monotonic()
conn.request("POST", "/billing/api/user_calls_get", body,
             {"Content-Type": "application/x-www-form-urlencoded"})
resp = conn.getresponse()
t_head = time.monotonic()
if resp.status != 200:
    sys.exit("status %d" % resp.status)

if slow is not None:
    got, t_end = 0, t0 + slow
    while time.monotonic() < t_end:
        piece = resp.read1(65536)
        if not piece:
            break
        got += len(piece)
        time.sleep(0.1)
    conn.sock.close()
    print("BENCH slow_mb=%.1f slow_s=%.1f" % (got / 1e6, time.monotonic() - t0))
    sys.exit(0)

first = resp.read1(65536)
t_first = time.monotonic()
total, rows, tail = len(first), first.count(b"<call>"), first[-8:]
head = first
while True:
    piece = resp.read1(1 << 20)
    if not piece:
        break
    total += len(piece)
    # A <call> cut between two reads is counted once, from the joined edge.
    rows += (tail + piece).count(b"<call>") - tail.count(b"<call>")
    tail = piece[-8:]
t_end = time.monotonic()
m = re.search(rb"<total_calls>(\d+)</total_calls>", head)
print("BENCH head_ms=%.1f first_byte_ms=%.1f total_s=%.2f mb=%.1f rows=%d total_calls=%s" % (
    (t_head - t0) * 1000, (t_first - t0) * 1000, t_end - t0, total / 1e6, rows,
    m.group(1).decode() if m else "?"))
