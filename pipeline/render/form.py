"""The blank application form (申报书) of a call, generated entirely from call.yaml with python-docx.

Everything the applicant reads (title, cover lines, section titles, labels, hints, options, row counts,
years, the declaration and the seal lines) comes from the Call; only generic layout words are literal.
The structure is the one pipeline.extract reads back: a heading paragraph per section, label|value
tables whose label cells start with the exact label, header rows with the exact column labels, and
empty writing boxes under the text sections.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from pipeline.calls import Call, FieldSpec, Section, stamp_properties
from pipeline.fileio import save_docx_reproducible

# --- page and type ------------------------------------------------------------------------------------

PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7
MARGIN_TOP_CM = MARGIN_BOTTOM_CM = 2.54
MARGIN_SIDE_CM = 2.2
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_SIDE_CM

SONG, HEI, FANGSONG = "宋体", "黑体", "仿宋"
LATIN = "Times New Roman"
MARK_FONT = "MS Gothic"  # the font Word itself uses for check box content controls

TITLE_PT = 22.0  # 二号
COVER_PT = 16.0  # 三号
HEADING_PT = 14.0  # 四号
BODY_PT = 12.0  # 小四
CELL_PT = 10.5  # 五号
HINT_PT = 9.0  # 小五

GREY = RGBColor(0x5F, 0x5F, 0x5F)
SHADE = "F2F2F2"
LINE_CM = 0.8  # the height of one writing line in the boxes
ROW_CM = 0.9  # label | value rows
DATA_ROW_CM = 0.8  # data rows of the tables
SIGNATURE_CM = 1.5
SEAL_CM = 1.6
BASIS_LINES = 6
HEADING_MAX_CHARS = 80  # pipeline.extract ignores longer paragraphs as headings

UNCHECKED, CHECKED = "\u2610", "\u2612"  # ☐ ☒
OPTION_GAP = "\u3000\u3000"  # two full-width spaces between the options of a choice

# Fixed timestamps make the output byte-reproducible.

CHINESE_SIZES = {42.0: "初号", 36.0: "小初", 26.0: "一号", 24.0: "小一", 22.0: "二号", 18.0: "小二",
                 16.0: "三号", 15.0: "小三", 14.0: "四号", 12.0: "小四", 10.5: "五号", 9.0: "小五"}

# Style names (created in the document; Word shows them in the style gallery).
CELL_STYLE = "Form Cell"
TEXT_STYLE = "Form Text"
HEADING_STYLE = "Form Heading"
HINT_STYLE = "Form Hint"

# Successor tags used to insert elements at their schema position.
_TC_PR_AFTER_SHD = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
                    "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")
_TBL_PR_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                         "w:tblDescription", "w:tblPrChange")
_TR_PR_AFTER_CANT_SPLIT = ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins",
                           "w:del", "w:trPrChange")
_TR_PR_AFTER_HEADER = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")
_P_PR_AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
V_CENTER = WD_CELL_VERTICAL_ALIGNMENT.CENTER
V_TOP = WD_CELL_VERTICAL_ALIGNMENT.TOP
V_BOTTOM = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM


# --- small helpers --------------------------------------------------------------------------------------

def _new(tag: str) -> Any:
    """A new OOXML element (typed loosely: python-docx's element classes are not all in its stubs)."""
    return OxmlElement(tag)


def _twips(cm: float) -> int:
    return round(cm / 2.54 * 1440)


def _text_ems(text: str) -> float:
    """Width of a text in ems: full-width characters count 1, others 0.5."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _ems_cm(ems: float, size_pt: float) -> float:
    return ems * size_pt / 72 * 2.54


def _bracket(hint: str) -> str:
    """A hint in full-width parentheses; inner parentheses become 〔〕 so the whole reads as one hint."""
    inner = hint.translate(str.maketrans("（）()", "〔〕〔〕"))
    return f"（{inner}）"


def _set_fonts(rpr: Any, east_asia: str, latin: str = LATIN) -> None:
    """Set ascii/hAnsi/eastAsia fonts on an rPr (of a run or a style), with the East Asian hint."""
    fonts = rpr.get_or_add_rFonts()
    for key in list(fonts.attrib):
        if key.endswith("Theme"):
            del fonts.attrib[key]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _run(p: Paragraph, text: str, *, font: str | None = None, size: float | None = None,
         bold: bool | None = None, color: RGBColor | None = None, style: str | None = None) -> Run:
    r = p.add_run(text, style)
    if font is not None:
        _set_fonts(r._r.get_or_add_rPr(), font, MARK_FONT if font == MARK_FONT else LATIN)
    if size is not None:
        r.font.size = Pt(size)
    if bold is not None:
        r.font.bold = bold
    if color is not None:
        r.font.color.rgb = color
    return r


def _mark_size(p: Paragraph, size: float) -> None:
    """Size of the paragraph mark (an otherwise empty paragraph's height)."""
    ppr = p._p.get_or_add_pPr()
    rpr = _new("w:rPr")
    for tag in ("w:sz", "w:szCs"):
        el = _new(tag)
        el.set(qn("w:val"), str(round(size * 2)))
        rpr.append(el)
    ppr.insert_element_before(rpr, "w:sectPr", "w:pPrChange")


def _first_line_chars(style: Any, chars: int, size: float) -> None:
    """A style's first-line indent of `chars` characters (w:firstLineChars, plus a length)."""
    style.paragraph_format.first_line_indent = Pt(chars * size)
    ind = style.element.get_or_add_pPr().find(qn("w:ind"))
    if ind is not None:
        ind.set(qn("w:firstLineChars"), str(chars * 100))


def _shade(cell: _Cell, fill: str = SHADE) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = _new("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.insert_element_before(shd, *_TC_PR_AFTER_SHD)


def _cell_borders(cell: _Cell, **edges: str) -> None:
    """Per-cell borders: edge=val ("single", "nil")."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = _new("w:tcBorders")
    for edge in ("top", "left", "bottom", "right"):
        if edge in edges:
            el = _new(f"w:{edge}")
            el.set(qn("w:val"), edges[edge])
            if edges[edge] != "nil":
                el.set(qn("w:sz"), "6")
                el.set(qn("w:space"), "0")
                el.set(qn("w:color"), "000000")
            borders.append(el)
    tc_pr.insert_element_before(borders, "w:shd", *_TC_PR_AFTER_SHD)


def _table_borders(table: Table, outer: str = "single", inner: str = "single") -> None:
    borders = _new("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        val = inner if edge.startswith("inside") else outer
        el = _new(f"w:{edge}")
        el.set(qn("w:val"), val)
        if val != "nil":
            el.set(qn("w:sz"), "4" if edge.startswith("inside") else "8")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        borders.append(el)
    table._tbl.tblPr.insert_element_before(borders, *_TBL_PR_AFTER_BORDERS)


def chinese_month(value: Any) -> str:
    """2021-05-26 -> 二〇二一年五月: the month in Chinese numerals, as a form's cover and a certificate write it
    (a notice under GB/T 9704-2012 uses Arabic numerals instead); empty for what is not a date."""
    if isinstance(value, dt.date):
        d = value
    else:
        try:
            d = dt.date.fromisoformat(str(value))
        except ValueError:
            return ""
    digits = "〇一二三四五六七八九"
    year = "".join(digits[int(c)] for c in str(d.year))
    month = ("十" if d.month >= 10 else "") + (digits[d.month % 10] if d.month % 10 else "")
    return f"{year}年{month}月"


def _size_name(pt: float) -> str:
    name = CHINESE_SIZES.get(float(pt))
    return f"{name}（{pt:g}磅）" if name else f"{pt:g}磅"


def _is_short(spec: FieldSpec) -> bool:
    """A field whose value is short enough to share a row with another one."""
    if spec.widget == "choice" or spec.box or spec.type == "date_range" or spec.parts:
        return False
    if spec.type in ("signature", "date", "month", "number"):
        return True
    if spec.max_chars is not None:
        return spec.max_chars <= 20
    return spec.format is not None


def _pair(fields: Sequence[FieldSpec]) -> list[list[FieldSpec]]:
    """Rows of a label|value table: two consecutive short fields share a row, others get a full row."""
    rows: list[list[FieldSpec]] = []
    i = 0
    while i < len(fields):
        if i + 1 < len(fields) and _is_short(fields[i]) and _is_short(fields[i + 1]):
            rows.append([fields[i], fields[i + 1]])
            i += 2
        else:
            rows.append([fields[i]])
            i += 1
    return rows


def _option_lines(options: Sequence[str], cell_width: int) -> list[list[str]]:
    """Options of a choice on lines that fit the cell, so that a line never breaks inside an option."""
    room = (cell_width / 1440 * 2.54 - 0.6) / _ems_cm(1.0, CELL_PT)  # ems, less the cell margins
    gap = _text_ems(OPTION_GAP)
    lines: list[list[str]] = []
    used = 0.0
    for option in options:
        ems = 1.0 + _text_ems(option)  # the check box is full width
        if lines and used + gap + ems <= room:
            lines[-1].append(option)
            used += gap + ems
        else:
            lines.append([option])
            used = ems
    return lines


def _field_height(spec: FieldSpec) -> float:
    if spec.box or spec.lines > 1:
        return max(spec.lines, 1) * LINE_CM
    if spec.type == "signature":
        return SIGNATURE_CM
    return ROW_CM


def _column_widths(weights: Sequence[float], labels: Sequence[str], total: int) -> list[int]:
    """Twips widths proportional to weights, each wide enough for (up to 4 characters of) its label."""
    mins = [_twips(max(1.2, _ems_cm(min(_text_ems(lb), 4.0), CELL_PT) + 0.5)) for lb in labels]
    widths = [0] * len(weights)
    free = list(range(len(weights)))
    budget = total
    while True:
        wsum = sum(weights[i] for i in free) or 1.0
        fixed = [i for i in free if budget * weights[i] / wsum < mins[i]]
        if not fixed:
            break
        for i in fixed:
            widths[i] = mins[i]
            budget -= mins[i]
            free.remove(i)
        if not free:
            break
    wsum = sum(weights[i] for i in free) or 1.0
    for i in free:
        widths[i] = int(budget * weights[i] / wsum)
    widths[-1] += total - sum(widths)
    return widths


# --- the builder ---------------------------------------------------------------------------------------

class _FormBuilder:
    """Builds the form of one call into a python-docx Document."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.doc: Document = docx.Document()
        self.text_width = _twips(TEXT_WIDTH_CM)
        self.sdt_count = 0
        labels = [f.label for s in call.sections if s.kind == "fields" for f in s.fields]
        ems = max((min(_text_ems(lb), 8.0) for lb in labels), default=4.0)
        self.label_width = _twips(max(2.6, _ems_cm(ems, CELL_PT) + 0.55))

    def build(self) -> Document:
        self._page()
        self._styles()
        self._footer()
        self._cover()
        self._instructions()
        for n, s in enumerate(self.call.sections):
            self._section(s, first=n == 0)
        end = self.doc.add_paragraph()
        _mark_size(end, 2)
        self._properties()
        return self.doc

    # -- document setup --

    def _page(self) -> None:
        sec = self.doc.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
        sec.top_margin, sec.bottom_margin = Cm(MARGIN_TOP_CM), Cm(MARGIN_BOTTOM_CM)
        sec.left_margin = sec.right_margin = Cm(MARGIN_SIDE_CM)
        sec.header_distance, sec.footer_distance = Cm(1.5), Cm(1.6)
        sec.gutter = Cm(0)

    def _styles(self) -> None:
        styles = self.doc.styles
        root = styles.element
        defaults = root.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
            if rpr is not None:
                _set_fonts(rpr, SONG)
                lang = rpr.find(qn("w:lang"))
                if lang is not None:
                    lang.set(qn("w:eastAsia"), "zh-CN")
            spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
            if spacing is not None:
                spacing.set(qn("w:after"), "0")
                spacing.set(qn("w:line"), "240")
        theme_lang = self.doc.settings.element.find(qn("w:themeFontLang"))
        if theme_lang is not None:
            theme_lang.set(qn("w:eastAsia"), "zh-CN")

        normal = styles["Normal"]
        _set_fonts(normal.element.get_or_add_rPr(), SONG)
        normal.font.size = Pt(BODY_PT)
        pf = normal.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing = 1.0

        cell = styles.add_style(CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        cell.base_style = normal
        cell.font.size = Pt(CELL_PT)
        cell.paragraph_format.line_spacing = 1.1

        text = styles.add_style(TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        text.base_style = normal
        text.font.size = Pt(BODY_PT)
        text.paragraph_format.line_spacing = 1.25
        _first_line_chars(text, 2, BODY_PT)

        heading = styles.add_style(HEADING_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        heading.base_style = normal
        _set_fonts(heading.element.get_or_add_rPr(), HEI)
        heading.font.size = Pt(HEADING_PT)
        heading.font.bold = True
        hf = heading.paragraph_format
        hf.space_before, hf.space_after = Pt(15), Pt(6)
        hf.keep_with_next = True
        outline = _new("w:outlineLvl")
        outline.set(qn("w:val"), "0")
        heading.element.get_or_add_pPr().insert_element_before(outline, *_P_PR_AFTER_OUTLINE)

        hint = styles.add_style(HINT_STYLE, WD_STYLE_TYPE.CHARACTER)
        _set_fonts(hint.element.get_or_add_rPr(), FANGSONG)
        hint.font.size = Pt(HINT_PT)
        hint.font.bold = False
        hint.font.color.rgb = GREY

    def _footer(self) -> None:
        sec = self.doc.sections[0]
        sec.different_first_page_header_footer = True  # no page number on the cover
        sec.first_page_footer.is_linked_to_previous = False
        p = sec.footer.paragraphs[0]
        p.alignment = CENTER
        _run(p, "— ", font=SONG, size=BODY_PT)
        self._page_field(p)
        _run(p, " —", font=SONG, size=BODY_PT)

    def _page_field(self, p: Paragraph) -> None:
        for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"),
                           ("end", None)):
            r = _run(p, "", font=SONG, size=BODY_PT)
            if kind == "instr":
                el = _new("w:instrText")
                el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                el.text = text
            elif kind == "text":
                el = _new("w:t")
                el.text = text
            else:
                el = _new("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            r._r.append(el)

    def _properties(self) -> None:
        call = self.call
        cp = self.doc.core_properties
        stamp_properties(cp, call.id, call.form_version)
        cp.title = call.form_title
        cp.subject = call.award
        cp.category = "申报书"
        author = call.organiser.name
        cp.author = author
        cp.last_modified_by = author
        cp.comments = ""
        fixed = dt.datetime.combine(call.window_start, dt.time())
        cp.created = fixed
        cp.modified = fixed
        cp.revision = 1
        # The template's thumbnail shows some other document: drop it.
        rels = self.doc.part.package.rels
        for rid, rel in list(rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                rels.pop(rid)

    # -- table helpers --

    def _table(self, widths: Sequence[int], *, borders: bool = True) -> Table:
        table = self.doc.add_table(rows=0, cols=len(widths))
        table.autofit = False
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
        if tbl_w is None:
            tbl_w = _new("w:tblW")
            table._tbl.tblPr.append(tbl_w)
        tbl_w.set(qn("w:w"), str(sum(widths)))
        tbl_w.set(qn("w:type"), "dxa")
        for col, w in zip(table.columns, widths, strict=True):
            col.width = Twips(w)
        if borders:
            _table_borders(table)
        else:
            _table_borders(table, "nil", "nil")
        return table

    def _row(self, table: Table, spans: Sequence[int], *, height: float | None = None, exact: bool = False,
             header: bool = False, cant_split: bool = True) -> list[_Cell]:
        row = table.add_row()
        tr_pr = row._tr.get_or_add_trPr()
        if cant_split:
            tr_pr.insert_element_before(_new("w:cantSplit"), *_TR_PR_AFTER_CANT_SPLIT)
        if height is not None:
            row.height = Cm(height)
            row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY if exact else WD_ROW_HEIGHT_RULE.AT_LEAST
        if header:
            tr_pr.insert_element_before(_new("w:tblHeader"), *_TR_PR_AFTER_HEADER)
        grid = row.cells
        cells: list[_Cell] = []
        col = 0
        for span in spans:
            c = grid[col]
            if span > 1:
                c = c.merge(grid[col + span - 1])
            cells.append(c)
            col += span
        for c in cells:
            c.paragraphs[0].style = self.doc.styles[CELL_STYLE]
            c.vertical_alignment = V_CENTER
        return cells

    def _label(self, cell: _Cell, text: str, hint: str | None = None, *, bold: bool = False,
               align: Any = CENTER) -> None:
        """A shaded label cell: the label alone on its first paragraph, the hint below it."""
        p = cell.paragraphs[0]
        p.alignment = align
        _run(p, text, bold=bold)
        if hint:
            hp = cell.add_paragraph(style=self.doc.styles[CELL_STYLE])
            hp.alignment = align
            _run(hp, _bracket(hint), style=HINT_STYLE)
        _shade(cell)

    def _checkbox(self, p: Paragraph, tag: str) -> None:
        """A Word check box content control (☐, click to tick) at the end of a paragraph."""
        self.sdt_count += 1
        sdt = _new("w:sdt")
        pr = _new("w:sdtPr")
        rpr = _new("w:rPr")
        fonts = _new("w:rFonts")
        for key in ("ascii", "eastAsia", "hAnsi"):
            fonts.set(qn(f"w:{key}"), MARK_FONT)
        fonts.set(qn("w:hint"), "eastAsia")
        rpr.append(fonts)
        pr.append(rpr)
        tag_el = _new("w:tag")
        tag_el.set(qn("w:val"), tag)
        pr.append(tag_el)
        id_el = _new("w:id")
        id_el.set(qn("w:val"), str(100000 + self.sdt_count))
        pr.append(id_el)
        box = _new("w14:checkbox")
        checked = _new("w14:checked")
        checked.set(qn("w14:val"), "0")
        box.append(checked)
        for name, char in (("w14:checkedState", CHECKED), ("w14:uncheckedState", UNCHECKED)):
            state = _new(name)
            state.set(qn("w14:val"), f"{ord(char):04X}")
            state.set(qn("w14:font"), MARK_FONT)
            box.append(state)
        pr.append(box)
        sdt.append(pr)
        content = _new("w:sdtContent")
        r = _new("w:r")
        r.append(deepcopy(rpr))
        t = _new("w:t")
        t.text = UNCHECKED
        r.append(t)
        content.append(r)
        sdt.append(content)
        p._p.append(sdt)

    # -- cover and instructions --

    def _cover(self) -> None:
        call = self.call
        title = self.doc.add_paragraph()
        title.alignment = CENTER
        title.paragraph_format.space_before = Cm(5.0)
        title.paragraph_format.space_after = Cm(3.2)
        title.paragraph_format.line_spacing = 1.3
        _run(title, call.form_title, font=HEI, size=TITLE_PT)

        lines = list(call.cover)
        if lines:
            label_ems = max(_text_ems(x) for x in lines) + 1
            label_w = _twips(_ems_cm(label_ems, COVER_PT) + 0.4)
            table = self._table([label_w, _twips(8.6)], borders=False)
            for line in lines:
                label, value = self._row(table, [1, 1], height=1.25, exact=True)
                p = label.paragraphs[0]
                p.alignment = RIGHT
                _run(p, f"{line}：", font=SONG, size=COVER_PT)
                label.vertical_alignment = V_BOTTOM
                value.vertical_alignment = V_BOTTOM
                _mark_size(value.paragraphs[0], COVER_PT)
                _cell_borders(value, bottom="single")

        org = call.organiser.name
        if org:
            p = self.doc.add_paragraph()
            p.alignment = CENTER
            p.paragraph_format.space_before = Cm(4.0)
            _run(p, f"{org}制", font=SONG, size=COVER_PT)
        date = chinese_month(call.notice.date or call.window_start)
        if date:
            p = self.doc.add_paragraph()
            p.alignment = CENTER
            p.paragraph_format.space_before = Pt(6)
            _run(p, date, font=SONG, size=COVER_PT)

    def _instruction_lines(self) -> list[str]:
        """Generic filling instructions; the numbers (font, pages, size, formats, deadline) are the call's."""
        f = self.call.file
        lines = [
            "请用 Microsoft Word 或 WPS 文字直接在本申报书中填写。不要改动栏目名称、表格结构和各部分的顺序，"
            "不要删除栏目；无内容的栏目请留空。",
            "栏目名称下方或标题后括号内的文字是填写要求（如字数上限、格式），请按要求填写。",
            f"选择项和附件清单请单击“{UNCHECKED}”使其变为“{CHECKED}”，也可将“{UNCHECKED}”改为“☑”；"
            "单选的栏目只勾选一项。",
            "表格行数不够时可在表内插入行，但不要超过该表说明中的上限；多余的空行无需删除。",
        ]
        limits = []
        if f.min_body_font_pt:
            limits.append(f"正文字号不小于{_size_name(float(f.min_body_font_pt))}")
        if f.max_pages:
            limits.append(f"全文不超过{f.max_pages}页")
        if limits:
            lines.append("，".join(limits) + "。")
        lines.append("需签字、盖章处，请由负责人签字并加盖单位公章；也可插入签名图片和电子印章。")
        submit = []
        formats = list(f.formats)
        if formats:
            submit.append("申报书以 " + " 或 ".join(f".{x}" for x in formats) + " 格式提交")
        submit.append(f"文件不超过 {f.max_bytes // 2**20} MB")
        end = self.call.window_end
        submit.append(f"请于{end.year}年{end.month}月{end.day}日前提交")
        lines.append("，".join(submit) + "。")
        return lines

    def _instructions(self) -> None:
        head = self.doc.add_paragraph()
        head.alignment = CENTER
        head.paragraph_format.page_break_before = True
        head.paragraph_format.space_after = Pt(18)
        _run(head, "填写说明", font=HEI, size=COVER_PT)
        for n, line in enumerate(self._instruction_lines(), start=1):
            p = self.doc.add_paragraph()
            pf = p.paragraph_format
            pf.left_indent = Pt(BODY_PT * 1.5)
            pf.first_line_indent = Pt(-BODY_PT * 1.5)
            pf.line_spacing = 1.5
            pf.space_after = Pt(4)
            _run(p, f"{n}．", font=SONG)
            _run(p, line, font=SONG)

    # -- sections --

    def _section(self, s: Section, *, first: bool) -> None:
        head = self.doc.add_paragraph(style=self.doc.styles[HEADING_STYLE])
        if first or s.new_page:
            head.paragraph_format.page_break_before = True
        _run(head, s.title)
        hint = _bracket(s.hint) if s.hint else ""
        # The hint sits on the heading line: below a text section's heading it would be read as its text,
        # and a separate paragraph may be left behind at a page end. A heading longer than the extractor
        # accepts (HEADING_MAX_CHARS) would no longer be recognised, so a long hint of a section that is
        # not a text goes below it.
        if hint and (s.kind == "text" or len(s.title + hint) <= HEADING_MAX_CHARS):
            _run(head, hint, style=HINT_STYLE, size=CELL_PT)
            hint = ""
        if s.kind == "text":
            self._text(s)
            return
        if hint:
            p = self.doc.add_paragraph()
            p.paragraph_format.keep_with_next = True
            p.paragraph_format.space_after = Pt(4)
            _run(p, hint, style=HINT_STYLE, size=CELL_PT)
        if s.kind == "fields":
            self._fields(s)
        elif s.kind == "table":
            self._data_table(s)
        elif s.kind == "checklist":
            self._checklist(s)

    def _fields(self, s: Section) -> None:
        lw = self.label_width
        vw = (self.text_width - 2 * lw) // 2
        table = self._table([lw, vw, lw, self.text_width - 2 * lw - vw])
        if s.text:
            (cell,) = self._row(table, [4])
            p = cell.paragraphs[0]
            p.style = self.doc.styles[TEXT_STYLE]
            pf = p.paragraph_format
            pf.line_spacing = 1.5
            pf.space_before = pf.space_after = Pt(6)
            _run(p, s.text.strip(), font=FANGSONG, size=BODY_PT)
        for pair in _pair(s.fields):
            height = max(_field_height(f) for f in pair)
            spans = [1, 1, 1, 1] if len(pair) == 2 else [1, 3]
            cells = self._row(table, spans, height=height)
            for k, spec in enumerate(pair):
                label, value = cells[2 * k], cells[2 * k + 1]
                self._label(label, spec.label, spec.hint)
                self._value(value, spec)
        if s.seal:
            (cell,) = self._row(table, [4], height=SEAL_CM)
            cell.vertical_alignment = V_BOTTOM
            p = cell.paragraphs[0]
            p.alignment = RIGHT
            p.paragraph_format.right_indent = Pt(BODY_PT * 2)
            p.paragraph_format.space_after = Pt(6)
            _run(p, s.seal, font=SONG, size=BODY_PT)

    def _value(self, cell: _Cell, spec: FieldSpec) -> None:
        if spec.widget == "choice" and spec.enum:
            p = cell.paragraphs[0]
            p.paragraph_format.line_spacing = 1.4
            width = self.text_width - self.label_width
            if _is_short(spec):
                width = (self.text_width - 2 * self.label_width) // 2
            for n, line in enumerate(_option_lines(self.call.enum_values(spec.enum), width)):
                if n:
                    p.add_run().add_break()
                for i, option in enumerate(line):
                    self._checkbox(p, f"{spec.id}={option}")
                    _run(p, option + (OPTION_GAP if i + 1 < len(line) else ""))
        if spec.box or spec.lines > 1:
            cell.vertical_alignment = V_TOP

    def _data_table(self, s: Section) -> None:
        cols = s.columns
        widths = _column_widths([float(c.width or 1) for c in cols], [c.label for c in cols], self.text_width)
        table = self._table(widths)
        header = self._row(table, [1] * len(cols), height=DATA_ROW_CM, header=True)
        for cell, col in zip(header, cols, strict=True):
            p = cell.paragraphs[0]
            p.alignment = CENTER
            _run(p, col.label, bold=True)
            _shade(cell)
        year_col = next((i for i, c in enumerate(cols) if c.id == s.year_column), 0)
        if s.years:
            for year in s.years:
                cells = self._row(table, [1] * len(cols), height=DATA_ROW_CM)
                cells[year_col].paragraphs[0].alignment = CENTER
                _run(cells[year_col].paragraphs[0], str(year))
            if s.total_label:
                cells = self._row(table, [1] * len(cols), height=DATA_ROW_CM)
                cells[year_col].paragraphs[0].alignment = CENTER
                _run(cells[year_col].paragraphs[0], s.total_label, bold=True)
                _shade(cells[year_col])
        else:
            for n in range(s.rows_blank):
                cells = self._row(table, [1] * len(cols), height=DATA_ROW_CM)
                for cell, col in zip(cells, cols, strict=True):
                    if col.auto == "rank":
                        cell.paragraphs[0].alignment = CENTER
                        _run(cell.paragraphs[0], str(n + 1))
        if s.basis is not None:
            spans = [1, len(cols) - 1] if len(cols) > 1 else [1]
            height = max(s.basis.lines, BASIS_LINES) * LINE_CM
            cells = self._row(table, spans, height=height, cant_split=False)
            self._label(cells[0], s.basis.label, s.basis.hint)
            if len(cells) > 1:
                cells[1].vertical_alignment = V_TOP

    def _text(self, s: Section) -> None:
        lines = s.spec.lines if s.spec is not None else 6
        table = self._table([self.text_width])
        (cell,) = self._row(table, [1], height=lines * LINE_CM, cant_split=False)
        cell.vertical_alignment = V_TOP
        cell.paragraphs[0].style = self.doc.styles[TEXT_STYLE]

    def _checklist(self, s: Section) -> None:
        ems = max((_text_ems(i.label) for i in s.items), default=4.0)
        mark_w = _twips(1.6)
        name_w = _twips(min(max(_ems_cm(ems, CELL_PT) + 1.0, 4.5), 7.0))
        table = self._table([mark_w, name_w, self.text_width - mark_w - name_w])
        header = self._row(table, [1, 1, 1], height=DATA_ROW_CM, header=True)
        for cell, text in zip(header, ("选择", "附件名称", "说明"), strict=True):
            p = cell.paragraphs[0]
            p.alignment = CENTER
            _run(p, text, bold=True)
            _shade(cell)
        for item in s.items:
            mark, name, note = self._row(table, [1, 1, 1], height=DATA_ROW_CM)
            mark.paragraphs[0].alignment = CENTER
            self._checkbox(mark.paragraphs[0], item.id)
            _run(name.paragraphs[0], item.label)
            if item.note:
                _run(note.paragraphs[0], item.note, style=HINT_STYLE, size=CELL_PT)


# --- public API ----------------------------------------------------------------------------------------

def build_form(call: Call) -> Document:
    """Build the blank application form of a call as a python-docx Document (in memory)."""
    return _FormBuilder(call).build()


def write_form(call: Call, path: Path) -> Path:
    """Build the blank form of a call and save it atomically (byte-reproducible) at path."""
    return save_docx_reproducible(build_form(call), Path(path))
