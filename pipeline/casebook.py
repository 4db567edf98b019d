"""The printable collection of the winners' cases (成果汇编, `award casebook`): a cover, a contents list, then one
case per section — its level, the project, completing units, main persons, summary, innovation, methods, the
benefits table and its chart — in the association's house style: the GB/T 9704 page (pipeline.gbt9704), titles in
方正小标宋, headings in 黑体, text in 仿宋 (mapped to the installed faces by templates/fonts/fonts.conf).

The public collection holds the public cases only (pipeline.cases.public_cases); staff proofs (`--all`) hold every
awarded project, each marked with its publication state, and say 内部校对稿 on the cover and on every page."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import gbt9704 as gb
from pipeline.calls import Call
from pipeline.cases import CASEBOOK_TITLE, Case, all_cases, by_level, public_cases
from pipeline.errors import PipelineError
from pipeline.registry import Registry

BODY_PT = 14.0  # 四号: a collection is read, not filed; headings keep the official sizes
BODY_LINE_PT = 26.0
SMALL_PT = 12.0  # 小四: tables, notes
COVER_TITLE_PT = 36.0  # 小初
PROOF_MARK = "内部校对稿"
PROOF_NOTE = "内部校对稿　仅供核对，不得对外发布"
RED = "C00000"
CHART_WIDTH_CM = 15.0

NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    """1 -> 一, 12 -> 十二 (section numbers of a case; at most a few dozen)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


@dataclass(frozen=True)
class Casebook:
    """What was written: the .docx, the cases in it, whether it is the staff proof, and its PDF."""

    path: Path
    cases: tuple[Case, ...]
    proof: bool
    pdf: Path | None = None


class NoCases(PipelineError):
    """Nothing to put in the collection."""


# --- low-level docx pieces ---------------------------------------------------------------------------------------

def _fonts(rpr: Any, east_asia: str, latin: str = gb.LATIN) -> None:
    from docx.oxml.ns import qn

    fonts = rpr.get_or_add_rFonts()
    for key in list(fonts.attrib):
        if key.endswith("Theme"):
            del fonts.attrib[key]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _run(p: Any, text: str, face: str = gb.FANGSONG, size: float = BODY_PT, bold: bool = False,
         colour: str | None = None) -> Any:
    from docx.shared import Pt, RGBColor

    r = p.add_run(text)
    _fonts(r._r.get_or_add_rPr(), face)
    r.font.size = Pt(size)
    if bold:
        r.font.bold = True
    if colour:
        r.font.color.rgb = RGBColor.from_string(colour)
    return r


def _para(container: Any, style: str | None = None, align: str | None = None, before: float = 0,
          after: float = 0, line: float | None = BODY_LINE_PT, indent_chars: float = 0,
          keep_next: bool = False, page_break: bool = False) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = container.add_paragraph(style=style)
    f = p.paragraph_format
    if align:
        f.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                       "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    f.space_before, f.space_after = Pt(before), Pt(after)
    if line:
        f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        f.line_spacing = Pt(line)
    if indent_chars:
        f.first_line_indent = Pt(indent_chars * BODY_PT)
    f.keep_with_next = keep_next or None
    f.page_break_before = page_break or None
    return p


