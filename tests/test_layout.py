"""Layout checks (spec §2.9): page size, page count and body font size, on samples and on crafted documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import APPS, SAMPLES, expected
from lxml import etree

from pipeline.check import check_bytes
from pipeline.check.layout import is_a4_portrait, layout_findings
from pipeline.ingest.docx import Styles, W, read_docx, section_page_sizes
from pipeline.model import Document, Paragraph

LAYOUT = SAMPLES / "layout"
LAYOUT_FILES = sorted(LAYOUT.glob("*.docx"))
NS = f'xmlns:w="{W}"'


@pytest.mark.parametrize("path", LAYOUT_FILES, ids=[p.stem for p in LAYOUT_FILES])
def test_layout_sample_findings(path: Path, call: Any) -> None:
    report = check_bytes(path.read_bytes(), path.name, call)
    want = {(c, f) for c, f in expected(path)["findings"]}
    assert {f.key for f in report.findings} == want
    for f in report.findings:
        assert f.message and f.message_en and "{" not in f.message


def test_there_are_layout_samples() -> None:
    assert {p.stem for p in LAYOUT_FILES} == {"layout-landscape", "layout-small-font", "layout-too-many-pages"}


def test_small_font_finding_details(call: Any) -> None:
    report = check_bytes((LAYOUT / "layout-small-font.docx").read_bytes(), "x", call)
    (f,) = report.findings
    assert f.severity == "warning" and f.expected == 10.5 and f.actual == 9
    assert f.location.kind == "docx" and f.location.table is not None
    assert "项目简介" in f.message and "9磅" in f.message


def test_landscape_finding_details(call: Any) -> None:
    (f,) = check_bytes((LAYOUT / "layout-landscape.docx").read_bytes(), "x", call).findings
    assert f.severity == "error" and f.actual == "297×210 mm" and "第1页" in f.message


def test_page_count_finding_details(call: Any) -> None:
    (f,) = check_bytes((LAYOUT / "layout-too-many-pages.docx").read_bytes(), "x", call).findings
    assert (f.expected, f.actual) == (30, 31)


def test_valid_has_no_layout_findings(call: Any) -> None:
    data = (APPS / "valid.docx").read_bytes()
    doc = read_docx(data, call.file)
    assert layout_findings(doc, call) == []
    assert doc.page_sizes == ((595.3, 841.9),)
    assert check_bytes(data, "valid.docx", call).findings == ()


def test_a4_tolerance() -> None:
    assert is_a4_portrait(595.3, 841.9) and is_a4_portrait(595.0, 842.0) and is_a4_portrait(598.0, 839.0)
    assert not is_a4_portrait(612.0, 792.0) and not is_a4_portrait(841.9, 595.3)


def test_pdf_pages_each_checked(call: Any) -> None:
    doc = Document(format="pdf", blocks=(Paragraph(text="x", index=0),), pages=3,
                   page_sizes=((595.3, 841.9), (841.9, 595.3), (595.3, 841.9)))
    found = layout_findings(doc, call)
    assert [(f.code, f.location.page) for f in found] == [("layout.page_size", 2)]


def test_page_count_limit(call: Any) -> None:
    limit = int(call.file.max_pages)
    for pages, n in ((None, 0), (limit, 0), (limit + 1, 1)):
        doc = Document(format="pdf", blocks=(), pages=pages)
        assert len(layout_findings(doc, call)) == n


# --- effective run sizes from styles.xml -----------------------------------------------------------------

STYLES = f"""<w:styles {NS}>
  <w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="22"/></w:rPr></w:rPrDefault></w:docDefaults>
  <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="Small"><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="18"/></w:rPr></w:style>
  <w:style w:type="paragraph" w:styleId="SmallChild"><w:basedOn w:val="Small"/></w:style>
  <w:style w:type="paragraph" w:styleId="Loop1"><w:basedOn w:val="Loop2"/></w:style>
  <w:style w:type="paragraph" w:styleId="Loop2"><w:basedOn w:val="Loop1"/></w:style>
  <w:style w:type="character" w:styleId="Big"><w:rPr><w:sz w:val="32"/></w:rPr></w:style>
</w:styles>"""


def _p(inner: str, style: str | None = None) -> Any:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return etree.fromstring(f"<w:p {NS}>{ppr}{inner}</w:p>")


def _r(text: str, rpr: str = "") -> str:
    return f"<w:r><w:rPr>{rpr}</w:rPr><w:t>{text}</w:t></w:r>" if rpr else f"<w:r><w:t>{text}</w:t></w:r>"


@pytest.fixture()
def styles() -> Styles:
    return Styles(etree.fromstring(STYLES))


def test_run_size_precedence(styles: Styles) -> None:
    assert styles.paragraph_min(_p(_r("正文"))) == 11.0  # docDefaults through the default paragraph style
    assert styles.paragraph_min(_p(_r("正文"), "Small")) == 9.0  # the paragraph style
    assert styles.paragraph_min(_p(_r("正文"), "SmallChild")) == 9.0  # followed through basedOn
    assert styles.paragraph_min(_p(_r("正文", '<w:sz w:val="24"/>'), "Small")) == 12.0  # the run's own size
    assert styles.paragraph_min(_p(_r("正文", '<w:rStyle w:val="Big"/>'), "Small")) == 16.0  # character style
    assert styles.paragraph_min(_p(_r("正文"), "Loop1")) == 11.0  # a basedOn cycle ends at the defaults
    assert styles.paragraph_min(_p(_r("正文"), "Unknown")) == 11.0


def test_only_runs_with_visible_text_count(styles: Styles) -> None:
    p = _p(_r("  ", '<w:sz w:val="4"/>') + _r("正文", '<w:sz w:val="21"/>'))
    assert styles.paragraph_min(p) == 10.5
    assert styles.paragraph_min(_p(_r(" ", '<w:sz w:val="4"/>'))) is None


def test_without_styles_word_defaults_to_10pt() -> None:
    assert Styles().paragraph_min(_p(_r("正文"))) == 10.0


def test_cell_minimum_over_its_paragraphs(styles: Styles) -> None:
    big, small = _r("一", '<w:sz w:val="28"/>'), _r("二", '<w:sz w:val="20"/>')
    tc = etree.fromstring(f"<w:tc {NS}><w:p>{big}</w:p><w:p>{small}</w:p></w:tc>")
    assert styles.element_min(tc) == 10.0


def test_section_page_sizes() -> None:
    root = etree.fromstring(
        f'<w:document {NS}><w:body><w:p><w:pPr><w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:pPr></w:p>'
        f'<w:sectPr><w:pgSz w:w="11906" w:h="16838" w:orient="landscape"/></w:sectPr></w:body></w:document>')
    assert section_page_sizes(root) == ((595.3, 841.9), (841.9, 595.3))


def test_docx_cells_carry_font_sizes(call: Any) -> None:
    doc = read_docx((LAYOUT / "layout-small-font.docx").read_bytes(), call.file)
    sizes = {c.min_font_pt for b in doc.blocks if hasattr(b, "rows") for row in b.rows for c in row if c.text.strip()}
    assert 9.0 in sizes and None not in sizes
