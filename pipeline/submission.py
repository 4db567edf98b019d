"""Online submission (在线申报), as a library: the member units' accounts from the member list (one-time codes),
the call's window, a unit's upload checked and, without errors, kept until the unit confirms it; registration under
the same numbers as `award batch`; replacement before the deadline (every version kept by its SHA-256); the rules
across applications re-run over the whole round; the status a unit reads. The web platform holds none of these
rules: it calls these functions, as `cli.py` calls `actions`."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.calls import Call
from pipeline.check.batch import Member
from pipeline.errors import PipelineError
from pipeline.registry import Listing, MemberRow, Registered, Registry, Submission, Upload, Version

# what a unit reads of its application (the registry's own statuses are the checker's: pass / warn / fail)
STATUS_ZH = {"submitted": "已提交", "returned": "退回补正", "review": "评审中", "awarded": "获奖"}
STATUS_EN = {"submitted": "submitted", "returned": "returned for correction", "review": "under review",
             "awarded": "awarded"}

UPLOAD_TTL = dt.timedelta(days=1)  # a checked upload not confirmed by then is forgotten (and its file removed)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or copied from paper


class SubmissionError(PipelineError):
    """A unit's upload or confirmation is refused (the window, the limit, someone else's form...)."""


def _today() -> dt.date:
    return dt.date.today()


def window_state(call: Call, today: dt.date | None = None) -> str:
    """'before', 'open' or 'closed': the call's window (both days included) on `today`."""
    day = today or _today()
    if day < call.window_start:
        return "before"
    return "open" if day <= call.window_end else "closed"


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def window_text(call: Call, today: dt.date | None = None) -> tuple[str, str]:
    """What the window means today, for a unit (zh, en)."""
    state = window_state(call, today)
    if state == "before":
        return (f"在线申报将于{_cn(call.window_start)}开始。", f"submission opens on {call.window_start}.")
    if state == "open":
        return (f"在线申报截止时间：{_cn(call.window_end)}（当日有效）。截止前可以替换已提交的申报书，编号不变。",
                f"submission closes at the end of {call.window_end}; until then a submission may be replaced.")
    return (f"在线申报已于{_cn(call.window_end)}截止，已提交的申报书只能查看。",
            f"submission closed on {call.window_end}; submissions are read-only.")


def _refuse(zh: str, en: str) -> SubmissionError:
    return SubmissionError(zh, en)


def _require_open(call: Call, today: dt.date | None) -> None:
    state = window_state(call, today)
    if state == "before":
        raise _refuse(f"在线申报尚未开始（{_cn(call.window_start)}开始）", f"submission opens on {call.window_start}")
    if state == "closed":
        raise _refuse(f"在线申报已于{_cn(call.window_end)}截止，不能再提交或替换",
                      f"submission closed on {call.window_end}")


# -- member units and their one-time codes ------------------------------------------------------------------------

def one_time_code() -> str:
    """A code staff hand to a unit for its first sign-in: 12 characters in three groups, easy to read out."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass(frozen=True)
class IssuedCode:
    """A one-time sign-in code given to a member unit or a judge (shown to staff once; the registry keeps only its
    hash): the account's name (会员编号, 专家编号), whose it is, the code."""

    number: str
    name: str
    code: str


