"""Expert review (§4 of the call): judges, assignment, scoring workbooks, score import, final scores and levels.

The registry keeps everything (migration 2: judges, assignments, scores, results). Arithmetic on scores is exact
(Fraction): scores are multiples of 0.5, so averages, ties and thresholds never depend on float rounding.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import random
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.calls import Call, Rubric
from pipeline.check.codes import make
from pipeline.errors import PipelineError
from pipeline.extract import norm
from pipeline.fileio import decode_csv, output_dir, read_reason
from pipeline.ingest.sniff import sniff
from pipeline.model import Finding
from pipeline.progress import Progress
from pipeline.registry import Registered, Registry


class ReviewError(PipelineError):
    """The review step cannot go on (bad judges file, pool too small, nothing to do)."""


# --- the rubric: call.yaml `review:`, typed and checked when the call is loaded ---------------------------------

def rubric(call: Call) -> Rubric:
    """The call's rubric (call.yaml `review:`)."""
    return call.review


# --- judges ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Judge:
    """One expert from the judges CSV."""

    id: str
    name: str
    unit: str
    credit_code: str | None
    fields: tuple[str, ...]


JUDGE_COLUMNS = ("编号", "姓名", "工作单位", "统一社会信用代码", "专业方向")
_OPTIONAL_COLUMNS = {"统一社会信用代码"}
_FIELD_SPLIT = re.compile(r"[；;、,，\s]+")


def _decode(data: bytes, path: Path) -> str:
    text = decode_csv(data)
    if text is None:
        raise ReviewError(f"{path.name}：无法识别文件编码（应为 UTF-8 或 GBK）",
                          f"{path.name}: unknown encoding (expected UTF-8 or GBK)")
    return text


def normalise_unit(name: str) -> str:
    """A unit name for comparison: NFKC (full-width brackets become ASCII), no whitespace, case-folded."""
    return norm(name).casefold()


