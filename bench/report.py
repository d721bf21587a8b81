#!/usr/bin/env python3
"""Turns bench/run.sh's rows into bench/results.md: per load, the ratio of each round to its
own comparison (the baseline run just before it, or synchronous=NORMAL for the writes), the
median with its min and max, and each goal of the speed issues with whether it was met.

Row: LABEL ROUND KIND BENCH rps=… p50_ms=… p99_ms=… requests=… errors=… rss_mb=…
(KIND: baseline | morbox | full | normal | 10k | 1M)."""
import os
import platform
import statistics
import sys

(rows_file, startup_ms, binary_mb, secs, conns, reset_demo, reset_100k,
 load_before, load_after, rounds) = sys.argv[1:11]
gen_rate = float(sys.argv[11]) if len(sys.argv) > 11 else float("nan")
# The call history's facts (bench/run.sh: `key=value` words, a line or more each).
facts = {}
if len(sys.argv) > 12 and os.path.exists(sys.argv[12]):
    for word in open(sys.argv[12]).read().split():
        if "=" in word:
            k, v = word.split("=", 1)
            facts[k] = v


def fact(key, default=float("nan")):
    try:
        return float(facts[key])
    except (KeyError, ValueError):
        return default

runs = {}  # label -> kind -> round -> figures
order = []
for line in open(rows_file):
    head, rest = line.split(" BENCH ")
    label, rnd, kind = head.rsplit(" ", 2)
    if label not in runs:
        order.append(label)
    figures = {k: float(v) for k, v in (kv.split("=") for kv in rest.split())}
    runs.setdefault(label, {}).setdefault(kind, {})[int(rnd)] = figures


def ratios(label, top, bottom):
    """The ratio top/bottom within each round that has both."""
    r = runs.get(label, {})
    a, b = r.get(top, {}), r.get(bottom, {})
    return [a[i]["rps"] / b[i]["rps"] for i in sorted(a) if i in b and b[i]["rps"] > 0]


def med(values):
    return statistics.median(values) if values else float("nan")


def spread(values, fmt="%.2f"):
    if not values:
        return "—"
    return (fmt + " (" + fmt + "–" + fmt + ")") % (med(values), min(values), max(values))


def figures(label, kind, key):
    return [f[key] for f in runs.get(label, {}).get(kind, {}).values()]


cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
print("# morbox benchmark results\n")
print("Machine: %s, %d cores, %s; loopback; `wrk -t1 -c%s -d%ss` per run." % (
    cpu, os.cpu_count(), platform.platform(), conns, secs))
print("Command: `make bench` (bench/run.sh). Database: the demo world plus 100,000 users with "
      "addresses (`bench/seed.sql.in`); reads spread over 10,000 of them. Every figure comes "
      "from this one run. Each read load alternates with the fixed-document baseline (a minimal "
      "hyper server sending one captured answer of that call: a user_details_get answer, or for "
      "rate_get, a user's day of user_calls_get and dids_get their own) %s times "
      "(baseline, morbox, baseline, morbox, …) and its ratio is taken within each round: the "
      "median, then (min–max). The writes alternate synchronous=FULL with NORMAL the same way. "
      "Load average (1, 5, 15 min) before: %s; after: %s.\n" % (rounds, load_before, load_after))

print("| load | rounds | requests/s (median) | × comparison: median (min–max) | p50 ms | p99 ms (median, max) | peak RSS MB | errors |")
print("|---|---:|---:|---|---:|---:|---:|---:|")
for label in order:
    kinds = runs[label]
    if "morbox" in kinds:
        rows = [("%s" % label, "morbox", ratios(label, "morbox", "baseline"), "× baseline"),
                ("  baseline", "baseline", [], "")]
    elif "full" in kinds:
        rows = [("%s, synchronous=FULL" % label, "full", ratios(label, "full", "normal"), "× NORMAL"),
                ("%s, synchronous=NORMAL" % label, "normal", [], "")]
    else:
        rows = [("%s, 10k users" % label, "10k", [], ""),
                ("%s, 1M users" % label, "1M", ratios(label, "1M", "10k"), "× 10k")]
    for name, kind, rs, unit in rows:
        if kind not in kinds:
            continue
        rps = figures(label, kind, "rps")
        p99 = figures(label, kind, "p99_ms")
        print("| %s | %d | %.0f | %s | %.3f | %.3f, %.3f | %.1f | %.0f |" % (
            name, len(rps), med(rps), (spread(rs) + " " + unit) if rs else "—",
            med(figures(label, kind, "p50_ms")), med(p99), max(p99),
            max(figures(label, kind, "rss_mb")), sum(figures(label, kind, "errors"))))

