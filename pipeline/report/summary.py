"""A batch's outputs: summary.xlsx, summary.csv, summary.html, reports/<reg-no>.json and annotated copies.

Every file is written atomically. A re-run rewrites only what changed: a report whose JSON is the same is left
alone, and an annotated copy is remade only when its file or its findings changed (.award-batch.json keeps a
digest per copy), so a warm re-run of a large round costs little more than the summaries.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.calls import Call
from pipeline.check.codes import field_label, place, severity_word
from pipeline.fileio import atomic_write, output_dir, write_bytes, write_text
from pipeline.ingest.sources import Source, read_source
from pipeline.model import Report
from pipeline.report.rows import DryRunLine, Row

STATE = ".award-batch.json"

_HEAD = {
    "zh": ["登记号", "文件", "申报单位", "项目名称", "类别", "结论", "错误", "警告", "主要问题"],
    "en": ["Registration", "File", "Applicant", "Project", "Category", "Result", "Errors", "Warnings",
           "Main problems"],
}
_FINDING_HEAD = {
    "zh": ["登记号", "文件", "级别", "代码", "栏目", "问题说明", "位置"],
    "en": ["Registration", "File", "Severity", "Code", "Field", "Problem", "Location"],
}
_SHEETS = {"zh": ("申报汇总", "问题明细"), "en": ("Applications", "Findings")}
_RESULT = {
    "zh": {"pass": "通过", "warn": "通过（有警告）", "fail": "退回补正", "not_form": "非申报材料",
           "unreadable": "无法读取", "resend": "无法读取，请退回发件人重新提交"},
    "en": {"pass": "pass", "warn": "pass (warnings)", "fail": "return for correction",
           "not_form": "not an application", "unreadable": "unreadable",
           "resend": "unreadable: return to the sender to submit again"},
}
_FIRST = 3  # how many messages the summary row quotes
_NOT_A_FORM = ("form.unrecognized", "file.unsupported_type")
# A name that says the file is meant as an application: when such a file cannot be read, its sender must be asked.
_APPLICATION_NAME = re.compile(r"申报|申请|application", re.IGNORECASE)


def result_key(report: Report) -> str:
    """pass, warn, fail, not_form (an attachment, a picture: not this call's form) or unreadable."""
    if report.status == "pass":
        return "warn" if report.count("warning") else "pass"
    if any(f.code in _NOT_A_FORM for f in report.findings):
        return "not_form"
    if any(f.code.startswith("file.") and f.severity == "error" for f in report.findings):
        return "unreadable"
    return "fail"


def row_result(row: Row) -> str:
    """The summary's 结论 key of a row: an unreadable file whose name says it is an application is to be sent
    back (it has no number: the copy its sender sends again gets one)."""
    key = result_key(row.report)
    if key == "unreadable" and row.reg_no is None and _APPLICATION_NAME.search(row.source.path.rsplit("/", 1)[-1]):
        return "resend"
    return key


def summary_rows(rows: Sequence[Row], call: Call, lang: str = "zh",
                 notes: dict[str, list[tuple[str, str]]] | None = None) -> list[list[Any]]:
    """One list of cells per input file, in the column order of the summary; notes: what could not be made for
    a registration number (its annotated copy, its letter), quoted after its problems."""
    out = []
    for r in rows:
        rep = r.report
        errors = [f for f in rep.findings if f.severity == "error"]
        first = errors or [f for f in rep.findings if f.severity == "warning"]
        messages = [(f.message_en if lang == "en" else f.message) for f in first[:_FIRST]]
        if len(first) > _FIRST:
            messages.append(f"…（另 {len(first) - _FIRST} 项）" if lang == "zh" else f"… ({len(first) - _FIRST} more)")
        if r.reg_no and notes and r.reg_no in notes:
            messages += [en if lang == "en" else zh for zh, en in notes[r.reg_no]]
        roles = call.roles
        out.append([r.reg_no or "—", r.source.path, rep.fields.get(roles.applicant_name) or "",
                    rep.fields.get(roles.project_name) or "", rep.fields.get(roles.project_category) or "",
                    _RESULT[lang][row_result(r)], rep.count("error"), rep.count("warning"),
                    ("；" if lang == "zh" else "; ").join(messages)])
    return out


def finding_rows(rows: Sequence[Row], call: Call, lang: str = "zh") -> list[list[Any]]:
    """One list of cells per finding of every file."""
    out = []
    for r in rows:
        for f in r.report.findings:
            out.append([r.reg_no or "—", r.source.path, severity_word(f.severity, lang), f.code,
                        field_label(f.field, call, lang) if f.field else "",
                        f.message_en if lang == "en" else f.message, place(f, call, lang, r.report.fields)])
    return out


def xlsx_bytes(rows: Sequence[Row], call: Call, lang: str = "zh",
               notes: dict[str, list[tuple[str, str]]] | None = None) -> bytes:
    """summary.xlsx: the applications sheet and the findings sheet (frozen header, filters, fitted widths)."""
    from openpyxl import Workbook

    from pipeline.render.sheets import table_sheet

    wb = Workbook()
    first, second = _SHEETS[lang]
    ws = wb.active
    ws.title = first
    table_sheet(ws, _HEAD[lang], summary_rows(rows, call, lang, notes), wrap={1, 2, 3, 4, 5, 8},
           caps={1: 28, 2: 24, 3: 24, 4: 12, 5: 12, 8: 70}, lang=lang)
    table_sheet(wb.create_sheet(second), _FINDING_HEAD[lang], finding_rows(rows, call, lang), wrap={1, 4, 5, 6},
           caps={1: 50, 3: 24, 4: 20, 5: 64, 6: 20}, lang=lang)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_text(rows: Sequence[Row], call: Call, lang: str = "zh",
             notes: dict[str, list[tuple[str, str]]] | None = None) -> str:
    """summary.csv: the applications sheet, for Excel (the caller writes it with a BOM)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(_HEAD[lang])
    w.writerows(summary_rows(rows, call, lang, notes))
    return buf.getvalue()


_SAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def annotated_name(reg_no: str, path: str) -> str:
    """The annotated copy's file name: never the archive's raw path (no folders, no odd characters)."""
    stem = _SAFE.sub("_", Path(path.replace("\\", "/").rsplit("/", 1)[-1]).stem).strip("._") or "application"
    return f"{reg_no}-{stem[:60]}.docx"


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    output_dir(path.parent)
    write_bytes(path, data)
    return True


@dataclass(frozen=True)
class DocJob:
    """One per-application document to (re)make: an annotated copy or a return letter."""

    kind: str  # "annotated" | "letter"
    target: Path
    row: Row
    letter_number: str = ""
    letter_date: str = ""


def make_document(job: DocJob, call: Call, lang: str) -> tuple[str, str] | None:
    """Write one annotated copy or one return letter (runs in a worker process); what went wrong (zh, en), or
    None: a document that cannot be made is a note on its row, never the end of the round."""
    try:
        _make_document(job, call, lang)
    except Exception as e:  # a damaged file's copy, a letter's rendering: this row's problem only
        job.target.unlink(missing_ok=True)
        what = ("批注副本", "annotated copy") if job.kind == "annotated" else ("退回补正通知", "return letter")
        return (f"{what[0]}未能生成（{type(e).__name__}），请人工处理", f"the {what[1]} could not be made "
                f"({type(e).__name__}); handle it by hand")
    return None


def _make_document(job: DocJob, call: Call, lang: str) -> None:
    import datetime as dt

    from pipeline.report.annotate import write_annotated

    output_dir(job.target.parent)
    if job.kind == "annotated":
        max_bytes = call.file.max_bytes
        data = read_source(job.row.source, max_bytes)
        if data is not None and len(data) <= max_bytes:
            write_annotated(data, job.row.report, job.target, lang)
        return
    from pipeline.render.documents import letter_from_report, render_letter

    letter = letter_from_report(job.row.report, job.letter_number, dt.date.fromisoformat(job.letter_date), call)
    render_letter(letter, job.target, call)


Mapper = Callable[[Sequence[DocJob]], Iterable["tuple[str, str] | None"]]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def write_outputs(rows: Sequence[Row], out_dir: Path, call: Call, lang: str = "zh",
                  letters: dict[str, tuple[str, str]] | None = None, mapper: Mapper | None = None,
                  texts: dict[str, str] | None = None) -> list[Path]:
    """Every output of a batch; returns the paths written or kept.

    letters: registration number -> (letter number, ISO date) of the applications that get a return letter.
    mapper: runs the document jobs (annotated copies, letters), e.g. in a process pool; in this process if None.
    texts: the reports' JSON by registration number, when the caller made it already.
    """
    from pipeline.report.annotate import annotatable
    from pipeline.report.html import render_html

    output_dir(out_dir)
    state_path = out_dir / STATE
    try:
        state: dict[str, Any] = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    before: dict[str, str] = {**state.get("annotated", {}), **state.get("letters", {})}
    written: list[Path] = []
    reports: list[str] = []
    made: dict[str, dict[str, str]] = {"annotated": {}, "letters": {}}
    jobs: list[DocJob] = []
    done: set[str] = set()
    for r in rows:
        if r.reg_no is None or r.reg_no in done:
            continue
        done.add(r.reg_no)
        name = f"reports/{r.reg_no}.json"
        text = (texts or {}).get(r.reg_no) or json.dumps(r.report.to_dict(), ensure_ascii=False) + "\n"
        _write_if_changed(out_dir / name, text.encode())
        reports.append(name)
        written.append(out_dir / name)
        wanted: list[tuple[str, DocJob, str]] = []
        if annotatable(r.report) and r.report.findings:
            copy = f"annotated/{annotated_name(r.reg_no, r.source.path)}"
            wanted.append(("annotated", DocJob("annotated", out_dir / copy, r), _digest(text, lang)))
        if letters and r.reg_no in letters:
            number, date = letters[r.reg_no]
            letter = f"letters/{r.reg_no}-退回补正通知.docx"
            wanted.append(("letters", DocJob("letter", out_dir / letter, r, number, date), _digest(text, number, date)))
        for kind, job, digest in wanted:
            rel = job.target.relative_to(out_dir).as_posix()
            made[kind][rel] = digest
            written.append(job.target)
            if before.get(rel) != digest or not job.target.is_file():
                jobs.append(job)
    results = mapper(jobs) if jobs and mapper is not None else (make_document(job, call, lang) for job in jobs)
    notes: dict[str, list[tuple[str, str]]] = {}
    for job, failed in zip(jobs, results, strict=True):
        if failed is not None:
            assert job.row.reg_no is not None
            notes.setdefault(job.row.reg_no, []).append(failed)
            rel = job.target.relative_to(out_dir).as_posix()
            made["annotated" if job.kind == "annotated" else "letters"].pop(rel, None)  # tried again next run
            written.remove(job.target)
    keep = set(reports) | set(made["annotated"]) | set(made["letters"])
    for stale in set(state.get("reports", [])) | set(before):
        if stale not in keep and re.fullmatch(r"(reports|annotated|letters)/[^/]+", stale):
            (out_dir / stale).unlink(missing_ok=True)
    xlsx = xlsx_bytes(rows, call, lang, notes)
    atomic_write(out_dir / "summary.xlsx", lambda fh: fh.write(xlsx))
    write_bytes(out_dir / "summary.csv", b"\xef\xbb\xbf" + csv_text(rows, call, lang, notes).encode("utf-8"))
    write_text(out_dir / "summary.html", render_html([r.report for r in rows], call, lang, batch=True))
    write_text(state_path, json.dumps({"reports": reports, **made}, ensure_ascii=False, indent=0))
    return [out_dir / "summary.xlsx", out_dir / "summary.csv", out_dir / "summary.html", *written]


def format_dry_run(lines: Sequence[DryRunLine], out_dir: Path, db: Path, lang: str = "zh") -> str:
    """A dry run's text: one line per file saying what a run would do with it, then the totals."""
    zh = lang != "en"
    out = []
    counts = {"registered": 0, "register": 0, "skip": 0}
    for line in lines:
        counts[line.action] += 1
        if line.action == "registered":
            what = f"已登记 {line.reg_no}" if zh else f"registered as {line.reg_no}"
        elif line.action == "register":
            what = f"将登记为 {line.reg_no}" if zh else f"would be registered as {line.reg_no}"
        else:
            assert line.report is not None
            key = row_result(Row(Source(line.path), None, line.report))
            first = next((f for f in line.report.findings if f.severity == "error"), None)
            reason = (first.message if zh else first.message_en) if first else ""
            what = (f"不登记：{_RESULT[lang][key]}（{reason}）" if zh
                    else f"not registered: {_RESULT[lang][key]} ({reason})")
        out.append(f"{line.path}\t{what}")
    checked = sum(1 for line in lines if line.checked)
    out.append(f"预演：{len(lines)} 个文件，已登记 {counts['registered']}，将新登记 {counts['register']}，不登记 "
               f"{counts['skip']}；需检查 {checked} 个。未写入登记库 {db} 和输出文件夹 {out_dir}。" if zh else
               f"dry run: {len(lines)} files, {counts['registered']} registered, {counts['register']} would be "
               f"registered, {counts['skip']} not registered; {checked} to check. Nothing was written to the registry "
               f"{db} nor to {out_dir}.")
    return "\n".join(out)
