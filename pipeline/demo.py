"""`award demo`: the whole pipeline on the bundled samples, end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pipeline.calls import Call
from pipeline.check import check_bytes
from pipeline.fileio import write_text
from pipeline.report.annotate import write_annotated
from pipeline.report.text import render_text
from pipeline.resources import samples_dir


def sample_files(folder: Path | None = None) -> list[Path]:
    """The bundled sample applications (.docx), in a stable order."""
    root = folder or samples_dir()
    return sorted(p for sub in ("applications", "robustness") for p in (root / sub).glob("*.docx"))


def expected_pairs(sample: Path) -> set[tuple[str, str | None]] | None:
    """The (code, field) pairs a sample is meant to produce, from its .expected.json, if any."""
    exp = sample.with_suffix(".expected.json")
    if not exp.is_file():
        return None
    return {(c, f) for c, f in json.loads(exp.read_text(encoding="utf-8"))["findings"]}


def run_demo(call: Call, out: Path, lang: str = "zh") -> Iterator[str]:
    """Write the blank form, check every sample, write reports and annotated copies; yields progress lines."""
    from pipeline.render.form import write_form

    zh = lang == "zh"
    form = write_form(call, out / "form" / f"{call.id}-申报书.docx")
    yield (f"空白申报书：{form}" if zh else f"Blank form: {form}")
    from pipeline.render.pdf import ConverterMissing, convert

    try:
        pdfs = convert([form], form.parent)
        yield (f"空白申报书 PDF：{pdfs[0]}" if zh else f"Blank form PDF: {pdfs[0]}") if pdfs else (
            "PDF 转换失败，已跳过" if zh else "PDF conversion failed; skipped")
    except ConverterMissing:
        yield ("未安装 LibreOffice：已跳过 PDF，所有 .docx 照常生成" if zh
               else "LibreOffice is not installed: PDFs skipped, every .docx was written")
    passed = failed = mismatched = 0
    for path in sample_files():
        data = path.read_bytes()
        report = check_bytes(data, f"{path.parent.name}/{path.name}", call)
        name = f"{path.parent.name}-{path.stem}"
        write_text(out / "reports" / f"{name}.json", json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
        write_text(out / "reports" / f"{name}.txt", render_text(report, call, lang))
        if report.findings and report.file.format == "docx" and report.findings[0].code != "form.unrecognized":
            write_annotated(data, report, out / "annotated" / f"{name}-批注.docx", lang)
        if report.status == "pass":
            passed += 1
        else:
            failed += 1
        want = expected_pairs(path)
        if want is not None and {f.key for f in report.findings} != want:
            mismatched += 1
            yield (f"  与预期不符：{path.name}" if zh else f"  differs from its expectation: {path.name}")
    yield (f"示例申报书 {passed + failed} 份：通过 {passed}，未通过 {failed}；与预期不符 {mismatched}。"
           f"报告在 {out / 'reports'}，批注副本在 {out / 'annotated'}" if zh else
           f"{passed + failed} sample applications: {passed} pass, {failed} fail; "
           f"{mismatched} differ from expectations. "
           f"Reports in {out / 'reports'}, annotated copies in {out / 'annotated'}")
