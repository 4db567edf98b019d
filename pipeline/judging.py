"""Online review (在线评审), as a library: judge accounts from the judges CSV (one-time codes, as for member units),
the review window of call.yaml, a judge's own list of assigned applications and the view of one (its fields, the
original file, a PDF rendered once and cached), the scoring form checked by the same rules and messages as the
workbook import (pipeline.review.importing.criterion_score, comment_finding), drafts, submission, 回避; and the
staff's side: progress per judge and per application, reassignment, reopening a submitted form. The web platform
holds none of these rules: it calls these functions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.calls import Call, Criterion
from pipeline.check.codes import make
from pipeline.errors import PipelineError
from pipeline.model import Finding
from pipeline.registry import Draft, Registered, Registry
from pipeline.review.assignment import AppInfo, category_match, conflicted
from pipeline.review.importing import comment_finding, criterion_score
from pipeline.review.judges import Judge, read_judges
from pipeline.review.results import Score
from pipeline.review.steps import AssignSummary, assign_judges
from pipeline.review.stored import app_info, review_apps, stored_form, stored_judges
from pipeline.submission import FileStore, IssuedCode, hash_secret, issue_code, one_time_code, suffix_of

# where a score of the online form is, in the workbook import's messages ("缺少评分项“创新性”（在线评分表）")
ONLINE_CELL = "在线评分表"
JUDGE_CODE_HEADS = ("专家编号", "姓名", "一次性登录码")
STATE_ZH = {"todo": "未评", "draft": "草稿", "submitted": "已提交"}
VIA_ZH = {"online": "在线", "workbook": "评分表"}
REASON_MAX = 300  # a 回避 or reopening reason, a veto's reason: as long as a comment may be at most


class JudgingError(PipelineError):
    """A judge's or staff's review action is refused (the window, a missing reason, a conflict of interest...)."""


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# -- the review window ----------------------------------------------------------------------------------------------

def review_window_state(call: Call, today: dt.date | None = None) -> str:
    """'none' (call.yaml offers no online scoring), 'before', 'open' or 'closed' on `today` (both days included)."""
    start, end = call.review.window_start, call.review.window_end
    if start is None or end is None:
        return "none"
    day = today or dt.date.today()
    if day < start:
        return "before"
    return "open" if day <= end else "closed"


def review_window_text(call: Call, today: dt.date | None = None) -> str:
    """What the review window means today, for a judge."""
    state = review_window_state(call, today)
    start, end = call.review.window_start, call.review.window_end
    if state == "none" or start is None or end is None:
        return "本次评审不开放在线评分，请使用工作人员发送的评分表（Excel）评分。"
    if state == "before":
        return f"在线评审将于{_cn(start)}开始（至{_cn(end)}），现在可以查看申报材料，评分暂不能保存。"
    if state == "open":
        return f"在线评审时间：{_cn(start)}至{_cn(end)}（截止日当日有效）。评分可先保存草稿，确认后提交。"
    return f"在线评审已于{_cn(end)}截止，现在只能查看，评分不能再保存或提交。"


def _require_window(call: Call, today: dt.date | None) -> None:
    state = review_window_state(call, today)
    start, end = call.review.window_start, call.review.window_end
    if state == "none" or start is None or end is None:
        raise JudgingError("本次评审不开放在线评分，请使用评分表评分", "online scoring is not offered for this call")
    if state == "before":
        raise JudgingError(f"在线评审尚未开始（{_cn(start)}开始），现在只能查看",
                           f"online scoring opens on {start}; read only until then")
    if state == "closed":
        raise JudgingError(f"在线评审已于{_cn(end)}截止，评分不能再保存、提交或声明回避",
                           f"online scoring closed on {end}")


def _reason(text: str, what: str) -> str:
    reason = " ".join((text or "").split())
    if not reason:
        raise JudgingError(f"请写明{what}", f"give the reason ({what})")
    if len(reason) > REASON_MAX:
        raise JudgingError(f"{what}不超过{REASON_MAX}字（现为{len(reason)}字）",
                           f"the reason is longer than {REASON_MAX} characters")
    return reason


# -- judge accounts ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class JudgesImported:
    """What importing the judges CSV did: the judges read, how many were new to the list, the assignment made (None:
    kept as it was, or no application to assign yet), the one-time codes of the new accounts, and a sentence."""

    judges: int
    new: int
    assigned: AssignSummary | None
    issued: tuple[IssuedCode, ...]
    note: str


def import_judges(reg: Registry, call: Call, source: Path | bytes, by: str, name: str = "专家名单.csv",
                  per_app: int | None = None, seed: int = 0) -> JudgesImported:
    """The judges CSV (a path, or an upload's bytes named `name` in the messages) read as `award review assign`
    reads it; before any score and any assignment the judges are assigned as that command does, otherwise only the
    new judges are added (staff assign them as replacements). An account named by the judge id, with a one-time
    code, for each judge without one."""
    if isinstance(source, bytes):
        judges = read_judges(Path(name), call, data=source)
    else:
        judges = read_judges(Path(source), call)
    before = {row[0] for row in reg.judges(call.id)}
    assigned: AssignSummary | None = None
    if not reg.scores(call.id) and not reg.assignments(call.id) and review_apps(reg, call):
        assigned = assign_judges(reg, call, judges, per_app, seed)
        note = (f"已为 {assigned.applications} 个项目各分配 {assigned.per_app} 位专家（每位专家 {assigned.min_load}～"
                f"{assigned.max_load} 项）。")
        reg.audit(by, "judges.import", f"专家 {len(judges)} 位；{note}")
    else:
        reg.add_judges(call.id, [(j.id, j.name, j.unit, j.credit_code, j.fields) for j in judges], by)
        if reg.assignments(call.id):
            note = "专家分配已存在（或已有评分），未重新分配；新增的专家可在评审进度页面作为替补分配。"
        else:
            note = "尚无通过形式审查的申报书，暂未分配专家；申报书登记后再次导入本名单即可分配。"
    issued: list[IssuedCode] = []
    for j in judges:
        account = reg.user(j.id)
        if account is None:
            issued.append(IssuedCode(j.id, j.name, one_time_code()))
        elif account.role != "judge":
            raise JudgingError(f"专家编号 {j.id} 已被其他角色的账号使用，请修改专家编号",
                               f"the judge id {j.id} names an account of another role")
    if issued:
        reg.judge_accounts(call.id, {c.number: hash_secret(c.code) for c in issued}, by)
    new = len({j.id for j in judges} - before)
    return JudgesImported(len(judges), new, assigned, tuple(issued), note)


def reissue_judge_code(reg: Registry, call: Call, judge_id: str, by: str) -> IssuedCode:
    """A new one-time code for a judge's account (password forgotten): the old password and sessions end."""
    judges = stored_judges(reg, call.id)
    account = reg.user(judge_id)
    if judge_id not in judges or account is None or account.role != "judge":
        raise JudgingError(f"专家 {judge_id} 没有账号", f"the judge {judge_id} has no account")
    return issue_code(reg, judge_id, judges[judge_id].name, by)


def judge_codes_xlsx(codes: Sequence[IssuedCode], call: Call) -> bytes:
    """The judges' one-time codes as a workbook (the only place they are ever written)."""
    from pipeline.submission import codes_xlsx

    return codes_xlsx(codes, call, JUDGE_CODE_HEADS)


@dataclass(frozen=True)
class JudgeRow:
    """A judge as the staff's list shows them."""

    judge: Judge
    account: str  # 无账号 / 待首次登录 / 已启用
    assigned: int
    submitted: int


def judge_rows(reg: Registry, call: Call) -> list[JudgeRow]:
    """Every judge of the call, with the account's state and the forms assigned and submitted."""
    plan = reg.assignments(call.id)
    sources = reg.form_sources(call.id)
    done = Counter(jid for _, jid in sources)
    out = []
    for jid, judge in sorted(stored_judges(reg, call.id).items()):
        account = reg.user(jid)
        state = "无账号" if account is None or account.role != "judge" else (
            "待首次登录" if account.must_change else "已启用")
        out.append(JudgeRow(judge, state, len(plan.get(jid, [])), done[jid]))
    return out


# -- a judge's list and one application --------------------------------------------------------------------------------

@dataclass(frozen=True)
class JudgeItem:
    """One application on a judge's list."""

    reg_no: str
    project: str
    category: str
    applicant: str
    state: str  # a key of STATE_ZH
    via: str | None  # 'online' or 'workbook' once submitted
    at: str | None  # when the draft was saved or the form submitted

    @property
    def state_zh(self) -> str:
        text = STATE_ZH[self.state]
        return f"{text}（{VIA_ZH[self.via]}）" if self.via else text


@dataclass(frozen=True)
class JudgeDesk:
    """What a judge sees first: their assigned applications, the window, the counts."""

    judge_id: str
    name: str
    items: tuple[JudgeItem, ...]
    window: str
    window_text: str

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(i.state for i in self.items)
        return {k: c.get(k, 0) for k in STATE_ZH}


def _via(source: str) -> str:
    return "online" if source == "online" else "workbook"


def judge_desk(reg: Registry, call: Call, judge_id: str, today: dt.date | None = None) -> JudgeDesk:
    """A judge's own list (never another's): the applications assigned to them now, in registration order."""
    numbers = reg.assignments(call.id).get(judge_id, [])
    rows = {a.reg_no: a for a in reg.applications_by_numbers(numbers)}
    drafts = reg.drafts(call.id, judge_id)
    sources = reg.form_sources(call.id)
    items = []
    for reg_no in numbers:
        info = app_info(rows[reg_no], call.roles)
        src = sources.get((reg_no, judge_id))
        if src is not None:
            state, via, at = "submitted", _via(src.source), src.at
        elif reg_no in drafts:
            state, via, at = "draft", None, drafts[reg_no].saved_at
        else:
            state, via, at = "todo", None, None
        items.append(JudgeItem(reg_no, info.project, info.category, info.applicant, state, via, at))
    judges = stored_judges(reg, call.id)
    name = judges[judge_id].name if judge_id in judges else judge_id
    return JudgeDesk(judge_id, name, tuple(items), review_window_state(call, today), review_window_text(call, today))


@dataclass(frozen=True)
class ScoreForm:
    """The online scoring form as the judge typed it: each criterion's text, the veto and its reason, the comment."""

    criteria: dict[str, str]
    veto: bool = False
    veto_reason: str = ""
    comment: str = ""


@dataclass(frozen=True)
class CriterionView:
    """One criterion of the rubric on the form: its label, maximum, guidance and the value shown."""

    id: str
    label: str
    max: str
    guidance: str
    value: str


@dataclass(frozen=True)
class JudgeApplication:
    """One assigned application as its judge sees it: the application, its fields by section, the rubric with the
    values shown (the submitted form's, else the draft's), whether it is locked (submitted) and why, the window."""

    app: AppInfo
    row: Registered
    sections: tuple[dict[str, Any], ...]
    criteria: tuple[CriterionView, ...]
    form: ScoreForm
    state: str
    via: str | None
    at: str | None
    total: str | None
    window: str
    window_text: str
    comment_max: int
    step: str

    @property
    def locked(self) -> bool:
        """Submitted (online or by a workbook): read only until staff reopen it."""
        return self.state == "submitted"

    @property
    def editable(self) -> bool:
        """The judge may save, submit or declare 回避 now."""
        return not self.locked and self.window == "open"

    @property
    def state_zh(self) -> str:
        text = STATE_ZH[self.state]
        return f"{text}（{VIA_ZH[self.via]}）" if self.via else text


def _fmt(x: float | Fraction) -> str:
    return format(float(x), "g")


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return format(value, "g")
    return str(value).strip()


def _for_judges(call: Call, f: Any) -> bool:
    """Whether a label|value field is shown to judges: not the applicant's contact details (phone, e-mail, address,
    postcode, contact person, member number: the association, not the judge, corresponds with the applicant) nor a
    signature."""
    return not (f.id.startswith("contact.") or f.id.endswith(".address") or f.format in ("phone", "email", "postcode")
                or f.id == call.roles.member_no or f.type == "signature")


def application_sections(call: Call, fields: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The application's extracted fields by section of the form, for reading: label/value facts, tables (with their
    column labels; `short`: the columns kept on one line), texts. Sections with nothing extracted are left out; so
    are the applicant's contact details and the attachments' ticks (the original file shows them)."""
    out: list[dict[str, Any]] = []
    for s in call.sections:
        if s.kind == "fields":
            facts = []
            for f in (f for f in s.fields if _for_judges(call, f)):
                if f.parts:
                    parts = [_text_of(fields.get(p)) for p in f.parts]
                    value = "至".join(p for p in parts if p)
                else:
                    value = _text_of(fields.get(f.id))
                if value:
                    facts.append((f.label, value))
            if facts:
                out.append({"title": s.title, "kind": "facts", "facts": facts})
        elif s.kind == "table" and s.field:
            rows = [r for r in fields.get(s.field) or [] if isinstance(r, dict)]
            cols = [c for c in s.columns if c.auto != "rank"]
            body = [[_text_of(r.get(c.id)) for c in cols] for r in rows]
            body = [r for r in body if any(r)]
            total = fields.get(s.total_field) if s.total_field else None
            if isinstance(total, dict) and body:
                body.append([s.total_label or "合计", *[_text_of(total.get(c.id)) for c in cols[1:]]])
            basis = _text_of(fields.get(s.basis.id)) if s.basis else ""
            if body or basis:
                out.append({"title": s.title, "kind": "table", "heads": [c.label for c in cols], "rows": body,
                            "short": [bool(c.width and c.width <= 25) for c in cols],
                            "numbered": any(c.auto == "rank" for c in s.columns),
                            "basis": (s.basis.label, basis) if s.basis and basis else None})
        elif s.kind == "text" and s.field:
            text = _text_of(fields.get(s.field))
            if text:
                out.append({"title": s.title, "kind": "text", "text": text})
    return tuple(out)


def _assigned(reg: Registry, call: Call, judge_id: str, reg_no: str) -> bool:
    return reg_no in reg.assignments(call.id).get(judge_id, [])


def judge_application(reg: Registry, call: Call, judge_id: str, reg_no: str,
                      today: dt.date | None = None) -> JudgeApplication | None:
    """One application of the judge's list; None unless it is assigned to this judge now (conflicted, recused,
    unassigned and unknown numbers alike: the web answers 404)."""
    if not _assigned(reg, call, judge_id, reg_no):
        return None
    row = reg.application(reg_no)
    if row is None:
        return None
    info = app_info(row, call.roles)
    score = reg.scores_of_judge(call.id, judge_id).get(reg_no)
    draft = reg.drafts(call.id, judge_id).get(reg_no)
    src = reg.form_sources(call.id).get((reg_no, judge_id))
    total = None
    if score is not None:
        form = ScoreForm({k: _fmt(v) for k, v in score.criteria.items()}, score.veto, score.veto_reason,
                         score.comment)
        state, via, at, total = "submitted", _via(src.source if src else "online"), src.at if src else None, \
            _fmt(score.total)
    elif draft is not None:
        form = ScoreForm(dict(draft.criteria), draft.veto, draft.veto_reason, draft.comment)
        state, via, at = "draft", None, draft.saved_at
    else:
        form, state, via, at = ScoreForm({}), "todo", None, None
    criteria = tuple(CriterionView(c.id, c.label, _fmt(c.max), c.guidance, form.criteria.get(c.id, ""))
                     for c in call.review.criteria)
    return JudgeApplication(info, row, application_sections(call, row.fields), criteria, form, state, via, at, total,
                            review_window_state(call, today), review_window_text(call, today),
                            call.review.comment_max_chars, _fmt(call.review.step))


# -- the form: checked, saved, submitted ------------------------------------------------------------------------------

def _criterion(call: Call, c: Criterion, raw: str) -> tuple[Fraction | None, Finding | None]:
    return criterion_score(call, c, raw, ONLINE_CELL)


def check_form(call: Call, form: ScoreForm, draft: bool = False) -> tuple[Score | None, list[Finding]]:
    """The form against §4, with the workbook import's rules and messages: each criterion given, a number, in range
    and step; the comment not too long; a veto with its reason. A draft is checked only in what is filled (a missing
    score is no problem yet). (the score when nothing is wrong and nothing missing, the problems)."""
    problems: list[Finding] = []
    values: dict[str, Fraction] = {}
    for c in call.review.criteria:
        raw = form.criteria.get(c.id, "")
        if draft and not raw.strip():
            continue
        x, found = _criterion(call, c, raw)
        if found is not None:
            problems.append(found)
        elif x is not None:
            values[c.id] = x
    long = comment_finding(call, form.comment)
    if long is not None:
        problems.append(long)
    if form.veto and not form.veto_reason.strip():
        problems.append(make("review.veto_reason", call))
    if problems or len(values) < len(call.review.criteria):
        return None, problems
    return Score("", "", values, form.veto, form.comment.strip()), problems


def _draft(judge_id: str, reg_no: str, form: ScoreForm, call: Call) -> Draft:
    known = {c.id for c in call.review.criteria}
    return Draft(reg_no, judge_id, {k: v.strip() for k, v in form.criteria.items() if k in known and v.strip()},
                 form.veto, form.veto_reason.strip() if form.veto else "", form.comment.strip(), "")


def save_draft(reg: Registry, call: Call, judge_id: str, reg_no: str, form: ScoreForm, who: str,
               today: dt.date | None = None) -> list[Finding]:
    """Keep the form as typed (a draft may be incomplete or even wrong: the judge comes back to it); the problems of
    what is filled are returned to be shown. Refused outside the window, or once submitted."""
    _require_window(call, today)
    if not _assigned(reg, call, judge_id, reg_no):
        raise JudgingError(f"{reg_no} 未分配给您", f"{reg_no} is not assigned to you")
    reg.save_draft(call.id, _draft(judge_id, reg_no, form, call), who)
    return check_form(call, form, draft=True)[1]


def submit(reg: Registry, call: Call, judge_id: str, reg_no: str, form: ScoreForm, who: str,
           today: dt.date | None = None) -> list[Finding]:
    """Submit the form: checked as a workbook row is (the same messages); with any problem nothing is submitted,
    the form is kept as a draft and the problems returned; else stored as the judge's score in one transaction
    (refused when already scored online or by a workbook). [] when submitted."""
    _require_window(call, today)
    if not _assigned(reg, call, judge_id, reg_no):
        raise JudgingError(f"{reg_no} 未分配给您", f"{reg_no} is not assigned to you")
    if reg_no in reg.scores_of_judge(call.id, judge_id):
        raise JudgingError(f"{reg_no} 的评分已提交（在线或评分表导入），如需修改请联系工作人员退回",
                           f"{reg_no} is scored already; ask staff to reopen it")
    score, problems = check_form(call, form)
    if score is None:
        reg.save_draft(call.id, _draft(judge_id, reg_no, form, call), who)
        return problems
    stored = dataclasses.replace(stored_form(dataclasses.replace(score, reg_no=reg_no, judge_id=judge_id)),
                                 veto_reason=form.veto_reason.strip() if form.veto else "")
    reg.submit_online(call.id, stored, who)
    return []


def recuse(reg: Registry, call: Call, judge_id: str, reg_no: str, reason: str, who: str,
           today: dt.date | None = None) -> None:
    """The judge declares 回避 (a conflict of interest) with a reason: the assignment and any draft removed, staff
    see it and assign a replacement. Refused outside the window and once submitted."""
    _require_window(call, today)
    text = _reason(reason, "回避理由")
    if not _assigned(reg, call, judge_id, reg_no):
        raise JudgingError(f"{reg_no} 未分配给您", f"{reg_no} is not assigned to you")
    reg.recuse(call.id, reg_no, judge_id, text, who)


def reopen(reg: Registry, call: Call, reg_no: str, judge_id: str, reason: str, by: str) -> None:
    """Staff reopen a submitted form (online or from a workbook) with a reason: it is the judge's draft again and
    counts no more until submitted."""
    reg.reopen_score(call.id, reg_no, judge_id, _reason(reason, "退回理由"), by)


# -- the original file and its PDF -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Original:
    """An application's current file: its bytes, suffix (.docx, .pdf, .doc, .wps) and SHA-256."""

    data: bytes
    suffix: str
    sha256: str


