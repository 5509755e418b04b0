"""Benchmark: policykg (Oxigraph store, per-version validation) against the baselines named in
the scale issues (rdflib Graph + its SPARQL; pyshacl over the whole graph; Apache Jena's SHACL;
Oxigraph's own bulk loader as the floor of a load), on synthetic corpora.

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
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # bench.planted: the oracle lives beside the benchmark, not in the library

ONTOLOGY_IRI = "https://w3id.org/policykg/graph/ontology"
CATALOGUE_IRI = "https://w3id.org/policykg/graph/catalogue"
AS_OF = date(2026, 11, 23)
"""The analysis date of every run: the planted answers and the validation are computed for it."""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _cpu_timed(fn: Any) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of the whole process, value): on a shared machine the CPU time
    (Oxigraph's threads included) says more about the code than the wall clock."""
    cpu = time.process_time()
    wall, value = _timed(fn)
    return wall, time.process_time() - cpu, value


def _queries(store: Any, plan: Any) -> tuple[dict[str, float], dict[str, str], dict[str, float]]:
    """Each named query with its planted parameters: best-of-3 seconds (slow ones once), and
    "ok" or how its rows differ from the planted answer; and the CPU seconds of the best run."""
    from bench.planted import planted_answer
    from policykg.query import bind_parameters, catalogue, run_local

    seconds, answers, cpus = {}, {}, {}
    for name, query in catalogue().items():
        planted = planted_answer(plan, name, AS_OF)
        bindings = bind_parameters(query, planted.params)
        first, first_cpu, result = _cpu_timed(lambda q=query, b=bindings: run_local(store, q, b))
        repeats = [
            _cpu_timed(lambda q=query, b=bindings: run_local(store, q, b))[:2]
            for _ in range(2 if first < 2 else 0)
        ]
        seconds[name], cpus[name] = min([(first, first_cpu), *repeats])
        answers[name] = planted.mismatch(result.rows) or "ok"
    return seconds, answers, cpus


def child_ours(corpus: Path, work: Path) -> dict[str, Any]:
    from policykg.load import load_project, open_store
    from policykg.store import policy_graph_names
    from policykg.synthetic.corpus import load_plan
    from policykg.validation import validate_store

    store_dir = work / "store"
    shutil.rmtree(store_dir, ignore_errors=True)
    cpu = time.process_time()
    load_s, result = _timed(lambda: load_project(data_dir=corpus / "data", store=open_store(store_dir)))
    load_cpu = time.process_time() - cpu
    store = result.store
    names = policy_graph_names(store)
    size = sum(p.stat().st_size for p in store_dir.rglob("*") if p.is_file())
    plan = load_plan(corpus / "plan.json")
    queries, answers, queries_cpu = _queries(store, plan)
    cache = work / "validation-cache"
    shutil.rmtree(cache, ignore_errors=True)
    full_s, full_cpu, report = _cpu_timed(
        lambda: validate_store(store, "data", AS_OF, cache_dir=cache, jobs=2)
    )
    compliance_s, compliance_cpu, compliance = (
        _cpu_timed(lambda: validate_store(store, "compliance", AS_OF, jobs=2))
        if os.environ.get("POLICYKG_BENCH_COMPLIANCE", "1") == "1"
        else (None, None, None)
    )
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
        rounds.append(_timed(lambda: validate_store(store, "data", AS_OF, cache_dir=cache, collect=False)))
    single_s, single = sorted(rounds, key=lambda r: r[0])[1]
    report_s, _ = _timed(lambda: validate_store(store, "data", AS_OF, cache_dir=cache))
    return {
        "load_s": load_s,
        "load_cpu_s": load_cpu,
        "triples": len(store),
        "policies": len(names),
        "store_mb": size / 2**20,
        "queries_s": queries,
        "queries_planted": answers,
        "queries_cpu_s": queries_cpu,
        "validate_full_s": full_s,
        "validate_full_cpu_s": full_cpu,
        "validate_compliance_cpu_s": compliance_cpu,
        "validate_findings": len(report.findings),
        "validate_findings_digest": _findings_digest(report.findings),
        "validate_compliance_s": compliance_s,
        "compliance_findings": None if compliance is None else len(compliance.findings),
        "revalidate_one_s": single_s,
        "revalidate_rounds_s": [r[0] for r in rounds],
        "report_from_cache_s": report_s,
        "revalidated": single.validated,
        "rss_mb": _rss_mb(),
    }


