"""Build the GB/T 9704-2012 Word templates of templates/default/ (notice, letter, decision, publicity)
reproducibly.

Run: .venv/bin/python templates/make_templates.py   (or `make templates`). Staff may then edit the
templates in Word: the styles (公文正文, 一级标题, 版记, …) carry the fonts and spacing, and the Jinja2 tags
({{ title }}, {%p for b in blocks %}, …) carry the content. pipeline/render/documents.py fills them with
docxtpl; tests/test_notice.py checks that each template uses exactly the variables the code passes.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import gbt9704 as gb  # noqa: E402
from pipeline.fileio import save_docx_reproducible  # noqa: E402

OUT = ROOT / "templates" / "default"
FIXED_TIME = dt.datetime(2021, 5, 26)
PITCH_PT = gb.LINE_PITCH_TWIPS / 20
CENTER, LEFT, RIGHT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.JUSTIFY)


def _el(tag: str, **attrs: str) -> Any:
    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(qn(f"w:{k}"), v)
    return e


def _chars(n: float) -> Twips:
    """n characters of the 28-character grid."""
    return Twips(round(n * gb.CHAR_PT * 20))


def _set_fonts(rpr: Any, east_asia: str, latin: str = gb.LATIN) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rpr.insert(0, fonts)
    for attr, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asia), ("cs", latin)):
        fonts.set(qn(f"w:{attr}"), value)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)


def _border(ppr: Any, side: str, val: str, size_eighths: int, space_pt: int, color: str = gb.RED) -> None:
    """A paragraph border (the red rule, the letter's double lines)."""
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = _el("w:pBdr")
        # pBdr sits after keepNext..numPr and before shd/tabs/spacing/ind/jc in CT_PPr order
        anchor = next((c for c in ppr if c.tag in {qn("w:shd"), qn("w:tabs"), qn("w:spacing"), qn("w:ind"),
                                                    qn("w:jc"), qn("w:rPr")}), None)
        if anchor is not None:
            anchor.addprevious(bdr)
        else:
            ppr.append(bdr)
    bdr.append(_el(f"w:{side}", val=val, sz=str(size_eighths), space=str(space_pt), color=color))


class Builder:
    """One template: page setup, styles, footers, then the body paragraphs added by the caller."""

    def __init__(self, title: str, letter: bool = False) -> None:
        self.doc = docx.Document()
        self.letter = letter
        body = self.doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        self._page()
        self._defaults()
        self._styles()
        self._footers()
        self._properties(title)

    # -- page -------------------------------------------------------------------------------------------
    def _page(self) -> None:
        s = self.doc.sections[0]
        s.page_width, s.page_height = Mm(gb.PAGE_W_MM), Mm(gb.PAGE_H_MM)
        s.top_margin, s.bottom_margin = Mm(gb.TOP_MM), Mm(gb.BOTTOM_MM)
        s.left_margin, s.right_margin = Mm(gb.LEFT_MM), Mm(gb.RIGHT_MM)
        s.header_distance, s.footer_distance = Mm(15), Mm(gb.FOOTER_MM)
        s.gutter = Mm(0)
        sect = s._sectPr
        for old in sect.findall(qn("w:docGrid")):
            sect.remove(old)
        # type "lines": LibreOffice 7.4 lays out "linesAndChars" with a negative charSpace at ~17 characters a
        # line; the 28 characters come from the condensed character spacing of the defaults instead
        sect.append(_el("w:docGrid", type="lines", linePitch=str(gb.LINE_PITCH_TWIPS), charSpace=str(gb.CHAR_SPACE)))
        # page numbers on the outer corners: different odd and even footers (letters: none on page 1)
        self.doc.settings.odd_and_even_pages_header_footer = True
        s.different_first_page_header_footer = self.letter

    def _defaults(self) -> None:
        styles = self.doc.styles.element
        rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr, gb.FANGSONG)
        for tag in ("w:sz", "w:szCs"):
            for old in rpr.findall(qn(tag)):
                rpr.remove(old)
            rpr.append(_el(tag, val=str(int(gb.BODY_PT * 2))))
        # 28 characters of 16 pt need 448 pt; the block is 442 pt wide: condense each character by 0.25 pt
        spacing = _el("w:spacing", val=str(gb.CONDENSE_TWIPS))
        rpr.find(qn("w:rFonts")).addnext(spacing)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
            lang.set(qn("w:val"), "zh-CN")
        ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
        for child in list(ppr):
            ppr.remove(child)
        ppr.append(_el("w:spacing", after="0", line=str(gb.LINE_PITCH_TWIPS), lineRule="exact"))
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(gb.BODY_PT)
        _set_fonts(normal.element.get_or_add_rPr(), gb.FANGSONG)
        pf = normal.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(PITCH_PT)
        pf.widow_control = False

    def _pstyle(self, name: str, font: str, size: float, align: Any = JUSTIFY, first_line: float = 0,
                left: float = 0, right: float = 0, color: str | None = None, line: float | None = None,
                before: float = 0, after: float = 0, latin: str = gb.LATIN, keep_next: bool = False) -> Any:
        st = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = self.doc.styles["Normal"]
        st.quick_style = True
        st.font.size = Pt(size)
        _set_fonts(st.element.get_or_add_rPr(), font, latin)
        if color:
            st.font.color.rgb = RGBColor.from_string(color)
        pf = st.paragraph_format
        pf.alignment = align
        pf.first_line_indent = _chars(first_line) if first_line else Twips(0)
        pf.left_indent = _chars(left) if left else Twips(0)
        pf.right_indent = _chars(right) if right else Twips(0)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line or PITCH_PT)
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        pf.keep_with_next = keep_next
        return st

    def _styles(self) -> None:
        # The issuer mark: red 小标宋; the number: 3号 仿宋 (the letter's flush right under the double line)
        # the issuer mark's top 35 mm under the top of the text block (§7.2.2, 下行文)
        self._pstyle(gb.S_MARK, gb.XIAOBIAOSONG, gb.MARK_PT, CENTER, color=gb.RED, line=gb.MARK_PT * 1.25,
                     latin=gb.XIAOBIAOSONG, before=0 if self.letter else 35 / 25.4 * 72 - gb.MARK_PT * 0.25)
        num = self._pstyle(gb.S_NUMBER, gb.FANGSONG, gb.BODY_PT, CENTER, after=PITCH_PT * 2)
        # the red rule 4 mm under the number, as wide as the text block
        _border(num.element.get_or_add_pPr(), "bottom", "single", 8, 11)
        self._pstyle(gb.S_NUMBER_LETTER, gb.FANGSONG, gb.BODY_PT, RIGHT)
        self._pstyle(gb.S_TITLE, gb.XIAOBIAOSONG, gb.TITLE_PT, CENTER, line=PITCH_PT * 1.25, latin=gb.XIAOBIAOSONG,
                     after=PITCH_PT)
        self._pstyle(gb.S_ADDRESSEE, gb.FANGSONG, gb.BODY_PT, JUSTIFY)
        self._pstyle(gb.S_BODY, gb.FANGSONG, gb.BODY_PT, JUSTIFY, first_line=2)
        self._pstyle(gb.S_H1, gb.HEI, gb.BODY_PT, JUSTIFY, first_line=2, keep_next=True)
        self._pstyle(gb.S_H2, gb.KAI, gb.BODY_PT, JUSTIFY, first_line=2, keep_next=True)
        self._pstyle(gb.S_H3, gb.FANGSONG, gb.BODY_PT, JUSTIFY, first_line=2)
        self._pstyle(gb.S_H4, gb.FANGSONG, gb.BODY_PT, JUSTIFY, first_line=2)
        # 附件：1.名称 two characters in; further names aligned under the first one's number
        self._pstyle(gb.S_ATTACH_NOTE, gb.FANGSONG, gb.BODY_PT, LEFT, left=2)
        self._pstyle(gb.S_ATTACH_NOTE_MORE, gb.FANGSONG, gb.BODY_PT, LEFT, left=5)
        # signature and date: right aligned; documents.py sets the right indents from their lengths (§7.3.5.2)
        self._pstyle(gb.S_SIGNATURE, gb.FANGSONG, gb.BODY_PT, RIGHT, right=2, keep_next=True)
        self._pstyle(gb.S_DATE, gb.FANGSONG, gb.BODY_PT, RIGHT, right=2)
        self._pstyle(gb.S_CLOSING, gb.FANGSONG, gb.CLOSING_PT, LEFT, left=1, right=1, line=PITCH_PT)
        self._pstyle(gb.S_PAGE_NO, gb.SONG, gb.PAGE_NO_PT, RIGHT, latin=gb.SONG, line=gb.PAGE_NO_PT * 1.2)
        self._pstyle(gb.S_TABLE, gb.FANGSONG, gb.TABLE_PT, CENTER, line=gb.TABLE_PT * 1.5)
        self._pstyle(gb.S_TABLE_HEAD, gb.HEI, gb.TABLE_PT, CENTER, line=gb.TABLE_PT * 1.5)
        self._pstyle(gb.S_ATTACH_MARK, gb.HEI, gb.BODY_PT, LEFT)
        self._pstyle(gb.S_ATTACH_TITLE, gb.XIAOBIAOSONG, gb.TITLE_PT, CENTER, line=PITCH_PT * 1.25,
                     latin=gb.XIAOBIAOSONG, before=PITCH_PT, after=PITCH_PT)
        cs = self.doc.styles.add_style(gb.S_BODY_CHARS, WD_STYLE_TYPE.CHARACTER)
        _set_fonts(cs.element.get_or_add_rPr(), gb.FANGSONG)

    # -- footers: — 1 — in 4号 宋体, right on odd pages and left on even pages, one character in ----------
    def _page_number(self, footer: Any, align: Any) -> None:
        p = footer.paragraphs[0]
        p.style = self.doc.styles[gb.S_PAGE_NO]
        p.alignment = align
        pf = p.paragraph_format
        if align == RIGHT:
            pf.right_indent = Pt(gb.PAGE_NO_PT)
        else:
            pf.left_indent = Pt(gb.PAGE_NO_PT)
        p.add_run("— ")
        r = p.add_run()
        r._r.append(_el("w:fldChar", fldCharType="begin"))
        r = p.add_run()
        instr = _el("w:instrText")
        instr.text = " PAGE "
        instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r._r.append(instr)
        r = p.add_run()
        r._r.append(_el("w:fldChar", fldCharType="separate"))
        p.add_run("1")
        r = p.add_run()
        r._r.append(_el("w:fldChar", fldCharType="end"))
        p.add_run(" —")

    def _footers(self) -> None:
        s = self.doc.sections[0]
        s.footer.is_linked_to_previous = False
        self._page_number(s.footer, RIGHT)
        s.even_page_footer.is_linked_to_previous = False
        self._page_number(s.even_page_footer, LEFT)
        if self.letter:
            # 信函格式: no page number on page 1; a red double line (thin over thick), 170 mm wide, 20 mm above
            # the page edge
            s.first_page_footer.is_linked_to_previous = False
            p = s.first_page_footer.paragraphs[0]
            p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(-7)
            p.paragraph_format.line_spacing = Pt(2)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            _border(p._p.get_or_add_pPr(), "top", "thinThickSmallGap", 24, 0)

    def _properties(self, title: str) -> None:
        cp = self.doc.core_properties
        cp.title = title
        cp.author = cp.last_modified_by = "上海市质量协会"
        cp.comments = cp.keywords = cp.subject = ""
        cp.created = cp.modified = FIXED_TIME
        cp.revision = 1
        rels = self.doc.part.package.rels
        for rid, rel in list(rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                rels.pop(rid)

    # -- content ----------------------------------------------------------------------------------------
    def para(self, style: str, *runs: str | tuple[str, str]) -> Any:
        """A paragraph of the style; a run is text, or (text, character style)."""
        p = self.doc.add_paragraph(style=self.doc.styles[style])
        for run in runs:
            if isinstance(run, tuple):
                p.add_run(run[0], style=self.doc.styles[run[1]])
            else:
                p.add_run(run)
        return p

    def tag(self, text: str) -> None:
        """A paragraph holding only a docxtpl {%p %} tag (removed when rendered)."""
        self.doc.add_paragraph(text, style=self.doc.styles["Normal"])

    def table(self, widths_mm: list[float], header: list[str] | None, cells: list[str], row_tag: tuple[str, str],
              head_tag: tuple[str, str] | None = None) -> Any:
        """A bordered table: an optional header row (repeated on each page) and one looped data row."""
        rows = (1 if header or head_tag else 0) + 3
        cols = len(widths_mm)
        t = self.doc.add_table(rows=rows, cols=cols)
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        tblpr = t._tbl.tblPr
        borders = _el("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(_el(f"w:{side}", val="single", sz="4", space="0", color="000000"))
        tblpr.append(borders)
        for row in t.rows:
            for c, w in zip(row.cells, widths_mm, strict=False):
                c.width = Mm(w)
        for col, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=False):
            col.set(qn("w:w"), str(round(w / 25.4 * 1440)))
        r0 = 0
        if header or head_tag:
            hdr = t.rows[0]
            trpr = hdr._tr.get_or_add_trPr()
            trpr.append(_el("w:tblHeader"))
            trpr.append(_el("w:cantSplit"))
            if head_tag:
                self._cell(hdr.cells[0], head_tag[0], gb.S_TABLE_HEAD)
                self._cell(hdr.cells[1], "{{ h }}", gb.S_TABLE_HEAD)
                self._cell(hdr.cells[2], head_tag[1], gb.S_TABLE_HEAD)
            else:
                for c, text in zip(hdr.cells, header or [], strict=False):
                    self._cell(c, text, gb.S_TABLE_HEAD)
            r0 = 1
        self._cell(t.rows[r0].cells[0], row_tag[0], gb.S_TABLE)
        for c, text in zip(t.rows[r0 + 1].cells, cells, strict=False):
            self._cell(c, text, gb.S_TABLE)
        t.rows[r0 + 1]._tr.get_or_add_trPr().append(_el("w:cantSplit"))
        self._cell(t.rows[r0 + 2].cells[0], row_tag[1], gb.S_TABLE)
        return t

    def _cell(self, cell: Any, text: str, style: str) -> None:
        p = cell.paragraphs[0]
        p.style = self.doc.styles[style]
        p.add_run(text)
        tcpr = cell._tc.get_or_add_tcPr()
        tcpr.append(_el("w:vAlign", val="center"))

    def closing(self) -> None:
        """版记 after the date: a full-width table, thick rules first and last, a thin rule between 抄送 and
        印发机关/印发日期. (GB/T 9704 puts it at the foot of the last page; LibreOffice 7.4 places neither a
        floating table nor a framed paragraph there, so it follows the text.)"""
        t = self.doc.add_table(rows=4, cols=2)
        t.autofit = False
        tblpr = t._tbl.tblPr
        cell_mar = _el("w:tblCellMar")
        for side in ("left", "right"):
            cell_mar.append(_el(f"w:{side}", w="0", type="dxa"))
        tblpr.append(cell_mar)
        half = (gb.PAGE_W_MM - gb.LEFT_MM - gb.RIGHT_MM) / 2
        tblw = tblpr.find(qn("w:tblW"))
        tblw.set(qn("w:type"), "dxa")
        tblw.set(qn("w:w"), str(round(2 * half / 25.4 * 1440)))
        for row in t.rows:
            for c in row.cells:
                c.width = Mm(half)
        rows = t.rows
        # row 0: {%tr if cc %}; row 1: 抄送 (merged); row 2: {%tr endif %}; row 3: 印发机关 | 印发日期印发
        rows[0].cells[0].paragraphs[0].add_run("{%tr if cc %}")
        cc = rows[1].cells[0].merge(rows[1].cells[1])
        p = cc.paragraphs[0]
        p.style = self.doc.styles[gb.S_CLOSING]
        p.paragraph_format.left_indent = _chars(4)
        p.paragraph_format.first_line_indent = -_chars(3)  # wrapped names align after 抄送：
        p.add_run("抄送：{{ cc }}")
        rows[2].cells[0].paragraphs[0].add_run("{%tr endif %}")
        left, right = rows[3].cells
        left.paragraphs[0].style = self.doc.styles[gb.S_CLOSING]
        left.paragraphs[0].add_run("{{ printed_by }}")
        right.paragraphs[0].style = self.doc.styles[gb.S_CLOSING]
        right.paragraphs[0].alignment = RIGHT
        right.paragraphs[0].add_run("{{ printed_date }}印发")
        thick, thin = "8", "4"  # 0.35 mm ~ 1 pt; 0.25 mm ~ 0.5 pt (eighths of a point)
        for cell, top, bottom in ((cc, thick, thin), (left, thin, thick), (right, thin, thick)):
            b = _el("w:tcBorders")
            b.append(_el("w:top", val="single", sz=top, space="0", color="000000"))
            b.append(_el("w:bottom", val="single", sz=bottom, space="0", color="000000"))
            cell._tc.get_or_add_tcPr().append(b)
        # with no 抄送 line, the 印发 row carries the thick top rule itself
        for cell in (left, right):
            cell._tc.tcPr.find(qn("w:tcBorders")).find(qn("w:top")).set(qn("w:sz"), "{{ '4' if cc else '8' }}")
        # no paragraph after it: LibreOffice 7.4 pushes even a 1 pt paragraph after a page-broken attachment onto
        # a page of its own; Word adds its end-of-document mark by itself

    def save(self, name: str) -> Path:
        """Write the template byte-reproducibly."""
        return save_docx_reproducible(self.doc, OUT / name)


def signature(b: Builder) -> None:
    """A blank line, the issuer's name and the date (both right aligned; indents set when rendering)."""
    b.para(gb.S_BODY)
    b.para(gb.S_SIGNATURE, "{{ issuer }}")
    b.para(gb.S_DATE, "{{ date }}")


def head(b: Builder) -> None:
    """版头: the red issuer mark, the number and the red rule; then the title and the addressee."""
    b.para(gb.S_MARK, "{{ issuer }}")
    b.para(gb.S_NUMBER, "{{ number }}")
    b.para(gb.S_TITLE, "{{ title }}")
    b.para(gb.S_ADDRESSEE, "{{ addressee }}")


def attachment_note(b: Builder) -> None:
    """附件：1.名称, further names aligned under the first; one blank line above."""
    b.tag("{%p if attachments %}")
    b.para(gb.S_BODY)
    b.tag("{%p endif %}")
    b.tag("{%p for a in attachments %}")
    b.tag("{%p if loop.first %}")
    b.para(gb.S_ATTACH_NOTE, "附件：{{ a }}")
    b.tag("{%p else %}")
    b.para(gb.S_ATTACH_NOTE_MORE, "{{ a }}")
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")


def notice() -> Path:
    """notice.docx: the body is a loop over blocks, one paragraph style per heading level."""
    b = Builder("通知")
    head(b)
    b.tag("{%p for b in blocks %}")
    b.tag("{%p if b.kind == 'heading' and b.level == 1 %}")
    b.para(gb.S_H1, "{{ b.head }}", ("{{ b.rest }}", gb.S_BODY_CHARS))
    b.tag("{%p elif b.kind == 'heading' and b.level == 2 %}")
    b.para(gb.S_H2, "{{ b.head }}", ("{{ b.rest }}", gb.S_BODY_CHARS))
    b.tag("{%p elif b.kind == 'heading' and b.level == 3 %}")
    b.para(gb.S_H3, "{{ b.text }}")
    b.tag("{%p elif b.kind == 'heading' %}")
    b.para(gb.S_H4, "{{ b.text }}")
    b.tag("{%p elif b.kind == 'table' %}")
    # rows: {%tr for %} / the header cells / {%tr endfor %} / {%tr for %} / the data cells / {%tr endfor %};
    # each row's cells loop with {%tc for cell in row %} so a table may have any number of columns
    t = b.doc.add_table(rows=6, cols=3)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{side}", val="single", sz="4", space="0", color="000000"))
    t._tbl.tblPr.append(borders)
    for n, tag in ((0, "{%tr for row in b.rows[:1] %}"), (2, "{%tr endfor %}"), (3, "{%tr for row in b.rows[1:] %}"),
                   (5, "{%tr endfor %}")):
        t.rows[n].cells[0].paragraphs[0].add_run(tag)
    for n, style in ((1, gb.S_TABLE_HEAD), (4, gb.S_TABLE)):
        for c, text in zip(t.rows[n].cells, ("{%tc for cell in row %}", "{{ cell }}", "{%tc endfor %}"), strict=False):
            c.paragraphs[0].style = b.doc.styles[style]
            c.paragraphs[0].add_run(text)
            c._tc.get_or_add_tcPr().append(_el("w:vAlign", val="center"))
    t.rows[1]._tr.get_or_add_trPr().append(_el("w:tblHeader"))
    b.tag("{%p else %}")
    b.para(gb.S_BODY, "{{ b.text }}")
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")
    attachment_note(b)
    signature(b)
    b.closing()
    return b.save("notice.docx")


def letter() -> Path:
    """letter.docx (信函格式): red issuer mark over a red double line, the number flush right, no page number
    on page 1; an acceptance or a return letter listing every error with where to fix it."""
    b = Builder("受理或退回补正通知", letter=True)
    mark = b.para(gb.S_MARK, "{{ issuer }}")
    pf = mark.paragraph_format
    pf.left_indent = pf.right_indent = Mm(-7)  # the double line is 170 mm long, centred
    _border(mark._p.get_or_add_pPr(), "bottom", "thickThinSmallGap", 24, 11)
    b.para(gb.S_NUMBER_LETTER, "{{ number }}")
    b.para(gb.S_TITLE, "{{ title }}")
    b.para(gb.S_ADDRESSEE, "{{ addressee }}")
    b.tag("{%p if accepted %}")
    b.para(gb.S_BODY, "你单位申报的{{ project }}（登记号：{{ registration }}，申报文件：{{ file_name }}）已收到。"
                      "经形式审查，申报材料符合要求，予以受理，该项目将进入专家评审。")
    b.tag("{%p else %}")
    b.para(gb.S_BODY, "你单位申报的{{ project }}（登记号：{{ registration }}，申报文件：{{ file_name }}）已收到。"
                      "经形式审查，申报材料有以下{{ error_count }}处问题，现予退回。{{ request }}")
    b.tag("{%p for e in errors %}")
    b.para(gb.S_BODY, "{{ e.n }}.{{ e.message }}。{% if e.where %}修改位置：{{ e.where }}。{% endif %}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")
    b.tag("{%p if warnings %}")
    b.para(gb.S_BODY, "另有以下{{ warning_count }}处内容建议完善（不影响受理）：")
    b.tag("{%p for w in warnings %}")
    b.para(gb.S_BODY, "（{{ w.n }}）{{ w.message }}。{% if w.where %}位置：{{ w.where }}。{% endif %}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")
    b.para(gb.S_BODY, "特此通知。")
    signature(b)
    return b.save("letter.docx")


def decision() -> Path:
    """decision.docx: the award decision; its attachment is the winners table grouped by level."""
    b = Builder("表彰决定")
    head(b)
    b.tag("{%p for text in body %}")
    b.para(gb.S_BODY, "{{ text }}")
    b.tag("{%p endfor %}")
    b.para(gb.S_BODY)
    b.para(gb.S_ATTACH_NOTE, "附件：{{ attachment }}")
    signature(b)
    brk = b.para(gb.S_ATTACH_MARK, "附件")
    brk.paragraph_format.page_break_before = True
    b.para(gb.S_ATTACH_TITLE, "{{ attachment_title }}")
    b.tag("{%p for g in groups %}")
    # a level's heading stays with its table (keep with next; the header row keeps with the first winner) and
    # stands a line clear of the table above
    level = b.para(gb.S_ATTACH_MARK, "{{ g.name }}（{{ g.count }}项）")
    level.paragraph_format.keep_with_next = True
    level.paragraph_format.space_before = Pt(PITCH_PT)
    t = b.table([14, 52, 50, 40], ["序号", "项目名称", "完成单位", "主要完成人"],
                ["{{ w.serial }}", "{{ w.project }}", "{{ w.units }}", "{{ w.persons }}"],
                ("{%tr for w in g.winners %}", "{%tr endfor %}"))
    for c in t.rows[0].cells:
        c.paragraphs[0].paragraph_format.keep_with_next = True
    b.tag("{%p endfor %}")
    b.para(gb.S_BODY)  # keeps the 版记 table apart from the last winners table
    b.closing()
    return b.save("decision.docx")


def publicity() -> Path:
    """publicity.docx: the 公示 of the proposed winners; its attachment is one table of them, ordered by level, with
    the proposed level in its last column."""
    b = Builder("公示")
    head(b)
    b.tag("{%p for text in body %}")
    b.para(gb.S_BODY, "{{ text }}")
    b.tag("{%p endfor %}")
    b.para(gb.S_BODY)
    b.para(gb.S_ATTACH_NOTE, "附件：{{ attachment }}")
    signature(b)
    brk = b.para(gb.S_ATTACH_MARK, "附件")
    brk.paragraph_format.page_break_before = True
    b.para(gb.S_ATTACH_TITLE, "{{ attachment_title }}")
    t = b.table([14, 38, 44, 42, 18], ["序号", "项目名称", "完成单位", "主要完成人", "拟奖\n等级"],
                ["{{ w.n }}", "{{ w.project }}", "{{ w.units }}", "{{ w.persons }}", "{{ w.level }}"],
                ("{%tr for w in winners %}", "{%tr endfor %}"))
    for c in t.rows[0].cells:
        c.paragraphs[0].paragraph_format.keep_with_next = True
    b.para(gb.S_BODY)  # keeps the 版记 table apart from the winners table
    b.closing()
    return b.save("publicity.docx")


if __name__ == "__main__":
    for made in (notice(), letter(), decision(), publicity()):
        print(made.relative_to(ROOT))
