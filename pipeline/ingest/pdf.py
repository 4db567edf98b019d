"""Read a PDF printed from the form into a Document: text via pypdfium2, table grids via pdfplumber's table finder."""

from __future__ import annotations

import bisect
import io
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from pipeline.ingest.problems import FileProblem
from pipeline.model import Cell, Document, Location, Paragraph, Table

BBox = tuple[float, float, float, float]

# a page needs at least this many visible characters on average to count as having a text layer
_MIN_CHARS_PER_PAGE = 10
# the most characters and path objects read from one page (a hostile file cannot make us loop for ever)
_MAX_CHARS = 50_000
_MAX_PATHS = 5_000
_TOL = 3.0
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

    def add(self, c: _Char) -> None:
        self.chars.append(c)
        self.x0, self.top = min(self.x0, c.x0), min(self.top, c.top)
        self.x1, self.bottom = max(self.x1, c.x1), max(self.bottom, c.bottom)

    @property
    def text(self) -> str:
        return "".join(c.text for c in sorted(self.chars, key=lambda c: c.x0))

    @property
    def size(self) -> float:
        return max((c.size for c in self.chars if not c.text.isspace()), default=0.0)

    def first_word_width(self) -> float:
        """Width of the unbreakable start of the line: a Latin run or a CJK character, with following closers."""
        cs = sorted(self.chars, key=lambda c: c.x0)
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


def _page_chars(pdfium: Any, page: Any, height: float) -> list[_Char]:
    """The page's visible characters (not pdfium's generated spaces and line breaks), in points, top-down."""
    raw = pdfium.raw
    tp = page.get_textpage()
    rect = raw.FS_RECTF()  # one box reused for every character: pypdfium2's get_charbox makes one per call
    try:
        n = min(tp.count_chars(), _MAX_CHARS)
        out: list[_Char] = []
        handle = tp.raw
        for i in range(n):
            code = raw.FPDFText_GetUnicode(handle, i)
            if raw.FPDFText_IsGenerated(handle, i) == 1:
                # pdfium's own spaces and line breaks: its gap-based spaces cannot be told from LibreOffice's
                # spacing between Chinese and Latin text, so none is kept
                continue
            if code in (0, 0xFFFE, 0xFFFF) or code in (10, 13):
                continue
            try:
                ch = chr(code)
            except ValueError:
                continue
            if not raw.FPDFText_GetLooseCharBox(handle, i, rect):
                continue
            left, bottom, right, top = rect.left, rect.bottom, rect.right, rect.top
            size = float(raw.FPDFText_GetFontSize(handle, i))
            if ch == "\t":
                ch = " "
            elif ch == "\x02":
                ch = "-"  # pdfium's code for a hyphen at a line break
            out.append(_Char(ch, left, height - top, right, height - bottom, size))
        return out
    finally:
        tp.close()


def _page_objects(pdfium: Any, page: Any) -> tuple[list[tuple[BBox, Any]], list[BBox]]:
    """The page's path objects (PDF bounds, raw handle) and image bounds, in one pass over the raw objects.

    pypdfium2's get_objects wraps every object (each run of text is one) in a Python object before filtering;
    a form page holds hundreds of them, and doing it twice (paths, then images) cost more than the table finder.
    """
    import ctypes

    raw = pdfium.raw
    paths: list[tuple[BBox, Any]] = []
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
    return edges


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
          mid: float | None = None) -> str:
    """The separator between two lines: "" at a soft wrap (" " between Latin words), else "\n"; word: next start."""
    size = prev.size or 10.0
    gap = nxt.top - prev.bottom
    soft = prev.x1 + (nxt.first_word_width() if word is None else word) > right - 0.3 * size
    centered = mid is not None and abs((nxt.x0 + nxt.x1) / 2 - mid) < 1.5
    indented = nxt.x0 > left + 0.8 * size and not centered
    if not soft or indented or gap > 1.2 * size:
        return "\n"
    a, b = prev.text, nxt.text
    # a line without any space that wraps is a word broken where it did not fit: no space added
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha() and " " in a.strip():
        return " "
    return ""


def _words(lines: list[_Line], right: float, left: float) -> list[float]:
    """Per line, the width of its unbreakable start, carried over lines that are one broken word each."""
    out = [ln.first_word_width() for ln in lines]
    for i in range(len(lines) - 2, -1, -1):
        ln, nx = lines[i], lines[i + 1]
        whole = out[i] >= (ln.x1 - ln.x0) - 0.5 and not any(c.text.isspace() for c in ln.chars)
        if whole and _LATIN.match(nx.text[:1] or " ") and _join(ln, nx, right, left, out[i + 1]) != "\n":
            out[i] += out[i + 1]
    return out


def _paragraphs(lines: list[_Line], right: float) -> list[list[_Line]]:
    """Visual lines into paragraphs (a line continues the paragraph when the previous one was a soft wrap)."""
    paras: list[list[_Line]] = []
    left = min((ln.x0 for ln in lines), default=0.0)
    words = _words(lines, right, left)
    for i, ln in enumerate(lines):
        if paras and _join(paras[-1][-1], ln, right, left, words[i]) != "\n":
            paras[-1].append(ln)
        else:
            paras.append([ln])
    return paras