def hash_secret(secret: str) -> str:
    """A password or one-time code as the registry keeps it (argon2)."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(secret)


def import_members(registry: Registry, call: Call, members: dict[str, Member], by: str) -> list[IssuedCode]:
    """The member list merged into the call's; an account (named by the 会员编号) and a one-time code for each
    member that has none yet. Members already there keep their accounts and passwords."""
    have = {m.number for m in registry.members(call.id) if m.account}
    issued = [IssuedCode(m.number, m.name, one_time_code()) for m in members.values() if m.number not in have]
    registry.import_members(call.id, [(m.number, m.name, m.credit_code) for m in members.values()],
                            {c.number: hash_secret(c.code) for c in issued}, by)
    return issued


def reissue_code(registry: Registry, call: Call, number: str, by: str) -> IssuedCode:
    """A new one-time code for a member unit (its password forgotten): the old password and sessions end."""
    found = [m for m in registry.members(call.id) if m.number == number and m.account]
    if not found:
        raise _refuse(f"会员编号 {number} 没有账号", f"the member {number} has no account")
    return issue_code(registry, number, found[0].name, by)


def issue_code(registry: Registry, account: str, whose: str, by: str) -> IssuedCode:
    """A new one-time code for an existing account (a unit's, a judge's): its old password and sessions end, and
    it sets its own password at its next sign-in."""
    code = one_time_code()
    registry.reset_password(account, hash_secret(code), True, by)
    return IssuedCode(account, whose, code)


UNIT_CODE_HEADS = ("会员编号", "单位名称", "一次性登录码")


def codes_xlsx(codes: Sequence[IssuedCode], call: Call, heads: Sequence[str] = UNIT_CODE_HEADS) -> bytes:
    """The one-time codes as a workbook for staff to hand out (the only place they are ever written); `heads`
    names the columns (the account, whose it is, the code)."""
    import io

    from openpyxl import Workbook

    from pipeline.render.sheets import table_sheet

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "一次性登录码"
    rows: list[list[Any]] = [[c.number, c.name, c.code] for c in codes]
    table_sheet(ws, list(heads), rows, wrap={1}, caps={1: 40})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def set_own_password(registry: Registry, name: str, password: str, again: str) -> None:
    """A unit (or anyone signed in) sets its own password: twice the same, long enough."""
    from pipeline.accounts import MIN_PASSWORD

    if password != again:
        raise _refuse("两次输入的密码不一致", "the two passwords differ")
    if len(password) < MIN_PASSWORD:
        raise _refuse(f"密码至少{MIN_PASSWORD}个字符", f"the password needs at least {MIN_PASSWORD} characters")
    registry.reset_password(name, hash_secret(password), False, name)


# -- the file store -------------------------------------------------------------------------------------------------

class FileStore:
    """Submitted files by content: <root>/<sha[:2]>/<sha256><suffix>. A file is written (and synced) before the
    registry row that names it; a file no row names is what a killed server left, and `sweep` removes it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str, suffix: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256")
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def put(self, data: bytes, suffix: str) -> str:
        """Keep the bytes (atomically); their SHA-256."""
        from pipeline.fileio import output_dir, write_bytes

        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha, suffix)
        if not target.exists():
            output_dir(target.parent)
            write_bytes(target, data)
        return sha

    def read(self, sha256: str, suffix: str) -> bytes:
        return self.path(sha256, suffix).read_bytes()

    def sweep(self, keep: set[str], older_than: float = 0.0) -> int:
        """Remove every stored file whose SHA-256 is not in `keep` (and half-written temporaries); how many. While
        the server runs, only files older than `older_than` seconds: an upload being kept writes its file a moment
        before its row."""
        import time

        removed = 0
        if not self.root.is_dir():
            return 0
        before = time.time() - older_than
        for folder in self.root.iterdir():
            if not folder.is_dir() or len(folder.name) != 2:
                continue  # files/pdf/ (pipeline.judging's rendered PDFs) is a cache, not stored files
            for f in folder.iterdir():
                if f.is_file() and f.name[:64] not in keep and f.stat().st_mtime <= before:
                    f.unlink(missing_ok=True)
                    removed += 1
        return removed


def suffix_of(report: dict[str, Any]) -> str:
    """The suffix a stored file gets: its format as the checker read it (never the upload's own name)."""
    fmt = str(report.get("file", {}).get("format") or "")
    return f".{fmt}" if fmt in ("docx", "pdf", "doc", "wps") else ".bin"


# -- a unit's upload, its confirmation ------------------------------------------------------------------------------

def _member_no(call: Call, report: dict[str, Any]) -> str:
    import re

    return re.sub(r"\s+", "", str((report.get("fields") or {}).get(call.roles.member_no) or ""))


