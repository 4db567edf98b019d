"""Checking an application: file guards, form recognition, field rules, and the report."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline import TOOL_NAME, __version__
from pipeline.calls import Call
from pipeline.check.codes import make
from pipeline.check.layout import layout_findings
from pipeline.check.rules import run_rules
from pipeline.extract import extract
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

        return read_pdf(data, call.file)
    zh, en = _UNSUPPORTED.get(fmt, _UNSUPPORTED["unknown"])
    raise FileProblem("file.unsupported_type", reason_zh=zh, reason_en=en)


def form_findings(app: Application, call: Call) -> list[Finding]:
    """Whether this is the call's form at all, and whether it was made for this call."""
    if app.label_ratio < call.min_label_ratio:
        return [make("form.unrecognized", call, expected=app.labels_total, actual=app.labels_found)]
    ident = app.properties.get("identifier")
    if ident and ident != call.id:
        return [make("form.other_call", call, expected=call.id, actual=ident)]
    return []


def _order(call: Call) -> dict[str, int]:
    order: dict[str, int] = {}
    for s in call.sections:
        for f in (*s.fields, *s.items):
            order.setdefault(f.id, len(order))
            for part in f.parts:
                order.setdefault(part, len(order))
        for x in (s.field, s.total_field, s.basis.id if s.basis else None):
            if x:
                order.setdefault(x, len(order))
    return order


def _sort_key(f: Finding, order: dict[str, int]) -> tuple[int, str]:
    field = f.field or ""
    base = field
    for sep in ("[", ".total"):
        if sep in base:
            base = base.split(sep)[0] if sep == "[" else base.replace(".total", ".total", 1)
    key = order.get(base)
    if key is None:
        key = next((v for k, v in order.items() if field.startswith(k)), -1 if not field else len(order))
    return key, field


def check_bytes(data: bytes, name: str, call: Call) -> Report:
    """The whole self-check of one file's bytes: a pure function of (bytes, call)."""
    sha = hashlib.sha256(data).hexdigest()
    fmt = sniff(data)
    info = FileInfo(path=name, sha256=sha, format=fmt, bytes=len(data))
    try:
        doc = read_document(data, fmt, call)
    except FileProblem as p:
        finding = make(p.code, call, **p.params)
        return Report(tool=TOOL, call=call.id, file=info, fields={}, findings=(finding,))
    info = FileInfo(path=name, sha256=sha, format=doc.format, bytes=len(data), pages=doc.pages)
    app = extract(doc, call)
    findings = form_findings(app, call)
    if findings and findings[0].code == "form.unrecognized":
        return Report(tool=TOOL, call=call.id, file=info, fields={}, findings=tuple(findings))
    findings += layout_findings(doc, call)
    findings += run_rules(app, call)
    order = _order(call)
    findings.sort(key=lambda f: _sort_key(f, order))
    return Report(tool=TOOL, call=call.id, file=info, fields=app.values, findings=tuple(findings))


def check_path(path: Path, call: Call, display: str | None = None) -> Report:
    """Check a file on disk (read once, never modified)."""
    data = path.read_bytes()
    return check_bytes(data, display or path.name, call)


def extract_bytes(data: bytes, call: Call) -> Application:
    """Only the extraction (for tools and tests): bytes -> Application."""
    return extract(read_document(data, sniff(data), call), call)
