"""One library function per front-end command, with the defaults a user expects.

`award` (pipeline.cli), the demo and the web platform stand on these: each function takes plain typed arguments,
fills in what the user left out (dates, numbers and seal from the call, the form's file name, whether PDFs are
made), never writes over a file it reads, and returns a typed result that the front end turns into words, JSON or a
page and an exit code. Bad data is in the result (reports with findings); an exception means the work could not be
done, and BadArgument means the caller's own value (or the call's default for it) cannot be used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import PipelineError

if TYPE_CHECKING:
    from pipeline.batch import BatchResult
    from pipeline.calls import Call
    from pipeline.issuing import Issued
    from pipeline.model import Report
    from pipeline.progress import Progress
    from pipeline.registry import Registry
    from pipeline.review import AssignSummary, FormsSummary, ImportSummary, ResultsSummary

REPORT_FORMATS = ("text", "json", "html")


class BadArgument(PipelineError):
    """A value the caller gave, or the call's default for one it left out, cannot be used; found before anything
    is written (the command line's usage error, exit 2). `argument` names the function's parameter."""

    def __init__(self, message_zh: str, message_en: str, argument: str) -> None:
        super().__init__(message_zh, message_en)
        self.argument = argument


def to_stdout(path: Path | None) -> bool:
    """Whether an output is `-`: the document goes to standard output (the front end's), not to a file."""
    from pipeline.fileio import STDOUT

    return path is not None and str(path) == STDOUT


@contextmanager
def _reading(paths: Iterable[Path | None]) -> Iterator[None]:
    """While inside, no output may be one of the files read (pipeline.fileio refuses it)."""
    from pipeline.fileio import inputs_protected

    with inputs_protected([p for p in paths if p is not None and not to_stdout(p)]):
        yield


@contextmanager
def _opened(registry: Registry | Path, call: Call, create: bool = False) -> Iterator[Registry]:
    """The registry given, or the one at a path opened for the call and closed after (only `batch` creates one);
    either way it is an input: nothing is written over it."""
    from pipeline.registry import Registry

    if isinstance(registry, Registry):
        with _reading([registry.path]):
            yield registry
        return
    with _reading([Path(registry)]), Registry(registry, call_id=call.id, create=create) as opened:
        yield opened


def fails(reports: Iterable[Report], strict: bool = False) -> bool:
    """Whether a check fails: any report with an error (with strict, a warning too); the exit code 1."""
    return any(r.count("error") or (strict and r.count("warning")) for r in reports)


# --- PDFs: made when LibreOffice is there, unless told ----------------------------------------------------------

@dataclass(frozen=True)
class PdfPlan:
    """Whether PDFs are made; `skipped`: they would have been, but LibreOffice is not installed (say so)."""

    make: bool
    skipped: bool = False


def plan_pdf(pdf: bool | None, output: Path | None = None) -> PdfPlan:
    """pdf False: never; True: always (LibreOffice missing: PipelineError); None: when LibreOffice is installed.
    A document sent to standard output has no PDF (asking for one is a BadArgument)."""
    if pdf is False:
        return PdfPlan(False)
    if to_stdout(output):
        if pdf:
            raise BadArgument("--pdf 需要 -o 给出文件名", "--pdf needs a file name with -o", "pdf")
        return PdfPlan(False)
    from pipeline.office import soffice

    if soffice() is not None:
        return PdfPlan(True)
    if pdf:
        raise PipelineError("未安装 LibreOffice，无法按 --pdf 生成 PDF"
                            "（请安装 libreoffice-writer，或用 --no-pdf 只生成 .docx）",
                            "LibreOffice is not installed, so --pdf cannot be done (install libreoffice-writer, or "
                            "use --no-pdf for .docx only)")
    return PdfPlan(False, skipped=True)


# --- defaults from the call ------------------------------------------------------------------------------------

DOCUMENT_DATES = ("letters_date", "decision_date", "award_date")


def document_date(call: Call, key: str, given: dt.date | None = None) -> dt.date:
    """A document's date: the one given, else call.yaml `documents.<key>` (letters_date, decision_date,
    award_date), else today."""
    if key not in DOCUMENT_DATES:
        raise ValueError(f"not a document date: {key}")
    configured: dt.date | None = getattr(call.documents, key)
    return given or configured or dt.date.today()


def decision_number(call: Call, given: str | None = None) -> str:
    """The decision's 发文字号: the one given, else call.yaml documents.decision_number; BadArgument when there is
    none or it breaks GB/T 9704 (the checker's own rule, before anything is rendered)."""
    from pipeline.gbt9704 import doc_number_message

    number = given or call.documents.decision_number
    if not number:
        raise BadArgument("请用 --number 给出文号（或在 call.yaml documents.decision_number 中设置）",
                          "give the document number with --number (or documents.decision_number)", "number")
    bad = doc_number_message(number)
    if bad is not None:
        raise BadArgument(*bad, "number")
    return str(number)


def blank_form_name(call: Call) -> str:
    """The blank form's file name: <call id>-申报书.docx."""
    return f"{call.id}-申报书.docx"


# --- the call: blank form and schema ------------------------------------------------------------------------

def write_blank_form(call: Call, output: Path | None = None) -> Path:
    """Write the call's blank application form (.docx) to output (default: blank_form_name in the working folder;
    `-`: standard output); returns where."""
    from pipeline.render.form import write_form

    out = output or Path(blank_form_name(call))
    write_form(call, out)
    return out


def derived_schema(call: Call) -> str:
    """The JSON Schema derived from call.yaml, as the committed file's text."""
    from pipeline.calls import schema_text

    return schema_text(call)


@dataclass(frozen=True)
class SchemaState:
    """Whether the committed schema file equals the one derived from call.yaml."""

    path: Path
    up_to_date: bool


def check_schema(call: Call) -> SchemaState:
    """Compare the committed application.schema.json with the derived one (a missing file is stale)."""
    from pipeline.calls import schema_path, schema_text

    path = schema_path(call)
    current = path.read_text(encoding="utf-8") if path.is_file() else ""
    return SchemaState(path, current == schema_text(call))


# --- self-check of applications ----------------------------------------------------------------------------

def report_json(reports: Sequence[Report]) -> Any:
    """The JSON value of the reports: one report's object, or an array when there are several (the contract)."""
    return [r.to_dict() for r in reports] if len(reports) > 1 else reports[0].to_dict()


def report_document(reports: Sequence[Report], fmt: str, call: Call, lang: str = "zh") -> str:
    """The reports as `award check --format` prints them: text, json or html."""
    if fmt == "json":
        import json

        return json.dumps(report_json(reports), ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        from pipeline.report.html import render_html

        return render_html(list(reports), call, lang)
    if fmt == "text":
        from pipeline.report.text import render_text

        return "\n".join(render_text(r, call, lang) for r in reports)
    raise _unknown_format(fmt)


def _unknown_format(fmt: str) -> BadArgument:
    return BadArgument(f"报告格式应为 {'、'.join(REPORT_FORMATS)} 之一：{fmt}",
                       f"the report format is one of {', '.join(REPORT_FORMATS)}: {fmt}", "fmt")


@dataclass(frozen=True)
class AnnotatedCopy:
    """One file's annotated copy: written at `path`, or not (path None): `damaged` says why python-docx could not
    make it (zh, en); without it, the file is not a .docx that can be annotated."""

    source: Path
    path: Path | None = None
    damaged: tuple[str, str] | None = None


@dataclass(frozen=True)
class CheckedFiles:
    """What a self-check found: a report per file, the report document (`text`, in the format asked for) and where
    it was written (None: the front end shows it), and the annotated copies."""

    reports: tuple[Report, ...]
    text: str
    written: Path | None
    annotated: tuple[AnnotatedCopy, ...] = ()

    @property
    def json(self) -> Any:
        """The reports' JSON value: an object for one file, an array for several."""
        return report_json(self.reports)

    def fails(self, strict: bool = False) -> bool:
        """Whether any report has an error (with strict, a warning)."""
        return fails(self.reports, strict)


def read_input(path: Path) -> bytes:
    """A file's bytes; a one-line PipelineError (in words) when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as e:
        from pipeline.fileio import read_reason

        zh, en = read_reason(e)
        raise PipelineError(f"无法读取 {path}：{zh}", f"Cannot read {path}: {en}") from None


def check_files(files: Sequence[Path], call: Call, fmt: str = "text", output: Path | None = None,
                annotate: Path | None = None, lang: str = "zh") -> CheckedFiles:
    """Self-check of one or more applications, each within the call's time and memory limits; the report document
    written to output (None or `-`: returned for the front end to show); with annotate, a copy of each .docx with
    a Word comment at every finding (a folder when several files, or when annotate is a folder). No output may be
    one of the files checked."""
    from pipeline.check.limits import check_limited

    if fmt not in REPORT_FORMATS:  # before any file is checked
        raise _unknown_format(fmt)
    if annotate is not None and to_stdout(annotate) and (len(files) > 1 or output is None or to_stdout(output)):
        raise BadArgument("--annotate - 只用于一个文件，且报告须用 -o 写入文件",
                          "--annotate - takes one file, and the report must go to a file with -o", "annotate")
    reports: list[Report] = []
    copies: list[AnnotatedCopy] = []
    with _reading(files):
        for path in files:
            data = read_input(path)
            report = check_limited(data, str(path), call)  # within file.max_seconds and file.max_memory_mb
            reports.append(report)
            if annotate is not None:
                copies.append(_annotated(data, report, path, annotate, len(files) > 1, lang))
        text = report_document(reports, fmt, call, lang)
        written = None
        if output is not None and not to_stdout(output):
            from pipeline.fileio import write_text

            written = write_text(output, text)
    return CheckedFiles(tuple(reports), text, written, tuple(copies))


def _annotated(data: bytes, report: Report, path: Path, target: Path, several: bool, lang: str) -> AnnotatedCopy:
    """Write one annotated copy (into the folder `target`, or at `target` itself)."""
    from pipeline.report.annotate import NotAnnotated, annotatable, write_annotated

    if not annotatable(report):
        return AnnotatedCopy(path)
    out = target / f"{path.stem}-批注.docx" if several or target.is_dir() else target
    try:
        write_annotated(data, report, out, lang)  # refuses an input as its target (pipeline.fileio)
    except NotAnnotated as e:
        return AnnotatedCopy(path, damaged=(e.reason_zh, e.reason_en))
    return AnnotatedCopy(path, out)


# --- a batch: register and check a folder or .zip --------------------------------------------------------------

def batch_dry_run(input_path: Path, out_dir: Path, call: Call, db: Path, jobs: int | None = None,
                  use_cache: bool = True, lang: str = "zh", executor: str = "local",
                  scheduler: str | None = None) -> str:
    """What a batch would register and check, changing nothing: a line per file, then the totals."""
    from pipeline.batch import check_input, dry_run_text

    check_input(input_path, out_dir)
    with _reading([input_path, db]):
        return dry_run_text(input_path, out_dir, call, Path(db), lang, jobs, use_cache, executor, scheduler)


@dataclass(frozen=True)
class BatchChecked:
    """What a batch did (pipeline.batch.BatchResult) and where its summary workbook is."""

    result: BatchResult
    summary: Path

    @property
    def passed(self) -> int:
        """Files without an error."""
        return sum(1 for r in self.result.rows if r.report.status == "pass")

    @property
    def to_handle(self) -> int:
        """Files staff must handle (an error)."""
        return len(self.result.rows) - self.passed

    def fails(self, strict: bool = False) -> bool:
        """Whether any file has an error (with strict, a warning)."""
        return fails((r.report for r in self.result.rows), strict)


def check_batch(input_path: Path, out_dir: Path, call: Call, registry: Registry | Path, members: Path | None = None,
                jobs: int | None = None, use_cache: bool = True, letters: bool = True, lang: str = "zh",
                progress: Progress | None = None, executor: str = "local",
                scheduler: str | None = None) -> BatchChecked:
    """Register and check every application of a folder or .zip (the registry is created when missing); writes
    the summaries, reports, annotated copies and (unless letters is False) return letters into out_dir. An input
    that is one form, or an out_dir overlapping it, is refused before the registry is opened."""
    from pipeline.batch import check_input, run_batch

    check_input(input_path, out_dir)  # before the registry is opened: a refused run creates nothing
    with _reading([input_path, members]), _opened(registry, call, create=True) as reg:
        result = run_batch(input_path, out_dir, call, reg, members=members, jobs=jobs, use_cache=use_cache,
                           progress=progress, lang=lang, letters=letters, executor=executor, scheduler=scheduler)
    return BatchChecked(result, out_dir / "summary.xlsx")


# --- official documents: notices and the GB/T 9704 checker --------------------------------------------------

@dataclass(frozen=True)
class NoticeWritten:
    """The notice's .docx (and PDF); `pdf_skipped`: no PDF for want of LibreOffice."""

    paths: tuple[Path, ...]
    pdf_skipped: bool = False


def write_notice(source: Path, output: Path, call: Call | None = None, pdf: bool | None = None,
                 progress: Progress | None = None) -> NoticeWritten:
    """Render a notice source (.txt) as a GB/T 9704 .docx, and its PDF (see plan_pdf); a source the checker would
    fail is refused. call None: the package's templates and the template call's rules."""
    from pipeline.progress import silent
    from pipeline.render.documents import render_notice_file

    plan = plan_pdf(pdf, output)
    with _reading([source]):
        if plan.make:
            silent(progress).phase("生成通知与 PDF", "writing the notice and its PDF")
        written = render_notice_file(source, output, pdf=plan.make, call=call)
    return NoticeWritten(tuple(written), plan.skipped)


@dataclass(frozen=True)
class CheckedNotice:
    """The GB/T 9704 check of a notice: its report and the report document in the format asked for."""

    report: Report
    text: str

    def fails(self) -> bool:
        """Whether the notice has an error."""
        return fails([self.report])


def check_gongwen(file: Path, call: Call, fmt: str = "text", lang: str = "zh") -> CheckedNotice:
    """Check a notice (.docx or text) against GB/T 9704-2012; the report (its fields empty) as text or json."""
    from pipeline.check.gongwen import check_notice

    with _reading([file]):
        report = check_notice(file, call)
    return CheckedNotice(report, report_document([report], fmt, call, lang))


# --- expert review ----------------------------------------------------------------------------------------------

def assign_judges(call: Call, registry: Registry | Path, judges_csv: Path, per_app: int | None = None,
                  seed: int = 0) -> AssignSummary:
    """Assign judges from the judges CSV to every application that passed the checks (per_app default: the
    call's review.judges_per_app)."""
    from pipeline import review

    with _reading([judges_csv]), _opened(registry, call) as reg:
        return review.assign_judges(reg, call, judges_csv, per_app, seed)


@dataclass(frozen=True)
class ReviewForms:
    """The judges' workbooks and printable scoring forms written; `pdf_skipped`: no PDFs for want of LibreOffice."""

    summary: FormsSummary
    pdf_skipped: bool = False


def write_review_forms(call: Call, registry: Registry | Path, out_dir: Path, pdf: bool | None = None,
                       progress: Progress | None = None) -> ReviewForms:
    """Each judge's scoring workbook and a printable scoring form per application (PDFs: see plan_pdf)."""
    from pipeline import review

    plan = plan_pdf(pdf)
    with _opened(registry, call) as reg:
        return ReviewForms(review.write_forms(reg, call, out_dir, plan.make, progress=progress), plan.skipped)


def import_scores(call: Call, registry: Registry | Path, files: Sequence[Path], replace: bool = False
                  ) -> ImportSummary:
    """Read filled scoring workbooks into the registry; rows that break the rules are rejected (in the summary)."""
    from pipeline import review

    with _reading(files), _opened(registry, call) as reg:
        return review.import_workbooks(reg, call, files, replace)


def review_results(call: Call, registry: Registry | Path, output: Path) -> ResultsSummary:
    """Final scores, ranking and award levels, stored and written as the results workbook."""
    from pipeline import review

    with _opened(registry, call) as reg:
        return review.make_results(reg, call, output)


# --- documents issued from the registry: letters, the decision, certificates ----------------------------------

@dataclass(frozen=True)
class LettersWritten:
    """The letters issued (pipeline.issuing.Issued), their date, and whether PDFs were skipped."""

    issued: Issued
    date: dt.date
    pdf_skipped: bool = False


def write_letters(call: Call, registry: Registry | Path, out_dir: Path, date: dt.date | None = None,
                  pdf: bool | None = None, progress: Progress | None = None) -> LettersWritten:
    """An acceptance or return letter per checked application (date default: documents.letters_date, else
    today; PDFs: see plan_pdf)."""
    from pipeline import issuing

    day = document_date(call, "letters_date", date)
    plan = plan_pdf(pdf)
    with _opened(registry, call) as reg:
        issued = issuing.write_letters(reg, call, out_dir, day, pdf=plan.make, progress=progress)
    return LettersWritten(issued, day, plan.skipped)


@dataclass(frozen=True)
class DecisionWritten:
    """The award decision: its .docx, how many projects won, its number and date, and its PDF."""

    path: Path
    winners: int
    number: str
    date: dt.date
    pdfs: tuple[Path, ...] = ()
    pdf_skipped: bool = False


def write_decision(call: Call, registry: Registry | Path, output: Path, number: str | None = None,
                   date: dt.date | None = None, pdf: bool | None = None,
                   progress: Progress | None = None) -> DecisionWritten:
    """The award decision with the winners table (number default: documents.decision_number; date default:
    documents.decision_date, else today); with a PDF, the closing block (版记) is settled at the foot of the last
    page first (GB/T 9704 §7.4), so the .docx prints the same."""
    from pipeline import issuing
    from pipeline.progress import silent

    plan = plan_pdf(pdf, output)
    number = decision_number(call, number)
    day = document_date(call, "decision_date", date)
    with _opened(registry, call) as reg:
        made = issuing.write_decision(reg, call, output, day, number)
    pdfs: list[Path] = []
    if plan.make:
        from pipeline.render.documents import settle_closing_block

        silent(progress).phase("生成 PDF", "writing the PDF")
        pdfs = settle_closing_block(output)
    return DecisionWritten(output, made.counts["winners"], number, day, tuple(pdfs), plan.skipped)


@dataclass(frozen=True)
class PublicityWritten:
    """The 公示 notice: its .docx, how many projects it proposes, its number, its period, and its PDF."""

    path: Path
    winners: int
    number: str
    start: dt.date
    end: dt.date
    pdfs: tuple[Path, ...] = ()
    pdf_skipped: bool = False


def write_publicity(call: Call, registry: Registry | Path, output: Path, number: str | None = None,
                    date: dt.date | None = None, pdf: bool | None = None,
                    progress: Progress | None = None) -> PublicityWritten:
    """The 公示 notice of the proposed winners (GB/T 9704), dated its first day: the 公示 recorded on the platform
    (its list, period and number), else the stored results with publication.publicity_start and
    publication.publicity_number; `date` (the first day) and `number` override either. With a PDF, the closing
    block is settled at the foot of the last page first, as for the decision."""
    from pipeline import publishing
    from pipeline.progress import silent

    plan = plan_pdf(pdf, output)
    if number:
        try:
            number = publishing.publicity_number(call, number)
        except publishing.NotAllowed as e:
            raise BadArgument(e.message_zh, e.message_en, "number") from None
    with _opened(registry, call) as reg:
        made = publishing.write_publicity_notice(reg, call, output, dt.date.today(), date, number)
    pdfs: list[Path] = []
    if plan.make:
        from pipeline.render.documents import settle_closing_block

        silent(progress).phase("生成 PDF", "writing the PDF")
        pdfs = settle_closing_block(output)
    return PublicityWritten(output, len(made.winners), made.number, made.start, made.end, tuple(pdfs),
                            plan.skipped)


@dataclass(frozen=True)
class CertificatesIssued:
    """The certificates issued (pipeline.issuing.Issued), their date, whether they carry the sample seal 样章 (not
    for issuing: say so), and whether PDFs were skipped."""

    issued: Issued
    date: dt.date
    sample_seal: bool = False
    pdf_skipped: bool = False


def issue_certificates(call: Call, registry: Registry | Path, out_dir: Path, seal: Path | None = None,
                       sample_seal: bool = False, date: dt.date | None = None, pdf: bool | None = None,
                       jobs: int | None = None, lang: str = "zh",
                       progress: Progress | None = None) -> CertificatesIssued:
    """Every certificate of the round (.docx, PDFs: see plan_pdf), the merged print PDF and the manifest. One seal
    is required: the association's own picture (seal), or the bundled sample seal 样章 (sample_seal, for trying
    out). date default: documents.award_date, else today."""
    from pipeline import issuing
    from pipeline.progress import silent
    from pipeline.render.certificates import sample_seal as bundled_seal

    if seal is not None and sample_seal:
        raise BadArgument("--seal 与 --sample-seal 只能选一个", "give --seal or --sample-seal, not both", "seal")
    if seal is None and not sample_seal:
        raise BadArgument(
            "请用 --seal 给出本单位的印章图片（.png/.jpg）；只是试用时可用 --sample-seal（示例印章“样章”）",
            "give the seal picture with --seal (.png/.jpg); to try the tool out, --sample-seal (the sample seal 样章)",
            "seal")
    picture = seal if seal is not None else bundled_seal()
    day = document_date(call, "award_date", date)
    plan = plan_pdf(pdf)
    with _reading([seal]), _opened(registry, call) as reg:
        silent(progress).phase("生成获奖证书" + ("与 PDF" if plan.make else ""),
                               "writing the certificates" + (" and PDFs" if plan.make else ""))
        done = issuing.write_certificates_from_registry(reg, call, out_dir, day, picture, pdf=plan.make, jobs=jobs,
                                                        lang=lang)
    return CertificatesIssued(done, day, sample_seal, plan.skipped)


@dataclass(frozen=True)
class CasebookWritten:
    """The collection of the winners' cases (成果汇编): its .docx, how many cases, whether it is the staff proof
    (--all), its PDF, and whether the PDF was skipped."""

    path: Path
    cases: int
    proof: bool
    pdfs: tuple[Path, ...] = ()
    pdf_skipped: bool = False


def write_casebook(call: Call, registry: Registry | Path, output: Path, pdf: bool | None = None,
                   proof: bool = False, date: dt.date | None = None,
                   progress: Progress | None = None) -> CasebookWritten:
    """The printable collection: the public cases (published, consented, not withdrawn), or with `proof` every
    awarded project marked 内部校对稿. date (on the cover) default: publication.publish_date, else today."""
    from pipeline.casebook import write_casebook as write
    from pipeline.progress import silent

    plan = plan_pdf(pdf, output)
    day = date or call.publication.publish_date or dt.date.today()
    with _opened(registry, call) as reg:
        made = write(reg, call, output, day, proof)
    pdfs: list[Path] = []
    if plan.make:
        from pipeline.office import convert

        silent(progress).phase("生成 PDF", "writing the PDF")
        pdfs = convert([output], output.parent)
        if not pdfs:
            raise PipelineError(f"LibreOffice 未能把 {output.name} 转换为 PDF",
                                f"LibreOffice did not convert {output.name}")
    return CasebookWritten(output, len(made.cases), proof, tuple(pdfs), plan.skipped)


# --- the online platform's records ---------------------------------------------------------------------------

def export_audit(data: Path, call: Call, output: Path) -> Path:
    """The platform's audit log (in the registry under `data`) written as a workbook to `output` (never onto the
    registry)."""
    from pipeline.audit import export_audit as write
    from pipeline.registry import PLATFORM_DB, in_data

    with _reading([data / PLATFORM_DB]), in_data(data, call.id) as registry:
        return write(registry, output)
