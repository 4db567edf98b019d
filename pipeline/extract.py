"""Document + Call -> Application: find each value by its label, with where it was found."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pipeline.calls import Call, FieldSpec, Section
from pipeline.model import Application, Cell, Document, Location, Paragraph, Table

TICKED = "☑☒■✓✔√✗✘▣◼●"
UNTICKED = "☐□○◻"
MARKS = TICKED + UNTICKED
PICTURE_VALUE = "〔签名图片〕"

_SPACE = re.compile(r"\s+")
_HINT = re.compile(r"[(（][^()（）]*[)）]")
_HEADING_PREFIX = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|\d{1,2}\s*[、.．]|[(（][一二三四五六七八九十\d]+[)）])\s*")
_PUNCT = re.compile(r"[/／、,，.。:：;；\-—_·]")


def norm(text: str) -> str:
    """NFKC, no whitespace: the form in which labels are compared."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=16384)
def label_key(text: str) -> str:
    """A label's comparison key: no whitespace, hints in brackets, required marks, punctuation or colons.

    Cached: the same cell texts (the form's own labels) come back in every table scan and every file."""
    t = norm(text)
    t = _HINT.sub("", t)
    t = t.lstrip("*＊")
    return _PUNCT.sub("", t)


def heading_key(text: str) -> str:
    """A section heading's key: its label key without the leading numeral."""
    return label_key(_HEADING_PREFIX.sub("", unicodedata.normalize("NFKC", text)))


@lru_cache(maxsize=256)
def _label_regex(label: str) -> re.Pattern[str]:
    chars = [re.escape(c) for c in _SPACE.sub("", label)]
    body = r"\s*".join(chars)
    # the label, an optional hint in brackets, then a colon or whitespace, then the value
    # a hint in brackets, a colon, white space, or nothing when the value starts with a digit or Latin letter
    # (会员编号210458: PDF printers drop the space there, and no label goes on with an ASCII character)
    sep = r"(?:\s*[(（][^()（）]*[)）]\s*[:：]?|\s*[:：]|\s+|(?=[0-9A-Za-z@]))"
    return re.compile(r"^\s*[*＊]?\s*" + body + sep + r"\s*(.*)$", re.S)


def value_after_label(text: str, label: str, hint: str | None = None) -> str | None:
    """The value typed after a label in the same cell or paragraph (项目名称：XX), as typed, or None.

    The form's own hint under the label (（不超过30字）) is not part of the value."""
    m = _label_regex(label).match(text)
    if not m:
        return None
    value = m.group(1)
    if hint:
        value = re.sub(r"[(（]\s*" + re.escape(hint) + r"\s*[)）]", "", value)
    return value.strip()


@dataclass(frozen=True)
class Unit:
    """A piece of text in reading order: a paragraph or a table cell."""

    text: str
    key: str
    location: Location
    cell: Cell | None = None
    paragraph: Paragraph | None = None
    table: Table | None = None

    @property
    def has_picture(self) -> bool:
        return bool((self.cell and self.cell.has_picture) or (self.paragraph and self.paragraph.has_picture))


def linearize(doc: Document) -> list[Unit]:
    """Every paragraph and every cell, in reading order (a merged cell counted once)."""
    units: list[Unit] = []
    for b in doc.blocks:
        if isinstance(b, Table):
            for row in b.rows:
                for c in row:
                    if not c.merged_from_above:
                        units.append(Unit(c.text, label_key(c.text), c.location, cell=c, table=b))
        else:
            units.append(Unit(b.text, label_key(b.text), b.location, paragraph=b))
    return units


@lru_cache(maxsize=8)
def heading_keys(call: Call) -> dict[str, str]:
    """Each section heading's key -> the section id."""
    return {heading_key(s.title): s.id for s in call.sections}


@lru_cache(maxsize=8)
def field_keys(call: Call) -> frozenset[str]:
    """The keys of every label of the form: fields, checklist items, table columns, the basis."""
    keys: set[str] = set()
    for s in call.sections:
        keys.update(label_key(f.label) for f in (*s.fields, *s.items, *s.columns))
        if s.basis:
            keys.add(label_key(s.basis.label))
    return frozenset(keys)


def form_words(call: Call) -> frozenset[str]:
    """Label and heading keys specific enough (3 characters or more) to tell that a page holds the form."""
    return frozenset(k for k in (*field_keys(call), *heading_keys(call)) if len(k) >= 3)


