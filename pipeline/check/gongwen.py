"""`award gongwen`: check any notice (.docx, plain text, or a notice source) against GB/T 9704-2012 (spec §6).

Rules and the choices made where the standard leaves room:
- gongwen.doc_number: 〔〕 around the year (not [] ［］ 【】 ()), no spaces, no leading zeros, no 第
  (沪质协〔2021〕14号); checked on the number line and on numbers cited in the text.
- gongwen.date: full dates in Arabic numerals without padding or spaces (2021年5月26日); 二〇二一年五月二十六日,
  2021年05月26日 and a bare 2021-05-26 line are findings.
- gongwen.heading: the forms of §7.3.3 are 一、 （一） 1. （1）; 1、 一. (一) （一）、 (1) are findings, and so is a
  number out of sequence within its level (a higher level resets the count). Skipping a level (一、 then 1.)
  is allowed: the standard gives the order, not an obligation to use every level.
- gongwen.attachment: 附件：名称 with a full-width colon, several names numbered 1. 2.; no punctuation after a
  name; the note comes before the issuer's name and the date.
- gongwen.addressee: the line after the title, flush left, ends with a full-width colon.
- gongwen.obsolete_element: 主题词 and 抄报 (GB/T 9704-2012 dropped both; 抄送 covers every recipient).
- gongwen.closing: 抄送：… with a full-width colon, ending with 。.
- gongwen.page_setup (.docx): A4, margins 37/35/28/26 mm within 1 mm (bottom and right within 1.5 mm).
- gongwen.font (.docx): the title 22 pt 小标宋; body 16 pt 仿宋; 一、 headings 黑体, （一） headings 楷体.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.calls import Call
from pipeline.check.codes import make
from pipeline.errors import PipelineError
from pipeline.model import FileInfo, Finding, Location, Report
from pipeline.notice import Notice, NoticeSourceError, chinese_date, parse_notice

_ZH_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}

DOC_NUMBER = re.compile(r"(?P<code>[\u4e00-\u9fff]{1,12})[ \t\u3000]*(?P<open>[〔\[［【(（])[ \t\u3000]*(?P<year>\d{4})"
                        r"[ \t\u3000]*(?P<close>[〕\]］】)）])[ \t\u3000]*(?P<di>第)?[ \t\u3000]*(?P<serial>\d+)"
                        r"[ \t\u3000]*号")
_SP = r"[ \t\u3000]*"
FULL_DATE = re.compile(r"(?P<y>\d{4}|[〇零一二三四五六七八九]{4})" + _SP + "年" + _SP
                       + r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})" + _SP + "月" + _SP
                       + r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})" + _SP + "日")
ISO_DATE_LINE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$")

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


@dataclass(frozen=True)
class Line:
    """One paragraph (or text line) of the notice and where it is."""

    text: str
    index: int
    paragraph: Any = None  # the python-docx Paragraph of a .docx


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


def _loc(line: Line) -> Location:
    return Location(kind="docx", paragraph=line.index)


class _Checker:
    def __init__(self, lines: list[Line], call: Call) -> None:
        self.lines = lines
        self.call = call
        self.findings: list[Finding] = []

    def add(self, code: str, line: Line | None, **params: Any) -> None:
        loc = _loc(line) if line is not None else Location(kind="file")
        self.findings.append(make(code, self.call, location=loc, **params))

    def run(self) -> list[Finding]:
        self.doc_numbers()
        self.dates()
        self.headings()
        self.attachments()
        self.addressee()
        self.obsolete_and_closing()
        return self.findings

    # -- the document number, wherever it is written ---------------------------------------------------
    def doc_numbers(self) -> None:
        for line in self.lines:
            for m in DOC_NUMBER.finditer(line.text):
                problems_zh, problems_en = [], []
                if m.group("open") != "〔" or m.group("close") != "〕":
                    problems_zh.append("年份应用六角括号〔〕")
                    problems_en.append("the year goes in 〔〕")
                if re.search(r"[ \t\u3000]", m.group(0)):
                    problems_zh.append("不应有空格")
                    problems_en.append("no spaces")
                if m.group("di"):
                    problems_zh.append("序号前不加“第”")
                    problems_en.append("no 第 before the serial")
                if m.group("serial").startswith("0"):
                    problems_zh.append("序号不编虚位")
                    problems_en.append("no leading zeros")
                if problems_zh:
                    expected = f"{m.group('code')}〔{m.group('year')}〕{int(m.group('serial'))}号"
                    self.add("gongwen.doc_number", line, actual=m.group(0), expected=expected,
                             reason_zh="，".join(problems_zh), reason_en=", ".join(problems_en))

    # -- dates -----------------------------------------------------------------------------------------
    def dates(self) -> None:
        for line in self.lines:
            for m in FULL_DATE.finditer(line.text):
                y, mo, d = m.group("y"), m.group("m"), m.group("d")
                zh = not y.isdigit() or not mo.isdigit() or not d.isdigit()
                if zh:
                    year = int(y) if y.isdigit() else int("".join(str(_ZH_DIGITS[c]) for c in y))
                    month = int(mo) if mo.isdigit() else chinese_number(mo)
                    day = int(d) if d.isdigit() else chinese_number(d)
                    reason = ("应使用阿拉伯数字", "use Arabic numerals")
                elif mo.startswith("0") or d.startswith("0"):
                    year, month, day = int(y), int(mo), int(d)
                    reason = ("月、日不编虚位", "no zero padding")
                elif re.search(r"[ \t\u3000]", m.group(0)):
                    year, month, day = int(y), int(mo), int(d)
                    reason = ("不应有空格", "no spaces")
                else:
                    continue
                expected = f"{year}年{month}月{day}日"
                self.add("gongwen.date", line, actual=m.group(0), expected=expected, reason_zh=reason[0],
                         reason_en=reason[1])
            if ISO_DATE_LINE.match(line.text.strip()):
                parts = [int(x) for x in re.split(r"[-/.]", line.text.strip())]
                self.add("gongwen.date", line, actual=line.text.strip(),
                         expected=f"{parts[0]}年{parts[1]}月{parts[2]}日",
                         reason_zh="成文日期应写作“年月日”", reason_en="write the date with 年月日")

    # -- headings: forms and sequence --------------------------------------------------------------------
    def headings(self) -> None:
        counters: dict[int, int] = {}
        for line in self.body_lines():
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

    def body_lines(self) -> list[Line]:
        """The lines between the addressee (or the title) and the issuer's name / date."""
        start = self._addressee_index()
        first = start + 1 if start is not None else 0
        out = []
        for line in self.lines[first:]:
            text = line.text.strip()
            if re.match(r"^附\s*件", text) or FULL_DATE.fullmatch(text) or ISO_DATE_LINE.match(text):
                break
            out.append(line)
        return out

    # -- the attachment note ---------------------------------------------------------------------------
    def attachments(self) -> None:
        date_seen = False
        for i, line in enumerate(self.lines):
            text = line.text.strip()
            if FULL_DATE.fullmatch(text) or ISO_DATE_LINE.match(text):
                date_seen = True
            m = re.match(r"^附[ \t\u3000]*件(?P<colon>[ \t\u3000]*[:：]?)[ \t\u3000]*(?P<rest>.*)$", text)
            if not m or not m.group("rest") or re.fullmatch(r"\d+", m.group("rest")):
                continue  # "附件" or "附件1" heads an attachment page
            if date_seen:
                self.add("gongwen.attachment", line, actual=text,
                         reason_zh="附件说明应在正文之后、发文机关署名和成文日期之前",
                         reason_en="the note belongs after the body, before the issuer's name and the date")
            if m.group("colon").strip() != "：" or m.group("colon") != "：":
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

    # -- the addressee -----------------------------------------------------------------------------------
    def _title_index(self) -> int | None:
        for i, line in enumerate(self.lines):
            if DOC_NUMBER.fullmatch(line.text.strip()):
                for j in range(i + 1, len(self.lines)):
                    if self.lines[j].text.strip():
                        return j
        return None

    def _addressee_index(self) -> int | None:
        title = self._title_index()
        if title is None:
            return None
        for j in range(title + 1, len(self.lines)):
            text = self.lines[j].text.strip()
            if text:
                return j if text.endswith((":", "：")) and len(text) <= 80 else None
        return None

    def addressee(self) -> None:
        i = self._addressee_index()
        if i is None:
            return
        line = self.lines[i]
        text = line.text.strip()
        if not text.endswith("："):
            self.add("gongwen.addressee", line, actual=text, reason_zh="应以全角冒号“：”结尾",
                     reason_en="must end with a full-width colon")
        p = line.paragraph
        if p is not None:
            pf = p.paragraph_format
            indent = (pf.first_line_indent or 0) + (pf.left_indent or 0)
            if indent > 0 or line.text.startswith((" ", "\u3000")):
                self.add("gongwen.addressee", line, actual=text, reason_zh="应顶格编排", reason_en="flush left")

    # -- 主题词, 抄报, 抄送 ---------------------------------------------------------------------------------
    def obsolete_and_closing(self) -> None:
        for line in self.lines:
            text = line.text.strip()
            if re.match(r"^主[ \t\u3000]*题[ \t\u3000]*词", text):
                self.add("gongwen.obsolete_element", line, actual=text[:20], reason_zh="删去主题词一行",
                         reason_en="drop the 主题词 line")
            elif re.match(r"^抄[ \t\u3000]*报", text):
                self.add("gongwen.obsolete_element", line, actual=text[:20], reason_zh="改为“抄送：”",
                         reason_en="write 抄送 instead")
            m = re.match(r"^抄[ \t\u3000]*送(?P<colon>[ \t\u3000]*[:：]?)", text)
            if m:
                if m.group("colon") != "：":
                    self.add("gongwen.closing", line, actual=text[:20], reason_zh="“抄送”后应紧跟全角冒号",
                             reason_en="抄送 is followed by a full-width colon")
                if not text.endswith("。"):
                    self.add("gongwen.closing", line, actual=text[-20:], reason_zh="最后一个抄送机关名称后标句号",
                             reason_en="the last recipient ends with 。")


