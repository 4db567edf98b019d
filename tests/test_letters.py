"""Letters (acceptance / return listing every error and where to fix it) and the award decision."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import docx
import pytest
from conftest import APPS

from pipeline.check import check_bytes
from pipeline.check.gongwen import check_notice
from pipeline.model import Report
from pipeline.render import gbt9704 as gb
from pipeline.render.documents import (
    Winner,
    decision_from_winners,
    letter_from_report,
    render_decision,
    render_letter,
    where_to_fix,
)

HOSTILE = 'A&B <C> "D"'
DATE = dt.date(2021, 6, 8)


def text_of(path: Path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


@pytest.fixture(scope="module")
def failing(call: Any) -> Report:
    path = APPS / "several-problems-1.docx"
    r = check_bytes(path.read_bytes(), str(path), call)
    fields = dict(r.fields, **{"project.name": HOSTILE, "applicant.name": "上海某某有限公司"})
    return dataclasses.replace(r, registration="2021-0007", fields=fields)


def test_return_letter_lists_every_error(failing: Report, call: Any, tmp_path: Path) -> None:
    letter = letter_from_report(failing, "沪质协〔2021〕31号", DATE)
    assert not letter.accepted and letter.registration == "2021-0007" and letter.file_name == "several-problems-1.docx"
    out = render_letter(letter, tmp_path / "return.docx")
    text = text_of(out)
    errors = [f for f in failing.findings if f.severity == "error"]
    assert errors
    for n, f in enumerate(errors, 1):
        assert f"{n}.{f.message}" in text
        assert where_to_fix(f, call) in text
    assert "退回补正" in text and "上海某某有限公司：" in text and "2021年7月31日" in text
    assert f"“{HOSTILE}”" in text  # the hostile name is text, not markup
    assert check_notice(out, call).findings == ()


def test_where_to_fix_names_section_field_and_cell(failing: Report, call: Any) -> None:
    f = next(x for x in failing.findings if x.field == "project.name")
    where = where_to_fix(f, call)
    assert where == "“一、项目基本情况”“项目名称”"  # as the applicant sees the form: no table numbers


def test_acceptance_letter(failing: Report, tmp_path: Path) -> None:
    ok = dataclasses.replace(failing, findings=tuple(f for f in failing.findings if f.severity != "error"))
    letter = letter_from_report(ok, "沪质协〔2021〕32号", DATE)
    assert letter.accepted
    out = render_letter(letter, tmp_path / "accept.docx")
    text = text_of(out)
    assert "予以受理" in text and "退回" not in text and "沪质协〔2021〕32号" in text
    d = docx.Document(str(out))
    assert d.sections[0].different_first_page_header_footer  # no page number on page 1 (信函格式)
    assert d.paragraphs[0].style.name == gb.S_MARK
    again = render_letter(letter, tmp_path / "again.docx")
    assert again.read_bytes() == out.read_bytes()


WINNERS = [
    Winner(2, "二等奖", 2, "基于SPC的焊接过程质量控制", ("上海丙公司",), ("赵六",)),
    Winner(1, "一等奖", 1, HOSTILE, ("上海甲公司", "上海乙研究院 & Co"), ("张三", "李四")),
    Winner(3, "三等奖", 4, "六西格玛提升注塑良率", ("上海戊公司",), ("周九",)),
    Winner(2, "二等奖", 3, "精益生产降低装配缺陷率", ("上海丁公司",), ("钱七", "孙八")),
]


def test_decision(call: Any, tmp_path: Path) -> None:
    decision = decision_from_winners(WINNERS, call, "沪质协〔2021〕40号", dt.date(2021, 9, 20))
    assert [w.serial for w in decision.winners] == [1, 2, 3, 4]
    body = "".join(decision.body)
    assert body.startswith("为") and "经" in body and "决定授予" in body and "希望" in body
    assert f"“{HOSTILE}”项目" in body and "“基于SPC的焊接过程质量控制”等2个项目" in body
    out = render_decision(decision, tmp_path / "decision.docx")
    d = docx.Document(str(out))
    marks = [p.text for p in d.paragraphs if p.style.name == gb.S_ATTACH_MARK]
    assert marks == ["附件", "一等奖（1项）", "二等奖（2项）", "三等奖（1项）"]
    tables = d.tables[:-1]  # the last table is the closing block
    assert [len(t.rows) - 1 for t in tables] == [1, 2, 1]
    assert [c.text for c in tables[0].rows[0].cells] == ["序号", "项目名称", "完成单位", "主要完成人"]
    assert [c.text for c in tables[0].rows[1].cells] == ["1", HOSTILE, "上海甲公司\n上海乙研究院 & Co", "张三、李四"]
    assert check_notice(out, call).findings == ()
    again = render_decision(decision, tmp_path / "again.docx")
    assert again.read_bytes() == out.read_bytes()