ours = [f["rss_mb"] for label in runs for kind, rs in runs[label].items() if kind != "baseline"
        for f in rs.values()]
rss = max(ours) if ours else float("nan")


def goal_ratio(label, top, bottom, at_least):
    rs = ratios(label, top, bottom)
    return (spread(rs) + "×", bool(rs) and med(rs) >= at_least)


def goal_rate(label, kind, at_least):
    v = med(figures(label, kind, "rps"))
    return ("%.0f/s" % v, v >= at_least)


def goal_p99(label, limit=5):
    p = figures(label, "morbox", "p99_ms")
    return ("%.2f ms (max %.2f)" % (med(p), max(p)) if p else "—", bool(p) and med(p) <= limit)


targets = [
    ("user_details_get ≥ 0.6× baseline (100k users, access log on)",) + goal_ratio("user_details_get", "morbox", "baseline", 0.6),
    ("user_details_get with an urlencoded body ≥ 0.6× baseline",) + goal_ratio("user_details_get (urlencoded body)", "morbox", "baseline", 0.6),
    ("user_details_raw_get ≥ 0.45× baseline",) + goal_ratio("user_details_raw_get", "morbox", "baseline", 0.45),
    ("user_balance_get ≥ 0.6× baseline",) + goal_ratio("user_balance_get", "morbox", "baseline", 0.6),
    ("user_details_update, FULL ≥ 15,000/s",) + goal_rate("user_details_update", "full", 15000),
    ("user_details_update, FULL ≥ 0.6× NORMAL",) + goal_ratio("user_details_update", "full", "normal", 0.6),
    ("payment_create, FULL ≥ 15,000/s",) + goal_rate("payment_create", "full", 15000),
    ("payment_create, FULL ≥ 0.6× NORMAL",) + goal_ratio("payment_create", "full", "normal", 0.6),
    ("devices_get ≥ 0.6× baseline",) + goal_ratio("devices_get", "morbox", "baseline", 0.6),
    ("rate_get ≥ 0.6× baseline",) + goal_ratio("rate_get", "morbox", "baseline", 0.6),
    ("user_calls_get for a user's day ≥ 0.5× baseline",) + goal_ratio("user_calls_get (a user's day)", "morbox", "baseline", 0.5),
    ("calls generate of %.0f calls ≥ 250,000 calls/s" % fact("calls"), "%.0f/s" % gen_rate, gen_rate >= 250000),
    ("calls generate of %.0f calls: peak RSS ≤ 64 MB" % fact("calls"), "%.1f MB" % fact("gen_rss_mb"), fact("gen_rss_mb") <= 64),
    ("device_create, FULL ≥ 15,000/s",) + goal_rate("device_create", "full", 15000),
    ("device_create, FULL ≥ 0.6× NORMAL",) + goal_ratio("device_create", "full", "normal", 0.6),
    ("dids_get of one number in a stock of 100,000 ≥ 0.6× baseline",) + goal_ratio("dids_get (a number of 100,000)", "morbox", "baseline", 0.6),
    ("did_device_assign (half unassign), FULL ≥ 0.6× NORMAL",) + goal_ratio("did_device_assign, half unassign", "full", "normal", 0.6),
    ("did_device_assign (half unassign), FULL at the durable rate of updates (≥ 0.9× user_details_update FULL)",
     "%.0f/s against %.0f/s" % (med(figures("did_device_assign, half unassign", "full", "rps")), med(figures("user_details_update", "full", "rps"))),
     med(figures("did_device_assign, half unassign", "full", "rps")) >= 0.9 * med(figures("user_details_update", "full", "rps"))),
]
for label in ("user_details_get", "user_details_get (urlencoded body)", "user_details_raw_get", "user_balance_get", "devices_get", "dids_get (a number of 100,000)"):
    targets.append(("p99 of %s at %s connections ≤ 5 ms (median of rounds)" % (label, conns),) + goal_p99(label))
