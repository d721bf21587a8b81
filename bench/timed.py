#!/usr/bin/env python3
"""Runs a command and prints how long it took and its peak resident memory.

usage: timed.py COMMAND [ARGS…]
Prints one line `BENCH secs=… rss_mb=… rc=…` on standard output; the command's own output goes
to standard error, whole."""
import resource
import subprocess
import sys
import time

t0 = time.monotonic()
done = subprocess.run(sys.argv[1:], stdout=sys.stderr)
secs = time.monotonic() - t0
rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("BENCH secs=%.2f rss_mb=%.1f rc=%d" % (secs, rss_mb, done.returncode))