def _credit_code_ok(code: str, call: Call) -> bool:
    from pipeline.check.values import credit_check_char

    pattern = call.formats.get("credit_code", r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    return bool(re.match(pattern, code)) and credit_check_char(code[:17]) == code[17]


def read_judges(path: Path, call: Call) -> list[Judge]:
    """The judges of a CSV file (编号, 姓名, 工作单位, 统一社会信用代码 optional, 专业方向); errors name the row."""
    try:
        data = path.read_bytes()
    except OSError as e:
        zh, en = read_reason(e)
        raise ReviewError(f"无法读取专家名单 {path}：{zh}", f"cannot read the judges file {path}: {en}") from None
    rows = list(csv.reader(io.StringIO(_decode(data, path))))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ReviewError(f"{path.name}：专家名单为空", f"{path.name}: the judges file is empty")
    header = [h.strip() for h in rows[0]]
    for col in JUDGE_COLUMNS:
        if col not in header and col not in _OPTIONAL_COLUMNS:
            raise ReviewError(f"{path.name}：缺少列“{col}”（表头应为 {'，'.join(JUDGE_COLUMNS)}）",
                              f"{path.name}: column '{col}' is missing (header: {', '.join(JUDGE_COLUMNS)})")
    index = {h: header.index(h) for h in JUDGE_COLUMNS if h in header}
    categories = call.enum_values("categories")
    judges: list[Judge] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(rows[1:], start=2):
        def get(col: str, raw: list[str] = raw) -> str:
            i = index.get(col)
            return raw[i].strip() if i is not None and i < len(raw) else ""

        def bad(zh: str, en: str, n: int = n) -> ReviewError:
            return ReviewError(f"{path.name} 第 {n} 行：{zh}", f"{path.name} row {n}: {en}")

        jid, name, unit, code = get("编号"), get("姓名"), get("工作单位"), get("统一社会信用代码").upper()
        for col, value in (("编号", jid), ("姓名", name), ("工作单位", unit)):
            if not value:
                raise bad(f"“{col}”为空", f"'{col}' is empty")
        if jid in seen:
            raise bad(f"编号 {jid} 与第 {seen[jid]} 行重复", f"id {jid} repeats row {seen[jid]}")
        seen[jid] = n
        if code and not _credit_code_ok(code, call):
            raise bad(f"统一社会信用代码 {code} 格式或校验位错误",
                      f"credit code {code} is malformed or its check digit is wrong")
        fields = tuple(f for f in _FIELD_SPLIT.split(get("专业方向")) if f)
        if not fields:
            raise bad("“专业方向”为空", "'专业方向' is empty")
        unknown = [f for f in fields if f not in categories]
        if unknown:
            raise bad(f"专业方向“{unknown[0]}”不是本次的项目类别（{'、'.join(categories)}）",
                      f"field '{unknown[0]}' is not a category of this call ({', '.join(categories)})")
        judges.append(Judge(jid, name, unit, code or None, fields))
    if not judges:
        raise ReviewError(f"{path.name}：专家名单没有数据行", f"{path.name}: the judges file has no rows")
    return judges


# --- applications as the review sees them ---------------------------------------------------------------------

@dataclass(frozen=True)
class AppInfo:
    """What review needs of a registered application."""

    reg_no: str
    seq: int
    project: str
    applicant: str
    category: str
    units: tuple[tuple[str, str | None], ...]  # (name, credit code) of every completing unit
    persons: tuple[str, ...]
    fields: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def app_info(a: Registered) -> AppInfo:
    """The review view of a registry row."""
    f = a.fields
    units: list[tuple[str, str | None]] = []
    for u in f.get("units") or []:
        if isinstance(u, dict) and str(u.get("name") or "").strip():
            units.append((str(u["name"]).strip(), str(u.get("credit_code") or "").strip().upper() or None))
    applicant = str(f.get("applicant.name") or a.applicant or "").strip()
    if applicant and not any(normalise_unit(n) == normalise_unit(applicant) for n, _ in units):
        units.insert(0, (applicant, str(f.get("applicant.credit_code") or a.credit_code or "").upper() or None))
    persons = tuple(str(p.get("name") or "").strip() for p in f.get("persons") or [] if isinstance(p, dict))
    return AppInfo(reg_no=a.reg_no, seq=a.seq, project=str(f.get("project.name") or a.project or ""),
                   applicant=applicant, category=str(f.get("project.category") or a.category or ""),
                   units=tuple(units), persons=tuple(p for p in persons if p), fields=f)


def conflicted(judge: Judge, app: AppInfo) -> str | None:
    """The completing unit a judge belongs to (by credit code when both have one, else by normalised name)."""
    for name, code in app.units:
        if judge.credit_code and code:
            if judge.credit_code == code:
                return name
        elif normalise_unit(judge.unit) == normalise_unit(name):
            return name
    return None


# --- assignment -----------------------------------------------------------------------------------------------

def assign(apps: Sequence[AppInfo], judges: Sequence[Judge], per_app: int = 5,
           seed: int = 0) -> dict[str, tuple[str, ...]]:
    """Judge ids per application: no conflicted judge, balanced load, category match preferred, deterministic."""
    if per_app < 1:
        raise ReviewError("每个项目的评审专家数须至少为 1", "--per-app must be at least 1")
    pool = sorted(judges, key=lambda j: j.id)
    rng = random.Random(seed)
    tiebreak_order = list(pool)
    rng.shuffle(tiebreak_order)
    tiebreak = {j.id: i for i, j in enumerate(tiebreak_order)}
    eligible: dict[str, list[Judge]] = {}
    for a in apps:
        eligible[a.reg_no] = [j for j in pool if conflicted(j, a) is None]
        if len(eligible[a.reg_no]) < per_app:
            raise ReviewError(
                f"专家不足：{a.reg_no}（{a.project}）需要 {per_app} 位专家，回避本项目完成单位后只有 "
                f"{len(eligible[a.reg_no])} 位可用，请补充专家或减少 --per-app",
                f"not enough judges: {a.reg_no} ({a.project}) needs {per_app}, but only "
                f"{len(eligible[a.reg_no])} are not from its completing units; add judges or lower --per-app")

    def matches(j: Judge, a: AppInfo) -> bool:
        return a.category in j.fields

    # Balanced means every judge ends with `base` or `base + 1` forms, and only `extra` judges with base + 1.
    base, extra = divmod(len(apps) * per_app, len(pool))
    load: Counter[str] = Counter()
    chosen: dict[str, list[str]] = {}
    for a in sorted(apps, key=lambda a: (len(eligible[a.reg_no]), a.seq)):  # the most constrained first
        picked: list[str] = []
        for _ in range(per_app):
            at_cap = sum(1 for v in load.values() if v > base)
            cands = [j for j in eligible[a.reg_no] if j.id not in picked]
            room = [j for j in cands if load[j.id] < base or (load[j.id] == base and at_cap < extra)]
            best = min(room or cands, key=lambda j: (not matches(j, a), load[j.id], tiebreak[j.id]))
            picked.append(best.id)
            load[best.id] += 1
        chosen[a.reg_no] = picked
    _rebalance(apps, eligible, chosen, load, pool, matches, tiebreak)
    return {a.reg_no: tuple(sorted(chosen[a.reg_no], key=lambda jid: tiebreak[jid])) for a in apps}


def _rebalance(apps: Sequence[AppInfo], eligible: dict[str, list[Judge]], chosen: dict[str, list[str]],
               load: Counter[str], pool: Sequence[Judge], matches: Any, tiebreak: dict[str, int]) -> None:
    """Move forms from the busiest to the idlest judges while a move is allowed (conflicts permitting)."""
    by_id = {j.id: j for j in pool}
    info = {a.reg_no: a for a in apps}
    while True:
        moved = False
        for hi in sorted(pool, key=lambda j: (-load[j.id], tiebreak[j.id])):
            for lo in sorted(pool, key=lambda j: (load[j.id], tiebreak[j.id])):
                if load[hi.id] - load[lo.id] < 2:
                    break
                options = [r for r in sorted(chosen) if hi.id in chosen[r] and lo.id not in chosen[r]
                           and lo in eligible[r]]
                if options:
                    # keep category matches where we can: move a form where lo matches, or hi did not
                    r = min(options, key=lambda r: (matches(by_id[hi.id], info[r]) and not matches(lo, info[r]), r))
                    chosen[r][chosen[r].index(hi.id)] = lo.id
                    load[hi.id] -= 1
                    load[lo.id] += 1
                    moved = True
                    break
            if moved:
                break
        if not moved:
            return


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def review_apps(reg: Registry, call: Call) -> list[AppInfo]:
    """The applications that passed the checks, in registration order."""
    return [app_info(a) for a in reg.applications(call.id, status="pass")]


@dataclass(frozen=True)
class AssignSummary:
    """What `assign` did."""

    applications: int
    judges: int
    per_app: int
    min_load: int
    max_load: int
    category_matches: int
    seed: int


def assign_judges(reg: Registry, call: Call, judges_csv: Path, per_app: int | None = None,
                  seed: int = 0) -> AssignSummary:
    """Read the judges, assign them to every passed application and store both (refused once scores exist)."""
    rb = rubric(call)
    k = per_app if per_app is not None else rb.judges_per_app
    judges = read_judges(judges_csv, call)
    apps = review_apps(reg, call)
    if not apps:
        raise ReviewError("登记库中没有通过形式审查的申报项目，无法分配专家",
                          "no application in the registry passed the checks; nothing to assign")
    plan = assign(apps, judges, k, seed)
    by_app = {a.reg_no: a for a in apps}
    by_id = {j.id: j for j in judges}
    with reg.transaction() as c:
        scored = c.execute("SELECT COUNT(*) FROM scores WHERE call = ?", (call.id,)).fetchone()[0]
        if scored:
            raise ReviewError(f"登记库中已有 {scored} 份评分，不能重新分配专家（否则评分将与分配不符）",
                              f"the registry already holds {scored} scores; judges cannot be reassigned")
        c.execute("DELETE FROM assignments WHERE call = ?", (call.id,))
        c.execute("DELETE FROM judges WHERE call = ?", (call.id,))
        c.executemany("INSERT INTO judges (call, judge_id, name, unit, credit_code, fields) VALUES (?, ?, ?, ?, ?, ?)",
                      [(call.id, j.id, j.name, j.unit, j.credit_code, json.dumps(list(j.fields), ensure_ascii=False))
                       for j in judges])
        now = _now()
        c.executemany("INSERT INTO assignments (call, reg_no, judge_id, position, category_match, seed, assigned_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      [(call.id, r, jid, n, int(by_app[r].category in by_id[jid].fields), seed, now)
                       for r, jids in plan.items() for n, jid in enumerate(jids, start=1)])
    loads = Counter(jid for jids in plan.values() for jid in jids)
    every = [loads.get(j.id, 0) for j in judges]
    matched = sum(1 for r, jids in plan.items() for jid in jids if by_app[r].category in by_id[jid].fields)
    return AssignSummary(len(apps), len(judges), k, min(every), max(every), matched, seed)


