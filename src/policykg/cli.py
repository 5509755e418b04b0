"""The policykg command line: parses arguments, calls the library, prints.

Exit codes (every command): 0 ok, 1 findings (inconsistency, evidence mismatch, validation
results at or above --fail-on), 2 bad input or usage (the message names the file and line
or the offending value).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .dates import parse_iso_date
from .errors import EXIT_BAD_INPUT, EXIT_FINDINGS, BadValueError, PolicyKGError
from .paths import project_paths

if TYPE_CHECKING:
    from .load import LoadResult
    from .store import GraphStore
    from .validation.report import ValidationReport

# Modules that pull rdflib, pyoxigraph, pyshacl or YAML are imported inside the commands that
# use them: a named query starts answering in about 0.2 s of CPU time, and `--help` at once.

EXIT_CODES = "\b\nExit codes: 0 ok, 1 findings, 2 bad input or usage."
F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(func: F) -> F:
    """Turn typed library errors into one-line messages and exit code 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PolicyKGError as err:
            # the frames' locals may hold an open store: free it (and RocksDB's lock) now
            traceback.clear_frames(err.__traceback__)
            click.echo(f"error: {err}", err=True)
            sys.exit(err.exit_code)

    return wrapper  # type: ignore[return-value]


def write_atomic(path: Path, data: str | bytes) -> None:
    """:func:`policykg.rdfio.write_atomic`, imported when a command writes (rdfio pulls rdflib)."""
    from .rdfio import write_atomic as write

    write(path, data)


def _date_option(value: str | None) -> date:
    return date.today() if value in (None, "today") else parse_iso_date(str(value), "date")


def _store_dir() -> Path | None:
    root = click.get_current_context().find_root()
    value = root.params.get("store")
    return Path(value) if value else None


def _load(data_dir: Path | None) -> LoadResult:
    """The graph the command works on: the persistent store given with --store, else the
    annotations in data/ loaded into an in-memory store."""
    store_dir = _store_dir()
    if store_dir is not None:
        from .load import open_existing

        return open_existing(store_dir)
    from .load import load_project

    result = load_project(data_dir=data_dir)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    return result


def _query_store(data_dir: Path | None) -> GraphStore:
    """The store a command that only reads works on (query, validate, export, ...): the
    persistent one opened as it is (no graph copied out: 2.9 s for the catalogue and ontology of
    10,000 policies) and read-only (it runs beside other readers, such as ``serve``), else data/
    loaded in memory."""
    store_dir = _store_dir()
    if store_dir is None:
        return _load(data_dir).store
    from .load import open_store_only

    return open_store_only(store_dir, read_only=True)


def _cores() -> int:
    """The cores this process may run on: the default number of validation threads."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _print_version(ctx: click.Context, value: bool) -> None:
    """click's ``--version`` text, with the version read from the installed metadata only when
    asked (importlib.metadata costs 40 ms at every start)."""
    if value and not ctx.resilient_parsing:
        from . import __version__

        click.echo(f"policykg, version {__version__}")
        ctx.exit()


@click.group(epilog=EXIT_CODES)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx, value),
    help="Show the version and exit.",
)
@click.option(
    "--store",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    envvar="POLICYKG_STORE",
    help="The persistent store every command works on instead of data/: 'load' builds or updates it, "
    "the others read it.",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
def main(store: Path | None, quiet: bool) -> None:
    """policykg: privacy policies as an evidence-backed knowledge graph on W3C DPV."""


DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Annotation folder (default: the project's data/).",
)
AS_OF = click.option(
    "--as-of", "as_of", default="today", show_default=True, help="Analysis date, YYYY-MM-DD."
)
SOURCES = click.option(
    "--sources",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder with the source texts of the evidence check (default: ../shared/seeds; build skips the "
    "check when it is absent).",
)
"""Shared options, declared once (as sssom-py does): the same name, type and help everywhere."""


def output_file_option(help: str) -> Callable[[F], F]:
    """``--output FILE``: where a command writes (atomically) instead of standard output. A
    folder that does not exist is refused while the arguments are read, before any work."""
    return click.option(
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        callback=_output_folder_exists,
        help=help,
    )


def _output_folder_exists(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None and not (value.parent if str(value.parent) else Path(".")).is_dir():
        raise click.BadParameter(f"{value}: output directory does not exist")
    return value


class _RegistryChoice(click.Choice[str]):
    """``click.Choice`` over a library module's registry of formats, read when first needed: the
    module (rdflib, pyshacl, ...) is imported by the command that uses it, not by every start."""

    def __init__(self, module: str, registry: str) -> None:
        self._where = (module, registry)
        super().__init__([])

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        from importlib import import_module

        module, registry = self._where
        return list(getattr(import_module(module, __package__), registry))

    @choices.setter
    def choices(self, _value: object) -> None:
        """click's ``__init__`` sets the choices: they are read from the registry instead."""


