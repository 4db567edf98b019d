"""Read a PDF printed from the form into a Document: text via pypdfium2, table grids via pdfplumber's table finder."""

from __future__ import annotations

import bisect
import ctypes
import io
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.calls.model import FileLimits
from pipeline.ingest.problems import FileProblem
from pipeline.model import Cell, Document, Location, Paragraph, Table

BBox = tuple[float, float, float, float]
_Path = tuple[BBox, Any]  # a path object's PDF bounds and its raw handle

# a page needs at least this many visible characters on average to count as having a text layer
_MIN_CHARS_PER_PAGE = 10
# a page with fewer visible characters whose images cover at least this share of it is a scanned page
_SCAN_COVER = 0.5
# the most characters and path objects read from one page (a hostile file cannot make us loop for ever)
_MAX_CHARS = 50_000
# PDF's user space allows 3 to 14,400 units a side (ISO 32000 Annex C); inf, nan and 1e309 are damage
PAGE_SIDE_PT = (1.0, 14_400.0)
_MAX_PATHS = 5_000
_TOL = 3.0
# the side of a check box drawn as a path, in points (a 10.5 pt line's box is about 8 to 12)
_BOX_MIN, _BOX_MAX = 6.0, 16.0
_PAGE_NUMBER = re.compile(r"^\s*(?:[—–\-]+\s*\d+\s*[—–\-]+|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+(?:\s*/\s*\d+)?)\s*$")
_LATIN = re.compile(r"[A-Za-z0-9]")
_NO_START = set("、，。．：；！？）〕」』》】,.;:!?)%")


@dataclass
class _Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


@dataclass
class _Line:
    chars: list[_Char] = field(default_factory=list)
    x0: float = 1e9
    top: float = 1e9
    x1: float = -1e9
    bottom: float = -1e9
    # the characters in reading order and the text, worked out once (a line is read many times when joining)
    _ordered: list[_Char] | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False)

    def add(self, c: _Char) -> None:
        self.chars.append(c)
        self._ordered = self._text = None
        if c.x0 < self.x0:
            self.x0 = c.x0
        if c.top < self.top:
            self.top = c.top
        if c.x1 > self.x1:
            self.x1 = c.x1
        if c.bottom > self.bottom:
            self.bottom = c.bottom

    @property
    def ordered(self) -> list[_Char]:
        """The characters from left to right."""
        if self._ordered is None:
            self._ordered = sorted(self.chars, key=lambda c: c.x0)
        return self._ordered

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(c.text for c in self.ordered)
        return self._text

    @property
    def size(self) -> float:
        return max((c.size for c in self.chars if not c.text.isspace()), default=0.0)

    def first_word_width(self) -> float:
        """Width of the unbreakable start of the line: a Latin run or a CJK character, with following closers."""
        cs = self.ordered
        if not cs:
            return 0.0
        end, i = cs[0].x1, 1
        latin = bool(_LATIN.match(cs[0].text))
        while i < len(cs):
            t = cs[i].text
            if t in _NO_START or (latin and (_LATIN.match(t) or t in "-.@_/'\"")):
                end, i = cs[i].x1, i + 1
                continue
            if latin and not t.isspace():
                end = cs[i].x1  # a CJK character glued to digits (4月)
            break
        return end - cs[0].x0


def _corrupt(reason_en: str, reason_zh: str) -> FileProblem:
    return FileProblem("file.corrupt", part="pdf", reason_zh=reason_zh, reason_en=reason_en)


def _min_font(chars: list[_Char]) -> float | None:
    sizes = [c.size for c in chars if not c.text.isspace() and c.size > 0]
    return round(min(sizes) * 2) / 2 if sizes else None


def _page_codes(pdfium: Any, handle: Any, n: int) -> list[int]:
    """The code point of every character index, from one FPDFText_GetText call instead of one call a character.

    GetText writes UTF-16: a character outside the BMP (a rare character in a name) takes two units and breaks
    the index alignment, so such a page is read a character at a time."""

    raw = pdfium.raw
    buffer = (ctypes.c_ushort * (n + 1))()
    written = raw.FPDFText_GetText(handle, 0, n, buffer)
    units = list(buffer[: max(0, written - 1)])
    if len(units) == n and not any(0xD800 <= u <= 0xDFFF for u in units):
        # GetText writes 0xFFFE where GetUnicode says 2 (a hyphen at a line break, as in an e-mail address)
        return [raw.FPDFText_GetUnicode(handle, i) if u == 0xFFFE else u for i, u in enumerate(units)]
    return [raw.FPDFText_GetUnicode(handle, i) for i in range(n)]


