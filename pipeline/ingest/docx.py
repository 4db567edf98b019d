"""Read a .docx into a Document: guarded unzip, entity-free XML parsing, tables with merged cells resolved.

Text is read as a person reads the document: tracked changes as if accepted (insertions in, deletions and
moved-away text out, a deleted paragraph mark joining its paragraph to the next, deleted rows and cells gone),
comments ignored, and a check box (content control or legacy form field) as the box its state shows."""

from __future__ import annotations

import io
import lzma
import math
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree

from pipeline.calls.model import FileLimits
from pipeline.ingest.problems import FileProblem
from pipeline.model import Cell, Document, Location, Paragraph, Table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
STRICT_DOC = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
STRICT_W = "http://purl.oclc.org/ooxml/wordprocessingml/main"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


P, TBL, TR, TC, SDT, SDT_CONTENT, T, TAB, BR, CR = (
    _w(x) for x in ("p", "tbl", "tr", "tc", "sdt", "sdtContent", "t", "tab", "br", "cr"))
TC_PR, GRID_SPAN, V_MERGE, CUSTOM_XML, SMART_TAG = (
    _w(x) for x in ("tcPr", "gridSpan", "vMerge", "customXml", "smartTag"))
DRAWING, PICT, OBJECT, NO_BREAK_HYPHEN, SYM = (_w(x) for x in ("drawing", "pict", "object", "noBreakHyphen", "sym"))
VAL = _w("val")
_CONTAINERS = {SDT_CONTENT, CUSTOM_XML, SMART_TAG}
_PICTURES = {DRAWING, PICT, OBJECT}

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
INS, DEL, MOVE_FROM, MOVE_TO, CELL_DEL = (_w(x) for x in ("ins", "del", "moveFrom", "moveTo", "cellDel"))
P_PR, R_PR, TR_PR, SDT_PR, R, R_FONTS = (_w(x) for x in ("pPr", "rPr", "trPr", "sdtPr", "r", "rFonts"))
FLD_CHAR, FF_DATA, FF_CHECKBOX, FF_CHECKED, FF_DEFAULT = (
    _w(x) for x in ("fldChar", "ffData", "checkBox", "checked", "default"))
CC_CHECKBOX, CC_CHECKED, CC_VAL = (f"{{{W14}}}{x}" for x in ("checkbox", "checked", "val"))
# accepting every tracked change removes deleted and moved-away content, and keeps inserted and moved-here content
_REMOVED = {DEL, MOVE_FROM}
_KEPT = {INS, MOVE_TO}
# never text: properties (a w:tab in w:pPr is a tab stop, not a tab), and the fallback copy of a text box that
# mc:AlternateContent holds twice
_NO_TEXT = _REMOVED | {P_PR, R_PR, SDT_PR, MC_FALLBACK}
# what makes a paragraph's text more than its w:t: removals, boxes, symbols, a text box's fallback copy
_SPECIAL = (DEL, MOVE_FROM, MC_FALLBACK, SYM, FLD_CHAR, CC_CHECKBOX)
TABS = _w("tabs")
CHECKED_BOX, UNCHECKED_BOX = "☒", "☐"
# what a symbol font shows for the characters people use as boxes and ticks (Insert > Symbol, or typing R in
# Wingdings 2 for ☑, as forms often advise); codes are the font's 8-bit ones (Word may add 0xF000)
_SYMBOL_FONTS: dict[str, dict[int, str]] = {
    "wingdings": {0x6E: "■", 0x6F: "□", 0x71: "□", 0x72: "□", 0x78: "☒", 0xA8: "□", 0xFB: "✗", 0xFC: "✓",
                  0xFD: "☒", 0xFE: "☑"},
    "wingdings 2": {0x4F: "✗", 0x50: "✓", 0x51: "✗", 0x52: "☑", 0x53: "☒", 0x54: "☒", 0xA2: "■", 0xA3: "□"},
}
_SYMBOL_FONTS_SHOWN = frozenset(c for table in _SYMBOL_FONTS.values() for c in table.values())

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)


