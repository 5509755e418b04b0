"""The main job: check the loaded graph end to end and summarise it for an analyst."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .evidence import check_evidence
from .load import LoadResult
from .query import bind_parameters, find_query, format_result, run_local
from .validation import validate_store
from .validation.ci import add_sources, describe_finding

HEADLINE_QUERY = "vendors-citing-privacy-shield"


@dataclass
class BuildReport:
    ok: bool
    text: str


def build_report(
    result: LoadResult, data_dir: Path, sources: Path, as_of: date, with_reasoner: bool
) -> BuildReport:
    """``sources``: the seed texts (may be absent); drafts keep their text in ``data_dir``."""
    lines: list[str] = []
    ok = True
    store = result.store
    lines.append(
        f"loaded {len(result.policies)} policy versions, {len(store)} triples in "
        f"{len(store.graph_names())} named graphs"
    )
    if sources.is_dir():
        evidence = check_evidence(result.policy_graphs(), [data_dir, sources])
        ok &= not evidence.mismatches and not evidence.missing_sources
        lines.append(
            f"evidence: {evidence.checked} quotes checked, {len(evidence.mismatches)} mismatches, "
            f"{len(evidence.missing_sources)} missing sources"
        )
        lines += [f"  MISMATCH {m.describe()}" for m in evidence.mismatches]
    else:
        lines.append(f"evidence: not checked ({sources} not found)")
    if with_reasoner:
        from .reason import check_consistency

        consistency = check_consistency([store.graph(n) for n in store.graph_names()])
        ok &= consistency.consistent
        lines.append(f"reasoning: {consistency.detail}")
        lines += [f"  {c.describe()}" for c in consistency.clashes]
    validation = add_sources(validate_store(store, profile="data", as_of=as_of), store, data_dir)
    ok &= validation.count_at_least("violation") == 0
    lines.append(f"validation (data profile): {validation.summary_line()}")
    lines += [f"  {describe_finding(f, validation)}" for f in validation.findings]
    query = find_query(HEADLINE_QUERY)
    rows = run_local(store, query, bind_parameters(query, {"asOf": as_of.isoformat()}))
    # a vendor known from a draft only is marked so: its facts await review
    reviewed = {str(r[0]) for r in rows.rows if str(r[-1]) == "reviewed"}
    vendors = sorted({str(r[0]) if str(r[0]) in reviewed else f"{r[0]} (draft)" for r in rows.rows})
    lines.append(
        f"vendors whose latest policy on {as_of.isoformat()} still cites Privacy Shield: "
        f"{', '.join(vendors) if vendors else 'none'}"
    )
    lines.append(format_result(rows, "table").rstrip())
    return BuildReport(ok=ok, text="\n".join(lines))