def _in_inbox(data_dir: Path, row: Registered) -> bytes | None:
    """An e-mailed application's bytes from the archive staff uploaded (<data>/inbox/*.zip), found by SHA-256."""
    import hashlib

    inbox = data_dir / "inbox"
    if not inbox.is_dir():
        return None
    for archive in sorted(inbox.glob("*.zip"), reverse=True):
        try:
            with zipfile.ZipFile(archive) as zf:
                infos = zf.infolist()
                # the member of the registered name first, then any of the same size
                named = [i for i in infos if i.filename.replace("\\", "/").lstrip("/") == row.path]
                for info in named + [i for i in infos if i not in named and not i.is_dir()]:
                    with zf.open(info) as fh:
                        data = fh.read()
                    if hashlib.sha256(data).hexdigest() == row.sha256:
                        return data
        except (OSError, zipfile.BadZipFile):
            continue
    return None


def original_file(reg: Registry, store: FileStore, data_dir: Path, reg_no: str) -> Original | None:
    """The application's current version: the latest file submitted online (the file store), else the e-mailed
    file in the archive it was imported from; None when the platform does not hold it (a batch run elsewhere)."""
    versions = reg.versions(reg_no)
    if versions:
        v = versions[-1]
        try:
            return Original(store.read(v.sha256, v.suffix), v.suffix, v.sha256)
        except OSError:
            return None
    row = reg.application(reg_no)
    if row is None:
        return None
    data = _in_inbox(data_dir, row)
    if data is None:
        return None
    return Original(data, suffix_of(row.report or {}), row.sha256)


