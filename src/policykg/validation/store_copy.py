"""Validation runs in an Oxigraph store: another store is copied into an in-memory one."""

from __future__ import annotations

from ..store import GraphStore, OxigraphStore


def as_oxigraph(store: GraphStore) -> OxigraphStore:
    if isinstance(store, OxigraphStore):
        return store
    copy = OxigraphStore()
    for name in store.graph_names():
        copy.replace_graph(name, store.graph(name))
    return copy
