"""Extraction speed: `policykg extract` on a 9,000-word policy against the issue's 1 s target.

Times, in process, the extraction of each development-corpus policy and of a 9,000-word text
made of corpus policies (the longest real one has 8,404 words), median of 5 runs, and one
whole `policykg extract` command (read, extract, build the RDF, write the files) in a fresh
process. Prints each figure with its ratio to the 1 s target.

    python bench/extract.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from policykg.extract.detect import extract_text  # noqa: E402
from policykg.extract.draft import build_draft  # noqa: E402
from policykg.extract.rules import load_rules  # noqa: E402

TARGET_S = 1.0
WORDS = 9000


def median_seconds(func: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def nine_thousand_words(texts: list[str]) -> str:
    """The longest policies joined and cut at the 9,000th word."""
    joined = "\n\n".join(sorted(texts, key=len, reverse=True))
    cut = [m.end() for m in re.finditer(r"\S+", joined)][WORDS - 1]
    return joined[:cut]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    rules = load_rules()
    paths = sorted((args.corpus / "policies").glob("*.txt"))
    texts = {p.stem: p.read_text(encoding="utf-8") for p in paths}
    per_policy = {name: median_seconds(lambda t=text: extract_text(t, rules)) for name, text in texts.items()}
    slowest = max(per_policy, key=lambda n: per_policy[n])
    typical = statistics.median(per_policy.values())
    print(f"corpus: {len(texts)} policies, extraction median per policy {typical:.3f} s,")
    print(f"  slowest {slowest} ({len(texts[slowest].split())} words) {per_policy[slowest]:.3f} s")
    big = nine_thousand_words(list(texts.values()))
    n_words = len(big.split())
    extract_s = median_seconds(lambda: extract_text(big, rules))
    draft_s = median_seconds(lambda: build_draft(big, "bench", rules=rules))
    print(f"{n_words}-word text: extract {extract_s:.3f} s ({extract_s / TARGET_S:.2f}x of the 1 s target)")
    print(f"{n_words}-word text: extract + RDF draft {draft_s:.3f} s ({draft_s / TARGET_S:.2f}x)")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "policy.txt"
        source.write_text(big, encoding="utf-8")
        cli = [str(Path(sys.executable).parent / "policykg"), "extract", str(source), "--vendor", "bench"]
        started = time.perf_counter()
        subprocess.run([*cli, "--output", str(Path(tmp) / "out.trig")], check=True, capture_output=True)
        whole = time.perf_counter() - started
    print(f"{n_words}-word text: 'policykg extract' in a fresh process {whole:.2f} s (start included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