def stored_judges(reg: Registry, call_id: str) -> dict[str, Judge]:
    """The judges of the current assignment, by id."""
    rows = reg.conn.execute("SELECT judge_id, name, unit, credit_code, fields FROM judges WHERE call = ? "
                            "ORDER BY judge_id", (call_id,)).fetchall()
    return {r[0]: Judge(r[0], r[1], r[2], r[3], tuple(json.loads(r[4]))) for r in rows}


def stored_assignments(reg: Registry, call_id: str) -> dict[str, list[str]]:
    """Registration numbers per judge id, in registration order."""
    out: dict[str, list[str]] = defaultdict(list)
    for jid, reg_no in reg.conn.execute(
            "SELECT s.judge_id, s.reg_no FROM assignments s JOIN applications a ON a.reg_no = s.reg_no "
            "WHERE s.call = ? ORDER BY s.judge_id, a.seq", (call_id,)):
        out[jid].append(reg_no)
    return dict(out)


# --- scoring workbooks and forms ------------------------------------------------------------------------------

# The layout every workbook shares; import reads by these positions.
SHEET = "评分表"
META_SHEET = "award_meta"
META_KIND = "award-review-workbook"
HEADER_ROW = 2
FIRST_ROW = 3
FIRST_CRITERION_COL = 5  # A 登记号, B 项目名称, C 申报单位, D 项目类别, then the criteria
YES, NO = "是", "否"