def registry_format_option(
    module: str, registry: str, default: str, help: str | None = None
) -> Callable[[F], F]:
    """``--format`` over ``module.registry`` (e.g. ``.query``, ``RESULT_FORMATS``), imported lazily."""
    return click.option(
        "--format",
        "fmt",
        type=_RegistryChoice(module, registry),
        default=default,
        show_default=True,
        help=help,
    )


def format_option(formats: Iterable[str], default: str, help: str | None = None) -> Callable[[F], F]:
    """``--format`` over a library's registry of formats: the CLI offers exactly what it can write."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(formats)), default=default, show_default=True, help=help
    )


@main.command(epilog=EXIT_CODES)
@click.argument("name")
@click.option("--on", "on", default="today", show_default=True, help="Date, YYYY-MM-DD.")
@format_option(["text", "json"], "text")
@reports_errors
def instrument_status(name: str, on: str, fmt: str) -> None:
    """Status of transfer instrument NAME (e.g. privacy-shield-eu-us) on a date.

    Valid, invalid since ..., no new contracts since ..., not recognised by a regulator,
    not yet in force; with the event that decides it and pending court challenges.
    """
    from .instruments import find_instrument, load_instruments, status_on
    from .ontology import load_ontology

    when = _date_option(on)
    instruments = load_instruments(load_ontology())
    status = status_on(find_instrument(instruments, name), when)
    event = status.deciding_event
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "instrument": status.instrument.slug,
                    "iri": status.instrument.iri,
                    "label": status.instrument.label,
                    "on": when.isoformat(),
                    "state": status.state,
                    "since": status.since.isoformat() if status.since else None,
                    "summary": status.summary(),
                    "deciding_event": None
                    if event is None
                    else {
                        "iri": event.iri,
                        "label": event.label,
                        "date": event.on.isoformat(),
                        "case": event.case_number,
                        "ecli": event.ecli,
                        "sources": list(event.sources),
                    },
                    "pending_challenges": [e.case_number for e in status.pending_challenges],
                },
                indent=2,
            )
        )
        return
    click.echo(f"{status.instrument.label} on {when.isoformat()}: {status.summary()}")
    if event is not None:
        click.echo(f"  decided by: {event.cite()}")
        for source in event.sources:
            click.echo(f"  source: {source}")
    for challenge in status.pending_challenges:
        click.echo(f"  pending: {challenge.cite()}")
    if status.superseded_by and status.superseded_by.successor:
        click.echo(f"  superseded: {status.superseded_by.cite()}")
    if status.instrument.legal_source:
        click.echo(f"  legal source: {status.instrument.legal_source}")


@main.command(epilog=EXIT_CODES)
@click.argument("extra", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@DATA_DIR
@reports_errors
def reason(extra: tuple[Path, ...], data_dir: Path | None) -> None:
    """Prove ontology + data consistent with HermiT (owlready2); EXTRA files are added.

    An inconsistency is reported with the individuals whose types clash.
    """
    from .rdfio import read_graph
    from .reason import check_consistency

    result = _load(data_dir)
    graphs = [result.store.graph(n) for n in result.store.graph_names()]
    graphs += [read_graph(path) for path in extra]
    report = check_consistency(graphs)
    click.echo(f"{report.detail} ({report.triples} triples)")
    for clash in report.clashes:
        click.echo(f"  {clash.describe()}")
    if not report.consistent:
        sys.exit(EXIT_FINDINGS)


@main.group()
def evidence() -> None:
    """Check and locate verbatim evidence in source texts."""


@evidence.command("check", epilog=EXIT_CODES)
@SOURCES
@DATA_DIR
@reports_errors
def evidence_check(sources: Path | None, data_dir: Path | None) -> None:
    """Re-read each source: SHA-256, and every quote verbatim at its offsets.

    Exit 1 on any mismatch, 2 if a source text is missing.
    """
    from .evidence import check_evidence

    sources = sources or project_paths().default_sources
    result = _load(data_dir)
    report = check_evidence(result.policy_graphs(), [data_dir or project_paths().data, sources])
    files = {str(entry.iri): entry.data_file for entry in result.policies}
    for mismatch in report.mismatches:
        where = f" [{files[mismatch.policy]}]" if mismatch.policy in files else ""  # the file to fix
        click.echo(f"MISMATCH {mismatch.describe()}{where}")
    for missing in report.missing_sources:
        click.echo(f"error: source text not found: {missing}", err=True)
    click.echo(
        f"{report.checked} quotes checked in {len(result.policies)} policy versions, "
        f"{len(report.mismatches)} mismatches"
    )
    if report.missing_sources:
        sys.exit(EXIT_BAD_INPUT)
    if report.mismatches:
        sys.exit(EXIT_FINDINGS)


@evidence.command("locate", epilog=EXIT_CODES)
@click.option("--source", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--after", default=None, help="Search after this anchor text (for repeated quotes).")
@click.argument("quote")
@reports_errors
def evidence_locate(source: Path, after: str | None, quote: str) -> None:
    """Print the offsets, prefix and suffix of QUOTE in a source text (for annotators)."""
    from .evidence import locate, read_source

    loc = locate(read_source(source), quote, after)
    click.echo(
        json.dumps(
            {
                "exact": quote,
                "start": loc.start,
                "end": loc.end,
                "prefix": loc.prefix,
                "suffix": loc.suffix,
                "occurrences": loc.occurrences,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    if loc.occurrences > 1:
        click.echo(f"note: the quote occurs {loc.occurrences} times; keep prefix/suffix", err=True)


@main.command(epilog=EXIT_CODES)
@DATA_DIR
@output_file_option("Write the whole graph (all named graphs) as TriG, atomically.")
@SOURCES
@AS_OF
@click.option(
    "--reason/--no-reason",
    "with_reasoner",
    default=True,
    show_default=True,
    help="Run the HermiT consistency check.",
)
@reports_errors
def build(
    data_dir: Path | None,
    output: Path | None,
    sources: Path | None,
    as_of: str,
    with_reasoner: bool,
) -> None:
    """Build the graph: load, check evidence, reason, validate; print a summary and the
    vendors whose latest policy still cites Privacy Shield."""
    from .build import build_report

    when = _date_option(as_of)
    result = _load(data_dir)
    report = build_report(
        result,
        data_dir or project_paths().data,
        sources or project_paths().default_sources,
        when,
        with_reasoner,
    )
    click.echo(report.text)
    if output is not None:
        write_atomic(output, result.store.dataset().serialize(format="trig"))
        click.echo(f"wrote {output}")
    if not report.ok:
        sys.exit(EXIT_FINDINGS)


@main.command("queries", epilog=EXIT_CODES)
@reports_errors
def list_queries() -> None:
    """List the named queries with their summaries and parameters."""
    from .query import catalogue

    for name, query in catalogue().items():
        click.echo(f"{name}: {query.summary}")
        for param in query.params.values():
            shown = param.kind or param.type  # a vendor, instrument, ... is written as users write it
            click.echo(f"    --param {param.name}=<{shown}> (default {param.default}): {param.description}")


@main.command(epilog=EXIT_CODES)
@click.argument("name", required=False)
@click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Run a query file instead of a named query.",
)
@click.option("--param", "params", multiple=True, help="Parameter as name=value (repeatable).")
@registry_format_option(".query", "RESULT_FORMATS", "table")
@click.option("--endpoint", default=None, help="Run on a remote SPARQL 1.1 endpoint instead.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait for an endpoint.")
@DATA_DIR
@reports_errors
def query(
    name: str | None,
    file: Path | None,
    params: tuple[str, ...],
    fmt: str,
    endpoint: str | None,
    timeout: float,
    data_dir: Path | None,
) -> None:
    """Run named query NAME (see 'policykg queries') or --file Q.rq on the local graph or
    --endpoint URL. Parameters are typed from the query header and bound safely; a vendor may be
    given by label, slug or IRI, an instrument by name, label or IRI, a legal basis by CURIE
    (dpv:Consent) or IRI, a policy by vendor/date (talkdesk/2019-12-31) or IRI. A value that
    matches nothing in the graph is an error (exit 2) that lists the known values."""
    from .params import Resolver, remote_select, resolve_parameters, store_select
    from .query import (
        bind_parameters,
        check_endpoint,
        find_query,
        format_result,
        load_query,
        run_local,
        run_remote,
    )

    if (name is None) == (file is None):
        raise click.UsageError("give a query NAME or --file, not both")
    named = load_query(file) if file else find_query(str(name))
    given: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.UsageError(f"--param must be name=value, got {item!r}")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # bytes that were not UTF-8 (Python's surrogate escapes)
                raise BadValueError(f"parameter {key.strip()}", value, "UTF-8 text") from None
        given[key.strip()] = value
    if endpoint is not None:
        check_endpoint(endpoint)
        resolver = Resolver(remote_select(endpoint, timeout))
        bindings = bind_parameters(named, resolve_parameters(named, given, resolver))
        result = run_remote(endpoint, named, bindings, timeout)
        if not result.rows:  # an empty or unconfigured store must not pass for "no answer"
            from .remote import diagnose_empty_answer

            problem = diagnose_empty_answer(endpoint, timeout)
            if problem:
                raise PolicyKGError(problem)
    else:
        store = _query_store(data_dir)
        resolver = Resolver(store_select(store))
        bindings = bind_parameters(named, resolve_parameters(named, given, resolver))
        result = run_local(store, named, bindings)
    click.echo(format_result(result, fmt), nl=False)


@main.command("diff", epilog=EXIT_CODES)
@click.argument("old")
@click.argument("new", required=False)
@format_option(["text", "markdown", "json"], "text")
@DATA_DIR
@reports_errors
def diff_command(old: str, new: str | None, fmt: str, data_dir: Path | None) -> None:
    """What changed from policy version OLD to NEW: facts added, removed and changed, with the
    quotes of both sides (the report's diff pages show the same).

    OLD and NEW are version IRIs or vendor/date (wix/2018-05-10); a single VENDOR (label, slug
    or IRI) compares its last two versions.
    """
    from .diff import diff_versions, pick_versions, render

    store = _query_store(data_dir)
    before, after = pick_versions(store, old, new)
    click.echo(render(diff_versions(store, before, after), fmt), nl=False)


@main.command("report", epilog=EXIT_CODES)
@AS_OF
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the site (replaced atomically: a failed build leaves an earlier site there).",
)
@SOURCES
@DATA_DIR
@reports_errors
def report(as_of: str, output: Path, sources: Path | None, data_dir: Path | None) -> None:
    """Write the analysts' report as a static, offline HTML site: the vendor portfolio on the
    date, a timeline of versions against the instruments' validity, a page per policy version
    (facts with their quotes, linked to the source text), diffs between consecutive versions
    and the compliance findings with the quotes behind them."""
    from .report import write_site

    when = _date_option(as_of)
    folders = [data_dir or project_paths().data, sources or project_paths().default_sources]
    summary = write_site(_query_store(data_dir), when, output, folders)
    click.echo(
        f"wrote {summary.pages} pages to {summary.output}: {summary.vendors} vendors, "
        f"{summary.versions} policy versions, {summary.diffs} diffs, as of {when.isoformat()}"
    )


@main.command("import-p3p", epilog=EXIT_CODES)
@click.option(
    "--source",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The policy text that states the compact policy.",
)
@click.option("--policy", "policy", required=True, help="IRI of the policy version (its graph name).")
@click.option("--cp", "header", required=True, help="The compact policy, e.g. 'CP=\"NOI CURa OUR\"'.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@reports_errors
def import_p3p(source: Path, policy: str, header: str, output: Path) -> None:
    """Map a P3P compact policy to DPV statements (data/mappings/p3p-dpv.tsv), each with the
    text that states its token as evidence; writes a TriG file with the policy's graph."""
    from rdflib import Dataset, URIRef

    from .errors import InputFileError
    from .evidence import Annotator, QuoteNotFound, read_source
    from .namespaces import bind_prefixes
    from .p3p import import_tokens, parse_compact_policy, read_mapping, token_table_quotes

    text = read_source(source)
    tokens = parse_compact_policy(header)
    annotator = Annotator(URIRef(policy), text)
    try:
        # evidence per token: its row in a token table when the text has one, else the token itself
        quotes = token_table_quotes(text, tokens)
        for token, suffix in tokens:
            quotes.setdefault(token, token + suffix)
        import_tokens(annotator, tokens, read_mapping(), quotes)
    except QuoteNotFound as err:
        empty = " (the file is empty)" if not text.strip() else ""
        raise InputFileError(source, f"{err}{empty}") from None
    dataset = Dataset()
    bind_prefixes(dataset)
    target = dataset.graph(URIRef(policy))
    for triple in annotator.graph:
        target.add(triple)
    write_atomic(output, dataset.serialize(format="trig"))
    click.echo(f"{len(tokens)} tokens, {len(annotator.graph)} triples -> {output}")


@main.command(epilog=EXIT_CODES)
@click.option(
    "--profile",
    metavar="PROFILE",
    default="data",
    show_default=True,
    help="A profile of shapes/profiles.tsv (a new one needs no code). Shipped: data (the CI gate), "
    "compliance (GDPR Art. 13, transfer currency, contradictions), all. An unknown name is exit 2 "
    "with the profiles listed.",
)
@AS_OF
@click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice(["violation", "warning", "info", "none"]),
    default="violation",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@registry_format_option(".validation.render", "REPORT_FORMATS", "text")
@output_file_option("Write the report here (atomically) instead of standard output.")
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=lambda: _cores(),
    show_default="the machine's cores",
    help="Run this many shape queries at once (threads; Oxigraph evaluates them outside the GIL).",
)
@click.option(
    "--engine",
    type=click.Choice(["native", "pyshacl"]),
    default="native",
    show_default=True,
    help="native: shapes compiled to SPARQL and run in the store (fast); pyshacl: the reference "
    "SHACL engine over the whole graph (slow, for a second opinion).",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Keep findings per version in this folder (SQLite) and re-validate only versions whose "
    "content changed since the last run with the same profile, date, shapes and ontology.",
)
@DATA_DIR
@click.option(
    "--endpoint",
    default=None,
    help="Validate what this SPARQL endpoint holds instead (its default graph must be the union of "
    "the policy graphs: Oxigraph --union-default-graph); a full run, nothing is written to it.",
)
@reports_errors
def validate(
    profile: str,
    as_of: str,
    fail_on: str,
    fmt: str,
    output: Path | None,
    jobs: int,
    engine: str,
    cache_dir: Path | None,
    data_dir: Path | None,
    endpoint: str | None,
) -> None:
    """Validate the graph (every policy version, with the ontology) with SHACL; findings are
    reported per policy version.

    Exit 0 when nothing is at or above --fail-on, 1 when something is, 2 on bad input.
    """
    from .validation import validate_store, validate_with_pyshacl
    from .validation.ci import LOCATE_ALWAYS, LOCATE_LIMIT, add_sources
    from .validation.shapes import profile_files

    when = _date_option(as_of)
    profile_files(profile)  # an unknown profile is refused before the store is loaded
    if endpoint is not None:
        _validate_endpoint(endpoint, profile, when, fail_on, fmt, output, engine, cache_dir, data_dir)
        return
    store = _query_store(data_dir)
    if engine == "pyshacl":
        report = validate_with_pyshacl(store, profile, when)
    else:
        with _progress("validating") as progress:
            report = validate_store(
                store, profile=profile, as_of=when, cache_dir=cache_dir, jobs=jobs, progress=progress
            )
    locate = fmt in LOCATE_ALWAYS or len(report.findings) <= LOCATE_LIMIT
    add_sources(report, store, data_dir or project_paths().data, fail_on=fail_on, locate=locate)
    _emit_report(report, fmt, output, fail_on)


