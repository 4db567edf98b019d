"""Letters (acceptance / return listing every error and where to fix it) and the award decision."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from conftest import APPS

from pipeline import gbt9704 as gb
from pipeline.check import check_bytes
from pipeline.check.gongwen import check_notice
from pipeline.model import Report
from pipeline.render.documents import (
    Winner,
    decision_from_winners,
    letter_from_report,
    render_decision,
    render_letter,
    where_to_fix,
)
from pipeline.render.docx import plain

HOSTILE = 'A&B <C> "D"'
DATE = dt.date(2021, 6, 8)


def text_of(path: Path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return plain("\n".join([p.text for p in d.paragraphs] + cells))  # without the word joiners of no-break runs


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
    # within the window: the corrected form is due documents.resubmit_days (10) after the letter's date
    assert "退回补正" in text and "上海某某有限公司：" in text and "于2021年6月18日前重新提交" in text
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
    assert [plain(c.text) for c in tables[0].rows[1].cells] == ["1", HOSTILE, "上海甲公司\n上海乙研究院 & Co",
                                                                 "张三、李四"]
    assert check_notice(out, call).findings == ()
    again = render_decision(decision, tmp_path / "again.docx")
    assert again.read_bytes() == out.read_bytes()


def _with(report: Report, *findings: Any) -> Report:
    return dataclasses.replace(report, findings=tuple(findings))


def test_the_resubmission_deadline_follows_the_letter_date(failing: Report, call: Any) -> None:
    """documents.resubmit_days after the letter's date, never a day already past; after the window has closed the
    letter says so, whom to contact by that day, and that the project may be entered next year."""
    from pipeline.notice import chinese_date
    from pipeline.render.documents import letter_context, resubmit_deadline

    within = letter_context(letter_from_report(failing, "沪质协审函〔2021〕1号", DATE), call)
    assert resubmit_deadline(call, DATE) == dt.date(2021, 6, 18)
    assert plain(within["request"]) == "请逐项修改后于2021年6月18日前重新提交。"
    late = dt.date(2021, 8, 6)
    after = plain(letter_context(letter_from_report(failing, "沪质协审函〔2021〕2号", late), call)["request"])
    due = resubmit_deadline(call, late)
    assert due > late and f"于{chinese_date(due)}前" in after
    assert f"已于{chinese_date(call.window_end)}截止" in after and "下一年度" in after
    assert call.documents.contact in after
    accepted = letter_context(letter_from_report(_with(failing), "沪质协审函〔2021〕3号", late), call)
    assert accepted["accepted"] and accepted["request"] == ""


def test_batch_findings_are_written_for_the_applicant(failing: Report, call: Any, tmp_path: Path) -> None:
    """No other application's number, name or similarity figure in a letter; no 修改位置 where the form has nothing
    to edit (the quota, the same file twice)."""
    from pipeline.check.codes import make
    from pipeline.model import Location
    from pipeline.render.documents import letter_context

    here = Location(kind="docx", table=2, row=1, col=1)
    others, others_en = "2021-0054、2021-0098、2021-0101等4份", "2021-0054, 2021-0098, 2021-0101 and 1 more"
    findings = (
        make("batch.duplicate_project", call, field="project.name", location=here, actual="别家的项目",
             other=others, other_en=others_en),
        make("batch.unit_quota", call, field="applicant.credit_code", location=here, expected=3,
             actual="上海某某有限公司", count=5),
        make("batch.person_limit", call, field="persons[0]", location=here, expected=2, actual="谢立妍（1985年9月）",
             count=3),
        make("batch.similar_summary", call, field="summary", location=here, expected=0.9, actual=1.0,
             other=others, other_en=others_en),
        make("batch.duplicate_file", call, other="其他单位/申报书.docx", other_en="其他单位/申报书.docx",
             actual="a.docx"),
    )
    letter = letter_from_report(_with(failing, *findings), "沪质协审函〔2021〕4号", DATE)
    ctx = letter_context(letter, call)
    items = {f.code: item for f, item in zip([f for f in findings if f.severity == "error"], ctx["errors"],
                                              strict=True)}
    items.update({f.code: item for f, item in zip([f for f in findings if f.severity == "warning"],
                                                   ctx["warnings"], strict=True)})
    assert items["batch.unit_quota"]["where"] == "" and items["batch.duplicate_file"]["where"] == ""
    assert items["batch.duplicate_project"]["where"] != "" and items["batch.person_limit"]["where"] != ""
    text = text_of(render_letter(letter, tmp_path / "letter.docx"))
    assert re.findall(r"\d{4}-\d{4}", text) == [failing.registration]  # only its own registration number
    for other in ("2021-0054", "2021-0098", "别家的项目", "其他单位", "1.0", "相似度", "等4份"):
        assert other not in text, other
    assert "谢立妍" in text and "3项" in text and "2项" in text


def test_other_applications_are_listed_without_stray_spaces() -> None:
    from pipeline.check.batch import Entry, _refs

    entries = [Entry(f"{n}.docx", f"2021-{n:04d}", str(n), {}) for n in (9, 3, 5, 7)]
    assert _refs(entries, "zh") == "2021-0003、2021-0005、2021-0007等4份"


def test_decision_tables_keep_with_their_heading(call: Any, tmp_path: Path) -> None:
    """Each level's heading keeps with its table and stands clear of the table above; the header row repeats on
    every page and keeps with the first winner; no row is split across pages; names are unbreakable runs."""
    from docx.oxml.ns import qn

    from pipeline.render.docx import NOBREAK_LANG, nobreak

    out = render_decision(decision_from_winners(WINNERS, call, "沪质协〔2021〕40号", dt.date(2021, 9, 20)),
                          tmp_path / "decision.docx")
    d = docx.Document(str(out))
    levels = [p for p in d.paragraphs if p.style.name == gb.S_ATTACH_MARK and "等奖" in p.text]
    assert len(levels) == 3
    for p in levels:
        assert p.paragraph_format.keep_with_next and p.paragraph_format.space_before
    for t in d.tables[:-1]:
        head, *rows = t.rows
        assert head._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(c.paragraphs[0].paragraph_format.keep_with_next for c in head.cells)
        for row in [head, *rows]:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    persons = d.tables[0].rows[1].cells[3]
    runs = {r.text: r._r.find(f"{qn('w:rPr')}/{qn('w:lang')}") for r in persons.paragraphs[0].runs}
    assert set(runs) == {nobreak("张三"), "、", nobreak("李四")}
    assert runs[nobreak("张三")].get(qn("w:eastAsia")) == NOBREAK_LANG and runs["、"] is None