targets.append(("p99 of user_calls_get for a user's day ≤ 10 ms (median of rounds)",) + goal_p99("user_calls_get (a user's day)", 10))
if "user_details_get by size" in runs:
    rs = ratios("user_details_get by size", "1M", "10k")
    targets.append(("get with 1M users within 15% of 10k users", spread(rs) + "×",
                    bool(rs) and abs(1 - med(rs)) <= 0.15))
targets += [
    ("everyone's calls of a month streamed: first byte ≤ 200 ms", "%.0f ms (%.0f rows)" % (fact("month_first_byte_ms"), fact("month_rows")), fact("month_first_byte_ms") <= 200),
    ("everyone's calls of a month, then a slow reader that leaves: server peak RSS ≤ 64 MB", "%.1f MB" % fact("month_rss_mb"), fact("month_rss_mb") <= 64),
    ("the month's answer is whole (rows = total_calls) and the server answers after the slow reader left",
     "%.0f of %.0f; %.0f rows after" % (fact("month_rows"), fact("month_total_calls"), fact("served_after")),
     fact("month_rows") == fact("month_total_calls") and fact("served_after") > 0),
    ("calls import of a %.0f-line file whose last line is bad: refused whole, naming the line" % (fact("calls") + 1),
     "%.0f s, peak RSS %.1f MB, %.0f loaded, line named: %s" % (fact("import_secs"), fact("import_rss_mb"), fact("import_loaded"), "yes" if fact("import_named_line") >= 1 else "no"),
     fact("import_rc") != 0 and fact("import_loaded") == 0 and fact("import_named_line") >= 1),
    ("peak RSS through the whole bench ≤ 32 MB", "%.1f MB" % rss, rss <= 32),
    ("release binary ≤ 10 MB", binary_mb + " MB", float(binary_mb) <= 10),
    ("start to first answer ≤ 100 ms", startup_ms + " ms", int(startup_ms) <= 100),
    ("reset of the demo world < 50 ms", "%.1f ms" % float(reset_demo), float(reset_demo) < 50),
]
if facts:
    floor, gen1m = fact("floor_rate"), 1e6 / fact("gen1m_secs")
    print("\nCall history at production size: `calls generate` of %.0f calls over 300 days for "
          "1,100 users (about 30 a user a day, a million a month) took %.1f s (%.0f calls/s, peak "
          "RSS %.1f MB). SQLite's own floor on this machine (`benches/calls_floor.rs`: the same 26 "
          "columns into the same table and indexes, one prepared statement, values that cost next "
          "to nothing) wrote a million rows at %.0f/s; the generator made and wrote a million at "
          "%.0f/s, %.2f× the floor. Everyone's calls of June 2025: the head in %.0f ms, the first "
          "byte of the document in %.0f ms, %.0f rows (%.0f MB) in %.1f s; a slow reader then took "
          "%.1f MB in %.0f s and went away; the server's peak RSS through both: %.1f MB." % (
              fact("calls"), fact("gen_secs"), gen_rate, fact("gen_rss_mb"), floor, gen1m,
              gen1m / floor, fact("month_head_ms"), fact("month_first_byte_ms"),
              fact("month_rows"), fact("month_mb"), fact("month_total_s"), fact("slow_mb"),
              fact("slow_s"), fact("month_rss_mb")))
print("\nReset between tests (`POST /_morbox/reset`, the server's own timing, median of 5): "
      "demo world %.1f ms, 100,000 users %.1f ms." % (float(reset_demo), float(reset_100k)))
print("\n| goal | measured | met |")
print("|---|---|---|")
for name, measured, met in targets:
    print("| %s | %s | %s |" % (name, measured, "yes" if met else "**no**"))

profile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile.md")
if os.path.exists(profile):
    print()
    print(open(profile).read().rstrip())