def _emit_report(report: ValidationReport, fmt: str, output: Path | None, fail_on: str) -> None:
    """Print or write the report; exit 1 when something is at or above ``fail_on``."""
    from .validation import render

    text = render(report, fmt)
    if output is not None:
        write_atomic(output, text)
        click.echo(f"{report.summary_line()}; report written to {output}")
    else:
        click.echo(text, nl=False)
    if report.count_at_least(fail_on) > 0:
        sys.exit(EXIT_FINDINGS)


def _validate_endpoint(
    endpoint: str,
    profile: str,
    when: date,
    fail_on: str,
    fmt: str,
    output: Path | None,
    engine: str,
    cache_dir: Path | None,
    data_dir: Path | None,
) -> None:
    """``validate --endpoint``: the data lives on the endpoint, so local data options make no
    sense with it (refused rather than silently ignored)."""
    from .validation.remote import validate_endpoint

    local = {"--data-dir": data_dir, "--cache": cache_dir, "--store": _store_dir()}
    given = [name for name, value in local.items() if value is not None]
    if engine != "native":
        given.append("--engine " + engine)
    if given:
        raise click.UsageError(f"--endpoint validates the remote data: {', '.join(given)} cannot go with it")
    report = validate_endpoint(endpoint, profile, when)
    report.fail_on = fail_on
    _emit_report(report, fmt, output, fail_on)


