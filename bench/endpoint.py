"""Benchmark: `policykg validate --endpoint` on a real Virtuoso 7.2 (issue 19 item 4) against local
validation of the same synthetic corpus, with the findings compared.

    python bench/endpoint.py --size 1000

Virtuoso is started as the tests start it (tests/servers.py, more buffers) and filled with its own
bulk loader (``ld_dir`` + ``rdf_loader_run``: the N-Quads files name their graphs); the ontology and
catalogue graphs are pushed over the Graph Store Protocol as ``policykg load --endpoint`` pushes
them. Then each profile is validated remotely and locally (the local store built by
``policykg load``), timing each, and the two reports compared as the endpoint test compares them.
Prints one table and writes bench/endpoint-results-<size>.json. Not a test.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 23)
BUFFERS = 340000
"""Virtuoso's page buffers (8 KB each, 2.7 GB): its guide's figure for a machine with 4 GB free."""


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _key(finding: Any) -> tuple[str, ...]:
    """A finding without where it is in the files; a listed message compared as a set of items,
    split as tests/test_validate_endpoint.py splits them (SPARQL leaves GROUP_CONCAT's order open:
    '"a" (at 114), "b" (at 214)' and its reverse are the same finding)."""
    items = tuple(sorted(piece.strip('"') for piece in re.split(r"[,;:]\s+| vs ", str(finding.message))))
    return (
        str(finding.policy),
        finding.severity,
        str(finding.focus),
        str(finding.path),
        str(finding.value),
        str(finding.shape),
        *items,
    )


def _corpus(size: int, seed: int, work: Path) -> Path:
    from bench.run import _generator_digest
    from policykg.synthetic.corpus import generate

    corpus = work / f"synth-{size}-{seed}-{_generator_digest()}"
    if not (corpus / "plan.json").is_file():
        generate(size, seed, corpus, processes=(1, 2))
    return corpus


def _fill_virtuoso(folder: Path, corpus: Path, isql_port: int) -> float:
    """Virtuoso's own bulk load of the corpus's N-Quads (the graphs they name), in seconds."""
    isql = shutil.which("isql-vt") or "isql-vt"
    nquads = folder / "nquads"
    nquads.mkdir()
    for path in (corpus / "data").glob("*.nq"):
        (nquads / path.name).symlink_to(path)
    script = f"ld_dir('{nquads}', '*.nq', 'urn:policykg:unused'); rdf_loader_run(); checkpoint;"
    seconds, done = _timed(
        lambda: subprocess.run(
            [isql, f"127.0.0.1:{isql_port}", "dba", "dba", f"exec={script}"],
            capture_output=True,
            text=True,
            timeout=7200,
        )
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return float(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykg-bench"))
    parser.add_argument("--profiles", default="data,compliance")
    args = parser.parse_args()

    from tests.servers import start_virtuoso

    from policykg.load import load_project, open_store
    from policykg.validation import validate_store
    from policykg.validation.remote import validate_endpoint

    corpus = _corpus(args.size, args.seed, args.work)
    folder = Path(tempfile.mkdtemp(prefix="policykg-bench-virtuoso-"))
    server = start_virtuoso(folder, buffers=BUFFERS)
    results: dict[str, Any] = {"size": args.size}
    try:
        results["virtuoso_bulk_load_s"] = _fill_virtuoso(folder, corpus, server.sql_port)
        store_dir = args.work / f"endpoint-store-{args.size}"
        shutil.rmtree(store_dir, ignore_errors=True)
        results["local_load_s"], local = _timed(
            lambda: load_project(data_dir=corpus / "data", store=open_store(store_dir))
        )
        _push_shared(server.gsp_url, local)
        for profile in args.profiles.split(","):
            remote_s, remote = _timed(
                lambda p=profile: validate_endpoint(server.query_url, p, AS_OF, timeout=3600)
            )
            local_s, mine = _timed(lambda p=profile: validate_store(local.store, p, AS_OF, jobs=2))
            theirs, ours = {_key(f) for f in remote.findings}, {_key(f) for f in mine.findings}
            by_shape: dict[str, int] = {}
            for finding in theirs ^ ours:
                by_shape[finding[5].rsplit("#", 1)[-1]] = by_shape.get(finding[5].rsplit("#", 1)[-1], 0) + 1
            results[profile] = {
                "endpoint_s": remote_s,
                "local_s": local_s,
                "endpoint_findings": len(theirs),
                "local_findings": len(ours),
                "differing_by_shape": by_shape,
                "versions": remote.validated,
            }
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(results, indent=2))
    (ROOT / "bench" / f"endpoint-results-{args.size}.json").write_text(
        json.dumps(results, indent=2) + "\n", encoding="utf-8"
    )
    return 0


def _push_shared(gsp_url: str, local: Any) -> None:
    """The ontology and catalogue graphs, which the N-Quads files do not hold."""
    from policykg.remote import put_graph
    from policykg.store import CATALOGUE_GRAPH, ONTOLOGY_GRAPH

    put_graph(gsp_url, ONTOLOGY_GRAPH, local.ontology, timeout=600)
    put_graph(gsp_url, CATALOGUE_GRAPH, local.catalogue, timeout=600)


if __name__ == "__main__":
    raise SystemExit(main())
