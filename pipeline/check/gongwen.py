"""`award gongwen`: check any notice (.docx, plain text, or a notice source) against GB/T 9704-2012 (spec §6).

The parts of a notice are recognised by their role, position and format, never by their wording: the document
number is the line that is one number (机关代字〔年份〕序号号); the issuer mark is what stands above it; the title
is what follows it (centred lines in a .docx, ending with the kind of document: 通知, 决定, 函 …); the addressee
is the short line after the title; the date is the line that is one date, the issuer's name the short line above
it; the closing block is the 抄送/印发 lines at the end. A file in which neither a document number nor a title
can be found is not a notice: one finding, gongwen.not_a_notice, instead of every rule failing.

Rules (the figures and patterns come from pipeline.gbt9704, which the renderer reads too):
- gongwen.doc_number: 〔〕 around the year, no spaces, no padding, no 第 (沪质协〔2021〕14号), on the number
  line and on numbers cited in the text.
- gongwen.date / gongwen.invalid_date: 2021年5月26日 in Arabic numerals without padding or spaces; a date that
  does not exist.
- gongwen.heading: 一、 （一） 1. （1）, in sequence within their level (a higher level resets the count; skipping
  a level is allowed: the standard gives the order, not an obligation to use every level).
- gongwen.attachment: 附件：名称 with a full-width colon, several names numbered 1. 2.; no punctuation after a
  name; the note before the issuer's name and the date.
- gongwen.addressee: flush left, ends with a full-width colon (an addressee without any colon too).
- gongwen.obsolete_element: 主题词 and 抄报 (dropped in 2012). gongwen.closing: 抄送：… ending with 。.
- .docx only: gongwen.page_setup (A4, margins, 22 lines of 28 characters), gongwen.font (title 2号 小标宋, body
  3号 仿宋, 一、 黑体, （一） 楷体, 1. and （1） 仿宋), gongwen.title (centred), gongwen.issuer_mark (red),
  gongwen.separator (a red rule under the number), gongwen.page_number (— 1 —, 4号 宋体, outer corners).
- A .docx is read through the same guards as an application (content sniffing, the zip limits, XML without
  DTDs); a damaged one is a file.* finding.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import gbt9704 as gb
from pipeline.calls import Call
from pipeline.check.codes import make
from pipeline.errors import PipelineError
from pipeline.gbt9704 import DOC_NUMBER, FULL_DATE, ISO_DATE, RuleProblem
from pipeline.ingest.problems import FileProblem
from pipeline.ingest.styles import based_on_chain
from pipeline.model import FileInfo, Finding, Location, Report
from pipeline.notice import Notice, NoticeSourceError, attachment_lines, cc_line, chinese_date, parse_notice
from pipeline.text import LINE_SPACE, one_line

_ZH_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_SP = LINE_SPACE + "*"
_SPACE = re.compile(LINE_SPACE)

# (level, pattern, is the correct form); the first match decides
_CN = "[一二三四五六七八九十]+"
HEADING_FORMS: tuple[tuple[int, re.Pattern[str], str | None], ...] = (
    (2, re.compile(rf"^（(?P<n>{_CN})）[、.．]"), "（{zh}）"),
    (2, re.compile(rf"^（(?P<n>{_CN})）"), None),
    (2, re.compile(rf"^\((?P<n>{_CN})\)"), "（{zh}）"),
    (1, re.compile(rf"^(?P<n>{_CN})、"), None),
    (1, re.compile(rf"^(?P<n>{_CN})[.．,，](?!\d)"), "{zh}、"),
    (4, re.compile(r"^（(?P<n>\d+)）[、.．]"), "（{n}）"),
    (4, re.compile(r"^（(?P<n>\d+)）"), None),
    (4, re.compile(r"^\((?P<n>\d+)\)"), "（{n}）"),
    (3, re.compile(r"^(?P<n>\d{1,2})\.(?!\d)"), None),
    (3, re.compile(r"^(?P<n>\d{1,2})[、．](?!\d)"), "{n}."),
)
ATTACHMENT_NOTE = re.compile(rf"^附{_SP}件(?P<colon>{_SP}[:：]?){_SP}(?P<rest>.*)$")
CC_LINE = re.compile(rf"^抄{_SP}[送报]")
PRINTED_LINE = re.compile(rf"印{_SP}发$")
# sentence punctuation: a line ending with one is a sentence of the body, not a name, title or mark
_SENTENCE_END = ("。", "；", ";", "！", "？", "，", ",")


@dataclass(frozen=True)
class Line:
    """One paragraph (or text line) of the notice and where it is."""

    text: str
    index: int
    paragraph: Any = None  # the python-docx Paragraph of a .docx
    location: Location | None = None
    in_table: bool = False

    @property
    def where(self) -> Location:
        return self.location or Location(kind="docx", paragraph=self.index)


@dataclass
class Roles:
    """Where each part of the notice is, as indexes into the lines (None: not found)."""

    mark: list[int] = field(default_factory=list)
    number: int | None = None
    title: list[int] = field(default_factory=list)
    addressee: int | None = None
    body: list[int] = field(default_factory=list)
    note: int | None = None
    signature: int | None = None
    date: int | None = None
    closing: list[int] = field(default_factory=list)


def chinese_number(text: str) -> int:
    """一 -> 1, 十二 -> 12, 二十三 -> 23 (the numerals headings use)."""
    values = {c: i for i, c in enumerate("零一二三四五六七八九")}
    if "十" not in text:
        return values.get(text, 0)
    tens, _, ones = text.partition("十")
    return (values.get(tens, 0) if tens else 1) * 10 + (values.get(ones, 0) if ones else 0)


def _zh_numeral(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def heading_of(text: str) -> int:
    """The heading level a line starts with, in any of the forms people write (right or wrong), or 0."""
    for level, pattern, _ in HEADING_FORMS:
        if pattern.match(text):
            return level
    return 0


def _is_date_line(text: str) -> bool:
    return bool(FULL_DATE.fullmatch(text) or ISO_DATE.match(text))


def _is_number_line(text: str) -> bool:
    """A line that is one document number (possibly with 签发人：name beside it, as a report's head has)."""
    m = DOC_NUMBER.search(text)
    if m is None:
        return False
    rest = (text[:m.start()] + text[m.end():])
    rest = re.sub(rf"签{_SP}发{_SP}人[:：].*$", "", rest)
    return len(_SPACE.sub("", rest)) <= 2


def _ends_with_kind(text: str) -> bool:
    return text.rstrip().endswith(gb.KINDS)


# --- finding the parts ------------------------------------------------------------------------------------------

class _Reader:
    """Finds the roles of the lines (see the module's docstring)."""

    def __init__(self, lines: list[Line], docx: _Styles | None) -> None:
        self.lines = lines
        self.docx = docx
        self.texts = [line.text.strip() for line in lines]
        self.filled = [i for i, t in enumerate(self.texts) if t and not lines[i].in_table]

    def _after(self, i: int | None, limit: int = 10**9) -> list[int]:
        return [j for j in self.filled if (i is None or j > i)][:limit]

    def centred(self, i: int) -> bool | None:
        if self.docx is None or self.lines[i].paragraph is None:
            return None
        return self.docx.alignment(self.lines[i].paragraph) == "center"

    def roles(self) -> Roles:
        r = Roles()
        head = self.filled[:8]
        r.number = next((i for i in head if _is_number_line(self.texts[i])), None)
        if r.number is not None:
            r.mark = [i for i in self.filled if i < r.number]
            r.title = self._title(self._after(r.number, 1))
        else:
            # no number: a title is a short line ending with the kind of document, near the top
            first = next((i for i in head[:5] if _ends_with_kind(self.texts[i]) and len(self.texts[i]) <= 80
                          and not self.texts[i].endswith(_SENTENCE_END)), None)
            if first is not None:
                r.title = self._title([first])
                r.mark = [i for i in self.filled if i < first][:2]
        start = r.title[-1] if r.title else r.number
        if start is None:
            return r
        nxt = self._after(start, 1)
        if nxt and self._addressee_like(nxt[0]):
            r.addressee = nxt[0]
            start = nxt[0]
        after = self._after(start)
        r.date = next((i for i in after if _is_date_line(self.texts[i])), None)
        end = r.date if r.date is not None else len(self.lines)
        r.note = next((i for i in after if i < end and self._note(i)), None)
        if r.date is not None:
            before = [i for i in after if i < r.date and i != r.note]
            if before and self._name_like(before[-1]) and (r.note is None or before[-1] > r.note):
                r.signature = before[-1]
        stops = [i for i in (r.note, r.signature, r.date) if i is not None]
        stop = min(stops) if stops else len(self.lines)
        r.body = [i for i, t in enumerate(self.texts) if start < i < stop and t]
        tail = [i for i, t in enumerate(self.texts) if i > (r.date or start) and t]
        r.closing = [i for i in tail if CC_LINE.match(self.texts[i]) or PRINTED_LINE.search(self.texts[i])]
        return r

    def _title(self, first: list[int]) -> list[int]:
        """The title's lines from its first: the centred paragraphs of a .docx; in text, the lines up to the one
        ending with the kind of document (at most three)."""
        if not first:
            return []
        out = [first[0]]
        if self.centred(first[0]) is not None:
            for j in self._after(first[0], 3):
                if self.centred(j) and not self.texts[j].endswith((":", "：")):
                    out.append(j)
                else:
                    break
            return out
        if _ends_with_kind(self.texts[first[0]]):
            return out
        more = self._after(first[0], 2)
        for k in range(len(more)):
            if self.texts[more[k]].endswith((*_SENTENCE_END, ":", "：")) or heading_of(self.texts[more[k]]):
                break
            if _ends_with_kind(self.texts[more[k]]):
                return out + more[:k + 1]
        return out

    def _addressee_like(self, i: int) -> bool:
        """The line after the title is the addressee when it ends with a colon, or is a short list of names:
        no sentence punctuation, not a heading, not indented like a body paragraph."""
        text = self.texts[i]
        if text.endswith((":", "：")):
            return len(text) <= 120
        if len(text) > 40 or text.endswith(_SENTENCE_END) or heading_of(text) or re.search(r"[:：\d]", text):
            return False  # a sentence, a heading, "时间：…", a date: body text, not a list of names
        if self._note(i):
            return False
        p = self.lines[i].paragraph
        if p is not None and self.docx is not None:
            return self.docx.first_line_indent(p) <= 0 and self.docx.alignment(p) in ("left", "both")
        return True

    def _note(self, i: int) -> bool:
        m = ATTACHMENT_NOTE.match(self.texts[i])
        return bool(m and m.group("rest") and not re.fullmatch(r"\d+", m.group("rest")))

    def _name_like(self, i: int) -> bool:
        text = self.texts[i]
        return len(text) <= 40 and not text.endswith(_SENTENCE_END) and not heading_of(text) \
            and not re.match(r"^\d+[.．、]", text)


# --- the text rules ------------------------------------------------------------------------------------------------

class _Checker:
    def __init__(self, lines: list[Line], call: Call, roles: Roles) -> None:
        self.lines = lines
        self.call = call
        self.roles = roles
        self.findings: list[Finding] = []

    def add(self, code: str, line: Line | None, **params: Any) -> None:
        loc = line.where if line is not None else Location(kind="file")
        self.findings.append(make(code, self.call, location=loc, **params))

    def add_problem(self, problem: RuleProblem, line: Line | None) -> None:
        self.add(problem.code, line, **problem.params)

    def run(self) -> list[Finding]:
        self.doc_numbers()
        self.dates()
        self.headings()
        self.attachments()
        self.addressee()
        self.obsolete_and_closing()
        return self.findings

    def body_lines(self) -> list[Line]:
        return [self.lines[i] for i in self.roles.body]

    # -- the document number, wherever it is written ---------------------------------------------------
    def doc_numbers(self) -> None:
        for line in self.lines:
            for m in DOC_NUMBER.finditer(line.text):
                problem = gb.doc_number_problem(m)
                if problem is not None:
                    self.add_problem(problem, line)

    # -- dates -----------------------------------------------------------------------------------------
    def dates(self) -> None:
        for line in self.lines:
            for m in FULL_DATE.finditer(line.text):
                self._date(line, m)
            text = line.text.strip()
            iso = ISO_DATE.match(text)
            if iso:
                parts = [int(x) for x in iso.groups()]
                try:
                    gb.read_date(text)
                except ValueError as e:
                    self.add_problem(e.args[0], line)
                    continue
                self.add("gongwen.date", line, actual=text, expected=f"{parts[0]}年{parts[1]}月{parts[2]}日",
                         reason_zh="成文日期应写作“年月日”", reason_en="write the date with 年月日")

    def _date(self, line: Line, m: re.Match[str]) -> None:
        y, mo, d = m.group("y"), m.group("m"), m.group("d")
        year = int(y) if y.isdigit() else int("".join(str(_ZH_DIGITS[c]) for c in y))
        month = int(mo) if mo.isdigit() else chinese_number(mo)
        day = int(d) if d.isdigit() else chinese_number(d)
        expected = f"{year}年{month}月{day}日"
        try:
            gb.read_date(expected)
        except ValueError:
            self.add_problem(gb.invalid_date(m.group(0)), line)
            return
        if not y.isdigit() or not mo.isdigit() or not d.isdigit():
            reason = ("应使用阿拉伯数字", "use Arabic numerals")
        elif mo.startswith("0") or d.startswith("0"):
            reason = ("月、日不编虚位", "no zero padding")
        elif _SPACE.search(m.group(0)):
            reason = ("不应有空格", "no spaces")
        else:
            return
        self.add("gongwen.date", line, actual=m.group(0), expected=expected, reason_zh=reason[0],
                 reason_en=reason[1])

    # -- headings: forms and sequence --------------------------------------------------------------------
    def headings(self) -> None:
        counters: dict[int, int] = {}
        for line in self.body_lines():
            if line.in_table:
                continue
            text = line.text.strip()
            for level, pattern, fix in HEADING_FORMS:
                m = pattern.match(text)
                if not m:
                    continue
                raw = m.group("n")
                n = int(raw) if raw.isdigit() else chinese_number(raw)
                if fix is not None:
                    right = fix.format(zh=raw, n=n)
                    self.add("gongwen.heading", line, actual=m.group(0), expected=right,
                             reason_zh=f"第{'一二三四'[level - 1]}层序数应写作“{right}”",
                             reason_en=f"level {level} is written \"{right}\"")
                expected_n = counters.get(level, 0) + 1
                if n != expected_n:
                    shown = _zh_numeral(expected_n) if level in (1, 2) else str(expected_n)
                    want = {1: f"{shown}、", 2: f"（{shown}）", 3: f"{shown}.", 4: f"（{shown}）"}[level]
                    self.add("gongwen.heading", line, actual=m.group(0), expected=want,
                             reason_zh="序数不连续", reason_en="out of sequence")
                counters[level] = n
                for deeper in range(level + 1, 5):
                    counters.pop(deeper, None)
                break

    # -- the attachment note ---------------------------------------------------------------------------
    def attachments(self) -> None:
        date = self.roles.date
        for i, line in enumerate(self.lines):
            text = line.text.strip()
            m = ATTACHMENT_NOTE.match(text)
            if not m or not m.group("rest") or re.fullmatch(r"\d+", m.group("rest")) or line.in_table:
                continue  # "附件" or "附件1" heads an attachment page
            if date is not None and i > date and i not in self.roles.closing:
                self.add("gongwen.attachment", line, actual=text,
                         reason_zh="附件说明应在正文之后、发文机关署名和成文日期之前",
                         reason_en="the note belongs after the body, before the issuer's name and the date")
            if m.group("colon") != "：":
                self.add("gongwen.attachment", line, actual=text,
                         reason_zh="“附件”后应紧跟全角冒号“：”", reason_en="附件 is followed by a full-width colon")
            names = [(line, m.group("rest"))]
            for more in self.lines[i + 1:]:
                if not re.match(r"^\d+\s*[.．、]", more.text.strip()):
                    break
                names.append((more, more.text.strip()))
            for where, name in names:
                if re.search(r"[。，；、,.;:：！!？?]$", name):
                    self.add("gongwen.attachment", where, actual=name,
                             reason_zh="附件名称后不加标点符号", reason_en="no punctuation after a name")
                if len(names) > 1 and not re.match(r"^\d+\.(?!\d)", name):
                    self.add("gongwen.attachment", where, actual=name,
                             reason_zh="多个附件用“1.”“2.”标注顺序号", reason_en="number several attachments 1. 2.")
            break

    # -- the addressee -----------------------------------------------------------------------------------
    def addressee(self) -> None:
        if self.roles.addressee is None:
            return
        line = self.lines[self.roles.addressee]
        problem = gb.addressee_problem(line.text)
        if problem is not None:
            self.add_problem(problem, line)
        p = line.paragraph
        if p is not None:
            pf = p.paragraph_format
            indent = (pf.first_line_indent or 0) + (pf.left_indent or 0)
            if indent > 0 or line.text.startswith((" ", "\u3000")):
                self.add("gongwen.addressee", line, actual=line.text.strip(), reason_zh="应顶格编排",
                         reason_en="flush left")

    # -- 主题词, 抄报, 抄送 ---------------------------------------------------------------------------------
    def obsolete_and_closing(self) -> None:
        for line in self.lines:
            text = line.text.strip()
            if re.match(rf"^主{_SP}题{_SP}词", text):
                self.add("gongwen.obsolete_element", line, actual=text[:20], reason_zh="删去主题词一行",
                         reason_en="drop the 主题词 line")
            elif re.match(rf"^抄{_SP}报", text):
                self.add("gongwen.obsolete_element", line, actual=text[:20], reason_zh="改为“抄送：”",
                         reason_en="write 抄送 instead")
            m = re.match(rf"^抄{_SP}送(?P<colon>{_SP}[:：]?)", text)
            if m:
                if m.group("colon") != "：":
                    self.add("gongwen.closing", line, actual=text[:20], reason_zh="“抄送”后应紧跟全角冒号",
                             reason_en="抄送 is followed by a full-width colon")
                if not text.endswith("。"):
                    self.add("gongwen.closing", line, actual=text[-20:], reason_zh="最后一个抄送机关名称后标句号",
                             reason_en="the last recipient ends with 。")


# --- .docx only: styles, page setup, fonts, colours, the rule, page numbers -------------------------------------

_MM = 36000  # EMU per mm


class _Styles:
    """Effective run and paragraph properties: direct formatting, then the style chain, then the defaults."""

    def __init__(self, doc: Any) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        root = doc.styles.element
        self.styles = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
        self.based_on = {sid: based.get(qn("w:val")) for sid, s in self.styles.items()
                         if (based := s.find(qn("w:basedOn"))) is not None}
        self.default_para = next((sid for sid, s in self.styles.items()
                                  if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in ("1", "true")),
                                 None)
        defaults = root.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
        self.default_rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None
        ppr_default = defaults.find(qn("w:pPrDefault")) if defaults is not None else None
        self.default_ppr = ppr_default.find(qn("w:pPr")) if ppr_default is not None else None

    def _chain(self, style_id: str | None, tag: str) -> list[Any]:
        out = []
        for sid in based_on_chain(style_id, self.based_on):
            if sid not in self.styles:
                break  # an unknown style ends the chain
            out.append(self.styles[sid].find(self.qn(tag)))
        return out

    def _para_style(self, paragraph: Any) -> str | None:
        ppr = paragraph._p.pPr
        pstyle = ppr.find(self.qn("w:pStyle")) if ppr is not None else None
        return pstyle.get(self.qn("w:val")) if pstyle is not None else self.default_para

    def ppr_layers(self, paragraph: Any) -> list[Any]:
        return [x for x in (paragraph._p.pPr, *self._chain(self._para_style(paragraph), "w:pPr"), self.default_ppr)
                if x is not None]

    def rpr_layers(self, paragraph: Any, run: Any) -> list[Any]:
        qn = self.qn
        rpr = run._r.rPr
        rstyle = rpr.find(qn("w:rStyle")) if rpr is not None else None
        layers = [rpr, *self._chain(rstyle.get(qn("w:val")) if rstyle is not None else None, "w:rPr"),
                  *self._chain(self._para_style(paragraph), "w:rPr"), self.default_rpr]
        return [x for x in layers if x is not None]

    def run_attr(self, paragraph: Any, run: Any, tag: str, attr: str) -> str | None:
        for layer in self.rpr_layers(paragraph, run):
            el = layer.find(self.qn(tag))
            if el is not None and el.get(self.qn(attr)) is not None:
                return str(el.get(self.qn(attr)))
        return None

    def effective(self, paragraph: Any, run: Any) -> tuple[str | None, float | None]:
        """(East Asian font name, size in points) of a run."""
        font = self.run_attr(paragraph, run, "w:rFonts", "w:eastAsia")
        size = self.run_attr(paragraph, run, "w:sz", "w:val")
        return font, (int(size) / 2 if size is not None else None)

    def para_attr(self, paragraph: Any, path: str, attr: str) -> str | None:
        for layer in self.ppr_layers(paragraph):
            el = layer.find(path, {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"})
            if el is not None and el.get(self.qn(attr)) is not None:
                return str(el.get(self.qn(attr)))
        return None

    def alignment(self, paragraph: Any) -> str:
        jc = self.para_attr(paragraph, "w:jc", "w:val") or "left"
        return {"start": "left", "end": "right", "distribute": "both"}.get(jc, jc)

    def first_line_indent(self, paragraph: Any) -> int:
        for attr in ("w:firstLine", "w:firstLineChars"):
            value = self.para_attr(paragraph, "w:ind", attr)
            if value is not None:
                return int(float(value))
        return 0


def _red(color: str | None) -> bool:
    if not color or not re.fullmatch(r"[0-9A-Fa-f]{6}", color):
        return False
    r, g, b = (int(color[i:i + 2], 16) for i in (0, 2, 4))
    return r >= 0xC0 and g <= 0x60 and b <= 0x60


def _page_setup(doc: Any, checker: _Checker, styles: _Styles) -> None:
    zh, en = [], []
    for n, section in enumerate(doc.sections):
        prefix = f"第{n + 1}节" if len(doc.sections) > 1 else ""
        for attr, want, tol, name_zh, name_en in gb.PAGE_RULES:
            value = getattr(section, attr)
            if value is None or abs(value / _MM - want) > tol:
                got = "未设置" if value is None else f"{value / _MM:.1f}mm"
                zh.append(f"{prefix}{name_zh}应为{want:g}mm（现为{got}）")
                en.append(f"{name_en} should be {want:g} mm (is {got})")
        lines, chars = _grid(section, styles, checker)
        if lines is None:
            zh.append(f"{prefix}应设置文档网格，每页排{gb.LINES}行、每行排{gb.CHARS}字")
            en.append(f"set a document grid of {gb.LINES} lines of {gb.CHARS} characters")
        elif lines != gb.LINES:
            zh.append(f"{prefix}每页应排{gb.LINES}行（现为{lines}行）")
            en.append(f"{gb.LINES} lines a page (is {lines})")
        if chars is not None and chars != gb.CHARS:
            zh.append(f"{prefix}每行应排{gb.CHARS}个字（现为{chars}个）")
            en.append(f"{gb.CHARS} characters a line (is {chars})")
    if zh:
        checker.add("gongwen.page_setup", None, reason_zh="；".join(zh), reason_en="; ".join(en))


def _grid(section: Any, styles: _Styles, checker: _Checker) -> tuple[int | None, int | None]:
    """Lines a page and characters a line of a section's document grid (None: no grid / cannot tell)."""
    qn = styles.qn
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None or grid.get(qn("w:type")) in (None, "default") or not grid.get(qn("w:linePitch")):
        return None, None
    height = (section.page_height or 0) - (section.top_margin or 0) - (section.bottom_margin or 0)
    width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    pitch_pt = int(grid.get(qn("w:linePitch"))) / 20
    lines = int(height / 12700 / pitch_pt + 0.05)
    body = next((checker.lines[i] for i in checker.roles.body if checker.lines[i].paragraph is not None
                 and not checker.lines[i].in_table and checker.lines[i].paragraph.runs), None)
    char_pt = gb.BODY_PT
    if body is not None:
        run = next((r for r in body.paragraph.runs if r.text.strip()), body.paragraph.runs[0])
        spacing = styles.run_attr(body.paragraph, run, "w:spacing", "w:val")
        char_pt += int(spacing) / 20 if spacing is not None else 0
    if grid.get(qn("w:type")) in ("linesAndChars", "snapToChars") and grid.get(qn("w:charSpace")):
        char_pt = gb.BODY_PT + int(grid.get(qn("w:charSpace"))) / 4096
    return lines, int(width / 12700 / char_pt + 0.05)


def _fonts(checker: _Checker, styles: _Styles) -> None:
    r = checker.roles
    roles: dict[str, tuple[str, str, str, float, list[Line], list[str]]] = {
        "title": ("标题", "the title", gb.TITLE_FACE, gb.TITLE_PT, [], []),
        "body": ("正文", "body text", gb.BODY_FACE, gb.BODY_PT, [], []),
        "h1": ("一级标题", "level 1 headings", gb.H1_FACE, gb.BODY_PT, [], []),
        "h2": ("二级标题", "level 2 headings", gb.H2_FACE, gb.BODY_PT, [], []),
        "h34": ("三、四级标题", "level 3 and 4 headings", gb.H34_FACE, gb.BODY_PT, [], []),
    }
    for i in r.title:
        _judge(styles, checker.lines[i], roles["title"], first_run_only=False)
    for line in checker.body_lines():
        text = line.text.strip()
        if not text or line.paragraph is None or line.in_table:
            continue
        level = heading_of(text)
        key = {1: "h1", 2: "h2", 3: "h34", 4: "h34"}.get(level, "body")
        _judge(styles, line, roles[key], first_run_only=level in (1, 2))
    for k in (r.addressee, r.note, r.signature, r.date):
        if k is not None and checker.lines[k].paragraph is not None:
            _judge(styles, checker.lines[k], roles["body"], first_run_only=False)
    for name_zh, name_en, face, size, bad, seen in roles.values():
        if bad:
            checker.add("gongwen.font", bad[0], label=name_zh, label_en=name_en, expected=f"{size:g}pt {face}",
                        actual=seen[0], count=len(bad))


def _judge(styles: _Styles, line: Line, role: tuple[str, str, str, float, list[Line], list[str]],
           first_run_only: bool) -> None:
    _, _, face, size, bad, seen = role
    runs = [r for r in line.paragraph.runs if r.text.strip()]
    for run in runs[:1] if first_run_only else runs:
        font, pt = styles.effective(line.paragraph, run)
        if font is None or face not in font or pt is None or abs(pt - size) > 0.25:
            bad.append(line)
            seen.append(" ".join(x for x in (f"{pt:g}pt" if pt is not None else "", font or "") if x) or "?")
            return


def _layout(doc: Any, checker: _Checker, styles: _Styles) -> None:
    """The title centred, the issuer mark red, the red rule under the number."""
    r = checker.roles
    for i in r.title:
        line = checker.lines[i]
        if line.paragraph is not None and styles.alignment(line.paragraph) != "center":
            checker.add("gongwen.title", line, actual=line.text.strip()[:30], reason_zh="应居中排布",
                        reason_en="centre it")
            break
    for i in r.mark:
        line = checker.lines[i]
        runs = [x for x in line.paragraph.runs if x.text.strip()] if line.paragraph is not None else []
        if runs and not all(_red(styles.run_attr(line.paragraph, x, "w:color", "w:val")) for x in runs):
            checker.add("gongwen.issuer_mark", line, actual=line.text.strip()[:30], reason_zh="应为红色",
                        reason_en="print it in red")
            break
    for i in r.mark:
        line = checker.lines[i]
        if line.paragraph is None or "\n" in line.text or not line.paragraph.runs:
            continue
        run = next((x for x in line.paragraph.runs if x.text.strip()), line.paragraph.runs[0])
        _, size = styles.effective(line.paragraph, run)
        spacing = styles.run_attr(line.paragraph, run, "w:spacing", "w:val")
        indents = sum(int(float(styles.para_attr(line.paragraph, "w:ind", a) or 0)) / 20
                      for a in ("w:left", "w:right"))
        if size is not None and gb.ems(line.text.strip()) * (size + int(spacing or 0) / 20) > gb.TEXT_W_PT - indents:
            checker.add("gongwen.issuer_mark", line, actual=line.text.strip()[:30],
                        reason_zh=f"用{size:g}磅字排不下一行，会折行，应缩小字号",
                        reason_en=f"does not fit on one line at {size:g} pt; use a smaller size")
            break
    if r.number is not None and checker.lines[r.number].paragraph is not None:
        _separator(checker, styles)


def _separator(checker: _Checker, styles: _Styles) -> None:
    r = checker.roles
    assert r.number is not None
    candidates = [(i, "w:pBdr/w:bottom") for i in (*r.mark[-1:], r.number)]
    after = [i for i in range(r.number + 1, len(checker.lines)) if checker.lines[i].paragraph is not None][:2]
    candidates += [(i, "w:pBdr/w:top") for i in after]
    found_colors: list[str] = []
    for i, path in candidates:
        p = checker.lines[i].paragraph
        if p is None:
            continue
        val = styles.para_attr(p, path, "w:val")
        if val not in (None, "nil", "none"):
            found_colors.append(styles.para_attr(p, path, "w:color") or "auto")
        # a drawn line (a shape) in these paragraphs counts when it is red
        xml = p._p.xml
        if re.search(r"<(wps:wsp|v:line|w:pict|w:drawing)\b", xml):
            found_colors += re.findall(r'(?:srgbClr val|strokecolor)="#?([0-9A-Fa-f]{6})"', xml)
    if any(_red(c) for c in found_colors):
        return
    if found_colors:
        checker.add("gongwen.separator", checker.lines[r.number], reason_zh="现有分隔线不是红色",
                    reason_en="the rule there is not red")
    else:
        checker.add("gongwen.separator", checker.lines[r.number], reason_zh="未找到", reason_en="none found")


def _page_numbers(doc: Any, checker: _Checker, styles: _Styles) -> None:
    """— 1 — in 4号 宋体: odd pages right, even pages left (a letter may leave page 1 without one)."""
    zh: list[str] = []
    en: list[str] = []
    section = doc.sections[0]
    odd_even = bool(doc.settings.odd_and_even_pages_header_footer)
    footers = [("odd", section.footer)] + ([("even", section.even_page_footer)] if odd_even else [])
    for side, footer in footers:
        paras = [p for p in footer.paragraphs if "PAGE" in p._p.xml and re.search(r"instr[^>]*>\s*PAGE\b|"
                                                                                      r'instr="\s*PAGE\b', p._p.xml)]
        if not paras:
            zh.append("缺少页码" if side == "odd" else "双页缺少页码")
            en.append("no page number" if side == "odd" else "no page number on even pages")
            continue
        p = paras[0]
        if not gb.PAGE_NUMBER.match(p.text.strip()):
            zh.append(f"应写作“— 1 —”（现为“{p.text.strip()}”）")
            en.append(f"write \"— 1 —\" (is \"{p.text.strip()}\")")
        runs = [x for x in p.runs if x.text.strip()]
        if runs:
            font, pt = styles.effective(p, runs[0])
            if font is None or gb.PAGE_NO_FACE not in font or pt is None or abs(pt - gb.PAGE_NO_PT) > 0.25:
                zh.append(f"应为4号宋体（现为{pt if pt is None else f'{pt:g}pt'} {font}）")
                en.append(f"4号 宋体 (is {pt} pt {font})")
        want = "right" if side == "odd" else "left"
        if styles.alignment(p) != want:
            zh.append("单页码居右" if side == "odd" else "双页码居左")
            en.append("odd pages right" if side == "odd" else "even pages left")
    if not odd_even and not zh:
        zh.append("单页码居右、双页码居左（应设置奇偶页不同）")
        en.append("odd pages right, even pages left (different odd and even footers)")
    if zh:
        checker.add("gongwen.page_number", None, reason_zh="；".join(dict.fromkeys(zh)),
                    reason_en="; ".join(dict.fromkeys(en)))


# --- reading the file -------------------------------------------------------------------------------------

def notice_lines(notice: Notice) -> list[tuple[str, int]]:
    """A notice source as the lines of the document it renders to (for the text rules), each with the source
    line it comes from (1-based), so a finding points at the line to edit."""
    w = notice.where
    lines = [(notice.issuer, w.get("issuer", 0)), (notice.number, w.get("number", 0)),
             (notice.title, w.get("title", 0)), (notice.addressee, w.get("addressee", 0))]
    for b in notice.blocks:
        if b.kind == "table":
            lines += [("\t".join(r), b.line + k) for k, r in enumerate(b.rows)]
        else:
            lines.append((b.text, b.line))
    names = attachment_lines(notice.attachments)
    for k, name in enumerate(names):
        lines.append((("附件：" if k == 0 else "") + name, w.get(f"attachments[{k}]", w.get("attachments", 0))))
    lines += [(notice.issuer, w.get("issuer", 0)), (chinese_date(notice.date), w.get("date", 0))]
    if notice.cc:
        lines.append(("抄送：" + cc_line(notice.cc), w.get("cc", 0)))
    return lines


class NotANotice(Exception):
    """Not something the checker can read as a notice: the reason, for gongwen.not_a_notice."""

    def __init__(self, reason_zh: str, reason_en: str) -> None:
        super().__init__(reason_en)
        self.reason_zh = reason_zh
        self.reason_en = reason_en


_OTHER_FORMATS = {
    "pdf": ("这是 PDF 文件", "this is a PDF file"),
    "doc": ("这是旧版 Word（.doc）文件，请另存为 .docx", "this is a legacy Word (.doc) file; save it as .docx"),
    "wps": ("这是 WPS 文件，请另存为 .docx", "this is a WPS file; save it as .docx"),
    "zip": ("这是不含 Word 文档的压缩包", "this is a zip archive without a Word document"),
    "ole": ("这是一个不是 Word 文档的 OLE 文件", "this is an OLE file that is not a Word document"),
}


def _open_docx(data: bytes, call: Call) -> Any:
    """A .docx through the application's guards (zip limits, encrypted package, every XML part parsed without
    DTDs), then opened with python-docx; raises FileProblem for a damaged file."""
    import docx

    from pipeline.ingest.docx import SafeZip, main_part, parse_xml

    z = SafeZip(data, call.file)
    if "EncryptedPackage" in z.names:
        raise FileProblem("file.encrypted")
    try:
        part = main_part(z)
    except FileProblem:
        raise NotANotice("压缩包中没有 Word 正文", "no Word main document in the package") from None
    for name in sorted(z.names):
        if name.endswith((".xml", ".rels")):
            body = z.read(name)
            if body is not None:
                parse_xml(body, name)
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many types for a package it cannot use
        reason = one_line(str(e))[:80] or type(e).__name__
        raise FileProblem("file.corrupt", part=part, reason_zh=f"无法读取（{reason}）",
                          reason_en=f"cannot be read ({reason})") from None


def _docx_lines(doc: Any) -> list[Line]:
    """Paragraphs and table cells in reading order (tables: one line per cell paragraph)."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[Line] = []
    p_index = t_index = 0
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            p = Paragraph(el, doc)
            lines.append(Line(p.text, len(lines), p, Location(kind="docx", paragraph=p_index)))
            p_index += 1
        elif el.tag == qn("w:tbl"):
            table = Table(el, doc)
            for r, row in enumerate(table.rows):
                seen: set[int] = set()
                for c, cell in enumerate(row.cells):
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    for p in cell.paragraphs:
                        lines.append(Line(p.text, len(lines), p, Location(kind="docx", table=t_index, row=r, col=c),
                                          in_table=True))
            t_index += 1
    return lines


def _text_lines(data: bytes, call: Call, checker_findings: list[Finding]) -> list[Line]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise NotANotice("既不是 .docx，也不是 UTF-8 或 GB18030 编码的文本",
                             "neither .docx nor UTF-8/GB18030 text") from None
    if "\x00" in text:
        raise NotANotice("这是二进制文件，不是文本", "a binary file, not text")
    raw = text.splitlines()
    first = next((t.strip() for t in raw if t.strip()), "")
    if first != "---":
        return [Line(t, i) for i, t in enumerate(raw)]
    # a notice source is checked as the document it renders to; one that cannot be read is reported
    try:
        rendered = notice_lines(parse_notice(text, validate=False))
    except NoticeSourceError as e:
        loc = Location(kind="docx", paragraph=max(e.line - 1, 0))
        checker_findings.append(make(e.code, call, location=loc, **e.params))
        return []
    return [Line(t, i, location=Location(kind="docx", paragraph=max(src - 1, 0)))
            for i, (t, src) in enumerate(rendered)]


def check_notice_bytes(data: bytes, name: str, call: Call) -> Report:
    """Check a notice's bytes (.docx, text, or a notice source) against GB/T 9704-2012; `fields` is empty."""
    from pipeline.check import TOOL
    from pipeline.ingest.sniff import guard_size, sniff

    fmt = sniff(data)
    info = FileInfo(path=name, sha256=hashlib.sha256(data).hexdigest(), format=fmt, bytes=len(data))

    def report(findings: list[Finding]) -> Report:
        return Report(tool=TOOL, call=call.id, file=info, fields={}, findings=tuple(findings))

    early: list[Finding] = []
    doc = styles = None
    try:
        if not data.strip():
            raise NotANotice("文件为空", "the file is empty")
        guard_size(data, call.file)
        if fmt == "docx":
            doc = _open_docx(data, call)
            try:
                styles = _Styles(doc)
                lines = _docx_lines(doc)
            except Exception as e:  # python-docx on a package it opened but cannot walk (a malformed table)
                raise FileProblem("file.corrupt", part="docx", reason_zh=f"无法读取（{type(e).__name__}）",
                                  reason_en=f"cannot be read ({type(e).__name__})") from None
        elif fmt == "encrypted-ooxml":
            raise FileProblem("file.encrypted")
        elif fmt in _OTHER_FORMATS:
            raise NotANotice(*_OTHER_FORMATS[fmt])
        else:
            info = FileInfo(path=name, sha256=info.sha256, format="text", bytes=len(data))
            lines = _text_lines(data, call, early)
    except FileProblem as p:
        return report([make(p.code, call, **p.params)])
    except NotANotice as e:
        return report([make("gongwen.not_a_notice", call, reason_zh=e.reason_zh, reason_en=e.reason_en)])
    if early:
        return report(early)
    try:
        return report(_check(lines, call, doc, styles))
    except MemoryError:
        raise
    except Exception as e:  # the last net: a .docx python-docx opened but cannot walk is damaged, not a crash
        if doc is None:
            raise
        return report([make("file.corrupt", call, part="docx", reason_zh=f"无法读取（{type(e).__name__}）",
                            reason_en=f"cannot be read ({type(e).__name__})")])


def _check(lines: list[Line], call: Call, doc: Any, styles: _Styles | None) -> list[Finding]:
    roles = _Reader(lines, styles).roles()
    if roles.number is None and not roles.title:
        return [make("gongwen.not_a_notice", call, reason_zh="找不到发文字号和公文标题",
                     reason_en="neither a document number nor a title was found")]
    checker = _Checker(lines, call, roles)
    checker.run()
    if doc is not None and styles is not None:
        _page_setup(doc, checker, styles)
        _layout(doc, checker, styles)
        _fonts(checker, styles)
        _page_numbers(doc, checker, styles)
    return checker.findings


def check_notice(path: Path, call: Call) -> Report:
    """Check a notice file (.docx, text, or a notice source) against GB/T 9704-2012; `fields` is empty."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        from pipeline.fileio import read_reason

        zh, en = read_reason(e)
        raise PipelineError(f"无法读取 {path}：{zh}", f"Cannot read {path}: {en}") from None
    return check_notice_bytes(data, str(path), call)
