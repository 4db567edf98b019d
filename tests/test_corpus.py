"""Real-world documents written by other programs: each gets a clean file.* or form.unrecognized report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import CORPUS, ROOT

from pipeline.check import check_bytes

FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file()) if CORPUS.is_dir() else []
SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))


def test_corpus_is_there() -> None:
    assert len(FILES) == 131, f"expected the 131 real-world documents beside the project, at {CORPUS}"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_real_world_document_gets_a_clean_report(path: Path, call: Any) -> None:
    report = check_bytes(path.read_bytes(), path.name, call)
    jsonschema.validate(report.to_dict(), SCHEMA)
    codes = [f.code for f in report.findings]
    assert codes and (codes[0].startswith("file.") or codes[0] == "form.unrecognized"), codes
    assert report.status == "fail"
