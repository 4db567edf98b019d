"""The review steps staff run against the registry: assign the judges (`award review assign`), write the
workbooks and printable forms (`forms`), compute and store the results (`results`); the import is importing.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.calls import Call
from pipeline.fileio import output_dir
from pipeline.progress import Progress
from pipeline.registry import Registry
from pipeline.render.review_layout import PAPER_DIR, WORKBOOK_DIR, scoring_form_filename, workbook_filename
from pipeline.review.assignment import assign, category_match
from pipeline.review.errors import ReviewError
from pipeline.review.judges import Judge, read_judges
from pipeline.review.results import Outcome, Quota, compute_results, judge_z_scores, quotas, rank_warnings
from pipeline.review.stored import review_apps, stored_assignments, stored_judges, stored_result, stored_scores


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


def assign_judges(reg: Registry, call: Call, judges_csv: Path | Sequence[Judge], per_app: int | None = None,
                  seed: int = 0) -> AssignSummary:
    """Read the judges (or take those already read), assign them to every passed application and store both
    (refused once scores exist)."""
    k = per_app if per_app is not None else call.review.judges_per_app
    judges = read_judges(judges_csv, call) if isinstance(judges_csv, Path) else list(judges_csv)
    apps = review_apps(reg, call)
    if not apps:
        raise ReviewError("登记库中没有通过形式审查的申报项目，无法分配专家",
                          "no application in the registry passed the checks; nothing to assign")
    plan = assign(apps, judges, k, seed)
    by_app = {a.reg_no: a for a in apps}
    by_id = {j.id: j for j in judges}
    scored = reg.replace_assignments(
        call.id, [(j.id, j.name, j.unit, j.credit_code, j.fields) for j in judges],
        [(r, jid, n, category_match(by_id[jid], by_app[r])) for r, jids in plan.items()
         for n, jid in enumerate(jids, start=1)], seed)
    if scored:
        raise ReviewError(f"登记库中已有 {scored} 份评分，不能重新分配专家（否则评分将与分配不符）",
                          f"the registry already holds {scored} scores; judges cannot be reassigned")
    loads = Counter(jid for jids in plan.values() for jid in jids)
    every = [loads.get(j.id, 0) for j in judges]
    matched = sum(1 for r, jids in plan.items() for jid in jids if category_match(by_id[jid], by_app[r]))
    return AssignSummary(len(apps), len(judges), k, min(every), max(every), matched, seed)


@dataclass
class FormsSummary:
    """What `forms` wrote."""

    workbooks: list[Path] = field(default_factory=list)
    docx: list[Path] = field(default_factory=list)
    pdf: list[Path] = field(default_factory=list)
    pdf_skipped: str | None = None  # why PDFs were not made (zh, en joined by " / ")


def write_forms(reg: Registry, call: Call, out_dir: Path, pdf: bool | None = None,
                progress: Progress | None = None) -> FormsSummary:
    """Each judge's workbook and a printable scoring form per application (.docx; PDF when LibreOffice is there).

    pdf: None = make PDFs when LibreOffice is installed, else skip and say so; True = required; False = no PDFs.
    """
    from pipeline.progress import silent
    from pipeline.render.review_docs import write_judge_workbook, write_scoring_form

    shown = silent(progress)

    rb = call.review
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
        rows = [apps[r] for r in numbers if r in apps]
        out.workbooks.append(write_judge_workbook(out_dir / WORKBOOK_DIR / workbook_filename(jid, j.name), call, rb,
                                                  j, rows))
        shown.advance()
    for r in assigned:
        out.docx.append(write_scoring_form(out_dir / PAPER_DIR / scoring_form_filename(r), call, rb, apps[r]))
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

    rb = call.review
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
    reg.replace_results(call.id, [stored_result(o) for o in outcomes])
    judges = stored_judges(reg, call.id)
    write_results_workbook(output, call, rb, {a.reg_no: a for a in apps}, outcomes, scores, judges, limits,
                           judge_z_scores(scores))
    awarded = Counter(o.level_name for o in outcomes if o.level_name)
    return ResultsSummary(output, outcomes, limits, scored, sum(1 for o in outcomes if o.hold),
                          {q.name: awarded.get(q.name, 0) for q in limits}, rank_warnings(rb, outcomes))