class Finder:
    """Label and heading look-ups over a linearized document, and its section regions."""

    def __init__(self, doc: Document, call: Call) -> None:
        self.doc = doc
        self.call = call
        self.units = linearize(doc)
        self.tables = [b for b in doc.blocks if isinstance(b, Table)]
        self.heading_keys = heading_keys(call)
        self.field_keys = field_keys(call)
        self.headings = self._find_headings()
        self.regions = self._regions()

    def _is_heading(self, u: Unit) -> str | None:
        if not u.text.strip() or len(u.text) > 200:
            return None
        k = heading_key(u.text)
        sid = self.heading_keys.get(k)
        if sid is None:
            return None
        numbered = bool(_HEADING_PREFIX.match(unicodedata.normalize("NFKC", u.text)))
        if not numbered and u.key in self.field_keys:
            return None  # 推荐单位意见 as a label cell, not the heading of section 十三
        return sid

    def _find_headings(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for i, u in enumerate(self.units):
            sid = self._is_heading(u)
            if sid is not None and sid not in found:
                found[sid] = i
        return found

    def _regions(self) -> dict[str, tuple[int, int]]:
        starts = sorted((i, sid) for sid, i in self.headings.items())
        out: dict[str, tuple[int, int]] = {}
        for n, (i, sid) in enumerate(starts):
            end = starts[n + 1][0] if n + 1 < len(starts) else len(self.units)
            out[sid] = (i, end)
        return out

    def region(self, section_id: str) -> range:
        """Unit indexes of a section (the whole document when its heading was not found)."""
        a, b = self.regions.get(section_id, (0, len(self.units)))
        return range(a, b)

    def next_in_row(self, i: int) -> Unit | None:
        u = self.units[i]
        if u.cell is None:
            return None
        for j in range(i + 1, len(self.units)):
            v = self.units[j]
            if v.cell is None or v.cell.table != u.cell.table or v.cell.row != u.cell.row:
                return None
            return v
        return None

    def find_label(self, spec: FieldSpec, section: Section) -> tuple[str, Location, bool] | None:
        """A field's (value, location, has_picture) by its label: the section first, then the document."""
        key = label_key(spec.label)
        for scope in (self.region(section.id), range(len(self.units))):
            # exact label unit: the value is the next cell of its row, or typed after it
            for i in scope:
                u = self.units[i]
                if u.key != key or self._is_heading(u):
                    continue
                nxt = self.next_in_row(i)
                if nxt is not None and nxt.key not in self.field_keys:
                    return nxt.text.strip(), nxt.location, nxt.has_picture
                if nxt is None and u.paragraph is not None:
                    # a label alone on its line: the value is the next paragraph when that is not a label
                    if i + 1 < len(self.units):
                        v = self.units[i + 1]
                        if v.paragraph is not None and v.key not in self.field_keys and not self._is_heading(v):
                            return v.text.strip(), v.location, v.has_picture
                    return "", u.location, u.has_picture
                return "", nxt.location if nxt else u.location, False
            # the value typed in the same cell or paragraph after the label
            for i in scope:
                u = self.units[i]
                if not u.key.startswith(key) or u.key == key:
                    continue
                value = value_after_label(u.text, spec.label, spec.hint)
                if value is None:
                    continue
                nxt = self.next_in_row(i)
                if nxt is not None and nxt.text.strip() and nxt.key not in self.field_keys:
                    return nxt.text.strip(), nxt.location, nxt.has_picture
                return value, u.location, u.has_picture
        return None


def ticked_options(text: str, options: tuple[str, ...]) -> list[str] | None:
    """Options ticked in a text like ☐卓越绩效 ☑六西格玛; None when the text has no marks at all."""
    t = unicodedata.normalize("NFC", text)
    if not any(m in t for m in MARKS) and not re.search(r"(?:^|\s)[Xx×]\s*\S", t):
        return None
    taken = [False] * len(t)
    found: list[tuple[int, str]] = []
    for opt in sorted(options, key=len, reverse=True):
        for m in re.finditer(re.escape(opt), t):
            if any(taken[m.start():m.end()]):
                continue
            for k in range(m.start(), m.end()):
                taken[k] = True
            before = t[:m.start()].rstrip()
            if before and (before[-1] in TICKED or before[-1] in "Xx×"):
                found.append((m.start(), opt))
    return [opt for _, opt in sorted(found)]


def is_mark_cell(text: str) -> bool:
    """A cell holding only a tick box (or an X)."""
    t = norm(text)
    return bool(t) and len(t) <= 2 and all(c in MARKS or c in "Xx×" for c in t)


def mark_ticked(text: str) -> bool:
    """Whether a mark text is ticked."""
    t = norm(text)
    return any(c in TICKED or c in "Xx×" for c in t)


_DATE = (r"\d{4}\s*(?:年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|[.\-/]\s*\d{1,2}(?:\s*[.\-/]\s*\d{1,2})?)")
_RANGE = re.compile(r"^\s*(" + _DATE + r")\s*(?:至|到|—+|–|-|~|～)\s*(" + _DATE + r")\s*$")


def split_range(text: str) -> tuple[str, str] | None:
    """Two dates joined by 至, 到, —, –, - or ~ (2019年3月至2020年12月), or None."""
    m = _RANGE.match(unicodedata.normalize("NFKC", text).replace("\u2014", "—"))
    if not m:
        return None
    return m.group(1).strip(), m.group(2).strip()


class _Extractor:
    def __init__(self, doc: Document, call: Call, finder: Finder | None = None) -> None:
        self.f = finder or Finder(doc, call)
        self.call = call
        self.app = Application(properties=dict(doc.properties))
        self.found = 0
        self.total = 0

    def put(self, path: str, value: object, loc: Location) -> None:
        self.app.locations[path] = loc
        if value is None or value == "" or value == [] or value == {}:
            return
        self.app.values[path] = value

    def count(self, ok: bool) -> None:
        self.total += 1
        self.found += int(ok)

    def run(self) -> Application:
        for s in self.call.sections:
            self.count(s.id in self.f.headings)
            if s.kind == "fields":
                self.fields(s)
            elif s.kind == "table":
                self.table(s)
            elif s.kind == "text":
                self.text(s)
            elif s.kind == "checklist":
                self.checklist(s)
        self.app.labels_found = self.found
        self.app.labels_total = self.total
        return self.app

    def fields(self, s: Section) -> None:
        for spec in s.fields:
            hit = self.f.find_label(spec, s)
            self.count(hit is not None)
            if hit is None:
                continue
            value, loc, picture = hit
            if spec.type == "signature" and not value and picture:
                value = PICTURE_VALUE
            if spec.widget == "choice" and spec.enum:
                ticked = ticked_options(value, self.call.enum_values(spec.enum))
                if ticked is not None:
                    value = "、".join(ticked)
            if spec.type == "date_range" and len(spec.parts) == 2:
                start, end = spec.parts
                parts = split_range(value) if value else None
                if parts:
                    self.put(start, parts[0], loc)
                    self.put(end, parts[1], loc)
                else:
                    self.put(start, value, loc)
                    self.app.locations[end] = loc
                    if value:
                        self.app.unsplit.add(end)
                continue
            if not spec.one_line and "\n" in value:
                value = value.strip()
            self.put(spec.id, value, loc)

    def text(self, s: Section) -> None:
        assert s.spec is not None
        idx = self.f.headings.get(s.id)
        if idx is None:
            return
        head = self.f.units[idx]
        parts = []
        after = value_after_label(_HEADING_PREFIX.sub("", head.text), s.heading, s.spec.hint)
        if after:
            parts.append(after)
        a, b = self.f.region(s.id).start + 1, self.f.region(s.id).stop
        loc = self.f.units[a].location if a < b else head.location
        for u in self.f.units[a:b]:
            if u.text.strip():
                parts.append(u.text.strip())
        self.put(s.spec.id, "\n".join(parts).strip(), loc)

    def checklist(self, s: Section) -> None:
        scope = self.f.region(s.id)
        for item in s.items:
            key = label_key(item.label)
            value, loc, hit = False, None, False
            for i in scope:
                u = self.f.units[i]
                if u.key == key and u.cell is not None:
                    hit, loc = True, u.location
                    row = [v for v in self.f.units if v.cell is not None and v.cell.table == u.cell.table
                           and v.cell.row == u.cell.row and v is not u]
                    marks = [v for v in row if is_mark_cell(v.text)]
                    if marks:
                        value, loc = mark_ticked(marks[0].text), marks[0].location
                    else:
                        value = bool(ticked_options(u.text, (item.label,)))
                    break
                if item.label in unicodedata.normalize("NFKC", u.text).replace(" ", ""):
                    t = ticked_options(u.text.replace(" ", ""), tuple(x.label for x in s.items))
                    if t is not None:
                        hit, loc, value = True, u.location, item.label in t
                        break
            self.count(hit)
            self.app.values[item.id] = value
            self.app.locations[item.id] = loc or Location(kind="docx")

    def _header(self, s: Section) -> tuple[Table, int, dict[str, int]] | None:
        keys = {c.id: label_key(c.label) for c in s.columns}
        need = max(2, (len(keys) + 1) // 2)
        region = self.f.region(s.id)
        in_region = {u.cell.table for u in (self.f.units[i] for i in region) if u.cell is not None}
        best: tuple[int, int, Table, int, dict[str, int]] | None = None
        for t in self.f.tables:
            for r, row in enumerate(t.rows):
                cols: dict[str, int] = {}
                row_keys = [(label_key(c.text), c) for c in row]
                for cid, k in keys.items():
                    for ck, c in row_keys:
                        if ck and (ck == k or (len(k) >= 2 and ck.startswith(k))):
                            cols[cid] = c.grid_col
                            break
                if len(cols) >= need:
                    score = (len(cols), int(t.index in in_region))
                    if best is None or score > best[:2]:
                        best = (score[0], score[1], t, r, cols)
        return None if best is None else (best[2], best[3], best[4])

    def _row_values(self, row: tuple[Cell, ...], cols: dict[str, int]) -> dict[str, Cell]:
        out: dict[str, Cell] = {}
        for cid, g in cols.items():
            for c in row:
                if c.grid_col <= g < c.grid_col + c.span:
                    out[cid] = c
                    break
        return out

    def _stop_row(self, row: tuple[Cell, ...]) -> bool:
        for c in row:
            u = Unit(c.text, label_key(c.text), c.location, cell=c)
            if self.f._is_heading(u):
                return True
        return False

    def table(self, s: Section) -> None:
        assert s.field is not None
        self.total += len(s.columns)
        header = self._header(s)
        rows: list[dict[str, str]] = []
        if header is None:
            self.app.values[s.field] = rows
            return
        t, hr, cols = header
        self.found += len(cols)
        self.app.locations[s.field] = t.rows[hr][0].location
        data_cols = {c.id for c in s.columns if c.auto is None}
        total_keys = {label_key(x) for x in (s.total_label, "合计", "总计") if x}
        basis_key = label_key(s.basis.label) if s.basis else None
        for row in t.rows[hr + 1:]:
            if self._stop_row(row):
                break
            cells = self._row_values(row, cols)
            texts = {cid: cells[cid].text.strip() for cid in cells}
            if basis_key and any(label_key(c.text) == basis_key for c in row):
                continue
            if s.year_column and s.total_field:
                year_text = label_key(texts.get(s.year_column, ""))
                if year_text in total_keys:
                    total = {cid: texts[cid] for cid in data_cols - {s.year_column} if texts.get(cid)}
                    for cid in data_cols - {s.year_column}:
                        if cid in cells:
                            self.app.locations[f"{s.total_field}.{cid}"] = cells[cid].location
                    self.put(s.total_field, total, row[0].location)
                    continue
            item = {cid: v for cid, v in texts.items() if cid in data_cols and v}
            if not item:
                continue
            if s.year_column and s.year_column in item:
                # a year row with blank amounts still counts: blank cells mean 0
                item[s.year_column] = re.sub(r"\s*年度?$", "", item[s.year_column])
            i = len(rows)
            rows.append(item)
            self.app.locations[f"{s.field}[{i}]"] = row[0].location
            for cid, cell in cells.items():
                self.app.locations[f"{s.field}[{i}].{cid}"] = cell.location
        self.app.values[s.field] = rows
        if s.basis is not None:
            hit = self.f.find_label(s.basis, s)
            self.count(hit is not None)
            if hit is not None:
                self.put(s.basis.id, hit[0], hit[1])


def extract(doc: Document, call: Call, finder: Finder | None = None) -> Application:
    """Every value of the call's form found in the document, with its location (reusing a Finder if given)."""
    return _Extractor(doc, call, finder).run()