def accept(registry: Registry, store: FileStore, call: Call, user_id: int, data: bytes, name: str,
           checked: dict[str, Any], replaces: str | None = None, today: dt.date | None = None) -> Upload:
    """A unit's checked upload without errors, kept (file, then row) until the unit confirms it. `checked` is the
    check's {"report", "locations"}. Refused (SubmissionError) when the window is not open, when it is not this
    call's form, when the form's 会员编号 is not the unit's, when it would pass the per-unit limit, when the same
    file is registered already; a form with errors is refused by the caller before (the unit sees its report)."""
    from pipeline.batch import registrable

    report = checked["report"]
    _require_open(call, today)
    member = registry.member_of(call.id, user_id)
    if member is None:
        raise _refuse("该账号不是会员单位账号", "this account is not a member unit's")
    own = registry.submissions(call.id, user_id)
    if replaces is not None:
        if replaces not in {s.reg_no for s in own}:
            raise _refuse("没有这份申报书", "no such application")
    elif len(own) >= call.batch.max_per_applicant:
        raise _refuse(f"每个单位最多申报 {call.batch.max_per_applicant} 项，已达上限；可在截止前替换已提交的申报书",
                      f"at most {call.batch.max_per_applicant} applications per unit; replace one instead")
    if not registrable(report):
        raise _refuse("这不是本次评选的申报书，或文件无法读取",
                      "this is not this call's application form, or it cannot be read")
    if report.get("summary", {}).get("errors"):
        raise _refuse("申报书有错误，修改后重新上传", "the form has errors: fix them and upload it again")
    found = _member_no(call, report)
    if found != member.number:
        raise _refuse(f"申报书中的会员编号（{found or '未填写'}）与登录的会员单位（{member.number}）不一致",
                      f"the form's member number ({found or 'empty'}) is not this unit's ({member.number})")
    sha = hashlib.sha256(data).hexdigest()
    if registry.number_of(call.id, sha) is not None:
        raise _refuse("与已登记的一份申报书完全相同，不能重复提交", "the same file as a registered application")
    suffix = suffix_of(report)
    store.put(data, suffix)
    upload = Upload(secrets.token_urlsafe(24), user_id, replaces, sha, name, suffix, len(data), checked,
                    dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    registry.add_upload(upload, call.id)
    return upload


def confirm(registry: Registry, call: Call, user_id: int, who: str, token: str, today: dt.date | None = None,
            between: Callable[[], None] | None = None, consent: bool | None = None) -> tuple[str, int]:
    """The unit confirms its checked upload: registered (a new number, or the next version of the application it
    replaces) in one transaction, then the rules across applications re-run over the round. (number, version).
    `consent`: the unit ticked the call's consent line (call.yaml publication.consent) on a new application; kept
    right after registration (a replacement keeps the answer given before; the application page changes it)."""
    from pipeline.batch import TOOL_VERSION, call_version

    _require_open(call, today)
    upload = registry.upload(token)
    if upload is None or upload.user_id != user_id:
        raise _refuse("该上传已处理或已过期，请重新上传", "this upload was handled already or expired")
    member = registry.member_of(call.id, user_id)
    assert member is not None  # accept() made sure
    roles = call.roles
    listing = Listing(roles.applicant_name, roles.applicant_code, roles.project_name, roles.project_category)
    numbering = (call.batch.registration_prefix, call.batch.registration_digits)
    done = registry.submit(call.id, upload, member.number, who, numbering, (call_version(call), TOOL_VERSION),
                           listing, call.batch.max_per_applicant, between)
    if consent and call.publication.consent is not None and upload.replaces is None:
        registry.set_consent(done[0], True, who)
    recheck_round(registry, call)
    return done


# -- the round: the rules across applications, statuses --------------------------------------------------------------

def members_of(registry: Registry, call: Call) -> dict[str, Member] | None:
    """The imported member list as the batch rules take it (None before one is imported: no member rules)."""
    rows = registry.members(call.id)
    return {m.number: Member(m.number, m.name, m.credit_code) for m in rows} or None


def recheck_round(registry: Registry, call: Call) -> int:
    """The rules across applications re-run over every checked application of the round (online and e-mailed),
    with the imported member list; each final report stored. How many reports changed."""
    from pipeline.batch import rerun_batch_rules

    return rerun_batch_rules(registry, call, members_of(registry, call))


@dataclass(frozen=True)
class UnitApplication:
    """One of a unit's applications as the unit sees it."""

    app: Registered
    submission: Submission
    status: str  # a key of STATUS_ZH
    versions: tuple[Version, ...]

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]


