"""GB/T 9704-2012 official documents from the Word templates of templates/<call>/: the notice, the acceptance or
return letter per application (信函格式), and the award decision (表彰决定) with its winners table.

Every document is rendered by pipeline.render.docx.render_template (sandboxed, autoescaping, strict), then
touched up with python-docx only where a template cannot say it (the right indents of the issuer's name and
the date, which depend on their lengths), and saved byte-reproducibly through pipeline.fileio.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.shared import Twips
from docxtpl import Listing

from pipeline import gbt9704 as gb
from pipeline.calls import Call, load_call
from pipeline.check.codes import place
from pipeline.fileio import save_docx_reproducible
from pipeline.model import Finding, Report
from pipeline.notice import Block, Notice, attachment_lines, chinese_date, parse_notice
from pipeline.notice import cc_line as _cc
from pipeline.render.docx import render_template
from pipeline.resources import DEFAULT_CALL, call_template, samples_dir


def template_path(name: str, call: Call | None = None) -> Path:
    """A call's template (notice.docx, letter.docx, decision.docx): its folder's own, else the package default."""
    return call_template(call.folder if call is not None else None, name)


# --- shared pieces ---------------------------------------------------------------------------------------

_ems = gb.ems  # width in characters of the grid (pipeline.gbt9704)


def signature_indents(issuer: str, date_text: str) -> tuple[float, float]:
    """Right indents, in characters, of the issuer's name and the date of a document without a seal
    (GB/T 9704-2012 §7.3.5.2): the name 2 characters from the right, the date's first character 2 characters
    right of the name's; when the date is the longer, the date sits 2 from the right and the name moves left."""
    name_w, date_w = _ems(issuer), _ems(date_text)
    date_right = name_w + 2 - 2 - date_w  # the date starts 2 characters right of the name's start
    if date_right >= 2:
        return 2.0, date_right
    return 2.0 + date_w + 2 - name_w, 2.0


_TITLE_WORDS = ("上海市质量协会", "质量技术奖", "先进质量技术方法", "质量技术", "获奖项目", "推广活动", "申报工作",
                "表彰决定", "通知", "决定", "关于", "项目", "受理", "补正", "材料")


def _find_all(text: str, word: str) -> list[int]:
    out, i = [], text.find(word)
    while i >= 0:
        out.append(i)
        i = text.find(word, i + 1)
    return out


