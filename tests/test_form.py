"""The blank application form generated from call.yaml (pipeline.render.form)."""

from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from lxml import etree

from pipeline.calls import Call, load_call, parse_call
from pipeline.check import extract_bytes
from pipeline.fileio import docx_bytes
from pipeline.render.form import build_form, write_form

W14_CHECKBOX = "{http://schemas.microsoft.com/office/word/2010/wordml}checkbox"


@pytest.fixture(scope="module")
def call() -> Call:
    return load_call("saq-2021")


@pytest.fixture(scope="module")
def form_bytes(call: Call, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = write_form(call, tmp_path_factory.mktemp("form") / "form.docx")
    return path.read_bytes()


def _document_xml(data: bytes) -> Any:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read("word/document.xml"))


def _p_text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _body_paragraph_texts(root: Any) -> list[str]:
    """Texts of the paragraphs directly in the body (not in tables)."""
    body = root.find(qn("w:body"))
    return [_p_text(p) for p in body.findall(qn("w:p"))]


def _cells(root: Any) -> list[list[str]]:
    """Every table cell as the list of its paragraph texts."""
    return [[_p_text(p) for p in tc.iter(qn("w:p"))] for tc in root.iter(qn("w:tc"))]


def test_form_builds_and_saves(call: Call, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()  # a file's missing folder is an error, never created (tests/test_outputs.py)
    path = write_form(call, tmp_path / "sub" / "申报书.docx")
    assert path.exists() and path.stat().st_size > 10_000
    doc = docx.Document(str(path))
    assert len(doc.tables) >= len(call.sections)
    assert not list(tmp_path.glob("sub/.*.tmp"))


def test_every_label_appears(call: Call, form_bytes: bytes) -> None:
    root = _document_xml(form_bytes)
    paragraphs = _body_paragraph_texts(root)
    cells = _cells(root)
    first_lines = {c[0] for c in cells if c}
    whole_cells = {"\n".join(c) for c in cells}
    all_text = "\n".join(paragraphs) + "\n" + "\n".join(whole_cells)

    assert call.form_title in paragraphs
    for line in call.raw["form"]["cover"]:
        assert any(c and c[0].startswith(line) for c in cells), line
    for s in call.sections:
        # the heading is a body paragraph that starts with the exact title
        assert any(p.startswith(s.title) for p in paragraphs), s.title
        for f in s.fields:
            assert f.label in first_lines, f.label
            if f.hint:
                assert any(c[0] == f.label and len(c) > 1 and f.hint[:4] in c[1] for c in cells), f.label
            for option in call.enum_values(f.enum) if f.widget == "choice" else ():
                assert f"☐{option}" in all_text.replace("\u3000", ""), option
        for col in s.columns:
            assert col.label in first_lines, col.label
        for item in s.items:
            assert item.label in first_lines, item.label
            if item.note:
                assert item.note in first_lines, item.note
        for year in s.years:
            assert str(year) in first_lines
        for extra in (s.total_label, s.basis.label if s.basis else None, s.seal, s.text):
            if extra:
                assert extra.strip() in all_text, extra
        if s.hint:
            assert s.hint.split("（")[0] in all_text, s.hint


def test_headings_are_paragraphs_not_cells(call: Call, form_bytes: bytes) -> None:
    cells = ["".join(c) for c in _cells(_document_xml(form_bytes))]
    for s in call.sections:
        assert not any(c.startswith(s.title) for c in cells), s.title


def test_writing_boxes_are_empty(call: Call, form_bytes: bytes) -> None:
    body = _document_xml(form_bytes).find(qn("w:body"))
    blocks = list(body)
    for s in call.sections:
        if s.kind != "text":
            continue
        i = next(i for i, b in enumerate(blocks) if b.tag == qn("w:p") and _p_text(b).startswith(s.title))
        box = blocks[i + 1]
        assert box.tag == qn("w:tbl")
        assert len(box.findall(qn("w:tr"))) == 1
        assert all(not _p_text(p) for p in box.iter(qn("w:p")))


def test_rank_and_row_counts(call: Call, form_bytes: bytes) -> None:
    doc = docx.Document(io.BytesIO(form_bytes))
    for s in call.table_sections():
        labels = [c.label for c in s.columns]
        table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == labels)
        header_tr = table.rows[0]._tr
        assert header_tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        if s.years:
            firsts = [r.cells[0].text for r in table.rows[1:]]
            assert firsts[: len(s.years) + 1] == [str(y) for y in s.years] + [s.total_label]
        else:
            assert len(table.rows) == 1 + s.rows_blank
            ranks = [i for i, c in enumerate(s.columns) if c.auto == "rank"]
            for i in ranks:
                assert [r.cells[i].text for r in table.rows[1:]] == [str(n) for n in range(1, s.rows_blank + 1)]