def _text_of(lines: list[_Line], right: float, mid: float | None = None) -> str:
    """Lines of a cell joined by the soft-wrap rule (mid: the centre a centred line sits on)."""
    if not lines:
        return ""
    left = min(ln.x0 for ln in lines)
    words = _words(lines, right, left)
    parts = [lines[0].text]
    for i, (a, b) in enumerate(itertools.pairwise(lines)):
        parts.append(_join(a, b, right, left, words[i + 1], mid))
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


@dataclass
class _PPara:
    page: int
    top: float
    lines: list[_Line]
    text: str
    left: float = 0.0
    right: float = 0.0
    more_chars: list[_Char] = field(default_factory=list)


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
        raise _corrupt(f"PDF cannot be opened ({e})", "PDF 无法打开（文件损坏）") from None
    except Exception as e:  # any library failure on a hostile file is a damaged file
        raise _corrupt(f"PDF cannot be opened ({type(e).__name__})", "PDF 无法打开（文件损坏）") from None
    return pdfium, doc


def _holds_form(chars: list[_Char], words: frozenset[str]) -> bool:
    """Whether a page's text names one of the form's labels or headings (all pages, when none are given)."""
    if not words:
        return True
    text = "".join(c.text for c in chars if not c.text.isspace())
    return any(w in text for w in words)


def read_pdf(data: bytes, limits: dict[str, Any], form_words: frozenset[str] = frozenset()) -> Document:
    """Read PDF bytes into a Document; raises FileProblem for an encrypted, damaged or image-only file.

    `form_words`: the form's label keys; pdfplumber's slow parser (for drawings pypdfium2 cannot outline) runs only
    on pages that name one of them."""
    pdfium, doc = _open(data)
    try:
        return _read(pdfium, doc, data, limits, form_words)
    except FileProblem:
        raise
    except Exception as e:  # any library failure on a hostile file is a damaged file
        raise _corrupt(f"PDF cannot be read ({type(e).__name__})", "PDF 无法读取（文件损坏）") from None
    finally:
        doc.close()


def _read(pdfium: Any, doc: Any, data: bytes, limits: dict[str, Any], form_words: frozenset[str]) -> Document:
    n_pages = len(doc)
    if n_pages == 0:
        raise _corrupt("the PDF has no pages", "PDF 没有页面")
    max_pages = int(limits.get("max_pdf_pages", 300))
    if n_pages > max_pages:
        raise FileProblem("file.too_large", reason_zh=f"页数过多（{n_pages}页）",
                          reason_en=f"too many pages ({n_pages})")
    sizes: list[tuple[float, float]] = []
    page_chars: list[list[_Char]] = []
    page_edges: list[list[dict[str, Any]] | None] = []
    page_images: list[list[BBox]] = []
    for i in range(n_pages):
        page = doc[i]
        try:
            w, h = page.get_size()
            sizes.append((round(float(w), 2), round(float(h), 2)))
            page_chars.append(_page_chars(pdfium, page, h))
            paths, images = _page_objects(pdfium, page)
            page_edges.append(_page_edges(pdfium, paths, h))
            page_images.append(_page_images(images, h))
        finally:
            page.close()
    visible = sum(1 for cs in page_chars for c in cs if not c.text.isspace())
    if visible < max(20, _MIN_CHARS_PER_PAGE * n_pages):
        raise FileProblem("file.no_text_layer")

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
            rest = [c for c in chars if not any(_inside(c, (t.xs[0], t.top, t.xs[-1], t.bottom)) for t in tables)]
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
        paras = [_PPara(i + 1, p[0].top, p, _text_of(p, right), left, right) for p in _paragraphs(lines, right)]
        page_items: list[_PTable | _PPara] = [*tables, *paras]
        page_items.sort(key=lambda x: x.top)
        if page_items and isinstance(page_items[0], _PTable) and items and isinstance(items[-1], _PTable):
            first, prev = page_items[0], items[-1]
            if prev.page == i and _same_columns(prev, first):
                _merge(prev, first)
                page_items = page_items[1:]
        if page_items and isinstance(page_items[0], _PPara) and items and isinstance(items[-1], _PPara):
            first_p, prev_p = page_items[0], items[-1]
            sep = _join(prev_p.lines[-1], first_p.lines[0], prev_p.right, first_p.left)
            if prev_p.page == i and sep != "\n":
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
        else:
            x0 = min(ln.x0 for ln in it.lines)
            bbox = _round((x0, it.top, max(ln.x1 for ln in it.lines), max(ln.bottom for ln in it.lines)))
            chars = [c for ln in it.lines for c in ln.chars] + it.more_chars
            blocks.append(Paragraph(text=it.text, index=n_paras, location=Location(kind="pdf", page=it.page, bbox=bbox),
                                    min_font_pt=_min_font(chars)))
            n_paras += 1
    return Document(format="pdf", blocks=tuple(blocks), properties=_properties(doc), pages=n_pages,
                    page_sizes=tuple(sizes))


def _properties(doc: Any) -> dict[str, str]:
    """The Info dictionary under the docx core-property names (title, subject, keywords, creator)."""
    try:
        info = doc.get_metadata_dict(skip_empty=True)
    except Exception:  # a damaged Info dictionary only loses the properties
        return {}
    names = {"Title": "title", "Subject": "subject", "Keywords": "keywords", "Author": "creator"}
    return {names[k]: str(v).strip() for k, v in info.items() if k in names and str(v).strip()}