def workbook_columns(rb: Rubric) -> dict[str, int]:
    """Column numbers (1-based) of the total, 否决项, 回避 and 评语 after the criteria."""
    after = FIRST_CRITERION_COL + len(rb.criteria)
    return {"total": after, "veto": after + 1, "recused": after + 2, "comment": after + 3}


def total_formula(rb: Rubric, row: int) -> str:
    """The total formula of a data row, e.g. =SUM(E3:K3)."""
    from openpyxl.utils import get_column_letter

    first = get_column_letter(FIRST_CRITERION_COL)
    last = get_column_letter(FIRST_CRITERION_COL + len(rb.criteria) - 1)
    return f"=SUM({first}{row}:{last}{row})"


def safe_filename(text: str) -> str:
    """A file name part without path separators or characters Windows refuses."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" .") or "_"


@dataclass
class FormsSummary:
    """What `forms` wrote."""

    workbooks: list[Path] = field(default_factory=list)
    docx: list[Path] = field(default_factory=list)
    pdf: list[Path] = field(default_factory=list)
    pdf_skipped: str | None = None  # why PDFs were not made (zh, en joined by " / ")


WORKBOOK_DIR = "专家评分表"
PAPER_DIR = "纸质评分表"


def write_forms(reg: Registry, call: Call, out_dir: Path, pdf: bool | None = None,
                progress: Progress | None = None) -> FormsSummary:
    """Each judge's workbook and a printable scoring form per application (.docx; PDF when LibreOffice is there).

    pdf: None = make PDFs when LibreOffice is installed, else skip and say so; True = required; False = no PDFs.
    """
    from pipeline.progress import silent
    from pipeline.render.review_docs import write_judge_workbook, write_scoring_form

    shown = silent(progress)

    rb = rubric(call)
    judges = stored_judges(reg, call.id)
    plan = stored_assignments(reg, call.id)
    if not plan:
        raise ReviewError("尚未分配评审专家，请先运行 award review assign",
                          "no judges assigned yet; run `award review assign` first")
    apps = {a.reg_no: a for a in review_apps(reg, call)}
    out = FormsSummary()
    output_dir(out_dir / WORKBOOK_DIR)
    output_dir(out_dir / PAPER_DIR)
    assigned = sorted({r for numbers in plan.values() for r in numbers if r in apps}, key=lambda r: apps[r].seq)
    shown.phase("写出评分工作簿与纸质评分表", "writing the workbooks and scoring forms", len(plan) + len(assigned))
    for jid, numbers in sorted(plan.items()):
        j = judges[jid]
        path = out_dir / WORKBOOK_DIR / f"{safe_filename(jid)}-{safe_filename(j.name)}-评分表.xlsx"
        rows = [apps[r] for r in numbers if r in apps]
        out.workbooks.append(write_judge_workbook(path, call, rb, j, rows))
        shown.advance()
    for r in assigned:
        out.docx.append(write_scoring_form(out_dir / PAPER_DIR / f"{safe_filename(r)}-专家评分表.docx", call, rb,
                                           apps[r]))
        shown.advance()
    if pdf is False:
        return out
    from pipeline.office import ConverterMissing, convert

    shown.phase("转换 PDF", "converting to PDF")
    try:
        out.pdf = convert(out.docx, out_dir / PAPER_DIR)
    except ConverterMissing as e:
        if pdf:
            raise
        out.pdf_skipped = f"{e.message_zh} / {e.message_en}"
    return out


# --- import ---------------------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class Score:
    """One valid scoring form."""

    reg_no: str
    judge_id: str
    criteria: dict[str, Fraction]
    veto: bool
    comment: str = ""

    @property
    def total(self) -> Fraction:
        """The sum of the criteria."""
        return sum(self.criteria.values(), Fraction(0))


def _number(value: Any) -> Fraction | None:
    """A cell value as an exact number, or None when it is not one (text that reads as a number counts)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Fraction(value).limit_denominator(1000) if isinstance(value, float) else Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(Decimal(unicodedata.normalize("NFKC", value).strip()))
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
    t = unicodedata.normalize("NFKC", _text(value)).casefold()
    if t in ("", NO, "no", "n", "0", "false"):
        return False
    if t in (YES, "yes", "y", "1", "true"):
        return True
    return None


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


