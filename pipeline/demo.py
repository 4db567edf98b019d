"""`award demo`: the whole pipeline on the bundled samples, end to end, through the same library calls
(pipeline.actions) as the commands staff run one by one."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline import actions
from pipeline.calls import Call
from pipeline.check import check_bytes
from pipeline.fileio import output_dir, write_text
from pipeline.model import Report
from pipeline.progress import Progress, silent
from pipeline.report.annotate import write_annotated
from pipeline.resources import samples_dir

# the demo's output, one folder per step of the round in the order staff meet them (named as staff name them)
DIRS = {
    "form": "01-空白申报书",             # the blank form of the call (.docx, .pdf)
    "reports": "02-示例检查报告",         # award check's report of every sample (.txt, .json, .html; index.html)
    "annotated": "03-示例批注副本",       # each sample .docx with a Word comment at every finding
    "inbox": "04-收件箱-全部示例",        # every sample as staff would export them from the platform
    "batch_samples": "05-批量检查-全部示例",  # award batch on that inbox (with the member list)
    "batch_round": "06-批量检查-示例轮次",    # award batch on the demo round of 24 applications
    "notice": "07-申报通知",              # the call notice in GB/T 9704 format (.docx, .pdf)
    "letters": "08-受理与退回补正通知书",  # a letter per application of the demo round
    "review": "09-专家评审",              # assignment, judges' workbooks, simulated scores, results
    "publicity": "10-拟奖项目公示",       # the 公示 notice of the proposed winners (.docx, .pdf)
    "decision": "11-表彰决定",            # the award decision (.docx, .pdf)
    "certificates": "12-获奖证书",        # certificates (.docx, .pdf), merged print PDF, manifest
    "casebook": "13-成果汇编",            # the collection of the winners' cases, staff proof (.docx, .pdf)
}
ROUND_DB = "award.sqlite"               # the demo round's registry (the default name: `award … --db` not needed)
SAMPLES_DB = "登记库-全部示例.sqlite"    # the registry of the batch over every sample


def _took(start: float, zh: bool) -> str:
    seconds = time.monotonic() - start
    return f"（用时 {seconds:.0f} 秒）" if zh else f" ({seconds:.0f} s)"


# sample folders and the file types they hold, in the order the demo checks them
FOLDERS = (("applications", "*.docx"), ("robustness", "*.docx"), ("pdf/applications", "*.pdf"),
           ("pdf/robustness", "*.pdf"), ("scanned", "*.pdf"), ("legacy", "*.doc"), ("layout", "*.docx"),
           ("hostile", "*"))


def sample_files(root: Path | None = None) -> list[Path]:
    """The bundled sample applications (all formats), in a stable order."""
    base = root or samples_dir()
    out: list[Path] = []
    for folder, pattern in FOLDERS:
        out += sorted(p for p in (base / folder).glob(pattern) if p.is_file() and not p.name.endswith(".json"))
    return out


def expected_pairs(sample: Path) -> set[tuple[str, str | None]] | None:
    """The (code, field) pairs a sample is meant to produce (a printed PDF shares its .docx's expectation)."""
    exp = sample.parent / f"{sample.stem}.expected.json"
    if sample.suffix == ".pdf" and not exp.is_file():
        exp = sample.parent.parent.parent / sample.parent.name / f"{sample.stem}.expected.json"
    if not exp.is_file():
        return None
    return {(c, f) for c, f in json.loads(exp.read_text(encoding="utf-8"))["findings"]}


def _pdf_step(form: Path, zh: bool) -> str:
    from pipeline.office import ConverterMissing, convert

    try:
        pdfs = convert([form], form.parent)
    except ConverterMissing:
        return ("未安装 LibreOffice：已跳过 PDF，所有 .docx 照常生成" if zh
                else "LibreOffice is not installed: PDFs skipped, every .docx was written")
    if not pdfs:
        return "PDF 转换失败，已跳过" if zh else "PDF conversion failed; skipped"
    return f"空白申报书 PDF：{pdfs[0]}" if zh else f"Blank form PDF: {pdfs[0]}"


def run_demo(call: Call, out: Path, lang: str = "zh", progress: Progress | None = None) -> Iterator[str]:
    """Write the blank form, check every sample, write reports and annotated copies, then the batch, review and
    documents steps; yields a line per step (with the time it took) and tells `progress` what it is doing."""
    zh = lang == "zh"
    shown = silent(progress)
    start = time.monotonic()
    shown.phase("空白申报书", "blank form")
    for folder in ("form", "reports", "annotated"):
        output_dir(out / DIRS[folder])
    form = actions.write_blank_form(call, out / DIRS["form"] / actions.blank_form_name(call))
    yield (f"空白申报书：{form}" if zh else f"Blank form: {form}")
    yield _pdf_step(form, zh) + _took(start, zh)
    root = samples_dir()
    reports: list[Report] = []
    mismatched = 0
    samples = sample_files(root)
    start = time.monotonic()
    shown.phase("检查全部示例文件", "checking every sample file", len(samples))
    reports_dir, annotated_dir = out / DIRS["reports"], out / DIRS["annotated"]
    for path in samples:
        data = path.read_bytes()
        rel = path.relative_to(root)
        report = check_bytes(data, str(rel), call)
        reports.append(report)
        name = str(rel.with_suffix("")).replace("/", "-") + ("-pdf" if path.suffix == ".pdf" else "")
        for fmt, suffix in (("json", "json"), ("text", "txt"), ("html", "html")):  # what award check prints
            write_text(reports_dir / f"{name}.{suffix}", actions.report_document([report], fmt, call, lang))
        if (report.findings and report.file.format == "docx"
                and not report.findings[0].code.startswith(("file.", "form.unrecognized"))):
            write_annotated(data, report, annotated_dir / f"{name}-批注.docx", lang)
        want = expected_pairs(path)
        if want is not None and {f.key for f in report.findings} != want:
            mismatched += 1
            yield (f"  与预期不符：{rel}" if zh else f"  differs from its expectation: {rel}")
        shown.advance()
    html = write_text(reports_dir / "index.html", actions.report_document(reports, "html", call, lang))
    passed = sum(1 for r in reports if r.status == "pass")
    by_format: dict[str, int] = {}
    for r in reports:
        by_format[r.file.format] = by_format.get(r.file.format, 0) + 1
    formats = "、".join(f"{k} {v}" for k, v in sorted(by_format.items()))
    yield (f"示例文件 {len(reports)} 份（{formats}）：通过 {passed}，未通过 {len(reports) - passed}；"
           f"与预期不符 {mismatched}。报告在 {reports_dir}，批注副本在 {annotated_dir}" if zh else
           f"{len(reports)} sample files ({formats}): {passed} pass, {len(reports) - passed} fail; "
           f"{mismatched} differ from expectations. Reports in {reports_dir}, annotated copies in "
           f"{annotated_dir}") + _took(start, zh)
    yield (f"HTML 报告：{html}" if zh else f"HTML report: {html}")

    yield from batch_steps(call, out, lang, shown)
    yield from document_steps(call, out, lang, shown)


def batch_steps(call: Call, out: Path, lang: str = "zh", progress: Progress | None = None) -> Iterator[str]:
    """Batch validation twice: every bundled sample at once (with the member list), then the demo round (24
    valid applications) into the demo registry the later stages use. Each demo starts with fresh registries."""
    import shutil

    zh = lang == "zh"
    shown = silent(progress)
    root = samples_dir()
    inbox = out / DIRS["inbox"]  # what staff would export from the platform: every sample file, in folders
    shutil.rmtree(inbox, ignore_errors=True)
    for path in [*sample_files(root), *sorted((root / "batch" / "applications").rglob("*.*"))]:
        target = inbox / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    runs = (("samples", inbox, out / DIRS["batch_samples"], out / SAMPLES_DB, root / "batch" / "members.csv"),
            ("round", root / "round", out / DIRS["batch_round"], out / ROUND_DB, None))
    for name, folder, target, db, members in runs:
        start = time.monotonic()
        what = ("全部示例" if name == "samples" else "示例申报轮次") if zh else (
            "all samples" if name == "samples" else "the demo round")
        shown.note(f"批量检查（{what}）…", f"Batch ({what}) …")
        for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            stale.unlink(missing_ok=True)
        done = actions.check_batch(folder, target, call, db, members=members, lang=lang, progress=shown)
        files = len(done.result.rows)
        letters = len(list((target / "letters").glob("*.docx"))) if (target / "letters").is_dir() else 0
        yield (f"批量检查（{what}）：{files} 个文件，通过 {done.passed}，需处理 {done.to_handle}；"
               f"退回补正通知 {letters} 封；登记库 {db}，汇总 {done.summary}" if zh else
               f"Batch ({what}): {files} files, {done.passed} pass, {done.to_handle} to handle; "
               f"{letters} return letters; registry {db}, summary {done.summary}") + _took(start, zh)


def document_steps(call: Call, out: Path, lang: str = "zh", progress: Progress | None = None) -> Iterator[str]:
    """After the batch: expert review of the demo round, the call notice, letters, the decision, certificates (each
    document with the dates, numbers and seal a user leaving them out gets)."""
    from pipeline.demo_review import run_demo_review
    from pipeline.registry import Registry

    zh = lang == "zh"
    shown = silent(progress)
    pdf = actions.plan_pdf(None).make
    if not pdf:
        yield ("未安装 LibreOffice：以下各步只生成 .docx，PDF 已跳过" if zh
               else "LibreOffice is not installed: the steps below write .docx only, PDFs skipped")
    root = samples_dir()
    start = time.monotonic()
    shown.phase("申报通知（GB/T 9704）", "the call notice (GB/T 9704)")
    # the sample notice of the seed call: rendered with the package's templates and the template call's rules
    notice = actions.write_notice(root / "notices" / "call-2021.txt",
                                  output_dir(out / DIRS["notice"]) / "call-2021.docx", None, pdf).paths
    yield (f"通知（GB/T 9704）：{'、'.join(str(p) for p in notice)}" if zh else
           f"Notice (GB/T 9704): {', '.join(str(p) for p in notice)}") + _took(start, zh)
    with Registry(out / ROUND_DB, call_id=call.id, create=False) as registry:
        start = time.monotonic()
        letters_dir = out / DIRS["letters"]
        done = actions.write_letters(call, registry, letters_dir, pdf=pdf, progress=shown).issued
        yield (f"示例轮次的通知书：受理 {done.counts['accepted']}，退回补正 {done.counts['returned']}"
               f"（{letters_dir}）" if zh else f"Letters for the demo round: {done.counts['accepted']} accepted, "
               f"{done.counts['returned']} returned ({letters_dir})") + _took(start, zh)
        start = time.monotonic()
        shown.phase("专家评审（分配、评分表、模拟评分、导入、结果）",
                    "expert review (assignment, workbooks, simulated scores, import, results)")
        review = run_demo_review(registry, call, root / "judges.csv", out / DIRS["review"], pdf)
        awarded = "，".join(f"{k} {v}" for k, v in review["awarded"].items())
        yield (f"专家评审：{review['applications']} 项 × 5 位专家，工作簿 {review['workbooks']} 份，"
               f"不予导入 {review['rows_rejected']} 行，待核查 {review['held']} 项；{awarded}；结果 {review['results']}"
               if zh else f"Review: {review['applications']} applications x 5 judges, {review['workbooks']} workbooks, "
               f"{review['rows_rejected']} rows rejected, {review['held']} on hold; {awarded}; results "
               f"{review['results']}") + _took(start, zh)
        start = time.monotonic()
        shown.phase("拟奖项目公示", "the 公示 notice")
        made = actions.write_publicity(call, registry, output_dir(out / DIRS["publicity"]) / "拟奖项目公示.docx",
                                       pdf=pdf)
        yield (f"公示（{made.number}，{made.start}至{made.end}，拟奖项目 {made.winners} 项）：{made.path}" if zh else
               f"公示 notice ({made.number}, {made.start} to {made.end}, {made.winners} proposed winners): "
               f"{made.path}") + _took(start, zh)
        start = time.monotonic()
        shown.phase("表彰决定", "the award decision")
        decision = output_dir(out / DIRS["decision"]) / "表彰决定.docx"
        actions.write_decision(call, registry, decision, pdf=pdf)  # settled closing block, with a PDF
        yield (f"表彰决定：{decision}" if zh else f"Award decision: {decision}") + _took(start, zh)
        start = time.monotonic()
        shown.phase("获奖证书", "certificates")
        certificates_dir = out / DIRS["certificates"]
        # The demo has no seal of the association's own: it uses the bundled sample seal (样章) and says so.
        c = actions.issue_certificates(call, registry, certificates_dir, sample_seal=True, pdf=pdf,
                                       lang=lang).issued.counts
        yield (f"获奖证书 {c['certificates']} 张（单位 {c['units']}，个人 {c['persons']}），PDF {c['pdf']} 份，"
               f"合并打印稿与清单在 {certificates_dir}；使用示例印章“样章”（award certificates 须用 --seal "
               "给出本单位印章）" if zh else
               f"{c['certificates']} certificates ({c['units']} unit, {c['persons']} person), {c['pdf']} PDFs; "
               f"merged print PDF and manifest in {certificates_dir}; with the sample seal 样章 (award "
               "certificates needs the association's own with --seal)") + _took(start, zh)
        start = time.monotonic()
        shown.phase("成果汇编（内部校对稿）", "the casebook (staff proof)")
        # The demo round was e-mailed: no unit agreed to publication online, so the collection is the staff proof
        # of every awarded project (award casebook --all); the public one holds the consented cases only.
        book = actions.write_casebook(call, registry, output_dir(out / DIRS["casebook"]) / "成果汇编-内部校对稿.docx",
                                      pdf, proof=True)
        yield (f"成果汇编（内部校对稿，{book.cases} 个案例）：{book.path}" if zh else
               f"Casebook (staff proof, {book.cases} cases): {book.path}") + _took(start, zh)
