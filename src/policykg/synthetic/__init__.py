"""Synthetic corpora: ``policykg synth`` writes a corpus in the project's own data model and
its plan.json (what each generated version states). The oracle that turns a plan into each
named query's expected rows is benchmark and test code and lives in ``bench/planted.py``.
Nothing else in the library depends on this package."""