class _CapReached(Exception):
    """Raised by SIGALRM inside rdflib's pure-Python parsing or query evaluation."""


def _capped(fn: Any, cap: float) -> tuple[float | None, Any]:
    """(seconds, value) of fn(), or (None, None) when it runs past ``cap`` seconds: each
    baseline step gets its own cap, so one slow query does not hide the others."""

    def stop(_signum: int, _frame: Any) -> None:
        raise _CapReached

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        return _timed(fn)
    except _CapReached:
        return None, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def child_rdflib(corpus: Path, cap: float) -> dict[str, Any]:
    """The issue's baseline: rdflib's own Dataset, each file parsed by rdflib, and its SPARQL.
    The load and each query have their own cap."""
    from rdflib import Dataset

    from policykg.ontology import ontology_files
    from policykg.store import MemoryStore

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

    load_s, store = _capped(parse_all, cap)
    out: dict[str, Any] = {"load_s": load_s, "queries_s": {}, "queries_planted": {}}
    if load_s is None:
        out["rss_mb"] = _rss_mb()
        return out
    out["triples"] = len(store)
    from bench.planted import planted_answer
    from policykg.query import bind_parameters, catalogue, run_local
    from policykg.synthetic.corpus import load_plan

    plan = load_plan(corpus / "plan.json")
    for name, query in catalogue().items():
        planted = planted_answer(plan, name, AS_OF)
        bindings = bind_parameters(query, planted.params)
        seconds, result = _capped(lambda q=query, b=bindings: run_local(store, q, b), cap)
        out["queries_s"][name] = seconds
        if result is not None:
            out["queries_planted"][name] = planted.mismatch(result.rows) or "ok"
    out["rss_mb"] = _rss_mb()
    return out


def child_pyshacl(corpus: Path) -> dict[str, Any]:
    """pyshacl over the whole graph (the project's reference path: every graph in one rdflib
    graph, prepared queries), timed, with its findings for comparison with the native engine."""
    from policykg.load import load_project
    from policykg.validation import validate_with_pyshacl

    store = load_project(data_dir=corpus / "data").store
    seconds, report = _timed(lambda: validate_with_pyshacl(store, "data", AS_OF))
    return {"validate_full_s": seconds, "rss_mb": _rss_mb(), "findings": _findings_digest(report.findings)}


def _findings_digest(findings: Any) -> dict[str, Any]:
    """How many findings and a digest of them (policy, severity, message, focus, path, value)."""
    rows = sorted(repr((f.policy, f.severity, f.message, f.focus, f.path, f.value)) for f in findings)
    return {"count": len(rows), "sha256": hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]}


def child_floor(corpus: Path, work: Path) -> dict[str, Any]:
    """Oxigraph's own bulk load of the same N-Quads files (read and handed over as one text):
    the physical floor of ``policykg load`` on this machine (issue 19: within 1.3x of it)."""
    import pyoxigraph as ox

    folder = work / "floor-store"
    shutil.rmtree(folder, ignore_errors=True)
    files = sorted((corpus / "data").glob("*.nq"))

    def bulk() -> Any:
        store = ox.Store(str(folder))
        store.bulk_load(input=b"".join(p.read_bytes() for p in files), format=ox.RdfFormat.N_QUADS)
        store.flush()
        return store

    cpu = time.process_time()
    load_s, store = _timed(bulk)
    load_cpu = time.process_time() - cpu
    optimize_s, _ = _timed(store.optimize)
    quads = len(store)
    del store
    shutil.rmtree(folder, ignore_errors=True)
    return {"bulk_load_s": load_s, "bulk_load_cpu_s": load_cpu, "optimize_s": optimize_s, "quads": quads}


