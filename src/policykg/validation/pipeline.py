"""Validation as a pipeline: plan (what changed since the cache's last run) -> run (the compiled
shapes in the store) -> attribute (findings per policy version) -> persist (the cache).

Without a cache every version is validated in one run. With ``cache_dir``, findings are kept
per version with the version's content hash: the next run re-validates only versions whose hash
changed (their focus nodes only), re-runs the cross-policy shapes for what they relate to, and
reuses everything else. Nothing is written into the store: the analysis date is bound in the
query text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, URIRef

from ..store import CATALOGUE_GRAPH, ONTOLOGY_GRAPH, GraphStore, OxigraphStore, as_oxigraph
from .attribute import attribute
from .cache import FindingsCache
from .engine import ENGINE_VERSION, Engine, Solution
from .report import Finding, ValidationReport
from .shapes import load_shapes, shapes_digest

RESCOPE_LIMIT = 200
"""Above this many changed versions, a full run is cheaper than one scoped run per version."""


@dataclass
class Plan:
    """What a run must validate, from the store's bookkeeping and the cache."""

    changed: list[URIRef]
    """Versions whose content hash differs from the cached one (or that the cache lacks)."""
    hashes: dict[str, str]
    """The hashes of the versions the plan looked at (all, or those written since the last run)."""
    removed: list[str]
    """Versions the cache holds findings for that are no longer in the store."""
    total: int
    catalogue: str
    counter: str
    """The store's id and write counter, for the next run's plan."""
    full: bool
    """One run over the whole store rather than one scoped run per changed version."""
    catalogue_changed: bool = False


@dataclass
class Run:
    """The solutions of a run, before attribution; cross-policy findings kept from the cache."""

    local: list[Solution]
    scope: list[URIRef] | None
    cross: list[Solution] = field(default_factory=list)
    kept_cross: list[Finding] = field(default_factory=list)


def validate_graph(policy: str, data: Graph, ontology: Graph, shapes: Graph, as_of: date) -> list[Finding]:
    """Validate one graph on its own (with the ontology), e.g. a fixture or a draft annotation."""
    store = OxigraphStore()
    store.replace_graph(URIRef(policy), data)
    store.replace_graph(ONTOLOGY_GRAPH, ontology)
    return attribute(store, Engine(shapes).solutions(store, as_of))


def validate_store(
    store: GraphStore,
    profile: str = "data",
    as_of: date | None = None,
    shapes_dir: Path | None = None,
    cache_dir: Path | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    collect: bool = True,
) -> ValidationReport:
    """Validate the whole store (every policy version, with the ontology) against a profile.
    ``collect=False`` reports only what this run computed (the rest stays in the cache)."""
    as_of = as_of or date.today()
    oxi = as_oxigraph(store)
    salt = "|".join(
        [
            ENGINE_VERSION,
            profile,
            as_of.isoformat(),
            shapes_digest(profile, shapes_dir),
            oxi.hash_of(ONTOLOGY_GRAPH),
        ]
    )
    cache = FindingsCache(cache_dir, salt) if cache_dir is not None else None
    engine = _engine(cache, profile, shapes_dir)
    planned = plan(oxi, cache)
    done = run(engine, oxi, as_of, planned, cache, jobs, progress)
    local = attribute(oxi, done.local, done.scope)
    cross = done.kept_cross + attribute(oxi, done.cross)
    findings = persist(cache, planned, local, cross, collect)
    return ValidationReport(
        profile,
        as_of,
        findings,
        validated=len(planned.changed),
        from_cache=planned.total - len(planned.changed),
        drafts=draft_versions(oxi),
    )


def draft_versions(store: GraphStore) -> frozenset[str]:
    """The versions whose graph marks them as drafts (pkg:reviewStatus pkg:Draft)."""
    rows = store.select("SELECT DISTINCT ?v WHERE { ?v pkg:reviewStatus pkg:Draft }")
    return frozenset(str(row[0]) for row in rows.rows)


