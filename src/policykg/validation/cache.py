"""The findings cache: findings per policy version, with the content hash they were computed
for, in SQLite, so that a re-run validates only what changed (the persist step)."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

from ..errors import InputFileError
from .report import Finding


class FindingsCache:
    """Findings per policy version, with the hash they were computed for, in SQLite.

    One row per version (local shapes) and one row for the cross-policy shapes, under a salt
    (engine, profile, date, shapes, ontology): a change of any of these starts afresh."""

    def __init__(self, folder: Path, salt: str) -> None:
        path = folder / "findings.sqlite"
        self.salt = salt
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path)
            self.db.executescript(
                "CREATE TABLE IF NOT EXISTS version (graph TEXT PRIMARY KEY, hash TEXT, findings TEXT);"
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
            )
        except (OSError, sqlite3.Error) as err:  # a foreign or damaged file is left as it is
            raise InputFileError(
                path, f"not usable as a validation cache ({err}); choose another --cache folder"
            ) from None
        if self._meta("salt") != salt:
            with self.db:
                self.db.execute("DELETE FROM version")
                self.db.execute("DELETE FROM meta")
                self.db.execute("INSERT INTO meta VALUES ('salt', ?)", (salt,))

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def hashes(self) -> dict[str, str]:
        return {g: h for g, h in self.db.execute("SELECT graph, hash FROM version")}

    def hashes_of(self, graphs: list[str]) -> dict[str, str]:
        """The kept hashes of these versions only (a re-run after a small change)."""
        found: dict[str, str] = {}
        for graph in graphs:
            row = self.db.execute("SELECT hash FROM version WHERE graph = ?", (graph,)).fetchone()
            if row is not None:
                found[graph] = str(row[0])
        return found

    def size(self) -> int:
        """How many versions have kept findings."""
        return int(self.db.execute("SELECT COUNT(*) FROM version").fetchone()[0])

    def catalogue(self) -> str | None:
        return self._meta("catalogue")

    def counter(self, identity: str) -> int | None:
        """The store's write counter at the last run, if that run was on the same store
        (see policykg.store.OxigraphStore.changes_since)."""
        store, _, value = (self._meta("counter") or "").partition(":")
        return int(value) if store == identity and value.isdigit() else None

    def engine(self) -> str | None:
        """The compiled shapes of this salt (same shapes files), as JSON."""
        return self._meta("engine")

    def keep_engine(self, text: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('engine', ?)", (text,))

    def cross(self) -> list[Finding]:
        return [Finding(**f) for f in json.loads(self._meta("cross") or "[]")]

    def update(
        self,
        hashes: dict[str, str],
        local: list[Finding],
        removed: list[str],
        cross: list[Finding],
        catalogue: str,
        counter: str = "",
    ) -> None:
        """One transaction: a run that fails half-way leaves the previous findings."""
        by_graph: dict[str, list[Finding]] = defaultdict(list)
        for finding in local:
            by_graph[finding.policy].append(finding)
        rows = [(g, h, json.dumps([asdict(f) for f in by_graph.get(g, [])])) for g, h in hashes.items()]
        stray = [asdict(f) for g, fs in by_graph.items() if g not in hashes for f in fs]
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO version VALUES (?, ?, ?)", rows)
            self.db.executemany("DELETE FROM version WHERE graph = ?", [(g,) for g in removed])
            cross_rows = [asdict(f) for f in cross] + stray
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('cross', ?)", (json.dumps(cross_rows),))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('catalogue', ?)", (catalogue,))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('counter', ?)", (counter,))

    def findings(self) -> list[Finding]:
        found = self.cross()
        for (text,) in self.db.execute("SELECT findings FROM version"):
            found += [Finding(**f) for f in json.loads(text)]
        return sorted(found, key=Finding.sort_key)