_converting = threading.Lock()  # one conversion at a time: a second request for the same file waits, then reads it


def pdf_cache(data_dir: Path) -> Path:
    """Where rendered PDFs are kept: <data>/files/pdf/<sha256 of the original>.pdf."""
    return data_dir / "files" / "pdf"


def pdf_of(data_dir: Path, original: Original, timeout: float = 120.0) -> bytes:
    """The original as PDF: a PDF as it is; a .docx/.doc/.wps converted by LibreOffice once and cached (a second
    request reads the cache). JudgingError when it cannot be converted (said once, then remembered)."""
    import tempfile

    from pipeline.fileio import output_dir, write_bytes
    from pipeline.office import ConverterMissing, convert

    if original.suffix == ".pdf":
        return original.data
    folder = pdf_cache(data_dir)
    target = folder / f"{original.sha256}.pdf"
    failed = folder / f"{original.sha256}.failed"
    with _converting:
        if target.is_file():
            return target.read_bytes()
        if failed.is_file():
            raise JudgingError("该申报书无法转换为 PDF，请下载原件查看", "the file cannot be shown as PDF")
        if original.suffix not in (".docx", ".doc", ".wps"):
            raise JudgingError("该文件格式无法转换为 PDF，请下载原件查看", "this format cannot be shown as PDF")
        output_dir(folder)
        with tempfile.TemporaryDirectory(prefix="award-judge-") as tmp:
            source = Path(tmp) / f"{original.sha256}{original.suffix}"
            source.write_bytes(original.data)
            try:
                made = convert([source], Path(tmp) / "out", timeout=timeout)
            except ConverterMissing:
                raise JudgingError("服务器未安装 LibreOffice，暂不能显示 PDF，请下载原件查看",
                                   "LibreOffice is not installed; download the original") from None
            except PipelineError:
                made = []
            if not made:
                write_bytes(failed, b"conversion failed\n")
                raise JudgingError("该申报书无法转换为 PDF，请下载原件查看", "the file cannot be shown as PDF")
            data = made[0].read_bytes()
        write_bytes(target, data)
        return data