def _word_gap(a: _Char, b: _Char) -> bool:
    """Whether a gap pdfium saw between two characters is a space between Latin words on one line."""
    return (a.text.isascii() and b.text.isascii() and not a.text.isspace() and not b.text.isspace()
            and b.x0 > a.x1 and abs(a.top - b.top) < 0.5 * max(a.bottom - a.top, 1.0))


def _page_chars(pdfium: Any, page: Any, height: float) -> list[_Char]:
    """The page's visible characters (not pdfium's generated spaces and line breaks), in points, top-down."""
    raw = pdfium.raw
    tp = page.get_textpage()
    rect = raw.FS_RECTF()  # one box reused for every character: pypdfium2's get_charbox makes one per call
    get_box, get_size, generated = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetFontSize, raw.FPDFText_IsGenerated
    try:
        n = min(tp.count_chars(), _MAX_CHARS)
        out: list[_Char] = []
        handle = tp.raw
        gap = -1  # index in `out` after which pdfium generated a space, pending the next character
        for i, code in enumerate(_page_codes(pdfium, handle, n)):
            if code in (0, 10, 13, 0xFFFE, 0xFFFF):
                continue
            if code == 32 and generated(handle, i) == 1:
                # pdfium's own spaces (it generates only spaces and line breaks) stand for a gap in the drawing.
                # Between Chinese and Latin text that gap is LibreOffice's spacing, not a space; between two
                # Latin characters it is the space of a producer that draws each word on its own (Skia, Chrome)
                gap = len(out) - 1
                continue
            try:
                ch = chr(code)
            except ValueError:
                continue
            if not get_box(handle, i, rect):
                continue
            left, bottom, right, top = rect.left, rect.bottom, rect.right, rect.top
            size = float(get_size(handle, i))
            if ch == "\t":
                ch = " "
            elif ch == "\x02":
                ch = "-"  # pdfium's code for a hyphen at a line break
            c = _Char(ch, left, height - top, right, height - bottom, size)
            if gap >= 0 and gap == len(out) - 1 and _word_gap(out[gap], c):
                p = out[gap]
                out.append(_Char(" ", p.x1, p.top, c.x0, p.bottom, p.size))
            gap = -1
            out.append(c)
        return out
    finally:
        tp.close()


def _page_objects(pdfium: Any, page: Any) -> tuple[list[tuple[BBox, Any]], list[BBox]]:
    """The page's path objects (PDF bounds, raw handle) and image bounds, in one pass over the raw objects.

    pypdfium2's get_objects wraps every object (each run of text is one) in a Python object before filtering;
    a form page holds hundreds of them, and doing it twice (paths, then images) cost more than the table finder.
    """
    raw = pdfium.raw
    paths: list[_Path] = []
    images: list[BBox] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))

    def bounds(obj: Any) -> BBox:
        raw.FPDFPageObj_GetBounds(obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right),
                                  ctypes.byref(top))
        return (left.value, bottom.value, right.value, top.value)

    def walk(count: int, get: Any, depth: int) -> None:
        for i in range(count):
            if len(paths) > _MAX_PATHS:
                return
            obj = get(i)
            if not obj:
                continue
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                paths.append((bounds(obj), obj))
            elif kind == raw.FPDF_PAGEOBJ_IMAGE and len(images) <= 500:
                images.append(bounds(obj))
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 1:
                walk(raw.FPDFFormObj_CountObjects(obj), lambda j, f=obj: raw.FPDFFormObj_GetObject(f, j), depth + 1)

    walk(raw.FPDFPage_CountObjects(page.raw), lambda i: raw.FPDFPage_GetObject(page.raw, i), 0)
    return paths, images


