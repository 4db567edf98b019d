"""Legacy .doc and .wps: converted to .docx by LibreOffice (the project's one converter), then read as usual."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from pipeline.calls.model import FileLimits
from pipeline.errors import PipelineError
from pipeline.ingest.docx import read_docx
from pipeline.ingest.problems import FileProblem
from pipeline.model import Document

TIMEOUT_S = 60.0


def read_legacy(data: bytes, fmt: str, limits: FileLimits) -> Document:
    """Convert .doc/.wps bytes to .docx with LibreOffice and read that; file.legacy_format when it cannot."""
    from pipeline.office import ConverterMissing, convert

    with tempfile.TemporaryDirectory(prefix="award-legacy-") as tmp:
        src = Path(tmp) / f"application.{fmt}"
        src.write_bytes(data)
        try:
            out = convert([src], Path(tmp) / "out", to="docx:MS Word 2007 XML", timeout=TIMEOUT_S)
        except ConverterMissing:
            raise FileProblem("file.legacy_format", actual=f".{fmt}", reason_zh="（本机未安装 LibreOffice）",
                              reason_en=" (LibreOffice is not installed here)") from None
        except PipelineError:
            raise FileProblem("file.legacy_format", actual=f".{fmt}", reason_zh="（转换超时）",
                              reason_en=" (the conversion timed out)") from None
        if not out:
            raise FileProblem("file.legacy_format", actual=f".{fmt}", reason_zh="（文件已损坏或无法转换）",
                              reason_en=" (the file is damaged or cannot be converted)")
        converted = out[0].read_bytes()
    return dataclasses.replace(read_docx(converted, limits), format=fmt)
