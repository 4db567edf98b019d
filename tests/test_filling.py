"""How people really fill the Word form (call-2021.md §2): ticks, tracked changes, split tables."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import APPS, ROBUST
from lxml import etree

from pipeline.check import check_bytes
from pipeline.extract import extract, mark_ticked, row_ticked, ticked_options
from pipeline.ingest.docx import body_elements, locate, read_body
from pipeline.model import Cell, Document, Location, Paragraph, Table

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
CATEGORIES = ("卓越绩效", "六西格玛", "精益管理", "其他先进质量方法")


# --- ticks ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("row, ticked", [
    (["☒", "应用证明", "必须提供"], True),
    (["☐", "应用证明", "必须提供"], False),
    (["☐", "效益证明", "填报经济效益时必须提供"], False),
    (["☐", "评价或鉴定证明", "选填"], False),
    (["☐", "其他", "有推荐单位时必填"], False),  # 有 inside a note is no 有
    (["☐", "应用证明", "√"], True),  # √ typed in the note column, the box left alone (WPS)
    (["☐", "应用证明", "必须提供　√"], True),
    (["☐", "应用证明", "是"], True),
    (["☐", "应用证明", " 是。"], True),
    (["", "应用证明", "有"], True),
    (["", "应用证明", "Ｘ"], True),  # a full-width X
    (["x", "应用证明", ""], True),
    (["■", "应用证明", ""], True), (["✓", "应用证明", ""], True), (["✔", "应用证明", ""], True),
    (["☑", "应用证明", ""], True),
    (["□", "应用证明", ""], False), (["", "应用证明", ""], False),
    (["", "应用证明", "否"], False), (["", "应用证明", "无"], False),
    (["☒", "应用证明", "否"], False),  # a tick and 否 in one row: ambiguous, not ticked
    (["√", "应用证明", "无。"], False),
    (["☐", "应用证明", "X光检测报告"], False),  # an X inside a word is no tick
    (["☐", "应用证明", "是否提供待定"], False),
])
def test_row_ticks(row: list[str], ticked: bool) -> None:
    assert row_ticked(row) is ticked


@pytest.mark.parametrize("text, said", [
    ("必须提供", None), ("填报经济效益时必须提供", None), ("选填", None), ("有推荐单位时必填", None),
    ("填报知识产权及标准时必须提供", None), ("☐", None), ("", None), ("是", True), ("有。", True), ("否", False),
    ("无", False), ("☒", True),
])
def test_one_cell_says(text: str, said: bool | None) -> None:
    assert mark_ticked(text) is said


@pytest.mark.parametrize("text, ticked", [
    ("☐卓越绩效　☐√六西格玛　☐精益管理", ["六西格玛"]),  # √ typed after the box left at ☐
    ("☐卓越绩效　√☐六西格玛　☐精益管理", ["六西格玛"]),
    ("☐卓越绩效√　☐六西格玛　☐精益管理", ["卓越绩效"]),  # √ typed right after an option
    ("☐卓越绩效　☐六西格玛　☐精益管理√", ["精益管理"]),
    ("卓越绩效√　六西格玛　精益管理", ["卓越绩效"]),  # no boxes: the mark follows its option
    ("☐卓越绩效　■六西格玛\n☐精益管理", ["六西格玛"]),
    ("☐卓越绩效　✔六西格玛　✓精益管理", ["六西格玛", "精益管理"]),
    ("☐卓越绩效　X六西格玛", ["六西格玛"]), ("☐卓越绩效　Ｘ六西格玛", ["六西格玛"]),
    ("☐卓越绩效　☐六西格玛", []),
    ("六西格玛", None),
])
def test_choice_ticks(text: str, ticked: list[str] | None) -> None:
    assert ticked_options(text, CATEGORIES) == ticked


def _table(index: int, rows: list[list[str]], page: int | None = None) -> Table:
    """A table of one-column-per-cell rows (a PDF table when a page is given)."""
    return Table(index=index, rows=tuple(
        tuple(Cell(text=t, table=index, row=r, col=c, grid_col=c, page=page,
                   bbox=(c * 50.0, r * 20.0, c * 50.0 + 50, r * 20.0 + 20) if page else None)
              for c, t in enumerate(row)) for r, row in enumerate(rows)))


def _doc(*blocks: Paragraph | Table | str) -> Document:
    out: list[Paragraph | Table] = []
    n = 0
    for b in blocks:
        if isinstance(b, str):
            out.append(Paragraph(text=b, index=n, location=Location(kind="docx", paragraph=n)))
            n += 1
        else:
            out.append(b)
    return Document(format="docx", blocks=tuple(out))


def test_attachment_list_read_from_whole_rows(call: Any) -> None:
    rows = [["选择", "附件名称", "说明"], ["☐", "应用证明", "是"], ["☒", "效益证明", "否"],
            ["☐", "评价或鉴定证明", "选填"], ["☐", "知识产权证明", "填报知识产权及标准时必须提供 √"],
            ["", "其他", "有推荐单位时必填"]]
    app = extract(_doc("十一、附件清单", _table(0, rows), "十二、申报单位承诺"), call)
    got = {k: app.values[k] for k in app.values if k.startswith("attachments.")}
    assert got == {"attachments.application_proof": True, "attachments.benefit_proof": False,
                   "attachments.evaluation": False, "attachments.ip_proof": True, "attachments.other": False}
    # the finding points at the cell that decided
    assert app.locations["attachments.application_proof"] == Location(kind="docx", table=0, row=1, col=2)
    assert app.locations["attachments.evaluation"] == Location(kind="docx", table=0, row=3, col=0)


# --- tracked changes and boxes in the XML -------------------------------------------------------------------

def _body(xml: str) -> tuple[Paragraph | Table, ...]:
    return read_body(_root(xml))


def _root(xml: str) -> Any:
    return etree.fromstring(f'<w:document xmlns:w="{W_NS}" xmlns:w14="{W14_NS}"><w:body>{xml}</w:body>'
                            "</w:document>".encode())


def _p(inner: str, ppr: str = "") -> str:
    p_pr = f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
    return f"<w:p>{p_pr}{inner}</w:p>"


def _r(text: str, tag: str = "t") -> str:
    return f'<w:r><w:{tag} xml:space="preserve">{text}</w:{tag}></w:r>'


def _texts(blocks: tuple[Paragraph | Table, ...]) -> list[Any]:
    return [b.text if isinstance(b, Paragraph) else [[c.text for c in row] for row in b.rows] for b in blocks]


REV = 'w:id="1" w:author="a" w:date="2021-06-20T00:00:00Z"'
DELETED_MARK = f"<w:rPr><w:del {REV}/></w:rPr>"


@pytest.mark.parametrize("inner, text", [
    (_r("上海") + f"<w:ins {REV}>{_r('浦东')}</w:ins>", "上海浦东"),  # inserted runs are in
    (f"<w:del {REV}>{_r('021-1', 'delText')}</w:del>{_r('021-2')}", "021-2"),  # deleted text is out
    (f"<w:del {REV}>{_r('错')}</w:del>{_r('对')}", "对"),  # even written as w:t
    (f"<w:moveFrom {REV}>{_r('甲')}</w:moveFrom>{_r('乙')}<w:moveTo {REV}>{_r('甲')}</w:moveTo>", "乙甲"),
    (f'<w:moveFromRangeStart w:id="5" w:name="m"/>{_r("乙")}<w:moveFromRangeEnd w:id="5"/>', "乙"),
    (f'<w:commentRangeStart w:id="0"/>{_r("正文")}<w:commentRangeEnd w:id="0"/>'
     '<w:r><w:commentReference w:id="0"/></w:r>', "正文"),  # comments are no text
    ('<w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>' + _r("甲"), "甲"),  # a tab stop is no tab
    (f"<w:ins {REV}><w:del {REV}>{_r('又删', 'delText')}</w:del></w:ins>{_r('留')}", "留"),
])
def test_tracked_runs(inner: str, text: str) -> None:
    assert _texts(_body(f"<w:p>{inner}</w:p>")) == [text]


def test_deleted_paragraph_mark_joins_the_next_paragraph() -> None:
    blocks = _body(_p(_r("八、社会效益"), DELETED_MARK) + _p(_r("（不超过1000字）")) + _p(_r("正文")))
    assert _texts(blocks) == ["八、社会效益（不超过1000字）", "正文"]
    assert [b.location.paragraph for b in blocks if isinstance(b, Paragraph)] == [0, 1]
    # a moved-away paragraph mark joins too; an inserted one is an ordinary mark
    moved = f"<w:rPr><w:moveFrom {REV}/></w:rPr>"
    assert _texts(_body(_p(_r("甲"), moved) + _p(_r("乙")))) == ["甲乙"]
    assert _texts(_body(_p(_r("甲"), f"<w:rPr><w:ins {REV}/></w:rPr>") + _p(_r("乙")))) == ["甲", "乙"]


def test_locate_points_at_a_joined_paragraph() -> None:
    root = _root(_p(_r("甲"), DELETED_MARK) + _p(_r("乙")) + _p(_r("丙")))
    body = body_elements(root)
    first = locate(body, Location(kind="docx", paragraph=0))
    third = locate(body, Location(kind="docx", paragraph=1))
    assert first is body[0] and third is body[2]


def _row(cells: list[str], trpr: str = "", tcpr: list[str] | None = None) -> str:
    props = tcpr or [""] * len(cells)
    tcs = "".join(f"<w:tc><w:tcPr>{pr}</w:tcPr>{_p(_r(c))}</w:tc>" for c, pr in zip(cells, props, strict=True))
    tr_pr = f"<w:trPr>{trpr}</w:trPr>" if trpr else ""
    return f"<w:tr>{tr_pr}{tcs}</w:tr>"


def test_tracked_rows_and_cells() -> None:
    rows = (_row(["姓名", "性别"]) + _row(["张三", "男"], f"<w:del {REV}/>") + _row(["李四", "女"], f"<w:ins {REV}/>")
            + _row(["王五", "多余", "男"], tcpr=["", f"<w:cellDel {REV}/>", ""])
            + _row(["赵六", "女"], tcpr=["", f"<w:cellIns {REV}/>"]))
    (table,) = _body(f"<w:tbl>{rows}</w:tbl>")
    assert _texts((table,)) == [[["姓名", "性别"], ["李四", "女"], ["王五", "男"], ["赵六", "女"]]]
    assert [c.row for c in table.rows[1]] == [1, 1] and table.rows[2][1].grid_col == 1


def test_deleted_mark_inside_a_cell() -> None:
    cell = f"<w:tc>{_p(_r('第一句，'), DELETED_MARK)}{_p(_r('接着写。'))}{_p(_r('第二段。'))}</w:tc>"
    (table,) = _body(f"<w:tbl><w:tr>{cell}</w:tr></w:tbl>")
    assert table.rows[0][0].text == "第一句，接着写。\n第二段。"


def _checkbox(checked: str, glyph: str) -> str:
    return (f'<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{checked}"/></w14:checkbox></w:sdtPr>'
            f"<w:sdtContent>{_r(glyph)}</w:sdtContent></w:sdt>")


@pytest.mark.parametrize("control, text", [
    (_checkbox("1", "☒"), "☒"),
    (_checkbox("1", "☐"), "☒"),  # the state wins over a glyph left unchanged
    (_checkbox("0", "☐"), "☐"),
    (_checkbox("0", "√"), "√"),  # the glyph replaced by a tick, the state not toggled (WPS)
    (_checkbox("true", ""), "☒"),
])
def test_checkbox_control_is_read_by_its_state(control: str, text: str) -> None:
    assert _texts(_body(_p(control + _r("六西格玛")))) == [text + "六西格玛"]


def _form_checkbox(ff: str) -> str:
    return (f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val=""/><w:enabled/><w:checkBox>'
            f'<w:sizeAuto/>{ff}</w:checkBox></w:ffData></w:fldChar></w:r>'
            + _r(" FORMCHECKBOX ", "instrText")
            + '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


@pytest.mark.parametrize("ff, text", [
    ('<w:default w:val="0"/><w:checked/>', "☒"), ('<w:default w:val="0"/>', "☐"),
    ('<w:default w:val="1"/>', "☒"), ('<w:default w:val="1"/><w:checked w:val="0"/>', "☐"),
])
def test_legacy_checkbox_form_field(ff: str, text: str) -> None:
    assert _texts(_body(_p(_form_checkbox(ff) + _r("汽车")))) == [text + "汽车"]


@pytest.mark.parametrize("inner, text", [
    ('<w:r><w:sym w:font="Wingdings 2" w:char="F052"/></w:r>', "☑"),
    ('<w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>', "☑"),
    ('<w:r><w:sym w:font="Wingdings" w:char="F0A8"/></w:r>', "□"),
    ('<w:r><w:sym w:font="Wingdings" w:char="F0E8"/></w:r>', ""),  # an arrow is nothing a check reads
    ('<w:r><w:rPr><w:rFonts w:ascii="Wingdings 2" w:hAnsi="Wingdings 2"/></w:rPr><w:t>R</w:t></w:r>', "☑"),
    ('<w:r><w:rPr><w:rFonts w:ascii="Wingdings 2" w:hAnsi="Wingdings 2"/></w:rPr><w:t>£</w:t></w:r>', "□"),
    ("<w:r><w:t>R</w:t></w:r>", "R"),
])
def test_symbol_font_boxes(inner: str, text: str) -> None:
    assert _texts(_body(_p(inner))) == [text]


# --- split tables -------------------------------------------------------------------------------------------

PERSONS_HEADER = ["排名", "姓名", "性别", "出生年月", "工作单位", "职务/职称", "主要贡献"]
UNIT = "上海澄明精密压铸有限公司"


def _person(n: int, name: str) -> list[str]:
    return [str(n), name, "男", "1980年1月", UNIT, "工程师", "参与试验。"]


def _names(app: Any) -> list[str]:
    return [p["name"] for p in app.values.get("persons", [])]


def test_split_persons_table_is_joined(call: Any) -> None:
    first = _table(0, [PERSONS_HEADER, _person(1, "甲"), _person(2, "乙")])
    second = _table(1, [_person(3, "丙"), _person(4, "丁"), ["5", "", "", "", "", "", ""]])
    app = extract(_doc("三、主要完成人", first, "", second, "四、项目简介", _table(2, [["简介"]])), call)
    assert _names(app) == ["甲", "乙", "丙", "丁"]
    assert app.locations["persons[2].name"] == Location(kind="docx", table=1, row=0, col=1)


def test_split_table_with_repeated_header_and_page_break(call: Any) -> None:
    first = _table(0, [PERSONS_HEADER, _person(1, "甲")])
    second = _table(1, [PERSONS_HEADER, _person(2, "乙")])
    app = extract(_doc("三、主要完成人", first, "\n", "（续表）", second, "四、项目简介"), call)
    assert _names(app) == ["甲", "乙"]


def test_split_table_stops_at_the_next_heading_or_other_columns(call: Any) -> None:
    first = _table(0, [PERSONS_HEADER, _person(1, "甲")])
    other = _table(1, [["简介", "", ""]])
    after = _table(2, [_person(2, "乙")])
    assert _names(extract(_doc("三、主要完成人", first, "四、项目简介", _table(1, [_person(2, "乙")])), call)) == ["甲"]
    assert _names(extract(_doc("三、主要完成人", first, "", other, after, "四、项目简介"), call)) == ["甲"]


def test_split_pdf_table_on_one_page_is_joined(call: Any) -> None:
    first = _table(0, [PERSONS_HEADER, _person(1, "甲")], page=3)
    second = _table(1, [_person(2, "乙")], page=3)
    doc = Document(format="pdf", blocks=(
        Paragraph(text="三、主要完成人", index=0, location=Location(kind="pdf", page=3)), first, second,
        Paragraph(text="四、项目简介", index=1, location=Location(kind="pdf", page=3))))
    app = extract(doc, call)
    assert _names(app) == ["甲", "乙"] and app.locations["persons[1].name"].page == 3


# --- the samples --------------------------------------------------------------------------------------------

def test_filled_like_people_do_reads_like_the_valid_form(call: Any) -> None:
    valid = check_bytes((APPS / "valid.docx").read_bytes(), "valid", call).fields
    for name in ("ticks-in-note-column", "checkbox-state-only", "tracked-changes", "split-persons-table"):
        fields = check_bytes((ROBUST / f"{name}.docx").read_bytes(), name, call).fields
        assert fields["attachments.benefit_proof"] is True and fields["project.category"] == "六西格玛", name
        assert len(fields["persons"]) == len(valid["persons"]) == 6, name
    tracked = check_bytes((ROBUST / "tracked-changes.docx").read_bytes(), "t", call).fields
    assert tracked["contact.phone"] == valid["contact.phone"] and tracked["summary"] == valid["summary"]
    assert tracked["applicant.address"] == "上海市浦东新区秀浦路2888号"
