"""The notice source parser and the GB/T 9704 notice read back from its .docx: page, fonts, number, colours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from conftest import ROOT
from docx.oxml.ns import qn

from pipeline import gbt9704 as gb
from pipeline.cli import main
from pipeline.notice import NoticeSourceError, parse_notice
from pipeline.render.documents import (
    decision_context,
    decision_from_winners,
    letter_context,
    notice_context,
    publicity_context,
    publicity_from_winners,
    render_notice,
    signature_indents,
    template_path,
    title_lines,
)
from pipeline.render.docx import TemplateProblem, render_template, template_variables

SOURCE = ROOT / "samples" / "notices" / "call-2021.txt"
MM = 36000


@pytest.fixture(scope="module")
def notice_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("notice") / "call-2021.docx"
    return render_notice(parse_notice(SOURCE.read_text(encoding="utf-8")), out)


def _style_font(doc: Any, name: str) -> tuple[str, float, str | None]:
    st = doc.styles[name]
    fonts = st.element.rPr.find(qn("w:rFonts"))
    color = st.font.color.rgb
    return fonts.get(qn("w:eastAsia")), st.font.size.pt, str(color) if color is not None else None


def test_parse_sample() -> None:
    n = parse_notice(SOURCE.read_text(encoding="utf-8"))
    assert n.number == "沪质协〔2021〕14号" and n.date == dt.date(2021, 5, 26)
    assert n.attachments == ("2021年上海市质量协会质量技术奖申报要求",)
    levels = [b.level for b in n.blocks if b.kind == "heading"]
    assert levels[:2] == [1, 3] and 2 in levels
    assert next(b for b in n.blocks if b.kind == "table").rows[0] == ("序号", "活动阶段", "时间安排")


@pytest.mark.parametrize("text, words", [
    ("---\nissuer: A\nnumber: N\ntitle: T\naddressee: X：\n---\n正文\n", ["第6行", "缺少必填键 date"]),
    ("---\nissuer: A\nnumber: N\ntitle: T\naddressee: X：\ndate: 2021-13-01\n---\n正文\n", ["第6行", "date"]),
    ("---\nissuer: A\nsubject: S\n---\n", ["第3行", "未知的键 subject"]),
    ("issuer: A\n", ["第1行", "---"]),
])
def test_bad_source_names_the_line(text: str, words: list[str]) -> None:
    with pytest.raises(NoticeSourceError) as e:
        parse_notice(text)
    for w in words:
        assert w in e.value.message_zh
    assert "line" in e.value.message_en


def test_page_setup(notice_docx: Path) -> None:
    s = docx.Document(str(notice_docx)).sections[0]
    assert (round(s.page_width / MM), round(s.page_height / MM)) == (210, 297)
    assert [round(x / MM) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    assert docx.Document(str(notice_docx)).settings.odd_and_even_pages_header_footer


def test_fonts_and_sizes(notice_docx: Path) -> None:
    doc = docx.Document(str(notice_docx))
    assert _style_font(doc, gb.S_BODY)[:2] == ("仿宋_GB2312", 16.0)
    assert _style_font(doc, gb.S_TITLE)[:2] == ("方正小标宋简体", 22.0)
    assert _style_font(doc, gb.S_H1)[:2] == ("黑体", 16.0)
    assert _style_font(doc, gb.S_H2)[:2] == ("楷体_GB2312", 16.0)
    assert _style_font(doc, gb.S_H3)[0] == "仿宋_GB2312"
    font, _, color = _style_font(doc, gb.S_MARK)
    assert font == "方正小标宋简体" and color == "FF0000"
    rule = doc.styles[gb.S_NUMBER].element.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.style.name == gb.S_PAGE_NO and footer.text.startswith("— ") and footer.text.endswith(" —")
    assert _style_font(doc, gb.S_PAGE_NO)[:2] == ("宋体", 14.0)
    assert doc.sections[0].even_page_footer.paragraphs[0].alignment == 0  # left on even pages


def test_paragraph_roles(notice_docx: Path) -> None:
    doc = docx.Document(str(notice_docx))
    by_style: dict[str, list[str]] = {}
    for p in doc.paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style[gb.S_NUMBER] == ["沪质协〔2021〕14号"]
    assert by_style[gb.S_MARK] == ["上海市质量协会"]
    assert by_style[gb.S_ADDRESSEE] == ["各会员单位及相关组织："]
    assert by_style[gb.S_H1][0] == "一、活动重点" and by_style[gb.S_H2][0].startswith("（一）")
    assert by_style[gb.S_DATE] == ["2021年5月26日"]
    assert by_style[gb.S_ATTACH_NOTE] == ["附件：2021年上海市质量协会质量技术奖申报要求"]
    closing = doc.tables[-1]
    assert closing.rows[0].cells[0].text.startswith("抄送：") and closing.rows[0].cells[0].text.endswith("。")
    assert closing.rows[-1].cells[-1].text == "2021年5月26日印发"


def test_reproducible(notice_docx: Path, tmp_path: Path) -> None:
    again = render_notice(parse_notice(SOURCE.read_text(encoding="utf-8")), tmp_path / "again.docx")
    assert again.read_bytes() == notice_docx.read_bytes()


def test_title_lines_and_signature() -> None:
    lines = title_lines("关于开展2021年企业先进质量技术方法推广活动暨2021年上海市质量协会质量技术奖申报工作的通知")
    assert len(lines) == 3 and all("2021" in "".join(lines) for _ in lines)
    assert not any(a.endswith("20") for a in lines)
    assert title_lines("关于表彰的决定") == ["关于表彰的决定"]
    assert signature_indents("上海市质量协会", "2021年5月26日") == (3.5, 2.0)
    assert signature_indents("上海市质量协会办公室秘书处", "2021年5月26日") == (2.0, 6.5)


def _contexts(call: Any) -> dict[str, dict[str, Any]]:
    from pipeline.render.documents import Letter, Winner

    n = parse_notice(SOURCE.read_text(encoding="utf-8"))
    letter = Letter("2021-0001", "甲", "乙", "a.docx", (), "沪质协〔2021〕30号", dt.date(2021, 6, 1))
    w = Winner(1, "一等奖", 1, "项目", ("单位",), ("张三",))
    return {"notice.docx": notice_context(n), "letter.docx": letter_context(letter, call),
            "decision.docx": decision_context(decision_from_winners([w], call, "沪质协〔2021〕40号",
                                                                    dt.date(2021, 9, 1))),
            "publicity.docx": publicity_context(publicity_from_winners([w], call, "沪质协〔2021〕35号",
                                                                       dt.date(2021, 9, 13), dt.date(2021, 9, 19)))}


def test_template_variables_match_the_code(call: Any) -> None:
    for name, context in _contexts(call).items():
        assert template_variables(template_path(name)) == set(context), name


def test_missing_variable_fails_with_its_name(call: Any) -> None:
    context = _contexts(call)["notice.docx"]
    del context["addressee"]
    with pytest.raises(TemplateProblem) as e:
        render_template(template_path("notice.docx"), context)
    assert "addressee" in e.value.message_zh


def test_templates_are_reproducible(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    saved = {n: template_path(n).read_bytes() for n in ("notice.docx", "letter.docx", "decision.docx",
                                                        "publicity.docx")}
    backup = tmp_path / "backup"
    shutil.copytree(template_path("notice.docx").parent, backup)
    try:
        subprocess.run([sys.executable, str(ROOT / "templates" / "make_templates.py")], check=True,
                       capture_output=True)
        for name, data in saved.items():
            assert template_path(name).read_bytes() == data, f"{name} differs from make_templates.py's output"
    finally:
        for name in saved:
            shutil.copy(backup / name, template_path(name))


def test_cli_notice(tmp_path: Path) -> None:
    out = tmp_path / "n.docx"
    r = CliRunner().invoke(main, ["notice", str(SOURCE), "-o", str(out)])
    assert r.exit_code == 0 and out.is_file()
    bad = tmp_path / "bad.txt"
    bad.write_text("---\nissuer: A\n---\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["notice", str(bad), "-o", str(tmp_path / "b.docx")])
    assert r.exit_code == 3 and "第" in r.output


def test_cli_notice_pdf_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.office as pdf

    monkeypatch.setattr(pdf, "soffice", lambda: None)
    r = CliRunner().invoke(main, ["notice", str(SOURCE), "-o", str(tmp_path / "n.docx"), "--pdf"])
    assert r.exit_code == 3 and "LibreOffice" in r.output


def test_cli_notice_pdf(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["notice", str(SOURCE), "-o", str(tmp_path / "n.docx"), "--pdf"])
    assert r.exit_code == 0
    pdf = tmp_path / "n.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    assert 4 <= len(doc) <= 6
    w, h = doc[0].get_size()
    assert (round(w / 72 * 25.4), round(h / 72 * 25.4)) == (210, 297)
    text = doc[0].get_textpage().get_text_range()
    assert "沪质协〔2021〕14号" in text.replace(" ", "")
    # GB/T 9704 §7.4: the closing block (版记, ending with 印发) sits at the foot of the last page's text block
    from pipeline.render.documents import closing_gap

    doc.close()
    _, gap = closing_gap(pdf)
    assert gap is not None and 0 <= gap < 3, gap  # its last rule on the text block's lower edge