def plan(store: OxigraphStore, cache: FindingsCache | None) -> Plan:
    """Which versions to validate: with a cache of the same store, only those written or
    removed since its last run (one query, not every hash); otherwise every version's hash."""
    counter, identity = store.write_counter(), store.identity()
    seen = cache.counter(identity) if cache is not None and identity is not None else None
    kept = cache.size() if cache is not None else 0
    if cache is not None and kept and seen is not None and counter > 0:
        hashes, gone = store.changes_since(seen)
        previous = cache.hashes_of([*hashes, *gone])
        removed = sorted(g for g in gone if g in previous)
        total = kept + len(set(hashes) - set(previous)) - len(removed)
    else:
        previous = cache.hashes() if cache is not None else {}
        hashes = store.version_hashes()
        removed = sorted(set(previous) - set(hashes))
        total = len(hashes)
    changed = sorted(URIRef(g) for g, h in hashes.items() if previous.get(g) != h)
    catalogue = store.hash_of(CATALOGUE_GRAPH)
    return Plan(
        changed=changed,
        hashes=hashes,
        removed=removed,
        total=total,
        catalogue=catalogue,
        counter=f"{identity}:{counter}" if identity is not None else "",
        full=cache is None or not kept or len(changed) > RESCOPE_LIMIT,
        catalogue_changed=cache is not None and cache.catalogue() != catalogue,
    )


def run(
    engine: Engine,
    store: OxigraphStore,
    as_of: date,
    planned: Plan,
    cache: FindingsCache | None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Run:
    """Evaluate what the plan asks for: everything at once, or the changed versions each in its
    own scope plus the cross-policy shapes for what is related to them."""
    if planned.full or cache is None:
        solutions = engine.solutions(store, as_of, jobs=jobs, progress=progress)
        local = [s for s in solutions if not s[0].check.cross_policy]
        return Run(local, None, [s for s in solutions if s[0].check.cross_policy])
    changed = planned.changed
    local = engine.solutions(store, as_of, changed, False, jobs, progress) if changed else []
    if not (changed or planned.removed or planned.catalogue_changed):
        return Run(local, changed, kept_cross=cache.cross())
    related_by = {r.check.related_by for r in engine.rules if r.check.cross_policy}
    if planned.removed or planned.catalogue_changed or None in related_by:
        return Run(local, changed, engine.solutions(store, as_of, cross_policy=True, jobs=jobs))
    related = {str(g) for g in changed}
    for prop in related_by:
        query = (
            f"SELECT DISTINCT ?other WHERE {{ VALUES ?g {{ {' '.join(f'<{g}>' for g in changed)} }} "
            f"?g <{prop}> ?shared . ?other <{prop}> ?shared }}"
        )
        related |= {str(row["other"]) for row in store.solutions(query).records()}
    kept = [f for f in cache.cross() if f.policy not in related]
    fresh = engine.solutions(store, as_of, cross_policy=True, jobs=jobs, focus_nodes=sorted(related))
    return Run(local, changed, fresh, kept)


def persist(
    cache: FindingsCache | None, planned: Plan, local: list[Finding], cross: list[Finding], collect: bool
) -> list[Finding]:
    """Keep the run's findings in the cache (one transaction) and return the report's findings:
    the whole cache's, or this run's only."""
    if cache is not None:
        changed = {str(g): planned.hashes[str(g)] for g in planned.changed}
        cache.update(changed, local, planned.removed, cross, planned.catalogue, planned.counter)
        if collect:
            return cache.findings()
    return sorted(local + cross, key=Finding.sort_key)


def _engine(cache: FindingsCache | None, profile: str, shapes_dir: Path | None) -> Engine:
    """The compiled shapes kept by the cache, or compiled now (and kept)."""
    text = cache.engine() if cache is not None else None
    try:
        if text:
            return Engine.from_json(text)
    except (KeyError, TypeError, ValueError):  # written by another version of the engine
        pass
    engine = Engine(load_shapes(profile, shapes_dir))
    if cache is not None:
        cache.keep_engine(engine.to_json())
    return engine