def child_jena(corpus: Path, work: Path, cap: float) -> dict[str, Any]:
    """Apache Jena 4.5's SHACL (``shacl validate``, Debian's jars through tests/jena.py) on the
    same data (every graph as one N-Triples file) and each profile's shapes. Its time is the
    whole command (JVM start and parsing included, as for a user). The compliance profile reads
    the analysis date as a triple, added to Jena's copy of the data as pyshacl adds it to its own."""
    import pyoxigraph as ox
    from tests.jena import available, run_jena

    from policykg.namespaces import PKG
    from policykg.validation import load_shapes

    if not available():
        return {"skipped": "java or Jena not installed"}
    store = ox.Store()
    store.bulk_load(
        input=b"".join(p.read_bytes() for p in sorted((corpus / "data").glob("*.nq"))),
        format=ox.RdfFormat.N_QUADS,
    )
    data, shapes = work / "jena-data.nt", work / "jena-shapes.ttl"
    from policykg.ontology import load_ontology

    with open(data, "wb") as out:
        for graph in store.named_graphs():
            out.write(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b"")
        out.write(load_ontology().serialize(format="nt", encoding="utf-8"))
        as_of = f'"{AS_OF.isoformat()}"^^<http://www.w3.org/2001/XMLSchema#date>'
        out.write(f"<{PKG}AnalysisContext> <{PKG}asOf> {as_of} .\n".encode())
    out_of: dict[str, Any] = {}
    profiles = [("data", "validate_full_s"), ("compliance", "validate_compliance_s")]
    if os.environ.get("POLICYKG_BENCH_COMPLIANCE", "1") != "1":  # --skip-compliance
        profiles = profiles[:1]
    for profile, key in profiles:
        load_shapes(profile).serialize(shapes, format="turtle")
        try:
            seconds, done = _timed(
                lambda: run_jena(
                    "shacl.shacl",
                    ["validate", "--shapes", str(shapes), "--data", str(data)],
                    timeout=cap,
                    memory="6g",
                )
            )
        except subprocess.TimeoutExpired:
            out_of[key] = None
            continue
        conforms = "sh:conforms  true" in done.stdout or "sh:conforms true" in done.stdout
        suffix = "" if profile == "data" else "_compliance"
        out_of |= {
            key: seconds,
            f"exit{suffix}": done.returncode,
            f"conforms{suffix}": conforms,
            f"results{suffix}": done.stdout.count("sh:ValidationResult"),
        }
    return out_of


def run_child(
    kind: str, corpus: Path, work: Path, cap: float, timeout: float, extra: list[str] | None = None
) -> dict[str, Any] | None:
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
        *(extra or []),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timed_out": True, "queries_s": {}}
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return None
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _generator_digest() -> str:
    """A corpus is reused only if the generator that wrote it is the current one: a corpus from
    an older synth (without recipients, say) once made a query look 2,000x faster than it is."""
    source = (ROOT / "src" / "policykg" / "synthetic" / "corpus.py").read_bytes()
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