def import_workbooks(reg: Registry, call: Call, files: Sequence[Path], replace: bool = False) -> ImportSummary:
    """Read filled workbooks into the registry; every row that breaks a rule of §4 is rejected with a reason.

    Valid rows are stored even when other rows of the same file are rejected; each file is one transaction.
    """
    summary = ImportSummary()
    rb = rubric(call)
    judges = stored_judges(reg, call.id)
    plan = stored_assignments(reg, call.id)
    apps = {a.reg_no: a for a in review_apps(reg, call)}
    for path in files:
        _import_one(reg, call, rb, Path(path), judges, plan, apps, replace, summary)
    return summary


def _import_one(reg: Registry, call: Call, rb: Rubric, path: Path, judges: dict[str, Judge],
                plan: dict[str, list[str]], apps: dict[str, AppInfo], replace: bool, summary: ImportSummary) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    name = path.name
    outcome = FileImport(name)
    summary.files.append(outcome)

    def problem(code: str, **args: Any) -> Finding:
        return make(code, call, **args)

    def reject(row: int | None, *found: Finding, sheet: str | None = SHEET) -> None:
        summary.rejections.append(Rejection(name, sheet, row, found))
        outcome.rejected += 1

    try:
        data = path.read_bytes()
    except OSError as e:
        zh, en = read_reason(e)
        reject(None, problem("review.unreadable", reason_zh=zh, reason_en=en), sheet=None)
        return
    kind = sniff(data)
    if kind in ("doc", "wps", "ole", "encrypted-ooxml"):
        if kind == "ole" and any(n.encode("utf-16-le") in data for n in ("Workbook", "Book")):  # Excel 97-2003
            reject(None, problem("review.xls"), sheet=None)
        else:
            reject(None, problem("review.not_a_workbook", reason_zh=_NOT_A_BOOK[kind][0],
                                 reason_en=_NOT_A_BOOK[kind][1]), sheet=None)
        return
    try:
        formulas = load_workbook(io.BytesIO(data), data_only=False)
        cached = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors, OSError) for files that are not workbooks
        if kind == "docx" and b"word/" not in data[:65536]:
            kind = "zip"  # an Office zip package that is not Word: a damaged workbook, most likely
        zh, en = _NOT_A_BOOK.get(kind, ("", ""))
        reject(None, problem("review.not_a_workbook", reason_zh=zh, reason_en=en), sheet=None)
        return
    meta: dict[str, str] = {}
    if META_SHEET in formulas.sheetnames:
        for k, v in formulas[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True):
            if k:
                meta[str(k)] = _text(v)
    if meta.get("kind") != META_KIND:
        reject(None, problem("review.not_a_scoring_workbook"), sheet=None)
        return
    if meta.get("call") != call.id:
        reject(None, problem("review.other_call", expected=call.id, actual=meta.get("call")), sheet=None)
        return
    jid = meta.get("judge", "")
    outcome.judge_id = jid
    judge = judges.get(jid)
    if judge is None:
        reject(None, problem("review.unknown_judge", actual=jid), sheet=None)
        return
    if SHEET not in formulas.sheetnames:
        reject(None, problem("review.sheet_missing", expected=SHEET), sheet=None)
        return
    ws, wv = formulas[SHEET], cached[SHEET]
    for n, c in enumerate(rb.criteria):
        head = _text(ws.cell(HEADER_ROW, FIRST_CRITERION_COL + n).value)
        if not head.startswith(c.label):
            reject(HEADER_ROW, problem("review.rubric_mismatch", expected=c.label, actual=head,
                                       column=get_column_letter(FIRST_CRITERION_COL + n)))
            return
    cols = workbook_columns(rb)
    mine = set(plan.get(jid, ()))
    existing = {r[0]: r[1:] for r in reg.conn.execute(
        "SELECT reg_no, criteria, veto, comment FROM scores WHERE call = ? AND judge_id = ?", (call.id, jid))}
    seen: dict[str, int] = {}
    valid: list[tuple[int, Score]] = []
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
            raw = ws.cell(row, col).value
            where = f"{get_column_letter(col)}{row}"
            crit = {"label": c.label, "label_en": c.label, "cell": where}
            if raw is None or _text(raw) == "":
                problems.append(problem("review.missing", **crit))
                continue
            x = _number(raw)
            if x is None:
                problems.append(problem("review.not_a_number", actual=_text(raw), **crit))
            elif x < 0 or x > c.max:
                problems.append(problem("review.out_of_range", expected=_fmt(c.max), actual=_fmt(x), **crit))
            elif x % rb.step:
                problems.append(problem("review.step", expected=_fmt(rb.step), actual=_fmt(x), **crit))
            else:
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
        if len(comment) > rb.comment_max_chars:
            problems.append(problem("review.comment_too_long", expected=rb.comment_max_chars, actual=len(comment)))
        if problems:
            reject(row, *problems)
            continue
        score = Score(reg_no, jid, values, bool(veto), comment)
        before = existing.get(reg_no)
        if before is not None and _same(before, score):
            outcome.unchanged += 1
            continue
        if before is not None and not replace:
            reject(row, problem("review.already_scored", actual=reg_no, judge=jid))
            continue
        valid.append((row, score))
    if not valid:
        return
    sha = hashlib.sha256(data).hexdigest()
    now = _now()
    with reg.transaction() as db:
        for row, s in valid:
            was = db.execute("SELECT 1 FROM scores WHERE call = ? AND reg_no = ? AND judge_id = ?",
                            (call.id, s.reg_no, s.judge_id)).fetchone()
            db.execute(
                "INSERT INTO scores (call, reg_no, judge_id, criteria, total, veto, comment, source, source_sha256, "
                "source_row, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (call, reg_no, judge_id) DO UPDATE SET criteria = excluded.criteria, "
                "total = excluded.total, veto = excluded.veto, comment = excluded.comment, source = excluded.source, "
                "source_sha256 = excluded.source_sha256, source_row = excluded.source_row, "
                "imported_at = excluded.imported_at",
                (call.id, s.reg_no, s.judge_id, _criteria_json(s.criteria), float(s.total), int(s.veto), s.comment,
                 name, sha, row, now))
            if was:
                outcome.replaced += 1
            else:
                outcome.stored += 1


