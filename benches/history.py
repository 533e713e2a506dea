#!/usr/bin/env python3
"""History scan benchmark: `keyfence git REPO` against the slow way,
`git log -p --all | keyfence scan -`.

Prints wall time, CPU time, unique blobs, bytes scanned, throughput and peak
RSS (the largest of any process in the pipeline) for each. Standard library
only; Linux or macOS (peak RSS comes from os.wait4).

    python3 benches/history.py REPO [--keyfence PATH] [--runs N] [--no-slow]

Build first with `cargo build --release`. The median run (by wall time) is
shown when --runs is more than one.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_bytes(ru_maxrss):
    # Linux reports KiB, macOS bytes.
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


def wait(proc):
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage


def run_keyfence_git(keyfence, repo):
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [keyfence, "git", "--format", "json", "--no-progress", "--quiet", str(repo)],
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
        usage = wait(proc)
        wall = time.perf_counter() - start
        out.seek(0)
        report = json.load(out)
    s = report["summary"]
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "blobs": s["files_scanned"],
        "bytes": s["bytes_scanned"],
        "rss": rss_bytes(usage.ru_maxrss),
        "findings": len(report["findings"]),
        "exit": proc.returncode,
    }


def run_slow(keyfence, repo):
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        log = subprocess.Popen(
            ["git", "-C", str(repo), "log", "-p", "--all", "--no-color",
             "--no-ext-diff", "--no-textconv"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        scan = subprocess.Popen(
            [keyfence, "scan", "--format", "json", "--quiet", "-"],
            stdin=log.stdout,
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
        log.stdout.close()
        u_log = wait(log)
        u_scan = wait(scan)
        wall = time.perf_counter() - start
        out.seek(0)
        report = json.load(out)
    s = report["summary"]
    return {
        "wall": wall,
        "cpu": sum(u.ru_utime + u.ru_stime for u in (u_log, u_scan)),
        "blobs": None,
        "bytes": s["bytes_scanned"],
        "rss": max(rss_bytes(u.ru_maxrss) for u in (u_log, u_scan)),
        "findings": len(report["findings"]),
        "exit": scan.returncode,
    }


def median_run(fn, runs):
    results = [fn() for _ in range(runs)]
    results.sort(key=lambda r: r["wall"])
    return results[len(results) // 2]


def row(name, r):
    mbps = r["bytes"] / r["wall"] / 1e6 if r["wall"] else 0.0
    blobs = "-" if r["blobs"] is None else f"{r['blobs']:,}"
    return (
        f"{name:<28} {r['wall']:>8.2f} {r['cpu']:>8.2f} {blobs:>10} "
        f"{r['bytes'] / 1e6:>10.1f} {mbps:>8.1f} {r['rss'] / 2**20:>9.1f} "
        f"{r['findings']:>9} {r['exit']:>5}"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo", type=Path, help="a git repository (bare or not)")
    ap.add_argument("--keyfence", type=Path, default=ROOT / "target" / "release" / "keyfence")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-slow", action="store_true", help="skip the git log -p comparison")
    args = ap.parse_args()
    if not args.keyfence.exists():
        sys.exit(f"{args.keyfence}: not found; run cargo build --release first")
    if not args.repo.exists():
        sys.exit(f"{args.repo}: no such repository")

    print(f"repository: {args.repo}")
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}, runs: {args.runs}")
    print(
        f"{'':<28} {'wall s':>8} {'cpu s':>8} {'blobs':>10} {'MB':>10} "
        f"{'MB/s':>8} {'RSS MiB':>9} {'findings':>9} {'exit':>5}"
    )
    fast = median_run(lambda: run_keyfence_git(args.keyfence, args.repo), args.runs)
    print(row("keyfence git", fast), flush=True)
    if not args.no_slow:
        slow = median_run(lambda: run_slow(args.keyfence, args.repo), args.runs)
        print(row("git log -p --all | scan -", slow))
        print(f"speed-up: {slow['wall'] / fast['wall']:.1f}x wall")


if __name__ == "__main__":
    main()
