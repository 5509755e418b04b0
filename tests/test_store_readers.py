"""Readers and writers of one persistent store (issue 16 follow-up): while `policykg --store S
serve` ran, every other command on S said "store in use by another process", because the
server held the store open for writing. Commands that only read (query, diff, report, serve
without --allow-update) now open it read-only under a shared lock: readers run side by side,
and a writer (load, serve --allow-update) still waits for them, and they for it.

POSIX locks belong to a process, so every holder here is a real second process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policykg.cli import main

QUERY = ["query", "policy-history", "--param", "vendor=CloudTalk", "--format", "json"]


def _rows(result: Result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    rows: list[dict[str, str]] = json.loads(result.stdout)["rows"]
    return rows


def _busy(result: Result) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith("error: ") and "store in use by another process" in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture()
def store(runner: CliRunner, tmp_path: Path, seed_data: Path) -> Path:
    folder = tmp_path / "store"
    loaded = runner.invoke(main, ["--quiet", "load", "--store", str(folder), "--data-dir", str(seed_data)])
    assert loaded.exit_code == 0, loaded.output
    return folder


@contextmanager
def _holding(args: list[str], ready: str) -> Iterator[subprocess.Popen[str]]:
    """A second process that holds the store until the block ends (it prints ``ready`` first)."""
    holder = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline()
        assert ready in line, line
        yield holder
    finally:
        holder.terminate()
        holder.communicate(timeout=30)


READER = (
    "import sys; from pathlib import Path; from policykg.load import open_store_only; "
    "s = open_store_only(Path(sys.argv[1]), read_only=True); print('reading', flush=True); sys.stdin.read()"
)


def test_readers_share_a_store_and_keep_writers_out(runner: CliRunner, store: Path, seed_data: Path) -> None:
    before = _rows(runner.invoke(main, ["--store", str(store), *QUERY]))
    assert before, "CloudTalk has versions in the seeds"
    with _holding([sys.executable, "-c", READER, str(store)], "reading"):
        assert _rows(runner.invoke(main, ["--store", str(store), *QUERY])) == before
        # validation and export only read: they run beside the reader too
        validated = runner.invoke(main, ["--store", str(store), "validate", "--format", "json"])
        assert validated.exit_code == 0 and json.loads(validated.stdout)["conforms"], validated.output
        exported = runner.invoke(main, ["--store", str(store), "export", "--format", "nquads"])
        assert exported.exit_code == 0 and exported.stdout.count(" .\n") > 1000, exported.output
        # a load would change the files under the reader's feet: it waits for the reader instead
        _busy(runner.invoke(main, ["--quiet", "load", "--store", str(store), "--data-dir", str(seed_data)]))
    assert (
        runner.invoke(
            main, ["--quiet", "load", "--store", str(store), "--data-dir", str(seed_data)]
        ).exit_code
        == 0
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.slow  # real server processes
def test_query_works_while_serve_runs(runner: CliRunner, store: Path, seed_data: Path) -> None:
    before = _rows(runner.invoke(main, ["--store", str(store), *QUERY]))
    serve = [sys.executable, "-m", "policykg.cli", "--store", str(store), "serve", "--port"]
    with _holding([*serve, str(_free_port())], "(read-only)"):
        assert _rows(runner.invoke(main, ["--store", str(store), *QUERY])) == before
        _busy(runner.invoke(main, ["--quiet", "load", "--store", str(store), "--data-dir", str(seed_data)]))
    # with updates allowed the server writes: it holds the store alone
    with _holding([*serve, str(_free_port()), "--allow-update"], "(read-write)"):
        _busy(runner.invoke(main, ["--store", str(store), *QUERY]))
    assert _rows(runner.invoke(main, ["--store", str(store), *QUERY])) == before


def test_repeated_opens_keep_only_the_newest_old_logs(
    runner: CliRunner, store: Path, seed_data: Path
) -> None:
    # RocksDB renames its info log at every writable open and never removes the old ones; the
    # store keeps the newest few whatever the number of loads run on it
    from policykg.load import OLD_LOGS_KEPT

    load = ["--quiet", "load", "--store", str(store), "--data-dir", str(seed_data)]
    for _ in range(OLD_LOGS_KEPT + 3):
        assert runner.invoke(main, load).exit_code == 0
    old = sorted(p.name for p in store.glob("LOG.old.*"))
    assert 1 <= len(old) <= OLD_LOGS_KEPT
    assert (store / "LOG").is_file() and (store / "CURRENT").is_file()
    assert _rows(runner.invoke(main, ["--store", str(store), *QUERY]))  # the store still answers
