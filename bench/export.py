"""Benchmark: `policykg export` (Turtle, N-Quads, JSON-LD) against Oxigraph writing the same data
itself, on the persistent store of a synthetic corpus (the issue's target: within 2x).

    python bench/export.py --sizes 1000,10000

The baselines are pyoxigraph's own writers on the same store: N-Quads and JSON-LD dump the whole
store (``Store.dump``); Turtle dumps each named graph (``Store.dump(from_graph=...)``), which is
the same triples without merging them. policykg's exports are deterministic (sorted, canonical
blank nodes) and compact JSON-LD with the project context, which the baselines are not. Each
step runs once, baseline first then policykg, in one process; prints a Markdown table and writes
bench/export-results-<size>.json. Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

FORMATS = {"turtle": "TURTLE", "nquads": "N_QUADS", "jsonld": "JSON_LD"}


def _prepare(size: int, work: Path, seed: int) -> Path:
    """A store of ``size`` synthetic policies (made once per size and seed, then reused)."""
    from policykg.load import load_project, open_store
    from policykg.synthetic.corpus import generate

    corpus = work / f"corpus-{size}-{seed}"
    store_dir = work / f"store-{size}-{seed}"
    if not (corpus / "plan.json").is_file():
        generate(size, seed, corpus, processes=(1, 2))
    if not (store_dir / "done").is_file():
        load_project(data_dir=corpus / "data", store=open_store(store_dir))
        (store_dir / "done").write_text("", encoding="utf-8")
    return store_dir


def _baseline(store: Any, fmt: str) -> int:
    import pyoxigraph as ox

    from policykg.store import META_GRAPH

    raw = store._store
    if fmt == "turtle":
        written = 0
        for name in store.graph_names():
            data = raw.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.NamedNode(str(name)))
            written += len(data)
        return written
    return len(raw.dump(format=getattr(ox.RdfFormat, FORMATS[fmt]))) if META_GRAPH else 0


def run(size: int, work: Path, seed: int, repeat: int = 1) -> dict[str, Any]:
    from policykg.export import export
    from policykg.load import open_store_only

    store = open_store_only(_prepare(size, work, seed))
    triples = len(store)
    results: dict[str, Any] = {
        "size": size,
        "triples": triples,
        "repeat": repeat,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
    }
    for fmt in FORMATS:
        base, ours = float("inf"), float("inf")
        for _ in range(repeat):  # alternate the two; keep each one's best (the machine is shared)
            start = time.perf_counter()
            base_bytes = _baseline(store, fmt)
            base = min(base, time.perf_counter() - start)
            start = time.perf_counter()
            text = export(store, fmt)
            ours = min(ours, time.perf_counter() - start)
        results[fmt] = {
            "oxigraph_s": round(base, 2),
            "policykg_s": round(ours, 2),
            "ratio": round(ours / base, 2),
            "oxigraph_mb": round(base_bytes / 1e6, 1),
            "policykg_mb": round(len(text.encode("utf-8")) / 1e6, 1),
        }
        print(f"{size} {fmt}: {results[fmt]}", file=sys.stderr, flush=True)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="Runs of each step; the best is kept.")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykg-bench-export"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(
        "| policies | triples | format | Oxigraph's writer | policykg export | ratio | MB (Oxigraph / ours) |"
    )
    print("|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        results = run(size, args.work, args.seed, args.repeat)
        (ROOT / "bench" / f"export-results-{size}.json").write_text(json.dumps(results, indent=2) + "\n")
        for fmt in FORMATS:
            r = results[fmt]
            print(
                f"| {size:,} | {results['triples']:,} | {fmt} | {r['oxigraph_s']} s | {r['policykg_s']} s | "
                f"{r['ratio']}x | {r['oxigraph_mb']} / {r['policykg_mb']} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
