"""Importing the judges' filled workbooks in three steps: read (the file, its marker, judge and rubric), validate
(each row against the rules of §4, findings with `review.*` codes), store (the valid rows, one transaction a file)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.calls import Call, Criterion
from pipeline.check.codes import make
from pipeline.fileio import read_reason
from pipeline.ingest.sniff import sniff
from pipeline.model import Finding
from pipeline.registry import Registry, StoredScore
from pipeline.render.review_layout import (
    FIRST_CRITERION_COL,
    FIRST_ROW,
    HEADER_ROW,
    META_KIND,
    META_SHEET,
    NO,
    SHEET,
    YES,
    total_formula,
    workbook_columns,
)
from pipeline.review.assignment import AppInfo, conflicted
from pipeline.review.judges import Judge
from pipeline.review.results import Score
from pipeline.review.stored import review_apps, stored_assignments, stored_form, stored_judges
from pipeline.text import nfkc

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True)
class Rejection:
    """A workbook row (or a whole file, row None) that was not imported, and why: findings with `review.*` codes
    from the catalogue (a row may break several rules at once)."""

    file: str
    sheet: str | None
    row: int | None
    findings: tuple[Finding, ...]

    @property
    def code(self) -> str:
        """The first reason's code (review.out_of_range, review.xls, …)."""
        return self.findings[0].code

    @property
    def codes(self) -> tuple[str, ...]:
        """Every reason's code."""
        return tuple(f.code for f in self.findings)

    @property
    def reason_zh(self) -> str:
        """The reasons in Chinese."""
        return "；".join(f.message for f in self.findings)

    @property
    def reason_en(self) -> str:
        """The reasons in English."""
        return "; ".join(f.message_en for f in self.findings)

    def message(self, lang: str = "zh") -> str:
        """One line: file, sheet, row, reason."""
        where = self.file
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.row is not None:
            where += f" 第{self.row}行" if lang == "zh" else f" row {self.row}"
        return f"{where}：{self.reason_zh}" if lang == "zh" else f"{where}: {self.reason_en}"


@dataclass
class FileImport:
    """The outcome of one workbook."""

    file: str
    judge_id: str | None = None
    stored: int = 0
    replaced: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class ImportSummary:
    """The outcome of `import`: per file counts and every rejection."""

    files: list[FileImport] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """New scores stored."""
        return sum(f.stored for f in self.files)

    @property
    def replaced(self) -> int:
        """Scores replaced (--replace)."""
        return sum(f.replaced for f in self.files)

    @property
    def unchanged(self) -> int:
        """Rows already in the registry with the same content."""
        return sum(f.unchanged for f in self.files)


# --- values as judges type them ---------------------------------------------------------------------------------

