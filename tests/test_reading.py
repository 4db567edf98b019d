"""Reading that does not depend on layout accidents (call-2021.md §2, "Labels are never values"; issue 10 point 1):
headings and labels always start a block, sections are found in order, the cover never stands in for a section,
and a value is never another label."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document as WordDocument

from pipeline.check import check_bytes
from pipeline.extract import Finder, _in_order, block_starter, extract
from pipeline.ingest.docx import read_docx
from pipeline.ingest.pdf import _Char, _Line, _paragraphs


@pytest.mark.parametrize(("text", "starts"), [
    ("一、项目基本情况", True),
    ("十三、推荐单位意见", True),
    ("二、主要完成单位（按贡献大小排序，第一完成单位须为申报单位，最多5个）", True),
    ("申报日期：", True),
    ("推荐单位（盖章）：", True),
    ("项目名称：新能源汽车电机壳体压铸良率提升", True),
    ("项 目 名 称 ： 新能源汽车电机壳体压铸良率提升", True),
    ("联系电话:021-58126688", True),
    ("负责人签字", True),
    ("项目名称为新能源汽车电机壳体压铸良率提升，", False),
    ("构和各部分的顺序，不要删除栏目；无内容的栏目请留空。", False),
    ("项目组通过客户之声分析和质量成本统计，确定以电机壳体一次合格率为项目指标，", False),
])
def test_block_starter(text: str, starts: bool, call: Any) -> None:
    assert block_starter(call)(text) is starts


def _line(text: str, x0: float, top: float, width: float = 12.0) -> _Line:
    ln = _Line()
    for k, ch in enumerate(text):
        ln.add(_Char(ch, x0 + k * width, top, x0 + (k + 1) * width, top + width, width))
    return ln


def test_a_heading_after_a_line_that_ran_to_the_margin_starts_a_paragraph(call: Any) -> None:
    # the last instruction line reaches the right margin: by geometry alone the heading would be its soft wrap
    full = _line("申报书以docx或pdf格式提交，文件不超过20MB，请于2021年7月31日前提交。", 60.0, 100.0)
    heading = _line("一、项目基本情况", 60.0, 116.0)
    right = full.x1
    joined = _paragraphs([full, heading], right)
    assert len(joined) == 1  # what the geometry says
    split = _paragraphs([full, heading], right, block_starter(call))
    assert [len(p) for p in split] == [1, 1]


def test_body_lines_still_join(call: Any) -> None:
    a = _line("项目组通过客户之声分析和质量成本统计，确定以电机壳体一次合格率为项目", 60.0, 100.0)
    b = _line("指标。", 60.0, 116.0)
    assert len(_paragraphs([a, b], a.x1, block_starter(call))) == 1


def test_headings_are_taken_in_the_form_order() -> None:
    # (unit index, section order, id): 九 quoted early must not hide 二 to 八
    candidates = [(3, 8, "promotion"), (10, 1, "units"), (12, 2, "persons"), (20, 3, "summary"),
                  (30, 8, "promotion")]
    assert _in_order(candidates) == {"units": 10, "persons": 12, "summary": 20, "promotion": 30}
    assert _in_order([]) == {}


def _retyped(lines: list[str]) -> bytes:
    doc = WordDocument()
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_cover_labels_never_stand_in_and_never_are_values(call: Any) -> None:
    # a cover without values and a section 一 whose heading is missing: the cover's 推荐单位 must not take the
    # next cover label (申报日期：) as its value, and the cover's 项目名称 must not stand in for the section's
    data = _retyped(["2021年上海市质量协会质量技术奖申报书", "项目名称：", "申报单位（盖章）：", "推荐单位（盖章）：",
                     "申报日期：", "项目名称：压铸良率提升", "推荐单位：", "二、主要完成单位"])
    doc = read_docx(data, call.file)
    finder = Finder(doc, call)
    app = extract(doc, call, finder)
    assert app.values.get("project.name") == "压铸良率提升"
    assert "recommender.name" not in app.values
    assert len(finder.cover) == 4


def test_a_label_typed_as_value_is_no_value(call: Any) -> None:
    data = _retyped(["一、项目基本情况", "推荐单位：申报日期：", "联系人", "联系电话"])
    app = extract(read_docx(data, call.file), call)
    assert "recommender.name" not in app.values
    assert "contact.name" not in app.values


def test_missing_section_region_is_between_its_neighbours(call: Any) -> None:
    data = _retyped(["一、项目基本情况", "项目名称：A", "三、主要完成人", "四、项目简介", "简介正文", "六、质量技术方法应用情况",
                     "方法正文"])
    finder = Finder(read_docx(data, call.file), call)
    assert set(finder.headings) == {"basic", "persons", "summary", "methods"}
    assert list(finder.region("units")) == [1]  # after 一's heading, up to 三's: it may stand in 一's stretch
    assert list(finder.region("innovation")) == [4]  # between 四's heading and 六's heading
    assert "file.scanned_page" not in {f.code for f in check_bytes(data, "x.docx", call).findings}
