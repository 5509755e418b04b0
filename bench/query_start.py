"""How long a named query takes to start answering on the shipped store (issue 16, item 4).

Builds a persistent store from data/ (once, in a temporary folder unless --store is given), then
runs `policykg --store S query NAME` as fresh processes and reports, per query, the median over
--runs of the process's CPU time when it prints its first line (interpreter start, imports, the
query catalogue, opening the store, the query: the time it starts answering), the CPU time of
the whole process (printing every row included) and the wall time. The first run of each query
is left out of the medians: it fills the catalogue's syntax cache (a cold start, with an empty
cache, is printed apart).

    python bench/query_start.py [--runs 7] [--store DIR] [NAME ...]

Not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICYKG = [sys.executable, "-m", "policykg.cli"]
FIRST_ROW = """
import sys, time
from policykg.cli import main
class FirstWrite:
    def __init__(self, out): self.out, self.at = out, None
    def write(self, text):
        if self.at is None and text:
            self.at = time.process_time()
            sys.stderr.write(f"first-output-cpu {self.at}\\n")
        return self.out.write(text)
    def flush(self): self.out.flush()
sys.stdout = FirstWrite(sys.stdout)
main()
"""
"""Runs the CLI with a stdout that notes the process's CPU time at its first write: the time
the query starts answering (interpreter start and imports included)."""


def run_once(store: Path, name: str, env: dict[str, str]) -> tuple[float, float, float]:
    """(CPU seconds to the first output, CPU seconds in all, wall seconds) of one fresh
    `policykg query` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", FIRST_ROW, "--store", str(store), "query", name, "--format", "tsv"],
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    first = float(done.stderr.split("first-output-cpu ", 1)[1].split()[0])
    return first, cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="queries to time (default: all named queries)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--store", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "POLICYKG_CACHE_DIR": str(Path(tmp) / "cache")}
        store = args.store or Path(tmp) / "store"
        if args.store is None:
            subprocess.run([*POLICYKG, "--quiet", "--store", str(store), "load"], check=True, env=env,
                           capture_output=True)  # fmt: skip
        names = args.names or sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
        print(
            f"{'query':34} {'cold cpu':>9} {'cpu to 1st row':>15} {'max':>6} {'cpu in all':>11} "
            f"{'wall':>6}   (medians of {args.runs})"
        )
        for name in names:
            cold_env = {**env, "POLICYKG_CACHE_DIR": str(Path(tmp) / f"cold-{name}")}
            cold = run_once(store, name, cold_env)[1]
            run_once(store, name, env)  # fills the shared syntax cache
            runs = [run_once(store, name, env) for _ in range(args.runs)]
            firsts = [f for f, _, _ in runs]
            print(
                f"{name:34} {cold:9.3f} {statistics.median(firsts):15.3f} {max(firsts):6.3f} "
                f"{statistics.median([c for _, c, _ in runs]):11.3f} "
                f"{statistics.median([w for _, _, w in runs]):6.3f}"
            )


if __name__ == "__main__":
    main()