def _number(value: Any) -> Fraction | None:
    """A cell value as an exact number, or None when it is not one (text that reads as a number counts)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Fraction(value).limit_denominator(1000) if isinstance(value, float) else Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(Decimal(nfkc(value).strip()))
        except (ArithmeticError, ValueError):
            return None
    return None


def _fmt(x: Fraction | float) -> str:
    """A score as staff write it: 8, 8.5, 84.33."""
    text = f"{float(x):.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _yes_no(value: Any) -> bool | None:
    t = nfkc(_text(value)).casefold()
    if t in ("", NO, "no", "n", "0", "false"):
        return False
    if t in (YES, "yes", "y", "1", "true"):
        return True
    return None


# --- read -----------------------------------------------------------------------------------------------------

# What a file that is not an .xlsx workbook is, by its content (pipeline.ingest.sniff): said in the rejection.
_NOT_A_BOOK: dict[str, tuple[str, str]] = {
    "docx": ("：这是一个 Word 文档", ": this is a Word document"),
    "doc": ("：这是一个 Word 文档", ": this is a Word document"),
    "wps": ("：这是一个 WPS 文字文档", ": this is a WPS document"),
    "pdf": ("：这是一个 PDF 文件", ": this is a PDF file"),
    "encrypted-ooxml": ("：文件设置了密码保护，请取消密码后重新保存", ": the file is password-protected"),
    "zip": ("：这是一个压缩包或已损坏的工作簿", ": a zip archive or a damaged workbook"),
    "ole": ("：这是一个旧版 Office 文件", ": an Office 97-2003 file"),
    "unknown": ("：无法识别的文件内容", ": content of no known type"),
}


@dataclass(frozen=True)
class ScoringBook:
    """A judge's scoring workbook that was read: its judge and its scoring sheet, as written (formulas) and as
    last saved (the cached values of the formulas)."""

    name: str
    sha256: str
    judge: Judge
    formulas: Worksheet
    values: Worksheet


@dataclass(frozen=True)
class Refused:
    """A workbook refused as a whole, and the judge id it names when it got that far."""

    rejection: Rejection
    judge_id: str | None = None


def read_workbook(path: Path, call: Call, judges: dict[str, Judge]) -> ScoringBook | Refused:
    """Open a filled workbook: an .xlsx made by `award review forms` for this call, by a known judge, with this
    call's rubric in its header; else why not."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    name = path.name

    def refuse(code: str, judge_id: str | None = None, row: int | None = None, sheet: str | None = None,
               **args: Any) -> Refused:
        return Refused(Rejection(name, sheet, row, (make(code, call, **args),)), judge_id)

    try:
        data = path.read_bytes()
    except OSError as e:
        zh, en = read_reason(e)
        return refuse("review.unreadable", reason_zh=zh, reason_en=en)
    kind = sniff(data)
    if kind in ("doc", "wps", "ole", "encrypted-ooxml"):
        if kind == "ole" and any(n.encode("utf-16-le") in data for n in ("Workbook", "Book")):  # Excel 97-2003
            return refuse("review.xls")
        return refuse("review.not_a_workbook", reason_zh=_NOT_A_BOOK[kind][0], reason_en=_NOT_A_BOOK[kind][1])
    try:
        formulas = load_workbook(io.BytesIO(data), data_only=False)
        cached = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors, OSError) for files that are not workbooks
        if kind == "docx" and b"word/" not in data[:65536]:
            kind = "zip"  # an Office zip package that is not Word: a damaged workbook, most likely
        zh, en = _NOT_A_BOOK.get(kind, ("", ""))
        return refuse("review.not_a_workbook", reason_zh=zh, reason_en=en)
    meta: dict[str, str] = {}
    if META_SHEET in formulas.sheetnames:
        for k, v in formulas[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True):
            if k:
                meta[str(k)] = _text(v)
    if meta.get("kind") != META_KIND:
        return refuse("review.not_a_scoring_workbook")
    if meta.get("call") != call.id:
        return refuse("review.other_call", expected=call.id, actual=meta.get("call"))
    jid = meta.get("judge", "")
    judge = judges.get(jid)
    if judge is None:
        return refuse("review.unknown_judge", jid, actual=jid)
    if SHEET not in formulas.sheetnames:
        return refuse("review.sheet_missing", jid, expected=SHEET)
    ws = formulas[SHEET]
    for n, c in enumerate(call.review.criteria):
        head = _text(ws.cell(HEADER_ROW, FIRST_CRITERION_COL + n).value)
        if not head.startswith(c.label):
            return refuse("review.rubric_mismatch", jid, HEADER_ROW, SHEET, expected=c.label, actual=head,
                          column=get_column_letter(FIRST_CRITERION_COL + n))
    return ScoringBook(name, hashlib.sha256(data).hexdigest(), judge, ws, cached[SHEET])


# --- validate -------------------------------------------------------------------------------------------------

def criterion_score(call: Call, c: Criterion, raw: Any, cell: str) -> tuple[Fraction | None, Finding | None]:
    """One criterion's score as a judge gave it (a workbook cell, or a field of the online form: `cell` says
    where) against §4: given, a number, within 0..max, a multiple of the step. The same rule, and the same
    messages, for both channels."""
    crit: dict[str, Any] = {"label": c.label, "label_en": c.label, "cell": cell}
    if raw is None or _text(raw) == "":
        return None, make("review.missing", call, **crit)
    x = _number(raw)
    if x is None:
        return None, make("review.not_a_number", call, actual=_text(raw), **crit)
    if x < 0 or x > c.max:
        return None, make("review.out_of_range", call, expected=_fmt(c.max), actual=_fmt(x), **crit)
    if x % call.review.step:
        return None, make("review.step", call, expected=_fmt(call.review.step), actual=_fmt(x), **crit)
    return x, None


def comment_finding(call: Call, comment: str) -> Finding | None:
    """A comment longer than call.yaml allows (review.comment_max_chars)."""
    if len(comment) > call.review.comment_max_chars:
        return make("review.comment_too_long", call, expected=call.review.comment_max_chars, actual=len(comment))
    return None


