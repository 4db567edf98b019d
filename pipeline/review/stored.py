"""The review's records in the registry, as review types: applications as the review sees them, the judges and
assignments, the scores, the results. Every statement is a named method of pipeline.registry."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pipeline.calls import Call, Roles, load_call
from pipeline.registry import Registered, Registry, StoredResult, StoredScore
from pipeline.resources import DEFAULT_CALL
from pipeline.review.assignment import AppInfo
from pipeline.review.judges import Judge, normalise_unit
from pipeline.review.results import Outcome, Score


def _roles(call: Call | str | None) -> Roles:
    """The roles of a call, of a call named by id (a folder under schemas/), or of the default call."""
    if isinstance(call, Call):
        return call.roles
    return load_call(call or DEFAULT_CALL).roles


def app_info(a: Registered, roles: Roles | None = None) -> AppInfo:
    """The review view of a registry row (roles: the call's; by default those of the call its report names)."""
    if roles is None:
        roles = _roles((a.report or {}).get("call"))
    f = a.fields
    units: list[tuple[str, str | None]] = []
    for u in f.get(roles.units) or []:
        if isinstance(u, dict) and str(u.get(roles.unit_name) or "").strip():
            units.append((str(u[roles.unit_name]).strip(), str(u.get(roles.unit_code) or "").strip().upper() or None))
    applicant = str(f.get(roles.applicant_name) or a.applicant or "").strip()
    if applicant and not any(normalise_unit(n) == normalise_unit(applicant) for n, _ in units):
        units.insert(0, (applicant, str(f.get(roles.applicant_code) or a.credit_code or "").upper() or None))
    persons = tuple(str(p.get(roles.person_name) or "").strip() for p in f.get(roles.persons) or []
                    if isinstance(p, dict))
    return AppInfo(reg_no=a.reg_no, seq=a.seq, project=str(f.get(roles.project_name) or a.project or ""),
                   applicant=applicant, category=str(f.get(roles.project_category) or a.category or ""),
                   units=tuple(units), persons=tuple(p for p in persons if p), fields=f)


def review_apps(reg: Registry, call: Call) -> list[AppInfo]:
    """The applications that passed the checks, in registration order."""
    return [app_info(a, call.roles) for a in reg.applications(call.id, status="pass")]


def stored_judges(reg: Registry, call_id: str) -> dict[str, Judge]:
    """The judges of the current assignment, by id."""
    return {row[0]: Judge(*row) for row in reg.judges(call_id)}


def stored_assignments(reg: Registry, call_id: str) -> dict[str, list[str]]:
    """Registration numbers per judge id, in registration order."""
    return reg.assignments(call_id)


def score_of(s: StoredScore) -> Score:
    """A stored scoring form as an exact Score."""
    return Score(s.reg_no, s.judge_id, {k: Fraction(v) for k, v in s.criteria.items()}, s.veto, s.comment)


def stored_form(s: Score) -> StoredScore:
    """A Score as the registry keeps it."""
    return StoredScore(s.reg_no, s.judge_id, {k: float(v) for k, v in s.criteria.items()}, float(s.total), s.veto,
                       s.comment)


def stored_scores(reg: Registry, call_id: str) -> list[Score]:
    """Every valid scoring form in the registry."""
    return [score_of(s) for s in reg.scores(call_id)]


def _float(x: Fraction | None) -> float | None:
    return None if x is None else float(x)


def stored_result(o: Outcome) -> StoredResult:
    """An Outcome as the registry keeps it."""
    return StoredResult(reg_no=o.reg_no, rank=o.rank, serial=o.serial, level=o.level, level_name=o.level_name,
                        hold=o.hold, vetoed_by=o.vetoed_by, forms=o.forms, final=_float(o.final),
                        plain_mean=_float(o.plain_mean), z_mean=o.z_mean, z_rank=o.z_rank, rank_shift=o.shift,
                        averages={k: _float(v) for k, v in o.averages.items()}, counted=o.counted)


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


def load_results(reg: Registry, call: Call | str) -> list[ResultRow]:
    """The stored results of a call (or of the call with this id) in ranking order (unscored applications last)."""
    call_id = call.id if isinstance(call, Call) else call
    roles = _roles(call)
    rows = reg.results(call_id)
    apps = {a.reg_no: app_info(a, roles) for a in reg.applications_by_numbers([r.reg_no for r in rows])}
    out = []
    for r in rows:
        a = apps[r.reg_no]
        out.append(ResultRow(reg_no=r.reg_no, rank=r.rank, serial=r.serial, project=a.project, applicant=a.applicant,
                             category=a.category, final=r.final, level=r.level, level_name=r.level_name, hold=r.hold,
                             units=tuple(n for n, _ in a.units), persons=a.persons))
    return out
