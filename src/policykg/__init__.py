"""policykg: a machine-readable knowledge graph of privacy policies, built on W3C DPV."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("policykg")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