@main.command(epilog=EXIT_CODES)
@click.option(
    "--store",
    "target",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Build or update this persistent Oxigraph store (only changed versions are rewritten); "
    "the same as 'policykg --store DIR load'.",
)
@click.option(
    "--endpoint",
    "gsp",
    default=None,
    help="Or push to a triple store's Graph Store Protocol URL (e.g. http://127.0.0.1:7878/store).",
)
@click.option(
    "--graph", "only", default=None, help="With --endpoint: push only this policy version (its IRI)."
)
@click.option("--user", default=None, help="User for HTTP basic/digest authentication.")
@click.option(
    "--password",
    default=None,
    envvar="POLICYKG_STORE_PASSWORD",
    help="Password (or env POLICYKG_STORE_PASSWORD).",
)
@click.option("--timeout", default=30.0, show_default=True, help="Seconds per request.")
@DATA_DIR
@reports_errors
def load(
    target: Path | None,
    gsp: str | None,
    only: str | None,
    user: str | None,
    password: str | None,
    timeout: float,
    data_dir: Path | None,
) -> None:
    """Load data/ into a persistent store (--store) or push it to a triple store (--endpoint).

    Each policy version is written in one transaction: readers never see half a version, and
    an interrupted load is completed by running it again. With --endpoint, one named graph per
    version (plus the ontology and catalogue graphs); re-pushing a version replaces its graph.
    """
    store_dir = _store_dir()
    if target is not None and store_dir is not None and target.resolve() != store_dir.resolve():
        raise click.UsageError(f"two stores given: --store {store_dir} and load --store {target}")
    if gsp is None:
        target = target or store_dir  # the store every command works on is the one load fills
    if (target is None) == (gsp is None):
        raise click.UsageError("give --store DIR or --endpoint URL")
    if target is not None:
        _load_store(target, data_dir)
        return
    from .remote import Credentials, push_graphs
    from .store import selected_graphs

    store = _load(data_dir).store
    names = selected_graphs(store, only)
    credentials = Credentials(user, password or "") if user else None
    sent = push_graphs(str(gsp), {n: store.graph(n) for n in names}, timeout, credentials)
    click.echo(f"pushed {len(names)} graphs, {sent} triples to {gsp}")


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal; nothing in CI, in pipes or with --quiet."""
    quiet = bool(click.get_current_context().find_root().params.get("quiet")) or not sys.stderr.isatty()
    with click.progressbar(length=1, label=label, file=sys.stderr, hidden=quiet) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        yield progress


def _load_store(target: Path, data_dir: Path | None) -> None:
    from .load import load_project, open_store

    store = open_store(target)
    with _progress("loading") as progress:
        result = load_project(data_dir=data_dir, store=store, progress=progress)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    counts = f"{result.loaded} policy versions written, {result.unchanged} unchanged"
    click.echo(f"{target}: {counts}, {len(store)} triples")


@main.command(epilog=EXIT_CODES)
@registry_format_option(
    ".export",
    "FORMATS",
    "trig",
    "turtle and ntriples merge the named graphs; trig, nquads and jsonld keep them.",
)
@click.option("--graph", "only", default=None, help="Export one policy version (its IRI) only.")
@click.option("--framed", is_flag=True, help="JSON-LD framed: one nested document per policy version.")
@output_file_option("Write here (atomically) instead of standard output.")
@DATA_DIR
@reports_errors
def export(fmt: str, only: str | None, framed: bool, output: Path | None, data_dir: Path | None) -> None:
    """Export the graph deterministically (stable order, canonical blank nodes)."""
    from .export import export as export_text

    text = export_text(_query_store(data_dir), fmt, only, framed)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)


@main.command(epilog=EXIT_CODES)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback only by default)."
)
@click.option("--port", default=7879, show_default=True)
@click.option(
    "--allow-update", is_flag=True, help="Accept SPARQL updates (refused by default; LOAD is always refused)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds a query may take (waiting for a free worker included); it is then stopped: HTTP 503.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=2,
    show_default=True,
    help="Queries that run at the same time, each in its own read-only process.",
)
@click.option(
    "--max-result-bytes",
    type=click.IntRange(min=1),
    default=50_000_000,
    show_default=True,
    help="Largest serialised result; a larger one is refused (HTTP 422), never cut.",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    default=1_000_000,
    show_default=True,
    help="Largest request body (HTTP 413 above).",
)
@click.option(
    "--allow-service",
    "allow_service",
    multiple=True,
    metavar="IRI",
    help="An endpoint IRI that SERVICE may call (repeatable); SERVICE is refused by default.",
)
@click.option(
    "--site",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="A static folder (e.g. from 'policykg report --output DIR') served under /site/.",
)
@DATA_DIR
@reports_errors
def serve(
    host: str,
    port: int,
    allow_update: bool,
    timeout: float,
    workers: int,
    max_result_bytes: int,
    max_body_bytes: int,
    allow_service: tuple[str, ...],
    site: Path | None,
    data_dir: Path | None,
) -> None:
    """Serve the graph as a SPARQL 1.1 endpoint (/sparql) with a query page (/) and, with
    --site, a static site (/site/). Read-only, no outbound requests (SERVICE, LOAD), and every
    query is time- and size-limited: see the options."""
    from .serve import Limits, make_server

    limits = Limits(
        timeout=timeout,
        max_result_bytes=max_result_bytes,
        max_body_bytes=max_body_bytes,
        workers=workers,
        allowed_services=frozenset(allow_service),
    )
    try:
        # read-only unless updates are allowed: other commands can read the store meanwhile
        store = _load(data_dir).store if allow_update else _query_store(data_dir)
        server = make_server(store, host, port, allow_update, limits, site)
    except OSError as err:
        raise PolicyKGError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    mode = "read-write" if allow_update else "read-only"
    click.echo(
        f"policykg SPARQL endpoint ({mode}) on http://{host}:{port}/sparql, query page http://{host}:{port}/"
    )
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM too: close the workers and remove the store copy

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command(epilog=EXIT_CODES)
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("dist"),
    show_default=True,
    help="Release folder; a previous release there is compared with.",
)
@DATA_DIR
@reports_errors
def release(output: Path, data_dir: Path | None) -> None:
    """Write release artefacts: ontology (Turtle, RDF/XML), the graph in every format, the
    JSON-LD context and frame, a VoID/DCAT description with counts, a changelog entry."""
    from .release import make_release

    report = make_release(_load(data_dir).store, output)
    for path in report.files:
        click.echo(f"wrote {path}")
    since = report.previous_version or "nothing (first release)"
    click.echo(
        f"compared with {since}: {len(report.added)} added, {len(report.removed)} removed, "
        f"{len(report.changed)} changed policy versions"
    )


@main.command(epilog=EXIT_CODES)
@click.option("--policies", type=click.IntRange(1), required=True, help="How many policy versions.")
@click.option("--seed", default=1, show_default=True, help="Random seed (same seed, same corpus).")
@click.option("--processes", default="10-30", show_default=True, help="Processes per policy, MIN-MAX.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for data/ (catalogue + one N-Quads file per version), sources/ and plan.json.",
)
@reports_errors
def synth(policies: int, seed: int, processes: str, output: Path) -> None:
    """Generate a synthetic corpus with planted answers (for benchmarks and scale tests)."""
    from .synthetic.corpus import generate

    low, _, high = processes.partition("-")
    if not (low.isdigit() and high.isdigit() and 0 < int(low) <= int(high)):
        raise click.BadParameter("expected MIN-MAX, e.g. 10-30", param_hint="--processes")
    plan = generate(policies, seed, output, (int(low), int(high)))
    click.echo(f"{policies} policy versions of {len(plan.versions)} vendors in {output}")


if __name__ == "__main__":
    main()


@main.command(epilog=EXIT_CODES)
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--vendor", required=True, help="Vendor slug: lower-case letters, digits, hyphens (e.g. acme-cloud)."
)
@click.option("--vendor-name", default=None, help="Vendor's display name (default: from the slug).")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the draft TriG here (the stored text beside it) instead of into the data folder.",
)
@click.option("--captured", default=None, help="Day the text was captured, YYYY-MM-DD (provenance).")
@click.option("--source-url", default=None, help="Where the text was captured from.")
@DATA_DIR
@reports_errors
def extract(
    source: Path,
    vendor: str,
    vendor_name: str | None,
    output: Path | None,
    captured: str | None,
    source_url: str | None,
    data_dir: Path | None,
) -> None:
    """Draft a policy version from a policy text (plain text, Markdown or HTML).

    Writes the draft's named graph, its stored source text (what offsets refer to) and, unless
    --output is given, its catalogue entry. Every fact has a verbatim quote, the rule that drafted
    it and a confidence; the version is marked pkg:Draft until 'policykg promote'. No network,
    no model: the rules are data/mappings/extract-rules.yaml.
    """
    from .extract.draft import extract_file

    when = parse_iso_date(captured, "--captured") if captured else None
    written = extract_file(
        source, vendor, data_dir or project_paths().data, output, vendor_name, when, source_url
    )
    x = written.draft.extraction
    relied = ", ".join(sorted(x.transfer_labels())) or "none"
    click.echo(
        f"drafted {written.draft.version} ({x.fact_count()} facts, date {x.date.iso if x.date else 'none'})"
    )
    click.echo(f"  transfer mechanisms relied upon: {relied}")
    click.echo(f"  wrote {written.graph_file} and {written.text_file}")
    if written.catalogue is not None:
        click.echo(f"  catalogued in {written.catalogue}")


@main.command("extract-eval", epilog=EXIT_CODES)
@click.option(
    "--gold",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Gold file in the schema of ../shared/corpus/gold.yaml (texts found relative to it).",
)
@click.option("--json", "json_out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the scores, misses and false positives as JSON.")  # fmt: skip
@click.option("--summary", is_flag=True, help="Only the table, not the per-policy lines.")
@reports_errors
def extract_eval(gold: Path, json_out: Path | None, summary: bool) -> None:
    """Score the extractor against a gold file: precision, recall, F1 per category, date exact
    rate, and each policy's misses and false positives. Scoring rules: README, 'Extraction'."""
    from .extract.evaluate import evaluate, format_evaluation

    evaluation = evaluate(gold)
    click.echo(format_evaluation(evaluation, details=not summary))
    if json_out is not None:
        write_atomic(json_out, json.dumps(evaluation.as_dict(), indent=2, ensure_ascii=False) + "\n")
        click.echo(f"wrote {json_out}")


@main.command(epilog=EXIT_CODES)
@click.argument("graph_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--reviewer", required=True, help="Who reviewed the draft against its text.")
@reports_errors
def promote(graph_file: Path, reviewer: str) -> None:
    """Mark a reviewed draft (its TriG file) as reviewed: pkg:Draft -> pkg:Reviewed."""
    from .extract.draft import promote as promote_draft

    version = promote_draft(graph_file, reviewer)
    click.echo(f"promoted {version} to reviewed")
