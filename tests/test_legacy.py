"""Legacy .doc: converted by LibreOffice and read like the .docx it was saved from; a clear finding otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import APPS, CORPUS, SAMPLES, expected

from pipeline.check import check_bytes

LEGACY = sorted((SAMPLES / "legacy").glob("*.doc"))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", LEGACY, ids=[p.stem for p in LEGACY])
def test_doc_reads_like_its_docx(path: Path, call: Any) -> None:
    doc = check_bytes(path.read_bytes(), path.name, call)
    docx = check_bytes((APPS / f"{path.stem}.docx").read_bytes(), path.name, call)
    assert doc.file.format == "doc"
    assert doc.fields == docx.fields
    assert {f.key for f in doc.findings} == {(c, f) for c, f in expected(path)["findings"]}


def test_doc_without_libreoffice_is_a_legacy_finding(call: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.office as converter

    monkeypatch.setattr(converter, "soffice", lambda: None)
    report = check_bytes(LEGACY[0].read_bytes(), "a.doc", call)
    assert [f.code for f in report.findings] == ["file.legacy_format"]
    assert "另存为 .docx" in report.findings[0].message and "LibreOffice" in report.findings[0].message


@pytest.mark.timeout(120)
def test_damaged_doc_is_a_legacy_finding(call: Any) -> None:
    report = check_bytes((CORPUS / "doc" / "badfile-01-bad-header.doc").read_bytes(), "bad.doc", call)
    assert [f.code for f in report.findings] in (["file.legacy_format"], ["file.unsupported_type"],
                                                  ["form.unrecognized"])


def test_samples_exist() -> None:
    assert len(LEGACY) >= 2
