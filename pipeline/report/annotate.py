"""A copy of the applicant's .docx with a Word comment anchored at each finding's cell or paragraph."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pipeline.check.codes import severity_word
from pipeline.fileio import write_bytes
from pipeline.ingest.docx import body_elements, locate
from pipeline.model import Finding, Report

AUTHOR = {"zh": "申报书自检", "en": "Application self-check"}


class NotAnnotated(Exception):
    """The annotated copy of a file cannot be made (python-docx cannot open or save it); the report stands."""

    def __init__(self, reason_zh: str, reason_en: str) -> None:
        super().__init__(reason_en)
        self.reason_zh = reason_zh
        self.reason_en = reason_en

    def message(self, lang: str = "zh") -> str:
        """Why, in the user's language."""
        return self.reason_en if lang == "en" else self.reason_zh


def _anchor_runs(element: Any, document: Any) -> list[Any]:
    """Runs to anchor a comment on: the text of a cell or paragraph, or a new empty run when it has none."""
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

    is_cell = element.tag.endswith("}tc")
    paragraphs = _Cell(element, document).paragraphs if is_cell else [Paragraph(element, document)]
    runs = [r for p in paragraphs for r in p.runs if r.text.strip()]
    if runs:
        return [runs[0], runs[-1]]
    return [paragraphs[0].add_run("")]


def comment_text(f: Finding, lang: str) -> str:
    """The comment's words: severity, message, code."""
    msg = f.message if lang == "zh" else f.message_en
    return f"【{severity_word(f.severity, lang, capital=True)}】{msg}（{f.code}）"


def annotate(data: bytes, report: Report, lang: str = "zh") -> Any:
    """A python-docx Document of `data` with one comment per finding (file-level ones on the first paragraph)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    body = body_elements(document.element)
    first = next((p for p in document.paragraphs if p.text.strip()), None) or document.paragraphs[0]
    for f in report.findings:
        element = locate(body, f.location) if f.location.kind == "docx" else None
        runs = _anchor_runs(element, document) if element is not None else (
            first.runs[:1] or [first.add_run("")])
        document.add_comment(runs, text=comment_text(f, lang), author=AUTHOR[lang], initials="AP")
    return document


def annotatable(report: Report) -> bool:
    """Whether a copy with comments can be made: a .docx that could be read as a package."""
    return report.file.format == "docx" and not any(f.code.startswith("file.") for f in report.findings)


def annotated_bytes(data: bytes, report: Report, lang: str = "zh") -> bytes:
    """The annotated copy as bytes; NotAnnotated when python-docx cannot open, change or save the file (it reads
    every part, so a damaged part the checker never needed, or a missing styles.xml, stops it)."""
    try:
        buf = io.BytesIO()
        annotate(data, report, lang).save(buf)
    except MemoryError:
        raise
    except Exception as e:  # any failure of python-docx on a damaged package: no copy, the report stands
        raise NotAnnotated(f"Word 文件已损坏，无法写入批注（{type(e).__name__}）",
                           f"the Word file is damaged and cannot take comments ({type(e).__name__})") from None
    return buf.getvalue()


def write_annotated(data: bytes, report: Report, out: Path, lang: str = "zh") -> Path:
    """Write the annotated copy atomically (nothing is written when NotAnnotated); the input is never changed."""
    return write_bytes(out, annotated_bytes(data, report, lang))
