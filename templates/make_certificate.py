"""Write the certificate template templates/default/certificate.docx (A4 landscape, staff can edit it in Word).

    python templates/make_certificate.py

docxtpl variables (pipeline.render.certificates passes them): number, salutation, body, signer, date, seal (a
flag: the seal picture is shown when the run has a seal; pipeline.render.certificates swaps in the staff's
picture). Also available: name, project, level_name, kind_name, text (the whole wording). The fonts keep their
official names (方正小标宋简体, 楷体_GB2312, 宋体) so that the .docx prints right on an office PC; our fonts.conf maps
them to free faces for the PDF.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.fileio import save_docx_reproducible  # noqa: E402

TARGET = ROOT / "templates" / "default" / "certificate.docx"
SEAL = ROOT / "samples" / "assets" / "seal-sample.png"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "楷体_GB2312"
NUMBER_FONT = "宋体"
RED = RGBColor(0xC0, 0x00, 0x00)
BORDER = "B8860B"            # dark gold
MARGIN_LR = Mm(30)
TEXT_WIDTH_MM = 297 - 2 * 30
SIGN_BOX_MM = 80             # signer and date are centred in a box this wide at the right of the text block
SIGN_RIGHT_MM = 12           # the box's distance from the right margin
SEAL_MM = 42                 # a round seal of 42 mm, the usual size of an association's seal
BODY_PT = 22                 # 二号
SIGN_BEFORE_PT = 30
LINE_PT = BODY_PT * 1.6      # exact line height of the wording


def _fonts(run: Any, name: str) -> None:
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _run(p: Any, text: str, font: str, size: float, *, bold: bool = False, color: RGBColor | None = None,
         spacing_pt: float | None = None) -> Any:
    r = p.add_run(text)
    _fonts(r, font)
    r.font.size = Pt(size)
    r.font.bold = bold
    if color is not None:
        r.font.color.rgb = color
    if spacing_pt is not None:
        el = OxmlElement("w:spacing")
        el.set(qn("w:val"), str(round(spacing_pt * 20)))
        r._r.get_or_add_rPr().append(el)
    return r


def _para(doc: Any, align: WD_ALIGN_PARAGRAPH, *, before: float = 0, after: float = 0, line: float | None = None,
          left_mm: float = 0, right_mm: float = 0) -> Any:
    p = doc.add_paragraph()
    f = p.paragraph_format
    f.alignment = align
    f.space_before = Pt(before)
    f.space_after = Pt(after)
    if line is not None:
        f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        f.line_spacing = Pt(line)
    if left_mm:
        f.left_indent = Mm(left_mm)
    if right_mm:
        f.right_indent = Mm(right_mm)
    return p


def _page(doc: Any) -> None:
    s = doc.sections[0]
    s.orientation = WD_ORIENT.LANDSCAPE
    s.page_width, s.page_height = Mm(297), Mm(210)
    s.left_margin = s.right_margin = MARGIN_LR
    s.top_margin, s.bottom_margin = Mm(20), Mm(16)
    s.header_distance = s.footer_distance = Mm(10)
    # A double gold frame measured from the page edge: prints inside any printer's unprintable edge.
    edges = "".join(f'<w:{side} w:val="thinThickMediumGap" w:sz="36" w:space="22" w:color="{BORDER}"/>'
                    for side in ("top", "left", "bottom", "right"))
    borders = parse_xml(f'<w:pgBorders xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                        f'w:offsetFrom="page">{edges}</w:pgBorders>')
    sect = s._sectPr
    sect.insert_element_before(borders, "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt", "w:vAlign",
                               "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter",
                               "w:docGrid", "w:printerSettings", "w:sectPrChange")


def _defaults(doc: Any) -> None:
    """Every style falls back to 宋体, so no run ever asks LibreOffice for an unmapped (Latin) face."""
    normal = doc.styles["Normal"]
    _fonts_style = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for key in list(_fonts_style.attrib):
        del _fonts_style.attrib[key]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        _fonts_style.set(qn(attr), NUMBER_FONT)
    normal.font.size = Pt(12)
    rpr_default = doc.styles.element.find(qn("w:docDefaults"))
    if rpr_default is not None:
        fonts = rpr_default.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            for key in list(fonts.attrib):
                del fonts.attrib[key]
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attr), NUMBER_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)


def _floating(inline: Any, x_mm: float, y_mm: float) -> Any:
    """Turn an inline picture into one floating in front of the text at (x from the margin, y from the paragraph):
    a seal is stamped over the signer's name and the date."""
    emu = 36000
    extent = inline.find(qn("wp:extent"))
    doc_pr = inline.find(qn("wp:docPr"))
    graphic = inline.find(qn("a:graphic"))
    anchor = parse_xml(
        '<wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659264" behindDoc="0" '
        'locked="1" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="margin"><wp:posOffset>{round(x_mm * emu)}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>{round(y_mm * emu)}</wp:posOffset></wp:positionV>'
        '</wp:anchor>')
    anchor.append(extent)
    effect = OxmlElement("wp:effectExtent")
    for k in ("l", "t", "r", "b"):
        effect.set(k, "0")
    anchor.append(effect)
    anchor.append(OxmlElement("wp:wrapNone"))
    doc_pr.set("name", "印章 seal")
    doc_pr.set("descr", "印章图片：由工作人员提供的印章图片替换 / the seal picture, replaced by the one staff provide")
    anchor.append(doc_pr)
    anchor.append(OxmlElement("wp:cNvGraphicFramePr"))
    anchor.append(graphic)
    inline.getparent().replace(inline, anchor)
    return anchor


