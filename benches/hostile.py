#!/usr/bin/env python3
"""Hostile-input benchmark for keyfence (Python 3, standard library only).

Generates, in a temporary directory:

  minified.js   one 50 MB line of minified-looking JavaScript
  flood.txt     `password=` repeated 1,000,000 times (9 MB), every byte near a hit
  lines.txt     10,000,000 short lines
  ordinary-*    ordinary source code of the same size as each of the above

runs `keyfence scan` on each file N times, and reports the median wall time,
the peak resident set size (from os.wait4), and the ratios the hardening issue
sets as targets:

  peak RSS            < 10x the file size
  wall time           < 10x the time of the same-size ordinary file

Usage:
  python3 benches/hostile.py [--bin target/release/keyfence] [--runs 3] [--scale 1.0]

Without --bin the release binary is built first (`cargo build --release`).
--scale shrinks or grows every input (0.1 for a quick look). Exit status 1
when a target is missed.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MB = 1_000_000

WORDS = [
    "value", "items", "result", "index", "config", "handler", "request", "response",
    "token", "user", "session", "buffer", "count", "offset", "length", "options",
    "render", "update", "state", "props", "event", "target", "secret", "callback",
]


# The generators write in chunks: this process must stay small, because a
# child's peak RSS as the kernel reports it includes its parent's at fork.

def write_chunks(path, chunks, size=None):
    """Writes the chunks (at most `size` bytes when given); returns the size."""
    total = 0
    with open(path, "wb") as f:
        for chunk in chunks:
            if size is not None and total + len(chunk) > size:
                chunk = chunk[:size - total]
            f.write(chunk)
            total += len(chunk)
            if size is not None and total >= size:
                break
    return total


def minified(rng):
    """Minified-looking JavaScript without a line break, a keyword now and then."""
    while True:
        parts = []
        for _ in range(2000):
            a, b, c = rng.choice(WORDS), rng.choice(WORDS), rng.randrange(1000)
            parts.append(rng.choice([
                f"var {a[0]}{c}=function(e,t){{return e.{b}+t[{c}]}};",
                f"{a}.{b}=({a[:2]},{c})=>{{if(!{a[:2]})return null;}};",
                f"n.exports={{{a}:{c},{b}:\"{a}-{c}\"}};",
                f"for(var i=0;i<{c};i++){{{a}[i]={b}(i)}}",
            ]))
        yield "".join(parts).encode()


def flood(count):
    for done in range(0, count, 100_000):
        yield b"password=" * min(100_000, count - done)


def short_lines(count):
    for start in range(0, count, 100_000):
        yield b"".join(b"v=%d\n" % (i % 1000) for i in range(start, min(start + 100_000, count)))


def ordinary(rng):
    """Ordinary source code: indented lines of 20-70 characters."""
    n = 0
    while True:
        lines = []
        for _ in range(2000):
            a, b = rng.choice(WORDS), rng.choice(WORDS)
            n += 1
            lines.append(rng.choice([
                f"    let {a}_{n} = {b}.get({n % 97}).unwrap_or_default();\n",
                f"    // update the {a} before the {b} is read\n",
                f"fn {a}_{b}_{n}(input: &str) -> usize {{\n",
                f"        if {a}.len() > {n % 50} {{ return {b}; }}\n",
                "    }\n",
                f"    self.{a}.push({b}[{n % 13}].clone());\n",
            ]))
        yield "".join(lines).encode()


def run_once(binary, path):
    """Runs keyfence on one file; returns (wall seconds, peak RSS bytes, exit code)."""
    cmd = [binary, "scan", "--no-progress", "--format", "json",
           "--max-file-size", str(10 ** 10), "--output", os.devnull, path]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return wall, rss, proc.returncode


def measure(binary, path, runs):
    walls, rsss = [], []
    for _ in range(runs):
        wall, rss, code = run_once(binary, path)
        if code not in (0, 1):
            sys.exit(f"keyfence exited {code} on {path}")
        walls.append(wall)
        rsss.append(rss)
    return statistics.median(walls), max(rsss)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", help="keyfence binary (default: build target/release/keyfence)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = args.bin
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=root, check=True)
        binary = os.path.join(root, "target", "release", "keyfence")

    rng = random.Random(9)
    work = tempfile.mkdtemp(prefix="keyfence-hostile-")
    try:
        hostile = [
            ("minified.js (1 line)", "minified.js",
             lambda p: write_chunks(p, minified(rng), int(50 * MB * args.scale))),
            ("flood.txt (password= x N)", "flood.txt",
             lambda p: write_chunks(p, flood(int(1_000_000 * args.scale)))),
            ("lines.txt (short lines)", "lines.txt",
             lambda p: write_chunks(p, short_lines(int(10_000_000 * args.scale)))),
        ]
        rows = []
        missed = False
        _, floor_rss = measure(binary, os.devnull, 1)
        for name, file_name, generate in hostile:
            path = os.path.join(work, file_name)
            size = generate(path)
            base = os.path.join(work, "ordinary-" + file_name + ".rs")
            write_chunks(base, ordinary(rng), size)
            wall, rss = measure(binary, path, args.runs)
            base_wall, base_rss = measure(binary, base, args.runs)
            rss_ratio = rss / size
            time_ratio = wall / base_wall if base_wall > 0 else float("inf")
            ok = rss_ratio < 10 and time_ratio < 10
            missed |= not ok
            rows.append((name, size, wall, rss, base_wall, base_rss, rss_ratio, time_ratio, ok))
            os.remove(path)
            os.remove(base)

        print(f"keyfence hostile-input benchmark: {binary}, median of {args.runs} runs\n")
        head = ("input", "size", "time", "peak RSS", "ordinary time", "ordinary RSS",
                "RSS/size", "time/ordinary", "")
        print("{:<28} {:>9} {:>8} {:>10} {:>14} {:>13} {:>9} {:>14} {}".format(*head))
        for name, size, wall, rss, bw, brss, rr, tr, ok in rows:
            print("{:<28} {:>7.1f}MB {:>7.2f}s {:>8.1f}MB {:>13.2f}s {:>11.1f}MB {:>8.2f}x {:>13.2f}x {}".format(
                name, size / MB, wall, rss / MB, bw, brss / MB, rr, tr, "ok" if ok else "MISSED"))
        print(f"\npeak RSS of a run on an empty input: {floor_rss / MB:.1f}MB")
        print("targets: RSS/size < 10x, time/ordinary < 10x")
        return 1 if missed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
