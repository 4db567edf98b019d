"""PDF reading: a PDF printed from a sample gives the same fields and findings as the sample's .docx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, SAMPLES
from print_pdfs import HANDFUL, PRODUCER_NAMES, no_pdf

from pipeline.calls import FileLimits
from pipeline.check import check_bytes
from pipeline.ingest.pdf import read_pdf
from pipeline.ingest.problems import FileProblem
from pipeline.model import Table

# Every sample in two font setups (Liberation, DejaVu), a handful through other producers (samples/print_pdfs.py);
# each PDF lies in a folder named after its .docx's folder, applications/ or robustness/.
FONT_SETUPS = ("pdf", "pdf-dejavu")
PDF_FOLDERS = [SAMPLES / name for name in FONT_SETUPS] + [SAMPLES / "pdf-producers" / p for p in PRODUCER_NAMES]
PDFS = sorted(pdf for folder in PDF_FOLDERS for pdf in folder.glob("*/*.pdf"))


def _docx_of(pdf: Path) -> Path:
    return SAMPLES / pdf.parent.name / f"{pdf.stem}.docx"


def test_every_sample_has_its_pdf() -> None:
    docs = sorted(SAMPLES.glob("applications/*.docx")) + sorted(SAMPLES.glob("robustness/*.docx"))
    assert len(docs) >= 70
    unprintable = [d for d in docs if no_pdf(d)]
    assert len(unprintable) <= 2  # each says why in its .expected.json
    for setup in FONT_SETUPS:
        for docx in docs:
            pdf = SAMPLES / setup / docx.parent.name / f"{docx.stem}.pdf"
            assert pdf.is_file() != (docx in unprintable), (setup, docx.name)
    for producer in PRODUCER_NAMES:
        for name in HANDFUL:
            assert (SAMPLES / "pdf-producers" / producer / f"{name}.pdf").is_file(), (producer, name)
    for pdf in PDFS:
        assert _docx_of(pdf).is_file(), pdf


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.relative_to(SAMPLES).with_suffix("").as_posix())
def test_pdf_matches_docx(pdf: Path, call: Any) -> None:
    d = check_bytes(_docx_of(pdf).read_bytes(), pdf.stem, call)
    p = check_bytes(pdf.read_bytes(), pdf.stem, call)
    assert p.file.format == "pdf"
    assert p.fields == d.fields
    assert {f.key for f in p.findings} == {f.key for f in d.findings}
    # where the .docx finding points into the document, the PDF finding points at a page
    located = {f.key for f in d.findings if f.location.kind == "docx"}
    for f in p.findings:
        if f.key in located:
            assert f.location.kind == "pdf" and f.location.page is not None, f


def test_pdf_document_shape() -> None:
    doc = read_pdf((SAMPLES / "pdf" / "applications" / "valid.pdf").read_bytes(), FileLimits())
    assert doc.format == "pdf" and doc.pages and len(doc.page_sizes) == doc.pages
    assert all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in doc.page_sizes)
    cells = [c for b in doc.blocks if isinstance(b, Table) for row in b.rows for c in row]
    assert cells and all(c.page and c.bbox for c in cells)
    assert any("☒" in c.text for c in cells) and any("☐" in c.text for c in cells)
    assert all(c.min_font_pt is None or c.min_font_pt >= 5 for c in cells)


@pytest.mark.parametrize(("name", "code"), [("password-example.pdf", "file.encrypted"), ("empty.pdf", None),
                                            ("malformed-from-issue-932.pdf", None)])
def test_hostile_pdfs(name: str, code: str | None, call: Any) -> None:
    path = CORPUS / "pdf" / name
    assert path.is_file(), f"the real-world corpus must lie beside the project, at {CORPUS}"
    r = check_bytes(path.read_bytes(), name, call)
    assert len(r.findings) == 1
    assert r.findings[0].code == code if code else r.findings[0].code.startswith("file.")


def test_garbage_is_corrupt() -> None:
    with pytest.raises(FileProblem) as e:
        read_pdf(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", FileLimits())
    assert e.value.code == "file.corrupt"


def test_corpus_pdfs_are_never_a_form(call: Any) -> None:
    folder = CORPUS / "pdf"
    assert folder.is_dir(), f"the real-world corpus must lie beside the project, at {CORPUS}"
    for path in sorted(folder.glob("*.pdf")):
        r = check_bytes(path.read_bytes(), path.name, call)
        assert r.findings and (r.findings[0].code.startswith("file.") or r.findings[0].code == "form.unrecognized")
