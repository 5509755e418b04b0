"""Which shapes a profile runs (from the data file ``shapes/profiles.tsv``, as ROBOT keeps its
report profile in a file), and what a finding needs from the shapes graph: the named shape a
result comes from and the legal article it checks."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from ..errors import BadValueError, InputFileError
from ..namespaces import PKG, SH, bind_prefixes
from ..paths import project_paths
from ..rdfio import parse_into, read_utf8, sha256_of_files

PROFILES_FILE = "profiles.tsv"


def read_profiles(folder: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Profile name -> shapes files, from ``profiles.tsv``: one ``profile<TAB>file`` per line;
    ``@other`` includes another profile's files (defined above it)."""
    path = (folder or project_paths().shapes) / PROFILES_FILE
    lines = read_utf8(path).splitlines()
    profiles: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, tab, item = line.partition("\t")
        if not tab or not name.strip() or not item.strip():
            raise InputFileError(path, "expected 'profile<TAB>shapes file' or 'profile<TAB>@profile'", number)
        item = item.strip()
        if item.startswith("@") and item[1:] not in profiles:
            raise InputFileError(path, f"profile {item[1:]!r} is not defined above", number)
        files = profiles[item[1:]] if item.startswith("@") else (item,)
        profiles[name.strip()] = profiles.get(name.strip(), ()) + files
    return profiles


def profile_files(profile: str, folder: Path | None = None) -> list[Path]:
    """The shapes files of a profile; the one place an unknown profile is refused."""
    folder = folder or project_paths().shapes
    profiles = read_profiles(folder)
    if profile not in profiles:
        raise BadValueError("profile", profile, " | ".join(profiles))
    return [folder / name for name in profiles[profile]]


def load_shapes(profile: str, folder: Path | None = None) -> Graph:
    shapes = Graph()
    bind_prefixes(shapes)
    for path in profile_files(profile, folder):
        parse_into(shapes, path)
    return shapes


def shapes_digest(profile: str, folder: Path | None = None) -> str:
    """The hash of a profile's shapes files (part of the findings cache's key)."""
    return sha256_of_files(profile_files(profile, folder))


def owner_shape(shapes: Graph, shape: Node | None) -> str:
    """The named node shape a result comes from (property and SPARQL shapes are blank nodes)."""
    if isinstance(shape, URIRef):
        return str(shape)
    for prop in (SH.property, SH.sparql, SH["or"]):
        owner = next(iter(shapes.subjects(prop, shape)), None)
        if isinstance(owner, URIRef):
            return str(owner)
    return ""


def article_of(shapes: Graph, shape: Node | None) -> str:
    """The legal article a shape checks, from the shape or the node shape that holds it."""
    for node in [shape, *shapes.subjects(SH.property, shape), *shapes.subjects(SH.sparql, shape)]:
        article = shapes.value(node, PKG.checksArticle)
        if article is not None:
            return str(shapes.value(article, RDFS.label) or article)
    return ""