# the encoding of an XML part from its first bytes (XML 1.0 Appendix F): a BOM, or "<?" in a 2- or 4-byte unit
_XML_STARTS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
               (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
               (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
               (b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"))


def has_dtd(data: bytes) -> bool:
    """Whether an XML part declares a DTD or entities, read in the encoding its first bytes show (XML 1.0
    Appendix F: a BOM, or "<?" in 2- or 4-byte units), so UTF-16 and UTF-32 parts are checked as UTF-8 ones are."""
    encoding = next((enc for start, enc in _XML_STARTS if data.startswith(start)), None)
    if encoding is None:
        return b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data
    text = data.decode(encoding, errors="replace")
    return "<!DOCTYPE" in text or "<!ENTITY" in text


def _dtd_refused(part: str) -> FileProblem:
    return FileProblem("file.corrupt", part=part, reason_zh="包含实体声明（DTD），已拒绝",
                       reason_en="contains entity declarations (DTD), refused")


def parse_xml(data: bytes, part: str) -> Any:
    """Parse one XML part; a DTD (entity declarations) is refused before parsing, in any encoding, so nothing is
    expanded; a DTD the parser still finds (an encoding the check cannot read) is refused after it."""
    if has_dtd(data):
        raise _dtd_refused(part)
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError, LookupError) as e:  # ValueError/LookupError: unknown encodings
        if getattr(e, "code", None) == etree.ErrorTypes.ERR_NO_MEMORY:
            # libxml2 reports running out of memory as a syntax error: it is the file's size, not damage, that
            # stopped it (under the worker's memory limit: file.too_complex, not file.corrupt)
            raise MemoryError(part) from None
        raise FileProblem("file.corrupt", part=part, reason_zh="其中的 XML 内容已损坏",
                          reason_en=f"damaged XML ({_short(e)})") from None
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.doctype:
        raise _dtd_refused(part)
    return root


def _short(e: Exception) -> str:
    """The parser's own words about an error, one line, short."""
    msg = getattr(e, "msg", None) or str(e) or type(e).__name__
    return " ".join(str(msg).split())[:120]


class SafeZip:
    """A zip archive read within limits: entry count, total uncompressed size, compression ratio."""

    def __init__(self, data: bytes, limits: FileLimits) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        # RuntimeError covers zipfile's error for an unknown compression method (a subclass of it)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
            raise FileProblem("file.corrupt", part="zip", reason_zh="压缩包损坏",
                              reason_en="damaged zip archive") from None
        self.max_total = limits.max_unzipped_bytes
        max_ratio = limits.max_zip_ratio
        if len(infos) > limits.max_zip_entries:
            raise FileProblem("file.too_large", reason_zh=f"文件内部包含{len(infos)}个部件，数量过多",
                              reason_en=f"too many entries in the archive ({len(infos)})")
        total = sum(i.file_size for i in infos)
        if total > self.max_total:
            raise FileProblem("file.too_large", reason_zh=f"解压后达{total // 2**20} MB，超过安全上限",
                              reason_en=f"expands to {total // 2**20} MB")
        for i in infos:
            if i.file_size > 2**20 and i.file_size > max_ratio * max(i.compress_size, 1):
                raise FileProblem("file.too_large", reason_zh=f"其中“{i.filename}”的压缩比异常，疑似恶意构造的文件",
                                  reason_en=f"abnormal compression ratio ({i.filename}), a zip bomb")
        for i in infos:
            # zipfile cuts a name at a NUL; the name it gives is not the one in the archive
            if "\x00" in i.orig_filename:
                raise FileProblem("file.corrupt", part="zip", reason_zh="文件内部的部件名含空字符",
                                  reason_en="a name in the archive contains a NUL character")
        self.names = {i.filename for i in infos}
        self.read_so_far = 0

    def read(self, name: str) -> bytes | None:
        """An entry's bytes, never more than the declared limits (headers can lie), or None if absent."""
        if name not in self.names:
            return None
        budget = self.max_total - self.read_so_far
        try:
            with self.zf.open(name) as fh:
                data = fh.read(budget + 1)
        # zlib.error and LZMAError: a damaged compressed stream; RuntimeError: an unsupported method or encryption
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, zlib.error, lzma.LZMAError):
            raise FileProblem("file.corrupt", part=name, reason_zh="压缩数据损坏",
                              reason_en="damaged compressed data") from None
        if len(data) > budget:
            raise FileProblem("file.too_large", reason_zh="解压后超过安全上限",
                              reason_en="expands beyond the safe limit")
        self.read_so_far += len(data)
        return data


def main_part(z: SafeZip) -> str:
    """The main document part named by the package relationships (not always word/document.xml)."""
    rels = z.read("_rels/.rels")
    if rels is not None:
        root = parse_xml(rels, "_rels/.rels")
        for rel in root.iter(f"{{{R_NS}}}Relationship"):
            if rel.get("Type") in (OFFICE_DOC, STRICT_DOC):
                target = (rel.get("Target") or "").lstrip("/")
                target = posixpath.normpath(target)
                if target in z.names:
                    return target
    if "word/document.xml" in z.names:
        return "word/document.xml"
    raise FileProblem("file.unsupported_type", reason_zh="这是一个压缩包，其中没有 Word 正文",
                      reason_en="no Word main document in the package")


def iter_body(container: Any) -> Iterator[Any]:
    """Paragraphs and tables of a body or cell in reading order, descending into content controls and tracked
    insertions; content deleted or moved away with tracked changes is left out."""
    for child in container:
        tag = child.tag
        if tag in (P, TBL):
            yield child
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from iter_body(content)
        elif tag in _CONTAINERS or tag in _KEPT:
            yield from iter_body(child)


def _on(el: Any | None, attr: str = VAL) -> bool:
    """An on/off property element: absent is off; present is on unless its value says 0, false or off."""
    return el is not None and (el.get(attr) or "1").strip().lower() not in ("0", "false", "off")


def _props(el: Any, tag: str) -> Any | None:
    """An element's properties child, which the schema puts first (a row's after its optional w:tblPrEx)."""
    for child in el[:2]:
        if child.tag == tag:
            return child
    return None


def row_deleted(tr: Any) -> bool:
    """Whether a row was deleted with tracked changes (w:trPr/w:del)."""
    pr = _props(tr, TR_PR)
    return pr is not None and pr.find(DEL) is not None


def cell_deleted(tc: Any) -> bool:
    """Whether a cell was deleted with tracked changes (w:tcPr/w:cellDel)."""
    pr = _props(tc, TC_PR)
    return pr is not None and pr.find(CELL_DEL) is not None


def mark_deleted(p: Any) -> bool:
    """Whether a paragraph's mark was deleted (or moved away) with tracked changes: it joins the next paragraph."""
    p_pr = _props(p, P_PR)
    r_pr = p_pr.find(R_PR) if p_pr is not None else None
    return r_pr is not None and (r_pr.find(DEL) is not None or r_pr.find(MOVE_FROM) is not None)


def iter_rows(tbl: Any, tracked: bool = True) -> Iterator[Any]:
    """The rows of a table, through content controls around rows; rows deleted with tracked changes left out
    (tracked=False: the document has no tracked removals, nothing to look for)."""
    for child in tbl:
        if child.tag == TR:
            if not (tracked and row_deleted(child)):
                yield child
        elif child.tag == SDT or child.tag in _CONTAINERS:
            content = child.find(SDT_CONTENT) if child.tag == SDT else child
            if content is not None:
                yield from iter_rows(content, tracked)


def iter_cells(tr: Any, tracked: bool = True) -> Iterator[Any]:
    """The cells of a row, through content controls around cells; cells deleted with tracked changes left out."""
    for child in tr:
        if child.tag == TC:
            if not (tracked and cell_deleted(child)):
                yield child
        elif child.tag == SDT or child.tag in _CONTAINERS:
            content = child.find(SDT_CONTENT) if child.tag == SDT else child
            if content is not None:
                yield from iter_cells(content, tracked)


def iter_blocks(container: Any, tracked: bool = True) -> Iterator[list[Any]]:
    """The blocks a reader sees: [table], or the paragraphs that make one (those whose mark was deleted, and the
    paragraph they join)."""
    pending: list[Any] = []
    for el in iter_body(container):
        if el.tag == TBL:
            if pending:
                yield pending
                pending = []
            yield [el]
            continue
        pending.append(el)
        if not (tracked and mark_deleted(el)):
            yield pending
            pending = []
    if pending:
        yield pending


def _symbol(font: str | None, char: str) -> str:
    """What a character shows in a symbol font (a box or a tick), else the character itself."""
    table = _SYMBOL_FONTS.get((font or "").strip().lower())
    if not table:
        return char
    code = ord(char)
    if 0xF000 <= code <= 0xF0FF:
        code -= 0xF000
    return table.get(code, char)


def _font_of(fonts: Any) -> str | None:
    """The font a w:rFonts sets for Latin characters (those a symbol font redraws)."""
    return fonts.get(_w("ascii")) or fonts.get(_w("hAnsi"))


def _symbolic(fonts: Any) -> bool:
    return (_font_of(fonts) or "").strip().lower() in _SYMBOL_FONTS


def _run_font(run: Any) -> str | None:
    fonts = run.find(f"{R_PR}/{R_FONTS}")
    return None if fonts is None else _font_of(fonts)


def _control_box(sdt: Any) -> str | None:
    """The box a check box content control stands for: its state wins over a glyph left unchanged (a control
    ticked by its state alone still shows ☐ until Word redraws it); None when the control is no check box."""
    pr = sdt.find(SDT_PR)
    box = pr.find(CC_CHECKBOX) if pr is not None else None
    if box is None:
        return None
    content = sdt.find(SDT_CONTENT)
    shown = paragraph_text(content) if content is not None else ""
    if _on(box.find(CC_CHECKED), CC_VAL) and all(c in "☐□ \u3000" for c in shown):
        return CHECKED_BOX
    return shown


def _field_box(fld: Any) -> str | None:
    """The box of a legacy check box form field (FORMCHECKBOX): its w:checked, else its w:default."""
    box = fld.find(f"{FF_DATA}/{FF_CHECKBOX}")
    if box is None:
        return None
    checked = box.find(FF_CHECKED)
    on = _on(checked) if checked is not None else _on(box.find(FF_DEFAULT))
    return CHECKED_BOX if on else UNCHECKED_BOX


def _text(el: Any, parts: list[str], font: str | None) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _NO_TEXT:
            continue
        if tag == T:
            text = child.text or ""
            parts.append("".join(_symbol(font, c) for c in text) if font else text)
        elif tag == TAB:
            parts.append("\t")
        elif tag in (BR, CR):
            parts.append("\n")
        elif tag == NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag == SYM:
            char = child.get(_w("char")) or ""
            try:
                shown = _symbol(child.get(_w("font")), chr(int(char, 16)))
            except ValueError:
                continue
            if shown in _SYMBOL_FONTS_SHOWN:
                parts.append(shown)  # other symbols (arrows, bullets) are no text a check reads
        elif tag == FLD_CHAR:
            box = _field_box(child)
            if box is not None:
                parts.append(box)
        elif tag == SDT and (box := _control_box(child)) is not None:
            parts.append(box)
        elif tag == R:
            _text(child, parts, _run_font(child))
        else:
            _text(child, parts, font)


def _plain(p: Any) -> bool:
    """Whether a paragraph holds nothing but plain text (no tracked removal, box, symbol or text-box copy), so that
    its w:t can be read in one pass, as most paragraphs are (walking each one slows reading by a quarter)."""
    return not any(el.tag != R_FONTS or _symbolic(el) for el in p.iter(*_SPECIAL, R_FONTS))


@dataclass(frozen=True)
class Scan:
    """What one pass over a body found: whether it holds tracked removals at all, and the paragraphs whose text
    needs the full walk (removals, boxes, symbols), so that plain paragraphs and rows are read in one pass."""

    tracked: bool
    walk: frozenset[Any]


def scan(body: Any) -> Scan:
    """Scan a body (or any element) once for tracked removals and the paragraphs that need the full walk."""
    tracked = False
    walk: set[Any] = set()
    for el in body.iter(CELL_DEL, *_SPECIAL, R_FONTS):
        tag = el.tag
        if tag == R_FONTS and not _symbolic(el):
            continue
        tracked = tracked or tag in (DEL, MOVE_FROM, CELL_DEL)
        walk.update(el.iterancestors(P))
    return Scan(tracked, frozenset(walk))


def paragraph_text(p: Any, found: Scan | None = None) -> str:
    """The visible text of a paragraph: w:t, tabs and breaks, check boxes as ☒/☐, symbol-font boxes and ticks;
    deleted and moved-away text, field codes and properties are not text. `found`: the scan of its document."""
    parts: list[str] = []
    if (p in found.walk) if found is not None else not _plain(p):
        _text(p, parts, None)
        return "".join(parts)
    for el in p.iter(T, TAB, BR, CR, NO_BREAK_HYPHEN):
        tag = el.tag
        if tag == T:
            parts.append(el.text or "")
        elif tag == TAB:
            if el.getparent().tag != TABS:  # a tab stop of the paragraph's properties
                parts.append("\t")
        elif tag == NO_BREAK_HYPHEN:
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def _removed(el: Any) -> bool:
    """Whether an element lies in content deleted or moved away with tracked changes."""
    return any(a.tag in _REMOVED for a in el.iterancestors())


def has_picture(el: Any) -> bool:
    """Whether an element holds a drawing, a VML picture or an embedded object (deleted ones not counted)."""
    return any(not _removed(x) for x in el.iter(*_PICTURES))


class Styles:
    """Run font sizes from styles.xml: each style's own size, its basedOn parent, and the document defaults."""

    def __init__(self, root: Any | None = None) -> None:
        self.sizes: dict[str, float | None] = {}
        self.parents: dict[str, str] = {}
        self.default_paragraph: str | None = None
        self.default_size = 10.0  # Word's size when neither styles nor defaults say anything
        if root is None:
            return
        default = root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")
        size = _size(default)
        if size is not None:
            self.default_size = size
        for st in root.iter(_w("style")):
            sid = st.get(_w("styleId"))
            if not sid:
                continue
            self.sizes[sid] = _size(st.find(_w("rPr")))
            based = st.find(_w("basedOn"))
            if based is not None and based.get(VAL):
                self.parents[sid] = based.get(VAL)
            if st.get(_w("type")) == "paragraph" and st.get(_w("default")) in ("1", "true", "on"):
                self.default_paragraph = sid

    def style_size(self, style_id: str | None) -> float | None:
        """A style's size in points, following basedOn (a cycle or an unknown style ends the walk)."""
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            size = self.sizes.get(style_id)
            if size is not None:
                return size
            style_id = self.parents.get(style_id)
        return None

    def run_size(self, run: Any, paragraph_style: str | None) -> float:
        """The effective size of a run: its own, its character style, its paragraph style, the defaults."""
        r_pr = run.find(_w("rPr"))
        own = _size(r_pr)
        if own is not None:
            return own
        if r_pr is not None:
            r_style = r_pr.find(_w("rStyle"))
            size = self.style_size(r_style.get(VAL) if r_style is not None else None)
            if size is not None:
                return size
        size = self.style_size(paragraph_style or self.default_paragraph)
        return size if size is not None else self.default_size

    def paragraph_min(self, p: Any) -> float | None:
        """The smallest effective size among a paragraph's runs with visible text, or None when it has none."""
        p_pr = p.find(_w("pPr"))
        p_style = p_pr.find(_w("pStyle")) if p_pr is not None else None
        style = p_style.get(VAL) if p_style is not None else None
        sizes = [self.run_size(r, style) for r in p.iter(R)
                 if "".join(t.text or "" for t in r.iter(T)).strip() and r.getparent().tag not in _REMOVED]
        return min(sizes) if sizes else None

    def element_min(self, el: Any) -> float | None:
        """The smallest effective size of the visible text in a paragraph or a cell (nested paragraphs too)."""
        paras = [el] if el.tag == P else el.iter(P)
        sizes = [x for x in (self.paragraph_min(p) for p in paras) if x is not None]
        return min(sizes) if sizes else None


MAX_HALF_POINTS = 3276  # Word's largest font size, 1638 pt


def _size(r_pr: Any | None) -> float | None:
    """The w:sz of a run-properties element in points (w:sz is in half-points), or None."""
    if r_pr is None:
        return None
    sz = r_pr.find(_w("sz"))
    if sz is None:
        return None
    try:
        half = float(sz.get(VAL, ""))
    except ValueError:
        return None
    return half / 2 if math.isfinite(half) and 0 < half <= MAX_HALF_POINTS else None


def _cell_paragraphs(container: Any, tracked: bool) -> Iterator[Any]:
    """A cell's paragraphs in reading order, those of nested tables included."""
    for el in iter_body(container):
        if el.tag == TBL:
            for tr in iter_rows(el, tracked):
                for tc in iter_cells(tr, tracked):
                    yield from _cell_paragraphs(tc, tracked)
        else:
            yield el


def cell_text(tc: Any, found: Scan | None = None) -> str:
    """A cell's text: its paragraphs (and nested tables) joined by newlines; a deleted mark joins two."""
    found = found or scan(tc)
    lines: list[str] = []
    pending = ""
    for p in _cell_paragraphs(tc, found.tracked):
        if found.tracked and mark_deleted(p):
            pending += paragraph_text(p, found)
            continue
        lines.append(pending + paragraph_text(p, found))
        pending = ""
    if pending:
        lines.append(pending)
    return "\n".join(lines).strip("\n")


def _cell_props(tc: Any) -> tuple[int, str | None]:
    tc_pr = tc.find(TC_PR)
    span, vmerge = 1, None
    if tc_pr is not None:
        gs = tc_pr.find(GRID_SPAN)
        if gs is not None:
            try:
                span = max(1, int(gs.get(VAL, "1")))
            except ValueError:
                span = 1
        vm = tc_pr.find(V_MERGE)
        if vm is not None:
            vmerge = vm.get(VAL) or "continue"
    return span, vmerge


def read_table(tbl: Any, index: int, styles: Styles | None = None, found: Scan | None = None) -> Table:
    """A table as rows of physical cells; a vertically merged cell carries the text of the cell it continues."""
    found = found or scan(tbl)
    rows: list[tuple[Cell, ...]] = []
    above: dict[int, Cell] = {}
    for r, tr in enumerate(iter_rows(tbl, found.tracked)):
        cells: list[Cell] = []
        grid = 0
        for c, tc in enumerate(iter_cells(tr, found.tracked)):
            span, vmerge = _cell_props(tc)
            origin = above.get(grid) if vmerge == "continue" else None
            if origin is not None:
                cell = Cell(text=origin.text, table=index, row=r, col=c, grid_col=grid, span=span,
                            merged_from_above=True, has_picture=origin.has_picture,
                            origin_row=origin.origin_row if origin.origin_row is not None else origin.row,
                            origin_col=origin.origin_col if origin.origin_col is not None else origin.col,
                            min_font_pt=origin.min_font_pt)
            else:
                cell = Cell(text=cell_text(tc, found), table=index, row=r, col=c, grid_col=grid, span=span,
                            has_picture=has_picture(tc), min_font_pt=styles.element_min(tc) if styles else None)
            cells.append(cell)
            above[grid] = cell
            grid += span
        rows.append(tuple(cells))
    return Table(index=index, rows=tuple(rows))


def body_elements(root: Any) -> Any:
    """The w:body of a document part's root, in the transitional or strict namespace."""
    body = root.find(_w("body"))
    if body is None:
        body = root.find(f"{{{STRICT_W}}}body")
    return body


def read_body(root: Any, styles: Styles | None = None) -> tuple[Paragraph | Table, ...]:
    """Blocks of the main document in reading order (with font sizes when the styles are given)."""
    body = body_elements(root)
    if body is None:
        return ()
    found = scan(body)
    blocks: list[Paragraph | Table] = []
    n_tables = n_paras = 0
    for group in iter_blocks(body, found.tracked):
        if group[0].tag == TBL:
            blocks.append(read_table(group[0], n_tables, styles, found))
            n_tables += 1
        else:
            sizes = [x for x in (styles.element_min(p) for p in group) if x is not None] if styles else []
            blocks.append(Paragraph(text="".join(paragraph_text(p, found) for p in group), index=n_paras,
                                    has_picture=any(has_picture(p) for p in group),
                                    location=Location(kind="docx", paragraph=n_paras),
                                    min_font_pt=min(sizes) if sizes else None))
            n_paras += 1
    return tuple(blocks)


def locate(body: Any, loc: Location) -> Any | None:
    """The element (w:tc or w:p) a docx Location points at, by the same walk the reader uses."""
    n_tables = n_paras = 0
    for group in iter_blocks(body):
        el = group[0]  # a paragraph joined by a deleted mark is pointed at by its first part
        if el.tag == TBL:
            if loc.table == n_tables:
                for r, tr in enumerate(iter_rows(el)):
                    if r == loc.row:
                        for c, tc in enumerate(iter_cells(tr)):
                            if c == loc.col:
                                return tc
                return None
            n_tables += 1
        else:
            if loc.table is None and loc.paragraph == n_paras:
                return el
            n_paras += 1
    return None


MAX_SAVED_PAGES = 100_000
# Word's page sides range from 0.1 to 22 inches; anything outside (or inf, nan) is a damaged w:pgSz
PAGE_SIDE_PT = (7.2, 1584.0)
_CORE = {"identifier", "version", "title", "subject", "category", "keywords", "creator"}


def read_properties(z: SafeZip) -> tuple[dict[str, str], int | None]:
    """Core document properties (identifier, version, …) and the saved page count."""
    props: dict[str, str] = {}
    core = z.read("docProps/core.xml")
    if core is not None:
        try:
            root = parse_xml(core, "docProps/core.xml")
            for el in root:
                if isinstance(el.tag, str):
                    name = etree.QName(el).localname
                    if name in _CORE and el.text:
                        props[name] = el.text.strip()
        except FileProblem:
            pass  # properties are optional; a damaged core.xml only loses them
    pages = None
    app = z.read("docProps/app.xml")
    if app is not None:
        try:
            root = parse_xml(app, "docProps/app.xml")
            for el in root:
                if isinstance(el.tag, str) and etree.QName(el).localname == "Pages" and el.text:
                    saved = int(el.text.strip())
                    # a count Word cannot have saved (negative, absurd) is damaged metadata: no count at all
                    pages = saved if 0 < saved <= MAX_SAVED_PAGES else None
        except (FileProblem, ValueError):
            pass
    return props, pages


def read_styles(z: SafeZip, part: str) -> Styles:
    """The styles part beside the main part; a missing or damaged one leaves only Word's defaults."""
    data = z.read(posixpath.join(posixpath.dirname(part), "styles.xml"))
    if data is None:
        return Styles()
    return _styles_of(data)


@lru_cache(maxsize=16)
def _styles_of(data: bytes) -> Styles:
    """Styles read once per distinct styles.xml: every form made from the call's template carries the same one,
    so a batch worker parses it once, not once per file (a third of the reading time). Styles is never changed
    after construction."""
    try:
        return Styles(parse_xml(data, "styles.xml"))
    except FileProblem:
        return Styles()  # styles only serve the font-size check; a damaged styles.xml loses it


def section_page_sizes(root: Any) -> tuple[tuple[float, float], ...]:
    """(width, height) in points of each section's pages; w:pgSz is in twentieths of a point."""
    body = body_elements(root)
    if body is None:
        return ()
    sizes: list[tuple[float, float]] = []
    for sect in body.iter(_w("sectPr")):
        if sect.getparent().tag == _w("sectPrChange"):
            continue  # the section's properties before a tracked change
        pg = sect.find(_w("pgSz"))
        if pg is None:
            continue
        try:
            w, h = float(pg.get(_w("w"), "")) / 20, float(pg.get(_w("h"), "")) / 20
        except ValueError:
            continue
        if not all(math.isfinite(x) and PAGE_SIDE_PT[0] <= x <= PAGE_SIDE_PT[1] for x in (w, h)):
            raise FileProblem("file.corrupt", part="w:pgSz", reason_zh="页面尺寸无效",
                              reason_en=f"invalid page size ({pg.get(_w('w'))} × {pg.get(_w('h'))})")
        if pg.get(_w("orient")) == "landscape" and w < h:
            w, h = h, w
        sizes.append((w, h))
    return tuple(sizes)


def read_docx(data: bytes, limits: FileLimits) -> Document:
    """Read .docx bytes into a Document, within the given limits; raises FileProblem for a bad file."""
    z = SafeZip(data, limits)
    if "EncryptedPackage" in z.names:
        raise FileProblem("file.encrypted")
    part = main_part(z)
    xml = z.read(part)
    if xml is None:
        raise FileProblem("file.corrupt", part=part, reason_zh="缺少正文", reason_en="main part missing")
    root = parse_xml(xml, part)
    props, pages = read_properties(z)
    styles = read_styles(z, part)
    return Document(format="docx", blocks=read_body(root, styles), properties=props, pages=pages,
                    page_sizes=section_page_sizes(root))
