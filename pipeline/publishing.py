"""The round's end after the review, in order: the results (as `award review results` computes them), the 公示 of
the proposed winners (publicity), the decision issued (表彰决定 and certificates), the winners' cases published
(在线分享). Each step is recorded in the registry (Registry.run_step, one audit row) and allowed only after the one
before it; `state` says, in one place, what is done, what is next and why a step is not allowed now: the staff
console and the public 公示 page both read it. The web layer only calls these functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.calls import Call
from pipeline.errors import PipelineError
from pipeline.registry import Registry

if TYPE_CHECKING:
    from pipeline.render.documents import Publicity, Winner
    from pipeline.review import ResultRow, ResultsSummary

STEPS = ("results", "publicity", "decision", "published")
STEP_NAMES = {"results": "计算评审结果", "publicity": "公示拟奖项目", "decision": "印发表彰决定和证书",
              "published": "在线分享获奖案例"}
DECISION_FILE = "表彰决定.docx"
CERTIFICATES_DIR = "证书"


class NotAllowed(PipelineError):
    """A step that may not run now (its message says why and what comes first)."""


def zh_date(day: dt.date) -> str:
    """2021年9月13日."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- what the steps recorded -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProposedWinner:
    """A project on the 公示 list: its registration number, proposed level, serial in the final ranking, units and
    main persons (kept in the step's detail, so the list published is the list recorded)."""

    reg_no: str
    level: int
    level_name: str
    serial: int
    project: str
    units: tuple[str, ...]
    persons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The step detail's row."""
        return {"reg_no": self.reg_no, "level": self.level, "level_name": self.level_name, "serial": self.serial,
                "project": self.project, "units": list(self.units), "persons": list(self.persons)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProposedWinner:
        """A row of the step's detail."""
        return cls(str(d["reg_no"]), int(d["level"]), str(d["level_name"]), int(d["serial"]), str(d["project"]),
                   tuple(d.get("units") or ()), tuple(d.get("persons") or ()))

    def winner(self) -> Winner:
        """As the documents name a winner."""
        from pipeline.render.documents import Winner

        return Winner(self.level, self.level_name, self.serial, self.project, self.units, self.persons)


@dataclass(frozen=True)
class PublicityPeriod:
    """The 公示 recorded: its first and last day (both included), its notice's number and the proposed winners."""

    start: dt.date
    end: dt.date
    number: str
    winners: tuple[ProposedWinner, ...]
    at: str = ""
    who: str = ""

    @property
    def days(self) -> int:
        """How many days it lasts."""
        return (self.end - self.start).days + 1

    def phase(self, today: dt.date) -> str:
        """'before' its first day, 'during' it, 'after' its last day."""
        if today < self.start:
            return "before"
        return "during" if today <= self.end else "after"

    def by_level(self) -> list[tuple[str, list[ProposedWinner]]]:
        """The proposed winners grouped by level, highest first, each group in ranking order."""
        groups: dict[int, tuple[str, list[ProposedWinner]]] = {}
        for w in sorted(self.winners, key=lambda w: (w.level, w.serial)):
            groups.setdefault(w.level, (w.level_name, []))[1].append(w)
        return [groups[k] for k in sorted(groups)]

    def detail(self) -> dict[str, Any]:
        """What run_step records."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days,
                "number": self.number, "winners": [w.to_dict() for w in self.winners]}


def _period(step: Any) -> PublicityPeriod:
    d = step.detail
    return PublicityPeriod(dt.date.fromisoformat(d["start"]), dt.date.fromisoformat(d["end"]), str(d["number"]),
                           tuple(ProposedWinner.from_dict(w) for w in d.get("winners") or ()), step.at, step.who)


def proposed_winners(rows: list[ResultRow]) -> tuple[ProposedWinner, ...]:
    """The stored results' awarded projects (not on hold), in ranking order."""
    return tuple(ProposedWinner(r.reg_no, r.level, r.level_name or "", r.serial, r.project, r.units, r.persons)
                 for r in rows if r.level is not None and r.serial is not None and not r.hold)


# --- the state of the round ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StepState:
    """One step as the console shows it: planned date(s) from call.yaml, whether and when and by whom it was done
    (and what), whether it may run now and, if not, why."""

    key: str
    name: str
    planned: str
    done: bool
    at: str | None
    who: str | None
    summary: str
    allowed: bool
    why_not: str | None


@dataclass(frozen=True)
class RoundState:
    """The round after the review, on `today`."""

    today: dt.date
    steps: tuple[StepState, ...]
    results: tuple[ResultRow, ...]
    publicity: PublicityPeriod | None
    decision: dict[str, Any] | None
    published: dict[str, Any] | None

    def step(self, key: str) -> StepState:
        """The step of this key (results, publicity, decision, published)."""
        return next(s for s in self.steps if s.key == key)

    @property
    def next(self) -> StepState | None:
        """The first step not done yet (None: every step done)."""
        return next((s for s in self.steps if not s.done), None)

    @property
    def phase(self) -> str:
        """The 公示's phase for the public: 'none' (not recorded or not begun: nothing is shown), 'during', 'after'."""
        if self.publicity is None or self.publicity.phase(self.today) == "before":
            return "none"
        return self.publicity.phase(self.today)

    @property
    def published_from(self) -> dt.date | None:
        """The day the winners' cases are open to the public (None: not published)."""
        if self.published is None:
            return None
        return dt.date.fromisoformat(self.published["from"])

    @property
    def cases_open(self) -> bool:
        """Whether the winners' case pages are open today (published, from its day on)."""
        day = self.published_from
        return day is not None and day <= self.today


def public_phase(reg: Registry, call: Call, today: dt.date) -> str:
    """The 公示's phase for the public (RoundState.phase) from the recorded step alone (the home page asks it)."""
    step = reg.publication_steps(call.id).get("publicity")
    if step is None:
        return "none"
    phase = _period(step).phase(today)
    return "none" if phase == "before" else phase


def _last_audit(reg: Registry, what: str) -> tuple[str, str, str] | None:
    rows = [r for r in reg.audit_rows() if r[2] == what]
    return (rows[-1][0], rows[-1][1], rows[-1][3]) if rows else None


def _counts(rows: list[ResultRow] | tuple[ResultRow, ...]) -> str:
    awarded = Counter((r.level, r.level_name) for r in rows if r.level is not None and not r.hold)
    parts = [f"{name}{n}项" for (_, name), n in sorted(awarded.items())]
    held = sum(1 for r in rows if r.hold)
    return ("、".join(parts) or "无获奖项目") + (f"，暂缓{held}项" if held else "")


def state(reg: Registry, call: Call, today: dt.date) -> RoundState:
    """What is done, what is next, what is allowed now and why not."""
    from pipeline.review import load_results

    pub = call.publication
    rows = tuple(load_results(reg, call))
    steps = reg.publication_steps(call.id)
    publicity = _period(steps["publicity"]) if "publicity" in steps else None
    decision = steps["decision"].detail if "decision" in steps else None
    published = steps["published"].detail if "published" in steps else None
    started = publicity is not None and today >= publicity.start
    out: list[StepState] = []

    # results
    window = call.review
    planned = (f"在线评审 {zh_date(window.window_start)}至{zh_date(window.window_end)}"
               if window.window_start and window.window_end else (call.schedule.evaluation or ""))
    why = None
    if started:
        assert publicity is not None
        why = (f"公示已于{zh_date(publicity.start)}开始，评审结果不能再重新计算（公示的拟奖名单须与评审结果一致）")
    elif not reg.scores(call.id):
        why = "还没有专家评分：专家在线提交评分或导入评分表后才能计算"
    audit = _last_audit(reg, "review.results")
    out.append(StepState("results", STEP_NAMES["results"], planned, bool(rows), audit[0] if audit else None,
                         audit[1] if audit else None,
                         (f"参评{sum(1 for r in rows if r.final is not None)}项：{_counts(rows)}" if rows else ""),
                         why is None, why))

    # publicity
    awarded = proposed_winners(list(rows))
    planned = ""
    if pub.publicity_start:
        end = pub.publicity_start + dt.timedelta(days=pub.publicity_days - 1)
        planned = f"{zh_date(pub.publicity_start)}至{zh_date(end)}（{pub.publicity_days}天）"
    why = None
    if not rows:
        why = "尚未计算评审结果"
    elif not awarded:
        why = "评审结果中没有获得奖励等级的项目，无可公示"
    elif started:
        assert publicity is not None
        why = f"公示已于{zh_date(publicity.start)}开始，不能再修改"
    summary = ""
    if publicity is not None:
        summary = (f"{publicity.number}：{zh_date(publicity.start)}至{zh_date(publicity.end)}，"
                   f"拟奖项目{len(publicity.winners)}项")
    out.append(StepState("publicity", STEP_NAMES["publicity"], planned, publicity is not None,
                         publicity.at if publicity else None, publicity.who if publicity else None, summary,
                         why is None, why))

    # decision
    planned = zh_date(call.documents.decision_date) if call.documents.decision_date else (call.schedule.award or "")
    why = None
    if publicity is None:
        why = "尚未发布公示：公示期满后才能印发表彰决定"
    elif today <= publicity.end:
        why = (f"公示期至{zh_date(publicity.end)}，{zh_date(publicity.end + dt.timedelta(days=1))}起方可印发表彰决定")
    elif not publicity.winners:
        why = "公示名单中没有项目"
    elif published is not None:
        why = "获奖案例已在线发布，表彰决定不能再重新印发"
    summary = ""
    if decision is not None:
        summary = (f"{decision['number']}（{zh_date(dt.date.fromisoformat(decision['date']))}），"
                   f"证书{decision['certificates']}张" + ("；使用示例印章“样章”，仅供试印，不可对外颁发"
                                                        if decision.get("sample_seal") else ""))
    out.append(StepState("decision", STEP_NAMES["decision"], planned, decision is not None,
                         steps["decision"].at if decision is not None else None,
                         steps["decision"].who if decision is not None else None, summary, why is None, why))

    # published
    planned = zh_date(pub.publish_date) if pub.publish_date else (call.schedule.publicity or "")
    why = None if decision is not None else "尚未印发表彰决定"
    summary = (f"自{zh_date(dt.date.fromisoformat(published['from']))}起在线分享获奖案例"
               if published is not None else "")
    out.append(StepState("published", STEP_NAMES["published"], planned, published is not None,
                         steps["published"].at if published is not None else None,
                         steps["published"].who if published is not None else None, summary, why is None, why))
    return RoundState(today, tuple(out), rows, publicity, decision, published)


def _require(s: RoundState, key: str) -> None:
    step = s.step(key)
    if not step.allowed:
        raise NotAllowed(f"现在不能{step.name}：{step.why_not}", f"{key} is not allowed now: {step.why_not}")


# --- the steps ---------------------------------------------------------------------------------------------------

def compute_results(reg: Registry, call: Call, output: Path, who: str, today: dt.date) -> ResultsSummary:
    """The results exactly as `award review results` computes them (pipeline.review.make_results: stored, and the
    results workbook written to `output`), audited as review.results; refused once the 公示 has begun. A 公示
    recorded but not yet begun takes the new list of proposed winners."""
    from pipeline.review import load_results, make_results

    s = state(reg, call, today)
    _require(s, "results")
    done = make_results(reg, call, output)
    rows = load_results(reg, call)
    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    reg.audit(who, "review.results", f"参评{done.scored}项：{_counts(rows)}；结果表 {output.name}", digest)
    if s.publicity is not None:
        p = s.publicity
        fresh = PublicityPeriod(p.start, p.end, p.number, proposed_winners(rows))
        reg.run_step(call.id, "publicity", fresh.detail(), who,
                     f"评审结果重新计算，公示名单随之更新：拟奖项目{len(fresh.winners)}项")
    return done


def publicity_number(call: Call, given: str | None = None) -> str:
    """The 公示 notice's 发文字号: the one given, else call.yaml publication.publicity_number; NotAllowed when there is
    none or it breaks GB/T 9704 (the checker's own rule)."""
    from pipeline.gbt9704 import doc_number_message

    number = (given or "").strip() or call.publication.publicity_number
    if not number:
        raise NotAllowed("请给出公示的文号（或在 call.yaml publication.publicity_number 中设置）",
                         "give the 公示's document number (or publication.publicity_number)")
    bad = doc_number_message(number)
    if bad is not None:
        raise NotAllowed(*bad)
    return str(number)


def period_of(call: Call, start: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The 公示's first and last day: from `start`, else publication.publicity_start, else today; for
    publication.publicity_days days."""
    first = start or call.publication.publicity_start or today
    return first, first + dt.timedelta(days=call.publication.publicity_days - 1)


def start_publicity(reg: Registry, call: Call, who: str, today: dt.date, start: dt.date | None = None,
                    number: str | None = None) -> PublicityPeriod:
    """Record the 公示 of the stored results' awarded projects: its period (from `start`, else
    publication.publicity_start) and its notice's number (else publication.publicity_number). May be recorded
    again (another date or number) until it has begun."""
    s = state(reg, call, today)
    _require(s, "publicity")
    first, last = period_of(call, start, today)
    period = PublicityPeriod(first, last, publicity_number(call, number), proposed_winners(list(s.results)))
    reg.run_step(call.id, "publicity", period.detail(), who,
                 f"{period.number}：公示 {zh_date(first)}至{zh_date(last)}，拟奖项目{len(period.winners)}项")
    return period


def publicity_document(reg: Registry, call: Call, today: dt.date, start: dt.date | None = None,
                       number: str | None = None) -> Publicity:
    """The 公示 notice: of the 公示 recorded (its period, number and list), else of the stored results with the
    call's defaults; `start` and `number` override either."""
    from pipeline.render.documents import publicity_from_winners

    s = state(reg, call, today)
    recorded = s.publicity
    if recorded is not None:
        first, last = (recorded.start, recorded.end) if start is None else period_of(call, start, today)
        winners = recorded.winners
        number = number or recorded.number
    else:
        first, last = period_of(call, start, today)
        winners = proposed_winners(list(s.results))
    if not winners:
        raise NotAllowed("登记库中没有拟奖项目，请先完成评审（award review results）",
                         "the registry holds no proposed winners; finish the review first (award review results)")
    return publicity_from_winners([w.winner() for w in winners], call, publicity_number(call, number), first, last)


def write_publicity_notice(reg: Registry, call: Call, output: Path, today: dt.date, start: dt.date | None = None,
                           number: str | None = None) -> Publicity:
    """Write the 公示 notice (GB/T 9704 .docx) to `output` (see publicity_document)."""
    from pipeline.render.documents import render_publicity

    notice = publicity_document(reg, call, today, start, number)
    render_publicity(notice, output, call)
    return notice


@dataclass(frozen=True)
class DecisionIssued:
    """The decision and the certificates written into the issued folder, as recorded."""

    folder: Path
    decision: Path
    number: str
    date: dt.date
    award_date: dt.date
    certificates: int
    certificate_numbers: tuple[str, ...]
    sample_seal: bool


def issue_decision(reg: Registry, call: Call, out_dir: Path, who: str, today: dt.date, seal: Path | None = None,
                   sample_seal: bool = False, number: str | None = None, date: dt.date | None = None,
                   award_date: dt.date | None = None) -> DecisionIssued:
    """After the 公示 has ended: the 表彰决定 (number default documents.decision_number, date default
    documents.decision_date, else today) and every certificate (the seal staff give, or the sample seal 样章 for
    trying out; award date default documents.award_date, else today) written as .docx into out_dir (the decision as
    表彰决定.docx, the certificates under 证书/), recorded with the documents' numbers. The seal is an input: nothing
    is written over it."""
    from pipeline.fileio import inputs_protected, output_dir
    from pipeline.gbt9704 import doc_number_message
    from pipeline.issuing import assign_certificate_numbers, write_certificates_from_registry, write_decision
    from pipeline.render.certificates import sample_seal as bundled_seal

    _require(state(reg, call, today), "decision")
    if (seal is None) == (not sample_seal):
        raise NotAllowed("请上传本单位的印章图片（.png/.jpg），或选择示例印章“样章”试印（二者选一）",
                         "give the seal picture, or choose the sample seal 样章 (one of the two)")
    number = (number or "").strip() or call.documents.decision_number
    if not number:
        raise NotAllowed("请给出表彰决定的文号（或在 call.yaml documents.decision_number 中设置）",
                         "give the decision's document number (or documents.decision_number)")
    bad = doc_number_message(number)
    if bad is not None:
        raise NotAllowed(*bad)
    day = date or call.documents.decision_date or today
    awarded = award_date or call.documents.award_date or today
    picture = seal if seal is not None else bundled_seal()
    with inputs_protected([picture]):
        output_dir(out_dir)
        decision = out_dir / DECISION_FILE
        made = write_decision(reg, call, decision, day, number)
        certs = write_certificates_from_registry(reg, call, out_dir / CERTIFICATES_DIR, awarded, picture, pdf=False)
    numbers = tuple(c.number for c in assign_certificate_numbers(reg, call))  # kept: the ones just printed
    detail = {"number": number, "date": day.isoformat(), "award_date": awarded.isoformat(),
              "winners": made.counts["winners"], "certificates": certs.counts["certificates"],
              "certificate_numbers": list(numbers), "sample_seal": sample_seal,
              "seal_sha256": hashlib.sha256(picture.read_bytes()).hexdigest(), "folder": out_dir.name}
    reg.run_step(call.id, "decision", detail, who,
                 f"{number}，获奖项目{made.counts['winners']}项，证书{certs.counts['certificates']}张"
                 + ("（示例印章“样章”，仅供试印）" if sample_seal else ""))
    return DecisionIssued(out_dir, decision, number, day, awarded, certs.counts["certificates"], numbers,
                          sample_seal)


def issued_archive(out_dir: Path) -> bytes:
    """The issued folder (the decision and the certificates with their manifest) as a .zip."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(p for p in out_dir.rglob("*") if p.is_file() and not p.name.startswith(".")):
            z.write(path, path.relative_to(out_dir).as_posix())
    return buf.getvalue()


def publish(reg: Registry, call: Call, who: str, today: dt.date, start: dt.date | None = None) -> dt.date:
    """After the decision: record that the winners' cases are shared online from `start` (else
    publication.publish_date, else today). Record only: the case pages read this step."""
    _require(state(reg, call, today), "published")
    day = start or call.publication.publish_date or today
    reg.run_step(call.id, "published", {"from": day.isoformat()}, who, f"自{zh_date(day)}起在线分享获奖案例")
    return day