def build() -> Any:
    """The certificate template as a python-docx Document."""
    doc = Document()
    _page(doc)
    _defaults(doc)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)

    p = _para(doc, WD_ALIGN_PARAGRAPH.RIGHT)
    _run(p, "证书编号：{{ number }}", NUMBER_FONT, 12)

    p = _para(doc, WD_ALIGN_PARAGRAPH.CENTER, before=14, after=24)
    _run(p, "荣誉证书", TITLE_FONT, 54, color=RED, spacing_pt=18)

    p = _para(doc, WD_ALIGN_PARAGRAPH.LEFT, line=LINE_PT)
    _run(p, "{{ salutation }}", BODY_FONT, BODY_PT)

    p = _para(doc, WD_ALIGN_PARAGRAPH.JUSTIFY, line=LINE_PT)
    p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    ind = p._p.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), "200")
    _run(p, "{{ body }}", BODY_FONT, BODY_PT)

    sign_left = TEXT_WIDTH_MM - SIGN_RIGHT_MM - SIGN_BOX_MM
    p = _para(doc, WD_ALIGN_PARAGRAPH.CENTER, before=SIGN_BEFORE_PT, line=BODY_PT * 1.6, left_mm=sign_left,
              right_mm=SIGN_RIGHT_MM)
    p.paragraph_format.keep_with_next = True
    _run(p, "{%r if seal %}", BODY_FONT, BODY_PT)
    pic = p.add_run()
    pic.add_picture(str(SEAL), width=Mm(SEAL_MM), height=Mm(SEAL_MM))
    # The seal's centre sits between the signer's line and the date's, over the middle of both (the paragraph's
    # top, which the vertical offset counts from, is above its space-before).
    pt_mm = 25.4 / 72
    _floating(pic._r.find(f"{qn('w:drawing')}/{qn('wp:inline')}"),
              sign_left + (SIGN_BOX_MM - SEAL_MM) / 2, (SIGN_BEFORE_PT + BODY_PT * 1.6) * pt_mm - SEAL_MM / 2)
    _run(p, "{%r endif %}", BODY_FONT, BODY_PT)
    _run(p, "{{ signer }}", BODY_FONT, BODY_PT)

    p = _para(doc, WD_ALIGN_PARAGRAPH.CENTER, line=BODY_PT * 1.6, left_mm=sign_left, right_mm=SIGN_RIGHT_MM)
    _run(p, "{{ date }}", BODY_FONT, BODY_PT)

    cp = doc.core_properties
    cp.title = "荣誉证书（模板）"
    cp.subject = "上海市质量协会质量技术奖"
    cp.author = cp.last_modified_by = "上海市质量协会"
    cp.category = "证书模板"
    cp.comments = "docxtpl 模板：双花括号中的变量由程序填入，版式与文字可在 Word 中修改。"
    cp.created = cp.modified = dt.datetime(2021, 12, 1)
    cp.revision = 1
    # python-docx's default template carries a thumbnail of some other document: drop it.
    rels = doc.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            rels.pop(rid)
    _slim(doc)
    return doc


KEEP_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList"}


def _slim(doc: Any) -> None:
    """Drop what the default python-docx template carries and a certificate never uses (Word 2010 style effects,
    numbering, custom XML, 800 KB of latent and unused styles): every certificate .docx is a copy of these parts,
    and hundreds are written per run."""
    styles = doc.styles.element
    for el in list(styles):
        if el.tag == qn("w:latentStyles") or (el.tag == qn("w:style") and el.get(qn("w:styleId")) not in KEEP_STYLES):
            styles.remove(el)
    rels = doc.part.rels
    for rid, rel in list(rels.items()):
        if rel.reltype in (RT.NUMBERING, RT.CUSTOM_XML, RT.WEB_SETTINGS) or rel.reltype.endswith("/stylesWithEffects"):
            rels.pop(rid)


if __name__ == "__main__":
    save_docx_reproducible(build(), TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)}")
