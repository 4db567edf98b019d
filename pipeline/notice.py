"""The notice source (interfaces.md, `award notice`): front matter between `---` lines, then the body."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pipeline.errors import PipelineError
from pipeline.gbt9704 import RuleProblem, addressee_problem, check_doc_number, read_date
from pipeline.gbt9704 import chinese_date as chinese_date

BlockKind = Literal["heading", "paragraph", "table"]

# Heading marks of GB/T 9704-2012 §7.3.3, by level: 一、 （一） 1. （1）
HEADING_MARKS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"^[一二三四五六七八九十]+、")),
    (2, re.compile(r"^（[一二三四五六七八九十]+）")),
    (3, re.compile(r"^\d+\.(?!\d)")),
    (4, re.compile(r"^（\d+）")),
)

KEYS = ("issuer", "issuer_code", "number", "title", "addressee", "date", "attachments", "cc", "printed_by",
        "printed_date")
REQUIRED = ("issuer", "number", "title", "addressee", "date")
_LIST_KEYS = ("attachments",)


class NoticeSourceError(PipelineError):
    """A notice source that cannot be read or breaks a GB/T 9704 rule: the line, the finding code (the same code
    `award gongwen` reports for it) and the parameters of its message."""

    def __init__(self, message_zh: str, message_en: str, code: str = "gongwen.source", line: int = 0,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message_zh, message_en)
        self.code = code
        self.line = line
        self.params = params or {}


@dataclass(frozen=True)
class Block:
    """One body element: a heading of level 1..4, a paragraph, or a table (tab-separated lines)."""

    kind: BlockKind
    text: str = ""
    level: int = 0
    rows: tuple[tuple[str, ...], ...] = ()
    line: int = field(default=0, compare=False)  # the source line it starts on (1-based; 0: not from a source)

    @property
    def head(self) -> str:
        """For a heading, the heading proper: up to the first 。 for a run-in heading, else the whole line."""
        if self.kind != "heading":
            return ""
        cut = self.text.find("。")
        return self.text if cut < 0 or cut == len(self.text) - 1 else self.text[:cut + 1]

    @property
    def rest(self) -> str:
        """For a run-in heading, the body text after the heading proper."""
        return self.text[len(self.head):] if self.kind == "heading" else ""


@dataclass(frozen=True)
class Notice:
    """A notice (通知) as its source states it."""

    issuer: str
    number: str
    title: str
    addressee: str
    date: dt.date
    blocks: tuple[Block, ...]
    issuer_code: str = ""
    attachments: tuple[str, ...] = ()
    cc: str = ""
    printed_by: str = ""
    printed_date: dt.date | None = None
    where: dict[str, int] = field(default_factory=dict, compare=False)  # each key's source line (1-based)


def heading_level(line: str) -> int:
    """The heading level (1..4) a line starts with, or 0 for none."""
    for level, mark in HEADING_MARKS:
        if mark.match(line):
            return level
    return 0


def attachment_lines(names: Sequence[str]) -> list[str]:
    """`1.名称`, `2.名称` for several attachments, the bare name for one; never a final punctuation mark."""
    clean = [n.strip().rstrip("。；;，,.、") for n in names if n.strip()]
    if len(clean) == 1:
        return clean
    return [f"{i}.{n}" for i, n in enumerate(clean, 1)]


def cc_line(text: str) -> str:
    """抄送 ends with a full stop (§7.4.2)."""
    text = text.strip().rstrip("。.;；，,")
    return text + "。" if text else ""


def _error(lineno: int, zh: str, en: str) -> NoticeSourceError:
    return NoticeSourceError(f"通知源文件第{lineno}行：{zh}", f"notice source, line {lineno}: {en}",
                             line=lineno, params={"line": lineno, "reason_zh": zh, "reason_en": en})


def rule_error(problem: RuleProblem, lineno: int, key: str) -> NoticeSourceError:
    """A source value that breaks a GB/T 9704 rule, with the rule's own code and parameters."""
    actual = problem.params.get("actual", "")
    reason_zh = f"不符合 GB/T 9704：{problem.params['reason_zh']}" if "reason_zh" in problem.params else "不是有效日期"
    reason_en = problem.params.get("reason_en") or "not a date"
    expected = problem.params.get("expected")
    return NoticeSourceError(
        f"通知源文件第{lineno}行：{key}“{actual}”{reason_zh}" + (f"，应为“{expected}”" if expected else "")
        + f"（{problem.code}）",
        f"notice source, line {lineno}: {key} \"{actual}\": {reason_en}" + (f"; write \"{expected}\"" if expected
                                                                           else "") + f" ({problem.code})",
        code=problem.code, line=lineno, params=dict(problem.params))


def _parse_date(value: str, lineno: int, key: str) -> dt.date:
    try:
        return read_date(value)
    except ValueError as e:
        raise rule_error(e.args[0], lineno, key) from None


