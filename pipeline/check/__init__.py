"""Checking an application: file guards, form recognition, field rules, and the report."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline import TOOL_NAME, __version__
from pipeline.calls import Call, stamped_call
from pipeline.check.codes import make
from pipeline.check.layout import layout_findings
from pipeline.check.rules import run_rules
from pipeline.extract import Finder, block_starter, extract, form_words
from pipeline.ingest.docx import read_docx
from pipeline.ingest.problems import FileProblem
from pipeline.ingest.sniff import guard_size, sniff
from pipeline.model import Application, Document, FileInfo, Finding, Report

TOOL = {"name": TOOL_NAME, "version": __version__}

_UNSUPPORTED = {
    "zip": ("压缩包中没有 Word 正文", "a zip archive without a Word document"),
    "ole": ("不是 Word 文档的 OLE 文件", "an OLE file that is not a Word document"),
    "unknown": ("无法识别的文件内容", "content of no known document type"),
}


def read_document(data: bytes, fmt: str, call: Call) -> Document:
    """Bytes of a known format into a Document; raises FileProblem when that cannot be done."""
    guard_size(data, call.file)
    if fmt == "docx":
        return read_docx(data, call.file)
    if fmt == "encrypted-ooxml":
        raise FileProblem("file.encrypted")
    if fmt in ("doc", "wps"):
        from pipeline.ingest.legacy import read_legacy

        return read_legacy(data, fmt, call.file)
    if fmt == "pdf":
        from pipeline.ingest.pdf import read_pdf

        return read_pdf(data, call.file, form_words(call), block_starter(call))
    zh, en = _UNSUPPORTED.get(fmt, _UNSUPPORTED["unknown"])
    raise FileProblem("file.unsupported_type", reason_zh=zh, reason_en=en)


def read_any(data: bytes, fmt: str, call: Call) -> Document:
    """read_document, with any other exception a reader raises on damaged data (a library's own error on bytes it
    did not expect) turned into file.corrupt: bad input is a finding, never a traceback."""
    try:
        return read_document(data, fmt, call)
    except (FileProblem, MemoryError):
        raise  # MemoryError is the limit worker's to report (file.too_complex), not damage
    except Exception as e:  # the last net under every reader; the known cases are handled inside them
        raise FileProblem("file.corrupt", part=fmt, reason_zh="文件内容无法解析",
                          reason_en=f"cannot be read ({type(e).__name__})") from None


def form_findings(app: Application, call: Call) -> list[Finding]:
    """Whether this is the call's form at all, and whether it was made for this call."""
    if app.label_ratio < call.min_label_ratio:
        return [make("form.unrecognized", call, expected=app.labels_total, actual=app.labels_found)]
    ident = stamped_call(app.properties)
    if ident and ident != call.id:
        return [make("form.other_call", call, expected=call.id, actual=ident)]
    return []


def _sort_key(f: Finding, call: Call) -> tuple[int, str]:
    """File-level findings first, then form order."""
    pos = call.field_position(f.field)
    return (pos[1] if pos else (-1 if not f.field else len(call.field_specs()) + 100)), f.field or ""


def check_application(data: bytes, name: str, call: Call) -> tuple[Report, Application | None]:
    """The self-check of one file's bytes, with the extracted application (None when none could be read)."""
    sha = hashlib.sha256(data).hexdigest()
    fmt = sniff(data)
    info = FileInfo(path=name, sha256=sha, format=fmt, bytes=len(data))
    try:
        doc = read_any(data, fmt, call)
    except FileProblem as p:
        finding = make(p.code, call, **p.params)
        return Report(tool=TOOL, call=call.id, file=info, fields={}, findings=(finding,)), None
    info = FileInfo(path=name, sha256=sha, format=doc.format, bytes=len(data), pages=doc.pages)
    finder = Finder(doc, call)
    app = extract(doc, call, finder)
    findings = form_findings(app, call)
    if findings and findings[0].code == "form.unrecognized":
        return Report(tool=TOOL, call=call.id, file=info, fields={}, findings=tuple(findings)), None
    findings += layout_findings(doc, call, finder)
    findings += run_rules(app, call)
    findings.sort(key=lambda f: _sort_key(f, call))
    return Report(tool=TOOL, call=call.id, file=info, fields=app.values, findings=tuple(findings)), app


def check_bytes(data: bytes, name: str, call: Call) -> Report:
    """The whole self-check of one file's bytes: a pure function of (bytes, call)."""
    return check_application(data, name, call)[0]


def check_path(path: Path, call: Call, display: str | None = None) -> Report:
    """Check a file on disk (read once, never modified)."""
    data = path.read_bytes()
    return check_bytes(data, display or path.name, call)


def extract_bytes(data: bytes, call: Call) -> Application:
    """Only the extraction (for tools and tests): bytes -> Application."""
    return extract(read_any(data, sniff(data), call), call)