def _drawn_boxes(pdfium: Any, paths: list[_Path], height: float) -> tuple[list[_Char], list[_Path]]:
    """Check boxes drawn as paths (Word's legacy form check boxes, printed): a small square, ticked when lines
    cross it or it is filled. Returns them as ☒/☐ characters where they stand, and the paths left for the tables.

    A box is read as a person reads it; its lines must not make a tiny table of their own."""
    raw = pdfium.raw
    groups: dict[tuple[int, int, int], list[tuple[BBox, Any]]] = {}
    for bbox, obj in paths:
        w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
        if _BOX_MIN <= w <= _BOX_MAX and abs(w - h) <= 1.0:
            groups.setdefault((round(bbox[0]), round(bbox[1]), round(w)), []).append((bbox, obj))
    boxes: list[_Char] = []
    used: set[int] = set()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    for members in groups.values():
        squares = [m for m in members if raw.FPDFPath_CountSegments(m[1]) >= 4]
        if not squares:
            continue
        filled = any(raw.FPDFPath_GetDrawMode(m[1], ctypes.byref(fill), ctypes.byref(stroke)) and fill.value
                     for m in squares)
        ticked = filled or len(members) > len(squares)
        left, bottom, right, top = squares[0][0]
        boxes.append(_Char("☒" if ticked else "☐", left, height - top, right, height - bottom, 0.0))
        used.update(id(m) for m in members)
    return boxes, [p for p in paths if id(p) not in used]


def _page_edges(pdfium: Any, paths: list[tuple[BBox, Any]], height: float) -> list[dict[str, Any]] | None:
    """Horizontal and vertical edges of the page's path objects; None when a path is too complex to read so."""
    raw = pdfium.raw
    edges: list[dict[str, Any]] = []
    for (left, bottom, right, top), obj in paths[:_MAX_PATHS]:
        x0, x1, t, b = left, right, height - top, height - bottom
        w, h = x1 - x0, b - t
        if w <= 3 and h <= 3:
            continue
        if h <= 3:
            y = (t + b) / 2
            edges.append(_edge("h", x0, y, x1, y))
        elif w <= 3:
            x = (x0 + x1) / 2
            edges.append(_edge("v", x, t, x, b))
        else:
            if raw.FPDFPath_CountSegments(obj) > 6:
                return None
            edges += [_edge("h", x0, t, x1, t), _edge("h", x0, b, x1, b),
                      _edge("v", x0, t, x0, b), _edge("v", x1, t, x1, b)]
    return _close_open_tables(edges)