def title_lines(title: str, width: float = gb.TITLE_CHARS) -> list[str]:
    """A long title broken into lines of an inverted trapezoid (each line no longer than the one above, none
    over `width` characters), preferring breaks next to 的/暨/和/及/关于 and never inside a run of digits or
    Latin letters (GB/T 9704-2012 §7.3.1: 回行时要做到词意完整，排列对称)."""
    total = _ems(title)
    if total <= width:
        return [title]
    n = int(-(-total // width))
    good_after = set("的暨和及与、")
    # words a line must not be broken inside (the call's names and common terms of these titles)
    protected = [(m, m + len(w)) for w in _TITLE_WORDS for m in _find_all(title, w)]
    best: tuple[float, list[str]] | None = None

    def search(start: int, lines: list[str]) -> None:
        nonlocal best
        rest = title[start:]
        left = n - len(lines)
        if left == 1:
            if _ems(rest) > width:
                return
            done = [*lines, rest]
            widths = [_ems(x) for x in done]
            target = total / n
            cost = sum((w - target) ** 2 for w in widths)
            cost += sum(25 for a, b in itertools.pairwise(widths) if b > a + 0.5)  # not a trapezoid
            cuts = [sum(len(x) for x in done[:i + 1]) for i in range(len(done) - 1)]
            cost += sum(0 if title[c - 1] in good_after or title.startswith("关于", c) else 6 for c in cuts)
            cost += sum(20 for c in cuts for a, b in protected if a < c < b)
            if best is None or cost < best[0]:
                best = (cost, done)
            return
        for end in range(start + 1, len(title)):
            piece = title[start:end]
            if _ems(piece) > width:
                break
            if title[end - 1].isascii() and title[end].isascii():
                continue  # never split 2021
            search(end, [*lines, piece])

    search(0, [])
    return best[1] if best else [title]


def _block(b: Block) -> dict[str, Any]:
    """A notice's block for the template; numbers and dates in its text are unbreakable runs."""
    from pipeline.render.docx import protect

    return {"kind": b.kind, "level": b.level, "text": protect(b.text), "head": protect(b.head),
            "rest": protect(b.rest), "rows": [[protect(c) for c in r] for r in b.rows]}


def _touch_up(doc: Any, issuer: str, date_text: str) -> None:
    """Set the right indents of the issuer's name and the date; they depend on the two texts' lengths."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    name_ri, date_ri = signature_indents(issuer, date_text)
    # by style id, read straight from the XML: python-docx's p.style looks each one up by XPath (slow on letters
    # listing many findings)
    indents = {doc.styles[gb.S_SIGNATURE].style_id: name_ri, doc.styles[gb.S_DATE].style_id: date_ri}
    for p in doc.element.body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        ems = indents.get(style.get(qn("w:val")) if style is not None else None)
        if ems is not None:
            Paragraph(p, doc).paragraph_format.right_indent = Twips(round(ems * gb.CHAR_PT * 20))


def _save(tpl: Any, out: Path) -> Path:
    return save_docx_reproducible(tpl.docx, out)


# --- the notice -----------------------------------------------------------------------------------------

def notice_context(notice: Notice) -> dict[str, Any]:
    """What notice.docx is rendered with."""
    return {
        "issuer": notice.issuer,
        "number": notice.number,
        "title": Listing("\n".join(title_lines(notice.title))),
        "addressee": notice.addressee,
        "blocks": [_block(b) for b in notice.blocks],
        "attachments": attachment_lines(notice.attachments),
        "date": chinese_date(notice.date),
        "cc": _cc(notice.cc),
        "printed_by": notice.printed_by or notice.issuer,
        "printed_date": chinese_date(notice.printed_date or notice.date),
    }


def fit_mark(doc: Any, issuer: str) -> None:
    """The issuer mark stays on one line: a name too long for 初号 gets the largest size that fits (§7.2.3)."""
    from docx.shared import Pt

    size = gb.mark_size(issuer)
    if size >= gb.MARK_PT:
        return
    for p in doc.paragraphs:
        if p.style is not None and p.style.name == gb.S_MARK:
            for run in p.runs:
                run.font.size = Pt(size)


def fit_closing(doc: Any) -> None:
    """The 印发 row of the closing block: the date column as wide as its text, the printer's name gets the rest,
    so a long name (上海市质量协会质量沙龙秘书处) is not broken inside a word."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    table = next((t for t in reversed(doc.tables) if t.rows and t.rows[-1].cells[-1].text.endswith("印发")), None)
    if table is None or len(table.rows[-1].cells) != 2:
        return
    left, right = table.rows[-1].cells
    right_pt = (gb.ems(right.text) + 4) * gb.CLOSING_PT  # its text, the indents, two characters of slack
    total_pt = gb.TEXT_W_PT
    left.width, right.width = Pt(total_pt - right_pt), Pt(right_pt)
    cols = table._tbl.tblGrid.findall(qn("w:gridCol"))
    if len(cols) == 2:
        cols[0].set(qn("w:w"), str(round((total_pt - right_pt) * 20)))
        cols[1].set(qn("w:w"), str(round(right_pt * 20)))


def keep_signature_with_body(doc: Any) -> None:
    """The issuer's name never opens a page alone (§7.3.5.4): the lines from the last body paragraph to the name
    (the attachment note, the blank line) keep with the next, so a page break moves the body's last paragraph
    along with them."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    sig_id = doc.styles[gb.S_SIGNATURE].style_id
    skip = {doc.styles[n].style_id for n in (gb.S_ATTACH_NOTE, gb.S_ATTACH_NOTE_MORE)}
    for p in doc.element.body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is None or style.get(qn("w:val")) != sig_id:
            continue
        prev = p.getprevious()
        while prev is not None and prev.tag == qn("w:p"):
            para = Paragraph(prev, doc)
            para.paragraph_format.keep_with_next = True
            pstyle = prev.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            if para.text.strip() and (pstyle is None or pstyle.get(qn("w:val")) not in skip):
                break
            prev = prev.getprevious()


def render_notice(notice: Notice, out: Path, call: Call | None = None) -> Path:
    """Write a notice as a GB/T 9704-2012 .docx (with the call folder's own template when it has one)."""
    tpl = render_template(template_path("notice.docx", call), notice_context(notice))
    _touch_up(tpl.docx, notice.issuer, chinese_date(notice.date))
    fit_mark(tpl.docx, notice.issuer)
    fit_closing(tpl.docx)
    keep_signature_with_body(tpl.docx)
    return _save(tpl, out)


def render_notice_file(source: Path, out: Path, pdf: bool = False, call: Call | None = None) -> list[Path]:
    """Read a notice source, write its .docx (and, with pdf, its PDF beside it); returns the files written."""
    from pipeline.errors import PipelineError

    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        from pipeline.fileio import read_reason

        zh, en = read_reason(e) if isinstance(e, OSError) else ("不是 UTF-8 文本", "not UTF-8 text")
        raise PipelineError(f"无法读取 {source}：{zh}", f"Cannot read {source}: {en}") from None
    notice = parse_notice(text)
    refuse_nonconforming_source(text, source.name, call or load_call())
    written = [render_notice(notice, out, call)]
    if pdf:
        written += settle_closing_block(written[0])
    return written


def refuse_nonconforming_source(text: str, name: str, call: Call) -> None:
    """A source is rendered only when the checker finds nothing in it (the body's headings, dates and numbers
    too): what `award notice` writes then passes `award gongwen`. The refusal lists every finding with its line."""
    from pipeline.check.gongwen import check_notice_bytes
    from pipeline.notice import NoticeSourceError

    found = [f for f in check_notice_bytes(text.encode("utf-8"), name, call).findings if f.severity == "error"]
    if not found:
        return
    first = found[0]
    line = (first.location.paragraph or 0) + 1

    def listing(lang: str) -> str:
        sep = "；" if lang == "zh" else "; "
        items = [f"第{(f.location.paragraph or 0) + 1}行：{f.message}（{f.code}）" if lang == "zh"
                 else f"line {(f.location.paragraph or 0) + 1}: {f.message_en} ({f.code})" for f in found]
        return sep.join(items)

    raise NoticeSourceError(f"通知源文件有 {len(found)} 处不符合 GB/T 9704，未生成公文：{listing('zh')}",
                            f"the notice source breaks GB/T 9704 in {len(found)} places; nothing written: "
                            f"{listing('en')}", code=first.code, line=line)


def _to_pdf(path: Path) -> list[Path]:
    from pipeline.errors import PipelineError
    from pipeline.office import convert

    made = convert([path], path.parent)
    if not made:
        raise PipelineError(f"LibreOffice 未能把 {path.name} 转换为 PDF", f"LibreOffice did not convert {path.name}")
    return made


def closing_gap(pdf: Path) -> tuple[int, float | None]:
    """Page count, and the points between the closing block's last rule (the lowest full-width line of the last
    page inside the text block) and the text block's lower edge; None when the page has no such rule."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(str(pdf))
    try:
        pages = len(doc)
        page = doc[pages - 1]
        bottom = gb.BOTTOM_MM / 25.4 * 72  # the text block's lower edge, from the page's bottom (points)
        rules = []
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
            left, low, right, _ = obj.get_bounds()
            if right - left > 0.8 * gb.TEXT_W_PT and low > bottom - 3:
                rules.append(low)
        return pages, (min(rules) - bottom if rules else None)
    finally:
        doc.close()


def settle_closing_block(path: Path) -> list[Path]:
    """GB/T 9704 §7.4: the closing block (版记) ends at the foot of the last page. LibreOffice keeps neither a
    bottom-anchored table nor a frame there, so: convert, measure the space left under the block's last rule,
    put one spacer line of exactly that height before the block, convert again (undone if the page count would
    change). The .docx keeps the spacer, so it prints the same from Word. Returns the PDF."""
    import docx
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from pipeline.fileio import write_bytes

    pdf = _to_pdf(path)
    pages, gap = closing_gap(pdf[0])
    if gap is None or gap < 2:
        return pdf
    original = path.read_bytes()
    document = docx.Document(str(path))
    closing = next((t for t in reversed(document.tables) if "印发" in "".join(c.text for c in t._cells)), None)
    if closing is None:
        return pdf
    spacer = document.add_paragraph(style=gb.S_BODY)
    fmt = spacer.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(round(gap - 1, 1))
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    spacer._p.get_or_add_pPr().insert(0, snap)
    closing._tbl.addprevious(spacer._p)
    save_docx_reproducible(document, path)
    pdf = _to_pdf(path)
    if closing_gap(pdf[0])[0] != pages:
        write_bytes(path, original)
        pdf = _to_pdf(path)
    return pdf


def demo_notice(out_dir: Path) -> list[Path]:
    """The demo's notice: samples/notices/call-2021.txt as .docx, and PDF when LibreOffice is installed."""
    from pipeline.fileio import output_dir
    from pipeline.office import soffice

    source = samples_dir() / "notices" / "call-2021.txt"
    output_dir(out_dir)
    return render_notice_file(source, out_dir / "call-2021.docx", pdf=soffice() is not None)


# --- letters: acceptance (受理通知) or return (退回补正通知) ------------------------------------------------

@dataclass(frozen=True)
class Letter:
    """The outcome of the formal check of one registered application, addressed to its applicant."""

    registration: str
    applicant: str
    project: str
    file_name: str
    findings: tuple[Finding, ...]
    number: str
    date: dt.date
    call: str = DEFAULT_CALL
    names: tuple[str, ...] = ()  # the persons named in the form (kept whole on a line)

    @property
    def accepted(self) -> bool:
        """No finding of error severity: an acceptance letter."""
        return not any(f.severity == "error" for f in self.findings)


def letter_from_report(report: Report, number: str, date: dt.date, call: Call | None = None) -> Letter:
    """The letter for one checked application (its registration number, applicant and project as the call's roles
    name them); without `call`, the call the report names."""
    fields = report.fields or {}
    roles = (call or load_call(report.call or DEFAULT_CALL)).roles
    return Letter(
        registration=report.registration or "",
        applicant=str(fields.get(roles.applicant_name) or ""),
        project=str(fields.get(roles.project_name) or ""),
        file_name=Path(report.file.path).name,
        findings=tuple(report.findings),
        number=number,
        date=date,
        call=report.call,
        names=tuple(str(p.get(roles.person_name) or "").strip() for p in fields.get(roles.persons) or []
                    if isinstance(p, dict) and str(p.get(roles.person_name) or "").strip()),
    )


def where_to_fix(finding: Finding, call: Call) -> str:
    """Where a finding is to be fixed, in Chinese, as the applicant sees the form (the one place() of the
    catalogue): “一、项目基本情况”“项目名称”, “三、主要完成人”表第3行“工作单位”."""
    return place(finding, call, "zh")


def resubmit_deadline(call: Call, date: dt.date) -> dt.date:
    """The day a corrected form is due: documents.resubmit_days after the letter's date (never before it)."""
    return date + dt.timedelta(days=max(call.documents.resubmit_days, 1))


def resubmit_request(letter: Letter, call: Call) -> str:
    """What a return letter asks of the applicant. Within the submission window: the corrected form by
    documents.resubmit_days after the letter's date. After the window has closed: the window's end, whom to
    contact by that day to correct the form, and that the project may be entered again next year."""
    due = chinese_date(resubmit_deadline(call, letter.date))
    if letter.date <= call.window_end:
        return f"请逐项修改后于{due}前重新提交。"
    contact = call.documents.contact or f"{call.organiser.name}秘书处"
    return (f"本年度申报已于{chinese_date(call.window_end)}截止。如需补正，请于{due}前与{contact}联系；"
            f"逾期未补正的，该项目不进入本年度评审，可在下一年度重新申报。")


def letter_context(letter: Letter, call: Call) -> dict[str, Any]:
    """What letter.docx is rendered with. Findings across applications are worded for the applicant (no other
    application is named); numbers, dates and names are unbreakable runs."""
    from pipeline.check.codes import applicant_text
    from pipeline.render.docx import nobreak, protect

    def items(severity: str) -> list[dict[str, Any]]:
        chosen = [f for f in letter.findings if f.severity == severity]
        out = []
        for n, f in enumerate(chosen, 1):
            text, has_place = applicant_text(f, "zh")
            out.append({"n": n, "message": protect(text.rstrip("。."), letter.names),
                        "where": protect(where_to_fix(f, call)) if has_place else ""})
        return out

    accepted = letter.accepted
    kind = "受理" if accepted else "退回补正"
    return {
        "issuer": call.organiser.name,
        "number": letter.number,
        "title": Listing("\n".join(title_lines(f"关于{call.award}申报材料{kind}的通知"))),
        "addressee": (letter.applicant or "申报单位") + "：",
        "accepted": accepted,
        "project": f"“{letter.project}”项目" if letter.project else "项目",
        "registration": nobreak(letter.registration),
        "file_name": protect(letter.file_name),
        "errors": items("error"),
        "warnings": items("warning"),
        "error_count": nobreak(str(sum(1 for f in letter.findings if f.severity == "error"))),
        "warning_count": nobreak(str(sum(1 for f in letter.findings if f.severity == "warning"))),
        "request": "" if accepted else protect(resubmit_request(letter, call)),
        "date": chinese_date(letter.date),
    }


def render_letter(letter: Letter, out: Path, call: Call | None = None) -> Path:
    """Write an acceptance letter (no errors) or a return letter listing every error and where to fix it.

    call: the call the letter is of (a folder anywhere on disk); by default the one named by the letter's call id."""
    call = call or load_call(letter.call)
    context = letter_context(letter, call)
    tpl = render_template(template_path("letter.docx", call), context)
    _touch_up(tpl.docx, context["issuer"], context["date"])
    return _save(tpl, out)


# --- the award decision (表彰决定) -------------------------------------------------------------------------

@dataclass(frozen=True)
class Winner:
    """One awarded project: its level (1 = 一等奖), serial in the final ranking, units and main persons."""

    level: int
    level_name: str
    serial: int
    project: str
    units: tuple[str, ...]
    persons: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """The award decision: a GB/T 9704 notice whose attachment is the winners table grouped by level."""

    number: str
    date: dt.date
    title: str
    addressee: str
    body: tuple[str, ...]
    winners: tuple[Winner, ...]
    issuer: str
    attachment: str
    cc: str = ""
    printed_by: str = ""


def decision_from_winners(winners: Sequence[Winner], call: Call, number: str, date: dt.date) -> Decision:
    """The decision with the standard wording (为……, 经……评审, 决定授予……; 希望……) for these winners."""
    issuer = call.organiser.name
    award = call.award
    ordered = tuple(sorted(winners, key=lambda w: (w.level, w.serial)))
    grants = []
    for level, name in _levels(ordered):
        group = [w for w in ordered if w.level == level]
        which = f"“{group[0].project}”等{len(group)}个项目" if len(group) > 1 else f"“{group[0].project}”项目"
        grants.append(f"{which}{award}{name}")
    notice_no = call.notice.number or ""
    body = (
        f"为深入贯彻质量强国战略，表彰先进、树立典型，激励广大企业运用先进质量技术方法开展质量攻关与改进，"
        f"根据《上海市质量协会质量技术奖管理办法》{f'和{notice_no}文件' if notice_no else ''}的要求，"
        f"{issuer}组织开展了{award}的申报和评审工作。",
        f"经形式审查、专家评审、综合评定和公示，{issuer}决定授予{'，'.join(grants)}（名单见附件）。",
        "希望获奖单位和个人珍惜荣誉、再接再厉，持续深化先进质量技术方法的推广应用，在质量提升行动中发挥示范"
        "引领作用。各会员单位要以获奖项目为榜样，广泛开展质量攻关与改进活动，为推动本市高质量发展作出新的更大贡献。",
    )
    return Decision(
        number=number, date=date, title=f"关于表彰{award}获奖项目的决定", addressee="各会员单位及相关组织：",
        body=body, winners=ordered, issuer=issuer, attachment=f"{award}获奖项目名单", printed_by=issuer,
    )


def _levels(winners: Sequence[Winner]) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for w in winners:
        seen.setdefault(w.level, w.level_name)
    return sorted(seen.items())


def decision_context(decision: Decision) -> dict[str, Any]:
    """What decision.docx is rendered with (names and numbers as unbreakable runs)."""
    from pipeline.render.docx import nobreak, protect

    groups = []
    for level, name in _levels(decision.winners):
        rows = [w for w in decision.winners if w.level == level]
        groups.append({"name": name, "count": len(rows), "winners": [
            {"serial": n, "project": w.project, "units": Listing("\n".join(w.units)),
             "persons": "、".join(nobreak(p) for p in w.persons)} for n, w in enumerate(rows, 1)]})
    return {
        "issuer": decision.issuer,
        "number": decision.number,
        "title": Listing("\n".join(title_lines(decision.title))),
        "addressee": decision.addressee,
        "body": [protect(text) for text in decision.body],
        "attachment": decision.attachment,
        "attachment_title": Listing("\n".join(title_lines(decision.attachment))),
        "date": chinese_date(decision.date),
        "groups": groups,
        "cc": _cc(decision.cc),
        "printed_by": decision.printed_by or decision.issuer,
        "printed_date": chinese_date(decision.date),
    }


def render_decision(decision: Decision, out: Path, call: Call | None = None) -> Path:
    """Write the award decision with its winners table (.docx; the call folder's own template when it has one)."""
    tpl = render_template(template_path("decision.docx", call), decision_context(decision))
    _touch_up(tpl.docx, decision.issuer, chinese_date(decision.date))
    return _save(tpl, out)


# --- the 公示 of the proposed winners (拟奖项目公示) -------------------------------------------------------

@dataclass(frozen=True)
class Publicity:
    """The 公示 of the proposed winners: a GB/T 9704 notice (dated its first day) naming the period and how to
    object, its attachment one table of the proposed winners ordered by level."""

    number: str
    date: dt.date
    start: dt.date
    end: dt.date
    title: str
    addressee: str
    body: tuple[str, ...]
    winners: tuple[Winner, ...]
    issuer: str
    attachment: str
    printed_by: str = ""


def publicity_title(call: Call) -> str:
    """关于2021年度上海市质量协会质量技术奖拟奖项目的公示."""
    return f"关于{call.year}年度{call.organiser.name}{call.award_short or call.award}拟奖项目的公示"


def publicity_from_winners(winners: Sequence[Winner], call: Call, number: str, start: dt.date,
                           end: dt.date) -> Publicity:
    """The 公示 with the standard wording (根据……评审; 现予公示; 公示期; 异议须书面、署名) for these proposed
    winners."""
    issuer = call.organiser.name
    award = call.award
    ordered = tuple(sorted(winners, key=lambda w: (w.level, w.serial)))
    counts = "、".join(f"{name}{sum(1 for w in ordered if w.level == level)}项" for level, name in _levels(ordered))
    notice_no = call.notice.number or ""
    contact = call.documents.contact or f"{issuer}秘书处"
    days = (end - start).days + 1
    body = (
        f"根据{f'{notice_no}文件和' if notice_no else ''}《上海市质量协会质量技术奖管理办法》的要求，{issuer}组织开展了"
        f"{award}的申报和评审工作。经形式审查、专家评审和综合评定，共评出拟奖项目{len(ordered)}项，其中{counts}"
        f"（名单见附件）。现予以公示。",
        f"公示期为{chinese_date(start)}至{chinese_date(end)}（共{days}天）。",
        f"公示期间，任何单位和个人对公示项目有异议的，请以书面形式向{contact}提出。单位提出异议的，须在异议材料上加盖"
        f"本单位公章，并写明联系人和联系方式；个人提出异议的，须在异议材料上签署真实姓名，并写明工作单位和联系方式。"
        f"匿名或逾期提出的异议不予受理。",
        "特此公示。",
    )
    return Publicity(number=number, date=start, start=start, end=end, title=publicity_title(call),
                     addressee="各会员单位及相关组织：", body=body, winners=ordered, issuer=issuer,
                     attachment=f"{award}拟奖项目名单", printed_by=issuer)


def publicity_context(publicity: Publicity) -> dict[str, Any]:
    """What publicity.docx is rendered with (names and numbers as unbreakable runs)."""
    from pipeline.render.docx import nobreak, protect

    return {
        "issuer": publicity.issuer,
        "number": publicity.number,
        "title": Listing("\n".join(title_lines(publicity.title))),
        "addressee": publicity.addressee,
        "body": [protect(text) for text in publicity.body],
        "attachment": publicity.attachment,
        "attachment_title": Listing("\n".join(title_lines(publicity.attachment))),
        "date": chinese_date(publicity.date),
        "winners": [{"n": n, "project": w.project, "units": Listing("\n".join(w.units)),
                     "persons": "、".join(nobreak(p) for p in w.persons), "level": w.level_name}
                    for n, w in enumerate(publicity.winners, 1)],
        "cc": "",
        "printed_by": publicity.printed_by or publicity.issuer,
        "printed_date": chinese_date(publicity.date),
    }


def render_publicity(publicity: Publicity, out: Path, call: Call | None = None) -> Path:
    """Write the 公示 notice with its table of proposed winners (.docx; the call folder's own template when it has
    one)."""
    tpl = render_template(template_path("publicity.docx", call), publicity_context(publicity))
    _touch_up(tpl.docx, publicity.issuer, chinese_date(publicity.date))
    keep_signature_with_body(tpl.docx)
    return _save(tpl, out)