def print_report(results: dict[str, Any], seed: int) -> None:
    """The Markdown table of one size (also re-printed from results JSON by --report)."""
    ours, base, shacl, cap = results["ours"], results["rdflib"], results["pyshacl"], results["cap"]
    floor, jena = results.get("floor", {}), results.get("jena", {})
    jena_cap = results.get("jena_cap", cap)  # Jena's own cap (--jena-cap)
    names = list(ours["queries_s"])
    loaded = base.get("load_s") is not None  # each baseline step has its own cap (see _capped)
    rows: list[tuple[str, float, str, str]] = [
        ("load", ours["load_s"], fmt(base.get("load_s"), cap), ratio(base.get("load_s"), ours["load_s"], cap))
    ]
    for name in names:
        theirs = base.get("queries_s", {}).get(name)
        cell = fmt(theirs, cap) if loaded else "not run"
        shown = ratio(theirs, ours["queries_s"][name], cap) if loaded else "–"
        rows.append((f"query {name}", ours["queries_s"][name], cell, shown))
    full = shacl.get("validate_full_s")
    rows += [
        (
            "full validation (data profile)",
            ours["validate_full_s"],
            fmt(full, cap),
            ratio(full, ours["validate_full_s"], cap),
        ),
        (
            "full validation (data profile) vs Apache Jena SHACL (whole command)",
            ours["validate_full_s"],
            fmt(jena.get("validate_full_s"), jena_cap),
            ratio(jena.get("validate_full_s"), ours["validate_full_s"], jena_cap),
        ),
        (
            "re-validate one changed policy (cross-policy shape included; median of 3)",
            ours["revalidate_one_s"],
            "–",
            "–",
        ),
        ("report of all findings from the cache", ours["report_from_cache_s"], "–", "–"),
    ]
    if ours.get("validate_compliance_s") is not None:
        theirs_c, ran = jena.get("validate_compliance_s"), "validate_compliance_s" in jena
        rows.insert(
            -2,
            (
                "full validation (compliance profile) vs Apache Jena SHACL (whole command)",
                ours["validate_compliance_s"],
                fmt(theirs_c, jena_cap) if ran else "not run",
                ratio(theirs_c, ours["validate_compliance_s"], jena_cap) if ran else "–",
            ),
        )
    print(f"\n### {results['size']} policies, {ours['triples']:,} triples (seed {seed})\n")
    cpu_of = {f"query {n}": c for n, c in ours.get("queries_cpu_s", {}).items()}
    cpu_of["load"] = ours.get("load_cpu_s")
    cpu_of["full validation (data profile)"] = ours.get("validate_full_cpu_s")
    cpu_of["full validation (compliance profile) vs Apache Jena SHACL (whole command)"] = ours.get(
        "validate_compliance_cpu_s"
    )
    cpu_of["full validation (data profile) vs Apache Jena SHACL (whole command)"] = ours.get(
        "validate_full_cpu_s"
    )
    print("| step | policykg | its CPU time | baseline | ratio |\n|---|---|---|---|---|")
    for label, mine, baseline, shown in rows:
        used = cpu_of.get(label)
        spent = "–" if used is None else fmt(used, cap)
        print(f"| {label} | {fmt(mine, cap)} | {spent} | {baseline} | {shown} |")
    theirs_rss = f"{base['rss_mb']:.0f} MB (rdflib)" if base.get("rss_mb") else "– (rdflib timed out)"
    print(f"| peak RSS | {ours['rss_mb']:.0f} MB | | {theirs_rss} | |")
    print(f"| store size on disk | {ours['store_mb']:.0f} MB | | | |")
    if floor.get("bulk_load_s"):
        with_optimize = floor["bulk_load_s"] + floor["optimize_s"]
        print(
            f"\nload {ours['load_s']:.1f} s vs Oxigraph's own bulk load of the same N-Quads "
            f"{floor['bulk_load_s']:.1f} s ({ours['load_s'] / floor['bulk_load_s']:.2f}x; with its "
            f"optimize {with_optimize:.1f} s, {ours['load_s'] / with_optimize:.2f}x)"
        )
        if floor.get("bulk_load_cpu_s") and ours.get("load_cpu_s"):
            print(
                f"CPU time: load {ours['load_cpu_s']:.1f} s, Oxigraph's bulk load "
                f"{floor['bulk_load_cpu_s']:.1f} s ({ours['load_cpu_s'] / floor['bulk_load_cpu_s']:.2f}x)"
            )
    if ours.get("validate_compliance_s") is None:
        print("compliance profile: not timed (--skip-compliance)")
    if results.get("synth_s"):
        print(f"synth of this corpus: {results['synth_s']:.1f} s")
    theirs = shacl.get("findings")
    if theirs:
        same = theirs == ours.get("validate_findings_digest")
        print(
            f"data-profile findings: policykg {ours.get('validate_findings_digest')}, pyshacl {theirs}: "
            + ("identical" if same else "DIFFERENT")
        )
    if jena.get("validate_full_s"):
        print(
            f"Jena: exit {jena.get('exit')}, conforms {jena.get('conforms')}, {jena.get('results')} results"
        )
    if jena.get("validate_compliance_s"):
        print(
            f"Jena, compliance profile: exit {jena.get('exit_compliance')}, "
            f"{jena.get('results_compliance')} results (policykg: {ours.get('compliance_findings')} findings)"
        )
    planted, planted_base = ours["queries_planted"], base.get("queries_planted", {})
    wrong = {q: a for q, a in planted.items() if a != "ok"}
    wrong_base = {f"{q} (rdflib)": a for q, a in planted_base.items() if a != "ok"}
    print(
        f"\nplanted answers reproduced: {len(planted) - len(wrong)} of {len(planted)} named queries "
        f"on the store, {len(planted_base) - len(wrong_base)} of the {len(planted_base)} that rdflib "
        f"ran within the cap; re-validation validated {ours['revalidated']} version(s)"
    )
    for query_name, account in {**wrong, **wrong_base}.items():
        print(f"  WRONG {query_name}: {account}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--cap", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--skip-compliance",
        action="store_true",
        help="do not time the compliance profile (policykg's nor Jena's)",
    )
    parser.add_argument("--jena-cap", type=float, default=None, help="seconds for Jena (default: --cap)")
    parser.add_argument(
        "--pyshacl-cap", type=float, default=None, help="seconds for the pyshacl run (default: --cap)"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykg-bench"))
    parser.add_argument("--child")
    parser.add_argument("--corpus", type=Path)
    parser.add_argument(
        "--report", action="store_true", help="re-print the tables of bench/results-<size>.json"
    )
    args = parser.parse_args()
    if args.report:
        for size in [int(s) for s in args.sizes.split(",")]:
            print_report(
                json.loads((ROOT / "bench" / f"results-{size}.json").read_text(encoding="utf-8")), args.seed
            )
        return 0
    if args.child:
        kinds = {
            "ours": lambda: child_ours(args.corpus, args.work),
            "rdflib": lambda: child_rdflib(args.corpus, args.cap),
            "pyshacl": lambda: child_pyshacl(args.corpus),
            "jena": lambda: child_jena(args.corpus, args.work, args.jena_cap or args.cap),
            "floor": lambda: child_floor(args.corpus, args.work),
        }
        print(json.dumps(kinds[args.child]()))
        return 0
    from policykg.synthetic.corpus import generate

    if args.skip_compliance:
        os.environ["POLICYKG_BENCH_COMPLIANCE"] = "0"  # read by the "ours" child
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for size in [int(s) for s in args.sizes.split(",")]:
        corpus = args.work / f"synth-{size}-{args.seed}-{_generator_digest()}"
        synth_s = None
        if not (corpus / "plan.json").is_file():
            synth_s, _ = _timed(lambda c=corpus, n=size: generate(n, args.seed, c, processes=(1, 2)))
        work = args.work / f"run-{size}"
        work.mkdir(parents=True, exist_ok=True)
        # the floor right before our load, so that both run under the same machine load (a child
        # of its own: its gigabyte of N-Quads text must not count in our peak RSS)
        floor = run_child("floor", corpus, work, args.cap, timeout=args.cap * 10)
        ours = run_child("ours", corpus, work, args.cap, timeout=args.cap * 10)
        steps = 2 + len(list((ROOT / "queries").glob("*.rq")))  # load, each query, a margin
        base = run_child("rdflib", corpus, work, args.cap, timeout=args.cap * steps)
        shacl = run_child("pyshacl", corpus, work, args.cap, timeout=args.pyshacl_cap or args.cap)
        jena_cap = args.jena_cap or args.cap
        jena = run_child(
            "jena", corpus, work, args.cap, timeout=jena_cap * 3, extra=["--jena-cap", str(jena_cap)]
        )
        assert ours is not None
        base = base or {"timed_out": True, "queries_s": {}}
        shacl = shacl or {"timed_out": True}
        results = {
            "size": size,
            "ours": ours,
            "rdflib": base,
            "pyshacl": shacl,
            "jena": jena or {"validate_full_s": None},
            "floor": floor or {},
            "synth_s": synth_s,
            "cap": args.cap,
            "jena_cap": jena_cap,
        }
        print_report(results, args.seed)
        (ROOT / "bench" / f"results-{size}.json").write_text(
            json.dumps(results, indent=2) + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