# --- .docx only: page setup and fonts -----------------------------------------------------------------

_MM = 36000  # EMU per mm
PAGE_RULES = (("page_width", 210.0, 1.0, "页宽", "page width"),
              ("page_height", 297.0, 1.0, "页高", "page height"),
              ("top_margin", 37.0, 1.0, "上边距", "top margin"),
              ("bottom_margin", 35.0, 1.5, "下边距", "bottom margin"),
              ("left_margin", 28.0, 1.0, "左边距", "left margin"),
              ("right_margin", 26.0, 1.5, "右边距", "right margin"))


def _page_setup(doc: Any, checker: _Checker) -> None:
    zh, en = [], []
    for n, section in enumerate(doc.sections):
        for attr, want, tol, name_zh, name_en in PAGE_RULES:
            value = getattr(section, attr)
            if value is None or abs(value / _MM - want) > tol:
                got = "未设置" if value is None else f"{value / _MM:.1f}mm"
                prefix = f"第{n + 1}节" if len(doc.sections) > 1 else ""
                zh.append(f"{prefix}{name_zh}应为{want:g}mm（现为{got}）")
                en.append(f"{name_en} should be {want:g} mm (is {got})")
    if zh:
        checker.add("gongwen.page_setup", None, reason_zh="；".join(zh), reason_en="; ".join(en))


