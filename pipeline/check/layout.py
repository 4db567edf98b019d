"""Layout checks (spec §2.9): A4 portrait pages, the page limit, and the body font size of the text sections."""

from __future__ import annotations

from pipeline.calls import Call
from pipeline.check.codes import make
from pipeline.extract import Finder
from pipeline.model import Document, Finding, Location

A4 = (595.3, 841.9)  # points
TOLERANCE = 3.0  # points, either way
_MM = 25.4 / 72


def _number(x: float) -> float | int:
    """A size as the report shows it: 10.5 stays, 9.0 becomes 9."""
    return int(x) if float(x).is_integer() else round(x, 1)


def is_a4_portrait(width: float, height: float) -> bool:
    """Whether a page of this size (points) is A4 portrait within the tolerance."""
    return abs(width - A4[0]) <= TOLERANCE and abs(height - A4[1]) <= TOLERANCE


def page_size_findings(doc: Document, call: Call) -> list[Finding]:
    """One error per page (PDF) or section (docx: the section's number) that is not A4 portrait."""
    if call.file.page_size != "A4" or call.file.orientation != "portrait":
        return []
    out: list[Finding] = []
    for n, (w, h) in enumerate(doc.page_sizes, start=1):
        if is_a4_portrait(w, h):
            continue
        actual = f"{round(w * _MM)}×{round(h * _MM)} mm"
        loc = Location(kind="pdf", page=n) if doc.format == "pdf" else Location(kind="file")
        out.append(make("layout.page_size", call, location=loc, expected="210×297 mm", actual=actual, page=n))
    return out


def page_count_findings(doc: Document, call: Call) -> list[Finding]:
    """An error when the document has more pages than the call allows."""
    limit = call.file.max_pages
    if limit is None or doc.pages is None or doc.pages <= limit:
        return []
    return [make("layout.page_count", call, expected=limit, actual=doc.pages)]


def font_size_findings(doc: Document, call: Call, finder: Finder | None = None) -> list[Finding]:
    """A warning per text section whose body text is smaller than the minimum size (where sizes are known)."""
    minimum = call.file.min_body_font_pt
    sections = call.file.body_font_sections
    if minimum is None or not sections:
        return []
    finder = finder or Finder(doc, call)
    out: list[Finding] = []
    for sid in sections:
        if sid not in finder.headings:
            continue  # no heading, no region: the whole document would be the wrong scope
        smallest: tuple[float, Location] | None = None
        region = finder.region(sid)
        for i in range(region.start + 1, region.stop):  # the heading itself is not body text
            u = finder.units[i]
            size = u.cell.min_font_pt if u.cell is not None else u.paragraph.min_font_pt if u.paragraph else None
            if size is not None and (smallest is None or size < smallest[0]):
                smallest = (size, u.location)
        if smallest is not None and smallest[0] < float(minimum):
            spec = call.section(sid).spec
            field = spec.id if spec is not None else sid
            out.append(make("layout.font_size", call, field=field, location=smallest[1],
                            expected=_number(float(minimum)), actual=_number(smallest[0])))
    return out


def scanned_page_findings(doc: Document, call: Call, finder: Finder | None = None) -> list[Finding]:
    """A warning per scanned page inside a text PDF, naming the sections that stand on it (call-2021.md §2.9)."""
    if not doc.scanned_pages:
        return []
    finder = finder or Finder(doc, call)
    marks = {u.location.page: i for i, u in enumerate(finder.units) if u.paragraph is not None and u.paragraph.scanned}
    out: list[Finding] = []
    for page in doc.scanned_pages:
        mark = marks.get(page)
        on = [s for s in call.sections if s.id in finder.scanned and mark is not None and mark in finder.region(s.id)]
        signed = [s.title for s in on if s.scanned_ok]
        unread = [s.title for s in on if not s.scanned_ok]
        zh, en = [], []
        if signed:
            zh.append(f"，视为已签字盖章：{'、'.join(signed)}")
            en.append(f"; taken as signed and stamped: {', '.join(signed)}")
        if unread:
            zh.append(f"，其中{'、'.join(unread)}的内容无法检查，请将该部分以文字形式导出后重新提交")
            en.append(f"; the text of {', '.join(unread)} cannot be checked: export that part as text and resubmit")
        if not on:
            zh.append("，该页内容未检查")
            en.append("; its content was not checked")
        out.append(make("file.scanned_page", call, location=Location(kind="pdf", page=page), actual=page, page=page,
                        reason_zh="".join(zh), reason_en="".join(en)))
    return out


def layout_findings(doc: Document, call: Call, finder: Finder | None = None) -> list[Finding]:
    """All layout findings of a document: scanned pages, page size, page count, body font size (reusing a Finder
    if given)."""
    return [*scanned_page_findings(doc, call, finder), *page_size_findings(doc, call), *page_count_findings(doc, call),
            *font_size_findings(doc, call, finder)]