def _criteria_json(values: dict[str, Fraction]) -> str:
    return json.dumps({k: float(v) for k, v in values.items()}, sort_keys=True)


def _same(before: Sequence[Any], s: Score) -> bool:
    criteria, veto, comment = before
    return bool(criteria == _criteria_json(s.criteria) and bool(veto) == s.veto and (comment or "") == s.comment)


def stored_scores(reg: Registry, call_id: str) -> list[Score]:
    """Every valid scoring form in the registry."""
    rows = reg.conn.execute("SELECT reg_no, judge_id, criteria, veto, comment FROM scores WHERE call = ? "
                            "ORDER BY reg_no, judge_id", (call_id,)).fetchall()
    return [Score(r[0], r[1], {k: Fraction(v) for k, v in json.loads(r[2]).items()}, bool(r[3]), r[4] or "")
            for r in rows]


# --- final scores, ranking and levels -------------------------------------------------------------------------

HOLD_ZH = "待核查"


@dataclass
class Outcome:
    """The computed result of one application."""

    reg_no: str
    seq: int
    forms: int = 0
    final: Fraction | None = None
    averages: dict[str, Fraction] = field(default_factory=dict)
    plain_mean: Fraction | None = None
    z_mean: float | None = None
    counted: tuple[str, ...] = ()  # judges whose forms make the final score, in full or in part
    weights: dict[str, Fraction] = field(default_factory=dict)  # judge id -> weight of the form in the final score
    rank: int | None = None
    z_rank: int | None = None
    hold: bool = False
    vetoed_by: tuple[str, ...] = ()
    level: int | None = None
    level_name: str | None = None
    serial: int | None = None

    @property
    def shift(self) -> int | None:
        """How far the z-score rank lies from the rank (positive: lower under z-scores)."""
        return None if self.rank is None or self.z_rank is None else self.z_rank - self.rank


@dataclass(frozen=True)
class Quota:
    """A level's threshold and the largest number of applications it may take."""

    level: int
    name: str
    min_score: Fraction
    share: Decimal
    at_least: int
    max_count: int


def quotas(rb: Rubric, scored: int) -> list[Quota]:
    """Per level: floor(share × scored), but at least `at_least` (一等奖 1) when anything was scored."""
    out = []
    for lv in rb.levels:
        n = int((lv.max_share * scored).to_integral_value(rounding=ROUND_FLOOR))
        if scored:
            n = max(n, lv.at_least)
        out.append(Quota(lv.level, lv.name, lv.min_score, lv.max_share, lv.at_least, n))
    return out


def judge_z_scores(scores: Sequence[Score]) -> dict[tuple[str, str], float]:
    """Each form's total as a z-score among the judge's own totals (0 when the judge's totals do not vary)."""
    by_judge: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        by_judge[s.judge_id].append(s)
    out: dict[tuple[str, str], float] = {}
    for jid, forms in by_judge.items():
        totals = [float(s.total) for s in forms]
        mean = statistics.fmean(totals)
        sd = statistics.pstdev(totals) if len(totals) > 1 else 0.0
        for s in forms:
            out[(s.reg_no, jid)] = (float(s.total) - mean) / sd if sd > 0 else 0.0
    return out


