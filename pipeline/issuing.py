"""The documents the association issues from the registry: a letter per application, the award decision, and the
certificates, whose numbers are kept in the registry so that a re-run never changes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.calls import Call
from pipeline.errors import PipelineError
from pipeline.fileio import output_dir
from pipeline.progress import Progress
from pipeline.registry import Registry

if TYPE_CHECKING:
    from pipeline.render.certificates import Certificate
    from pipeline.render.documents import Winner


class NothingToIssue(PipelineError):
    """The registry holds nothing the document could be made of (no checked applications, no results)."""


@dataclass(frozen=True)
class Issued:
    """What an issuing step wrote; `skipped`: (registration number, why in Chinese, why in English) of the rows
    that got nothing."""

    paths: tuple[Path, ...]
    counts: dict[str, int]
    skipped: tuple[tuple[str, str, str], ...] = ()


LETTER_KINDS = {"acceptance": "受理通知", "return": "退回补正通知"}


def letter_prefix(call: Call) -> str:
    """The 发文字号 prefix of letters: call.yaml documents.letter_prefix, else the issuer code and 函."""
    if call.documents.letter_prefix:
        return call.documents.letter_prefix
    code = call.organiser.code or call.organiser.short
    return f"{code}函"


def letter_number(registry: Registry, call: Call, reg_no: str, kind: str, date: dt.date) -> str:
    """The number of this application's letter of this kind, from the registry's own letter counter (per call and
    prefix): given once, the same on every re-run (沪质协审函〔2021〕7号)."""
    if kind not in LETTER_KINDS:
        raise ValueError(kind)
    return registry.letter_number(call.id, reg_no, kind, letter_prefix(call), date.year)


_UNREAD_CODES = ("file.", "form.unrecognized")


def no_letter_reason(report: dict[str, Any], call: Call) -> tuple[str, str] | None:
    """Why a checked file gets no letter (zh, en), or None: a file that was not read as the form (unreadable,
    not a form), or a form with neither the project nor the applicant filled in (nobody to write to)."""
    findings = report.get("findings") or []
    fields = report.get("fields") or {}
    if not fields or any(f["code"].startswith(_UNREAD_CODES) and f["severity"] == "error" for f in findings):
        return "文件未能作为申报书读取，不出具通知", "the file was not read as the form; no letter"
    named = (str(fields.get(name) or "").strip() for name in (call.roles.project_name, call.roles.applicant_name))
    if not any(named):
        return ("申报书未填写项目名称和申报单位（空白申报书），无法出具通知",
                "the form names neither the project nor the applicant (a blank form); no letter")
    return None


def write_letters(registry: Registry, call: Call, out_dir: Path, date: dt.date, pdf: bool = False,
                  progress: Progress | None = None) -> Issued:
    """An acceptance or a return letter for every checked application in the registry (the latest batch); none
    for a file that was not read as the form (Issued.skipped says which and why); with pdf, each letter's PDF
    beside it (one LibreOffice start for all)."""
    from pipeline.model import Report
    from pipeline.progress import silent
    from pipeline.render.documents import letter_from_report, render_letter

    apps = [a for a in registry.applications(call.id) if a.report is not None]
    if not apps:
        raise NothingToIssue("登记库中没有已检查的申报书，请先运行 award batch",
                             "the registry holds no checked application; run award batch first")
    paths = []
    skipped = []
    counts = {"accepted": 0, "returned": 0, "skipped": 0}
    output_dir(out_dir)
    shown = silent(progress)
    shown.phase("写出通知书", "writing the letters", len(apps))
    for a in apps:
        assert a.report is not None
        why = no_letter_reason(a.report, call)
        if why is not None:
            skipped.append((a.reg_no, *why))
            counts["skipped"] += 1
            continue
        report = Report.from_dict(a.report)
        kind = "return" if report.status == "fail" else "acceptance"
        letter = letter_from_report(report, letter_number(registry, call, a.reg_no, kind, date), date, call)
        counts["accepted" if letter.accepted else "returned"] += 1
        paths.append(render_letter(letter, out_dir / f"{a.reg_no}-{LETTER_KINDS[kind]}.docx", call))
        shown.advance()
    if pdf:
        from pipeline.office import convert_parallel

        shown.phase("转换 PDF", "converting to PDF")
        made = convert_parallel(paths, out_dir)
        counts["pdf"] = len(made)
        paths += made
    return Issued(tuple(paths), counts, tuple(skipped))


def _results(registry: Registry, call: Call) -> list[tuple[str, Winner]]:
    """(registration number, winner) of every awarded project not on hold, in the order of the final ranking."""
    from pipeline.render.documents import Winner
    from pipeline.review import load_results

    rows = [(r.reg_no, Winner(level=r.level, level_name=r.level_name or "", serial=r.serial, project=r.project,
                              units=tuple(r.units), persons=tuple(r.persons)))
            for r in load_results(registry, call)
            if r.level is not None and r.serial is not None and not r.hold]
    if not rows:
        raise NothingToIssue("登记库中没有获奖结果，请先完成评审（award review results）",
                             "the registry holds no awards; finish the review first (award review results)")
    return sorted(rows, key=lambda x: (x[1].serial, x[0]))


def write_decision(registry: Registry, call: Call, out: Path, date: dt.date, number: str) -> Issued:
    """The award decision, its attachment the winners table grouped by level."""
    from pipeline.render.documents import decision_from_winners, render_decision

    winners = [w for _, w in _results(registry, call)]
    decision = decision_from_winners(winners, call, number, date)
    return Issued((render_decision(decision, out, call),), {"winners": len(winners)})


# -- certificates ---------------------------------------------------------------------------------------------

def assign_certificate_numbers(registry: Registry, call: Call) -> list[Certificate]:
    """The certificates of every awarded project, numbered as §5 says; a number once given is kept for good."""
    from pipeline.render.certificates import certificates_for

    wanted = []
    for reg_no, w in _results(registry, call):
        wanted += certificates_for(call, w.project, w.level, w.serial, w.units, w.persons, registration=reg_no)
    numbers = registry.certificate_numbers(call.id, [(cert.number, cert.registration, cert.kind, cert.rank, cert.name)
                                                     for cert in wanted])
    return [replace(cert, number=number) for cert, number in zip(wanted, numbers, strict=True)]


def write_certificates_from_registry(registry: Registry, call: Call, out_dir: Path, award_date: dt.date,
                                     seal: Path | None, pdf: bool = True, jobs: int | None = None,
                                     lang: str = "zh") -> Issued:
    """Every certificate of the round: .docx (+ PDF), the merged print PDF and the manifest."""
    from pipeline.render.certificates import write_certificates

    certs: Sequence[Certificate] = assign_certificate_numbers(registry, call)
    run = write_certificates(certs, out_dir, call, award_date, seal=seal, pdf=pdf, jobs=jobs, lang=lang)
    paths = [*run.docx, *run.pdf, run.manifest] + ([run.merged_pdf] if run.merged_pdf else [])
    units = sum(1 for c in run.certificates if c.kind == "unit")
    return Issued(tuple(paths), {"certificates": len(run.certificates), "units": units,
                                 "persons": len(run.certificates) - units, "pdf": len(run.pdf)})
