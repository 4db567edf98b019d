"""GB/T 9704-2012 official documents from the Word templates of templates/<call>/: the notice, the acceptance or
return letter per application (信函格式), and the award decision (表彰决定) with its winners table.

Every document is rendered by pipeline.render.docx.render_template (sandboxed, autoescaping, strict), then
touched up with python-docx only where a template cannot say it (the right indents of the issuer's name and
the date, which depend on their lengths), and saved byte-reproducibly through pipeline.fileio.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn
from docx.shared import Twips
from docxtpl import Listing

from pipeline.calls import Call, load_call
from pipeline.check.codes import field_label
from pipeline.fileio import save_docx_reproducible
from pipeline.model import Finding, Report
from pipeline.notice import Block, Notice, chinese_date, parse_notice
from pipeline.render import gbt9704 as gb
from pipeline.render.docx import render_template
from pipeline.resources import samples_dir, templates_dir

TEMPLATE_CALL = "saq-2021"


def template_path(name: str, call_id: str = TEMPLATE_CALL) -> Path:
    """A template of templates/<call>/ (notice.docx, letter.docx, decision.docx)."""
    return templates_dir() / call_id / name


# --- shared pieces ---------------------------------------------------------------------------------------

def _ems(text: str) -> float:
    """Width in characters of the grid: full-width characters 1, others (digits, Latin) 1/2."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" and not c.isascii() else 0.5 for c in text)


def signature_indents(issuer: str, date_text: str) -> tuple[float, float]:
    """Right indents, in characters, of the issuer's name and the date of a document without a seal
    (GB/T 9704-2012 §7.3.5.2): the name 2 characters from the right, the date's first character 2 characters
    right of the name's; when the date is the longer, the date sits 2 from the right and the name moves left."""
    name_w, date_w = _ems(issuer), _ems(date_text)
    date_right = name_w + 2 - 2 - date_w  # the date starts 2 characters right of the name's start
    if date_right >= 2:
        return 2.0, date_right
    return 2.0 + date_w + 2 - name_w, 2.0


def attachment_lines(names: Sequence[str]) -> list[str]:
    """`1.名称`, `2.名称` for several attachments, the bare name for one; never a final punctuation mark."""
    clean = [n.strip().rstrip("。；;，,.、") for n in names if n.strip()]
    if len(clean) == 1:
        return clean
    return [f"{i}.{n}" for i, n in enumerate(clean, 1)]


def _cc(text: str) -> str:
    """抄送 ends with a full stop (§7.4.2)."""
    text = text.strip().rstrip("。.;；，,")
    return text + "。" if text else ""


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
            done = lines + [rest]
            widths = [_ems(x) for x in done]
            target = total / n
            cost = sum((w - target) ** 2 for w in widths)
            cost += sum(25 for a, b in zip(widths, widths[1:]) if b > a + 0.5)  # not a trapezoid
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
            search(end, lines + [piece])

    search(0, [])
    return best[1] if best else [title]


def _block(b: Block) -> dict[str, Any]:
    return {"kind": b.kind, "level": b.level, "text": b.text, "head": b.head, "rest": b.rest,
            "rows": [list(r) for r in b.rows]}


def _touch_up(doc: Any, issuer: str, date_text: str) -> None:
    """Set the right indents of the issuer's name and the date; they depend on the two texts' lengths."""
    name_ri, date_ri = signature_indents(issuer, date_text)
    for p in doc.paragraphs:
        style = p.style.name if p.style is not None else ""
        if style == gb.S_SIGNATURE:
            p.paragraph_format.right_indent = Twips(round(name_ri * gb.CHAR_PT * 20))
        elif style == gb.S_DATE:
            p.paragraph_format.right_indent = Twips(round(date_ri * gb.CHAR_PT * 20))


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


def render_notice(notice: Notice, out: Path) -> Path:
    """Write a notice as a GB/T 9704-2012 .docx."""
    tpl = render_template(template_path("notice.docx"), notice_context(notice))
    _touch_up(tpl.docx, notice.issuer, chinese_date(notice.date))
    return _save(tpl, out)


def render_notice_file(source: Path, out: Path, pdf: bool = False) -> list[Path]:
    """Read a notice source, write its .docx (and, with pdf, its PDF beside it); returns the files written."""
    from pipeline.errors import PipelineError

    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "不是 UTF-8 文本 / not UTF-8 text"
        raise PipelineError(f"无法读取 {source}：{reason}", f"Cannot read {source}: {reason}") from None
    written = [render_notice(parse_notice(text), out)]
    if pdf:
        written += _to_pdf(written[0])
    return written


def _to_pdf(path: Path) -> list[Path]:
    from pipeline.errors import PipelineError
    from pipeline.render.pdf import convert

    made = convert([path], path.parent)
    if not made:
        raise PipelineError(f"LibreOffice 未能把 {path.name} 转换为 PDF", f"LibreOffice did not convert {path.name}")
    return made


def demo_notice(out_dir: Path) -> list[Path]:
    """The demo's notice: samples/notices/call-2021.txt as .docx, and PDF when LibreOffice is installed."""
    from pipeline.render.pdf import soffice

    source = samples_dir() / "notices" / "call-2021.txt"
    return render_notice_file(source, out_dir / "call-2021.docx", pdf=soffice() is not None)
