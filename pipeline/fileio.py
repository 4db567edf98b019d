"""Writing outputs atomically (a temporary file in the same folder, then a rename), and reading the CSV files
staff bring."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from pipeline.errors import OutputError


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Call `write` with a temporary file beside `path`, then rename it into place; never a half-written file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(f"无法写入 {path}：{e.strerror}", f"Cannot write {path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"无法写入 {path}：{e.strerror}", f"Cannot write {path}: {e.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    """Write bytes atomically."""
    return atomic_write(path, lambda fh: fh.write(data))


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_bytes(path, text.encode("utf-8"))


def save_docx(document: object, path: Path) -> Path:
    """Save a python-docx Document atomically."""
    return atomic_write(path, lambda fh: document.save(fh))  # type: ignore[attr-defined]


# python-docx's template says 1 page, 0 words: statistics no one computed; Word recomputes them on save.
_STALE_STATS = re.compile(rb"<(Pages|Words|Characters|CharactersWithSpaces|Lines|Paragraphs)>\d*</\1>")


def docx_bytes(document: object) -> bytes:
    """A python-docx Document as bytes that depend only on its content (fixed zip timestamps and order)."""
    import io
    import zipfile

    raw = io.BytesIO()
    document.save(raw)  # type: ignore[attr-defined]
    with zipfile.ZipFile(raw) as src:
        parts = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    return zip_bytes([(name, _STALE_STATS.sub(b"", data) if name == "docProps/app.xml" else data)
                      for name, data in parts])


def zip_bytes(parts: Iterable[tuple[str, bytes]], stored: tuple[str, ...] = ()) -> bytes:
    """A zip (docx) of (name, bytes) parts in the given order that depends only on them: fixed timestamps and
    modes; parts whose names end with one of `stored` (already-compressed pictures) are stored, the rest deflated."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts:
            fixed = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_STORED if stored and name.endswith(stored) else zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def save_docx_reproducible(document: object, path: Path) -> Path:
    """Save a python-docx Document atomically, byte-reproducibly."""
    return write_bytes(path, docx_bytes(document))


def decode_csv(data: bytes) -> str | None:
    """The text of a CSV as staff save it: UTF-8 with or without BOM, or GBK/GB18030 as Chinese Excel writes
    "CSV"; None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