def trim_weights(totals: Sequence[Fraction], trim_from: int) -> list[Fraction]:
    """Each form's weight in the trimmed mean: with `trim_from` or more forms one highest and one lowest form go,
    and when k forms share that total each loses 1/k (call-2021.md §4), so no judge id or order decides."""
    w = [Fraction(1)] * len(totals)
    if len(totals) < max(trim_from, 3):  # trimming two of two forms would leave nothing to average
        return w
    for extreme in (max(totals), min(totals)):
        tied = [i for i, t in enumerate(totals) if t == extreme]
        for i in tied:
            w[i] -= Fraction(1, len(tied))
    return w


def compute_results(rb: Rubric, apps: Sequence[tuple[str, int]], scores: Sequence[Score]) -> list[Outcome]:
    """Final scores, ranking, z-score ranking, holds and levels, in ranking order (unscored last).

    apps: (registration number, sequence) of every application under review.
    """
    by_app: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        by_app[s.reg_no].append(s)
    z = judge_z_scores(scores)
    outcomes = []
    for reg_no, seq in apps:
        o = Outcome(reg_no, seq)
        forms = by_app.get(reg_no, [])
        o.forms = len(forms)
        if forms:
            weighted = list(zip(forms, trim_weights([s.total for s in forms], rb.trim_from), strict=True))
            o.weights = {s.judge_id: w for s, w in weighted}
            o.counted = tuple(sorted(s.judge_id for s, w in weighted if w))
            kept = sum((w for _, w in weighted), Fraction(0))
            o.final = sum((w * s.total for s, w in weighted), Fraction(0)) / kept
            o.averages = {c.id: sum((w * s.criteria[c.id] for s, w in weighted), Fraction(0)) / kept
                          for c in rb.criteria}
            o.plain_mean = sum((s.total for s in forms), Fraction(0)) / len(forms)
            o.z_mean = statistics.fmean(z[(reg_no, s.judge_id)] for s in forms)
            o.vetoed_by = tuple(sorted(s.judge_id for s in forms if s.veto))
            o.hold = bool(o.vetoed_by)
        outcomes.append(o)
    scored = [o for o in outcomes if o.final is not None]

    def key(o: Outcome) -> tuple[Any, ...]:
        assert o.final is not None
        return (-o.final, *(-o.averages[t] for t in rb.tie_break), o.seq)

    scored.sort(key=key)
    for n, o in enumerate(scored, start=1):
        o.rank = n
    for n, o in enumerate(sorted(scored, key=lambda o: (-(o.z_mean or 0.0), o.seq)), start=1):
        o.z_rank = n
    taken: Counter[int] = Counter()
    serial = 0
    limits = quotas(rb, len(scored))
    for o in scored:
        if o.hold:
            continue
        assert o.final is not None
        for q in limits:
            if o.final >= q.min_score and taken[q.level] < q.max_count:
                taken[q.level] += 1
                serial += 1
                o.level, o.level_name, o.serial = q.level, q.name, serial
                break
    unscored = sorted((o for o in outcomes if o.final is None), key=lambda o: o.seq)
    return scored + unscored


def _float(x: Fraction | None) -> float | None:
    return None if x is None else float(x)


@dataclass
class ResultsSummary:
    """What `results` computed and wrote."""

    path: Path
    outcomes: list[Outcome]
    quotas: list[Quota]
    scored: int
    held: int
    awarded: dict[str, int]
    warnings: int


def make_results(reg: Registry, call: Call, output: Path) -> ResultsSummary:
    """Compute results from the stored scores, store them (one transaction) and write the results workbook."""
    from pipeline.render.review_docs import write_results_workbook

    rb = rubric(call)
    apps = review_apps(reg, call)
    if not apps:
        raise ReviewError("登记库中没有通过形式审查的申报项目", "no application in the registry passed the checks")
    scores = stored_scores(reg, call.id)
    if not scores:
        raise ReviewError("登记库中还没有评分，请先导入专家评分表（award review import）",
                          "no scores in the registry yet; import the judges' workbooks first (award review import)")
    outcomes = compute_results(rb, [(a.reg_no, a.seq) for a in apps], scores)
    scored = sum(1 for o in outcomes if o.final is not None)
    limits = quotas(rb, scored)
    now = _now()
    with reg.transaction() as c:
        c.execute("DELETE FROM results WHERE call = ?", (call.id,))
        c.executemany(
            "INSERT INTO results (call, reg_no, rank, serial, level, level_name, hold, vetoed_by, forms, final, "
            "plain_mean, z_mean, z_rank, rank_shift, averages, counted, computed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(call.id, o.reg_no, o.rank, o.serial, o.level, o.level_name, int(o.hold),
              json.dumps(list(o.vetoed_by)), o.forms, _float(o.final), _float(o.plain_mean), o.z_mean,
              o.z_rank, o.shift, json.dumps({k: _float(v) for k, v in o.averages.items()}),
              json.dumps(list(o.counted)), now) for o in outcomes])
    judges = stored_judges(reg, call.id)
    write_results_workbook(output, call, rb, {a.reg_no: a for a in apps}, outcomes, scores, judges, limits)
    awarded = Counter(o.level_name for o in outcomes if o.level_name)
    warnings = sum(1 for o in outcomes if o.shift is not None and abs(o.shift) > rb.rank_shift_warning)
    return ResultsSummary(output, outcomes, limits, scored, sum(1 for o in outcomes if o.hold),
                          {q.name: awarded.get(q.name, 0) for q in limits}, warnings)


