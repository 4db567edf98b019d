"""Fill the blank form programmatically, as a person would in Word: by label, header and heading."""

from __future__ import annotations

import copy
import re
from typing import Any

from docx.oxml.ns import qn
from docx.table import Table, _Cell

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
CHECKED, UNCHECKED = "☒", "☐"


def norm(text: str) -> str:
    """Whitespace removed."""
    return re.sub(r"\s+", "", text)


def unique_cells(row: Any) -> list[_Cell]:
    """A row's physical cells (python-docx repeats a cell for each grid column it spans)."""
    out: list[_Cell] = []
    seen: set[int] = set()
    for tc in row._tr.tc_lst:
        if id(tc) not in seen:
            seen.add(id(tc))
            out.append(_Cell(tc, row.table))
    return out


def set_cell_text(cell: _Cell, text: str) -> None:
    """Replace a cell's text, keeping its first paragraph's formatting; lines become paragraphs."""
    paragraphs = cell.paragraphs
    first = paragraphs[0]
    for p in paragraphs[1:]:
        p._p.getparent().remove(p._p)
    for child in list(first._p):
        if child.tag != qn("w:pPr"):
            first._p.remove(child)
    lines = text.split("\n") if text else [""]
    if lines[0]:
        first.add_run(lines[0])
    for line in lines[1:]:
        p = copy.deepcopy(first._p)
        for child in list(p):
            if child.tag != qn("w:pPr"):
                p.remove(child)
        cell._tc.append(p)
        from docx.text.paragraph import Paragraph

        Paragraph(p, cell).add_run(line)


def label_cell(doc: Any, label: str, tables: list[Table] | None = None) -> tuple[Table, int, list[_Cell], int] | None:
    """The (table, row index, cells, cell index) of the cell whose first line is the label."""
    for t in tables if tables is not None else doc.tables:
        for r, row in enumerate(t.rows):
            cells = unique_cells(row)
            for i, c in enumerate(cells):
                if c.paragraphs and norm(c.paragraphs[0].text) == norm(label):
                    return t, r, cells, i
    return None


def set_field(doc: Any, label: str, value: str, tables: list[Table] | None = None) -> _Cell:
    """Type a value into the cell after a label."""
    hit = label_cell(doc, label, tables)
    if hit is None:
        raise KeyError(label)
    _, _, cells, i = hit
    set_cell_text(cells[i + 1], value)
    return cells[i + 1]


def heading_box(doc: Any, title: str) -> _Cell:
    """The writing box (a one-cell table) after a heading paragraph."""
    return section_table(doc, title).cell(0, 0)


def section_table(doc: Any, title: str) -> Table:
    """The first table after a section's heading paragraph."""
    body = doc.element.body
    for p in body.iter(qn("w:p")):
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        if norm(text).startswith(norm(title)) and p.getparent() is body:
            nxt = p.getnext()
            while nxt is not None and nxt.tag != qn("w:tbl"):
                nxt = nxt.getnext()
            if nxt is None:
                break
            return Table(nxt, doc)
    raise KeyError(title)


def header_row(doc: Any, labels: list[str]) -> tuple[Table, int, dict[str, int]]:
    """The table and row whose cells are these column labels, with each label's cell index."""
    want = [norm(x) for x in labels]
    for t in doc.tables:
        for r, row in enumerate(t.rows):
            texts = [norm(c.text) for c in unique_cells(row)]
            if all(w in texts for w in want):
                return t, r, {labels[k]: texts.index(w) for k, w in enumerate(want)}
    raise KeyError(labels)


def ensure_rows(table: Table, first: int, count: int) -> None:
    """At least `count` data rows from row `first` on, copying the last data row as Word's 'insert row' does."""
    rows = table.rows
    have = len(rows) - first
    last = rows[first + max(have, 1) - 1]._tr
    for _ in range(count - have):
        new = copy.deepcopy(last)
        for t in new.iter(qn("w:t")):
            t.text = ""
        last.addnext(new)
        last = new


def set_checkbox(sdt: Any, checked: bool) -> None:
    """Tick or untick a Word content-control checkbox."""
    for el in sdt.iter(f"{{{W14}}}checked"):
        el.set(f"{{{W14}}}val", "1" if checked else "0")
    for t in sdt.iter(qn("w:t")):
        if t.text and t.text.strip() in (CHECKED, UNCHECKED, "☑", "□", "■"):
            t.text = CHECKED if checked else UNCHECKED


def _checkboxes(el: Any) -> list[Any]:
    return [s for s in el.iter(qn("w:sdt")) if s.find(f".//{{{W14}}}checkbox") is not None]


def tick_options(cell: _Cell, options: list[str]) -> None:
    """Tick the checkboxes standing before these options (☐卓越绩效　☐六西格玛 …)."""
    for p in cell._tc.iter(qn("w:p")):
        children = list(p)
        for k, ch in enumerate(children):
            if ch.tag != qn("w:sdt") or ch.find(f".//{{{W14}}}checkbox") is None:
                continue
            text = ""
            for nxt in children[k + 1:]:
                if nxt.tag == qn("w:sdt"):
                    break
                text += "".join(t.text or "" for t in nxt.iter(qn("w:t")))
            if norm(text) in options:
                set_checkbox(ch, True)


def tick_item(doc: Any, label: str, checked: bool = True) -> None:
    """Tick a checklist row's box (the row whose cell reads `label`)."""
    hit = label_cell(doc, label)
    if hit is None:
        raise KeyError(label)
    _, _, cells, _ = hit
    for c in cells:
        boxes = _checkboxes(c._tc)
        if boxes:
            set_checkbox(boxes[0], checked)
            return
    raise KeyError(f"no checkbox in the row of {label}")