def test_core_properties(call: Call, form_bytes: bytes) -> None:
    cp = docx.Document(io.BytesIO(form_bytes)).core_properties
    assert cp.identifier == call.id
    assert cp.version == call.form_version
    assert cp.title == call.form_title
    assert cp.subject == call.award
    assert cp.category == "申报书"
    assert cp.author == call.organiser.name
    assert cp.revision == 1


def test_page_setup_a4_portrait(form_bytes: bytes) -> None:
    doc = docx.Document(io.BytesIO(form_bytes))
    for sec in doc.sections:
        assert sec.page_width is not None and sec.page_height is not None
        assert abs(sec.page_width - Cm(21.0)) < Cm(0.05)
        assert abs(sec.page_height - Cm(29.7)) < Cm(0.05)
        assert sec.page_height > sec.page_width
        assert sec.left_margin is not None and sec.right_margin is not None
        assert Cm(1.8) < sec.left_margin < Cm(3.2) and Cm(1.8) < sec.right_margin < Cm(3.2)


def test_east_asian_fonts(form_bytes: bytes) -> None:
    doc = docx.Document(io.BytesIO(form_bytes))
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"


def test_checkbox_content_controls(call: Call, form_bytes: bytes) -> None:
    root = _document_xml(form_bytes)
    sdts = [sdt for sdt in root.iter(qn("w:sdt")) if sdt.find(f"{qn('w:sdtPr')}/{W14_CHECKBOX}") is not None]
    choices = sum(len(call.enum_values(f.enum)) for s in call.sections for f in s.fields if f.widget == "choice")
    items = sum(len(s.items) for s in call.sections)
    assert choices > 0 and items > 0
    assert len(sdts) == choices + items
    for sdt in sdts:
        assert _p_text(sdt.find(qn("w:sdtContent"))) == "☐"
    tags = {sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}").get(qn("w:val")) for sdt in sdts}
    for s in call.sections:
        for item in s.items:
            assert item.id in tags
    ids = [sdt.find(f"{qn('w:sdtPr')}/{qn('w:id')}").get(qn("w:val")) for sdt in sdts]
    assert len(set(ids)) == len(ids)


def test_write_form_is_byte_reproducible(call: Call, tmp_path: Path) -> None:
    a = write_form(call, tmp_path / "a.docx").read_bytes()
    b = write_form(call, tmp_path / "b.docx").read_bytes()
    assert a == b
    assert docx_bytes(build_form(call)) == a
    with zipfile.ZipFile(io.BytesIO(a)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_extractor_reads_the_blank_form(call: Call, form_bytes: bytes) -> None:
    app = extract_bytes(form_bytes, call)
    assert app.labels_total > 0
    assert app.labels_found == app.labels_total
    for key, value in app.values.items():
        if key == call.section("benefits").field:
            # year rows are pre-filled; their amounts are blank
            assert all(set(row) == {"year"} for row in value)
        else:
            assert value in (False, [], ""), (key, value)


def test_form_follows_the_call_data(call: Call) -> None:
    """A next call (a copy of call.yaml with changed data) gives its own form: nothing is hard-coded."""
    data = copy.deepcopy(call.raw)
    data["id"] = "saq-2022"
    data["form"]["title"] = "2022年某协会质量技术奖申报书"
    data["form"]["cover"] = ["项目全称", "申报单位（公章）"]
    data["organiser"] = {"name": "某市质量协会"}
    data["lists"]["categories"] = ["方法甲", "方法乙"]
    basic = data["sections"][0]
    basic["title"] = "一、基本信息"
    basic["fields"][0] = {**basic["fields"][0], "label": "成果名称", "hint": "限25字"}
    benefits = next(s for s in data["sections"] if s["id"] == "benefits")
    benefits["years"] = [2019, 2020, 2021]
    benefits["total_label"] = "合计"
    nxt = parse_call(data, call.folder)
    xml = _document_xml(docx_bytes(build_form(nxt)))
    text = "\n".join(_body_paragraph_texts(xml)) + "\n" + "\n".join("\n".join(c) for c in _cells(xml))
    for new in ("2022年某协会质量技术奖申报书", "项目全称：", "申报单位（公章）：", "某市质量协会制", "一、基本信息",
                "成果名称", "限25字", "☐方法甲", "2021", "合计"):
        assert new in text, new
    for old in (call.form_title, "项目名称", "一、项目基本情况", "卓越绩效", "2018", "累计", "上海市质量协会制"):
        assert old not in text, old
    cp = docx.Document(io.BytesIO(docx_bytes(build_form(nxt)))).core_properties
    assert cp.identifier == "saq-2022"
