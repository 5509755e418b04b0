"""Apache Jena 4.5 from Debian's libapache-jena-java, run from Python (tests and bench/).

Two things stop the naive ``java -cp '/usr/share/java/*' riotcmd.riot``:

- ``/usr/share/java`` holds both ``log4j-over-slf4j.jar`` and ``slf4j-log4j12.jar``: SLF4J refuses
  to start. The classpath here names Jena's jars and their Debian dependencies one by one, with
  ``slf4j-simple`` (messages on stderr) as the only binding.
- Debian's ``jena-core.jar`` has Jena's shaded Xerces relocated to the package ``xerces`` but its
  message files left under ``org/apache/jena/ext/xerces``; the datatype factory cannot find
  them and fails with ``RuntimeException: internal error`` in ``XSDDatatype``'s initialiser.
  :func:`classpath` copies those ``.properties`` files to where the relocated classes look
  (a folder in the user's cache, made once) and puts it first on the classpath.

JSON-LD: Jena 4.5 reads JSON-LD 1.1 with Titanium, which needs a Jakarta JSON Processing
implementation that Debian 12 does not package (only the API): every document then fails with
``LOADING_DOCUMENT_FAILED``. Its JSON-LD 1.0 reader (jsonld-java) works: ``--syntax=jsonld10``.

Usage: ``run_jena("riotcmd.riot", ["--count", "data.trig"])`` or the command line
``python -m tests.jena riotcmd.riot --count data.trig``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
JENA_JARS = (
    "jena-arq",
    "jena-base",
    "jena-cmds",
    "jena-core",
    "jena-dboe-base",
    "jena-dboe-index",
    "jena-dboe-storage",
    "jena-dboe-trans-data",
    "jena-dboe-transaction",
    "jena-iri",
    "jena-rdfconnection",
    "jena-shacl",
    "jena-shex",
    "jena-tdb",
    "jena-tdb2",
)
DEPENDENCY_JARS = (
    "commons-cli",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "commons-logging",
    "dexx.collection",
    "gson",
    "guava",
    "httpclient",
    "httpclient-cache",
    "httpcore",
    "jackson-annotations",
    "jackson-core",
    "jackson-databind",
    "jakarta.json-api",
    "jsonld-java",
    "protobuf",
    "slf4j-api",
    "slf4j-simple",
    "thrift",
    "titanium-json-ld",
)
SHADED_MESSAGES = "org/apache/jena/ext/xerces/"
"""Where Debian's jena-core.jar keeps the Xerces message files; the classes look under xerces/."""


def available() -> bool:
    """Java and Jena's jars are installed (Debian: default-jre-headless, libapache-jena-java)."""
    return shutil.which("java") is not None and (JAVA_DIR / "jena-core.jar").is_file()


def _messages_dir() -> Path:
    """The relocated Xerces message files, extracted once per jena-core.jar (keyed by its size
    and time, so an upgraded jar gets fresh files)."""
    core = JAVA_DIR / "jena-core.jar"
    stat = core.stat()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = cache / "policykg" / f"jena-xerces-{stat.st_size}-{int(stat.st_mtime)}"
    if (folder / "done").is_file():
        return folder
    partial = folder.with_name(folder.name + f".{os.getpid()}.tmp")
    with zipfile.ZipFile(core) as jar:
        for name in jar.namelist():
            if name.startswith(SHADED_MESSAGES) and name.endswith(".properties"):
                target = partial / "xerces" / name[len(SHADED_MESSAGES) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    (partial / "done").write_text("", encoding="utf-8")
    try:
        partial.rename(folder)
    except OSError:  # another process made it first
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def classpath() -> str:
    """A classpath on which Jena 4.5's commands (riot, arq, shacl, tdb2.*) start."""
    jars = [JAVA_DIR / f"{name}.jar" for name in (*JENA_JARS, *DEPENDENCY_JARS)]
    missing = [str(jar) for jar in jars if not jar.is_file()]
    if missing:
        raise FileNotFoundError(f"Jena jars missing: {', '.join(missing)}")
    return os.pathsep.join([str(_messages_dir()), *map(str, jars)])


def run_jena(
    main_class: str, args: list[str], timeout: float = 300, memory: str = "2g"
) -> subprocess.CompletedProcess[str]:
    """Run a Jena command (e.g. ``riotcmd.riot``, ``arq.arq``, ``shacl.shacl``); output as text."""
    command = ["java", f"-Xmx{memory}", "-cp", classpath(), main_class, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


if __name__ == "__main__":
    done = run_jena(sys.argv[1], sys.argv[2:])
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    sys.exit(done.returncode)
