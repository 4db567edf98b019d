"""Decide a file's type by its content, never by its name, and apply the size limit first."""

from __future__ import annotations

from pipeline.calls.model import FileLimits
from pipeline.ingest.problems import FileProblem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OLE = "EncryptedPackage".encode("utf-16-le")
_WORD_OLE = "WordDocument".encode("utf-16-le")
_WPS_OLE = "WpsCustomData".encode("utf-16-le")


def sniff(data: bytes) -> str:
    """The format of these bytes: docx, pdf, doc, wps, encrypted-ooxml, zip, ole or unknown."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:65536] else "zip"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head == OLE_MAGIC:
        if _ENCRYPTED_OLE in data:
            return "encrypted-ooxml"
        if _WPS_OLE in data:
            return "wps"
        if _WORD_OLE in data:
            return "doc"
        return "ole"
    return "unknown"


def guard_size(data: bytes, limits: FileLimits) -> None:
    """Refuse an empty file or one over the call's size limit before anything parses it."""
    max_bytes = limits.max_bytes
    if len(data) > max_bytes:
        size, limit = f"{len(data):,}", f"{max_bytes:,}"
        mb = f"{max_bytes / 2**20:g}"
        raise FileProblem("file.too_large", reason_zh=f"文件大小为{size}字节，超过{mb} MB（{limit}字节）的上限",
                          reason_en=f"{size} bytes, over the limit of {limit} bytes ({mb} MB)")
    if not data:
        raise FileProblem("file.corrupt", part="file", reason_zh="文件为空", reason_en="the file is empty")