# -- the staff's side: progress, reassignment --------------------------------------------------------------------------

@dataclass(frozen=True)
class JudgeProgress:
    """One judge's progress."""

    judge_id: str
    name: str
    unit: str
    account: str
    assigned: int
    drafts: int
    online: int
    workbook: int
    recused: int
    overdue: bool

    @property
    def submitted(self) -> int:
        return self.online + self.workbook


@dataclass(frozen=True)
class AppProgress:
    """One application's progress: its judges now, the forms submitted, the open 回避 declarations (a replacement
    needed)."""

    reg_no: str
    project: str
    category: str
    judges: tuple[str, ...]
    submitted: tuple[str, ...]
    open_recusals: tuple[str, ...]
    wanted: int

    @property
    def short(self) -> int:
        """Judges missing to reach call.yaml's judges_per_app."""
        return max(0, self.wanted - len(self.judges))


@dataclass(frozen=True)
class RecusalRow:
    """A 回避 declaration as staff read it."""

    reg_no: str
    project: str
    judge_id: str
    judge_name: str
    reason: str
    declared_at: str
    replaced_by: str | None


@dataclass(frozen=True)
class ReviewProgress:
    """The review at a glance for staff."""

    judges: tuple[JudgeProgress, ...]
    apps: tuple[AppProgress, ...]
    recusals: tuple[RecusalRow, ...]
    window: str
    window_text: str
    forms: int = 0
    submitted: int = 0
    overdue: int = 0
    candidates: dict[str, tuple[str, ...]] = field(default_factory=dict)


