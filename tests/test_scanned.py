"""Scanned pages inside a text PDF (call-2021.md §2.9): a warning naming the page; the sections on a scanned page
are not reported missing when they may be signed on paper (the declaration), and stay errors otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES

from pipeline.check import check_bytes
from pipeline.ingest.pdf import read_pdf

SCANNED = sorted((SAMPLES / "scanned").glob("*.pdf"))


def test_there_are_scanned_samples() -> None:
    assert len(SCANNED) >= 3


@pytest.mark.parametrize("pdf", SCANNED, ids=lambda p: p.stem)
def test_scanned_sample(pdf: Path, call: Any) -> None:
    exp = json.loads(pdf.with_suffix(".expected.json").read_text(encoding="utf-8"))
    report = check_bytes(pdf.read_bytes(), pdf.name, call)
    assert {f.key for f in report.findings} == {(c, f) for c, f in exp["findings"]}
    scans = [f for f in report.findings if f.code == "file.scanned_page"]
    assert len(scans) == 1 and scans[0].severity == "warning"
    page = scans[0].location.page
    assert page is not None and f"第{page}页" in scans[0].message and f"Page {page}" in scans[0].message_en
    # everything not on the scanned page reads as the .docx it was printed from
    source = SAMPLES / f"{exp['same_fields_as']}.docx"
    want = check_bytes(source.read_bytes(), source.name, call).fields
    skip = set(exp["except_fields"])
    assert {k: v for k, v in report.fields.items() if k not in skip} == {
        k: v for k, v in want.items() if k not in skip}


def test_the_declaration_page_counts_as_signed(call: Any) -> None:
    report = check_bytes((SAMPLES / "scanned" / "scanned-declaration.pdf").read_bytes(), "x.pdf", call)
    assert report.status == "pass"
    assert "视为已签字盖章" in next(f.message for f in report.findings if f.code == "file.scanned_page")
    assert "declaration.signatory" not in report.fields


def test_a_scan_is_a_page_of_its_own_in_reading_order(call: Any) -> None:
    doc = read_pdf((SAMPLES / "scanned" / "scanned-declaration.pdf").read_bytes(), call.file)
    assert len(doc.scanned_pages) == 1
    marks = [b for b in doc.blocks if getattr(b, "scanned", False)]
    assert len(marks) == 1 and marks[0].location.page == doc.scanned_pages[0] and marks[0].text == ""


def test_a_scan_of_every_page_is_still_no_text_layer(call: Any) -> None:
    import pypdfium2 as pdfium
    from scan_pages import scanned_copy

    pdf = SAMPLES / "pdf" / "applications" / "valid.pdf"
    n = len(pdfium.PdfDocument(pdf.read_bytes()))
    data = scanned_copy(pdf, list(range(1, n + 1)), None)
    report = check_bytes(data, "scan.pdf", call)
    assert [f.code for f in report.findings] == ["file.no_text_layer"]
