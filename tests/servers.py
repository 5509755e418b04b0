"""Real SPARQL servers on 127.0.0.1 for the remote-endpoint tests: Oxigraph (PyPI) and
Virtuoso (Debian's virtuoso-opensource-7-bin), each started in a temporary folder and stopped
after the tests. See ../shared/reference/servers.md for their behaviour."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, seconds: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not answer {url} within {seconds} s")


@dataclass
class Server:
    name: str
    query_url: str
    gsp_url: str
    process: subprocess.Popen[bytes]
    sql_port: int = 0
    """Virtuoso's SQL port (isql), for its bulk loader in bench/endpoint.py."""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def oxigraph_binary() -> str | None:
    candidate = Path(sys.executable).parent / "oxigraph"
    return str(candidate) if candidate.exists() else shutil.which("oxigraph")


def start_oxigraph(folder: Path, union_default_graph: bool = True) -> Server:
    """An Oxigraph server; ``union_default_graph=False`` starts it stock (no flags), where the
    default graph is only the default graph and the named queries see nothing."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("oxigraph is not installed (pip install oxigraph)")
    port = free_port()
    union = ["--union-default-graph"] if union_default_graph else []
    process = subprocess.Popen(
        [binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}", *union],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/query?query=ASK%7B%7D", 30, process)
    return Server("oxigraph", f"{base}/query", f"{base}/store", process)


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 5
ServerThreads = 5

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


def start_virtuoso(folder: Path, buffers: int = 20000) -> Server:
    binary = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if binary is None or isql is None:
        raise RuntimeError(
            "virtuoso-t / isql-vt are not installed (apt-get install virtuoso-opensource-7-bin)"
        )
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(
            dir=folder, sql_port=sql_port, http_port=http_port, buffers=buffers, dirty=buffers * 3 // 4
        ),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{http_port}"
    wait_http(f"{base}/sparql?query=ASK%7B%7D", 90, process)
    subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return Server("virtuoso", f"{base}/sparql", f"{base}/sparql-graph-crud", process, sql_port)
