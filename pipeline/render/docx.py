"""Word templates staff can edit: docxtpl rendered in a sandboxed, autoescaping, strict Jinja2 environment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from pipeline.errors import PipelineError


class TemplateProblem(PipelineError):
    """A template that cannot be rendered: a missing variable, a syntax error, a missing file."""


def environment() -> SandboxedEnvironment:
    """The one Jinja2 environment for docx XML: sandboxed, autoescaping, failing on undefined variables."""
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def _open(path: Path) -> Any:
    from docxtpl import DocxTemplate

    if not path.is_file():
        raise TemplateProblem(f"找不到模板：{path}", f"template not found: {path}")
    return DocxTemplate(str(path))


def render_template(path: Path, context: dict[str, Any]) -> Any:
    """Render a .docx template with context; returns the rendered docxtpl document (save it with fileio)."""
    doc = _open(path)
    try:
        doc.render(context, jinja_env=environment(), autoescape=True)
    except UndefinedError as e:
        m = re.search(r"'([^']+)' is undefined", str(e))
        name = m.group(1) if m else str(e)
        raise TemplateProblem(f"模板 {path.name} 使用了未提供的变量：{name}",
                              f"template {path.name} uses a variable that is not provided: {name}") from None
    except TemplateError as e:
        raise TemplateProblem(f"模板 {path.name} 有语法错误：{e}",
                              f"template {path.name} has a syntax error: {e}") from None
    protect_runs(doc.docx.element)
    return doc


def template_variables(path: Path) -> set[str]:
    """The top-level variables a template uses (to compare with what the code passes)."""
    return set(_open(path).get_undeclared_template_variables(jinja_env=environment()))


# --- unbreakable runs ----------------------------------------------------------------------------------------
#
# A registration number, a date, a document number, an amount or a person's name must never be cut across two
# lines. Word keeps characters joined by U+2060 WORD JOINER together. LibreOffice (7.4, measured) does not when it
# breaks Chinese text: its CJK line breaker (used for the zh-CN text of our documents, digits included) may break
# between any two characters and ignores the joiner. It does honour the joiner in text whose language it breaks
# by the Unicode rules, so the joined span is put in a run of its own tagged zh-Hans (still Simplified Chinese,
# same fonts): both programs then keep it whole. tests/test_nobreak.py measures it in the PDFs.

WJ = "\u2060"
NOBREAK_LANG = "zh-Hans"

# spans of free text to keep whole: document numbers, registration numbers, dates, 第N…, numbers with their unit
_PROTECTED = re.compile(
    r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号"               # 沪质协〔2021〕14号
    r"|\d{4}年\d{1,2}月(?:\d{1,2}日)?"                  # 2021年7月31日, 1972年4月
    r"|\d{4}-\d{1,2}-\d{1,2}"                          # 2021-07-31
    r"|[A-Za-z]*\d+(?:[-.,:/]\d+)*(?:[A-Za-z%]+|万元|元|项|份|个|行|列|页|位|日|号|岁)?"  # 2021-0059, 3000.5万元
    r"|第\d+(?:[行列项名位页])?"                        # 第1行, 排名第1
)


def nobreak(text: str) -> str:
    """The text joined into one unbreakable span (a name, a number): U+2060 between its characters."""
    clean = text.replace(WJ, "")
    return WJ.join(clean) if len(clean) > 1 else clean


def protect(text: str, names: tuple[str, ...] = ()) -> str:
    """Free text with its numbers, dates, document numbers (and the given names) made unbreakable."""
    out = _PROTECTED.sub(lambda m: nobreak(m.group(0)), text.replace(WJ, ""))
    for name in sorted({n for n in names if len(n) > 1}, key=len, reverse=True):
        out = out.replace(name, nobreak(name))
    return out


def plain(text: str) -> str:
    """Text without the joiners (what a reader sees)."""
    return text.replace(WJ, "")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_JOINED = re.compile(f"(?:[^{WJ}]{WJ})+[^{WJ}]")


def _lang_rpr(rpr: Any) -> Any:
    """A copy of a run's properties with the no-break language (w:lang goes after most other properties)."""
    from copy import deepcopy

    from lxml import etree

    new = deepcopy(rpr) if rpr is not None else etree.Element(f"{_W}rPr")
    for old in new.findall(f"{_W}lang"):
        new.remove(old)
    lang = etree.Element(f"{_W}lang")
    lang.set(f"{_W}val", NOBREAK_LANG)
    lang.set(f"{_W}eastAsia", NOBREAK_LANG)
    # schema order: … w:lang, w:eastAsianLayout, w:specVanish, w:oMath
    after = [c for c in new if c.tag in (f"{_W}eastAsianLayout", f"{_W}specVanish", f"{_W}oMath")]
    if after:
        after[0].addprevious(lang)
    else:
        new.append(lang)
    return new


def protect_runs(root: Any) -> int:
    """Put every span joined by U+2060 into a run of its own in the no-break language; returns how many runs
    were split. Runs without a joiner are left as they are."""
    from copy import deepcopy

    from lxml import etree

    split = 0
    for t in list(root.iter(f"{_W}t")):
        text = t.text or ""
        if WJ not in text:
            continue
        r = t.getparent()
        if r is None or r.tag != f"{_W}r" or len([c for c in r if c.tag != f"{_W}rPr"]) != 1:
            continue  # a run holding more than its text (a tab, a break): leave it
        rpr = r.find(f"{_W}rPr")
        pieces: list[tuple[str, bool]] = []
        pos = 0
        for m in _JOINED.finditer(text):
            if m.start() > pos:
                pieces.append((text[pos:m.start()].replace(WJ, ""), False))
            pieces.append((m.group(0), True))
            pos = m.end()
        if pos < len(text):
            pieces.append((text[pos:].replace(WJ, ""), False))
        anchor = r
        for piece, joined in pieces:
            if not piece:
                continue
            new = etree.Element(f"{_W}r")
            if joined:
                new.append(_lang_rpr(rpr))
            elif rpr is not None:
                new.append(deepcopy(rpr))
            nt = etree.SubElement(new, f"{_W}t")
            nt.text = piece
            if piece != piece.strip():
                nt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            anchor.addnext(new)
            anchor = new
        r.getparent().remove(r)
        split += 1
    return split


def protect_runs_xml(xml: bytes) -> bytes:
    """protect_runs on a serialised part (word/document.xml), serialised again as python-docx does."""
    if WJ.encode("utf-8") not in xml:
        return xml
    from lxml import etree

    root = etree.fromstring(xml)
    protect_runs(root)
    return etree.tostring(root, encoding="UTF-8", standalone=True)