class _Fonts:
    """Effective East Asian font name and size of runs: run, character style, paragraph style chain, defaults."""

    def __init__(self, doc: Any) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        root = doc.styles.element
        self.styles = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
        self.default_para = next((sid for sid, s in self.styles.items()
                                  if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in ("1", "true")),
                                 None)
        defaults = root.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
        self.default_rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None

    def _chain(self, style_id: str | None) -> list[Any]:
        out, seen = [], set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            style = self.styles[style_id]
            out.append(style.find(self.qn("w:rPr")))
            based = style.find(self.qn("w:basedOn"))
            style_id = based.get(self.qn("w:val")) if based is not None else None
        return out

    def effective(self, paragraph: Any, run: Any) -> tuple[str | None, float | None]:
        """(East Asian font name, size in points) of a run."""
        qn = self.qn
        ppr = paragraph._p.pPr
        pstyle = ppr.find(qn("w:pStyle")) if ppr is not None else None
        para_style = pstyle.get(qn("w:val")) if pstyle is not None else self.default_para
        rpr = run._r.rPr
        rstyle = rpr.find(qn("w:rStyle")) if rpr is not None else None
        layers = [rpr, *self._chain(rstyle.get(qn("w:val")) if rstyle is not None else None),
                  *self._chain(para_style), self.default_rpr]
        font = size = None
        for layer in layers:
            if layer is None:
                continue
            fonts = layer.find(qn("w:rFonts"))
            if font is None and fonts is not None and fonts.get(qn("w:eastAsia")):
                font = fonts.get(qn("w:eastAsia"))
            sz = layer.find(qn("w:sz"))
            if size is None and sz is not None:
                size = int(sz.get(qn("w:val"))) / 2
            if font is not None and size is not None:
                break
        return font, size


