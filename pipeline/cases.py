"""The winners' cases (在线分享, the 成果汇编) in one place: what a case is, and who may see it.

A case is an awarded project (a stored result with a level) with what its application says — project, units,
persons, summary, innovation, methods and the benefits table — read through call.yaml `roles:` (never a field id
here). The public see a case only once staff recorded the decision and the publication (Registry.run_step:
'decision', 'published'), only when its unit agreed to publication on its submission page (an e-mailed
application has no consent: never public) and only while staff have not withdrawn it. Staff proofs see every
case. A unit sees its own result and the judges' comments after the decision when call.yaml allows (feedback),
never who wrote them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.calls import Call
from pipeline.errors import PipelineError
from pipeline.registry import Registered, Registry

DECISION, PUBLISHED = "decision", "published"
NOT_AWARDED = "未获奖"
CASEBOOK_TITLE = "优秀成果案例汇编"


class CaseError(PipelineError):
    """A change to a case that cannot be made (not an awarded project, no reason, consent after publication)."""


@dataclass(frozen=True)
class Person:
    """One of the main persons as a case shows them (no birth date, no contact)."""

    name: str
    unit: str
    title: str


@dataclass(frozen=True)
class Benefits:
    """The benefits table: its number columns (labels without the unit), the unit they share, one row per year and
    the total row (summed here, as the checks made sure the form's own total is)."""

    heading: str
    columns: tuple[str, ...]
    unit: str
    rows: tuple[tuple[str, tuple[float | None, ...]], ...]
    total_label: str
    totals: tuple[float, ...]

    def chart(self) -> Any:
        """The table as a bar chart (pipeline.render.charts.BarChart): a group per year, a bar per column."""
        from pipeline.render.charts import BarChart

        series = tuple((label, tuple(values[i] for _, values in self.rows)) for i, label in enumerate(self.columns))
        return BarChart(self.heading, tuple(year for year, _ in self.rows), series, self.unit)


@dataclass(frozen=True)
class Case:
    """An awarded project as published: its level, what its application says, and (for staff) whether its unit
    consented (None: e-mailed, no consent asked) and why staff withdrew it (None: not withdrawn)."""

    reg_no: str
    level: int
    level_name: str
    serial: int | None
    project: str
    category: str
    industry: str
    units: tuple[str, ...]
    persons: tuple[Person, ...]
    summary: str
    innovation: str
    methods: str
    benefits: Benefits | None
    consent: bool | None
    withdrawn: str | None
    headings: dict[str, str]  # summary, innovation, methods: the form's own section headings

    @property
    def public(self) -> bool:
        """Consent given and not withdrawn (whether the cases are published yet is the call's state, not the case's)."""
        return bool(self.consent) and self.withdrawn is None


def _text(value: Any) -> str:
    return str(value or "").strip()


def _number(value: Any) -> float | None:
    from pipeline.text import nfkc

    text = nfkc(str(value or "")).replace(",", "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


_UNIT = re.compile(r"^(.*?)[（(]([^（()）]+)[）)]\s*$")


def _section_of(call: Call, field: str | None) -> Any:
    return next((s for s in call.sections if field and s.field == field), None)


def benefits_of(call: Call, fields: dict[str, Any]) -> Benefits | None:
    """The application's benefits table as call.yaml names it (roles.benefits, roles.benefit_year; the table's
    number columns are the series), None when the call has no such role or the table is empty."""
    roles = call.roles
    section = _section_of(call, roles.benefits)
    if section is None or roles.benefit_year is None:
        return None
    numeric = [c for c in section.columns if c.type == "number"]
    labels, units = [], set()
    for c in numeric:
        m = _UNIT.match(c.label)
        labels.append(m.group(1).strip() if m else c.label)
        units.add(m.group(2).strip() if m else "")
    unit = units.pop() if len(units) == 1 else ""
    if not unit:
        labels = [c.label for c in numeric]
    rows = []
    for row in fields.get(section.field) or []:
        if not isinstance(row, dict):
            continue
        year = _text(row.get(roles.benefit_year))
        values = tuple(_number(row.get(c.id)) for c in numeric)
        if year and any(v is not None for v in values):
            rows.append((year if year.endswith("年") else f"{year}年", values))
    if not rows:
        return None
    totals = tuple(round(sum(v or 0.0 for _, vs in rows for v in [vs[i]]), 2) for i in range(len(numeric)))
    return Benefits(section.heading, tuple(labels), unit, tuple(rows), section.total_label or "合计", totals)


def _case(call: Call, app: Registered, level: int, level_name: str, serial: int | None, consent: bool | None,
          withdrawn: str | None) -> Case:
    from pipeline.review.stored import app_info

    roles = call.roles
    info = app_info(app, roles)
    f = app.fields
    persons = tuple(Person(_text(p.get(roles.person_name)), _text(p.get(roles.person_unit)),
                           _text(p.get(roles.person_title)) if roles.person_title else "")
                    for p in f.get(roles.persons) or [] if isinstance(p, dict) and _text(p.get(roles.person_name)))
    headings = {}
    for key in ("summary", "innovation", "methods"):
        section = _section_of(call, getattr(roles, key))
        headings[key] = section.heading if section is not None else ""
    return Case(reg_no=app.reg_no, level=level, level_name=level_name, serial=serial, project=info.project,
                category=info.category, industry=_text(f.get(roles.project_industry)),
                units=tuple(n for n, _ in info.units), persons=persons, summary=_text(f.get(roles.summary)),
                innovation=_text(f.get(roles.innovation)) if roles.innovation else "",
                methods=_text(f.get(roles.methods)) if roles.methods else "", benefits=benefits_of(call, f),
                consent=consent, withdrawn=withdrawn, headings=headings)


def all_cases(reg: Registry, call: Call) -> list[Case]:
    """Every awarded project (a stored result with a level, not on hold), by level then serial: staff proofs."""
    results = [r for r in reg.results(call.id) if r.level is not None and not r.hold]
    apps = {a.reg_no: a for a in reg.applications_by_numbers([r.reg_no for r in results])}
    consents, withdrawn = reg.consents(call.id), reg.withdrawn(call.id)
    cases = [_case(call, apps[r.reg_no], int(r.level or 0), r.level_name or "", r.serial, consents.get(r.reg_no),
                   withdrawn.get(r.reg_no)) for r in results if r.reg_no in apps]
    return sorted(cases, key=lambda c: (c.level, c.serial if c.serial is not None else 10**9, c.reg_no))


def decided(reg: Registry, call: Call) -> bool:
    """Staff recorded the decision (表彰决定 issued)."""
    return DECISION in reg.publication_steps(call.id)


def published(reg: Registry, call: Call) -> bool:
    """The cases are open to the public: the decision and the publication both recorded."""
    steps = reg.publication_steps(call.id)
    return DECISION in steps and PUBLISHED in steps


def public_cases(reg: Registry, call: Call) -> list[Case]:
    """The cases the public may see: none before publication; then those consented to and not withdrawn."""
    if not published(reg, call):
        return []
    return [c for c in all_cases(reg, call) if c.public]


def public_case(reg: Registry, call: Call, reg_no: str) -> Case | None:
    """One public case; None for any number that is not (not awarded, no consent, withdrawn, not yet published)."""
    return next((c for c in public_cases(reg, call) if c.reg_no == reg_no), None)


def by_level(cases: Sequence[Case]) -> list[tuple[str, list[Case]]]:
    """The cases grouped by level (一等奖 first), each group in serial order."""
    groups: dict[int, tuple[str, list[Case]]] = {}
    for c in sorted(cases, key=lambda c: (c.level, c.serial if c.serial is not None else 10**9, c.reg_no)):
        groups.setdefault(c.level, (c.level_name, []))[1].append(c)
    return [groups[k] for k in sorted(groups)]


def publish_date_text(call: Call) -> str | None:
    """call.yaml publication.publish_date as a Chinese reader writes it (2021年10月8日), None when not set."""
    d = call.publication.publish_date
    return f"{d.year}年{d.month}月{d.day}日" if d else None


# -- staff: withdrawing a case page, putting it back -----------------------------------------------------------------

def _awarded(reg: Registry, call: Call, reg_no: str) -> None:
    if not any(c.reg_no == reg_no for c in all_cases(reg, call)):
        raise CaseError(f"{reg_no} 不是获奖项目", f"{reg_no} is not an awarded project")


def withdraw(reg: Registry, call: Call, reg_no: str, reason: str, who: str) -> None:
    """Staff withdraw an awarded project's case page (and its place in the public 成果汇编), with a reason."""
    reason = reason.strip()
    if not reason:
        raise CaseError("请填写撤下原因", "give the reason for withdrawing the case")
    if len(reason) > 200:
        raise CaseError("撤下原因不超过200字", "the reason is at most 200 characters")
    _awarded(reg, call, reg_no)
    reg.withdraw_case(call.id, reg_no, reason, who)


def restore(reg: Registry, call: Call, reg_no: str, who: str) -> None:
    """Staff put a withdrawn case page back."""
    _awarded(reg, call, reg_no)
    if reg_no not in reg.withdrawn(call.id):
        raise CaseError(f"{reg_no} 的案例页面未被撤下", f"the case page of {reg_no} is not withdrawn")
    reg.withdraw_case(call.id, reg_no, None, who)


# -- the unit: consent to publication ------------------------------------------------------------------------------

def consent_open(reg: Registry, call: Call) -> bool:
    """A unit may give or take back its consent: the call asks for one, and the cases are not published yet."""
    return call.publication.consent is not None and PUBLISHED not in reg.publication_steps(call.id)


def change_consent(reg: Registry, call: Call, user_id: int, reg_no: str, consent: bool, who: str) -> None:
    """A unit gives or takes back its consent for one of its own applications, until publication."""
    if reg_no not in {s.reg_no for s in reg.submissions(call.id, user_id)}:
        raise CaseError(f"没有登记号为 {reg_no} 的申报书", f"no application {reg_no}")
    if call.publication.consent is None:
        raise CaseError("本次申报不征求公开发布意见", "this call asks for no consent to publication")
    if not consent_open(reg, call):
        raise CaseError("获奖案例已发布，不能再修改公开发布意见，如需撤下请联系协会",
                        "the cases are published: the consent can no longer be changed; ask the association")
    reg.set_consent(reg_no, consent, who)


# -- the unit: its result and the judges' comments (feedback) -----------------------------------------------------

@dataclass(frozen=True)
class Feedback:
    """What a unit reads after the decision: its level (or 未获奖) and the judges' comments, in an order that says
    nothing of who wrote which (sorted by text), without any judge's name or id."""

    result: str
    awarded: bool
    comments: tuple[str, ...]


def feedback(reg: Registry, call: Call, reg_no: str) -> Feedback | None:
    """The application's result and comments; None before the decision or when call.yaml gives no feedback."""
    if not call.publication.feedback or not decided(reg, call):
        return None
    result = next((r for r in reg.results(call.id) if r.reg_no == reg_no), None)
    awarded = result is not None and result.level is not None and not result.hold
    name = (result.level_name or NOT_AWARDED) if result is not None and awarded else NOT_AWARDED
    comments = sorted(s.comment.strip() for s in reg.scores(call.id) if s.reg_no == reg_no and s.comment.strip())
    return Feedback(name, awarded, tuple(comments))
