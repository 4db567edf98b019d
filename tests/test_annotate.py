"""Annotated copies: one Word comment per finding, anchored in the cell of its field."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import APPS
from lxml import etree

from pipeline.check import check_bytes
from pipeline.ingest.docx import body_elements, locate
from pipeline.report.annotate import annotate

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CASES = ["several-problems-1", "several-problems-2", "blank-form", "person-unit-unknown", "benefit-sum-mismatch",
         "attachment-ip-proof", "declaration-unsigned", "summary-short", "other-call"]


@pytest.mark.parametrize("name", CASES)
def test_every_comment_sits_in_its_cell(name: str, call: Any) -> None:
    data = (APPS / f"{name}.docx").read_bytes()
    report = check_bytes(data, name, call)
    assert report.findings
    out = io.BytesIO()
    annotate(data, report).save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        root = etree.fromstring(z.read("word/document.xml"))
        comments = etree.fromstring(z.read("word/comments.xml"))
    texts = ["".join(c.itertext()) for c in comments.iter(f"{W}comment")]
    assert len(texts) == len(report.findings)
    starts = {int(s.get(f"{W}id")): s for s in root.iter(f"{W}commentRangeStart")}
    body = body_elements(root)
    for i, finding in enumerate(report.findings):
        assert finding.code in texts[i]
        start = starts[i]
        if finding.location.kind != "docx":
            continue
        target = locate(body, finding.location)
        assert target is not None
        ancestors = list(start.iterancestors())
        assert target in ancestors, f"comment {i} ({finding.key}) is not in the cell of its field"


def test_annotating_never_touches_the_input(call: Any, tmp_path: Path) -> None:
    data = (APPS / "several-problems-1.docx").read_bytes()
    report = check_bytes(data, "x", call)
    from pipeline.report.annotate import write_annotated

    out = write_annotated(data, report, tmp_path / "out.docx")
    assert (APPS / "several-problems-1.docx").read_bytes() == data
    again = check_bytes(out.read_bytes(), "out", call)
    assert {f.key for f in again.findings} == {f.key for f in report.findings}
