"""Reading and writing RDF files with errors that name the file and the line.

Writes are atomic: the text goes to a temporary file beside the target, which is then
renamed over it, so a failed or interrupted run leaves the previous file intact.
"""

from __future__ import annotations

import ast
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import InputFileError
from .namespaces import bind_prefixes

FORMAT_BY_SUFFIX = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}


def sha256_of_files(paths: Iterable[Path]) -> str:
    """One SHA-256 over the files' bytes in the given order: what a load, a source check or the
    validation cache compares to tell whether input files changed."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(read_bytes(path))
    return digest.hexdigest()


def read_bytes(path: Path) -> bytes:
    """A file's bytes; a missing file, a folder or an unreadable file is an InputFileError."""
    try:
        return Path(path).read_bytes()
    except IsADirectoryError:
        raise InputFileError(path, "is a folder, not a file") from None
    except FileNotFoundError:
        raise InputFileError(path, "file not found") from None
    except OSError as err:
        raise InputFileError(path, f"cannot read: {err.strerror}") from None


def make_folder(path: Path) -> None:
    """``mkdir -p``, with the path named when it cannot be made (a parent that is a file, no
    permission) instead of a NotADirectoryError traceback."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputFileError(path, "is a file, not a folder") from None
    except NotADirectoryError:
        blocker = next((p for p in Path(path).parents if p.is_file()), Path(path).parent)
        raise InputFileError(path, f"cannot make this folder: {blocker} is a file") from None
    except OSError as err:
        raise InputFileError(path, f"cannot make this folder: {err.strerror}") from None


def read_utf8(path: Path) -> str:
    """A text file exactly as stored: strict UTF-8 and no newline translation (offsets into a
    CRLF text count its CRs), so binary junk is named instead of raising UnicodeDecodeError."""
    raw = read_bytes(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputFileError(path, f"not UTF-8 text (byte 0x{raw[err.start]:02x})", line) from None


class _QuietLiteralWarnings(logging.Filter):
    """rdflib logs a traceback for every ill-typed literal ("2018-13-45"^^xsd:date) it cannot
    turn into a Python value. Such a literal is bad data, which the data-quality shapes report
    by its value; the traceback on stderr only hides that finding."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not (
            message.startswith("Failed to convert Literal lexical form")
            or "does not look like a valid URI" in message  # reported by the store, at file:line
        )


logging.getLogger("rdflib.term").addFilter(_QuietLiteralWarnings())


def invalid_iri_error(graph: Graph, files: list[Path]) -> InputFileError | None:
    """The first IRI of ``graph`` that the store refuses (rdflib accepts ``<https://a b>``, with
    a warning; Oxigraph does not), as an error at the file and line that write it."""
    import pyoxigraph as ox

    for term in sorted({t for triple in graph for t in triple if isinstance(t, URIRef)}):
        try:
            ox.NamedNode(str(term))
        except ValueError as err:
            message = f"invalid IRI <{term}>: {err}"
            for path in files:
                for number, line in enumerate(
                    read_bytes(path).decode("utf-8", errors="replace").splitlines(), start=1
                ):
                    if str(term) in line:
                        return InputFileError(path, message, number)
            return InputFileError(files[0] if files else Path("."), message)
    return None


def rdf_format(path: Path) -> str:
    try:
        return FORMAT_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise InputFileError(path, f"unknown RDF file type {path.suffix!r}") from None


def parse_into(target: Graph, path: Path, fmt: str | None = None) -> None:
    """Parse ``path`` into ``target`` (a Graph, or a Dataset for quad formats).

    A syntax error becomes an :class:`InputFileError` with the 1-based line of the error.
    """
    if not path.is_file():
        raise InputFileError(path, "file not found")
    fmt = fmt or rdf_format(path)
    try:
        target.parse(path, format=fmt)
    except BadSyntax as err:
        reason = getattr(err, "_why", None) or str(err).splitlines()[0]
        raise InputFileError(path, f"syntax error: {reason}", line=err.lines + 1) from None
    except ParserError as err:  # the N-Triples / N-Quads parsers: "Invalid line (...)"
        line = _failing_line(path, str(err))
        first = str(err).splitlines()[0]
        raise InputFileError(path, f"syntax error: {first}", line) from None
    except RecursionError:  # rdflib's Turtle parser recurses once per nested [ ] or ( )
        raise InputFileError(path, "nested too deeply ([ ] or ( ) inside one another) to parse") from None
    except (ValueError, SyntaxError, UnicodeDecodeError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputFileError(path, f"cannot parse as {fmt}: {first}") from None


def _failing_line(path: Path, message: str) -> int | None:
    """rdflib's line-based parsers quote the bad line but not its number: find it."""
    quoted = message.split("\n", 1)[1].strip() if "\n" in message else ""
    if not quoted.startswith("'") and not quoted.startswith('"'):
        return None
    try:
        needle = ast.literal_eval(quoted)
    except (ValueError, SyntaxError):
        return None
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if line.startswith(str(needle)[:60]):
            return number
    return None


def read_graph(path: Path) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    parse_into(graph, path)
    return graph


def _mode_for(path: Path) -> int:
    """The existing file's mode, or what a plain open() would give under the current umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputFileError(path, "output directory does not exist")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise InputFileError(path, f"cannot write: {err.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, _mode_for(path))  # mkstemp creates 0600; keep the usual mode
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