def _field(p: Any, instruction: str, shown: str, face: str = gb.FANGSONG, size: float = BODY_PT) -> None:
    """A Word field (PAGE, PAGEREF) with its last shown text; Word updates it on open, LibreOffice on layout."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> None:
        r = _run(p, "", face, size)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r._r.append(el)

    char("begin")
    r = _run(p, "", face, size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    r._r.append(instr)
    char("separate")
    _run(p, shown, face, size)
    char("end")


def _bookmark(p: Any, name: str, ident: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(ident))
    p._p.insert(1 if p._p.pPr is not None else 0, start)
    p._p.append(end)


def _right_tab(p: Any, cm: float) -> None:
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Cm

    p.paragraph_format.tab_stops.add_tab_stop(Cm(cm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)


def _cell_text(cell: Any, text: str, face: str = gb.FANGSONG, size: float = SMALL_PT, bold: bool = False,
               align: str = "center") -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    _para_format(p, align)
    _run(p, text, face, size, bold)


def _para_format(p: Any, align: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p.paragraph_format.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                                    "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    p.paragraph_format.space_before = Pt(2)
    p.paragraph_format.space_after = Pt(2)


def _fix_widths(table: Any, widths: Sequence[float]) -> None:
    """Fixed column widths (cm) that Word and LibreOffice both keep: the grid, each cell, the table's own width;
    rows never split across pages and the whole table kept with what follows (a short table stays on one page)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table.autofit = False
    tbl = table._tbl
    tblpr = tbl.tblPr
    width = tblpr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tblpr.append(width)
    width.set(qn("w:w"), str(round(sum(widths) / 2.54 * 1440)))
    width.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(round(w / 2.54 * 1440)))
    rows = list(table.rows)
    for n, row in enumerate(rows):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Cm(w)
            if n < len(rows) - 1:
                for para in cell.paragraphs:
                    para.paragraph_format.keep_with_next = True


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _page_setup(section: Any) -> None:
    from docx.shared import Mm

    section.page_width, section.page_height = Mm(gb.PAGE_W_MM), Mm(gb.PAGE_H_MM)
    section.top_margin, section.bottom_margin = Mm(gb.TOP_MM), Mm(gb.BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(gb.LEFT_MM), Mm(gb.RIGHT_MM)
    section.footer_distance = Mm(gb.FOOTER_MM - 7)
    section.header_distance = Mm(15)


def _styles(doc: Any) -> None:
    """Normal in 仿宋 四号; Heading 1 (a level) and Heading 2 (a case's project) as the collection shows them."""
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    _fonts(normal.element.get_or_add_rPr(), gb.FANGSONG)
    normal.font.size = Pt(BODY_PT)
    for name, face, size in (("Heading 1", gb.HEI, 16.0), ("Heading 2", gb.XIAOBIAOSONG, 20.0),
                             ("Heading 3", gb.HEI, 15.0), ("Title", gb.XIAOBIAOSONG, COVER_TITLE_PT)):
        style = doc.styles[name]
        _fonts(style.element.get_or_add_rPr(), face)
        style.font.size = Pt(size)
        style.font.bold = False
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        pf = style.paragraph_format
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
    # python-docx's Title has a blue bottom border: the cover has none
    title = doc.styles["Title"].element
    ppr = title.pPr
    if ppr is not None:
        for border in ppr.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr"):
            ppr.remove(border)


def _footer(section: Any, proof: bool) -> None:
    """The page number — N — centred in 宋体 四号 (GB/T 9704 §7.5's figure), and the proof mark in the header."""
    section.footer.is_linked_to_previous = False
    p = section.footer.paragraphs[0]
    _para_format(p, "center")
    _run(p, "— ", gb.SONG, gb.PAGE_NO_PT)
    _field(p, "PAGE", "1", gb.SONG, gb.PAGE_NO_PT)
    _run(p, " —", gb.SONG, gb.PAGE_NO_PT)
    section.header.is_linked_to_previous = False
    if proof:
        h = section.header.paragraphs[0]
        _para_format(h, "right")
        _run(h, PROOF_NOTE, gb.HEI, 10.5, colour=RED)


def _update_fields_on_open(doc: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        el = OxmlElement("w:updateFields")
        el.set(qn("w:val"), "true")
        settings.append(el)


# --- the collection ---------------------------------------------------------------------------------------------

def _cover(doc: Any, call: Call, date: dt.date, proof: bool, count: int) -> None:
    organiser = call.organiser.name
    _para(doc, line=None, before=60)
    p = _para(doc, align="center", line=None, after=18)
    _run(p, call.award, gb.XIAOBIAOSONG, gb.TITLE_PT)
    p = _para(doc, "Title", align="center", line=None, before=24, after=24)
    _run(p, CASEBOOK_TITLE, gb.XIAOBIAOSONG, COVER_TITLE_PT)
    p = _para(doc, align="center", line=None, after=12)
    _run(p, f"（共{count}项）", gb.KAI, 16.0)
    if proof:
        p = _para(doc, align="center", line=None, before=36)
        _run(p, f"【{PROOF_MARK}】", gb.HEI, 22.0, colour=RED)
        p = _para(doc, align="center", line=None, before=6)
        _run(p, "含全部获奖项目（不论是否同意公开），仅供协会内部核对，不得对外发布", gb.FANGSONG, SMALL_PT, colour=RED)
    _para(doc, line=None, before=200 if not proof else 120)
    p = _para(doc, align="center", line=None, after=6)
    _run(p, organiser, gb.FANGSONG, gb.BODY_PT)
    p = _para(doc, align="center", line=None)
    _run(p, gb.chinese_date(date), gb.FANGSONG, gb.BODY_PT)


def _contents(doc: Any, groups: list[tuple[str, list[Case]]], text_cm: float) -> None:
    p = _para(doc, align="center", line=None, after=24)
    _run(p, "目　　录", gb.XIAOBIAOSONG, gb.TITLE_PT)
    n = 0
    for name, cases in groups:
        p = _para(doc, line=30, before=10, keep_next=True)
        _run(p, f"{name}（{len(cases)}项）", gb.HEI, 16.0)
        for c in cases:
            n += 1
            p = _para(doc, line=28)
            p.paragraph_format.left_indent = _pt(2 * BODY_PT)
            p.paragraph_format.first_line_indent = _pt(-1.5 * BODY_PT)
            _right_tab(p, text_cm)
            _run(p, f"{n}. {c.project}")
            units = "、".join(c.units[:1]) + ("等" if len(c.units) > 1 else "")
            _run(p, f"　{units}", gb.KAI, SMALL_PT)
            _run(p, "\t")
            _field(p, f"PAGEREF case{n} \\h", str(n))


def _pt(x: float) -> Any:
    from docx.shared import Pt

    return Pt(x)


def _heading(doc: Any, number: int, text: str) -> None:
    p = _para(doc, "Heading 3", line=30, before=12, after=4, keep_next=True)
    _run(p, f"{numeral(number)}、{text}", gb.HEI, 15.0)


def _body(doc: Any, text: str) -> None:
    for line in [x.strip() for x in text.splitlines() if x.strip()]:
        p = _para(doc, align="justify", indent_chars=2)
        _run(p, line)


def _state(c: Case) -> str:
    if c.withdrawn is not None:
        return f"已撤下（{c.withdrawn}）"
    if c.consent is None:
        return "未征得公开同意（非在线提交）"
    return "同意公开" if c.consent else "未同意公开"


def _case(doc: Any, c: Case, n: int, level_first: bool, proof: bool, text_cm: float) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    p = _para(doc, "Heading 1", align="left", line=None, after=10, page_break=True, keep_next=True)
    _run(p, f"{c.level_name}", gb.HEI, 16.0, colour=RED)
    if not level_first:
        p.style = doc.styles["Normal"]  # the level shows on every case; a heading (and a contents line) once
    p = _para(doc, "Heading 2", align="center", line=None, before=6, after=14, keep_next=True)
    _run(p, c.project, gb.XIAOBIAOSONG, 20.0)
    _bookmark(p, f"case{n}", n)
    if proof:
        p = _para(doc, align="center", line=None, after=8)
        _run(p, f"【{PROOF_MARK}】登记号 {c.reg_no}；公开状态：{_state(c)}", gb.HEI, 10.5, colour=RED)
    facts = [("完成单位", "\n".join(c.units)),
             ("主要完成人", "、".join(x.name for x in c.persons)),
             ("项目类别", "　".join(x for x in (c.category, c.industry) if x))]
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in facts:
        cells = table.add_row().cells
        _cell_text(cells[0], label, gb.HEI, SMALL_PT)
        _shade(cells[0], "F2F2F2")
        first = True
        for line in value.splitlines() or [""]:
            para = cells[1].paragraphs[0] if first else cells[1].add_paragraph()
            _para_format(para, "left")
            _run(para, line, gb.FANGSONG, SMALL_PT)
            first = False
    _fix_widths(table, [3.0, text_cm - 3.0])
    number = 0
    for key, text in (("summary", c.summary), ("innovation", c.innovation), ("methods", c.methods)):
        if text:
            number += 1
            _heading(doc, number, c.headings.get(key) or key)
            _body(doc, text)
    if c.persons:
        number += 1
        _heading(doc, number, "主要完成人")
        _persons(doc, c, text_cm)
    if c.benefits is not None:
        number += 1
        _heading(doc, number, c.benefits.heading)
        _benefits(doc, c, text_cm)


def _persons(doc: Any, c: Case, text_cm: float) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    with_title = any(p.title for p in c.persons)
    heads = ["序号", "姓名", "工作单位"] + (["职务/职称"] if with_title else [])
    widths = [1.4, 2.4, text_cm - 1.4 - 2.4 - (3.6 if with_title else 0)] + ([3.6] if with_title else [])
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        _cell_text(cell, head, gb.HEI)
        _shade(cell, "F2F2F2")
    for i, p in enumerate(c.persons, 1):
        values = [str(i), p.name, p.unit] + ([p.title] if with_title else [])
        for j, (cell, value) in enumerate(zip(table.add_row().cells, values, strict=True)):
            _cell_text(cell, value, align="left" if j == 2 else "center")
    _fix_widths(table, widths)


def _benefits(doc: Any, c: Case, text_cm: float) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    from pipeline.render.charts import number_text, png

    b = c.benefits
    assert b is not None
    if b.unit:
        p = _para(doc, align="right", line=None, after=2, keep_next=True)
        _run(p, f"单位：{b.unit}", gb.FANGSONG, SMALL_PT)
    table = doc.add_table(rows=1, cols=1 + len(b.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, head in zip(table.rows[0].cells, ["年度", *b.columns], strict=True):
        _cell_text(cell, head, gb.HEI)
        _shade(cell, "F2F2F2")
    for year, values in b.rows:
        cells = table.add_row().cells
        _cell_text(cells[0], year)
        for cell, v in zip(cells[1:], values, strict=True):
            _cell_text(cell, "—" if v is None else number_text(v), align="right")
    cells = table.add_row().cells
    _cell_text(cells[0], b.total_label, gb.HEI)
    for cell, v in zip(cells[1:], b.totals, strict=True):
        _cell_text(cell, number_text(v), gb.HEI, align="right")
    first = 3.0
    rest = (text_cm - first) / max(1, len(b.columns))
    _fix_widths(table, [first] + [rest] * len(b.columns))
    for para in table.rows[-1].cells[0].paragraphs:
        para.paragraph_format.keep_with_next = True  # the chart follows the table
    p = _para(doc, align="center", line=None, before=10, after=4, keep_next=True)
    p.add_run().add_picture(io.BytesIO(png(b.chart())), width=Cm(min(CHART_WIDTH_CM, text_cm)))
    p = _para(doc, align="center", line=None, after=6)
    _run(p, f"图　{c.project}{b.heading}（{'、'.join(b.columns)}）", gb.KAI, SMALL_PT)


def casebook_document(cases: Sequence[Case], call: Call, date: dt.date, proof: bool) -> Any:
    """The collection as a python-docx Document."""
    import docx
    from docx.enum.section import WD_SECTION

    doc = docx.Document()
    _styles(doc)
    cover = doc.sections[0]
    _page_setup(cover)
    text_cm = (gb.PAGE_W_MM - gb.LEFT_MM - gb.RIGHT_MM) / 10
    _cover(doc, call, date, proof, len(cases))
    if proof:
        cover.header.is_linked_to_previous = False
        h = cover.header.paragraphs[0]
        _para_format(h, "right")
        _run(h, PROOF_NOTE, gb.HEI, 10.5, colour=RED)
    body = doc.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(body)
    _footer(body, proof)
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    body._sectPr.append(numbering)
    groups = by_level(cases)
    _contents(doc, groups, text_cm)
    n = 0
    for _, group in groups:
        for i, c in enumerate(group):
            n += 1
            _case(doc, c, n, i == 0, proof, text_cm)
    doc.core_properties.title = f"{call.award}{CASEBOOK_TITLE}" + (f"（{PROOF_MARK}）" if proof else "")
    doc.core_properties.author = call.organiser.name
    doc.core_properties.keywords = "award-casebook-proof" if proof else "award-casebook"
    _update_fields_on_open(doc)
    return doc


def casebook_bytes(reg: Registry, call: Call, date: dt.date, proof: bool = False) -> tuple[bytes, list[Case]]:
    """The collection as .docx bytes (for the console's download), with the cases in it. The public collection
    holds the public cases; NoCases when there are none (nothing published yet, or nobody agreed)."""
    from pipeline.fileio import docx_bytes

    cases = all_cases(reg, call) if proof else public_cases(reg, call)
    if not cases:
        if proof:
            raise NoCases("还没有获奖项目（请先计算评审结果）", "no awarded project yet (compute the results first)")
        raise NoCases("还没有可公开的获奖案例（须已印发表彰决定并发布，且单位同意公开）",
                      "no public case yet (the decision and the publication recorded, and a unit's consent)")
    return docx_bytes(casebook_document(cases, call, date, proof)), cases


def write_casebook(reg: Registry, call: Call, out: Path, date: dt.date, proof: bool = False) -> Casebook:
    """Write the collection to `out` (atomically; never over an input)."""
    from pipeline.fileio import write_bytes

    data, cases = casebook_bytes(reg, call, date, proof)
    write_bytes(out, data)
    return Casebook(out, tuple(cases), proof)
