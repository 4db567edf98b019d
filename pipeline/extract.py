"""Document + Call -> Application: find each value by its label, with where it was found."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pipeline.calls import Call, FieldSpec, Section
from pipeline.model import Application, Cell, Document, Location, Paragraph, Table
from pipeline.text import nfkc, nfkc_no_spaces, no_spaces

TICKED = "☑☒■✓✔√✗✘▣◼●"
UNTICKED = "☐□○◻"
MARKS = TICKED + UNTICKED
# an X (or ×) written as a tick: only standing alone, never a letter of a word or a code (X光, 附件X)
_CROSS = re.compile(r"(?<![A-Za-z0-9\u3400-\u9fff])[Xx×](?![A-Za-z0-9\u3400-\u9fff])")
# what a whole cell of an item's row says when it is a word, not a mark (是。 / 无); never a character of a note
YES_WORDS = frozenset({"是", "有"})
NO_WORDS = frozenset({"否", "无", "没有", "暂无"})
PICTURE_VALUE = "〔签名图片〕"
# Ways of writing that hold for any call (generic conventions of written Chinese, not call data):
# a field that says "nothing" is a blank one, and digits may be written as Chinese numerals.
NOTHING_WORDS = frozenset({"无", "暂无", "没有", "空"})
NOTHING_MARKS = frozenset("-‐‑‒–—―─/")  # a dash or a slash alone (after NFKC, so － and ／ too)
HAN_ZEROS = "〇零○Oo"  # ○ and the letter O stand in for 〇 when typed
HAN_DIGITS = "一二三四五六七八九"

_HINT = re.compile(r"[(（][^()（）]*[)）]")
_HEADING_PREFIX = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|\d{1,2}\s*[、.．]|[(（][一二三四五六七八九十\d]+[)）])\s*")
_PUNCT = re.compile(r"[/／、,，.。:：;；\-—_·]")


def is_nothing(text: str) -> bool:
    """Whether a value says "nothing" (无, 暂无, 没有, 空, 无。, a dash or a slash alone): read as left blank."""
    t = nfkc_no_spaces(text).rstrip("。.")
    return t in NOTHING_WORDS or (bool(t) and all(c in NOTHING_MARKS for c in t))


@lru_cache(maxsize=16384)
def label_key(text: str) -> str:
    """A label's comparison key: no whitespace, hints in brackets, required marks, punctuation or colons.

    Cached: the same cell texts (the form's own labels) come back in every table scan and every file."""
    t = nfkc_no_spaces(text)
    t = _HINT.sub("", t)
    t = t.lstrip("*＊")
    return _PUNCT.sub("", t)


def heading_key(text: str) -> str:
    """A section heading's key: its label key without the leading numeral."""
    return label_key(_HEADING_PREFIX.sub("", nfkc(text)))


@lru_cache(maxsize=256)
def _label_regex(label: str) -> re.Pattern[str]:
    chars = [re.escape(c) for c in no_spaces(label)]
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


@lru_cache(maxsize=8)
def label_keys(call: Call) -> frozenset[str]:
    """Keys of every label of the form, the cover's included: a cell or line holding one is never a value."""
    return field_keys(call) | {label_key(x) for x in call.cover}


@lru_cache(maxsize=8)
def _cover_keys(call: Call) -> frozenset[str]:
    """The cover's labels as written there, hint included (申报单位（盖章）), without colon."""
    return frozenset(nfkc_no_spaces(x) for x in call.cover)


@lru_cache(maxsize=8)
def _label_start(call: Call) -> re.Pattern[str]:
    """A line that starts with one of the form's labels followed by a colon (项目名称：…, as a retyped form has)."""
    labels = sorted({no_spaces(f.label) for s in call.sections for f in (*s.fields, *s.items)}
                    | {no_spaces(_HINT.sub("", x)) for x in call.cover}, key=len, reverse=True)
    alts = "|".join(r"\s*".join(re.escape(c) for c in label) for label in labels)
    return re.compile(r"^\s*[*＊]?\s*(?:" + alts + r")\s*(?:[(（][^()（）]*[)）]\s*)?[:：]")


def block_starter(call: Call) -> Callable[[str], bool]:
    """Whether a line of text is one of the form's headings or labels, so it always starts a new block.

    A PDF reader joins a line onto the one before when that one ran to the margin; a heading at the top of a page
    or a label line must never be joined so, wherever the line before it ended (call-2021.md §2)."""
    headings, labels, start = heading_keys(call), label_keys(call), _label_start(call)

    def starts(text: str) -> bool:
        if len(text) > 120:
            return False
        return heading_key(text) in headings or label_key(text) in labels or bool(start.match(text))

    return starts


def _in_order(candidates: list[tuple[int, int, str]]) -> dict[str, int]:
    """The largest set of heading candidates (unit index, section order, id) whose order follows the form's.

    A heading named out of place (a later section's title quoted early) must not hide the real ones: the longest
    chain in both document and form order wins, the earliest occurrence on ties."""
    n = len(candidates)
    best = [1] * n
    prev = [-1] * n
    for j in range(n):
        for i in range(j):
            if candidates[i][1] < candidates[j][1] and best[i] + 1 > best[j]:
                best[j], prev[j] = best[i] + 1, i
    if not n:
        return {}
    k = max(range(n), key=lambda j: (best[j], -j))
    chain: dict[str, int] = {}
    while k >= 0:
        chain[candidates[k][2]] = candidates[k][0]
        k = prev[k]
    return chain


class Finder:
    """Label and heading look-ups over a linearized document, and its section regions."""

    def __init__(self, doc: Document, call: Call) -> None:
        self.doc = doc
        self.call = call
        self.units = linearize(doc)
        self.tables = [b for b in doc.blocks if isinstance(b, Table)]
        self.heading_keys = heading_keys(call)
        self.field_keys = field_keys(call)
        self.label_keys = label_keys(call)
        self.order = {s.id: n for n, s in enumerate(call.sections)}
        self.headings = self._find_headings()
        self.regions = self._regions()
        self.cover = self._cover()
        self.scanned = self._scanned()

    def _is_heading(self, u: Unit) -> str | None:
        if not u.text.strip() or len(u.text) > 200:
            return None
        k = heading_key(u.text)
        sid = self.heading_keys.get(k)
        if sid is None:
            return None
        numbered = bool(_HEADING_PREFIX.match(nfkc(u.text)))
        if not numbered and u.key in self.field_keys:
            return None  # 推荐单位意见 as a label cell, not the heading of section 十三
        return sid

    def _find_headings(self) -> dict[str, int]:
        candidates = []
        for i, u in enumerate(self.units):
            sid = self._is_heading(u)
            if sid is not None:
                candidates.append((i, self.order[sid], sid))
        return _in_order(candidates)

    def _regions(self) -> dict[str, tuple[int, int]]:
        """Each section's units: from its heading to the next found one; a section whose heading is missing gets
        the stretch between the found headings of the sections around it (never the whole document)."""
        found = sorted((self.order[sid], i) for sid, i in self.headings.items())
        out: dict[str, tuple[int, int]] = {}
        for s in self.call.sections:
            k = self.order[s.id]
            start = self.headings.get(s.id, max((i + 1 for o, i in found if o < k), default=0))
            end = min((i for o, i in found if o > k), default=len(self.units))
            out[s.id] = (start, max(start, end))
        return out

    def _cover(self) -> frozenset[int]:
        """Units of the cover page: its labels, before the first section heading; never a section's field."""
        first = min(self.headings.values(), default=len(self.units))
        keys = _cover_keys(self.call)
        return frozenset(i for i in range(first) if nfkc_no_spaces(self.units[i].text).rstrip(":：_") in keys)

    def _scanned(self) -> frozenset[str]:
        """Sections whose heading is missing where a scanned page stands in their place (call-2021.md §2.9)."""
        marks = [i for i, u in enumerate(self.units) if u.paragraph is not None and u.paragraph.scanned]
        return frozenset(s.id for s in self.call.sections if s.id not in self.headings
                         and any(i in self.region(s.id) for i in marks))

    def region(self, section_id: str) -> range:
        """Unit indexes of a section."""
        a, b = self.regions.get(section_id, (0, len(self.units)))
        return range(a, b)

    def is_label(self, u: Unit) -> bool:
        """Whether a unit is itself one of the form's labels (with or without its colon or hint)."""
        return u.key in self.label_keys

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
        """A field's (value, location, has_picture) by its label: the section first, then the document.

        The cover's labels never stand in for a section's, and a value is never another label."""
        key = label_key(spec.label)
        for scope in (self.region(section.id), range(len(self.units))):
            # exact label unit: the value is the next cell of its row, or typed after it
            for i in scope:
                u = self.units[i]
                if u.key != key or i in self.cover or self._is_heading(u):
                    continue
                nxt = self.next_in_row(i)
                if nxt is not None and not self.is_label(nxt):
                    return nxt.text.strip(), nxt.location, nxt.has_picture
                if nxt is None and u.paragraph is not None:
                    # a label alone on its line: the value is the next paragraph when that is not a label
                    if i + 1 < len(self.units):
                        v = self.units[i + 1]
                        if v.paragraph is not None and not self.is_label(v) and not self._is_heading(v):
                            return v.text.strip(), v.location, v.has_picture
                    return "", u.location, u.has_picture
                return "", nxt.location if nxt else u.location, False
            # the value typed in the same cell or paragraph after the label
            for i in scope:
                u = self.units[i]
                if not u.key.startswith(key) or u.key == key or i in self.cover:
                    continue
                value = value_after_label(u.text, spec.label, spec.hint)
                if value is None:
                    continue
                nxt = self.next_in_row(i)
                if nxt is not None and nxt.text.strip() and not self.is_label(nxt):
                    return nxt.text.strip(), nxt.location, nxt.has_picture
                if label_key(value) in self.label_keys:
                    value = ""
                return value, u.location, u.has_picture
        return None


def _has_tick(text: str) -> bool:
    """Whether a piece of text holds a tick: a ticked box or mark, or an X standing alone."""
    return any(c in TICKED for c in text) or bool(_CROSS.search(text))


def _has_mark(text: str) -> bool:
    return any(c in MARKS for c in text) or bool(_CROSS.search(text))


def ticked_options(text: str, options: tuple[str, ...]) -> list[str] | None:
    """Options ticked in a text like ☐卓越绩效 ☑六西格玛; None when the text has no marks at all.

    Each option owns the marks next to it: those before it when the boxes stand before the options (as in the
    form), a mark typed right after an option (卓越绩效√　☐六西格玛) included; those after it when no option has a
    mark before it (卓越绩效√ 六西格玛). A √ typed beside a box left at ☐ ticks the option."""
    t = nfkc(text)  # a full-width Ｘ is an X
    taken = [False] * len(t)
    spans: list[tuple[int, int, str]] = []
    for opt in sorted(options, key=len, reverse=True):
        for m in re.finditer(re.escape(opt), t):
            if any(taken[m.start():m.end()]):
                continue
            for k in range(m.start(), m.end()):
                taken[k] = True
            spans.append((m.start(), m.end(), opt))
    spans.sort()
    gaps = [t[a:b] for a, b in zip([0] + [e for _, e, _ in spans], [s for s, _, _ in spans] + [len(t)], strict=True)]
    if not any(_has_mark(g) for g in gaps):
        return None
    owned = [""] * len(spans)
    if spans and _has_mark(gaps[0]):
        owned[0] = gaps[0]
        for i in range(1, len(spans) + 1):
            gap = gaps[i]
            head = gap[:len(gap) - len(gap.lstrip(MARKS + "Xx×"))]
            if i == len(spans):
                owned[i - 1] += gap  # marks after the last option can only be its own
            elif head and _has_mark(gap[len(head):]):
                owned[i - 1] += head  # 卓越绩效√　☐六西格玛: the √ touches the option before it
                owned[i] += gap[len(head):]
            else:
                owned[i] += gap
    else:
        for i in range(len(spans)):
            owned[i] = gaps[i + 1]
    return [opt for (_, _, opt), marks in zip(spans, owned, strict=True) if _has_tick(marks)]


def is_mark_cell(text: str) -> bool:
    """A cell holding only a tick box (or an X)."""
    t = nfkc_no_spaces(text)
    return bool(t) and len(t) <= 2 and all(c in MARKS or c in "Xx×" for c in t)


def mark_ticked(text: str) -> bool | None:
    """What one cell of an item's row says: True for a tick (a mark, or 是/有 as the whole cell), False for
    否/无 as the whole cell, None for nothing (blank, a box left at ☐, a note like 必须提供)."""
    t = nfkc_no_spaces(text).rstrip("。.")
    if t in YES_WORDS:
        return True
    if t in NO_WORDS:
        return False
    return True if _has_tick(nfkc(text)) else None


def row_ticked(texts: list[str]) -> bool:
    """Whether an item's row is ticked: a tick somewhere in it and no 否/无 (both at once is ambiguous: not)."""
    said = [mark_ticked(x) for x in texts]
    return True in said and False not in said


_DIGIT = rf"[\d{HAN_ZEROS}{HAN_DIGITS}]"  # a date's digits may be Chinese numerals (二〇二一年六月)
_COUNT = rf"[\d{HAN_ZEROS}{HAN_DIGITS}十]{{1,3}}"  # a month or day: 6, 06, 六, 十二, 二十八
_DATE = (rf"{_DIGIT}{{4}}\s*年\s*{_COUNT}\s*月(?:\s*{_COUNT}\s*[日号])?"
         r"|\d{4}\s*[.\-/]\s*\d{1,2}(?:\s*[.\-/]\s*\d{1,2})?")
_RANGE = re.compile(r"^\s*(" + _DATE + r")\s*(?:至|到|—+|–|-|~|～)\s*(" + _DATE + r")\s*$")


def split_range(text: str) -> tuple[str, str] | None:
    """Two dates joined by 至, 到, —, –, - or ~ (2019年3月至2020年12月), or None."""
    m = _RANGE.match(nfkc(text).replace("\u2014", "—"))
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
        if isinstance(value, str) and is_nothing(value):
            return  # 无 or — where a value goes is a blank, so a required field is `field.required`
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if not (isinstance(v, str) and is_nothing(v))}
        if value is None or value == "" or value == [] or value == {}:
            return
        self.app.values[path] = value

    def count(self, ok: bool) -> None:
        self.total += 1
        self.found += int(ok)

    def run(self) -> Application:
        for s in self.call.sections:
            if s.id in self.f.scanned:
                self.scanned(s)
                continue
            self.count(s.id in self.f.headings)
            if s.kind == "fields":
                self.fields(s)
            elif s.kind == "table":
                self.table(s)
            elif s.kind == "text":
                self.text(s)
            elif s.kind == "checklist":
                self.checklist(s)
        self.drop_nothing_rows()
        self.app.labels_found = self.found
        self.app.labels_total = self.total
        return self.app

    def drop_nothing_rows(self) -> None:
        """A table cell saying nothing (无, —, /) is blank, and a row left with no cells is no row: its rows after
        move up, with their locations (the IP table filled with 无 is an empty table)."""
        for s in self.call.table_sections():
            assert s.field is not None
            rows = self.app.values.get(s.field) or []
            kept = [(i, {k: v for k, v in row.items() if not is_nothing(v)}) for i, row in enumerate(rows)]
            kept = [(i, row) for i, row in kept if row]
            if [row for _, row in kept] == rows:
                continue
            self.app.values[s.field] = [row for _, row in kept]
            prefix = f"{s.field}["
            old = {k: v for k, v in self.app.locations.items() if k.startswith(prefix)}
            for k in old:
                del self.app.locations[k]
            for j, (i, _) in enumerate(kept):
                head = f"{s.field}[{i}]"
                for k, loc in old.items():
                    if k == head or k.startswith(head + "."):
                        self.app.locations[f"{s.field}[{j}]{k[len(head):]}"] = loc

    def scanned(self, s: Section) -> None:
        """A section on a scanned page: its labels count as found (the page is there); a section that may be
        signed on paper (scanned_ok) is not reported missing, the others stay errors where required."""
        labels = 1 + len(s.fields) + len(s.items) + len(s.columns) + int(s.basis is not None)
        self.total += labels
        self.found += labels
        paths = [p for f in (*s.fields, *s.items) for p in (f.parts or (f.id,))]
        paths += [x for x in (s.field, s.spec.id if s.spec else None, s.basis.id if s.basis else None) if x]
        units = (self.f.units[i] for i in self.f.region(s.id))
        loc = next((u.location for u in units if u.paragraph is not None and u.paragraph.scanned), Location())
        for path in paths:
            self.app.locations[path] = loc
            if s.scanned_ok:
                self.app.scanned.add(path)
        if s.kind == "table" and s.field:
            self.app.values[s.field] = []
        if s.kind == "checklist":
            for item in s.items:
                self.app.values[item.id] = False

    def fields(self, s: Section) -> None:
        for spec in s.fields:
            hit = self.f.find_label(spec, s)
            self.count(hit is not None)
            if hit is None:
                continue
            value, loc, picture = hit
            if is_nothing(value):
                value = ""  # read as left blank, also for a date range (both ends then required)
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
                    hit = True
                    value, loc = self._item_row(u, item.label)
                    break
                if item.label in nfkc(u.text).replace(" ", ""):
                    t = ticked_options(u.text.replace(" ", ""), tuple(x.label for x in s.items))
                    if t is not None:
                        hit, loc, value = True, u.location, item.label in t
                        break
            self.count(hit)
            self.app.values[item.id] = value
            self.app.locations[item.id] = loc or Location(kind="docx")

    def _item_row(self, u: Unit, label: str) -> tuple[bool, Location]:
        """An item's tick read from its whole row (box, marks or 是/有 in any cell, the item's own cell too), and
        where: the cell that says so, else the row's box, else the item."""
        assert u.cell is not None
        row = [v for v in self.f.units if v.cell is not None and v.cell.table == u.cell.table
               and v.cell.row == u.cell.row and v is not u]
        own = nfkc_no_spaces(u.text).replace(nfkc_no_spaces(label), "", 1)
        value = row_ticked([own, *(v.text for v in row)])
        said = [v for v in row if mark_ticked(v.text) is not None]
        boxes = [v for v in row if is_mark_cell(v.text)]
        return value, (said or boxes or [u])[0].location

    @staticmethod
    def _header_cols(row: tuple[Cell, ...], keys: dict[str, str]) -> dict[str, int]:
        """The grid column of each column label found in a row."""
        cols: dict[str, int] = {}
        row_keys = [(label_key(c.text), c) for c in row]
        for cid, k in keys.items():
            for ck, c in row_keys:
                if ck and (ck == k or (len(k) >= 2 and ck.startswith(k))):
                    cols[cid] = c.grid_col
                    break
        return cols

    def _header(self, s: Section) -> tuple[Table, int, dict[str, int]] | None:
        keys = {c.id: label_key(c.label) for c in s.columns}
        need = max(2, (len(keys) + 1) // 2)
        region = self.f.region(s.id)
        in_region = {u.cell.table for u in (self.f.units[i] for i in region) if u.cell is not None}
        best: tuple[int, int, Table, int, dict[str, int]] | None = None
        for t in self.f.tables:
            for r, row in enumerate(t.rows):
                cols = self._header_cols(row, keys)
                if len(cols) >= need:
                    score = (len(cols), int(t.index in in_region))
                    if best is None or score > best[:2]:
                        best = (score[0], score[1], t, r, cols)
        return None if best is None else (best[2], best[3], best[4])

    def _parts(self, s: Section, t: Table, hr: int,
               cols: dict[str, int]) -> list[tuple[tuple[tuple[Cell, ...], ...], dict[str, int]]]:
        """The table's data rows with their columns: those after the header, then those of the tables that
        continue it (split by Enter or a page break: only paragraphs between, the same grid width or the header
        repeated), up to the next section heading."""
        keys = {c.id: label_key(c.label) for c in s.columns}
        need = max(2, (len(keys) + 1) // 2)
        width = _width(t.rows[hr])
        parts = [(t.rows[hr + 1:], cols)]
        blocks = self.f.doc.blocks
        at = next((n for n, b in enumerate(blocks) if b is t), len(blocks))
        for b in blocks[at + 1:]:
            if isinstance(b, Paragraph):
                if self.f._is_heading(Unit(b.text, label_key(b.text), b.location, paragraph=b)):
                    break
                continue
            if not b.rows:
                continue
            repeated = self._header_cols(b.rows[0], keys)
            if len(repeated) >= need:
                parts.append((b.rows[1:], repeated))
            elif all(_width(row) == width for row in b.rows):
                parts.append((b.rows, cols))
            else:
                break
        return parts

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
        parts = self._parts(s, t, hr, cols)
        for row, row_cols in ((row, c) for part, c in parts for row in part):
            if self._stop_row(row):
                break
            cells = self._row_values(row, row_cols)
            texts = {cid: cells[cid].text.strip() for cid in cells}
            if basis_key and any(label_key(c.text) == basis_key for c in row):
                continue
            if s.year_column and s.total_field:
                year_text = label_key(texts.get(s.year_column, ""))
                if year_text in total_keys:
                    # in the form's column order: a set's order changes with the hash seed, and so would the report
                    amounts = [c.id for c in s.columns if c.id in data_cols and c.id != s.year_column]
                    total = {cid: texts[cid] for cid in amounts if texts.get(cid)}
                    for cid in amounts:
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


def _width(row: tuple[Cell, ...]) -> int:
    """How many grid columns a table row spans."""
    return max((c.grid_col + c.span for c in row), default=0)


def extract(doc: Document, call: Call, finder: Finder | None = None) -> Application:
    """Every value of the call's form found in the document, with its location (reusing a Finder if given)."""
    return _Extractor(doc, call, finder).run()