@dataclass
class Checked:
    """A workbook's rows after validation: the valid scores (with their rows), the rejections, the rows that
    repeat what the registry holds."""

    valid: list[tuple[int, Score]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    unchanged: int = 0


def _same(before: StoredScore, s: Score) -> bool:
    """Whether a stored form says what this one says (compared as stored: criteria as floats)."""
    return (before.criteria == {k: float(v) for k, v in s.criteria.items()} and before.veto == s.veto
            and before.comment == s.comment)


def validate_rows(book: ScoringBook, call: Call, assigned: Sequence[str], apps: dict[str, AppInfo],
                  existing: dict[str, StoredScore], replace: bool = False) -> Checked:
    """Every data row of a read workbook against §4: assigned to this judge, once, no conflict, each criterion a
    number in range and step, the total formula untouched and agreeing, 是/否 where asked, the comment short;
    a row already scored differently only with `replace`."""
    from openpyxl.utils import get_column_letter

    rb = call.review
    out = Checked()
    ws, wv, judge = book.formulas, book.values, book.judge
    jid = judge.id

    def problem(code: str, **args: Any) -> Finding:
        return make(code, call, **args)

    def reject(row: int, *found: Finding) -> None:
        out.rejections.append(Rejection(book.name, SHEET, row, found))

    cols = workbook_columns(rb)
    mine = set(assigned)
    seen: dict[str, int] = {}
    for row in range(FIRST_ROW, ws.max_row + 1):
        reg_no = _text(ws.cell(row, 1).value)
        if not reg_no:
            continue
        if reg_no in seen:
            reject(row, problem("review.duplicate", expected=seen[reg_no], actual=reg_no))
            continue
        seen[reg_no] = row
        if reg_no not in mine:
            reject(row, problem("review.not_assigned", actual=reg_no, judge=f"{jid}（{judge.name}）"))
            continue
        recused = _yes_no(ws.cell(row, cols["recused"]).value)
        if recused is None:
            reject(row, problem("review.yes_no", label="回避", label_en="回避",
                                actual=_text(ws.cell(row, cols["recused"]).value)))
            continue
        if recused:
            reject(row, problem("review.recused", actual=reg_no))
            continue
        unit = conflicted(judge, apps[reg_no]) if reg_no in apps else None
        if unit:
            reject(row, problem("review.conflict", actual=reg_no, other=unit))
            continue
        problems: list[Finding] = []
        values: dict[str, Fraction] = {}
        for n, c in enumerate(rb.criteria):
            col = FIRST_CRITERION_COL + n
            x, found = criterion_score(call, c, ws.cell(row, col).value, f"{get_column_letter(col)}{row}")
            if found is not None:
                problems.append(found)
            elif x is not None:
                values[c.id] = x
        tc = cols["total"]
        formula, expected = ws.cell(row, tc).value, total_formula(rb, row)
        total_cell = f"{get_column_letter(tc)}{row}"
        if _text(formula).replace(" ", "").upper() != expected:
            problems.append(problem("review.tampered", expected=expected, actual=_text(formula), cell=total_cell))
        elif len(values) == len(rb.criteria):
            shown = _number(wv.cell(row, tc).value)
            if wv.cell(row, tc).value is not None and shown != sum(values.values(), Fraction(0)):
                problems.append(problem("review.total_mismatch", expected=_fmt(sum(values.values(), Fraction(0))),
                                        actual=_text(wv.cell(row, tc).value), cell=total_cell))
        veto = _yes_no(ws.cell(row, cols["veto"]).value)
        if veto is None:
            problems.append(problem("review.yes_no", label="否决项", label_en="否决项",
                                    actual=_text(ws.cell(row, cols["veto"]).value)))
        comment = _text(ws.cell(row, cols["comment"]).value)
        long = comment_finding(call, comment)
        if long is not None:
            problems.append(long)
        if problems:
            reject(row, *problems)
            continue
        score = Score(reg_no, jid, values, bool(veto), comment)
        before = existing.get(reg_no)
        if before is not None and _same(before, score):
            out.unchanged += 1
            continue
        if before is not None and not replace:
            reject(row, problem("review.already_scored", actual=reg_no, judge=jid))
            continue
        out.valid.append((row, score))
    return out


# --- store ----------------------------------------------------------------------------------------------------

def store_scores(reg: Registry, call: Call, book: ScoringBook, valid: Sequence[tuple[int, Score]]) -> tuple[int, int]:
    """The valid rows of one workbook into the registry (one transaction); returns (new, replaced)."""
    if not valid:
        return 0, 0
    return reg.upsert_scores(call.id, [(row, stored_form(s)) for row, s in valid], book.name, book.sha256)


def import_workbooks(reg: Registry, call: Call, files: Sequence[Path], replace: bool = False) -> ImportSummary:
    """Read filled workbooks into the registry; every row that breaks a rule of §4 is rejected with a reason.

    Valid rows are stored even when other rows of the same file are rejected; each file is one transaction.
    """
    summary = ImportSummary()
    judges = stored_judges(reg, call.id)
    plan = stored_assignments(reg, call.id)
    apps = {a.reg_no: a for a in review_apps(reg, call)}
    for path in files:
        outcome = FileImport(Path(path).name)
        summary.files.append(outcome)
        book = read_workbook(Path(path), call, judges)
        if isinstance(book, Refused):
            outcome.judge_id = book.judge_id
            outcome.rejected += 1
            summary.rejections.append(book.rejection)
            continue
        outcome.judge_id = book.judge.id
        checked = validate_rows(book, call, plan.get(book.judge.id, ()), apps,
                                reg.scores_of_judge(call.id, book.judge.id), replace)
        summary.rejections += checked.rejections
        outcome.rejected += len(checked.rejections)
        outcome.unchanged += checked.unchanged
        outcome.stored, outcome.replaced = store_scores(reg, call, book, checked.valid)
    return summary