def progress(reg: Registry, call: Call, today: dt.date | None = None) -> ReviewProgress:
    """Per judge (assigned, drafts, submitted online / by workbook, recused, overdue: the window ended and not all
    submitted), per application (judges, submitted forms, open 回避 declarations) and every 回避 declaration; with,
    for each application, the judges staff may add (no conflict of interest, not recused, not on it already)."""
    judges = stored_judges(reg, call.id)
    plan = reg.assignments(call.id)
    sources = reg.form_sources(call.id)
    drafts = reg.draft_counts(call.id)
    recusals = reg.recusals(call.id)
    state = review_window_state(call, today)
    ended = state == "closed"
    rows = judge_rows(reg, call)
    accounts = {r.judge.id: r.account for r in rows}
    by_judge: list[JudgeProgress] = []
    for jid, j in sorted(judges.items()):
        mine = plan.get(jid, [])
        via = Counter(_via(s.source) for (r, k), s in sources.items() if k == jid)
        done = via["online"] + via["workbook"]
        by_judge.append(JudgeProgress(jid, j.name, j.unit, accounts.get(jid, "无账号"), len(mine), drafts.get(jid, 0),
                                      via["online"], via["workbook"], sum(1 for x in recusals if x.judge_id == jid),
                                      ended and done < len(mine)))
    per_app: dict[str, list[str]] = {}
    for jid, numbers in plan.items():
        for r in numbers:
            per_app.setdefault(r, []).append(jid)
    apps = review_apps(reg, call)
    info = {a.reg_no: a for a in apps}
    extra = [r for r in per_app if r not in info]
    for row in reg.applications_by_numbers(extra):
        info[row.reg_no] = app_info(row, call.roles)
    by_app: list[AppProgress] = []
    candidates: dict[str, tuple[str, ...]] = {}
    recused_from = {(x.reg_no, x.judge_id) for x in recusals}
    for a in sorted(info.values(), key=lambda a: a.seq):
        on = tuple(sorted(per_app.get(a.reg_no, [])))
        done_by = tuple(sorted(k for (r, k) in sources if r == a.reg_no))
        open_ = tuple(x.judge_id for x in recusals if x.reg_no == a.reg_no and x.replaced_by is None)
        by_app.append(AppProgress(a.reg_no, a.project, a.category, on, done_by, open_, call.review.judges_per_app))
        candidates[a.reg_no] = tuple(jid for jid, j in sorted(judges.items())
                                     if jid not in on and (a.reg_no, jid) not in recused_from
                                     and conflicted(j, a) is None)
    recusal_rows = tuple(RecusalRow(x.reg_no, info[x.reg_no].project if x.reg_no in info else "", x.judge_id,
                                    judges[x.judge_id].name if x.judge_id in judges else x.judge_id, x.reason,
                                    x.declared_at, x.replaced_by) for x in recusals)
    forms = sum(len(v) for v in plan.values())
    return ReviewProgress(tuple(by_judge), tuple(by_app), recusal_rows, state, review_window_text(call, today),
                          forms, len(sources), sum(1 for j in by_judge if j.overdue), candidates)


