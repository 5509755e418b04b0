"""Benchmark: policykg (Oxigraph store, per-version validation) against the baselines named in
the scale issue (rdflib Graph + its SPARQL; pyshacl over the whole graph), on synthetic corpora.

    python bench/run.py --sizes 1000,10000 --cap 300

Each side runs in its own process (so peak RSS is its own); a baseline step that runs past
--cap seconds is reported as "> cap". Prints a Markdown table with ratios (baseline / policykg)
and writes bench/results-<size>.json. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

ONTOLOGY_IRI = "https://w3id.org/policykg/graph/ontology"
CATALOGUE_IRI = "https://w3id.org/policykg/graph/catalogue"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _queries(store: Any, plan: Any) -> tuple[dict[str, float], dict[str, str]]:
    """Each named query with its planted parameters: best-of-3 seconds (slow ones once), and
    "ok" or how its rows differ from the planted answer."""
    from policykg.planted import planted_answer
    from policykg.query import bind_parameters, catalogue, run_local

    seconds, answers = {}, {}
    for name, query in catalogue().items():
        planted = planted_answer(plan, name)
        bindings = bind_parameters(query, planted.params)
        first, result = _timed(lambda q=query, b=bindings: run_local(store, q, b))
        repeats = [
            _timed(lambda q=query, b=bindings: run_local(store, q, b))[0]
            for _ in range(2 if first < 2 else 0)
        ]
        seconds[name] = min([first, *repeats])
        answers[name] = planted.mismatch(result.rows) or "ok"
    return seconds, answers


def child_ours(corpus: Path, work: Path) -> dict[str, Any]:
    from policykg.load import load_project, open_store
    from policykg.store import policy_graph_names
    from policykg.synth import load_plan
    from policykg.validate import validate_store

    store_dir = work / "store"
    shutil.rmtree(store_dir, ignore_errors=True)
    load_s, result = _timed(lambda: load_project(data_dir=corpus / "data", store=open_store(store_dir)))
    store = result.store
    names = policy_graph_names(store)
    size = sum(p.stat().st_size for p in store_dir.rglob("*") if p.is_file())
    plan = load_plan(corpus / "plan.json")
    queries, answers = _queries(store, plan)
    cache = work / "validation-cache"
    shutil.rmtree(cache, ignore_errors=True)
    full_s, report = _timed(
        lambda: validate_store(store, "data", date(2026, 11, 23), cache_dir=cache, jobs=2)
    )
    compliance_s, compliance = _timed(lambda: validate_store(store, "compliance", date(2026, 11, 23), jobs=2))
    # change one policy version in the store, then re-validate: only it (and, for the
    # cross-policy shape, the other versions of its vendor) is validated again. Three rounds,
    # each with another version; the median is reported.
    from rdflib import Literal
    from rdflib.namespace import DCTERMS

    rounds = []
    for offset in range(3):
        victim = names[len(names) // 2 + offset]
        graph = store.graph(victim)
        graph.set((victim, DCTERMS.title, Literal(f"changed title {offset}")))
        store.replace_graph(victim, graph)
        rounds.append(
            _timed(lambda: validate_store(store, "data", date(2026, 11, 23), cache_dir=cache, collect=False))
        )
    single_s, single = sorted(rounds, key=lambda r: r[0])[1]
    report_s, _ = _timed(lambda: validate_store(store, "data", date(2026, 11, 23), cache_dir=cache))
    return {
        "load_s": load_s,
        "triples": len(store),
        "policies": len(names),
        "store_mb": size / 2**20,
        "queries_s": queries,
        "queries_planted": answers,
        "validate_full_s": full_s,
        "validate_findings": len(report.findings),
        "validate_compliance_s": compliance_s,
        "compliance_findings": len(compliance.findings),
        "revalidate_one_s": single_s,
        "revalidate_rounds_s": [r[0] for r in rounds],
        "report_from_cache_s": report_s,
        "revalidated": single.validated,
        "rss_mb": _rss_mb(),
    }


def child_rdflib(corpus: Path, cap: float) -> dict[str, Any]:
    """The issue's baseline: rdflib's own Dataset, each file parsed by rdflib, and its SPARQL."""
    from rdflib import Dataset

    from policykg.ontology import ontology_files
    from policykg.store import MemoryStore

    deadline = time.monotonic() + cap

    def parse_all() -> MemoryStore:
        store = MemoryStore()
        dataset = store.dataset()
        assert isinstance(dataset, Dataset)
        ontology = dataset.graph(ONTOLOGY_IRI)
        for path in ontology_files():
            ontology.parse(path, format="turtle")
        dataset.graph(CATALOGUE_IRI).parse(corpus / "data" / "catalogue.ttl", format="turtle")
        for path in sorted((corpus / "data").glob("*.nq")):
            dataset.parse(path, format="nquads")
        return store

    load_s, store = _timed(parse_all)
    print(json.dumps({"partial": {"load_s": load_s}}), flush=True)
    out: dict[str, Any] = {"load_s": load_s, "triples": len(store)}
    from policykg.planted import planted_answer
    from policykg.query import bind_parameters, catalogue, run_local
    from policykg.synth import load_plan

    plan = load_plan(corpus / "plan.json")
    queries: dict[str, float | None] = {}
    answers: dict[str, str] = {}
    for name, query in catalogue().items():
        if time.monotonic() > deadline:
            queries[name] = None
            continue
        planted = planted_answer(plan, name)
        bindings = bind_parameters(query, planted.params)
        queries[name], result = _timed(lambda q=query, b=bindings: run_local(store, q, b))
        answers[name] = planted.mismatch(result.rows) or "ok"
        progress = {"query": name, "s": queries[name], "planted": answers[name]}
        print(json.dumps({"partial": progress}), flush=True)
    out["queries_s"] = queries
    out["queries_planted"] = answers
    out["rss_mb"] = _rss_mb()
    return out


def child_pyshacl(corpus: Path) -> dict[str, Any]:
    from pyshacl import validate
    from rdflib import Graph, Literal
    from rdflib.namespace import XSD

    from policykg.load import load_project
    from policykg.namespaces import PKG
    from policykg.store import ONTOLOGY_GRAPH, policy_graph_names
    from policykg.validate import load_shapes

    store = load_project(data_dir=corpus / "data").store
    whole = Graph()
    for name in [*policy_graph_names(store), ONTOLOGY_GRAPH]:
        whole += store.graph(name)
    whole.add((PKG.AnalysisContext, PKG.asOf, Literal("2026-11-23", datatype=XSD.date)))
    shapes = load_shapes("data")
    seconds, _ = _timed(
        lambda: validate(
            whole, shacl_graph=shapes, advanced=True, allow_warnings=True, allow_infos=True, inference="none"
        )
    )
    return {"validate_full_s": seconds, "rss_mb": _rss_mb()}


def run_child(kind: str, corpus: Path, work: Path, cap: float, timeout: float) -> dict[str, Any] | None:
    command = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--corpus",
        str(corpus),
        "--work",
        str(work),
        "--cap",
        str(cap),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        partial: dict[str, Any] = {"timed_out": True, "queries_s": {}, "queries_planted": {}}
        for line in (
            (err.stdout or b"").decode().splitlines()
            if isinstance(err.stdout, bytes)
            else (err.stdout or "").splitlines()
        ):
            if line.startswith('{"partial"'):
                item = json.loads(line)["partial"]
                if "load_s" in item:
                    partial["load_s"] = item["load_s"]
                else:
                    partial["queries_s"][item["query"]] = item["s"]
                    partial["queries_planted"][item["query"]] = item["planted"]
        return partial
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return None
    lines = [line for line in done.stdout.splitlines() if line.startswith("{") and '"partial"' not in line]
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _generator_digest() -> str:
    """A corpus is reused only if the generator that wrote it is the current one: a corpus from
    an older synth (without recipients, say) once made a query look 2,000x faster than it is."""
    source = (ROOT / "src" / "policykg" / "synth.py").read_bytes()
    return hashlib.sha256(source).hexdigest()[:12]


def fmt(value: float | None, cap: float, unit: str = "s") -> str:
    return (
        f"> {cap:.0f} {unit}"
        if value is None
        else f"{value:.3f} {unit}"
        if value < 10
        else f"{value:.1f} {unit}"
    )


def ratio(base: float | None, ours: float | None, cap: float) -> str:
    if ours is None or ours == 0:
        return "–"
    if base is None:
        return f"> {cap / ours:.0f}x"
    return f"{base / ours:.1f}x"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--cap", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykg-bench"))
    parser.add_argument("--child")
    parser.add_argument("--corpus", type=Path)
    args = parser.parse_args()
    if args.child:
        kinds = {
            "ours": lambda: child_ours(args.corpus, args.work),
            "rdflib": lambda: child_rdflib(args.corpus, args.cap),
            "pyshacl": lambda: child_pyshacl(args.corpus),
        }
        print(json.dumps(kinds[args.child]()))
        return 0
    from policykg.synth import generate

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for size in [int(s) for s in args.sizes.split(",")]:
        corpus = args.work / f"synth-{size}-{args.seed}-{_generator_digest()}"
        if not (corpus / "plan.json").is_file():
            generate(size, args.seed, corpus, processes=(1, 2))
        work = args.work / f"run-{size}"
        work.mkdir(parents=True, exist_ok=True)
        ours = run_child("ours", corpus, work, args.cap, timeout=args.cap * 10)
        base = run_child("rdflib", corpus, work, args.cap, timeout=args.cap)
        shacl = run_child("pyshacl", corpus, work, args.cap, timeout=args.cap)
        assert ours is not None
        base = base or {"timed_out": True, "queries_s": {}}
        shacl = shacl or {"timed_out": True}
        cap = args.cap
        rows = [
            ("load", ours["load_s"], base.get("load_s")),
            *[(f"query {q}", s, base["queries_s"].get(q)) for q, s in ours["queries_s"].items()],
            ("full validation (data profile)", ours["validate_full_s"], shacl.get("validate_full_s")),
            ("full validation (compliance profile)", ours["validate_compliance_s"], None),
            (
                "re-validate one changed policy (cross-policy shape included; median of 3)",
                ours["revalidate_one_s"],
                None,
            ),
            ("report of all findings from the cache", ours["report_from_cache_s"], None),
        ]
        print(f"\n### {size} policies, {ours['triples']:,} triples (seed {args.seed})\n")
        print("| step | policykg | baseline | ratio |\n|---|---|---|---|")
        for label, mine, theirs in rows:
            baseline = (
                fmt(theirs, cap)
                if label == "load" or label.startswith(("query", "full validation (data"))
                else "–"
            )
            shown = ratio(theirs, mine, cap) if baseline != "–" else "–"
            print(f"| {label} | {fmt(mine, cap)} | {baseline} | {shown} |")
        theirs_rss = f"{base['rss_mb']:.0f} MB (rdflib)" if base.get("rss_mb") else "– (rdflib timed out)"
        print(f"| peak RSS | {ours['rss_mb']:.0f} MB | {theirs_rss} | |")
        print(f"| store size on disk | {ours['store_mb']:.0f} MB | | |")
        wrong = {q: a for q, a in ours["queries_planted"].items() if a != "ok"}
        wrong_base = {q: a for q, a in base.get("queries_planted", {}).items() if a != "ok"}
        print(
            f"\nplanted answers reproduced: {len(ours['queries_planted']) - len(wrong)} of "
            f"{len(ours['queries_planted'])} named queries on the store, "
            f"{len(base.get('queries_planted', {})) - len(wrong_base)} of the "
            f"{len(base.get('queries_planted', {}))} that rdflib ran within the cap; "
            f"re-validation validated {ours['revalidated']} version(s)"
        )
        for query_name, account in {**wrong, **{f"{q} (rdflib)": a for q, a in wrong_base.items()}}.items():
            print(f"  WRONG {query_name}: {account}")
        (ROOT / "bench" / f"results-{size}.json").write_text(
            json.dumps({"size": size, "ours": ours, "rdflib": base, "pyshacl": shacl, "cap": cap}, indent=2)
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
