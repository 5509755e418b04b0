"""SHACL validation of the store, as a pipeline: plan -> run -> attribute -> persist.

- :mod:`.shapes`: profiles (``shapes/profiles.tsv``), loading shapes, a result's shape and article;
- :mod:`.engine`: the shapes compiled to SPARQL (:mod:`policykg.shacl`), run in the store;
- :mod:`.attribute`: solutions -> findings of the policy versions their focus nodes belong to;
- :mod:`.cache`: findings per version in SQLite, for incremental runs;
- :mod:`.pipeline`: :func:`validate_store` (and :func:`validate_graph` for one graph);
- :mod:`.reference`: the same report from pyshacl (tests, ``--engine pyshacl``);
- :mod:`.report` and :mod:`.render`: the report model and its text, JSON, Turtle, HTML forms.
"""

from __future__ import annotations

from .pipeline import validate_graph, validate_store
from .reference import validate_with_pyshacl
from .render import render, render_html, results_graph
from .report import SEVERITY_RANK, Finding, ValidationReport
from .shapes import load_shapes, read_profiles

__all__ = [
    "SEVERITY_RANK",
    "Finding",
    "ValidationReport",
    "load_shapes",
    "read_profiles",
    "render",
    "render_html",
    "results_graph",
    "validate_graph",
    "validate_store",
    "validate_with_pyshacl",
]