def reassign(reg: Registry, call: Call, reg_no: str, remove: str | None, add: str | None, by: str) -> None:
    """Staff change one application's judges: take one off (not once they scored it) and/or put one on, never a
    judge from one of its completing units (a conflict of interest) nor one who declared 回避 for it."""
    remove, add = (remove or "").strip() or None, (add or "").strip() or None
    if remove is None and add is None:
        raise JudgingError("请选择要撤下或增加的专家", "choose a judge to remove or to add")
    row = reg.application(reg_no)
    if row is None:
        raise JudgingError(f"没有登记号为 {reg_no} 的申报书", f"no application {reg_no}")
    match = False
    if add is not None:
        judges = stored_judges(reg, call.id)
        if add not in judges:
            raise JudgingError(f"专家 {add} 不在专家名单中", f"{add} is not a judge of this call")
        app = app_info(row, call.roles)
        unit = conflicted(judges[add], app)
        if unit:
            raise JudgingError(f"专家 {add}（{judges[add].name}）所在单位（{unit}）是 {reg_no} 的完成单位，须回避，"
                               "不能分配", f"{add} is from a completing unit of {reg_no} ({unit})")
        if any(x.reg_no == reg_no and x.judge_id == add for x in reg.recusals(call.id)):
            raise JudgingError(f"专家 {add} 已对 {reg_no} 声明回避，不能再分配", f"{add} recused from {reg_no}")
        match = category_match(judges[add], app)
    reg.reassign(call.id, reg_no, remove, add, match, by)
