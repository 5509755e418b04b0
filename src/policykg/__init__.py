"""policykg: a machine-readable knowledge graph of privacy policies, built on W3C DPV."""


def __getattr__(name: str) -> str:
    """``__version__`` from the installed metadata, read when asked: importlib.metadata costs
    about 40 ms of CPU time, which every command would pay at start."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policykg")
    except PackageNotFoundError:  # running from a source tree without an install
        return "0.0.0"
