"""Build templates/default/scoring-form.docx, the printable expert scoring form, reproducibly.

Run: .venv/bin/python templates/make_review_templates.py. Staff may edit the .docx in Word afterwards; the
variables it may use are the ones pipeline.render.review_docs.scoring_form_context passes:
award, title, reg_no, project, applicant, category, industry, period, units, persons, criteria (label, max,
guidance), total_max, step, comment_max, organiser.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips
from docx.table import Table, _Cell

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.fileio import save_docx_reproducible  # noqa: E402
from pipeline.render.form import HEI, LATIN, SONG, _set_fonts, _shade, _table_borders  # noqa: E402

OUT = ROOT / "templates" / "default" / "scoring-form.docx"
TEXT_WIDTH_TW = round((21.0 - 2 * 1.8) / 2.54 * 1440)  # A4, 1.8 cm side margins
CELL_PT = 10.5  # 五号
SMALL_PT = 9.0  # 小五
GUIDANCE_PT = 8.0  # the rubric's guidance: small, so the form fits one A4 page


def _para(cell_or_doc: object, text: str = "", *, size: float = CELL_PT, bold: bool = False, font: str = SONG,
          align: int | None = None, first: bool = False) -> object:
    p = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        p.alignment = align
    if text:
        r = p.add_run(text)
        _set_fonts(r._r.get_or_add_rPr(), font, LATIN)
        r.font.size = Pt(size)
        r.font.bold = bold
    return p


def _cell(cell: _Cell, text: str, *, size: float = CELL_PT, bold: bool = False, font: str = SONG,
          align: int | None = WD_ALIGN_PARAGRAPH.LEFT, shade: bool = False) -> None:
    _para(cell, text, size=size, bold=bold, font=font, align=align, first=True)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if shade:
        _shade(cell)


def _table(doc: object, widths: list[int]) -> Table:
    t: Table = doc.add_table(rows=0, cols=len(widths))  # type: ignore[attr-defined]
    t.autofit = False
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, w in zip(t.columns, widths, strict=True):
        col.width = Twips(w)
    _table_borders(t)
    return t


def _row(t: Table, widths: list[int], height_cm: float | None = None) -> list[_Cell]:
    row = t.add_row()
    if height_cm:
        row.height = Cm(height_cm)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    cells = list(row.cells)
    for c, w in zip(cells, widths, strict=True):
        c.width = Twips(w)
    return cells


def build() -> object:
    """The template document."""
    d = docx.Document()
    sec = d.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(1.8)
    sec.top_margin, sec.bottom_margin = Cm(1.5), Cm(1.2)
    normal = d.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), SONG)
    normal.font.size = Pt(CELL_PT)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    lang = d.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")

    _para(d, "{{ award }}", size=14, font=HEI, align=WD_ALIGN_PARAGRAPH.CENTER)
    p = _para(d, "{{ title }}", size=18, bold=True, font=HEI, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.space_after = Pt(8)  # type: ignore[attr-defined]

    # project details
    w = [1800, 3200, 1500, TEXT_WIDTH_TW - 6500]
    t = _table(d, w)
    for cells, pairs in (
        (_row(t, w, 0.7), [("登记号", "{{ reg_no }}"), ("项目类别", "{{ category }}")]),
        (_row(t, w, 0.7), [("所属领域", "{{ industry }}"), ("起止时间", "{{ period }}")]),
    ):
        for n, (label, value) in enumerate(pairs):
            _cell(cells[2 * n], label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, shade=True)
            _cell(cells[2 * n + 1], value)
    for label, value in (("项目名称", "{{ project }}"), ("申报单位", "{{ applicant }}"),
                         ("完成单位", "{{ units }}"), ("主要完成人", "{{ persons }}")):
        cells = _row(t, w, 0.7)
        _cell(cells[0], label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, shade=True)
        merged = cells[1].merge(cells[3])
        _cell(merged, value)

    _para(d, "", size=6)
    _para(d, "评分标准与得分（每项以{{ step }}分为最小单位，不得超过该项满分）", size=CELL_PT, bold=True, font=HEI)
    w2 = [1500, TEXT_WIDTH_TW - 1500 - 800 - 1200, 800, 1200]
    t2 = _table(d, w2)
    head = _row(t2, w2, 0.8)
    for c, text in zip(head, ("评分项", "评分要点", "满分", "得分"), strict=True):
        _cell(c, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, shade=True, font=HEI)
    tr = t2.rows[0]._tr
    trpr = tr.get_or_add_trPr()
    header = trpr.makeelement(qn("w:tblHeader"), {})
    trpr.append(header)
    loop_open = _row(t2, w2)
    _cell(loop_open[0], "{%tr for c in criteria %}")
    body = _row(t2, w2)
    _cell(body[0], "{{ c.label }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell(body[1], "{{ c.guidance }}", size=GUIDANCE_PT)
    _cell(body[2], "{{ c.max }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell(body[3], "")
    loop_close = _row(t2, w2)
    _cell(loop_close[0], "{%tr endfor %}")
    total = _row(t2, w2, 0.9)
    _cell(total[0], "合计", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEI)
    _cell(total[1], "各项得分之和", size=SMALL_PT)
    _cell(total[2], "{{ total_max }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell(total[3], "")

    _para(d, "", size=6)
    w3 = [1700, TEXT_WIDTH_TW - 1700]
    t3 = _table(d, w3)
    for label, value, h in (
        ("否决项", "弄虚作假（申报材料存在虚构、抄袭或数据造假）：　□ 是　　□ 否", 0.8),
        ("回避", "本人与该项目或其完成单位存在利害关系，申请回避：　□ 是　　□ 否", 0.8),
        ("评语", "（不超过{{ comment_max }}字）", 2.4),
    ):
        cells = _row(t3, w3, h)
        _cell(cells[0], label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, shade=True)
        _cell(cells[1], value, size=CELL_PT if label != "评语" else SMALL_PT)
        if label == "评语":
            cells[1].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP

    p = _para(d, "")
    p.paragraph_format.space_before = Pt(4)  # type: ignore[attr-defined]
    _para(d, "评审专家（签名）：＿＿＿＿＿＿＿＿＿＿　　　　日期：＿＿＿＿年＿＿月＿＿日", size=CELL_PT)
    p = _para(d, "说明：选择“否决项·是”的项目将暂停评奖并由{{ organiser }}核查；申请回避的，本表不填分数，"
                 "签名后交回。", size=SMALL_PT)
    p.paragraph_format.space_before = Pt(4)  # type: ignore[attr-defined]

    cp = d.core_properties
    cp.title = "专家评分表"
    cp.author = cp.last_modified_by = "award-pipeline"
    cp.created = cp.modified = dt.datetime(2021, 5, 26)
    cp.revision = 1
    cp.comments = ""
    rels = d.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            rels.pop(rid)
    return d


def main() -> None:
    """Write the template."""
    save_docx_reproducible(build(), OUT)
    print(OUT)


if __name__ == "__main__":
    main()