def _front_matter(lines: list[str]) -> tuple[dict[str, str | list[str]], dict[str, int], int]:
    """The key/value lines between the first two `---` lines; returns values, their line numbers, body start."""
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].strip() != "---":
        raise _error(start + 1, "应以一行 --- 开始，其后为 issuer、number 等键，再以 --- 结束",
                     "must start with a --- line, then keys such as issuer and number, then ---")
    values: dict[str, str | list[str]] = {}
    where: dict[str, int] = {}
    current_list: str | None = None
    for i in range(start + 1, len(lines)):
        raw = lines[i]
        n = i + 1
        if raw.strip() == "---":
            return values, where, i + 1
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s+-\s*(.*)$", raw) or re.match(r"^-\s+(.*)$", raw)
        if item:
            if current_list is None:
                raise _error(n, "列表项前缺少键（如 attachments:）", "a list item without its key (attachments:)")
            listed = values[current_list]
            assert isinstance(listed, list)
            where[f"{current_list}[{len(listed)}]"] = n
            listed.append(item.group(1).strip())
            continue
        m = re.match(r"^([A-Za-z_]+)\s*[:：]\s*(.*)$", raw)
        if not m:
            raise _error(n, f"应为“键: 值”：{raw.strip()}", f"expected \"key: value\": {raw.strip()}")
        key, value = m.group(1), m.group(2).strip()
        if key not in KEYS:
            raise _error(n, f"未知的键 {key}（可用：{'、'.join(KEYS)}）",
                         f"unknown key {key} (known: {', '.join(KEYS)})")
        if key in values:
            raise _error(n, f"键 {key} 重复", f"key {key} appears twice")
        where[key] = n
        if key in _LIST_KEYS:
            values[key] = [value] if value else []
            if value:
                where[f"{key}[0]"] = n
            current_list = key
        else:
            values[key] = value
            current_list = None
    raise _error(len(lines), "前言块缺少结束的 --- 行", "the front matter has no closing --- line")


def _body(lines: list[str], first: int) -> tuple[Block, ...]:
    blocks: list[Block] = []
    table: list[tuple[str, ...]] = []
    table_line = 0
    for i in range(first, len(lines)):
        line = lines[i].strip()
        if "\t" in line:
            if not table:
                table_line = i + 1
            table.append(tuple(c.strip() for c in line.split("\t")))
            continue
        if table:
            blocks.append(Block("table", rows=tuple(table), line=table_line))
            table = []
        if not line:
            continue
        level = heading_level(line)
        blocks.append(Block("heading", line, level, line=i + 1) if level else Block("paragraph", line, line=i + 1))
    if table:
        blocks.append(Block("table", rows=tuple(table), line=table_line))
    return tuple(blocks)


def validate_notice(notice: Notice, where: dict[str, int]) -> None:
    """The GB/T 9704 rules a source's own values must meet before anything is rendered (the same functions the
    checker applies to a rendered notice): the document number and the addressee's colon."""
    problem = check_doc_number(notice.number)
    if problem is not None:
        raise rule_error(problem, where.get("number", 0), "number")
    problem = addressee_problem(notice.addressee)
    if problem is not None:
        raise rule_error(problem, where.get("addressee", 0), "addressee")


def parse_notice(text: str, validate: bool = True) -> Notice:
    """Parse a notice source; a bad source raises NoticeSourceError naming the line (validate=False: only what
    stops reading it, for the checker, which reports the rules itself)."""
    lines = text.lstrip("\ufeff").splitlines()
    values, where, body_start = _front_matter(lines)
    for key in REQUIRED:
        if not values.get(key):
            n = where.get(key, body_start)
            raise _error(n, f"缺少必填键 {key}", f"the required key {key} is missing")

    def text_of(key: str) -> str:
        v = values.get(key, "")
        if isinstance(v, list):
            raise _error(where[key], f"{key} 应为一行文字", f"{key} must be one line of text")
        return v

    date = _parse_date(text_of("date"), where["date"], "date")
    printed = _parse_date(text_of("printed_date"), where["printed_date"], "printed_date") \
        if values.get("printed_date") else None
    attachments = values.get("attachments", [])
    blocks = _body(lines, body_start)
    if not blocks:
        raise _error(body_start, "正文为空", "the body is empty")
    notice = Notice(
        issuer=text_of("issuer"), number=text_of("number"), title=text_of("title"),
        addressee=text_of("addressee"), date=date, blocks=blocks, issuer_code=text_of("issuer_code"),
        attachments=tuple(attachments) if isinstance(attachments, list) else (attachments,),
        cc=text_of("cc"), printed_by=text_of("printed_by"), printed_date=printed, where=dict(where),
    )
    if validate:
        validate_notice(notice, where)
    return notice