@dataclass(frozen=True)
class ResultRow:
    """One application's stored result, for certificates and the award decision."""

    reg_no: str
    rank: int | None
    serial: int | None
    project: str
    applicant: str
    category: str
    final: float | None
    level: int | None
    level_name: str | None
    hold: bool
    units: tuple[str, ...]
    persons: tuple[str, ...]


def load_results(reg: Registry, call_id: str) -> list[ResultRow]:
    """The stored results of a call in ranking order (unscored applications last)."""
    rows = reg.conn.execute(
        "SELECT r.reg_no, r.rank, r.serial, r.final, r.level, r.level_name, r.hold FROM results r "
        "JOIN applications a ON a.reg_no = r.reg_no WHERE r.call = ? "
        "ORDER BY r.rank IS NULL, r.rank, a.seq", (call_id,)).fetchall()
    apps = {a.reg_no: app_info(a) for a in reg.applications_by_numbers([r[0] for r in rows])}
    out = []
    for reg_no, rank, serial, final, level, level_name, hold in rows:
        a = apps[reg_no]
        out.append(ResultRow(reg_no=reg_no, rank=rank, serial=serial, project=a.project, applicant=a.applicant,
                             category=a.category, final=final, level=level,
                             level_name=level_name, hold=bool(hold), units=tuple(n for n, _ in a.units),
                             persons=a.persons))
    return out


# --- the demo -------------------------------------------------------------------------------------------------

DEMO_SEED = 2021


def run_demo_review(reg: Registry, call: Call, judges_csv: Path, out_dir: Path, pdf: bool) -> dict[str, Any]:
    """Assign (seed 2021), write forms, fill them with samples/fill_scores.py, import, results; returns counts.

    pdf: make the printable forms' PDFs when LibreOffice is installed (skipped, not failed, when it is not).
    """
    import importlib.util

    from pipeline.resources import samples_dir

    a = assign_judges(reg, call, judges_csv, seed=DEMO_SEED)
    forms = write_forms(reg, call, out_dir / "评分表", pdf=None if pdf else False)
    script = samples_dir() / "fill_scores.py"
    spec = importlib.util.spec_from_file_location("award_fill_scores", script)
    if spec is None or spec.loader is None:
        raise ReviewError(f"找不到示例评分脚本 {script}", f"sample scoring script not found: {script}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    filled: list[Path] = module.fill_workbooks(out_dir / "评分表", out_dir / "专家已填评分表（模拟）", seed=DEMO_SEED)
    imported = import_workbooks(reg, call, filled)
    res = make_results(reg, call, out_dir / "评审结果.xlsx")
    return {
        "applications": a.applications, "judges": a.judges, "assignments": a.applications * a.per_app,
        "workbooks": len(forms.workbooks), "scoring_forms_docx": len(forms.docx), "scoring_forms_pdf": len(forms.pdf),
        "pdf_skipped": forms.pdf_skipped, "scores_stored": imported.stored + imported.replaced,
        "rows_rejected": len(imported.rejections), "rejections": [r.message("zh") for r in imported.rejections],
        "rejection_codes": [r.code for r in imported.rejections],
        "scored": res.scored, "held": res.held, "awarded": res.awarded, "rank_warnings": res.warnings,
        "results": str(res.path),
    }


def level_counts(outcomes: Iterable[Outcome]) -> dict[int, int]:
    """How many applications got each level."""
    return dict(Counter(o.level for o in outcomes if o.level is not None))


def fmt_score(x: Fraction | None, places: int = 2) -> float | None:
    """An exact score as a float rounded for display (staff see two decimals)."""
    if x is None:
        return None
    return round(float(x), places) if math.isfinite(float(x)) else None
