"""Draft the development corpus (../shared/corpus) into data/ with `policykg extract`.

Each gold entry gives the text, the vendor, where and when the text was captured; the draft
records them as provenance (pkg:sourceUrl, pkg:capturedOn, dct:source). Run once; a version
already in the catalogue is skipped. Usage: python tools/import_corpus.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from policykg.errors import PolicyKGError
from policykg.extract.draft import extract_file
from policykg.paths import project_paths


def vendor_of(entry: dict[str, object]) -> tuple[str, str]:
    slug = re.sub(r"-(?:19|20)\d\d$", "", str(entry["id"]))
    name = str(entry.get("vendor", slug)).split(" (")[0].strip()
    return slug, name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=project_paths().root.parent / "shared" / "corpus")
    args = parser.parse_args()
    gold = yaml.safe_load((args.corpus / "gold.yaml").read_text(encoding="utf-8"))
    data = project_paths().data
    for entry in gold:
        slug, name = vendor_of(entry)
        source = entry.get("source") or {}
        captured = source.get("archived")
        provenance = (
            f"{source.get('repo')}: {source.get('path')} @ {source.get('commit')} (corpus id {entry['id']})"
        )
        try:
            written = extract_file(
                args.corpus / str(entry["file"]),
                slug,
                data,
                vendor_name=name,
                captured=captured if isinstance(captured, date) else None,
                source_url=source.get("original_url"),
                provenance=provenance,
            )
        except PolicyKGError as err:
            print(f"skip {entry['id']}: {err}")
            continue
        x = written.draft.extraction
        print(f"{entry['id']}: {written.draft.version} ({x.fact_count()} facts)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
