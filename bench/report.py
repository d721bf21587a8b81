#!/usr/bin/env python3
"""Turns bench/run.sh's rows into bench/results.md: figures, ratios to the baseline measured
in the same run, and each target with whether it was met."""
import os
import platform
import subprocess
import sys

rows_file, startup_ms, binary_mb, secs, conns, reset_demo, reset_100k = sys.argv[1:8]
runs = {}
for line in open(rows_file):
    name, rest = line.split(" BENCH ")
    runs.setdefault(name, []).append(dict(kv.split("=") for kv in rest.split()))
# A load run more than once is reported as the mean of its runs (RSS: the highest).
rows = {}
for name, rs in runs.items():
    row = {}
    for key in rs[0]:
        values = [float(r[key]) for r in rs]
        if key == "rss_mb":
            row[key] = "%.1f" % max(values)
        elif key in ("rps", "requests", "errors"):
            row[key] = "%.0f" % (sum(values) / len(values))
        else:
            row[key] = "%.3f" % (sum(values) / len(values))
    row["runs"] = len(rs)
    rows[name] = row
base = float(rows["baseline"]["rps"])


def f(name, key):
    return float(rows[name][key]) if name in rows else float("nan")


cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
print("# morbox benchmark results\n")
print("Machine: %s, %d cores, %s; loopback; `wrk -t1 -c%s -d%ss`." % (
    cpu, os.cpu_count(), platform.platform(), conns, secs))
print("Command: `make bench` (bench/run.sh). Database: the demo world plus 100,000 users with "
      "addresses (`bench/seed.sql.in`). Every figure below comes from one `make bench` run; "
      "ratios are to the baseline of that same run; a load run twice (alternating with its "
      "comparison) shows the mean of its runs.\n")
print("| load | runs | requests/s | × baseline | p50 ms | p99 ms | peak RSS MB | errors |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name, r in rows.items():
    print("| %s | %d | %s | %.2f | %s | %s | %s | %s |" % (
        name, r["runs"], r["rps"], float(r["rps"]) / base, r["p50_ms"], r["p99_ms"], r["rss_mb"], r["errors"]))

get = f("user_details_get", "rps")
full = f("user_details_update(FULL)", "rps")
normal = f("user_details_update(NORMAL)", "rps")
g10k = f("user_details_get@10k", "rps")
g1m = f("user_details_get@1M", "rps")
rss = max(float(r["rss_mb"]) for n, r in rows.items() if n != "baseline")
targets = [
    ("user_details_get ≥ 0.6× baseline", "%.2f×" % (get / base), get / base >= 0.6),
    ("user_details_get p99 ≤ 5 ms at %s connections" % conns, rows["user_details_get"]["p99_ms"] + " ms",
     float(rows["user_details_get"]["p99_ms"]) <= 5),
    ("durable updates ≥ 15,000/s", "%.0f/s" % full, full >= 15000),
    ("durable updates ≥ 0.6× synchronous=NORMAL", "%.2f×" % (full / normal), full / normal >= 0.6),
    ("get with 1M users within 15% of 10k users", "%.0f vs %.0f (%.1f%%)" % (g1m, g10k, 100 * (g10k - g1m) / g10k)
     if g1m == g1m else "not run (BENCH_SCALE=0)", abs(g10k - g1m) / g10k <= 0.15 if g1m == g1m else None),
    ("durable payments (payment_create, FULL) ≥ 15,000/s", "%.0f/s" % f("payment_create(FULL)", "rps"),
     f("payment_create(FULL)", "rps") >= 15000),
    ("user_balance_get ≥ 0.6× baseline", "%.2f×" % (f("user_balance_get", "rps") / base),
     f("user_balance_get", "rps") / base >= 0.6),
    ("peak RSS ≤ 32 MB", "%.1f MB" % rss, rss <= 32),
    ("release binary ≤ 10 MB", binary_mb + " MB", float(binary_mb) <= 10),
    ("start to first answer ≤ 100 ms", startup_ms + " ms", int(startup_ms) <= 100),
    ("reset of the demo world < 50 ms", "%.1f ms" % float(reset_demo), float(reset_demo) < 50),
]
print("\nReset between tests (`POST /_morbox/reset`, the server's own timing, median of 5): "
      "demo world %.1f ms, 100,000 users %.1f ms." % (float(reset_demo), float(reset_100k)))
print("\n| target | measured | met |")
print("|---|---|---|")
for name, measured, met in targets:
    print("| %s | %s | %s |" % (name, measured, "—" if met is None else "yes" if met else "**no**"))

profile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile.md")
if os.path.exists(profile):
    print()
    print(open(profile).read().rstrip())