def _fonts(doc: Any, checker: _Checker) -> None:
    fonts = _Fonts(doc)
    title = checker._title_index()
    roles: dict[str, tuple[str, str, str, float, list[Line], list[str]]] = {
        "title": ("标题", "the title", "小标宋", 22.0, [], []),
        "body": ("正文", "body text", "仿宋", 16.0, [], []),
        "h1": ("一级标题", "level 1 headings", "黑体", 16.0, [], []),
        "h2": ("二级标题", "level 2 headings", "楷体", 16.0, [], []),
    }
    if title is not None:
        _judge(fonts, checker.lines[title], roles["title"], first_run_only=False)
    for line in checker.body_lines():
        text = line.text.strip()
        if not text or line.paragraph is None:
            continue
        if re.match(rf"^{_CN}、", text):
            _judge(fonts, line, roles["h1"], first_run_only=True)
        elif re.match(rf"^（{_CN}）", text):
            _judge(fonts, line, roles["h2"], first_run_only=True)
        else:
            _judge(fonts, line, roles["body"], first_run_only=False)
    for name_zh, name_en, face, size, bad, seen in roles.values():
        if bad:
            checker.add("gongwen.font", bad[0], label=name_zh, label_en=name_en, expected=f"{size:g}pt {face}",
                        actual=seen[0], count=len(bad))


def _judge(fonts: _Fonts, line: Line, role: tuple[str, str, str, float, list[Line], list[str]],
           first_run_only: bool) -> None:
    _, _, face, size, bad, seen = role
    runs = [r for r in line.paragraph.runs if r.text.strip()]
    for run in runs[:1] if first_run_only else runs:
        font, pt = fonts.effective(line.paragraph, run)
        if font is None or face not in font or pt is None or abs(pt - size) > 0.25:
            bad.append(line)
            seen.append(f"{pt:g}pt {font}" if pt is not None else f"{font}")
            return


# --- reading the file -------------------------------------------------------------------------------------

def notice_lines(notice: Notice) -> list[str]:
    """A notice source as the lines of the document it renders to (for the text rules)."""
    from pipeline.render.documents import attachment_lines

    lines = [notice.issuer, notice.number, notice.title, notice.addressee]
    for b in notice.blocks:
        lines += ["\t".join(r) for r in b.rows] if b.kind == "table" else [b.text]
    names = attachment_lines(notice.attachments)
    if names:
        lines += ["附件：" + names[0], *names[1:]]
    lines += [notice.issuer, chinese_date(notice.date)]
    if notice.cc:
        lines.append("抄送：" + notice.cc.rstrip("。") + "。")
    return lines


def _read(path: Path, data: bytes) -> tuple[str, list[Line], Any]:
    if data[:2] == b"PK":
        import io

        import docx

        try:
            doc = docx.Document(io.BytesIO(data))
        except Exception as e:  # python-docx raises many types for a damaged package
            raise PipelineError(f"无法打开 {path.name}：{e}", f"Cannot open {path.name}: {e}") from None
        lines = [Line(p.text, i, p) for i, p in enumerate(doc.paragraphs)]
        return "docx", lines, doc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise PipelineError(f"{path.name} 不是 .docx，也不是 UTF-8/GB18030 文本",
                                f"{path.name} is neither .docx nor UTF-8/GB18030 text") from None
    raw = text.splitlines()
    if raw and raw[0].strip() == "---":
        # a notice source is checked as the document it renders to; a broken one as the text it is
        with contextlib.suppress(NoticeSourceError):
            raw = notice_lines(parse_notice(text))
    return "text", [Line(t, i) for i, t in enumerate(raw)], None


def check_notice(path: Path, call: Call) -> Report:
    """Check a notice (.docx, text, or a notice source) against GB/T 9704-2012; `fields` is empty."""
    from pipeline.check import TOOL

    try:
        data = Path(path).read_bytes()
    except OSError as e:
        from pipeline.fileio import read_reason

        zh, en = read_reason(e)
        raise PipelineError(f"无法读取 {path}：{zh}", f"Cannot read {path}: {en}") from None
    fmt, lines, doc = _read(Path(path), data)
    checker = _Checker(lines, call)
    checker.run()
    if doc is not None:
        _page_setup(doc, checker)
        _fonts(doc, checker)
    info = FileInfo(path=str(path), sha256=hashlib.sha256(data).hexdigest(), format=fmt, bytes=len(data))
    return Report(tool=TOOL, call=call.id, file=info, fields={}, findings=tuple(checker.findings))