def status_of(app: Registered, submission: Submission | None, assigned: bool, level: str | None) -> str:
    """What a unit reads: 获奖 once a level is given, 评审中 once judges are assigned, 退回补正 when staff returned it
    or the round's rules found an error in it, else 已提交."""
    if level:
        return "awarded"
    if assigned:
        return "review"
    if (submission is not None and submission.returned) or app.status == "fail":
        return "returned"
    return "submitted"


def statuses(registry: Registry, call: Call, apps: Sequence[Registered],
             submissions: dict[str, Submission]) -> dict[str, str]:
    """Registration number -> status (a key of STATUS_ZH) of each of these applications."""
    assigned = registry.assignments(call.id)
    levels = {r.reg_no: r.level_name for r in registry.results(call.id)}
    return {a.reg_no: status_of(a, submissions.get(a.reg_no), bool(assigned.get(a.reg_no)), levels.get(a.reg_no))
            for a in apps}


def unit_applications(registry: Registry, call: Call, user_id: int) -> list[UnitApplication]:
    """A unit's own applications (never another's), in registration order, with their statuses and versions."""
    subs = {s.reg_no: s for s in registry.submissions(call.id, user_id)}
    apps = registry.applications_by_numbers(list(subs))
    states = statuses(registry, call, apps, subs)
    return [UnitApplication(a, subs[a.reg_no], states[a.reg_no], tuple(registry.versions(a.reg_no))) for a in apps]


def unit_application(registry: Registry, call: Call, user_id: int, reg_no: str) -> UnitApplication | None:
    """One of the unit's own applications; None for any other number (someone else's looks like no application)."""
    found = [u for u in unit_applications(registry, call, user_id) if u.app.reg_no == reg_no]
    return found[0] if found else None


def sweep(registry: Registry, store: FileStore, now: dt.datetime | None = None, running: bool = False
          ) -> tuple[int, int]:
    """Recovery, at start-up and (running) every hour: uploads never confirmed within UPLOAD_TTL forgotten, and
    every stored file no row names (a server killed between writing a file and its row; a forgotten upload's)
    removed — while running, only those older than an hour. (uploads dropped, files removed)."""
    t = now or dt.datetime.now(dt.timezone.utc)
    dropped = registry.drop_uploads((t - UPLOAD_TTL).isoformat(timespec="seconds"))
    return dropped, store.sweep(registry.stored_files(), 3600.0 if running else 0.0)


def round_summary_xlsx(registry: Registry, call: Call, lang: str = "zh") -> bytes:
    """summary.xlsx of the whole round as the registry holds it now: every registered, checked application (online
    and e-mailed), with its final report (the rules across applications included)."""
    from pipeline.ingest.sources import Source
    from pipeline.model import Report
    from pipeline.report.rows import Row
    from pipeline.report.summary import xlsx_bytes

    rows = [Row(Source(a.path), a.reg_no, Report.from_dict(a.report)) for a in registry.applications(call.id)
            if a.report is not None]
    return xlsx_bytes(rows, call, lang)


def members_text(rows: Sequence[MemberRow]) -> list[dict[str, Any]]:
    """The member table as the staff console lists it."""
    return [{"number": m.number, "name": m.name, "credit_code": m.credit_code,
             "account": "待首次登录" if m.must_change else ("已启用" if m.account else "无账号")} for m in rows]


def data_files(data: Path) -> FileStore:
    """The platform's file store inside its data folder."""
    return FileStore(data / "files")