def _close_open_tables(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Edges closing a table that a page break cut open: where several column lines end (or start) together
    with no ruling there, as a producer leaves a row split across pages (Chrome draws no border at the break),
    a ruling is added, so the part of the row on each page is a row of its own that the next page continues."""
    hs = [e for e in edges if e["orientation"] == "h"]
    vs = [e for e in edges if e["orientation"] == "v"]

    def ruled(y: float, x: float) -> bool:
        return any(abs(h["top"] - y) <= _TOL and h["x0"] - _TOL <= x <= h["x1"] + _TOL for h in hs)

    added: list[dict[str, Any]] = []
    for end in ("bottom", "top"):
        open_ends: dict[int, list[float]] = {}
        for v in vs:
            y = v[end]
            if not ruled(y, v["x0"]):
                open_ends.setdefault(round(y / _TOL), []).append(v["x0"])
        for key, xs in open_ends.items():
            if len(xs) >= 2:
                y = key * _TOL
                added.append(_edge("h", min(xs), y, max(xs), y))
    return edges + added


def _edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": orientation, "object_type": "line"}


def _cells_from_edges(edges: list[dict[str, Any]]) -> list[list[BBox]]:
    """Tables (lists of cell bboxes) from edges, by pdfplumber's lattice algorithm."""
    from pdfplumber import table as pt

    edges = [e for e in edges if (e["width"] if e["orientation"] == "h" else e["height"]) >= _TOL]
    merged = pt.merge_edges(edges, snap_x_tolerance=_TOL, snap_y_tolerance=_TOL,
                            join_x_tolerance=_TOL, join_y_tolerance=_TOL)
    merged = [e for e in merged if (e["width"] if e["orientation"] == "h" else e["height"]) >= _TOL]
    inter = pt.edges_to_intersections(merged, 1, 1)
    cells = pt.intersections_to_cells(inter)
    return [[tuple(c) for c in group] for group in pt.cells_to_tables(cells)]  # type: ignore[misc]


def _cells_with_plumber(pdf: Any, index: int) -> list[list[BBox]]:
    """Tables of one page by pdfplumber itself (pages whose paths our own edge reader cannot handle)."""
    page = pdf.pages[index]
    found = page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"})
    return [[tuple(c) for c in t.cells] for t in found]


def _group_lines(chars: list[_Char]) -> list[_Line]:
    """Characters into visual lines: a character joins a line its vertical extent mostly overlaps."""
    lines: list[_Line] = []
    for c in sorted(chars, key=lambda c: (c.top + c.bottom) / 2):
        h = max(c.bottom - c.top, 0.1)
        best = None
        for ln in reversed(lines[-3:]):
            ov = min(ln.bottom, c.bottom) - max(ln.top, c.top)
            if ov >= 0.5 * min(h, ln.bottom - ln.top):
                best = ln
                break
        if best is None:
            best = _Line()
            lines.append(best)
        best.add(c)
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _join(prev: _Line, nxt: _Line, right: float, left: float, word: float | None = None,
          mid: float | None = None, usual: float | None = None) -> str:
    """The separator between two lines: "" at a soft wrap (" " between Latin words), else "\n"; word: next start;
    usual: the usual gap between the lines of a paragraph there (more space than that is a paragraph's end)."""
    size = prev.size or 10.0
    gap = nxt.top - prev.bottom
    soft = prev.x1 + (nxt.first_word_width() if word is None else word) > right - 0.3 * size
    centered = mid is not None and abs((nxt.x0 + nxt.x1) / 2 - mid) < 1.5
    indented = nxt.x0 > left + 0.8 * size and not centered
    spaced = gap > 1.2 * size or (usual is not None and gap > usual + 0.5 * size)
    if not soft or indented or spaced:
        return "\n"
    a, b = prev.text, nxt.text
    # a line without any space that wraps is a word broken where it did not fit: no space added
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha() and " " in a.strip():
        return " "
    return ""


def _usual_gap(lines: list[_Line]) -> float | None:
    """The usual gap between consecutive lines (their median, when there are enough to tell), or None.

    A producer that puts no indent on a paragraph's first line (HTML, a retyped form) still leaves more space
    between paragraphs than between a paragraph's lines: that space ends a paragraph whose last line happened
    to run to the margin."""
    gaps = sorted(b.top - a.bottom for a, b in itertools.pairwise(lines) if b.top - a.bottom < 1.2 * (a.size or 10.0))
    return gaps[(len(gaps) - 1) // 2] if len(gaps) >= 3 else None


def _words(lines: list[_Line], right: float, left: float) -> list[float]:
    """Per line, the width of its unbreakable start, carried over lines that are one broken word each."""
    out = [ln.first_word_width() for ln in lines]
    for i in range(len(lines) - 2, -1, -1):
        ln, nx = lines[i], lines[i + 1]
        whole = out[i] >= (ln.x1 - ln.x0) - 0.5 and not any(c.text.isspace() for c in ln.chars)
        if whole and _LATIN.match(nx.text[:1] or " ") and _join(ln, nx, right, left, out[i + 1]) != "\n":
            out[i] += out[i + 1]
    return out


def _never(text: str) -> bool:
    return False


def _paragraphs(lines: list[_Line], right: float, starts: Callable[[str], bool] = _never) -> list[list[_Line]]:
    """Visual lines into paragraphs: a line continues the paragraph when the previous one was a soft wrap, unless
    it is one of the form's headings or labels (`starts`), which always begin a new one."""
    paras: list[list[_Line]] = []
    left = min((ln.x0 for ln in lines), default=0.0)
    words = _words(lines, right, left)
    usual = _usual_gap(lines)
    for i, ln in enumerate(lines):
        if paras and _join(paras[-1][-1], ln, right, left, words[i], usual=usual) != "\n" and not starts(ln.text):
            paras[-1].append(ln)
        else:
            paras.append([ln])
    return paras


def _text_of(lines: list[_Line], right: float, mid: float | None = None, usual: float | None = None) -> str:
    """Lines of a cell joined by the soft-wrap rule (mid: the centre a centred line sits on; usual: the usual gap
    between a paragraph's lines there, by default that of these lines)."""
    if not lines:
        return ""
    left = min(ln.x0 for ln in lines)
    words = _words(lines, right, left)
    usual = _usual_gap(lines) if usual is None else usual
    parts = [lines[0].text]
    for i, (a, b) in enumerate(itertools.pairwise(lines)):
        parts.append(_join(a, b, right, left, words[i + 1], mid, usual))
        parts.append(b.text)
    return "".join(parts).strip("\n")


@dataclass
class _PCell:
    bbox: BBox
    text: str
    chars: list[_Char]
    lines: list[_Line]
    page: int
    has_picture: bool = False


@dataclass
class _PTable:
    page: int
    top: float
    bottom: float
    xs: list[float]
    rows: list[list[_PCell]]  # cells that start in each row band
    bands: list[float]

    @property
    def last_page(self) -> int:
        """The page its last row is on (a table merged across pages runs on)."""
        return max((c.page for row in self.rows for c in row), default=self.page)


@dataclass
class _PPara:
    page: int
    top: float
    lines: list[_Line]
    text: str
    left: float = 0.0
    right: float = 0.0
    more_chars: list[_Char] = field(default_factory=list)
    scanned: bool = False


def _inside(c: _Char, b: BBox) -> bool:
    cx, cy = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
    return b[0] <= cx <= b[2] and b[1] <= cy <= b[3]


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


def _page_images(images: list[BBox], height: float) -> list[BBox]:
    """Bboxes of the page's images (a signature or seal picture), top-down."""
    return [(left, height - top, right, height - bottom) for left, bottom, right, top in images]


class _CharIndex:
    """A page's characters sorted by their vertical centre, so a cell takes its characters by bisection."""

    def __init__(self, chars: list[_Char]) -> None:
        self.chars = sorted(chars, key=lambda c: (c.top + c.bottom) / 2)
        self.centres = [(c.top + c.bottom) / 2 for c in self.chars]

    def inside(self, b: BBox) -> list[_Char]:
        """The characters whose centre lies in the box (by centre, then content order, as _group_lines wants)."""
        lo, hi = bisect.bisect_left(self.centres, b[1]), bisect.bisect_right(self.centres, b[3])
        return [c for c in self.chars[lo:hi] if _inside(c, b)]


def _build_table(cells: list[BBox], index: _CharIndex, page: int, images: list[BBox]) -> _PTable:
    bands = _snap([c[1] for c in cells])
    xs = _snap([c[0] for c in cells] + [max(c[2] for c in cells)])
    rows: list[list[_PCell]] = [[] for _ in bands]
    for b in sorted(cells, key=lambda c: (c[1], c[0])):
        mine = index.inside(b)
        lines = _group_lines(mine)
        pic = any(b[0] <= (m[0] + m[2]) / 2 <= b[2] and b[1] <= (m[1] + m[3]) / 2 <= b[3] for m in images)
        pc = _PCell(b, _text_of(lines, _cell_right(b, lines), (b[0] + b[2]) / 2), mine, lines, page, pic)
        r = min(range(len(bands)), key=lambda i: abs(bands[i] - b[1]))
        rows[r].append(pc)
    top = min(c[1] for c in cells)
    bottom = max(c[3] for c in cells)
    return _PTable(page, top, bottom, xs, rows, bands)


def _cell_right(b: BBox, lines: list[_Line]) -> float:
    """Where text in a cell can reach: its right edge less the padding seen on the left."""
    pad = min((ln.x0 for ln in lines), default=b[0] + 5.4) - b[0]
    return b[2] - max(1.0, min(pad, 8.0))


def _same_columns(a: _PTable, b: _PTable) -> bool:
    return len(a.xs) == len(b.xs) and all(abs(x - y) <= _TOL for x, y in zip(a.xs, b.xs, strict=True))


def _row_texts(row: list[_PCell]) -> list[str]:
    return [c.text for c in row]


def _append_text(prev: _PCell, nxt: _PCell) -> None:
    """Continue a cell split by a page break with the text of its next part."""
    if not nxt.lines:
        return
    if prev.lines:
        right = _cell_right(prev.bbox, prev.lines)
        last, first = prev.lines[-1], nxt.lines[0]
        soft = last.x1 + first.first_word_width() > right - 0.3 * (last.size or 10.0)
        sep = "\n"
        if soft:
            a, b = prev.text, nxt.text
            sep = " " if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha() else ""
        prev.text = prev.text + sep + nxt.text
    else:
        prev.text = nxt.text
    prev.has_picture = prev.has_picture or nxt.has_picture
    prev.lines = prev.lines + nxt.lines
    prev.chars = prev.chars + nxt.chars


def _merge(prev: _PTable, nxt: _PTable) -> None:
    """Merge a table continued on the next page into its first part."""
    rows = nxt.rows
    if rows and prev.rows and _row_texts(rows[0]) == _row_texts(prev.rows[0]) and any(_row_texts(rows[0])):
        rows = rows[1:]  # a repeated header row
    elif rows and prev.rows:
        last, first = prev.rows[-1], rows[0]
        same = len(last) == len(first) and all(abs(a.bbox[0] - b.bbox[0]) <= _TOL and abs(a.bbox[2] - b.bbox[2])
                                                <= _TOL for a, b in zip(last, first, strict=True))
        one_cell = len(prev.rows) == 1 and len(last) == 1
        continued = same and len(first) > 1 and not first[0].text.strip() and last[0].text.strip()
        if same and (one_cell or continued):
            for a, b in zip(last, first, strict=True):
                _append_text(a, b)
            rows = rows[1:]
    prev.rows += rows
    prev.bands += nxt.bands[len(nxt.bands) - len(rows):]


def _to_table(t: _PTable, index: int) -> Table:
    """Physical cells per row band; a cell spanning several bands is repeated as merged from above."""
    xs = t.xs
    band_pages = [row[0].page if row else t.page for row in t.rows]
    origins: dict[int, Cell] = {}
    earlier: list[_PCell] = []
    out_rows: list[tuple[Cell, ...]] = []
    for r, row in enumerate(t.rows):
        entries: list[tuple[_PCell, bool]] = [(c, False) for c in row]
        entries += [(c, True) for c in earlier if c.page == band_pages[r] and c.bbox[1] < t.bands[r] - _TOL
                    and c.bbox[3] > t.bands[r] + _TOL]
        entries.sort(key=lambda e: e[0].bbox[0])
        cells: list[Cell] = []
        for k, (c, merged) in enumerate(entries):
            if merged and id(c) in origins:
                o = origins[id(c)]
                cells.append(Cell(text=o.text, table=index, row=r, col=k, grid_col=o.grid_col, span=o.span,
                                  merged_from_above=True, has_picture=o.has_picture, origin_row=o.row, origin_col=o.col,
                                  min_font_pt=o.min_font_pt, page=o.page, bbox=o.bbox))
                continue
            grid = min(range(len(xs)), key=lambda i: abs(xs[i] - c.bbox[0]))
            span = max(1, sum(1 for x in xs if c.bbox[0] - _TOL < x < c.bbox[2] - _TOL))
            cell = Cell(text=c.text, table=index, row=r, col=k, grid_col=grid, span=span, has_picture=c.has_picture,
                        min_font_pt=_min_font(c.chars), page=c.page, bbox=_round(c.bbox))
            origins[id(c)] = cell
            cells.append(cell)
        earlier += row
        out_rows.append(tuple(cells))
    return Table(index=index, rows=tuple(out_rows))


def _round(b: BBox) -> BBox:
    return (round(b[0], 1), round(b[1], 1), round(b[2], 1), round(b[3], 1))


def _is_furniture(ln: _Line, height: float) -> bool:
    """A page number in the header or footer area."""
    return (ln.top > height * 0.88 or ln.bottom < height * 0.1) and bool(_PAGE_NUMBER.match(ln.text))


def _open(data: bytes) -> tuple[Any, Any]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == 4:
            raise FileProblem("file.encrypted") from None
        raise _corrupt(f"PDF cannot be opened ({e})", "PDF 文件已损坏") from None
    except Exception as e:  # any library failure on a hostile file is a damaged file
        raise _corrupt(f"PDF cannot be opened ({type(e).__name__})", "PDF 文件已损坏") from None
    return pdfium, doc


def _holds_form(chars: list[_Char], words: frozenset[str]) -> bool:
    """Whether a page's text names one of the form's labels or headings (all pages, when none are given)."""
    if not words:
        return True
    text = "".join(c.text for c in chars if not c.text.isspace())
    return any(w in text for w in words)


def read_pdf(data: bytes, limits: FileLimits, form_words: frozenset[str] = frozenset(),
             starts: Callable[[str], bool] = _never) -> Document:
    """Read PDF bytes into a Document; raises FileProblem for an encrypted, damaged or image-only file.

    `form_words`: the form's label keys; pdfplumber's slow parser (for drawings pypdfium2 cannot outline) runs only
    on pages that name one of them. `starts`: whether a line is one of the form's headings or labels, which
    always starts a paragraph of its own, wherever the line before it ended."""
    pdfium, doc = _open(data)
    try:
        return _read(pdfium, doc, data, limits, form_words, starts)
    except FileProblem:
        raise
    except Exception as e:  # any library failure on a hostile file is a damaged file
        raise _corrupt(f"PDF cannot be read ({type(e).__name__})", "PDF 内容已损坏") from None
    finally:
        doc.close()


def _read(pdfium: Any, doc: Any, data: bytes, limits: FileLimits, form_words: frozenset[str],
          starts: Callable[[str], bool]) -> Document:
    n_pages = len(doc)
    if n_pages == 0:
        raise _corrupt("the PDF has no pages", "PDF 没有页面")
    max_pages = limits.max_pdf_pages
    if n_pages > max_pages:
        raise FileProblem("file.too_large", reason_zh=f"共{n_pages}页，页数过多",
                          reason_en=f"too many pages ({n_pages})")
    sizes: list[tuple[float, float]] = []
    page_chars: list[list[_Char]] = []
    page_edges: list[list[dict[str, Any]] | None] = []
    page_images: list[list[BBox]] = []
    for i in range(n_pages):
        page = doc[i]
        try:
            w, h = (float(x) for x in page.get_size())
            if not all(math.isfinite(x) and PAGE_SIDE_PT[0] <= x <= PAGE_SIDE_PT[1] for x in (w, h)):
                raise _corrupt(f"invalid page size on page {i + 1} ({w:g} × {h:g})",
                               f"第{i + 1}页页面尺寸无效（{w:g} × {h:g}）")
            sizes.append((round(w, 2), round(h, 2)))
            chars = _page_chars(pdfium, page, h)
            paths, images = _page_objects(pdfium, page)
            boxes, paths = _drawn_boxes(pdfium, paths, h)
            page_chars.append(chars + boxes)
            page_edges.append(_page_edges(pdfium, paths, h))
            page_images.append(_page_images(images, h))
        finally:
            page.close()
    visible = sum(1 for cs in page_chars for c in cs if not c.text.isspace())
    if visible < max(20, _MIN_CHARS_PER_PAGE * n_pages):
        raise FileProblem("file.no_text_layer")

    scanned = tuple(i + 1 for i in range(n_pages) if _is_scanned(page_chars[i], page_images[i], sizes[i]))
    plumber: Any = None
    pages: list[tuple[list[_PTable], list[_Line]]] = []
    try:
        for i in range(n_pages):
            chars, edges, (_, height) = page_chars[i], page_edges[i], sizes[i]
            if edges is None and not _holds_form(chars, form_words):
                groups = []  # pdfplumber's own parser only on pages that hold the form's tables
            elif edges is None:
                if plumber is None:
                    import pdfplumber

                    plumber = pdfplumber.open(io.BytesIO(data))
                groups = _cells_with_plumber(plumber, i)
            elif len(edges) >= 4:
                groups = _cells_from_edges(edges)
            else:
                groups = []
            index = _CharIndex(chars)
            tables = [_build_table(g, index, i + 1, page_images[i]) for g in groups if g]
            in_tables = {id(c) for t in tables for c in index.inside((t.xs[0], t.top, t.xs[-1], t.bottom))}
            rest = [c for c in chars if id(c) not in in_tables]
            lines = [ln for ln in _group_lines(rest) if not _is_furniture(ln, height) and ln.text.strip()]
            pages.append((tables, lines))
    finally:
        if plumber is not None:
            plumber.close()

    # the text column's right edge: a page's widest line, or on a page of few lines the usual one
    widths = sorted(max(ln.x1 for ln in lines) for _, lines in pages if len(lines) >= 4)
    usual = widths[len(widths) // 2] if widths else 0.0
    items: list[_PTable | _PPara] = []
    for i, (tables, lines) in enumerate(pages):
        left = min((ln.x0 for ln in lines), default=0.0)
        right = max((ln.x1 for ln in lines), default=0.0)
        if len(lines) < 4:
            right = max(right, usual)
        pitch = _usual_gap(lines)
        paras = [_PPara(i + 1, p[0].top, p, _text_of(p, right, usual=pitch if pitch is not None else 1e9), left,
                        right) for p in _paragraphs(lines, right, starts)]
        page_items: list[_PTable | _PPara] = [*tables, *paras]
        page_items.sort(key=lambda x: x.top)
        if i + 1 in scanned:
            # the scan stands where its sections belong in reading order; nothing joins across it
            items.append(_PPara(i + 1, 0.0, [], "", scanned=True))
            continue
        if page_items and isinstance(page_items[0], _PTable) and items and isinstance(items[-1], _PTable):
            first, prev = page_items[0], items[-1]
            if prev.last_page == i and _same_columns(prev, first):
                _merge(prev, first)
                page_items = page_items[1:]
        if (page_items and isinstance(page_items[0], _PPara) and items and isinstance(items[-1], _PPara)
                and not items[-1].scanned):
            first_p, prev_p = page_items[0], items[-1]
            sep = _join(prev_p.lines[-1], first_p.lines[0], prev_p.right, first_p.left)
            if prev_p.page == i and sep != "\n" and not starts(first_p.lines[0].text):
                # a paragraph continued from the previous page
                prev_p.text += sep + first_p.text
                prev_p.more_chars += [c for ln in first_p.lines for c in ln.chars]
                page_items = page_items[1:]
        items += page_items

    blocks: list[Paragraph | Table] = []
    n_tables = n_paras = 0
    for it in items:
        if isinstance(it, _PTable):
            blocks.append(_to_table(it, n_tables))
            n_tables += 1
        elif it.scanned:
            blocks.append(Paragraph(text="", index=n_paras, has_picture=True, scanned=True,
                                    location=Location(kind="pdf", page=it.page)))
            n_paras += 1
        else:
            x0 = min(ln.x0 for ln in it.lines)
            bbox = _round((x0, it.top, max(ln.x1 for ln in it.lines), max(ln.bottom for ln in it.lines)))
            chars = [c for ln in it.lines for c in ln.chars] + it.more_chars
            blocks.append(Paragraph(text=it.text, index=n_paras, location=Location(kind="pdf", page=it.page, bbox=bbox),
                                    min_font_pt=_min_font(chars)))
            n_paras += 1
    return Document(format="pdf", blocks=tuple(blocks), properties=_properties(doc), pages=n_pages,
                    page_sizes=tuple(sizes), scanned_pages=scanned)


def _is_scanned(chars: list[_Char], images: list[BBox], size: tuple[float, float]) -> bool:
    """A page without a text layer that an image covers for the most part: a scan (a signed, stamped page)."""
    if sum(1 for c in chars if not c.text.isspace()) >= _MIN_CHARS_PER_PAGE:
        return False
    area = size[0] * size[1]
    covered = sum(max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1]) for b in images)
    return area > 0 and covered >= _SCAN_COVER * area


def _properties(doc: Any) -> dict[str, str]:
    """The Info dictionary under the docx core-property names (title, subject, keywords, creator)."""
    try:
        info = doc.get_metadata_dict(skip_empty=True)
    except Exception:  # a damaged Info dictionary only loses the properties
        return {}
    names = {"Title": "title", "Subject": "subject", "Keywords": "keywords", "Author": "creator"}
    return {names[k]: str(v).strip() for k, v in info.items() if k in names and str(v).strip()}
